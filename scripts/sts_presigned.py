"""STS GetCallerIdentity by a presigned URL, as aws-iam-authenticator calls it.

A token of `aws eks get-token` is a presigned ``GET https://sts.<region>.amazonaws.com/?Action=
GetCallerIdentity&...`` whose SigV4 signature also covers the ``x-k8s-aws-id`` header (the
cluster name). The authenticator sends that request itself and trusts the answer. moto answers
GetCallerIdentity only for the access key of an ``Authorization`` header, so the sandbox's AWS
answers these requests here, as STS does: it checks the signature with the secret of the access
key (an IAM user's key or the temporary key of an assumed role, with its session token), the
expiry, and answers the identity moto knows for that key. A key moto does not know, a wrong
signature (another cluster name, a changed parameter) or an expired URL is refused with STS's
errors.

``answer(environ, lookup, now)`` is pure apart from ``lookup(access_key_id)``, which returns
``(secret, session_token or None, {"Account", "Arn", "UserId"})`` or None; moto_server.py gives
the lookup over moto's state.
"""
import datetime
import hashlib
import hmac
import json
import uuid
from urllib.parse import parse_qsl, quote

ALGORITHM = "AWS4-HMAC-SHA256"
# botocore presigns with UNSIGNED-PAYLOAD, the Go SDK v2 with the hash of the empty body; STS
# accepts both.
PAYLOAD_HASHES = ("UNSIGNED-PAYLOAD", hashlib.sha256(b"").hexdigest())
_UNRESERVED = "-_.~"


class StsError(Exception):
    def __init__(self, status, code, message):
        super(StsError, self).__init__(message)
        self.status, self.code, self.message = status, code, message


def is_presigned_caller_identity(environ):
    if environ.get("REQUEST_METHOD") != "GET" or environ.get("HTTP_AUTHORIZATION"):
        return False
    params = dict((k.lower(), v) for k, v in parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
    return params.get("action") == "GetCallerIdentity" and "x-amz-signature" in params


def _sign(key, msg):
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def signature(secret, method, path, pairs, headers, signed_headers, amz_date, scope, payload_hash):
    """SigV4 signature of a query-string-signed request (pairs without X-Amz-Signature)."""
    canonical_query = "&".join("%s=%s" % (quote(k, safe=_UNRESERVED), quote(v, safe=_UNRESERVED))
                               for k, v in sorted(pairs))
    canonical_headers = "".join("%s:%s\n" % (h, " ".join(headers.get(h, "").split())) for h in signed_headers)
    canonical = "\n".join([method, quote(path or "/", safe="/" + _UNRESERVED), canonical_query,
                           canonical_headers, ";".join(signed_headers), payload_hash])
    to_sign = "\n".join([ALGORITHM, amz_date, scope, hashlib.sha256(canonical.encode("utf-8")).hexdigest()])
    key = ("AWS4" + secret).encode("utf-8")
    for part in scope.split("/"):
        key = _sign(key, part)
    return hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def _request_headers(environ):
    headers = {}
    for name, value in environ.items():
        if name.startswith("HTTP_"):
            headers[name[5:].replace("_", "-").lower()] = value
    return headers


def verify(environ, lookup, now):
    """The identity of a presigned GetCallerIdentity request, or StsError."""
    pairs = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    params = dict(pairs)
    try:
        credential = params["X-Amz-Credential"]
        amz_date = params["X-Amz-Date"]
        given = params["X-Amz-Signature"]
        signed_headers = params["X-Amz-SignedHeaders"].split(";")
        expires = int(params.get("X-Amz-Expires", "900"))
        access_key_id, scope = credential.split("/", 1)
        signed_at = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    except (KeyError, ValueError):
        raise StsError(400, "IncompleteSignature", "The request signature is incomplete or malformed.")
    if params.get("X-Amz-Algorithm") != ALGORITHM or not scope.endswith("/sts/aws4_request"):
        raise StsError(400, "IncompleteSignature", "Unsupported signing algorithm or scope %s." % scope)
    if now > signed_at + datetime.timedelta(seconds=expires):
        raise StsError(403, "ExpiredToken", "Signature expired: %s is now earlier than %s."
                       % ((signed_at + datetime.timedelta(seconds=expires)).strftime("%Y%m%dT%H%M%SZ"),
                          now.strftime("%Y%m%dT%H%M%SZ")))
    found = lookup(access_key_id)
    if not found:
        raise StsError(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
    secret, session_token, identity = found
    if session_token is not None and params.get("X-Amz-Security-Token") != session_token:
        raise StsError(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
    headers = _request_headers(environ)
    unsigned = [(k, v) for k, v in pairs if k != "X-Amz-Signature"]
    for payload_hash in PAYLOAD_HASHES:
        expected = signature(secret, "GET", environ.get("PATH_INFO", "/"), unsigned, headers, signed_headers,
                             amz_date, scope, payload_hash)
        if hmac.compare_digest(expected, given):
            return identity
    raise StsError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the "
                   "signature you provided. Check your AWS Secret Access Key and signing method.")


def answer(environ, lookup, now=None):
    """(status, headers, body) for a presigned GetCallerIdentity request."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    request_id = str(uuid.uuid4())
    want_json = "json" in environ.get("HTTP_ACCEPT", "")
    try:
        identity = verify(environ, lookup, now)
    except StsError as exc:
        if want_json:
            body = json.dumps({"Error": {"Type": "Sender", "Code": exc.code, "Message": exc.message},
                               "RequestId": request_id})
        else:
            body = ("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender"
                    "</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId>"
                    "</ErrorResponse>" % (exc.code, exc.message, request_id))
        return exc.status, "application/json" if want_json else "text/xml", body
    if want_json:
        body = json.dumps({"GetCallerIdentityResponse": {
            "GetCallerIdentityResult": {"Account": identity["Account"], "Arn": identity["Arn"],
                                        "UserId": identity["UserId"]},
            "ResponseMetadata": {"RequestId": request_id}}})
        return 200, "application/json", body
    body = ("<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
            "<GetCallerIdentityResult><Arn>%s</Arn><UserId>%s</UserId><Account>%s</Account>"
            "</GetCallerIdentityResult><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata>"
            "</GetCallerIdentityResponse>" % (identity["Arn"], identity["UserId"], identity["Account"], request_id))
    return 200, "text/xml", body
