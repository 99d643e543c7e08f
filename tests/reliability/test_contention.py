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
    rewriter = start_rewriter(sandbox.kubeconfig, namespace, "aws-auth", "unrelated", stop_file, out_file,
                              interval=interval)
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
    module_updates = [e for e in evs if e["verb"] == "update"]
    conflicts = [e for e in module_updates if e["responseStatus"]["code"] == 409]
    accepted = [e for e in module_updates if e["responseStatus"]["code"] == 200]
    assert len(accepted) == len(ok_writers)  # one accepted write per successful writer, none else
    secs = list(durations.values())
    total = len(sets["mapRoles"] - {NODE}) + len(sets["mapUsers"]) + len(sets["mapAccounts"])
    figures = {
        "writers": WRITERS, "writers_ok": len(ok_writers), "entries": total, "wall_s": round(elapsed, 1),
        "run_s_median": round(statistics.median(secs), 1), "run_s_p95": round(percentile(secs, 0.95), 1),
        "run_s_max": round(max(secs), 1), "conflicts_409": len(conflicts),
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
def test_aws_auth_twenty_writers_and_a_paced_rewriter_lose_nothing(sandbox, namespace, k8s, run_module, audit,
                                                                  tmp_path, record_property):
    """The rewriter writes every 100 ms (about 6-8 writes/s with its own round trips)."""
    results, figures = _contend(sandbox, namespace, k8s, run_module, audit, tmp_path, 0.1)
    _record(record_property, "contention_paced", figures)
    failed = [r for r in results if r.get("failed")]
    assert not failed, "%d of %d writers failed: %s" % (len(failed), WRITERS, sorted(set(r["msg"] for r in failed)))
    assert figures["entries"] == WRITERS * PER_WRITER


@pytest.mark.timeout(240)
def test_aws_auth_twenty_writers_and_a_hot_rewriter_lose_nothing(sandbox, namespace, k8s, run_module, audit,
                                                                tmp_path, record_property):
    """The rewriter writes as fast as the API server takes it (no pause). Nothing may be lost or
    half-written whatever happens (checked in _contend); and every writer should still land its
    entries: a bounded number of conflict retries is not enough while another writer keeps
    going, a time budget with growing backoff is."""
    results, figures = _contend(sandbox, namespace, k8s, run_module, audit, tmp_path, 0.0)
    _record(record_property, "contention_hot", figures)
    failed = [r for r in results if r.get("failed")]
    assert not failed, "%d of %d writers failed: %s" % (len(failed), WRITERS, sorted(set(r["msg"] for r in failed)))
    assert figures["entries"] == WRITERS * PER_WRITER
