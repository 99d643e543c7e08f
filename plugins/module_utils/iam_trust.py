# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of the ``eks_pod_iam_role`` module.

Trust documents for the three ways a pod wears an IAM role (kube2iam, IRSA, EKS Pod Identity),
validation of the module's input (names, ARNs, policy JSON) before any AWS call, semantic
comparison of policy documents (amazon.aws ``compare_policies``), and the *plan*: the ordered
list of IAM calls (operation name + parameters) that takes a role from what GetRole & co. said
to what was asked, together with the predicted result. Check mode and diff mode use the same
plan; only its execution is skipped. No function here talks to AWS.
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

from ansible_collections.amazon.aws.plugins.module_utils.iam import validate_iam_identifiers
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

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


def pod_identity_statement(namespace=None, service_account=None):
    """EKS Pod Identity assumes the role as ``pods.eks.amazonaws.com`` and tags the session with
    the pod's namespace and service account: when given, they are required through
    ``aws:RequestTag`` conditions, so an association made for another service account cannot use
    the role."""
    statement = {"Sid": SIDS["pod_identity"], "Effect": "Allow", "Principal": {"Service": POD_IDENTITY_PRINCIPAL},
                 "Action": ["sts:AssumeRole", "sts:TagSession"]}
    equals, like = {}, {}
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
        statements.append(pod_identity_statement(pi.get("namespace"), pi.get("service_account")))
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


# ----------------------------------------------------------------------------------- validation
def policy_document_problems(doc, where):
    """Problems of an identity (inline) policy document, each prefixed with ``where``."""
    if not isinstance(doc, dict):
        return ["%s: a policy document is a JSON object, not %s" % (where, type(doc).__name__)]
    problems = []
    extra = sorted(set(doc) - {"Version", "Statement", "Id"})
    if extra:
        problems.append("%s: unknown top-level keys %s (expected Version, Statement, Id)" % (where, extra))
    if doc.get("Version") not in POLICY_VERSIONS:
        problems.append("%s: Version must be one of %s, not %r" % (where, list(POLICY_VERSIONS), doc.get("Version")))
    statements = doc.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        problems.append("%s: Statement must be a statement or a non-empty list of statements" % where)
        return problems
    for i, st in enumerate(statements):
        problems.extend(_statement_problems(st, "%s: Statement[%d]" % (where, i)))
    return problems


def _strings(value):
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value
    return None


def _statement_problems(st, where):
    if not isinstance(st, dict):
        return ["%s: a statement is a JSON object" % where]
    problems = []
    if "Principal" in st or "NotPrincipal" in st:
        problems.append("%s: an identity policy names no Principal (that belongs in the trust)" % where)
    extra = sorted(set(st) - set(_STATEMENT_KEYS) - {"Principal", "NotPrincipal"})
    if extra:
        problems.append("%s: unknown keys %s" % (where, extra))
    if st.get("Effect") not in ("Allow", "Deny"):
        effect = st.get("Effect")
        hint = (" (did you mean %r? IAM's values are case-sensitive)" % effect.capitalize()
                if isinstance(effect, str) and effect.capitalize() in ("Allow", "Deny") else "")
        problems.append("%s: Effect must be Allow or Deny, not %r%s" % (where, effect, hint))
    sid = st.get("Sid")
    if sid is not None and not (isinstance(sid, str) and _SID_RE.match(sid)):
        problems.append("%s: Sid must be letters and digits, not %r" % (where, sid))
    for key, other in (("Action", "NotAction"), ("Resource", "NotResource")):
        if (key in st) == (other in st):
            problems.append("%s: exactly one of %s and %s is required" % (where, key, other))
            continue
        name = key if key in st else other
        values = _strings(st[name])
        if values is None:
            problems.append("%s: %s must be a string or a non-empty list of strings" % (where, name))
            continue
        if key == "Action":
            bad = [v for v in values if not _ACTION_RE.match(v)]
            if bad:
                problems.append("%s: %s %s are not actions (service:Action or *)" % (where, name, bad))
        else:
            bad = [v for v in values if v != "*" and not v.startswith("arn:")]
            if bad:
                problems.append("%s: %s %s are not ARNs or *" % (where, name, bad))
    cond = st.get("Condition")
    if cond is not None:
        if not isinstance(cond, dict) or not all(isinstance(k, str) and isinstance(v, dict) and v
                                                 for k, v in cond.items()):
            problems.append("%s: Condition must map operators to non-empty objects of keys and values" % where)
    return problems


