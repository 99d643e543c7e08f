# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of the current EKS access model: the authentication mode, EKS's admin entry for the
cluster's creator, who holds admin-level access policies at cluster scope, and the cluster's
deletion protection. Pure: the facts come in as the EKS API returns them."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hardened.eks.plugins.module_utils._audit.common import FAIL
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import PASS
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import WARN
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import _join
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import result


def access_config(cluster):
    config = cluster.get("accessConfig") or {}
    return config.get("authenticationMode"), config.get("bootstrapClusterCreatorAdminPermissions")


def check_authentication_mode(cluster):
    check = "access.authentication_mode"
    mode, _boot = access_config(cluster)
    if mode in ("API", "API_AND_CONFIG_MAP"):
        note = "" if mode == "API" else " (aws-auth still read; API alone once every mapping is an access entry)"
        return result(check, PASS, "authentication mode %s%s" % (mode, note))
    if mode == "CONFIG_MAP":
        return result(check, WARN, "authentication mode CONFIG_MAP: only aws-auth, which AWS deprecates",
                      "switch to API_AND_CONFIG_MAP (eks_cluster authentication_mode; the mode only moves forward) "
                      "and grant through access entries")
    return result(check, WARN, "EKS does not report the authentication mode", "")


def check_bootstrap_admin(cluster, allowed=False):
    check = "access.bootstrap_admin"
    _mode, boot = access_config(cluster)
    if boot is None:
        return result(check, WARN, "EKS does not report whether the creator was made admin", "")
    if not boot:
        return result(check, PASS, "the cluster's creator was not made admin by EKS")
    if allowed:
        return result(check, WARN, "EKS made the cluster's creator an admin (allowed by the inventory)",
                      "list the admins as access entries and remove the creator's entry")
    return result(check, FAIL, "EKS made the cluster's creator an admin (bootstrapClusterCreatorAdminPermissions)",
                  "give the admins access entries (cluster role cluster_admin_principals), then remove the "
                  "creator's entry with eks_access_entry (allow_system_entry_removal) - or allow it in the inventory")


def check_cluster_admins(mode, admins, allowed):
    """``admins``: ``{principal: [(policy name, scope type)]}`` of the entries holding an
    admin-level policy; ``allowed``: the principals the inventory makes admin."""
    check = "access.cluster_admins"
    if mode not in ("API", "API_AND_CONFIG_MAP"):
        return result(check, PASS, "no access entries in authentication mode %s (aws-auth masters: aws_auth.masters)"
                      % (mode or "unknown"))
    wide = dict((p, [name for name, scope in pols if scope == "cluster"]) for p, pols in admins.items())
    wide = dict((p, names) for p, names in wide.items() if names)
    unexpected = sorted(p for p in wide if p not in set(allowed or []))
    if unexpected:
        return result(check, FAIL, "admin-level access policies at cluster scope not in the inventory: %s"
                      % _join("%s (%s)" % (p, ", ".join(wide[p])) for p in unexpected),
                      "remove the entries or their policies (eks_access_entry), or list the principals as admins "
                      "(cluster_admin_principals)")
    if not wide:
        return result(check, WARN, "no principal holds an admin-level access policy at cluster scope",
                      "list the admins as access entries (cluster_admin_principals), or make sure aws-auth maps one")
    return result(check, PASS, "cluster admins: %s" % _join(sorted(wide)))


def check_deletion_protection(cluster):
    check = "control_plane.deletion_protection"
    value = cluster.get("deletionProtection")
    if value is None:
        return result(check, WARN, "EKS does not report deletion protection", "")
    if value:
        return result(check, PASS, "the cluster is protected from deletion")
    return result(check, WARN, "deletion protection is off", "turn it on (eks_cluster deletion_protection)")
