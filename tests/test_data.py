"""The data in data/: it loads, it is complete with respect to the article, and `check` catches bad copies."""

from __future__ import annotations

import hashlib
import re

import pandas as pd
import pytest

from analysis import load
from analysis.data.schema import TABLES
from analysis.pipeline.cli import main

from .conftest import DATA, find_line, problems_of, read_rows, set_cell, write_rows
from .test_metrics import (
    CATEGORY_2023,
    CUM23_INV,
    CUM23_PROJECTS,
    CUM24_INV,
    CUM24_PROJECTS,
    CUM_INV,
    CUM_PROJECTS,
    INV19_20,
    INV21,
    INV23,
    INV24,
    INV_2022,
    LANDED_19_21,
    P19_20,
    P21,
    P23,
    P24,
    RATE_19_20,
    RATE_19_22,
    SIGNED_19_21,
    TOTAL_2022,
)


def test_real_data_passes():
    assert problems_of(DATA) == []


def test_check_cli_clean(capsys):
    assert main(["check", "--data", str(DATA)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "OK" in out[0]


# Every figure of the articles (the constants of tests/test_metrics.py, typed from the articles, not from
# data/), with the hedges the articles write: (projects, qualifier, 亿元, qualifier) per total. Where two
# articles state one figure, the statement data/ keeps is the tighter one.
TOTALS = {
    (2019, 2020): (P19_20, "exact", INV19_20, "exact"),  # 中国新闻网 2021: 过去两年…85个项目,涉及资金552亿元
    (2021, 2021): (P21, "exact", INV21, "approx"),  # 再签约39个项目,意向投资额约247亿元
    (2022, 2022): (TOTAL_2022, "exact", INV_2022, "approx"),  # 北京日报 2022
    (2019, 2022): (CUM_PROJECTS, "exact", CUM_INV, "exact"),
    (2019, 2021): (SIGNED_19_21, "exact", None, None),
    (2023, 2023): (P23, "exact", INV23, "approx"),  # 新京报 2023
    (2019, 2023): (CUM23_PROJECTS, "more_than", CUM23_INV, "over"),  # 210余个, 超1500亿元 (and the 2023 release)
    (2024, 2024): (P24, "exact", INV24, "exact"),  # 北京青年报 2024: 331.02亿元 (the repost's 约331.02 is looser)
    (2019, 2024): (CUM24_PROJECTS, "more_than", CUM24_INV, "over"),  # 累计290余个, 超1800亿元
}
LANDING = {  # cohort -> (source, signed, landed, stated %, qualifier)
    (2019, 2020): ("cn2021", None, None, RATE_19_20, "over"),  # 目前超过九成的项目已经落地
    (2019, 2021): ("bjd2022", SIGNED_19_21, LANDED_19_21, 80, "nearly"),  # 近80%
    (2019, 2022): ("release2023", None, None, RATE_19_22, "exact"),  # the 2023 release: 落地率已達85%
}


def test_every_total_of_the_articles_is_in_data():
    sig = load(DATA)["signings"]
    tot = sig[sig["dimension"] == "total"]
    have = {
        (int(r.first_year), int(r.last_year)): (
            int(r.projects),
            r.projects_qualifier,
            None if pd.isna(r.investment_100m_yuan) else float(r.investment_100m_yuan),
            None if pd.isna(r.investment_qualifier) else r.investment_qualifier,
        )
        for r in tot.itertuples()
    }
    assert have == TOTALS


def test_2023_categories_and_landing_statements():
    ds = load(DATA)
    sig = ds["signings"]
    cat = sig[(sig["dimension"] == "category") & (sig["first_year"] == 2023)].set_index("group_zh")
    assert {g: (int(r["projects"]), float(r["investment_100m_yuan"])) for g, r in cat.iterrows()} == CATEGORY_2023
    assert set(cat["investment_qualifier"]) == {"approx"}
    lan = ds["landing"]
    have = {
        (int(r.first_year), int(r.last_year)): (
            r.source_id,
            None if pd.isna(r.signed) else int(r.signed),
            None if pd.isna(r.landed) else int(r.landed),
            int(r.stated_rate_pct),
            r.rate_qualifier,
        )
        for r in lan.itertuples()
    }
    assert have == LANDING


def test_the_2021_article_says_funds_not_intended_investment():
    sig = load(DATA)["signings"]
    row = sig[(sig["first_year"] == 2019) & (sig["last_year"] == 2020)].iloc[0]
    assert row["investment_term_zh"] == "资金" and "涉及资金552亿元" in row["evidence"]
    assert set(sig.loc[sig["source_id"] != "cn2021", "investment_term_zh"].dropna()) == {"意向投资额"}


def test_no_article_copies_and_no_outside_paths():
    """The repository keeps facts, not articles, and refers to nothing outside itself."""
    root = DATA.parent
    assert not (DATA / "sources").exists()
    assert "file" not in read_rows(DATA / "sources.csv")[0]
    offenders = []
    for path in [
        *root.glob("analysis/*.py"),
        *root.glob("tests/*.py"),
        *root.glob("notebooks/*.ipynb"),
        *root.glob("benchmarks/*"),
        root / "Makefile",
        root / "README.md",
        *root.glob(".ci/*"),
    ]:
        if path.is_file() and re.search(r"\.\./shared|NOTEBOOKS\.md|STYLE\.md", path.read_text(encoding="utf-8")):
            offenders.append(path.name)
    assert offenders == []


def test_unknown_is_missing_not_zero():
    ds = load(DATA)
    sig = ds["signings"]
    unstated = sig[sig["group_zh"].isin(["营商环境类", "公共服务类", "京津冀及北三县共同签约事项"])]
    assert unstated["investment_100m_yuan"].isna().all()
    assert unstated["investment_qualifier"].isna().all()
    assert ds["details"].set_index("fact_id").loc["platform_industrial", "value"] is pd.NA
    # the 2019–2021 investment is not typed in, and the rate-only landing rows have no counts
    total_2019_2021 = sig[(sig["first_year"] == 2019) & (sig["last_year"] == 2021)]
    assert total_2019_2021["investment_100m_yuan"].isna().all()
    assert ds["landing"]["signed"].isna().sum() == 2 and ds["landing"]["landed"].isna().sum() == 2


def test_hedges_are_kept():
    ds = load(DATA)
    sig = ds["signings"].set_index("evidence")
    assert sig.loc["37个合作项目签约,意向投资额约280.66亿元", "investment_qualifier"] == "approx"
    assert sig.loc["三河市项目11个,意向投资额201.65亿元", "investment_qualifier"] == "exact"
    assert sig.loc[
        "累计签约项目210余个,意向投资额超1500亿元", ["projects_qualifier", "investment_qualifier"]
    ].tolist() == ["more_than", "over"]


def test_check_sources_verifies_fragments_against_local_texts(tmp_path, data_copy, capsys):
    """`check --sources DIR` compares fragments with local copies; a missing copy is a note, a wrong fragment an error."""
    from .conftest import FIXTURES, apply_fixture

    apply_fixture(data_copy, "new_names_2025")
    texts = FIXTURES / "source_texts"
    assert main(["check", "--data", str(data_copy), "--sources", str(texts)]) == 0
    out, err = capsys.readouterr()
    assert "evidence found verbatim in 1 local source text(s)" in out
    assert "note: bjd2022: no local copy" in err
    f = data_copy / "signings.csv"
    line = find_line(f, group_zh="大厂县", first_year="2025")
    set_cell(f, line, "evidence", "大厂县项目12个,意向投资额约70亿元")  # 约 is not in the text
    assert main(["check", "--data", str(data_copy), "--sources", str(texts)]) == 1
    err = capsys.readouterr().err
    assert (
        f"signings.csv:{line}: column 'evidence': evidence '大厂县项目12个,意向投资额约70亿元' is not found verbatim"
        in err
    )


def test_evidence_longer_than_a_clause_is_refused(data_copy):
    f = data_copy / "landing.csv"
    set_cell(
        f,
        3,
        "evidence",
        "签约的124个项目中有97个落地,项目落地率近80%,特别是一批项目实现了当年签约、当年落地、当年建成投产",
    )
    probs = problems_of(data_copy)
    assert any(
        p.startswith("landing.csv:3: column 'evidence': evidence is") and "quote one clause" in p for p in probs
    ), probs


def test_a_rate_in_tenths_is_found_in_its_evidence(data_copy):
    f = data_copy / "landing.csv"
    set_cell(f, 2, "stated_rate_pct", "80")  # 超过九成 says 90, not 80
    probs = problems_of(data_copy)
    assert (
        "landing.csv:2: column 'stated_rate_pct': 80 does not appear in the evidence '目前超过九成的项目已经落地'; quote the fragment that states it"
        in probs
    )


def test_landing_row_needs_a_count_or_a_rate(data_copy):
    f = data_copy / "landing.csv"
    set_cell(f, 2, "stated_rate_pct", "")
    set_cell(f, 2, "rate_qualifier", "")
    assert "landing.csv:2: column 'landed': give the landed count, the stated rate, or both" in problems_of(data_copy)


def test_taxonomy_note_needs_both_languages(data_copy):
    f = data_copy / "taxonomy.csv"
    line = find_line(f, group_zh="交通项目")
    set_cell(f, line, "note_zh", "")
    probs = problems_of(data_copy)
    assert (
        f"taxonomy.csv:{line}: column 'note_zh': give the note in both languages (note and note_zh) or in neither"
        in probs
    ), probs


def test_unknown_scheme_names_taxonomy(data_copy):
    f = data_copy / "signings.csv"
    line = find_line(f, group_zh="产业项目")
    set_cell(f, line, "dimension", "sector")  # no taxonomy row has this scheme
    probs = problems_of(data_copy)
    assert any(
        p.startswith(
            f"signings.csv:{line}: column 'dimension': dimension 'sector' is neither 'total' nor a classification scheme"
        )
        for p in probs
    ), probs


# ----------------------------------------------------------------------------- bad copies


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_missing_file(data_copy):
    (data_copy / "landing.csv").unlink()
    assert any("landing.csv: file is missing" in p for p in problems_of(data_copy))


def test_empty_file(data_copy):
    (data_copy / "claims.csv").write_text("", encoding="utf-8")
    assert "claims.csv: file is empty: expected a header line and rows" in problems_of(data_copy)


def test_missing_column(data_copy):
    header, rows = read_rows(data_copy / "landing.csv")
    i = header.index("landed")
    write_rows(data_copy / "landing.csv", header[:i] + header[i + 1 :], [r[:i] + r[i + 1 :] for r in rows])
    assert any(p.startswith("landing.csv:1: column 'landed': column is missing") for p in problems_of(data_copy))


def test_non_numeric_amount(data_copy):
    f = data_copy / "signings.csv"
    line = find_line(f, group_zh="产业类")
    set_cell(f, line, "investment_100m_yuan", "about 115")
    assert f"signings.csv:{line}: column 'investment_100m_yuan': 'about 115' is not a number" in problems_of(data_copy)


def test_duplicate_key(data_copy):
    f = data_copy / "taxonomy.csv"
    header, rows = read_rows(f)
    write_rows(f, header, rows + [rows[0]])
    probs = problems_of(data_copy)
    assert any(
        p.startswith(f"taxonomy.csv:{len(rows) + 2}:") and "duplicate key (dimension, group_zh)" in p for p in probs
    ), probs


def test_unknown_source(data_copy):
    f = data_copy / "landing.csv"
    set_cell(f, 3, "source_id", "nosuch")
    assert "landing.csv:3: column 'source_id': unknown source 'nosuch'; add it to sources.csv first" in problems_of(
        data_copy
    )


def test_breakdown_no_longer_sums(data_copy):
    f = data_copy / "signings.csv"
    set_cell(f, find_line(f, group_zh="香河县"), "projects", "14")
    set_cell(f, find_line(f, group_zh="香河县"), "evidence", "香河县项目14个,意向投资额44.79亿元")
    total = find_line(f, dimension="total", first_year="2022")
    probs = problems_of(data_copy)
    assert any(
        p.startswith(
            f"signings.csv:{total}: column 'projects': 2022: the place groups' projects add up to the total of 37"
        )
        and "but the data give 38" in p
        for p in probs
    ), probs


def test_unmapped_group_names_file_line_and_table(data_copy):
    f = data_copy / "signings.csv"
    line = find_line(f, group_zh="公共服务类")
    set_cell(f, line, "group_zh", "社会事业类")
    probs = problems_of(data_copy)
    assert any(
        p.startswith(f"signings.csv:{line}: column 'group_zh': group '社会事业类' (category) is not in taxonomy.csv")
        for p in probs
    ), probs


def test_stated_rate_must_agree(data_copy):
    set_cell(data_copy / "landing.csv", 3, "landed", "110")  # 88.7 % is not "nearly 80 %"
    set_cell(data_copy / "landing.csv", 3, "evidence", "签约的124个项目中有110个落地,项目落地率近80%")
    probs = problems_of(data_copy)
    assert any(
        p.startswith("landing.csv:3: column 'stated_rate_pct':") and "nearly 80%" in p and "88.71%" in p for p in probs
    ), probs


#: whole percents that do not survive x / 100 * 100 in floating point (7, 14, 28, 29, 55–58), each with a count
#: of the 85 projects of 2019–2020 that lies within half a point of it but not on it
_FLOATY = [(p, n) for p in range(1, 100) if p / 100 * 100 != p for n in range(86) if 0 < abs(100 * n / 85 - p) < 0.5]


@pytest.mark.parametrize("pct,landed", _FLOATY)
def test_a_rate_written_in_whole_percent_keeps_its_rounding_tolerance(data_copy, pct, landed):
    set_cell(data_copy / "landing.csv", 2, "landed", str(landed))
    set_cell(data_copy / "landing.csv", 2, "stated_rate_pct", str(pct))
    set_cell(data_copy / "landing.csv", 2, "rate_qualifier", "exact")
    set_cell(data_copy / "landing.csv", 2, "evidence", f"{landed}个项目落地,落地率{pct}%")
    assert problems_of(data_copy) == []


def test_all_problems_reported_at_once(data_copy):
    set_cell(data_copy / "landing.csv", 2, "source_id", "nosuch")
    set_cell(data_copy / "signings.csv", 2, "projects", "x")
    probs = problems_of(data_copy)
    assert any("landing.csv:2" in p for p in probs) and any("signings.csv:2" in p for p in probs)


def test_check_cli_reports_and_exits_1_without_writing(data_copy, capsys):
    set_cell(data_copy / "signings.csv", 2, "projects", "3７")
    before = _digest(data_copy)
    assert main(["check", "--data", str(data_copy)]) == 1
    err = capsys.readouterr().err
    assert "signings.csv:2: column 'projects'" in err and "problem(s)" in err
    assert _digest(data_copy) == before


def test_data_files_are_only_read(tmp_path):
    before = _digest(DATA)
    load(DATA)
    assert _digest(DATA) == before


def _readme_section(title: str) -> list[str]:
    """The table rows (``| `x` | …``) of one ``## title`` section of data/README.md."""
    text = (DATA / "README.md").read_text(encoding="utf-8").split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    return [line for line in text.splitlines() if line.startswith("| `")]


def test_readme_result_columns_are_the_column_table():
    """data/README.md's "Result columns" table says of each column what analysis.core.columns says, row by row."""
    from analysis.core import columns

    assert _readme_section("Result columns") == columns.readme_rows()


def test_column_table_agrees_with_the_schema():
    """A data column the results carry on has the same kind of value in both (a count is an int, an amount a float)."""
    from analysis.core import columns

    types = {
        "count": {"int"},
        "year": {"year", "int"},
        "amount": {"float"},
        "percent": {"float"},
        "id": {"str"},
        "text": {"str"},
        "hedge": {"str"},
        "date": {"int"},
        "figure": {"float"},
    }
    shared = [(t, c, col) for t, table in TABLES.items() for c, col in table.columns.items() if c in columns.COLUMNS]
    assert len(shared) > 10
    for t, c, col in shared:
        kind = columns.COLUMNS[c].kind
        assert col.kind in types.get(kind, set()), f"{t}.{c}: {col.kind} in the schema, {kind} in the column table"


@pytest.mark.parametrize("name", sorted(TABLES))
def test_readme_documents_every_column(name):
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert f"`{name}.csv`" in readme
    for col in TABLES[name].columns:
        assert f"`{col}`" in readme, f"{name}.{col} is not documented in data/README.md"


def test_number_must_be_written_in_its_evidence(data_copy):
    """A typo in a value (280.66 -> 286.6) is caught by its own row, not only by the sums it breaks."""
    f = data_copy / "signings.csv"
    line = find_line(f, first_year="2022", last_year="2022", dimension="total")
    set_cell(f, line, "investment_100m_yuan", "286.6")
    probs = problems_of(data_copy)
    assert (
        f"signings.csv:{line}: column 'investment_100m_yuan': 286.6 does not appear in the evidence "
        "'37个合作项目签约,意向投资额约280.66亿元'; quote the fragment that states it" in probs
    ), probs


@pytest.mark.parametrize(
    "x, text, found",
    [
        (4, "达产后年产值将达4亿元", True),
        (4, "签约项目40个", False),
        (4, "4.5亿元", False),
        (4, "连续四年举办", True),
        (1080, "累计1,080亿元", True),
        (280.66, "约280.66亿元", True),
        (280.6, "约280.66亿元", False),
        (12, "十二个", True),
        (310.5, "45个项目,310.5亿元", True),
        (80, "1,080亿元", False),
    ],
)
def test_number_in_text(x, text, found):
    from analysis.data.rules import number_in_text

    assert number_in_text(x, text) is found


def test_number_in_text_trailing_zeros():
    from analysis.data.rules import number_in_text

    assert (
        number_in_text(100.0, "100.0亿元") and number_in_text(280.6, "280.60亿元") and not number_in_text(100, "100.5")
    )


def test_readme_layout_names_every_module_once():
    """The README's layout section describes each module of analysis/ in one line, and only those."""
    readme = (DATA.parent / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("## ", 1)[0]
    listed = re.findall(r"^\s+(\w+)(?:\.py|/)\s", layout, flags=re.M)
    pkg = DATA.parent / "analysis"
    modules = [p.stem for p in pkg.rglob("*.py") if p.stem != "__init__"] + ["__init__"]
    folders = [p.parent.name for p in pkg.rglob("__init__.py") if p.parent != pkg]
    assert sorted(listed) == sorted(modules + folders)


def test_the_warm_kernel_cache_never_returns_a_changed_dataset(monkeypatch):
    from analysis import api as D

    monkeypatch.setenv(D.CACHE_ENV, "1")
    D._loaded.clear()
    a = D.load(DATA)
    assert D.load(DATA) is a  # unchanged: reused
    a["signings"].loc[a["signings"].index[0], "projects"] = 999  # a notebook edits it in place
    b = D.load(DATA)
    assert b is not a and b["signings"]["projects"].iloc[0] != 999
    assert D.load(DATA) is b
    b["landing"].columns = ["renamed", *b["landing"].columns[1:]]  # a column renamed in place
    c = D.load(DATA)
    assert c is not b and "renamed" not in c["landing"].columns
    D._loaded.clear()


def test_the_rules_read_each_row_as_iterrows_gives_it():
    """The rules and the claims ledger read rows without building a Series each (``iterrows`` was most of
    their time): the same lines and the same cells, of the same types (an empty cell ``pd.NA``, or ``nan`` in a
    row of text only), for every table of data/, its value and qualifier pairs, rows of empty cells, of text
    only, of numbers only, and the frames the ledger reads (the landing statements, the ledger itself)."""
    import math

    from analysis.data.reading import read_frames
    from analysis.data.reading import rows_of as _rows
    from analysis.stats import claims, metrics

    frames = read_frames(DATA, TABLES, [])
    sig = frames["signings"]
    blank = sig.iloc[:1].copy()
    blank.loc[:, :] = pd.NA
    text = sig.iloc[:2].copy()
    text.loc[:, ["first_year", "last_year", "projects", "investment_100m_yuan"]] = pd.NA
    frames |= {
        "blank": blank,
        "text": text,
        "pair": sig[["investment_100m_yuan", "investment_qualifier"]],
        "numbers": sig[["first_year", "projects"]],
        "one": sig[["group_zh"]],
        "object": pd.DataFrame({"a": ["x", None], "b": [None, None]}, index=[2, 3]),
        "landing_rates": metrics.landing_rates(load(DATA)),
        "ledger": claims.ledger(load(DATA)),
    }
    for name, frame in frames.items():
        fast = list(_rows(frame))
        slow = [(line, [row[c] for c in frame.columns]) for line, row in frame.iterrows()]
        assert [line for line, _ in fast] == [line for line, _ in slow], name
        for (_, a), (_, b) in zip(fast, slow, strict=True):
            assert list(a) == list(frame.columns), name
            for x, y in zip(a.values(), b, strict=True):
                same = x is y or (type(x) is type(y) and (x == y or (isinstance(x, float) and math.isnan(x))))
                assert same, (name, x, y)
