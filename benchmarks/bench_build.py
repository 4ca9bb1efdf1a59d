"""Benchmark of the build (a script, not a test): every figure and ratio measured in one run.

* floor: one fresh papermill run of a notebook that only imports the stack (kernel start + imports),
  what a build pays per notebook when every notebook gets a fresh kernel;
* full build: ``python -m analysis build --force`` into a temporary directory (wall, and CPU of every process);
* no-op rebuild: the same command again without ``--force`` (nothing changed);
* check: ``python -m analysis check``.

Ratios: build / (ceil(notebooks / cores) × floor) — below 1.0 the build beats perfectly parallel fresh
kernels — and no-op / floor.

    .venv/bin/python benchmarks/bench_build.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: exactly what the notebooks import: their first cell, and what computing the results imports on the way
STACK = (
    "from analysis import charts, compute, load, notebook, prose, tables\n"
    "import analysis.stats.projection, scoringrules\n"
)


#: CPU seconds (user + system) of the commands :func:`timed` ran, kernels included, by command name
CPU: dict[str, list[float]] = {}


def timed(cmd: list[str], env=None, name: str | None = None) -> float:
    """Wall seconds of ``cmd``; its CPU seconds, with every process it waited for, go to ``CPU[name]``."""
    import resource

    def cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime

    t, c = time.perf_counter(), cpu()
    subprocess.run(cmd, check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if name:
        CPU.setdefault(name, []).append(cpu() - c)
    return time.perf_counter() - t


def floor_once(tmp: Path) -> float:
    import nbformat
    import papermill as pm

    from analysis.pipeline.kernels import KERNEL_ARGS

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(STACK)]
    src, dst = tmp / "floor.ipynb", tmp / "floor-out.ipynb"
    nbformat.write(nb, src)
    t = time.perf_counter()
    pm.execute_notebook(str(src), str(dst), kernel_name="python3", progress_bar=False, extra_arguments=KERNEL_ARGS)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement (the minimum is reported)")
    a = ap.parse_args()
    from analysis import load
    from analysis.pipeline.build import plan
    from analysis.pipeline.kernels import KERNEL_ENV

    env = {**os.environ, **KERNEL_ENV}
    env.pop("MPLBACKEND", None)
    os.environ.update(KERNEL_ENV)
    os.environ.pop("MPLBACKEND", None)
    py = sys.executable
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        n_nb = len(plan(load(None), out_dir=tmp / "plan"))
        floor_once(tmp)  # warm the file cache
        floors, builds, noops, checks = [], [], [], []
        for i in range(a.repeat):
            out = tmp / f"reports{i}"
            floors.append(floor_once(tmp))
            builds.append(timed([py, "-m", "analysis", "build", "--out", str(out), "--force", "--quiet"], env, "build"))
            noops.append(timed([py, "-m", "analysis", "build", "--out", str(out), "--quiet"], env))
            checks.append(timed([py, "-m", "analysis", "check"], env))
    f, b, n, _c = min(floors), min(builds), min(noops), min(checks)
    ideal = math.ceil(n_nb / cores) * f

    def line(name, xs):
        return f"{name:<16} min {min(xs):6.2f} s   median {statistics.median(xs):6.2f} s   ({', '.join(f'{x:.2f}' for x in xs)})"

    print(f"{n_nb} notebooks on {cores} cores, {a.repeat} runs each")
    print(line("floor", floors))
    print(line("full build", builds))
    print(line("  its CPU", CPU["build"]) + "   (user + system, kernels included: what a shared machine does not blur)")
    print(line("no-op rebuild", noops))
    print(line("check", checks))
    print(f"build / (ceil({n_nb} / {cores}) x floor) = {b:.2f} / {ideal:.2f} = {b / ideal:.2f}   (target <= 1.0)")
    print(f"no-op / floor = {n:.2f} / {f:.2f} = {n / f:.2f}   (target <= 0.5)")


if __name__ == "__main__":
    main()
