#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_access_entry
short_description: EKS access entries and their access policies, as a batch, with lockout guards
version_added: 0.2.0
author:
  - hardened.eks maintainers (@hardened-eks)
description:
  - Converges a batch of EKS access entries (the current EKS access model, which replaces the
    C(aws-auth) ConfigMap) and the access policies associated with them, in one module run.
  - A converged run costs one C(DescribeCluster), one C(ListAccessEntries) and, per listed entry
    it manages, one C(DescribeAccessEntry) and one C(ListAssociatedAccessPolicies).
  - Entries EKS made by itself (the cluster creator's, node roles') are adopted when listed,
    never failed on with C(ResourceInUseException).
  - Refused before any write, with every problem named - a principal that is not an IAM role or
    user ARN (an assumed-role session ARN is refused with the role ARN to give instead); groups
    EKS refuses (C(system:*)); groups, usernames or policies on node entries; an admin-level
    policy (C(AmazonEKSClusterAdminPolicy), C(AmazonEKSAdminPolicy)) at cluster scope unless
    O(allow_cluster_admin=true); removing a node role's entry or an administrator entry this
    module did not create unless O(allow_system_entry_removal=true); and any change that would
    leave the cluster with no principal holding C(AmazonEKSClusterAdminPolicy) when one had it.
  - Role ARNs keep their path (C(arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/...)),
    unlike C(aws-auth), which needs the path stripped.
  - The cluster's authentication mode must include the API (V(API_AND_CONFIG_MAP) or V(API));
    in V(CONFIG_MAP) mode the module fails before any write and says how to switch, unless
    O(authentication_mode) moves it forward first.
