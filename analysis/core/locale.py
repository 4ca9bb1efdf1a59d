"""The one vocabulary: how every number, percent, hedged value, period, date and word is written.

Prose templates, tables, charts, JSON notes and terminal text all format through this module, so
1,080 (en) / 1080 (zh) is written the same way everywhere and 约/近/余/超 appear in one wording. Chinese is
written as Chinese statistical releases write it: full-width punctuation (，。：（）), no English words, no
thousands separators (1500亿元), changes in words (增长35.1%, 下降5.0%; never "+35%"), ranges of values with
the wave dash (31～65个) and spans of years with the one-character dash (2019—2020年; GB/T 15834-2011
4.13.3), a hedge where the source puts it (约426.81亿元, 210余个). English writes the unit 亿元 as "hundred
million yuan" (280.66 亿元 = 280.66 hundred million yuan = 28.066 billion yuan).

One :class:`Locale` per language (``Locale("zh")``, or the cached ``locale.of("zh")``) does the writing;
the language's words and habits are tables (:data:`WORDS`, :data:`CHART_WORDS`, :data:`HEDGES`,
:data:`UNITS`, :data:`STYLES`), so no code, here or elsewhere, branches on the language's name:

* :meth:`Locale.num` — a published figure at the precision written: ``1,080`` / ``1080``, ``280.66``;
* :meth:`Locale.rounded` — a computed figure for reading (2–3 significant figures): ``930``, ``1,860``, ``45``;
* :meth:`Locale.fixed` / :meth:`Locale.hedged_cell` / :meth:`Locale.tick` — a table cell, a hedged one
  (``约164.89`` in zh), an axis tick;
* :meth:`Locale.pct` / :meth:`Locale.change` — a share or rate: ``78.2%``; a change: ``增长35.1%`` / ``up 35.1%``;
* :meth:`Locale.interval` / :meth:`Locale.pct_interval` — ``39～93`` / ``39–93``;
* :meth:`Locale.hedged` — a stated value with the source's hedge kept: ``约280.66亿元`` / ``about 280.66 hundred million yuan``;
* :meth:`Locale.period` / :meth:`Locale.date` — ``2019—2020年`` / ``2021年5月14日``;
* :meth:`Locale.bracket` — ``（亿元）`` / `` (hundred million yuan)``;
* :meth:`Locale.word` — a label in zh or en from :data:`WORDS`.

Code that holds only a language's name (the JSON, the terminal, the claims) calls the thin functions
:func:`word`, :func:`hedged`, :func:`period` … of the same Locale. The sources' own terms and numerals, which
the loader and the checks of ``data/`` match in the articles, are kept here too (``SOURCE_*``,
:data:`INVESTMENT_TERMS`, :data:`ZH_DIGITS` …): every Chinese string of the code is in this module or a template.
"""

from __future__ import annotations

import math
import sys

from .qualifiers import RANGE

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
    "harmonised_group": ("可比分组", "harmonised group"),
    "cohort": ("签约批次", "signing cohort"),
    "as_of": ("报道日期", "as of"),
    "source": ("来源", "source"),
    "status": ("说明", "note"),
    "hedge": ("备注", "hedge"),  # the column of 约/余/超 (a zh table writes them in the cell)
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
    "interval_score": ("范围评分", "interval score"),  # plain words in the main text's backtest table
    "crps": ("误差评分", "CRPS"),
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
    # pieces of a line (the punctuation and order of each language)
    "ci95": ("误差范围（95%）", "95% interval"),
    "count_unit": ("个", ""),  # the unit a count column's header carries (none in English)
    "source_item": ("{publisher}（{date}）", "{publisher}, {date}"),
    "source_items_sep": ("、", "; "),
    "source_sentence": ("{source}：{items}；{own}。", "{source}: {items}; {own}."),
    "name_with_translation": ("{zh}", "{zh} ({en})"),
    # chart words
    "history": ("已公布", "published"),
    "sum_of_periods": ("各期之和", "sum of periods"),
    "stated_total": ("报道所述累计", "cumulative as reported"),
    "source_line": ("资料来源", "Source"),
    "own_calculation": ("本报告整理计算", "calculations by this package"),
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
    "process_model": ("模型自身设定", "The model's own"),
    "process_growth": ("每年增长{growth}", "{growth} growth a year"),
    "process_jump": ("某年起跃升至{jump}倍", "A lasting x{jump} jump"),
    "process_rw": ("对数随机游走", "Log random walk"),
    "process_heavy": ("少数大项目占大头", "A few huge projects"),
    "process": ("模拟情形", "simulated world"),
    "coverage_h": ("{level}%区间覆盖率（{h}年后）", "{level}% coverage, {h} yr ahead"),
    "is_ratio": ("区间得分：模型÷泊松基准", "interval score, model ÷ Poisson"),
    # titles
    "conference": (
        "北京通州·河北廊坊北三县项目推介洽谈会",
        "Tongzhou · North Three Counties project promotion conference",
    ),
    "report_title": ("{conference}{period}统计报告", "{conference}: {period} report"),
    "title_trends": ("签约趋势", "Signing trends"),
    "title_landing": ("签约项目落地", "Landing of signed projects"),
    "title_mix": ("签约项目构成", "What is signed"),
    "title_projection": ("预测与校准", "Projection and calibration"),
    "title_period_report": ("统计报告", "Period report"),
    "back_to_index": ("← 全部报告", "← All reports"),
    "index_title": ("通州与北三县项目推介洽谈会统计报告", "Tongzhou · North Three Counties conference reports"),
    "index_intro": (
        "北京通州与河北廊坊北三县（三河市、大厂县、香河县）每年举办项目推介洽谈会。以下各期报告依据公开报道的数字，只用该期数字公布时已有的报道；分析页面用全部报道。",
        "Beijing's Tongzhou district and Hebei's North Three Counties (Sanhe, Dachang, Xianghe) hold a project "
        "promotion conference every year. Each report below uses only the articles published by the release "
        "of its period's figures; the analysis pages use every article.",
    ),
    "reports_label": ("各期报告", "Reports by period"),
    "analyses_label": ("分析", "Analyses"),
    "analysis_meta": ("全部报道，数据截至{through}年", "All articles; figures through {through}"),
    "stale_label": (
        "以下页面本次构建未能更新（显示的是上一次构建的版本，如有）",
        "Not updated by the last build (the earlier version is shown, if any)",
    ),
    "stale_line": ("{unit}：{why}", "{unit}: {why}"),
    # ------------------------------------------------------------------------------------------------
    # "Reported" in zh has two words because it has two meanings (checked in the claims work):
    # * 公布 (``reported``) is a figure's status: the source published it, as
    #   against 推算 (derived by this package from other figures);
    # * 报道所述 / 报道称 (``stated_total``, ``stated_rate``, the since_then and claims sentences) attribute a
    #   statement to an article where the text sets it against this package's own computation (a stated
    #   cumulative against the sum of the periods, a stated rate against the counts): the article's word,
    #   which is being checked, not a status.
    # The third wording, 公布值 (CHART_WORDS "reported"), labelled no chart and was removed.
    # ------------------------------------------------------------------------------------------------
    # Terminal text (``metrics --format table``, present/output.metrics_text); added by the claims work.
    # Placeholders are filled by str.format; a language may leave one out (the zh mix heading names the
    # scheme by its label, the en one by its key).
    "cli_through": (
        "截至{through}年，依据{as_of}以前发表的报道（{n}篇：{sources}）",
        "Through {through}, as known on {as_of} ({n} article(s): {sources})",
    ),
    "cli_list_sep": ("、", ", "),
    "cli_cumulative": (
        "  累计：{projects}（{projects_status}），{investment}（{investment_status}），涵盖{periods}",
        "  cumulative: {projects} ({projects_status}), {investment} ({investment_status}) over {periods}",
    ),
    "cli_no_cumulative": ("  累计：截至本年尚无公布", "  cumulative: nothing published through this year"),
    "cli_note": ("  说明：{note}", "  note: {note}"),
    "cli_periods": ("各期", "Periods"),
    "cli_col_period": ("时期", "period"),
    "cli_col_projects": ("项目数", "projects"),
    "cli_col_investment": ("投资额", "invest."),
    "cli_col_hedge": ("备注", "hedge"),
    "cli_col_status": ("说明", "status"),
    "cli_col_projects_per_year": ("年均项目", "proj/yr"),
    "cli_col_investment_per_year": ("年均投资", "inv/yr"),
    "cli_col_per_project": ("项目均额", "inv/proj"),
    "cli_status_missing": ("未公布", "missing"),  # a status (the others: ``reported``, ``derived`` above)
    "cli_projects_hedged": ("  {pad}项目数：{value}", "  {pad}projects: {value}"),
    "cli_investment_derived": ("  {pad}投资额推算：{formula}", "  {pad}investment derived: {formula}"),
    "cli_amounts_unit": ("  （金额单位：亿元）", "  (amounts in hundred million yuan, 亿元)"),
    "cli_landing": ("落地情况（各次报道及其日期）", "Landing (statements with their dates)"),
    "cli_no_rate": ("未公布落地率", "no rate stated"),
    "cli_stated_rate": ("报道称{rate}", "stated {rate}"),
    "cli_rate_verdict": ("：{verdict}", ": {verdict}"),
    "cli_counted": ("{landed}/{signed} = {rate}（95%区间{lo}–{hi}）", "{landed}/{signed} = {rate} (95% {lo}–{hi})"),
    "cli_by_rate": ("按落地率为{signed}个中的{count}个", "{count} of {signed} by the rate"),
    "cli_no_count": ("未公布落地数", "no count"),
    "cli_signed_derived": (" [签约数{status}：{formula}]", " [signed {status}: {formula}]"),
    "cli_landing_row": (
        "  {period}（截至{as_of}）：{count}；{stated}{signed}",
        "  {period} as of {as_of}: {count}; {stated}{signed}",
    ),
    "cli_group": ("{zh}", "{en}"),  # a group's name as the data give it
    "cli_mix": ("{period}年按{scheme_label}分的构成{hhi}", "Mix {period} by {scheme}{hhi}"),
    "cli_hhi": ("（投资额赫芬达尔指数{hhi}）", " (HHI of investment {hhi})"),
    "cli_no_count_groups": (
        "  部分分组未公布项目数；总数余下{n}个项目",
        "  no count stated for some groups; the total leaves {n} project(s) for them",
    ),
    "cli_no_amount_groups": ("  {n}个分组未公布金额：{why}", "  no amount stated for {n} group(s): {why}"),
    "cli_remainder_counts_only": ("该分组只列出项目数", "the breakdown splits the projects only"),
    "cli_remainder_no_total": ("没有可据以推算的总额", "no total to imply one"),
    "cli_remainder_zero": ("已公布的分组已达所写总额", "the stated groups make up the total as written"),
    "cli_remainder_positive": ("总额余下{amount}，由这些分组合计", "the total leaves {amount} for them together"),
    "cli_claims": ("报道数字的核对", "Claims"),
    "cli_flag_ok": ("一致", "ok "),
    "cli_flag_bad": ("不一致", "BAD"),
    "cli_flag_unknown": ("无法核对", " ? "),
    "cli_claim_computed": ("计算值{computed}", "computed {computed}"),
    "cli_claim_formula": (" = {formula}", " = {formula}"),
    "cli_claim_stated": ("报道称{stated}，计算值{computed}", "stated {stated}, computed {computed}"),
    "cli_claim": ("  [{flag}] {text}（{detail}）", "  [{flag}] {text} ({detail})"),
    "cli_projection": (
        "预测：中位数 [80%区间] [95%区间]；模型权重：{weights}",
        "Projection: median [80% interval] [95% interval]; model weights {weights}",
    ),
    "cli_projection_projects": ("项目数", "projects"),
    "cli_projection_investment": ("投资额", "investment"),
    "cli_projection_cumulative_investment": ("累计投资额", "cum. investment"),
    "cli_part_sep": ("；", "; "),
    "cli_projection_year": ("  {year}年：{parts}", "  {year}: {parts}"),
    "cli_projection_note": ("预测：{note}", "Projection: {note}"),
    "cli_backtest": (
        "预测与实际对照（发布时的预测与此后公布的数字）",
        "Backtest (projection at the release against later figures)",
    ),
    "cli_inside": ("在区间内", "inside"),
    "cli_outside": ("在区间外", "OUTSIDE"),
    "cli_backtest_row": (
        "  {year}年{metric_label}：实际{actual}，中位数{median}，80%区间[{pi80}]{inside80}，95%区间[{pi95}]{inside95}；"
        "区间得分{score}，连续分级概率评分{crps}",
        "  {year} {metric}: actual {actual}, median {median}, 80% [{pi80}] {inside80}, 95% [{pi95}] {inside95}; "
        "interval score {score}, CRPS {crps}",
    ),
    "cli_since_then": ("此后公布的情况（{sources}）", "Since then ({sources})"),
    "cli_since_then_total": ("  {period}：{projects}，{investment}", "  {period}: {projects}, {investment}"),
    "cli_line": ("  {text}", "  {text}"),
    # ---- added by the typed-results change (issue 19, item 3): the projection's metrics as sentences name
    # them (formerly a dict in each backtest template); keys are metric_<the metric column>
    "metric_projects": ("签约项目", "projects"),
    "metric_investment_100m_yuan": ("意向投资额", "intended investment"),
    "metric_cumulative_projects": ("累计签约项目", "cumulative projects"),
    "metric_cumulative_investment_100m_yuan": ("累计意向投资额", "cumulative intended investment"),
}

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
    "rate_axis": ("落地率", "share landed"),
    "stated_total": ("报道所述累计数", "cumulative as reported"),
    "stated_bound": ("报道所述下限（超、余）", "reported lower bound (over, more than)"),
    "stated_upper_bound": ("报道所述上限（不足、以内）", "reported upper bound (under, at most)"),
    "sum_of_periods": ("各期相加", "sum of the periods"),
    "median": ("预测中位数", "projected median"),
    "pi80": ("80%预测区间", "80% prediction interval"),
    "pi95": ("95%预测区间", "95% prediction interval"),
    "counted": ("落地数 ÷ 签约数（竖线为误差范围）", "landed ÷ signed (95% confidence interval)"),
    "stated_rate": ("报道所述落地率", "rate as reported"),
    "predicted_landing": ("下次报道的预测（80%区间）", "next statement, projected (80% interval)"),
    "not_stated": ("未公布", "not stated"),
    "derived": ("推算", "derived"),
    "derived_value": ("推算值", "derived value"),
    "avg_value": ("年均 {value}", "{value} a year"),
    "cohort": ("{period}批次", "{period}"),
    "as_of": ("{date}", "as of {date}"),
    "none": ("未列出", "not listed"),
    "classified_differently": ("口径不同", "other scheme"),
    "not_published": ("未公布", "not published"),
    "share_projects": ("项目数占比", "share of projects"),
    "share_investment": ("投资额占比", "share of investment"),
}


