# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Planning a change of aws-auth: entries added, updated and removed, with the guards that keep
node and Fargate roles and refuse a lock-out.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import ADMIN_GROUP
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import AwsAuthGuardError
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import AwsAuthParseError
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import DATA_KEYS
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import KINDS
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import NODE_GROUPS
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import _ACCOUNT_RE
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import _dedup
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import _key
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import normalize_role_arn
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.parse import _groups_of
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.parse import entry_field
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.parse import parse_aws_auth
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.render import display
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.render import render_key


def _managed_keys(request):
    keys = []
    if request.get("roles") is not None:
        keys.append("mapRoles")
    if request.get("users") is not None:
        keys.append("mapUsers")
    if request.get("accounts") is not None:
        keys.append("mapAccounts")
    return keys


def _guard_removal(entry, arn, where, request, problems, warnings, what="remove"):
    node = [g for g in _groups_of(entry) if g in NODE_GROUPS]
    if not node:
        return
    if request["allow_node_role_removal"]:
        warnings.append("%s: %s %s, which carries %s (allow_node_role_removal=true): nodes that use "
                        "it can no longer join or stay in the cluster"
                        % (where, "removing" if what == "remove" else "taking node groups from",
                           arn, ", ".join(node)))
        return
    if what == "remove":
        problems.append("%s: refusing to remove %s: it carries %s (a node or Fargate role); removing "
                        "it takes every node that uses it out of the cluster. Set "
                        "allow_node_role_removal=true if that is intended" % (where, arn, ", ".join(node)))
    else:
        problems.append("%s: refusing to take %s away from %s (a node or Fargate role): that removes "
                        "its nodes from the cluster. Set allow_node_role_removal=true if that is "
                        "intended" % (where, ", ".join(node), arn))


def _plan_entries(kind, existing, desired, request, result, problems, warnings):
    """Merge one of mapRoles/mapUsers. Returns (new_items, changed)."""
    key_name, arn_field, _rtype = KINDS[kind]
    normalize = request["normalize_arns"]
    state = request["state"]
    index = {}
    for pos, entry in enumerate(existing):
        arn = entry_field(entry, arn_field)[1]
        k = _key(kind, arn, normalize)
        if k is None:
            continue
        index.setdefault(k, []).append(pos)
    for k, positions in index.items():
        if len(positions) > 1:
            arns = _dedup([entry_field(existing[p], arn_field)[1] for p in positions])
            warnings.append("%s has %d entries for %s (items %s); the authenticator honours the last one"
                            % (key_name, len(positions), " / ".join(arns),
                               ", ".join(str(p) for p in positions)))
    listed = set(d["key"] for d in desired)
    if normalize and kind == "roles":
        for pos, entry in enumerate(existing):
            arn = entry_field(entry, arn_field)[1]
            if isinstance(arn, str) and normalize_role_arn(arn) != arn and _key(kind, arn, True) not in listed:
                warnings.append("%s[%d]: %s has a path, so the authenticator never matches it; list "
                                "it in roles to rewrite it as %s" % (key_name, pos, arn, normalize_role_arn(arn)))

    new_items = list(existing)
    removed_pos = set()
    changed = False

    if state == "present":
        wanted = {}
        for d in desired:
            wanted[d["key"]] = d  # last wins, as in the authenticator
        appended = []
        for k, d in wanted.items():
            positions = index.get(k)
            if not positions:
                entry = {arn_field: d["arn"], "username": d["username"], "groups": list(d["groups"] or [])}
                appended.append(entry)
                result["added"].append(d["arn"])
                continue
            entry_changed = False
            for pos in positions:
                old = existing[pos]
                new = dict(old)
                afield, aval = entry_field(old, arn_field)
                if aval != d["arn"]:
                    new[afield] = d["arn"]
                ufield = entry_field(old, "username")[0] or "username"
                if entry_field(old, "username")[1] != d["username"]:
                    new[ufield] = d["username"]
                if d["groups"] is not None:
                    gfield = entry_field(old, "groups")[0] or "groups"
                    old_groups = _groups_of(old)
                    if set(old_groups) != set(d["groups"]):
                        new[gfield] = list(d["groups"])
                        lost = [g for g in old_groups if g in NODE_GROUPS and g not in d["groups"]]
                        if lost:
                            _guard_removal({"groups": lost}, aval, "%s[%d]" % (kind, d["index"]),
                                           request, problems, warnings, what="take")
                if new != old:
                    new_items[pos] = new
                    entry_changed = True
                    result["changes"].setdefault(d["arn"], []).extend(
                        "%s %s -> %s" % (k, _brief(old.get(k)), _brief(new.get(k)))
                        for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k))
            if entry_changed:
                result["updated"].append(d["arn"])
                changed = True
        if request["purge"]:
            for pos, entry in enumerate(existing):
                arn = entry_field(entry, arn_field)[1]
                k = _key(kind, arn, normalize)
                if k is None:
                    warnings.append("%s[%d] has no %s (an SSO matcher?) and is kept by purge"
                                    % (key_name, pos, arn_field))
                    continue
                if k in wanted:
                    continue
                if any(g in NODE_GROUPS for g in _groups_of(entry)):
                    # EKS adds node and Fargate roles by itself and users do not list them:
                    # purge spares them (removing one is an explicit state=absent).
                    result["kept"].append(arn)
                    continue
                if ADMIN_GROUP in _groups_of(entry):
                    warnings.append("purge removes %s, which was mapped to %s" % (arn, ADMIN_GROUP))
                removed_pos.add(pos)
                result["removed"].append(arn)
        if removed_pos:
            new_items = [e for pos, e in enumerate(new_items) if pos not in removed_pos]
        if appended:
            new_items.extend(appended)
            changed = True
        return new_items, changed or bool(removed_pos)

    # state == absent
    for d in desired:
        for pos in index.get(d["key"], ()):
            if pos in removed_pos:
                continue
            arn = entry_field(existing[pos], arn_field)[1]
            _guard_removal(existing[pos], arn, "%s[%d]" % (kind, d["index"]), request, problems, warnings)
            removed_pos.add(pos)
            result["removed"].append(arn)
    if removed_pos:
        new_items = [e for pos, e in enumerate(existing) if pos not in removed_pos]
    return new_items, bool(removed_pos)


