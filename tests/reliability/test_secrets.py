"""Scenario 6 - secrets stay secret (module arguments, results, diffs, errors, -vvv output).

The site.yml run of test_site_faults greps its -vvv --diff output for the admin token and a
unique AWS secret. This test passes the secrets to the modules explicitly, every way a playbook
can - ``api_key``, a kubeconfig given as data, ``secret_key``, ``session_token`` - on success and
on error paths, and greps a -vvv --diff run for them (and for the parts of the token Ansible
would print if it masked only the whole value).
"""
import json
import uuid

import pytest
import yaml


@pytest.mark.timeout(300)
def test_no_secret_in_verbose_output(sandbox, namespace, run_playbook, private_moto, tmp_path):
    token = sandbox.admin_token()
    secret = "hardened-eks-secret-%s" % uuid.uuid4().hex
    session = "hardened-eks-session-%s" % uuid.uuid4().hex
    with open(sandbox.kubeconfig) as fh:
        kubeconfig_data = yaml.safe_load(fh)
    server = kubeconfig_data["clusters"][0]["cluster"]["server"]
    ca = "%s/pki/ca.crt" % sandbox.dir
    role = {"arn": "arn:aws:iam::123456789012:role/secret-test", "username": "secret-test", "groups": ["viewers"]}
    policy = {"kind": "NetworkPolicy", "name": "secret-test", "namespace": namespace,
              "spec": {"selector": "all()", "types": ["Ingress"]}}
    play = [{
        "name": "secrets", "hosts": "localhost", "gather_facts": False,
        "vars": {"token": token, "secret": secret, "session": session, "kc": kubeconfig_data},
        "tasks": [
            {"name": "aws_auth_mapping with api_key/host", "hardened.eks.aws_auth_mapping": {
                "host": server, "api_key": "{{ token }}", "ca_cert": ca, "namespace": namespace,
                "roles": [role]}},
            {"name": "aws_auth_mapping with the kubeconfig as data (diff)", "diff": True,
             "hardened.eks.aws_auth_mapping": {"kubeconfig": "{{ kc }}", "namespace": namespace,
                                               "roles": [dict(role, groups=["viewers", "auditors"])]}},
            {"name": "calico_policy with api_key", "hardened.eks.calico_policy": dict(
                policy, host=server, api_key="{{ token }}", ca_cert=ca)},
            {"name": "calico_policy error path (unreachable) with api_key", "ignore_errors": True,
             "hardened.eks.calico_policy": dict(policy, host="https://127.0.0.1:9", api_key="{{ token }}",
                                                validate_certs=False)},
            {"name": "aws_auth_mapping error path (refused) with api_key", "ignore_errors": True,
             "hardened.eks.aws_auth_mapping": {"host": "https://127.0.0.1:9", "api_key": "{{ token }}",
                                               "validate_certs": False, "roles": [role]}},
            {"name": "eks_cluster with explicit AWS credentials", "check_mode": True, "diff": True,
             "hardened.eks.eks_cluster": {
                 "name": "secret-test", "version": "1.31", "role_arn": "arn:aws:iam::123456789012:role/eks",
                 "subnets": ["subnet-1", "subnet-2"], "encryption_waived": True, "region": "us-east-1",
                 "endpoint_url": private_moto.url, "access_key": "testing", "secret_key": "{{ secret }}",
                 "session_token": "{{ session }}"}},
            {"name": "eks_cluster error path with explicit AWS credentials", "ignore_errors": True,
             "hardened.eks.eks_cluster": {
                 "name": "secret-test", "version": "1.31", "role_arn": "arn:aws:iam::123456789012:role/eks",
                 "subnets": ["subnet-1", "subnet-2"], "encryption_waived": True, "region": "us-east-1",
                 "endpoint_url": "http://127.0.0.1:9", "access_key": "testing", "secret_key": "{{ secret }}"}},
        ]}]
    rc, out = run_playbook(yaml.safe_dump(play), args=("-vvv",), env={"AWS_SECRET_ACCESS_KEY": secret})
    assert rc == 0, out[-4000:]
    assert out.count("...ignoring") == 3  # the three error paths ran and failed
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in out  # the arguments are printed, masked
    leaks = {name: out.count(value) for name, value in
             (("admin token", token), ("AWS secret", secret), ("session token", session),
              ("token head", token[:16]), ("token tail", token[-16:]))}
    print("\n[reliability] secrets grep over %d bytes of -vvv --diff output: %s" % (len(out), json.dumps(leaks)))
    assert all(v == 0 for v in leaks.values()), leaks
    assert "Traceback" not in out
