"""Offline validation and normalization of Calico objects (calico_validate)."""
import copy

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.hardened.eks.plugins.module_utils.calico_validate import (
    CalicoValidationError,
    batch_problems,
    canonical_cidr,
    infer_types,
    label_selector_matches,
    normalize_spec,
    parse_label_selector,
    validate_item,
    validate_items,
    validate_params,
)


def np(spec=None, name="web", namespace="app", **kw):
    item = {"kind": "NetworkPolicy", "name": name, "namespace": namespace, "spec": spec if spec is not None else {}}
    item.update(kw)
    return item


def gnp(spec, name="guard", **kw):
    item = {"kind": "GlobalNetworkPolicy", "name": name, "spec": spec}
    item.update(kw)
    return item


def problems(item):
    desired, probs = validate_item(item)
    assert (desired is None) == bool(probs)
    return probs


def rule(**kw):
    r = {"action": "Allow"}
    r.update(kw)
    return r


# Valid items ------------------------------------------------------------------------------------
VALID_ITEMS = [
    np({"selector": "app == 'web'", "types": ["Ingress"],
        "ingress": [rule(protocol="TCP", source={"selector": "role == 'frontend'"}, destination={"ports": [80, "8000:8080", "http"]})]}),
    np({"order": 100, "selector": "all()", "types": ["Ingress", "Egress"]}),
    np({"egress": [rule(protocol="UDP", destination={"namespaceSelector": "projectcalico.org/name == 'kube-system'",
                                                     "selector": "k8s-app == 'kube-dns'", "ports": [53]})]}),
    np({"egress": [rule(action="Deny", destination={"nets": ["169.254.169.254/32"]})], "types": ["Egress"]}),
    np({"egress": [rule(action="Deny", destination={"nets": ["169.254.169.254"]})], "types": ["Egress"]}),
    np({"ingress": [rule(protocol=6, notProtocol="UDP")]}),
    np({"ingress": [rule(protocol="ICMP", icmp={"type": 8, "code": 0})]}),
    np({"ingress": [rule(protocol="ICMPv6", ipVersion=6, notICMP={"type": 128})]}),
    np({"ingress": [rule(protocol="SCTP", destination={"notPorts": [9999]})]}),
    np({"ingress": [rule(protocol="UDPLite")]}),
    np({"ingress": [rule(protocol=255)]}),
    np({"ingress": [rule(ipVersion=6, source={"nets": ["2001:db8::/32"], "notNets": ["2001:db8:1::/48"]})]}),
    np({"ingress": [rule(source={"namespaceSelector": "global()", "selector": "role == 'partner'"})]}),
    np({"ingress": [rule(source={"serviceAccounts": {"names": ["api", "worker"], "selector": "team == 'a'"}})]}),
    np({"egress": [rule(destination={"services": {"name": "kubernetes", "namespace": "default"}})]}),
    np({"ingress": [rule(protocol="TCP", source={"services": {"name": "frontend"}}, destination={"ports": [80]})]}),
    np({"ingress": [rule(http={"methods": ["GET"], "paths": [{"exact": "/healthz"}, {"prefix": "/api/"}]})]}),
    np({"ingress": [rule(action="Log"), rule(action="Pass"), rule(action="Deny")]}),
    np({"ingress": [rule(metadata={"annotations": {"why": "ticket 42"}})]}),
    np({"serviceAccountSelector": "role == 'api'", "performanceHints": ["AssumeNeededOnEveryNode"]}),
    np({"tier": "security", "order": 1.5}, name="security.web"),
    np({"selector": "app == 'web'"}, labels={"team": "shop", "app.kubernetes.io/part-of": "shop"}),
    gnp({"selector": "has(projectcalico.org/name)", "namespaceSelector": "kubernetes.io/metadata.name != 'kube-system'",
         "types": ["Egress"], "egress": [rule(action="Deny", destination={"nets": ["169.254.169.254/32"]}), rule(action="Pass")]}),
    gnp({"preDNAT": True, "applyOnForward": True, "types": ["Ingress"], "ingress": [rule(action="Deny")]}),
    gnp({"doNotTrack": True, "applyOnForward": True, "ingress": [rule()]}),
    gnp({"egress": [rule(destination={"services": {"name": "api", "namespace": "shop"}})]}),
    {"kind": "GlobalNetworkSet", "name": "partners", "labels": {"role": "partner"},
     "spec": {"nets": ["198.51.100.0/24", "2001:db8::/32", "10.1.2.3/8"]}},
    {"kind": "NetworkSet", "name": "db.hosts", "namespace": "app", "spec": {"nets": ["10.0.0.5"]}},
    {"kind": "NetworkSet", "name": "empty", "namespace": "app"},
    {"kind": "Tier", "name": "security", "spec": {"order": 100, "defaultAction": "Pass"}},
    {"kind": "Tier", "name": "platform"},
    {"kind": "NetworkPolicy", "name": "gone", "namespace": "app", "state": "absent"},
]


