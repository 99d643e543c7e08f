"""Unit tests of eks_security_audit's readers: the AWS paths moto cannot show (Pod Identity
associations, which moto 5.2.1 answers with HTTP 404; missing launch templates; paginated role
policies) through botocore's Stubber on clients wrapped the way AnsibleAWSModule wraps them, and
the Kubernetes reader's paging and read-only verbs on a fake API."""
import boto3
import pytest
from botocore.stub import Stubber

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


class FakeApi(object):
    """Pages of a list, then a 404 for a missing CRD; records every request."""

    def __init__(self, pages):
        self.pages = pages
        self.seen = []

    def get(self, path, query=None):
        self.seen.append(("GET", path, dict(query or {})))
        if path not in self.pages:
            raise K8sApiError(404, "Not Found", None, "GET", path)
        return self.pages[path].pop(0)

    def request(self, method, path, body=None, query=None):
        self.seen.append((method, path, body))
        return {"status": {"allowed": body["spec"]["user"] == "root"}}


def test_k8s_reader_pages_and_reviews():
    api = FakeApi({"/api/v1/pods": [{"items": [1, 2], "metadata": {"continue": "c"}}, {"items": [3], "metadata": {}}]})
    k = mod.K8sReader(api)
    assert k.items("/api/v1/pods") == [1, 2, 3]
    assert [q for _m, _p, q in api.seen] == [{"limit": 500, "continue": None}, {"limit": 500, "continue": "c"}]
    assert k.items("/apis/crd.projectcalico.org/v1/networkpolicies", missing_ok=True) is None
    with pytest.raises(K8sApiError):
        k.items("/apis/crd.projectcalico.org/v1/globalnetworkpolicies")
    assert k.review({"spec": {"user": "root"}}) is True and k.review({"spec": {"user": "x"}}) is False
    assert (k.gets, k.reviews) == (4, 2)
    assert set(m for m, _p, _q in api.seen) == {"GET", "POST"}
    assert [p for m, p, _b in api.seen if m == "POST"] == [mod.SAR_PATH, mod.SAR_PATH]
