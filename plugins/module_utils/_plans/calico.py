# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Calico baseline of the ``calico`` role (pure; filter ``hardened.eks.calico_plan``).

The whole baseline as one ``calico_policy`` batch, plus every problem of the inventory. The
batch is then validated exactly as ``calico_policy`` validates it (selectors, ports, CIDRs,
orders, names), so a policy the module would refuse is reported before Calico is installed or a
namespace is created.

Evaluation order (README "Order and tiers")::

  tier <calico_tier_name> (order calico_tier_order, before the default tier)
    GlobalNetworkPolicy <tier>.deny-instance-metadata: Deny egress to the metadata
    addresses, then Pass everything else to the default tier.
  default tier, per application namespace:
    hardened-eks-allow-dns        (calico_baseline_order)  egress UDP/TCP 53 to kube-dns
    hardened-eks-allow-kube2iam   (calico_baseline_order)  egress TCP <kube2iam port> to the nodes
    hardened-eks-allow-pod-identity (calico_baseline_order) egress TCP 80 to the EKS Pod Identity
                                  agent, for the listed service accounts' pods only
    hardened-eks-app-<name>       (calico_application_order) the application's rules
    hardened-eks-default-deny     (calico_default_deny_order) selects all(), no rule

Nothing in the default tier can allow what the tier before it denied.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hardened.eks.plugins.module_utils import _names
from ansible_collections.hardened.eks.plugins.module_utils._calico.items import batch_problems, validate_item
from ansible_collections.hardened.eks.plugins.module_utils._plans.common import (
    Problems,
    as_bool,
    is_list,
    is_str,
    namespace_names,
    namespace_objects,
    where,
)

SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")
APP_NAME_RE = re.compile(r"^[a-z0-9](?:[-a-z0-9]{0,40}[a-z0-9])?$")
SA_RE = re.compile(r"^[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?$")
PEERS = (("ingress", "from"), ("egress", "to"))
# Stands for the node subnets calico_node_subnet_filters will find, in the offline plan only
# (RFC 5737 TEST-NET-1: never a real node subnet).
LOOKUP_PLACEHOLDER = "192.0.2.0/24"


def _port(value):
    text = str(value)
    return int(text) if re.match(r"^[0-9]{1,5}$", text) else None


def _metadata_deny(cfg, p, tier, labels):
    cidrs = cfg["metadata_cidrs"] if is_list(cfg["metadata_cidrs"]) else []
    v4 = [c for c in cidrs if ":" not in str(c)]
    v6 = [c for c in cidrs if ":" in str(c)]
    if not v4:
        p.add("calico_metadata_cidrs", ": must include 169.254.169.254/32 (the instance metadata service)")
    rules = []
    if v4:
        rules.append({"action": "Deny", "ipVersion": 4, "destination": {"nets": v4}})
    if v6:
        rules.append({"action": "Deny", "ipVersion": 6, "destination": {"nets": v6}})
    return [
        {"kind": "Tier", "name": tier, "labels": labels,
         "spec": {"order": int(cfg["tier_order"]), "defaultAction": "Pass"}},
        {"kind": "GlobalNetworkPolicy", "name": tier + ".deny-instance-metadata", "labels": labels,
         "spec": {"tier": tier, "order": 10, "selector": "all()",
                  "namespaceSelector": cfg["metadata_deny_namespace_selector"],
                  "types": ["Egress"], "egress": rules + [{"action": "Pass"}]}},
    ]


def _pod_identity_accounts(cfg, p, namespaces):
    """calico_pod_identity_service_accounts ("<namespace>/<name>") -> {namespace: [names]}."""
    out = {}
    items = cfg.get("pod_identity_service_accounts") or []
    if not is_list(items):
        p.add("calico_pod_identity_service_accounts", ": must be a list of <namespace>/<service account>")
        return out
    for i, item in enumerate(items):
        at = "calico_pod_identity_service_accounts[%d]" % i
        ns, _sep, name = str(item).partition("/")
        if not SA_RE.match(name) or not _names.is_valid(ns, "dns_label"):
            p.add(at, ": %r is not <namespace>/<service account>" % (item,))
        elif ns not in namespaces:
            p.add(at, ": %s is not in calico_application_namespaces; its pods have no default deny, so the "
                      "allowance would mean nothing" % ns)
        elif name not in out.setdefault(ns, []):
            out[ns].append(name)
    return out


