# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Calico objects on the cluster: API choice, object shapes, read plan, diff, writes (calico_policy).

The functions here take plain data and a K8sApi-like object (``get``, ``get_or_none``,
``create``, ``replace``, ``request``), never an AnsibleModule, so they are unit-tested with an
in-memory fake.

Reads: one LIST per kind, cluster-wide (``GET /apis/<group>/<version>/<plural>``), for every
kind the run needs; a kind whose items all sit in one namespace is listed in that namespace
only, and a single object is read with a GET. If a cluster-wide LIST is forbidden (RBAC), the
kind is listed namespace by namespace instead. Writes: only for differences, tiers first, then
network sets, then policies (deletes in the reverse order); updates carry the read
``resourceVersion`` and are re-read and re-applied on 409 Conflict; purge deletes carry the
read ``uid`` and ``resourceVersion`` as preconditions, so an object that changed since it was
read (for example lost its managed label) is re-read and re-judged, never deleted blindly.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.hardened.eks.plugins.module_utils._k8s import K8sApiError, K8sError, conflict_pause, k8s_path
from ansible_collections.hardened.eks.plugins.module_utils.calico_validate import (
    CALICO_LABEL_PREFIX,
    CalicoValidationError,
    DEFAULT_TIER,
    KIND_ORDER,
    KINDS,
    MANAGED_LABEL,
    MANAGED_VALUE,
    describe,
    label_selector_matches,
    normalize_spec,
)

API_V3 = "projectcalico.org/v3"
API_V1 = "crd.projectcalico.org/v1"
API_CHOICES = ("auto", API_V3, API_V1)
# 409 Conflicts are re-read and re-applied this many times, with a jittered, growing pause
# (_k8s.conflict_pause): many writers of one object (a shared NetworkSet) all land.
CONFLICT_RETRIES = 10


class CalicoApplyError(K8sError):
    """Some writes failed; ``result`` holds what was done (created/updated/deleted) before."""

    def __init__(self, failures, result):
        self.failures = failures
        self.result = result
        super(CalicoApplyError, self).__init__(
            "%d Calico write(s) failed: %s" % (len(failures), "; ".join(failures)))


# API choice -------------------------------------------------------------------------------------
def choose_api(discovery):
    """The API to use, from the answer to ``GET /apis/projectcalico.org/v3`` (None for 404).

    The Calico API server answers with an APIResourceList naming its resources; anything else
    (no answer, an empty list, no policy resources) means the CRDs.
    """
    if not isinstance(discovery, dict):
        return API_V1
    names = {r.get("name") for r in discovery.get("resources") or [] if isinstance(r, dict)}
    if "networkpolicies" in names or "globalnetworkpolicies" in names:
        return API_V3
    return API_V1


def served_resources(discovery):
    if not isinstance(discovery, dict):
        return None
    return {r.get("name") for r in discovery.get("resources") or [] if isinstance(r, dict)}


def detect_api(api, requested):
    """(api_version, served resource names or None); one discovery GET for ``auto`` only."""
    if requested != "auto":
        return requested, None
    discovery = api.get_or_none("/apis/%s" % API_V3)
    return choose_api(discovery), served_resources(discovery)


def kind_path(api_version, kind, namespace=None, name=None):
    return k8s_path(api_version, KINDS[kind][0], namespace if KINDS[kind][1] else None, name)


# Shapes -----------------------------------------------------------------------------------------
def merged_labels(current_labels, desired_labels, purge_labels):
    """Labels to write: the current ones plus the desired ones (or, with purge_labels, only the
    desired ones and Calico's own ``projectcalico.org/`` labels), plus the managed label."""
    current_labels = current_labels or {}
    if purge_labels:
        out = {k: v for k, v in current_labels.items() if k.startswith(CALICO_LABEL_PREFIX)}
    else:
        out = dict(current_labels)
    out.update(desired_labels or {})
    out[MANAGED_LABEL] = MANAGED_VALUE
    return out


