"""playbooks/awx_controller.yml, checked offline (there is no AWX here): every awx.awx task's
arguments are options of its module with allowed values, the surveys are valid AWX survey specs
whose variables the playbooks read, the credential type injects only its own inputs, and the
workflow runs job templates the playbook creates."""
import json
import os
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAYBOOK = os.path.join(ROOT, "playbooks", "awx_controller.yml")
BIN = os.path.dirname(sys.executable)
SURVEY_TYPES = {"text", "textarea", "password", "integer", "float", "multiplechoice", "multiselect"}


def _env():
    return dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_PYTHON_INTERPRETER=sys.executable)


@pytest.fixture(scope="module")
def tasks():
    with open(PLAYBOOK) as fh:
        return yaml.safe_load(fh)[0]["tasks"]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The playbook's variables as Ansible renders them."""
    out = tmp_path_factory.mktemp("awx") / "vars.json"
    play = tmp_path_factory.mktemp("awxplay") / "render.yml"
    content = ("{{ {'templates': _hardened_eks_awx_job_templates, 'inputs': _hardened_eks_awx_credential_inputs, "
               "'injectors': _hardened_eks_awx_credential_injectors} | to_json }}")
    play.write_text(yaml.safe_dump([{
        "hosts": "localhost", "connection": "local", "gather_facts": False,
        "vars_files": [os.path.join(ROOT, "playbooks", "vars", "awx_controller.yml")],
        "tasks": [{"ansible.builtin.copy": {"dest": str(out), "mode": "0600", "content": content}}]}]))
    subprocess.run([os.path.join(BIN, "ansible-playbook"), str(play), "-i", "localhost,"], env=_env(), check=True,
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def options():
    names = sorted(set(t_module(t) for t in yaml.safe_load(open(PLAYBOOK))[0]["tasks"]))
    out = subprocess.run([os.path.join(BIN, "ansible-doc"), "-j"] + names, env=_env(), check=True,
                         stdout=subprocess.PIPE, timeout=300).stdout
    return dict((name, doc["doc"]["options"]) for name, doc in json.loads(out).items())


def t_module(task):
    (name,) = [k for k in task if k.startswith("awx.awx.")]
    return name


def test_every_argument_is_an_option_with_an_allowed_value(tasks, options, rendered):
    by_name = dict((t["name"], t) for t in tasks)
    for task in tasks:
        module = t_module(task)
        args = task[module]
        unknown = sorted(set(args) - set(options[module]))
        assert unknown == [], (task["name"], unknown)
        for key, value in args.items():
            choices = options[module][key].get("choices")
            if choices and isinstance(value, str) and "{{" not in value:
                assert value in choices, (task["name"], key, value)
    # the looped job templates: their job types are the module's
    job_types = options["awx.awx.job_template"]["job_type"]["choices"]
    assert sorted(t["job_type"] for t in rendered["templates"]) == ["check", "run", "run", "run"]
    assert all(t["job_type"] in job_types for t in rendered["templates"])
    assert by_name["Workflow, site then verify"]


def test_the_surveys_are_valid_and_set_variables_the_playbooks_read(rendered):
    verify_spec = yaml.safe_load(open(os.path.join(ROOT, "roles", "verify", "meta", "argument_specs.yml")))
    verify_opts = verify_spec["argument_specs"]["main"]["options"]
    site = open(os.path.join(ROOT, "playbooks", "site.yml")).read()
    teardown = open(os.path.join(ROOT, "playbooks", "teardown.yml")).read()
    seen = {}
    for template in rendered["templates"]:
        assert os.path.exists(os.path.join(ROOT, template["playbook"])), template["playbook"]
        survey = template["survey"]
        assert survey["name"] and isinstance(survey["description"], str)
        for q in survey["spec"]:
            assert q["type"] in SURVEY_TYPES and q["question_name"] and q["variable"], q
            if q["type"] in ("multiplechoice", "multiselect"):
                assert isinstance(q["choices"], list) and q["choices"], q
                defaults = q["default"].split("\n") if q["type"] == "multiselect" else [q["default"]]
                assert set(defaults) <= set(q["choices"]), q
            seen.setdefault(template["playbook"], set()).add(q["variable"])
    assert seen["playbooks/site.yml"] == {"hardened_eks_layers"} and "hardened_eks_layers" in site
    for variable in seen["playbooks/verify.yml"]:
        assert variable in verify_opts, variable
    assert verify_opts["verify_fail_on"]["choices"] == ["fail", "warn", "never"]
    for variable in seen["playbooks/teardown.yml"]:
        assert variable in teardown, variable
    layers = [q for t in rendered["templates"] for q in t["survey"]["spec"] if q["variable"] == "hardened_eks_layers"]
    assert layers[0]["choices"] == ["cluster", "vpc_cni", "iam_authenticator", "calico", "kube2iam"]


def test_the_credential_type_injects_only_its_own_inputs(rendered):
    ids = set(f["id"] for f in rendered["inputs"]["fields"])
    assert set(rendered["inputs"]["required"]) <= ids
    env = rendered["injectors"]["env"]
    assert env["AWS_REGION"] == "{{ region }}" and env["HARDENED_EKS_OUTPUT_DIR"] == "{{ output_dir }}"
    assert env["K8S_AUTH_KUBECONFIG"] == "{{ tower.filename.kubeconfig }}"
    assert rendered["injectors"]["file"] == {"template.kubeconfig": "{{ kubeconfig }}"}
    kubeconfig = [f for f in rendered["inputs"]["fields"] if f["id"] == "kubeconfig"][0]
    assert kubeconfig["secret"] is True and kubeconfig["multiline"] is True


def test_the_workflow_runs_site_then_verify_templates_that_exist(tasks, rendered):
    wf = [t for t in tasks if "awx.awx.workflow_job_template" in t][0]["awx.awx.workflow_job_template"]
    names = set(t["name"] for t in rendered["templates"])
    nodes = dict((n["identifier"], n) for n in wf["workflow_nodes"])
    assert [n["unified_job_template"]["name"] for n in wf["workflow_nodes"]] == ["hardened.eks site", "hardened.eks verify"]
    assert all(n["unified_job_template"]["name"] in names for n in nodes.values())
    assert nodes["site"]["related"]["success_nodes"] == [{"identifier": "verify"}]
