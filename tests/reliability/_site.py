"""What the destructive scenarios run: playbooks/site.yml when every role it names has landed
(is committed) and every module those roles call has too; until then a stand-in with the same play header
that runs the roles that are there and, for the layers that are not, the modules those roles
are built on with the sandbox's kind of input. ``site_playbook()`` says which one it used."""
import os
import re
import subprocess

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SITE = os.path.join(ROOT, "playbooks", "site.yml")
LAYERS = ("cluster", "vpc_cni", "iam_authenticator", "calico", "kube2iam")
TEAMS = ("payments", "search", "checkout", "ledger", "identity", "billing")
APP_NAMESPACES = ("payments", "search", "checkout")


def _modules_used(role):
    used = set()
    for dirpath, _dirs, files in os.walk(os.path.join(ROOT, "roles", role, "tasks")):
        for f in files:
            if f.endswith((".yml", ".yaml")):
                with open(os.path.join(dirpath, f)) as fh:
                    used |= set(re.findall(r"(?m)^\s*-?\s*hardened\.eks\.([a-z_0-9]+):\s*$", fh.read()))
    return used


def _committed(path):
    """Landed: in git, not a file someone is still writing."""
    return subprocess.call(["git", "ls-files", "--error-unmatch", path], cwd=ROOT, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL) == 0


def role_ready(role):
    if not _committed(os.path.join("roles", role, "tasks", "main.yml")):
        return False
    return all(_committed(os.path.join("plugins", "modules", "%s.py" % m)) for m in _modules_used(role))


def _standin_tasks(layer, account):
    if layer == "iam_authenticator":
        return [
            {"name": "IAM authenticator (stand-in): team roles and an auditor mapped in aws-auth",
             "tags": ["iam_authenticator"],
             "hardened.eks.aws_auth_mapping": {
                 "roles": [{"arn": "arn:aws:iam::%s:role/team-%s" % (account, t), "username": "team-%s" % t,
                            "groups": ["hardened-eks:viewers"]} for t in TEAMS],
                 "users": [{"arn": "arn:aws:iam::%s:user/auditor" % account, "username": "auditor",
                            "groups": ["hardened-eks:auditors"]}]}},
            {"name": "IAM authenticator (stand-in): read-only ClusterRole", "tags": ["iam_authenticator"],
             "kubernetes.core.k8s": {"definition": {
                 "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                 "metadata": {"name": "hardened-eks:viewer"},
                 "rules": [{"apiGroups": ["", "apps"], "resources": ["pods", "services", "deployments"],
                            "verbs": ["get", "list", "watch"]}]}}},
            {"name": "IAM authenticator (stand-in): bind it to the mapped groups", "tags": ["iam_authenticator"],
             "kubernetes.core.k8s": {"definition": {
                 "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                 "metadata": {"name": "hardened-eks:viewers"},
                 "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                             "name": "hardened-eks:viewer"},
                 "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": g}
                              for g in ("hardened-eks:viewers", "hardened-eks:auditors")]}}},
        ]
    if layer == "calico":
        policies = []
        for ns in APP_NAMESPACES:
            policies.append({"kind": "NetworkPolicy", "name": "default-deny", "namespace": ns,
                             "spec": {"order": 1000, "selector": "all()", "types": ["Ingress", "Egress"]}})
            policies.append({"kind": "NetworkPolicy", "name": "allow-dns", "namespace": ns, "spec": {
                "order": 100, "selector": "all()", "types": ["Egress"],
                "egress": [{"action": "Allow", "protocol": "UDP", "destination": {"ports": [53]}}]}})
            policies.append({"kind": "NetworkPolicy", "name": "deny-metadata", "namespace": ns, "spec": {
                "order": 90, "selector": "all()", "types": ["Egress"],
                "egress": [{"action": "Deny", "destination": {"nets": ["169.254.169.254/32"]}}]}})
        return [
            {"name": "Calico (stand-in): application namespaces", "tags": ["calico"],
             "kubernetes.core.k8s": {"definition": {"apiVersion": "v1", "kind": "Namespace",
                                                    "metadata": {"name": "{{ item }}"}}},
             "loop": list(APP_NAMESPACES)},
            {"name": "Calico (stand-in): baseline policy per application namespace", "tags": ["calico"],
             "hardened.eks.calico_policy": {"policies": policies}},
        ]
    return []


def site_playbook(path, account="123456789012"):
    """Write the playbook to run at ``path`` (or return site.yml). Returns (path, description)."""
    ready = [layer for layer in LAYERS if role_ready(layer)]
    if len(ready) == len(LAYERS):
        return SITE, "playbooks/site.yml"
    with open(SITE) as fh:
        play = yaml.safe_load(fh)[0]
    roles = [r for r in play.get("roles", []) if r.get("role", "").split(".")[-1] in ready]
    tasks = []
    for layer in LAYERS:
        if layer not in ready:
            tasks.extend(_standin_tasks(layer, account))
    play = dict(play, name="%s (reliability stand-in)" % play.get("name", "site"), roles=roles, tasks=tasks)
    with open(path, "w") as fh:
        yaml.safe_dump([play], fh, sort_keys=False)
    desc = "stand-in: roles %s + modules for %s" % (
        ", ".join(ready) or "none", ", ".join(layer for layer in LAYERS if layer not in ready))
    return path, desc
