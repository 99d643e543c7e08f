#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_pod_iam_role
short_description: IAM role for pods through kube2iam, IRSA and EKS Pod Identity
version_added: 0.1.0
author:
  - hardened.eks maintainers (@hardened-eks)
description:
  - Creates and converges an IAM role that Kubernetes pods assume, with the trust for one or
    several of kube2iam, IAM roles for service accounts (IRSA) and EKS Pod Identity. Several at
    once let a workload move from kube2iam to IRSA or Pod Identity without a gap.
  - Trust and inline policies are compared semantically (order of statements and of lists, a
    string against a one-item list), so a converged role reports no change and is not written.
  - Refused before any AWS call (every problem in one failure) - an empty trust, a trust that
    lets V(*) (or a whole account) assume the role, malformed ARNs and names, inline policies that
    are not valid policy JSON.
  - With O(roles), one task converges a whole batch of roles in one process - every item
    validated as one role is, all problems before any AWS call, then at most O(concurrency) roles
    at a time (throttling is retried with backoff), each with the fewest reads it needs.
options:
  name:
    description:
      - Name of the IAM role. Required unless O(roles) is given (then every other option is given
        per role, in its item).
    type: str
    aliases: [role_name]
  roles:
    description:
      - A batch of roles, each a mapping of the options of one role (O(name), O(path),
        O(description), O(state), O(trust), O(managed_policy_arns), O(inline_policies),
        O(purge_policies), O(permissions_boundary), O(max_session_duration), O(tags),
        O(purge_tags)), with the same defaults, checks, check mode and diff as a single role.
      - Mutually exclusive with the options of a single role. An empty list converges nothing.
      - A role that fails (an AWS error, a missing OIDC provider) does not stop the others; the
        task then fails naming each failed role, and RV(roles) holds what the others did.
    type: list
    elements: dict
    version_added: 0.2.0
  purge_path:
    description:
      - With O(roles), also delete the roles whose path is exactly this one and that neither
        O(roles) nor O(keep) names (one paged C(ListRoles) for the path), as O(state=absent)
        deletes a role. Give the path that belongs to these roles only; V(/) is refused.
      - Not given, no role outside O(roles) is touched.
    type: str
    version_added: 0.2.0
  keep:
    description: With O(purge_path), names of roles under that path that are kept although O(roles) does not list them.
    type: list
    elements: str
    version_added: 0.2.0
  concurrency:
    description:
      - How many roles of O(roles) are converged at the same time (1 to 16). IAM's rate limits
        are low; throttled calls are retried with jittered backoff.
    type: int
    default: 4
    version_added: 0.2.0
  path:
    description:
      - Path of the role. IAM cannot change the path of an existing role; a different path is
        reported as a warning.
    type: str
    default: /
  description:
    description: Description of the role. Not managed when omitted.
    type: str
  state:
    description:
      - V(present) creates or converges the role.
      - V(absent) removes the role from its instance profiles (deleting the instance profile of the
        same name), detaches its managed policies, deletes its inline policies, then deletes it.
    type: str
    choices: [present, absent]
    default: present
  trust:
    description:
      - Who may assume the role. At least one of O(trust.kube2iam), O(trust.irsa),
        O(trust.pod_identity); any combination. Required with O(state=present).
      - The module owns the trust policy, so statements not built from these options are removed.
    type: dict
    suboptions:
      kube2iam:
        description: Trust the nodes' IAM roles (C(sts:AssumeRole)), which kube2iam uses to assume the role for pods.
        type: dict
        suboptions:
          node_role_arns:
            description: ARNs of the node IAM roles. Role ARNs only (no V(*), no account root).
            type: list
            elements: str
            required: true
      irsa:
        description:
          - Trust a Kubernetes service account through the cluster's IAM OIDC provider
            (C(sts:AssumeRoleWithWebIdentity) with conditions on C(<issuer>:sub) and C(<issuer>:aud)).
          - Give exactly one of O(trust.irsa.oidc_provider_arn) and O(trust.irsa.cluster_name).
        type: dict
        suboptions:
          oidc_provider_arn:
            description: ARN of the cluster's IAM OIDC provider.
            type: str
          cluster_name:
            description:
              - Name of the EKS cluster; its OIDC provider ARN is found from the cluster's issuer. The
                provider must exist (the task fails otherwise).
            type: str
          namespace:
            description:
              - Namespace of the service account. V(*) wildcards make the C(sub) condition
                C(StringLike). V(*) for both namespace and service account is refused.
            type: str
            required: true
          service_account:
            description: Name of the service account. V(*) wildcards are allowed (see O(trust.irsa.namespace)).
            type: str
            required: true
      pod_identity:
        description:
          - Trust EKS Pod Identity (principal C(pods.eks.amazonaws.com), C(sts:AssumeRole) and
            C(sts:TagSession)). The pod identity association itself is made with the EKS API.
          - When O(trust.pod_identity.namespace) or O(trust.pod_identity.service_account) are given,
            the trust requires the session tags EKS sets (C(aws:RequestTag/kubernetes-namespace),
            C(aws:RequestTag/kubernetes-service-account)), so only associations for them can use the role.
        type: dict
        suboptions:
          namespace:
            description: Namespace the role is for (V(*) wildcards allowed).
            type: str
          service_account:
            description: Service account the role is for (V(*) wildcards allowed).
            type: str
          cluster_arn:
            description:
              - ARN of the EKS cluster whose Pod Identity associations may use the role. The trust
                then requires the session tag C(eks-cluster-arn) and C(aws:SourceAccount), so an
                association on another cluster (or in another account) cannot wear the role - the
                confused-deputy condition AWS documents for service principals.
              - Without it the module warns - any cluster of the account could use the role.
            type: str
            version_added: 0.2.0
  managed_policy_arns:
    description:
      - ARNs of the managed policies to attach. Not managed when omitted.
      - With O(purge_policies=true), attached policies not listed are detached.
    type: list
    elements: str
  inline_policies:
    description:
      - Inline policies, policy name to policy document (a dict or a JSON string). Not managed when
        omitted.
      - Each document must be valid IAM policy JSON (C(Version), C(Statement) with C(Effect),
        C(Action), C(Resource)); all of them together stay within IAM's 10,240 characters.
      - With O(purge_policies=true), inline policies not listed are deleted.
    type: dict
  purge_policies:
    description: Remove managed and inline policies that are not listed (only for the kinds that are given).
    type: bool
    default: true
  permissions_boundary:
    description: ARN of a managed policy used as permissions boundary; V("") removes it. Not managed when omitted.
    type: str
    aliases: [boundary]
  max_session_duration:
    description: Maximum session duration in seconds (3600 to 43200). Not managed when omitted.
    type: int
  tags:
    description: Tags of the role. Not managed when omitted.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description: Remove tags not listed in O(tags) (tags starting with C(aws:) are kept).
    type: bool
    default: true
