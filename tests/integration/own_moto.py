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
    def __init__(self, directory):
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
                                      "--faults", self.faults_path], stdout=subprocess.DEVNULL, stderr=self.err)
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(self.url + "/moto-api/data.json", timeout=2):
                    break
            except OSError:
                if time.time() > deadline or self.proc.poll() is not None:
                    raise AssertionError("private moto did not start (%s)" % self.err.name)
                time.sleep(0.2)

    def env(self):
        return {"AWS_ENDPOINT_URL": self.url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"}

    def client(self, service, config=None):
        import boto3
        return boto3.client(service, endpoint_url=self.url, region_name="us-east-1", aws_access_key_id="testing",
                            aws_secret_access_key="testing", config=config)

    def faults(self, rules):
        with open(self.faults_path + ".tmp", "w") as fh:
            json.dump(rules, fh)
        os.replace(self.faults_path + ".tmp", self.faults_path)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.err.close()
