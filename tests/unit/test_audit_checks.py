"""Unit tests of the verify checks (plugins/module_utils/_audit/) and their renderings
(_audit/report.py): each check with passing, failing and (where it has one) warning facts."""
import json
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.hardened.eks.plugins.module_utils._audit import checks as ac
from ansible_collections.hardened.eks.plugins.module_utils._audit import report as rep
from ansible_collections.hardened.eks.plugins.module_utils.aws_auth import parse_aws_auth

ACCOUNT = "123456789012"
NODE_ROLE = "arn:aws:iam::%s:role/prod-eks-node" % ACCOUNT
BASE = "arn:aws:iam::%s:role/" % ACCOUNT
KEY = "arn:aws:kms:us-east-1:%s:key/1234" % ACCOUNT
ISSUER = "https://oidc.eks.us-east-1.amazonaws.com/id/ABC"
PROVIDER = "arn:aws:iam::%s:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC" % ACCOUNT
WORKER = "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"
ECR = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"


def cluster(**kw):
    c = {"name": "prod", "arn": "arn:aws:eks:us-east-1:%s:cluster/prod" % ACCOUNT, "version": "1.32",
         "resourcesVpcConfig": {"endpointPrivateAccess": True, "endpointPublicAccess": False},
         "logging": {"clusterLogging": [{"types": list(ac.LOG_TYPES), "enabled": True}]},
         "encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": KEY}}]}
    c.update(kw)
    return c


def status(r):
    return r["result"]


# ----------------------------------------------------------------------------------------------
# Control plane
# ----------------------------------------------------------------------------------------------
def test_private_endpoint():
    assert status(ac.check_private_endpoint(cluster())) == "pass"
    r = ac.check_private_endpoint(cluster(resourcesVpcConfig={"endpointPrivateAccess": False}))
    assert status(r) == "fail" and "endpoint_private_access" in r["fix"]