notes:
  - Supports check mode (the predicted result, no write; the ARN of a role to be created is
    computed from STS GetCallerIdentity) and diff mode (trust, policies, settings and tags,
    before and after).
  - A converged role costs GetRole, ListAttachedRolePolicies (when O(managed_policy_arns) is
    given), ListRolePolicies and one GetRolePolicy per listed inline policy (when
    O(inline_policies) is given), and no write. With O(trust.irsa.cluster_name), also
    DescribeCluster and GetOpenIDConnectProvider.
  - AWS throttling and transient errors are retried with jittered backoff.
extends_documentation_fragment:
  - hardened.eks.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: A role for the payments app, worn through kube2iam today and IRSA tomorrow
  hardened.eks.eks_pod_iam_role:
    name: payments-app
    path: /pods/
    trust:
      kube2iam:
        node_role_arns:
          - arn:aws:iam::123456789012:role/prod-nodes
      irsa:
        cluster_name: prod
        namespace: payments
        service_account: payments-app
    managed_policy_arns:
      - arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
    inline_policies:
      queue:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: [sqs:ReceiveMessage, sqs:DeleteMessage]
            Resource: arn:aws:sqs:eu-west-1:123456789012:payments
    tags:
      team: payments
  register: payments_role

- name: Annotate the service account for IRSA
  kubernetes.core.k8s:
    definition:
      apiVersion: v1
      kind: ServiceAccount
      metadata:
        name: payments-app
        namespace: payments
        annotations: "{{ payments_role.annotations.service_account }}"

