# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark harness: the sizes of each profile, a timed run of ansible-playbook (or of one
module process) against the sandbox, with its Kubernetes requests (audit log) and AWS calls
(moto's request log) counted.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

from tests.integration.fixtures import AuditLog, AwsRequests, read_env_file


HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(HERE)
PLAYBOOKS = os.path.join(HERE, "playbooks")
DEFAULT_OUT = os.path.join(HERE, "results", "latest.json")
README = os.path.join(HERE, "README.md")

SCHEMA = 1
ACCOUNT = "123456789012"
NODE_ROLE_ARN = "arn:aws:iam::%s:role/hardened-eks-sandbox-node" % ACCOUNT
NODE_ENTRY = {"rolearn": NODE_ROLE_ARN, "username": "system:node:{{EC2PrivateDNSName}}",
              "groups": ["system:bootstrappers", "system:nodes"]}
MANAGED_POLICY_ARN = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
CALICO_GROUPS = ("crd.projectcalico.org", "projectcalico.org")
SCENARIOS = ("aws_auth", "calico", "pod_roles", "site", "growth")

PROFILES = {
    "full": {
        "reps": 3,
        "aws_auth_entries": 2000,
        # The per-entry loop costs ~3 s per entry on 2 cores (two module processes and the
        # whole map parsed and rendered in Jinja per entry): 2,000 entries would take well over
        # an hour per run, so a slice is measured and scaled (see Side).
        "aws_auth_per_entry_measured": 10,
        "calico_policies": 500,
        "calico_namespaces": 10,
        "calico_loop_measured": 20,
        "pod_roles": 200,
        "pod_roles_measured": 10,
        "growth_aws_auth": [10, 100, 1000, 10000],
        "growth_pod_role": [1, 10, 30],
        "secondary_baselines": True,
        "measure_fixed": True,
        "site_playbook": "playbooks/site.yml",
        "site_inventory": "inventories/sandbox",
        "site_warmup": True,
    },
    "smoke": {
        "reps": 1,
        "aws_auth_entries": 3,
        "aws_auth_per_entry_measured": 1,
        "calico_policies": 2,
        "calico_namespaces": 2,
        "calico_loop_measured": 2,
        "pod_roles": 1,
        "pod_roles_measured": 1,
        "growth_aws_auth": [10],
        "growth_pod_role": [1],
        "secondary_baselines": False,
        "measure_fixed": False,  # scaled figures without the fixed cost: only for speed
        "site_playbook": "benchmarks/playbooks/site_smoke.yml",
        "site_inventory": None,
        "site_warmup": False,
    },
}


class BenchError(Exception):
    pass


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def log(msg):
    sys.stderr.write("[bench %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


# --------------------------------------------------------------------------------- the sandbox

class Run(object):
    """One timed process: wall time, its Kubernetes requests, the AWS calls in its window."""

    def __init__(self, seconds, output, k8s, aws, changed=None, maxrss_kb=None, result=None):
        self.seconds = seconds
        self.output = output
        self.k8s = k8s
        self.aws = aws
        self.changed = changed
        self.maxrss_kb = maxrss_kb
        self.result = result


class Bench(object):
    def __init__(self, run_id):
        env_file = sandbox_env_file()
        if not os.path.exists(env_file):
            raise BenchError("no sandbox (%s): run `make sandbox` (scripts/sandbox up) first" % env_file)
        self.run_id = run_id
        self.env = read_env_file(env_file)
        self.audit = AuditLog(self.env["HARDENED_EKS_KUBE_AUDIT_LOG"])
        self.aws = AwsRequests(self.env["HARDENED_EKS_MOTO_REQUEST_LOG"])
        self.collections = os.path.join(self.env["HARDENED_EKS_SANDBOX"], "collections")
        self.playbook_bin = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
        from kubernetes import client, config
        cfg = client.Configuration()
        config.load_kube_config(config_file=self.env["K8S_AUTH_KUBECONFIG"], client_configuration=cfg)
        self.k8s_client = client
        self.api = client.ApiClient(cfg)
        self.core = client.CoreV1Api(self.api)
        self.custom = client.CustomObjectsApi(self.api)
        import boto3
        self.iam = boto3.client("iam", endpoint_url=self.env["AWS_ENDPOINT_URL"],
                                region_name=self.env.get("AWS_REGION", "us-east-1"),
                                aws_access_key_id="testing", aws_secret_access_key="testing")
        self.namespaces = []
        self.roles = []
        self.seq = 0
        self.cprofile_dir = None  # --cprofile: module processes run under cProfile (times inflated)

    # ---- naming and scratch objects
    def user(self, tag):
        self.seq += 1
        return "hardened-eks-bench:%s:%s:%d" % (self.run_id, tag, self.seq)

    def namespace(self, tag):
        name = ("bench-%s-%s" % (self.run_id, tag)).lower()[:63].rstrip("-")
        self.core.create_namespace({"metadata": {"name": name, "labels": {"hardened-eks-bench": self.run_id}}})
        self.namespaces.append(name)
        return name

    def seed_configmap(self, namespace, name, entries):
        import yaml
        body = {"metadata": {"name": name, "namespace": namespace},
                "data": {"mapRoles": yaml.safe_dump(entries, default_flow_style=False, sort_keys=False)}}
        try:
            self.core.delete_namespaced_config_map(name, namespace)
        except self.k8s_client.exceptions.ApiException as exc:
            if exc.status != 404:
                raise
        self.core.create_namespaced_config_map(namespace, body)
        return name

    def read_map_roles(self, namespace, name):
        import yaml
        cm = self.core.read_namespaced_config_map(name, namespace)
        return yaml.safe_load((cm.data or {}).get("mapRoles") or "[]") or []

    def count_calico(self, namespace):
        items = self.custom.list_namespaced_custom_object("crd.projectcalico.org", "v1", namespace,
                                                          "networkpolicies")["items"]
        return len(items)

    def cleanup(self):
        for name in self.namespaces:
            try:
                self.core.delete_namespace(name)
            except Exception:  # noqa: BLE001 - cleanup only
                pass
        for name in self.roles:
            try:
                delete_role(self.iam, name)
            except Exception:  # noqa: BLE001 - cleanup only
                pass

    # ---- evidence
    def k8s_events(self, mark, user):
        seen = set()
        out = []
        # the process has exited: its requests were answered (and logged) well before
        for ev in self.audit.events(since=mark, settle=0.1):
            if (ev.get("impersonatedUser") or {}).get("username") != user:
                continue
            if ev.get("auditID") in seen:
                continue
            seen.add(ev.get("auditID"))
            out.append(ev)
        return out

    def _env(self, user, extra=None):
        env = dict(self.env)
        env.update({
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_LOCALHOST_WARNING": "False",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
            "ANSIBLE_DEPRECATION_WARNINGS": "False",
            "K8S_AUTH_IMPERSONATE_USER": user,
            "K8S_AUTH_IMPERSONATE_GROUPS": "system:masters",
        })
        env.update(extra or {})
        return env

    # ---- runners
    def playbook(self, playbook, extra_vars, tag, inventory=None, env=None, args=()):
        """Run ansible-playbook; the wall time covers the whole process, as a user sees it."""
        user = self.user(tag)
        path = playbook if os.path.isabs(playbook) else os.path.join(PLAYBOOKS, playbook)
        with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="bench-vars-", delete=False) as fh:
            json.dump(extra_vars or {}, fh)
            varfile = fh.name
        cmd = [self.playbook_bin, path, "-e", "@" + varfile]
        cmd += ["-i", inventory] if inventory else ["-i", "localhost,", "-c", "local"]
        cmd += list(args)
        k8s_mark, aws_mark = self.audit.mark(), self.aws.mark()
        try:
            start = time.monotonic()
            proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT,
                                  env=self._env(user, env), check=False)
            seconds = time.monotonic() - start
        finally:
            os.unlink(varfile)
        out = proc.stdout.decode("utf-8", "replace")
        if proc.returncode != 0:
            raise BenchError("%s failed (rc %d):\n%s" % (os.path.relpath(path, ROOT), proc.returncode, out[-6000:]))
        return Run(seconds, out, self.k8s_events(k8s_mark, user), self.aws.since(aws_mark, settle=0.02),
                   changed=parse_changed(out))

    def module(self, name, params, tag, check=False):
        """Run one module process (JSON args on stdin, like Ansible's runner) and read its own
        resource usage with wait4: wall time and max RSS of exactly that process."""
        user = self.user(tag)
        args = dict(params)
        args.update({"_ansible_check_mode": bool(check), "_ansible_diff": False,
                     "_ansible_tmpdir": tempfile.gettempdir(), "_ansible_remote_tmp": tempfile.gettempdir(),
                     "_ansible_keep_remote_files": False})
        ns, coll, mod = (name if name.count(".") == 2 else "hardened.eks." + name).split(".")
        env = self._env(user, {"PYTHONPATH": self.collections})
        k8s_mark, aws_mark = self.audit.mark(), self.aws.mark()
        with tempfile.TemporaryFile() as fin, tempfile.TemporaryFile() as fout, tempfile.TemporaryFile() as ferr:
            fin.write(json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode())
            fin.seek(0)
            cmd = [sys.executable, "-m", "ansible_collections.%s.%s.plugins.modules.%s" % (ns, coll, mod)]
            if self.cprofile_dir:
                prof = os.path.join(self.cprofile_dir, "%s-%d.prof" % (tag, self.seq))
                cmd[1:1] = ["-m", "cProfile", "-o", prof]
                log("cProfile of %s: %s (python -m pstats %s)" % (name, prof, prof))
            start = time.monotonic()
            proc = subprocess.Popen(cmd, stdin=fin, stdout=fout, stderr=ferr, env=env, cwd=ROOT)
            _pid, status, usage = os.wait4(proc.pid, 0)
            seconds = time.monotonic() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
            fout.seek(0)
            ferr.seek(0)
            out = fout.read().decode("utf-8", "replace")
            err = ferr.read().decode("utf-8", "replace")
        start_json = out.find("{")
        try:
            result = json.loads(out[start_json:]) if start_json >= 0 else None
        except ValueError:
            result = None
        if result is None or result.get("failed"):
            raise BenchError("module %s failed (rc %d): %s\n%s" % (
                name, proc.returncode, (result or {}).get("msg", out[-3000:]), err[-3000:]))
        return Run(seconds, out, self.k8s_events(k8s_mark, user), self.aws.since(aws_mark, settle=0.02),
                   changed=1 if result.get("changed") else 0, maxrss_kb=usage.ru_maxrss, result=result)


