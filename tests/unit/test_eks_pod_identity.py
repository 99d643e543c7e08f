"""The pure part of eks_pod_identity_association: validation and the plan of calls."""
from ansible_collections.hardened.eks.plugins.module_utils._eks import pod_identity as pi

ROLE = "arn:aws-us-gov:iam::111122223333:role/pods/api"
OTHER = "arn:aws-us-gov:iam::111122223333:role/pods/api-v2"


def current(**kw):
    assoc = {"namespace": "shop", "serviceAccount": "api", "roleArn": ROLE, "associationId": "a-1",
             "associationArn": "arn:aws-us-gov:eks:us-gov-west-1:111122223333:podidentityassociation/prod/a-1",
             "disableSessionTags": False, "tags": {pi.MANAGED_TAG: pi.MANAGED_VALUE}}
    assoc.update(kw)
    return assoc


def desired(**kw):
    item = {"namespace": "shop", "service_account": "api", "role_arn": ROLE}
    item.update(kw)
    return pi.validate_associations([item])


def test_converged_association_makes_no_call_and_a_new_one_is_created_tagged():
    assert pi.plan({"shop/api": current()}, desired())[0] == []
    steps, results = pi.plan({}, desired(tags={"team": "shop"}))
    assert [s["call"] for s in steps] == ["create_pod_identity_association"]
    assert steps[0]["params"]["tags"] == {"team": "shop", pi.MANAGED_TAG: pi.MANAGED_VALUE}
    assert results[0]["changed"] and results[0]["before"] == {}


def test_an_existing_association_is_updated_in_place_and_chaining_removed_with_an_empty_string():
    found = {"shop/api": current(targetRoleArn=OTHER, externalId="x")}
    steps, _r = pi.plan(found, desired(role_arn=OTHER, target_role_arn=None))
    assert [(s["call"], s["params"]) for s in steps] == [("update_pod_identity_association", {
        "associationId": "a-1", "roleArn": OTHER, "targetRoleArn": ""})]


def test_purge_takes_only_the_managed_associations():
    found = {"shop/api": current(), "shop/web": current(associationId="a-2", tags={}),
             "shop/old": current(associationId="a-3")}
    steps, results = pi.plan(found, desired(), purge=True)
    assert [(s["call"], s["params"]["associationId"]) for s in steps] == [("delete_pod_identity_association", "a-3")]
    assert results[-1]["key"] == "shop/old" and results[-1]["state"] == "absent"


def test_purge_with_a_selector_takes_only_the_associations_carrying_its_tags():
    layer = {pi.MANAGED_TAG: pi.MANAGED_VALUE, "hardened.eks/layer": "kube2iam"}
    found = {"shop/old": current(associationId="a-3", tags=layer), "shop/theirs": current(associationId="a-4")}
    steps = pi.plan(found, {}, purge=True, purge_selector={"hardened.eks/layer": "kube2iam"})[0]
    assert [s["params"]["associationId"] for s in steps] == ["a-3"]
