# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""EKS access entries (``eks_access_entry``): the inventory's entries validated, and the plan of
the calls that converge a cluster's entries to them, with the guards that keep anyone from being
locked out. Pure: the current entries come in as data, the steps go out as data."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hardened.eks.plugins.module_utils import _names
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import MANAGED_TAG
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import EksError
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import carries_tags
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import forward_modes
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import managed_by
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import tags_to_add

MANAGED_VALUE = "eks_access_entry"
STANDARD = "STANDARD"
NODE_TYPES = ("EC2_LINUX", "EC2_WINDOWS", "FARGATE_LINUX", "EC2", "HYBRID_LINUX", "HYPERPOD_LINUX")
TYPES = (STANDARD,) + NODE_TYPES
CLUSTER_ADMIN = "AmazonEKSClusterAdminPolicy"
ADMIN_LEVEL = (CLUSTER_ADMIN, "AmazonEKSAdminPolicy")
POLICY_NAME_RE = re.compile(r"^AmazonEKS[A-Za-z]+Policy$")
POLICY_ARN_RE = re.compile(r"^arn:(%s):eks::aws:cluster-access-policy/(AmazonEKS[A-Za-z]+Policy)$" % _names.PARTITION)
# EKS refuses usernames with these prefixes, and a session placeholder without a colon before it.
RESERVED_USERNAME_PREFIXES = ("system:", "eks:", "aws:", "amazon:", "iam:")
SESSION_PLACEHOLDERS = ("{{SessionName}}", "{{SessionNameRaw}}")
ASSUMED_ROLE_RE = re.compile(r"^arn:(%s):sts::(%s):assumed-role/([^/]+)/.+$" % (_names.PARTITION, _names.ACCOUNT))


class AccessEntryError(EksError):
    """Bad input or a refused change, before any write; ``problems`` lists every item."""


def mode_path(current, wanted):
    """The UpdateClusterConfig modes that move ``current`` forward to ``wanted`` ([] when it is
    there or ``wanted`` is None); AccessEntryError when ``wanted`` is behind (EKS cannot go back)."""
    path = forward_modes(current, wanted)
    if path is None:
        raise AccessEntryError("authentication_mode: the cluster uses %s; EKS only moves CONFIG_MAP -> "
                               "API_AND_CONFIG_MAP -> API and cannot go back to %s" % (current, wanted))
    return path


def policy_arn(value, partition):
    """``AmazonEKSViewPolicy`` or its ARN -> the ARN in ``partition``; None when it is neither."""
    if isinstance(value, str) and POLICY_NAME_RE.match(value):
        return "arn:%s:eks::aws:cluster-access-policy/%s" % (partition, value)
    if isinstance(value, str) and POLICY_ARN_RE.match(value):
        return value
    return None


def policy_name(arn):
    return arn.rsplit("/", 1)[-1]


def _where(index, item):
    arn = item.get("principal_arn") if isinstance(item, dict) else None
    return "entries[%d] (%s)" % (index, arn) if isinstance(arn, str) and arn else "entries[%d]" % index


def _principal_problem(arn):
    m = ASSUMED_ROLE_RE.match(arn) if isinstance(arn, str) else None
    if m:
        return ("%r is an assumed-role (STS) session ARN; an access entry names the role's IAM ARN, with its full "
                "path (unlike aws-auth): arn:%s:iam::%s:role/<path>/%s" % (arn, m.group(1), m.group(2), m.group(3)))
    if not _names.is_principal_arn(arn):
        return "%r is not an IAM role or user ARN (arn:<partition>:iam::<account>:role/<path>/<name>)" % (arn,)
    return None


def username_problem(username):
    """Why EKS would refuse ``username`` for an access entry (None when it would not)."""
    if not isinstance(username, str) or not username:
        return None
    if username.lower().startswith(RESERVED_USERNAME_PREFIXES):
        return ("%r starts with a prefix EKS keeps for itself (%s); pick another name"
                % (username, ", ".join(RESERVED_USERNAME_PREFIXES)))
    for placeholder in SESSION_PLACEHOLDERS:
        at = username.find(placeholder)
        if at >= 0 and ":" not in username[:at]:
            return ("%r: EKS needs a colon before %s (for example 'ci:%s')" % (username, placeholder, placeholder))
    return None


