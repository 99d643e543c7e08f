#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_cluster
short_description: Create an EKS cluster with a hardened control plane and converge its security settings
version_added: 0.1.0
author:
  - hardened.eks maintainers (@hardened-eks)
description:
  - Creates, updates and deletes an Amazon EKS cluster.
  - Unlike M(community.aws.eks_cluster) it sets and converges endpoint access, public access
    CIDRs, control-plane logging, secrets encryption, authentication mode, tags and the Kubernetes
    version of an existing cluster, and can create the cluster's IAM OIDC provider for IRSA.
  - "Secure defaults: private endpoint on, public endpoint off unless O(public_access_cidrs) are
    given, all five control-plane log types on, and secrets encryption with a KMS key required
    unless O(encryption_waived=true)."
  - The defaults are converged on existing clusters too. Running the module without
    O(public_access_cidrs) on a cluster whose public endpoint is open closes it.
  - Every refusal (a version jump, a downgrade, removing or changing the encryption key, going
    back in authentication mode, a public endpoint open to the internet without
    O(allow_public_endpoint_anywhere)) is decided before any change is made.
  - Subnets, security groups and the cluster role are only used to create the cluster; a
    difference on an existing cluster is reported as a warning.
  - EKS applies one change at a time. The module waits for each update to finish (with
    DescribeUpdate, or by polling the cluster when no update id is returned) before the next one,
    even with O(wait=false); O(wait) controls only the wait after the last change.
