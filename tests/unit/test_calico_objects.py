"""Calico objects: API choice, object shapes (v3 and CRD), read plan, diff, writes, purge,
check mode, against an in-memory API server."""
import copy

import pytest

from tests.fake_apiserver import FakeApiServer

from ansible_collections.hardened.eks.plugins.module_utils._k8s import K8sError
from ansible_collections.hardened.eks.plugins.module_utils.calico_objects import (
    API_V1,
    API_V3,
    CalicoApplyError,
    build_object,
    choose_api,
    ensure_calico_objects,
    merged_labels,
    read_plan,
)
from ansible_collections.hardened.eks.plugins.module_utils.calico_validate import (
    CalicoValidationError,
    MANAGED_LABEL,
    parse_label_selector,
    validate_items,
)

PLURALS = {"networkpolicies": "NetworkPolicy", "globalnetworkpolicies": "GlobalNetworkPolicy",
           "networksets": "NetworkSet", "globalnetworksets": "GlobalNetworkSet", "tiers": "Tier"}
V3_PATH = "/apis/projectcalico.org/v3"
V3_DISCOVERY = {"kind": "APIResourceList", "groupVersion": "projectcalico.org/v3",
                "resources": [{"name": p, "namespaced": p in ("networkpolicies", "networksets")} for p in PLURALS]}


def FakeApi(discovery=None, groups=(API_V1,)):  # noqa: N802 - reads as the API server it builds
    """The shared in-memory API server, serving Calico's CRDs (``groups``) and, when given, the
    discovery document of the v3 API."""
    return FakeApiServer(served=groups, discovery=None if discovery is None else {V3_PATH: discovery})


def pol(name, ns="app", selector="app == 'web'", port=80, **kw):
    item = {"kind": "NetworkPolicy", "name": name, "namespace": ns,
            "spec": {"selector": selector, "ingress": [{"action": "Allow", "protocol": "TCP",
                                                        "destination": {"ports": [port]}}]}}
    item.update(kw)
    return item


def run(api, items, **kw):
    kw.setdefault("requested_api", "auto")
    if "purge" in kw:
        kw["purge_reqs"] = parse_label_selector(kw.pop("purge"))
        kw.setdefault("purge_kinds", ("NetworkPolicy", "GlobalNetworkPolicy", "NetworkSet", "GlobalNetworkSet", "Tier"))
    api.calls = []
    return ensure_calico_objects(api, validate_items(items), **kw)


# API choice and shapes --------------------------------------------------------------------------
def test_choose_api_from_discovery():
    assert choose_api(None) == API_V1
    assert choose_api({"resources": []}) == API_V1
    assert choose_api({"resources": [{"name": "bgpconfigurations"}]}) == API_V1
    assert choose_api("garbage") == API_V1
    assert choose_api(V3_DISCOVERY) == API_V3


@pytest.mark.parametrize("api_version", [API_V3, API_V1])
def test_object_shape_is_the_same_spec_with_the_api_version(api_version):
    d = validate_items([pol("web", labels={"team": "shop"})])[0]
    body = build_object(api_version, d)
    assert body == {
        "apiVersion": api_version, "kind": "NetworkPolicy",
        "metadata": {"name": "web", "namespace": "app", "labels": {"team": "shop", MANAGED_LABEL: "calico_policy"}},
        "spec": {"selector": "app == 'web'", "tier": "default", "types": ["Ingress"],
                 "ingress": [{"action": "Allow", "protocol": "TCP", "destination": {"ports": [80]}}]},
    }
    gns = validate_items([{"kind": "GlobalNetworkSet", "name": "partners", "spec": {"nets": ["10.0.0.1"]}}])[0]
    body = build_object(api_version, gns)
    assert "namespace" not in body["metadata"] and body["spec"] == {"nets": ["10.0.0.1/32"]}


def test_update_keeps_other_metadata_and_merges_labels():
    d = validate_items([pol("web", labels={"team": "shop"})])[0]
    current = {"apiVersion": API_V1, "kind": "NetworkPolicy", "status": {"x": 1},
               "metadata": {"name": "web", "namespace": "app", "resourceVersion": "7", "uid": "u",
                            "annotations": {"note": "kept"}, "managedFields": [{}],
                            "labels": {"other": "kept", "team": "old", "projectcalico.org/tier": "default"}},
               "spec": {}}
    body = build_object(API_V1, d, current)
    assert body["metadata"]["resourceVersion"] == "7" and body["metadata"]["annotations"] == {"note": "kept"}
    assert "managedFields" not in body["metadata"] and "status" not in body
    assert body["metadata"]["labels"] == {"other": "kept", "team": "shop", "projectcalico.org/tier": "default",
                                          MANAGED_LABEL: "calico_policy"}
    assert merged_labels(current["metadata"]["labels"], {"team": "shop"}, purge_labels=True) == {
        "team": "shop", "projectcalico.org/tier": "default", MANAGED_LABEL: "calico_policy"}


