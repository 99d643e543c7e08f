"""The placeholders filter: example-inventory <placeholders> left in a role's variables."""
from ansible_collections.hardened.eks.plugins.filter.placeholders import FilterModule
from ansible_collections.hardened.eks.plugins.module_utils.placeholders import find_placeholders


def test_finds_placeholders_anywhere_with_their_path():
    found = find_placeholders({
        "cluster_tags": {"owner": "<team>", "env": "prod"},
        "cluster_vpc_tags": {"Name": "<vpc-name>"},
        "vpc_cni_eni_configs": [{"subnet_tags": {"Name": "<vpc-name>-pods-eu-west-1a"}, "security_groups": ["sg-1"]}],
        "arn": "arn:aws:iam::111122223333:role/<ci-deploy-role>",
    })
    assert found == ["arn = arn:aws:iam::111122223333:role/<ci-deploy-role>",
                     "cluster_tags.owner = <team>", "cluster_vpc_tags.Name = <vpc-name>",
                     "vpc_cni_eni_configs[0].subnet_tags.Name = <vpc-name>-pods-eu-west-1a"]


def test_real_values_pass():
    assert find_placeholders({"a": "app == 'web' && role != 'db'", "b": [1, True, None, "10.0.0.0/8"],
                              "c": "x < y", "d": "<>", "e": "<1abc>"}) == []


def test_the_filter_is_registered():
    assert FilterModule().filters()["placeholders"].__wrapped__ is find_placeholders