@pytest.mark.parametrize("item", VALID_ITEMS, ids=lambda i: "%s-%s" % (i["kind"], i["name"]))
def test_valid_items(item):
    assert problems(item) == []


# Invalid items: (item, field path, words in the message) ---------------------------------------
INVALID_ITEMS = [
    # selectors
    (np({"selector": "app == web"}), "spec.selector", "at position 8"),
    (np({"selector": "app = 'web'"}), "spec.selector", "'=='"),
    (np({"ingress": [rule(source={"selector": "role == 'frontend"})]}), "spec.ingress[0].source.selector",
     "unterminated string"),
    (np({"ingress": [rule(source={"notSelector": "has(a"})]}), "spec.ingress[0].source.notSelector", "expected ')'"),
    (np({"ingress": [rule(source={"namespaceSelector": "name in {'a' 'b'}"})]}),
     "spec.ingress[0].source.namespaceSelector", "set literal"),
    (np({"selector": "global()"}), "spec.selector", "global() can only be used"),
    (np({"ingress": [rule(source={"selector": "global()"})]}), "spec.ingress[0].source.selector",
     "namespaceSelector"),
    (np({"ingress": [rule(source={"namespaceSelector": "global() && a == 'b'"})]}),
     "spec.ingress[0].source.namespaceSelector", "cannot be combined"),
    (gnp({"namespaceSelector": "global()"}), "spec.namespaceSelector", "global() can only be used"),
    (np({"serviceAccountSelector": "role = 'api'"}), "spec.serviceAccountSelector", "'=='"),
    (np({"ingress": [rule(source={"serviceAccounts": {"selector": "x =="}})]}),
     "spec.ingress[0].source.serviceAccounts.selector", "found the end of the selector"),
    (np({"selector": 5}), "spec.selector", "must be a string"),
    (np({"selector": "!has(-typo)"}), "spec.selector", "not a valid Kubernetes label key"),
    # actions and protocols
    (np({"ingress": [{"protocol": "TCP"}]}), "spec.ingress[0].action", "required"),
    (np({"ingress": [rule(action="Allowz")]}), "spec.ingress[0].action", "did you mean 'Allow'"),
    (np({"ingress": [rule(action="allow")]}), "spec.ingress[0].action", "did you mean 'Allow'"),
    (np({"ingress": [rule(protocol="tcp")]}), "spec.ingress[0].protocol", "case-sensitive"),
    (np({"ingress": [rule(protocol="HTTP")]}), "spec.ingress[0].protocol", "unknown protocol"),
    (np({"ingress": [rule(protocol=0)]}), "spec.ingress[0].protocol", "between 1 and 255"),
    (np({"ingress": [rule(protocol=256)]}), "spec.ingress[0].protocol", "between 1 and 255"),
    (np({"ingress": [rule(notProtocol=True)]}), "spec.ingress[0].notProtocol", "protocol name or number"),
    # ports
    (np({"ingress": [rule(destination={"ports": [80]})]}), "spec.ingress[0].destination.ports",
     "must set protocol to TCP, UDP or SCTP"),
    (np({"ingress": [rule(protocol="ICMP", destination={"ports": [80]})]}), "spec.ingress[0].destination.ports",
     "TCP, UDP or SCTP"),
    (np({"ingress": [rule(notProtocol="TCP", destination={"ports": [80]})]}), "spec.ingress[0].destination.ports",
     "TCP, UDP or SCTP"),
    (np({"ingress": [rule(protocol="TCP", destination={"ports": ["90:80"]})]}),
     "spec.ingress[0].destination.ports[0]", "must not be greater"),
    (np({"ingress": [rule(protocol="TCP", destination={"ports": [0]})]}), "spec.ingress[0].destination.ports[0]",
     "between 1 and 65535"),
    (np({"ingress": [rule(protocol="TCP", destination={"ports": [65536]})]}),
     "spec.ingress[0].destination.ports[0]", "between 1 and 65535"),
    (np({"ingress": [rule(protocol="TCP", destination={"ports": ["1:70000"]})]}),
     "spec.ingress[0].destination.ports[0]", "between 1 and 65535"),
    (np({"ingress": [rule(protocol="TCP", destination={"ports": ["80-90"]})]}),
     "spec.ingress[0].destination.ports[0]", "'min:max'"),
    (np({"ingress": [rule(protocol="TCP", destination={"ports": ["80:"]})]}),
     "spec.ingress[0].destination.ports[0]", "'min:max'"),
    (np({"ingress": [rule(protocol="TCP", destination={"ports": ["Http"]})]}),
     "spec.ingress[0].destination.ports[0]", "invalid port name"),
    (np({"ingress": [rule(protocol="TCP", destination={"ports": ["a-very-long-port-name"]})]}),
     "spec.ingress[0].destination.ports[0]", "invalid port name"),
    (np({"ingress": [rule(protocol="TCP", source={"notPorts": [True]})]}), "spec.ingress[0].source.notPorts[0]",
     "boolean"),
    (np({"ingress": [rule(protocol="TCP", destination={"ports": 80})]}), "spec.ingress[0].destination.ports",
     "must be a list"),
    # CIDRs and IP versions
    (np({"ingress": [rule(source={"nets": ["10.0.0.0/33"]})]}), "spec.ingress[0].source.nets[0]", "not a valid"),
    (np({"ingress": [rule(source={"nets": ["10.0.0.1/8"]})]}), "spec.ingress[0].source.nets[0]", "host bits"),
    (np({"ingress": [rule(source={"nets": ["10.0.0.0/255.0.0.0"]})]}), "spec.ingress[0].source.nets[0]",
     "not a valid"),
    (np({"ingress": [rule(source={"nets": ["fe80::1%eth0"]})]}), "spec.ingress[0].source.nets[0]", "not a valid"),
    (np({"ingress": [rule(source={"nets": ["10.0.0.0/8", "10.0.0.0/8"]})]}), "spec.ingress[0].source.nets[1]",
     "repeats"),
    (np({"ingress": [rule(source={"nets": ["10.0.0.0/8", "2001:db8::/32"]})]}), "spec.ingress[0]",
     "both IPv4 and IPv6"),
    (np({"ingress": [rule(source={"nets": ["10.0.0.0/8"]}, destination={"notNets": ["2001:db8::/32"]})]}),
     "spec.ingress[0]", "both IPv4 and IPv6"),
    (np({"ingress": [rule(ipVersion=6, source={"nets": ["10.0.0.0/8"]})]}), "spec.ingress[0].ipVersion",
     "does not match"),
    (np({"ingress": [rule(ipVersion=5)]}), "spec.ingress[0].ipVersion", "must be 4 or 6"),
    # ICMP
    (np({"ingress": [rule(protocol="ICMP", icmp={"type": 255})]}), "spec.ingress[0].icmp.type", "between 0 and 254"),
    (np({"ingress": [rule(protocol="ICMP", icmp={"type": 3, "code": 256})]}), "spec.ingress[0].icmp.code",
     "between 0 and 255"),
    (np({"ingress": [rule(protocol="ICMP", icmp={"code": 1})]}), "spec.ingress[0].icmp", "without an ICMP type"),
    (np({"ingress": [rule(icmp={"type": 8})]}), "spec.ingress[0].icmp", "protocol to ICMP"),
    (np({"ingress": [rule(protocol="TCP", notICMP={"type": 8})]}), "spec.ingress[0].notICMP", "protocol to ICMP"),
    (np({"ingress": [rule(protocol="ICMP", ipVersion=6)]}), "spec.ingress[0].ipVersion", "must be 4"),
    (np({"ingress": [rule(protocol="ICMPv6", ipVersion=4)]}), "spec.ingress[0].ipVersion", "must be 6"),
    (np({"ingress": [rule(protocol="ICMP", source={"nets": ["2001:db8::/32"]})]}), "spec.ingress[0].protocol",
     "never matches"),
    (np({"ingress": [rule(protocol="ICMP", icmp={"type": "8"})]}), "spec.ingress[0].icmp.type", "integer"),
    # types against rules
    (np({"types": ["Ingress"], "egress": [rule()]}), "spec.egress", "does not include Egress"),
    (np({"types": ["Egress"], "ingress": [rule()]}), "spec.ingress", "does not include Ingress"),
    (np({"types": ["Ingres"]}), "spec.types[0]", "did you mean 'Ingress'"),
    (np({"types": ["Ingress", "Ingress"]}), "spec.types[1]", "more than once"),
    (np({"egress": []}), "spec.types", "infer types [Ingress]"),
    # order, tier, names
    (np({"order": "100"}), "spec.order", "must be a number"),
    (np({"order": True}), "spec.order", "must be a number"),
    (np({"order": float("nan")}), "spec.order", "must be a number"),
    (np({}, name="Web"), "name", "DNS-1123"),
    (np({}, name="a.b.c"), "name", "one dot at most"),
    (np({}, name="web_1"), "name", "DNS-1123"),
    (np({"tier": "security"}, name="web"), "name", "must be named 'security.<name>'"),
    (np({"tier": "security"}, name="other.web"), "name", "must be named 'security.<name>'"),
    (np({}, name="security.web"), "name", "set spec.tier: security"),
    (np({}, name="default.web"), "name", "without the 'default.' prefix"),
    (np({}, name="knp.default.web"), "name", "reserved by Calico"),
    (np({"tier": "Security"}, name="Security.web"), "spec.tier", "tier name"),
    ({"kind": "Tier", "name": "default"}, "name", "owned by Calico"),
    ({"kind": "Tier", "name": "a.b"}, "name", "no dots"),
    ({"kind": "Tier", "name": "t", "spec": {"defaultAction": "Allow"}}, "spec.defaultAction", "Deny or Pass"),
    ({"kind": "NetworkSet", "name": "Bad_Name", "namespace": "app"}, "name", "DNS-1123 subdomain"),
    # namespaces per kind
    (np({}, namespace=None), "namespace", "required for NetworkPolicy"),
    (np({}, namespace="App"), "namespace", "DNS-1123 label"),
    (gnp({}, namespace="app"), "namespace", "cluster-wide"),
    ({"kind": "GlobalNetworkSet", "name": "x", "namespace": "app"}, "namespace", "cluster-wide"),
    ({"kind": "Tier", "name": "x", "namespace": "app"}, "namespace", "cluster-wide"),
    ({"kind": "NetworkSet", "name": "x"}, "namespace", "required for NetworkSet"),
    # labels
    (np({}, labels={"bad key": "x"}), "labels.bad key", "label key"),
    (np({}, labels={"tier": 1}), "labels.tier", "must be strings"),
    (np({}, labels={"tier": "-x"}), "labels.tier", "not a valid label value"),
    (np({}, labels={"hardened.eks/managed-by": "me"}), "labels.hardened.eks/managed-by", "cannot be changed"),
    ({"kind": "NetworkSet", "name": "x", "namespace": "a", "labels": {"projectcalico.org/namespace": "a"}},
     "labels.projectcalico.org/namespace", "reserved"),
    # unknown fields
    (np({"ingres": [rule()]}), "spec.ingres", "did you mean 'ingress'"),
    (np({"ingress": [rule(destinaton={})]}), "spec.ingress[0].destinaton", "did you mean 'destination'"),
    (np({"ingress": [rule(source={"selectr": "a == 'b'"})]}), "spec.ingress[0].source.selectr",
     "did you mean 'selector'"),
    (np({"ingress": "allow"}), "spec.ingress", "must be a list"),
    (np({"ingress": ["allow"]}), "spec.ingress[0]", "must be a mapping"),
    (np({}, spce={}), "spce", "did you mean 'spec'"),
    (gnp({"nets": []}), "spec.nets", "unknown field"),
    ({"kind": "GlobalNetworkSet", "name": "x", "spec": {"nets": ["1.2.3.4/40"]}}, "spec.nets[0]", "not a valid"),
    ({"kind": "NetworkPolicy", "name": "x", "namespace": "a"}, "spec", "required"),
    # services, HTTP
    (np({"ingress": [rule(destination={"services": {"name": "x"}})]}), "spec.ingress[0].destination.services",
     "not allowed in an ingress rule's destination"),
    (np({"egress": [rule(source={"services": {"name": "x"}})], "types": ["Egress"]}),
     "spec.egress[0].source.services", "not allowed in an egress"),
    (np({"egress": [rule(protocol="TCP", destination={"services": {"name": "x"}, "ports": [80]})]}),
     "spec.egress[0].destination.services", "ports"),
    (np({"egress": [rule(destination={"services": {"name": "x"}, "selector": "a == 'b'"})]}),
     "spec.egress[0].destination.services", "cannot be combined with selector"),
    (np({"egress": [rule(destination={"services": {}})]}), "spec.egress[0].destination.services.name",
     "service name"),
    (gnp({"egress": [rule(destination={"services": {"name": "api"}})]}),
     "spec.egress[0].destination.services.namespace", "GlobalNetworkPolicy"),
    (np({"ingress": [rule(action="Deny", http={"methods": ["GET"]})]}), "spec.ingress[0].http", "only valid on Allow"),
    (np({"ingress": [rule(protocol="UDP", http={"methods": ["GET"]})]}), "spec.ingress[0].http", "TCP"),
    (np({"egress": [rule(http={"methods": ["GET"]})]}), "spec.egress[0].http", "not allowed in egress"),
    (np({"ingress": [rule(http={"methods": ["GET", "GET"]})]}), "spec.ingress[0].http.methods", "duplicate"),
    (np({"ingress": [rule(http={"paths": [{"exact": "/a", "prefix": "/b"}]})]}), "spec.ingress[0].http.paths[0]",
     "exactly one"),
    (np({"ingress": [rule(http={"paths": [{"prefix": "api?x"}]})]}), "spec.ingress[0].http.paths[0]", "invalid path"),
    # GlobalNetworkPolicy flags
    (gnp({"preDNAT": True, "doNotTrack": True, "applyOnForward": True}), "spec", "cannot both be true"),
    (gnp({"preDNAT": True, "applyOnForward": True, "egress": [rule()], "types": ["Ingress", "Egress"]}),
     "spec.egress", "preDNAT policy cannot have egress rules"),
    (gnp({"preDNAT": True}), "spec.applyOnForward", "must be true"),
    (gnp({"doNotTrack": "yes", "applyOnForward": True}), "spec.doNotTrack", "boolean"),
    # items
    ({"kind": "NetworkPolicies", "name": "x"}, "kind", "did you mean 'NetworkPolicy'"),
    ({"name": "x"}, "kind", "required"),
    (np({}, state="gone"), "state", "present or absent"),
]


