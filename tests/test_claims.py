"""Claims and formulas are facts; the templates write the words (issue 19, item 4).

The expected facts are read here from data/*.csv by hand (the csv module, not the package's loader); the
expected wordings are the templates' own sentences, written out once.
"""

from __future__ import annotations

import ast
import csv
import re
from pathlib import Path

import pytest

from analysis import compute, load
from analysis.core import locale
from analysis.pipeline.cli import main
from analysis.present import facts
from analysis.present.output import metrics_text
from analysis.stats import claims as C
from analysis.stats.metrics import Formula, Period, Term

from .conftest import DATA

PKG = Path(__file__).resolve().parent.parent / "analysis"
TEMPLATES = PKG / "present" / "templates"
ZH, EN = locale.of("zh"), locale.of("en")  # expected wording is written through the Locale


def _csv(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _sources_by(year: int) -> set[str]:
    """The articles published by the release of ``year``'s figures (sources.csv dates, by hand)."""
    rows = _csv("sources.csv")
    first = min(
        int(r["date_year"])
        for r in rows
        if any(int(s["last_year"]) == year and s["source_id"] == r["source_id"] for s in _csv("signings.csv"))
    )
    return {r["source_id"] for r in rows if int(r["date_year"]) <= first}


@pytest.fixture(scope="module")
def res2023():
    return compute(load(), 2023, projection=False)


def _row(res, claim_id: str) -> C.Claim:
    led = res.claims
    hit = led[led["id"] == claim_id]
    assert len(hit) == 1, f"no claim {claim_id}: {sorted(led['id'])}"
    return C.as_claim(hit.iloc[0])


def test_the_ledger_holds_facts_not_sentences(res2023):
    assert not {"text_en", "text_zh"} & set(res2023.claims.columns)
    assert list(res2023.claims.columns) == C.COLUMNS
    assert all(isinstance(C.as_claim(r), C.Claim) for _, r in res2023.claims.iterrows())


def test_2023_breakdown_claim_as_facts(res2023):
    """2023 by category: the groups' counts (signings.csv) against the 2023 total."""
    known = _sources_by(2023)
    rows = [r for r in _csv("signings.csv") if r["source_id"] in known and r["first_year"] == r["last_year"] == "2023"]
    groups = {r["group_zh"]: float(r["projects"]) for r in rows if r["dimension"] == "category"}
    total = {float(r["projects"]) for r in rows if r["dimension"] == "total"}
    assert len(total) == 1 and groups
    c = _row(res2023, "breakdown_projects_2023_category")
    assert (c.kind, c.measure, c.period, c.dimension[0]) == ("breakdown_sum", "projects", Period(2023, 2023), "类别")
    assert c.terms["total"] == c.stated == total.pop() and c.terms["unstated"] == 0
    assert sorted(t.value for _, t in c.formula.terms) == sorted(groups.values())
    assert [op for op, _ in c.formula.terms] == [""] + ["+"] * (len(groups) - 1)
    assert c.computed == sum(groups.values()) and c.consistent is True


def test_2023_cumulative_claim_as_facts(res2023):
    """2019–2023's stated total against the finest periods inside it (those containing no other total)."""
    known = _sources_by(2023)
    totals = {}
    for r in _csv("signings.csv"):
        if r["source_id"] in known and r["dimension"] == "total" and r["projects"]:
            totals[Period(int(r["first_year"]), int(r["last_year"]))] = (float(r["projects"]), r["projects_qualifier"])
    big = Period(2019, 2023)
    atoms = sorted(
        p for p in totals if big.contains(p) and p != big and not any(q != p and p.contains(q) for q in totals)
    )
    c = _row(res2023, "cumulative_projects_2019-2023")
    assert (c.kind, c.measure, c.period, c.parts) == ("cumulative_sum", "projects", big, tuple(atoms))
    assert (c.stated, c.qualifier) == totals[big]
    assert [t.value for _, t in c.formula.terms] == [totals[a][0] for a in atoms]
    assert c.computed == sum(totals[a][0] for a in atoms)


def test_2023_landing_claims_as_facts(res2023):
    """The 2022 article's 97 of 124 at 近80 %, and the bound across the 2021 and 2022 statements."""
    lan = {(r["source_id"], r["first_year"], r["last_year"]): r for r in _csv("landing.csv")}
    stated = next(r for r in lan.values() if r["landed"] and r["signed"] and r["stated_rate_pct"])
    c = _row(res2023, f"landing_rate_{stated['first_year']}-{stated['last_year']}_{stated['source_id'][-4:]}")
    assert (c.kind, c.period) == ("landing_rate", Period(int(stated["first_year"]), int(stated["last_year"])))
    assert c.terms == {"landed": int(stated["landed"]), "signed": int(stated["signed"])}
    assert (c.stated, c.qualifier) == (float(stated["stated_rate_pct"]), stated["rate_qualifier"])
    bounds = [C.as_claim(r) for _, r in res2023.claims.iterrows() if r["kind"] == "landing_vintage"]
    assert bounds
    for b in bounds:
        ops = [op for op, _ in b.formula.terms]
        values = [t.value for _, t in b.formula.terms]
        assert ops[0] == "" and set(ops[1:]) == {"−"} and b.computed == values[0] - sum(values[1:])
        assert b.whole.contains(b.inner) and b.whole.contains(b.period) and len(b.as_of) == 2


def test_signed_count_of_a_landing_cohort_is_a_stated_total(res2023):
    """The first cohort's signed count is the 2019–2020 total (no count in landing.csv): a one-term formula."""
    row, first = res2023.landing.iloc[0], res2023.landing_statements[0]
    f = row["signed_formula"]
    assert row["signed_status"] == "derived" and isinstance(f, Formula) and first.signed_from == "total"
    assert len(f.terms) == 1 and f.terms[0][1].total  # one term: the period's stated total
    total = next(
        float(r["projects"])
        for r in _csv("signings.csv")
        if r["dimension"] == "total"
        and (int(r["first_year"]), int(r["last_year"])) == (row["first_year"], row["last_year"])
    )
    assert f.terms[0][1].value == total == row["signed"]
    span = (row["first_year"], row["last_year"])
    assert facts.formula(f, "en") == f"{total:.0f} ({EN.period(*span)} total)"
    assert facts.formula(f, "zh") == f"{total:.0f}（{ZH.period(*span)}合计）"


def test_a_formula_in_both_languages_from_its_terms():
    whole, rest = Term(1080, Period(2019, 2022)), Term(280.66, Period(2022, 2022))
    parts = Formula.of(Term(552, Period(2019, 2020)), Term(247, Period(2021, 2021)), result=799)
    f = Formula.of(whole, rest, op="−", result=799.34, versus=parts)
    assert facts.formula(f, "en") == "1,080 (2019–2022) − 280.66 (2022) = 799.34 vs 552 (2019–2020) + 247 (2021) = 799"
    p = ZH.period  # a span of years and a number as the zh Locale writes them
    assert (
        facts.formula(f, "zh")
        == f"{ZH.num(1080)}（{p(2019, 2022)}） − 280.66（2022年） = 799.34，对照552（{p(2019, 2020)}） + 247（2021年） = 799"
    )
    bound = Formula.of(
        Term(2200, Period(2019, 2025)),
        Term(1885.21, most=True, bound=(Term(552, Period(2019, 2020)), Term(247, Period(2021, 2021)))),
        op="−",
    )
    assert (
        facts.formula(bound, "en") == "2,200 (2019–2025) − 1,885.21 (the most that 552 (2019–2020) + 247 (2021) can be)"
    )
    assert (
        facts.formula(bound, "zh")
        == f"{ZH.num(2200)}（{p(2019, 2025)}） − {ZH.num(1885.21)}（552（{p(2019, 2020)}） + 247（2021年）可能的最大值）"
    )
    stated = Formula.of(Term(426.81, source="bjnews2023", qualifier="approx", unit="yi_yuan"))
    assert facts.formula(stated, "en") == "bjnews2023: about 426.81 hundred million yuan"
    assert facts.formula(stated, "zh") == "bjnews2023：约426.81亿元"
    assert facts.formula(None, "zh") is None
    with pytest.raises(ValueError):
        Formula.of(Term(1), Term(2), op="*")


def test_a_claim_in_both_languages_from_its_facts():
    c = C.Claim(
        id="x",
        kind="derived_vs_sum",
        measure="investment_100m_yuan",
        period=Period(2019, 2021),
        parts=(Period(2019, 2020), Period(2021, 2021)),
        whole=Period(2019, 2022),
        terms={"derived": 799.34},
    )
    assert facts.claim(c, "en") == (
        "2019–2021: the intended investment derived from the 2019–2022 total (799.34) meets the sum of 2019–2020 + 2021"
    )
    p = ZH.period
    assert (
        facts.claim(c, "zh")
        == f"由{p(2019, 2022)}合计推算的{p(2019, 2021)}意向投资额（799.34）与{p(2019, 2020, suffix=False)}、2021各期之和相符"
    )
    with pytest.raises(ValueError):
        facts.claim(c, "fr")


def test_every_claim_has_a_sentence_in_both_languages():
    for year in (2021, 2022, 2023, 2024):
        led = compute(load(), year, projection=False).claims
        for lang in ("zh", "en"):
            texts = facts.claims(led, lang)
            assert all(t and "\n" not in t and t == t.strip() for t in texts)
            cjk = [bool(re.search(r"[\u4e00-\u9fff]", t)) for t in texts]
            if lang == "zh":
                assert all(cjk)
            else:  # English words; the one Chinese word kept in en is the unit's name, 亿元
                assert not any(re.search(r"[\u4e00-\u9fff]", s.replace("亿元", "")) for s in texts)


# ------------------------------------------------------------------------------------- scans of the code


_WORDS = re.compile(r"[A-Za-z]{3,}|[\u4e00-\u9fff]")


def _has_words(node: ast.AST | None) -> bool:
    """A pattern or replacement (its string pieces, joined) that names words: not whitespace or escapes."""
    if node is None:
        return False
    text = "".join(n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str))
    bare = re.sub(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", "", text)  # escapes (\d, \s, \u4e00 …) are not words
    return bool(_WORDS.search(bare))


def _regex_words(tree: ast.AST) -> list[str]:
    """Substitutions whose pattern or replacement names words: ``re.sub(pattern, repl, text)`` and
    ``compiled.sub(repl, text)`` of a module-level ``compiled = re.compile(pattern)``: a regex that rewrites
    sentences (a translation), as opposed to one that escapes punctuation or collapses whitespace."""
    compiled = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute)
            and node.value.func.attr == "compile"
            and node.value.args
        ):
            compiled[node.targets[0].id] = node.value.args[0]
    found = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("sub", "subn")
        ):
            continue
        owner = node.func.value
        if isinstance(owner, ast.Name) and owner.id == "re" and len(node.args) >= 2:
            pattern, repl = node.args[0], node.args[1]
        elif isinstance(owner, ast.Name) and owner.id in compiled and node.args:
            pattern, repl = compiled[owner.id], node.args[0]
        else:
            continue
        if _has_words(pattern) or _has_words(repl):
            found.append(f"line {node.lineno}: {ast.unparse(pattern)} -> {ast.unparse(repl)}")
    return found


