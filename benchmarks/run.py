#!/usr/bin/env python3
"""`make bench`: hardened.eks against the generic-module way (kubernetes.core, amazon.aws,
loops), both sides against the same sandbox in the same run.

    python benchmarks/run.py                 # the full run (about 15-20 minutes on 2 cores)
    python benchmarks/run.py --smoke --out /tmp/x.json   # tiny sizes, 1 repetition
    python benchmarks/run.py --only aws_auth,growth --reps 1

Every timed run is a real `ansible-playbook` process (or, for the growth curves, a real module
process) against the sandbox started by `scripts/sandbox up`. Kubernetes requests are counted
from the API server's audit log: each run impersonates its own user name (the
`K8S_AUTH_IMPERSONATE_USER` variable that kubernetes.core and hardened.eks honour), so its
requests are told apart from anybody else's. AWS calls are counted from moto's request log
(every call in the run's window). See benchmarks/README.md for the method.
"""

from __future__ import annotations

import argparse
import atexit
import collections
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PLAYBOOKS = os.path.join(HERE, "playbooks")
DEFAULT_OUT = os.path.join(HERE, "results", "latest.json")
README = os.path.join(HERE, "README.md")
sys.path.insert(0, ROOT)

from tests.integration.fixtures import AuditLog, AwsRequests, read_env_file  # noqa: E402

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

class Side(object):
    """One way of doing a scenario's work. When only `measured` of `total` items were run, the
    figures are scaled: fixed + (measured run - fixed) * total / measured, where `fixed` is the
    same playbook run with no items (process start, inventory, ...)."""

    def __init__(self, key, label, total, measured=None, skipped=None):
        self.key = key
        self.label = label
        self.total = total
        self.measured = measured if measured is not None else total
        self.skipped = skipped
        self.phases = collections.OrderedDict()
        self.fixed = {"seconds": [], "requests": [], "aws_calls": []}
        self.notes = []

    @property
    def extrapolated(self):
        return self.measured != self.total

    def add(self, phase, **figures):
        self.phases.setdefault(phase, []).append(figures)

    def add_fixed(self, seconds, requests=0, aws_calls=0):
        self.fixed["seconds"].append(seconds)
        self.fixed["requests"].append(requests)
        self.fixed["aws_calls"].append(aws_calls)

    def scale(self, metric, value):
        if value is None or not self.extrapolated:
            return value
        fixed = median(self.fixed.get(metric, [])) or 0
        return fixed + (value - fixed) * float(self.total) / self.measured

    def summary(self):
        out = {"label": self.label, "items": self.total, "measured_items": self.measured,
               "extrapolated": self.extrapolated, "notes": self.notes}
        if self.skipped:
            out["skipped"] = self.skipped
            return out
        if self.extrapolated:
            out["fixed_cost"] = {k: median(v) for k, v in self.fixed.items()}
        phases = {}
        for phase, runs in self.phases.items():
            ph = {"repetitions": len(runs)}
            keys = sorted({k for r in runs for k in r})
            for key in keys:
                values = [r.get(key) for r in runs]
                if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values if v is not None):
                    med = median(values)
                    ph[key + "_runs"] = values
                    if self.extrapolated and key in ("seconds", "requests", "requests_total", "aws_calls"):
                        ph[key + "_measured"] = med
                        ph[key] = self.scale(key if key != "requests_total" else "requests", med)
                    else:
                        ph[key] = med
                else:
                    ph[key] = values[-1]
            phases[phase] = ph
        out["phases"] = phases
        return out


def value(summary, phase, metric):
    try:
        return summary["phases"][phase][metric]
    except (KeyError, TypeError):
        return None


def ratio(ours, baseline):
    if ours in (None, 0) or baseline is None:
        return None
    return baseline / float(ours)


def compare(scenario, sides, baselines, phases=("first", "rerun"), metrics=("seconds", "requests")):
    rows = []
    ours = sides.get("ours")
    for base in baselines:
        b = sides.get(base)
        if not b or b.get("skipped") or not ours or ours.get("skipped"):
            continue
        for phase in phases:
            for metric in metrics:
                o, v = value(ours, phase, metric), value(b, phase, metric)
                if o is None and v is None:
                    continue
                rows.append({"scenario": scenario, "phase": phase, "metric": metric, "ours": o,
                             "baseline": base, "baseline_label": b["label"], "baseline_value": v,
                             "baseline_extrapolated": b["extrapolated"],
                             "baseline_measured_items": b["measured_items"], "ratio": ratio(o, v)})
    return rows


def goal(text, measured, met):
    return {"goal": text, "measured": measured, "met": bool(met) if met is not None else None}


# ------------------------------------------------------------------------------ data builders

def aws_auth_entries(n, compact=False):
    out = []
    for i in range(n):
        if compact:
            out.append({"rolearn": "arn:aws:iam::%s:role/r%05d" % (ACCOUNT, i), "username": "r%05d" % i,
                        "groups": ["g"]})
        else:
            out.append({"rolearn": "arn:aws:iam::%s:role/bench-team-%05d" % (ACCOUNT, i),
                        "username": "bench-team-%05d" % i, "groups": ["bench-readers", "team-%02d" % (i % 50)]})
    return out


def to_ours_roles(entries):
    return [{"arn": e["rolearn"], "username": e["username"], "groups": e["groups"]} for e in entries]


