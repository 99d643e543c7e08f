"""k8s_objects_info's pure parts and its GET sequence (module_utils/_k8s_read.py), against a
recording stand-in of K8sApi that answers as the API server does (404 bodies included)."""
import pytest

from ansible_collections.hardened.eks.plugins.module_utils._k8s import K8sApi, K8sApiError, K8sError
from ansible_collections.hardened.eks.plugins.module_utils._k8s_read import (
    QueryError,
    check_queries,
    read_all,
    resolve,
)


class Server(object):
    """Answers GETs from a dict path -> body; a missing object's 404 names it, a missing type's
    404 does not (as kube-apiserver does)."""

    def __init__(self, answers, pages=None, errors=None):
        self.answers = answers
        self.pages = pages or {}
        self.errors = errors or {}
        self.sent = []

    def get(self, path, query=None):
        self.sent.append((path, dict(query or {})))
        if path in self.errors:
            raise self.errors[path]
        if path in self.pages:
            token = (query or {}).get("continue")
            return self.pages[path][token]
        if path in self.answers:
            return self.answers[path]
        name = path.rsplit("/", 1)[-1]
        known = any(p.startswith(path.rsplit("/", 1)[0]) for p in self.answers)
        body = {"kind": "Status", "code": 404, "details": {"name": name}} if known else {"kind": "Status", "code": 404}
        raise K8sApiError(404, "Not Found", body, "GET", path)

    get_or_none = K8sApi.get_or_none  # the real one, on top of this get


def q(**kw):
    return check_queries([kw])[0]


def test_every_problem_of_every_query_is_reported_at_once():
    with pytest.raises(QueryError) as err:
        check_queries([{"id": "a", "kind": "ConfigMap"}, {"id": "a", "kind": "configmap"},
                       {"id": "b-c", "kind": "Pod", "api_version": "apps"},
                       {"id": "d", "kind": "Pod", "name": "x", "label_selectors": ["a=b"]},
                       {"id": "e", "kind": "Thing", "resource": "Things", "namespace": "Bad_NS"}])
    text = "\n".join(err.value.problems)
    assert "queries[1] (a).id: used by an earlier query" in text
    assert "queries[1] (a).kind: 'configmap' must be a kind" in text
    assert "queries[2] (b-c).id: 'b-c' must be a variable-like name" in text
    assert "queries[2] (b-c).api_version: 'apps' is not <group>/<version>" in text
    assert "queries[3] (d): name reads one object; selectors only narrow a list" in text
    assert "queries[4] (e).resource: 'Things' must be the plural" in text
    assert "queries[4] (e).namespace: 'Bad_NS' is not an object name" in text
    assert len(err.value.problems) == 7


def test_builtin_kinds_need_no_discovery_and_a_custom_one_is_discovered_once_per_group_version():
    crd_gv = {"resources": [{"name": "eniconfigs", "kind": "ENIConfig", "namespaced": False},
                            {"name": "eniconfigs/status", "kind": "ENIConfig", "namespaced": False}]}
    server = Server({
        "/apis/apps/v1/namespaces/kube-system/daemonsets/aws-node": {"metadata": {"name": "aws-node"}},
        "/apis/crd.k8s.amazonaws.com/v1alpha1": crd_gv,
        "/apis/crd.k8s.amazonaws.com/v1alpha1/eniconfigs": {"items": [{"metadata": {"name": "us-east-1a"}}],
                                                            "metadata": {}},
    })
    out = read_all(server, check_queries([
        {"id": "ds", "api_version": "apps/v1", "kind": "DaemonSet", "namespace": "kube-system", "name": "aws-node"},
        {"id": "eni", "api_version": "crd.k8s.amazonaws.com/v1alpha1", "kind": "ENIConfig", "namespace": "x"},
        {"id": "eni2", "api_version": "crd.k8s.amazonaws.com/v1alpha1", "kind": "ENIConfig"},
    ]))
    assert [p for p, _q in server.sent] == [
        "/apis/apps/v1/namespaces/kube-system/daemonsets/aws-node",
        "/apis/crd.k8s.amazonaws.com/v1alpha1",                      # once for both ENIConfig queries
        "/apis/crd.k8s.amazonaws.com/v1alpha1/eniconfigs",           # cluster-scoped: namespace ignored
        "/apis/crd.k8s.amazonaws.com/v1alpha1/eniconfigs"]
    assert out["ds"] == {"api_found": True, "resources": [{"metadata": {"name": "aws-node"}}]}
    # list items get their apiVersion and kind (the API server leaves them out of a list's items)
    assert out["eni"]["resources"] == [{"apiVersion": "crd.k8s.amazonaws.com/v1alpha1", "kind": "ENIConfig",
                                        "metadata": {"name": "us-east-1a"}}]


def test_a_missing_object_is_found_api_without_resources_and_a_missing_type_is_not_found():
    server = Server({"/api/v1/namespaces/kube-system/configmaps/other": {}})
    out = read_all(server, check_queries([
        {"id": "record", "kind": "ConfigMap", "namespace": "kube-system", "name": "hardened-eks-state"},
        {"id": "calico", "api_version": "crd.projectcalico.org/v1", "kind": "NetworkPolicy",
         "resource": "networkpolicies"},
        {"id": "thing", "api_version": "nothing.example.com/v1", "kind": "Thing"},
    ]))
    assert out == {"record": {"api_found": True, "resources": []},
                   "calico": {"api_found": False, "resources": []},
                   "thing": {"api_found": False, "resources": []}}


def test_selectors_are_joined_and_every_page_is_read():
    path = "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings"
    server = Server({}, pages={path: {None: {"items": [{"metadata": {"name": "a"}}], "metadata": {"continue": "t1"}},
                                      "t1": {"items": [{"metadata": {"name": "b"}}], "metadata": {}}}})
    out = read_all(server, [q(id="crb", api_version="rbac.authorization.k8s.io/v1", kind="ClusterRoleBinding",
                              label_selectors=["app=x", "layer"], field_selectors=["metadata.name!=c"])])
    assert [o["metadata"]["name"] for o in out["crb"]["resources"]] == ["a", "b"]
    assert server.sent == [(path, {"labelSelector": "app=x,layer", "fieldSelector": "metadata.name!=c", "limit": 500}),
                           (path, {"labelSelector": "app=x,layer", "fieldSelector": "metadata.name!=c", "limit": 500,
                                   "continue": "t1"})]


def test_a_refusal_names_its_query():
    path = "/api/v1/namespaces/kube-system/secrets"
    server = Server({}, errors={path: K8sApiError(403, "Forbidden", {"message": "secrets is forbidden"}, "GET", path)})
    with pytest.raises(K8sError) as err:
        read_all(server, [q(id="ok", kind="Namespace"), q(id="secrets", kind="Secret", namespace="kube-system")])
    assert str(err.value).startswith("queries (secrets): GET %s: HTTP 403 secrets is forbidden" % path)


def test_resolve_prefers_the_given_plural_and_skips_subresources():
    discovered = {"resources": [{"name": "things/status", "kind": "Thing"},
                                {"name": "things", "kind": "Thing", "namespaced": True}]}
    assert resolve("x.example.com/v1", "Thing", discovered=discovered) == ("things", True)
    assert resolve("x.example.com/v1", "Thing", discovered={"resources": []}) is None
    assert resolve("v1", "ServiceAccount") == ("serviceaccounts", True)
    assert resolve("x.example.com/v1", "Thing", "things") == ("things", None)
