"""Unit tests of the pure logic of eks_pod_iam_role (module_utils/iam_trust.py): trust documents,
validation, semantic comparison and the plan; plus the module's retry path on throttling,
in-process with botocore's Stubber (moto cannot answer Throttling on its own)."""
import contextlib
import copy
import io
import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.hardened.eks.plugins.module_utils import iam_trust as t
from ansible_collections.hardened.eks.plugins.module_utils.iam_trust import TrustError

ACCOUNT = "123456789012"
NODE = "arn:aws:iam::%s:role/prod-nodes" % ACCOUNT
NODE2 = "arn:aws:iam::%s:role/eks/spot-nodes" % ACCOUNT
ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/5C5E0F4E0A1B2C3D4E5F60718293A4B5"
PROVIDER = "arn:aws:iam::%s:oidc-provider/%s" % (ACCOUNT, ISSUER)
READ = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]}]}


def params(**kw):
    p = {"name": "app", "path": "/", "state": "present", "trust": {"kube2iam": {"node_role_arns": [NODE]}},
         "description": None, "managed_policy_arns": None, "inline_policies": None, "purge_policies": True,
         "permissions_boundary": None, "max_session_duration": None, "tags": None, "purge_tags": True}
    p.update(kw)
    return p


def problems_of(**kw):
    with pytest.raises(TrustError) as e:
        t.validate_params(params(**kw))
    return e.value.problems


# --------------------------------------------------------------------------------- trust documents
def test_kube2iam_trust_names_the_node_roles():
    doc = t.build_trust_document({"kube2iam": {"node_role_arns": [NODE]}})
    assert doc == {"Version": "2012-10-17", "Statement": [
        {"Sid": "Kube2iamNodeRoles", "Effect": "Allow", "Principal": {"AWS": NODE}, "Action": "sts:AssumeRole"}]}
    doc = t.build_trust_document({"kube2iam": {"node_role_arns": [NODE2, NODE, NODE2]}})
    assert doc["Statement"][0]["Principal"] == {"AWS": sorted([NODE, NODE2])}


def test_irsa_trust_exact_service_account():
    doc = t.build_trust_document({"irsa": {"oidc_provider_arn": PROVIDER, "namespace": "payments",
                                           "service_account": "api"}})
    (st_,) = doc["Statement"]
    assert st_["Principal"] == {"Federated": PROVIDER}
    assert st_["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert st_["Condition"] == {"StringEquals": {ISSUER + ":sub": "system:serviceaccount:payments:api",
                                                 ISSUER + ":aud": "sts.amazonaws.com"}}


@pytest.mark.parametrize("ns,sa", [("payments", "*"), ("team-*", "api"), ("*", "api")])
def test_irsa_trust_wildcards_use_string_like_for_sub_only(ns, sa):
    doc = t.build_trust_document({"irsa": {"oidc_provider_arn": PROVIDER, "namespace": ns, "service_account": sa}})
    cond = doc["Statement"][0]["Condition"]
    assert cond == {"StringEquals": {ISSUER + ":aud": "sts.amazonaws.com"},
                    "StringLike": {ISSUER + ":sub": "system:serviceaccount:%s:%s" % (ns, sa)}}


def test_pod_identity_trust():
    doc = t.build_trust_document({"pod_identity": {"namespace": None, "service_account": None}})
    assert doc["Statement"] == [{"Sid": "EksPodIdentity", "Effect": "Allow",
                                 "Principal": {"Service": "pods.eks.amazonaws.com"},
                                 "Action": ["sts:AssumeRole", "sts:TagSession"]}]
    doc = t.build_trust_document({"pod_identity": {"namespace": "reports", "service_account": "job-*"}})
    assert doc["Statement"][0]["Condition"] == {
        "StringEquals": {"aws:RequestTag/kubernetes-namespace": "reports"},
        "StringLike": {"aws:RequestTag/kubernetes-service-account": "job-*"}}


