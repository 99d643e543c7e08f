# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Data builders of the scenarios: aws-auth entries, Calico policies, pod roles, and the audit
events they are judged by.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections

from tests.integration.fixtures import AuditLog

from benchmarks.bench.harness import ACCOUNT
from benchmarks.bench.harness import CALICO_GROUPS
from benchmarks.bench.harness import MANAGED_POLICY_ARN


def aws_auth_entries(n, compact=False):
    out = []
    for i in range(n):
        if compact:
            out.append({"rolearn": "arn:aws:iam::%s:role/r%05d" % (ACCOUNT, i), "username": "r%05d" % i,
                        "groups": ["g"]})
        else:
            out.append({"rolearn": "arn:aws:iam::%s:role/bench-team-%05d" % (ACCOUNT, i),
                        "username": "bench-team-%05d" % i, "groups": ["bench-readers", "team-%02d" % (i % 50)]})
    return out


def to_ours_roles(entries):
    return [{"arn": e["rolearn"], "username": e["username"], "groups": e["groups"]} for e in entries]


def calico_policies(n, namespaces):
    out = []
    for i in range(n):
        idx = i // len(namespaces)
        out.append({
            "kind": "NetworkPolicy",
            "name": "bench-p%04d" % idx,
            "namespace": namespaces[i % len(namespaces)],
            "labels": {"app.kubernetes.io/managed-by": "hardened-eks-bench"},
            "spec": {
                "order": 100 + idx % 50,
                "selector": "app == 'svc-%d'" % idx,
                "types": ["Ingress", "Egress"],
                "ingress": [{"action": "Allow", "protocol": "TCP",
                             "source": {"selector": "role == 'frontend'"},
                             "destination": {"ports": [8000 + idx % 1000]}}],
                "egress": [{"action": "Allow", "protocol": "UDP",
                            "destination": {"selector": "k8s-app == 'kube-dns'",
                                            "namespaceSelector": "projectcalico.org/name == 'kube-system'",
                                            "ports": [53]}}],
            },
        })
    return out


def calico_definitions(policies):
    return [{"apiVersion": "crd.projectcalico.org/v1", "kind": p["kind"],
             "metadata": {"name": p["name"], "namespace": p["namespace"], "labels": p["labels"]},
             "spec": p["spec"]} for p in policies]


def calico_events(events, namespaces=None):
    out = []
    for ev in events:
        ref = ev.get("objectRef") or {}
        if ref.get("resource") not in ("networkpolicies", "globalnetworkpolicies", "networksets",
                                       "globalnetworksets", "tiers"):
            continue
        if ref.get("apiGroup") not in CALICO_GROUPS:
            continue
        if namespaces is not None and ref.get("namespace") not in namespaces and ref.get("namespace"):
            continue
        out.append(ev)
    return out


def max_lists_per_kind_namespace(events):
    counts = collections.Counter()
    for ev in events:
        if ev.get("verb") == "list":
            ref = ev.get("objectRef") or {}
            counts[(ref.get("resource"), ref.get("namespace") or "*")] += 1
    return max(counts.values()) if counts else 0


def inline_doc(i, statements=1):
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "Read%d" % s, "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": ["arn:aws:s3:::bench-bucket-%d" % i, "arn:aws:s3:::bench-bucket-%d/*" % i]}
        for s in range(statements)]}


def pod_role(name, node_role_arns, inline_policies):
    """The same role for both sides: ours (eks_pod_iam_role options) and generic (iam_role +
    iam_policy). Generic gets one inline policy, as the scenario uses one."""
    first_name, first_doc = next(iter(inline_policies.items()))
    return {
        "ours": {"name": name, "path": "/", "trust": {"kube2iam": {"node_role_arns": node_role_arns}},
                 "inline_policies": inline_policies, "managed_policy_arns": [MANAGED_POLICY_ARN]},
        "generic": {"name": name, "path": "/", "managed_policy_arns": [MANAGED_POLICY_ARN],
                    "trust_document": {"Version": "2012-10-17", "Statement": [
                        {"Effect": "Allow", "Principal": {"AWS": node_role_arns}, "Action": "sts:AssumeRole"}]},
                    "inline_policy_name": first_name, "inline_policy": first_doc},
    }


def on_object(events, resource, name=None, namespace=None):
    out = []
    for ev in events:
        ref = ev.get("objectRef") or {}
        if ref.get("resource") == resource and (name is None or ref.get("name") == name) \
                and (namespace is None or ref.get("namespace") == namespace):
            out.append(ev)
    return out


def writes(events):
    return [e for e in events if e.get("verb") in AuditLog.WRITE_VERBS]


# ---------------------------------------------------------------------------------- scenarios
