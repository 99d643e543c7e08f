# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: kubeconfig_server
author:
  - hardened.eks maintainers (@hardened-eks)
short_description: The API server (URL, host, port) of a kubeconfig's current context
description:
  - Parses a kubeconfig and returns the server of the cluster its context uses, so that a role can
    check the controller reaches it before anything is written.
options:
  _input:
    description: The kubeconfig's text.
    type: str
    required: true
  path:
    description: The kubeconfig's path, for the error messages.
    type: str
    default: kubeconfig
  context:
    description: The context to use; by default the kubeconfig's C(current-context).
    type: str
"""

EXAMPLES = r"""
- name: Read the API server of the kubeconfig
  ansible.builtin.set_fact:
    __server: "{{ lookup('ansible.builtin.file', kubeconfig) | hardened.eks.kubeconfig_server(kubeconfig) }}"
"""

RETURN = r"""
_value:
  description: C(url), C(host), C(port) and C(context).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.hardened.eks.plugins.plugin_utils.kubeconfig import kubeconfig_server


def _filter(text, path="kubeconfig", context=None):
    try:
        return kubeconfig_server(text, path, context)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule(object):
    def filters(self):
        return {"kubeconfig_server": _filter}
