"""hardened.eks.eks_pod_iam_role against moto in server mode, as real module processes and
playbooks.

These tests run on a *private* moto (scripts/moto_server.py on its own port, with its own request
log and fault file), started once for this file: they count every AWS call a run makes and prove
that refusals and check mode make none, or no write. On the session's shared moto other
engineers' tests make IAM calls at the same time, and IAM's query protocol carries no role name
the request log could filter on, so those counts would be flaky there. Everything else is the
session's sandbox (run_module, run_playbook, the collection path).

moto facts used: IAM is complete (OIDC providers included) and GetRole omits ``Tags`` when a role
has none, like AWS; EKS clusters are ACTIVE at once with an ``identity.oidc.issuer`` (moto gives
every cluster the same issuer); no pod identity associations.
"""
import json
import time

import pytest


MODULE = "eks_pod_iam_role"
ACCOUNT = "123456789012"
READ_ONLY = ("GetRole", "ListAttachedRolePolicies", "ListRolePolicies", "GetRolePolicy", "ListRoleTags",
             "ListInstanceProfilesForRole", "GetOpenIDConnectProvider", "GetCallerIdentity", "GET /clusters/{}")


@pytest.fixture(scope="module")
def aws(moto):
    iam = moto.client("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    nodes = [iam.create_role(RoleName=n, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
             for n in ("nodes-a", "nodes-b")]
    doc = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]})
    policies = [iam.create_policy(PolicyName=n, PolicyDocument=doc)["Policy"]["Arn"]
                for n in ("pods-base", "pods-extra", "pods-boundary")]
    return {"iam": iam, "nodes": nodes, "policies": policies}


@pytest.fixture
def run(run_module, moto):
    def _run(params, check=False, diff=False, env=None):
        e = moto.env()
        e.update(env or {})
        return run_module(MODULE, params, check=check, diff=diff, env=e)
    return _run


def calls(moto, mark):
    return [r["action"] for r in moto.requests.since(mark)]


def writes(moto, mark):
    return [r["action"] for r in moto.requests.mutating(mark)]


def oidc_provider(moto, uid):
    issuer = "oidc.eks.us-east-1.amazonaws.com/id/%s" % uid.upper()
    arn = moto.client("iam").create_open_id_connect_provider(
        Url="https://" + issuer, ClientIDList=["sts.amazonaws.com"],
        ThumbprintList=["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"])["OpenIDConnectProviderArn"]
    return issuer, arn


INLINE = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]}]}


def k2i(aws, name, **kw):
    p = {"name": name, "trust": {"kube2iam": {"node_role_arns": [aws["nodes"][0]]}},
         "managed_policy_arns": [aws["policies"][0]], "inline_policies": {"read": INLINE}}
    p.update(kw)
    return p


def trust_of(aws, name):
    return aws["iam"].get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]


# ------------------------------------------------------------------------------ each trust kind
def test_kube2iam_check_mode_real_run_and_idempotent_rerun(aws, moto, run, uid):
    name = "k2i-%s" % uid
    params = k2i(aws, name, tags={"team": "payments"}, description="payments pods")
    m = moto.requests.mark()
    pred = run(params, check=True, diff=True)
    assert not pred.get("failed"), pred.get("msg")
    assert pred["changed"] and writes(moto, m) == [], "check mode wrote"
    assert calls(moto, m) == ["GetRole", "GetCallerIdentity"]

    m = moto.requests.mark()
    res = run(params, diff=True)
    assert res["changed"] and not res.get("failed"), res.get("msg")
    assert calls(moto, m) == ["GetRole", "CreateRole", "PutRolePolicy", "AttachRolePolicy"]
    arn = "arn:aws:iam::%s:role/%s" % (ACCOUNT, name)
    assert res["arn"] == arn == pred["arn"]
    for key in ("trust_policy", "annotations", "managed_policy_arns", "inline_policy_names", "tags", "description",
                "max_session_duration", "path"):
        assert pred[key] == res[key], key
    assert res["annotations"] == {"pod": {"iam.amazonaws.com/role": arn}}
    assert pred["diff"] == res["diff"] and res["diff"]["before"] == {}
    trust = trust_of(aws, name)
    assert trust["Statement"] == [{"Sid": "Kube2iamNodeRoles", "Effect": "Allow",
                                   "Principal": {"AWS": aws["nodes"][0]}, "Action": "sts:AssumeRole"}]
    role = aws["iam"].get_role(RoleName=name)["Role"]
    assert role["Description"] == "payments pods" and role["Tags"] == [{"Key": "team", "Value": "payments"}]
    assert aws["iam"].get_role_policy(RoleName=name, PolicyName="read")["PolicyDocument"] == INLINE

    m = moto.requests.mark()
    again = run(params)
    assert not again["changed"] and not again.get("failed")
    # the converged budget: GetRole (tags included), one list per managed kind, one read per inline policy
    assert calls(moto, m) == ["GetRole", "ListAttachedRolePolicies", "ListRolePolicies", "GetRolePolicy"]
    assert again["trust_policy"] == res["trust_policy"] and again["arn"] == arn


