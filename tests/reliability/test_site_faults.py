"""Scenarios 2, 5, 6 and 7 on an independent sandbox (its own etcd, kube-apiserver,
controller-manager and moto, under a temporary directory), so that stopping processes never
disturbs the shared sandbox.

The tests run in this order on the one sandbox (each says what it needs):
1. check mode against the FRESH sandbox writes nothing (audit log, moto request log);
2. moto is SIGKILLed while the cluster role runs: the run fails with a clear connection error,
   no traceback; ``scripts/sandbox up`` restarts everything (moto keeps no state, etcd does);
3. kube-apiserver is SIGKILLed as soon as the run touches aws-auth (or Calico): clear error, no
   traceback; after the restart aws-auth is exactly the old or the new version, never a mix;
4. the re-run converges (with -vvv --diff and a unique AWS secret), and its output contains
   neither the admin token nor the secret (scenario 6);
5. check mode against the CONVERGED sandbox writes nothing and predicts no change;
6. least privilege: a SubjectAccessReview sweep over every subject bound in the cluster and every
   aws-auth mapping; the trust of every pod role names only the node role or one service account.

What runs is playbooks/site.yml once its roles are all in the tree, else a stand-in (see _site.py)
- the test output says which.
"""
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid

import pytest
import yaml

from tests.integration.fixtures import AuditLog, AwsRequests, read_env_file
from tests.reliability._helpers import entry_sets, wait_for
from tests.reliability._site import ROOT, site_playbook

SANDBOX_SCRIPT = os.path.join(ROOT, "scripts", "sandbox")
INVENTORY = os.path.join(ROOT, "inventories", "sandbox")
CONTROLLER_AGENTS = ("kube-controller-manager/", "kube-apiserver/")
# Requests that persist nothing, excluded from "writes" (and counted apart):
NON_PERSISTING_RESOURCES = ("subjectaccessreviews", "selfsubjectaccessreviews", "localsubjectaccessreviews",
                            "tokenreviews", "selfsubjectrulesreviews")
TRACEBACK = "Traceback (most recent call last)"
FIGURES = {}


class Independent(object):
    """An independent sandbox under ``directory`` (scripts/sandbox with HARDENED_EKS_SANDBOX_DIR)."""

    def __init__(self, directory):
        self.dir = str(directory)
        self.audit = AuditLog(os.path.join(self.dir, "kube-audit.log"))
        self.aws = AwsRequests(os.path.join(self.dir, "moto-requests.log"))

    def _script(self, cmd, timeout=240):
        env = dict(os.environ, HARDENED_EKS_SANDBOX_DIR=self.dir)
        proc = subprocess.run([sys.executable, SANDBOX_SCRIPT, cmd], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=timeout, check=False)
        assert proc.returncode == 0, "scripts/sandbox %s failed:\n%s" % (cmd, proc.stdout.decode()[-3000:])
        return proc.stdout.decode()

    def up(self):
        t0 = time.time()
        out = self._script("up")
        FIGURES.setdefault("sandbox_up_s", []).append(round(time.time() - t0, 1))
        return out

    def down(self):
        return self._script("down")

    def env(self):
        return read_env_file(os.path.join(self.dir, "env"))

    def pid(self, name):
        with open(os.path.join(self.dir, "state.json")) as fh:
            return json.load(fh)["processes"][name]["pid"]

    def kill(self, name):
        pid = self.pid(name)
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: not _alive(pid), 10, what="%s (pid %d) to die" % (name, pid))
        return pid

    def token(self):
        with open(os.path.join(self.dir, "admin-token")) as fh:
            return fh.read().strip()

    def k8s(self):
        from kubernetes import client, config
        cfg = client.Configuration()
        config.load_kube_config(config_file=os.path.join(self.dir, "kubeconfig"), client_configuration=cfg)
        return client.ApiClient(cfg)

    def boto3(self, service):
        import boto3
        return boto3.client(service, endpoint_url=self.env()["AWS_ENDPOINT_URL"], region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    def aws_auth(self):
        from kubernetes import client
        return client.CoreV1Api(self.k8s()).read_namespaced_config_map("aws-auth", "kube-system").data

    def run_events(self, mark):
        """Audit events of the playbook run since ``mark`` (not controllers, not the API server)."""
        return [e for e in self.audit.events(since=mark)
                if not e.get("userAgent", "").startswith(CONTROLLER_AGENTS)
                and (e.get("user") or {}).get("username") != "system:apiserver"]


def _alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:  # a zombie is dead for our purpose
        with open("/proc/%d/stat" % pid) as fh:
            return fh.read().split()[2] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def indep(tmp_path_factory):
    sb = Independent(tmp_path_factory.mktemp("indep-sandbox"))
    sb.up()
    yield sb
    sb.down()


@pytest.fixture(scope="module")
def playbook(tmp_path_factory):
    path, desc = site_playbook(str(tmp_path_factory.mktemp("site") / "site.yml"))
    print("\n[reliability] destructive scenarios run %s" % desc)
    FIGURES["playbook"] = desc
    return path


def start_playbook(indep, playbook, out_path, check=False, args=(), env=None):
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), playbook, "-i", INVENTORY]
    if check:
        cmd.append("--check")
    cmd += list(args)
    run_env = indep.env()
    run_env.update({"ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0",
                    "ANSIBLE_PYTHON_INTERPRETER": sys.executable})
    run_env.update(env or {})
    fh = open(out_path, "wb")
    proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=run_env, cwd=ROOT)
    proc.out_path = out_path
    proc.out_fh = fh
    return proc