@pytest.mark.parametrize("item,path,words", INVALID_ITEMS,
                         ids=["%d-%s" % (i, p) for i, (_x, p, _w) in enumerate(INVALID_ITEMS)])
def test_invalid_items_name_field_and_reason(item, path, words):
    probs = problems(item)
    assert probs, "accepted: %r" % item
    hits = [p for p in probs if (": %s: " % path) in p or p.startswith("%s: " % path)]
    assert hits, "no problem at %s in %r" % (path, probs)
    assert any(words in p for p in hits), "%r not in %r" % (words, hits)


def test_batch_reports_every_problem_with_index_name_and_path():
    items = [
        np({"selector": "app == 'ok'"}, name="fine"),
        np({"ingress": [rule(source={"selector": "role == frontend"})]}, name="web-allow"),
        gnp({"egress": [rule(action="Denny")]}, name="guard"),
        "not a mapping",
        np({"selector": "app == 'ok'"}, name="fine"),
    ]
    with pytest.raises(CalicoValidationError) as err:
        validate_items(items)
    probs = err.value.problems
    assert ("policies[1] (NetworkPolicy app/web-allow): spec.ingress[0].source.selector: invalid selector: "
            "expected a quoted value after 'role ==', found label 'frontend' (quote it: 'frontend') at position 9: "
            "role == >>>frontend") in probs
    assert any(p.startswith("policies[2] (GlobalNetworkPolicy guard): spec.egress[0].action: 'Denny' is not an action")
               for p in probs)
    assert any(p.startswith("policies[3]: each entry must be a mapping") for p in probs)
    assert any(p.startswith("policies[4] (NetworkPolicy app/fine): ") and "listed twice (also at policies[0])" in p
               for p in probs)
    assert len(probs) == 4
    assert "4 problems" in str(err.value)


