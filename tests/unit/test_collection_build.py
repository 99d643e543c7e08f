"""`ansible-galaxy collection build` gives a tarball with the collection and nothing of the
tests, benchmarks, sandbox or Molecule scenarios (galaxy.yml's build_ignore)."""
import json
import os
import subprocess
import sys
import tarfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_build_leaves_out_tests_and_sandbox(tmp_path):
    galaxy = os.path.join(os.path.dirname(sys.executable), "ansible-galaxy")
    subprocess.run([galaxy, "collection", "build", "--output-path", str(tmp_path), ROOT],
                   check=True, capture_output=True, timeout=300)
    (tarball,) = list(tmp_path.glob("hardened-eks-*.tar.gz"))
    with tarfile.open(str(tarball)) as tf:
        names = tf.getnames()
        manifest = json.load(tf.extractfile("MANIFEST.json"))
    info = manifest["collection_info"]
    assert (info["namespace"], info["name"], info["version"]) == ("hardened", "eks", "0.1.0")
    for module in ("aws_auth_mapping", "eks_pod_iam_role", "calico_policy", "eks_cluster", "eks_addon",
                   "eks_security_audit"):
        assert "plugins/modules/%s.py" % module in names
    for role in ("cluster", "vpc_cni", "iam_authenticator", "calico", "kube2iam"):
        assert "roles/%s/tasks/main.yml" % role in names
        assert "roles/%s/meta/argument_specs.yml" % role in names
    assert "playbooks/site.yml" in names and "meta/runtime.yml" in names
    leaked = [n for n in names if n.split("/")[0] in (
        "tests", "benchmarks", "scripts", ".sandbox", ".venv", ".ci", ".git", "verify-reports")
        or "/molecule/" in n or n.endswith(("/molecule", "pytest.ini", "Makefile", "requirements-dev.txt"))]
    assert leaked == []
