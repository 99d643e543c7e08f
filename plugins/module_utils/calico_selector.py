# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Calico's selector language (libcalico-go lib/selector), for validation and evaluation: the index of
_calico.selector_lexer and _calico.selector.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# pylint: disable=unused-import
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import ALL  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import AND  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import COMMA  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import CONTAINS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import ENDSWITH  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import EOF  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import EQ  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import GLOBAL  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import HAS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import IN  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import LABEL  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import LABEL_CHARS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import LBRACE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import LPAREN  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import MAX_NESTING  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import MAX_SELECTOR_LENGTH  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import NE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import NOT  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import NOTIN  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import OR  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import RBRACE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import RPAREN  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import STARTSWITH  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import STRING  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import SelectorError  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import Token  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import WHITESPACE  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import _COMPARISONS  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import _DNS1123_SUBDOMAIN  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import _QNAME_NAME  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import _operator_after_label  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import _printable  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import _quote  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import _scan_label  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import _skip_ws  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector_lexer import tokenize  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector import AllNode  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector import AndNode  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector import CompareNode  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector import GlobalNode  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector import HasNode  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector import InSetNode  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector import Node  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector import NotNode  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector import OrNode  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector import Selector  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector import _Parser  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector import is_qualified_name  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector import parse  # noqa: F401
from ansible_collections.hardened.eks.plugins.module_utils._calico.selector import validate  # noqa: F401
