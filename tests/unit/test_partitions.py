"""Every partition's ARNs are accepted (and a made-up partition refused) the same way by every
module, role plan and role preflight test that judges an ARN."""
import json
import os
import subprocess
import sys

import pytest

from ansible_collections.hardened.eks.plugins.module_utils import _names, aws_auth, eks, iam_trust
from ansible_collections.hardened.eks.plugins.module_utils._plans import iam_authenticator, kube2iam

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ACCOUNT = "111122223333"
# A region of each partition, from botocore's endpoints.
REGIONS = {"aws": "eu-west-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1",
           "aws-iso": "us-iso-east-1", "aws-iso-b": "us-isob-east-1", "aws-iso-e": "eu-isoe-west-1",
           "aws-iso-f": "us-isof-south-1", "aws-eusc": "eusc-de-east-1"}
PARTITIONS = ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-eusc"]
BOGUS = ["aws-mars", "azure"]


def arns(partition):
    return {
        "role": "arn:%s:iam::%s:role/deploy" % (partition, ACCOUNT),
        "user": "arn:%s:iam::%s:user/alice" % (partition, ACCOUNT),
        "policy": "arn:%s:iam::%s:policy/read" % (partition, ACCOUNT),
        "kms": "arn:%s:kms:%s:%s:key/1234abcd-12ab-34cd-56ef-1234567890ab" % (partition, REGIONS.get(partition, "eu-west-1"), ACCOUNT),
        "oidc": "arn:%s:iam::%s:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC" % (partition, ACCOUNT),
    }


def test_the_shared_list_is_every_partition_of_botocore():
    import botocore.loaders
    data = botocore.loaders.Loader().load_data("partitions")
    assert sorted(p["id"] for p in data["partitions"]) == sorted(_names.PARTITIONS)


def test_every_region_of_botocore_is_a_region():
    import botocore.loaders
    data = botocore.loaders.Loader().load_data("partitions")
    regions = [r for p in data["partitions"] for r in p["regions"] if not r.startswith("aws-")]
    assert regions and [r for r in regions if not _names.is_valid(r, "region")] == []


def _aws_auth_ok(arn, kind):
    return aws_auth.check_arn(arn, kind) == []


def _eks_cluster_ok(role, kms, region):
    try:
        eks.validate_cluster_params({"name": "prod", "role_arn": role, "subnets": ["subnet-1", "subnet-2"],
                                     "encryption": kms}, region=region)
    except eks.EksValidationError as exc:
        return not [p for p in exc.problems if p.startswith(("role_arn", "encryption"))]
    return True


def _eks_addon_ok(role):
    try:
        eks.validate_addon_params({"cluster_name": "prod", "name": "vpc-cni", "service_account_role_arn": role})
    except eks.EksValidationError as exc:
        return not [p for p in exc.problems if p.startswith("service_account_role_arn")]
    return True


def _pod_role_ok(role, policy, oidc):
    try:
        iam_trust.validate_params({"name": "app", "path": "/", "state": "present",
                                   "trust": {"kube2iam": {"node_role_arns": [role]},
                                             "irsa": {"oidc_provider_arn": oidc, "namespace": "a", "service_account": "b"}},
                                   "managed_policy_arns": [policy], "permissions_boundary": policy})
    except iam_trust.TrustError as exc:
        return not exc.problems
    return True


def _grant_ok(arn):
    cfg = {"namespaces": [], "groups": [{"name": "viewers", "level": "read-only"}], "external_groups": [],
           "grants": [{"arn": arn, "username": "x", "groups": ["viewers"]}], "allow_cluster_admin": False,
           "levels": {"read-only": {"cluster_role": "view", "create": False, "cluster_wide": True, "namespaced": True}},
           "cluster_role_rules": {}, "labels": {}, "prefix": "p:", "reserved_groups": [], "admin_group": "system:masters",
           "forbidden_verbs": [], "forbidden_resources": []}
    return iam_authenticator.plan(cfg)["problems"] == []


