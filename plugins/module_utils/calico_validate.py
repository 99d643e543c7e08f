# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline validation and normalization of Calico objects (calico_policy).

Checks follow Calico's own v3 validator (libcalico-go ``lib/validator/v3``, ``lib/names``) so
that what passes here is what calicoctl and the Calico API server accept; a few checks go further
where Calico accepts something that silently does nothing (each is marked "beyond Calico").

Every problem is collected, with the item and the field path, and raised once as
:class:`CalicoValidationError`. Normalization (:func:`normalize_spec`) is total: it is applied
to the desired spec and to what the cluster returns, so that both compare equal when they mean
the same thing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import difflib
import ipaddress
import math
import re

from ansible_collections.hardened.eks.plugins.module_utils.calico_selector import (
    SelectorError,
    is_qualified_name,
    validate as validate_selector,
)

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


# Names ------------------------------------------------------------------------------------------
def check_name(ck, kind, name, spec, state="present"):
    if not isinstance(name, str) or not name:
        ck.add("name", "required (a non-empty string)")
        return
    if len(name) > 253:
        ck.add("name", "longer than 253 characters")
    if kind == "Tier":
        if len(name) > 63 or not DNS1123_LABEL.match(name):
            ck.add("name", "a Tier name must be a DNS-1123 label (lower case alphanumerics and '-', at most "
                           "63, no dots)")
        elif name in RESERVED_TIERS:
            ck.add("name", "tier %r is created and owned by Calico; this module does not manage it" % name)
        return
    if kind in ("NetworkSet", "GlobalNetworkSet"):
        if not DNS1123_SUBDOMAIN.match(name):
            ck.add("name", "must be a DNS-1123 subdomain (lower case alphanumerics, '-' and '.')")
        return
    # Policies.
    for prefix in RESERVED_POLICY_PREFIXES:
        if name.startswith(prefix):
            ck.add("name", "the prefix %r is reserved by Calico for policies it derives from other objects"
                   % prefix)
            return
    if not POLICY_NAME.match(name):
        ck.add("name", "a policy name must be a DNS-1123 label, or '<tier>.<name>' with both DNS-1123 labels "
                       "(lower case alphanumerics and '-', one dot at most)")
        return
    tier = spec.get("tier") if isinstance(spec, dict) else None
    prefix, dot, _rest = name.partition(".")
    if state == "absent" and not tier:
        # Deleting: the name alone says which tier (a spec is not needed).
        tier = prefix if dot else DEFAULT_TIER
    tier = tier if isinstance(tier, str) and tier else DEFAULT_TIER
    if tier == DEFAULT_TIER:
        if dot and prefix == DEFAULT_TIER:
            ck.add("name", "policies in the default tier are named without the 'default.' prefix by this "
                           "module (name it %r)" % _rest)
        elif dot:
            ck.add("name", "the name has the tier prefix %r but spec.tier is not set (the default tier): set "
                           "spec.tier: %s, or drop the prefix" % (prefix, prefix))
    elif not dot or prefix != tier:
        ck.add("name", "a policy in tier %r must be named '%s.<name>' (got %r)" % (tier, tier, name))


def check_namespace(ck, kind, namespace):
    namespaced = KINDS[kind][1]
    if namespaced:
        if not namespace:
            ck.add("namespace", "required for %s (a namespaced kind)" % kind)
        elif not isinstance(namespace, str) or len(namespace) > 63 or not DNS1123_LABEL.match(namespace):
            ck.add("namespace", "must be a DNS-1123 label (lower case alphanumerics and '-', at most 63)")
    elif namespace:
        ck.add("namespace", "%s is cluster-wide: remove namespace (got %r)" % (kind, namespace))


