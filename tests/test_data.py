"""The data in data/: it loads, it is complete with respect to the article, and `check` catches bad copies."""

from __future__ import annotations

import hashlib
import re

import pandas as pd
import pytest

from analysis.cli import main
from analysis.data import load
from analysis.schema import TABLES

from .conftest import DATA, SOURCE_TEXT, append_row, find_line, problems_of, read_rows, set_cell, write_rows


def test_real_data_passes():
    assert problems_of(DATA) == []


def test_check_cli_clean(capsys):
    assert main(["check", "--data", str(DATA)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "OK" in out[0]


def _numbers_in_data(ds) -> set[float]:
    nums: set[float] = set()
    for frame in ds.tables.values():
        for col in frame.columns:
            if str(frame[col].dtype) in ("Int64", "Float64"):
                nums.update(float(v) for v in frame[col].dropna())
    # the landing rate is stored as a percentage; Chinese numerals are stored as digits
    return nums


CHINESE_NUMERALS = {"一": 1, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}


def test_every_number_of_the_article_is_in_data():
    """Arabic numbers and counted Chinese numerals (四年, 三地, 六大...) of the article all appear in data/."""
    ds = load(DATA)
    text = SOURCE_TEXT.read_text(encoding="utf-8")
    have = _numbers_in_data(ds)
    missing = []
    for m in re.finditer(r"\d+(?:\.\d+)?", text):
        if float(m.group()) not in have:
            missing.append(text[max(0, m.start() - 8) : m.end() + 8])
    for m in re.finditer(r"([一两三四五六])(年|地|大|县市)", text):
        if m.group(1) == "一" and m.group(2) == "大":  # 一大 not a count here
            continue
        if CHINESE_NUMERALS[m.group(1)] not in have:
            missing.append(text[max(0, m.start() - 8) : m.end() + 8])
    # "N个产业创新平台": N is not a number; it is recorded as missing (NA)
    assert missing == []


def test_unknown_is_missing_not_zero():
    ds = load(DATA)
    sig = ds["signings"]
    unstated = sig[sig["group_zh"].isin(["营商环境类", "公共服务类", "京津冀及北三县共同签约事项"])]
    assert unstated["investment_100m_yuan"].isna().all()
    assert unstated["investment_qualifier"].isna().all()
    assert ds["details"].set_index("fact_id").loc["platform_industrial", "value"] is pd.NA
    # the 2019–2021 investment is not typed in: it is derived by the library
    total_2019_2021 = sig[(sig["first_year"] == 2019) & (sig["last_year"] == 2021)]
    assert total_2019_2021["investment_100m_yuan"].isna().all()


def test_hedges_are_kept():
    ds = load(DATA)
    sig = ds["signings"].set_index("evidence")
    assert sig.loc["37个合作项目签约,意向投资额约280.66亿元", "investment_qualifier"] == "approx"
    assert sig.loc["三河市项目11个,意向投资额201.65亿元", "investment_qualifier"] == "exact"
    assert ds["landing"].iloc[0]["rate_qualifier"] == "nearly"


def test_every_fact_row_has_provenance():
    ds = load(DATA)
    text = SOURCE_TEXT.read_text(encoding="utf-8")
    for name, frame in ds.tables.items():
        if "evidence" not in frame:
            continue
        assert frame["source_id"].notna().all(), name
        for ev in frame["evidence"]:
            assert ev in text
            assert len(ev) <= 40, f"evidence should be a fragment, not a sentence: {ev}"


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


def test_negative_amount(data_copy):
    f = data_copy / "signings.csv"
    line = find_line(f, group_zh="大厂县")
    set_cell(f, line, "investment_100m_yuan", "-34.22")
    probs = problems_of(data_copy)
    assert any(p.startswith(f"signings.csv:{line}: column 'investment_100m_yuan': must be >= 0") for p in probs), probs


def test_duplicate_key(data_copy):
    f = data_copy / "taxonomy.csv"
    header, rows = read_rows(f)
    write_rows(f, header, rows + [rows[0]])
    probs = problems_of(data_copy)
    assert any(p.startswith(f"taxonomy.csv:{len(rows) + 2}:") and "duplicate key (dimension, group_zh)" in p for p in probs), probs


def test_unknown_source(data_copy):
    f = data_copy / "landing.csv"
    set_cell(f, 2, "source_id", "nosuch")
    assert "landing.csv:2: column 'source_id': unknown source 'nosuch'; add it to sources.csv first" in problems_of(data_copy)


def test_breakdown_no_longer_sums(data_copy):
    f = data_copy / "signings.csv"
    set_cell(f, find_line(f, group_zh="香河县"), "projects", "14")
    total = find_line(f, dimension="total", first_year="2022")
    probs = problems_of(data_copy)
    assert any(
        p.startswith(f"signings.csv:{total}: column 'projects': 2022: the place groups' projects add up to the total of 37")
        and "but the data give 38" in p
        for p in probs
    ), probs


def test_unmapped_group_names_file_line_and_table(data_copy):
    f = data_copy / "signings.csv"
    line = find_line(f, group_zh="公共服务类")
    set_cell(f, line, "group_zh", "社会事业类")
    probs = problems_of(data_copy)
    assert any(
        p.startswith(f"signings.csv:{line}: column 'group_zh': group '社会事业类' (category) is not in taxonomy.csv") for p in probs
    ), probs


def test_landed_above_signed(data_copy):
    set_cell(data_copy / "landing.csv", 2, "landed", "125")
    assert "landing.csv:2: column 'landed': landed (125) is more than signed (124)" in problems_of(data_copy)


def test_stated_rate_must_agree(data_copy):
    set_cell(data_copy / "landing.csv", 2, "landed", "110")  # 88.7 % is not "nearly 80 %"
    probs = problems_of(data_copy)
    assert any(p.startswith("landing.csv:2: column 'stated_rate_pct':") and "nearly 80%" in p and "88.71%" in p for p in probs), probs


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
    assert f"signings.csv:{line}: column 'investment_100m_yuan': 286.6 does not appear in the evidence " \
           "'37个合作项目签约,意向投资额约280.66亿元'; quote the fragment that states it" in probs, probs


@pytest.mark.parametrize(
    "x, text, found",
    [(4, "达产后年产值将达4亿元", True), (4, "签约项目40个", False), (4, "4.5亿元", False), (4, "连续四年举办", True),
     (1080, "累计1,080亿元", True), (280.66, "约280.66亿元", True), (280.6, "约280.66亿元", False), (12, "十二个", True),
     (310.5, "45个项目,310.5亿元", True), (80, "1,080亿元", False)],
)
def test_number_in_text(x, text, found):
    from analysis.schema import number_in_text

    assert number_in_text(x, text) is found


def test_number_in_text_trailing_zeros():
    from analysis.schema import number_in_text

    assert number_in_text(100.0, "100.0亿元") and number_in_text(280.6, "280.60亿元") and not number_in_text(100, "100.5")
