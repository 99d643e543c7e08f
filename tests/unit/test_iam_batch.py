"""The batch of eks_pod_iam_role (roles:): every item validated as one role's options are, and
the roles converged by a bounded pool, in item order, a failure of one not stopping the others."""
import threading
import time

import pytest

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.hardened.eks.plugins.module_utils._iam.batch import (
    BatchError, Memo, converge_batch, validate_batch)
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import TrustError
from ansible_collections.hardened.eks.plugins.modules.eks_pod_iam_role import ROLE_SPEC

NODE = "arn:aws:iam::123456789012:role/nodes"


def role(name, **kw):
    item = {"name": name, "trust": {"kube2iam": {"node_role_arns": [NODE]}}}
    item.update(kw)
    return item


def test_items_get_the_single_role_defaults_and_trust():
    (entry,) = validate_batch([role("web")], ROLE_SPEC)
    assert entry.where == "roles[0] (web)" and entry.desired["path"] == "/" and entry.desired["state"] == "present"
    assert entry.desired["purge_policies"] is True and entry.trust_doc["Statement"][0]["Principal"] == {"AWS": NODE}
    irsa_trust = {"irsa": {"cluster_name": "prod", "namespace": "a", "service_account": "b"}}
    (irsa,) = validate_batch([{"name": "api", "trust": irsa_trust}], ROLE_SPEC)
    assert irsa.trust_doc is None  # built once the cluster's provider is read


def test_every_problem_of_every_item_before_anything():
    with pytest.raises(TrustError) as err:
        validate_batch([role("a"), "text", role("b", state="gone"), role("A"), role("c", max_session_duration=60)],
                       ROLE_SPEC)
    assert err.value.problems[0] == "roles[1]: must be a mapping of one role's options (name, trust, ...)"
    assert err.value.problems[1].startswith("roles[2] (b): value of state must be one of: present, absent")
    assert err.value.problems[2] == "roles[3] (A): role A is listed twice (also at roles[0])"
    assert err.value.problems[3] == "roles[4] (c): max_session_duration: 60 is not between 3600 and 43200 seconds"
    assert validate_batch([], ROLE_SPEC) == []  # nothing to converge (a cluster without pod roles)
    assert converge_batch([], None) == (False, [], {"before": {}, "after": {}}, [])


class Entry(object):
    def __init__(self, name):
        self.where = "roles[x] (%s)" % name
        self.desired = {"name": name, "state": "present"}


def test_results_keep_the_item_order_and_the_pool_is_bounded():
    running, peak, lock = [0], [0], threading.Lock()

    def converge(entry):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1
        return entry.desired["name"].endswith("1"), {"role_name": entry.desired["name"]}, \
            {"before": {}, "after": {"n": entry.desired["name"]}}, ["w"]

    entries = [Entry("r%d" % i) for i in range(12)]
    changed, results, diff, warnings = converge_batch(entries, converge, concurrency=3)
    assert changed and [r["role_name"] for r in results] == ["r%d" % i for i in range(12)]
    assert [r["changed"] for r in results] == [n.endswith("1") for n in ("r%d" % i for i in range(12))]
    assert peak[0] == 3 and diff["after"]["r5"] == {"n": "r5"} and warnings[0] == "roles[x] (r0): w"


def test_a_failed_role_is_reported_after_the_others_and_a_bug_is_raised():
    def converge(entry):
        if entry.desired["name"] == "bad":
            raise AnsibleAWSError(message="Failed to create role bad")
        return True, {"role_name": entry.desired["name"]}, {"before": {}, "after": {}}, []

    with pytest.raises(BatchError) as err:
        converge_batch([Entry("a"), Entry("bad"), Entry("c")], converge, concurrency=2)
    assert err.value.failures == ["roles[x] (bad): Failed to create role bad"]
    assert [r["role_name"] for r in err.value.results] == ["a", "c"] and err.value.changed

    def bug(entry):
        raise KeyError("oops")
    with pytest.raises(KeyError):
        converge_batch([Entry("a")], bug)


def test_memo_reads_once_for_all_workers():
    reads = []
    memo = Memo(lambda: reads.append(1) or {"Account": "1"})
    threads = [threading.Thread(target=memo) for _i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert reads == [1] and memo() == {"Account": "1"}
