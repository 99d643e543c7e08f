# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the EKS modules share: log types, authentication modes, errors, versions, CIDRs, tags and
the polling of a wait.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.hardened.eks.plugins.module_utils import _names


LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
# EKS only moves authentication modes forward: CONFIG_MAP -> API_AND_CONFIG_MAP -> API.
AUTH_MODES = ("CONFIG_MAP", "API_AND_CONFIG_MAP", "API")
ANYWHERE_CIDRS = ("0.0.0.0/0", "::/0")
# Thumbprint of the root CA that signs the oidc.eks.<region>.amazonaws.com certificates (the
# value eksctl and the AWS docs use). IAM now trusts its own CA library for these issuers, but a
# thumbprint keeps older IAM behaviour and other partitions working.
DEFAULT_OIDC_THUMBPRINTS = ("9e99a48a9960b14926bb7f3b02e22da2b0ab7280",)
OIDC_CLIENT_ID = "sts.amazonaws.com"

CLUSTER_DIFF_KEYS = (
    "version",
    "endpoint_private_access",
    "endpoint_public_access",
    "public_access_cidrs",
    "logging",
    "encryption",
    "authentication_mode",
    "bootstrap_cluster_creator_admin_permissions",
    "deletion_protection",
    "upgrade_policy",
    "tags",
    "oidc_provider_arn",
)

_NAME_RE = _names.CLUSTER_NAME_RE
_VERSION_RE = re.compile(r"^(\d+)\.(\d+)$")
_ROLE_ARN_RE = _names.ROLE_ARN_RE
_KMS_KEY_ARN_RE = _names.KMS_KEY_ARN_RE
_SUBNET_RE = re.compile(r"^subnet-[0-9a-f]+$")
_SG_RE = re.compile(r"^sg-[0-9a-f]+$")
_THUMBPRINT_RE = re.compile(r"^[0-9a-fA-F]{40}$")
_CLUSTER_ARN_RE = _names.CLUSTER_ARN_RE


class EksError(Exception):
    """Base of the errors raised by the pure logic. ``problems`` holds every item reported."""

    def __init__(self, problems, prefix=None):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        self.prefix = prefix
        text = "; ".join(self.problems)
        super(EksError, self).__init__("%s: %s" % (prefix, text) if prefix else text)


class EksValidationError(EksError):
    """Bad input: found before any AWS call."""

    def __init__(self, problems):
        super(EksValidationError, self).__init__(problems, "Invalid parameters")


class EksRefusal(EksError):
    """A change EKS cannot make in place (or that this module refuses to make)."""

    def __init__(self, problems):
        super(EksRefusal, self).__init__(problems, "Refusing to change the cluster")


def parse_version(version):
    """'1.29' -> (1, 29); None for anything else."""
    m = _VERSION_RE.match(str(version or ""))
    if not m:
        return None
    return int(m.group(1)), int(m.group(2))


def sort_log_types(types):
    return [t for t in LOG_TYPES if t in set(types)] + sorted(set(types) - set(LOG_TYPES))


def _network_hint(cidr):
    """' (did you mean ...?)' for a CIDR with host bits set, else ''."""
    try:
        return " (did you mean %r?)" % str(ipaddress.ip_network(str(cidr).strip(), strict=False))
    except ValueError:
        return ""


def normalize_cidrs(cidrs):
    """Canonical, sorted, de-duplicated CIDR strings. Raises ValueError on the first bad one."""
    out = set()
    for cidr in cidrs:
        out.add(str(ipaddress.ip_network(str(cidr).strip(), strict=True)))
    return sorted(out)


def diff_tags(current, desired, purge):
    """amazon.aws ``compare_aws_tags`` (``aws:`` keys never purged), with the values as the
    strings EKS stores and the removed keys sorted (a stable plan and diff)."""
    to_set, to_unset = compare_aws_tags(current or {}, desired, purge_tags=purge)
    return dict((k, str(v)) for k, v in to_set.items()), sorted(to_unset)


def forward_modes(current, wanted):
    """The authentication modes UpdateClusterConfig must set, in order, to move ``current`` to
    ``wanted`` ([] when there is nothing to do); None when ``wanted`` is behind ``current`` (EKS
    only moves CONFIG_MAP -> API_AND_CONFIG_MAP -> API). An unknown ``current`` goes straight to
    ``wanted``."""
    if not wanted or not current or wanted == current:
        return []
    if current not in AUTH_MODES:
        return [wanted]
    if AUTH_MODES.index(wanted) < AUTH_MODES.index(current):
        return None
    return list(AUTH_MODES[AUTH_MODES.index(current) + 1:AUTH_MODES.index(wanted) + 1])


def carries_tags(resource, selector):
    """Whether ``resource`` (an EKS answer with ``tags``) carries every tag of ``selector``:
    the scope of a module's purge."""
    tags = resource.get("tags") or {}
    return all(tags.get(k) == str(v) for k, v in (selector or {}).items())


# The tag a module of this collection puts on the EKS resources it creates (access entries, Pod
# Identity associations), with the module's name as value: what its purge may delete.
MANAGED_TAG = "hardened.eks/managed-by"


def managed_by(resource, module_name):
    """Whether ``resource`` (an EKS answer with ``tags``) carries ``module_name``'s managed tag."""
    return (resource.get("tags") or {}).get(MANAGED_TAG) == module_name


def tags_to_add(current, desired):
    """The tags of ``desired`` that ``current`` lacks or holds with another value (tags are added
    or updated, never removed): ``diff_tags`` without purge."""
    return diff_tags(current, desired, purge=False)[0]


def kms_key_region(key_arn):
    m = _KMS_KEY_ARN_RE.match(key_arn or "")
    return m.group(2) if m else None


# --------------------------------------------------------------------------------------------
# polling (control logic only: fetch/sleep/clock are injected)
# --------------------------------------------------------------------------------------------
class EksTimeout(EksError):
    def __init__(self, message, last=None):
        super(EksTimeout, self).__init__(message)
        self.last = last


def poll_until(fetch, done, timeout, sleep, clock, what, first_delay=2, max_delay=30):
    """Call ``fetch()`` until ``done(value)`` is true and return that value.

    ``done`` may raise (an EksError) to stop on a terminal failure. The first check is
    immediate; delays then grow from ``first_delay`` to ``max_delay``. Raises EksTimeout after
    ``timeout`` seconds with the last value seen.
    """
    deadline = clock() + max(0, timeout)
    delay = first_delay
    while True:
        value = fetch()
        if done(value):
            return value
        now = clock()
        if now >= deadline:
            raise EksTimeout("timed out after %ds waiting for %s" % (timeout, what), last=value)
        sleep(min(delay, max(0.0, deadline - now)))
        delay = min(max_delay, delay * 2)
