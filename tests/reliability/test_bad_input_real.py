"""Scenario 4 (real processes) - invalid input never reaches the APIs.

A few module runs as real processes (as Ansible runs them) with invalid input; the evidence that
nothing was written - nothing was even sent - is the API server's audit log (the Kubernetes
modules impersonate a user of their own, so their requests are told apart from everyone else's
on the shared sandbox) and the request log of a private moto.
"""
import uuid

import pytest
from kubernetes import client

from tests.reliability._helpers import NODE_TEXT, arn


@pytest.fixture
def me():
    return "bad-input-%s" % uuid.uuid4().hex[:8]


def _mine(audit, mark, user):
    return [e for e in audit.events(since=mark) if (e.get("impersonatedUser") or {}).get("username") == user]


def _clean_failure(res):
    assert res.get("failed") and res["_rc"] != 0, res
    assert "Traceback" not in res["_stderr"] and "MODULE FAILURE" not in (res.get("msg") or ""), \
        "unhandled exception: %s" % (res.get("module_stderr") or res["_stderr"])[-1500:]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case,params,needle", [
    ("masters", {"roles": [{"arn": arn("admin"), "username": "admin", "groups": ["system:masters"]}]},
     "roles[0].groups: system:masters"),
    ("bad arn", {"roles": [{"arn": "arn:aws:iam::12345:role/x", "username": "x"}]}, "roles[0].arn"),
    ("sts arn", {"roles": [{"arn": "arn:aws:sts::123456789012:assumed-role/dev/alice", "username": "x"}]},
     "assumed-role"),
    ("placeholder", {"users": [{"arn": arn("bob", "user"), "username": "{{ SessionName }}"}]},
     "users[0].username"),
    ("account", {"accounts": [12345]}, "accounts"),
    ("several", {"roles": [{"arn": "nope", "username": "x"}, {"arn": arn("ok"), "username": "{{Bad}}"}],
                 "accounts": ["abc"]}, "3 problems"),
])
def test_aws_auth_mapping_invalid_input_sends_nothing(k8s, namespace, run_module, audit, me, case, params, needle):
    core = client.CoreV1Api(k8s)
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "aws-auth"}, "data": {"mapRoles": NODE_TEXT}})
    before = core.read_namespaced_config_map("aws-auth", namespace)
    m = audit.mark()
    res = run_module("aws_auth_mapping", dict(params, namespace=namespace, impersonate_user=me,
                                              impersonate_groups=["system:masters"]))
    _clean_failure(res)
    assert needle in res["msg"], res["msg"]
    assert _mine(audit, m, me) == []  # not even a read
    after = core.read_namespaced_config_map("aws-auth", namespace)
    assert after.metadata.resource_version == before.metadata.resource_version


@pytest.mark.timeout(120)
@pytest.mark.parametrize("bad", ["mapRoles: [unclosed", "- rolearn: [1, 2]\n  username: x\n", "just a string"])
def test_aws_auth_mapping_unparseable_existing_data_is_left_alone(k8s, namespace, run_module, audit, me, bad):
    core = client.CoreV1Api(k8s)
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "aws-auth"}, "data": {"mapRoles": bad}})
    before = core.read_namespaced_config_map("aws-auth", namespace)
    m = audit.mark()
    res = run_module("aws_auth_mapping", {"namespace": namespace, "impersonate_user": me,
                                          "impersonate_groups": ["system:masters"],
                                          "roles": [{"arn": arn("new"), "username": "new"}]})
    _clean_failure(res)
    assert "mapRoles" in res["msg"] and "nothing was changed" in res["msg"], res["msg"]
    assert [e["verb"] for e in _mine(audit, m, me)] == ["get"]
    after = core.read_namespaced_config_map("aws-auth", namespace)
    assert after.metadata.resource_version == before.metadata.resource_version and after.data == before.data


