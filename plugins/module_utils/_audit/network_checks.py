# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Calico checks: default deny, DNS and metadata egress (an egress packet evaluated against
the policies, tier by tier), selectors that parse, no public allow-all ingress.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import json
import re

from ansible_collections.hardened.eks.plugins.module_utils._audit.common import FAIL
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import METADATA_IP
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import PASS
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import _join
from ansible_collections.hardened.eks.plugins.module_utils._audit.common import result


def _selects_all(selector):
    return selector is None or str(selector).strip() in ("", "all()")


def _policy_types(spec, k8s=False):
    types = spec.get("policyTypes" if k8s else "types")
    if types:
        return set(types)
    out = {"Ingress"}
    if spec.get("egress"):
        out.add("Egress")
    return out


def normalize_policies(calico_nps, calico_gnps, k8s_nps):
    """Calico NetworkPolicies, GlobalNetworkPolicies and Kubernetes NetworkPolicies (as the API
    returns them) -> one list of ``{kind, namespace, name, order, selector, all_pods,
    global_all_ns, types, ingress, egress}`` with Calico-style rules."""
    out = []
    for kind, items in (("NetworkPolicy", calico_nps), ("GlobalNetworkPolicy", calico_gnps)):
        for p in items or []:
            meta = p.get("metadata") or {}
            spec = p.get("spec") or {}
            order = spec.get("order")
            try:
                order = float(order) if order is not None else None
            except (TypeError, ValueError):
                order = None
            out.append({
                "kind": kind, "namespace": meta.get("namespace"), "name": meta.get("name"),
                "ref": "%s %s" % (kind, "%s/%s" % (meta.get("namespace"), meta.get("name"))
                                  if meta.get("namespace") else meta.get("name")),
                "order": order, "selector": spec.get("selector"),
                "all_pods": _selects_all(spec.get("selector")),
                "all_ns": kind == "NetworkPolicy" or _selects_all(spec.get("namespaceSelector")),
                "namespace_selector": spec.get("namespaceSelector"),
                "types": _policy_types(spec), "ingress": list(spec.get("ingress") or []),
                "egress": list(spec.get("egress") or [])})
    for p in k8s_nps or []:
        meta = p.get("metadata") or {}
        spec = p.get("spec") or {}
        pod_sel = spec.get("podSelector") or {}
        out.append({
            "kind": "KubernetesNetworkPolicy", "namespace": meta.get("namespace"), "name": meta.get("name"),
            "ref": "networking.k8s.io NetworkPolicy %s/%s" % (meta.get("namespace"), meta.get("name")),
            "order": 1000.0, "selector": None if not pod_sel else json.dumps(pod_sel, sort_keys=True),
            "all_pods": not (pod_sel.get("matchLabels") or pod_sel.get("matchExpressions")), "all_ns": True,
            "types": _policy_types(spec, k8s=True),
            "ingress": [_k8s_rule(r, "from") for r in spec.get("ingress") or []],
            "egress": [_k8s_rule(r, "to") for r in spec.get("egress") or []]})
    return out


def _k8s_rule(rule, peer_key):
    """A Kubernetes NetworkPolicy rule as Calico-style Allow rules (one per peer and port is
    not needed here: nets and 'other peers' are what the checks read)."""
    peers = rule.get(peer_key) or []
    nets, not_nets, has_selector = [], [], False
    for peer in peers:
        block = peer.get("ipBlock")
        if block:
            nets.append(block.get("cidr"))
            not_nets.extend(block.get("except") or [])
        else:
            has_selector = True
    entity = {}
    if nets:
        entity["nets"] = nets
    if not_nets:
        entity["notNets"] = not_nets
    if has_selector and not nets:
        entity["selector"] = "(kubernetes peer selector)"
    ports = rule.get("ports") or []
    rules_ports = [p.get("port") for p in ports if p.get("port") is not None]
    protos = sorted(set((p.get("protocol") or "TCP") for p in ports))
    out = {"action": "Allow", "source" if peer_key == "from" else "destination": entity}
    if rules_ports:
        out.setdefault("destination", {})["ports"] = rules_ports
    if len(protos) == 1:
        out["protocol"] = protos[0]
    return out


