"""The AWS layer (plugins/module_utils/_aws): errors name what was done with the call's own
arguments, a missing resource reads as None, pages are followed, and throttling is retried
(botocore's Stubber on real clients; the retry's sleeps are recorded, not slept)."""
import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.hardened.eks.plugins.module_utils._aws import ec2 as ec2_api
from ansible_collections.hardened.eks.plugins.module_utils._aws import eks as eks_api
from ansible_collections.hardened.eks.plugins.module_utils._aws import iam as iam_api
from ansible_collections.hardened.eks.plugins.module_utils._aws import common


@pytest.fixture
def sleeps(monkeypatch):
    out = []
    monkeypatch.setattr("time.sleep", out.append)
    return out


def client(service):
    raw = boto3.client(service, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    stub = Stubber(raw)
    stub.activate()
    return raw, stub


def test_a_missing_cluster_reads_as_none_and_other_errors_name_the_cluster():
    eks, stub = client("eks")
    stub.add_client_error("describe_cluster", service_error_code="ResourceNotFoundException", http_status_code=404)
    stub.add_client_error("describe_cluster", service_error_code="AccessDeniedException", http_status_code=403)
    assert eks_api.describe_cluster(eks, "prod") is None
    with pytest.raises(AnsibleAWSError) as err:
        eks_api.describe_cluster(eks, name="prod")
    assert err.value.message == "Failed to describe cluster prod"
    assert common.error_code(err.value) == "AccessDeniedException" and not common.unsupported(err.value)
    stub.assert_no_pending_responses()


def test_throttling_is_retried_then_the_answer_returned(sleeps):
    iam, stub = client("iam")
    for _i in range(2):
        stub.add_client_error("get_role", service_error_code="Throttling", http_status_code=400)
    stub.add_response("get_role", {"Role": {"Path": "/", "RoleName": "app", "RoleId": "AROAEXAMPLEEXAMPLE123",
                                            "Arn": "arn:aws:iam::111122223333:role/app", "CreateDate": "2024-01-01"}})
    assert iam_api.get_role(iam, "app")["RoleName"] == "app"
    assert len(sleeps) == 2
    stub.assert_no_pending_responses()


def test_pages_are_followed_and_a_missing_role_has_no_policies():
    iam, stub = client("iam")
    stub.add_response("list_attached_role_policies", {"AttachedPolicies": [{"PolicyArn": "arn:aws:iam::aws:policy/A"}],
                                                      "IsTruncated": True, "Marker": "m"}, {"RoleName": "r"})
    stub.add_response("list_attached_role_policies", {"AttachedPolicies": [{"PolicyArn": "arn:aws:iam::aws:policy/B"}],
                                                      "IsTruncated": False}, {"RoleName": "r", "Marker": "m"})
    stub.add_response("list_role_policies", {"PolicyNames": ["x"], "IsTruncated": False}, {"RoleName": "r"})
    assert iam_api.role_policy_lists(iam, "r") == {"attached": ["arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/B"],
                                                   "inline": ["x"]}
    stub.add_client_error("list_attached_role_policies", service_error_code="NoSuchEntity", http_status_code=404)
    assert iam_api.role_policy_lists(iam, "gone") is None
    stub.add_response("list_role_tags", {"Tags": [{"Key": "team", "Value": "shop"}], "IsTruncated": False}, {"RoleName": "r"})
    assert iam_api.role_tags(iam, "r") == {"team": "shop"}
    stub.assert_no_pending_responses()


def test_amazon_aws_iam_helpers_are_used_and_their_errors_name_the_role(sleeps):
    """get_role, the policy lists and the instance profiles are amazon.aws's own helpers
    (get_iam_role, list_iam_role_*, list_iam_instance_profiles): a missing role reads as None
    or [], throttling is retried, and an error names the role, which amazon.aws's does not."""
    iam, stub = client("iam")
    stub.add_client_error("get_role", service_error_code="NoSuchEntity", http_status_code=404)
    assert iam_api.get_role(iam, "gone") is None
    stub.add_client_error("list_attached_role_policies", service_error_code="Throttling", http_status_code=400)
    stub.add_response("list_attached_role_policies", {"AttachedPolicies": [{"PolicyArn": "arn:aws:iam::aws:policy/A"}],
                                                      "IsTruncated": False}, {"RoleName": "r"})
    assert iam_api.attached_policy_arns(iam, "r") == ["arn:aws:iam::aws:policy/A"] and len(sleeps) == 1
    stub.add_response("list_role_policies", {"PolicyNames": ["x"], "IsTruncated": False}, {"RoleName": "r"})
    assert iam_api.inline_policy_names(iam, "r") == ["x"]
    stub.add_response("list_instance_profiles_for_role", {"InstanceProfiles": [{
        "Path": "/", "InstanceProfileName": "nodes", "InstanceProfileId": "AIPAEXAMPLEEXAMPLE123",
        "Arn": "arn:aws:iam::111122223333:instance-profile/nodes", "CreateDate": "2024-01-01", "Roles": []}],
        "IsTruncated": False}, {"RoleName": "r"})
    assert iam_api.instance_profiles_of_role(iam, "r") == ["nodes"]
    stub.add_client_error("list_role_policies", service_error_code="NoSuchEntity", http_status_code=404)
    assert iam_api.inline_policy_names(iam, "gone") == []
    stub.add_client_error("get_role", service_error_code="AccessDenied", http_status_code=403)
    with pytest.raises(AnsibleAWSError) as err:
        iam_api.get_role(iam, "app")
    assert err.value.message == "Failed to get role app" and common.error_code(err.value) == "AccessDenied"
    assert "Failed to get role app: " in str(err.value)
    stub.assert_no_pending_responses()


def test_a_denied_oidc_provider_read_is_tolerated_only_when_asked():
    iam, stub = client("iam")
    arn = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/X"
    stub.add_client_error("get_open_id_connect_provider", service_error_code="AccessDenied", http_status_code=403)
    assert iam_api.get_oidc_provider(iam, arn, tolerate_denied=True) is None
    stub.add_client_error("get_open_id_connect_provider", service_error_code="AccessDenied", http_status_code=403)
    with pytest.raises(AnsibleAWSError) as err:
        iam_api.get_oidc_provider(iam, arn)
    assert err.value.message == "Failed to read IAM OIDC provider %s" % arn
    stub.add_client_error("get_open_id_connect_provider", service_error_code="NoSuchEntity", http_status_code=404)
    assert iam_api.get_oidc_provider(iam, arn) is None


def test_an_endpoint_without_the_operation_is_told_apart():
    eks, stub = client("eks")
    stub.add_client_error("list_pod_identity_associations", service_error_code="404", http_status_code=404)
    with pytest.raises(AnsibleAWSError) as err:
        eks_api.list_pod_identity_associations(eks, "prod")
    assert common.unsupported(err.value)
    assert err.value.message == "Failed to list the Pod Identity associations of cluster prod"


def test_a_deleted_launch_template_reads_as_none():
    ec2, stub = client("ec2")
    stub.add_client_error("describe_launch_template_versions", service_error_code="InvalidLaunchTemplateId.NotFound")
    assert ec2_api.launch_template_version(ec2, {"id": "lt-1", "version": 2}) is None
    stub.add_response("describe_launch_template_versions", {"LaunchTemplateVersions": [{"VersionNumber": 2}]},
                      {"LaunchTemplateName": "nodes", "Versions": ["$Default"]})
    assert ec2_api.launch_template_version(ec2, {"name": "nodes"}) == {"VersionNumber": 2}
