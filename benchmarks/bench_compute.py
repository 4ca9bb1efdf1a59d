"""Benchmark of computing a release and rendering its prose (a script, not a test): CPU seconds, cold and warm.

In one process, for every release (``through`` = each conference year from the second):

* ``compute cold``: :func:`analysis.compute` on a freshly loaded dataset, nothing computed before for it in the
  process (the memo of results emptied, the dataset new);
* ``compute warm``: the same call on another freshly loaded dataset of the same files (what a second test, the
  other language's page of a build or a notebook run again asks for);
* ``prose cold`` / ``prose warm``: every prose section of the release's period report (5.0), both languages,
  the first time in the process and again.

The CPU of loading is not counted. Ratios (cold / warm) are printed beside each row, so that runs on a busy
machine compare.

    .venv/bin/python benchmarks/bench_compute.py [--through 2021 2022 2023 2024]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: the prose sections of a period report (notebooks/5.0-period-report.ipynb), in the page's order
PAGE_SECTIONS = (
    "main_points",
    "trends",
    "mix",
    "landing",
    "projection",
    "since_then",
    "backtest",
    "basis",
    "model",
    "calibration",
    "claims",
    "caveats",
)


def _cpu(fn) -> tuple[float, object]:
    """CPU seconds of ``fn()`` (user + system of this process) and what it returns."""
    start = time.process_time()
    out = fn()
    return time.process_time() - start, out


def _page_prose(res) -> None:
    """Render every prose section of ``res``'s period report in both languages."""
    from analysis import prose

    for lang in ("zh", "en"):
        prose.md("main_points", res, lang, subject="release")
        for section in PAGE_SECTIONS[1:]:
            if section == "mix":
                if res.period in res.mix:
                    prose.md(section, res, lang, period=res.period)
            elif section == "calibration" and not res.projection:
                continue
            else:
                prose.md(section, res, lang)


def _forget() -> None:
    """Empty the per-process memo of results (when there is one) so that the next compute is cold."""
    from analysis.stats import results

    clear = getattr(results, "clear_cache", None)
    if clear is not None:
        clear()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--through", type=int, nargs="*", help="the releases (default: every one)")
    args = ap.parse_args()

    from analysis import compute, load
    from analysis.stats import metrics

    years = args.through or [r.through for r in metrics.releases(load())]
    compute(load(), years[-1])  # imports the modules: not counted in the first release's CPU
    print(f"{'':<22}{'cold s':>9}{'warm s':>9}{'cold/warm':>11}")
    total = [0.0, 0.0, 0.0, 0.0]
    for through in years:
        _forget()
        first, again = load(), load()
        cold, res = _cpu(lambda: compute(first, through))  # noqa: B023  (called at once)
        warm, _ = _cpu(lambda: compute(again, through))  # noqa: B023
        prose_cold, _ = _cpu(lambda: _page_prose(res))  # noqa: B023
        prose_warm, _ = _cpu(lambda: _page_prose(res))  # noqa: B023
        for i, x in enumerate((cold, warm, prose_cold, prose_warm)):
            total[i] += x
        print(f"compute {through:<14}{cold:>9.3f}{warm:>9.3f}{cold / max(warm, 1e-9):>11.1f}")
        print(
            f"prose (zh+en) {through:<8}{prose_cold:>9.3f}{prose_warm:>9.3f}{prose_cold / max(prose_warm, 1e-9):>11.1f}"
        )
    print(f"{'compute, all':<22}{total[0]:>9.3f}{total[1]:>9.3f}{total[0] / max(total[1], 1e-9):>11.1f}")
    print(f"{'prose, all':<22}{total[2]:>9.3f}{total[3]:>9.3f}{total[2] / max(total[3], 1e-9):>11.1f}")


if __name__ == "__main__":
    main()
