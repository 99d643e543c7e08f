# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of the ``aws_auth_mapping`` module: the entries of ``kube-system/aws-auth``.

The AWS IAM authenticator reads three keys of the ConfigMap, each a YAML document:
``mapRoles`` and ``mapUsers`` (lists of ``{rolearn|userarn, username, groups}``) and
``mapAccounts`` (a list of account ids). It looks ARNs up lower-cased and the last entry of an
ARN wins. Everything here takes plain data and returns plain data:

- ``validate_params(params)`` checks the module's input (every problem in one error);
- ``parse_aws_auth(data)`` reads the ConfigMap's data the way the authenticator does;
- ``plan_aws_auth(data, request)`` merges/removes/purges with the guards and renders the new
  data, returning what changed (``added``/``removed``/``updated``/``warnings``/``diff``);
- ``ensure_aws_auth(api, ...)`` is the one function with I/O: one GET, at most one write per
  attempt: a JSON patch of the changed keys that tests their read values, re-planned when
  another writer changed them. Check mode goes through the same path and skips the write.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hardened.eks.plugins.module_utils import _names

try:
    import yaml

    HAS_YAML = True
    try:  # libyaml bindings: 10-50x faster on large mappings
        from yaml import CSafeLoader as _SafeLoader, CBaseLoader as _BaseLoader, CSafeDumper as _SafeDumper
    except ImportError:  # pragma: no cover - depends on how PyYAML was built
        from yaml import SafeLoader as _SafeLoader, BaseLoader as _BaseLoader, SafeDumper as _SafeDumper
except ImportError:  # pragma: no cover - PyYAML ships with ansible-core
    HAS_YAML = False

PARTITIONS = _names.PARTITIONS
NODE_GROUPS = ("system:bootstrappers", "system:nodes", "system:node-proxier")
ADMIN_GROUP = "system:masters"
PLACEHOLDERS = ("{{AccountID}}", "{{SessionName}}", "{{SessionNameRaw}}", "{{EC2PrivateDNSName}}",
                "{{AccessKeyID}}")
DATA_KEYS = ("mapRoles", "mapUsers", "mapAccounts")

# option name -> (ConfigMap key, ARN field, IAM resource type)
KINDS = {
    "roles": ("mapRoles", "rolearn", "role"),
    "users": ("mapUsers", "userarn", "user"),
}

_ARN_RE = re.compile(r"^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$")
_ACCOUNT_RE = _names.ACCOUNT_RE
_IAM_NAME_RE = _names.IAM_NAME_RE
_PATH_SEGMENT_RE = re.compile(r"^[\x21-\x2e\x30-\x7e]+$")  # printable ASCII except "/"
_PLACEHOLDER_RE = re.compile(r"\{\{(.*?)\}\}")
_ROLE_PATH_RE = re.compile(r"^(arn:[^:]*:iam::[^:]*:role/)(?:.*/)([^/]+)$")
_SKIPPABLE = ("", "``", '""')  # what the authenticator treats as an empty key


class AwsAuthError(Exception):
    """Base of the errors raised here. ``problems`` holds every item reported."""

    def __init__(self, problems, prefix=None):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        text = "; ".join(self.problems)
        if prefix:
            text = "%s: %s" % (prefix, text)
        super(AwsAuthError, self).__init__(text)


class AwsAuthValidationError(AwsAuthError):
    """Bad module input, found before any API call."""

    def __init__(self, problems):
        n = len(problems) if isinstance(problems, list) else 1
        super(AwsAuthValidationError, self).__init__(
            problems, "invalid input (%d problem%s)" % (n, "" if n == 1 else "s"))


class AwsAuthParseError(AwsAuthError):
    """The existing ConfigMap data does not parse (bad YAML or wrong shape)."""

    def __init__(self, problems, where="the existing ConfigMap"):
        super(AwsAuthParseError, self).__init__(
            problems, "%s cannot be read, nothing was changed" % where)


class AwsAuthGuardError(AwsAuthError):
    """The change is refused by a guard (node role removal, ...), before any write."""

    def __init__(self, problems):
        super(AwsAuthGuardError, self).__init__(problems, "refused, nothing was changed")


