"""The unit tests' in-memory API server (tests/fake_apiserver.py) answers as the real one does.

One scenario of the behaviours the unit tests rely on (conflicts, preconditions, JSON patch
tests, dry runs, selectors, paging, 404s) runs against the sandbox's kube-apiserver and against
the fake; both must give the outcomes Kubernetes documents for each step."""
from ansible_collections.hardened.eks.plugins.module_utils._k8s import K8sApi, K8sApiError
from tests.fake_apiserver import FakeApiServer

# Each step and what Kubernetes answers: an HTTP status, or what the step reads back.
EXPECTED = [
    ("create", "created"),
    ("create the same name again", 409),
    ("dry-run create of another", "answered"),
    ("the dry-run object is not stored", 404),
    ("replace with a stale resourceVersion", 409),
    ("replace with the current resourceVersion", "replaced"),
    ("patch whose test fails", 422),
    ("patch whose test holds", "patched"),
    ("patch testing a missing key against null", "patched"),
    ("patch removing a missing key", 422),
    ("delete with a stale uid precondition", 409),
    ("delete with a dry-run body", "still there"),
    ("list with a label selector", ["b"]),
    ("list with a negative label selector", ["a"]),
    ("list page of one has a continue token", (["a"], True)),
    ("next page ends the list", (["b"], False)),
    ("delete with current preconditions", "deleted"),
    ("delete again", 404),
]


def scenario(api, ns):
    base = "/api/v1/namespaces/%s/configmaps" % ns
    out = []

    def step(name, fn):
        try:
            out.append((name, fn()))
        except K8sApiError as exc:
            out.append((name, exc.status))

    def cm(name, labels=None, data=None):
        return {"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": name, "labels": labels or {}}, "data": data or {"k": "v"}}

    step("create", lambda: api.create(base, cm("a", {"tier": "one"})) and "created")
    step("create the same name again", lambda: api.create(base, cm("a")))
    step("dry-run create of another", lambda: api.create(base, cm("dry"), dry_run=True) and "answered")
    step("the dry-run object is not stored", lambda: api.get(base + "/dry"))
    first = api.get(base + "/a")
    api.json_patch(base + "/a", [{"op": "replace", "path": "/data/k", "value": "w"}])

    def stale_replace():
        body = dict(first)
        body["data"] = {"k": "x"}
        return api.replace(base + "/a", body)
    step("replace with a stale resourceVersion", stale_replace)

    def replace():
        body = api.get(base + "/a")
        body["data"] = {"k": "y"}
        return api.replace(base + "/a", body)["data"]["k"] == "y" and "replaced"
    step("replace with the current resourceVersion", replace)
    step("patch whose test fails", lambda: api.json_patch(base + "/a", [
        {"op": "test", "path": "/data/k", "value": "v"}, {"op": "replace", "path": "/data/k", "value": "z"}]))
    step("patch whose test holds", lambda: api.json_patch(base + "/a", [
        {"op": "test", "path": "/data/k", "value": "y"}, {"op": "replace", "path": "/data/k", "value": "z"}])
        ["data"]["k"] == "z" and "patched")
    step("patch testing a missing key against null", lambda: api.json_patch(base + "/a", [
        {"op": "test", "path": "/data/new", "value": None}, {"op": "add", "path": "/data/new", "value": "n"}])
        ["data"]["new"] == "n" and "patched")
    step("patch removing a missing key", lambda: api.json_patch(base + "/a", [{"op": "remove", "path": "/data/gone"}]))
    step("delete with a stale uid precondition", lambda: api.request(
        "DELETE", base + "/a", {"kind": "DeleteOptions", "apiVersion": "v1",
                                "preconditions": {"uid": "00000000-0000-0000-0000-000000000000"}}))

    def dry_delete():
        api.request("DELETE", base + "/a", {"kind": "DeleteOptions", "apiVersion": "v1", "dryRun": ["All"]})
        return api.get(base + "/a") and "still there"
    step("delete with a dry-run body", dry_delete)
    api.create(base, cm("b", {"tier": "two"}))

    def names(query):
        return [o["metadata"]["name"] for o in api.get(base, query)["items"]]
    step("list with a label selector", lambda: names({"labelSelector": "tier=two"}))
    step("list with a negative label selector", lambda: names({"labelSelector": "tier,tier!=two"}))
    page = {}

    def first_page():
        page.update(api.get(base, {"limit": 1}))
        return [o["metadata"]["name"] for o in page["items"]], bool(page["metadata"].get("continue"))
    step("list page of one has a continue token", first_page)

    def next_page():
        answer = api.get(base, {"limit": 1, "continue": page["metadata"]["continue"]})
        return [o["metadata"]["name"] for o in answer["items"]], bool(answer["metadata"].get("continue"))
    step("next page ends the list", next_page)

    def delete():
        cur = api.get(base + "/a")
        api.request("DELETE", base + "/a", {"kind": "DeleteOptions", "apiVersion": "v1", "preconditions": {
            "uid": cur["metadata"]["uid"], "resourceVersion": cur["metadata"]["resourceVersion"]}})
        return api.get_or_none(base + "/a") is None and "deleted"
    step("delete with current preconditions", delete)
    step("delete again", lambda: api.request("DELETE", base + "/a"))
    return out


def test_the_fake_answers_as_the_real_api_server(k8s, namespace):
    real = scenario(K8sApi(k8s, retries=0), namespace)
    fake = scenario(FakeApiServer(objects={"/api/v1/namespaces/%s" % namespace: {"kind": "Namespace"}}), namespace)
    assert real == EXPECTED
    assert fake == EXPECTED
