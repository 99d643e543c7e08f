# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: admin_access_entries
author:
  - hardened.eks maintainers (@hardened-eks)
short_description: Access entries that make IAM principals cluster admins
description:
  - Takes a list of IAM role or user ARNs and returns the C(entries) of
    C(hardened.eks.eks_access_entry) that give each one C(AmazonEKSClusterAdminPolicy) at cluster
    scope. The cluster role uses it for C(cluster_admin_principals), so who is admin of a cluster
    is written in the inventory, not left to EKS's bootstrap of the creator.
options:
  _input:
    description: IAM role or user ARNs (role paths included).
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: The deploy role and the break-glass role are the cluster's admins
  hardened.eks.eks_access_entry:
    cluster_name: prod
    allow_cluster_admin: true
    entries: "{{ ['arn:aws:iam::111122223333:role/deploy', 'arn:aws:iam::111122223333:role/break-glass']
                 | hardened.eks.admin_access_entries }}"
"""

RETURN = r"""
_value:
  description: One entry per principal, with the cluster admin policy at cluster scope.
  type: list
  elements: dict
"""

from ansible_collections.hardened.eks.plugins.module_utils._eks.access import admin_entries
from ansible_collections.hardened.eks.plugins.plugin_utils.filter_io import plan_filter


class FilterModule(object):
    def filters(self):
        return {"admin_access_entries": plan_filter(admin_entries)}
