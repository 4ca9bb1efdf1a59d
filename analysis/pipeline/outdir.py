"""The out folder: which folders the build may own, one build at a time, built aside and switched in once.

* **Ownership.** A built folder carries a marker, :data:`MARKER` (``.build.json``): every file the build
  wrote there (with its SHA-256) and every folder, the units with their input digests, and the reports
  that are out of date and why. The build writes only into a new folder, an empty one, or one holding its
  marker and nothing else (:meth:`Claim.acquire`); the root folder, the home folder, the repository and
  the data folders, and any folder that holds one of them, are refused outright (:func:`check_target`).
  A foreign entry inside a built folder is refused by name, never moved or deleted.
* **One build at a time.** ``<parent>/.<name>.lock`` is held with ``flock`` for the whole build and
  names the holder's pid; a second build into the same folder refuses at once.
* **Readers see one build, whole.** The new tree is assembled in ``<parent>/.<name>.staging-<pid>``
  (unchanged units carried over from the previous tree by hard link, else copied) and put in place by
  :func:`switch`: one ``renameat2(RENAME_EXCHANGE)`` (Linux), which swaps the two folders atomically;
  the previous tree, now at the staging path, is then deleted (it holds only the build's own files).
  Where the exchange is unavailable (another OS, a file system without it) two renames are used:
  ``out`` → ``.<name>.old-<pid>``, staging → ``out``; between them (microseconds) ``out`` does not
  exist, and a build killed there is undone by the next one, which moves ``.old-<pid>`` back.
* **Leftovers.** Under the lock, the staging, old and trash folders of other (dead) builds of the same
  folder are removed before anything else (:meth:`Claim.acquire`).
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import glob
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

from ..core.config import DATA_DIR, ROOT

MARKER = ".build.json"
KINDS = ("staging", "old", "trash")


# --------------------------------------------------------------------------------------------- refusals


def check_target(out, protect=()) -> None:
    """Refuse, with one line (ValueError), a folder the build must never own or cannot write.

    Refused: ``/``, the home folder, the repository, the data folders (``protect`` and the repository's
    data/), anything inside a data folder or holding one of these, a file, a folder under a file or without
    write access. The command line calls it before any work, the build again before it claims the folder.

    Parameters
    ----------
    out : str or pathlib.Path
        The out folder (``--out``), existing or not.
    protect : iterable of str or pathlib.Path, optional
        Further data folders to protect (the ``--data`` folder of the run); None entries are skipped.

    Raises
    ------
    ValueError
        One line naming ``out`` and why the build may not own it.
    """
    out = Path(out)
    real = out.resolve()
    named = [
        (Path("/"), "the root folder"),
        (Path.home().resolve(), "the home folder"),
        (ROOT.resolve(), "the repository"),
        *[(Path(d).resolve(), "a data folder") for d in [DATA_DIR, *protect] if d is not None],
    ]
    for path, what in named:
        if path == real or path.is_relative_to(real):
            held = "is" if path == real else f"holds {path}, which is"
            raise ValueError(
                f"--out {out} {held} {what}: the build replaces the folder it writes, so give it a folder "
                f"of its own (such as reports/)"
            )
        if what == "a data folder" and real.is_relative_to(path):
            raise ValueError(f"--out {out} is inside the data folder {path}: the tools never write there")
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} exists and is not a directory")
    existing = next(p for p in [out, *out.absolute().parents] if p.exists())
    if not existing.is_dir():
        raise ValueError(f"--out {out} cannot be created: {existing} is a file, not a directory")
    if not os.access(existing, os.W_OK | os.X_OK) or (existing == out and not os.access(out.parent, os.W_OK | os.X_OK)):
        raise ValueError(
            f"--out {out} cannot be written: no write permission on {existing if existing != out else out.parent}"
        )


def foreign_entries(out: Path, marker: dict) -> list[str]:
    """Entries under ``out`` (relative paths) that the build which wrote ``marker`` did not write.

    Parameters
    ----------
    out : pathlib.Path
        A built folder.
    marker : dict
        The marker of the build that wrote it (:func:`read_marker`); its ``files`` and ``dirs`` are the
        build's own.

    Returns
    -------
    list of str
        Sorted POSIX paths relative to ``out``, a folder with a trailing ``/`` (its contents not listed);
        empty when everything there is the build's.
    """
    files, dirs = set(marker.get("files", {})) | {MARKER}, set(marker.get("dirs", []))
    found = []
    for root, dnames, fnames in os.walk(out):
        rel = Path(root).relative_to(out)
        for d in sorted(dnames):
            if (rel / d).as_posix() not in dirs:
                found.append((rel / d).as_posix() + "/")
        dnames[:] = sorted(d for d in dnames if (rel / d).as_posix() in dirs)
        found += [(rel / f).as_posix() for f in sorted(fnames) if (rel / f).as_posix() not in files]
    return sorted(found)


def read_marker(out: Path) -> dict:
    """The marker of the build in ``out`` ({} when there is none); ValueError when it is unreadable.

    Parameters
    ----------
    out : str or pathlib.Path
        A folder the build may have written.

    Returns
    -------
    dict
        The parsed :data:`MARKER`: ``files`` (relative path → SHA-256), ``dirs``, and what the build wrote
        beside them (``inputs``, ``units``, ``stale``); {} when ``out`` has no marker.
    """
    try:
        marker = json.loads((Path(out) / MARKER).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        marker = None
    if not isinstance(marker, dict) or not isinstance(marker.get("files"), dict):
        raise ValueError(
            f"--out {out}: its build marker {MARKER} is unreadable; the build cannot tell its own files "
            "from others', so it writes nothing there"
        )
    return marker


def unit_files(marker: dict, unit: str) -> list[str]:
    """The files a marker lists under one unit's folder.

    Parameters
    ----------
    marker : dict
        A build's marker (:func:`read_marker`).
    unit : str
        A unit of the build: a top-level folder of the out folder (a release year, ``analyses``).

    Returns
    -------
    list of str
        The relative paths of the unit's files, in the marker's order.

    Examples
    --------
    >>> unit_files({"files": {"2023/report.html": "…", "2023x/a.png": "…", "index.html": "…"}}, "2023")
    ['2023/report.html']
    """
    return [f for f in marker.get("files", {}) if f.startswith(unit + "/")]


def complete(out: Path, marker: dict, unit: str | None = None) -> bool:
    """Whether every file the marker lists (for ``unit``, or all) is on disk.

    Parameters
    ----------
    out : pathlib.Path
        The built folder.
    marker : dict
        Its marker (:func:`read_marker`).
    unit : str, optional
        One unit's folder (:func:`unit_files`); None checks every file.

    Returns
    -------
    bool
        True when the marker lists at least one such file and all of them exist.
    """
    files = unit_files(marker, unit) if unit is not None else list(marker.get("files", {}))
    return bool(files) and all((Path(out) / f).is_file() for f in files)


# --------------------------------------------------------------------------------------------- the claim


class Claim:
    """A build's hold on its out folder: the lock, the previous build's marker, the staging tree.

    ``acquire()`` raises ValueError (one line) when another build holds the folder, or when the folder
    holds what the build did not write; call it before any kernel starts. Used as a context manager, it is
    acquired on entry and released on exit.

    Parameters
    ----------
    out : str or pathlib.Path
        The out folder (resolved; its parent holds the lock, staging, old and trash folders).
    protect : iterable of str or pathlib.Path, optional
        Further data folders :func:`check_target` refuses.
    """

    def __init__(self, out, protect=()):
        self.out = Path(out).resolve()
        self.parent, self.name = self.out.parent, self.out.name
        self.protect = list(protect)
        self.previous: dict = {}
        self._fd: int | None = None

    def sibling(self, kind: str, pid: int | None = None) -> Path:
        """The path of one of the build's working folders beside the out folder: ``.<name>.<kind>-<pid>``.

        Parameters
        ----------
        kind : str
            ``"staging"``, ``"old"`` or ``"trash"`` (:data:`KINDS`).
        pid : int, optional
            The build's process id; None for this process.

        Returns
        -------
        pathlib.Path
        """
        return self.parent / f".{self.name}.{kind}-{os.getpid() if pid is None else pid}"

    @property
    def lock_path(self) -> Path:
        """The lock file beside the out folder, ``.<name>.lock``, naming the holder's pid."""
        return self.parent / f".{self.name}.lock"

    def acquire(self) -> Claim:
        """Take the folder: refuse a forbidden target, lock it, clear dead builds' leftovers, read its marker.

        The previous build's marker lands in :attr:`previous` ({} for a new or empty folder).

        Returns
        -------
        Claim
            This claim, held.

        Raises
        ------
        ValueError
            One line: the target is refused (:func:`check_target`), another build holds the lock, or the
            folder holds what the build did not write.
        """
        check_target(self.out, self.protect)
        self.parent.mkdir(parents=True, exist_ok=True)
        self._lock()
        try:
            self._remove_leftovers()
            self.previous = self._previous()
        except BaseException:
            self.release()
            raise
        return self

    def __enter__(self) -> Claim:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()

    def _lock(self) -> None:
        while True:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
                os.close(fd)
                raise ValueError(
                    f"another build (pid {holder}) is writing {self.out}; wait until it ends (lock: {self.lock_path})"
                ) from None
            try:  # the holder before us may have removed the lock file between our open and our lock
                same = os.stat(self.lock_path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        """Let the folder go: remove the lock file and close it (nothing when not held)."""
        if self._fd is None:
            return
        try:
            os.unlink(self.lock_path)
        except FileNotFoundError:
            pass
        os.close(self._fd)
        self._fd = None

    def _remove_leftovers(self) -> None:
        """What killed builds of this folder left: their staging trees and old trees. An old tree with no
        ``out`` beside it is a complete previous build caught between two renames: it is put back."""
        for p in sorted(self.parent.glob(f".{glob.escape(self.name)}.*-*")):
            kind, _, pid = p.name[len(self.name) + 2 :].rpartition("-")
            if kind not in KINDS or not pid.isdigit() or int(pid) == os.getpid():
                continue
            if kind == "old" and not self.out.exists():
                os.rename(p, self.out)
            elif kind == "old":
                discard(p)  # kept, not deleted, if something the build did not write is in it
            else:
                _remove(p)

    def _previous(self) -> dict:
        out = self.out
        if not out.exists() or not any(out.iterdir()):
            return {}
        marker = read_marker(out)
        if not marker:
            raise ValueError(
                f"--out {out} is not empty and was not written by the build (no {MARKER}): the build "
                "writes only into a new or empty folder, or one it wrote before"
            )
        foreign = foreign_entries(out, marker)
        if foreign:
            more = f" (and {len(foreign) - 1} more)" if len(foreign) > 1 else ""
            raise ValueError(
                f"{out / foreign[0]}{more} was not written by the build; move it out of {out} "
                "(the build replaces the whole folder and deletes only its own files)"
            )
        return marker

    def stage(self) -> Path:
        """A new, empty staging folder beside the out folder (a leftover one of this pid is removed first).

        Returns
        -------
        pathlib.Path
            ``.<name>.staging-<pid>``, where the build assembles the new tree.
        """
        staging = self.sibling("staging")
        _remove(staging)
        staging.mkdir()
        return staging


# --------------------------------------------------------------------------------------------- trees


def carry(out: Path, staging: Path, marker: dict, unit: str) -> bool:
    """Carry the previous build's ``unit`` into the staging tree, by hard link (a copy where linking fails).

    The build does this for each unit whose input digest is unchanged, instead of running its notebooks.

    Parameters
    ----------
    out : pathlib.Path
        The out folder, holding the previous build.
    staging : pathlib.Path
        The staging tree (:meth:`Claim.stage`).
    marker : dict
        The previous build's marker (:attr:`Claim.previous`).
    unit : str
        The unit's folder (:func:`unit_files`).

    Returns
    -------
    bool
        True when carried; False (nothing done) when the unit is not complete on disk.
    """
    if not complete(out, marker, unit):
        return False
    for d in marker.get("dirs", []):
        if d == unit or d.startswith(unit + "/"):
            (staging / d).mkdir(parents=True, exist_ok=True)
    for f in unit_files(marker, unit):
        try:
            os.link(out / f, staging / f)
        except OSError:
            shutil.copy2(out / f, staging / f)
    return True


def write_marker(staging: Path, **info) -> dict:
    """Write the marker of the staged tree: ``info`` plus every file (SHA-256) and folder in it.

    Parameters
    ----------
    staging : pathlib.Path
        The staged tree, complete; the marker is written into it as :data:`MARKER`.
    **info
        What the build records beside the files: ``inputs`` (the tree's input digest, None when a report is
        stale), ``units`` (each unit's digest) and ``stale`` (each stale report and why).

    Returns
    -------
    dict
        The marker written.
    """
    files, dirs = {}, []
    for root, dnames, fnames in os.walk(staging):
        rel = Path(root).relative_to(staging)
        dirs += [(rel / d).as_posix() for d in dnames]
        for f in fnames:
            files[(rel / f).as_posix()] = hashlib.sha256((Path(root) / f).read_bytes()).hexdigest()
    files.pop(MARKER, None)
    marker = {**info, "files": dict(sorted(files.items())), "dirs": sorted(dirs)}
    (staging / MARKER).write_text(json.dumps(marker, sort_keys=True, indent=1) + "\n", encoding="utf-8")
    return marker


def exchange(a: Path, b: Path) -> None:
    """Swap two folders atomically (Linux ``renameat2`` with ``RENAME_EXCHANGE``).

    Parameters
    ----------
    a, b : pathlib.Path
        The two folders; after the call each is at the other's path.

    Raises
    ------
    OSError
        ENOSYS where the C library has no such call, EINVAL where the file system does not support it, or
        the call's own error.
    """
    fn = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if fn is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available", str(a))
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(a), None, str(b))