def test_irsa_with_provider_arn_exact_and_wildcard(aws, moto, run, uid):
    issuer, provider = oidc_provider(moto, uid)
    name = "irsa-%s" % uid
    res = run({"name": name, "path": "/pods/", "trust": {"irsa": {
        "oidc_provider_arn": provider, "namespace": "payments", "service_account": "api"}}})
    assert res["changed"], res.get("msg")
    arn = "arn:aws:iam::%s:role/pods/%s" % (ACCOUNT, name)
    assert res["arn"] == arn and res["annotations"] == {"service_account": {"eks.amazonaws.com/role-arn": arn}}
    (st,) = trust_of(aws, name)["Statement"]
    assert st["Principal"] == {"Federated": provider} and st["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert st["Condition"] == {"StringEquals": {issuer + ":sub": "system:serviceaccount:payments:api",
                                                issuer + ":aud": "sts.amazonaws.com"}}

    res = run({"name": name, "path": "/pods/", "trust": {"irsa": {
        "oidc_provider_arn": provider, "namespace": "payments", "service_account": "batch-*"}}})
    assert res["changed"]
    (st,) = trust_of(aws, name)["Statement"]
    assert st["Condition"] == {"StringEquals": {issuer + ":aud": "sts.amazonaws.com"},
                               "StringLike": {issuer + ":sub": "system:serviceaccount:payments:batch-*"}}


def _eks_cluster(moto, aws, name):
    ec2 = moto.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.42.%d.0/24" % i, AvailabilityZone=az)["Subnet"]["SubnetId"]
               for i, az in enumerate(["us-east-1a", "us-east-1b"])]
    cluster = moto.client("eks").create_cluster(name=name, roleArn=aws["nodes"][1],
                                                resourcesVpcConfig={"subnetIds": subnets})["cluster"]
    return cluster["identity"]["oidc"]["issuer"].replace("https://", "")


def test_irsa_with_cluster_name_finds_the_provider_or_fails_clearly(aws, moto, run, uid):
    cluster, name = "c-%s" % uid, "irsa-c-%s" % uid
    issuer = _eks_cluster(moto, aws, cluster)
    provider = "arn:aws:iam::%s:oidc-provider/%s" % (ACCOUNT, issuer)
    params = {"name": name, "trust": {"irsa": {"cluster_name": cluster, "namespace": "kube-system",
                                               "service_account": "aws-node"}}}
    iam = aws["iam"]
    if any(p["Arn"] == provider for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]):
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=provider)  # moto: one issuer for all clusters

    m = moto.requests.mark()
    res = run(params)
    assert res.get("failed") and "has no IAM OIDC provider %s" % provider in res["msg"], res.get("msg")
    assert "Traceback" not in res["_stderr"]
    assert writes(moto, m) == []

    res = run(dict(params, trust={"irsa": dict(params["trust"]["irsa"], cluster_name="nope-%s" % uid)}))
    assert res.get("failed") and "EKS cluster nope-%s does not exist" % uid in res["msg"]

    iam.create_open_id_connect_provider(Url="https://" + issuer, ClientIDList=["sts.amazonaws.com"],
                                        ThumbprintList=["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"])
    try:
        res = run(params)
        assert res["changed"] and not res.get("failed"), res.get("msg")
        (st,) = trust_of(aws, name)["Statement"]
        assert st["Principal"] == {"Federated": provider}
        assert st["Condition"]["StringEquals"][issuer + ":sub"] == "system:serviceaccount:kube-system:aws-node"
        m = moto.requests.mark()
        assert not run(params)["changed"]
        assert calls(moto, m) == ["GET /clusters/%s" % cluster, "GetOpenIDConnectProvider", "GetRole"]
    finally:
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=provider)


