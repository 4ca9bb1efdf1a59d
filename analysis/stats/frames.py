"""The declared columns of every result frame: one pandera ``DataFrameModel`` per kind of frame.

:func:`analysis.stats.results.compute` checks its frames against these models once, as it builds a
:class:`~analysis.stats.results.Results` (:func:`validate`): a renamed, dropped or mistyped column fails
there, at the computation, not as a ``KeyError`` in a renderer. The models are the reference of what a
renderer may read; the column words, units and decimals are in :mod:`analysis.core.columns`.

Types are checked by coercion on a copy (a column of only missing values is an object one): the frames
handed out are never changed. Counts are declared :data:`Count` (``Int64``: whole numbers, unknown
``<NA>``) and dates :data:`Date` (``datetime64``, ``NaT`` when a source gives only part of its date); the
result frames are built with these dtypes (:func:`analysis.stats.metrics.landing_frame`, ``trends``, …). A frame whose dtypes
settle every declaration passes without calling pandera (:func:`_surely_passes`: the declarations are
read, not re-run); pandera decides, and explains, everything else.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

__all__ = [
    "BacktestFrame",
    "ClaimsFrame",
    "CompareFrame",
    "LandingBacktestFrame",
    "LandingFrame",
    "LandingProjectionFrame",
    "MixGroupsFrame",
    "PeriodsFrame",
    "ProjectionFrame",
    "SourcesFrame",
    "ThresholdsFrame",
    "TotalsFrame",
    "result_frames",
    "validate",
]


def _opt():
    return pa.Field(nullable=True)


#: a count: whole numbers, unknown ``<NA>`` (pandas' nullable integer)
Count = pd.Int64Dtype
#: a date (``NaT`` when not fully known)
Date = pd.Timestamp


class _Model(pa.DataFrameModel):
    class Config:
        coerce = True  # on a copy: the check, not a conversion
        strict = True  # no column that is not declared


class _Intervals(_Model):
    """The 80 % and 95 % prediction intervals of a projected figure (declared once, inherited)."""

    pi80_lo: Series[float]
    pi80_hi: Series[float]
    pi95_lo: Series[float]
    pi95_hi: Series[float]


class _Scored(_Intervals):
    """A projected figure against a later actual: whether it fell inside each interval."""

    inside80: Series[bool]
    inside95: Series[bool]


class PeriodsFrame(_Model):
    """``Results.periods`` (:func:`analysis.stats.metrics.trends`): one row per atomic period."""

    period: Series[str]
    first_year: Series[int]
    last_year: Series[int]
    n_years: Series[int]
    projects: Series[float] = _opt()  # Int64 (metrics.whole_counts) unless a count is known only as a range
    projects_qualifier: Series[str] = _opt()
    projects_status: Series[str]
    investment_100m_yuan: Series[float] = _opt()
    investment_qualifier: Series[str] = _opt()
    investment_status: Series[str]
    investment_formula: Series[str] = _opt()
    projects_range: Series[object] = _opt()
    investment_range: Series[object] = _opt()
    projects_per_year: Series[float] = _opt()
    investment_per_year_100m_yuan: Series[float] = _opt()
    investment_per_project_100m_yuan: Series[float] = _opt()
    change_projects_per_year: Series[float] = _opt()
    change_investment_per_year: Series[float] = _opt()


class LandingFrame(_Model):
    """``Results.landing``: one row per landing statement.

    The fields of :class:`~analysis.stats.metrics.LandingStatement` (:func:`analysis.stats.metrics.landing_rates`)."""

    cohort: Series[str]
    first_year: Series[int]
    last_year: Series[int]
    source_id: Series[str]
    vintage: Series[Date] = _opt()
    as_of: Series[str] = _opt()
    signed: Series[Count] = _opt()
    signed_status: Series[str]
    signed_formula: Series[str] = _opt()
    landed: Series[Count] = _opt()
    landed_lo: Series[Count] = _opt()
    landed_hi: Series[Count] = _opt()
    landed_point: Series[Count] = _opt()
    rate: Series[float] = _opt()
    ci95_lo: Series[float] = _opt()
    ci95_hi: Series[float] = _opt()
    stated_rate: Series[float] = _opt()
    stated_rate_pct: Series[float] = _opt()
    stated_qualifier: Series[str] = _opt()
    consistent: Series[object] = _opt()
    line: Series[int]


class MixGroupsFrame(_Model):
    """``Mix.groups`` (:func:`analysis.stats.metrics.mix`): one row per published group of a breakdown."""

    group_zh: Series[str]
    group_en: Series[str]
    harmonised: Series[str]
    harmonised_zh: Series[str]
    harmonised_en: Series[str]
    projects: Series[Count] = _opt()
    investment_100m_yuan: Series[float] = _opt()
    investment_qualifier: Series[str] = _opt()
    line: Series[int]
    project_share: Series[float] = _opt()
    investment_share: Series[float] = _opt()
    investment_per_project_100m_yuan: Series[float] = _opt()


class CompareFrame(_Model):
    """``Results.compare[scheme]`` (:func:`analysis.stats.metrics.compare_mix`): period × harmonised group."""

    period: Series[str]
    first_year: Series[int]
    last_year: Series[int]
    harmonised: Series[str]
    harmonised_zh: Series[str]
    harmonised_en: Series[str]
    status: Series[str]
    names_zh: Series[str] = _opt()
    names_en: Series[str] = _opt()
    projects: Series[Count] = _opt()
    project_share: Series[float] = _opt()
    investment_100m_yuan: Series[float] = _opt()
    investment_qualifier: Series[str] = _opt()
    investment_share: Series[float] = _opt()
    schemes: Series[str] = _opt()


class ClaimsFrame(_Model):
    """``Results.claims``: the claims ledger.

    The columns every renderer reads (:func:`analysis.stats.claims.ledger`; the ledger may carry more)."""

    id: Series[str]
    kind: Series[str]
    stated: Series[float] = _opt()
    computed: Series[float] = _opt()
    consistent: Series[object] = _opt()
    basis: Series[str]
    last_year: Series[int]

    class Config:
        """pandera settings: the ledger may carry more columns than those declared."""

        strict = False


class SourcesFrame(_Model):
    """``Results.sources`` (sources.csv of the vintage): the columns the renderers read."""

    source_id: Series[str]
    publisher_zh: Series[str]
    publisher_en: Series[str]
    url: Series[str] = _opt()
    date_year: Series[int]
    date_month: Series[Count] = _opt()
    date_day: Series[Count] = _opt()
    date: Series[Date] = _opt()

    class Config:
        """pandera settings: sources.csv has more columns than the renderers read."""

        strict = False


class TotalsFrame(_Model):
    """``SinceThen.totals`` (signings.csv rows): the columns the renderers read."""

    first_year: Series[int]
    last_year: Series[int]
    source_id: Series[str]
    projects: Series[Count] = _opt()
    projects_qualifier: Series[str] = _opt()
    investment_100m_yuan: Series[float] = _opt()
    investment_qualifier: Series[str] = _opt()

    class Config:
        """pandera settings: signings.csv rows carry more columns than the renderers read."""

        strict = False


class ProjectionFrame(_Intervals):
    """``Projection.table``: one row per projected year and metric."""

    year: Series[int]
    metric: Series[str]
    mean: Series[float]
    median: Series[float]


class ThresholdsFrame(_Model):
    """``Projection.thresholds``: the probability that a year's intended investment exceeds a threshold."""

    year: Series[int]
    threshold_100m_yuan: Series[float]
    probability: Series[float]