class ForeignEntry(OSError):
    """Something the build did not write appeared in the out folder while the build ran."""


def switch(staging: Path, out: Path, previous: dict | None = None) -> Path | None:
    """Put the staged tree at ``out`` in one step; return where the previous tree now is (to delete).

    ``previous``: the marker of the tree in ``out``. Anything the build did not write that appeared in
    ``out`` while it ran (checked again here, just before the switch) stops the switch with
    :class:`ForeignEntry`: the reports are not switched and nothing is moved.

    ``out`` missing: one rename. ``out`` an empty folder someone made (no marker): the staged entries are
    moved into it, marker first (there is no earlier build a reader could be reading). Otherwise one atomic
    exchange, or two renames where it is unavailable (see the module's docstring).

    Parameters
    ----------
    staging : pathlib.Path
        The staged tree, marker written (:func:`write_marker`).
    out : pathlib.Path
        The out folder.
    previous : dict, optional
        The marker of the tree in ``out``; None reads it from ``out``.

    Returns
    -------
    pathlib.Path or None
        Where the previous tree (or the emptied staging folder) now is, for :func:`discard`; None when
        ``out`` did not exist.

    Raises
    ------
    ForeignEntry
        Something the build did not write is in ``out``.
    """
    if not out.exists():
        os.rename(staging, out)
        return None
    foreign = foreign_entries(out, previous or read_marker(out))
    if foreign:
        raise ForeignEntry(
            errno.EEXIST,
            f"{out / foreign[0]} appeared in the out folder during the build and was "
            "not written by it; move it out and build again",
        )
    if not (out / MARKER).exists():
        os.rename(staging / MARKER, out / MARKER)
        for p in sorted(staging.iterdir(), key=lambda p: (p.name == "index.html", p.name)):
            os.rename(p, out / p.name)
        return staging
    try:
        exchange(staging, out)
        return staging
    except OSError as exc:
        if exc.errno not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    os.rename(out, old)
    try:
        os.rename(staging, out)
    except BaseException:
        os.rename(old, out)
        raise
    return old


def discard(path: Path | None) -> None:
    """Delete a tree of the build's own (the previous tree after the switch, or a staging tree).

    An old tree is renamed to trash first: a build killed while deleting it leaves nothing the next would
    restore. A tree holding something the build did not write (saved into the out folder during the switch)
    is kept, renamed ``.kept-<pid>``, with a warning on stderr.

    Parameters
    ----------
    path : pathlib.Path or None
        The tree; nothing is done when it is None or missing.
    """
    if path is None or not path.exists():
        return
    if (path / MARKER).exists():
        # saved into the folder in the instant between the last check and the exchange: kept, never deleted
        foreign = foreign_entries(path, read_marker(path))
        if foreign:
            kind = next((k for k in KINDS if f".{k}-" in path.name), None)
            kept = path.with_name(path.name.replace(f".{kind}-", ".kept-") if kind else path.name + ".kept")
            os.rename(path, kept)
            print(
                f"warning: {foreign[0]} appeared in the out folder during the switch; the previous tree with it "
                f"is kept in {kept}",
                file=sys.stderr,
            )
            return
    if ".old-" in path.name:
        trash = path.with_name(path.name.replace(".old-", ".trash-"))
        os.rename(path, trash)
        path = trash
    _remove(path)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink()