def calico_policies(n, namespaces):
    out = []
    for i in range(n):
        idx = i // len(namespaces)
        out.append({
            "kind": "NetworkPolicy",
            "name": "bench-p%04d" % idx,
            "namespace": namespaces[i % len(namespaces)],
            "labels": {"app.kubernetes.io/managed-by": "hardened-eks-bench"},
            "spec": {
                "order": 100 + idx % 50,
                "selector": "app == 'svc-%d'" % idx,
                "types": ["Ingress", "Egress"],
                "ingress": [{"action": "Allow", "protocol": "TCP",
                             "source": {"selector": "role == 'frontend'"},
                             "destination": {"ports": [8000 + idx % 1000]}}],
                "egress": [{"action": "Allow", "protocol": "UDP",
                            "destination": {"selector": "k8s-app == 'kube-dns'",
                                            "namespaceSelector": "projectcalico.org/name == 'kube-system'",
                                            "ports": [53]}}],
            },
        })
    return out


def calico_definitions(policies):
    return [{"apiVersion": "crd.projectcalico.org/v1", "kind": p["kind"],
             "metadata": {"name": p["name"], "namespace": p["namespace"], "labels": p["labels"]},
             "spec": p["spec"]} for p in policies]


def calico_events(events, namespaces=None):
    out = []
    for ev in events:
        ref = ev.get("objectRef") or {}
        if ref.get("resource") not in ("networkpolicies", "globalnetworkpolicies", "networksets",
                                       "globalnetworksets", "tiers"):
            continue
        if ref.get("apiGroup") not in CALICO_GROUPS:
            continue
        if namespaces is not None and ref.get("namespace") not in namespaces and ref.get("namespace"):
            continue
        out.append(ev)
    return out


def max_lists_per_kind_namespace(events):
    counts = collections.Counter()
    for ev in events:
        if ev.get("verb") == "list":
            ref = ev.get("objectRef") or {}
            counts[(ref.get("resource"), ref.get("namespace") or "*")] += 1
    return max(counts.values()) if counts else 0


def inline_doc(i, statements=1):
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "Read%d" % s, "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": ["arn:aws:s3:::bench-bucket-%d" % i, "arn:aws:s3:::bench-bucket-%d/*" % i]}
        for s in range(statements)]}


def pod_role(name, node_role_arns, inline_policies):
    """The same role for both sides: ours (eks_pod_iam_role options) and generic (iam_role +
    iam_policy). Generic gets one inline policy, as the scenario uses one."""
    first_name, first_doc = next(iter(inline_policies.items()))
    return {
        "ours": {"name": name, "path": "/", "trust": {"kube2iam": {"node_role_arns": node_role_arns}},
                 "inline_policies": inline_policies, "managed_policy_arns": [MANAGED_POLICY_ARN]},
        "generic": {"name": name, "path": "/", "managed_policy_arns": [MANAGED_POLICY_ARN],
                    "trust_document": {"Version": "2012-10-17", "Statement": [
                        {"Effect": "Allow", "Principal": {"AWS": node_role_arns}, "Action": "sts:AssumeRole"}]},
                    "inline_policy_name": first_name, "inline_policy": first_doc},
    }


def on_object(events, resource, name=None, namespace=None):
    out = []
    for ev in events:
        ref = ev.get("objectRef") or {}
        if ref.get("resource") == resource and (name is None or ref.get("name") == name) \
                and (namespace is None or ref.get("namespace") == namespace):
            out.append(ev)
    return out


def writes(events):
    return [e for e in events if e.get("verb") in AuditLog.WRITE_VERBS]


# ---------------------------------------------------------------------------------- scenarios

