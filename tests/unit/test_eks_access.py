"""The pure part of eks_access_entry: validation and the plan of calls, with its guards."""
import pytest

from ansible_collections.hardened.eks.plugins.module_utils._eks import access

ROLE = "arn:aws-cn:iam::111122223333:role/team/dev"
NODE = "arn:aws-cn:iam::111122223333:role/nodes"
ADMIN = "arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"


def entry(arn, kind="STANDARD", groups=(), tags=None, **kw):
    out = {"principalArn": arn, "type": kind, "kubernetesGroups": list(groups), "username": "u",
           "accessEntryArn": "arn:aws-cn:eks:cn-north-1:111122223333:access-entry/prod/x", "tags": tags or {}}
    out.update(kw)
    return out


def test_policy_names_take_the_cluster_partition_and_paths_are_kept():
    desired = access.validate_entries([{"principal_arn": ROLE, "kubernetes_groups": ["b", "a", "a"],
                                        "access_policies": [{"policy": "AmazonEKSViewPolicy", "scope": "namespace",
                                                             "namespaces": ["y", "x"]}]}], "aws-cn")
    d = desired[ROLE]
    assert d["kubernetes_groups"] == ["a", "b"] and d["principal_arn"] == ROLE
    assert d["policies"] == {"arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSViewPolicy":
                             {"type": "namespace", "namespaces": ["x", "y"]}}
    assert access.policy_arn("arn:aws-mars:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", "aws") is None


def test_a_new_entry_is_created_tagged_then_its_policies_associated():
    desired = access.validate_entries([{"principal_arn": ROLE, "kubernetes_groups": ["devs"],
                                        "access_policies": [{"policy": "AmazonEKSViewPolicy"}]}], "aws-cn")
    steps, results, problems = access.plan({}, desired)
    assert problems == [] and [s["call"] for s in steps] == ["create_access_entry", "associate_access_policy"]
    assert steps[0]["params"]["tags"] == {access.MANAGED_TAG: access.MANAGED_VALUE}
    assert results[0]["changed"] and results[0]["after"]["access_policies"] == {
        "AmazonEKSViewPolicy": {"type": "cluster", "namespaces": []}}


def test_an_existing_entry_is_adopted_and_only_its_differences_written():
    desired = access.validate_entries([{"principal_arn": NODE, "type": "EC2_LINUX"},
                                       {"principal_arn": ROLE, "kubernetes_groups": ["devs"]}], "aws-cn")
    current = {NODE: {"entry": entry(NODE, "EC2_LINUX"), "policies": None},
               ROLE: {"entry": entry(ROLE, groups=["devs"], tags={access.MANAGED_TAG: access.MANAGED_VALUE}),
                      "policies": None}}
    steps, results, problems = access.plan(current, desired)
    assert problems == [] and [s["call"] for s in steps] == ["tag_resource"]  # the node entry adopted
    assert [r["changed"] for r in results] == [True, False]
    wrong = access.validate_entries([{"principal_arn": NODE}], "aws-cn")
    assert "EKS cannot change an entry's type" in access.plan(current, wrong)[2][0]


def test_system_entries_are_guarded_and_the_last_admin_is_counted():
    current = {NODE: {"entry": entry(NODE, "EC2_LINUX"), "policies": {}},
               ROLE: {"entry": entry(ROLE), "policies": {ADMIN: {"type": "cluster", "namespaces": []}}}}
    gone = access.validate_entries([{"principal_arn": NODE, "state": "absent"},
                                    {"principal_arn": ROLE, "state": "absent"}], "aws-cn")
    steps, _results, problems = access.plan(current, gone)
    assert len(problems) == 2 and "node role" in problems[0] and "did not create" in problems[1]
    steps, _results, problems = access.plan(current, gone, allow_system_entry_removal=True)
    assert problems == [] and access.removes_admin(steps)
    assert access.admins_after([ROLE], steps) == set()
    grant = [{"call": "associate_access_policy", "params": {"principalArn": NODE, "policyArn": ADMIN,
                                                            "accessScope": {"type": "cluster"}}}]
    assert access.admins_after([ROLE], steps + grant) == {NODE}


@pytest.mark.parametrize("scope, allowed, refused", [("cluster", False, True), ("cluster", True, False),
                                                     ("namespace", False, False)])
def test_admin_level_policies_at_cluster_scope_need_a_flag(scope, allowed, refused):
    item = {"principal_arn": ROLE, "access_policies": [{"policy": "AmazonEKSAdminPolicy", "scope": scope,
                                                        "namespaces": ["shop"] if scope == "namespace" else None}]}
    problems = access.admin_policy_problems(access.validate_entries([item], "aws"), allowed)
    assert bool(problems) is refused


@pytest.mark.parametrize("username, refused", [
    ("ci:{{SessionName}}", None),
    ("alice", None),
    ("team:ops:{{SessionNameRaw}}", None),
    ("ci-{{SessionName}}", "colon before {{SessionName}}"),
    ("{{SessionNameRaw}}", "colon before {{SessionNameRaw}}"),
    ("system:deployer", "prefix EKS keeps"),
    ("EKS:admin", "prefix EKS keeps"),
    ("iam:x", "prefix EKS keeps"),
])
def test_usernames_eks_refuses_are_refused_before_any_call(username, refused):
    items = [{"principal_arn": ROLE, "username": username}]
    if refused is None:
        assert access.validate_entries(items, "aws-cn")[ROLE]["username"] == username
        return
    with pytest.raises(access.AccessEntryError) as err:
        access.validate_entries(items, "aws-cn")
    assert err.value.problems[0].startswith("entries[0] (%s).username: " % ROLE) and refused in err.value.problems[0]


def test_purge_deletes_only_the_managed_entries_the_selector_names():
    mine = "arn:aws-cn:iam::111122223333:role/mine"
    theirs = "arn:aws-cn:iam::111122223333:role/theirs"
    layer = {access.MANAGED_TAG: access.MANAGED_VALUE, "hardened.eks/layer": "iam_authenticator"}
    current = {mine: {"entry": entry(mine, tags=layer), "policies": {}},
               theirs: {"entry": entry(theirs, tags={access.MANAGED_TAG: access.MANAGED_VALUE}), "policies": {}}}
    steps, results, problems = access.plan(current, {}, purge=True,
                                           purge_selector={"hardened.eks/layer": "iam_authenticator"})
    assert problems == [] and steps == [{"call": "delete_access_entry", "params": {"principalArn": mine}}]
    assert [r["principal_arn"] for r in results] == [mine]
    steps = access.plan(current, {}, purge=True)[0]   # no selector: every managed entry
    assert sorted(s["params"]["principalArn"] for s in steps) == [mine, theirs]
