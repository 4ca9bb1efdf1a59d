"""The forecast record: forecasts archived as made (``forecasts/``), read back, validated and scored.

As forecast hubs keep submissions, every forecast the model makes from a release is written once into the
archive, one CSV file per forecast, and never rewritten: :func:`write` refuses a file that exists. A file
holds, on every row, what the forecast was made with — the package version and the code digest of the model
(:func:`analysis.stats.calibration.code_digest`), the data digest (a hash of exactly the observations the
fit used, :func:`data_digest`), the seed and the number of simulations, the through-year and the date of
the release it was made from, the date it was made, its kind (``forecast``: made at the time, when that
release was the latest; ``hindcast``: made later from the data of the time) — and one quantile of one target
(``projects``, ``investment_100m_yuan``: the yearly figures) of one year, at :data:`LEVELS` (the 23 levels
of the forecast hubs, 0.01 … 0.99 with 0.025 and 0.975). The quantiles are simulated values (inverted CDF),
so the 0.1/0.9 and 0.025/0.975 quantiles are the 80 % and 95 % intervals the reports print.

:func:`read` checks a file and names the file, row and column of the first fault. :func:`forecast_record`
scores every archived forecast against the figures published later — interval score at 80 % and 95 %, CRPS
and PIT, all from the stored quantiles (scoringrules' interval score, :func:`crps_from_quantiles`,
:func:`pit_from_quantiles`) — beside two baselines (constant rate, last value;
:func:`analysis.stats.calibration._baseline_sims`) and today's model refitted on the same data, all scored
from their quantiles at the same levels. A figure stated with a hedge ("about X") is scored at X, its stated
value; a figure not yet published is pending, not scored.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scoringrules as sr

from . import metrics
from . import model as mdl

__all__ = [
    "ArchiveError",
    "Forecast",
    "LEVELS",
    "TARGETS",
    "crps_from_quantiles",
    "data_digest",
    "facts",
    "forecast_record",
    "make",
    "pit_from_quantiles",
    "read",
    "read_archive",
    "summary",
    "write",
]

#: the quantile levels kept for every target and year (the forecast hubs' 23 levels)
LEVELS = (0.01, 0.025, *(round(0.05 * k, 2) for k in range(1, 20)), 0.975, 0.99)
#: the yearly figures a forecast gives quantiles for
TARGETS = ("projects", "investment_100m_yuan")
KINDS = ("forecast", "hindcast")
HORIZON = 3
#: what every row of a file says about the whole forecast, then what the row holds
META = ("package_version", "code_digest", "data_digest", "seed", "n_sims", "through", "release_date", "made", "kind")
COLUMNS = (*META, "target", "year", "horizon", "quantile", "value")
#: the forecasters of the record: the archived forecast, today's model refitted on its data, two baselines
FORECASTERS = ("archived", "today", "poisson", "last")
_DECIMALS = {"projects": 0, "investment_100m_yuan": 3}


class ArchiveError(ValueError):
    """A fault in an archive file, with the file, the row (its line, the header being line 1) and the column.

    Parameters
    ----------
    path : pathlib.Path or str
        The file.
    row : int or None
        The line of the file (None: the file as a whole).
    column : str or None
        The column.
    message : str
        What is wrong.

    Examples
    --------
    >>> str(ArchiveError("forecasts/2023-hindcast.csv", 4, "value", "not a number: 'x'"))
    "forecasts/2023-hindcast.csv:4: column 'value': not a number: 'x'"
    """

    def __init__(self, path, row: int | None, column: str | None, message: str):
        self.path, self.row, self.column, self.message = Path(path), row, column, message
        where = f"{path}:{row}" if row is not None else f"{path}"
        super().__init__(f"{where}: column '{column}': {message}" if column else f"{where}: {message}")


@dataclass(frozen=True)
class Forecast:
    """One forecast of the archive: what it was made with, and its quantiles.

    Parameters
    ----------
    meta : dict
        The values of :data:`META` (``through``, ``seed`` and ``n_sims`` whole numbers, the rest text).
    quantiles : pandas.DataFrame
        ``target``, ``year``, ``horizon``, ``quantile``, ``value``: one row per target, year and level.
    path : pathlib.Path, optional
        The file it was read from.
    """

    meta: dict
    quantiles: pd.DataFrame
    path: Path | None = None

    @property
    def filename(self) -> str:
        """The file's name in the archive: ``<through>-<kind>.csv``."""
        return f"{self.meta['through']}-{self.meta['kind']}.csv"

    def values(self, target: str, year: int) -> np.ndarray:
        """The quantiles of one target and year, at :data:`LEVELS`.

        Parameters
        ----------
        target : str
            One of :data:`TARGETS`.
        year : int
            A forecast year.

        Returns
        -------
        numpy.ndarray
        """
        q = self.quantiles
        return q[(q["target"] == target) & (q["year"] == year)].sort_values("quantile")["value"].to_numpy(float)

    def to_bytes(self) -> bytes:
        """The file's bytes: CSV, one row per target, year and level, in that order (deterministic).

        Returns
        -------
        bytes
        """
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(COLUMNS)
        head = [self.meta[k] for k in META]
        for r in self.quantiles.sort_values(["target", "year", "quantile"]).itertuples():
            value = f"{float(r.value):.{_DECIMALS[r.target]}f}"
            w.writerow([*head, r.target, int(r.year), int(r.horizon), f"{float(r.quantile):g}", value])
        return buf.getvalue().encode("utf-8")


