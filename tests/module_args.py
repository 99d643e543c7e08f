"""patch_module_args for every ansible-core this collection claims: ansible-core 2.19 has
ansible.module_utils.testing.patch_module_args; 2.17 and 2.18 read the arguments an
AnsibleModule is built with from ansible.module_utils.basic._ANSIBLE_ARGS."""
import contextlib
import json

try:
    from ansible.module_utils import testing as _testing   # ansible-core >= 2.19
    patch_module_args = _testing.patch_module_args
except ImportError:
    from ansible.module_utils import basic
    from ansible.module_utils.common.text.converters import to_bytes

    @contextlib.contextmanager
    def patch_module_args(args=None):
        saved = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": dict(args or {})}))
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved
