# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Trust documents of pod roles: kube2iam (the node roles), IRSA (one service account through the
cluster's OIDC provider) and EKS Pod Identity, and how they compare.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import re

try:
    from urllib.parse import unquote
except ImportError:  # pragma: no cover - Python 2
    from urllib import unquote

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.hardened.eks.plugins.module_utils import _names


POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"
IRSA_AUDIENCE = "sts.amazonaws.com"
KUBE2IAM_ANNOTATION = "iam.amazonaws.com/role"
IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"
TRUST_KINDS = ("kube2iam", "irsa", "pod_identity")
# Statement ids make the trust readable and its diff obvious; IAM allows [A-Za-z0-9] only.
SIDS = {"kube2iam": "Kube2iamNodeRoles", "irsa": "IrsaServiceAccount", "pod_identity": "EksPodIdentity"}
POLICY_VERSIONS = ("2012-10-17", "2008-10-17")
INLINE_POLICIES_MAX_CHARS = 10240  # all inline policies of a role together, whitespace excluded
MAX_TAGS = 50

ROLE_ARN_RE = _names.ROLE_ARN_RE
POLICY_ARN_RE = _names.POLICY_ARN_RE
OIDC_PROVIDER_ARN_RE = _names.OIDC_PROVIDER_ARN_RE
CLUSTER_ARN_RE = _names.CLUSTER_ARN_RE
CLUSTER_NAME_RE = _names.CLUSTER_NAME_RE
_DNS_LABEL_RE = re.compile(r"^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN_RE = re.compile(r"^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$")
_POLICY_NAME_RE = re.compile(r"^[\w+=,.@-]{1,128}$")
_SID_RE = re.compile(r"^[A-Za-z0-9]*$")
_ACTION_RE = re.compile(r"^(?:\*|[A-Za-z0-9-]+:[A-Za-z0-9*?_-]*)$")
_DESCRIPTION_RE = re.compile(u"^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$")
_STATEMENT_KEYS = ("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition")


class TrustError(Exception):
    """Bad input or a refused trust: raised before any AWS call. ``problems`` lists every item."""

    def __init__(self, problems, prefix="Invalid parameters"):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        text = "; ".join(self.problems)
        super(TrustError, self).__init__("%s: %s" % (prefix, text) if prefix else text)


# ------------------------------------------------------------------------------------ documents
def parse_policy_document(value):
    """A policy as data: dicts are copied; strings are JSON (IAM may URL-encode them).
    Raises ValueError when the text is not JSON."""
    if isinstance(value, dict):
        return copy.deepcopy(value)
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("utf-8")
    if not isinstance(value, str):
        raise ValueError("a policy document is a dict or a JSON string, not %s" % type(value).__name__)
    text = value.strip()
    if text.startswith("%7B") or text.startswith("%7b"):
        text = unquote(text)
    return json.loads(text)


def policies_differ(current, desired):
    """True when the two documents mean different things. Statement order, list order, a string
    against a one-item list and a missing Version (2008-10-17) do not count."""
    if current is None or desired is None:
        return current is not desired
    return compare_policies(current, desired)


def dumps(doc):
    """Compact JSON with sorted keys: what is sent to IAM (and counted against its size limits)."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"))


def _one_or_list(values):
    values = sorted(set(values))
    return values[0] if len(values) == 1 else values


def _has_wildcard(value):
    return "*" in value or "?" in value


def issuer_of_provider(provider_arn):
    """``oidc.eks.<region>.amazonaws.com/id/<ID>``: the issuer (without https://) that IAM uses as
    the prefix of the provider's condition keys."""
    m = OIDC_PROVIDER_ARN_RE.match(provider_arn or "")
    if not m:
        raise TrustError("not an IAM OIDC provider ARN: %r" % (provider_arn,))
    return m.group(3)


def provider_arn_for_cluster(cluster):
    """The OIDC provider ARN IAM gives an EKS cluster's issuer (``describe_cluster()['cluster']``):
    ``arn:<partition>:iam::<account of the cluster>:oidc-provider/<issuer without https://>``."""
    name = cluster.get("name")
    issuer = ((cluster.get("identity") or {}).get("oidc") or {}).get("issuer")
    if not issuer:
        raise TrustError("cluster %s has no OIDC issuer (identity.oidc.issuer), so IRSA cannot be used" % name,
                         prefix="trust.irsa.cluster_name")
    m = CLUSTER_ARN_RE.match(cluster.get("arn") or "")
    if not m:
        raise TrustError("cluster %s has an unexpected ARN %r" % (name, cluster.get("arn")),
                         prefix="trust.irsa.cluster_name")
    host = re.sub(r"^https://", "", issuer).rstrip("/")
    return "arn:%s:iam::%s:oidc-provider/%s" % (m.group(1), m.group(2), host)


def kube2iam_statement(node_role_arns):
    return {"Sid": SIDS["kube2iam"], "Effect": "Allow", "Principal": {"AWS": _one_or_list(node_role_arns)},
            "Action": "sts:AssumeRole"}


def irsa_statement(provider_arn, namespace, service_account):
    issuer = issuer_of_provider(provider_arn)
    sub = "system:serviceaccount:%s:%s" % (namespace, service_account)
    condition = {"StringEquals": {issuer + ":aud": IRSA_AUDIENCE}}
    if _has_wildcard(namespace) or _has_wildcard(service_account):
        condition["StringLike"] = {issuer + ":sub": sub}
    else:
        condition["StringEquals"][issuer + ":sub"] = sub
    return {"Sid": SIDS["irsa"], "Effect": "Allow", "Principal": {"Federated": provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition}


def pod_identity_statement(namespace=None, service_account=None, cluster_arn=None):
    """EKS Pod Identity assumes the role as ``pods.eks.amazonaws.com`` and tags the session with
    the pod's cluster, namespace and service account: when given, they are required through
    ``aws:RequestTag`` conditions, so an association made for another service account, or on
    another cluster, cannot use the role. With the cluster, ``aws:SourceAccount`` is required too
    (the confused-deputy condition AWS documents for service principals)."""
    statement = {"Sid": SIDS["pod_identity"], "Effect": "Allow", "Principal": {"Service": POD_IDENTITY_PRINCIPAL},
                 "Action": ["sts:AssumeRole", "sts:TagSession"]}
    equals, like = {}, {}
    if cluster_arn:
        equals["aws:SourceAccount"] = cluster_arn.split(":")[4]
        equals["aws:RequestTag/eks-cluster-arn"] = cluster_arn
    for tag, value in (("kubernetes-namespace", namespace), ("kubernetes-service-account", service_account)):
        if value:
            (like if _has_wildcard(value) else equals)["aws:RequestTag/" + tag] = value
    condition = {}
    if equals:
        condition["StringEquals"] = equals
    if like:
        condition["StringLike"] = like
    if condition:
        statement["Condition"] = condition
    return statement


def build_trust_document(trust, provider_arn=None):
    """The trust policy for ``trust`` (validated, see ``validate_params``); ``provider_arn`` is the
    IRSA OIDC provider (given, or found from the cluster)."""
    statements = []
    if trust.get("kube2iam"):
        statements.append(kube2iam_statement(trust["kube2iam"]["node_role_arns"]))
    if trust.get("irsa"):
        irsa = trust["irsa"]
        statements.append(irsa_statement(provider_arn or irsa.get("oidc_provider_arn"), irsa["namespace"],
                                         irsa["service_account"]))
    if trust.get("pod_identity"):
        pi = trust["pod_identity"]
        statements.append(pod_identity_statement(pi.get("namespace"), pi.get("service_account"), pi.get("cluster_arn")))
    doc = {"Version": "2012-10-17", "Statement": statements}
    problems = open_trust_problems(doc)
    if problems:
        raise TrustError(problems, prefix="Refused trust")
    return doc


def open_trust_problems(doc):
    """Statements of a trust document that would let anyone (``*``), or nobody in particular,
    assume the role."""
    problems = []
    statements = doc.get("Statement") if isinstance(doc, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    if not statements:
        return ["the trust has no statement"]
    for i, st in enumerate(statements):
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        if "NotPrincipal" in st:
            problems.append("statement %d: NotPrincipal with Allow trusts everyone else" % i)
        principal = st.get("Principal")
        if principal == "*":
            problems.append("statement %d: Principal * lets anyone assume the role" % i)
            continue
        if not isinstance(principal, dict) or not principal:
            problems.append("statement %d: no principal" % i)
            continue
        for kind, values in principal.items():
            for value in values if isinstance(values, list) else [values]:
                if not isinstance(value, str) or "*" in value or "?" in value:
                    problems.append("statement %d: Principal.%s %r lets anyone assume the role" % (i, kind, value))
    return problems


def annotations_for(arn, trust):
    """Kubernetes annotations that make a pod wear the role: the pod annotation kube2iam reads and
    the service-account annotation of IRSA. Pod Identity needs none (an association does it)."""
    out = {}
    if not arn:
        return out
    if trust.get("kube2iam"):
        out["pod"] = {KUBE2IAM_ANNOTATION: arn}
    if trust.get("irsa"):
        out["service_account"] = {IRSA_ANNOTATION: arn}
    return out
