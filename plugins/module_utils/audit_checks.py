# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checks of ``eks_security_audit`` (``playbooks/verify.yml``): pure functions.

Each ``check_*`` function takes facts already read from EKS/EC2/IAM and Kubernetes (plain
dicts, as the APIs return them) plus the expected values from the inventory, and returns one
result: ``{"check", "result" (pass|fail|warn), "evidence", "fix"}``. None of them does I/O, so
each is unit-tested alone; the module gathers the facts and calls them. Helpers that tell the
module *what else to read* (the identities to ask SubjectAccessReviews for, the IAM roles that
annotations name) are pure too.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import ipaddress
import json
import re
from urllib.parse import unquote

from ansible_collections.hardened.eks.plugins.module_utils.aws_auth import _field
from ansible_collections.hardened.eks.plugins.module_utils.aws_auth import normalize_role_arn
from ansible_collections.hardened.eks.plugins.module_utils import eks_versions

PASS = "pass"
FAIL = "fail"
WARN = "warn"

LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
NODE_GROUP = "system:nodes"
MASTERS_GROUP = "system:masters"
# Groups that Kubernetes/EKS authorize without a RoleBinding of the cluster owner's: the
# authorizer bypass (system:masters), the Node authorizer (system:nodes), and the bindings EKS
# itself keeps for bootstrapping nodes and Fargate's kube-proxy.
DEFAULT_BUILTIN_GROUPS = ("system:masters", "system:nodes", "system:bootstrappers", "system:node-proxier")
METADATA_IP = "169.254.169.254"
KUBE2IAM_ROLE_ANNOTATION = "iam.amazonaws.com/role"
KUBE2IAM_ALLOWED_ANNOTATION = "iam.amazonaws.com/allowed-roles"
IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"

# The fixed set of sensitive actions asked of the API server for every mapped identity.
# id -> SubjectAccessReview resourceAttributes (namespace "" = all namespaces).
RBAC = "rbac.authorization.k8s.io"
SENSITIVE_ACTIONS = (
    ("get-secrets", {"verb": "get", "resource": "secrets"}),
    ("list-secrets", {"verb": "list", "resource": "secrets"}),
    ("create-pods-kube-system", {"verb": "create", "resource": "pods", "namespace": "kube-system"}),
    ("escalate-clusterroles", {"verb": "escalate", "group": RBAC, "resource": "clusterroles"}),
    ("bind-clusterroles", {"verb": "bind", "group": RBAC, "resource": "clusterroles"}),
    ("escalate-roles", {"verb": "escalate", "group": RBAC, "resource": "roles"}),
    ("bind-roles", {"verb": "bind", "group": RBAC, "resource": "roles"}),
    ("impersonate-users", {"verb": "impersonate", "resource": "users"}),
    ("impersonate-groups", {"verb": "impersonate", "resource": "groups"}),
    ("impersonate-serviceaccounts", {"verb": "impersonate", "resource": "serviceaccounts"}),
)
SENSITIVE_ACTION_IDS = tuple(a for a, _attrs in SENSITIVE_ACTIONS)
# Kubernetes' own Node authorizer lets every node create (mirror) pods; the NodeRestriction
# admission plugin limits them to mirror pods bound to the node itself.
NODE_BUILTIN_ACTIONS = ("create-pods-kube-system",)

# Sample values for the authenticator's username placeholders when asking SubjectAccessReviews.
PLACEHOLDER_SAMPLES = {
    "{{EC2PrivateDNSName}}": "ip-10-0-0-1.ec2.internal",
    "{{SessionName}}": "hardened-eks-verify",
    "{{SessionNameRaw}}": "hardened-eks-verify",
    "{{AccessKeyID}}": "AKIAHARDENEDEKSVERIFY",
}

# Titles, in report order.
TITLES = {
    "control_plane.private_endpoint": "API server private endpoint is on",
    "control_plane.public_endpoint": "API server public endpoint is off or limited to listed CIDRs",
    "control_plane.logging": "All five control-plane log types are on",
    "control_plane.secrets_encryption": "Secrets are envelope-encrypted with KMS",
    "control_plane.version": "Kubernetes version is supported",
    "nodes.imdsv2": "Node launch templates require IMDSv2 with hop limit 1",
    "nodes.role_policies": "Node role carries only the expected policies",
    "aws_auth.parses": "aws-auth parses",
    "aws_auth.node_roles": "Node roles are mapped in aws-auth",
    "aws_auth.masters": "No system:masters mapping except the allowed ones",
    "aws_auth.role_paths": "No mapped role ARN has a path",
    "aws_auth.duplicates": "No duplicate ARNs in aws-auth",
    "aws_auth.group_bindings": "Every mapped group has RBAC bindings",
    "rbac.sensitive_actions": "Mapped identities have no sensitive rights beyond their grants",
    "calico.default_deny": "Every application namespace has a default deny",
    "calico.dns": "DNS egress is allowed in every application namespace",
    "calico.metadata": "Pods cannot reach 169.254.169.254 directly",
    "calico.selectors": "Every Calico selector parses",
    "calico.public_ingress": "No allow-all ingress from 0.0.0.0/0 unless listed",
    "kube2iam.daemonset": "kube2iam runs with --namespace-restrictions, --iptables, eni+",
    "kube2iam.namespace_annotations": "Namespaces with kube2iam pods list their allowed roles",
    "kube2iam.roles": "Annotated roles exist and trust the node role",
    "kube2iam.pod_roles": "No pod asks for a role outside its namespace's list",
    "irsa.trust": "IRSA / Pod Identity roles trust exactly their service account",
}


def result(check, status, evidence, fix=""):
    """One check's result; ``fix`` is dropped when it passed."""
    return {"check": check, "title": TITLES.get(check, check), "result": status,
            "evidence": evidence, "fix": "" if status == PASS else fix}