def test_pod_identity_trust_of_one_cluster_carries_the_confused_deputy_conditions():
    cluster = "arn:aws-cn:eks:cn-north-1:111122223333:cluster/prod"
    trust = {"pod_identity": {"namespace": "shop", "service_account": "web", "cluster_arn": cluster}}
    desired = t.validate_params(params(trust=trust))
    (st,) = t.build_trust_document(desired["trust"])["Statement"]
    assert st["Condition"] == {"StringEquals": {"aws:SourceAccount": "111122223333",
                                                "aws:RequestTag/eks-cluster-arn": cluster,
                                                "aws:RequestTag/kubernetes-namespace": "shop",
                                                "aws:RequestTag/kubernetes-service-account": "web"}}
    with pytest.raises(t.TrustError, match="trust.pod_identity.cluster_arn: 'prod' is not an EKS cluster ARN"):
        t.validate_params(params(trust={"pod_identity": {"cluster_arn": "prod"}}))


def test_all_three_together_for_a_migration():
    desired = t.validate_params(params(trust={
        "kube2iam": {"node_role_arns": [NODE]},
        "irsa": {"oidc_provider_arn": PROVIDER, "namespace": "payments", "service_account": "api"},
        "pod_identity": {"namespace": "payments", "service_account": "api"}}))
    doc = t.build_trust_document(desired["trust"])
    assert [s["Sid"] for s in doc["Statement"]] == ["Kube2iamNodeRoles", "IrsaServiceAccount", "EksPodIdentity"]
    assert t.open_trust_problems(doc) == []
    arn = "arn:aws:iam::%s:role/app" % ACCOUNT
    assert t.annotations_for(arn, desired["trust"]) == {
        "pod": {"iam.amazonaws.com/role": arn}, "service_account": {"eks.amazonaws.com/role-arn": arn}}


def test_irsa_with_cluster_name_uses_the_looked_up_provider():
    desired = t.validate_params(params(trust={"irsa": {"cluster_name": "prod", "namespace": "a",
                                                       "service_account": "b"}}))
    doc = t.build_trust_document(desired["trust"], PROVIDER)
    assert doc["Statement"][0]["Principal"] == {"Federated": PROVIDER}


def test_provider_arn_for_cluster():
    cluster = {"name": "prod", "arn": "arn:aws:eks:eu-west-1:%s:cluster/prod" % ACCOUNT,
               "identity": {"oidc": {"issuer": "https://" + ISSUER}}}
    assert t.provider_arn_for_cluster(cluster) == PROVIDER
    cn = dict(cluster, arn="arn:aws-cn:eks:cn-north-1:%s:cluster/prod" % ACCOUNT)
    assert t.provider_arn_for_cluster(cn).startswith("arn:aws-cn:iam::")
    with pytest.raises(TrustError, match="no OIDC issuer"):
        t.provider_arn_for_cluster(dict(cluster, identity={}))
    assert t.issuer_of_provider(PROVIDER) == ISSUER


def test_annotations_fit_the_trusts():
    arn = "arn:aws:iam::%s:role/pods/app" % ACCOUNT
    assert t.annotations_for(arn, {"kube2iam": {"node_role_arns": [NODE]}}) == {"pod": {"iam.amazonaws.com/role": arn}}
    assert t.annotations_for(arn, {"pod_identity": {"namespace": None, "service_account": None}}) == {}
    assert t.annotations_for(None, {"kube2iam": {}}) == {}


# ------------------------------------------------------------------------------------ refusals
@pytest.mark.parametrize("trust", [None, {}, {"kube2iam": None, "irsa": None, "pod_identity": None}])
def test_empty_trust_is_refused(trust):
    assert any("at least one of kube2iam, irsa, pod_identity" in p for p in problems_of(trust=trust))