@pytest.mark.parametrize("vpc,allowed,expected,needle", [
    ({"endpointPublicAccess": False}, [], "pass", "endpointPublicAccess=false"),
    ({"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]}, [], "fail", "open to the internet"),
    ({"endpointPublicAccess": True}, [], "fail", "open to the internet"),
    ({"endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.0/24"]}, ["203.0.113.0/24"], "pass", "limited"),
    ({"endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.128/25"]}, ["203.0.113.0/24"], "pass", "limited"),
    ({"endpointPublicAccess": True, "publicAccessCidrs": ["198.51.100.0/24"]}, ["203.0.113.0/24"], "fail",
     "198.51.100.0/24"),
    ({"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]}, ["0.0.0.0/0"], "pass", "limited"),
])
def test_public_endpoint(vpc, allowed, expected, needle):
    r = ac.check_public_endpoint(cluster(resourcesVpcConfig=vpc), allowed)
    assert status(r) == expected
    assert needle in r["evidence"]


def test_logging():
    assert status(ac.check_logging(cluster())) == "pass"
    partial = {"clusterLogging": [{"types": ["api", "audit"], "enabled": True},
                                  {"types": ["authenticator", "controllerManager", "scheduler"], "enabled": False}]}
    r = ac.check_logging(cluster(logging=partial))
    assert status(r) == "fail"
    assert "authenticator, controllerManager, scheduler" in r["evidence"]


def test_secrets_encryption():
    r = ac.check_secrets_encryption(cluster(), {"KeyManager": "CUSTOMER", "KeyState": "Enabled"})
    assert status(r) == "pass" and KEY in r["evidence"]
    assert status(ac.check_secrets_encryption(cluster(encryptionConfig=[]))) == "fail"
    other = [{"resources": ["configmaps"], "provider": {"keyArn": KEY}}]
    assert status(ac.check_secrets_encryption(cluster(encryptionConfig=other))) == "fail"


def test_version():
    assert status(ac.check_version(cluster(), ["1.31", "1.32"])) == "pass"  # an explicit list (the calendar: test_eks_versions)
    r = ac.check_version(cluster(version="1.27"), ["1.31", "1.32"])
    assert status(r) == "fail" and "1.27" in r["evidence"] and r["fix"]


# ----------------------------------------------------------------------------------------------
# Nodes
# ----------------------------------------------------------------------------------------------
def ng(name="system", tokens="required", hops=1, lt=True, md=True):
    return {"name": name, "node_role": NODE_ROLE,
            "launch_template": {"id": "lt-1", "name": "prod-nodes", "version": "3"} if lt else None,
            "metadata_options": {"HttpTokens": tokens, "HttpPutResponseHopLimit": hops} if md else None}


def test_imdsv2_pass_fail_warn():
    assert status(ac.check_imdsv2([ng()])) == "pass"
    r = ac.check_imdsv2([ng(), ng("batch", tokens="optional")])
    assert status(r) == "fail" and "batch" in r["evidence"] and "HttpTokens=optional" in r["evidence"]
    assert status(ac.check_imdsv2([ng(lt=False)])) == "fail"
    assert "not found" in ac.check_imdsv2([ng(md=False)])["evidence"]
    assert status(ac.check_imdsv2([])) == "warn"


def test_imdsv2_hop_limit_two_needs_a_reason():
    r = ac.check_imdsv2([ng(hops=2)])
    assert status(r) == "fail" and "without a documented reason" in r["evidence"]
    r = ac.check_imdsv2([ng(hops=2)], "pods on the host network read IMDS")
    assert status(r) == "pass" and "reason: pods on the host network" in r["evidence"]
    assert status(ac.check_imdsv2([ng(hops=3)], "anything")) == "fail"


def test_node_role_policies():
    ok = {NODE_ROLE: {"attached": [WORKER, ECR], "inline": []}}
    assert status(ac.check_node_role_policies(ok, [WORKER, ECR])) == "pass"
    extra = {NODE_ROLE: {"attached": [WORKER, ECR, "arn:aws:iam::aws:policy/AdministratorAccess"],
                         "inline": ["s3-all"]}}
    r = ac.check_node_role_policies(extra, [WORKER, ECR])
    assert status(r) == "fail"
    assert "AdministratorAccess" in r["evidence"] and "inline:s3-all" in r["evidence"]
    listed_inline = {NODE_ROLE: {"attached": [WORKER], "inline": ["kube2iam-assume"]}}
    assert status(ac.check_node_role_policies(listed_inline, [WORKER, "kube2iam-assume"])) == "pass"
    assert status(ac.check_node_role_policies({NODE_ROLE: None}, [WORKER])) == "fail"
    assert status(ac.check_node_role_policies({}, [WORKER])) == "warn"


# ----------------------------------------------------------------------------------------------
# aws-auth
# ----------------------------------------------------------------------------------------------
MAP_ROLES = """
- rolearn: %s
  username: system:node:{{EC2PrivateDNSName}}
  groups: [system:bootstrappers, system:nodes]
- rolearn: arn:aws:iam::%s:role/developers
  username: dev:{{SessionName}}
  groups: [app-developers]
""" % (NODE_ROLE, ACCOUNT)


def entries(map_roles=MAP_ROLES, map_users=""):
    return ac.mapped_entries(parse_aws_auth({"mapRoles": map_roles, "mapUsers": map_users}))


def test_mapped_entries_reads_roles_and_users():
    es = entries(map_users="- userarn: arn:aws:iam::%s:user/alice\n  username: alice\n  groups: [ops]\n" % ACCOUNT)
    assert [(e["kind"], e["where"]) for e in es] == [
        ("role", "mapRoles[0]"), ("role", "mapRoles[1]"), ("user", "mapUsers[0]")]
    assert es[1]["groups"] == ["app-developers"]


def test_aws_auth_parses():
    assert status(ac.check_aws_auth_parses(None)) == "pass"
    r = ac.check_aws_auth_parses("mapRoles: not valid YAML at line 2, column 3: ...")
    assert status(r) == "fail" and "mapRoles" in r["evidence"]
    assert status(ac.check_aws_auth_parses(None, configmap_found=False)) == "fail"


def test_node_roles_mapped():
    r = ac.check_node_roles_mapped(entries(), [NODE_ROLE])
    assert status(r) == "pass" and "mapRoles[0]" in r["evidence"]
    r = ac.check_node_roles_mapped(entries(), [NODE_ROLE, BASE + "other-node"])
    assert status(r) == "fail" and "other-node is not mapped" in r["evidence"]
    lacking = MAP_ROLES.replace("[system:bootstrappers, system:nodes]", "[system:bootstrappers]")
    r = ac.check_node_roles_mapped(entries(lacking), [NODE_ROLE])
    assert status(r) == "fail" and "lacks system:nodes" in r["evidence"]
    assert status(ac.check_node_roles_mapped(entries(), [])) == "warn"


def test_masters():
    assert status(ac.check_masters(entries(), [])) == "pass"
    admin = MAP_ROLES + "- rolearn: %sbreak-glass\n  username: admin\n  groups: [system:masters]\n" % BASE
    r = ac.check_masters(entries(admin), [])
    assert status(r) == "fail" and "break-glass" in r["evidence"] and "mapRoles[2]" in r["evidence"]
    r = ac.check_masters(entries(admin), [BASE + "break-glass"])
    assert status(r) == "pass" and "allowed" in r["evidence"]


def test_role_paths():
    assert status(ac.check_role_paths(entries())) == "pass"
    pathy = MAP_ROLES + "- rolearn: %steam/ops\n  username: ops\n  groups: [ops]\n" % BASE
    r = ac.check_role_paths(entries(pathy))
    assert status(r) == "fail"
    assert "role/team/ops" in r["evidence"] and "map %sops" % BASE in r["evidence"]


def test_duplicates():
    assert status(ac.check_duplicates(entries())) == "pass"
    dup = MAP_ROLES + "- rolearn: %sDevelopers\n  username: x\n  groups: [x]\n" % BASE
    r = ac.check_duplicates(entries(dup))
    assert status(r) == "fail" and "mapRoles[1], mapRoles[2]" in r["evidence"]
    # a path variant is the same role for the authenticator
    dup_path = MAP_ROLES + "- rolearn: %steam/developers\n  username: x\n  groups: [x]\n" % BASE
    assert status(ac.check_duplicates(entries(dup_path))) == "fail"


def binding(kind, name, groups, namespace=None):
    meta = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {"kind": kind, "metadata": meta, "subjects": [{"kind": "Group", "name": g} for g in groups]}


def test_group_bindings():
    bound = [binding("RoleBinding", "devs-edit", ["app-developers"], "shop")]
    r = ac.check_group_bindings(entries(), bound)
    assert status(r) == "pass"
    assert "app-developers -> shop/devs-edit" in r["evidence"] and "system:nodes (built in)" in r["evidence"]
    r = ac.check_group_bindings(entries(), [binding("ClusterRoleBinding", "x", ["app-developer"])])
    assert status(r) == "fail" and "app-developers (mapped for" in r["evidence"]
    # without the built-in list, system:nodes has no binding of its own
    assert status(ac.check_group_bindings(entries(), bound, builtin_groups=[])) == "fail"


# ----------------------------------------------------------------------------------------------
# RBAC
# ----------------------------------------------------------------------------------------------
def test_sar_identity_substitutes_placeholders():
    es = entries()
    node = ac.sar_identity(es[0], ACCOUNT)
    assert node["user"] == "system:node:ip-10-0-0-1.ec2.internal"
    assert node["groups"] == ["system:bootstrappers", "system:nodes", "system:authenticated"]
    assert ac.sar_identity(es[1], ACCOUNT)["user"] == "dev:hardened-eks-verify"
    no_name = ac.mapped_entries(parse_aws_auth({"mapRoles": "- rolearn: %sci\n  groups: [ci]\n" % BASE}))
    assert ac.sar_identity(no_name[0], ACCOUNT)["user"] == (
        "arn:aws:sts::%s:assumed-role/ci/hardened-eks-verify" % ACCOUNT)


def test_sar_body():
    body = ac.sar_body({"user": "u", "groups": ["g"]}, dict(ac.SENSITIVE_ACTIONS)["create-pods-kube-system"])
    assert body["kind"] == "SubjectAccessReview"
    assert body["spec"]["resourceAttributes"] == {"verb": "create", "resource": "pods", "namespace": "kube-system",
                                                  "group": ""}


def answers_for(idents, allowed):
    return dict((i["arn"], dict((a, a in allowed.get(i["arn"], ())) for a in ac.SENSITIVE_ACTION_IDS))
                for i in idents)


def test_sensitive_actions_pass_with_node_builtin():
    idents = [ac.sar_identity(e, ACCOUNT) for e in entries()]
    ans = answers_for(idents, {NODE_ROLE: ["create-pods-kube-system"]})
    r = ac.check_sensitive_actions(idents, ans, [], [])
    assert status(r) == "pass" and "20 SubjectAccessReviews" not in r["evidence"]
    assert "2 identities x 10 actions" in r["evidence"]


def test_sensitive_actions_fail_beyond_grants():
    idents = [ac.sar_identity(e, ACCOUNT) for e in entries()]
    dev = BASE + "developers"
    ans = answers_for(idents, {dev: ["list-secrets", "get-secrets"]})
    r = ac.check_sensitive_actions(idents, ans, [{"group": "app-developers", "actions": ["get-secrets"]}], [])
    assert status(r) == "fail"
    assert "developers (as dev:hardened-eks-verify) can list-secrets" in r["evidence"]
    assert "get-secrets" not in r["evidence"].split("can ")[1]
    # granted by ARN, or everything for an allowed master
    assert status(ac.check_sensitive_actions(idents, ans, [{"arn": dev, "actions": ["*"]}], [])) == "pass"
    assert status(ac.check_sensitive_actions(idents, ans, [], [dev])) == "pass"
    assert status(ac.check_sensitive_actions([], {}, [], [])) == "warn"


# ----------------------------------------------------------------------------------------------
# Calico
# ----------------------------------------------------------------------------------------------
def cnp(name, ns, spec):
    return {"kind": "NetworkPolicy", "metadata": {"name": name, "namespace": ns}, "spec": spec}


def gnp(name, spec):
    return {"kind": "GlobalNetworkPolicy", "metadata": {"name": name}, "spec": spec}


DENY_ALL = {"selector": "all()", "types": ["Ingress", "Egress"]}
ALLOW_DNS = {"order": 100, "selector": "all()", "types": ["Egress"], "egress": [
    {"action": "Allow", "protocol": "UDP", "destination": {
        "selector": "k8s-app == 'kube-dns'", "namespaceSelector": "projectcalico.org/name == 'kube-system'",
        "ports": [53]}},
    {"action": "Allow", "protocol": "TCP", "destination": {"selector": "k8s-app == 'kube-dns'", "ports": [53]}}]}
DENY_METADATA = {"order": 10, "selector": "all()", "types": ["Egress"], "egress": [
    {"action": "Deny", "destination": {"nets": ["169.254.169.254/32"]}}]}
ALLOW_WEB_OUT = {"order": 500, "selector": "app == 'web'", "types": ["Egress"], "egress": [
    {"action": "Allow", "protocol": "TCP", "destination": {"nets": ["0.0.0.0/0"], "ports": [80, 443]}}]}


def baseline(ns="shop", extra=()):
    return ac.normalize_policies([cnp("default-deny", ns, DENY_ALL), cnp("allow-dns", ns, ALLOW_DNS),
                                  cnp("deny-metadata", ns, DENY_METADATA)] + list(extra), [], [])


def test_default_deny():
    r = ac.check_default_deny(baseline(), ["shop"])
    assert status(r) == "pass" and "NetworkPolicy shop/default-deny" in r["evidence"]
    r = ac.check_default_deny(baseline(), ["shop", "payments"])
    assert status(r) == "fail" and "payments: nothing denies ingress and egress" in r["evidence"]
    ingress_only = ac.normalize_policies([cnp("d", "shop", {"selector": "all()", "types": ["Ingress"]})], [], [])
    assert "nothing denies egress" in ac.check_default_deny(ingress_only, ["shop"])["evidence"]
    # a policy for some pods only is not a default deny
    some = ac.normalize_policies([cnp("d", "shop", dict(DENY_ALL, selector="app == 'x'"))], [], [])
    assert status(ac.check_default_deny(some, ["shop"])) == "fail"
    # "deny" with an allow-all rule in it is no deny
    allow_all = ac.normalize_policies([cnp("d", "shop", dict(DENY_ALL, ingress=[{"action": "Allow"}]))], [], [])
    assert "nothing denies ingress" in ac.check_default_deny(allow_all, ["shop"])["evidence"]
    r = ac.check_default_deny(baseline(), [])  # asked to audit Calico, given no namespace: nothing audited
    assert status(r) == "fail" and "nothing was audited" in r["evidence"] and r["fix"]


def test_default_deny_from_global_or_kubernetes_policy():
    glob = ac.normalize_policies([], [gnp("deny-all", DENY_ALL)], [])
    assert status(ac.check_default_deny(glob, ["shop", "payments"])) == "pass"
    scoped = ac.normalize_policies([], [gnp("deny-one", dict(DENY_ALL, namespaceSelector="team == 'a'"))], [])
    assert status(ac.check_default_deny(scoped, ["shop"])) == "fail"


def test_global_policy_namespace_selector_evaluated():
    from ansible_collections.hardened.eks.plugins.module_utils.calico_selector import parse
    nss = [{"metadata": {"name": "shop", "labels": {"team": "a"}}}, {"metadata": {"name": "batch"}}]
    match = ac.namespace_matcher(nss, parse)
    not_system = gnp("deny-apps", dict(DENY_ALL, namespaceSelector="projectcalico.org/name not in {'kube-system'}"))
    team_a = gnp("deny-team-a", dict(DENY_ALL, namespaceSelector="team == 'a'"))
    pols = ac.normalize_policies([], [not_system], [])
    assert status(ac.check_default_deny(pols, ["shop", "batch"], match)) == "pass"
    assert status(ac.check_default_deny(pols, ["kube-system"], match)) == "fail"
    r = ac.check_default_deny(ac.normalize_policies([], [team_a], []), ["shop", "batch"], match)
    assert status(r) == "fail" and "batch: nothing denies" in r["evidence"] and "shop:" not in r["evidence"]
    # the global deny of the metadata address counts for the namespaces it selects
    meta = gnp("deny-metadata", dict(DENY_METADATA, namespaceSelector="team == 'a'"))
    early_allow = cnp("out", "shop", dict(ALLOW_WEB_OUT, order=500, selector="all()"))
    pols = ac.normalize_policies([cnp("default-deny", "shop", DENY_ALL), early_allow], [meta], [])
    assert status(ac.check_metadata(pols, ["shop"], match)) == "pass"
    assert status(ac.check_metadata(pols, ["shop"])) == "fail"  # without the matcher the global deny is unknown
    # a namespace selector that does not parse matches nothing
    assert ac.namespace_matcher(nss, parse)("team == ", "shop") is False
    k8s = ac.normalize_policies([], [], [{"metadata": {"name": "deny", "namespace": "shop"},
                                          "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}])
    assert status(ac.check_default_deny(k8s, ["shop"])) == "pass"


def test_dns():
    r = ac.check_dns(baseline(), ["shop"])
    assert status(r) == "pass" and "allow-dns egress[0]" in r["evidence"]
    no_dns = ac.normalize_policies([cnp("default-deny", "shop", DENY_ALL)], [], [])
    r = ac.check_dns(no_dns, ["shop"])
    assert status(r) == "fail" and "UDP 53 denied" in r["evidence"]
    # a deny of everything ordered before the DNS allow
    early_deny = dict(DENY_METADATA, order=1, egress=[{"action": "Deny"}])
    r = ac.check_dns(baseline(extra=[cnp("deny-first", "shop", early_deny)]), ["shop"])
    assert status(r) == "fail" and "deny-first" in r["evidence"]
    # a named port "dns" counts
    named = dict(ALLOW_DNS, egress=[{"action": "Allow", "protocol": "UDP", "destination": {"ports": ["dns"]}}])
    pols = ac.normalize_policies([cnp("default-deny", "shop", DENY_ALL), cnp("dns", "shop", named)], [], [])
    assert status(ac.check_dns(pols, ["shop"])) == "pass"
    assert status(ac.check_dns(baseline(), [])) == "fail"
    assert status(ac.check_metadata(baseline(), [])) == "fail"


def test_metadata_denied():
    r = ac.check_metadata(baseline(), ["shop"])
    assert status(r) == "pass" and "deny-metadata egress[0]" in r["evidence"]
    # with only the default deny, nothing allows it either
    only_deny = ac.normalize_policies([cnp("default-deny", "shop", DENY_ALL)], [], [])
    r = ac.check_metadata(only_deny, ["shop"])
    assert status(r) == "pass" and "default deny" in r["evidence"]


def test_metadata_reachable():
    # no egress policy at all
    r = ac.check_metadata([], ["shop"])
    assert status(r) == "fail" and "no egress policy" in r["evidence"]
    # an allow to 0.0.0.0/0 for some pods, without the explicit deny before it
    pols = ac.normalize_policies([cnp("default-deny", "shop", DENY_ALL), cnp("web-out", "shop", ALLOW_WEB_OUT)],
                                 [], [])
    r = ac.check_metadata(pols, ["shop"])
    assert status(r) == "fail"
    assert "pods selected by NetworkPolicy shop/web-out can reach 169.254.169.254" in r["evidence"]
    # the deny ordered first protects those pods too
    assert status(ac.check_metadata(baseline(extra=[cnp("web-out", "shop", ALLOW_WEB_OUT)]), ["shop"])) == "pass"
    # an allow ordered before the deny wins
    early = dict(ALLOW_WEB_OUT, order=1, selector="all()")
    r = ac.check_metadata(baseline(extra=[cnp("early", "shop", early)]), ["shop"])
    assert status(r) == "fail" and "early egress[0] (Allow)" in r["evidence"]
    # notNets carving out the metadata address keeps it denied
    carved = dict(early, egress=[{"action": "Allow", "protocol": "TCP",
                                  "destination": {"nets": ["0.0.0.0/0"], "notNets": ["169.254.0.0/16"]}}])
    assert status(ac.check_metadata(baseline(extra=[cnp("carved", "shop", carved)]), ["shop"])) == "pass"
    # a kubernetes NetworkPolicy allowing 0.0.0.0/0 egress
    k8s = {"metadata": {"name": "out", "namespace": "shop"},
           "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}]}}
    pols = ac.normalize_policies([cnp("default-deny", "shop", DENY_ALL)], [], [k8s])
    assert status(ac.check_metadata(pols, ["shop"])) == "fail"


def test_rule_matches_tristate():
    pkt = {"protocol": "TCP", "port": 80, "ip": ac.METADATA_IP}
    assert ac.rule_matches({"action": "Deny"}, pkt) == "yes"
    assert ac.rule_matches({"protocol": "UDP"}, pkt) == "no"
    assert ac.rule_matches({"protocol": 6}, pkt) == "yes"
    assert ac.rule_matches({"notProtocol": "TCP"}, pkt) == "no"
    assert ac.rule_matches({"destination": {"ports": ["1:1024"]}}, pkt) == "yes"
    assert ac.rule_matches({"destination": {"ports": [443]}}, pkt) == "no"
    assert ac.rule_matches({"destination": {"notPorts": [80]}}, pkt) == "no"
    assert ac.rule_matches({"destination": {"selector": "app == 'x'"}}, pkt) == "no"
    assert ac.rule_matches({"source": {"selector": "app == 'x'"}}, pkt) == "maybe"
    assert ac.rule_matches({"destination": {"nets": ["10.0.0.0/8"]}}, pkt) == "no"


def test_selectors():
    def parse(sel):
        if "(" in sel and sel.count("(") != sel.count(")"):
            raise ValueError("unbalanced parentheses")
        return sel

    good = [cnp("a", "shop", ALLOW_DNS), gnp("g", DENY_ALL)]
    r = ac.check_selectors(good, parse)
    assert status(r) == "pass" and "5 selectors in 2 policies" in r["evidence"]
    broken = cnp("b", "shop", {"selector": "all()", "ingress": [
        {"action": "Allow", "source": {"selector": "app == 'x' && (tier == 'a'"}}]})
    r = ac.check_selectors(good + [broken], parse)
    assert status(r) == "fail"
    assert "NetworkPolicy shop/b ingress[0].source.selector" in r["evidence"]
    assert "unbalanced parentheses" in r["evidence"]
    not_text = cnp("c", "shop", {"selector": 5})
    assert "not a string" in ac.check_selectors([not_text], parse)["evidence"]


def test_public_ingress():
    open_web = cnp("web-in", "shop", {"selector": "app == 'web'", "ingress": [
        {"action": "Allow", "protocol": "TCP", "source": {"nets": ["0.0.0.0/0"]}, "destination": {"ports": [443]}}]})
    from_lb = cnp("lb-in", "shop", {"selector": "app == 'web'", "ingress": [
        {"action": "Allow", "source": {"nets": ["10.0.0.0/16"]}}]})
    anyone = cnp("any-in", "shop", {"selector": "all()", "ingress": [{"action": "Allow"}]})
    assert status(ac.check_public_ingress(ac.normalize_policies([from_lb], [], []), [])) == "pass"
    r = ac.check_public_ingress(ac.normalize_policies([open_web, anyone], [], []), [])
    assert status(r) == "fail"
    assert "shop/web-in ingress[0] allows TCP from anywhere to ports 443" in r["evidence"]
    assert "shop/any-in ingress[0] allows all protocols from anywhere" in r["evidence"]
    r = ac.check_public_ingress(ac.normalize_policies([open_web], [], []), ["shop/web-in"])
    assert status(r) == "pass" and "only listed" in r["evidence"]


# ----------------------------------------------------------------------------------------------
# kube2iam
# ----------------------------------------------------------------------------------------------
def ds(args):
    return {"spec": {"template": {"spec": {"containers": [{"name": "kube2iam", "image": "jtblin/kube2iam:0.11.2",
                                                           "args": args}]}}}}


GOOD_ARGS = ["--host-interface=eni+", "--iptables=true", "--host-ip=$(HOST_IP)", "--namespace-restrictions",
             "--auto-discover-base-arn", "--app-port=8181"]


def test_kube2iam_daemonset():
    assert status(ac.check_kube2iam_daemonset(ds(GOOD_ARGS))) == "pass"
    assert status(ac.check_kube2iam_daemonset(ds([a.replace("--namespace-restrictions", "--namespace-restrictions=true")
                                                  for a in GOOD_ARGS]))) == "pass"
    r = ac.check_kube2iam_daemonset(ds([a for a in GOOD_ARGS if a != "--namespace-restrictions"]))
    assert status(r) == "fail" and "--namespace-restrictions missing" in r["evidence"]
    r = ac.check_kube2iam_daemonset(ds(["--host-interface=cali+", "--iptables=false", "--namespace-restrictions"]))
    assert "--iptables missing" in r["evidence"] and "'cali+'" in r["evidence"]
    assert status(ac.check_kube2iam_daemonset(None)) == "fail"


def ns_obj(name, roles=None, raw=None):
    ann = {}
    if roles is not None:
        ann[ac.KUBE2IAM_ALLOWED_ANNOTATION] = json.dumps(roles)
    if raw is not None:
        ann[ac.KUBE2IAM_ALLOWED_ANNOTATION] = raw
    return {"metadata": {"name": name, "annotations": ann}}


def pod(ns, name, role=None):
    ann = {ac.KUBE2IAM_ROLE_ANNOTATION: role} if role else {}
    return {"metadata": {"namespace": ns, "name": name, "annotations": ann}}


def test_kube2iam_namespace_annotations():
    nss = [ns_obj("shop", ["shop-app"]), ns_obj("batch"), ns_obj("bad", raw="[not json")]
    assert status(ac.check_kube2iam_namespace_annotations(nss, [pod("shop", "a", "shop-app"), pod("batch", "b")])) == "pass"
    r = ac.check_kube2iam_namespace_annotations(nss, [pod("batch", "b", "batch-role")])
    assert status(r) == "fail" and "batch: pods b ask for roles" in r["evidence"]
    r = ac.check_kube2iam_namespace_annotations(nss, [pod("bad", "c", "x")])
    assert status(r) == "fail" and "not JSON" in r["evidence"]


def test_kube2iam_role_names_and_roles():
    nss = [ns_obj("shop", ["shop-app", "shop-*", BASE + "full-arn"])]
    arns = ac.kube2iam_role_names(nss, [pod("shop", "a", "shop-app"), pod("shop", "b", "shop-worker")], BASE)
    assert arns == [BASE + "shop-app", BASE + "full-arn", BASE + "shop-worker"]
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": NODE_ROLE},
                                                     "Action": "sts:AssumeRole"}]}
    roles = {BASE + "shop-app": {"AssumeRolePolicyDocument": trust},
             BASE + "full-arn": {"AssumeRolePolicyDocument": json.dumps(trust)},
             BASE + "shop-worker": {"AssumeRolePolicyDocument": {"Statement": []}}}
    r = ac.check_kube2iam_roles(arns[:2], roles, [NODE_ROLE])
    assert status(r) == "pass" and "shop-app <- prod-eks-node" in r["evidence"]
    r = ac.check_kube2iam_roles(arns, dict(roles, **{BASE + "full-arn": None}), [NODE_ROLE])
    assert status(r) == "fail"
    assert "full-arn does not exist" in r["evidence"] and "shop-worker does not trust the node role" in r["evidence"]
    assert status(ac.check_kube2iam_roles([], {}, [NODE_ROLE])) == "pass"


def test_kube2iam_pod_roles():
    nss = [ns_obj("shop", ["shop-app", "shop-batch-*"]), ns_obj("other", ["other-app"])]
    pods = [pod("shop", "a", "shop-app"), pod("shop", "b", BASE + "shop-batch-nightly"), pod("shop", "c")]
    r = ac.check_kube2iam_pod_roles(nss, pods, BASE)
    assert status(r) == "pass" and "shop/b" in r["evidence"]
    r = ac.check_kube2iam_pod_roles(nss, pods + [pod("shop", "d", "other-app")], BASE)
    assert status(r) == "fail" and "pod shop/d asks for other-app, not in its namespace's list" in r["evidence"]
    # --namespace-restriction-format=regexp: kube2iam's unanchored regexp.MatchString
    assert status(ac.check_kube2iam_pod_roles(nss, [pod("shop", "e", "other-app")], BASE, regexp=True)) == "fail"
    nss_re = [ns_obj("shop", ["shop-.*"])]
    assert status(ac.check_kube2iam_pod_roles(nss_re, [pod("shop", "e", "shop-app")], BASE, regexp=True)) == "pass"


# ----------------------------------------------------------------------------------------------
# IRSA / Pod Identity
# ----------------------------------------------------------------------------------------------
def irsa_trust(op="StringEquals", sub="system:serviceaccount:shop:api", provider=PROVIDER):
    host = ISSUER.replace("https://", "")
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {op: {"%s:sub" % host: sub, "%s:aud" % host: "sts.amazonaws.com"}}}]}


