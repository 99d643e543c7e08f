# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What aws-auth holds and how aws-iam-authenticator reads it: the data keys, the node and admin
groups, the placeholders, the errors, and the checks of one ARN, template or account.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hardened.eks.plugins.module_utils import _names


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
