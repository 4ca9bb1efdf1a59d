"""Charts of the signings, landing rates, mix and projections: one seaborn style, labels in zh or en.

Every chart function takes tables produced by :mod:`analysis.metrics` (or a projection table from
:mod:`analysis.projection`), a language (``"zh"`` or ``"en"``) and returns a
:class:`matplotlib.figure.Figure`. Figures are built with ``Figure(...)`` rather than ``pyplot``, so
they are not registered with pyplot: a notebook displays the returned figure once (as the cell's
value) and nothing leaks when a build draws many charts. :func:`save` writes a deterministic PNG.

Rules kept by every chart:

* an aggregate period (e.g. 2019–2021) is one observation: it is drawn as ONE bar spanning its
  years at its annual average, or as one point at the end of the period; single years inside it
  are never drawn, because they are not published;
* values that are derived (not stated by a source) are hatched and labelled "推算"/"derived";
* groups without a stated amount are labelled "未公布"/"not stated", never drawn as zero bars.

The font is Noto Sans CJK SC shipped by the ``mplfonts`` package, registered with matplotlib's font
manager by :func:`setup_style` (mplfonts' own ``use_font``/``mplfonts init`` are not used: they
do not register the font and they rewrite matplotlib's data folder). It renders Latin too, so zh
and en charts share one style.
"""

from __future__ import annotations

import importlib.resources
import math
import re
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

from .metrics import as_float as _f

__all__ = [
    "DPI",
    "LANGS",
    "font_path",
    "has_cjk",
    "label",
    "plot_cumulative",
    "plot_harmonised_mix",
    "plot_landing",
    "plot_mix",
    "plot_periods",
    "plot_projection",
    "save",
    "setup_style",
]

LANGS = ("zh", "en")
#: Resolution of saved PNGs.
DPI = 110
FONT_FILE = "NotoSansCJKsc-Regular.otf"
STYLE = "whitegrid"
CONTEXT = "notebook"

_PALETTE = sns.color_palette("deep")
C_PROJECTS = _PALETTE[0]
C_INVESTMENT = _PALETTE[1]
C_STATED = _PALETTE[3]
C_MUTED = "0.55"
C_NOTE = "0.3"
HATCH_DERIVED = "///"
NOTE_SIZE = 9

_RC = {
    "axes.unicode_minus": False,  # U+2212 is in the font, but ASCII '-' keeps tick labels plain
    "axes.titlesize": 13,
    "axes.titlepad": 10,
    "axes.labelsize": 11,
    "figure.titlesize": 15,
    "xtick.labelsize": 10.5,
    "ytick.labelsize": 10.5,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "savefig.dpi": DPI,
    "hatch.linewidth": 1.0,
}

_family: str | None = None

# --------------------------------------------------------------------------------------------- labels