def build_object(api_version, desired, current=None, purge_labels=False):
    """The object to write for ``desired``, in the shape of ``api_version``.

    Both APIs take the same object; only ``apiVersion`` differs (``projectcalico.org/v3`` for the
    Calico API server, ``crd.projectcalico.org/v1`` for the CRDs). Policies of the default tier
    are named without a ``default.`` prefix on both. An update starts from the current object,
    so its other metadata (annotations, resourceVersion, owner references) is kept.
    """
    labels = merged_labels((current or {}).get("metadata", {}).get("labels"), desired.labels, purge_labels)
    if current is not None:
        body = copy.deepcopy(current)
        body.setdefault("metadata", {})
        body["metadata"].pop("managedFields", None)
    else:
        body = {"metadata": {"name": desired.name}}
        if KINDS[desired.kind][1]:
            body["metadata"]["namespace"] = desired.namespace
    body["apiVersion"] = api_version
    body["kind"] = desired.kind
    body["metadata"]["labels"] = labels
    body["spec"] = copy.deepcopy(desired.spec)
    body.pop("status", None)
    return body


def comparable(kind, obj):
    """What is compared and shown in diffs: labels and normalized spec."""
    if obj is None:
        return None
    return {"labels": dict((obj.get("metadata") or {}).get("labels") or {}),
            "spec": normalize_spec(kind, obj.get("spec") or {})}


def differs(kind, current, body):
    return comparable(kind, current) != comparable(kind, body)


def is_managed(obj):
    return ((obj.get("metadata") or {}).get("labels") or {}).get(MANAGED_LABEL) == MANAGED_VALUE


def object_key(kind, obj):
    md = obj.get("metadata") or {}
    return (kind, md.get("namespace") or "" if KINDS[kind][1] else "", md.get("name"))


def object_ref(kind, obj):
    md = obj.get("metadata") or {}
    return describe(kind, md.get("namespace") if KINDS[kind][1] else None, md.get("name"))


# Reads ------------------------------------------------------------------------------------------
class Reads(object):
    """What the run read: objects by key, and per kind which scope was fully listed."""

    def __init__(self):
        self.objects = {}
        # kind -> "cluster" | set(namespaces) (fully listed) ; absent: not listed
        self.listed = {}
        self.managed_only = set()  # kinds listed with the managed label selector only

    def add_list(self, kind, items, namespace=None, managed_only=False):
        for obj in items:
            self.objects[object_key(kind, obj)] = obj
        if namespace is None:
            self.listed[kind] = "cluster"
            if managed_only:
                self.managed_only.add(kind)
            else:
                self.managed_only.discard(kind)
        else:
            scope = self.listed.setdefault(kind, set())
            if scope != "cluster":
                scope.add(namespace)

    def covers_all(self, kind):
        return self.listed.get(kind) == "cluster" and kind not in self.managed_only

    def of_kind(self, kind):
        return [o for k, o in self.objects.items() if k[0] == kind]


def read_plan(desired, purge_kinds):
    """The reads a run needs: a list of (kind, namespace or None, name or None, managed_only).

    Per kind: one cluster-wide LIST when the kind's items span several namespaces, is global, or
    is purged; a LIST of the one namespace when all its items are there; a GET when it is a
    single object; a cluster-wide LIST filtered on the managed label for purged kinds that have
    no items.
    """
    by_kind = {}
    for d in desired:
        by_kind.setdefault(d.kind, []).append(d)
    plan = []
    for kind in KIND_ORDER:
        items = by_kind.get(kind, [])
        purged = kind in purge_kinds
        if not items:
            if purged:
                plan.append((kind, None, None, True))
            continue
        namespaces = {d.namespace for d in items}
        if purged or not KINDS[kind][1] and len(items) > 1 or len(namespaces) > 1:
            plan.append((kind, None, None, False))
        elif len(items) == 1:
            plan.append((kind, items[0].namespace, items[0].name, False))
        else:
            plan.append((kind, items[0].namespace, None, False))
    return plan


