#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_nodegroup_diff
short_description: Which EKS managed node groups are missing or differ from the wanted settings
version_added: 0.1.0
author:
  - hardened.eks maintainers (@hardened-eks)
description:
  - Reads the managed node groups of a cluster (one DescribeNodegroup each) and compares them
    with the wanted settings, so C(community.aws.eks_nodegroup) runs only for the node groups
    that are missing or differ. That module re-reads fields some EKS implementations do not
    return and cannot change taints, so a converged node group is best left alone.
  - Compared are the scaling configuration, the launch template version, labels, tags, subnets,
    node role, capacity type and, when EKS reports it, the update configuration. Taints are set
    at creation only.
  - Read-only; check mode reads as well.
options:
  cluster_name:
    description: Name of the EKS cluster.
    required: true
    type: str
  node_groups:
    description:
      - The wanted node groups, as the C(cluster) role's C(cluster_node_groups) (C(name),
        C(min_size), C(max_size), C(desired_size), C(max_unavailable), C(capacity_type),
        C(labels), C(tags), C(subnet_ids)); other keys are ignored.
    required: true
    type: list
    elements: dict
  defaults:
    description: Values for the keys an item of O(node_groups) does not give.
    type: dict
    default: {}
  node_role:
    description: ARN of the node role every node group should use; when omitted, the node role is not compared.
    type: str
  subnets:
    description: Subnets of a node group without C(subnet_ids).
    type: list
    elements: str
    default: []
  tags:
    description: Tags every node group carries, before its own C(tags).
    type: dict
    default: {}
  launch_template_versions:
    description: The launch template version each node group should use, by node group name (C(1) when absent).
    type: dict
    default: {}
extends_documentation_fragment:
  - hardened.eks.attributes.read_only
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Compare the node groups with the inventory
  hardened.eks.eks_nodegroup_diff:
    cluster_name: prod
    node_groups: [{name: general, min_size: 2, max_size: 6, desired_size: 3}]
    defaults: {capacity_type: ON_DEMAND, max_unavailable: 1, labels: {}, tags: {}}
    node_role: arn:aws:iam::111122223333:role/prod-nodes
    subnets: [subnet-0a, subnet-0b]
    launch_template_versions: {general: 4}
  register: drift

- name: Converge only what differs
  when: item.name in drift.differs
  community.aws.eks_nodegroup:
    name: "{{ item.name }}"
    cluster_name: prod
  loop: [{name: general}]
"""

RETURN = r"""
differs:
  description: Names of the node groups that are missing or differ.
  returned: always
  type: list
  elements: str
  sample: [general]
differences:
  description: By node group, the fields that differ (C(missing) when the node group does not exist).
  returned: always
  type: dict
  sample: {general: [scalingConfig, launchTemplateVersion], batch: [missing]}
nodegroups:
  description: By node group, its compared fields as EKS reports them (null when it does not exist).
  returned: always
  type: dict
  sample: {general: {status: ACTIVE, scalingConfig: {minSize: 2, maxSize: 6, desiredSize: 2}, capacityType: ON_DEMAND}}
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.hardened.eks.plugins.module_utils._aws import eks as eks_api
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import aws_client
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import fail_aws
from ansible_collections.hardened.eks.plugins.module_utils._eks.nodegroups import NodegroupInputError
from ansible_collections.hardened.eks.plugins.module_utils._eks.nodegroups import current_view
from ansible_collections.hardened.eks.plugins.module_utils._eks.nodegroups import differences
from ansible_collections.hardened.eks.plugins.module_utils._eks.nodegroups import wanted_views


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            cluster_name=dict(type="str", required=True),
            node_groups=dict(type="list", elements="dict", required=True),
            defaults=dict(type="dict", default={}),
            node_role=dict(type="str"),
            subnets=dict(type="list", elements="str", default=[]),
            tags=dict(type="dict", default={}),
            launch_template_versions=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    p = module.params
    try:
        wanted = wanted_views(p["node_groups"], p["defaults"], p["node_role"], p["subnets"], p["tags"],
                              p["launch_template_versions"])
    except NodegroupInputError as e:
        module.fail_json(msg=str(e), problems=e.problems)
    client = aws_client(module, "eks")
    current, diffs = {}, {}
    try:
        for w in wanted:
            current[w["name"]] = current_view(eks_api.describe_nodegroup(client, p["cluster_name"], w["name"]))
            diffs[w["name"]] = differences(current[w["name"]], w)
    except AnsibleAWSError as e:
        fail_aws(module, e)
    module.exit_json(changed=False, differs=[w["name"] for w in wanted if diffs[w["name"]]],
                     differences=diffs, nodegroups=current)


if __name__ == "__main__":
    main()
