# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Normalization of a Calico spec: applied to the desired spec and to what the cluster returns, so
that both compare equal when they mean the same thing (normalize_spec is total).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import math

from ansible_collections.hardened.eks.plugins.module_utils._calico.fields import _number_like
from ansible_collections.hardened.eks.plugins.module_utils._calico.fields import canonical_cidr
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import DEFAULT_TIER
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import GNP_FALSE_DEFAULTS
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import _DIGITS
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import _PORT_RANGE
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import _is_int


# Normalization ----------------------------------------------------------------------------------
def _prune(value):
    """Drop None, empty lists and empty mappings, recursively."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = _prune(v)
            if v is None or v == [] or v == {}:
                continue
            out[k] = v
        return out
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def _norm_number(value):
    if isinstance(value, float) and not math.isnan(value) and not math.isinf(value) and value == int(value):
        return int(value)
    return value


def _norm_protocol(value):
    num = _number_like(value)
    return num if num is not None else value


def _norm_port(value):
    if _is_int(value):
        return value
    if isinstance(value, str):
        if _DIGITS.match(value):
            return int(value)
        m = _PORT_RANGE.match(value)
        if m:
            low, high = int(m.group(1)), int(m.group(2))
            return low if low == high else "%d:%d" % (low, high)
    return value


def _norm_entity(entity):
    if not isinstance(entity, dict):
        return entity
    out = dict(entity)
    for key in ("nets", "notNets"):
        if isinstance(out.get(key), list):
            out[key] = [canonical_cidr(n) for n in out[key]]
    for key in ("ports", "notPorts"):
        if isinstance(out.get(key), list):
            out[key] = [_norm_port(p) for p in out[key]]
    return out


def _norm_rule(rule):
    if not isinstance(rule, dict):
        return rule
    out = dict(rule)
    for key in ("protocol", "notProtocol"):
        if key in out:
            out[key] = _norm_protocol(out[key])
    for key in ("source", "destination"):
        if key in out:
            out[key] = _norm_entity(out[key])
    return out


def infer_types(spec):
    """Calico's default for spec.types: from the rules present."""
    has_egress = bool(spec.get("egress"))
    has_ingress = bool(spec.get("ingress"))
    if not has_egress:
        return ["Ingress"]
    if not has_ingress:
        return ["Egress"]
    return ["Ingress", "Egress"]


def normalize_spec(kind, spec):
    """The spec with Calico's defaults filled in and empty values dropped.

    Total (never raises, whatever it is given) and idempotent; applied to desired and current
    specs alike so that equal meaning compares equal.
    """
    if not isinstance(spec, dict):
        return spec
    out = _prune(copy.deepcopy(spec))
    if "order" in out:
        out["order"] = _norm_number(out["order"])
    if kind == "Tier":
        out.setdefault("defaultAction", "Deny")
        return out
    if kind in ("NetworkSet", "GlobalNetworkSet"):
        if isinstance(out.get("nets"), list):
            out["nets"] = [canonical_cidr(n) for n in out["nets"]]
        return out
    if kind not in ("NetworkPolicy", "GlobalNetworkPolicy"):
        return out
    selector = out.get("selector")
    if selector is None or (isinstance(selector, str) and not selector.strip(" \t")):
        out["selector"] = "all()"
    if not out.get("tier"):
        out["tier"] = DEFAULT_TIER
    for direction in ("ingress", "egress"):
        if isinstance(out.get(direction), list):
            out[direction] = _prune([_norm_rule(r) for r in out[direction]])
    types = out.get("types")
    if not types:
        out["types"] = infer_types(out)
    elif isinstance(types, list):
        rank = {"Ingress": 0, "Egress": 1}
        try:
            out["types"] = sorted(types, key=lambda t: (rank.get(t, 2), str(t)))
        except TypeError:
            pass
    if kind == "GlobalNetworkPolicy":
        for key in GNP_FALSE_DEFAULTS:
            if out.get(key) is False:
                del out[key]
    return out
