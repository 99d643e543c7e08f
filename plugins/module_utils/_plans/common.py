# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the role plans share: the problem list, type checks and namespace objects (pure)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.hardened.eks.plugins.module_utils import _names


class Problems(object):
    """Every problem of an inventory, each as '<variable>[<index>] (<item>).<key>: <reason>'."""

    def __init__(self):
        self.items = []

    def add(self, where, reason):
        self.items.append("%s%s" % (where, reason))


def is_list(value):
    return isinstance(value, (list, tuple))


def is_str(value):
    return isinstance(value, str)


def as_bool(value):
    """A role variable as Ansible's ``bool`` filter reads it (true/yes/on/1 as strings too)."""
    return boolean(value, strict=False)


def where(var, index, name=""):
    """'calico_applications[2] (shop)' - the variable, the item and its name when it has one."""
    text = "%s[%d]" % (var, index)
    if name and is_str(name):
        text += " (%s)" % name
    return text


def namespace_names(values, var, problems, reserved=(), reserved_reason=""):
    """The valid, distinct namespace names of a list variable; problems for the others."""
    out = []
    for i, name in enumerate(values or []):
        if not _names.is_valid(name, "dns_label"):
            problems.add("%s[%d]" % (var, i), ": %r is not a namespace name (DNS-1123 label)" % (name,))
        elif name in reserved:
            problems.add("%s[%d]" % (var, i), ": %s %s" % (name, reserved_reason))
        elif name not in out:
            out.append(name)
    return out


def namespace_objects(names):
    return [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}} for n in names]


def object_key(obj):
    """'Kind/namespace/name' of a Kubernetes object ('' for a cluster-scoped one's namespace)."""
    meta = obj.get("metadata") or {}
    return "%s/%s/%s" % (obj.get("kind"), meta.get("namespace") or "", meta.get("name"))


def stale_objects(found, keep_keys, kind_key=None):
    """Listed objects (``found``: the ``results`` of a looped k8s_info, or a list of
    k8s_objects_info results) whose key is not kept.

    The kind is the result's ``kind_key`` (a looped k8s_info's loop variable) or, without one,
    each object's own ``kind``; returns minimal definitions (apiVersion, kind, metadata
    name/namespace) to delete, in the order listed.
    """
    keep = set(keep_keys or [])
    out = []
    for res in found or []:
        for obj in res.get("resources") or []:
            kind = res.get(kind_key) if kind_key else obj.get("kind")
            meta = obj.get("metadata") or {}
            key = "%s/%s/%s" % (kind, meta.get("namespace") or "", meta.get("name"))
            if key in keep:
                continue
            ref = {"name": meta.get("name")}
            if meta.get("namespace"):
                ref["namespace"] = meta["namespace"]
            out.append({"apiVersion": obj.get("apiVersion") or "rbac.authorization.k8s.io/v1",
                        "kind": kind, "metadata": ref})
    return out


def created_objects(result):
    """Names of the objects a ``kubernetes.core.k8s`` task created (in check mode: would create),
    from its registered result, whether it had one definition (``method`` at the top) or several
    (``result.results``). A skipped task created nothing."""
    if not isinstance(result, dict) or result.get("skipped"):
        return []
    if "method" in result:
        answers = [result]
    else:
        answers = (result.get("result") or {}).get("results") or []
    return [((a.get("result") or {}).get("metadata") or {}).get("name") for a in answers
            if isinstance(a, dict) and a.get("method") == "create"]