def namespace_matcher(namespaces, parse_selector):
    """``match(selector, namespace)`` for GlobalNetworkPolicy namespace selectors: the selector
    (parsed with ``parse_selector``, which returns an object with ``evaluate(labels)``) against
    the namespace's labels plus the ``projectcalico.org/name`` label Calico gives every
    namespace. A selector that does not parse matches nothing (Calico drops the policy)."""
    labels = {}
    for n in namespaces or []:
        meta = n.get("metadata") or {}
        labels[meta.get("name")] = dict(meta.get("labels") or {})

    def match(selector, namespace):
        ns_labels = dict(labels.get(namespace) or {}, **{"projectcalico.org/name": namespace})
        try:
            return bool(parse_selector(selector).evaluate(ns_labels))
        except ValueError:
            return False
    return match


def _applies_to_namespace(policy, namespace, ns_match=None):
    """Whether a policy applies to pods of ``namespace``. Without ``ns_match`` a global policy
    with a namespace selector other than all() is taken as not applying."""
    if policy["kind"] == "GlobalNetworkPolicy":
        if policy["all_ns"]:
            return True
        return bool(ns_match and ns_match(policy["namespace_selector"], namespace))
    return policy["namespace"] == namespace


def _unconstrained(entity):
    entity = entity or {}
    keys = [k for k, v in entity.items() if v not in (None, [], {}, "")]
    if not keys:
        return True
    if keys == ["nets"]:
        return any(str(n) in ("0.0.0.0/0", "::/0") for n in entity["nets"])
    return False


def _allow_all_rule(rule, direction):
    """An Allow rule that matches every packet of a direction."""
    if rule.get("action") != "Allow" or rule.get("protocol") or rule.get("notProtocol"):
        return False
    peer = "source" if direction == "ingress" else "destination"
    other = "destination" if direction == "ingress" else "source"
    peer_entity = dict(rule.get(peer) or {})
    other_entity = dict(rule.get(other) or {})
    return _unconstrained(peer_entity) and not other_entity


def _no_namespaces(check):
    """Asked to audit Calico with no application namespace: nothing was audited, which must not
    read as a pass or a mere warning (a copied inventory that lost its list)."""
    return result(check, FAIL, "no application namespaces given: nothing was audited",
                  "list the application namespaces (verify_application_namespaces, by default the calico "
                  "role's hardened_eks_application_namespaces), or leave calico out of verify_checks")


def check_default_deny(policies, namespaces, ns_match=None):
    check = "calico.default_deny"
    if not namespaces:
        return _no_namespaces(check)
    bad, good = [], []
    for ns in namespaces:
        covered = {"Ingress": [], "Egress": []}
        for p in policies:
            if not (_applies_to_namespace(p, ns, ns_match) and p["all_pods"]):
                continue
            for t, direction in (("Ingress", "ingress"), ("Egress", "egress")):
                if t in p["types"] and not any(_allow_all_rule(r, direction) for r in p[direction]):
                    covered[t].append(p["ref"])
        lacking = [t for t in ("Ingress", "Egress") if not covered[t]]
        if lacking:
            bad.append("%s: nothing denies %s by default" % (ns, " and ".join(t.lower() for t in lacking)))
        else:
            good.append("%s (%s)" % (ns, ", ".join(sorted(set(covered["Ingress"] + covered["Egress"])))))
    if bad:
        return result(check, FAIL, _join(bad),
                      "add a policy selecting all() with types [Ingress, Egress] in each namespace "
                      "(the calico role's baseline); unmatched traffic is then denied")
    return result(check, PASS, _join(good))


# --- evaluation of an egress packet against the policies -------------------------------------
PROTOCOL_NUMBERS = {"TCP": 6, "UDP": 17, "ICMP": 1, "SCTP": 132, "ICMPv6": 58, "UDPLite": 136}


def _proto_is(value, proto):
    if value is None:
        return True
    if isinstance(value, int) or str(value).isdigit():
        return int(value) == PROTOCOL_NUMBERS.get(proto)
    return str(value).upper() == proto.upper()


def _port_in(port, spec_ports, named_ok):
    """Whether ``port`` falls in a Calico ports list (ints, "a:b" ranges, names)."""
    for p in spec_ports:
        if isinstance(p, int) or (isinstance(p, str) and p.isdigit()):
            if int(p) == port:
                return True
        elif isinstance(p, str) and re.match(r"^\d+:\d+$", p):
            lo, hi = (int(x) for x in p.split(":"))
            if lo <= port <= hi:
                return True
        elif named_ok and named_ok(p):
            return True
    return False


def _ip_in(ip, nets):
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for n in nets or []:
        try:
            if addr in ipaddress.ip_network(str(n), strict=False):
                return True
        except ValueError:
            continue
    return False


