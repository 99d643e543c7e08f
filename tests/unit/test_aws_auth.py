"""Pure logic of aws_auth_mapping: parse, validate, merge, guards, render, diff (no network)."""
import time

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from tests.fake_apiserver import FakeApiServer

from ansible_collections.hardened.eks.plugins.module_utils import aws_auth as aa
from ansible_collections.hardened.eks.plugins.module_utils._k8s import K8sApiError
from ansible_collections.hardened.eks.plugins.module_utils.aws_auth import (
    AwsAuthError, AwsAuthGuardError, AwsAuthParseError, AwsAuthValidationError, check_arn,
    check_template, display, ensure_aws_auth, normalize_role_arn, parse_accounts, parse_aws_auth,
    parse_entries, plan_aws_auth, render_list, validate_params)

ACC = "123456789012"
NODE = "arn:aws:iam::%s:role/hardened-eks-sandbox-node" % ACC
NODE_TEXT = """- rolearn: %s
  username: system:node:{{EC2PrivateDNSName}}
  groups:
    - system:bootstrappers
    - system:nodes
""" % NODE


def role(name, username=None, groups=None, acc=ACC):
    return {"arn": "arn:aws:iam::%s:role/%s" % (acc, name), "username": username or name,
            "groups": groups}


def user(name, username=None, groups=None):
    return {"arn": "arn:aws:iam::%s:user/%s" % (ACC, name), "username": username or name, "groups": groups}


def plan(data, **params):
    return plan_aws_auth(data, validate_params(params))


def roles_of(data):
    return yaml.safe_load(data["mapRoles"])


# ------------------------------------------------------------------------------------ parse
def test_parse_blank_lines_flow_lists_and_comments():
    text = """
# managed by hand
- rolearn: arn:aws:iam::123456789012:role/a
  username: a

  groups: [x, y]

- rolearn: arn:aws:iam::123456789012:role/b   # trailing comment
  username: b
  groups:
  - z
"""
    entries = parse_entries("mapRoles", text, "rolearn")
    assert [e["rolearn"] for e in entries] == ["arn:aws:iam::123456789012:role/a",
                                               "arn:aws:iam::123456789012:role/b"]
    assert entries[0]["groups"] == ["x", "y"]


def test_parse_flow_style_whole_list():
    text = '[{rolearn: "arn:aws:iam::123456789012:role/a", username: a, groups: [g]}]'
    assert parse_entries("mapRoles", text, "rolearn")[0]["groups"] == ["g"]


def test_parse_accounts_quoted_unquoted_and_octal_looking():
    text = '- 123456789012\n- "210987654321"\n- \'111122223333\'\n- 012345670123\n'
    assert parse_accounts(text) == ["123456789012", "210987654321", "111122223333", "012345670123"]
    assert parse_accounts("[123456789012, '210987654321']") == ["123456789012", "210987654321"]


@pytest.mark.parametrize("text", ["", "   \n", "``", '""', "# only a comment\n"])
def test_parse_skippable_values_are_empty(text):
    assert parse_entries("mapRoles", text, "rolearn") == []
    assert parse_accounts(text) == []


def test_parse_keys_are_case_insensitive_like_the_authenticator():
    entries = parse_entries("mapRoles", "- RoleARN: arn:aws:iam::123456789012:role/a\n  UserName: a\n",
                            "rolearn")
    assert entries == [{"RoleARN": "arn:aws:iam::123456789012:role/a", "UserName": "a"}]


def test_parse_keeps_sso_matchers_and_unknown_fields():
    text = ("- sso: {permissionSetName: Admins, accountID: '123456789012'}\n  username: admin\n"
            "- rolearn: arn:aws:iam::123456789012:role/a\n  username: a\n  userid: AROAXXX\n")
    entries = parse_entries("mapRoles", text, "rolearn")
    assert entries[0]["sso"]["permissionSetName"] == "Admins"
    assert entries[1]["userid"] == "AROAXXX"


def test_parse_bad_yaml_names_key_and_position():
    with pytest.raises(AwsAuthParseError) as exc:
        parse_aws_auth({"mapRoles": "- rolearn: a\n  username: [b\n"})
    msg = str(exc.value)
    assert "mapRoles" in msg and "not valid YAML" in msg and "line" in msg


@pytest.mark.parametrize("text, expect", [
    ("rolearn: arn:aws:iam::123456789012:role/a\n", "expected a YAML list"),
    ("- just a string\n", "mapRoles[0]: expected a mapping"),
    ("- username: a\n", "mapRoles[0]: has no rolearn"),
    ("- rolearn: arn:aws:iam::123456789012:role/a\n  groups: system:masters\n", "mapRoles[0].groups"),
    ("- rolearn: arn:aws:iam::123456789012:role/a\n  username: 42\n", "mapRoles[0].username"),
    ("- rolearn: 42\n", "mapRoles[0].rolearn"),
])
def test_parse_wrong_shape(text, expect):
    with pytest.raises(AwsAuthParseError) as exc:
        parse_aws_auth({"mapRoles": text})
    assert expect in str(exc.value)