def test_pod_identity(aws, moto, run, uid):
    name = "pi-%s" % uid
    res = run({"name": name, "trust": {"pod_identity": {"namespace": "reports", "service_account": "reports"}}})
    assert res["changed"] and res["annotations"] == {}
    (st,) = trust_of(aws, name)["Statement"]
    assert st["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert sorted(st["Action"]) == ["sts:AssumeRole", "sts:TagSession"]
    assert st["Condition"] == {"StringEquals": {"aws:RequestTag/kubernetes-namespace": "reports",
                                                "aws:RequestTag/kubernetes-service-account": "reports"}}
    res = run({"name": name, "trust": {"pod_identity": {}}})
    assert res["changed"] and "Condition" not in trust_of(aws, name)["Statement"][0]


def test_all_three_then_migrate_off_kube2iam_without_a_gap(aws, moto, run, uid):
    _issuer, provider = oidc_provider(moto, uid)
    name = "mig-%s" % uid
    kube2iam = {"node_role_arns": aws["nodes"]}
    irsa = {"oidc_provider_arn": provider, "namespace": "payments", "service_account": "api"}
    pod_identity = {"namespace": "payments", "service_account": "api"}
    assert run({"name": name, "trust": {"kube2iam": kube2iam}})["changed"]

    m = moto.requests.mark()
    res = run({"name": name, "trust": {"kube2iam": kube2iam, "irsa": irsa, "pod_identity": pod_identity}}, diff=True)
    assert res["changed"]
    assert writes(moto, m) == ["UpdateAssumeRolePolicy"]  # one atomic trust replacement
    assert [s["Sid"] for s in res["diff"]["before"]["trust_policy"]["Statement"]] == ["Kube2iamNodeRoles"]
    assert [s["Sid"] for s in res["diff"]["after"]["trust_policy"]["Statement"]] == [
        "Kube2iamNodeRoles", "IrsaServiceAccount", "EksPodIdentity"]
    arn = res["arn"]
    assert res["annotations"] == {"pod": {"iam.amazonaws.com/role": arn},
                                  "service_account": {"eks.amazonaws.com/role-arn": arn}}
    principals = [s["Principal"] for s in trust_of(aws, name)["Statement"]]
    assert {"AWS": sorted(aws["nodes"])} in principals and {"Federated": provider} in principals
    assert {"Service": "pods.eks.amazonaws.com"} in principals
    assert not run({"name": name, "trust": {"kube2iam": kube2iam, "irsa": irsa, "pod_identity": pod_identity}})[
        "changed"]

    res = run({"name": name, "trust": {"irsa": irsa, "pod_identity": pod_identity}})
    assert res["changed"] and res["annotations"] == {"service_account": {"eks.amazonaws.com/role-arn": arn}}
    assert [s["Sid"] for s in trust_of(aws, name)["Statement"]] == ["IrsaServiceAccount", "EksPodIdentity"]


# ------------------------------------------------------------------------- converging existing roles
def test_semantically_equal_trust_written_elsewhere_is_not_rewritten(aws, moto, run, uid):
    name = "sem-%s" % uid
    nodes = aws["nodes"]
    # the same trust and policy, written by hand: other order, one-item lists, no Version default
    aws["iam"].create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Action": ["sts:TagSession", "sts:AssumeRole"], "Principal": {"Service": ["pods.eks.amazonaws.com"]},
         "Effect": "Allow", "Sid": "EksPodIdentity"},
        {"Action": ["sts:AssumeRole"], "Effect": "Allow", "Principal": {"AWS": [nodes[1], nodes[0]]},
         "Sid": "Kube2iamNodeRoles"}]}))
    aws["iam"].put_role_policy(RoleName=name, PolicyName="read", PolicyDocument=json.dumps({
        "Statement": [{"Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::b"], "Effect": "Allow",
                       "Action": ["s3:ListBucket", "s3:GetObject"]}], "Version": "2012-10-17"}))
    m = moto.requests.mark()
    res = run({"name": name, "trust": {"kube2iam": {"node_role_arns": nodes}, "pod_identity": {}},
               "inline_policies": {"read": json.dumps(INLINE)}})
    assert not res.get("failed"), res.get("msg")
    assert not res["changed"] and writes(moto, m) == []


