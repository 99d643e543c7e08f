# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""aws-auth and RBAC checks: the ConfigMap parses, node roles are mapped, no unexpected
system:masters, no role paths, no duplicates, every group bound; the sensitive actions each
mapped identity may do (asked of the API server with SubjectAccessReviews).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hardened.eks.plugins.module_utils._audit.common import DEFAULT_BUILTIN_GROUPS
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import FAIL
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import MASTERS_GROUP
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import NODE_BUILTIN_ACTIONS
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import NODE_GROUP
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import PASS
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import PLACEHOLDER_SAMPLES
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import SENSITIVE_ACTIONS
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import SENSITIVE_ACTION_IDS
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import WARN
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import _join
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import result
from ansible_collections.hardened.eks.plugins.module_utils.aws_auth import entry_field as _field
from ansible_collections.hardened.eks.plugins.module_utils.aws_auth import normalize_role_arn


def mapped_entries(parsed):
    """Parsed aws-auth (``{"mapRoles": [...], "mapUsers": [...], ...}``) -> list of
    ``{kind, index, arn, username, groups}`` (SSO matchers without ARN are skipped)."""
    out = []
    for key, kind, field in (("mapRoles", "role", "rolearn"), ("mapUsers", "user", "userarn")):
        for i, entry in enumerate((parsed or {}).get(key) or []):
            arn = _field(entry, field)[1]
            if not isinstance(arn, str):
                continue
            out.append({"kind": kind, "where": "%s[%d]" % (key, i), "arn": arn,
                        "username": _field(entry, "username")[1],
                        "groups": list(_field(entry, "groups")[1] or [])})
    return out


def check_aws_auth_parses(parse_error, configmap_found=True):
    check = "aws_auth.parses"
    if not configmap_found:
        return result(check, FAIL, "ConfigMap kube-system/aws-auth not found",
                      "create aws-auth with the node role mapping (hardened.eks.aws_auth_mapping)")
    if parse_error:
        return result(check, FAIL, parse_error,
                      "fix the named key: the authenticator ignores a key it cannot parse, which "
                      "locks out everyone mapped in it")
    return result(check, PASS, "mapRoles, mapUsers and mapAccounts parse")


def check_node_roles_mapped(entries, node_role_arns):
    check = "aws_auth.node_roles"
    if not node_role_arns:
        return result(check, WARN, "no node role to look for (no node groups and none listed)",
                      "list the node roles in the inventory")
    by_arn = {}
    for e in entries:
        if e["kind"] == "role":
            by_arn[normalize_role_arn(e["arn"]).lower()] = e  # the last one wins, as in the authenticator
    bad, good = [], []
    for arn in node_role_arns:
        e = by_arn.get(normalize_role_arn(arn).lower())
        if e is None:
            bad.append("%s is not mapped" % arn)
            continue
        lacking = [g for g in ("system:bootstrappers", NODE_GROUP) if g not in e["groups"]]
        if lacking:
            bad.append("%s (%s) lacks %s" % (arn, e["where"], ", ".join(lacking)))
        elif not str(e.get("username") or "").startswith("system:node:"):
            bad.append("%s (%s): username %r does not start with system:node:" % (arn, e["where"], e.get("username")))
        else:
            good.append("%s (%s)" % (arn.split("/")[-1], e["where"]))
    if bad:
        return result(check, FAIL, _join(bad),
                      "map each node role with username system:node:{{EC2PrivateDNSName}} and groups "
                      "system:bootstrappers, system:nodes")
    return result(check, PASS, "mapped: " + _join(good))


def check_masters(entries, allowed_masters):
    check = "aws_auth.masters"
    allowed = set(normalize_role_arn(a).lower() for a in allowed_masters or [])
    found = [e for e in entries if MASTERS_GROUP in e["groups"]]
    bad = ["%s (%s)" % (e["arn"], e["where"]) for e in found if normalize_role_arn(e["arn"]).lower() not in allowed]
    if bad:
        return result(check, FAIL, "mapped to system:masters without being allowed: " + _join(bad),
                      "remove the mapping (aws_auth_mapping state=absent) and map a group bound to a "
                      "narrower ClusterRole; or list the ARN in the allowed masters")
    if found:
        return result(check, PASS, "system:masters only for allowed: " + _join(e["arn"] for e in found))
    return result(check, PASS, "no system:masters mapping")


def check_role_paths(entries):
    check = "aws_auth.role_paths"
    bad = ["%s (%s) never matches; map %s" % (e["arn"], e["where"], normalize_role_arn(e["arn"]))
           for e in entries if e["kind"] == "role" and normalize_role_arn(e["arn"]) != e["arn"]]
    if bad:
        return result(check, FAIL, _join(bad),
                      "the authenticator matches role ARNs without their path: rewrite the ARN as "
                      "role/<name> (aws_auth_mapping normalize_arns)")
    return result(check, PASS, "no role ARN with a path")


def check_duplicates(entries):
    check = "aws_auth.duplicates"
    seen = {}
    for e in entries:
        key = (normalize_role_arn(e["arn"]) if e["kind"] == "role" else e["arn"]).lower()
        seen.setdefault(key, []).append(e["where"])
    dups = ["%s in %s" % (k, ", ".join(v)) for k, v in seen.items() if len(v) > 1]
    if dups:
        return result(check, FAIL, _join(dups),
                      "keep one entry per ARN: the authenticator honours only the last one, so the "
                      "others are silently ignored")
    return result(check, PASS, "%d distinct ARNs" % len(seen))


