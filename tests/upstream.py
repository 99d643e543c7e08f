"""Upstream manifests as test data, from the Go modules pinned in scripts/sandbox.d/go/manifests
(downloaded from the Go module proxy once, checked against go.sum on every use): nothing is read
from outside the repository and nothing upstream is copied into it."""
import functools
import glob
import os
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts", "sandbox.d"))
import gobuild  # noqa: E402

OPERATOR = "github.com/tigera/operator"
VPC_CNI = "github.com/aws/amazon-vpc-cni-k8s"
LOG = os.path.join(gobuild.CACHE, "build.log")


@functools.lru_cache(maxsize=None)
def module_dir(module):
    """Downloaded once, verified against go.sum once per test session (about 1 s a verify)."""
    return gobuild.manifest_module(module, LOG)


def calico_version():
    """The Calico release of the pinned operator (its config/calico_versions.yml title)."""
    with open(os.path.join(module_dir(OPERATOR), "config", "calico_versions.yml")) as fh:
        return yaml.safe_load(fh)["title"]


def calico_crds():
    """The CRDs of Calico's manifests/crds.yaml, as the pinned operator carries them."""
    base = os.path.join(module_dir(OPERATOR), "pkg", "imports", "crds", "calico")
    docs = []
    for sub in ("v1.crd.projectcalico.org", "policy.networking.k8s.io"):
        for path in sorted(glob.glob(os.path.join(base, sub, "*.yaml"))):
            with open(path) as fh:
                docs += [d for d in yaml.safe_load_all(fh) if d and d.get("kind") == "CustomResourceDefinition"]
    return docs


def vpc_cni_manifest():
    return os.path.join(module_dir(VPC_CNI), "config", "master", "aws-k8s-cni.yaml")
