# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the results were measured on: the machine and the versions of every part.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import platform
import subprocess

from benchmarks.bench.harness import ROOT


def machine_info(b):
    info = {"nproc": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "loadavg_at_start": list(os.getloadavg())}
    try:
        with open("/proc/cpuinfo") as fh:
            models = [line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")]
        info["cpu_model"] = models[0] if models else platform.processor()
    except OSError:
        info["cpu_model"] = platform.processor()
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    info["memory_gib"] = round(int(line.split()[1]) / 1024.0 / 1024.0, 1)
    except OSError:
        pass
    try:
        with open("/etc/debian_version") as fh:
            info["debian"] = fh.read().strip()
    except OSError:
        pass
    return info


def versions(b):
    out = {}
    try:
        from ansible.release import __version__ as core
        out["ansible-core"] = core
    except ImportError:
        pass
    try:
        from importlib.metadata import version
        for dist in ("ansible", "kubernetes", "boto3", "botocore", "moto"):
            try:
                out[dist] = version(dist)
            except Exception:  # noqa: BLE001
                pass
    except ImportError:
        pass
    import ansible_collections
    for coll in ("kubernetes/core", "amazon/aws", "ansible/posix"):
        for base in ansible_collections.__path__:
            manifest = os.path.join(base, coll, "MANIFEST.json")
            if os.path.exists(manifest):
                with open(manifest) as fh:
                    out[coll.replace("/", ".")] = json.load(fh)["collection_info"]["version"]
                break
    try:
        out["kube-apiserver"] = b.k8s_client.VersionApi(b.api).get_code().git_version
    except Exception:  # noqa: BLE001
        pass
    try:
        commit = subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT).decode().strip()
        dirty = subprocess.call(["git", "diff", "--quiet", "HEAD", "--", "plugins", "roles", "playbooks"], cwd=ROOT)
        out["hardened.eks commit"] = commit + (" (+local changes)" if dirty else "")
    except Exception:  # noqa: BLE001
        pass
    return out


# ---------------------------------------------------------------------------------- reporting
