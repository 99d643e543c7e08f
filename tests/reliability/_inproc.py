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

from botocore.hooks import HierarchicalEmitter

from tests.module_args import patch_module_args

from tests.fake_apiserver import FakeApiServer


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


class FakeAws(object):
    """What ``module.client(...)`` returns: the first AWS call ends the run (ReachedApi)."""

    def __init__(self, service, calls):
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
    fake = FakeApiServer(objects=k8s_objects)
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
        return Outcome("fail" if result.get("failed") else "exit", result, fake.calls + aws_calls, fake.writes(),
                       fake.by_path())
    except ReachedApi:
        return Outcome("reached_api", {}, fake.calls + aws_calls, fake.writes(), fake.by_path())
    raise AssertionError("main() returned without exit_json/fail_json")
