"""Unit tests of hardened.eks eks_cluster / eks_addon: the pure planning logic in
module_utils/eks.py, and the modules' own ensure/apply/wait functions driven through botocore's
Stubber for the EKS APIs that moto does not implement (checked against moto 5.2.1 server):
UpdateClusterVersion, AssociateEncryptionConfig, DescribeUpdate and the whole add-on API answer
HTTP 404 "Not yet implemented", and moto neither reports ``accessConfig`` nor returns an
``update`` object from UpdateClusterConfig. The Stubber tests call the real module functions
with a real boto3 client wrapped the way AnsibleAWSModule wraps it (retries, aws_retry=True);
only the HTTP answers are canned, and every request's parameters are checked."""
import datetime
import os
import sys
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _make_collection_importable():
    try:
        import ansible_collections.hardened.eks.plugins.module_utils.eks  # noqa: F401
        return
    except ImportError:
        pass
    base = tempfile.mkdtemp(prefix="hardened-eks-unit-")
    os.makedirs(os.path.join(base, "ansible_collections", "hardened"))
    os.symlink(ROOT, os.path.join(base, "ansible_collections", "hardened", "eks"))
    sys.path.insert(0, base)


_make_collection_importable()

import boto3  # noqa: E402
import botocore.session  # noqa: E402
from botocore.stub import ANY, Stubber  # noqa: E402
from botocore.validate import ParamValidator  # noqa: E402

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError  # noqa: E402
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry  # noqa: E402
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper  # noqa: E402
from ansible_collections.hardened.eks.plugins.module_utils import eks  # noqa: E402
from ansible_collections.hardened.eks.plugins.module_utils._eks.addon import association_views  # noqa: E402
from ansible_collections.hardened.eks.plugins.modules import eks_addon as addon_mod  # noqa: E402
from ansible_collections.hardened.eks.plugins.modules import eks_cluster as cluster_mod  # noqa: E402

ACCOUNT = "123456789012"
KEY = "arn:aws:kms:us-east-1:%s:key/1234abcd-12ab-34cd-56ef-1234567890ab" % ACCOUNT
KEY2 = "arn:aws:kms:us-east-1:%s:key/99999999-12ab-34cd-56ef-1234567890ab" % ACCOUNT
ROLE = "arn:aws:iam::%s:role/eks-cluster" % ACCOUNT
SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]
ISSUER = "https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789"
PROVIDER = "arn:aws:iam::%s:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789" % ACCOUNT


def params(**kw):
    p = {"name": "prod", "state": "present", "role_arn": ROLE, "subnets": list(SUBNETS), "encryption": KEY,
         "endpoint_private_access": True, "allow_public_endpoint_anywhere": False, "encryption_waived": False,
         "purge_tags": True, "oidc_provider": False}
    p.update(kw)
    return p


def desired(**kw):
    return eks.validate_cluster_params(params(**kw), "us-east-1")[0]


def cluster_doc(**kw):
    """A describe_cluster ``cluster`` as real EKS returns it."""
    doc = {
        "name": "prod", "arn": "arn:aws:eks:us-east-1:%s:cluster/prod" % ACCOUNT,
        "createdAt": datetime.datetime(2026, 1, 1), "version": "1.29", "platformVersion": "eks.7",
        "endpoint": "https://ABC.gr7.us-east-1.eks.amazonaws.com", "roleArn": ROLE,
        "resourcesVpcConfig": {"subnetIds": list(SUBNETS), "securityGroupIds": [],
                               "clusterSecurityGroupId": "sg-0123456789abcdef0", "vpcId": "vpc-0123456789abcdef0",
                               "endpointPublicAccess": False, "endpointPrivateAccess": True,
                               "publicAccessCidrs": ["0.0.0.0/0"]},
        "logging": {"clusterLogging": [{"types": list(eks.LOG_TYPES), "enabled": True}]},
        "identity": {"oidc": {"issuer": ISSUER}},
        "status": "ACTIVE",
        "certificateAuthority": {"data": "LS0tLS1CRUdJTi=="},
        "encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": KEY}}],
        "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"},
        "tags": {},
    }
    for k, v in kw.items():
        if v is None:
            doc.pop(k, None)
        else:
            doc[k] = v
    return doc


def settings(**kw):
    return eks.cluster_settings(cluster_doc(**kw))


# ---------------------------------------------------------------------------------------------
# validation: secure defaults and refusals of bad input, before any API call
# ---------------------------------------------------------------------------------------------
def test_secure_defaults():
    d, warnings = eks.validate_cluster_params(params(), "us-east-1")
    assert d["endpoint_private_access"] is True
    assert d["endpoint_public_access"] is False
    assert d["public_access_cidrs"] == []
    assert d["logging"] == ["api", "audit", "authenticator", "controllerManager", "scheduler"]
    assert d["encryption"] == KEY
    assert d["oidc_thumbprints"] == ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]
    assert warnings == []


def test_encryption_required_unless_waived():
    with pytest.raises(eks.EksValidationError) as e:
        eks.validate_cluster_params(params(encryption=None), "us-east-1")
    assert "encryption: secrets encryption is required" in str(e.value)
    assert "encryption_waived" in str(e.value)
    d, warnings = eks.validate_cluster_params(params(encryption=None, encryption_waived=True), "us-east-1")
    assert d["encryption"] is None
    assert any("not envelope-encrypted" in w for w in warnings)


def test_encryption_key_must_be_a_key_arn_in_the_region():
    with pytest.raises(eks.EksValidationError) as e:
        eks.validate_cluster_params(params(encryption="alias/eks"), "us-east-1")
    assert "'alias/eks' is not a KMS key ARN" in str(e.value)
    with pytest.raises(eks.EksValidationError) as e:
        eks.validate_cluster_params(params(encryption=KEY.replace("us-east-1", "eu-west-1")), "us-east-1")
    assert "is in eu-west-1; EKS needs a key in the cluster's region us-east-1" in str(e.value)
    with pytest.raises(eks.EksValidationError) as e:
        eks.validate_cluster_params(params(encryption_waived=True), "us-east-1")
    assert "contradicts" in str(e.value)


def test_cidrs_imply_public_endpoint_and_are_normalized():
    d = desired(public_access_cidrs=["203.0.113.0/24", "10.0.0.0/8", "203.0.113.0/24"])
    assert d["endpoint_public_access"] is True
    assert d["public_access_cidrs"] == ["10.0.0.0/8", "203.0.113.0/24"]


