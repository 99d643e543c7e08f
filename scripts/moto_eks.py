"""EKS APIs moto does not implement, served over real HTTP beside moto's own EKS clusters.

    app = EksExtension(moto_app)

- the cluster's ``accessConfig`` (authentication mode, bootstrap of the creator's admin entry):
  kept from CreateCluster, added to DescribeCluster, changed by UpdateClusterConfig only forward
  (CONFIG_MAP -> API_AND_CONFIG_MAP -> API), with an update DescribeUpdate answers;
- access entries (Create/Describe/List/Update/DeleteAccessEntry) and access policies
  (ListAccessPolicies, Associate/Disassociate/ListAssociatedAccessPolicies), refused with
  InvalidRequestException while the mode is CONFIG_MAP;
- the entries EKS makes by itself once the mode has the API: the creator's admin entry (when
  bootstrap is on) and an EC2_LINUX entry for each node group's role;
- EKS Pod Identity associations (Create/Describe/List/Update/DeletePodIdentityAssociation), one
  per namespace and service account (ResourceInUseException on a second), with role chaining
  (targetRoleArn, an externalId EKS generates) and session tags;
- the cluster's deletion protection and upgrade policy, and the tags of access entries and
  associations;
- EKS add-ons (Create/Describe/List/Update/DeleteAddon, DescribeAddonVersions) from a small
  catalog (vpc-cni, coredns, kube-proxy, eks-pod-identity-agent, aws-ebs-csi-driver), ACTIVE at
  once, with their Pod Identity associations (owned by the add-on: changed only through it).

Requests are matched and read by botocore's EKS service model (method, URI template, where each
member is), checked with botocore's ParamValidator (InvalidParameterException), and answered with
the output members of the model. Everything else goes to moto unchanged.

With a ``feed`` (``AuthenticatorFeed``), one cluster's access entries and authentication mode are
handed to a real aws-iam-authenticator as EKS hands them to its own: the entries as the
authenticator's ``DynamicFile`` mapping, the mode as its dynamic backend-mode file
(``EKSConfigMap``, ``DynamicFile EKSConfigMap`` or ``DynamicFile``). Access policies are not
in that file: EKS enforces them with its own authorizer, which the sandbox does not have.
"""
import datetime
import io
import json
import os
import re
import threading
import uuid
from urllib.parse import parse_qs, unquote

import botocore.session
from botocore.validate import ParamValidator

from moto.core import DEFAULT_ACCOUNT_ID
from moto.eks.models import eks_backends
from moto.iam.models import iam_backends
from moto.sts.models import sts_backends

MODES = ("CONFIG_MAP", "API_AND_CONFIG_MAP", "API")
ENTRY_TYPES = ("STANDARD", "EC2_LINUX", "EC2_WINDOWS", "FARGATE_LINUX", "EC2", "HYBRID_LINUX", "HYPERPOD_LINUX")
POLICY_NAMES = ("AmazonEKSClusterAdminPolicy", "AmazonEKSAdminPolicy", "AmazonEKSEditPolicy", "AmazonEKSViewPolicy",
                "AmazonEKSAdminViewPolicy", "AmazonEKSAutoNodePolicy", "AmazonEKSNetworkingPolicy",
                "AmazonEKSBlockStoragePolicy", "AmazonEKSLoadBalancingPolicy", "AmazonEKSComputePolicy")
READS = ("DescribeAddon", "ListAddons", "DescribeAddonVersions", "DescribeAccessEntry", "ListAccessEntries", "ListAssociatedAccessPolicies", "ListAccessPolicies",
         "DescribeCluster", "DescribeUpdate", "ListTagsForResource", "DescribePodIdentityAssociation",
         "ListPodIdentityAssociations")
HANDLED = ("CreateAccessEntry", "DescribeAccessEntry", "ListAccessEntries", "UpdateAccessEntry", "DeleteAccessEntry",
           "AssociateAccessPolicy", "DisassociateAccessPolicy", "ListAssociatedAccessPolicies", "ListAccessPolicies",
           "DescribeCluster", "CreateCluster", "UpdateClusterConfig", "DescribeUpdate", "DeleteCluster",
           "CreateNodegroup", "TagResource", "UntagResource", "ListTagsForResource",
           "CreatePodIdentityAssociation", "DescribePodIdentityAssociation", "ListPodIdentityAssociations",
           "UpdatePodIdentityAssociation", "DeletePodIdentityAssociation",
           "CreateAddon", "DescribeAddon", "ListAddons", "UpdateAddon", "DeleteAddon", "DescribeAddonVersions")
