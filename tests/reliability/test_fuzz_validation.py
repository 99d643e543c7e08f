"""Scenario 4 - bad input: property-based tests over every module's input handling.

Each module's ``main()`` runs in this process (``_inproc``: arguments go through AnsibleModule's
own loading and argument spec, then the module's validation), fed by hypothesis with arbitrary
and near-valid data: ARNs, usernames, groups, accounts, existing aws-auth contents, Calico
selectors, rules, ports, CIDRs, protocols, EKS settings, add-on configuration, audit grants.
Its API edges are recorders: an in-memory Kubernetes API (the module's own retry/optimistic
logic still runs) and an AWS client that stops the run at the first call.

Properties, for every generated input:
- the only outcomes are success or a clean ``fail_json`` - never an exception out of ``main()``;
- a failed run wrote nothing (Kubernetes writes recorded by the fake API), and a validation
  failure made no API call at all (AWS modules: no call; aws_auth_mapping: no request);
- aws_auth_mapping never widens access by accident: a ``system:masters`` mapping appears only
  when it was there before or was asked for with ``allow_cluster_admin``; an entry that carried a
  node group keeps it unless ``allow_node_role_removal``.

Each test counts the inputs it ran and prints the count; ``max_examples`` is fixed and the runs
are derandomized, so ``make test`` runs the same inputs every time.
"""
import collections
import re

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reliability._inproc import load, run_main

COUNTS = collections.Counter()
FUZZ = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])


@pytest.fixture(scope="module", autouse=True)
def report_counts(request):
    yield
    total = sum(COUNTS.values())
    print("\n[reliability] generated inputs run: %s, total %d" % (dict(COUNTS), total))


def _mp():
    return pytest.MonkeyPatch.context()


# --------------------------------------------------------------------------------- strategies
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
SHORT = st.text(alphabet="abcXYZ019-_./:{}* \t\n'\"=!&|()", max_size=20)
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2 ** 40, max_value=2 ** 40),
                   st.floats(allow_nan=True, allow_infinity=True), TEXT)
JUNK = st.recursive(SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                    st.dictionaries(SHORT, inner, max_size=3)), max_leaves=6)


def maybe(strategy):
    return st.one_of(strategy, strategy, strategy, JUNK)


ACCOUNT = st.one_of(st.from_regex(r"\A[0-9]{12}\Z"), st.from_regex(r"\A[0-9]{0,14}\Z"), SHORT)
IAM_NAME = st.one_of(st.from_regex(r"\A[A-Za-z0-9+=,.@_-]{1,70}\Z"), SHORT)
PATH = st.lists(st.one_of(st.from_regex(r"\A[a-z0-9-]{1,8}\Z"), st.just(""), SHORT), max_size=3).map("/".join)


@st.composite
def arn(draw, types=("role", "user")):
    partition = draw(st.sampled_from(["aws", "aws-cn", "aws-us-gov", "aws-iso", "", "AWS"]))
    service = draw(st.sampled_from(["iam", "iam", "iam", "sts", "s3", ""]))
    region = draw(st.sampled_from(["", "", "", "us-east-1"]))
    rtype = draw(st.sampled_from(list(types) + ["assumed-role", "group", "policy", "oidc-provider", ""]))
    path = draw(PATH)
    name = draw(IAM_NAME)
    resource = "%s/%s%s" % (rtype, path + "/" if path else "", name)
    text = "arn:%s:%s:%s:%s:%s" % (partition, service, region, draw(ACCOUNT), resource)
    return draw(st.sampled_from([text, text, text, text.upper(), " " + text, text + "\n"]))


ARN = st.one_of(arn(), arn(), arn(), SHORT, JUNK)
PLACEHOLDER = st.sampled_from(["{{AccountID}}", "{{SessionName}}", "{{SessionNameRaw}}", "{{EC2PrivateDNSName}}",
                               "{{AccessKeyID}}", "{{ SessionName }}", "{{Foo}}", "{{", "}}", "{{{{AccountID}}}}",
                               "{{SessionName}", ""])
