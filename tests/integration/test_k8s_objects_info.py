"""hardened.eks.k8s_objects_info against the sandbox's kube-apiserver: the same answers as
kubernetes.core.k8s_info for the same reads, in one module process, with one GET per query
(counted in the API server's audit log under a user name of the test's own)."""
import json
import uuid

import pytest

pytestmark = pytest.mark.usefixtures("sandbox")

QUERIES = [
    {"id": "daemonset", "api_version": "apps/v1", "kind": "DaemonSet", "namespace": "kube-system", "name": "aws-node"},
    {"id": "missing", "kind": "ConfigMap", "namespace": "kube-system", "name": "no-such-configmap"},
    {"id": "labelled", "kind": "ConfigMap", "namespace": "kube-system", "label_selectors": ["hardened-eks-test=%s"]},
    {"id": "crds", "api_version": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition"},
    {"id": "eniconfigs", "api_version": "crd.k8s.amazonaws.com/v1alpha1", "kind": "ENIConfig", "resource": "eniconfigs"},
    {"id": "discovered", "api_version": "crd.k8s.amazonaws.com/v1alpha1", "kind": "ENIConfig"},
    {"id": "not_served", "api_version": "nothing.hardened-eks.example/v1", "kind": "Thing"},
]

PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Ours, one task
      hardened.eks.k8s_objects_info:
        queries: "{{ queries }}"
        impersonate_user: "{{ ours_user }}"
        impersonate_groups: [system:masters]
      register: ours
    - name: kubernetes.core, one task per query
      kubernetes.core.k8s_info:
        api_version: "{{ item.api_version | default('v1') }}"
        kind: "{{ item.kind }}"
        name: "{{ item.name | default(omit) }}"
        namespace: "{{ item.namespace | default(omit) }}"
        label_selectors: "{{ item.label_selectors | default(omit) }}"
      loop: "{{ queries }}"
      register: theirs
    - name: Dump both
      ansible.builtin.copy:
        content: "{{ {'ours': ours, 'theirs': theirs.results} | to_json }}"
        dest: "%(out)s"
        mode: "0600"
"""


def impersonated(audit, mark, user):
    """The completed requests made as ``user`` (the module impersonates it)."""
    return [e for e in audit.events(mark) if (e.get("impersonatedUser") or {}).get("username") == user
            and e.get("stage") == "ResponseComplete"]


def _names(resources):
    return sorted((r.get("metadata") or {}).get("name") for r in resources)


def test_same_answers_as_k8s_info_with_one_get_per_query(run_playbook, k8s, audit, tmp_path):
    from kubernetes import client
    label = uuid.uuid4().hex[:8]
    core = client.CoreV1Api(k8s)
    names = ["hardened-eks-read-%s-%d" % (label, i) for i in range(2)]
    for name in names:
        core.create_namespaced_config_map("kube-system", client.V1ConfigMap(
            metadata=client.V1ObjectMeta(name=name, labels={"hardened-eks-test": label}), data={"a": "b"}))
    try:
        queries = json.loads(json.dumps(QUERIES).replace("%s", label))
        user = "k8s-objects-info-%s" % label
        out = tmp_path / "both.json"
        mark = audit.mark()
        rc, text = run_playbook(PLAY % {"out": out}, extra_vars={"queries": queries, "ours_user": user})
        assert rc == 0, text[-3000:]
        both = json.loads(out.read_text())
        ours, theirs = both["ours"]["objects"], dict(zip([q["id"] for q in queries], both["theirs"]))
        for q in queries:
            mine, core_answer = ours[q["id"]], theirs[q["id"]]
            assert mine["api_found"] == core_answer.get("api_found", True), q["id"]
            assert _names(mine["resources"]) == _names(core_answer["resources"]), q["id"]
        # what the inventory of this test says is there
        assert _names(ours["labelled"]["resources"]) == sorted(names)
        assert [r["kind"] for r in ours["labelled"]["resources"]] == ["ConfigMap", "ConfigMap"]
        assert ours["daemonset"]["resources"][0]["spec"]["template"]["spec"]["containers"][0]["name"] == "aws-node"
        assert ours["missing"] == {"api_found": True, "resources": []}
        assert ours["not_served"] == {"api_found": False, "resources": []}
        assert "eniconfigs.crd.k8s.amazonaws.com" in _names(ours["crds"]["resources"])
        # one GET per query of a served type, and one discovery GET for each group version the
        # module cannot know (ENIConfig without its plural; the unserved group, whose 404 ends
        # its query)
        sent = impersonated(audit, mark, user)
        assert len(sent) == both["ours"]["api_requests"] == (len(queries) - 1) + 2, [e["requestURI"] for e in sent]
        assert sorted(e["requestURI"] for e in sent if "?" not in e["requestURI"] and e["requestURI"].count("/") == 3) == [
            "/apis/crd.k8s.amazonaws.com/v1alpha1", "/apis/nothing.hardened-eks.example/v1"]
        assert all(e["verb"] in ("get", "list") for e in sent)
    finally:
        for name in names:
            core.delete_namespaced_config_map(name, "kube-system")


def test_bad_queries_are_refused_before_any_request(run_playbook, audit):
    user = "k8s-objects-info-bad-%s" % uuid.uuid4().hex[:6]
    mark = audit.mark()
    rc, text = run_playbook("""
- hosts: localhost
  gather_facts: false
  tasks:
    - hardened.eks.k8s_objects_info:
        impersonate_user: %s
        queries:
          - {id: a, kind: ConfigMap}
          - {id: a, kind: configmap, name: x, label_selectors: [y=z]}
""" % user)
    assert rc != 0
    assert "Nothing was read; fix the queries" in text
    assert "queries[1] (a).id: used by an earlier query" in text and "queries[1] (a).kind: 'configmap'" in text
    assert impersonated(audit, mark, user) == []