def sa(ns, name, arn):
    return {"metadata": {"namespace": ns, "name": name, "annotations": {ac.IRSA_ANNOTATION: arn}}}


def test_irsa():
    arn = BASE + "shop-api"
    sas = [sa("shop", "api", arn), {"metadata": {"namespace": "shop", "name": "default"}}]
    assert ac.irsa_role_arns(sas) == [arn]
    r = ac.check_irsa(sas, {arn: {"AssumeRolePolicyDocument": irsa_trust()}}, PROVIDER, ISSUER)
    assert status(r) == "pass" and "trust names system:serviceaccount:shop:api" in r["evidence"]
    r = ac.check_irsa(sas, {arn: {"AssumeRolePolicyDocument": irsa_trust(sub="system:serviceaccount:other:api")}},
                      PROVIDER, ISSUER)
    assert status(r) == "fail" and "does not name system:serviceaccount:shop:api" in r["evidence"]
    r = ac.check_irsa(sas, {arn: {"AssumeRolePolicyDocument": irsa_trust("StringLike", "system:serviceaccount:shop:*")}},
                      PROVIDER, ISSUER)
    assert status(r) == "warn" and "pattern" in r["evidence"]
    r = ac.check_irsa(sas, {arn: {"AssumeRolePolicyDocument": irsa_trust(provider=PROVIDER + "X")}}, PROVIDER, ISSUER)
    assert status(r) == "fail" and "no sts:AssumeRoleWithWebIdentity" in r["evidence"]
    assert status(ac.check_irsa(sas, {arn: None}, PROVIDER, ISSUER)) == "fail"
    r = ac.check_irsa([], {}, PROVIDER, ISSUER, None, "Pod Identity association API not available")
    assert status(r) == "pass" and "not available" in r["evidence"]