def test_drift_is_converged_everything_at_once(aws, moto, run, uid):
    name = "drift-%s" % uid
    base, extra, boundary = aws["policies"]
    params = k2i(aws, name, description="d1", tags={"team": "a"}, max_session_duration=3600,
                 permissions_boundary=boundary)
    assert run(params)["changed"]
    iam = aws["iam"]
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": aws["nodes"][1]}, "Action": "sts:AssumeRole"}]}))
    iam.update_role(RoleName=name, Description="changed by hand", MaxSessionDuration=7200)
    iam.delete_role_permissions_boundary(RoleName=name)
    iam.attach_role_policy(RoleName=name, PolicyArn=extra)
    iam.put_role_policy(RoleName=name, PolicyName="stray", PolicyDocument=json.dumps(INLINE))
    iam.put_role_policy(RoleName=name, PolicyName="read", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    iam.tag_role(RoleName=name, Tags=[{"Key": "team", "Value": "b"}, {"Key": "stray", "Value": "x"}])

    m = moto.requests.mark()
    pred = run(params, check=True, diff=True)
    assert pred["changed"] and writes(moto, m) == []
    m = moto.requests.mark()
    res = run(params, diff=True)
    assert res["changed"]
    assert sorted(writes(moto, m)) == sorted([
        "UpdateAssumeRolePolicy", "UpdateRole", "PutRolePermissionsBoundary", "PutRolePolicy", "DetachRolePolicy",
        "DeleteRolePolicy", "TagRole", "UntagRole"])
    assert pred["diff"] == res["diff"]
    assert sorted(res["diff"]["before"]["inline_policies"]) == ["read", "stray"]
    assert sorted(res["diff"]["after"]["inline_policies"]) == ["read"]
    role = iam.get_role(RoleName=name)["Role"]
    assert role["Description"] == "d1" and role["MaxSessionDuration"] == 3600
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary
    assert role["Tags"] == [{"Key": "team", "Value": "a"}]
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]] == [base]
    assert iam.list_role_policies(RoleName=name)["PolicyNames"] == ["read"]
    assert iam.get_role_policy(RoleName=name, PolicyName="read")["PolicyDocument"] == INLINE
    assert trust_of(aws, name)["Statement"][0]["Principal"] == {"AWS": aws["nodes"][0]}
    assert not run(params)["changed"]