def _k8s_name_problems(value, where, kind):
    """``kind``: label (namespace) or subdomain (service account); ``*`` wildcards allowed."""
    if not isinstance(value, str) or not value:
        return ["%s: required (a Kubernetes %s name)" % (where, "namespace" if kind == "label" else "service account")]
    probe = value.replace("*", "a")
    limit, regex = (63, _DNS_LABEL_RE) if kind == "label" else (253, _DNS_SUBDOMAIN_RE)
    if len(value) > limit or not regex.match(probe):
        return ["%s: %r is not a valid Kubernetes %s name (lowercase letters, digits and '-'%s, at most %d, "
                "'*' as a wildcard)" % (where, value, "namespace" if kind == "label" else "service account",
                                        "" if kind == "label" else " and '.'", limit)]
    return []


def _arn_list_problems(values, where, regex, what):
    problems = []
    if not isinstance(values, list):
        return ["%s: a list of %s" % (where, what)]
    for i, v in enumerate(values):
        if not isinstance(v, str) or not regex.match(v):
            problems.append("%s[%d]: %r is not %s" % (where, i, v, what))
    return problems


def pasted_policy_document(trust):
    """The hint for an IAM trust document given as ``trust`` (its Version/Statement keys), or None."""
    if not isinstance(trust, dict) or not ({"Version", "Statement"} & set(trust)):
        return None
    return ("trust: got an IAM trust policy document (%s); this module writes the document itself from "
            "the kinds of trust a pod needs: give trust.kube2iam.node_role_arns, trust.irsa (namespace, "
            "service_account and oidc_provider_arn or cluster_name) and/or trust.pod_identity "
            "(namespace, service_account)" % ", ".join(sorted({"Version", "Statement"} & set(trust))))


def validate_params(params):
    """Check the module's parameters; return the normalized desired state or raise TrustError
    with every problem. Nothing here needs AWS."""
    problems = []
    name, path = params.get("name"), params.get("path") or "/"
    if not isinstance(name, str) or not name:
        problems.append("name: required")
    elif "/" in name:
        head, _sep, tail = name.rstrip("/").rpartition("/")
        problems.append("name: %r holds a '/', which an IAM role name cannot: put the path in path (%r) and "
                        "the name in name (%r)" % (name, "/%s/" % head.strip("/") if head else "/", tail))
    else:
        bad = validate_iam_identifiers("role", name=name, path=path if isinstance(path, str) else None)
        if bad:
            problems.append("name/path: %s" % bad)
    if not isinstance(path, str):
        problems.append("path: must be a string")
    state = params.get("state") or "present"
    desired = {"name": name, "path": path, "state": state}
    if state == "absent":
        if problems:
            raise TrustError(problems)
        return desired

    desired["trust"], trust_problems = _validate_trust(params.get("trust"))
    problems.extend(trust_problems)

    desc = params.get("description")
    if desc is not None:
        if not isinstance(desc, str) or len(desc) > 1000 or not _DESCRIPTION_RE.match(desc):
            problems.append("description: at most 1000 characters, printable Latin-1 only")
    desired["description"] = desc

    msd = params.get("max_session_duration")
    if msd is not None and (isinstance(msd, bool) or not isinstance(msd, int) or not 3600 <= msd <= 43200):
        problems.append("max_session_duration: %r is not between 3600 and 43200 seconds" % (msd,))
    desired["max_session_duration"] = msd

    boundary = params.get("permissions_boundary")
    if boundary not in (None, "") and not (isinstance(boundary, str) and POLICY_ARN_RE.match(boundary)):
        problems.append("permissions_boundary: %r is not a managed policy ARN" % (boundary,))
    desired["permissions_boundary"] = boundary

    managed = params.get("managed_policy_arns")
    if managed is not None:
        problems.extend(_arn_list_problems(managed, "managed_policy_arns", POLICY_ARN_RE, "a managed policy ARN"))
        desired["managed_policy_arns"] = sorted(set(m for m in managed if isinstance(m, str))) \
            if isinstance(managed, list) else None
    else:
        desired["managed_policy_arns"] = None

    desired["inline_policies"], inline_problems = _validate_inline(params.get("inline_policies"))
    problems.extend(inline_problems)

    tags = params.get("tags")
    if tags is not None:
        tags, tag_problems = _validate_tags(tags)
        problems.extend(tag_problems)
    desired["tags"] = tags
    desired["purge_tags"] = params.get("purge_tags", True) is not False
    desired["purge_policies"] = params.get("purge_policies", True) is not False
    if problems:
        raise TrustError(problems)
    return desired