def test_parse_reports_every_key():
    with pytest.raises(AwsAuthParseError) as exc:
        parse_aws_auth({"mapRoles": "{", "mapUsers": "- 1\n", "mapAccounts": "a: b"})
    assert len(exc.value.problems) == 3


# ------------------------------------------------------------------------------------ validate
@pytest.mark.parametrize("arn", [
    "arn:aws:iam::123456789012:role/a",
    "arn:aws-cn:iam::123456789012:role/a.b@c+d=e,f_g-h",
    "arn:aws-us-gov:iam::123456789012:role/team/x",
])
def test_valid_role_arns(arn):
    assert check_arn(arn, "roles") == []


@pytest.mark.parametrize("arn, kind, fragment", [
    ("arn:aws-mars:iam::123456789012:role/a", "roles", "partition"),
    ("arn:aws:iam::12345678901:role/a", "roles", "not 12 digits"),
    ("arn:aws:iam::123456789012:user/a", "roles", "list it under users"),
    ("arn:aws:iam::123456789012:role/a", "users", "list it under roles"),
    ("arn:aws:sts::123456789012:assumed-role/Admin/bob", "roles",
     "use arn:aws:iam::123456789012:role/Admin"),
    ("arn:aws:sts::123456789012:federated-user/bob", "users", "STS ARN"),
    ("arn:aws:iam:us-east-1:123456789012:role/a", "roles", "no region"),
    ("arn:aws:s3:::bucket", "roles", "not iam"),
    ("role/a", "roles", "not an ARN"),
    (" arn:aws:iam::123456789012:role/a", "roles", "whitespace"),
    ("arn:aws:iam::123456789012:role/", "roles", "not a valid IAM name"),
    ("arn:aws:iam::123456789012:role/a b", "roles", "not a valid IAM name"),
    ("arn:aws:iam::123456789012:role//x", "roles", "invalid segment"),
    ("", "roles", "empty"),
])
def test_invalid_arns(arn, kind, fragment):
    problems = check_arn(arn, kind)
    assert problems and fragment in " ".join(problems)


def test_normalize_role_arn():
    assert normalize_role_arn("arn:aws:iam::123456789012:role/team/x") == "arn:aws:iam::123456789012:role/x"
    assert normalize_role_arn(
        "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_A_1") == \
        "arn:aws:iam::123456789012:role/AWSReservedSSO_A_1"
    assert normalize_role_arn("arn:aws:iam::123456789012:role/x") == "arn:aws:iam::123456789012:role/x"
    assert normalize_role_arn("arn:aws:iam::123456789012:user/p/x") == "arn:aws:iam::123456789012:user/p/x"


@pytest.mark.parametrize("value", ["system:node:{{EC2PrivateDNSName}}", "{{SessionName}}", "a-{{SessionNameRaw}}",
                                   "{{AccountID}}:{{AccessKeyID}}", "plain", "x{y}"])
def test_good_templates(value):
    assert check_template(value) == []


@pytest.mark.parametrize("value, fragment", [
    ("{{Session}}", "unknown placeholder {{Session}}"),
    ("{{ SessionName }}", "write {{SessionName}}, without spaces"),
    ("{{SessionName}", "unbalanced"),
    ("a}}", "unbalanced"),
])
def test_bad_templates(value, fragment):
    assert fragment in " ".join(check_template(value))


def test_validation_reports_every_problem_with_option_and_index():
    with pytest.raises(AwsAuthValidationError) as exc:
        validate_params({
            "roles": [role("ok"), {"arn": "arn:aws:sts::123456789012:assumed-role/Admin/bob", "username": "x"},
                      role("admin", groups=["system:masters"]), {"arn": NODE, "username": "{{Nope}}"},
                      {"arn": NODE.replace("node", "n2")}],
            "users": [{"arn": "arn:aws:iam::123456789012:role/x", "username": "x"},
                      user("u", groups=["", " g"])],
            "accounts": ["123", 12345678901, True, "123456789012"],
        })
    problems = exc.value.problems
    text = "\n".join(problems)
    for fragment in ("roles[1].arn", "roles[2].groups: system:masters", "roles[3].username: unknown placeholder",
                     "roles[4].username: required", "users[0].arn", "users[1].groups[0]",
                     "users[1].groups[1]", "accounts[0]", "accounts[1]", "accounts[2]"):
        assert fragment in text, fragment
    assert "accounts[3]" not in text and "roles[0]" not in text
    assert str(exc.value).startswith("invalid input (10 problems)")


def test_validation_system_masters_allowed_warns():
    req = validate_params({"roles": [role("admin", groups=["system:masters"])], "allow_cluster_admin": True})
    assert any("system:masters" in w for w in req["warnings"])


def test_validation_path_normalized_or_kept_with_warning():
    req = validate_params({"roles": [role("team/x")]})
    assert req["roles"][0]["arn"] == "arn:aws:iam::123456789012:role/x"
    assert "has a path" in req["warnings"][0]
    req = validate_params({"roles": [role("team/x")], "normalize_arns": False})
    assert req["roles"][0]["arn"] == "arn:aws:iam::123456789012:role/team/x"
    assert "never match" in req["warnings"][0]


