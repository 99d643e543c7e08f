"""Scenario 1 - contention: many writers at once lose nothing.

20 module processes run ``aws_auth_mapping`` at the same time, each adding 10 entries (6 roles,
3 users, 1 account), while another process keeps rewriting an unrelated key of the same
ConfigMap. Every one of the 200 entries and the unrelated key's last accepted value must be
there at the end, and the node role's entry untouched. The ConfigMap is a scratch copy of aws-auth
in a test namespace (options ``namespace``/``name``); the shared kube-system/aws-auth is not used.
"""
import concurrent.futures
import statistics
import time

import pytest
from kubernetes import client

from tests.reliability._helpers import (NODE, NODE_TEXT, arn, entry_sets, percentile, start_rewriter,
                                        stop_rewriter)

WRITERS = 20
PER_WRITER = 10  # 6 roles + 3 users + 1 account


def _params(ns, i):
    return {
        "namespace": ns,
        "name": "aws-auth",
        "roles": [{"arn": arn("c%02d-r%d" % (i, j)), "username": "c%02d-r%d:{{SessionName}}" % (i, j),
                   "groups": ["team-%02d" % i]} for j in range(6)],
        "users": [{"arn": arn("c%02d-u%d" % (i, j), "user"), "username": "c%02d-u%d" % (i, j),
                   "groups": ["team-%02d" % i, "viewers"]} for j in range(3)],
        "accounts": ["%012d" % (200000000000 + i)],
    }


def _writer_entries(i):
    return ({arn("c%02d-r%d" % (i, j)) for j in range(6)}, {arn("c%02d-u%d" % (i, j), "user") for j in range(3)},
            {"%012d" % (200000000000 + i)})


def _contend(sandbox, namespace, k8s, run_module, audit, tmp_path, interval):
    """Run the writers against a rewriter that pauses ``interval`` s between writes. Checks the
    invariants that must hold whatever happens (a writer's 10 entries are all there or none,
    every other key and the node entry kept, the rewriter's last value there); returns
    (results, figures)."""
    core = client.CoreV1Api(k8s)
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "aws-auth"},
                                                  "data": {"mapRoles": NODE_TEXT, "unrelated": "v0"}})
    stop_file, out_file = str(tmp_path / "stop"), str(tmp_path / "rewriter.json")
    rewriter = start_rewriter(sandbox.kubeconfig, {"kind": "configmap", "namespace": namespace, "name": "aws-auth",
                                                   "key": "unrelated"}, stop_file, out_file, interval=interval)
    time.sleep(1.0)  # the rewriter is writing before the writers start
    durations = {}

    def one(i):
        t0 = time.time()
        res = run_module("aws_auth_mapping", _params(namespace, i), timeout=180)
        durations[i] = time.time() - t0
        return res

    m = audit.mark()
    t0 = time.time()
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=WRITERS) as pool:  # each run is a process
            results = list(pool.map(one, range(WRITERS)))
    finally:
        rewriter_stats = stop_rewriter(rewriter, stop_file, out_file)
    elapsed = time.time() - t0

    data = core.read_namespaced_config_map("aws-auth", namespace).data
    sets = entry_sets(data)
    ok_writers = [i for i, r in enumerate(results) if not r.get("failed")]
    for i, res in enumerate(results):
        roles, users, accounts = _writer_entries(i)
        present = (roles <= sets["mapRoles"], users <= sets["mapUsers"], accounts <= sets["mapAccounts"])
        absent = (not roles & sets["mapRoles"], not users & sets["mapUsers"], not accounts & sets["mapAccounts"])
        if res.get("failed"):
            assert all(absent), "writer %d failed (%s) but some of its entries were written" % (i, res.get("msg"))
            assert "conflicting concurrent updates" in res["msg"], res["msg"]
        else:
            assert res["changed"] and all(present), "writer %d succeeded but lost entries" % i
    want = {"mapRoles": {NODE}, "mapUsers": set(), "mapAccounts": set()}
    for i in ok_writers:
        roles, users, accounts = _writer_entries(i)
        want["mapRoles"] |= roles
        want["mapUsers"] |= users
        want["mapAccounts"] |= accounts
    assert sets == want  # nothing else appeared, nothing vanished
    assert data["mapRoles"].startswith(NODE_TEXT)  # the node entry is untouched, still first
    assert rewriter_stats["last"] is not None and data["unrelated"] == rewriter_stats["last"]

    evs = audit.events(since=m, resource="configmaps", namespace=namespace, name="aws-auth")
    # the modules write with a JSON patch that tests the keys they change: a failed test (422) is
    # their conflict; the rewriter's merge patches (its own User-Agent) never make them conflict
    module_updates = [e for e in evs if e["verb"] in ("update", "patch")
                      and "test-rewriter" not in e.get("userAgent", "")]
    conflicts = [e for e in module_updates if e["responseStatus"]["code"] in (409, 422)]
    accepted = [e for e in module_updates if e["responseStatus"]["code"] == 200]
    assert len(accepted) == len(ok_writers)  # one accepted write per successful writer, none else
    secs = list(durations.values())
    total = len(sets["mapRoles"] - {NODE}) + len(sets["mapUsers"]) + len(sets["mapAccounts"])
    figures = {
        "writers": WRITERS, "writers_ok": len(ok_writers), "entries": total, "wall_s": round(elapsed, 1),
        "run_s_median": round(statistics.median(secs), 1), "run_s_p95": round(percentile(secs, 0.95), 1),
        "run_s_max": round(max(secs), 1), "conflicts": len(conflicts),
        "rewriter_writes": rewriter_stats["writes"],
        "rewriter_writes_per_s": round(rewriter_stats["writes"] / max(rewriter_stats["seconds"], 0.001), 1),
        "rewriter_errors": rewriter_stats["errors"],
    }
    print("\n[reliability] aws_auth_mapping contention (rewriter pause %ss): %s" % (interval, figures))
    return results, figures