options:
  name:
    description: Name of the cluster.
    required: true
    type: str
  state:
    description: Whether the cluster should exist.
    type: str
    choices: [present, absent]
    default: present
  version:
    description:
      - Kubernetes minor version, such as V(1.30).
      - When creating, EKS's default version is used if omitted.
      - On an existing cluster a newer version is applied with C(UpdateClusterVersion), one minor
        version at a time. A jump of more than one minor version or a downgrade fails with a
        message that names the next allowed version.
    type: str
  role_arn:
    description:
      - ARN of the IAM role the EKS control plane uses. Required to create the cluster.
    type: str
  subnets:
    description:
      - Subnet IDs for the control plane's network interfaces, at least two in different
        Availability Zones. Required to create the cluster.
    type: list
    elements: str
  security_groups:
    description: Additional security group IDs for the control plane's network interfaces.
    type: list
    elements: str
  endpoint_private_access:
    description: Whether the API server endpoint is reachable from inside the VPC.
    type: bool
    default: true
  endpoint_public_access:
    description:
      - Whether the API server endpoint is reachable from the internet.
      - Defaults to V(true) when O(public_access_cidrs) is given, else V(false).
    type: bool
  public_access_cidrs:
    description:
      - Networks allowed to reach the public endpoint.
      - A public endpoint without CIDRs, or with V(0.0.0.0/0) or V(::/0), is open to the whole
        internet and requires O(allow_public_endpoint_anywhere=true).
    type: list
    elements: str
  allow_public_endpoint_anywhere:
    description:
      - Allow a public endpoint that is open to the whole internet. A warning is still issued.
    type: bool
    default: false
  logging:
    description:
      - Control-plane log types sent to CloudWatch Logs. Types not listed are disabled.
      - Defaults to all five types. Use V([]) to disable control-plane logging.
    type: list
    elements: str
    choices: [api, audit, authenticator, controllerManager, scheduler]
  encryption:
    description:
      - "ARN of the KMS key (C(arn:aws:kms:<region>:<account>:key/<id>), in the cluster's region)
        used to envelope-encrypt Kubernetes secrets."
      - Required unless O(encryption_waived=true).
      - On an existing cluster without encryption the key is added with
        C(AssociateEncryptionConfig). EKS cannot remove secrets encryption nor change its key,
        and asking for either fails.
    type: str
    aliases: [encryption_key_arn]
  encryption_waived:
    description:
      - Create the cluster without secrets encryption (a warning is issued). Cannot be used to
        remove encryption from a cluster that has it.
    type: bool
    default: false
  authentication_mode:
    description:
      - How IAM principals are authenticated. EKS moves only forward, C(CONFIG_MAP) to
        C(API_AND_CONFIG_MAP) to C(API); going from C(CONFIG_MAP) to C(API) makes both updates.
      - When creating, V(API_AND_CONFIG_MAP) if omitted (EKS's own API default, V(CONFIG_MAP),
        requires the creator's admin, see O(bootstrap_cluster_creator_admin_permissions)). On an
        existing cluster not managed when omitted, and not compared when EKS does not report it.
    type: str
    choices: [API, API_AND_CONFIG_MAP, CONFIG_MAP]
  bootstrap_cluster_creator_admin_permissions:
    description:
      - Whether EKS makes the IAM principal that creates the cluster a cluster admin (an access
        entry with C(AmazonEKSClusterAdminPolicy)). Off by default - no silent admin; give the
        admins as access entries (C(hardened.eks.eks_access_entry)) instead.
      - V(false) needs O(authentication_mode) V(API_AND_CONFIG_MAP) or V(API) (EKS refuses it with
        V(CONFIG_MAP)).
      - Set only when the cluster is created; a different value on an existing cluster is a warning.
    type: bool
    default: false
    version_added: 0.2.0
  deletion_protection:
    description:
      - Protect the cluster from deletion (EKS refuses C(DeleteCluster) while it is on).
      - With O(state=absent), a protected cluster is deleted only when this is V(false) in the
        same task (the protection is turned off, then the cluster deleted); otherwise the task
        fails before any write.
      - Compared only when EKS reports it.
    type: bool
    default: true
    version_added: 0.2.0
  upgrade_policy:
    description:
      - The support type when the cluster's version leaves standard support - V(EXTENDED) (EKS's
        default, billed) or V(STANDARD) (EKS upgrades the cluster at the end of standard support).
      - Not managed when omitted.
    type: str
    choices: [STANDARD, EXTENDED]
    version_added: 0.2.0
  oidc_provider:
    description:
      - Create the IAM OIDC identity provider for the cluster's issuer (client ID
        C(sts.amazonaws.com)) so service accounts can assume IAM roles (IRSA).
      - With O(state=absent), the provider of the deleted cluster is removed too.
      - V(false) leaves an existing provider alone.
      - Creating the provider needs the issuer, so a new cluster is waited for until C(ACTIVE)
        even with O(wait=false).
    type: bool
    default: false
  oidc_thumbprints:
    description:
      - Server certificate thumbprints for the OIDC provider.
      - Defaults to the thumbprint of the root CA of C(oidc.eks.<region>.amazonaws.com). An empty
        list creates the provider without thumbprints (IAM then relies on its own trusted CAs)
        and leaves the thumbprints of an existing provider alone.
    type: list
    elements: str
  wait:
    description: Wait for the cluster to be C(ACTIVE) (or deleted) and for updates to finish.
    type: bool
    default: true
  wait_timeout:
    description:
      - How long to wait for each step (the cluster to become C(ACTIVE) or be deleted, one update
        to finish), in seconds.
    type: int
    default: 1200
notes:
  - Supports check mode and diff mode. The diff shows C(version), the endpoint settings,
    C(logging), C(encryption), C(authentication_mode), C(tags) and C(oidc_provider_arn).
  - The cluster must have no node groups or Fargate profiles left to be deleted.
extends_documentation_fragment:
  - hardened.eks.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Private cluster with KMS secrets encryption and all control-plane logs
  hardened.eks.eks_cluster:
    name: prod
    version: "1.30"
    role_arn: arn:aws:iam::123456789012:role/prod-eks-cluster
    subnets:
      - subnet-0a1b2c3d4e5f60001
      - subnet-0a1b2c3d4e5f60002
      - subnet-0a1b2c3d4e5f60003
    encryption: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
    authentication_mode: API_AND_CONFIG_MAP
    oidc_provider: true
    tags:
      env: prod
  register: cluster

- name: Open the public endpoint to the office network only
  hardened.eks.eks_cluster:
    name: prod
    encryption: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
    public_access_cidrs:
      - 203.0.113.0/24