def _validate_trust(trust):
    asked = [k for k in TRUST_KINDS if isinstance(trust, dict) and trust.get(k) is not None]
    if not asked:
        return None, ["trust: give at least one of kube2iam, irsa, pod_identity (an empty trust lets no pod "
                      "assume the role)"]
    problems, out = [], {}
    unknown = sorted(str(k) for k in trust if k not in TRUST_KINDS and trust[k] is not None)
    if unknown:
        problems.append("trust: unknown kinds %s (expected %s)" % (unknown, list(TRUST_KINDS)))
    for kind in asked:
        if not isinstance(trust[kind], dict):
            problems.append("trust.%s: a dict" % kind)
            continue
        p0 = len(problems)
        value = _TRUST_VALIDATORS[kind](trust[kind], problems)
        if len(problems) == p0:
            out[kind] = value
    return out, problems


def _validate_kube2iam(k2i, problems):
    arns = k2i.get("node_role_arns")
    if not arns:
        problems.append("trust.kube2iam.node_role_arns: required, the IAM roles of the nodes kube2iam runs on")
        return None
    problems.extend(_arn_list_problems(arns, "trust.kube2iam.node_role_arns", ROLE_ARN_RE,
                                       "an IAM role ARN (arn:<partition>:iam::<account>:role/<name>; no *, no account root)"))
    return {"node_role_arns": sorted(set(a for a in arns if isinstance(a, str)))} if isinstance(arns, list) else None


def _validate_irsa(irsa, problems):
    provider, cluster = irsa.get("oidc_provider_arn"), irsa.get("cluster_name")
    if bool(provider) == bool(cluster):
        problems.append("trust.irsa: give exactly one of oidc_provider_arn and cluster_name")
    elif provider and not (isinstance(provider, str) and OIDC_PROVIDER_ARN_RE.match(provider)):
        problems.append("trust.irsa.oidc_provider_arn: %r is not an IAM OIDC provider ARN "
                        "(arn:<partition>:iam::<account>:oidc-provider/<issuer host/path>)" % (provider,))
    elif cluster and not (isinstance(cluster, str) and CLUSTER_NAME_RE.match(cluster)):
        problems.append("trust.irsa.cluster_name: %r is not an EKS cluster name" % (cluster,))
    ns, sa = irsa.get("namespace"), irsa.get("service_account")
    problems.extend(_k8s_name_problems(ns, "trust.irsa.namespace", "label"))
    problems.extend(_k8s_name_problems(sa, "trust.irsa.service_account", "subdomain"))
    if ns == "*" and sa == "*":
        problems.append("trust.irsa: namespace * and service_account * would let every service account "
                        "of the cluster assume the role; name the namespace or the service account")
    return {"oidc_provider_arn": provider or None, "cluster_name": cluster or None,
            "namespace": ns, "service_account": sa}


def _validate_pod_identity(pi, problems):
    ns, sa = pi.get("namespace"), pi.get("service_account")
    if ns is not None:
        problems.extend(_k8s_name_problems(ns, "trust.pod_identity.namespace", "label"))
    if sa is not None:
        problems.extend(_k8s_name_problems(sa, "trust.pod_identity.service_account", "subdomain"))
    if ns == "*" and sa == "*":
        ns = sa = None  # no condition at all is what both wildcards mean
    return {"namespace": ns or None, "service_account": sa or None}


_TRUST_VALIDATORS = {"kube2iam": _validate_kube2iam, "irsa": _validate_irsa, "pod_identity": _validate_pod_identity}


def _validate_inline(inline):
    if inline is None:
        return None, []
    if not isinstance(inline, dict):
        return None, ["inline_policies: a dict of policy name to policy document"]
    problems, out, size = [], {}, 0
    for pname in sorted(inline, key=str):
        where = "inline_policies.%s" % pname
        if not isinstance(pname, str) or not _POLICY_NAME_RE.match(pname):
            problems.append("%s: policy names are 1-128 of letters, digits and +=,.@_-" % where)
            continue
        try:
            doc = parse_policy_document(inline[pname])
        except ValueError as e:
            problems.append("%s: not valid policy JSON (%s)" % (where, e))
            continue
        bad = policy_document_problems(doc, where)
        if bad:
            problems.extend(bad)
            continue
        out[pname] = doc
        size += len(dumps(doc))
    if size > INLINE_POLICIES_MAX_CHARS:
        problems.append("inline_policies: %d characters together, IAM allows %d per role; use managed policies"
                        % (size, INLINE_POLICIES_MAX_CHARS))
    return out, problems


