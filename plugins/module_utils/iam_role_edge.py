# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWS edge of ``eks_pod_iam_role``: reading a role as ``iam_trust.role_view`` wants it
(through the AWS layer, ``_aws.iam``), and the ``ensure_*`` functions that run the plans of
``iam_trust``. Errors are raised (``AnsibleAWSError`` for AWS, ``TrustError`` for refusals);
only the module's ``main()`` turns them into a failure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.hardened.eks.plugins.module_utils._aws import eks as eks_api
from ansible_collections.hardened.eks.plugins.module_utils._aws import iam as iam_api
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import call
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import error_code as _error_code
from ansible_collections.hardened.eks.plugins.module_utils.iam_trust import TrustError
from ansible_collections.hardened.eks.plugins.module_utils.iam_trust import diff_view
from ansible_collections.hardened.eks.plugins.module_utils.iam_trust import plan_role
from ansible_collections.hardened.eks.plugins.module_utils.iam_trust import plan_role_deletion
from ansible_collections.hardened.eks.plugins.module_utils.iam_trust import provider_arn_for_cluster
from ansible_collections.hardened.eks.plugins.module_utils.iam_trust import role_arn
from ansible_collections.hardened.eks.plugins.module_utils.iam_trust import role_view


def read_role(client, name, managed=True, inline_names=None, all_inline=False, tags=True, instance_profiles=False):
    """``role_view`` of role ``name`` (None when it does not exist), reading only what is managed:
    attached policies when ``managed``, documents of the inline policies named in
    ``inline_names`` (all of them when ``all_inline``; None: inline policies not read), tags only
    when GetRole did not carry them and ``tags``, instance profiles when asked."""
    role = iam_api.get_role(client, name)
    if role is None:
        return None
    attached = iam_api.attached_policy_arns(client, name) if managed else None
    inline = None
    if inline_names is not None or all_inline:
        names = iam_api.inline_policy_names(client, name)
        wanted = set(names) if all_inline else set(names) & set(inline_names)
        inline = dict((pname, iam_api.get_role_policy(client, name, pname) if pname in wanted else None)
                      for pname in names)
    tag_dict = iam_api.role_tags(client, name) if tags and "Tags" not in role else None
    profiles = iam_api.instance_profiles_of_role(client, name) if instance_profiles else None
    return role_view(role, attached, inline, tag_dict, profiles)


def find_oidc_provider(eks, iam, cluster_name):
    """The IAM OIDC provider ARN of an EKS cluster's issuer; TrustError when the cluster or its
    provider does not exist."""
    cluster = eks_api.describe_cluster(eks, cluster_name)
    if cluster is None:
        raise TrustError("EKS cluster %s does not exist" % cluster_name, prefix="trust.irsa.cluster_name")
    arn = provider_arn_for_cluster(cluster)
    if iam_api.get_oidc_provider(iam, arn) is None:
        raise TrustError("cluster %s has no IAM OIDC provider %s: create it first (hardened.eks.eks_cluster "
                         "oidc_provider: true) or give trust.irsa.oidc_provider_arn" % (cluster_name, arn),
                         prefix="trust.irsa.cluster_name")
    return arn


def _run(client, steps):
    answers = []
    for step in steps:
        what = "%s for role %s" % (step["call"], step["params"].get("RoleName") or step["params"].get("InstanceProfileName"))
        answers.append(call(client, step["call"], what, **step["params"]))
    return answers


def ensure_role_present(client, desired, trust_doc, check_mode, want_diff=False, caller_identity=None,
                        _race_retry=True):
    """(changed, predicted, diff, warnings). ``caller_identity``: a callable giving STS
    GetCallerIdentity, used only to predict the ARN of a role that check mode does not create."""
    name = desired["name"]
    inline = desired.get("inline_policies")
    current = read_role(client, name, managed=desired.get("managed_policy_arns") is not None,
                        inline_names=list(inline) if inline is not None else None,
                        all_inline=want_diff and inline is not None,
                        tags=desired.get("tags") is not None)
    steps, predicted = plan_role(current, desired, trust_doc)
    warnings = []
    if current is not None and current.get("path") != desired["path"]:
        warnings.append("role %s exists with path %s, not %s: IAM cannot move a role, delete it to change its path"
                        % (name, current.get("path"), desired["path"]))
    if steps and not check_mode:
        try:
            answers = _run(client, steps)
        except AnsibleAWSError as e:
            if not _race_retry or steps[0]["call"] != "create_role" or _error_code(e) != "EntityAlreadyExists":
                raise
            # Created by someone else between our read and our write: converge it instead.
            return ensure_role_present(client, desired, trust_doc, check_mode, want_diff, caller_identity,
                                       _race_retry=False)
        if current is None:
            created = answers[0]["Role"]
            predicted["arn"], predicted["role_id"] = created["Arn"], created["RoleId"]
    elif current is None and caller_identity is not None:
        ident = caller_identity()
        partition = ident["Arn"].split(":")[1]
        predicted["arn"] = role_arn(partition, ident["Account"], desired["path"], name)
    diff = {"before": diff_view(current), "after": diff_view(predicted)}
    return bool(steps), predicted, diff, warnings


def ensure_role_absent(client, name, check_mode):
    """(changed, predicted, diff): the role out of its instance profiles, its policies detached
    and deleted, then the role itself. Already gone: no change."""
    current = read_role(client, name, managed=True, all_inline=True, tags=False, instance_profiles=True)
    if current is None:
        return False, {"role_name": name}, {"before": {}, "after": {}}
    steps = plan_role_deletion(current)
    if not check_mode:
        try:
            _run(client, steps)
        except AnsibleAWSError as e:
            if _error_code(e) != "NoSuchEntity":
                raise
            # Deleted by someone else meanwhile: absent is what was asked.
            if iam_api.get_role(client, name) is not None:
                raise
    return True, {"role_name": name, "arn": current.get("arn")}, {"before": diff_view(current), "after": {}}