_LABELS: dict[str, tuple[str, str]] = {
    # measures and axes
    "projects": ("签约项目数", "projects signed"),
    "projects_per_year": ("年均签约项目数", "projects signed per year"),
    "projects_per_year_axis": ("项目数(个/年)", "projects per year"),
    "projects_axis": ("项目数(个)", "projects"),
    "investment": ("意向投资额(亿元)", "intended investment (100 million yuan)"),
    "investment_per_year": ("年均意向投资额(亿元)", "intended investment per year (100 million yuan)"),
    "investment_per_year_axis": ("亿元/年", "100 million yuan per year"),
    "investment_axis": ("亿元", "100 million yuan"),
    "cumulative_projects": ("累计签约项目数", "cumulative projects signed"),
    "cumulative_investment": ("累计意向投资额(亿元)", "cumulative intended investment (100 million yuan)"),
    "unit_investment": ("亿元", "100 million yuan"),
    "year": ("年份", "year"),
    "period": ("时期", "period"),
    # status
    "not_stated": ("未公布", "not stated"),
    "derived": ("推算", "derived"),
    "derived_value": ("推算值", "derived value"),
    "reported_value": ("公布值", "reported value"),
    "annual_avg": ("{period} 年均", "{period} (annual avg.)"),
    "n_year_average": ("{n_zh}年平均", "{n}-year average"),
    # periods chart
    "periods_title": ("各期签约情况(多年期按年均值)", "Signings by period (multi-year periods as annual averages)"),
    "note_aggregate": (
        "{period} 仅公布{n_zh}年合计，单年数字未公布：柱宽跨 {n} 年，高度为年均值(合计 ÷ {n})，不拆分为单年。",
        "{period} is published only as a {n}-year total; its single years are not. The bar spans the "
        "{n} years at the annual average (total ÷ {n}); it is not split into years.",
    ),
    "note_derived": ("推算：{period} {what} = {formula} = {value}。", "Derived: {period} {what} = {formula} = {value}."),
    "what_investment": ("意向投资额", "intended investment"),
    "what_projects": ("签约项目数", "projects signed"),
    # cumulative chart
    "cumulative_title": ("累计签约(各期期末)", "Cumulative signings (end of each period)"),
    "note_cumulative": (
        "各点为一期期末的累计值；{periods} 的单年数字未公布，故其间各年无点。空心点：该期数值为推算。",
        "Points are totals at the end of each period; single years inside {periods} are not published, "
        "so those years have no point. Hollow point: that period's value is derived.",
    ),
    "history": ("已公布", "published"),
    "period_total": ("{period} 合计", "{period} total"),
    "mean": ("预测均值", "projected mean"),
    "pi80": ("80% 预测区间", "80% prediction interval"),
    "pi95": ("95% 预测区间", "95% prediction interval"),
    "note_projection": (
        "预测区间针对将实际观测到的数值(含参数不确定性)。",
        "Prediction intervals are for the values that will be observed (parameter uncertainty included).",
    ),
    # landing chart
    "landing_title": ("签约项目落地率", "Landing rate of signed projects"),
    "landing_rate": ("落地率", "landing rate"),
    "landing_panel": ("各批次落地率", "landing rate by signing cohort"),
    "computed_rate": ("计算值(落地数/签约数)", "computed (landed / signed)"),
    "wilson95": ("Wilson 95% 置信区间", "Wilson 95% interval"),
    "stated_rate": ("公布的落地率", "stated rate"),
    "stated_prefix": ("公布：{value}", "stated: {value}"),
    "expected_panel": ("无落地数据批次的预期落地数", "expected landed projects, cohorts without figures"),
    "signed": ("签约", "signed"),
    "expected_landed": ("预期落地(推算)", "expected to land (derived)"),
    "note_expected": (
        "预期落地数 = 签约数 × {ref} 批次落地率 {rate}；区间用其 Wilson 95% 上下限，是期望值的区间，不是实际落地数的预测区间。",
        "Expected = signed × the {ref} cohort's rate {rate}; the interval applies its Wilson 95% bounds: "
        "an interval for the expected number, not a prediction interval for the count.",
    ),
    "cohort": ("签约批次", "signing cohort"),
    # mix charts
    "category": ("类别", "category"),
    "place": ("地区", "place"),
    "mix_title": ("{period} 签约项目构成：按{dimension}", "{period} signings by {dimension}"),
    "mix_projects": ("签约项目数(占比)", "projects signed (share)"),
    "mix_investment": ("意向投资额(亿元，占当期总额)", "intended investment (100 million yuan, share of total)"),
    "note_remainder": (
        "未公布金额的组({groups})合计 = 总额 {total} − 已公布 {stated} = {remainder} 亿元(推算)。",
        "Groups without a stated amount ({groups}) together: total {total} − stated {stated} = {remainder} "
        "(100 million yuan, derived).",
    ),
    "note_remainder_unknown": (
        "未公布金额的组：{groups}；当期总额未公布，无法推算其合计。",
        "Groups without a stated amount: {groups}; the period total is not published, so their sum cannot be derived.",
    ),
    "note_all_stated": ("各组金额均已公布，合计 {stated} 亿元。", "Every group states its amount; together {stated} (100 million yuan)."),
    "harmonised_title": ("各期构成对比(统一口径分组)：{value}", "Mix by period on harmonised groups: {value}"),
    "harmonised_title_dim": (
        "各期构成对比(统一口径，按{dimension})：{value}",
        "Mix by period on harmonised groups ({dimension}): {value}",
    ),
    "project_share": ("项目数占比", "share of projects"),
    "project_share_short": ("项目数占比", "share of projects"),
    "investment_share_short": ("意向投资额占比", "share of intended investment"),
    "investment_share": ("意向投资额占比(占当期总额)", "share of intended investment (of period total)"),
    "note_single_period": (
        "仅 {period} 公布了分组数据，暂无可比的其他时期。",
        "Only {period} has a published breakdown; there is no other period to compare yet.",
    ),
    # projection chart
    "projection_title": ("预测：{metric}", "Projection: {metric}"),
    "proj_projects": ("每年签约项目数", "projects signed per year"),
    "proj_investment": ("每年意向投资额(亿元)", "intended investment per year (100 million yuan)"),
}

_QUAL_ZH = {"approx": "约{}", "nearly": "近{}", "more_than": "{}余", "over": "超{}"}
_QUAL_EN = {"approx": "about {}", "nearly": "nearly {}", "more_than": "more than {}", "over": "over {}"}
_NUM_ZH = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十"}

_CJK_CLASS = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_CJK = re.compile(f"[{_CJK_CLASS}]")
_TOKENS = re.compile(f"[{_CJK_CLASS}]|\\s+|[^\\s{_CJK_CLASS}]+")


def _check_lang(lang: str) -> int:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")
    return LANGS.index(lang)


def label(key: str, lang: str = "zh", **fmt) -> str:
    """The zh or en text for ``key`` (axis titles, chart titles, legend entries, notes).

    ``fmt`` fills placeholders such as ``{period}``; ``n_zh`` is derived from ``n``. An unknown
    ``lang`` raises ValueError, an unknown key KeyError.
    """
    i = _check_lang(lang)
    if key not in _LABELS:
        raise KeyError(f"no label {key!r}")
    text = _LABELS[key][i]
    if "n" in fmt and "n_zh" not in fmt:
        fmt["n_zh"] = _NUM_ZH.get(int(fmt["n"]), str(fmt["n"]))
    return text.format(**fmt) if fmt else text


def has_cjk(text: str) -> bool:
    """Whether ``text`` contains a Chinese character (or CJK punctuation)."""
    return bool(_CJK.search(text or ""))


def qualified(text: str, qualifier, lang: str) -> str:
    """``text`` with the source's hedge: 约280.66 / about 280.66, 近80% / nearly 80%."""
    if qualifier is None or (not isinstance(qualifier, str) and pd.isna(qualifier)) or qualifier == "exact":
        return text
    table = _QUAL_ZH if _check_lang(lang) == 0 else _QUAL_EN
    return table.get(qualifier, "{}").format(text)


