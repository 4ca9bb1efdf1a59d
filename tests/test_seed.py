"""The suite's shared build starts from the repository's reports/ (tests/conftest.py): only the files whose bytes
the build's marker records are taken, with the marker, so the build run over them carries what is intact and
builds the rest again."""

from __future__ import annotations

import hashlib
import json

from analysis.pipeline import outdir

from .conftest import _seed_from_reports


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_only_files_still_as_built_are_taken_with_the_marker(tmp_path):
    reports, out = tmp_path / "reports", tmp_path / "out"
    (reports / "2023" / "figures").mkdir(parents=True)
    kept, edited = b"<p>as built</p>", b"<p>as built, then edited</p>"
    (reports / "2023" / "report.html").write_bytes(kept)
    (reports / "2023" / "figures" / "a.png").write_bytes(edited)
    (reports / "stray.html").write_bytes(b"not the build's")
    marker = {
        "files": {
            "2023/report.html": _sha(kept),
            "2023/figures/a.png": _sha(b"<p>as built</p>!"),  # edited since the build
            "2023/gone.csv": _sha(b"x"),  # deleted since the build
        },
        "dirs": ["2023", "2023/figures"],
        "inputs": "digest",
    }
    (reports / outdir.MARKER).write_text(json.dumps(marker), encoding="utf-8")
    before = sorted(p.relative_to(reports).as_posix() for p in reports.rglob("*"))

    assert _seed_from_reports(out, reports) == 1
    assert (out / "2023" / "report.html").read_bytes() == kept
    assert not (out / "2023" / "figures" / "a.png").exists() and not (out / "2023" / "gone.csv").exists()
    assert not (out / "stray.html").exists()
    assert outdir.read_marker(out) == marker
    # so the build sees the unit incomplete (it runs it again) and nothing foreign beside it
    assert not outdir.complete(out, marker, "2023") and outdir.foreign_entries(out, marker) == []
    assert sorted(p.relative_to(reports).as_posix() for p in reports.rglob("*")) == before  # only read


def test_nothing_is_taken_without_a_readable_marker(tmp_path):
    reports, out = tmp_path / "reports", tmp_path / "out"
    reports.mkdir()
    (reports / "index.html").write_bytes(b"<p>x</p>")
    assert _seed_from_reports(out, reports) == 0 and not out.exists()
    (reports / outdir.MARKER).write_text("{not json", encoding="utf-8")
    assert _seed_from_reports(out, reports) == 0 and not out.exists()
    assert _seed_from_reports(out, tmp_path / "no-such-folder") == 0 and not out.exists()
