# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""eks_pod_iam_role's plan: the role as read, the calls that create or converge it, its deletion
and what the module returns.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import annotations_for
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import dumps
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import parse_policy_document
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import policies_differ


# ------------------------------------------------------------------------------------- the plan
def role_view(role, attached=None, inline=None, tags=None, instance_profiles=None):
    """The role as this module manages it, from GetRole (``role``), the attached policy ARNs,
    the inline policies (name -> document, or None when not read) and tags (None: not read)."""
    if role is None:
        return None
    trust = role.get("AssumeRolePolicyDocument")
    if trust is not None and not isinstance(trust, dict):
        trust = parse_policy_document(trust)
    if tags is None and "Tags" in role:
        tags = {t["Key"]: t["Value"] for t in role.get("Tags") or []}
    return {
        "role_name": role["RoleName"],
        "arn": role.get("Arn"),
        "role_id": role.get("RoleId"),
        "path": role.get("Path", "/"),
        "trust_policy": trust,
        "description": role.get("Description"),
        "max_session_duration": role.get("MaxSessionDuration"),
        "permissions_boundary": (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
        "managed_policy_arns": sorted(attached) if attached is not None else None,
        "inline_policies": dict(inline) if inline is not None else None,
        "tags": tags,
        "instance_profiles": instance_profiles,
    }


def _step(call, **params):
    return {"call": call, "params": params}


def plan_role(current, desired, trust_doc):
    """(steps, predicted): the IAM calls that make ``current`` (``role_view``, or None when the role
    does not exist) what ``desired`` (``validate_params``) asks with trust ``trust_doc``, and the
    role as it will be. No step means converged."""
    name = desired["name"]
    if current is None:
        return _plan_create(desired, trust_doc)
    steps = []
    predicted = copy.deepcopy(current)
    predicted.pop("instance_profiles", None)
    predicted["trust_policy"] = current["trust_policy"]
    if policies_differ(current["trust_policy"], trust_doc):
        steps.append(_step("update_assume_role_policy", RoleName=name, PolicyDocument=dumps(trust_doc)))
        predicted["trust_policy"] = trust_doc

    update = {}
    if desired.get("description") is not None and desired["description"] != (current.get("description") or ""):
        update["Description"] = desired["description"]
        predicted["description"] = desired["description"]
    if desired.get("max_session_duration") is not None and \
            desired["max_session_duration"] != current.get("max_session_duration"):
        update["MaxSessionDuration"] = desired["max_session_duration"]
        predicted["max_session_duration"] = desired["max_session_duration"]
    if update:
        steps.append(_step("update_role", RoleName=name, **update))

    boundary = desired.get("permissions_boundary")
    if boundary == "" and current.get("permissions_boundary"):
        steps.append(_step("delete_role_permissions_boundary", RoleName=name))
        predicted["permissions_boundary"] = None
    elif boundary and boundary != current.get("permissions_boundary"):
        steps.append(_step("put_role_permissions_boundary", RoleName=name, PermissionsBoundary=boundary))
        predicted["permissions_boundary"] = boundary

    # Grants first, removals after: a role being converged never has fewer permissions than
    # both its old and its new self.
    removals = []
    if desired.get("managed_policy_arns") is not None:
        have = set(current.get("managed_policy_arns") or [])
        want = set(desired["managed_policy_arns"])
        for arn in sorted(want - have):
            steps.append(_step("attach_role_policy", RoleName=name, PolicyArn=arn))
        gone = sorted(have - want) if desired.get("purge_policies", True) else []
        for arn in gone:
            removals.append(_step("detach_role_policy", RoleName=name, PolicyArn=arn))
        predicted["managed_policy_arns"] = sorted((have | want) - set(gone))

    if desired.get("inline_policies") is not None:
        have = current.get("inline_policies") or {}
        want = desired["inline_policies"]
        after = dict(have)
        for pname in sorted(want):
            if pname not in have or have[pname] is None or policies_differ(have[pname], want[pname]):
                # have[pname] None: listed but not read, which read_role never leaves for a
                # policy that is also asked for; put it rather than guess.
                steps.append(_step("put_role_policy", RoleName=name, PolicyName=pname,
                                   PolicyDocument=dumps(want[pname])))
            after[pname] = want[pname]
        if desired.get("purge_policies", True):
            for pname in sorted(set(have) - set(want)):
                removals.append(_step("delete_role_policy", RoleName=name, PolicyName=pname))
                after.pop(pname)
        predicted["inline_policies"] = after
    steps.extend(removals)

    if desired.get("tags") is not None:
        have = current.get("tags") or {}
        to_set, to_unset = compare_aws_tags(have, desired["tags"], desired.get("purge_tags", True))
        if to_set:
            steps.append(_step("tag_role", RoleName=name, Tags=ansible_dict_to_boto3_tag_list(to_set)))
        if to_unset:
            steps.append(_step("untag_role", RoleName=name, TagKeys=sorted(to_unset)))
        tags = dict(have)
        tags.update(to_set)
        for k in to_unset:
            tags.pop(k, None)
        predicted["tags"] = tags
    return steps, predicted


def _plan_create(desired, trust_doc):
    name = desired["name"]
    params = {"RoleName": name, "Path": desired["path"], "AssumeRolePolicyDocument": dumps(trust_doc)}
    if desired.get("description") is not None:
        params["Description"] = desired["description"]
    if desired.get("max_session_duration") is not None:
        params["MaxSessionDuration"] = desired["max_session_duration"]
    if desired.get("permissions_boundary"):
        params["PermissionsBoundary"] = desired["permissions_boundary"]
    if desired.get("tags"):
        params["Tags"] = ansible_dict_to_boto3_tag_list(desired["tags"])
    steps = [_step("create_role", **params)]
    inline = desired.get("inline_policies") or {}
    for pname in sorted(inline):
        steps.append(_step("put_role_policy", RoleName=name, PolicyName=pname, PolicyDocument=dumps(inline[pname])))
    managed = desired.get("managed_policy_arns") or []
    for arn in managed:
        steps.append(_step("attach_role_policy", RoleName=name, PolicyArn=arn))
    predicted = {
        "role_name": name, "arn": None, "role_id": None, "path": desired["path"], "trust_policy": trust_doc,
        "description": desired.get("description"),
        "max_session_duration": desired.get("max_session_duration") or 3600,
        "permissions_boundary": desired.get("permissions_boundary") or None,
        "managed_policy_arns": list(managed), "inline_policies": dict(inline), "tags": dict(desired.get("tags") or {}),
    }
    return steps, predicted


def plan_role_deletion(current):
    """Steps that delete a role (``role_view`` with attached, inline and instance profiles read):
    out of its instance profiles (deleting the profile named like the role, which is how
    amazon.aws.iam_role and the console make them), policies detached and deleted, then the role."""
    name = current["role_name"]
    steps = []
    for profile in current.get("instance_profiles") or []:
        steps.append(_step("remove_role_from_instance_profile", InstanceProfileName=profile, RoleName=name))
        if profile == name:
            steps.append(_step("delete_instance_profile", InstanceProfileName=profile))
    for arn in current.get("managed_policy_arns") or []:
        steps.append(_step("detach_role_policy", RoleName=name, PolicyArn=arn))
    for pname in sorted(current.get("inline_policies") or {}):
        steps.append(_step("delete_role_policy", RoleName=name, PolicyName=pname))
    steps.append(_step("delete_role", RoleName=name))
    return steps


def role_arn(partition, account, path, name):
    return "arn:%s:iam::%s:role%s%s" % (partition, account, path, name)


def diff_view(view):
    """What diff mode shows of a role (before/after): trust, policies, settings, tags."""
    if view is None:
        return {}
    out = {}
    for key in ("path", "trust_policy", "description", "max_session_duration", "permissions_boundary",
                "managed_policy_arns", "inline_policies", "tags"):
        if view.get(key) is not None:
            out[key] = view[key]
    return out


def result_view(view, trust):
    """What the module returns for a role (``trust``: the validated trust, for annotations)."""
    out = {
        "role_name": view["role_name"], "arn": view.get("arn"), "role_id": view.get("role_id"),
        "path": view.get("path"), "trust_policy": view.get("trust_policy"),
        "description": view.get("description"), "max_session_duration": view.get("max_session_duration"),
        "permissions_boundary": view.get("permissions_boundary"),
        "annotations": annotations_for(view.get("arn"), trust or {}),
    }
    if view.get("managed_policy_arns") is not None:
        out["managed_policy_arns"] = view["managed_policy_arns"]
    if view.get("inline_policies") is not None:
        out["inline_policy_names"] = sorted(view["inline_policies"])
    if view.get("tags") is not None:
        out["tags"] = view["tags"]
    return out
