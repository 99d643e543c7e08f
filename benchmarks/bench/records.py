# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Result records: one side of a comparison (ours or the baseline), ratios and goals.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections

from benchmarks.bench.harness import median


class Side(object):
    """One way of doing a scenario's work. When only `measured` of `total` items were run, the
    figures are scaled: fixed + (measured run - fixed) * total / measured, where `fixed` is the
    same playbook run with no items (process start, inventory, ...)."""

    def __init__(self, key, label, total, measured=None, skipped=None):
        self.key = key
        self.label = label
        self.total = total
        self.measured = measured if measured is not None else total
        self.skipped = skipped
        self.phases = collections.OrderedDict()
        self.fixed = {"seconds": [], "requests": [], "aws_calls": []}
        self.notes = []

    @property
    def extrapolated(self):
        return self.measured != self.total

    def add(self, phase, **figures):
        self.phases.setdefault(phase, []).append(figures)

    def add_fixed(self, seconds, requests=0, aws_calls=0):
        self.fixed["seconds"].append(seconds)
        self.fixed["requests"].append(requests)
        self.fixed["aws_calls"].append(aws_calls)

    def scale(self, metric, value):
        if value is None or not self.extrapolated:
            return value
        fixed = median(self.fixed.get(metric, [])) or 0
        return fixed + (value - fixed) * float(self.total) / self.measured

    def summary(self):
        out = {"label": self.label, "items": self.total, "measured_items": self.measured,
               "extrapolated": self.extrapolated, "notes": self.notes}
        if self.skipped:
            out["skipped"] = self.skipped
            return out
        if self.extrapolated:
            out["fixed_cost"] = {k: median(v) for k, v in self.fixed.items()}
        phases = {}
        for phase, runs in self.phases.items():
            ph = {"repetitions": len(runs)}
            keys = sorted({k for r in runs for k in r})
            for key in keys:
                values = [r.get(key) for r in runs]
                if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values if v is not None):
                    med = median(values)
                    ph[key + "_runs"] = values
                    if self.extrapolated and key in ("seconds", "requests", "requests_total", "aws_calls"):
                        ph[key + "_measured"] = med
                        ph[key] = self.scale(key if key != "requests_total" else "requests", med)
                    else:
                        ph[key] = med
                else:
                    ph[key] = values[-1]
            phases[phase] = ph
        out["phases"] = phases
        return out


def value(summary, phase, metric):
    try:
        return summary["phases"][phase][metric]
    except (KeyError, TypeError):
        return None


def ratio(ours, baseline):
    if ours in (None, 0) or baseline is None:
        return None
    return baseline / float(ours)


def compare(scenario, sides, baselines, phases=("first", "rerun"), metrics=("seconds", "requests")):
    rows = []
    ours = sides.get("ours")
    for base in baselines:
        b = sides.get(base)
        if not b or b.get("skipped") or not ours or ours.get("skipped"):
            continue
        for phase in phases:
            for metric in metrics:
                o, v = value(ours, phase, metric), value(b, phase, metric)
                if o is None and v is None:
                    continue
                rows.append({"scenario": scenario, "phase": phase, "metric": metric, "ours": o,
                             "baseline": base, "baseline_label": b["label"], "baseline_value": v,
                             "baseline_extrapolated": b["extrapolated"],
                             "baseline_measured_items": b["measured_items"], "ratio": ratio(o, v)})
    return rows


def goal(text, measured, met):
    return {"goal": text, "measured": measured, "met": bool(met) if met is not None else None}


# ------------------------------------------------------------------------------ data builders
