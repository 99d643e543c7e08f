# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: verify_plan
author:
  - hardened.eks maintainers (@hardened-eks)
short_description: What the verify role expects of the node role
description:
  - Computes, from the variables the other roles deployed with, the node role ARNs the
    C(hardened.eks.verify) role audits beside the node groups' own roles, and exactly the
    policies the node role should carry. Values the inventory gives are validated and kept.
  - Used by the role's C(vars/main.yml); every problem is returned, none is raised.
options:
  _input:
    description:
      - C(cluster_name), C(partition), C(account_id), C(node_role_name) (empty for
        C(<cluster>-eks-node)), C(node_role_arns) and C(node_role_policies) (null to derive them),
        C(cni_policy_on_node_role) (null to derive it from C(vpc_cni_irsa) and
        C(vpc_cni_detach_node_cni_policy)), C(cluster_extra_policies), C(extra_policies).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Audit the node role as the cluster role made it
  hardened.eks.eks_security_audit:
    cluster_name: prod
    node_role_arns: "{{ (__input | hardened.eks.verify_plan).node_role_arns }}"
    node_role_policies: "{{ (__input | hardened.eks.verify_plan).node_role_policies }}"
"""

RETURN = r"""
_value:
  description: C(node_role_arns), C(node_role_policies), C(cni_policy_on_node_role) and C(problems).
  type: dict
"""

from ansible_collections.hardened.eks.plugins.module_utils._plans.verify import verify_plan
from ansible_collections.hardened.eks.plugins.plugin_utils.filter_io import plan_filter


class FilterModule(object):
    def filters(self):
        return {"verify_plan": plan_filter(verify_plan)}
