"""hardened.eks.calico_policy against the sandbox API server (the real Calico CRDs, no Calico API
server, so api=auto picks crd.projectcalico.org/v1), with the audit log as evidence; plus the
generated objects checked against the real Calico v3.32.1 CRD schemas (tests/upstream.py: the
pinned tigera/operator module)."""
import copy
import os
import time

import pytest

from ansible_collections.hardened.eks.plugins.module_utils.calico_objects import API_V1, build_object
from ansible_collections.hardened.eks.plugins.module_utils.calico_validate import (
    KINDS,
    MANAGED_LABEL,
    validate_items,
)

GROUP = "crd.projectcalico.org"
RESOURCES = {plural for plural, _ns, _p in KINDS.values()}
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# Each test's module runs impersonate their own user (the sandbox admin may), so the audit events
# of this test are told apart from those of controllers and of other tests sharing the sandbox.
IMPERSONATED_GROUPS = ["system:masters"]


def calico_events(audit, since, user, verbs=None):
    return [e for e in audit.events(since=since, verbs=verbs)
            if (e.get("objectRef") or {}).get("apiGroup") == GROUP
            and (e.get("objectRef") or {}).get("resource") in RESOURCES
            and (e.get("impersonatedUser") or {}).get("username") == user]


@pytest.fixture
def me(uid):
    return "calico-it-%s" % uid


@pytest.fixture
def run(run_module, me):
    """run_module for calico_policy as this test's impersonated user."""
    def _run(params, check=False, diff=False):
        params = dict(params, impersonate_user=me, impersonate_groups=IMPERSONATED_GROUPS)
        return run_module("calico_policy", params, check=check, diff=diff)
    return _run


def writes(events, include_dry_run=False):
    out = [e for e in events if e["verb"] in ("create", "update", "patch", "delete", "deletecollection")]
    if not include_dry_run:
        out = [e for e in out if "dryRun=All" not in e.get("requestURI", "")]
    return out


def custom(k8s):
    from kubernetes import client
    return client.CustomObjectsApi(k8s)


def get_np(k8s, namespace, name):
    from kubernetes.client.rest import ApiException
    try:
        return custom(k8s).get_namespaced_custom_object(GROUP, "v1", namespace, "networkpolicies", name)
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise


def ok(result):
    assert not result.get("failed"), result.get("msg")
    return result


@pytest.fixture
def namespaces(k8s, uid):
    from kubernetes import client
    core = client.CoreV1Api(k8s)
    made = []

    def _make(count):
        for i in range(count):
            name = "cp-%s-%d" % (uid, i)
            core.create_namespace({"metadata": {"name": name}})
            made.append(name)
        return list(made)
    yield _make
    for name in made:
        try:
            core.delete_namespace(name)
        except Exception:  # noqa: BLE001 - cleanup only
            pass


def dns_policy(namespace, name="allow-dns"):
    return {
        "kind": "NetworkPolicy", "name": name, "namespace": namespace,
        "spec": {"order": 100, "selector": "all()", "types": ["Egress"],
                 "egress": [{"action": "Allow", "protocol": "UDP",
                             "destination": {"namespaceSelector": "projectcalico.org/name == 'kube-system'",
                                             "selector": "k8s-app == 'kube-dns'", "ports": [53]}}]},
    }


