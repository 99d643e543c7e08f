"""The IAM action of each AWS call in a moto request log (scripts/moto_server.py --request-log).

Query and JSON protocol services log their operation name; EKS (REST-JSON) logs the method and
the path, which are turned back into the operation through botocore's service model: the
operation whose request URI matches, the most specific one first (a principal ARN in an access
entry path contains slashes)."""
import os
import re

import botocore
import botocore.session

_REST = {}


# S3 operations whose IAM action has another name (the IAM service authorization reference).
S3_ACTIONS = {"HeadBucket": "ListBucket", "HeadObject": "GetObject", "ListObjects": "ListBucket",
              "ListObjectsV2": "ListBucket"}
# Operations with the same method, URI and query as another, told apart by a header the log
# does not keep: the ones this collection calls.
PREFERRED = ("PutObject", "GetObject", "HeadObject", "ListObjects")


def _rest_operations(service):
    if service not in _REST:
        model = botocore.session.get_session().get_service_model(service)
        ops = []
        for name in model.operation_names:
            http = model.operation_model(name).http
            uri, _sep, query = http["requestUri"].partition("?")
            keys = frozenset(k.split("=")[0] for k in query.split("&") if k)
            literal = len(re.sub(r"\{[^}]+\}", "", uri))
            pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "(.+?)", re.escape(uri)) + "/?$"
            ops.append((literal, len(keys), name in PREFERRED, http["method"], re.compile(pattern), keys, name))
        ops.sort(key=lambda op: (-op[0], -op[1], not op[2]))
        _REST[service] = ops
    return _REST[service]


def iam_action(record):
    """'service:Operation' for one request-log record."""
    service, action = record["service"], record["action"]
    if " " not in action:
        return "%s:%s" % (service, action)
    method, _sep, path = action.partition(" ")
    path = path.split("?")[0]
    query = set(record.get("query") or ())
    for _literal, _nkeys, _preferred, op_method, pattern, keys, name in _rest_operations(service):
        if op_method == method and keys <= query and pattern.match(path):
            if service == "s3":
                name = S3_ACTIONS.get(name, name)
            return "%s:%s" % (service, name)
    raise AssertionError("no %s operation serves %s" % (service, action))


def iam_actions(records):
    return sorted(set(iam_action(r) for r in records))


# ---------------------------------------------------------------------------------------------
# What the code of a module could call: for the actions a run on the sandbox does not reach
# (a change, an upgrade, a removed item), the evidence that a policy needs them is a call in the
# module or in the module_utils it imports.
# ---------------------------------------------------------------------------------------------
SERVICES = ("ec2", "eks", "iam", "kms", "logs", "sts")
_IMPORT = re.compile(r"^\s*from ansible_collections\.(\w+)\.(\w+)\.plugins\.module_utils\.([\w.]+) import (\([^)]*\)|[^\n]+)", re.M)
_MODULE = re.compile(r"^\s+((?:amazon\.aws|community\.aws|hardened\.eks)\.\w+):", re.M)


def _operations():
    session = botocore.session.get_session()
    return dict((svc, dict((botocore.xform_name(op), op) for op in session.get_service_model(svc).operation_names))
                for svc in SERVICES)


def _collection_dir(namespace, name, roots):
    for root in roots:
        path = os.path.join(root, "ansible_collections", namespace, name)
        if os.path.isdir(path):
            return path
    raise AssertionError("collection %s.%s not found under %s" % (namespace, name, roots))


def module_source(fqcn, roots):
    """The module's source and, transitively, that of the module_utils it imports."""
    namespace, name, module = fqcn.split(".")
    paths = [os.path.join(_collection_dir(namespace, name, roots), "plugins", "modules", module + ".py")]
    seen, text = set(), []
    while paths:
        path = paths.pop()
        if path in seen or not os.path.exists(path):
            continue
        seen.add(path)
        with open(path) as fh:
            source = fh.read()
        text.append(source)
        for ns, coll, dotted, names in _IMPORT.findall(source):
            base = os.path.join(_collection_dir(ns, coll, roots), "plugins", "module_utils", *dotted.split("."))
            paths.extend([base + ".py", os.path.join(base, "__init__.py")])
            for name in names.strip("()").split(","):
                name = name.split(" as ")[0].strip()
                if name:
                    paths.append(os.path.join(base, name + ".py"))
    return "\n".join(text)


def modules_in(paths):
    """The AWS and hardened.eks modules named by the task files under paths (folders or files)."""
    files = []
    for top in paths:
        if not os.path.isdir(top):
            files.append(top)
            continue
        files.extend(os.path.join(d, n) for d, _dirs, names in os.walk(top) for n in names if n.endswith((".yml", ".yaml")))
    found = set()
    for path in files:
        with open(path) as fh:
            found.update(_MODULE.findall(fh.read()))
    return sorted(found)


def callable_actions(modules, roots):
    """'service:Operation' for every operation a module's code names, on a service it makes a client for."""
    ops = _operations()
    out = {}
    for fqcn in modules:
        source = module_source(fqcn, roots)
        words = set(re.findall(r"\b[A-Za-z][A-Za-z0-9_]+\b", source))
        for svc, names in ops.items():
            if not re.search(r"""["']%s["']""" % svc, source):
                continue
            for snake, name in names.items():
                if snake in words or name in words:
                    out.setdefault("%s:%s" % (svc, name), set()).add(fqcn)
    return out
