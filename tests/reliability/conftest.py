"""Reliability scenarios reuse the integration fixtures (sandbox, run_module, audit, ...)."""
import json
import os

import pytest
import yaml

from tests.integration.conftest import *  # noqa: F401,F403  pylint: disable=wildcard-import,unused-wildcard-import
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
