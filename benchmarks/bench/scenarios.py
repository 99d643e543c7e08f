# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The scenarios: aws-auth, Calico, pod roles, the whole site, and the growth curves (with
their fit), each measured for hardened.eks and for the generic-module baseline.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import atexit
import collections
import os
import re
import tempfile

from tests.integration.fixtures import AwsRequests

from benchmarks.bench.data import aws_auth_entries
from benchmarks.bench.data import calico_definitions
from benchmarks.bench.data import calico_events
from benchmarks.bench.data import calico_policies
from benchmarks.bench.data import inline_doc
from benchmarks.bench.data import max_lists_per_kind_namespace
from benchmarks.bench.data import on_object
from benchmarks.bench.data import pod_role
from benchmarks.bench.data import to_ours_roles
from benchmarks.bench.data import writes
from benchmarks.bench.harness import ACCOUNT
from benchmarks.bench.harness import BenchError
from benchmarks.bench.harness import NODE_ENTRY
from benchmarks.bench.harness import NODE_ROLE_ARN
from benchmarks.bench.harness import ROOT
from benchmarks.bench.harness import log
from benchmarks.bench.harness import median
from benchmarks.bench.harness import module_exists
from benchmarks.bench.harness import parse_profile
from benchmarks.bench.records import Side
from benchmarks.bench.records import compare
from benchmarks.bench.records import goal
from benchmarks.bench.records import ratio
from benchmarks.bench.records import value


def scenario_aws_auth(b, p):
    n = p["aws_auth_entries"]
    k = min(p["aws_auth_per_entry_measured"], n)
    reps = p["reps"]
    ns = b.namespace("aa")
    entries = aws_auth_entries(n)
    ours_roles = to_ours_roles(entries)
    sides = {
        "ours": Side("ours", "hardened.eks.aws_auth_mapping, one task", n,
                     skipped=None if module_exists("aws_auth_mapping") else "module not in this tree"),
        "per_entry": Side("per_entry", "k8s_info + k8s per entry (eksctl-style)", n, measured=k),
        "generic_merge": Side("generic_merge", "k8s_info + Jinja merge + k8s", n,
                              skipped=None if p["secondary_baselines"] else "not in this profile"),
    }
    mid = (n - k) // 2  # the per-entry slice is measured where the map holds half the entries
    per_entry_slice = entries[mid:mid + k]
    if sides["per_entry"].extrapolated:
        sides["per_entry"].notes.append(
            "measured %d entries and scaled to %d: the first run adds entries %d-%d to a map that already "
            "holds %d (the mid-point of a 0..%d build, so the average map size), the re-run re-applies them "
            "to the full %d-entry map" % (k, n, mid + 1, mid + k, mid, n, n))
        for rep in range(reps if p["measure_fixed"] else 0):
            cm = b.seed_configmap(ns, "per-entry-empty-%d" % rep, [NODE_ENTRY])
            run = b.playbook("aws_auth_per_entry.yml", {"bench_namespace": ns, "bench_configmap": cm,
                                                        "bench_map_roles": []}, "aa-per-entry-fixed")
            sides["per_entry"].add_fixed(run.seconds, len(on_object(run.k8s, "configmaps", cm)))

    def record(side, phase, run, cm):
        obj = on_object(run.k8s, "configmaps", cm, ns)
        side.add(phase, seconds=run.seconds, requests=len(obj), writes=len(writes(obj)),
                 requests_total=len(run.k8s), changed=run.changed)

    for rep in range(reps):
        log("aws_auth: repetition %d/%d (%d entries)" % (rep + 1, reps, n))
        if not sides["ours"].skipped:
            cm = b.seed_configmap(ns, "ours-%d" % rep, [NODE_ENTRY])
            pv = {"bench_namespace": ns, "bench_configmap": cm, "bench_roles": ours_roles}
            record(sides["ours"], "first", b.playbook("aws_auth_ours.yml", pv, "aa-ours-first"), cm)
            record(sides["ours"], "rerun", b.playbook("aws_auth_ours.yml", pv, "aa-ours-rerun"), cm)
            check_map(b, ns, cm, entries, "ours")
        if not sides["generic_merge"].skipped:
            cm = b.seed_configmap(ns, "merge-%d" % rep, [NODE_ENTRY])
            pv = {"bench_namespace": ns, "bench_configmap": cm, "bench_map_roles": entries}
            record(sides["generic_merge"], "first", b.playbook("aws_auth_generic_merge.yml", pv, "aa-merge-first"), cm)
            record(sides["generic_merge"], "rerun", b.playbook("aws_auth_generic_merge.yml", pv, "aa-merge-rerun"), cm)
            check_map(b, ns, cm, entries, "generic_merge")
        cm = b.seed_configmap(ns, "per-entry-%d" % rep, [NODE_ENTRY] + entries[:mid])
        pv = {"bench_namespace": ns, "bench_configmap": cm, "bench_map_roles": per_entry_slice}
        record(sides["per_entry"], "first", b.playbook("aws_auth_per_entry.yml", pv, "aa-per-entry-first"), cm)
        check_map(b, ns, cm, entries[:mid + k], "per_entry")
        if k < n:  # the converged state: every entry is in the map
            b.seed_configmap(ns, cm, [NODE_ENTRY] + entries)
        record(sides["per_entry"], "rerun", b.playbook("aws_auth_per_entry.yml", pv, "aa-per-entry-rerun"), cm)

    summaries = {key: s.summary() for key, s in sides.items()}
    rows = compare("aws_auth", summaries, ["per_entry", "generic_merge"])
    ours = summaries["ours"]
    goals = []
    if not ours.get("skipped"):
        req = max(value(ours, "first", "requests") or 0, value(ours, "rerun", "requests") or 0)
        goals.append(goal("aws-auth %d entries: <= 2 requests on the ConfigMap per run (first and re-run)" % n,
                          "first %s, re-run %s" % (value(ours, "first", "requests"), value(ours, "rerun", "requests")),
                          req <= 2))
        r = ratio(value(ours, "rerun", "seconds"), value(summaries["per_entry"], "rerun", "seconds"))
        goals.append(goal("aws-auth %d entries: converged re-run >= 20x faster than the per-entry baseline" % n,
                          "%.1fx" % r if r else None, r is not None and r >= 20))
    return {"title": "aws-auth: %d role mappings" % n, "items": n, "sides": summaries, "comparisons": rows,
            "goals": goals}