def check_labels(ck, kind, labels, path="labels"):
    if labels is None:
        return
    if not isinstance(labels, dict):
        ck.add(path, "must be a mapping of label keys to string values, got %s" % _type_name(labels))
        return
    for key, value in labels.items():
        if not isinstance(key, str) or not is_qualified_name(key):
            ck.add("%s.%s" % (path, key), "not a valid Kubernetes label key ([prefix/]name)")
        if not isinstance(value, str):
            ck.add("%s.%s" % (path, key), "label values must be strings, got %s (quote it)" % _type_name(value))
        elif len(value) > 63 or not LABEL_VALUE.match(value):
            ck.add("%s.%s" % (path, key), "not a valid label value (at most 63 of [A-Za-z0-9-_.], "
                                          "alphanumeric at both ends)")
        if key == MANAGED_LABEL and value != MANAGED_VALUE:
            ck.add("%s.%s" % (path, key), "this label marks the objects this module manages; it is set to %r "
                                          "and cannot be changed" % MANAGED_VALUE)
        if key == "projectcalico.org/namespace" and kind in ("NetworkSet", "GlobalNetworkSet"):
            ck.add("%s.%s" % (path, key), "projectcalico.org/namespace is reserved by Calico")


# Values -----------------------------------------------------------------------------------------
def _number_like(value):
    if _is_int(value):
        return value
    if isinstance(value, str) and _DIGITS.match(value):
        return int(value)
    return None


def check_protocol(ck, value, path):
    num = _number_like(value)
    if num is not None:
        if not 1 <= num <= 255:
            ck.add(path, "protocol number must be between 1 and 255, got %d" % num)
        return num
    if not isinstance(value, str):
        ck.add(path, "must be a protocol name or number, got %s" % _type_name(value))
        return None
    if value not in PROTOCOL_NAMES:
        ck.add(path, "unknown protocol %r%s; names are case-sensitive: %s, or a number 1-255"
               % (value, _suggest(value, PROTOCOL_NAMES), ", ".join(PROTOCOL_NAMES)))
        return None
    return value


def check_port(ck, value, path):
    if isinstance(value, bool):
        ck.add(path, "a port must be a number, 'min:max' or a port name, got a boolean")
        return
    num = _number_like(value)
    if num is not None:
        if not 1 <= num <= 65535:
            ck.add(path, "port must be between 1 and 65535, got %d" % num)
        return
    if not isinstance(value, str):
        ck.add(path, "a port must be a number, 'min:max' or a port name, got %s" % _type_name(value))
        return
    m = _PORT_RANGE.match(value)
    if m:
        low, high = int(m.group(1)), int(m.group(2))
        if not (1 <= low <= 65535 and 1 <= high <= 65535):
            ck.add(path, "port range %r: ports must be between 1 and 65535" % value)
        elif low > high:
            ck.add(path, "port range %r: the first port must not be greater than the second" % value)
        return
    if ":" in value or re.match(r"^\s*[0-9]+\s*-\s*[0-9]+\s*$", value):
        ck.add(path, "invalid port %r: a range is written 'min:max' with numbers" % value)
        return
    if (len(value) > 15 or not PORT_NAME.match(value) or "--" in value
            or not any(ch.isalpha() for ch in value)):
        ck.add(path, "invalid port name %r: a named port is at most 15 lower case alphanumerics or '-', with "
                     "at least one letter, no '--', alphanumeric at both ends" % value)


def parse_cidr(value):
    """``(network_or_interface, version)`` of an IP or CIDR as Calico reads it, or raise ValueError."""
    if not isinstance(value, str) or not value or "%" in value or value.strip() != value:
        raise ValueError("not an IP address or CIDR")
    addr, slash, prefix = value.partition("/")
    if slash and not _DIGITS.match(prefix):
        raise ValueError("the prefix length must be a number")
    iface = ipaddress.ip_interface(value)
    return iface, iface.version


def canonical_cidr(value):
    """``a.b.c.d/n`` (or compressed IPv6 ``/n``) for any IP or CIDR; other values unchanged."""
    try:
        iface, _v = parse_cidr(value)
    except ValueError:
        return value
    return "%s/%d" % (iface.ip.compressed, iface.network.prefixlen)


