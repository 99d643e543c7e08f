# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: eni_subnets
author:
  - hardened.eks maintainers (@hardened-eks)
short_description: The subnets each ENIConfig names, from one read of all their zones
description:
  - Matches each ENIConfig of C(vpc_cni_eni_configs) with the subnets of its zone that it names,
    by C(subnet_id) or by every tag of C(subnet_tags) as EC2's C(tag:<key>) filter matches them
    (C(*) and C(?) wildcards, case-sensitive).
options:
  _input:
    description: The ENIConfigs (C(zone), and C(subnet_id) or C(subnet_tags)).
    type: list
    elements: dict
    required: true
  subnets:
    description: The C(subnets) of one M(amazon.aws.ec2_vpc_subnet_info) read of all the zones.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: The subnets of each ENIConfig
  ansible.builtin.debug:
    msg: "{{ vpc_cni_eni_configs | hardened.eks.eni_subnets(__subnets.subnets) }}"
"""

RETURN = r"""
_value:
  description: Per ENIConfig, in order, C(eni) (the ENIConfig) and C(subnets) (those it matches).
  type: list
  elements: dict
"""

from ansible_collections.hardened.eks.plugins.module_utils._plans.vpc_cni import eni_subnets
from ansible_collections.hardened.eks.plugins.plugin_utils.filter_io import plan_filter


class FilterModule(object):
    def filters(self):
        return {"eni_subnets": plan_filter(eni_subnets)}