# --------------------------------------------------------------------------------------------- style


def font_path() -> Path:
    """Noto Sans CJK SC as shipped by the ``mplfonts`` package."""
    return Path(str(importlib.resources.files("mplfonts") / "fonts" / FONT_FILE))


def _register_font() -> str:
    global _family
    if _family is None:
        path = str(font_path())
        if not any(getattr(f, "fname", None) == path for f in font_manager.fontManager.ttflist):
            font_manager.fontManager.addfont(path)
        _family = FontProperties(fname=path).get_name()
    return _family


def setup_style(lang: str = "zh") -> str:
    """Apply the one style of all charts (seaborn whitegrid, CJK font); return the font family.

    Idempotent: the font is registered once; later calls only re-apply the seaborn theme. The
    style is the same for zh and en; ``lang`` is validated only.
    """
    _check_lang(lang)
    family = _register_font()
    sans = [family] + [f for f in mpl.rcParamsDefault["font.sans-serif"] if f != family]
    sns.set_theme(context=CONTEXT, style=STYLE, palette="deep", font=family, rc={**_RC, "font.sans-serif": sans})
    return family


def _ensure_style(lang: str) -> None:
    """Apply :func:`setup_style` unless it is already in force (keeps a caller's later rc tweaks)."""
    _check_lang(lang)
    if _family is None or mpl.rcParams["font.family"] != [_family] or mpl.rcParams["axes.unicode_minus"]:
        setup_style(lang)


def save(fig: Figure, path) -> Path:
    """Write ``fig`` as PNG at :data:`DPI` without a Software tag (identical bytes on every save), close it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    return path


# --------------------------------------------------------------------------------------------- helpers


def _s(x) -> str | None:
    return None if x is None or (not isinstance(x, str) and pd.isna(x)) else str(x)


def _num(x: float, nd: int = 2) -> str:
    """At most ``nd`` decimals, trailing zeros dropped: 1080, 799.34, 41.3."""
    if float(x).is_integer():
        return f"{int(round(x)):d}"
    return f"{x:.{nd}f}".rstrip("0").rstrip(".")


def _pct(x: float, nd: int = 0) -> str:
    return f"{100 * x:.{nd}f}%"


def _width(token: str) -> int:
    return sum(2 if _CJK.match(c) else 1 for c in token)


def _wrap(text: str, width: int) -> str:
    """Wrap mixed zh/en text to ``width`` columns (a Chinese character counts 2), never inside a word."""
    lines = []
    for para in text.split("\n"):
        line, w = "", 0
        for tok in _TOKENS.findall(para):
            if tok.isspace():
                if line:
                    line, w = line + " ", w + 1
                continue
            tw = _width(tok)
            # CJK punctuation never starts a line
            if w + tw > width and line.strip() and not re.fullmatch("[，。；：、）)%]", tok):
                lines.append(line.rstrip())
                line, w = "", 0
            line, w = line + tok, w + tw
        lines.append(line.rstrip())
    return "\n".join(lines)


def _note(fig: Figure, notes: list[str], width: int = 150) -> None:
    """Footnote across the bottom of the figure (room is made by the constrained layout)."""
    notes = [n for n in notes if n]
    if not notes:
        return
    text = "\n".join(_wrap(n.replace("\u2212", "-"), width) for n in notes)
    fig.supxlabel(text, x=0.01, ha="left", multialignment="left", fontsize=NOTE_SIZE, color=C_NOTE)


def _period_label(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def _sorted_periods(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(["first_year", "last_year"]).reset_index(drop=True)


def _new_figure(w: float, h: float) -> Figure:
    fig = Figure(figsize=(w, h), layout="constrained")
    fig.get_layout_engine().set(h_pad=0.08, w_pad=0.08, hspace=0.04, wspace=0.06)
    return fig


def _derived_handles(lang: str, color=C_MUTED) -> list:
    return [
        Patch(facecolor=color, edgecolor="white", label=label("reported_value", lang)),
        Patch(facecolor=color, edgecolor="white", hatch=HATCH_DERIVED, label=label("derived_value", lang)),
    ]


def _unstated_text(ax, x, y, lang, **kw):
    kw = {"ha": "center", "va": "bottom", "color": C_MUTED, "fontsize": 10, "style": "italic", **kw}
    return ax.text(x, y, label("not_stated", lang), **kw)


# --------------------------------------------------------------------------------------------- 1 periods


def plot_periods(trends_df: pd.DataFrame, lang: str = "zh") -> Figure:
    """Projects and intended investment per year by period (two panels).

    An aggregate period is ONE bar spanning its years (width = ``n_years``) at its annual average,
    its tick labelled as an average; derived values are hatched and labelled. A value that is not
    known is written "not stated" with no bar.
    """
    _ensure_style(lang)
    df = _sorted_periods(trends_df)
    fig = _new_figure(11.5, 5.6)
    axes = fig.subplots(1, 2)
    specs = (
        ("projects", "projects_status", "projects_qualifier", None, C_PROJECTS, "projects_per_year", "projects_per_year_axis", "what_projects"),
        (
            "investment_100m_yuan",
            "investment_status",
            "investment_qualifier",
            "investment_formula",
            C_INVESTMENT,
            "investment_per_year",
            "investment_per_year_axis",
            "what_investment",
        ),
    )
    centers = [(r.first_year + r.last_year) / 2 for r in df.itertuples()]
    ticks = [
        _period_label(r.first_year, r.last_year)
        if r.n_years == 1
        else label("annual_avg", lang, period=_period_label(r.first_year, r.last_year)).replace(" ", "\n", 1)
        for r in df.itertuples()
    ]
    notes = []
    for r in df.itertuples():
        if r.n_years > 1:
            p = _period_label(r.first_year, r.last_year)
            notes.append(label("note_aggregate", lang, period=p, n=r.n_years))
    any_derived = False
    for ax, (col, st_col, q_col, f_col, color, title_key, axis_key, what_key) in zip(axes, specs):
        top = 0.0
        for row, x in zip(df.to_dict("records"), centers):
            n = int(row["n_years"])
            total = _f(row[col])
            if total is None:
                _unstated_text(ax, x, 0, lang)
                continue
            avg = total / n
            derived = row.get(st_col) == "derived"
            any_derived |= derived
            ax.bar(
                x,
                avg,
                width=n,
                color=color,
                edgecolor="white",
                linewidth=2.5,
                hatch=HATCH_DERIVED if derived else None,
                label=_period_label(row["first_year"], row["last_year"]),
            )
            q = _s(row.get(q_col))
            text = qualified(_num(avg, 1) if n > 1 else _num(total), q, lang)
            if n > 1:
                text += f"\n({_num(total)} ÷ {n})"
            if derived:
                text += f"\n{label('derived', lang)}"
                formula = _s(row.get(f_col)) if f_col else None
                notes.append(
                    label(
                        "note_derived",
                        lang,
                        period=_period_label(row["first_year"], row["last_year"]),
                        what=label(what_key, lang),
                        formula=formula or "?",
                        value=qualified(_num(total), q, lang)
                        + (" 亿元" if lang == "zh" and col.startswith("investment") else ""),
                    )
                )
            ax.annotate(text, (x, avg), xytext=(0, 4), textcoords="offset points", ha="center", va="bottom", fontsize=10.5)
            top = max(top, avg)
        ax.set_title(label(title_key, lang))
        ax.set_ylabel(label(axis_key, lang))
        ax.set_xticks(centers, ticks)
        ax.set_xlim(df["first_year"].min() - 0.7, df["last_year"].max() + 0.7)
        ax.set_ylim(0, (top or 1) * 1.32)
        ax.grid(axis="x", visible=False)
        sns.despine(ax=ax, left=True)
    if any_derived:
        fig.legend(handles=_derived_handles(lang), loc="outside upper right", ncols=2)
    fig.suptitle(label("periods_title", lang), x=0.01, ha="left")
    _note(fig, notes, width=175 if lang == "en" else 150)
    return fig


# --------------------------------------------------------------------------------------------- 2 cumulative


def _cumulative_points(df: pd.DataFrame, col: str, st_col: str) -> pd.DataFrame:
    """End year, cumulative value (None after an unknown period) and whether the period's value is derived."""
    rows, run = [], 0.0
    for row in _sorted_periods(df).to_dict("records"):
        v = _f(row[col])
        run = None if run is None or v is None else run + v
        rows.append({"year": int(row["last_year"]), "value": run, "derived": row.get(st_col) == "derived", "n_years": int(row["n_years"])})
    return pd.DataFrame(rows)


