# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Renderings of ``eks_security_audit`` results: a console table, JUnit XML and the JSON
report. Pure functions over the list of results of the checks (``_audit.checks``)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import textwrap
from xml.sax.saxutils import escape, quoteattr

COLUMNS = (("check", "CHECK", 34), ("result", "RESULT", 6), ("evidence", "EVIDENCE", 64), ("fix", "FIX", 48))


def table_lines(results, widths=None):
    """Fixed-width table (check, result, evidence, fix) as a list of lines; long cells wrap."""
    widths = dict((k, w) for k, _h, w in COLUMNS) if widths is None else widths
    sep = "-+-".join("-" * widths[k] for k, _h, _w in COLUMNS)
    lines = [" | ".join(h.ljust(widths[k]) for k, h, _w in COLUMNS).rstrip(), sep]
    for r in results:
        cells = []
        for key, _h, _w in COLUMNS:
            text = str(r.get(key) or "")
            if key == "result":
                text = text.upper()
            cells.append(textwrap.wrap(text, widths[key], break_long_words=True, break_on_hyphens=False) or [""])
        for i in range(max(len(c) for c in cells)):
            row = [(c[i] if i < len(c) else "").ljust(widths[key]) for c, (key, _h, _w) in zip(cells, COLUMNS)]
            lines.append(" | ".join(row).rstrip())
    return lines


def summary_line(counts, cluster):
    return "%s: %d passed, %d failed, %d warnings" % (cluster, counts.get("pass", 0), counts.get("fail", 0),
                                                      counts.get("warn", 0))


def junit_xml(results, suite, duration=0.0, timestamp=None):
    """One testsuite; a testcase per check. A failed check is a <failure> (evidence as message,
    the fix in the body); a warning passes with the evidence in <system-out> and a property."""
    failures = sum(1 for r in results if r["result"] == "fail")
    attrs = 'name=%s tests="%d" failures="%d" errors="0" skipped="0" time="%.3f"' % (
        quoteattr(suite), len(results), failures, duration)
    if timestamp:
        attrs += " timestamp=%s" % quoteattr(timestamp)
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>", "  <testsuite %s>" % attrs]
    for r in results:
        group = r["check"].split(".")[0]
        head = '    <testcase classname=%s name=%s time="0"' % (
            quoteattr("%s.%s" % (suite, group)), quoteattr(r["check"]))
        if r["result"] == "fail":
            out.append(head + ">")
            out.append("      <failure message=%s type=\"fail\">%s</failure>"
                       % (quoteattr(r["evidence"]), escape("fix: %s" % r.get("fix", ""))))
            out.append("    </testcase>")
        else:
            out.append(head + ">")
            out.append('      <properties><property name="result" value=%s/></properties>' % quoteattr(r["result"]))
            text = "%s: %s" % (r["result"], r["evidence"])
            if r["result"] == "warn" and r.get("fix"):
                text += "\nfix: %s" % r["fix"]
            out.append("      <system-out>%s</system-out>" % escape(text))
            out.append("    </testcase>")
    out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"


def json_report(results, cluster, region, counts, failed, duration, timestamp=None, requests=None):
    report = {"cluster": cluster, "region": region, "summary": counts, "failed": failed,
              "duration_seconds": round(duration, 3), "results": results}
    if timestamp:
        report["timestamp"] = timestamp
    if requests is not None:
        report["requests"] = requests
    return report