def check_map(b, ns, cm, expected, side):
    have = {e.get("rolearn") for e in b.read_map_roles(ns, cm)}
    missing = [e["rolearn"] for e in expected if e["rolearn"] not in have]
    if missing or NODE_ROLE_ARN not in have:
        raise BenchError("%s: ConfigMap %s/%s lacks %d expected entries (e.g. %s) or the node role"
                         % (side, ns, cm, len(missing), missing[:3]))


def scenario_calico(b, p):
    n = p["calico_policies"]
    nns = p["calico_namespaces"]
    k = min(p["calico_loop_measured"], n)
    reps = p["reps"]
    sides = {
        "ours": Side("ours", "hardened.eks.calico_policy, one batch task", n,
                     skipped=None if module_exists("calico_policy") else "module not in this tree"),
        "loop": Side("loop", "kubernetes.core.k8s in a loop", n, measured=k),
        "generic_batch": Side("generic_batch", "kubernetes.core.k8s, list definition", n,
                              skipped=None if p["secondary_baselines"] else "not in this profile"),
    }
    if sides["loop"].extrapolated:
        sides["loop"].notes.append("measured %d of %d policies (spread over the %d namespaces) and scaled: "
                                   "the loop's cost per item does not depend on the item" % (k, n, nns))
        for rep in range(reps if p["measure_fixed"] else 0):
            run = b.playbook("calico_loop.yml", {"bench_definitions": []}, "cal-loop-fixed")
            sides["loop"].add_fixed(run.seconds, len(calico_events(run.k8s)))

    def record(side, phase, run, namespaces):
        ev = calico_events(run.k8s, namespaces)
        side.add(phase, seconds=run.seconds, requests=len(ev), writes=len(writes(ev)),
                 requests_total=len(run.k8s), max_lists_per_kind_namespace=max_lists_per_kind_namespace(ev),
                 changed=run.changed)

    def verify(namespaces, expected, side):
        got = sum(b.count_calico(ns) for ns in namespaces)
        if got != expected:
            raise BenchError("calico %s: %d NetworkPolicy objects in %s, expected %d" % (side, got, namespaces, expected))

    for rep in range(reps):
        log("calico: repetition %d/%d (%d policies in %d namespaces)" % (rep + 1, reps, n, nns))
        if not sides["ours"].skipped:
            nss = [b.namespace("c%d-o-%d" % (rep, i)) for i in range(nns)]
            pv = {"bench_policies": calico_policies(n, nss)}
            record(sides["ours"], "first", b.playbook("calico_ours.yml", pv, "cal-ours-first"), nss)
            record(sides["ours"], "rerun", b.playbook("calico_ours.yml", pv, "cal-ours-rerun"), nss)
            verify(nss, n, "ours")
        nss = [b.namespace("c%d-l-%d" % (rep, i)) for i in range(nns)]
        pv = {"bench_definitions": calico_definitions(calico_policies(n, nss)[:k])}
        record(sides["loop"], "first", b.playbook("calico_loop.yml", pv, "cal-loop-first"), nss)
        record(sides["loop"], "rerun", b.playbook("calico_loop.yml", pv, "cal-loop-rerun"), nss)
        verify(nss, k, "loop")
        if not sides["generic_batch"].skipped:
            nss = [b.namespace("c%d-b-%d" % (rep, i)) for i in range(nns)]
            pv = {"bench_definitions": calico_definitions(calico_policies(n, nss))}
            record(sides["generic_batch"], "first", b.playbook("calico_generic_batch.yml", pv, "cal-batch-first"), nss)
            record(sides["generic_batch"], "rerun", b.playbook("calico_generic_batch.yml", pv, "cal-batch-rerun"), nss)
            verify(nss, n, "generic_batch")

    summaries = {key: s.summary() for key, s in sides.items()}
    rows = compare("calico", summaries, ["loop", "generic_batch"])
    ours = summaries["ours"]
    goals = []
    if not ours.get("skipped"):
        lists = value(ours, "rerun", "max_lists_per_kind_namespace")
        goals.append(goal("Calico %d policies: <= 1 list request per kind and namespace on a converged run" % n,
                          "max %s list(s) per kind and namespace" % lists, lists is not None and lists <= 1))
        for phase in ("first", "rerun"):
            r = ratio(value(ours, phase, "seconds"), value(summaries["loop"], phase, "seconds"))
            goals.append(goal("Calico %d policies: >= 10x faster than the k8s loop (%s)" % (
                n, "first run" if phase == "first" else "converged re-run"),
                "%.1fx" % r if r else None, r is not None and r >= 10))
    return {"title": "Calico: %d NetworkPolicies in %d namespaces" % (n, nns), "items": n, "sides": summaries,
            "comparisons": rows, "goals": goals}


