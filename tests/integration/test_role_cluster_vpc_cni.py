"""Roles hardened.eks.cluster and hardened.eks.vpc_cni against the sandbox.

Two kinds of tests:
- preflight refusals: each bad combination fails in tasks/preflight.yml, with a message that
  names the variable, the item and the reason, and nothing is written (no IAM role, KMS alias or
  cluster with the test's unique name in moto; the resourceVersions of aws-node, its service
  account and the ENIConfigs are unchanged);
- the sandbox inventory (what ``site.yml --tags cluster,vpc_cni`` runs): converge, then a second
  run and a ``--check --diff`` run both report ``changed=0``, and check mode writes nothing.

Converge and idempotence of each role on its own are the Molecule scenarios
(roles/<role>/molecule/default).
"""
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

CLUSTER_PLAY = """
- hosts: localhost
  gather_facts: false
  roles:
    - role: hardened.eks.cluster
"""

VPC_CNI_PLAY = """
- hosts: localhost
  gather_facts: false
  roles:
    - role: hardened.eks.vpc_cni
"""

# Both roles, as playbooks/site.yml runs them, without the later roles' tags.
SITE_TWO_ROLES = """
- hosts: eks_clusters
  gather_facts: false
  module_defaults:
    group/kubernetes.core.k8s:
      kubeconfig: "{{ hardened_eks_kubeconfig }}"
    group/amazon.aws.aws:
      region: "{{ hardened_eks_region }}"
  roles:
    - role: hardened.eks.cluster
    - role: hardened.eks.vpc_cni
"""


def recap(out):
    m = re.search(r"ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", out)
    assert m, out[-3000:]
    return {"ok": int(m.group(1)), "changed": int(m.group(2)), "failed": int(m.group(4))}


def cluster_vars(uid, **kw):
    name = "t-role-%s" % uid
    v = {
        "cluster_name": name,
        "cluster_region": "us-east-1",
        "cluster_vpc_tags": {"Name": "hardened-eks-sandbox"},
        "cluster_subnet_tags": {"Name": "hardened-eks-sandbox-private-*"},
        "cluster_write_kubeconfig": False,
        "cluster_vpc_cni_irsa": False,
        "cluster_node_groups": [{"name": "general", "instance_type": "m6i.large"}],
        "cluster_admin_principals": ["arn:aws:iam::123456789012:role/hardened-eks-deploy"],
    }
    v.update(kw)
    return v


def vpc_cni_vars(**kw):
    v = {
        "vpc_cni_cluster_name": "sandbox",
        "vpc_cni_region": "us-east-1",
        "vpc_cni_kubeconfig": os.environ.get("K8S_AUTH_KUBECONFIG", ""),
        "vpc_cni_irsa": False,
        "vpc_cni_wait_rollout": False,
        "vpc_cni_discover_nodes": False,
        "vpc_cni_node_instance_types": ["m6i.large"],
        "vpc_cni_node_azs": ["us-east-1a", "us-east-1b", "us-east-1c"],
    }
    v.update(kw)
    return v


def eni(zone):
    return {"zone": zone, "subnet_tags": {"Name": "hardened-eks-sandbox-private-%s" % zone}}


def assert_nothing_made(boto3_client, name):
    iam, kms, eks = boto3_client("iam"), boto3_client("kms"), boto3_client("eks")
    roles = [r["RoleName"] for r in iam.list_roles()["Roles"]]
    assert not [r for r in roles if r.startswith(name)], roles
    aliases = [a["AliasName"] for a in kms.list_aliases()["Aliases"]]
    assert "alias/%s-eks-secrets" % name not in aliases
    assert name not in eks.list_clusters()["clusters"]


def cni_versions(k8s):
    """resourceVersions of what vpc_cni writes. A converged run of the role does not write at all,
    and a no-op write by someone else's run would not change them either: the sandbox is shared
    with other engineers' tests, so this is sturdier than counting audit events."""
    from kubernetes import client
    apps, core = client.AppsV1Api(k8s), client.CoreV1Api(k8s)
    custom = client.CustomObjectsApi(k8s)
    eni = custom.list_cluster_custom_object("crd.k8s.amazonaws.com", "v1alpha1", "eniconfigs")["items"]
    return {
        "daemonset": apps.read_namespaced_daemon_set("aws-node", "kube-system").metadata.resource_version,
        "serviceaccount": core.read_namespaced_service_account("aws-node", "kube-system").metadata.resource_version,
        "eniconfigs": sorted((e["metadata"]["name"], e["metadata"]["resourceVersion"]) for e in eni),
    }