def test_batch_problems_of_items_validated_one_by_one():
    """The cross-item checks alone, as the calico role's plan runs them on items it validated
    one by one (each problem named by the item's own description)."""
    web = validate_item(np({"selector": "app == 'web'", "tier": "sec"}, name="sec.web"))[0]
    again = validate_item(np({"selector": "app == 'other'", "tier": "sec"}, name="sec.web"))[0]
    gone = validate_item({"kind": "Tier", "name": "sec", "state": "absent"})[0]
    out, problems = batch_problems([web, again, gone])
    assert out == [web, gone]
    assert problems == [
        "NetworkPolicy app/sec.web: NetworkPolicy app/sec.web is listed twice (also at NetworkPolicy app/sec.web)",
        "NetworkPolicy app/sec.web: spec.tier: tier 'sec' is removed by Tier sec in the same batch"]
    assert batch_problems([web]) == ([web], [])


def test_single_mode_prefix_has_no_index():
    with pytest.raises(CalicoValidationError) as err:
        validate_params({"kind": "NetworkPolicy", "name": "web", "namespace": "app",
                         "spec": {"selector": "a =="}, "state": "present"})
    assert err.value.problems[0].startswith("NetworkPolicy app/web: spec.selector: invalid selector")


def test_params_collect_purge_problems_with_item_problems():
    with pytest.raises(CalicoValidationError) as err:
        validate_params({"policies": [np({"selector": "x"})], "purge": "a in b", "state": "present"})
    assert len(err.value.problems) == 2
    assert err.value.problems[1].startswith("purge: ")


