# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""eks_cluster's plan: the cluster's settings as the module reports them, the calls that create
it or converge it one EKS update at a time, and its IAM OIDC provider.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import re

from ansible_collections.hardened.eks.plugins.module_utils._eks.common import CLUSTER_DIFF_KEYS
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import EksError
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import EksRefusal
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import EksValidationError
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import LOG_TYPES
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import OIDC_CLIENT_ID
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import _CLUSTER_ARN_RE
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import diff_tags
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import forward_modes
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import normalize_cidrs
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import parse_version
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import sort_log_types


def cluster_settings(cluster):
    """Flatten a describe_cluster ``cluster`` into the module's return values.

    ``public_access_cidrs`` is empty when the public endpoint is off (EKS keeps reporting its
    default 0.0.0.0/0 then, which means nothing), and ["0.0.0.0/0"] when the public endpoint is
    on without CIDRs. ``authentication_mode`` is None when EKS does not report it.
    """
    if not cluster:
        return None
    vpc = cluster.get("resourcesVpcConfig") or {}
    public = bool(vpc.get("endpointPublicAccess"))
    cidrs = normalize_cidrs(vpc.get("publicAccessCidrs") or ["0.0.0.0/0"]) if public else []
    enabled = []
    for entry in (cluster.get("logging") or {}).get("clusterLogging") or []:
        if entry.get("enabled"):
            enabled.extend(entry.get("types") or [])
    key = None
    for enc in cluster.get("encryptionConfig") or []:
        if "secrets" in (enc.get("resources") or []):
            key = (enc.get("provider") or {}).get("keyArn")
    return {
        "name": cluster.get("name"),
        "arn": cluster.get("arn"),
        "status": cluster.get("status"),
        "version": cluster.get("version"),
        "platform_version": cluster.get("platformVersion"),
        "endpoint": cluster.get("endpoint"),
        "certificate_authority_data": (cluster.get("certificateAuthority") or {}).get("data"),
        "oidc_issuer": ((cluster.get("identity") or {}).get("oidc") or {}).get("issuer"),
        "role_arn": cluster.get("roleArn"),
        "vpc_id": vpc.get("vpcId"),
        "subnets": sorted(vpc.get("subnetIds") or []),
        "security_groups": sorted(vpc.get("securityGroupIds") or []),
        "cluster_security_group_id": vpc.get("clusterSecurityGroupId"),
        "endpoint_private_access": bool(vpc.get("endpointPrivateAccess")),
        "endpoint_public_access": public,
        "public_access_cidrs": cidrs,
        "logging": sort_log_types(enabled),
        "encryption": key,
        "authentication_mode": (cluster.get("accessConfig") or {}).get("authenticationMode"),
        "bootstrap_cluster_creator_admin_permissions":
            (cluster.get("accessConfig") or {}).get("bootstrapClusterCreatorAdminPermissions"),
        "deletion_protection": cluster.get("deletionProtection"),
        "upgrade_policy": (cluster.get("upgradePolicy") or {}).get("supportType"),
        "tags": dict(cluster.get("tags") or {}),
    }


def diff_view(settings):
    """The part of the settings shown in diff mode (``{}`` for a cluster that does not exist)."""
    if not settings:
        return {}
    return dict((k, copy.deepcopy(settings.get(k))) for k in CLUSTER_DIFF_KEYS)


# --------------------------------------------------------------------------------------------
# eks_cluster: plans
# --------------------------------------------------------------------------------------------
def _step(kind, call, params, wait=True):
    return {"kind": kind, "call": call, "params": params, "wait": wait}


def logging_request(types):
    enabled = sort_log_types(types)
    disabled = [t for t in LOG_TYPES if t not in enabled]
    entries = []
    if enabled:
        entries.append({"types": enabled, "enabled": True})
    if disabled:
        entries.append({"types": disabled, "enabled": False})
    return {"clusterLogging": entries}


def endpoint_request(private, public, cidrs):
    req = {"endpointPrivateAccess": bool(private), "endpointPublicAccess": bool(public)}
    if public:
        req["publicAccessCidrs"] = list(cidrs)
    return req


