"""hardened.eks.eks_access_entry as real module processes against the sandbox's AWS server (a
private moto with the project's EKS extension, so every call is counted), over HTTP.

The story: cluster prod moves from aws-auth to access entries. EKS made the creator's admin
entry and the node role's EC2_LINUX entry when the mode got the API; the platform team (an SSO
role with its path) reads everything, the CI deployer edits two namespaces."""
import pytest

from tests.integration.own_moto import eks_world

MODULE = "eks_access_entry"
ACCOUNT = "123456789012"
CREATOR = "arn:aws:iam::%s:user/moto" % ACCOUNT  # moto's identity for the test credentials
SSO = "arn:aws:iam::%s:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Platform_0123" % ACCOUNT
CI = "arn:aws:iam::%s:role/ci-deployer" % ACCOUNT
VIEW = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
EDIT = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy"
ADMIN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"


@pytest.fixture(scope="module")
def aws(moto):
    return eks_world(moto, "10.44.0.0/16")


def new_cluster(aws, name, mode="API_AND_CONFIG_MAP"):
    eks = aws["eks"]
    eks.create_cluster(name=name, roleArn=aws["role"], resourcesVpcConfig={"subnetIds": aws["subnets"]})
    eks.create_nodegroup(clusterName=name, nodegroupName="ng", nodeRole=aws["nodes"], subnets=aws["subnets"])
    if mode != "CONFIG_MAP":
        eks.update_cluster_config(name=name, accessConfig={"authenticationMode": mode})
    return name


@pytest.fixture
def run(run_module, moto):
    def _run(params, check=False, diff=False):
        return run_module(MODULE, params, check=check, diff=diff, env=moto.env())
    return _run


def operation(action):
    """The EKS operation of a logged REST call (the log has METHOD and decoded path)."""
    method, _sep, path = action.partition(" ")
    if method != "GET" or not path.startswith("/clusters/"):
        return action
    if path.endswith("/access-policies"):
        return "ListAssociatedAccessPolicies"
    if "/access-entries/" in path:
        return "DescribeAccessEntry"
    if path.endswith("/access-entries"):
        return "ListAccessEntries"
    return "DescribeCluster" if path.count("/") == 2 else action


def calls(moto, mark):
    return [operation(r["action"]) for r in moto.requests.since(mark)]


def writes(moto, mark):
    return [r["action"] for r in moto.requests.mutating(mark)]


def story(name, nodes):
    return {"cluster_name": name, "purge": True, "entries": [
        {"principal_arn": SSO, "kubernetes_groups": ["platform-readers"],
         "access_policies": [{"policy": "AmazonEKSViewPolicy"}]},
        {"principal_arn": CI, "kubernetes_groups": ["app-deployers"],
         "access_policies": [{"policy": "AmazonEKSEditPolicy", "scope": "namespace",
                              "namespaces": ["storefront", "payments"]}]},
        {"principal_arn": nodes, "type": "EC2_LINUX"}]}


def test_converge_adopt_and_rerun_with_the_fewest_reads(aws, moto, run, uid):
    name = new_cluster(aws, "ae-%s" % uid)
    params = story(name, aws["nodes"])
    m = moto.requests.mark()
    pred = run(params, check=True, diff=True)
    assert pred["changed"] and not pred.get("failed") and writes(moto, m) == [], pred.get("msg")

    res = run(params, diff=True)
    assert res["changed"] and not res.get("failed"), res.get("msg")
    expected = [(SSO, True), (CI, True), (aws["nodes"], True)]
    assert [(e["principal_arn"], e["changed"]) for e in res["entries"]] == expected
    assert pred["diff"]["after"][CI]["access_policies"] == res["diff"]["after"][CI]["access_policies"]
    eks = aws["eks"]
    sso = eks.describe_access_entry(clusterName=name, principalArn=SSO)["accessEntry"]
    assert sso["principalArn"] == SSO and sso["kubernetesGroups"] == ["platform-readers"]  # the path is kept
    scope = eks.list_associated_access_policies(clusterName=name, principalArn=CI)["associatedAccessPolicies"]
    assert [(p["policyArn"], p["accessScope"]) for p in scope] == [
        (EDIT, {"type": "namespace", "namespaces": ["payments", "storefront"]})]
    node = eks.describe_access_entry(clusterName=name, principalArn=aws["nodes"])["accessEntry"]
    assert node["type"] == "EC2_LINUX" and node["tags"]["hardened.eks/managed-by"] == "eks_access_entry"  # adopted
    everyone = sorted([CREATOR, SSO, CI, aws["nodes"]])
    assert sorted(eks.list_access_entries(clusterName=name)["accessEntries"]) == everyone

    m = moto.requests.mark()
    again = run(params)
    assert not again["changed"] and writes(moto, m) == [], again
    # one describe of the cluster, one list; per managed entry one describe, and the policies of
    # those whose policies are managed; the creator's entry (not ours, purge on) is described once
    assert sorted(calls(moto, m)) == sorted(["DescribeCluster", "ListAccessEntries"]
                                            + ["DescribeAccessEntry"] * 4 + ["ListAssociatedAccessPolicies"] * 2)