def _dest_match(dest, packet):
    """yes/no/maybe for the destination part of a rule and a packet
    ``{protocol, port, ip (None = unknown), named_ports}``."""
    dest = dest or {}
    answer = "yes"
    ip = packet.get("ip")
    if dest.get("nets"):
        if ip is None:
            answer = "maybe"
        elif not _ip_in(ip, dest["nets"]):
            return "no"
    if dest.get("notNets") and ip is not None and _ip_in(ip, dest["notNets"]):
        return "no"
    if any(dest.get(k) for k in ("selector", "namespaceSelector", "serviceAccounts", "services", "domains")):
        # selectors match endpoints and network sets, not a bare IP such as the metadata address
        if ip is not None and not dest.get("nets"):
            return "no"
        answer = "maybe"
    named = (lambda name: name in packet.get("named_ports", ())) if packet.get("named_ports") else None
    if dest.get("ports") and not _port_in(packet["port"], dest["ports"], named):
        return "no"
    if dest.get("notPorts") and _port_in(packet["port"], dest["notPorts"], named):
        return "no"
    return answer


def rule_matches(rule, packet):
    """yes/no/maybe: does an egress rule match the packet (from an unknown pod)?"""
    if rule.get("ipVersion") == 6 and packet.get("ip") and ":" not in packet["ip"]:
        return "no"
    if not _proto_is(rule.get("protocol"), packet["protocol"]):
        return "no"
    if rule.get("notProtocol") is not None and _proto_is(rule.get("notProtocol"), packet["protocol"]):
        return "no"
    d = _dest_match(rule.get("destination"), packet)
    if d == "no":
        return "no"
    src = rule.get("source") or {}
    if any(v not in (None, [], {}, "") for v in src.values()) or rule.get("http"):
        return "maybe"
    return d


def _sorted_policies(policies):
    return sorted(policies, key=lambda p: (p["order"] is None, p["order"] or 0, p["name"] or ""))


def evaluate_egress(policies, packet):
    """Walk the egress rules of ``policies`` (all applying to one pod) in Calico's order.
    Returns ``(verdict, where)``: verdict ``allow`` / ``deny`` / ``maybe-allow`` /
    ``no-policy`` and the rule (``policy ref egress[i]``) or reason."""
    egress_policies = [p for p in _sorted_policies(policies) if "Egress" in p["types"]]
    if not egress_policies:
        return "no-policy", "no egress policy selects these pods"
    maybe = None
    for p in egress_policies:
        for i, rule in enumerate(p["egress"]):
            action = rule.get("action")
            if action == "Log":
                continue
            m = rule_matches(rule, packet)
            if m == "no":
                continue
            where = "%s egress[%d] (%s)" % (p["ref"], i, action)
            if action in ("Allow", "Pass"):
                if m == "yes":
                    return ("allow", where) if maybe is None else ("maybe-allow", maybe)
                maybe = maybe or where
            elif action == "Deny" and m == "yes":
                return ("deny", where) if maybe is None else ("maybe-allow", maybe)
    if maybe:
        return "maybe-allow", maybe
    return "deny", "default deny at the end of the tier"


def _scenarios(policies, namespace, ns_match=None):
    """(label, applying policies): every pod of the namespace, and for each policy with a
    narrower selector, the pods it selects (with the all-pods policies)."""
    applying = [p for p in policies if _applies_to_namespace(p, namespace, ns_match)]
    everyone = [p for p in applying if p["all_pods"]]
    out = [("all pods", everyone)]
    for p in applying:
        if not p["all_pods"] and p["egress"]:
            out.append(("pods selected by %s" % p["ref"], everyone + [p]))
    return out


def check_dns(policies, namespaces, ns_match=None):
    check = "calico.dns"
    if not namespaces:
        return _no_namespaces(check)
    packet = {"protocol": "UDP", "port": 53, "ip": None, "named_ports": ("dns",)}
    bad, good = [], []
    for ns in namespaces:
        verdict, where = evaluate_egress(_scenarios(policies, ns, ns_match)[0][1], packet)
        if verdict in ("allow", "maybe-allow", "no-policy"):
            good.append("%s: %s" % (ns, where))
        else:
            bad.append("%s: UDP 53 denied by %s" % (ns, where))
    if bad:
        return result(check, FAIL, _join(bad),
                      "allow egress UDP and TCP 53 to kube-dns (k8s-app == 'kube-dns' in kube-system) "
                      "before any deny; without it every name lookup times out")
    return result(check, PASS, _join(good))


