# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Control plane and node checks: endpoint access, logging, secrets encryption, the Kubernetes
version against the EKS calendar, IMDSv2 on the node launch templates, the node role's policies.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.hardened.eks.plugins.module_utils import eks_versions
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import FAIL
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import LOG_TYPES
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import PASS
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import WARN
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import _join
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import result


def check_private_endpoint(cluster):
    on = bool((cluster.get("resourcesVpcConfig") or {}).get("endpointPrivateAccess"))
    if on:
        return result("control_plane.private_endpoint", PASS, "endpointPrivateAccess=true")
    return result("control_plane.private_endpoint", FAIL, "endpointPrivateAccess=false: nodes reach the API "
                  "server over the internet",
                  "set cluster endpoint_private_access: true (hardened.eks.eks_cluster)")


def _nets(cidrs):
    out = []
    for c in cidrs or []:
        try:
            out.append(ipaddress.ip_network(str(c), strict=False))
        except ValueError:
            continue
    return out


def _covered(net, allowed):
    return any(net.version == a.version and net.subnet_of(a) for a in allowed)


def check_public_endpoint(cluster, allowed_cidrs):
    vpc = cluster.get("resourcesVpcConfig") or {}
    check = "control_plane.public_endpoint"
    if not vpc.get("endpointPublicAccess"):
        return result(check, PASS, "endpointPublicAccess=false")
    cidrs = list(vpc.get("publicAccessCidrs") or ["0.0.0.0/0"])
    allowed = _nets(allowed_cidrs)
    anywhere = [c for c in cidrs if c in ("0.0.0.0/0", "::/0")]
    extra = []
    for c in cidrs:
        try:
            net = ipaddress.ip_network(c, strict=False)
        except ValueError:
            extra.append(c)
            continue
        if not _covered(net, allowed):
            extra.append(c)
    if anywhere and anywhere[0] in extra:
        return result(check, FAIL, "public endpoint open to the internet (publicAccessCidrs %s)" % ", ".join(cidrs),
                      "turn the public endpoint off, or limit it to your networks: public_access_cidrs in "
                      "the inventory and hardened.eks.eks_cluster")
    if extra:
        return result(check, FAIL, "public endpoint allows %s, not in the listed CIDRs (%s)"
                      % (", ".join(extra), ", ".join(allowed_cidrs or []) or "none listed"),
                      "remove %s from publicAccessCidrs or add it to the inventory's list" % ", ".join(extra))
    return result(check, PASS, "public endpoint limited to %s (all listed)" % ", ".join(cidrs))


def check_logging(cluster):
    enabled = set()
    for entry in (cluster.get("logging") or {}).get("clusterLogging") or []:
        if entry.get("enabled"):
            enabled.update(entry.get("types") or [])
    missing = [t for t in LOG_TYPES if t not in enabled]
    if missing:
        return result("control_plane.logging", FAIL, "log types off: %s" % ", ".join(missing),
                      "enable all five control-plane log types (eks_cluster logging default)")
    return result("control_plane.logging", PASS, "enabled: %s" % ", ".join(LOG_TYPES))


def secrets_key_arn(cluster):
    for entry in cluster.get("encryptionConfig") or []:
        key = (entry.get("provider") or {}).get("keyArn")
        if "secrets" in (entry.get("resources") or []) and key:
            return key
    return None


def check_secrets_encryption(cluster, key=None, key_note=None):
    """``key``: DescribeKey's KeyMetadata of the secrets key (None: gone or not read,
    ``key_note`` says which). On 1.28+ EKS encrypts every cluster's etcd with an AWS owned key,
    so only a customer managed key, enabled, is envelope encryption the account controls."""
    check = "control_plane.secrets_encryption"
    arn = secrets_key_arn(cluster)
    if arn is None:
        return result(check, FAIL, "no encryptionConfig for secrets (only EKS's AWS owned key, which the account "
                                   "cannot control, audit or revoke)",
                      "associate a customer managed KMS key for secrets (eks_cluster encryption); EKS cannot remove "
                      "it later")
    if key is None:
        if key_note:
            return result(check, WARN, "secrets encrypted with %s; %s" % (arn, key_note),
                          "let the audit read the key (kms:DescribeKey)")
        return result(check, FAIL, "secrets encrypted with %s, which no longer exists: the secrets cannot be "
                                   "decrypted" % arn, "restore the key (cancel its deletion)")
    problems = []
    if key.get("KeyManager") != "CUSTOMER":
        problems.append("it is an AWS managed key (KeyManager %s), not one the account controls"
                        % key.get("KeyManager"))
    if key.get("KeyState") != "Enabled":
        problems.append("its state is %s" % key.get("KeyState"))
    if problems:
        return result(check, FAIL, "secrets encrypted with %s, but %s" % (arn, "; ".join(problems)),
                      "use an enabled customer managed key (the cluster role's default creates one)")
    return result(check, PASS, "secrets encrypted with the customer managed key %s (Enabled)" % arn)