def test_params_single_batch_and_purge_only():
    desired, purge, kinds = validate_params({"kind": "Tier", "name": "security", "state": "present"})
    assert [d.ref for d in desired] == ["Tier security"] and purge is None
    desired, purge, kinds = validate_params({"policies": [np({}), np({}, name="b", state=None)], "state": "absent"})
    assert [d.state for d in desired] == ["absent", "absent"]
    desired, purge, kinds = validate_params({"purge": "team=net", "purge_kinds": ["NetworkSet", "NetworkPolicy"]})
    assert desired == [] and purge == [("team", "=", ("net",))]
    assert kinds == ("NetworkSet", "NetworkPolicy")


def test_tier_removed_in_the_same_batch_as_its_policies():
    with pytest.raises(CalicoValidationError) as err:
        validate_items([{"kind": "Tier", "name": "sec", "state": "absent"},
                        np({"tier": "sec"}, name="sec.web")])
    assert "tier 'sec' is removed by policies[0] (Tier sec)" in err.value.problems[0]


# Normalization ----------------------------------------------------------------------------------
def test_defaults_are_normalized():
    spec = {"ingress": [rule(protocol="6", source={}, destination={"ports": ["80", "90:90", "100:200"]})],
            "egress": [], "types": ["Egress", "Ingress"], "order": 10.0}
    d, _problems = validate_item(np(spec))
    assert d.spec == {
        "selector": "all()", "tier": "default", "types": ["Ingress", "Egress"], "order": 10,
        "ingress": [{"action": "Allow", "protocol": 6, "destination": {"ports": [80, 90, "100:200"]}}],
    }
    assert isinstance(d.spec["order"], int)