@pytest.mark.parametrize("arn", ["*", "arn:aws:iam::%s:root" % ACCOUNT, ACCOUNT, "arn:aws:iam::%s:role/*" % ACCOUNT,
                                 "arn:aws:iam::%s:user/bob" % ACCOUNT, "arn:aws:sts::%s:assumed-role/n/i" % ACCOUNT,
                                 "arn:aws:iam::12345:role/x", "arn:aws:iam::%s:role/" % ACCOUNT, ""])
def test_kube2iam_principal_must_be_a_role_arn(arn):
    probs = problems_of(trust={"kube2iam": {"node_role_arns": [NODE, arn]}})
    assert any("node_role_arns" in p for p in probs), probs


def test_irsa_refusals():
    probs = problems_of(trust={"irsa": {"oidc_provider_arn": PROVIDER, "cluster_name": "prod", "namespace": "a",
                                        "service_account": "b"}})
    assert any("exactly one of oidc_provider_arn and cluster_name" in p for p in probs)
    probs = problems_of(trust={"irsa": {"oidc_provider_arn": "arn:aws:iam::%s:role/x" % ACCOUNT,
                                        "namespace": "A_B", "service_account": ""}})
    assert any("not an IAM OIDC provider ARN" in p for p in probs)
    assert any("trust.irsa.namespace" in p for p in probs)
    assert any("trust.irsa.service_account" in p for p in probs)
    probs = problems_of(trust={"irsa": {"oidc_provider_arn": PROVIDER, "namespace": "*", "service_account": "*"}})
    assert any("every service account" in p for p in probs)


def test_every_problem_is_reported_at_once():
    probs = problems_of(
        name="bad name!", trust={"kube2iam": {"node_role_arns": ["*"]}},
        managed_policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess", "ReadOnlyAccess"],
        permissions_boundary="arn:aws:iam::aws:role/x", max_session_duration=60,
        inline_policies={"ok": READ, "nover": {"Statement": READ["Statement"]}, "json": "{not json",
                         "princ": {"Version": "2012-10-17", "Statement": [dict(READ["Statement"][0], Principal="*")]},
                         "empty": {"Version": "2012-10-17", "Statement": []},
                         "effect": {"Version": "2012-10-17", "Statement": {"Effect": "allow", "Action": "s3:Get*",
                                                                           "Resource": "*"}},
                         "action": {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "GetObject",
                                                                           "Resource": "*"}}},
        tags={"aws:x": "1", "ok": "2", "none": None}, description=u"caf\u00e9 \u2603")
    text = "\n".join(probs)
    for needle in ("name/path", "node_role_arns[0]", "managed_policy_arns[1]", "permissions_boundary",
                   "max_session_duration", "inline_policies.nover: Version", "inline_policies.json: not valid policy JSON",
                   "inline_policies.princ: Statement[0]: an identity policy names no Principal",
                   "inline_policies.empty: Statement must be", "inline_policies.effect: Statement[0]: Effect",
                   "inline_policies.action: Statement[0]: Action", "tags: key 'aws:x'", "tags.none", "description"):
        assert needle in text, (needle, text)
    assert "inline_policies.ok" not in text


def test_inline_policies_accept_json_strings_and_check_the_size():
    d = t.validate_params(params(inline_policies={"read": json.dumps(READ)}))
    assert d["inline_policies"] == {"read": READ}
    big = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                   "Resource": "arn:aws:s3:::%s/*" % ("b" * 60 + str(i))}
                                                  for i in range(200)]}
    assert any("10240" in p for p in problems_of(inline_policies={"big": big}))


def test_absent_needs_only_a_name():
    assert t.validate_params({"name": "app", "state": "absent", "trust": None}) == {
        "name": "app", "path": "/", "state": "absent"}


def test_open_trust_problems_catch_hand_made_documents():
    assert t.open_trust_problems({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]})
    assert t.open_trust_problems({"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["*"]}}]})
    assert t.open_trust_problems({"Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": NODE}}]})
    assert t.open_trust_problems({"Statement": []})
    assert t.open_trust_problems({"Statement": [{"Effect": "Deny", "Principal": "*"},
                                                {"Effect": "Allow", "Principal": {"AWS": NODE}}]}) == []


