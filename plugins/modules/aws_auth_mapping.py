#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: aws_auth_mapping
short_description: Manage entries of the EKS C(kube-system/aws-auth) ConfigMap safely
version_added: 0.1.0
author:
  - hardened.eks maintainers (@hardened-eks)
description:
  - Adds, updates and removes the IAM role, IAM user and account mappings that the AWS IAM
    authenticator of an EKS cluster reads from the C(aws-auth) ConfigMap (C(mapRoles),
    C(mapUsers), C(mapAccounts)).
  - Only the entries given are managed; all other entries, their order and every other key of
    the ConfigMap are kept. Entries are matched by ARN (case-insensitively, as the
    authenticator does). O(roles[].username) and O(roles[].groups) converge to what is given;
    the order of groups does not count as a change.
  - One read and at most one write per run, whatever the number of entries. The write is a JSON
    patch of the keys that change (C(mapRoles), C(mapUsers), C(mapAccounts)), each tested
    against the value that was read (a key that did not exist yet is tested to be still missing).
    Writers of other keys, labels or annotations never conflict with it; when another writer
    changed one of the same keys first, the patch is refused and the module reads again and
    re-applies its change (bounded retries with jittered backoff), so concurrent pipelines
    never lose each other's entries. When the answer to an applied write is lost, the repeat is
    refused instead of applied twice, and the task still reports the change.
  - Guards, all checked before anything is written, and every problem reported in one failure
    that names the option, the item and the reason. Entries that carry C(system:nodes),
    C(system:bootstrappers) or C(system:node-proxier) (node and Fargate roles) are never
    removed by O(state=absent) or O(purge), nor stripped of those groups, unless
    O(allow_node_role_removal=true). Mapping to C(system:masters) is refused unless
    O(allow_cluster_admin=true). ARNs are validated (partition C(aws), C(aws-cn) or
    C(aws-us-gov), 12-digit account, C(role/) or C(user/) as appropriate); STS
    assumed-role ARNs are refused with the role ARN to use instead. Usernames and groups may
    only use the authenticator's placeholders.
  - Existing data that does not parse (bad YAML, wrong shape) in a key this run manages fails
    the task naming the key and the problem; the ConfigMap is left as it was. Problems in keys
    this run does not manage are reported as warnings.
options:
  roles:
    description:
      - IAM roles to map (C(mapRoles)). Omit to leave C(mapRoles) alone.
      - With O(purge=true), V([]) removes every role entry that the guards allow.
    type: list
    elements: dict
    suboptions:
      arn:
        description:
          - ARN of the IAM role, C(arn:<partition>:iam::<account>:role/<name>).
          - A path (C(role/team/x)) is removed with a warning when O(normalize_arns=true), since
            the authenticator matches role ARNs without their path.
        type: str
        required: true
        aliases: [rolearn]
      username:
        description:
          - Kubernetes username. Required with O(state=present).
          - May contain the authenticator's placeholders C({{AccountID}}), C({{SessionName}}),
            C({{SessionNameRaw}}), C({{EC2PrivateDNSName}}), C({{AccessKeyID}}) and nothing
            else. Mark such values C(!unsafe) (or escape them) so that Ansible does not
            template them.
        type: str
      groups:
        description:
          - Kubernetes groups. Their order does not matter.
          - When omitted, an existing entry keeps its groups and a new entry gets none.
        type: list
        elements: str
  users:
    description:
      - IAM users to map (C(mapUsers), field C(userarn)). Same suboptions as O(roles), with
        user ARNs (C(arn:<partition>:iam::<account>:user/<name>); a path is kept, since
        user ARNs are matched with their path). Omit to leave C(mapUsers) alone.
    type: list
    elements: dict
    suboptions:
      arn:
        description: ARN of the IAM user.
        type: str
        required: true
        aliases: [userarn]
      username:
        description: Kubernetes username. Required with O(state=present).
        type: str
      groups:
        description: Kubernetes groups. Their order does not matter.
        type: list
        elements: str
  accounts:
    description:
      - AWS account ids (12 digits, quoted or not) whose IAM identities are mapped
        automatically (C(mapAccounts)). Omit to leave C(mapAccounts) alone.
      - Quote ids that start with C(0) in YAML, or they may be read as numbers.
    type: list
    elements: raw
  state:
    description:
      - V(present) adds or updates the listed entries; V(absent) removes them (only the ARN is
        needed then).
    type: str
    choices: [present, absent]
    default: present
  purge:
    description:
      - With O(state=present), also remove the entries that are not listed, in each of
        O(roles), O(users), O(accounts) that is given (a list that is omitted is left alone).
      - Entries of node and Fargate roles (groups C(system:nodes), C(system:bootstrappers) or
        C(system:node-proxier)), which EKS adds by itself, are spared and returned in RV(kept),
        whatever O(allow_node_role_removal) says; removing one takes O(state=absent) naming it.
        Entries without an ARN (SSO matchers) are kept too.
    type: bool
    default: false
  allow_node_role_removal:
    description:
      - Allow removing entries that carry C(system:nodes), C(system:bootstrappers) or
        C(system:node-proxier), or taking those groups away from them. Doing so takes every node
        (or Fargate pod) that uses the role out of the cluster.
    type: bool
    default: false
  allow_cluster_admin:
    description:
      - Allow mapping an identity to C(system:masters) (full, unrevocable cluster-admin
        rights). A warning is still returned.
    type: bool
    default: false
  normalize_arns:
    description:
      - Rewrite role ARNs with a path (C(role/team/x)) to C(role/x), with a warning. When
        V(false) they are written as given, with a warning that the authenticator will never
        match them.
      - Also makes existing entries with a path match the listed role, so they are rewritten.
    type: bool
    default: true
  create:
    description:
      - Create the ConfigMap when it does not exist and there is something to add. When
        V(false) and it is missing, the task fails instead (EKS creates it with the first
        managed node group).
    type: bool
    default: true
  namespace:
    description: Namespace of the ConfigMap. Only change it for tests or non-EKS setups.
    type: str
    default: kube-system
  name:
    description: Name of the ConfigMap. Only change it for tests or non-EKS setups.
    type: str
    default: aws-auth