def test_types_inferred_like_calico():
    assert infer_types({}) == ["Ingress"]
    assert infer_types({"ingress": [rule()]}) == ["Ingress"]
    assert infer_types({"egress": [rule()]}) == ["Egress"]
    assert infer_types({"ingress": [rule()], "egress": [rule()]}) == ["Ingress", "Egress"]
    assert normalize_spec("NetworkPolicy", {"selector": " "})["selector"] == "all()"


def test_server_side_shapes_compare_equal():
    ours = normalize_spec("NetworkPolicy", {"ingress": [rule(source={"nets": ["10.0.0.1"]})]})
    theirs = normalize_spec("NetworkPolicy", {"tier": "default", "selector": "all()", "types": ["Ingress"],
                                              "ingress": [rule(source={"nets": ["10.0.0.1/32"]}, destination={})]})
    assert ours == theirs
    assert normalize_spec("Tier", {}) == {"defaultAction": "Deny"}
    assert normalize_spec("GlobalNetworkPolicy", {"preDNAT": False})["types"] == ["Ingress"]
    assert "preDNAT" not in normalize_spec("GlobalNetworkPolicy", {"preDNAT": False})
    assert normalize_spec("GlobalNetworkSet", {"nets": ["2001:DB8:0::1/128"]}) == {"nets": ["2001:db8::1/128"]}