def scenario_aws_auth(b, p):
    n = p["aws_auth_entries"]
    k = min(p["aws_auth_per_entry_measured"], n)
    reps = p["reps"]
    ns = b.namespace("aa")
    entries = aws_auth_entries(n)
    ours_roles = to_ours_roles(entries)
    sides = {
        "ours": Side("ours", "hardened.eks.aws_auth_mapping, one task", n,
                     skipped=None if module_exists("aws_auth_mapping") else "module not in this tree"),
        "per_entry": Side("per_entry", "k8s_info + k8s per entry (eksctl-style)", n, measured=k),
        "generic_merge": Side("generic_merge", "k8s_info + Jinja merge + k8s", n,
                              skipped=None if p["secondary_baselines"] else "not in this profile"),
    }
    mid = (n - k) // 2  # the per-entry slice is measured where the map holds half the entries
    per_entry_slice = entries[mid:mid + k]
    if sides["per_entry"].extrapolated:
        sides["per_entry"].notes.append(
            "measured %d entries and scaled to %d: the first run adds entries %d-%d to a map that already "
            "holds %d (the mid-point of a 0..%d build, so the average map size), the re-run re-applies them "
            "to the full %d-entry map" % (k, n, mid + 1, mid + k, mid, n, n))
        for rep in range(reps if p["measure_fixed"] else 0):
            cm = b.seed_configmap(ns, "per-entry-empty-%d" % rep, [NODE_ENTRY])
            run = b.playbook("aws_auth_per_entry.yml", {"bench_namespace": ns, "bench_configmap": cm,
                                                        "bench_map_roles": []}, "aa-per-entry-fixed")
            sides["per_entry"].add_fixed(run.seconds, len(on_object(run.k8s, "configmaps", cm)))

    def record(side, phase, run, cm):
        obj = on_object(run.k8s, "configmaps", cm, ns)
        side.add(phase, seconds=run.seconds, requests=len(obj), writes=len(writes(obj)),
                 requests_total=len(run.k8s), changed=run.changed)

    for rep in range(reps):
        log("aws_auth: repetition %d/%d (%d entries)" % (rep + 1, reps, n))
        if not sides["ours"].skipped:
            cm = b.seed_configmap(ns, "ours-%d" % rep, [NODE_ENTRY])
            pv = {"bench_namespace": ns, "bench_configmap": cm, "bench_roles": ours_roles}
            record(sides["ours"], "first", b.playbook("aws_auth_ours.yml", pv, "aa-ours-first"), cm)
            record(sides["ours"], "rerun", b.playbook("aws_auth_ours.yml", pv, "aa-ours-rerun"), cm)
            check_map(b, ns, cm, entries, "ours")
        if not sides["generic_merge"].skipped:
            cm = b.seed_configmap(ns, "merge-%d" % rep, [NODE_ENTRY])
            pv = {"bench_namespace": ns, "bench_configmap": cm, "bench_map_roles": entries}
            record(sides["generic_merge"], "first", b.playbook("aws_auth_generic_merge.yml", pv, "aa-merge-first"), cm)
            record(sides["generic_merge"], "rerun", b.playbook("aws_auth_generic_merge.yml", pv, "aa-merge-rerun"), cm)
            check_map(b, ns, cm, entries, "generic_merge")
        cm = b.seed_configmap(ns, "per-entry-%d" % rep, [NODE_ENTRY] + entries[:mid])
        pv = {"bench_namespace": ns, "bench_configmap": cm, "bench_map_roles": per_entry_slice}
        record(sides["per_entry"], "first", b.playbook("aws_auth_per_entry.yml", pv, "aa-per-entry-first"), cm)
        check_map(b, ns, cm, entries[:mid + k], "per_entry")
        if k < n:  # the converged state: every entry is in the map
            b.seed_configmap(ns, cm, [NODE_ENTRY] + entries)
        record(sides["per_entry"], "rerun", b.playbook("aws_auth_per_entry.yml", pv, "aa-per-entry-rerun"), cm)

    summaries = {key: s.summary() for key, s in sides.items()}
    rows = compare("aws_auth", summaries, ["per_entry", "generic_merge"])
    ours = summaries["ours"]
    goals = []
    if not ours.get("skipped"):
        req = max(value(ours, "first", "requests") or 0, value(ours, "rerun", "requests") or 0)
        goals.append(goal("aws-auth %d entries: <= 2 requests on the ConfigMap per run (first and re-run)" % n,
                          "first %s, re-run %s" % (value(ours, "first", "requests"), value(ours, "rerun", "requests")),
                          req <= 2))
        r = ratio(value(ours, "rerun", "seconds"), value(summaries["per_entry"], "rerun", "seconds"))
        goals.append(goal("aws-auth %d entries: converged re-run >= 20x faster than the per-entry baseline" % n,
                          "%.1fx" % r if r else None, r is not None and r >= 20))
    return {"title": "aws-auth: %d role mappings" % n, "items": n, "sides": summaries, "comparisons": rows,
            "goals": goals}


def check_map(b, ns, cm, expected, side):
    have = {e.get("rolearn") for e in b.read_map_roles(ns, cm)}
    missing = [e["rolearn"] for e in expected if e["rolearn"] not in have]
    if missing or NODE_ROLE_ARN not in have:
        raise BenchError("%s: ConfigMap %s/%s lacks %d expected entries (e.g. %s) or the node role"
                         % (side, ns, cm, len(missing), missing[:3]))


