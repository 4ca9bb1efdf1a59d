"""Simulation-study tests: calibration inside the model family (fails if intervals are too narrow
*or* too wide), gains over the constant-rate baseline under drift, determinism, formatting.

Size of the coverage test: 400 simulated histories (8 grid nodes per scale axis, to keep the suite
fast). The binomial Monte-Carlo standard error of a coverage estimate is then sqrt(.8*.2/400) = 0.020
at 80 % and sqrt(.95*.05/400) = 0.011 at 95 %, so the bands [0.74, 0.86] and [0.92, 0.98] are 3.0 and
2.75 standard errors wide on each side: a
calibrated model fails one of the 16 checks below with probability of roughly 2 % (they are
correlated, so less), while an interval whose true coverage is off by 0.06 (80 %) or 0.03 (95 %)
fails about half the time and one off by more fails almost surely. Coverage is computed from the
randomised PIT, so that discrete counts are not credited with whole atoms at the interval ends.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import calibration as C

BANDS = {0.8: (0.74, 0.86), 0.95: (0.92, 0.98)}
CHECKED = [("projects", 1), ("projects", 2), ("projects", 3), ("investment", 1), ("investment", 2),
           ("investment", 3), ("projects_cum", 3), ("investment_cum", 3)]


@pytest.fixture(scope="module")
def own_process():
    return C.run(processes=("model",), size=C.Size(400, n_sims=1000, n_grid=8), seed=101)


@pytest.fixture(scope="module")
def drifting():
    return C.run(processes=("growth", "rw"), size=C.Size(60, n_sims=1000, n_grid=8), seed=202)


def test_coverage_inside_model_family(own_process):
    df = own_process.set_index(["metric", "horizon", "level"])
    bad = []
    for metric, h in CHECKED:
        for level, (lo, hi) in BANDS.items():
            cov = df.loc[(metric, h, level), "coverage"]
            if not lo <= cov <= hi:
                bad.append((metric, h, level, cov))
    assert not bad, bad
    # the standard errors reported are the binomial ones
    r = df.loc[("projects", 1, 0.95)]
    assert abs(r["mc_se"] - np.sqrt(r["coverage"] * (1 - r["coverage"]) / r["n"])) < 1e-12
    assert r["n"] == 400


def test_model_beats_constant_rate_under_growth_and_random_walk(drifting):
    for process, g in drifting.groupby("process"):
        at95 = g[g.level == 0.95]
        assert (at95.is_model < at95.is_poisson).all(), (process, at95[["metric", "horizon", "is_model", "is_poisson"]])
        proj80 = g[(g.level == 0.8) & g.metric.str.startswith("projects")]
        assert (proj80.is_model < proj80.is_poisson).all(), process
        # investment at 80 %: pooled over horizons (the margins are smaller there)
        inv80 = g[(g.level == 0.8) & g.metric.str.startswith("investment")]
        assert inv80.is_model.mean() < inv80.is_poisson.mean(), process


def test_deterministic_table():
    a = C.run(processes=("jump", "heavy"), size=C.Size(3, n_sims=300), seed=5)
    b = C.run(processes=("jump", "heavy"), size=C.Size(3, n_sims=300), seed=5)
    cols = [c for c in a.columns if c != "seconds"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    assert set(a.process) == {"jump", "heavy"}
    assert {"coverage", "mc_se", "is_model", "is_poisson", "is_last", "crps_model", "crps_poisson",
            "crps_last"} <= set(a.columns)


def test_simulated_history_shapes():
    rng = np.random.default_rng(0)
    for process in C.PROCESSES:
        periods, future = C.simulate_history(process, rng, shape=(3, 1, 2), horizon=2)
        assert [(p.first_year, p.last_year) for p in periods] == [(2019, 2021), (2022, 2022), (2023, 2024)]
        assert future["projects"].shape == (2,) and np.all(future["investment"] > 0)


def test_format_table(drifting):
    text = C.format_table(drifting)
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["process", "metric", "h"]
    assert len(lines) == len(drifting) + 4
    assert "growth" in text and "wall time" in lines[-1]
