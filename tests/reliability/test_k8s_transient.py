"""Kubernetes 429/500/503 answers are retried by the modules' edge; past the retry budget the
task fails with a clear message. The API server behind the fault proxy is the real sandbox."""
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


# ---------------------------------------------------------------------------------------------
# Through the modules: aws_auth_mapping as a real module process, its kubeconfig pointing at the
# fault proxy. The ConfigMap is a scratch aws-auth in a test namespace.
# ---------------------------------------------------------------------------------------------
import time  # noqa: E402

from kubernetes import client as k8s_client  # noqa: E402

from tests.reliability._helpers import NODE, NODE_TEXT, arn, entry_sets  # noqa: E402

CM = "aws-auth"


def _seed(k8s, ns):
    k8s_client.CoreV1Api(k8s).create_namespaced_config_map(
        ns, {"metadata": {"name": CM}, "data": {"mapRoles": NODE_TEXT, "keep": "me"}})


def _data(k8s, ns):
    return k8s_client.CoreV1Api(k8s).read_namespaced_config_map(CM, ns).data


def _add(fault_proxy, ns, names, **kw):
    params = {"kubeconfig": fault_proxy.kubeconfig_path, "namespace": ns, "name": CM,
              "roles": [{"arn": arn(n), "username": n, "groups": ["g"]} for n in names]}
    params.update(kw)
    return params


def _cm_log(fault_proxy, ns):
    return [(m, s) for m, p, s in fault_proxy.log if "/namespaces/%s/configmaps" % ns in p]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("status", [429, 500, 503, "drop"])
@pytest.mark.parametrize("method", ["GET", "PATCH"])
def test_aws_auth_mapping_retries_through_transient_errors(fault_proxy, k8s, namespace, run_module, audit,
                                                           status, method, record_property):
    _seed(k8s, namespace)
    fault_proxy.add_fault(status, 2, method=method, path_contains="/namespaces/%s/configmaps/%s" % (namespace, CM))
    m = audit.mark()
    res = run_module("aws_auth_mapping", _add(fault_proxy, namespace, ["t-%s" % status]))
    assert not res.get("failed"), res.get("msg")
    assert res["changed"] and res["added"] == [arn("t-%s" % status)]
    log = _cm_log(fault_proxy, namespace)
    faults = [s for mm, s in log if s == status]
    assert len(faults) == 2
    if status == "drop":
        # urllib3 repeats a dropped GET by itself; the module repeats its patch, which is guarded
        # by test operations (a repeat of an applied patch would fail, not apply twice)
        assert log[-1] == ("PATCH", 200)
    else:
        expected = [(method, status), (method, status)]
        expected = ([("GET", 200)] if method == "PATCH" else []) + expected + \
                   ([("GET", 200)] if method == "GET" else []) + [("PATCH", 200)]
        assert log == expected
    # exactly one write reached the API server, and it was accepted
    writes = audit.writes(since=m, resource="configmaps", namespace=namespace)
    assert [(e["verb"], e["responseStatus"]["code"]) for e in writes] == [("patch", 200)]
    assert entry_sets(_data(k8s, namespace))["mapRoles"] == {NODE, arn("t-%s" % status)}
    record_property("k8s_retries_%s_%s" % (method, status), len(faults))


@pytest.mark.timeout(120)
@pytest.mark.parametrize("method", ["GET", "PATCH"])
def test_aws_auth_mapping_fails_cleanly_past_the_retry_budget(fault_proxy, k8s, namespace, run_module, audit,
                                                              method, fast_clock):
    """K8sApi retries 5 times (6 attempts); the 7th fault is never consumed. Backoffs at 1/100."""
    _seed(k8s, namespace)
    before = _data(k8s, namespace)
    fault_proxy.add_fault(503, 7, method=method, path_contains="/namespaces/%s/configmaps/%s" % (namespace, CM))
    m = audit.mark()
    t0 = time.time()
    res = run_module("aws_auth_mapping", _add(fault_proxy, namespace, ["budget"]), env=fast_clock.env)
    elapsed = time.time() - t0
    assert res.get("failed") and res["_rc"] != 0
    assert "HTTP 503" in res["msg"] and "%s/%s" % (namespace, CM) in res["msg"], res["msg"]
    assert "Traceback" not in res["_stderr"] and "exception" not in res
    assert [s for mm, s in _cm_log(fault_proxy, namespace) if s == 503] == [503] * 6
    assert audit.writes(since=m, resource="configmaps", namespace=namespace) == []
    assert _data(k8s, namespace) == before
    sleeps = fast_clock.sleeps()
    assert len(sleeps) == 5
    print("\n[reliability] %s past the budget: 6 attempts, 5 backoffs (%.1fs unscaled), failed after %.1fs: %s"
          % (method, sum(sleeps), elapsed, res["msg"]))


