"""playbooks/site.yml and playbooks/teardown.yml end to end against the sandbox inventory.

- the Calico baseline and kube2iam agree: the rendered policies allow egress TCP <kube2iam
  --app-port> to the node subnets and deny 169.254.169.254/32 before anything else, for the
  default port and for another shared port; each role refuses a port the other one disagrees
  with, before writing anything;
- site.yml converges, a second run and a ``--check`` run report changed=0;
- removing an application, a grant or a pod role from the inventory removes its policy, its
  aws-auth entry and kubeconfig, its IAM role and allowed-roles entry;
- teardown.yml removes what the three identity/isolation layers made (and keeps the node role's
  aws-auth entry), and site.yml restores it all.

The sandbox is shared: the tests converge the sandbox inventory's own state (what ``make demo``
leaves) and restore it after each change. Each role alone is covered by its Molecule scenario.
"""
import json
import os
import re
import subprocess
import sys
import uuid

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INVENTORY = os.path.join(ROOT, "inventories", "sandbox")
SITE = os.path.join(ROOT, "playbooks", "site.yml")
TEARDOWN = os.path.join(ROOT, "playbooks", "teardown.yml")
GROUP_VARS = os.path.join(INVENTORY, "group_vars", "eks_clusters")
NODE_ROLE_ARN = "arn:aws:iam::123456789012:role/hardened-eks-sandbox-node"
APP_NAMESPACES = ["payments", "storefront", "analytics"]

# Renders what the two roles would write, without writing: the calico preflight (which
# computes the whole policy batch) and kube2iam's arguments, then dumps them as JSON.
RENDER = """
- hosts: eks_clusters
  gather_facts: false
  module_defaults:
    group/kubernetes.core.k8s:
      kubeconfig: "{{ hardened_eks_kubeconfig }}"
    group/amazon.aws.aws:
      region: "{{ hardened_eks_region }}"
  tasks:
    - name: Render the Calico baseline
      ansible.builtin.include_role:
        name: hardened.eks.calico
        tasks_from: preflight
        public: true
    - name: Render kube2iam's arguments
      ansible.builtin.include_role:
        name: hardened.eks.kube2iam
        tasks_from: preflight
        public: true
    - name: Dump them
      ansible.builtin.copy:
        content: "{{ {'policies': _calico_plan.policies, 'node_cidrs': _calico_plan.node_cidrs,
                      'kube2iam_args': _kube2iam_args} | to_json }}"
        dest: "%(out)s"
        mode: "0600"
"""


def _load(name):
    with open(os.path.join(GROUP_VARS, name)) as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def play(sandbox, tmp_path_factory):
    """play(playbook, extra_vars=None, check=False, tags=None) -> (rc, output)."""
    tmp = tmp_path_factory.mktemp("site")

    def _run(playbook, extra_vars=None, check=False, tags=None, timeout=900):
        if "\n" in playbook:
            path = tmp / ("play-%s.yml" % uuid.uuid4().hex[:6])
            path.write_text(playbook)
            playbook = str(path)
        cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), playbook, "-i", INVENTORY]
        if extra_vars:
            varfile = tmp / ("vars-%s.json" % uuid.uuid4().hex[:6])
            varfile.write_text(json.dumps(extra_vars))
            cmd += ["-e", "@%s" % varfile]
        if check:
            cmd += ["--check", "--diff"]
        if tags:
            cmd += ["--tags", ",".join(tags)]
        env = dict(sandbox.env)
        env.setdefault("ANSIBLE_PYTHON_INTERPRETER", sys.executable)
        env.update({"ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0"})
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=ROOT,
                              timeout=timeout, check=False)
        return proc.returncode, proc.stdout.decode("utf-8", "replace")
    _run.tmp = tmp
    return _run


def recap(out):
    hosts = re.findall(r"^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", out, re.M)
    assert hosts, out[-3000:]
    host = hosts[-1]
    return {"ok": int(host[1]), "changed": int(host[2]), "failed": int(host[4])}


