#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_access_entry_info
short_description: Read the EKS access entries of a cluster and their access policies
version_added: 0.2.0
author:
  - hardened.eks maintainers (@hardened-eks)
description:
  - Lists the access entries of a cluster (or only O(principal_arns)) with their type, username,
    Kubernetes groups, tags and associated access policies, and the cluster's authentication
    mode. Read-only.
  - Costs one C(DescribeCluster), one C(ListAccessEntries) and, per entry returned, one
    C(DescribeAccessEntry) and one C(ListAssociatedAccessPolicies).
  - In V(CONFIG_MAP) mode there are no access entries; the module returns none (EKS refuses the
    list calls in that mode).
options:
  cluster_name:
    description: Name of the EKS cluster.
    type: str
    required: true
  principal_arns:
    description: Only these principals (role paths included). All entries when omitted.
    type: list
    elements: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - hardened.eks.attributes.read_only
"""

EXAMPLES = r"""
- name: Who can get into prod through access entries
  hardened.eks.eks_access_entry_info:
    cluster_name: prod
  register: prod_entries

- name: The cluster admins
  ansible.builtin.debug:
    msg: "{{ prod_entries.entries | selectattr('access_policies.AmazonEKSClusterAdminPolicy', 'defined')
             | map(attribute='principal_arn') | list }}"
"""

RETURN = r"""
authentication_mode:
  description: The cluster's authentication mode.
  returned: success
  type: str
  sample: API_AND_CONFIG_MAP
entries:
  description:
    - One per access entry, sorted by principal - C(principal_arn), C(type), C(username),
      C(kubernetes_groups), C(tags) and C(access_policies) (policy name -> C(type),
      C(namespaces)). A listed principal without an entry is left out.
  returned: success
  type: list
  elements: dict
  sample:
    - principal_arn: arn:aws:iam::111122223333:role/ci-deployer
      type: STANDARD
      username: "ci-deployer:{{SessionName}}"
      kubernetes_groups: [app-deployers]
      tags: {}
      access_policies:
        AmazonEKSEditPolicy: {type: namespace, namespaces: [payments]}
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.hardened.eks.plugins.module_utils._aws import eks as eks_api
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import aws_client
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import fail_aws
from ansible_collections.hardened.eks.plugins.module_utils._eks import access


def read(eks, name, principals):
    cluster = eks_api.describe_cluster(eks, name)
    if cluster is None:
        raise access.AccessEntryError("cluster_name: EKS cluster %s does not exist" % name)
    mode = (cluster.get("accessConfig") or {}).get("authenticationMode", "CONFIG_MAP")
    if mode == "CONFIG_MAP":
        return mode, []
    listed = eks_api.list_access_entries(eks, name)
    wanted = [a for a in listed if principals is None or a in principals]
    out = []
    for arn in sorted(wanted):
        entry = eks_api.describe_access_entry(eks, name, arn)
        if entry is None:  # deleted meanwhile
            continue
        policies = access.current_policies(eks_api.associated_access_policies(eks, name, arn))
        out.append(access.entry_view(entry, policies))
    return mode, out


def main():
    module = AnsibleAWSModule(argument_spec=dict(cluster_name=dict(type="str", required=True),
                                                 principal_arns=dict(type="list", elements="str")),
                              supports_check_mode=True)
    eks = aws_client(module, "eks")
    try:
        mode, entries = read(eks, module.params["cluster_name"], module.params["principal_arns"])
    except access.AccessEntryError as e:
        module.fail_json(msg=str(e), problems=e.problems)
    except AnsibleAWSError as e:
        fail_aws(module, e)
    module.exit_json(changed=False, authentication_mode=mode, entries=entries)


if __name__ == "__main__":
    main()
