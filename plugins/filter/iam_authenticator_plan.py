# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: iam_authenticator_plan
author:
  - hardened.eks maintainers (@hardened-eks)
short_description: The plan of the iam_authenticator role, with every problem of its inventory
description:
  - Computes, from the grants, groups and namespaces of the inventory and the role's tables, the
    aws-auth entries, the namespaces, the RBAC objects (named levels and custom rules) and the
    users' kubeconfig list of C(hardened.eks.iam_authenticator).
  - Every problem found is listed in C(problems), each naming the variable, the item and the
    reason; the role writes nothing while it is not empty.
  - ARNs of every AWS partition are judged as C(hardened.eks.aws_auth_mapping) judges them.
options:
  _input:
    description: The inventory and the role's tables, as the role's C(_iam_authenticator_plan_input) builds them.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Plan the grants
  ansible.builtin.set_fact:
    __plan: "{{ _iam_authenticator_plan_input | hardened.eks.iam_authenticator_plan }}"
"""

RETURN = r"""
_value:
  description: C(problems), C(grants), C(aws_auth_roles), C(aws_auth_users), C(namespaces), C(namespace_objects), C(rbac), C(rbac_keys).
  type: dict
"""

from ansible_collections.hardened.eks.plugins.module_utils._plans.iam_authenticator import plan
from ansible_collections.hardened.eks.plugins.plugin_utils.filter_io import plan_filter


class FilterModule(object):
    def filters(self):
        return {"iam_authenticator_plan": plan_filter(plan)}