def test_validation_user_paths_are_kept():
    req = validate_params({"users": [user("p/alice")]})
    assert req["users"][0]["arn"].endswith("user/p/alice") and req["warnings"] == []


def test_validation_duplicates_in_input_warn_last_wins():
    req = validate_params({"roles": [role("a", "first"), role("A", "second")]})
    assert any("duplicate of roles[0]" in w for w in req["warnings"])
    p = plan_aws_auth({}, req)
    assert roles_of(p["data"]) == [{"rolearn": "arn:aws:iam::123456789012:role/A", "username": "second",
                                    "groups": []}]


def test_validation_absent_needs_only_arn_and_purge_needs_present():
    assert validate_params({"roles": [{"arn": NODE}], "state": "absent"})["roles"][0]["arn"] == NODE
    with pytest.raises(AwsAuthValidationError) as exc:
        validate_params({"roles": [], "state": "absent", "purge": True})
    assert "purge" in str(exc.value)


def test_accounts_quoted_or_not():
    req = validate_params({"accounts": [123456789012, "210987654321", " 111122223333 "]})
    assert req["accounts"] == ["123456789012", "210987654321", "111122223333"]


# ------------------------------------------------------------------------------------ merge
def test_add_keeps_other_entries_order_keys_and_text():
    users = "- userarn: arn:aws:iam::123456789012:user/alice\n  username: alice\n  groups: [g]  # keep me\n"
    data = {"mapRoles": NODE_TEXT, "mapUsers": users, "other": "unknown: key\n"}
    p = plan(data, roles=[role("dev", "dev:{{SessionName}}", ["devs"])])
    assert p["changed"] and p["added"] == ["arn:aws:iam::123456789012:role/dev"]
    assert p["data"]["mapUsers"] == users and p["data"]["other"] == "unknown: key\n"
    assert p["data"]["mapRoles"].startswith(NODE_TEXT)  # appended: the existing text is kept
    assert [e["rolearn"] for e in roles_of(p["data"])] == [NODE, "arn:aws:iam::123456789012:role/dev"]
    assert list(p["data"]) == ["mapRoles", "mapUsers", "other"]
    again = plan(p["data"], roles=[role("dev", "dev:{{SessionName}}", ["devs"])])
    assert not again["changed"] and again["added"] == again["updated"] == again["removed"] == []
    assert again["data"] == p["data"]


def test_append_keeps_comments_but_full_render_when_needed():
    text = "# hand-written\n" + NODE_TEXT
    p = plan({"mapRoles": text}, roles=[role("dev")])
    assert p["data"]["mapRoles"].startswith(text)
    p = plan({"mapRoles": "[" + "{rolearn: %s, username: n}" % NODE + "]"}, roles=[role("dev")])
    assert roles_of(p["data"])[1]["rolearn"].endswith("role/dev")


def test_append_to_indented_list_falls_back_to_full_render():
    text = "  - rolearn: %s\n    username: n\n" % NODE
    p = plan({"mapRoles": text}, roles=[role("dev")])
    assert [e["rolearn"] for e in roles_of(p["data"])] == [NODE, "arn:aws:iam::123456789012:role/dev"]


def test_groups_order_is_not_a_change_username_is():
    data = {"mapRoles": NODE_TEXT}
    p = plan(data, roles=[{"arn": NODE, "username": "system:node:{{EC2PrivateDNSName}}",
                           "groups": ["system:nodes", "system:bootstrappers"]}])
    assert not p["changed"]
    p = plan(data, roles=[{"arn": NODE, "username": "system:node:{{SessionName}}",
                           "groups": ["system:nodes", "system:bootstrappers", "extra"]}])
    assert p["changed"] and p["updated"] == [NODE]
    assert roles_of(p["data"])[0]["groups"] == ["system:nodes", "system:bootstrappers", "extra"]


def test_groups_omitted_keeps_existing_groups():
    p = plan({"mapRoles": NODE_TEXT}, roles=[{"arn": NODE, "username": "system:node:{{SessionName}}"}])
    assert roles_of(p["data"])[0]["groups"] == ["system:bootstrappers", "system:nodes"]


def test_match_is_case_insensitive_and_converges_the_spelling():
    p = plan({"mapRoles": NODE_TEXT.replace("hardened-eks-sandbox-node", "Hardened-EKS-Sandbox-Node")},
             roles=[{"arn": NODE, "username": "system:node:{{EC2PrivateDNSName}}"}])
    assert p["updated"] == [NODE] and len(roles_of(p["data"])) == 1


