#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_addon
short_description: Manage an Amazon EKS add-on (vpc-cni, coredns, kube-proxy, ...)
version_added: 0.1.0
author:
  - hardened.eks maintainers (@hardened-eks)
description:
  - Creates, updates and deletes an EKS add-on of a cluster through the EKS add-on API.
  - Only the options given are managed. O(configuration_values) is compared semantically (as
    data, not as text), so a converged add-on reports no change whatever the key order.
options:
  cluster_name:
    description: Name of the EKS cluster.
    required: true
    type: str
  name:
    description: Name of the add-on, such as V(vpc-cni), V(coredns), V(kube-proxy).
    required: true
    type: str
    aliases: [addon_name]
  addon_version:
    description:
      - Version of the add-on, such as V(v1.18.3-eksbuild.1).
      - When omitted, EKS picks its default version at creation and the version is not changed
        afterwards.
    type: str
  configuration_values:
    description:
      - Configuration of the add-on, as validated by EKS against the add-on's schema
        (C(aws eks describe-addon-configuration)). Sent as a JSON string.
      - When omitted, the configuration is not managed. V({}) resets it to the add-on's defaults.
    type: dict
  service_account_role_arn:
    description:
      - ARN of the IAM role for the add-on's service account (IRSA). The cluster needs an IAM OIDC
        provider (see M(hardened.eks.eks_cluster) O(hardened.eks.eks_cluster#module:oidc_provider)).
      - When omitted, the role is not changed.
    type: str
  pod_identity_associations:
    description:
      - EKS Pod Identity associations of the add-on's service accounts (for example V(aws-node)
        of V(vpc-cni)), made and removed with the add-on; the add-on owns them, so they cannot be
        changed through M(hardened.eks.eks_pod_identity_association).
      - When omitted, they are not managed. V([]) removes them. A converged run reads each one
        (C(DescribePodIdentityAssociation)).
      - The role must trust C(pods.eks.amazonaws.com) (M(hardened.eks.eks_pod_iam_role)
        O(hardened.eks.eks_pod_iam_role#module:trust.pod_identity)); the cluster needs the
        C(eks-pod-identity-agent) add-on.
    type: list
    elements: dict
    version_added: 0.2.0
    suboptions:
      service_account:
        description: Name of the add-on's service account.
        type: str
        required: true
      role_arn:
        description: ARN of the IAM role its pods get.
        type: str
        required: true
  resolve_conflicts:
    description:
      - What EKS does when a field it manages was changed on the cluster (for example by a
        self-managed install of the same component).
      - V(PRESERVE) (the default here) keeps the values found on the cluster, so an update never
        silently overwrites local changes; the add-on may then report the conflict. V(OVERWRITE)
        replaces them with the add-on's values. V(NONE) leaves them and fails on conflict.
    type: str
    choices: [OVERWRITE, PRESERVE, NONE]
    default: PRESERVE
  preserve:
    description:
      - With O(state=absent), keep the add-on's Kubernetes resources on the cluster and only stop
        managing them through EKS. The default keeps them, because deleting an add-on such as
        V(vpc-cni) or V(coredns) with its resources takes the cluster's networking down.
    type: bool
    default: true
  state:
    description: Whether the add-on should exist.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description: Wait for the add-on to be C(ACTIVE) (or C(DEGRADED), with a warning), or deleted.
    type: bool
    default: true
  wait_timeout:
    description: How long to wait, in seconds.
    type: int
    default: 600
notes:
  - Supports check mode and diff mode (C(addon_version), C(configuration_values),
    C(service_account_role_arn), C(pod_identity_associations)).
extends_documentation_fragment:
  - hardened.eks.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: VPC CNI add-on with prefix delegation and its own IRSA role
  hardened.eks.eks_addon:
    cluster_name: prod
    name: vpc-cni
    addon_version: v1.18.3-eksbuild.1
    service_account_role_arn: arn:aws:iam::123456789012:role/prod-aws-node
    configuration_values:
      env:
        ENABLE_PREFIX_DELEGATION: "true"
        WARM_PREFIX_TARGET: "1"

- name: The VPC CNI's aws-node wears its role through EKS Pod Identity
  hardened.eks.eks_addon:
    cluster_name: prod
    name: vpc-cni
    pod_identity_associations:
      - service_account: aws-node
        role_arn: arn:aws:iam::123456789012:role/prod-aws-node

- name: The agent that serves Pod Identity credentials on every node
  hardened.eks.eks_addon:
    cluster_name: prod
    name: eks-pod-identity-agent

- name: Let EKS overwrite local changes to CoreDNS
  hardened.eks.eks_addon:
    cluster_name: prod
    name: coredns
    resolve_conflicts: OVERWRITE

- name: Stop managing kube-proxy through EKS, keeping it running
  hardened.eks.eks_addon:
    cluster_name: prod
    name: kube-proxy
    state: absent
"""

RETURN = r"""
cluster_name:
  description: Name of the cluster.
  returned: always
  type: str
  sample: 'prod'
name:
  description: Name of the add-on.
  returned: always
  type: str
  sample: vpc-cni
arn:
  description: ARN of the add-on (null in check mode before creation).
  returned: when the add-on exists or is created
  type: str
  sample: 'arn:aws:eks:eu-west-1:111122223333:addon/prod/vpc-cni/0ac5d9f2-1111-2222-3333-444455556666'
status:
  description: Status of the add-on.
  returned: when the add-on exists or is created
  type: str
  sample: ACTIVE
addon_version:
  description: Version of the add-on.
  returned: when the add-on exists or is created
  type: str
  sample: v1.18.3-eksbuild.1
configuration_values:
  description: Configuration of the add-on, parsed.
  returned: when the add-on exists or is created
  type: dict
  sample: {env: {ENABLE_PREFIX_DELEGATION: "true"}}
service_account_role_arn:
  description: IAM role of the add-on's service account.
  returned: when the add-on exists or is created
  type: str
  sample: 'arn:aws:iam::111122223333:role/prod-aws-node'
health_issues:
  description: Health issues EKS reports for the add-on.
  returned: when the add-on exists or is created
  type: list
  sample: []
  elements: dict
tags:
  description: Tags of the add-on.
  returned: when the add-on exists or is created
  type: dict
  sample: {hardened.eks/layer: cluster}
pod_identity_associations:
  description: The add-on's Pod Identity associations (null when not managed and not read).
  returned: when the add-on exists or is created
  type: list
  elements: dict
  sample: [{service_account: aws-node, role_arn: 'arn:aws:iam::111122223333:role/prod-aws-node'}]
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.hardened.eks.plugins.module_utils._aws import eks as eks_api
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import Clock
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import aws_client
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import fail_aws
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import exit_with
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import call as _call
from ansible_collections.hardened.eks.plugins.module_utils.eks import EksError
from ansible_collections.hardened.eks.plugins.module_utils.eks import addon_diff_view
from ansible_collections.hardened.eks.plugins.module_utils.eks import addon_ready
from ansible_collections.hardened.eks.plugins.module_utils.eks import addon_settings
from ansible_collections.hardened.eks.plugins.module_utils._eks.addon import association_views
from ansible_collections.hardened.eks.plugins.module_utils.eks import plan_addon
from ansible_collections.hardened.eks.plugins.module_utils.eks import poll_until
from ansible_collections.hardened.eks.plugins.module_utils.eks import update_finished
from ansible_collections.hardened.eks.plugins.module_utils.eks import validate_addon_params


def cluster_exists(client, cluster_name):
    return eks_api.describe_cluster(client, cluster_name) is not None


def wait_addon(client, cluster_name, name, timeout, clock, gone=False):
    what = "add-on %s of cluster %s" % (name, cluster_name)
    if gone:
        return poll_until(lambda: eks_api.describe_addon(client, cluster_name, name), lambda a: a is None, timeout,
                          clock.sleep, clock.now, what + " to be deleted")

    def done(addon):
        if addon is None:
            raise EksError("%s disappeared while waiting for it" % what)
        return addon_ready(addon, what)

    return poll_until(lambda: eks_api.describe_addon(client, cluster_name, name), done, timeout, clock.sleep, clock.now,
                      what + " to be ACTIVE")


def wait_addon_update(client, cluster_name, name, update_id, timeout, clock):
    if update_id:
        poll_until(lambda: eks_api.describe_update(client, cluster_name, update_id, addon_name=name),
                   lambda u: update_finished(u, "add-on %s" % name), timeout, clock.sleep, clock.now,
                   "update %s of add-on %s" % (update_id, name))
    return wait_addon(client, cluster_name, name, timeout, clock)


def read_addon(client, cluster, name, with_associations):
    """The add-on's settings, with its Pod Identity associations when they are managed."""
    addon = eks_api.describe_addon(client, cluster, name)
    associations = None
    if addon is not None and with_associations:
        described = [eks_api.describe_pod_identity_association(client, cluster, arn.rsplit("/", 1)[-1])
                     for arn in addon.get("podIdentityAssociations") or []]
        associations = association_views(a for a in described if a is not None)
    return addon_settings(addon, associations)


def ensure_addon_present(client, desired, check_mode, wait, timeout, clock, warnings):
    """(changed, result, diff)."""
    cluster, name = desired["cluster_name"], desired["name"]
    managed = desired.get("pod_identity_associations") is not None
    current = read_addon(client, cluster, name, managed)
    if current is None and not cluster_exists(client, cluster):
        raise EksError("cluster %s does not exist (add-on %s)" % (cluster, name))
    if current is not None and current["status"] in ("DELETING",):
        raise EksError("add-on %s of cluster %s is being deleted" % (name, cluster))
    step, predicted = plan_addon(current, desired)
    before = addon_diff_view(current)
    if step is None or check_mode:
        return step is not None, predicted, {"before": before, "after": addon_diff_view(predicted)}
    if current is not None and current["status"] in ("CREATING", "UPDATING"):
        wait_addon(client, cluster, name, timeout, clock)
    answer = _call(client, step["call"], "%s %s on cluster %s" % (step["call"], name, cluster), **step["params"])
    if wait:
        if step["call"] == "update_addon":
            addon = wait_addon_update(client, cluster, name, ((answer or {}).get("update") or {}).get("id"),
                                      timeout, clock)
        else:
            addon = wait_addon(client, cluster, name, timeout, clock)
    else:
        addon = eks_api.describe_addon(client, cluster, name) or (answer or {}).get("addon")
    result = addon_settings(addon) or predicted
    if managed:
        result["pod_identity_associations"] = predicted["pod_identity_associations"]
    if result.get("status") == "DEGRADED":
        warnings.append("add-on %s of cluster %s is DEGRADED: %s" % (name, cluster, result.get("health_issues")))
    return True, result, {"before": before, "after": addon_diff_view(result)}


def ensure_addon_absent(client, desired, check_mode, wait, timeout, clock):
    cluster, name = desired["cluster_name"], desired["name"]
    current = addon_settings(eks_api.describe_addon(client, cluster, name))
    diff = {"before": addon_diff_view(current), "after": {}}
    result = {"cluster_name": cluster, "name": name}
    if current is None:
        return False, result, diff
    if check_mode:
        return True, dict(current, status="DELETING"), diff
    if current["status"] != "DELETING":
        _call(client, "delete_addon", "delete add-on %s of cluster %s" % (name, cluster), clusterName=cluster,
              addonName=name, preserve=desired["preserve"])
    if wait:
        wait_addon(client, cluster, name, timeout, clock, gone=True)
        current["status"] = "DELETED"
    else:
        current["status"] = "DELETING"
    return True, current, diff


def main():
    argument_spec = dict(
        cluster_name=dict(type="str", required=True),
        name=dict(type="str", required=True, aliases=["addon_name"]),
        addon_version=dict(type="str"),
        configuration_values=dict(type="dict"),
        service_account_role_arn=dict(type="str"),
        pod_identity_associations=dict(type="list", elements="dict", options=dict(
            service_account=dict(type="str", required=True), role_arn=dict(type="str", required=True))),
        resolve_conflicts=dict(type="str", default="PRESERVE", choices=["OVERWRITE", "PRESERVE", "NONE"]),
        preserve=dict(type="bool", default=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        desired = validate_addon_params(module.params)
    except EksError as e:
        module.fail_json(msg=str(e), problems=e.problems)

    client = aws_client(module, "eks")
    clock = Clock()
    warnings = []
    p = module.params
    try:
        if desired["state"] == "absent":
            changed, result, diff = ensure_addon_absent(client, desired, module.check_mode, p["wait"],
                                                        p["wait_timeout"], clock)
        else:
            changed, result, diff = ensure_addon_present(client, desired, module.check_mode, p["wait"],
                                                         p["wait_timeout"], clock, warnings)
    except EksError as e:
        module.fail_json(msg=str(e), problems=e.problems)
    except AnsibleAWSError as e:
        fail_aws(module, e)

    exit_with(module, changed, result, diff, warnings)


if __name__ == "__main__":
    main()