def failed_in_preflight(out, fragment):
    """The failing task is one of the preflight checks, and its message carries ``fragment``."""
    head = out[:out.index("fatal:")] if "fatal:" in out else out
    tasks = re.findall(r"TASK \[([^\]]*)\]", head)
    assert tasks and re.search(r" : Check ", tasks[-1]), (tasks[-1:], out[-3000:])
    text = out.replace('\\"', '"')
    assert fragment in text, out[-4000:]


# --- hardened.eks.cluster preflight ---------------------------------------------------------

@pytest.mark.parametrize("extra, fragment", [
    ({"cluster_node_groups": [{"name": "hostnet", "instance_type": "m6i.large", "imds_hop_limit": 2}]},
     "imds_hop_limit must be 1-64, and above 1 only with imds_hop_limit_reason"),
    ({"cluster_node_imds_hop_limit": 2},
     "cluster_node_imds_hop_limit=2"),
    ({"cluster_endpoint_public_access_cidrs": ["0.0.0.0/0"]},
     "opens the API server to the whole internet"),
    ({"cluster_subnet_ids": ["subnet-0123456789abcdef0"]},
     "either as cluster_subnet_ids or as cluster_subnet_tags"),
    ({"cluster_kms_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/abc"},
     "the ARN of a KMS key in us-east-1"),
    ({"cluster_node_groups": [{"name": "a", "instance_type": "m6i.large", "min_size": 3, "desired_size": 1}]},
     "min_size <= desired_size <= max_size"),
    ({"cluster_create_vpc": True, "cluster_vpc_tags": {}, "cluster_subnet_tags": {},
      "cluster_vpc_subnets": [{"az": "us-east-1a", "cidr": "10.9.0.0/20"}]},
     "at least two entries {az, cidr}"),
    ({"cluster_admin_principals": []}, "cluster_admin_principals must list the IAM role or user ARNs"),
    ({"cluster_admin_principals": ["arn:aws:sts::123456789012:assumed-role/deploy/me"]},
     "cluster_admin_principals must list the IAM role or user ARNs"),
])
def test_cluster_preflight_refuses(run_playbook, boto3_client, uid, extra, fragment):
    v = cluster_vars(uid, **extra)
    rc, out = run_playbook(CLUSTER_PLAY, extra_vars=v)
    assert rc != 0, out[-3000:]
    failed_in_preflight(out, fragment)
    assert_nothing_made(boto3_client, v["cluster_name"])


def test_cluster_hop_limit_with_reason_passes_preflight(run_playbook, uid):
    """A documented reason lets a hop limit of 2 through the preflight (check mode: no writes)."""
    v = cluster_vars(uid, cluster_node_groups=[{
        "name": "hostnet", "instance_type": "m6i.large", "imds_hop_limit": 2,
        "imds_hop_limit_reason": "an agent reads IMDS from the pod network"}])
    rc, out = run_playbook(CLUSTER_PLAY, extra_vars=v, check=True,
                           args=("--tags", "cluster_preflight"))
    assert rc == 0, out[-3000:]


def test_cluster_subnet_tags_matching_nothing(run_playbook, boto3_client, uid):
    v = cluster_vars(uid, cluster_subnet_tags={"Name": "no-such-subnet-%s" % uid})
    rc, out = run_playbook(CLUSTER_PLAY, extra_vars=v)
    assert rc != 0
    assert "needs subnets in at least two Availability Zones" in out, out[-3000:]
    assert_nothing_made(boto3_client, v["cluster_name"])


# --- hardened.eks.vpc_cni preflight ---------------------------------------------------------