def finish(proc, timeout=600):
    rc = proc.wait(timeout=timeout)
    proc.out_fh.close()
    with open(proc.out_path, encoding="utf-8", errors="replace") as fh:
        return rc, fh.read()


def run_playbook_sync(indep, playbook, tmp_path, check=False, args=(), env=None, timeout=600):
    t0 = time.time()
    proc = start_playbook(indep, playbook, str(tmp_path / ("run-%s.log" % uuid.uuid4().hex[:6])), check, args, env)
    rc, out = finish(proc, timeout)
    return rc, out, time.time() - t0


def recap(out):
    m = re.search(r"ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", out)
    return dict(zip(("ok", "changed", "unreachable", "failed"), map(int, m.groups()))) if m else None


def failed_task_message(out):
    """The FAILED lines of a run (what the user sees)."""
    return "\n".join(line for line in out.splitlines() if line.startswith(("fatal:", "failed:")))[:3000]


def _check_mode_audit(indep, playbook, tmp_path, label):
    k_mark, a_mark = indep.audit.mark(), indep.aws.mark()
    rc, out, secs = run_playbook_sync(indep, playbook, tmp_path, check=True)
    events = indep.run_events(k_mark)
    writes = [e for e in events if e["verb"] in AuditLog.WRITE_VERBS]
    dry = [e for e in writes if "dryRun=All" in e.get("requestURI", "")]
    reviews = [e for e in writes if (e.get("objectRef") or {}).get("resource") in NON_PERSISTING_RESOURCES]
    real = [e for e in writes if e not in dry and e not in reviews]
    aws_calls = indep.aws.since(a_mark)
    aws_mutating = indep.aws.mutating(a_mark)
    figures = {"rc": rc, "seconds": round(secs, 1), "k8s_requests": len(events),
               "k8s_reads": len([e for e in events if e["verb"] in ("get", "list", "watch")]),
               "k8s_dry_run_writes": len(dry), "k8s_access_reviews": len(reviews), "k8s_writes": len(real),
               "aws_calls": len(aws_calls), "aws_mutating": len(aws_mutating), "recap": recap(out)}
    FIGURES["check_mode_%s" % label] = figures
    print("\n[reliability] check mode on the %s sandbox: %s" % (label, figures))
    return {"rc": rc, "out": out, "writes": ["%s %s" % (e["verb"], e["requestURI"]) for e in real],
            "aws_mutating": [r["action"] for r in aws_mutating]}


def _assert_wrote_nothing(run):
    # the writes are reported first: they matter more than whether the run got through
    assert run["writes"] == [], "check mode wrote: %s" % run["writes"]
    assert run["aws_mutating"] == [], "check mode made mutating AWS calls: %s" % run["aws_mutating"]


