"""Pure logic of the Kubernetes edge: retry policy and optimistic updates."""
import pytest

from ansible_collections.hardened.eks.plugins.module_utils import _k8s
from ansible_collections.hardened.eks.plugins.module_utils._k8s import (
    K8sApi, K8sApiError, conflict_pause, k8s_path)


class ScriptedApi(K8sApi):
    """K8sApi whose transport answers from a script (list of exceptions / results)."""

    def __init__(self, script, **kw):
        super(ScriptedApi, self).__init__(api_client=None, sleep=self._nosleep, **kw)
        self.script = list(script)
        self.sent = []
        self.slept = []

    def _nosleep(self, seconds):
        self.slept.append(seconds)

    def _send(self, method, path, body, query, content_type="application/json"):
        self.requests += 1
        self.sent.append((method, path))
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        return item


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_transient_statuses_are_retried(status):
    api = ScriptedApi([K8sApiError(status, "x"), K8sApiError(status, "x"), {"ok": 1}])
    assert api.get("/api/v1/namespaces") == {"ok": 1}
    assert api.requests == 3
    assert len(api.slept) == 2


@pytest.mark.parametrize("status", [400, 403, 404, 409, 422])
def test_other_statuses_are_not_retried(status):
    api = ScriptedApi([K8sApiError(status, "x"), {"ok": 1}])
    with pytest.raises(K8sApiError) as exc:
        api.request("PUT", "/x", {})
    assert exc.value.status == status
    assert api.requests == 1


def test_retry_budget_is_bounded():
    api = ScriptedApi([K8sApiError(503, "x")] * 10, retries=3)
    with pytest.raises(K8sApiError):
        api.get("/x")
    assert api.requests == 4


def test_retry_after_is_honoured():
    err = K8sApiError(429, "slow down", {"details": {"retryAfterSeconds": 2}})
    api = ScriptedApi([err, {}])
    api.get("/x")
    assert 1.0 <= api.slept[0] <= 2.0


def test_get_or_none_and_delete_treat_404_as_absent():
    api = ScriptedApi([K8sApiError(404, "nf"), K8sApiError(404, "nf")])
    assert api.get_or_none("/x") is None
    assert api.delete("/x") is None


def test_dry_run_is_passed_as_query():
    seen = {}

    class Api(ScriptedApi):
        def _send(self, method, path, body, query, content_type="application/json"):
            seen.update(query or {})
            return {}
    Api([]).create("/x", {}, dry_run=True)
    assert seen == {"dryRun": "All"}


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