USERNAME = st.one_of(st.builds(lambda a, p, b: a + p + b, SHORT, PLACEHOLDER, SHORT),
                     st.sampled_from(["system:node:{{EC2PrivateDNSName}}", "admin", "", "  "]), JUNK)
GROUP = st.one_of(st.sampled_from(["system:masters", "system:nodes", "system:bootstrappers", "system:node-proxier",
                                   "viewers", " viewers", "", "team:{{AccountID}}", "{{Bad}}"]), SHORT, JUNK)
ENTRY = st.fixed_dictionaries({"arn": ARN}, optional={"username": USERNAME,
                                                      "groups": st.one_of(st.lists(GROUP, max_size=4), JUNK),
                                                      "extra": JUNK})
ENTRIES = st.one_of(st.lists(ENTRY, max_size=5), JUNK)
ACCOUNTS = st.one_of(st.lists(st.one_of(ACCOUNT, st.integers(min_value=0, max_value=10 ** 13), JUNK), max_size=4),
                     JUNK)


def _yaml(value):
    try:
        return yaml.safe_dump(value, default_flow_style=False, allow_unicode=True)
    except yaml.YAMLError:
        return "- broken"


EXISTING_ROLE = st.fixed_dictionaries(
    {"rolearn": st.one_of(arn(("role",)), JUNK)},
    optional={"username": USERNAME, "groups": st.one_of(st.lists(GROUP, max_size=3), JUNK), "other": JUNK})
EXISTING_USER = st.fixed_dictionaries(
    {"userarn": st.one_of(arn(("user",)), JUNK)},
    optional={"username": USERNAME, "groups": st.one_of(st.lists(GROUP, max_size=3), JUNK)})
EXISTING_KEY = {
    "mapRoles": st.one_of(st.lists(EXISTING_ROLE, max_size=4).map(_yaml), JUNK.map(_yaml), TEXT,
                          st.sampled_from(["", "``", '""', "[]", "- rolearn: x\n  groups: system:masters\n",
                                           "{{", "- :\n", "\t- a"])),
    "mapUsers": st.one_of(st.lists(EXISTING_USER, max_size=3).map(_yaml), JUNK.map(_yaml), TEXT),
    "mapAccounts": st.one_of(st.lists(st.one_of(ACCOUNT, st.integers()), max_size=3).map(_yaml), JUNK.map(_yaml),
                             TEXT),
}
EXISTING = st.one_of(
    st.none(),
    st.fixed_dictionaries({}, optional=dict(EXISTING_KEY, other=TEXT)),
)

AWS_AUTH_PARAMS = st.fixed_dictionaries({}, optional={
    "roles": ENTRIES, "users": ENTRIES, "accounts": ACCOUNTS,
    "state": maybe(st.sampled_from(["present", "absent"])),
    "purge": maybe(st.booleans()), "allow_node_role_removal": maybe(st.booleans()),
    "allow_cluster_admin": maybe(st.booleans()), "normalize_arns": maybe(st.booleans()),
    "create": maybe(st.booleans()),
})

CM_PATH = "/api/v1/namespaces/kube-system/configmaps/aws-auth"
NODE_GROUPS = {"system:nodes", "system:bootstrappers", "system:node-proxier"}


def _mappings(data):
    """{lower-cased ARN: set of groups} as the authenticator reads mapRoles/mapUsers (the last
    entry of an ARN wins); None when a key does not parse as a list of mappings."""
    out = {}
    for key, field in (("mapRoles", "rolearn"), ("mapUsers", "userarn")):
        text = (data or {}).get(key)
        if not text or text in ("``", '""'):
            continue
        try:
            items = yaml.safe_load(text)
        except yaml.YAMLError:
            return None
        if items is None:
            continue
        if not isinstance(items, list):
            return None
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get(field), str):
                continue
            groups = item.get("groups")
            out[item[field].lower()] = set(g for g in groups if isinstance(g, str)) if isinstance(groups, list) else set()
    return out


