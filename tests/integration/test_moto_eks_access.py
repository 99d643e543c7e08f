"""The sandbox's AWS serves EKS access entries and the cluster's access config (moto lacks them):
scripts/moto_eks.py, over real HTTP with boto3, on a private moto server.

What is checked is what EKS documents: the mode only moves forward; access entries need a mode
with the API; the creator's admin entry and the node roles' EC2_LINUX entries appear once the
API is on; duplicates are ResourceInUseException; a role ARN keeps its path; access policies are
STANDARD-only; and every answer has only members of botocore's output shapes."""
import botocore.config
import botocore.exceptions
import pytest

from tests.integration.own_moto import eks_world

ACCOUNT = "123456789012"
ADMIN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
VIEW = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"


@pytest.fixture(scope="module")
def aws(moto):
    world = eks_world(moto, "10.43.0.0/16")
    return dict(world, cluster_role=world["role"], node_role=world["nodes"])


def conforms(shape, value, where="answer"):
    """Every key of ``value`` is a member of botocore's ``shape`` (recursively)."""
    if shape.type_name == "structure":
        assert isinstance(value, dict), where
        for key, item in value.items():
            if key == "ResponseMetadata":
                continue
            assert key in shape.members, "%s.%s is not in %s" % (where, key, shape.name)
            conforms(shape.members[key], item, "%s.%s" % (where, key))
    elif shape.type_name == "list":
        for i, item in enumerate(value):
            conforms(shape.member, item, "%s[%d]" % (where, i))
    elif shape.type_name == "map":
        for key, item in value.items():
            conforms(shape.value, item, "%s[%s]" % (where, key))


def call(eks, operation, **params):
    answer = getattr(eks, operation)(**params)
    op = eks.meta.service_model.operation_model(eks.meta.method_to_api_mapping[operation])
    conforms(op.output_shape, answer)
    return answer


def code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def cluster(aws, name, **kw):
    return call(aws["eks"], "create_cluster", name=name, roleArn=aws["cluster_role"],
                resourcesVpcConfig={"subnetIds": aws["subnets"]}, **kw)["cluster"]


def test_the_mode_moves_forward_and_eks_makes_the_creator_and_node_entries(aws, uid):
    eks, name = aws["eks"], "am-%s" % uid
    created = cluster(aws, name)
    assert created["accessConfig"] == {"bootstrapClusterCreatorAdminPermissions": True,
                                       "authenticationMode": "CONFIG_MAP"}  # the API's default
    with pytest.raises(botocore.exceptions.ClientError) as err:
        eks.list_access_entries(clusterName=name)
    assert code(err) == "InvalidRequestException"
    eks.create_nodegroup(clusterName=name, nodegroupName="ng", nodeRole=aws["node_role"], subnets=aws["subnets"])

    update = call(eks, "update_cluster_config", name=name,
                  accessConfig={"authenticationMode": "API_AND_CONFIG_MAP"})["update"]
    assert update["status"] == "Successful" and update["type"] == "AccessConfigUpdate"
    assert call(eks, "describe_update", name=name, updateId=update["id"])["update"]["id"] == update["id"]
    assert call(eks, "describe_cluster", name=name)["cluster"]["accessConfig"]["authenticationMode"] == \
        "API_AND_CONFIG_MAP"
    entries = call(eks, "list_access_entries", clusterName=name)["accessEntries"]
    creator = "arn:aws:iam::%s:user/moto" % ACCOUNT  # moto's identity for its test credentials
    assert sorted(entries) == sorted([creator, aws["node_role"]])
    node = call(eks, "describe_access_entry", clusterName=name, principalArn=aws["node_role"])["accessEntry"]
    assert node["type"] == "EC2_LINUX" and node["username"] == "system:node:{{EC2PrivateDNSName}}"
    policies = call(eks, "list_associated_access_policies", clusterName=name, principalArn=creator)
    assert [(p["policyArn"], p["accessScope"]["type"]) for p in policies["associatedAccessPolicies"]] == [
        (ADMIN, "cluster")]
    assert call(eks, "list_access_entries", clusterName=name, associatedPolicyArn=ADMIN)["accessEntries"] == [creator]

    for back in ("CONFIG_MAP", "API_AND_CONFIG_MAP"):
        if back == "API_AND_CONFIG_MAP":
            call(eks, "update_cluster_config", name=name, accessConfig={"authenticationMode": "API"})
        with pytest.raises(botocore.exceptions.ClientError) as err:
            eks.update_cluster_config(name=name, accessConfig={"authenticationMode": back})
        assert code(err) == "InvalidParameterException" and "Unsupported authentication mode update" in str(err.value)