def test_check_mode_then_apply_then_idempotent(run, me, audit, k8s, namespace):
    params = dns_policy(namespace)
    mark = audit.mark()
    result = ok(run(params, check=True, diff=True))
    assert result["changed"] and result["created"] == ["NetworkPolicy %s/allow-dns" % namespace]
    assert result["api_version"] == API_V1
    assert result["diff"]["before"] == {"NetworkPolicy %s/allow-dns" % namespace: None}
    after = result["diff"]["after"]["NetworkPolicy %s/allow-dns" % namespace]
    assert after["labels"] == {MANAGED_LABEL: "calico_policy"} and after["spec"]["tier"] == "default"
    events = calico_events(audit, mark, me)
    assert writes(events) == [], "check mode wrote: %s" % writes(events)
    assert len(writes(events, include_dry_run=True)) == 1  # the server-side dry run
    assert get_np(k8s, namespace, "allow-dns") is None

    result = ok(run(params))
    assert result["changed"] and result["created"] == ["NetworkPolicy %s/allow-dns" % namespace]
    obj = get_np(k8s, namespace, "allow-dns")
    assert obj["metadata"]["labels"] == {MANAGED_LABEL: "calico_policy"}
    assert obj["spec"]["egress"][0]["destination"]["ports"] == [53]

    mark = audit.mark()
    result = ok(run(params, diff=True))
    assert result["changed"] is False and result["unchanged"] == 1
    assert result["diff"] == {"before": {}, "after": {}}
    assert writes(calico_events(audit, mark, me), include_dry_run=True) == []

    # A change is an update (PUT carrying the read resourceVersion); other labels are kept.
    obj["metadata"]["labels"]["added-by-hand"] = "yes"
    custom(k8s).replace_namespaced_custom_object(GROUP, "v1", namespace, "networkpolicies", "allow-dns", obj)
    changed = copy.deepcopy(params)
    changed["spec"]["egress"][0]["destination"]["ports"] = [53, 5353]
    result = ok(run(changed, diff=True))
    assert result["updated"] == ["NetworkPolicy %s/allow-dns" % namespace]
    obj = get_np(k8s, namespace, "allow-dns")
    assert obj["metadata"]["labels"]["added-by-hand"] == "yes"
    assert obj["spec"]["egress"][0]["destination"]["ports"] == [53, 5353]

    result = ok(run({"kind": "NetworkPolicy", "name": "allow-dns", "namespace": namespace, "state": "absent"}))
    assert result["deleted"] == ["NetworkPolicy %s/allow-dns" % namespace]
    assert get_np(k8s, namespace, "allow-dns") is None


def bench_policies(nss, count):
    out = []
    for i in range(count):
        out.append({
            "kind": "NetworkPolicy", "name": "p%04d" % i, "namespace": nss[i % len(nss)],
            "labels": {"app.kubernetes.io/part-of": "bench"},
            "spec": {"order": 100 + i % 50, "selector": "app == 'svc-%d'" % i, "types": ["Ingress", "Egress"],
                     "ingress": [{"action": "Allow", "protocol": "TCP", "source": {"selector": "role == 'frontend'"},
                                  "destination": {"ports": [8000 + i % 1000]}}],
                     "egress": [{"action": "Allow", "protocol": "UDP",
                                 "destination": {"selector": "k8s-app == 'kube-dns'",
                                                 "namespaceSelector": "projectcalico.org/name == 'kube-system'",
                                                 "ports": [53]}}]},
        })
    return out


def lists_per_scope(events):
    counts = {}
    for e in events:
        if e["verb"] == "list":
            ref = e["objectRef"]
            key = (ref["resource"], ref.get("namespace") or "*")
            counts[key] = counts.get(key, 0) + 1
    return counts


def test_batch_of_500_policies_in_10_namespaces(run, me, audit, k8s, namespaces):
    nss = namespaces(10)
    policies = bench_policies(nss, 500)
    params = {"policies": policies}
    numbers = {}

    mark = audit.mark()
    start = time.time()
    result = ok(run(params, check=True))
    numbers["check"] = (time.time() - start, len(calico_events(audit, mark, me)))
    assert len(result["created"]) == 500
    assert writes(calico_events(audit, mark, me)) == []

    mark = audit.mark()
    start = time.time()
    result = ok(run(params))
    numbers["first"] = (time.time() - start, len(calico_events(audit, mark, me)))
    events = calico_events(audit, mark, me)
    assert len(result["created"]) == 500 and result["changed"]
    assert len(writes(events)) == 500
    assert all(v <= 1 for v in lists_per_scope(events).values())
    assert len(custom(k8s).list_cluster_custom_object(GROUP, "v1", "networkpolicies",
                                                      label_selector="app.kubernetes.io/part-of=bench")["items"]) >= 500

    mark = audit.mark()
    start = time.time()
    result = ok(run(params))
    numbers["converged"] = (time.time() - start, len(calico_events(audit, mark, me)))
    events = calico_events(audit, mark, me)
    assert result["changed"] is False and result["unchanged"] == 500
    assert writes(events, include_dry_run=True) == []
    per_scope = lists_per_scope(events)
    assert per_scope and all(v <= 1 for v in per_scope.values()), per_scope
    assert len(events) == 1  # one cluster-wide LIST of networkpolicies
    assert numbers["converged"][0] < 60

    # One policy changed in the middle of the batch: exactly one write.
    policies[250]["spec"]["ingress"][0]["destination"]["ports"] = [9999]
    mark = audit.mark()
    result = ok(run({"policies": policies}))
    assert result["updated"] == ["NetworkPolicy %s/p0250" % nss[0]]
    assert [e["verb"] for e in writes(calico_events(audit, mark, me))] == ["update"]

    print("\ncalico_policy 500 policies / 10 namespaces: " + ", ".join(
        "%s %.2fs %d requests" % (k, v[0], v[1]) for k, v in numbers.items()))