def scan_regex_translation(pkg: Path) -> dict[str, list[str]]:
    out = {}
    for path in sorted(pkg.rglob("*.py")):
        hits = _regex_words(ast.parse(path.read_text(encoding="utf-8")))
        if hits:
            out[str(path.relative_to(pkg))] = hits
    return out


def test_no_regular_expression_translates_sentences():
    assert scan_regex_translation(PKG) == {}


def test_the_scan_finds_a_regex_translation(tmp_path):
    """The scan can fail: the former zh formula translation (regular expressions over English words) is found,
    an escape of punctuation is not."""
    (tmp_path / "old.py").write_text(
        'import re\n_Y = r"(\\d{4})"\n_P = re.compile(r"\\(the least that (.*) can be\\)")\n'
        'def f(t):\n    t = re.sub(_Y + r" total\\)", r"\\1年合计）", t)\n    return _P.sub(r"\\1", t)\n'
        'def g(t):\n    return re.sub(r"\\s+", " ", re.sub(r"([\\\\`*_])", r"\\\\\\1", t))\n',
        encoding="utf-8",
    )
    assert [h.split(":")[0] for h in scan_regex_translation(tmp_path)["old.py"]] == ["line 5", "line 6"]


def _chinese_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {
        id(n.body[0].value)
        for n in ast.walk(tree)
        if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body and isinstance(n.body[0], ast.Expr)
    }
    return [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and id(n) not in docs
        and re.search(r"[\u4e00-\u9fff]", n.value)
    ]