extends_documentation_fragment:
  - hardened.eks.attributes
  - kubernetes.core.k8s_auth_options
notes:
  - Supports check mode (only the read is sent) and diff mode (C(mapRoles), C(mapUsers),
    C(mapAccounts) before and after, as YAML).
  - When a list changes it is rendered again as block YAML, which drops its comments; a change
    that only appends entries keeps the existing text and adds the new entries below it.
  - The authenticator honours the last entry of a duplicated ARN; duplicates are reported as
    warnings and updated together.
  - The cluster creator's access does not depend on C(aws-auth), but every other identity's
    does; prefer O(state=present) with explicit entries over O(purge) unless C(aws-auth) is
    managed from one place.
seealso:
  - name: Grant IAM users and roles access to Kubernetes APIs
    description: The EKS documentation of aws-auth.
    link: https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html
requirements:
  - kubernetes >= 24.2.0 (Python library)
  - PyYAML
"""

EXAMPLES = r"""
- name: Add a team role (read-only group), keeping every other entry
  hardened.eks.aws_auth_mapping:
    roles:
      - arn: arn:aws:iam::111122223333:role/team-payments-dev
        username: !unsafe "payments:{{SessionName}}"
        groups:
          - payments-viewers

- name: A role with a path is mapped without it (with a warning)
  hardened.eks.aws_auth_mapping:
    roles:
      - arn: arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admins_0123456789abcdef
        username: !unsafe "sso-admin:{{SessionName}}"
        groups: [platform-admins]

- name: Remove a user
  hardened.eks.aws_auth_mapping:
    users:
      - arn: arn:aws:iam::111122223333:user/alice
    state: absent

- name: Exclusive management of the role mappings (the node role must be listed, or it is refused)
  hardened.eks.aws_auth_mapping:
    purge: true
    roles:
      - arn: arn:aws:iam::111122223333:role/eks-node-group
        username: !unsafe "system:node:{{EC2PrivateDNSName}}"
        groups: [system:bootstrappers, system:nodes]
      - arn: arn:aws:iam::111122223333:role/ci-deployer
        username: ci-deployer
        groups: [deployers]

- name: Break-glass admin role (system:masters must be allowed explicitly)
  hardened.eks.aws_auth_mapping:
    allow_cluster_admin: true
    roles:
      - arn: arn:aws:iam::111122223333:role/break-glass
        username: !unsafe "break-glass:{{SessionName}}"
        groups: [system:masters]

- name: Map a whole account, with an explicit kubeconfig and context
  hardened.eks.aws_auth_mapping:
    kubeconfig: ~/.kube/config
    context: prod
    accounts:
      - "012345678901"
"""

RETURN = r"""
added:
  description: ARNs (and account ids) of the entries added, or that would be added in check mode.
  returned: always
  type: list
  elements: str
  sample: [arn:aws:iam::111122223333:role/team-payments-dev]
