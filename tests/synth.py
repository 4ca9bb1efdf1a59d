"""Write small SYNTHETIC data directories (never real figures) for property-based tests."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from analysis.data.schema import TABLES

GROUPS = ["甲类", "乙类", "丙类", "丁类", "戊类", "己类"]
#: the folder synthetic datasets are made in: the run's temporary folder, which pytest removes with the run's
#: (tests/conftest.py sets it at the session's start); the system's temporary folder when unset
ROOT: list[Path] = []


def new_folder() -> Path:
    """A new, empty folder for one synthetic dataset, under :data:`ROOT`.

    A hypothesis test makes one per example (its ``tmp_path`` is one for all of them); made under the run's
    temporary folder, none is left in the system's after the run (they once were, about 120 a run).
    """
    return Path(tempfile.mkdtemp(prefix="synth-", dir=ROOT[0] if ROOT else None))


def _evidence(*numbers) -> str:
    """A fragment that writes every number of the row (and the amount's term), as check requires."""
    return "syn " + " ".join(f"{x}" for x in numbers if x is not None)


def write_table(folder: Path, name: str, rows: list[dict]) -> None:
    cols = list(TABLES[name].columns)
    with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(cols)
        for r in rows:
            w.writerow(["" if r.get(c) is None else r.get(c) for c in cols])


def write_dataset(
    folder: Path,
    years: list[dict],
    landing: list[dict] | None = None,
    totals: list[dict] | None = None,
    extra_years: list[int] = (),
) -> Path:
    """years: [{"year", "projects", "investment", "groups": [(projects, amount|None), ...]}];
    totals: extra total rows [{"first_year", "last_year", "projects", "investment"}] (aggregates, cumulative);
    extra_years: conference years without a single-year row (inside an aggregate)."""
    folder.mkdir(parents=True, exist_ok=True)
    src = "synthetic"
    write_table(
        folder,
        "sources",
        [{"source_id": src, "publisher_zh": "合成", "publisher_en": "synthetic", "language": "zh", "date_year": 2024}],
    )
    conf = sorted([*extra_years, *(y["year"] for y in years)])
    write_table(folder, "conferences", [{"year": y, "source_id": src, "evidence": "synthetic"} for y in conf])
    sig = []
    for t in totals or []:
        sig.append(
            {
                "source_id": src,
                "first_year": t["first_year"],
                "last_year": t["last_year"],
                "dimension": "total",
                "projects": t["projects"],
                "projects_qualifier": None if t["projects"] is None else "exact",
                "investment_100m_yuan": t["investment"],
                "investment_qualifier": None if t["investment"] is None else "exact",
                "investment_term_zh": None if t["investment"] is None else "意向投资额",
                "evidence": _evidence(
                    t["projects"], t["investment"], None if t["investment"] is None else "意向投资额"
                ),
            }
        )
    for y in years:
        yr = y["year"]
        sig.append(
            {
                "source_id": src,
                "first_year": yr,
                "last_year": yr,
                "dimension": "total",
                "projects": y["projects"],
                "projects_qualifier": "exact",
                "investment_100m_yuan": y["investment"],
                "investment_qualifier": None if y["investment"] is None else "exact",
                "investment_term_zh": None if y["investment"] is None else "意向投资额",
                "evidence": _evidence(
                    y["projects"], y["investment"], None if y["investment"] is None else "意向投资额"
                ),
            }
        )
        for name, (n, amount) in zip(GROUPS, y.get("groups", []), strict=False):  # the first groups only
            sig.append(
                {
                    "source_id": src,
                    "first_year": yr,
                    "last_year": yr,
                    "dimension": "category",
                    "group_zh": name,
                    "projects": n,
                    "projects_qualifier": "exact",
                    "investment_100m_yuan": amount,
                    "investment_qualifier": None if amount is None else "exact",
                    "investment_term_zh": None if amount is None else "意向投资额",
                    "evidence": _evidence(n, amount, None if amount is None else "意向投资额"),
                }
            )
    write_table(folder, "signings", sig)
    write_table(
        folder,
        "landing",
        [
            dict(source_id=src, evidence=_evidence(r.get("signed"), r.get("landed"), r.get("stated_rate_pct")), **r)
            for r in (landing or [])
        ],
    )
    write_table(
        folder,
        "taxonomy",
        [
            {
                "dimension": "category",
                "dimension_zh": "类别",
                "dimension_en": "category",
                "group_zh": g,
                "group_en": f"G{i}",
                "harmonised": f"g{i}",
                "harmonised_zh": g,
                "harmonised_en": f"G{i}",
            }
            for i, g in enumerate(GROUPS)
        ],
    )
    for name in ("claims", "named_projects", "details"):
        write_table(folder, name, [])
    return folder
