"""hardened.eks.eks_addon.

moto 5.2.1 does NOT implement the EKS add-on API: every add-on call (DescribeAddon, CreateAddon,
UpdateAddon, DeleteAddon, DescribeAddonVersions) answers HTTP 404 "Not yet implemented". So:
- against moto (real module process) we check what moto can show: bad input fails before any
  AWS call, and the missing API gives a clear failure with no write;
- the add-on lifecycle (check mode, create, idempotent re-run, semantic comparison of
  configuration_values, update, delete) runs the module's real ``main()`` in-process with
  botocore's Stubber answering for EKS: argument spec, validation, planning, check mode, diff
  and exit_json are the module's own; only the HTTP answers are canned, and each request's
  parameters are checked by the Stubber.
"""
import datetime
import json
from urllib.parse import unquote

import pytest

MODULE = "eks_addon"
ROLE = "arn:aws:iam::123456789012:role/aws-node"
CFG = {"env": {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"}}


# ------------------------------------------------------------------------------------------
# against moto
# ------------------------------------------------------------------------------------------
def test_bad_input_fails_before_any_aws_call(run_module, aws_requests, uid):
    m = aws_requests.mark()
    r = run_module(MODULE, {"cluster_name": "t-%s" % uid, "name": "vpc-cni", "service_account_role_arn": "aws-node",
                            "configuration_values": {"env": {"A": "1"}}})
    assert r.get("failed") is True, r
    assert "service_account_role_arn: 'aws-node' is not an IAM role ARN" in r["msg"]
    assert [x for x in aws_requests.since(m) if x.get("service") == "eks" and uid in unquote(x.get("path", ""))] == []


def test_moto_has_no_addon_api_and_the_failure_is_clear(sandbox, run_module, aws_requests, boto3_client, uid):
    name = "t-addon-%s" % uid
    eks = boto3_client("eks")
    subnets = [s["SubnetId"] for s in boto3_client("ec2").describe_subnets(
        Filters=[{"Name": "tag:kubernetes.io/role/internal-elb", "Values": ["1"]}])["Subnets"]]
    eks.create_cluster(name=name, roleArn="arn:aws:iam::123456789012:role/hardened-eks-sandbox-node",
                       resourcesVpcConfig={"subnetIds": subnets[:2]})
    try:
        m = aws_requests.mark()
        r = run_module(MODULE, {"cluster_name": name, "name": "vpc-cni", "configuration_values": CFG})
        assert r.get("failed") is True, r
        assert r["msg"].startswith("Failed to describe add-on vpc-cni of cluster %s" % name), r["msg"]
        calls = [x for x in aws_requests.since(m) if x.get("service") == "eks" and name in unquote(x.get("path", ""))]
        assert calls and all(x["method"] == "GET" for x in calls), calls
        assert calls[0]["status"] == 404
    finally:
        eks.delete_cluster(name=name)


# ------------------------------------------------------------------------------------------
# the module's main() with botocore's Stubber (moto lacks the API)
# ------------------------------------------------------------------------------------------
@pytest.fixture
def stubbed_module(sandbox, monkeypatch, capsys):
    import os
    monkeypatch.syspath_prepend(os.path.join(sandbox.dir, "collections"))  # ansible_collections.hardened.eks
    import boto3
    from botocore.stub import Stubber
    from ansible.module_utils.testing import patch_module_args
    from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
    from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry, RetryingBotoClientWrapper
    from ansible_collections.hardened.eks.plugins.modules import eks_addon

    raw = boto3.client("eks", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing",
                       endpoint_url="https://eks.us-east-1.amazonaws.com")
    stub = Stubber(raw)
    stub.activate()
    wrapped = RetryingBotoClientWrapper(raw, AWSRetry.jittered_backoff(retries=1, delay=0, max_delay=0))
    created = []

    def fake_client(self, service, retry_decorator=None, **kw):
        created.append((service, retry_decorator is not None))
        return wrapped

    monkeypatch.setattr(AnsibleAWSModule, "client", fake_client)

    def run(params, check=False, diff=False):
        args = dict(params, _ansible_check_mode=check, _ansible_diff=diff, region="us-east-1")
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                eks_addon.main()
        out = capsys.readouterr().out
        return json.loads(out[out.index("{"):])

    run.stub = stub
    run.created = created
    return run


def addon_doc(**kw):
    doc = {"addonName": "vpc-cni", "clusterName": "prod", "status": "ACTIVE", "addonVersion": "v1.18.3-eksbuild.1",
           "health": {"issues": []}, "addonArn": "arn:aws:eks:us-east-1:123456789012:addon/prod/vpc-cni/1",
           "createdAt": datetime.datetime(2026, 1, 1), "modifiedAt": datetime.datetime(2026, 1, 1),
           "serviceAccountRoleArn": ROLE, "tags": {},
           # as a user might have set it by hand: other key order, other spacing
           "configurationValues": '{"env": {"WARM_PREFIX_TARGET": "1", "ENABLE_PREFIX_DELEGATION": "true"}}'}
    doc.update(kw)
    return doc


KEY = {"clusterName": "prod", "addonName": "vpc-cni"}
PARAMS = {"cluster_name": "prod", "name": "vpc-cni", "addon_version": "v1.18.3-eksbuild.1",
          "configuration_values": CFG, "service_account_role_arn": ROLE}


def missing(stub):
    stub.add_client_error("describe_addon", service_error_code="ResourceNotFoundException", http_status_code=404,
                          expected_params=KEY)


def present(stub, **kw):
    stub.add_response("describe_addon", {"addon": addon_doc(**kw)}, KEY)


def cluster(stub):
    stub.add_response("describe_cluster", {"cluster": {"name": "prod", "status": "ACTIVE", "version": "1.30"}},
                      {"name": "prod"})


def test_addon_lifecycle_with_stubber(stubbed_module):
    run, stub = stubbed_module, stubbed_module.stub

    # check mode: reads only (the Stubber fails on any call not queued)
    missing(stub)
    cluster(stub)
    r = run(PARAMS, check=True, diff=True)
    stub.assert_no_pending_responses()
    assert r["changed"] is True and r["status"] == "CREATING", r
    assert r["diff"] == {"before": {}, "after": {"addon_version": "v1.18.3-eksbuild.1", "configuration_values": CFG,
                                                 "service_account_role_arn": ROLE}}
    assert run.created == [("eks", True)]  # a client with AWSRetry

    # create, then wait for ACTIVE
    missing(stub)
    cluster(stub)
    stub.add_response("create_addon", {"addon": addon_doc(status="CREATING")}, {
        "clusterName": "prod", "addonName": "vpc-cni", "addonVersion": "v1.18.3-eksbuild.1",
        "serviceAccountRoleArn": ROLE, "resolveConflicts": "PRESERVE",
        "configurationValues": '{"env":{"ENABLE_PREFIX_DELEGATION":"true","WARM_PREFIX_TARGET":"1"}}'})
    present(stub)
    r = run(PARAMS)
    stub.assert_no_pending_responses()
    assert r["changed"] is True and r["status"] == "ACTIVE" and r["configuration_values"] == CFG, r

    # idempotent: same data, other key order on the AWS side
    present(stub)
    r = run(PARAMS, diff=True)
    stub.assert_no_pending_responses()
    assert r["changed"] is False and r["diff"]["before"] == r["diff"]["after"], r

    # update: one value changes; resolve_conflicts passed through
    present(stub)
    stub.add_response("update_addon", {"update": {"id": "u-1", "status": "InProgress", "type": "AddonUpdate"}}, {
        "clusterName": "prod", "addonName": "vpc-cni", "resolveConflicts": "OVERWRITE",
        "configurationValues": '{"env":{"ENABLE_PREFIX_DELEGATION":"true","WARM_PREFIX_TARGET":"2"}}'})
    stub.add_response("describe_update", {"update": {"id": "u-1", "status": "Successful", "type": "AddonUpdate"}},
                      {"name": "prod", "updateId": "u-1", "addonName": "vpc-cni"})
    present(stub, configurationValues='{"env":{"ENABLE_PREFIX_DELEGATION":"true","WARM_PREFIX_TARGET":"2"}}')
    new_cfg = {"env": {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "2"}}
    r = run(dict(PARAMS, configuration_values=new_cfg, resolve_conflicts="OVERWRITE"), diff=True)
    stub.assert_no_pending_responses()
    assert r["changed"] is True and r["configuration_values"] == new_cfg, r
    assert r["diff"]["before"]["configuration_values"] == CFG and r["diff"]["after"]["configuration_values"] == new_cfg

    # delete keeps the add-on's Kubernetes resources by default
    present(stub)
    stub.add_response("delete_addon", {"addon": addon_doc(status="DELETING")}, dict(KEY, preserve=True))
    missing(stub)
    r = run({"cluster_name": "prod", "name": "vpc-cni", "state": "absent"}, diff=True)
    stub.assert_no_pending_responses()
    assert r["changed"] is True and r["status"] == "DELETED" and r["diff"]["after"] == {}, r
    missing(stub)
    r = run({"cluster_name": "prod", "name": "vpc-cni", "state": "absent"})
    assert r["changed"] is False, r


def test_addon_missing_cluster_with_stubber(stubbed_module):
    run, stub = stubbed_module, stubbed_module.stub
    missing(stub)
    stub.add_client_error("describe_cluster", service_error_code="ResourceNotFoundException", http_status_code=404)
    r = run({"cluster_name": "prod", "name": "vpc-cni"}, check=True)
    assert r["failed"] is True and "cluster prod does not exist" in r["msg"], r
