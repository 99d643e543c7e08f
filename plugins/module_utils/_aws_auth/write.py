# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Writing aws-auth: a JSON patch that tests the values it read, re-read and re-planned when
another writer got there first.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import AwsAuthError
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.plan import plan_aws_auth


def _pointer(key):
    return "/data/" + key.replace("~", "~0").replace("/", "~1")


def _key_of(pointer):
    return pointer[len("/data/"):].replace("~1", "/").replace("~0", "~")


def patch_operations(current, new_data):
    """JSON patch (RFC 6902) from ``current`` (the ConfigMap as read) to ``new_data``. Pure.

    Only the keys that change are written. Each is ``test``-ed against its read value first, so
    the patch fails (422) if another writer changed that key meanwhile, and applies whatever
    happened to other keys or metadata. A key that did not exist is tested against ``null``:
    the API server's JSON patch (evanphx/json-patch) lets that test pass only while the key is
    still missing. Without any ``data`` there is no parent to test in: then the read
    ``resourceVersion`` is tested instead.
    """
    data = current.get("data")
    if data is None:
        return [{"op": "test", "path": "/metadata/resourceVersion",
                 "value": current["metadata"]["resourceVersion"]},
                {"op": "add", "path": "/data", "value": dict(new_data)}]
    ops, writes = [], []
    for key in sorted(set(data) | set(new_data)):
        old, new = data.get(key), new_data.get(key)
        if old == new:
            continue
        ops.append({"op": "test", "path": _pointer(key), "value": old})
        if key not in data:
            writes.append({"op": "add", "path": _pointer(key), "value": new})
        elif key in new_data:
            writes.append({"op": "replace", "path": _pointer(key), "value": new})
        else:
            writes.append({"op": "remove", "path": _pointer(key)})
    return ops + writes


def _tested_values_changed(operations, current):
    """Whether a ``test`` operation of ``operations`` no longer holds for ``current``."""
    for op in operations:
        if op["op"] != "test":
            continue
        if op["path"] == "/metadata/resourceVersion":
            now = ((current or {}).get("metadata") or {}).get("resourceVersion")
        else:
            now = ((current or {}).get("data") or {}).get(_key_of(op["path"]))
        if now != op["value"]:
            return True
    return False


def ensure_aws_auth(api, namespace, name, request, check_mode=False, create=True, retries=20,
                    sleep=None):
    """Converge the ConfigMap; returns ``(changed, predicted)`` where predicted is the plan
    (added/removed/updated/warnings/diff) of the attempt that was written (or would be).

    One GET and at most one write per attempt. An existing ConfigMap is written with a JSON
    patch of the changed keys that tests their read values: unrelated writers (other keys,
    labels, annotations) never make it conflict. When a tested value has changed (422), or
    the create raced another (409), the ConfigMap is re-read and re-planned, up to ``retries``
    times with jittered backoff. When a write's answer was lost and its retry found the write
    already applied, the re-read shows this run's planned data: that is reported as this run's
    change, not as "nothing to do".
    """
    from ansible_collections.hardened.eks.plugins.module_utils._k8s import (
        K8sApiError, ConflictRetriesExceeded, conflict_pause, k8s_path)

    path = k8s_path("v1", "configmaps", namespace, name)
    attempted = None  # (planned data, plan) of a write whose outcome is unknown
    reread = None
    attempt = 0
    while True:
        attempt += 1
        current = reread if reread is not None else api.get_or_none(path)
        reread = None
        data = (current or {}).get("data") or {}
        plan = plan_aws_auth(data, request)
        if not plan["changed"]:
            if attempted is not None and all(data.get(k) == v for k, v in attempted[0].items()):
                return True, attempted[1]
            return False, plan
        if current is None and not create:
            raise AwsAuthError("ConfigMap %s/%s does not exist and create=false; nothing was "
                               "written (EKS creates it with the first managed node group)"
                               % (namespace, name))
        if check_mode:
            return True, plan
        operations = None
        try:
            if current is None:
                api.create(k8s_path("v1", "configmaps", namespace),
                           {"apiVersion": "v1", "kind": "ConfigMap",
                            "metadata": {"name": name, "namespace": namespace}, "data": plan["data"]})
            else:
                operations = patch_operations(current, plan["data"])
                api.json_patch(path, operations)
            return True, plan
        except K8sApiError as exc:
            if exc.status == 422 and current is not None:
                reread = api.get_or_none(path)  # the next attempt's read
                if not _tested_values_changed(operations, reread):
                    raise
            elif exc.status != 409:
                raise
            if attempt > retries:
                raise ConflictRetriesExceeded(
                    "gave up after %d conflicting concurrent updates of %s/%s: %s"
                    % (attempt, namespace, name, exc))
            changed_keys = dict((k, v) for k, v in plan["data"].items() if data.get(k) != v)
            attempted = (changed_keys, plan)
            conflict_pause(attempt, sleep)