def check_metadata(policies, namespaces, ns_match=None):
    check = "calico.metadata"
    if not namespaces:
        return _no_namespaces(check)
    packet = {"protocol": "TCP", "port": 80, "ip": METADATA_IP}
    bad, good = [], []
    for ns in namespaces:
        ns_bad = []
        first = None
        for label, applying in _scenarios(policies, ns, ns_match):
            verdict, where = evaluate_egress(applying, packet)
            if verdict == "deny":
                first = first or where
                continue
            if verdict == "no-policy":
                ns_bad.append("%s: %s can reach %s (%s)" % (ns, label, METADATA_IP, where))
            else:
                ns_bad.append("%s: %s can reach %s through %s" % (ns, label, METADATA_IP, where))
        if ns_bad:
            bad.extend(ns_bad)
        else:
            good.append("%s: denied by %s" % (ns, first))
    if bad:
        return result(check, FAIL, _join(bad),
                      "deny egress to 169.254.169.254/32 before any broader allow (the calico role's "
                      "baseline); pods reach kube2iam through its DNAT to the node's port 8181, not "
                      "this address")
    return result(check, PASS, _join(good))


def policy_selectors(policy):
    """(where, selector) for every selector of a Calico policy object (raw, as stored)."""
    spec = policy.get("spec") or {}
    out = []
    for key in ("selector", "namespaceSelector", "serviceAccountSelector"):
        if spec.get(key) is not None:
            out.append((key, spec[key]))
    for direction in ("ingress", "egress"):
        for i, rule in enumerate(spec.get(direction) or []):
            for side in ("source", "destination"):
                entity = (rule or {}).get(side) or {}
                for key in ("selector", "notSelector", "namespaceSelector"):
                    if entity.get(key) is not None:
                        out.append(("%s[%d].%s.%s" % (direction, i, side, key), entity[key]))
                sa = entity.get("serviceAccounts") or {}
                if sa.get("selector") is not None:
                    out.append(("%s[%d].%s.serviceAccounts.selector" % (direction, i, side), sa["selector"]))
    return out


def check_selectors(objects, parse_selector):
    """``objects``: Calico policy objects (NetworkPolicy, GlobalNetworkPolicy, ...) as stored;
    ``parse_selector(text)`` raises ValueError (or a subclass) on a selector Calico would refuse."""
    check = "calico.selectors"
    bad = []
    count = 0
    for obj in objects or []:
        meta = obj.get("metadata") or {}
        ref = "%s %s" % (obj.get("kind") or "policy",
                         "%s/%s" % (meta["namespace"], meta.get("name")) if meta.get("namespace") else meta.get("name"))
        for where, sel in policy_selectors(obj):
            count += 1
            try:
                if not isinstance(sel, str):
                    raise ValueError("not a string: %r" % (sel,))
                parse_selector(sel)
            except ValueError as exc:
                bad.append("%s %s %r: %s" % (ref, where, sel, exc))
    if bad:
        return result(check, FAIL, _join(bad),
                      "fix the selector: Calico drops a policy whose selector does not parse, so its "
                      "rules silently do nothing (write policies through hardened.eks.calico_policy, "
                      "which validates them)")
    return result(check, PASS, "%d selectors in %d policies parse" % (count, len(objects or [])))


def check_public_ingress(policies, allowed):
    """Allow ingress rules whose source is anyone (no constraint, or 0.0.0.0/0, ::/0)."""
    check = "calico.public_ingress"
    allowed = set(allowed or [])
    bad, listed = [], []
    for p in policies:
        name = "%s/%s" % (p["namespace"], p["name"]) if p["namespace"] else p["name"]
        for i, rule in enumerate(p["ingress"]):
            if rule.get("action") != "Allow" or not _unconstrained(rule.get("source")):
                continue
            ports = (rule.get("destination") or {}).get("ports")
            text = "%s ingress[%d] allows %s from anywhere%s" % (
                p["ref"], i, rule.get("protocol") or "all protocols",
                " to ports %s" % ",".join(str(x) for x in ports) if ports else "")
            (listed if name in allowed else bad).append(text)
    if bad:
        return result(check, FAIL, _join(bad),
                      "narrow the source (nets of your load balancers, a namespaceSelector), or list "
                      "the policy as <namespace>/<name> in the allowed public ingress")
    if listed:
        return result(check, PASS, "only listed: " + _join(listed))
    return result(check, PASS, "no allow-all ingress")