# -------------------------------------------------------------------------- semantic comparison
def test_policies_compare_semantically():
    a = t.build_trust_document({"kube2iam": {"node_role_arns": [NODE, NODE2]},
                                "pod_identity": {"namespace": None, "service_account": None}})
    b = copy.deepcopy(a)
    b["Statement"].reverse()
    b["Statement"][1]["Principal"]["AWS"].reverse()
    b["Statement"][0]["Action"].reverse()
    assert not t.policies_differ(a, b)
    single = t.build_trust_document({"kube2iam": {"node_role_arns": [NODE]}})
    as_list = copy.deepcopy(single)
    as_list["Statement"][0]["Principal"]["AWS"] = [NODE]
    as_list["Statement"][0]["Action"] = ["sts:AssumeRole"]
    assert not t.policies_differ(single, as_list)
    assert not t.policies_differ(READ, json.loads(json.dumps(READ)))
    changed = copy.deepcopy(READ)
    changed["Statement"][0]["Resource"] = "arn:aws:s3:::b/*"
    assert t.policies_differ(READ, changed)
    assert t.policies_differ(single, a)
    assert t.policies_differ(None, READ) and not t.policies_differ(None, None)


def test_url_encoded_documents_are_read():
    from urllib.parse import quote
    assert t.parse_policy_document(quote(json.dumps(READ))) == READ


def _shuffled(doc, rnd):
    """The same policy written differently: statements, lists and keys reordered, one-item lists
    turned into strings."""
    if isinstance(doc, dict):
        items = list(doc.items())
        rnd.shuffle(items)
        return {k: _shuffled(v, rnd) for k, v in items}
    if isinstance(doc, list):
        out = [_shuffled(v, rnd) for v in doc]
        rnd.shuffle(out)
        return out[0] if len(out) == 1 and isinstance(out[0], str) else out
    return doc


NS = st.from_regex(r"\A[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?\Z").map(str)
TRUST = st.fixed_dictionaries({}, optional={
    "kube2iam": st.fixed_dictionaries({"node_role_arns": st.lists(
        st.from_regex(r"\A[a-z][a-z0-9-]{0,12}\Z").map(lambda n: "arn:aws:iam::%s:role/%s" % (ACCOUNT, n)),
        min_size=1, max_size=4)}),
    "irsa": st.fixed_dictionaries({"oidc_provider_arn": st.just(PROVIDER), "namespace": st.one_of(NS, st.just("*")),
                                   "service_account": NS}),
    "pod_identity": st.fixed_dictionaries({"namespace": st.one_of(st.none(), NS),
                                           "service_account": st.one_of(st.none(), NS)}),
}).filter(bool)


@settings(max_examples=200, deadline=None)
@given(trust=TRUST, seed=st.integers(0, 2 ** 32))
def test_any_trust_survives_reordering_and_round_trips(trust, seed):
    desired = t.validate_params(params(trust=trust))
    doc = t.build_trust_document(desired["trust"])
    assert t.open_trust_problems(doc) == []
    again = _shuffled(json.loads(json.dumps(doc)), random.Random(seed))
    assert not t.policies_differ(doc, again)
    current = t.role_view({"RoleName": "app", "Arn": "arn:aws:iam::%s:role/app" % ACCOUNT, "Path": "/",
                           "AssumeRolePolicyDocument": again, "MaxSessionDuration": 3600})
    assert t.plan_role(current, desired, doc)[0] == []


