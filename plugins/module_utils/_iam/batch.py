# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A batch of pod roles for ``eks_pod_iam_role`` (``roles:``): every item validated as the
single-role options are, all problems before any AWS call, then the roles converged by a small
pool of workers. Validation here is pure; the converging calls the AWS edge given to it."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.iam import validate_iam_identifiers

from ansible_collections.hardened.eks.plugins.module_utils import argspec_guard
from ansible_collections.hardened.eks.plugins.module_utils._iam.role_params import pasted_policy_document
from ansible_collections.hardened.eks.plugins.module_utils._iam.role_params import validate_params
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import TrustError
from ansible_collections.hardened.eks.plugins.module_utils._iam.trust import build_trust_document

MAX_CONCURRENCY = 16


class Entry(object):
    """One validated item: where it is (``roles[2] (prod-web)``), what is asked, and its trust
    document when it could be built without AWS (None: an IRSA trust by cluster name)."""

    __slots__ = ("index", "where", "desired", "trust_doc")

    def __init__(self, index, where, desired, trust_doc):
        self.index = index
        self.where = where
        self.desired = desired
        self.trust_doc = trust_doc


class BatchError(Exception):
    """Some roles of a batch failed; ``results`` holds what the others did."""

    def __init__(self, failures, results, changed):
        self.failures = failures
        self.results = results
        self.changed = changed
        super(BatchError, self).__init__("%d of the roles failed: %s" % (len(failures), "; ".join(failures)))


def _where(index, item):
    name = item.get("name", item.get("role_name")) if isinstance(item, dict) else None
    return "roles[%d] (%s)" % (index, name) if isinstance(name, str) and name else "roles[%d]" % index


def validate_batch(items, role_spec, required_if=None):
    """``roles`` -> [Entry], or TrustError with every problem of every item, each named
    ``roles[<i>] (<name>): ...``. An item is checked as the module's own options are (types,
    choices, unknown options, through ansible-core's validator), then as a role is."""
    if not isinstance(items, list):
        raise TrustError(["roles: a list of roles, each with the options of one role"])
    problems, entries, names = [], [], {}
    for i, item in enumerate(items):
        at = _where(i, item)
        if not isinstance(item, dict):
            problems.append("%s: must be a mapping of one role's options (name, trust, ...)" % at)
            continue
        shape = argspec_guard.non_mapping_suboptions(item, role_spec)
        if shape:
            problems.append("%s: %s" % (at, argspec_guard.message(shape)))
            continue
        pasted = pasted_policy_document(item.get("trust"))
        if pasted:
            problems.append("%s: %s" % (at, pasted))
            continue
        checked = ArgumentSpecValidator(role_spec, required_if=required_if).validate(item)
        if checked.error_messages:
            problems.extend("%s: %s" % (at, m) for m in checked.error_messages)
            continue
        try:
            desired = validate_params(checked.validated_parameters)
            trust_doc = None
            if desired["state"] == "present" and not (desired["trust"].get("irsa") or {}).get("cluster_name"):
                trust_doc = build_trust_document(desired["trust"])
        except TrustError as e:
            problems.extend("%s: %s" % (at, p) for p in e.problems)
            continue
        key = desired["name"].lower()  # IAM role names are unique regardless of case
        if key in names:
            problems.append("%s: role %s is listed twice (also at %s)" % (at, desired["name"], names[key]))
            continue
        names[key] = "roles[%d]" % i
        entries.append(Entry(i, at, desired, trust_doc))
    if problems:
        raise TrustError(problems)
    return entries


def purge_problems(path, keep):
    """Problems of ``purge_path`` and ``keep`` (pure)."""
    problems = []
    bad = validate_iam_identifiers("role", path=path) if isinstance(path, str) else "must be a string"
    if bad:
        problems.append("purge_path: %s" % bad)
    elif path == "/":
        problems.append("purge_path: / would take every role at the account's root path; give the path that "
                        "belongs to these roles only (such as /kube2iam/prod/)")
    for i, name in enumerate(keep or []):
        if not isinstance(name, str) or validate_iam_identifiers("role", name=name):
            problems.append("keep[%d]: %r is not an IAM role name" % (i, name))
    return problems


def purge_entries(existing, path, entries, keep):
    """Entries deleting the roles of ``existing`` (``{name: path}``, read under ``path``) that are
    neither in the batch nor in ``keep`` (IAM names compare without case)."""
    wanted = set(e.desired["name"].lower() for e in entries) | set(k.lower() for k in keep or [])
    return [Entry(None, "purge (%s)" % name, {"name": name, "path": path, "state": "absent"}, None)
            for name in sorted(existing) if existing[name] == path and name.lower() not in wanted]


class Memo(object):
    """A value read once for the whole batch, whichever worker asks first (thread-safe)."""

    def __init__(self, read):
        self._read = read
        self._lock = threading.Lock()
        self._done = False
        self._value = None

    def __call__(self):
        with self._lock:
            if not self._done:
                self._value = self._read()
                self._done = True
            return self._value


def converge_batch(entries, converge_one, concurrency=4, expected=(AnsibleAWSError, TrustError)):
    """Run ``converge_one(entry)`` -> ``(changed, result, diff, warnings)`` for every entry with
    at most ``concurrency`` at a time. Returns ``(changed, results, diff, warnings)`` in the
    order of the items; raises BatchError naming each role that failed with an ``expected``
    error, after all the others ran (any other exception is a bug and is raised as it is)."""
    workers = max(1, min(int(concurrency), MAX_CONCURRENCY, len(entries) or 1))

    def run(entry):
        try:
            return entry, converge_one(entry), None
        except Exception as e:  # noqa: BLE001 - reported per role, after the others ran
            return entry, None, e

    if workers == 1:
        outcomes = [run(e) for e in entries]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(run, entries))
    changed, results, warnings, failures = False, [], [], []
    diff = {"before": {}, "after": {}}
    for entry, outcome, error in outcomes:
        if error is not None:
            if not isinstance(error, expected):
                raise error
            failures.append("%s: %s" % (entry.where, error))
            continue
        one_changed, result, one_diff, one_warnings = outcome
        changed = changed or one_changed
        result = dict(result, changed=one_changed, state=entry.desired["state"])
        results.append(result)
        diff["before"][entry.desired["name"]] = one_diff["before"]
        diff["after"][entry.desired["name"]] = one_diff["after"]
        warnings.extend("%s: %s" % (entry.where, w) for w in one_warnings)
    if failures:
        raise BatchError(failures, results, changed)
    return changed, results, diff, warnings
