# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the ``verify`` role expects of the node role (pure; filter ``hardened.eks.verify_plan``).

From the variables the other roles deployed with (the partition, the account, the node role's
name, whether aws-node runs on IRSA and its policy left the node role, the extra policies), the
node role ARNs to audit beside the node groups' own and exactly the managed policies the node
role should carry. A ``verify_*`` value given by the inventory is taken as it is (validated).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hardened.eks.plugins.module_utils import _names
from ansible_collections.hardened.eks.plugins.module_utils._plans.common import Problems, as_bool, is_list, is_str

NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly")
CNI_POLICY = "AmazonEKS_CNI_Policy"


INLINE_POLICY_NAME_RE = re.compile(r"^[A-Za-z0-9_+=,.@-]{1,128}$")


def _role_arns(values, var, p):
    if not is_list(values):
        p.add(var, ": must be a list of IAM role ARNs")
        return []
    for i, value in enumerate(values):
        if not _names.is_valid(value, "role_arn"):
            p.add("%s[%d]" % (var, i), ": %r is not an IAM role ARN" % (value,))
    return list(values)


def _policies(values, var, p):
    """Managed policy ARNs or inline policy names (kube2iam's inline policy on the node role)."""
    if not is_list(values):
        p.add(var, ": must be a list of managed policy ARNs or inline policy names")
        return []
    for i, value in enumerate(values):
        if not (_names.is_valid(value, "policy_arn") or (is_str(value) and INLINE_POLICY_NAME_RE.match(value))):
            p.add("%s[%d]" % (var, i), ": %r is neither a managed policy ARN nor an inline policy name" % (value,))
    return list(values)


def verify_plan(cfg):
    """``cfg`` -> ``{node_role_arns, node_role_policies, cni_policy_on_node_role, problems}``."""
    p = Problems()
    partition = cfg.get("partition") or "aws"
    if partition not in _names.PARTITIONS:
        p.add("verify_partition", ": %r is not an AWS partition (%s)" % (partition, ", ".join(_names.PARTITIONS)))
    account = cfg.get("account_id") or ""
    if account and not _names.ACCOUNT_RE.match(str(account)):
        p.add("verify_account_id", ": %r is not a 12-digit AWS account id" % (account,))
    name = cfg.get("node_role_name") or "%s-eks-node" % cfg.get("cluster_name")
    if not is_str(name) or not _names.IAM_NAME_RE.match(name):
        p.add("verify_node_role_name", ": %r is not an IAM role name" % (name,))

    if cfg.get("node_role_arns") is not None:
        arns = _role_arns(cfg["node_role_arns"], "verify_node_role_arns", p)
    else:
        arns = ["arn:%s:iam::%s:role/%s" % (partition, account, name)] if account else []

    cni = cfg.get("cni_policy_on_node_role")
    if cni is None:  # aws-node on IRSA, with the node role's copy of its policy detached
        cni = not (as_bool(cfg.get("vpc_cni_irsa", True)) and as_bool(cfg.get("vpc_cni_detach_node_cni_policy", True)))
    cni = as_bool(cni)

    if cfg.get("node_role_policies") is not None:
        policies = _policies(cfg["node_role_policies"], "verify_node_role_policies", p)
    else:
        names = NODE_POLICIES + ((CNI_POLICY,) if cni else ())
        policies = ["arn:%s:iam::aws:policy/%s" % (partition, n) for n in names]
        policies += _policies(cfg.get("cluster_extra_policies") or [], "cluster_node_role_extra_policy_arns", p)
        policies += _policies(cfg.get("extra_policies") or [], "verify_node_role_extra_policies", p)
    return {"node_role_arns": arns, "node_role_policies": policies, "cni_policy_on_node_role": cni,
            "problems": p.items}
