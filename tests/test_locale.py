"""One Locale: the language lives in analysis.core.locale and the templates, nowhere else.

Three scanners guard the rule (each shown to catch a planted offence on a small source string): no code
outside core/locale.py compares a language (``lang == "zh"``), no string constant outside core/locale.py
and the templates holds Chinese (docstrings excepted), and the zh and en template of every section have the
same skeleton (blocks, data variables, control flow). Then the Locale's formatters on real values of the
data, in both languages; expected strings are typed from the articles, not produced by the code under test.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import jinja2
import pytest
from jinja2 import nodes

from analysis.core import locale
from analysis.core.locale import Locale

PKG = Path(locale.__file__).resolve().parents[1]
TEMPLATES = PKG / "present" / "templates"
LOCALE_FILE = "core/locale.py"

_CJK = re.compile(f"[{locale.CJK_CLASS}\u3400-\u4dbf]")


def _modules() -> list[tuple[str, str]]:
    return [(p.relative_to(PKG).as_posix(), p.read_text(encoding="utf-8")) for p in sorted(PKG.rglob("*.py"))]


# --------------------------------------------------------------------------------------------- scanners


def language_branches(source: str) -> list[int]:
    """Lines of ``source`` comparing a language with a language's name: ``lang == "zh"``, ``lang != "en"``,
    ``lang in ("zh", …)``, ``"zh" in lang``, where the language is a name or attribute called ``lang``
    (``loc.lang``, ``job.lang`` too). Checking that a language is known (``lang in LANGS``) is no branch."""

    def is_lang(node) -> bool:
        return (isinstance(node, ast.Name) and node.id == "lang") or (
            isinstance(node, ast.Attribute) and node.attr == "lang"
        )

    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            ops = (ast.Eq, ast.NotEq, ast.In, ast.NotIn, ast.Is, ast.IsNot)
            sides = [node.left, *node.comparators]
            named = any(
                isinstance(c, ast.Constant) and isinstance(c.value, str)
                for s in sides
                if not is_lang(s)
                for c in ast.walk(s)
            )
            if any(isinstance(op, ops) for op in node.ops) and any(is_lang(s) for s in sides) and named:
                out.append(node.lineno)
    return out


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                out.add(id(first.value))
    return out


def chinese_literals(source: str) -> list[tuple[int, str]]:
    """String constants of ``source`` holding a Chinese character or CJK punctuation, docstrings excepted
    (an f-string's literal parts are constants too)."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docs
        and _CJK.search(node.value)
    ]


def test_the_language_scanner_catches_a_planted_branch():
    assert language_branches('def f(lang):\n    return "个" if lang == "zh" else None\n') == [2]
    assert language_branches("def f(loc):\n    if loc.lang != 'en':\n        pass\n") == [2]
    assert language_branches("def f(lang):\n    return 'zh' in lang\n") == [2]
    assert language_branches("def f(lang):\n    return lang in ('zh', 'zh-Hant')\n") == [2]
    assert language_branches("def f(loc):\n    return loc.word('x')\n") == []
    assert language_branches("def f(lang):\n    if lang not in LANGS:\n        raise ValueError(lang)\n") == []


def test_the_chinese_scanner_catches_a_planted_literal_but_not_a_docstring():
    source = 'def f(x):\n    """一个数（docstring）。"""\n    return f"{x}（亿元）" + "ok"\n'
    assert [line for line, _ in chinese_literals(source)] == [3]
    assert chinese_literals('X = "amounts in hundred million yuan"\n') == []


def test_no_code_outside_the_locale_branches_on_the_language():
    found = {path: lines for path, src in _modules() if path != LOCALE_FILE and (lines := language_branches(src))}
    assert found == {}


def test_no_chinese_literal_outside_the_locale_and_the_templates():
    found = {
        path: [line for line, _ in lits]
        for path, src in _modules()
        if path != LOCALE_FILE and (lits := chinese_literals(src))
    }
    assert found == {}


# --------------------------------------------------------------------------------------------- templates

#: The template helpers (formatting, bound to the Locale) are how each language phrases a value, not data:
#: ``count_zh(n)`` in zh is ``n`` in en. The skeleton compares the data a template reads.
_HELPERS = {
    "loc",
    "lang",
    "num",
    "rounded",
    "pct",
    "prob",
    "signed_pct",
    "change",
    "rate",
    "pct_interval",
    "hedged",
    "hedged_sum",
    "period",
    "date",
    "word",
    "join",
    "verdict",
    "interval",
    "count_zh",
    "hedge_word",
    "formula",
    "tol",
    "loop",
    "names",
}
_LANG_SUFFIX = re.compile(r"_(zh|en)$")


