"""Reliability scenarios reuse the integration fixtures (sandbox, run_module, audit, ...)."""
import json
import os

import pytest
import yaml

from tests.reliability.k8s_fault_proxy import FaultProxy


@pytest.fixture
def fault_proxy(sandbox, tmp_path):
    """A FaultProxy in front of the sandbox API server, and a kubeconfig file that uses it."""
    with open(sandbox.kubeconfig) as fh:
        server = yaml.safe_load(fh)["clusters"][0]["cluster"]["server"]
    proxy = FaultProxy(server, os.path.join(sandbox.dir, "pki", "ca.crt")).start()
    path = tmp_path / "proxy-kubeconfig"
    path.write_text(json.dumps(proxy.kubeconfig(sandbox.admin_token())))
    proxy.kubeconfig_path = str(path)
    yield proxy
    proxy.stop()


# ---------------------------------------------------------------------------------------------
# A private moto for AWS fault injection: its fault rules and request log belong to one test
# module, so injected Throttling never reaches another engineer's test on the shared moto.
# ---------------------------------------------------------------------------------------------
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402

from tests.integration.fixtures import ROOT, AwsRequests  # noqa: E402

FASTCLOCK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_fastclock")


class PrivateMoto(object):
    def __init__(self, directory):
        self.dir = directory
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log_path = os.path.join(directory, "moto-requests.log")
        self.faults_path = os.path.join(directory, "moto-faults.json")
        self.requests = AwsRequests(self.log_path)
        self.proc = None

    def start(self):
        env = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true")
        self.proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "scripts", "moto_server.py"),
                                      "--port", str(self.port), "--request-log", self.log_path,
                                      "--faults", self.faults_path],
                                     stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.dir, "moto.log"), "w"),
                                     env=env)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/moto-api/data.json", timeout=2):
                    return self
            except OSError:
                time.sleep(0.2)
        raise AssertionError("private moto did not start (%s)" % os.path.join(self.dir, "moto.log"))

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

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

    def env(self, secret="testing"):
        return {"AWS_ENDPOINT_URL": self.url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": secret,
                "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"}

    def client(self, service):
        import boto3
        return boto3.client(service, endpoint_url=self.url, region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture(scope="module")
def private_moto(tmp_path_factory):
    moto = PrivateMoto(str(tmp_path_factory.mktemp("moto"))).start()
    yield moto
    moto.stop()


@pytest.fixture
def fast_clock(sandbox, tmp_path):
    """Environment for run_module: time.sleep scaled by 1/100 and logged (see _fastclock)."""
    log = tmp_path / "sleeps.log"

    class FastClock(object):
        env = {"PYTHONPATH": os.pathsep.join([FASTCLOCK, os.path.join(sandbox.dir, "collections")]),
               "HARDENED_EKS_TEST_SLEEP_SCALE": "0.01", "HARDENED_EKS_TEST_SLEEP_LOG": str(log)}

        @staticmethod
        def sleeps():
            if not log.exists():
                return []
            return [float(x) for x in log.read_text().split()]

        @staticmethod
        def reset():
            if log.exists():
                log.unlink()

    return FastClock()
