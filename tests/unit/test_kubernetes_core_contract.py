"""The contract of the kubernetes.core helpers hardened.eks builds its Kubernetes client with
(plugins/module_utils/_k8s.py ``connect``). ``_create_auth_spec``, ``_create_configuration``,
``_create_headers`` and ``unique_string`` are private to kubernetes.core: these tests pin what
the collection relies on, so an upgrade that changes them fails here, not in a user's run. The
supported range is declared in galaxy.yml and requirements.yml."""
import json
import os

import yaml

from ansible_collections.hardened.eks.plugins.module_utils import _k8s
from ansible_collections.kubernetes.core.plugins.module_utils.k8s import client as core_client

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def kubeconfig(tmp_path, server="https://127.0.0.1:6443", token="t0ken"):
    path = tmp_path / "kubeconfig"
    path.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "c",
        "clusters": [{"name": "k", "cluster": {"server": server, "insecure-skip-tls-verify": True}}],
        "users": [{"name": "u", "user": {"token": token}}],
        "contexts": [{"name": "c", "context": {"cluster": "k", "user": "u"}}]}))
    return str(path)


def test_auth_spec_takes_our_option_names_and_the_k8s_auth_environment(tmp_path, monkeypatch):
    for name in list(os.environ):
        if name.startswith("K8S_AUTH_"):
            monkeypatch.delenv(name)
    path = kubeconfig(tmp_path)
    assert core_client._create_auth_spec(None, kubeconfig=path, context="c", validate_certs=False) == {
        "kubeconfig": path, "context": "c", "verify_ssl": False, "proxy_headers": {}}
    monkeypatch.setenv("K8S_AUTH_HOST", "https://example:6443")
    assert core_client._create_auth_spec(None)["host"] == "https://example:6443"


def test_configuration_comes_from_the_kubeconfig_and_options_override_it(tmp_path):
    path = kubeconfig(tmp_path, server="https://10.0.0.1:6443/")
    conf = core_client._create_configuration(core_client._create_auth_spec(None, kubeconfig=path))
    assert conf.host == "https://10.0.0.1:6443"
    assert conf.api_key == {"BearerToken": "Bearer t0ken"}  # kubernetes' kubeconfig loader
    conf = core_client._create_configuration({"host": "https://h:1/", "api_key": "k", "verify_ssl": False})
    assert (conf.host, conf.api_key, conf.verify_ssl) == ("https://h:1", {"authorization": "Bearer k"}, False)


def test_headers_carry_impersonation():
    assert core_client._create_headers(None, impersonate_user="alice", impersonate_groups=["a", "b"]) == {
        "Impersonate-User": "alice", "Impersonate-Group": ["a", "b"]}
    assert core_client._create_headers(None) == {}
    # Distinct dictionary keys of the same text: one header line per group.
    one, two = core_client.unique_string("Impersonate-Group"), core_client.unique_string("Impersonate-Group")
    assert str(one) == str(two) == "Impersonate-Group" and len({one: 1, two: 2}) == 2


def test_connect_builds_the_client_through_them(tmp_path):
    api = _k8s.connect(kubeconfig=kubeconfig(tmp_path, server="https://10.0.0.2:6443"),
                       impersonate_user="alice", impersonate_groups=["a", "b"])
    assert api.host == "https://10.0.0.2:6443"
    headers = api.api_client.default_headers
    assert [v for k, v in headers.items() if str(k) == "Impersonate-User"] == ["alice"]
    assert sorted(v for k, v in headers.items() if str(k) == "Impersonate-Group") == ["a", "b"]


def test_the_dependency_is_bounded_to_the_majors_tested():
    with open(os.path.join(ROOT, "galaxy.yml")) as fh:
        galaxy = yaml.safe_load(fh)
    with open(os.path.join(ROOT, "requirements.yml")) as fh:
        required = dict((c["name"], c["version"]) for c in yaml.safe_load(fh)["collections"])
    with open(os.path.join(os.path.dirname(core_client.__file__), "..", "..", "..", "MANIFEST.json")) as fh:
        installed = json.load(fh)["collection_info"]["version"]
    spec = galaxy["dependencies"]["kubernetes.core"]
    assert spec == required["kubernetes.core"]
    low, high = [part.strip() for part in spec.split(",")]
    assert low.startswith(">=") and high.startswith("<"), spec
    major = int(installed.split(".")[0])
    assert int(low[2:].split(".")[0]) <= major < int(high[1:].split(".")[0]), (installed, spec)
