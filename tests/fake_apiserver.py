"""One in-memory Kubernetes API server, plugged in as ``K8sApi``'s transport.

``FakeApiServer`` is a ``K8sApi`` whose ``_send`` answers from a store instead of the network,
so the collection's own retry policy (429/5xx, ``retryAfterSeconds``, repeats of guarded patches
after a dropped connection) runs unchanged in every unit and in-process reliability test.

What it does as the real API server does:

- objects per (group/version, plural, namespace, name), core (``/api/v1``) and named groups;
  group/versions that are not served answer 404, discovery documents are served where given;
- ``uid`` and a growing ``resourceVersion`` on every write; POST of an existing name is 409
  AlreadyExists; PUT with a stale ``resourceVersion`` is 409 Conflict;
- RFC 6902 JSON patches (``test`` failures and removals of missing members are 422);
- DELETE with ``DeleteOptions`` preconditions (uid, resourceVersion: 409 when they differ); with
  a body, only the body's ``dryRun`` counts, as in the real server;
- ``dryRun=All`` everywhere: validated and answered, nothing stored;
- lists with ``labelSelector`` (``k=v``, ``k==v``, ``k!=v``, ``k``, ``!k``), ``limit`` and
  ``continue``;
- POST handlers for review APIs (SubjectAccessReview ...), given per path.

Faults are injected explicitly: ``inject`` (a status or a dropped connection, for some requests,
before or after the request takes effect), ``before_write`` (another writer, between a read and
a write) and ``forbid_cluster_list``. Every request is logged in ``calls`` as
``(method, path, query)`` with ``None`` values left out; request bodies are in ``bodies``.
"""
import copy
import itertools
import json
import types

from ansible_collections.hardened.eks.plugins.module_utils._k8s import K8sApi, K8sApiError, K8sConnectionError

__all__ = ["FakeApiServer", "parse_path"]


def parse_path(path):
    """``(group/version, namespace, plural, name)`` of a REST path (plural and name may be None)."""
    parts = path.strip("/").split("/")
    if parts[0] == "api":
        gv, rest = parts[1], parts[2:]
    elif parts[0] == "apis":
        gv, rest = "/".join(parts[1:3]), parts[3:]
    else:
        raise AssertionError("not a Kubernetes REST path: %r" % path)
    namespace = None
    if len(rest) >= 3 and rest[0] == "namespaces":
        namespace, rest = rest[1], rest[2:]
    plural = rest[0] if rest else None
    name = rest[1] if len(rest) > 1 else None
    if len(rest) > 2:
        raise AssertionError("subresources are not served by the fake: %r" % path)
    return gv, namespace, plural, name


def object_path(key):
    gv, plural, namespace, name = key
    base = "/api/%s" % gv if gv == "v1" else "/apis/%s" % gv
    if namespace:
        base += "/namespaces/%s" % namespace
    return "%s/%s/%s" % (base, plural, name)


def _copy(obj):
    return json.loads(json.dumps(obj))


def _selected(obj, selector):
    labels = (obj.get("metadata") or {}).get("labels") or {}
    for term in (t.strip() for t in selector.split(",") if t.strip()):
        if "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key.strip()) == value.strip():
                return False
        elif "=" in term:
            key, value = term.replace("==", "=").split("=", 1)
            if labels.get(key.strip()) != value.strip():
                return False
        elif term.startswith("!"):
            if term[1:].strip() in labels:
                return False
        elif " " in term or "(" in term:
            raise AssertionError("set-based selectors are not served by the fake: %r" % selector)
        elif term not in labels:
            return False
    return True


class _Fault(object):
    def __init__(self, error, method, name, times, after, before, details):
        self.error = error
        self.details = details
        self.method = method
        self.name = name
        self.times = times
        self.after = after
        self.before = before

    def matches(self, method, name):
        return (self.times is None or self.times > 0) and self.method in (None, method) and self.name in (None, name)