# The add-ons the sandbox's EKS offers: namespace, the service accounts that may get a Pod Identity
# association through the add-on, and versions (newest first, the first is the default) for the
# Kubernetes versions EKS supports.
ADDON_CATALOG = {
    "vpc-cni": {"namespace": "kube-system", "service_accounts": ["aws-node"],
                "versions": ["v1.20.4-eksbuild.2", "v1.19.6-eksbuild.7"]},
    "coredns": {"namespace": "kube-system", "service_accounts": [],
                "versions": ["v1.12.4-eksbuild.1", "v1.11.4-eksbuild.24"]},
    "kube-proxy": {"namespace": "kube-system", "service_accounts": [],
                   "versions": ["v1.36.0-eksbuild.2", "v1.35.3-eksbuild.5", "v1.34.5-eksbuild.9"]},
    "eks-pod-identity-agent": {"namespace": "kube-system", "service_accounts": [],
                               "versions": ["v1.3.10-eksbuild.1", "v1.3.8-eksbuild.2"]},
    "aws-ebs-csi-driver": {"namespace": "kube-system", "service_accounts": ["ebs-csi-controller-sa"],
                           "versions": ["v1.50.1-eksbuild.1", "v1.48.0-eksbuild.2"]},
}
CLUSTER_VERSIONS = ("1.32", "1.33", "1.34", "1.35", "1.36")
_CRED_RE = re.compile(r"Credential=([^/]+)/[^/]+/([^/]+)/eks/")
ROLE_ARN_RE = re.compile(r"^arn:(aws[a-z-]*):iam::(\d{12}):role/(?:[^/]+/)*([^/]+)$")
USER_ARN_RE = re.compile(r"^arn:(aws[a-z-]*):iam::(\d{12}):user/(?:[^/]+/)*([^/]+)$")


def _ours(arn):
    """ARNs of resources this extension keeps (moto keeps clusters and node groups)."""
    return ":access-entry/" in arn or ":podidentityassociation/" in arn


class ApiError(Exception):
    def __init__(self, status, code, message):
        super(ApiError, self).__init__(message)
        self.status, self.code, self.message = status, code, message


def _now():
    return datetime.datetime.now(datetime.timezone.utc).timestamp()


class Model(object):
    """Routes and member locations of botocore's EKS model."""

    def __init__(self):
        self.model = botocore.session.get_session().get_service_model("eks")
        self.routes = []
        for name in HANDLED:
            op = self.model.operation_model(name)
            uri = op.http["requestUri"].split("?")[0]
            pattern = "^" + re.sub(r"\{(\w+)\+?\}", r"(?P<\1>[^/]+)", uri) + "$"
            self.routes.append((op.http["method"], re.compile(pattern), op))
        # the most specific URIs first (/access-policies/{policyArn} before /{principalArn})
        self.routes.sort(key=lambda r: -r[1].pattern.count("/"))

    def match(self, method, raw_path):
        for verb, regex, op in self.routes:
            m = regex.match(raw_path)
            if m and verb == method:
                return op, dict((k, unquote(v)) for k, v in m.groupdict().items())
        return None, None

    @staticmethod
    def params(op, uri, query, body):
        """The request as botocore's member names (what a client was called with)."""
        out = {}
        for member, shape in (op.input_shape.members.items() if op.input_shape else []):
            where = shape.serialization.get("location")
            key = shape.serialization.get("name", member)
            if where == "uri":
                if key in uri:
                    out[member] = uri[key]
            elif where == "querystring":
                if key in query:
                    value = query[key]
                    if shape.type_name == "list":
                        out[member] = value
                    elif shape.type_name == "integer":
                        out[member] = int(value[0]) if value[0].lstrip("-").isdigit() else value[0]
                    elif shape.type_name == "boolean":
                        out[member] = value[0] == "true"
                    else:
                        out[member] = value[0]
            elif member in body:
                out[member] = body[member]
        return out


class AuthenticatorFeed(object):
    """The two files EKS keeps for the aws-iam-authenticator beside a cluster's API servers:
    ``access-entries.json`` (the ``DynamicFile`` mapping: each access entry's principal, username
    and Kubernetes groups) and ``backend-mode.json`` (the mappers the authentication mode allows).
    Written only when they change, by rename, so the authenticator never reads half a file."""
    BACKENDS = {"CONFIG_MAP": "EKSConfigMap", "API_AND_CONFIG_MAP": "DynamicFile EKSConfigMap",
                "API": "DynamicFile"}
    # The groups EKS gives node entries (their username is set by _entry).
    NODE_GROUPS = {"EC2_LINUX": ["system:bootstrappers", "system:nodes"],
                   "EC2_WINDOWS": ["system:bootstrappers", "system:nodes", "eks:kube-proxy-windows"],
                   "HYBRID_LINUX": ["system:bootstrappers", "system:nodes"],
                   "HYPERPOD_LINUX": ["system:bootstrappers", "system:nodes"],
                   "EC2": ["system:nodes"],
                   "FARGATE_LINUX": ["system:bootstrappers", "system:nodes", "system:node-proxier"]}
    MAPPING = "access-entries.json"
    MODE = "backend-mode.json"

    def __init__(self, directory, cluster, region, account=DEFAULT_ACCOUNT_ID):
        self.directory, self.key = directory, (account, region, cluster)
        self.written = {}

    @classmethod
    def contents(cls, state):
        """(mapping, mode) documents for a cluster's access state (None: no such cluster, as
        before the cluster exists: aws-auth only)."""
        stamp = str(int(datetime.datetime.now(datetime.timezone.utc).timestamp()))
        roles, users = [], []
        mode = state["mode"] if state else "CONFIG_MAP"
        if mode != "CONFIG_MAP":
            for principal, entry in sorted(state["entries"].items()):
                groups = cls.NODE_GROUPS.get(entry["type"], entry.get("kubernetesGroups") or [])
                if ROLE_ARN_RE.match(principal):
                    roles.append({"rolearn": principal, "username": entry["username"], "groups": list(groups)})
                else:
                    users.append({"userarn": principal, "username": entry["username"], "groups": list(groups)})
        mapping = {"LastUpdatedDateTime": stamp, "Version": "1", "mapRoles": roles, "mapUsers": users,
                   "mapAccounts": []}
        return mapping, {"LastUpdatedDateTime": stamp, "Version": "1", "backendMode": cls.BACKENDS[mode]}

    def publish(self, clusters, exists):
        """Write the files for the fed cluster's state in ``clusters`` (``exists``: moto has it)."""
        state = clusters.get(self.key) if exists else None
        for name, doc in zip((self.MAPPING, self.MODE), self.contents(state)):
            body = dict((k, v) for k, v in doc.items() if k != "LastUpdatedDateTime")
            if self.written.get(name) == body:
                continue
            path = os.path.join(self.directory, name)
            with open(path + ".tmp", "w") as fh:
                json.dump(doc, fh, indent=1, sort_keys=True)
            os.rename(path + ".tmp", path)
            self.written[name] = body


