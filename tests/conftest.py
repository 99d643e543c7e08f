"""Make `ansible_collections.hardened.eks` importable from this working tree for every test."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINK_PARENT = os.path.join(ROOT, ".sandbox", "collections")


def _ensure_link():
    parent = os.path.join(LINK_PARENT, "ansible_collections", "hardened")
    os.makedirs(parent, exist_ok=True)
    link = os.path.join(parent, "eks")
    if not os.path.islink(link):
        os.symlink(ROOT, link)


_ensure_link()
if LINK_PARENT not in sys.path:
    sys.path.insert(0, LINK_PARENT)

# The sandbox fixtures (sandbox, run_module, run_playbook, audit, aws_requests, k8s, ...) of
# the integration and reliability tests, as a plugin rather than a star import between conftests.
pytest_plugins = ["tests.integration.fixtures"]