# ------------------------------------------------------------------------------------ the plan
def _current(**kw):
    role = {"RoleName": "app", "Arn": "arn:aws:iam::%s:role/app" % ACCOUNT, "RoleId": "AROA1", "Path": "/",
            "AssumeRolePolicyDocument": t.build_trust_document({"kube2iam": {"node_role_arns": [NODE]}}),
            "MaxSessionDuration": 3600, "Description": "d", "Tags": [{"Key": "team", "Value": "a"}]}
    attached = kw.pop("attached", ["arn:aws:iam::aws:policy/ReadOnlyAccess"])
    inline = kw.pop("inline", {"read": READ})
    role.update(kw)
    return t.role_view(role, attached, inline)


def _calls(steps):
    return [(s["call"], s["params"].get("PolicyArn") or s["params"].get("PolicyName")) for s in steps]


def test_converged_role_plans_nothing():
    desired = t.validate_params(params(description="d", managed_policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess"],
                                       inline_policies={"read": json.dumps(READ)}, tags={"team": "a"},
                                       max_session_duration=3600))
    steps, predicted = t.plan_role(_current(), desired, t.build_trust_document(desired["trust"]))
    assert steps == []
    assert predicted["arn"].endswith(":role/app")


def test_create_plan_is_one_create_then_policies():
    desired = t.validate_params(params(managed_policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess"],
                                       inline_policies={"read": READ}, tags={"team": "a"},
                                       permissions_boundary="arn:aws:iam::%s:policy/boundary" % ACCOUNT))
    doc = t.build_trust_document(desired["trust"])
    steps, predicted = t.plan_role(None, desired, doc)
    assert _calls(steps) == [("create_role", None), ("put_role_policy", "read"),
                             ("attach_role_policy", "arn:aws:iam::aws:policy/ReadOnlyAccess")]
    create = steps[0]["params"]
    assert json.loads(create["AssumeRolePolicyDocument"]) == doc
    assert create["Tags"] == [{"Key": "team", "Value": "a"}]
    assert create["PermissionsBoundary"].endswith(":policy/boundary")
    assert predicted["arn"] is None and predicted["max_session_duration"] == 3600


def test_update_plan_grants_before_it_removes():
    desired = t.validate_params(params(
        trust={"kube2iam": {"node_role_arns": [NODE]},
               "irsa": {"oidc_provider_arn": PROVIDER, "namespace": "a", "service_account": "b"}},
        description="new", max_session_duration=7200,
        managed_policy_arns=["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
        inline_policies={"write": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}},
        tags={"owner": "b"}, permissions_boundary="arn:aws:iam::%s:policy/pb" % ACCOUNT))
    steps, predicted = t.plan_role(_current(), desired, t.build_trust_document(desired["trust"]))
    assert _calls(steps) == [
        ("update_assume_role_policy", None), ("update_role", None), ("put_role_permissions_boundary", None),
        ("attach_role_policy", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"), ("put_role_policy", "write"),
        ("detach_role_policy", "arn:aws:iam::aws:policy/ReadOnlyAccess"), ("delete_role_policy", "read"),
        ("tag_role", None), ("untag_role", None)]
    assert steps[1]["params"] == {"RoleName": "app", "Description": "new", "MaxSessionDuration": 7200}
    assert predicted["managed_policy_arns"] == ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]
    assert sorted(predicted["inline_policies"]) == ["write"]
    assert predicted["tags"] == {"owner": "b"}


def test_without_purge_nothing_is_removed_and_unmanaged_kinds_are_left_alone():
    desired = t.validate_params(params(managed_policy_arns=[], inline_policies={}, tags={"x": "1"},
                                       purge_policies=False, purge_tags=False))
    steps, predicted = t.plan_role(_current(), desired, t.build_trust_document(desired["trust"]))
    assert _calls(steps) == [("tag_role", None)]
    assert predicted["tags"] == {"team": "a", "x": "1"}
    desired = t.validate_params(params())
    assert t.plan_role(_current(), desired, t.build_trust_document(desired["trust"]))[0] == []