def _draw_cumulative(ax, pts: pd.DataFrame, color, lang: str) -> None:
    """End-of-period points (hollow when the period's value is derived), joined, each with its value."""
    known = pts[pts["value"].notna()]
    ax.plot(known["year"], known["value"], "-", color=color, linewidth=2, zorder=2)
    for k, p in enumerate(known.itertuples()):
        ax.plot(
            p.year, p.value, "o", markersize=9, markeredgewidth=2, color=color,
            markerfacecolor="white" if p.derived else color, zorder=3,
        )
        text = _num(p.value)
        if p.n_years > 1:
            text += "\n" + label("period_total", lang, period=_period_label(p.year - p.n_years + 1, p.year))
        # the first point is labelled below right (room inside the axes), later ones above left
        pos = dict(xytext=(10, -8), ha="left", va="top") if k == 0 else dict(xytext=(-8, 8), ha="right", va="bottom")
        ax.annotate(text, (p.year, p.value), textcoords="offset points", fontsize=10.5, **pos)
    for p in pts[pts["value"].isna()].itertuples():
        _unstated_text(ax, p.year, 0, lang)


def _fan(ax, rows: pd.DataFrame, color, lang: str, start: tuple[float, float] | None = None, annotate: bool = True) -> None:
    """Mean line with shaded 80 % and 95 % prediction bands; ``start`` anchors the fan at the last observation."""
    rows = rows.sort_values("year")
    x = rows["year"].astype(float).to_numpy()
    cols = {c: rows[c].astype(float).to_numpy() for c in ("mean", "pi80_lo", "pi80_hi", "pi95_lo", "pi95_hi")}
    if start is not None:
        x = np.r_[start[0], x]
        cols = {c: np.r_[start[1], v] for c, v in cols.items()}
    ax.fill_between(x, cols["pi95_lo"], cols["pi95_hi"], color=color, alpha=0.15, linewidth=0, label=label("pi95", lang))
    ax.fill_between(x, cols["pi80_lo"], cols["pi80_hi"], color=color, alpha=0.32, linewidth=0, label=label("pi80", lang))
    ax.plot(x, cols["mean"], "--", color=color, linewidth=1.8, label=label("mean", lang))
    ax.plot(rows["year"], rows["mean"], "o", color=color, markersize=4)
    if annotate:
        last = rows.iloc[-1]
        nd = 0 if float(last["mean"]) >= 100 else 1
        ax.annotate(
            f"{_num(round(float(last['mean']), nd), nd)}\n80%: {_num(round(float(last['pi80_lo']), nd), nd)}–{_num(round(float(last['pi80_hi']), nd), nd)}",
            (float(last["year"]), float(last["mean"])),
            xytext=(8, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=9.5,
            color=C_NOTE,
        )


def _check_projection(table: pd.DataFrame) -> None:
    need = {"year", "metric", "mean", "pi80_lo", "pi80_hi", "pi95_lo", "pi95_hi"}
    missing = need - set(table.columns)
    if missing:
        raise ValueError(f"projection table lacks column(s) {', '.join(sorted(missing))}")


def plot_cumulative(trends_df: pd.DataFrame, lang: str = "zh", projection_table: pd.DataFrame | None = None) -> Figure:
    """Cumulative projects and investment at the end of each period, optionally with a projection fan.

    ``projection_table`` has columns year, metric, mean, pi80_lo, pi80_hi, pi95_lo, pi95_hi; rows
    with metric ``cumulative_projects`` / ``cumulative_investment_100m_yuan`` are drawn.
    """
    _ensure_style(lang)
    df = _sorted_periods(trends_df)
    if projection_table is not None:
        _check_projection(projection_table)
    fig = _new_figure(11.5, 5.4)
    axes = fig.subplots(1, 2)
    specs = (
        ("projects", "projects_status", "cumulative_projects", C_PROJECTS, "cumulative_projects", "projects_axis"),
        ("investment_100m_yuan", "investment_status", "cumulative_investment_100m_yuan", C_INVESTMENT, "cumulative_investment", "investment_axis"),
    )
    last_x = int(df["last_year"].max())
    for ax, (col, st_col, metric, color, title_key, axis_key) in zip(axes, specs):
        pts = _cumulative_points(df, col, st_col)
        known = pts[pts["value"].notna()]
        _draw_cumulative(ax, pts, color, lang)
        x_max = last_x
        top = float(known["value"].max()) if not known.empty else 1.0
        if projection_table is not None:
            rows = projection_table[projection_table["metric"] == metric]
            if not rows.empty:
                start = (float(known["year"].iloc[-1]), float(known["value"].iloc[-1])) if not known.empty else None
                _fan(ax, rows, color, lang, start=start)
                x_max = max(x_max, int(rows["year"].max()))
                top = max(top, float(rows["pi95_hi"].max()))
        first_end = int(df["last_year"].min())
        ax.set_xticks(range(first_end, x_max + 1))
        ax.set_xlim(first_end - 0.6, x_max + (1.3 if x_max > last_x else 0.6))
        ax.set_ylim(0, top * 1.15)
        ax.set_title(label(title_key, lang))
        ax.set_ylabel(label(axis_key, lang))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        sns.despine(ax=ax, left=True)
    handles = [
        Line2D([], [], marker="o", color=C_MUTED, markersize=8, label=label("reported_value", lang)),
        Line2D([], [], marker="o", color=C_MUTED, markerfacecolor="white", markeredgewidth=2, markersize=8, label=label("derived_value", lang)),
    ]
    if projection_table is not None:
        handles += [
            Line2D([], [], linestyle="--", color=C_MUTED, label=label("mean", lang)),
            Patch(facecolor=C_MUTED, alpha=0.55, label=label("pi80", lang)),
            Patch(facecolor=C_MUTED, alpha=0.25, label=label("pi95", lang)),
        ]
    fig.legend(handles=handles, loc="outside upper right", ncols=3 if len(handles) > 3 else len(handles))
    fig.suptitle(label("cumulative_title", lang), x=0.01, ha="left")
    aggregates = [_period_label(r.first_year, r.last_year) for r in df.itertuples() if r.n_years > 1]
    notes = [label("note_cumulative", lang, periods=", ".join(aggregates)) if aggregates else None]
    if projection_table is not None:
        notes.append(label("note_projection", lang))
    _note(fig, notes, width=175 if lang == "en" else 150)
    return fig


# --------------------------------------------------------------------------------------------- 3 landing


def plot_landing(landing_df: pd.DataFrame, expected_df: pd.DataFrame | None = None, lang: str = "zh") -> Figure:
    """Landing rate per cohort with its Wilson 95 % interval beside the stated rate (with its hedge).

    With a non-empty ``expected_df`` (:func:`analysis.metrics.expected_landing`), a second panel
    shows the expected landed count of cohorts without landing figures (derived, hatched).
    """
    _ensure_style(lang)
    show_expected = expected_df is not None and not expected_df.empty
    n_lr = max(len(landing_df), 1)
    n_ex = len(expected_df) if show_expected else 0
    fig = _new_figure(11.5 if show_expected else 7.5, 5.4)
    if show_expected:
        ax, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [n_lr + 1.2, n_ex + 0.8]})
    else:
        ax, ax2 = fig.subplots(1, 1), None

    lows = [1.0]
    for i, row in enumerate(landing_df.to_dict("records")):
        rate, lo, hi = _f(row["rate"]), _f(row["ci95_lo"]), _f(row["ci95_hi"])
        if rate is not None:
            ax.errorbar(
                i, rate, yerr=[[rate - lo], [hi - rate]], fmt="o", color=C_PROJECTS, markersize=9, capsize=8,
                elinewidth=2, capthick=2, zorder=3,
            )
            ax.annotate(
                f"{row['landed']}/{row['signed']} = {_pct(rate, 1)}\n95%: {_pct(lo, 1)}–{_pct(hi, 1)}",
                (i, rate), xytext=(-14, 0), textcoords="offset points", ha="right", va="center", fontsize=10,
            )
            lows.append(lo)
        stated = _f(row.get("stated_rate"))
        if stated is not None:
            ax.plot(i + 0.12, stated, "D", markersize=9, markerfacecolor="white", markeredgecolor=C_STATED, markeredgewidth=2, zorder=4)
            text = label("stated_prefix", lang, value=qualified(_pct(stated), row.get("stated_qualifier"), lang))
            ax.annotate(text, (i + 0.12, stated), xytext=(10, 0), textcoords="offset points", ha="left", va="center", fontsize=10, color=C_STATED)
            lows.append(stated)
    low = max(0.0, math.floor((min(lows) - 0.08) * 10) / 10)
    ax.set_ylim(low, 1.0)
    ax.set_xlim(-0.9, n_lr - 0.1)
    ax.set_xticks(range(len(landing_df)), list(landing_df["cohort"]))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel(label("landing_rate", lang))
    ax.set_xlabel(label("cohort", lang))
    ax.set_title(label("landing_panel", lang))
    ax.grid(axis="x", visible=False)
    sns.despine(ax=ax, left=True)
    handles = [
        Line2D([], [], marker="o", color=C_PROJECTS, markersize=8, label=label("computed_rate", lang) + " · " + label("wilson95", lang)),
        Line2D([], [], marker="D", linestyle="", markerfacecolor="white", markeredgecolor=C_STATED, markeredgewidth=2, markersize=8,
               label=label("stated_rate", lang)),
    ]
    notes = []
    if ax2 is not None:
        top = 0.0
        for i, row in enumerate(expected_df.to_dict("records")):
            signed, exp, lo, hi = float(row["signed"]), float(row["expected"]), float(row["lo"]), float(row["hi"])
            ax2.bar(i, signed, width=0.62, color="0.85", edgecolor="white", zorder=1)
            ax2.bar(i, exp, width=0.62, color=C_PROJECTS, edgecolor="white", hatch=HATCH_DERIVED, zorder=2)
            ax2.errorbar(i, exp, yerr=[[exp - lo], [hi - exp]], fmt="none", ecolor="0.15", capsize=6, elinewidth=1.6, zorder=3)
            ax2.annotate(
                f"{label('signed', lang)} {_num(signed)}", (i, signed), xytext=(0, 4), textcoords="offset points",
                ha="center", va="bottom", fontsize=10,
            )
            ax2.annotate(
                f"≈{exp:.1f}\n({lo:.1f}–{hi:.1f})",
                (i + 0.31, exp), xytext=(6, 0), textcoords="offset points", ha="left", va="center", fontsize=10,
            )
            top = max(top, signed, hi)
        ref = expected_df.iloc[0]
        notes.append(label("note_expected", lang, ref=ref.get("rate_from", "?"), rate=_pct(float(ref["rate"]), 1)))
        ax2.set_xticks(range(n_ex), list(expected_df["cohort"]))
        ax2.set_xlim(-0.7, n_ex - 0.3 + 0.45)
        ax2.set_ylim(0, top * 1.18)
        ax2.set_ylabel(label("projects_axis", lang))
        ax2.set_xlabel(label("cohort", lang))
        ax2.set_title(label("expected_panel", lang))
        ax2.grid(axis="x", visible=False)
        sns.despine(ax=ax2, left=True)
        handles += [
            Patch(facecolor="0.85", label=label("signed", lang)),
            Patch(facecolor=C_PROJECTS, edgecolor="white", hatch=HATCH_DERIVED, label=label("expected_landed", lang)),
        ]
    fig.legend(handles=handles, loc="outside upper right", ncols=2)
    fig.suptitle(label("landing_title", lang), x=0.01, ha="left")
    _note(fig, notes, width=175 if lang == "en" else 150)
    return fig


