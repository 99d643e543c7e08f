# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""aws_auth_mapping's parameters: every problem of the requested entries before any request.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import ADMIN_GROUP
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import AwsAuthValidationError
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import NODE_GROUPS
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import _dedup
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import _key
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import check_arn
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import check_template
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import normalize_account
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import normalize_role_arn


def validate_params(params):
    """The module's parameters -> a request dict; raises AwsAuthValidationError (all problems).

    Request: ``state``, ``purge``, ``allow_node_role_removal``, ``allow_cluster_admin``,
    ``normalize_arns``, ``roles``/``users`` (None = not managed, else a list of
    ``{arn, key, username, groups, index}``), ``accounts`` (None or list of str) and
    ``warnings`` (list of str).
    """
    state = params.get("state") or "present"
    normalize = params.get("normalize_arns", True)
    normalize = True if normalize is None else bool(normalize)
    allow_admin = bool(params.get("allow_cluster_admin"))
    problems = []
    warnings = []
    request = {
        "state": state,
        "purge": bool(params.get("purge")),
        "allow_node_role_removal": bool(params.get("allow_node_role_removal")),
        "allow_cluster_admin": allow_admin,
        "normalize_arns": normalize,
        "roles": None,
        "users": None,
        "accounts": None,
        "warnings": warnings,
    }
    if state not in ("present", "absent"):
        problems.append("state: %r is not one of present, absent" % (state,))
    if request["purge"] and state == "absent":
        problems.append("purge: applies to state=present only (it removes the entries that are not "
                        "listed); with state=absent list the entries to remove")

    for kind in ("roles", "users"):
        items = params.get(kind)
        if items is None:
            continue
        if not isinstance(items, list):
            problems.append("%s: must be a list" % kind)
            continue
        out = []
        first_seen = {}
        for i, item in enumerate(items):
            where = "%s[%d]" % (kind, i)
            if not isinstance(item, dict):
                problems.append("%s: must be a mapping with arn, username, groups" % where)
                continue
            arn = item.get("arn")
            arn_problems = check_arn(arn, kind)
            for p in arn_problems:
                problems.append("%s.arn: %s" % (where, p))
            if arn_problems:
                continue
            final = arn
            if kind == "roles":
                stripped = normalize_role_arn(arn)
                if stripped != arn:
                    if normalize:
                        final = stripped
                        warnings.append(
                            "%s.arn: %s has a path; the authenticator matches role ARNs without "
                            "their path, so it is mapped as %s (normalize_arns)" % (where, arn, stripped))
                    else:
                        warnings.append(
                            "%s.arn: %s has a path and normalize_arns is false: the authenticator "
                            "matches role ARNs without their path, so this entry will never match"
                            % (where, arn))
            username = item.get("username")
            groups = item.get("groups")
            if state == "present":
                if username is None or (isinstance(username, str) and not username.strip()):
                    problems.append("%s.username: required with state=present" % where)
                elif not isinstance(username, str):
                    problems.append("%s.username: must be a string" % where)
                else:
                    for p in check_template(username):
                        problems.append("%s.username: %s" % (where, p))
                if groups is not None:
                    if not isinstance(groups, list):
                        problems.append("%s.groups: must be a list of strings" % where)
                        groups = None
                    else:
                        bad = False
                        for j, g in enumerate(groups):
                            if not isinstance(g, str) or not g.strip():
                                problems.append("%s.groups[%d]: must be a non-empty string" % (where, j))
                                bad = True
                            elif g != g.strip():
                                problems.append("%s.groups[%d]: %r has leading or trailing whitespace"
                                                % (where, j, g))
                                bad = True
                            else:
                                for p in check_template(g):
                                    problems.append("%s.groups[%d]: %s" % (where, j, p))
                        if not bad:
                            groups = _dedup(groups)
                            if ADMIN_GROUP in groups:
                                if allow_admin:
                                    warnings.append(
                                        "%s: %s is mapped to %s (full cluster-admin rights; "
                                        "allow_cluster_admin=true)" % (where, final, ADMIN_GROUP))
                                else:
                                    problems.append(
                                        "%s.groups: %s grants full cluster-admin rights to %s; "
                                        "refused unless allow_cluster_admin=true (prefer a group "
                                        "bound to a narrower ClusterRole)" % (where, ADMIN_GROUP, final))
                            node = [g for g in groups if g in NODE_GROUPS]
                            if node and isinstance(username, str) and not username.startswith("system:node:"):
                                problems.append(
                                    "%s.groups: %s puts %s in %s, the groups of nodes, but its username %r "
                                    "is not a node's (system:node:{{EC2PrivateDNSName}}, or "
                                    "system:node:{{SessionName}} for Fargate): a person's or a "
                                    "pipeline's role does not belong there; map it to a group bound "
                                    "to a least-privilege role instead"
                                    % (where, final, username, ", ".join(node), username))
            key = _key(kind, final, normalize)
            if key in first_seen:
                warnings.append(
                    "%s.arn: duplicate of %s[%d] (%s); the last one is used, as the authenticator "
                    "does" % (where, kind, first_seen[key], final))
            first_seen[key] = i
            out.append({"arn": final, "key": key, "username": username, "groups": groups, "index": i})
        request[kind] = out

    accounts = params.get("accounts")
    if accounts is not None:
        if not isinstance(accounts, list):
            problems.append("accounts: must be a list of 12-digit account ids")
        else:
            out = []
            seen = set()
            for i, value in enumerate(accounts):
                acc, problem = normalize_account(value)
                if problem:
                    problems.append("accounts[%d]: %s" % (i, problem))
                    continue
                if acc in seen:
                    warnings.append("accounts[%d]: %s is listed twice" % (i, acc))
                    continue
                seen.add(acc)
                out.append(acc)
            request["accounts"] = out

    if problems:
        raise AwsAuthValidationError(problems)
    return request