def _baseline(cfg, namespace, labels, kube2iam_port, pod_identity=()):
    labels = dict(labels, **{"hardened.eks/namespace": namespace})
    dns_peer = {"namespaceSelector": "projectcalico.org/name == '%s'" % cfg["dns_namespace"],
                "selector": cfg["dns_selector"], "ports": [53]}
    out = [
        {"kind": "NetworkPolicy", "namespace": namespace, "name": "hardened-eks-default-deny", "labels": labels,
         "spec": {"order": int(cfg["default_deny_order"]), "selector": "all()", "types": ["Ingress", "Egress"]}},
        {"kind": "NetworkPolicy", "namespace": namespace, "name": "hardened-eks-allow-dns", "labels": labels,
         "spec": {"order": int(cfg["baseline_order"]), "selector": "all()", "types": ["Egress"],
                  "egress": [{"action": "Allow", "protocol": proto, "destination": dict(dns_peer)}
                             for proto in ("UDP", "TCP")]}},
    ]
    if kube2iam_port is not None:
        out.append(
            {"kind": "NetworkPolicy", "namespace": namespace, "name": "hardened-eks-allow-kube2iam",
             "labels": dict(labels, **{"hardened.eks/kube2iam-port": str(kube2iam_port)}),
             "spec": {"order": int(cfg["baseline_order"]), "selector": "all()", "types": ["Egress"],
                      "egress": [{"action": "Allow", "protocol": "TCP",
                                  "destination": {"nets": list(cfg["node_cidrs"]), "ports": [kube2iam_port]}}]}})
    if pod_identity:
        # Only the pods of these service accounts reach the agent (it serves any pod that asks;
        # EKS hands out credentials only for associated service accounts, and the others have
        # no business there).
        cidrs = cfg.get("pod_identity_cidrs") or []
        rules = [{"action": "Allow", "protocol": "TCP", "ipVersion": version,
                  "destination": {"nets": nets, "ports": [80]}}
                 for version, nets in ((4, [c for c in cidrs if ":" not in str(c)]),
                                       (6, [c for c in cidrs if ":" in str(c)])) if nets]
        out.append(
            {"kind": "NetworkPolicy", "namespace": namespace, "name": "hardened-eks-allow-pod-identity",
             "labels": labels,
             "spec": {"order": int(cfg["baseline_order"]), "selector": "all()",
                      "serviceAccountSelector": "projectcalico.org/name in {%s}"
                                                % ", ".join("'%s'" % n for n in sorted(pod_identity)),
                      "types": ["Egress"], "egress": rules}})
    return out


def _peer_rules(rule, direction, prefix):
    """The Calico rules of one inventory rule: one for CIDRs, one for namespaces/selector."""
    base = {"action": "Allow", "protocol": rule.get("protocol", "TCP")}
    ports = rule.get("ports") or []
    dest_ports = {"ports": ports} if ports else {}
    peers = []
    if rule.get(prefix + "_cidrs"):
        peers.append({"nets": rule[prefix + "_cidrs"]})
    namespaces = rule.get(prefix + "_namespaces") or []
    selector = rule.get(prefix + "_selector") or ""
    if namespaces or selector:
        peer = {}
        if namespaces:
            peer["namespaceSelector"] = "projectcalico.org/name in {%s}" % ", ".join("'%s'" % n for n in namespaces)
        if selector:
            peer["selector"] = selector
        peers.append(peer)
    out = []
    for peer in peers:
        r = dict(base)
        if direction == "ingress":
            r["source"] = peer
            if dest_ports:
                r["destination"] = dest_ports
        else:
            r["destination"] = dict(peer, **dest_ports)
        out.append(r)
    return out


def _application(cfg, i, app, p, names, namespaces):
    if not isinstance(app, dict):
        p.add("calico_applications[%d]" % i, ": must be a mapping with name, namespace and ingress/egress")
        return None
    name = app.get("name", "")
    at = where("calico_applications", i, name)
    namespace = app.get("namespace", "")
    if not is_str(name) or not APP_NAME_RE.match(name):
        p.add(at, ".name: %r must be a DNS-1123 label of at most 42 characters" % (name,))
    elif name in names:
        p.add(at, ".name: used by another application")
    names.append(name)
    if namespace not in namespaces:
        p.add(at, ".namespace: %r is not in calico_application_namespaces; its pods would have no default deny, "
                  "so these allows would mean nothing" % (namespace,))
    rules = {"ingress": [], "egress": []}
    for direction, prefix in PEERS:
        listed = app.get(direction) or []
        if not is_list(listed):
            p.add(at, ".%s: must be a list of rules" % direction)
            continue
        allowed = ("protocol", "ports", "description", prefix + "_cidrs", prefix + "_namespaces", prefix + "_selector")
        for j, rule in enumerate(listed):
            rat = "%s.%s[%d]" % (at, direction, j)
            if not isinstance(rule, dict):
                p.add(rat, ": must be a mapping (%s)" % ", ".join(allowed))
                continue
            unknown = [k for k in rule if k not in allowed]
            if unknown:
                p.add(rat, ": unknown keys %s (use %s)" % (", ".join(map(str, unknown)), ", ".join(allowed)))
            if not any(rule.get(prefix + s) for s in ("_cidrs", "_namespaces", "_selector")):
                p.add(rat, ": say where %s: %s_cidrs, %s_namespaces and/or %s_selector (anywhere must be written as "
                           "0.0.0.0/0)" % (prefix, prefix, prefix, prefix))
            rules[direction].extend(_peer_rules(rule, direction, prefix))
    types = [t for t, d in (("Ingress", "ingress"), ("Egress", "egress")) if rules[d]]
    if not types:
        p.add(at, ": no ingress or egress rules; remove the application or give it rules")
        return None
    spec = {"order": int(cfg["application_order"]), "selector": app.get("selector", "all()"), "types": types}
    for d in ("ingress", "egress"):
        if rules[d]:
            spec[d] = rules[d]
    return {"kind": "NetworkPolicy", "namespace": namespace, "name": "hardened-eks-app-%s" % name,
            "labels": dict(cfg["labels"], **{"hardened.eks/app": name}), "spec": spec}