def _requested_admins(params):
    out = set()
    for kind in ("roles", "users"):
        for item in params.get(kind) or []:
            if isinstance(item, dict) and isinstance(item.get("groups"), list) and "system:masters" in item["groups"] \
                    and isinstance(item.get("arn"), str):
                out.add(item["arn"].lower())
    return out


@FUZZ
@given(params=AWS_AUTH_PARAMS, existing=EXISTING, check=st.booleans())
def test_aws_auth_mapping_any_input(params, existing, check):
    COUNTS["aws_auth_mapping"] += 1
    module = load("aws_auth_mapping")
    objects = {}
    if existing is not None:
        objects[CM_PATH] = {"apiVersion": "v1", "kind": "ConfigMap", "data": existing,
                            "metadata": {"name": "aws-auth", "namespace": "kube-system", "resourceVersion": "7"}}
    with _mp() as mp:
        out = run_main(module, params, mp, k8s_objects=objects, check_mode=check)
    if out.kind == "fail":
        assert out.writes == [], "a failed run wrote: %r" % (out,)
        if out.result["msg"].startswith("invalid input") or "parameters" in out.result["msg"]:
            assert out.calls == [], "validation failed after API calls: %r" % (out,)
        return
    assert out.kind == "exit", out
    if check:
        assert out.writes == []
    if not out.writes:
        return
    assert len(out.writes) == 1  # one write at most
    before = _mappings(existing)
    after = _mappings(out.objects[CM_PATH]["data"])
    assert after is not None, "the module wrote aws-auth data that does not parse"
    if before is None:
        before = {}
    new_admins = {a for a, g in after.items() if "system:masters" in g} - \
        {a for a, g in before.items() if "system:masters" in g}
    if new_admins:
        assert params.get("allow_cluster_admin") is True, "system:masters granted without allow_cluster_admin: %s" \
            % sorted(new_admins)
        assert new_admins <= {_norm(a) for a in _requested_admins(params)}, sorted(new_admins)
    if params.get("allow_node_role_removal") is not True:
        for a, groups in before.items():
            if groups & NODE_GROUPS:
                assert a in after and groups & NODE_GROUPS <= after[a], "node entry %s lost its groups" % a


def _norm(a):
    m = re.match(r"^(arn:[^:]*:iam::[^:]*:role/)(?:.*/)([^/]+)$", a)
    return (m.group(1) + m.group(2)) if m else a


# --------------------------------------------------------------------------------------- calico
LABEL = st.one_of(st.from_regex(r"\A[a-z0-9]([a-z0-9.-]{0,10}/)?[A-Za-z0-9]([A-Za-z0-9._-]{0,10}[A-Za-z0-9])?\Z"),
                  st.sampled_from(["app", "role", "projectcalico.org/name", "a/b/c", "-bad", "bad-"]), SHORT)
QUOTED = st.one_of(st.from_regex(r"\A[a-z0-9 ']{0,8}\Z").map(lambda s: '"%s"' % s),
                   st.from_regex(r'\A[a-z0-9 "]{0,8}\Z').map(lambda s: "'%s'" % s), SHORT)
ATOM = st.one_of(
    st.builds(lambda k, op, v: "%s %s %s" % (k, op, v), LABEL,
              st.sampled_from(["==", "!=", "contains", "starts with", "ends with", "=", "==="]), QUOTED),
    st.builds(lambda k, vs, neg: "%s %sin {%s}" % (k, "not " if neg else "", ", ".join(vs)), LABEL,
              st.lists(QUOTED, max_size=3), st.booleans()),
    st.builds(lambda k: "has(%s)" % k, LABEL),
    st.sampled_from(["all()", "global()", "", "has()", "(", ")", "!", "&&", "||"]),
)
SELECTOR = st.one_of(
    st.recursive(ATOM, lambda inner: st.one_of(
        st.builds(lambda a, b, op: "%s %s %s" % (a, op, b), inner, inner, st.sampled_from(["&&", "||", "&", "|"])),
        inner.map(lambda a: "!%s" % a), inner.map(lambda a: "(%s)" % a)), max_leaves=5),
    TEXT, JUNK)