def _join(items, limit=12):
    items = list(items)
    if len(items) > limit:
        return "; ".join(items[:limit]) + "; ... (%d more)" % (len(items) - limit)
    return "; ".join(items)


# ============================================================================================
# Control plane (EKS DescribeCluster)
# ============================================================================================
def check_private_endpoint(cluster):
    on = bool((cluster.get("resourcesVpcConfig") or {}).get("endpointPrivateAccess"))
    if on:
        return result("control_plane.private_endpoint", PASS, "endpointPrivateAccess=true")
    return result("control_plane.private_endpoint", FAIL, "endpointPrivateAccess=false: nodes reach the API "
                  "server over the internet",
                  "set cluster endpoint_private_access: true (hardened.eks.eks_cluster)")


def _nets(cidrs):
    out = []
    for c in cidrs or []:
        try:
            out.append(ipaddress.ip_network(str(c), strict=False))
        except ValueError:
            continue
    return out


def _covered(net, allowed):
    return any(net.version == a.version and net.subnet_of(a) for a in allowed)


def check_public_endpoint(cluster, allowed_cidrs):
    vpc = cluster.get("resourcesVpcConfig") or {}
    check = "control_plane.public_endpoint"
    if not vpc.get("endpointPublicAccess"):
        return result(check, PASS, "endpointPublicAccess=false")
    cidrs = list(vpc.get("publicAccessCidrs") or ["0.0.0.0/0"])
    allowed = _nets(allowed_cidrs)
    anywhere = [c for c in cidrs if c in ("0.0.0.0/0", "::/0")]
    extra = []
    for c in cidrs:
        try:
            net = ipaddress.ip_network(c, strict=False)
        except ValueError:
            extra.append(c)
            continue
        if not _covered(net, allowed):
            extra.append(c)
    if anywhere and anywhere[0] in extra:
        return result(check, FAIL, "public endpoint open to the internet (publicAccessCidrs %s)" % ", ".join(cidrs),
                      "turn the public endpoint off, or limit it to your networks: public_access_cidrs in "
                      "the inventory and hardened.eks.eks_cluster")
    if extra:
        return result(check, FAIL, "public endpoint allows %s, not in the listed CIDRs (%s)"
                      % (", ".join(extra), ", ".join(allowed_cidrs or []) or "none listed"),
                      "remove %s from publicAccessCidrs or add it to the inventory's list" % ", ".join(extra))
    return result(check, PASS, "public endpoint limited to %s (all listed)" % ", ".join(cidrs))


def check_logging(cluster):
    enabled = set()
    for entry in (cluster.get("logging") or {}).get("clusterLogging") or []:
        if entry.get("enabled"):
            enabled.update(entry.get("types") or [])
    missing = [t for t in LOG_TYPES if t not in enabled]
    if missing:
        return result("control_plane.logging", FAIL, "log types off: %s" % ", ".join(missing),
                      "enable all five control-plane log types (eks_cluster logging default)")
    return result("control_plane.logging", PASS, "enabled: %s" % ", ".join(LOG_TYPES))


def check_secrets_encryption(cluster):
    for entry in cluster.get("encryptionConfig") or []:
        key = (entry.get("provider") or {}).get("keyArn")
        if "secrets" in (entry.get("resources") or []) and key:
            return result("control_plane.secrets_encryption", PASS, "secrets encrypted with %s" % key)
    return result("control_plane.secrets_encryption", FAIL, "no encryptionConfig for secrets",
                  "associate a KMS key for secrets (eks_cluster encryption); EKS cannot remove it later")


def check_version(cluster, supported_versions=None, on=None):
    """The control plane's minor version against EKS's release calendar on a date (``on``,
    default today): standard support passes, extended support warns (billed at the extended
    rate), past extended support (or unknown and older than the calendar) fails. An explicit
    ``supported_versions`` list replaces the calendar (a policy of one's own)."""
    check = "control_plane.version"
    version = str(cluster.get("version") or "")
    if supported_versions:
        supported = [str(v) for v in supported_versions]
        if version in supported:
            return result(check, PASS, "version %s (supported: %s)" % (version, ", ".join(supported)))
        return result(check, FAIL, "version %s is not in the supported list (%s)"
                      % (version or "unknown", ", ".join(supported)),
                      "upgrade the control plane one minor version at a time to a supported version, "
                      "then the node groups")
    status, row = eks_versions.support(version, on)
    upgrade = ("upgrade one minor version at a time to %s (the newest in standard support), then the "
               "node groups" % _newest_or_unknown(on))
    if status == eks_versions.STANDARD:
        return result(check, PASS, "version %s is in EKS standard support until %s" % (version, row[1]))
    if status == eks_versions.EXTENDED:
        return result(check, WARN, "version %s is in EKS extended support (billed at the extended rate) until "
                      "%s; standard support ended %s" % (version, row[2], row[1]), upgrade)
    if status == eks_versions.ENDED:
        return result(check, FAIL, "version %s is past the end of EKS extended support (%s): EKS upgrades such "
                      "clusters by itself" % (version, row[2]), upgrade)
    if status == eks_versions.NOT_YET or eks_versions.newer_than_calendar(version):
        return result(check, WARN, "version %s is newer than this collection's EKS calendar (%s to %s)"
                      % (version, eks_versions.RELEASES[0][0], eks_versions.RELEASES[-1][0]),
                      "update the collection, or give supported_versions")
    return result(check, FAIL, "version %s is not in EKS's calendar of supported versions (%s to %s)"
                  % (version or "unknown", eks_versions.RELEASES[0][0], eks_versions.RELEASES[-1][0]), upgrade)


def _newest_or_unknown(on):
    try:
        return eks_versions.newest_standard(on)
    except ValueError:
        return "a version in standard support"


