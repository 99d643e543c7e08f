"""The API server of a kubeconfig's context (the reachability check before a layer writes)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.hardened.eks.plugins.filter.kubeconfig_server import FilterModule
from ansible_collections.hardened.eks.plugins.plugin_utils.kubeconfig import kubeconfig_server

KUBECONFIG = """
apiVersion: v1
kind: Config
clusters:
  - name: prod
    cluster: {server: "https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com", certificate-authority-data: eA==}
  - name: lab
    cluster: {server: "https://10.0.3.7:6443"}
contexts:
  - name: prod
    context: {cluster: prod, user: deploy}
  - name: lab
    context: {cluster: lab, user: deploy}
current-context: prod
users: []
"""


def test_the_current_context_gives_host_and_the_https_port():
    assert kubeconfig_server(KUBECONFIG) == {"url": "https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com",
                                             "host": "abcdef.gr7.eu-west-1.eks.amazonaws.com", "port": 443,
                                             "context": "prod"}


def test_another_context_and_an_explicit_port():
    out = kubeconfig_server(KUBECONFIG, context="lab")
    assert (out["host"], out["port"], out["context"]) == ("10.0.3.7", 6443, "lab")


@pytest.mark.parametrize("text, reason", [
    ("- a list", "not a kubeconfig"),
    ("clusters: [", "is not YAML"),
    ("contexts: []\nclusters: []", "has no current-context"),
    ("current-context: x\ncontexts: []", "no context named 'x'"),
    ("current-context: x\ncontexts: [{name: x, context: {user: u}}]", "context 'x' names no cluster"),
    ("current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\nclusters: []", "no cluster named 'c'"),
    ("current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\nclusters: [{name: c, cluster: {server: 'ftp://h'}}]",
     "has no https server URL (got 'ftp://h')"),
    ("current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\nclusters: [{name: c, cluster: {server: 'https://h:99999'}}]",
     "bad port"),
])
def test_what_is_missing_is_named_with_the_file(text, reason):
    with pytest.raises(ValueError) as err:
        kubeconfig_server(text, path="/tmp/k")
    assert str(err.value).startswith("/tmp/k") and reason in str(err.value)


def test_the_filter_turns_problems_into_filter_errors():
    f = FilterModule().filters()["kubeconfig_server"]
    assert f(KUBECONFIG, "/k")["port"] == 443
    with pytest.raises(AnsibleFilterError, match="/k has no current-context"):
        f("contexts: []", "/k")
