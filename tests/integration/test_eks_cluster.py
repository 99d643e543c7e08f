"""hardened.eks.eks_cluster against moto (server mode), as a real module process.

moto facts these tests rely on (moto 5.2.1): clusters are ACTIVE at once; UpdateClusterConfig
(logging, endpoint access, public CIDRs) is stored but answers without an ``update`` object (the
module then polls DescribeCluster); ``accessConfig`` is accepted but never reported. Not
implemented (HTTP 404): UpdateClusterVersion, AssociateEncryptionConfig, DescribeUpdate — those
paths are covered by the Stubber tests in tests/unit/test_eks.py. moto also gives *every* cluster
the same OIDC issuer URL (drawn once when moto starts), so the IAM OIDC provider is shared by all
clusters of the session: these tests create it idempotently but never delete it (the deletion is
Stubber-tested too).
"""
import json
from urllib.parse import unquote

import pytest

MODULE = "eks_cluster"
OIDC_ACTIONS = ("CreateOpenIDConnectProvider", "AddClientIDToOpenIDConnectProvider",
                "UpdateOpenIDConnectProviderThumbprint", "DeleteOpenIDConnectProvider")
ALL_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"]


@pytest.fixture(scope="module")
def env(sandbox):
    import boto3
    import uuid

    def client(service):
        return boto3.client(service, endpoint_url=sandbox.moto_url, region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    ec2, iam, kms = client("ec2"), client("iam"), client("kms")
    subnets = ec2.describe_subnets(Filters=[{"Name": "tag:kubernetes.io/role/internal-elb", "Values": ["1"]},
                                            {"Name": "tag:Name", "Values": ["hardened-eks-sandbox-private-*"]}])
    subnet_ids = sorted(s["SubnetId"] for s in subnets["Subnets"])
    assert len(subnet_ids) >= 2, "the sandbox seeds private subnets in 3 AZs"
    suffix = uuid.uuid4().hex[:8]
    role = iam.create_role(RoleName="t-eks-cluster-%s" % suffix, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    key = kms.create_key(Description="t-eks-secrets-%s" % suffix)["KeyMetadata"]["Arn"]
    key2 = kms.create_key(Description="t-eks-secrets2-%s" % suffix)["KeyMetadata"]["Arn"]
    return {"subnets": subnet_ids, "role": role, "key": key, "key2": key2, "eks": client("eks"), "iam": iam}


def base(env, name, **kw):
    p = {"name": name, "version": "1.29", "role_arn": env["role"], "subnets": env["subnets"],
         "encryption": env["key"], "tags": {"team": "platform"}}
    p.update(kw)
    return p


def drop(env, name):
    """Delete a test cluster the module made (protected from deletion by default)."""
    env["eks"].update_cluster_config(name=name, deletionProtection=False)
    env["eks"].delete_cluster(name=name)


def writes(aws_requests, mark, name):
    """Mutating AWS calls of this test: EKS calls on this cluster and successful IAM OIDC provider
    writes. moto is shared with other engineers' tests running at the same time, so calls that
    carry no cluster name (CreateCluster is ``POST /clusters``) are left to ``creates``."""
    out = []
    for r in aws_requests.mutating(mark):
        path = unquote(r.get("path", ""))
        if r.get("service") == "eks" and name in path:
            out.append(r["action"].split(" ")[0] + " " + path)
        elif r.get("service") == "iam" and r.get("action") in OIDC_ACTIONS and r.get("status") == 200:
            out.append(r["action"])
    return out


def creates(aws_requests, mark):
    return [r for r in aws_requests.mutating(mark) if r.get("service") == "eks" and r.get("path") == "/clusters"]


def eks_calls(aws_requests, mark, name):
    return [r for r in aws_requests.since(mark)
            if r.get("service") == "eks" and name in unquote(r.get("path", ""))]


def test_create_check_mode_real_idempotent(env, run_module, aws_requests, uid):
    name = "t-create-%s" % uid
    params = base(env, name)

    m = aws_requests.mark()
    r = run_module(MODULE, params, check=True, diff=True)
    assert r["changed"] is True, r
    assert writes(aws_requests, m, name) == []
    assert name not in env["eks"].list_clusters()["clusters"]  # CreateCluster's path carries no name
    assert r["diff"]["before"] == {}
    after = r["diff"]["after"]
    assert after["endpoint_private_access"] is True and after["endpoint_public_access"] is False
    assert after["public_access_cidrs"] == [] and after["logging"] == ALL_LOGS
    assert after["encryption"] == env["key"]
    assert r["updates"] == ["create"]

    m = aws_requests.mark()
    r = run_module(MODULE, params, diff=True)
    assert r["changed"] is True and r.get("failed") is not True, r
    assert writes(aws_requests, m, name) == [] and len(creates(aws_requests, m)) >= 1
    assert r["status"] == "ACTIVE"
    for key in ("arn", "endpoint", "certificate_authority_data", "oidc_issuer"):
        assert r[key], key
    assert r["version"] == "1.29"
    assert r["oidc_provider_arn"] is None or r["oidc_provider_arn"].endswith(r["oidc_issuer"][len("https://"):])

    c = env["eks"].describe_cluster(name=name)["cluster"]
    vpc = c["resourcesVpcConfig"]
    assert vpc["endpointPrivateAccess"] is True and vpc["endpointPublicAccess"] is False
    assert sorted(vpc["subnetIds"]) == env["subnets"]
    assert c["logging"]["clusterLogging"] == [{"types": ALL_LOGS, "enabled": True}]
    assert c["encryptionConfig"] == [{"resources": ["secrets"], "provider": {"keyArn": env["key"]}}]
    assert c["tags"] == {"team": "platform"}

    for check in (False, True):
        m = aws_requests.mark()
        r = run_module(MODULE, params, check=check, diff=True)
        assert r["changed"] is False, r
        assert r["updates"] == []
        assert r["diff"]["before"] == r["diff"]["after"]
        assert writes(aws_requests, m, name) == []
        assert len(eks_calls(aws_requests, m, name)) == 1  # one DescribeCluster

    drop(env, name)


def test_converge_logging_endpoint_cidrs_tags(env, run_module, aws_requests, uid):
    name = "t-converge-%s" % uid
    assert run_module(MODULE, base(env, name))["changed"] is True
    changed = base(env, name, logging=["api", "audit"], public_access_cidrs=["203.0.113.0/24", "198.51.100.0/24"],
                   tags={"team": "security", "env": "test"})

    m = aws_requests.mark()
    r = run_module(MODULE, changed, check=True, diff=True)
    assert r["changed"] is True and writes(aws_requests, m, name) == []
    assert r["updates"] == ["tags", "logging", "endpoint"]
    assert r["diff"]["before"]["logging"] == ALL_LOGS and r["diff"]["after"]["logging"] == ["api", "audit"]
    assert r["diff"]["before"]["public_access_cidrs"] == []
    assert r["diff"]["after"]["public_access_cidrs"] == ["198.51.100.0/24", "203.0.113.0/24"]
    assert r["diff"]["after"]["tags"] == {"team": "security", "env": "test"}

    m = aws_requests.mark()
    r = run_module(MODULE, changed, diff=True)
    assert r["changed"] is True, r
    w = writes(aws_requests, m, name)
    assert w.count("POST /clusters/%s/update-config" % name) == 2, w  # one EKS update per kind
    assert any(x.startswith("POST /tags/") for x in w), w
    assert r["logging"] == ["api", "audit"]
    assert r["endpoint_public_access"] is True and r["endpoint_private_access"] is True
    assert r["public_access_cidrs"] == ["198.51.100.0/24", "203.0.113.0/24"]
    assert r["tags"] == {"team": "security", "env": "test"}

    c = env["eks"].describe_cluster(name=name)["cluster"]
    enabled = [t for e in c["logging"]["clusterLogging"] if e["enabled"] for t in e["types"]]
    assert sorted(enabled) == ["api", "audit"]
    assert sorted(c["resourcesVpcConfig"]["publicAccessCidrs"]) == ["198.51.100.0/24", "203.0.113.0/24"]
    assert c["tags"] == {"team": "security", "env": "test"}

    m = aws_requests.mark()
    r = run_module(MODULE, changed)
    assert r["changed"] is False and writes(aws_requests, m, name) == [], r

    # back to the secure defaults: public endpoint closed, every log type on
    m = aws_requests.mark()
    r = run_module(MODULE, base(env, name, tags={"team": "security", "env": "test"}), diff=True)
    assert r["changed"] is True and r["updates"] == ["logging", "endpoint"], r
    assert r["endpoint_public_access"] is False and r["public_access_cidrs"] == [] and r["logging"] == ALL_LOGS
    assert len(writes(aws_requests, m, name)) == 2
    r = run_module(MODULE, base(env, name, tags={"team": "security", "env": "test"}))
    assert r["changed"] is False, r
    drop(env, name)


def test_public_anywhere_with_the_flag_warns(env, run_module, uid):
    name = "t-anywhere-%s" % uid
    r = run_module(MODULE, base(env, name, endpoint_public_access=True, allow_public_endpoint_anywhere=True,
                                encryption=None, encryption_waived=True))
    assert r["changed"] is True and r["public_access_cidrs"] == ["0.0.0.0/0"], r
    text = json.dumps(r.get("warnings", []))  # ansible-core 2.19 reports warnings as dicts
    assert "reachable from 0.0.0.0/0" in text and "not envelope-encrypted" in text
    r = run_module(MODULE, base(env, name, endpoint_public_access=True, allow_public_endpoint_anywhere=True,
                                encryption=None, encryption_waived=True))
    assert r["changed"] is False, r
    drop(env, name)


def test_oidc_provider_created_and_idempotent(env, run_module, aws_requests, uid):
    name = "t-oidc-%s" % uid
    assert run_module(MODULE, base(env, name))["changed"] is True
    issuer = env["eks"].describe_cluster(name=name)["cluster"]["identity"]["oidc"]["issuer"]
    host_path = issuer[len("https://"):]
    existing = [p["Arn"] for p in env["iam"].list_open_id_connect_providers()["OpenIDConnectProviderList"]
                if p["Arn"].endswith("oidc-provider/" + host_path)]

    # Whether the provider exists already depends on the other tests of the session (moto shares
    # the issuer), so the module's own answer says which case this is, and diff must agree.
    m = aws_requests.mark()
    r = run_module(MODULE, base(env, name, oidc_provider=True), check=True, diff=True)
    assert writes(aws_requests, m, name) == []
    assert r["changed"] is (r["diff"]["before"]["oidc_provider_arn"] is None), r
    if existing:
        assert r["changed"] is False, r

    m = aws_requests.mark()
    r = run_module(MODULE, base(env, name, oidc_provider=True), diff=True)
    assert r.get("failed") is not True, r
    arn = r["oidc_provider_arn"]
    assert arn == "arn:aws:iam::123456789012:oidc-provider/" + host_path
    assert r["diff"]["after"]["oidc_provider_arn"] == arn
    if r["changed"]:
        assert r["updates"] == ["oidc_provider"] and r["diff"]["before"]["oidc_provider_arn"] is None
        assert "CreateOpenIDConnectProvider" in writes(aws_requests, m, name)
    else:
        assert r["updates"] == [] and r["diff"]["before"]["oidc_provider_arn"] == arn
    assert [w for w in writes(aws_requests, m, name) if "OpenIDConnect" not in w] == []
    provider = env["iam"].get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert "sts.amazonaws.com" in provider["ClientIDList"]
    assert provider["ThumbprintList"] == ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]

    m = aws_requests.mark()
    r = run_module(MODULE, base(env, name, oidc_provider=True))
    assert r["changed"] is False and r["oidc_provider_arn"] == arn, r
    assert writes(aws_requests, m, name) == []
    # without oidc_provider the provider is reported, not touched
    r = run_module(MODULE, base(env, name))
    assert r["changed"] is False and r["oidc_provider_arn"] == arn, r
    drop(env, name)


@pytest.fixture(scope="module")
def existing(env):
    """A cluster made directly with boto3 (1.29, encrypted, private, all logs) for the refusals."""
    import uuid
    name = "t-refuse-%s" % uuid.uuid4().hex[:8]
    env["eks"].create_cluster(
        name=name, version="1.29", roleArn=env["role"],
        resourcesVpcConfig={"subnetIds": env["subnets"], "endpointPrivateAccess": True, "endpointPublicAccess": False},
        logging={"clusterLogging": [{"types": ALL_LOGS, "enabled": True}]},
        encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": env["key"]}}])
    yield name
    drop(env, name)


@pytest.mark.parametrize("case,extra,needle", [
    ("public anywhere", {"endpoint_public_access": True},
     "the public endpoint would be open to 0.0.0.0/0"),
    ("public anywhere by cidr", {"public_access_cidrs": ["10.0.0.0/8", "0.0.0.0/0"]},
     "allow_public_endpoint_anywhere: true"),
    ("encryption missing", {"encryption": None},
     "encryption: secrets encryption is required"),
    ("bad cidr", {"public_access_cidrs": ["10.0.0.300/8"]},
     "public_access_cidrs: '10.0.0.300/8' is not a valid network CIDR"),
    ("unquoted version", {"version": 1.3}, 'YAML reads an unquoted version as a number (1.30 becomes 1.3). '
                                           'Quote it, for example version: "1.30"'),
])
def test_input_refusals_make_no_aws_call(env, existing, run_module, aws_requests, case, extra, needle):
    m = aws_requests.mark()
    r = run_module(MODULE, base(env, existing, tags=None, **extra))
    assert r.get("failed") is True and needle in r["msg"], (case, r)
    assert eks_calls(aws_requests, m, existing) == []


@pytest.mark.parametrize("case,extra,needle", [
    ("version jump", {"version": "1.31"}, "one minor version at a time, so set version 1.30 first (asked for 1.31)"),
    ("downgrade", {"version": "1.28"}, "EKS cannot downgrade it to 1.28"),
    ("encryption removal", {"encryption": None, "encryption_waived": True},
     "EKS cannot remove secrets encryption once enabled"),
    ("key change", {"encryption": "key2"}, "EKS cannot change the KMS key"),
])
def test_cluster_refusals_make_no_write(env, existing, run_module, aws_requests, case, extra, needle):
    if extra.get("encryption") == "key2":
        extra = dict(extra, encryption=env["key2"])
    m = aws_requests.mark()
    r = run_module(MODULE, base(env, existing, tags=None, logging=["api"], **extra))  # logging change would be due
    assert r.get("failed") is True and needle in r["msg"], (case, r)
    assert writes(aws_requests, m, existing) == []
    assert len(eks_calls(aws_requests, m, existing)) == 1  # the DescribeCluster that found the problem


def test_state_absent_of_a_protected_cluster(env, run_module, aws_requests, uid):
    """The module protects what it creates from deletion; state absent alone is refused before
    any write, and deletion_protection false with it turns the protection off, then deletes."""
    name = "t-absent-%s" % uid
    r = run_module(MODULE, base(env, name))
    assert r["changed"] is True and r["deletion_protection"] is True, r
    assert env["eks"].describe_cluster(name=name)["cluster"]["deletionProtection"] is True
    m = aws_requests.mark()
    r = run_module(MODULE, {"name": name, "state": "absent"})
    assert r.get("failed") and "give deletion_protection: false with state: absent" in r["msg"], r
    assert writes(aws_requests, m, name) == []

    gone = {"name": name, "state": "absent", "deletion_protection": False}
    r = run_module(MODULE, gone, check=True, diff=True)
    assert r["changed"] is True and writes(aws_requests, m, name) == [], r
    assert r["updates"] == ["deletion_protection", "delete"]
    assert r["diff"]["after"] == {} and r["diff"]["before"]["encryption"] == env["key"]
    assert env["eks"].describe_cluster(name=name)["cluster"]["status"] == "ACTIVE"

    m = aws_requests.mark()
    r = run_module(MODULE, gone)
    assert r["changed"] is True and r["status"] == "DELETED", r
    assert writes(aws_requests, m, name) == ["POST /clusters/%s/update-config" % name, "DELETE /clusters/%s" % name]
    assert name not in env["eks"].list_clusters()["clusters"]

    r = run_module(MODULE, gone)
    assert r["changed"] is False, r


def test_deletion_protection_and_upgrade_policy_converge(env, run_module, aws_requests, uid):
    name = "t-protect-%s" % uid
    params = base(env, name, deletion_protection=False, upgrade_policy="STANDARD")
    r = run_module(MODULE, params)
    assert r["changed"] and r["deletion_protection"] is False and r["upgrade_policy"] == "STANDARD", r
    m = aws_requests.mark()
    assert run_module(MODULE, params)["changed"] is False
    assert writes(aws_requests, m, name) == []
    r = run_module(MODULE, dict(params, deletion_protection=True, upgrade_policy="EXTENDED"))
    assert r["changed"] and r["updates"] == ["deletion_protection", "upgrade_policy"], r
    cluster = env["eks"].describe_cluster(name=name)["cluster"]
    assert cluster["deletionProtection"] is True and cluster["upgradePolicy"] == {"supportType": "EXTENDED"}
    drop(env, name)


def test_authentication_mode_moves_forward_only(env, run_module, aws_requests, uid):
    """The sandbox's AWS reports and changes the mode as EKS does (scripts/moto_eks.py): created in
    API_AND_CONFIG_MAP, a re-run writes nothing, API is one update, and a step back to CONFIG_MAP
    is refused before any write, naming the one-way path."""
    name = "t-authmode-%s" % uid
    params = base(env, name, authentication_mode="API_AND_CONFIG_MAP")
    r = run_module(MODULE, params)
    assert r["changed"] is True and r["authentication_mode"] == "API_AND_CONFIG_MAP", r
    m = aws_requests.mark()
    r = run_module(MODULE, params)
    assert r["changed"] is False and r["authentication_mode"] == "API_AND_CONFIG_MAP", r
    assert writes(aws_requests, m, name) == []
    r = run_module(MODULE, dict(params, authentication_mode="API"))
    assert r["changed"] is True and r["authentication_mode"] == "API", r
    assert writes(aws_requests, m, name) == ["POST /clusters/%s/update-config" % name]
    assert env["eks"].describe_cluster(name=name)["cluster"]["accessConfig"]["authenticationMode"] == "API"
    m = aws_requests.mark()
    r = run_module(MODULE, dict(params, authentication_mode="CONFIG_MAP"))
    assert r.get("failed") and "cannot go back to CONFIG_MAP" in r["msg"], r
    assert writes(aws_requests, m, name) == []
    drop(env, name)