def changed_tasks(out):
    return re.findall(r"TASK \[([^\]]+)\][^\n]*\n(?:[^\n]*\n)*?changed:", out)


@pytest.fixture(scope="module")
def converged(play):
    rc, out = play(SITE)
    assert rc == 0, out[-5000:]
    return True


@pytest.fixture
def api(k8s):
    from kubernetes import client
    return {"core": client.CoreV1Api(k8s), "rbac": client.RbacAuthorizationV1Api(k8s),
            "custom": client.CustomObjectsApi(k8s), "apps": client.AppsV1Api(k8s)}


def calico_objects(api, plural):
    return api["custom"].list_cluster_custom_object(
        "crd.projectcalico.org", "v1", plural, label_selector="hardened.eks/layer=calico")["items"]


def aws_auth(api):
    data = api["core"].read_namespaced_config_map("aws-auth", "kube-system").data or {}
    out = {}
    for key, field in (("mapRoles", "rolearn"), ("mapUsers", "userarn")):
        for e in yaml.safe_load(data.get(key) or "[]") or []:
            out[e[field]] = e
    return out


def _ours(event):
    """Audit events about objects site.yml's identity and isolation layers manage (the sandbox
    is shared: other tests write elsewhere at the same time)."""
    ref = event.get("objectRef") or {}
    name = ref.get("name") or ""
    return (ref.get("namespace") in APP_NAMESPACES
            or (ref.get("resource") == "namespaces" and name in APP_NAMESPACES)
            or name in ("aws-auth", "kube2iam", "hardened-eks-iam-authenticator")
            or name.startswith("hardened-eks"))


def pod_roles(boto3_client):
    return {r["RoleName"]: r for r in boto3_client("iam").list_roles(PathPrefix="/kube2iam/sandbox/")["Roles"]}


# --------------------------------------------------------------------------------------------
# Calico and kube2iam agree
# --------------------------------------------------------------------------------------------
def _render(play, extra_vars=None):
    out_file = play.tmp / ("render-%s.json" % uuid.uuid4().hex[:6])
    rc, out = play(RENDER % {"out": out_file}, extra_vars=extra_vars)
    assert rc == 0, out[-4000:]
    return json.loads(out_file.read_text())


def _assert_consistent(rendered, port):
    args = rendered["kube2iam_args"]
    assert "--app-port=%d" % port in args
    assert "--iptables=true" in args and "--host-interface=eni+" in args and "--host-ip=$(HOST_IP)" in args
    policies = rendered["policies"]

    tier = [p for p in policies if p["kind"] == "Tier"]
    assert len(tier) == 1 and tier[0]["spec"]["order"] < 1000  # before kube-admin (1000) and default (1e6)
    deny = [p for p in policies if p["kind"] == "GlobalNetworkPolicy"]
    assert len(deny) == 1
    spec = deny[0]["spec"]
    assert spec["tier"] == tier[0]["name"] and spec["types"] == ["Egress"]
    assert spec["egress"][0] == {"action": "Deny", "ipVersion": 4, "destination": {"nets": ["169.254.169.254/32"]}}
    # nothing is allowed in that tier: the deny, then Pass to the default tier
    assert [r["action"] for r in spec["egress"]] == ["Deny", "Deny", "Pass"]
    assert spec["egress"][-1] == {"action": "Pass"}

    for ns in APP_NAMESPACES:
        k2i = [p for p in policies if p.get("namespace") == ns and p["name"] == "hardened-eks-allow-kube2iam"]
        assert len(k2i) == 1, ns
        rules = k2i[0]["spec"]["egress"]
        assert rules == [{"action": "Allow", "protocol": "TCP",
                          "destination": {"nets": rendered["node_cidrs"], "ports": [port]}}]
        assert k2i[0]["labels"]["hardened.eks/kube2iam-port"] == str(port)
        # no rule of the namespace allows the metadata address itself
        for p in policies:
            if p.get("namespace") != ns:
                continue
            for r in p["spec"].get("egress") or []:
                assert "169.254.169.254/32" not in (r.get("destination") or {}).get("nets", []), p["name"]
    assert rendered["node_cidrs"] == ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"]


