"""The furniture of a bulletin (issue 21, items 3 and 4), checked on the shared full build (both languages).

Every page (period reports, analyses, indexes; zh and en) carries the release date of its figures and when the
next are expected, CSV files of its charts' and tables' numbers (UTF-8 with BOM; no cell a spreadsheet would run
as a formula), its metrics.json, previous/next links, the same page in the other language and a feedback line;
the index leads with the latest release's title and first main point and a chart of the series, then lists the
reports newest first; every page stays under the weight budget. Expected values are read from ``data/`` with the
csv module (another path than the package's loader), never typed.
"""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.core import locale
from analysis.pipeline.build import Site, lang_folders, languages, plan
from analysis.pipeline.cli import main
from analysis.present import downloads, page

from .browser import find_chromium, furniture_problems, pages
from .conftest import DATA, ROOT

#: each language's folder in the shared build (both languages: zh at the top, en in en/)
LANG_DIRS = lang_folders(locale.LANGS)
#: a page's weight budget (bytes of the HTML file, images inline)
BUDGET = 1_500_000
BOM = b"\xef\xbb\xbf"


# --------------------------------------------------------------------------------------------- the data, read apart


def _rows(name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO((DATA / name).read_text(encoding="utf-8-sig"))))


def _date(r: dict) -> tuple[int, int, int]:
    return tuple(int(r[k]) if r[k] else 0 for k in ("date_year", "date_month", "date_day"))


SOURCES = {r["source_id"]: r for r in _rows("sources.csv")}
TOTALS = [r for r in _rows("signings.csv") if r["dimension"] == "total"]
CONFERENCES = _rows("conferences.csv")
LAST_CONFERENCE = max(int(r["year"]) for r in CONFERENCES)
MONTHS = sorted({int(r["month"]) for r in CONFERENCES if r["month"]})
KNOWN_MONTH_YEARS = sorted({int(r["year"]) for r in CONFERENCES if r["month"]})
CONFERENCE_YEARS = sorted({int(r["year"]) for r in CONFERENCES})


def _first_published(year: int) -> tuple[int, int, int]:
    """The date a year's own figures first came out: the earliest article stating a total that ends in it."""
    return min(_date(SOURCES[r["source_id"]]) for r in TOTALS if int(r["last_year"]) == year)


#: the period reports, by their last year, and the date of their release
RELEASES = {
    y: _first_published(y)
    for y in sorted({int(r["last_year"]) for r in TOTALS if int(r["first_year"]) == int(r["last_year"])})
}
LATEST_ARTICLE = max(_date(r) for r in SOURCES.values())
#: the analysis notebooks (every notebook but the period report's)
N_ANALYSES = len([p for p in (ROOT / "notebooks").glob("*.ipynb") if "period-report" not in p.name])


# --------------------------------------------------------------------------------------------- pages, parsed