@pytest.mark.parametrize("value,canon", [
    ("10.0.0.1", "10.0.0.1/32"), ("10.0.0.0/8", "10.0.0.0/8"), ("10.1.2.3/8", "10.1.2.3/8"),
    ("2001:DB8::", "2001:db8::/128"), ("not-a-cidr", "not-a-cidr"), (42, 42),
])
def test_canonical_cidr(value, canon):
    assert canonical_cidr(value) == canon


JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.floats(allow_nan=True), st.text(max_size=12),
              st.sampled_from(["TCP", "80:80", "10.0.0.1", "Ingress", "Egress", "", "all()", "0080:0090"])),
    lambda kids: st.one_of(
        st.lists(kids, max_size=4),
        st.dictionaries(st.sampled_from(["selector", "types", "ingress", "egress", "ports", "nets", "protocol",
                                         "source", "destination", "order", "tier", "preDNAT", "action", "x"]),
                        kids, max_size=5)),
    max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["NetworkPolicy", "GlobalNetworkPolicy", "NetworkSet", "GlobalNetworkSet", "Tier"]), JSONISH)
def test_normalize_is_total_and_idempotent(kind, spec):
    original = copy.deepcopy(spec)
    once = normalize_spec(kind, spec)
    assert repr(spec) == repr(original)  # not mutated
    twice = normalize_spec(kind, once)
    assert repr(twice) == repr(once)