- name: A throw-away test cluster without encryption, public to everyone (warns twice)
  hardened.eks.eks_cluster:
    name: scratch
    role_arn: arn:aws:iam::123456789012:role/scratch-eks
    subnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
    endpoint_public_access: true
    allow_public_endpoint_anywhere: true
    encryption_waived: true

- name: Upgrade the control plane by one minor version
  hardened.eks.eks_cluster:
    name: prod
    version: "1.31"
    encryption: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab

- name: Delete the cluster and its IAM OIDC provider
  hardened.eks.eks_cluster:
    name: scratch
    state: absent
    oidc_provider: true
"""

RETURN = r"""
name:
  description: Name of the cluster.
  returned: always
  type: str
  sample: prod
arn:
  description: ARN of the cluster (null in check mode before creation).
  returned: when the cluster exists or is created
  type: str
  sample: arn:aws:eks:us-east-1:123456789012:cluster/prod
status:
  description: Status of the cluster (C(CREATING), C(ACTIVE), C(UPDATING), C(DELETING)...).
  returned: when the cluster exists or is created
  type: str
  sample: ACTIVE
version:
  description: Kubernetes version.
  returned: when the cluster exists or is created
  type: str
  sample: "1.30"
platform_version:
  description: EKS platform version.
  returned: when the cluster exists
  type: str
  sample: eks.4
endpoint:
  description: URL of the API server.
  returned: when the cluster exists
  type: str
  sample: https://ABCDEF0123456789.gr7.us-east-1.eks.amazonaws.com
certificate_authority_data:
  description: Base64 CA certificate of the API server.
  returned: when the cluster exists
  type: str
  sample: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM...'
oidc_issuer:
  description: URL of the cluster's OIDC issuer.
  returned: when the cluster exists
  type: str
  sample: https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789
oidc_provider_arn:
  description:
    - ARN of the cluster's IAM OIDC provider, when it exists (or is created with O(oidc_provider=true)).
  returned: when the cluster exists
  type: str
  sample: arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789
role_arn:
  description: ARN of the cluster's IAM role.
  returned: when the cluster exists or is created
  type: str
  sample: 'arn:aws:iam::111122223333:role/prod-eks-cluster'
vpc_id:
  description: VPC of the cluster.
  returned: when the cluster exists
  type: str
  sample: 'vpc-0a1b2c3d4e5f60718'
subnets:
  description: Subnet IDs of the control plane.
  returned: when the cluster exists or is created
  type: list
  sample: [subnet-0a1b2c3d4e5f60718, subnet-1a2b3c4d5e6f70819]
  elements: str
security_groups:
  description: Additional security groups of the control plane.
  returned: when the cluster exists or is created
  type: list
  sample: []
  elements: str
cluster_security_group_id:
  description: The security group EKS created for the cluster.
  returned: when the cluster exists
  type: str
  sample: 'sg-0a1b2c3d4e5f60718'
endpoint_private_access:
  description: Whether the private endpoint is enabled.
  returned: when the cluster exists or is created
  type: bool
  sample: true
endpoint_public_access:
  description: Whether the public endpoint is enabled.
  returned: when the cluster exists or is created
  type: bool
  sample: false
public_access_cidrs:
  description: Networks allowed on the public endpoint; empty when the public endpoint is off.
  returned: when the cluster exists or is created
  type: list
  elements: str
  sample: ["203.0.113.0/24"]
logging:
  description: Enabled control-plane log types.
  returned: when the cluster exists or is created
  type: list
  elements: str
  sample: [api, audit, authenticator, controllerManager, scheduler]
encryption:
  description: KMS key ARN used for secrets encryption, null when secrets are not encrypted.
  returned: when the cluster exists or is created
  type: str
  sample: arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555
authentication_mode:
  description: Authentication mode, null when EKS does not report it.
  returned: when the cluster exists or is created
  type: str
  sample: API_AND_CONFIG_MAP
