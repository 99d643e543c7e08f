# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of the current EKS access model: the authentication mode, EKS's admin entry for the
cluster's creator, who holds admin-level access policies at cluster scope, and the cluster's
deletion protection. Pure: the facts come in as the EKS API returns them."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hardened.eks.plugins.module_utils import _names
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


def principal_key(arn):
    """(account, 'role'|'user', name) with the name lower-cased and the path dropped: how the
    authenticator matches an aws-auth ARN (which has no path) against an access entry's (which
    keeps it)."""
    parts = _names.principal_parts(arn)
    return (parts[0], parts[1], parts[2].lower()) if parts else None


def check_entry_principals(mode, entries, exists):
    """``entries``: the access entries' principal ARNs; ``exists``: ``{arn: True/False/None}``
    (None: not checked, another account's principal)."""
    check = "access.entry_principals"
    if mode not in ("API", "API_AND_CONFIG_MAP"):
        return result(check, PASS, "no access entries in authentication mode %s" % (mode or "unknown"))
    gone = sorted(a for a in entries if exists.get(a) is False)
    other = sorted(a for a in entries if exists.get(a) is None)
    note = " (%d of other accounts not checked)" % len(other) if other else ""
    if gone:
        return result(check, WARN, "access entries of principals that no longer exist: %s%s" % (_join(gone), note),
                      "delete the entries (eks_access_entry state absent): a role or user created again with the "
                      "same name would inherit the access")
    return result(check, PASS, "%d access entries, every principal exists%s" % (len(entries) - len(other), note))


def check_aws_auth_conflicts(mode, aws_auth_entries, access_entries):
    """``aws_auth_entries``: parsed aws-auth entries ({arn, username, groups}); ``access_entries``:
    ``{principal: DescribeAccessEntry answer}`` of the entries whose principal aws-auth maps too."""
    check = "access.aws_auth_conflicts"
    if mode != "API_AND_CONFIG_MAP":
        return result(check, PASS, "authentication mode %s: one source of mappings only" % (mode or "unknown"))
    by_key = dict((principal_key(e.get("principalArn")), e) for e in (access_entries or {}).values())
    both, differ = [], []
    for entry in aws_auth_entries or []:
        found = by_key.get(principal_key(entry.get("arn")))
        if found is None:
            continue
        both.append(entry["arn"])
        if found.get("type") not in (None, "STANDARD"):
            continue  # a node entry: EKS gives it the node groups and username itself
        groups = sorted(g for g in entry.get("groups") or [])
        if groups != sorted(found.get("kubernetesGroups") or []) or entry.get("username") != found.get("username"):
            differ.append("%s (aws-auth %s as %s; access entry %s as %s)" % (
                found["principalArn"], groups, entry.get("username"), sorted(found.get("kubernetesGroups") or []),
                found.get("username")))
    if differ:
        return result(check, WARN, "mapped in aws-auth and as access entries differently (the access entry wins, the "
                                   "aws-auth mapping is ignored): %s" % _join(differ),
                      "make them the same during the migration (iam_authenticator_access_mode both), then remove the "
                      "aws-auth entries (access_entries)")
    if both:
        return result(check, PASS, "%d principals in both, mapped the same (migration in progress)" % len(both))
    return result(check, PASS, "no principal is mapped in both aws-auth and an access entry")
