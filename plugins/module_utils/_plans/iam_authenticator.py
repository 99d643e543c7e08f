# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan of the ``iam_authenticator`` role (pure; filter ``hardened.eks.iam_authenticator_plan``).

From the inventory (grants, groups, namespaces) and the role's own tables (levels, the rules of
the ClusterRoles it writes, forbidden verbs and resources), compute the aws-auth entries, the
namespaces, the RBAC objects and the users' kubeconfig list, and every problem found, each
naming the variable, the item and the reason. The role writes nothing while ``problems`` is not
empty.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hardened.eks.plugins.module_utils import _names
from ansible_collections.hardened.eks.plugins.module_utils.aws_auth import check_arn
from ansible_collections.hardened.eks.plugins.module_utils._eks.access import CLUSTER_ADMIN
from ansible_collections.hardened.eks.plugins.module_utils._eks.access import username_problem
from ansible_collections.hardened.eks.plugins.module_utils._plans.common import (
    Problems,
    as_bool,
    is_list,
    is_str,
    namespace_names,
    namespace_objects,
    object_key,
    where,
)

RBAC = "rbac.authorization.k8s.io"
RBAC_V1 = RBAC + "/v1"
# Group names name RBAC objects (hardened-eks:group:<name>); grant names name kubeconfig files.
GROUP_NAME_RE = re.compile(r"^[a-z0-9](?:[-a-z0-9:._]{0,200}[a-z0-9])?$")
GRANT_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
SESSION = "{{SessionName}}"
ACCESS_MODES = ("config_map", "access_entries", "both")


def _subject(group):
    return [{"apiGroup": RBAC, "kind": "Group", "name": group}]


def _binding(kind, name, namespace, labels, role_kind, role_name, group):
    meta = {"name": name, "labels": labels}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": RBAC_V1, "kind": kind, "metadata": meta,
            "roleRef": {"apiGroup": RBAC, "kind": role_kind, "name": role_name},
            "subjects": _subject(group)}


def _role(kind, name, namespace, labels, rules):
    meta = {"name": name, "labels": labels}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": RBAC_V1, "kind": kind, "metadata": meta, "rules": rules}


def _custom_rules(group, at, p, cfg):
    rules = group.get("rules")
    if not is_list(rules) or not rules:
        p.add(at, ".rules: must be a non-empty list of RBAC rules (apiGroups, resources, verbs)")
        return []
    clean = []
    for i, rule in enumerate(rules):
        rat = "%s.rules[%d]" % (at, i)
        r = rule if isinstance(rule, dict) else {}
        api_groups = r.get("apiGroups")
        resources = r.get("resources") or []
        verbs = r.get("verbs") or []
        names = r.get("resourceNames") or []
        if (not isinstance(rule, dict) or not is_list(api_groups) or not is_list(resources)
                or not is_list(verbs) or not resources or not verbs):
            p.add(rat, ": needs apiGroups, resources and verbs, each a list (apiGroups [\"\"] for the core group)")
            continue
        bad_verbs = [v for v in verbs if v in cfg["forbidden_verbs"]]
        bad_res = [x for x in resources if x in cfg["forbidden_resources"] and not (x == "secrets" and names)]
        if bad_verbs:
            p.add(rat, ".verbs: %s would let the group escalate or act as anyone; not allowed in a custom group"
                  % ", ".join(bad_verbs))
        if bad_res:
            p.add(rat, ".resources: %s not allowed in a custom group (secrets only with resourceNames)"
                  % ", ".join(bad_res))
        if "*" in api_groups:
            p.add(rat, ".apiGroups: '*' grants every present and future API group; list them")
        out = {"apiGroups": list(api_groups), "resources": list(resources), "verbs": list(verbs)}
        if names:
            out["resourceNames"] = list(names)
        clean.append(out)
    return clean