def test_purge_deletes_only_managed_objects(run, me, audit, k8s, namespaces, uid):
    ns1, ns2 = namespaces(2)
    tag = {"app.kubernetes.io/part-of": "shop-%s" % uid}
    items = [dict(dns_policy(ns1, "keep"), labels=tag), dict(dns_policy(ns1, "old"), labels=tag),
             dict(dns_policy(ns2, "old-too"), labels=tag),
             {"kind": "GlobalNetworkSet", "name": "old-set-%s" % uid, "labels": tag,
              "spec": {"nets": ["198.51.100.0/24"]}}]
    ok(run({"policies": items}))
    # Unmanaged objects with the same labels: purge must never touch them.
    hand = {"apiVersion": "%s/v1" % GROUP, "kind": "NetworkPolicy",
            "metadata": {"name": "hand-made", "namespace": ns1, "labels": dict(tag)}, "spec": {"selector": "all()"}}
    custom(k8s).create_namespaced_custom_object(GROUP, "v1", ns1, "networkpolicies", hand)

    purge = "app.kubernetes.io/part-of=shop-%s" % uid
    mark = audit.mark()
    result = ok(run({"policies": items[:1], "purge": purge}, check=True))
    assert sorted(result["deleted"]) == sorted(["NetworkPolicy %s/old" % ns1, "NetworkPolicy %s/old-too" % ns2,
                                                "GlobalNetworkSet old-set-%s" % uid])
    assert writes(calico_events(audit, mark, me)) == []
    assert get_np(k8s, ns1, "old") is not None and get_np(k8s, ns2, "old-too") is not None
    assert custom(k8s).get_cluster_custom_object(GROUP, "v1", "globalnetworksets", "old-set-%s" % uid)

    mark = audit.mark()
    result = ok(run({"policies": items[:1], "purge": purge}))
    assert len(result["deleted"]) == 3 and result["created"] == [] and result["updated"] == []
    deletes = [e for e in writes(calico_events(audit, mark, me)) if e["verb"] == "delete"]
    assert sorted(e["objectRef"]["name"] for e in deletes) == sorted(["old", "old-too", "old-set-%s" % uid])
    assert get_np(k8s, ns1, "hand-made") is not None
    assert get_np(k8s, ns1, "keep") is not None
    assert get_np(k8s, ns1, "old") is None and get_np(k8s, ns2, "old-too") is None

    result = ok(run({"policies": items[:1], "purge": purge}))
    assert result["changed"] is False
    assert get_np(k8s, ns1, "hand-made") is not None