def test_access_entries_and_policies_as_eks_answers_them(aws, uid):
    eks, name = aws["eks"], "ae-%s" % uid
    cluster(aws, name, accessConfig={"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": False})
    assert call(eks, "list_access_entries", clusterName=name)["accessEntries"] == []  # no silent admin
    sso = "arn:aws:iam::%s:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Dev_0123" % ACCOUNT
    entry = call(eks, "create_access_entry", clusterName=name, principalArn=sso, kubernetesGroups=["devs"],
                 tags={"team": "dev"})["accessEntry"]
    assert entry["principalArn"] == sso and entry["type"] == "STANDARD" and entry["kubernetesGroups"] == ["devs"]
    assert entry["username"] == "arn:aws:sts::%s:assumed-role/AWSReservedSSO_Dev_0123/{{SessionName}}" % ACCOUNT
    with pytest.raises(botocore.exceptions.ClientError) as err:
        eks.create_access_entry(clusterName=name, principalArn=sso)
    assert code(err) == "ResourceInUseException"

    assoc = call(eks, "associate_access_policy", clusterName=name, principalArn=sso, policyArn=VIEW,
                 accessScope={"type": "namespace", "namespaces": ["shop"]})
    assert assoc["associatedAccessPolicy"]["accessScope"] == {"type": "namespace", "namespaces": ["shop"]}
    again = call(eks, "associate_access_policy", clusterName=name, principalArn=sso, policyArn=VIEW,
                 accessScope={"type": "namespace", "namespaces": ["shop", "blog"]})  # replaces the scope
    listed = call(eks, "list_associated_access_policies", clusterName=name, principalArn=sso)
    assert [p["accessScope"]["namespaces"] for p in listed["associatedAccessPolicies"]] == [["shop", "blog"]]
    assert again["associatedAccessPolicy"]["associatedAt"] == assoc["associatedAccessPolicy"]["associatedAt"]

    arn = entry["accessEntryArn"]
    call(eks, "tag_resource", resourceArn=arn, tags={"owner": "me"})
    call(eks, "untag_resource", resourceArn=arn, tagKeys=["team"])
    assert call(eks, "list_tags_for_resource", resourceArn=arn)["tags"] == {"owner": "me"}
    assert call(eks, "describe_access_entry", clusterName=name, principalArn=sso)["accessEntry"]["tags"] == \
        {"owner": "me"}
    assert call(eks, "list_tags_for_resource", resourceArn=call(eks, "describe_cluster", name=name)["cluster"]["arn"])

    updated = call(eks, "update_access_entry", clusterName=name, principalArn=sso, kubernetesGroups=["devs", "ops"])
    assert updated["accessEntry"]["kubernetesGroups"] == ["devs", "ops"]

    nodes = "arn:aws:iam::%s:role/other-nodes" % ACCOUNT
    call(eks, "create_access_entry", clusterName=name, principalArn=nodes, type="EC2_LINUX")
    with pytest.raises(botocore.exceptions.ClientError) as err:
        eks.associate_access_policy(clusterName=name, principalArn=nodes, policyArn=VIEW,
                                    accessScope={"type": "cluster"})
    assert code(err) == "InvalidParameterException"
    with pytest.raises(botocore.exceptions.ClientError) as err:
        eks.create_access_entry(clusterName=name, principalArn="arn:aws:iam::%s:role/x" % ACCOUNT, type="EC2_LINUX",
                                kubernetesGroups=["g"])
    assert code(err) == "InvalidParameterException"

    pages = list(eks.get_paginator("list_access_entries").paginate(clusterName=name, PaginationConfig={"PageSize": 1}))
    assert len(pages) == 2 and sorted(a for p in pages for a in p["accessEntries"]) == sorted([sso, nodes])
    names = [p["name"] for p in call(eks, "list_access_policies")["accessPolicies"]]
    assert "AmazonEKSClusterAdminPolicy" in names and "AmazonEKSViewPolicy" in names

    call(eks, "disassociate_access_policy", clusterName=name, principalArn=sso, policyArn=VIEW)
    call(eks, "delete_access_entry", clusterName=name, principalArn=sso)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        eks.describe_access_entry(clusterName=name, principalArn=sso)
    assert code(err) == "ResourceNotFoundException"
    with pytest.raises(botocore.exceptions.ClientError) as err:
        eks.list_access_entries(clusterName="no-such-%s" % uid)
    assert code(err) == "ResourceNotFoundException"


