# -*- coding: utf-8 -*-
# Copyright: hardened.eks contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A set of files in one directory, converged in one module process (module ``file_set``).

The plan is pure (``plan``: what is there -> what to write and remove); ``ensure_file_set``
reads the directory, plans and, unless in check mode, writes atomically (a temporary file in
the same directory, then ``rename``) and removes. ``ensure_*`` returns ``(changed, predicted)``
so check mode and diff share one path.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import os
import re
import stat
import tempfile

NAME_RE = re.compile(r"^[A-Za-z0-9_][-A-Za-z0-9_.]*$")


class FileSetError(Exception):
    """Bad input, or a file that cannot be written; ``problems`` names each."""

    def __init__(self, problems):
        self.problems = problems if isinstance(problems, list) else [problems]
        super(FileSetError, self).__init__("; ".join(self.problems))


def check(files, marker):
    """Every problem of the files at once (FileSetError)."""
    problems, seen = [], set()
    for i, f in enumerate(files):
        name = f.get("name") or ""
        where = "files[%d] (%s)" % (i, name) if name else "files[%d]" % i
        if not NAME_RE.match(name) or name in (".", ".."):
            problems.append("%s.name: %r must be a plain file name (no '/'), for example alice.kubeconfig"
                            % (where, name))
        elif name in seen:
            problems.append("%s.name: used by an earlier file" % where)
        seen.add(name)
        if marker and not (f.get("content") or "").startswith(marker):
            problems.append("%s.content: does not start with the marker %r, so a later run could not "
                            "tell it is one of this set's files (start the content with it)" % (where, marker))
    if problems:
        raise FileSetError(["Nothing was written"] + problems)


def plan(files, existing, mode, purge_pattern=None):
    """What to do, from ``existing`` (name -> {"content": text or None, "mode": int, "marked":
    bool}: the directory as read). Returns a dict of ``write`` (names whose content or mode
    differ, or that are missing), ``remove`` (marked files of the shell pattern
    ``purge_pattern`` that no file names, when purging), ``unchanged``; and ``before``/``after``
    texts for the diff."""
    wanted = dict((f["name"], f["content"]) for f in files)
    out = {"write": [], "remove": [], "unchanged": [], "before": {}, "after": {}}
    for name in sorted(wanted):
        now = existing.get(name)
        if now is None or now.get("content") != wanted[name] or now.get("mode") != mode:
            out["write"].append(name)
            out["before"][name] = (now or {}).get("content") or ""
            out["after"][name] = wanted[name]
        else:
            out["unchanged"].append(name)
    if purge_pattern is not None:
        for name in sorted(existing):
            if name not in wanted and existing[name].get("marked") and fnmatch.fnmatchcase(name, purge_pattern):
                out["remove"].append(name)
                out["before"][name] = existing[name].get("content") or ""
                out["after"][name] = ""
    return out


def read_dir(path, marker, max_bytes=1024 * 1024):
    """name -> {"content", "mode", "marked"} of the regular files directly in ``path`` ({} when
    it does not exist). Files larger than ``max_bytes`` are never this set's: not read."""
    out = {}
    if not os.path.isdir(path):
        return out
    for name in os.listdir(path):
        full = os.path.join(path, name)
        try:
            st = os.lstat(full)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        content = None
        if st.st_size <= max_bytes:
            try:
                with open(full, "rb") as fh:
                    content = fh.read().decode("utf-8")
            except (OSError, UnicodeDecodeError):
                content = None
        out[name] = {"content": content, "mode": stat.S_IMODE(st.st_mode),
                     "marked": bool(marker) and content is not None and content.startswith(marker)}
    return out


def _write(path, name, content, mode):
    fd, tmp = tempfile.mkstemp(prefix=".%s." % name, dir=path)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content.encode("utf-8"))
        os.chmod(tmp, mode)
        os.rename(tmp, os.path.join(path, name))
    except OSError:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def ensure_file_set(path, files, mode, dir_mode, marker=None, purge_pattern=None, check_mode=False):
    """Converge the directory; returns ``(changed, predicted)`` where ``predicted`` is the plan
    (what was, or in check mode would be, written and removed) plus ``dir_created``."""
    check(files, marker)
    is_dir = os.path.isdir(path)
    if os.path.exists(path) and not is_dir:
        raise FileSetError("path: %s exists and is not a directory" % path)
    result = plan(files, read_dir(path, marker), mode, purge_pattern)
    dir_created = not is_dir
    dir_mode_differs = is_dir and stat.S_IMODE(os.stat(path).st_mode) != dir_mode
    changed = bool(result["write"] or result["remove"] or dir_created or dir_mode_differs)
    result["dir_created"] = dir_created
    if check_mode or not changed:
        return changed, result
    try:
        if dir_created:
            os.makedirs(path, dir_mode)
        os.chmod(path, dir_mode)
        contents = dict((f["name"], f["content"]) for f in files)
        for name in result["write"]:
            _write(path, name, contents[name], mode)
        for name in result["remove"]:
            os.unlink(os.path.join(path, name))
    except OSError as exc:
        raise FileSetError("path: cannot write in %s: %s" % (path, exc))
    return changed, result