def test_public_anywhere_needs_the_flag_and_warns():
    for kw in ({"endpoint_public_access": True}, {"public_access_cidrs": ["0.0.0.0/0"]},
               {"public_access_cidrs": ["10.0.0.0/8", "::/0"]}):
        with pytest.raises(eks.EksValidationError) as e:
            eks.validate_cluster_params(params(**kw), "us-east-1")
        assert "allow_public_endpoint_anywhere" in str(e.value), kw
    d, warnings = eks.validate_cluster_params(params(endpoint_public_access=True, allow_public_endpoint_anywhere=True),
                                              "us-east-1")
    assert d["public_access_cidrs"] == ["0.0.0.0/0"]
    assert any("reachable from 0.0.0.0/0" in w for w in warnings)


def test_every_problem_is_reported_at_once():
    with pytest.raises(eks.EksValidationError) as e:
        eks.validate_cluster_params(params(version="1.3x", subnets=["subnet-0a1b2c3d4e5f60001", "subnet-zz"],
                                           public_access_cidrs=["10.0.0.1/8", "nope"], endpoint_public_access=False,
                                           security_groups=["default"], logging=["api", "kubelet"],
                                           role_arn="eks-role", tags={"aws:x": "1"}, oidc_thumbprints=["abc"]),
                                    "us-east-1")
    text = str(e.value)
    for needle in ("version: '1.3x'", "subnets: 'subnet-zz'", "public_access_cidrs: '10.0.0.1/8'",
                   "public_access_cidrs: 'nope'", "security_groups: 'default'", "logging: 'kubelet'",
                   "role_arn: 'eks-role'", "tags: 'aws:x'", "oidc_thumbprints: 'abc'"):
        assert needle in text, needle
    assert len(e.value.problems) >= 9


def test_contradictory_endpoint_settings():
    with pytest.raises(eks.EksValidationError) as e:
        eks.validate_cluster_params(params(endpoint_public_access=False, public_access_cidrs=["10.0.0.0/8"]),
                                    "us-east-1")
    assert "endpoint_public_access is false" in str(e.value)
    with pytest.raises(eks.EksValidationError) as e:
        eks.validate_cluster_params(params(endpoint_private_access=False), "us-east-1")
    assert "at least one endpoint" in str(e.value)
    d, warnings = eks.validate_cluster_params(params(endpoint_private_access=False,
                                                     public_access_cidrs=["10.0.0.0/8"]), "us-east-1")
    assert any("over the public endpoint" in w for w in warnings)


def test_absent_needs_only_a_name():
    d, _w = eks.validate_cluster_params({"name": "prod", "state": "absent", "oidc_provider": True})
    assert d == {"name": "prod", "state": "absent", "oidc_provider": True, "deletion_protection": True}
    with pytest.raises(eks.EksValidationError):
        eks.validate_cluster_params({"name": "bad name", "state": "absent"})


def test_no_silent_admin_needs_a_mode_with_the_api_at_creation():
    step, predicted = eks.plan_create(desired())
    assert step["params"]["accessConfig"] == {"bootstrapClusterCreatorAdminPermissions": False,
                                              "authenticationMode": "API_AND_CONFIG_MAP"}
    assert predicted["bootstrap_cluster_creator_admin_permissions"] is False
    with pytest.raises(eks.EksValidationError) as err:
        eks.plan_create(desired(authentication_mode="CONFIG_MAP"))
    assert "bootstrap_cluster_creator_admin_permissions: false needs authentication_mode" in str(err.value)
    assert eks.plan_create(desired(authentication_mode="CONFIG_MAP", bootstrap_cluster_creator_admin_permissions=True))
    _s, _a, warnings = eks.plan_cluster_update(settings(accessConfig={"bootstrapClusterCreatorAdminPermissions": True,
                                                                      "authenticationMode": "API"}), desired())
    assert any("was created with true; EKS sets it only at creation" in w for w in warnings)


def test_deletion_protection_is_on_by_default_and_compared_only_when_reported():
    assert desired()["deletion_protection"] is True and desired()["upgrade_policy"] is None
    steps, after, _w = eks.plan_cluster_update(settings(deletionProtection=False), desired())
    assert [(s["kind"], s["params"]) for s in steps] == [("deletion_protection",
                                                          {"name": "prod", "deletionProtection": True})]
    assert after["deletion_protection"] is True
    assert eks.plan_cluster_update(settings(), desired())[0] == []  # not reported: not compared
    steps, after, _w = eks.plan_cluster_update(settings(deletionProtection=True, upgradePolicy={"supportType": "EXTENDED"}),
                                               desired(upgrade_policy="STANDARD"))
    assert [(s["kind"], s["params"]) for s in steps] == [("upgrade_policy", {"name": "prod", "upgradePolicy": {
        "supportType": "STANDARD"}})]


# ---------------------------------------------------------------------------------------------
# current state
# ---------------------------------------------------------------------------------------------
def test_cluster_settings_normalizes_describe():
    s = settings(logging={"clusterLogging": [{"types": ["scheduler", "api"], "enabled": True},
                                             {"types": ["audit", "authenticator", "controllerManager"],
                                              "enabled": False}]})
    assert s["logging"] == ["api", "scheduler"]
    assert s["public_access_cidrs"] == []  # EKS reports 0.0.0.0/0 even with the public endpoint off
    assert s["encryption"] == KEY
    assert s["authentication_mode"] == "API_AND_CONFIG_MAP"
    assert s["oidc_issuer"] == ISSUER
    assert s["certificate_authority_data"] == "LS0tLS1CRUdJTi=="
    s = settings(accessConfig=None, encryptionConfig=None,
                 resourcesVpcConfig={"subnetIds": SUBNETS, "endpointPublicAccess": True, "endpointPrivateAccess": True})
    assert s["authentication_mode"] is None
    assert s["encryption"] is None
    assert s["public_access_cidrs"] == ["0.0.0.0/0"]
    assert eks.cluster_settings(None) is None


# ---------------------------------------------------------------------------------------------
# plans
# ---------------------------------------------------------------------------------------------
def kinds(steps):
    return [(s["kind"], s["call"]) for s in steps]


def test_converged_cluster_has_an_empty_plan():
    steps, after, warnings = eks.plan_cluster_update(settings(), desired(version="1.29",
                                                                         authentication_mode="API_AND_CONFIG_MAP",
                                                                         tags={}))
    assert steps == [] and warnings == []
    assert after == settings()


