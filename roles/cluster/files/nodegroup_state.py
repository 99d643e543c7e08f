#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read-only: print the current state of EKS managed node groups as JSON.

Usage: nodegroup_state.py <region> <cluster> <nodegroup> [<nodegroup> ...]

Prints {"nodegroups": {"<name>": {...DescribeNodegroup...} | null}}. The role compares this with
the wanted state and calls community.aws.eks_nodegroup only for node groups that are missing or
differ: that module re-reads and compares fields some EKS implementations do not return
(``updateConfig``) and cannot change taints, so a converged node group is left alone.
Credentials and endpoint come from the environment, as for the amazon.aws modules.
"""
import json
import sys

import boto3
from botocore.exceptions import ClientError


def main(argv):
    if len(argv) < 3:
        sys.stderr.write("usage: nodegroup_state.py <region> <cluster> <nodegroup>...\n")
        return 2
    region, cluster, names = argv[0], argv[1], argv[2:]
    client = boto3.client("eks", region_name=region)
    out = {}
    for name in names:
        try:
            ng = client.describe_nodegroup(clusterName=cluster, nodegroupName=name)["nodegroup"]
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                out[name] = None
                continue
            sys.stderr.write("DescribeNodegroup %s/%s failed: %s\n" % (cluster, name, e))
            return 1
        out[name] = {
            "status": ng.get("status"),
            "nodeRole": ng.get("nodeRole"),
            "subnets": sorted(ng.get("subnets") or []),
            "capacityType": ng.get("capacityType"),
            "scalingConfig": ng.get("scalingConfig") or {},
            "updateConfig": ng.get("updateConfig"),
            "labels": ng.get("labels") or {},
            "taints": sorted(ng.get("taints") or [], key=lambda t: (t.get("key", ""), t.get("effect", ""))),
            "tags": ng.get("tags") or {},
            "launchTemplate": ng.get("launchTemplate") or {},
            "releaseVersion": ng.get("releaseVersion"),
        }
    json.dump({"nodegroups": out}, sys.stdout, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
