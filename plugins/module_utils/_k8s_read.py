# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Several Kubernetes reads in one module process (module ``k8s_objects_info``).

``kubernetes.core.k8s_info`` reads one kind per module process, and a module process costs
about a second (Python, Ansible's wrapper, ``import kubernetes``) where the GET itself costs
milliseconds. A role that needs five reads pays five seconds; these queries are answered by
one process, one GET (per page) each.

Pure parts (query checks, paths, result shapes) here; the GETs go through
``_k8s.K8sApi`` (retries, kubernetes.core's connection options). Paths come from a table of
the built-in kinds, from the query's ``resource`` (a custom resource's plural), or else from
one discovery GET per group version.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hardened.eks.plugins.module_utils._k8s import K8sApiError, K8sError, api_base, k8s_path, list_pages

# (api_version, kind) -> (plural, namespaced) of the built-in kinds the roles read; any other
# kind is found by discovery (or the query's ``resource``).
BUILTIN = {
    ("v1", "ConfigMap"): ("configmaps", True),
    ("v1", "Namespace"): ("namespaces", False),
    ("v1", "Node"): ("nodes", False),
    ("v1", "Pod"): ("pods", True),
    ("v1", "Secret"): ("secrets", True),
    ("v1", "Service"): ("services", True),
    ("v1", "ServiceAccount"): ("serviceaccounts", True),
    ("apps/v1", "DaemonSet"): ("daemonsets", True),
    ("apps/v1", "Deployment"): ("deployments", True),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"): ("clusterroles", False),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): ("clusterrolebindings", False),
    ("rbac.authorization.k8s.io/v1", "Role"): ("roles", True),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): ("rolebindings", True),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"): ("customresourcedefinitions", False),
}

ID_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
API_VERSION_RE = re.compile(r"^(?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?v[0-9]+(?:(?:alpha|beta)[0-9]+)?$")
DNS_RE = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
PAGE = 500


class QueryError(Exception):
    """The queries are wrong; ``problems`` names each (option, item, reason, fix)."""

    def __init__(self, problems):
        self.problems = problems
        super(QueryError, self).__init__("; ".join(problems))


def check_queries(queries):
    """The queries as they will be sent: every problem of every query at once (QueryError)."""
    problems, seen, out = [], set(), []
    for i, q in enumerate(queries):
        where = "queries[%d]" % i + (" (%s)" % q.get("id") if q.get("id") else "")
        if not ID_RE.match(q.get("id") or ""):
            problems.append("%s.id: %r must be a variable-like name (letters, digits, _), the key of its result"
                            % (where, q.get("id")))
        elif q["id"] in seen:
            problems.append("%s.id: used by an earlier query; each result is found by its id" % where)
        seen.add(q.get("id"))
        api_version = q.get("api_version") or "v1"
        if not API_VERSION_RE.match(api_version):
            problems.append("%s.api_version: %r is not <group>/<version> or v1" % (where, api_version))
        if not re.match(r"^[A-Z][A-Za-z0-9]*$", q.get("kind") or ""):
            problems.append("%s.kind: %r must be a kind such as ConfigMap (CamelCase)" % (where, q.get("kind")))
        for opt in ("name", "namespace"):
            if q.get(opt) and not DNS_RE.match(q[opt]):
                problems.append("%s.%s: %r is not an object name" % (where, opt, q[opt]))
        if q.get("resource") and not re.match(r"^[a-z0-9]+$", q["resource"]):
            problems.append("%s.resource: %r must be the plural resource name (lowercase, for example "
                            "eniconfigs)" % (where, q["resource"]))
        if q.get("name") and (q.get("label_selectors") or q.get("field_selectors")):
            problems.append("%s: name reads one object; selectors only narrow a list (drop one of them)" % where)
        out.append(dict(q, api_version=api_version))
    if problems:
        raise QueryError(problems)
    return out


def resolve(api_version, kind, resource=None, discovered=None):
    """(plural, namespaced) of a kind; None when the group version does not serve it.
    ``discovered`` is the answer to the group version's discovery GET (or None for 404)."""
    if (api_version, kind) in BUILTIN and not resource:
        return BUILTIN[(api_version, kind)]
    if discovered is None and resource:
        return resource, None  # namespaced unknown: the query's namespace decides
    for r in (discovered or {}).get("resources") or []:
        if r.get("kind") == kind and "/" not in r.get("name", "") and (not resource or r["name"] == resource):
            return r["name"], bool(r.get("namespaced"))
    return None


def query_path(q, plural, namespaced):
    """The GET path of a query: the object (name), or the list in a namespace or cluster-wide."""
    namespace = q.get("namespace") if namespaced is not False else None
    return k8s_path(q["api_version"], plural, namespace, q.get("name"))


def selectors(q):
    out = {}
    if q.get("label_selectors"):
        out["labelSelector"] = ",".join(q["label_selectors"])
    if q.get("field_selectors"):
        out["fieldSelector"] = ",".join(q["field_selectors"])
    return out


def _missing_api(exc):
    """A 404 for a type the server does not serve, not for a missing object: the server names
    the object it looked for only when the type exists."""
    details = (exc.body or {}).get("details") if isinstance(exc.body, dict) else None
    return not (details and details.get("name"))


def read_all(api, queries):
    """The results of all queries; an error other than a 404 names its query (K8sError)."""
    out = {}
    discovery = {}
    for q in queries:
        try:
            out[q["id"]] = _read(api, q, discovery)
        except K8sError as exc:
            raise K8sError("queries (%s): %s" % (q["id"], exc))
    return out


def _read(api, q, discovery):
    """``{"api_found": bool, "resources": [objects]}`` of a checked query; one discovery GET per
    group version that is neither built-in nor given a ``resource`` (kept in ``discovery``),
    then one GET for the query (and per page of a list)."""
    api_version, kind, resource = q["api_version"], q["kind"], q.get("resource")
    discovered = None
    if (api_version, kind) not in BUILTIN and not resource:
        if api_version not in discovery:
            discovery[api_version] = api.get_or_none(api_base(api_version))
        discovered = discovery[api_version]
    found = resolve(api_version, kind, resource, discovered)
    if found is None:
        return {"api_found": False, "resources": []}
    path = query_path(q, *found)
    try:
        if q.get("name"):
            obj = api.get(path)
            return {"api_found": True, "resources": [obj] if obj else []}
        items = [i for page in list_pages(api, path, selectors(q), PAGE) for i in page.get("items") or []]
    except K8sApiError as exc:
        if exc.status != 404:
            raise
        return {"api_found": not _missing_api(exc), "resources": []}
    kind_version = {"apiVersion": api_version, "kind": kind}
    return {"api_found": True, "resources": [dict(kind_version, **i) for i in items]}