# --------------------------------------------------------------------------------------------- 4 mix


def _group_names(g: pd.DataFrame, lang: str, zh_col: str, en_col: str, width: int) -> list[str]:
    names = g[zh_col] if lang == "zh" else g[en_col]
    return [_wrap(str(n), width) for n in names]


def plot_mix(mix, lang: str = "zh") -> Figure:
    """One :class:`analysis.metrics.Mix`: projects and intended investment by group, side by side.

    Groups are named as published (``group_zh``) for zh and by ``group_en`` for en. A group
    without a stated amount gets the text "not stated" and no bar; the remainder the total
    implies for those groups is given in a note.
    """
    _ensure_style(lang)
    g = mix.groups.reset_index(drop=True)
    n = len(g)
    names = _group_names(g, lang, "group_zh", "group_en", 14 if lang == "zh" else 26)
    n_lines = max(name.count("\n") + 1 for name in names) if names else 1
    fig = _new_figure(12, 2.4 + n * max(0.75, 0.28 * n_lines + 0.2))
    ax_p, ax_i = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [1, 1.15]})
    y = np.arange(n)

    proj = [_f(v) for v in g["projects"]]
    pmax = max([v for v in proj if v is not None] or [1])
    for yi, v, share in zip(y, proj, g["project_share"]):
        if v is None:
            _unstated_text(ax_p, 0, yi, lang, ha="left", va="center")
            continue
        ax_p.barh(yi, v, height=0.62, color=C_PROJECTS)
        s = _f(share)
        text = _num(v) + (f" ({_pct(s)})" if s is not None else "")
        ax_p.annotate(text, (v, yi), xytext=(5, 0), textcoords="offset points", ha="left", va="center", fontsize=10.5)
    ax_p.set_xlim(0, pmax * 1.35)
    ax_p.set_title(label("mix_projects", lang))
    ax_p.set_xlabel(label("projects_axis", lang))

    inv = [_f(v) for v in g["investment_100m_yuan"]]
    imax = max([v for v in inv if v is not None] or [1])
    for yi, v, share, q in zip(y, inv, g["investment_share"], g["investment_qualifier"]):
        if v is None:
            _unstated_text(ax_i, imax * 0.01, yi, lang, ha="left", va="center")
            continue
        ax_i.barh(yi, v, height=0.62, color=C_INVESTMENT)
        s = _f(share)
        text = qualified(_num(v), _s(q), lang) + (f" ({_pct(s)})" if s is not None else "")
        ax_i.annotate(text, (v, yi), xytext=(5, 0), textcoords="offset points", ha="left", va="center", fontsize=10.5)
    ax_i.set_xlim(0, imax * (1.5 if lang == "en" else 1.4))
    ax_i.set_title(label("mix_investment", lang))
    ax_i.set_xlabel(label("investment_axis", lang))

    ax_p.set_yticks(y, names)
    ax_p.set_ylim(n - 0.5, -0.5)
    for ax in (ax_p, ax_i):
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", length=0)
        sns.despine(ax=ax, bottom=True)

    dim = label(mix.dimension, lang) if mix.dimension in ("category", "place") else mix.dimension
    fig.suptitle(label("mix_title", lang, period=mix.period.label, dimension=dim), x=0.01, ha="left")
    unstated = g[g["investment_100m_yuan"].isna()]
    groups = ("、" if lang == "zh" else ", ").join(unstated["group_zh" if lang == "zh" else "group_en"].astype(str))
    if unstated.empty:
        note = label("note_all_stated", lang, stated=_num(mix.stated_investment))
    elif mix.remainder_investment is None or mix.total_investment is None:
        note = label("note_remainder_unknown", lang, groups=groups)
    else:
        note = label(
            "note_remainder",
            lang,
            groups=groups,
            total=qualified(_num(mix.total_investment), mix.total_investment_qualifier, lang),
            stated=_num(round(mix.stated_investment, 6)),
            remainder=_num(round(mix.remainder_investment, 6)),
        )
    _note(fig, [note], width=170 if lang == "en" else 150)
    return fig


