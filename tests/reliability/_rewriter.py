"""Keeps rewriting one field of an object until told to stop (used by the contention scenarios).

    _rewriter.py KUBECONFIG TARGET_JSON STOP_FILE OUT_FILE INTERVAL

TARGET_JSON: {"kind": "configmap", "namespace": ..., "name": ..., "key": ...} rewrites
``data[key]``; {"kind": "custom", "group": ..., "version": ..., "plural": ..., "namespace": ...,
"name": ..., "annotation": ...} rewrites ``metadata.annotations[annotation]``. Each write is a
merge patch of that one field (no resourceVersion), as an unrelated controller or a hand edit
would do; values are v1, v2, ... Writes the last accepted value and the counts to OUT_FILE.
"""
import json
import os
import sys
import time

from kubernetes import client, config


def main(argv):
    kubeconfig, target, stop_file, out_file, interval = argv[1:6]
    target = json.loads(target)
    interval = float(interval)
    cfg = client.Configuration()
    config.load_kube_config(config_file=kubeconfig, client_configuration=cfg)
    api = client.ApiClient(cfg)
    api.user_agent = "hardened-eks-test-rewriter"  # so the audit log tells its writes from the modules'
    core, custom = client.CoreV1Api(api), client.CustomObjectsApi(api)
    last = None
    writes = errors = 0
    i = 0
    started = time.time()
    while not os.path.exists(stop_file):
        i += 1
        value = "v%d" % i
        try:
            if target["kind"] == "configmap":
                core.patch_namespaced_config_map(target["name"], target["namespace"],
                                                 {"data": {target["key"]: value}})
            else:
                custom.patch_namespaced_custom_object(
                    target["group"], target["version"], target["namespace"], target["plural"], target["name"],
                    {"metadata": {"annotations": {target["annotation"]: value}}})
            last = value
            writes += 1
        except client.ApiException:
            errors += 1
        if interval:
            time.sleep(interval)
    with open(out_file, "w") as fh:
        json.dump({"last": last, "writes": writes, "errors": errors,
                   "seconds": time.time() - started}, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