def check_nets(ck, value, path, strict):
    """Validate a list of CIDRs; returns the set of IP versions seen."""
    versions = set()
    if not isinstance(value, list):
        ck.add(path, "must be a list of CIDRs, got %s" % _type_name(value))
        return versions
    seen = {}
    for i, item in enumerate(value):
        p = "%s[%d]" % (path, i)
        try:
            iface, version = parse_cidr(item)
        except ValueError:
            ck.add(p, "%r is not a valid IPv4/IPv6 address or CIDR" % (item,))
            continue
        versions.add(version)
        if strict and iface.ip != iface.network.network_address:
            ck.add(p, "%r has host bits set: Calico requires a network address here (did you mean %r?)"
                   % (item, str(iface.network)))
        canon = canonical_cidr(item)
        if canon in seen:
            ck.add(p, "%r repeats %s[%d]" % (item, path, seen[canon]))
        seen.setdefault(canon, i)
    return versions


# Rules ------------------------------------------------------------------------------------------
def _check_icmp(ck, value, path, protocol, field):
    if not ck.keys(value, ("type", "code"), path):
        return
    for key, high in (("type", 254), ("code", 255)):
        if key in value:
            v = value[key]
            if not _is_int(v):
                ck.add("%s.%s" % (path, key), "must be an integer, got %s" % _type_name(v))
            elif not 0 <= v <= high:
                ck.add("%s.%s" % (path, key), "ICMP %s must be between 0 and %d, got %d" % (key, high, v))
    if "code" in value and "type" not in value:
        ck.add(path, "ICMP code specified without an ICMP type")
    if protocol not in ICMP_PROTOCOLS:
        ck.add(path, "rules that specify %s must set protocol to ICMP or ICMPv6" % field)


def _check_entity(ck, value, path, direction, end, kind, protocol_ports):
    """Validate source/destination; returns the IP versions of its nets."""
    versions = set()
    if not ck.keys(value, ENTITY_KEYS, path):
        return versions
    for key in ("selector", "notSelector"):
        if key in value:
            ck.selector(value[key], "%s.%s" % (path, key))
    if "namespaceSelector" in value:
        ck.selector(value["namespaceSelector"], "%s.namespaceSelector" % path, allow_global=True)
    for key in ("nets", "notNets"):
        if key in value:
            versions |= check_nets(ck, value[key], "%s.%s" % (path, key), strict=True)
    for key in ("ports", "notPorts"):
        if key in value:
            ports = value[key]
            if not isinstance(ports, list):
                ck.add("%s.%s" % (path, key), "must be a list of ports, got %s" % _type_name(ports))
                continue
            if ports and not protocol_ports:
                ck.add("%s.%s" % (path, key), "rules that specify ports must set protocol to TCP, UDP or SCTP")
            for i, port in enumerate(ports):
                check_port(ck, port, "%s.%s[%d]" % (path, key, i))
    if "serviceAccounts" in value:
        sa = value["serviceAccounts"]
        sap = "%s.serviceAccounts" % path
        if ck.keys(sa, ("names", "selector"), sap):
            names = sa.get("names")
            if names is not None:
                if not isinstance(names, list):
                    ck.add(sap + ".names", "must be a list of service account names")
                else:
                    for i, n in enumerate(names):
                        if not isinstance(n, str) or len(n) > 253 or not DNS1123_SUBDOMAIN.match(n):
                            ck.add("%s.names[%d]" % (sap, i), "%r is not a valid service account name" % (n,))
            if "selector" in sa:
                ck.selector(sa["selector"], sap + ".selector")
    if "services" in value:
        svc = value["services"]
        svp = "%s.services" % path
        if ck.keys(svc, ("name", "namespace"), svp):
            name = svc.get("name")
            if not isinstance(name, str) or not name:
                ck.add(svp + ".name", "must specify a service name")
            elif not DNS1123_SUBDOMAIN.match(name):
                ck.add(svp + ".name", "%r is not a valid service name" % name)
            ns = svc.get("namespace")
            if ns is not None and (not isinstance(ns, str) or not DNS1123_LABEL.match(ns)):
                ck.add(svp + ".namespace", "%r is not a valid namespace name" % (ns,))
            if kind == "GlobalNetworkPolicy" and not ns:
                ck.add(svp + ".namespace", "must specify a namespace in a GlobalNetworkPolicy")
        for other in ("selector", "notSelector", "namespaceSelector", "serviceAccounts", "nets", "notNets"):
            if value.get(other):
                ck.add(svp, "cannot be combined with %s on the same rule" % other)
        if end == "destination" and (value.get("ports") or value.get("notPorts")):
            ck.add(svp, "cannot specify ports/notPorts with services in the destination")
        if direction == "egress" and end == "source":
            ck.add(svp, "services are not allowed in an egress rule's source")
        if direction == "ingress" and end == "destination":
            ck.add(svp, "services are not allowed in an ingress rule's destination")
    return versions