def test_calico_and_kube2iam_agree_on_the_port(play, converged):
    _assert_consistent(_render(play), 8181)


def test_one_shared_port_moves_both(play, converged):
    # The shared variable drives both roles; the preflights read the running cluster, so the
    # other layer's check is switched off for this render only (nothing is written).
    rendered = _render(play, {"hardened_eks_kube2iam_port": 8282, "kube2iam_check_calico": False,
                              "calico_check_kube2iam": False})
    _assert_consistent(rendered, 8282)


def test_calico_refuses_a_port_kube2iam_does_not_use(play, converged, audit):
    mark = audit.mark()
    rc, out = play(SITE, extra_vars={"calico_kube2iam_port": 8282}, tags=["calico"])
    assert rc != 0
    assert "kube2iam runs with --app-port 8181 but" in out and "calico_kube2iam_port is 8282" in out
    assert [w["requestURI"] for w in audit.writes(mark) if _ours(w)] == []


def test_kube2iam_refuses_a_port_calico_does_not_allow(play, converged, audit, aws_requests):
    mark, amark = audit.mark(), aws_requests.mark()
    rc, out = play(SITE, extra_vars={"kube2iam_app_port": 8282}, tags=["kube2iam"])
    assert rc != 0
    assert "The Calico baseline allows TCP 8181" in out and "kube2iam_app_port is 8282" in out
    assert [w["requestURI"] for w in audit.writes(mark) if _ours(w)] == []
    assert [r for r in aws_requests.mutating(amark) if "kube2iam" in json.dumps(r)] == []


# --------------------------------------------------------------------------------------------
# site.yml: converge, idempotent, check mode quiet
# --------------------------------------------------------------------------------------------
def test_site_is_idempotent_and_check_mode_is_quiet(play, converged, audit):
    rc, out = play(SITE)
    assert rc == 0, out[-4000:]
    assert recap(out)["changed"] == 0, changed_tasks(out)
    mark = audit.mark()
    rc, out = play(SITE, check=True)
    assert rc == 0, out[-4000:]
    assert recap(out)["changed"] == 0, changed_tasks(out)
    assert [w["requestURI"] for w in audit.writes(mark) if _ours(w)] == []


def test_check_mode_with_one_namespace_still_to_be_created(play, converged, audit, k8s):
    """A new group whose only namespace does not exist yet: check mode reports the namespace it
    would create and leaves that namespace's RoleBinding out (the API server refuses even a
    dry run there) instead of failing; nothing is written. One namespace is the case where
    kubernetes.core.k8s answers at the top of its result, not under result.results."""
    from kubernetes import client
    ns = "t-new-%s" % uuid.uuid4().hex[:6]
    mark = audit.mark()
    rc, out = play(SITE, check=True, tags=["iam_authenticator_namespaces", "iam_authenticator_rbac"], extra_vars={
        "iam_authenticator_namespaces": [], "iam_authenticator_purge_rbac": False,
        "iam_authenticator_groups": [{"name": "new-readers", "level": "read-only", "namespaces": [ns]}],
        "iam_authenticator_grants": [{"name": "new-reader", "arn": "arn:aws:iam::123456789012:role/new-reader",
                                      "username": "new-reader", "groups": ["new-readers"]}]})
    assert rc == 0, out[-4000:]
    task = re.search(r"TASK \[hardened\.eks\.common : Create the application namespaces\][^\n]*\n((?:(?!TASK )[^\n]*\n)*)",
                     out)
    assert task and task.group(1).lstrip().startswith("changed:"), out[-4000:]
    # the RBAC task ran (the shared read-only ClusterRole exists), without the new namespace's binding
    assert re.search(r"TASK \[hardened\.eks\.iam_authenticator : Write the ClusterRoles[^\n]*\n\s*ok:", out), \
        out[-4000:]
    assert [w["requestURI"] for w in audit.writes(mark) if _ours(w)] == []
    names = [n.metadata.name for n in client.CoreV1Api(k8s).list_namespace().items]
    assert ns not in names


