"""The one vocabulary: how every number, percent, hedged value, period, date and word is written.

Prose templates, tables, charts, JSON notes and terminal text all format through this module, so
"1,080" is written the same way everywhere and 约/近/余/超 appear in one wording. Chinese uses
full-width punctuation (，。：（）) and no English words; English writes the unit 亿元 as "hundred
million yuan" (280.66 亿元 = 280.66 hundred million yuan = 28.066 billion yuan).

* :func:`num` — a published figure at the precision written: ``1,080``, ``280.66``;
* :func:`rounded` — a computed figure for reading (2–3 significant figures): ``930``, ``1,860``, ``45``;
* :func:`pct` — a share or rate: ``78.2%``;
* :func:`hedged` — a stated value with the source's hedge kept: ``约280.66亿元`` / ``about 280.66 hundred million yuan``;
* :func:`period` / :func:`date` — ``2019–2020年`` / ``2021年5月14日``;
* :func:`word` — a label in zh or en from :data:`WORDS`.
"""

from __future__ import annotations

import math

import pandas as pd

from .qualifiers import RANGE, WORDING_EN, WORDING_ZH, ZH_AFTER_FIGURE, ZH_AFTER_UNIT

LANGS = ("zh", "en")

#: zh/en words used by more than one renderer (chart labels, table headers, prose fragments).
WORDS: dict[str, tuple[str, str]] = {
    # measures and units
    "projects": ("签约项目数", "projects signed"),
    "projects_short": ("项目", "projects"),
    "investment": ("意向投资额", "intended investment"),
    "investment_unit": ("意向投资额（亿元）", "intended investment (hundred million yuan)"),
    "yi_yuan": ("亿元", "hundred million yuan"),
    "unit_projects": ("个", "projects"),
    "projects_per_year": ("年均签约项目数", "projects signed per year"),
    "investment_per_year": ("年均意向投资额（亿元）", "intended investment a year (hundred million yuan)"),
    "investment_per_project": ("平均每个项目（亿元）", "per project (hundred million yuan)"),
    "cumulative_projects": ("累计签约项目数", "cumulative projects signed"),
    "cumulative_investment": ("累计意向投资额（亿元）", "cumulative intended investment (hundred million yuan)"),
    "landing_rate": ("落地率", "landing rate"),
    "landed": ("落地", "landed"),
    "signed": ("签约", "signed"),
    "share_projects": ("项目数占比", "share of projects"),
    "share_investment": ("投资额占比", "share of investment"),
    # table headers
    "period": ("时期", "period"),
    "year": ("年份", "year"),
    "years": ("年数", "years"),
    "group": ("分组", "group"),
    "published_name": ("公布名称", "published name"),
    "harmonised_group": ("统一分组", "harmonised group"),
    "cohort": ("签约批次", "signing cohort"),
    "as_of": ("报道日期", "as of"),
    "source": ("来源", "source"),
    "status": ("说明", "note"),
    "hedge": ("修饰", "hedge"),
    "statement": ("陈述", "statement"),
    "stated": ("所述", "stated"),
    "computed": ("计算", "computed"),
    "verdict": ("结论", "verdict"),
    "basis": ("依据", "basis"),
    "metric": ("指标", "measure"),
    "median": ("中位数", "median"),
    "mean": ("均值", "mean"),
    "pi80": ("80%预测区间", "80% prediction interval"),
    "pi95": ("95%预测区间", "95% prediction interval"),
    "actual": ("实际", "actual"),
    "inside80": ("落在80%区间内", "inside 80%"),
    "inside95": ("落在95%区间内", "inside 95%"),
    "interval_score": ("区间得分", "interval score"),
    "crps": ("连续分级概率评分", "CRPS"),
    # statuses
    "reported": ("公布", "reported"),
    "derived": ("推算", "derived"),
    "missing": ("未公布", "not published"),
    "not_published": ("未公布", "not published"),
    "none": ("未列出", "not listed"),
    "classified_differently": ("分类口径不同", "classified differently"),
    "published": ("公布", "published"),
    "consistent": ("一致", "consistent"),
    "inconsistent": ("不一致", "INCONSISTENT"),
    "not_checkable": ("无法核对", "not checkable"),
    "independent": ("独立核对", "independent"),
    "by construction": ("由推算保证", "by construction"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    # chart words
    "history": ("已公布", "published"),
    "sum_of_periods": ("各期之和", "sum of periods"),
    "stated_total": ("报道所述累计", "cumulative as reported"),
    "lower_bound": ("下限（超/余）", "lower bound (over / more than)"),
    "annual_avg": ("年均", "per year"),
    "source_line": ("资料来源", "Source"),
    "own_calculation": ("本包计算", "calculations by this package"),
    # section headings of notebooks and reports
    "h_main_points": ("要点", "Main points"),
    "h_trends": ("签约项目与意向投资额", "Projects signed and intended investment"),
    "h_mix": ("签约项目的构成", "What was signed"),
    "h_compare": ("与其他年份比较", "Compared with other years"),
    "h_landing": ("落地情况", "Landing"),
    "h_projection": ("今后几年的预测", "Projection"),
    "h_since_then": ("此后公布的情况", "Since then"),
    "h_backtest": ("预测与实际对照", "Projection against what followed"),
    "h_methods": ("方法与说明", "Methods and notes"),
    "h_basis": ("数据来源与范围", "What the figures rest on"),
    "h_model": ("预测模型", "The projection model"),
    "h_claims": ("报道数字的核对", "The articles' figures, checked"),
    "h_caveats": ("注意事项", "Caveats"),
    "h_sources": ("资料来源", "Sources"),
    "h_calibration": ("校准：模型在其他情形下的表现", "Calibration: the model in other worlds"),
    # the calibration study's worlds and columns
    "process_model": ("模型自身的设定", "The model's own"),
    "process_growth": ("每年增长{growth}", "{growth} growth a year"),
    "process_jump": ("某年起跃升至{jump}倍", "A lasting x{jump} jump"),
    "process_rw": ("对数随机游走", "Log random walk"),
    "process_heavy": ("少数大项目占大头", "A few huge projects"),
    "process": ("模拟情形", "simulated world"),
    "coverage_h": ("{level}%区间覆盖率（{h}年后）", "{level}% coverage, {h} yr ahead"),
    "is_ratio": ("区间得分：模型÷泊松基准", "interval score, model ÷ Poisson"),
    # titles
    "conference": ("北京通州·河北廊坊北三县项目推介洽谈会", "Tongzhou · North Three Counties project promotion conference"),
    "report_title": ("{conference}{period}统计报告", "{conference}: {period} report"),
    "title_trends": ("签约趋势", "Signing trends"),
    "title_landing": ("签约项目落地", "Landing of signed projects"),
    "title_mix": ("签约项目构成", "What is signed"),
    "title_projection": ("预测与校准", "Projection and calibration"),
    "title_period_report": ("公布期报告", "Period report"),
    "back_to_index": ("← 全部报告", "← All reports"),
    "index_title": ("通州与北三县项目推介洽谈会统计报告", "Tongzhou · North Three Counties conference reports"),
    "index_intro": ("北京通州与河北廊坊北三县（三河市、大厂县、香河县）每年举办项目推介洽谈会。以下各期报告依据公开报道的数字，只用该期数字公布时已有的报道；分析页面用全部报道。",
                    "Beijing's Tongzhou district and Hebei's North Three Counties (Sanhe, Dachang, Xianghe) hold a project "
                    "promotion conference every year. Each report below uses only the articles published by the release "
                    "of its period's figures; the analysis pages use every article."),
    "reports_label": ("各期报告", "Reports by period"),
    "analyses_label": ("分析", "Analyses"),
    "analysis_meta": ("全部报道，数据截至{through}年", "All articles; figures through {through}"),
    "stale_label": ("以下页面本次构建未能更新（显示的是上一次构建的版本，如有）",
                    "Not updated by the last build (the earlier version is shown, if any)"),
    "stale_line": ("{unit}：{why}", "{unit}: {why}"),
    # ---- added by the typed-results change (issue 19, item 3): the projection's metrics as sentences name
    # them (formerly a dict in each backtest template); keys are metric_<the metric column>
    "metric_projects": ("签约项目", "projects"),
    "metric_investment_100m_yuan": ("意向投资额", "intended investment"),
    "metric_cumulative_projects": ("累计签约项目", "cumulative projects"),
    "metric_cumulative_investment_100m_yuan": ("累计意向投资额", "cumulative intended investment"),
}

#: The source's hedges in words (the semantics are in :mod:`analysis.core.qualifiers`).
HEDGE_ZH, HEDGE_EN = WORDING_ZH, WORDING_EN

_UNITS = {"yi_yuan": ("亿元", "hundred million yuan"), "projects": ("个", "projects"), "percent": ("%", "%"), None: ("", "")}
_ZH_SMALL = "零一二三四五六七八九十"


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    return lang


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[LANGS.index(check_lang(lang))]


def word(key: str, lang: str) -> str:
    """The zh or en word for ``key``; an unknown key raises KeyError."""
    if key not in WORDS:
        raise KeyError(f"no word {key!r} in analysis.core.locale.WORDS")
    return _pick(WORDS[key], lang)


#: Chart words (titles are questions a reader asks; one chart answers one).
CHART_WORDS = {
    "signings_projects": ("每年签约多少个项目？", "How many projects are signed a year?"),
    "signings_investment": ("每年意向投资额多少？", "How much intended investment a year?"),
    "cumulative_projects": ("累计签约了多少个项目？", "How many projects in all?"),
    "cumulative_investment": ("累计意向投资额多少？", "How much intended investment in all?"),
    "landing": ("签约项目落地了多少？", "How many signed projects have landed?"),
    "mix_projects": ("{period}各{dim}签约多少个项目？", "{period}: projects by {dim}"),
    "mix_investment": ("{period}各{dim}意向投资额多少？", "{period}: intended investment by {dim}"),
    "compare": ("各期{dim}构成如何变化？（{value}）", "How does the mix by {dim} change? ({value})"),
    "projection_projects": ("今后几年签约多少个项目？", "How many projects in the coming years?"),
    "projection_investment": ("今后几年意向投资额多少？", "How much intended investment in the coming years?"),
    "per_year_axis": ("个/年（多年期为年均）", "per year (multi-year periods: average)"),
    "yi_yuan_per_year_axis": ("亿元/年（多年期为年均）", "hundred million yuan a year (multi-year: average)"),
    "projects_axis": ("个", "projects"),
    "yi_yuan_axis": ("亿元", "hundred million yuan"),
    "rate_axis": ("落地率", "share landed"),
    "stated_total": ("报道所述累计数", "cumulative as reported"),
    "stated_bound": ("报道所述下限（超、余）", "reported lower bound (over, more than)"),
    "stated_upper_bound": ("报道所述上限（不足、以内）", "reported upper bound (under, at most)"),
    "sum_of_periods": ("各期相加", "sum of the periods"),
    "median": ("预测中位数", "projected median"),
    "pi80": ("80%预测区间", "80% prediction interval"),
    "pi95": ("95%预测区间", "95% prediction interval"),
    "counted": ("落地数 ÷ 签约数（95%置信区间）", "landed ÷ signed (95% confidence interval)"),
    "stated_rate": ("报道所述落地率", "rate as reported"),
    "predicted_landing": ("下次报道的预测（80%区间）", "next statement, projected (80% interval)"),
    "not_stated": ("未公布", "not stated"),
    "derived": ("推算", "derived"),
    "reported": ("公布值", "reported"),
    "derived_value": ("推算值", "derived value"),
    "avg": ("年均", "a year"),
    "none": ("未列出", "not listed"),
    "classified_differently": ("口径不同", "other scheme"),
    "not_published": ("未公布", "not published"),
    "share_projects": ("项目数占比", "share of projects"),
    "share_investment": ("投资额占比", "share of investment"),
    "vintage_axis": ("报道年份", "year of the statement"),
}


def chart_word(key: str, lang: str, **fmt) -> str:
    """A chart's title, axis or legend text; ``fmt`` fills its placeholders."""
    text = _pick(CHART_WORDS[key], lang)
    return text.format(**fmt) if fmt else text

def missing(x) -> bool:
    if x is None or x is pd.NA:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return False


def num(x, lang: str = "en", nd: int = 2) -> str:
    """A published figure as written: whole numbers with thousands separators, others with up to
    ``nd`` decimals (trailing zeros dropped): ``1,080``, ``280.66``, ``799.34``, ``12``. Missing: 未公布."""
    if missing(x):
        return word("not_published", lang)
    x = float(x)
    if abs(x - round(x)) < 1e-9:
        return f"{int(round(x)):,}"
    return f"{x:,.{nd}f}".rstrip("0").rstrip(".")


def rounded(x, lang: str = "en") -> str:
    """A computed figure for reading: 3 significant figures from 100, 2 below, never finer than a whole
    number above 10 (``1,856`` → ``1,860``; ``426.8`` → ``427``; ``45.3`` → ``45``; ``5.43`` → ``5.4``)."""
    if missing(x):
        return word("not_published", lang)
    x = float(x)
    if x == 0:
        return "0"
    digits = 3 if abs(x) >= 100 else 2
    scale = digits - 1 - math.floor(math.log10(abs(x)))
    r = round(x, scale)
    if scale <= 0 or abs(r) >= 10:
        return f"{int(round(r)):,}"
    return f"{r:.{scale}f}"


def pct(x, lang: str = "en", nd: int = 1) -> str:
    """A fraction as a percent: 0.782 → ``78.2%``. Missing: —."""
    if missing(x):
        return "—"
    return f"{100 * float(x):.{nd}f}%"


def prob(p, lang: str = "en") -> str:
    """A probability for reading: whole percent, with the ends said in words (不到1% / under 1%)."""
    if missing(p):
        return "—"
    if p < 0.005:
        return "不到1%" if lang == "zh" else "under 1%"
    if p > 0.995:
        return "超过99%" if lang == "zh" else "over 99%"
    return f"{100 * float(p):.0f}%"


def signed_pct(x, lang: str = "en", nd: int = 1) -> str:
    """A change as a signed percent: ``+12.3%`` / ``−4.0%``."""
    if missing(x):
        return "—"
    v = 100 * float(x)
    return f"{'+' if v >= 0 else '−'}{abs(v):.{nd}f}%"


def hedge_word(qualifier, lang: str) -> str:
    q = "exact" if missing(qualifier) or not qualifier else str(qualifier)
    return (HEDGE_ZH if check_lang(lang) == "zh" else HEDGE_EN)[q]


def hedged(value, qualifier, lang: str, unit: str | None = None, fmt=None, bounds=None) -> str:
    """A stated or derived value with its hedge kept: 约280.66亿元 / about 280.66 hundred million yuan;
    210余个 / more than 210 projects; 不足252亿元 / under 252 hundred million yuan; 252亿元以内 / at most 252
    hundred million yuan; a derived range (qualifier ``range``, ``bounds`` its ``(lo, hi)``, hi None when
    unbounded): 160～240亿元 / 160–240 hundred million yuan, 不少于0亿元 / at least 0 hundred million yuan.

    ``unit``: None, ``"yi_yuan"``, ``"projects"`` or ``"percent"``; ``fmt`` formats the number
    (default :func:`num`). Missing: 未公布 / not published.
    """
    if missing(value):
        return word("not_published", lang)
    f = fmt or num
    q = "exact" if missing(qualifier) or not qualifier else str(qualifier)
    u = _pick(_UNITS[unit], lang)
    sep = "" if unit == "percent" or lang == "zh" else " "
    if q == RANGE:
        if bounds is None:
            raise ValueError("a derived range needs its bounds to be written")
        lo, hi = bounds
        if hi is None or missing(hi) or math.isinf(float(hi)):
            return f"不少于{f(lo, lang)}{u}" if lang == "zh" else f"at least {f(lo, lang)}{sep + u if u else ''}"
        return f"{f(lo, lang)}～{f(hi, lang)}{u}" if lang == "zh" else f"{f(lo, lang)}–{f(hi, lang)}{sep + u if u else ''}"
    text = f(value, lang)
    if lang == "zh":
        w = HEDGE_ZH[q]
        if q in ZH_AFTER_FIGURE:
            return f"{text}{w}{u}"
        return f"{text}{u}{w}" if q in ZH_AFTER_UNIT else f"{w}{text}{u}"
    w = HEDGE_EN[q]
    return f"{w + ' ' if w else ''}{text}{sep + u if u else ''}"


def hedge_cell(qualifier, bounds, lang: str, empty: str = "") -> str:
    """A table's hedge column for one value: the hedge word (约, 超, 不足 …), or, for a derived value no word
    describes, its range (160–240); ``empty`` for an exact or missing one."""
    if isinstance(qualifier, str) and qualifier == RANGE and bounds is not None and bounds[1] is not None:
        return interval(bounds[0], bounds[1], lang, fmt=num)
    return hedge_word(qualifier, lang) or empty


def hedged_sum(value, qualifier, lang: str, unit: str | None = None, bounds=None) -> str:
    """A total computed from published parts, with the hedge its interval implies: to the published decimals
    when it is exact, else to a whole number (a sum of 约 parts has no meaningful decimals): 约1,506亿元."""
    exact = missing(qualifier) or not qualifier or qualifier == "exact"
    return hedged(value, qualifier, lang, unit, fmt=None if exact or missing(value) else (lambda x, _l: f"{round(float(x)):,}"),
                  bounds=bounds)


def period(first: int, last: int | None = None, lang: str = "en", suffix: bool = True) -> str:
    """``2019–2020年`` / ``2022年`` (zh, with 年 unless ``suffix`` is False); ``2019–2020`` / ``2022`` (en)."""
    last = first if last is None else last
    text = str(first) if first == last else f"{first}–{last}"
    return text + ("年" if lang == "zh" and suffix else "")


def date(d, lang: str = "en") -> str:
    """A source date (year, month, day; unknown parts 0): ``2021年5月14日`` / ``14 May 2021``; ``2022年`` / ``2022``."""
    if d is None:
        return word("not_published", lang)
    y, m, day = (tuple(d) + (0, 0))[:3]
    if lang == "zh":
        return f"{y}年" + (f"{m}月" if m else "") + (f"{day}日" if m and day else "")
    months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December"]
    if m and day:
        return f"{day} {months[m - 1]} {y}"
    return f"{months[m - 1]} {y}" if m else str(y)


def interval(lo, hi, lang: str = "en", fmt=None) -> str:
    """``30–62`` (formatted with :func:`rounded` unless ``fmt`` is given)."""
    f = fmt or rounded
    return f"{f(lo, lang)}–{f(hi, lang)}"


def join(items, lang: str) -> str:
    """A list in running text: 甲、乙和丙 / a, b and c."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    if lang == "zh":
        return "、".join(items[:-1]) + "和" + items[-1]
    return ", ".join(items[:-1]) + " and " + items[-1]


def count_zh(n: int) -> str:
    """Small counts in Chinese running text: 两篇, 三个 (as digits from 11)."""
    n = int(n)
    if n == 2:
        return "两"
    return _ZH_SMALL[n] if 0 <= n <= 10 else str(n)


def verdict(consistent, lang: str) -> str:
    if consistent is None or missing(consistent):
        return word("not_checkable", lang)
    return word("consistent" if bool(consistent) else "inconsistent", lang)


_YEARS = r"(\d{4}(?:–\d{4})?)"


def formula(text, lang: str) -> str:
    """A derivation as the library writes it ("1,080 (2019–2022) − 280.66 (2022)", "85 (2019–2020 total)"),
    in ``lang``: the zh form labels periods as 2019–2022年 / 2019–2020年合计."""
    import re

    if missing(text) or text is None:
        return ""
    if check_lang(lang) == "en":
        return str(text)
    t = re.sub(_YEARS + r" total\)", r"\1年合计）", str(text))
    t = re.sub(r"\(" + _YEARS + r"\)", r"（\1年）", t)
    t = re.sub(r"\(the most that (.*) can be\)", r"（\1可能的最大值）", t)
    t = re.sub(r"\(the least that (.*) can be\)", r"（\1可能的最小值）", t)
    return t.replace("(", "（").replace(" （", "（").replace(" vs ", "，对照")


def fixed(x, nd: int = 2) -> str:
    """A table cell: thousands separators and exactly ``nd`` decimals (``1,079.66``, ``552.00``); — when missing."""
    if missing(x):
        return "—"
    return f"{float(x):,.{nd}f}"


def sig(x, digits: int = 3) -> str:
    """A number in messages and diagnostics: ``digits`` significant figures (``78.23``, ``1.08e+04``)."""
    if missing(x):
        return "—"
    return f"{float(x):.{digits}g}"


def iso_date(d) -> str | None:
    """A source date as far as it is known, for JSON and ids: 2021-05-14, 2023-09, 2022."""
    if d is None:
        return None
    y, m, day = (tuple(d) + (0, 0))[:3]
    if m and day:
        return f"{y}-{m:02d}-{day:02d}"
    return f"{y}-{m:02d}" if m else str(y)


def thousands(x, _pos=None) -> str:
    """Axis tick formatter: thousands separators, no needless decimals."""
    return num(round(float(x), 2))
