# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan of the ``kube2iam`` role (pure; filter ``hardened.eks.kube2iam_plan``).

From the inventory (pod roles, namespaces, the IAM path and prefix, the migration targets) and
the node role ARNs read in the preflight, compute the pod roles (IAM name, ARN, trust), the
allowed-roles annotation of every namespace, the service accounts for IRSA, the node roles'
policy and every problem found. The role writes nothing while ``problems`` is not empty.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.hardened.eks.plugins.module_utils import _names
from ansible_collections.hardened.eks.plugins.module_utils._plans.common import (
    Problems,
    is_list,
    is_str,
    namespace_names,
    namespace_objects,
    where,
)

MIGRATIONS = ("irsa", "pod_identity")
SERVICE_ACCOUNT_RE = re.compile(r"^[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?$")
ROLE_NAME_RE = re.compile(r"^%s$" % _names.IAM_NAME)


def _migrations(values, at, p):
    if not is_list(values):
        p.add(at, ": must be a list of irsa and/or pod_identity")
        return
    for i, m in enumerate(values):
        if m not in MIGRATIONS:
            p.add("%s[%d]" % (at, i), ": %r is not irsa or pod_identity" % (m,))


def _role(cfg, i, item, p, names, partition, account):
    if not isinstance(item, dict):
        p.add("kube2iam_pod_roles[%d]" % i, ": must be a mapping with name, namespace and policies")
        return None
    rname = item.get("name", "")
    at = where("kube2iam_pod_roles", i, rname)
    rns = item.get("namespace", "")
    iam_name = "%s%s" % (cfg["role_name_prefix"], rname)
    if not is_str(rname) or not ROLE_NAME_RE.match(rname):
        p.add(at, ".name: %r is not an IAM role name" % (rname,))
    elif len(iam_name) > 64:
        p.add(at, ".name: the IAM role name %s is longer than 64 characters" % iam_name)
    elif iam_name.lower() in names:
        p.add(at, ".name: used by another pod role (IAM role names are case-insensitive)")
    names.append(iam_name.lower())
    if not _names.is_valid(rns, "dns_label"):
        p.add(at, ".namespace: %r is not a namespace name" % (rns,))
    elif rns in ("kube-system", cfg["namespace"]):
        p.add(at, ".namespace: %s is a system namespace; pod roles are for application namespaces" % rns)
    migrate = item["migrate_to"] if "migrate_to" in item else cfg["migrate_to"]
    for m in (migrate if is_list(migrate) else [migrate]):
        if m not in MIGRATIONS:
            p.add(at, ".migrate_to: %r is not irsa or pod_identity" % (m,))
    migrate = [m for m in migrate if m in MIGRATIONS] if is_list(migrate) else []
    sa = item.get("service_account", rname)
    if migrate and (not is_str(sa) or not SERVICE_ACCOUNT_RE.match(sa)):
        p.add(at, ".service_account: %r is not a service account name (give service_account for IRSA / "
                  "Pod Identity)" % (sa,))
    if not item.get("managed_policy_arns") and not item.get("inline_policies"):
        p.add(at, ": no managed_policy_arns and no inline_policies; a pod role without permissions is a mistake")
    arn = "arn:%s:iam::%s:role%s%s" % (partition, account, cfg["iam_path"], iam_name)
    trust = {"kube2iam": {"node_role_arns": list(cfg["node_role_arns"])}}
    if "irsa" in migrate:
        trust["irsa"] = {"cluster_name": cfg["cluster_name"], "namespace": rns, "service_account": sa}
    if "pod_identity" in migrate:
        trust["pod_identity"] = {"namespace": rns, "service_account": sa,
                                 "cluster_arn": "arn:%s:eks:%s:%s:cluster/%s" % (partition, cfg["region"], account,
                                                                                 cfg["cluster_name"])}
    tags = dict(cfg["tags"])
    tags["hardened.eks/namespace"] = rns
    tags.update(item.get("tags") or {})
    return {
        "name": rname, "iam_name": iam_name, "namespace": rns, "arn": arn, "trust": trust,
        "service_account": sa, "migrate_to": migrate,
        "description": item.get("description", "Pod role %s of namespace %s, cluster %s (hardened.eks kube2iam)"
                                % (rname, rns, cfg["cluster_name"])),
        "managed_policy_arns": item.get("managed_policy_arns") or [],
        "inline_policies": item.get("inline_policies") or {},
        "permissions_boundary": item.get("permissions_boundary", cfg["permissions_boundary"]),
        "max_session_duration": item.get("max_session_duration", 3600),
        "tags": tags,
    }


def _module_role(cfg, role):
    return {"name": role["iam_name"], "path": cfg["iam_path"], "description": role["description"],
            "trust": role["trust"], "managed_policy_arns": role["managed_policy_arns"],
            "inline_policies": role["inline_policies"], "purge_policies": True,
            "permissions_boundary": role["permissions_boundary"] or None,
            "max_session_duration": role["max_session_duration"], "tags": role["tags"], "purge_tags": True}


