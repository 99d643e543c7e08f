"""The sandbox's STS answer to presigned GetCallerIdentity URLs (scripts/sts_presigned.py).

Tokens are made the way `aws eks get-token` makes them (botocore presigning with the signed
x-k8s-aws-id header); the verifier must accept exactly those and refuse every change."""
import datetime
import json
import os
import sys
from urllib.parse import urlsplit

from tests.eks_token import presigned_caller_identity

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                "scripts"))
import sts_presigned  # noqa: E402

KEY, SECRET, TOKEN = "ASIAEXAMPLEKEY000001", "s3cr3t/secret+key", "session-token-1"
IDENTITY = {"Account": "123456789012", "Arn": "arn:aws:sts::123456789012:assumed-role/dev/alice",
            "UserId": "AROAEXAMPLE:alice"}


def presign(cluster="sandbox", key=KEY, secret=SECRET, token=TOKEN, expires=60, host="sts.us-east-1.amazonaws.com"):
    return presigned_caller_identity(key, secret, token, cluster=cluster, expires=expires, host=host)


def environ(url, cluster="sandbox", accept="application/json"):
    parts = urlsplit(url)
    return {"REQUEST_METHOD": "GET", "PATH_INFO": parts.path or "/", "QUERY_STRING": parts.query,
            "HTTP_HOST": parts.netloc, "HTTP_X_K8S_AWS_ID": cluster, "HTTP_ACCEPT": accept}


def lookup(access_key_id):
    return (SECRET, TOKEN, IDENTITY) if access_key_id == KEY else None


def call(env, now=None):
    status, ctype, body = sts_presigned.answer(env, lookup, now)
    return status, json.loads(body) if "json" in ctype else body


def test_a_token_of_aws_eks_get_token_is_answered_with_its_identity():
    env = environ(presign())
    assert sts_presigned.is_presigned_caller_identity(env)
    status, body = call(env)
    assert status == 200
    assert body["GetCallerIdentityResponse"]["GetCallerIdentityResult"] == IDENTITY


def test_xml_when_json_is_not_asked_for():
    status, body = call(environ(presign(), accept=""))
    assert status == 200 and "<Arn>%s</Arn>" % IDENTITY["Arn"] in body


def test_a_token_for_another_cluster_does_not_verify():
    # The authenticator sends its own cluster id in the header: a token made for "prod" fails.
    status, body = call(environ(presign(cluster="prod"), cluster="sandbox"))
    assert status == 403 and body["Error"]["Code"] == "SignatureDoesNotMatch"


def test_a_changed_parameter_or_wrong_secret_does_not_verify():
    url = presign().replace("X-Amz-Expires=60", "X-Amz-Expires=900")
    assert call(environ(url))[1]["Error"]["Code"] == "SignatureDoesNotMatch"
    assert call(environ(presign(secret="other")))[1]["Error"]["Code"] == "SignatureDoesNotMatch"


def test_unknown_key_and_wrong_session_token_are_invalid_client_tokens():
    assert call(environ(presign(key="ASIAUNKNOWN000000000")))[1]["Error"]["Code"] == "InvalidClientTokenId"
    assert call(environ(presign(token="stolen-or-stale")))[1]["Error"]["Code"] == "InvalidClientTokenId"


def test_an_expired_url_is_refused():
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=120)
    status, body = call(environ(presign(expires=60)), now=later)
    assert status == 403 and body["Error"]["Code"] == "ExpiredToken"


def test_requests_with_an_authorization_header_are_left_to_moto():
    env = environ(presign())
    env["HTTP_AUTHORIZATION"] = "AWS4-HMAC-SHA256 Credential=..."
    assert not sts_presigned.is_presigned_caller_identity(env)
    env = environ(presign())
    env["QUERY_STRING"] = env["QUERY_STRING"].replace("GetCallerIdentity", "GetSessionToken")
    assert not sts_presigned.is_presigned_caller_identity(env)


def test_the_empty_payload_hash_of_the_go_sdk_is_accepted_too():
    # aws-sdk-go-v2 presigns with the SHA-256 of the empty body instead of UNSIGNED-PAYLOAD.
    url = presign()
    env = environ(url)
    pairs = [kv.split("=", 1) for kv in env["QUERY_STRING"].split("&")]
    from urllib.parse import unquote
    pairs = [(unquote(k), unquote(v)) for k, v in pairs]
    params = dict(pairs)
    unsigned = [(k, v) for k, v in pairs if k != "X-Amz-Signature"]
    sig = sts_presigned.signature(SECRET, "GET", "/", unsigned, {"host": env["HTTP_HOST"], "x-k8s-aws-id": "sandbox"},
                                  params["X-Amz-SignedHeaders"].split(";"), params["X-Amz-Date"],
                                  params["X-Amz-Credential"].split("/", 1)[1], sts_presigned.PAYLOAD_HASHES[1])
    env["QUERY_STRING"] = env["QUERY_STRING"].replace(params["X-Amz-Signature"], sig)
    assert call(env)[0] == 200
