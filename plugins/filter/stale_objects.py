# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: stale_objects
author:
  - hardened.eks maintainers (@hardened-eks)
short_description: The objects listed before that a plan no longer asks for
description:
  - Takes the C(results) of a C(kubernetes.core.k8s_info) task looped over kinds (or a list of
    M(hardened.eks.k8s_objects_info) results, whose objects carry their kind), and returns a
    minimal definition (apiVersion, kind, name, namespace) of every listed object whose key
    C(Kind/namespace/name) is not in O(keep), ready for C(kubernetes.core.k8s) with C(state=absent).
  - The order of the results is kept, so a loop over bindings before roles deletes bindings first.
options:
  _input:
    description: The C(results) of the looped C(kubernetes.core.k8s_info) task, or M(hardened.eks.k8s_objects_info) results.
    type: list
    elements: dict
    required: true
  keep:
    description: Keys C(Kind/namespace/name) (empty namespace for cluster-scoped objects) to keep.
    type: list
    elements: str
    required: true
  kind_key:
    description: The loop variable that holds the kind in each result. Without it, each object's C(kind).
    type: str
"""

EXAMPLES = r"""
- name: Delete the RBAC objects no group asks for any more
  kubernetes.core.k8s:
    state: absent
    definition: "{{ __found.results | hardened.eks.stale_objects(__plan.rbac_keys, '__kind') }}"
"""

RETURN = r"""
_value:
  description: Definitions of the objects to delete.
  type: list
  elements: dict
"""

from ansible_collections.hardened.eks.plugins.module_utils._plans.common import stale_objects
from ansible_collections.hardened.eks.plugins.plugin_utils.filter_io import plan_filter


class FilterModule(object):
    def filters(self):
        return {"stale_objects": plan_filter(stale_objects)}