# ------------------------------------------------------------------------------------ refusals
def _refusals(aws):
    node = aws["nodes"][0]
    ok = {"kube2iam": {"node_role_arns": [node]}}
    bad_doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]}
    return {
        "star principal": ({"trust": {"kube2iam": {"node_role_arns": ["*"]}}}, "node_role_arns[0]"),
        "account root": ({"trust": {"kube2iam": {"node_role_arns": ["arn:aws:iam::%s:root" % ACCOUNT]}}},
                         "node_role_arns[0]"),
        "empty trust": ({"trust": {}}, "give at least one of kube2iam, irsa, pod_identity"),
        "irsa everyone": ({"trust": {"irsa": {"oidc_provider_arn": "arn:aws:iam::%s:oidc-provider/oidc.example.com"
                                              % ACCOUNT, "namespace": "*", "service_account": "*"}}},
                          "every service account"),
        "bad provider arn": ({"trust": {"irsa": {"oidc_provider_arn": node, "namespace": "a",
                                                 "service_account": "b"}}}, "not an IAM OIDC provider ARN"),
        "bad managed arn": ({"trust": ok, "managed_policy_arns": ["ReadOnlyAccess"]}, "managed_policy_arns[0]"),
        "bad boundary": ({"trust": ok, "permissions_boundary": "arn:aws:iam::aws:role/x"}, "permissions_boundary"),
        "policy without Resource": ({"trust": ok, "inline_policies": {"p": bad_doc}},
                                    "exactly one of Resource and NotResource"),
        "policy not JSON": ({"trust": ok, "inline_policies": {"p": "{\"Version\": "}}, "not valid policy JSON"),
        "policy without Version": ({"trust": ok, "inline_policies": {"p": {"Statement": INLINE["Statement"]}}},
                                   "Version must be"),
        "policy with a Principal": ({"trust": ok, "inline_policies": {"p": {"Version": "2012-10-17", "Statement": [
            dict(INLINE["Statement"][0], Principal="*")]}}}, "names no Principal"),
        "pasted trust document": ({"trust": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": node}, "Action": "sts:AssumeRole"}]}},
            "got an IAM trust policy document (Statement, Version); this module writes the document itself"),
    }


@pytest.mark.parametrize("case", sorted(_refusals({"nodes": ["arn:aws:iam::%s:role/n" % ACCOUNT]})))
def test_refusals_happen_before_any_aws_call(aws, moto, run, uid, case):
    params, needle = _refusals(aws)[case]
    m = moto.requests.mark()
    res = run(dict(params, name="ref-%s" % uid))
    assert res.get("failed") and needle in res["msg"], (case, res.get("msg"))
    assert "Traceback" not in res["_stderr"]
    assert calls(moto, m) == [], "a refused task called AWS"


# ---------------------------------------------------------------------------------- state absent
def test_absent_deletes_policies_profiles_and_role(aws, moto, run, uid):
    name = "gone-%s" % uid
    assert run(k2i(aws, name, inline_policies={"read": INLINE, "more": INLINE}))["changed"]
    iam = aws["iam"]
    iam.create_instance_profile(InstanceProfileName=name)
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
    iam.create_instance_profile(InstanceProfileName="other-" + name)
    iam.add_role_to_instance_profile(InstanceProfileName="other-" + name, RoleName=name)

    m = moto.requests.mark()
    pred = run({"name": name, "state": "absent"}, check=True, diff=True)
    assert pred["changed"] and writes(moto, m) == []
    assert pred["diff"]["after"] == {} and sorted(pred["diff"]["before"]["inline_policies"]) == ["more", "read"]

    m = moto.requests.mark()
    res = run({"name": name, "state": "absent"})
    assert res["changed"] and res["arn"].endswith(":role/" + name)
    assert writes(moto, m) == ["RemoveRoleFromInstanceProfile", "DeleteInstanceProfile",
                               "RemoveRoleFromInstanceProfile", "DetachRolePolicy", "DeleteRolePolicy",
                               "DeleteRolePolicy", "DeleteRole"]
    names = [p["InstanceProfileName"] for p in iam.list_instance_profiles()["InstanceProfiles"]]
    assert name not in names and "other-" + name in names
    assert iam.get_instance_profile(InstanceProfileName="other-" + name)["InstanceProfile"]["Roles"] == []

    m = moto.requests.mark()
    again = run({"name": name, "state": "absent"})
    assert not again["changed"] and not again.get("failed")
    assert calls(moto, m) == ["GetRole"]


# ---------------------------------------------------------------------------------- throttling
def test_throttling_from_aws_is_retried(aws, moto, run, uid):
    """The private moto's wrapper answers the first GetRole and CreateRole calls with Throttling,
    six times each: more than botocore's own five attempts, so the module's
    AWSRetry.jittered_backoff has to retry too (the in-process Stubber test in
    tests/unit/test_iam_trust.py counts those backoffs exactly)."""
    name = "thr-%s" % uid
    m = moto.requests.mark()
    moto.faults([{"service": "iam", "action": "GetRole", "count": 6, "error": "Throttling", "status": 400},
                 {"service": "iam", "action": "CreateRole", "count": 6, "error": "Throttling", "status": 400}])
    try:
        res = run({"name": name, "trust": {"kube2iam": {"node_role_arns": [aws["nodes"][0]]}}})
    finally:
        moto.faults([])
    assert not res.get("failed"), res.get("msg")
    assert res["changed"]
    log = moto.requests.since(m)
    assert [r["action"] for r in log if r.get("fault")] == ["GetRole"] * 6 + ["CreateRole"] * 6
    assert [(r["action"], r.get("status")) for r in log if not r.get("fault")] == [("GetRole", 404),
                                                                                   ("CreateRole", 200)]


# ------------------------------------------------------------------------ many roles, a playbook loop
PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Pod roles
      hardened.eks.eks_pod_iam_role:
        name: "{{ item.name }}"
        trust: "{{ item.trust }}"
        managed_policy_arns: "{{ item.managed_policy_arns }}"
        inline_policies: "{{ item.inline_policies }}"
        tags: "{{ item.tags }}"
      loop: "{{ pod_roles }}"
      loop_control:
        label: "{{ item.name }}"
"""


def _many(aws, moto, run_playbook, uid, n):
    roles = [{"name": "many-%s-%03d" % (uid, i),
              "trust": {"kube2iam": {"node_role_arns": [aws["nodes"][i % 2]]},
                        "pod_identity": {"namespace": "ns-%d" % (i % 7), "service_account": "sa-%d" % i}},
              "managed_policy_arns": [aws["policies"][0]],
              "inline_policies": {"app": {"Version": "2012-10-17", "Statement": [
                  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket-%d/*" % i}]}},
              "tags": {"app": "app-%d" % i}} for i in range(n)]
    env = moto.env()

    m = moto.requests.mark()
    t0 = time.monotonic()
    rc, out = run_playbook(PLAY, extra_vars={"pod_roles": roles}, env=env)
    create_s = time.monotonic() - t0
    assert rc == 0, out[-4000:]
    assert out.count("changed: [localhost] => (item=") == n, out[-2000:]
    created = [r["action"] for r in moto.requests.since(m)]
    assert created.count("CreateRole") == n

    m = moto.requests.mark()
    t0 = time.monotonic()
    rc, out = run_playbook(PLAY, extra_vars={"pod_roles": roles}, env=env)
    converge_s = time.monotonic() - t0
    assert rc == 0, out[-4000:]
    assert out.count("ok: [localhost] => (item=") == n and "changed: [" not in out, out[-2000:]
    log = moto.requests.since(m)
    assert moto.requests.mutating(m) == [], "a converged re-run wrote"
    per_role = len(log) / float(n)
    actions = sorted(set(r["action"] for r in log))
    assert per_role == 4 and actions == ["GetRole", "GetRolePolicy", "ListAttachedRolePolicies", "ListRolePolicies"]
    print("\n[eks_pod_iam_role] %d roles: create %.1fs (%.2fs/role), converged re-run %.1fs (%.2fs/role), "
          "%.1f AWS calls per converged role (%s), %d calls per created role"
          % (n, create_s, create_s / n, converge_s, converge_s / n, per_role, ", ".join(actions), len(created) // n))
    return create_s, converge_s, per_role


@pytest.mark.slow
def test_many_roles_by_a_playbook_loop(aws, moto, run_playbook, uid, record_property):
    """30 roles in the default run (two passes take about a minute); 200 in the bench-marked test below."""
    create_s, converge_s, per_role = _many(aws, moto, run_playbook, uid, 30)
    record_property("pod_roles_30_create_s", round(create_s, 1))
    record_property("pod_roles_30_converge_s", round(converge_s, 1))


@pytest.mark.bench
@pytest.mark.timeout(1800)
def test_200_roles_by_a_playbook_loop(aws, moto, run_playbook, uid, request, record_property):
    if "bench" not in (request.config.getoption("-m") or ""):
        pytest.skip("benchmark-sized (200 roles, several minutes): run with -m bench")
    create_s, converge_s, per_role = _many(aws, moto, run_playbook, uid, 200)
    record_property("pod_roles_200_create_s", round(create_s, 1))
    record_property("pod_roles_200_converge_s", round(converge_s, 1))


# ------------------------------------------------------------------------------ batches (roles:)
def test_a_batch_converges_in_one_process_with_the_single_role_reads(aws, moto, run, uid):
    """Five roles in one task: check mode predicts them all (one caller-identity read for the
    batch) and writes nothing; the run creates them; the converged re-run makes exactly the
    four reads per role a single converged role makes, and writes nothing."""
    names = ["batch-%s-%d" % (uid, i) for i in range(5)]
    roles = [k2i(aws, n, tags={"team": "t%d" % i}) for i, n in enumerate(names)]
    m = moto.requests.mark()
    pred = run({"roles": roles, "concurrency": 3}, check=True, diff=True)
    assert pred["changed"] and not pred.get("failed"), pred.get("msg")
    assert writes(moto, m) == [] and sorted(calls(moto, m)) == sorted(["GetRole"] * 5 + ["GetCallerIdentity"])
    assert [r["role_name"] for r in pred["roles"]] == names and all(r["changed"] for r in pred["roles"])
    assert set(pred["diff"]["after"]) == set(names) and all(v == {} for v in pred["diff"]["before"].values())

    m = moto.requests.mark()
    res = run({"roles": roles, "concurrency": 3})
    assert res["changed"] and not res.get("failed"), res.get("msg")
    assert sorted(writes(moto, m)) == sorted(["CreateRole", "PutRolePolicy", "AttachRolePolicy"] * 5)
    for r, p in zip(res["roles"], pred["roles"]):
        assert r["arn"] == p["arn"] == "arn:aws:iam::%s:role/%s" % (ACCOUNT, r["role_name"])
        assert r["annotations"] == {"pod": {"iam.amazonaws.com/role": r["arn"]}} and r["state"] == "present"
    assert aws["iam"].get_role(RoleName=names[3])["Role"]["Tags"] == [{"Key": "team", "Value": "t3"}]

    m = moto.requests.mark()
    again = run({"roles": roles})
    assert not again["changed"] and not any(r["changed"] for r in again["roles"])
    assert sorted(calls(moto, m)) == sorted(["GetRole", "ListAttachedRolePolicies", "ListRolePolicies",
                                             "GetRolePolicy"] * 5)

    # one role changed, one removed, the others left alone
    roles[1] = k2i(aws, names[1], tags={"team": "t1"}, managed_policy_arns=[aws["policies"][1]])
    roles[4] = {"name": names[4], "state": "absent"}
    m = moto.requests.mark()
    res = run({"roles": roles})
    assert res["changed"] and [r["changed"] for r in res["roles"]] == [False, True, False, False, True]
    assert sorted(writes(moto, m)) == sorted(["AttachRolePolicy", "DetachRolePolicy", "DeleteRolePolicy",
                                              "DetachRolePolicy", "DeleteRole"])
    assert [p["PolicyArn"] for p in aws["iam"].list_attached_role_policies(RoleName=names[1])["AttachedPolicies"]] \
        == [aws["policies"][1]]


def test_a_batch_is_refused_whole_before_any_call_naming_each_item(aws, moto, run, uid):
    node = aws["nodes"][0]
    m = moto.requests.mark()
    res = run({"roles": [
        k2i(aws, "ok-%s" % uid),
        {"name": "no-trust-%s" % uid},
        {"name": "wild-%s" % uid, "trust": {"kube2iam": {"node_role_arns": ["*"]}}},
        {"name": "typo-%s" % uid, "trust": {"kube2iam": {"node_role_arns": [node]}}, "purge_polices": True},
        {"name": "OK-%s" % uid, "trust": {"kube2iam": {"node_role_arns": [node]}}},
        {"name": "shape-%s" % uid, "trust": True}]})
    assert res.get("failed") and calls(moto, m) == [], res
    problems = res["problems"]
    assert problems[0].startswith("roles[1] (no-trust-%s): trust: give at least one of kube2iam" % uid)
    assert problems[1].startswith("roles[2] (wild-%s): trust.kube2iam.node_role_arns" % uid), problems
    assert any(p.startswith("roles[3] (typo-%s): " % uid) and "purge_polices" in p for p in problems)
    assert "roles[4] (OK-%s): role OK-%s is listed twice (also at roles[0])" % (uid, uid) in problems
    assert "roles[5] (shape-%s): trust must be a dictionary, got bool" % uid in problems
    assert len(problems) == 5


def test_a_batch_with_single_role_options_or_bad_concurrency_is_refused(aws, moto, run, uid):
    m = moto.requests.mark()
    res = run({"roles": [k2i(aws, "x-%s" % uid)], "path": "/pods/"})
    assert res.get("failed") and "mutually exclusive" in res["msg"] and "roles|path" in res["msg"], res["msg"]
    res = run({"roles": [k2i(aws, "x-%s" % uid)], "concurrency": 0})
    assert res.get("failed") and "concurrency: 0 is not between 1 and 16" in res["msg"], res["msg"]
    assert calls(moto, m) == []


def test_one_failing_role_does_not_stop_the_others(aws, moto, run, uid):
    """A role whose IRSA cluster does not exist fails alone: the others are converged, and the
    failure names the item."""
    good = ["fine-%s-%d" % (uid, i) for i in range(3)]
    roles = [k2i(aws, n) for n in good]
    roles.insert(1, {"name": "irsa-gone-%s" % uid, "trust": {"irsa": {
        "cluster_name": "no-such-cluster-%s" % uid, "namespace": "a", "service_account": "b"}}})
    res = run({"roles": roles})
    assert res.get("failed") and res["changed"], res
    assert res["failures"] == ["roles[1] (irsa-gone-%s): trust.irsa.cluster_name: EKS cluster no-such-cluster-%s "
                               "does not exist" % (uid, uid)]
    assert [r["role_name"] for r in res["roles"]] == good
    for n in good:
        assert aws["iam"].get_role(RoleName=n)["Role"]["RoleName"] == n


def test_purge_path_deletes_only_unlisted_roles_under_that_exact_path(aws, moto, run, uid):
    """Roles under the batch's own path that the batch and keep do not name are deleted; a role
    under a deeper path, one at the root, and a kept one stay. Check mode predicts the deletion."""
    path = "/pods-%s/" % uid
    listed, gone, kept = "listed-%s" % uid, "gone-%s" % uid, "kept-%s" % uid
    for name, where in ((listed, path), (gone, path), (kept, path), ("deeper-%s" % uid, path + "x/"),
                        ("root-%s" % uid, "/")):
        assert not run(k2i(aws, name, path=where)).get("failed")
    batch = {"roles": [k2i(aws, listed, path=path)], "purge_path": path, "keep": [kept.upper()]}
    m = moto.requests.mark()
    pred = run(batch, check=True)
    assert pred["changed"] and writes(moto, m) == [], pred.get("msg")
    expected = [(listed, "present", False), (gone, "absent", True)]
    assert [(r["role_name"], r["state"], r["changed"]) for r in pred["roles"]] == expected
    res = run(batch)
    assert res["changed"] and [r["role_name"] for r in res["roles"] if r["state"] == "absent"] == [gone]
    left = sorted(r["RoleName"] for r in aws["iam"].list_roles()["Roles"] if uid in r["RoleName"])
    assert left == sorted([listed, kept, "deeper-%s" % uid, "root-%s" % uid])
    m = moto.requests.mark()
    again = run(batch)
    assert not again["changed"] and writes(moto, m) == []
    assert calls(moto, m).count("ListRoles") == 1

    res = run({"roles": [], "purge_path": "/"})
    assert res.get("failed") and "purge_path: / would take every role" in res["msg"], res.get("msg")
