# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure logic of eks_pod_iam_role: the index of the _iam modules.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# pylint: disable=unused-import
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import CLUSTER_ARN_RE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import CLUSTER_NAME_RE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import INLINE_POLICIES_MAX_CHARS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import IRSA_ANNOTATION  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import IRSA_AUDIENCE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import KUBE2IAM_ANNOTATION  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import MAX_TAGS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import OIDC_PROVIDER_ARN_RE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import POD_IDENTITY_PRINCIPAL  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import POLICY_ARN_RE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import POLICY_VERSIONS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import ROLE_ARN_RE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import SIDS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import TRUST_KINDS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import TrustError  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import _ACTION_RE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import _DESCRIPTION_RE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import _DNS_LABEL_RE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import _DNS_SUBDOMAIN_RE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import _POLICY_NAME_RE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import _SID_RE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import _STATEMENT_KEYS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import _has_wildcard  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import _one_or_list  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import annotations_for  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import build_trust_document  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import dumps  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import irsa_statement  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import issuer_of_provider  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import kube2iam_statement  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import open_trust_problems  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import parse_policy_document  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import pod_identity_statement  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import policies_differ  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import provider_arn_for_cluster  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.role_params import _TRUST_VALIDATORS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.role_params import _arn_list_problems  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.role_params import _k8s_name_problems  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.role_params import _statement_problems  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.role_params import _strings  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.role_params import _validate_inline  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.role_params import _validate_irsa  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.role_params import _validate_kube2iam  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.role_params import _validate_pod_identity  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.role_params import _validate_tags  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.role_params import _validate_trust  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.role_params import pasted_policy_document  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.role_params import policy_document_problems  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.role_params import validate_params  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.role_plan import _plan_create  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.role_plan import _step  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.role_plan import diff_view  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.role_plan import plan_role  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.role_plan import plan_role_deletion  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.role_plan import result_view  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.role_plan import role_arn  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._iam.role_plan import role_view  # noqa: F401
