# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``<placeholders>`` of the example inventory left in variables (pure; filter ``placeholders``)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

PLACEHOLDER = re.compile(r"<[A-Za-z][A-Za-z0-9_.-]*>")


def find_placeholders(data, path=""):
    found = []
    if isinstance(data, dict):
        for key in sorted(data, key=str):
            found += find_placeholders(data[key], "%s.%s" % (path, key) if path else str(key))
    elif isinstance(data, (list, tuple)):
        for i, item in enumerate(data):
            found += find_placeholders(item, "%s[%d]" % (path, i))
    elif isinstance(data, str) and PLACEHOLDER.search(data):
        found.append("%s = %s" % (path or "value", data))
    return found
