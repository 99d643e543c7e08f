#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_security_audit
short_description: Audit a running EKS cluster's security settings, read-only
version_added: 0.1.0
author:
  - hardened.eks maintainers (@hardened-eks)
description:
  - Reads the cluster from EKS, EC2 and IAM and from the Kubernetes API, runs the checks of
    C(playbooks/verify.yml) and returns one result per check (V(pass), V(fail) or V(warn)) with
    the evidence and the fix, plus a console table and a JUnit XML rendering.
  - "Read-only: AWS is only read (Describe, List, Get calls); Kubernetes is only read (GET),
    except C(SubjectAccessReview) requests (a C(create) on C(subjectaccessreviews) that
    persists nothing) used to ask what each identity mapped in C(aws-auth) may do."
  - The module never fails because a check failed; it fails only when the facts cannot be read.
    The playbook decides what a failed check means (C(verify_fail_on)).
  - "Checks: C(control_plane) private endpoint, public endpoint CIDRs, the five log types, KMS
    secrets encryption, supported version; C(nodes) IMDSv2 with hop limit 1 on every node
    group's launch template, node role policies; C(aws_auth) parses, node roles mapped,
    C(system:masters) only for allowed ARNs, no role ARN with a path, no duplicate ARN, every
    mapped group bound; C(rbac) SubjectAccessReviews of sensitive actions; C(calico) default
    deny, DNS, metadata address denied, selectors parse, no allow-all ingress; C(kube2iam)
    DaemonSet flags, namespace annotations, roles exist and trust the node role, pod roles within
    their namespace's list; C(irsa) service-account roles and Pod Identity associations trust
    exactly their service account."
