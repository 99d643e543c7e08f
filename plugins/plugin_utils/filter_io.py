# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The boundary of the collection's filters: plain data in, data that is never templated again out.

In: ansible-core 2.19 hands a filter its variables as lazy containers that template a value each
time it is read; the plans read the same values many times (the Calico plan of the sandbox
inventory took 4.2 s on them, 3 ms on plain data), so the arguments become plain dicts and lists
once (module_utils/_plans/plain.py).

Out: a plan returns strings that must reach the modules as they are, such as the authenticator's
``{{SessionName}}`` in a username. ansible-core 2.19 never templates a filter's result again;
2.17 and 2.18 do, unless the result is marked unsafe, which this does on those versions.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools

from ansible.release import __version__ as ANSIBLE_VERSION

from ansible_collections.hardened.eks.plugins.module_utils._plans.plain import plain

_RETEMPLATES = tuple(int(p) for p in ANSIBLE_VERSION.split(".")[:2]) < (2, 19)


def _as_is(value):
    if not _RETEMPLATES:
        return value
    from ansible.utils.unsafe_proxy import wrap_var
    return wrap_var(value)


def plan_filter(func):
    """func as a filter: called with plain copies of its arguments; its result kept from templating."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return _as_is(func(*[plain(arg) for arg in args], **dict((k, plain(v)) for k, v in kwargs.items())))

    return wrapper
