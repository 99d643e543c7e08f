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