def scenario_calico(b, p):
    n = p["calico_policies"]
    nns = p["calico_namespaces"]
    k = min(p["calico_loop_measured"], n)
    reps = p["reps"]
    sides = {
        "ours": Side("ours", "hardened.eks.calico_policy, one batch task", n,
                     skipped=None if module_exists("calico_policy") else "module not in this tree"),
        "loop": Side("loop", "kubernetes.core.k8s in a loop", n, measured=k),
        "generic_batch": Side("generic_batch", "kubernetes.core.k8s, list definition", n,
                              skipped=None if p["secondary_baselines"] else "not in this profile"),
    }
    if sides["loop"].extrapolated:
        sides["loop"].notes.append("measured %d of %d policies (spread over the %d namespaces) and scaled: "
                                   "the loop's cost per item does not depend on the item" % (k, n, nns))
        for rep in range(reps if p["measure_fixed"] else 0):
            run = b.playbook("calico_loop.yml", {"bench_definitions": []}, "cal-loop-fixed")
            sides["loop"].add_fixed(run.seconds, len(calico_events(run.k8s)))

    def record(side, phase, run, namespaces):
        ev = calico_events(run.k8s, namespaces)
        side.add(phase, seconds=run.seconds, requests=len(ev), writes=len(writes(ev)),
                 requests_total=len(run.k8s), max_lists_per_kind_namespace=max_lists_per_kind_namespace(ev),
                 changed=run.changed)

    def verify(namespaces, expected, side):
        got = sum(b.count_calico(ns) for ns in namespaces)
        if got != expected:
            raise BenchError("calico %s: %d NetworkPolicy objects in %s, expected %d" % (side, got, namespaces, expected))

    for rep in range(reps):
        log("calico: repetition %d/%d (%d policies in %d namespaces)" % (rep + 1, reps, n, nns))
        if not sides["ours"].skipped:
            nss = [b.namespace("c%d-o-%d" % (rep, i)) for i in range(nns)]
            pv = {"bench_policies": calico_policies(n, nss)}
            record(sides["ours"], "first", b.playbook("calico_ours.yml", pv, "cal-ours-first"), nss)
            record(sides["ours"], "rerun", b.playbook("calico_ours.yml", pv, "cal-ours-rerun"), nss)
            verify(nss, n, "ours")
        nss = [b.namespace("c%d-l-%d" % (rep, i)) for i in range(nns)]
        pv = {"bench_definitions": calico_definitions(calico_policies(n, nss)[:k])}
        record(sides["loop"], "first", b.playbook("calico_loop.yml", pv, "cal-loop-first"), nss)
        record(sides["loop"], "rerun", b.playbook("calico_loop.yml", pv, "cal-loop-rerun"), nss)
        verify(nss, k, "loop")
        if not sides["generic_batch"].skipped:
            nss = [b.namespace("c%d-b-%d" % (rep, i)) for i in range(nns)]
            pv = {"bench_definitions": calico_definitions(calico_policies(n, nss))}
            record(sides["generic_batch"], "first", b.playbook("calico_generic_batch.yml", pv, "cal-batch-first"), nss)
            record(sides["generic_batch"], "rerun", b.playbook("calico_generic_batch.yml", pv, "cal-batch-rerun"), nss)
            verify(nss, n, "generic_batch")

    summaries = {key: s.summary() for key, s in sides.items()}
    rows = compare("calico", summaries, ["loop", "generic_batch"])
    ours = summaries["ours"]
    goals = []
    if not ours.get("skipped"):
        lists = value(ours, "rerun", "max_lists_per_kind_namespace")
        goals.append(goal("Calico %d policies: <= 1 list request per kind and namespace on a converged run" % n,
                          "max %s list(s) per kind and namespace" % lists, lists is not None and lists <= 1))
        for phase in ("first", "rerun"):
            r = ratio(value(ours, phase, "seconds"), value(summaries["loop"], phase, "seconds"))
            goals.append(goal("Calico %d policies: >= 10x faster than the k8s loop (%s)" % (
                n, "first run" if phase == "first" else "converged re-run"),
                "%.1fx" % r if r else None, r is not None and r >= 10))
    return {"title": "Calico: %d NetworkPolicies in %d namespaces" % (n, nns), "items": n, "sides": summaries,
            "comparisons": rows, "goals": goals}


def scenario_pod_roles(b, p):
    n = p["pod_roles"]
    k = min(p["pod_roles_measured"], n)
    reps = p["reps"]
    sides = {
        "ours": Side("ours", "hardened.eks.eks_pod_iam_role in a loop", n, measured=k,
                     skipped=None if module_exists("eks_pod_iam_role") else "module not in this tree"),
        "generic": Side("generic", "amazon.aws.iam_role + iam_policy in loops", n, measured=k),
    }
    books = {"ours": "pod_roles_ours.yml", "generic": "pod_roles_generic.yml"}
    if k < n:
        for side in sides.values():
            side.notes.append("measured %d of %d roles and scaled: both sides are one loop item per role, "
                              "whose cost does not depend on the number of roles" % (k, n))
        for rep in range(reps if p["measure_fixed"] else 0):
            for key, side in sides.items():
                if side.skipped:
                    continue
                run = b.playbook(books[key], {"bench_pod_roles": []}, "pr-%s-fixed" % key)
                side.add_fixed(run.seconds, 0, len(run.aws))

    def record(side, phase, run):
        actions = collections.Counter(r.get("action") for r in run.aws)
        side.add(phase, seconds=run.seconds, aws_calls=len(run.aws),
                 aws_calls_per_role=round(len(run.aws) / float(k), 2), changed=run.changed,
                 aws_actions_per_role={a: round(c / float(k), 2) for a, c in sorted(actions.items())})

    for rep in range(reps):
        log("pod_roles: repetition %d/%d (%d roles)" % (rep + 1, reps, k))
        for key, side in sides.items():
            if side.skipped:
                continue
            names = ["hb-%s-%s%d-%03d" % (b.run_id, key[0], rep, i) for i in range(k)]
            b.roles.extend(names)
            roles = [pod_role(name, [NODE_ROLE_ARN], {"s3-read": inline_doc(i)})[key] for i, name in enumerate(names)]
            pv = {"bench_pod_roles": roles}
            record(side, "first", b.playbook(books[key], pv, "pr-%s-first" % key))
            record(side, "rerun", b.playbook(books[key], pv, "pr-%s-rerun" % key))
            verify_roles(b, names, key)

    summaries = {key: s.summary() for key, s in sides.items()}
    rows = compare("pod_roles", summaries, ["generic"], metrics=("seconds", "aws_calls"))
    ours = summaries["ours"]
    goals = []
    if not ours.get("skipped"):
        o, g = value(ours, "rerun", "aws_calls_per_role"), value(summaries["generic"], "rerun", "aws_calls_per_role")
        goals.append(goal("Pod roles: converged re-run uses no more AWS calls per role than the baseline",
                          "%s vs %s calls per role" % (o, g), o is not None and g is not None and o <= g))
        r = ratio(value(ours, "rerun", "seconds"), value(summaries["generic"], "rerun", "seconds"))
        goals.append(goal("Pod roles: converged re-run faster than the baseline", "%.2fx" % r if r else None,
                          r is not None and r > 1))
    return {"title": "Pod IAM roles: %d roles (kube2iam trust, 1 managed + 1 inline policy)" % n, "items": n,
            "sides": summaries, "comparisons": rows, "goals": goals}