# --------------------------------------------------------------------------------------------
# ARNs, usernames, accounts
# --------------------------------------------------------------------------------------------
def normalize_role_arn(arn):
    """``arn:aws:iam::111122223333:role/team/x`` -> ``arn:aws:iam::111122223333:role/x``.

    The authenticator canonicalizes the caller's ``assumed-role`` ARN to ``role/<name>``: a
    mapped role ARN with a path never matches. Anything else is returned unchanged.
    """
    if not isinstance(arn, str):
        return arn
    m = _ROLE_PATH_RE.match(arn)
    return m.group(1) + m.group(2) if m else arn


def check_arn(arn, kind):
    """Problems (list of str, empty when fine) of an ARN meant for ``kind`` (roles/users)."""
    want = KINDS[kind][2]
    other = "users" if kind == "roles" else "roles"
    if not isinstance(arn, str) or not arn:
        return ["is empty"]
    if arn != arn.strip():
        return ["%r has leading or trailing whitespace" % arn]
    m = _ARN_RE.match(arn)
    if not m:
        return ["%r is not an ARN (expected arn:<partition>:iam::<12-digit account>:%s/<name>)" % (arn, want)]
    partition, service, region, account, resource = m.groups()
    problems = []
    if partition not in PARTITIONS:
        problems.append("%r: partition %r is not one of %s" % (arn, partition, ", ".join(PARTITIONS)))
    if service == "sts" and resource.startswith("assumed-role/"):
        parts = resource.split("/")
        role = "arn:%s:iam::%s:role/%s" % (partition, account, parts[1] if len(parts) > 1 else "<name>")
        return problems + [
            "%r is an STS assumed-role (session) ARN: the authenticator maps the role itself, not "
            "one of its sessions; use %s under roles" % (arn, role)]
    if service == "sts":
        return problems + ["%r is an STS ARN; aws-auth maps IAM %s ARNs (arn:%s:iam::<account>:%s/<name>)"
                           % (arn, want, partition or "aws", want)]
    if service != "iam":
        problems.append("%r: service %r is not iam" % (arn, service))
    if region:
        problems.append("%r: IAM ARNs have no region (found %r)" % (arn, region))
    if not _ACCOUNT_RE.match(account):
        problems.append("%r: account %r is not 12 digits" % (arn, account))
    rtype, _sep, rest = resource.partition("/")
    if rtype != want:
        if rtype in ("role", "user"):
            problems.append("%r is a%s %s ARN; list it under %s" % (arn, "", rtype, other))
        else:
            problems.append("%r: resource must be %s/<name>, found %r" % (arn, want, resource))
        return problems
    pieces = rest.split("/")
    name, path = pieces[-1], pieces[:-1]
    if not _IAM_NAME_RE.match(name):
        problems.append("%r: %s name %r is not a valid IAM name (1-64 of A-Z a-z 0-9 _+=,.@-)"
                        % (arn, want, name))
    if any(not _PATH_SEGMENT_RE.match(seg) for seg in path):
        problems.append("%r: the path has an empty or invalid segment" % arn)
    return problems


def check_template(value):
    """Problems of a username/group template: only the authenticator's placeholders."""
    problems = []
    for inner in _PLACEHOLDER_RE.findall(value):
        if "{{%s}}" % inner not in PLACEHOLDERS:
            hint = ""
            stripped = "{{%s}}" % inner.strip()
            if stripped in PLACEHOLDERS:
                hint = " (write %s, without spaces)" % stripped
            problems.append("unknown placeholder {{%s}}%s; the authenticator substitutes only %s"
                            % (inner, hint, ", ".join(PLACEHOLDERS)))
    rest = _PLACEHOLDER_RE.sub("", value)
    if "{{" in rest or "}}" in rest:
        problems.append("unbalanced '{{' or '}}' in %r" % value)
    return problems


