"""Scenario 3 (AWS) - throttling and transient errors.

The AWS modules run as real module processes against a private moto whose wrapper
(scripts/moto_server.py) answers chosen calls with Throttling, RequestLimitExceeded or HTTP 500
a number of times before letting them through. Two retry layers are in play: botocore's own
(legacy mode: 5 attempts per call, on throttling codes and HTTP 5xx) and AWSRetry.jittered_backoff
around each call (10 tries of the botocore call, on throttling codes and
InternalError/InternalFailure/ServiceUnavailable): 50 attempts in all before a call fails. Their backoffs are real but scaled by 1/100
(tests/reliability/_fastclock), so exhausting the whole budget takes seconds, not minutes; the
requested delays are logged and reported.
"""
import json
import uuid

import pytest

BOTOCORE_ATTEMPTS = 5   # botocore legacy retry mode: 1 try + 4 retries
AWSRETRY_TRIES = 10     # AWSRetry.jittered_backoff(): retries=10 is 10 tries (9 backoffs)


@pytest.fixture(scope="module")
def aws(private_moto):
    ec2, iam, kms = private_moto.client("ec2"), private_moto.client("iam"), private_moto.client("kms")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.%d.0/24" % i, AvailabilityZone=az)["Subnet"]["SubnetId"]
               for i, az in enumerate(["us-east-1a", "us-east-1b"])]
    role = iam.create_role(RoleName="eks-cluster", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    key = kms.create_key(Description="eks secrets")["KeyMetadata"]["Arn"]
    return {"subnets": subnets, "role": role, "key": key}


def _cluster(aws, name, **kw):
    p = {"name": name, "version": "1.31", "role_arn": aws["role"], "subnets": aws["subnets"],
         "encryption": aws["key"], "logging": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
         "wait_timeout": 120}
    p.update(kw)
    return p


def _forget_oidc_providers(private_moto):
    """moto gives every cluster the same issuer: drop the provider so each test creates it."""
    iam = private_moto.client("iam")
    for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]:
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=p["Arn"])


def _faulted(private_moto, mark):
    return [r for r in private_moto.requests.since(mark) if r.get("fault")]


def _summary(res):
    return {k: res.get(k) for k in ("failed", "changed", "msg", "status", "updates")}


@pytest.mark.timeout(180)
@pytest.mark.parametrize("service,action,error,status,count", [
    # a few: botocore's own retries absorb them
    ("eks", "POST /clusters", "Throttling", 400, 3),
    ("eks", "GET /clusters/{name}", "ThrottlingException", 400, 3),
    ("eks", "POST /clusters", "InternalError", 500, 3),
    # more than botocore's 5 attempts: AWSRetry takes over
    ("eks", "GET /clusters/{name}", "RequestLimitExceeded", 400, 8),
    ("eks", "POST /clusters", "InternalFailure", 500, 8),
    ("iam", "CreateOpenIDConnectProvider", "Throttling", 400, 8),
    ("iam", "GetOpenIDConnectProvider", "ServiceUnavailable", 503, 8),
])
def test_eks_cluster_succeeds_through_transient_errors(private_moto, aws, run_module, fast_clock, service, action,
                                                       error, status, count, record_property):
    name = "thr-%s" % uuid.uuid4().hex[:6]
    action = action.replace("{name}", name)
    _forget_oidc_providers(private_moto)
    m = private_moto.requests.mark()
    private_moto.faults([{"service": service, "action": action, "count": count, "error": error, "status": status}])
    env = dict(private_moto.env(), **fast_clock.env)
    res = run_module("eks_cluster", _cluster(aws, name, oidc_provider=True), env=env)
    assert not res.get("failed"), _summary(res)
    assert res["changed"] and res["status"] == "ACTIVE"
    assert private_moto.remaining_faults()[0]["count"] == 0, "every injected fault was met"
    faulted = _faulted(private_moto, m)
    assert len(faulted) == count and all(r["fault"] == error for r in faulted)
    # exactly one cluster and one OIDC provider were created, whatever the retries
    creates = [r for r in private_moto.requests.since(m) if r["action"] == "POST /clusters" and r.get("status") == 200]
    assert len(creates) == 1
    oidc = [r for r in private_moto.requests.since(m)
            if r["action"] == "CreateOpenIDConnectProvider" and r.get("status") == 200]
    assert len(oidc) == 1
    sleeps = fast_clock.sleeps()
    record_property("aws_retries_%s_%s_%d" % (service, error, count), len(faulted))
    print("\n[reliability] eks_cluster through %d x %s (%s %s): ok, %d backoffs requested (%.1fs unscaled)"
          % (count, error, service, action, len(sleeps), sum(sleeps)))


@pytest.mark.timeout(180)
@pytest.mark.parametrize("error,status", [("Throttling", 400), ("InternalError", 500)])
def test_eks_cluster_fails_clearly_past_the_retry_budget(private_moto, aws, run_module, fast_clock, error, status):
    name = "budget-%s" % uuid.uuid4().hex[:6]
    m = private_moto.requests.mark()
    private_moto.faults([{"service": "eks", "action": "GET /clusters/%s" % name, "count": 1000,
                          "error": error, "status": status}])
    env = dict(private_moto.env(), **fast_clock.env)
    try:
        res = run_module("eks_cluster", _cluster(aws, name), env=env)
    finally:
        private_moto.faults([])
    assert res.get("failed") and res["_rc"] != 0
    assert "Failed to describe cluster %s" % name in res["msg"] and error in res["msg"], res["msg"]
    assert "Traceback" not in res["_stderr"]
    faulted = _faulted(private_moto, m)
    assert len(faulted) == BOTOCORE_ATTEMPTS * AWSRETRY_TRIES
    assert private_moto.requests.mutating(m) == []  # it never got as far as creating anything
    sleeps = fast_clock.sleeps()
    print("\n[reliability] eks_cluster past the budget (%s): %d attempts, %d backoffs (%.0fs unscaled): %s"
          % (error, len(faulted), len(sleeps), sum(sleeps), res["msg"][:160]))