def _list(api, api_version, kind, namespace=None, label_selector=None):
    query = {"labelSelector": label_selector} if label_selector else None
    try:
        data = api.get(kind_path(api_version, kind, namespace), query)
    except K8sApiError as exc:
        if exc.status == 404 and not namespace:
            raise K8sError("%s is not served by this cluster (%s): %s" % (
                kind, kind_path(api_version, kind), "is Calico installed?" if api_version == API_V1 else
                "the Calico API server does not serve it"))
        raise
    return (data or {}).get("items") or []


def execute_reads(api, api_version, plan, desired, warnings):
    reads = Reads()
    namespaces_by_kind = {}
    for d in desired:
        namespaces_by_kind.setdefault(d.kind, set()).add(d.namespace)
    for kind, namespace, name, managed_only in plan:
        if name is not None:
            obj = api.get_or_none(kind_path(api_version, kind, namespace, name))
            if obj is not None:
                reads.objects[object_key(kind, obj)] = obj
            continue
        if namespace is not None:
            reads.add_list(kind, _list(api, api_version, kind, namespace), namespace)
            continue
        selector = "%s=%s" % (MANAGED_LABEL, MANAGED_VALUE) if managed_only else None
        try:
            reads.add_list(kind, _list(api, api_version, kind, None, selector), None, managed_only)
        except K8sApiError as exc:
            if exc.status != 403 or not KINDS[kind][1]:
                raise
            warnings.append("listing %s cluster-wide is forbidden (%s); listing the namespaces of the task "
                            "instead, so purge only considers those namespaces" % (kind, exc))
            for ns in sorted(n for n in namespaces_by_kind.get(kind, ()) if n):
                reads.add_list(kind, _list(api, api_version, kind, ns, selector), ns)
    return reads


def ensure_listed(api, api_version, reads, kind):
    """Make sure every object of ``kind`` is known (one cluster-wide LIST if not yet)."""
    if not reads.covers_all(kind):
        reads.add_list(kind, _list(api, api_version, kind), None)


# Planning ---------------------------------------------------------------------------------------
class Plan(object):
    def __init__(self):
        self.writes = []    # (desired, current or None, body) in write order
        self.deletes = []   # (kind, obj, reason, precondition_rv) in delete order
        self.unchanged = []  # refs


def plan_changes(api_version, desired, reads, purge_reqs, purge_kinds, purge_labels):
    plan = Plan()
    wanted = {d.key for d in desired}
    for kind in KIND_ORDER:
        for d in desired:
            if d.kind != kind:
                continue
            current = reads.objects.get(d.key)
            if d.state == "absent":
                if current is not None:
                    plan.deletes.append((kind, current, "state=absent", False))
                continue
            body = build_object(api_version, d, current, purge_labels)
            if current is None or differs(kind, current, body):
                plan.writes.append((d, current, body))
            else:
                plan.unchanged.append(d.ref)
    if purge_reqs is not None:
        for kind in KIND_ORDER:
            if kind not in purge_kinds:
                continue
            for obj in sorted(reads.of_kind(kind), key=lambda o: object_key(kind, o)):
                if object_key(kind, obj) in wanted:
                    continue
                if purge_candidate(obj, purge_reqs):
                    plan.deletes.append((kind, obj, "purge", True))
    plan.deletes.sort(key=lambda entry: -KIND_ORDER.index(entry[0]))
    return plan


def purge_candidate(obj, purge_reqs):
    """Only objects carrying the managed label, and matching the purge selector."""
    labels = (obj.get("metadata") or {}).get("labels") or {}
    return is_managed(obj) and label_selector_matches(purge_reqs, labels)