IPV4 = st.ip_addresses(v=4).map(str)
IPV6 = st.ip_addresses(v=6).map(str)
CIDR = st.one_of(st.builds(lambda a, n: "%s/%d" % (a, n), IPV4, st.integers(-1, 40)),
                 st.builds(lambda a, n: "%s/%d" % (a, n), IPV6, st.integers(-1, 140)),
                 IPV4, IPV6, st.sampled_from(["0.0.0.0/0", "::/0", "169.254.169.254/32", "10.0.0.0/8", "10.0.0.1/8"]),
                 SHORT, JUNK)
PORT = st.one_of(st.integers(-2, 70000), st.builds(lambda a, b: "%d:%d" % (a, b), st.integers(-1, 70000),
                                                   st.integers(-1, 70000)),
                 st.from_regex(r"\A[a-z][a-z0-9-]{0,16}\Z"), st.integers(0, 65535).map(str), SHORT, JUNK)
PROTOCOL = st.one_of(st.sampled_from(["TCP", "UDP", "ICMP", "ICMPv6", "SCTP", "UDPLite", "tcp", "icmp"]),
                     st.integers(-5, 300), st.integers(0, 255).map(str), SHORT, JUNK)
ENTITY = st.fixed_dictionaries({}, optional={
    "nets": maybe(st.lists(CIDR, max_size=3)), "notNets": maybe(st.lists(CIDR, max_size=2)),
    "selector": SELECTOR, "notSelector": SELECTOR, "namespaceSelector": SELECTOR,
    "ports": maybe(st.lists(PORT, max_size=3)), "notPorts": maybe(st.lists(PORT, max_size=2)),
    "serviceAccounts": maybe(st.fixed_dictionaries({}, optional={"names": maybe(st.lists(SHORT, max_size=2)),
                                                                 "selector": SELECTOR})),
    "services": maybe(st.fixed_dictionaries({}, optional={"name": SHORT, "namespace": SHORT})),
    "bogus": JUNK,
})
ICMP = maybe(st.fixed_dictionaries({}, optional={"type": maybe(st.integers(-1, 300)),
                                                 "code": maybe(st.integers(-1, 300))}))
RULE = maybe(st.fixed_dictionaries({"action": maybe(st.sampled_from(["Allow", "Deny", "Log", "Pass", "allow", "Drop"]))},
                                   optional={"protocol": PROTOCOL, "notProtocol": PROTOCOL, "icmp": ICMP,
                                             "notICMP": ICMP, "ipVersion": maybe(st.sampled_from([4, 6, 5])),
                                             "source": maybe(ENTITY), "destination": maybe(ENTITY),
                                             "http": maybe(st.fixed_dictionaries({}, optional={
                                                 "methods": maybe(st.lists(SHORT, max_size=2)),
                                                 "paths": maybe(st.lists(st.dictionaries(
                                                     st.sampled_from(["exact", "prefix", "regex"]), SHORT,
                                                     max_size=2), max_size=2))})),
                                             "metadata": JUNK}))
ORDER = st.one_of(st.integers(-10, 10 ** 6), st.floats(allow_nan=True, allow_infinity=True),
                  st.sampled_from(["100", "1e3", "x"]),
                  JUNK)
