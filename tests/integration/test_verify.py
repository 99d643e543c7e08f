"""playbooks/verify.yml against the sandbox: every check passes on a hardened state, each broken
thing makes its own check fail with a useful message, and the audit writes nothing (API server
audit log: no create/update/patch/delete except on subjectaccessreviews, which persist nothing;
moto request log: no mutating call).

The good state is built here with the project's modules and the Kubernetes client (its own EKS
cluster in moto, node role, IMDSv2 launch template and node group, pod roles, aws-auth entries,
a kube2iam DaemonSet in a namespace of its own, the Calico baseline written through the CRDs),
so the test does not depend on the roles. The sandbox is shared with other tests, so these runs
scope the namespaced reads (pods, service accounts, namespaced policies) to this test's
namespaces with verify_namespaces; aws-auth, RBAC, global policies and AWS are read whole, and
the table is printed on failure so a leftover of another test is easy to tell from a bug here. When every role of
site.yml exists, test_site_then_verify also runs site.yml and verify.yml on the sandbox
inventory.
"""
import json
import os
import re
import time
import uuid

import pytest

from tests.integration.iam_actions import iam_action

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAYBOOK = os.path.join(ROOT, "playbooks", "verify.yml")
CLUSTER_ADMIN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
ACCOUNT = "123456789012"
WORKER = "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"
ECR = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
CALICO = ("crd.projectcalico.org", "v1")
USER_AGENT = "hardened.eks/eks_security_audit"
ALL_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

DENY_ALL = {"selector": "all()", "types": ["Ingress", "Egress"]}
ALLOW_DNS = {"order": 100, "selector": "all()", "types": ["Egress"], "egress": [
    {"action": "Allow", "protocol": "UDP", "destination": {
        "selector": "k8s-app == 'kube-dns'", "namespaceSelector": "projectcalico.org/name == 'kube-system'",
        "ports": [53]}},
    {"action": "Allow", "protocol": "TCP", "destination": {
        "selector": "k8s-app == 'kube-dns'", "namespaceSelector": "projectcalico.org/name == 'kube-system'",
        "ports": [53]}}]}
DENY_METADATA = {"order": 10, "selector": "all()", "types": ["Egress"], "egress": [
    {"action": "Deny", "protocol": "TCP", "destination": {"nets": ["169.254.169.254/32"]}},
    {"action": "Deny", "destination": {"nets": ["169.254.169.254/32"]}}]}
KUBE2IAM_ARGS = ["--host-interface=eni+", "--iptables=true", "--host-ip=$(HOST_IP)", "--namespace-restrictions",
                 "--auto-discover-base-arn", "--use-regional-sts-endpoint", "--app-port=8181"]


def trust(principal):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]})


class State(object):
    """Names of everything the good state is made of."""

    def __init__(self, u):
        self.u = u
        self.cluster = "verify-%s" % u
        self.node_role = "verify-%s-node" % u
        self.node_role_arn = "arn:aws:iam::%s:role/%s" % (ACCOUNT, self.node_role)
        self.app_role = "verify-%s-app" % u
        self.other_role = "verify-%s-other" % u
        self.irsa_role = "verify-%s-irsa" % u
        self.dev_role_arn = "arn:aws:iam::%s:role/verify-%s-dev" % (ACCOUNT, u)
        self.admin_role_arn = "arn:aws:iam::%s:role/verify-%s-admin" % (ACCOUNT, u)
        self.deploy_role_arn = "arn:aws:iam::%s:role/verify-%s-deploy" % (ACCOUNT, u)
        self.devs = "verify-%s-devs" % u
        self.app_ns = "verify-%s-app" % u
        self.other_ns = "verify-%s-other" % u
        self.sys_ns = "verify-%s-sys" % u
        self.launch_template = "verify-%s-nodes" % u


def _k8s_apis(k8s):
    from kubernetes import client
    return client.CoreV1Api(k8s), client.AppsV1Api(k8s), client.CustomObjectsApi(k8s), client.RbacAuthorizationV1Api(k8s)


