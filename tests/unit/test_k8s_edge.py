"""Pure logic of the Kubernetes edge: retry policy and optimistic updates."""
import pytest

from ansible_collections.hardened.eks.plugins.module_utils import _k8s
from ansible_collections.hardened.eks.plugins.module_utils._k8s import (
    K8sApiError, K8sConnectionError, conflict_pause, k8s_path)
from tests.fake_apiserver import FakeApiServer


NS = "/api/v1/namespaces/app"


def server(**kw):
    return FakeApiServer(objects={NS: {"kind": "Namespace"}}, **kw)


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_transient_statuses_are_retried(status):
    api = server()
    api.inject(status, times=2)
    assert api.get(NS)["metadata"]["name"] == "app"
    assert api.requests == 3
    assert len(api.slept) == 2


@pytest.mark.parametrize("status", [400, 403, 404, 409, 422])
def test_other_statuses_are_not_retried(status):
    api = server()
    api.inject(status)
    with pytest.raises(K8sApiError) as exc:
        api.request("PUT", NS, {"metadata": {"name": "app"}})
    assert exc.value.status == status
    assert api.requests == 1


def test_retry_budget_is_bounded():
    api = server(retries=3)
    api.inject(503, times=None)
    with pytest.raises(K8sApiError):
        api.get(NS)
    assert api.requests == 4


def test_retry_after_is_honoured():
    api = server()
    api.inject(429, details={"retryAfterSeconds": 2})
    api.get(NS)
    assert 1.0 <= api.slept[0] <= 2.0


def test_a_dropped_connection_is_repeated_only_when_safe():
    """A guarded JSON patch (with ``test`` operations) is repeated after a dropped connection;
    an unguarded one is not, since it might have been applied."""
    guarded = [{"op": "test", "path": "/metadata/name", "value": "app"},
               {"op": "add", "path": "/metadata/labels", "value": {"a": "1"}}]
    api = server()
    api.inject("connection", "PATCH")
    assert api.json_patch(NS, guarded)["metadata"]["labels"] == {"a": "1"}
    assert [c[0] for c in api.calls] == ["PATCH", "PATCH"]
    api = server()
    api.inject("connection", "PATCH")
    with pytest.raises(K8sConnectionError):
        api.json_patch(NS, guarded[1:])
    assert api.requests == 1


def test_get_or_none_and_delete_treat_404_as_absent():
    api = server()
    assert api.get_or_none(NS + "/configmaps/x") is None
    assert api.delete(NS + "/configmaps/x") is None
    assert [c[0] for c in api.calls] == ["GET", "DELETE"]


def test_dry_run_is_passed_as_query_and_stores_nothing():
    api = server()
    api.create(NS + "/configmaps", {"metadata": {"name": "x"}}, dry_run=True)
    assert api.calls[-1][2] == {"dryRun": "All"}
    assert api.object(NS + "/configmaps/x") is None


def test_conflict_pause_grows_with_jitter_and_stays_under_a_second():
    pauses = []
    for attempt in (1, 3, 6, 50):
        conflict_pause(attempt, pauses.append)
    assert all(0 <= p <= 1.0 for p in pauses)
    assert pauses[0] <= 0.04 and pauses[1] <= 0.16


def test_k8s_path():
    assert k8s_path("v1", "configmaps", "kube-system", "aws-auth") == \
        "/api/v1/namespaces/kube-system/configmaps/aws-auth"
    assert k8s_path("crd.projectcalico.org/v1", "globalnetworkpolicies") == \
        "/apis/crd.projectcalico.org/v1/globalnetworkpolicies"


def test_auth_spec_is_kubernetes_core():
    from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
    assert _k8s.K8S_AUTH_ARG_SPEC == AUTH_ARG_SPEC