def test_logging_plan_enables_and_disables():
    steps, after, _w = eks.plan_cluster_update(settings(), desired(logging=["audit", "api"]))
    assert kinds(steps) == [("logging", "update_cluster_config")]
    assert steps[0]["params"] == {"name": "prod", "logging": {"clusterLogging": [
        {"types": ["api", "audit"], "enabled": True},
        {"types": ["authenticator", "controllerManager", "scheduler"], "enabled": False}]}}
    assert after["logging"] == ["api", "audit"]
    steps, _a, _w = eks.plan_cluster_update(settings(), desired(logging=[]))
    assert steps[0]["params"]["logging"] == {"clusterLogging": [{"types": list(eks.LOG_TYPES), "enabled": False}]}


def test_endpoint_plan_sends_the_whole_endpoint_config():
    steps, after, _w = eks.plan_cluster_update(settings(), desired(public_access_cidrs=["203.0.113.0/24"]))
    assert kinds(steps) == [("endpoint", "update_cluster_config")]
    assert steps[0]["params"]["resourcesVpcConfig"] == {
        "endpointPrivateAccess": True, "endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.0/24"]}
    assert after["endpoint_public_access"] is True
    # closing the public endpoint (the secure default) on an open cluster
    open_vpc = {"subnetIds": SUBNETS, "endpointPublicAccess": True, "endpointPrivateAccess": False,
                "publicAccessCidrs": ["0.0.0.0/0"]}
    steps, _a, _w = eks.plan_cluster_update(settings(resourcesVpcConfig=open_vpc), desired())
    assert steps[0]["params"]["resourcesVpcConfig"] == {"endpointPrivateAccess": True, "endpointPublicAccess": False}


def test_tags_plan_purges_but_keeps_aws_tags():
    cur = settings(tags={"a": "1", "old": "x", "aws:cloudformation:stack-name": "s"})
    steps, after, _w = eks.plan_cluster_update(cur, desired(tags={"a": "2", "b": 3}))
    assert kinds(steps) == [("tags", "untag_resource"), ("tags", "tag_resource")]
    assert steps[0]["params"] == {"resourceArn": cur["arn"], "tagKeys": ["old"]}
    assert steps[1]["params"] == {"resourceArn": cur["arn"], "tags": {"a": "2", "b": "3"}}
    assert after["tags"] == {"a": "2", "b": "3", "aws:cloudformation:stack-name": "s"}
    steps, _a, _w = eks.plan_cluster_update(cur, desired(tags={"a": "1"}, purge_tags=False))
    assert steps == []
    steps, _a, _w = eks.plan_cluster_update(cur, desired())  # tags not given: not managed
    assert steps == []


def test_version_one_minor_at_a_time():
    steps, after, _w = eks.plan_cluster_update(settings(), desired(version="1.30"))
    assert kinds(steps) == [("version", "update_cluster_version")]
    assert steps[0]["params"] == {"name": "prod", "version": "1.30"}
    assert after["version"] == "1.30"
    with pytest.raises(eks.EksRefusal) as e:
        eks.plan_cluster_update(settings(), desired(version="1.31"))
    assert "one minor version at a time, so set version 1.30 first (asked for 1.31)" in str(e.value)
    with pytest.raises(eks.EksRefusal) as e:
        eks.plan_cluster_update(settings(), desired(version="1.28"))
    assert "cannot downgrade it to 1.28" in str(e.value)
    with pytest.raises(eks.EksRefusal):
        eks.plan_cluster_update(settings(), desired(version="2.0"))


def test_encryption_can_be_added_never_changed_or_removed():
    steps, after, _w = eks.plan_cluster_update(settings(encryptionConfig=None), desired())
    assert kinds(steps) == [("encryption", "associate_encryption_config")]
    assert steps[0]["params"] == {"clusterName": "prod", "encryptionConfig": [
        {"resources": ["secrets"], "provider": {"keyArn": KEY}}]}
    assert after["encryption"] == KEY
    with pytest.raises(eks.EksRefusal) as e:
        eks.plan_cluster_update(settings(), desired(encryption=KEY2))
    assert "cannot change the KMS key" in str(e.value)
    with pytest.raises(eks.EksRefusal) as e:
        eks.plan_cluster_update(settings(), desired(encryption=None, encryption_waived=True))
    assert "cannot remove secrets encryption once enabled. Set encryption: %s" % KEY in str(e.value)


def test_authentication_mode_moves_forward_only():
    cur = settings(accessConfig={"authenticationMode": "CONFIG_MAP"})
    steps, after, _w = eks.plan_cluster_update(cur, desired(authentication_mode="API"))
    assert [s["params"]["accessConfig"]["authenticationMode"] for s in steps] == ["API_AND_CONFIG_MAP", "API"]
    assert after["authentication_mode"] == "API"
    with pytest.raises(eks.EksRefusal) as e:
        eks.plan_cluster_update(settings(), desired(authentication_mode="CONFIG_MAP"))
    assert "cannot go back to CONFIG_MAP" in str(e.value)
    steps, _a, warnings = eks.plan_cluster_update(settings(accessConfig=None), desired(authentication_mode="API"))
    assert steps == [] and "not compared" in warnings[0]


def test_refusals_are_all_reported_and_nothing_is_planned():
    with pytest.raises(eks.EksRefusal) as e:
        eks.plan_cluster_update(settings(), desired(version="1.32", encryption=KEY2, authentication_mode="CONFIG_MAP",
                                                    logging=["api"]))
    assert len(e.value.problems) == 3
    assert str(e.value).startswith("Refusing to change the cluster: ")


def test_create_time_settings_only_warn():
    steps, _a, warnings = eks.plan_cluster_update(settings(), desired(subnets=SUBNETS[:2],
                                                                      role_arn=ROLE + "-other"))
    assert steps == []
    assert any(w.startswith("subnets:") for w in warnings)
    assert any(w.startswith("role_arn:") for w in warnings)


def test_plan_order_tags_config_encryption_version():
    cur = settings(encryptionConfig=None, accessConfig={"authenticationMode": "CONFIG_MAP"}, tags={"a": "1"})
    steps, _a, _w = eks.plan_cluster_update(cur, desired(version="1.30", logging=["audit"], tags={"a": "2"},
                                                         public_access_cidrs=["10.0.0.0/8"],
                                                         authentication_mode="API_AND_CONFIG_MAP"))
    assert [s["kind"] for s in steps] == ["tags", "logging", "endpoint", "authentication_mode", "encryption",
                                          "version"]