# Kubernetes label selectors (purge) --------------------------------------------------------------
@pytest.mark.parametrize("text,labels,expected", [
    ("team=net", {"team": "net"}, True),
    ("team==net", {"team": "net"}, True),
    ("team=net", {"team": "web"}, False),
    ("team!=net", {}, True),
    ("team!=net", {"team": "net"}, False),
    ("team", {"team": ""}, True),
    ("!team", {"team": ""}, False),
    ("!team", {}, True),
    ("env in (prod, staging)", {"env": "prod"}, True),
    ("env in (prod,staging),team=net", {"env": "prod"}, False),
    ("env notin (prod)", {}, True),
    ("env notin (prod)", {"env": "prod"}, False),
    ("app.kubernetes.io/part-of=shop", {"app.kubernetes.io/part-of": "shop"}, True),
])
def test_label_selectors(text, labels, expected):
    assert label_selector_matches(parse_label_selector(text), labels) is expected


@pytest.mark.parametrize("text", ["", "  ", "a in b", "a in ()", "!a=b", "a=b=c", "-bad=x", "a=(b)", "a=b,", "a=-x"])
def test_bad_label_selectors(text):
    with pytest.raises(ValueError):
        parse_label_selector(text)


# Arbitrary input never breaks the validator --------------------------------------------------------
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2 ** 40, 2 ** 40), st.floats(allow_nan=True),
                    st.text(max_size=15), st.sampled_from(["TCP", "ICMP", "Allow", "Ingress", "Egress", "80:90",
                                                           "10.0.0.0/8", "all()", "global()", "a == 'b'", "sec",
                                                           "NetworkPolicy", "Tier", "present", "absent"]))
FIELD_NAMES = st.sampled_from(["kind", "name", "namespace", "labels", "spec", "state", "selector", "types",
                               "ingress", "egress", "action", "protocol", "notProtocol", "icmp", "notICMP",
                               "ipVersion", "source", "destination", "nets", "notNets", "ports", "notPorts",
                               "namespaceSelector", "serviceAccounts", "services", "names", "name", "http",
                               "methods", "paths", "exact", "prefix", "tier", "order", "type", "code",
                               "preDNAT", "doNotTrack", "applyOnForward", "defaultAction", "metadata",
                               "annotations", "performanceHints", "serviceAccountSelector", "x"])
JUNK = st.recursive(SCALARS, lambda kids: st.one_of(st.lists(kids, max_size=3),
                                                    st.dictionaries(FIELD_NAMES, kids, max_size=5)),
                    max_leaves=30)
ITEMS = st.fixed_dictionaries(
    {"kind": st.one_of(st.sampled_from(["NetworkPolicy", "GlobalNetworkPolicy", "NetworkSet", "GlobalNetworkSet",
                                        "Tier"]), JUNK)},
    optional={"name": st.one_of(st.sampled_from(["web", "sec.web", "default.x", "a"]), JUNK),
              "namespace": st.one_of(st.just("app"), JUNK), "labels": JUNK, "spec": JUNK, "state": JUNK})


@settings(max_examples=600, deadline=None)
@given(st.lists(st.one_of(ITEMS, JUNK), max_size=4), st.one_of(st.none(), st.text(max_size=20)))
def test_validator_only_raises_its_own_error(items, purge):
    try:
        desired, _reqs, _kinds = validate_params({"policies": items, "purge": purge, "state": "present"})
    except CalicoValidationError as exc:
        assert exc.problems and all(isinstance(p, str) for p in exc.problems)
        return
    for d in desired:
        assert normalize_spec(d.kind, d.spec) == d.spec or d.state == "absent"
