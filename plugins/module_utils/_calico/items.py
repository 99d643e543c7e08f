# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validation of calico_policy's items and parameters: every problem, with the item and the field
path, raised once as CalicoValidationError before any request.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hardened.eks.plugins.module_utils._calico.fields import check_labels
from ansible_collections.hardened.eks.plugins.module_utils._calico.fields import check_name
from ansible_collections.hardened.eks.plugins.module_utils._calico.fields import check_namespace
from ansible_collections.hardened.eks.plugins.module_utils._calico.label_selector import parse_label_selector
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import CalicoValidationError
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import DEFAULT_TIER
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import ITEM_KEYS
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import KINDS
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import KIND_ORDER
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import _Checker
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import _suggest
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import _type_name
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import describe
from ansible_collections.hardened.eks.plugins.module_utils._calico.normalize import normalize_spec
from ansible_collections.hardened.eks.plugins.module_utils._calico.spec import check_spec


# Items ------------------------------------------------------------------------------------------
class Desired(object):
    """One validated item: identity, desired labels and normalized spec."""

    __slots__ = ("index", "kind", "name", "namespace", "labels", "spec", "state", "where")

    def __init__(self, index, kind, name, namespace, labels, spec, state, where):
        self.index = index
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.spec = spec
        self.state = state
        self.where = where

    @property
    def key(self):
        return (self.kind, self.namespace or "", self.name)

    @property
    def ref(self):
        return describe(self.kind, self.namespace, self.name)

    @property
    def tier(self):
        if KINDS[self.kind][2]:
            return (self.spec or {}).get("tier") or DEFAULT_TIER
        return None


def _item_where(index, item):
    if index is None:
        prefix = ""
    else:
        prefix = "policies[%d]" % index
    if isinstance(item, dict) and isinstance(item.get("kind"), str) and isinstance(item.get("name"), str):
        ident = describe(item["kind"], item.get("namespace") if isinstance(item.get("namespace"), str) else None,
                         item["name"])
        return "%s (%s): " % (prefix, ident) if prefix else "%s: " % ident
    return "%s: " % prefix if prefix else ""


def validate_item(item, index=None, default_state="present"):
    """Validate one item; returns (Desired or None, problems)."""
    ck = _Checker(_item_where(index, item))
    if not isinstance(item, dict):
        ck.add("", "each entry must be a mapping with kind, name, namespace, labels, spec, state; got %s"
               % _type_name(item))
        return None, ck.problems
    for key in item:
        if key not in ITEM_KEYS:
            ck.add(key, "unknown option%s; allowed: %s" % (_suggest(key, ITEM_KEYS), ", ".join(ITEM_KEYS)))
    kind = item.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        ck.add("kind", "required, one of %s (got %r)%s" % (", ".join(KIND_ORDER), kind,
                                                           _suggest(kind, KINDS) if kind else ""))
        return None, ck.problems
    state = item.get("state") or default_state
    if state not in ("present", "absent"):
        ck.add("state", "must be present or absent, got %r" % (state,))
    namespace = item.get("namespace") or None
    spec = item.get("spec")
    check_name(ck, kind, item.get("name"), spec if isinstance(spec, dict) else {}, state)
    check_namespace(ck, kind, namespace)
    labels = item.get("labels")
    check_labels(ck, kind, labels)
    if state == "present":
        if spec is None and kind not in ("Tier", "NetworkSet", "GlobalNetworkSet"):
            ck.add("spec", "required for a %s with state present" % kind)
        else:
            check_spec(ck, kind, spec)
    if ck.problems:
        return None, ck.problems
    norm = normalize_spec(kind, spec or {}) if state == "present" else None
    return Desired(index, kind, item["name"], namespace, dict(labels or {}), norm, state,
                   ck.prefix), []


def validate_items(items, default_state="present", batch=True):
    """Validate every item; returns the Desired list or raises CalicoValidationError (all problems)."""
    problems = []
    desired = []
    if not isinstance(items, list):
        raise CalicoValidationError(["policies: must be a list"])
    for i, item in enumerate(items):
        one, probs = validate_item(item, i if batch else None, default_state)
        problems.extend(probs)
        if one is not None:
            desired.append(one)
    out, probs = batch_problems(desired)
    problems.extend(probs)
    if problems:
        raise CalicoValidationError(problems)
    return out


def batch_problems(desired):
    """The cross-item checks of validated items: an object listed twice, and a tier removed by
    the batch while policies of the batch are placed in it. Returns (the items without their
    repeats, problems)."""
    problems = []
    out = []
    seen = {}
    for d in desired:
        if d.key in seen:
            first = seen[d.key]
            also = "policies[%d]" % first.index if first.index is not None else first.where.rstrip(": ")
            problems.append("%s%s is listed twice (also at %s)" % (d.where, d.ref, also))
            continue
        seen[d.key] = d
        out.append(d)
    absent_tiers = {d.name: d for d in out if d.kind == "Tier" and d.state == "absent"}
    for d in out:
        if d.state == "present" and d.tier in absent_tiers:
            problems.append("%sspec.tier: tier %r is removed by %s in the same batch"
                            % (d.where, d.tier, absent_tiers[d.tier].where.rstrip(": ")))
    return out, problems


def validate_params(params):
    """Module parameters -> (Desired list, purge requirements or None, purge kinds).

    Raises CalicoValidationError with every problem (items and purge alike) before any request.
    """
    problems = []
    batch = params.get("policies") is not None
    default_state = params.get("state") or "present"
    if batch:
        items = params["policies"]
    elif params.get("name") is not None or params.get("kind") is not None:
        items = [{k: params.get(k) for k in ITEM_KEYS if params.get(k) is not None}]
        items[0]["state"] = default_state
    else:
        items = []
    desired = []
    try:
        desired = validate_items(items, default_state, batch=batch)
    except CalicoValidationError as exc:
        problems.extend(exc.problems)
    purge_reqs = None
    purge = params.get("purge")
    if purge is not None:
        try:
            purge_reqs = parse_label_selector(purge)
        except ValueError as exc:
            problems.append("purge: %s" % exc)
    purge_kinds = tuple(k for k in KIND_ORDER if k in (params.get("purge_kinds") or KIND_ORDER))
    if problems:
        raise CalicoValidationError(problems)
    return desired, purge_reqs, purge_kinds