def _validate_request(service, operation, request):
    model = botocore.session.get_session().get_service_model(service)
    report = ParamValidator().validate(request, model.operation_model(operation).input_shape)
    assert not report.has_errors(), report.generate_report()


def test_plans_are_valid_botocore_requests():
    step, predicted = eks.plan_create(desired(version="1.30", public_access_cidrs=["10.0.0.0/8"],
                                              security_groups=["sg-0123456789abcdef0"], tags={"a": "b"},
                                              authentication_mode="API"))
    _validate_request("eks", "CreateCluster", step["params"])
    assert step["params"]["resourcesVpcConfig"]["endpointPublicAccess"] is True
    assert step["params"]["encryptionConfig"][0]["provider"]["keyArn"] == KEY
    assert predicted["status"] == "CREATING" and predicted["arn"] is None
    cur = settings(encryptionConfig=None, accessConfig={"authenticationMode": "CONFIG_MAP"}, tags={"x": "1"})
    steps, _a, _w = eks.plan_cluster_update(cur, desired(version="1.30", logging=["audit"], tags={"a": "2"},
                                                         public_access_cidrs=["10.0.0.0/8"],
                                                         authentication_mode="API"))
    names = {"update_cluster_config": "UpdateClusterConfig", "update_cluster_version": "UpdateClusterVersion",
             "associate_encryption_config": "AssociateEncryptionConfig", "tag_resource": "TagResource",
             "untag_resource": "UntagResource"}
    for s in steps:
        _validate_request("eks", names[s["call"]], s["params"])


def test_create_needs_role_and_subnets():
    with pytest.raises(eks.EksValidationError) as e:
        eks.plan_create(desired(role_arn=None, subnets=None))
    assert "role_arn: required to create cluster prod" in str(e.value)
    assert "subnets: required" in str(e.value)


def test_oidc_provider_plan():
    assert eks.oidc_provider_arn(cluster_doc()["arn"], ISSUER) == PROVIDER
    assert eks.oidc_provider_arn("arn:aws-cn:eks:cn-north-1:%s:cluster/x" % ACCOUNT, "https://oidc.eks.cn/id/1") \
        == "arn:aws-cn:iam::%s:oidc-provider/oidc.eks.cn/id/1" % ACCOUNT
    assert eks.oidc_provider_arn(None, ISSUER) is None
    tp = list(eks.DEFAULT_OIDC_THUMBPRINTS)
    steps = eks.plan_oidc_provider(PROVIDER, ISSUER, None, tp)
    assert kinds(steps) == [("oidc_provider", "create_open_id_connect_provider")]
    assert steps[0]["params"] == {"Url": ISSUER, "ClientIDList": ["sts.amazonaws.com"], "ThumbprintList": tp}
    _validate_request("iam", "CreateOpenIDConnectProvider", steps[0]["params"])
    assert eks.plan_oidc_provider(PROVIDER, ISSUER, {"ClientIDList": ["sts.amazonaws.com"],
                                                     "ThumbprintList": [tp[0].upper()]}, tp) == []
    steps = eks.plan_oidc_provider(PROVIDER, ISSUER, {"ClientIDList": [], "ThumbprintList": ["f" * 40]}, tp)
    assert [s["call"] for s in steps] == ["add_client_id_to_open_id_connect_provider",
                                          "update_open_id_connect_provider_thumbprint"]
    # an empty thumbprint list leaves thumbprints alone
    assert eks.plan_oidc_provider(PROVIDER, ISSUER, {"ClientIDList": ["sts.amazonaws.com"],
                                                     "ThumbprintList": ["f" * 40]}, []) == []


# ---------------------------------------------------------------------------------------------
# polling
# ---------------------------------------------------------------------------------------------
class FakeClock(object):
    def __init__(self):
        self.t = 0.0
        self.sleeps = []

    def now(self):
        return self.t

    def sleep(self, s):
        self.sleeps.append(s)
        self.t += s

    def clock(self):
        return cluster_mod.Clock(sleep=self.sleep, now=self.now)


def test_poll_until_first_check_is_immediate_then_backs_off_and_times_out():
    fc = FakeClock()
    assert eks.poll_until(lambda: 1, lambda v: v == 1, 10, fc.sleep, fc.now, "x") == 1
    assert fc.sleeps == []
    values = iter(["a", "b", "c", "done"])
    assert eks.poll_until(lambda: next(values), lambda v: v == "done", 100, fc.sleep, fc.now, "x") == "done"
    assert fc.sleeps == [2, 4, 8]
    fc = FakeClock()
    with pytest.raises(eks.EksTimeout) as e:
        eks.poll_until(lambda: "busy", lambda v: False, 60, fc.sleep, fc.now, "cluster x to be ACTIVE")
    assert "timed out after 60s waiting for cluster x to be ACTIVE" in str(e.value)
    assert e.value.last == "busy"
    assert sum(fc.sleeps) == 60 and max(fc.sleeps) <= 30


def test_update_finished():
    assert eks.update_finished({"id": "u", "status": "Successful"}, "version") is True
    assert eks.update_finished({"id": "u", "status": "InProgress"}, "version") is False
    with pytest.raises(eks.EksError) as e:
        eks.update_finished({"id": "u1", "status": "Failed", "errors": [
            {"errorCode": "InsufficientFreeAddresses", "errorMessage": "subnet full"}]}, "version")
    assert "version update u1 is Failed: InsufficientFreeAddresses: subnet full" in str(e.value)


# ---------------------------------------------------------------------------------------------
# add-on logic
# ---------------------------------------------------------------------------------------------
def addon_desired(**kw):
    p = {"cluster_name": "prod", "name": "vpc-cni", "state": "present", "resolve_conflicts": "PRESERVE",
         "preserve": True}
    p.update(kw)
    return eks.validate_addon_params(p)


def addon_doc(**kw):
    doc = {"addonName": "vpc-cni", "clusterName": "prod", "status": "ACTIVE", "addonVersion": "v1.18.3-eksbuild.1",
           "health": {"issues": []}, "addonArn": "arn:aws:eks:us-east-1:%s:addon/prod/vpc-cni/x" % ACCOUNT,
           "createdAt": datetime.datetime(2026, 1, 1), "modifiedAt": datetime.datetime(2026, 1, 1),
           "serviceAccountRoleArn": "arn:aws:iam::%s:role/aws-node" % ACCOUNT, "tags": {},
           "configurationValues": '{"env": {"WARM_PREFIX_TARGET": "1", "ENABLE_PREFIX_DELEGATION": "true"}}'}
    for k, v in kw.items():
        if v is None:
            doc.pop(k, None)
        else:
            doc[k] = v
    return doc