def scenario_pod_roles(b, p):
    n = p["pod_roles"]
    k = min(p["pod_roles_measured"], n)
    reps = p["reps"]
    # Ours is one batch task: its cost does not grow by a fixed amount per role, so it runs all n
    # roles. The baseline is one loop item per role and may be measured on k of them and scaled.
    sides = {
        "ours": Side("ours", "hardened.eks.eks_pod_iam_role, one task (roles:, 4 at a time)", n,
                     skipped=None if module_exists("eks_pod_iam_role") else "module not in this tree"),
        "generic": Side("generic", "amazon.aws.iam_role + iam_policy in loops", n, measured=k),
    }
    books = {"ours": "pod_roles_ours.yml", "generic": "pod_roles_generic.yml"}
    if k < n:
        sides["generic"].notes.append("measured %d of %d roles and scaled: one loop item per role, whose cost "
                                      "does not depend on the number of roles" % (k, n))
        for rep in range(reps if p["measure_fixed"] else 0):
            run = b.playbook(books["generic"], {"bench_pod_roles": []}, "pr-generic-fixed")
            sides["generic"].add_fixed(run.seconds, 0, len(run.aws))

    def record(side, phase, run):
        count = side.measured
        actions = collections.Counter(r.get("action") for r in run.aws)
        side.add(phase, seconds=run.seconds, aws_calls=len(run.aws),
                 aws_calls_per_role=round(len(run.aws) / float(count), 2), changed=run.changed,
                 aws_actions_per_role={a: round(c / float(count), 2) for a, c in sorted(actions.items())})

    for rep in range(reps):
        for key, side in sides.items():
            if side.skipped:
                continue
            log("pod_roles: repetition %d/%d, %s (%d roles)" % (rep + 1, reps, key, side.measured))
            names = ["hb-%s-%s%d-%03d" % (b.run_id, key[0], rep, i) for i in range(side.measured)]
            b.roles.extend(names)
            roles = [pod_role(name, [NODE_ROLE_ARN], {"s3-read": inline_doc(i)})[key] for i, name in enumerate(names)]
            pv = {"bench_pod_roles": roles}
            record(side, "first", b.playbook(books[key], pv, "pr-%s-first" % key))
            record(side, "rerun", b.playbook(books[key], pv, "pr-%s-rerun" % key))
            verify_roles(b, names, key)
            if key == "ours":  # the batch's module process alone, converged: its peak memory
                run = b.module("eks_pod_iam_role", {"roles": roles}, "pr-ours-rss")
                side.add("module", seconds=run.seconds, max_rss_mb=round(run.maxrss_kb / 1024.0, 1))

    summaries = {key: s.summary() for key, s in sides.items()}
    rows = compare("pod_roles", summaries, ["generic"], metrics=("seconds", "aws_calls"))
    ours = summaries["ours"]
    goals = []
    if not ours.get("skipped"):
        o = value(ours, "rerun", "aws_calls_per_role")
        goals.append(goal("Pod roles: converged re-run uses no more than 4 AWS calls per role (as before the batch)",
                          "%s calls per role" % o, o is not None and o <= 4))
        for phase, needed in (("rerun", 10), ("first", 5)):
            r = ratio(value(ours, phase, "seconds"), value(summaries["generic"], phase, "seconds"))
            goals.append(goal("Pod roles: %s >= %dx faster than the amazon.aws loop"
                              % ("converged re-run" if phase == "rerun" else "first run", needed),
                              "%.1fx" % r if r else None, r is not None and r >= needed))
        rss = value(ours, "module", "max_rss_mb")
        goals.append(goal("Pod roles: the module process stays under 150 MB RSS at %d roles" % n,
                          "%s MB" % rss, rss is not None and rss < 150))
    return {"title": "Pod IAM roles: %d roles (kube2iam trust, 1 managed + 1 inline policy)" % n, "items": n,
            "sides": summaries, "comparisons": rows, "goals": goals}


