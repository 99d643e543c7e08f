"""The sandbox itself: a real API server and moto, seeded like a new EKS cluster / account."""
import json
import os
import subprocess
import sys

import pytest
import yaml
from kubernetes import client
from kubernetes.client.rest import ApiException

SHARED_UPSTREAM = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))), "shared", "upstream")
CALICO_POLICY_CRDS = {"networkpolicies", "globalnetworkpolicies", "networksets", "globalnetworksets",
                      "tiers", "stagednetworkpolicies", "stagedglobalnetworkpolicies", "hostendpoints",
                      "felixconfigurations", "ippools"}


def test_api_server_version(k8s):
    info = client.VersionApi(k8s).get_code()
    assert info.git_version == "v1.20.2"


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


@pytest.mark.skipif(not os.path.isdir(SHARED_UPSTREAM),
                    reason="../shared/upstream (upstream Calico manifests) is not present in this checkout")
def test_real_calico_policy_crds_apply_and_validate(k8s, uid):
    """The real Calico v3.32.1 policy CRDs apply to the sandbox API server (in a scratch API
    group, so they do not replace the sandbox's own CRDs) and their schema refuses `Allowz`."""
    with open(os.path.join(SHARED_UPSTREAM, "calico-v3.32.1", "crds.yaml")) as fh:
        docs = [d for d in yaml.safe_load_all(fh) if d and d.get("kind") == "CustomResourceDefinition"]
    wanted = [d for d in docs if d["spec"]["names"]["plural"] in CALICO_POLICY_CRDS]
    assert len(wanted) == len(CALICO_POLICY_CRDS)
    group = "t%s.projectcalico.test" % uid
    ext = client.ApiextensionsV1Api(k8s)
    for crd in wanted:
        crd = json.loads(json.dumps(crd))
        crd["spec"]["group"] = group
        crd["metadata"] = {"name": "%s.%s" % (crd["spec"]["names"]["plural"], group)}
        ext.create_custom_resource_definition(crd)
    try:
        custom = client.CustomObjectsApi(k8s)
        import time
        for _attempt in range(60):
            try:
                custom.list_cluster_custom_object(group, "v1", "globalnetworkpolicies")
                break
            except ApiException:
                time.sleep(0.5)
        good = {"apiVersion": "%s/v1" % group, "kind": "GlobalNetworkPolicy",
                "metadata": {"name": "ok"}, "spec": {"selector": "all()", "egress": [{"action": "Allow"}]}}
        custom.create_cluster_custom_object(group, "v1", "globalnetworkpolicies", good)
        bad = json.loads(json.dumps(good))
        bad["metadata"]["name"] = "bad"
        bad["spec"]["egress"][0]["action"] = "Allowz"
        with pytest.raises(ApiException) as exc:
            custom.create_cluster_custom_object(group, "v1", "globalnetworkpolicies", bad)
        assert exc.value.status == 422
        assert "Allowz" in exc.value.body
    finally:
        for crd in wanted:
            ext.delete_custom_resource_definition("%s.%s" % (crd["spec"]["names"]["plural"], group))


def test_status_reports_running(sandbox):
    out = subprocess.run([sys.executable, os.path.join(sandbox.root, "scripts", "sandbox"), "status"],
                         stdout=subprocess.PIPE, check=True).stdout.decode()
    for name in ("etcd", "kube-apiserver", "kube-controller-manager", "moto"):
        assert name in out
    assert "STOPPED" not in out
