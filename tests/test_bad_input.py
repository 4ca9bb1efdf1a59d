"""Bad input tried on purpose (the table in README.md): each is refused precisely or accepted where parseable."""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import pytest

from analysis import load
from analysis.data.reading import coerce, read_table, run_schema
from analysis.data.schema import TABLES
from analysis.pipeline import outdir
from analysis.pipeline.cli import main

from .conftest import DATA, append_row, find_line, problems_of, read_rows, set_cell


def _digest(folder):
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_truncated_csv(data_copy):
    f = data_copy / "signings.csv"
    text = f.read_text(encoding="utf-8")
    last_row = text.splitlines()[-1]
    f.write_text(text[: text.rindex(last_row) + last_row.index(",exact,")], encoding="utf-8")  # cut inside the last row
    last = len(text.splitlines())
    assert any(
        p.startswith(f"signings.csv:{last}:") and "expected 11" in p and "truncated" in p
        for p in problems_of(data_copy)
    )


def test_truncated_inside_quotes(data_copy):
    f = data_copy / "landing.csv"
    text = f.read_text(encoding="utf-8")
    f.write_text(text[: text.index("97个落地,")], encoding="utf-8")
    probs = problems_of(data_copy)
    assert any(p.startswith("landing.csv:") and ("truncated" in p or "unclosed quote" in p) for p in probs), probs