def test_boundary_empty_string_removes_it():
    current = _current(PermissionsBoundary={"PermissionsBoundaryArn": "arn:aws:iam::%s:policy/pb" % ACCOUNT})
    desired = t.validate_params(params(permissions_boundary=""))
    steps, predicted = t.plan_role(current, desired, t.build_trust_document(desired["trust"]))
    assert _calls(steps) == [("delete_role_permissions_boundary", None)]
    assert predicted["permissions_boundary"] is None


def test_deletion_plan():
    current = _current()
    current["instance_profiles"] = ["app", "shared"]
    assert _calls(t.plan_role_deletion(current)) == [
        ("remove_role_from_instance_profile", None), ("delete_instance_profile", None),
        ("remove_role_from_instance_profile", None),
        ("detach_role_policy", "arn:aws:iam::aws:policy/ReadOnlyAccess"), ("delete_role_policy", "read"),
        ("delete_role", None)]


# ------------------------------------------------------- retries: the module's real client path
class _StubbedConn(object):
    """Replaces amazon.aws's boto3_conn: real botocore clients with a Stubber attached, so
    AnsibleAWSModule.client() wraps them with the retry decorator the module asks for."""

    def __init__(self):
        import boto3
        from botocore.stub import Stubber
        self.clients, self.stubbers = {}, {}
        for service in ("iam", "sts", "eks"):
            c = boto3.client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
            self.clients[service], self.stubbers[service] = c, Stubber(c)

    def __call__(self, module, conn_type=None, resource=None, **kw):
        return self.clients[resource]


def _run_main(monkeypatch, args, conn, check=False):
    from tests.module_args import patch_module_args
    from ansible_collections.amazon.aws.plugins.module_utils import cloud, modules
    from ansible_collections.hardened.eks.plugins.modules import eks_pod_iam_role
    sleeps = []
    monkeypatch.setattr(modules, "boto3_conn", conn)
    monkeypatch.setattr(cloud.time, "sleep", sleeps.append)
    args = dict(args, _ansible_check_mode=check)
    out = io.StringIO()
    with patch_module_args(args), contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        eks_pod_iam_role.main()
    text = out.getvalue()
    return json.loads(text[text.index("{"):]), sleeps


def test_throttling_is_retried_with_jittered_backoff(monkeypatch):
    """moto cannot answer Throttling, so botocore's Stubber does: GetRole is throttled three times
    and CreateRole twice. The Stubber answers before botocore's own retry handler, so what
    retries here is AWSRetry.jittered_backoff on the client AnsibleAWSModule.client() made for
    the module, called with aws_retry=True."""
    conn = _StubbedConn()
    iam = conn.stubbers["iam"]
    for _i in range(3):
        iam.add_client_error("get_role", service_error_code="Throttling", http_status_code=400)
    iam.add_client_error("get_role", service_error_code="NoSuchEntity", http_status_code=404)
    for _i in range(2):
        iam.add_client_error("create_role", service_error_code="Throttling", http_status_code=400)
    iam.add_response("create_role", {"Role": {
        "Path": "/", "RoleName": "app", "RoleId": "AROAEXAMPLEEXAMPLE123", "Arn": "arn:aws:iam::%s:role/app" % ACCOUNT,
        "CreateDate": "2024-01-01T00:00:00Z"}})
    iam.activate()
    result, sleeps = _run_main(monkeypatch, {"name": "app", "trust": {"kube2iam": {"node_role_arns": [NODE]}}}, conn)
    iam.assert_no_pending_responses()
    assert not result.get("failed"), result
    assert result["changed"] and result["arn"] == "arn:aws:iam::%s:role/app" % ACCOUNT
    assert len(sleeps) == 5
    assert all(0 <= s <= 60 for s in sleeps)


def test_throttling_past_the_budget_fails_cleanly(monkeypatch):
    conn = _StubbedConn()
    iam = conn.stubbers["iam"]
    for _i in range(10):
        iam.add_client_error("get_role", service_error_code="Throttling", http_status_code=400)
    iam.activate()
    result, sleeps = _run_main(monkeypatch, {"name": "app", "trust": {"kube2iam": {"node_role_arns": [NODE]}}}, conn)
    iam.assert_no_pending_responses()
    assert result["failed"] and "Failed to get role app" in result["msg"] and "Throttling" in result["msg"]
    assert len(sleeps) == 9