def check_rule(ck, rule, path, direction, kind):
    if not ck.keys(rule, RULE_KEYS, path):
        return
    action = rule.get("action")
    if action is None:
        ck.add(path + ".action", "required (one of %s)" % ", ".join(ACTIONS))
    elif action not in ACTIONS:
        ck.add(path + ".action", "%r is not an action%s; use one of %s"
               % (action, _suggest(action, ACTIONS), ", ".join(ACTIONS)))
    protocol = check_protocol(ck, rule["protocol"], path + ".protocol") if "protocol" in rule else None
    not_protocol = check_protocol(ck, rule["notProtocol"], path + ".notProtocol") if "notProtocol" in rule else None
    ip_version = rule.get("ipVersion")
    if "ipVersion" in rule and (not _is_int(ip_version) or ip_version not in (4, 6)):
        ck.add(path + ".ipVersion", "must be 4 or 6, got %r" % (ip_version,))
        ip_version = None
    for proto, field in ((protocol, "protocol"), (not_protocol, "notProtocol")):
        if proto in ICMP_PROTOCOLS and ip_version and ip_version != ICMP_PROTOCOLS[proto]:
            ck.add(path + ".ipVersion", "must be %d with %s %s" % (ICMP_PROTOCOLS[proto], field, proto))
    for field in ("icmp", "notICMP"):
        if field in rule:
            _check_icmp(ck, rule[field], "%s.%s" % (path, field), protocol, field)
    protocol_ports = protocol in PORT_PROTOCOLS
    versions = set()
    for end in ("source", "destination"):
        if end in rule:
            v = _check_entity(ck, rule[end], "%s.%s" % (path, end), direction, end, kind, protocol_ports)
            if len(v) > 1 or (versions and v and v != versions):
                ck.add(path, "rule contains both IPv4 and IPv6 CIDRs (write one rule per IP version)")
            versions |= v
    if ip_version and versions and versions != {ip_version}:
        ck.add(path + ".ipVersion", "rule IP version %d does not match its CIDRs (IPv%s)"
               % (ip_version, "/".join(str(v) for v in sorted(versions))))
    if protocol in ICMP_PROTOCOLS and versions and versions != {ICMP_PROTOCOLS[protocol]}:
        # Beyond Calico: an ICMP (v4) rule with IPv6 CIDRs can never match.
        ck.add(path + ".protocol", "%s never matches IPv%s CIDRs" % (protocol, "/".join(str(v) for v in versions)))
    if "http" in rule:
        http = rule["http"]
        hp = path + ".http"
        if action != "Allow":
            ck.add(hp, "HTTP match is only valid on Allow rules")
        if direction == "egress":
            ck.add(hp, "HTTP match is not allowed in egress rules")
        if protocol is not None and protocol not in ("TCP", 6):
            ck.add(hp, "rules that specify HTTP fields must set protocol to TCP or leave it empty")
        if ck.keys(http, ("methods", "paths"), hp):
            methods = http.get("methods")
            if methods is not None:
                if not isinstance(methods, list) or not all(isinstance(m, str) for m in methods):
                    ck.add(hp + ".methods", "must be a list of strings")
                elif len(set(methods)) != len(methods):
                    ck.add(hp + ".methods", "duplicate methods")
            paths = http.get("paths")
            if paths is not None:
                if not isinstance(paths, list):
                    ck.add(hp + ".paths", "must be a list of {exact: ...} or {prefix: ...}")
                else:
                    for i, pm in enumerate(paths):
                        pp = "%s.paths[%d]" % (hp, i)
                        if not ck.keys(pm, ("exact", "prefix"), pp):
                            continue
                        if ("exact" in pm) == ("prefix" in pm):
                            ck.add(pp, "set exactly one of exact or prefix")
                            continue
                        v = pm.get("exact", pm.get("prefix"))
                        if not isinstance(v, str) or not v.startswith("/") or any(c in v for c in "? #"):
                            ck.add(pp, "invalid path %r (must start with '/' and contain no '?', '#' or space)"
                                   % (v,))
    if "metadata" in rule:
        md = rule["metadata"]
        if ck.keys(md, ("annotations",), path + ".metadata"):
            ann = md.get("annotations")
            if ann is not None and (not isinstance(ann, dict) or
                                    not all(isinstance(v, str) for v in ann.values())):
                ck.add(path + ".metadata.annotations", "must be a mapping of strings")


