"""scripts/sandbox.d/gobuild.py: when the Go module proxy cannot be reached, the build fails
with a message that says so and names the step (a real `go mod download` against a closed
loopback port, with an empty module cache)."""
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts", "sandbox.d"))
import gobuild  # noqa: E402


@pytest.fixture
def component(tmp_path, monkeypatch):
    src = tmp_path / "go" / "probe"
    src.mkdir(parents=True)
    (src / "go.mod").write_text("module hardened.eks/sandbox/probe\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n")
    (src / "go.sum").write_text("")
    monkeypatch.setattr(gobuild, "GO_DIR", str(tmp_path / "go"))
    monkeypatch.setattr(gobuild, "CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(gobuild, "GO_CACHE", str(tmp_path / "cache" / "go"))
    monkeypatch.setitem(gobuild.COMPONENTS, "probe", ("github.com/google/uuid", {"probe": "."}, ""))
    monkeypatch.setenv("GOPROXY", "http://127.0.0.1:9")   # nothing listens there
    monkeypatch.setenv("GOSUMDB", "off")
    return tmp_path


def test_an_unreachable_proxy_is_named_with_the_step(component, capsys):
    log = str(component / "build.log")
    with pytest.raises(gobuild.BuildError) as exc:
        gobuild.build("probe", log)
    msg = str(exc.value)
    assert "step 'download Go modules for probe' failed" in msg
    assert "the Go module proxy (GOPROXY=http://127.0.0.1:9) could not be reached" in msg
    assert "127.0.0.1:9" in msg.split("refused a module:", 1)[1]
    assert log in msg
    assert gobuild.cached("probe") is None


def test_versions_and_cache_key_come_from_the_pins(component):
    assert gobuild.module_version("probe") == "v1.6.0"
    before = gobuild.cache_dir("probe")
    (component / "go" / "probe" / "go.sum").write_text("github.com/google/uuid v1.6.0 h1:x\n")
    assert gobuild.cache_dir("probe") != before and "probe-v1.6.0-" in before
    with pytest.raises(gobuild.BuildError, match="does not require example.com/none"):
        gobuild.module_version("probe", "example.com/none")