def _service_account(cfg, role):
    """The service account a role moving off kube2iam is worn through: annotated for IRSA when
    it moves to IRSA; Pod Identity needs no annotation (the association names it)."""
    labels = dict(cfg["labels"])
    labels["app.kubernetes.io/name"] = role["service_account"]
    annotations = {}
    if "irsa" in role["migrate_to"]:
        annotations = {cfg["irsa_annotation"]: role["arn"], "eks.amazonaws.com/sts-regional-endpoints": "true"}
    return {"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": {"name": role["service_account"], "namespace": role["namespace"], "labels": labels,
                         "annotations": annotations}}


def _pod_identity(cfg, roles, p):
    """The associations of the roles moving to Pod Identity, each checked against the shared list
    of service accounts that use Pod Identity (``pod_identity_service_accounts``, "ns/name"):
    the Calico baseline opens the agent to exactly those, and the cluster role installs the
    agent when the list is not empty."""
    allowed = cfg.get("pod_identity_service_accounts") or []
    out = []
    for role in roles:
        if "pod_identity" not in role["migrate_to"]:
            continue
        key = "%s/%s" % (role["namespace"], role["service_account"])
        if key not in allowed:
            p.add(where("kube2iam_pod_roles", role["index"], role["name"]),
                  ".migrate_to: pod_identity, but %s is not in hardened_eks_pod_identity_service_accounts; add it "
                  "there, so the Calico baseline lets its pods reach the Pod Identity agent and the cluster role "
                  "installs the agent" % key)
        out.append({"namespace": role["namespace"], "service_account": role["service_account"],
                    "role_arn": role["arn"], "tags": dict(cfg.get("association_tags") or {})})
    return out


def plan(cfg):
    """The plan of the role. ``cfg`` holds the inventory (pod_roles, namespaces, iam_path,
    role_name_prefix, migrate_to, cluster_name, namespace, permissions_boundary) and the
    preflight's and role's values (node_role_arns, tags, labels, allowed_annotation,
    namespace_label, irsa_annotation).
    """
    p = Problems()
    path = cfg["iam_path"]
    # At least one segment: the node roles may assume every role under the path.
    if not is_str(path) or path == "/" or not _names.IAM_PATH_RE.match(path) or len(path) > 512:
        p.add("kube2iam_iam_path", ": %r must be an IAM path such as /kube2iam/prod/ (starts and ends with /, "
                                   "not just /: the node roles may assume every role under it)" % (path,))
    _migrations(cfg["migrate_to"], "kube2iam_migrate_to", p)
    for var in ("pod_roles", "namespaces"):
        if not is_list(cfg.get(var)):
            p.add("kube2iam_" + var, ": must be a list")
            cfg = dict(cfg, **{var: []})
    node_arn = (cfg["node_role_arns"] or ["arn:aws:iam::000000000000:role/x"])[0]
    partition = _names.partition_of(node_arn)
    account = _names.account_of(node_arn, "000000000000")

    namespaces = namespace_names(cfg["namespaces"], "kube2iam_namespaces", p)
    allowed = dict((n, []) for n in namespaces)
    roles, names = [], []
    for i, item in enumerate(cfg["pod_roles"]):
        role = _role(cfg, i, item, p, names, partition, account)
        if role is None:
            continue
        role["index"] = i
        roles.append(role)
        if role["namespace"] not in allowed:
            namespaces.append(role["namespace"])
            allowed[role["namespace"]] = []
        allowed[role["namespace"]].append(role["arn"])

    associations = _pod_identity(cfg, roles, p)
    pattern = "arn:%s:iam::%s:role%s*" % (partition, account, path)
    # Sorted case-insensitively, as the Jinja sort of earlier releases did: an annotation
    # written by them is not rewritten.
    annotated = [{"apiVersion": "v1", "kind": "Namespace",
                  "metadata": {"name": n, "labels": {cfg["namespace_label"]: "true"},
                               "annotations": {cfg["allowed_annotation"]: json.dumps(sorted(allowed[n], key=str.lower))}}}
                 for n in namespaces]
    return {
        "problems": p.items,
        "roles": roles,
        "iam_names": [r["iam_name"] for r in roles],
        # The roles as eks_pod_iam_role's roles option takes them (one task for all).
        "module_roles": [_module_role(cfg, r) for r in roles],
        "namespaces": namespaces,
        "namespace_objects": namespace_objects(namespaces),
        "allowed": allowed,
        "annotated_namespaces": annotated,
        "service_accounts": [_service_account(cfg, r) for r in roles if r["migrate_to"]],
        # EKS Pod Identity associations of the roles moving to it (eks_pod_identity_association).
        "pod_identity_associations": associations,
        # Node-role policy: sts:AssumeRole on exactly the roles under the path.
        "node_policy": {"Version": "2012-10-17", "Statement": [{
            "Sid": "Kube2iamAssumePodRoles", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": pattern}]},
        "role_pattern": pattern,
    }
