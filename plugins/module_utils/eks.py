# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of the ``eks_cluster`` and ``eks_addon`` modules.

Everything here takes plain data (module parameters, describe_* answers) and returns plain
data: validated desired state, normalized current settings, and *plans* — ordered lists of
AWS calls (operation name + parameters) that the modules execute unchanged. Check mode and
diff mode use the same plans; only the execution is skipped. No function here talks to AWS.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import ipaddress
import json
import re

from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.hardened.eks.plugins.module_utils import _names

try:
    import yaml

    HAS_YAML = True
except ImportError:  # pragma: no cover - PyYAML ships with ansible-core
    HAS_YAML = False

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


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------------
# eks_cluster: desired state
# --------------------------------------------------------------------------------------------
def version_given_as_number(raw):
    """The hint for a version that YAML read as a number (an unquoted 1.30 is 1.3), or None."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        return None
    text = repr(raw)
    guess = text + "0" if re.match(r"^1\.\d$", text) else text
    return ("version: got the number %s, not a string: YAML reads an unquoted version as a number "
            "(1.30 becomes 1.3). Quote it, for example version: \"%s\"" % (text, guess))


def validate_cluster_params(params, region=None):
    """Check the module parameters and build the desired state.

    Returns ``(desired, warnings)``. Raises EksValidationError naming every problem (option,
    item, reason) — nothing that needs the current cluster is checked here.
    """
    problems = []
    warnings = []
    name = params.get("name")
    if not name or not _NAME_RE.match(name):
        problems.append("name: %r is not a valid EKS cluster name (1-100 letters, digits, '-' or '_',"
                        " starting with a letter or digit)" % (name,))
    desired = {"name": name, "state": params.get("state") or "present",
               "oidc_provider": bool(params.get("oidc_provider"))}
    if desired["state"] == "absent":
        if problems:
            raise EksValidationError(problems)
        return desired, warnings

    version = params.get("version")
    if version is not None:
        version = str(version)
        if parse_version(version) is None:
            problems.append("version: %r is not a Kubernetes minor version such as '1.30'" % version)
    desired["version"] = version

    role_arn = params.get("role_arn")
    if role_arn is not None and not _ROLE_ARN_RE.match(role_arn):
        problems.append("role_arn: %r is not an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)" % role_arn)
    desired["role_arn"] = role_arn

    subnets = params.get("subnets")
    if subnets is not None:
        for s in subnets:
            if not _SUBNET_RE.match(s or ""):
                problems.append("subnets: %r is not a subnet id (subnet-...)" % (s,))
        if len(set(subnets)) < 2:
            problems.append("subnets: EKS needs at least two subnets in different Availability Zones,"
                            " got %d" % len(set(subnets)))
        subnets = sorted(set(subnets))
    desired["subnets"] = subnets

    sgs = params.get("security_groups")
    if sgs is not None:
        for sg in sgs:
            if not _SG_RE.match(sg or ""):
                problems.append("security_groups: %r is not a security group id (sg-...)" % (sg,))
        sgs = sorted(set(sgs))
    desired["security_groups"] = sgs

    # Endpoint access: private on, public off unless CIDRs are given.
    private = params.get("endpoint_private_access")
    private = True if private is None else bool(private)
    cidrs = params.get("public_access_cidrs")
    public = params.get("endpoint_public_access")
    if cidrs is not None:
        bad = []
        for c in cidrs:
            try:
                normalize_cidrs([c])
            except ValueError as exc:
                bad.append(c)
                problems.append("public_access_cidrs: %r is not a valid network CIDR (%s)%s" % (c, exc, _network_hint(c)))
        cidrs = normalize_cidrs([c for c in cidrs if c not in bad])
    if public is None:
        public = bool(cidrs)
    public = bool(public)
    if not public and cidrs:
        problems.append("public_access_cidrs: given (%s) but endpoint_public_access is false; remove"
                        " the CIDRs or enable the public endpoint" % ", ".join(cidrs))
    if not public and not private:
        problems.append("endpoint_private_access/endpoint_public_access: at least one endpoint must be"
                        " enabled")
    if public:
        if not cidrs:
            cidrs = ["0.0.0.0/0"]  # what EKS applies when no CIDR is given
        anywhere = [c for c in cidrs if c in ANYWHERE_CIDRS]
        if anywhere:
            if not params.get("allow_public_endpoint_anywhere"):
                problems.append("endpoint_public_access: the public endpoint would be open to %s; list the"
                                " networks that need it in public_access_cidrs, or set"
                                " allow_public_endpoint_anywhere: true" % ", ".join(anywhere))
            else:
                warnings.append("The cluster API endpoint is public and reachable from %s"
                                " (allow_public_endpoint_anywhere: true)" % ", ".join(anywhere))
        if not private:
            warnings.append("endpoint_private_access is false: nodes reach the API server over the"
                            " public endpoint")
    else:
        cidrs = []
    desired.update(endpoint_private_access=private, endpoint_public_access=public,
                   public_access_cidrs=cidrs)

    logging = params.get("logging")
    if logging is None:
        logging = list(LOG_TYPES)
    unknown = [t for t in logging if t not in LOG_TYPES]
    for t in unknown:
        problems.append("logging: %r is not a control-plane log type (%s)" % (t, ", ".join(LOG_TYPES)))
    desired["logging"] = sort_log_types([t for t in logging if t in LOG_TYPES])

    key = params.get("encryption")
    waived = bool(params.get("encryption_waived"))
    if key:
        m = _KMS_KEY_ARN_RE.match(key)
        if not m:
            problems.append("encryption: %r is not a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)"
                            % key)
        elif region and m.group(2) != region:
            problems.append("encryption: the KMS key %s is in %s; EKS needs a key in the cluster's region %s"
                            % (key, m.group(2), region))
        if waived:
            problems.append("encryption_waived: true contradicts encryption=%s; drop one of them" % key)
    else:
        key = None
        if not waived:
            problems.append("encryption: secrets encryption is required; give a KMS key ARN, or set"
                            " encryption_waived: true to create the cluster without it")
        else:
            warnings.append("encryption_waived: Kubernetes secrets are not envelope-encrypted with a"
                            " KMS key on this cluster")
    desired["encryption"] = key
    desired["encryption_waived"] = waived

    mode = params.get("authentication_mode")
    if mode is not None and mode not in AUTH_MODES:
        problems.append("authentication_mode: %r is not one of %s" % (mode, ", ".join(AUTH_MODES)))
    desired["authentication_mode"] = mode

    tags = params.get("tags")
    if tags is not None:
        for k, v in tags.items():
            if str(k).startswith("aws:"):
                problems.append("tags: %r uses the reserved 'aws:' prefix" % k)
            if v is None:
                problems.append("tags: %r has no value" % k)
        tags = dict((str(k), str(v)) for k, v in tags.items() if v is not None)
    desired["tags"] = tags
    desired["purge_tags"] = params.get("purge_tags", True) is not False

    thumbprints = params.get("oidc_thumbprints")
    if thumbprints is None:
        thumbprints = list(DEFAULT_OIDC_THUMBPRINTS)
    for t in thumbprints:
        if not _THUMBPRINT_RE.match(t or ""):
            problems.append("oidc_thumbprints: %r is not a 40-hex-digit SHA-1 thumbprint" % (t,))
    desired["oidc_thumbprints"] = sorted(set(t.lower() for t in thumbprints if t))

    if problems:
        raise EksValidationError(problems)
    return desired, warnings


# --------------------------------------------------------------------------------------------
# eks_cluster: current state
# --------------------------------------------------------------------------------------------
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
    if desired.get("authentication_mode"):
        params["accessConfig"] = {"authenticationMode": desired["authentication_mode"]}
    if desired.get("tags"):
        params["tags"] = dict(desired["tags"])
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
        "authentication_mode": desired.get("authentication_mode") or "CONFIG_MAP",
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
    mode_path = []
    if want_mode and have_mode and want_mode != have_mode:
        if have_mode in AUTH_MODES and AUTH_MODES.index(want_mode) < AUTH_MODES.index(have_mode):
            refusals.append("authentication_mode: cluster %s uses %s; EKS only moves CONFIG_MAP ->"
                            " API_AND_CONFIG_MAP -> API and cannot go back to %s" % (name, have_mode, want_mode))
        elif have_mode in AUTH_MODES:
            mode_path = list(AUTH_MODES[AUTH_MODES.index(have_mode) + 1:AUTH_MODES.index(want_mode) + 1])
        else:
            mode_path = [want_mode]
    elif want_mode and not have_mode:
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


# --------------------------------------------------------------------------------------------
# eks_addon
# --------------------------------------------------------------------------------------------
ADDON_RESOLVE_CONFLICTS = ("OVERWRITE", "PRESERVE", "NONE")
ADDON_DIFF_KEYS = ("addon_version", "configuration_values", "service_account_role_arn")


def parse_configuration_values(text):
    """An add-on's configurationValues string (JSON or YAML) as a dict; {} when empty."""
    if text is None or not str(text).strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        if not HAS_YAML:
            raise ValueError("configuration values are not JSON and PyYAML is missing")
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValueError("configuration values are neither JSON nor YAML: %s" % exc)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError("configuration values must be a mapping, got %s" % type(value).__name__)
    return value