def validate_entries(items, partition):
    """The module's ``entries`` -> desired entries keyed by principal ARN (in item order), or
    AccessEntryError with every problem."""
    problems, out = [], {}
    for i, item in enumerate(items or []):
        at = _where(i, item)
        arn = item.get("principal_arn")
        bad = _principal_problem(arn)
        if bad:
            problems.append("%s.principal_arn: %s" % (at, bad))
            continue
        if arn in out:
            problems.append("%s: listed twice (also at entries[%d])" % (at, out[arn]["index"]))
            continue
        kind = item.get("type") or STANDARD
        state = item.get("state") or "present"
        groups, username, policies = item.get("kubernetes_groups"), item.get("username"), item.get("access_policies")
        if kind in NODE_TYPES:
            if not _names.is_valid(arn, "role_arn"):
                problems.append("%s.type: %s entries are for roles (the nodes' role), not users" % (at, kind))
            for key, value in (("kubernetes_groups", groups), ("username", username), ("access_policies", policies)):
                if value:
                    problems.append("%s.%s: EKS sets it for %s entries itself; leave it out" % (at, key, kind))
        bad_name = username_problem(username)
        if bad_name:
            problems.append("%s.username: %s" % (at, bad_name))
        for j, group in enumerate(groups or []):
            if not isinstance(group, str) or not group or group.startswith("system:"):
                hint = (" (for cluster admin, give the access policy %s at cluster scope)" % CLUSTER_ADMIN
                        if group == "system:masters" else "")
                problems.append("%s.kubernetes_groups[%d]: %r; EKS refuses empty groups and groups starting with "
                                "'system:'%s" % (at, j, group, hint))
        wanted = None
        if policies is not None:
            wanted = {}
            for j, pol in enumerate(policies):
                here = "%s.access_policies[%d]" % (at, j)
                parn = policy_arn(pol.get("policy"), partition)
                if parn is None:
                    problems.append("%s.policy: %r is not an EKS access policy (a name such as AmazonEKSViewPolicy, "
                                    "or its arn:%s:eks::aws:cluster-access-policy/ ARN)"
                                    % (here, pol.get("policy"), partition))
                    continue
                scope = pol.get("scope") or "cluster"
                namespaces = sorted(set(pol.get("namespaces") or []))
                if scope == "namespace" and not namespaces:
                    problems.append("%s.namespaces: a namespace scope needs its namespaces" % here)
                if scope == "cluster" and namespaces:
                    problems.append("%s.namespaces: only with scope namespace" % here)
                for ns in namespaces:
                    if not _names.is_valid(ns.replace("*", "x"), "dns_label"):
                        problems.append("%s.namespaces: %r is not a namespace name" % (here, ns))
                if parn in wanted:
                    problems.append("%s: %s is listed twice for this entry" % (here, policy_name(parn)))
                wanted[parn] = {"type": scope, "namespaces": namespaces}
        out[arn] = {"index": i, "where": at, "principal_arn": arn, "type": kind, "state": state,
                    "kubernetes_groups": None if groups is None else sorted(set(groups)),
                    "username": username, "tags": dict(item.get("tags") or {}), "policies": wanted}
    if problems:
        raise AccessEntryError(problems)
    return out


def admin_policy_problems(desired, allow_cluster_admin):
    """Admin-level policies at cluster scope are refused unless allowed."""
    problems = []
    for d in desired.values():
        for parn, scope in (d["policies"] or {}).items():
            if d["state"] == "present" and policy_name(parn) in ADMIN_LEVEL and scope["type"] == "cluster" \
                    and not allow_cluster_admin:
                problems.append("%s: %s at cluster scope makes %s an administrator of the whole cluster; give it "
                                "a namespace scope, or set allow_cluster_admin=true if that is meant"
                                % (d["where"], policy_name(parn), d["principal_arn"]))
    return problems


def managed(entry):
    return managed_by(entry, MANAGED_VALUE)


def entry_view(entry, policies):
    """An entry as the modules return it (its access policies keyed by name, when read)."""
    if entry is None:
        return {}
    out = {"principal_arn": entry["principalArn"], "type": entry.get("type"), "username": entry.get("username"),
           "kubernetes_groups": sorted(entry.get("kubernetesGroups") or []), "tags": dict(entry.get("tags") or {})}
    if policies is not None:
        out["access_policies"] = dict((policy_name(arn), dict(scope)) for arn, scope in sorted(policies.items()))
    return out


def current_policies(associated):
    """ListAssociatedAccessPolicies' items -> ``{policy arn: {type, namespaces}}``."""
    return dict((p["policyArn"], {"type": p["accessScope"]["type"],
                                  "namespaces": sorted(p["accessScope"].get("namespaces") or [])})
                for p in associated or [])


