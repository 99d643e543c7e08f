# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""eks_addon's parameters, settings and plan.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import re

try:
    import yaml

    HAS_YAML = True
except ImportError:  # pragma: no cover - PyYAML ships with ansible-core
    HAS_YAML = False

from ansible_collections.hardened.eks.plugins.module_utils._eks.cluster_plan import _step
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import EksError
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import EksValidationError
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import _NAME_RE
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import _ROLE_ARN_RE


ADDON_RESOLVE_CONFLICTS = ("OVERWRITE", "PRESERVE", "NONE")
ADDON_DIFF_KEYS = ("addon_version", "configuration_values", "service_account_role_arn", "pod_identity_associations")
_SA_RE = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")


def _associations(items, problems):
    """O(pod_identity_associations) -> sorted ``[{service_account, role_arn}]`` (None: not managed)."""
    if items is None:
        return None
    out, seen = [], set()
    for i, item in enumerate(items):
        at = "pod_identity_associations[%d]" % i
        if not isinstance(item, dict):
            problems.append("%s: must be a mapping with service_account and role_arn" % at)
            continue
        sa, role = item.get("service_account"), item.get("role_arn")
        if not isinstance(sa, str) or not _SA_RE.match(sa):
            problems.append("%s.service_account: %r is not a service account name" % (at, sa))
        elif sa in seen:
            problems.append("%s.service_account: %s is listed twice (EKS allows one role per service account)"
                            % (at, sa))
        seen.add(sa)
        if not isinstance(role, str) or not _ROLE_ARN_RE.match(role):
            problems.append("%s.role_arn: %r is not an IAM role ARN" % (at, role))
        out.append({"service_account": sa, "role_arn": role})
    return sorted(out, key=lambda a: str(a["service_account"]))


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
    desired["pod_identity_associations"] = _associations(params.get("pod_identity_associations"), problems)
    if problems:
        raise EksValidationError(problems)
    return desired


def association_views(described):
    """DescribePodIdentityAssociation answers of an add-on's associations -> sorted
    ``[{service_account, role_arn}]``."""
    return sorted(({"service_account": a.get("serviceAccount"), "role_arn": a.get("roleArn")} for a in described),
                  key=lambda a: str(a["service_account"]))


def addon_settings(addon, associations=None):
    """Flatten a describe_addon ``addon`` (``associations``: its Pod Identity associations as
    association_views, when read). Unparseable configuration is returned as the raw string."""
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
        "pod_identity_associations": associations,
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
        if desired.get("pod_identity_associations"):
            params["podIdentityAssociations"] = _api_associations(desired["pod_identity_associations"])
        predicted = {
            "cluster_name": desired["cluster_name"], "name": desired["name"], "arn": None, "status": "CREATING",
            "addon_version": desired.get("addon_version"),
            "configuration_values": copy.deepcopy(desired.get("configuration_values") or {}),
            "service_account_role_arn": desired.get("service_account_role_arn"),
            "health_issues": [], "tags": {},
            "pod_identity_associations": copy.deepcopy(desired.get("pod_identity_associations")),
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
    wanted = desired.get("pod_identity_associations")
    if wanted is not None and wanted != (current.get("pod_identity_associations") or []):
        # UpdateAddon replaces the add-on's associations with the list given ([] removes them).
        params["podIdentityAssociations"] = _api_associations(wanted)
        after["pod_identity_associations"] = copy.deepcopy(wanted)
    if not params:
        return None, after
    params.update(clusterName=desired["cluster_name"], addonName=desired["name"],
                  resolveConflicts=desired["resolve_conflicts"])
    return _step("update", "update_addon", params), after


def _api_associations(items):
    return [{"serviceAccount": a["service_account"], "roleArn": a["role_arn"]} for a in items]


def addon_ready(addon, what):
    """done() for describe_addon answers while creating/updating."""
    status = (addon or {}).get("status")
    if status in ("ACTIVE", "DEGRADED"):
        return True
    if status in ("CREATE_FAILED", "UPDATE_FAILED", "DELETE_FAILED"):
        issues = ["%s: %s" % (i.get("code"), i.get("message")) for i in (addon.get("health") or {}).get("issues") or []]
        raise EksError("%s is %s%s" % (what, status, (": " + "; ".join(issues)) if issues else ""))
    return False
