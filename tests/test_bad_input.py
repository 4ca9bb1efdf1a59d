"""Bad input tried on purpose (the table in README.md): each is refused precisely or accepted where parseable."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from analysis import outdir
from analysis.cli import main
from analysis.data import load

from .conftest import append_row, find_line, problems_of, read_rows, set_cell


def _digest(folder):
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_truncated_csv(data_copy):
    f = data_copy / "signings.csv"
    text = f.read_text(encoding="utf-8")
    last_row = text.splitlines()[-1]
    f.write_text(text[: text.rindex(last_row) + last_row.index(",exact,")], encoding="utf-8")  # cut inside the last row
    last = len(text.splitlines())
    assert any(p.startswith(f"signings.csv:{last}:") and "expected 11" in p and "truncated" in p for p in problems_of(data_copy))


def test_truncated_inside_quotes(data_copy):
    f = data_copy / "landing.csv"
    text = f.read_text(encoding="utf-8")
    f.write_text(text[: text.index("97个落地,")], encoding="utf-8")
    probs = problems_of(data_copy)
    assert any(p.startswith("landing.csv:") and ("truncated" in p or "unclosed quote" in p) for p in probs), probs


def test_wrong_delimiter(data_copy):
    f = data_copy / "landing.csv"
    f.write_text(f.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    assert "landing.csv:1: header has a single column: the file uses another delimiter; use commas (,)" in problems_of(data_copy)


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
    assert any(p.startswith(f"signings.csv:{line}: column 'investment_100m_yuan': '{value}' {fragment}") for p in problems_of(data_copy))


def test_conference_year_after_today(data_copy):
    year = dt.date.today().year + 1
    line = append_row(data_copy / "conferences.csv", {"year": str(year), "source_id": "bjd2022", "evidence": "连续四年举办"})
    probs = problems_of(data_copy)
    assert f"conferences.csv:{line}: column 'year': year is later than the current year {year - 1}; got {year}" in probs


def test_duplicate_rows(data_copy):
    f = data_copy / "signings.csv"
    header, rows = read_rows(f)
    line = append_row(f, dict(zip(header, rows[4])))
    probs = problems_of(data_copy)
    assert any(p.startswith(f"signings.csv:{line}:") and "duplicate key" in p for p in probs), probs
    assert any(p.startswith("signings.csv:6:") and "duplicate key" in p for p in probs), probs


def test_negative_amount(data_copy):
    f = data_copy / "signings.csv"
    line = find_line(f, group_zh="三河市")
    set_cell(f, line, "investment_100m_yuan", "-201.65")
    assert any(p.startswith(f"signings.csv:{line}: column 'investment_100m_yuan': must be >= 0") for p in problems_of(data_copy))


def test_implausibly_large_amount(data_copy):
    f = data_copy / "signings.csv"
    line = find_line(f, dimension="total", first_year="2022")
    set_cell(f, line, "investment_100m_yuan", "2806600")  # typed in 万元 by mistake
    probs = problems_of(data_copy)
    assert any(p.startswith(f"signings.csv:{line}: column 'investment_100m_yuan': 2.8066e+06 亿元 is implausibly large") for p in probs), probs


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
