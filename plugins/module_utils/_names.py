# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The names and patterns every module, filter and role of hardened.eks shares (pure).

One place for what an ARN of each AWS partition, an EKS cluster name, a region or a Kubernetes
name looks like, so a value is accepted or refused the same way by ``eks_cluster``,
``aws_auth_mapping``, ``eks_pod_iam_role``, the role plans and the role preflights (through the
``hardened.eks.valid`` test).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# Every AWS partition (botocore's partitions.json): commercial, China, GovCloud (US), the ISO
# partitions and the European Sovereign Cloud.
PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc")

PARTITION = r"(?:%s)" % "|".join(re.escape(p) for p in sorted(PARTITIONS, key=len, reverse=True))
ACCOUNT = r"[0-9]{12}"
IAM_NAME = r"[A-Za-z0-9_+=,.@-]+"
IAM_PATH = r"/(?:[A-Za-z0-9_+=,.@-]+/)*"
_REGION = r"[a-z]{2,}(?:-[a-z]+)+-[0-9]+"

CLUSTER_NAME_RE = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$")
NODEGROUP_NAME_RE = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,62}$")
REGION_RE = re.compile(r"^%s$" % _REGION)
ACCOUNT_RE = re.compile(r"^%s$" % ACCOUNT)
IAM_NAME_RE = re.compile(r"^[A-Za-z0-9_+=,.@-]{1,64}$")
IAM_PATH_RE = re.compile(r"^%s$" % IAM_PATH)
DNS_LABEL_RE = re.compile(r"^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$")
DNS_SUBDOMAIN_RE = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$")

ROLE_ARN_RE = re.compile(r"^arn:(%s):iam::(%s):role(%s)(%s)$" % (PARTITION, ACCOUNT, IAM_PATH, IAM_NAME))
USER_ARN_RE = re.compile(r"^arn:(%s):iam::(%s):user(%s)(%s)$" % (PARTITION, ACCOUNT, IAM_PATH, IAM_NAME))
POLICY_ARN_RE = re.compile(r"^arn:(%s):iam::(%s|aws):policy%s%s$" % (PARTITION, ACCOUNT, IAM_PATH, IAM_NAME))
OIDC_PROVIDER_ARN_RE = re.compile(r"^arn:(%s):iam::(%s):oidc-provider/"
                                  r"([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d+)?(?:/[\w.~-]+)*)$"
                                  % (PARTITION, ACCOUNT))
KMS_KEY_ARN_RE = re.compile(r"^arn:(%s):kms:(%s):(%s):key/[A-Za-z0-9-]+$" % (PARTITION, _REGION, ACCOUNT))
CLUSTER_ARN_RE = re.compile(r"^arn:(%s):eks:%s:(%s):cluster/.+$" % (PARTITION, _REGION, ACCOUNT))

# The kinds the ``valid`` test and the role plans ask for.
KINDS = {
    "cluster_name": CLUSTER_NAME_RE,
    "nodegroup_name": NODEGROUP_NAME_RE,
    "region": REGION_RE,
    "account": ACCOUNT_RE,
    "iam_name": IAM_NAME_RE,
    "iam_path": IAM_PATH_RE,
    "dns_label": DNS_LABEL_RE,
    "dns_subdomain": DNS_SUBDOMAIN_RE,
    "role_arn": ROLE_ARN_RE,
    "user_arn": USER_ARN_RE,
    "policy_arn": POLICY_ARN_RE,
    "oidc_provider_arn": OIDC_PROVIDER_ARN_RE,
    "kms_key_arn": KMS_KEY_ARN_RE,
    "cluster_arn": CLUSTER_ARN_RE,
}


def is_valid(value, kind):
    """Whether ``value`` is a ``kind`` of KINDS (a string that matches its pattern)."""
    try:
        pattern = KINDS[kind]
    except KeyError:
        raise ValueError("unknown kind %r; one of %s" % (kind, ", ".join(sorted(KINDS))))
    return isinstance(value, str) and pattern.match(value) is not None


def is_principal_arn(value):
    """An IAM role or user ARN (what aws-auth and access entries map)."""
    return is_valid(value, "role_arn") or is_valid(value, "user_arn")


def principal_parts(arn):
    """(account, 'role' or 'user', name) of an IAM role or user ARN, its path dropped; None for
    anything else."""
    for kind, pattern in (("role", ROLE_ARN_RE), ("user", USER_ARN_RE)):
        m = pattern.match(arn) if isinstance(arn, str) else None
        if m:
            return m.group(2), kind, m.group(4)
    return None


def partition_of(arn, default="aws"):
    """The partition of an ARN (``arn:aws-cn:...`` -> ``aws-cn``), ``default`` if it is not one."""
    if isinstance(arn, str) and arn.startswith("arn:"):
        part = arn.split(":")[1]
        if part in PARTITIONS:
            return part
    return default


def account_of(arn, default=None):
    parts = arn.split(":") if isinstance(arn, str) else []
    return parts[4] if len(parts) > 5 and ACCOUNT_RE.match(parts[4]) else default