def verify_roles(b, names, side):
    for name in (names[0], names[-1]):
        try:
            b.iam.get_role(RoleName=name)
            pols = b.iam.list_role_policies(RoleName=name)["PolicyNames"]
        except Exception as exc:  # noqa: BLE001
            raise BenchError("pod_roles %s: role %s not readable after the run: %s" % (side, name, exc))
        if not pols:
            raise BenchError("pod_roles %s: role %s has no inline policy after the run" % (side, name))


def scenario_site(b, p):
    playbook = os.path.join(ROOT, p["site_playbook"])
    inventory = os.path.join(ROOT, p["site_inventory"]) if p["site_inventory"] else None
    title = "site.yml converged re-run (%s)" % (p["site_inventory"] or "localhost stand-in")
    side = Side("ours", os.path.relpath(playbook, ROOT), 1)
    extra_args = []
    if not os.path.exists(playbook):
        side.skipped = "%s not in this tree" % p["site_playbook"]
    else:
        with open(playbook) as fh:
            text = fh.read()
        roles = re.findall(r"role:\s*hardened\.eks\.(\w+)", text)
        missing = [r for r in roles if not role_runnable(r)]
        present = [r for r in roles if r not in missing]
        if missing and not present:
            side.skipped = "roles not in this tree yet: %s" % ", ".join(missing)
        elif missing:  # the layers that exist: a copy of the playbook without the missing roles
            playbook = partial_playbook(playbook, missing)
            title += " - PARTIAL: %s (without %s: role or a module it uses not in the tree yet)" % (
                ", ".join(present), ", ".join(missing))
            side.notes.append("partial: %s without the roles %s" % (p["site_playbook"], ", ".join(missing)))
    profile_env = {"ANSIBLE_CALLBACKS_ENABLED": "ansible.posix.profile_tasks",
                   "PROFILE_TASKS_TASK_OUTPUT_LIMIT": "all"}
    tasks = collections.defaultdict(list)
    if not side.skipped and p["site_warmup"]:
        log("site: converging once (not timed)")
        warm = b.playbook(playbook, {}, "site-converge", inventory=inventory, env=profile_env, args=extra_args)
        side.notes.append("a converging run first (%.1f s, changed=%s), then the timed re-runs" % (
            warm.seconds, warm.changed))
    if not side.skipped:
        for rep in range(p["reps"]):
            log("site: converged re-run %d/%d" % (rep + 1, p["reps"]))
            run = b.playbook(playbook, {}, "site-rerun", inventory=inventory, env=profile_env, args=extra_args)
            actions = collections.Counter(r.get("action") for r in run.aws)
            side.add("rerun", seconds=run.seconds, requests=len(run.k8s),
                     requests_writes=len(writes(run.k8s)), aws_calls=len(run.aws),
                     aws_mutating=len([r for r in run.aws if _aws_mutating(r)]),
                     changed=run.changed, aws_actions=dict(actions.most_common()))
            for name, secs in parse_profile(run.output):
                tasks[name].append(secs)
    summary = side.summary()
    profile = sorted(((median(v), name) for name, v in tasks.items()), reverse=True)
    summary["profile"] = [{"task": name, "seconds": round(s, 2)} for s, name in profile[:15]]
    summary["profile_task_count"] = len(profile)
    goals = []
    if not side.skipped:
        ch = value(summary, "rerun", "changed")
        goals.append(goal("site.yml re-run is converged (changed=0)", "changed=%s" % ch, ch == 0))
    return {"title": title, "items": 1, "sides": {"ours": summary}, "comparisons": [], "goals": goals}


def role_runnable(role):
    """The role is in the tree and every hardened.eks module its tasks name is too."""
    base = os.path.join(ROOT, "roles", role)
    if not os.path.isdir(base):
        return False
    for dirpath, _dirs, files in os.walk(os.path.join(base, "tasks")):
        for name in files:
            with open(os.path.join(dirpath, name)) as fh:
                for mod in re.findall(r"hardened\.eks\.(\w+):", fh.read()):
                    if not module_exists(mod) and not os.path.isdir(os.path.join(ROOT, "roles", mod)):
                        return False
    return True


def partial_playbook(path, missing):
    import yaml
    with open(path) as fh:
        plays = yaml.safe_load(fh)
    for play in plays:
        play["roles"] = [r for r in play.get("roles", [])
                         if (r.get("role") if isinstance(r, dict) else r).split(".")[-1] not in missing]
    fd, out = tempfile.mkstemp(prefix="bench-site-partial-", suffix=".yml")
    with os.fdopen(fd, "w") as fh:
        yaml.safe_dump(plays, fh, sort_keys=False)
    atexit.register(os.unlink, out)
    return out


def _aws_mutating(record):
    action = record.get("action", "")
    if action.startswith(AwsRequests.MUTATING_PREFIXES):
        return True
    return " " in action and not action.startswith("GET ")


