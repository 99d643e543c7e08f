# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rendering of aws-auth's data: the keys this module writes, as readable YAML.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.yaml_io import yaml
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.yaml_io import SafeLoader as _SafeLoader
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.yaml_io import BaseLoader as _BaseLoader
from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.yaml_io import SafeDumper as _SafeDumper

from ansible_collections.hardened.eks.plugins.module_utils._aws_auth.model import DATA_KEYS


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