def encryption_request(key_arn):
    return [{"resources": ["secrets"], "provider": {"keyArn": key_arn}}]


def create_mode(desired):
    """The authentication mode a new cluster gets: the one asked for, else API_AND_CONFIG_MAP (aws-auth
    and access entries both; EKS's API default CONFIG_MAP cannot go without the creator's admin)."""
    return desired.get("authentication_mode") or "API_AND_CONFIG_MAP"


def plan_create(desired):
    """The create_cluster call for ``desired`` and the settings it predicts.

    Raises EksValidationError when an option needed only to create the cluster is missing.
    """
    problems = []
    if not desired.get("role_arn"):
        problems.append("role_arn: required to create cluster %s" % desired["name"])
    if not desired.get("subnets"):
        problems.append("subnets: required to create cluster %s (at least two, in different"
                        " Availability Zones)" % desired["name"])
    if not desired["bootstrap_cluster_creator_admin_permissions"] and create_mode(desired) == "CONFIG_MAP":
        problems.append("bootstrap_cluster_creator_admin_permissions: false needs authentication_mode API_AND_CONFIG_MAP"
                        " or API to create cluster %s (with aws-auth alone EKS makes the creator admin); give a mode"
                        " with the API and the admins as access entries, or set it to true" % desired["name"])
    if problems:
        raise EksValidationError(problems)
    vpc = {"subnetIds": list(desired["subnets"])}
    if desired.get("security_groups"):
        vpc["securityGroupIds"] = list(desired["security_groups"])
    vpc.update(endpoint_request(desired["endpoint_private_access"], desired["endpoint_public_access"],
                                desired["public_access_cidrs"]))
    params = {
        "name": desired["name"],
        "roleArn": desired["role_arn"],
        "resourcesVpcConfig": vpc,
        "logging": logging_request(desired["logging"]),
    }
    if desired.get("version"):
        params["version"] = desired["version"]
    if desired.get("encryption"):
        params["encryptionConfig"] = encryption_request(desired["encryption"])
    params["accessConfig"] = {"bootstrapClusterCreatorAdminPermissions":
                              desired["bootstrap_cluster_creator_admin_permissions"],
                              "authenticationMode": create_mode(desired)}
    if desired.get("tags"):
        params["tags"] = dict(desired["tags"])
    params["deletionProtection"] = desired["deletion_protection"]
    if desired.get("upgrade_policy"):
        params["upgradePolicy"] = {"supportType": desired["upgrade_policy"]}
    predicted = {
        "name": desired["name"], "arn": None, "status": "CREATING", "version": desired.get("version"),
        "platform_version": None, "endpoint": None, "certificate_authority_data": None,
        "oidc_issuer": None, "role_arn": desired["role_arn"], "vpc_id": None,
        "subnets": list(desired["subnets"]), "security_groups": list(desired.get("security_groups") or []),
        "cluster_security_group_id": None,
        "endpoint_private_access": desired["endpoint_private_access"],
        "endpoint_public_access": desired["endpoint_public_access"],
        "public_access_cidrs": list(desired["public_access_cidrs"]),
        "logging": list(desired["logging"]),
        "encryption": desired.get("encryption"),
        "authentication_mode": create_mode(desired),
        "bootstrap_cluster_creator_admin_permissions": desired["bootstrap_cluster_creator_admin_permissions"],
        "deletion_protection": desired["deletion_protection"],
        "upgrade_policy": desired.get("upgrade_policy") or "EXTENDED",
        "tags": dict(desired.get("tags") or {}),
    }
    return _step("create", "create_cluster", params), predicted