def calico_policy(name, ns, spec):
    return {"apiVersion": "crd.projectcalico.org/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": ns}, "spec": spec}


def kube2iam_daemonset(name, args):
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": {"app": "kube2iam"}},
                     "template": {"metadata": {"labels": {"app": "kube2iam"}},
                                  "spec": {"hostNetwork": True, "containers": [{
                                      "name": "kube2iam", "image": "docker.io/jtblin/kube2iam:0.11.2",
                                      "args": list(args),
                                      "env": [{"name": "HOST_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}],
                                      "securityContext": {"privileged": True}}]}}}}


def pod(name, role):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "annotations": {"iam.amazonaws.com/role": role}},
            "spec": {"containers": [{"name": "app", "image": "registry.example/app:1"}]}}


@pytest.fixture(scope="module")
def good(sandbox):
    """Build the hardened state once for the module; remove it afterwards."""
    import boto3
    from kubernetes import client, config
    from tests.integration.fixtures import run_module_process

    s = State(uuid.uuid4().hex[:8])

    def aws(service):
        return boto3.client(service, endpoint_url=sandbox.moto_url, region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    iam, ec2, eks, kms = aws("iam"), aws("ec2"), aws("eks"), aws("kms")
    iam.create_role(RoleName=s.node_role, AssumeRolePolicyDocument=trust({"Service": "ec2.amazonaws.com"}))
    for p in (WORKER, ECR):
        iam.attach_role_policy(RoleName=s.node_role, PolicyArn=p)
    for name in (s.app_role, s.other_role):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust({"AWS": s.node_role_arn}))
    key = kms.create_key(Description="verify secrets %s" % s.u)["KeyMetadata"]["Arn"]
    subnets = sorted(x["SubnetId"] for x in ec2.describe_subnets(
        Filters=[{"Name": "tag:Name", "Values": ["hardened-eks-sandbox-private-*"]}])["Subnets"])
    lt = ec2.create_launch_template(LaunchTemplateName=s.launch_template, LaunchTemplateData={"MetadataOptions": {
        "HttpTokens": "required", "HttpPutResponseHopLimit": 1, "HttpEndpoint": "enabled"}})["LaunchTemplate"]
    c = eks.create_cluster(
        name=s.cluster, version="1.36", roleArn="arn:aws:iam::%s:role/verify-%s-cluster" % (ACCOUNT, s.u),
        resourcesVpcConfig={"subnetIds": subnets, "endpointPrivateAccess": True, "endpointPublicAccess": False},
        logging={"clusterLogging": [{"types": ALL_LOGS, "enabled": True}]},
        encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": key}}],
        accessConfig={"authenticationMode": "API_AND_CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": False},
        deletionProtection=True)["cluster"]
    # who is admin: one listed principal (a role that exists), through an access entry (no admin
    # made by EKS)
    iam.create_role(RoleName=s.deploy_role_arn.rsplit("/", 1)[-1],
                    AssumeRolePolicyDocument=trust({"AWS": "arn:aws:iam::%s:root" % ACCOUNT}))
    eks.create_access_entry(clusterName=s.cluster, principalArn=s.deploy_role_arn)
    eks.associate_access_policy(clusterName=s.cluster, principalArn=s.deploy_role_arn, policyArn=CLUSTER_ADMIN,
                                accessScope={"type": "cluster"})
    eks.create_nodegroup(clusterName=s.cluster, nodegroupName="system", subnets=subnets, nodeRole=s.node_role_arn,
                         launchTemplate={"id": lt["LaunchTemplateId"], "version": "1"})
    issuer = c["identity"]["oidc"]["issuer"].replace("https://", "")
    provider = "arn:aws:iam::%s:oidc-provider/%s" % (ACCOUNT, issuer)
    iam.create_role(RoleName=s.irsa_role, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"%s:sub" % issuer: "system:serviceaccount:%s:api" % s.app_ns,
                                           "%s:aud" % issuer: "sts.amazonaws.com"}}}]}))

    cfg = client.Configuration()
    config.load_kube_config(config_file=sandbox.kubeconfig, client_configuration=cfg)
    api = client.ApiClient(cfg)
    core, apps, custom, rbac = _k8s_apis(api)
    for ns, roles in ((s.app_ns, [s.app_role]), (s.other_ns, [s.other_role]), (s.sys_ns, None)):
        meta = {"name": ns}
        if roles is not None:
            meta["annotations"] = {"iam.amazonaws.com/allowed-roles": json.dumps(roles)}
        core.create_namespace({"metadata": meta})
    apps.create_namespaced_daemon_set(s.sys_ns, kube2iam_daemonset("kube2iam", KUBE2IAM_ARGS))
    core.create_namespaced_pod(s.app_ns, pod("app", s.app_role))
    core.create_namespaced_service_account(s.app_ns, {"metadata": {"name": "api", "annotations": {
        "eks.amazonaws.com/role-arn": "arn:aws:iam::%s:role/%s" % (ACCOUNT, s.irsa_role)}}})
    for name, spec in (("default-deny", DENY_ALL), ("allow-dns", ALLOW_DNS), ("deny-metadata", DENY_METADATA)):
        custom.create_namespaced_custom_object(*CALICO, s.app_ns, "networkpolicies", calico_policy(name, s.app_ns, spec))
    rbac.create_namespaced_role_binding(s.app_ns, {
        "metadata": {"name": "devs-view"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": s.devs}]})
    r = run_module_process(sandbox, "aws_auth_mapping", {"roles": [
        {"arn": s.node_role_arn, "username": "system:node:{{EC2PrivateDNSName}}",
         "groups": ["system:bootstrappers", "system:nodes"]},
        {"arn": s.dev_role_arn, "username": "dev:{{SessionName}}", "groups": [s.devs]}]})
    assert not r.get("failed"), r

    yield s

    run_module_process(sandbox, "aws_auth_mapping", {"state": "absent", "allow_node_role_removal": True, "roles": [
        {"arn": a} for a in (s.node_role_arn, s.dev_role_arn, s.admin_role_arn)]})
    for ns in (s.app_ns, s.other_ns, s.sys_ns):
        try:
            core.delete_namespace(ns)
        except Exception:  # noqa: BLE001 - cleanup only
            pass
    try:
        eks.delete_nodegroup(clusterName=s.cluster, nodegroupName="system")
        eks.update_cluster_config(name=s.cluster, deletionProtection=False)
        eks.delete_cluster(name=s.cluster)
    except Exception:  # noqa: BLE001 - cleanup only
        pass


@pytest.fixture
def verify(good, run_playbook, sandbox, tmp_path):
    """Run verify.yml on the sandbox inventory for the good state; returns (rc, stdout, report)."""
    def _run(check=False, env=None, **overrides):
        report_dir = tmp_path / ("report-%s" % uuid.uuid4().hex[:6])
        extra = {
            "verify_cluster_name": good.cluster,
            "verify_region": "us-east-1",
            "verify_kubeconfig": sandbox.kubeconfig,
            "verify_node_role_arns": [good.node_role_arn],
            "verify_node_role_policies": [WORKER, ECR],
            "verify_allowed_cluster_admins": [good.deploy_role_arn],
            "verify_application_namespaces": [good.app_ns],
            # the sandbox is shared: namespace-scoped reads stay in this test's namespaces
            # (aws-auth, RBAC, global policies, EKS and IAM are read whole)
            "verify_namespaces": [good.app_ns, good.other_ns, good.sys_ns],
            "verify_kube2iam_namespace": good.sys_ns,
            "verify_report_dir": str(report_dir),
        }
        extra.update(overrides)
        started = time.monotonic()
        rc, out = run_playbook(PLAYBOOK, extra_vars=extra, check=check, env=env,
                               inventory=os.path.join(ROOT, "inventories", "sandbox"))
        elapsed = time.monotonic() - started
        path = report_dir / "verify-report.json"
        report = json.loads(path.read_text()) if path.exists() else None
        if report is not None:
            report["_elapsed"] = elapsed
            report["_dir"] = str(report_dir)
        return rc, out, report
    return _run


def assert_read_only(audit, k8s_mark, aws_requests, aws_mark, report):
    """The audit's own requests (its User-Agent; the sandbox is shared, other tests may write
    at the same time) are all reads but SubjectAccessReviews, and they are all of its requests:
    as many as the module counted. moto's log has no user agent: no mutating call at all."""
    mine = [e for e in audit.events(since=k8s_mark) if e.get("userAgent") == USER_AGENT]
    counted = report["requests"]
    assert len(mine) == counted["k8s_get"] + counted["k8s_subjectaccessreviews"], len(mine)
    writes = [e for e in mine if e["verb"] in audit.WRITE_VERBS
              and (e.get("objectRef") or {}).get("resource") != "subjectaccessreviews"]
    assert writes == [], ["%s %s" % (e["verb"], e["requestURI"]) for e in writes]
    sars = [e for e in mine if (e.get("objectRef") or {}).get("resource") == "subjectaccessreviews"]
    assert sars and all(e["verb"] == "create" for e in sars)
    assert len(sars) == counted["k8s_subjectaccessreviews"]
    assert set(e["verb"] for e in mine) == {"get", "list", "create"}
    assert aws_requests.mutating(aws_mark) == []


def by_check(report):
    return dict((r["check"], r) for r in report["results"])


def failing(report):
    return dict((r["check"], r) for r in report["results"] if r["result"] != "pass")


def test_all_checks_pass_read_only(verify, good, audit, aws_requests):
    k8s_mark, aws_mark = audit.mark(), aws_requests.mark()
    rc, out, report = verify()
    assert report is not None, out
    assert rc == 0 and failing(report) == {}, out
    checks = by_check(report)
    assert len(checks) == 31
    # a few pieces of evidence: the facts were really read
    assert "secrets encrypted with the customer managed key arn:aws:kms:" in checks["control_plane.secrets_encryption"]["evidence"]
    assert "IMDSv2 required, hop limit 1" in checks["nodes.imdsv2"]["evidence"]
    assert "deny-metadata egress[0]" in checks["calico.metadata"]["evidence"]
    assert "trust names system:serviceaccount:%s:api" % good.app_ns in checks["irsa.trust"]["evidence"]
    assert "%s/app: %s" % (good.app_ns, good.app_role) in checks["kube2iam.pod_roles"]["evidence"]
    # the table on the console and the two files
    assert "| PASS" in out and "calico.default_deny" in out
    assert "31 passed, 0 failed, 0 warnings" in out
    xml = open(os.path.join(report["_dir"], "verify-report.xml")).read()
    assert 'tests="31" failures="0"' in xml
    assert checks["access.cluster_admins"]["evidence"] == "cluster admins: %s" % good.deploy_role_arn
    # the deploy role's entry and the node group role's EC2_LINUX entry EKS made
    assert checks["access.entry_principals"]["evidence"] == "2 access entries, every principal exists"

    # read-only: the API server's audit log has no write of the audit but SubjectAccessReviews
    # (a create that persists nothing), and moto served no mutating call
    assert_read_only(audit, k8s_mark, aws_requests, aws_mark, report)
    print("verify run: %.1f s wall (playbook), %.2f s in the module; requests %s"
          % (report["_elapsed"], report["duration_seconds"], report["requests"]))


def test_check_mode_and_fail_on_never(verify, good, k8s):
    """--check runs the same audit and still writes the report; verify_fail_on=never reports a
    failed check without failing the play."""
    _core, _apps, custom, _rbac = _k8s_apis(k8s)
    custom.delete_namespaced_custom_object(*CALICO, good.app_ns, "networkpolicies", "default-deny")
    try:
        rc, out, report = verify(check=True, verify_fail_on="never")
        assert rc == 0, out
        assert list(failing(report)) == ["calico.default_deny"]
        rc, out, report = verify(check=True)
        assert rc == 2, out
        assert "1 check(s) failed: calico.default_deny" in out
    finally:
        custom.create_namespaced_custom_object(*CALICO, good.app_ns, "networkpolicies",
                                               calico_policy("default-deny", good.app_ns, DENY_ALL))


def test_a_failing_audit_is_uploaded_to_s3_and_published_as_job_stats(verify, good, k8s, boto3_client, aws_requests):
    """verify_report_s3_bucket: both reports land in S3, server-side encrypted, under
    <prefix><cluster>/<audit timestamp>/, before the failed check fails the run; the summary is
    published with set_stats (what AWX keeps as job artifacts)."""
    s3 = boto3_client("s3")
    bucket = "audit-%s" % uuid.uuid4().hex[:8]
    s3.create_bucket(Bucket=bucket)
    _core, _apps, custom, _rbac = _k8s_apis(k8s)
    custom.delete_namespaced_custom_object(*CALICO, good.app_ns, "networkpolicies", "default-deny")
    try:
        mark = aws_requests.mark()
        rc, out, report = verify(env={"ANSIBLE_SHOW_CUSTOM_STATS": "1"}, verify_report_s3_bucket=bucket,
                                 verify_report_s3_prefix="audits/")
        uploaded_at = time.time()
    finally:
        custom.create_namespaced_custom_object(*CALICO, good.app_ns, "networkpolicies",
                                               calico_policy("default-deny", good.app_ns, DENY_ALL))
    assert rc == 2 and "1 check(s) failed: calico.default_deny" in out, out[-3000:]
    prefix = "audits/%s/%s/" % (good.cluster, report["timestamp"].replace(":", ""))
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))
    assert keys == [prefix + "verify-report.json", prefix + "verify-report.xml"]
    uploaded = json.loads(s3.get_object(Bucket=bucket, Key=prefix + "verify-report.json")["Body"].read())
    local = json.loads(open(os.path.join(report["_dir"], "verify-report.json")).read())
    assert uploaded == local and uploaded["summary"]["fail"] == 1
    assert s3.head_object(Bucket=bucket, Key=prefix + "verify-report.xml")["ServerSideEncryption"] == "AES256"
    # the upload is the only AWS write; its IAM actions are exactly those of
    # docs/deploy-policy/verify-s3-upload.json
    assert sorted(set(r["action"] for r in aws_requests.mutating(mark) if r["service"] != "s3")) == []
    s3_calls = [r for r in aws_requests.since(mark) if r["service"] == "s3"]
    assert sorted(r["path"] for r in s3_calls if iam_action(r) == "s3:PutObject") == [
        "/%s/%s%s" % (bucket, prefix, f) for f in ("verify-report.json", "verify-report.xml")]
    with open(os.path.join(ROOT, "docs", "deploy-policy", "verify-s3-upload.json")) as fh:
        allowed = set(a for st in json.load(fh)["Statement"] for a in st["Action"])
    mine = [r for r in s3_calls if r["t"] < uploaded_at]       # not the test's own reads after the run
    assert set(iam_action(r) for r in mine) == allowed, [(r["action"], r.get("query")) for r in mine]
    stats = json.loads(re.search(r"RUN: (\{.*\})", out).group(1))["hardened_eks_verify"][good.cluster]
    assert stats["failed"] == 1 and stats["failed_checks"] == ["calico.default_deny"]
    assert stats["passed"] == 30 and stats["timestamp"] == report["timestamp"]
    assert stats["s3_objects"] == ["s3://%s/%s%s" % (bucket, prefix, f) for f in ("verify-report.json", "verify-report.xml")]


def test_check_mode_audits_and_writes_the_local_reports_but_uploads_nothing(verify, good, boto3_client, aws_requests):
    """--check is the promise of no AWS write: the audit runs and its local reports are written,
    the S3 upload is only reported, and the published summary names no S3 object."""
    s3 = boto3_client("s3")
    bucket = "audit-%s" % uuid.uuid4().hex[:8]
    s3.create_bucket(Bucket=bucket)
    mark = aws_requests.mark()
    rc, out, report = verify(check=True, env={"ANSIBLE_SHOW_CUSTOM_STATS": "1"}, verify_report_s3_bucket=bucket)
    assert rc == 0 and report is not None and report["summary"]["fail"] == 0, out[-3000:]
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0
    assert aws_requests.mutating(mark) == []
    stats = json.loads(re.search(r"RUN: (\{.*\})", out).group(1))["hardened_eks_verify"][good.cluster]
    assert stats["s3_objects"] == [] and stats["passed"] == report["summary"]["pass"]


def assert_only(report, out, checks, *needles):
    """Exactly ``checks`` (one id or a tuple) did not pass; the first one's evidence has every
    needle and it names a fix; the play's failure message names it."""
    checks = (checks,) if isinstance(checks, str) else checks
    bad = failing(report)
    assert sorted(bad) == sorted(checks), out
    for n in needles:
        assert n in bad[checks[0]]["evidence"], bad[checks[0]]
    assert bad[checks[0]]["fix"], bad[checks[0]]
    assert "check(s) failed: " in out and checks[0] in out.split("check(s) failed: ", 1)[1].split("\n", 1)[0]


def test_break_default_deny(verify, good, k8s):
    _core, _apps, custom, _rbac = _k8s_apis(k8s)
    custom.delete_namespaced_custom_object(*CALICO, good.app_ns, "networkpolicies", "default-deny")
    try:
        rc, out, report = verify()
        assert rc == 2
        assert_only(report, out, "calico.default_deny", "%s: nothing denies ingress" % good.app_ns)
    finally:
        custom.create_namespaced_custom_object(*CALICO, good.app_ns, "networkpolicies",
                                               calico_policy("default-deny", good.app_ns, DENY_ALL))
    rc, out, report = verify()
    assert rc == 0, out


def test_break_masters_mapping(verify, good, run_module):
    r = run_module("aws_auth_mapping", {"allow_cluster_admin": True, "roles": [
        {"arn": good.admin_role_arn, "username": "admin:{{SessionName}}", "groups": ["system:masters"]}]})
    assert r.get("changed"), r
    try:
        rc, out, report = verify()
        assert rc == 2
        # the mapping itself, and what it grants
        assert_only(report, out, ("aws_auth.masters", "rbac.sensitive_actions"),
                    "mapped to system:masters without being allowed: %s" % good.admin_role_arn)
        assert "%s (as admin:hardened-eks-verify) can get-secrets, list-secrets" % good.admin_role_arn in (
            by_check(report)["rbac.sensitive_actions"]["evidence"])
        # allowed in the inventory, it passes
        rc, out, report = verify(verify_allowed_masters=[good.admin_role_arn])
        assert rc == 0, out
    finally:
        run_module("aws_auth_mapping", {"state": "absent", "roles": [{"arn": good.admin_role_arn}]})


def test_break_foreign_role(verify, good, k8s):
    core, _apps, _custom, _rbac = _k8s_apis(k8s)
    core.create_namespaced_pod(good.app_ns, pod("intruder", good.other_role))
    try:
        rc, out, report = verify()
        assert rc == 2
        assert_only(report, out, "kube2iam.pod_roles",
                    "pod %s/intruder asks for %s, not in its namespace's list (%s)"
                    % (good.app_ns, good.other_role, good.app_role))
    finally:
        core.delete_namespaced_pod("intruder", good.app_ns, grace_period_seconds=0)


def test_break_namespace_restrictions(verify, good, k8s):
    _core, apps, _custom, _rbac = _k8s_apis(k8s)
    args = [a for a in KUBE2IAM_ARGS if a != "--namespace-restrictions"]
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "kube2iam", "args": args}]}}}}
    apps.patch_namespaced_daemon_set("kube2iam", good.sys_ns, patch)
    try:
        rc, out, report = verify()
        assert rc == 2
        assert_only(report, out, "kube2iam.daemonset", "--namespace-restrictions missing")
    finally:
        patch["spec"]["template"]["spec"]["containers"][0]["args"] = KUBE2IAM_ARGS
        apps.patch_namespaced_daemon_set("kube2iam", good.sys_ns, patch)