def test_invalid_input_is_rejected_before_any_request(run, me, audit, k8s, namespace):
    items = [
        dns_policy(namespace, "fine"),
        {"kind": "NetworkPolicy", "name": "web-allow", "namespace": namespace,
         "spec": {"ingress": [{"action": "Allow", "source": {"selector": "role == frontend"}}]}},
        {"kind": "NetworkPolicy", "name": "ports", "namespace": namespace,
         "spec": {"ingress": [{"action": "Allow", "destination": {"ports": ["90:80"]}}]}},
        {"kind": "GlobalNetworkPolicy", "name": "meta", "namespace": namespace,
         "spec": {"types": ["Egress"], "egress": [{"action": "Deny", "destination": {"nets": ["169.254.169.254/33"]}}]}},
        {"kind": "NetworkPolicy", "name": "typo", "namespace": namespace, "spec": {"ingres": []}},
    ]
    mark = audit.mark()
    result = run({"policies": items})
    assert result["failed"]
    problems = result["problems"]
    assert ("policies[1] (NetworkPolicy %s/web-allow): spec.ingress[0].source.selector: invalid selector: expected a "
            "quoted value after 'role ==', found label 'frontend' (quote it: 'frontend') at position 9: "
            "role == >>>frontend" % namespace) in problems
    assert any(p.startswith("policies[2] (NetworkPolicy %s/ports): spec.ingress[0].destination.ports" % namespace)
               for p in problems)
    assert any(p.startswith("policies[3] (GlobalNetworkPolicy %s/meta): namespace:" % namespace) for p in problems)
    assert any("spec.egress[0].destination.nets[0]" in p for p in problems)
    assert any("spec.ingres: unknown field (did you mean 'ingress'?)" in p for p in problems)
    assert len(problems) >= 5
    assert calico_events(audit, mark, me) == [], "requests were sent despite invalid input"
    assert get_np(k8s, namespace, "fine") is None


def test_tiers_global_objects_and_api_choice(run, me, audit, k8s, namespace, uid):
    tier = "sec%s" % uid
    items = [
        {"kind": "Tier", "name": tier, "spec": {"order": 100, "defaultAction": "Pass"}},
        {"kind": "GlobalNetworkPolicy", "name": "%s.deny-metadata" % tier,
         "spec": {"tier": tier, "order": 10, "namespaceSelector": "has(projectcalico.org/name)", "types": ["Egress"],
                  "egress": [{"action": "Deny", "destination": {"nets": ["169.254.169.254/32"]}},
                             {"action": "Pass"}]}},
        {"kind": "GlobalNetworkSet", "name": "partners-%s" % uid, "labels": {"role": "partner-%s" % uid},
         "spec": {"nets": ["198.51.100.0/24", "203.0.113.16/28"]}},
        {"kind": "NetworkPolicy", "name": "allow-partners", "namespace": namespace,
         "spec": {"selector": "app == 'api'", "ingress": [
             {"action": "Allow", "protocol": "TCP",
              "source": {"namespaceSelector": "global()", "selector": "role == 'partner-%s'" % uid},
              "destination": {"ports": [443, "8443:8444"]}}]}},
    ]
    mark = audit.mark()
    result = ok(run({"policies": items}))
    assert result["api_version"] == API_V1
    created = result["created"]
    assert created[0] == "Tier %s" % tier and created[-1] == "NetworkPolicy %s/allow-partners" % namespace
    # Discovery said no Calico API server (404), so the CRDs were written.
    assert any(e.get("requestURI", "").startswith("/apis/projectcalico.org/v3") for e in audit.events(since=mark)
               if (e.get("impersonatedUser") or {}).get("username") == me)
    result = ok(run({"policies": items}))
    assert result["changed"] is False

    # A policy in a tier that does not exist is refused before any write.
    mark = audit.mark()
    result = run({"kind": "GlobalNetworkPolicy", "name": "nosuch%s.x" % uid, "spec": {"tier": "nosuch%s" % uid}})
    assert result["failed"] and "tier 'nosuch%s' does not exist" % uid in result["msg"]
    assert writes(calico_events(audit, mark, me), include_dry_run=True) == []

    # The tier cannot go while its policy stays; both go together, policy first.
    result = run({"kind": "Tier", "name": tier, "state": "absent"})
    assert result["failed"] and "cannot be deleted while policies are in it" in result["msg"]
    absent = [dict(kind=i["kind"], name=i["name"], state="absent") for i in items]
    for gone, item in zip(absent, items):
        if "namespace" in item:
            gone["namespace"] = item["namespace"]
    result = ok(run({"policies": absent}))
    assert result["deleted"][-1] == "Tier %s" % tier and len(result["deleted"]) == 4


# The real Calico CRDs ---------------------------------------------------------------------------
def _load_upstream_schemas():
    from tests import upstream
    schemas = {}
    for doc in upstream.calico_crds():
        if doc["spec"]["group"] == GROUP and doc["spec"]["names"]["kind"] in KINDS:
            version = [v for v in doc["spec"]["versions"] if v["name"] == "v1"][0]
            schemas[doc["spec"]["names"]["kind"]] = (doc, version["schema"]["openAPIV3Schema"])
    assert set(schemas) == set(KINDS)
    return schemas