def test_existing_entry_with_path_matches_and_is_rewritten():
    text = "- rolearn: arn:aws:iam::123456789012:role/team/dev\n  username: dev\n  groups: [devs]\n"
    p = plan({"mapRoles": NODE_TEXT + text}, roles=[role("dev", groups=["devs"])])
    assert p["updated"] == ["arn:aws:iam::123456789012:role/dev"] and p["added"] == []
    assert roles_of(p["data"])[1]["rolearn"] == "arn:aws:iam::123456789012:role/dev"
    other = plan({"mapRoles": NODE_TEXT + text}, roles=[role("other")])
    assert any("has a path" in w for w in other["warnings"])


def test_unknown_fields_and_case_of_keys_are_kept_on_update():
    text = "- RoleARN: arn:aws:iam::123456789012:role/a\n  UserName: old\n  userid: AROA1\n"
    p = plan({"mapRoles": text}, roles=[role("a", "new", ["g"])])
    assert roles_of(p["data"]) == [{"RoleARN": "arn:aws:iam::123456789012:role/a", "UserName": "new",
                                    "userid": "AROA1", "groups": ["g"]}]


def test_existing_duplicates_are_reported_and_updated_together():
    dup = NODE_TEXT + "- rolearn: arn:aws:iam::123456789012:role/a\n  username: a1\n" + \
        "- rolearn: arn:aws:iam::123456789012:role/A\n  username: a2\n"
    p = plan({"mapRoles": dup}, roles=[role("a", "a3")])
    assert any("2 entries" in w and "last one" in w for w in p["warnings"])
    assert [e["username"] for e in roles_of(p["data"])][1:] == ["a3", "a3"]


def test_absent_removes_and_reports():
    text = NODE_TEXT + "- rolearn: arn:aws:iam::123456789012:role/a\n  username: a\n"
    p = plan({"mapRoles": text}, roles=[{"arn": "arn:aws:iam::123456789012:role/a"},
                                        {"arn": "arn:aws:iam::123456789012:role/missing"}], state="absent")
    # the node role's entry keeps its own text (EKS's indentation), only the removed entry goes
    assert p["removed"] == ["arn:aws:iam::123456789012:role/a"] and p["data"]["mapRoles"] == NODE_TEXT
    again = plan(p["data"], roles=[{"arn": "arn:aws:iam::123456789012:role/a"}], state="absent")
    assert not again["changed"]


def test_removing_the_last_entry_leaves_an_empty_list():
    p = plan({"mapUsers": "- userarn: arn:aws:iam::123456789012:user/a\n  username: a\n"},
             users=[{"arn": "arn:aws:iam::123456789012:user/a"}], state="absent")
    assert p["data"]["mapUsers"] == "[]\n" and parse_aws_auth(p["data"])["mapUsers"] == []


# ------------------------------------------------------------------------------------ guards
def test_node_role_never_removed_by_absent():
    with pytest.raises(AwsAuthGuardError) as exc:
        plan({"mapRoles": NODE_TEXT}, roles=[{"arn": NODE}], state="absent")
    assert "allow_node_role_removal" in str(exc.value) and "roles[0]" in str(exc.value)
    p = plan({"mapRoles": NODE_TEXT}, roles=[{"arn": NODE}], state="absent", allow_node_role_removal=True)
    assert p["removed"] == [NODE] and any("allow_node_role_removal" in w for w in p["warnings"])


def test_purge_spares_node_roles_and_reports_them_kept():
    # EKS adds node roles by itself; a purge of the user's own list must neither fail nor remove them.
    for flag in (False, True):
        p = plan({"mapRoles": NODE_TEXT}, roles=[role("dev")], purge=True, allow_node_role_removal=flag)
        assert p["removed"] == [] and p["kept"] == [NODE] and p["added"] == ["arn:aws:iam::123456789012:role/dev"]
        assert NODE in [e["rolearn"] for e in roles_of(p["data"])]
    # listed, it is not "kept" but matched
    assert plan({"mapRoles": NODE_TEXT}, roles=[{"arn": NODE, "username": "system:node:{{EC2PrivateDNSName}}",
                                                 "groups": ["system:bootstrappers", "system:nodes"]}],
                purge=True)["kept"] == []


def test_fargate_role_guarded_too():
    text = ("- rolearn: arn:aws:iam::123456789012:role/fargate\n  username: system:node:{{SessionName}}\n"
            "  groups: [system:bootstrappers, system:nodes, system:node-proxier]\n")
    with pytest.raises(AwsAuthGuardError):
        plan({"mapRoles": text}, roles=[{"arn": "arn:aws:iam::123456789012:role/fargate"}], state="absent")


def test_losing_node_groups_counts_as_removal():
    with pytest.raises(AwsAuthGuardError) as exc:
        plan({"mapRoles": NODE_TEXT}, roles=[{"arn": NODE, "username": "system:node:{{EC2PrivateDNSName}}",
                                              "groups": ["system:nodes"]}])
    assert "system:bootstrappers" in str(exc.value)
    # adding a group keeps the node groups: fine
    p = plan({"mapRoles": NODE_TEXT}, roles=[{"arn": NODE, "username": "system:node:{{EC2PrivateDNSName}}",
                                              "groups": ["system:nodes", "system:bootstrappers", "x"]}])
    assert p["updated"] == [NODE]


