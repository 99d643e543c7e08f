# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWS edge shared by the AWS modules: clients that retry with jittered backoff, one call
helper that turns botocore errors into ``AnsibleAWSError`` (the module's ``main()`` turns that
into ``fail_json_aws``), and the clock the waits use (tests replace it)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry


def aws_client(module, service):
    """A client whose calls retry throttling and transient errors with jittered backoff when
    called with ``aws_retry=True``."""
    return module.client(service, retry_decorator=AWSRetry.jittered_backoff())


def call(client, operation, what, **params):
    """``client.<operation>(**params)`` with retries; a failure names ``what`` was being done."""
    try:
        return getattr(client, operation)(aws_retry=True, **params)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        raise AnsibleAWSError(message="Failed to %s" % what, exception=e)


class Clock(object):
    """Time source for waits (tests replace it to run without sleeping)."""

    def __init__(self, sleep=time.sleep, now=time.monotonic):
        self.sleep = sleep
        self.now = now