@pytest.mark.timeout(120)
def test_aws_auth_mapping_honours_retry_after_seconds(fault_proxy, k8s, namespace, run_module, fast_clock):
    """429 with details.retryAfterSeconds=4: the edge waits that long (with jitter: 2-4 s) instead
    of its own short backoff."""
    _seed(k8s, namespace)
    fault_proxy.add_fault(429, 2, method="GET", path_contains="/namespaces/%s/configmaps/%s" % (namespace, CM),
                          retry_after=4)
    res = run_module("aws_auth_mapping", _add(fault_proxy, namespace, ["ra"]), env=fast_clock.env)
    assert not res.get("failed"), res.get("msg")
    sleeps = fast_clock.sleeps()
    assert len(sleeps) == 2 and all(2.0 <= s <= 4.0 for s in sleeps), sleeps


@pytest.mark.timeout(120)
def test_aws_auth_mapping_conflict_rereads_and_reapplies(fault_proxy, k8s, namespace, run_module, audit):
    """409 (DESIGN.md): re-read, re-apply the change on what was read, write again."""
    _seed(k8s, namespace)
    fault_proxy.add_fault(409, 3, method="PATCH", path_contains="/namespaces/%s/configmaps/%s" % (namespace, CM))
    res = run_module("aws_auth_mapping", _add(fault_proxy, namespace, ["c409"]))
    assert not res.get("failed"), res.get("msg")
    assert res["changed"] and res["added"] == [arn("c409")]
    assert _cm_log(fault_proxy, namespace) == [("GET", 200), ("PATCH", 409)] * 3 + [("GET", 200), ("PATCH", 200)]
    assert entry_sets(_data(k8s, namespace))["mapRoles"] == {NODE, arn("c409")}


@pytest.mark.timeout(120)
def test_aws_auth_mapping_real_conflict_keeps_the_other_writers_change(fault_proxy, k8s, namespace, run_module):
    """A real conflict: another writer changes the ConfigMap between the module's read and its
    write (the proxy holds the module's first patch back until the other write is done). The
    patch's test of mapRoles still holds (the other writer changed mapUsers and another key), so
    it applies on top of their change: no conflict, nothing lost."""
    _seed(k8s, namespace)
    core = k8s_client.CoreV1Api(k8s)
    state = {}

    def other_writer():
        obj = core.read_namespaced_config_map(CM, namespace)
        obj.data["mapUsers"] = "- userarn: %s\n  username: bob\n  groups: [b]\n" % arn("bob", "user")
        obj.data["keep"] = "changed-meanwhile"
        core.replace_namespaced_config_map(CM, namespace, obj)
        state["done"] = True

    fault_proxy.before_forward = lambda method, path: (other_writer() if method == "PATCH" and "done" not in state
                                                       and "/configmaps/%s" % CM in path else None)
    res = run_module("aws_auth_mapping", _add(fault_proxy, namespace, ["mine"]))
    assert not res.get("failed"), res.get("msg")
    assert _cm_log(fault_proxy, namespace) == [("GET", 200), ("PATCH", 200)]
    data = _data(k8s, namespace)
    sets = entry_sets(data)
    assert sets["mapRoles"] == {NODE, arn("mine")} and sets["mapUsers"] == {arn("bob", "user")}
    assert data["keep"] == "changed-meanwhile"


@pytest.mark.timeout(120)
def test_aws_auth_mapping_gives_up_cleanly_on_endless_conflicts(fault_proxy, k8s, namespace, run_module, audit,
                                                                fast_clock):
    _seed(k8s, namespace)
    before = _data(k8s, namespace)
    fault_proxy.add_fault(409, 100, method="PATCH", path_contains="/namespaces/%s/configmaps/%s" % (namespace, CM))
    m = audit.mark()
    res = run_module("aws_auth_mapping", _add(fault_proxy, namespace, ["never"]), env=fast_clock.env)
    assert res.get("failed") and "conflicting concurrent updates" in res["msg"], res
    assert "Traceback" not in res["_stderr"]
    assert audit.writes(since=m, resource="configmaps", namespace=namespace) == []
    assert _data(k8s, namespace) == before
    puts = [s for mm, s in _cm_log(fault_proxy, namespace) if mm == "PATCH"]
    print("\n[reliability] endless 409: gave up after %d patches (%.1fs of backoff unscaled): %s"
          % (len(puts), sum(fast_clock.sleeps()), res["msg"][:120]))