def check_tiers(api, api_version, desired, reads, plan):
    """Refuse (before any write) policies in tiers that will not exist, and tier deletions that
    would leave policies behind (Calico does not enforce a policy whose tier is missing)."""
    problems = []
    present_tiers = {d.name for d in desired if d.kind == "Tier" and d.state == "present"}
    deleted = {(k, object_key(k, o)) for k, o, _r, _p in plan.deletes}
    deleted_tiers = {key[2] for k, key in deleted if k == "Tier"}
    needed = {}
    for d in desired:
        if d.state == "present" and d.tier and d.tier != DEFAULT_TIER and d.tier not in present_tiers:
            needed.setdefault(d.tier, []).append(d)
    if needed:
        ensure_listed(api, api_version, reads, "Tier")
        existing = {key[2] for key in reads.objects if key[0] == "Tier"}
        for tier, items in sorted(needed.items()):
            if tier not in existing or tier in deleted_tiers:
                for d in items:
                    problems.append("%sspec.tier: tier %r does not exist%s: add a Tier item to the task"
                                    % (d.where, tier, " after this run" if tier in existing else ""))
    if deleted_tiers:
        for kind in ("GlobalNetworkPolicy", "NetworkPolicy"):
            ensure_listed(api, api_version, reads, kind)
        staying = {}
        for key, obj in reads.objects.items():
            if key[0] in ("GlobalNetworkPolicy", "NetworkPolicy") and (key[0], key) not in deleted:
                staying[key] = ((obj.get("spec") or {}).get("tier") or DEFAULT_TIER, object_ref(key[0], obj))
        for d in desired:
            if d.kind in ("GlobalNetworkPolicy", "NetworkPolicy"):
                if d.state == "present":
                    staying[d.key] = (d.tier, d.ref)
                else:
                    staying.pop(d.key, None)
        for tier in sorted(deleted_tiers):
            users = sorted(ref for t, ref in staying.values() if t == tier)
            if users:
                problems.append("Tier %s: cannot be deleted while policies are in it (%s%s)" % (
                    tier, ", ".join(users[:5]), ", ..." if len(users) > 5 else ""))
    if problems:
        raise CalicoValidationError(problems)


# Writes -----------------------------------------------------------------------------------------
def _status_message(exc):
    if isinstance(exc, K8sApiError):
        body = exc.body if isinstance(exc.body, dict) else {}
        return "HTTP %s %s" % (exc.status, body.get("message") or exc.reason)
    return str(exc)


def _write(api, api_version, d, current, body, dry_run, purge_labels):
    """Create or replace one object, re-reading on conflicts. Returns (action, before, after)
    with action "created", "updated" or None (it converged meanwhile)."""
    for attempt in range(CONFLICT_RETRIES + 1):
        try:
            if current is None:
                after = api.create(kind_path(api_version, d.kind, d.namespace), body, dry_run=dry_run)
                return "created", None, after or body
            after = api.replace(kind_path(api_version, d.kind, d.namespace, d.name), body, dry_run=dry_run)
            return "updated", current, after or body
        except K8sApiError as exc:
            if exc.status != 409:
                raise
        conflict_pause(attempt)
        current = api.get_or_none(kind_path(api_version, d.kind, d.namespace, d.name))
        body = build_object(api_version, d, current, purge_labels)
        if current is not None and not differs(d.kind, current, body):
            return None, current, current
    raise K8sError("%s: gave up after %d conflicting concurrent updates" % (d.ref, CONFLICT_RETRIES))


def _delete(api, api_version, kind, obj, reason, dry_run, purge_reqs, wanted):
    """Delete with uid (and, for purge, resourceVersion) preconditions. Returns the deleted object
    or None when it was gone, or no longer qualifies after a re-read."""
    md = obj.get("metadata") or {}
    path = kind_path(api_version, kind, md.get("namespace"), md.get("name"))
    for attempt in range(CONFLICT_RETRIES + 1):
        pre = {}
        if md.get("uid"):
            pre["uid"] = md["uid"]
        if reason == "purge" and md.get("resourceVersion"):
            pre["resourceVersion"] = md["resourceVersion"]
        body = {"apiVersion": "v1", "kind": "DeleteOptions"}
        if pre:
            body["preconditions"] = pre
        if dry_run:
            # With a DeleteOptions body the API server reads dryRun from the body only (the
            # query parameter is then ignored); it is in the query too for the audit log.
            body["dryRun"] = ["All"]
        try:
            api.request("DELETE", path, body, {"dryRun": "All" if dry_run else None})
            return obj
        except K8sApiError as exc:
            if exc.status == 404:
                return None
            if exc.status != 409:
                raise
        conflict_pause(attempt)
        obj = api.get_or_none(path)
        if obj is None:
            return None
        md = obj.get("metadata") or {}
        if reason == "purge" and (object_key(kind, obj) in wanted or not purge_candidate(obj, purge_reqs)):
            return None
    raise K8sError("%s: gave up after %d conflicting concurrent updates"
                   % (object_ref(kind, obj), CONFLICT_RETRIES))