class Parsed(HTMLParser):
    """Links (with their class), the text of the furniture lines, the main points and the page's language."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.links: list[dict] = []
        self.lang = ""
        self.lines: dict[str, str] = {}
        self._open: list[tuple[str, str]] = []
        self.h1 = ""
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class") or ""
        if tag == "html":
            self.lang = a.get("lang", "")
        if tag == "a":
            self.links.append({"href": a.get("href", ""), "cls": cls, "text": ""})
        if tag in ("br", "img", "meta"):
            return
        self._open.append((tag, cls))

    def handle_endtag(self, tag):
        while self._open:
            t, _ = self._open.pop()
            if t == tag:
                break

    def _inside(self, tag=None, cls=None) -> bool:
        return any((tag is None or t == tag) and (cls is None or cls in c.split()) for t, c in self._open)

    def handle_data(self, data):
        for key in ("release-date", "next-release", "feedback", "latest-point"):
            if self._inside(cls=key):
                self.lines[key] = self.lines.get(key, "") + data
        if self._open and self._open[-1][0] == "a" and self.links:
            self.links[-1]["text"] += data
        if self._inside("h1"):
            self.h1 += data


def _parse(path: Path) -> Parsed:
    return Parsed(path.read_text(encoding="utf-8"))


def _target(path: Path, href: str) -> Path:
    return (path.parent / unquote(href)).resolve()


@pytest.fixture(scope="module")
def tree(built_reports) -> Path:
    return built_reports


@pytest.fixture(scope="module")
def every_page(tree) -> dict[str, Path]:
    return dict(pages(tree))


def _lang_of(name: str) -> str:
    """The language of a page by its name in the tree (``en/2023`` → en)."""
    head = name.split("/", 1)[0] if "/" in name else ""
    return next(code for code, folder in LANG_DIRS.items() if folder == head)


def _key(name: str) -> str:
    return name.rsplit("/", 1)[-1]


# --------------------------------------------------------------------------------------------- every page


def test_both_languages_are_built_by_default(tree, every_page):
    assert languages() == locale.LANGS
    for code in locale.LANGS:
        assert (tree / LANG_DIRS[code] / "index.html").is_file()
    zh = {_key(n) for n in every_page if _lang_of(n) == "zh"}
    en = {_key(n) for n in every_page if _lang_of(n) == "en"}
    assert zh == en and len(zh) == 1 + N_ANALYSES + len(RELEASES)  # the index, the analyses, the reports


def test_every_page_states_the_release_date_of_its_figures_and_the_next(every_page):
    for name, path in every_page.items():
        loc = locale.of(_lang_of(name))
        pg = _parse(path)
        key = _key(name)
        if key.isdigit():  # a period report: its release, and the next one when it has come out
            released = RELEASES[int(key)]
            later = [d for y, d in RELEASES.items() if y > int(key)]
        else:  # an analysis or the index: every article
            released, later = LATEST_ARTICLE, []
        assert loc.date(released) in pg.lines["release-date"], name
        nxt = pg.lines["next-release"]
        if later:
            assert loc.date(min(later)) in nxt, name
        else:  # an expectation, worded with the months past conferences were held in, never a date
            assert str(LAST_CONFERENCE + 1) in nxt, name
            for m in (MONTHS[0], MONTHS[-1]):
                assert locale.month_name(m, loc.lang) in nxt, name
            if KNOWN_MONTH_YEARS != CONFERENCE_YEARS:  # the window is only that of the conferences with a month
                assert loc.word("cli_list_sep").join(str(y) for y in KNOWN_MONTH_YEARS) in nxt, name
            assert not re.search(r"\d+月\d+日|\d+ [A-Z][a-z]+ \d{4}", nxt), name


def test_every_page_links_its_data_and_the_links_resolve(every_page):
    for name, path in every_page.items():
        pg = _parse(path)
        csvs = [a for a in pg.links if "csv" in a["cls"].split()]
        assert csvs, f"{name} links no CSV"
        for a in csvs:
            data = _target(path, a["href"]).read_bytes()
            assert data.startswith(BOM), (name, a["href"])
            header = next(csv.reader(io.StringIO(data[3:].decode("utf-8"))))
            assert header and all(header), (name, a["href"])
        metrics = [a for a in pg.links if "metrics" in a["cls"].split()]
        assert len(metrics) == 1, name
        m = json.loads(_target(path, metrics[0]["href"]).read_text(encoding="utf-8"))
        key = _key(name)
        assert m["through_year"] == (int(key) if key.isdigit() else LAST_CONFERENCE), name


def test_the_csv_files_are_the_builds_own(tree):
    """Every CSV is listed, with its digest, in the build's marker: the build owns it (and rebuilds it if lost)."""
    marker = json.loads((tree / ".build.json").read_text(encoding="utf-8"))
    found = sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*.csv"))
    assert found and all(f in marker["files"] for f in found)
    assert "signings.csv" in found and "en/signings.csv" in found


def test_every_chart_and_table_has_its_csv(every_page):
    for name, path in every_page.items():
        text = path.read_text(encoding="utf-8")
        n_shown = text.count('<figure class="chart') + text.count('<div class="table-scroll">')
        assert text.count('<a class="csv"') == n_shown, name


def test_previous_and_next_follow_the_releases_and_resolve(every_page):
    years = sorted(RELEASES)
    for name, path in every_page.items():
        key = _key(name)
        if key == "index":
            continue
        pager = {a["cls"]: a for a in _parse(path).links if a["cls"] in ("prev", "next")}
        for a in pager.values():
            assert _target(path, a["href"]).is_file(), (name, a)
        if key.isdigit():
            i = years.index(int(key))
            want = {"prev": years[i - 1] if i else None, "next": years[i + 1] if i + 1 < len(years) else None}
            for rel, year in want.items():
                if year is None:
                    assert rel not in pager, name
                else:
                    assert pager[rel]["href"] == f"../{year}/report.html", name
        else:
            assert pager, name  # the analyses lead from one to the next


def test_the_language_link_leads_to_the_same_page_in_the_other_language(tree, every_page):
    for name, path in every_page.items():
        langs = [a for a in _parse(path).links if "lang" in a["cls"].split()]
        assert len(langs) == len(locale.LANGS) - 1, name
        own = _lang_of(name)
        for a in langs:
            target = _target(path, a["href"])
            other = next(n for n, p in every_page.items() if p.resolve() == target)
            assert _key(other) == _key(name) and _lang_of(other) != own, (name, other)
            assert _parse(target).lang == locale.of(_lang_of(other)).html_lang
    # the index's own language link, and every card in both languages
    for code in locale.LANGS:
        index = tree / LANG_DIRS[code] / "index.html"
        links = _parse(index).links
        hrefs = [a["href"] for a in links if a["cls"] in ("lang", "lang-card")]
        assert len(hrefs) == 1 + len(RELEASES) + N_ANALYSES and all(_target(index, h).is_file() for h in hrefs)


