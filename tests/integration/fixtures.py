"""Fixtures for tests that run against the sandbox (scripts/sandbox): a real kube-apiserver +
etcd and moto in server mode. The sandbox is shared by the whole session: tests use unique
names (`uid`) instead of resetting anything."""
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SANDBOX_DIR = os.path.join(ROOT, ".sandbox")


class Sandbox(object):
    def __init__(self, env):
        self.root = ROOT
        self.env = env
        self.kubeconfig = env["K8S_AUTH_KUBECONFIG"]
        self.moto_url = env["AWS_ENDPOINT_URL"]
        self.audit_log = env["HARDENED_EKS_KUBE_AUDIT_LOG"]
        self.moto_log = env["HARDENED_EKS_MOTO_REQUEST_LOG"]
        self.moto_faults = env["HARDENED_EKS_MOTO_FAULTS"]
        self.dir = env["HARDENED_EKS_SANDBOX"]

    def admin_token(self):
        with open(os.path.join(self.dir, "admin-token")) as fh:
            return fh.read().strip()


def read_env_file(path):
    env = dict(os.environ)
    with open(path) as fh:
        for line in fh:
            line = line.strip()
            if not line.startswith("export "):
                continue
            key, _sep, value = line[len("export "):].partition("=")
            env[key] = os.path.expandvars(value.replace("$PATH", os.environ.get("PATH", "")))
    return env


def _sandbox_running():
    return subprocess.call([sys.executable, os.path.join(ROOT, "scripts", "sandbox"), "status"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) == 0


@pytest.fixture(scope="session")
def sandbox():
    env_file = os.path.join(SANDBOX_DIR, "env")
    if not (os.path.exists(env_file) and _sandbox_running()):
        rc = subprocess.call([sys.executable, os.path.join(ROOT, "scripts", "sandbox"), "up"])
        assert rc == 0, "scripts/sandbox up failed (see .sandbox/*.log)"
    return Sandbox(read_env_file(env_file))


@pytest.fixture
def uid():
    return uuid.uuid4().hex[:8]


def _module_import_path(name):
    if "." not in name:
        name = "hardened.eks." + name
    ns, coll, mod = name.split(".")
    return "ansible_collections.%s.%s.plugins.modules.%s" % (ns, coll, mod)


def run_module_process(sandbox, name, params, check=False, diff=False, env=None, timeout=900):
    """Run a module the way Ansible's module runner does (JSON args on stdin, JSON result on
    stdout) in a fresh interpreter with the sandbox environment."""
    args = dict(params)
    args["_ansible_check_mode"] = bool(check)
    args["_ansible_diff"] = bool(diff)
    args.setdefault("_ansible_tmpdir", tempfile.gettempdir())
    args.setdefault("_ansible_remote_tmp", tempfile.gettempdir())
    args.setdefault("_ansible_keep_remote_files", False)
    run_env = dict(sandbox.env)
    run_env["PYTHONPATH"] = os.path.join(sandbox.dir, "collections")
    if env:
        run_env.update(env)
    proc = subprocess.run([sys.executable, "-m", _module_import_path(name)],
                          input=json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=run_env, timeout=timeout,
                          check=False)
    out = proc.stdout.decode("utf-8", "replace")
    start = out.find("{")
    try:
        result = json.loads(out[start:]) if start >= 0 else None
    except ValueError:
        result = None
    if result is None:
        raise AssertionError("module %s printed no JSON (rc %d)\nstdout: %s\nstderr: %s"
                             % (name, proc.returncode, out[-3000:], proc.stderr.decode()[-3000:]))
    result["_rc"] = proc.returncode
    result["_stderr"] = proc.stderr.decode("utf-8", "replace")
    return result


@pytest.fixture
def run_module(sandbox):
    def _run(name, params, check=False, diff=False, env=None, timeout=900):
        return run_module_process(sandbox, name, params, check=check, diff=diff, env=env, timeout=timeout)
    return _run


@pytest.fixture
def run_playbook(sandbox, tmp_path):
    def _run(playbook, extra_vars=None, check=False, inventory=None, diff=False, env=None, args=(),
             timeout=1800):
        if "\n" in playbook or not os.path.exists(playbook):
            path = tmp_path / ("play-%s.yml" % uuid.uuid4().hex[:6])
            path.write_text(playbook)
            playbook = str(path)
        cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), playbook]
        cmd += ["-i", inventory or "localhost,", "-c", "local"]
        if extra_vars:
            varfile = tmp_path / ("vars-%s.json" % uuid.uuid4().hex[:6])
            varfile.write_text(json.dumps(extra_vars))
            cmd += ["-e", "@%s" % varfile]
        if check:
            cmd.append("--check")
        if diff:
            cmd.append("--diff")
        cmd += list(args)
        run_env = dict(sandbox.env)
        run_env.setdefault("ANSIBLE_PYTHON_INTERPRETER", sys.executable)
        run_env["ANSIBLE_NOCOLOR"] = "1"
        run_env["ANSIBLE_FORCE_COLOR"] = "0"
        if env:
            run_env.update(env)
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=run_env,
                              timeout=timeout, cwd=ROOT, check=False)
        return proc.returncode, proc.stdout.decode("utf-8", "replace")
    return _run