def _groups(cfg, p, namespaces):
    """(objects, group name -> its namespaces) of iam_authenticator_groups."""
    prefix, labels, levels = cfg["prefix"], cfg["labels"], cfg["levels"]
    allow_admin = as_bool(cfg["allow_cluster_admin"])
    objects, written_roles, group_ns = [], [], {}
    for i, group in enumerate(cfg["groups"]):
        if not isinstance(group, dict):
            p.add("iam_authenticator_groups[%d]" % i, ": must be a mapping with name and level or rules")
            continue
        gname = group.get("name", "")
        at = where("iam_authenticator_groups", i, gname)
        if not is_str(gname) or not GROUP_NAME_RE.match(gname):
            p.add(at, ".name: %r must be lower case letters, digits and - : . _ (it names RBAC objects)" % (gname,))
        elif gname.startswith("system:"):
            p.add(at, ".name: groups starting with 'system:' belong to Kubernetes and EKS; pick another name")
        elif gname in group_ns:
            p.add(at, ".name: the group is defined twice")
        gns = group.get("namespaces") or []
        if not is_list(gns):
            p.add(at, ".namespaces: must be a list of namespace names")
            gns = []
        group_ns[gname] = list(gns)
        for j, name in enumerate(gns):
            if not _names.is_valid(name, "dns_label"):
                p.add(at, ".namespaces[%d]: %r is not a namespace name" % (j, name))
            elif name not in namespaces:
                namespaces.append(name)
        has_rules = group.get("rules") is not None
        level = group.get("level", "custom" if has_rules else "")
        if has_rules and "level" in group:
            p.add(at, ": give either level or rules, not both")
        elif level == "custom":
            rules = _custom_rules(group, at, p, cfg)
            rname = prefix + "group:" + str(gname)
            bname = "%s%s:custom" % (prefix, gname)
            for name in gns or [None]:
                kind, bkind = ("Role", "RoleBinding") if name else ("ClusterRole", "ClusterRoleBinding")
                objects.append(_role(kind, rname, name, labels, rules))
                objects.append(_binding(bkind, bname, name, labels, kind, rname, gname))
        elif not is_str(level) or level not in levels:
            p.add(at, ".level: %r is not one of %s (or give rules)" % (level, ", ".join(levels)))
        else:
            lv = levels[level]
            if level == "cluster-admin" and not allow_admin:
                p.add(at, ".level: cluster-admin gives full control of the cluster; set "
                          "iam_authenticator_allow_cluster_admin=true if that is intended")
            if not gns and not lv["cluster_wide"]:
                p.add(at, ".namespaces: level %s is granted per namespace; list its namespaces" % level)
            elif gns and not lv["namespaced"]:
                p.add(at, ".namespaces: level %s is cluster-wide only; remove namespaces" % level)
            cluster_role = lv["cluster_role"]
            if lv["create"] and cluster_role not in written_roles:
                written_roles.append(cluster_role)
                objects.append(_role("ClusterRole", cluster_role, None, labels, cfg["cluster_role_rules"][cluster_role]))
            bname = "%s%s:%s" % (prefix, gname, level)
            for name in gns or [None]:
                bkind = "RoleBinding" if name else "ClusterRoleBinding"
                objects.append(_binding(bkind, bname, name, labels, "ClusterRole", cluster_role, gname))
    return objects, group_ns


def _arn_problem(arn):
    kind = "roles" if isinstance(arn, str) and ":role/" in arn else "users"
    details = check_arn(arn, kind) if isinstance(arn, str) else []
    if _names.is_principal_arn(arn) and not details:
        return None
    if details:
        return "; ".join(details)
    return "%r is not an IAM role or user ARN (arn:<partition>:iam::<12 digits>:role/<name> or :user/<name>; " \
           "for SSO use the role, not an assumed-role session)" % (arn,)


def _access_entry(entry, cfg):
    """The eks_access_entry item of a grant: its Kubernetes groups (the RBAC this role writes
    binds them), its username, and the cluster admin access policy in place of system:masters
    (which EKS refuses as a group). Policies are managed: none unless the grant is an admin."""
    groups = [g for g in entry["groups"] if g != cfg["admin_group"]]
    policies = [{"policy": CLUSTER_ADMIN, "scope": "cluster"}] if cfg["admin_group"] in entry["groups"] else []
    return {"principal_arn": entry["arn"], "kubernetes_groups": groups, "username": entry["username"],
            "access_policies": policies, "tags": dict(cfg.get("entry_tags") or {})}