@pytest.mark.timeout(120)
def test_aws_auth_mapping_lost_response_of_a_write_is_not_applied_twice(fault_proxy, k8s, namespace, run_module,
                                                                        audit):
    """The patch is applied by the API server but its answer is lost (503 on the way back): the
    repeated patch's test of the read mapRoles fails (422), the module re-reads and finds exactly
    its planned data. The entries are there exactly once; the task reports what happened on the
    cluster (changed, with what it added)."""
    _seed(k8s, namespace)
    fault_proxy.add_fault(503, 1, method="PATCH", path_contains="/namespaces/%s/configmaps/%s" % (namespace, CM),
                          after=True)
    res = run_module("aws_auth_mapping", _add(fault_proxy, namespace, ["lost", "lost2"]))
    assert not res.get("failed"), res.get("msg")
    data = _data(k8s, namespace)
    import yaml
    roles = [r["rolearn"] for r in yaml.safe_load(data["mapRoles"])]
    assert roles == [NODE, arn("lost"), arn("lost2")]  # applied once, no duplicates
    assert data["keep"] == "me"
    assert res["changed"] is True, ("the run changed aws-auth (its first patch was applied) but reports "
                                    "changed=%s added=%s" % (res["changed"], res.get("added")))
    assert res["added"] == [arn("lost"), arn("lost2")]
    assert _cm_log(fault_proxy, namespace) == [("GET", 200), ("PATCH", "200->503"), ("PATCH", 422), ("GET", 200)]


# ---------------------------------------------------------------------------------------------
# calico_policy through the fault proxy (CRD path, as in the sandbox)
# ---------------------------------------------------------------------------------------------
NP = "/apis/crd.projectcalico.org/v1/namespaces/%s/networkpolicies"


def _np_params(fault_proxy, ns, port=8080, name="web"):
    return {"kubeconfig": fault_proxy.kubeconfig_path, "policies": [
        {"kind": "NetworkPolicy", "name": name, "namespace": ns, "spec": {
            "selector": "app == 'web'", "types": ["Ingress"],
            "ingress": [{"action": "Allow", "protocol": "TCP", "destination": {"ports": [port]}}]}}]}


def _np(k8s, ns, name="web"):
    from kubernetes.client.rest import ApiException
    try:
        return k8s_client.CustomObjectsApi(k8s).get_namespaced_custom_object(
            "crd.projectcalico.org", "v1", ns, "networkpolicies", name)
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise


def _np_log(fault_proxy, ns):
    return [(m, s) for m, p, s in fault_proxy.log if (NP % ns) in p]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("status", [429, 500, 503])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_calico_policy_retries_through_transient_errors(fault_proxy, k8s, namespace, run_module, audit, status,
                                                        method):
    fault_proxy.add_fault(status, 2, method=method, path_contains=NP % namespace)
    m = audit.mark()
    res = run_module("calico_policy", _np_params(fault_proxy, namespace))
    assert not res.get("failed"), res.get("msg")
    assert res["created"] == ["NetworkPolicy %s/web" % namespace]
    log = _np_log(fault_proxy, namespace)
    # a single object is read with one GET (404: not there yet), then created
    assert [s for mm, s in log if mm == method][:3] == [status, status, 404 if method == "GET" else 201]
    writes = audit.writes(since=m, resource="networkpolicies", namespace=namespace)
    assert [(e["verb"], e["responseStatus"]["code"]) for e in writes] == [("create", 201)]
    assert _np(k8s, namespace)["spec"]["ingress"][0]["destination"]["ports"] == [8080]


@pytest.mark.timeout(120)
def test_calico_policy_conflict_rereads_and_reapplies(fault_proxy, k8s, namespace, run_module):
    first = run_module("calico_policy", _np_params(fault_proxy, namespace))
    assert not first.get("failed"), first.get("msg")
    fault_proxy.add_fault(409, 2, method="PUT", path_contains=NP % namespace)
    res = run_module("calico_policy", _np_params(fault_proxy, namespace, port=9090))
    assert not res.get("failed"), res.get("msg")
    assert res["updated"] == ["NetworkPolicy %s/web" % namespace]
    puts_and_gets = [x for x in _np_log(fault_proxy, namespace) if x[0] in ("PUT", "GET")][-6:]
    assert [x for x in puts_and_gets if x[0] == "PUT"] == [("PUT", 409), ("PUT", 409), ("PUT", 200)]
    assert _np(k8s, namespace)["spec"]["ingress"][0]["destination"]["ports"] == [9090]


@pytest.mark.timeout(120)
def test_calico_policy_fails_cleanly_past_the_retry_budget(
        fault_proxy, k8s, namespace, run_module, audit, fast_clock):
    fault_proxy.add_fault(503, 7, method="POST", path_contains=NP % namespace)
    m = audit.mark()
    res = run_module("calico_policy", _np_params(fault_proxy, namespace), env=fast_clock.env)
    assert res.get("failed") and "HTTP 503" in res["msg"] and "NetworkPolicy %s/web" % namespace in res["msg"], res
    assert "Traceback" not in res["_stderr"]
    assert [s for mm, s in _np_log(fault_proxy, namespace) if mm == "POST"] == [503] * 6
    assert audit.writes(since=m, resource="networkpolicies", namespace=namespace) == []
    assert _np(k8s, namespace) is None