SPEC = maybe(st.fixed_dictionaries({}, optional={
    "order": ORDER, "tier": maybe(st.sampled_from(["default", "security", "Security", ""])), "selector": SELECTOR,
    "types": maybe(st.lists(st.sampled_from(["Ingress", "Egress", "ingress", "Both"]), max_size=3)),
    "ingress": maybe(st.lists(RULE, max_size=3)), "egress": maybe(st.lists(RULE, max_size=3)),
    "namespaceSelector": SELECTOR, "serviceAccountSelector": SELECTOR, "doNotTrack": maybe(st.booleans()),
    "preDNAT": maybe(st.booleans()), "applyOnForward": maybe(st.booleans()),
    "nets": maybe(st.lists(CIDR, max_size=3)), "defaultAction": maybe(st.sampled_from(["Deny", "Pass", "Allow"])),
    "performanceHints": maybe(st.lists(st.sampled_from(["AssumeNeededOnEveryNode", "x"]), max_size=2)),
    "unknownField": JUNK,
}))
KIND = maybe(st.sampled_from(["NetworkPolicy", "GlobalNetworkPolicy", "NetworkSet", "GlobalNetworkSet", "Tier",
                              "networkpolicy", "Pod"]))
NAME = st.one_of(st.from_regex(r"\A[a-z0-9]([a-z0-9.-]{0,20}[a-z0-9])?\Z"),
                 st.sampled_from(["security.allow", "default.x", "knp.default.x", "Upper", "a" * 254]), SHORT, JUNK)
ITEM = st.fixed_dictionaries({"kind": KIND, "name": NAME}, optional={
    "namespace": maybe(st.sampled_from(["default", "app", "kube-system", "Bad_NS", ""])),
    "labels": maybe(st.dictionaries(LABEL, maybe(SHORT), max_size=3)), "spec": SPEC,
    "state": maybe(st.sampled_from(["present", "absent"])), "extra": JUNK})
CALICO_PARAMS = st.one_of(
    st.fixed_dictionaries({"policies": maybe(st.lists(ITEM, max_size=4))}, optional={
        "purge": maybe(st.sampled_from(["app=shop", "hardened.eks/managed-by=calico_policy", "a in (b,c)", "!x",
                                        "=bad", ""])),
        "purge_kinds": maybe(st.lists(KIND, max_size=2)), "purge_labels": maybe(st.booleans()),
        "state": maybe(st.sampled_from(["present", "absent"])),
        "api": maybe(st.sampled_from(["auto", "projectcalico.org/v3", "crd.projectcalico.org/v1"]))}),
    ITEM.map(lambda item: {k: v for k, v in item.items() if k != "extra"}),
)


@FUZZ
@given(params=CALICO_PARAMS, check=st.booleans())
def test_calico_policy_any_input(params, check):
    COUNTS["calico_policy"] += 1
    module = load("calico_policy")
    with _mp() as mp:
        out = run_main(module, params, mp, check_mode=check)
    assert out.kind in ("exit", "fail"), out
    if out.kind == "fail":
        assert out.writes == [], "a failed run wrote: %r" % (out,)
        if out.result.get("problems") is not None and not out.result.get("failures"):
            reads = [c for c in out.calls if c[0] != "GET"]
            assert reads == [], out
    if check:
        assert out.writes == []


# ------------------------------------------------------------------------------------------ AWS
REGION = st.sampled_from(["us-east-1", "eu-west-1", "", "mars-1"])
KMS_ARN = st.one_of(st.builds(lambda r, a, k: "arn:aws:kms:%s:%s:key/%s" % (r, a, k), REGION, ACCOUNT,
                              st.from_regex(r"\A[a-f0-9-]{0,36}\Z")), SHORT, JUNK)
