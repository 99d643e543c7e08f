"""The role plans (filters iam_authenticator_plan, kube2iam_plan, calico_plan, stale_objects,
aws_auth_unmapped): what an inventory's story should turn into, and every problem it has."""
import json

import pytest

from ansible_collections.hardened.eks.plugins.filter.aws_auth_unmapped import FilterModule as UnmappedFilter
from ansible_collections.hardened.eks.plugins.filter.calico_plan import FilterModule as CalicoFilter
from ansible_collections.hardened.eks.plugins.filter.created_objects import FilterModule as CreatedFilter
from ansible_collections.hardened.eks.plugins.filter.iam_authenticator_plan import FilterModule as IamFilter
from ansible_collections.hardened.eks.plugins.filter.kube2iam_plan import FilterModule as Kube2iamFilter
from ansible_collections.hardened.eks.plugins.filter.stale_objects import FilterModule as StaleFilter
from ansible_collections.hardened.eks.plugins.filter.verify_plan import FilterModule as VerifyFilter
from ansible_collections.hardened.eks.plugins.module_utils._names import PARTITIONS
from ansible_collections.hardened.eks.plugins.module_utils._plans.verify import verify_plan
from ansible_collections.hardened.eks.plugins.module_utils._plans import calico, common, iam_authenticator, kube2iam

ACCOUNT = "111122223333"
LEVELS = {
    "read-only": {"cluster_role": "hardened-eks:read-only", "create": True, "cluster_wide": True, "namespaced": True},
    "deployer": {"cluster_role": "hardened-eks:deployer", "create": True, "cluster_wide": False, "namespaced": True},
    "namespace-admin": {"cluster_role": "admin", "create": False, "cluster_wide": False, "namespaced": True},
    "cluster-admin": {"cluster_role": "cluster-admin", "create": False, "cluster_wide": True, "namespaced": False},
}
READ = [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]
DEPLOY = [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["create"]}]
LABELS = {"app.kubernetes.io/managed-by": "hardened.eks"}


def iam_cfg(**kw):
    cfg = {"namespaces": [], "groups": [], "grants": [], "external_groups": [], "allow_cluster_admin": False,
           "levels": LEVELS, "cluster_role_rules": {"hardened-eks:read-only": READ, "hardened-eks:deployer": DEPLOY},
           "labels": LABELS, "prefix": "hardened-eks:", "reserved_groups": ["system:nodes", "system:bootstrappers"],
           "admin_group": "system:masters", "forbidden_verbs": ["escalate", "bind", "impersonate", "*"],
           "forbidden_resources": ["secrets", "*", "pods/exec"]}
    cfg.update(kw)
    return cfg


def keys(objects):
    return sorted(common.object_key(o) for o in objects)


def test_filters_are_registered():
    assert IamFilter().filters()["iam_authenticator_plan"].__wrapped__ is iam_authenticator.plan
    assert Kube2iamFilter().filters()["kube2iam_plan"].__wrapped__ is kube2iam.plan
    assert CalicoFilter().filters()["calico_plan"].__wrapped__ is calico.plan
    assert StaleFilter().filters()["stale_objects"].__wrapped__ is common.stale_objects
    assert UnmappedFilter().filters()["aws_auth_unmapped"].__wrapped__ is iam_authenticator.unmapped


