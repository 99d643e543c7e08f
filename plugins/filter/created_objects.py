# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: created_objects
author:
  - hardened.eks maintainers (@hardened-eks)
short_description: The names of the objects a kubernetes.core.k8s task created
description:
  - Takes the registered result of a C(kubernetes.core.k8s) task and returns the names of the
    objects it created or, in check mode, would create.
  - Works for a task with one definition (the answer at the top of the result) and with
    several (C(result.results)). A skipped task created nothing.
  - The roles use it in check mode, to leave out dry-run writes into namespaces that do not
    exist yet (the API server refuses even a dry run there).
options:
  _input:
    description: The registered result of the C(kubernetes.core.k8s) task.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Objects of namespaces that exist (check mode leaves out the ones still to be created)
  ansible.builtin.set_fact:
    __objects_now: "{{ __objects | rejectattr('metadata.namespace', 'in', __namespaces | hardened.eks.created_objects) }}"
"""

RETURN = r"""
_value:
  description: The names of the created objects, in the order of the task's definitions.
  type: list
  elements: str
"""

from ansible_collections.hardened.eks.plugins.module_utils._plans.common import created_objects
from ansible_collections.hardened.eks.plugins.plugin_utils.filter_io import plan_filter


class FilterModule(object):
    def filters(self):
        return {"created_objects": plan_filter(created_objects)}