- name: A Pod Identity role for one service account of one cluster
  hardened.eks.eks_pod_iam_role:
    name: reports
    trust:
      pod_identity:
        namespace: reports
        service_account: reports
        cluster_arn: arn:aws:eks:eu-west-1:123456789012:cluster/prod
    inline_policies:
      read: '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'

- name: Remove a role, its policies and instance profile
  hardened.eks.eks_pod_iam_role:
    name: payments-app
    state: absent

- name: All the pod roles of a cluster in one task (one process, four at a time)
  hardened.eks.eks_pod_iam_role:
    concurrency: 4
    roles:
      - name: prod-payments-api
        path: /kube2iam/prod/
        trust:
          kube2iam:
            node_role_arns: [arn:aws:iam::123456789012:role/prod-eks-node]
        managed_policy_arns: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]
      - name: prod-old-worker
        state: absent
  register: pod_roles
"""

RETURN = r"""
roles:
  description:
    - With O(roles), one result per role in the order of the items, each with the keys a single
      role returns (below) and C(changed) and C(state). In diff mode, C(diff.before) and
      C(diff.after) are keyed by role name.
  returned: with O(roles)
  type: list
  elements: dict
  sample:
    - role_name: prod-payments-api
      arn: arn:aws:iam::123456789012:role/kube2iam/prod/prod-payments-api
      changed: false
      state: present
role_name:
  description: Name of the role.
  returned: without O(roles)
  type: str
  sample: 'prod-payments-api'
arn:
  description: ARN of the role (predicted in check mode).
  returned: when the role exists or is created, or was deleted
  type: str
  sample: arn:aws:iam::123456789012:role/pods/payments-app
role_id:
  description: Unique id of the role (null in check mode before creation).
  returned: with O(state=present)
  type: str
  sample: 'AROAEXAMPLEID1234567'
path:
  description: Path of the role.
  returned: with O(state=present)
  type: str
  sample: '/kube2iam/prod/'
trust_policy:
  description: The trust (assume role) policy document.
  returned: with O(state=present)
  type: dict
  sample: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111122223333:role/eks-node"}, Action: "sts:AssumeRole"}]}
description:
  description: Description of the role.
  returned: with O(state=present)
  type: str
  sample: 'payments-api pods (kube2iam, IRSA)'
max_session_duration:
  description: Maximum session duration in seconds.
  returned: with O(state=present)
  type: int
  sample: 3600
permissions_boundary:
  description: ARN of the permissions boundary, or null.
  returned: with O(state=present)
  type: str
  sample: 'arn:aws:iam::111122223333:policy/pod-boundary'
managed_policy_arns:
  description: ARNs of the attached managed policies.
  returned: when O(managed_policy_arns) is given
  type: list
  sample: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]
  elements: str
inline_policy_names:
  description: Names of the inline policies.
  returned: when O(inline_policies) is given
  type: list
  sample: [settlement-events]
  elements: str
tags:
  description: Tags of the role.
  returned: when O(tags) is given
  type: dict
  sample: {team: payments}
annotations:
  description:
    - Kubernetes annotations that make pods wear the role, for the trusts asked for.
    - C(pod) (kube2iam) holds C(iam.amazonaws.com/role); C(service_account) (IRSA) holds
      C(eks.amazonaws.com/role-arn). Pod Identity needs no annotation.
  returned: with O(state=present)
  type: dict
  sample:
    pod:
      iam.amazonaws.com/role: arn:aws:iam::123456789012:role/pods/payments-app
    service_account:
      eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/pods/payments-app
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

