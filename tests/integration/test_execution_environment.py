"""The execution environment (issue 18): ee/execution-environment.yml, with the collection's
tarball, gives an ansible-builder build context whose Python requirements resolve (pip, against
PyPI) and whose collection requirements are met by the versions this suite runs; the collection
installs from the tarball and ansible-builder's introspection of it finds its requirements.
No image is built (there is no container engine here)."""
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from tests.integration.fixtures import ROOT

BIN = os.path.dirname(sys.executable)


def _run(*cmd, **kw):
    proc = subprocess.run(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600, check=False, **kw)
    out = proc.stdout.decode("utf-8", "replace")
    assert proc.returncode == 0, "%s\n%s" % (" ".join(cmd), out[-3000:])
    return out


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    """The build context of `ansible-builder create`, made as the EE file's comment says."""
    work = tmp_path_factory.mktemp("ee")
    ee = work / "ee"
    ee.mkdir()
    shutil.copy(os.path.join(ROOT, "ee", "execution-environment.yml"), str(ee))
    _run(os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--force", "--output-path", str(ee), ROOT)
    ctx = work / "context"
    _run(os.path.join(BIN, "ansible-builder"), "create", "-f", str(ee / "execution-environment.yml"), "-c", str(ctx))
    return work, ctx


def test_the_context_carries_the_collection_tarball_and_installs_it(context):
    _work, ctx = context
    tarballs = sorted(p.name for p in (ctx / "_build" / "collections").iterdir())
    assert tarballs == ["hardened-eks-0.1.0.tar.gz"]
    (containerfile,) = [p for p in (ctx / "Containerfile", ctx / "Dockerfile") if p.exists()]
    text = containerfile.read_text()
    galaxy = text[text.index("FROM base AS galaxy"):text.index("FROM base AS builder")]
    assert "COPY _build /build" in galaxy
    assert re.search(r"RUN ansible-galaxy collection install --no-deps --collections-path /usr/share/ansible/collections "
                     r"/build/collections/hardened-eks-\*\.tar\.gz", galaxy)
    assert "COPY --from=galaxy /usr/share/ansible /usr/share/ansible" in text[text.index("FROM base AS final"):]


def test_the_aws_cli_comes_from_pypi_not_from_a_system_package(context):
    _work, ctx = context
    pip = (ctx / "_build" / "requirements.txt").read_text().split()
    assert "awscli==1.45.11" in pip and "botocore==1.43.11" in pip and "kubernetes==36.0.3" in pip
    assert not (ctx / "_build" / "bindep.txt").exists() or "awscli" not in (ctx / "_build" / "bindep.txt").read_text()


def test_the_python_requirements_resolve_together(context, tmp_path):
    """pip resolves the context's requirements with ansible-core and ansible-runner as the EE's
    build would (a dry run against PyPI)."""
    _work, ctx = context
    with open(os.path.join(ROOT, "ee", "execution-environment.yml")) as fh:
        deps = yaml.safe_load(fh)["dependencies"]
    report = tmp_path / "report.json"
    _run(sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "-q", "--report", str(report),
         "-r", str(ctx / "_build" / "requirements.txt"), "-r", os.path.join(ROOT, "requirements.txt"),
         deps["ansible_core"]["package_pip"], deps["ansible_runner"]["package_pip"])
    got = dict((i["metadata"]["name"].lower(), i["metadata"]["version"]) for i in json.loads(report.read_text())["install"])
    assert (got["awscli"], got["botocore"], got["boto3"], got["kubernetes"]) == ("1.45.11", "1.43.11", "1.43.11", "36.0.3")
    assert got["ansible-core"].startswith("2.19.") and got["ansible-runner"].startswith("2.4.")


def test_the_collection_requirements_are_met_by_the_tested_versions(context):
    """Each collection the EE installs from Galaxy allows the version this suite runs (the
    `ansible` package's), so the EE gets a tested combination."""
    from ansible.galaxy.dependency_resolution.versioning import meets_requirements
    _work, ctx = context
    wanted = yaml.safe_load((ctx / "_build" / "requirements.yml").read_text())["collections"]
    out = _run(os.path.join(BIN, "ansible-galaxy"), "collection", "list", "--format", "json")
    installed = {}
    for _path, cols in json.loads(out).items():
        for name, info in cols.items():
            installed.setdefault(name, info["version"])
    assert sorted(c["name"] for c in wanted) == ["amazon.aws", "community.aws", "kubernetes.core"]
    for col in wanted:
        assert meets_requirements(installed[col["name"]], col["version"]), (col, installed[col["name"]])


def test_introspection_of_the_installed_collection_finds_its_requirements(context, tmp_path):
    """What the EE build's builder stage runs over /usr/share/ansible/collections."""
    _work, ctx = context
    cols = tmp_path / "collections"
    _run(os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--no-deps", "--force", "-p", str(cols),
         str(ctx / "_build" / "collections" / "hardened-eks-0.1.0.tar.gz"))
    assert (cols / "ansible_collections" / "hardened" / "eks" / "plugins" / "modules" / "eks_cluster.py").exists()
    out = _run(os.path.join(BIN, "ansible-builder"), "introspect", str(cols))
    deps = yaml.safe_load(out[out.index("---"):])
    python = " ".join(deps["python"])
    for lib in ("kubernetes", "boto3", "botocore", "awscli"):     # (PyYAML: ansible-core's, builder leaves it out)
        assert lib in python, deps
    assert "hardened.eks" in python                       # introspection names the source of each line