# ------------------------------------------------------------------------------------------------ making


def data_digest(periods, statements) -> str:
    """A hash of exactly the observations a fit used (the periods with their hedges' bounds, the landing).

    Parameters
    ----------
    periods : list of analysis.stats.model.PeriodObs
        The periods' observations.
    statements : list of analysis.stats.model.LandingObs
        The landing statements' observations.

    Returns
    -------
    str
        16 hex digits.

    Examples
    --------
    >>> from analysis.stats.model import PeriodObs
    >>> data_digest([PeriodObs(2019, 2020, 85, None, 552.0, None)], []) == data_digest([], [])
    False
    """
    obs = {"periods": [asdict(p) for p in periods], "landing": [asdict(s) for s in statements]}
    text = json.dumps(obs, sort_keys=True, default=repr, allow_nan=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _as_interval_end(level: float) -> float:
    """A level as the end of the central interval it bounds is computed (``(1 - 0.95) / 2`` for 0.025), so that
    the stored quantiles are, to the last simulated value, the intervals the reports print
    (:func:`analysis.stats.model.central_interval`)."""
    return (1 - (1 - 2 * level)) / 2 if level < 0.5 else (1 + (2 * level - 1)) / 2 if level > 0.5 else 0.5


def _quantile_frame(samples: dict[str, np.ndarray], years: list[int], through: int) -> pd.DataFrame:
    """Quantiles at :data:`LEVELS` of simulated draws ``{target: (n, len(years))}`` (simulated values)."""
    rows = []
    at = [_as_interval_end(level) for level in LEVELS]
    for target in TARGETS:
        qs = np.quantile(samples[target], at, axis=0, method="inverted_cdf")
        for j, y in enumerate(years):
            for level, v in zip(LEVELS, qs[:, j], strict=True):
                v = round(float(v), _DECIMALS[target]) + 0.0  # the value as stored (no -0.0)
                rows.append({"target": target, "year": y, "horizon": y - through, "quantile": level, "value": v})
    return pd.DataFrame(rows, columns=["target", "year", "horizon", "quantile", "value"])


def _release(ds, through: int):
    """The release whose last year is ``through`` (a ValueError naming the releases otherwise)."""
    rels = metrics.releases(ds)
    hit = [r for r in rels if r.through == through]
    if not hit:
        ends = ", ".join(str(r.through) for r in rels)
        raise ValueError(f"{through} is not the last year of a release (the releases end in {ends})")
    return hit[0]


def make(ds, through: int | None = None, kind: str = "forecast", made: str | None = None) -> Forecast:
    """The forecast the model makes from the data through the release of ``through`` (horizons 1–3).

    Parameters
    ----------
    ds : Dataset
        The full data (:func:`analysis.load`); the vintage of ``through`` is cut from it.
    through : int, optional
        The last year of a release (default: the latest release).
    kind : str
        ``forecast`` (made at the time: only from the latest release) or ``hindcast`` (made later from the
        data of the time).
    made : str, optional
        The date it is made, ISO (default: today, UTC).

    Returns
    -------
    Forecast

    Raises
    ------
    ValueError
        When ``through`` is not a release's last year, or a ``forecast`` is asked of an earlier release.

    Examples
    --------
    >>> from analysis import load
    >>> f = make(load(), 2023, "hindcast", made="2025-01-01")
    >>> f.filename, sorted(set(f.quantiles["year"]))
    ('2023-hindcast.csv', [2024, 2025, 2026])
    """
    from .. import __version__
    from . import calibration
    from . import projection as P

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    latest = metrics.releases(ds)[-1]
    rel = latest if through is None else _release(ds, int(through))
    if kind == "forecast" and rel.through != latest.through:
        raise ValueError(
            f"the release through {rel.through} is not the latest ({latest.through}): a forecast made now from "
            "its data is a hindcast"
        )
    door = metrics.vintage(ds, rel.through)
    proj = P.project(door.dataset, door.through, horizon=HORIZON, seed=P.DEFAULT_SEED)
    meta = {
        "package_version": __version__,
        "code_digest": calibration.code_digest(),
        "data_digest": data_digest(*P.observations(door.dataset, door.through)),
        "seed": int(proj.seed),
        "n_sims": int(proj.n_sims),
        "through": int(door.through),
        "release_date": metrics.date_label(rel.date),
        "made": made or dt.datetime.now(dt.UTC).date().isoformat(),
        "kind": kind,
    }
    return Forecast(meta, _quantile_frame(proj.samples, proj.years, door.through))


def write(forecast: Forecast, folder: Path) -> Path:
    """Write a forecast into the archive; never over a file that exists.

    Parameters
    ----------
    forecast : Forecast
        What :func:`make` returns.
    folder : pathlib.Path
        The archive (created when missing).

    Returns
    -------
    pathlib.Path
        The new file.

    Raises
    ------
    FileExistsError
        When the archive holds that forecast already (an archived forecast is never rewritten).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / forecast.filename
    try:
        with open(path, "xb") as fh:  # exclusive: refuses an existing file, even one written meanwhile
            fh.write(forecast.to_bytes())
    except FileExistsError:
        raise FileExistsError(f"{path} exists: an archived forecast is never rewritten") from None
    return path


# ------------------------------------------------------------------------------------------------ reading


def _parse(path, line: int, column: str, text: str, kind):
    try:
        if kind is int:
            return int(text)
        if kind is float:
            v = float(text)
            if not math.isfinite(v):
                raise ValueError
            return v
        if kind == "date":
            dt.date.fromisoformat(text)
            return text
    except ValueError:
        raise ArchiveError(
            path,
            line,
            column,
            f"not {'a whole number' if kind is int else 'a number' if kind is float else 'an ISO date'}: {text!r}",
        ) from None
    return text


def read(path: Path) -> Forecast:
    """Read and check one archive file.

    Parameters
    ----------
    path : pathlib.Path
        A file of the archive.

    Returns
    -------
    Forecast

    Raises
    ------
    ArchiveError
        Naming the file, the row (line) and the column of the first fault: a missing or extra column, a value
        that is not a number, a target or kind not known, a row whose forecast-wide value differs from the
        first row's, a horizon that is not year − through, levels other than :data:`LEVELS`, quantiles that
        decrease, a file name that is not ``<through>-<kind>.csv``.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or tuple(rows[0]) != COLUMNS:
        got = rows[0] if rows else []
        missing = [c for c in COLUMNS if c not in got]
        col = missing[0] if missing else next((g for g, c in zip(got, COLUMNS, strict=False) if g != c), None)
        raise ArchiveError(path, 1, col, f"the header must be {','.join(COLUMNS)}")
    kinds = {
        "seed": int,
        "n_sims": int,
        "through": int,
        "made": "date",
        "year": int,
        "horizon": int,
        "quantile": float,
        "value": float,
    }
    meta, out = None, []
    for line, raw in enumerate(rows[1:], start=2):
        if len(raw) != len(COLUMNS):
            raise ArchiveError(path, line, None, f"{len(raw)} fields, expected {len(COLUMNS)}")
        rec = {c: _parse(path, line, c, v, kinds.get(c)) for c, v in zip(COLUMNS, raw, strict=True)}
        if meta is None:
            meta = {k: rec[k] for k in META}
        for k in META:
            if rec[k] != meta[k]:
                raise ArchiveError(path, line, k, f"{rec[k]!r} differs from the first row's {meta[k]!r}")
        if rec["kind"] not in KINDS:
            raise ArchiveError(path, line, "kind", f"{rec['kind']!r} is not one of {', '.join(KINDS)}")
        if rec["target"] not in TARGETS:
            raise ArchiveError(path, line, "target", f"{rec['target']!r} is not one of {', '.join(TARGETS)}")
        if rec["horizon"] != rec["year"] - rec["through"] or not 1 <= rec["horizon"] <= HORIZON:
            raise ArchiveError(path, line, "horizon", f"{rec['horizon']} is not year − through (1 to {HORIZON})")
        out.append((line, rec))
    if meta is None:
        raise ArchiveError(path, None, None, "no rows")
    if path.name != f"{meta['through']}-{meta['kind']}.csv":
        raise ArchiveError(
            path, None, None, f"the name must be {meta['through']}-{meta['kind']}.csv (its through-year and kind)"
        )
    groups: dict[tuple, list] = {}
    for line, rec in out:
        groups.setdefault((rec["target"], rec["year"]), []).append((line, rec))
    for (target, year), items in groups.items():
        levels = tuple(r["quantile"] for _, r in items)
        if levels != LEVELS:
            bad = next((ln for (ln, r), lv in zip(items, LEVELS, strict=False) if r["quantile"] != lv), items[-1][0])
            raise ArchiveError(
                path, bad, "quantile", f"{target} {year}: the levels must be {', '.join(map(str, LEVELS))} in order"
            )
        for (_, a), (ln, b) in zip(items, items[1:], strict=False):
            if b["value"] < a["value"]:
                raise ArchiveError(path, ln, "value", f"{target} {year}: a quantile below the one of a lower level")
    frame = pd.DataFrame([{k: r[k] for k in COLUMNS[len(META) :]} for _, r in out])
    return Forecast(meta, frame, path)


def read_archive(folder: Path) -> list[Forecast]:
    """Every forecast of the archive, by through-year and kind (an empty list when there is no archive).

    Parameters
    ----------
    folder : pathlib.Path
        The archive.

    Returns
    -------
    list of Forecast

    Raises
    ------
    ArchiveError
        For the first faulty file (:func:`read`).
    """
    files = sorted(Path(folder).glob("*.csv")) if Path(folder).is_dir() else []
    return sorted((read(p) for p in files), key=lambda f: (f.meta["through"], f.meta["kind"]))


# ------------------------------------------------------------------------------------------------ scores


def _weights(levels) -> np.ndarray:
    """The share of (0, 1) each level stands for: half-way to its neighbours, the ends reaching 0 and 1."""
    t = np.concatenate([[0.0], np.asarray(levels, float), [1.0]])
    return (t[2:] - t[:-2]) / 2


def crps_from_quantiles(y: float, levels, values) -> float:
    """CRPS approximated from quantiles: twice the weighted mean quantile (pinball) score.

    ``CRPS(F, y) = 2 ∫₀¹ QS_τ(F⁻¹(τ), y) dτ`` with ``QS_τ(q, y) = (1{y < q} − τ)(q − y)``; the integral is taken
    with each level standing for the part of (0, 1) half-way to its neighbours (the outer levels reaching 0
    and 1). With the 23 stored levels the tails beyond 0.01 and 0.99 are represented by those quantiles.

    Parameters
    ----------
    y : float
        The outcome.
    levels : sequence of float
        Increasing levels in (0, 1).
    values : sequence of float
        The quantiles at those levels.

    Returns
    -------
    float

    Examples
    --------
    >>> levels = [k / 1000 for k in range(1, 1000)]
    >>> round(crps_from_quantiles(0.5, levels, levels), 3)  # uniform(0, 1) at its middle: 1/12
    0.083
    """
    tau, q = np.asarray(levels, float), np.asarray(values, float)
    qs = ((y < q).astype(float) - tau) * (q - y)
    return float(2 * np.sum(_weights(tau) * qs))


def pit_from_quantiles(y: float, levels, values) -> float:
    """The probability integral transform of ``y`` read off quantiles, interpolated linearly.

    Between two stored quantiles the level is interpolated; at a value several levels share (the atom of a
    count) it is the middle of those levels, the mean of the randomised PIT as far as the levels show it;
    below the lowest quantile it is half the lowest level, above the highest half-way from the highest level
    to 1.

    Parameters
    ----------
    y : float
        The outcome.
    levels : sequence of float
        Increasing levels in (0, 1).
    values : sequence of float
        The (non-decreasing) quantiles at those levels.

    Returns
    -------
    float
        In (0, 1).

    Examples
    --------
    >>> pit_from_quantiles(2.0, [0.25, 0.5, 0.75], [1.0, 2.0, 3.0]), pit_from_quantiles(2.0, [0.25, 0.5, 0.75], [2.0, 2.0, 3.0])
    (0.5, 0.375)
    """
    tau, q = np.asarray(levels, float), np.asarray(values, float)
    if y < q[0]:
        return float(tau[0] / 2)
    if y > q[-1]:
        return float((1 + tau[-1]) / 2)
    at = tau[q == y]
    if len(at):
        return float((at.min() + at.max()) / 2)
    k = int(np.searchsorted(q, y))  # q[k-1] < y < q[k]
    return float(tau[k - 1] + (tau[k] - tau[k - 1]) * (y - q[k - 1]) / (q[k] - q[k - 1]))


def _level_index(level: float) -> int:
    return LEVELS.index(round(level, 3))


def _scores(y: float, values: np.ndarray) -> dict:
    """Every score of one forecast of one figure, from its quantiles at :data:`LEVELS`."""
    out = {"median": float(values[_level_index(0.5)])}
    for name, level in (("80", 0.8), ("95", 0.95)):
        lo, hi = values[_level_index((1 - level) / 2)], values[_level_index((1 + level) / 2)]
        out |= {f"pi{name}_lo": float(lo), f"pi{name}_hi": float(hi)}
        if y is not None:
            out |= {
                f"inside{name}": bool(lo <= y <= hi),
                f"interval_score{name}": float(sr.interval_score(y, lo, hi, 1 - level)),
            }
    if y is not None:
        out |= {"crps": crps_from_quantiles(y, LEVELS, values), "pit": pit_from_quantiles(y, LEVELS, values)}
    return out


# ------------------------------------------------------------------------------------------------ the record

RECORD_COLUMNS = [
    "file",
    "kind",
    "through",
    "release_date",
    "made",
    "forecaster",
    "target",
    "year",
    "horizon",
    "status",
    "actual",
    "actual_qualifier",
    "median",
    "pi80_lo",
    "pi80_hi",
    "pi95_lo",
    "pi95_hi",
    "inside80",
    "inside95",
    "interval_score80",
    "interval_score95",
    "crps",
    "pit",
    "same_data",
]


def _actuals(ds) -> dict[tuple[str, int], tuple[float, str]]:
    """The published single-year figures: ``{(target, year): (value, hedge)}`` (a hedged figure at its value)."""
    out = {}
    for r in metrics.trends(ds).to_dict("records"):
        if int(r["n_years"]) != 1:
            continue
        for target, q in (("projects", "projects_qualifier"), ("investment_100m_yuan", "investment_qualifier")):
            if not pd.isna(r[target]):
                out[(target, int(r["first_year"]))] = (float(r[target]), r[q])
    return out


def _baselines(ds, through: int) -> dict[str, pd.DataFrame]:
    """The two baselines' quantiles from the data through ``through``, the stated figures taken at their values."""
    from . import calibration
    from . import projection as P

    periods = [
        mdl.PeriodObs(
            int(r["first_year"]),
            int(r["last_year"]),
            None if pd.isna(r["projects"]) else float(r["projects"]),
            None,
            None if pd.isna(r["investment_100m_yuan"]) else float(r["investment_100m_yuan"]),
            None,
        )
        for r in metrics.trends(metrics.vintage(ds, through).dataset, through).to_dict("records")
    ]
    years = list(range(through + 1, through + HORIZON + 1))
    out = {}
    for k, name in enumerate(("poisson", "last")):
        rng = np.random.default_rng([P.DEFAULT_SEED, through, k])
        sims = calibration._baseline_sims(name, periods, HORIZON, P.N_SIMS, rng)
        out[name] = _quantile_frame(
            {"projects": sims["projects"], "investment_100m_yuan": sims["investment"]}, years, through
        )
    return out


def _values(frame: pd.DataFrame, target: str, year: int) -> np.ndarray:
    return frame[(frame["target"] == target) & (frame["year"] == year)].sort_values("quantile")["value"].to_numpy(float)


def archive_folder(ds, archive: Path | None = None) -> Path:
    """The forecast archive a record reads: ``archive``, else ``forecasts/`` beside the data folder.

    Parameters
    ----------
    ds : Dataset
        The data (:func:`analysis.load`).
    archive : pathlib.Path, optional
        An archive given explicitly.

    Returns
    -------
    pathlib.Path
        The folder.
    """
    return Path(archive) if archive is not None else Path(ds.data_dir).parent / "forecasts"


#: :func:`facts` of the archive's record without today's refit, by the data's content and the archive's files
_FACTS: dict[tuple, dict] = {}


def archived_facts(ds) -> dict:
    """:func:`facts` of the default archive's record (``refit=False``), worked out once per data and archive content.

    A page words the record in several sections, its title and both languages: the archive is scored once per
    process for each content of the data and of the archive's files.

    Parameters
    ----------
    ds : Dataset
        The full data (:func:`analysis.load`).

    Returns
    -------
    dict
        A copy of the facts (editing it changes nothing kept).
    """
    import copy

    from .results import content_key

    folder = archive_folder(ds)
    files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    key = (
        content_key(ds),
        str(folder.resolve()),
        tuple((p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in files),
    )
    if key not in _FACTS:
        if len(_FACTS) >= 8:
            _FACTS.clear()
        _FACTS[key] = facts(forecast_record(ds, refit=False))
    return copy.deepcopy(_FACTS[key])


def clear_cache() -> None:
    """Forget the records' facts kept in this process (:func:`archived_facts`).

    Examples
    --------
    >>> from analysis.stats import record
    >>> record.clear_cache()
    """
    _FACTS.clear()


def forecast_record(ds, archive: Path | None = None, refit: bool = True) -> pd.DataFrame:
    """Every archived forecast scored against the figures published later, beside baselines and today's model.

    One row per archived forecast, forecaster (:data:`FORECASTERS`: the archived forecast, today's model
    refitted on the data of its release — a hindcast —, the constant-rate and the last-value baselines),
    target and year. A year whose figure is published has ``status`` "scored" and its scores (from the
    quantiles); one not yet published is "pending", without scores. A hedged figure ("about X") is scored at X.

    Parameters
    ----------
    ds : Dataset
        The full data (:func:`analysis.load`).
    archive : pathlib.Path, optional
        The archive (default: ``forecasts/`` beside the data folder).
    refit : bool
        Whether to refit today's model on each forecast's data (the slow part; False leaves its rows out).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RECORD_COLUMNS`; ``same_data`` says whether today's data of that release are those the
        archived forecast was made from (its data digest).

    Examples
    --------
    >>> from analysis import load, forecast_record
    >>> rec = forecast_record(load(), refit=False)
    >>> sorted(set(rec.loc[rec["status"] == "scored", "year"]))
    [2022, 2023, 2024]
    """
    from . import projection as P

    folder = archive_folder(ds, archive)
    actual = _actuals(ds)
    releases = {r.through for r in metrics.releases(ds)}
    rows = []
    for f in read_archive(folder):
        m, through = f.meta, int(f.meta["through"])
        known = through in releases
        same = None
        others: dict[str, pd.DataFrame] = {}
        if known:
            door = metrics.vintage(ds, through)
            same = data_digest(*P.observations(door.dataset, door.through)) == m["data_digest"]
            others = _baselines(ds, through)
            if refit:
                others = {"today": make(ds, through, "hindcast", made=m["made"]).quantiles, **others}
        frames = {"archived": f.quantiles, **others}
        for name in FORECASTERS:
            if name not in frames:
                continue
            for target in TARGETS:
                for year in sorted(set(f.quantiles["year"])):
                    y, q = actual.get((target, int(year)), (None, None))
                    rows.append(
                        {
                            "file": f.path.name if f.path else f.filename,
                            **{k: m[k] for k in ("kind", "through", "release_date", "made")},
                            "forecaster": name,
                            "target": target,
                            "year": int(year),
                            "horizon": int(year) - through,
                            "status": "pending" if y is None else "scored",
                            "actual": y,
                            "actual_qualifier": q,
                            **_scores(y, _values(frames[name], target, int(year))),
                            "same_data": same,
                        }
                    )
    return pd.DataFrame(rows, columns=RECORD_COLUMNS)


def summary(record: pd.DataFrame) -> pd.DataFrame:
    """Mean scores per forecaster and target over the scored rows, and how many were inside the intervals.

    Parameters
    ----------
    record : pandas.DataFrame
        What :func:`forecast_record` returns.

    Returns
    -------
    pandas.DataFrame
        ``forecaster``, ``target``, ``n``, ``inside80``, ``inside95`` (counts), ``interval_score80``,
        ``interval_score95``, ``crps`` (means), ``mean_pit``.

    Examples
    --------
    >>> from analysis import load, forecast_record
    >>> from analysis.stats.record import summary
    >>> list(summary(forecast_record(load(), refit=False))["forecaster"].unique())
    ['archived', 'poisson', 'last']
    """
    cols = [
        "forecaster",
        "target",
        "n",
        "inside80",
        "inside95",
        "interval_score80",
        "interval_score95",
        "crps",
        "mean_pit",
    ]
    s = record[record["status"] == "scored"]
    rows = []
    for name in [f for f in FORECASTERS if f in set(s["forecaster"])]:
        for target in TARGETS:
            g = s[(s["forecaster"] == name) & (s["target"] == target)]
            if g.empty:
                continue
            rows.append(
                {
                    "forecaster": name,
                    "target": target,
                    "n": len(g),
                    "inside80": int(g["inside80"].sum()),
                    "inside95": int(g["inside95"].sum()),
                    "interval_score80": float(g["interval_score80"].mean()),
                    "interval_score95": float(g["interval_score95"].mean()),
                    "crps": float(g["crps"].mean()),
                    "mean_pit": float(g["pit"].mean()),
                }
            )
    return pd.DataFrame(rows, columns=cols)


def facts(record: pd.DataFrame) -> dict:
    """What the record shows, language-free: the numbers the page's title and main points state.

    Parameters
    ----------
    record : pandas.DataFrame
        What :func:`forecast_record` returns.

    Returns
    -------
    dict
        ``n_forecasts``, ``n_hindcasts``, ``made`` (the dates the hindcasts were made), ``throughs``, ``years``
        (the scored years), ``n`` (scored figures of the archived forecasts), ``inside80``, ``inside95``,
        ``above`` / ``below`` (figures above / below the forecast median), ``mean_pit``, ``wins`` (figures where
        the archived forecast's CRPS is below both baselines'), ``targets`` (per target: ``n`` and each
        forecaster's mean CRPS), ``pending_years``, ``n_pending``, ``changed_data`` (through-years whose data
        changed since), ``today_same`` (whether today's refit scores as the archive does; None without it).

    Examples
    --------
    >>> from analysis import load, forecast_record
    >>> f = facts(forecast_record(load(), refit=False))
    >>> f["years"], f["n"] == 2 * 6
    ([2022, 2023, 2024], True)
    """
    files = record.drop_duplicates("file")
    scored = record[record["status"] == "scored"]
    a = scored[scored["forecaster"] == "archived"]
    key = ["file", "target", "year"]
    crps = scored.pivot_table(index=key, columns="forecaster", values="crps", aggfunc="first")
    base = [c for c in ("poisson", "last") if c in crps]
    wins = int((crps["archived"] < crps[base].min(axis=1)).sum()) if len(crps) and base else 0
    targets = []
    for target in TARGETS:
        g = scored[scored["target"] == target]
        if len(g):
            means = g.groupby("forecaster")["crps"].mean()
            targets.append({"target": target, "n": int((g["forecaster"] == "archived").sum()), **means.to_dict()})
    today = crps["today"] if "today" in crps else None
    pending = record[(record["status"] == "pending") & (record["forecaster"] == "archived")]
    return {
        "n_forecasts": len(files),
        "n_hindcasts": int((files["kind"] == "hindcast").sum()),
        "made": sorted(set(files.loc[files["kind"] == "hindcast", "made"])),
        "throughs": sorted(int(t) for t in files["through"]),
        "years": sorted(int(y) for y in set(a["year"])),
        "n": len(a),
        "inside80": int(a["inside80"].sum()),
        "inside95": int(a["inside95"].sum()),
        "above": int((a["actual"] > a["median"]).sum()),
        "below": int((a["actual"] < a["median"]).sum()),
        "mean_pit": float(a["pit"].mean()) if len(a) else None,
        "wins": wins,
        "targets": targets,
        "pending_years": sorted(int(y) for y in set(pending["year"])),
        "n_pending": len(pending.drop_duplicates(["file", "year"])),
        "changed_data": sorted(int(t) for t in files.loc[files["same_data"] == False, "through"]),  # noqa: E712
        "today_same": None if today is None else bool(np.allclose(today, crps["archived"])),
    }