CNI_CONFIG = {"env": {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"}}


def test_configuration_values_compare_semantically():
    assert eks.parse_configuration_values('{"b": 1, "a": {"y": 2, "x": 1}}') == {"a": {"x": 1, "y": 2}, "b": 1}
    assert eks.parse_configuration_values("env:\n  A: '1'\n") == {"env": {"A": "1"}}
    assert eks.parse_configuration_values("") == {}
    assert eks.parse_configuration_values(None) == {}
    with pytest.raises(ValueError):
        eks.parse_configuration_values("- a list")
    cur = eks.addon_settings(addon_doc())
    step, after = eks.plan_addon(cur, addon_desired(configuration_values=CNI_CONFIG, addon_version="v1.18.3-eksbuild.1",
                                                    service_account_role_arn=cur["service_account_role_arn"]))
    assert step is None and after == cur


def test_addon_plans():
    step, predicted = eks.plan_addon(None, addon_desired(configuration_values=CNI_CONFIG, addon_version="v1.18.3-eksbuild.1"))
    assert step["call"] == "create_addon"
    assert step["params"]["configurationValues"] == \
        '{"env":{"ENABLE_PREFIX_DELEGATION":"true","WARM_PREFIX_TARGET":"1"}}'
    assert step["params"]["resolveConflicts"] == "PRESERVE"
    assert predicted["configuration_values"] == CNI_CONFIG
    _validate_request("eks", "CreateAddon", step["params"])
    cur = eks.addon_settings(addon_doc())
    step, after = eks.plan_addon(cur, addon_desired(addon_version="v1.19.0-eksbuild.1",
                                                    configuration_values={"env": {"WARM_PREFIX_TARGET": "2"}},
                                                    resolve_conflicts="OVERWRITE"))
    assert step["call"] == "update_addon"
    assert step["params"] == {"clusterName": "prod", "addonName": "vpc-cni", "resolveConflicts": "OVERWRITE",
                              "addonVersion": "v1.19.0-eksbuild.1",
                              "configurationValues": '{"env":{"WARM_PREFIX_TARGET":"2"}}'}
    _validate_request("eks", "UpdateAddon", step["params"])
    assert after["addon_version"] == "v1.19.0-eksbuild.1"
    # options not given are not managed
    step, _a = eks.plan_addon(cur, addon_desired())
    assert step is None
    # {} resets a configured add-on
    step, _a = eks.plan_addon(cur, addon_desired(configuration_values={}))
    assert step["params"]["configurationValues"] == "{}"


def test_addon_pod_identity_associations_are_compared_as_sets_and_replaced_as_a_whole():
    role = "arn:aws:iam::123456789012:role/prod-aws-node"
    wanted = [{"service_account": "aws-node", "role_arn": role}]
    step, predicted = eks.plan_addon(None, addon_desired(pod_identity_associations=wanted))
    assert step["params"]["podIdentityAssociations"] == [{"serviceAccount": "aws-node", "roleArn": role}]
    assert predicted["pod_identity_associations"] == wanted
    _validate_request("eks", "CreateAddon", step["params"])
    described = [{"serviceAccount": "aws-node", "roleArn": role, "associationId": "a-1"}]
    cur = eks.addon_settings(addon_doc(), association_views(described))
    assert eks.plan_addon(cur, addon_desired(pod_identity_associations=wanted))[0] is None
    assert eks.plan_addon(cur, addon_desired())[0] is None   # not managed when omitted
    step, after = eks.plan_addon(cur, addon_desired(pod_identity_associations=[]))
    assert step["params"]["podIdentityAssociations"] == [] and after["pod_identity_associations"] == []
    _validate_request("eks", "UpdateAddon", step["params"])


def test_addon_validation():
    with pytest.raises(eks.EksValidationError) as e:
        addon_desired(cluster_name="", name="vpc cni", service_account_role_arn="aws-node",
                      resolve_conflicts="KEEP", configuration_values="[1, 2]")
    text = str(e.value)
    for needle in ("cluster_name", "name: 'vpc cni'", "service_account_role_arn: 'aws-node'",
                   "resolve_conflicts: 'KEEP'", "configuration_values: configuration values must be a mapping"):
        assert needle in text, needle
    assert addon_desired()["resolve_conflicts"] == "PRESERVE"


def test_addon_ready():
    assert eks.addon_ready({"status": "ACTIVE"}, "x")
    assert eks.addon_ready({"status": "DEGRADED"}, "x")
    assert not eks.addon_ready({"status": "CREATING"}, "x")
    with pytest.raises(eks.EksError) as e:
        eks.addon_ready({"status": "CREATE_FAILED", "health": {"issues": [
            {"code": "ConfigurationConflict", "message": "Conflicts found"}]}}, "add-on vpc-cni")
    assert "add-on vpc-cni is CREATE_FAILED: ConfigurationConflict: Conflicts found" in str(e.value)


# ---------------------------------------------------------------------------------------------
# Stubber: the modules' real ensure/apply/wait functions on the APIs moto lacks
# ---------------------------------------------------------------------------------------------
def stubbed(service):
    raw = boto3.client(service, region_name="us-east-1", aws_access_key_id="testing",
                       aws_secret_access_key="testing", endpoint_url="https://%s.us-east-1.amazonaws.com" % service)
    stub = Stubber(raw)
    stub.activate()
    return RetryingBotoClientWrapper(raw, AWSRetry.jittered_backoff(retries=1, delay=0, max_delay=0)), stub


def describe(stub, name="prod", **kw):
    stub.add_response("describe_cluster", {"cluster": cluster_doc(name=name, **kw)}, {"name": name})


def update_doc(uid, status, kind="VersionUpdate"):
    return {"id": uid, "status": status, "type": kind, "params": [], "errors": [],
            "createdAt": datetime.datetime(2026, 1, 1)}


def oidc_present(iam):
    iam.add_response("get_open_id_connect_provider",
                     {"Url": ISSUER[len("https://"):], "ClientIDList": ["sts.amazonaws.com"],
                      "ThumbprintList": list(eks.DEFAULT_OIDC_THUMBPRINTS)},
                     {"OpenIDConnectProviderArn": PROVIDER})


def test_stubber_version_upgrade_waits_with_describe_update():
    """moto: UpdateClusterVersion and DescribeUpdate are 404 "Not yet implemented"."""
    client, stub = stubbed("eks")
    iam, istub = stubbed("iam")
    describe(stub)
    oidc_present(istub)
    stub.add_response("update_cluster_version", {"update": update_doc("u-1", "InProgress")},
                      {"name": "prod", "version": "1.30"})
    stub.add_response("describe_update", {"update": update_doc("u-1", "InProgress")}, {"name": "prod", "updateId": "u-1"})
    stub.add_response("describe_update", {"update": update_doc("u-1", "Successful")}, {"name": "prod", "updateId": "u-1"})
    describe(stub, version="1.30")  # wait_update: cluster ACTIVE again
    describe(stub, version="1.30")  # final state
    fc = FakeClock()
    warnings = []
    changed, result, diff, updates = cluster_mod.ensure_present(client, iam, desired(version="1.30"), False, True, 600,
                                                                fc.clock(), warnings)
    stub.assert_no_pending_responses()
    istub.assert_no_pending_responses()
    assert changed and updates == ["version"]
    assert result["version"] == "1.30" and result["oidc_provider_arn"] == PROVIDER
    assert diff["before"]["version"] == "1.29" and diff["after"]["version"] == "1.30"
    assert fc.sleeps == [2]


def test_stubber_check_mode_makes_no_write():
    client, stub = stubbed("eks")
    iam, istub = stubbed("iam")
    describe(stub, encryptionConfig=None, accessConfig={"authenticationMode": "CONFIG_MAP"})
    oidc_present(istub)
    changed, result, diff, updates = cluster_mod.ensure_present(
        client, iam, desired(version="1.30", authentication_mode="API", logging=["api"]), True, True, 600,
        FakeClock().clock(), [])
    stub.assert_no_pending_responses()  # one describe, nothing else was called (a call would fail the stub)
    assert changed
    assert updates == ["logging", "authentication_mode", "authentication_mode", "encryption", "version"]
    assert diff["after"]["authentication_mode"] == "API" and diff["before"]["authentication_mode"] == "CONFIG_MAP"
    assert result["encryption"] == KEY


def test_stubber_encryption_and_authentication_mode_in_sequence():
    """moto: AssociateEncryptionConfig is 404, accessConfig is not reported, DescribeUpdate is 404.
    EKS takes one update at a time: every update is waited for before the next one."""
    client, stub = stubbed("eks")
    iam, istub = stubbed("iam")
    describe(stub, encryptionConfig=None, accessConfig={"authenticationMode": "CONFIG_MAP"})
    oidc_present(istub)
    for i, mode in enumerate(["API_AND_CONFIG_MAP", "API"]):
        stub.add_response("update_cluster_config", {"update": update_doc("a-%d" % i, "InProgress", "AccessConfigUpdate")},
                          {"name": "prod", "accessConfig": {"authenticationMode": mode}})
        stub.add_response("describe_update", {"update": update_doc("a-%d" % i, "Successful", "AccessConfigUpdate")},
                          {"name": "prod", "updateId": "a-%d" % i})
        describe(stub, encryptionConfig=None, accessConfig={"authenticationMode": mode})
    stub.add_response("associate_encryption_config",
                      {"update": update_doc("e-1", "InProgress", "AssociateEncryptionConfig")},
                      {"clusterName": "prod", "encryptionConfig": [{"resources": ["secrets"],
                                                                    "provider": {"keyArn": KEY}}]})
    stub.add_response("describe_update", {"update": update_doc("e-1", "Successful")}, {"name": "prod", "updateId": "e-1"})
    describe(stub, accessConfig={"authenticationMode": "API"})
    describe(stub, accessConfig={"authenticationMode": "API"})
    changed, result, _d, updates = cluster_mod.ensure_present(client, iam, desired(authentication_mode="API"), False,
                                                              True, 600, FakeClock().clock(), [])
    stub.assert_no_pending_responses()
    assert updates == ["authentication_mode", "authentication_mode", "encryption"]
    assert result["authentication_mode"] == "API" and result["encryption"] == KEY


def test_stubber_missing_update_id_and_unsupported_describe_update_fall_back_to_polling():
    """moto's UpdateClusterConfig answers without an ``update``; an endpoint without DescribeUpdate
    answers 404. Both fall back to polling describe_cluster until ACTIVE."""
    client, stub = stubbed("eks")
    iam, istub = stubbed("iam")
    describe(stub)
    oidc_present(istub)
    stub.add_response("update_cluster_config", {}, {"name": "prod", "logging": ANY})
    describe(stub, status="UPDATING")
    describe(stub, logging={"clusterLogging": [{"types": ["api"], "enabled": True}]})
    stub.add_response("update_cluster_config", {"update": update_doc("x", "InProgress", "EndpointAccessUpdate")},
                      {"name": "prod", "resourcesVpcConfig": ANY})
    stub.add_client_error("describe_update", service_error_code="404", http_status_code=404,
                          expected_params={"name": "prod", "updateId": "x"})
    describe(stub, logging={"clusterLogging": [{"types": ["api"], "enabled": True}]})
    describe(stub, logging={"clusterLogging": [{"types": ["api"], "enabled": True}]})
    fc = FakeClock()
    changed, _r, _d, updates = cluster_mod.ensure_present(
        client, iam, desired(logging=["api"], public_access_cidrs=["10.0.0.0/8"]), False, True, 600, fc.clock(), [])
    stub.assert_no_pending_responses()
    assert changed and updates == ["logging", "endpoint"]
    assert fc.sleeps == [2]


def test_stubber_failed_update_reports_errors_and_what_was_applied():
    client, stub = stubbed("eks")
    iam, istub = stubbed("iam")
    describe(stub)
    oidc_present(istub)
    stub.add_response("update_cluster_version", {"update": update_doc("u-9", "InProgress")},
                      {"name": "prod", "version": "1.30"})
    failed = update_doc("u-9", "Failed")
    failed["errors"] = [{"errorCode": "ClusterUnreachable", "errorMessage": "nodes are too old"}]
    stub.add_response("describe_update", {"update": failed}, {"name": "prod", "updateId": "u-9"})
    with pytest.raises(eks.EksError) as e:
        cluster_mod.ensure_present(client, iam, desired(version="1.30"), False, True, 600, FakeClock().clock(), [])
    assert "version update u-9 is Failed: ClusterUnreachable: nodes are too old" in str(e.value)


def test_stubber_aws_error_keeps_the_list_of_applied_updates():
    client, stub = stubbed("eks")
    iam, istub = stubbed("iam")
    describe(stub, tags={"a": "1"})
    oidc_present(istub)
    stub.add_response("tag_resource", {}, {"resourceArn": cluster_doc()["arn"], "tags": {"a": "2"}})
    stub.add_client_error("update_cluster_config", service_error_code="ResourceInUseException", http_status_code=409,
                          service_message="an update is in progress")
    with pytest.raises(AnsibleAWSError) as e:
        cluster_mod.ensure_present(client, iam, desired(tags={"a": "2"}, logging=["api"]), False, True, 600,
                                   FakeClock().clock(), [])
    assert e.value.kwargs["updates"] == ["tags"]
    assert "Failed to update_cluster_config cluster prod (logging)" in e.value.message


def test_stubber_wait_false_skips_only_the_last_wait():
    client, stub = stubbed("eks")
    iam, istub = stubbed("iam")
    describe(stub)
    oidc_present(istub)
    stub.add_response("update_cluster_config", {"update": update_doc("l", "InProgress", "LoggingUpdate")},
                      {"name": "prod", "logging": ANY})
    stub.add_response("describe_update", {"update": update_doc("l", "Successful")}, {"name": "prod", "updateId": "l"})
    describe(stub)
    stub.add_response("update_cluster_version", {"update": update_doc("v", "InProgress")},
                      {"name": "prod", "version": "1.30"})
    describe(stub, status="UPDATING")  # the final read; the version update is not waited for
    changed, result, _d, updates = cluster_mod.ensure_present(client, iam, desired(version="1.30", logging=["api"]),
                                                              False, False, 600, FakeClock().clock(), [])
    stub.assert_no_pending_responses()
    assert updates == ["logging", "version"]
    assert result["status"] == "UPDATING" and result["version"] == "1.30"


def test_stubber_create_waits_for_active_then_creates_the_oidc_provider():
    client, stub = stubbed("eks")
    iam, istub = stubbed("iam")
    stub.add_client_error("describe_cluster", service_error_code="ResourceNotFoundException", http_status_code=404)
    stub.add_response("create_cluster", {"cluster": cluster_doc(status="CREATING")}, {
        "name": "prod", "roleArn": ROLE,
        "resourcesVpcConfig": {"subnetIds": SUBNETS, "endpointPrivateAccess": True, "endpointPublicAccess": False},
        "logging": {"clusterLogging": [{"types": list(eks.LOG_TYPES), "enabled": True}]},
        "encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": KEY}}],
        "accessConfig": {"bootstrapClusterCreatorAdminPermissions": False, "authenticationMode": "API_AND_CONFIG_MAP"},
        "deletionProtection": True})  # no silent admin, and protected, by default
    describe(stub, status="CREATING", identity=None)
    describe(stub)
    istub.add_client_error("get_open_id_connect_provider", service_error_code="NoSuchEntity", http_status_code=404)
    istub.add_response("create_open_id_connect_provider", {"OpenIDConnectProviderArn": PROVIDER},
                       {"Url": ISSUER, "ClientIDList": ["sts.amazonaws.com"],
                        "ThumbprintList": list(eks.DEFAULT_OIDC_THUMBPRINTS)})
    fc = FakeClock()
    changed, result, diff, updates = cluster_mod.ensure_present(client, iam, desired(oidc_provider=True), False,
                                                                False, 600, fc.clock(), [])
    stub.assert_no_pending_responses()
    istub.assert_no_pending_responses()
    assert updates == ["create", "oidc_provider"]
    assert result["oidc_provider_arn"] == PROVIDER and diff["before"] == {}
    assert fc.sleeps == [2]