#: The source's hedges in words, before (zh) or around (en) the figure; the semantics are in
#: :mod:`analysis.core.qualifiers`.
HEDGES: dict[str, tuple[str, str]] = {
    "exact": ("", ""),
    "approx": ("约", "about"),
    "nearly": ("近", "nearly"),
    "more_than": ("余", "more than"),
    "over": ("超", "over"),
    "under": ("不足", "under"),
    "at_most": ("以内", "at most"),
    RANGE: ("", ""),
}

#: Units of a hedged value (the key of :meth:`Locale.hedged`'s ``unit``).
UNITS: dict[str | None, tuple[str, str]] = {
    "yi_yuan": ("亿元", "hundred million yuan"),
    "projects": ("个", "projects"),
    "percent": ("%", "%"),
    None: ("", ""),
}

# ---- tables and charts (issue 21, item 3): the tables' captions and totals row, and each chart's finding as its
# image's alt text (a sentence made from the chart's own numbers; never its title)
WORDS.update(
    {
        "total_row": ("合计", "Total"),
        "at_least": ("不少于", "at least"),  # the hedge cell of a total with parts not published
        "all_groups": ("各组", "all groups"),  # one row for a period whose breakdown was not published
        "caption_periods": ("各期签约项目数和意向投资额", "Projects signed and intended investment, by period"),
        "caption_landing": ("各批次签约项目的落地情况", "Signed projects that have landed, by cohort"),
        "caption_mix": (
            "{period}各分组签约项目数和意向投资额",
            "{period}: projects signed and intended investment by group",
        ),
        "caption_compare": ("各期按{dim}分组的构成", "The mix by {dim}, period by period"),
        "caption_claims": ("报道所述数字与计算结果的核对", "The sources' statements checked against the figures"),
        "caption_projection": (
            "今后几年的预测：中位数、80%和95%预测区间、均值",
            "Projection: median, 80% and 95% prediction intervals, mean",
        ),
        "caption_backtest": ("预测与此后公布的实际数字", "The projection against the figures published later"),
        "caption_calibration": (
            "模拟研究：预测区间的覆盖率和区间得分",
            "Simulation study: coverage of the prediction intervals and interval score",
        ),
        "caption_total_hedged": ("合计中含约数", "the total keeps its parts' hedges"),
        "caption_not_published": ("{periods}未公布分组数据", "no breakdown published for {periods}"),
    }
)
CHART_WORDS.update(
    {
        "alt_signings_projects": ("每年签约项目数", "Projects signed a year"),
        "alt_signings_investment": ("每年意向投资额", "Intended investment a year"),
        "alt_cumulative_projects": ("累计签约项目数", "cumulative projects signed"),
        "alt_cumulative_investment": ("累计意向投资额", "cumulative intended investment"),
        "alt_projection_projects": ("签约项目数", "Projects signed"),
        "alt_projection_investment": ("意向投资额", "Intended investment"),
        "alt_up": (
            "{measure}从{a_period}的{a}增至{b_period}的{b}",
            "{measure} rose from {a} in {a_period} to {b} in {b_period}",
        ),
        "alt_down": (
            "{measure}从{a_period}的{a}降至{b_period}的{b}",
            "{measure} fell from {a} in {a_period} to {b} in {b_period}",
        ),
        "alt_two": ("{measure}：{a_period}为{a}，{b_period}为{b}", "{measure}: {a} in {a_period}, {b} in {b_period}"),
        "alt_one": ("{measure}：{a_period}为{a}", "{measure}: {a} in {a_period}"),
        "alt_none": ("{measure}：未公布", "{measure}: not published"),
        "alt_avg": ("年均{value}", "{value} a year on average"),
        "alt_sep": ("；", "; "),
        "alt_end": ("。", "."),
        "alt_cumulative": (
            "各期相加，到{year}年{measure}{value}",
            "Summing the periods, {measure} by {year}: {value}",
        ),
        "alt_cumulative_stated": ("报道所述到{year}年为{value}", "as reported by {year}: {value}"),
        "alt_forecast": (
            "预测{year}年中位数为{median}，80%预测区间为{interval}",
            "projected for {year}: median {median}, 80% prediction interval {interval}",
        ),
        "alt_landing": (
            "截至{date}，{cohort}签约的{signed}个项目中{landed}个已落地（{rate}）",
            "By {date}, {landed} of the {signed} projects signed in {cohort} had landed ({rate})",
        ),
        "alt_landing_stated": ("报道所述落地率为{rate}", "the source's rate: {rate}"),
        "alt_landing_only_stated": (
            "截至{date}，{cohort}签约的{signed}个项目，报道所述落地率为{stated}",
            "By {date}, of the {signed} projects signed in {cohort}, the source says {stated} had landed",
        ),
        "alt_landing_none": ("报道未给出可计算落地率的数字", "No statement gives the figures a landing rate needs"),
        "alt_mix": ("{period}各{dim}{measure}：{items}", "{period}, {measure} by {dim}: {items}"),
        "alt_mix_projects": ("签约项目", "projects"),
        "alt_mix_investment": ("意向投资额", "intended investment"),
        "alt_item": ("{label}{value}", "{label} {value}"),
        "alt_items_sep": ("，", ", "),
        "alt_unstated": ("{n}组未公布", "{n} not stated"),
        "alt_compare": ("{group}的{value}：{items}", "{value}, {group}: {items}"),
        "alt_compare_item": ("{period}{value}", "{value} in {period}"),
    }
)