# --------------------------------------------------------------------------------------------- 5 harmonised mix

_MIX_VALUES = {
    "project_share": ("project_share", True),
    "investment_share": ("investment_share", True),
    "projects": ("projects_axis", False),
    "investment_100m_yuan": ("investment_axis", False),
}


def plot_harmonised_mix(df: pd.DataFrame, lang: str = "zh", value: str = "project_share") -> Figure:
    """Compare periods on harmonised groups: grouped horizontal bars, one colour per period.

    ``df`` is :func:`analysis.metrics.harmonised_mix` (long, with a ``period`` column). ``value``
    is one of project_share, investment_share, projects, investment_100m_yuan; a missing value
    is labelled "not stated" with no bar.
    """
    _ensure_style(lang)
    if value not in _MIX_VALUES:
        raise ValueError(f"unknown value {value!r}; expected one of {', '.join(_MIX_VALUES)}")
    if df.empty:
        raise ValueError("nothing to plot: the harmonised mix is empty")
    key, is_share = _MIX_VALUES[value]
    periods = sorted(df["period"].astype(str).unique(), key=lambda p: (int(p[:4]), p))
    groups = list(dict.fromkeys(df["harmonised"]))
    name_col = "harmonised_zh" if lang == "zh" else "harmonised_en"
    names = [_wrap(str(df.loc[df["harmonised"] == h, name_col].iloc[0]), 12 if lang == "zh" else 20) for h in groups]
    k = len(periods)
    height = 0.62 if k == 1 else min(0.8 / k, 0.42)
    # periods get their own colours (blue/orange mean projects/investment in the other charts)
    colors = [_PALETTE[(2 + j) % len(_PALETTE)] for j in range(k)]
    fig = _new_figure(9.5, 1.8 + len(groups) * max(0.6, 0.32 * k + 0.2) + 1.0)
    ax = fig.subplots(1, 1)
    vals = [_f(v) for v in df[value]]
    vmax = max([v for v in vals if v is not None] or [1])
    for j, (p, color) in enumerate(zip(periods, colors)):
        sub = df[df["period"].astype(str) == p].set_index("harmonised")
        for i, h in enumerate(groups):
            yi = i + (j - (k - 1) / 2) * height
            v = _f(sub.at[h, value]) if h in sub.index else None
            if v is None:
                _unstated_text(ax, vmax * 0.01, yi, lang, ha="left", va="center", fontsize=9.5)
                continue
            ax.barh(yi, v, height=height * 0.92, color=color, label=p if i == 0 or not ax.containers else None)
            text = _pct(v) if is_share else _num(v)
            ax.annotate(text, (v, yi), xytext=(4, 0), textcoords="offset points", ha="left", va="center", fontsize=10)
    ax.set_yticks(range(len(groups)), names)
    ax.set_ylim(len(groups) - 0.5, -0.5)
    ax.set_xlim(0, vmax * 1.25)
    if is_share:
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(label(key, lang))
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)
    sns.despine(ax=ax, bottom=True)
    handles = [Patch(facecolor=c, label=p) for p, c in zip(periods, colors)]
    fig.legend(handles=handles, loc="outside upper right", ncols=k, title=label("period", lang))
    vlabel = label(key + "_short", lang) if is_share else label(key, lang)
    if "dimension" in df.columns and df["dimension"].nunique() == 1 and df["dimension"].iloc[0] in ("category", "place"):
        title = label("harmonised_title_dim", lang, dimension=label(df["dimension"].iloc[0], lang), value=vlabel)
    else:
        title = label("harmonised_title", lang, value=vlabel)
    fig.suptitle(_wrap(title, 60 if lang == "zh" else 70), x=0.01, ha="left")
    _note(fig, [label("note_single_period", lang, period=periods[0]) if k == 1 else None], width=130 if lang == "en" else 110)
    return fig


