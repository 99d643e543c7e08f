# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kubernetes label selectors (the purge option of calico_policy): parse and match.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hardened.eks.plugins.module_utils._calico.model import LABEL_VALUE
from ansible_collections.hardened.eks.plugins.module_utils.calico_selector import is_qualified_name


# Kubernetes label selectors (purge) -------------------------------------------------------------
_LS_REQ = re.compile(r"^\s*(!)?\s*([^\s=!,()]+)\s*(?:(==|=|!=)\s*([^\s,()]*)|\s+(in|notin)\s*\(([^()]*)\))?\s*$")


def parse_label_selector(text):
    """A Kubernetes label selector (as ``kubectl -l``) as a list of (key, op, values); ValueError."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("must be a non-empty Kubernetes label selector")
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    reqs = []
    for part in parts:
        m = _LS_REQ.match(part)
        if not m:
            raise ValueError("cannot parse %r (use key, !key, key=value, key!=value, key in (a,b), "
                             "key notin (a,b), joined by commas)" % part.strip())
        bang, key, op, value, setop, setvals = m.groups()
        if not is_qualified_name(key):
            raise ValueError("%r is not a valid label key" % key)
        if bang:
            if op or setop:
                raise ValueError("'!' only negates a bare key: %r" % part.strip())
            reqs.append((key, "!", ()))
        elif op:
            if value and not LABEL_VALUE.match(value):
                raise ValueError("%r is not a valid label value" % value)
            reqs.append((key, "!=" if op == "!=" else "=", (value,)))
        elif setop:
            values = tuple(v.strip() for v in setvals.split(",")) if setvals.strip() else ()
            if not values or any(v and not LABEL_VALUE.match(v) for v in values):
                raise ValueError("invalid value set in %r" % part.strip())
            reqs.append((key, setop, values))
        else:
            reqs.append((key, "exists", ()))
    return reqs


def label_selector_matches(reqs, labels):
    labels = labels or {}
    for key, op, values in reqs:
        present = key in labels
        if op == "exists" and not present:
            return False
        if op == "!" and present:
            return False
        if op == "=" and labels.get(key) != values[0]:
            return False
        if op == "!=" and present and labels[key] == values[0]:
            return False
        if op == "in" and (not present or labels[key] not in values):
            return False
        if op == "notin" and present and labels[key] in values:
            return False
    return True