EKS_PARAMS = st.fixed_dictionaries({"name": maybe(st.one_of(st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_-]{0,110}\Z"),
                                                            SHORT))}, optional={
    "state": maybe(st.sampled_from(["present", "absent"])),
    "version": maybe(st.one_of(st.from_regex(r"\A1\.[0-9]{1,2}\Z"), st.sampled_from(["1.31", "2.0", "1", "latest"]),
                               SHORT)),
    "role_arn": ARN, "subnets": maybe(st.lists(st.one_of(st.from_regex(r"\Asubnet-[0-9a-f]{8}\Z"), SHORT),
                                               max_size=4)),
    "security_groups": maybe(st.lists(SHORT, max_size=2)),
    "endpoint_private_access": maybe(st.booleans()), "endpoint_public_access": maybe(st.booleans()),
    "public_access_cidrs": maybe(st.lists(CIDR, max_size=4)),
    "allow_public_endpoint_anywhere": maybe(st.booleans()),
    "logging": maybe(st.lists(st.sampled_from(["api", "audit", "authenticator", "controllerManager", "scheduler",
                                               "API"]), max_size=6)),
    "encryption": KMS_ARN, "encryption_waived": maybe(st.booleans()),
    "authentication_mode": maybe(st.sampled_from(["API", "API_AND_CONFIG_MAP", "CONFIG_MAP", "api"])),
    "oidc_provider": maybe(st.booleans()),
    "oidc_thumbprints": maybe(st.lists(st.one_of(st.from_regex(r"\A[0-9a-fA-F]{40}\Z"), SHORT), max_size=3)),
    "tags": maybe(st.dictionaries(SHORT, maybe(SHORT), max_size=3)), "purge_tags": maybe(st.booleans()),
    "wait": maybe(st.booleans()), "wait_timeout": maybe(st.integers(-10, 10 ** 6)),
})
ADDON_PARAMS = st.fixed_dictionaries({"cluster_name": maybe(SHORT), "name": maybe(
    st.one_of(st.sampled_from(["vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver"]), SHORT))}, optional={
    "addon_version": maybe(st.one_of(st.from_regex(r"\Av1\.[0-9]{1,2}\.[0-9]-eksbuild\.[0-9]\Z"), SHORT)),
    "configuration_values": st.one_of(st.dictionaries(SHORT, JUNK, max_size=3), JUNK,
                                      st.sampled_from(["{}", "env: {A: b}", "[1, 2]", "{", "a: [", "null"])),
    "service_account_role_arn": ARN,
    "resolve_conflicts": maybe(st.sampled_from(["OVERWRITE", "PRESERVE", "NONE", "overwrite"])),
    "preserve": maybe(st.booleans()), "state": maybe(st.sampled_from(["present", "absent"])),
    "wait": maybe(st.booleans()), "wait_timeout": maybe(st.integers(-10, 10 ** 6)),
})
AUDIT_PARAMS = st.fixed_dictionaries({"cluster_name": maybe(SHORT)}, optional={
    "rbac_grants": maybe(st.lists(st.fixed_dictionaries({"actions": maybe(st.lists(st.sampled_from(
        ["get-secrets", "list-secrets", "bind-roles", "*", "delete-everything", ""]), max_size=3))}, optional={
        "arn": ARN, "group": maybe(GROUP), "username": USERNAME}), max_size=3)),
    "public_access_cidrs": maybe(st.lists(CIDR, max_size=3)),
    "node_role_arns": maybe(st.lists(ARN, max_size=2)), "allowed_masters": maybe(st.lists(ARN, max_size=2)),
    "checks": maybe(st.lists(SHORT, max_size=2)), "supported_versions": maybe(st.lists(SHORT, max_size=2)),
})


def _aws_property(name, params, check):
    module = load(name)
    with _mp() as mp:
        mp.setenv("AWS_REGION", "us-east-1")
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        out = run_main(module, params, mp, check_mode=check)
    assert out.kind in ("exit", "fail", "reached_api"), out
    if out.kind == "fail":
        # the fake stops at the first AWS call, so a failure here is a failure before any call
        assert out.calls == [] and out.writes == [], out
    return out


@FUZZ
@given(params=EKS_PARAMS, check=st.booleans())
def test_eks_cluster_any_input(params, check):
    COUNTS["eks_cluster"] += 1
    _aws_property("eks_cluster", params, check)


@FUZZ
@given(params=ADDON_PARAMS, check=st.booleans())
def test_eks_addon_any_input(params, check):
    COUNTS["eks_addon"] += 1
    _aws_property("eks_addon", params, check)


@FUZZ
@given(params=AUDIT_PARAMS)
def test_eks_security_audit_any_input(params):
    COUNTS["eks_security_audit"] += 1
    _aws_property("eks_security_audit", params, True)