def test_purge_keeps_sso_matchers_and_warns_about_admins():
    text = ("- sso: {permissionSetName: Admins, accountID: '123456789012'}\n  username: admin\n"
            "- rolearn: arn:aws:iam::123456789012:role/old-admin\n  username: x\n  groups: [system:masters]\n")
    p = plan({"mapRoles": text}, roles=[], purge=True)
    assert p["removed"] == ["arn:aws:iam::123456789012:role/old-admin"]
    assert len(roles_of(p["data"])) == 1 and any("kept by purge" in w for w in p["warnings"])
    assert any("system:masters" in w for w in p["warnings"])


def test_all_guard_problems_in_one_failure():
    text = NODE_TEXT + NODE_TEXT.replace("sandbox-node", "other-node")
    with pytest.raises(AwsAuthGuardError) as exc:
        plan({"mapRoles": text}, roles=[{"arn": NODE}, {"arn": NODE.replace("sandbox-node", "other-node")}],
             state="absent")
    assert len(exc.value.problems) == 2


# ------------------------------------------------------------------------------------ accounts, unmanaged keys
def test_accounts_add_remove_purge():
    data = {"mapAccounts": "- 123456789012\n- '210987654321'\n"}
    p = plan(data, accounts=["111122223333", 123456789012])
    assert p["added"] == ["111122223333"] and parse_accounts(p["data"]["mapAccounts"]) == [
        "123456789012", "210987654321", "111122223333"]
    assert p["data"]["mapAccounts"].startswith(data["mapAccounts"])
    assert not plan(p["data"], accounts=["111122223333"])["changed"]
    p = plan(data, accounts=["210987654321"], state="absent")
    assert p["removed"] == ["210987654321"] and parse_accounts(p["data"]["mapAccounts"]) == ["123456789012"]
    p = plan(data, accounts=["210987654321"], purge=True)
    assert p["removed"] == ["123456789012"] and parse_accounts(p["data"]["mapAccounts"]) == ["210987654321"]


def test_malformed_managed_key_fails_unmanaged_key_warns():
    data = {"mapRoles": NODE_TEXT, "mapUsers": "- userarn: [oops\n"}
    with pytest.raises(AwsAuthParseError) as exc:
        plan(data, users=[user("a")])
    assert "mapUsers" in str(exc.value)
    p = plan(data, roles=[role("dev")])
    assert p["changed"] and p["data"]["mapUsers"] == data["mapUsers"]
    assert any(w.startswith("mapUsers is left unchanged") for w in p["warnings"])


def test_missing_configmap_data():
    p = plan(None, roles=[role("dev", groups=["g"])])
    assert p["changed"] and set(p["data"]) == {"mapRoles"}
    assert p["diff"]["before"] == ""
    assert not plan(None, roles=[], purge=True)["changed"]
    assert not plan(None, roles=[{"arn": NODE}], state="absent")["changed"]


# ------------------------------------------------------------------------------------ render / diff
def test_render_round_trip_and_templates_stay_plain():
    items = yaml.safe_load(NODE_TEXT)
    text = render_list(items)
    assert yaml.safe_load(text) == items
    assert "username: system:node:{{EC2PrivateDNSName}}" in text
    assert render_list([]) == "[]\n"


def test_display_is_readable_yaml_that_reads_back():
    data = {"mapRoles": NODE_TEXT, "mapAccounts": "- '123456789012'", "other": "x"}
    text = display(data)
    assert text.startswith("mapRoles: |\n  - rolearn: ")
    assert "other" not in text
    assert yaml.safe_load(text) == {"mapRoles": NODE_TEXT, "mapAccounts": "- '123456789012'"}
    odd = {"mapUsers": "  - userarn: x\n\n\n", "mapRoles": ""}
    assert yaml.safe_load(display(odd)) == odd


def test_diff_before_after():
    p = plan({"mapRoles": NODE_TEXT}, roles=[role("dev")])
    assert p["diff"]["before"] == display({"mapRoles": NODE_TEXT})
    assert "role/dev" in p["diff"]["after"] and "role/dev" not in p["diff"]["before"]


# ------------------------------------------------------------------------------------ scale
def test_two_thousand_entries_plan_quickly():
    many = [role("r%04d" % i, "u%d:{{SessionName}}" % i, ["g1", "g2"]) for i in range(2000)]
    t0 = time.time()
    req = validate_params({"roles": many})
    p = plan_aws_auth({"mapRoles": NODE_TEXT}, req)
    again = plan_aws_auth(p["data"], req)
    elapsed = time.time() - t0
    assert len(p["added"]) == 2000 and not again["changed"]
    assert len(roles_of(p["data"])) == 2001
    assert elapsed < 3.0, elapsed


# ------------------------------------------------------------------------------------ properties
_name = st.from_regex(r"[A-Za-z0-9_+=,.@-]{1,20}", fullmatch=True)
_group = st.from_regex(r"[a-z][a-z0-9:-]{0,15}", fullmatch=True).filter(
    lambda g: g not in aa.NODE_GROUPS and g != aa.ADMIN_GROUP)
