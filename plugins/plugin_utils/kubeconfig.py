# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The API server a kubeconfig's current context points at (for the reachability check)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    from urllib.parse import urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported
    from urlparse import urlsplit

import yaml


def _named(items, name, kind, path):
    for item in items or []:
        if isinstance(item, dict) and item.get("name") == name:
            return item.get(kind) or {}
    raise ValueError("%s: no %s named '%s' in the kubeconfig" % (path, kind, name))


def kubeconfig_server(text, path="kubeconfig", context=None):
    """dict(url, host, port, context) of the cluster the context (default: current-context) uses.

    Raises ValueError naming the kubeconfig and what is missing."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError("%s is not YAML: %s" % (path, exc))
    if not isinstance(doc, dict):
        raise ValueError("%s is not a kubeconfig (no mapping at the top)" % path)
    name = context or doc.get("current-context")
    if not name:
        raise ValueError("%s has no current-context" % path)
    cluster_name = _named(doc.get("contexts"), name, "context", path).get("cluster")
    if not cluster_name:
        raise ValueError("%s: context '%s' names no cluster" % (path, name))
    url = _named(doc.get("clusters"), cluster_name, "cluster", path).get("server") or ""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError("%s: cluster '%s' has no https server URL (got '%s')" % (path, cluster_name, url))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ValueError("%s: cluster '%s' has a bad port in '%s'" % (path, cluster_name, url))
    return {"url": url, "host": parts.hostname, "port": port, "context": name}