# ------------------------------------------------------------------------------ iam_authenticator
def test_auditors_read_everything_and_deployers_write_only_their_namespaces():
    """Auditors (a role) read the whole cluster; Shop's CI (a role) deploys into shop and
    shop-staging; Alice (a user) is an auditor too."""
    out = iam_authenticator.plan(iam_cfg(
        namespaces=["payments"],
        groups=[{"name": "auditors", "level": "read-only"},
                {"name": "shop-deployers", "level": "deployer", "namespaces": ["shop", "shop-staging"]}],
        grants=[{"arn": "arn:aws:iam::%s:role/auditors" % ACCOUNT, "username": "auditor", "groups": ["auditors"]},
                {"arn": "arn:aws:iam::%s:role/ci/shop-ci" % ACCOUNT, "username": "shop-ci", "groups": ["shop-deployers"]},
                {"arn": "arn:aws:iam::%s:user/alice" % ACCOUNT, "username": "alice", "groups": ["auditors"]}]))
    assert out["problems"] == []
    assert keys(out["rbac"]) == sorted([
        "ClusterRole//hardened-eks:read-only",
        "ClusterRoleBinding//hardened-eks:auditors:read-only",
        "ClusterRole//hardened-eks:deployer",
        "RoleBinding/shop/hardened-eks:shop-deployers:deployer",
        "RoleBinding/shop-staging/hardened-eks:shop-deployers:deployer"])
    assert out["rbac_keys"] == [common.object_key(o) for o in out["rbac"]]
    binding = [o for o in out["rbac"] if o["metadata"].get("namespace") == "shop"][0]
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                  "name": "hardened-eks:deployer"}
    assert binding["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "shop-deployers"}]
    reader = [o for o in out["rbac"] if o["metadata"]["name"] == "hardened-eks:read-only"][0]
    assert reader["rules"] == READ and reader["metadata"]["labels"] == LABELS
    assert out["namespaces"] == ["payments", "shop", "shop-staging"]
    assert out["namespace_objects"][1] == {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}
    # Role sessions are named in the audit log; a user's name is its own.
    assert [(e["arn"].split(":")[-1], e["username"]) for e in out["aws_auth_roles"]] == [
        ("role/auditors", "auditor:{{SessionName}}"), ("role/ci/shop-ci", "shop-ci:{{SessionName}}")]
    assert out["aws_auth_users"] == [{"arn": "arn:aws:iam::%s:user/alice" % ACCOUNT, "username": "alice",
                                      "groups": ["auditors"]}]
    ci = [g for g in out["grants"] if g["name"] == "shop-ci"][0]
    assert (ci["kind"], ci["namespace"], ci["kubeconfig"]) == ("role", "shop", True)
    assert [g["namespace"] for g in out["grants"] if g["name"] != "shop-ci"] == ["default", "default"]


MIGRATION = dict(
    groups=[{"name": "auditors", "level": "read-only"}],
    grants=[{"arn": "arn:aws:iam::%s:role/sso/AWSReservedSSO_Audit" % ACCOUNT, "username": "auditor",
             "groups": ["auditors"]},
            {"arn": "arn:aws:iam::%s:user/ops" % ACCOUNT, "username": "ops", "groups": ["system:masters"]}],
    allow_cluster_admin=True, entry_tags={"hardened.eks/layer": "iam_authenticator"})


def test_access_entries_carry_the_grants_groups_and_the_admin_policy_in_place_of_system_masters():
    """During a migration (both) the SSO auditors role keeps its path in its access entry and
    gets the auditors group the RBAC binds; the ops user's system:masters (refused by EKS as a
    group) becomes the cluster admin access policy. aws-auth keeps both grants."""
    out = iam_authenticator.plan(iam_cfg(access_mode="both", **MIGRATION))
    assert out["problems"] == [] and out["access_mode"] == "both"
    tags = {"hardened.eks/layer": "iam_authenticator"}
    assert out["access_entries"] == [
        {"principal_arn": "arn:aws:iam::%s:role/sso/AWSReservedSSO_Audit" % ACCOUNT, "kubernetes_groups": ["auditors"],
         "username": "auditor:{{SessionName}}", "access_policies": [], "tags": tags},
        {"principal_arn": "arn:aws:iam::%s:user/ops" % ACCOUNT, "kubernetes_groups": [], "username": "ops",
         "access_policies": [{"policy": "AmazonEKSClusterAdminPolicy", "scope": "cluster"}], "tags": tags}]
    assert len(out["aws_auth_roles"]) == 1 and len(out["aws_auth_users"]) == 1
    only = iam_authenticator.plan(iam_cfg(access_mode="access_entries", **MIGRATION))
    assert only["access_entries"] == out["access_entries"]
    assert only["aws_auth_roles"] == [] and only["aws_auth_users"] == []
    classic = iam_authenticator.plan(iam_cfg(**MIGRATION))
    assert classic["access_entries"] == [] and len(classic["aws_auth_roles"]) == 1


def test_usernames_access_entries_refuse_are_problems_only_when_entries_are_made():
    grants = [{"arn": "arn:aws:iam::%s:user/bob" % ACCOUNT, "username": "system:bob", "groups": ["auditors"]},
              {"arn": "arn:aws:iam::%s:role/ci" % ACCOUNT, "username": "ci-{{SessionName}}", "groups": ["auditors"]}]
    cfg = dict(groups=[{"name": "auditors", "level": "read-only"}], grants=grants)
    assert iam_authenticator.plan(iam_cfg(**cfg))["problems"] == []
    problems = iam_authenticator.plan(iam_cfg(access_mode="both", **cfg))["problems"]
    assert len(problems) == 2
    assert problems[0].startswith("iam_authenticator_grants[0] (arn:aws:iam::%s:user/bob).username: an access "
                                  "entry refuses it: 'system:bob' starts with a prefix EKS keeps" % ACCOUNT)
    assert "colon before {{SessionName}}" in problems[1]
    wrong = iam_authenticator.plan(iam_cfg(access_mode="entries", **cfg))["problems"]
    assert wrong == ["iam_authenticator_access_mode: 'entries' is not one of config_map, access_entries, both"]


def test_a_custom_group_in_a_namespace_gets_a_role_and_a_binding_there():
    rules = [{"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["shop-tls"], "verbs": ["get"]}]
    out = iam_authenticator.plan(iam_cfg(groups=[{"name": "tls-readers", "rules": rules, "namespaces": ["shop"]}]))
    assert out["problems"] == []
    assert keys(out["rbac"]) == ["Role/shop/hardened-eks:group:tls-readers", "RoleBinding/shop/hardened-eks:tls-readers:custom"]
    assert out["rbac"][0]["rules"] == rules


def test_escalation_paths_in_custom_rules_are_refused():
    out = iam_authenticator.plan(iam_cfg(groups=[{"name": "ops", "rules": [
        {"apiGroups": ["*"], "resources": ["secrets", "pods"], "verbs": ["get", "escalate"]}]}]))
    assert out["problems"] == [
        "iam_authenticator_groups[0] (ops).rules[0].verbs: escalate would let the group escalate or act as anyone; "
        "not allowed in a custom group",
        "iam_authenticator_groups[0] (ops).rules[0].resources: secrets not allowed in a custom group (secrets only "
        "with resourceNames)",
        "iam_authenticator_groups[0] (ops).rules[0].apiGroups: '*' grants every present and future API group; list them"]


def test_cluster_admin_needs_the_explicit_flag():
    cfg = iam_cfg(groups=[{"name": "admins", "level": "cluster-admin"}],
                  grants=[{"arn": "arn:aws:iam::%s:role/admin" % ACCOUNT, "username": "a", "groups": ["admins"]},
                          {"arn": "arn:aws:iam::%s:role/break-glass" % ACCOUNT, "username": "b", "groups": ["system:masters"]}])
    problems = iam_authenticator.plan(cfg)["problems"]
    assert len(problems) == 2
    assert problems[0].startswith("iam_authenticator_groups[0] (admins).level: cluster-admin gives full control")
    assert problems[1].startswith("iam_authenticator_grants[1] (arn:aws:iam::%s:role/break-glass).groups: system:masters" % ACCOUNT)
    cfg["allow_cluster_admin"] = "true"
    out = iam_authenticator.plan(cfg)
    assert out["problems"] == [] and keys(out["rbac"]) == ["ClusterRoleBinding//hardened-eks:admins:cluster-admin"]


def test_grant_mistakes_are_all_reported_with_their_item():
    cfg = iam_cfg(groups=[{"name": "viewers", "level": "read-only"}], external_groups=["sso-viewers"], grants=[
        {"arn": "arn:aws:sts::%s:assumed-role/Admin/jane" % ACCOUNT, "username": "jane", "groups": ["viewers"]},
        {"arn": "arn:aws:iam::%s:role/Viewer" % ACCOUNT, "username": "", "groups": ["system:nodes", "ghosts"]},
        {"arn": "arn:aws:iam::%s:role/viewer" % ACCOUNT, "username": "v", "groups": ["sso-viewers"], "name": "Viewer"},
        {"arn": "arn:aws:iam::%s:user/bob" % ACCOUNT, "username": "bob", "groups": []}])
    problems = iam_authenticator.plan(cfg)["problems"]
    assert "assumed-role (session) ARN" in problems[0] and "arn:aws:iam::%s:role/Admin" % ACCOUNT in problems[0]
    assert [p.split(":")[0].split(" ")[0] for p in problems] == [
        "iam_authenticator_grants[0]", "iam_authenticator_grants[1]", "iam_authenticator_grants[1]",
        "iam_authenticator_grants[1]", "iam_authenticator_grants[2]", "iam_authenticator_grants[2]",
        "iam_authenticator_grants[3]"]
    text = "\n".join(problems)
    assert ".username: required" in text
    assert "system:nodes is for node and Fargate roles" in text
    assert "'ghosts' is not defined in iam_authenticator_groups" in text
    assert "granted twice" in text                       # ARNs match case-insensitively
    assert "'Viewer' is used by another grant" in text   # kubeconfig file names
    assert "a non-empty list of groups" in text


def test_levels_must_fit_their_scope_and_inputs_must_be_lists():
    cfg = iam_cfg(groups=[{"name": "d", "level": "deployer"}, {"name": "c", "level": "cluster-admin", "namespaces": ["x"]},
                          {"name": "q", "level": "nope"}, {"name": "system:x", "level": "read-only"},
                          {"name": "d", "level": "read-only", "rules": READ}], namespaces="shop",
                  allow_cluster_admin=True)
    problems = iam_authenticator.plan(cfg)["problems"]
    assert problems[0] == "iam_authenticator_namespaces: must be a list"
    assert any("(d).namespaces: level deployer is granted per namespace" in p for p in problems)
    assert any("(c).namespaces: level cluster-admin is cluster-wide only" in p for p in problems)
    assert any("(q).level: 'nope' is not one of read-only, deployer, namespace-admin, cluster-admin" in p for p in problems)
    assert any("groups starting with 'system:'" in p for p in problems)
    assert any("groups[4] (d).name: the group is defined twice" in p for p in problems)
    assert any("groups[4] (d): give either level or rules, not both" in p for p in problems)


def test_unmapped_is_what_the_record_has_and_now_lacks_case_insensitively():
    before = {"roles": ["arn:aws:iam::1:role/A", "arn:aws:iam::1:role/gone"], "users": ["arn:aws:iam::1:user/u"]}
    now = {"roles": ["arn:aws:iam::1:role/a"], "users": []}
    assert iam_authenticator.unmapped(before, now) == {"roles": [{"arn": "arn:aws:iam::1:role/gone"}],
                                                       "users": [{"arn": "arn:aws:iam::1:user/u"}]}
    assert iam_authenticator.unmapped({}, now) == {"roles": [], "users": []}


def test_stale_objects_keeps_the_planned_and_the_kind_order():
    found = [{"__kind": "RoleBinding", "resources": [
        {"apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "keep", "namespace": "shop"}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "old", "namespace": "shop"}}]},
        {"__kind": "ClusterRole", "resources": [{"metadata": {"name": "old"}}]}]
    assert common.stale_objects(found, ["RoleBinding/shop/keep"], "__kind") == [
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "old", "namespace": "shop"}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "old"}}]


def test_stale_objects_takes_the_kind_from_each_object_of_k8s_objects_info_results():
    """k8s_objects_info's list items carry their kind; the results are passed bindings first."""
    found = [{"api_found": True, "resources": [
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "old"}}]},
        {"api_found": True, "resources": [
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "keep"}},
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "old"}}]}]
    assert common.stale_objects(found, ["ClusterRole//keep"]) == [
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "old"}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "old"}}]