def test_changes_purge_and_the_guards(aws, moto, run, uid):
    name = new_cluster(aws, "ag-%s" % uid)
    assert not run(story(name, aws["nodes"])).get("failed")
    eks = aws["eks"]
    # CI moves to view-only, SSO leaves the inventory (purged), the node entry stays listed
    params = story(name, aws["nodes"])
    params["entries"] = params["entries"][1:]
    params["entries"][0]["access_policies"] = [{"policy": VIEW}]
    res = run(params)
    assert res["changed"] and [(e["principal_arn"], e["state"]) for e in res["entries"]][-1] == (SSO, "absent")
    assert [p["policyArn"] for p in eks.list_associated_access_policies(clusterName=name, principalArn=CI)[
        "associatedAccessPolicies"]] == [VIEW]
    assert SSO not in eks.list_access_entries(clusterName=name)["accessEntries"]

    m = moto.requests.mark()
    for entry, fragment in (
            ({"principal_arn": aws["nodes"], "type": "EC2_LINUX", "state": "absent"},
             "the EC2_LINUX entry of a node role lets the nodes join"),
            ({"principal_arn": CREATOR, "state": "absent"}, "an administrator entry this module did not create"),
            ({"principal_arn": CI, "access_policies": [{"policy": "AmazonEKSClusterAdminPolicy"}]},
             "AmazonEKSClusterAdminPolicy at cluster scope makes")):
        out = run({"cluster_name": name, "entries": [entry]})
        assert out.get("failed") and fragment in out["msg"], out.get("msg")
    assert writes(moto, m) == []

    # the creator's admin may go once another admin exists; the last admin may not
    out = run({"cluster_name": name, "allow_cluster_admin": True, "allow_system_entry_removal": True, "entries": [
        {"principal_arn": CI, "access_policies": [{"policy": "AmazonEKSClusterAdminPolicy"}]},
        {"principal_arn": CREATOR, "state": "absent"}]})
    assert out["changed"] and not out.get("failed"), out.get("msg")
    m = moto.requests.mark()
    out = run({"cluster_name": name, "allow_system_entry_removal": True, "entries": [
        {"principal_arn": CI, "access_policies": [{"policy": "AmazonEKSViewPolicy"}]}]})
    assert out.get("failed") and "lockout: after this change no principal would hold AmazonEKSClusterAdminPolicy" \
        in out["msg"], out.get("msg")
    assert writes(moto, m) == []


def test_bad_input_and_the_wrong_mode_are_refused_before_any_write(aws, moto, run, uid):
    m = moto.requests.mark()
    out = run({"cluster_name": "any", "entries": [
        {"principal_arn": "arn:aws:sts::%s:assumed-role/AWSReservedSSO_Dev_0123/alice" % ACCOUNT},
        {"principal_arn": CI, "kubernetes_groups": ["system:masters"]},
        {"principal_arn": aws["nodes"], "type": "EC2_LINUX", "kubernetes_groups": ["x"]},
        {"principal_arn": SSO, "access_policies": [{"policy": "ReadOnlyAccess"},
                                                   {"policy": "AmazonEKSViewPolicy", "scope": "namespace"}]}]})
    assert out.get("failed") and calls(moto, m) == [], out
    problems = out["problems"]
    assert "an access entry names the role's IAM ARN, with its full path" in problems[0]
    assert "for cluster admin, give the access policy AmazonEKSClusterAdminPolicy at cluster scope" in problems[1]
    assert "EKS sets it for EC2_LINUX entries itself" in problems[2]
    assert "'ReadOnlyAccess' is not an EKS access policy" in problems[3]
    assert "a namespace scope needs its namespaces" in problems[4] and len(problems) == 5

    name = new_cluster(aws, "acm-%s" % uid, mode="CONFIG_MAP")
    m = moto.requests.mark()
    out = run({"cluster_name": name, "entries": [{"principal_arn": CI}]})
    assert out.get("failed") and "switch it to API_AND_CONFIG_MAP first" in out["msg"], out.get("msg")
    assert calls(moto, m) == ["DescribeCluster"]
