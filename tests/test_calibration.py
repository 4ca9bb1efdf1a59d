"""Simulation-study tests: calibration inside the model family (fails if intervals are too narrow
*or* too wide), gains over the constant-rate baseline under drift, determinism, formatting, and the
stored study the reports show.

Two coverage checks, both with bands of three binomial standard errors either side of the nominal
level (computed from the number of histories, not typed in):

* live, 200 simulated histories of the model's own process (8 grid nodes per scale axis, to keep the
  suite fast): bands of about ±0.085 at 80 % and ±0.046 at 95 %, so it catches gross miscalibration;
* stored, the full study of ``python -m analysis calibrate --write`` (1000 histories per world), which
  must describe the code installed (its digest) and is held to about ±0.038 and ±0.021. Of the 16
  checks of each, a calibrated model fails one with probability of well under 5 % (they are correlated).

Coverage is computed from the randomised PIT, so that discrete counts are not credited with whole
atoms at the interval ends.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import load
from analysis.stats import calibration as C
from analysis.stats import metrics as M

from .conftest import DATA


def bands(n: int, k: float = 3.0) -> dict[float, tuple[float, float]]:
    return {lv: (lv - k * np.sqrt(lv * (1 - lv) / n), lv + k * np.sqrt(lv * (1 - lv) / n)) for lv in (0.8, 0.95)}


CHECKED = [
    ("projects", 1),
    ("projects", 2),
    ("projects", 3),
    ("investment", 1),
    ("investment", 2),
    ("investment", 3),
    ("projects_cum", 3),
    ("investment_cum", 3),
]


@pytest.fixture(scope="module")
def own_process():
    return C.run(processes=("model",), size=C.Size(200, n_sims=1000, n_grid=8), seed=101)


@pytest.fixture(scope="module")
def drifting():
    return C.run(processes=("growth", "rw"), size=C.Size(60, n_sims=1000, n_grid=8), seed=202)


def _outside_bands(study: pd.DataFrame) -> list:
    df = study[study["process"] == "model"].set_index(["metric", "horizon", "level"])
    n = int(df["n"].iloc[0])
    bad = []
    for metric, h in CHECKED:
        for level, (lo, hi) in bands(n).items():
            cov = df.loc[(metric, h, level), "coverage"]
            if not lo <= cov <= hi:
                bad.append((metric, h, level, cov))
    return bad


def test_coverage_inside_model_family(own_process):
    assert not _outside_bands(own_process)
    # the standard errors reported are the binomial ones
    r = own_process.set_index(["metric", "horizon", "level"]).loc[("projects", 1, 0.95)]
    assert abs(r["mc_se"] - np.sqrt(r["coverage"] * (1 - r["coverage"]) / r["n"])) < 1e-12
    assert r["n"] == 200


def test_the_stored_study_describes_this_code_and_is_calibrated():
    study, meta = C.stored()  # raises StaleStudy when the model, priors or study changed since it was run
    assert meta["size"]["n_histories"] == 1000 and meta["processes"] == list(C.PROCESSES)
    assert set(study["process"]) == set(C.PROCESSES) and (study["n"] == 1000).all()
    assert not _outside_bands(study)
    s = C.summary(study)
    assert s["processes"]["model"]["better_than_poisson"] >= 1  # the model's own world: a real gain


def test_a_stale_study_is_refused(tmp_path):
    import json
    import shutil

    shutil.copytree(C.STORED_DIR, tmp_path / "v")
    meta = json.loads((tmp_path / "v" / "calibration.json").read_text())
    meta["digest"] = "0" * 16
    (tmp_path / "v" / "calibration.json").write_text(json.dumps(meta))
    with pytest.raises(C.StaleStudy, match="run `make calibrate`"):
        C.stored(tmp_path / "v")
    with pytest.raises(C.StaleStudy, match="no stored calibration study"):
        C.stored(tmp_path / "missing")


def _package_copy(tmp_path):
    import shutil

    pkg = tmp_path / "pkg"
    shutil.copytree(C.STORED_DIR.parents[1], pkg, ignore=shutil.ignore_patterns("__pycache__"))
    return pkg


def test_a_comment_docstring_or_move_leaves_the_stored_study_valid(tmp_path):
    """The study is keyed on the syntax trees of the code it runs: a comment, a docstring or a function
    moved to the end of its module changes nothing the study computes, so the digest stays."""
    pkg = _package_copy(tmp_path)
    module = pkg / "stats" / "model" / "signings.py"
    text = module.read_text(encoding="utf-8")
    start = text.index("\ndef _halfnormal_logpdf_log")
    end = text.index("\nclass ", start)
    moved = text[:start] + text[end:] + text[start:end]  # one function moved to the end of the module
    module.write_text("# a comment added at the top\n" + moved.replace('"""', '"""Reworded. ', 1), encoding="utf-8")
    assert moved != text and C.code_digest(pkg) == C.code_digest() == C.stored()[1]["digest"]


def _split_off(pkg, module: str, function: str, new: str) -> None:
    """Move ``function`` of the model's ``module`` into a new module ``new`` of the model folder, with the
    imports it needs, and import it back, as a split of a module by job does."""
    import ast

    path = pkg / "stats" / "model" / f"{module}.py"
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function)
    imports = [
        ast.get_source_segment(text, n)
        for n in tree.body
        if isinstance(n, (ast.Import, ast.ImportFrom)) and not getattr(n, "level", 0)
    ]
    body = "".join(lines[node.lineno - 1 : node.end_lineno])
    (path.parent / f"{new}.py").write_text(
        '"""Split off."""\n\n' + "\n".join(imports) + "\n\n\n" + body, encoding="utf-8"
    )
    kept = "".join(lines[: node.lineno - 1] + lines[node.end_lineno :])
    path.write_text(kept.replace("\n\n\n", f"\n\nfrom .{new} import {function}\n\n\n", 1), encoding="utf-8")


def test_splitting_a_model_module_leaves_the_digest_but_a_new_statement_changes_it(tmp_path):
    """A function moved into a new module of the model folder (which repeats the library imports it needs)
    leaves the digest as it is; a statement added there changes it."""
    pkg = _package_copy(tmp_path)
    _split_off(pkg, "importance", "_gpd_fit", "gpd")
    _split_off(pkg, "landing", "_conv_rows", "convolution")
    new = pkg / "stats" / "model" / "gpd.py"
    assert "import numpy as np" in new.read_text(encoding="utf-8")
    assert "def _gpd_fit" not in (pkg / "stats" / "model" / "importance.py").read_text(encoding="utf-8")
    assert C.code_digest(pkg) == C.code_digest()
    new.write_text(new.read_text(encoding="utf-8") + "\nEXTRA_CONSTANT = 1\n", encoding="utf-8")
    assert C.code_digest(pkg) != C.code_digest()


def test_the_digest_examples_run():
    import doctest

    assert doctest.testmod(C).failed == 0


def test_a_changed_prior_or_code_makes_the_study_stale(tmp_path, monkeypatch):
    """A new statement in a module the study runs changes the digest; so does a prior's value."""
    import dataclasses

    from analysis.stats import model as MODEL

    pkg = _package_copy(tmp_path)
    model = pkg / "stats" / "model" / "signings.py"
    model.write_text(model.read_text(encoding="utf-8") + "\nEXTRA_CONSTANT = 1\n", encoding="utf-8")
    assert C.code_digest(pkg) != C.code_digest()
    name, prior = sorted(MODEL.PRIORS.items())[-1]
    params = tuple(2 * p if isinstance(p, (int, float)) else p for p in prior.params)
    assert params != tuple(prior.params)
    monkeypatch.setitem(MODEL.PRIORS, name, dataclasses.replace(prior, params=params))
    with pytest.raises(C.StaleStudy, match="run `make calibrate`"):
        C.stored()


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
    assert {"coverage", "mc_se", "is_model", "is_poisson", "is_last", "crps_model", "crps_poisson", "crps_last"} <= set(
        a.columns
    )


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


def test_the_simulated_shape_is_the_shape_of_the_data():
    """The study simulates histories shaped like data/'s periods (years per period: 2019–2020, then single
    years): a release that changes the shape must change SHAPE, and so the code digest, and the study is rerun."""
    periods = M.trends(load(DATA))
    assert C.SHAPE == tuple(int(n) for n in periods["n_years"])
    assert sum(C.SHAPE) == int(periods["last_year"].max()) - int(periods["first_year"].min()) + 1
