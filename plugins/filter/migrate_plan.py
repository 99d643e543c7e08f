# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: migrate_plan
author:
  - hardened.eks maintainers (@hardened-eks)
short_description: The access entries that replace a cluster's aws-auth mappings
description:
  - Turns every C(kube-system/aws-auth) mapping into the C(hardened.eks.eks_access_entry) item
    that gives the same principal the same username and Kubernetes groups - role paths restored
    from IAM, node roles as C(EC2_LINUX) / C(EC2_WINDOWS) / C(FARGATE_LINUX) entries,
    C(system:masters) as C(AmazonEKSClusterAdminPolicy) when allowed - and lists what has no
    equivalent, which blocks the C(API) authentication mode.
  - Used by C(playbooks/migrate.yml); every problem is returned, none is raised.
options:
  _input:
    description:
      - C(aws_auth) (the ConfigMap's data), C(roles) (C(amazon.aws.iam_role_info)'s C(iam_roles)),
        C(account), C(caller_arn) (C(amazon.aws.aws_caller_info)'s C(arn)), C(allow_cluster_admin),
        C(tags), C(entries_now) (C(hardened.eks.eks_access_entry_info)'s C(entries)).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: The access entries of the aws-auth mappings
  hardened.eks.eks_access_entry:
    cluster_name: prod
    authentication_mode: API_AND_CONFIG_MAP
    entries: "{{ (migrate_input | hardened.eks.migrate_plan).entries }}"
"""

RETURN = r"""
_value:
  description:
    - C(entries), C(problems), C(skipped) (C(arn), C(reason)), C(caller) (the IAM principal
      running), C(caller_admin) (it holds C(AmazonEKSClusterAdminPolicy) now), C(missing)
      (planned entries not made yet), C(removable) (aws-auth mappings whose entry exists, for
      C(hardened.eks.aws_auth_mapping) state absent), C(api_blockers) and C(summary).
  type: dict
"""

from ansible_collections.hardened.eks.plugins.module_utils._plans.migrate import plan
from ansible_collections.hardened.eks.plugins.plugin_utils.filter_io import plan_filter


class FilterModule(object):
    def filters(self):
        return {"migrate_plan": plan_filter(plan)}