options:
  cluster_name:
    description: Name of the EKS cluster.
    type: str
    required: true
  entries:
    description: The access entries.
    type: list
    elements: dict
    default: []
    suboptions:
      principal_arn:
        description: ARN of the IAM role or user, role path included.
        type: str
        required: true
      type:
        description: Type of the entry. Node types are for the nodes' roles; EKS sets their username and groups.
        type: str
        choices: [STANDARD, EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX, EC2, HYBRID_LINUX, HYPERPOD_LINUX]
        default: STANDARD
      kubernetes_groups:
        description:
          - Kubernetes groups of the principal (RBAC binds them). Not managed when omitted.
          - Groups starting with C(system:) are refused by EKS; for cluster admin give the access
            policy C(AmazonEKSClusterAdminPolicy) instead of C(system:masters).
        type: list
        elements: str
      username:
        description:
          - Kubernetes username. EKS derives one when omitted (not managed then).
          - EKS refuses the prefixes C(system:), C(eks:), C(aws:), C(amazon:) and C(iam:), and a
            C({{SessionName}}) or C({{SessionNameRaw}}) without a colon before it (V(ci:{{SessionName}})).
        type: str
      tags:
        description:
          - Tags of the entry; added or updated, never removed. The module adds
            C(hardened.eks/managed-by=eks_access_entry), which O(purge) relies on.
        type: dict
      access_policies:
        description:
          - Access policies associated with the entry. Not managed when omitted; with
            O(purge_policies=true), policies not listed are disassociated.
        type: list
        elements: dict
        suboptions:
          policy:
            description: An access policy name (V(AmazonEKSViewPolicy)) or its ARN.
            type: str
            required: true
          scope:
            description: Where the policy applies.
            type: str
            choices: [cluster, namespace]
            default: cluster
          namespaces:
            description: The namespaces of a V(namespace) scope (C(*) wildcards as EKS allows).
            type: list
            elements: str
      state:
        description: V(absent) deletes the entry (its policy associations go with it).
        type: str
        choices: [present, absent]
        default: present
  authentication_mode:
    description:
      - Move the cluster's authentication mode forward to this mode before any entry is written
        (C(UpdateClusterConfig), each update waited for). EKS only moves C(CONFIG_MAP) ->
        V(API_AND_CONFIG_MAP) -> V(API); a mode behind the cluster's is refused before any call.
      - V(API) ends C(aws-auth) - every principal it maps loses access unless it has an access
        entry; C(playbooks/migrate.yml) checks that before it asks for V(API).
      - Not changed when omitted.
    type: str
    choices: [API_AND_CONFIG_MAP, API]
    version_added: 0.2.0
  wait_timeout:
    description: How long to wait for each authentication mode update, in seconds.
    type: int
    default: 1200
    version_added: 0.2.0
  purge:
    description:
      - Delete the entries this module created (tag C(hardened.eks/managed-by=eks_access_entry))
        that O(entries) no longer lists. Entries made by EKS or by hand are never purged.
    type: bool
    default: false
  purge_selector:
    description:
      - Tags an entry must carry, besides C(hardened.eks/managed-by), for O(purge) to delete it,
        so that several callers on one cluster purge only their own entries (the
        C(iam_authenticator) role tags its entries C(hardened.eks/layer=iam_authenticator)).
      - Give the same tags in O(entries[].tags), or the entries made will not be selected.
    type: dict
    default: {}
    version_added: 0.2.0
  purge_policies:
    description: Disassociate the policies of a listed entry that its O(entries[].access_policies) does not list.
    type: bool
    default: true
  allow_cluster_admin:
    description: Let an admin-level access policy be associated at cluster scope (a warning is printed).
    type: bool
    default: false
  allow_system_entry_removal:
    description:
      - Let the module remove node roles' entries and administrator entries it did not create
        (the creator's bootstrap entry, a break-glass admin). The lockout guard still applies.
    type: bool
    default: false
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - hardened.eks.attributes
"""

EXAMPLES = r"""
- name: Access entries of the platform team and the CI deployer
  hardened.eks.eks_access_entry:
    cluster_name: prod
    purge: true
    entries:
      - principal_arn: arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Platform_0123
        kubernetes_groups: [platform-readers]
        access_policies:
          - policy: AmazonEKSViewPolicy
      - principal_arn: arn:aws:iam::111122223333:role/ci-deployer
        kubernetes_groups: [app-deployers]
        access_policies:
          - policy: AmazonEKSEditPolicy
            scope: namespace
            namespaces: [payments, storefront]
      - principal_arn: arn:aws:iam::111122223333:role/prod-eks-node
        type: EC2_LINUX
"""

RETURN = r"""
authentication_mode:
  description: The cluster's authentication mode (after the run; predicted in check mode).
  returned: success
  type: str
  sample: API_AND_CONFIG_MAP
authentication_mode_before:
  description: The cluster's authentication mode before the run.
  returned: success
  type: str
  sample: CONFIG_MAP
entries:
  description:
    - One result per listed entry, in order, then the purged ones; each with C(principal_arn),
      C(state), C(changed) and, for present entries, what the entry is (C(type), C(username),
      C(kubernetes_groups), C(tags), C(access_policies) keyed by policy name when managed).
  returned: success
  type: list
  elements: dict
  sample:
    - principal_arn: arn:aws:iam::111122223333:role/ci-deployer
      state: present
      changed: false
      type: STANDARD
      kubernetes_groups: [app-deployers]
      access_policies:
        AmazonEKSEditPolicy: {type: namespace, namespaces: [payments, storefront]}
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.hardened.eks.plugins.module_utils._aws import eks as eks_api
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import Clock
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import aws_client
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import call as _call
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import exit_with
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import fail_aws
from ansible_collections.hardened.eks.plugins.module_utils._eks import access
from ansible_collections.hardened.eks.plugins.module_utils._eks.cluster_edge import wait_update
from ansible_collections.hardened.eks.plugins.module_utils._names import partition_of

POLICY_SPEC = dict(
    policy=dict(type="str", required=True),
    scope=dict(type="str", choices=["cluster", "namespace"], default="cluster"),
    namespaces=dict(type="list", elements="str"),
)
ENTRY_SPEC = dict(
    principal_arn=dict(type="str", required=True),
    type=dict(type="str", choices=list(access.TYPES), default="STANDARD"),
    kubernetes_groups=dict(type="list", elements="str"),
    username=dict(type="str"),
    tags=dict(type="dict"),
    access_policies=dict(type="list", elements="dict", options=POLICY_SPEC),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def read_current(eks, cluster, desired, listed, purge):
    """The entries the plan needs: the listed desired ones, and with ``purge`` every other
    listed entry (its policies only when it is one this module manages)."""
    current = {}
    for arn in listed:
        d = desired.get(arn)
        if d is None and not purge:
            continue
        entry = eks_api.describe_access_entry(eks, cluster, arn)
        if entry is None:  # deleted meanwhile
            continue
        wants_policies = (d is None and access.managed(entry)) or (d is not None and (
            d["policies"] is not None or d["state"] == "absent"))
        policies = access.current_policies(eks_api.associated_access_policies(eks, cluster, arn)) \
            if wants_policies else None
        current[arn] = {"entry": entry, "policies": policies}
    return current


def run_steps(eks, cluster, steps):
    answers = {}
    for step in steps:
        what = "%s %s on cluster %s" % (step["call"], step["params"].get("principalArn")
                                        or step["params"].get("resourceArn"), cluster)
        answer = eks_api.run_step(eks, cluster, step, what)
        if step["call"] == "create_access_entry":
            answers[step["params"]["principalArn"]] = answer["accessEntry"]
    return answers


def converge(module, eks):
    p = module.params
    access.validate_entries(p["entries"], "aws")  # every input problem before any AWS call
    cluster = eks_api.describe_cluster(eks, p["cluster_name"])
    if cluster is None:
        raise access.AccessEntryError("cluster_name: EKS cluster %s does not exist" % p["cluster_name"])
    before_mode = (cluster.get("accessConfig") or {}).get("authenticationMode", "CONFIG_MAP")
    path = access.mode_path(before_mode, p["authentication_mode"])
    mode = path[-1] if path else before_mode
    desired = access.validate_entries(p["entries"], partition_of(cluster.get("arn")))
    problems = access.admin_policy_problems(desired, p["allow_cluster_admin"])
    if mode == "CONFIG_MAP":
        problems.append("cluster %s authenticates with the aws-auth ConfigMap only (authentication mode CONFIG_MAP): "
                        "switch it to API_AND_CONFIG_MAP first (hardened.eks.eks_cluster authentication_mode; the "
                        "mode only moves forward, CONFIG_MAP -> API_AND_CONFIG_MAP -> API)" % p["cluster_name"])
    if problems:
        raise access.AccessEntryError(problems)
    if path and not module.check_mode:
        for step in path:
            answer = _call(eks, "update_cluster_config", "raise the authentication mode of cluster %s to %s"
                           % (p["cluster_name"], step), name=p["cluster_name"],
                           accessConfig={"authenticationMode": step})
            wait_update(eks, p["cluster_name"], ((answer or {}).get("update") or {}).get("id"),
                        "authentication mode", p["wait_timeout"], Clock())
    if before_mode == "CONFIG_MAP" and path and module.check_mode:
        listed = []  # no entry can exist yet (EKS adds the node roles' entries when the mode changes)
    else:
        listed = eks_api.list_access_entries(eks, p["cluster_name"])
    current = read_current(eks, p["cluster_name"], desired, listed, p["purge"])
    steps, results, problems = access.plan(current, desired, p["purge"], p["purge_policies"],
                                           p["allow_system_entry_removal"], p["purge_selector"])
    if not problems and access.removes_admin(steps):
        admin = access.policy_arn(access.CLUSTER_ADMIN, partition_of(cluster.get("arn")))
        before = eks_api.list_access_entries(eks, p["cluster_name"], policy_arn=admin)
        if before and not access.admins_after(before, steps):
            problems.append("lockout: after this change no principal would hold %s on cluster %s (now: %s); keep "
                            "one, or give another principal that policy in the same run"
                            % (access.CLUSTER_ADMIN, p["cluster_name"], ", ".join(sorted(before))))
    if problems:
        raise access.AccessEntryError(problems)
    if any(access.policy_name(s["params"]["policyArn"]) in access.ADMIN_LEVEL and s["params"]["accessScope"]["type"]
           == "cluster" for s in steps if s["call"] == "associate_access_policy"):
        module.warn("an admin-level access policy is associated at cluster scope (allow_cluster_admin=true)")
    created = {} if module.check_mode else run_steps(eks, p["cluster_name"], steps)
    out, diff = [], {"before": {}, "after": {}}
    for r in results:
        view = dict(r["after"])
        if r["principal_arn"] in created:
            view["access_entry_arn"] = created[r["principal_arn"]]["accessEntryArn"]
            view["username"] = created[r["principal_arn"]].get("username")
        diff["before"][r["principal_arn"]] = r["before"]
        diff["after"][r["principal_arn"]] = view
        view.update(principal_arn=r["principal_arn"], state=r["state"], changed=r["changed"])
        out.append(view)
    if path:
        diff["before"]["authentication_mode"], diff["after"]["authentication_mode"] = before_mode, mode
    return bool(steps) or bool(path), {"entries": out, "authentication_mode": mode,
                                       "authentication_mode_before": before_mode}, diff


def main():
    argument_spec = dict(
        cluster_name=dict(type="str", required=True),
        entries=dict(type="list", elements="dict", default=[], options=ENTRY_SPEC),
        authentication_mode=dict(type="str", choices=["API_AND_CONFIG_MAP", "API"]),
        wait_timeout=dict(type="int", default=1200),
        purge=dict(type="bool", default=False),
        purge_selector=dict(type="dict", default={}),
        purge_policies=dict(type="bool", default=True),
        allow_cluster_admin=dict(type="bool", default=False),
        allow_system_entry_removal=dict(type="bool", default=False),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    eks = aws_client(module, "eks")
    try:
        changed, result, diff = converge(module, eks)
    except access.AccessEntryError as e:
        module.fail_json(msg=str(e), problems=e.problems)
    except AnsibleAWSError as e:
        fail_aws(module, e)
    exit_with(module, changed, result, diff, [])


if __name__ == "__main__":
    main()
