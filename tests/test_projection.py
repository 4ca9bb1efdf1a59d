"""The projection on the published data: inputs, intervals, landing, backtests, JSON, determinism.

The model's statistics (calibration under other worlds, exact aggregates) are tested in
tests/test_model.py and tests/test_calibration.py; these tests are about how the package uses it.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from analysis import load
from analysis.present.output import metrics_dict
from analysis.stats import metrics
from analysis.stats import projection as P
from analysis.stats.results import compute

from .conftest import DATA
from .test_metrics import (
    CUM_PROJECTS,
    INV19_20,
    INV21,
    INV23,
    INV_2022,
    LANDED_19_20_MIN,
    LANDED_19_21,
    LANDED_19_22,
    P19_20,
    P21,
    P23,
    SIGNED_19_21,
    TOTAL_2022,
)


@pytest.fixture(scope="module")
def ds():
    return load(DATA)


@pytest.fixture(scope="module")
def proj(ds):
    return P.project(metrics.known_at_release(ds, 2023), 2023)


def test_inputs_are_the_published_periods_with_their_hedges(ds):
    periods, landing = P.observations(metrics.known_at_release(ds, 2023), 2023)
    assert [(p.first_year, p.last_year, p.projects) for p in periods] == [
        (2019, 2020, P19_20),
        (2021, 2021, P21),
        (2022, 2022, TOTAL_2022),
        (2023, 2023, P23),
    ]
    # 552 is exact; 约247 is ±5 %
    assert periods[0].investment == INV19_20
    assert periods[1].investment is None and periods[1].investment_bounds == pytest.approx((INV21 * 0.95, INV21 * 1.05))
    # landing statements with their vintage years and the counts they allow (超过九成 of 85: 77–85; 85 % of 161: 137)
    assert [(s.first_year, s.last_year, s.vintage, s.signed, s.landed_bounds) for s in landing] == [
        (2019, 2020, 2021, P19_20, (LANDED_19_20_MIN, P19_20)),
        (2019, 2021, 2022, SIGNED_19_21, (LANDED_19_21,) * 2),
        (2019, 2022, 2023, CUM_PROJECTS, (LANDED_19_22,) * 2),
    ]


def test_real_figures_enter_with_their_stated_hedges_unchanged(ds):
    """No real figure is derived: every period enters with the interval of its stated hedge (exact counts as
    themselves, 约 as ±5 %), as before derived intervals were carried, so the real fit is unchanged."""
    from analysis.core.qualifiers import interval

    for through in (2021, 2022, 2023):
        known = metrics.known_at_release(ds, through)
        periods, _ = P.observations(known, through)
        for p, r in zip(periods, metrics.trends(known, through).to_dict("records"), strict=True):
            assert r["projects_range"] is None and r["investment_range"] is None
            assert p.count_bounds() == (r["projects"], r["projects"])
            iv = interval(r["investment_100m_yuan"], r["investment_qualifier"])
            assert p.money_bounds() == pytest.approx((iv.lo, iv.hi))


def test_intervals_widen_with_the_horizon(proj):
    t = proj.table.set_index(["year", "metric"])
    for metric in P.METRICS:
        w = [t.at[(y, metric), "pi95_hi"] - t.at[(y, metric), "pi95_lo"] for y in proj.years]
        assert w[-1] > w[0], metric
    for y in proj.years:
        r = t.loc[y]
        assert (r["pi95_lo"] <= r["pi80_lo"]).all() and (r["pi80_lo"] <= r["median"]).all()
        assert (r["median"] <= r["pi80_hi"]).all() and (r["pi80_hi"] <= r["pi95_hi"]).all()


def test_cumulative_starts_from_the_sum_of_the_periods(proj):
    assert proj.start["projects"] == P19_20 + P21 + TOTAL_2022 + P23
    assert proj.start["investment_100m_yuan"] == pytest.approx(INV19_20 + INV21 + INV_2022 + INV23)
    first = proj.table[(proj.table["year"] == 2024) & (proj.table["metric"] == "cumulative_projects")].iloc[0]
    assert first["pi95_lo"] >= proj.start["projects"]


def test_landing_predictions_are_counts_of_what_a_statement_will_say(proj):
    span = proj.landing[proj.landing["kind"] == "span"].iloc[0]
    signed = P19_20 + P21 + TOTAL_2022 + P23
    assert (span["first_year"], span["last_year"], span["vintage"], span["signed"]) == (2019, 2023, 2024, signed)
    assert (
        LANDED_19_22 <= span["pi95_lo"] <= span["landed_median"] <= span["pi95_hi"] <= signed
    )  # landed by 2023 already
    cohort = proj.landing[proj.landing["kind"] == "cohort"].iloc[0]
    assert (cohort["cohort"], cohort["signed"]) == ("2023", P23) and 0 <= cohort["pi95_lo"] <= cohort["pi95_hi"] <= P23


def test_same_seed_same_projection(ds):
    k = metrics.known_at_release(ds, 2022)
    a = P.project(k, 2022, seed=7, n_sims=2000)
    again = P.project(k, 2022, seed=7, n_sims=2000)  # fitted once per vintage and arguments, handed out as a copy
    assert [key for key in k.cache if key[0] == "project"] == [("project", (2022,), (("n_sims", 2000), ("seed", 7)))]
    assert again is not a and again.table.equals(a.table)
    b = P.project.__wrapped__(k, 2022, seed=7, n_sims=2000)  # fitted again, past the memo
    assert b is not a and a.table.equals(b.table) and a.landing.equals(b.landing)
    c = P.project(k, 2022, seed=8, n_sims=2000)
    assert not c.table.equals(a.table)


def test_backtests_of_2022_and_2023_from_the_data_before_each(ds):
    for through, year in ((2021, 2022), (2022, 2023)):
        res = compute(ds, through)
        bt = res.since_then.backtest
        rows = bt[bt["year"] == year].set_index("metric")
        actual = {2022: (TOTAL_2022, INV_2022), 2023: (P23, INV23)}[year]
        assert (rows.at["projects", "actual"], rows.at["investment_100m_yuan", "actual"]) == actual
        assert {"interval_score80", "interval_score95", "crps"} <= set(bt.columns)
        assert (bt["crps"] > 0).all() and (bt["interval_score95"] > 0).all()
        # interval score = width when inside (scoringrules), larger when outside
        for r in bt.itertuples():
            width = r.pi95_hi - r.pi95_lo
            assert r.interval_score95 == pytest.approx(width) if r.inside95 else r.interval_score95 > width


def test_backtests_use_only_facts_released_after_the_report_vintage(ds):
    """2020 was published by the 2021 release (2021-05-14), together with 2021's own signings: the results
    for 2020 are that release's, whose projection starts at 2022, so 2021 is never forecast nor judged."""
    res = compute(ds, 2020)
    assert res.through == 2021 and res.vintage == (2021, 5, 14)
    assert int(res.projection.table["year"].min()) == 2022
    later = [y for y in ds.conference_years if y > 2021]  # 2022, 2023, 2024
    assert sorted(set(res.since_then.backtest["year"])) == later
    assert res.since_then.landing_backtest.empty or all(
        tuple(v) > tuple(res.vintage) for v in res.since_then.landing_backtest["as_of"]
    )
    assert P.backtest(res.projection, ds)["year"].min() == 2022  # without a vintage every later year is used


