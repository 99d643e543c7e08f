# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""eks_pod_iam_role's parameters: every problem of the trust, the policies, the tags before any
request.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.amazon.aws.plugins.module_utils.iam import validate_iam_identifiers
from ansible_collections.hardened.eks.plugins.module_utils import _names
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import CLUSTER_NAME_RE
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import INLINE_POLICIES_MAX_CHARS
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import MAX_TAGS
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import OIDC_PROVIDER_ARN_RE
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import POLICY_ARN_RE
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import POLICY_VERSIONS
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import ROLE_ARN_RE
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import TRUST_KINDS
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import TrustError
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import _ACTION_RE
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import _DESCRIPTION_RE
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import _DNS_LABEL_RE
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import _DNS_SUBDOMAIN_RE
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import _POLICY_NAME_RE
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import _SID_RE
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import _STATEMENT_KEYS
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import dumps
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import parse_policy_document


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
    cluster = pi.get("cluster_arn")
    if cluster is not None and not _names.is_valid(cluster, "cluster_arn"):
        problems.append("trust.pod_identity.cluster_arn: %r is not an EKS cluster ARN "
                        "(arn:<partition>:eks:<region>:<account>:cluster/<name>)" % (cluster,))
    return {"namespace": ns or None, "service_account": sa or None, "cluster_arn": cluster or None}


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