class LandingProjectionFrame(_Intervals):
    """``Projection.landing``: the predicted landed count of each cohort."""

    cohort: Series[str]
    first_year: Series[int]
    last_year: Series[int]
    vintage: Series[int]
    kind: Series[str]
    signed: Series[float] = _opt()
    signed_p10: Series[float] = _opt()
    signed_p90: Series[float] = _opt()
    landed_median: Series[float]
    landed_mean: Series[float]
    rate_median: Series[float] = _opt()


class BacktestFrame(_Scored):
    """``SinceThen.backtest``: the projection at the release against the figures published later."""

    year: Series[int]
    metric: Series[str]
    actual: Series[float]
    actual_qualifier: Series[str] = _opt()
    actual_range: Series[object] = _opt()
    actual_source: Series[str]
    median: Series[float]
    mean: Series[float]
    interval_score80: Series[float]
    interval_score95: Series[float]
    crps: Series[float]


class LandingBacktestFrame(_Scored):
    """``SinceThen.landing_backtest``: the predicted landed count against a later statement."""

    cohort: Series[str]
    as_of: Series[object]
    actual_lo: Series[float]
    actual_hi: Series[float]
    median: Series[float]


def _surely_passes(model: type, frame: pd.DataFrame) -> bool:
    """Whether ``model.validate(frame)`` certainly passes, read off the model's declarations in microseconds:
    the declared columns are there (and only they, for a strict model), a column declared without missing
    values has none, and each column's dtype is one that coerces to the declared type whatever its values
    (any dtype to text or object, a number or boolean to a float, an integer to an integer, a boolean to a
    boolean). Anything less certain (an object column declared as a number, a float one declared as an
    integer) is left to pandera, which decides and explains."""
    schema = _schema(model)
    declared = schema.columns
    if any(name not in frame.columns for name in declared):
        return False
    if schema.strict is True and len(frame.columns) != len(declared):
        return False
    for name, col in declared.items():
        series = frame[name]
        if not col.nullable and series.isna().any():
            return False
        want, dtype = str(col.dtype), series.dtype
        if want.startswith(("str", "object")):  # pandas 3 names the text dtype string[python]
            continue
        if want.startswith("float") and (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)):
            continue
        if want.startswith("int") and pd.api.types.is_integer_dtype(dtype) and not series.isna().any():
            continue
        if want == "Int64" and pd.api.types.is_integer_dtype(dtype):  # a count (missing allowed above)
            continue
        if want.startswith("datetime64") and pd.api.types.is_datetime64_dtype(dtype):
            continue
        if want == "bool" and pd.api.types.is_bool_dtype(dtype) and not series.isna().any():
            continue
        if (
            pd.api.types.is_object_dtype(dtype)
            and want.startswith(("float", "int"))
            and _plain_numbers(series, whole=want.startswith("int"))
        ):
            continue
        return False
    return True


