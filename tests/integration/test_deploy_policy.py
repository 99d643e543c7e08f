"""The deploy policies of docs/deploy-policy/ (issue 18): site.yml, verify.yml, migrate.yml and
teardown.yml run on the sandbox's Kubernetes against a private moto that starts as a new account
(the sandbox's VPC, subnets and node role, nothing else), so its request log holds exactly the
calls of each run. Every AWS action a run makes is in that playbook's policy; every action of the
policy that no run made is named below with the situation that needs it and is called by the code
of a module the playbook runs; nothing else is in the policy."""
import importlib.util
import json
import os
import subprocess
import sys

import pytest

from tests.integration.fixtures import ROOT
from tests.integration.iam_actions import callable_actions, iam_actions, modules_in
from tests.integration.own_moto import OwnMoto

INVENTORY = os.path.join(ROOT, "inventories", "sandbox")
POLICIES = os.path.join(ROOT, "docs", "deploy-policy")
PLAYBOOKS = ("site", "verify", "migrate", "teardown")

# What each playbook runs: the modules named in these task files.
TASK_FILES = {
    "site": ["playbooks/site.yml", "roles/common", "roles/cluster", "roles/vpc_cni", "roles/iam_authenticator",
             "roles/calico", "roles/kube2iam"],
    "verify": ["playbooks/verify.yml", "roles/verify"],
    "migrate": ["playbooks/migrate.yml", "roles/common", "roles/calico", "roles/kube2iam"],
    "teardown": ["playbooks/teardown.yml", "roles/common", "roles/kube2iam", "roles/calico", "roles/iam_authenticator"],
}

# Actions a first run and a converged run on a new account do not reach: a change of the
# inventory (a new Kubernetes version, other logs, scaling, a removed grant or pod role, new
# tags), or a mode the sandbox inventory does not use (access entries for the grants).
CHANGE_PATHS = {
    "site": {
        "eks:UpdateClusterConfig": "eks_cluster: endpoint, CIDRs, logs or authentication mode changed",
        "eks:UpdateClusterVersion": "eks_cluster: a new Kubernetes version",
        "eks:DescribeUpdate": "eks_cluster, eks_access_entry: waiting for a cluster update",
        "eks:AssociateEncryptionConfig": "eks_cluster: secrets encryption added to an existing cluster",
        "eks:TagResource": "eks_cluster, eks_nodegroup, eks_addon, access entries, associations: new tags",
        "eks:UntagResource": "the same, tags removed",
        "iam:UpdateOpenIDConnectProviderThumbprint": "eks_cluster: the OIDC issuer's certificate changed",
        "iam:AddClientIDToOpenIDConnectProvider": "eks_cluster: an OIDC provider without sts.amazonaws.com",
        "eks:UpdateNodegroupConfig": "community.aws.eks_nodegroup: scaling, labels, taints changed",
        "eks:UpdateNodegroupVersion": "community.aws.eks_nodegroup: a new launch template version",
        "eks:UpdateAddon": "eks_addon: a new add-on version or associations",
        "eks:UpdateAccessEntry": "eks_access_entry: a cluster admin's username or groups changed",
        "eks:DeleteAccessEntry": "eks_access_entry: a grant left the inventory (iam_authenticator_access_mode)",
        "eks:DisassociateAccessPolicy": "eks_access_entry: an access policy removed from an entry",
        "eks:UpdatePodIdentityAssociation": "eks_pod_identity_association: another role for a service account",
        "eks:DeletePodIdentityAssociation": "eks_pod_identity_association: a pod role left Pod Identity",
        "ec2:CreateLaunchTemplateVersion": "ec2_launch_template: node group settings changed",
        "ec2:ModifyLaunchTemplate": "ec2_launch_template: the new version becomes the default",
        "ec2:DeleteTags": "ec2_tag (purge_tags): a tag removed from a launch template",
        "iam:UpdateAssumeRolePolicy": "iam_role, eks_pod_iam_role: a trust policy changed",
        "iam:UntagRole": "iam_role, eks_pod_iam_role: a tag removed",
        "iam:DeleteRole": "eks_pod_iam_role: a pod role left the inventory",
        "iam:DeleteRolePolicy": "iam_policy, eks_pod_iam_role: an inline policy removed",
        "kms:TagResource": "kms_key: new tags on the secrets key",
        "kms:UntagResource": "kms_key: a tag removed",
        "kms:UpdateKeyDescription": "kms_key: another description",
        "logs:TagLogGroup": "cloudwatchlogs_log_group: new tags",
        "logs:UntagLogGroup": "cloudwatchlogs_log_group: a tag removed",
    },
    "verify": {
        "iam:GetUser": "eks_security_audit: an access entry of an IAM user",
    },
    "migrate": {
        "eks:UpdateClusterConfig": "step migrate_access_entries (CONFIG_MAP -> API_AND_CONFIG_MAP) and migrate_api",
        "eks:DescribeUpdate": "the same steps wait for the update",
        "eks:AssociateAccessPolicy": "step migrate_access_entries: system:masters becomes AmazonEKSClusterAdminPolicy",
        "eks:DeleteAccessEntry": "eks_access_entry purge of an entry the migration made and the inventory dropped",
        "eks:CreatePodIdentityAssociation": "step migrate_pod_identity: a pod role moving to Pod Identity",
        "eks:UpdatePodIdentityAssociation": "the same, another role for the service account",
        "eks:DeletePodIdentityAssociation": "the same, a pod role no longer moving",
        "eks:TagResource": "the same, tags of the associations",
        "eks:UntagResource": "the same, tags removed",
        "iam:CreateRole": "kube2iam role in migrate_pod_identity: a new pod role",
        "iam:UpdateRole": "the same: description or session duration changed",
        "iam:UpdateAssumeRolePolicy": "the same: the Pod Identity trust added to a pod role",
        "iam:PutRolePolicy": "the same: a pod role's inline policy or the node role's assume policy",
        "iam:DeleteRolePolicy": "the same: an inline policy removed",
        "iam:AttachRolePolicy": "the same: a managed policy of a pod role",
        "iam:DetachRolePolicy": "the same: a managed policy removed",
        "iam:TagRole": "the same: tags of a pod role",
        "iam:UntagRole": "the same: a tag removed",
        "iam:DeleteRole": "the same: a pod role that left the inventory",
    },
    "teardown": {
        "eks:ListAccessEntries": "iam_authenticator teardown with iam_authenticator_access_mode access_entries or both",
        "eks:DescribeAccessEntry": "the same",
        "eks:ListAssociatedAccessPolicies": "the same",
        "eks:DeleteAccessEntry": "the same: the grants' entries are removed",
    },
}

# Actions that are not API calls: IAM checks them on behalf of a call (moto does not log them).
IMPLIED = {
    "site": {
        "iam:PassRole": "CreateCluster (cluster role), CreateNodegroup (node role), CreatePodIdentityAssociation",
        "iam:CreateServiceLinkedRole": "EKS creates AWSServiceRoleForAmazonEKS(Nodegroup) on first use",
        "kms:CreateGrant": "CreateCluster with secrets encryption makes a grant for EKS on the caller's behalf",
    },
    "migrate": {
        "iam:PassRole": "CreatePodIdentityAssociation passes the pod role",
    },
    "verify": {},
    "teardown": {},
}


def _policy(name):
    with open(os.path.join(POLICIES, name + ".json")) as fh:
        return json.load(fh)


def _actions(doc):
    return set(a for st in doc["Statement"] for a in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"]))


def _seed(url):
    spec = importlib.util.spec_from_file_location("seed", os.path.join(ROOT, "scripts", "sandbox.d", "seed.py"))
    seed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(seed)
    seed.seed_aws(url, "us-east-1")


def _play(env, playbook, *args):
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
           os.path.join(ROOT, "playbooks", playbook + ".yml"), "-i", INVENTORY] + list(args)
    proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900,
                          check=False)
    out = proc.stdout.decode("utf-8", "replace")
    assert proc.returncode == 0, out[-4000:]
    return out


