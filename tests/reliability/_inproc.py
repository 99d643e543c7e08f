"""Run a module's ``main()`` in this process, as Ansible would run it (arguments through
AnsibleModule's own loading), with its API edges replaced by recorders, so that property-based
tests can feed it thousands of inputs in seconds.

Outcomes of one run (``Outcome``): ``exit`` (exit_json), ``fail`` (fail_json, with the result),
``reached_api`` (the AWS module passed validation and made its first AWS call; the fake stops it
there) or an exception escaping ``main()`` - which is the bug the fuzz tests look for.
"""
import contextlib
import importlib
import io
import json
import types

from ansible.module_utils.testing import patch_module_args

from ansible_collections.hardened.eks.plugins.module_utils._k8s import K8sApi, K8sApiError

CALICO_PLURALS = ("networkpolicies", "globalnetworkpolicies", "networksets", "globalnetworksets", "tiers")


class ReachedApi(BaseException):
    """Raised by FakeAws on the first AWS call: validation is over (BaseException, so that no
    ``except Exception`` of the module swallows it)."""


class Outcome(object):
    def __init__(self, kind, result=None, calls=None, writes=None, objects=None):
        self.kind = kind          # exit | fail | reached_api
        self.result = result or {}
        self.calls = calls or []
        self.writes = writes or []
        self.objects = objects or {}  # the fake Kubernetes store after the run

    def __repr__(self):
        return "Outcome(%s, msg=%r, calls=%d, writes=%d)" % (self.kind, self.result.get("msg"), len(self.calls),
                                                             len(self.writes))


class FakeK8s(K8sApi):
    """K8sApi whose transport is an in-memory object store: the module's own retry and
    optimistic-update logic runs unchanged. Records every request and every write."""

    def __init__(self, objects=None):
        api_client = types.SimpleNamespace(configuration=types.SimpleNamespace(host="https://fake"), user_agent=None)
        super(FakeK8s, self).__init__(api_client, retries=0, backoff=0, sleep=lambda s: None)
        self.objects = dict(objects or {})
        self.calls = []
        self.writes = []
        self.rv = 100

    def _send(self, method, path, body, query, content_type="application/json"):
        self.requests += 1
        self.calls.append((method, path))
        dry = bool((query or {}).get("dryRun")) or (isinstance(body, dict) and body.get("dryRun"))
        if method == "GET":
            if path in self.objects:
                return json.loads(json.dumps(self.objects[path]))
            last = path.rstrip("/").split("/")[-1]
            if last in CALICO_PLURALS or last == "configmaps":
                return {"items": [json.loads(json.dumps(o)) for p, o in sorted(self.objects.items())
                                  if p.split("/")[-2] == last]}
            raise K8sApiError(404, "Not Found", {"message": "not found", "code": 404}, method, path)
        if not dry:
            self.writes.append((method, path))
        if method == "DELETE":
            self.objects.pop(path, None)
            return {"kind": "Status", "status": "Success"}
        if method == "PATCH":  # RFC 6902, as aws_auth_mapping sends it (test failure: 422)
            if path not in self.objects:
                raise K8sApiError(404, "Not Found", {"message": "not found", "code": 404}, method, path)
            obj = json.loads(json.dumps(self.objects[path]))
            for op in body:
                parts = [p.replace("~1", "/").replace("~0", "~") for p in op["path"].split("/")[1:]]
                parent = obj
                for part in parts[:-1]:
                    parent = parent[part]
                if op["op"] == "test" and parent.get(parts[-1]) != op["value"]:
                    raise K8sApiError(422, "Unprocessable Entity", {"message": "test failed"}, method, path)
                if op["op"] in ("add", "replace"):
                    parent[parts[-1]] = op["value"]
                elif op["op"] == "remove":
                    del parent[parts[-1]]
            body = obj
            method = "PUT"
        body = json.loads(json.dumps(body))
        self.rv += 1
        body.setdefault("metadata", {})["resourceVersion"] = str(self.rv)
        if method == "POST":
            path = path + "/" + body["metadata"].get("name", "x")
        if not dry:
            self.objects[path] = body
        return body


class FakeAws(object):
    """What ``module.client(...)`` returns: the first AWS call ends the run (ReachedApi)."""

    def __init__(self, service, calls):
        import types

        from botocore.hooks import HierarchicalEmitter
        self.service = service
        self._calls = calls
        # what a botocore client's ``meta`` offers a caller that hooks its events
        self.meta = types.SimpleNamespace(events=HierarchicalEmitter(), service_model=None)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)

        def _call(*args, **kwargs):
            self._calls.append((self.service, name))
            raise ReachedApi("%s.%s" % (self.service, name))
        return _call


def load(module_name):
    return importlib.import_module("ansible_collections.hardened.eks.plugins.modules.%s" % module_name)


def run_main(module, args, monkeypatch, k8s_objects=None, check_mode=False, diff=False):
    """Run ``module.main()`` with ``args``. Returns an Outcome; exceptions other than SystemExit
    and ReachedApi propagate (they are what the fuzz tests look for)."""
    args = dict(args)
    args["_ansible_check_mode"] = check_mode
    args["_ansible_diff"] = diff
    fake = FakeK8s(k8s_objects)
    aws_calls = []
    if hasattr(module, "connect"):
        monkeypatch.setattr(module, "connect", lambda *a, **kw: fake)
    try:
        from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
        monkeypatch.setattr(AnsibleAWSModule, "client",
                            lambda self, service, retry_decorator=None, **kw: FakeAws(service, aws_calls))
    except ImportError:  # pragma: no cover - amazon.aws ships with ansible
        pass
    out = io.StringIO()
    try:
        with patch_module_args(args), contextlib.redirect_stdout(out):
            module.main()
    except SystemExit:
        text = out.getvalue()
        result = json.loads(text[text.index("{"):])
        return Outcome("fail" if result.get("failed") else "exit", result, fake.calls + aws_calls, fake.writes,
                       fake.objects)
    except ReachedApi:
        return Outcome("reached_api", {}, fake.calls + aws_calls, fake.writes, fake.objects)
    raise AssertionError("main() returned without exit_json/fail_json")
