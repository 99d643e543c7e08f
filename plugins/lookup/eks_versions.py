# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: eks_versions
author:
  - hardened.eks maintainers (@hardened-eks)
short_description: Kubernetes versions from Amazon EKS's release calendar
description:
  - Reads the EKS release calendar this collection keeps as data (the same table the audit's
    C(control_plane.version) check judges by) for a date, today by default.
  - A version is in standard support for 14 months after EKS releases it, then in extended
    support (billed at the extended rate) for 12 more.
options:
  _terms:
    description:
      - V(newest_standard) (the newest version in standard support, one string), V(standard),
        V(extended) (the versions in that support, oldest first), or a version such as V(1.34)
        (a dict with C(status), C(released), C(end_of_standard_support), C(end_of_extended_support)).
    required: true
    type: list
    elements: str
  date:
    description: The date to read the calendar for, C(YYYY-MM-DD). Empty means today (UTC).
    type: str
    default: ""
notes:
  - The calendar is data in the collection; a newer release of the collection brings newer rows.
    Pin C(cluster_kubernetes_version) in an inventory that must not move on its own.
"""

EXAMPLES = r"""
- name: The version a new cluster gets (the cluster role's default)
  ansible.builtin.debug:
    msg: "{{ lookup('hardened.eks.eks_versions', 'newest_standard') }}"

- name: Is 1.33 still in standard support on 2026-12-01?
  ansible.builtin.debug:
    msg: "{{ lookup('hardened.eks.eks_versions', '1.33', date='2026-12-01').status }}"
"""

RETURN = r"""
_raw:
  description: One string for V(newest_standard), a list of versions for V(standard) and
    V(extended), a dict for a version.
  type: raw
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.hardened.eks.plugins.module_utils import eks_versions


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        try:
            on = eks_versions.parse_date(self.get_option("date"))
        except ValueError as exc:
            raise AnsibleLookupError("eks_versions: date %s" % exc)
        out = []
        for term in terms:
            term = str(term)
            try:
                if term == "newest_standard":
                    out.append(eks_versions.newest_standard(on))
                elif term in (eks_versions.STANDARD, eks_versions.EXTENDED):
                    out.append(eks_versions.versions(term, on))
                else:
                    status, row = eks_versions.support(term, on)
                    if row is None:
                        raise ValueError("%r is not in this collection's EKS calendar (%s to %s); give "
                                         "newest_standard, standard, extended or a minor version such as 1.34"
                                         % (term, eks_versions.RELEASES[0][0], eks_versions.RELEASES[-1][0]))
                    out.append({"version": term, "status": status, "released": str(row[0]),
                                "end_of_standard_support": str(row[1]), "end_of_extended_support": str(row[2])})
            except ValueError as exc:
                raise AnsibleLookupError("eks_versions: %s" % exc)
        return out
