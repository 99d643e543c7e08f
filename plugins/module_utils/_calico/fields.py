# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checks of one field of a Calico object: names, namespaces, labels, protocols, ports, nets,
ICMP and rule entities (source/destination).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible_collections.hardened.eks.plugins.module_utils._calico.model import DEFAULT_TIER
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import DNS1123_LABEL
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import DNS1123_SUBDOMAIN
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import ENTITY_KEYS
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import ICMP_PROTOCOLS
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import KINDS
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import LABEL_VALUE
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import MANAGED_LABEL
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import MANAGED_VALUE
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import POLICY_NAME
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import PORT_NAME
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import PROTOCOL_NAMES
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import RESERVED_POLICY_PREFIXES
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import RESERVED_TIERS
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import _DIGITS
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import _PORT_RANGE
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import _is_int
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import _suggest
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import _type_name
from ansible_collections.hardened.eks.plugins.module_utils.calico_selector import is_qualified_name


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
