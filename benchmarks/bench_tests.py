"""Benchmark of the build-heavy test files (a script, not a test): wall and CPU seconds of each file run alone.

Each file runs in its own ``python -m pytest -q`` (no xdist, the environment ``make test`` sets); its CPU is
that of every process it waited for: pytest, the kernels it started, the command lines it ran and Chromium.
Bytecode is written (as ``make test`` does: ``PYTHONDONTWRITEBYTECODE`` unset), so that a run does not pay for
compiling the stack again in every process. The files that read the shared build (``built_reports``) make it
themselves when run alone: ``tests/test_build.py`` with ``tests/test_rebuild.py`` (one pytest run, one build)
is one row.

    .venv/bin/python benchmarks/bench_tests.py [FILE ...]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: the rows run by default: the files whose tests build reports or start kernels (one row may hold several files)
DEFAULT = (
    "tests/test_build.py tests/test_rebuild.py",
    "tests/test_faults.py",
    "tests/test_escaping.py",
    "tests/test_params.py",
)


def run(files: str) -> tuple[float, float, bool]:
    """Wall and CPU seconds of one pytest run of ``files`` (space-separated), and whether it passed."""
    env = {**os.environ, "PYTHONHASHSEED": "0", "IPYKERNEL_CELL_NAME": "<IPY-INPUT>", "TQDM_DISABLE": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *files.split()],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode == 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rows", nargs="*", default=list(DEFAULT), help="test files; quote several to run them together")
    a = ap.parse_args()
    print(f"{'files':<45} {'wall s':>7} {'CPU s':>7}  result")
    total = 0.0
    for files in a.rows:
        wall, cpu, ok = run(files)
        total += cpu
        print(f"{files:<45} {wall:7.1f} {cpu:7.1f}  {'passed' if ok else 'FAILED'}", flush=True)
    print(f"{'total CPU':<45} {'':>7} {total:7.1f}  (cores: {os.cpu_count()}, load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
