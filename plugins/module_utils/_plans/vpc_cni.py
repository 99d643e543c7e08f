# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ENIConfig subnets of the ``vpc_cni`` role (pure; filter ``hardened.eks.eni_subnets``).

The role reads the subnets of all ENIConfig zones in one ``DescribeSubnets`` call (filter
``availability-zone``), and each ENIConfig takes the subnets that match it: its ``subnet_id``,
or every tag of its ``subnet_tags`` as EC2's ``tag:<key>`` filter would (``*`` any characters,
``?`` one, case-sensitive). The zone of a subnet is then checked by the role as before: a
subnet of another zone is not among those read, so it is reported as not found in the zone.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re


def _wildcard(value):
    """EC2 filter value -> regular expression of the whole value."""
    out = []
    for ch in str(value):
        out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
    return re.compile("^" + "".join(out) + "$", re.S)


def _tags(subnet):
    tags = subnet.get("tags") or {}
    if isinstance(tags, list):  # boto3's shape, in case the subnets were not snake_cased
        tags = dict((t.get("Key"), t.get("Value")) for t in tags)
    return tags


def matches(eni, subnet):
    """Whether ``subnet`` (ec2_vpc_subnet_info's shape) is the one ``eni`` names, in its zone."""
    if subnet.get("availability_zone") != eni.get("zone"):
        return False
    if eni.get("subnet_id"):
        return subnet.get("id") == eni["subnet_id"]
    tags = _tags(subnet)
    wanted = eni.get("subnet_tags") or {}
    return bool(wanted) and all(k in tags and _wildcard(v).match(str(tags[k])) for k, v in wanted.items())


def eni_subnets(eni_configs, subnets):
    """Per ENIConfig (in order): ``{"eni": the ENIConfig, "subnets": the subnets it matches}``."""
    return [{"eni": eni, "subnets": [s for s in subnets or [] if matches(eni, s)]} for eni in eni_configs or []]