# ============================================================================================
# Nodes
# ============================================================================================
def check_imdsv2(nodegroups, hop_limit_reason=None):
    """``nodegroups``: list of ``{name, launch_template ({id,name,version} or None),
    metadata_options (the launch template version's MetadataOptions or None)}``."""
    check = "nodes.imdsv2"
    if not nodegroups:
        return result(check, WARN, "no managed node groups found",
                      "nothing to audit; self-managed nodes are not covered by this check")
    bad, notes = [], []
    for ng in nodegroups:
        name = ng.get("name")
        lt = ng.get("launch_template")
        if not lt:
            bad.append("%s: no launch template (EKS's default allows IMDSv1, hop limit 2)" % name)
            continue
        md = ng.get("metadata_options")
        if md is None:
            bad.append("%s: launch template %s version %s not found"
                       % (name, lt.get("name") or lt.get("id"), lt.get("version")))
            continue
        tokens = md.get("HttpTokens") or "optional"
        hops = md.get("HttpPutResponseHopLimit")
        where = "%s (%s v%s)" % (name, lt.get("name") or lt.get("id"), lt.get("version"))
        if md.get("HttpEndpoint") == "disabled":
            notes.append("%s: metadata endpoint disabled" % where)
            continue
        if tokens != "required":
            bad.append("%s: HttpTokens=%s (IMDSv1 allowed)" % (where, tokens))
        if hops is None or hops > 2 or (hops == 2 and not hop_limit_reason):
            bad.append("%s: hop limit %s%s" % (where, hops, " without a documented reason" if hops == 2 else ""))
        elif tokens == "required":
            notes.append("%s: IMDSv2 required, hop limit %s%s" % (
                where, hops, " (reason: %s)" % hop_limit_reason if hops == 2 else ""))
    if bad:
        return result(check, FAIL, _join(bad),
                      "set MetadataOptions HttpTokens=required, HttpPutResponseHopLimit=1 in the node "
                      "launch template (2 only with a documented reason) and roll the node group")
    return result(check, PASS, _join(notes))


def check_node_role_policies(node_roles, expected):
    """``node_roles``: ``{role_arn: {"attached": [policy arns], "inline": [names]}}`` (None for a
    role that does not exist); ``expected``: managed policy ARNs and inline policy names."""
    check = "nodes.role_policies"
    if not node_roles:
        return result(check, WARN, "no node role found (no node groups and none listed)",
                      "list the node roles in the inventory or create the node groups")
    expected = set(expected or [])
    extra, missing, notes = [], [], []
    for arn in sorted(node_roles):
        facts = node_roles[arn]
        if facts is None:
            missing.append("%s does not exist" % arn)
            continue
        attached = list(facts.get("attached") or [])
        inline = list(facts.get("inline") or [])
        over = [p for p in attached if p not in expected] + ["inline:%s" % p for p in inline if p not in expected]
        if over:
            extra.append("%s carries %s" % (arn.split("/")[-1], ", ".join(over)))
        else:
            notes.append("%s: %s" % (arn.split("/")[-1], ", ".join(
                [p.split("/")[-1] for p in attached] + ["inline:%s" % p for p in inline]) or "no policies"))
    if extra or missing:
        return result(check, FAIL, _join(extra + missing),
                      "detach the unexpected policies (pods can read the node role through the "
                      "instance profile), or add them to the inventory's expected node policies")
    return result(check, PASS, _join(notes))


# ============================================================================================
# aws-auth
# ============================================================================================
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


# ============================================================================================
# Calico
# ============================================================================================
def _selects_all(selector):
    return selector is None or str(selector).strip() in ("", "all()")


def _policy_types(spec, k8s=False):
    types = spec.get("policyTypes" if k8s else "types")
    if types:
        return set(types)
    out = {"Ingress"}
    if spec.get("egress"):
        out.add("Egress")
    return out


def normalize_policies(calico_nps, calico_gnps, k8s_nps):
    """Calico NetworkPolicies, GlobalNetworkPolicies and Kubernetes NetworkPolicies (as the API
    returns them) -> one list of ``{kind, namespace, name, order, selector, all_pods,
    global_all_ns, types, ingress, egress}`` with Calico-style rules."""
    out = []
    for kind, items in (("NetworkPolicy", calico_nps), ("GlobalNetworkPolicy", calico_gnps)):
        for p in items or []:
            meta = p.get("metadata") or {}
            spec = p.get("spec") or {}
            order = spec.get("order")
            try:
                order = float(order) if order is not None else None
            except (TypeError, ValueError):
                order = None
            out.append({
                "kind": kind, "namespace": meta.get("namespace"), "name": meta.get("name"),
                "ref": "%s %s" % (kind, "%s/%s" % (meta.get("namespace"), meta.get("name"))
                                  if meta.get("namespace") else meta.get("name")),
                "order": order, "selector": spec.get("selector"),
                "all_pods": _selects_all(spec.get("selector")),
                "all_ns": kind == "NetworkPolicy" or _selects_all(spec.get("namespaceSelector")),
                "namespace_selector": spec.get("namespaceSelector"),
                "types": _policy_types(spec), "ingress": list(spec.get("ingress") or []),
                "egress": list(spec.get("egress") or [])})
    for p in k8s_nps or []:
        meta = p.get("metadata") or {}
        spec = p.get("spec") or {}
        pod_sel = spec.get("podSelector") or {}
        out.append({
            "kind": "KubernetesNetworkPolicy", "namespace": meta.get("namespace"), "name": meta.get("name"),
            "ref": "networking.k8s.io NetworkPolicy %s/%s" % (meta.get("namespace"), meta.get("name")),
            "order": 1000.0, "selector": None if not pod_sel else json.dumps(pod_sel, sort_keys=True),
            "all_pods": not (pod_sel.get("matchLabels") or pod_sel.get("matchExpressions")), "all_ns": True,
            "types": _policy_types(spec, k8s=True),
            "ingress": [_k8s_rule(r, "from") for r in spec.get("ingress") or []],
            "egress": [_k8s_rule(r, "to") for r in spec.get("egress") or []]})
    return out


