"""Data text is text: hostile strings in the CSVs (script tags, event handlers, javascript: links, attribute
breaking, Markdown structure, template syntax, line breaks) reach the pages as text, never as markup.

A SYNTHETIC release (``tests/fixtures/hostile_text_2025``) carries them in every kind of text column that
reaches a page; it passes ``check`` and goes through a real build (the 2025 report and the mix analysis, in
zh and en, warm kernels), and every page is parsed with the standard library's HTML parser. The unit tests
pin each layer: the Markdown escaping of data values in the prose templates, the Markdown renderer of the
pages, the page templates and the table styler.
"""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis import load
from analysis.pipeline.build import build, plan
from analysis.pipeline.cli import main
from analysis.present import page, prose, tables
from analysis.stats.results import compute

from .conftest import DATA, ROOT, apply_fixture

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
MD_LINK = "[click](javascript:alert(1))"
HTML_LINK = '<a href="javascript:alert(1)">x</a>'
ATTR = '" onmouseover="alert(1)'
TEMPLATE = "{{7*7}}"
HOSTILE = [SCRIPT, IMG, MD_LINK, HTML_LINK, ATTR, TEMPLATE, "{% raw %}x{% endraw %}"]
#: elements no page of ours has, which Markdown structure smuggled in by a cell would create
FOREIGN = {"script", "iframe", "object", "embed", "form", "ol", "blockquote", "pre", "code", "h4", "h5", "h6"}
URL = "https://example.com/a_b?c=1&d=2#x"  # the fixture's address: query, fragment and _ survive as they are