def normalize_account(value):
    """(account_id_string, problem_or_None). Accepts ints and quoted strings of 12 digits."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None, "%r is not an account id (12 digits)" % (value,)
    text = str(value).strip()
    if not _ACCOUNT_RE.match(text):
        hint = ""
        if isinstance(value, int) and len(text) < 12:
            hint = " (a leading zero was lost? quote account ids in YAML)"
        return None, "%r is not a 12-digit account id%s" % (value, hint)
    return text, None


def _key(kind, arn, normalize):
    """Lookup key of an ARN: lower-cased like the authenticator, role paths dropped."""
    if not isinstance(arn, str):
        return None
    if kind == "roles" and normalize:
        arn = normalize_role_arn(arn)
    return arn.lower()


def _dedup(items):
    seen = set()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


# --------------------------------------------------------------------------------------------
# Module input
# --------------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------------
# Existing data
# --------------------------------------------------------------------------------------------
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


def _field(entry, name):
    """(actual_key, value) of a field, matched case-insensitively as Go's json.Unmarshal does."""
    if name in entry:
        return name, entry[name]
    for k in entry:
        if isinstance(k, str) and k.lower() == name:
            return k, entry[k]
    return None, None


def _groups_of(entry):
    return _field(entry, "groups")[1] or []


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
        fname, arn = _field(entry, arn_field)
        if fname is None:
            if arn_field == "rolearn" and _field(entry, "sso")[0] is not None:
                continue  # an SSO permission-set matcher: no ARN, kept as it is
            problems.append("%s: has no %s" % (where, arn_field))
        elif not isinstance(arn, str):
            problems.append("%s.%s: expected a string, found %s" % (where, fname, _kind_name(arn)))
        uname, username = _field(entry, "username")
        if uname is not None and username is not None and not isinstance(username, str):
            problems.append("%s.%s: expected a string, found %s" % (where, uname, _kind_name(username)))
        gname, groups = _field(entry, "groups")
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


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------
def render_list(items):
    """A list as block-style YAML (the form aws-auth is usually written in)."""
    if not items:
        return "[]\n"
    return yaml.dump(items, Dumper=_SafeDumper, default_flow_style=False, sort_keys=False,
                     allow_unicode=True, width=1 << 20, indent=2)


def render_key(key, original_text, original_items, new_items):
    """New text of one key. When the change only appends entries to a block list, the existing
    text (its comments and layout) is kept and the new entries are added below it — provided the
    result reads back exactly as intended; otherwise the whole list is rendered."""
    loader = _BaseLoader if key == "mapAccounts" else _SafeLoader
    appended = len(new_items) > len(original_items) and new_items[:len(original_items)] == original_items
    if appended and original_items and isinstance(original_text, str):
        text = original_text if original_text.endswith("\n") else original_text + "\n"
        text += render_list(new_items[len(original_items):])
        try:
            if yaml.load(text, Loader=loader) == new_items:  # nosec - safe/base loaders only
                return text
        except yaml.YAMLError:
            pass
    return render_list(new_items)


def _literal_block(key, text):
    if text == "":
        return '%s: ""\n' % key
    if text.endswith("\n\n"):
        chomp = "+"
    elif text.endswith("\n"):
        chomp = ""
    else:
        chomp = "-"
    indicator = "2" if text[:1] in (" ", "\n") else ""
    body = text[:-1] if text.endswith("\n") else text
    lines = ["  " + line if line else "" for line in body.split("\n")]
    return "%s: |%s%s\n%s\n" % (key, indicator, chomp, "\n".join(lines))


def display(data):
    """mapRoles/mapUsers/mapAccounts of a ConfigMap's data as one readable YAML string."""
    data = data or {}
    return "".join(_literal_block(k, data[k]) for k in DATA_KEYS if isinstance(data.get(k), str))


# --------------------------------------------------------------------------------------------
# Planning
# --------------------------------------------------------------------------------------------
def _managed_keys(request):
    keys = []
    if request.get("roles") is not None:
        keys.append("mapRoles")
    if request.get("users") is not None:
        keys.append("mapUsers")
    if request.get("accounts") is not None:
        keys.append("mapAccounts")
    return keys