SCHEMA_ITEMS = [
    {"kind": "Tier", "name": "security", "spec": {"order": 100, "defaultAction": "Pass"}},
    {"kind": "Tier", "name": "platform"},
    {"kind": "GlobalNetworkSet", "name": "partners", "labels": {"role": "partner"},
     "spec": {"nets": ["198.51.100.0/24", "2001:db8::/32"]}},
    {"kind": "NetworkSet", "name": "db", "namespace": "shop", "spec": {"nets": ["10.0.0.5"]}},
    {"kind": "GlobalNetworkPolicy", "name": "security.deny-metadata",
     "spec": {"tier": "security", "order": 10, "namespaceSelector": "has(projectcalico.org/name)", "types": ["Egress"],
              "egress": [{"action": "Deny", "destination": {"nets": ["169.254.169.254/32"]}}, {"action": "Pass"}]}},
    {"kind": "GlobalNetworkPolicy", "name": "host-ingress",
     "spec": {"preDNAT": True, "applyOnForward": True, "selector": "has(node)", "types": ["Ingress"],
              "ingress": [{"action": "Deny", "protocol": "TCP", "destination": {"ports": ["30000:32767"]}}]}},
    {"kind": "NetworkPolicy", "name": "default-deny", "namespace": "shop",
     "spec": {"order": 1000, "types": ["Ingress", "Egress"]}},
    {"kind": "NetworkPolicy", "name": "allow-dns", "namespace": "shop",
     "spec": {"order": 100, "types": ["Egress"], "egress": [
         {"action": "Allow", "protocol": "UDP", "destination": {
             "namespaceSelector": "projectcalico.org/name == 'kube-system'", "selector": "k8s-app == 'kube-dns'",
             "ports": [53]}}]}},
    {"kind": "NetworkPolicy", "name": "everything", "namespace": "shop",
     "spec": {"selector": "app == 'api'", "serviceAccountSelector": "role == 'api'", "types": ["Ingress", "Egress"],
              "performanceHints": ["AssumeNeededOnEveryNode"],
              "ingress": [
                  {"action": "Allow", "protocol": "TCP", "ipVersion": 4,
                   "source": {"namespaceSelector": "global()", "selector": "role == 'partner'",
                              "nets": ["198.51.100.0/24"], "notNets": ["198.51.100.128/25"], "notPorts": ["http"]},
                   "destination": {"ports": [443, "8443:8444"], "notSelector": "debug == 'true'"},
                   "http": {"methods": ["GET"], "paths": [{"prefix": "/api/"}]},
                   "metadata": {"annotations": {"ticket": "42"}}},
                  {"action": "Allow", "protocol": "ICMP", "icmp": {"type": 8, "code": 0}},
                  {"action": "Deny", "protocol": "ICMPv6", "ipVersion": 6, "notICMP": {"type": 128}},
                  {"action": "Log", "notProtocol": 17, "source": {"serviceAccounts": {"names": ["a"], "selector": "x == 'y'"}}},
                  {"action": "Allow", "protocol": "TCP", "source": {"services": {"name": "frontend", "namespace": "web"}}}],
              "egress": [{"action": "Allow", "destination": {"services": {"name": "kubernetes", "namespace": "default"}}},
                         {"action": "Pass", "protocol": "SCTP", "destination": {"ports": [9999]}}]}},
]


def _schema_objects():
    return [(d.kind, build_object(API_V1, d)) for d in validate_items(SCHEMA_ITEMS)]


def test_generated_objects_validate_against_real_calico_v3_32_crd_schemas():
    import jsonschema
    schemas = _load_upstream_schemas()
    for kind, body in _schema_objects():
        _crd, schema = schemas[kind]
        jsonschema.Draft7Validator(schema).validate(body)
    # The check has teeth: the same schemas refuse what Calico's CRDs refuse.
    _crd, np_schema = schemas["NetworkPolicy"]
    bad = copy.deepcopy(_schema_objects()[-1][1])
    bad["spec"]["ingress"][0]["action"] = "Allowz"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(np_schema).validate(bad)
    bad = copy.deepcopy(_schema_objects()[-1][1])
    bad["spec"]["order"] = "100"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(np_schema).validate(bad)