def _plan_accounts(existing, desired, request, result, warnings):
    seen = {}
    for pos, acc in enumerate(existing):
        seen.setdefault(acc, []).append(pos)
        if not _ACCOUNT_RE.match(acc.strip()):
            warnings.append("mapAccounts[%d]: %r is not a 12-digit account id" % (pos, acc))
    for acc, positions in seen.items():
        if len(positions) > 1:
            warnings.append("mapAccounts lists %s %d times" % (acc, len(positions)))
    if request["state"] == "present":
        wanted = set(desired)
        new_items = list(existing)
        if request["purge"]:
            new_items = [a for a in existing if a in wanted]
            result["removed"].extend(_dedup([a for a in existing if a not in wanted]))
        added = [a for a in desired if a not in seen]
        new_items.extend(added)
        result["added"].extend(added)
        return new_items, new_items != existing
    drop = set(desired)
    new_items = [a for a in existing if a not in drop]
    result["removed"].extend(_dedup([a for a in existing if a in drop]))
    return new_items, new_items != existing


def plan_aws_auth(data, request):
    """Plan the change of a ConfigMap's data. Pure; raises AwsAuthParseError/AwsAuthGuardError.

    Returns a dict: ``changed``, ``data`` (the new data: every other key kept as it was),
    ``added``, ``removed``, ``updated`` (lists of ARNs / account ids), ``warnings`` and ``diff``
    (``before``/``after``: readable YAML of mapRoles, mapUsers, mapAccounts).
    """
    data = dict(data or {})
    warnings = list(request.get("warnings") or [])
    result = {"added": [], "removed": [], "updated": [], "kept": [], "changes": {}}
    managed = _managed_keys(request)
    # Keys not managed by this run are read too: their problems become warnings, never failures.
    parsed = {}
    parse_problems = []
    for key in DATA_KEYS:
        try:
            parsed[key] = parse_aws_auth(data, keys=(key,))[key]
        except AwsAuthParseError as exc:
            if key in managed:
                parse_problems.extend(exc.problems)
            else:
                warnings.append("%s is left unchanged but the authenticator cannot read it: %s"
                                % (key, "; ".join(exc.problems)))
    if parse_problems:
        raise AwsAuthParseError(parse_problems)

    problems = []
    new_data = dict(data)
    for kind in ("roles", "users"):
        if request.get(kind) is None:
            continue
        key = KINDS[kind][0]
        existing = parsed[key]
        items, changed = _plan_entries(kind, existing, request[kind], request, result, problems, warnings)
        if changed:
            new_data[key] = render_key(key, data.get(key), existing, items)
    if request.get("accounts") is not None:
        existing = parsed["mapAccounts"]
        items, changed = _plan_accounts(existing, request["accounts"], request, result, warnings)
        if changed:
            new_data["mapAccounts"] = render_key("mapAccounts", data.get("mapAccounts"), existing, items)
    if problems:
        raise AwsAuthGuardError(problems)
    lists = dict((kind, _dedup(result[kind])) for kind in ("added", "removed", "updated", "kept"))
    return dict(lists, changed=new_data != data, data=new_data, warnings=warnings,
                diff={"before": display(data), "after": display(new_data)},
                summary=change_summary(lists, result["changes"]))


def _brief(value):
    if isinstance(value, list):
        return "[%s]" % ", ".join(str(v) for v in value)
    return "(none)" if value is None else str(value)


def change_summary(lists, changes, limit=20):
    """One line per kind of change, each entry named (the updated ones with what changed in
    ``changes``): the header of the diff, so that --check --diff says what happens before the
    YAML does. ``lists``: the plan's added, updated, removed and kept ARNs."""
    parts = []
    for kind in ("added", "updated", "removed", "kept"):
        items = lists[kind]
        if not items:
            continue
        shown = []
        for arn in items[:limit]:
            what = changes.get(arn) if kind == "updated" else None
            shown.append("%s (%s)" % (arn, "; ".join(_dedup(what))) if what else arn)
        more = " and %d more" % (len(items) - limit) if len(items) > limit else ""
        label = "kept by purge" if kind == "kept" else kind
        parts.append("%s %d: %s%s" % (label, len(items), ", ".join(shown), more))
    return "; ".join(parts) if parts else "no change"