def verify_roles(b, names, side):
    for name in (names[0], names[-1]):
        try:
            b.iam.get_role(RoleName=name)
            pols = b.iam.list_role_policies(RoleName=name)["PolicyNames"]
        except Exception as exc:  # noqa: BLE001
            raise BenchError("pod_roles %s: role %s not readable after the run: %s" % (side, name, exc))
        if not pols:
            raise BenchError("pod_roles %s: role %s has no inline policy after the run" % (side, name))


def scenario_site(b, p):
    playbook = os.path.join(ROOT, p["site_playbook"])
    inventory = os.path.join(ROOT, p["site_inventory"]) if p["site_inventory"] else None
    title = "site.yml converged re-run (%s)" % (p["site_inventory"] or "localhost stand-in")
    side = Side("ours", os.path.relpath(playbook, ROOT), 1)
    extra_args = []
    if not os.path.exists(playbook):
        side.skipped = "%s not in this tree" % p["site_playbook"]
    else:
        with open(playbook) as fh:
            text = fh.read()
        roles = re.findall(r"role:\s*hardened\.eks\.(\w+)", text)
        missing = [r for r in roles if not role_runnable(r)]
        present = [r for r in roles if r not in missing]
        if missing and not present:
            side.skipped = "roles not in this tree yet: %s" % ", ".join(missing)
        elif missing:  # the layers that exist: a copy of the playbook without the missing roles
            playbook = partial_playbook(playbook, missing)
            title += " - PARTIAL: %s (without %s: role or a module it uses not in the tree yet)" % (
                ", ".join(present), ", ".join(missing))
            side.notes.append("partial: %s without the roles %s" % (p["site_playbook"], ", ".join(missing)))
    profile_env = {"ANSIBLE_CALLBACKS_ENABLED": "ansible.posix.profile_tasks",
                   "PROFILE_TASKS_TASK_OUTPUT_LIMIT": "all"}
    tasks = collections.defaultdict(list)
    if not side.skipped and p["site_warmup"]:
        log("site: converging once (not timed)")
        warm = b.playbook(playbook, {}, "site-converge", inventory=inventory, env=profile_env, args=extra_args)
        side.notes.append("a converging run first (%.1f s, changed=%s), then the timed re-runs" % (
            warm.seconds, warm.changed))
    if not side.skipped:
        for rep in range(p["reps"]):
            log("site: converged re-run %d/%d" % (rep + 1, p["reps"]))
            run = b.playbook(playbook, {}, "site-rerun", inventory=inventory, env=profile_env, args=extra_args)
            actions = collections.Counter(r.get("action") for r in run.aws)
            side.add("rerun", seconds=run.seconds, requests=len(run.k8s),
                     requests_writes=len(writes(run.k8s)), aws_calls=len(run.aws),
                     aws_mutating=len([r for r in run.aws if _aws_mutating(r)]),
                     changed=run.changed, aws_actions=dict(actions.most_common()))
            for name, secs in parse_profile(run.output):
                tasks[name].append(secs)
    summary = side.summary()
    profile = sorted(((median(v), name) for name, v in tasks.items()), reverse=True)
    summary["profile"] = [{"task": name, "seconds": round(s, 2)} for s, name in profile[:15]]
    summary["profile_task_count"] = len(profile)
    goals = []
    if not side.skipped:
        ch = value(summary, "rerun", "changed")
        goals.append(goal("site.yml re-run is converged (changed=0)", "changed=%s" % ch, ch == 0))
    return {"title": title, "items": 1, "sides": {"ours": summary}, "comparisons": [], "goals": goals}