import threading

from ansible.module_utils import basic as _basic

from ansible_collections.hardened.eks.plugins.module_utils import argspec_guard
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import aws_client
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import fail_aws
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import exit_with
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import call
from ansible_collections.hardened.eks.plugins.module_utils._iam.batch import MAX_CONCURRENCY
from ansible_collections.hardened.eks.plugins.module_utils._iam.batch import BatchError
from ansible_collections.hardened.eks.plugins.module_utils._iam.batch import Memo
from ansible_collections.hardened.eks.plugins.module_utils._iam.batch import converge_batch
from ansible_collections.hardened.eks.plugins.module_utils._iam.batch import purge_entries
from ansible_collections.hardened.eks.plugins.module_utils._iam.batch import purge_problems
from ansible_collections.hardened.eks.plugins.module_utils._iam.batch import validate_batch
from ansible_collections.hardened.eks.plugins.module_utils._aws.iam import roles_under_path
from ansible_collections.hardened.eks.plugins.module_utils.iam_role_edge import ensure_role_absent
from ansible_collections.hardened.eks.plugins.module_utils.iam_role_edge import ensure_role_present
from ansible_collections.hardened.eks.plugins.module_utils.iam_role_edge import find_oidc_provider
from ansible_collections.hardened.eks.plugins.module_utils.iam_trust import TrustError
from ansible_collections.hardened.eks.plugins.module_utils.iam_trust import build_trust_document
from ansible_collections.hardened.eks.plugins.module_utils.iam_trust import result_view
from ansible_collections.hardened.eks.plugins.module_utils.iam_trust import pasted_policy_document
from ansible_collections.hardened.eks.plugins.module_utils.iam_trust import validate_params

TRUST_SPEC = dict(
    kube2iam=dict(type="dict", options=dict(
        node_role_arns=dict(type="list", elements="str", required=True),
    )),
    irsa=dict(type="dict", options=dict(
        oidc_provider_arn=dict(type="str"),
        cluster_name=dict(type="str"),
        namespace=dict(type="str", required=True),
        service_account=dict(type="str", required=True),
    )),
    pod_identity=dict(type="dict", options=dict(
        namespace=dict(type="str"),
        service_account=dict(type="str"),
        cluster_arn=dict(type="str"),
    )),
)

# The options of one role: the module's own, and each item of roles.
ROLE_SPEC = dict(
    name=dict(type="str", required=True, aliases=["role_name"]),
    path=dict(type="str", default="/"),
    description=dict(type="str"),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    trust=dict(type="dict", options=TRUST_SPEC),
    managed_policy_arns=dict(type="list", elements="str"),
    inline_policies=dict(type="dict"),
    purge_policies=dict(type="bool", default=True),
    permissions_boundary=dict(type="str", aliases=["boundary"]),
    max_session_duration=dict(type="int"),
    tags=dict(type="dict", aliases=["resource_tags"]),
    purge_tags=dict(type="bool", default=True),
)


class Edge(object):
    """What every role of a run shares: the clients, and the reads made once for all of them
    (the caller identity, the OIDC provider of each cluster)."""

    def __init__(self, module):
        self.module = module
        self.iam = aws_client(module, "iam")
        self.caller_identity = Memo(lambda: call(aws_client(module, "sts"), "get_caller_identity",
                                                 "get the caller identity (to predict the role ARN)"))
        self._providers = {}
        self._lock = threading.Lock()

    def provider(self, cluster):
        with self._lock:
            if cluster not in self._providers:
                self._providers[cluster] = Memo(lambda: find_oidc_provider(aws_client(self.module, "eks"), self.iam,
                                                                           cluster))
            memo = self._providers[cluster]
        return memo()

    def converge(self, desired, trust_doc):
        """(changed, result, diff, warnings) of one role."""
        if desired["state"] == "absent":
            changed, result, diff = ensure_role_absent(self.iam, desired["name"], self.module.check_mode)
            return changed, result, diff, []
        cluster = (desired["trust"].get("irsa") or {}).get("cluster_name")
        if cluster:
            trust_doc = build_trust_document(desired["trust"], self.provider(cluster))
        changed, predicted, diff, warnings = ensure_role_present(
            self.iam, desired, trust_doc, self.module.check_mode, want_diff=self.module._diff,
            caller_identity=self.caller_identity)
        pod_identity = desired["trust"].get("pod_identity")
        if pod_identity is not None and not pod_identity.get("cluster_arn"):
            warnings = warnings + ["trust.pod_identity without cluster_arn: a Pod Identity association on any cluster "
                                   "of the account can make pods wear role %s" % desired["name"]]
        return changed, result_view(predicted, desired["trust"]), diff, warnings


