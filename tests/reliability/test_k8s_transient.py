"""Kubernetes 429/500/503 answers are retried by the modules' edge; past the retry budget the
task fails with a clear message. The API server behind the fault proxy is the real sandbox."""
import json

import pytest

from ansible_collections.hardened.eks.plugins.module_utils._k8s import K8sApi


def _api(kubeconfig_path):
    from kubernetes import client, config
    cfg = client.Configuration()
    config.load_kube_config(config_file=kubeconfig_path, client_configuration=cfg)
    return K8sApi(client.ApiClient(cfg), backoff=0.01)


@pytest.mark.parametrize("status", [429, 500, 503])
def test_edge_retries_transient_errors_against_real_server(fault_proxy, status):
    fault_proxy.add_fault(status, 2, method="GET", path_contains="/configmaps/aws-auth")
    api = _api(fault_proxy.kubeconfig_path)
    cm = api.get("/api/v1/namespaces/kube-system/configmaps/aws-auth")
    assert "hardened-eks-sandbox-node" in cm["data"]["mapRoles"]
    statuses = [s for m, p, s in fault_proxy.log if "aws-auth" in p]
    assert statuses == [status, status, 200]