def _validate_tags(tags):
    if not isinstance(tags, dict):
        return None, ["tags: a dict of tag key to value"]
    problems, out = [], {}
    if len(tags) > MAX_TAGS:
        problems.append("tags: %d tags, IAM allows %d" % (len(tags), MAX_TAGS))
    for key in sorted(tags, key=str):
        value = tags[key]
        if not isinstance(key, str) or not 1 <= len(key) <= 128 or key.lower().startswith("aws:"):
            problems.append("tags: key %r must be 1-128 characters and not start with aws:" % (key,))
            continue
        if isinstance(value, bool) or value is None or not isinstance(value, (str, int, float)):
            problems.append("tags.%s: the value must be a string, not %r" % (key, value))
            continue
        value = str(value)
        if len(value) > 256:
            problems.append("tags.%s: values are at most 256 characters" % key)
            continue
        out[key] = value
    return out, problems


# ------------------------------------------------------------------------------------- the plan
def role_view(role, attached=None, inline=None, tags=None, instance_profiles=None):
    """The role as this module manages it, from GetRole (``role``), the attached policy ARNs,
    the inline policies (name -> document, or None when not read) and tags (None: not read)."""
    if role is None:
        return None
    trust = role.get("AssumeRolePolicyDocument")
    if trust is not None and not isinstance(trust, dict):
        trust = parse_policy_document(trust)
    if tags is None and "Tags" in role:
        tags = {t["Key"]: t["Value"] for t in role.get("Tags") or []}
    return {
        "role_name": role["RoleName"],
        "arn": role.get("Arn"),
        "role_id": role.get("RoleId"),
        "path": role.get("Path", "/"),
        "trust_policy": trust,
        "description": role.get("Description"),
        "max_session_duration": role.get("MaxSessionDuration"),
        "permissions_boundary": (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
        "managed_policy_arns": sorted(attached) if attached is not None else None,
        "inline_policies": dict(inline) if inline is not None else None,
        "tags": tags,
        "instance_profiles": instance_profiles,
    }


def _step(call, **params):
    return {"call": call, "params": params}


def plan_role(current, desired, trust_doc):
    """(steps, predicted): the IAM calls that make ``current`` (``role_view``, or None when the role
    does not exist) what ``desired`` (``validate_params``) asks with trust ``trust_doc``, and the
    role as it will be. No step means converged."""
    name = desired["name"]
    if current is None:
        return _plan_create(desired, trust_doc)
    steps = []
    predicted = copy.deepcopy(current)
    predicted.pop("instance_profiles", None)
    predicted["trust_policy"] = current["trust_policy"]
    if policies_differ(current["trust_policy"], trust_doc):
        steps.append(_step("update_assume_role_policy", RoleName=name, PolicyDocument=dumps(trust_doc)))
        predicted["trust_policy"] = trust_doc

    update = {}
    if desired.get("description") is not None and desired["description"] != (current.get("description") or ""):
        update["Description"] = desired["description"]
        predicted["description"] = desired["description"]
    if desired.get("max_session_duration") is not None and \
            desired["max_session_duration"] != current.get("max_session_duration"):
        update["MaxSessionDuration"] = desired["max_session_duration"]
        predicted["max_session_duration"] = desired["max_session_duration"]
    if update:
        steps.append(_step("update_role", RoleName=name, **update))

    boundary = desired.get("permissions_boundary")
    if boundary == "" and current.get("permissions_boundary"):
        steps.append(_step("delete_role_permissions_boundary", RoleName=name))
        predicted["permissions_boundary"] = None
    elif boundary and boundary != current.get("permissions_boundary"):
        steps.append(_step("put_role_permissions_boundary", RoleName=name, PermissionsBoundary=boundary))
        predicted["permissions_boundary"] = boundary

    # Grants first, removals after: a role being converged never has fewer permissions than
    # both its old and its new self.
    removals = []
    if desired.get("managed_policy_arns") is not None:
        have = set(current.get("managed_policy_arns") or [])
        want = set(desired["managed_policy_arns"])
        for arn in sorted(want - have):
            steps.append(_step("attach_role_policy", RoleName=name, PolicyArn=arn))
        gone = sorted(have - want) if desired.get("purge_policies", True) else []
        for arn in gone:
            removals.append(_step("detach_role_policy", RoleName=name, PolicyArn=arn))
        predicted["managed_policy_arns"] = sorted((have | want) - set(gone))

    if desired.get("inline_policies") is not None:
        have = current.get("inline_policies") or {}
        want = desired["inline_policies"]
        after = dict(have)
        for pname in sorted(want):
            if pname not in have or have[pname] is None or policies_differ(have[pname], want[pname]):
                # have[pname] None: listed but not read, which read_role never leaves for a
                # policy that is also asked for; put it rather than guess.
                steps.append(_step("put_role_policy", RoleName=name, PolicyName=pname,
                                   PolicyDocument=dumps(want[pname])))
            after[pname] = want[pname]
        if desired.get("purge_policies", True):
            for pname in sorted(set(have) - set(want)):
                removals.append(_step("delete_role_policy", RoleName=name, PolicyName=pname))
                after.pop(pname)
        predicted["inline_policies"] = after
    steps.extend(removals)

    if desired.get("tags") is not None:
        have = current.get("tags") or {}
        to_set, to_unset = compare_aws_tags(have, desired["tags"], desired.get("purge_tags", True))
        if to_set:
            steps.append(_step("tag_role", RoleName=name, Tags=ansible_dict_to_boto3_tag_list(to_set)))
        if to_unset:
            steps.append(_step("untag_role", RoleName=name, TagKeys=sorted(to_unset)))
        tags = dict(have)
        tags.update(to_set)
        for k in to_unset:
            tags.pop(k, None)
        predicted["tags"] = tags
    return steps, predicted


def _plan_create(desired, trust_doc):
    name = desired["name"]
    params = {"RoleName": name, "Path": desired["path"], "AssumeRolePolicyDocument": dumps(trust_doc)}
    if desired.get("description") is not None:
        params["Description"] = desired["description"]
    if desired.get("max_session_duration") is not None:
        params["MaxSessionDuration"] = desired["max_session_duration"]
    if desired.get("permissions_boundary"):
        params["PermissionsBoundary"] = desired["permissions_boundary"]
    if desired.get("tags"):
        params["Tags"] = ansible_dict_to_boto3_tag_list(desired["tags"])
    steps = [_step("create_role", **params)]
    inline = desired.get("inline_policies") or {}
    for pname in sorted(inline):
        steps.append(_step("put_role_policy", RoleName=name, PolicyName=pname, PolicyDocument=dumps(inline[pname])))
    managed = desired.get("managed_policy_arns") or []
    for arn in managed:
        steps.append(_step("attach_role_policy", RoleName=name, PolicyArn=arn))
    predicted = {
        "role_name": name, "arn": None, "role_id": None, "path": desired["path"], "trust_policy": trust_doc,
        "description": desired.get("description"),
        "max_session_duration": desired.get("max_session_duration") or 3600,
        "permissions_boundary": desired.get("permissions_boundary") or None,
        "managed_policy_arns": list(managed), "inline_policies": dict(inline), "tags": dict(desired.get("tags") or {}),
    }
    return steps, predicted


def plan_role_deletion(current):
    """Steps that delete a role (``role_view`` with attached, inline and instance profiles read):
    out of its instance profiles (deleting the profile named like the role, which is how
    amazon.aws.iam_role and the console make them), policies detached and deleted, then the role."""
    name = current["role_name"]
    steps = []
    for profile in current.get("instance_profiles") or []:
        steps.append(_step("remove_role_from_instance_profile", InstanceProfileName=profile, RoleName=name))
        if profile == name:
            steps.append(_step("delete_instance_profile", InstanceProfileName=profile))
    for arn in current.get("managed_policy_arns") or []:
        steps.append(_step("detach_role_policy", RoleName=name, PolicyArn=arn))
    for pname in sorted(current.get("inline_policies") or {}):
        steps.append(_step("delete_role_policy", RoleName=name, PolicyName=pname))
    steps.append(_step("delete_role", RoleName=name))
    return steps


def role_arn(partition, account, path, name):
    return "arn:%s:iam::%s:role%s%s" % (partition, account, path, name)


def diff_view(view):
    """What diff mode shows of a role (before/after): trust, policies, settings, tags."""
    if view is None:
        return {}
    out = {}
    for key in ("path", "trust_policy", "description", "max_session_duration", "permissions_boundary",
                "managed_policy_arns", "inline_policies", "tags"):
        if view.get(key) is not None:
            out[key] = view[key]
    return out


def result_view(view, trust):
    """What the module returns for a role (``trust``: the validated trust, for annotations)."""
    out = {
        "role_name": view["role_name"], "arn": view.get("arn"), "role_id": view.get("role_id"),
        "path": view.get("path"), "trust_policy": view.get("trust_policy"),
        "description": view.get("description"), "max_session_duration": view.get("max_session_duration"),
        "permissions_boundary": view.get("permissions_boundary"),
        "annotations": annotations_for(view.get("arn"), trust or {}),
    }
    if view.get("managed_policy_arns") is not None:
        out["managed_policy_arns"] = view["managed_policy_arns"]
    if view.get("inline_policies") is not None:
        out["inline_policy_names"] = sorted(view["inline_policies"])
    if view.get("tags") is not None:
        out["tags"] = view["tags"]
    return out
