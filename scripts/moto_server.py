#!/usr/bin/env python3
"""moto in server mode, with a request log and fault injection for the tests.

    moto_server.py --port PORT --request-log FILE [--faults FILE]

Every AWS call served is appended to the request log as one JSON line:
``{"t": epoch, "service": "iam", "action": "GetRole", "method": "POST", "path": "/", "status": 200}``
(REST APIs add ``"query"``: the names of the query parameters, which tell S3's operations apart).
Tests count calls from it (moto's own API has no request history).

EKS APIs moto lacks (access entries and policies, the cluster's access config) are served by
``moto_eks.EksExtension`` in front of moto, on moto's own clusters.

Fault injection (reliability tests): the faults file holds a JSON list of rules
``{"service": "iam", "action": "GetRole", "count": 3, "error": "Throttling", "status": 400}``;
each matching call consumes one count and is answered with that AWS error instead of reaching moto.
"""
import argparse
import datetime
import io
import json
import os
import re
import threading
import time
import uuid
from urllib.parse import parse_qs, parse_qsl

from werkzeug.serving import make_server

from moto.iam.models import iam_backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.sts.models import sts_backends

import sts_presigned
from moto_eks import AuthenticatorFeed, EksExtension

_CRED_RE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/")


class RecordingMiddleware(object):
    def __init__(self, app, log_path, faults_path=None):
        self.app = app
        self.log_path = log_path
        self.faults_path = faults_path
        self.lock = threading.Lock()

    def _describe(self, environ):
        auth = environ.get("HTTP_AUTHORIZATION", "")
        m = _CRED_RE.search(auth)
        service = m.group(1) if m else ""
        action = ""
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target:
            action = target.split(".")[-1]
        body = b""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length:
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
        if not action:
            qs = parse_qs(environ.get("QUERY_STRING", ""))
            if "Action" in qs:
                action = qs["Action"][0]
            elif body and environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
                form = parse_qs(body.decode("utf-8", "replace"))
                if "Action" in form:
                    action = form["Action"][0]
        if not action:
            action = "%s %s" % (environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"))
        json_protocol = bool(target) or "json" in environ.get("CONTENT_TYPE", "") or service in ("eks",)
        return service, action, json_protocol

    def _fault(self, service, action):
        if not self.faults_path or not os.path.exists(self.faults_path):
            return None
        with self.lock:
            try:
                with open(self.faults_path) as fh:
                    rules = json.load(fh)
            except (OSError, ValueError):
                return None
            hit = None
            for rule in rules:
                if rule.get("count", 0) <= 0:
                    continue
                if rule.get("service") not in (None, "*", service):
                    continue
                if rule.get("action") not in (None, "*", action):
                    continue
                rule["count"] -= 1
                hit = dict(rule)
                break
            if hit:
                tmp = self.faults_path + ".tmp"
                with open(tmp, "w") as fh:
                    json.dump(rules, fh)
                os.replace(tmp, self.faults_path)
            return hit

    def _log(self, record):
        line = json.dumps(record) + "\n"
        with self.lock:
            with open(self.log_path, "a") as fh:
                fh.write(line)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/moto-api"):
            return self.app(environ, start_response)
        if sts_presigned.is_presigned_caller_identity(environ):
            return self._presigned_sts(environ, start_response)
        service, action, json_protocol = self._describe(environ)
        record = {"t": time.time(), "service": service, "action": action,
                  "method": environ.get("REQUEST_METHOD"), "path": path}
        query = sorted(set(k for k, _v in parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)))
        if query:
            record["query"] = query             # parameter names only (REST APIs: which operation)
        fault = self._fault(service, action)
        if fault:
            status = int(fault.get("status", 400))
            code = fault.get("error", "Throttling")
            record.update(status=status, fault=code)
            self._log(record)
            if json_protocol:
                body = json.dumps({"__type": code, "message": "Injected fault: %s" % code}).encode()
                headers = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", code)]
            else:
                body = ("<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code>"
                        "<Message>Injected fault: %s</Message></Error><RequestId>%s</RequestId>"
                        "</ErrorResponse>" % (code, code, uuid.uuid4())).encode()
                headers = [("Content-Type", "text/xml")]
            start_response("%d %s" % (status, "Injected"), headers + [("Content-Length", str(len(body)))])
            return [body]

        captured = {}

        def _start(status, headers, exc_info=None):
            captured["status"] = int(status.split()[0])
            return start_response(status, headers, exc_info)

        result = self.app(environ, _start)
        record["status"] = captured.get("status")
        self._log(record)
        return result


    def _presigned_sts(self, environ, start_response):
        record = {"t": time.time(), "service": "sts", "action": "GetCallerIdentity", "method": "GET",
                  "path": environ.get("PATH_INFO", ""), "presigned": True}
        fault = self._fault("sts", "GetCallerIdentity")
        if fault:
            status, ctype, body = int(fault.get("status", 400)), "text/xml", "<Error>%s</Error>" % fault.get("error")
        else:
            status, ctype, body = sts_presigned.answer(environ, credentials_of)
        record["status"] = status
        self._log(record)
        data = body.encode("utf-8")
        start_response("%d %s" % (status, "OK" if status == 200 else "Error"),
                       [("Content-Type", ctype), ("Content-Length", str(len(data)))])
        return [data]


def credentials_of(access_key_id):
    """(secret, session token, identity) of an access key moto issued, or None (sts_presigned)."""
    for account_id in list(sts_backends.keys()):
        for backend in list(sts_backends[account_id].values()):
            for role in backend.assumed_roles:
                if role.access_key_id == access_key_id:
                    if role.expiration < datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None):
                        return None
                    return role.secret_access_key, role.session_token, {
                        "Account": role.account_id, "Arn": role.arn, "UserId": role.user_id}
    for account_id in list(iam_backends.keys()):
        for backend in list(iam_backends[account_id].values()):
            user = backend.get_user_from_access_key_id(access_key_id)
            if user:
                key = [k for k in backend.list_access_keys(user.name) if k.access_key_id == access_key_id][0]
                if key.status != "Active":
                    return None
                return key.secret_access_key, None, {"Account": user.account_id, "Arn": user.arn, "UserId": user.id}
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--request-log", required=True)
    parser.add_argument("--faults")
    parser.add_argument("--tls-listen", help="HOST:PORT of a second, TLS listener (AWS host names "
                        "resolve to it in the sandbox's processes, e.g. sts.us-east-1.amazonaws.com)")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--authenticator-feed", metavar="DIR", help="write the access entries and authentication "
                        "mode of --authenticator-cluster for aws-iam-authenticator's DynamicFile mapper here")
    parser.add_argument("--authenticator-cluster", default="sandbox")
    parser.add_argument("--authenticator-region", default="us-east-1")
    args = parser.parse_args()
    feed = None
    if args.authenticator_feed:
        feed = AuthenticatorFeed(args.authenticator_feed, args.authenticator_cluster, args.authenticator_region)
    app = RecordingMiddleware(EksExtension(DomainDispatcherApplication(create_backend_app), feed=feed),
                              args.request_log, args.faults)
    servers = [make_server(args.host, args.port, app, threaded=True)]
    if args.tls_listen:
        host, port = args.tls_listen.rsplit(":", 1)
        servers.append(make_server(host, int(port), app, threaded=True,
                                   ssl_context=(args.tls_cert, args.tls_key)))
    for server in servers[1:]:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    servers[0].serve_forever()


if __name__ == "__main__":
    main()