def test_stubber_absent_deletes_cluster_and_oidc_provider():
    """Integration tests cannot delete the provider: moto gives every cluster the same issuer URL,
    so the provider is shared by all the clusters of the test session."""
    client, stub = stubbed("eks")
    iam, istub = stubbed("iam")
    describe(stub)
    oidc_present(istub)
    stub.add_response("delete_cluster", {"cluster": cluster_doc(status="DELETING")}, {"name": "prod"})
    istub.add_response("delete_open_id_connect_provider", {}, {"OpenIDConnectProviderArn": PROVIDER})
    describe(stub, status="DELETING")
    stub.add_client_error("describe_cluster", service_error_code="ResourceNotFoundException", http_status_code=404)
    changed, result, diff, updates = cluster_mod.ensure_absent(client, iam, {"name": "prod", "oidc_provider": True},
                                                               False, True, 600, FakeClock().clock())
    stub.assert_no_pending_responses()
    istub.assert_no_pending_responses()
    assert changed and updates == ["delete", "oidc_provider"]
    assert diff["before"]["oidc_provider_arn"] == PROVIDER and diff["after"] == {}
    assert result["status"] == "DELETED"


def test_stubber_wait_timeout():
    client, stub = stubbed("eks")
    iam, istub = stubbed("iam")
    stub.add_client_error("describe_cluster", service_error_code="ResourceNotFoundException", http_status_code=404)
    stub.add_response("create_cluster", {"cluster": cluster_doc(status="CREATING")}, None)
    for _i in range(10):
        describe(stub, status="CREATING")
    with pytest.raises(eks.EksTimeout) as e:
        cluster_mod.ensure_present(client, iam, desired(), False, True, 20, FakeClock().clock(), [])
    assert "timed out after 20s waiting for cluster prod to be ACTIVE" in str(e.value)
    assert e.value.last["status"] == "CREATING"


