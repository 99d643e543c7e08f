# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checks of a Calico rule and of a whole spec, kind by kind.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hardened.eks.plugins.module_utils._calico.fields import _check_entity
from ansible_collections.hardened.eks.plugins.module_utils._calico.fields import _check_icmp
from ansible_collections.hardened.eks.plugins.module_utils._calico.fields import check_nets
from ansible_collections.hardened.eks.plugins.module_utils._calico.fields import check_protocol
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import ACTIONS
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import DNS1123_LABEL
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import GNP_FALSE_DEFAULTS
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import ICMP_PROTOCOLS
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import PERFORMANCE_HINTS
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import POLICY_TYPES
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import PORT_PROTOCOLS
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import RULE_KEYS
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import SPEC_KEYS
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import TIER_DEFAULT_ACTIONS
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import _is_int
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import _is_number
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import _suggest
from ansible_collections.hardened.eks.plugins.module_utils._calico.model import _type_name


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