def test_pod_identity():
    """The trust eks_pod_iam_role writes for payments/api on cluster prod passes; one with no
    conditions warns (any association in the account wears it); one for another namespace, or
    another cluster, refuses the pods; one without sts:TagSession cannot work at all."""
    from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import pod_identity_statement
    arn = BASE + "shop-pi"
    cluster_arn = "arn:aws:eks:us-east-1:123456789012:cluster/prod"
    assoc = [{"namespace": "shop", "serviceAccount": "api", "roleArn": arn}]

    def verdict(statement):
        roles = {arn: {"AssumeRolePolicyDocument": {"Statement": [statement]}}}
        return ac.check_irsa([], roles, PROVIDER, ISSUER, assoc, cluster_arn=cluster_arn)
    r = verdict(pod_identity_statement("shop", "api", cluster_arn))
    assert status(r) == "pass" and "shop/api on its cluster" in r["evidence"], r
    r = verdict(pod_identity_statement())
    assert status(r) == "warn" and "kubernetes-namespace, kubernetes-service-account, eks-cluster-arn" in r["evidence"]
    r = verdict(pod_identity_statement("shop", "api"))
    assert status(r) == "warn" and "eks-cluster-arn" in r["evidence"]
    r = verdict(pod_identity_statement("shop", "*", cluster_arn))   # StringLike: matches api
    assert status(r) == "pass"
    r = verdict(pod_identity_statement("payments", "api", cluster_arn))
    assert status(r) == "fail" and "kubernetes-namespace shop (trust: payments)" in r["evidence"], r
    r = verdict(pod_identity_statement("shop", "api", cluster_arn.replace("prod", "staging")))
    assert status(r) == "fail" and "eks-cluster-arn" in r["evidence"]
    r = verdict({"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": "sts:AssumeRole"})
    assert status(r) == "fail" and "pod identity shop/api" in r["evidence"]


