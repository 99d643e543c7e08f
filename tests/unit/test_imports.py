"""Every plugin imports, and every name a plugin or a test imports from module_utils exists (the
module_utils packages are split by concern; the old module names are indexes)."""
import glob
import importlib
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLUGINS = sorted(os.path.relpath(p, ROOT)[:-3].replace(os.sep, ".")
                 for kind in ("modules", "filter", "test", "lookup", "module_utils", "module_utils/_*")
                 for p in glob.glob(os.path.join(ROOT, "plugins", kind, "*.py")) if not p.endswith("__init__.py"))
IMPORT = re.compile(r"^\s*from (ansible_collections\.hardened\.eks\.plugins\.[\w.]+) import \(?([^)\n]*(?:\n[^)\n]*)*?)\)?$",
                    re.M)


@pytest.mark.parametrize("name", PLUGINS)
def test_every_plugin_imports(name):
    mod = importlib.import_module("ansible_collections.hardened.eks." + name)
    if name.startswith("plugins.modules."):
        assert callable(mod.main)


def _imported_names():
    out = set()
    for path in glob.glob(os.path.join(ROOT, "plugins", "**", "*.py"), recursive=True) + \
            glob.glob(os.path.join(ROOT, "tests", "**", "*.py"), recursive=True):
        with open(path) as fh:
            text = fh.read()
        for mod, names in IMPORT.findall(text):
            for part in names.replace("\n", " ").split(","):
                part = part.split("#")[0].strip()
                if part and part != "*":
                    out.add((mod, part.split(" as ")[0].strip(), os.path.relpath(path, ROOT)))
    return sorted(out)


def test_every_imported_name_exists():
    missing = []
    for mod, name, where in _imported_names():
        try:
            m = importlib.import_module(mod)
        except ImportError as exc:
            missing.append("%s: %s (%s)" % (where, mod, exc))
            continue
        if not hasattr(m, name):
            try:
                importlib.import_module("%s.%s" % (mod, name))  # a submodule
            except ImportError:
                missing.append("%s: %s.%s" % (where, mod, name))
    assert missing == []
