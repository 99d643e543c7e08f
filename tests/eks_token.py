"""What `aws eks get-token` signs: a presigned STS GetCallerIdentity URL whose signature also
covers the x-k8s-aws-id header (the cluster name). Made here without any request (the
authenticator, or the test, sends it); shared by the unit and integration tests."""
import base64

import botocore.session

TOKEN_PREFIX = "k8s-aws-v1."


def presigned_caller_identity(key, secret, session_token=None, region="us-east-1", cluster="sandbox",
                              expires=60, host=None):
    sts = botocore.session.get_session().create_client(
        "sts", region_name=region, endpoint_url="https://%s" % (host or "sts.%s.amazonaws.com" % region),
        aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=session_token)

    def keep(params, context, **_):
        context["x-k8s-aws-id"] = params.pop("x-k8s-aws-id")

    def inject(request, **_):
        request.headers["x-k8s-aws-id"] = request.context["x-k8s-aws-id"]

    sts.meta.events.register("provide-client-params.sts.GetCallerIdentity", keep)
    sts.meta.events.register("before-sign.sts.GetCallerIdentity", inject)
    return sts.generate_presigned_url("get_caller_identity", Params={"x-k8s-aws-id": cluster},
                                      ExpiresIn=expires, HttpMethod="GET")


def token(url):
    return TOKEN_PREFIX + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")
