"""The out folder without kernels: the folders the build refuses to own (before any kernel starts, nothing
touched), the lock, the leftovers of killed builds, the switch with and without the atomic exchange; and a
reader of ``metrics`` that goes away (no traceback)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.pipeline import build as B
from analysis.pipeline import outdir
from analysis.pipeline.cli import main

from .conftest import DATA, ROOT


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else b"/") for p in sorted(folder.rglob("*"))
    }


def _built(folder: Path, files: dict[str, str]) -> Path:
    """A folder as a build leaves it: ``files`` and a marker listing them."""
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
    outdir.write_marker(folder, inputs=None, units={}, stale={})
    return folder


@pytest.fixture
def no_kernels(monkeypatch):
    """Fail the test if the build gets as far as starting a kernel."""

    def refuse(*args, **kwargs):
        raise AssertionError("a kernel started")

    monkeypatch.setattr(B, "KernelPool", refuse)


def _refused(args: list[str], capsys) -> str:
    rc = main(["build", *args])
    err = capsys.readouterr().err
    assert rc == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err


@pytest.mark.parametrize(
    "where,fragment",
    [
        ("/", "is the root folder"),
        ("HOME", "is the home folder"),
        ("HOME/..", "which is the home folder"),
        (str(ROOT), "is the repository"),
        (str(DATA), "is a data folder"),
        (str(DATA / "reports"), "is inside the data folder"),
    ],
)
def test_build_refuses_folders_it_must_never_own(where, fragment, tmp_path, monkeypatch, capsys, no_kernels):
    home = tmp_path / "home" / "user"
    home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    out = where.replace("HOME", str(home))
    before = _tree(Path(out)) if Path(out) not in (Path("/"), ROOT) else None  # (too big to read)
    assert fragment in _refused(["--out", out], capsys)
    if before is not None:
        assert _tree(Path(out)) == before


def test_build_refuses_the_data_folder_it_reads_and_its_parents(data_copy, capsys, no_kernels):
    for out in (data_copy, data_copy.parent):
        before = _tree(data_copy)
        assert "is a data folder" in _refused(["--data", str(data_copy), "--out", str(out)], capsys)
        assert _tree(data_copy) == before


def test_build_refuses_a_folder_it_did_not_write(tmp_path, capsys, no_kernels):
    """An earlier folder of someone's (no marker), and a built folder with a file added: refused by name;
    nothing moved or deleted."""
    theirs = tmp_path / "theirs"
    (theirs / "2023").mkdir(parents=True)
    (theirs / "2023" / "notes.txt").write_text("mine", encoding="utf-8")
    before = _tree(theirs)
    assert "is not empty and was not written by the build (no .build.json)" in _refused(["--out", str(theirs)], capsys)
    assert _tree(theirs) == before
    built = _built(tmp_path / "built", {"index.html": "x", "2023/report.html": "y"})
    (built / "2023" / "figures").mkdir()
    (built / "2023" / "figures" / "mine.png").write_bytes(b"png")
    (built / "notes.txt").write_text("mine", encoding="utf-8")
    before = _tree(built)
    err = _refused(["--out", str(built)], capsys)
    assert f"{built.resolve() / '2023/figures/'} (and 1 more) was not written by the build; move it out" in err
    assert _tree(built) == before
    (built / outdir.MARKER).write_text("{not json", encoding="utf-8")
    assert "its build marker .build.json is unreadable" in _refused(["--out", str(built)], capsys)


def test_one_build_at_a_time_and_the_lock_names_its_holder(tmp_path):
    out = tmp_path / "reports"
    with outdir.Claim(out) as first:
        assert first.lock_path.read_text() == f"{os.getpid()}\n"
        msg = f"another build (pid {os.getpid()}) is writing {out.resolve()}; wait until it ends"
        with pytest.raises(ValueError, match=re.escape(msg)):
            outdir.Claim(out).acquire()
    assert not first.lock_path.exists()  # released and removed
    with outdir.Claim(out):
        pass


def test_leftovers_of_killed_builds_are_removed_or_put_back(tmp_path):
    """Staging and trash trees of other builds are removed; an old tree with no out folder (a build killed
    between the two renames of the fallback switch) is the previous build, put back."""
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    ).stdout.strip()
    out = _built(tmp_path / "reports", {"index.html": "current"})
    for kind in ("staging", "trash"):
        _built(tmp_path / f".reports.{kind}-{dead}", {"index.html": kind})
    other = _built(tmp_path / ".other.staging-1", {"index.html": "another folder's"})
    with outdir.Claim(out) as claim:
        assert claim.previous["files"].keys() == {"index.html"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.staging-1", "reports"] and other.exists()
    out.rename(tmp_path / f".reports.old-{dead}")
    with outdir.Claim(out):
        pass
    assert (out / "index.html").read_text() == "current" and sorted(p.name for p in tmp_path.iterdir()) == [
        ".other.staging-1",
        "reports",
    ]


@pytest.mark.parametrize("atomic", [True, False])
def test_the_switch_puts_the_new_tree_in_place_whole(tmp_path, monkeypatch, atomic):
    """With the exchange (Linux), and with two renames where it is unavailable."""
    if not atomic:

        def unavailable(a, b):
            raise OSError(38, "renameat2 is not available")  # ENOSYS

        monkeypatch.setattr(outdir, "exchange", unavailable)
    out = _built(tmp_path / "reports", {"index.html": "old", "2023/report.html": "old"})
    staging = _built(tmp_path / f".reports.staging-{os.getpid()}", {"index.html": "new", "2022/report.html": "new"})
    new = _tree(staging)
    old = outdir.switch(staging, out)
    assert _tree(out) == new and json.loads((old / outdir.MARKER).read_text())["files"].keys() == {
        "index.html",
        "2023/report.html",
    }
    outdir.discard(old)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]


def test_a_first_build_fills_an_empty_folder_it_did_not_make(tmp_path):
    out = tmp_path / "reports"
    out.mkdir(mode=0o750)
    staging = _built(tmp_path / ".reports.staging-1", {"index.html": "new", "2023/report.html": "new"})
    new = _tree(staging)
    outdir.discard(outdir.switch(staging, out))
    assert _tree(out) == new and (out.stat().st_mode & 0o777) == 0o750  # the same folder, filled
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]


def test_metrics_into_a_closed_pipe_exits_quietly():
    """``metrics | head``: the reader is gone before anything is written; no traceback, no "Exception
    ignored" at exit; the exit status is a writer's ended by SIGPIPE (141)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "analysis", "metrics", "--no-projection"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 141 and err == b""


