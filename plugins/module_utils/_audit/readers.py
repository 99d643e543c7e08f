# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The facts ``eks_security_audit`` reads, read-only: AWS through the AWS layer (``_aws``),
Kubernetes through ``K8sApi`` (GET, plus SubjectAccessReviews, which persist nothing). Both
count their requests for the report."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.hardened.eks.plugins.module_utils import _names
from ansible_collections.hardened.eks.plugins.module_utils._aws import ec2 as ec2_api
from ansible_collections.hardened.eks.plugins.module_utils._aws import eks as eks_api
from ansible_collections.hardened.eks.plugins.module_utils._aws import iam as iam_api
from ansible_collections.hardened.eks.plugins.module_utils._aws import kms as kms_api
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import error_code
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import unsupported
from ansible_collections.hardened.eks.plugins.module_utils._eks import access
from ansible_collections.hardened.eks.plugins.module_utils._k8s import K8sError
from ansible_collections.hardened.eks.plugins.module_utils._k8s import list_pages
from ansible_collections.hardened.eks.plugins.module_utils._k8s import k8s_path

SAR_PATH = "/apis/authorization.k8s.io/v1/subjectaccessreviews"
# Sent with every Kubernetes request, so the audit's footprint is easy to find in the API
# server's audit log (the integration tests prove it read-only that way).
USER_AGENT = "hardened.eks/eks_security_audit"


class AuditError(Exception):
    """The facts could not be read."""


class AwsReader(object):
    """AWS facts. ``calls`` counts the API calls made (every page, not botocore's retries)."""

    def __init__(self, eks, ec2, iam, kms=None):
        self.eks, self.ec2, self.iam, self.kms = eks, ec2, iam, kms
        self.calls = 0
        for client in (eks, ec2, iam, kms):
            if client is not None:
                client.meta.events.register("before-parameter-build", self._count)

    def _count(self, **kwargs):
        self.calls += 1

    def cluster(self, name):
        cluster = eks_api.describe_cluster(self.eks, name)
        if cluster is None:
            raise AuditError("EKS cluster %s not found" % name)
        return cluster

    def nodegroups(self, cluster):
        out = []
        for name in eks_api.list_nodegroups(self.eks, cluster):
            ng = eks_api.describe_nodegroup(self.eks, cluster, name)
            if ng is None:  # deleted since it was listed
                continue
            lt = ng.get("launchTemplate")
            out.append({"name": name, "node_role": ng.get("nodeRole"), "launch_template": lt,
                        "metadata_options": self.launch_template_metadata(lt) if lt else None})
        return out

    def launch_template_metadata(self, lt):
        version = ec2_api.launch_template_version(self.ec2, lt)
        if version is None:
            return None
        return (version.get("LaunchTemplateData") or {}).get("MetadataOptions") or {}

    def role(self, arn):
        """The IAM role (dict with AssumeRolePolicyDocument) or None."""
        return iam_api.get_role(self.iam, arn.split("/")[-1])

    def role_policies(self, arn):
        """``{'attached': [...], 'inline': [...]}`` or None when the role does not exist."""
        return iam_api.role_policy_lists(self.iam, arn.split("/")[-1])

    def cluster_admins(self, cluster, partition, policies):
        """``{principal: [(policy name, scope type)]}`` of the access entries holding one of
        ``policies`` (names): one filtered list per policy, then each holder's associations."""
        out = {}
        for name in policies:
            arn = access.policy_arn(name, partition)
            for principal in eks_api.list_access_entries(self.eks, cluster, policy_arn=arn):
                if principal in out:
                    continue
                out[principal] = [(access.policy_name(p["policyArn"]), (p.get("accessScope") or {}).get("type"))
                                  for p in eks_api.associated_access_policies(self.eks, cluster, principal)]
        return out

    def access_entries(self, cluster):
        """Every access entry's principal ARN."""
        return eks_api.list_access_entries(self.eks, cluster)

    def access_entry(self, cluster, principal):
        return eks_api.describe_access_entry(self.eks, cluster, principal)

    def principal_exists(self, arn, account):
        """True/False for a role or user of ``account``; None for another account's (not ours to read)."""
        parts = _names.principal_parts(arn)
        if parts is None or parts[0] != account:
            return None
        _account, kind, name = parts
        found = iam_api.get_role(self.iam, name) if kind == "role" else iam_api.get_user(self.iam, name)
        return found is not None

    def addon(self, cluster, name):
        """(DescribeAddon's add-on or None, note): the note when the add-on API is not offered."""
        try:
            return eks_api.describe_addon(self.eks, cluster, name), None
        except AnsibleAWSError as e:
            if unsupported(e):
                return None, "add-on API not available at this endpoint"
            raise

    def kms_key(self, arn):
        """(KeyMetadata or None, note): the note when the key cannot be read (no client, denied)."""
        if self.kms is None:
            return None, "the key was not read"
        try:
            return kms_api.describe_key(self.kms, arn), None
        except AnsibleAWSError as e:
            code = error_code(e)
            if code in ("AccessDeniedException", "AccessDenied"):
                return None, "the audit may not read the key (%s)" % code
            raise

    def pod_identity_associations(self, cluster):
        """(list or None, note): None when the API is not offered (an emulator, an old region)."""
        try:
            listed = eks_api.list_pod_identity_associations(self.eks, cluster)
        except AttributeError:  # a botocore without the API
            return None, "Pod Identity association API not available at this endpoint"
        except AnsibleAWSError as e:
            if unsupported(e):
                return None, "Pod Identity association API not available at this endpoint"
            raise
        out = []
        for a in listed:
            described = eks_api.describe_pod_identity_association(self.eks, cluster, a["associationId"])
            if described is not None:
                out.append(described)
        return out, None


class K8sReader(object):
    """Kubernetes facts, counting GETs and reviews."""

    def __init__(self, api):
        self.api = api
        self.gets = 0
        self.reviews = 0

    def get_or_none(self, path):
        self.gets += 1
        return self.api.get_or_none(path)

    def get(self, path, query=None):
        self.gets += 1
        return self.api.get(path, query)

    def items(self, path, missing_ok=False):
        """All items of a list, page by page (limit/continue)."""
        out = []
        try:
            for page in list_pages(self, path):
                out.extend(page.get("items") or [])
        except K8sError as exc:
            if missing_ok and getattr(exc, "status", None) == 404:
                return None
            raise
        return out

    def scoped_items(self, api_version, plural, namespaces, missing_ok=False):
        """Items of a namespaced resource: cluster-wide, or from each of ``namespaces``."""
        if not namespaces:
            return self.items(k8s_path(api_version, plural), missing_ok)
        out = []
        for ns in namespaces:
            items = self.items(k8s_path(api_version, plural, ns), missing_ok)
            if items is None:
                return None
            out.extend(items)
        return out

    def review(self, body):
        """One SubjectAccessReview: a create that persists nothing; returns status.allowed."""
        self.reviews += 1
        answer = self.api.request("POST", SAR_PATH, body)
        return bool(((answer or {}).get("status") or {}).get("allowed"))