@pytest.mark.parametrize("module", ["stats/claims.py", "stats/metrics.py", "present/facts.py", "present/output.py"])
def test_claims_and_formulas_hold_no_chinese(module):
    """The modules of the facts and of the terminal text hold no Chinese literal (docstrings aside)."""
    assert _chinese_literals(PKG / module) == []


def _sentence_fstrings(path: Path) -> list[str]:
    """f-strings whose literal parts hold words separated by spaces: a sentence built in Python."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        ast.unparse(n)
        for n in ast.walk(tree)
        if isinstance(n, ast.JoinedStr)
        and any(isinstance(v, ast.Constant) and re.search(r"[A-Za-z]{2,} [A-Za-z]{2,}", v.value) for v in n.values)
    ]


def test_the_ledger_builds_no_sentence():
    assert _sentence_fstrings(PKG / "stats" / "claims.py") == []


def test_the_scans_fail_on_the_former_ledger(tmp_path):
    """Both scans can fail: a ledger row with its sentences written in Python, as before."""
    old = tmp_path / "claims.py"
    old.write_text(
        "def row(p, d_en, d_zh):\n"
        '    return dict(text_en=f"{p}: the {d_en} groups add up to the total",\n'
        '                text_zh=f"{p}年按{d_zh}分组的项目数之和等于总数")\n',
        encoding="utf-8",
    )
    assert len(_sentence_fstrings(old)) == 1 and _chinese_literals(old) == ["年按", "分组的项目数之和等于总数"]


def test_templates_read_typed_fields_not_formula_strings():
    for path in sorted(TEMPLATES.rglob("*.j2")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""["'][^"']*["']\s+in\s+[\w.]*formula""", text), path