_entry = st.fixed_dictionaries({"arn": _name.map(lambda n: "arn:aws:iam::%s:role/%s" % (ACC, n)),
                                "username": _name, "groups": st.lists(_group, max_size=3)})


@settings(max_examples=60, deadline=None)
@given(existing=st.lists(_entry, max_size=8), wanted=st.lists(_entry, max_size=8))
def test_property_merge_is_idempotent_and_keeps_others(existing, wanted):
    base = plan_aws_auth({}, validate_params({"roles": existing}))["data"]
    req = validate_params({"roles": wanted})
    first = plan_aws_auth(base, req)
    second = plan_aws_auth(first["data"], req)
    assert not second["changed"]
    after = {e["rolearn"].lower(): e for e in parse_aws_auth(first["data"])["mapRoles"]}
    for e in parse_aws_auth(base)["mapRoles"]:
        assert e["rolearn"].lower() in after  # nothing lost
    for w in wanted:
        got = after[w["arn"].lower()]
        last = [x for x in wanted if x["arn"].lower() == w["arn"].lower()][-1]
        assert got["username"] == last["username"] and set(got["groups"]) == set(last["groups"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.fixed_dictionaries({"rolearn": st.text(min_size=1), "username": st.text(),
                                       "groups": st.lists(st.text())}), max_size=5))
def test_property_render_round_trips_any_text(items):
    assert yaml.safe_load(render_list(items)) == items


# ------------------------------------------------------------------------------------ ensure (fake API)
CM = "/api/v1/namespaces/kube-system/configmaps/aws-auth"


def FakeApi(obj=None):  # noqa: N802 - reads as the API server it builds
    """The shared in-memory API server, holding ``obj`` as kube-system/aws-auth."""
    return FakeApiServer(objects={CM: obj} if obj else None)


def other_writer(change):
    """A ``before_write`` hook: another writer changes aws-auth just before our first write."""
    def hook(method, key):
        if hook.done or key[3] != "aws-auth":
            return
        hook.done = True
        obj = hook.api.store[key]
        change(obj)
        hook.api.put(key[0], key[1], obj)
    hook.done = False
    return hook


def watch(api, hook):
    hook.api = api
    api.before_write = hook
    return api


def _cm(data):
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "aws-auth", "namespace": "kube-system", "resourceVersion": "1"}, "data": data}


def test_ensure_one_get_one_put_and_check_mode_writes_nothing():
    req = validate_params({"roles": [role("r%d" % i) for i in range(50)]})
    api = FakeApi(_cm({"mapRoles": NODE_TEXT}))
    changed, predicted_check = ensure_aws_auth(api, "kube-system", "aws-auth", req, check_mode=True)
    assert changed and [c[0] for c in api.calls] == ["GET"]
    api.calls = []
    changed, predicted = ensure_aws_auth(api, "kube-system", "aws-auth", req)
    assert changed and [c[0] for c in api.calls] == ["GET", "PATCH"]
    assert predicted == predicted_check
    api.calls = []
    changed, _p = ensure_aws_auth(api, "kube-system", "aws-auth", req)
    assert not changed and [c[0] for c in api.calls] == ["GET"]


def test_ensure_creates_when_missing_unless_told_not_to():
    req = validate_params({"roles": [role("dev")]})
    api = FakeApi(None)
    with pytest.raises(AwsAuthError) as exc:
        ensure_aws_auth(api, "kube-system", "aws-auth", req, create=False)
    assert "create=false" in str(exc.value) and [c[0] for c in api.calls] == ["GET"]
    changed, _p = ensure_aws_auth(api, "kube-system", "aws-auth", req)
    assert changed and api.calls[-1][:2] == ("POST", "/api/v1/namespaces/kube-system/configmaps")
    assert api.object(CM)["metadata"]["name"] == "aws-auth"


def test_ensure_reapplies_on_conflict_keeping_the_other_writer():
    def add_other(obj):  # someone else adds an entry between our read and our write
        obj["data"]["mapRoles"] += "- rolearn: arn:aws:iam::123456789012:role/other\n  username: o\n"

    api = watch(FakeApi(_cm({"mapRoles": NODE_TEXT})), other_writer(add_other))
    changed, predicted = ensure_aws_auth(api, "kube-system", "aws-auth", validate_params({"roles": [role("mine")]}),
                                         retries=3, sleep=lambda s: None)
    # the test of mapRoles' read value fails (422); one re-read serves as the next attempt's read
    assert changed and [c[0] for c in api.calls] == ["GET", "PATCH", "GET", "PATCH"]
    arns = [e["rolearn"] for e in yaml.safe_load(api.object(CM)["data"]["mapRoles"])]
    assert arns == [NODE, "arn:aws:iam::123456789012:role/other", "arn:aws:iam::123456789012:role/mine"]
    assert predicted["added"] == ["arn:aws:iam::123456789012:role/mine"]