def _dry_run_unsupported(exc):
    text = _status_message(exc).lower()
    return isinstance(exc, K8sApiError) and exc.status in (400, 405, 501) and "dry" in text


def ensure_calico_objects(api, desired, requested_api="auto", purge_reqs=None, purge_kinds=(),
                          purge_labels=False, check_mode=False, server_dry_run=True, want_diff=False,
                          warnings=None):
    """Converge the cluster to ``desired`` (validated Desired items). Returns (changed, result).

    In check mode nothing is written: the writes that would happen are sent with
    ``dryRun=All`` when ``server_dry_run`` (so the API server's admission and schema checks
    run), else only predicted.
    """
    warnings = warnings if warnings is not None else []
    purge_kinds = tuple(purge_kinds) if purge_reqs is not None else ()
    api_version, served = detect_api(api, requested_api)
    if served is not None and api_version == API_V3:
        missing = sorted({d.kind for d in desired} | set(purge_kinds))
        missing = [k for k in missing if KINDS[k][0] not in served]
        if missing:
            raise K8sError("the Calico API server (projectcalico.org/v3) does not serve %s" % ", ".join(missing))
    reads = execute_reads(api, api_version, read_plan(desired, purge_kinds), desired, warnings)
    plan = plan_changes(api_version, desired, reads, purge_reqs, purge_kinds, purge_labels)
    check_tiers(api, api_version, desired, reads, plan)

    result = {"api_version": api_version, "created": [], "updated": [], "deleted": [],
              "unchanged": len(plan.unchanged)}
    before, after = {}, {}
    failures = []
    dry_run = bool(check_mode)
    send = not check_mode or server_dry_run
    wanted = {d.key for d in desired}

    for d, current, body in plan.writes:
        try:
            if send:
                try:
                    action, was, now = _write(api, api_version, d, current, body, dry_run, purge_labels)
                except K8sApiError as exc:
                    if not (dry_run and _dry_run_unsupported(exc)):
                        raise
                    warnings.append("the API server refused a dry-run write (%s); check mode predicts "
                                    "the remaining writes offline" % _status_message(exc))
                    send = False
                    action, was, now = ("created" if current is None else "updated"), current, body
            else:
                action, was, now = ("created" if current is None else "updated"), current, body
        except K8sError as exc:
            failures.append("%s%s: %s" % (d.where, "create" if current is None else "update", _status_message(exc)))
            continue
        if action is None:
            continue
        result[action].append(d.ref)
        if want_diff:
            before[d.ref] = comparable(d.kind, was)
            after[d.ref] = comparable(d.kind, now)

    for kind, obj, reason, _p in plan.deletes:
        ref = object_ref(kind, obj)
        try:
            if send:
                try:
                    gone = _delete(api, api_version, kind, obj, reason, dry_run, purge_reqs, wanted)
                except K8sApiError as exc:
                    if not (dry_run and _dry_run_unsupported(exc)):
                        raise
                    send = False
                    gone = obj
            else:
                gone = obj
        except K8sError as exc:
            failures.append("%s (%s): delete: %s" % (ref, reason, _status_message(exc)))
            continue
        if gone is None:
            continue
        result["deleted"].append(ref)
        if want_diff:
            before[ref] = comparable(kind, gone)
            after[ref] = None

    changed = bool(result["created"] or result["updated"] or result["deleted"])
    if want_diff:
        result["diff"] = {"before": before, "after": after}
    result["api_requests"] = getattr(api, "requests", None)
    if failures:
        raise CalicoApplyError(failures, dict(result, changed=changed))
    return changed, result
