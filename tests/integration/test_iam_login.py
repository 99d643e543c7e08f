"""IAM identities log in for real: after site.yml on inventories/sandbox, every grant's IAM
principal presents a token of `aws eks get-token`, the real aws-iam-authenticator (the API
server's token webhook, with EKS's DynamicFile and EKSConfigMap mappers) verifies it through the sandbox's STS and maps it
through the kube-system/aws-auth that the collection wrote, and the API server's RBAC then allows
or refuses real requests exactly as the group's level promises.

The expected usernames, groups and permissions below are written from the inventory's story
(inventories/sandbox/group_vars/eks_clusters/iam_authenticator.yml and the role's README table
of levels), not read back from what the role rendered."""
import os
import re
import subprocess
import sys
import time

import pytest
import yaml

from tests.integration.iam_tokens import Aws, Kube, kubectl_env, sandbox_script

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INVENTORY = os.path.join(ROOT, "inventories", "sandbox")
ACCOUNT = "123456789012"
NAMESPACES = ["payments", "storefront", "analytics"]
SESSION = "jane.doe@example.com"   # '@' shows {{SessionName}} (-> '-') against {{SessionNameRaw}}

# grant -> (principal, expected username, expected groups); roles carry {{SessionName}}.
GRANTS = {
    "platform-readers": ("role/platform-readers", "platform-reader:jane.doe-example.com", ["platform-readers"]),
    "payments-auditors": ("role/payments-auditors", "payments-auditor:jane.doe-example.com", ["payments-auditors"]),
    "ci-deployer": ("role/ci-deployer", "ci-deployer:jane.doe-example.com", ["app-deployers"]),
    "storefront-lead": ("user/alice", "alice", ["storefront-admins"]),
    "analytics-scheduler": ("role/analytics-scheduler", "analytics-scheduler:jane.doe-example.com",
                            ["analytics-jobs"]),
}


def _allowed_for(grant, action, ns):
    """What the inventory's story grants, per (action, namespace or None for cluster scope)."""
    level = {
        "platform-readers": ("read-only", None),            # cluster-wide
        "payments-auditors": ("read-only", ["payments"]),
        "ci-deployer": ("deployer", ["payments", "storefront"]),
        "storefront-lead": ("namespace-admin", ["storefront"]),
        "analytics-scheduler": ("analytics-jobs", ["analytics"]),
    }[grant]
    name, where = level
    if action == "list nodes":
        return name == "read-only" and where is None
    inside = where is None or ns in where
    if not inside:
        return False
    return {
        "read-only": {"list pods", "list configmaps"},
        "deployer": {"list pods", "list configmaps", "create configmap", "create deployment", "create job"},
        "namespace-admin": {"list pods", "list configmaps", "create configmap", "create deployment", "create job",
                            "list secrets", "pods/exec", "create rolebinding"},
        "analytics-jobs": {"list pods", "create job"},
    }[name].__contains__(action)


def _requests(ns):
    """The real request of each action (writes are server-side dry runs: authorized like real
    writes, stored nowhere)."""
    dry = "?dryRun=All"
    return {
        "list pods": ("GET", "/api/v1/namespaces/%s/pods" % ns, None),
        "list configmaps": ("GET", "/api/v1/namespaces/%s/configmaps" % ns, None),
        "list secrets": ("GET", "/api/v1/namespaces/%s/secrets" % ns, None),
        "create configmap": ("POST", "/api/v1/namespaces/%s/configmaps%s" % (ns, dry),
                             {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "login-matrix"}}),
        "create deployment": ("POST", "/apis/apps/v1/namespaces/%s/deployments%s" % (ns, dry), {
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "login-matrix"},
            "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {
                "metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "x:1"}]}}}}),
        "create job": ("POST", "/apis/batch/v1/namespaces/%s/jobs%s" % (ns, dry), {
            "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "login-matrix"},
            "spec": {"template": {"spec": {"restartPolicy": "Never",
                                           "containers": [{"name": "c", "image": "x:1"}]}}}}),
        # No such pod: an allowed exec is answered 404 after authorization, a refused one 403.
        "pods/exec": ("POST", "/api/v1/namespaces/%s/pods/login-matrix-none/exec?command=id&stdout=true" % ns, None),
        "create rolebinding": ("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/%s/rolebindings%s" % (ns, dry), {
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "login-matrix"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
            "subjects": [{"kind": "User", "name": "nobody", "apiGroup": "rbac.authorization.k8s.io"}]}),
    }