def _plain_numbers(series: pd.Series, whole: bool) -> bool:
    """Whether an object column holds only Python or numpy numbers (whole ones when ``whole``), and None or
    NaN for a missing float: values any numeric dtype takes as they are."""
    for v in series:
        if isinstance(v, bool):
            return False
        if whole:
            if not isinstance(v, (int, np.integer)):
                return False
        elif not (v is None or isinstance(v, (int, float, np.integer, np.floating))):
            return False
    return True


_SCHEMAS: dict[type, object] = {}


def _schema(model: type):
    """The model's pandera schema, built once."""
    if model not in _SCHEMAS:
        _SCHEMAS[model] = model.to_schema()
    return _SCHEMAS[model]


def validate(frames) -> None:
    """Check each ``(model, frame)`` pair; a frame without columns (nothing computed) is skipped.

    A frame whose dtypes settle the question passes at once (:func:`_surely_passes`); pandera checks the
    rest and raises with its report, so the check costs a build next to nothing.

    Parameters
    ----------
    frames : iterable of (type, pandas.DataFrame or None)
        A :class:`pandera.pandas.DataFrameModel` subclass of this module and the frame it declares.

    Raises
    ------
    pandera.errors.SchemaError
        When a declared column is missing, an undeclared one is present (strict models) or a column's
        values are not of its declared type.

    Examples
    --------
    >>> import pandas as pd
    >>> validate([(ThresholdsFrame, pd.DataFrame({"year": [2024], "threshold_100m_yuan": [300.0],
    ...                                          "probability": [0.5]}))])
    >>> validate([(ThresholdsFrame, pd.DataFrame({"year": [2024]}))])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pandera.errors.SchemaError: column 'threshold_100m_yuan' not in dataframe...
    """
    for model, frame in frames:
        if frame is not None and len(frame.columns) and not _surely_passes(model, frame):
            model.validate(frame)


def result_frames(res) -> list[tuple[type, pd.DataFrame | None]]:
    """Every result frame of ``res`` with the model that declares it.

    Parameters
    ----------
    res : Results
        A :func:`analysis.stats.results.compute` result.

    Returns
    -------
    list of (type, pandas.DataFrame)
    """
    out = [
        (PeriodsFrame, res.periods),
        (LandingFrame, res.landing),
        (ClaimsFrame, res.claims),
        (SourcesFrame, res.sources),
    ]
    out += [(CompareFrame, frame) for frame in res.compare.values()]
    out += [(MixGroupsFrame, mx.groups) for by_dim in res.mix.values() for mx in by_dim.values()]
    proj = res.projection
    if proj is not None:
        out += [
            (ProjectionFrame, proj.table),
            (ThresholdsFrame, proj.thresholds),
            (LandingProjectionFrame, proj.landing),
        ]
    st = res.since_then
    if st is not None:
        out += [
            (SourcesFrame, st.sources),
            (TotalsFrame, st.totals),
            (LandingFrame, st.landing),
            (ClaimsFrame, st.claims),
            (BacktestFrame, st.backtest),
            (LandingBacktestFrame, st.landing_backtest),
        ]
    return out
