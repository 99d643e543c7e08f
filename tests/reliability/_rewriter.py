"""Keeps rewriting one key of a ConfigMap until told to stop (used by the contention scenario).

    _rewriter.py KUBECONFIG NAMESPACE NAME KEY STOP_FILE OUT_FILE INTERVAL

Each write is a JSON merge patch of ``data[KEY]`` only (no resourceVersion), like an unrelated
controller or a hand edit would do. Writes the last accepted value and the counts to OUT_FILE.
"""
import json
import os
import sys
import time

from kubernetes import client, config


def main(argv):
    kubeconfig, namespace, name, key, stop_file, out_file, interval = argv[1:8]
    interval = float(interval)
    cfg = client.Configuration()
    config.load_kube_config(config_file=kubeconfig, client_configuration=cfg)
    core = client.CoreV1Api(client.ApiClient(cfg))
    last = None
    writes = errors = 0
    i = 0
    started = time.time()
    while not os.path.exists(stop_file):
        i += 1
        value = "v%d" % i
        try:
            core.patch_namespaced_config_map(name, namespace, {"data": {key: value}})
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
