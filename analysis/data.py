"""The one loader: ``load(data_dir)`` returns a validated :class:`Dataset` or raises :class:`DataError`.

Validation runs in three stages, all reported at once:

1. :mod:`analysis.reading`: files, encoding, columns, types, allowed values, keys (pandera);
2. :mod:`analysis.rules`: named rules across rows and tables (references, taxonomy, evidence), and
   agreement between sources stating the same fact;
3. :func:`analysis.claims.reconciliation_problems`: figures that should add up do.

A dataset knows when each fact became known: :meth:`Dataset.as_known_at` keeps only the sources
published by a date (a *vintage*), which is what a report about a past release must use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .config import CACHE_ENV, DATA_DIR, default_data_dir
from .reading import read_frames
from .rules import check_rules, resolve_sources, source_dates
from .schema import TABLES, DataError, Problem

__all__ = ["DATA_DIR", "DataError", "Dataset", "Problem", "check_source_texts", "default_data_dir", "load", "summary"]

Date = tuple[int, int, int]


@dataclass
class Dataset:
    """The typed tables of one data directory. Each frame's index is the CSV line number.

    ``tables`` holds one row per fact (agreeing sources merged); ``rows`` every row as written, so
    that a vintage can be re-resolved from the sources it keeps. ``as_of`` is None for all sources.
    """

    data_dir: Path
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    rows: dict[str, pd.DataFrame] = field(default_factory=dict)
    as_of: Date | None = None
    #: results of pure functions of this dataset (periods, totals), computed once (see metrics.per_dataset)
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    @property
    def conference_years(self) -> list[int]:
        return sorted(int(y) for y in self.tables["conferences"]["year"].unique())

    @property
    def source_dates(self) -> dict[str, Date]:
        return source_dates(self.tables["sources"])

    def as_known_at(self, date: Date) -> "Dataset":
        """The dataset as it stood on ``date``: only sources published by then (a vintage)."""
        known = {s for s, d in source_dates(self.rows["sources"]).items() if d <= tuple(date)}
        rows = {}
        for name, frame in self.rows.items():
            col = "source_id"
            rows[name] = frame[frame[col].isin(known)] if col in frame and name != "sources" else frame
        rows["sources"] = self.rows["sources"][self.rows["sources"]["source_id"].isin(known)]
        tables, _ = resolve_sources(rows)
        return Dataset(self.data_dir, tables, rows, as_of=tuple(date))


#: Set by the build in its warm kernels: a data directory whose files did not change is loaded once per
#: kernel (the dataset is read-only; the notebooks' outputs are the bytes a fresh kernel gives, which a
#: test checks). Elsewhere (JupyterLab, the command line) every ``load`` reads the files again.
_loaded: dict[tuple, tuple[Dataset, int]] = {}


def _fingerprint(ds: Dataset) -> int:
    """A hash of every value of every frame: a cached dataset that a notebook changed is not reused."""
    frames = [*ds.tables.values(), *ds.rows.values()]
    return hash(tuple(int(pd.util.hash_pandas_object(f, index=True).sum()) for f in frames))


def load(data_dir: str | Path | None = None) -> Dataset:
    data_dir = default_data_dir() if data_dir is None else Path(data_dir)
    if os.environ.get(CACHE_ENV) == "1" and data_dir.is_dir():
        key = (str(data_dir.resolve()), tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(data_dir.glob("*.csv"))))
        hit = _loaded.get(key)
        if hit is None or _fingerprint(hit[0]) != hit[1]:
            _loaded.clear()
            ds = _load(data_dir)
            _loaded[key] = hit = (ds, _fingerprint(ds))
        return hit[0]
    return _load(data_dir)


def _load(data_dir: Path) -> Dataset:
    problems: list[Problem] = []
    if not data_dir.is_dir():
        why = "is a file, not a data directory" if data_dir.exists() else "data directory does not exist"
        raise DataError([Problem(str(data_dir), None, None, why)])
    frames = read_frames(data_dir, TABLES, problems)
    if frames is None:
        raise DataError(problems)
    problems += check_rules(frames)
    tables, disagreements = resolve_sources(frames)
    problems += disagreements
    ds = Dataset(data_dir=data_dir, tables=tables, rows=frames)
    from .claims import reconciliation_problems

    try:
        found = reconciliation_problems(ds)
    except Exception:
        if not problems:
            raise
        found = []  # the tables are too broken to reconcile; the problems above say why
    seen = {(p.file, p.line, p.column) for p in problems}
    problems += [p for p in found if (p.file, p.line, p.column) not in seen]
    if problems:
        raise DataError(problems)
    return ds


def check_source_texts(ds: Dataset, sources_dir: str | Path) -> tuple[list[Problem], list[str]]:
    """Every evidence fragment against a local copy of its article, ``<sources_dir>/<source_id>.txt``.

    The repository keeps facts, not articles; an analyst who has the texts can verify that each
    fragment is quoted verbatim. Returns the problems (fragments not found) and notes (sources
    without a local copy, which are skipped).
    """
    sources_dir = Path(sources_dir)
    if not sources_dir.is_dir():
        raise DataError([Problem(str(sources_dir), None, None, "--sources must be a directory of <source_id>.txt files")])
    texts = {}
    notes = []
    for sid in sorted(ds.rows["sources"]["source_id"].dropna()):
        path = sources_dir / f"{sid}.txt"
        if path.is_file():
            texts[sid] = path.read_text(encoding="utf-8-sig")
        else:
            notes.append(f"{sid}: no local copy ({path.name}); its fragments were not compared")
    problems = []
    for name, frame in ds.rows.items():
        if "evidence" not in frame:
            continue
        for line, row in frame.iterrows():
            text = texts.get(row["source_id"])
            if text is not None and pd.notna(row["evidence"]) and row["evidence"] not in text:
                problems.append(Problem(TABLES[name].filename, int(line), "evidence",
                                        f"evidence '{row['evidence']}' is not found verbatim in {sources_dir / (row['source_id'] + '.txt')}"))
    return problems, notes


def summary(ds: Dataset) -> str:
    """One line for a clean check."""
    n_rows = sum(len(t) for t in ds.rows.values())
    years = ds.conference_years
    return (
        f"{ds.data_dir}: OK: {len(ds.tables)} tables, {n_rows} rows, "
        f"conferences {years[0]}–{years[-1]}, {len(ds['sources'])} source(s)"
    )
