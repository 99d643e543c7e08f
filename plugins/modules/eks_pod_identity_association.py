#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_pod_identity_association
short_description: EKS Pod Identity associations of a cluster, as a batch
version_added: 0.2.0
author:
  - hardened.eks maintainers (@hardened-eks)
description:
  - Converges a batch of EKS Pod Identity associations (a namespace's service account gets an IAM
    role through the EKS Pod Identity agent) in one module run - the AWS-native replacement for
    node-level role brokers such as kube2iam.
  - An association that exists for a listed service account is adopted and converged in place
    (EKS allows one per service account), so a re-run after a failure never meets
    "association already exists".
  - A converged run costs one C(ListPodIdentityAssociations) and one
    C(DescribePodIdentityAssociation) per listed association that exists.
  - Every problem of the input is reported before any AWS call.
  - The role must trust C(pods.eks.amazonaws.com) (C(hardened.eks.eks_pod_iam_role) with
    O(hardened.eks.eks_pod_iam_role#module:trust.pod_identity) writes that trust, with the
    session-tag conditions of the namespace and service account). Those conditions need session
    tags, so O(associations[].disable_session_tags=true) breaks such a trust; it is let through
    with a warning.
options:
  cluster_name:
    description: Name of the EKS cluster.
    type: str
    required: true
  associations:
    description: The associations.
    type: list
    elements: dict
    default: []
    suboptions:
      namespace:
        description: Namespace of the service account.
        type: str
        required: true
      service_account:
        description: Name of the service account.
        type: str
        required: true
      role_arn:
        description: ARN of the IAM role the pods get. Required with O(associations[].state=present).
        type: str
      target_role_arn:
        description:
          - Role chaining - EKS assumes this role (in this or another account) with the credentials
            of O(associations[].role_arn) and gives the pods the result; EKS generates an external
            ID for the target role's trust (returned as C(external_id)).
        type: str
      disable_session_tags:
        description: Do not add the session tags (cluster, namespace, service account, pod) to the role session.
        type: bool
        default: false
      tags:
        description:
          - Tags of the association, added or updated, never removed. The module adds
            C(hardened.eks/managed-by=eks_pod_identity_association), which O(purge) relies on.
        type: dict
      state:
        description: V(absent) deletes the association of the service account.
        type: str
        choices: [present, absent]
        default: present
  purge:
    description:
      - Delete the associations this module created (its tag) that O(associations) no longer
        lists. Associations made otherwise (by an add-on, by hand) are never purged.
    type: bool
    default: false
  purge_selector:
    description:
      - Tags an association must carry, besides C(hardened.eks/managed-by), for O(purge) to
        delete it, so that several callers on one cluster purge only their own (the C(kube2iam)
        role tags its associations C(hardened.eks/layer=kube2iam)).
    type: dict
    default: {}
    version_added: 0.2.0
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - hardened.eks.attributes
"""

EXAMPLES = r"""
- name: Payments' api wears its role through Pod Identity, and reads a data account by role chaining
  hardened.eks.eks_pod_identity_association:
    cluster_name: prod
    purge: true
    associations:
      - namespace: payments
        service_account: api
        role_arn: arn:aws:iam::111122223333:role/pods/prod-payments-api
      - namespace: payments
        service_account: reports
        role_arn: arn:aws:iam::111122223333:role/pods/prod-payments-reports
        target_role_arn: arn:aws:iam::444455556666:role/payments-data-reader
"""

RETURN = r"""
associations:
  description:
    - One result per listed association, in order, then the purged ones; each with
      C(namespace), C(service_account), C(state), C(changed) and, when present, C(role_arn),
      C(target_role_arn), C(external_id), C(disable_session_tags), C(association_id),
      C(association_arn) and C(tags) (ids and the external ID are null in check mode before creation).
  returned: success
  type: list
  elements: dict
  sample:
    - namespace: payments
      service_account: api
      state: present
      changed: false
      role_arn: arn:aws:iam::111122223333:role/pods/prod-payments-api
      association_id: a-1a2b3c4d5e6f7a8b9
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.hardened.eks.plugins.module_utils._aws import eks as eks_api
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import aws_client
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import exit_with
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import fail_aws
from ansible_collections.hardened.eks.plugins.module_utils._eks import pod_identity as pi

ASSOCIATION_SPEC = dict(
    namespace=dict(type="str", required=True),
    service_account=dict(type="str", required=True),
    role_arn=dict(type="str"),
    target_role_arn=dict(type="str"),
    disable_session_tags=dict(type="bool", default=False),
    tags=dict(type="dict"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def converge(module, eks):
    p = module.params
    desired = pi.validate_associations(p["associations"])
    warnings = ["%s: disable_session_tags=true; a role trust that checks the namespace and service account "
                "session tags (eks_pod_iam_role trust.pod_identity) will refuse these pods" % d["where"]
                for d in desired.values() if d["state"] == "present" and d["disable_session_tags"]]
    if eks_api.describe_cluster(eks, p["cluster_name"]) is None:
        raise pi.AssociationError("cluster_name: EKS cluster %s does not exist" % p["cluster_name"])
    listed = eks_api.list_pod_identity_associations(eks, p["cluster_name"])
    current = {}
    for summary in listed:
        key = pi.key_of(summary["namespace"], summary["serviceAccount"])
        if key in desired or p["purge"]:
            assoc = eks_api.describe_pod_identity_association(eks, p["cluster_name"], summary["associationId"])
            if assoc is not None:
                current[key] = assoc
    steps, results = pi.plan(current, desired, p["purge"], p["purge_selector"])
    answers = {}
    if not module.check_mode:
        for step in steps:
            what = "%s %s on cluster %s" % (step["call"], step["key"], p["cluster_name"])
            answer = eks_api.run_step(eks, p["cluster_name"], step, what)
            if step["call"] in ("create_pod_identity_association", "update_pod_identity_association"):
                answers[step["key"]] = answer["association"]
    out, diff = [], {"before": {}, "after": {}}
    for r in results:
        after = pi.view(answers[r["key"]]) if r["key"] in answers else dict(r["after"])
        if r["key"] in answers:
            after["tags"] = r["after"]["tags"]
        diff["before"][r["key"]] = r["before"]
        diff["after"][r["key"]] = after
        ns, sa = r["key"].split("/", 1)
        out.append(dict(after, namespace=ns, service_account=sa, state=r["state"], changed=r["changed"]))
    return bool(steps), {"associations": out}, diff, warnings


def main():
    argument_spec = dict(
        cluster_name=dict(type="str", required=True),
        associations=dict(type="list", elements="dict", default=[], options=ASSOCIATION_SPEC),
        purge=dict(type="bool", default=False),
        purge_selector=dict(type="dict", default={}),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    eks = aws_client(module, "eks")
    try:
        changed, result, diff, warnings = converge(module, eks)
    except pi.AssociationError as e:
        module.fail_json(msg=str(e), problems=e.problems)
    except AnsibleAWSError as e:
        fail_aws(module, e)
    exit_with(module, changed, result, diff, warnings)


if __name__ == "__main__":
    main()