def test_requests_are_checked_against_the_model(moto, aws, uid):
    """A request botocore's client would refuse (client-side validation off) is refused by the
    server too, with the model's own report."""
    name = "av-%s" % uid
    cluster(aws, name, accessConfig={"authenticationMode": "API"})
    raw = moto.client("eks", config=botocore.config.Config(parameter_validation=False))
    with pytest.raises(botocore.exceptions.ClientError) as err:
        raw.associate_access_policy(clusterName=name, principalArn="arn:aws:iam::%s:user/moto" % ACCOUNT,
                                    policyArn=ADMIN)
    assert code(err) == "InvalidParameterException" and "accessScope" in str(err.value)


def test_pod_identity_associations_as_eks_answers_them(aws, uid):
    eks, name = aws["eks"], "pi-%s" % uid
    cluster(aws, name)
    role = "arn:aws:iam::%s:role/pods/payments-api" % ACCOUNT
    target = "arn:aws:iam::210987654321:role/payments-data"
    a = call(eks, "create_pod_identity_association", clusterName=name, namespace="payments", serviceAccount="api",
             roleArn=role, tags={"team": "payments"})["association"]
    assert a["roleArn"] == role and a["disableSessionTags"] is False and "externalId" not in a
    with pytest.raises(botocore.exceptions.ClientError) as err:
        eks.create_pod_identity_association(clusterName=name, namespace="payments", serviceAccount="api", roleArn=role)
    assert code(err) == "ResourceInUseException" and a["associationId"] in str(err.value)
    chained = call(eks, "update_pod_identity_association", clusterName=name, associationId=a["associationId"],
                   targetRoleArn=target)["association"]
    assert chained["targetRoleArn"] == target and chained["externalId"]
    call(eks, "create_pod_identity_association", clusterName=name, namespace="shop", serviceAccount="web",
         roleArn=role, disableSessionTags=True)
    listed = call(eks, "list_pod_identity_associations", clusterName=name)["associations"]
    assert [(x["namespace"], x["serviceAccount"]) for x in listed] == [("payments", "api"), ("shop", "web")]
    only = call(eks, "list_pod_identity_associations", clusterName=name, namespace="shop")["associations"]
    assert [x["serviceAccount"] for x in only] == ["web"]
    call(eks, "tag_resource", resourceArn=a["associationArn"], tags={"owner": "me"})
    assert call(eks, "describe_pod_identity_association", clusterName=name, associationId=a["associationId"])[
        "association"]["tags"] == {"team": "payments", "owner": "me"}
    call(eks, "delete_pod_identity_association", clusterName=name, associationId=a["associationId"])
    with pytest.raises(botocore.exceptions.ClientError) as err:
        eks.describe_pod_identity_association(clusterName=name, associationId=a["associationId"])
    assert code(err) == "ResourceNotFoundException"
    with pytest.raises(botocore.exceptions.ClientError) as err:
        eks.create_pod_identity_association(clusterName=name, namespace="a", serviceAccount="b",
                                            roleArn="arn:aws:iam::%s:user/u" % ACCOUNT)
    assert code(err) == "InvalidParameterException"


