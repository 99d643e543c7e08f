# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which EKS managed node groups differ from the wanted settings (pure; module
``eks_nodegroup_diff``).

The ``cluster`` role runs ``community.aws.eks_nodegroup`` only for node groups that are missing
or differ: that module re-reads and compares fields some EKS implementations do not return
(``updateConfig``) and cannot change taints, so a converged node group is left alone.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Compared, in this order; taints are set at creation only (community.aws cannot change them).
FIELDS = ("scalingConfig", "launchTemplateVersion", "labels", "tags", "subnets", "nodeRole", "capacityType",
          "updateConfig")


class NodegroupInputError(Exception):
    def __init__(self, problems):
        super(NodegroupInputError, self).__init__("; ".join(problems))
        self.problems = problems


def current_view(ng):
    """The compared fields of DescribeNodegroup's ``nodegroup`` (None: it does not exist)."""
    if ng is None:
        return None
    return {
        "status": ng.get("status"),
        "nodeRole": ng.get("nodeRole"),
        "subnets": sorted(ng.get("subnets") or []),
        "capacityType": ng.get("capacityType"),
        "scalingConfig": dict(ng.get("scalingConfig") or {}),
        "updateConfig": ng.get("updateConfig"),
        "labels": dict(ng.get("labels") or {}),
        "taints": sorted(ng.get("taints") or [], key=lambda t: (t.get("key", ""), t.get("effect", ""))),
        "tags": dict(ng.get("tags") or {}),
        "launchTemplateName": (ng.get("launchTemplate") or {}).get("name"),
        "launchTemplateVersion": str((ng.get("launchTemplate") or {}).get("version") or ""),
        "releaseVersion": ng.get("releaseVersion"),
    }


def _int(value, where, problems):
    try:
        if isinstance(value, bool):
            raise ValueError(value)
        return int(value)
    except (TypeError, ValueError):
        problems.append("%s: %r is not a number" % (where, value))
        return None


def wanted_views(node_groups, defaults, node_role, subnets, tags, launch_template_versions):
    """The compared fields of each inventory node group (``defaults`` first, then the item)."""
    problems, out = [], []
    for i, raw in enumerate(node_groups):
        if not isinstance(raw, dict) or not raw.get("name"):
            problems.append("node_groups[%d]: a mapping with a name" % i)
            continue
        ng = dict(defaults or {})
        ng.update(raw)
        at = "node_groups[%d] (%s)" % (i, ng["name"])
        scaling = dict((k, _int(ng.get(src), "%s.%s" % (at, src), problems))
                       for k, src in (("minSize", "min_size"), ("maxSize", "max_size"), ("desiredSize", "desired_size")))
        merged_tags = dict(tags or {})
        merged_tags.update(ng.get("tags") or {})
        out.append({
            "name": ng["name"],
            "scalingConfig": scaling,
            "launchTemplateVersion": str((launch_template_versions or {}).get(ng["name"], 1)),
            "labels": dict(ng.get("labels") or {}),
            "tags": dict((k, str(v)) for k, v in merged_tags.items()),
            "subnets": sorted(ng.get("subnet_ids") or subnets or []),
            "nodeRole": node_role,
            "capacityType": ng.get("capacity_type"),
            "updateConfig": {"maxUnavailable": _int(ng.get("max_unavailable"), at + ".max_unavailable", problems)},
        })
    if problems:
        raise NodegroupInputError(problems)
    return out


def differences(current, wanted):
    """The fields of FIELDS in which ``current`` differs from ``wanted`` (``['missing']`` when
    it does not exist). An ``updateConfig`` the endpoint does not report, and a node role not
    asked for, are not compared."""
    if current is None:
        return ["missing"]
    out = []
    for field in FIELDS:
        if field == "updateConfig" and current.get("updateConfig") is None:
            continue
        if field == "nodeRole" and wanted.get("nodeRole") is None:
            continue
        if current.get(field) != wanted.get(field):
            out.append(field)
    return out