# Specs ------------------------------------------------------------------------------------------
def check_spec(ck, kind, spec, path="spec"):
    if spec is None:
        spec = {}
    if not ck.keys(spec, SPEC_KEYS[kind], path):
        return
    if "order" in spec and not _is_number(spec["order"]):
        ck.add(path + ".order", "must be a number, got %s %r" % (_type_name(spec["order"]), spec["order"]))
    if kind == "Tier":
        action = spec.get("defaultAction")
        if action is not None and action not in TIER_DEFAULT_ACTIONS:
            ck.add(path + ".defaultAction", "must be Deny or Pass, got %r" % (action,))
        return
    if kind in ("NetworkSet", "GlobalNetworkSet"):
        if "nets" in spec:
            check_nets(ck, spec["nets"], path + ".nets", strict=False)
        return
    # Policies.
    if "tier" in spec:
        tier = spec["tier"]
        if not isinstance(tier, str) or len(tier) > 63 or not DNS1123_LABEL.match(tier):
            ck.add(path + ".tier", "must be a tier name (a DNS-1123 label), got %r" % (tier,))
    for key in ("selector", "serviceAccountSelector", "namespaceSelector"):
        if key in spec:
            ck.selector(spec[key], "%s.%s" % (path, key))
    if "performanceHints" in spec:
        hints = spec["performanceHints"]
        if not isinstance(hints, list) or any(h not in PERFORMANCE_HINTS for h in hints):
            ck.add(path + ".performanceHints", "must be a list of %s" % ", ".join(PERFORMANCE_HINTS))
    rules = {}
    for direction in ("ingress", "egress"):
        value = spec.get(direction)
        if value is None:
            rules[direction] = []
            continue
        if not isinstance(value, list):
            ck.add("%s.%s" % (path, direction), "must be a list of rules, got %s" % _type_name(value))
            rules[direction] = []
            continue
        rules[direction] = value
        for i, rule in enumerate(value):
            check_rule(ck, rule, "%s.%s[%d]" % (path, direction, i), direction, kind)
    types = spec.get("types")
    if types is not None and types != []:
        if not isinstance(types, list):
            ck.add(path + ".types", "must be a list of Ingress and/or Egress")
        else:
            for i, t in enumerate(types):
                if t not in POLICY_TYPES:
                    ck.add("%s.types[%d]" % (path, i), "%r is not a policy type%s; use Ingress or Egress"
                           % (t, _suggest(t, POLICY_TYPES)))
                elif types.index(t) != i:
                    ck.add("%s.types[%d]" % (path, i), "%r is specified more than once" % t)
            for direction, type_name in (("ingress", "Ingress"), ("egress", "Egress")):
                if rules[direction] and type_name not in types:
                    ck.add("%s.%s" % (path, direction), "has %d rule(s) but spec.types does not include %s: "
                                                        "Calico would ignore them" % (len(rules[direction]), type_name))
    elif "egress" in spec and not rules["egress"] and not rules["ingress"]:
        # Beyond Calico: `egress: []` alone reads as default-deny egress, but Calico infers types
        # [Ingress] from it (no egress rules), so the policy would deny ingress instead.
        ck.add(path + ".types", "an empty spec.egress without spec.types makes Calico infer types [Ingress]: "
                                "set spec.types: [Egress] for a default-deny egress policy")
    if kind == "GlobalNetworkPolicy":
        for key in GNP_FALSE_DEFAULTS:
            if key in spec and not isinstance(spec[key], bool):
                ck.add("%s.%s" % (path, key), "must be a boolean")
        dnt, pre, fwd = (spec.get(k) is True for k in ("doNotTrack", "preDNAT", "applyOnForward"))
        if dnt and pre:
            ck.add(path, "preDNAT and doNotTrack cannot both be true")
        if pre and rules["egress"]:
            ck.add(path + ".egress", "a preDNAT policy cannot have egress rules")
        if pre and isinstance(types, list) and "Egress" in types:
            ck.add(path + ".types", "a preDNAT policy cannot have the Egress type")
        if (dnt or pre) and not fwd:
            ck.add(path + ".applyOnForward", "must be true when preDNAT or doNotTrack is true")


