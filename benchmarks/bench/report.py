# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rendering of the results: the text table, the Markdown table and benchmarks/README.md's copy.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from benchmarks.bench.harness import README
from benchmarks.bench.harness import SCENARIOS


def fmt(metric, v, extrapolated=False):
    if v is None:
        return "-"
    star = "*" if extrapolated else ""
    if metric == "seconds":
        return ("%.2f s" % v if v < 10 else "%.1f s" % v if v < 100 else "%.0f s" % v) + star
    if isinstance(v, float) and v != int(v):
        return "%.1f%s" % (v, star)
    return "%d%s" % (v, star)


def fmt_ratio(r):
    if r is None:
        return "-"
    return "%.0fx" % r if r >= 100 else "%.1fx" % r if r >= 10 else "%.2fx" % r


METRIC_NAMES = {"seconds": "wall time", "requests": "k8s requests", "aws_calls": "AWS calls"}


def table_rows(results):
    rows = []
    for key in SCENARIOS:
        sc = results["scenarios"].get(key)
        if not sc:
            continue
        if sc.get("error"):
            rows.append([key, "FAILED: " + sc["error"].strip().splitlines()[0][:100], "", "", ""])
            continue
        if key == "site":
            ours = sc["sides"]["ours"]
            if ours.get("skipped"):
                rows.append([sc["title"], "skipped: " + ours["skipped"], "", "", ""])
                continue
            ph = ours["phases"]["rerun"]
            rows.append([sc["title"], "wall time %s" % fmt("seconds", ph["seconds"]), "-", "-", "no baseline"])
            rows.append([sc["title"], "k8s requests %s, AWS calls %s" % (fmt("r", ph["requests"]),
                                                                         fmt("r", ph["aws_calls"])), "-", "-", ""])
            continue
        if key == "growth":
            for cname, curve in sc["curves"].items():
                for pt in curve.get("points", []):
                    if "rerun" not in pt:
                        rows.append(["growth %s n=%d" % (cname, pt["size"]), "error", "", "", pt.get("error", "")[:60]])
                        continue
                    rows.append(["growth %s n=%d" % (cname, pt["size"]),
                                 "first %s / re-run %s, %s MB" % (fmt("seconds", pt["first"]["seconds"]),
                                                                  fmt("seconds", pt["rerun"]["seconds"]),
                                                                  pt["rerun"]["maxrss_mb"]), "-", "-", ""])
            continue
        for ours_side in [sc["sides"].get("ours")]:
            if ours_side and ours_side.get("skipped"):
                rows.append([sc["title"], "skipped: " + ours_side["skipped"], "", "", ""])
        for c in sc["comparisons"]:
            ours_ex = sc["sides"]["ours"]["extrapolated"]
            label = "%s, %s, %s" % (key, "first run" if c["phase"] == "first" else "re-run",
                                    METRIC_NAMES.get(c["metric"], c["metric"]))
            rows.append([label, fmt(c["metric"], c["ours"], ours_ex),
                         "%s (%s)" % (fmt(c["metric"], c["baseline_value"], c["baseline_extrapolated"]), c["baseline"]),
                         fmt_ratio(c["ratio"]), ""])
    return rows


def render_text(results):
    rows = [["scenario", "ours", "baseline", "ratio", ""]] + table_rows(results)
    widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
    lines = []
    for i, r in enumerate(rows):
        lines.append("  ".join(str(c).ljust(widths[j]) if j < 4 else str(c) for j, c in enumerate(r)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("* scaled from a measured slice (see notes in the JSON and benchmarks/README.md)")
    lines.append("")
    lines.append("goals:")
    for key in SCENARIOS:
        for g in (results["scenarios"].get(key) or {}).get("goals", []):
            lines.append("  [%s] %s: %s" % ({True: "met", False: "MISSED", None: "?"}[g["met"]], g["goal"], g["measured"]))
    return "\n".join(lines)


def render_markdown(results):
    m = results["machine"]
    v = results["versions"]
    out = ["Run %s (profile `%s`, %d repetitions, medians; %.0f s in all) on %d CPUs (%s), %.1f GiB RAM, %s; "
           "load average %.1f at the start, %.1f at the end." % (
               results["generated"], results["profile"], results["settings"]["reps"], results["duration_seconds"],
               m.get("nproc", 0), m.get("cpu_model", "?"), m.get("memory_gib", 0), m.get("platform", "?"),
               (m.get("loadavg_at_start") or [0])[0], (m.get("loadavg_at_end") or [0])[0]),
        "",
        "Versions: " + ", ".join("%s %s" % (k, val) for k, val in v.items()) + ".",
        "",
        "| scenario | ours | baseline | ratio |",
        "| --- | --- | --- | --- |"]
    for r in table_rows(results):
        out.append("| %s | %s | %s | %s |" % (r[0], r[1], r[2], r[3]))
    out.append("")
    out.append("`*` scaled from a measured slice; `ratio` = baseline / ours (higher is better for us).")
    out.append("")
    out.append("Goals:")
    out.append("")
    for key in SCENARIOS:
        for g in (results["scenarios"].get(key) or {}).get("goals", []):
            out.append("- **%s** %s: %s" % ({True: "met", False: "MISSED", None: "?"}[g["met"]], g["goal"], g["measured"]))
    site = results["scenarios"].get("site")
    if site and site["sides"]["ours"].get("profile"):
        out += ["", "Slowest tasks of the converged site.yml re-run (profile_tasks, median):", "",
                "| task | seconds |", "| --- | --- |"]
        for t in site["sides"]["ours"]["profile"][:10]:
            out.append("| %s | %.2f |" % (t["task"].replace("|", "\\|"), t["seconds"]))
    return "\n".join(out)


def update_readme(results):
    if not os.path.exists(README):
        return
    with open(README) as fh:
        text = fh.read()
    start, end = "<!-- bench:results:start -->", "<!-- bench:results:end -->"
    if start not in text or end not in text:
        return
    head, rest = text.split(start, 1)
    _old, tail = rest.split(end, 1)
    with open(README, "w") as fh:
        fh.write(head + start + "\n" + render_markdown(results) + "\n" + end + tail)


# ----------------------------------------------------------------------------------------- main