def _k8s_rule(rule, peer_key):
    """A Kubernetes NetworkPolicy rule as Calico-style Allow rules (one per peer and port is
    not needed here: nets and 'other peers' are what the checks read)."""
    peers = rule.get(peer_key) or []
    nets, not_nets, has_selector = [], [], False
    for peer in peers:
        block = peer.get("ipBlock")
        if block:
            nets.append(block.get("cidr"))
            not_nets.extend(block.get("except") or [])
        else:
            has_selector = True
    entity = {}
    if nets:
        entity["nets"] = nets
    if not_nets:
        entity["notNets"] = not_nets
    if has_selector and not nets:
        entity["selector"] = "(kubernetes peer selector)"
    ports = rule.get("ports") or []
    rules_ports = [p.get("port") for p in ports if p.get("port") is not None]
    protos = sorted(set((p.get("protocol") or "TCP") for p in ports))
    out = {"action": "Allow", "source" if peer_key == "from" else "destination": entity}
    if rules_ports:
        out.setdefault("destination", {})["ports"] = rules_ports
    if len(protos) == 1:
        out["protocol"] = protos[0]
    return out


def namespace_matcher(namespaces, parse_selector):
    """``match(selector, namespace)`` for GlobalNetworkPolicy namespace selectors: the selector
    (parsed with ``parse_selector``, which returns an object with ``evaluate(labels)``) against
    the namespace's labels plus the ``projectcalico.org/name`` label Calico gives every
    namespace. A selector that does not parse matches nothing (Calico drops the policy)."""
    labels = {}
    for n in namespaces or []:
        meta = n.get("metadata") or {}
        labels[meta.get("name")] = dict(meta.get("labels") or {})

    def match(selector, namespace):
        ns_labels = dict(labels.get(namespace) or {}, **{"projectcalico.org/name": namespace})
        try:
            return bool(parse_selector(selector).evaluate(ns_labels))
        except ValueError:
            return False
    return match


def _applies_to_namespace(policy, namespace, ns_match=None):
    """Whether a policy applies to pods of ``namespace``. Without ``ns_match`` a global policy
    with a namespace selector other than all() is taken as not applying."""
    if policy["kind"] == "GlobalNetworkPolicy":
        if policy["all_ns"]:
            return True
        return bool(ns_match and ns_match(policy["namespace_selector"], namespace))
    return policy["namespace"] == namespace


def _unconstrained(entity):
    entity = entity or {}
    keys = [k for k, v in entity.items() if v not in (None, [], {}, "")]
    if not keys:
        return True
    if keys == ["nets"]:
        return any(str(n) in ("0.0.0.0/0", "::/0") for n in entity["nets"])
    return False


def _allow_all_rule(rule, direction):
    """An Allow rule that matches every packet of a direction."""
    if rule.get("action") != "Allow" or rule.get("protocol") or rule.get("notProtocol"):
        return False
    peer = "source" if direction == "ingress" else "destination"
    other = "destination" if direction == "ingress" else "source"
    peer_entity = dict(rule.get(peer) or {})
    other_entity = dict(rule.get(other) or {})
    return _unconstrained(peer_entity) and not other_entity


def _no_namespaces(check):
    """Asked to audit Calico with no application namespace: nothing was audited, which must not
    read as a pass or a mere warning (a copied inventory that lost its list)."""
    return result(check, FAIL, "no application namespaces given: nothing was audited",
                  "list the application namespaces (verify_application_namespaces, by default the calico "
                  "role's hardened_eks_application_namespaces), or leave calico out of verify_checks")


def check_default_deny(policies, namespaces, ns_match=None):
    check = "calico.default_deny"
    if not namespaces:
        return _no_namespaces(check)
    bad, good = [], []
    for ns in namespaces:
        covered = {"Ingress": [], "Egress": []}
        for p in policies:
            if not (_applies_to_namespace(p, ns, ns_match) and p["all_pods"]):
                continue
            for t, direction in (("Ingress", "ingress"), ("Egress", "egress")):
                if t in p["types"] and not any(_allow_all_rule(r, direction) for r in p[direction]):
                    covered[t].append(p["ref"])
        lacking = [t for t in ("Ingress", "Egress") if not covered[t]]
        if lacking:
            bad.append("%s: nothing denies %s by default" % (ns, " and ".join(t.lower() for t in lacking)))
        else:
            good.append("%s (%s)" % (ns, ", ".join(sorted(set(covered["Ingress"] + covered["Egress"])))))
    if bad:
        return result(check, FAIL, _join(bad),
                      "add a policy selecting all() with types [Ingress, Egress] in each namespace "
                      "(the calico role's baseline); unmatched traffic is then denied")
    return result(check, PASS, _join(good))


# --- evaluation of an egress packet against the policies -------------------------------------
PROTOCOL_NUMBERS = {"TCP": 6, "UDP": 17, "ICMP": 1, "SCTP": 132, "ICMPv6": 58, "UDPLite": 136}


def _proto_is(value, proto):
    if value is None:
        return True
    if isinstance(value, int) or str(value).isdigit():
        return int(value) == PROTOCOL_NUMBERS.get(proto)
    return str(value).upper() == proto.upper()


def _port_in(port, spec_ports, named_ok):
    """Whether ``port`` falls in a Calico ports list (ints, "a:b" ranges, names)."""
    for p in spec_ports:
        if isinstance(p, int) or (isinstance(p, str) and p.isdigit()):
            if int(p) == port:
                return True
        elif isinstance(p, str) and re.match(r"^\d+:\d+$", p):
            lo, hi = (int(x) for x in p.split(":"))
            if lo <= port <= hi:
                return True
        elif named_ok and named_ok(p):
            return True
    return False