def plan(cfg):
    """The baseline. ``cfg`` holds the inventory (application_namespaces, applications, tier_name,
    tier_order, baseline_order, application_order, default_deny_order, metadata_cidrs,
    metadata_deny_namespace_selector, dns_namespace, dns_selector, kube2iam, kube2iam_port,
    node_cidrs: the listed and discovered node subnets, pod_identity_service_accounts,
    pod_identity_cidrs) and the role's labels.

    ``node_subnet_lookup`` (optional, true) says the node subnets are still to be found by
    calico_node_subnet_filters: this is then the offline plan, made before any request, and an
    empty ``node_cidrs`` is not a problem yet (the kube2iam policy is checked with a
    documentation network in their place; the plan after the lookup checks the real ones).
    """
    p = Problems()
    for var in ("application_namespaces", "applications", "metadata_cidrs", "node_cidrs"):
        if not is_list(cfg.get(var)):
            p.add("calico_" + var, ": must be a list")
            cfg = dict(cfg, **{var: []})
    node_cidrs = list(cfg["node_cidrs"])  # as given: without the offline plan's stand-in
    reserved = SYSTEM_NAMESPACES + (cfg["dns_namespace"],)
    namespaces = namespace_names(cfg["application_namespaces"], "calico_application_namespaces", p, reserved,
                                 "is a system namespace; a default deny there breaks the cluster")
    port = None
    if as_bool(cfg["kube2iam"]):
        port = _port(cfg["kube2iam_port"])
        if port is None or port < 1 or port > 65535 or port == 80:
            p.add("calico_kube2iam_port", ": %r must be kube2iam's --app-port, a port 1-65535 other than 80"
                  % (cfg["kube2iam_port"],))
            port = port or 0
        if not cfg["node_cidrs"] and as_bool(cfg.get("node_subnet_lookup", False)):
            cfg = dict(cfg, node_cidrs=[LOOKUP_PLACEHOLDER])
        elif not cfg["node_cidrs"]:
            p.add("calico_node_cidrs", ": empty (and calico_node_subnet_filters found nothing); pods reach kube2iam "
                                       "on <node IP>:%s, so the node subnets must be listed (or set calico_kube2iam="
                                       "false)" % cfg["kube2iam_port"])
    labels = dict(cfg["labels"], **{"hardened.eks/baseline": "true"})
    policies = _metadata_deny(cfg, p, cfg["tier_name"], labels)
    pod_identity = _pod_identity_accounts(cfg, p, namespaces)
    for namespace in namespaces:
        policies.extend(_baseline(cfg, namespace, labels, port, pod_identity.get(namespace, ())))
    # The baseline as calico_policy will see it (selectors, nets, ports, orders, names), when
    # the variables it is made of are fine; each problem names where it comes from.
    checked = [] if p.items else [("the baseline (calico_tier_*, calico_metadata_*, calico_dns_*, "
                                   "calico_node_cidrs), ", policy) for policy in policies]
    names = []
    for i, app in enumerate(cfg["applications"]):
        before = len(p.items)
        policy = _application(cfg, i, app, p, names, namespaces)
        if policy is not None:
            policies.append(policy)
            if len(p.items) == before:
                checked.append((where("calico_applications", i, app.get("name")) + ": ", policy))
    desired = []
    for origin, policy in checked:  # each policy once, then the cross-item checks on the batch
        one, problems = validate_item(policy)
        for problem in problems:
            p.add(origin, problem)
        desired.append(one)
    if not p.items:
        for problem in batch_problems(desired)[1]:
            p.add("the planned Calico batch: ", problem)
    return {"problems": p.items, "policies": policies, "namespaces": namespaces, "node_cidrs": node_cidrs,
            "namespace_objects": namespace_objects(namespaces)}
