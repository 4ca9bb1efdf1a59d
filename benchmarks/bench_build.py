"""Benchmark of the report build (a script, not a test).

Measures, in one run:
- the floor: start one kernel and import the analysis stack in it, as papermill does for every
  notebook (a one-cell notebook executed through papermill's Python API);
- the full build: `python -m analysis build` into a temporary directory;
and prints build / floor with the number of notebooks executed and the parallel jobs.

    .venv/bin/python benchmarks/bench_build.py [--repeat 3] [--jobs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import papermill as pm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.build import KERNEL_ARGS, KERNEL_ENV, analysis_notebooks  # noqa: E402
from analysis.data import load  # noqa: E402

STACK = "import pandas, seaborn, statsmodels.api, papermill\nimport analysis.plotting, analysis.projection, analysis.report\n"


def floor_once(tmp: Path) -> float:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(STACK)]
    src, dst = tmp / "floor.ipynb", tmp / "floor-out.ipynb"
    nbformat.write(nb, src)
    t = time.perf_counter()
    pm.execute_notebook(str(src), str(dst), kernel_name="python3", progress_bar=False, extra_arguments=KERNEL_ARGS)
    return time.perf_counter() - t


def build_once(out: Path, jobs: int | None) -> float:
    cmd = [sys.executable, "-m", "analysis", "build", "--out", str(out), "--quiet"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    t = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs of the floor (the build runs twice)")
    ap.add_argument("--jobs", type=int, default=None, help="parallel jobs of the build (default: cores)")
    a = ap.parse_args()
    os.environ.update(KERNEL_ENV)
    os.environ.pop("MPLBACKEND", None)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        floor_once(tmp)  # warm the file cache
        floors = [floor_once(tmp) for _ in range(a.repeat)]
        builds = [build_once(tmp / f"reports{i}", a.jobs) for i in range(2)]
    n_nb = len(analysis_notebooks()) + len(load(None).conference_years)
    jobs = a.jobs or os.cpu_count()
    f, b = min(floors), min(builds)
    print(f"floor (kernel start + imports): min {f:.1f} s, median {statistics.median(floors):.1f} s over {len(floors)} runs")
    print(f"full build: min {b:.1f} s, runs {', '.join(f'{x:.1f}' for x in builds)} s")
    print(f"notebooks executed: {n_nb}; jobs: {jobs}; cores: {os.cpu_count()}")
    print(f"build / floor = {b / f:.1f}  (ideal with {jobs} parallel kernels ≈ {n_nb / jobs:.1f})")


if __name__ == "__main__":
    main()