class Page(HTMLParser):
    """What a browser would make of a page: elements, attributes, and the text a reader sees."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self._text: list[str] = []
        self._in: list[str] = []
        self.headings: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in.append(tag)

    def handle_endtag(self, tag):
        if tag in self._in:
            del self._in[len(self._in) - 1 - self._in[::-1].index(tag) :]

    def handle_data(self, data):
        if "style" not in self._in:
            self._text.append(data)
        if any(t in ("h1", "h2", "h3", "h4", "h5", "h6") for t in self._in):
            self.headings.append(data)

    @property
    def text(self) -> str:
        return "".join(self._text)


@pytest.fixture(scope="module")
def hostile_data(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("hostile") / "data"
    shutil.copytree(DATA, data)
    return apply_fixture(data, "hostile_text_2025")


@pytest.fixture(scope="module")
def hostile_ds(hostile_data):
    """The hostile data, loaded once for the module (its results are computed once, as in a warm kernel)."""
    return load(hostile_data)


@pytest.fixture(scope="module")
def real_ds():
    """The real data, loaded once for the module."""
    return load(DATA)


@pytest.fixture(scope="module")
def hostile_pages(hostile_data, hostile_ds, tmp_path_factory) -> dict[str, Page]:
    """The 2025 report, the mix analysis (taxonomy names and notes, tables, charts) and the index, built from
    the hostile data (zh, as ``make reports``; the fixture's zh and en columns carry the same payloads, and
    the en renderings are checked below without a kernel): {page path: parsed page}."""
    root = tmp_path_factory.mktemp("hostile-build")
    nb_dir = root / "notebooks"  # only the notebooks whose pages show the fixture's texts
    nb_dir.mkdir()
    for name in ("3.0-mix.ipynb", "5.0-period-report.ipynb"):
        shutil.copy(ROOT / "notebooks" / name, nb_dir)
    ds = hostile_ds
    out = root / "reports"
    jobs = plan(ds, data_dir=hostile_data, out_dir=out, years=[2025], lang="zh", nb_dir=nb_dir)
    assert [j.name for j in jobs] == ["3.0-mix", "2025"]
    build(jobs, ds, n_jobs=1, progress=False, data_dir=hostile_data, tree="tests")  # one warm kernel for both
    pages = {str(p.relative_to(out)): Page(p.read_text(encoding="utf-8")) for p in sorted(out.rglob("*.html"))}
    assert sorted(pages) == ["2025/report.html", "3.0-mix/3.0-mix.html", "index.html"]
    return pages


def test_the_hostile_fixture_passes_check(hostile_data, capsys):
    assert main(["check", "--data", str(hostile_data)]) == 0
    assert "OK" in capsys.readouterr().out


#: the real sources' addresses, as data/sources.csv writes them (linked as written)
REAL_URLS = {
    r["url"] for r in csv.DictReader(io.StringIO((DATA / "sources.csv").read_text(encoding="utf-8"))) if r["url"]
}


def _harmless(pg: Page, name: str) -> None:
    """No element, attribute or link a cell could have smuggled in."""
    for tag, attrs in pg.elements:
        assert tag not in FOREIGN, (name, tag, attrs)
        assert not [a for a in attrs if a.startswith("on")], (name, tag, attrs)
        for a in ("href", "src", "srcset", "action"):
            v = attrs.get(a) or ""
            assert "javascript:" not in v.lower() and "harmful-link" not in v, (name, tag, attrs)
        if tag == "img":
            assert attrs["src"].startswith("data:image/png;base64,"), (name, attrs)
        if tag == "a":  # our own pages and files (CSV, metrics.json), or a source's address as sources.csv has it
            assert re.fullmatch(r"(\.\./)*([\w.-]+/)*[\w.-]+\.(html|csv|json)", attrs["href"]) or attrs["href"] in (
                {URL} | REAL_URLS
            ), (name, attrs)
    # a title states a finding and may name a group from the data: its text is shown as written (IMG as text)
    shown = [h.replace(IMG, "") for h in pg.headings]
    assert not [h for h in shown if "heading" in h or "标题" in h or "onerror" in h], (name, pg.headings)


def test_no_page_runs_or_links_anything_from_the_data(hostile_pages):
    for name, pg in hostile_pages.items():
        _harmless(pg, name)


def test_the_hostile_text_is_shown_as_text(hostile_pages):
    report, mix, index = (hostile_pages[p].text for p in ("2025/report.html", "3.0-mix/3.0-mix.html", "index.html"))
    # the publisher (sources, source lines under charts), on every page; the author, an HTML link as written
    for t in (report, mix, index):
        assert f"{SCRIPT}SYNTHETIC报社" in t
    assert HTML_LINK in report
    # group names and harmonised labels (prose, tables), template syntax never evaluated
    for t in (report, mix):
        assert f"{IMG}产业项目" in t and f"产业{SCRIPT}" in t and "{{7*7}}项目$\\frac{x$" in t and "{{7*7}}组" in t
        assert f"{MD_LINK}领域" in t and f"{HTML_LINK}全部" in t
        assert not re.search(r"(?<![\d.])49(项目|组)", t)
    # a side amount's subject (caveats)
    assert f"{SCRIPT}中心{ATTR}" in report
    # the taxonomy notes under the comparison: a line break is a space; no heading, list, code or table opens
    assert f"{HTML_LINK} # 标题 {TEMPLATE}" in mix and "``` ~~~ 不是代码 | a | b |" in mix
    # (the charts drew "$\frac{x$" as text, not as TeX: the build did not fail)
    # a scheme label with quotes: chart titles are the images' alt text
    alts = [a.get("alt", "") for t, a in hostile_pages["3.0-mix/3.0-mix.html"].elements if t == "img"]
    assert any(f"领域{ATTR}" in a for a in alts), alts


def test_a_source_address_is_linked_as_written(hostile_pages):
    links = [a["href"] for t, a in hostile_pages["2025/report.html"].elements if t == "a"]
    assert URL in links


@pytest.fixture(scope="module")
def hostile_results(hostile_ds):
    return compute(hostile_ds, 2025)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_section_and_table_shows_hostile_text_as_text(hostile_results, lang):
    """What the notebooks display, in both languages, as the page renders it: every prose section (Markdown)
    and every table (the styler's HTML)."""
    res = hostile_results
    parts = [
        page.markdown_html(prose.render(s, res, lang, **({"period": res.period} if s == "mix" else {})))
        for s in prose.SECTIONS
    ]
    parts += [
        tables.periods(res, lang).to_html(),
        tables.landing(res, lang).to_html(),
        tables.claims(res, lang).to_html(),
    ]
    parts += [tables.mix(mx, lang).to_html() for mx in res.mix[res.period].values()]
    parts += [tables.compare(res, d, lang).to_html() for d in res.compare]
    pg = Page("\n".join(map(str, parts)))
    _harmless(pg, lang)
    text = pg.text
    if lang == "en":
        assert f"{SCRIPT} SYNTHETIC Daily" in text and MD_LINK in text  # publisher, author
        assert f"{IMG} Industry" in text and f"Industry{ATTR}" in text and "{{7*7}} {% raw %}x{% endraw %}" in text
        assert f"SYNTHETIC note # heading {MD_LINK} {HTML_LINK}" in text  # a note with a line break
        assert "1. not a list - not an item > not a quote" in text
        assert f"Centre {IMG} {MD_LINK}" in text and f"{SCRIPT} 30 industry projects {MD_LINK}" in text
    else:
        assert f"{SCRIPT}SYNTHETIC报社" in text and HTML_LINK in text
        assert f"{IMG}产业项目" in text and f"{HTML_LINK} # 标题 {TEMPLATE}" in text
    assert not re.search(r"(?<![\d.])49(项目|组| group)", text)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_csv_of_every_table_keeps_hostile_text_as_written(hostile_results, lang):
    """A CSV is not HTML: the tables' CSVs (read back from the HTML the page shows) hold the hostile names as
    the data write them, entities decoded, and no cell a spreadsheet would run as a formula."""
    import nbformat

    res = hostile_results
    shown = [tables.mix(mx, lang) for mx in res.mix[res.period].values()] + [tables.periods(res, lang)]
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("t", outputs=[nbformat.v4.new_output("display_data", {"text/html": t.to_html()})])
            for t in shown
        ]
    )
    files = page.table_files(nb, lang)
    assert len(files) == len(shown)
    text = ""
    for data in files.values():
        assert data.startswith(b"\xef\xbb\xbf")
        for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))):
            assert not [c for c in row if c[:1] in ("=", "+", "@") or re.match(r"-(?![\d.]+%?$)", c)], row
            text += " ".join(row) + "\n"
    assert (IMG in text) and "&lt;" not in text and "&amp;" not in text