# The stages of the scenario build on each other (a fresh sandbox, then faults, then the
# converging re-run, then check mode on the converged sandbox). Each is a module fixture that
# asks for the stage before it, so any test, run alone or in any order, gets the sandbox in the
# state its stage describes; the tests only judge what their stage recorded.
@pytest.fixture(scope="module")
def fresh_check(indep, playbook, tmp_path_factory):
    return _check_mode_audit(indep, playbook, tmp_path_factory.mktemp("fresh-check"), "fresh")


# ------------------------------------------------------------------------------------ 1. check
@pytest.mark.timeout(600)
def test_1_check_mode_on_a_fresh_sandbox_writes_nothing(fresh_check):
    _assert_wrote_nothing(fresh_check)
    if TRACEBACK in fresh_check["out"]:
        pytest.fail("traceback in the check-mode run")
    assert fresh_check["rc"] == 0, "check mode fails on a fresh account:\n%s" % failed_task_message(fresh_check["out"])


# ------------------------------------------------------------------------- 2. moto stopped
@pytest.fixture(scope="module")
def moto_kill(fresh_check, indep, playbook, tmp_path_factory):
    a_mark = indep.aws.mark()
    proc = start_playbook(indep, playbook, str(tmp_path_factory.mktemp("moto-kill") / "moto-kill.log"))
    killed_after = None
    try:
        first = wait_for(lambda: indep.aws.mutating(a_mark), 240, interval=0.05,
                         what="the first mutating AWS call of the run")
        indep.kill("moto")
        killed_after = first[0]["action"]
    finally:
        rc, out = finish(proc)
        indep.up()  # moto comes back empty (it keeps no state); the Kubernetes data is kept
    FIGURES["moto_killed_after"] = killed_after
    print("\n[reliability] moto SIGKILLed after %s; the run ended rc=%d:\n%s"
          % (killed_after, rc, failed_task_message(out)[:800]))
    return {"rc": rc, "out": out}


@pytest.mark.timeout(300)
def test_2_moto_stopped_during_the_cluster_role_fails_clearly(moto_kill):
    rc, out = moto_kill["rc"], moto_kill["out"]
    assert rc != 0
    assert TRACEBACK not in out and "MODULE FAILURE" not in out, out[-4000:]
    assert re.search(r"Could not connect to the endpoint URL|Connection refused|connect", failed_task_message(out)), \
        failed_task_message(out)


# --------------------------------------------------------------------- 3. API server stopped
# The run's Kubernetes traffic goes through the fault proxy (HTTPS with the sandbox's own server
# certificate; its kubeconfig in K8S_AUTH_KUBECONFIG, which the sandbox inventory reads), so the
# SIGKILL lands at an exact point: between aws_auth_mapping's read of aws-auth and its write
# (3a), and in the middle of the Calico batch, after two of its writes (3b). These two runs are
# `site.yml --tags iam_authenticator` and `--tags calico` (the layers are independent of the
# ones before them): the full run is what test 2 (moto killed in the cluster role), test 4
# (converge) and test 5 (check mode) run, and time is the directory's budget.
class KillPoint(object):
    def __init__(self, indep, matches):
        self.indep, self.matches, self.seen, self.fired = indep, matches, 0, None

    def __call__(self, method, path):
        if self.fired is None and self.matches(method, path):
            self.seen += 1
            if self.seen == self.matches.after + 1:
                self.indep.kill("kube-apiserver")
                self.fired = "%s %s" % (method, path)


def _through_proxy(indep, tmp_path):
    from tests.reliability.k8s_fault_proxy import FaultProxy
    with open(os.path.join(indep.dir, "kubeconfig")) as fh:
        server = yaml.safe_load(fh)["clusters"][0]["cluster"]["server"]
    pki = os.path.join(indep.dir, "pki")
    proxy = FaultProxy(server, os.path.join(pki, "ca.crt"),
                       tls=(os.path.join(pki, "server.crt"), os.path.join(pki, "server.key"))).start()
    path = tmp_path / "proxy-kubeconfig"
    path.write_text(json.dumps(proxy.kubeconfig(indep.token())))
    return proxy, {"K8S_AUTH_KUBECONFIG": str(path), "KUBECONFIG": str(path)}