#: The priors' reasons in Chinese (the English ones are :attr:`analysis.core.config.Prior.reason`).
PRIOR_REASONS_ZH: dict[str, str] = {
    "model": "事先不偏向任何一种时间结构：水平恒定、随机游走、趋势三种设定的先验概率相等。",
    "rate_level": "首年每年签约项目数的对数：区县之间的推介会每年签约从几个到两百个左右（95%范围约4至210个）。",
    "rate_year_sd": "恒定水平模型中各年对数签约率的波动：年度之间相差几成，很少翻倍（中位数20%）。",
    "rate_step_sd": "随机游走模型中对数签约率每年一步的标准差：水平持久变化每年约15%较常见，50%罕见。",
    "rate_trend": "趋势模型中签约数每年的对数增长：不预设方向；对一年一度的政务推介会，每年持续增减超过约30%不合常理。",
    "rate_trend_year_sd": "趋势模型中围绕趋势的年度波动：趋势吸收了部分变化，因此小于恒定水平模型。",
    "amount_level": "首年平均每个项目意向投资额（亿元）的对数：这类项目从不足1亿元到数十亿元不等（95%范围约0.3至95亿元）。",
    "amount_year_sd": "恒定水平模型中平均每个项目金额的年度波动：几个大型基础设施项目就能让某年平均额上升一半以上，故宽于项目数（中位数27%）。",
    "amount_step_sd": "随机游走模型中平均每个项目金额每年一步的标准差：项目规模的持久变化略大于项目数量的变化。",
    "amount_trend": "趋势模型中平均每个项目金额每年的对数增长：项目规模变化缓慢（价格、政策重点），每年超过约20%不合常理。",
    "amount_trend_year_sd": "趋势模型中围绕趋势的年度金额波动：项目规模分布长尾，即使有趋势，年度平均额也波动较大。",
    "landing_eventual": "最终落地的项目比例c：多数签约项目会开工，但少数意向始终不会落地（均值0.75，5%分位数0.37）。",
    "landing_hazard": "终将落地的项目每年落地的概率h：快慢皆有可能，以每年一半为中心。",
    "landing_icc": "同一批次内落地的相关性ρ：批次之间有差异（政策推动、项目构成）；0.05意味着40个项目的批次，其波动约为各项目独立时的1.7倍。",
}

# ---- the fitted model as an analyst inspects it (issue 20, item 2: analysis.stats.posterior and the
# tables at the end of analysis.present.tables); a block of its own, merged into WORDS below.
MODEL_WORDS: dict[str, tuple[str, str]] = {
    # column headers (analysis.core.columns titles)
    "model": ("模型", "model"),
    "prior_probability": ("先验概率", "prior probability"),
    "log_evidence": ("对数边际似然", "log evidence"),
    "weight": ("权重", "weight"),
    "draws": ("抽样数", "draws"),
    "ess": ("有效样本量", "effective sample size"),
    "ess_share": ("有效样本占比", "effective share"),
    "khat": ("帕累托形状参数", "Pareto k̂"),
    "parameter": ("参数", "parameter"),
    "sd_ratio": ("后验标准差÷先验标准差", "posterior sd ÷ prior sd"),
    "change_median": ("中位数的变化", "change of the median"),
    "prior_interval": ("先验：中位数（80%区间）", "prior: median (80% interval)"),
    "posterior_interval": ("后验：中位数（80%区间）", "posterior: median (80% interval)"),
    "before_median": ("原预测中位数", "median before"),
    "before_pi80": ("原80%预测区间", "80% interval before"),
    "after_median": ("假定下的中位数", "median under the assumption"),
    "after_pi80": ("假定下的80%预测区间", "80% interval under the assumption"),
    # the time structures and the Pareto k-hat's verdicts
    "model_iid": ("水平恒定、各年独立波动", "constant level, independent years"),
    "model_level": ("水平逐年随机游走", "random walk"),
    "model_drift": ("水平按固定比率增减", "steady trend"),
    "model_averaged": ("按权重平均", "averaged"),
    "model_landing": ("落地模型", "landing"),
    "khat_good": ("可靠", "good"),
    "khat_ok": ("可用", "ok"),
    "khat_unreliable": ("不可靠", "unreliable"),
    # the parameters, by the key of their prior in analysis.core.config.PRIORS
    "param_rate_level": ("首年预期签约数（对数）", "log expected projects, first year"),
    "param_rate_trend": ("签约数每年增长（对数）", "yearly log growth of projects"),
    "param_rate_year_sd": ("签约数年度波动（对数标准差）", "sd of yearly log-rate effects"),
    "param_rate_step_sd": ("签约水平每年一步（对数标准差）", "sd of the log-rate's yearly step"),
    "param_rate_trend_year_sd": ("围绕趋势的签约数波动（对数标准差）", "sd of log-rate effects around the trend"),
    "param_amount_level": (
        "首年平均每个项目金额（亿元，对数）",
        "log amount per project, first year (hundred million yuan)",
    ),
    "param_amount_trend": ("平均每个项目金额每年增长（对数）", "yearly log growth of the amount per project"),
    "param_amount_year_sd": ("平均每个项目金额年度波动（对数标准差）", "sd of yearly log-amount effects"),
    "param_amount_step_sd": ("平均每个项目金额每年一步（对数标准差）", "sd of the log amount's yearly step"),
    "param_amount_trend_year_sd": ("围绕趋势的金额波动（对数标准差）", "sd of log-amount effects around the trend"),
    "param_landing_eventual": ("最终落地的比例", "share that ever lands, c"),
    "param_landing_hazard": ("每年落地的概率", "yearly landing probability, h"),
    "param_landing_icc": ("批次内落地的相关ρ", "intra-cohort correlation, ρ"),
    # table captions
    "caption_model_weights": (
        "三种时间结构的权重与重要性抽样诊断（帕累托形状参数不超过0.5为可靠，不超过0.7为可用）",
        "The three time structures' weights and importance-sampling diagnostics (k̂ at most 0.5: good; at most 0.7: ok)",
    ),
    "caption_prior_posterior": (
        "各参数的先验与后验，按参数本身的尺度（水平与增长为对数；波动尺度与ρ在网格点上积分，其分位数为网格点的值）",
        "Each parameter's prior and posterior, on its own scale (levels and growth are logs; the spreads and ρ"
        " are integrated on grid points, so their quantiles are grid values)",
    ),
    "caption_fixed_projects": (
        "假定{year}年签约{projects}个项目时的预测",
        "The projection if {year} signs {projects} projects",
    ),
    "caption_scenario": ("情景假定下的预测", "The projection under the scenario"),
}
WORDS.update(MODEL_WORDS)

# ---- the landing model's checks (issue 22, item 4: analysis.stats.projection.landing_check and landing_priors,
# the tables tables.landing_check and tables.landing_priors); a block of its own, merged into WORDS below.
LANDING_WORDS: dict[str, tuple[str, str]] = {
    # column headers
    "landing_stated_in": ("报道年份", "stated in"),
    "landing_stated": ("报道所述落地数", "landed, as stated"),
    "landing_pit": ("所述数在预测分布中的位置", "where the stated count falls (PIT)"),
    "landing_prior_set": ("先验", "priors"),
    "landing_prior_why": ("为什么这样设", "why"),
    "landing_eventual_cell": ("最终落地比例：中位数（80%区间）", "eventual share c: median (80% interval)"),
    "landing_rate_median": ("落地率中位数", "median share landed"),
    # the prior sets (analysis.core.config.LANDING_PRIOR_SETS), each with its reason
    "landing_priors_current": ("本报告所用", "used in this report"),
    "landing_priors_flat": ("均匀", "flat"),
    "landing_priors_sceptical": ("存疑", "sceptical"),
    "landing_priors_why_current": (
        "多数签约项目终会开工（最终落地比例均值0.75），每年落地的快慢以一半为中心，批次之间略有差异。",
        "Most signed projects start in the end (eventual share, mean 0.75), half of those pending each year as"
        " the centre, cohorts a little different.",
    ),
    "landing_priors_why_flat": (
        "三个参数在0到1之间每个值都同样可能：结果只由报道的落地数决定。",
        "Every value from 0 to 1 equally likely for all three: the stated counts alone decide.",
    ),
    "landing_priors_why_sceptical": (
        "落地数是主办方自己的说法：不事先假定多数项目会落地，最终落地比例以一半为中心，其余同本报告。",
        "The landing figures are the organisers' own: do not assume beforehand that most projects land (the"
        " eventual share centred on a half); the rest as in this report.",
    ),
    # captions
    "caption_landing_check": (
        "落地模型的留一检验：每次去掉一篇报道，用其余报道拟合模型，再预测被去掉的那一篇的落地数（更早的报道作为已知条件）。"
        "位置是预测分布中小于所述数的概率（所述数本身算一半）：接近0或1，说明这篇报道与其余报道不太相符。",
        "The landing model's leave-one-out check: each statement in turn is left out, the model fitted to the"
        " others and the left-out landed count predicted (the earlier statements taken as known). The PIT is"
        " the predictive probability below the stated count (half of the count itself added): near 0 or 1, the"
        " statement sits poorly with the others.",
    ),
    "caption_landing_priors": (
        "不同先验下的落地预测：模型按各组先验重新拟合，预测同一批次在下一次报道时的落地数。",
        "The landing projection under other priors: the model refitted with each set, the same cohorts'"
        " landed counts predicted at the next statement.",
    ),
}
WORDS.update(LANDING_WORDS)