def _record(record_property, prefix, figures):
    for k, v in figures.items():
        record_property("%s_%s" % (prefix, k), v)


@pytest.mark.timeout(240)
def test_aws_auth_twenty_writers_and_a_paced_rewriter_lose_nothing(
        sandbox, namespace, k8s, run_module, audit, tmp_path, record_property):
    """The rewriter writes every 100 ms (about 6-8 writes/s with its own round trips)."""
    results, figures = _contend(sandbox, namespace, k8s, run_module, audit, tmp_path, 0.1)
    _record(record_property, "contention_paced", figures)
    failed = [r for r in results if r.get("failed")]
    assert not failed, "%d of %d writers failed: %s" % (len(failed), WRITERS, sorted(set(r["msg"] for r in failed)))
    assert figures["entries"] == WRITERS * PER_WRITER


@pytest.mark.timeout(240)
def test_aws_auth_twenty_writers_and_a_hot_rewriter_lose_nothing(
        sandbox, namespace, k8s, run_module, audit, tmp_path, record_property):
    """The rewriter writes as fast as the API server takes it (no pause). Nothing may be lost or
    half-written whatever happens (checked in _contend); and every writer should still land its
    entries: a bounded number of conflict retries is not enough while another writer keeps
    going unless the writes never conflict with it: they patch only the keys they change."""
    results, figures = _contend(sandbox, namespace, k8s, run_module, audit, tmp_path, 0.0)
    _record(record_property, "contention_hot", figures)
    failed = [r for r in results if r.get("failed")]
    assert not failed, "%d of %d writers failed: %s" % (len(failed), WRITERS, sorted(set(r["msg"] for r in failed)))
    assert figures["entries"] == WRITERS * PER_WRITER


# ---------------------------------------------------------------------------------------------
# calico_policy: 20 batches touching the same three namespaces
# ---------------------------------------------------------------------------------------------
CALICO_GROUP, CALICO_VERSION = "crd.projectcalico.org", "v1"


def _calico_batch(namespaces, i, gnp_name):
    policies = []
    for ns in namespaces:  # one policy of its own in every namespace
        policies.append({"kind": "NetworkPolicy", "name": "w%02d" % i, "namespace": ns, "spec": {
            "order": 100 + i, "selector": "app == 'w%02d'" % i, "types": ["Ingress"],
            "ingress": [{"action": "Allow", "protocol": "TCP",
                         "source": {"selector": "role == 'client-%02d'" % i}, "destination": {"ports": [8000 + i]}}]}})
    # a network set shared by every batch: each adds its own label (labels are merged)
    policies.append({"kind": "NetworkSet", "name": "shared", "namespace": namespaces[0],
                     "labels": {"writer-%02d" % i: "yes"}, "spec": {"nets": ["10.0.0.0/8"]}})
    # the same policy in every batch: written once, then converged
    policies.append({"kind": "GlobalNetworkPolicy", "name": gnp_name, "spec": {
        "order": 10, "namespaceSelector": "kubernetes.io/metadata.name in {%s}"
                                          % ", ".join("'%s'" % n for n in namespaces),
        "types": ["Egress"], "egress": [{"action": "Allow", "protocol": "UDP", "destination": {"ports": [53]}}]}})
    return policies


@pytest.fixture
def three_namespaces(k8s, uid):
    core = client.CoreV1Api(k8s)
    names = ["cc-%s-%d" % (uid, i) for i in range(3)]
    for n in names:
        core.create_namespace({"metadata": {"name": n}})
    yield names
    for n in names:
        try:
            core.delete_namespace(n)
        except Exception:  # noqa: BLE001 - cleanup only
            pass