def _path(node) -> str | None:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        head = _path(node.node)
        return head and f"{head}.{node.attr}"
    return None


def _data(node) -> tuple[str, ...]:
    """The data a node reads (``cur.n``, ``s.publisher_<lang>``): a column of the template's own language and
    of the other read the same field, so ``s.publisher_zh`` and ``s.publisher_en`` are one variable."""
    refs = set()
    for n in node.find_all((nodes.Name, nodes.Getattr)):
        p = _path(n)
        if p and (not isinstance(n, nodes.Name) or n.ctx == "load") and p.split(".")[0] not in _HELPERS:
            refs.add(".".join(_LANG_SUFFIX.sub("_<lang>", part) for part in p.split(".")))
    if isinstance(node, (nodes.Name, nodes.Getattr)) and (p := _path(node)) and p.split(".")[0] not in _HELPERS:
        refs.add(".".join(_LANG_SUFFIX.sub("_<lang>", part) for part in p.split(".")))
    # a Getattr's inner Name is not a variable of its own
    return tuple(sorted(r for r in refs if not any(o.startswith(r + ".") for o in refs)))


def skeleton(source: str) -> list[tuple]:
    """The structure of a template: its blocks, macros, includes and assignments, and its control flow
    (``{% if %}``/``{% elif %}``/``{% else %}``, ``{% for %}``, macro calls) in order, each with the data its
    test or loop reads; then the set of all data read. Wording, punctuation and helper calls are left out."""
    tree = jinja2.Environment().parse(source)
    macros = {m.name for m in tree.find_all(nodes.Macro)}
    out: list[tuple] = []

    def walk(n):
        if isinstance(n, (nodes.If, nodes.For)):
            kind = "if" if isinstance(n, nodes.If) else "for"
            head = (_data(n.test),) if kind == "if" else (_data(n.iter), _data(n.test) if n.test else ())
            branches = [((kind, *head), n.body)] + [(("elif", _data(e.test)), e.body) for e in getattr(n, "elif_", [])]
            branches += [(("else",), n.else_)] if n.else_ else []
            for mark, body in branches:
                out.append(mark)
                for c in body:
                    walk(c)
            out.append(("end" + kind,))
            return
        if isinstance(n, nodes.Macro):
            out.append(("macro", n.name, tuple(a.name for a in n.args)))
        elif isinstance(n, nodes.Block):
            out.append(("block", n.name))
        elif isinstance(n, nodes.Include):
            out.append(("include",))
        elif isinstance(n, nodes.Assign):
            out.append(("set", _data(n.target)))
        elif isinstance(n, nodes.Call) and isinstance(n.node, nodes.Name) and n.node.name in macros:
            out.append(("call", n.node.name, tuple(_data(a) for a in n.args)))
        for c in n.iter_child_nodes():
            walk(c)

    walk(tree)
    out.append(("data", _data(tree)))
    return out


def _sections() -> list[str]:
    return sorted(p.name for p in (TEMPLATES / "zh").glob("*.md.j2"))


def test_every_section_has_a_template_in_each_language():
    assert _sections() == sorted(p.name for p in (TEMPLATES / "en").glob("*.md.j2"))
    assert len(_sections()) > 10


#: Data only one language's template reads, and why the other cannot read it without changing its text.
ONE_LANGUAGE_DATA = {
    "headline.md.j2": {
        "cur.term_<lang>": "Chinese needs a noun before an amount and names the source's own term (意向投资额 or "
        "涉及资金); the English headline gives the amount bare ('2023: 1,080 hundred million yuan')"
    },
    "basis.md.j2": {
        "a.n": "Chinese says how many years an aggregate sums (只公布了两年合计数); English says 'a multi-year total'"
    },
}


def _structure(name: str, lang: str) -> list[tuple]:
    out = skeleton((TEMPLATES / lang / name).read_text(encoding="utf-8"))
    exempt = set(ONE_LANGUAGE_DATA.get(name, {}))
    return out[:-1] + [("data", tuple(d for d in out[-1][1] if d not in exempt))]


@pytest.mark.parametrize("name", _sections())
def test_zh_and_en_templates_have_the_same_structure(name):
    assert _structure(name, "zh") == _structure(name, "en")


def test_every_exemption_is_still_needed():
    for name, data in ONE_LANGUAGE_DATA.items():
        read = [set(skeleton((TEMPLATES / lang / name).read_text(encoding="utf-8"))[-1][1]) for lang in locale.LANGS]
        for d in data:
            assert sum(d in r for r in read) == 1, (name, d)  # read by exactly one language