def plan_cluster_update(current, desired):
    """Compare current settings (``cluster_settings``) with ``desired``.

    Returns ``(steps, predicted, warnings)``: the calls to make, in order, and the settings
    they lead to. Raises EksRefusal listing every change EKS cannot make in place, so a
    refused run writes nothing.
    """
    name = desired["name"]
    steps = []
    warnings = []
    refusals = []
    after = copy.deepcopy(current)

    # Settings fixed at creation: reported, never changed.
    have_boot = current.get("bootstrap_cluster_creator_admin_permissions")
    if have_boot is not None and bool(have_boot) != desired["bootstrap_cluster_creator_admin_permissions"]:
        warnings.append("bootstrap_cluster_creator_admin_permissions: cluster %s was created with %s; EKS sets it only "
                        "at creation%s" % (name, str(bool(have_boot)).lower(),
                                           " (the creator's admin access entry can be removed with "
                                           "hardened.eks.eks_access_entry)" if have_boot else ""))
    if desired.get("role_arn") and current.get("role_arn") and desired["role_arn"] != current["role_arn"]:
        warnings.append("role_arn: the cluster uses %s; EKS cannot change the cluster role, %s is ignored"
                        % (current["role_arn"], desired["role_arn"]))
    for opt, key in (("subnets", "subnets"), ("security_groups", "security_groups")):
        want = desired.get(opt)
        have = current.get(key)
        if want is not None and have and sorted(want) != sorted(have):
            warnings.append("%s: the cluster has %s; this module sets %s only when it creates the cluster"
                            % (opt, ", ".join(have), opt))

    # Version: one minor at a time, never down.
    want_v = desired.get("version")
    if want_v and current.get("version") and want_v != current["version"]:
        have = parse_version(current["version"])
        want = parse_version(want_v)
        if have is None:
            refusals.append("version: cannot compare the cluster's version %r with %r" % (current["version"], want_v))
        elif want < have:
            refusals.append("version: cluster %s runs Kubernetes %s; EKS cannot downgrade it to %s"
                            % (name, current["version"], want_v))
        elif want[0] != have[0] or want[1] - have[1] > 1:
            nxt = "%d.%d" % (have[0], have[1] + 1)
            refusals.append("version: cluster %s runs Kubernetes %s; EKS upgrades one minor version at a time,"
                            " so set version %s first (asked for %s)" % (name, current["version"], nxt, want_v))

    # Encryption: can be added, never changed or removed.
    have_key = current.get("encryption")
    want_key = desired.get("encryption")
    if have_key and want_key and have_key != want_key:
        refusals.append("encryption: secrets of cluster %s are encrypted with %s; EKS cannot change the KMS key"
                        " of an encrypted cluster (asked for %s)" % (name, have_key, want_key))
    elif have_key and not want_key:
        refusals.append("encryption: secrets of cluster %s are encrypted with %s; EKS cannot remove secrets"
                        " encryption once enabled. Set encryption: %s instead of encryption_waived"
                        % (name, have_key, have_key))

    # Authentication mode: forward only.
    have_mode = current.get("authentication_mode")
    want_mode = desired.get("authentication_mode")
    mode_path = forward_modes(have_mode, want_mode)
    if mode_path is None:
        mode_path = []
        refusals.append("authentication_mode: cluster %s uses %s; EKS only moves CONFIG_MAP ->"
                        " API_AND_CONFIG_MAP -> API and cannot go back to %s" % (name, have_mode, want_mode))
    if want_mode and not have_mode:
        warnings.append("authentication_mode: EKS did not report the cluster's authentication mode;"
                        " it is not compared")

    if refusals:
        raise EksRefusal(refusals)

    # Tags first: they do not start an EKS update.
    if desired.get("tags") is not None:
        to_set, to_unset = diff_tags(current.get("tags"), desired["tags"], desired.get("purge_tags", True))
        if to_unset:
            steps.append(_step("tags", "untag_resource", {"resourceArn": current["arn"], "tagKeys": to_unset},
                               wait=False))
        if to_set:
            steps.append(_step("tags", "tag_resource", {"resourceArn": current["arn"], "tags": to_set},
                               wait=False))
        for k in to_unset:
            after["tags"].pop(k, None)
        after["tags"].update(to_set)

    if sorted(desired["logging"]) != sorted(current.get("logging") or []):
        steps.append(_step("logging", "update_cluster_config",
                           {"name": name, "logging": logging_request(desired["logging"])}))
        after["logging"] = list(desired["logging"])

    want_ep = (desired["endpoint_private_access"], desired["endpoint_public_access"],
               sorted(desired["public_access_cidrs"]))
    have_ep = (current.get("endpoint_private_access"), current.get("endpoint_public_access"),
               sorted(current.get("public_access_cidrs") or []))
    if want_ep != have_ep:
        steps.append(_step("endpoint", "update_cluster_config",
                           {"name": name, "resourcesVpcConfig": endpoint_request(*want_ep)}))
        after.update(endpoint_private_access=want_ep[0], endpoint_public_access=want_ep[1],
                     public_access_cidrs=list(want_ep[2]))

    for mode in mode_path:
        steps.append(_step("authentication_mode", "update_cluster_config",
                           {"name": name, "accessConfig": {"authenticationMode": mode}}))
        after["authentication_mode"] = mode

    # Deletion protection and upgrade policy: compared only when EKS reports them.
    if current.get("deletion_protection") is not None and bool(current["deletion_protection"]) != \
            desired["deletion_protection"]:
        steps.append(_step("deletion_protection", "update_cluster_config",
                           {"name": name, "deletionProtection": desired["deletion_protection"]}))
        after["deletion_protection"] = desired["deletion_protection"]
    want_up = desired.get("upgrade_policy")
    if want_up and current.get("upgrade_policy") and want_up != current["upgrade_policy"]:
        steps.append(_step("upgrade_policy", "update_cluster_config",
                           {"name": name, "upgradePolicy": {"supportType": want_up}}))
        after["upgrade_policy"] = want_up

    if want_key and not have_key:
        steps.append(_step("encryption", "associate_encryption_config",
                           {"clusterName": name, "encryptionConfig": encryption_request(want_key)}))
        after["encryption"] = want_key

    if want_v and current.get("version") and want_v != current["version"]:
        steps.append(_step("version", "update_cluster_version", {"name": name, "version": want_v}))
        after["version"] = want_v

    return steps, after, warnings