def _guard_removal(entry, arn, where, request, problems, warnings, what="remove"):
    node = [g for g in _groups_of(entry) if g in NODE_GROUPS]
    if not node:
        return
    if request["allow_node_role_removal"]:
        warnings.append("%s: %s %s, which carries %s (allow_node_role_removal=true): nodes that use "
                        "it can no longer join or stay in the cluster"
                        % (where, "removing" if what == "remove" else "taking node groups from",
                           arn, ", ".join(node)))
        return
    if what == "remove":
        problems.append("%s: refusing to remove %s: it carries %s (a node or Fargate role); removing "
                        "it takes every node that uses it out of the cluster. Set "
                        "allow_node_role_removal=true if that is intended" % (where, arn, ", ".join(node)))
    else:
        problems.append("%s: refusing to take %s away from %s (a node or Fargate role): that removes "
                        "its nodes from the cluster. Set allow_node_role_removal=true if that is "
                        "intended" % (where, ", ".join(node), arn))


def _plan_entries(kind, existing, desired, request, result, problems, warnings):
    """Merge one of mapRoles/mapUsers. Returns (new_items, changed)."""
    key_name, arn_field, _rtype = KINDS[kind]
    normalize = request["normalize_arns"]
    state = request["state"]
    index = {}
    for pos, entry in enumerate(existing):
        arn = _field(entry, arn_field)[1]
        k = _key(kind, arn, normalize)
        if k is None:
            continue
        index.setdefault(k, []).append(pos)
    for k, positions in index.items():
        if len(positions) > 1:
            arns = _dedup([_field(existing[p], arn_field)[1] for p in positions])
            warnings.append("%s has %d entries for %s (items %s); the authenticator honours the last one"
                            % (key_name, len(positions), " / ".join(arns),
                               ", ".join(str(p) for p in positions)))
    listed = set(d["key"] for d in desired)
    if normalize and kind == "roles":
        for pos, entry in enumerate(existing):
            arn = _field(entry, arn_field)[1]
            if isinstance(arn, str) and normalize_role_arn(arn) != arn and _key(kind, arn, True) not in listed:
                warnings.append("%s[%d]: %s has a path, so the authenticator never matches it; list "
                                "it in roles to rewrite it as %s" % (key_name, pos, arn, normalize_role_arn(arn)))

    new_items = list(existing)
    removed_pos = set()
    changed = False

    if state == "present":
        wanted = {}
        for d in desired:
            wanted[d["key"]] = d  # last wins, as in the authenticator
        appended = []
        for k, d in wanted.items():
            positions = index.get(k)
            if not positions:
                entry = {arn_field: d["arn"], "username": d["username"], "groups": list(d["groups"] or [])}
                appended.append(entry)
                result["added"].append(d["arn"])
                continue
            entry_changed = False
            for pos in positions:
                old = existing[pos]
                new = dict(old)
                afield, aval = _field(old, arn_field)
                if aval != d["arn"]:
                    new[afield] = d["arn"]
                ufield = _field(old, "username")[0] or "username"
                if _field(old, "username")[1] != d["username"]:
                    new[ufield] = d["username"]
                if d["groups"] is not None:
                    gfield = _field(old, "groups")[0] or "groups"
                    old_groups = _groups_of(old)
                    if set(old_groups) != set(d["groups"]):
                        new[gfield] = list(d["groups"])
                        lost = [g for g in old_groups if g in NODE_GROUPS and g not in d["groups"]]
                        if lost:
                            _guard_removal({"groups": lost}, aval, "%s[%d]" % (kind, d["index"]),
                                           request, problems, warnings, what="take")
                if new != old:
                    new_items[pos] = new
                    entry_changed = True
            if entry_changed:
                result["updated"].append(d["arn"])
                changed = True
        if request["purge"]:
            for pos, entry in enumerate(existing):
                arn = _field(entry, arn_field)[1]
                k = _key(kind, arn, normalize)
                if k is None:
                    warnings.append("%s[%d] has no %s (an SSO matcher?) and is kept by purge"
                                    % (key_name, pos, arn_field))
                    continue
                if k in wanted:
                    continue
                if any(g in NODE_GROUPS for g in _groups_of(entry)):
                    # EKS adds node and Fargate roles by itself and users do not list them:
                    # purge spares them (removing one is an explicit state=absent).
                    result["kept"].append(arn)
                    continue
                if ADMIN_GROUP in _groups_of(entry):
                    warnings.append("purge removes %s, which was mapped to %s" % (arn, ADMIN_GROUP))
                removed_pos.add(pos)
                result["removed"].append(arn)
        if removed_pos:
            new_items = [e for pos, e in enumerate(new_items) if pos not in removed_pos]
        if appended:
            new_items.extend(appended)
            changed = True
        return new_items, changed or bool(removed_pos)

    # state == absent
    for d in desired:
        for pos in index.get(d["key"], ()):
            if pos in removed_pos:
                continue
            arn = _field(existing[pos], arn_field)[1]
            _guard_removal(existing[pos], arn, "%s[%d]" % (kind, d["index"]), request, problems, warnings)
            removed_pos.add(pos)
            result["removed"].append(arn)
    if removed_pos:
        new_items = [e for pos, e in enumerate(existing) if pos not in removed_pos]
    return new_items, bool(removed_pos)