def _ip_in(ip, nets):
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for n in nets or []:
        try:
            if addr in ipaddress.ip_network(str(n), strict=False):
                return True
        except ValueError:
            continue
    return False


def _dest_match(dest, packet):
    """yes/no/maybe for the destination part of a rule and a packet
    ``{protocol, port, ip (None = unknown), named_ports}``."""
    dest = dest or {}
    answer = "yes"
    ip = packet.get("ip")
    if dest.get("nets"):
        if ip is None:
            answer = "maybe"
        elif not _ip_in(ip, dest["nets"]):
            return "no"
    if dest.get("notNets") and ip is not None and _ip_in(ip, dest["notNets"]):
        return "no"
    if any(dest.get(k) for k in ("selector", "namespaceSelector", "serviceAccounts", "services", "domains")):
        # selectors match endpoints and network sets, not a bare IP such as the metadata address
        if ip is not None and not dest.get("nets"):
            return "no"
        answer = "maybe"
    named = (lambda name: name in packet.get("named_ports", ())) if packet.get("named_ports") else None
    if dest.get("ports") and not _port_in(packet["port"], dest["ports"], named):
        return "no"
    if dest.get("notPorts") and _port_in(packet["port"], dest["notPorts"], named):
        return "no"
    return answer


def rule_matches(rule, packet):
    """yes/no/maybe: does an egress rule match the packet (from an unknown pod)?"""
    if rule.get("ipVersion") == 6 and packet.get("ip") and ":" not in packet["ip"]:
        return "no"
    if not _proto_is(rule.get("protocol"), packet["protocol"]):
        return "no"
    if rule.get("notProtocol") is not None and _proto_is(rule.get("notProtocol"), packet["protocol"]):
        return "no"
    d = _dest_match(rule.get("destination"), packet)
    if d == "no":
        return "no"
    src = rule.get("source") or {}
    if any(v not in (None, [], {}, "") for v in src.values()) or rule.get("http"):
        return "maybe"
    return d


def _sorted_policies(policies):
    return sorted(policies, key=lambda p: (p["order"] is None, p["order"] or 0, p["name"] or ""))


def evaluate_egress(policies, packet):
    """Walk the egress rules of ``policies`` (all applying to one pod) in Calico's order.
    Returns ``(verdict, where)``: verdict ``allow`` / ``deny`` / ``maybe-allow`` /
    ``no-policy`` and the rule (``policy ref egress[i]``) or reason."""
    egress_policies = [p for p in _sorted_policies(policies) if "Egress" in p["types"]]
    if not egress_policies:
        return "no-policy", "no egress policy selects these pods"
    maybe = None
    for p in egress_policies:
        for i, rule in enumerate(p["egress"]):
            action = rule.get("action")
            if action == "Log":
                continue
            m = rule_matches(rule, packet)
            if m == "no":
                continue
            where = "%s egress[%d] (%s)" % (p["ref"], i, action)
            if action in ("Allow", "Pass"):
                if m == "yes":
                    return ("allow", where) if maybe is None else ("maybe-allow", maybe)
                maybe = maybe or where
            elif action == "Deny" and m == "yes":
                return ("deny", where) if maybe is None else ("maybe-allow", maybe)
    if maybe:
        return "maybe-allow", maybe
    return "deny", "default deny at the end of the tier"


def _scenarios(policies, namespace, ns_match=None):
    """(label, applying policies): every pod of the namespace, and for each policy with a
    narrower selector, the pods it selects (with the all-pods policies)."""
    applying = [p for p in policies if _applies_to_namespace(p, namespace, ns_match)]
    everyone = [p for p in applying if p["all_pods"]]
    out = [("all pods", everyone)]
    for p in applying:
        if not p["all_pods"] and p["egress"]:
            out.append(("pods selected by %s" % p["ref"], everyone + [p]))
    return out


def check_dns(policies, namespaces, ns_match=None):
    check = "calico.dns"
    if not namespaces:
        return _no_namespaces(check)
    packet = {"protocol": "UDP", "port": 53, "ip": None, "named_ports": ("dns",)}
    bad, good = [], []
    for ns in namespaces:
        verdict, where = evaluate_egress(_scenarios(policies, ns, ns_match)[0][1], packet)
        if verdict in ("allow", "maybe-allow", "no-policy"):
            good.append("%s: %s" % (ns, where))
        else:
            bad.append("%s: UDP 53 denied by %s" % (ns, where))
    if bad:
        return result(check, FAIL, _join(bad),
                      "allow egress UDP and TCP 53 to kube-dns (k8s-app == 'kube-dns' in kube-system) "
                      "before any deny; without it every name lookup times out")
    return result(check, PASS, _join(good))


def check_metadata(policies, namespaces, ns_match=None):
    check = "calico.metadata"
    if not namespaces:
        return _no_namespaces(check)
    packet = {"protocol": "TCP", "port": 80, "ip": METADATA_IP}
    bad, good = [], []
    for ns in namespaces:
        ns_bad = []
        first = None
        for label, applying in _scenarios(policies, ns, ns_match):
            verdict, where = evaluate_egress(applying, packet)
            if verdict == "deny":
                first = first or where
                continue
            if verdict == "no-policy":
                ns_bad.append("%s: %s can reach %s (%s)" % (ns, label, METADATA_IP, where))
            else:
                ns_bad.append("%s: %s can reach %s through %s" % (ns, label, METADATA_IP, where))
        if ns_bad:
            bad.extend(ns_bad)
        else:
            good.append("%s: denied by %s" % (ns, first))
    if bad:
        return result(check, FAIL, _join(bad),
                      "deny egress to 169.254.169.254/32 before any broader allow (the calico role's "
                      "baseline); pods reach kube2iam through its DNAT to the node's port 8181, not "
                      "this address")
    return result(check, PASS, _join(good))