def _np(ns, **spec):
    base = {"selector": "app == 'web'", "types": ["Ingress"],
            "ingress": [{"action": "Allow", "protocol": "TCP", "destination": {"ports": [80]}}]}
    base.update(spec)
    return {"kind": "NetworkPolicy", "name": "web", "namespace": ns, "spec": base}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case,item,needle", [
    ("selector", lambda ns: _np(ns, selector="app == 'web' &&"), "spec.selector"),
    ("port range", lambda ns: _np(ns, ingress=[{"action": "Allow", "protocol": "TCP",
                                                "destination": {"ports": ["90:80"]}}]), "ports"),
    ("ports without protocol", lambda ns: _np(ns, ingress=[{"action": "Allow", "destination": {"ports": [80]}}]),
     "ports"),
    ("mixed ip versions", lambda ns: _np(ns, ingress=[{"action": "Allow", "source": {
        "nets": ["10.0.0.0/8", "fd00::/8"]}}]), "IPv4 and IPv6"),
    ("icmp code", lambda ns: _np(ns, ingress=[
        {"action": "Allow", "protocol": "ICMP", "icmp": {"type": 8, "code": 300}}]), "code"),
    ("action", lambda ns: _np(ns, ingress=[{"action": "allow"}]), "action"),
    ("kind not a string", lambda ns: dict(_np(ns), kind=["NetworkPolicy"]), "kind"),
])
def test_calico_policy_invalid_input_sends_nothing(namespace, run_module, audit, me, case, item, needle):
    m = audit.mark()
    res = run_module("calico_policy", {"policies": [item(namespace)], "impersonate_user": me,
                                       "impersonate_groups": ["system:masters"]})
    _clean_failure(res)
    assert needle in res["msg"], res["msg"]
    assert _mine(audit, m, me) == []


@pytest.mark.timeout(120)
@pytest.mark.parametrize("module,params,needle", [
    ("eks_cluster", {"name": "bad", "version": "1.31", "role_arn": arn("eks"), "subnets": ["subnet-1", "subnet-2"],
                     "public_access_cidrs": ["0.0.0.0/0"], "endpoint_public_access": True}, "public"),
    ("eks_cluster", {"name": "bad", "version": "one", "role_arn": arn("eks"), "subnets": ["subnet-1"],
                     "encryption_waived": True}, "version"),
    ("eks_addon", {"cluster_name": "c", "name": "vpc-cni", "service_account_role_arn": "arn:aws:iam::1:user/x"},
     "service_account_role_arn"),
    ("eks_addon", {"cluster_name": "c", "name": "vpc-cni", "configuration_values": "{not json: ["},
     "configuration_values"),
])
def test_aws_modules_invalid_input_send_nothing(private_moto, run_module, module, params, needle):
    m = private_moto.requests.mark()
    res = run_module(module, params, env=private_moto.env())
    _clean_failure(res)
    assert needle in res["msg"], res["msg"]
    assert private_moto.requests.since(m) == []  # not one AWS call


@pytest.mark.timeout(120)
@pytest.mark.parametrize("params,needle", [
    ({"name": "p", "trust": {"kube2iam": {"node_role_arns": ["*"]}}}, "*"),
    ({"name": "p", "trust": {"irsa": {"oidc_provider_arn": "arn:aws:iam::123456789012:oidc-provider/x",
                                      "namespace": "", "service_account": "web"}}}, "namespace"),
    ({"name": "p", "trust": {"kube2iam": {"node_role_arns": [arn("node")]}},
      "inline_policies": {"bad": "{not json"}}, "inline_policies"),
    ({"name": "p", "trust": {}}, "trust"),
])
def test_eks_pod_iam_role_invalid_input_sends_nothing(private_moto, run_module, params, needle):
    m = private_moto.requests.mark()
    res = run_module("eks_pod_iam_role", params, env=private_moto.env())
    _clean_failure(res)
    assert needle in res["msg"], res["msg"]
    assert private_moto.requests.since(m) == []


@pytest.mark.timeout(120)
@pytest.mark.parametrize("trust", [False, 5, [1], {"kube2iam": True}, {"irsa": 3.5, "pod_identity": []}])
def test_eks_pod_iam_role_trust_of_the_wrong_type_fails_cleanly(private_moto, run_module, trust):
    """ansible-core 2.19.14 itself crashes (TypeError in set_fallbacks) on a bool/number/list where
    a dict with sub-options belongs; the module guards its raw arguments (argspec_guard)."""
    m = private_moto.requests.mark()
    res = run_module("eks_pod_iam_role", {"name": "p", "trust": trust}, env=private_moto.env())
    _clean_failure(res)
    assert "must be a dictionary" in res["msg"] and "trust" in res["msg"], res["msg"]
    assert private_moto.requests.since(m) == []