def test_zh_and_en_facts_templates_have_the_same_macros_and_branches():
    def shape(lang):
        text = (TEMPLATES / lang / "facts.j2").read_text(encoding="utf-8")
        return re.findall(r"{%-?\s*(macro \w+|if|elif|else|endif|for|endfor|endmacro)\b", text), re.findall(
            r'c\.kind == "(\w+)"', text
        )

    assert shape("zh") == shape("en")


# ------------------------------------------------------------------------------------- terminal


def test_terminal_text_in_chinese(res2023):
    zh = metrics_text(res2023, "zh")
    en = metrics_text(res2023)
    assert zh.splitlines()[0].startswith(f"截至{res2023.through}年")
    for sentence in facts.claims(res2023.claims, "zh"):
        assert sentence in zh
    for sentence in facts.claims(res2023.claims, "en"):
        assert sentence in en and sentence not in zh
    # every word of the terminal block is the zh one, none of the en ones
    for english in ("Periods", "Claims", "cumulative:", "Landing (statements", "by the rate", "computed ", "stated "):
        assert english in en and english not in zh
    assert len(zh.splitlines()) == len(en.splitlines())


def test_metrics_command_takes_a_language(capsys):
    assert main(["metrics", "--through", "2022", "--no-projection", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("截至2022年") and "报道数字的核对" in out
    assert main(["metrics", "--through", "2022", "--no-projection"]) == 0
    assert capsys.readouterr().out.startswith("Through 2022")