def _kube2iam_arn(node_role):
    cfg = {"pod_roles": [{"name": "app", "namespace": "shop", "managed_policy_arns": ["x"]}], "namespaces": [],
           "iam_path": "/k2i/", "role_name_prefix": "c-", "migrate_to": [], "cluster_name": "c",
           "namespace": "kube-system", "permissions_boundary": "", "node_role_arns": [node_role], "tags": {},
           "labels": {}, "allowed_annotation": "a", "namespace_label": "l", "irsa_annotation": "i"}
    return kube2iam.plan(cfg)["roles"][0]["arn"]


@pytest.mark.parametrize("partition", PARTITIONS)
def test_modules_and_plans_accept_every_partition(partition):
    a = arns(partition)
    assert _aws_auth_ok(a["role"], "roles") and _aws_auth_ok(a["user"], "users")
    assert _eks_cluster_ok(a["role"], a["kms"], REGIONS[partition])
    assert eks.kms_key_region(a["kms"]) == REGIONS[partition]
    assert _eks_addon_ok(a["role"])
    assert _pod_role_ok(a["role"], a["policy"], a["oidc"])
    assert _grant_ok(a["role"]) and _grant_ok(a["user"])
    # kube2iam's pod roles live in the node roles' partition and account.
    assert _kube2iam_arn(a["role"]) == "arn:%s:iam::%s:role/k2i/c-app" % (partition, ACCOUNT)


@pytest.mark.parametrize("partition", BOGUS)
def test_modules_and_plans_refuse_a_made_up_partition(partition):
    a = arns(partition)
    assert not _aws_auth_ok(a["role"], "roles") and not _aws_auth_ok(a["user"], "users")
    assert not _eks_cluster_ok(a["role"], a["kms"], "eu-west-1")
    assert not _eks_addon_ok(a["role"])
    assert not _pod_role_ok(a["role"], a["policy"], a["oidc"])
    assert not _grant_ok(a["role"]) and not _grant_ok(a["user"])


def test_role_preflights_judge_partitions_like_the_modules(tmp_path):
    """The hardened.eks.valid test, run by ansible-core as the role preflights run it."""
    cases = []
    for partition in PARTITIONS + BOGUS:
        a = arns(partition)
        for kind, arn in (("role_arn", a["role"]), ("principal_arn", a["user"]), ("kms_key_arn", a["kms"]),
                          ("policy_arn", a["policy"])):
            cases.append({"value": arn, "kind": kind, "want": partition in PARTITIONS})
    cases.append({"value": "arn:aws:iam::%s:role/x" % ACCOUNT, "kind": "kms_key_arn", "want": False})
    cases.append({"value": "eusc-de-east-1", "kind": "region", "want": True})
    cases.append({"value": "prod_1", "kind": "cluster_name", "want": True})
    cases.append({"value": "-prod", "kind": "cluster_name", "want": False})
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    play = tmp_path / "play.yml"
    play.write_text("""
- hosts: localhost
  gather_facts: false
  vars:
    cases: "{{ lookup('ansible.builtin.file', '%s') | from_json }}"
  tasks:
    - ansible.builtin.copy:
        dest: "%s"
        content: >-
          {%% set out = [] %%}{%% for c in cases %%}{%% set _ = out.append(c.value is hardened.eks.valid(c.kind)) %%}{%% endfor %%}{{ out | to_json }}
""" % (tmp_path / "cases.json", tmp_path / "out.json"))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".sandbox", "collections"))
    bindir = os.path.dirname(sys.executable)
    run = subprocess.run([os.path.join(bindir, "ansible-playbook"), str(play)], env=env, cwd=str(tmp_path),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    assert run.returncode == 0, run.stdout[-3000:]
    got = json.loads((tmp_path / "out.json").read_text())
    wrong = [(c["value"], c["kind"]) for c, g in zip(cases, got) if g is not c["want"]]
    assert len(got) == len(cases) and wrong == []