class EksExtension(object):
    def __init__(self, app, feed=None):
        self.app = app
        self.model = Model()
        self.validator = ParamValidator()
        self.lock = threading.RLock()
        self.clusters = {}   # (account, region, name) -> access state
        self.updates = {}    # update id -> update
        self.feed = feed
        if feed is not None:
            feed.publish(self.clusters, False)

    # -------------------------------------------------------------------- WSGI
    def __call__(self, environ, start_response):
        auth = environ.get("HTTP_AUTHORIZATION", "")
        cred = _CRED_RE.search(auth)
        if not cred:
            return self.app(environ, start_response)
        raw = (environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "")).split("?")[0]
        op, uri = self.model.match(environ.get("REQUEST_METHOD"), raw)
        if op is None:
            return self.app(environ, start_response)
        body = b""
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length:
            body = environ["wsgi.input"].read(length)
        try:
            data = json.loads(body.decode("utf-8")) if body else {}
        except ValueError:
            data = {}
        params = Model.params(op, uri, parse_qs(environ.get("QUERY_STRING", "")), data)
        ctx = {"region": cred.group(2), "access_key": cred.group(1), "environ": environ, "body": body,
               "start_response": start_response}
        try:
            report = self.validator.validate(params, op.input_shape) if op.input_shape else None
            if report is not None and report.has_errors():
                raise ApiError(400, "InvalidParameterException", report.generate_report())
            with self.lock:
                try:
                    answer = getattr(self, "op_" + op.name)(ctx, params)
                finally:
                    if self.feed is not None and op.name not in READS:
                        self._publish()
        except ApiError as e:
            return self._send(start_response, e.status, {"message": e.message}, e.code)
        if isinstance(answer, tuple):  # (status, body) of moto, already sent
            return answer[1]
        return self._send(start_response, 200, answer)

    @staticmethod
    def _send(start_response, status, payload, code=None):
        data = json.dumps(payload).encode("utf-8")
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
        if code:
            headers.append(("x-amzn-ErrorType", code))
        start_response("%d %s" % (status, "OK" if status < 300 else "Error"), headers)
        return [data]

    def _moto(self, ctx, edit=None, body=None):
        """Forward the request to moto; ``edit(answer)`` may change its JSON answer."""
        environ = dict(ctx["environ"])
        payload = ctx["body"] if body is None else body
        environ["wsgi.input"] = io.BytesIO(payload)
        environ["CONTENT_LENGTH"] = str(len(payload))
        captured = {}

        def start(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda _data: None
        chunks = b"".join(self.app(environ, start))
        status = int(captured["status"].split()[0])
        if edit is not None and status == 200:
            answer = json.loads(chunks.decode("utf-8"))
            edit(answer)
            chunks = json.dumps(answer).encode("utf-8")
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        ctx["start_response"](captured["status"], headers + [("Content-Length", str(len(chunks)))])
        return status, [chunks]

    # -------------------------------------------------------------------- state
    def _publish(self):
        account, region, name = self.feed.key
        backend = eks_backends[account][region]
        self.feed.publish(self.clusters, name in backend.clusters)

    def _account(self, ctx):
        """The account of the request's access key (moto's default for its test keys), found
        once per request."""
        if "account" not in ctx:
            ctx["account"] = DEFAULT_ACCOUNT_ID
            for account_id in list(iam_backends.keys()):
                if any(b.get_user_from_access_key_id(ctx["access_key"]) for b in iam_backends[account_id].values()):
                    ctx["account"] = account_id
                    break
        return ctx["account"]

    def _moto_cluster(self, ctx, name):
        backend = eks_backends[self._account(ctx)][ctx["region"]]
        cluster = backend.clusters.get(name)
        if cluster is None:
            raise ApiError(404, "ResourceNotFoundException", "No cluster found for name: %s." % name)
        return cluster

    def _state(self, ctx, name):
        cluster = self._moto_cluster(ctx, name)
        key = (self._account(ctx), ctx["region"], name)
        if key not in self.clusters:  # a cluster created before this extension saw it
            self.clusters[key] = {"mode": "CONFIG_MAP", "bootstrap": True, "creator": None, "entries": {},
                                  "arn": cluster.arn, "deletion_protection": False, "support_type": "EXTENDED"}
        return self.clusters[key]

    def _api_state(self, ctx, name):
        state = self._state(ctx, name)
        if state["mode"] == "CONFIG_MAP":
            raise ApiError(400, "InvalidRequestException", "The cluster's authentication mode must be set to one of "
                           "[API, API_AND_CONFIG_MAP] to perform this operation.")
        return state

    def _creator(self, ctx):
        """The IAM principal behind the request's access key (an assumed role as its role)."""
        for account_id in list(sts_backends.keys()):
            for backend in list(sts_backends[account_id].values()):
                for role in backend.assumed_roles:
                    if role.access_key_id == ctx["access_key"]:
                        name = role.arn.split("/")[1]
                        for iam in iam_backends[account_id].values():
                            for r in iam.roles.values():
                                if r.name == name:
                                    return r.arn
        for account_id in list(iam_backends.keys()):
            for backend in list(iam_backends[account_id].values()):
                user = backend.get_user_from_access_key_id(ctx["access_key"])
                if user:
                    return user.arn
        return "arn:aws:iam::%s:user/moto" % DEFAULT_ACCOUNT_ID

    def _entry(self, state, principal, kind="STANDARD", groups=None, username=None, tags=None, auto=False):
        m = ROLE_ARN_RE.match(principal) or USER_ARN_RE.match(principal)
        account, name = m.group(2), m.group(3)
        if username is None:
            if kind.startswith("EC2") or kind.startswith("HYBRID") or kind.startswith("HYPERPOD"):
                username = "system:node:{{EC2PrivateDNSName}}"
            elif kind == "FARGATE_LINUX":
                username = "system:node:{{SessionName}}"
            elif ROLE_ARN_RE.match(principal):
                username = "arn:%s:sts::%s:assumed-role/%s/{{SessionName}}" % (m.group(1), account, name)
            else:
                username = principal
        if kind in ("EC2_LINUX", "EC2_WINDOWS", "FARGATE_LINUX", "HYBRID_LINUX", "HYPERPOD_LINUX"):
            groups = []
        cluster = state["arn"].split("/")[-1]
        now = _now()
        entry = {"clusterName": cluster, "principalArn": principal, "kubernetesGroups": list(groups or []),
                 "accessEntryArn": "%s/%s/%s/%s/%s" % (state["arn"].replace(":cluster/", ":access-entry/"),
                                                       "role" if ROLE_ARN_RE.match(principal) else "user",
                                                       account, name, uuid.uuid4()),
                 "createdAt": now, "modifiedAt": now, "tags": dict(tags or {}), "username": username, "type": kind,
                 "_policies": {}, "_auto": auto}
        state["entries"][principal] = entry
        return entry

    def _auto_entries(self, ctx, name, state):
        """What EKS makes by itself once the mode has the API: the creator's admin entry and the
        node groups' EC2_LINUX entries."""
        if state["mode"] == "CONFIG_MAP":
            return
        if state["bootstrap"] and state["creator"] and state["creator"] not in state["entries"]:
            entry = self._entry(state, state["creator"], auto=True)
            arn = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
            entry["_policies"][arn] = {"policyArn": arn, "accessScope": {"type": "cluster", "namespaces": []},
                                       "associatedAt": _now(), "modifiedAt": _now()}
        cluster = self._moto_cluster(ctx, name)
        for group in list(getattr(cluster, "nodegroups", {}).values()):
            role = getattr(group, "node_role", None) or getattr(group, "nodeRole", None)
            if role and role not in state["entries"]:
                self._entry(state, role, kind="EC2_LINUX", auto=True)

    @staticmethod
    def _view(entry):
        return dict((k, v) for k, v in entry.items() if not k.startswith("_"))

    def _get_entry(self, state, principal):
        entry = state["entries"].get(principal)
        if entry is None:
            raise ApiError(404, "ResourceNotFoundException", "The specified principalArn could not be found. "
                           "You can view your available access entries with 'list-access-entries'.")
        return entry

    @staticmethod
    def _page(items, params, key):
        start = int(params.get("nextToken") or 0)
        size = int(params.get("maxResults") or 100)
        out = {key: items[start:start + size]}
        if start + size < len(items):
            out["nextToken"] = str(start + size)
        return out

    # -------------------------------------------------------------------- clusters
    def op_CreateCluster(self, ctx, params):
        access = params.get("accessConfig") or {}
        mode = access.get("authenticationMode", "CONFIG_MAP")
        bootstrap = access.get("bootstrapClusterCreatorAdminPermissions", True)
        creator = self._creator(ctx)
        if not bootstrap and mode == "CONFIG_MAP":
            raise ApiError(400, "InvalidParameterException", "bootstrapClusterCreatorAdminPermissions must be true "
                           "if cluster authentication mode is set to CONFIG_MAP")

        def edit(answer):
            cluster = answer["cluster"]
            key = (self._account(ctx), ctx["region"], cluster["name"])
            self.clusters[key] = {"mode": mode, "bootstrap": bootstrap, "creator": creator, "entries": {},
                                  "arn": cluster["arn"], "deletion_protection": bool(params.get("deletionProtection")),
                                  "support_type": (params.get("upgradePolicy") or {}).get("supportType", "EXTENDED")}
            self._report(cluster, self.clusters[key])
            if mode != "CONFIG_MAP":
                self._auto_entries(ctx, cluster["name"], self.clusters[key])
        return self._moto(ctx, edit)

    @staticmethod
    def _report(cluster, state):
        cluster["accessConfig"] = {"bootstrapClusterCreatorAdminPermissions": state["bootstrap"],
                                   "authenticationMode": state["mode"]}
        cluster["deletionProtection"] = state["deletion_protection"]
        cluster["upgradePolicy"] = {"supportType": state["support_type"]}

    def op_DescribeCluster(self, ctx, params):
        def edit(answer):
            self._report(answer["cluster"], self._state(ctx, params["name"]))
        return self._moto(ctx, edit)

    def op_DeleteCluster(self, ctx, params):
        key = (self._account(ctx), ctx["region"], params["name"])
        if self._state(ctx, params["name"])["deletion_protection"]:
            raise ApiError(400, "InvalidRequestException", "Cannot delete cluster %s while deletion protection is "
                           "enabled; disable it with UpdateClusterConfig first." % params["name"])

        def edit(_answer):
            self.clusters.pop(key, None)
        return self._moto(ctx, edit)

    def op_CreateNodegroup(self, ctx, params):
        def edit(_answer):
            state = self._state(ctx, params["clusterName"])
            self._auto_entries(ctx, params["clusterName"], state)
        return self._moto(ctx, edit)

    def op_UpdateClusterConfig(self, ctx, params):
        ours = [k for k in ("accessConfig", "deletionProtection", "upgradePolicy") if k in params]
        if not ours:
            return self._moto(ctx)
        others = [k for k in params if k not in ("name", "clientRequestToken")]
        if len(others) > 1:
            raise ApiError(400, "InvalidParameterException", "Only one type of update can be allowed.")
        state = self._state(ctx, params["name"])
        if ours == ["accessConfig"]:
            kind, value = "AccessConfigUpdate", self._access_update(ctx, params, state)
            param = ("AuthenticationMode", value)
        elif ours == ["deletionProtection"]:
            state["deletion_protection"] = bool(params["deletionProtection"])
            kind, param = "DeletionProtectionUpdate", ("DeletionProtection", str(state["deletion_protection"]).lower())
        else:
            state["support_type"] = params["upgradePolicy"].get("supportType", "EXTENDED")
            kind, param = "UpgradePolicyUpdate", ("UpgradePolicy", state["support_type"])
        update = {"id": str(uuid.uuid4()), "status": "Successful", "type": kind,
                  "params": [{"type": param[0], "value": param[1]}], "createdAt": _now(), "errors": []}
        self.updates[update["id"]] = update
        return {"update": update}

    def _access_update(self, ctx, params, state):
        mode = params["accessConfig"].get("authenticationMode")
        if mode is None:
            raise ApiError(400, "InvalidParameterException", "authenticationMode is required in accessConfig.")
        if MODES.index(mode) <= MODES.index(state["mode"]):
            raise ApiError(400, "InvalidParameterException", "Unsupported authentication mode update from %s to %s"
                           % (state["mode"], mode))
        state["mode"] = mode
        self._auto_entries(ctx, params["name"], state)
        return mode

    def op_DescribeUpdate(self, ctx, params):
        update = self.updates.get(params["updateId"])
        if update is None:
            return self._moto(ctx)
        return {"update": update}

    # -------------------------------------------------------------------- access entries
    @staticmethod
    def _check_username(username):
        if username and username.lower().startswith(("system:", "eks:", "aws:", "amazon:", "iam:")):
            raise ApiError(400, "InvalidParameterException", "The username %s is invalid, it cannot start with "
                           "system:, eks:, aws:, amazon: or iam:" % username)

    def op_CreateAccessEntry(self, ctx, params):
        state = self._api_state(ctx, params["clusterName"])
        principal = params["principalArn"]
        kind = params.get("type", "STANDARD")
        if not (ROLE_ARN_RE.match(principal) or USER_ARN_RE.match(principal)):
            raise ApiError(400, "InvalidParameterException", "The principalArn parameter format is not valid")
        if kind not in ENTRY_TYPES:
            raise ApiError(400, "InvalidParameterException", "The type %s is not valid" % kind)
        if kind != "STANDARD" and not ROLE_ARN_RE.match(principal):
            raise ApiError(400, "InvalidParameterException", "The type %s requires an IAM role principalArn" % kind)
        if kind != "STANDARD" and (params.get("kubernetesGroups") or params.get("username")):
            raise ApiError(400, "InvalidParameterException", "Kubernetes groups and username cannot be specified "
                           "for an access entry of type %s" % kind)
        self._check_username(params.get("username"))
        for group in params.get("kubernetesGroups") or []:
            if group.startswith("system:"):
                raise ApiError(400, "InvalidParameterException", "The kubernetes group name %s is invalid, it "
                               "cannot start with system:" % group)
        if principal in state["entries"]:
            raise ApiError(409, "ResourceInUseException", "The specified access entry resource is already in use "
                           "on this cluster.")
        entry = self._entry(state, principal, kind, params.get("kubernetesGroups"), params.get("username"),
                            params.get("tags"))
        return {"accessEntry": self._view(entry)}

    def op_DescribeAccessEntry(self, ctx, params):
        state = self._api_state(ctx, params["clusterName"])
        return {"accessEntry": self._view(self._get_entry(state, params["principalArn"]))}

    def op_ListAccessEntries(self, ctx, params):
        state = self._api_state(ctx, params["clusterName"])
        wanted = params.get("associatedPolicyArn")
        arns = sorted(p for p, e in state["entries"].items() if wanted is None or wanted in e["_policies"])
        return self._page(arns, params, "accessEntries")

    def op_UpdateAccessEntry(self, ctx, params):
        state = self._api_state(ctx, params["clusterName"])
        entry = self._get_entry(state, params["principalArn"])
        if entry["type"] != "STANDARD" and (params.get("kubernetesGroups") or params.get("username")):
            raise ApiError(400, "InvalidParameterException", "Kubernetes groups and username cannot be updated "
                           "for an access entry of type %s" % entry["type"])
        self._check_username(params.get("username"))
        if "kubernetesGroups" in params:
            entry["kubernetesGroups"] = list(params["kubernetesGroups"])
        if "username" in params:
            entry["username"] = params["username"]
        entry["modifiedAt"] = _now()
        return {"accessEntry": self._view(entry)}

    def op_DeleteAccessEntry(self, ctx, params):
        state = self._api_state(ctx, params["clusterName"])
        self._get_entry(state, params["principalArn"])
        del state["entries"][params["principalArn"]]
        return {}

    # -------------------------------------------------------------------- tags of access entries
    def _tagged(self, arn):
        for state in self.clusters.values():
            for entry in state["entries"].values():
                if entry["accessEntryArn"] == arn:
                    return entry
            for assoc in state.setdefault("associations", {}).values():
                if assoc["associationArn"] == arn:
                    return assoc
        raise ApiError(404, "NotFoundException", "Resource was not found: %s" % arn)

    def op_TagResource(self, ctx, params):
        if not _ours(params["resourceArn"]):
            return self._moto(ctx)
        self._tagged(params["resourceArn"])["tags"].update(params["tags"])
        return {}

    def op_UntagResource(self, ctx, params):
        if not _ours(params["resourceArn"]):
            return self._moto(ctx)
        tags = self._tagged(params["resourceArn"])["tags"]
        for key in params["tagKeys"]:
            tags.pop(key, None)
        return {}

    def op_ListTagsForResource(self, ctx, params):
        if not _ours(params["resourceArn"]):
            return self._moto(ctx)
        return {"tags": dict(self._tagged(params["resourceArn"])["tags"])}

    # -------------------------------------------------------------------- access policies
    def op_ListAccessPolicies(self, ctx, params):
        items = [{"name": n, "arn": "arn:aws:eks::aws:cluster-access-policy/%s" % n} for n in sorted(POLICY_NAMES)]
        return self._page(items, params, "accessPolicies")

    def op_AssociateAccessPolicy(self, ctx, params):
        state = self._api_state(ctx, params["clusterName"])
        entry = self._get_entry(state, params["principalArn"])
        arn = params["policyArn"]
        if arn.rsplit("/", 1)[-1] not in POLICY_NAMES or not arn.startswith("arn:aws:eks::aws:cluster-access-policy/"):
            raise ApiError(404, "ResourceNotFoundException", "The specified policyArn could not be found.")
        if entry["type"] != "STANDARD":
            raise ApiError(400, "InvalidParameterException", "Access policies can only be associated with access "
                           "entries of type STANDARD.")
        scope = params["accessScope"]
        if scope.get("type") == "namespace" and not scope.get("namespaces"):
            raise ApiError(400, "InvalidParameterException", "namespaces must be specified for a namespace scope")
        if scope.get("type") == "cluster" and scope.get("namespaces"):
            raise ApiError(400, "InvalidParameterException", "namespaces cannot be specified for a cluster scope")
        now = _now()
        old = entry["_policies"].get(arn)
        entry["_policies"][arn] = {"policyArn": arn, "accessScope": {"type": scope["type"],
                                                                      "namespaces": list(scope.get("namespaces") or [])},
                                   "associatedAt": old["associatedAt"] if old else now, "modifiedAt": now}
        return {"clusterName": params["clusterName"], "principalArn": params["principalArn"],
                "associatedAccessPolicy": entry["_policies"][arn]}

    def op_DisassociateAccessPolicy(self, ctx, params):
        state = self._api_state(ctx, params["clusterName"])
        entry = self._get_entry(state, params["principalArn"])
        if params["policyArn"] not in entry["_policies"]:
            raise ApiError(404, "ResourceNotFoundException", "The specified policyArn is not associated with this "
                           "access entry.")
        del entry["_policies"][params["policyArn"]]
        return {}

    def op_ListAssociatedAccessPolicies(self, ctx, params):
        state = self._api_state(ctx, params["clusterName"])
        entry = self._get_entry(state, params["principalArn"])
        out = self._page([entry["_policies"][k] for k in sorted(entry["_policies"])], params,
                         "associatedAccessPolicies")
        out.update(clusterName=params["clusterName"], principalArn=params["principalArn"])
        return out

    # -------------------------------------------------------------------- Pod Identity
    def _associations(self, ctx, cluster):
        return self._state(ctx, cluster).setdefault("associations", {})

    def _association(self, ctx, params):
        assoc = self._associations(ctx, params["clusterName"]).get(params["associationId"])
        if assoc is None:
            raise ApiError(404, "ResourceNotFoundException", "Association %s not found on cluster %s"
                           % (params["associationId"], params["clusterName"]))
        return assoc

    @staticmethod
    def _role_problem(arn, what):
        if arn is not None and not ROLE_ARN_RE.match(arn):
            raise ApiError(400, "InvalidParameterException", "%s %s is not an IAM role ARN" % (what, arn))

    def op_CreatePodIdentityAssociation(self, ctx, params):
        state = self._state(ctx, params["clusterName"])
        table = self._associations(ctx, params["clusterName"])
        self._role_problem(params["roleArn"], "roleArn")
        self._role_problem(params.get("targetRoleArn"), "targetRoleArn")
        for other in table.values():
            if (other["namespace"], other["serviceAccount"]) == (params["namespace"], params["serviceAccount"]):
                raise ApiError(409, "ResourceInUseException", "Association already exists: %s"
                               % other["associationId"])
        ident = "a-%s" % uuid.uuid4().hex[:17]
        now = _now()
        assoc = {"clusterName": params["clusterName"], "namespace": params["namespace"],
                 "serviceAccount": params["serviceAccount"], "roleArn": params["roleArn"],
                 "associationArn": "%s/%s" % (state["arn"].replace(":cluster/", ":podidentityassociation/"), ident),
                 "associationId": ident, "tags": dict(params.get("tags") or {}), "createdAt": now, "modifiedAt": now,
                 "disableSessionTags": bool(params.get("disableSessionTags", False))}
        if params.get("targetRoleArn"):
            assoc["targetRoleArn"] = params["targetRoleArn"]
            assoc["externalId"] = str(uuid.uuid4())
        if params.get("policy"):
            assoc["policy"] = params["policy"]
        table[ident] = assoc
        return {"association": dict(assoc)}

    def op_DescribePodIdentityAssociation(self, ctx, params):
        return {"association": dict(self._association(ctx, params))}

    def op_ListPodIdentityAssociations(self, ctx, params):
        table = self._associations(ctx, params["clusterName"])
        items = [dict((k, a[k]) for k in ("clusterName", "namespace", "serviceAccount", "associationArn",
                                           "associationId") if k in a)
                 for a in sorted(table.values(), key=lambda a: (a["namespace"], a["serviceAccount"]))
                 if params.get("namespace") in (None, a["namespace"])
                 and params.get("serviceAccount") in (None, a["serviceAccount"])]
        return self._page(items, params, "associations")

    @staticmethod
    def _not_owned(assoc):
        if assoc.get("ownerArn"):
            raise ApiError(400, "InvalidRequestException", "Pod Identity association %s is managed by add-on %s; "
                           "change it through UpdateAddon" % (assoc["associationId"], assoc["ownerArn"]))

    def op_UpdatePodIdentityAssociation(self, ctx, params):
        assoc = self._association(ctx, params)
        self._not_owned(assoc)
        self._role_problem(params.get("roleArn"), "roleArn")
        self._role_problem(params.get("targetRoleArn") or None, "targetRoleArn")
        if "roleArn" in params:
            assoc["roleArn"] = params["roleArn"]
        if "disableSessionTags" in params:
            assoc["disableSessionTags"] = bool(params["disableSessionTags"])
        if "targetRoleArn" in params:
            if params["targetRoleArn"]:
                if assoc.get("targetRoleArn") != params["targetRoleArn"]:
                    assoc["externalId"] = str(uuid.uuid4())
                assoc["targetRoleArn"] = params["targetRoleArn"]
            else:  # an empty string removes the chaining
                assoc.pop("targetRoleArn", None)
                assoc.pop("externalId", None)
        if "policy" in params:
            assoc["policy"] = params["policy"]
        assoc["modifiedAt"] = _now()
        return {"association": dict(assoc)}

    def op_DeletePodIdentityAssociation(self, ctx, params):
        assoc = self._association(ctx, params)
        self._not_owned(assoc)
        del self._associations(ctx, params["clusterName"])[params["associationId"]]
        return {"association": dict(assoc)}

    # -------------------------------------------------------------------- add-ons
    def _addons(self, ctx, cluster):
        return self._state(ctx, cluster).setdefault("addons", {})

    def _addon(self, ctx, params):
        addon = self._addons(ctx, params["clusterName"]).get(params["addonName"])
        if addon is None:
            raise ApiError(404, "ResourceNotFoundException", "No addon: %s found in cluster: %s"
                           % (params["addonName"], params["clusterName"]))
        return addon

    @staticmethod
    def _versions(name, cluster_version):
        """The catalog's versions of an add-on for a cluster version (kube-proxy follows it)."""
        versions = ADDON_CATALOG[name]["versions"]
        if name == "kube-proxy":
            versions = [v for v in versions if v.startswith("v%s." % cluster_version)] or versions[-1:]
        return versions

    def _addon_settings(self, ctx, params, addon, cluster):
        """Checks and applies version, configuration, role and Pod Identity associations."""
        name = params["addonName"]
        version = params.get("addonVersion")
        versions = self._versions(name, getattr(cluster, "version", "1.36") or "1.36")
        if version and version not in versions:
            raise ApiError(400, "InvalidParameterException", "Addon version specified is not supported: %s "
                           "(supported: %s)" % (version, ", ".join(versions)))
        if version or not addon.get("addonVersion"):
            addon["addonVersion"] = version or versions[0]
        if "configurationValues" in params:
            text = params["configurationValues"] or ""
            try:
                value = json.loads(text) if text.strip() else {}
            except ValueError:
                raise ApiError(400, "InvalidParameterException", "ConfigurationValue provided in request is not "
                               "supported: not valid JSON")
            if not isinstance(value, dict):
                raise ApiError(400, "InvalidParameterException", "ConfigurationValue must be a JSON object")
            addon["configurationValues"] = text
        if params.get("serviceAccountRoleArn"):
            self._role_problem(params["serviceAccountRoleArn"], "serviceAccountRoleArn")
            addon["serviceAccountRoleArn"] = params["serviceAccountRoleArn"]
        if "podIdentityAssociations" in params:
            self._addon_associations(ctx, params, addon)

    def _addon_associations(self, ctx, params, addon):
        """The add-on's Pod Identity associations become exactly ``podIdentityAssociations``."""
        name, cluster = params["addonName"], params["clusterName"]
        catalog = ADDON_CATALOG[name]
        table = self._associations(ctx, cluster)
        wanted = {}
        for item in params["podIdentityAssociations"]:
            if item["serviceAccount"] not in catalog["service_accounts"]:
                raise ApiError(400, "InvalidParameterException", "Service account %s is not used by addon %s "
                               "(it uses: %s)" % (item["serviceAccount"], name,
                                                   ", ".join(catalog["service_accounts"]) or "none"))
            self._role_problem(item["roleArn"], "roleArn")
            wanted[item["serviceAccount"]] = item["roleArn"]
        owned = dict((a["serviceAccount"], a) for a in table.values() if a.get("ownerArn") == addon["addonArn"])
        for sa, assoc in owned.items():
            if sa not in wanted:
                del table[assoc["associationId"]]
        for sa, role in wanted.items():
            if sa in owned:
                owned[sa]["roleArn"], owned[sa]["modifiedAt"] = role, _now()
                continue
            # refuses a service account another association has (ResourceInUseException)
            answer = self.op_CreatePodIdentityAssociation(ctx, {"clusterName": cluster, "namespace": catalog["namespace"],
                                                                "serviceAccount": sa, "roleArn": role})
            table[answer["association"]["associationId"]]["ownerArn"] = addon["addonArn"]
        addon["podIdentityAssociations"] = sorted(a["associationArn"] for a in table.values()
                                                  if a.get("ownerArn") == addon["addonArn"])

    def op_CreateAddon(self, ctx, params):
        cluster = self._moto_cluster(ctx, params["clusterName"])
        state = self._state(ctx, params["clusterName"])
        name = params["addonName"]
        if name not in ADDON_CATALOG:
            raise ApiError(400, "InvalidParameterException", "Addon %s specified is not supported in %s cluster "
                           "version" % (name, getattr(cluster, "version", "")))
        table = self._addons(ctx, params["clusterName"])
        if name in table:
            raise ApiError(409, "ResourceInUseException", "Addon already exists.")
        now = _now()
        addon = {"addonName": name, "clusterName": params["clusterName"], "status": "ACTIVE",
                 "health": {"issues": []}, "createdAt": now, "modifiedAt": now, "tags": dict(params.get("tags") or {}),
                 "addonArn": "%s/%s/%s" % (state["arn"].replace(":cluster/", ":addon/"), name, uuid.uuid4()),
                 "publisher": "eks", "owner": "aws", "podIdentityAssociations": []}
        self._addon_settings(ctx, params, addon, cluster)
        table[name] = addon
        return {"addon": dict(addon)}

    def op_DescribeAddon(self, ctx, params):
        return {"addon": dict(self._addon(ctx, params))}

    def op_ListAddons(self, ctx, params):
        return self._page(sorted(self._addons(ctx, params["clusterName"])), params, "addons")

    def op_UpdateAddon(self, ctx, params):
        addon = self._addon(ctx, params)
        self._addon_settings(ctx, params, addon, self._moto_cluster(ctx, params["clusterName"]))
        addon["modifiedAt"] = _now()
        update = {"id": str(uuid.uuid4()), "status": "Successful", "type": "AddonUpdate", "createdAt": _now(),
                  "params": [{"type": "AddonVersion", "value": addon["addonVersion"]}], "errors": []}
        self.updates[update["id"]] = update
        return {"update": update}

    def op_DeleteAddon(self, ctx, params):
        addon = self._addon(ctx, params)
        del self._addons(ctx, params["clusterName"])[params["addonName"]]
        table = self._associations(ctx, params["clusterName"])
        for ident in [i for i, a in table.items() if a.get("ownerArn") == addon["addonArn"]]:
            del table[ident]
        return {"addon": dict(addon, status="DELETING")}

    def op_DescribeAddonVersions(self, ctx, params):
        items = []
        for name in sorted(ADDON_CATALOG):
            if params.get("addonName") not in (None, name):
                continue
            cluster_versions = [params["kubernetesVersion"]] if params.get("kubernetesVersion") else CLUSTER_VERSIONS
            versions = []
            for version in ADDON_CATALOG[name]["versions"]:
                compat = [{"clusterVersion": cv, "platformVersions": ["*"],
                           "defaultVersion": version == self._versions(name, cv)[0]}
                          for cv in cluster_versions if version in self._versions(name, cv)]
                if compat:
                    versions.append({"addonVersion": version, "architecture": ["amd64", "arm64"],
                                     "compatibilities": compat, "requiresConfiguration": False,
                                     "requiresIamPermissions": bool(ADDON_CATALOG[name]["service_accounts"])})
            if versions:
                items.append({"addonName": name, "type": "networking" if name == "vpc-cni" else "other",
                              "addonVersions": versions, "publisher": "eks", "owner": "aws",
                              "defaultNamespace": ADDON_CATALOG[name]["namespace"]})
        return self._page(items, params, "addons")