def role_runnable(role):
    """The role is in the tree and every hardened.eks module its tasks name is too."""
    base = os.path.join(ROOT, "roles", role)
    if not os.path.isdir(base):
        return False
    for dirpath, _dirs, files in os.walk(os.path.join(base, "tasks")):
        for name in files:
            with open(os.path.join(dirpath, name)) as fh:
                for mod in re.findall(r"hardened\.eks\.(\w+):", fh.read()):
                    if not module_exists(mod) and not os.path.isdir(os.path.join(ROOT, "roles", mod)):
                        return False
    return True


def partial_playbook(path, missing):
    import yaml
    with open(path) as fh:
        plays = yaml.safe_load(fh)
    for play in plays:
        play["roles"] = [r for r in play.get("roles", [])
                         if (r.get("role") if isinstance(r, dict) else r).split(".")[-1] not in missing]
    fd, out = tempfile.mkstemp(prefix="bench-site-partial-", suffix=".yml")
    with os.fdopen(fd, "w") as fh:
        yaml.safe_dump(plays, fh, sort_keys=False)
    atexit.register(os.unlink, out)
    return out


def _aws_mutating(record):
    action = record.get("action", "")
    if action.startswith(AwsRequests.MUTATING_PREFIXES):
        return True
    return " " in action and not action.startswith("GET ")