def _kill_run(indep, playbook, tmp_path, matches, label, tags):
    proxy, env = _through_proxy(indep, tmp_path)
    killer = KillPoint(indep, matches)
    proxy.before_forward = killer
    try:
        rc, out, secs = run_playbook_sync(indep, playbook, tmp_path, env=env, args=("--tags", tags))
    finally:
        proxy.stop()
    FIGURES["apiserver_killed_%s" % label] = {"at": killer.fired, "rc": rc, "seconds": round(secs, 1),
                                              "error": failed_task_message(out)[:600]}
    print("\n[reliability] kube-apiserver SIGKILLed at %s; the run ended rc=%d:\n%s"
          % (killer.fired, rc, failed_task_message(out)[:800]))
    indep.up()  # whatever happened, the later stages get their API server back
    return {"fired": killer.fired, "rc": rc, "out": out}


def _assert_failed_clearly(run):
    out = run["out"]
    assert run["fired"], "the run never reached the kill point"
    assert run["rc"] != 0
    assert TRACEBACK not in out and "MODULE FAILURE" not in out, out[-4000:]
    assert re.search(r"cannot reach the Kubernetes API server", failed_task_message(out)), failed_task_message(out)


def _aws_auth_write(method, path):
    # aws-auth exists (EKS seeds it): aws_auth_mapping's write is a JSON patch of the ConfigMap
    return method in ("PUT", "PATCH") and path.split("?")[0].endswith("/namespaces/kube-system/configmaps/aws-auth")


_aws_auth_write.after = 0


def _calico_write(method, path):
    return method in ("PUT", "POST", "DELETE") and "/apis/crd.projectcalico.org/" in path and "dryRun" not in path


_calico_write.after = 2


@pytest.fixture(scope="module")
def aws_auth_kill(moto_kill, indep, playbook, tmp_path_factory):
    old = indep.aws_auth()
    run = _kill_run(indep, playbook, tmp_path_factory.mktemp("aws-auth-kill"), _aws_auth_write, "aws_auth",
                    "iam_authenticator")
    return dict(run, old=old, mid=indep.aws_auth())


@pytest.mark.timeout(400)
def test_3a_api_server_stopped_between_the_read_and_the_write_of_aws_auth(aws_auth_kill):
    _assert_failed_clearly(aws_auth_kill)
    assert aws_auth_kill["mid"] == aws_auth_kill["old"], "aws-auth changed although its write never reached the API server"


def _calico_objects(indep):
    from kubernetes import client
    custom = client.CustomObjectsApi(indep.k8s())
    out = {}
    for plural in ("networkpolicies", "globalnetworkpolicies", "networksets", "globalnetworksets", "tiers"):
        for o in custom.list_cluster_custom_object("crd.projectcalico.org", "v1", plural)["items"]:
            md = o["metadata"]
            out[(plural, md.get("namespace"), md["name"])] = {"labels": md.get("labels"), "spec": o.get("spec")}
    return out


@pytest.fixture(scope="module")
def calico_kill(aws_auth_kill, indep, playbook, tmp_path_factory):
    before = _calico_objects(indep)
    run = _kill_run(indep, playbook, tmp_path_factory.mktemp("calico-kill"), _calico_write, "calico", "calico")
    return dict(run, before=before, mid=_calico_objects(indep))


@pytest.mark.timeout(400)
def test_3b_api_server_stopped_in_the_middle_of_the_calico_batch(calico_kill):
    _assert_failed_clearly(calico_kill)


# ------------------------------------------------------------------------- 4. converges (+6.)
@pytest.fixture(scope="module")
def converged(calico_kill, indep, playbook, tmp_path_factory):
    """The re-run after the faults, with -vvv --diff and an AWS secret unique to it."""
    secret = "hardened-eks-test-secret-%s" % uuid.uuid4().hex
    token = indep.token()
    rc, out, secs = run_playbook_sync(indep, playbook, tmp_path_factory.mktemp("converge"), args=("-vvv", "--diff"),
                                      env={"AWS_SECRET_ACCESS_KEY": secret})
    FIGURES["converge_run_s"] = round(secs, 1)
    return {"rc": rc, "out": out, "token": token, "secret": secret,
            "aws_auth": entry_sets(indep.aws_auth()), "calico": _calico_objects(indep)}


