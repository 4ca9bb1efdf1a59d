"""CPU time of one fit of the landing model (a script, not a test): the real statements of every release.

The build fits the landing model once per vintage and the suite many times; this prints the CPU milliseconds
per fit (process time, so other work on the machine does not count), the mean of ``--repeat`` fits, for the
inputs of each release that has landing statements.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/landing_fit.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    """Fit the landing model ``--repeat`` times per release and print the CPU ms per fit."""
    from analysis import load
    from analysis.stats import metrics
    from analysis.stats import projection as P
    from analysis.stats.model import fit_landing

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    ds = load(ROOT / "data")
    for through in (2021, 2022, 2023, 2024):
        periods, stmts = P.observations(metrics.known_at_release(ds, through), through)
        if not stmts:
            continue
        fit_landing(periods, stmts)  # warm
        t = time.process_time()
        for _ in range(args.repeat):
            fit_landing(periods, stmts)
        ms = 1000 * (time.process_time() - t) / args.repeat
        print(f"through {through}: {len(stmts)} statement(s), {ms:.1f} CPU ms per landing fit")


if __name__ == "__main__":
    main()
