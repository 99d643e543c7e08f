# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit run of ``eks_security_audit``: which facts each check group needs (read once and
cached), and which checks of ``_audit.checks`` judge them."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hardened.eks.plugins.module_utils._audit import checks as ac
from ansible_collections.hardened.eks.plugins.module_utils._audit.access_checks import access_config
from ansible_collections.hardened.eks.plugins.module_utils._eks.access import ADMIN_LEVEL
from ansible_collections.hardened.eks.plugins.module_utils import eks_versions
from ansible_collections.hardened.eks.plugins.module_utils.aws_auth import AwsAuthParseError
from ansible_collections.hardened.eks.plugins.module_utils.aws_auth import parse_aws_auth
from ansible_collections.hardened.eks.plugins.module_utils.eks import oidc_provider_arn
from ansible_collections.hardened.eks.plugins.module_utils._k8s import k8s_path

ALL_GROUPS = ["control_plane", "access", "nodes", "aws_auth", "rbac", "calico", "kube2iam", "irsa"]
CALICO = "crd.projectcalico.org/v1"


class Audit(object):
    def __init__(self, params, aws, k8s):
        self.p = params
        self.calendar_date = eks_versions.parse_date(params.get("calendar_date"))
        self.aws = aws
        self.k8s = k8s
        self.results = []
        self._cache = {}

    def cached(self, key, fn):
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    # shared facts ------------------------------------------------------------------------
    def cluster(self):
        return self.cached("cluster", lambda: self.aws.cluster(self.p["cluster_name"]))

    def account(self):
        return (self.cluster().get("arn") or "").split(":")[4] if self.cluster().get("arn") else ""

    def partition(self):
        return (self.cluster().get("arn") or "arn:aws").split(":")[1]

    def nodegroups(self):
        return self.cached("nodegroups", lambda: self.aws.nodegroups(self.p["cluster_name"]))

    def node_role_arns(self):
        out = []
        for arn in [ng["node_role"] for ng in self.nodegroups() if ng.get("node_role")] + list(self.p["node_role_arns"]):
            if arn not in out:
                out.append(arn)
        return out

    def role(self, arn):
        return self.cached(("role", arn), lambda: self.aws.role(arn))

    def aws_auth(self):
        def read():
            cm = self.k8s.get_or_none(k8s_path("v1", "configmaps", "kube-system", "aws-auth"))
            if cm is None:
                return None, None, []
            try:
                parsed = parse_aws_auth(cm.get("data") or {})
            except AwsAuthParseError as exc:
                return cm, str(exc).split(": ", 1)[-1], []
            return cm, None, ac.mapped_entries(parsed)
        return self.cached("aws_auth", read)

    def namespaces(self):
        return self.cached("namespaces", lambda: self.k8s.items("/api/v1/namespaces"))

    def pods(self):
        return self.cached("pods", lambda: self.k8s.scoped_items("v1", "pods", self.p["namespaces"]))

    # groups --------------------------------------------------------------------------------
    def control_plane(self):
        c = self.cluster()
        return [ac.check_private_endpoint(c),
                ac.check_public_endpoint(c, self.p["public_access_cidrs"]),
                ac.check_logging(c),
                ac.check_secrets_encryption(c, *self.secrets_key()),
                ac.check_version(c, self.p["supported_versions"], self.calendar_date),
                ac.check_deletion_protection(c)]

    def secrets_key(self):
        """(KeyMetadata or None, note) of the secrets key; (None, None) when there is none."""
        arn = ac.secrets_key_arn(self.cluster())
        return self.cached(("kms", arn), lambda: self.aws.kms_key(arn)) if arn else (None, None)

    def access(self):
        c = self.cluster()
        mode, _boot = access_config(c)
        api = mode in ("API", "API_AND_CONFIG_MAP")
        name = self.p["cluster_name"]
        admins = self.aws.cluster_admins(name, self.partition(), ADMIN_LEVEL) if api else {}
        entries = self.aws.access_entries(name) if api else []
        exists = dict((arn, self.aws.principal_exists(arn, self.account())) for arn in entries)
        out = [ac.check_authentication_mode(c),
               ac.check_bootstrap_admin(c, self.p["allow_bootstrap_admin"]),
               ac.check_cluster_admins(mode, admins, self.p["allowed_cluster_admins"]),
               ac.check_entry_principals(mode, entries, exists)]
        mapped = []
        if mode == "API_AND_CONFIG_MAP":
            _cm, _error, mapped = self.aws_auth()
        keys = set(ac.principal_key(e.get("arn")) for e in mapped)
        both = [arn for arn in entries if ac.principal_key(arn) in keys]
        described = dict((arn, self.aws.access_entry(name, arn)) for arn in both)
        out.append(ac.check_aws_auth_conflicts(mode, mapped, dict((a, d) for a, d in described.items() if d)))
        return out

    def nodes(self):
        roles = dict((arn, self.aws.role_policies(arn)) for arn in self.node_role_arns())
        return [ac.check_imdsv2(self.nodegroups(), self.p["imds_hop_limit_reason"] or None),
                ac.check_node_role_policies(roles, self.p["node_role_policies"])]

    def aws_auth_group(self):
        cm, error, entries = self.aws_auth()
        out = [ac.check_aws_auth_parses(error, configmap_found=cm is not None)]
        if cm is None or error:
            return out
        bindings = (self.k8s.items("/apis/rbac.authorization.k8s.io/v1/rolebindings")
                    + self.k8s.items("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings"))
        out += [ac.check_node_roles_mapped(entries, self.node_role_arns()),
                ac.check_masters(entries, self.p["allowed_masters"]),
                ac.check_role_paths(entries),
                ac.check_duplicates(entries),
                ac.check_group_bindings(entries, bindings, self.p["builtin_groups"])]
        return out

    def rbac(self):
        cm, error, entries = self.aws_auth()
        if cm is None or error:
            return [ac.result("rbac.sensitive_actions", ac.FAIL, "aws-auth cannot be read, no identity to review",
                              "fix aws-auth first (see aws_auth.parses)")]
        identities = [ac.sar_identity(e, self.account()) for e in entries]
        answers = {}
        for ident in identities:
            answers[ident["arn"]] = dict(
                (action, self.k8s.review(ac.sar_body(ident, attrs))) for action, attrs in ac.SENSITIVE_ACTIONS)
        return [ac.check_sensitive_actions(identities, answers, self.p["rbac_grants"], self.p["allowed_masters"])]

    def calico(self):
        nps = self.k8s.scoped_items(CALICO, "networkpolicies", self.p["namespaces"], missing_ok=True)
        gnps = self.k8s.items(k8s_path(CALICO, "globalnetworkpolicies"), missing_ok=True)
        k8s_nps = self.k8s.scoped_items("networking.k8s.io/v1", "networkpolicies", self.p["namespaces"])
        note = None
        if nps is None or gnps is None:
            note = "Calico policy CRDs (%s) are not served: Calico is not installed" % CALICO
            nps, gnps = nps or [], gnps or []
        for obj, kind in [(o, "NetworkPolicy") for o in nps] + [(o, "GlobalNetworkPolicy") for o in gnps]:
            obj.setdefault("kind", kind)
        policies = ac.normalize_policies(nps, gnps, k8s_nps)
        namespaces = self.p["application_namespaces"]
        parse = selector_parser()
        ns_match = ac.namespace_matcher(self.namespaces(), parse)
        out = [ac.check_default_deny(policies, namespaces, ns_match),
               ac.check_dns(policies, namespaces, ns_match),
               ac.check_metadata(policies, namespaces, ns_match),
               ac.check_selectors(nps + gnps, parse),
               ac.check_public_ingress(policies, self.p["public_ingress_allowed"])]
        if note:
            for r in out:
                r["evidence"] = "%s; %s" % (note, r["evidence"])
        return out

    def kube2iam(self):
        ns, name = self.p["kube2iam_namespace"], self.p["kube2iam_daemonset"]
        ds = self.k8s.get_or_none(k8s_path("apps/v1", "daemonsets", ns, name))
        namespaces, pods = self.namespaces(), self.pods()
        if self.p["namespaces"]:  # a scoped audit judges only its own namespaces' annotations
            namespaces = [n for n in namespaces
                          if (n.get("metadata") or {}).get("name") in self.p["namespaces"]]
        base = self.p["kube2iam_base_role_arn"] or "arn:%s:iam::%s:role/" % (self.partition(), self.account())
        regexp = str(ac.kube2iam_flags(ds).get("namespace-restriction-format", "")).lower() == "regexp"
        arns = ac.kube2iam_role_names(namespaces, pods, base)
        roles = dict((arn, self.role(arn)) for arn in arns)
        return [ac.check_kube2iam_daemonset(ds, "%s/%s" % (ns, name)),
                ac.check_kube2iam_namespace_annotations(namespaces, pods),
                ac.check_kube2iam_roles(arns, roles, self.node_role_arns()),
                ac.check_kube2iam_pod_roles(namespaces, pods, base, regexp)]

    def irsa(self):
        sas = self.k8s.scoped_items("v1", "serviceaccounts", self.p["namespaces"])
        associations, note = self.aws.pod_identity_associations(self.p["cluster_name"])
        arns = ac.irsa_role_arns(sas) + [a.get("roleArn") for a in associations or [] if a.get("roleArn")]
        roles = dict((arn, self.role(arn)) for arn in arns)
        c = self.cluster()
        issuer = ((c.get("identity") or {}).get("oidc") or {}).get("issuer")
        provider = oidc_provider_arn(c.get("arn"), issuer)
        agent, agent_note = (None, None)
        if associations:
            agent, agent_note = self.aws.addon(self.p["cluster_name"], "eks-pod-identity-agent")
        return [ac.check_irsa(sas, roles, provider, issuer, associations, note, c.get("arn")),
                ac.check_pod_identity_agent(associations, agent, note or agent_note)]

    def run(self, groups):
        runners = {"control_plane": self.control_plane, "access": self.access, "nodes": self.nodes, "aws_auth": self.aws_auth_group,
                   "rbac": self.rbac, "calico": self.calico, "kube2iam": self.kube2iam, "irsa": self.irsa}
        out = []
        for g in ALL_GROUPS:
            if g in groups:
                out.extend(runners[g]())
        return out


def selector_parser():
    """The Calico selector parser of ``calico_selector`` (the one ``calico_policy`` validates
    with): raises ValueError on a selector Calico would refuse, returns an object that can
    ``evaluate(labels)``."""
    from ansible_collections.hardened.eks.plugins.module_utils import calico_selector

    return calico_selector.parse