def check_version(cluster, supported_versions=None, on=None):
    """The control plane's minor version against EKS's release calendar on a date (``on``,
    default today): standard support passes, extended support warns (billed at the extended
    rate), past extended support (or unknown and older than the calendar) fails. An explicit
    ``supported_versions`` list replaces the calendar (a policy of one's own)."""
    check = "control_plane.version"
    version = str(cluster.get("version") or "")
    if supported_versions:
        supported = [str(v) for v in supported_versions]
        if version in supported:
            return result(check, PASS, "version %s (supported: %s)" % (version, ", ".join(supported)))
        return result(check, FAIL, "version %s is not in the supported list (%s)"
                      % (version or "unknown", ", ".join(supported)),
                      "upgrade the control plane one minor version at a time to a supported version, "
                      "then the node groups")
    status, row = eks_versions.support(version, on)
    upgrade = ("upgrade one minor version at a time to %s (the newest in standard support), then the "
               "node groups" % _newest_or_unknown(on))
    if status == eks_versions.STANDARD:
        return result(check, PASS, "version %s is in EKS standard support until %s" % (version, row[1]))
    if status == eks_versions.EXTENDED:
        return result(check, WARN, "version %s is in EKS extended support (billed at the extended rate) until "
                      "%s; standard support ended %s" % (version, row[2], row[1]), upgrade)
    if status == eks_versions.ENDED:
        return result(check, FAIL, "version %s is past the end of EKS extended support (%s): EKS upgrades such "
                      "clusters by itself" % (version, row[2]), upgrade)
    if status == eks_versions.NOT_YET or eks_versions.newer_than_calendar(version):
        return result(check, WARN, "version %s is newer than this collection's EKS calendar (%s to %s)"
                      % (version, eks_versions.RELEASES[0][0], eks_versions.RELEASES[-1][0]),
                      "update the collection, or give supported_versions")
    return result(check, FAIL, "version %s is not in EKS's calendar of supported versions (%s to %s)"
                  % (version or "unknown", eks_versions.RELEASES[0][0], eks_versions.RELEASES[-1][0]), upgrade)


def _newest_or_unknown(on):
    try:
        return eks_versions.newest_standard(on)
    except ValueError:
        return "a version in standard support"


# ============================================================================================
# Nodes
# ============================================================================================
def check_imdsv2(nodegroups, hop_limit_reason=None):
    """``nodegroups``: list of ``{name, launch_template ({id,name,version} or None),
    metadata_options (the launch template version's MetadataOptions or None)}``."""
    check = "nodes.imdsv2"
    if not nodegroups:
        return result(check, WARN, "no managed node groups found",
                      "nothing to audit; self-managed nodes are not covered by this check")
    bad, notes = [], []
    for ng in nodegroups:
        name = ng.get("name")
        lt = ng.get("launch_template")
        if not lt:
            bad.append("%s: no launch template (EKS's default allows IMDSv1, hop limit 2)" % name)
            continue
        md = ng.get("metadata_options")
        if md is None:
            bad.append("%s: launch template %s version %s not found"
                       % (name, lt.get("name") or lt.get("id"), lt.get("version")))
            continue
        tokens = md.get("HttpTokens") or "optional"
        hops = md.get("HttpPutResponseHopLimit")
        where = "%s (%s v%s)" % (name, lt.get("name") or lt.get("id"), lt.get("version"))
        if md.get("HttpEndpoint") == "disabled":
            notes.append("%s: metadata endpoint disabled" % where)
            continue
        if tokens != "required":
            bad.append("%s: HttpTokens=%s (IMDSv1 allowed)" % (where, tokens))
        if hops is None or hops > 2 or (hops == 2 and not hop_limit_reason):
            bad.append("%s: hop limit %s%s" % (where, hops, " without a documented reason" if hops == 2 else ""))
        elif tokens == "required":
            notes.append("%s: IMDSv2 required, hop limit %s%s" % (
                where, hops, " (reason: %s)" % hop_limit_reason if hops == 2 else ""))
    if bad:
        return result(check, FAIL, _join(bad),
                      "set MetadataOptions HttpTokens=required, HttpPutResponseHopLimit=1 in the node "
                      "launch template (2 only with a documented reason) and roll the node group")
    return result(check, PASS, _join(notes))


def check_node_role_policies(node_roles, expected):
    """``node_roles``: ``{role_arn: {"attached": [policy arns], "inline": [names]}}`` (None for a
    role that does not exist); ``expected``: managed policy ARNs and inline policy names."""
    check = "nodes.role_policies"
    if not node_roles:
        return result(check, WARN, "no node role found (no node groups and none listed)",
                      "list the node roles in the inventory or create the node groups")
    expected = set(expected or [])
    extra, missing, notes = [], [], []
    for arn in sorted(node_roles):
        facts = node_roles[arn]
        if facts is None:
            missing.append("%s does not exist" % arn)
            continue
        attached = list(facts.get("attached") or [])
        inline = list(facts.get("inline") or [])
        over = [p for p in attached if p not in expected] + ["inline:%s" % p for p in inline if p not in expected]
        if over:
            extra.append("%s carries %s" % (arn.split("/")[-1], ", ".join(over)))
        else:
            notes.append("%s: %s" % (arn.split("/")[-1], ", ".join(
                [p.split("/")[-1] for p in attached] + ["inline:%s" % p for p in inline]) or "no policies"))
    if extra or missing:
        return result(check, FAIL, _join(extra + missing),
                      "detach the unexpected policies (pods can read the node role through the "
                      "instance profile), or add them to the inventory's expected node policies")
    return result(check, PASS, _join(notes))
