# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: kube2iam_plan
author:
  - hardened.eks maintainers (@hardened-eks)
short_description: The plan of the kube2iam role, with every problem of its inventory
description:
  - Computes, from the pod roles, namespaces and IAM path of the inventory and the node role ARNs,
    the pod roles (IAM name, ARN in the node roles' partition and account, trust), the
    allowed-roles annotation of every namespace, the IRSA service accounts and the node roles'
    policy of C(hardened.eks.kube2iam).
  - Every problem found is listed in C(problems), each naming the variable, the item and the
    reason; the role writes nothing while it is not empty.
options:
  _input:
    description: The inventory and the node role ARNs, as the role's C(_kube2iam_plan_input) builds them.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Plan the pod roles
  ansible.builtin.set_fact:
    __plan: "{{ _kube2iam_plan_input | hardened.eks.kube2iam_plan }}"
"""

RETURN = r"""
_value:
  description:
    - C(problems), C(roles), C(iam_names), C(namespaces), C(namespace_objects), C(allowed),
      C(annotated_namespaces), C(service_accounts), C(node_policy), C(role_pattern).
  type: dict
"""

from ansible_collections.hardened.eks.plugins.module_utils._plans.kube2iam import plan
from ansible_collections.hardened.eks.plugins.plugin_utils.filter_io import plan_filter


class FilterModule(object):
    def filters(self):
        return {"kube2iam_plan": plan_filter(plan)}