def plan(current, desired, purge=False, purge_policies=True, allow_system_entry_removal=False, purge_selector=None):
    """``current``: ``{principal: {"entry": DescribeAccessEntry answer, "policies": {arn: scope} or
    None (not read)}}`` for the listed principals the run needs; ``desired``: validate_entries'.
    ``purge`` deletes the managed entries not desired that carry every tag of ``purge_selector``.
    Returns (steps, results, problems): each step ``{"call", "params"}``, results per entry
    (``before``/``after`` views, ``changed``)."""
    steps, results, problems = [], [], []
    for arn, d in desired.items():
        cur = current.get(arn)
        entry = cur["entry"] if cur else None
        before = entry_view(entry, cur["policies"] if cur else None)
        if d["state"] == "absent":
            if entry is None:
                results.append(_result(d, before, {}, False))
                continue
            problems.extend(_removal_problems(d["where"], entry, cur["policies"], allow_system_entry_removal))
            steps.append(_step("delete_access_entry", principalArn=arn))
            results.append(_result(d, before, {}, True))
            continue
        tags = dict(d["tags"])
        tags[MANAGED_TAG] = MANAGED_VALUE
        n = len(steps)
        if entry is None:
            params = {"principalArn": arn, "type": d["type"], "tags": tags}
            if d["kubernetes_groups"]:
                params["kubernetesGroups"] = d["kubernetes_groups"]
            if d["username"]:
                params["username"] = d["username"]
            steps.append(_step("create_access_entry", **params))
            have = {}
            after = {"principal_arn": arn, "type": d["type"], "username": d["username"],
                     "kubernetes_groups": d["kubernetes_groups"] or [], "tags": tags}
        else:
            if entry.get("type") != d["type"]:
                problems.append("%s.type: the entry exists as %s; EKS cannot change an entry's type (remove it with "
                                "state absent first)" % (d["where"], entry.get("type")))
                continue
            update = {}
            if d["kubernetes_groups"] is not None and sorted(entry.get("kubernetesGroups") or []) != \
                    d["kubernetes_groups"]:
                update["kubernetesGroups"] = d["kubernetes_groups"]
            if d["username"] and entry.get("username") != d["username"]:
                update["username"] = d["username"]
            if update:
                steps.append(_step("update_access_entry", principalArn=arn, **update))
            missing = tags_to_add(entry.get("tags"), tags)
            if missing:
                steps.append(_step("tag_resource", resourceArn=entry["accessEntryArn"], tags=missing))
            have = cur["policies"] or {}
            after = dict(before)
            after["kubernetes_groups"] = update.get("kubernetesGroups", before["kubernetes_groups"])
            after["username"] = update.get("username", before["username"])
            after["tags"] = dict(before["tags"], **missing)
        if d["policies"] is not None:
            for parn, scope in sorted(d["policies"].items()):
                if have.get(parn) != scope:
                    steps.append(_step("associate_access_policy", principalArn=arn, policyArn=parn,
                                       accessScope=dict(scope)))
            extra = sorted(p for p in have if p not in d["policies"]) if purge_policies else []
            for parn in extra:
                steps.append(_step("disassociate_access_policy", principalArn=arn, policyArn=parn))
            kept = dict((p, s) for p, s in have.items() if p not in extra)
            kept.update(d["policies"])
            after["access_policies"] = dict((policy_name(p), dict(s)) for p, s in sorted(kept.items()))
        results.append(_result(d, before, after, len(steps) > n))
    for arn in sorted(current):
        entry = current[arn]["entry"]
        if purge and arn not in desired and entry is not None and managed(entry) and carries_tags(entry, purge_selector):
            where = "purge (%s)" % arn
            problems.extend(_removal_problems(where, entry, current[arn]["policies"], allow_system_entry_removal))
            steps.append(_step("delete_access_entry", principalArn=arn))
            results.append({"principal_arn": arn, "state": "absent", "changed": True,
                            "before": entry_view(entry, current[arn]["policies"]), "after": {}})
    return steps, results, problems


def _removal_problems(where, entry, policies, allowed):
    if allowed:
        return []
    if entry.get("type") in NODE_TYPES:
        return ["%s: the %s entry of a node role lets the nodes join the cluster; set allow_system_entry_removal=true "
                "to remove it" % (where, entry.get("type"))]
    if not managed(entry) and any(policy_name(p) == CLUSTER_ADMIN for p in (policies or {})):
        return ["%s: an administrator entry this module did not create (EKS's entry for the cluster creator, or a "
                "break-glass admin); set allow_system_entry_removal=true to remove it" % where]
    return []


def admins_after(admins_before, steps):
    """The principals holding AmazonEKSClusterAdminPolicy once ``steps`` ran."""
    out = set(admins_before)
    for step in steps:
        p = step["params"]
        if step["call"] == "delete_access_entry":
            out.discard(p["principalArn"])
        elif step["call"] == "disassociate_access_policy" and policy_name(p["policyArn"]) == CLUSTER_ADMIN:
            out.discard(p["principalArn"])
        elif step["call"] == "associate_access_policy" and policy_name(p["policyArn"]) == CLUSTER_ADMIN \
                and p["accessScope"]["type"] == "cluster":
            out.add(p["principalArn"])
    return out


def removes_admin(steps):
    def removes(step):
        if step["call"] == "delete_access_entry":
            return True
        return step["call"] == "disassociate_access_policy" and policy_name(step["params"]["policyArn"]) == CLUSTER_ADMIN
    return any(removes(s) for s in steps)


def _step(call, **params):
    return {"call": call, "params": params}


def _result(d, before, after, changed):
    return {"principal_arn": d["principal_arn"], "state": d["state"], "changed": changed, "before": before,
            "after": after}


def admin_entries(principals):
    """``eks_access_entry`` entries that make each principal a cluster admin
    (AmazonEKSClusterAdminPolicy at cluster scope): who is admin, said in the inventory."""
    return [{"principal_arn": arn, "access_policies": [{"policy": CLUSTER_ADMIN, "scope": "cluster"}]}
            for arn in principals or []]