def scenario_growth(b, p):
    reps = p["reps"]
    out = {"title": "Growth: module process time and memory against input size", "curves": {}, "goals": [],
           "comparisons": []}
    # aws_auth_mapping: one process per run, 10 .. 10,000 entries
    curve = {"module": "hardened.eks.aws_auth_mapping", "parameter": "role mappings", "points": [],
             "note": "compact entries (role/r00001, one group) so 10,000 fit in a ConfigMap (1 MiB limit)"}
    if module_exists("aws_auth_mapping"):
        ns = b.namespace("gr")
        for size in p["growth_aws_auth"]:
            entries = aws_auth_entries(size, compact=True)
            params = {"namespace": ns, "roles": to_ours_roles(entries)}
            point = {"size": size, "first": [], "rerun": []}
            try:
                for rep in range(reps):
                    cm = b.seed_configmap(ns, "g-%d-%d" % (size, rep), [NODE_ENTRY])
                    for phase in ("first", "rerun"):
                        run = b.module("aws_auth_mapping", dict(params, name=cm), "gr-aa-%d" % size)
                        point[phase].append({"seconds": run.seconds, "maxrss_kb": run.maxrss_kb,
                                             "requests": len(on_object(run.k8s, "configmaps", cm, ns)),
                                             "changed": run.changed})
            except BenchError as exc:
                point["error"] = str(exc)[:800]
            curve["points"].append(_growth_point(point))
            log("growth aws_auth_mapping %d: %s" % (size, _fmt_point(curve["points"][-1])))
    else:
        curve["skipped"] = "module not in this tree"
    _fit(curve)
    out["curves"]["aws_auth_mapping"] = curve
    # eks_pod_iam_role: one role, N node role ARNs in the trust and N inline policies
    curve = {"module": "hardened.eks.eks_pod_iam_role", "parameter": "node role ARNs and inline policies per role",
             "points": [],
             "note": "capped at 30: IAM limits a trust policy to 2,048 characters (about 35 role ARNs) and a "
                     "role's inline policies to 10,240 characters in all, so larger sizes are not meaningful; "
                     "the number of roles is covered by the pod_roles scenario (one process per role)"}
    if module_exists("eks_pod_iam_role"):
        for size in p["growth_pod_role"]:
            point = {"size": size, "first": [], "rerun": []}
            arns = ["arn:aws:iam::%s:role/bench-node-%02d" % (ACCOUNT, i) for i in range(size)]
            inline = collections.OrderedDict(("p%02d" % i, inline_doc(i)) for i in range(size))
            try:
                for rep in range(reps):
                    name = "hb-%s-g%d-%d" % (b.run_id, size, rep)
                    b.roles.append(name)
                    params = pod_role(name, arns, inline)["ours"]
                    for phase in ("first", "rerun"):
                        run = b.module("eks_pod_iam_role", params, "gr-pr-%d" % size)
                        point[phase].append({"seconds": run.seconds, "maxrss_kb": run.maxrss_kb,
                                             "aws_calls": len(run.aws), "changed": run.changed})
            except BenchError as exc:
                point["error"] = str(exc)[:800]
            curve["points"].append(_growth_point(point))
            log("growth eks_pod_iam_role %d: %s" % (size, _fmt_point(curve["points"][-1])))
    else:
        curve["skipped"] = "module not in this tree"
    _fit(curve)
    out["curves"]["eks_pod_iam_role"] = curve
    return out


def _growth_point(point):
    out = {"size": point["size"]}
    if point.get("error"):
        out["error"] = point["error"]
    for phase in ("first", "rerun"):
        runs = point[phase]
        if not runs:
            continue
        ph = {"repetitions": len(runs)}
        for key in runs[0]:
            ph[key] = median([r[key] for r in runs])
            ph[key + "_runs"] = [r[key] for r in runs]
        ph["maxrss_mb"] = round(ph["maxrss_kb"] / 1024.0, 1)
        out[phase] = ph
    return out


def _fmt_point(pt):
    parts = []
    for phase in ("first", "rerun"):
        if phase in pt:
            parts.append("%s %.2f s %.0f MB" % (phase, pt[phase]["seconds"], pt[phase]["maxrss_mb"]))
    if pt.get("error"):
        parts.append("error: %s" % pt["error"][:200])
    return ", ".join(parts)


def _fit(curve):
    """Least-squares line through the re-run times: intercept (process start, imports, one
    read) and cost per item."""
    pts = [(pt["size"], pt["rerun"]["seconds"], pt["rerun"]["maxrss_mb"]) for pt in curve["points"] if "rerun" in pt]
    if len(pts) < 2:
        return
    for idx, key, unit in ((1, "seconds", 1e6), (2, "maxrss_mb", 1024.0)):
        xs = [x for x, _s, _m in pts]
        ys = [pt[idx] for pt in pts]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        sxx = sum((x - mx) ** 2 for x in xs)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0.0
        intercept = my - slope * mx
        name = "us_per_item" if key == "seconds" else "kb_per_item"
        curve.setdefault("fit_rerun", {})[key] = {"intercept": round(intercept, 3), name: round(slope * unit, 2)}


# ------------------------------------------------------------------------------ environment