# --- eks_addon (moto has no add-on API at all) ---
ADDON_KEY = {"clusterName": "prod", "addonName": "vpc-cni"}


def addon_desc(stub, **kw):
    stub.add_response("describe_addon", {"addon": addon_doc(**kw)}, ADDON_KEY)


def addon_missing(stub):
    stub.add_client_error("describe_addon", service_error_code="ResourceNotFoundException", http_status_code=404,
                          expected_params=ADDON_KEY)


def test_stubber_addon_create_and_wait():
    client, stub = stubbed("eks")
    addon_missing(stub)
    describe(stub)
    stub.add_response("create_addon", {"addon": addon_doc(status="CREATING")},
                      {"clusterName": "prod", "addonName": "vpc-cni", "resolveConflicts": "PRESERVE",
                       "addonVersion": "v1.18.3-eksbuild.1",
                       "configurationValues": '{"env":{"ENABLE_PREFIX_DELEGATION":"true","WARM_PREFIX_TARGET":"1"}}'})
    addon_desc(stub, status="CREATING")
    addon_desc(stub)
    fc = FakeClock()
    changed, result, diff = addon_mod.ensure_addon_present(
        client, addon_desired(addon_version="v1.18.3-eksbuild.1", configuration_values=CNI_CONFIG), False, True, 600,
        fc.clock(), [])
    stub.assert_no_pending_responses()
    assert changed and result["status"] == "ACTIVE" and result["configuration_values"] == CNI_CONFIG
    assert diff["before"] == {} and diff["after"]["addon_version"] == "v1.18.3-eksbuild.1"
    assert fc.sleeps == [2]