@pytest.mark.timeout(600)
def test_4_rerun_converges(converged, aws_auth_kill, calico_kill):
    out = converged["out"]
    assert converged["rc"] == 0, failed_task_message(out) or out[-3000:]
    assert len(out) > 10000  # -vvv: module arguments and results are in there

    # scenario 3: what each kill left is exactly the old or the new version, never a mix
    new, old, mid = converged["aws_auth"], entry_sets(aws_auth_kill["old"]), entry_sets(aws_auth_kill["mid"])
    assert mid in (old, new), "aws-auth after the kill is a mix: %s" % mid
    assert old != new, "the run changes aws-auth, so the kill point mattered"
    FIGURES["aws_auth_after_kill"] = "old" if mid == old else "new"
    before, mid, after = calico_kill["before"], calico_kill["mid"], converged["calico"]
    for key, obj in mid.items():
        assert obj in (before.get(key), after.get(key)), "Calico object %s half-written: %s" % (key, obj)
    written = [k for k in after if mid.get(k) == after[k] and before.get(k) != after[k]]
    missing = [k for k in after if mid.get(k) != after[k]]
    FIGURES["calico_after_kill"] = {"objects_written_before_kill": len(written),
                                    "objects_written_by_rerun": len(missing)}


# ------------------------------------------------------------------------------- 6. secrets
def _leak_context(out, value):
    i = out.find(value)
    task = out.rfind("TASK [", 0, i)
    return out[task:out.find("\n", task)] if task >= 0 else "?"


@pytest.mark.timeout(60)
def test_6_verbose_run_leaks_no_secret(converged):
    """The -vvv --diff converge run (AWS_SECRET_ACCESS_KEY unique to it)."""
    out, token, secret = converged["out"], converged["token"], converged["secret"]
    assert len(out) > 10000 and token and secret
    FIGURES["secrets_grep"] = {"bytes_searched": len(out), "token_hits": out.count(token),
                               "secret_hits": out.count(secret)}
    print("\n[reliability] secrets grep of the -vvv --diff site run: %s" % FIGURES["secrets_grep"])
    assert token not in out, "the Kubernetes admin token appears in the -vvv output, in %s" % _leak_context(out, token)
    assert secret not in out, "the AWS secret key appears in the -vvv output, in %s" % _leak_context(out, secret)


# ------------------------------------------------------------------- 5. check mode, converged
@pytest.fixture(scope="module")
def converged_check(converged, indep, playbook, tmp_path_factory):
    return _check_mode_audit(indep, playbook, tmp_path_factory.mktemp("converged-check"), "converged")


@pytest.mark.timeout(600)
def test_5_check_mode_on_the_converged_sandbox_writes_nothing_and_predicts_no_change(converged_check):
    _assert_wrote_nothing(converged_check)
    out = converged_check["out"]
    assert converged_check["rc"] == 0, failed_task_message(out)
    assert recap(out)["changed"] == 0, [line for line in out.splitlines() if line.startswith("changed:")]


# ----------------------------------------------------------------------- 7. least privilege
SENSITIVE = [
    ("get", "", "secrets"), ("list", "", "secrets"), ("watch", "", "secrets"),
    ("bind", "rbac.authorization.k8s.io", "clusterroles"), ("bind", "rbac.authorization.k8s.io", "roles"),
    ("escalate", "rbac.authorization.k8s.io", "clusterroles"), ("escalate", "rbac.authorization.k8s.io", "roles"),
    ("create", "rbac.authorization.k8s.io", "clusterrolebindings"),
    ("create", "rbac.authorization.k8s.io", "rolebindings"),
    ("impersonate", "", "users"), ("impersonate", "", "groups"), ("impersonate", "", "serviceaccounts"),
]
# Who may do these things, and where:
# - identities Kubernetes itself binds (bootstrap RBAC, label kubernetes.io/bootstrapping=rbac-defaults,
#   names system:*; service accounts of kube-system bound only by those bindings): everywhere;
# - the identities the sandbox inventory grants a level that includes them (iam_authenticator_groups:
#   namespace-admin in its namespaces, cluster-admin everywhere) and the aws-auth grants that carry
#   those groups: there, and nowhere else;
# - everybody else: nowhere.
POWERFUL_LEVELS = {"namespace-admin": "namespaced", "cluster-admin": "everywhere"}
EVERYWHERE = "*"


