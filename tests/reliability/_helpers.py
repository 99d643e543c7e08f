"""Small helpers shared by the reliability scenarios (no fixtures here)."""
import json
import os
import subprocess
import sys
import time

import yaml

ACC = "123456789012"
NODE = "arn:aws:iam::%s:role/hardened-eks-sandbox-node" % ACC
NODE_TEXT = """- rolearn: %s
  username: system:node:{{EC2PrivateDNSName}}
  groups:
    - system:bootstrappers
    - system:nodes
""" % NODE
HERE = os.path.dirname(os.path.abspath(__file__))


def arn(name, kind="role"):
    return "arn:aws:iam::%s:%s/%s" % (ACC, kind, name)


def entry_sets(data):
    """{key: set of ARNs / account ids} of an aws-auth ConfigMap's data (authenticator view)."""
    data = data or {}
    out = {}
    for key, field in (("mapRoles", "rolearn"), ("mapUsers", "userarn")):
        items = yaml.safe_load(data.get(key) or "[]") or []
        out[key] = set(i[field] for i in items)
    out["mapAccounts"] = set(str(a) for a in (yaml.safe_load(data.get("mapAccounts") or "[]") or []))
    return out


def percentile(values, q):
    values = sorted(values)
    if not values:
        return 0.0
    k = min(len(values) - 1, max(0, int(round(q * (len(values) - 1)))))
    return values[k]


def start_rewriter(kubeconfig, target, stop_file, out_file, interval=0.0):
    """A separate process that keeps rewriting one field of an object (see _rewriter.py for
    ``target``) until ``stop_file`` exists; it writes the last value the API server accepted and
    the number of writes to ``out_file``."""
    cmd = [sys.executable, os.path.join(HERE, "_rewriter.py"), kubeconfig, json.dumps(target), stop_file,
           out_file, str(interval)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def stop_rewriter(proc, stop_file, out_file, timeout=30):
    with open(stop_file, "w") as fh:
        fh.write("stop")
    proc.wait(timeout=timeout)
    err = proc.stderr.read().decode("utf-8", "replace")
    assert proc.returncode == 0, "rewriter failed: %s" % err[-2000:]
    with open(out_file) as fh:
        return json.load(fh)


def wait_for(check, timeout, interval=0.05, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out after %ss waiting for %s" % (timeout, what))


def module_message(result):
    return "%s" % (result.get("msg") or "")