def test_stubber_addon_idempotent_and_check_mode():
    client, stub = stubbed("eks")
    addon_desc(stub)
    want = addon_desired(addon_version="v1.18.3-eksbuild.1", configuration_values=CNI_CONFIG,
                         service_account_role_arn="arn:aws:iam::%s:role/aws-node" % ACCOUNT)
    changed, _r, diff = addon_mod.ensure_addon_present(client, want, False, True, 600, FakeClock().clock(), [])
    assert not changed and diff["before"] == diff["after"]
    addon_desc(stub)
    changed, result, diff = addon_mod.ensure_addon_present(client, addon_desired(addon_version="v1.19.0-eksbuild.1"),
                                                           True, True, 600, FakeClock().clock(), [])
    stub.assert_no_pending_responses()  # check mode: only the describe
    assert changed and result["addon_version"] == "v1.19.0-eksbuild.1"
    assert diff["before"]["addon_version"] == "v1.18.3-eksbuild.1"


def test_stubber_addon_update_waits_for_the_update():
    client, stub = stubbed("eks")
    addon_desc(stub)
    stub.add_response("update_addon", {"update": update_doc("ad-1", "InProgress", "AddonUpdate")},
                      {"clusterName": "prod", "addonName": "vpc-cni", "resolveConflicts": "OVERWRITE",
                       "configurationValues": '{"env":{"WARM_PREFIX_TARGET":"2"}}'})
    stub.add_response("describe_update", {"update": update_doc("ad-1", "Successful", "AddonUpdate")},
                      {"name": "prod", "updateId": "ad-1", "addonName": "vpc-cni"})
    addon_desc(stub, configurationValues='{"env":{"WARM_PREFIX_TARGET":"2"}}')
    changed, result, diff = addon_mod.ensure_addon_present(
        client, addon_desired(configuration_values={"env": {"WARM_PREFIX_TARGET": "2"}}, resolve_conflicts="OVERWRITE"),
        False, True, 600, FakeClock().clock(), [])
    stub.assert_no_pending_responses()
    assert changed and result["configuration_values"] == {"env": {"WARM_PREFIX_TARGET": "2"}}
    assert diff["before"]["configuration_values"] == CNI_CONFIG


def test_stubber_addon_failures():
    client, stub = stubbed("eks")
    addon_missing(stub)
    stub.add_client_error("describe_cluster", service_error_code="ResourceNotFoundException", http_status_code=404)
    with pytest.raises(eks.EksError) as e:
        addon_mod.ensure_addon_present(client, addon_desired(), False, True, 600, FakeClock().clock(), [])
    assert "cluster prod does not exist" in str(e.value)
    addon_missing(stub)
    describe(stub)
    stub.add_response("create_addon", {"addon": addon_doc(status="CREATING")}, None)
    addon_desc(stub, status="CREATE_FAILED", health={"issues": [{"code": "ConfigurationConflict",
                                                                 "message": "Conflicts found", "resourceIds": []}]})
    with pytest.raises(eks.EksError) as e:
        addon_mod.ensure_addon_present(client, addon_desired(), False, True, 600, FakeClock().clock(), [])
    assert "CREATE_FAILED: ConfigurationConflict: Conflicts found" in str(e.value)
    warnings = []
    addon_desc(stub, addonVersion="v1")
    stub.add_response("update_addon", {"update": update_doc("d", "Successful", "AddonUpdate")}, None)
    stub.add_response("describe_update", {"update": update_doc("d", "Successful", "AddonUpdate")}, None)
    addon_desc(stub, status="DEGRADED", health={"issues": [{"code": "InsufficientNumberOfReplicas",
                                                            "message": "no nodes", "resourceIds": []}]})
    changed, result, _d = addon_mod.ensure_addon_present(client, addon_desired(addon_version="v2"), False, True, 600,
                                                         FakeClock().clock(), warnings)
    assert changed and result["status"] == "DEGRADED" and "DEGRADED" in warnings[0]
    stub.assert_no_pending_responses()


def test_stubber_addon_delete_preserves_resources_by_default():
    client, stub = stubbed("eks")
    addon_desc(stub)
    stub.add_response("delete_addon", {"addon": addon_doc(status="DELETING")},
                      {"clusterName": "prod", "addonName": "vpc-cni", "preserve": True})
    addon_desc(stub, status="DELETING")
    addon_missing(stub)
    changed, result, diff = addon_mod.ensure_addon_absent(client, addon_desired(state="absent"), False, True, 600,
                                                          FakeClock().clock())
    assert changed and result["status"] == "DELETED" and diff["after"] == {}
    addon_missing(stub)
    changed, _r, _d = addon_mod.ensure_addon_absent(client, addon_desired(state="absent"), False, True, 600,
                                                    FakeClock().clock())
    assert not changed
    addon_desc(stub)
    changed, result, _d = addon_mod.ensure_addon_absent(client, addon_desired(state="absent"), True, True, 600,
                                                        FakeClock().clock())
    assert changed and result["status"] == "DELETING"
    stub.assert_no_pending_responses()


def test_a_version_yaml_read_as_a_number_gets_a_hint():
    # An unquoted `version: 1.30` reaches the module as the float 1.3 (issue 18).
    hint = eks.version_given_as_number(1.3)
    assert "got the number 1.3" in hint and 'version: "1.30"' in hint
    assert 'version: "1.29"' in eks.version_given_as_number(1.29)
    assert eks.version_given_as_number("1.30") is None
    assert eks.version_given_as_number(None) is None and eks.version_given_as_number(True) is None


def test_public_cidr_with_host_bits_suggests_the_network():
    with pytest.raises(eks.EksError) as exc:
        eks.validate_cluster_params(params(public_access_cidrs=["203.0.113.7/24"]), "us-east-1")
    assert "did you mean '203.0.113.0/24'?" in str(exc.value)
