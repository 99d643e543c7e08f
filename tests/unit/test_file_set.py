"""file_set (module_utils/_file_set.py) on a real directory: what differs is written, the
marked files of the pattern that no file names are removed, nothing else is touched, and check
mode predicts the same without writing."""
import os
import stat

import pytest

from ansible_collections.hardened.eks.plugins.module_utils._file_set import FileSetError, ensure_file_set

MARK = "# hardened.eks.iam_authenticator "


def kubeconfig(who):
    return MARK + "kubeconfig for %s\napiVersion: v1\n" % who


def mode_of(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


def test_first_run_creates_the_directory_and_files_with_their_modes_then_converges(tmp_path):
    d = tmp_path / "kube" / "prod"
    files = [{"name": "alice.kubeconfig", "content": kubeconfig("alice")},
             {"name": "ci.kubeconfig", "content": kubeconfig("ci")}]
    changed, predicted = ensure_file_set(str(d), files, 0o600, 0o700, MARK, "*.kubeconfig")
    assert changed and predicted["write"] == ["alice.kubeconfig", "ci.kubeconfig"] and predicted["dir_created"]
    assert (d / "alice.kubeconfig").read_text() == kubeconfig("alice")
    assert mode_of(d) == 0o700 and mode_of(d / "ci.kubeconfig") == 0o600
    assert sorted(os.listdir(str(d))) == ["alice.kubeconfig", "ci.kubeconfig"]   # no temporary file left
    changed, predicted = ensure_file_set(str(d), files, 0o600, 0o700, MARK, "*.kubeconfig")
    assert not changed and predicted["unchanged"] == ["alice.kubeconfig", "ci.kubeconfig"]


def test_a_changed_grant_a_loosened_mode_and_a_grant_that_left(tmp_path):
    d = tmp_path / "prod"
    d.mkdir(mode=0o700)
    (d / "alice.kubeconfig").write_text(kubeconfig("alice-old"))
    (d / "ci.kubeconfig").write_text(kubeconfig("ci"))
    os.chmod(str(d / "ci.kubeconfig"), 0o644)
    (d / "bob.kubeconfig").write_text(kubeconfig("bob"))             # left the inventory
    (d / "mine.kubeconfig").write_text("apiVersion: v1\n")            # someone else's: no marker
    (d / "notes.txt").write_text(MARK + "but not a kubeconfig\n")    # marked, outside the pattern
    files = [{"name": "alice.kubeconfig", "content": kubeconfig("alice")},
             {"name": "ci.kubeconfig", "content": kubeconfig("ci")}]
    before = sorted(os.listdir(str(d)))
    changed, predicted = ensure_file_set(str(d), files, 0o600, 0o700, MARK, "*.kubeconfig", check_mode=True)
    assert changed and predicted["write"] == ["alice.kubeconfig", "ci.kubeconfig"]
    assert predicted["remove"] == ["bob.kubeconfig"]
    assert predicted["before"]["alice.kubeconfig"] == kubeconfig("alice-old")
    assert predicted["after"]["bob.kubeconfig"] == ""
    assert sorted(os.listdir(str(d))) == before and mode_of(d / "ci.kubeconfig") == 0o644   # check mode
    changed, _predicted = ensure_file_set(str(d), files, 0o600, 0o700, MARK, "*.kubeconfig")
    assert changed
    assert sorted(os.listdir(str(d))) == ["alice.kubeconfig", "ci.kubeconfig", "mine.kubeconfig", "notes.txt"]
    assert (d / "alice.kubeconfig").read_text() == kubeconfig("alice") and mode_of(d / "ci.kubeconfig") == 0o600


def test_without_purge_nothing_is_removed(tmp_path):
    (tmp_path / "bob.kubeconfig").write_text(kubeconfig("bob"))
    os.chmod(str(tmp_path), 0o700)
    changed, predicted = ensure_file_set(str(tmp_path), [], 0o600, 0o700, MARK, None)
    assert not changed and predicted["remove"] == [] and (tmp_path / "bob.kubeconfig").exists()


def test_bad_files_are_all_refused_before_anything_is_written(tmp_path):
    d = tmp_path / "new"
    with pytest.raises(FileSetError) as err:
        ensure_file_set(str(d), [{"name": "../escape", "content": kubeconfig("x")},
                                 {"name": "a.kubeconfig", "content": kubeconfig("a")},
                                 {"name": "a.kubeconfig", "content": kubeconfig("a")},
                                 {"name": "b.kubeconfig", "content": "no marker\n"}], 0o600, 0o700, MARK, "*")
    assert err.value.problems == [
        "Nothing was written",
        "files[0] (../escape).name: '../escape' must be a plain file name (no '/'), for example alice.kubeconfig",
        "files[2] (a.kubeconfig).name: used by an earlier file",
        "files[3] (b.kubeconfig).content: does not start with the marker '# hardened.eks.iam_authenticator ', so "
        "a later run could not tell it is one of this set's files (start the content with it)"]
    assert not d.exists()


def test_a_path_that_is_a_file_is_refused(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(FileSetError, match="exists and is not a directory"):
        ensure_file_set(str(f), [], 0o600, 0o700)
