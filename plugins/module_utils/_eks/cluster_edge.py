# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWS edge of ``eks_cluster``: create, converge (one EKS update at a time, each waited for)
or delete a cluster and its IAM OIDC provider, running the plans of ``_eks.cluster_plan``
through the AWS layer. Errors are raised; only the module's ``main()`` turns them into a failure.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.hardened.eks.plugins.module_utils._aws import eks as eks_api
from ansible_collections.hardened.eks.plugins.module_utils._aws import iam as iam_api
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import call as _call
from ansible_collections.hardened.eks.plugins.module_utils._aws.common import unsupported
from ansible_collections.hardened.eks.plugins.module_utils.eks import EksError
from ansible_collections.hardened.eks.plugins.module_utils.eks import EksRefusal
from ansible_collections.hardened.eks.plugins.module_utils.eks import cluster_settings
from ansible_collections.hardened.eks.plugins.module_utils.eks import diff_view
from ansible_collections.hardened.eks.plugins.module_utils.eks import oidc_provider_arn
from ansible_collections.hardened.eks.plugins.module_utils.eks import plan_cluster_update
from ansible_collections.hardened.eks.plugins.module_utils.eks import plan_create
from ansible_collections.hardened.eks.plugins.module_utils.eks import plan_oidc_provider
from ansible_collections.hardened.eks.plugins.module_utils.eks import poll_until
from ansible_collections.hardened.eks.plugins.module_utils.eks import update_finished


def wait_cluster_status(client, name, timeout, clock, statuses=("ACTIVE",)):
    """Poll describe_cluster until the status is one of ``statuses`` (None: until it is gone)."""

    def done(cluster):
        if cluster is None:
            if statuses is None:
                return True
            raise EksError("cluster %s disappeared while waiting for %s" % (name, "/".join(statuses)))
        status = cluster.get("status")
        if statuses is not None and status in statuses:
            return True
        if status == "FAILED":
            raise EksError("cluster %s is FAILED" % name)
        return False

    what = "cluster %s to be %s" % (name, "deleted" if statuses is None else "/".join(statuses))
    return poll_until(lambda: eks_api.describe_cluster(client, name), done, timeout, clock.sleep, clock.now, what)


def wait_update(client, name, update_id, what, timeout, clock):
    """Wait for an EKS update; fall back to polling the cluster's status when the answer had no
    update id or DescribeUpdate is not available."""
    if update_id:
        try:
            poll_until(lambda: eks_api.describe_update(client, name, update_id),
                       lambda u: update_finished(u, what), timeout, clock.sleep, clock.now,
                       "%s update %s of cluster %s" % (what, update_id, name))
        except AnsibleAWSError as e:
            if not unsupported(e):
                raise
    return wait_cluster_status(client, name, timeout, clock)


def apply_steps(client, name, steps, wait, timeout, clock, applied):
    """Run the planned calls in order. EKS accepts one update at a time, so every update but the
    last is waited for; the last one only when ``wait``. ``applied`` collects the kinds done."""
    pending = [i for i, s in enumerate(steps) if s["wait"]]
    last_waiting = pending[-1] if pending else -1
    for i, step in enumerate(steps):
        answer = _call(client, step["call"], "%s cluster %s (%s)" % (step["call"], name, step["kind"]),
                       **step["params"])
        applied.append(step["kind"])
        if step["wait"] and (wait or i != last_waiting):
            update_id = ((answer or {}).get("update") or {}).get("id")
            wait_update(client, name, update_id, step["kind"], timeout, clock)


def ensure_oidc_provider(iam, settings, desired, check_mode):
    """``(changed, before, after)``: the ARN of the cluster issuer's IAM OIDC provider before
    and after the run (None when absent or not known yet, e.g. a cluster still to be created).
    Without ``oidc_provider`` the provider is only looked up (a denied read reads as absent)."""
    arn = oidc_provider_arn(settings.get("arn"), settings.get("oidc_issuer"))
    if not arn:
        return False, None, None
    current = iam_api.get_oidc_provider(iam, arn, tolerate_denied=not desired.get("oidc_provider"))
    before = arn if current is not None else None
    if not desired.get("oidc_provider"):
        return False, before, before
    steps = plan_oidc_provider(arn, settings["oidc_issuer"], current, desired["oidc_thumbprints"])
    if not check_mode:
        for step in steps:
            answer = _call(iam, step["call"], "%s for %s" % (step["call"], settings["oidc_issuer"]),
                           **step["params"])
            arn = answer.get("OpenIDConnectProviderArn") or arn
    return bool(steps), before, arn