def machine_info(b):
    info = {"nproc": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "loadavg_at_start": list(os.getloadavg())}
    try:
        with open("/proc/cpuinfo") as fh:
            models = [line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")]
        info["cpu_model"] = models[0] if models else platform.processor()
    except OSError:
        info["cpu_model"] = platform.processor()
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    info["memory_gib"] = round(int(line.split()[1]) / 1024.0 / 1024.0, 1)
    except OSError:
        pass
    try:
        with open("/etc/debian_version") as fh:
            info["debian"] = fh.read().strip()
    except OSError:
        pass
    return info


def versions(b):
    out = {}
    try:
        from ansible.release import __version__ as core
        out["ansible-core"] = core
    except ImportError:
        pass
    try:
        from importlib.metadata import version
        for dist in ("ansible", "kubernetes", "boto3", "botocore", "moto"):
            try:
                out[dist] = version(dist)
            except Exception:  # noqa: BLE001
                pass
    except ImportError:
        pass
    import ansible_collections
    for coll in ("kubernetes/core", "amazon/aws", "ansible/posix"):
        for base in ansible_collections.__path__:
            manifest = os.path.join(base, coll, "MANIFEST.json")
            if os.path.exists(manifest):
                with open(manifest) as fh:
                    out[coll.replace("/", ".")] = json.load(fh)["collection_info"]["version"]
                break
    try:
        out["kube-apiserver"] = b.k8s_client.VersionApi(b.api).get_code().git_version
    except Exception:  # noqa: BLE001
        pass
    try:
        commit = subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT).decode().strip()
        dirty = subprocess.call(["git", "diff", "--quiet", "HEAD", "--", "plugins", "roles", "playbooks"], cwd=ROOT)
        out["hardened.eks commit"] = commit + (" (+local changes)" if dirty else "")
    except Exception:  # noqa: BLE001
        pass
    return out


# ---------------------------------------------------------------------------------- reporting

def fmt(metric, v, extrapolated=False):
    if v is None:
        return "-"
    star = "*" if extrapolated else ""
    if metric == "seconds":
        return ("%.2f s" % v if v < 10 else "%.1f s" % v if v < 100 else "%.0f s" % v) + star
    if isinstance(v, float) and v != int(v):
        return "%.1f%s" % (v, star)
    return "%d%s" % (v, star)


def fmt_ratio(r):
    if r is None:
        return "-"
    return "%.0fx" % r if r >= 100 else "%.1fx" % r if r >= 10 else "%.2fx" % r


METRIC_NAMES = {"seconds": "wall time", "requests": "k8s requests", "aws_calls": "AWS calls"}


def table_rows(results):
    rows = []
    for key in SCENARIOS:
        sc = results["scenarios"].get(key)
        if not sc:
            continue
        if sc.get("error"):
            rows.append([key, "FAILED: " + sc["error"].strip().splitlines()[0][:100], "", "", ""])
            continue
        if key == "site":
            ours = sc["sides"]["ours"]
            if ours.get("skipped"):
                rows.append([sc["title"], "skipped: " + ours["skipped"], "", "", ""])
                continue
            ph = ours["phases"]["rerun"]
            rows.append([sc["title"], "wall time %s" % fmt("seconds", ph["seconds"]), "-", "-", "no baseline"])
            rows.append([sc["title"], "k8s requests %s, AWS calls %s" % (fmt("r", ph["requests"]),
                                                                         fmt("r", ph["aws_calls"])), "-", "-", ""])
            continue
        if key == "growth":
            for cname, curve in sc["curves"].items():
                for pt in curve.get("points", []):
                    if "rerun" not in pt:
                        rows.append(["growth %s n=%d" % (cname, pt["size"]), "error", "", "", pt.get("error", "")[:60]])
                        continue
                    rows.append(["growth %s n=%d" % (cname, pt["size"]),
                                 "first %s / re-run %s, %s MB" % (fmt("seconds", pt["first"]["seconds"]),
                                                                  fmt("seconds", pt["rerun"]["seconds"]),
                                                                  pt["rerun"]["maxrss_mb"]), "-", "-", ""])
            continue
        for ours_side in [sc["sides"].get("ours")]:
            if ours_side and ours_side.get("skipped"):
                rows.append([sc["title"], "skipped: " + ours_side["skipped"], "", "", ""])
        for c in sc["comparisons"]:
            ours_ex = sc["sides"]["ours"]["extrapolated"]
            label = "%s, %s, %s" % (key, "first run" if c["phase"] == "first" else "re-run",
                                    METRIC_NAMES.get(c["metric"], c["metric"]))
            rows.append([label, fmt(c["metric"], c["ours"], ours_ex),
                         "%s (%s)" % (fmt(c["metric"], c["baseline_value"], c["baseline_extrapolated"]), c["baseline"]),
                         fmt_ratio(c["ratio"]), ""])
    return rows


