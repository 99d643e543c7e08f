"""Which node groups differ from the inventory (plugins/module_utils/_eks/nodegroups.py)."""
import pytest

from ansible_collections.hardened.eks.plugins.module_utils._eks import nodegroups as ng

ROLE = "arn:aws:iam::111122223333:role/prod-nodes"
DEFAULTS = {"capacity_type": "ON_DEMAND", "min_size": 1, "max_size": 3, "desired_size": 2, "max_unavailable": 1,
            "labels": {}, "taints": [], "subnet_ids": [], "tags": {}}


def described(**kw):
    out = {"status": "ACTIVE", "nodeRole": ROLE, "subnets": ["subnet-b", "subnet-a"], "capacityType": "ON_DEMAND",
           "scalingConfig": {"minSize": 2, "maxSize": 6, "desiredSize": 3}, "updateConfig": {"maxUnavailable": 1},
           "labels": {"pool": "general"}, "tags": {"env": "prod", "team": "core"},
           "launchTemplate": {"name": "prod-general", "version": "4"}}
    out.update(kw)
    return out


def wanted(**item):
    base = {"name": "general", "min_size": 2, "max_size": 6, "desired_size": 3, "labels": {"pool": "general"},
            "tags": {"team": "core"}}
    base.update(item)
    return ng.wanted_views([base], DEFAULTS, ROLE, ["subnet-a", "subnet-b"], {"env": "prod"}, {"general": 4})[0]


def test_a_converged_node_group_has_no_difference():
    assert ng.differences(ng.current_view(described()), wanted()) == []


def test_a_missing_node_group_is_missing():
    assert ng.current_view(None) is None
    assert ng.differences(None, wanted()) == ["missing"]


@pytest.mark.parametrize("change, field", [
    ({"desired_size": 4}, "scalingConfig"),
    ({"labels": {"pool": "batch"}}, "labels"),
    ({"tags": {"team": "data"}}, "tags"),
    ({"subnet_ids": ["subnet-c"]}, "subnets"),
    ({"capacity_type": "SPOT"}, "capacityType"),
    ({"max_unavailable": 2}, "updateConfig"),
])
def test_each_inventory_change_is_the_one_difference(change, field):
    assert ng.differences(ng.current_view(described()), wanted(**change)) == [field]


def test_a_new_launch_template_version_and_another_node_role_are_differences():
    current = ng.current_view(described(nodeRole="arn:aws:iam::111122223333:role/other"))
    w = ng.wanted_views([{"name": "general", "min_size": 2, "max_size": 6, "desired_size": 3,
                          "labels": {"pool": "general"}, "tags": {"team": "core"}}],
                        DEFAULTS, ROLE, ["subnet-a", "subnet-b"], {"env": "prod"}, {"general": 5})[0]
    assert ng.differences(current, w) == ["launchTemplateVersion", "nodeRole"]


def test_an_update_config_the_endpoint_does_not_report_is_not_compared():
    assert ng.differences(ng.current_view(described(updateConfig=None)), wanted(max_unavailable=3)) == []


def test_numbers_given_as_strings_and_tag_numbers_compare_as_eks_stores_them():
    assert ng.differences(ng.current_view(described(tags={"env": "prod", "team": "core", "tier": "1"})),
                          wanted(desired_size="3", tags={"team": "core", "tier": 1})) == []


def test_bad_items_are_all_reported():
    with pytest.raises(ng.NodegroupInputError) as err:
        ng.wanted_views([{"name": "a", "min_size": "x"}, "b", {"name": "c", "max_unavailable": None}], DEFAULTS,
                        ROLE, [], {}, {})
    assert err.value.problems == ["node_groups[0] (a).min_size: 'x' is not a number", "node_groups[1]: a mapping with a name",
                                  "node_groups[2] (c).max_unavailable: None is not a number"]