# Normalization ----------------------------------------------------------------------------------
def _prune(value):
    """Drop None, empty lists and empty mappings, recursively."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = _prune(v)
            if v is None or v == [] or v == {}:
                continue
            out[k] = v
        return out
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def _norm_number(value):
    if isinstance(value, float) and not math.isnan(value) and not math.isinf(value) and value == int(value):
        return int(value)
    return value


def _norm_protocol(value):
    num = _number_like(value)
    return num if num is not None else value


def _norm_port(value):
    if _is_int(value):
        return value
    if isinstance(value, str):
        if _DIGITS.match(value):
            return int(value)
        m = _PORT_RANGE.match(value)
        if m:
            low, high = int(m.group(1)), int(m.group(2))
            return low if low == high else "%d:%d" % (low, high)
    return value


def _norm_entity(entity):
    if not isinstance(entity, dict):
        return entity
    out = dict(entity)
    for key in ("nets", "notNets"):
        if isinstance(out.get(key), list):
            out[key] = [canonical_cidr(n) for n in out[key]]
    for key in ("ports", "notPorts"):
        if isinstance(out.get(key), list):
            out[key] = [_norm_port(p) for p in out[key]]
    return out


def _norm_rule(rule):
    if not isinstance(rule, dict):
        return rule
    out = dict(rule)
    for key in ("protocol", "notProtocol"):
        if key in out:
            out[key] = _norm_protocol(out[key])
    for key in ("source", "destination"):
        if key in out:
            out[key] = _norm_entity(out[key])
    return out


def infer_types(spec):
    """Calico's default for spec.types: from the rules present."""
    has_egress = bool(spec.get("egress"))
    has_ingress = bool(spec.get("ingress"))
    if not has_egress:
        return ["Ingress"]
    if not has_ingress:
        return ["Egress"]
    return ["Ingress", "Egress"]