options:
  cluster_name:
    description: Name of the EKS cluster.
    required: true
    type: str
  checks:
    description: The groups of checks to run.
    type: list
    elements: str
    choices: [control_plane, nodes, aws_auth, rbac, calico, kube2iam, irsa]
    default: [control_plane, nodes, aws_auth, rbac, calico, kube2iam, irsa]
  supported_versions:
    description:
      - Kubernetes minor versions considered supported, replacing EKS's release calendar (a
        policy of one's own).
      - Empty (the default) judges by the calendar the collection keeps (see the
        P(hardened.eks.eks_versions#lookup) lookup) on O(calendar_date) - standard support
        passes, extended support warns (billed at the extended rate), past extended support fails.
    type: list
    elements: str
    default: []
  calendar_date:
    description:
      - The date to judge the version by, C(YYYY-MM-DD). Empty means today (UTC).
    type: str
    default: ""
  public_access_cidrs:
    description:
      - Networks the public API endpoint may be open to. A public endpoint open to anything else
        (including V(0.0.0.0/0) when not listed) fails.
    type: list
    elements: str
    default: []
  imds_hop_limit_reason:
    description:
      - Why node launch templates use an IMDSv2 hop limit of 2. Without a reason only a hop limit
        of 1 passes.
    type: str
    default: ""
  node_role_arns:
    description:
      - Node role ARNs expected in C(aws-auth) and audited for their policies, in addition to the
        node roles of the cluster's managed node groups.
    type: list
    elements: str
    default: []
  node_role_policies:
    description:
      - The policies a node role may carry, as managed policy ARNs or inline policy names.
        Anything else attached to a node role fails.
    type: list
    elements: str
    default:
      - arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy
      - arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly
  allowed_masters:
    description: ARNs allowed to be mapped to C(system:masters) in C(aws-auth).
    type: list
    elements: str
    default: []
  rbac_grants:
    description:
      - Sensitive actions the inventory grants to mapped identities. Anything else allowed by the
        API server to an identity mapped in C(aws-auth) fails.
      - "Action ids: C(get-secrets), C(list-secrets) (all namespaces), C(create-pods-kube-system),
        C(escalate-clusterroles), C(bind-clusterroles), C(escalate-roles), C(bind-roles),
        C(impersonate-users), C(impersonate-groups), C(impersonate-serviceaccounts), or C(*)."
      - ARNs in O(allowed_masters) are granted everything; identities in C(system:nodes) are
        granted C(create-pods-kube-system) (the Node authorizer's mirror pods).
    type: list
    elements: dict
    default: []
    suboptions:
      arn:
        description: IAM role or user ARN the grant is for.
        type: str
      group:
        description: Kubernetes group the grant is for (every identity mapped to it).
        type: str
      username:
        description: Kubernetes username the grant is for.
        type: str
      actions:
        description: Granted action ids.
        type: list
        elements: str
        required: true
  builtin_groups:
    description:
      - Groups authorized by Kubernetes or EKS themselves, which need no RoleBinding of yours.
    type: list
    elements: str
    default: [system:masters, system:nodes, system:bootstrappers, system:node-proxier]
  namespaces:
    description:
      - Limit the namespace-scoped reads (pods, service accounts, Calico and Kubernetes
        NetworkPolicies) to these namespaces, for example to audit one team's namespaces.
      - By default every namespace is read. C(aws-auth), RBAC bindings, GlobalNetworkPolicies,
        the list of namespaces, the kube2iam DaemonSet and everything in AWS are always read.
      - The kube2iam checks of C(allowed-roles) annotations and the roles they name are limited to
        these namespaces too.
    type: list
    elements: str
    default: []
  application_namespaces:
    description:
      - Namespaces that must have a default deny, allowed DNS and no route to the metadata address.
    type: list
    elements: str
    default: []
  public_ingress_allowed:
    description:
      - Policies allowed to accept ingress from anywhere, as C(<namespace>/<name>) (or C(<name>)
        for a GlobalNetworkPolicy).
    type: list
    elements: str
    default: []
  kube2iam_namespace:
    description: Namespace of the kube2iam DaemonSet.
    type: str
    default: kube-system
  kube2iam_daemonset:
    description: Name of the kube2iam DaemonSet.
    type: str
    default: kube2iam
  kube2iam_base_role_arn:
    description:
      - Base ARN that kube2iam prefixes to role names (C(--base-role-arn)). Defaults to
        C(arn:<partition>:iam::<cluster account>:role/), what C(--auto-discover-base-arn) finds.
    type: str
  validate_certs:
    description:
      - Whether to verify TLS certificates, of the Kubernetes API server and of the AWS endpoints.
      - When not set, each follows its own default (the kubeconfig, C(K8S_AUTH_VERIFY_SSL); AWS
        verifies).
    type: bool
    default: null
    aliases: [verify_ssl]
notes:
  - Supports check mode; the module reads only, in either mode, and always reports C(changed=false).
  - SubjectAccessReviews need C(create) on C(subjectaccessreviews.authorization.k8s.io); the rest
    needs C(get)/C(list) on what is read (cluster-wide C(view) plus RBAC objects, Calico policy
    CRDs, nodes' namespaces and service accounts).
  - The EKS Pod Identity association API is optional; where the endpoint does not offer it the
    evidence says so and only IRSA is audited.
extends_documentation_fragment:
  - hardened.eks.attributes.read_only
  - kubernetes.core.k8s_auth_options
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Audit the cluster
  hardened.eks.eks_security_audit:
    cluster_name: prod
    region: eu-west-1
    kubeconfig: ~/.kube/prod
    application_namespaces: [shop, payments]
    public_access_cidrs: [203.0.113.0/24]
    allowed_masters: [arn:aws:iam::111122223333:role/break-glass]
    rbac_grants:
      - group: platform-admins
        actions: [get-secrets, list-secrets]
  register: audit

- name: Show the table
  ansible.builtin.debug:
    msg: "{{ audit.table }}"

- name: Only the control plane and the nodes
  hardened.eks.eks_security_audit:
    cluster_name: prod
    checks: [control_plane, nodes]
"""

RETURN = r"""
results:
  description: One entry per check, in report order.
  returned: always
  type: list
  elements: dict
  contains:
    check:
      description: Check id, C(<group>.<name>).
      type: str
      sample: calico.default_deny
    title:
      description: What the check requires.
      type: str
      sample: 'Private API endpoint on'
    result:
      description: V(pass), V(fail) or V(warn).
      type: str
      sample: 'pass'
    evidence:
      description: What was found.
      type: str
      sample: 'endpointPrivateAccess=true'
    fix:
      description: How to fix it (empty when passed).
      type: str
      sample: ""
summary:
  description: Number of checks per result.
  returned: always
  type: dict
  sample: {pass: 22, fail: 1, warn: 1}
table:
  description: The results as a fixed-width table (check, result, evidence, fix), one line per item.
  returned: always
  type: list
  sample: ["check | result | evidence | fix", "control_plane.private_endpoint | PASS | endpointPrivateAccess=true |"]
  elements: str
junit_xml:
  description: The results as JUnit XML (a failed check is a failure, a warning passes with its evidence).
  returned: always
  type: str
  sample: '<?xml version="1.0" encoding="utf-8"?><testsuites>...</testsuites>'
report:
  description: The JSON report (cluster, region, summary, results, duration, request counts).
  returned: always
  type: dict
requests:
  description: Requests made, by kind (C(aws), C(k8s_get), C(k8s_subjectaccessreviews)).
  returned: always
  type: dict
  sample: {aws: 14, k8s_get: 12, k8s_subjectaccessreviews: 30}
"""

import datetime
import time

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.hardened.eks.plugins.module_utils import audit_checks as ac
from ansible_collections.hardened.eks.plugins.module_utils.audit_report import json_report
from ansible_collections.hardened.eks.plugins.module_utils.audit_report import junit_xml
from ansible_collections.hardened.eks.plugins.module_utils.audit_report import table_lines
from ansible_collections.hardened.eks.plugins.module_utils.aws_auth import AwsAuthParseError
from ansible_collections.hardened.eks.plugins.module_utils.aws_auth import parse_aws_auth
from ansible_collections.hardened.eks.plugins.module_utils.eks import oidc_provider_arn
from ansible_collections.hardened.eks.plugins.module_utils import eks_versions
from ansible_collections.hardened.eks.plugins.module_utils._k8s import K8S_AUTH_ARG_SPEC
from ansible_collections.hardened.eks.plugins.module_utils._k8s import K8sError
from ansible_collections.hardened.eks.plugins.module_utils._k8s import connect
from ansible_collections.hardened.eks.plugins.module_utils._k8s import k8s_path

ALL_GROUPS = ["control_plane", "nodes", "aws_auth", "rbac", "calico", "kube2iam", "irsa"]
SAR_PATH = "/apis/authorization.k8s.io/v1/subjectaccessreviews"
# Sent with every Kubernetes request, so the audit's footprint is easy to find in the API
# server's audit log (the integration tests prove it read-only that way).
USER_AGENT = "hardened.eks/eks_security_audit"
CALICO = "crd.projectcalico.org/v1"


class AuditError(Exception):
    """The facts could not be read."""


# ============================================================================================
# AWS facts (read-only)
# ============================================================================================
class AwsReader(object):
    def __init__(self, eks, ec2, iam):
        self.eks, self.ec2, self.iam = eks, ec2, iam
        self.calls = 0

    def _call(self, client, op, what, **params):
        self.calls += 1
        try:
            return getattr(client, op)(aws_retry=True, **params)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            raise AnsibleAWSError(message="Failed to %s" % what, exception=e)

    def cluster(self, name):
        self.calls += 1
        try:
            return self.eks.describe_cluster(aws_retry=True, name=name)["cluster"]
        except is_boto3_error_code("ResourceNotFoundException"):
            raise AuditError("EKS cluster %s not found" % name)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
            raise AnsibleAWSError(message="Failed to describe cluster %s" % name, exception=e)

    def nodegroups(self, cluster):
        names, token = [], None
        while True:
            params = {"clusterName": cluster}
            if token:
                params["nextToken"] = token
            page = self._call(self.eks, "list_nodegroups", "list node groups of %s" % cluster, **params)
            names.extend(page.get("nodegroups") or [])
            token = page.get("nextToken")
            if not token:
                break
        out = []
        for n in names:
            ng = self._call(self.eks, "describe_nodegroup", "describe node group %s" % n,
                            clusterName=cluster, nodegroupName=n)["nodegroup"]
            lt = ng.get("launchTemplate")
            md = None
            if lt:
                md = self.launch_template_metadata(lt)
            out.append({"name": n, "node_role": ng.get("nodeRole"), "launch_template": lt, "metadata_options": md})
        return out

    def launch_template_metadata(self, lt):
        params = {"Versions": [str(lt.get("version") or "$Default")]}
        if lt.get("id"):
            params["LaunchTemplateId"] = lt["id"]
        else:
            params["LaunchTemplateName"] = lt.get("name")
        self.calls += 1
        try:
            versions = self.ec2.describe_launch_template_versions(aws_retry=True, **params)["LaunchTemplateVersions"]
        except is_boto3_error_code(["InvalidLaunchTemplateId.NotFound", "InvalidLaunchTemplateName.NotFoundException",
                                    "InvalidLaunchTemplateId.VersionNotFound"]):
            return None
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
            raise AnsibleAWSError(message="Failed to read launch template %s" % lt, exception=e)
        if not versions:
            return None
        return (versions[0].get("LaunchTemplateData") or {}).get("MetadataOptions") or {}

    def role(self, arn):
        """The IAM role (dict with AssumeRolePolicyDocument) or None."""
        self.calls += 1
        try:
            return self.iam.get_role(aws_retry=True, RoleName=arn.split("/")[-1])["Role"]
        except is_boto3_error_code("NoSuchEntity"):
            return None
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
            raise AnsibleAWSError(message="Failed to read IAM role %s" % arn, exception=e)

    def role_policies(self, arn):
        name = arn.split("/")[-1]
        attached, inline = [], []
        try:
            for op, key, sink, field in (("list_attached_role_policies", "AttachedPolicies", attached, "PolicyArn"),
                                         ("list_role_policies", "PolicyNames", inline, None)):
                marker = None
                while True:
                    params = {"RoleName": name}
                    if marker:
                        params["Marker"] = marker
                    self.calls += 1
                    page = getattr(self.iam, op)(aws_retry=True, **params)
                    sink.extend(p[field] if field else p for p in page.get(key) or [])
                    marker = page.get("Marker") if page.get("IsTruncated") else None
                    if not marker:
                        break
        except is_boto3_error_code("NoSuchEntity"):
            return None
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
            raise AnsibleAWSError(message="Failed to list the policies of IAM role %s" % arn, exception=e)
        return {"attached": attached, "inline": inline}

    def pod_identity_associations(self, cluster):
        """(list or None, note): None when the API is not offered (an emulator, an old region)."""
        out, token = [], None
        try:
            while True:
                params = {"clusterName": cluster}
                if token:
                    params["nextToken"] = token
                self.calls += 1
                page = self.eks.list_pod_identity_associations(aws_retry=True, **params)
                for a in page.get("associations") or []:
                    self.calls += 1
                    d = self.eks.describe_pod_identity_association(
                        aws_retry=True, clusterName=cluster, associationId=a["associationId"])["association"]
                    out.append(d)
                token = page.get("nextToken")
                if not token:
                    return out, None
        except (botocore.exceptions.ClientError, AttributeError) as e:
            status = getattr(e, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode")
            code = getattr(e, "response", {}).get("Error", {}).get("Code")
            if isinstance(e, AttributeError) or status == 404 or code in ("NotImplemented", "UnknownOperationException"):
                return None, "Pod Identity association API not available at this endpoint"
            raise AnsibleAWSError(message="Failed to list Pod Identity associations of %s" % cluster, exception=e)
        except botocore.exceptions.BotoCoreError as e:
            raise AnsibleAWSError(message="Failed to list Pod Identity associations of %s" % cluster, exception=e)


# ============================================================================================
# Kubernetes facts (read-only: GET, plus SubjectAccessReviews)
# ============================================================================================
class K8sReader(object):
    def __init__(self, api):
        self.api = api
        self.gets = 0
        self.reviews = 0

    def get_or_none(self, path):
        self.gets += 1
        return self.api.get_or_none(path)

    def items(self, path, missing_ok=False):
        """All items of a list, page by page (limit/continue)."""
        out, token = [], None
        while True:
            self.gets += 1
            query = {"limit": 500, "continue": token}
            try:
                page = self.api.get(path, query)
            except K8sError as exc:
                if missing_ok and getattr(exc, "status", None) == 404:
                    return None
                raise
            out.extend(page.get("items") or [])
            token = (page.get("metadata") or {}).get("continue")
            if not token:
                return out

    def scoped_items(self, api_version, plural, namespaces, missing_ok=False):
        """Items of a namespaced resource: cluster-wide, or from each of ``namespaces``."""
        if not namespaces:
            return self.items(k8s_path(api_version, plural), missing_ok)
        out = []
        for ns in namespaces:
            items = self.items(k8s_path(api_version, plural, ns), missing_ok)
            if items is None:
                return None
            out.extend(items)
        return out

    def review(self, body):
        """One SubjectAccessReview: a create that persists nothing; returns status.allowed."""
        self.reviews += 1
        answer = self.api.request("POST", SAR_PATH, body)
        return bool(((answer or {}).get("status") or {}).get("allowed"))


# ============================================================================================
# Gathering and checking, group by group
# ============================================================================================
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
                ac.check_secrets_encryption(c),
                ac.check_version(c, self.p["supported_versions"], self.calendar_date)]

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
        return [ac.check_irsa(sas, roles, provider, issuer, associations, note)]

    def run(self, groups):
        runners = {"control_plane": self.control_plane, "nodes": self.nodes, "aws_auth": self.aws_auth_group,
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


def main():
    argument_spec = dict(
        cluster_name=dict(type="str", required=True),
        checks=dict(type="list", elements="str", choices=ALL_GROUPS, default=list(ALL_GROUPS)),
        supported_versions=dict(type="list", elements="str", default=[]),
        calendar_date=dict(type="str", default=""),
        public_access_cidrs=dict(type="list", elements="str", default=[]),
        imds_hop_limit_reason=dict(type="str", default=""),
        node_role_arns=dict(type="list", elements="str", default=[]),
        node_role_policies=dict(type="list", elements="str", default=[
            "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
            "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"]),
        allowed_masters=dict(type="list", elements="str", default=[]),
        rbac_grants=dict(type="list", elements="dict", default=[], options=dict(
            arn=dict(type="str"), group=dict(type="str"), username=dict(type="str"),
            actions=dict(type="list", elements="str", required=True))),
        builtin_groups=dict(type="list", elements="str", default=list(ac.DEFAULT_BUILTIN_GROUPS)),
        namespaces=dict(type="list", elements="str", default=[]),
        application_namespaces=dict(type="list", elements="str", default=[]),
        public_ingress_allowed=dict(type="list", elements="str", default=[]),
        kube2iam_namespace=dict(type="str", default="kube-system"),
        kube2iam_daemonset=dict(type="str", default="kube2iam"),
        kube2iam_base_role_arn=dict(type="str"),
    )
    argument_spec.update(K8S_AUTH_ARG_SPEC)  # validate_certs: one option for both ends (None = defaults)
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params

    problems = []
    valid_actions = set(ac.SENSITIVE_ACTION_IDS) | set(["*"])
    for i, g in enumerate(params["rbac_grants"]):
        if not (g.get("arn") or g.get("group") or g.get("username")):
            problems.append("rbac_grants[%d]: give one of arn, group, username" % i)
        for a in g["actions"]:
            if a not in valid_actions:
                problems.append("rbac_grants[%d].actions: %r is not one of %s" % (i, a, ", ".join(sorted(valid_actions))))
    try:
        eks_versions.parse_date(params["calendar_date"])
    except ValueError as exc:
        problems.append("calendar_date: %s" % exc)
    if problems:
        module.fail_json(msg="invalid input: %s" % "; ".join(problems), problems=problems)

    started = time.monotonic()
    timestamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    retry = AWSRetry.jittered_backoff()
    aws = AwsReader(module.client("eks", retry_decorator=retry), module.client("ec2", retry_decorator=retry),
                    module.client("iam", retry_decorator=retry))
    k8s = None
    try:
        api = connect(module)
        api.api_client.user_agent = USER_AGENT
        k8s = K8sReader(api)
        results = Audit(params, aws, k8s).run(params["checks"])
    except AnsibleAWSError as e:
        if e.exception is not None:
            module.fail_json_aws(e.exception, msg=e.message)
        module.fail_json(msg=e.message)
    except (AuditError, K8sError) as e:
        module.fail_json(msg=str(e))

    duration = time.monotonic() - started
    counts = ac.summarize(results)
    requests = {"aws": aws.calls, "k8s_get": k8s.gets, "k8s_subjectaccessreviews": k8s.reviews}
    suite = "hardened.eks verify %s" % params["cluster_name"]
    module.exit_json(
        changed=False, results=results, summary=counts, table=table_lines(results),
        junit_xml=junit_xml(results, suite, duration, timestamp), requests=requests,
        report=json_report(results, params["cluster_name"], module.region, counts,
                           ac.should_fail(results, "fail"), duration, timestamp, requests))


if __name__ == "__main__":
    main()
