#!/usr/bin/env python3
"""Seed the sandbox like a new EKS cluster and a new AWS account (create-if-missing).

Kubernetes: the manifests beside this file (aws-auth with the node role, aws-node, ENIConfig
CRD, kube-dns, the authenticator's read access to aws-auth) and the upstream Calico CRDs
(``--crds``: the folders of the pinned tigera/operator module that hold the CRDs of Calico's
crds.yaml: crd.projectcalico.org/v1 and policy.networking.k8s.io). AWS (moto): a VPC with private subnets in 3 AZs and the node
role that aws-auth names, with the AWS managed node policies.
"""
import argparse
import glob
import json
import os
import sys
import time

import boto3
import yaml
from kubernetes import client, config
from kubernetes.client.rest import ApiException

HERE = os.path.dirname(os.path.abspath(__file__))
NODE_ROLE = "hardened-eks-sandbox-node"
VPC_NAME = "hardened-eks-sandbox"
SUBNETS = [("a", "10.0.0.0/19"), ("b", "10.0.32.0/19"), ("c", "10.0.64.0/19")]
NODE_POLICIES = [
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
]


def plural_path(api, obj):
    kind = obj["kind"]
    version = obj["apiVersion"]
    plurals = {"ConfigMap": "configmaps", "ServiceAccount": "serviceaccounts", "Service": "services",
               "DaemonSet": "daemonsets", "ClusterRole": "clusterroles",
               "ClusterRoleBinding": "clusterrolebindings", "Namespace": "namespaces",
               "Role": "roles", "RoleBinding": "rolebindings",
               "CustomResourceDefinition": "customresourcedefinitions"}
    base = "/api/v1" if version == "v1" else "/apis/%s" % version
    ns = obj["metadata"].get("namespace")
    if ns:
        base += "/namespaces/%s" % ns
    return base + "/" + plurals[kind]


def seed_kubernetes(kubeconfig, crd_dirs):
    config.load_kube_config(config_file=kubeconfig)
    api = client.ApiClient()
    created = 0
    upstream = []
    for crds_dir in crd_dirs:
        found = sorted(glob.glob(os.path.join(crds_dir, "*.yaml")))
        if not found:
            raise SystemExit("no CRDs found in %s" % crds_dir)
        upstream += found
    for path in upstream + sorted(glob.glob(os.path.join(HERE, "*.yaml"))):
        with open(path) as fh:
            docs = [d for d in yaml.safe_load_all(fh) if d]
        for obj in docs:
            url = plural_path(api, obj)
            for attempt in range(30):
                try:
                    api.call_api(url + "/" + obj["metadata"]["name"], "GET", auth_settings=["BearerToken"],
                                 _return_http_data_only=True, _preload_content=False)
                    break  # exists: leave it as it is
                except ApiException as exc:
                    if exc.status != 404:
                        if exc.status in (500, 503) and attempt < 29:
                            time.sleep(0.5)
                            continue
                        raise SystemExit("reading %s %s failed: %s %s" % (
                            obj["kind"], obj["metadata"]["name"], exc.status, exc.body))
                try:
                    api.call_api(url, "POST", body=obj, auth_settings=["BearerToken"],
                                 _return_http_data_only=True, _preload_content=False)
                    created += 1
                    break
                except ApiException as exc:
                    if exc.status == 409:
                        break
                    if exc.status in (404, 500, 503) and attempt < 29:  # API not ready yet
                        time.sleep(0.5)
                        continue
                    raise SystemExit("seeding %s %s failed: %s %s" % (obj["kind"], obj["metadata"]["name"],
                                                                        exc.status, exc.body))
    # Wait until the CRDs are served.
    for group_path in ("/apis/crd.projectcalico.org/v1", "/apis/crd.k8s.amazonaws.com/v1alpha1"):
        for _ in range(60):
            try:
                api.call_api(group_path, "GET", auth_settings=["BearerToken"], _return_http_data_only=True, _preload_content=False)
                break
            except ApiException:
                time.sleep(0.5)
        else:
            raise SystemExit("CRDs of %s are not served" % group_path)
    # kube-controller-manager's clusterrole-aggregation fills view/edit/admin: wait for it, so
    # authorization answers are right from the first test on.
    rbac = client.RbacAuthorizationV1Api(api)
    for _ in range(120):
        if all(rbac.read_cluster_role(n).rules for n in ("view", "edit", "admin")):
            break
        time.sleep(0.5)
    else:
        raise SystemExit("the aggregated ClusterRoles view/edit/admin have no rules: is "
                         "kube-controller-manager running? (.sandbox/kube-controller-manager.log)")
    print("kubernetes: %d objects created" % created)


def seed_aws(endpoint, region):
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name=region)
    ec2 = session.client("ec2", endpoint_url=endpoint)
    iam = session.client("iam", endpoint_url=endpoint)
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [VPC_NAME]}])["Vpcs"]
    if vpcs:
        vpc_id = vpcs[0]["VpcId"]
    else:
        vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=[{
            "ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": VPC_NAME}]}])["Vpc"]["VpcId"]
    existing = {s["AvailabilityZone"] for s in ec2.describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]}
    for suffix, cidr in SUBNETS:
        az = region + suffix
        if az in existing:
            continue
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=az, TagSpecifications=[{
            "ResourceType": "subnet", "Tags": [
                {"Key": "Name", "Value": "%s-private-%s" % (VPC_NAME, az)},
                {"Key": "kubernetes.io/role/internal-elb", "Value": "1"}]}])
    try:
        iam.get_role(RoleName=NODE_ROLE)
    except iam.exceptions.NoSuchEntityException:
        iam.create_role(RoleName=NODE_ROLE, AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                           "Action": "sts:AssumeRole"}]}),
            Description="EKS node role (sandbox seed)")
        for arn in NODE_POLICIES:
            iam.attach_role_policy(RoleName=NODE_ROLE, PolicyArn=arn)
    print("aws: vpc %s with %d private subnets, role %s" % (vpc_id, len(SUBNETS), NODE_ROLE))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kubeconfig", required=True)
    parser.add_argument("--moto", required=True)
    parser.add_argument("--region", required=True)
    parser.add_argument("--crds", action="append", required=True, help="a folder of CRD files (repeatable)")
    args = parser.parse_args()
    seed_aws(args.moto, args.region)
    seed_kubernetes(args.kubeconfig, args.crds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