# --------------------------------------------------------------------------------------------- the layers


@pytest.mark.parametrize(
    "value,expected",
    [
        (SCRIPT, r"\<script\>alert(1)\</script\>"),
        (MD_LINK, r"\[click\](javascript:alert(1))"),
        ("note\n# heading", r"note \# heading"),
        ("line one\r\n\r\n  line two", "line one line two"),
        ("- item", r"\- item"),
        ("+ item", r"\+ item"),
        ("1. first", r"1\. first"),
        ("12) twelfth", r"12\) twelfth"),
        ("~~~", r"\~~~"),
        ("```", r"\`\`\`"),
        ("a | b", r"a \| b"),
        ("*x* _y_ `z` \\", r"\*x\* \_y\_ \`z\` \\"),
        (TEMPLATE, r"{{7\*7}}"),
        # what the real data hold is left as it is
        ("京津冀国家技术创新中心(1+1+N)×2工作机制", "京津冀国家技术创新中心(1+1+N)×2工作机制"),
        ('Innovation-centre "(1+1+N)×2" platform plan', 'Innovation-centre "(1+1+N)×2" platform plan'),
        ("Beijing-Tianjin-Hebei; 2019–2020, 8.54", "Beijing-Tianjin-Hebei; 2019–2020, 8.54"),
    ],
)
def test_data_text_is_escaped_for_markdown(value, expected):
    assert prose.md_text(value) == expected


