"""EKS's release calendar as data (module_utils/eks_versions.py), its lookup, and the audit's
control_plane.version check that judges by it. Expected statuses come from the calendar's
rules (14 months standard, 12 more extended) and the dates the issue states for 2026-12-01:
standard 1.34-1.36, extended 1.32-1.33."""
import datetime

import pytest

from ansible.errors import AnsibleLookupError

from ansible_collections.hardened.eks.plugins.lookup.eks_versions import LookupModule
from ansible_collections.hardened.eks.plugins.module_utils._audit import checks as ac
from ansible_collections.hardened.eks.plugins.module_utils import eks_versions as ev

DAY = datetime.date(2026, 12, 1)


def test_the_calendar_on_2026_12_01():
    assert ev.versions(ev.STANDARD, DAY) == ["1.34", "1.35", "1.36"]
    assert ev.versions(ev.EXTENDED, DAY) == ["1.32", "1.33"]
    assert ev.support("1.31", DAY)[0] == ev.ENDED        # extended support ended 2026-11-26
    assert ev.newest_standard(DAY) == "1.36"


def test_rows_follow_the_14_plus_12_month_rule_and_are_ordered():
    previous = None
    for version, released, end_standard, end_extended in ev.RELEASES:
        r, s, e = (datetime.date.fromisoformat(d) for d in (released, end_standard, end_extended))
        assert 13 <= (s - r).days / 30.44 <= 14.5, version
        assert 11.5 <= (e - s).days / 30.44 <= 12.5, version
        if previous:
            assert tuple(map(int, version.split("."))) == (previous[0], previous[1] + 1)
            assert r > previous[2]
        previous = tuple(map(int, version.split("."))) + (r,)


def test_edges_of_a_support_window():
    assert ev.support("1.34", datetime.date(2026, 12, 1))[0] == ev.STANDARD
    assert ev.support("1.34", datetime.date(2026, 12, 2))[0] == ev.EXTENDED   # the end date is excluded
    assert ev.support("1.34", datetime.date(2027, 12, 2))[0] == ev.ENDED
    assert ev.support("1.35", datetime.date(2025, 12, 1))[0] == ev.NOT_YET
    assert ev.support("1.19", DAY) == (ev.UNKNOWN, None)


def test_no_version_in_standard_support_is_an_error_not_a_guess():
    with pytest.raises(ValueError, match="needs its newer rows"):
        ev.newest_standard(datetime.date(2031, 1, 1))


@pytest.mark.parametrize("version,status,words", [
    ("1.36", "pass", "standard support until 2027-08-01"),
    ("1.34", "pass", "standard support until 2026-12-02"),
    ("1.33", "warn", "extended support (billed at the extended rate) until 2027-07-29"),
    ("1.32", "warn", "standard support ended 2026-03-23"),
    ("1.31", "fail", "past the end of EKS extended support (2026-11-26)"),
    ("1.20", "fail", "not in EKS's calendar"),
    ("1.40", "warn", "newer than this collection's EKS calendar"),
])
def test_the_audit_judges_the_version_by_the_calendar(version, status, words):
    r = ac.check_version({"version": version}, [], DAY)
    assert r["result"] == status and words in r["evidence"], r
    if status != "pass":
        assert r["fix"]


def test_a_policy_of_ones_own_replaces_the_calendar():
    assert ac.check_version({"version": "1.33"}, ["1.33"], DAY)["result"] == "pass"
    assert ac.check_version({"version": "1.36"}, ["1.33"], DAY)["result"] == "fail"


def _lookup():
    """The lookup with its documented options registered, as the plugin loader does."""
    import yaml
    from ansible.constants import config
    from ansible_collections.hardened.eks.plugins.lookup import eks_versions as plugin
    name = "hardened.eks.eks_versions"
    config.initialize_plugin_configuration_definitions("lookup", name, yaml.safe_load(plugin.DOCUMENTATION)["options"])
    lookup = LookupModule()
    lookup._load_name = name
    return lookup


def test_lookup_terms_and_date():
    lookup = _lookup()
    assert lookup.run(["newest_standard"], date="2026-12-01") == ["1.36"]
    assert lookup.run(["extended"], date="2026-12-01") == [["1.32", "1.33"]]
    row = lookup.run(["1.34"], date="2026-12-03")[0]
    assert row == {"version": "1.34", "status": "extended", "released": "2025-10-02",
                   "end_of_standard_support": "2026-12-02", "end_of_extended_support": "2027-12-02"}
    with pytest.raises(AnsibleLookupError, match="not in this collection's EKS calendar"):
        lookup.run(["1.9"])
    with pytest.raises(AnsibleLookupError, match="YYYY-MM-DD"):
        lookup.run(["newest_standard"], date="1/12/2026")