class FakeApiServer(K8sApi):

    def __init__(self, objects=None, served=None, discovery=None, page_size=None, retries=5):
        """``objects``: ``{path: object}`` stored at start. ``served``: the group/versions served
        (None: all). ``discovery``: ``{path: document}``. ``page_size``: the most items a list
        returns, whatever its ``limit`` (a server may return fewer)."""
        api_client = types.SimpleNamespace(configuration=types.SimpleNamespace(host="https://fake-apiserver"),
                                           user_agent=None)
        self.slept = []
        super(FakeApiServer, self).__init__(api_client, retries=retries, backoff=0.01, sleep=self.slept.append)
        self.store = {}
        self.served = None if served is None else set(served) | {"v1"}
        self.discovery = dict(discovery or {})
        self.page_size = page_size
        self.handlers = {}            # (method, path) -> fn(body) -> answer
        self.calls = []
        self.bodies = []
        self.forbid_cluster_list = set()
        self.before_write = None      # fn(method, key), before a write takes effect
        self._faults = []
        self._rv = itertools.count(100)
        self._uid = itertools.count(1)
        for path, obj in (objects or {}).items():
            gv, namespace, plural, name = parse_path(path)
            self.put(gv, plural, obj, namespace=namespace, name=name)

    # ------------------------------------------------------------------------ test helpers
    def put(self, gv, plural, obj, namespace=None, name=None):
        """Store ``obj`` as another writer would: a new resourceVersion, a uid if it has none."""
        obj = _copy(obj)
        md = obj.setdefault("metadata", {})
        md.setdefault("name", name)
        if namespace or md.get("namespace"):
            md["namespace"] = namespace or md["namespace"]
        md.setdefault("uid", "uid-%d" % next(self._uid))
        md["resourceVersion"] = str(next(self._rv))
        key = (gv, plural, md.get("namespace"), md["name"])
        self.store[key] = obj
        return key

    def object(self, path):
        """The stored object at ``path`` (a copy), or None."""
        gv, namespace, plural, name = parse_path(path)
        obj = self.store.get((gv, plural, namespace, name))
        return None if obj is None else _copy(obj)

    def objects(self, plural, gv):
        """``{(namespace, name): object}`` of one kind."""
        return {(ns, name): o for (g, p, ns, name), o in self.store.items() if g == gv and p == plural}

    def by_path(self):
        return {object_path(key): _copy(obj) for key, obj in self.store.items()}

    def inject(self, error, method=None, name=None, times=1, after=False, before=None, details=None):
        """Make matching requests fail: ``error`` is an HTTP status or ``"connection"`` (a
        dropped connection). ``after``: the request takes effect first, then its answer is
        lost. ``before``: ``fn(api)`` run just before the fault. ``times=None``: for ever.
        ``details``: the Status body's details (``{"retryAfterSeconds": 2}``)."""
        self._faults.append(_Fault(error, method, name, times, after, before, details))

    def writes(self, include_dry_run=False):
        return [c for c in self.calls if c[0] != "GET" and (include_dry_run or c[2].get("dryRun") != "All")]

    def lists(self):
        return [c for c in self.calls if c[0] == "GET" and c[1] not in self.discovery
                and parse_path(c[1])[2] is not None and parse_path(c[1])[3] is None]

    # ------------------------------------------------------------------------ transport
    def _send(self, method, path, body, query, content_type="application/json"):
        self.requests += 1
        query = dict((k, v) for k, v in (query or {}).items() if v is not None)
        self.calls.append((method, path, query))
        self.bodies.append(copy.deepcopy(body))
        name = None
        if path not in self.discovery and (method, path) not in self.handlers:
            name = parse_path(path)[3]
            if name is None and method == "POST":
                name = ((body or {}).get("metadata") or {}).get("name")
        fault = next((f for f in self._faults if f.matches(method, name)), None)
        if fault is None:
            return self._answer(method, path, body, query, content_type)
        if fault.times is not None:
            fault.times -= 1
        if fault.before:
            fault.before(self)
        if fault.after:
            self._answer(method, path, body, query, content_type)
        if fault.error == "connection":
            raise K8sConnectionError("cannot reach the Kubernetes API server at %s: injected" % self.host)
        status = {"kind": "Status", "message": "injected", "code": fault.error}
        if fault.details:
            status["details"] = fault.details
        raise K8sApiError(fault.error, "Injected", status, method, path)

    @staticmethod
    def _err(status, message, method, path):
        raise K8sApiError(status, message, {"kind": "Status", "message": message, "code": status}, method, path)

    def _answer(self, method, path, body, query, content_type):
        if (method, path) in self.handlers:
            return self.handlers[(method, path)](copy.deepcopy(body))
        if path in self.discovery:
            return _copy(self.discovery[path])
        gv, namespace, plural, name = parse_path(path)
        if (self.served is not None and gv not in self.served) or plural is None:
            self._err(404, "the server could not find the requested resource", method, path)
        dry = query.get("dryRun") == "All"
        if method == "DELETE" and body:
            dry = "All" in (body.get("dryRun") or [])
        if method == "GET" and name is None:
            return self._list(gv, namespace, plural, query, path)
        if method == "POST":
            if name is not None:
                raise AssertionError("POST to an object path: %r" % path)
            name = ((body or {}).get("metadata") or {}).get("name")
        key = (gv, plural, namespace, name)
        current = self.store.get(key)
        if method == "GET":
            if current is None:
                self._err(404, '%s "%s" not found' % (plural, name), method, path)
            return _copy(current)
        if self.before_write:
            self.before_write(method, key)
            current = self.store.get(key)
        if method == "POST":
            if current is not None:
                self._err(409, '%s "%s" already exists' % (plural, name), method, path)
            return self._write(gv, plural, namespace, body, dry)
        if current is None:
            self._err(404, '%s "%s" not found' % (plural, name), method, path)
        if method == "PUT":
            sent = (body.get("metadata") or {}).get("resourceVersion")
            if sent and sent != current["metadata"]["resourceVersion"]:
                self._err(409, "Operation cannot be fulfilled on %s \"%s\": the object has been modified; "
                          "please apply your changes to the latest version and try again" % (plural, name),
                          method, path)
            body = _copy(body)
            body["metadata"]["uid"] = current["metadata"]["uid"]
            return self._write(gv, plural, namespace, body, dry)
        if method == "PATCH":
            if content_type != "application/json-patch+json":
                raise AssertionError("only JSON patches are served by the fake: %s" % content_type)
            patched = self._json_patch(_copy(current), body, method, path)
            return self._write(gv, plural, namespace, patched, dry)
        if method == "DELETE":
            pre = (body or {}).get("preconditions") or {}
            for field in ("uid", "resourceVersion"):
                if field in pre and pre[field] != current["metadata"][field]:
                    self._err(409, "Precondition failed: %s in precondition: %s, %s in object meta: %s"
                              % (field, pre[field], field, current["metadata"][field]), method, path)
            if not dry:
                del self.store[key]
            return {"kind": "Status", "status": "Success"}
        raise AssertionError("method not served by the fake: %s" % method)

    def _write(self, gv, plural, namespace, body, dry):
        if dry:
            return _copy(body)
        key = self.put(gv, plural, body, namespace=namespace)
        return _copy(self.store[key])

    def _list(self, gv, namespace, plural, query, path):
        if namespace is None and plural in self.forbid_cluster_list:
            self._err(403, "%s is forbidden at the cluster scope" % plural, "GET", path)
        items = [_copy(o) for (g, p, ns, _n), o in sorted(self.store.items(), key=str)
                 if g == gv and p == plural and (namespace is None or ns == namespace)]
        if query.get("labelSelector"):
            items = [o for o in items if _selected(o, query["labelSelector"])]
        start = int(query.get("continue") or 0)
        limits = [n for n in (query.get("limit"), self.page_size) if n]
        end = start + min(limits) if limits else len(items)
        metadata = {"resourceVersion": str(next(self._rv))}
        if end < len(items):
            metadata["continue"] = str(end)
        return {"kind": "List", "apiVersion": gv, "metadata": metadata, "items": items[start:end]}

    def _json_patch(self, obj, operations, method, path):
        for op in operations:
            parts = [p.replace("~1", "/").replace("~0", "~") for p in op["path"].split("/")[1:]]
            parent = obj
            for part in parts[:-1]:
                if not isinstance(parent, dict) or part not in parent:
                    self._err(422, "the server rejected our request: missing path %s" % op["path"], method, path)
                parent = parent[part]
            last = parts[-1]
            if op["op"] == "test":
                if parent.get(last) != op["value"]:
                    self._err(422, "the server rejected our request due to an error in our request: "
                              "testing value %s failed" % op["path"], method, path)
            elif op["op"] in ("add", "replace"):
                if op["op"] == "replace" and last not in parent:
                    self._err(422, "replace operation does not apply: doc is missing key: %s" % op["path"],
                              method, path)
                parent[last] = copy.deepcopy(op["value"])
            elif op["op"] == "remove":
                if last not in parent:
                    self._err(422, "remove operation does not apply: doc is missing path: %s" % op["path"],
                              method, path)
                del parent[last]
            else:
                raise AssertionError("JSON patch op not served by the fake: %r" % op)
        return obj