def test_created_objects_reads_both_shapes_of_a_k8s_result():
    """kubernetes.core.k8s answers at the top for one definition and under result.results for
    several; only the objects it created (or in check mode would create) are named."""
    def answer(name, method):
        return {"changed": method != "patch", "method": method,
                "result": {"kind": "Namespace", "metadata": {"name": name}}}
    one = answer("shop", "create")
    several = {"changed": True, "result": {"results": [answer("shop", "create"), answer("kept", "patch"),
                                                       answer("blog", "create")]}}
    assert common.created_objects(one) == ["shop"]
    assert common.created_objects(several) == ["shop", "blog"]
    assert common.created_objects(answer("kept", "patch")) == []
    assert common.created_objects({"skipped": True, "changed": False}) == []
    assert common.created_objects({}) == [] and common.created_objects(None) == []
    assert CreatedFilter().filters()["created_objects"](several) == ["shop", "blog"]


# -------------------------------------------------------------------------------------- kube2iam
def k2i_cfg(**kw):
    cfg = {"pod_roles": [], "namespaces": [], "iam_path": "/kube2iam/prod/", "role_name_prefix": "prod-",
           "migrate_to": [], "cluster_name": "prod", "region": "cn-north-1", "namespace": "kube-system", "permissions_boundary": "",
           "node_role_arns": ["arn:aws-cn:iam::%s:role/prod-nodes" % ACCOUNT], "tags": {"hardened.eks/cluster": "prod"},
           "labels": {"app.kubernetes.io/managed-by": "hardened.eks"},
           "allowed_annotation": "iam.amazonaws.com/allowed-roles", "namespace_label": "hardened.eks/kube2iam-namespace",
           "irsa_annotation": "eks.amazonaws.com/role-arn"}
    cfg.update(kw)
    return cfg