def test_wrong_delimiter(data_copy):
    f = data_copy / "landing.csv"
    f.write_text(f.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    assert "landing.csv:1: header has a single column: the file uses another delimiter; use commas (,)" in problems_of(
        data_copy
    )


def test_bom_is_accepted(data_copy):
    f = data_copy / "signings.csv"
    f.write_bytes(b"\xef\xbb\xbf" + f.read_bytes())
    assert problems_of(data_copy) == []


def test_gbk_file(data_copy):
    f = data_copy / "taxonomy.csv"
    f.write_bytes(f.read_text(encoding="utf-8").encode("gbk"))
    probs = problems_of(data_copy)
    assert any(p.startswith("taxonomy.csv:2: file is not valid UTF-8") and "GBK" in p for p in probs), probs


@pytest.mark.parametrize(
    "value,fragment",
    [
        ("1,080", "has a thousands separator; write it without (e.g. 1080)"),
        ("1080亿", "has a unit in it; write the bare number"),
        ("１０８０", "has full-width digits"),
    ],
)
def test_numbers_with_separators_or_units(data_copy, value, fragment):
    f = data_copy / "signings.csv"
    line = find_line(f, first_year="2019", last_year="2022")
    set_cell(f, line, "investment_100m_yuan", value)
    assert any(
        p.startswith(f"signings.csv:{line}: column 'investment_100m_yuan': '{value}' {fragment}")
        for p in problems_of(data_copy)
    )


def test_conference_year_after_today(data_copy):
    year = dt.date.today().year + 1
    line = append_row(
        data_copy / "conferences.csv", {"year": str(year), "source_id": "bjd2022", "evidence": "连续四年举办"}
    )
    probs = problems_of(data_copy)
    assert f"conferences.csv:{line}: column 'year': year is later than the current year {year - 1}; got {year}" in probs


def test_duplicate_rows(data_copy):
    f = data_copy / "signings.csv"
    header, rows = read_rows(f)
    line = append_row(f, dict(zip(header, rows[4], strict=True)))
    probs = problems_of(data_copy)
    assert any(p.startswith(f"signings.csv:{line}:") and "duplicate key" in p for p in probs), probs
    assert any(p.startswith("signings.csv:6:") and "duplicate key" in p for p in probs), probs


def test_negative_amount(data_copy):
    f = data_copy / "signings.csv"
    line = find_line(f, group_zh="三河市")
    set_cell(f, line, "investment_100m_yuan", "-201.65")
    assert any(
        p.startswith(f"signings.csv:{line}: column 'investment_100m_yuan': must be >= 0")
        for p in problems_of(data_copy)
    )


def test_implausibly_large_amount(data_copy):
    f = data_copy / "signings.csv"
    line = find_line(f, dimension="total", first_year="2022")
    set_cell(f, line, "investment_100m_yuan", "2806600")  # typed in 万元 by mistake
    probs = problems_of(data_copy)
    assert any(
        p.startswith(f"signings.csv:{line}: column 'investment_100m_yuan': 2.8066e+06 亿元 is implausibly large")
        for p in probs
    ), probs


def test_landed_above_signed(data_copy):
    set_cell(data_copy / "landing.csv", 3, "landed", "130")
    assert "landing.csv:3: column 'landed': landed (130) is more than signed (124)" in problems_of(data_copy)


def test_bad_input_never_writes_data_or_reports(data_copy, tmp_path):
    set_cell(data_copy / "landing.csv", 3, "landed", "130")
    report = tmp_path / "reports" / "2022"
    report.mkdir(parents=True)
    (report / "report.html").write_text("earlier", encoding="utf-8")
    outdir.write_marker(tmp_path / "reports", inputs=None, units={}, stale={})  # as an earlier build left it
    before = _digest(data_copy), _digest(tmp_path / "reports")
    with pytest.raises(SystemExit) as exc:
        main(["build", "--data", str(data_copy), "--out", str(tmp_path / "reports")])
    assert "fails the data check" in str(exc.value.code)
    assert (_digest(data_copy), _digest(tmp_path / "reports")) == before


# --------------------------------------------------------------------------------------------- never a traceback


def _check(data_dir, capsys) -> tuple[int, list[str]]:
    """`check` on ``data_dir``: its exit code and the lines it printed (never a traceback)."""
    rc = main(["check", "--data", str(data_dir)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return rc, err.splitlines()


NOT_FINITE = ["inf", "-inf", "Infinity", "-Infinity", "nan", "NaN", "1e999"]


#: Numeric cells of every table that has them, one or two a table: (file, the row's match, column).
NUMERIC_CELLS = [
    ("claims.csv", {"claim_id": "industry_28"}, "stated"),
    ("signings.csv", {"group_zh": "三河市"}, "investment_100m_yuan"),
    ("signings.csv", {"group_zh": "三河市"}, "projects"),
    ("landing.csv", {"source_id": "release2023"}, "stated_rate_pct"),
    ("details.csv", {"fact_id": "yanjiao_jobs"}, "value"),
    ("sources.csv", {"source_id": "cn2021"}, "date_day"),
]


@pytest.mark.parametrize("value", NOT_FINITE)
def test_infinity_and_nan_in_any_spelling_are_refused(data_copy, capsys, value):
    """The spelling in every numeric cell of :data:`NUMERIC_CELLS` at once (one `check` a spelling, not one a
    cell): each cell gets exactly one problem, naming it and the value; the cells are in different columns or
    files, so each problem is told apart by its file, line and column."""
    cells = []
    for file, match, column in NUMERIC_CELLS:
        line = find_line(data_copy / file, **match)
        set_cell(data_copy / file, line, column, value)
        cells.append(f"{file}:{line}: column '{column}':")
    rc, lines = _check(data_copy, capsys)
    assert rc == 1, lines
    for cell in cells:
        mine = [p for p in lines if cell in p]
        assert len(mine) == 1, (cell, lines)
        assert f"'{value}' is " in mine[0] and "finite number" in mine[0]


def test_a_claim_stated_as_1e309(data_copy, capsys):
    f = data_copy / "claims.csv"
    line = find_line(f, claim_id="industry_28")
    set_cell(f, line, "stated", "1e309")  # overflows to infinity as a float
    rc, lines = _check(data_copy, capsys)
    assert (
        rc == 1
        and lines[0] == f"{data_copy}/claims.csv:{line}: column 'stated': '1e309' is out of range (not a finite number)"
    )
    assert len(lines) == 2  # the problem and the count: nothing else trips over it


def test_the_evidence_rule_has_no_written_form_of_infinity():
    from analysis.data.rules import number_forms, number_in_text

    for x in (float("inf"), float("-inf"), float("nan")):
        assert number_forms(x) == [] and number_forms(x, percent=True) == []
        assert not number_in_text(x, "inf -inf nan NaN Infinity ∞")
    assert number_in_text(8.0, "8个项目")  # finite numbers as before


@pytest.mark.parametrize("value", ["9223372036854775808", "9007199254740993", "1e19"])
def test_a_count_beyond_what_a_number_holds(data_copy, capsys, value):
    f = data_copy / "signings.csv"
    line = find_line(f, group_zh="三河市")
    set_cell(f, line, "projects", value)  # 2**63 (pandas' Int64 overflows), 2**53 + 1 (a float loses it)
    rc, lines = _check(data_copy, capsys)
    mine = [p for p in lines if f"signings.csv:{line}: column 'projects':" in p]
    assert rc == 1 and mine == [
        f"{data_copy}/signings.csv:{line}: column 'projects': '{value}' is out of range "
        f"(a whole number here is at most {2**53}, 2**53)"
    ], lines


def test_a_total_straddling_another_periods_boundary(data_copy, capsys):
    line = append_row(
        data_copy / "signings.csv",
        {
            "source_id": "bjd2022",
            "first_year": "2020",
            "last_year": "2021",
            "dimension": "total",
            "projects": "60",
            "projects_qualifier": "exact",
            "evidence": "2020年至2021年签约60个项目",
        },
    )
    rc, lines = _check(data_copy, capsys)
    first = find_line(data_copy / "signings.csv", first_year="2019", last_year="2020")
    assert rc == 1 and lines == [
        f"{data_copy}/signings.csv:{line}: column 'first_year': the total of 2020–2021 straddles the boundary of the total "
        f"of 2019–2020 (line {first}): totals must lie one inside the other or not overlap; check the years, "
        "or record the rows of one article only",
        f"1 problem(s) in {data_copy}",
    ]


def test_totals_nested_three_deep_derive_the_single_years(tmp_path):
    """2019–2021 ⊃ 2020–2021 ⊃ 2021 nest: 2020 = 18 − 10 and 2019 = 30 − 18 (today's main raised "periods
    2019–2020 and 2020 overlap" from inside the loader)."""
    from analysis.stats import metrics

    from .synth import write_dataset

    d = write_dataset(
        tmp_path / "d",
        [{"year": 2021, "projects": 10, "investment": None}],
        extra_years=[2019, 2020],
        totals=[
            {"first_year": 2019, "last_year": 2021, "projects": 30, "investment": None},
            {"first_year": 2020, "last_year": 2021, "projects": 18, "investment": None},
        ],
    )
    t = metrics.trends(load(d))
    assert list(zip(t["period"], t["projects"], t["projects_status"], strict=True)) == [
        ("2019", 30 - 18, "derived"),
        ("2020", 18 - 10, "derived"),
        ("2021", 10, "reported"),
    ]


def test_a_gbk_file_given_to_build(data_copy, tmp_path, capsys):
    """build reads conferences.csv to size its kernel pool before the data check: a bad encoding there gets
    the check's one line too."""
    from analysis.pipeline import build as B

    f = data_copy / "conferences.csv"
    f.write_bytes(f.read_text(encoding="utf-8").encode("gbk"))
    assert B.most_units(data_copy, lang="zh") == len(B.analysis_notebooks()) + 1  # a safe default, not a crash
    with pytest.raises(SystemExit) as exc:
        main(["build", "--data", str(data_copy), "--out", str(tmp_path / "reports")])
    msg = str(exc.value.code)
    assert "fails the data check" in msg and "conferences.csv:2: file is not valid UTF-8" in msg and "GBK" in msg
    assert "\n" not in msg and not (tmp_path / "reports").exists()


# --------------------------------------------------------------------------------------------- dates that cannot be


@pytest.mark.parametrize(
    "file,match,column,value,message",
    [
        (
            "sources.csv",
            {"source_id": "bjnews2023"},
            "date_day",
            "31",
            "2023-09-31 is not a date: September 2023 has 30 days",
        ),
        ("conferences.csv", {"year": "2021", "source_id": "cn2021"}, "month", "2", None),
        ("sources.csv", {"source_id": "bjnews2023"}, "date_month", "13", "must be <= 12; got 13"),
        ("conferences.csv", {"year": "2023"}, "day", "0", "must be >= 1; got 0"),
    ],
)
def test_impossible_dates(data_copy, file, match, column, value, message):
    f = data_copy / file
    line = find_line(f, **match)
    set_cell(f, line, column, value)
    if message is None:  # 2021-02-13 is a date; with day 31 it is not
        set_cell(f, line, "day", "31")
        column, message = "day", "2021-02-31 is not a date: February 2021 has 28 days"
    assert f"{file}:{line}: column '{column}': {message}" in problems_of(data_copy)


def test_february_29_of_a_leap_year_is_a_date(data_copy):
    f = data_copy / "conferences.csv"
    line = find_line(f, year="2020", source_id="cn2021")
    set_cell(f, line, "month", "2")
    set_cell(f, line, "day", "29")
    assert not any("is not a date" in p for p in problems_of(data_copy))


@pytest.mark.parametrize(
    "source,date,column,shown,conference,row",
    [
        (
            "bjnews2023",
            ("2023", "9", "18"),
            "date_day",
            "2023-09-18",
            "the 2023 conference (2023-09-19",
            ("signings.csv", {"source_id": "bjnews2023"}),
        ),
        (
            "cn2021",
            ("2021", "4", "30"),
            "date_month",
            "2021-04-30",
            "the 2021 conference (2021-05-13",
            ("signings.csv", {"source_id": "cn2021", "first_year": "2021"}),
        ),
        (
            "bjnews2023",
            ("2022", "12", "1"),
            "date_year",
            "2022-12-01",
            "the 2023 conference (2023-09-19",
            ("signings.csv", {"source_id": "bjnews2023"}),
        ),
    ],
)
def test_an_article_dated_before_its_conference(data_copy, source, date, column, shown, conference, row):
    f = data_copy / "sources.csv"
    line = find_line(f, source_id=source)
    for col, v in zip(("date_year", "date_month", "date_day"), date, strict=True):
        set_cell(f, line, col, v)
    row_line = find_line(data_copy / row[0], **row[1])
    probs = problems_of(data_copy)
    mine = [p for p in probs if p.startswith(f"sources.csv:{line}:") and "before the" in p]
    assert mine and mine[0].startswith(
        f"sources.csv:{line}: column '{column}': {source} is dated {shown}, before {conference}"
    )
    assert f"whose figures it reports ({row[0]}:{row_line})" in mine[0]


def test_dates_are_compared_at_the_precision_both_have(data_copy):
    """bjd2022 is dated the 15th of an unknown month of 2022; a conference on the 16th (month unknown too)
    may have been in an earlier month: not refused. The same day is never 'before'."""
    f = data_copy / "conferences.csv"
    set_cell(f, find_line(f, year="2022", source_id="bjd2022"), "day", "16")
    assert not any("before the" in p for p in problems_of(data_copy))


def test_no_amount_without_projects(data_copy):
    f = data_copy / "signings.csv"
    line = find_line(f, group_zh="营商环境类")
    for col, v in (
        ("projects", "0"),
        ("investment_100m_yuan", "3.5"),
        ("investment_qualifier", "exact"),
        ("investment_term_zh", "意向投资额"),
        ("evidence", "营商环境类项目0个,意向投资额3.5亿元"),
    ):
        set_cell(f, line, col, v)
    assert (
        f"signings.csv:{line}: column 'projects': 0 projects with an amount of 3.5 亿元 cannot be; "
        "check the count (leave it empty when the article does not give it)"
    ) in problems_of(data_copy)


def test_a_period_of_0_projects_without_an_amount(data_copy):
    """Accepted (an article may report a year without signings); its amount per project, and the change to the
    next period, are undefined: missing everywhere, never infinite (tests/fixtures/zero_projects_2025)."""
    import json
    import re

    from analysis.present import prose, tables
    from analysis.present.output import jsonable, results_dict
    from analysis.stats.results import compute

    from .conftest import apply_fixture
    from .test_metrics import P24

    ds = load(apply_fixture(data_copy, "zero_projects_2025"))
    res = compute(ds, 2026, projection=False)
    t = res.periods.set_index("period")
    assert t.at["2025", "projects"] == 0 and t.at["2026", "projects"] == 10
    assert (
        pd.isna(t.at["2025", "investment_per_project_100m_yuan"])
        and t.at["2026", "investment_per_project_100m_yuan"] == 20 / 10
    )
    assert t.at["2025", "change_projects_per_year"] == 0 / P24 - 1 and pd.isna(
        t.at["2026", "change_projects_per_year"]
    )  # 10 / 0
    m = json.loads(json.dumps(jsonable(results_dict(res)), allow_nan=False))
    p26 = next(p for p in m["periods"] if p["first_year"] == 2026)
    assert p26["change_projects_per_year"] is None and p26["investment_per_project_100m_yuan"] == 2
    for lang in ("zh", "en"):
        text = " ".join(prose.render(s, res, lang) for s in prose.SECTIONS if s != "calibration")
        assert not re.search(r"\b(inf|nan)\b|∞", text, re.IGNORECASE), text
        html = tables.periods(res, lang).to_html()
        row = re.search(r"<tr>\s*<td[^>]*>2025</td>.*?</tr>", html, re.S).group(0)
        assert re.findall(r">([^<]*)</td>", row)[-1] == "—"  # the amount per project: missing, shown as missing


# --------------------------------------------------------------------------------------------- urls


@pytest.mark.parametrize(
    "url,message",
    [
        ('https://x.y/"><script>alert(1)</script>', "has a character a web address cannot have ('\"', '<', '>')"),
        ("https://x.y/' onmouseover='alert(1)", "has a character a web address cannot have (' ', \"'\")"),
        ("https://x.y/a\nb", "has a character a web address cannot have ('\\n')"),
        ("https://x.y/\x1b[2J", "has a character a web address cannot have ('\\x1b')"),
        ("javascript:alert(1)", "is not a web address: only http:// and https:// addresses are accepted"),
        ("JavaScript:alert(1)//https://x.y", "is not a web address: only http:// and https:// addresses are accepted"),
        (
            "data:text/html;base64,PHNjcmlwdD4=",
            "is not a web address: only http:// and https:// addresses are accepted",
        ),
        ("mailto:news@example.com", "is not a web address: only http:// and https:// addresses are accepted"),
        ("/detail/1695130264169445.html", "is not a web address: only http:// and https:// addresses are accepted"),
        ("www.bjnews.com.cn/detail/1.html", "is not a web address: only http:// and https:// addresses are accepted"),
        ("https:/www.bjnews.com.cn/", "is not a web address: it names no host (http://host/...)"),
        ("https://", "is not a web address: it names no host (http://host/...)"),
    ],
)
def test_only_http_addresses_are_accepted_as_urls(data_copy, capsys, url, message):
    f = data_copy / "sources.csv"
    line = find_line(f, source_id="bjnews2023")
    set_cell(f, line, "url", url)
    rc, lines = _check(data_copy, capsys)
    shown = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in url)
    assert rc == 1 and lines == [
        f"{data_copy}/sources.csv:{line}: column 'url': '{shown}' {message}"
        + (
            "; copy the address from the browser's address bar (it percent-encodes such characters)"
            if "character" in message
            else ""
        ),
        f"1 problem(s) in {data_copy}",
    ]


@pytest.mark.parametrize(
    "url", ["https://example.com/a_b?c=1&d=%22x%22#frag", "HTTP://EXAMPLE.COM/", "http://例子.中国/路径"]
)
def test_ordinary_web_addresses_pass(data_copy, url):
    f = data_copy / "sources.csv"
    set_cell(f, find_line(f, source_id="bjnews2023"), "url", url)
    assert problems_of(data_copy) == []


@pytest.mark.parametrize("key", ["field<script>alert(1)</script>", "../field", "ｆｉｅｌｄ"])
def test_a_scheme_key_is_a_plain_name(data_copy, capsys, key):
    """A scheme key names tables (their html id) and chart files: renamed on every row of its scheme, so that
    every other rule holds, a key with markup, a path or a letter outside [a-z] is refused, each row named by
    file, line and column, through `check` and `load` alike."""
    renamed = []
    for file in ("signings.csv", "taxonomy.csv"):
        header, rows = read_rows(data_copy / file)
        for line, row in enumerate(rows, start=2):
            if row[header.index("dimension")] == "field":
                set_cell(data_copy / file, line, "dimension", key)
                renamed.append(f"{data_copy}/{file}:{line}: column 'dimension':")
    assert len(renamed) > 2
    rc, lines = _check(data_copy, capsys)
    assert rc == 1 and lines[-1] == f"{len(renamed)} problem(s) in {data_copy}", lines
    assert [p[: len(w)] for p, w in zip(lines, renamed, strict=False)] == renamed
    assert all(p.endswith(f"letter (it names tables and chart files); got '{key}'") for p in lines[:-1])
    assert [f"{data_copy}/{p}" for p in problems_of(data_copy)] == lines[:-1]


@pytest.mark.parametrize(
    "file,column",
    [("signings.csv", "dimension"), ("taxonomy.csv", "dimension"), ("claims.csv", "dimension")],
)
@pytest.mark.parametrize(
    "key",
    [
        '"><img src=x onerror=alert(1)>',
        "field/x",
        "field.x",
        "Field",
        "1field",
        "_field",
        "field x",
        "field\nx",
        "fieldé",
    ],
)
def test_a_scheme_key_of_anything_but_a_z_digits_and_underscore_is_refused(file, column, key):
    """The schema check of each table holding a scheme key, cell by cell (the real tables with one key changed)."""
    table = next(t for t in TABLES.values() if t.filename == file)
    problems = []
    typed = coerce(read_table(DATA, table, problems), table, problems)
    line = int(typed.index[typed[column].notna()][0])
    run_schema(typed, table, problems, set())
    assert problems == []
    typed.loc[line, column] = key
    run_schema(typed, table, problems, set())
    assert [(p.file, p.line, p.column) for p in problems] == [(file, line, column)]
    assert problems[0].message.startswith("expected lower-case ASCII letters, digits and _, starting with a letter")


def _schema_failures(typed, table) -> set:
    """The (line, column) cells pandera itself reports on ``typed`` (its run forced, the pre-check bypassed)."""
    import pandera.errors

    from analysis.data.reading import pandera_schema

    try:
        pandera_schema(table).validate(typed, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        fc = fc[~fc["check"].astype(str).str.startswith(("dtype(", "coerce_dtype("))]
        return {(None if pd.isna(i) else int(i), c) for i, c in zip(fc["index"], fc["column"], strict=True)}
    return set()


def _breaking_values(col) -> list:
    """Values of a column that break each check of its schema: required, allowed values, range, pattern, year."""
    year = dt.date.today().year
    values = [pd.NA] if col.required else []
    if col.allowed is not None:
        values += ["not-" + col.allowed[0], col.allowed[0] + " "]
    if col.min is not None:
        values.append(col.min - 1)
    if col.max is not None:
        values.append(col.max + 0.5 if col.kind == "float" else col.max + 1)
    if col.pattern is not None:
        values += ["Field", "field x", "1field", "fieldé"]
    if col.kind == "year":
        values += [1999, year + 1]
    return values


@pytest.mark.parametrize("name", list(TABLES))
def test_the_plain_schema_pre_check_says_true_whenever_pandera_finds_something(name):
    """pandera runs only on a table the plain pre-check flags. The real tables: both find nothing. Every value
    that breaks a check of the schema (each kind: required, allowed values, range, pattern, year; and a
    repeated key), put in a real table: the pre-check says True, and pandera reports that very cell (the edits
    of one column go to different rows, so one pandera run confirms a batch)."""
    from analysis.data.reading import may_break_schema

    table = TABLES[name]
    typed = coerce(read_table(DATA, table, []), table, [])
    assert not may_break_schema(typed, table) and _schema_failures(typed, table) == set()
    for cells, edited in _breaking_batches(typed, table):
        assert set(cells) <= _schema_failures(edited, table)
    repeated = pd.concat([typed, typed.iloc[[0]].set_axis([typed.index[-1] + 1])])
    assert may_break_schema(repeated, table) and _schema_failures(repeated, table)


def _breaking_batches(typed, table) -> list[tuple[dict, pd.DataFrame]]:
    """Every value of :func:`_breaking_values` put in ``typed`` (each alone: the pre-check says True), then in
    batches whose edits of one column go to different rows: ``(cells edited, edited frame)`` per batch."""
    from analysis.data.reading import may_break_schema

    lines = [int(i) for i in typed.index]
    batches: dict[int, dict[tuple[int, str], object]] = {}
    for column, col in table.columns.items():
        for i, value in enumerate(_breaking_values(col)):
            line = lines[i % len(lines)]
            edited = typed.copy()
            edited.loc[line, column] = value
            assert may_break_schema(edited, table), (column, value)
            batches.setdefault(i // len(lines), {})[(line, column)] = value
    out = []
    for cells in batches.values():
        edited = typed.copy()
        for (line, column), value in cells.items():
            edited.loc[line, column] = value
        out.append((cells, edited))
    return out


@pytest.mark.parametrize("name", list(TABLES))
def test_pandera_checks_only_the_columns_that_may_break_and_words_the_same_problems(name, monkeypatch):
    """pandera costs per column, so a table that may break its schema is sent with only the columns the plain
    checks suspect (and the key's uniqueness only when a key may repeat): for every batch of breaking values,
    and a repeated key, the problems are those of a run of the whole schema, in the same order."""
    from analysis.data import reading

    table = TABLES[name]
    typed = coerce(read_table(DATA, table, []), table, [])
    repeated = pd.concat([typed, typed.iloc[[0]].set_axis([typed.index[-1] + 1])])
    frames = [edited for _, edited in _breaking_batches(typed, table)] + [repeated]
    partial = []
    for edited in frames:
        partial.append([])
        run_schema(edited, table, partial[-1], set())
    original = reading.pandera_schema
    monkeypatch.setattr(reading, "pandera_schema", lambda table, *args, **kwargs: original(table))
    whole = []
    for edited in frames:
        whole.append([])
        run_schema(edited, table, whole[-1], set())
    assert partial == whole and all(partial)


def test_pandera_runs_only_on_a_table_that_may_break_its_schema(data_copy, monkeypatch):
    """A clean data folder is checked without pandera (its run was most of a load's time); a folder with one
    bad cell sends only that table through it, and the problem reads as before."""
    from analysis.data import reading

    schemas = []
    original = reading.pandera_schema
    monkeypatch.setattr(
        reading,
        "pandera_schema",
        lambda table, *args, **kwargs: schemas.append((table.name, *args)) or original(table, *args, **kwargs),
    )
    load(data_copy)
    assert schemas == []
    line = find_line(data_copy / "sources.csv", source_id=read_rows(data_copy / "sources.csv")[1][0][0])
    set_cell(data_copy / "sources.csv", line, "language", "fr")
    assert problems_of(data_copy) == [
        f"sources.csv:{line}: column 'language': expected one of: zh, zh-Hant, en; got 'fr'"
    ]
    assert schemas == [("sources", ["language"])]  # only the column that may break


def test_a_check_of_clean_data_does_not_import_pandera():
    """`check` on clean data never imports pandera (about a third of the command's CPU went to that import)."""
    import subprocess
    import sys

    code = "import sys; from analysis.pipeline import cli; cli.main(['check']); print('pandera' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "False"


def _restated_line() -> int:
    """The first signings row whose fact (period, dimension, group) another row states too."""
    header, rows = read_rows(DATA / "signings.csv")
    fact = [tuple(r[header.index(c)] for c in ("first_year", "last_year", "dimension", "group_zh")) for r in rows]
    return next(i for i, f in enumerate(fact, start=2) if fact.count(f) > 1)


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("dimension", "", "cell is empty but required"),
        ("projects_qualifier", "12", "expected one of: exact"),
        ("investment_qualifier", "12", "expected one of: exact"),
    ],
)
def test_a_cell_the_schema_refuses_in_a_restated_fact_is_reported_not_a_crash(data_copy, column, value, message):
    """A row the schema refuses is reported once, with its file, line and column; the rules and the sources'
    reconciliation (which compare restated facts) never read it, so they cannot crash on its value."""
    line = _restated_line()
    set_cell(data_copy / "signings.csv", line, column, value)
    probs = problems_of(data_copy)
    assert any(p.startswith(f"signings.csv:{line}: column '{column}': {message}") for p in probs), probs


# --------------------------------------------------------------------------------------------- figures that should add up
# The claims ledger reads the rows of the tables as plain values (not a Series per row, nor a selection per period and
# scheme): each kind of failing claim is named here with its whole message, the figures taken from the CSV files.


def _cells(path, **match) -> dict[str, str]:
    """The row of ``path`` whose cells match, as {column: text}."""
    header, rows = read_rows(path)
    return dict(zip(header, rows[find_line(path, **match) - 2], strict=True))


def _rows_where(path, **match) -> list[dict[str, str]]:
    header, rows = read_rows(path)
    found = [dict(zip(header, r, strict=True)) for r in rows]
    return [r for r in found if all(r[k] == v for k, v in match.items())]


def test_a_breakdown_and_a_stated_claim_that_no_longer_add_up(data_copy):
    """One more industry project in 2022: the category groups no longer sum to the total, and the claim of 28
    industry projects no longer holds; each is named on its own row (the total's, the claim's), nothing else."""
    sig, claims_csv, tax = data_copy / "signings.csv", data_copy / "claims.csv", data_copy / "taxonomy.csv"
    row = _cells(sig, first_year="2022", dimension="category", group_zh="产业类")
    line = find_line(sig, first_year="2022", dimension="category", group_zh="产业类")
    n = int(row["projects"]) + 1
    set_cell(sig, line, "projects", str(n))
    set_cell(sig, line, "evidence", row["evidence"].replace(row["projects"], str(n)))
    total = _cells(sig, first_year="2022", last_year="2022", dimension="total")
    groups = _rows_where(sig, first_year="2022", last_year="2022", dimension="category")
    computed = sum(int(r["projects"]) for r in groups)
    claim = _cells(claims_csv, claim_id="industry_28")
    label = _cells(tax, dimension="category")["dimension_en"]
    assert problems_of(data_copy) == [
        f"signings.csv:{find_line(sig, first_year='2022', last_year='2022', dimension='total')}: column 'projects': "
        f"2022: the {label} groups' projects add up to the total of {total['projects']}: "
        f"stated exact {total['projects']}, but the data give {computed}",
        f"claims.csv:{find_line(claims_csv, claim_id='industry_28')}: column 'stated': {claim['text_en']}: "
        f"stated exact {claim['stated']}, but the data give {n}",
    ]


def test_stated_amounts_of_a_breakdown_above_its_total(data_copy):
    """The groups that state an amount may not add up to more than the total (the others carry the rest)."""
    sig = data_copy / "signings.csv"
    line = find_line(sig, first_year="2022", dimension="category", group_zh="基础设施类")
    row = _cells(sig, first_year="2022", dimension="category", group_zh="基础设施类")
    set_cell(sig, line, "investment_100m_yuan", "200")
    set_cell(sig, line, "evidence", row["evidence"].replace(row["investment_100m_yuan"], "200"))
    total = _cells(sig, first_year="2022", last_year="2022", dimension="total")
    groups = _rows_where(sig, first_year="2022", last_year="2022", dimension="category")
    stated = [float(r["investment_100m_yuan"]) for r in groups if r["investment_100m_yuan"]]
    assert problems_of(data_copy) == [
        f"signings.csv:{find_line(sig, first_year='2022', last_year='2022', dimension='total')}: "
        "column 'investment_100m_yuan': 2022: the category groups that state an amount add up to no more than "
        f"the total; the other {len(groups) - len(stated)} group(s) carry the rest: "
        f"stated approx {total['investment_100m_yuan']}, but the data give {sum(stated):.4g}"
    ]


def test_a_total_minus_groups_claim_that_does_not_hold(data_copy):
    f = data_copy / "claims.csv"
    line = find_line(f, claim_id="joint_items_3")
    claim = _cells(f, claim_id="joint_items_3")
    set_cell(f, line, "stated", "4")
    set_cell(f, line, "evidence", claim["evidence"].replace("3", "4"))
    sig = data_copy / "signings.csv"
    total = int(_cells(sig, first_year="2022", last_year="2022", dimension="total")["projects"])
    counties = _rows_where(sig, first_year="2022", last_year="2022", dimension="place")
    named = sum(int(r["projects"]) for r in counties if r["group_zh"] in claim["groups_zh"].split("|"))
    assert problems_of(data_copy) == [
        f"claims.csv:{line}: column 'stated': {claim['text_en']}: stated exact 4, but the data give {total - named}"
    ]


def test_a_claim_naming_a_group_the_data_do_not_have_cannot_be_checked(data_copy):
    f = data_copy / "claims.csv"
    line = find_line(f, claim_id="infra_public_8")
    set_cell(f, line, "groups_zh", "基础设施类|文旅类")
    assert problems_of(data_copy) == [
        f"claims.csv:{line}: column 'groups_zh': group '文旅类' (category) is not in taxonomy.csv",
        f"claims.csv:{line}: column 'stated': claim 'infra_public_8' cannot be checked: "
        "the groups or totals it refers to are missing",
    ]


def test_a_landing_rate_the_counts_contradict(data_copy):
    f = data_copy / "landing.csv"
    line = find_line(f, source_id="bjd2022")
    row = _cells(f, source_id="bjd2022")
    landed = int(row["landed"]) - 7
    set_cell(f, line, "landed", str(landed))
    set_cell(f, line, "evidence", row["evidence"].replace(row["landed"], str(landed)))
    found = [p for p in problems_of(data_copy) if p.startswith(f"landing.csv:{line}: column 'stated_rate_pct'")]
    signed = int(row["signed"])
    assert len(found) == 1 and found[0].endswith(
        f": {landed} of {signed} landed, a rate the source gives as nearly {row['stated_rate_pct']}%: "
        f"stated nearly {row['stated_rate_pct']}%, but the data give {100 * landed / signed:.4g}%"
    )


def test_a_value_and_its_qualifier_are_given_together(data_copy):
    """A count without its hedge, and a hedge without an amount: each named once, by the rule; the breakdown
    whose hedges no longer pair with its figures is not judged (the problem above says why)."""
    f = data_copy / "signings.csv"
    count_line = find_line(f, first_year="2022", dimension="place", group_zh="三河市")
    hedge_line = find_line(f, first_year="2022", dimension="category", group_zh="营商环境类")
    set_cell(f, count_line, "projects_qualifier", "")
    set_cell(f, hedge_line, "investment_qualifier", "exact")
    assert problems_of(data_copy) == [
        f"signings.csv:{count_line}: column 'projects_qualifier': projects is given, so its qualifier is required "
        "(exact when the source has no hedge)",
        f"signings.csv:{hedge_line}: column 'investment_qualifier': qualifier without a value in "
        "investment_100m_yuan; leave both empty when the source does not state it",
    ]


def test_an_optional_table_with_a_header_only_is_read_as_empty(data_copy):
    """landing.csv may hold no statement yet: its frame has the declared columns and types and no row."""
    header, _ = read_rows(data_copy / "landing.csv")
    (data_copy / "landing.csv").write_text(",".join(header) + "\n", encoding="utf-8")
    ds = load(data_copy)
    frame = ds["landing"]
    assert frame.empty and list(frame.columns) == header and frame.index.name == "line"
    kinds = {"str": "string", "int": "Int64", "year": "Int64", "float": "Float64"}
    assert [str(t) for t in frame.dtypes] == [kinds[c.kind] for c in TABLES["landing"].columns.values()]