def canonical_json(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def validate_addon_params(params):
    problems = []
    desired = {
        "cluster_name": params.get("cluster_name"),
        "name": params.get("name"),
        "state": params.get("state") or "present",
        "addon_version": params.get("addon_version"),
        "service_account_role_arn": params.get("service_account_role_arn"),
        "resolve_conflicts": params.get("resolve_conflicts") or "PRESERVE",
        "preserve": params.get("preserve", True) is not False,
    }
    if not desired["cluster_name"] or not _NAME_RE.match(desired["cluster_name"]):
        problems.append("cluster_name: %r is not a valid EKS cluster name" % (desired["cluster_name"],))
    if not desired["name"] or not re.match(r"^[0-9A-Za-z][A-Za-z0-9_./-]*$", desired["name"]):
        problems.append("name: %r is not a valid add-on name (such as vpc-cni)" % (desired["name"],))
    role = desired["service_account_role_arn"]
    if role is not None and not _ROLE_ARN_RE.match(role):
        problems.append("service_account_role_arn: %r is not an IAM role ARN" % role)
    if desired["resolve_conflicts"] not in ADDON_RESOLVE_CONFLICTS:
        problems.append("resolve_conflicts: %r is not one of %s"
                        % (desired["resolve_conflicts"], ", ".join(ADDON_RESOLVE_CONFLICTS)))
    cfg = params.get("configuration_values")
    if cfg is not None:
        if isinstance(cfg, str):
            try:
                cfg = parse_configuration_values(cfg)
            except ValueError as exc:
                problems.append("configuration_values: %s" % exc)
                cfg = None
        elif not isinstance(cfg, dict):
            problems.append("configuration_values: must be a dict, got %s" % type(cfg).__name__)
            cfg = None
    desired["configuration_values"] = cfg
    if problems:
        raise EksValidationError(problems)
    return desired


def addon_settings(addon):
    """Flatten a describe_addon ``addon``. Unparseable configuration is returned as the raw string."""
    if not addon:
        return None
    raw = addon.get("configurationValues")
    try:
        cfg = parse_configuration_values(raw)
    except ValueError:
        cfg = raw
    return {
        "cluster_name": addon.get("clusterName"),
        "name": addon.get("addonName"),
        "arn": addon.get("addonArn"),
        "status": addon.get("status"),
        "addon_version": addon.get("addonVersion"),
        "configuration_values": cfg,
        "service_account_role_arn": addon.get("serviceAccountRoleArn"),
        "health_issues": list((addon.get("health") or {}).get("issues") or []),
        "tags": dict(addon.get("tags") or {}),
    }


def addon_diff_view(settings):
    if not settings:
        return {}
    return dict((k, copy.deepcopy(settings.get(k))) for k in ADDON_DIFF_KEYS)


def plan_addon(current, desired):
    """``(step or None, predicted settings)`` to bring the add-on to ``desired`` (state present)."""
    if current is None:
        params = {"clusterName": desired["cluster_name"], "addonName": desired["name"],
                  "resolveConflicts": desired["resolve_conflicts"]}
        if desired.get("addon_version"):
            params["addonVersion"] = desired["addon_version"]
        if desired.get("service_account_role_arn"):
            params["serviceAccountRoleArn"] = desired["service_account_role_arn"]
        if desired.get("configuration_values"):
            params["configurationValues"] = canonical_json(desired["configuration_values"])
        predicted = {
            "cluster_name": desired["cluster_name"], "name": desired["name"], "arn": None, "status": "CREATING",
            "addon_version": desired.get("addon_version"),
            "configuration_values": copy.deepcopy(desired.get("configuration_values") or {}),
            "service_account_role_arn": desired.get("service_account_role_arn"),
            "health_issues": [], "tags": {},
        }
        return _step("create", "create_addon", params), predicted

    params = {}
    after = copy.deepcopy(current)
    if desired.get("addon_version") and desired["addon_version"] != current.get("addon_version"):
        params["addonVersion"] = desired["addon_version"]
        after["addon_version"] = desired["addon_version"]
    want_cfg = desired.get("configuration_values")
    if want_cfg is not None and want_cfg != current.get("configuration_values"):
        params["configurationValues"] = canonical_json(want_cfg)
        after["configuration_values"] = copy.deepcopy(want_cfg)
    role = desired.get("service_account_role_arn")
    if role and role != current.get("service_account_role_arn"):
        params["serviceAccountRoleArn"] = role
        after["service_account_role_arn"] = role
    if not params:
        return None, after
    params.update(clusterName=desired["cluster_name"], addonName=desired["name"],
                  resolveConflicts=desired["resolve_conflicts"])
    return _step("update", "update_addon", params), after


def addon_ready(addon, what):
    """done() for describe_addon answers while creating/updating."""
    status = (addon or {}).get("status")
    if status in ("ACTIVE", "DEGRADED"):
        return True
    if status in ("CREATE_FAILED", "UPDATE_FAILED", "DELETE_FAILED"):
        issues = ["%s: %s" % (i.get("code"), i.get("message")) for i in (addon.get("health") or {}).get("issues") or []]
        raise EksError("%s is %s%s" % (what, status, (": " + "; ".join(issues)) if issues else ""))
    return False