def render_text(results):
    rows = [["scenario", "ours", "baseline", "ratio", ""]] + table_rows(results)
    widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
    lines = []
    for i, r in enumerate(rows):
        lines.append("  ".join(str(c).ljust(widths[j]) if j < 4 else str(c) for j, c in enumerate(r)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("* scaled from a measured slice (see notes in the JSON and benchmarks/README.md)")
    lines.append("")
    lines.append("goals:")
    for key in SCENARIOS:
        for g in (results["scenarios"].get(key) or {}).get("goals", []):
            lines.append("  [%s] %s: %s" % ({True: "met", False: "MISSED", None: "?"}[g["met"]], g["goal"], g["measured"]))
    return "\n".join(lines)


def render_markdown(results):
    m = results["machine"]
    v = results["versions"]
    out = ["Run %s (profile `%s`, %d repetitions, medians; %.0f s in all) on %d CPUs (%s), %.1f GiB RAM, %s; "
           "load average %.1f at the start, %.1f at the end." % (
               results["generated"], results["profile"], results["settings"]["reps"], results["duration_seconds"],
               m.get("nproc", 0), m.get("cpu_model", "?"), m.get("memory_gib", 0), m.get("platform", "?"),
               (m.get("loadavg_at_start") or [0])[0], (m.get("loadavg_at_end") or [0])[0]),
        "",
        "Versions: " + ", ".join("%s %s" % (k, val) for k, val in v.items()) + ".",
        "",
        "| scenario | ours | baseline | ratio |",
        "| --- | --- | --- | --- |"]
    for r in table_rows(results):
        out.append("| %s | %s | %s | %s |" % (r[0], r[1], r[2], r[3]))
    out.append("")
    out.append("`*` scaled from a measured slice; `ratio` = baseline / ours (higher is better for us).")
    out.append("")
    out.append("Goals:")
    out.append("")
    for key in SCENARIOS:
        for g in (results["scenarios"].get(key) or {}).get("goals", []):
            out.append("- **%s** %s: %s" % ({True: "met", False: "MISSED", None: "?"}[g["met"]], g["goal"], g["measured"]))
    site = results["scenarios"].get("site")
    if site and site["sides"]["ours"].get("profile"):
        out += ["", "Slowest tasks of the converged site.yml re-run (profile_tasks, median):", "",
                "| task | seconds |", "| --- | --- |"]
        for t in site["sides"]["ours"]["profile"][:10]:
            out.append("| %s | %.2f |" % (t["task"].replace("|", "\\|"), t["seconds"]))
    return "\n".join(out)


def update_readme(results):
    if not os.path.exists(README):
        return
    with open(README) as fh:
        text = fh.read()
    start, end = "<!-- bench:results:start -->", "<!-- bench:results:end -->"
    if start not in text or end not in text:
        return
    head, rest = text.split(start, 1)
    _old, tail = rest.split(end, 1)
    with open(README, "w") as fh:
        fh.write(head + start + "\n" + render_markdown(results) + "\n" + end + tail)


# ----------------------------------------------------------------------------------------- main

RUNNERS = {"aws_auth": scenario_aws_auth, "calico": scenario_calico, "pod_roles": scenario_pod_roles,
           "site": scenario_site, "growth": scenario_growth}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, 1 repetition (the test suite's run)")
    parser.add_argument("--reps", type=int, help="repetitions of each timed run (default 3; smoke 1)")
    parser.add_argument("--only", help="comma-separated scenarios: %s" % ",".join(SCENARIOS))
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a profile setting, e.g. --set aws_auth_per_entry_measured=100")
    parser.add_argument("--out", default=DEFAULT_OUT, help="result JSON (default benchmarks/results/latest.json)")
    parser.add_argument("--no-readme", action="store_true", help="do not refresh the table in benchmarks/README.md")
    parser.add_argument("--cprofile", metavar="DIR",
                        help="run the growth scenario's module processes under cProfile, one .prof file each in "
                             "DIR (their times are inflated: use for where the time goes, not for the figures)")
    args = parser.parse_args(argv)

    profile = "smoke" if args.smoke else "full"
    settings = dict(PROFILES[profile])
    if args.reps:
        settings["reps"] = args.reps
    for item in args.set:
        key, _sep, raw = item.partition("=")
        if key not in settings:
            parser.error("unknown setting %s" % key)
        settings[key] = json.loads(raw) if raw[:1] in "[0123456789tfn" else raw
    only = args.only.split(",") if args.only else list(SCENARIOS)
    unknown = [s for s in only if s not in SCENARIOS]
    if unknown:
        parser.error("unknown scenario(s): %s" % ", ".join(unknown))

    run_id = uuid.uuid4().hex[:6]
    started = time.monotonic()
    bench = Bench(run_id)
    if args.cprofile:
        os.makedirs(args.cprofile, exist_ok=True)
        bench.cprofile_dir = os.path.abspath(args.cprofile)
    results = {"schema": SCHEMA, "profile": profile, "run_id": run_id,
               "generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
               "settings": settings, "sandbox": bench.env.get("HARDENED_EKS_SANDBOX"), "machine": machine_info(bench), "versions": versions(bench), "scenarios": {}}
    failed = []
    try:
        for name in only:
            log("scenario %s" % name)
            t0 = time.monotonic()
            try:
                results["scenarios"][name] = RUNNERS[name](bench, settings)
            except BenchError as exc:
                log("scenario %s FAILED: %s" % (name, exc))
                results["scenarios"][name] = {"title": name, "error": str(exc)[:4000], "comparisons": [], "goals": [],
                                              "sides": {}}
                failed.append(name)
            results["scenarios"][name]["duration_seconds"] = round(time.monotonic() - t0, 1)
    finally:
        bench.cleanup()
    results["duration_seconds"] = round(time.monotonic() - started, 1)
    results["machine"]["loadavg_at_end"] = list(os.getloadavg())

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(results, fh, indent=1, sort_keys=False)
        fh.write("\n")
    os.replace(tmp, args.out)
    print(render_text(results))
    print("\nresults: %s (%.0f s)" % (os.path.relpath(args.out, os.getcwd()), results["duration_seconds"]))
    if os.path.abspath(args.out) == DEFAULT_OUT and not (args.no_readme or args.only or args.cprofile):
        update_readme(results)
    if failed:
        print("FAILED scenarios: %s" % ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
