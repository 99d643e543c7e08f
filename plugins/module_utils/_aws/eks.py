# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""EKS reads, one place per described resource: a missing resource reads as ``None``."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hardened.eks.plugins.module_utils._aws.common import EksErrorHandler
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import call
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import paginate
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import retry


@EksErrorHandler.list_error_handler("describe cluster {name}")
@retry()
def describe_cluster(client, name):
    return client.describe_cluster(name=name)["cluster"]


@EksErrorHandler.list_error_handler("describe add-on {name} of cluster {cluster_name}")
@retry()
def describe_addon(client, cluster_name, name):
    return client.describe_addon(clusterName=cluster_name, addonName=name)["addon"]


@EksErrorHandler.common_error_handler("describe update {update_id} of cluster {cluster_name}")
@retry()
def describe_update(client, cluster_name, update_id, addon_name=None):
    params = {"name": cluster_name, "updateId": update_id}
    if addon_name:
        params["addonName"] = addon_name
    return client.describe_update(**params)["update"]


@EksErrorHandler.list_error_handler("list the node groups of cluster {cluster_name}", default_value=[])
@retry()
def list_nodegroups(client, cluster_name):
    return paginate(client, "list_nodegroups", "nodegroups", clusterName=cluster_name)


@EksErrorHandler.list_error_handler("describe node group {name} of cluster {cluster_name}")
@retry()
def describe_nodegroup(client, cluster_name, name):
    return client.describe_nodegroup(clusterName=cluster_name, nodegroupName=name)["nodegroup"]


@EksErrorHandler.common_error_handler("list the Pod Identity associations of cluster {cluster_name}")
@retry()
def list_pod_identity_associations(client, cluster_name):
    return paginate(client, "list_pod_identity_associations", "associations", clusterName=cluster_name)


@EksErrorHandler.list_error_handler("describe Pod Identity association {association_id} of cluster {cluster_name}")
@retry()
def describe_pod_identity_association(client, cluster_name, association_id):
    return client.describe_pod_identity_association(clusterName=cluster_name, associationId=association_id)["association"]


@EksErrorHandler.common_error_handler("list the access entries of cluster {cluster_name}")
@retry()
def list_access_entries(client, cluster_name, policy_arn=None):
    params = {"clusterName": cluster_name}
    if policy_arn:
        params["associatedPolicyArn"] = policy_arn
    return paginate(client, "list_access_entries", "accessEntries", **params)


@EksErrorHandler.list_error_handler("describe access entry {principal_arn} of cluster {cluster_name}")
@retry()
def describe_access_entry(client, cluster_name, principal_arn):
    return client.describe_access_entry(clusterName=cluster_name, principalArn=principal_arn)["accessEntry"]


@EksErrorHandler.list_error_handler("list the access policies of {principal_arn} on cluster {cluster_name}",
                                    default_value=[])
@retry()
def associated_access_policies(client, cluster_name, principal_arn):
    return paginate(client, "list_associated_access_policies", "associatedAccessPolicies", clusterName=cluster_name,
                    principalArn=principal_arn)


# EKS calls that name their resource by ARN alone; every other planned call is on a cluster.
_BY_ARN = ("tag_resource", "untag_resource")


def run_step(client, cluster_name, step, what):
    """One planned step ``{"call", "params"}`` on cluster ``cluster_name`` (its answer), with
    ``clusterName`` added where the call takes it."""
    params = dict(step["params"])
    if step["call"] not in _BY_ARN:
        params["clusterName"] = cluster_name
    return call(client, step["call"], what, **params)