NS_ACTIONS = ["list pods", "list configmaps", "list secrets", "create configmap", "create deployment", "create job",
              "pods/exec", "create rolebinding"]


@pytest.fixture(scope="module")
def site(sandbox):
    """site.yml on the sandbox inventory (what `make demo` leaves), run once for this module."""
    env = dict(sandbox.env, ANSIBLE_NOCOLOR="1", ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
                           os.path.join(ROOT, "playbooks", "site.yml"), "-i", INVENTORY],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=ROOT, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout.decode()[-5000:]
    return True


@pytest.fixture(scope="module")
def aws(sandbox):
    return Aws(sandbox)


@pytest.fixture(scope="module")
def kube(sandbox):
    return Kube(sandbox)


@pytest.fixture(scope="module")
def identities(site, aws):
    """grant -> Identity: each role assumed with SESSION, alice's own access key."""
    out = {}
    for grant, (principal, _u, _g) in GRANTS.items():
        kind, name = principal.split("/")
        if kind == "role":
            out[grant] = aws.assume(aws.ensure_role(name), SESSION)
        else:
            out[grant] = aws.user_key(name)
    return out


def wait_for_status(kube, make_token, want, timeout=30):
    """Poll with fresh tokens until whoami answers ``want``; returns (seconds, userInfo)."""
    start = time.time()
    while True:
        status, info = kube.whoami(make_token())
        if status == want:
            return time.time() - start, info
        if time.time() - start > timeout:
            raise AssertionError("still %s after %ds (wanted %s)" % (status, timeout, want))
        time.sleep(0.2)


def test_every_grant_logs_in_with_the_username_and_groups_of_its_template(identities, kube):
    for grant, (principal, username, groups) in GRANTS.items():
        status, info = kube.whoami(identities[grant].token())
        assert status == 201, (grant, status, info)
        assert info["username"] == username, grant
        assert sorted(info["groups"]) == sorted(groups + ["system:authenticated"]), grant
        assert info["extra"]["canonicalArn"] == ["arn:aws:iam::%s:%s" % (ACCOUNT, principal)]


def _mark(cell):
    """Y allowed, - refused, ! not as promised."""
    return ("Y" if cell[3] else "-") if cell[3] == cell[4] else "!"


def test_rbac_matrix_of_real_requests(identities, kube, capsys):
    cells, wrong = [], []
    for grant in GRANTS:
        token = identities[grant].token(expires=900)
        for ns in NAMESPACES + ["kube-system"]:
            for action in NS_ACTIONS:
                method, path, body = _requests(ns)[action]
                status, answer = kube.request(token, method, path, body)
                assert status != 401, (grant, answer)
                got = status != 403
                want = _allowed_for(grant, action, ns)
                cells.append((grant, ns, action, got, want, status))
                if got != want:
                    wrong.append((grant, ns, action, status, answer.get("message")))
        status, _a = kube.request(token, "GET", "/api/v1/nodes")
        got, want = status != 403, _allowed_for(grant, "list nodes", None)
        cells.append((grant, "(cluster)", "list nodes", got, want, status))
        if got != want:
            wrong.append((grant, "(cluster)", "list nodes", status, ""))
    short = {"list pods": "pods", "list configmaps": "cms", "list secrets": "secrets", "create configmap": "+cm",
             "create deployment": "+deploy", "create job": "+job", "pods/exec": "exec", "create rolebinding": "+rb"}
    with capsys.disabled():
        print("\n[iam login] real requests with real tokens: Y allowed, - refused (403), ! not as the level promises")
        print("  %-20s %-12s %s  nodes" % ("grant", "namespace", " ".join("%-7s" % short[a] for a in NS_ACTIONS)))
        for grant in GRANTS:
            for ns in NAMESPACES + ["kube-system"]:
                row = [c for c in cells if c[0] == grant and c[1] == ns]
                nodes = [c for c in cells if c[0] == grant and c[2] == "list nodes"][0] if ns == NAMESPACES[0] else None
                print("  %-20s %-12s %s  %s" % (grant if ns == NAMESPACES[0] else "", ns,
                                                " ".join("%-7s" % _mark(c) for c in row), _mark(nodes) if nodes else ""))
    assert not wrong, wrong


