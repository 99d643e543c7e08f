"""A private moto server (scripts/moto_server.py on a port of its own, with its own request log
and fault file), for tests that count every AWS call a run makes: on the session's shared moto
other tests make calls at the same time."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

from tests.integration.fixtures import ROOT, AwsRequests


class OwnMoto(object):
    def __init__(self, directory, server_env=None):
        self.dir = directory
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log_path = os.path.join(directory, "requests.log")
        self.faults_path = os.path.join(directory, "faults.json")
        self.requests = AwsRequests(self.log_path)
        self.err = open(os.path.join(directory, "moto.log"), "w")
        self.proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "scripts", "moto_server.py"),
                                      "--port", str(self.port), "--request-log", self.log_path,
                                      "--faults", self.faults_path], stdout=subprocess.DEVNULL, stderr=self.err,
                                     env=dict(os.environ, **(server_env or {})))
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(self.url + "/moto-api/data.json", timeout=2):
                    break
            except OSError:
                if time.time() > deadline or self.proc.poll() is not None:
                    raise AssertionError("private moto did not start (%s)" % self.err.name)
                time.sleep(0.2)

    def env(self, secret="testing"):
        """What run_module needs to use this server (``secret``: a wrong one, for refusals)."""
        return {"AWS_ENDPOINT_URL": self.url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": secret,
                "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"}

    def client(self, service, config=None):
        import boto3
        return boto3.client(service, endpoint_url=self.url, region_name="us-east-1", aws_access_key_id="testing",
                            aws_secret_access_key="testing", config=config)

    def faults(self, rules):
        with open(self.faults_path + ".tmp", "w") as fh:
            json.dump(rules, fh)
        os.replace(self.faults_path + ".tmp", self.faults_path)

    def remaining_faults(self):
        try:
            with open(self.faults_path) as fh:
                return json.load(fh)
        except (OSError, ValueError):
            return []

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.err.close()


def eks_world(moto, cidr):
    """A cluster role, a node role and two subnets in a VPC of ``cidr`` (a /16) on ``moto``: what
    a test needs to create EKS clusters and node groups there."""
    iam, ec2 = moto.client("iam"), moto.client("ec2")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": ["eks.amazonaws.com", "ec2.amazonaws.com"]},
         "Action": "sts:AssumeRole"}]})
    roles = [iam.create_role(RoleName=n, AssumeRolePolicyDocument=trust)["Role"]["Arn"] for n in ("cluster", "prod-eks-node")]
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    prefix = cidr.rsplit(".", 2)[0]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="%s.%d.0/24" % (prefix, i), AvailabilityZone=az)["Subnet"][
        "SubnetId"] for i, az in enumerate(["us-east-1a", "us-east-1b"])]
    return {"eks": moto.client("eks"), "role": roles[0], "nodes": roles[1], "subnets": subnets}
