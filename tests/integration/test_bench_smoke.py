"""`make bench` in miniature: benchmarks/run.py with its smoke profile (tiny sizes, one
repetition) against the sandbox, so the harness cannot rot between benchmark runs."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# scenario -> (module, baseline side, what the baseline is counted in)
SCENARIOS = {
    "aws_auth": ("aws_auth_mapping", "per_entry", "requests"),
    "calico": ("calico_policy", "loop", "requests"),
    "pod_roles": ("eks_pod_iam_role", "generic", "aws_calls"),
}


def _module_in_tree(name):
    return os.path.exists(os.path.join(ROOT, "plugins", "modules", name + ".py"))


def test_bench_smoke_produces_a_well_formed_result(sandbox, tmp_path):
    out = tmp_path / "bench.json"
    env = dict(sandbox.env, HARDENED_EKS_SANDBOX_DIR=sandbox.dir)  # the session's sandbox, whatever the shell says
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "run.py"), "--smoke", "--out", str(out)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=ROOT,
                          timeout=600, check=False)
    text = proc.stdout.decode("utf-8", "replace")
    assert proc.returncode == 0, text[-6000:]
    assert "scenario" in text and "goals:" in text

    res = json.loads(out.read_text())
    assert res["schema"] == 1 and res["profile"] == "smoke"
    assert res["machine"]["nproc"] >= 1 and res["versions"]["ansible-core"]

    for key, (module, baseline, metric) in SCENARIOS.items():
        sc = res["scenarios"][key]
        assert "error" not in sc, sc.get("error")
        base = sc["sides"][baseline]
        for phase in ("first", "rerun"):
            assert base["phases"][phase]["seconds"] > 0
        assert base["phases"]["first"][metric] > 0, (key, base)
        ours = sc["sides"]["ours"]
        if not _module_in_tree(module):
            assert "not in this tree" in ours["skipped"]
            continue
        assert not ours.get("skipped"), ours
        assert ours["phases"]["first"]["seconds"] > 0 and ours["phases"]["rerun"]["seconds"] > 0
        assert ours["phases"]["first"][metric] > 0 and ours["phases"]["rerun"][metric] > 0, (key, ours)
        assert ours["phases"]["first"]["changed"] > 0, (key, "the first run must change something")
        assert ours["phases"]["rerun"]["changed"] == 0, (key, "the re-run must be converged")
        assert base["phases"]["rerun"]["changed"] == 0, (key, "the baseline re-run must be converged")
        rows = [c for c in sc["comparisons"] if c["baseline"] == baseline]
        assert {(c["phase"], c["metric"]) for c in rows} >= {("first", "seconds"), ("rerun", "seconds")}
        assert all(c["ratio"] is not None and c["ratio"] > 0 for c in rows)

    # the per-entry and loop baselines are measured on a slice and scaled: that path runs too
    per_entry = res["scenarios"]["aws_auth"]["sides"]["per_entry"]
    assert per_entry["extrapolated"] and per_entry["measured_items"] < per_entry["items"]
    assert per_entry["phases"]["first"]["seconds"] > per_entry["phases"]["first"]["seconds_measured"]

    site = res["scenarios"]["site"]["sides"]["ours"]
    assert site["phases"]["rerun"]["requests"] > 0 and site["phases"]["rerun"]["aws_calls"] > 0
    assert site["phases"]["rerun"]["changed"] == 0
    assert site["profile"] and all(t["seconds"] >= 0 for t in site["profile"])

    for name, curve in res["scenarios"]["growth"]["curves"].items():
        if curve.get("skipped"):
            assert "not in this tree" in curve["skipped"]
            continue
        assert curve["points"], name
        for point in curve["points"]:
            assert "error" not in point, point
            assert point["rerun"]["seconds"] > 0 and point["rerun"]["maxrss_mb"] > 10
