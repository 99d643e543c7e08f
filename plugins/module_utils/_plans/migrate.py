# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan of ``playbooks/migrate.yml`` (pure; filter ``hardened.eks.migrate_plan``): every
aws-auth mapping as the access entry that gives the same principal the same username and
Kubernetes groups, and what stands between the cluster and the ``API`` authentication mode.

- A role is written in aws-auth without its path (the authenticator drops it); its access entry
  needs the full IAM ARN, so the role is looked up by name in the account's roles.
- Node roles (groups ``system:nodes``) become ``EC2_LINUX`` entries (``EC2_WINDOWS`` with
  ``eks:kube-proxy-windows``, ``FARGATE_LINUX`` with ``system:node-proxier``), which EKS gives
  the node username and groups itself.
- ``system:masters`` (refused by EKS as a group) becomes ``AmazonEKSClusterAdminPolicy`` at
  cluster scope, only when allowed.
- What has no equivalent (another account's role, an SSO matcher, ``mapAccounts``, a username
  EKS refuses) is listed: it blocks ``API`` mode, where aws-auth is no longer read.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hardened.eks.plugins.module_utils import _names
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.parse import AwsAuthParseError
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.parse import entry_field
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.parse import parse_aws_auth
from ansible_collections.hardened.eks.plugins.module_utils._eks.access import ASSUMED_ROLE_RE
from ansible_collections.hardened.eks.plugins.module_utils._eks.access import CLUSTER_ADMIN
from ansible_collections.hardened.eks.plugins.module_utils._eks.access import username_problem
from ansible_collections.hardened.eks.plugins.module_utils._plans.common import Problems
from ansible_collections.hardened.eks.plugins.module_utils._plans.common import as_bool

ADMIN_GROUP = "system:masters"


def caller_principal(arn, roles_by_name):
    """The IAM principal of STS GetCallerIdentity's ARN: an assumed role as its role (with path)."""
    m = ASSUMED_ROLE_RE.match(arn) if isinstance(arn, str) else None
    if m:
        return roles_by_name.get(m.group(3).lower()) or "arn:%s:iam::%s:role/%s" % m.groups()
    return arn


def _arn(item, kind):
    return entry_field(item, "rolearn" if kind == "role" else "userarn")[1]


def _entry_type(groups):
    if "system:nodes" not in groups:
        return "STANDARD"
    if "system:node-proxier" in groups:
        return "FARGATE_LINUX"
    if "eks:kube-proxy-windows" in groups:
        return "EC2_WINDOWS"
    return "EC2_LINUX"


def _mapping(item, kind, cfg, roles_by_name, p, skipped):
    """One aws-auth mapping -> the eks_access_entry item, or None (skipped, with the reason)."""
    arn = _arn(item, kind)
    groups = list(entry_field(item, "groups")[1] or [])
    username = entry_field(item, "username")[1]
    split = _names.principal_parts(arn)
    where = "aws-auth %s %s" % ("mapRoles" if kind == "role" else "mapUsers", arn)
    if split is None:
        skipped.append({"arn": arn, "reason": "not an IAM role or user ARN"})
        return None
    account, _kind, name = split
    if account != cfg["account"]:
        skipped.append({"arn": arn, "reason": "a principal of account %s; its full ARN (with path) cannot be read "
                                              "from this account: give it an access entry yourself" % account})
        return None
    principal = arn
    if kind == "role":
        principal = roles_by_name.get(name.lower())
        if principal is None:
            skipped.append({"arn": arn, "reason": "no IAM role %s in account %s (gone?)" % (name, account)})
            return None
    entry_type = _entry_type(groups)
    out = {"principal_arn": principal, "type": entry_type, "tags": dict(cfg.get("tags") or {})}
    if entry_type != "STANDARD":
        if kind != "role":
            p.add(where, ": a user mapped to system:nodes; node entries are for roles")
            return None
        return out
    bad_groups = [g for g in groups if g.startswith("system:") and g != ADMIN_GROUP]
    if bad_groups:
        p.add(where, ": groups %s are EKS's own and cannot be given to an access entry; remove them from the "
                     "mapping first" % ", ".join(bad_groups))
        return None
    refused = username_problem(username)
    if refused:
        p.add(where, ".username: an access entry refuses it: " + refused)
        return None
    policies = []
    if ADMIN_GROUP in groups:
        if not as_bool(cfg.get("allow_cluster_admin")):
            p.add(where, ": system:masters becomes AmazonEKSClusterAdminPolicy at cluster scope; set "
                         "migrate_allow_cluster_admin=true if that principal is meant to stay an admin")
            return None
        policies = [{"policy": CLUSTER_ADMIN, "scope": "cluster"}]
    out.update(kubernetes_groups=sorted(g for g in groups if g != ADMIN_GROUP), access_policies=policies)
    if username:
        out["username"] = username
    return out


