"""Benchmark of the projection model's inference (a script, not a test): every figure measured in one run.

CPU time (``time.process_time``, so the figures hold on a shared machine) per simulated history, at the
calibration study's settings (``n_draws=1000``, ``n_grid=10``), over the simulated histories of every world
of :mod:`analysis.stats.calibration` (each world's histories share their shape):

* ``fit``: one :func:`analysis.stats.model.fit` per history;
* ``fit_many``: :func:`analysis.stats.model.fit_many` over each world's histories at once;
* ``predict``: 2000 posterior-predictive draws for three years per history (what the study draws);
* the real history (data/ through its last release) fitted at the projection's settings.

Also: the ratio fit / fit_many, whether both gave the same weights, and the share of fits whose Pareto k-hat
is still above 0.7 after refits (and how many needed one). With ``--baseline REV`` (a git revision), fit_many
of that revision's ``analysis/stats/model/signings.py`` is timed in the same run, alternating with this tree's
(the smaller of two runs each), for a before/after ratio that a shared machine's load does not skew. The
allocator is tuned as in the calibration study's workers (:func:`analysis.stats.calibration.keep_freed_arrays`).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_fit.py [--histories 40] [--baseline 2915990]
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis import load  # noqa: E402
from analysis.stats import calibration as C  # noqa: E402
from analysis.stats import metrics  # noqa: E402
from analysis.stats import model as M  # noqa: E402
from analysis.stats import projection as P  # noqa: E402

SETTINGS = {"n_draws": 1000, "n_grid": 10}


def cpu(fn):
    """CPU seconds of ``fn()`` and its value."""
    t = time.process_time()
    out = fn()
    return time.process_time() - t, out


def signings_at(rev: str):
    """The module ``analysis/stats/model/signings.py`` as it was at git revision ``rev`` (imported beside
    today's, under another name; its relative imports are today's modules)."""
    src = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:analysis/stats/model/signings.py"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "signings_base.py"
    path.write_text(src, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("analysis.stats.model.signings_base", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--histories", type=int, default=40, help="simulated histories per world")
    ap.add_argument("--baseline", help="a git revision whose fit_many is timed in the same run")
    args = ap.parse_args()
    C.keep_freed_arrays()
    v = metrics.vintage(load())
    last = v.through
    periods, statements = P.observations(v.dataset, last)
    M.fit(periods, statements, seed=0)  # warm: the first call pays for lazy imports
    t_real = sorted(cpu(lambda s=s: M.fit(periods, statements, seed=s))[0] for s in range(5))[2]
    t_bare = sorted(cpu(lambda s=s: M.fit(periods, seed=s))[0] for s in range(5))[2]
    worlds = {}
    for i, process in enumerate(C.PROCESSES):
        rng = np.random.default_rng([20240601, i])
        hist = [C.simulate_history(process, rng, C.SHAPE, 3)[0] for _ in range(args.histories)]
        worlds[process] = (hist, [int(s) for s in rng.integers(2**31, size=args.histories)])
    n = sum(len(h) for h, _ in worlds.values())
    pairs = [(p, s) for h, ss in worlds.values() for p, s in zip(h, ss, strict=True)]
    t_one, one = cpu(lambda: [M.fit(p, seed=s, **SETTINGS) for p, s in pairs])
    t_many, many = cpu(lambda: [q for h, ss in worlds.values() for q in M.fit_many(h, ss, **SETTINGS)])
    years = [2019 + sum(C.SHAPE) + k for k in range(3)]
    t_pred, _ = cpu(lambda: [q.predict(years, 2000, np.random.default_rng(0)) for q in many])
    same = all(a.weights == b.weights and a.diagnostics() == b.diagnostics() for a, b in zip(one, many, strict=True))
    diag = [d for q in many for d in q.diagnostics().values()]
    high = sum(max(d["khat"] for d in q.diagnostics().values()) > 0.7 for q in many)
    refit = sum(d["refits"] > 0 for d in diag)
    print(f"{n} simulated histories ({args.histories} per world, {len(worlds)} worlds), CPU ms per history:")
    print(f"  fit       {1000 * t_one / n:7.1f}")
    print(f"  fit_many  {1000 * t_many / n:7.1f}   (fit / fit_many = {t_one / t_many:.2f}; same results: {same})")
    print(f"  predict   {1000 * t_pred / n:7.1f}   (2000 draws, 3 years)")
    print(f"  fit_many + predict {1000 * (t_many + t_pred) / n:5.1f}")
    print(
        f"real history through {last}, 2000 draws (median of 5): fit {1000 * t_bare:.1f} CPU ms, with landing {1000 * t_real:.1f}"
    )
    print(
        f"fits with k-hat > 0.7 after refits: {high} of {n} ({high / n:.1%}); model fits refitted: {refit} of {len(diag)}"
    )
    if args.baseline:
        base = signings_at(args.baseline)
        times = {"base": [], "this": []}
        for _ in range(2):
            for key, mod in (("base", base), ("this", M)):
                times[key].append(
                    cpu(lambda mod=mod: [mod.fit_many(h, ss, **SETTINGS) for h, ss in worlds.values()])[0]
                )
        tb, tt = min(times["base"]), min(times["this"])
        print(
            f"fit_many at {args.baseline}: {1000 * tb / n:.1f} CPU ms per history; this tree: {1000 * tt / n:.1f}"
            f" (this / baseline = {tt / tb:.2f})"
        )


if __name__ == "__main__":
    main()