def test_the_pod_identity_agent_must_run_where_associations_exist():
    assoc = [{"namespace": "shop", "serviceAccount": "api"}]
    r = ac.check_pod_identity_agent(assoc, None)
    assert status(r) == "fail" and "no eks-pod-identity-agent" in r["evidence"] and "hardened_eks_pod" in r["fix"]
    degraded = {"status": "DEGRADED", "health": {"issues": [{"code": "InsufficientNumberOfReplicas", "message": "x"}]}}
    assert status(ac.check_pod_identity_agent(assoc, degraded)) == "warn"
    assert status(ac.check_pod_identity_agent(assoc, {"status": "ACTIVE", "addonVersion": "v1.3.10"})) == "pass"
    assert status(ac.check_pod_identity_agent([], None)) == "pass"
    assert status(ac.check_pod_identity_agent(None, None, "not available")) == "pass"


def test_secrets_encryption_needs_an_enabled_customer_managed_key():
    customer = {"KeyManager": "CUSTOMER", "KeyState": "Enabled"}
    assert status(ac.check_secrets_encryption(cluster(), customer)) == "pass"
    r = ac.check_secrets_encryption(cluster(), {"KeyManager": "AWS", "KeyState": "Enabled"})
    assert status(r) == "fail" and "AWS managed key" in r["evidence"]
    r = ac.check_secrets_encryption(cluster(), {"KeyManager": "CUSTOMER", "KeyState": "PendingDeletion"})
    assert status(r) == "fail" and "PendingDeletion" in r["evidence"]
    r = ac.check_secrets_encryption(cluster(), None)
    assert status(r) == "fail" and "no longer exists" in r["evidence"]
    r = ac.check_secrets_encryption(cluster(), None, "the audit may not read the key (AccessDeniedException)")
    assert status(r) == "warn" and "kms:DescribeKey" in r["fix"]


