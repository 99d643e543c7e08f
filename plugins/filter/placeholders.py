# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: placeholders
author:
  - hardened.eks maintainers (@hardened-eks)
short_description: Where a C(<placeholder>) of an example inventory is still in the variables
description:
  - Walks a dictionary of variables (nested dictionaries and lists too) and returns, for every
    string that still holds a C(<word>) placeholder such as C(<vpc-name>) or C(<team>), its path
    and value, so a role's preflight can refuse to run with a copied example inventory that was
    not filled in.
options:
  _input:
    description: Variables by name, such as the role's own (C(cluster_*)).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: No placeholder of the example inventory is left
  ansible.builtin.assert:
    that: __found | length == 0
    fail_msg: "replace the placeholders: {{ __found | join('; ') }}"
  vars:
    __found: "{{ {'cluster_tags': cluster_tags} | hardened.eks.placeholders }}"
"""

RETURN = r"""
_value:
  description: C(path = value) of each string with a placeholder, sorted by path.
  type: list
  elements: str
"""

from ansible_collections.hardened.eks.plugins.module_utils.placeholders import find_placeholders
from ansible_collections.hardened.eks.plugins.plugin_utils.filter_io import plan_filter


class FilterModule(object):
    def filters(self):
        return {"placeholders": plan_filter(find_placeholders)}
