# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checks of ``eks_security_audit`` (``playbooks/verify.yml``): pure functions, one module per
family. Each ``check_*`` takes facts already read from EKS/EC2/IAM and Kubernetes (plain dicts, as
the APIs return them) plus the expected values from the inventory, and returns one result:
``{"check", "result" (pass|fail|warn), "evidence", "fix"}``. This module only gathers their
names for the runner and the tests.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# pylint: disable=unused-import
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import DEFAULT_BUILTIN_GROUPS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import FAIL  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import IRSA_ANNOTATION  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import KUBE2IAM_ALLOWED_ANNOTATION  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import KUBE2IAM_ROLE_ANNOTATION  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import LOG_TYPES  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import MASTERS_GROUP  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import METADATA_IP  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import NODE_BUILTIN_ACTIONS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import NODE_GROUP  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import PASS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import PLACEHOLDER_SAMPLES  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import RBAC  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import SENSITIVE_ACTIONS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import SENSITIVE_ACTION_IDS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import TITLES  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import WARN  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import _join  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import result  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import should_fail  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import summarize  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.access_checks import check_authentication_mode  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.access_checks import check_bootstrap_admin  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.access_checks import check_aws_auth_conflicts  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.access_checks import check_cluster_admins  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.access_checks import check_entry_principals  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.access_checks import principal_key  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.access_checks import check_deletion_protection  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.cluster_checks import _covered  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.cluster_checks import _nets  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.cluster_checks import _newest_or_unknown  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.cluster_checks import check_imdsv2  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.cluster_checks import check_logging  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.cluster_checks import check_node_role_policies  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.cluster_checks import check_private_endpoint  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.cluster_checks import check_public_endpoint  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.cluster_checks import check_secrets_encryption  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.cluster_checks import secrets_key_arn  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.cluster_checks import check_version  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.identity_checks import bound_groups  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.identity_checks import check_aws_auth_parses  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.identity_checks import check_duplicates  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.identity_checks import check_group_bindings  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.identity_checks import check_masters  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.identity_checks import check_node_roles_mapped  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.identity_checks import check_role_paths  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.identity_checks import check_sensitive_actions  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.identity_checks import granted_actions  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.identity_checks import mapped_entries  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.identity_checks import sar_body  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.identity_checks import sar_identity  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.network_checks import PROTOCOL_NUMBERS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.network_checks import _allow_all_rule  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.network_checks import _applies_to_namespace  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.network_checks import _dest_match  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.network_checks import _ip_in  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.network_checks import _k8s_rule  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.network_checks import _no_namespaces  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.network_checks import _policy_types  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.network_checks import _port_in  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.network_checks import _proto_is  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.network_checks import _scenarios  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.network_checks import _selects_all  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.network_checks import _sorted_policies  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.network_checks import _unconstrained  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.network_checks import check_default_deny  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.network_checks import check_dns  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.network_checks import check_metadata  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.network_checks import check_public_ingress  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.network_checks import check_selectors  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.network_checks import evaluate_egress  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.network_checks import namespace_matcher  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.network_checks import normalize_policies  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.network_checks import policy_selectors  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.network_checks import rule_matches  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.pod_iam_checks import _actions  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.pod_iam_checks import _allowed_roles  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.pod_iam_checks import _as_list  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.pod_iam_checks import _by_name  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.pod_iam_checks import _container_args  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.pod_iam_checks import _issuer_host  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.pod_iam_checks import _pod_role  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.pod_iam_checks import _role_allowed  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.pod_iam_checks import _statements  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.pod_iam_checks import _truthy  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.pod_iam_checks import check_irsa  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.pod_iam_checks import check_pod_identity_agent  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.pod_iam_checks import check_kube2iam_daemonset  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.pod_iam_checks import check_kube2iam_namespace_annotations  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.pod_iam_checks import check_kube2iam_pod_roles  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.pod_iam_checks import check_kube2iam_roles  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.pod_iam_checks import irsa_role_arns  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.pod_iam_checks import irsa_trust_verdict  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.pod_iam_checks import kube2iam_flags  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.pod_iam_checks import kube2iam_role_names  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.pod_iam_checks import pod_identity_verdict  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.pod_iam_checks import role_arn  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._audit.pod_iam_checks import trusts_principal  # noqa: F401
