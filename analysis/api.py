"""The public face: what an analyst imports (``from analysis import load, compute``).

``load`` is the one door to the data: the data layer reads and checks the files
(:func:`analysis.data.dataset.read`), the claims ledger of the statistics layer reconciles the published
figures that should add up (:func:`analysis.stats.claims.ledger`, its failures worded by
:func:`analysis.present.facts.reconciliation_problems`), and every problem is reported at once.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from .core.config import CACHE_ENV, default_data_dir
from .data.dataset import Dataset, read
from .data.schema import DataError
from .present.facts import reconciliation_problems

__all__ = ["DataError", "Dataset", "load"]

#: Set by the build in its warm kernels: a data directory whose files did not change is loaded once per
#: kernel (the dataset is read-only; the notebooks' outputs are the bytes a fresh kernel gives, which a
#: test checks). Elsewhere (JupyterLab, the command line) every ``load`` reads the files again.
_loaded: dict[tuple, tuple[Dataset, bytes]] = {}


def _fingerprint(ds: Dataset) -> bytes:
    """A digest of every frame's pickle (values, index, column names, dtypes, attrs): a cached dataset that a
    notebook changed is not reused. About 1 ms for data/ (``pd.util.hash_pandas_object`` took 16 ms and
    missed a renamed column)."""
    frames = [*ds.tables.values(), *ds.rows.values()]
    return hashlib.blake2b(pickle.dumps(frames, protocol=pickle.HIGHEST_PROTOCOL)).digest()


def load(data_dir: str | Path | None = None) -> Dataset:
    """The validated dataset of ``data_dir``, or :class:`DataError` listing every problem.

    The one door to the data: the files are read and checked (schema, rules), the published figures that
    should add up are reconciled, and every problem is reported at once (file, line, column, message).

    Parameters
    ----------
    data_dir : str or pathlib.Path, optional
        A folder of the CSV files (default: ``$ANALYSIS_DATA_DIR``, else the repository's data/).

    Returns
    -------
    Dataset
        The typed tables, one row per fact.

    Raises
    ------
    DataError
        With every problem found.

    Examples
    --------
    >>> from analysis import load
    >>> ds = load()
    >>> ds.conference_years == sorted(int(y) for y in ds["conferences"]["year"])
    True
    >>> load("no/such/folder")
    Traceback (most recent call last):
    ...
    analysis.data.schema.DataError: no/such/folder: data directory does not exist
    """
    data_dir = default_data_dir() if data_dir is None else Path(data_dir)
    if os.environ.get(CACHE_ENV) == "1" and data_dir.is_dir():
        key = (
            str(data_dir.resolve()),
            tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(data_dir.glob("*.csv"))),
        )
        hit = _loaded.get(key)
        if hit is None or _fingerprint(hit[0]) != hit[1]:
            _loaded.clear()
            ds = _load(data_dir)
            _loaded[key] = hit = (ds, _fingerprint(ds))
        return hit[0]
    return _load(data_dir)


def _load(data_dir: Path) -> Dataset:
    ds, problems = read(data_dir)
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