# --------------------------------------------------------------------------------------------- 6 projection

_PROJ_METRICS = {
    "projects": ("proj_projects", "projects_per_year_axis", C_PROJECTS),
    "investment_100m_yuan": ("proj_investment", "investment_per_year_axis", C_INVESTMENT),
    "cumulative_projects": ("cumulative_projects", "projects_axis", C_PROJECTS),
    "cumulative_investment_100m_yuan": ("cumulative_investment", "investment_axis", C_INVESTMENT),
}


def plot_projection(table: pd.DataFrame, metric: str, lang: str = "zh", history: pd.DataFrame | None = None) -> Figure:
    """Fan chart of one metric of a projection table: mean line, 80 % and 95 % prediction bands.

    ``history`` is :func:`analysis.metrics.trends` output. For per-year metrics (projects,
    investment_100m_yuan) each period is drawn at its annual average as one segment spanning its
    years (labelled as an average), for cumulative metrics as one point at the end of each period.
    """
    _ensure_style(lang)
    _check_projection(table)
    if metric not in _PROJ_METRICS:
        raise ValueError(f"unknown metric {metric!r}; expected one of {', '.join(_PROJ_METRICS)}")
    rows = table[table["metric"] == metric]
    if rows.empty:
        raise ValueError(f"the projection table has no rows for {metric!r}")
    title_key, axis_key, color = _PROJ_METRICS[metric]
    fig = _new_figure(8.5, 5.2)
    ax = fig.subplots(1, 1)
    cumulative = metric.startswith("cumulative_")
    col = metric.removeprefix("cumulative_")
    st_col = "projects_status" if col == "projects" else "investment_status"
    x_min = int(rows["year"].min())
    start = None
    top = float(rows["pi95_hi"].max())
    notes = [label("note_projection", lang)]
    handles = []
    if history is not None and not history.empty:
        hist = _sorted_periods(history)
        x_min = min(x_min, int(hist["first_year"].min()))
        if cumulative:
            pts = _cumulative_points(hist, col, st_col)
            _draw_cumulative(ax, pts, "0.2", lang)
            pts = pts.dropna(subset=["value"])
            if not pts.empty:
                start = (float(pts["year"].iloc[-1]), float(pts["value"].iloc[-1]))
                x_min = int(pts["year"].min())
                top = max(top, float(pts["value"].max()))
        else:
            for row in hist.to_dict("records"):
                v = _f(row[col])
                if v is None:
                    continue
                n = int(row["n_years"])
                avg = v / n
                derived = row.get(st_col) == "derived"
                x0, x1 = row["first_year"] - 0.4, row["last_year"] + 0.4
                ax.plot([x0, x1], [avg, avg], "-", color="0.2", linewidth=3, solid_capstyle="butt")
                p = _period_label(row["first_year"], row["last_year"])
                text = (label("annual_avg", lang, period=p) + f": {_num(round(avg, 1), 1)}") if n > 1 else f"{p}: {_num(v)}"
                top = max(top, avg)
                if derived:
                    text += f" ({label('derived', lang)})"
                ax.annotate(text, ((x0 + x1) / 2, avg), xytext=(0, 6), textcoords="offset points", ha="center", va="bottom", fontsize=9.5)
        handles.append(Line2D([], [], color="0.2", marker="o" if cumulative else None, linewidth=1.5 if cumulative else 3, label=label("history", lang)))
    _fan(ax, rows, color, lang, start=start)
    handles += [
        Line2D([], [], linestyle="--", color=color, label=label("mean", lang)),
        Patch(facecolor=color, alpha=0.45, label=label("pi80", lang)),
        Patch(facecolor=color, alpha=0.2, label=label("pi95", lang)),
    ]
    x_max = int(rows["year"].max())
    ax.set_xticks(range(x_min, x_max + 1))
    ax.set_xlim(x_min - 0.6, x_max + 1.4)
    ax.set_ylim(0, top * 1.25)  # headroom for the legend
    ax.set_ylabel(label(axis_key, lang))
    ax.set_xlabel(label("year", lang))
    ax.grid(axis="x", visible=False)
    sns.despine(ax=ax, left=True)
    ax.legend(handles=handles, loc="upper left", ncols=2 if len(handles) > 3 else 1)
    fig.suptitle(label("projection_title", lang, metric=label(title_key, lang)), x=0.01, ha="left")
    _note(fig, notes, width=120 if lang == "en" else 100)
    return fig
