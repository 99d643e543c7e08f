"""site.yml and verify.yml run as AWX runs them (issue 18): through ansible-runner, in the
private data directory AWX prepares (project/, inventory/, env/envvars, env/extravars,
artifacts/), and over the streaming path of AWX's execution nodes:
``ansible-runner transmit DIR | ansible-runner worker | ansible-runner process DIR2``.
The checks read what AWX reads: the job events, the status and rc, and the set_stats
artifacts of the verify role."""
import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from tests.integration.fixtures import ROOT

RUNNER = os.path.join(os.path.dirname(sys.executable), "ansible-runner")


def _private_data_dir(base, sandbox, playbook_vars=None):
    """project/ holds the playbooks (AWX checks the project out there), inventory/ the sandbox
    inventory, env/envvars what a credential injects, env/extravars the survey answers."""
    shutil.copytree(os.path.join(ROOT, "playbooks"), str(base / "project" / "playbooks"))
    shutil.copytree(os.path.join(ROOT, "inventories", "sandbox"), str(base / "inventory"))
    (base / "env").mkdir()
    keep = ("AWS_", "K8S_AUTH_", "KUBECONFIG", "ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_HOME", "PATH", "HOME",
            "HARDENED_EKS_", "VIRTUAL_ENV", "SSL_CERT_FILE")
    envvars = dict((k, v) for k, v in sandbox.env.items() if k.startswith(keep))
    envvars.update({"ANSIBLE_PYTHON_INTERPRETER": sys.executable, "ANSIBLE_NOCOLOR": "1",
                    "HARDENED_EKS_OUTPUT_DIR": str(base / "output")})
    (base / "env" / "envvars").write_text(yaml.safe_dump(envvars))
    (base / "env" / "extravars").write_text(yaml.safe_dump(playbook_vars or {}))
    return base


def _stream(source, target, playbook, ident):
    """transmit | worker | process, as AWX's receptor work units do."""
    transmit = subprocess.Popen([RUNNER, "transmit", str(source), "-p", playbook, "--ident", ident],
                                stdout=subprocess.PIPE)
    worker = subprocess.Popen([RUNNER, "worker"], stdin=transmit.stdout, stdout=subprocess.PIPE)
    transmit.stdout.close()
    process = subprocess.run([RUNNER, "process", str(target), "--ident", ident], stdin=worker.stdout,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=1200, check=False)
    worker.stdout.close()
    assert worker.wait(timeout=60) == 0 and transmit.wait(timeout=60) == 0
    return process.returncode, process.stdout.decode("utf-8", "replace")


def _artifacts(target, ident):
    art = target / "artifacts" / ident
    events = []
    for name in sorted(os.listdir(str(art / "job_events")), key=lambda n: int(n.split("-")[0])):
        with open(str(art / "job_events" / name)) as fh:
            events.append(json.load(fh))
    return {"status": (art / "status").read_text().strip(), "rc": int((art / "rc").read_text()),
            "events": events, "stdout": (art / "stdout").read_text()}


@pytest.fixture(scope="module")
def streamed(sandbox, tmp_path_factory):
    out = {}
    for name in ("site", "verify"):
        base = tmp_path_factory.mktemp("awx-%s-source" % name)
        # the sandbox inventory writes reports under $PWD: a survey answer puts them elsewhere
        source = _private_data_dir(base, sandbox, {"verify_report_dir": str(base / "reports")} if name == "verify" else {})
        target = tmp_path_factory.mktemp("awx-%s-target" % name)
        rc, text = _stream(source, target, "playbooks/%s.yml" % name, "job-%s" % name)
        out[name] = dict(_artifacts(target, "job-%s" % name), process_rc=rc, process_out=text, source=source)
    return out


@pytest.mark.parametrize("name", ["site", "verify"])
def test_the_streamed_job_succeeds_with_its_events_and_artifacts(streamed, name):
    job = streamed[name]
    assert (job["status"], job["rc"], job["process_rc"]) == ("successful", 0, 0), job["stdout"][-3000:]
    kinds = [e["event"] for e in job["events"]]
    assert kinds[0] == "playbook_on_start" and kinds[-1] == "playbook_on_stats"
    assert "runner_on_failed" not in [e["event"] for e in job["events"] if not e["event_data"].get("ignore_errors")]
    stats = job["events"][-1]["event_data"]
    assert stats["failures"] == {} and stats["dark"] == {} and stats["ok"].get("sandbox", 0) > 0
    # the events carry the task names a user reads in AWX's job output
    tasks = set(e["event_data"].get("task") for e in job["events"] if e["event"] == "runner_on_ok")
    expected = {"site": "EKS cluster (private endpoint, all control-plane logs, KMS secrets encryption, OIDC provider)",
                "verify": "Audit the cluster"}[name]
    assert any(t and t.startswith(expected.split(" (")[0]) for t in tasks), sorted(t for t in tasks if t)[:40]


def test_verify_publishes_its_summary_as_job_artifacts(streamed):
    """What AWX stores as the job's artifacts (and hands to the next workflow node)."""
    artifact = streamed["verify"]["events"][-1]["event_data"]["artifact_data"]
    summary = artifact["hardened_eks_verify"]["sandbox"]
    assert summary["failed"] == 0 and summary["failed_checks"] == []
    assert summary["passed"] == 31 - summary["warnings"]
    reports = streamed["verify"]["source"] / "reports"
    assert summary["report_dir"] == str(reports)
    with open(str(reports / "verify-report.json")) as fh:          # written by the worker
        assert json.load(fh)["summary"]["fail"] == summary["failed"]


def test_ansible_runner_run_in_the_awx_layout(sandbox, tmp_path):
    """`ansible-runner run` (what AWX's local jobs and `awx-manage` run) writes the artifacts
    AWX reads under artifacts/<ident>/, the verify reports under the output directory."""
    base = _private_data_dir(tmp_path, sandbox, {"verify_fail_on": "never", "verify_report_dir": str(tmp_path / "reports")})
    proc = subprocess.run([RUNNER, "run", str(base), "-p", "playbooks/verify.yml", "--ident", "local"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600, check=False)
    art = _artifacts(base, "local")
    assert proc.returncode == 0 and art["status"] == "successful", art["stdout"][-3000:]
    assert (tmp_path / "reports" / "verify-report.json").exists() and (tmp_path / "reports" / "verify-report.xml").exists()
    assert "hardened_eks_verify" in art["events"][-1]["event_data"]["artifact_data"]