def test_every_page_names_where_to_report_an_error(every_page):
    for name, path in every_page.items():
        line = _parse(path).lines.get("feedback", "")
        assert locale.word("furn_feedback_default", _lang_of(name)) in line, name


def test_every_page_stays_under_the_weight_budget(tree):
    """Measured on the built tree (images inline): whatever the charts' resolution, each page <= 1.5 MB."""
    weights = {str(p.relative_to(tree)): p.stat().st_size for p in tree.rglob("*.html")}
    assert weights and max(weights.values()) <= BUDGET, sorted(weights.items(), key=lambda kv: -kv[1])[:3]


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium binary (.ci/run installs Debian's chromium)")
def test_the_furniture_works_on_a_phone(every_page, browser_survey):
    """At 390 CSS px in Chromium, from file://: the lines shown, every furniture link on screen and leading to a file
    (a language link to the same page in the other language). (Read from the run's one survey of the shared
    build: ``browser_survey``.)"""
    found = []
    for name, path in every_page.items():
        found += furniture_problems(browser_survey[name, 390]["furniture"], path, 390)
    assert not found, "\n".join(found)


# --------------------------------------------------------------------------------------------- the numbers of the CSVs


def _span(label: str) -> tuple[int, int]:
    years = [int(y) for y in re.findall(r"\d{4}", label)]
    return years[0], years[-1]


def _total(first: int, last: int) -> dict:
    return next(r for r in TOTALS if (int(r["first_year"]), int(r["last_year"])) == (first, last))


def _csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    assert raw.startswith(BOM)
    return pd.read_csv(io.BytesIO(raw[3:]), dtype=str, keep_default_na=False)


@pytest.mark.parametrize("lang", locale.LANGS)
def test_the_csv_numbers_are_the_published_figures(tree, lang):
    """The trends table's and the signings chart's CSVs, the index chart's, against signings.csv."""
    root = tree / LANG_DIRS[lang]
    loc = locale.of(lang)
    for f in (
        root / "1.0-trends" / "figures" / "table-periods.csv",
        root / "1.0-trends" / "figures" / "signings-projects.csv",
        root / "2024" / "figures" / "signings-projects.csv",
        root / "signings.csv",
    ):
        df = _csv(f)
        proj_col = next(c for c in df.columns if c.startswith(loc.word("projects_short")))
        inv_col = next(c for c in df.columns if c.startswith(loc.word("investment")))
        assert len(df) >= 4, f
        for r in df.to_dict("records"):
            want = _total(*_span(r[loc.word("period")]))
            assert float(r[proj_col]) == float(want["projects"]), (f, r)
            assert float(r[inv_col]) == float(want["investment_100m_yuan"]), (f, r)
            assert r[loc.word("hedge")] == loc.hedge_word(want["investment_qualifier"]), (f, r)  # 约 in its column


def test_the_projection_csv_is_the_projection_of_metrics_json(tree):
    """The projection chart's CSV of a report against the same report's metrics.json (written by the kernel)."""
    loc = locale.of("en")
    m = json.loads((tree / "en" / "2023" / "metrics.json").read_text(encoding="utf-8"))
    df = _csv(tree / "en" / "2023" / "figures" / "projection.csv")
    assert len(df) == len(locale.METRIC_LABELS) * len(m["projection"])
    for r in df.to_dict("records"):
        p = next(x for x in m["projection"] if x["year"] == int(r[loc.word("year")]))
        metric = next(k for k, label in locale.METRIC_LABELS.items() if loc.word(label) == r[loc.word("metric")])
        assert float(r[loc.word("median")]) == pytest.approx(p[metric]["median"], abs=1e-6)
        lo = loc.word("furn_low", interval=loc.word("pi80"))
        assert float(r[lo]) == pytest.approx(p[metric]["pi80"][0], abs=1e-6)


# --------------------------------------------------------------------------------------------- the index


@pytest.mark.parametrize("lang", locale.LANGS)
def test_the_index_leads_with_the_latest_release_and_lists_the_reports_newest_first(tree, lang):
    index = tree / LANG_DIRS[lang] / "index.html"
    pg = _parse(index)
    reports = [a["href"] for a in pg.links if re.fullmatch(r"\d{4}/report\.html", a["href"])]
    order = list(dict.fromkeys(reports))
    assert order == [f"{y}/report.html" for y in sorted(RELEASES, reverse=True)]
    latest = index.parent / order[0]
    report = _parse(latest)
    text = index.read_text(encoding="utf-8")
    assert f'<h3 class="latest-title"><a href="{order[0]}">{report.h1}</a></h3>' in text
    # the first main point, as the report's page shows it (the same rendering, read from its notebook)
    nb = nbformat.read(latest.with_suffix(".ipynb"), as_version=4)
    first = page.first_point(page.split_outputs(nb)["main_points"])
    assert first and f'<p class="latest-point">{first}</p>' in text
    assert pg.lines["latest-point"].strip()
    assert re.search(r'class="chart series"[^>]*><img src="data:image/png;base64,', text)
    # each card links the report in every language built
    other = next(c for c in locale.LANGS if c != lang)
    for y in RELEASES:
        href = f"{'../' if LANG_DIRS[lang] else ''}{LANG_DIRS[other] + '/' if LANG_DIRS[other] else ''}{y}/report.html"
        assert any(a["href"] == href for a in pg.links), (lang, y)


# --------------------------------------------------------------------------------------------- units: CSV cells


@given(st.sampled_from(["", " ", "\n"]), st.sampled_from("=+-@\t"), st.text())
def test_a_text_cell_is_never_read_as_a_formula(space, start, rest):
    cell = downloads.csv_cell(space + start + rest)
    assert not cell.startswith(("=", "+", "-", "@")) or re.fullmatch(r"-?\d+(\.\d+)?%?", cell)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9))