def sandbox_env_file():
    """The sandbox to measure: HARDENED_EKS_SANDBOX_DIR (an independent sandbox, as
    scripts/sandbox understands it), else the one whose env file was sourced, else .sandbox."""
    for var in ("HARDENED_EKS_SANDBOX_DIR", "HARDENED_EKS_SANDBOX"):
        if os.environ.get(var):
            return os.path.join(os.environ[var], "env")
    return os.path.join(ROOT, ".sandbox", "env")


def delete_role(iam, name):
    for pol in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
        iam.detach_role_policy(RoleName=name, PolicyArn=pol["PolicyArn"])
    for pol in iam.list_role_policies(RoleName=name)["PolicyNames"]:
        iam.delete_role_policy(RoleName=name, PolicyName=pol)
    for prof in iam.list_instance_profiles_for_role(RoleName=name)["InstanceProfiles"]:
        iam.remove_role_from_instance_profile(InstanceProfileName=prof["InstanceProfileName"], RoleName=name)
        iam.delete_instance_profile(InstanceProfileName=prof["InstanceProfileName"])
    iam.delete_role(RoleName=name)


def parse_changed(output):
    total = None
    for match in re.finditer(r"^\S+\s*:\s*ok=\d+\s+changed=(\d+)", output, re.M):
        total = (total or 0) + int(match.group(1))
    return total


def parse_profile(output):
    """ansible.posix.profile_tasks' recap: `<role : task> ---- 1.23s` lines."""
    tasks = []
    recap = output.rfind("TASKS RECAP")
    if recap < 0:
        return tasks
    for line in output[recap:].splitlines():
        match = re.match(r"^(?P<name>.+?) -{3,} (?P<s>\d+(?:\.\d+)?)s\s*$", line)
        if match:
            tasks.append((match.group("name").strip(), float(match.group("s"))))
    return tasks


def module_exists(name):
    return os.path.exists(os.path.join(ROOT, "plugins", "modules", name + ".py"))


# ----------------------------------------------------------------------------- result records
