"""Build the sandbox's upstream components from their published Go modules, once, and cache them.

Each component is a wrapper module under ``go/<component>/`` (go.mod pins the upstream module
and its dependencies, go.sum checks every one by hash); nothing of the upstream code is in this
repository. Binaries are cached under ``~/.cache/hardened-eks/bin/<component>-<version>-<pins>``
(``<pins>`` is a hash of go.mod and go.sum, so changing a pin builds anew), the Go module and
build caches under ``~/.cache/hardened-eks/go``. The machine's own Go is used (``GOTOOLCHAIN=local``).
"""
import hashlib
import os
import re
import shutil
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GO_DIR = os.path.join(HERE, "go")
CACHE = os.path.join(os.path.expanduser("~"), ".cache", "hardened-eks")
GO_CACHE = os.path.join(CACHE, "go")

# component -> (upstream module whose version names the cache entry, {binary: package}, ldflags)
K8S_VERSION_FLAGS = " ".join(
    "-X k8s.io/%s/version.%s=%s" % (pkg, key, "{%s}" % key)
    for pkg in ("component-base", "client-go/pkg")
    for key in ("gitVersion", "gitMajor", "gitMinor"))
COMPONENTS = {
    "kubernetes": ("k8s.io/kubernetes", {
        "etcd": "./etcd",
        "kube-apiserver": "k8s.io/kubernetes/cmd/kube-apiserver",
        "kube-controller-manager": "k8s.io/kubernetes/cmd/kube-controller-manager",
        "kubectl": "k8s.io/kubernetes/cmd/kubectl",
    }, K8S_VERSION_FLAGS),
    "aws-iam-authenticator": ("sigs.k8s.io/aws-iam-authenticator", {
        "aws-iam-authenticator": "sigs.k8s.io/aws-iam-authenticator/cmd/aws-iam-authenticator",
    }, "-X sigs.k8s.io/aws-iam-authenticator/pkg.Version={gitVersion}"),
}
# What a log line of a failed download looks like when the proxy is out of reach or says no.
_PROXY_TROUBLE = re.compile(r"(dial tcp|no such host|connection refused|i/o timeout|TLS handshake timeout|"
                            r"network is unreachable|Forbidden|404 Not Found|410 Gone|server response)", re.I)


class BuildError(Exception):
    """A build step failed; the message names the step and the log."""


def say(msg):
    print("[sandbox] %s" % msg, flush=True)


def module_version(component, module=None):
    """The version go/<component>/go.mod requires of ``module`` (default: the component's)."""
    module = module or COMPONENTS[component][0]
    with open(os.path.join(GO_DIR, component, "go.mod")) as fh:
        for line in fh:
            parts = line.split()
            if parts[:1] == ["require"]:
                parts = parts[1:]
            if len(parts) >= 2 and parts[0] == module:
                return parts[1]
    raise BuildError("go/%s/go.mod does not require %s" % (component, module))


def pins_hash(component):
    digest = hashlib.sha256()
    for name in ("go.mod", "go.sum"):
        path = os.path.join(GO_DIR, component, name)
        if os.path.exists(path):
            with open(path, "rb") as fh:
                digest.update(fh.read())
    return digest.hexdigest()[:10]


def cache_dir(component):
    return os.path.join(CACHE, "bin", "%s-%s-%s" % (component, module_version(component), pins_hash(component)))


def cached(component):
    """{binary: path} when every binary of the component is in the cache, else None."""
    found = dict((name, os.path.join(cache_dir(component), name)) for name in COMPONENTS[component][1])
    return found if all(os.access(p, os.X_OK) for p in found.values()) else None


def find_go():
    """The machine's Go (a current one: the Debian golang-go package of old builds is too old)."""
    for cand in (os.environ.get("HARDENED_EKS_GO"), "/usr/local/go/bin/go", shutil.which("go")):
        if cand and os.access(cand, os.X_OK):
            return cand
    raise BuildError("step 'find Go' found no go command: install a current Go (1.26 or newer), set "
                     "HARDENED_EKS_GO to it, or give your own binaries (see scripts/sandbox --help)")


def go_env(go):
    env = dict(os.environ, GOMODCACHE=os.path.join(GO_CACHE, "mod"), GOCACHE=os.path.join(GO_CACHE, "build"),
               GOFLAGS="-modcacherw -mod=readonly", GOTOOLCHAIN="local", CGO_ENABLED="0", GOWORK="off",
               HOME=os.path.expanduser("~"))
    env["PATH"] = os.path.dirname(go) + os.pathsep + env.get("PATH", "")
    return env


