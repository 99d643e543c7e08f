# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parsing of aws-auth's data as aws-iam-authenticator parses it (wild YAML included).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.yaml_io import yaml
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.yaml_io import SafeLoader as _SafeLoader
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.yaml_io import BaseLoader as _BaseLoader

from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import AwsAuthParseError
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import DATA_KEYS
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import _SKIPPABLE


def _yaml_problem(key, exc):
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    where = ""
    if mark is not None:
        where = " at line %d, column %d" % (mark.line + 1, mark.column + 1)
    text = "%s: not valid YAML%s: %s" % (key, where, problem)
    if context:
        text += " (%s)" % context
    return text


def _load(key, text, loader):
    """YAML text of one key -> Python data, or raise AwsAuthParseError naming the key."""
    if not isinstance(text, str):
        raise AwsAuthParseError(["%s: expected a string, found %s" % (key, type(text).__name__)])
    if text.strip() in _SKIPPABLE:
        return []
    try:
        data = yaml.load(text, Loader=loader)  # nosec - safe/base loaders only
    except yaml.YAMLError as exc:
        raise AwsAuthParseError([_yaml_problem(key, exc)])
    except Exception as exc:  # pylint: disable=broad-except  # e.g. bad unicode
        raise AwsAuthParseError(["%s: not valid YAML: %s" % (key, exc)])
    return [] if data is None else data


def entry_field(entry, name):
    """(actual_key, value) of a field, matched case-insensitively as Go's json.Unmarshal does."""
    if name in entry:
        return name, entry[name]
    for k in entry:
        if isinstance(k, str) and k.lower() == name:
            return k, entry[k]
    return None, None


def _groups_of(entry):
    return entry_field(entry, "groups")[1] or []


def parse_entries(key, text, arn_field):
    """mapRoles/mapUsers text -> list of entry dicts (original keys and order kept)."""
    data = _load(key, text, _SafeLoader)
    if not isinstance(data, list):
        raise AwsAuthParseError(["%s: expected a YAML list of mappings, found %s"
                                 % (key, _kind_name(data))])
    problems = []
    for i, entry in enumerate(data):
        where = "%s[%d]" % (key, i)
        if not isinstance(entry, dict):
            problems.append("%s: expected a mapping (%s, username, groups), found %s"
                            % (where, arn_field, _kind_name(entry)))
            continue
        fname, arn = entry_field(entry, arn_field)
        if fname is None:
            if arn_field == "rolearn" and entry_field(entry, "sso")[0] is not None:
                continue  # an SSO permission-set matcher: no ARN, kept as it is
            problems.append("%s: has no %s" % (where, arn_field))
        elif not isinstance(arn, str):
            problems.append("%s.%s: expected a string, found %s" % (where, fname, _kind_name(arn)))
        uname, username = entry_field(entry, "username")
        if uname is not None and username is not None and not isinstance(username, str):
            problems.append("%s.%s: expected a string, found %s" % (where, uname, _kind_name(username)))
        gname, groups = entry_field(entry, "groups")
        if gname is not None and groups is not None:
            if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
                problems.append("%s.%s: expected a list of strings, found %r" % (where, gname, groups))
    if problems:
        raise AwsAuthParseError(problems)
    return data


def parse_accounts(text, key="mapAccounts"):
    """mapAccounts text -> list of strings (unquoted ids are read as text, like the authenticator)."""
    data = _load(key, text, _BaseLoader)
    if not isinstance(data, list):
        raise AwsAuthParseError(["%s: expected a YAML list of account ids, found %s"
                                 % (key, _kind_name(data))])
    problems = ["%s[%d]: expected an account id, found %s" % (key, i, _kind_name(a))
                for i, a in enumerate(data) if not isinstance(a, str)]
    if problems:
        raise AwsAuthParseError(problems)
    return data


def _kind_name(value):
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    return "%s %r" % (type(value).__name__, value)


def parse_aws_auth(data, keys=DATA_KEYS):
    """ConfigMap data -> {key: parsed list}; every problem of the keys asked, in one error."""
    data = data or {}
    out = {}
    problems = []
    for key in keys:
        try:
            if key == "mapAccounts":
                out[key] = parse_accounts(data.get(key, ""), key)
            else:
                field = "rolearn" if key == "mapRoles" else "userarn"
                out[key] = parse_entries(key, data.get(key, ""), field)
        except AwsAuthParseError as exc:
            problems.extend(exc.problems)
    if problems:
        raise AwsAuthParseError(problems)
    return out