def _state(source, before, now):
    if source["principal_arn"] in before:
        return " (exists, kept)"
    return "" if source["principal_arn"] in now else " (to make)"


def plan(cfg):
    """``cfg``: aws_auth (the ConfigMap's data), roles (amazon.aws.iam_role_info's iam_roles),
    account, caller_arn (STS GetCallerIdentity), allow_cluster_admin, tags, entries_now
    (eks_access_entry_info's entries, [] before any exists) and entries_made (eks_access_entry's
    entries result, when the entries step ran)."""
    p = Problems()
    try:
        parsed = parse_aws_auth(cfg.get("aws_auth") or {})
    except AwsAuthParseError as exc:
        for problem in exc.problems:
            p.add("aws-auth ", problem)
        parsed = {"mapRoles": [], "mapUsers": [], "mapAccounts": []}
    roles_by_name = dict((r["role_name"].lower(), r["arn"]) for r in cfg.get("roles") or [])
    before = dict((e["principal_arn"], e) for e in cfg.get("entries_now") or [])
    entries, skipped, sources, kept = [], [], [], []
    seen = {}
    for kind, key in (("role", "mapRoles"), ("user", "mapUsers")):
        for item in parsed.get(key) or []:
            if _arn(item, kind) is None:
                sso = entry_field(item, "sso")[1] or {}
                skipped.append({"arn": "sso:%s" % (sso.get("permissionSetName") if isinstance(sso, dict) else sso),
                                "reason": "an SSO permission-set matcher: give the permission set's role an access "
                                          "entry (its ARN has the sso.amazonaws.com path)"})
                continue
            entry = _mapping(item, kind, cfg, roles_by_name, p, skipped)
            if entry is None:
                continue
            principal = entry["principal_arn"]
            source = {"kind": kind, "arn": _arn(item, kind), "principal_arn": principal, "planned": entry}
            if principal in seen:   # the authenticator honours the last mapping of a principal
                sources[seen[principal]] = source
            else:
                seen[principal] = len(sources)
                sources.append(source)
    for source in sources:
        if source["principal_arn"] in before:
            kept.append(source["principal_arn"])   # an entry exists already: it wins today, left as it is
        else:
            entries.append(source["planned"])
    for account in parsed.get("mapAccounts") or []:
        reason = "mapAccounts lets any principal of the account in; access entries have no equivalent"
        skipped.append({"arn": "account %s" % account, "reason": reason})
    # What the cluster has: the entries read before, updated with what eks_access_entry reported
    # for the entries it made or converged (in check mode: what it would have).
    now = dict((e["principal_arn"], e) for e in cfg.get("entries_now") or [])
    for made in cfg.get("entries_made") or []:
        if made.get("state", "present") == "present":
            now[made["principal_arn"]] = dict(now.get(made["principal_arn"]) or {}, **made)
    caller = caller_principal(cfg.get("caller_arn"), roles_by_name)
    caller_entry = now.get(caller) or {}
    caller_admin = (caller_entry.get("access_policies") or {}).get(CLUSTER_ADMIN, {}).get("type") == "cluster"
    missing = [e["principal_arn"] for e in entries if e["principal_arn"] not in now]
    removable, differs = {"roles": [], "users": []}, []
    for src in sources:
        planned, have = src["planned"], now.get(src["principal_arn"])
        if have is None or planned["type"] != "STANDARD":
            continue   # node roles stay in aws-auth (aws_auth_mapping never removes them; API mode ignores them)
        same = sorted(have.get("kubernetes_groups") or []) == planned["kubernetes_groups"] and \
            (planned.get("username") is None or have.get("username") == planned.get("username")) and \
            sorted(have.get("access_policies") or {}) == sorted(x["policy"] for x in planned["access_policies"])
        if same:
            removable["roles" if src["kind"] == "role" else "users"].append({"arn": src["arn"]})
        else:
            differs.append("%s: its access entry (groups %s, username %s) differs from aws-auth (groups %s, username "
                           "%s); the entry wins today, so aws-auth's mapping is kept until they agree"
                           % (src["arn"], sorted(have.get("kubernetes_groups") or []), have.get("username"),
                              planned["kubernetes_groups"], planned.get("username")))
    blockers = ["%s: %s" % (s["arn"], s["reason"]) for s in skipped] + \
               ["%s: no access entry yet" % arn for arn in missing]
    summary = ["%s %s -> access entry %s%s" % (s["kind"], s["arn"], s["principal_arn"], _state(s, before, now))
               for s in sources]
    summary += ["not migrated: %s: %s" % (s["arn"], s["reason"]) for s in skipped]
    summary += ["differs: %s" % d for d in differs]
    return {
        "problems": p.items,
        "entries": entries,
        "skipped": skipped,
        "caller": caller,
        "caller_admin": caller_admin,
        "missing": missing,
        "removable": removable,
        "kept": kept,
        "differs": differs,
        "api_blockers": blockers,
        "summary": summary,
    }
