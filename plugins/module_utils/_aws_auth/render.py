# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rendering of aws-auth's data: the keys this module writes, as readable YAML.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

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


def _item_chunks(text):
    """(head, chunks, indent) of a block sequence: the text of each top-level item with the
    comment lines right above it, or None when the text is not a plain block sequence."""
    lines = text.splitlines(True)
    first = next((i for i, line in enumerate(lines) if re.match(r"^( *)-( |$)", line)), None)
    if first is None:
        return None
    indent = re.match(r"^( *)-", lines[first]).group(1)
    start = re.compile(r"^%s-( |\n|$)" % indent)
    loose = re.compile(r"^\s*(#.*)?\n?$")
    head, chunks, pending = lines[:first], [], []
    for line in lines[first:]:
        if start.match(line):
            chunks.append(pending + [line])
            pending = []
        elif loose.match(line):
            pending.append(line)
        elif line.startswith(indent + " ") or line.startswith(indent + "\t"):
            chunks[-1].extend(pending + [line])
            pending = []
        else:
            return None  # something at the list's own level that is not an item
    if pending:
        chunks[-1].extend(pending)
    return "".join(head), ["".join(c) if "".join(c).endswith("\n") else "".join(c) + "\n" for c in chunks], indent


def _keep_layout(original_text, original_items, new_items, loader):
    """The new list with the original text (comments, layout) of every entry that is unchanged,
    new or changed entries rendered at the list's indentation; None when that cannot be done."""
    split = _item_chunks(original_text)
    if split is None:
        return None
    head, chunks, indent = split
    if len(chunks) != len(original_items):
        return None
    for chunk, item in zip(chunks, original_items):
        try:
            if yaml.load(chunk, Loader=loader) != [item]:  # nosec - safe/base loaders only
                return None
        except yaml.YAMLError:
            return None
    unused = list(range(len(original_items)))
    out = [head]
    for item in new_items:
        match = next((j for j in unused if original_items[j] == item), None)
        if match is not None:
            unused.remove(match)
            out.append(chunks[match])
        else:
            out.append("".join(indent + line if line.strip() else line
                               for line in render_list([item]).splitlines(True)))
    return "".join(out)


def render_key(key, original_text, original_items, new_items):
    """New text of one key. The original text of every entry that stays as it was is kept (its
    comments and layout), and new or changed entries are rendered in the list's indentation -
    provided the result reads back exactly as intended; otherwise the whole list is rendered."""
    loader = _BaseLoader if key == "mapAccounts" else _SafeLoader
    if new_items and original_items and isinstance(original_text, str):
        text = _keep_layout(original_text, original_items, new_items, loader)
        if text is not None:
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
