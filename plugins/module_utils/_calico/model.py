# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What Calico objects are (kinds, keys, actions, protocols, reserved names), the validation error
and the problem collector every check writes to. Checks follow Calico's own v3 validator
(libcalico-go lib/validator/v3, lib/names); a few go further where Calico accepts something that
silently does nothing (each is marked beyond Calico).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import math
import re

from ansible_collections.hardened.eks.plugins.module_utils.calico_selector import SelectorError
from ansible_collections.hardened.eks.plugins.module_utils.calico_selector import validate as validate_selector


MANAGED_LABEL = "hardened.eks/managed-by"
MANAGED_VALUE = "calico_policy"
CALICO_LABEL_PREFIX = "projectcalico.org/"

NAMESPACED = "namespaced"
KINDS = {
    # kind: (plural, namespaced, is_policy)
    "Tier": ("tiers", False, False),
    "GlobalNetworkSet": ("globalnetworksets", False, False),
    "NetworkSet": ("networksets", True, False),
    "GlobalNetworkPolicy": ("globalnetworkpolicies", False, True),
    "NetworkPolicy": ("networkpolicies", True, True),
}
# Writes go in this order (a policy never names a missing tier); deletes in the reverse order.
KIND_ORDER = ("Tier", "GlobalNetworkSet", "NetworkSet", "GlobalNetworkPolicy", "NetworkPolicy")

ACTIONS = ("Allow", "Deny", "Log", "Pass")
PROTOCOL_NAMES = ("TCP", "UDP", "ICMP", "ICMPv6", "SCTP", "UDPLite")
PORT_PROTOCOLS = ("TCP", "UDP", "SCTP", 6, 17, 132)
ICMP_PROTOCOLS = {"ICMP": 4, 1: 4, "ICMPv6": 6, 58: 6}
POLICY_TYPES = ("Ingress", "Egress")
PERFORMANCE_HINTS = ("AssumeNeededOnEveryNode",)
TIER_DEFAULT_ACTIONS = ("Deny", "Pass")
DEFAULT_TIER = "default"
# Tiers Calico creates and owns; this module does not manage them.
RESERVED_TIERS = ("default", "kube-admin", "kube-baseline", "adminnetworkpolicy",
                  "baselineadminnetworkpolicy")
# Name prefixes Calico reserves for policies it derives from other objects.
RESERVED_POLICY_PREFIXES = ("knp.default.", "kcnp.", "ossg.", "staged:")

POLICY_SPEC_KEYS = ("order", "tier", "selector", "types", "ingress", "egress", "serviceAccountSelector",
                    "performanceHints")
SPEC_KEYS = {
    "NetworkPolicy": POLICY_SPEC_KEYS,
    "GlobalNetworkPolicy": POLICY_SPEC_KEYS + ("namespaceSelector", "doNotTrack", "preDNAT", "applyOnForward"),
    "NetworkSet": ("nets",),
    "GlobalNetworkSet": ("nets",),
    "Tier": ("order", "defaultAction"),
}
RULE_KEYS = ("action", "protocol", "notProtocol", "icmp", "notICMP", "ipVersion", "source", "destination",
             "http", "metadata")
ENTITY_KEYS = ("nets", "notNets", "selector", "notSelector", "namespaceSelector", "ports", "notPorts",
               "serviceAccounts", "services")
ITEM_KEYS = ("kind", "name", "namespace", "labels", "spec", "state")
GNP_FALSE_DEFAULTS = ("doNotTrack", "preDNAT", "applyOnForward")

_LABEL_FMT = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_LABEL = re.compile(r"^%s$" % _LABEL_FMT)
DNS1123_SUBDOMAIN = re.compile(r"^%s(\.%s)*$" % (_LABEL_FMT, _LABEL_FMT))
POLICY_NAME = re.compile(r"^%s(\.%s)?$" % (_LABEL_FMT, _LABEL_FMT))
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
PORT_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
_DIGITS = re.compile(r"^[0-9]+$")
_PORT_RANGE = re.compile(r"^([0-9]+):([0-9]+)$")


class CalicoValidationError(Exception):
    """Every problem found in the input, each naming the item and the field."""

    def __init__(self, problems):
        self.problems = list(problems)
        if len(self.problems) == 1:
            msg = "Invalid Calico input: %s" % self.problems[0]
        else:
            msg = "Invalid Calico input (%d problems): %s" % (len(self.problems), "; ".join(self.problems))
        super(CalicoValidationError, self).__init__(msg)


def describe(kind, namespace, name):
    """``"Kind namespace/name"`` (``"Kind name"`` for cluster-wide kinds)."""
    return "%s %s" % (kind, "%s/%s" % (namespace, name) if namespace else name)


def _suggest(word, choices):
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    if not close:
        close = [c for c in choices if str(c).lower() == str(word).lower()]
    return " (did you mean %r?)" % close[0] if close else ""


def _type_name(value):
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "an integer",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return (_is_int(value) or isinstance(value, float)) and not (
        isinstance(value, float) and (math.isnan(value) or math.isinf(value)))


class _Checker(object):
    def __init__(self, prefix):
        self.prefix = prefix
        self.problems = []

    def add(self, path, message):
        self.problems.append("%s%s: %s" % (self.prefix, path, message) if path else
                             "%s%s" % (self.prefix, message))

    def keys(self, value, allowed, path):
        if not isinstance(value, dict):
            self.add(path, "must be a mapping, got %s" % _type_name(value))
            return False
        for key in value:
            if key not in allowed:
                self.add("%s.%s" % (path, key) if path else key,
                         "unknown field%s; allowed: %s" % (_suggest(key, allowed), ", ".join(allowed)))
        return True

    def selector(self, value, path, allow_global=False):
        """Validate a selector field; returns the parsed selector or None."""
        if not isinstance(value, str):
            self.add(path, "a selector must be a string, got %s" % _type_name(value))
            return None
        try:
            sel = validate_selector(value)
        except SelectorError as exc:
            self.add(path, "invalid selector: %s" % exc)
            return None
        if "global()" in value or sel.uses_global():
            if not allow_global:
                self.add(path, "global() can only be used in an entity rule's namespaceSelector")
            elif not sel.is_only_global():
                self.add(path, "global() cannot be combined with other selectors")
        return sel