def test_break_selector_through_crd(verify, good, k8s):
    """The CRD path validates no selector: a policy Calico would drop is stored as written."""
    _core, _apps, custom, _rbac = _k8s_apis(k8s)
    broken = {"selector": "app == 'web'", "types": ["Ingress"], "ingress": [
        {"action": "Allow", "source": {"selector": "app == 'lb' && (tier == 'edge'"}}]}
    custom.create_namespaced_custom_object(*CALICO, good.app_ns, "networkpolicies",
                                           calico_policy("broken", good.app_ns, broken))
    try:
        rc, out, report = verify()
        assert rc == 2
        assert_only(report, out, "calico.selectors",
                    "NetworkPolicy %s/broken ingress[0].source.selector" % good.app_ns, "position")
    finally:
        custom.delete_namespaced_custom_object(*CALICO, good.app_ns, "networkpolicies", "broken")


def test_break_public_endpoint(verify, good, boto3_client):
    # moto replaces the whole endpoint config on UpdateClusterConfig (EKS keeps what is not
    # given), so both flags are sent
    eks = boto3_client("eks")
    eks.update_cluster_config(name=good.cluster, resourcesVpcConfig={
        "endpointPrivateAccess": True, "endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]})
    try:
        rc, out, report = verify()
        assert rc == 2
        assert_only(report, out, "control_plane.public_endpoint", "open to the internet")
        rc, out, report = verify(verify_public_access_cidrs=["0.0.0.0/0"])
        assert rc == 0, out
    finally:
        eks.update_cluster_config(name=good.cluster, resourcesVpcConfig={
            "endpointPrivateAccess": True, "endpointPublicAccess": False})


def test_break_the_secrets_key_scheduled_for_deletion(verify, good, boto3_client):
    kms, eks = boto3_client("kms"), boto3_client("eks")
    arn = eks.describe_cluster(name=good.cluster)["cluster"]["encryptionConfig"][0]["provider"]["keyArn"]
    key = arn.rsplit("/", 1)[-1]   # moto 5.2's ScheduleKeyDeletion takes the key id only (AWS takes both)
    kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    try:
        rc, out, report = verify()
        assert rc == 2
        assert_only(report, out, "control_plane.secrets_encryption", "its state is PendingDeletion")
    finally:
        kms.cancel_key_deletion(KeyId=key)
        kms.enable_key(KeyId=key)


def test_break_access_entry_of_a_deleted_role_and_a_different_aws_auth_mapping(
        verify, good, boto3_client, run_module):
    """A role that left keeps its access entry (warn: a role made again with that name would
    inherit it); the deploy role mapped in aws-auth with a group its access entry lacks (warn:
    the access entry wins, the mapping is dead)."""
    eks, iam = boto3_client("eks"), boto3_client("iam")
    gone = "arn:aws:iam::%s:role/verify-%s-gone" % (ACCOUNT, good.u)
    eks.create_access_entry(clusterName=good.cluster, principalArn=gone)
    r = run_module("aws_auth_mapping", {"roles": [{"arn": good.deploy_role_arn, "username": "deploy",
                                                   "groups": [good.devs]}]})
    assert r.get("changed"), r
    try:
        rc, out, report = verify()
        assert rc == 0, out   # warnings only
        bad = failing(report)
        assert sorted(bad) == ["access.aws_auth_conflicts", "access.entry_principals"], bad
        assert gone in bad["access.entry_principals"]["evidence"]
        assert good.deploy_role_arn in bad["access.aws_auth_conflicts"]["evidence"]
        assert all(v["result"] == "warn" for v in bad.values())
    finally:
        eks.delete_access_entry(clusterName=good.cluster, principalArn=gone)
        run_module("aws_auth_mapping", {"state": "absent", "roles": [{"arn": good.deploy_role_arn}]})
    assert iam.get_role(RoleName=good.deploy_role_arn.rsplit("/", 1)[-1])


def test_break_pod_identity_without_its_agent_and_with_a_loose_trust(verify, good, boto3_client):
    from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import pod_identity_statement
    eks, iam = boto3_client("eks"), boto3_client("iam")
    name = "verify-%s-pi" % good.u
    cluster_arn = eks.describe_cluster(name=good.cluster)["cluster"]["arn"]
    doc = {"Version": "2012-10-17", "Statement": [pod_identity_statement(good.app_ns, "reports", cluster_arn)]}
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(doc))["Role"]["Arn"]
    assoc = eks.create_pod_identity_association(clusterName=good.cluster, namespace=good.app_ns,
                                                serviceAccount="reports", roleArn=arn)["association"]
    try:
        rc, out, report = verify()
        assert rc == 2
        assert_only(report, out, "irsa.pod_identity_agent", "1 Pod Identity associations but no eks-pod-identity-agent")
        eks.create_addon(clusterName=good.cluster, addonName="eks-pod-identity-agent")
        rc, out, report = verify()
        assert rc == 0 and failing(report) == {}, out
        assert "pod identity %s/reports -> %s: trusts pods.eks.amazonaws.com for %s/reports on its cluster" % (
            good.app_ns, name, good.app_ns) in by_check(report)["irsa.trust"]["evidence"]
        iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [pod_identity_statement()]}))
        rc, out, report = verify()
        assert failing(report)["irsa.trust"]["result"] == "warn"
        assert "other associations in the account can wear it" in failing(report)["irsa.trust"]["evidence"]
    finally:
        eks.delete_pod_identity_association(clusterName=good.cluster, associationId=assoc["associationId"])
        try:
            eks.delete_addon(clusterName=good.cluster, addonName="eks-pod-identity-agent")
        except eks.exceptions.ResourceNotFoundException:
            pass
        iam.delete_role(RoleName=name)


