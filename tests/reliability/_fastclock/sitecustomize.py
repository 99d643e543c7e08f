"""Loaded by module processes the reliability tests start with this directory on PYTHONPATH.

With HARDENED_EKS_TEST_SLEEP_SCALE set, ``time.sleep`` sleeps that fraction of what it is asked
(botocore's and AWSRetry's backoffs, pollers), and every requested delay is appended to
HARDENED_EKS_TEST_SLEEP_LOG, one line each: retry budgets are exercised in full, in seconds
instead of minutes, and the test sees how many backoffs there were and how long they would have
been. Nothing else changes: the module, botocore and the (moto) endpoint are the real ones.
"""
import os
import time

_SCALE = os.environ.get("HARDENED_EKS_TEST_SLEEP_SCALE")
if _SCALE:
    _real_sleep = time.sleep
    _log = os.environ.get("HARDENED_EKS_TEST_SLEEP_LOG")

    def _scaled_sleep(seconds):
        if _log:
            with open(_log, "a") as fh:
                fh.write("%r\n" % (seconds,))
        _real_sleep(max(0.0, float(seconds)) * float(_SCALE))

    time.sleep = _scaled_sleep