def _grants(cfg, p, group_ns):
    grants, roles, users, arns, names = [], [], [], [], []
    allow_admin = as_bool(cfg["allow_cluster_admin"])
    entries_too = cfg.get("access_mode", "config_map") in ("access_entries", "both")
    for i, grant in enumerate(cfg["grants"]):
        if not isinstance(grant, dict):
            p.add("iam_authenticator_grants[%d]" % i, ": must be a mapping with arn, username and groups")
            continue
        arn = grant.get("arn", "")
        at = where("iam_authenticator_grants", i, arn)
        problem = _arn_problem(arn)
        if problem:
            p.add(at, ".arn: " + problem)
        elif arn.lower() in arns:
            p.add(at, ".arn: granted twice (the authenticator honours only the last entry); merge the groups into one grant")
        arns.append(str(arn).lower())
        username = grant.get("username", "")
        if not is_str(username) or not username:
            p.add(at, ".username: required (for example !unsafe 'ci:{{SessionName}}', so the audit log names the session)")
        groups = grant.get("groups") or []
        if not is_list(groups) or not groups:
            p.add(at, ".groups: a non-empty list of groups from iam_authenticator_groups")
            groups = []
        for grp in groups:
            if grp in cfg["reserved_groups"]:
                p.add(at, ".groups: %s is for node and Fargate roles (the cluster role maps those); not for people "
                          "or pipelines" % grp)
            elif grp == cfg["admin_group"]:
                if not allow_admin:
                    p.add(at, ".groups: system:masters is unrevocable cluster-admin (it bypasses RBAC); set "
                              "iam_authenticator_allow_cluster_admin=true if that is intended")
            elif grp not in group_ns and grp not in cfg["external_groups"]:
                p.add(at, ".groups: %r is not defined in iam_authenticator_groups (nor listed in "
                          "iam_authenticator_external_groups); the identity would get no permissions" % (grp,))
        gname = grant.get("name", str(arn).rsplit("/", 1)[-1])
        if not is_str(gname) or not GRANT_NAME_RE.match(gname):
            p.add(at, ".name: %r must be letters, digits, _ . - (it names the kubeconfig file)" % (gname,))
        elif gname in names:
            p.add(at, ".name: %r is used by another grant (set name: on one of them)" % (gname,))
        names.append(gname)
        first_ns = [n for grp in groups for n in group_ns.get(grp, [])]
        kind = "role" if ":role/" in str(arn) else "user"
        # Role grants get the session name appended (the audit log then names who assumed the
        # role), unless the username already holds a placeholder or session_name is false.
        session = as_bool(grant.get("session_name", kind == "role"))
        if session and is_str(username) and username and "{{" not in username:
            username = username + ":" + SESSION
        entry = {"arn": arn, "username": username, "groups": list(groups)}
        bad_name = username_problem(username) if entries_too else None
        if bad_name:
            p.add(at, ".username: an access entry refuses it: " + bad_name)
        grants.append({"name": gname, "arn": arn, "kind": kind, "username": username, "groups": list(groups),
                       "kubeconfig": as_bool(grant.get("kubeconfig", True)),
                       "namespace": grant.get("namespace", first_ns[0] if first_ns else "default"),
                       "aws_profile": grant.get("aws_profile", "")})
        (roles if kind == "role" else users).append(entry)
    return grants, roles, users


def plan(cfg):
    """The plan of the role. ``cfg`` holds the inventory and the role's tables:

    namespaces, groups, grants, external_groups, allow_cluster_admin, access_mode (inventory);
    levels, cluster_role_rules, labels, prefix, reserved_groups, admin_group, forbidden_verbs,
    forbidden_resources, entry_tags (vars/main.yml).

    ``access_mode``: ``config_map`` (aws-auth entries only), ``access_entries`` (EKS access
    entries only) or ``both`` (during a migration). Either way the permissions are the RBAC this
    role writes for the groups; access entries carry the groups, and the cluster admin access
    policy where a grant holds system:masters.
    """
    p = Problems()
    for var in ("grants", "groups", "namespaces", "external_groups"):
        if not is_list(cfg.get(var)):
            p.add("iam_authenticator_" + var, ": must be a list")
            cfg = dict(cfg, **{var: []})
    mode = cfg.get("access_mode", "config_map")
    if mode not in ACCESS_MODES:
        p.add("iam_authenticator_access_mode", ": %r is not one of %s" % (mode, ", ".join(ACCESS_MODES)))
    namespaces = namespace_names(cfg["namespaces"], "iam_authenticator_namespaces", p)
    objects, group_ns = _groups(cfg, p, namespaces)
    grants, roles, users = _grants(cfg, p, group_ns)
    entries = [_access_entry(e, cfg) for e in roles + users] if mode in ("access_entries", "both") else []
    if mode == "access_entries":
        roles, users = [], []
    return {
        "problems": p.items,
        "access_mode": mode,
        "grants": grants,
        "aws_auth_roles": roles,
        "aws_auth_users": users,
        "access_entries": entries,
        "namespaces": namespaces,
        "namespace_objects": namespace_objects(namespaces),
        "rbac": objects,
        "rbac_keys": [object_key(o) for o in objects],
    }


def unmapped(before, now):
    """Entries an earlier run mapped (``before``: the record) that ``now`` no longer maps.

    ARNs are compared case-insensitively, as the authenticator matches them. Returns
    ``{'roles': [{'arn': ...}], 'users': [...]}`` for aws_auth_mapping state=absent.
    """
    out = {"roles": [], "users": []}
    for kind in out:
        keep = set(a.lower() for a in (now or {}).get(kind) or [])
        for arn in (before or {}).get(kind) or []:
            if arn.lower() not in keep:
                keep.add(arn.lower())
                out[kind].append({"arn": arn})
    return out