def scenario_growth(b, p):
    reps = p["reps"]
    out = {"title": "Growth: module process time and memory against input size", "curves": {}, "goals": [],
           "comparisons": []}
    # aws_auth_mapping: one process per run, 10 .. 10,000 entries
    curve = {"module": "hardened.eks.aws_auth_mapping", "parameter": "role mappings", "points": [],
             "note": "compact entries (role/r00001, one group) so 10,000 fit in a ConfigMap (1 MiB limit)"}
    if module_exists("aws_auth_mapping"):
        ns = b.namespace("gr")
        for size in p["growth_aws_auth"]:
            entries = aws_auth_entries(size, compact=True)
            params = {"namespace": ns, "roles": to_ours_roles(entries)}
            point = {"size": size, "first": [], "rerun": []}
            try:
                for rep in range(reps):
                    cm = b.seed_configmap(ns, "g-%d-%d" % (size, rep), [NODE_ENTRY])
                    for phase in ("first", "rerun"):
                        run = b.module("aws_auth_mapping", dict(params, name=cm), "gr-aa-%d" % size)
                        point[phase].append({"seconds": run.seconds, "maxrss_kb": run.maxrss_kb,
                                             "requests": len(on_object(run.k8s, "configmaps", cm, ns)),
                                             "changed": run.changed})
            except BenchError as exc:
                point["error"] = str(exc)[:800]
            curve["points"].append(_growth_point(point))
            log("growth aws_auth_mapping %d: %s" % (size, _fmt_point(curve["points"][-1])))
    else:
        curve["skipped"] = "module not in this tree"
    _fit(curve)
    out["curves"]["aws_auth_mapping"] = curve
    # eks_pod_iam_role: one role, N node role ARNs in the trust and N inline policies
    curve = {"module": "hardened.eks.eks_pod_iam_role", "parameter": "node role ARNs and inline policies per role",
             "points": [],
             "note": "capped at 30: IAM limits a trust policy to 2,048 characters (about 35 role ARNs) and a "
                     "role's inline policies to 10,240 characters in all, so larger sizes are not meaningful; "
                     "the number of roles is covered by the pod_roles scenario (one process per role)"}
    if module_exists("eks_pod_iam_role"):
        for size in p["growth_pod_role"]:
            point = {"size": size, "first": [], "rerun": []}
            arns = ["arn:aws:iam::%s:role/bench-node-%02d" % (ACCOUNT, i) for i in range(size)]
            inline = collections.OrderedDict(("p%02d" % i, inline_doc(i)) for i in range(size))
            try:
                for rep in range(reps):
                    name = "hb-%s-g%d-%d" % (b.run_id, size, rep)
                    b.roles.append(name)
                    params = pod_role(name, arns, inline)["ours"]
                    for phase in ("first", "rerun"):
                        run = b.module("eks_pod_iam_role", params, "gr-pr-%d" % size)
                        point[phase].append({"seconds": run.seconds, "maxrss_kb": run.maxrss_kb,
                                             "aws_calls": len(run.aws), "changed": run.changed})
            except BenchError as exc:
                point["error"] = str(exc)[:800]
            curve["points"].append(_growth_point(point))
            log("growth eks_pod_iam_role %d: %s" % (size, _fmt_point(curve["points"][-1])))
    else:
        curve["skipped"] = "module not in this tree"
    _fit(curve)
    out["curves"]["eks_pod_iam_role"] = curve
    return out


def _growth_point(point):
    out = {"size": point["size"]}
    if point.get("error"):
        out["error"] = point["error"]
    for phase in ("first", "rerun"):
        runs = point[phase]
        if not runs:
            continue
        ph = {"repetitions": len(runs)}
        for key in runs[0]:
            ph[key] = median([r[key] for r in runs])
            ph[key + "_runs"] = [r[key] for r in runs]
        ph["maxrss_mb"] = round(ph["maxrss_kb"] / 1024.0, 1)
        out[phase] = ph
    return out


def _fmt_point(pt):
    parts = []
    for phase in ("first", "rerun"):
        if phase in pt:
            parts.append("%s %.2f s %.0f MB" % (phase, pt[phase]["seconds"], pt[phase]["maxrss_mb"]))
    if pt.get("error"):
        parts.append("error: %s" % pt["error"][:200])
    return ", ".join(parts)


def _fit(curve):
    """Least-squares line through the re-run times: intercept (process start, imports, one
    read) and cost per item."""
    pts = [(pt["size"], pt["rerun"]["seconds"], pt["rerun"]["maxrss_mb"]) for pt in curve["points"] if "rerun" in pt]
    if len(pts) < 2:
        return
    for idx, key, unit in ((1, "seconds", 1e6), (2, "maxrss_mb", 1024.0)):
        xs = [x for x, _s, _m in pts]
        ys = [pt[idx] for pt in pts]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        sxx = sum((x - mx) ** 2 for x in xs)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0.0
        intercept = my - slope * mx
        name = "us_per_item" if key == "seconds" else "kb_per_item"
        curve.setdefault("fit_rerun", {})[key] = {"intercept": round(intercept, 3), name: round(slope * unit, 2)}


# ------------------------------------------------------------------------------ environment
