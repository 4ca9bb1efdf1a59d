"""Benchmark of a first run (a script, not a test): the README's two commands on a fresh clone.

Clones the repository's committed HEAD into a temporary folder (no .venv, no reports/), then runs
``make reports`` and ``make test`` there, one after the other, and prints each one's wall time and CPU time
(user + system of every process it ran: on a shared machine the CPU time says more than the wall), the
machine's core count, its load average before and after (other work on the machine slows both), and
whether uv was on PATH (else the Makefile bootstraps it into the venv). uv's and pip's caches are whatever
the machine has (a warm cache is the usual case). It takes a few minutes and both cores: run it alone.

    python3 benchmarks/fresh_clone.py [--keep] [--only reports]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: the README's two commands, in its order
COMMANDS = (["make", "reports"], ["make", "test"])


def run_timed(cmd: list[str], cwd: Path) -> tuple[float, float, int]:
    """Run cmd in cwd, its output passed through, and time it (wall and CPU).

    Parameters
    ----------
    cmd : list of str
        The command and its arguments.
    cwd : Path
        The folder it runs in.

    Returns
    -------
    tuple of (float, float, int)
        The wall time and the CPU time (user + system of the command and every process it waited for) in
        seconds, and the exit status.
    """

    def cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime

    start, cpu_start = time.perf_counter(), cpu()
    status = subprocess.run(cmd, cwd=cwd).returncode
    return time.perf_counter() - start, cpu() - cpu_start, status


def _load(avg: tuple[float, float, float]) -> str:
    """The load averages, as uptime prints them."""
    return ", ".join(f"{x:.2f}" for x in avg)


def main() -> int:
    """Clone, run the README's commands, print their wall times and the core count.

    Returns
    -------
    int
        0 when every command succeeded, 1 otherwise.
    """
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", action="store_true", help="keep the clone (its path is printed)")
    ap.add_argument(
        "--only",
        choices=[cmd[-1] for cmd in COMMANDS],
        help="run only this one of the README's commands (make reports: the first run's figure, in half the time)",
    )
    args = ap.parse_args()
    commands = [cmd for cmd in COMMANDS if args.only in (None, cmd[-1])]
    load_before = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="fresh-clone-"))
    clone = tmp / ROOT.name
    try:
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        times = [(" ".join(cmd), *run_timed(cmd, clone)) for cmd in commands]
    finally:
        if args.keep:
            print(f"clone kept in {clone}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    load_after = os.getloadavg()
    uv = shutil.which("uv")
    print(f"\nfresh clone of {ROOT.name} on {os.cpu_count()} cores (python {sys.version.split()[0]}):")
    print(f"  uv: {uv or 'not on PATH (bootstrapped into the venv by make)'}")
    print(f"  load average (1, 5, 15 min): before {_load(load_before)}, after {_load(load_after)}")
    for name, seconds, cpu, status in times:
        print(f"  {name:<13} {seconds:6.1f} s  (CPU {cpu:6.1f} s)" + ("" if status == 0 else f"  (exit {status})"))
    return int(any(status for *_, status in times))


if __name__ == "__main__":
    sys.exit(main())