def test_the_version_is_judged_by_the_eks_calendar_on_the_audit_date(verify, good):
    """The good cluster runs 1.36: in standard support today, in extended support after
    2027-08-01 (a warning, which fails only with verify_fail_on=warn), past it after 2028-08-01."""
    rc, out, report = verify(verify_calendar_date="2027-09-01")
    assert rc == 0, out
    version = by_check(report)["control_plane.version"]
    assert version["result"] == "warn" and "extended support" in version["evidence"], version
    rc, out, report = verify(verify_calendar_date="2027-09-01", verify_fail_on="warn")
    assert rc == 2, out
    rc, out, report = verify(verify_calendar_date="2028-09-01")
    assert rc == 2
    assert_only(report, out, "control_plane.version", "past the end of EKS extended support")
    rc, out, report = verify(verify_calendar_date="01.09.2028")
    assert rc != 0 and "calendar_date" in out and "YYYY-MM-DD" in out, out[-2000:]


def test_site_then_verify(run_playbook, tmp_path, audit, aws_requests):
    inventory = os.path.join(ROOT, "inventories", "sandbox")
    rc, out = run_playbook(os.path.join(ROOT, "playbooks", "site.yml"), inventory=inventory)
    assert rc == 0, out[-5000:]
    k8s_mark, aws_mark = audit.mark(), aws_requests.mark()
    # the sandbox is shared with other tests' namespaces (their own node roles): audit the
    # inventory's namespaces, as a team auditing its part of a cluster would
    rc, out = run_playbook(PLAYBOOK, inventory=inventory, extra_vars={
        "verify_report_dir": str(tmp_path),
        "verify_namespaces": ["payments", "storefront", "analytics", "kube-system"]})
    assert rc == 0, out[-8000:]
    report = json.loads((tmp_path / "verify-report.json").read_text())
    assert_read_only(audit, k8s_mark, aws_requests, aws_mark, report)
