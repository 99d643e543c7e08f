# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""IAM reads.

Where amazon.aws ``module_utils/iam.py`` has the read (``get_iam_role``,
``list_iam_role_attached_policies``, ``list_iam_role_policies``, ``list_iam_instance_profiles``)
it is used as it is, and its error is raised again with the role named, which amazon.aws's own
messages do not do ("Failed to get role" alone). The reads amazon.aws lacks (role tags, inline
policy documents, OIDC providers, the policies of a role that may not exist) follow its shape:
``AWSErrorHandler`` (here with ``{argument}`` messages), ``AWSRetry``, paginators and its tag
helpers."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools

from ansible_collections.amazon.aws.plugins.module_utils import iam as aws_iam
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.hardened.eks.plugins.module_utils._aws.common import IamErrorHandler
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import error_code
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import paginate
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import retry

__all__ = ("get_role", "roles_under_path", "attached_policy_arns", "inline_policy_names", "get_role_policy", "role_tags", "role_policy_lists",
           "instance_profiles_of_role", "get_oidc_provider")


def _named(description):
    """Raise an amazon.aws IAM helper's error again as ``Failed to <description>`` (with the
    call's ``{arguments}``), keeping the botocore error it carries."""
    def wrapper(func):
        @functools.wraps(func)
        def handler(client, name):
            try:
                return func(client, name)
            except aws_iam.AnsibleIAMError as e:
                raise aws_iam.AnsibleIAMError(message="Failed to %s" % description.format(name=name),
                                              exception=e.exception) from e
        return handler
    return wrapper


@_named("get role {name}")
def get_role(client, name):
    """The role (GetRole's ``Role``) or None."""
    return aws_iam.get_iam_role(client, name)


@_named("get user {name}")
def get_user(client, name):
    """The user (GetUser's ``User``) or None."""
    return aws_iam.get_iam_user(client, name, normalize=False)


@_named("list the policies attached to role {name}")
def attached_policy_arns(client, name):
    """ARNs of the managed policies attached to the role ([] when it is gone)."""
    return [p["PolicyArn"] for p in aws_iam.list_iam_role_attached_policies(client, name)]


@_named("list the inline policies of role {name}")
def inline_policy_names(client, name):
    """Names of the role's inline policies ([] when it is gone)."""
    return list(aws_iam.list_iam_role_policies(client, name))


@_named("list the instance profiles of role {name}")
def instance_profiles_of_role(client, name):
    """Names of the instance profiles the role is in ([] when it is gone)."""
    return [p["InstanceProfileName"] for p in aws_iam.list_iam_instance_profiles(client, role=name)]


@_named("list the roles under path {name}")
def roles_under_path(client, name):
    """``{name: path}`` of the roles whose path is ``name`` exactly (ListRoles by prefix, paged)."""
    return dict((r["RoleName"], r["Path"]) for r in aws_iam.list_iam_roles(client, path=name) if r["Path"] == name)


@IamErrorHandler.common_error_handler("get inline policy {policy_name} of role {role_name}")
@retry()
def get_role_policy(client, role_name, policy_name):
    return client.get_role_policy(RoleName=role_name, PolicyName=policy_name)["PolicyDocument"]


@IamErrorHandler.list_error_handler("list the tags of role {role_name}", default_value={})
@retry()
def role_tags(client, role_name):
    return boto3_tag_list_to_ansible_dict(paginate(client, "list_role_tags", "Tags", RoleName=role_name))


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