@pytest.mark.parametrize("extra, fragment", [
    ({"vpc_cni_prefix_delegation": True, "vpc_cni_node_instance_types": ["m6i.large", "t2.medium"]},
     'Prefix delegation needs Nitro-based instances; ["t2.medium"]'),
    ({"vpc_cni_prefix_delegation": True, "vpc_cni_node_instance_types": ["m4.large", "i3.metal"]},
     '["m4.large"] are not'),
    ({"vpc_cni_pod_eni": True, "vpc_cni_check_cluster_role": False, "vpc_cni_node_instance_types": ["t3.large"]},
     '["t3.large"] cannot attach a trunk ENI'),
    ({"vpc_cni_prefix_delegation": True, "vpc_cni_warm_ip_target": 5},
     "vpc_cni_warm_ip_target=5 with vpc_cni_prefix_delegation=true"),
    ({"vpc_cni_warm_prefix_target": 1},
     "has no effect without prefix delegation"),
    ({"vpc_cni_custom_networking": True, "vpc_cni_eni_configs": [eni("us-east-1a")]},
     'missing: ["us-east-1b", "us-east-1c"]'),
    ({"vpc_cni_custom_networking": True,
      "vpc_cni_eni_configs": [eni("us-east-1a"), eni("us-east-1b"),
                              {"zone": "us-east-1c", "subnet_tags": {"Name": "hardened-eks-sandbox-private-us-east-1a"}}]},
     "ENIConfig us-east-1c: its subnet"),
    ({"vpc_cni_custom_networking": True,
      "vpc_cni_eni_configs": [dict(eni(z), security_groups=["no-such-group"])
                              for z in ("us-east-1a", "us-east-1b", "us-east-1c")]},
     '["no-such-group"] were not'),
    ({"vpc_cni_extra_env": {"ENABLE_POD_ENI": "true"}},
     "none of the variables this role manages"),
    ({"vpc_cni_pod_eni": True, "vpc_cni_cluster_role_name": "no-such-role"},
     "ENABLE_POD_ENI needs AmazonEKSVPCResourceController on the cluster role"),
])
def test_vpc_cni_preflight_refuses(run_playbook, k8s, extra, fragment):
    before = cni_versions(k8s)
    rc, out = run_playbook(VPC_CNI_PLAY, extra_vars=vpc_cni_vars(**extra))
    assert rc != 0, out[-3000:]
    failed_in_preflight(out, fragment)
    assert cni_versions(k8s) == before


def test_vpc_cni_warm_ip_with_prefix_allowed_explicitly(run_playbook, k8s):
    """The opt-in turns the refusal into a warning (check mode, so nothing is written)."""
    before = cni_versions(k8s)
    rc, out = run_playbook(VPC_CNI_PLAY, check=True, extra_vars=vpc_cni_vars(
        vpc_cni_prefix_delegation=True, vpc_cni_warm_ip_target=5,
        vpc_cni_allow_warm_ip_target_with_prefix_delegation=True), args=("--tags", "vpc_cni_preflight"))
    assert rc == 0, out[-3000:]
    assert "WARNING: WARM_IP_TARGET=5 with prefix delegation" in out
    assert cni_versions(k8s) == before


# --- the sandbox inventory: converge, re-run, check mode -------------------------------------

def test_sandbox_inventory_converges_idempotent_and_check_mode_writes_nothing(run_playbook, k8s):
    inventory = os.path.join(ROOT, "inventories", "sandbox")
    rc, out = run_playbook(SITE_TWO_ROLES, inventory=inventory)
    assert rc == 0, out[-4000:]
    rc, out = run_playbook(SITE_TWO_ROLES, inventory=inventory)
    assert rc == 0, out[-4000:]
    assert recap(out)["changed"] == 0, out[-6000:]

    before = cni_versions(k8s)
    rc, out = run_playbook(SITE_TWO_ROLES, inventory=inventory, check=True, diff=True)
    assert rc == 0, out[-4000:]
    assert recap(out)["changed"] == 0, out[-6000:]
    assert cni_versions(k8s) == before

    from kubernetes import client
    ds = client.AppsV1Api(k8s).read_namespaced_daemon_set("aws-node", "kube-system")
    env = {e.name: e.value for e in ds.spec.template.spec.containers[0].env}
    assert env["ENABLE_PREFIX_DELEGATION"] == "true"
    assert env["AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG"] == "true"
    assert env["AWS_VPC_ENI_MTU"] == "9001"  # not managed by the role: kept
    assert "MY_NODE_NAME" in env


def test_check_mode_on_a_new_cluster_predicts_and_writes_nothing(run_playbook, boto3_client, k8s, uid):
    """site.yml --check before the cluster exists: ARNs are predicted (caller's account), the KMS
    key is a placeholder, the aws-node role cannot be built without the cluster's OIDC provider
    (let through in check mode only), and nothing is made in moto or changed in the API server."""
    inventory = os.path.join(ROOT, "inventories", "sandbox")
    name = "t-fresh-%s" % uid
    before = cni_versions(k8s)
    rc, out = run_playbook(SITE_TWO_ROLES, inventory=inventory, check=True, extra_vars={
        "hardened_eks_cluster_name": name, "hardened_eks_node_role_name": name + "-eks-node"})
    assert rc == 0, out[-4000:]
    r = recap(out)
    assert r["failed"] == 0 and r["changed"] > 0
    assert "fatal:" not in out, out[-4000:]
    assert_nothing_made(boto3_client, name)
    assert cni_versions(k8s) == before