@pytest.mark.timeout(120)
def test_eks_cluster_fails_clearly_when_aws_is_unreachable(aws, run_module, fast_clock):
    """Nothing listens on the endpoint (moto stopped): a clear connection error, no traceback."""
    import socket
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    env = dict(fast_clock.env, AWS_ENDPOINT_URL="http://127.0.0.1:%d" % port, AWS_ACCESS_KEY_ID="testing",
               AWS_SECRET_ACCESS_KEY="testing")
    res = run_module("eks_cluster", _cluster(aws, "unreachable"), env=env)
    assert res.get("failed")
    assert "Could not connect to the endpoint URL" in res["msg"], res["msg"]
    assert "Traceback" not in res["_stderr"]


# ------------------------------------------------------------------------------ eks_pod_iam_role
@pytest.fixture(scope="module")
def node_role(private_moto):
    iam = private_moto.client("iam")
    return iam.create_role(RoleName="pod-test-node", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]


def _pod_role(name, node_role):
    return {"name": name, "trust": {"kube2iam": {"node_role_arns": [node_role]}},
            "inline_policies": {"read-bucket": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::example/*"}]}},
            "tags": {"team": "payments"}}


@pytest.mark.timeout(180)
@pytest.mark.parametrize("action,error,status,count", [
    ("CreateRole", "Throttling", 400, 3),
    ("GetRole", "RequestLimitExceeded", 400, 8),
    ("CreateRole", "Throttling", 400, 8),
    ("PutRolePolicy", "InternalError", 500, 8),
])
def test_eks_pod_iam_role_succeeds_through_transient_errors(private_moto, node_role, run_module, fast_clock, action,
                                                            error, status, count, record_property):
    name = "pod-%s" % uuid.uuid4().hex[:6]
    m = private_moto.requests.mark()
    private_moto.faults([{"service": "iam", "action": action, "count": count, "error": error, "status": status}])
    res = run_module("eks_pod_iam_role", _pod_role(name, node_role), env=dict(private_moto.env(), **fast_clock.env))
    private_moto.faults([])
    assert not res.get("failed"), _summary(res)
    assert res["changed"]
    faulted = _faulted(private_moto, m)
    assert len(faulted) == count, "the module never called %s %d times" % (action, count)
    creates = [r for r in private_moto.requests.since(m) if r["action"] == "CreateRole" and r.get("status") == 200]
    assert len(creates) == 1
    trust = private_moto.client("iam").get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
    principals = [s["Principal"] for s in trust["Statement"]]
    assert principals == [{"AWS": node_role}], principals
    record_property("aws_retries_iam_%s_%s_%d" % (action, error, count), len(faulted))
    print("\n[reliability] eks_pod_iam_role through %d x %s (iam %s): ok, %d backoffs requested"
          % (count, error, action, len(fast_clock.sleeps())))


@pytest.mark.timeout(180)
def test_eks_pod_iam_role_update_succeeds_through_transient_errors(private_moto, node_role, run_module, fast_clock):
    """An existing role whose trust changes (pod identity -> kube2iam): UpdateAssumeRolePolicy is
    answered with 503 eight times, then goes through; the trust is the new one, nothing else."""
    name = "pod-upd-%s" % uuid.uuid4().hex[:6]
    first = run_module("eks_pod_iam_role", dict(_pod_role(name, node_role),
                                                trust={"pod_identity": {"namespace": "app", "service_account": "web"}}),
                       env=private_moto.env())
    assert not first.get("failed"), _summary(first)
    m = private_moto.requests.mark()
    private_moto.faults([{"service": "iam", "action": "UpdateAssumeRolePolicy", "count": 8,
                          "error": "ServiceUnavailable", "status": 503}])
    res = run_module("eks_pod_iam_role", _pod_role(name, node_role), env=dict(private_moto.env(), **fast_clock.env))
    private_moto.faults([])
    assert not res.get("failed"), _summary(res)
    assert res["changed"]
    assert len(_faulted(private_moto, m)) == 8
    updates = [r for r in private_moto.requests.since(m)
               if r["action"] == "UpdateAssumeRolePolicy" and r.get("status") == 200]
    assert len(updates) == 1
    trust = private_moto.client("iam").get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
    assert [s["Principal"] for s in trust["Statement"]] == [{"AWS": node_role}]


@pytest.mark.timeout(180)
def test_eks_pod_iam_role_fails_clearly_past_the_retry_budget(private_moto, node_role, run_module, fast_clock):
    name = "pod-budget-%s" % uuid.uuid4().hex[:6]
    m = private_moto.requests.mark()
    private_moto.faults([{"service": "iam", "action": "GetRole", "count": 1000, "error": "Throttling",
                          "status": 400}])
    try:
        res = run_module("eks_pod_iam_role", _pod_role(name, node_role),
                         env=dict(private_moto.env(), **fast_clock.env))
    finally:
        private_moto.faults([])
    assert res.get("failed") and "Throttling" in res["msg"], _summary(res)
    assert "Traceback" not in res["_stderr"]
    assert private_moto.requests.mutating(m) == []
    print("\n[reliability] eks_pod_iam_role past the budget: %d attempts: %s"
          % (len(_faulted(private_moto, m)), res["msg"][:160]))