bootstrap_cluster_creator_admin_permissions:
  description: Whether EKS made the cluster's creator a cluster admin, null when EKS does not report it.
  returned: when the cluster exists or is created
  type: bool
  sample: false
deletion_protection:
  description: Whether the cluster is protected from deletion, null when EKS does not report it.
  returned: when the cluster exists or is created
  type: bool
  sample: true
upgrade_policy:
  description: The support type at the end of standard support, null when EKS does not report it.
  returned: when the cluster exists or is created
  type: str
  sample: STANDARD
tags:
  description: Tags of the cluster.
  returned: when the cluster exists or is created
  type: dict
  sample: {env: prod}
updates:
  description: The changes made (or, in check mode, that would be made), in order.
  returned: always
  type: list
  elements: str
  sample: [tags, logging, endpoint]
"""

from ansible.module_utils import basic as _basic
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import Clock
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import aws_client
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import fail_aws
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import exit_with
from ansible_collections.hardened.eks.plugins.module_utils.eks import EksError
from ansible_collections.hardened.eks.plugins.module_utils.eks import EksTimeout
from ansible_collections.hardened.eks.plugins.module_utils.eks import cluster_settings
from ansible_collections.hardened.eks.plugins.module_utils.eks import validate_cluster_params
from ansible_collections.hardened.eks.plugins.module_utils.eks import version_given_as_number
from ansible_collections.hardened.eks.plugins.module_utils._eks.cluster_edge import ensure_present
from ansible_collections.hardened.eks.plugins.module_utils._eks.cluster_edge import ensure_absent


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        version=dict(type="str"),
        role_arn=dict(type="str"),
        subnets=dict(type="list", elements="str"),
        security_groups=dict(type="list", elements="str"),
        endpoint_private_access=dict(type="bool", default=True),
        endpoint_public_access=dict(type="bool"),
        public_access_cidrs=dict(type="list", elements="str"),
        allow_public_endpoint_anywhere=dict(type="bool", default=False),
        logging=dict(type="list", elements="str",
                     choices=["api", "audit", "authenticator", "controllerManager", "scheduler"]),
        encryption=dict(type="str", aliases=["encryption_key_arn"]),
        encryption_waived=dict(type="bool", default=False),
        authentication_mode=dict(type="str", choices=["API", "API_AND_CONFIG_MAP", "CONFIG_MAP"]),
        bootstrap_cluster_creator_admin_permissions=dict(type="bool", default=False),
        deletion_protection=dict(type="bool", default=True),
        upgrade_policy=dict(type="str", choices=["STANDARD", "EXTENDED"]),
        oidc_provider=dict(type="bool", default=False),
        oidc_thumbprints=dict(type="list", elements="str"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1200),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    number = version_given_as_number((_basic._load_params() or {}).get("version"))
    if number:
        module.fail_json(msg=number, problems=[number])

    try:
        desired, warnings = validate_cluster_params(module.params, module.region)
    except EksError as e:
        module.fail_json(msg=str(e), problems=e.problems)

    client = aws_client(module, "eks")
    iam = aws_client(module, "iam")
    clock = Clock()
    params = module.params
    try:
        if desired["state"] == "absent":
            changed, result, diff, updates = ensure_absent(client, iam, desired, module.check_mode, params["wait"],
                                                           params["wait_timeout"], clock)
        else:
            changed, result, diff, updates = ensure_present(client, iam, desired, module.check_mode, params["wait"],
                                                            params["wait_timeout"], clock, warnings)
    except EksTimeout as e:
        last = cluster_settings(e.last) if isinstance(e.last, dict) and "arn" in e.last else None
        module.fail_json(msg=str(e), cluster=last)
    except EksError as e:
        for w in warnings:
            module.warn(w)
        module.fail_json(msg=str(e), problems=e.problems)
    except AnsibleAWSError as e:
        fail_aws(module, e)

    exit_with(module, changed, result, diff, warnings,
              updates=[u for i, u in enumerate(updates) if i == 0 or updates[i - 1] != u])


if __name__ == "__main__":
    main()
