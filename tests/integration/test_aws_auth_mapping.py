"""aws_auth_mapping against the sandbox's real kube-apiserver.

Every test works on a ConfigMap of its own (fresh namespace, options ``namespace``/``name``), so
the shared kube-system/aws-auth is only ever read (check mode, refusals). Request counts and
"check mode writes nothing" come from the API server's audit log.
"""
import concurrent.futures
import json
import time

import pytest
import yaml
from kubernetes import client

MODULE = "aws_auth_mapping"
ACC = "123456789012"
NODE = "arn:aws:iam::%s:role/hardened-eks-sandbox-node" % ACC
NODE_TEXT = """- rolearn: %s
  username: system:node:{{EC2PrivateDNSName}}
  groups:
    - system:bootstrappers
    - system:nodes
""" % NODE
USERS_TEXT = """# hand-written, must survive untouched
- userarn: arn:aws:iam::123456789012:user/alice
  username: alice
  groups: [viewers]
"""
WRITE_VERBS = ["create", "update", "patch", "delete"]


def arn(name, kind="role"):
    return "arn:aws:iam::%s:%s/%s" % (ACC, kind, name)


def warnings_of(result):
    out = []
    for w in result.get("warnings") or []:
        out.append(w if isinstance(w, str) else (w.get("event") or {}).get("msg", json.dumps(w)))
    return out


@pytest.fixture
def core(k8s):
    return client.CoreV1Api(k8s)


@pytest.fixture
def cm(core, namespace):
    """Seed a ConfigMap like EKS's aws-auth in the test's namespace; returns helpers."""
    class CM(object):
        ns = namespace
        name = "aws-auth"

        def create(self, data):
            core.create_namespaced_config_map(namespace, {"metadata": {"name": self.name}, "data": data})

        def read(self):
            return core.read_namespaced_config_map(self.name, namespace)

        def raw(self):
            return client.ApiClient().sanitize_for_serialization(self.read())

        def data(self):
            return self.read().data or {}

        def params(self, **kw):
            kw.setdefault("namespace", namespace)
            kw.setdefault("name", self.name)
            return kw

    return CM()


def events(audit, mark, ns, verbs=None):
    return audit.events(since=mark, resource="configmaps", namespace=ns, verbs=verbs)


def verbs_of(evs):
    return [e["verb"] for e in evs]


# ------------------------------------------------------------------------------------ lifecycle
def test_check_mode_real_run_idempotent_rerun(cm, run_module, audit):
    cm.create({"mapRoles": NODE_TEXT, "mapUsers": USERS_TEXT, "unrelated": "keep: me\n"})
    before_obj = cm.raw()
    params = cm.params(roles=[
        {"arn": arn("team-dev"), "username": "dev:{{SessionName}}", "groups": ["devs", "viewers"]},
        {"arn": NODE, "username": "system:node:{{EC2PrivateDNSName}}",
         "groups": ["system:nodes", "system:bootstrappers"]},  # same groups, other order: no change
    ])

    m = audit.mark()
    check = run_module(MODULE, params, check=True, diff=True)
    assert not check.get("failed"), check
    assert check["changed"] is True and check["added"] == [arn("team-dev")]
    assert check["updated"] == [] and check["removed"] == []
    assert verbs_of(events(audit, m, cm.ns)) == ["get"]  # check mode: the read only
    assert cm.raw()["metadata"]["resourceVersion"] == before_obj["metadata"]["resourceVersion"]

    m = audit.mark()
    real = run_module(MODULE, params, diff=True)
    assert not real.get("failed"), real
    for key in ("changed", "added", "removed", "updated", "diff"):
        assert real[key] == check[key], key
    evs = events(audit, m, cm.ns)
    assert verbs_of(evs) == ["get", "patch"]
    assert evs[1]["responseStatus"]["code"] == 200

    data = cm.data()
    assert data["mapUsers"] == USERS_TEXT and data["unrelated"] == "keep: me\n"
    assert data["mapRoles"].startswith(NODE_TEXT)
    roles = yaml.safe_load(data["mapRoles"])
    assert [r["rolearn"] for r in roles] == [NODE, arn("team-dev")]
    assert roles[1] == {"rolearn": arn("team-dev"), "username": "dev:{{SessionName}}",
                        "groups": ["devs", "viewers"]}
    assert "+  - rolearn: %s" % arn("team-dev") not in real["diff"]["before"]
    assert "- rolearn: %s" % arn("team-dev") in real["diff"]["after"]
    assert yaml.safe_load(real["diff"]["after"])["mapRoles"] == data["mapRoles"]

    m = audit.mark()
    again = run_module(MODULE, params, diff=True)
    assert again["changed"] is False and again["added"] == again["updated"] == again["removed"] == []
    assert again["diff"]["before"] == again["diff"]["after"]
    assert verbs_of(events(audit, m, cm.ns)) == ["get"]


