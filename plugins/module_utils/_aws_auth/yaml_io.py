# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The YAML library aws-auth is read and written with: PyYAML with its libyaml bindings when
they are built (10-50x faster on large mappings). ``HAS_YAML`` is False without PyYAML (it
ships with ansible-core); aws_auth_mapping then fails with a clear message.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# This module only makes the names available to parse.py and render.py.
# pylint: disable=unused-import

try:
    import yaml

    HAS_YAML = True
    try:  # libyaml bindings: 10-50x faster on large mappings
        from yaml import CSafeLoader as SafeLoader, CBaseLoader as BaseLoader, CSafeDumper as SafeDumper
    except ImportError:  # pragma: no cover - depends on how PyYAML was built
        from yaml import SafeLoader, BaseLoader, SafeDumper
except ImportError:  # pragma: no cover - PyYAML ships with ansible-core
    yaml = None
    SafeLoader = BaseLoader = SafeDumper = None
    HAS_YAML = False
