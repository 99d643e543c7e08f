# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Kubernetes edge of hardened.eks modules.

Connection options are kubernetes.core's (same names, same ``K8S_AUTH_*`` environment
fallbacks), and the client is built with kubernetes.core's own configuration helpers. Requests
are plain REST calls on known paths: no discovery round trips, so a module's request count is
exactly what it asks for (the tests count them in the API server's audit log).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import random
import time

try:
    import kubernetes  # noqa: F401  pylint: disable=unused-import
    from kubernetes.client.rest import ApiException
    import urllib3

    HAS_K8S = True
    K8S_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by main()
    HAS_K8S = False
    K8S_IMPORT_ERROR = exc

try:
    from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
except ImportError:  # pragma: no cover - kubernetes.core missing
    AUTH_ARG_SPEC = {
        "kubeconfig": {"type": "raw", "no_log": True},
        "context": {},
        "host": {},
        "api_key": {"no_log": True},
        "username": {},
        "password": {"no_log": True},
        "validate_certs": {"type": "bool", "aliases": ["verify_ssl"]},
        "ca_cert": {"type": "path", "aliases": ["ssl_ca_cert"]},
        "client_cert": {"type": "path", "aliases": ["cert_file"]},
        "client_key": {"type": "path", "aliases": ["key_file"]},
        "proxy": {"type": "str"},
        "no_proxy": {"type": "str"},
        "proxy_headers": {"type": "dict", "options": {
            "proxy_basic_auth": {"type": "str", "no_log": True},
            "basic_auth": {"type": "str", "no_log": True},
            "user_agent": {"type": "str"},
        }},
        "persist_config": {"type": "bool"},
        "impersonate_user": {},
        "impersonate_groups": {"type": "list", "elements": "str"},
    }

K8S_AUTH_ARG_SPEC = copy.deepcopy(AUTH_ARG_SPEC)

RETRY_STATUSES = (429, 500, 502, 503, 504)


class K8sError(Exception):
    """Base of the errors raised at the Kubernetes edge."""


class K8sConnectionError(K8sError):
    """The API server could not be reached (refused, timed out, TLS)."""


class K8sApiError(K8sError):
    """The API server answered with an error status."""

    def __init__(self, status, reason, body=None, method=None, path=None):
        self.status = status
        self.reason = reason
        self.body = body
        self.method = method
        self.path = path
        detail = reason
        if isinstance(body, dict) and body.get("message"):
            detail = body["message"]
        super(K8sApiError, self).__init__(
            "%s %s: HTTP %s %s" % (method, path, status, detail))


class ConflictRetriesExceeded(K8sError):
    """Optimistic updates kept getting 409 Conflict."""


def connect(module=None, **params):
    """A K8sApi built from the module's connection options (kubernetes.core semantics)."""
    if not HAS_K8S:
        raise K8sError("the kubernetes Python library is required (pip install 'kubernetes<37'): %s"
                       % K8S_IMPORT_ERROR)
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s import client as core_client

    try:
        auth = core_client._create_auth_spec(module, **params)
        configuration = core_client._create_configuration(auth)
        headers = core_client._create_headers(module, **params)
    except Exception as exc:  # kubernetes.config.ConfigException, file errors, ...
        raise K8sError("Could not create the Kubernetes API client: %s" % exc)
    api_client = kubernetes.client.ApiClient(configuration)
    for name, value in headers.items():
        for item in (value if isinstance(value, list) else [value]):
            api_client.set_default_header(core_client.unique_string(name) if isinstance(value, list) else name, item)
    return K8sApi(api_client)


class K8sApi(object):
    """Plain REST calls with bounded retries on throttling and transient server errors."""

    def __init__(self, api_client, retries=5, backoff=0.2, max_backoff=5.0, sleep=time.sleep):
        self.api_client = api_client
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._sleep = sleep
        self.requests = 0

    @property
    def host(self):
        return self.api_client.configuration.host

    def request(self, method, path, body=None, query=None, content_type="application/json",
                retry_connection=False):
        """Send one request; returns the decoded JSON body (or None).

        Throttling and transient server errors are retried. A dropped connection is retried
        only when ``retry_connection`` says a repeat is safe (urllib3 already repeats the
        idempotent methods by itself)."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._send(method, path, body, query, content_type)
            except K8sApiError as exc:
                if exc.status not in RETRY_STATUSES or attempt > self.retries:
                    raise
                self._pause(attempt, self._retry_after(exc))
            except K8sConnectionError:
                if not retry_connection or attempt > self.retries:
                    raise
                self._pause(attempt)

    def _pause(self, attempt, delay=None):
        """Exponential backoff (or the server's ``retryAfterSeconds``), with jitter."""
        delay = delay or min(self.max_backoff, self.backoff * (2 ** (attempt - 1)))
        self._sleep(delay * (0.5 + random.random() / 2))

    @staticmethod
    def _retry_after(exc):
        try:
            return float((exc.body or {}).get("details", {}).get("retryAfterSeconds"))
        except (TypeError, ValueError, AttributeError):
            return None

    def _send(self, method, path, body, query, content_type="application/json"):
        self.requests += 1
        query_params = [(k, v) for k, v in (query or {}).items() if v is not None]
        try:
            resp = self.api_client.call_api(
                path, method, query_params=query_params,
                header_params={"Accept": "application/json", "Content-Type": content_type},
                body=body, auth_settings=["BearerToken"], _preload_content=False,
                _return_http_data_only=True)
        except ApiException as exc:
            try:
                data = json.loads(exc.body) if exc.body else None
            except ValueError:
                data = None
            raise K8sApiError(exc.status, exc.reason, data, method, path)
        except urllib3.exceptions.HTTPError as exc:
            raise K8sConnectionError("cannot reach the Kubernetes API server at %s: %s"
                                     % (self.host, _short(exc)))
        data = resp.data
        if not data:
            return None
        return json.loads(data)

    # Convenience verbs -----------------------------------------------------------------
    def get(self, path, query=None):
        return self.request("GET", path, query=query)

    def get_or_none(self, path):
        try:
            return self.get(path)
        except K8sApiError as exc:
            if exc.status == 404:
                return None
            raise

    def create(self, path, body, dry_run=False):
        return self.request("POST", path, body, {"dryRun": "All" if dry_run else None})

    def replace(self, path, body, dry_run=False):
        return self.request("PUT", path, body, {"dryRun": "All" if dry_run else None})

    def json_patch(self, path, operations, dry_run=False):
        """RFC 6902 JSON patch: the API server applies it to the object as stored when it
        arrives, so writes to other fields never conflict with it; ``test`` operations make it
        fail (422) when a value it depends on has changed since it was read. Such a guarded
        patch is also repeated after a dropped connection: a repeat of one that was applied fails
        its tests instead of applying twice."""
        guarded = any(op.get("op") == "test" for op in operations)
        return self.request("PATCH", path, operations, {"dryRun": "All" if dry_run else None},
                            content_type="application/json-patch+json", retry_connection=guarded)

    def delete(self, path, dry_run=False):
        try:
            return self.request("DELETE", path, None, {"dryRun": "All" if dry_run else None})
        except K8sApiError as exc:
            if exc.status == 404:
                return None
            raise


def _short(exc):
    text = str(getattr(exc, "reason", None) or exc)
    return text.rsplit("Caused by ", maxsplit=1)[-1].strip("()") if "Caused by" in text else text


def conflict_pause(attempt, sleep=None):
    """The jittered, growing pause (at most 1 s) before re-reading after a conflicting write."""
    (sleep or time.sleep)(min(1.0, 0.02 * (2 ** min(attempt, 6))) * random.random())


def api_base(api_version):
    """REST path of a group version (its discovery document)."""
    return "/api/v1" if api_version == "v1" else "/apis/%s" % api_version


def list_pages(api, path, query=None, limit=500):
    """Each page of a list, as the API server answers it (``limit``/``continue``); ``api`` is
    anything with ``get(path, query)``."""
    token = None
    while True:
        page_query = dict(query or {}, limit=limit)
        if token:
            page_query["continue"] = token
        page = api.get(path, page_query) or {}
        yield page
        token = (page.get("metadata") or {}).get("continue")
        if not token:
            return


def k8s_path(api_version, plural, namespace=None, name=None):
    """REST path of a collection or an object."""
    base = api_base(api_version)
    if namespace:
        base += "/namespaces/%s" % namespace
    base += "/%s" % plural
    if name:
        base += "/%s" % name
    return base
