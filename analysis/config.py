"""Where things are, in one place: the repository's folders the tools read and write.

Every path a command uses by default comes from here; each command takes an override
(``--data``, ``--out``). The tools only read :data:`DATA_DIR`.
"""

from __future__ import annotations

from pathlib import Path

#: The repository root (this package lives in ``<root>/analysis``).
ROOT = Path(__file__).resolve().parent.parent
#: Published figures with provenance (read-only for the tools).
DATA_DIR = ROOT / "data"
#: The parameterized notebooks (templates of the reports, and what nbval checks).
NOTEBOOK_DIR = ROOT / "notebooks"
#: Where ``python -m analysis build`` writes by default (regenerable output).
REPORTS_DIR = ROOT / "reports"
