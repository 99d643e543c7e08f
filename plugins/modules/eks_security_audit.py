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
    secrets encryption with an enabled customer managed key, supported version, deletion
    protection; C(access) authentication mode with access entries, no admin made by EKS for the
    creator, only the listed principals hold admin-level access policies at cluster scope, every
    access entry's principal still exists, no principal mapped differently in C(aws-auth) and an
    access entry; C(nodes) IMDSv2 with hop limit 1 on every node
    group's launch template, node role policies; C(aws_auth) parses, node roles mapped,
    C(system:masters) only for allowed ARNs, no role ARN with a path, no duplicate ARN, every
    mapped group bound; C(rbac) SubjectAccessReviews of sensitive actions; C(calico) default
    deny, DNS, metadata address denied, selectors parse, no allow-all ingress; C(kube2iam)
    DaemonSet flags, namespace annotations, roles exist and trust the node role, pod roles within
    their namespace's list; C(irsa) service-account roles and Pod Identity associations trust
    exactly their service account (for Pod Identity - the namespace, service account and
    cluster session tags), the Pod Identity agent add-on where associations exist."
options:
  cluster_name:
    description: Name of the EKS cluster.
    required: true
    type: str
  checks:
    description: The groups of checks to run.
    type: list
    elements: str
    choices: [control_plane, access, nodes, aws_auth, rbac, calico, kube2iam, irsa]
    default: [control_plane, access, nodes, aws_auth, rbac, calico, kube2iam, irsa]
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
  allowed_cluster_admins:
    description:
      - IAM principals allowed to hold an admin-level access policy (C(AmazonEKSClusterAdminPolicy),
        C(AmazonEKSAdminPolicy)) at cluster scope; any other holder fails C(access.cluster_admins).
    type: list
    elements: str
    default: []
    version_added: 0.2.0
  allow_bootstrap_admin:
    description: Let C(access.bootstrap_admin) warn instead of fail when EKS made the cluster's creator an admin.
    type: bool
    default: false
    version_added: 0.2.0
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
  sample: {cluster: prod, region: eu-west-1, summary: {pass: 30, fail: 1, warn: 0}, failed: true, duration_seconds: 2.4,
           timestamp: "2026-12-01T08:00:00Z", results: [{check: calico.default_deny, result: fail}]}
requests:
  description: Requests made, by kind (C(aws), C(k8s_get), C(k8s_subjectaccessreviews)).
  returned: always
  type: dict
  sample: {aws: 14, k8s_get: 12, k8s_subjectaccessreviews: 30}
"""

import datetime
import time

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.hardened.eks.plugins.module_utils._audit import checks as ac
from ansible_collections.hardened.eks.plugins.module_utils import eks_versions
from ansible_collections.hardened.eks.plugins.module_utils._audit.readers import USER_AGENT
from ansible_collections.hardened.eks.plugins.module_utils._audit.readers import AuditError
from ansible_collections.hardened.eks.plugins.module_utils._audit.readers import AwsReader
from ansible_collections.hardened.eks.plugins.module_utils._audit.readers import K8sReader
from ansible_collections.hardened.eks.plugins.module_utils._audit.runner import ALL_GROUPS
from ansible_collections.hardened.eks.plugins.module_utils._audit.runner import Audit
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import aws_client
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import fail_aws
from ansible_collections.hardened.eks.plugins.module_utils._audit.report import json_report
from ansible_collections.hardened.eks.plugins.module_utils._audit.report import junit_xml
from ansible_collections.hardened.eks.plugins.module_utils._audit.report import table_lines
from ansible_collections.hardened.eks.plugins.module_utils._k8s import K8S_AUTH_ARG_SPEC
from ansible_collections.hardened.eks.plugins.module_utils._k8s import K8sError
from ansible_collections.hardened.eks.plugins.module_utils._k8s import connect


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
        allowed_cluster_admins=dict(type="list", elements="str", default=[]),
        allow_bootstrap_admin=dict(type="bool", default=False),
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
    aws = AwsReader(aws_client(module, "eks"), aws_client(module, "ec2"), aws_client(module, "iam"),
                    aws_client(module, "kms"))
    k8s = None
    try:
        api = connect(module)
        api.api_client.user_agent = USER_AGENT
        k8s = K8sReader(api)
        results = Audit(params, aws, k8s).run(params["checks"])
    except AnsibleAWSError as e:
        fail_aws(module, e)
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
