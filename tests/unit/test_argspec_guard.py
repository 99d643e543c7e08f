"""argspec_guard: options with sub-options given a non-mapping are found (ansible-core would
crash on them) and relaxed to raw for a clean failure."""
import pytest

from ansible.module_utils.basic import AnsibleModule
from tests.module_args import patch_module_args

from ansible_collections.hardened.eks.plugins.module_utils import argspec_guard

SPEC = {
    "name": {"type": "str"},
    "trust": {"type": "dict", "aliases": ["t"], "options": {
        "kube2iam": {"type": "dict", "options": {"node_role_arns": {"type": "list", "elements": "str"}}},
        "irsa": {"type": "dict", "options": {"namespace": {"type": "str"}}},
    }},
    "tags": {"type": "dict"},
}


@pytest.mark.parametrize("params,expected", [
    ({"trust": False}, [("trust", "bool")]),
    ({"t": 5}, [("trust", "int")]),
    ({"trust": [1]}, [("trust", "list")]),
    ({"trust": {"kube2iam": True, "irsa": 2.5}}, [("trust.irsa", "float"), ("trust.kube2iam", "bool")]),
    ({"trust": {"kube2iam": {"node_role_arns": ["a"]}}, "tags": 5}, []),  # tags has no sub-options
    ({"trust": "kube2iam={}"}, []),  # strings are ansible-core's to parse or refuse
    ({"trust": None, "name": True}, []),
])
def test_non_mapping_suboptions(params, expected):
    assert argspec_guard.non_mapping_suboptions(params, SPEC) == expected


def test_ansible_core_still_crashes_without_the_guard():
    """The reason for the guard: if this starts passing, ansible-core fixed it."""
    with patch_module_args({"trust": False}):
        with pytest.raises(TypeError):
            AnsibleModule(argument_spec=SPEC)


@pytest.mark.parametrize("params", [{"trust": False}, {"trust": {"kube2iam": 5}}])
def test_relaxed_spec_lets_the_module_start_and_fail_cleanly(params, capsys):
    problems = argspec_guard.non_mapping_suboptions(params, SPEC)
    spec = argspec_guard.relaxed_spec(SPEC, problems)
    assert SPEC["trust"]["type"] == "dict" and SPEC["trust"]["options"]["kube2iam"]["type"] == "dict"  # copy
    with patch_module_args(params):
        module = AnsibleModule(argument_spec=spec)
    assert "must be a dictionary, got int" in argspec_guard.message(problems) or \
        "must be a dictionary, got bool" in argspec_guard.message(problems)
    if isinstance(params["trust"], dict):
        assert module.params["trust"]["kube2iam"] == 5 and module.params["trust"]["irsa"] is None
    else:
        assert module.params["trust"] is False