def policy_selectors(policy):
    """(where, selector) for every selector of a Calico policy object (raw, as stored)."""
    spec = policy.get("spec") or {}
    out = []
    for key in ("selector", "namespaceSelector", "serviceAccountSelector"):
        if spec.get(key) is not None:
            out.append((key, spec[key]))
    for direction in ("ingress", "egress"):
        for i, rule in enumerate(spec.get(direction) or []):
            for side in ("source", "destination"):
                entity = (rule or {}).get(side) or {}
                for key in ("selector", "notSelector", "namespaceSelector"):
                    if entity.get(key) is not None:
                        out.append(("%s[%d].%s.%s" % (direction, i, side, key), entity[key]))
                sa = entity.get("serviceAccounts") or {}
                if sa.get("selector") is not None:
                    out.append(("%s[%d].%s.serviceAccounts.selector" % (direction, i, side), sa["selector"]))
    return out


def check_selectors(objects, parse_selector):
    """``objects``: Calico policy objects (NetworkPolicy, GlobalNetworkPolicy, ...) as stored;
    ``parse_selector(text)`` raises ValueError (or a subclass) on a selector Calico would refuse."""
    check = "calico.selectors"
    bad = []
    count = 0
    for obj in objects or []:
        meta = obj.get("metadata") or {}
        ref = "%s %s" % (obj.get("kind") or "policy",
                         "%s/%s" % (meta["namespace"], meta.get("name")) if meta.get("namespace") else meta.get("name"))
        for where, sel in policy_selectors(obj):
            count += 1
            try:
                if not isinstance(sel, str):
                    raise ValueError("not a string: %r" % (sel,))
                parse_selector(sel)
            except ValueError as exc:
                bad.append("%s %s %r: %s" % (ref, where, sel, exc))
    if bad:
        return result(check, FAIL, _join(bad),
                      "fix the selector: Calico drops a policy whose selector does not parse, so its "
                      "rules silently do nothing (write policies through hardened.eks.calico_policy, "
                      "which validates them)")
    return result(check, PASS, "%d selectors in %d policies parse" % (count, len(objects or [])))


def check_public_ingress(policies, allowed):
    """Allow ingress rules whose source is anyone (no constraint, or 0.0.0.0/0, ::/0)."""
    check = "calico.public_ingress"
    allowed = set(allowed or [])
    bad, listed = [], []
    for p in policies:
        name = "%s/%s" % (p["namespace"], p["name"]) if p["namespace"] else p["name"]
        for i, rule in enumerate(p["ingress"]):
            if rule.get("action") != "Allow" or not _unconstrained(rule.get("source")):
                continue
            ports = (rule.get("destination") or {}).get("ports")
            text = "%s ingress[%d] allows %s from anywhere%s" % (
                p["ref"], i, rule.get("protocol") or "all protocols",
                " to ports %s" % ",".join(str(x) for x in ports) if ports else "")
            (listed if name in allowed else bad).append(text)
    if bad:
        return result(check, FAIL, _join(bad),
                      "narrow the source (nets of your load balancers, a namespaceSelector), or list "
                      "the policy as <namespace>/<name> in the allowed public ingress")
    if listed:
        return result(check, PASS, "only listed: " + _join(listed))
    return result(check, PASS, "no allow-all ingress")


