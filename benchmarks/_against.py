"""What the before-and-after benchmarks share: a revision measured against this checkout, taking turns.

``bench_load.py`` and ``bench_charts.py`` import it (they run as scripts, so this folder is on ``sys.path``).
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def in_turns(against: str, rounds: int, measure: Callable[[Path], dict], keys: Iterable[str]):
    """Measure revision ``against`` and this checkout ``rounds`` times, taking turns, so a busy machine slows both.

    ``against`` is extracted with ``git archive`` into a temporary folder (the repository's worktrees are left
    alone); ``measure(tree)`` runs in that folder and in this checkout.

    Parameters
    ----------
    against : str
        The git revision measured as "before".
    rounds : int
        Turns of the two trees.
    measure : callable
        ``measure(tree) -> dict`` of figures for a checkout.
    keys : iterable of str
        The figures whose median over the rounds is returned.

    Returns
    -------
    tuple
        ``(rounds, before, after)``: every turn's ``(before, after)`` figures, and the median of each key over the
        rounds, before and after.
    """
    keys = list(keys)
    with tempfile.TemporaryDirectory() as tmp:
        before_tree = Path(tmp) / "before"
        before_tree.mkdir()
        archive = subprocess.run(["git", "archive", against], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(before_tree)], input=archive, check=True)
        turns = [(measure(before_tree), measure(ROOT)) for _ in range(rounds)]
    before, after = ({k: statistics.median(r[k] for r in tree) for k in keys} for tree in zip(*turns, strict=True))
    return turns, before, after
