# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline validation and normalization of Calico objects (calico_policy), as Calico's own v3
validator (libcalico-go lib/validator/v3, lib/names) does: the index of the _calico modules.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# pylint: disable=unused-import
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import ACTIONS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import CALICO_LABEL_PREFIX  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import CalicoValidationError  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import DEFAULT_TIER  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import DNS1123_LABEL  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import DNS1123_SUBDOMAIN  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import ENTITY_KEYS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import GNP_FALSE_DEFAULTS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import ICMP_PROTOCOLS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import ITEM_KEYS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import KINDS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import KIND_ORDER  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import LABEL_VALUE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import MANAGED_LABEL  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import MANAGED_VALUE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import NAMESPACED  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import PERFORMANCE_HINTS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import POLICY_NAME  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import POLICY_SPEC_KEYS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import POLICY_TYPES  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import PORT_NAME  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import PORT_PROTOCOLS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import PROTOCOL_NAMES  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import RESERVED_POLICY_PREFIXES  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import RESERVED_TIERS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import RULE_KEYS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import SPEC_KEYS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import TIER_DEFAULT_ACTIONS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import _Checker  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import _DIGITS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import _LABEL_FMT  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import _PORT_RANGE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import _is_int  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import _is_number  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import _suggest  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import _type_name  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import describe  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.fields import _check_entity  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.fields import _check_icmp  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.fields import _number_like  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.fields import canonical_cidr  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.fields import check_labels  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.fields import check_name  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.fields import check_namespace  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.fields import check_nets  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.fields import check_port  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.fields import check_protocol  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.fields import parse_cidr  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.spec import check_rule  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.spec import check_spec  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.normalize import _norm_entity  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.normalize import _norm_number  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.normalize import _norm_port  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.normalize import _norm_protocol  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.normalize import _norm_rule  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.normalize import _prune  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.normalize import infer_types  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.normalize import normalize_spec  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.label_selector import _LS_REQ  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.label_selector import label_selector_matches  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.label_selector import parse_label_selector  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.items import Desired  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.items import _item_where  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.items import batch_problems  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.items import validate_item  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.items import validate_items  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.items import validate_params  # noqa: F401
