# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""EKS Pod Identity associations (``eks_pod_identity_association``): the inventory's associations
validated, and the plan of the calls that converge a cluster's associations to them. Pure."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hardened.eks.plugins.module_utils import _names
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import MANAGED_TAG
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import EksError
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import carries_tags
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import managed_by
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import tags_to_add

MANAGED_VALUE = "eks_pod_identity_association"


class AssociationError(EksError):
    """Bad input, before any AWS call; ``problems`` lists every item."""


def key_of(namespace, service_account):
    return "%s/%s" % (namespace, service_account)


def validate_associations(items):
    """The module's ``associations`` -> desired ones keyed ``namespace/service_account`` (in
    item order), or AssociationError with every problem."""
    problems, out = [], {}
    for i, item in enumerate(items or []):
        ns, sa = item.get("namespace"), item.get("service_account")
        at = "associations[%d] (%s)" % (i, key_of(ns, sa))
        if not _names.is_valid(ns, "dns_label"):
            problems.append("%s.namespace: %r is not a namespace name" % (at, ns))
        if not _names.is_valid(sa, "dns_subdomain"):
            problems.append("%s.service_account: %r is not a service account name" % (at, sa))
        state = item.get("state") or "present"
        role, target = item.get("role_arn"), item.get("target_role_arn")
        if state == "present":
            if not _names.is_valid(role, "role_arn"):
                problems.append("%s.role_arn: %r is not an IAM role ARN (the role the pods get, trusting "
                                "pods.eks.amazonaws.com)" % (at, role))
            if target is not None and not _names.is_valid(target, "role_arn"):
                problems.append("%s.target_role_arn: %r is not an IAM role ARN" % (at, target))
            if target is not None and target == role:
                problems.append("%s.target_role_arn: the same role as role_arn; role chaining needs another role "
                                "(leave target_role_arn out)" % at)
        key = key_of(ns, sa)
        if key in out:
            problems.append("%s: listed twice (also at associations[%d]); EKS allows one association per "
                            "service account" % (at, out[key]["index"]))
            continue
        out[key] = {"index": i, "where": at, "namespace": ns, "service_account": sa, "state": state,
                    "role_arn": role, "target_role_arn": target,
                    "disable_session_tags": bool(item.get("disable_session_tags")),
                    "tags": dict(item.get("tags") or {})}
    if problems:
        raise AssociationError(problems)
    return out


def managed(assoc):
    return managed_by(assoc, MANAGED_VALUE)


def view(assoc):
    if not assoc:
        return {}
    return {"namespace": assoc["namespace"], "service_account": assoc["serviceAccount"],
            "role_arn": assoc.get("roleArn"), "target_role_arn": assoc.get("targetRoleArn"),
            "external_id": assoc.get("externalId"), "disable_session_tags": bool(assoc.get("disableSessionTags")),
            "association_id": assoc.get("associationId"), "association_arn": assoc.get("associationArn"),
            "tags": dict(assoc.get("tags") or {})}


def plan(current, desired, purge=False, purge_selector=None):
    """``current``: ``{key: DescribePodIdentityAssociation answer}`` of the listed associations the
    run needs. Returns (steps, results): steps ``{"call", "params", "key"}``, results per
    association (``before``/``after`` views, ``changed``)."""
    steps, results = [], []
    for key, d in desired.items():
        cur = current.get(key)
        before = view(cur)
        n = len(steps)
        if d["state"] == "absent":
            if cur is not None:
                steps.append(_step(key, "delete_pod_identity_association", associationId=cur["associationId"]))
            results.append(_result(key, d["state"], before, {}, len(steps) > n))
            continue
        tags = dict(d["tags"])
        tags[MANAGED_TAG] = MANAGED_VALUE
        if cur is None:
            params = {"namespace": d["namespace"], "serviceAccount": d["service_account"], "roleArn": d["role_arn"],
                      "disableSessionTags": d["disable_session_tags"], "tags": tags}
            if d["target_role_arn"]:
                params["targetRoleArn"] = d["target_role_arn"]
            steps.append(_step(key, "create_pod_identity_association", **params))
            after = {"namespace": d["namespace"], "service_account": d["service_account"], "role_arn": d["role_arn"],
                     "target_role_arn": d["target_role_arn"], "external_id": None,
                     "disable_session_tags": d["disable_session_tags"], "association_id": None,
                     "association_arn": None, "tags": tags}
        else:
            update = {}
            if cur.get("roleArn") != d["role_arn"]:
                update["roleArn"] = d["role_arn"]
            if bool(cur.get("disableSessionTags")) != d["disable_session_tags"]:
                update["disableSessionTags"] = d["disable_session_tags"]
            if (cur.get("targetRoleArn") or None) != d["target_role_arn"]:
                update["targetRoleArn"] = d["target_role_arn"] or ""  # "" removes the chaining
            if update:
                steps.append(_step(key, "update_pod_identity_association", associationId=cur["associationId"],
                                   **update))
            missing = tags_to_add(cur.get("tags"), tags)
            if missing:
                steps.append(_step(key, "tag_resource", resourceArn=cur["associationArn"], tags=missing))
            after = dict(before, role_arn=d["role_arn"], target_role_arn=d["target_role_arn"],
                         disable_session_tags=d["disable_session_tags"], tags=dict(before["tags"], **missing))
            if "targetRoleArn" in update:
                after["external_id"] = None  # EKS makes a new one
        results.append(_result(key, d["state"], before, after, len(steps) > n))
    for key in sorted(current):
        if purge and key not in desired and managed(current[key]) and carries_tags(current[key], purge_selector):
            steps.append(_step(key, "delete_pod_identity_association", associationId=current[key]["associationId"]))
            results.append(_result(key, "absent", view(current[key]), {}, True))
    return steps, results


def _step(key, call, **params):
    return {"key": key, "call": call, "params": params}


def _result(key, state, before, after, changed):
    return {"key": key, "state": state, "changed": changed, "before": before, "after": after}