CELLS = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Co", "Cn"))
        | st.sampled_from("\\`*_[]<>|#&!~-+=.)\n"),
        min_size=1,
    )
    .map(str.strip)
    .filter(bool)
)  # cells are stripped when read


@pytest.mark.parametrize(
    "template,elements",
    [("{}", ["p"]), ("- {}", ["ul", "li"]), ("- **2024**: {}.", ["ul", "li", "strong"]), ("{}\n\n{}", ["p", "p"])],
)
@given(value=CELLS)
def test_escaped_data_renders_as_exactly_its_text(template, elements, value):
    """Whatever a cell holds, at the start of a line, in a list item or after our own Markdown, the page shows
    it as written (on one line) and no element but the template's own."""
    pg = Page(str(page.markdown_html(template.format(*[prose.md_text(value)] * template.count("{}")))))
    shown = template.replace("**", "").replace("- ", "").format(*[prose.one_line(value)] * template.count("{}"))
    assert [t for t, _ in pg.elements] == elements
    assert re.sub(r"\s+", " ", pg.text).strip() == re.sub(r"\s+", " ", shown).strip()


def test_the_page_markdown_escapes_raw_html_and_neutralises_javascript_links():
    out = str(page.markdown_html(f"{SCRIPT} {HTML_LINK} {MD_LINK} <javascript:alert(1)>"))
    assert "<script" not in out and '<a href="javascript' not in out and 'href="javascript' not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert str(page.markdown_html(f"<{URL}>")) == f'<p><a href="{html.escape(URL)}">{html.escape(URL)}</a></p>\n'


def test_templates_never_evaluate_data(hostile_ds):
    """A value is interpolated, never parsed as a template: {{7*7}} stays as written in Markdown and text."""
    res = compute(hostile_ds, 2025, projection=False)
    for lang in ("zh", "en"):
        md = prose.render("mix", res, lang, period=res.period) + prose.render("sources", res, lang)
        assert r"{{7\*7}}" in md and not re.search(r"(?<![\d.])49(项目|组| group)", md)
    text = prose.mix_note(next(iter(res.mix[res.period].values())), "en", "amounts")  # on a chart: plain text
    assert "{{7*7}} {% raw %}x{% endraw %}" in text and "\\" not in text


@pytest.mark.parametrize("through", [2020, 2021, 2022, 2023])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_real_data_need_no_escaping(real_ds, through, lang):
    """On the real data the Markdown is the plain text, byte for byte: the escaping changes nothing
    (Chinese, hedges, periods, numbers, the sources' addresses)."""
    res = compute(real_ds, through, projection=False)
    for section in prose.SECTIONS:
        if section in ("projection", "model", "backtest", "calibration", "main_points", "landing"):
            continue  # they need the projection: the same templates and helpers, covered by tests/test_prose.py
        assert prose.render(section, res, lang) == prose.text(section, res, lang), section


def test_table_cells_and_labels_are_escaped():
    df = pd.DataFrame({IMG: [SCRIPT, ATTR, None], "n": [1.0, None, 2.0]})
    out = tables._style(df, "t", {"n": "projects"}, caption=HTML_LINK).to_html()
    assert "<script" not in out and "<img" not in out and "<a " not in out
    pg = Page(out)
    assert SCRIPT in pg.text and IMG in pg.text and ATTR in pg.text and HTML_LINK in pg.text
    assert not [a for _, attrs in pg.elements for a in attrs if a.startswith("on")]


@pytest.mark.parametrize("name", [f"mix2025{SCRIPT}", f"compare{ATTR}", f"mix2019-2020{IMG}", "compare../x y"])
def test_a_table_id_holds_no_markup(name):
    """A table's name (a scheme key in mix and compare) is its html id, which pandas does not escape: whatever
    the name, the page has one table whose id is letters, digits, _ and -, and nothing else."""
    pg = Page(tables._style(pd.DataFrame({"a": ["x"]}), name, {}).to_html())
    assert {t for t, _ in pg.elements} <= {"style", "table", "thead", "tbody", "tr", "th", "td"}
    ids = [a.get("id", "") for t, a in pg.elements if t == "table"]
    assert len(ids) == 1 and re.fullmatch(r"T_[A-Za-z0-9_-]+", ids[0]), ids
    assert ids[0].startswith("T_" + name[:3])
    assert not [a for _, attrs in pg.elements for a in attrs if a.startswith("on")]