def _inventory_powers():
    """{group: set of namespaces or {"*"}} and {(arn, username): set} from the sandbox inventory."""
    groups, grants = {}, {}
    path = os.path.join(INVENTORY, "group_vars", "eks_clusters", "iam_authenticator.yml")
    if not os.path.exists(path):
        return groups, grants
    with open(path) as fh:
        inv = yaml.safe_load(fh) or {}
    for g in inv.get("iam_authenticator_groups") or []:
        kind = POWERFUL_LEVELS.get(g.get("level"))
        if kind == "everywhere":
            groups[g["name"]] = {EVERYWHERE}
        elif kind == "namespaced":
            groups[g["name"]] = set(g.get("namespaces") or [])
    for grant in inv.get("iam_authenticator_grants") or []:
        where = set()
        for group in grant.get("groups") or []:
            where |= groups.get(group, set())
        if "system:masters" in (grant.get("groups") or []):
            where = {EVERYWHERE}
        grants[grant["arn"]] = where
    return groups, grants


def _subjects(indep):
    from kubernetes import client
    rbac = client.RbacAuthorizationV1Api(indep.k8s())
    subjects = {}
    for b in rbac.list_cluster_role_binding().items + rbac.list_role_binding_for_all_namespaces().items:
        builtin = (b.metadata.labels or {}).get("kubernetes.io/bootstrapping") == "rbac-defaults"
        for s in b.subjects or []:
            key = (s.kind, s.name, s.namespace or "")
            subjects.setdefault(key, set()).add(("builtin" if builtin else "bound", b.metadata.name))
    return subjects


def _aws_auth_identities(indep):
    """(arn, username, groups) of every mapping; templates resolved the way the authenticator would
    for some session, so the review sees the same user and groups a real session would get."""
    out = []
    data = indep.aws_auth() or {}
    for key in ("mapRoles", "mapUsers"):
        for item in yaml.safe_load(data.get(key) or "[]") or []:
            user = re.sub(r"\{\{[^}]*\}\}", "x", item.get("username") or "")
            groups = [re.sub(r"\{\{[^}]*\}\}", "x", g) for g in item.get("groups") or []]
            out.append((item.get("rolearn") or item.get("userarn"), user, groups))
    return out


def _review(authz, user=None, groups=None, sa=None, verb="get", group="", resource="secrets", namespace=None):
    from kubernetes import client
    if sa:
        user = "system:serviceaccount:%s:%s" % sa
        groups = ["system:serviceaccounts", "system:serviceaccounts:%s" % sa[0]]
    groups = list(groups or [])
    if "system:authenticated" not in groups:
        groups.append("system:authenticated")
    body = client.V1SubjectAccessReview(spec=client.V1SubjectAccessReviewSpec(
        user=user, groups=groups, resource_attributes=client.V1ResourceAttributes(
            verb=verb, group=group, resource=resource, namespace=namespace)))
    return authz.create_subject_access_review(body).status.allowed