def test_an_unmapped_identity_gets_401_and_a_token_for_another_cluster_too(identities, aws, kube):
    stranger = aws.assume(aws.ensure_role("not-in-aws-auth"), "mallory")
    assert kube.whoami(stranger.token())[0] == 401
    assert kube.whoami(identities["platform-readers"].token(cluster="prod"))[0] == 401
    assert kube.whoami(identities["platform-readers"].token())[0] == 201


def test_a_role_with_a_path_logs_in_through_the_entry_the_module_wrote_and_loses_access_when_removed(
        site, aws, kube, run_module, uid, capsys):
    arn = aws.ensure_role("it-%s" % uid, path="/team/ops/")
    assert ":role/team/ops/it-" in arn
    entry = {"arn": arn, "username": "it-{{SessionNameRaw}}-{{AccountID}}", "groups": ["login-it-%s" % uid]}
    result = run_module("aws_auth_mapping", {"roles": [entry], "state": "present"})
    assert result.get("changed") and not result.get("failed"), result
    ident = aws.assume(arn, SESSION)
    took, info = wait_for_status(kube, ident.token, 201)
    assert info["username"] == "it-%s-%s" % (SESSION, ACCOUNT)
    assert "login-it-%s" % uid in info["groups"]
    removed = run_module("aws_auth_mapping", {"roles": [{"arn": arn}], "state": "absent"})
    assert removed.get("changed") and not removed.get("failed"), removed
    took = wait_for_status(kube, ident.token, 401)[0]
    with capsys.disabled():
        print("\n[iam login] aws-auth entry removed -> new tokens refused after %.2f s "
              "(the authenticator's watch of aws-auth)" % took)
    assert took < 10


def test_the_node_role_entry_resolves_the_instances_private_dns_name(site, aws, kube):
    ec2 = aws.client("ec2")
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    subnet = ec2.describe_subnets(Filters=[{"Name": "tag:Name", "Values": ["hardened-eks-sandbox-private-*"]}])[
        "Subnets"][0]["SubnetId"]
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, SubnetId=subnet,
                                 InstanceType="m6i.large")["Instances"][0]
    try:
        # EC2 names an instance profile's session after the instance.
        node = aws.assume("arn:aws:iam::%s:role/hardened-eks-sandbox-node" % ACCOUNT, instance["InstanceId"])
        status, info = kube.whoami(node.token())
        assert status == 201, info
        assert info["username"] == "system:node:%s" % instance["PrivateDnsName"]
        assert instance["PrivateDnsName"].endswith(".internal")
        assert sorted(info["groups"]) == ["system:authenticated", "system:bootstrappers", "system:nodes"]
    finally:
        ec2.terminate_instances(InstanceIds=[instance["InstanceId"]])


def test_an_account_mapping_logs_in_any_principal_of_that_account(site, aws, kube, run_module):
    other = "210987654321"
    result = run_module("aws_auth_mapping", {"accounts": [other], "state": "present"})
    assert not result.get("failed"), result
    try:
        ident = aws.assume("arn:aws:iam::%s:role/partner-ops" % other, "ops")
        info = wait_for_status(kube, ident.token, 201)[1]
        assert info["username"] == "arn:aws:iam::%s:role/partner-ops" % other
        assert info["groups"] == ["system:authenticated"]
    finally:
        result = run_module("aws_auth_mapping", {"accounts": [other], "state": "absent"})
        assert not result.get("failed"), result
    wait_for_status(kube, ident.token, 401)