def normalize_spec(kind, spec):
    """The spec with Calico's defaults filled in and empty values dropped.

    Total (never raises, whatever it is given) and idempotent; applied to desired and current
    specs alike so that equal meaning compares equal.
    """
    if not isinstance(spec, dict):
        return spec
    out = _prune(copy.deepcopy(spec))
    if "order" in out:
        out["order"] = _norm_number(out["order"])
    if kind == "Tier":
        out.setdefault("defaultAction", "Deny")
        return out
    if kind in ("NetworkSet", "GlobalNetworkSet"):
        if isinstance(out.get("nets"), list):
            out["nets"] = [canonical_cidr(n) for n in out["nets"]]
        return out
    if kind not in ("NetworkPolicy", "GlobalNetworkPolicy"):
        return out
    selector = out.get("selector")
    if selector is None or (isinstance(selector, str) and not selector.strip(" \t")):
        out["selector"] = "all()"
    if not out.get("tier"):
        out["tier"] = DEFAULT_TIER
    for direction in ("ingress", "egress"):
        if isinstance(out.get(direction), list):
            out[direction] = _prune([_norm_rule(r) for r in out[direction]])
    types = out.get("types")
    if not types:
        out["types"] = infer_types(out)
    elif isinstance(types, list):
        rank = {"Ingress": 0, "Egress": 1}
        try:
            out["types"] = sorted(types, key=lambda t: (rank.get(t, 2), str(t)))
        except TypeError:
            pass
    if kind == "GlobalNetworkPolicy":
        for key in GNP_FALSE_DEFAULTS:
            if out.get(key) is False:
                del out[key]
    return out


# Kubernetes label selectors (purge) -------------------------------------------------------------
_LS_REQ = re.compile(r"^\s*(!)?\s*([^\s=!,()]+)\s*(?:(==|=|!=)\s*([^\s,()]*)|\s+(in|notin)\s*\(([^()]*)\))?\s*$")