class JsonLog(object):
    """Reads a JSON-lines log from a byte offset ("mark")."""

    def __init__(self, path):
        self.path = path

    def mark(self):
        try:
            return os.path.getsize(self.path)
        except OSError:
            return 0

    def _read(self, since):
        try:
            with open(self.path, "rb") as fh:
                fh.seek(since)
                data = fh.read()
        except OSError:
            return []
        out = []
        for line in data.splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
        return out


class AuditLog(JsonLog):
    WRITE_VERBS = ("create", "update", "patch", "delete", "deletecollection")

    def events(self, since=0, resource=None, name=None, namespace=None, verbs=None, user=None,
               settle=0.3):
        time.sleep(settle)  # the API server writes the line as the response completes
        out = []
        for ev in self._read(since):
            ref = ev.get("objectRef") or {}
            if resource and ref.get("resource") != resource:
                continue
            if name and ref.get("name") != name:
                continue
            if namespace and ref.get("namespace") != namespace:
                continue
            if verbs and ev.get("verb") not in verbs:
                continue
            if user and (ev.get("user") or {}).get("username") != user:
                continue
            out.append(ev)
        return out

    def writes(self, since=0, include_dry_run=False, **kw):
        evs = self.events(since, verbs=self.WRITE_VERBS, **kw)
        if not include_dry_run:
            evs = [e for e in evs if "dryRun=All" not in e.get("requestURI", "")]
        return evs


class AwsRequests(JsonLog):
    MUTATING_PREFIXES = ("Create", "Delete", "Put", "Update", "Attach", "Detach", "Tag", "Untag",
                         "Add", "Remove", "Associate", "Disassociate", "Enable", "Disable",
                         "Schedule", "Modify", "Set", "Register", "Deregister")

    def since(self, mark, settle=0.1):
        time.sleep(settle)
        return self._read(mark)

    def mutating(self, mark):
        out = []
        for r in self.since(mark):
            action = r.get("action", "")
            if action.startswith(self.MUTATING_PREFIXES):
                out.append(r)
            elif " " in action and not action.startswith(("GET ", "HEAD ")):
                out.append(r)  # REST (EKS, S3): any method but GET and HEAD writes
        return out


@pytest.fixture
def audit(sandbox):
    return AuditLog(sandbox.audit_log)


@pytest.fixture
def aws_requests(sandbox):
    return AwsRequests(sandbox.moto_log)


@pytest.fixture
def moto_faults(sandbox):
    """Write fault-injection rules for the moto wrapper; cleared afterwards."""
    def _set(rules):
        with open(sandbox.moto_faults + ".tmp", "w") as fh:
            json.dump(rules, fh)
        os.replace(sandbox.moto_faults + ".tmp", sandbox.moto_faults)
    yield _set
    if os.path.exists(sandbox.moto_faults):
        os.unlink(sandbox.moto_faults)


@pytest.fixture(scope="module")
def moto(tmp_path_factory):
    """A private moto server (tests/integration/own_moto.py) for the test module that asks for
    it: its request log holds only that module's calls."""
    from tests.integration.own_moto import OwnMoto
    m = OwnMoto(str(tmp_path_factory.mktemp("own-moto")))
    yield m
    m.stop()


@pytest.fixture
def k8s(sandbox):
    from kubernetes import client, config
    cfg = client.Configuration()
    config.load_kube_config(config_file=sandbox.kubeconfig, client_configuration=cfg)
    return client.ApiClient(cfg)


@pytest.fixture
def boto3_client(sandbox):
    import boto3

    def _client(service):
        return boto3.client(service, endpoint_url=sandbox.moto_url, region_name=sandbox.env["AWS_REGION"],
                            aws_access_key_id="testing", aws_secret_access_key="testing")
    return _client


@pytest.fixture
def namespace(k8s, uid):
    """A fresh namespace, deleted afterwards."""
    from kubernetes import client
    name = "t-%s" % uid
    core = client.CoreV1Api(k8s)
    core.create_namespace({"metadata": {"name": name}})
    yield name
    try:
        core.delete_namespace(name)
    except Exception:  # noqa: BLE001 - cleanup only
        pass
