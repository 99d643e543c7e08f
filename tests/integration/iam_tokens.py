"""Real IAM logins to the sandbox: tokens made as `aws eks get-token` makes them, checked by the
real aws-iam-authenticator (the API server's token webhook), which calls the sandbox's STS."""
import json
import os
import ssl
import urllib.error
import urllib.request

import boto3

from tests import eks_token


class Identity(object):
    """AWS credentials of one IAM principal in the sandbox's AWS."""

    def __init__(self, sandbox, key, secret, session_token=None, arn=None):
        self.sandbox = sandbox
        self.key, self.secret, self.session_token, self.arn = key, secret, session_token, arn

    def token(self, cluster=None, expires=60):
        """A token of `aws eks get-token` for the real STS host name (tests/eks_token.py)."""
        return eks_token.token(eks_token.presigned_caller_identity(
            self.key, self.secret, self.session_token, region=self.sandbox.env["AWS_REGION"],
            cluster=cluster or self.sandbox.env["HARDENED_EKS_CLUSTER_NAME"], expires=expires))


class Aws(object):
    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.env = sandbox.env

    def client(self, service, **kw):
        return boto3.client(service, endpoint_url=self.env["AWS_ENDPOINT_URL"], region_name=self.env["AWS_REGION"],
                            aws_access_key_id=kw.pop("key", "testing"), aws_secret_access_key=kw.pop("secret", "testing"),
                            **kw)

    def ensure_role(self, name, path="/", account="123456789012"):
        iam = self.client("iam")
        try:
            return iam.get_role(RoleName=name)["Role"]["Arn"]
        except iam.exceptions.NoSuchEntityException:
            trust = {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % account}, "Action": "sts:AssumeRole"}]}
            return iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]

    def assume(self, role_arn, session):
        creds = self.client("sts").assume_role(RoleArn=role_arn, RoleSessionName=session)
        c = creds["Credentials"]
        return Identity(self.sandbox, c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"],
                        creds["AssumedRoleUser"]["Arn"])

    def user_key(self, name):
        iam = self.client("iam")
        try:
            iam.create_user(UserName=name)
        except iam.exceptions.EntityAlreadyExistsException:
            pass
        for old in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:   # IAM allows two keys
            iam.delete_access_key(UserName=name, AccessKeyId=old["AccessKeyId"])
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return Identity(self.sandbox, key["AccessKeyId"], key["SecretAccessKey"],
                        arn=iam.get_user(UserName=name)["User"]["Arn"])


class Kube(object):
    """Raw HTTPS requests to the sandbox API server with a bearer token (no client caching)."""

    def __init__(self, sandbox):
        import yaml
        with open(sandbox.kubeconfig) as fh:
            cfg = yaml.safe_load(fh)
        self.server = cfg["clusters"][0]["cluster"]["server"]
        self.ctx = ssl.create_default_context(cafile=sandbox.env["HARDENED_EKS_CA"])

    def request(self, token, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.server + path, data=data, method=method,
                                     headers={"Authorization": "Bearer %s" % token,
                                              "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, context=self.ctx, timeout=30) as resp:
                return resp.status, json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                return exc.code, json.loads(raw)
            except ValueError:
                return exc.code, {"raw": raw.decode("utf-8", "replace")}

    def whoami(self, token):
        """(status, userInfo) from a SelfSubjectReview."""
        status, body = self.request(token, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                                    {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
        return status, (body["status"]["userInfo"] if status == 201 else None)


def kubectl_env(sandbox, identity=None):
    """The environment of `scripts/sandbox run -- kubectl ...` for one IAM identity's keys."""
    env = dict(sandbox.env)
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE"):
        env.pop(name, None)
    if identity:
        env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = identity.key, identity.secret
        if identity.session_token:
            env["AWS_SESSION_TOKEN"] = identity.session_token
    return env


def sandbox_script(sandbox):
    return os.path.join(sandbox.root, "scripts", "sandbox")
