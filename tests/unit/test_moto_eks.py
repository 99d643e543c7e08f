"""The routing of the sandbox's EKS extension (scripts/moto_eks.py) comes from botocore's model:
every operation it serves is matched on the URI botocore sends, with path labels decoded, and
nothing else is taken from moto."""
import os
import sys
from urllib.parse import quote

import botocore.session

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                "scripts"))
import moto_eks  # noqa: E402

MODEL = botocore.session.get_session().get_service_model("eks")
ARN = "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Dev_0123"
POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"


def uri(operation, **labels):
    template = MODEL.operation_model(operation).http["requestUri"].split("?")[0]
    for key, value in labels.items():
        template = template.replace("{%s}" % key, quote(value, safe=""))
    return template


def test_every_served_operation_is_routed_with_its_labels_decoded():
    model = moto_eks.Model()
    labels = {"name": "prod", "principalArn": ARN, "policyArn": POLICY, "associationId": "a-1", "updateId": "u-1",
              "resourceArn": "arn:aws:eks:us-east-1:123456789012:access-entry/prod/role/x", "nodegroupName": "ng",
              "addonName": "vpc-cni"}
    for operation in moto_eks.HANDLED:
        op = MODEL.operation_model(operation)
        needed = dict((k, v) for k, v in labels.items() if "{%s}" % k in op.http["requestUri"])
        found, got = model.match(op.http["method"], uri(operation, **needed))
        assert found is not None and found.name == operation, operation
        assert got == needed, operation


def test_other_operations_go_to_moto():
    model = moto_eks.Model()
    assert model.match("GET", "/clusters/prod/node-groups")[0] is None  # ListNodegroups: moto's
    assert model.match("GET", uri("ListFargateProfiles", name="prod"))[0] is None
    assert model.match("PUT", uri("DescribeCluster", name="prod"))[0] is None  # method matters


def _state(mode, entries):
    return {"mode": mode, "entries": dict((e["principalArn"], e) for e in entries)}


ROLE = "arn:aws:iam::123456789012:role/ci"
USER = "arn:aws:iam::123456789012:user/alice"
NODE = "arn:aws:iam::123456789012:role/node"
ENTRIES = [{"principalArn": ROLE, "type": "STANDARD", "username": "ci:{{SessionName}}", "kubernetesGroups": ["deploy"]},
           {"principalArn": USER, "type": "STANDARD", "username": USER, "kubernetesGroups": []},
           {"principalArn": NODE, "type": "EC2_LINUX", "username": "system:node:{{EC2PrivateDNSName}}",
            "kubernetesGroups": []}]


def test_the_feed_maps_entries_as_the_authenticator_reads_them_and_node_entries_get_the_node_groups():
    mapping, mode = moto_eks.AuthenticatorFeed.contents(_state("API_AND_CONFIG_MAP", ENTRIES))
    assert mode["backendMode"] == "DynamicFile EKSConfigMap"
    assert mapping["mapRoles"] == [
        {"rolearn": ROLE, "username": "ci:{{SessionName}}", "groups": ["deploy"]},
        {"rolearn": NODE, "username": "system:node:{{EC2PrivateDNSName}}",
         "groups": ["system:bootstrappers", "system:nodes"]}]
    assert mapping["mapUsers"] == [{"userarn": USER, "username": USER, "groups": []}]


def test_the_feed_follows_the_authentication_mode_and_a_missing_cluster_is_aws_auth_only():
    assert moto_eks.AuthenticatorFeed.contents(_state("API", ENTRIES))[1]["backendMode"] == "DynamicFile"
    mapping, mode = moto_eks.AuthenticatorFeed.contents(_state("CONFIG_MAP", ENTRIES))
    assert mode["backendMode"] == "EKSConfigMap" and mapping["mapRoles"] == [] and mapping["mapUsers"] == []
    assert moto_eks.AuthenticatorFeed.contents(None)[1]["backendMode"] == "EKSConfigMap"


def test_the_feed_writes_only_changes(tmp_path):
    feed = moto_eks.AuthenticatorFeed(str(tmp_path), "sandbox", "us-east-1")
    key = ("123456789012", "us-east-1", "sandbox")
    feed.publish({key: _state("API", ENTRIES)}, True)
    first = (tmp_path / "access-entries.json").stat().st_mtime_ns
    feed.publish({key: _state("API", ENTRIES)}, True)
    assert (tmp_path / "access-entries.json").stat().st_mtime_ns == first
    feed.publish({key: _state("API", ENTRIES)}, False)   # the cluster was deleted
    assert '"backendMode": "EKSConfigMap"' in (tmp_path / "backend-mode.json").read_text()
    assert '"mapRoles": []' in (tmp_path / "access-entries.json").read_text()