def bound_groups(bindings):
    """Group subjects of RoleBindings/ClusterRoleBindings (the items of the two lists)."""
    out = {}
    for b in bindings or []:
        meta = b.get("metadata") or {}
        where = ("%s/%s" % (meta.get("namespace"), meta.get("name")) if meta.get("namespace")
                 else meta.get("name"))
        for s in b.get("subjects") or []:
            if s.get("kind") == "Group":
                out.setdefault(s.get("name"), []).append(where)
    return out


def check_group_bindings(entries, bindings, builtin_groups=DEFAULT_BUILTIN_GROUPS):
    check = "aws_auth.group_bindings"
    bound = bound_groups(bindings)
    builtin = set(builtin_groups or [])
    unbound, ok = [], []
    groups = []
    for e in entries:
        for g in e["groups"]:
            if g not in groups:
                groups.append(g)
    for g in groups:
        users = [e["arn"] for e in entries if g in e["groups"]]
        if g in bound:
            ok.append("%s -> %s" % (g, ", ".join(bound[g][:3])))
        elif g in builtin:
            ok.append("%s (built in)" % g)
        else:
            unbound.append("%s (mapped for %s)" % (g, ", ".join(users)))
    if unbound:
        return result(check, FAIL, "groups without any RoleBinding/ClusterRoleBinding: " + _join(unbound),
                      "bind the group to a least-privilege Role/ClusterRole (iam_authenticator role), "
                      "or fix the group name in aws-auth if it is a typo")
    return result(check, PASS, _join(ok) if ok else "no groups mapped")


# ============================================================================================
# RBAC: SubjectAccessReviews for every mapped identity
# ============================================================================================
def sar_identity(entry, account_id):
    """The user and groups the authenticator gives an aws-auth entry, with sample values for
    the placeholders; what the SubjectAccessReviews are asked for."""
    username = entry.get("username")
    if not username:
        # the authenticator's default: the caller's ARN (a session of the role)
        if entry["kind"] == "role":
            arn = normalize_role_arn(entry["arn"])
            parts = arn.split(":")
            username = "arn:%s:sts::%s:assumed-role/%s/{{SessionName}}" % (parts[1], parts[4], arn.split("/")[-1])
        else:
            username = entry["arn"]
    samples = dict(PLACEHOLDER_SAMPLES)
    samples["{{AccountID}}"] = account_id or (entry["arn"].split(":")[4] if entry["arn"].count(":") >= 5 else "")
    for k, v in samples.items():
        username = username.replace(k, v)
    groups = list(entry["groups"]) + ["system:authenticated"]
    return {"arn": entry["arn"], "where": entry["where"], "user": username, "groups": groups}


def sar_body(identity, attrs):
    spec = {"user": identity["user"], "groups": identity["groups"],
            "resourceAttributes": dict({"namespace": "", "group": ""}, **attrs)}
    return {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": spec}


def granted_actions(identity, grants, allowed_masters):
    """The sensitive action ids the inventory grants an identity (``*`` = all)."""
    out = set()
    arn = normalize_role_arn(identity["arn"]).lower()
    if arn in set(normalize_role_arn(a).lower() for a in allowed_masters or []):
        out.update(SENSITIVE_ACTION_IDS)
    if NODE_GROUP in identity["groups"]:
        out.update(NODE_BUILTIN_ACTIONS)
    for g in grants or []:
        hit = False
        if g.get("arn") and normalize_role_arn(g["arn"]).lower() == arn:
            hit = True
        if g.get("group") and g["group"] in identity["groups"]:
            hit = True
        if g.get("username") and g["username"] == identity["user"]:
            hit = True
        if hit:
            actions = g.get("actions") or []
            out.update(SENSITIVE_ACTION_IDS if "*" in actions else actions)
    return out


def check_sensitive_actions(identities, answers, grants, allowed_masters):
    """``answers``: ``{arn: {action_id: allowed (bool)}}`` from the SubjectAccessReviews."""
    check = "rbac.sensitive_actions"
    if not identities:
        return result(check, WARN, "no mapped identity to review", "")
    bad, notes = [], []
    for ident in identities:
        got = answers.get(ident["arn"]) or {}
        allowed = [a for a in SENSITIVE_ACTION_IDS if got.get(a)]
        granted = granted_actions(ident, grants, allowed_masters)
        beyond = [a for a in allowed if a not in granted]
        if beyond:
            bad.append("%s (as %s) can %s" % (ident["arn"], ident["user"], ", ".join(beyond)))
        elif allowed:
            notes.append("%s: %s (granted)" % (ident["arn"].split("/")[-1], ", ".join(allowed)))
    n = len(identities) * len(SENSITIVE_ACTIONS)
    if bad:
        return result(check, FAIL, _join(bad) + " [%d SubjectAccessReviews]" % n,
                      "find the binding that grants it (kubectl auth can-i --list --as ... ) and narrow "
                      "it, or grant the action in the inventory if it is intended")
    return result(check, PASS, "%d identities x %d actions reviewed; %s" % (
        len(identities), len(SENSITIVE_ACTIONS), _join(notes) if notes else "nothing sensitive allowed"))
