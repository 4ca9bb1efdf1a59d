"""Benchmark of a kernel start (a script, not a test): how long until a fresh ``python3`` kernel answers.

Starts a kernel of the running interpreter's environment with jupyter_client, times from the start until
it answers a ``kernel_info`` request, shuts it down, and repeats; prints each time and the median. Run it
with each environment's python to compare them:

    .venv/bin/python benchmarks/kernel_start.py [--runs 5]
    .venv-lab/bin/python benchmarks/kernel_start.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from jupyter_client.manager import start_new_kernel


def start_once() -> float:
    """Start a kernel, wait until it answers, shut it down.

    Returns
    -------
    float
        Seconds from the start until the kernel answered ``kernel_info``.
    """
    start = time.perf_counter()
    manager, client = start_new_kernel(kernel_name="python3", startup_timeout=120)
    seconds = time.perf_counter() - start
    client.stop_channels()
    manager.shutdown_kernel(now=True)
    return seconds


def main() -> None:
    """Time several kernel starts and print them with their median."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="kernel starts to time (default 5)")
    args = ap.parse_args()
    times = [start_once() for _ in range(args.runs)]
    print(f"{sys.prefix}: " + " ".join(f"{t:.2f}" for t in times) + f" s; median {statistics.median(times):.2f} s")


if __name__ == "__main__":
    main()
