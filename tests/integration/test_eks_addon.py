"""hardened.eks.eks_addon as real module processes, over HTTP, against a private moto with the
project's EKS extension (moto itself has no add-on API; scripts/moto_eks.py serves it, checked
against botocore's model), so every call is counted.

The story: cluster prod runs the VPC CNI as an add-on with prefix delegation; its aws-node moves
from IRSA to EKS Pod Identity, and the Pod Identity agent is installed beside it."""
from urllib.parse import unquote

import pytest

from tests.integration.own_moto import eks_world

MODULE = "eks_addon"
CFG = {"env": {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"}}


@pytest.fixture(scope="module")
def aws(moto):
    world = eks_world(moto, "10.45.0.0/16")
    world["aws_node"] = world["nodes"]   # any role ARN; moto does not judge its trust
    return world


@pytest.fixture
def run(run_module, moto):
    def _run(params, check=False, diff=False):
        return run_module(MODULE, params, check=check, diff=diff, env=moto.env())
    return _run


def new_cluster(aws, name, version="1.35"):
    aws["eks"].create_cluster(name=name, roleArn=aws["role"], resourcesVpcConfig={"subnetIds": aws["subnets"]},
                              version=version)
    return name


def writes(moto, mark):
    return [r["action"] for r in moto.requests.mutating(mark)]


def test_bad_input_fails_before_any_aws_call(run, moto, uid):
    m = moto.requests.mark()
    r = run({"cluster_name": "t-%s" % uid, "name": "vpc-cni", "service_account_role_arn": "aws-node",
             "configuration_values": {"env": {"A": "1"}},
             "pod_identity_associations": [{"service_account": "aws-node", "role_arn": "x"},
                                           {"service_account": "aws-node", "role_arn": "x"}]})
    assert r.get("failed") is True, r
    assert "service_account_role_arn: 'aws-node' is not an IAM role ARN" in r["msg"]
    assert "pod_identity_associations[0].role_arn: 'x' is not an IAM role ARN" in r["msg"]
    assert "pod_identity_associations[1].service_account: aws-node is listed twice" in r["msg"]
    assert moto.requests.since(m) == []


def test_a_missing_cluster_is_named_and_nothing_is_written(run, moto, uid):
    m = moto.requests.mark()
    r = run({"cluster_name": "none-%s" % uid, "name": "vpc-cni"}, check=True)
    assert r.get("failed") is True and "cluster none-%s does not exist" % uid in r["msg"], r
    assert writes(moto, m) == []


def test_lifecycle_check_create_rerun_update_associations_and_delete(aws, moto, run, uid):
    name = new_cluster(aws, "ad-%s" % uid)
    eks = aws["eks"]
    versions = [v["addonVersion"] for v in eks.describe_addon_versions(
        addonName="vpc-cni", kubernetesVersion="1.35")["addons"][0]["addonVersions"]]
    params = {"cluster_name": name, "name": "vpc-cni", "addon_version": versions[-1], "configuration_values": CFG}

    m = moto.requests.mark()
    r = run(params, check=True, diff=True)
    assert r["changed"] is True and r["status"] == "CREATING" and not r.get("failed"), r
    assert r["diff"]["before"] == {} and r["diff"]["after"]["configuration_values"] == CFG
    assert writes(moto, m) == []

    r = run(params)
    assert r["changed"] is True and r["status"] == "ACTIVE" and r["addon_version"] == versions[-1], r
    assert r["configuration_values"] == CFG
    assert eks.describe_addon(clusterName=name, addonName="vpc-cni")["addon"]["status"] == "ACTIVE"

    m = moto.requests.mark()
    r = run(params, diff=True)
    assert r["changed"] is False and r["diff"]["before"] == r["diff"]["after"], r
    assert writes(moto, m) == []

    # aws-node moves to Pod Identity, on the newest version; EKS makes the association.
    moved = dict(params, addon_version=versions[0], resolve_conflicts="OVERWRITE",
                 pod_identity_associations=[{"service_account": "aws-node", "role_arn": aws["aws_node"]}])
    pred = run(moved, check=True, diff=True)
    assert pred["changed"] and pred["diff"]["before"]["pod_identity_associations"] == []
    assert pred["diff"]["after"]["pod_identity_associations"] == [
        {"service_account": "aws-node", "role_arn": aws["aws_node"]}]
    m = moto.requests.mark()
    r = run(moved)
    assert r["changed"] is True and r["addon_version"] == versions[0], r
    assert [unquote(a) for a in writes(moto, m)] == ["POST /clusters/%s/addons/vpc-cni/update" % name]
    listed = eks.list_pod_identity_associations(clusterName=name)["associations"]
    assert [(a["namespace"], a["serviceAccount"]) for a in listed] == [("kube-system", "aws-node")]
    m = moto.requests.mark()
    assert run(moved)["changed"] is False
    assert writes(moto, m) == []

    # [] removes the add-on's associations
    r = run(dict(moved, pod_identity_associations=[]))
    assert r["changed"] is True and r["pod_identity_associations"] == []
    assert eks.list_pod_identity_associations(clusterName=name)["associations"] == []

    # a refused version is EKS's answer, named
    r = run(dict(params, addon_version="v0.0.1-eksbuild.1"))
    assert r.get("failed") and "not supported" in r["msg"], r

    # delete keeps the add-on's Kubernetes resources by default; a second run changes nothing
    m = moto.requests.mark()
    r = run({"cluster_name": name, "name": "vpc-cni", "state": "absent"}, diff=True)
    assert r["changed"] is True and r["status"] == "DELETED" and r["diff"]["after"] == {}, r
    deletes = [a for a in writes(moto, m) if a.startswith("DELETE")]
    assert deletes == ["DELETE /clusters/%s/addons/vpc-cni" % name]
    assert run({"cluster_name": name, "name": "vpc-cni", "state": "absent"})["changed"] is False


def test_the_pod_identity_agent_add_on_installs_with_the_default_version(aws, run, uid):
    name = new_cluster(aws, "pa-%s" % uid, version="1.36")
    r = run({"cluster_name": name, "name": "eks-pod-identity-agent"})
    assert r["changed"] and r["status"] == "ACTIVE" and r["addon_version"].startswith("v1."), r
    assert run({"cluster_name": name, "name": "eks-pod-identity-agent"})["changed"] is False