def parse_label_selector(text):
    """A Kubernetes label selector (as ``kubectl -l``) as a list of (key, op, values); ValueError."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("must be a non-empty Kubernetes label selector")
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    reqs = []
    for part in parts:
        m = _LS_REQ.match(part)
        if not m:
            raise ValueError("cannot parse %r (use key, !key, key=value, key!=value, key in (a,b), "
                             "key notin (a,b), joined by commas)" % part.strip())
        bang, key, op, value, setop, setvals = m.groups()
        if not is_qualified_name(key):
            raise ValueError("%r is not a valid label key" % key)
        if bang:
            if op or setop:
                raise ValueError("'!' only negates a bare key: %r" % part.strip())
            reqs.append((key, "!", ()))
        elif op:
            if value and not LABEL_VALUE.match(value):
                raise ValueError("%r is not a valid label value" % value)
            reqs.append((key, "!=" if op == "!=" else "=", (value,)))
        elif setop:
            values = tuple(v.strip() for v in setvals.split(",")) if setvals.strip() else ()
            if not values or any(v and not LABEL_VALUE.match(v) for v in values):
                raise ValueError("invalid value set in %r" % part.strip())
            reqs.append((key, setop, values))
        else:
            reqs.append((key, "exists", ()))
    return reqs


def label_selector_matches(reqs, labels):
    labels = labels or {}
    for key, op, values in reqs:
        present = key in labels
        if op == "exists" and not present:
            return False
        if op == "!" and present:
            return False
        if op == "=" and labels.get(key) != values[0]:
            return False
        if op == "!=" and present and labels[key] == values[0]:
            return False
        if op == "in" and (not present or labels[key] not in values):
            return False
        if op == "notin" and present and labels[key] in values:
            return False
    return True


# Items ------------------------------------------------------------------------------------------
class Desired(object):
    """One validated item: identity, desired labels and normalized spec."""

    __slots__ = ("index", "kind", "name", "namespace", "labels", "spec", "state", "where")

    def __init__(self, index, kind, name, namespace, labels, spec, state, where):
        self.index = index
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.spec = spec
        self.state = state
        self.where = where

    @property
    def key(self):
        return (self.kind, self.namespace or "", self.name)

    @property
    def ref(self):
        return describe(self.kind, self.namespace, self.name)

    @property
    def tier(self):
        if KINDS[self.kind][2]:
            return (self.spec or {}).get("tier") or DEFAULT_TIER
        return None


def _item_where(index, item):
    if index is None:
        prefix = ""
    else:
        prefix = "policies[%d]" % index
    if isinstance(item, dict) and isinstance(item.get("kind"), str) and isinstance(item.get("name"), str):
        ident = describe(item["kind"], item.get("namespace") if isinstance(item.get("namespace"), str) else None,
                         item["name"])
        return "%s (%s): " % (prefix, ident) if prefix else "%s: " % ident
    return "%s: " % prefix if prefix else ""


def validate_item(item, index=None, default_state="present"):
    """Validate one item; returns (Desired or None, problems)."""
    ck = _Checker(_item_where(index, item))
    if not isinstance(item, dict):
        ck.add("", "each entry must be a mapping with kind, name, namespace, labels, spec, state; got %s"
               % _type_name(item))
        return None, ck.problems
    for key in item:
        if key not in ITEM_KEYS:
            ck.add(key, "unknown option%s; allowed: %s" % (_suggest(key, ITEM_KEYS), ", ".join(ITEM_KEYS)))
    kind = item.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        ck.add("kind", "required, one of %s (got %r)%s" % (", ".join(KIND_ORDER), kind,
                                                           _suggest(kind, KINDS) if kind else ""))
        return None, ck.problems
    state = item.get("state") or default_state
    if state not in ("present", "absent"):
        ck.add("state", "must be present or absent, got %r" % (state,))
    namespace = item.get("namespace") or None
    spec = item.get("spec")
    check_name(ck, kind, item.get("name"), spec if isinstance(spec, dict) else {}, state)
    check_namespace(ck, kind, namespace)
    labels = item.get("labels")
    check_labels(ck, kind, labels)
    if state == "present":
        if spec is None and kind not in ("Tier", "NetworkSet", "GlobalNetworkSet"):
            ck.add("spec", "required for a %s with state present" % kind)
        else:
            check_spec(ck, kind, spec)
    if ck.problems:
        return None, ck.problems
    norm = normalize_spec(kind, spec or {}) if state == "present" else None
    return Desired(index, kind, item["name"], namespace, dict(labels or {}), norm, state,
                   ck.prefix), []


def validate_items(items, default_state="present", batch=True):
    """Validate every item; returns the Desired list or raises CalicoValidationError (all problems)."""
    problems = []
    out = []
    seen = {}
    if not isinstance(items, list):
        raise CalicoValidationError(["policies: must be a list"])
    for i, item in enumerate(items):
        desired, probs = validate_item(item, i if batch else None, default_state)
        problems.extend(probs)
        if desired is None:
            continue
        if desired.key in seen:
            problems.append("%s%s is listed twice (also at policies[%d])" % (desired.where, desired.ref,
                                                                             seen[desired.key]))
            continue
        seen[desired.key] = i
        out.append(desired)
    # Cross-item: a tier removed by this batch while policies of the batch are placed in it.
    absent_tiers = {d.name: d for d in out if d.kind == "Tier" and d.state == "absent"}
    for d in out:
        if d.state == "present" and d.tier in absent_tiers:
            problems.append("%sspec.tier: tier %r is removed by %s in the same batch"
                            % (d.where, d.tier, absent_tiers[d.tier].where.rstrip(": ")))
    if problems:
        raise CalicoValidationError(problems)
    return out


def validate_params(params):
    """Module parameters -> (Desired list, purge requirements or None, purge kinds).

    Raises CalicoValidationError with every problem (items and purge alike) before any request.
    """
    problems = []
    batch = params.get("policies") is not None
    default_state = params.get("state") or "present"
    if batch:
        items = params["policies"]
    elif params.get("name") is not None or params.get("kind") is not None:
        items = [{k: params.get(k) for k in ITEM_KEYS if params.get(k) is not None}]
        items[0]["state"] = default_state
    else:
        items = []
    desired = []
    try:
        desired = validate_items(items, default_state, batch=batch)
    except CalicoValidationError as exc:
        problems.extend(exc.problems)
    purge_reqs = None
    purge = params.get("purge")
    if purge is not None:
        try:
            purge_reqs = parse_label_selector(purge)
        except ValueError as exc:
            problems.append("purge: %s" % exc)
    purge_kinds = tuple(k for k in KIND_ORDER if k in (params.get("purge_kinds") or KIND_ORDER))
    if problems:
        raise CalicoValidationError(problems)
    return desired, purge_reqs, purge_kinds
