"""Simulation study: are the projection intervals calibrated, and do they beat simple baselines?

Histories shaped like ours (by default one two-year aggregate period followed by three single
years, i.e. 2019–2020, 2021, 2022, 2023) are simulated from several generating processes, the model
is fitted to each history exactly as on the real data (:func:`analysis.stats.model.fit`), and its
predictions for the next one, two and three years are compared with the simulated outcomes. For
every process, metric (projects, investment, and their sums over the projected years) and horizon
the table reports the coverage of the central 80 % and 95 % intervals with its Monte-Carlo standard
error, and the mean interval score and CRPS (both from ``scoringrules``; lower is better) of the
model and of two baselines. Coverage is computed from the randomised probability integral transform
(PIT), so that a calibrated forecast of a *count* has exactly the nominal coverage instead of more
(a count's central interval includes whole atoms at both ends); interval scores use the plain
quantile interval of the simulations.

Generating processes (the same amount model is used for 2–5: a year's investment is the sum over
its projects of per-project amounts, lognormal with mean 6.5 亿元 and log-sd 1.0, so a year's total
varies by about 20 % beyond the count):

1. ``model`` — the model's own process: a time structure is drawn with the prior model
   probabilities and every parameter from ``PRIORS``; counts are Poisson and reported investment is
   the latent total with the 2 % reporting error. Intervals must be calibrated here.
2. ``growth`` — 15 % a year growth of the expected count from 40 a year, Poisson counts.
3. ``jump`` — 40 a year, then a lasting x1.6 jump starting in a random one of the single years.
4. ``rw`` — log expected count a random walk with step sd 0.2 from log 40.
5. ``heavy`` — independent year effects (sd 0.25) on the expected count and heavy-tailed project
   amounts: 90 % of projects lognormal with median 3 亿元 (log-sd 0.8), 10 % "infrastructure"
   projects with median 40 亿元 (log-sd 0.7), so that a few huge projects carry most of a year's
   money. The model does not use breakdowns, so only the heavy tail of the amounts matters here.

Reported figures follow the real sources: the aggregate is exact, single years are "about" (±5 %)
for investment, counts are exact; reported investment carries the model's measurement error.

Baselines: ``poisson`` — the constant-rate Poisson with plug-in maximum-likelihood rate (total
projects / total years), and for investment its analogue, a lognormal around the plug-in yearly
mean (total / years) with the log-sd of the periods' per-year values (maximum likelihood, no
parameter uncertainty); ``last`` — last value carried forward: Poisson with mean the last single
year's count, and for investment a lognormal random walk from the last year's value with step sd
the root-mean-square change of the per-year log values.

Sizes: ``SIZES['fast']`` for a quick look (``calibrate --size fast``), ``SIZES['default']`` for the
study the reports show; their runtimes on a 2-core machine are stated there.

The study belongs to the model, not to a report: ``python -m analysis calibrate --write`` stores the
default-size table in ``analysis/stats/validation/`` with a digest of the code and library versions it ran
with (:func:`save`); the reports show that table (:func:`stored`), which refuses to load once the model,
the priors or the study changed until the study is run again (the tests check this too).
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import time
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import scoringrules as sr

from ..core import locale
from ..core.qualifiers import APPROX_REL_TOL, interval
from . import model as M

__all__ = [
    "PROCESSES",
    "SIZES",
    "Size",
    "StaleStudy",
    "format_table",
    "run",
    "save",
    "simulate_history",
    "stored",
    "summary",
]

PROCESSES = ("model", "growth", "jump", "rw", "heavy")
METRICS = ("projects", "investment", "projects_cum", "investment_cum")
LEVELS = M.LEVELS
#: the published history's shape: years per period (2019–2020, then 2021, 2022, 2023, 2024); a test keeps it
#: equal to the shape of data/, so the stored study is rerun when a release changes it
SHAPE = (2, 1, 1, 1, 1)
_BASE_RATE = 40.0
#: the growth world's yearly growth and the jump world's factor (the words for them are formatted from these)
GROWTH = 0.15
JUMP = 1.6
_AMOUNT_MEAN = 6.5
_AMOUNT_LOGSD = 1.0


@dataclass(frozen=True)
class Size:
    """Simulation size of a study.

    Parameters
    ----------
    n_histories : int
        Simulated histories per process.
    n_sims : int
        Posterior-predictive draws per history.
    n_draws : int
        Importance draws per model.
    n_grid : int
        Grid nodes per scale axis.

    Examples
    --------
    >>> SIZES["fast"].n_histories < SIZES["default"].n_histories
    True
    """

    n_histories: int
    n_sims: int = 2000
    n_draws: int = 1000
    n_grid: int = 10


#: ``fast``: 60 histories per process, 1000 predictive draws (about 2.5 s per process, 12 s for all
#: five on this 2-core machine). ``default`` (the CLI): 1000 histories per process, 2000 draws (about
#: 40 s per process, a little over 3 minutes for all five). Coverage standard errors at 1000 histories
#: are about 0.013 (80 %) and 0.007 (95 %).
SIZES = {"fast": Size(60, n_sims=1000), "default": Size(1000)}


# ============================================================================================ simulation


def _amounts(rng, n, process):
    if process == "heavy":
        big = rng.random(n) < 0.10
        return np.where(big, rng.lognormal(math.log(40.0), 0.7, n), rng.lognormal(math.log(3.0), 0.8, n))
    mu = math.log(_AMOUNT_MEAN) - 0.5 * _AMOUNT_LOGSD**2
    return rng.lognormal(mu, _AMOUNT_LOGSD, n)


def _meas_sd(bounds_kind: str) -> float:
    """Reporting noise of a simulated figure: what the model assumes for an exact or an "about" one."""
    if bounds_kind == "approx":
        return M.log_sd_of_bounds(1 - APPROX_REL_TOL, 1 + APPROX_REL_TOL)
    return M.INVESTMENT_MEASUREMENT_SD


def simulate_history(process: str, rng: np.random.Generator, shape=SHAPE, horizon: int = 3, first_year: int = 2019):
    """One simulated history and its future.

    Parameters
    ----------
    process : str
        One of :data:`PROCESSES`.
    rng : numpy.random.Generator
        The random generator.
    shape : tuple of int
        Years per published period (aggregates exact, single years "about" for investment).
    horizon : int
        The years of future simulated after the history.
    first_year : int
        The first year of the history.

    Returns
    -------
    tuple of (list of PeriodObs, dict of str to numpy.ndarray)
        ``(periods, future)``: ``periods`` a list of :class:`analysis.stats.model.PeriodObs` with the given
        period lengths; ``future`` the yearly ``projects`` and ``investment``, arrays of length ``horizon``.

    Examples
    --------
    >>> import numpy as np
    >>> periods, future = simulate_history("growth", np.random.default_rng(0), shape=(2, 1), horizon=2)
    >>> [(p.first_year, p.last_year) for p in periods], future["projects"].shape
    ([(2019, 2020), (2021, 2021)], (2,))
    """
    T = sum(shape)
    n = T + horizon
    if process == "model":
        kind = M.MODELS[rng.choice(len(M.MODELS), p=M.PRIORS["model"].params)]
        eta, a = M.sample_prior_paths(kind, n, rng)
        rate = np.exp(np.minimum(eta, 12.0))
        counts = rng.poisson(rate)
        totals = np.exp(np.minimum(eta + a, 30.0))
    else:
        t = np.arange(n)
        if process == "growth":
            rate = _BASE_RATE * (1 + GROWTH) ** t
        elif process == "jump":
            single = np.cumsum(shape)[:-1]  # first year of each period after the first
            singles = [int(s) for s, L in zip(single, shape[1:], strict=True) if L == 1] or [int(single[-1])]
            j = singles[rng.integers(len(singles))]
            rate = _BASE_RATE * np.where(t >= j, JUMP, 1.0)
        elif process == "rw":
            rate = _BASE_RATE * np.exp(np.concatenate([[0.0], np.cumsum(0.2 * rng.standard_normal(n - 1))]))
        elif process == "heavy":
            rate = _BASE_RATE * np.exp(0.25 * rng.standard_normal(n))
        else:
            raise ValueError(f"unknown process {process!r}")
        counts = rng.poisson(rate)
        totals = np.array([max(_amounts(rng, c, process).sum(), 0.01) for c in counts])
    # reported figures
    periods = []
    start = 0
    for L in shape:
        c = int(counts[start : start + L].sum())
        x = float(totals[start : start + L].sum())
        kind = "exact" if L > 1 else "approx"
        rep = x * math.exp(_meas_sd(kind) * rng.standard_normal())
        fy = first_year + start
        if kind == "exact":
            periods.append(M.PeriodObs(fy, fy + L - 1, c, None, rep, None))
        else:
            iv = interval(rep, "approx")  # the bounds the real 约 figures get (analysis.core.qualifiers)
            periods.append(M.PeriodObs(fy, fy + L - 1, c, None, rep, (iv.lo, iv.hi)))
        start += L
    fut_inv = totals[T:] * np.exp(M.INVESTMENT_MEASUREMENT_SD * rng.standard_normal(horizon))
    return periods, {"projects": counts[T:].astype(float), "investment": fut_inv}


# ============================================================================================ baselines


def _per_year(periods):
    cnt = [(p.projects, p.years) for p in periods if p.projects is not None]
    inv = [(p.investment, p.years) for p in periods if p.investment is not None]
    return cnt, inv


def _baseline_sims(name, periods, horizon, n, rng):
    cnt, inv = _per_year(periods)
    logs = np.array([math.log(x / y) for x, y in inv])
    if name == "poisson":
        rate = sum(c for c, _ in cnt) / sum(y for _, y in cnt)
        proj = rng.poisson(rate, (n, horizon)).astype(float)
        mean = sum(x for x, _ in inv) / sum(y for _, y in inv)
        s = float(np.sqrt(np.mean((logs - logs.mean()) ** 2))) if len(logs) > 1 else 0.0
        invs = np.exp(math.log(mean) - 0.5 * s**2 + s * rng.standard_normal((n, horizon)))
    elif name == "last":
        last_c = [c / y for c, y in cnt if y == 1] or [cnt[-1][0] / cnt[-1][1]]
        proj = rng.poisson(last_c[-1], (n, horizon)).astype(float)
        s = float(np.sqrt(np.mean(np.diff(logs) ** 2))) if len(logs) > 1 else 0.0
        invs = np.exp(logs[-1] + np.cumsum(s * rng.standard_normal((n, horizon)), axis=1))
    else:
        raise ValueError(name)
    return {
        "projects": proj,
        "investment": invs,
        "projects_cum": np.cumsum(proj, axis=1),
        "investment_cum": np.cumsum(invs, axis=1),
    }


# ============================================================================================ scoring


def _targets(horizon):
    return [
        (metric, h) for metric in METRICS for h in range(1, horizon + 1) if not (metric.endswith("_cum") and h == 1)
    ]


def _score_block(sims: dict, truth: dict, horizon: int, u: np.ndarray):
    """For every (metric, horizon): randomised PIT, interval score per level, CRPS (vectorised)."""
    tg = _targets(horizon)
    ens = np.stack([sims[metric][:, h - 1] for metric, h in tg])  # (k, n_sims)
    obs = np.array([(truth[m] if not m.endswith("_cum") else np.cumsum(truth[m[:-4]]))[h - 1] for m, h in tg])
    pit = np.mean(ens < obs[:, None], axis=1) + u * np.mean(ens == obs[:, None], axis=1)
    crps = np.asarray(sr.crps_ensemble(obs, ens))
    iscore = {}
    for level in LEVELS:
        lo, hi = M.central_interval(ens, level, axis=1)
        iscore[level] = np.asarray(sr.interval_score(obs, lo, hi, 1 - level))
    return pit, iscore, crps


def run(
    processes=PROCESSES,
    size: Size | str = "default",
    *,
    shape=SHAPE,
    horizon: int = 3,
    seed: int = 20240601,
    verbose: bool = False,
) -> pd.DataFrame:
    """Run the simulation study; a tidy table with one row per process, metric, horizon and level.

    Deterministic given ``seed``.

    Parameters
    ----------
    processes : tuple of str
        The generating processes (of :data:`PROCESSES`).
    size : Size or str
        The simulation size, or a key of :data:`SIZES`.
    shape : tuple of int
        Years per published period of the simulated histories.
    horizon : int
        The years predicted.
    seed : int
        The seed of every simulation.
    verbose : bool
        Print each process's wall time to stderr.

    Returns
    -------
    pandas.DataFrame
        Columns: process, metric, horizon, level, n, coverage, mc_se (binomial standard error of the
        coverage), is_model / is_poisson / is_last (mean interval score at that level), is_gain_se
        (standard error of the mean paired difference model - poisson), crps_model / crps_poisson /
        crps_last, seconds (wall time of that process).

    Examples
    --------
    >>> study = run(processes=("growth",), size=Size(2, n_sims=200), horizon=2)
    >>> sorted(set(study["metric"])), sorted(set(study["level"]))
    (['investment', 'investment_cum', 'projects', 'projects_cum'], [0.8, 0.95])
    """
    if isinstance(size, str):
        size = SIZES[size]
    rows = []
    for pi, process in enumerate(processes):
        t0 = time.perf_counter()
        rng = np.random.default_rng([seed, pi])
        tg = _targets(horizon)
        recs = []
        for _i in range(size.n_histories):
            periods, truth = simulate_history(process, rng, shape, horizon)
            post = M.fit(periods, seed=int(rng.integers(2**31)), n_draws=size.n_draws, n_grid=size.n_grid)
            last = periods[-1].last_year
            years = np.arange(last + 1, last + horizon + 1)
            sims = {"model": post.predict(years, size.n_sims, rng)}
            for b in ("poisson", "last"):
                sims[b] = _baseline_sims(b, periods, horizon, size.n_sims, rng)
            u = rng.random(len(tg))
            sc = {k: _score_block(v, truth, horizon, u) for k, v in sims.items()}
            pit = sc["model"][0]
            for j, (metric, h) in enumerate(tg):
                for level in LEVELS:
                    cov = (1 - level) / 2 <= pit[j] <= (1 + level) / 2
                    recs.append(
                        (
                            metric,
                            h,
                            level,
                            cov,
                            sc["model"][1][level][j],
                            sc["model"][2][j],
                            sc["poisson"][1][level][j],
                            sc["poisson"][2][j],
                            sc["last"][1][level][j],
                            sc["last"][2][j],
                        )
                    )
        secs = time.perf_counter() - t0
        df = pd.DataFrame(
            recs,
            columns=[
                "metric",
                "horizon",
                "level",
                "covered",
                "is_model",
                "crps_model",
                "is_poisson",
                "crps_poisson",
                "is_last",
                "crps_last",
            ],
        )
        df["gain"] = df["is_model"] - df["is_poisson"]
        g = df.groupby(["metric", "horizon", "level"], sort=False)
        agg = g.agg(
            n=("covered", "size"),
            coverage=("covered", "mean"),
            is_model=("is_model", "mean"),
            is_poisson=("is_poisson", "mean"),
            is_last=("is_last", "mean"),
            gain_sd=("gain", "std"),
            crps_model=("crps_model", "mean"),
            crps_poisson=("crps_poisson", "mean"),
            crps_last=("crps_last", "mean"),
        ).reset_index()
        agg["mc_se"] = np.sqrt(agg["coverage"] * (1 - agg["coverage"]) / agg["n"]).clip(lower=0.5 / agg["n"])
        agg["is_gain_se"] = agg.pop("gain_sd") / np.sqrt(agg["n"])
        agg.insert(0, "process", process)
        agg["seconds"] = secs
        rows.append(agg)
        if verbose:
            print(f"{process}: {size.n_histories} histories in {locale.fixed(secs, 1)} s", file=sys.stderr, flush=True)
    out = pd.concat(rows, ignore_index=True)
    order = [
        "process",
        "metric",
        "horizon",
        "level",
        "n",
        "coverage",
        "mc_se",
        "is_model",
        "is_poisson",
        "is_last",
        "is_gain_se",
        "crps_model",
        "crps_poisson",
        "crps_last",
        "seconds",
    ]
    return out[order]


def format_table(df: pd.DataFrame) -> str:
    """Fixed-width text table for the terminal (coverage to 0.001, scores to 3 significant digits).

    Parameters
    ----------
    df : pandas.DataFrame
        A table of :func:`run`.

    Returns
    -------
    str
        The table, then a line of wall times per process.
    """

    def g3(v):
        return locale.sig(v, 3) if abs(v) < 1e4 else locale.fixed(v, 0).replace(",", "")

    head = (
        f"{'process':<8} {'metric':<15} {'h':>1} {'level':>5} {'n':>5} {'cover':>6} {'±se':>6} "
        f"{'IS model':>9} {'IS pois':>9} {'IS last':>9} {'CRPS mod':>9} {'CRPS poi':>9} {'CRPS last':>9}"
    )
    lines = [head, "-" * len(head)]
    for r in df.itertuples(index=False):
        lines.append(
            f"{r.process:<8} {r.metric:<15} {r.horizon:>1} {locale.fixed(r.level, 2):>5} {r.n:>5} {locale.fixed(r.coverage, 3):>6} "
            f"{locale.fixed(r.mc_se, 3):>6} {g3(r.is_model):>9} {g3(r.is_poisson):>9} {g3(r.is_last):>9} "
            f"{g3(r.crps_model):>9} {g3(r.crps_poisson):>9} {g3(r.crps_last):>9}"
        )
    secs = df.groupby("process", sort=False)["seconds"].first()
    lines.append("")
    lines.append("wall time: " + ", ".join(f"{p} {locale.fixed(s, 0)} s" for p, s in secs.items()))
    return "\n".join(lines)


# ============================================================================================ the stored study

#: Where ``calibrate --write`` keeps the study the reports show.
STORED_DIR = Path(__file__).resolve().parent / "validation"
#: What the study's numbers depend on: the model, the hedges and this study (files); the priors and the
#: reporting error (values: editing their reasons or config's paths does not make the study stale); and
#: the numerical libraries.
#: Each entry is a module or a folder of modules, relative to the package.
_CODE = ("stats/model", "stats/calibration", "core/qualifiers")
_LIBS = ("numpy", "scipy", "scoringrules", "pandas")


class StaleStudy(RuntimeError):
    """The stored study was run with other code or libraries than the ones installed."""


def normalised_code(source: str) -> list[str]:
    """What of a module's source can change the study's numbers: its top-level statements as syntax trees.

    Docstrings are left out (comments are not in the tree), and so are the package's own relative imports
    (what they bind is code of ``_CODE``, a prior, or words); an import of a library is one statement per
    name it binds (``from a import b, c`` is ``from a import b`` and ``from a import c``), so that
    :func:`code_digest` can count each binding once however many modules repeat it. Moving a function
    within or between the modules of ``_CODE`` (a new module repeating the imports it needs), moving a
    module to another folder, or editing a comment or docstring leaves the digest unchanged.

    Parameters
    ----------
    source : str
        The text of a Python module.

    Returns
    -------
    list of str
        One ``ast.dump`` per top-level statement, in the order of the source.

    Examples
    --------
    >>> normalised_code("x = 1  # one") == normalised_code("'''Doc.'''\\nx = 1")
    True
    >>> normalised_code("x = 1") == normalised_code("x = 2")
    False
    >>> normalised_code("from .model import fit") == normalised_code("from ..stats.model.signings import fit")
    True
    >>> normalised_code("from a import b, c") == normalised_code("from a import b\\nfrom a import c")
    True
    """
    import ast

    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        if (
            isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            body = body[1:]
        body = [s for s in body if not (isinstance(s, ast.ImportFrom) and s.level)]
        node.body = body or ([] if isinstance(node, ast.Module) else [ast.Pass()])
    out = []
    for stmt in tree.body:
        if isinstance(stmt, ast.Import):
            out += [ast.dump(ast.Import(names=[name])) for name in stmt.names]
        elif isinstance(stmt, ast.ImportFrom):
            out += [ast.dump(ast.ImportFrom(module=stmt.module, names=[name], level=0)) for name in stmt.names]
        else:
            out.append(ast.dump(stmt, include_attributes=False))
    return out


def _code_files(pkg: Path) -> list[Path]:
    """The files of ``_CODE`` in ``pkg``: a module, or every module of a folder."""
    out = []
    for entry in _CODE:
        path = pkg / entry
        out += sorted(path.glob("*.py")) if path.is_dir() else [path.with_suffix(".py")]
    return out


def code_digest(pkg: Path | None = None) -> str:
    """Digest of what the study's numbers depend on.

    The normalised code of ``_CODE`` (:func:`normalised_code`; each library import binding counted once),
    the priors' values, the reporting error and the library versions.

    Parameters
    ----------
    pkg : pathlib.Path, optional
        The package folder whose code is digested (default: this package).

    Returns
    -------
    str
        16 hex digits.

    Examples
    --------
    >>> len(code_digest()), code_digest() == code_digest()
    (16, True)
    """
    h = hashlib.sha256()
    pkg = Path(__file__).resolve().parents[1] if pkg is None else Path(pkg)
    statements = [s for path in _code_files(pkg) for s in normalised_code(path.read_text(encoding="utf-8"))]
    imports = {s for s in statements if s.startswith(("Import(", "ImportFrom("))}  # a binding counts once
    for stmt in [*sorted(imports), *sorted(s for s in statements if s not in imports)]:
        h.update(stmt.encode() + b"\0")
    assumptions = {k: (p.dist, p.params) for k, p in sorted(M.PRIORS.items())}
    h.update(repr((assumptions, M.INVESTMENT_MEASUREMENT_SD)).encode())
    for lib in _LIBS:
        h.update(f"{lib}=={metadata.version(lib)}\n".encode())
    return h.hexdigest()[:16]


def save(df: pd.DataFrame, size: Size, seed: int, folder: Path = STORED_DIR, shape=SHAPE) -> Path:
    """Store a study's table (CSV) with what it was run with (JSON).

    Parameters
    ----------
    df : pandas.DataFrame
        A table of :func:`run`.
    size : Size
        The size it was run with.
    seed : int
        The seed it was run with.
    folder : pathlib.Path
        Where to store it.
    shape : tuple of int
        The history shape it was run with.

    Returns
    -------
    pathlib.Path
        The CSV file written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    table = df.drop(columns=["seconds"])
    table.to_csv(folder / "calibration.csv", index=False, float_format="%.6g", lineterminator="\n")
    meta = {
        "size": asdict(size),
        "seed": seed,
        "processes": list(dict.fromkeys(df["process"])),
        "shape": list(shape),
        "digest": code_digest(),
        "libraries": {lib: metadata.version(lib) for lib in _LIBS},
        "command": "python -m analysis calibrate --write",
    }
    (folder / "calibration.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return folder / "calibration.csv"


def stored(folder: Path = STORED_DIR) -> tuple[pd.DataFrame, dict]:
    """The stored study and what it was run with.

    Parameters
    ----------
    folder : pathlib.Path
        Where the study is stored.

    Returns
    -------
    tuple of (pandas.DataFrame, dict)
        The table and its metadata (size, seed, processes, shape, digest, libraries).

    Raises
    ------
    StaleStudy
        When there is none, or it no longer describes this code, these priors or these libraries.
    """
    meta_path, csv_path = folder / "calibration.json", folder / "calibration.csv"
    if not meta_path.exists() or not csv_path.exists():
        raise StaleStudy(
            f"no stored calibration study in {folder}; run `make calibrate` (python -m analysis calibrate --write)"
        )
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("digest") != code_digest():
        raise StaleStudy(
            f"{csv_path} was run with other code, priors or libraries ({', '.join(_CODE)}; the priors "
            f"of config.py; {', '.join(_LIBS)}) than these; run `make calibrate` (python -m analysis calibrate --write) again"
        )
    return pd.read_csv(csv_path), meta


def process_label(process: str, lang: str) -> str:
    """The name of a simulated world in words, with its own parameters.

    Parameters
    ----------
    process : str
        One of :data:`PROCESSES`.
    lang : str
        The language of the words.

    Returns
    -------
    str
        The label.
    """
    return locale.word(f"process_{process}", lang).format(growth=locale.pct(GROWTH, lang, 0), jump=locale.num(JUMP))


def summary(df: pd.DataFrame) -> dict:
    """What the reports say about a study, computed from its table.

    Per process, the range of coverage at each level over the metrics and horizons, and how often the
    model's interval score beats the Poisson baseline's by more than two standard errors.

    Parameters
    ----------
    df : pandas.DataFrame
        A table of :func:`run` (or :func:`stored`).

    Returns
    -------
    dict
        ``n_histories`` and, per process, ``coverage80``/``coverage95`` (min, max), ``mc_se80``/``mc_se95``,
        ``better_than_poisson``, ``worse_than_poisson`` and ``n_targets``.
    """
    out = {"n_histories": int(df["n"].max()), "processes": {}}
    for proc, g in df.groupby("process", sort=False):
        entry = {}
        for level, gl in g.groupby("level"):
            entry[f"coverage{round(level * 100)}"] = (float(gl["coverage"].min()), float(gl["coverage"].max()))
            entry[f"mc_se{round(level * 100)}"] = float(gl["mc_se"].max())
        g95 = g[g["level"] == LEVELS[-1]]
        gain = g95["is_model"] - g95["is_poisson"]
        entry["better_than_poisson"] = int((gain < -2 * g95["is_gain_se"]).sum())
        entry["worse_than_poisson"] = int((gain > 2 * g95["is_gain_se"]).sum())
        entry["n_targets"] = int(len(g95))
        out["processes"][proc] = entry
    return out
