# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of eks_cluster and eks_addon: the index of the _eks modules.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# pylint: disable=unused-import
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import ANYWHERE_CIDRS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import AUTH_MODES  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import CLUSTER_DIFF_KEYS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import DEFAULT_OIDC_THUMBPRINTS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import EksError  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import EksRefusal  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import EksTimeout  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import EksValidationError  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import LOG_TYPES  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import OIDC_CLIENT_ID  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import _CLUSTER_ARN_RE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import _KMS_KEY_ARN_RE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import _NAME_RE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import _ROLE_ARN_RE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import _SG_RE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import _SUBNET_RE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import _THUMBPRINT_RE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import _VERSION_RE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import _network_hint  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import diff_tags  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import kms_key_region  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import normalize_cidrs  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import parse_version  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import poll_until  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.common import sort_log_types  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.cluster_params import validate_cluster_params  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.cluster_params import version_given_as_number  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.cluster_plan import _step  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.cluster_plan import cluster_settings  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.cluster_plan import diff_view  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.cluster_plan import encryption_request  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.cluster_plan import endpoint_request  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.cluster_plan import logging_request  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.cluster_plan import oidc_provider_arn  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.cluster_plan import plan_cluster_update  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.cluster_plan import plan_create  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.cluster_plan import plan_oidc_provider  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.cluster_plan import update_finished  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.addon import ADDON_DIFF_KEYS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.addon import ADDON_RESOLVE_CONFLICTS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.addon import addon_diff_view  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.addon import addon_ready  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.addon import addon_settings  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.addon import canonical_json  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.addon import parse_configuration_values  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.addon import plan_addon  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._eks.addon import validate_addon_params  # noqa: F401