# ----------------------------------------------------------------------------- eks_pod_iam_role
K8S_NAME = st.one_of(st.from_regex(r"\A[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?\Z"),
                     st.sampled_from(["*", "app-*", "kube-system", "", "UPPER", "a" * 70]), SHORT)
POLICY_DOC = st.one_of(
    st.fixed_dictionaries({"Version": st.sampled_from(["2012-10-17", "2008-10-17", "x"]),
                           "Statement": maybe(st.lists(st.fixed_dictionaries(
                               {"Effect": maybe(st.sampled_from(["Allow", "Deny", "allow"]))},
                               optional={"Action": maybe(st.one_of(st.sampled_from(["s3:GetObject", "*", "iam:*"]),
                                                                   st.lists(SHORT, max_size=2))),
                                         "Resource": maybe(st.sampled_from(["*", "arn:aws:s3:::b/*"])),
                                         "Principal": JUNK, "Condition": JUNK}), max_size=3))}),
    st.sampled_from(['{"Version": "2012-10-17", "Statement": []}', "{", "not json", ""]), JUNK)


# ``trust`` and its three parts are ``type: dict`` options with ``options``: ansible-core 2.19
# crashes on a bool or a number there before the module runs (TypeError in
# common/parameters.py set_fallbacks; see test_bad_input_real), so they get mappings, strings or
# None here - everything else stays arbitrary.
def mapping_or_text(strategy):
    return st.one_of(strategy, strategy, strategy, st.none(), SHORT)


POD_ROLE_PARAMS = st.fixed_dictionaries({"name": maybe(IAM_NAME)}, optional={
    "path": maybe(st.sampled_from(["/", "/pods/", "pods", "//", "/a b/"])),
    "description": maybe(TEXT), "state": maybe(st.sampled_from(["present", "absent"])),
    "trust": mapping_or_text(st.fixed_dictionaries({}, optional={
        "kube2iam": mapping_or_text(st.fixed_dictionaries({}, optional={"node_role_arns": maybe(st.lists(
            st.one_of(ARN, st.just("*"), st.just("arn:aws:iam::123456789012:root")), max_size=3))})),
        "irsa": mapping_or_text(st.fixed_dictionaries({}, optional={
            "oidc_provider_arn": maybe(st.one_of(st.just(
                "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"), ARN)),
            "cluster_name": maybe(SHORT), "namespace": maybe(K8S_NAME), "service_account": maybe(K8S_NAME)})),
        "pod_identity": mapping_or_text(st.fixed_dictionaries({}, optional={
            "namespace": maybe(K8S_NAME), "service_account": maybe(K8S_NAME)})),
        "everyone": JUNK})),
    "managed_policy_arns": maybe(st.lists(st.one_of(st.just("arn:aws:iam::aws:policy/ReadOnlyAccess"), ARN),
                                          max_size=3)),
    "inline_policies": maybe(st.dictionaries(SHORT, POLICY_DOC, max_size=2)),
    "purge_policies": maybe(st.booleans()), "permissions_boundary": maybe(ARN),
    "max_session_duration": maybe(st.integers(-1, 100000)),
    "tags": maybe(st.dictionaries(SHORT, maybe(SHORT), max_size=3)), "purge_tags": maybe(st.booleans()),
})


@FUZZ
@given(params=POD_ROLE_PARAMS, check=st.booleans())
def test_eks_pod_iam_role_any_input(params, check):
    COUNTS["eks_pod_iam_role"] += 1
    out = _aws_property("eks_pod_iam_role", params, check)
    node_arns = ((params.get("trust") or {}).get("kube2iam") or {}).get("node_role_arns") \
        if isinstance(params.get("trust"), dict) and isinstance((params.get("trust") or {}).get("kube2iam"), dict) \
        else None
    if isinstance(node_arns, list) and any(a == "*" or (isinstance(a, str) and a.endswith(":root")) for a in node_arns):
        assert out.kind == "fail", "a trust that lets anyone (or a whole account) assume the role was accepted"
