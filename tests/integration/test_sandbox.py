"""The sandbox itself: a real API server and moto, seeded like a new EKS cluster / account."""
import os
import subprocess
import sys

import pytest
import yaml
from kubernetes import client
from kubernetes.client.rest import ApiException

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
with open(os.path.join(ROOT, "roles", "calico", "defaults", "main.yml")) as _fh:
    CALICO_ROLE_VERSION = yaml.safe_load(_fh)["calico_version"]
CALICO_POLICY_CRDS = {"networkpolicies", "globalnetworkpolicies", "networksets", "globalnetworksets",
                      "tiers", "stagednetworkpolicies", "stagedglobalnetworkpolicies", "hostendpoints",
                      "felixconfigurations", "ippools"}


def test_api_server_version(k8s):
    """The API server is the version pinned in the wrapper module, one EKS supports (>= 1.34)."""
    with open(os.path.join(ROOT, "scripts", "sandbox.d", "go", "kubernetes", "go.mod")) as fh:
        pinned = [ln.split()[1] for ln in fh if ln.split()[:1] == ["k8s.io/kubernetes"]][0]
    info = client.VersionApi(k8s).get_code()
    assert info.git_version == pinned
    assert (int(info.major), int(info.minor)) >= (1, 34)


def test_stale_resource_version_gets_409(k8s, namespace):
    core = client.CoreV1Api(k8s)
    cm = core.create_namespaced_config_map(namespace, {"metadata": {"name": "c"}, "data": {"a": "1"}})
    stale = cm.metadata.resource_version
    cm.data = {"a": "2"}
    core.replace_namespaced_config_map("c", namespace, cm)
    body = {"metadata": {"name": "c", "resourceVersion": stale}, "data": {"a": "3"}}
    with pytest.raises(ApiException) as exc:
        core.replace_namespaced_config_map("c", namespace, body)
    assert exc.value.status == 409
    assert core.read_namespaced_config_map("c", namespace).data == {"a": "2"}


def test_subject_access_review_for_view_group(k8s, namespace, uid):
    rbac = client.RbacAuthorizationV1Api(k8s)
    rbac.create_namespaced_role_binding(namespace, {
        "metadata": {"name": "devs-view"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
        "subjects": [{"kind": "Group", "name": "devs-%s" % uid, "apiGroup": "rbac.authorization.k8s.io"}]})
    authz = client.AuthorizationV1Api(k8s)

    def allowed(verb, resource):
        review = authz.create_subject_access_review({"spec": {
            "user": "alice", "groups": ["devs-%s" % uid],
            "resourceAttributes": {"namespace": namespace, "verb": verb, "resource": resource}}})
        return review.status.allowed

    assert allowed("list", "pods") is True
    assert allowed("get", "secrets") is False
    assert allowed("delete", "pods") is False


def test_moto_has_seeded_vpc_subnets_and_node_role(boto3_client):
    ec2 = boto3_client("ec2")
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["hardened-eks-sandbox"]}])["Vpcs"]
    assert len(vpcs) == 1
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpcs[0]["VpcId"]]}])["Subnets"]
    assert len({s["AvailabilityZone"] for s in subnets}) == 3
    iam = boto3_client("iam")
    role = iam.get_role(RoleName="hardened-eks-sandbox-node")["Role"]
    attached = {p["PolicyName"] for p in iam.list_attached_role_policies(
        RoleName="hardened-eks-sandbox-node")["AttachedPolicies"]}
    assert "AmazonEKSWorkerNodePolicy" in attached
    assert role["Arn"] == "arn:aws:iam::123456789012:role/hardened-eks-sandbox-node"


def test_baseline_objects(k8s):
    core = client.CoreV1Api(k8s)
    dns = core.read_namespaced_service("kube-dns", "kube-system")
    assert dns.metadata.labels["k8s-app"] == "kube-dns"
    ds = client.AppsV1Api(k8s).read_namespaced_daemon_set("aws-node", "kube-system")
    assert ds.spec.template.spec.service_account_name == "aws-node"
    crds = {c.metadata.name for c in client.ApiextensionsV1Api(k8s).list_custom_resource_definition().items}
    assert "eniconfigs.crd.k8s.amazonaws.com" in crds
    assert {"networkpolicies.crd.projectcalico.org", "globalnetworkpolicies.crd.projectcalico.org",
            "tiers.crd.projectcalico.org"} <= crds


def test_k8s_info_reads_aws_auth_through_env_file(sandbox, run_playbook):
    rc, out = run_playbook("""
- hosts: localhost
  gather_facts: false
  tasks:
    - kubernetes.core.k8s_info:
        kind: ConfigMap
        namespace: kube-system
        name: aws-auth
      register: cm
    - ansible.builtin.assert:
        that:
          - cm.resources | length == 1
          - "'hardened-eks-sandbox-node' in cm.resources[0].data.mapRoles"
""")
    assert rc == 0, out


def test_audit_log_records_requests(k8s, audit, namespace):
    mark = audit.mark()
    client.CoreV1Api(k8s).list_namespaced_config_map(namespace)
    events = audit.events(mark, resource="configmaps", namespace=namespace, verbs=["list"])
    assert len(events) == 1


def test_the_sandbox_serves_calicos_own_crds(k8s):
    """The full Calico CRDs of the version the calico role installs (from the pinned tigera/operator
    module) are what the sandbox serves, and their schema refuses what Calico refuses."""
    import time
    from tests import upstream
    assert upstream.calico_version() == CALICO_ROLE_VERSION
    docs = upstream.calico_crds()
    assert len(docs) == 23 and {d["spec"]["names"]["plural"] for d in docs} >= CALICO_POLICY_CRDS
    ext = client.ApiextensionsV1Api(k8s)
    for crd in docs:
        served = ext.read_custom_resource_definition(crd["metadata"]["name"])
        assert served.spec.names.kind == crd["spec"]["names"]["kind"]
        assert [v.name for v in served.spec.versions] == [v["name"] for v in crd["spec"]["versions"]]
        assert served.status.accepted_names.kind == crd["spec"]["names"]["kind"]
    custom = client.CustomObjectsApi(k8s)
    name = "sandbox-check-%d" % (time.time() * 1000)
    bad = {"apiVersion": "crd.projectcalico.org/v1", "kind": "GlobalNetworkPolicy", "metadata": {"name": name},
           "spec": {"selector": "all()", "egress": [{"action": "Allowz"}]}}
    with pytest.raises(ApiException) as exc:
        custom.create_cluster_custom_object("crd.projectcalico.org", "v1", "globalnetworkpolicies", bad)
    assert exc.value.status == 422 and "Allowz" in exc.value.body
    bad["spec"] = {"selector": "all()", "order": "100"}
    with pytest.raises(ApiException) as exc:
        custom.create_cluster_custom_object("crd.projectcalico.org", "v1", "globalnetworkpolicies", bad)
    assert exc.value.status == 422


def test_status_reports_running(sandbox):
    out = subprocess.run([sys.executable, os.path.join(sandbox.root, "scripts", "sandbox"), "status"],
                         stdout=subprocess.PIPE, check=True).stdout.decode()
    for name in ("etcd", "aws-iam-authenticator", "kube-apiserver", "kube-controller-manager", "moto"):
        assert name in out
    assert "STOPPED" not in out