#: Words of the comparison of ways to combine the time structures and of the prior-sensitivity table
#: (:mod:`analysis.stats.weighting`, :func:`analysis.stats.posterior.prior_sensitivity`; issue 22, item 5).
WEIGHTING_WORDS: dict[str, tuple[str, str]] = {
    "method_averaging": ("按证据加权平均（现用）", "averaging by the evidence (today's)"),
    "method_stacking": ("按以往预测得分定权重", "stacking on past forecasts"),
    "method_llt": ("单一局部线性趋势模型", "one local-linear-trend model"),
    "target_projects": ("签约项目数", "projects signed"),
    "target_investment": ("意向投资额", "intended investment"),
    "world": ("模拟情形", "simulated world"),
    "target": ("预测对象", "forecast of"),
    "log_score_of": ("{method}：对数得分", "{method}: log score"),
    "log_score_diff": ("{method}：比现用方法高出（标准误）", "{method}: gain over today's (se)"),
    "log_score_se": ("{method}：对数得分（标准误）", "{method}: log score (se)"),
    "prior_scale": ("先验尺度", "prior scale"),
    "prior_factor": ("改动", "change"),
    "factor_default": ("默认", "default"),
    "factor_0.5": ("减半", "halved"),
    "factor_2.0": ("加倍", "doubled"),
    "prior_default": ("全部按默认", "all as declared"),
    "sens_median": ("{year}年签约数中位数", "{year} projects: median"),
    "sens_pi80": ("{year}年签约数80%预测区间", "{year} projects: 80% interval"),
    "sens_weight": ("{model}的权重", "weight of {model}"),
    "caption_prior_sensitivity": (
        "每个先验的尺度减半或加倍时，{year}年签约数的预测与三种时间结构的权重（模型按同样的数据与随机数重新拟合）",
        "{year}'s projects and the three time structures' weights when each prior's scale is halved or doubled"
        " (the model refitted to the same data with the same random numbers)",
    ),
    "caption_weighting_backtest": (
        "三种组合方法在实际数据上的逐年回测：用当年发布时已知的数据预测下一年，对数得分越高越好",
        "The three ways of combining, backtested on the real releases: data as known at each release predicts"
        " the next year; a higher log score is better",
    ),
    "caption_weighting_study": (
        "三种组合方法在模拟历史上的平均对数得分（每种情形{n}段历史，每段三个起点）。"
        "只有高出现用方法{k}倍标准误以上才算胜出；按此规则应选：{keep}（本报告的预测用{today}）",
        "The three ways of combining on simulated histories: mean log score ({n} histories per world, three"
        " origins each). A method wins only by more than {k} standard errors over today's; by this rule keep: {keep}"
        " (the projections here use {today})",
    ),
}
WORDS.update(WEIGHTING_WORDS)
PRIOR_REASONS_ZH.update(
    {
        "llt_rate_step_sd": "局部线性趋势模型（只用来与加权平均比较，不参与平均）中签约水平在斜率之外每年一步的对数标准差："
        "因持久的增长已由斜率承担，略小于随机游走模型的0.25。其起始斜率的先验与趋势模型的增长相同。",
        "llt_rate_slope_step": "局部线性趋势模型中签约数对数增长率每年的变化：增长率本身每年变动几个百分点（标准差5个百分点），"
        "趋势可以逐年弯曲，但很少在一年内反转。",
        "llt_amount_step_sd": "局部线性趋势模型中平均每个项目金额水平每年一步的对数标准差：与随机游走模型相同。"
        "其起始斜率的先验与趋势模型中金额的增长相同。",
        "llt_amount_slope_step": "局部线性趋势模型中平均每个项目金额对数增长率每年的变化：与签约数相同，每年几个百分点。",
    }
)
MODEL_WORDS.update(
    {
        "param_llt_rate_step_sd": (
            "签约水平在斜率之外每年一步（对数标准差）",
            "sd of the log-rate's yearly level step",
        ),
        "param_llt_rate_slope_step": ("签约数增长率每年的变化", "yearly change of the log growth of projects"),
        "param_llt_amount_step_sd": (
            "平均每个项目金额在斜率之外每年一步（对数标准差）",
            "sd of the log amount's yearly level step",
        ),
        "param_llt_amount_slope_step": (
            "平均每个项目金额增长率每年的变化",
            "yearly change of the log growth of the amount per project",
        ),
    }
)
WORDS.update(MODEL_WORDS)

