# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""benchmarks/run.py's command line: the scenarios to run, the profile, the output.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import datetime
import json
import os
import sys
import time
import uuid

from benchmarks.bench.environment import machine_info
from benchmarks.bench.environment import versions
from benchmarks.bench.harness import Bench
from benchmarks.bench.harness import BenchError
from benchmarks.bench.harness import DEFAULT_OUT
from benchmarks.bench.harness import PROFILES
from benchmarks.bench.harness import SCENARIOS
from benchmarks.bench.harness import SCHEMA
from benchmarks.bench.harness import log
from benchmarks.bench.report import render_text
from benchmarks.bench.report import update_readme
from benchmarks.bench.scenarios import scenario_aws_auth
from benchmarks.bench.scenarios import scenario_calico
from benchmarks.bench.scenarios import scenario_growth
from benchmarks.bench.scenarios import scenario_pod_roles
from benchmarks.bench.scenarios import scenario_site


DESCRIPTION = ("`make bench`: hardened.eks against the generic-module way (kubernetes.core, amazon.aws, loops), "
               "both sides against the same sandbox in the same run.")
RUNNERS = {"aws_auth": scenario_aws_auth, "calico": scenario_calico, "pod_roles": scenario_pod_roles,
           "site": scenario_site, "growth": scenario_growth}


def main(argv=None):
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, 1 repetition (the test suite's run)")
    parser.add_argument("--reps", type=int, help="repetitions of each timed run (default 3; smoke 1)")
    parser.add_argument("--only", help="comma-separated scenarios: %s" % ",".join(SCENARIOS))
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a profile setting, e.g. --set aws_auth_per_entry_measured=100")
    parser.add_argument("--out", default=DEFAULT_OUT, help="result JSON (default benchmarks/results/latest.json)")
    parser.add_argument("--no-readme", action="store_true", help="do not refresh the table in benchmarks/README.md")
    parser.add_argument("--cprofile", metavar="DIR",
                        help="run the growth scenario's module processes under cProfile, one .prof file each in "
                             "DIR (their times are inflated: use for where the time goes, not for the figures)")
    args = parser.parse_args(argv)

    profile = "smoke" if args.smoke else "full"
    settings = dict(PROFILES[profile])
    if args.reps:
        settings["reps"] = args.reps
    for item in args.set:
        key, _sep, raw = item.partition("=")
        if key not in settings:
            parser.error("unknown setting %s" % key)
        settings[key] = json.loads(raw) if raw[:1] in "[0123456789tfn" else raw
    only = args.only.split(",") if args.only else list(SCENARIOS)
    unknown = [s for s in only if s not in SCENARIOS]
    if unknown:
        parser.error("unknown scenario(s): %s" % ", ".join(unknown))

    run_id = uuid.uuid4().hex[:6]
    started = time.monotonic()
    bench = Bench(run_id)
    if args.cprofile:
        os.makedirs(args.cprofile, exist_ok=True)
        bench.cprofile_dir = os.path.abspath(args.cprofile)
    results = {"schema": SCHEMA, "profile": profile, "run_id": run_id,
               "generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
               "settings": settings, "sandbox": bench.env.get("HARDENED_EKS_SANDBOX"), "machine": machine_info(bench), "versions": versions(bench), "scenarios": {}}
    failed = []
    try:
        for name in only:
            log("scenario %s" % name)
            t0 = time.monotonic()
            try:
                results["scenarios"][name] = RUNNERS[name](bench, settings)
            except BenchError as exc:
                log("scenario %s FAILED: %s" % (name, exc))
                results["scenarios"][name] = {"title": name, "error": str(exc)[:4000], "comparisons": [], "goals": [],
                                              "sides": {}}
                failed.append(name)
            results["scenarios"][name]["duration_seconds"] = round(time.monotonic() - t0, 1)
    finally:
        bench.cleanup()
    results["duration_seconds"] = round(time.monotonic() - started, 1)
    results["machine"]["loadavg_at_end"] = list(os.getloadavg())

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(results, fh, indent=1, sort_keys=False)
        fh.write("\n")
    os.replace(tmp, args.out)
    print(render_text(results))
    print("\nresults: %s (%.0f s)" % (os.path.relpath(args.out, os.getcwd()), results["duration_seconds"]))
    if os.path.abspath(args.out) == DEFAULT_OUT and not (args.no_readme or args.only or args.cprofile):
        update_readme(results)
    if failed:
        print("FAILED scenarios: %s" % ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
