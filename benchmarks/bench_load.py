"""Benchmark of loading and checking the data (a script, not a test): CPU seconds, before and after, in one run.

What the load path costs, measured in one run for two trees of the package, each in fresh processes, the two
taking turns (``--rounds``; the median of the rounds is printed, so a change in the machine's load falls on both):

* before: the package as of ``--against`` (a git revision, default ``main``; the script extracts it with
  ``git archive`` into a temporary folder);
* after: the package of this checkout.

For each tree: ``load()`` of data/ (the median of ``--repeat`` calls), ``python -m analysis check`` in the
process (the command's function, after its imports) and as a whole process (imports included, from
``getrusage``), and ``Dataset.as_known_at`` at every source date, first on a fresh dataset (``cold``: the
vintage is resolved) and then again on the same one (``warm``: what the dozens of calls of one compute cost).
Both trees read their own data/ (the same files unless ``--against`` changed them). The two trees' outcomes
are compared (the ``check`` line, the problems of an edited copy of data/): they must be identical.

    .venv/bin/python benchmarks/bench_load.py [--against main] [--repeat 5] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

from _against import in_turns

ROOT = Path(__file__).resolve().parent.parent
#: The measures, and how the table names them.
KEYS = {
    "load": "load()",
    "check": "check (in process)",
    "check_process": "python -m analysis check",
    "as_known_at_cold": "as_known_at, first call",
    "as_known_at_warm": "as_known_at, again",
}

#: Run in a fresh process with the tree on sys.path; prints one JSON object of CPU seconds and outcomes.
WORKER = r"""
import contextlib, io, json, shutil, statistics, sys, tempfile, time
from pathlib import Path

repeat = int(sys.argv[1])
from analysis import load
from analysis.api import DataError
from analysis.core.config import DATA_DIR
from analysis.pipeline import cli

def cpu(fn, n=repeat):
    times = []
    for _ in range(n):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return statistics.median(times)

def check():
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(["check", "--data", str(DATA_DIR)])
    return status, out.getvalue(), err.getvalue()

load()  # the first call pays for lazy imports, as a process's first load does
ds = load()
dates = sorted(set(ds.source_dates.values()))

def cold():
    fresh = load()
    t = time.process_time()
    for d in dates:
        fresh.as_known_at(d)
    return time.process_time() - t

cold_times = [cold() for _ in range(repeat)]
for d in dates:
    ds.as_known_at(d)

def warm():
    for d in dates:
        ds.as_known_at(d)

with tempfile.TemporaryDirectory() as tmp:
    bad = Path(tmp) / "data"
    shutil.copytree(DATA_DIR, bad)
    text = (bad / "signings.csv").read_text(encoding="utf-8")
    (bad / "signings.csv").write_text(text.replace(",total,", ",Total,", 1), encoding="utf-8")
    try:
        load(bad)
        problems = []
    except DataError as exc:
        problems = [str(p).replace(tmp, "TMP") for p in exc.problems]

status, out, err = check()
print(json.dumps({
    "load": cpu(load),
    "check": cpu(check),
    "as_known_at_cold": statistics.median(cold_times) / len(dates),
    "as_known_at_warm": cpu(warm) / len(dates),
    "outcome": {"check": [status, out.replace(str(DATA_DIR), "DATA"), err], "problems": problems},
}))
"""


def measure(tree: Path, repeat: int, python: str) -> dict:
    """The worker's figures for the package of ``tree``, and the CPU of a whole ``check`` process.

    Parameters
    ----------
    tree : pathlib.Path
        A checkout of the repository (its ``analysis/`` and ``data/``).
    repeat : int
        Calls of each measured function (the median is kept).
    python : str
        The interpreter (this checkout's ``.venv``).

    Returns
    -------
    dict
        CPU seconds by measure, and the outcomes to compare.
    """
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0"}
    env.pop("ANALYSIS_DATA_DIR", None)
    done = subprocess.run(
        [python, "-c", WORKER, str(repeat)], cwd=tree, env=env, capture_output=True, text=True, check=True
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    processes = []
    for _ in range(max(3, repeat // 2)):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [python, "-m", "analysis", "check"], cwd=tree, env=env, capture_output=True, text=True, check=True
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        processes.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    figures["check_process"] = sorted(processes)[len(processes) // 2]
    return figures


def main() -> None:
    """Measure both trees, taking turns, and print the table of CPU seconds and ratios."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", default="main", help="the git revision measured as 'before' (default main)")
    ap.add_argument("--repeat", type=int, default=5, help="calls of each measured function (the median is kept)")
    ap.add_argument("--rounds", type=int, default=3, help="turns of the two trees (the median is printed)")
    args = ap.parse_args()
    python = str(ROOT / ".venv" / "bin" / "python")
    rounds, before, after = in_turns(args.against, args.rounds, lambda tree: measure(tree, args.repeat, python), KEYS)
    print(
        f"CPU seconds (median of {args.repeat} calls, then of {args.rounds} rounds); before = {args.against}, "
        f"after = this checkout; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'measure':<28}{'before':>10}{'after':>10}{'ratio':>9}")
    for key, label in KEYS.items():
        b, a = before[key], after[key]
        print(f"{label:<28}{b:>10.4f}{a:>10.4f}{b / a if a else float('inf'):>8.1f}x")
    outcomes = [r["outcome"] for turn in rounds for r in turn]
    same = all(o == outcomes[0] for o in outcomes)
    print("outcomes (check's output, an edited copy's problems):", "identical" if same else "DIFFERENT")
    if not same:
        for o in outcomes:
            print(json.dumps(o, ensure_ascii=False, indent=1))
        sys.exit(1)


if __name__ == "__main__":
    main()
