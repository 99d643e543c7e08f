"""A loopback HTTP proxy in front of the sandbox's kube-apiserver that answers chosen requests
with errors (429/500/503, or a dropped connection) before letting them through. Modules talk to
it through a kubeconfig whose server is the proxy: the API server behind it is the real one."""
import base64
import http.client
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse


class FaultProxy(object):
    def __init__(self, upstream, cafile, tls=None):
        """``tls``: (certfile, keyfile) to serve HTTPS (a certificate the CA in ``cafile`` signed
        for 127.0.0.1, such as the sandbox API server's own), for clients that insist on https and
        CA data in their kubeconfig; default plain HTTP."""
        self.upstream = urlparse(upstream)
        self.cafile = cafile
        self.tls = tls
        self.ctx = ssl.create_default_context(cafile=cafile)
        self.rules = []          # dicts: method, path_contains, status, count
        self.log = []            # (method, path, status) of every request seen
        self.lock = threading.Lock()
        self.before_forward = None  # optional callable(method, path), run before a request is forwarded
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                fault, after, retry_after = proxy._match(self.command, self.path)
                self.retry_after = retry_after
                if fault is not None and after:
                    # the request reaches the API server (and may be applied); the answer is lost
                    status = self._forward(body)[0]
                    proxy._record(self.command, self.path, "%s->%s" % (status, fault))
                    self._answer_fault(fault)
                    return
                if fault is not None:
                    proxy._record(self.command, self.path, fault)
                    self._answer_fault(fault)
                    return
                try:
                    status, headers, data = self._forward(body)
                except OSError:  # the API server is gone: the client sees a dropped connection
                    proxy._record(self.command, self.path, "unreachable")
                    self.close_connection = True
                    self.connection.close()
                    return
                proxy._record(self.command, self.path, status)
                self.send_response(status)
                for k, v in headers:
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _answer_fault(self, fault):
                if fault == "drop":
                    self.close_connection = True
                    self.connection.close()
                    return
                payload = json.dumps({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                      "message": "injected %d" % fault, "code": fault,
                                      "details": {"retryAfterSeconds": self.retry_after}}).encode()
                self.send_response(fault)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _forward(self, body):
                if proxy.before_forward is not None:
                    proxy.before_forward(self.command, self.path)
                conn = http.client.HTTPSConnection(proxy.upstream.hostname, proxy.upstream.port,
                                                   context=proxy.ctx, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                conn.close()
                return resp.status, resp.getheaders(), data

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls:
            server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            server_ctx.load_cert_chain(*tls)
            self.server.socket = server_ctx.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % ("https" if self.tls else "http", self.port)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def add_fault(self, status, count, method=None, path_contains=None, after=False, retry_after=0):
        """Answer the next ``count`` matching requests with ``status`` (an int, or "drop" to
        close the connection). ``after=True`` forwards the request first (the API server applies
        it) and then answers with the fault: a response lost on the way back. ``retry_after`` is
        the ``details.retryAfterSeconds`` of the error body."""
        with self.lock:
            self.rules.append({"status": status, "count": count, "method": method,
                               "path_contains": path_contains, "after": after, "retry_after": retry_after})

    def _match(self, method, path):
        with self.lock:
            for rule in self.rules:
                if rule["count"] <= 0:
                    continue
                if rule["method"] and rule["method"] != method:
                    continue
                if rule["path_contains"] and rule["path_contains"] not in path:
                    continue
                rule["count"] -= 1
                return rule["status"], rule.get("after", False), rule.get("retry_after", 0)
        return None, False, 0

    def _record(self, method, path, status):
        with self.lock:
            self.log.append((method, path, status))

    def kubeconfig(self, token):
        cluster = {"server": self.url}
        if self.tls:
            with open(self.cafile, "rb") as fh:
                cluster["certificate-authority-data"] = base64.b64encode(fh.read()).decode()
        return {"apiVersion": "v1", "kind": "Config",
                "clusters": [{"name": "proxy", "cluster": cluster}],
                "users": [{"name": "admin", "user": {"token": token}}],
                "contexts": [{"name": "proxy", "context": {"cluster": "proxy", "user": "admin"}}],
                "current-context": "proxy"}
