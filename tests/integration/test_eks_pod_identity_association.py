"""hardened.eks.eks_pod_identity_association as real module processes against a private moto
with the project's EKS extension (every call counted), over HTTP.

The story: payments' api leaves kube2iam for EKS Pod Identity; payments' reports reads the data
account by role chaining; the shop's web had an association made by hand, which purge leaves."""
import json

import pytest

from tests.integration.own_moto import eks_world

MODULE = "eks_pod_identity_association"
ACCOUNT = "123456789012"
API = "arn:aws:iam::%s:role/pods/prod-payments-api" % ACCOUNT
REPORTS = "arn:aws:iam::%s:role/pods/prod-payments-reports" % ACCOUNT
DATA = "arn:aws:iam::444455556666:role/payments-data-reader"


@pytest.fixture(scope="module")
def aws(moto):
    return eks_world(moto, "10.45.0.0/16")


@pytest.fixture
def run(run_module, moto):
    def _run(params, check=False, diff=False):
        return run_module(MODULE, params, check=check, diff=diff, env=moto.env())
    return _run


def actions(moto, mark, method=None):
    return [r["action"] for r in moto.requests.since(mark) if method is None or r["action"].startswith(method)]


def story(name, **kw):
    params = {"cluster_name": name, "purge": True, "associations": [
        {"namespace": "payments", "service_account": "api", "role_arn": API, "tags": {"team": "payments"}},
        {"namespace": "payments", "service_account": "reports", "role_arn": REPORTS, "target_role_arn": DATA}]}
    params.update(kw)
    return params


def test_create_adopt_converge_and_purge(aws, moto, run, uid):
    eks, name = aws["eks"], "pi-%s" % uid
    eks.create_cluster(name=name, roleArn=aws["role"], resourcesVpcConfig={"subnetIds": aws["subnets"]})
    hand = eks.create_pod_identity_association(clusterName=name, namespace="shop", serviceAccount="web",
                                               roleArn=API)["association"]
    # an association for payments/api exists already (made before this collection managed it)
    old = eks.create_pod_identity_association(clusterName=name, namespace="payments", serviceAccount="api",
                                              roleArn=REPORTS)["association"]
    m = moto.requests.mark()
    pred = run(story(name), check=True, diff=True)
    assert pred["changed"] and not pred.get("failed"), pred.get("msg")
    assert not [a for a in actions(moto, m) if not a.startswith("GET ")], "check mode wrote"

    res = run(story(name), diff=True)
    assert res["changed"] and not res.get("failed"), res.get("msg")
    api, reports = res["associations"]
    assert api["association_id"] == old["associationId"] and api["role_arn"] == API  # adopted, not a 409
    assert reports["target_role_arn"] == DATA and reports["external_id"]
    assert pred["diff"]["after"]["payments/api"]["role_arn"] == res["diff"]["after"]["payments/api"]["role_arn"]
    got = eks.describe_pod_identity_association(clusterName=name, associationId=old["associationId"])["association"]
    assert got["roleArn"] == API and got["tags"] == {"team": "payments",
                                                     "hardened.eks/managed-by": "eks_pod_identity_association"}

    m = moto.requests.mark()
    again = run(story(name))
    assert not again["changed"] and actions(moto, m, "POST") == [] and actions(moto, m, "DELETE") == []
    # one describe of the cluster, one list, one describe per listed association (purge: all three)
    assert len(actions(moto, m)) == 1 + 1 + 3

    res = run(story(name, associations=story(name)["associations"][:1]))
    expected = [("api", "present"), ("reports", "absent")]
    assert [(a["service_account"], a["state"]) for a in res["associations"]] == expected
    left = eks.list_pod_identity_associations(clusterName=name)["associations"]
    assert sorted(a["serviceAccount"] for a in left) == ["api", "web"]  # the hand-made one stays
    assert hand["associationId"] in [a["associationId"] for a in left]

    gone = {"namespace": "payments", "service_account": "api", "state": "absent"}
    res = run({"cluster_name": name, "associations": [gone]})
    assert res["changed"] and [a["serviceAccount"] for a in eks.list_pod_identity_associations(
        clusterName=name)["associations"]] == ["web"]


def test_bad_input_is_refused_before_any_call(moto, run):
    m = moto.requests.mark()
    res = run({"cluster_name": "any", "associations": [
        {"namespace": "Payments", "service_account": "api", "role_arn": API},
        {"namespace": "shop", "service_account": "web", "role_arn": "arn:aws:iam::%s:user/u" % ACCOUNT},
        {"namespace": "shop", "service_account": "web", "role_arn": API},
        {"namespace": "jobs", "service_account": "x", "role_arn": API, "target_role_arn": API}]})
    assert res.get("failed") and moto.requests.since(m) == [], res
    problems = res["problems"]
    assert "associations[0] (Payments/api).namespace: 'Payments' is not a namespace name" in problems
    assert any("associations[1] (shop/web).role_arn" in p and "is not an IAM role ARN" in p for p in problems)
    assert any(p.startswith("associations[2] (shop/web): listed twice") for p in problems)
    assert any("role chaining needs another role" in p for p in problems) and len(problems) == 4


def test_disabled_session_tags_warn(aws, moto, run, uid):
    eks, name = aws["eks"], "pw-%s" % uid
    eks.create_cluster(name=name, roleArn=aws["role"], resourcesVpcConfig={"subnetIds": aws["subnets"]})
    item = {"namespace": "a", "service_account": "b", "role_arn": API, "disable_session_tags": True}
    res = run({"cluster_name": name, "associations": [item]})
    assert res["changed"] and "disable_session_tags=true" in json.dumps(res.get("warnings", [])), res