@pytest.mark.timeout(300)
def test_7_least_privilege_by_default(converged, indep):
    from kubernetes import client
    authz = client.AuthorizationV1Api(indep.k8s())
    core = client.CoreV1Api(indep.k8s())
    namespaces = [n.metadata.name for n in core.list_namespace().items]
    subjects = _subjects(indep)
    group_powers, grant_powers = _inventory_powers()
    offenders, reviews = [], [0]

    def sweep(label, allowed, **who):
        """``allowed``: namespaces where the subject may do these things ({"*"}: everywhere)."""
        if EVERYWHERE in allowed:
            return
        for verb, group, resource in SENSITIVE:
            for ns in [None] + namespaces:
                if ns in allowed:
                    continue
                reviews[0] += 1
                if _review(authz, verb=verb, group=group, resource=resource, namespace=ns, **who):
                    offenders.append("%s can %s %s%s%s" % (label, verb, group + "/" if group else "", resource,
                                                           " in " + ns if ns else " cluster-wide"))
                    break  # one finding per (subject, permission) is enough

    for (kind, name, ns), bindings in sorted(subjects.items()):
        builtin_only = all(k == "builtin" for k, _b in bindings)
        label = "%s %s%s (bound by %s)" % (kind, ns + "/" if ns else "", name, sorted(b for _k, b in bindings))
        if kind == "ServiceAccount":
            allowed = {EVERYWHERE} if builtin_only and ns == "kube-system" else set()
            sweep(label, allowed, sa=(ns, name))
        elif kind == "User":
            allowed = {EVERYWHERE} if builtin_only and name.startswith("system:") else set()
            sweep(label, allowed, user=name, groups=[])
        else:
            allowed = {EVERYWHERE} if (builtin_only and name.startswith("system:")) or name == "system:masters" \
                else group_powers.get(name, set())
            sweep(label, allowed, user="probe-%s" % uuid.uuid4().hex[:6], groups=[name])
    mappings = _aws_auth_identities(indep)
    for arn, user, groups in mappings:
        allowed = set(grant_powers.get(arn, set()))
        if any(g.startswith("system:node") or g == "system:bootstrappers" for g in groups):
            allowed = {EVERYWHERE}  # the node role: the Node authorizer limits it, not RBAC
        sweep("aws-auth %s (user %s, groups %s)" % (arn, user, groups), allowed, user=user, groups=groups)

    FIGURES["least_privilege"] = {"subjects": len(subjects), "aws_auth_mappings": len(mappings),
                                  "inventory_powers": {k: sorted(v) for k, v in grant_powers.items() if v},
                                  "reviews": reviews[0], "offenders": len(offenders)}
    print("\n[reliability] least privilege sweep: %s" % FIGURES["least_privilege"])
    assert offenders == [], "\n".join(offenders)


NODE_ROLE_NAME = "hardened-eks-sandbox-node"


def _statements(doc):
    st = doc.get("Statement") or []
    return st if isinstance(st, list) else [st]


def _as_list(v):
    return v if isinstance(v, list) else [v]


@pytest.mark.timeout(120)
def test_7_pod_role_trust_names_only_the_node_role_or_one_service_account(converged, indep):
    iam = indep.boto3("iam")
    node_arn = iam.get_role(RoleName=NODE_ROLE_NAME)["Role"]["Arn"]
    problems, checked = [], []
    for page in iam.get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            doc = role["AssumeRolePolicyDocument"]
            if isinstance(doc, str):
                from urllib.parse import unquote
                doc = json.loads(unquote(doc))
            statements = _statements(doc)
            principals = [s.get("Principal") or {} for s in statements]
            pod_role = any(p == "*" or p.get("AWS") or p.get("Federated")
                           or "pods.eks.amazonaws.com" in _as_list(p.get("Service", [])) for p in principals)
            if not pod_role:
                continue  # the cluster and node roles themselves (service principals only)
            for s, principal in zip(statements, principals):
                if principal == "*" or "*" in _as_list(principal.get("AWS", [])):
                    problems.append("%s: anyone may assume it" % role["RoleName"])
                    continue
                for aws_principal in _as_list(principal.get("AWS", [])):
                    if aws_principal != node_arn:
                        problems.append("%s: trusts %s, not only the node role" % (role["RoleName"], aws_principal))
                other_services = set(_as_list(principal.get("Service", []))) - {"pods.eks.amazonaws.com"}
                if other_services:
                    problems.append("%s: a pod role that also trusts %s" % (role["RoleName"], sorted(other_services)))
                if principal.get("Federated"):
                    cond = s.get("Condition") or {}
                    eq = cond.get("StringEquals") or {}
                    subs = [v for k, v in eq.items() if k.endswith(":sub")]
                    auds = [v for k, v in eq.items() if k.endswith(":aud")]
                    if "StringLike" in cond or len(subs) != 1 or not re.match(
                            r"^system:serviceaccount:[a-z0-9-]+:[a-z0-9.-]+$", str(subs[0])):
                        problems.append("%s: web identity trust is not pinned to one service account: %s"
                                        % (role["RoleName"], cond))
                    if auds != ["sts.amazonaws.com"]:
                        problems.append("%s: audience is not sts.amazonaws.com: %s" % (role["RoleName"], auds))
            if pod_role:
                checked.append(role["RoleName"])
    FIGURES["pod_roles_checked"] = checked
    print("\n[reliability] pod role trust checked: %s" % checked)
    assert problems == [], "\n".join(problems)


def test_zz_figures(converged_check):
    print("\n[reliability] destructive scenario figures: %s" % json.dumps(FIGURES, default=str))