def test_addons_and_their_pod_identity_associations_as_eks_answers_them(aws, uid):
    """Add-ons (moto lacks them): versions from DescribeAddonVersions, the default when none is
    given, an unknown version refused, duplicates ResourceInUseException, configuration as JSON,
    and the add-on's Pod Identity associations made, replaced and removed with it; an
    association the add-on owns cannot be changed or deleted directly."""
    eks, name = aws["eks"], "ad-%s" % uid
    cluster(aws, name, version="1.35")
    catalog = call(eks, "describe_addon_versions", addonName="vpc-cni", kubernetesVersion="1.35")["addons"]
    versions = [v["addonVersion"] for v in catalog[0]["addonVersions"]]
    default = [v["addonVersion"] for v in catalog[0]["addonVersions"]
               if v["compatibilities"][0]["defaultVersion"]]
    assert len(default) == 1 and default[0] in versions
    proxy = call(eks, "describe_addon_versions", addonName="kube-proxy", kubernetesVersion="1.35")["addons"][0]
    assert all(v["addonVersion"].startswith("v1.35.") for v in proxy["addonVersions"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        eks.create_addon(clusterName=name, addonName="vpc-cni", addonVersion="v0.0.1-eksbuild.1")
    assert code(e) == "InvalidParameterException"
    role = aws["node_role"]
    made = call(eks, "create_addon", clusterName=name, addonName="vpc-cni", configurationValues='{"env": {"A": "1"}}',
                podIdentityAssociations=[{"serviceAccount": "aws-node", "roleArn": role}])["addon"]
    assert made["status"] == "ACTIVE" and made["addonVersion"] == default[0]
    assert len(made["podIdentityAssociations"]) == 1
    with pytest.raises(botocore.exceptions.ClientError) as e:
        eks.create_addon(clusterName=name, addonName="vpc-cni")
    assert code(e) == "ResourceInUseException"
    listed = call(eks, "list_pod_identity_associations", clusterName=name)["associations"]
    assert [(a["namespace"], a["serviceAccount"]) for a in listed] == [("kube-system", "aws-node")]
    assoc = call(eks, "describe_pod_identity_association", clusterName=name,
                 associationId=listed[0]["associationId"])["association"]
    assert assoc["roleArn"] == role and assoc["ownerArn"] == made["addonArn"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        eks.delete_pod_identity_association(clusterName=name, associationId=assoc["associationId"])
    assert code(e) == "InvalidRequestException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        eks.update_addon(clusterName=name, addonName="vpc-cni",
                         podIdentityAssociations=[{"serviceAccount": "not-aws-node", "roleArn": role}])
    assert code(e) == "InvalidParameterException"
    update = call(eks, "update_addon", clusterName=name, addonName="vpc-cni", addonVersion=versions[-1],
                  podIdentityAssociations=[])["update"]
    assert call(eks, "describe_update", name=name, updateId=update["id"], addonName="vpc-cni")["update"][
        "status"] == "Successful"
    now = call(eks, "describe_addon", clusterName=name, addonName="vpc-cni")["addon"]
    assert now["addonVersion"] == versions[-1] and now["podIdentityAssociations"] == []
    assert call(eks, "list_pod_identity_associations", clusterName=name)["associations"] == []
    call(eks, "create_addon", clusterName=name, addonName="eks-pod-identity-agent")
    assert call(eks, "list_addons", clusterName=name)["addons"] == ["eks-pod-identity-agent", "vpc-cni"]
    call(eks, "delete_addon", clusterName=name, addonName="vpc-cni", preserve=True)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        eks.describe_addon(clusterName=name, addonName="vpc-cni")
    assert code(e) == "ResourceNotFoundException"