def test_the_skeleton_sees_a_clause_only_one_language_has():
    en = "Only {{ n }} period{{ 's' if n != 1 }}."
    assert skeleton(en) == skeleton("只有{{ n }}个公布期。")  # wording and grammar are the language's
    assert skeleton("{% if a %}x{% endif %}") != skeleton("x")  # a clause only one language has
    assert skeleton("{{ s.publisher_zh }}") == skeleton("{{ s.publisher_en }}")  # the language's own column
    assert skeleton("{{ cur.n }}") != skeleton("{{ cur.term_zh }}")  # other data
    assert skeleton("{% for p in xs %}{{ p }}{% endfor %}") != skeleton("{{ xs|join(', ') }}")


# --------------------------------------------------------------------------------------------- the Locale


def test_a_locale_is_made_once_per_language_and_refuses_an_unknown_one():
    assert locale.of("zh") is locale.of("zh") and locale.of(locale.of("en")) is locale.of("en")
    assert Locale("zh") == locale.of("zh") and Locale("zh") != Locale("en")
    for bad in ("fr", "ZH", "", None):
        with pytest.raises(ValueError, match="lang must be one of zh, en, got"):
            Locale(bad)
    with pytest.raises(ValueError, match="lang must be one of zh, en, got 'de'"):
        locale.of("de")


def test_every_language_has_every_table():
    for key, pair in [
        *locale.WORDS.items(),
        *locale.CHART_WORDS.items(),
        *locale.HEDGES.items(),
        *locale.UNITS.items(),
    ]:
        assert len(pair) == len(locale.LANGS), key
    assert set(locale.STYLES) == set(locale.LANGS)
    assert len({frozenset(s) for s in locale.STYLES.values()}) == 1  # the same settings for each language


@pytest.fixture(scope="module")
def zh_en():
    return Locale("zh"), Locale("en")


def test_numbers_in_both_languages(zh_en):
    zh, en = zh_en
    for loc in zh_en:  # figures are written alike but for grouping and dashes; 'not published' is a word
        assert loc.num(280.66) == "280.66" and loc.num(799.3, 1) == "799.3" and loc.rounded(5.43) == "5.4"
        assert loc.pct(0.782258) == "78.2%" and loc.rate(-0.0513) == "−5.1%"
    # English groups thousands; a Chinese release writes whole numbers ungrouped (国家统计局: 1260582亿元)
    assert (en.num(1080), zh.num(1080), en.rounded(1856.2), zh.rounded(1856.2)) == ("1,080", "1080", "1,860", "1860")
    assert (en.fixed(1079.66), zh.fixed(1079.66), en.tick(1500.0), zh.tick(1500.0)) == (
        "1,079.66",
        "1079.66",
        "1,500",
        "1500",
    )
    # a range of values: en dash in English, the wave dash in Chinese (GB/T 15834-2011 4.13.3.3)
    assert (en.interval(30.2, 61.7), zh.interval(30.2, 61.7)) == ("30–62", "30～62")
    assert (en.pct_interval(0.7021, 0.8459), zh.pct_interval(0.7021, 0.8459)) == ("70.2%–84.6%", "70.2%～84.6%")
    # a change: in words in both (a release never writes "+35.1%"); English keeps its signed percent too
    assert (zh.change(0.351), zh.change(-0.05), zh.change(0.0004)) == ("增长35.1%", "下降5.0%", "持平")
    assert (en.change(0.351), en.change(-0.05), en.change(-0.0004)) == ("up 35.1%", "down 5.0%", "unchanged")
    assert en.signed_pct(-0.0513) == "−5.1%" and en.signed_pct(0.351) == "+35.1%"
    assert (zh.num(None), en.num(None), zh.rounded(float("nan"))) == ("未公布", "not published", "未公布")
    assert (zh.prob(0.001), en.prob(0.001), zh.prob(0.999), en.prob(0.999)) == (
        "不到1%",
        "under 1%",
        "超过99%",
        "over 99%",
    )