def last_line(path):
    try:
        with open(path, "rb") as fh:
            fh.seek(max(0, os.path.getsize(path) - 600))
            lines = [ln for ln in fh.read().decode("utf-8", "replace").splitlines() if ln.strip()]
        return lines[-1].strip()[:120] if lines else ""
    except OSError:
        return ""


def _run_logged(cmd, cwd, env, log, step, what):
    """Run a long command into the log, saying every 30 s that it still runs."""
    start = time.time()
    with open(log, "a") as fh:
        fh.write("\n$ %s   (in %s)\n" % (" ".join(cmd), cwd))
        fh.flush()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=fh, stderr=subprocess.STDOUT)
        next_report = start + 30
        while proc.poll() is None:
            time.sleep(0.5)
            if time.time() >= next_report:
                next_report += 30
                say("  ... still %s (%ds; last line: %s)" % (what, time.time() - start, last_line(log)))
    if proc.returncode != 0:
        detail = ""
        with open(log, errors="replace") as fh:
            trouble = [ln.strip() for ln in fh.read().splitlines()[-60:] if _PROXY_TROUBLE.search(ln)]
        if trouble and step.startswith("download"):
            detail = (": the Go module proxy (GOPROXY=%s) could not be reached or refused a module: %s"
                      % (env.get("GOPROXY") or _go_env_value(cmd[0], "GOPROXY", env), trouble[-1][:300]))
        raise BuildError("step '%s' failed (exit %d)%s; log: %s" % (step, proc.returncode, detail, log))
    return time.time() - start


def _go_env_value(go, name, env):
    try:
        return subprocess.check_output([go, "env", name], env=env, text=True).strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def build(component, log):
    """Build (or take from the cache) the binaries of one component: {binary: path}."""
    found = cached(component)
    if found:
        return found
    module, binaries, ldflags = COMPONENTS[component]
    version = module_version(component)
    go = find_go()
    env = go_env(go)
    os.makedirs(os.path.dirname(log), exist_ok=True)
    src = os.path.join(GO_DIR, component)
    with open(log, "a") as fh:
        fh.write("\n# %s %s with %s (%s)\n" % (module, version, go, subprocess.check_output(
            [go, "version"], env=env, text=True).strip()))
    say("building %s %s from its Go module with %s: once per machine (log: %s)" % (component, version, go, log))
    took = _run_logged([go, "mod", "download"], src, env, log, "download Go modules for %s" % component,
                       "downloading Go modules for %s" % component)
    say("  modules of %s downloaded and checked against go.sum in %ds" % (component, took))
    match = re.match(r"v(\d+)\.(\d+)", version)
    flags = ldflags.format(gitVersion=version, gitMajor=match.group(1), gitMinor=match.group(2))
    out = cache_dir(component) + ".tmp"
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    # -v names each package as it is compiled: the progress lines show where the build is.
    took = _run_logged([go, "build", "-v", "-trimpath", "-ldflags", "-s -w " + flags, "-o", out + os.sep]
                       + list(binaries.values()), src, env, log, "compile %s" % component,
                       "compiling %s" % component)
    shutil.rmtree(cache_dir(component), ignore_errors=True)
    os.rename(out, cache_dir(component))
    say("  %s compiled in %ds; cached in %s" % (component, took, cache_dir(component)))
    return cached(component)


def manifest_module(module, log):
    """The directory of a pinned upstream module of go/manifests (downloaded, checked by go.sum)."""
    go = find_go()
    env = go_env(go)
    src = os.path.join(GO_DIR, "manifests")
    os.makedirs(os.path.dirname(log), exist_ok=True)
    version = module_version("manifests", module)
    # the module cache spells an upper-case letter as '!' + its lower case
    target = os.path.join(GO_CACHE, "mod", re.sub("[A-Z]", lambda m: "!" + m.group(0).lower(), module) + "@" + version)
    if not os.path.isdir(target):
        _run_logged([go, "mod", "download", module], src, env, log, "download %s %s" % (module, version),
                    "downloading %s" % module)
    # Verifies the cached copy against go.sum as well (a changed cache fails here).
    _run_logged([go, "mod", "verify"], src, env, log, "verify %s %s" % (module, version), "verifying")
    return target
