# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: calico_plan
author:
  - hardened.eks maintainers (@hardened-eks)
short_description: The Calico baseline of the calico role as one calico_policy batch, with every problem
description:
  - Computes the tier, the metadata deny, the default deny, DNS and kube2iam allows of each
    application namespace and the applications' policies of C(hardened.eks.calico).
  - The batch is validated as C(hardened.eks.calico_policy) validates it (selectors, CIDRs, ports,
    orders), so every problem is reported before Calico is installed or a namespace created.
  - Every problem found is listed in C(problems), each naming the variable, the item and the
    reason.
options:
  _input:
    description: The inventory and the node CIDRs, as the role's C(_calico_plan_input) builds them.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Plan the policies
  ansible.builtin.set_fact:
    __plan: "{{ _calico_plan_input | hardened.eks.calico_plan }}"
"""

RETURN = r"""
_value:
  description: C(problems), C(policies) (a calico_policy batch), C(namespaces), C(node_cidrs) (those of the kube2iam allowance), C(namespace_objects).
  type: dict
"""

from ansible_collections.hardened.eks.plugins.module_utils._plans.calico import plan
from ansible_collections.hardened.eks.plugins.plugin_utils.filter_io import plan_filter


class FilterModule(object):
    def filters(self):
        return {"calico_plan": plan_filter(plan)}