def test_read_plan():
    items = validate_items([pol("a"), pol("b"), pol("c", ns="other"), {"kind": "Tier", "name": "t"},
                            {"kind": "NetworkSet", "name": "s", "namespace": "app"},
                            {"kind": "NetworkSet", "name": "s2", "namespace": "app"}])
    assert read_plan(items, ()) == [("Tier", None, "t", False), ("NetworkSet", "app", None, False),
                                    ("NetworkPolicy", None, None, False)]
    assert read_plan(items[:1], ()) == [("NetworkPolicy", "app", "a", False)]
    assert read_plan(items[:2], ()) == [("NetworkPolicy", "app", None, False)]
    assert read_plan(items[:1], ("NetworkPolicy", "GlobalNetworkSet")) == [
        ("GlobalNetworkSet", None, None, True), ("NetworkPolicy", None, None, False)]


# Converging -------------------------------------------------------------------------------------
def test_create_then_converged_rerun_reads_once_and_writes_nothing():
    api = FakeApi()
    items = [pol("p%d" % i, ns="ns%d" % (i % 3), port=1000 + i) for i in range(30)]
    changed, result = run(api, items)
    assert changed and len(result["created"]) == 30 and result["api_version"] == API_V1
    assert result["created"][0] == "NetworkPolicy ns0/p0"
    assert len(api.lists()) == 1 and len(api.writes()) == 30
    changed, result = run(api, items)
    assert not changed and result["unchanged"] == 30
    assert [c[0] for c in api.calls] == ["GET", "GET"]  # discovery + one cluster-wide LIST
    assert api.writes() == []


def test_v3_api_chosen_by_discovery_writes_v3_objects():
    api = FakeApi(discovery=V3_DISCOVERY, groups=(API_V3,))
    changed, result = run(api, [pol("web"), {"kind": "Tier", "name": "sec", "spec": {"order": 10}}])
    assert result["api_version"] == API_V3
    assert ("POST", "/apis/projectcalico.org/v3/namespaces/app/networkpolicies", {}) in api.calls
    obj = api.objects("networkpolicies", API_V3)[("app", "web")]
    assert obj["apiVersion"] == API_V3
    assert api.calls.index(("POST", "/apis/projectcalico.org/v3/tiers", {})) < api.calls.index(
        ("POST", "/apis/projectcalico.org/v3/namespaces/app/networkpolicies", {}))


def test_explicit_api_skips_discovery_and_v3_missing_resources_fail():
    api = FakeApi()
    run(api, [pol("web")], requested_api=API_V1)
    assert not any(c[1] == "/apis/projectcalico.org/v3" for c in api.calls)
    api = FakeApi(discovery={"resources": [{"name": "networkpolicies"}]}, groups=(API_V3,))
    with pytest.raises(K8sError, match="does not serve Tier"):
        run(api, [pol("web"), {"kind": "Tier", "name": "t"}])
    assert api.writes() == []


def test_crds_missing_is_a_clear_error():
    api = FakeApi(groups=())
    with pytest.raises(K8sError, match="is Calico installed"):
        run(api, [pol("a"), pol("b", ns="x")])


def test_spec_change_updates_with_resource_version_and_diff():
    api = FakeApi()
    run(api, [pol("web")])
    changed, result = run(api, [pol("web", port=443)], want_diff=True)
    assert changed and result["updated"] == ["NetworkPolicy app/web"]
    put = [c for c in api.calls if c[0] == "PUT"]
    assert len(put) == 1
    before = result["diff"]["before"]["NetworkPolicy app/web"]
    after = result["diff"]["after"]["NetworkPolicy app/web"]
    assert before["spec"]["ingress"][0]["destination"]["ports"] == [80]
    assert after["spec"]["ingress"][0]["destination"]["ports"] == [443]


def test_labels_merged_not_replaced_unless_asked():
    api = FakeApi()
    run(api, [pol("web", labels={"team": "shop"})])
    key = (API_V1, "networkpolicies", "app", "web")
    api.store[key]["metadata"]["labels"]["added-by"] = "someone"
    changed, _result = run(api, [pol("web", labels={"team": "shop"})])
    assert not changed
    changed, _result = run(api, [pol("web", labels={"team": "shop"})], purge_labels=True)
    assert changed and "added-by" not in api.store[key]["metadata"]["labels"]


