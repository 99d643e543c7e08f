"""The ENIConfig subnets from one read of all zones (module_utils/_plans/vpc_cni.py): each
ENIConfig takes what EC2's own filters would have given it, in its zone only."""
from ansible_collections.hardened.eks.plugins.module_utils._plans.vpc_cni import eni_subnets, matches


def subnet(sid, zone, **tags):
    return {"id": sid, "availability_zone": zone, "vpc_id": "vpc-1", "tags": tags}


SUBNETS = [subnet("subnet-a", "eu-west-1a", Name="prod-pods-eu-west-1a", tier="pods"),
           subnet("subnet-a2", "eu-west-1a", Name="prod-nodes-eu-west-1a", tier="nodes"),
           subnet("subnet-b", "eu-west-1b", Name="prod-pods-eu-west-1b", tier="pods"),
           subnet("subnet-c", "eu-west-1c", Name="PROD-pods-eu-west-1c")]


def test_each_eni_config_gets_the_subnets_its_tags_or_id_name_in_its_zone():
    enis = [{"zone": "eu-west-1a", "subnet_tags": {"Name": "prod-pods-*"}},
            {"zone": "eu-west-1b", "subnet_tags": {"Name": "prod-*", "tier": "pods"}},
            {"zone": "eu-west-1c", "subnet_id": "subnet-c"}]
    out = eni_subnets(enis, SUBNETS)
    assert [[s["id"] for s in m["subnets"]] for m in out] == [["subnet-a"], ["subnet-b"], ["subnet-c"]]
    assert [m["eni"] for m in out] == enis


def test_what_ec2_would_not_match_is_not_matched():
    # another zone's subnet (by id or by tags), case, a missing tag key, ? is one character
    assert not matches({"zone": "eu-west-1b", "subnet_id": "subnet-a"}, SUBNETS[0])
    assert not matches({"zone": "eu-west-1b", "subnet_tags": {"Name": "prod-pods-eu-west-1a"}}, SUBNETS[0])
    assert not matches({"zone": "eu-west-1c", "subnet_tags": {"Name": "prod-pods-*"}}, SUBNETS[3])
    assert not matches({"zone": "eu-west-1a", "subnet_tags": {"Name": "prod-pods-*", "team": "*"}}, SUBNETS[0])
    assert matches({"zone": "eu-west-1a", "subnet_tags": {"Name": "prod-?ods-eu-west-1a"}}, SUBNETS[0])
    assert not matches({"zone": "eu-west-1a", "subnet_tags": {"Name": "prod-?pods-eu-west-1a"}}, SUBNETS[0])
    # regular-expression characters are literal, as in EC2's filters
    assert not matches({"zone": "eu-west-1a", "subnet_tags": {"Name": "prod.pods.*"}}, SUBNETS[0])
    # no tags and no id names nothing
    assert not matches({"zone": "eu-west-1a", "subnet_tags": {}}, SUBNETS[0])


def test_several_matches_are_all_returned_for_the_role_to_refuse():
    out = eni_subnets([{"zone": "eu-west-1a", "subnet_tags": {"Name": "prod-*"}}], SUBNETS)
    assert [s["id"] for s in out[0]["subnets"]] == ["subnet-a", "subnet-a2"]
