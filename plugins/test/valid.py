# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: valid
author:
  - hardened.eks maintainers (@hardened-eks)
short_description: Whether a value is a valid name or ARN of a given kind
description:
  - The patterns the modules of hardened.eks use, for the role preflights, so a value is accepted
    or refused the same way by a module and a role.
  - ARNs of every AWS partition are accepted (aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b,
    aws-iso-e, aws-iso-f, aws-eusc).
options:
  _input:
    description: The value to check; anything but a string is not valid.
    type: raw
    required: true
  kind:
    description: What the value must be.
    type: str
    required: true
    choices: [cluster_name, nodegroup_name, region, account, iam_name, iam_path, dns_label,
              dns_subdomain, role_arn, user_arn, principal_arn, policy_arn, oidc_provider_arn,
              kms_key_arn, cluster_arn]
"""

EXAMPLES = r"""
- name: Check the target
  ansible.builtin.assert:
    that:
      - cluster_name is hardened.eks.valid('cluster_name')
      - cluster_region is hardened.eks.valid('region')
"""

RETURN = r"""
_value:
  description: Whether the value is valid.
  type: bool
"""

from ansible_collections.hardened.eks.plugins.module_utils import _names


def valid(value, kind):
    if kind == "principal_arn":
        return _names.is_principal_arn(value)
    return _names.is_valid(value, kind)


class TestModule(object):
    def tests(self):
        return {"valid": valid}
