"""Benchmark of drawing the charts (a script, not a test): CPU seconds, before and after, in one run.

What every chart the reports show costs, as a build draws it (:func:`analysis.present.notebook.figure_html`):
every chart of every release (the period report's charts of each release; for the latest, the analysis
notebooks' too: both measures, every breakdown and comparison, the forecast record; and the index's series),
in zh and en, drawn wide (the chart function), drawn again narrow (``fig.redraw("narrow")``) and saved as two
PNGs (:func:`analysis.present.charts.png`). Measured for two trees of the package, each in a fresh process, the
two taking turns (``--rounds``; the median of the rounds is printed, so a change in the machine's load falls
on both):

* before: the package as of ``--against`` (a git revision, default ``main``; the script extracts it with
  ``git archive`` into a temporary folder, a checkout that leaves the repository's worktrees alone);
* after: the package of this checkout.

For each tree: the CPU seconds of drawing (the chart functions, wide and narrow), of the PNGs (their draws,
palettes and compression) and of both; the figure draws (``Figure.draw``: the layout draws of label placement
and the draw of each PNG) and constrained layouts done; the PNG bytes. The results are computed before the clock
starts. Every PNG is decoded and its pixels compared between the two trees: they must be identical (the
bytes may differ only when the PNG encoder's settings do; the script says whether they do).

    .venv/bin/python benchmarks/bench_charts.py [--against main] [--rounds 3] [--through 2023 2024]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from _against import in_turns

ROOT = Path(__file__).resolve().parent.parent
#: The measures, and how the table names them.
KEYS = {
    "draw": "draw wide + narrow (CPU s)",
    "png": "PNGs (CPU s)",
    "total": "total (CPU s)",
    "figure_draws": "Figure.draw calls",
    "layouts": "constrained layouts",
    "png_bytes": "PNG bytes (kB)",
}

#: Run in a fresh process with the tree on sys.path; prints one JSON object: CPU seconds, counts, and each PNG's
#: pixels (a SHA-256 of the decoded RGB array) and bytes (a SHA-256 of the file).
WORKER = r"""
import hashlib, io, json, sys, time
import numpy as np
from PIL import Image
from matplotlib import _constrained_layout
from matplotlib.figure import Figure
from analysis import charts, compute, load
from analysis.stats.record import forecast_record

throughs = [int(x) for x in sys.argv[1].split(",") if x]
ds = load()
results = {t: compute(ds, t) for t in throughs}
latest = max(throughs)
rec = forecast_record(ds, refit=False)
everything = compute(ds, projection=False)
charts.setup_style("zh")

def cases(res, analyses):
    out = [("signings-projects", lambda lang: charts.signings(res, lang, "projects")),
           ("cumulative-investment", lambda lang: charts.cumulative(res, lang, "investment"))]
    if len(res.landing):
        out.append(("landing", lambda lang: charts.landing(res, lang)))
    if res.projection is not None:
        out.append(("projection", lambda lang: charts.projection(res, lang, "investment")))
    mixes = res.mix.items() if analyses else [(p, b) for p, b in res.mix.items() if p == res.period]
    for period, by in mixes:
        for scheme, mx in by.items():
            out.append((f"mix-{period.key}-{scheme}", lambda lang, mx=mx: charts.mix(res, lang, mx)))
    if analyses:
        out += [
            ("signings-investment", lambda lang: charts.signings(res, lang, "investment")),
            ("cumulative-projects", lambda lang: charts.cumulative(res, lang, "projects", projection=False)),
            ("cumulative-inv-past", lambda lang: charts.cumulative(res, lang, "investment", projection=False)),
            ("projection-projects", lambda lang: charts.projection(res, lang, "projects")),
            ("record-projects", lambda lang: charts.record(everything, lang, rec, "projects")),
            ("record-investment", lambda lang: charts.record(everything, lang, rec, "investment")),
        ]
        out += [(f"compare-{s}", lambda lang, s=s: charts.compare(res, lang, s, "projects"))
                for s in res.comparable_schemes()]
    return out

counts = {"figure_draws": 0, "layouts": 0}
draw, layout = Figure.draw, _constrained_layout.do_constrained_layout
def counted_draw(self, renderer):
    counts["figure_draws"] += 1
    return draw(self, renderer)
def counted_layout(*a, **k):
    counts["layouts"] += 1
    return layout(*a, **k)
Figure.draw = counted_draw
_constrained_layout.do_constrained_layout = counted_layout
import matplotlib.layout_engine
matplotlib.layout_engine.do_constrained_layout = counted_layout