#: How each language writes what is not a word: spacing, brackets, lists, dates, the place of a hedge.
#: One entry per language of :data:`LANGS`; :class:`Locale` reads only this table, never the language's name.
STYLES: dict[str, dict] = {
    "zh": {
        "html_lang": "zh-CN",
        "unit_space": "",  # 280.66亿元
        "hedge_space": "",  # 约280.66亿元
        # where a hedge word goes (default: before the figure): 210余个, 252亿元以内
        "hedge_place": {"more_than": "after_figure", "at_most": "after_unit"},
        # Chinese releases write whole numbers without separators at any size (国家统计局 统计公报: 1260582亿元;
        # GB/T 15835-2011 makes grouping optional), so 1500亿元 and 20000次, never 1,500
        "thousands": "",
        # a range of values takes the wave dash (浪纹线, GB/T 15834-2011 4.13.3.3): 31～65个, 70.2%～84.6%
        "range_sep": "～",
        # a span of time takes the one-character dash (一字线, GB/T 15834-2011 4.13.3.2): 2019—2020年
        "period_sep": "—",
        "range": "{lo}～{hi}{unit}",
        "at_least": "不少于{lo}{unit}",
        # a change in words, as releases write it (比上年增长35.1%, 下降5.0%, 持平), never "+35.1%"
        "change": ("增长{x}", "下降{x}", "持平"),
        # a table writes a hedged value as the source does (约164.89), with no hedge column of its own
        "hedge_in_cell": True,
        "year_suffix": "年",
        "bracket": ("（", "）", ""),  # open, close, what goes before it in running text
        "list": ("、", "和"),
        "dates": ("{y}年{m}月{d}日", "{y}年{m}月", "{y}年"),
        "months": ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"),
        "prob_ends": ("不到1%", "超过99%"),
        "prior_reasons": PRIOR_REASONS_ZH,
        # Chinese has no space between sentences: a soft line break inside a paragraph is joined
        "joins_lines": True,
    },
    "en": {
        "html_lang": "en",
        "unit_space": " ",
        "hedge_space": " ",
        "hedge_place": {},
        "thousands": ",",
        "range_sep": "–",
        "period_sep": "–",
        "range": "{lo}–{hi}{unit}",
        "at_least": "at least {lo}{unit}",
        "change": ("up {x}", "down {x}", "unchanged"),
        "hedge_in_cell": False,
        "year_suffix": "",
        "bracket": ("(", ")", " "),
        "list": (", ", " and "),
        "dates": ("{d} {month} {y}", "{month} {y}", "{y}"),
        "months": (
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
        "prob_ends": ("under 1%", "over 99%"),
        "prior_reasons": {},  # the priors' own (English) reasons
        "joins_lines": False,
    },
}

# --------------------------------------------------------------------------------------------- page furniture
# Issue 21, item 3 and 4 (the bulletin furniture of every page and the index): release date, next figures,
# downloads, previous/next, the other language, feedback; the index's latest finding and its series chart.
FURNITURE_WORDS: dict[str, tuple[str, str]] = {
    "lang_name": ("中文", "English"),  # a link to a page in this language is labelled with its own name
    "furn_release": ("数据发布日期：{date}", "Figures released: {date}"),
    "furn_next_expected": (
        "下次数据预计随{year}年洽谈会公布（往届洽谈会在{first}～{last}月间举行）",
        "Next figures expected with the {year} conference (past conferences were held between {first} and {last})",
    ),
    "furn_next_expected_any": ("下次数据预计随{year}年洽谈会公布", "Next figures expected with the {year} conference"),
    "furn_next_expected_some": (  # some past conferences' months are not known: say which ones the window is from
        "下次数据预计随{year}年洽谈会公布（{years}年的洽谈会在{first}～{last}月间举行，其余各届月份不详）",
        "Next figures expected with the {year} conference (the {years} conferences were held between {first} and "
        "{last}; the months of the others are not known)",
    ),
    "furn_next_published": (
        "此后的数字已于{date}公布，见下一期报告",
        "Later figures were published on {date}: see the next report",
    ),
    "furn_prev": ("← 上一期：{label}", "← Previous: {label}"),
    "furn_next": ("下一期：{label} →", "Next: {label} →"),
    "furn_prev_page": ("← 上一页：{label}", "← Previous: {label}"),
    "furn_next_page": ("下一页：{label} →", "Next: {label} →"),
    "furn_release_label": ("{periods}报告", "{periods} report"),
    "furn_nav": ("报告导航", "Report navigation"),
    "furn_downloads": ("数据下载：", "Data: "),
    "furn_metrics": ("本页全部数字（机器可读格式）", "every figure of this page (metrics.json)"),
    "furn_csv": ("下载本图表的数据", "Download these numbers (CSV)"),
    "furn_feedback": ("发现错误，请告知：{where}", "Found an error? Please report it: {where}"),
    "furn_feedback_default": ("本项目代码仓库的问题跟踪页", "the issue tracker of this project's repository"),
    "furn_latest": ("最新发布", "Latest release"),
    "furn_read_report": ("阅读报告", "Read the report"),
    "furn_series_title": ("各期签约项目数", "Projects signed, by period"),
    "furn_alt_item": ("{period}：{value}", "{period}: {value}"),
    "furn_alt_total": ("{period}：合计{value}", "{period}: {value} in all"),
    "furn_low": ("{interval}下限", "{interval}, low"),
    "furn_high": ("{interval}上限", "{interval}, high"),
    "furn_cumulative_sum": ("各期之和", "sum of the periods"),
}
WORDS.update(FURNITURE_WORDS)

# ---- the forecast record (issue 22, item 6: analysis.stats.record, notebook 6.0, its tables and chart)
RECORD_WORDS: dict[str, tuple[str, str]] = {
    "title_forecast-record": ("预测记录", "Forecast record"),
    "h_record": ("存档预测与后来公布的数字", "The archived forecasts against the figures that followed"),
    "h_record_compare": ("与基准及今日模型比较", "Beside the baselines and today's model"),
    "record_through": ("所据数据截至", "data through"),
    "record_kind": ("类型", "kind"),
    "record_kind_forecast": ("当时所作", "made at the time"),
    "record_kind_hindcast": ("事后重算", "hindcast"),
    "record_pending": ("尚未公布", "pending"),
    "record_forecaster": ("预测者", "forecaster"),
    "record_archived": ("存档预测", "archived forecast"),
    "record_today": ("今日模型重算（事后）", "today's model, refitted (hindcast)"),
    "record_poisson": ("恒定速率基准", "constant-rate baseline"),
    "record_last": ("沿用上年基准", "last-value baseline"),
    "record_n": ("已评分数字", "figures scored"),
    "record_inside80": ("落在80%区间内", "inside 80%"),
    "record_inside95": ("落在95%区间内", "inside 95%"),
    "record_is80": ("范围评分（80%）", "interval score, 80%"),
    "record_is95": ("范围评分（95%）", "interval score, 95%"),
    "record_crps": ("误差评分", "CRPS"),
    "record_crps_of": ("误差评分：{who}", "CRPS: {who}"),
    "record_pit": ("实际所处分位", "PIT"),
    "record_mean_pit": ("实际平均所处分位", "mean PIT"),
    "caption_record": (
        "每份存档预测对其后公布数字的评分（范围评分与误差评分越低越好；实际所处分位接近0.5为居中）",
        "Each archived forecast scored against the figure published later (interval scores and CRPS: lower is "
        "better; a PIT near 0.5 is central)",
    ),
    "caption_record_compare": (
        "同一数字的误差评分：存档预测、今日模型在同样数据上的重算与两个简单基准（越低越好）",
        "The CRPS of each figure: the archived forecast, today's model refitted on the same data, and two simple "
        "baselines (lower is better)",
    ),
    "caption_record_summary": (
        "各预测者的平均评分（只计已公布的数字）",
        "Each forecaster's mean scores (published figures only)",
    ),
}
WORDS.update(RECORD_WORDS)
#: the forecast record's chart words (merged into CHART_WORDS)
CHART_WORDS.update(
    {
        "record_projects": (
            "存档预测的区间是否覆盖了后来的签约数？",
            "Did the archived intervals hold the projects signed?",
        ),
        "record_investment": (
            "存档预测的区间是否覆盖了后来的意向投资额？",
            "Did the archived intervals hold the intended investment?",
        ),
        "record_published": ("已公布的数字", "published figure"),
        "record_from": ("据截至{year}年的数据", "from data through {year}"),
        "record_alt": (
            "{n}项对后来公布的{measure}的存档预测中，{inside}项的95%区间覆盖了实际数字。",
            "{inside} of the {n} archived forecasts of {measure} figures published later held them in their 95% "
            "intervals.",
        ),
    }
)
#: the calibration study's harder worlds and its table of tails (analysis.stats.calibration)
CALIBRATION_WORDS: dict[str, tuple[str, str]] = {
    "process_break": ("预测首年起跃升至{jump}倍", "A x{jump} break in the first forecast year"),
    "process_rw_big": ("步长更大的对数随机游走（标准差{step_big}）", "Log random walk with steps of sd {step_big}"),
    "process_negbin": ("成批签约（负二项计数）", "Clustered counts (negative binomial)"),
    "process_reversal": ("每年增长{growth}后转为每年下降{growth}", "{growth} growth a year, then as much decline"),
    "tails_h": ("{level}%区间（{h}年后）低于／高于", "{level}%, {h} yr ahead: below / above"),
    "caption_calibration_tails": (
        "模拟研究：结果低于和高于预测区间的比例（名义比例：80%区间每侧{lo80}，95%区间每侧{lo95}）和区间得分",
        "Simulation study: shares of outcomes below and above the prediction intervals (nominal: {lo80} each "
        "side of the 80% interval, {lo95} of the 95%) and interval score",
    ),
}
CALIBRATION_WORDS.update(
    {
        "pit_mean_h": ("{h}年后：所处分位的平均", "{h} yr ahead: mean PIT"),
        "pit_low_h": ("{h}年后：落在最低十分之一", "{h} yr ahead: in the lowest tenth"),
        "pit_high_h": ("{h}年后：落在最高十分之一", "{h} yr ahead: in the highest tenth"),
        "caption_calibration_pit": (
            "模拟研究：实际数字在预测分布中所处的分位。预测校准良好时，其平均为0.5，落在最低和最高十分之一的各占10%",
            "Simulation study: where the outcomes fell in their predictive distributions (PIT). Calibrated, the"
            " mean is 0.5 and a tenth of the outcomes falls in each of the lowest and highest tenths",
        ),
    }
)
WORDS.update(CALIBRATION_WORDS)


def month_name(month: int, lang: str) -> str:
    """A month as a date writes it in ``lang`` (zh: the number before 月; en: its name).

    Parameters
    ----------
    month : int
        1 to 12.
    lang : str
        ``"zh"`` or ``"en"``.

    Returns
    -------
    str
        The month.

    Examples
    --------
    >>> month_name(9, "zh"), month_name(9, "en")
    ('9', 'September')
    """
    return STYLES[check_lang(lang)]["months"][int(month) - 1]


# --------------------------------------------------------------------------------------------- sources' vocabulary

#: The sources' own terms and numerals, as the loader and the checks of ``data/`` match them in the articles
#: (not words of this package's output).
SOURCE_UNIT = "亿元"  # the unit of every amount, as published
SOURCE_UNIT_CHARS = ("亿", "万", "元")  # a unit typed into a numeric cell
SOURCE_WAN_YUAN = "万元"  # ten thousand yuan, a unit some articles use
SOURCE_FULLWIDTH_COMMA = "，"
SOURCE_FULLWIDTH_DIGITS = "[０-９．]"
#: How sources name the amount: intended investment, or (2021, for 2019–2020) "funds involved".
INVESTMENT_TERMS = ("意向投资额", "资金")
FUNDS_TERM = "资金"
#: How each term may be printed in an evidence fragment: a copy in traditional characters writes
#: 意向投資額 (the term is recorded in simplified characters either way).
TERM_SPELLINGS = {"意向投资额": ("意向投资额", "意向投資額"), "资金": ("资金", "資金")}
#: Chinese numerals: the digits, 两 (another 2), 十 (ten) and 成 (tenths: 九成 = 90 %).
ZH_DIGITS, ZH_TWO, ZH_TEN, ZH_TENTHS = "零一二三四五六七八九", "两", "十", "成"
#: The region's name as the sources write it.
REGION_ZH = "北三县"
#: Characters of Chinese writing (CJK ideographs and punctuation), and the marks a line may not start with.
CJK_CLASS = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
NO_LINE_START = "，。；：、？！）)%"
#: The WORDS key of a projection metric's label in tables and the terminal (its name inside a sentence is
#: WORDS["metric_<metric>"]).
METRIC_LABELS = {
    "projects": "projects",
    "investment_100m_yuan": "investment_unit",
    "cumulative_projects": "cumulative_projects",
    "cumulative_investment_100m_yuan": "cumulative_investment",
}
#: The sign of a merged group in the sources' names (产业、交通), also how names and periods are listed in zh data fields.
NAME_SEP = "、"
_ZH_SMALL = "零一二三四五六七八九十"

# --------------------------------------------------------------------------------------------- the Locale


def missing(x) -> bool:
    """Whether ``x`` is unknown (None, NA or NaN).

    Parameters
    ----------
    x : object
        A value.

    Returns
    -------
    bool
        True for None, ``pd.NA`` and NaN; False for anything else (text included).

    Examples
    --------
    >>> missing(None), missing(float("nan")), missing(0), missing("text")
    (True, True, False, False)
    """
    if x is None:
        return True
    pd = sys.modules.get("pandas")  # not imported here: a pd.NA exists only once pandas is imported
    if pd is not None and x is pd.NA:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return False


def _figure(x, nd: int = 2, sep: str = ",") -> str:
    x = float(x)
    if abs(x - round(x)) < 1e-9:
        return f"{int(round(x)):{sep}}"
    return f"{x:{sep}.{nd}f}".rstrip("0").rstrip(".")


def _rounded(x, sep: str = ",") -> str:
    x = float(x)
    if x == 0:
        return "0"
    digits = 3 if abs(x) >= 100 else 2
    scale = digits - 1 - math.floor(math.log10(abs(x)))
    r = round(x, scale)
    if scale <= 0 or abs(r) >= 10:
        return f"{int(round(r)):{sep}}"
    return f"{r:.{scale}f}"


def _qualifier(qualifier) -> str:
    return "exact" if missing(qualifier) or not qualifier else str(qualifier)


class Locale:
    """How one language writes numbers, hedged values, periods, dates, brackets and words.

    Made once from ``lang`` (``Locale("zh")``, or the cached :func:`of`); every renderer formats through it,
    so no code outside this module branches on the language. The language's tables (:data:`WORDS`,
    :data:`CHART_WORDS`, :data:`HEDGES`, :data:`UNITS`, :data:`STYLES`) are data.

    Parameters
    ----------
    lang : str
        ``"zh"`` or ``"en"``.

    Examples
    --------
    >>> from analysis.core.locale import Locale
    >>> zh, en = Locale("zh"), Locale("en")
    >>> zh.hedged(280.66, "approx", "yi_yuan"), en.hedged(280.66, "approx", "yi_yuan")
    ('约280.66亿元', 'about 280.66 hundred million yuan')
    >>> zh.period(2019, 2020), en.date((2021, 5, 14)), zh.bracket("亿元"), en.bracket("projects")
    ('2019—2020年', '14 May 2021', '（亿元）', ' (projects)')
    >>> Locale("fr")
    Traceback (most recent call last):
    ...
    ValueError: lang must be one of zh, en, got 'fr'
    """

    def __init__(self, lang: str):
        if not isinstance(lang, str) or lang not in LANGS:
            raise ValueError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
        self.lang = lang
        self._i = LANGS.index(lang)
        self._style = STYLES[lang]

    def __repr__(self) -> str:
        return f"Locale({self.lang!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Locale) and other.lang == self.lang

    def __hash__(self) -> int:
        return hash(self.lang)

    @property
    def html_lang(self) -> str:
        """The language's tag for an HTML page.

        Returns
        -------
        str
            ``zh-CN`` or ``en``.

        Examples
        --------
        >>> of("zh").html_lang
        'zh-CN'
        """
        return self._style["html_lang"]

    @property
    def joins_lines(self) -> bool:
        """Whether a soft line break inside a paragraph is joined (Chinese has no space between sentences).

        Returns
        -------
        bool
            True in zh, False in en.

        Examples
        --------
        >>> of("zh").joins_lines, of("en").joins_lines
        (True, False)
        """
        return self._style["joins_lines"]

    # ----------------------------------------------------------------------------------------- words

    def pick(self, pair):
        """This language's item of a ``(zh, en)`` pair.

        Parameters
        ----------
        pair : sequence
            Two items, zh first.

        Returns
        -------
        object
            ``pair[0]`` in zh, ``pair[1]`` in en.

        Examples
        --------
        >>> of("en").pick(("产业", "industry"))
        'industry'
        """
        return pair[self._i]

    def col(self, row, name: str):
        """This language's column ``<name>_<lang>`` of a row, a dict or a frame (``group`` → ``group_zh``).

        Parameters
        ----------
        row : mapping or DataFrame
            Holds ``<name>_zh`` and ``<name>_en``.
        name : str
            The column's name without the language.

        Returns
        -------
        object
            ``row[f"{name}_{lang}"]``.

        Examples
        --------
        >>> of("zh").col({"group_zh": "产业", "group_en": "industry"}, "group")
        '产业'
        """
        return row[f"{name}_{self.lang}"]

    def word(self, key: str, **fmt) -> str:
        """The word for ``key`` in :data:`WORDS`, its placeholders filled from ``fmt``.

        Parameters
        ----------
        key : str
            A key of :data:`WORDS`; an unknown key raises KeyError.
        **fmt
            Values of the word's ``{placeholders}``.

        Returns
        -------
        str
            The word.

        Examples
        --------
        >>> of("zh").word("investment"), of("en").word("analysis_meta", through=2024)
        ('意向投资额', 'All articles; figures through 2024')
        """
        if key not in WORDS:
            raise KeyError(f"no word {key!r} in analysis.core.locale.WORDS")
        text = self.pick(WORDS[key])
        return text.format(**fmt) if fmt else text

    def chart_word(self, key: str, **fmt) -> str:
        """A chart's title, axis or legend text from :data:`CHART_WORDS`; ``fmt`` fills its placeholders.

        Parameters
        ----------
        key : str
            A key of :data:`CHART_WORDS`.
        **fmt
            Values of the text's ``{placeholders}``.

        Returns
        -------
        str
            The text.

        Examples
        --------
        >>> of("en").chart_word("cohort", period="2021")
        '2021'
        """
        text = self.pick(CHART_WORDS[key])
        return text.format(**fmt) if fmt else text

    def bracket(self, text: str, newline: bool = False) -> str:
        """``text`` in brackets after something: ``（亿元）`` (zh, full width, no space) / `` (projects)`` (en).

        Parameters
        ----------
        text : str
            What goes inside.
        newline : bool
            Start the bracket on a new line (a chart's tick label) instead of the running text's space.

        Returns
        -------
        str
            The bracket, with what goes before it.

        Examples
        --------
        >>> of("zh").bracket("2024", newline=True), of("en").bracket("2024", newline=True)
        ('\\n（2024）', '\\n(2024)')
        """
        left, right, before = self._style["bracket"]
        return ("\n" if newline else before) + left + text + right

    def header(self, key: str, unit: str | None = None) -> str:
        """A column header: the word for ``key`` with ``unit`` in brackets (none when empty).

        Parameters
        ----------
        key : str
            A key of :data:`WORDS`.
        unit : str, optional
            The unit, already in this language.

        Returns
        -------
        str
            The header.

        Examples
        --------
        >>> of("zh").header("investment", "亿元"), of("en").header("signed", of("en").word("count_unit"))
        ('意向投资额（亿元）', 'signed')
        """
        w = self.word(key)
        return w + self.bracket(unit) if unit else w

    def join(self, items) -> str:
        """A list in running text: 甲、乙和丙 / a, b and c.

        Parameters
        ----------
        items : iterable
            The items (written with ``str``).

        Returns
        -------
        str
            The list.

        Examples
        --------
        >>> of("zh").join(["产业", "交通", "公共服务"]), of("en").join(["a", "b", "c"])
        ('产业、交通和公共服务', 'a, b and c')
        """
        items = [str(i) for i in items]
        if len(items) <= 1:
            return "".join(items)
        sep, last = self._style["list"]
        return sep.join(items[:-1]) + last + items[-1]

    def verdict(self, consistent) -> str:
        """一致 / consistent, 不一致 / INCONSISTENT, or 无法核对 / not checkable when unknown.

        Parameters
        ----------
        consistent : bool or None
            The check's outcome; None or NaN when it could not be made.

        Returns
        -------
        str
            The verdict in words.

        Examples
        --------
        >>> of("zh").verdict(True), of("en").verdict(None)
        ('一致', 'not checkable')
        """
        if consistent is None or missing(consistent):
            return self.word("not_checkable")
        return self.word("consistent" if bool(consistent) else "inconsistent")

    def prior_reason(self, name: str, prior) -> str:
        """Why a prior of the model is what it is, in this language.

        Parameters
        ----------
        name : str
            The prior's key in :data:`analysis.core.config.PRIORS`.
        prior : analysis.core.config.Prior
            The prior (its ``reason`` is the English text).

        Returns
        -------
        str
            The reason.

        Examples
        --------
        >>> from analysis.core.config import PRIORS
        >>> of("zh").prior_reason("model", PRIORS["model"])[:6]
        '事先不偏向任'
        """
        return self._style["prior_reasons"].get(name, prior.reason)

    # ----------------------------------------------------------------------------------------- numbers

    def num(self, x, nd: int = 2) -> str:
        """A published figure as written: up to ``nd`` decimals; 未公布 / not published.

        English groups thousands (``1,080``); Chinese writes a whole number without separators (``1080``,
        as 国家统计局's releases write 1260582亿元).

        Parameters
        ----------
        x : float or None
            The figure.
        nd : int
            Most decimals written (trailing zeros dropped).

        Returns
        -------
        str
            ``1,080`` / ``1080``, ``280.66``, ``12``.

        Examples
        --------
        >>> of("en").num(1080), of("zh").num(1080), of("en").num(280.66), of("zh").num(None)
        ('1,080', '1080', '280.66', '未公布')
        """
        return self.word("not_published") if missing(x) else _figure(x, nd, self._style["thousands"])

    def rounded(self, x) -> str:
        """A computed figure for reading: 3 significant figures from 100, 2 below, whole numbers above 10.

        Parameters
        ----------
        x : float or None
            The figure.

        Returns
        -------
        str
            ``1,856`` → ``1,860`` (zh ``1860``); ``426.8`` → ``427``; ``5.43`` → ``5.4``; missing: 未公布 / not
            published.

        Examples
        --------
        >>> of("en").rounded(1856.2), of("zh").rounded(1856.2), of("en").rounded(5.43)
        ('1,860', '1860', '5.4')
        """
        return self.word("not_published") if missing(x) else _rounded(x, self._style["thousands"])

    def fixed(self, x, nd: int = 2) -> str:
        """A table cell: exactly ``nd`` decimals, thousands grouped as the language does; — when missing.

        Parameters
        ----------
        x : float or None
            The cell's value.
        nd : int
            Decimals, trailing zeros kept (a column of figures lines up).

        Returns
        -------
        str
            ``1,079.66`` (en) / ``1079.66`` (zh).

        Examples
        --------
        >>> of("en").fixed(1079.66), of("zh").fixed(1079.66), of("zh").fixed(552, 0), of("zh").fixed(None)
        ('1,079.66', '1079.66', '552', '—')
        """
        if missing(x):
            return "—"
        return f"{float(x):{self._style['thousands']}.{nd}f}"

    def tick(self, x, _pos=None) -> str:
        """An axis tick (a matplotlib ``FuncFormatter``): no needless decimals, thousands as the language groups.

        Parameters
        ----------
        x : float
            The tick's value.
        _pos : int, optional
            The tick's position (matplotlib passes it; unused).

        Returns
        -------
        str
            The label.

        Examples
        --------
        >>> of("en").tick(1500.0), of("zh").tick(1500.0), of("zh").tick(2.5)
        ('1,500', '1500', '2.5')
        """
        return self.num(round(float(x), 2))

    def pct(self, x, nd: int = 1) -> str:
        """A fraction as a percent: 0.782 → ``78.2%``; — when missing.

        Parameters
        ----------
        x : float or None
            The fraction.
        nd : int
            Decimals.

        Returns
        -------
        str
            The percent.

        Examples
        --------
        >>> of("zh").pct(0.782258), of("en").pct(0.5, 0)
        ('78.2%', '50%')
        """
        return "—" if missing(x) else f"{100 * float(x):.{nd}f}%"

    def signed_pct(self, x, nd: int = 1) -> str:
        """A change as a signed percent: ``+12.3%`` / ``−4.0%``; — when missing.

        For English text; a Chinese release never writes "+35.1%": a change is said in words (:meth:`change`),
        a range of rates with :meth:`pct_interval`.

        Parameters
        ----------
        x : float or None
            The change as a fraction.
        nd : int
            Decimals.

        Returns
        -------
        str
            The signed percent.

        Examples
        --------
        >>> of("en").signed_pct(-0.0513), of("en").signed_pct(0.351)
        ('−5.1%', '+35.1%')
        """
        if missing(x):
            return "—"
        v = 100 * float(x)
        return f"{'+' if v >= 0 else '−'}{abs(v):.{nd}f}%"

    def rate(self, x, nd: int = 1) -> str:
        """A rate that may be negative (a growth rate): ``11.2%``, ``−5.1%``, never with a plus; — when missing.

        Parameters
        ----------
        x : float or None
            The rate as a fraction (−0.051 for a fall of 5.1%).
        nd : int
            Decimals written.

        Returns
        -------
        str
            The rate in percent, its minus kept.

        Examples
        --------
        >>> of("zh").rate(0.112), of("zh").rate(-0.0513), of("en").rate(-0.0004)
        ('11.2%', '−5.1%', '0.0%')
        """
        if missing(x):
            return "—"
        v = 100 * float(x)
        figure = f"{abs(v):.{nd}f}"
        return ("−" if v < 0 and float(figure) != 0 else "") + figure + "%"

    def change(self, x, nd: int = 1) -> str:
        """A change against an earlier figure, in words: ``增长35.1%`` / ``下降5.0%`` (zh), ``up 35.1%`` (en).

        A change that rounds to zero at ``nd`` decimals is 持平 / unchanged; — when missing.

        Parameters
        ----------
        x : float or None
            The change as a fraction (0.351 = 35.1% more).
        nd : int
            Decimals.

        Returns
        -------
        str
            The change in words.

        Examples
        --------
        >>> zh, en = of("zh"), of("en")
        >>> zh.change(0.351), zh.change(-0.05), zh.change(0.0004), en.change(-0.2239, 0)
        ('增长35.1%', '下降5.0%', '持平', 'down 22%')
        """
        if missing(x):
            return "—"
        v = 100 * float(x)
        up, down, same = self._style["change"]
        figure = f"{abs(v):.{nd}f}"
        if float(figure) == 0:
            return same
        return (up if v > 0 else down).format(x=figure + "%")

    def prob(self, p) -> str:
        """A probability for reading: whole percent, the ends said in words (不到1% / under 1%).

        Parameters
        ----------
        p : float or None
            The probability.

        Returns
        -------
        str
            The percent or the words; — when missing.

        Examples
        --------
        >>> of("zh").prob(0.001), of("en").prob(0.999), of("en").prob(0.42)
        ('不到1%', 'over 99%', '42%')
        """
        if missing(p):
            return "—"
        low, high = self._style["prob_ends"]
        if p < 0.005:
            return low
        if p > 0.995:
            return high
        return f"{100 * float(p):.0f}%"

    def interval(self, lo, hi, fmt=None) -> str:
        """An interval ``30–62``, its ends formatted with :meth:`rounded` unless ``fmt`` is given.

        Parameters
        ----------
        lo, hi : float
            The ends.
        fmt : callable, optional
            Formats one end (default :meth:`rounded`).

        Returns
        -------
        str
            The interval.

        Examples
        --------
        >>> of("en").interval(30.2, 61.7), of("zh").interval(30.2, 61.7)
        ('30–62', '30～62')
        """
        f = fmt or self.rounded
        return f"{f(lo)}{self._style['range_sep']}{f(hi)}"

    def pct_interval(self, lo, hi, nd: int = 1) -> str:
        """An interval of percents, each end with its % (a negative one with its minus): ``70.2%～84.6%`` / ``70.2%–84.6%``.

        Parameters
        ----------
        lo, hi : float or None
            The ends, as fractions.
        nd : int
            Decimals.

        Returns
        -------
        str
            The interval; — when an end is missing.

        Examples
        --------
        >>> of("zh").pct_interval(0.7021, 0.8459), of("en").pct_interval(0.7021, 0.8459, 0), of("zh").pct_interval(-0.05, 0.18, 0)
        ('70.2%～84.6%', '70%–85%', '−5%～18%')
        """
        if missing(lo) or missing(hi):
            return "—"
        return self.interval(lo, hi, fmt=lambda x: self.rate(x, nd))

    # ----------------------------------------------------------------------------------------- hedges

    def hedge_word(self, qualifier) -> str:
        """The source's hedge in words (约 / about); empty for an exact or missing qualifier.

        Parameters
        ----------
        qualifier : str or None
            One of :data:`analysis.core.qualifiers.QUALIFIERS` (or ``range``).

        Returns
        -------
        str
            The word.

        Examples
        --------
        >>> of("zh").hedge_word("approx"), of("en").hedge_word("more_than"), of("en").hedge_word(None)
        ('约', 'more than', '')
        """
        return self.pick(HEDGES[_qualifier(qualifier)])

    def hedged(self, value, qualifier, unit: str | None = None, fmt=None, bounds=None) -> str:
        """A stated or derived value with its hedge kept, in the language's order.

        约280.66亿元 / about 280.66 hundred million yuan; 210余个 / more than 210 projects; 252亿元以内 / at
        most 252 hundred million yuan; a derived range (qualifier ``range``): 160～240亿元 / 160–240 hundred
        million yuan, 不少于0亿元 / at least 0 hundred million yuan.

        Parameters
        ----------
        value : float or None
            The figure; missing gives 未公布 / not published.
        qualifier : str or None
            Its hedge (None: exact).
        unit : str, optional
            None, ``"yi_yuan"``, ``"projects"`` or ``"percent"``.
        fmt : callable, optional
            Formats the number (default :meth:`num`).
        bounds : tuple, optional
            ``(lo, hi)`` of a derived range (hi None when unbounded); required for ``range``.

        Returns
        -------
        str
            The hedged value.

        Examples
        --------
        >>> zh, en = of("zh"), of("en")
        >>> zh.hedged(210, "more_than", "projects"), en.hedged(210, "more_than", "projects")
        ('210余个', 'more than 210 projects')
        >>> zh.hedged(252, "at_most", "yi_yuan"), en.hedged(200, "range", "yi_yuan", bounds=(160, 240))
        ('252亿元以内', '160–240 hundred million yuan')
        """
        if missing(value):
            return self.word("not_published")
        f = fmt or self.num
        q = _qualifier(qualifier)
        u = self.pick(UNITS[unit])
        unit_part = (("" if unit == "percent" else self._style["unit_space"]) + u) if u else ""
        if q == RANGE:
            if bounds is None:
                raise ValueError("a derived range needs its bounds to be written")
            lo, hi = bounds
            if hi is None or missing(hi) or math.isinf(float(hi)):
                return self._style["at_least"].format(lo=f(lo), unit=unit_part)
            return self._style["range"].format(lo=f(lo), hi=f(hi), unit=unit_part)
        text, w = f(value), self.hedge_word(q)
        place = self._style["hedge_place"].get(q, "before")
        if place == "after_figure":
            return f"{text}{w}{unit_part}"
        if place == "after_unit":
            return f"{text}{unit_part}{w}"
        return f"{w + self._style['hedge_space'] if w else ''}{text}{unit_part}"

    def hedged_sum(self, value, qualifier, unit: str | None = None, bounds=None) -> str:
        """A total computed from published parts, with the hedge its interval implies.

        Written to the published decimals when exact, else to a whole number (a sum of 约 parts has no
        meaningful decimals).

        Parameters
        ----------
        value : float or None
            The total.
        qualifier : str or None
            Its hedge.
        unit : str, optional
            As in :meth:`hedged`.
        bounds : tuple, optional
            As in :meth:`hedged`.

        Returns
        -------
        str
            The hedged total.

        Examples
        --------
        >>> of("zh").hedged_sum(1506.47, "approx", "yi_yuan"), of("en").hedged_sum(1506.47, "approx")
        ('约1506亿元', 'about 1,506')
        """
        exact = _qualifier(qualifier) == "exact"
        return self.hedged(
            value,
            qualifier,
            unit,
            fmt=None if exact or missing(value) else (lambda x: self.num(round(float(x)))),
            bounds=bounds,
        )

    def hedge_cell(self, qualifier, bounds, empty: str = "") -> str:
        """A table's hedge column for one value.

        The hedge word, or, for a derived value no word describes, its range (160–240); ``empty`` for an
        exact or missing one.

        Parameters
        ----------
        qualifier : str or None
            The value's hedge.
        bounds : tuple or None
            ``(lo, hi)`` of a derived range.
        empty : str
            What an exact value shows.

        Returns
        -------
        str
            The cell.

        Examples
        --------
        >>> of("zh").hedge_cell("over", None), of("en").hedge_cell("range", (160, 240))
        ('超', '160–240')
        """
        if isinstance(qualifier, str) and qualifier == RANGE and bounds is not None and bounds[1] is not None:
            return self.interval(bounds[0], bounds[1], fmt=self.num)
        return self.hedge_word(qualifier) or empty

    @property
    def hedge_in_cell(self) -> bool:
        """Whether a table writes a hedge in the value's cell (约164.89) rather than in a column of its own.

        Chinese tables write a hedged figure as the source prints it; English ones keep the hedge beside it.

        Returns
        -------
        bool
            Whether :meth:`hedged_cell` carries the hedge (so the table hides its hedge column).

        Examples
        --------
        >>> [of(lang).hedge_in_cell for lang in LANGS]
        [True, False]
        """
        return self._style["hedge_in_cell"]

    def hedged_cell(self, value, qualifier, bounds=None, nd: int = 2) -> str:
        """A table's number cell: ``nd`` decimals, with its hedge where the language writes it in the cell.

        Where :attr:`hedge_in_cell` (zh), the hedge goes where the source puts it: ``约164.89``, ``210余``, a
        derived range ``160～240``; elsewhere the cell is the number alone (the hedge has its own column).

        Parameters
        ----------
        value : float or None
            The number; — when missing.
        qualifier : str or None
            Its hedge.
        bounds : tuple, optional
            ``(lo, hi)`` of a derived range.
        nd : int
            Decimals of the number (a range's ends are written as published).

        Returns
        -------
        str
            ``约164.89`` / ``164.89``.

        Examples
        --------
        >>> of("zh").hedged_cell(164.89, "approx"), of("en").hedged_cell(164.89, "approx"), of("zh").hedged_cell(1500, None, nd=0)
        ('约164.89', '164.89', '1500')
        >>> of("zh").hedged_cell(200, "range", (160, 240)), of("zh").hedged_cell(None, "approx")
        ('160～240', '—')
        """
        if missing(value):
            return "—"
        if not self.hedge_in_cell:
            return self.fixed(value, nd)
        q = _qualifier(qualifier)
        if q == RANGE and (bounds is None or bounds[1] is None or missing(bounds[1])):
            return self.fixed(value, nd)  # a range open above: the number, as the hedge column did
        return self.hedged(value, q, None, fmt=self.num if q == RANGE else (lambda x: self.fixed(x, nd)), bounds=bounds)

    # ----------------------------------------------------------------------------------------- time

    def period(self, first: int, last: int | None = None, suffix: bool = True) -> str:
        """A period: ``2019—2020年`` / ``2022年`` (zh; without 年 when ``suffix`` is False), ``2019–2020`` (en).

        Parameters
        ----------
        first : int
            First year.
        last : int, optional
            Last year (default ``first``).
        suffix : bool
            Whether the language's year word follows (zh 年).

        Returns
        -------
        str
            The period.

        Examples
        --------
        >>> of("zh").period(2019, 2020), of("zh").period(2022, suffix=False), of("en").period(2019, 2020)
        ('2019—2020年', '2022', '2019–2020')
        """
        last = first if last is None else last
        text = str(first) if first == last else f"{first}{self._style['period_sep']}{last}"
        return text + (self._style["year_suffix"] if suffix else "")

    def date(self, d) -> str:
        """A source date (year, month, day; unknown parts 0): ``2021年5月14日`` / ``14 May 2021``; ``2022年`` / ``2022``.

        Parameters
        ----------
        d : tuple or None
            ``(year, month, day)``, unknown parts 0; None gives 未公布 / not published.

        Returns
        -------
        str
            The date as far as it is known.

        Examples
        --------
        >>> of("zh").date((2021, 5, 14)), of("en").date((2021, 5, 14)), of("zh").date((2022, 0, 15))
        ('2021年5月14日', '14 May 2021', '2022年')
        """
        if d is None:
            return self.word("not_published")
        y, m, day = (tuple(d) + (0, 0))[:3]
        full, month, year = self._style["dates"]
        name = self._style["months"][m - 1] if m else ""
        return (full if m and day else month if m else year).format(y=y, m=m, d=day, month=name)


_CACHE: dict[str, Locale] = {}


def of(lang) -> Locale:
    """The (cached) :class:`Locale` of ``lang``; a Locale is returned as is.

    Parameters
    ----------
    lang : str or Locale
        ``"zh"`` or ``"en"``; anything else raises ValueError naming the known languages.

    Returns
    -------
    Locale
        The language's Locale.

    Examples
    --------
    >>> of("zh") is of("zh"), of(of("en")).lang
    (True, 'en')
    """
    if isinstance(lang, Locale):
        return lang
    if isinstance(lang, str) and lang in _CACHE:
        return _CACHE[lang]
    loc = Locale(lang)
    _CACHE[lang] = loc
    return loc


def check_lang(lang: str) -> str:
    """``lang`` when it is a known language, else ValueError naming the known ones.

    Parameters
    ----------
    lang : str
        The language.

    Returns
    -------
    str
        ``lang``.

    Examples
    --------
    >>> check_lang("zh")
    'zh'
    """
    return of(lang).lang


# --------------------------------------------------------------------------------------------- by language name
# Thin uses of the cached Locale for code that holds only a language's name (the JSON, the terminal text, the
# claims' statements, the data checks' messages): one way to write each thing, the Locale's.


def word(key: str, lang: str, **fmt) -> str:
    """:meth:`Locale.word` of ``lang``: the word for ``key``.

    Parameters
    ----------
    key : str
        A key of :data:`WORDS`.
    lang : str
        ``"zh"`` or ``"en"``.
    **fmt
        Values of the word's placeholders.

    Returns
    -------
    str
        The word.

    Examples
    --------
    >>> word("yes", "zh")
    '是'
    """
    return of(lang).word(key, **fmt)


def num(x, lang: str = "en", nd: int = 2) -> str:
    """:meth:`Locale.num` of ``lang``: a published figure as written (``1,080``, ``280.66``).

    Parameters
    ----------
    x : float or None
        The figure.
    lang : str
        ``"zh"`` or ``"en"``.
    nd : int
        Most decimals.

    Returns
    -------
    str
        The figure; 未公布 / not published when missing.

    Examples
    --------
    >>> num(1080), num(None, "zh")
    ('1,080', '未公布')
    """
    return of(lang).num(x, nd)


def rounded(x, lang: str = "en") -> str:
    """:meth:`Locale.rounded` of ``lang``: a computed figure for reading (``1,860``).

    Parameters
    ----------
    x : float or None
        The figure.
    lang : str
        ``"zh"`` or ``"en"``.

    Returns
    -------
    str
        The rounded figure.

    Examples
    --------
    >>> rounded(426.81)
    '427'
    """
    return of(lang).rounded(x)


def pct(x, lang: str = "en", nd: int = 1) -> str:
    """:meth:`Locale.pct` of ``lang``: a fraction as a percent (``78.2%``).

    Parameters
    ----------
    x : float or None
        The fraction.
    lang : str
        ``"zh"`` or ``"en"``.
    nd : int
        Decimals.

    Returns
    -------
    str
        The percent; — when missing.

    Examples
    --------
    >>> pct(0.782258)
    '78.2%'
    """
    return of(lang).pct(x, nd)


def hedged(value, qualifier, lang: str, unit: str | None = None, fmt=None, bounds=None) -> str:
    """:meth:`Locale.hedged` of ``lang``: a value with its hedge kept (约280.66亿元).

    Parameters
    ----------
    value : float or None
        The figure.
    qualifier : str or None
        Its hedge.
    lang : str
        ``"zh"`` or ``"en"``.
    unit : str, optional
        None, ``"yi_yuan"``, ``"projects"`` or ``"percent"``.
    fmt : callable, optional
        Formats the number; takes the number and ``lang``.
    bounds : tuple, optional
        ``(lo, hi)`` of a derived range.

    Returns
    -------
    str
        The hedged value.

    Examples
    --------
    >>> hedged(280.66, "approx", "zh", "yi_yuan")
    '约280.66亿元'
    """
    return of(lang).hedged(value, qualifier, unit, fmt=None if fmt is None else (lambda x: fmt(x, lang)), bounds=bounds)


def hedge_cell(qualifier, bounds, lang: str, empty: str = "") -> str:
    """:meth:`Locale.hedge_cell` of ``lang``: a table's hedge cell.

    Parameters
    ----------
    qualifier : str or None
        The value's hedge.
    bounds : tuple or None
        ``(lo, hi)`` of a derived range.
    lang : str
        ``"zh"`` or ``"en"``.
    empty : str
        What an exact value shows.

    Returns
    -------
    str
        The cell.

    Examples
    --------
    >>> hedge_cell("approx", None, "en")
    'about'
    """
    return of(lang).hedge_cell(qualifier, bounds, empty)


def period(first: int, last: int | None = None, lang: str = "en", suffix: bool = True) -> str:
    """:meth:`Locale.period` of ``lang``: ``2019—2020年`` / ``2019–2020``.

    Parameters
    ----------
    first : int
        First year.
    last : int, optional
        Last year (default ``first``).
    lang : str
        ``"zh"`` or ``"en"``.
    suffix : bool
        Whether the language's year word follows.

    Returns
    -------
    str
        The period.

    Examples
    --------
    >>> period(2019, 2020, "zh")
    '2019—2020年'
    """
    return of(lang).period(first, last, suffix)


def date(d, lang: str = "en") -> str:
    """:meth:`Locale.date` of ``lang``: ``2021年5月14日`` / ``14 May 2021``.

    Parameters
    ----------
    d : tuple or None
        ``(year, month, day)``, unknown parts 0.
    lang : str
        ``"zh"`` or ``"en"``.

    Returns
    -------
    str
        The date as far as it is known.

    Examples
    --------
    >>> date((2021, 5, 14), "en")
    '14 May 2021'
    """
    return of(lang).date(d)


def interval(lo, hi, lang: str = "en", fmt=None) -> str:
    """:meth:`Locale.interval` of ``lang``: ``30–62``.

    Parameters
    ----------
    lo, hi : float
        The ends.
    lang : str
        ``"zh"`` or ``"en"``.
    fmt : callable, optional
        Formats one end; takes the number and ``lang``.

    Returns
    -------
    str
        The interval.

    Examples
    --------
    >>> interval(30.2, 61.7)
    '30–62'
    """
    return of(lang).interval(lo, hi, fmt=None if fmt is None else (lambda x: fmt(x, lang)))


def verdict(consistent, lang: str) -> str:
    """:meth:`Locale.verdict` of ``lang``: 一致 / consistent.

    Parameters
    ----------
    consistent : bool or None
        The check's outcome.
    lang : str
        ``"zh"`` or ``"en"``.

    Returns
    -------
    str
        The verdict in words.

    Examples
    --------
    >>> verdict(False, "zh")
    '不一致'
    """
    return of(lang).verdict(consistent)


# --------------------------------------------------------------------------------------------- language-free


def count_zh(n: int) -> str:
    """Small counts in Chinese running text: 两篇, 三个 (as digits from 11).

    Parameters
    ----------
    n : int
        The count.

    Returns
    -------
    str
        The numeral.

    Examples
    --------
    >>> count_zh(2), count_zh(3), count_zh(12)
    ('两', '三', '12')
    """
    n = int(n)
    if n == 2:
        return ZH_TWO
    return _ZH_SMALL[n] if 0 <= n <= 10 else str(n)


def fixed(x, nd: int = 2) -> str:
    """:meth:`Locale.fixed` of English, for messages without a language: ``1,079.66``, ``552.00``, — when missing.

    Parameters
    ----------
    x : float or None
        A number (a duration, a table cell).
    nd : int
        How many decimals.

    Returns
    -------
    str
        The number as written.

    Examples
    --------
    >>> fixed(1079.66), fixed(552), fixed(None)
    ('1,079.66', '552.00', '—')
    """
    return of("en").fixed(x, nd)


def sig(x, digits: int = 3) -> str:
    """A number in messages and diagnostics: ``digits`` significant figures (``78.23``, ``1.08e+04``).

    Parameters
    ----------
    x : float or None
        The number.
    digits : int
        Significant figures.

    Returns
    -------
    str
        The number; — when missing.

    Examples
    --------
    >>> sig(78.2258, 4), sig(10800)
    ('78.23', '1.08e+04')
    """
    if missing(x):
        return "—"
    return f"{float(x):.{digits}g}"


def iso_date(d) -> str | None:
    """A source date as far as it is known, for JSON and ids: 2021-05-14, 2023-09, 2022.

    Parameters
    ----------
    d : tuple or None
        ``(year, month, day)``, unknown parts 0.

    Returns
    -------
    str or None
        The ISO date, as precise as known; None for None.

    Examples
    --------
    >>> iso_date((2021, 5, 14)), iso_date((2023, 9, 0)), iso_date((2022, 0, 15))
    ('2021-05-14', '2023-09', '2022')
    """
    if d is None:
        return None
    y, m, day = (tuple(d) + (0, 0))[:3]
    if m and day:
        return f"{y}-{m:02d}-{day:02d}"
    return f"{y}-{m:02d}" if m else str(y)


def thousands(x, _pos=None) -> str:
    """:meth:`Locale.tick` of English, for code without a language (``1,500``): prefer the language's own tick.

    Parameters
    ----------
    x : float
        The tick's value.
    _pos : int, optional
        Unused (matplotlib's tick position).

    Returns
    -------
    str
        ``1,500``, ``2.5``.

    Examples
    --------
    >>> thousands(1500.0), thousands(2.5)
    ('1,500', '2.5')
    """
    return of("en").tick(x)
