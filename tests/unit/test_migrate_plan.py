"""The plan of playbooks/migrate.yml (filter migrate_plan): aws-auth mappings as access entries.

The story: prod's aws-auth maps the node role, the SSO platform role (written without its path,
as aws-auth needs), the CI role as a deployer, alice as an admin (system:masters), a partner
account's role, and an SSO matcher; the platform team already gave itself an access entry."""
from ansible_collections.hardened.eks.plugins.filter.migrate_plan import FilterModule
from ansible_collections.hardened.eks.plugins.module_utils._plans import migrate

ACCOUNT = "111122223333"
SSO_PATHED = "arn:aws:iam::%s:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Platform_0123" % ACCOUNT
ROLES = [{"role_name": "AWSReservedSSO_Platform_0123", "arn": SSO_PATHED},
         {"role_name": "prod-node", "arn": "arn:aws:iam::%s:role/prod-node" % ACCOUNT},
         {"role_name": "ci", "arn": "arn:aws:iam::%s:role/pipelines/ci" % ACCOUNT},
         {"role_name": "deploy", "arn": "arn:aws:iam::%s:role/deploy" % ACCOUNT}]
AWS_AUTH = {
    "mapRoles": """
- rolearn: arn:aws:iam::111122223333:role/prod-node
  username: system:node:{{EC2PrivateDNSName}}
  groups: [system:bootstrappers, system:nodes]
- rolearn: arn:aws:iam::111122223333:role/AWSReservedSSO_Platform_0123
  username: platform:{{SessionName}}
  groups: [platform-readers]
- rolearn: arn:aws:iam::111122223333:role/ci
  username: ci:{{SessionName}}
  groups: [app-deployers]
- rolearn: arn:aws:iam::444455556666:role/partner
  username: partner
  groups: [viewers]
- sso:
    permissionSetName: Ops
    accountID: "111122223333"
  username: ops
  groups: [ops]
""",
    "mapUsers": """
- userarn: arn:aws:iam::111122223333:user/alice
  username: alice
  groups: [system:masters]
""",
}
DEPLOY_ADMIN = {"principal_arn": "arn:aws:iam::%s:role/deploy" % ACCOUNT, "type": "STANDARD", "kubernetes_groups": [],
                "access_policies": {"AmazonEKSClusterAdminPolicy": {"type": "cluster", "namespaces": []}}}
PLATFORM = {"principal_arn": SSO_PATHED, "type": "STANDARD", "kubernetes_groups": ["platform-readers"],
            "username": "platform:{{SessionName}}", "access_policies": {}}


def cfg(**kw):
    out = {"aws_auth": AWS_AUTH, "roles": ROLES, "account": ACCOUNT, "allow_cluster_admin": True,
           "caller_arn": "arn:aws:sts::%s:assumed-role/deploy/pipeline" % ACCOUNT, "tags": {"hardened.eks/layer": "migrate"},
           "entries_now": [DEPLOY_ADMIN, PLATFORM]}
    out.update(kw)
    return out


def test_the_filter_is_registered():
    assert FilterModule().filters()["migrate_plan"].__wrapped__ is migrate.plan


def test_every_mapping_gets_its_equivalent_with_the_role_path_restored():
    out = migrate.plan(cfg())
    assert out["problems"] == []
    tags = {"hardened.eks/layer": "migrate"}
    assert out["entries"] == [
        {"principal_arn": "arn:aws:iam::%s:role/prod-node" % ACCOUNT, "type": "EC2_LINUX", "tags": tags},
        {"principal_arn": "arn:aws:iam::%s:role/pipelines/ci" % ACCOUNT, "type": "STANDARD", "tags": tags,
         "kubernetes_groups": ["app-deployers"], "access_policies": [], "username": "ci:{{SessionName}}"},
        {"principal_arn": "arn:aws:iam::%s:user/alice" % ACCOUNT, "type": "STANDARD", "tags": tags,
         "kubernetes_groups": [], "username": "alice",
         "access_policies": [{"policy": "AmazonEKSClusterAdminPolicy", "scope": "cluster"}]}]
    assert out["kept"] == [SSO_PATHED]   # the platform's own entry is left as it is
    assert [s["arn"] for s in out["skipped"]] == ["arn:aws:iam::444455556666:role/partner", "sso:Ops"]
    assert out["caller"] == "arn:aws:iam::%s:role/deploy" % ACCOUNT and out["caller_admin"] is True
    # before the entries step: only the platform mapping can go, and API mode is blocked
    assert out["removable"] == {"roles": [{"arn": "arn:aws:iam::%s:role/AWSReservedSSO_Platform_0123" % ACCOUNT}],
                                "users": []}
    assert len(out["missing"]) == 3
    assert any("444455556666" in b for b in out["api_blockers"])


def test_after_the_entries_step_the_mappings_are_removable_and_node_roles_stay():
    made = [dict(e, state="present", access_policies=dict((p["policy"], {"type": "cluster", "namespaces": []})
                                                          for p in e.get("access_policies") or []))
            for e in migrate.plan(cfg())["entries"]]
    after = migrate.plan(cfg(entries_made=made))
    assert after["missing"] == []
    assert sorted(r["arn"] for r in after["removable"]["roles"]) == [
        "arn:aws:iam::%s:role/AWSReservedSSO_Platform_0123" % ACCOUNT, "arn:aws:iam::%s:role/ci" % ACCOUNT]
    assert after["removable"]["users"] == [{"arn": "arn:aws:iam::%s:user/alice" % ACCOUNT}]
    # the partner role and the SSO matcher still block API mode (they would lose access)
    assert [b.split(":")[0] for b in after["api_blockers"]] == ["arn", "sso"]


def test_an_existing_entry_that_differs_keeps_its_aws_auth_mapping():
    other = dict(PLATFORM, kubernetes_groups=["admins"])
    out = migrate.plan(cfg(entries_now=[DEPLOY_ADMIN, other]))
    assert out["removable"]["roles"] == [] and len(out["differs"]) == 1
    assert "differs from aws-auth" in out["differs"][0]


def test_what_an_access_entry_cannot_hold_is_a_problem_and_a_caller_without_admin_is_named():
    bad = {"mapRoles": """
- rolearn: arn:aws:iam::111122223333:role/ci
  username: system:ci
  groups: [app-deployers]
- rolearn: arn:aws:iam::111122223333:role/deploy
  username: deploy
  groups: [system:bootstrappers]
""", "mapUsers": """
- userarn: arn:aws:iam::111122223333:user/alice
  username: alice
  groups: [system:masters]
"""}
    out = migrate.plan(cfg(aws_auth=bad, allow_cluster_admin=False, entries_now=[],
                           caller_arn="arn:aws:iam::%s:user/bob" % ACCOUNT))
    assert len(out["problems"]) == 3
    assert "role/ci.username: an access entry refuses it" in out["problems"][0]
    assert "system:bootstrappers are EKS's own" in out["problems"][1]
    assert "migrate_allow_cluster_admin=true" in out["problems"][2]
    assert out["caller"] == "arn:aws:iam::%s:user/bob" % ACCOUNT and out["caller_admin"] is False
    broken = migrate.plan(cfg(aws_auth={"mapRoles": "- rolearn: [1"}))
    assert broken["problems"] and broken["problems"][0].startswith("aws-auth mapRoles")