def _single(module):
    trust_doc = None
    try:
        desired = validate_params(module.params)
        if desired["state"] == "present" and not (desired["trust"].get("irsa") or {}).get("cluster_name"):
            trust_doc = build_trust_document(desired["trust"])  # refusals before any AWS call
    except TrustError as e:
        module.fail_json(msg=str(e), problems=e.problems)
    try:
        changed, result, diff, warnings = Edge(module).converge(desired, trust_doc)
    except TrustError as e:
        module.fail_json(msg=str(e), problems=e.problems)
    except AnsibleAWSError as e:
        fail_aws(module, e)
    exit_with(module, changed, result, diff, warnings)


def _batch(module):
    p = module.params
    problems, entries = [], []
    try:
        entries = validate_batch(p["roles"], ROLE_SPEC)
    except TrustError as e:
        problems.extend(e.problems)
    if not 1 <= p["concurrency"] <= MAX_CONCURRENCY:
        problems.append("concurrency: %d is not between 1 and %d" % (p["concurrency"], MAX_CONCURRENCY))
    if p["purge_path"] is not None:
        problems.extend(purge_problems(p["purge_path"], p["keep"]))
    if problems:
        error = TrustError(problems)
        module.fail_json(msg=str(error), problems=error.problems)
    edge = Edge(module)
    try:
        if p["purge_path"] is not None:
            entries += purge_entries(roles_under_path(edge.iam, p["purge_path"]), p["purge_path"], entries, p["keep"])
        changed, results, diff, warnings = converge_batch(
            entries, lambda entry: edge.converge(entry.desired, entry.trust_doc), p["concurrency"])
    except AnsibleAWSError as e:
        fail_aws(module, e)
    except BatchError as e:
        module.fail_json(msg=str(e), failures=e.failures, roles=e.results, changed=e.changed)
    exit_with(module, changed, {"roles": results}, diff, warnings)


def main():
    argument_spec = dict(ROLE_SPEC, roles=dict(type="list", elements="dict"), purge_path=dict(type="str"),
                         keep=dict(type="list", elements="str"), concurrency=dict(type="int", default=4))
    argument_spec["name"] = dict(ROLE_SPEC["name"], required=False)
    # a bool/number/list where a dict of sub-options belongs would crash ansible-core's own
    # validation (TypeError): such options are let through as raw for a clean failure here
    raw = _basic._load_params() or {}
    shape_problems = argspec_guard.non_mapping_suboptions(raw, argument_spec)
    # a pasted IAM trust document would only meet "unsupported parameters": let it through to
    # say what trust takes instead
    pasted = pasted_policy_document(raw.get("trust"))
    relaxed = shape_problems + ([("trust", "dict")] if pasted else [])
    module = AnsibleAWSModule(argument_spec=argspec_guard.relaxed_spec(argument_spec, relaxed),
                              supports_check_mode=True, required_one_of=[("name", "roles")],
                              mutually_exclusive=[("roles", option) for option in ROLE_SPEC],
                              required_by={"purge_path": "roles", "keep": "purge_path"})
    if pasted:
        module.fail_json(msg=pasted)
    if shape_problems:
        module.fail_json(msg=argspec_guard.message(shape_problems))
    if module.params["roles"] is not None:
        _batch(module)
    _single(module)


if __name__ == "__main__":
    main()
