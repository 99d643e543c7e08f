# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""kube-system/aws-auth (aws_auth_mapping, the iam_authenticator role, the audit): the index of the
_aws_auth modules.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# pylint: disable=unused-import
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.yaml_io import HAS_YAML  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import ADMIN_GROUP  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import AwsAuthError  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import AwsAuthGuardError  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import AwsAuthParseError  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import AwsAuthValidationError  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import DATA_KEYS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import KINDS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import NODE_GROUPS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import PARTITIONS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import PLACEHOLDERS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import _ACCOUNT_RE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import _ARN_RE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import _IAM_NAME_RE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import _PATH_SEGMENT_RE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import _PLACEHOLDER_RE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import _ROLE_PATH_RE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import _SKIPPABLE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import _dedup  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import _key  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import check_arn  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import check_template  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import normalize_account  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import normalize_role_arn  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.params import validate_params  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.parse import _groups_of  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.parse import _kind_name  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.parse import _load  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.parse import _yaml_problem  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.parse import entry_field  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.parse import parse_accounts  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.parse import parse_aws_auth  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.parse import parse_entries  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.render import _literal_block  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.render import display  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.render import render_key  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.render import render_list  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.plan import _guard_removal  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.plan import _managed_keys  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.plan import _plan_accounts  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.plan import _plan_entries  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.plan import plan_aws_auth  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.write import _key_of  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.write import _pointer  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.write import _tested_values_changed  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.write import ensure_aws_auth  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.write import patch_operations  # noqa: F401