def test_each_pod_role_is_allowed_only_in_its_namespace_and_migrates_as_asked():
    """Shop's web reads its bucket through kube2iam and is moving to IRSA; Shop's worker stays;
    Payments' api moves to Pod Identity; the batch namespace has no role at all."""
    policy = ["arn:aws-cn:iam::aws:policy/ReadOnlyAccess"]
    out = kube2iam.plan(k2i_cfg(namespaces=["batch"], pod_identity_service_accounts=["payments/api-sa"],
                                association_tags={"hardened.eks/layer": "kube2iam"}, pod_roles=[
        {"name": "web", "namespace": "shop", "managed_policy_arns": policy, "migrate_to": ["irsa"]},
        {"name": "Worker", "namespace": "shop", "inline_policies": {"q": {}}, "tags": {"team": "shop"}},
        {"name": "api", "namespace": "payments", "managed_policy_arns": policy, "migrate_to": ["pod_identity"],
         "service_account": "api-sa"}]))
    assert out["problems"] == []
    arn = "arn:aws-cn:iam::%s:role/kube2iam/prod/prod-%%s" % ACCOUNT
    assert [r["arn"] for r in out["roles"]] == [arn % "web", arn % "Worker", arn % "api"]
    assert out["iam_names"] == ["prod-web", "prod-Worker", "prod-api"]
    assert out["namespaces"] == ["batch", "shop", "payments"]
    annotations = dict((o["metadata"]["name"], o["metadata"]["annotations"]["iam.amazonaws.com/allowed-roles"])
                       for o in out["annotated_namespaces"])
    assert json.loads(annotations["batch"]) == []
    assert annotations["shop"] == json.dumps([arn % "web", arn % "Worker"])  # case-insensitive order
    assert json.loads(annotations["payments"]) == [arn % "api"]
    web, worker, api = out["roles"]
    assert web["trust"] == {"kube2iam": {"node_role_arns": ["arn:aws-cn:iam::%s:role/prod-nodes" % ACCOUNT]},
                            "irsa": {"cluster_name": "prod", "namespace": "shop", "service_account": "web"}}
    assert set(worker["trust"]) == {"kube2iam"} and worker["tags"] == {
        "hardened.eks/cluster": "prod", "hardened.eks/namespace": "shop", "team": "shop"}
    assert api["trust"]["pod_identity"] == {"namespace": "payments", "service_account": "api-sa",
                                            "cluster_arn": "arn:aws-cn:eks:cn-north-1:%s:cluster/prod" % ACCOUNT}
    # IRSA's service account carries the role; Pod Identity's does not (the association names it).
    assert [(s["metadata"]["namespace"], s["metadata"]["name"], s["metadata"]["annotations"].get("eks.amazonaws.com/role-arn"))
            for s in out["service_accounts"]] == [("shop", "web", arn % "web"), ("payments", "api-sa", None)]
    assert out["pod_identity_associations"] == [{"namespace": "payments", "service_account": "api-sa",
                                                 "role_arn": arn % "api", "tags": {"hardened.eks/layer": "kube2iam"}}]
    assert out["node_policy"]["Statement"][0]["Resource"] == "arn:aws-cn:iam::%s:role/kube2iam/prod/*" % ACCOUNT
    assert out["role_pattern"] == out["node_policy"]["Statement"][0]["Resource"]


def test_the_pod_roles_are_a_batch_eks_pod_iam_role_accepts():
    """The kube2iam role hands module_roles to eks_pod_iam_role's roles option as they are: each
    item validates as the module validates it, under the role's path, without a boundary when
    none is set, and with the same trust the plan computed."""
    from ansible_collections.hardened.eks.plugins.module_utils._iam.batch import validate_batch
    from ansible_collections.hardened.eks.plugins.modules.eks_pod_iam_role import ROLE_SPEC
    policy = ["arn:aws-cn:iam::aws:policy/ReadOnlyAccess"]
    out = kube2iam.plan(k2i_cfg(pod_identity_service_accounts=["shop/web"], pod_roles=[
        {"name": "web", "namespace": "shop", "managed_policy_arns": policy, "migrate_to": ["pod_identity"]},
        {"name": "job", "namespace": "shop", "inline_policies": {"q": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sqs:ReceiveMessage", "Resource": "*"}]}},
         "permissions_boundary": "arn:aws-cn:iam::%s:policy/pods" % ACCOUNT}]))
    assert out["problems"] == []
    entries = validate_batch(out["module_roles"], ROLE_SPEC)
    expected = [("prod-web", "/kube2iam/prod/"), ("prod-job", "/kube2iam/prod/")]
    assert [(e.desired["name"], e.desired["path"]) for e in entries] == expected
    assert entries[0].desired["permissions_boundary"] is None
    assert entries[1].desired["permissions_boundary"] == "arn:aws-cn:iam::%s:policy/pods" % ACCOUNT
    assert [e.desired["trust"] for e in entries] == [r["trust"] for r in out["roles"]]
    assert entries[0].trust_doc["Statement"][1]["Principal"] == {"Service": "pods.eks.amazonaws.com"}


def test_pod_role_mistakes_are_all_reported():
    out = kube2iam.plan(k2i_cfg(iam_path="/", migrate_to=["eks"], namespaces=["Shop"], pod_roles=[
        {"name": "sys", "namespace": "kube-system", "managed_policy_arns": ["x"]},
        {"name": "a" * 60, "namespace": "shop", "managed_policy_arns": ["x"]},
        {"name": "dup", "namespace": "shop"},
        {"name": "DUP", "namespace": "shop", "managed_policy_arns": ["x"], "migrate_to": ["irsa"], "service_account": "Bad"},
        "not-a-mapping"]))
    text = "\n".join(out["problems"])
    assert out["problems"][0].startswith("kube2iam_iam_path: '/' must be an IAM path")
    assert "kube2iam_migrate_to[0]: 'eks' is not irsa or pod_identity" in text
    assert "kube2iam_namespaces[0]: 'Shop' is not a namespace name" in text
    assert "kube2iam_pod_roles[0] (sys).namespace: kube-system is a system namespace" in text
    assert "kube2iam_pod_roles[1] (%s).name: the IAM role name prod-%s is longer than 64" % ("a" * 60, "a" * 60) in text
    assert "kube2iam_pod_roles[2] (dup): no managed_policy_arns and no inline_policies" in text
    assert "kube2iam_pod_roles[3] (DUP).name: used by another pod role" in text
    assert "kube2iam_pod_roles[3] (DUP).service_account: 'Bad' is not a service account name" in text
    assert "kube2iam_pod_roles[4]: must be a mapping" in text
    unlisted = kube2iam.plan(k2i_cfg(pod_roles=[{"name": "etl", "namespace": "shop", "managed_policy_arns": ["x"],
                                                 "migrate_to": ["pod_identity"]}]))["problems"]
    assert unlisted == ["kube2iam_pod_roles[0] (etl).migrate_to: pod_identity, but shop/etl is not in "
                        "hardened_eks_pod_identity_service_accounts; add it there, so the Calico baseline lets its "
                        "pods reach the Pod Identity agent and the cluster role installs the agent"]


# ---------------------------------------------------------------------------------------- calico
def calico_cfg(**kw):
    cfg = {"application_namespaces": ["shop"], "applications": [], "tier_name": "hardened-eks", "tier_order": 100,
           "baseline_order": 100, "application_order": 500, "default_deny_order": 2000,
           "metadata_cidrs": ["169.254.169.254/32", "fd00:ec2::254/128"],
           "metadata_deny_namespace_selector": "has(projectcalico.org/name)", "dns_namespace": "kube-system",
           "dns_selector": "k8s-app == 'kube-dns'", "kube2iam": True, "kube2iam_port": "8181",
           "node_cidrs": ["10.0.0.0/24"], "labels": {"hardened.eks/layer": "calico"}}
    cfg.update(kw)
    return cfg


def by_name(policies):
    return dict(("%s/%s" % (p.get("namespace", ""), p["name"]), p) for p in policies)


def test_every_application_namespace_is_denied_by_default_and_allowed_dns_and_kube2iam():
    out = calico.plan(calico_cfg(application_namespaces=["shop", "payments", "shop"], applications=[
        {"name": "web", "namespace": "shop", "ingress": [{"from_namespaces": ["ingress"], "ports": [8080]}],
         "egress": [{"to_cidrs": ["10.1.0.0/16"], "ports": [5432]}]}]))
    assert out["problems"] == []
    assert out["namespaces"] == ["shop", "payments"]
    pols = by_name(out["policies"])
    assert sorted(pols) == sorted(["/hardened-eks", "/hardened-eks.deny-instance-metadata"] + [
        "%s/hardened-eks-%s" % (n, p) for n in ("shop", "payments") for p in ("default-deny", "allow-dns", "allow-kube2iam")]
        + ["shop/hardened-eks-app-web"])
    deny = pols["/hardened-eks.deny-instance-metadata"]["spec"]
    assert deny["egress"] == [{"action": "Deny", "ipVersion": 4, "destination": {"nets": ["169.254.169.254/32"]}},
                              {"action": "Deny", "ipVersion": 6, "destination": {"nets": ["fd00:ec2::254/128"]}},
                              {"action": "Pass"}]
    assert pols["shop/hardened-eks-default-deny"]["spec"] == {"order": 2000, "selector": "all()", "types": ["Ingress", "Egress"]}
    k2i = pols["payments/hardened-eks-allow-kube2iam"]
    assert k2i["spec"]["egress"] == [{"action": "Allow", "protocol": "TCP",
                                      "destination": {"nets": ["10.0.0.0/24"], "ports": [8181]}}]
    assert k2i["labels"]["hardened.eks/kube2iam-port"] == "8181"
    web = pols["shop/hardened-eks-app-web"]["spec"]
    assert web["order"] == 500 and web["types"] == ["Ingress", "Egress"]
    assert web["ingress"] == [{"action": "Allow", "protocol": "TCP",
                               "source": {"namespaceSelector": "projectcalico.org/name in {'ingress'}"},
                               "destination": {"ports": [8080]}}]
    assert web["egress"] == [{"action": "Allow", "protocol": "TCP", "destination": {"nets": ["10.1.0.0/16"], "ports": [5432]}}]


def test_without_kube2iam_there_is_no_kube2iam_allow_and_no_node_cidrs_needed():
    out = calico.plan(calico_cfg(kube2iam=False, node_cidrs=[]))
    assert out["problems"] == [] and "shop/hardened-eks-allow-kube2iam" not in by_name(out["policies"])


def test_only_the_listed_service_accounts_pods_may_reach_the_pod_identity_agent():
    """Shop's etl and api use Pod Identity; payments has none, so no allowance there."""
    out = calico.plan(calico_cfg(application_namespaces=["shop", "payments"],
                                 pod_identity_service_accounts=["shop/etl", "shop/api", "shop/etl"],
                                 pod_identity_cidrs=["169.254.170.23/32", "fd00:ec2::23/128"]))
    assert out["problems"] == []
    pols = by_name(out["policies"])
    assert "payments/hardened-eks-allow-pod-identity" not in pols
    spec = pols["shop/hardened-eks-allow-pod-identity"]["spec"]
    assert spec["serviceAccountSelector"] == "projectcalico.org/name in {'api', 'etl'}"
    assert spec["order"] == 100 and spec["types"] == ["Egress"]
    assert spec["egress"] == [
        {"action": "Allow", "protocol": "TCP", "ipVersion": 4, "destination": {"nets": ["169.254.170.23/32"],
                                                                               "ports": [80]}},
        {"action": "Allow", "protocol": "TCP", "ipVersion": 6, "destination": {"nets": ["fd00:ec2::23/128"],
                                                                               "ports": [80]}}]
    bad = calico.plan(calico_cfg(pod_identity_service_accounts=["etl", "other/etl", "shop/Bad_SA"],
                                 pod_identity_cidrs=["169.254.170.23/32"]))["problems"]
    assert bad == ["calico_pod_identity_service_accounts[0]: 'etl' is not <namespace>/<service account>",
                   "calico_pod_identity_service_accounts[1]: other is not in calico_application_namespaces; its "
                   "pods have no default deny, so the allowance would mean nothing",
                   "calico_pod_identity_service_accounts[2]: 'shop/Bad_SA' is not <namespace>/<service account>"]


def test_inventory_mistakes_are_all_reported():
    out = calico.plan(calico_cfg(application_namespaces=["shop", "kube-system", "Bad"], kube2iam_port=80,
                                 node_cidrs=[], metadata_cidrs=["fd00:ec2::254/128"], applications=[
        {"name": "web", "namespace": "shop", "ingress": [{"from_cidrs": ["10.0.0.0/8"], "bogus": 1}, {}]},
        {"name": "web", "namespace": "other", "egress": [{"to_selector": "app == 'x'"}]},
        {"name": "empty", "namespace": "shop"}]))
    text = "\n".join(out["problems"])
    assert "calico_application_namespaces[1]: kube-system is a system namespace" in text
    assert "calico_application_namespaces[2]: 'Bad' is not a namespace name" in text
    assert "calico_kube2iam_port: 80 must be kube2iam's --app-port" in text
    assert "calico_node_cidrs: empty" in text
    assert "calico_metadata_cidrs: must include 169.254.169.254/32" in text
    assert "calico_applications[0] (web).ingress[0]: unknown keys bogus" in text
    assert "calico_applications[0] (web).ingress[1]: say where from" in text
    assert "calico_applications[1] (web).name: used by another application" in text
    assert "calico_applications[1] (web).namespace: 'other' is not in calico_application_namespaces" in text
    assert "calico_applications[2] (empty): no ingress or egress rules" in text


@pytest.mark.parametrize("app, expect", [
    ({"name": "web", "namespace": "shop", "egress": [{"to_cidrs": ["10.0.0.0/33"]}]}, "10.0.0.0/33"),
    ({"name": "web", "namespace": "shop", "egress": [{"to_cidrs": ["10.0.0.1/8"]}]}, "10.0.0.1/8"),
    ({"name": "web", "namespace": "shop", "egress": [{"to_selector": "app == "}]}, "selector"),
    ({"name": "web", "namespace": "shop", "egress": [{"to_cidrs": ["0.0.0.0/0"], "ports": [70000]}]}, "70000"),
    ({"name": "web", "namespace": "shop", "egress": [{"to_cidrs": ["0.0.0.0/0"], "protocol": "TPC"}]}, "TPC"),
])
def test_what_calico_policy_would_refuse_is_reported_before_anything_is_installed(app, expect):
    """The preflight used to pass these, and calico_policy refused them after Calico was installed."""
    problems = calico.plan(calico_cfg(applications=[app]))["problems"]
    assert problems and all(p.startswith("calico_applications[0] (web): ") for p in problems), problems
    assert expect in "\n".join(problems)


def test_a_bad_node_cidr_or_dns_selector_is_reported_as_the_baselines():
    problems = calico.plan(calico_cfg(node_cidrs=["10.0.0.0/40"], dns_selector="k8s-app = = x"))["problems"]
    assert problems and all(p.startswith("the baseline (") for p in problems)
    text = "\n".join(problems)
    assert "10.0.0.0/40" in text and "selector" in text


def test_the_offline_plan_before_the_subnet_lookup_does_not_miss_the_node_cidrs_but_checks_the_rest():
    """calico_node_subnet_filters are looked up after the offline plan: no node CIDR yet is fine
    then, but every other mistake is still reported before any request."""
    offline = calico.plan(calico_cfg(node_cidrs=[], node_subnet_lookup=True))
    assert offline["problems"] == [] and offline["node_cidrs"] == []
    bad = calico.plan(calico_cfg(node_cidrs=[], node_subnet_lookup=True, applications=[
        {"name": "web", "namespace": "shop", "egress": [{"to_cidrs": ["10.0.0.1/8"]}]}]))["problems"]
    assert bad and "10.0.0.1/8" in "\n".join(bad)
    # a listed CIDR is checked in the offline plan too, filters or not
    listed = calico.plan(calico_cfg(node_cidrs=["10.0.0.0/40"], node_subnet_lookup=True))["problems"]
    assert "10.0.0.0/40" in "\n".join(listed)
    # after the lookup (node_subnet_lookup false), finding nothing is the problem it always was
    after = calico.plan(calico_cfg(node_cidrs=[], node_subnet_lookup=False))["problems"]
    assert any(p.startswith("calico_node_cidrs: empty") for p in after)


# -------------------------------------------------------------------------------------- verify
def verify_cfg(**kw):
    cfg = {"cluster_name": "prod", "partition": "aws", "account_id": ACCOUNT, "node_role_name": "",
           "node_role_arns": None, "cni_policy_on_node_role": None, "vpc_cni_irsa": True,
           "vpc_cni_detach_node_cni_policy": True, "cluster_extra_policies": [], "extra_policies": [],
           "node_role_policies": None}
    cfg.update(kw)
    return cfg


WORKER = "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"
ECR = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
CNI = "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"


def test_verify_expects_the_node_role_the_cluster_role_made():
    """The cluster role names the node role <cluster>-eks-node; aws-node on IRSA took the CNI
    policy off it; an SSM policy was added on purpose, and kube2iam's inline policy."""
    plan = verify_plan(verify_cfg(cluster_extra_policies=["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"],
                                  extra_policies=["kube2iam-assume"]))
    assert plan["problems"] == []
    assert plan["node_role_arns"] == ["arn:aws:iam::%s:role/prod-eks-node" % ACCOUNT]
    assert plan["node_role_policies"] == [WORKER, ECR, "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
                                          "kube2iam-assume"]
    assert plan["cni_policy_on_node_role"] is False


@pytest.mark.parametrize("irsa, detach, expected", [(True, True, False), (True, False, True), (False, True, True),
                                                    ("no", "yes", True)])
def test_verify_cni_policy_stays_on_the_node_role_unless_irsa_took_it(irsa, detach, expected):
    plan = verify_plan(verify_cfg(vpc_cni_irsa=irsa, vpc_cni_detach_node_cni_policy=detach))
    assert plan["cni_policy_on_node_role"] is expected
    assert (CNI in plan["node_role_policies"]) is expected


def test_verify_values_of_the_inventory_win_and_other_partitions_are_spelled_right():
    plan = verify_plan(verify_cfg(partition="aws-cn", node_role_name="nodes", cni_policy_on_node_role=True))
    assert plan["node_role_arns"] == ["arn:aws-cn:iam::%s:role/nodes" % ACCOUNT]
    assert plan["node_role_policies"][-1] == "arn:aws-cn:iam::aws:policy/AmazonEKS_CNI_Policy"
    given = verify_plan(verify_cfg(node_role_arns=["arn:aws:iam::%s:role/x" % ACCOUNT], node_role_policies=[WORKER]))
    assert (given["node_role_arns"], given["node_role_policies"]) == (["arn:aws:iam::%s:role/x" % ACCOUNT], [WORKER])
    assert verify_plan(verify_cfg(account_id=""))["node_role_arns"] == []


def test_verify_bad_values_are_all_named():
    plan = verify_plan(verify_cfg(partition="aws-mars", account_id="12345", node_role_name="bad name",
                                  extra_policies=["arn:aws:iam::aws:role/NotAPolicy"],
                                  node_role_arns=["arn:aws:iam::%s:user/u" % ACCOUNT]))
    assert plan["problems"] == [
        "verify_partition: 'aws-mars' is not an AWS partition (%s)" % ", ".join(PARTITIONS),
        "verify_account_id: '12345' is not a 12-digit AWS account id",
        "verify_node_role_name: 'bad name' is not an IAM role name",
        "verify_node_role_arns[0]: 'arn:aws:iam::%s:user/u' is not an IAM role ARN" % ACCOUNT,
        "verify_node_role_extra_policies[0]: 'arn:aws:iam::aws:role/NotAPolicy' is neither a managed policy ARN "
        "nor an inline policy name"]
    assert VerifyFilter().filters()["verify_plan"](verify_cfg())["problems"] == []
