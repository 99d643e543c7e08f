# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: aws_auth_unmapped
author:
  - hardened.eks maintainers (@hardened-eks)
short_description: The aws-auth entries an earlier run mapped that this run no longer maps
description:
  - Compares the record of the ARNs an earlier run mapped with the ARNs mapped now,
    case-insensitively as aws-iam-authenticator matches them, and returns the entries to remove
    with C(hardened.eks.aws_auth_mapping) C(state=absent).
options:
  _input:
    description: The earlier record, C(roles) and C(users) lists of ARNs.
    type: dict
    required: true
  now:
    description: The ARNs mapped now, C(roles) and C(users) lists.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Remove the mappings of grants that left the inventory
  hardened.eks.aws_auth_mapping:
    roles: "{{ (__record | hardened.eks.aws_auth_unmapped(__now)).roles }}"
    state: absent
"""

RETURN = r"""
_value:
  description: C(roles) and C(users), each a list of C(arn) entries.
  type: dict
"""

from ansible_collections.hardened.eks.plugins.module_utils._plans.iam_authenticator import unmapped
from ansible_collections.hardened.eks.plugins.plugin_utils.filter_io import plan_filter


class FilterModule(object):
    def filters(self):
        return {"aws_auth_unmapped": plan_filter(unmapped)}