# ============================================================================================
# kube2iam
# ============================================================================================
def _container_args(ds):
    out = []
    for c in ((((ds or {}).get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers") or []:
        if "kube2iam" in (c.get("name") or "") or "kube2iam" in (c.get("image") or ""):
            out.extend(c.get("command") or [])
            out.extend(c.get("args") or [])
    return out


def kube2iam_flags(ds):
    """--flag[=value] arguments of the kube2iam container -> {flag: value or True}."""
    flags = {}
    for a in _container_args(ds):
        if isinstance(a, str) and a.startswith("--"):
            name, sep, value = a[2:].partition("=")
            flags[name] = value if sep else True
    return flags


def _truthy(v):
    return v is True or str(v).lower() in ("true", "1", "yes")


def check_kube2iam_daemonset(ds, where="kube-system/kube2iam"):
    check = "kube2iam.daemonset"
    if not ds:
        return result(check, FAIL, "DaemonSet %s not found" % where,
                      "install kube2iam (hardened.eks.kube2iam role)")
    flags = kube2iam_flags(ds)
    bad = []
    if not _truthy(flags.get("namespace-restrictions")):
        bad.append("--namespace-restrictions missing (any pod may ask for any role the node can assume)")
    if not _truthy(flags.get("iptables")):
        bad.append("--iptables missing (pods reach the real metadata service)")
    if flags.get("host-interface") != "eni+":
        bad.append("--host-interface is %r, not eni+ (the VPC CNI's interfaces)" % flags.get("host-interface"))
    if bad:
        return result(check, FAIL, "%s: %s" % (where, _join(bad)),
                      "run kube2iam with --namespace-restrictions --iptables=true --host-interface=eni+ "
                      "(hardened.eks.kube2iam role)")
    return result(check, PASS, "%s: --namespace-restrictions, --iptables, --host-interface=eni+" % where)


def _allowed_roles(namespace_obj):
    """(list or None, problem)."""
    ann = ((namespace_obj or {}).get("metadata") or {}).get("annotations") or {}
    raw = ann.get(KUBE2IAM_ALLOWED_ANNOTATION)
    if raw is None:
        return None, None
    try:
        data = json.loads(raw)
    except ValueError as exc:
        return None, "annotation %s is not JSON: %s" % (KUBE2IAM_ALLOWED_ANNOTATION, exc)
    if not isinstance(data, list) or not all(isinstance(x, str) for x in data):
        return None, "annotation %s is not a JSON list of strings" % KUBE2IAM_ALLOWED_ANNOTATION
    return data, None


def role_arn(name, base_arn):
    """kube2iam's RoleARN: a full ARN as is, else the base ARN + the name."""
    return name if name.startswith("arn:") else base_arn + name.lstrip("/")


def _pod_role(pod):
    return ((pod.get("metadata") or {}).get("annotations") or {}).get(KUBE2IAM_ROLE_ANNOTATION)


def _by_name(namespaces):
    return {(n.get("metadata") or {}).get("name"): n for n in namespaces or []}


def check_kube2iam_namespace_annotations(namespaces, pods):
    check = "kube2iam.namespace_annotations"
    ns_objs = _by_name(namespaces)
    users = {}
    for pod in pods or []:
        if _pod_role(pod):
            users.setdefault(pod["metadata"]["namespace"], []).append(pod["metadata"]["name"])
    if not users:
        return result(check, PASS, "no pod carries %s" % KUBE2IAM_ROLE_ANNOTATION)
    bad, good = [], []
    for ns in sorted(users):
        roles, problem = _allowed_roles(ns_objs.get(ns))
        if problem:
            bad.append("%s: %s" % (ns, problem))
        elif roles is None:
            bad.append("%s: pods %s ask for roles but the namespace has no %s" % (
                ns, ", ".join(users[ns][:3]), KUBE2IAM_ALLOWED_ANNOTATION))
        else:
            good.append("%s: %s" % (ns, ", ".join(roles) or "[]"))
    if bad:
        return result(check, FAIL, _join(bad),
                      "annotate the namespace with %s: a JSON list of the roles its pods may use "
                      "(hardened.eks.kube2iam role)" % KUBE2IAM_ALLOWED_ANNOTATION)
    return result(check, PASS, _join(good))


def kube2iam_role_names(namespaces, pods, base_arn):
    """ARNs of the roles named by allowed-roles annotations and pod annotations (globs left out),
    for the module to look up."""
    out = []
    for n in namespaces or []:
        roles, _problem = _allowed_roles(n)
        for r in roles or []:
            if "*" not in r:
                out.append(role_arn(r, base_arn))
    for pod in pods or []:
        if _pod_role(pod):
            out.append(role_arn(_pod_role(pod), base_arn))
    seen = []
    for a in out:
        if a not in seen:
            seen.append(a)
    return seen


def _statements(doc):
    if isinstance(doc, str):  # IAM's raw answer is URL-encoded JSON; boto3 gives a dict
        try:
            doc = json.loads(unquote(doc))
        except ValueError:
            return []
    st = (doc or {}).get("Statement") or []
    return st if isinstance(st, list) else [st]


def _as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _actions(st):
    return [a.lower() for a in _as_list(st.get("Action"))]


def trusts_principal(trust_doc, principal_arn, action="sts:assumerole"):
    """Whether a trust policy lets ``principal_arn`` (an IAM role) perform ``action``."""
    for st in _statements(trust_doc):
        if st.get("Effect") != "Allow":
            continue
        if action not in _actions(st) and "sts:*" not in _actions(st) and "*" not in _actions(st):
            continue
        principal = st.get("Principal") or {}
        aws = _as_list(principal.get("AWS") if isinstance(principal, dict) else principal)
        if principal_arn in aws:
            return True
    return False


def check_kube2iam_roles(role_arns, roles, node_role_arns):
    """``roles``: ``{arn: IAM Role dict (with AssumeRolePolicyDocument) or None}``."""
    check = "kube2iam.roles"
    if not role_arns:
        return result(check, PASS, "no role named in kube2iam annotations")
    bad, good = [], []
    for arn in role_arns:
        role = roles.get(arn)
        if role is None:
            bad.append("%s does not exist" % arn)
            continue
        doc = role.get("AssumeRolePolicyDocument")
        trusted = [n for n in node_role_arns or [] if trusts_principal(doc, n)]
        if not trusted:
            bad.append("%s does not trust the node role (%s)" % (arn, ", ".join(node_role_arns or []) or "none known"))
        else:
            good.append("%s <- %s" % (arn.split("/")[-1], trusted[0].split("/")[-1]))
    if bad:
        return result(check, FAIL, _join(bad),
                      "create the role with hardened.eks.eks_pod_iam_role trust.kube2iam.node_role_arns, "
                      "or fix the annotation")
    return result(check, PASS, _join(good))


def _role_allowed(arn, patterns, base_arn, regexp=False):
    for p in patterns:
        normalized = role_arn(p, base_arn)
        if regexp:
            try:
                if re.search(normalized, arn):
                    return True
            except re.error:
                continue
        elif fnmatch.fnmatchcase(arn, normalized.replace("[", "[[]")):
            return True
    return False


def check_kube2iam_pod_roles(namespaces, pods, base_arn, regexp=False):
    check = "kube2iam.pod_roles"
    ns_objs = _by_name(namespaces)
    bad, good = [], []
    for pod in pods or []:
        role = _pod_role(pod)
        if not role:
            continue
        ns = pod["metadata"]["namespace"]
        arn = role_arn(role, base_arn)
        roles, _problem = _allowed_roles(ns_objs.get(ns))
        if not _role_allowed(arn, roles or [], base_arn, regexp):
            bad.append("pod %s/%s asks for %s, not in its namespace's list (%s)" % (
                ns, pod["metadata"]["name"], role, ", ".join(roles or []) or "none"))
        else:
            good.append("%s/%s: %s" % (ns, pod["metadata"]["name"], role))
    if bad:
        return result(check, FAIL, _join(bad),
                      "kube2iam refuses these pods credentials (with --namespace-restrictions) or hands "
                      "them out (without): add the role to the namespace's allowed-roles or change the pod")
    if not good:
        return result(check, PASS, "no pod carries %s" % KUBE2IAM_ROLE_ANNOTATION)
    return result(check, PASS, _join(good))


# ============================================================================================
# IRSA and EKS Pod Identity
# ============================================================================================
def irsa_role_arns(service_accounts):
    out = []
    for sa in service_accounts or []:
        arn = ((sa.get("metadata") or {}).get("annotations") or {}).get(IRSA_ANNOTATION)
        if arn and arn not in out:
            out.append(arn)
    return out


def _issuer_host(issuer):
    return re.sub(r"^https://", "", issuer or "").rstrip("/")


def irsa_trust_verdict(trust_doc, provider_arn, issuer, namespace, name):
    """(pass|warn|fail, reason) for a role's trust and one service account."""
    host = _issuer_host(issuer)
    subject = "system:serviceaccount:%s:%s" % (namespace, name)
    federated_seen = False
    wildcard = None
    for st in _statements(trust_doc):
        if st.get("Effect") != "Allow" or "sts:assumerolewithwebidentity" not in _actions(st):
            continue
        principal = st.get("Principal") or {}
        fed = _as_list(principal.get("Federated") if isinstance(principal, dict) else None)
        if provider_arn and provider_arn not in fed:
            continue
        if not provider_arn and not any(host and host in f for f in fed):
            continue
        federated_seen = True
        cond = st.get("Condition") or {}
        subs_eq = []
        subs_like = []
        for op, block in cond.items():
            for key, val in (block or {}).items():
                if key == "%s:sub" % host:
                    if op in ("StringEquals", "ForAnyValue:StringEquals"):
                        subs_eq.extend(_as_list(val))
                    elif op in ("StringLike", "ForAnyValue:StringLike"):
                        subs_like.extend(_as_list(val))
        if subject in subs_eq:
            return PASS, "trust names %s" % subject
        for pattern in subs_like:
            if fnmatch.fnmatchcase(subject, pattern.replace("?", "[?]")):
                wildcard = pattern
    if wildcard:
        return WARN, "trust matches %s only through the pattern %r" % (subject, wildcard)
    if not federated_seen:
        return FAIL, "trust has no sts:AssumeRoleWithWebIdentity for the cluster's OIDC provider"
    return FAIL, "trust does not name %s" % subject


def pod_identity_verdict(trust_doc):
    for st in _statements(trust_doc):
        if st.get("Effect") != "Allow":
            continue
        principal = st.get("Principal") or {}
        services = _as_list(principal.get("Service") if isinstance(principal, dict) else None)
        actions = _actions(st)
        if "pods.eks.amazonaws.com" in services and "sts:assumerole" in actions and "sts:tagsession" in actions:
            return PASS, "trusts pods.eks.amazonaws.com (sts:AssumeRole, sts:TagSession)"
    return FAIL, "trust lacks pods.eks.amazonaws.com with sts:AssumeRole and sts:TagSession"


def check_irsa(service_accounts, roles, provider_arn, issuer, associations=None, associations_note=None):
    """``roles``: ``{arn: IAM Role dict or None}``; ``associations``: EKS Pod Identity
    associations ``{namespace, serviceAccount, roleArn}`` (None: not available)."""
    check = "irsa.trust"
    bad, warn, good = [], [], []
    for sa in service_accounts or []:
        meta = sa.get("metadata") or {}
        arn = (meta.get("annotations") or {}).get(IRSA_ANNOTATION)
        if not arn:
            continue
        who = "%s/%s" % (meta.get("namespace"), meta.get("name"))
        role = roles.get(arn)
        if role is None:
            bad.append("%s -> %s: role does not exist" % (who, arn))
            continue
        verdict, reason = irsa_trust_verdict(role.get("AssumeRolePolicyDocument"), provider_arn, issuer,
                                             meta.get("namespace"), meta.get("name"))
        {PASS: good, WARN: warn, FAIL: bad}[verdict].append("%s -> %s: %s" % (who, arn.split("/")[-1], reason))
    for a in associations or []:
        who = "%s/%s" % (a.get("namespace"), a.get("serviceAccount"))
        arn = a.get("roleArn")
        role = roles.get(arn)
        if role is None:
            bad.append("pod identity %s -> %s: role does not exist" % (who, arn))
            continue
        verdict, reason = pod_identity_verdict(role.get("AssumeRolePolicyDocument"))
        {PASS: good, FAIL: bad}[verdict].append("pod identity %s -> %s: %s" % (who, arn.split("/")[-1], reason))
    note = " (%s)" % associations_note if associations_note else ""
    if bad:
        return result(check, FAIL, _join(bad + warn) + note,
                      "create the role with hardened.eks.eks_pod_iam_role trust.irsa (namespace, "
                      "service_account) or trust.pod_identity, or fix the annotation")
    if warn:
        return result(check, WARN, _join(warn) + note,
                      "name the exact service account in the trust (StringEquals on <issuer>:sub)")
    if not good:
        return result(check, PASS, "no service account uses IRSA and no Pod Identity association%s" % note)
    return result(check, PASS, _join(good) + note)


# ============================================================================================
# Summary
# ============================================================================================
def summarize(results):
    counts = {PASS: 0, FAIL: 0, WARN: 0}
    for r in results:
        counts[r["result"]] = counts.get(r["result"], 0) + 1
    return counts


def should_fail(results, fail_on):
    """``fail_on``: ``fail`` (default), ``warn`` (warnings fail too) or ``never``."""
    counts = summarize(results)
    if fail_on == "never":
        return False
    if fail_on == "warn":
        return bool(counts[FAIL] or counts[WARN])
    return bool(counts[FAIL])