def test_equivalent_spelling_on_the_cluster_is_not_a_change():
    api = FakeApi()
    api.put(API_V1, "networkpolicies", {
        "apiVersion": API_V1, "kind": "NetworkPolicy",
        "metadata": {"name": "web", "namespace": "app", "labels": {MANAGED_LABEL: "calico_policy"}},
        "spec": {"selector": "app == 'web'", "types": ["Ingress"], "tier": "default",
                 "ingress": [{"action": "Allow", "protocol": "TCP", "destination": {"ports": ["80"]}, "source": {}}]}})
    changed, _result = run(api, [pol("web")])
    assert not changed


def test_unmanaged_existing_object_is_taken_over():
    api = FakeApi()
    api.put(API_V1, "networkpolicies", {"metadata": {"name": "web", "namespace": "app"}, "spec": {}})
    changed, result = run(api, [pol("web")])
    assert result["updated"] == ["NetworkPolicy app/web"]
    assert api.objects("networkpolicies", API_V1)[("app", "web")]["metadata"]["labels"][MANAGED_LABEL] == "calico_policy"


# Purge ------------------------------------------------------------------------------------------
def test_purge_only_deletes_managed_matching_unlisted_objects():
    api = FakeApi()
    run(api, [pol("keep", labels={"part-of": "shop"}), pol("old", labels={"part-of": "shop"}),
              pol("other-app", labels={"part-of": "blog"}),
              {"kind": "GlobalNetworkSet", "name": "old-set", "labels": {"part-of": "shop"}}])
    api.put(API_V1, "networkpolicies", {"metadata": {"name": "hand-made", "namespace": "app",
                                                     "labels": {"part-of": "shop"}}, "spec": {}})
    changed, result = run(api, [pol("keep", labels={"part-of": "shop"})], purge="part-of=shop", want_diff=True)
    assert sorted(result["deleted"]) == ["GlobalNetworkSet old-set", "NetworkPolicy app/old"]
    assert set(api.objects("networkpolicies", API_V1)) == {("app", "keep"), ("app", "other-app"), ("app", "hand-made")}
    # Policies before sets, each with uid and resourceVersion preconditions.
    deletes = [c for c in api.calls if c[0] == "DELETE"]
    assert deletes[0][1].endswith("/networkpolicies/old") and deletes[1][1].endswith("/globalnetworksets/old-set")
    assert result["diff"]["after"]["NetworkPolicy app/old"] is None
    # One LIST per kind: the listed kind fully, the others filtered on the managed label.
    lists = api.lists()
    assert len(lists) == 5
    assert {c[2].get("labelSelector") for c in lists if "networkpolicies" not in c[1]} == {
        "%s=calico_policy" % MANAGED_LABEL}


def test_purge_rejudges_an_object_changed_since_it_was_read():
    api = FakeApi()
    run(api, [pol("old", labels={"part-of": "shop"})])

    def unlabel(method, key):
        if method == "DELETE" and key[3] == "old":
            obj = api.store[key]
            obj["metadata"]["labels"].pop(MANAGED_LABEL)
            api.put(key[0], key[1], obj)
    api.before_write = unlabel
    changed, result = run(api, [], purge="part-of=shop")
    assert not changed and result["deleted"] == []
    assert ("app", "old") in api.objects("networkpolicies", API_V1)


def test_state_absent_deletes_and_is_idempotent():
    api = FakeApi()
    run(api, [pol("web")])
    changed, result = run(api, [{"kind": "NetworkPolicy", "name": "web", "namespace": "app", "state": "absent"}])
    assert changed and result["deleted"] == ["NetworkPolicy app/web"]
    changed, _result = run(api, [{"kind": "NetworkPolicy", "name": "web", "namespace": "app", "state": "absent"}])
    assert not changed


# Check mode -------------------------------------------------------------------------------------
def test_check_mode_sends_dry_runs_only():
    api = FakeApi()
    run(api, [pol("old", labels={"p": "x"}), pol("web")])
    snapshot = copy.deepcopy(api.store)
    changed, result = run(api, [pol("web", port=8080), pol("new")], purge="p=x", check_mode=True, want_diff=True)
    assert changed and result["created"] == ["NetworkPolicy app/new"] and result["updated"] == ["NetworkPolicy app/web"]
    assert result["deleted"] == ["NetworkPolicy app/old"]
    assert api.store == snapshot
    assert api.writes() == [] and len(api.writes(include_dry_run=True)) == 3


def test_check_mode_without_server_dry_run_only_reads():
    api = FakeApi()
    changed, result = run(api, [pol("web")], check_mode=True, server_dry_run=False)
    assert changed and result["created"] == ["NetworkPolicy app/web"]
    assert all(c[0] == "GET" for c in api.calls)