def test_a_number_stays_a_number(x):
    assert float(downloads.csv_cell(x)) == pytest.approx(round(x, downloads.ROUND), abs=1e-9)


def test_table_csvs_keep_data_text_as_text_and_guard_formulas():
    """A cell from the data holding markup or a formula: as written in the CSV, formulas disarmed."""
    hostile = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2+3", "<script>alert(1)</script>", "约"]
    frame = pd.DataFrame({"名称": hostile, "项目": ["1,080", "−5.0", "+35%", "—", "12", "0.5"]})
    html = frame.style.set_uuid("h").hide(axis="index").format(escape="html").to_html()  # as tables.py escapes
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("t", outputs=[nbformat.v4.new_output("display_data", {"text/html": html})])]
    )
    files = page.table_files(nb, "zh")
    assert list(files) == ["figures/table-h.csv"]
    rows = list(csv.reader(io.StringIO(files["figures/table-h.csv"].decode("utf-8-sig"))))
    assert rows[0] == ["名称", "项目"]
    assert [r[0] for r in rows[1:]] == ["'" + h for h in hostile[:4]] + hostile[4:]
    assert [r[1] for r in rows[1:]] == ["1080", "-5.0", "35%", "", "12", "0.5"]


def test_the_page_links_each_table_to_its_csv_under_it():
    html = pd.DataFrame({"a": [1]}).style.set_uuid("x").to_html()
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("t", outputs=[nbformat.v4.new_output("display_data", {"text/html": html})])]
    )
    from analysis import compute, load

    text = page.report_page(nb, compute(load(), 2023, projection=False), "en", "T")
    assert '</div><p class="csv"><a class="csv" href="figures/table-x.csv">' in text


# --------------------------------------------------------------------------------------------- units: links and feedback


def test_a_single_language_build_links_no_other_language(tmp_path):
    from analysis import load

    ds = load(DATA)
    jobs = plan(ds, out_dir=tmp_path / "r", lang="en")  # one language: at the top, as the first of two would be
    assert {j.folder for j in jobs} == {""} and "2023" in {j.name for j in jobs}
    site = Site(ds, jobs)
    nav = site.nav(next(j for j in jobs if j.key == "2023"))
    assert nav["langs"] == [] and nav["metrics"] == "metrics.json"
    both = plan(ds, out_dir=tmp_path / "r")
    nav = Site(ds, both).nav(next(j for j in both if j.name == "en/2023"))
    assert nav["langs"] == [{"lang": "zh", "href": "../../2023/report.html"}]
    assert nav["prev"]["href"] == "../2022/report.html" and nav["next"]["href"] == "../2024/report.html"


def test_the_feedback_address_is_configurable_and_only_an_address(tmp_path, capsys):
    from analysis import compute, load

    res = compute(load(), 2023, projection=False)
    f = page.furniture(res, "zh", {"feedback": "https://example.org/tracker"})
    assert f["feedback_href"] == "https://example.org/tracker" and f["feedback_where"] == "https://example.org/tracker"
    f = page.furniture(res, "en", {"feedback": "errors@example.org"})
    assert f["feedback_href"] == "mailto:errors@example.org"
    assert main(["build", "--out", str(tmp_path / "r"), "--feedback", "javascript:alert(1)"]) == 2
    assert "--feedback" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