def pixels(data):
    with Image.open(io.BytesIO(data)) as im:
        return hashlib.sha256(np.asarray(im.convert("RGB")).tobytes()).hexdigest()

cpu = {"draw": 0.0, "png": 0.0}
pngs = {}
def timed(key, fn):
    t = time.process_time()
    out = fn()
    cpu[key] += time.process_time() - t
    return out

for lang in ("zh", "en"):
    for through in throughs:
        for name, fn in cases(results[through], through == latest):
            wide = timed("draw", lambda: fn(lang))
            narrow = timed("draw", lambda: wide.redraw("narrow"))
            for size, fig in (("wide", wide), ("narrow", narrow)):
                pngs[f"{through} {name} {lang} {size}"] = timed("png", lambda: charts.png(fig))
    series = timed("draw", lambda: charts.series(everything, lang))
    pngs[f"index series {lang} narrow"] = timed("png", lambda: charts.png(series))

print(json.dumps({
    **cpu,
    "total": cpu["draw"] + cpu["png"],
    **counts,
    "png_bytes": sum(len(p) for p in pngs.values()) / 1000,
    "pixels": {k: pixels(v) for k, v in pngs.items()},
    "bytes": {k: hashlib.sha256(v).hexdigest() for k, v in pngs.items()},
}))
"""


def measure(tree: Path, throughs: list[int], python: str) -> dict:
    """The worker's figures for the package of ``tree``, in a fresh process.

    Parameters
    ----------
    tree : pathlib.Path
        A checkout of the repository (its ``analysis/`` and ``data/``).
    throughs : list of int
        The releases drawn (the last is the one the analysis notebooks show).
    python : str
        The interpreter (this checkout's ``.venv``).

    Returns
    -------
    dict
        CPU seconds and counts by measure, and each PNG's pixel and byte digests.
    """
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0", "MPLBACKEND": "Agg"}
    env.pop("ANALYSIS_DATA_DIR", None)
    done = subprocess.run(
        [python, "-c", WORKER, ",".join(map(str, throughs))],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"the worker failed in {tree}:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def releases(python: str) -> list[int]:
    """Every release a build writes a report for (each conference year from the second)."""
    code = "from analysis import load; from analysis.stats import metrics; print(*[r.through for r in metrics.releases(load())])"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([python, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return [int(x) for x in out.stdout.split()]


def main() -> None:
    """Measure both trees, taking turns, and print the table of CPU seconds, counts and ratios."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", default="main", help="the git revision measured as 'before' (default main)")
    ap.add_argument("--rounds", type=int, default=3, help="turns of the two trees (the median is printed)")
    ap.add_argument("--through", type=int, nargs="*", help="the releases drawn (default: every one)")
    args = ap.parse_args()
    python = str(ROOT / ".venv" / "bin" / "python")
    throughs = sorted(args.through or releases(python))
    rounds, before, after = in_turns(args.against, args.rounds, lambda tree: measure(tree, throughs, python), KEYS)
    n = len(rounds[0][0]["pixels"])
    print(
        f"{n} PNGs (releases {', '.join(map(str, throughs))}; zh and en; wide and narrow); median of "
        f"{args.rounds} rounds; before = {args.against}, after = this checkout; "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'measure':<30}{'before':>10}{'after':>10}{'ratio':>9}")
    for key, label in KEYS.items():
        b, a = before[key], after[key]
        fmt = ".3f" if "CPU" in label else ".0f" if "kB" not in label else ".1f"
        print(f"{label:<30}{b:>10{fmt}}{a:>10{fmt}}{b / a if a else float('inf'):>8.2f}x")
    print(f"{'CPU ms per PNG (all in)':<30}{before['total'] / n * 1000:>10.1f}{after['total'] / n * 1000:>10.1f}")
    digests = [r["pixels"] for turn in rounds for r in turn]
    same = all(d == digests[0] for d in digests)
    print("decoded pixels of every PNG, both trees, every round:", "identical" if same else "DIFFERENT")
    bytes_same = all(r["bytes"] == rounds[0][0]["bytes"] for turn in rounds for r in turn)
    print("PNG bytes:", "identical" if bytes_same else "different (the encoder's settings)")
    if not same:
        first = digests[0]
        for d in digests[1:]:
            for k in first:
                if d.get(k) != first[k]:
                    print("  pixels differ:", k)
        sys.exit(1)


if __name__ == "__main__":
    main()