def ensure_present(client, iam, desired, check_mode, wait, timeout, clock, warnings):
    """Create or converge the cluster. Returns (changed, result settings, diff, updates)."""
    name = desired["name"]
    current = eks_api.describe_cluster(client, name)
    applied = []
    if current is None:
        step, predicted = plan_create(desired)
        before = {}
        if check_mode:
            predicted["oidc_provider_arn"] = None
            applied = ["create"] + (["oidc_provider"] if desired["oidc_provider"] else [])
            return True, predicted, {"before": before, "after": diff_view(predicted)}, applied
        _call(client, "create_cluster", "create cluster %s" % name, **step["params"])
        applied.append("create")
        if wait or desired["oidc_provider"]:
            # the OIDC issuer is known once the cluster is ACTIVE
            cluster = wait_cluster_status(client, name, timeout, clock)
        else:
            cluster = eks_api.describe_cluster(client, name)
        result = cluster_settings(cluster) or predicted
        changed = True
        oidc_changed, _dummy, result["oidc_provider_arn"] = ensure_oidc_provider(iam, result, desired, check_mode)
    else:
        settings = cluster_settings(current)
        if settings["status"] == "DELETING":
            raise EksError("cluster %s is being deleted; wait for it to be gone before creating it again" % name)
        steps, predicted, plan_warnings = plan_cluster_update(settings, desired)
        warnings.extend(plan_warnings)
        # check mode here: the provider is only planned; it is written after the cluster updates
        oidc_changed, settings["oidc_provider_arn"], oidc_after = ensure_oidc_provider(iam, settings, desired, True)
        before = diff_view(settings)
        changed = bool(steps)
        if check_mode or not steps:
            result = predicted
            applied = [s["kind"] for s in steps]
        else:
            if settings["status"] != "ACTIVE":
                wait_cluster_status(client, name, timeout, clock)
            try:
                apply_steps(client, name, steps, wait, timeout, clock, applied)
            except AnsibleAWSError as e:
                e.kwargs["updates"] = applied
                raise
            latest = cluster_settings(eks_api.describe_cluster(client, name))
            if wait:
                result = latest
            else:
                result = predicted
                result["status"] = latest["status"]
        if oidc_changed and not check_mode:
            oidc_changed, _dummy, oidc_after = ensure_oidc_provider(iam, result, desired, False)
        result["oidc_provider_arn"] = oidc_after
    if oidc_changed:
        applied.append("oidc_provider")
    return changed or oidc_changed, result, {"before": before, "after": diff_view(result)}, applied


def existing_oidc_provider(iam, settings):
    arn = oidc_provider_arn(settings.get("arn"), settings.get("oidc_issuer"))
    if not arn:
        return None
    return arn if iam_api.get_oidc_provider(iam, arn) is not None else None


def ensure_absent(client, iam, desired, check_mode, wait, timeout, clock):
    name = desired["name"]
    current = eks_api.describe_cluster(client, name)
    if current is None:
        return False, {"name": name}, {"before": {}, "after": {}}, []
    settings = cluster_settings(current)
    provider = existing_oidc_provider(iam, settings) if desired.get("oidc_provider") else None
    settings["oidc_provider_arn"] = provider
    diff = {"before": diff_view(settings), "after": {}}
    applied = []
    protected = settings.get("deletion_protection") and settings["status"] == "ACTIVE"
    if protected and desired["deletion_protection"]:
        raise EksRefusal(["deletion_protection: cluster %s is protected from deletion; give deletion_protection: "
                          "false with state: absent to turn the protection off and delete it" % name])
    if protected:
        applied.append("deletion_protection")
    if settings["status"] != "DELETING":
        applied.append("delete")
    if provider:
        applied.append("oidc_provider")
    if check_mode:
        return bool(applied), settings, diff, applied
    if protected:
        answer = _call(client, "update_cluster_config", "turn off the deletion protection of cluster %s" % name,
                       name=name, deletionProtection=False)
        wait_update(client, name, answer["update"]["id"], "deletion_protection", timeout, clock)
    if settings["status"] != "DELETING":
        _call(client, "delete_cluster", "delete cluster %s" % name, name=name)
    if provider:
        _call(iam, "delete_open_id_connect_provider", "delete IAM OIDC provider %s" % provider,
              OpenIDConnectProviderArn=provider)
    if wait:
        wait_cluster_status(client, name, timeout, clock, statuses=None)
        settings["status"] = "DELETED"
    else:
        settings["status"] = "DELETING"
    return bool(applied), settings, diff, applied