def test_update_remove_and_purge(cm, run_module, audit):
    cm.create({"mapRoles": NODE_TEXT + "- rolearn: %s\n  username: a\n  groups: [g1]\n" % arn("a")
               + "- rolearn: %s\n  username: b\n" % arn("b"), "mapUsers": USERS_TEXT})
    res = run_module(MODULE, cm.params(roles=[{"arn": arn("a"), "username": "a2", "groups": ["g1", "g2"]}]))
    assert res["changed"] and res["updated"] == [arn("a")]

    res = run_module(MODULE, cm.params(users=[{"arn": arn("alice", "user")}], state="absent"))
    assert res["changed"] and res["removed"] == [arn("alice", "user")]
    assert yaml.safe_load(cm.data()["mapUsers"]) == []

    keep = {"arn": NODE, "username": "system:node:{{EC2PrivateDNSName}}",
            "groups": ["system:bootstrappers", "system:nodes"]}
    check = run_module(MODULE, cm.params(roles=[keep], purge=True), check=True)
    m = audit.mark()
    res = run_module(MODULE, cm.params(roles=[keep], purge=True))
    assert res["changed"] and sorted(res["removed"]) == [arn("a"), arn("b")]
    assert res["removed"] == check["removed"]
    assert verbs_of(events(audit, m, cm.ns)) == ["get", "patch"]
    assert [r["rolearn"] for r in yaml.safe_load(cm.data()["mapRoles"])] == [NODE]
    assert run_module(MODULE, cm.params(roles=[keep], purge=True))["changed"] is False


def test_creates_when_missing_unless_told_not_to(cm, run_module, audit, core):
    params = cm.params(roles=[{"arn": arn("dev"), "username": "dev"}], accounts=[ACC], create=False)
    m = audit.mark()
    res = run_module(MODULE, params)
    assert res.get("failed") and "create=false" in res["msg"]
    assert verbs_of(events(audit, m, cm.ns, WRITE_VERBS)) == []

    params["create"] = True
    check = run_module(MODULE, params, check=True)
    assert check["changed"] and check["added"] == [arn("dev"), ACC]
    m = audit.mark()
    res = run_module(MODULE, params)
    assert res["changed"] and res["added"] == [arn("dev"), ACC]
    assert verbs_of(events(audit, m, cm.ns)) == ["get", "create"]
    data = cm.data()
    assert yaml.safe_load(data["mapAccounts"]) == [ACC]
    assert run_module(MODULE, params)["changed"] is False

    other = cm.params(name="nothing-to-do", roles=[{"arn": arn("x")}], state="absent")
    res = run_module(MODULE, other)
    assert res["changed"] is False
    assert not [c for c in core.list_namespaced_config_map(cm.ns).items if c.metadata.name == "nothing-to-do"]


# ------------------------------------------------------------------------------------ guards
def _assert_unchanged(cm, audit, mark, before):
    assert verbs_of(events(audit, mark, cm.ns, WRITE_VERBS)) == []
    assert cm.raw() == before


@pytest.mark.parametrize("params, fragment", [
    ({"roles": [{"arn": NODE}], "state": "absent"}, "refusing to remove %s" % NODE),
    ({"roles": [{"arn": NODE, "username": "system:node:{{EC2PrivateDNSName}}", "groups": ["system:nodes"]}]},
     "refusing to take system:bootstrappers away"),
])
def test_node_role_guard(cm, run_module, audit, params, fragment):
    cm.create({"mapRoles": NODE_TEXT})
    before = cm.raw()
    m = audit.mark()
    res = run_module(MODULE, cm.params(**params))
    assert res.get("failed") and fragment in res["msg"] and "allow_node_role_removal" in res["msg"], res
    _assert_unchanged(cm, audit, m, before)
    res = run_module(MODULE, cm.params(allow_node_role_removal=True, **params))
    assert res["changed"] and any("allow_node_role_removal" in w for w in warnings_of(res))


