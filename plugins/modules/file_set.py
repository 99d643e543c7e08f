#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: file_set
short_description: A set of files in one directory, written and purged in one module process
version_added: 0.3.0
author:
  - hardened.eks maintainers (@hardened-eks)
description:
  - Makes O(path) a directory with O(dir_mode), writes each of O(files) whose content or mode
    differs (atomically, through a temporary file in the same directory) and, with O(purge),
    removes the files of O(purge_pattern) that start with O(marker) and are not in O(files).
  - One module process for what would be a M(ansible.builtin.file), a looped
    M(ansible.builtin.template), a M(ansible.builtin.find) and a looped removal; the role
    hardened.eks.iam_authenticator writes its kubeconfigs with it.
  - Files that do not start with O(marker) are never removed, so a file someone else put in the
    directory stays.
options:
  path:
    description: The directory (created with its parents when missing).
    type: path
    required: true
  dir_mode:
    description: Mode of O(path), as an octal string.
    type: str
    default: "0700"
  mode:
    description: Mode of every file of O(files), as an octal string.
    type: str
    default: "0600"
  files:
    description: The files, each a plain name in O(path) and its whole content.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The file name (no C(/)).
        type: str
        required: true
      content:
        description: The text of the file (UTF-8). With O(marker), it must start with it.
        type: str
        required: true
  marker:
    description:
      - The first characters of every file of the set, by which a later run finds the files it
        wrote. Required with O(purge).
    type: str
  purge:
    description: Remove the marked files of O(purge_pattern) that are not in O(files).
    type: bool
    default: false
  purge_pattern:
    description: A shell pattern of the names O(purge) may remove.
    type: str
    default: "*"
extends_documentation_fragment:
  - hardened.eks.attributes
notes:
  - In check mode nothing is written; RV(written) and RV(removed) say what would be.
"""

EXAMPLES = r"""
- name: One kubeconfig per grant, and none of a grant that left
  hardened.eks.file_set:
    path: "{{ lookup('ansible.builtin.env', 'HOME') }}/.kube/hardened-eks/prod"
    marker: "# hardened.eks.iam_authenticator "
    purge: true
    purge_pattern: "*.kubeconfig"
    files:
      - name: alice.kubeconfig
        content: "# hardened.eks.iam_authenticator kubeconfig for alice\n..."
"""

RETURN = r"""
written:
  description: Names of the files written (in check mode, that would be), sorted.
  returned: success
  type: list
  elements: str
  sample: [alice.kubeconfig]
removed:
  description: Names of the files removed (in check mode, that would be), sorted.
  returned: success
  type: list
  elements: str
  sample: [bob.kubeconfig]
unchanged:
  description: Names of the files of O(files) already as wanted.
  returned: success
  type: list
  elements: str
  sample: [ci.kubeconfig]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hardened.eks.plugins.module_utils._file_set import FileSetError, ensure_file_set


def _mode(module, option):
    try:
        value = int(module.params[option], 8)
    except (TypeError, ValueError):
        value = -1
    if not 0 <= value <= 0o7777:
        raise FileSetError("%s: %r is not an octal mode such as 0600" % (option, module.params[option]))
    return value


def diff_of(path, predicted):
    return [{"before_header": "%s/%s" % (path, name), "after_header": "%s/%s" % (path, name),
             "before": predicted["before"][name], "after": predicted["after"][name]}
            for name in predicted["write"] + predicted["remove"]]


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            dir_mode=dict(type="str", default="0700"),
            mode=dict(type="str", default="0600"),
            files=dict(type="list", elements="dict", required=True, options=dict(
                name=dict(type="str", required=True),
                content=dict(type="str", required=True),
            )),
            marker=dict(type="str"),
            purge=dict(type="bool", default=False),
            purge_pattern=dict(type="str", default="*"),
        ),
        required_if=[("purge", True, ("marker",))],
        supports_check_mode=True,
    )
    p = module.params
    try:
        changed, predicted = ensure_file_set(
            p["path"], p["files"], _mode(module, "mode"), _mode(module, "dir_mode"), marker=p["marker"],
            purge_pattern=p["purge_pattern"] if p["purge"] else None, check_mode=module.check_mode)
    except FileSetError as exc:
        module.fail_json(msg=str(exc), problems=exc.problems)
    result = dict(changed=changed, written=predicted["write"], removed=predicted["remove"],
                  unchanged=predicted["unchanged"])
    if module._diff:
        result["diff"] = diff_of(p["path"], predicted)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