def test_site_result(converged, api, boto3_client):
    entries = aws_auth(api)
    assert "system:nodes" in entries[NODE_ROLE_ARN]["groups"]
    assert entries["arn:aws:iam::123456789012:role/ci-deployer"]["username"] == "ci-deployer:{{SessionName}}"
    assert not any("system:masters" in e.get("groups", []) for e in entries.values())
    names = sorted("%s/%s" % (p["metadata"]["namespace"], p["metadata"]["name"])
                   for p in calico_objects(api, "networkpolicies"))
    # three baseline policies per namespace, four applications, and the Pod Identity allowance of
    # the one namespace whose etl service account moves to Pod Identity
    assert "payments/hardened-eks-app-payments-api" in names and len(names) == 3 * 3 + 4 + 1
    allowance = [p for p in calico_objects(api, "networkpolicies")
                 if p["metadata"]["name"] == "hardened-eks-allow-pod-identity"]
    assert [p["metadata"]["namespace"] for p in allowance] == ["analytics"]
    assert allowance[0]["spec"]["serviceAccountSelector"] == "projectcalico.org/name in {'etl'}"
    assert sorted(pod_roles(boto3_client)) == ["sandbox-analytics-etl", "sandbox-payments-api",
                                               "sandbox-payments-reconciler", "sandbox-storefront-web"]
    # analytics-etl is moving to EKS Pod Identity: its service account, its association, the agent
    eks = boto3_client("eks")
    assoc = eks.list_pod_identity_associations(clusterName="sandbox")["associations"]
    assert [(a["namespace"], a["serviceAccount"]) for a in assoc] == [("analytics", "etl")]
    described = eks.describe_pod_identity_association(clusterName="sandbox",
                                                      associationId=assoc[0]["associationId"])["association"]
    assert described["roleArn"].endswith(":role/kube2iam/sandbox/sandbox-analytics-etl")
    assert described["tags"]["hardened.eks/layer"] == "kube2iam"
    assert api["core"].read_namespaced_service_account("etl", "analytics").metadata.name == "etl"
    assert eks.describe_addon(clusterName="sandbox", addonName="eks-pod-identity-agent")["addon"]["status"] == "ACTIVE"
    ds = api["apps"].read_namespaced_daemon_set("kube2iam", "kube-system")
    assert "--namespace-restrictions=true" in ds.spec.template.spec.containers[0].args