removed:
  description: ARNs (and account ids) of the entries removed, or that would be removed.
  returned: always
  type: list
  elements: str
  sample: [arn:aws:iam::111122223333:user/alice]
updated:
  description: ARNs of existing entries whose username, groups or ARN spelling changed.
  returned: always
  type: list
  elements: str
  sample: []
kept:
  description: ARNs of node and Fargate role entries that O(purge) spared (not listed, kept).
  returned: always
  type: list
  elements: str
  sample: [arn:aws:iam::111122223333:role/eks-node]
warnings:
  description:
    - Ansible's warnings of the task, among them path normalization, duplicate entries,
      C(system:masters) mappings and unreadable keys that were left alone.
  returned: when there are warnings
  type: list
  sample: ["roles[0].arn: arn:aws:iam::111122223333:role/team/dev has a path; written as arn:aws:iam::111122223333:role/dev"]
  elements: str
diff:
  description:
    - C(mapRoles), C(mapUsers) and C(mapAccounts) before and after the change, as one YAML
      document each (literal blocks), so that C(--diff) shows a readable line diff.
    - Entries the change does not touch keep their original text (comments, indentation); new and
      changed entries are rendered in the list's indentation.
    - C(after_header) starts with a summary of the change, entry by entry (added, updated with the
      fields that change, removed, kept by purge), so that it shows above the YAML.
  returned: in diff mode
  type: dict
  contains:
    before:
      description: The three keys before the change.
      type: str
      sample: "mapRoles: |\n  - rolearn: arn:aws:iam::111122223333:role/node\n"
    after:
      description: The three keys after the change.
      type: str
      sample: "mapRoles: |\n  - rolearn: arn:aws:iam::111122223333:role/node\n"
    before_header:
      description: The ConfigMap.
      type: str
      sample: kube-system/aws-auth
    after_header:
      description: The ConfigMap and the summary of the change.
      type: str
      sample: "kube-system/aws-auth (updated 1: arn:aws:iam::111122223333:role/ci (groups [deployers] -> [deployers, viewers]))"
"""

import copy

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hardened.eks.plugins.module_utils._k8s import (
    K8S_AUTH_ARG_SPEC,
    K8sError,
    connect,
)
from ansible_collections.hardened.eks.plugins.module_utils.aws_auth import (
    HAS_YAML,
    AwsAuthError,
    ensure_aws_auth,
    validate_params,
)


def _entry_spec(arn_alias):
    return dict(
        arn=dict(type="str", required=True, aliases=[arn_alias]),
        username=dict(type="str"),
        groups=dict(type="list", elements="str"),
    )


def argument_spec():
    spec = copy.deepcopy(K8S_AUTH_ARG_SPEC)
    spec.update(
        roles=dict(type="list", elements="dict", options=_entry_spec("rolearn")),
        users=dict(type="list", elements="dict", options=_entry_spec("userarn")),
        accounts=dict(type="list", elements="raw"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        purge=dict(type="bool", default=False),
        allow_node_role_removal=dict(type="bool", default=False),
        allow_cluster_admin=dict(type="bool", default=False),
        normalize_arns=dict(type="bool", default=True),
        create=dict(type="bool", default=True),
        namespace=dict(type="str", default="kube-system"),
        name=dict(type="str", default="aws-auth"),
    )
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True,
                           required_one_of=[["roles", "users", "accounts"]])
    if not HAS_YAML:
        module.fail_json(msg="PyYAML is required")
    p = module.params
    try:
        request = validate_params(p)
    except AwsAuthError as e:
        module.fail_json(msg=str(e), problems=e.problems)
    try:
        api = connect(module)
        changed, predicted = ensure_aws_auth(api, p["namespace"], p["name"], request,
                                             check_mode=module.check_mode, create=p["create"])
    except AwsAuthError as e:
        module.fail_json(msg=str(e), problems=e.problems)
    except K8sError as e:
        module.fail_json(msg="%s/%s: %s" % (p["namespace"], p["name"], e))

    for w in predicted["warnings"]:
        module.warn(w)
    out = dict(changed=changed, added=predicted["added"], removed=predicted["removed"],
               updated=predicted["updated"], kept=predicted.get("kept", []))
    if module._diff:
        where = "%s/%s" % (p["namespace"], p["name"])
        out["diff"] = dict(predicted["diff"], before_header=where,
                           after_header="%s (%s)" % (where, predicted.get("summary", "")))
    module.exit_json(**out)


if __name__ == "__main__":
    main()
