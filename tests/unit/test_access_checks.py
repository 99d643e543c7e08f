"""The access checks of eks_security_audit (pure): the mode, EKS's bootstrap admin, who holds
admin-level access policies cluster-wide, deletion protection."""
from ansible_collections.hardened.eks.plugins.module_utils._audit import checks as ac

DEPLOY = "arn:aws:iam::111122223333:role/deploy"
CREATOR = "arn:aws:iam::111122223333:user/creator"


def cluster(mode="API_AND_CONFIG_MAP", boot=False, protected=True):
    return {"accessConfig": {"authenticationMode": mode, "bootstrapClusterCreatorAdminPermissions": boot},
            "deletionProtection": protected}


def test_the_mode_and_the_bootstrap_admin():
    assert ac.check_authentication_mode(cluster())["result"] == "pass"
    assert ac.check_authentication_mode(cluster("CONFIG_MAP"))["result"] == "warn"
    assert ac.check_authentication_mode({})["result"] == "warn"
    assert ac.check_bootstrap_admin(cluster())["result"] == "pass"
    failed = ac.check_bootstrap_admin(cluster(boot=True))
    assert failed["result"] == "fail" and "cluster_admin_principals" in failed["fix"]
    assert ac.check_bootstrap_admin(cluster(boot=True), allowed=True)["result"] == "warn"


def test_only_the_listed_principals_hold_admin_policies_cluster_wide():
    admins = {DEPLOY: [("AmazonEKSClusterAdminPolicy", "cluster")], CREATOR: [("AmazonEKSAdminPolicy", "cluster")],
              "arn:aws:iam::111122223333:role/shop-admin": [("AmazonEKSAdminPolicy", "namespace")]}
    r = ac.check_cluster_admins("API", admins, [DEPLOY])
    assert r["result"] == "fail" and CREATOR + " (AmazonEKSAdminPolicy)" in r["evidence"] and "shop-admin" not in r["evidence"]
    assert ac.check_cluster_admins("API", admins, [DEPLOY, CREATOR])["result"] == "pass"
    assert ac.check_cluster_admins("API", {}, [DEPLOY])["result"] == "warn"
    assert ac.check_cluster_admins("CONFIG_MAP", admins, [])["result"] == "pass"  # no entries in that mode


def test_deletion_protection():
    assert ac.check_deletion_protection(cluster())["result"] == "pass"
    assert ac.check_deletion_protection(cluster(protected=False))["result"] == "warn"
    assert ac.check_deletion_protection({})["result"] == "warn"


def test_access_entries_of_principals_that_are_gone_warn_and_other_accounts_are_not_judged():
    gone = "arn:aws:iam::111122223333:role/team/left-the-company"
    partner = "arn:aws:iam::444455556666:role/partner"
    entries = [DEPLOY, gone, partner]
    r = ac.check_entry_principals("API", entries, {DEPLOY: True, gone: False, partner: None})
    assert r["result"] == "warn" and gone in r["evidence"] and "1 of other accounts not checked" in r["evidence"]
    assert "inherit" in r["fix"]
    assert ac.check_entry_principals("API", [DEPLOY], {DEPLOY: True})["result"] == "pass"
    assert ac.check_entry_principals("CONFIG_MAP", [], {})["result"] == "pass"


def test_a_principal_mapped_differently_in_aws_auth_and_an_access_entry_warns():
    """aws-auth maps role/ci (no path) as deployer; the access entry of role/teams/ci (with its
    path, the same role to the authenticator) gives it viewers: the entry wins, quietly."""
    ci = "arn:aws:iam::111122223333:role/teams/ci"
    aws_auth = [{"arn": "arn:aws:iam::111122223333:role/ci", "username": "ci:{{SessionName}}", "groups": ["deployers"]},
                {"arn": "arn:aws:iam::111122223333:role/nodes", "username": "system:node:{{EC2PrivateDNSName}}",
                 "groups": ["system:bootstrappers", "system:nodes"]}]
    node = {"principalArn": "arn:aws:iam::111122223333:role/nodes", "type": "EC2_LINUX", "kubernetesGroups": [],
            "username": "system:node:{{EC2PrivateDNSName}}"}
    entry = {"principalArn": ci, "type": "STANDARD", "kubernetesGroups": ["viewers"], "username": "ci:{{SessionName}}"}
    r = ac.check_aws_auth_conflicts("API_AND_CONFIG_MAP", aws_auth, {ci: entry, node["principalArn"]: node})
    assert r["result"] == "warn" and ci in r["evidence"] and "['deployers']" in r["evidence"], r
    same = dict(entry, kubernetesGroups=["deployers"])
    r = ac.check_aws_auth_conflicts("API_AND_CONFIG_MAP", aws_auth, {ci: same, node["principalArn"]: node})
    assert r["result"] == "pass" and "2 principals in both" in r["evidence"]
    assert ac.check_aws_auth_conflicts("API", aws_auth, {ci: entry})["result"] == "pass"