def test_a_file_saved_into_the_out_folder_during_a_build_is_never_moved_or_deleted(tmp_path):
    """The folder is checked when the build claims it and again just before the switch: a file saved into it
    meanwhile stops the switch (nothing moved); one saved in the instant between the check and the exchange
    lands in the previous tree, which is then kept beside the folder instead of deleted."""
    out = _built(tmp_path / "reports", {"index.html": "old", "2023/report.html": "old"})
    before = _tree(out)
    (out / "my-notes.txt").write_text("mine")
    staging = _built(tmp_path / f".reports.staging-{os.getpid()}", {"index.html": "new"})
    with pytest.raises(outdir.ForeignEntry, match="my-notes.txt"):
        outdir.switch(staging, out)
    assert (out / "my-notes.txt").read_text() == "mine" and {
        k: v for k, v in _tree(out).items() if k != "my-notes.txt"
    } == before
    # the instant after the last check: the file is in the tree the exchange moved aside
    (out / "my-notes.txt").unlink()
    old = outdir.switch(staging, out)
    (old / "my-notes.txt").write_text("mine")
    outdir.discard(old)
    kept = [p for p in tmp_path.iterdir() if ".kept-" in p.name]
    assert len(kept) == 1 and (kept[0] / "my-notes.txt").read_text() == "mine"


def test_a_print_cut_into_two_messages_is_stored_as_one():
    """A kernel under load may send ``print("conferences.csv", digest)`` as two stream messages: the stored
    notebook joins consecutive pieces of one stream, so two builds give the same bytes; a display between
    two prints keeps them apart, and stdout never merges with stderr."""
    import nbformat

    from analysis.pipeline.kernels import clean_notebook

    def cell(*outs):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(...)", execution_count=1)])
        nb.cells[0].outputs = [
            nbformat.v4.new_output("stream", name=n, text=t)
            if n != "display"
            else nbformat.v4.new_output("display_data", data={"text/plain": t})
            for n, t in outs
        ]
        return clean_notebook(nb).cells[0].outputs

    whole = cell(("stdout", "conferences.csv 69d16ce0bbc3\n"))
    assert cell(("stdout", "conferences.csv"), ("stdout", " 69d16ce0bbc3\n")) == whole
    apart = cell(("stdout", "a\n"), ("display", "x"), ("stdout", "b\n"), ("stderr", "w\n"))
    assert [(o["output_type"], o.get("text")) for o in apart] == [
        ("stream", "a\n"),
        ("display_data", None),
        ("stream", "b\n"),
        ("stream", "w\n"),
    ]