def test_landing_backtest_against_the_2023_statement(ds):
    lb = compute(ds, 2022).since_then.landing_backtest
    assert (
        list(lb["cohort"]) == ["2019–2022"]
        and (lb.iloc[0]["actual_lo"], lb.iloc[0]["actual_hi"]) == (LANDED_19_22,) * 2
    )


def test_json_has_the_projection_keys_with_median(ds):
    m = metrics_dict(ds, 2022)
    json.dumps(m, allow_nan=False)
    y = m["projection"][0]
    assert y["year"] == 2023 and set(y) == {"year", *P.METRICS}
    assert set(y["projects"]) == {"mean", "median", "pi80", "pi95"}
    model = m["projection_model"]
    assert math.isclose(sum(model["weights"].values()), 1.0) and set(model["weights"]) == {"iid", "level", "drift"}
    assert {"rate_level", "landing_eventual"} <= set(model["priors"]) and model["priors"]["rate_trend"]["reason"]
    assert m["backtest"] and {"interval_score", "crps", "median"} <= set(m["backtest"][0])
    assert m["threshold_probabilities"] and m["landing_projection"]


def test_no_projection_from_inside_an_aggregate(ds):
    """2019 lies inside 2019–2020, published with 2021: its results are the 2021 release's, projected from
    2021's end; the model itself refuses to start inside an aggregate."""
    m = metrics_dict(ds, 2019)
    assert m["through_year"] == 2021 and m["projection"][0]["year"] == 2022 and "projection_note" not in m
    with pytest.raises(ValueError, match="not the end of a published period"):
        P.project(ds, 2019)


