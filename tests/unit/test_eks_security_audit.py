"""Unit tests of eks_security_audit's readers: the AWS paths the sandbox's AWS does not show
(an endpoint without the Pod Identity API, which answers HTTP 404; missing launch templates;
paginated role policies) through botocore's Stubber on clients wrapped the way AnsibleAWSModule
wraps them, and the Kubernetes reader's paging and read-only verbs on a fake API. The readers'
happy paths run over HTTP in tests/integration/test_verify.py."""
import boto3
import pytest
from botocore.stub import Stubber

from tests.fake_apiserver import FakeApiServer

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.hardened.eks.plugins.module_utils._k8s import K8sApiError
from ansible_collections.hardened.eks.plugins.module_utils._audit import readers as mod
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

ROLE = "arn:aws:iam::123456789012:role/prod-node"


def stubbed(service):
    raw = boto3.client(service, region_name="us-east-1", aws_access_key_id="testing",
                       aws_secret_access_key="testing", endpoint_url="https://%s.us-east-1.amazonaws.com" % service)
    stub = Stubber(raw)
    stub.activate()
    return RetryingBotoClientWrapper(raw, AWSRetry.jittered_backoff(retries=1, delay=0, max_delay=0)), stub


@pytest.fixture
def reader():
    eks, eks_stub = stubbed("eks")
    ec2, ec2_stub = stubbed("ec2")
    iam, iam_stub = stubbed("iam")
    r = mod.AwsReader(eks, ec2, iam)
    yield r, eks_stub, ec2_stub, iam_stub
    for s in (eks_stub, ec2_stub, iam_stub):
        s.assert_no_pending_responses()


def test_pod_identity_associations_listed_and_described(reader):
    r, eks, _ec2, _iam = reader
    eks.add_response("list_pod_identity_associations",
                     {"associations": [{"associationId": "a-1", "namespace": "shop", "serviceAccount": "api"}],
                      "nextToken": "t"}, {"clusterName": "prod"})
    eks.add_response("list_pod_identity_associations", {"associations": []}, {"clusterName": "prod", "nextToken": "t"})
    eks.add_response("describe_pod_identity_association",
                     {"association": {"associationId": "a-1", "namespace": "shop", "serviceAccount": "api",
                                      "roleArn": "arn:aws:iam::123456789012:role/shop-api"}},
                     {"clusterName": "prod", "associationId": "a-1"})
    out, note = r.pod_identity_associations("prod")
    assert note is None
    assert out == [{"associationId": "a-1", "namespace": "shop", "serviceAccount": "api",
                    "roleArn": "arn:aws:iam::123456789012:role/shop-api"}]


def test_pod_identity_api_missing_is_a_note(reader):
    r, eks, _ec2, _iam = reader
    eks.add_client_error("list_pod_identity_associations", service_error_code="404", http_status_code=404)
    out, note = r.pod_identity_associations("prod")
    assert out is None and "not available" in note


def test_pod_identity_access_denied_fails(reader):
    r, eks, _ec2, _iam = reader
    eks.add_client_error("list_pod_identity_associations", service_error_code="AccessDeniedException",
                         http_status_code=403)
    with pytest.raises(AnsibleAWSError):
        r.pod_identity_associations("prod")


def test_launch_template_missing_reads_as_none(reader):
    r, _eks, ec2, _iam = reader
    ec2.add_client_error("describe_launch_template_versions", service_error_code="InvalidLaunchTemplateId.NotFound")
    assert r.launch_template_metadata({"id": "lt-1", "version": "3"}) is None
    ec2.add_response("describe_launch_template_versions", {"LaunchTemplateVersions": [
        {"LaunchTemplateData": {"MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1}}}]},
        {"LaunchTemplateName": "nodes", "Versions": ["$Default"]})
    assert r.launch_template_metadata({"name": "nodes"}) == {"HttpTokens": "required", "HttpPutResponseHopLimit": 1}


def test_role_policies_paginated_and_missing_role(reader):
    r, _eks, _ec2, iam = reader
    iam.add_response("list_attached_role_policies", {
        "AttachedPolicies": [{"PolicyName": "A", "PolicyArn": "arn:aws:iam::aws:policy/A"}],
        "IsTruncated": True, "Marker": "m"}, {"RoleName": "prod-node"})
    iam.add_response("list_attached_role_policies", {
        "AttachedPolicies": [{"PolicyName": "B", "PolicyArn": "arn:aws:iam::aws:policy/B"}], "IsTruncated": False},
        {"RoleName": "prod-node", "Marker": "m"})
    iam.add_response("list_role_policies", {"PolicyNames": ["inline"], "IsTruncated": False}, {"RoleName": "prod-node"})
    assert r.role_policies(ROLE) == {"attached": ["arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/B"],
                                     "inline": ["inline"]}
    iam.add_client_error("list_attached_role_policies", service_error_code="NoSuchEntity", http_status_code=404)
    assert r.role_policies(ROLE) is None
    iam.add_client_error("get_role", service_error_code="NoSuchEntity", http_status_code=404)
    assert r.role(ROLE) is None
    assert r.calls == 5  # 2 + 1 pages, the failed list, the failed get


def test_k8s_reader_pages_and_reviews():
    """Lists are read page by page (``limit``, ``continue``); a kind whose CRD is not served is
    None when that is allowed and an error when not; reviews go to the SubjectAccessReview API."""
    pods = {"/api/v1/namespaces/app/pods/p%d" % i: {"kind": "Pod", "metadata": {}} for i in range(3)}
    api = FakeApiServer(objects=pods, served=(), page_size=2)
    api.handlers[("POST", mod.SAR_PATH)] = lambda body: {"status": {"allowed": body["spec"]["user"] == "root"}}
    k = mod.K8sReader(api)
    assert [p["metadata"]["name"] for p in k.items("/api/v1/pods")] == ["p0", "p1", "p2"]
    assert [c[2] for c in api.calls] == [{"limit": 500}, {"limit": 500, "continue": "2"}]
    assert k.items("/apis/crd.projectcalico.org/v1/networkpolicies", missing_ok=True) is None
    with pytest.raises(K8sApiError):
        k.items("/apis/crd.projectcalico.org/v1/globalnetworkpolicies")
    assert k.review({"spec": {"user": "root"}}) is True and k.review({"spec": {"user": "x"}}) is False
    assert (k.gets, k.reviews) == (4, 2)
    assert set(c[0] for c in api.calls) == {"GET", "POST"}
    assert [c[1] for c in api.calls if c[0] == "POST"] == [mod.SAR_PATH, mod.SAR_PATH]
