# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""IAM reads. They follow amazon.aws ``module_utils/iam.py`` (its ``AWSErrorHandler`` shape,
``AWSRetry``, paginators, tag helpers) but name the role in every error message, which
amazon.aws's ``get_iam_role`` and ``list_iam_role_*`` do not ("Failed to get role" alone)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.hardened.eks.plugins.module_utils._aws.common import IamErrorHandler
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import error_code
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import paginate
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import retry

__all__ = ("get_role", "attached_policy_arns", "inline_policy_names", "get_role_policy", "role_tags", "role_policy_lists",
           "instance_profiles_of_role", "get_oidc_provider")


@IamErrorHandler.list_error_handler("get role {name}")
@retry()
def get_role(client, name):
    """The role (GetRole's ``Role``) or None."""
    return client.get_role(RoleName=name)["Role"]


@IamErrorHandler.common_error_handler("list the policies attached to role {role_name}")
@retry()
def attached_policy_arns(client, role_name):
    return [p["PolicyArn"] for p in paginate(client, "list_attached_role_policies", "AttachedPolicies", RoleName=role_name)]


@IamErrorHandler.common_error_handler("list the inline policies of role {role_name}")
@retry()
def inline_policy_names(client, role_name):
    return list(paginate(client, "list_role_policies", "PolicyNames", RoleName=role_name))


@IamErrorHandler.common_error_handler("get inline policy {policy_name} of role {role_name}")
@retry()
def get_role_policy(client, role_name, policy_name):
    return client.get_role_policy(RoleName=role_name, PolicyName=policy_name)["PolicyDocument"]


@IamErrorHandler.list_error_handler("list the tags of role {role_name}", default_value={})
@retry()
def role_tags(client, role_name):
    return boto3_tag_list_to_ansible_dict(paginate(client, "list_role_tags", "Tags", RoleName=role_name))


@IamErrorHandler.list_error_handler("list the instance profiles of role {role_name}", default_value=[])
@retry()
def instance_profiles_of_role(client, role_name):
    return [p["InstanceProfileName"]
            for p in paginate(client, "list_instance_profiles_for_role", "InstanceProfiles", RoleName=role_name)]


@IamErrorHandler.list_error_handler("read IAM OIDC provider {arn}")
@retry()
def _get_oidc_provider(client, arn):
    return client.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)


def get_oidc_provider(client, arn, tolerate_denied=False):
    """The provider (GetOpenIDConnectProvider's answer) or None; with ``tolerate_denied`` a
    denied read reads as None too (a caller that only looks)."""
    try:
        return _get_oidc_provider(client, arn)
    except IamErrorHandler._CUSTOM_EXCEPTION as e:
        if tolerate_denied and error_code(e) in ("AccessDenied", "AccessDeniedException"):
            return None
        raise


@IamErrorHandler.list_error_handler("list the policies of role {role_name}")
@retry()
def role_policy_lists(client, role_name):
    """``{'attached': [policy ARNs], 'inline': [names]}`` of a role, or None when it does not exist."""
    attached = paginate(client, "list_attached_role_policies", "AttachedPolicies", RoleName=role_name)
    inline = paginate(client, "list_role_policies", "PolicyNames", RoleName=role_name)
    return {"attached": [p["PolicyArn"] for p in attached], "inline": list(inline)}