def test_purge_spares_the_node_role_eks_added_and_reports_it(cm, run_module, audit):
    """EKS adds node role entries by itself and users do not list them: purge keeps them (and
    says so) instead of refusing the whole run or needing allow_node_role_removal."""
    cm.create({"mapRoles": NODE_TEXT + "- rolearn: %s\n  username: old\n  groups: [old]\n" % arn("old")})
    res = run_module(MODULE, cm.params(roles=[{"arn": arn("dev"), "username": "dev", "groups": ["devs"]}], purge=True),
                     check=True)
    assert res["changed"] and res["kept"] == [NODE] and res["removed"] == [arn("old")], res
    res = run_module(MODULE, cm.params(roles=[{"arn": arn("dev"), "username": "dev", "groups": ["devs"]}], purge=True))
    assert res["changed"] and res["kept"] == [NODE] and res["removed"] == [arn("old")], res
    arns = [e["rolearn"] for e in yaml.safe_load(cm.data()["mapRoles"])]
    assert arns == [NODE, arn("dev")]
    res = run_module(MODULE, cm.params(roles=[{"arn": arn("dev"), "username": "dev", "groups": ["devs"]}], purge=True))
    assert res["changed"] is False and res["kept"] == [NODE]


def test_fargate_role_guard(cm, run_module, audit):
    fargate = arn("fargate-pods")
    cm.create({"mapRoles": "- rolearn: %s\n  username: system:node:{{SessionName}}\n"
                           "  groups: [system:bootstrappers, system:nodes, system:node-proxier]\n" % fargate})
    before = cm.raw()
    m = audit.mark()
    res = run_module(MODULE, cm.params(roles=[{"arn": fargate}], state="absent"))
    assert res.get("failed") and "system:node-proxier" in res["msg"]
    _assert_unchanged(cm, audit, m, before)


def test_system_masters_refused_then_allowed_with_warning(cm, run_module, audit):
    cm.create({"mapRoles": NODE_TEXT})
    before = cm.raw()
    admin = {"arn": arn("break-glass"), "username": "bg:{{SessionName}}", "groups": ["system:masters"]}
    m = audit.mark()
    res = run_module(MODULE, cm.params(roles=[admin]))
    assert res.get("failed") and "roles[0].groups" in res["msg"] and "allow_cluster_admin" in res["msg"]
    assert events(audit, m, cm.ns) == []  # refused before any API call
    assert cm.raw() == before
    res = run_module(MODULE, cm.params(roles=[admin], allow_cluster_admin=True))
    assert res["changed"] and any("system:masters" in w for w in warnings_of(res))


def test_every_validation_problem_in_one_failure_before_any_request(cm, run_module, audit):
    m = audit.mark()
    res = run_module(MODULE, cm.params(
        roles=[{"arn": "arn:aws:sts::123456789012:assumed-role/Admin/bob", "username": "x"},
               {"arn": arn("ok"), "username": "{{ SessionName }}"},
               {"arn": "arn:aws:iam::12345:role/short", "username": "x"}],
        users=[{"arn": arn("r"), "username": "x"}],
        accounts=["12345678901", 123456789012]))
    assert res.get("failed"), res
    problems = res["problems"]
    assert len(problems) == 5, problems
    text = "\n".join(problems)
    assert "roles[0].arn" in text and "use arn:aws:iam::123456789012:role/Admin under roles" in text
    assert "roles[1].username" in text and "without spaces" in text
    assert "roles[2].arn" in text and "not 12 digits" in text
    assert "users[0].arn" in text and "list it under roles" in text
    assert "accounts[0]" in text and "accounts[1]" not in text
    assert events(audit, m, cm.ns) == []


def test_path_is_normalized_with_warning(cm, run_module):
    cm.create({"mapRoles": NODE_TEXT})
    res = run_module(MODULE, cm.params(roles=[{
        "arn": "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admins_0a1b",
        "username": "sso:{{SessionName}}", "groups": ["platform"]}]))
    assert res["added"] == [arn("AWSReservedSSO_Admins_0a1b")]
    assert any("has a path" in w for w in warnings_of(res))
    assert yaml.safe_load(cm.data()["mapRoles"])[1]["rolearn"] == arn("AWSReservedSSO_Admins_0a1b")