@pytest.fixture(scope="module")
def observed(sandbox, tmp_path_factory):
    """The IAM actions of each playbook's runs on a new account; the sandbox is converged again after."""
    moto = OwnMoto(str(tmp_path_factory.mktemp("deploy-policy")), server_env={"MOTO_IAM_LOAD_MANAGED_POLICIES": "true"})
    env = dict(sandbox.env, AWS_ENDPOINT_URL=moto.url, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
               ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    runs = [("site", []), ("site", []), ("verify", []), ("migrate", ["-e", "migrate_pod_identity=true"]),
            ("teardown", [])]
    out = dict((name, set()) for name in PLAYBOOKS)
    try:
        _seed(moto.url)
        for name, args in runs:
            mark = moto.requests.mark()
            _play(env, name, *args)
            out[name] |= set(iam_actions(moto.requests.since(mark, settle=0.3)))
    finally:
        moto.stop()
        # teardown removed the layers from the shared Kubernetes: converge them again on the shared AWS
        _play(dict(sandbox.env, ANSIBLE_NOCOLOR="1", ANSIBLE_PYTHON_INTERPRETER=sys.executable), "site")
    return out


@pytest.mark.parametrize("name", PLAYBOOKS)
def test_the_policy_is_a_valid_allow_only_document(name):
    doc = _policy(name)
    assert doc["Version"] == "2012-10-17"
    sids = [st["Sid"] for st in doc["Statement"]]
    assert len(sids) == len(set(sids)), sids
    for st in doc["Statement"]:
        assert st["Effect"] == "Allow" and st["Resource"], st
        actions = [st["Action"]] if isinstance(st["Action"], str) else st["Action"]
        assert not [a for a in actions if "*" in a], st["Sid"]            # every action named, no wildcard
        assert actions == sorted(set(actions)), st["Sid"]
    per_service = {}
    for st in doc["Statement"]:
        for action in st["Action"]:
            per_service.setdefault(action, []).append(st["Sid"])
    assert not [a for a, where in per_service.items() if len(where) > 1]   # each action in one statement


def test_pass_role_and_service_linked_roles_are_bound_to_eks():
    for name in ("site", "migrate"):
        passrole = [st for st in _policy(name)["Statement"] if "iam:PassRole" in st["Action"]]
        assert len(passrole) == 1 and passrole[0]["Action"] == ["iam:PassRole"]
        assert set(passrole[0]["Condition"]["StringEquals"]["iam:PassedToService"]) <= {
            "eks.amazonaws.com", "pods.eks.amazonaws.com"}
    slr = [st for st in _policy("site")["Statement"] if "iam:CreateServiceLinkedRole" in st["Action"]][0]
    assert slr["Resource"].startswith("arn:aws:iam::*:role/aws-service-role/")
    assert slr["Condition"]["StringEquals"]["iam:AWSServiceName"] == ["eks.amazonaws.com", "eks-nodegroup.amazonaws.com"]
    assert [st for st in _policy("verify")["Statement"]
            if any(not a.split(":")[1].startswith(("Describe", "List", "Get")) for a in st["Action"])] == []


@pytest.mark.parametrize("name", PLAYBOOKS)
def test_every_call_of_a_run_is_allowed_and_nothing_unexplained_is(observed, name):
    policy = _actions(_policy(name))
    assert observed[name], "no AWS call was recorded for %s" % name
    assert sorted(observed[name] - policy) == [], "called by %s.yml but not in its policy" % name
    explained = set(CHANGE_PATHS[name]) | set(IMPLIED[name])
    assert sorted(policy - observed[name] - explained) == [], "in the policy, never called, not explained"
    assert sorted(explained - policy) == [], "explained but missing from the policy"


@pytest.mark.parametrize("name", PLAYBOOKS)
def test_every_change_path_action_is_called_by_a_module_the_playbook_runs(name):
    # (tests/conftest.py links this checkout under .sandbox/collections)
    roots = [os.path.join(ROOT, ".sandbox", "collections")] + [p for p in sys.path if p.endswith("site-packages")]
    modules = modules_in([os.path.join(ROOT, p) for p in TASK_FILES[name]])
    callable_by = callable_actions(modules, roots)
    assert sorted(a for a in CHANGE_PATHS[name] if a not in callable_by) == []