def test_ensure_parse_or_guard_error_writes_nothing():
    api = FakeApi(_cm({"mapRoles": "- {"}))
    with pytest.raises(AwsAuthParseError):
        ensure_aws_auth(api, "kube-system", "aws-auth", validate_params({"roles": [role("dev")]}))
    api = FakeApi(_cm({"mapRoles": NODE_TEXT}))
    with pytest.raises(AwsAuthGuardError):
        ensure_aws_auth(api, "kube-system", "aws-auth", validate_params({"roles": [{"arn": NODE}], "state": "absent"}))
    assert [c[0] for c in api.calls] == ["GET"]


def test_ensure_patch_tests_only_the_keys_it_writes():
    """Another writer changing other keys, labels or annotations between our read and our write
    does not conflict: the patch tests and writes mapRoles only, the rest stays theirs."""
    def change_the_rest(obj):
        obj["data"]["other"] = "2"
        obj["metadata"]["annotations"] = {"a": "b"}

    api = watch(FakeApi(_cm({"mapRoles": NODE_TEXT, "other": "1"})), other_writer(change_the_rest))
    changed, _p = ensure_aws_auth(api, "kube-system", "aws-auth", validate_params({"roles": [role("mine")]}))
    assert changed and [c[0] for c in api.calls] == ["GET", "PATCH"]
    operations = api.bodies[1]
    assert [o["op"] for o in operations] == ["test", "replace"]
    assert {o["path"] for o in operations} == {"/data/mapRoles"}
    stored = api.object(CM)
    assert stored["data"]["other"] == "2" and stored["metadata"]["annotations"] == {"a": "b"}
    assert "role/mine" in stored["data"]["mapRoles"]


def test_ensure_new_key_is_tested_as_missing():
    """A key that did not exist is tested against null (missing): another writer that created it
    first makes the patch fail, and the re-planned patch keeps their entries."""
    def add_users(obj):
        obj["data"]["mapUsers"] = "- userarn: arn:aws:iam::123456789012:user/theirs\n  username: t\n"

    api = watch(FakeApi(_cm({"mapRoles": NODE_TEXT})), other_writer(add_users))
    req = validate_params({"users": [{"arn": "arn:aws:iam::123456789012:user/mine", "username": "m"}]})
    changed, predicted = ensure_aws_auth(api, "kube-system", "aws-auth", req, sleep=lambda s: None)
    assert changed and [c[0] for c in api.calls] == ["GET", "PATCH", "GET", "PATCH"]
    users = [e["userarn"] for e in yaml.safe_load(api.object(CM)["data"]["mapUsers"])]
    assert users == ["arn:aws:iam::123456789012:user/theirs", "arn:aws:iam::123456789012:user/mine"]
    assert predicted["added"] == ["arn:aws:iam::123456789012:user/mine"]


def test_ensure_lost_answer_of_an_applied_patch_reports_the_change():
    """The patch is applied but the connection drops before its answer. K8sApi repeats the
    guarded patch; its tests fail (422) because the first one was applied. The re-read shows
    exactly this run's planned data: reported as changed, with what was added, applied once."""
    api = FakeApi(_cm({"mapRoles": NODE_TEXT}))
    api.inject("connection", "PATCH", after=True)
    changed, predicted = ensure_aws_auth(api, "kube-system", "aws-auth", validate_params({"roles": [role("mine")]}),
                                         sleep=lambda s: None)
    assert changed and predicted["added"] == ["arn:aws:iam::123456789012:role/mine"]
    assert [c[0] for c in api.calls] == ["GET", "PATCH", "PATCH", "GET"]
    assert len(api.slept) == 1
    assert api.object(CM)["data"]["mapRoles"].count("role/mine") == 1


def test_ensure_unrelated_422_is_raised_not_retried():
    api = FakeApi(_cm({"mapRoles": NODE_TEXT}))
    api.inject(422, "PATCH", times=None)
    with pytest.raises(K8sApiError):
        ensure_aws_auth(api, "kube-system", "aws-auth", validate_params({"roles": [role("mine")]}))
    assert [c[0] for c in api.calls] == ["GET", "PATCH", "GET"]


def test_patch_operations_pointer_escaping_and_removal():
    from ansible_collections.hardened.eks.plugins.module_utils.aws_auth import patch_operations
    cur = {"metadata": {"resourceVersion": "9"}, "data": {"a/b~c": "1", "gone": "x"}}
    ops = patch_operations(cur, {"a/b~c": "2"})
    assert ops == [{"op": "test", "path": "/data/a~1b~0c", "value": "1"},
                   {"op": "test", "path": "/data/gone", "value": "x"},
                   {"op": "replace", "path": "/data/a~1b~0c", "value": "2"},
                   {"op": "remove", "path": "/data/gone"}]
    assert patch_operations(cur, {"a/b~c": "1", "gone": "x", "new": "n"}) == [
        {"op": "test", "path": "/data/new", "value": None}, {"op": "add", "path": "/data/new", "value": "n"}]
    assert patch_operations({"metadata": {"resourceVersion": "9"}}, {"k": "v"}) == [
        {"op": "test", "path": "/metadata/resourceVersion", "value": "9"},
        {"op": "add", "path": "/data", "value": {"k": "v"}}]