# --------------------------------------------------------------------------------------------
# eks_cluster: IAM OIDC provider for IRSA
# --------------------------------------------------------------------------------------------
def oidc_provider_arn(cluster_arn, issuer):
    """The IAM OIDC provider ARN IAM gives the cluster's issuer (same partition and account)."""
    m = _CLUSTER_ARN_RE.match(cluster_arn or "")
    if not m or not issuer:
        return None
    host_path = re.sub(r"^https://", "", issuer).rstrip("/")
    return "arn:%s:iam::%s:oidc-provider/%s" % (m.group(1), m.group(2), host_path)


def plan_oidc_provider(provider_arn, issuer, current, thumbprints, client_id=OIDC_CLIENT_ID):
    """Steps that make the IAM OIDC provider for ``issuer`` exist with ``client_id`` and
    ``thumbprints``. ``current`` is get_open_id_connect_provider's answer, or None."""
    if current is None:
        params = {"Url": issuer, "ClientIDList": [client_id]}
        if thumbprints:
            params["ThumbprintList"] = list(thumbprints)
        return [_step("oidc_provider", "create_open_id_connect_provider", params, wait=False)]
    steps = []
    if client_id not in (current.get("ClientIDList") or []):
        steps.append(_step("oidc_provider", "add_client_id_to_open_id_connect_provider",
                           {"OpenIDConnectProviderArn": provider_arn, "ClientID": client_id}, wait=False))
    have = sorted(t.lower() for t in current.get("ThumbprintList") or [])
    if thumbprints and have != sorted(thumbprints):
        steps.append(_step("oidc_provider", "update_open_id_connect_provider_thumbprint",
                           {"OpenIDConnectProviderArn": provider_arn, "ThumbprintList": list(thumbprints)},
                           wait=False))
    return steps


# --------------------------------------------------------------------------------------------
# eks_cluster / eks_addon: updates
# --------------------------------------------------------------------------------------------
def update_finished(update, what):
    """done() for describe_update answers: True on Successful, EksError on Failed/Cancelled."""
    status = (update or {}).get("status")
    if status == "Successful":
        return True
    if status in ("Failed", "Cancelled"):
        errors = ["%s: %s" % (e.get("errorCode"), e.get("errorMessage")) for e in update.get("errors") or []]
        detail = (": " + "; ".join(errors)) if errors else ""
        raise EksError("%s update %s is %s%s" % (what, update.get("id"), status, detail))
    return False