def test_generated_objects_are_accepted_by_the_api_server_with_the_real_crds(k8s, uid):
    """The real CRDs under a scratch group on the sandbox (the project's CRDs hold the real names):
    the API server validates and prunes our objects against Calico's own structural schemas."""
    from kubernetes import client
    from kubernetes.client.rest import ApiException
    schemas = _load_upstream_schemas()
    group = "c%s.calico-check.hardened.test" % uid
    ext = client.ApiextensionsV1Api(k8s)
    made = []
    try:
        for kind, (crd, _schema) in schemas.items():
            crd = copy.deepcopy(crd)
            crd["metadata"] = {"name": "%s.%s" % (crd["spec"]["names"]["plural"], group)}
            crd["spec"]["group"] = group
            ext.create_custom_resource_definition(crd)
            made.append(crd["metadata"]["name"])
        deadline = time.time() + 30
        for name in made:
            while True:
                got = ext.read_custom_resource_definition(name)
                if any(c.type == "Established" and c.status == "True" for c in (got.status.conditions or [])):
                    break
                assert time.time() < deadline, "CRD %s not established" % name
                time.sleep(0.2)
        api = custom(k8s)
        core = client.CoreV1Api(k8s)
        ns = "cc-%s" % uid
        core.create_namespace({"metadata": {"name": ns}})
        try:
            for kind, body in _schema_objects():
                body = copy.deepcopy(body)
                body["apiVersion"] = "%s/v1" % group
                plural = KINDS[kind][0]
                if KINDS[kind][1]:
                    body["metadata"]["namespace"] = ns
                    stored = api.create_namespaced_custom_object(group, "v1", ns, plural, body)
                else:
                    stored = api.create_cluster_custom_object(group, "v1", plural, body)
                # Nothing we send is pruned as unknown by Calico's schema.
                assert stored["spec"] == body["spec"], (kind, stored["spec"], body["spec"])
            bad = copy.deepcopy(_schema_objects()[-1][1])
            bad["apiVersion"] = "%s/v1" % group
            bad["metadata"] = {"name": "bad", "namespace": ns}
            bad["spec"]["ingress"][0]["action"] = "Allowz"
            with pytest.raises(ApiException) as err:
                api.create_namespaced_custom_object(group, "v1", ns, "networkpolicies", bad)
            assert err.value.status == 422
        finally:
            core.delete_namespace(ns)
    finally:
        for name in made:
            try:
                ext.delete_custom_resource_definition(name)
            except ApiException:
                pass


def test_validate_only_lints_offline_without_a_cluster(run_module):
    """validate_only: the same validation, no connection (the kubeconfig does not even exist),
    the objects returned as they would be written; bad input fails with every problem."""
    offline = {"kubeconfig": "/nonexistent/kubeconfig", "host": "https://127.0.0.1:9", "validate_only": True}
    good = [{"kind": "NetworkPolicy", "name": "default-deny", "namespace": "shop", "spec": {"types": ["Ingress", "Egress"]}},
            {"kind": "NetworkPolicy", "name": "allow-dns", "namespace": "shop", "spec": {"egress": [
                {"action": "Allow", "protocol": "UDP", "destination": {"ports": [53]}}]}}]
    res = run_module("calico_policy", dict(offline, policies=good))
    assert res["_rc"] == 0 and res["changed"] is False, res
    names = [(o["kind"], o["metadata"]["name"]) for o in res["objects"]]
    assert names == [("NetworkPolicy", "default-deny"), ("NetworkPolicy", "allow-dns")]
    assert res["objects"][1]["spec"]["types"] == ["Egress"] and res["objects"][1]["spec"]["selector"] == "all()"
    bad = [{"kind": "NetworkPolicy", "name": "Bad_Name", "namespace": "shop",
            "spec": {"selector": "app ==", "ingress": [{"action": "Allowz"}]}}]
    res = run_module("calico_policy", dict(offline, policies=bad))
    assert res.get("failed") and len(res["problems"]) == 3, res
    res = run_module("calico_policy", dict(offline, policies=good, purge="app=shop"))
    assert res.get("failed") and "validate_only" in res["msg"]