def test_ensure_gives_up_after_bounded_conflicts_writing_nothing():
    from ansible_collections.hardened.eks.plugins.module_utils._k8s import ConflictRetriesExceeded
    api = FakeApi(None)
    api.inject(409, "POST", times=None)  # every create races another writer
    pauses = []
    with pytest.raises(ConflictRetriesExceeded) as exc:
        ensure_aws_auth(api, "kube-system", "aws-auth", validate_params({"roles": [role("mine")]}),
                        retries=3, sleep=pauses.append)
    assert "gave up after 4 conflicting concurrent updates of kube-system/aws-auth" in str(exc.value)
    assert [c[0] for c in api.calls] == ["GET", "POST"] * 4 and len(pauses) == 3
    assert api.object(CM) is None


def test_node_groups_on_a_persons_role_are_refused_before_any_read():
    with pytest.raises(AwsAuthError) as exc:
        validate_params({"roles": [{"arn": "arn:aws:iam::123456789012:role/dev", "username": "dev",
                                    "groups": ["system:nodes", "devs"]}]})
    assert "roles[0].groups" in str(exc.value) and "the groups of nodes" in str(exc.value)
    # a node role written the node way is fine
    validate_params({"roles": [{"arn": NODE, "username": "system:node:{{EC2PrivateDNSName}}",
                                "groups": ["system:bootstrappers", "system:nodes"]}]})


COMMENTED = """# managed by the platform team
- rolearn: %s
  username: system:node:{{EC2PrivateDNSName}}
  groups:
      - system:bootstrappers
      - system:nodes
# CI deploys with this one
- rolearn: arn:aws:iam::123456789012:role/ci
  username: ci
  groups: [deployers]
- rolearn: arn:aws:iam::123456789012:role/old
  username: old
""" % NODE


def test_an_update_keeps_the_text_of_every_untouched_entry_and_its_comment():
    p = plan({"mapRoles": COMMENTED}, roles=[{"arn": "arn:aws:iam::123456789012:role/ci", "username": "ci",
                                              "groups": ["deployers", "viewers"]}])
    text = p["data"]["mapRoles"]
    node_part = COMMENTED[:COMMENTED.index("# CI deploys")]
    assert text.startswith(node_part)                       # head comment and node entry, byte for byte
    assert text.endswith("- rolearn: arn:aws:iam::123456789012:role/old\n  username: old\n")
    assert "groups: [deployers]" not in text and "# CI deploys with this one" not in text
    assert yaml.safe_load(text)[1] == {"rolearn": "arn:aws:iam::123456789012:role/ci", "username": "ci",
                                       "groups": ["deployers", "viewers"]}
    assert p["updated"] == ["arn:aws:iam::123456789012:role/ci"]


def test_a_removal_keeps_the_others_and_an_addition_goes_at_the_end_in_the_lists_indentation():
    indented = "".join("  " + line for line in COMMENTED.splitlines(True))
    p = plan({"mapRoles": indented}, roles=[{"arn": "arn:aws:iam::123456789012:role/old"}], state="absent")
    assert p["data"]["mapRoles"] == indented[:indented.index("  - rolearn: arn:aws:iam::123456789012:role/old")]
    p = plan({"mapRoles": indented}, roles=[{"arn": "arn:aws:iam::123456789012:role/new", "username": "new",
                                             "groups": ["viewers"]}])
    assert p["data"]["mapRoles"].startswith(indented)
    assert p["data"]["mapRoles"][len(indented):] == (
        "  - rolearn: arn:aws:iam::123456789012:role/new\n    username: new\n    groups:\n    - viewers\n")


def test_a_flow_style_list_is_rendered_whole():
    flow = "[{rolearn: %s, username: 'system:node:{{EC2PrivateDNSName}}', groups: [system:nodes]}]" % NODE
    p = plan({"mapRoles": flow}, roles=[{"arn": "arn:aws:iam::123456789012:role/x", "username": "x", "groups": ["v"]}])
    assert p["data"]["mapRoles"] == render_list(yaml.safe_load(p["data"]["mapRoles"]))
    assert len(yaml.safe_load(p["data"]["mapRoles"])) == 2


def test_the_summary_names_each_entry_and_what_changed_in_it():
    p = plan({"mapRoles": COMMENTED}, purge=True,
             roles=[{"arn": "arn:aws:iam::123456789012:role/ci", "username": "ci", "groups": ["deployers", "viewers"]},
                    {"arn": "arn:aws:iam::123456789012:role/new", "username": "new", "groups": ["viewers"]}])
    assert p["summary"] == (
        "added 1: arn:aws:iam::123456789012:role/new; "
        "updated 1: arn:aws:iam::123456789012:role/ci (groups [deployers] -> [deployers, viewers]); "
        "removed 1: arn:aws:iam::123456789012:role/old; "
        "kept by purge 1: %s" % NODE)
    assert plan({"mapRoles": COMMENTED}, roles=[])["summary"] == "no change"
