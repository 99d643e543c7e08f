"""Reliability scenarios reuse the integration fixtures (sandbox, run_module, audit, ...)."""
import json
import os

import pytest
import yaml

from tests.reliability.k8s_fault_proxy import FaultProxy


@pytest.fixture
def fault_proxy(sandbox, tmp_path):
    """A FaultProxy in front of the sandbox API server, and a kubeconfig file that uses it."""
    with open(sandbox.kubeconfig) as fh:
        server = yaml.safe_load(fh)["clusters"][0]["cluster"]["server"]
    proxy = FaultProxy(server, os.path.join(sandbox.dir, "pki", "ca.crt")).start()
    path = tmp_path / "proxy-kubeconfig"
    path.write_text(json.dumps(proxy.kubeconfig(sandbox.admin_token())))
    proxy.kubeconfig_path = str(path)
    yield proxy
    proxy.stop()


# ---------------------------------------------------------------------------------------------
# A private moto for AWS fault injection: its fault rules and request log belong to one test
# module, so injected Throttling never reaches another engineer's test on the shared moto.
# ---------------------------------------------------------------------------------------------
from tests.integration.own_moto import OwnMoto  # noqa: E402

FASTCLOCK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_fastclock")


@pytest.fixture(scope="module")
def private_moto(tmp_path_factory):
    moto = OwnMoto(str(tmp_path_factory.mktemp("moto")), server_env={"MOTO_IAM_LOAD_MANAGED_POLICIES": "true"})
    yield moto
    moto.stop()


@pytest.fixture
def fast_clock(sandbox, tmp_path):
    """Environment for run_module: time.sleep scaled by 1/100 and logged (see _fastclock)."""
    log = tmp_path / "sleeps.log"

    class FastClock(object):
        env = {"PYTHONPATH": os.pathsep.join([FASTCLOCK, os.path.join(sandbox.dir, "collections")]),
               "HARDENED_EKS_TEST_SLEEP_SCALE": "0.01", "HARDENED_EKS_TEST_SLEEP_LOG": str(log)}

        @staticmethod
        def sleeps():
            if not log.exists():
                return []
            return [float(x) for x in log.read_text().split()]

        @staticmethod
        def reset():
            if log.exists():
                log.unlink()

    return FastClock()