def test_hedges_in_both_languages(zh_en):
    zh, en = zh_en
    # as the 2021 article writes them: 约280.66亿元, 项目210余个; a range no hedge word describes
    assert zh.hedged(280.66, "approx", "yi_yuan") == "约280.66亿元"
    assert en.hedged(280.66, "approx", "yi_yuan") == "about 280.66 hundred million yuan"
    assert (zh.hedged(210, "more_than", "projects"), en.hedged(210, "more_than", "projects")) == (
        "210余个",
        "more than 210 projects",
    )
    assert (zh.hedged(80, "nearly", "percent"), en.hedged(80, "nearly", "percent")) == ("近80%", "nearly 80%")
    assert zh.hedged(30, "at_most", "projects") == "30个以内" and en.hedged(30, "at_most") == "at most 30"
    assert zh.hedged(0, "range", "yi_yuan", bounds=(0, None)) == "不少于0亿元"
    assert en.hedged(54, "range", "projects", bounds=(50, 58)) == "50–58 projects"
    assert zh.hedged(54, "range", None, bounds=(50, 58)) == "50～58"
    assert (zh.hedge_word("over"), en.hedge_word("over"), en.hedge_word(None)) == ("超", "over", "")
    assert zh.hedge_cell("range", (160, 240)) == "160～240" and en.hedge_cell("exact", None, empty="—") == "—"
    assert zh.hedged_sum(1506.47, "approx", "yi_yuan") == "约1506亿元" and en.hedged_sum(1506.47, "exact") == "1,506.47"
    # a table cell: zh writes the hedge where the source puts it (约164.89), en keeps a hedge column
    assert (zh.hedge_in_cell, en.hedge_in_cell) == (True, False)
    assert (zh.hedged_cell(164.89, "approx"), zh.hedged_cell(210, "more_than", nd=0)) == ("约164.89", "210余")
    assert (en.hedged_cell(164.89, "approx"), zh.hedged_cell(200, "range", (160, 240))) == ("164.89", "160～240")
    with pytest.raises(ValueError, match="needs its bounds"):
        zh.hedged(200, "range")


def test_periods_dates_brackets_and_lists_in_both_languages(zh_en):
    zh, en = zh_en
    # a span of years: the one-character dash in Chinese (一字线, GB/T 15834-2011 4.13.3.2)
    assert (zh.period(2019, 2020), en.period(2019, 2020), zh.period(2022, suffix=False)) == (
        "2019—2020年",
        "2019–2020",
        "2022",
    )
    assert (zh.date((2021, 5, 14)), en.date((2021, 5, 14))) == ("2021年5月14日", "14 May 2021")
    assert (zh.date((2023, 9, 0)), en.date((2023, 9, 0)), zh.date((2022, 0, 15)), en.date((2022, 0, 0))) == (
        "2023年9月",
        "September 2023",
        "2022年",
        "2022",
    )
    assert (zh.date(None), en.date(None)) == ("未公布", "not published")
    assert (zh.bracket("亿元"), en.bracket("projects")) == ("（亿元）", " (projects)")
    assert (zh.bracket("2022", newline=True), en.bracket("2022", newline=True)) == ("\n（2022）", "\n(2022)")
    assert (zh.header("investment", "亿元"), en.header("investment", "hundred million yuan")) == (
        "意向投资额（亿元）",
        "intended investment (hundred million yuan)",
    )
    assert (
        en.header("signed", en.word("count_unit")) == "signed"
        and zh.header("signed", zh.word("count_unit")) == "签约（个）"
    )
    assert (zh.join(["产业", "交通", "公共服务"]), en.join(["a", "b", "c"]), en.join(["a"])) == (
        "产业、交通和公共服务",
        "a, b and c",
        "a",
    )


def test_words_and_data_columns_in_both_languages(zh_en):
    zh, en = zh_en
    assert (zh.word("landing_rate"), en.word("landing_rate")) == ("落地率", "landing rate")
    assert en.word("analysis_meta", through=2024) == "All articles; figures through 2024"
    assert (
        zh.chart_word("cohort", period="2019–2021年") == "2019–2021年批次"
        and en.chart_word("as_of", date="2022") == "as of 2022"
    )
    assert (zh.verdict(True), en.verdict(False), zh.verdict(None)) == ("一致", "INCONSISTENT", "无法核对")
    row = {"group_zh": "产业", "group_en": "industry"}
    assert (zh.col(row, "group"), en.col(row, "group"), zh.pick(("甲", "a")), en.pick(("甲", "a"))) == (
        "产业",
        "industry",
        "甲",
        "a",
    )
    assert (zh.html_lang, en.html_lang, zh.joins_lines, en.joins_lines) == ("zh-CN", "en", True, False)
    with pytest.raises(KeyError, match="no word 'nosuch'"):
        zh.word("nosuch")


def test_every_prior_has_its_reason_in_each_language():
    from analysis.core.config import PRIORS

    assert set(locale.PRIOR_REASONS_ZH) == set(PRIORS)
    for name, prior in PRIORS.items():
        zh, en = Locale("zh").prior_reason(name, prior), Locale("en").prior_reason(name, prior)
        assert (
            _CJK.search(zh)
            and en == prior.reason
            and not re.search("[\u4e00-\u9fff]", en.replace(locale.SOURCE_UNIT, ""))
        )


def test_the_renderers_accept_a_locale_or_its_name():
    from analysis import compute, load, tables
    from analysis.present import page

    res = compute(load(), 2023)
    assert tables.periods(res, "zh").data.equals(tables.periods(res, Locale("zh")).data)
    assert page.report_title(res, Locale("en")) == page.report_title(res, "en")