def test_check_mode_with_a_pod_role_in_a_new_namespace_leaves_its_service_account_out(play, converged, audit, k8s):
    """A new pod role moving to IRSA in a namespace that does not exist yet (one namespace: the
    single-definition answer of kubernetes.core.k8s): check mode predicts the namespace and leaves
    the service account's dry-run out instead of failing; nothing is written."""
    from kubernetes import client
    ns = "t-k2i-%s" % uuid.uuid4().hex[:6]
    mark = audit.mark()
    rc, out = play(SITE, check=True, tags=["kube2iam_namespaces"], extra_vars={
        "kube2iam_namespaces": [], "kube2iam_pod_roles": [
            {"name": "new-web", "namespace": ns, "migrate_to": ["irsa"],
             "managed_policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}]})
    assert rc == 0, out[-4000:]
    assert re.search(r"TASK \[hardened\.eks\.kube2iam : Create the application namespaces and set their allowed "
                     r"roles\][^\n]*\n\s*changed:", out), out[-4000:]
    assert [w["requestURI"] for w in audit.writes(mark) if _ours(w)] == []
    assert ns not in [n.metadata.name for n in client.CoreV1Api(k8s).list_namespace().items]


def test_the_migrate_playbook_moves_the_listed_pod_roles_to_pod_identity(play, converged, api, boto3_client):
    """migrate.yml's migrate_pod_identity step on a cluster where analytics-etl's association,
    the agent add-on and the Calico allowance are missing: all three are made again, and a second
    run changes nothing. Without migrate_pod_identity=true the step does nothing."""
    eks = boto3_client("eks")
    from kubernetes import client
    custom = client.CustomObjectsApi(api["core"].api_client)
    for assoc in eks.list_pod_identity_associations(clusterName="sandbox")["associations"]:
        eks.delete_pod_identity_association(clusterName="sandbox", associationId=assoc["associationId"])
    eks.delete_addon(clusterName="sandbox", addonName="eks-pod-identity-agent")
    custom.delete_namespaced_custom_object("crd.projectcalico.org", "v1", "analytics", "networkpolicies",
                                           "hardened-eks-allow-pod-identity")
    migrate = os.path.join(ROOT, "playbooks", "migrate.yml")
    rc, out = play(migrate, tags=["migrate_pod_identity"])
    assert rc == 0, out[-3000:]
    assert eks.list_pod_identity_associations(clusterName="sandbox")["associations"] == []   # not asked for
    rc, out = play(migrate, extra_vars={"migrate_pod_identity": True}, tags=["migrate_pod_identity"])
    assert rc == 0, out[-3000:]
    assoc = eks.list_pod_identity_associations(clusterName="sandbox")["associations"]
    assert [(a["namespace"], a["serviceAccount"]) for a in assoc] == [("analytics", "etl")]
    assert eks.describe_addon(clusterName="sandbox", addonName="eks-pod-identity-agent")["addon"]["status"] == "ACTIVE"
    assert custom.get_namespaced_custom_object("crd.projectcalico.org", "v1", "analytics", "networkpolicies",
                                               "hardened-eks-allow-pod-identity")["spec"]["egress"]
    rc, out = play(migrate, extra_vars={"migrate_pod_identity": True}, tags=["migrate_pod_identity"])
    assert rc == 0 and re.search(r"ok=\d+\s+changed=0\s", out), out[-3000:]


def test_who_is_admin_is_the_inventory_not_the_creator(converged, boto3_client):
    """No silent admin: the cluster was created without EKS's bootstrap of the creator, it is
    protected from deletion, and its cluster admins are exactly cluster_admin_principals."""
    eks = boto3_client("eks")
    cluster = eks.describe_cluster(name="sandbox")["cluster"]
    assert cluster["accessConfig"] == {"bootstrapClusterCreatorAdminPermissions": False,
                                       "authenticationMode": "API_AND_CONFIG_MAP"}
    assert cluster["deletionProtection"] is True
    admin = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
    admins = eks.list_access_entries(clusterName="sandbox", associatedPolicyArn=admin)["accessEntries"]
    assert sorted(admins) == sorted(_load("cluster.yml")["cluster_admin_principals"])


# --------------------------------------------------------------------------------------------
# Removing an entry from the inventory removes what it made
# --------------------------------------------------------------------------------------------
def test_removed_application_grant_and_pod_role_are_removed(play, converged, api, boto3_client):
    calico = _load("calico.yml")
    iam = _load("iam_authenticator.yml")
    k2i = _load("kube2iam.yml")
    fewer = {
        "calico_applications": [a for a in calico["calico_applications"] if a["name"] != "storefront-cache"],
        "iam_authenticator_grants": [g for g in iam["iam_authenticator_grants"] if g["name"] != "payments-auditors"],
        "kube2iam_pod_roles": [r for r in k2i["kube2iam_pod_roles"] if r["name"] != "payments-reconciler"],
    }
    kubeconfig = os.path.join(os.environ.get("HARDENED_EKS_SANDBOX", os.path.join(ROOT, ".sandbox")),
                              "kubeconfigs", "sandbox", "payments-auditors.kubeconfig")
    try:
        rc, out = play(SITE, extra_vars=fewer, tags=["iam_authenticator", "calico", "kube2iam"])
        assert rc == 0, out[-4000:]
        names = [p["metadata"]["name"] for p in calico_objects(api, "networkpolicies")]
        assert "hardened-eks-app-storefront-cache" not in names
        assert "hardened-eks-app-storefront-web" in names
        entries = aws_auth(api)
        assert "arn:aws:iam::123456789012:role/payments-auditors" not in entries
        assert NODE_ROLE_ARN in entries and "arn:aws:iam::123456789012:role/ci-deployer" in entries
        assert not os.path.exists(kubeconfig)
        assert "sandbox-payments-reconciler" not in pod_roles(boto3_client)
        allowed = json.loads(api["core"].read_namespace("payments").metadata.annotations["iam.amazonaws.com/allowed-roles"])
        assert allowed == ["arn:aws:iam::123456789012:role/kube2iam/sandbox/sandbox-payments-api"]
        # the payments-auditors group's binding stays: the group is still defined
        rc, out = play(SITE, extra_vars=fewer, tags=["iam_authenticator", "calico", "kube2iam"])
        assert rc == 0 and recap(out)["changed"] == 0, changed_tasks(out)
    finally:
        rc, out = play(SITE, tags=["iam_authenticator", "calico", "kube2iam"])
        assert rc == 0, out[-4000:]
    assert "sandbox-payments-reconciler" in pod_roles(boto3_client)
    assert os.path.exists(kubeconfig)


# --------------------------------------------------------------------------------------------
# teardown.yml, then site.yml again
# --------------------------------------------------------------------------------------------
def test_teardown_then_site_again(play, converged, api, boto3_client):
    before = aws_auth(api)
    rc, out = play(TEARDOWN)
    assert rc == 0, out[-4000:]
    try:
        entries = aws_auth(api)
        assert NODE_ROLE_ARN in entries                       # node role mapping left alone
        assert entries[NODE_ROLE_ARN] == before[NODE_ROLE_ARN]
        ours = [a for a in before if a != NODE_ROLE_ARN and a.split("/")[-1] in
                ("platform-readers", "payments-auditors", "ci-deployer", "analytics-scheduler", "alice")]
        assert ours and not any(a in entries for a in ours)
        for plural in ("networkpolicies", "globalnetworkpolicies", "tiers"):
            assert calico_objects(api, plural) == [], plural
        sel = "hardened.eks/layer=iam_authenticator"
        assert api["rbac"].list_cluster_role(label_selector=sel).items == []
        assert api["rbac"].list_role_binding_for_all_namespaces(label_selector=sel).items == []
        assert pod_roles(boto3_client) == {}
        iam = boto3_client("iam")
        assert "kube2iam-assume-pod-roles" not in iam.list_role_policies(RoleName="hardened-eks-sandbox-node")["PolicyNames"]
        from kubernetes.client.exceptions import ApiException
        with pytest.raises(ApiException):
            api["apps"].read_namespaced_daemon_set("kube2iam", "kube-system")
        for ns in APP_NAMESPACES:                             # namespaces stay, without annotations
            meta = api["core"].read_namespace(ns).metadata
            assert "iam.amazonaws.com/allowed-roles" not in (meta.annotations or {})
        # a second teardown has nothing left to do
        rc, out = play(TEARDOWN)
        assert rc == 0 and recap(out)["changed"] == 0, changed_tasks(out)
    finally:
        rc, out = play(SITE)
        assert rc == 0, out[-4000:]
    assert recap(out)["changed"] > 0
    after = aws_auth(api)
    assert after == before


# --------------------------------------------------------------------------------------------
# The calico install path, from a mirror of the pinned manifest
# --------------------------------------------------------------------------------------------
UPSTREAM_OPERATOR = os.path.join(os.path.dirname(ROOT), "shared", "upstream", "calico-v3.32.1", "tigera-operator.yaml")
INSTALLATION_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "installations.operator.tigera.io"},
    "spec": {"group": "operator.tigera.io", "scope": "Cluster",
             "names": {"kind": "Installation", "plural": "installations", "singular": "installation",
                       "listKind": "InstallationList"},
             "versions": [{"name": "v1", "served": True, "storage": True,
                           "schema": {"openAPIV3Schema": {"type": "object",
                                                          "x-kubernetes-preserve-unknown-fields": True}}}]}}
REMOVE_OPERATOR = """
- hosts: eks_clusters
  gather_facts: false
  tasks:
    - name: Delete the Installation
      kubernetes.core.k8s:
        state: absent
        api_version: operator.tigera.io/v1
        kind: Installation
        name: default
        kubeconfig: "{{ hardened_eks_kubeconfig }}"
    - name: Delete the operator manifest's objects
      kubernetes.core.k8s:
        state: absent
        src: "%(src)s"
        kubeconfig: "{{ hardened_eks_kubeconfig }}"
"""


@pytest.mark.skipif(not os.path.exists(UPSTREAM_OPERATOR),
                    reason="../shared/upstream/calico-v3.32.1/tigera-operator.yaml is not there (a user's clone)")
def test_calico_installs_the_pinned_operator_manifest(play, converged, k8s, api):
    """The mirror of the official v3.32.1 manifest matches the role's pinned sha256, the
    operator and an Installation for EKS are applied, a second run changes nothing, and a
    wrong checksum stops the role before anything is applied. No operator runs in the sandbox,
    so the test plays its part: it serves the Installation CRD the operator would install."""
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException
    ext = client.ApiextensionsV1Api(k8s)
    created_crd = False
    try:
        ext.create_custom_resource_definition(INSTALLATION_CRD)
        created_crd = True
    except ApiException as exc:
        if exc.status != 409:
            raise
    cache = str(play.tmp / "calico-cache")
    install = {"calico_install": True, "calico_operator_manifest_url": "file://" + UPSTREAM_OPERATOR,
               "calico_manifest_cache_dir": cache, "calico_wait_timeout": 60}
    try:
        bad = dict(install, calico_manifest_cache_dir=cache + "-bad",
                   calico_operator_manifest_checksum="sha256:" + "0" * 64)
        rc, out = play(SITE, extra_vars=bad, tags=["calico_install"])
        assert rc != 0 and "checksum" in out.lower(), out[-3000:]
        with pytest.raises(ApiException):
            api["apps"].read_namespaced_deployment("tigera-operator", "tigera-operator")

        rc, out = play(SITE, extra_vars=install, tags=["calico_install"])
        assert rc == 0, out[-4000:]
        dep = api["apps"].read_namespaced_deployment("tigera-operator", "tigera-operator")
        assert dep.spec.template.spec.containers[0].image == "quay.io/tigera/operator:v1.42.3"
        inst = api["custom"].get_cluster_custom_object("operator.tigera.io", "v1", "installations", "default")
        assert inst["spec"]["kubernetesProvider"] == "EKS"
        assert inst["spec"]["cni"] == {"type": "AmazonVPC"}
        assert inst["spec"]["calicoNetwork"]["bgp"] == "Disabled"
        rc, out = play(SITE, extra_vars=install, tags=["calico_install"])
        assert rc == 0 and recap(out)["changed"] == 0, changed_tasks(out)
    finally:
        rc, out = play(REMOVE_OPERATOR % {"src": UPSTREAM_OPERATOR})
        assert rc == 0, out[-3000:]
        if created_crd:
            ext.delete_custom_resource_definition("installations.operator.tigera.io")


def test_the_example_inventory_unfilled_is_refused_before_anything_is_written(sandbox, audit, aws_requests, tmp_path):
    """A copied inventories/example whose <placeholders> are still there stops in the first
    preflight, naming them, with no AWS call and no Kubernetes write."""
    k8s_mark, aws_mark = audit.mark(), aws_requests.mark()
    env = dict(sandbox.env, ANSIBLE_NOCOLOR="1", ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), SITE,
                           "-i", os.path.join(ROOT, "inventories", "example")], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, env=env, cwd=str(tmp_path), timeout=600, check=False)
    out = proc.stdout.decode()
    assert proc.returncode != 0, out[-3000:]
    assert "Replace the <placeholders> of the example inventory" in out, out[-3000:]
    assert "cluster_tags.owner = <team>" in out
    assert aws_requests.since(aws_mark) == []
    assert [e for e in audit.writes(k8s_mark, user="admin")
            if not e.get("userAgent", "").startswith("kube-controller-manager")] == []


