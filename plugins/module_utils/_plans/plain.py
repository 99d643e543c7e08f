# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plain containers for the filters' inputs.

ansible-core 2.19 hands a filter its variables as lazy containers that template a value each
time it is read. A plan reads, copies and compares the same values many times: the Calico plan
of the sandbox inventory took 4.2 s on them and 3 ms on plain data. The filters turn their
arguments into plain dicts and lists once, at the boundary (plugins/plugin_utils/filter_io.py); the strings keep their type (and
with it the trust Ansible gives them).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.six.moves.collections_abc import Mapping


def plain(value):
    """A copy of value made of dicts and lists, each item read once."""
    if isinstance(value, Mapping):
        return dict((key, plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value