# ----------------------------------------------------------------------------------------------
# Summary and renderings
# ----------------------------------------------------------------------------------------------
RESULTS = [ac.result("control_plane.logging", "pass", "all on"),
           ac.result("calico.default_deny", "fail", "payments: nothing denies ingress & egress <now>", "add a deny"),
           ac.result("nodes.imdsv2", "warn", "no managed node groups found", "nothing to audit")]


def test_summary_and_should_fail():
    assert ac.summarize(RESULTS) == {"pass": 1, "fail": 1, "warn": 1}
    assert ac.should_fail(RESULTS, "fail") is True
    assert ac.should_fail(RESULTS, "never") is False
    assert ac.should_fail([RESULTS[0], RESULTS[2]], "fail") is False
    assert ac.should_fail([RESULTS[0], RESULTS[2]], "warn") is True
    assert RESULTS[0]["fix"] == "" and RESULTS[0]["title"] == ac.TITLES["control_plane.logging"]


def test_table_lines_wrap_and_align():
    long = ac.result("aws_auth.masters", "fail", "x " * 80, "y " * 40)
    lines = rep.table_lines(RESULTS + [long])
    assert lines[0].startswith("CHECK") and "EVIDENCE" in lines[0] and "FIX" in lines[0]
    assert any(line.startswith("calico.default_deny") and "| FAIL" in line for line in lines)
    assert max(len(line) for line in lines) <= 34 + 6 + 64 + 48 + 9
    assert sum(1 for line in lines if line.startswith(" " * 34 + " |")) >= 2  # wrapped rows


def test_junit_xml():
    root = ET.fromstring(rep.junit_xml(RESULTS, "hardened.eks verify prod", 1.5))
    suite = root.find("testsuite")
    assert suite.get("tests") == "3" and suite.get("failures") == "1"
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    failure = cases["calico.default_deny"].find("failure")
    assert failure.get("message") == "payments: nothing denies ingress & egress <now>"
    assert failure.text == "fix: add a deny"
    assert cases["nodes.imdsv2"].find("failure") is None
    assert cases["nodes.imdsv2"].find("system-out").text.startswith("warn: ")
    assert cases["control_plane.logging"].get("classname") == "hardened.eks verify prod.control_plane"


def test_json_report():
    rpt = rep.json_report(RESULTS, "prod", "us-east-1", ac.summarize(RESULTS), True, 1.23456)
    assert rpt["summary"]["fail"] == 1 and rpt["failed"] is True and rpt["duration_seconds"] == 1.235
    json.dumps(rpt)