def test_the_kubeconfigs_the_role_wrote_work_through_aws_eks_get_token(sandbox, identities, kube):
    """Each grant's kubeconfig, as written, with the AWS CLI as its exec plugin and kubectl."""
    folder = os.path.join(sandbox.dir, "kubeconfigs", sandbox.env["HARDENED_EKS_CLUSTER_NAME"])
    files = sorted(f for f in os.listdir(folder) if f.endswith(".kubeconfig"))
    assert files == sorted("%s.kubeconfig" % g for g in GRANTS)
    for grant, (principal, username, groups) in GRANTS.items():
        path = os.path.join(folder, "%s.kubeconfig" % grant)
        with open(path) as fh:
            exec_ = yaml.safe_load(fh)["users"][0]["user"]["exec"]
        assert exec_["command"] == "aws" and "get-token" in exec_["args"]
        # Role grants: the CLI assumes the role itself (--role-arn, session EKSGetTokenAuth) with
        # the caller's keys; the user grant signs with alice's own key.
        who = identities[grant] if principal.startswith("user/") else None
        proc = subprocess.run([sys.executable, sandbox_script(sandbox), "run", "--", "kubectl", "--kubeconfig", path,
                               "auth", "whoami", "-o", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=kubectl_env(sandbox, who), timeout=120, check=False)
        assert proc.returncode == 0, (grant, proc.stderr.decode()[-2000:])
        info = yaml.safe_load(proc.stdout)["status"]["userInfo"]
        want = username.replace("jane.doe-example.com", "EKSGetTokenAuth")
        assert info["username"] == want and sorted(info["groups"]) == sorted(groups + ["system:authenticated"])
    # And what the level promises holds through kubectl too.
    path = os.path.join(folder, "payments-auditors.kubeconfig")
    for ns, ok in (("payments", True), ("storefront", False)):
        proc = subprocess.run([sys.executable, sandbox_script(sandbox), "run", "--", "kubectl", "--kubeconfig", path,
                               "-n", ns, "get", "pods"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=kubectl_env(sandbox), timeout=120, check=False)
        assert (proc.returncode == 0) is ok, proc.stderr.decode()[-1000:]
        if not ok:
            assert "forbidden" in proc.stderr.decode().lower()


def test_an_access_entry_logs_its_role_in_before_aws_auth_and_its_removal_falls_back_to_aws_auth(
        site, aws, kube, run_module, uid, capsys):
    """EKS hands access entries to the authenticator as its DynamicFile mapping, ahead of aws-auth.
    site.yml made the cluster in API_AND_CONFIG_MAP mode, so both mappers answer, the entry first."""
    cluster = {"cluster_name": "sandbox"}
    arn = aws.ensure_role("ae-%s" % uid)
    ident = aws.assume(arn, SESSION)
    mapping = {"arn": arn, "username": "cm-{{SessionName}}", "groups": ["from-aws-auth-%s" % uid]}
    mapped = run_module("aws_auth_mapping", {"roles": [mapping], "state": "present"})
    assert mapped.get("changed") and not mapped.get("failed"), mapped
    try:
        info = wait_for_status(kube, ident.token, 201)[1]
        assert info["groups"] == ["from-aws-auth-%s" % uid, "system:authenticated"], info
        entry = {"principal_arn": arn, "username": "ae:{{SessionName}}", "kubernetes_groups": ["from-entry-%s" % uid]}
        made = run_module("eks_access_entry", dict(cluster, entries=[entry]))
        assert made.get("changed") and not made.get("failed"), made
        start = time.time()
        while True:   # the file is re-read within about a second of the change
            status, info = kube.whoami(ident.token())
            if status == 201 and info["username"] == "ae:jane.doe-example.com":
                break
            assert time.time() - start < 15, (status, info)
            time.sleep(0.2)
        took = time.time() - start
        assert info["groups"] == ["from-entry-%s" % uid, "system:authenticated"], info
        assert info["extra"]["canonicalArn"] == [arn]
        gone = run_module("eks_access_entry", dict(cluster, entries=[dict(principal_arn=arn, state="absent")]))
        assert gone.get("changed") and not gone.get("failed"), gone
        start = time.time()
        while True:
            status, info = kube.whoami(ident.token())
            if status == 201 and info["username"] == "cm-jane.doe-example.com":
                break
            assert time.time() - start < 15, (status, info)
            time.sleep(0.2)
        with capsys.disabled():
            print("\n[iam login] access entry made -> its username and groups win over aws-auth after %.2f s; "
                  "removed -> aws-auth's mapping again after %.2f s" % (took, time.time() - start))
    finally:
        run_module("eks_access_entry", dict(cluster, entries=[dict(principal_arn=arn, state="absent")]))
        run_module("aws_auth_mapping", {"roles": [{"arn": arn}], "state": "absent"})
    wait_for_status(kube, ident.token, 401)


def test_the_cluster_admins_log_in_through_the_access_entries_site_made(site, aws, kube):
    """The entries site.yml made (cluster_admin_principals, not in aws-auth) authenticate through
    the DynamicFile mapper, with the username EKS derives for a role. Their admin permissions
    come from the access policy, which EKS's own authorizer enforces (not present in the sandbox):
    here they log in with no Kubernetes groups of their own."""
    eks = aws.client("eks")
    listed = eks.list_access_entries(clusterName="sandbox")["accessEntries"]
    deploy = "arn:aws:iam::%s:role/hardened-eks-deploy" % ACCOUNT
    assert deploy in listed, listed
    ident = aws.assume(aws.ensure_role("hardened-eks-deploy"), "pipeline")
    status, info = kube.whoami(ident.token())
    assert status == 201, info
    assert info["username"] == "arn:aws:sts::%s:assumed-role/hardened-eks-deploy/pipeline" % ACCOUNT
    assert info["groups"] == ["system:authenticated"]


def _layer(sandbox, mode, check=False):
    """site.yml's iam_authenticator layer on the sandbox inventory in ``mode``."""
    env = dict(sandbox.env, ANSIBLE_NOCOLOR="1", ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), os.path.join(ROOT, "playbooks", "site.yml"),
           "-i", INVENTORY, "--tags", "iam_authenticator", "-e", "iam_authenticator_access_mode=%s" % mode]
    proc = subprocess.run(cmd + (["--check"] if check else []), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          env=env, cwd=ROOT, timeout=900, check=False)
    out = proc.stdout.decode()
    assert proc.returncode == 0, out[-5000:]
    return out


def _aws_auth_arns(k8s):
    from kubernetes import client
    data = client.CoreV1Api(k8s).read_namespaced_config_map("aws-auth", "kube-system").data or {}
    maps = (yaml.safe_load(data.get("mapRoles") or "[]") or []) + (yaml.safe_load(data.get("mapUsers") or "[]") or [])
    return set((m.get("rolearn") or m.get("userarn")).lower() for m in maps)


def _logins(identities, kube, timeout=15):
    """Every grant logs in with its username and groups (waiting for the authenticator's reload)."""
    start = time.time()
    for grant, (_principal, username, groups) in GRANTS.items():
        while True:
            status, info = kube.whoami(identities[grant].token())
            if status == 201 and info["username"] == username and \
                    sorted(info["groups"]) == sorted(groups + ["system:authenticated"]):
                break
            assert time.time() - start < timeout, (grant, status, info)
            time.sleep(0.2)


def test_the_grants_move_to_access_entries_and_back_and_every_identity_keeps_logging_in(
        sandbox, site, aws, identities, kube, k8s):
    """iam_authenticator_access_mode: config_map (site.yml's) -> access_entries -> config_map.
    In access_entries mode aws-auth no longer holds the grants, so the logins that still work go
    through the access entries (the authenticator's DynamicFile mapper)."""
    principals = set("arn:aws:iam::%s:%s" % (ACCOUNT, p) for p, _u, _g in GRANTS.values())
    eks = aws.client("eks")
    try:
        plan = _layer(sandbox, "access_entries", check=True)
        assert "Access entries of the grants" in plan
        assert principals <= _aws_auth_arns(k8s)        # check mode wrote nothing
        _layer(sandbox, "access_entries")
        assert not principals & _aws_auth_arns(k8s)
        listed = set(eks.list_access_entries(clusterName="sandbox")["accessEntries"])
        assert principals <= listed
        ci = eks.describe_access_entry(clusterName="sandbox",
                                       principalArn="arn:aws:iam::%s:role/ci-deployer" % ACCOUNT)["accessEntry"]
        assert ci["kubernetesGroups"] == ["app-deployers"] and ci["username"] == "ci-deployer:{{SessionName}}"
        assert ci["tags"]["hardened.eks/layer"] == "iam_authenticator"
        _logins(identities, kube)
        again = _layer(sandbox, "access_entries")
        assert re.search(r"ok=\d+\s+changed=0\s", again), again[-1500:]
    finally:
        _layer(sandbox, "config_map")
    assert principals <= _aws_auth_arns(k8s)
    left = set(eks.list_access_entries(clusterName="sandbox")["accessEntries"])
    assert not principals & left
    assert "arn:aws:iam::%s:role/hardened-eks-deploy" % ACCOUNT in left   # the cluster role's admins stay
    _logins(identities, kube)


def _migrate(sandbox, *args, identity=None, check=False, expect_rc=0):
    """playbooks/migrate.yml on the sandbox inventory, as ``identity`` (default: the sandbox's keys)."""
    env = dict(kubectl_env(sandbox, identity), ANSIBLE_NOCOLOR="1", ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
           os.path.join(ROOT, "playbooks", "migrate.yml"), "-i", INVENTORY] + list(args)
    proc = subprocess.run(cmd + (["--check"] if check else []), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          env=env, cwd=ROOT, timeout=900, check=False)
    out = proc.stdout.decode()
    assert proc.returncode == expect_rc, out[-5000:]
    return out


def test_the_migrate_playbook_moves_aws_auth_to_access_entries_and_nobody_is_locked_out(
        sandbox, site, aws, identities, kube, k8s, run_module):
    """playbooks/migrate.yml on the sandbox cluster: --check writes nothing; the entries step makes
    an access entry per grant (same username and groups) and a re-run changes nothing; removing
    aws-auth is refused for an identity that is not a cluster admin and done for the deploy role;
    every grant then logs in through its access entry alone; API mode is refused while aws-auth
    maps a role of another account."""
    eks = aws.client("eks")
    principals = set("arn:aws:iam::%s:%s" % (ACCOUNT, p) for p, _u, _g in GRANTS.values())
    partner = {"arn": "arn:aws:iam::210987654321:role/partner-ops", "username": "partner", "groups": ["viewers"]}
    deploy = aws.assume(aws.ensure_role("hardened-eks-deploy"), "migration")
    try:
        before = set(eks.list_access_entries(clusterName="sandbox")["accessEntries"])
        plan = _migrate(sandbox, check=True)
        assert "role arn:aws:iam::%s:role/ci-deployer -> access entry" % ACCOUNT in plan
        assert set(eks.list_access_entries(clusterName="sandbox")["accessEntries"]) == before

        _migrate(sandbox)
        listed = set(eks.list_access_entries(clusterName="sandbox")["accessEntries"])
        assert principals <= listed
        ci = eks.describe_access_entry(clusterName="sandbox",
                                       principalArn="arn:aws:iam::%s:role/ci-deployer" % ACCOUNT)["accessEntry"]
        assert (ci["kubernetesGroups"], ci["username"]) == (["app-deployers"], "ci-deployer:{{SessionName}}")
        assert ci["tags"]["hardened.eks/layer"] == "migrate"
        again = _migrate(sandbox)
        assert re.search(r"ok=\d+\s+changed=0\s", again), again[-2000:]

        refused = _migrate(sandbox, "-e", "migrate_remove_aws_auth=true", expect_rc=2)
        assert "holds no AmazonEKSClusterAdminPolicy" in refused
        assert principals <= _aws_auth_arns(k8s)

        _migrate(sandbox, "-e", "migrate_remove_aws_auth=true", identity=deploy)
        left = _aws_auth_arns(k8s)
        assert not principals & left and "arn:aws:iam::%s:role/hardened-eks-sandbox-node" % ACCOUNT in left
        _logins(identities, kube)   # through the access entries alone

        mapped = run_module("aws_auth_mapping", {"roles": [partner], "state": "present"})
        assert mapped.get("changed"), mapped
        blocked = _migrate(sandbox, "-e", "migrate_api_mode=true", identity=deploy, expect_rc=2)
        assert "would lose access" in blocked and "arn:aws:iam::210987654321:role/partner-ops" in blocked
        mode = eks.describe_cluster(name="sandbox")["cluster"]["accessConfig"]["authenticationMode"]
        assert mode == "API_AND_CONFIG_MAP"
    finally:
        run_module("aws_auth_mapping", {"roles": [{"arn": partner["arn"]}], "state": "absent"})
        run_module("eks_access_entry", {"cluster_name": "sandbox",
                                        "entries": [{"principal_arn": p, "state": "absent"} for p in principals]})
        _layer(sandbox, "config_map")
    assert principals <= _aws_auth_arns(k8s)
    _logins(identities, kube)


def test_the_migrate_playbook_takes_a_config_map_cluster_to_api_mode(sandbox, site, aws, uid):
    """A cluster still in CONFIG_MAP mode, created by the migrator (an IAM user) with EKS's
    bootstrap of the creator, which CONFIG_MAP requires: the entries step raises the mode (EKS
    then makes the creator's admin entry) and maps every aws-auth entry; with nothing left without
    an entry, and the migrator an admin, API mode is set."""
    migrator = aws.user_key("migrator-%s" % uid)
    eks = aws.client("eks", key=migrator.key, secret=migrator.secret)
    ec2 = aws.client("ec2")
    name = "mig-%s" % uid
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(
        Filters=[{"Name": "tag:Name", "Values": ["hardened-eks-sandbox-private-*"]}])["Subnets"]][:2]
    eks.create_cluster(name=name, roleArn="arn:aws:iam::%s:role/hardened-eks-sandbox-node" % ACCOUNT,
                       resourcesVpcConfig={"subnetIds": subnets},
                       accessConfig={"authenticationMode": "CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": True})
    try:
        args = ("-e", "hardened_eks_cluster_name=%s" % name)
        plan = _migrate(sandbox, *args, identity=migrator, check=True)
        assert "role arn:aws:iam::%s:role/hardened-eks-sandbox-node -> access entry" % ACCOUNT in plan
        assert eks.describe_cluster(name=name)["cluster"]["accessConfig"]["authenticationMode"] == "CONFIG_MAP"
        _migrate(sandbox, *args, identity=migrator)
        assert eks.describe_cluster(name=name)["cluster"]["accessConfig"]["authenticationMode"] == "API_AND_CONFIG_MAP"
        listed = set(eks.list_access_entries(clusterName=name)["accessEntries"])
        node = eks.describe_access_entry(clusterName=name,
                                         principalArn="arn:aws:iam::%s:role/hardened-eks-sandbox-node" % ACCOUNT)
        assert node["accessEntry"]["type"] == "EC2_LINUX"
        assert set("arn:aws:iam::%s:%s" % (ACCOUNT, p) for p, _u, _g in GRANTS.values()) <= listed
        assert migrator.arn in listed   # EKS's bootstrap admin entry of the creator
        _migrate(sandbox, *args, "-e", "migrate_api_mode=true", identity=migrator)
        assert eks.describe_cluster(name=name)["cluster"]["accessConfig"]["authenticationMode"] == "API"
        again = _migrate(sandbox, *args, "-e", "migrate_api_mode=true", identity=migrator)
        assert re.search(r"ok=\d+\s+changed=0\s", again), again[-2000:]
    finally:
        eks.delete_cluster(name=name)
