# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""kube2iam, IRSA and Pod Identity checks: the DaemonSet's flags, namespace annotations,
annotated roles exist and trust the node role, no pod asks outside its namespace's list,
IRSA / Pod Identity trust names exactly its service account.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import json
import re
from urllib.parse import unquote

from ansible_collections.hardened.eks.plugins.module_utils._audit.common import FAIL
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import IRSA_ANNOTATION
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import KUBE2IAM_ALLOWED_ANNOTATION
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import KUBE2IAM_ROLE_ANNOTATION
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import PASS
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import WARN
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import _join
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import result


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


def _glob(value, pattern):
    """A trust's StringLike ``pattern`` matches ``value``: ``*`` is the wildcard, ``?`` is taken
    literally (the audit's one pattern rule, for IRSA subjects and Pod Identity session tags)."""
    return fnmatch.fnmatchcase(value or "", pattern.replace("?", "[?]"))


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
            if _glob(subject, pattern):
                wildcard = pattern
    if wildcard:
        return WARN, "trust matches %s only through the pattern %r" % (subject, wildcard)
    if not federated_seen:
        return FAIL, "trust has no sts:AssumeRoleWithWebIdentity for the cluster's OIDC provider"
    return FAIL, "trust does not name %s" % subject


def _condition_values(statement, key):
    """(equals, likes) values the statement's conditions require for ``key`` (case-insensitive)."""
    equals, likes = [], []
    for op, block in (statement.get("Condition") or {}).items():
        for k, v in (block or {}).items():
            if k.lower() != key.lower():
                continue
            if op in ("StringEquals", "ForAnyValue:StringEquals", "ArnEquals"):
                equals.extend(_as_list(v))
            elif op in ("StringLike", "ForAnyValue:StringLike", "ArnLike"):
                likes.extend(_as_list(v))
    return equals, likes


def _matches(value, equals, likes):
    return value in equals or any(_glob(value, p) for p in likes)


def pod_identity_verdict(trust_doc, namespace=None, service_account=None, cluster_arn=None):
    """(pass|warn|fail, reason) for the trust of a Pod Identity association's role. EKS assumes
    it as pods.eks.amazonaws.com and tags the session with the cluster, namespace and service
    account: a trust that requires other values refuses the pods (fail); one that requires none
    lets any association in the account, on any cluster, wear the role (warn)."""
    verdicts = []
    for st in _statements(trust_doc):
        principal = st.get("Principal") or {}
        services = _as_list(principal.get("Service") if isinstance(principal, dict) else None)
        actions = _actions(st)
        if st.get("Effect") != "Allow" or "pods.eks.amazonaws.com" not in services or \
                "sts:assumerole" not in actions or "sts:tagsession" not in actions:
            continue
        refused, loose = [], []
        for tag, value in (("kubernetes-namespace", namespace), ("kubernetes-service-account", service_account),
                           ("eks-cluster-arn", cluster_arn)):
            equals, likes = _condition_values(st, "aws:RequestTag/" + tag)
            if not equals and not likes:
                loose.append(tag)
            elif value is not None and not _matches(value, equals, likes):
                refused.append("%s %s (trust: %s)" % (tag, value, ", ".join(equals + likes)))
        source = _condition_values(st, "aws:SourceArn")
        if "eks-cluster-arn" in loose and (source[0] or source[1]):
            loose.remove("eks-cluster-arn")
        if refused:
            verdicts.append((FAIL, "trust refuses the association's session: " + "; ".join(refused)))
        elif loose:
            verdicts.append((WARN, "trusts pods.eks.amazonaws.com without a condition on %s: other associations "
                                   "in the account can wear it" % ", ".join(loose)))
        else:
            verdicts.append((PASS, "trusts pods.eks.amazonaws.com for %s/%s on its cluster"
                                   % (namespace, service_account)))
    for status in (PASS, WARN, FAIL):
        for verdict in verdicts:
            if verdict[0] == status:
                return verdict
    return FAIL, "trust lacks pods.eks.amazonaws.com with sts:AssumeRole and sts:TagSession"


def check_pod_identity_agent(associations, agent, note=None):
    """``agent``: DescribeAddon's eks-pod-identity-agent, or None when the cluster has none."""
    check = "irsa.pod_identity_agent"
    if associations is None:
        return result(check, PASS, "Pod Identity associations not readable here%s" % (" (%s)" % note if note else ""))
    if not associations:
        return result(check, PASS, "no Pod Identity association%s"
                      % ("; the agent add-on is installed" if agent else ""))
    if agent is None:
        return result(check, FAIL, "%d Pod Identity associations but no eks-pod-identity-agent add-on: their pods get "
                                   "no credentials" % len(associations),
                      "install the add-on (cluster role: list the service accounts in "
                      "hardened_eks_pod_identity_service_accounts, or hardened.eks.eks_addon name "
                      "eks-pod-identity-agent)")
    if agent.get("status") not in ("ACTIVE",):
        return result(check, WARN, "eks-pod-identity-agent add-on is %s: %s" % (
            agent.get("status"), _join("%s: %s" % (i.get("code"), i.get("message"))
                                       for i in (agent.get("health") or {}).get("issues") or [])),
                      "look at the add-on's health issues (aws eks describe-addon)")
    return result(check, PASS, "eks-pod-identity-agent %s is ACTIVE for %d associations"
                  % (agent.get("addonVersion"), len(associations)))


def check_irsa(service_accounts, roles, provider_arn, issuer, associations=None, associations_note=None,
               cluster_arn=None):
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
        verdict, reason = pod_identity_verdict(role.get("AssumeRolePolicyDocument"), a.get("namespace"),
                                               a.get("serviceAccount"), cluster_arn)
        {PASS: good, WARN: warn, FAIL: bad}[verdict].append("pod identity %s -> %s: %s"
                                                            % (who, arn.split("/")[-1], reason))
    note = " (%s)" % associations_note if associations_note else ""
    if bad:
        return result(check, FAIL, _join(bad + warn) + note,
                      "create the role with hardened.eks.eks_pod_iam_role trust.irsa (namespace, "
                      "service_account) or trust.pod_identity, or fix the annotation")
    if warn:
        return result(check, WARN, _join(warn) + note,
                      "name the exact service account in the trust (StringEquals on <issuer>:sub; for Pod Identity "
                      "the aws:RequestTag/kubernetes-namespace, kubernetes-service-account and eks-cluster-arn "
                      "conditions, which eks_pod_iam_role trust.pod_identity writes)")
    if not good:
        return result(check, PASS, "no service account uses IRSA and no Pod Identity association%s" % note)
    return result(check, PASS, _join(good) + note)