def test_check_mode_predicts_the_arn_with_sts(monkeypatch):
    conn = _StubbedConn()
    conn.stubbers["iam"].add_client_error("get_role", service_error_code="NoSuchEntity", http_status_code=404)
    conn.stubbers["sts"].add_response("get_caller_identity", {"UserId": "AIDA", "Account": ACCOUNT,
                                                              "Arn": "arn:aws:iam::%s:user/ci" % ACCOUNT})
    for s in conn.stubbers.values():
        s.activate()
    args = {"name": "app", "path": "/pods/", "trust": {"kube2iam": {"node_role_arns": [NODE]}}}
    result, _sleeps = _run_main(monkeypatch, args, conn, check=True)
    assert result["changed"] and result["arn"] == "arn:aws:iam::%s:role/pods/app" % ACCOUNT
    assert result["annotations"] == {"pod": {"iam.amazonaws.com/role": result["arn"]}}


def test_role_created_by_someone_else_meanwhile_is_converged_not_failed(monkeypatch):
    """GetRole says NoSuchEntity, CreateRole then says EntityAlreadyExists (another run won the
    race): the module reads the role again and converges it instead of failing."""
    conn = _StubbedConn()
    iam = conn.stubbers["iam"]
    trust = t.build_trust_document({"kube2iam": {"node_role_arns": [NODE]}})
    iam.add_client_error("get_role", service_error_code="NoSuchEntity", http_status_code=404)
    iam.add_client_error("create_role", service_error_code="EntityAlreadyExists", http_status_code=409)
    iam.add_response("get_role", {"Role": {
        "Path": "/", "RoleName": "app", "RoleId": "AROAEXAMPLEEXAMPLE123", "Arn": "arn:aws:iam::%s:role/app" % ACCOUNT,
        "CreateDate": "2024-01-01T00:00:00Z", "AssumeRolePolicyDocument": json.dumps(trust), "MaxSessionDuration": 3600,
        "Tags": [{"Key": "team", "Value": "b"}]}})
    iam.add_response("tag_role", {}, {"RoleName": "app", "Tags": [{"Key": "team", "Value": "a"}]})
    iam.activate()
    args = {"name": "app", "trust": {"kube2iam": {"node_role_arns": [NODE]}}, "tags": {"team": "a"}}
    result, _sleeps = _run_main(monkeypatch, args, conn)
    iam.assert_no_pending_responses()
    assert not result.get("failed"), result
    assert result["changed"] and result["tags"] == {"team": "a"} and result["role_id"] == "AROAEXAMPLEEXAMPLE123"


def test_a_pasted_trust_document_gets_a_hint():
    hint = t.pasted_policy_document({"Version": "2012-10-17", "Statement": []})
    assert "got an IAM trust policy document (Statement, Version)" in hint and "trust.kube2iam.node_role_arns" in hint
    assert t.pasted_policy_document({"kube2iam": {"node_role_arns": []}}) is None
    assert t.pasted_policy_document(None) is None


def test_a_role_name_with_a_slash_suggests_path():
    with pytest.raises(TrustError) as exc:
        t.validate_params({"name": "team/payments", "trust": {"pod_identity": {}}})
    assert "put the path in path ('/team/') and the name in name ('payments')" in str(exc.value)


def test_effect_in_the_wrong_case_names_the_right_one():
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}]}
    with pytest.raises(TrustError) as exc:
        t.validate_params({"name": "r", "trust": {"pod_identity": {}}, "inline_policies": {"p": doc}})
    assert "not 'allow' (did you mean 'Allow'? IAM's values are case-sensitive)" in str(exc.value)
