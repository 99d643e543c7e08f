# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A guard for a crash of ansible-core's argument validation (seen in 2.19.14).

An option of ``type: dict`` with ``options`` (sub-options) given a boolean, a number or a list
makes ``AnsibleModule`` raise ``TypeError`` in ``set_fallbacks`` (the type error is recorded,
then the sub-options are still validated against the wrong value): the user sees a traceback
instead of an error message. Modules with such options look at their raw arguments first; the
offending options are given ``type: raw`` for the one run that then fails cleanly, naming them.
Pure functions, no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

_ACCEPTED = (dict, str, type(None))  # a str is parsed by ansible-core (JSON or key=value) or refused cleanly


def _given(params, name, spec):
    for key in [name] + list(spec.get("aliases") or []):
        if isinstance(params, dict) and key in params:
            return True, params[key]
    return False, None


def non_mapping_suboptions(params, argument_spec, prefix=""):
    """Paths (``trust``, ``trust.kube2iam``, ...) of dict options with sub-options whose value is
    neither a mapping nor a string, in ``params`` (raw module arguments)."""
    problems = []
    for name, spec in sorted(argument_spec.items()):
        if not spec.get("options") or spec.get("type", "str") != "dict":
            continue
        found, value = _given(params, name, spec)
        if not found:
            continue
        path = prefix + name
        if not isinstance(value, _ACCEPTED):
            problems.append((path, type(value).__name__))
        elif isinstance(value, dict):
            problems.extend(non_mapping_suboptions(value, spec["options"], path + "."))
    return problems


def relaxed_spec(argument_spec, problems):
    """A copy of ``argument_spec`` where the options named by ``problems`` take any value."""
    spec = copy.deepcopy(argument_spec)
    for path, _kind in problems:
        node, parts = spec, path.split(".")
        for part in parts[:-1]:
            node = node[part]["options"]
        node[parts[-1]] = {"type": "raw"}
    return spec


def message(problems):
    return "; ".join("%s must be a dictionary, got %s" % (path, kind) for path, kind in problems)