@pytest.mark.parametrize(
    "kwargs, fragment", [({"horizon": 0}, "horizon must be 1 to 50"), ({"n_sims": 10}, "n_sims must be at least 100")]
)
def test_bad_arguments_raise(ds, kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        P.project(ds, 2023, **kwargs)


def test_scenarios_move_the_projection(ds):
    k = metrics.known_at_release(ds, 2023)
    base = P.project(k, 2023, n_sims=4000)
    up = P.project(k, 2023, n_sims=4000, scenario=P.Scenario(growth_projects=0.3))
    med = lambda p, y: p.row(y, "projects")["median"]  # noqa: E731
    assert med(up, 2026) > med(base, 2026)
    fixed = P.project(k, 2023, n_sims=4000, scenario=P.Scenario(landing_rate=0.5))
    span = fixed.landing[fixed.landing["kind"] == "span"].iloc[0]
    assert span["rate_median"] == pytest.approx(0.5, abs=0.02)
    with pytest.raises(ValueError, match="landing_rate must be between 0 and 1"):
        P.Scenario(landing_rate=1.5)
    assert np.isfinite(base.table[["median", "pi95_hi"]].to_numpy()).all()


def test_a_what_if_shares_its_base_projections_model_and_other_priors_fit_again(ds, monkeypatch):
    """``projection.fitted``: a scenario projects from the model its base projection fitted (one fit), kept with
    read-only arrays and equal to a fit of its own; priors changed in ``PRIORS`` fit again, to another model."""
    import dataclasses

    from analysis.core import config
    from analysis.stats import model as mdl

    calls = []
    fit = mdl.fit

    def counted(*args, **kwargs):
        calls.append(args)
        return fit(*args, **kwargs)

    monkeypatch.setattr(mdl, "fit", counted)
    v = metrics.vintage(ds, 2023)
    base = P.project(v.dataset, v.through)
    what_if = P.project(v.dataset, v.through, scenario=P.Scenario(growth_projects=0.5))
    assert len(calls) == 1 and what_if.posterior.weights == base.posterior.weights
    assert not np.array_equal(what_if.samples["projects"], base.samples["projects"])
    periods, statements = P.observations(v.dataset, v.through)
    shared = P.fitted(mdl.fit, periods, statements, seed=base.seed)
    assert len(calls) == 1  # the model both projections had
    with pytest.raises(ValueError, match="read-only"):
        shared.fits["iid"].x[0] = 0.0
    alone = fit(periods, statements, seed=base.seed)
    assert alone.weights == shared.weights == base.posterior.weights
    assert np.array_equal(alone.landing.w, shared.landing.w)
    assert np.array_equal(alone.fits["drift"].x, base.posterior.fits["drift"].x)

    eventual = config.PRIORS["landing_eventual"]
    monkeypatch.setitem(config.PRIORS, "landing_eventual", dataclasses.replace(eventual, params=(1.0, 3.0)))
    other = P.fitted(mdl.fit, periods, statements, seed=base.seed)
    assert len(calls) == 2
    assert not np.array_equal(other.landing.w, shared.landing.w)
    for _ in range(2):  # an argument that cannot be a key (a list in a keyword): fitted each time
        P.fitted(mdl.fit, periods, seed=base.seed, models=["iid"])
    assert len(calls) == 4


def test_a_reports_second_language_reuses_its_landing_check_and_prior_sets(ds, monkeypatch):
    """The leave-one-out check and the landing prior sets are fitted once for both languages of a report (the
    second language's tables are computed again from the same projection)."""
    from analysis.core.config import LANDING_PRIOR_SETS
    from analysis.stats import model as mdl

    calls = []
    for name in ("leave_one_out", "fit_landing"):
        real = getattr(mdl, name)
        monkeypatch.setattr(mdl, name, lambda *a, _real=real, _name=name, **k: calls.append(_name) or _real(*a, **k))
    res = compute(ds, 2023)
    first = P.landing_check(res.projection, res.dataset), P.landing_priors(res.projection, res.dataset)
    fitted_once = sorted(calls)
    second = P.landing_check(res.projection, res.dataset), P.landing_priors(res.projection, res.dataset)
    assert fitted_once.count("leave_one_out") == 1
    assert fitted_once.count("fit_landing") == len(LANDING_PRIOR_SETS)  # one per other prior set
    assert sorted(calls) == fitted_once
    for a, b in zip(first, second, strict=True):
        assert a.equals(b)