def test_duplicates_are_warned(cm, run_module):
    cm.create({"mapRoles": NODE_TEXT + "- rolearn: %s\n  username: a\n- rolearn: %s\n  username: b\n"
               % (arn("dup"), arn("dup"))})
    res = run_module(MODULE, cm.params(roles=[{"arn": arn("x"), "username": "x"}, {"arn": arn("x"), "username": "y"}]))
    w = "\n".join(warnings_of(res))
    assert "duplicate of roles[0]" in w and "2 entries for %s" % arn("dup") in w
    assert yaml.safe_load(cm.data()["mapRoles"])[-1] == {"rolearn": arn("x"), "username": "y", "groups": []}


# ------------------------------------------------------------------------------------ existing data
@pytest.mark.parametrize("data, key, fragment", [
    ({"mapRoles": NODE_TEXT + "- rolearn: %s\n  username: [unclosed\n" % arn("x")}, "mapRoles", "not valid YAML"),
    ({"mapRoles": "rolearn: %s\nusername: x\n" % arn("x")}, "mapRoles", "expected a YAML list"),
    ({"mapRoles": NODE_TEXT + "- rolearn: %s\n  groups: system:masters\n" % arn("x")}, "mapRoles[1].groups",
     "list of strings"),
    ({"mapRoles": NODE_TEXT, "mapAccounts": "{a: b}"}, "mapAccounts", "expected a YAML list"),
])
def test_malformed_existing_data_fails_and_changes_nothing(cm, run_module, audit, data, key, fragment):
    cm.create(data)
    before = cm.raw()
    m = audit.mark()
    params = cm.params(roles=[{"arn": arn("dev"), "username": "dev"}])
    if key == "mapAccounts":
        params["accounts"] = ["210987654321"]
    res = run_module(MODULE, params)
    assert res.get("failed") and key in res["msg"] and fragment in res["msg"], res
    assert "nothing was changed" in res["msg"]
    _assert_unchanged(cm, audit, m, before)


def test_yaml_found_in_the_wild_parses(cm, run_module):
    wild_roles = "\n" + NODE_TEXT + "\n\n- rolearn: %s\n  username: ci\n  groups: [deployers, viewers]\n\n" % arn("ci")
    wild_accounts = "- 123456789012\n- \"210987654321\"\n- '111122223333'\n"
    cm.create({"mapRoles": wild_roles, "mapAccounts": wild_accounts})
    res = run_module(MODULE, cm.params(
        roles=[{"arn": arn("ci"), "username": "ci", "groups": ["viewers", "deployers"]}],
        accounts=[123456789012, "210987654321", "111122223333"]))
    assert not res.get("failed"), res
    assert res["changed"] is False
    res = run_module(MODULE, cm.params(accounts=["333344445555"]))
    assert res["added"] == ["333344445555"]
    assert cm.data()["mapAccounts"].startswith(wild_accounts)
    assert cm.data()["mapRoles"] == wild_roles


# ------------------------------------------------------------------------------------ kube-system/aws-auth itself
def test_defaults_manage_kube_system_aws_auth_read_only_checks(run_module, audit, core):
    before = core.read_namespaced_config_map("aws-auth", "kube-system").metadata.resource_version
    m = audit.mark()
    res = run_module(MODULE, {"roles": [{"arn": arn("probe"), "username": "probe"}]}, check=True, diff=True)
    assert res["changed"] and res["added"] == [arn("probe")]
    assert "role/hardened-eks-sandbox-node" in res["diff"]["before"]
    res = run_module(MODULE, {"roles": [{"arn": NODE}], "state": "absent"})
    assert res.get("failed") and "refusing to remove" in res["msg"]
    evs = audit.events(since=m, resource="configmaps", namespace="kube-system", name="aws-auth",
                       verbs=["get", "update", "create", "patch"])
    assert verbs_of(evs) == ["get", "get"]
    assert core.read_namespaced_config_map("aws-auth", "kube-system").metadata.resource_version == before


