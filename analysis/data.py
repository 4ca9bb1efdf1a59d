"""The one loader: ``load(data_dir)`` returns a validated :class:`Dataset` or raises :class:`DataError`.

Validation is in two stages, both reported in full:

1. :func:`analysis.schema.read_dataset`: files, encoding, columns, types, allowed values, keys,
   references, taxonomy coverage, agreement between sources;
2. :func:`analysis.claims.reconciliation_problems`: figures that should add up do.
"""

from __future__ import annotations

from pathlib import Path

from .claims import reconciliation_problems
from .schema import DataError, Dataset, Problem, read_dataset

__all__ = ["DEFAULT_DATA_DIR", "DataError", "Dataset", "Problem", "load", "summary"]

#: data/ next to the package (the repository layout); callers pass another directory to override.
DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def load(data_dir: str | Path | None = None) -> Dataset:
    problems: list[Problem] = []
    ds = read_dataset(DEFAULT_DATA_DIR if data_dir is None else data_dir, problems)
    if ds is not None:
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


def summary(ds: Dataset) -> str:
    """One line for a clean check."""
    n_rows = sum(len(t) for t in ds.tables.values())
    years = ds.conference_years
    return (
        f"{ds.data_dir}: OK: {len(ds.tables)} tables, {n_rows} rows, "
        f"conferences {years[0]}–{years[-1]}, {len(ds['sources'])} source(s)"
    )
