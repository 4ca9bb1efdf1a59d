"""The data layer's reader: ``read(data_dir)`` returns a :class:`Dataset` and the problems found in it.

The public loader, :func:`analysis.load`, validates in three stages, all reported at once:

1. :mod:`analysis.data.reading`: files, encoding, columns, types, allowed values, keys (pandera);
2. :mod:`analysis.data.rules`: named rules across rows and tables (references, taxonomy, evidence), and
   agreement between sources stating the same fact;
3. :func:`analysis.present.facts.reconciliation_problems`: figures that should add up do.

A dataset knows when each fact became known: :meth:`Dataset.as_known_at` keeps only the sources
published by a date (a *vintage*), which is what a report about a past release must use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..core.config import DATA_DIR, default_data_dir
from .reading import read_frames
from .rules import check_rules, resolve_sources, source_dates
from .schema import TABLES, DataError, Problem

__all__ = ["DATA_DIR", "DataError", "Dataset", "Problem", "check_source_texts", "default_data_dir", "read", "summary"]

Date = tuple[int, int, int]


@dataclass
class Dataset:
    """The typed tables of one data directory; each frame's index is the CSV line number.

    ``tables`` holds one row per fact (agreeing sources merged); ``rows`` every row as written, so that a
    vintage can be re-resolved from the sources it keeps. Made by :func:`analysis.load` (or :func:`read`).

    Parameters
    ----------
    data_dir : pathlib.Path
        The folder the CSV files were read from.
    tables : dict of str to pandas.DataFrame
        One frame per table, one row per fact.
    rows : dict of str to pandas.DataFrame
        One frame per table, every row of every source.
    as_of : tuple of (int, int, int) or None
        The date of the vintage (year, month, day), None for all sources.
    cache : dict
        Results of pure functions of this dataset, computed once (see ``metrics.per_dataset``).

    Examples
    --------
    >>> from analysis import load
    >>> ds = load()
    >>> sorted(ds.tables)
    ['claims', 'conferences', 'details', 'landing', 'named_projects', 'signings', 'sources', 'taxonomy']
    >>> ds["conferences"] is ds.tables["conferences"], ds.as_of is None
    (True, True)
    """

    data_dir: Path
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    rows: dict[str, pd.DataFrame] = field(default_factory=dict)
    as_of: Date | None = None
    #: results of pure functions of this dataset (periods, totals), computed once (see metrics.per_dataset)
    cache: dict = field(default_factory=dict, repr=False, compare=False)
    #: the frames of each vintage (:meth:`as_known_at`) by date, resolved once; handed out as copies
    _vintages: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    @property
    def conference_years(self) -> list[int]:
        """The years with a conference, in order."""
        return sorted(int(y) for y in self.tables["conferences"]["year"].unique())

    @property
    def source_dates(self) -> dict[str, Date]:
        """Publication date ``(year, month, day)`` of every source by ``source_id`` (0 for an unknown part)."""
        return source_dates(self.tables["sources"])

    def as_known_at(self, date: Date) -> Dataset:
        """The dataset as it stood on ``date``: only sources published by then (a vintage).

        Parameters
        ----------
        date : tuple of (int, int, int)
            ``(year, month, day)``.

        Returns
        -------
        Dataset
            A new dataset of the sources published by ``date``, agreeing sources merged again.

        Notes
        -----
        The frames of a date are resolved once per dataset (a dataset is never changed after loading) and
        each call hands out a new :class:`Dataset` of shallow copies of them, with an empty ``cache``:
        pandas copies on write, so editing what one call returns never changes what the next returns.

        Examples
        --------
        >>> from analysis import load
        >>> ds = load()
        >>> old = ds.as_known_at((2021, 12, 31))
        >>> old.as_of, len(old["sources"]) < len(ds["sources"])
        ((2021, 12, 31), True)
        """
        date = tuple(date)
        if date not in self._vintages:
            known = {s for s, d in source_dates(self.rows["sources"]).items() if d <= date}
            rows = {}
            for name, frame in self.rows.items():
                col = "source_id"
                rows[name] = frame[frame[col].isin(known)] if col in frame and name != "sources" else frame
            rows["sources"] = self.rows["sources"][self.rows["sources"]["source_id"].isin(known)]
            tables, _ = resolve_sources(rows)
            self._vintages[date] = (tables, rows)
        tables, rows = self._vintages[date]
        copies: dict[int, pd.DataFrame] = {}  # one copy per frame: a table that is its rows stays one frame

        def copy(frame: pd.DataFrame) -> pd.DataFrame:
            if id(frame) not in copies:
                copies[id(frame)] = frame.copy(deep=False)
            return copies[id(frame)]

        return Dataset(
            self.data_dir,
            {k: copy(v) for k, v in tables.items()},
            {k: copy(v) for k, v in rows.items()},
            as_of=date,
        )


#: the tables of facts restated across sources (their rows are compared, never referred to by other tables)
_FACT_TABLES = ("signings", "landing")


def read(data_dir: Path) -> tuple[Dataset, list[Problem]]:
    """The tables of ``data_dir`` checked against the schema and the rules (stages 1 and 2).

    The public loader, :func:`analysis.load`, adds stage 3 and raises on any problem.

    Parameters
    ----------
    data_dir : pathlib.Path
        A folder of the CSV files of :data:`analysis.data.schema.TABLES`.

    Returns
    -------
    tuple of (Dataset, list of Problem)
        The dataset and every problem found.

    Raises
    ------
    DataError
        Only when the files cannot be read as tables at all.

    Examples
    --------
    >>> from analysis.core.config import DATA_DIR
    >>> ds, problems = read(DATA_DIR)
    >>> problems
    []
    """
    problems: list[Problem] = []
    if not data_dir.is_dir():
        why = "is a file, not a data directory" if data_dir.exists() else "data directory does not exist"
        raise DataError([Problem(str(data_dir), None, None, why)])
    frames = read_frames(data_dir, TABLES, problems)
    if frames is None:
        raise DataError(problems)
    # the rules and the sources' reconciliation read only the fact rows the schema accepts: a signings or landing
    # row with a missing required cell or a value outside its column's domain is reported once, by the schema,
    # with its file, line and column (no other table refers to these rows, so setting one aside hides nothing)
    refused = {(p.file, p.line) for p in problems if p.line is not None}
    if refused:
        for name in _FACT_TABLES:
            df = frames[name]
            frames[name] = df.drop(index=[i for i in df.index if (TABLES[name].filename, i) in refused])
    problems += check_rules(frames)
    tables, disagreements = resolve_sources(frames)
    problems += disagreements
    return Dataset(data_dir=data_dir, tables=tables, rows=frames), problems


def check_source_texts(ds: Dataset, sources_dir: str | Path) -> tuple[list[Problem], list[str]]:
    """Every evidence fragment against a local copy of its article, ``<sources_dir>/<source_id>.txt``.

    The repository keeps facts, not articles; an analyst who has the texts can verify that each fragment is
    quoted verbatim.

    Parameters
    ----------
    ds : Dataset
        The dataset whose ``evidence`` cells are checked.
    sources_dir : str or pathlib.Path
        A folder of ``<source_id>.txt`` files; a source without one is skipped.

    Returns
    -------
    tuple of (list of Problem, list of str)
        The problems (fragments not found) and notes (sources without a local copy).

    Raises
    ------
    DataError
        When ``sources_dir`` is not a directory.
    """
    sources_dir = Path(sources_dir)
    if not sources_dir.is_dir():
        raise DataError(
            [Problem(str(sources_dir), None, None, "--sources must be a directory of <source_id>.txt files")]
        )
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
                problems.append(
                    Problem(
                        TABLES[name].filename,
                        int(line),
                        "evidence",
                        f"evidence '{row['evidence']}' is not found verbatim in {sources_dir / (row['source_id'] + '.txt')}",
                    )
                )
    return problems, notes


def summary(ds: Dataset) -> str:
    """One line for a clean check: the folder, tables, rows, conference years and sources.

    Parameters
    ----------
    ds : Dataset
        A dataset that passed every check.

    Returns
    -------
    str
        The line ``python -m analysis check`` prints.

    Examples
    --------
    >>> from analysis import load
    >>> summary(load())
    '.../data: OK: 8 tables, ... rows, conferences ...–..., ... source(s)'
    """
    n_rows = sum(len(t) for t in ds.rows.values())
    years = ds.conference_years
    return (
        f"{ds.data_dir}: OK: {len(ds.tables)} tables, {n_rows} rows, "
        f"conferences {years[0]}–{years[-1]}, {len(ds['sources'])} source(s)"
    )
