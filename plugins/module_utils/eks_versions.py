# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Amazon EKS's Kubernetes release calendar, as data, and how a date reads it.

A minor version is in standard support for 14 months after EKS releases it, then in extended
support (billed at the extended rate) for 12 more; after that EKS upgrades the cluster by itself.
The dates are those of the EKS user guide's release calendar ("Understand the Kubernetes version
lifecycle on EKS"). Keep this table with the calendar: the audit (control_plane.version) and the
cluster role's default version are read from it.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

# version, available on EKS, end of standard support, end of extended support
RELEASES = (
    ("1.28", "2023-09-26", "2024-11-26", "2025-11-26"),
    ("1.29", "2024-01-23", "2025-03-23", "2026-03-23"),
    ("1.30", "2024-05-23", "2025-07-23", "2026-07-23"),
    ("1.31", "2024-09-26", "2025-11-26", "2026-11-26"),
    ("1.32", "2025-01-23", "2026-03-23", "2027-03-23"),
    ("1.33", "2025-05-29", "2026-07-29", "2027-07-29"),
    ("1.34", "2025-10-02", "2026-12-02", "2027-12-02"),
    ("1.35", "2026-01-27", "2027-03-27", "2028-03-27"),
    # The calendar's 1.36 row was not at hand when this was written: availability taken as June
    # 2026 and the end dates from the 14 + 12 month rule. Correct it from the calendar.
    ("1.36", "2026-06-01", "2027-08-01", "2028-08-01"),
)

STANDARD, EXTENDED, ENDED, NOT_YET, UNKNOWN = "standard", "extended", "ended", "not yet released", "unknown"


def _date(text):
    return datetime.datetime.strptime(text, "%Y-%m-%d").date()


def today():
    return datetime.datetime.now(datetime.timezone.utc).date()


def parse_date(value):
    """A date from ``YYYY-MM-DD`` (or a date), None for empty; ValueError names the format."""
    if not value:
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return _date(str(value))
    except ValueError:
        raise ValueError("%r is not a date of the form YYYY-MM-DD" % (value,))


def release(version):
    """(released, end_standard, end_extended) as dates, or None when the calendar lacks it."""
    for row in RELEASES:
        if row[0] == str(version):
            return tuple(_date(d) for d in row[1:])
    return None


def _key(version):
    try:
        return tuple(int(p) for p in str(version).split("."))
    except ValueError:
        return None


def support(version, on=None):
    """(status, release row or None) of a minor version on a date (default today, UTC)."""
    on = on or today()
    row = release(version)
    if row is None:
        return UNKNOWN, None
    released, end_standard, end_extended = row
    if on < released:
        return NOT_YET, row
    if on < end_standard:
        return STANDARD, row
    if on < end_extended:
        return EXTENDED, row
    return ENDED, row


def versions(status, on=None):
    """The calendar's versions with that status on a date, oldest first."""
    return [row[0] for row in RELEASES if support(row[0], on)[0] == status]


def newest_standard(on=None):
    """The newest version in standard support on a date: the cluster role's default."""
    found = versions(STANDARD, on)
    if not found:
        raise ValueError("no version of this collection's EKS calendar is in standard support on %s: "
                         "the calendar (plugins/module_utils/eks_versions.py) needs its newer rows" % (on or today()))
    return found[-1]


def newer_than_calendar(version):
    key, newest = _key(version), _key(RELEASES[-1][0])
    return key is not None and key > newest