def test_an_unreachable_api_server_stops_the_next_layer_before_it_writes(sandbox, play, audit, aws_requests, tmp_path):
    """A controller that cannot reach the (private) endpoint: the first Kubernetes layer stops in
    its preflight, saying where to run instead, with no Kubernetes write and no AWS write."""
    with open(sandbox.kubeconfig) as fh:
        config = yaml.safe_load(fh)
    closed = __import__("socket").socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()                                    # nothing listens there now
    for cluster in config["clusters"]:
        cluster["cluster"]["server"] = "https://127.0.0.1:%d" % port
    path = tmp_path / "unreachable.kubeconfig"
    path.write_text(yaml.safe_dump(config))
    k8s_mark, aws_mark = audit.mark(), aws_requests.mark()
    rc, out = play(SITE, extra_vars={"hardened_eks_kubeconfig": str(path), "hardened_eks_endpoint_timeout": 2},
                   tags=["vpc_cni", "iam_authenticator"])
    assert rc != 0, out[-3000:]
    assert "vpc_cni: this controller cannot reach the cluster's API server https://127.0.0.1:%d" % port in out, out[-3000:]
    assert "run the layers after 'cluster' from a host that reaches the cluster's VPC" in out
    assert "hardened.eks.iam_authenticator" not in out                # stopped at the first layer
    assert aws_requests.mutating(aws_mark) == []
    assert [e for e in audit.events(k8s_mark, user="admin")          # not one request of the run reached it
            if not e.get("userAgent", "").startswith("kube-controller-manager")] == []


def test_the_calico_preflight_checks_every_policy_before_any_request(sandbox, play, audit, aws_requests):
    """With calico_node_subnet_filters the preflight needs an AWS lookup; a bad policy in the
    inventory still fails before it, and before any Kubernetes request."""
    k8s_mark, aws_mark = audit.mark(), aws_requests.mark()
    rc, out = play(SITE, tags=["calico"], extra_vars={
        "calico_node_subnet_filters": {"tag:Name": "hardened-eks-sandbox-private-*"},
        "calico_applications": [{"name": "web", "namespace": "storefront",
                                 "egress": [{"to_cidrs": ["10.0.0.1/8"], "ports": [443]}]}]})
    assert rc != 0, out[-3000:]
    assert "Nothing was written; fix these in the inventory:" in out and "10.0.0.1/8" in out, out[-3000:]
    assert "Find the node subnets" not in out
    assert aws_requests.since(aws_mark) == []
    assert [e for e in audit.events(k8s_mark, user="admin")
            if not e.get("userAgent", "").startswith("kube-controller-manager")] == []


def test_the_layers_can_be_chosen_by_a_variable_as_an_awx_survey_sets_it(play, converged):
    """hardened_eks_layers (a list, or one name per line as AWX's multiple-choice survey sends
    it) runs only those layers; an unknown name is refused before any layer."""
    rc, out = play(SITE, extra_vars={"hardened_eks_layers": "vpc_cni\nbogus"})
    assert rc != 0 and 'unknown: ["bogus"]' in out, out[-2000:]
    assert "TASK [hardened.eks.cluster" not in out
    rc, out = play(SITE, extra_vars={"hardened_eks_layers": "calico\nkube2iam"}, check=True)
    assert rc == 0 and recap(out)["changed"] == 0, out[-3000:]
    ran = set(re.findall(r"TASK \[hardened\.eks\.(\w+) : [^\]]*\]\s*\*+\n(?:[^\n]*\n)?ok: ", out))
    assert ran == {"common", "calico", "kube2iam"}, ran
