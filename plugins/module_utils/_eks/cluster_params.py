# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""eks_cluster's parameters: every problem before any request, and the desired state.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hardened.eks.plugins.module_utils._eks.common import ANYWHERE_CIDRS
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import AUTH_MODES
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import DEFAULT_OIDC_THUMBPRINTS
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import EksValidationError
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import LOG_TYPES
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import _KMS_KEY_ARN_RE
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import _NAME_RE
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import _ROLE_ARN_RE
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import _SG_RE
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import _SUBNET_RE
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import _THUMBPRINT_RE
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import _network_hint
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import normalize_cidrs
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import parse_version
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import sort_log_types


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
    protection = params.get("deletion_protection")
    desired = {"name": name, "state": params.get("state") or "present",
               "oidc_provider": bool(params.get("oidc_provider")),
               "deletion_protection": True if protection is None else bool(protection)}
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
    desired["upgrade_policy"] = params.get("upgrade_policy")
    desired["bootstrap_cluster_creator_admin_permissions"] = bool(params.get("bootstrap_cluster_creator_admin_permissions"))

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