def test_playbook_with_unsafe_templates_and_diff(cm, run_playbook):
    play = """
- hosts: localhost
  gather_facts: false
  tasks:
    - hardened.eks.aws_auth_mapping:
        namespace: %s
        roles:
          - arn: arn:aws:iam::123456789012:role/team-payments-dev
            username: !unsafe "payments:{{SessionName}}"
            groups: [payments-viewers]
""" % cm.ns
    cm.create({"mapRoles": NODE_TEXT})
    rc, out = run_playbook(play, diff=True)
    assert rc == 0, out
    assert "+  - rolearn: arn:aws:iam::123456789012:role/team-payments-dev" in out
    assert "+    username: payments:{{SessionName}}" in out
    rc, out = run_playbook(play)
    assert rc == 0 and "changed=0" in out, out


# ------------------------------------------------------------------------------------ scale
def test_two_thousand_role_entries_in_one_task(cm, run_module, audit, record_property):
    cm.create({"mapRoles": NODE_TEXT})
    roles = [{"arn": arn("bulk-%04d" % i), "username": "bulk-%d:{{SessionName}}" % i,
              "groups": ["team-%d" % (i % 7), "viewers"]} for i in range(2000)]
    m = audit.mark()
    t0 = time.time()
    res = run_module(MODULE, cm.params(roles=roles))
    first = time.time() - t0
    assert not res.get("failed"), res.get("msg")
    assert len(res["added"]) == 2000
    assert verbs_of(events(audit, m, cm.ns)) == ["get", "patch"]
    m = audit.mark()
    t0 = time.time()
    res = run_module(MODULE, cm.params(roles=roles))
    second = time.time() - t0
    assert res["changed"] is False
    assert verbs_of(events(audit, m, cm.ns)) == ["get"]
    stored = yaml.safe_load(cm.data()["mapRoles"])
    assert len(stored) == 2001 and stored[0]["rolearn"] == NODE
    record_property("aws_auth_2000_first_s", round(first, 2))
    record_property("aws_auth_2000_rerun_s", round(second, 2))
    print("\n[aws_auth_mapping] 2,000 roles: first run %.2fs, idempotent re-run %.2fs" % (first, second))
    assert first < 10 and second < 10, (first, second)


def test_twenty_concurrent_writers_lose_nothing(cm, run_module, audit, record_property):
    cm.create({"mapRoles": NODE_TEXT, "mapUsers": USERS_TEXT})
    writers = 20

    def one(i):
        return run_module(MODULE, cm.params(
            roles=[{"arn": arn("writer-%02d-%d" % (i, j)), "username": "w%d-%d" % (i, j), "groups": ["w"]}
                   for j in range(3)],
            accounts=["%012d" % (100000000000 + i)]))

    m = audit.mark()
    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=writers) as pool:  # each run is a process
        results = list(pool.map(one, range(writers)))
    elapsed = time.time() - t0
    failed = [r for r in results if r.get("failed")]
    assert not failed, failed[0]
    assert all(r["changed"] for r in results)

    evs = events(audit, m, cm.ns, ["get", "patch"])  # before the test's own read below
    data = cm.data()
    roles = [r["rolearn"] for r in yaml.safe_load(data["mapRoles"])]
    expected = [arn("writer-%02d-%d" % (i, j)) for i in range(writers) for j in range(3)]
    assert roles[0] == NODE and sorted(roles[1:]) == sorted(expected) and len(roles) == 1 + 3 * writers
    assert sorted(yaml.safe_load(data["mapAccounts"])) == ["%012d" % (100000000000 + i) for i in range(writers)]
    assert data["mapUsers"] == USERS_TEXT

    # a JSON patch whose test of the read mapRoles no longer holds is refused with 422: a conflict
    updates = [e for e in evs if e["verb"] == "patch"]
    conflicts = [e for e in updates if e["responseStatus"]["code"] == 422]
    ok = [e for e in updates if e["responseStatus"]["code"] == 200]
    gets = [e for e in evs if e["verb"] == "get"]
    assert len(ok) == writers  # exactly one successful write per writer
    assert len(gets) == writers + len(conflicts)  # every conflict was met by a re-read
    record_property("aws_auth_concurrent_conflicts", len(conflicts))
    print("\n[aws_auth_mapping] %d concurrent writers: %d patches succeeded, %d conflicts (422) re-read and "
          "re-applied, %d GETs, %.1fs" % (writers, len(ok), len(conflicts), len(gets), elapsed))