def test_a_plain_table_name_is_its_id_as_it_is():
    assert (
        'id="T_mix2019-2020category"' in tables._style(pd.DataFrame({"a": [1]}), "mix2019-2020category", {}).to_html()
    )


@pytest.fixture(scope="module")
def real_chart(real_ds):
    from analysis import charts

    return charts.signings(compute(real_ds, 2023, projection=False), "en", "projects")


@pytest.mark.parametrize("name", ["../x", "../../x", "sub/x", ".x", "..", f"x{SCRIPT}", "x\\y"])
def test_a_chart_file_name_is_a_plain_name(real_chart, tmp_path, name):
    """A chart's name (a scheme key in the mix notebook) becomes its PNG and CSV file names: a folder, a parent
    or a hidden name is refused, and nothing is written anywhere."""
    from analysis import notebook

    with pytest.raises(ValueError, match="is not a plain file name"):
        notebook.figure_html(real_chart, name, str(tmp_path / "figures"))
    assert list(tmp_path.rglob("*")) == []


def test_a_mix_table_of_hostile_names(hostile_ds):
    res = compute(hostile_ds, 2025, projection=False)
    for lang, name in (("zh", f"{IMG}产业项目"), ("en", f"{IMG} Industry")):
        for mx in res.mix[res.period].values():
            out = tables.mix(mx, lang).to_html()
            assert "<img" not in out and "<script" not in out
        assert name in Page(tables.mix(res.mix[res.period]["category"], lang).to_html()).text


def test_page_templates_escape_every_value(real_ds):
    """The index of a card whose texts come from the data: escaped by the template, not by its callers."""
    res = compute(real_ds, 2023, projection=False)
    card = {"href": "2023/report.html", "title": SCRIPT, "headline": [IMG], "meta": ATTR}
    pg = Page(page.index_page([card], [{"href": "x/x.html", "title": HTML_LINK, "meta": MD_LINK}], res, "en"))
    assert not [t for t, _ in pg.elements if t in FOREIGN or t == "img"]
    assert all(s in pg.text for s in (SCRIPT, IMG, ATTR, HTML_LINK, MD_LINK))


def test_charts_draw_data_text_as_text(hostile_results):
    """A group name holding "$\\frac{x$" is a label, not TeX for matplotlib (which failed the chart)."""
    from analysis.present import charts

    charts.setup_style("zh")
    mx = hostile_results.mix[hostile_results.period]["category"]
    assert any("$" in str(n) for n in mx.groups["group_zh"])
    fig = charts.mix(hostile_results, "zh", mx)
    labels = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels() + ax.texts]
    assert any("{{7*7}}项目$\\frac{x$" in t.replace("\n", "") for t in labels), labels  # wrapped to fit
    assert charts.png(fig)[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_formula_naming_a_hostile_source_is_escaped_in_the_prose(lang):
    """A formula is plain text built from facts, and a term may name its source (data): in a Markdown
    template it is escaped like any data text, never taken as our own Markdown."""
    from analysis.core.locale import Locale
    from analysis.stats.metrics import Formula, Term

    hostile = "[click](javascript:alert(1)) <img src=x onerror=alert(1)> **bold**"
    f = Formula.of(Term(1.0, source=hostile, qualifier="exact", unit="projects"))
    md = prose._env_for(Locale(lang))["formula"](f)
    assert "\\[click\\]" in md and "\\<img" in md and "\\*\\*bold" in md
    pg = Page(str(page.markdown_html(md)))
    assert {tag for tag, _ in pg.elements} <= {"p"}
    assert "[click](javascript:alert(1))" in pg.text and "**bold**" in pg.text
