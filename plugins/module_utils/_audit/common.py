# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every audit check shares: statuses, titles, the sensitive actions asked of the API
server, the result shape, and the summary of a run.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


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
    "control_plane.deletion_protection": "The cluster is protected from deletion",
    "access.authentication_mode": "Authentication through access entries (API or API_AND_CONFIG_MAP)",
    "access.bootstrap_admin": "EKS did not make the cluster's creator an admin",
    "access.cluster_admins": "Only the inventory's admins hold admin-level access policies cluster-wide",
    "access.entry_principals": "Every access entry's IAM principal still exists",
    "access.aws_auth_conflicts": "No principal is mapped differently in aws-auth and an access entry",
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
    "irsa.pod_identity_agent": "The Pod Identity agent add-on runs where associations exist",
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