def _plan_accounts(existing, desired, request, result, warnings):
    seen = {}
    for pos, acc in enumerate(existing):
        seen.setdefault(acc, []).append(pos)
        if not _ACCOUNT_RE.match(acc.strip()):
            warnings.append("mapAccounts[%d]: %r is not a 12-digit account id" % (pos, acc))
    for acc, positions in seen.items():
        if len(positions) > 1:
            warnings.append("mapAccounts lists %s %d times" % (acc, len(positions)))
    if request["state"] == "present":
        wanted = set(desired)
        new_items = list(existing)
        if request["purge"]:
            new_items = [a for a in existing if a in wanted]
            result["removed"].extend(_dedup([a for a in existing if a not in wanted]))
        added = [a for a in desired if a not in seen]
        new_items.extend(added)
        result["added"].extend(added)
        return new_items, new_items != existing
    drop = set(desired)
    new_items = [a for a in existing if a not in drop]
    result["removed"].extend(_dedup([a for a in existing if a in drop]))
    return new_items, new_items != existing


def plan_aws_auth(data, request):
    """Plan the change of a ConfigMap's data. Pure; raises AwsAuthParseError/AwsAuthGuardError.

    Returns a dict: ``changed``, ``data`` (the new data: every other key kept as it was),
    ``added``, ``removed``, ``updated`` (lists of ARNs / account ids), ``warnings`` and ``diff``
    (``before``/``after``: readable YAML of mapRoles, mapUsers, mapAccounts).
    """
    data = dict(data or {})
    warnings = list(request.get("warnings") or [])
    result = {"added": [], "removed": [], "updated": [], "kept": []}
    managed = _managed_keys(request)
    # Keys not managed by this run are read too: their problems become warnings, never failures.
    parsed = {}
    parse_problems = []
    for key in DATA_KEYS:
        try:
            parsed[key] = parse_aws_auth(data, keys=(key,))[key]
        except AwsAuthParseError as exc:
            if key in managed:
                parse_problems.extend(exc.problems)
            else:
                warnings.append("%s is left unchanged but the authenticator cannot read it: %s"
                                % (key, "; ".join(exc.problems)))
    if parse_problems:
        raise AwsAuthParseError(parse_problems)

    problems = []
    new_data = dict(data)
    for kind in ("roles", "users"):
        if request.get(kind) is None:
            continue
        key = KINDS[kind][0]
        existing = parsed[key]
        items, changed = _plan_entries(kind, existing, request[kind], request, result, problems, warnings)
        if changed:
            new_data[key] = render_key(key, data.get(key), existing, items)
    if request.get("accounts") is not None:
        existing = parsed["mapAccounts"]
        items, changed = _plan_accounts(existing, request["accounts"], request, result, warnings)
        if changed:
            new_data["mapAccounts"] = render_key("mapAccounts", data.get("mapAccounts"), existing, items)
    if problems:
        raise AwsAuthGuardError(problems)
    return {
        "changed": new_data != data,
        "data": new_data,
        "added": _dedup(result["added"]),
        "removed": _dedup(result["removed"]),
        "updated": _dedup(result["updated"]),
        "kept": _dedup(result["kept"]),
        "warnings": warnings,
        "diff": {"before": display(data), "after": display(new_data)},
    }


# --------------------------------------------------------------------------------------------
# The one function with I/O
# --------------------------------------------------------------------------------------------
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