# Failures, conflicts, RBAC ----------------------------------------------------------------------
def test_conflict_is_reread_and_reapplied():
    api = FakeApi()
    run(api, [pol("web")])
    key = (API_V1, "networkpolicies", "app", "web")
    bumped = []

    def race(method, k):
        if method == "PUT" and not bumped:
            bumped.append(1)
            obj = api.store[k]
            obj["metadata"]["labels"]["racer"] = "yes"
            api.put(k[0], k[1], obj)
    api.before_write = race
    changed, result = run(api, [pol("web", port=9090)])
    assert result["updated"] == ["NetworkPolicy app/web"]
    obj = api.store[key]
    assert obj["spec"]["ingress"][0]["destination"]["ports"] == [9090] and obj["metadata"]["labels"]["racer"] == "yes"


def test_failed_writes_are_all_reported_with_what_was_done():
    api = FakeApi()
    api.inject(422, "POST", "b", times=None)
    api.inject(404, "POST", "d", times=None)
    with pytest.raises(CalicoApplyError) as err:
        run(api, [pol("a"), pol("b"), pol("c"), pol("d")])
    assert len(err.value.failures) == 2
    assert err.value.failures[0].startswith("policies[1] (NetworkPolicy app/b): create: HTTP 422 injected")
    assert err.value.result["created"] == ["NetworkPolicy app/a", "NetworkPolicy app/c"]
    assert err.value.result["changed"] is True


def test_forbidden_cluster_list_falls_back_to_namespaces():
    api = FakeApi()
    api.forbid_cluster_list.add("networkpolicies")
    warnings = []
    changed, result = run(api, [pol("a", ns="n1"), pol("b", ns="n2")], warnings=warnings)
    assert len(result["created"]) == 2 and "forbidden" in warnings[0]
    assert [c[1] for c in api.lists()][-2:] == ["/apis/crd.projectcalico.org/v1/namespaces/n1/networkpolicies",
                                                "/apis/crd.projectcalico.org/v1/namespaces/n2/networkpolicies"]


# Tiers ------------------------------------------------------------------------------------------
def test_policy_in_missing_tier_is_refused_before_any_write():
    api = FakeApi()
    with pytest.raises(CalicoValidationError) as err:
        run(api, [pol("web"), pol("sec.web", spec={"tier": "sec"})])
    assert "policies[1] (NetworkPolicy app/sec.web): spec.tier: tier 'sec' does not exist" in err.value.problems[0]
    assert api.writes() == []
    changed, _result = run(api, [{"kind": "Tier", "name": "sec"}, pol("sec.web", spec={"tier": "sec"})])
    assert changed
    changed, _result = run(api, [pol("sec.web2", spec={"tier": "sec"})])  # the tier exists now
    assert changed


def test_tier_with_policies_cannot_be_deleted():
    api = FakeApi()
    run(api, [{"kind": "Tier", "name": "sec"}, pol("sec.web", spec={"tier": "sec"})])
    with pytest.raises(CalicoValidationError) as err:
        run(api, [{"kind": "Tier", "name": "sec", "state": "absent"}])
    assert "Tier sec: cannot be deleted while policies are in it (NetworkPolicy app/sec.web)" in err.value.problems[0]
    assert api.writes() == []
    changed, result = run(api, [{"kind": "Tier", "name": "sec", "state": "absent"},
                                {"kind": "NetworkPolicy", "name": "sec.web", "namespace": "app", "state": "absent"}])
    assert result["deleted"] == ["NetworkPolicy app/sec.web", "Tier sec"]


def test_many_conflicting_writers_still_land_and_endless_conflicts_give_up(monkeypatch):
    from ansible_collections.hardened.eks.plugins.module_utils import _k8s, calico_objects
    pauses = []
    monkeypatch.setattr(_k8s.time, "sleep", pauses.append)  # conflict_pause's clock
    api = FakeApi()
    run(api, [pol("web")])
    key = (API_V1, "networkpolicies", "app", "web")
    races = {"left": 7}

    def race(method, k):
        if method == "PUT" and races["left"]:
            races["left"] -= 1
            api.put(k[0], k[1], api.store[k])  # someone else wrote it meanwhile
    api.before_write = race
    changed, result = run(api, [pol("web", port=7070)])
    assert result["updated"] == ["NetworkPolicy app/web"] and len(pauses) == 7
    assert all(0 <= p <= 1.0 for p in pauses)
    assert api.store[key]["spec"]["ingress"][0]["destination"]["ports"] == [7070]

    races["left"] = 1000
    with pytest.raises(CalicoApplyError) as err:
        run(api, [pol("web", port=6060)])
    assert "gave up after %d conflicting concurrent updates" % calico_objects.CONFLICT_RETRIES in err.value.failures[0]