@pytest.mark.timeout(240)
def test_calico_twenty_batches_on_overlapping_namespaces_lose_nothing(
        sandbox, k8s, three_namespaces, run_module, audit, uid, tmp_path, record_property):
    custom = client.CustomObjectsApi(k8s)
    ns0 = three_namespaces[0]
    gnp = "cc-%s-dns" % uid
    # the shared network set exists first, so the rewriter has something to rewrite
    first = run_module("calico_policy", {"policies": [p for p in _calico_batch(three_namespaces, 99, gnp)
                                                      if p["kind"] == "NetworkSet"]})
    assert not first.get("failed"), first.get("msg")
    stop_file, out_file = str(tmp_path / "stop"), str(tmp_path / "rewriter.json")
    rewriter = start_rewriter(sandbox.kubeconfig, {
        "kind": "custom", "group": CALICO_GROUP, "version": CALICO_VERSION, "plural": "networksets",
        "namespace": ns0, "name": "shared", "annotation": "example.com/rewritten"}, stop_file, out_file, interval=0.1)
    time.sleep(1.0)
    durations = {}

    def one(i):
        t0 = time.time()
        res = run_module("calico_policy", {"policies": _calico_batch(three_namespaces, i, gnp)}, timeout=180)
        durations[i] = time.time() - t0
        return res

    m = audit.mark()
    t0 = time.time()
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=WRITERS) as pool:
            results = list(pool.map(one, range(WRITERS)))
    finally:
        rewriter_stats = stop_rewriter(rewriter, stop_file, out_file)
    elapsed = time.time() - t0
    ok = [i for i, r in enumerate(results) if not r.get("failed")]
    failed = [r for r in results if r.get("failed")]

    # Invariants, whatever failed: every batch's own policies are there (they conflict with
    # nobody), the labels of every successful batch are on the shared set, the rewriter's last
    # value too, and the shared global policy exists once.
    for ns in three_namespaces:
        names = {o["metadata"]["name"] for o in custom.list_namespaced_custom_object(
            CALICO_GROUP, CALICO_VERSION, ns, "networkpolicies")["items"]}
        assert names == {"w%02d" % i for i in range(WRITERS)}, ns
    shared = custom.get_namespaced_custom_object(CALICO_GROUP, CALICO_VERSION, ns0, "networksets", "shared")
    labels = shared["metadata"].get("labels") or {}
    lost = sorted({"writer-%02d" % i for i in ok} - set(labels))
    assert not lost, "labels of successful batches lost to concurrent writers: %s" % lost
    assert labels.get("writer-99") == "yes"
    assert (shared["metadata"].get("annotations") or {}).get("example.com/rewritten") == rewriter_stats["last"]
    gnps = [o for o in custom.list_cluster_custom_object(CALICO_GROUP, CALICO_VERSION, "globalnetworkpolicies")["items"]
            if o["metadata"]["name"] == gnp]
    assert len(gnps) == 1
    custom.delete_cluster_custom_object(CALICO_GROUP, CALICO_VERSION, "globalnetworkpolicies", gnp)
    for r in failed:  # a failure names the object and says why; nothing else of the batch failed
        assert r.get("failures") and all("NetworkSet %s/shared" % ns0 in f for f in r["failures"]), r["msg"]

    evs = [e for e in audit.events(since=m, verbs=["create", "update"])
           if (e.get("objectRef") or {}).get("apiGroup") == CALICO_GROUP
           and ((e.get("objectRef") or {}).get("namespace") in three_namespaces
                or (e.get("objectRef") or {}).get("name") == gnp)]
    conflicts = [e for e in evs if e["responseStatus"]["code"] == 409]
    secs = list(durations.values())
    figures = {"batches": WRITERS, "batches_ok": len(ok), "objects_per_batch": 5, "wall_s": round(elapsed, 1),
               "run_s_median": round(statistics.median(secs), 1), "run_s_max": round(max(secs), 1),
               "writes_accepted": len([e for e in evs if e["responseStatus"]["code"] in (200, 201)]),
               "conflicts_409": len(conflicts), "rewriter_writes": rewriter_stats["writes"]}
    _record(record_property, "contention_calico", figures)
    print("\n[reliability] calico_policy contention: %s" % figures)
    # and every batch should have landed: a conflict budget of 5 immediate re-reads is not enough
    # for 20 writers of one object
    assert not failed, "%d of %d batches failed: %s" % (len(failed), WRITERS, sorted(set(r["msg"] for r in failed)))
    assert set(labels) >= {"writer-%02d" % i for i in range(WRITERS)}
