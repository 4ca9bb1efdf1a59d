"""HTML pages of the reports: an executed notebook's outputs in a bulletin page, and the index.

A small jinja2 page template (``templates/page``) instead of a notebook export: the page starts with
its title and the "main points" box (outputs of cells tagged ``main-points``), then the sections,
then the methods (cells tagged ``methods``) folded in a ``<details>`` element, and the sources at the
foot. Inputs are never shown; cells tagged ``remove-in-report`` are left out. Everything is inline
(CSS, charts as data URIs): a page opens offline and loads nothing from the network.

Data are text: the page templates escape every value (jinja2 autoescape), Markdown is rendered with raw
HTML escaped (and mistune's guard against ``javascript:`` links), and only HTML this package produced
with its own escaping (Markdown rendered here, the notebooks' tables and figures) enters as
:class:`markupsafe.Markup`.
"""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from importlib import resources
from urllib.parse import quote

import jinja2
import mistune
from markupsafe import Markup

from ..core import locale
from . import downloads, prose

REMOVE_TAG = "remove-in-report"
MAIN_POINTS_TAG = "main-points"
METHODS_TAG = "methods"
#: analysis pages whose title is their own prose section (the forecast record: its finding from the archive)
TITLE_SECTIONS = {"forecast-record": "record_headline"}
#: where a page's CSV files are, relative to the page (the charts' are written there by notebook.chart)
CSV_DIR = "figures"

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("analysis.present", "templates/page"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_MISTUNE = mistune.create_markdown(escape=True, plugins=["table"])


def markdown_html(text: str) -> Markup:
    r"""Markdown as HTML, raw HTML in it escaped (shown as text) and harmful link targets neutralised.

    Parameters
    ----------
    text : str
        Markdown.

    Returns
    -------
    markupsafe.Markup
        The HTML.

    Examples
    --------
    >>> from analysis.present import page
    >>> str(page.markdown_html("**a** <b>"))
    '<p><strong>a</strong> &lt;b&gt;</p>\n'
    """
    return Markup(_MISTUNE(text))


def css() -> Markup:
    """The pages' one style sheet.

    Returns
    -------
    markupsafe.Markup
        The CSS, inlined in every page.

    Examples
    --------
    >>> from analysis.present import page
    >>> len(page.css()) > 0
    True
    """
    return Markup(
        (resources.files("analysis.present") / "templates" / "page" / "style.css").read_text(encoding="utf-8")
    )


def _is_table(text: str) -> bool:
    return "<table" in text and "figure" not in text[:40]


def _output_html(out, csv_href: str | None = None, lang=None) -> str:
    """One output as HTML: HTML as is (tables wrapped to scroll sideways, with the link to their CSV), PNG as
    an image, Markdown rendered."""
    if out.get("output_type") not in ("display_data", "execute_result"):
        return ""  # streams and warnings are not part of a report
    data = out.get("data", {})
    if "text/html" in data:
        text = "".join(data["text/html"]) if isinstance(data["text/html"], list) else data["text/html"]
        if _is_table(text):
            link = ""
            if csv_href and lang is not None:
                link = Markup('<p class="csv"><a class="csv" href="{}">{}</a></p>').format(
                    csv_href, locale.of(lang).word("furn_csv")
                )
            return f'<div class="table-scroll">{text}</div>{link}'
        return text
    if "image/png" in data:
        png = data["image/png"].replace("\n", "")
        return f'<figure class="chart"><img src="data:image/png;base64,{png}" alt=""></figure>'
    if "text/markdown" in data:
        text = "".join(data["text/markdown"]) if isinstance(data["text/markdown"], list) else data["text/markdown"]
        return markdown_html(text)
    return ""


def split_outputs(nb) -> dict[str, Markup]:
    r"""HTML of the notebook's outputs, in three parts: main points, body, methods.

    The notebooks' HTML outputs come from this package's escaping renderers (tables.py, notebook.show)
    and are kept as HTML.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook.

    Returns
    -------
    dict
        ``main_points``, ``body`` and ``methods``, each HTML.

    Examples
    --------
    >>> import nbformat
    >>> from analysis.present import page
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1", outputs=[
    ...     nbformat.v4.new_output("display_data", {"text/markdown": "*x*"})])])
    >>> str(page.split_outputs(nb)["body"])
    '<p><em>x</em></p>\n'
    """
    return _split(nb, None)[0]


def _shown_outputs(nb):
    """(part, output) of every output a page shows, in order."""
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell.cell_type != "code" or REMOVE_TAG in tags or "parameters" in tags or "injected-parameters" in tags:
            continue
        key = "main_points" if MAIN_POINTS_TAG in tags else "methods" if METHODS_TAG in tags else "body"
        for o in cell.get("outputs", []):
            yield key, o


def _split(nb, lang) -> tuple[dict[str, Markup], dict[str, bytes]]:
    """The page's three parts and its tables' CSV files (path relative to the page → bytes; none without
    ``lang``)."""
    parts = {"main_points": [], "body": [], "methods": []}
    files: dict[str, bytes] = {}
    for key, o in _shown_outputs(nb):
        href = None
        text = _html_of(o)
        if lang is not None and text is not None and _is_table(text):
            name = _csv_name(text, files)
            given = o["data"].get("text/csv")  # a table of analysis.tables carries its frame's CSV
            given = "".join(given) if isinstance(given, list) else given
            files[name] = (
                (downloads.CSV_BOM + given).encode("utf-8") if given else downloads.csv_bytes(table_frame(text))
            )
            href = quote(name)
        h = _output_html(o, href, lang)
        if h:
            parts[key].append(h)
    return {k: Markup("\n".join(v)) for k, v in parts.items()}, files


def _html_of(out) -> str | None:
    data = out.get("data", {}) if out.get("output_type") in ("display_data", "execute_result") else {}
    if "text/html" not in data:
        return None
    return "".join(data["text/html"]) if isinstance(data["text/html"], list) else data["text/html"]


def _csv_name(table_html: str, taken) -> str:
    """The CSV file of a table: ``figures/table-<its id>.csv`` (a number added when the id repeats)."""
    m = re.search(r'<table id="T_([^"]*)"', table_html)
    stem = re.sub(r"[^\w.-]", "_", m.group(1) if m else "table", flags=re.ASCII) or "table"
    name, n = f"{CSV_DIR}/table-{stem}.csv", 1
    while name in taken:
        n += 1
        name = f"{CSV_DIR}/table-{stem}-{n}.csv"
    return name


class _TableText(HTMLParser):
    """The cells of the first HTML table, as the reader sees them (text, entities decoded), row by row."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._depth = 0  # inside the table (0: outside, or after it)
        self._done = False
        self._skip = 0  # inside <style> or <caption>

    def handle_starttag(self, tag, attrs):
        if self._done:
            return
        if tag == "table":
            self._depth += 1
        elif tag in ("style", "caption"):
            self._skip += 1
        elif self._depth and tag == "tr":
            self.rows.append([])
        elif self._depth and tag in ("td", "th") and self.rows:
            self._cell = []

    def handle_endtag(self, tag):
        if self._done:
            return
        if tag == "table":
            self._depth -= 1
            self._done = self._depth == 0
        elif tag in ("style", "caption"):
            self._skip = max(0, self._skip - 1)
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None and not self._skip:
            self._cell.append(data)


def table_frame(table_html: str):
    """The numbers an HTML table shows, as a frame: its header row as the columns, its other rows as rows.

    Parameters
    ----------
    table_html : str
        HTML holding a table (a notebook's table output).

    Returns
    -------
    pandas.DataFrame
        The cells as text, as shown (:func:`analysis.present.downloads.csv_cell` writes the numbers plainly).

    Examples
    --------
    >>> from analysis.present import page
    >>> page.table_frame("<table><thead><tr><th>a</th><th>b</th></tr></thead>"
    ...                  "<tbody><tr><td>x &amp; y</td><td>1,080</td></tr></tbody></table>").values.tolist()
    [['x & y', '1,080']]
    """
    import pandas as pd

    parser = _TableText()
    parser.feed(table_html)
    parser.close()
    rows = [r for r in parser.rows if r]
    if not rows:
        return pd.DataFrame()
    width = max(len(r) for r in rows)
    header = rows[0] + [""] * (width - len(rows[0]))
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows[1:]], columns=header)


def table_files(nb, lang: str) -> dict[str, bytes]:
    r"""The CSV files of the tables a page shows: path relative to the page → bytes (UTF-8 with BOM).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).

    Returns
    -------
    dict
        ``figures/table-<id>.csv`` → the file's bytes; the page links each under its table.

    Examples
    --------
    >>> import nbformat
    >>> from analysis.present import page
    >>> out = nbformat.v4.new_output("display_data", {"text/html": '<table id="T_t"><tr><th>n</th></tr>'
    ...                                                                '<tr><td>=1+1</td></tr></table>'})
    >>> page.table_files(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("t", outputs=[out])]), "en")
    {'figures/table-t.csv': b"\xef\xbb\xbfn\r\n'=1+1\r\n"}
    """
    return _split(nb, lang)[1]


_FEEDBACK_URL = re.compile(r"https?://[^\s\"'<>]+")
_FEEDBACK_MAIL = re.compile(r"[^\s@\"'<>:/]+@[^\s@\"'<>:/]+\.[^\s@\"'<>:/]+")


def feedback_href(address: str | None) -> str | None:
    """The link of a feedback address: an http(s) address as it is, an e-mail address as ``mailto:``; else None.

    Parameters
    ----------
    address : str or None
        Where readers report an error (``build --feedback``).

    Returns
    -------
    str or None
        The link, or None when the address is not one (it is then shown as text).

    Examples
    --------
    >>> from analysis.present import page
    >>> page.feedback_href("https://example.org/issues"), page.feedback_href("data@example.org")
    ('https://example.org/issues', 'mailto:data@example.org')
    >>> page.feedback_href("javascript:alert(1)") is None
    True
    """
    if not address:
        return None
    if _FEEDBACK_URL.fullmatch(address):
        return address
    if _FEEDBACK_MAIL.fullmatch(address):
        return "mailto:" + address
    return None


def conference_window(ds) -> tuple[int, int] | None:
    """The earliest and latest month in which a conference of the data was held (None when no month is known).

    Parameters
    ----------
    ds : analysis.data.dataset.Dataset
        The data (``conferences.csv``).

    Returns
    -------
    tuple of int or None
        ``(first month, last month)``.

    Examples
    --------
    >>> from analysis import load
    >>> from analysis.present import page
    >>> lo, hi = page.conference_window(load())
    >>> 1 <= lo <= hi <= 12
    True
    """
    months = [int(m) for m in ds.tables["conferences"]["month"].dropna()]
    return (min(months), max(months)) if months else None


def furniture(res, lang: str, nav: dict | None = None, ds=None) -> dict:
    """The furniture of a page: release date, next figures, other languages, previous/next, downloads, feedback.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns (its vintage is the release date of the page's figures).
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    nav : dict, optional
        What the build knows of the tree: ``later`` (the date of the next release, for an older report),
        ``prev``/``next`` (``href``, ``label``, ``kind``: ``report`` or ``page``), ``langs`` (``lang``,
        ``href``: the same page in another language), ``metrics`` (the page's metrics.json), ``feedback``
        (where to report an error; None: the repository's issue tracker).
    ds : analysis.data.dataset.Dataset, optional
        The whole data (the conference months and years); None for ``res.dataset``.

    Returns
    -------
    dict
        Plain texts and links for the page template (which escapes them).

    Examples
    --------
    >>> from analysis import compute, load
    >>> from analysis.present import page
    >>> f = page.furniture(compute(load(), 2023, projection=False), "en", {"later": (2024, 9, 26)})
    >>> f["release"], f["next_line"]
    ('Figures released: 19 September 2023', 'Later figures were published on 26 September 2024: see the next report')
    """
    loc = locale.of(lang)
    nav = dict(nav or {})
    ds = ds if ds is not None else res.dataset
    if nav.get("later"):
        next_line = loc.word("furn_next_published", date=loc.date(nav["later"]))
    else:
        year = ds.conference_years[-1] + 1
        window = conference_window(ds)
        conf = ds.tables["conferences"]
        known = sorted({int(y) for y in conf.loc[conf["month"].notna(), "year"]})
        if window is None:
            next_line = loc.word("furn_next_expected_any", year=year)
        else:  # the months past conferences were held in; which conferences, when not every month is known
            months = {"first": locale.month_name(window[0], loc.lang), "last": locale.month_name(window[1], loc.lang)}
            some = set(known) != set(ds.conference_years)
            years = loc.word("cli_list_sep").join(str(y) for y in known)
            next_line = (
                loc.word("furn_next_expected_some", year=year, years=years, **months)
                if some
                else loc.word("furn_next_expected", year=year, **months)
            )
    pager = []
    for direction in ("prev", "next"):
        link = nav.get(direction)
        if link:
            key = f"furn_{direction}" + ("" if link.get("kind", "report") == "report" else "_page")
            pager.append({"href": link["href"], "text": loc.word(key, label=link["label"]), "rel": direction})
    address = nav.get("feedback")
    return {
        "release": loc.word("furn_release", date=loc.date(res.vintage)),
        "next_line": next_line,
        "langs": lang_links(nav.get("langs", [])),
        "pager": pager,
        "pager_label": loc.word("furn_nav"),
        "downloads": loc.word("furn_downloads"),
        "metrics": nav.get("metrics"),
        "metrics_text": loc.word("furn_metrics"),
        "feedback": loc.word("furn_feedback", where="{where}").split("{where}"),
        "feedback_where": address or loc.word("furn_feedback_default"),
        "feedback_href": feedback_href(address),
    }


def report_page(nb, res, lang: str, title: str, nav: dict | None = None, ds=None) -> str:
    """The bulletin page of one executed notebook whose figures are ``res``.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook.
    res : analysis.stats.results.Results
        What ``compute`` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    title : str
        The page's title.
    nav : dict, optional
        The page's place in the tree (:func:`furniture`).
    ds : analysis.data.dataset.Dataset, optional
        The whole data (:func:`furniture`).

    Returns
    -------
    str
        The HTML page.

    Examples
    --------
    >>> import nbformat
    >>> from analysis import compute, load
    >>> from analysis.present import page
    >>> html = page.report_page(nbformat.v4.new_notebook(), compute(load(), 2023), "en", "A title")
    >>> html.startswith("<!doctype html>"), '<html lang="en">' in html
    (True, True)
    """
    loc = locale.of(lang)
    parts = _split(nb, loc)[0]
    if parts["main_points"]:
        parts["main_points"] = Markup("<h2>{}</h2>\n").format(loc.word("h_main_points")) + parts["main_points"]
    from .notebook import source_line

    sources = prose.ctx_sources(res, loc)["sources"]
    return _ENV.get_template("report.html.j2").render(
        html_lang=loc.html_lang,
        title=title,
        css=css(),
        back=loc.word("back_to_index"),
        kicker=loc.word("conference"),
        meta=prose.text("page_meta", res, loc).strip(),
        main_points=parts["main_points"],
        body=parts["body"],
        methods=parts["methods"],
        methods_label=loc.word("h_methods"),
        source_line=source_line(sources, loc),
        sources=markdown_html(prose.render("sources", res, loc)),
        furn=furniture(res, loc, nav, ds),
    )


def report_title(res, lang: str) -> str:
    """A release report's title: the release's projects and its strongest finding (:func:`analysis.stats.findings.lead`).

    Without a finding, the kind of document: 洽谈会2023年统计报告 / …: 2023 report.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).

    Returns
    -------
    str
        The title.

    Examples
    --------
    >>> from analysis import compute, load
    >>> from analysis.present import page
    >>> page.report_title(compute(load(), 2022, projection=False), "en")
    '2022: 37 projects signed; Infrastructure (3 projects) took 53–65% of the investment'
    """
    from ..stats import findings

    loc = locale.of(lang)
    if findings.lead(res, "release"):
        return prose.text("headline", res, loc, subject="release").strip()
    p = res.period
    label = loc.period(p.first_year, p.last_year) if p else loc.period(res.through)
    return loc.word("report_title", conference=loc.word("conference"), period=label)


def analysis_title(stem: str, lang: str, full: bool = False, res=None) -> str:
    """The title of an analysis notebook's page from its file stem (``1.0-trends`` → 签约趋势).

    ``full`` gives the page's own title: with ``res``, the analysis and its strongest finding
    (:func:`analysis.stats.findings.lead` on the page's subject); else the analysis and the conference.

    Parameters
    ----------
    stem : str
        The notebook's file stem.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    full : bool
        The page's own title (not the index's short one).
    res : analysis.stats.results.Results, optional
        The page's results: its title states its strongest finding.

    Returns
    -------
    str
        The title.

    Examples
    --------
    >>> from analysis.present import page
    >>> page.analysis_title("1.0-trends", "zh"), page.analysis_title("1.0-trends", "en")
    ('签约趋势', 'Signing trends')
    """
    from ..stats import findings

    loc = locale.of(lang)
    key = stem.split("-", 1)[1] if "-" in stem else stem
    title = loc.word(f"title_{key}")
    if full and res is not None and key in findings.SUBJECTS and findings.lead(res, key):
        return prose.text("headline", res, loc, subject=key).strip()
    if full and res is not None and key in TITLE_SECTIONS:  # a page whose finding is not one of the results'
        return prose.text(TITLE_SECTIONS[key], res, loc).strip()
    return f"{title} · {loc.word('conference')}" if full else title


def first_point(main_points: str) -> Markup | None:
    r"""The first main point of a page's main points (HTML of its own rendering): its first list item or paragraph.

    Parameters
    ----------
    main_points : str
        The HTML of the main points (``split_outputs(nb)["main_points"]``), produced and escaped by this package.

    Returns
    -------
    markupsafe.Markup or None
        The point's inner HTML; None when there is none.

    Examples
    --------
    >>> from analysis.present import page
    >>> str(page.first_point("<ul>\n<li>A &lt;b&gt;.</li>\n<li>B.</li>\n</ul>"))
    'A &lt;b&gt;.'
    """
    m = re.search(r"<li>(.*?)</li>", str(main_points), flags=re.S) or re.search(
        r"<p>(.*?)</p>", str(main_points), flags=re.S
    )
    return Markup(m.group(1).strip()) if m else None


def series_figure(res, lang: str, csv_href: str | None = None) -> dict:
    """The index's small chart of the whole series (:func:`analysis.present.charts.series`), ready to inline.

    Parameters
    ----------
    res : analysis.stats.results.Results
        The results of all the data.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    csv_href : str, optional
        The link to the CSV of its numbers.

    Returns
    -------
    dict
        ``src`` (a PNG data URI), ``width`` (CSS px), ``alt`` (the numbers in words), ``title``, ``csv`` and
        ``csv_text``.

    Examples
    --------
    >>> from analysis import compute, load
    >>> from analysis.present import page
    >>> fig = page.series_figure(compute(load(), 2023, projection=False), "en")
    >>> fig["src"].startswith("data:image/png;base64,"), "2021: 39 projects" in fig["alt"]
    (True, True)
    """
    from . import charts

    loc = locale.of(lang)
    fig = charts.series(res, loc)
    png = charts.png(fig)
    t = res.periods.sort_values(["first_year", "last_year"])
    alt = loc.word("cli_list_sep").join(
        loc.word(
            "furn_alt_item" if a == b else "furn_alt_total",
            period=loc.period(a, b),
            value=loc.hedged(v, q, "projects", bounds=r),
        )
        for a, b, v, q, r in zip(
            t["first_year"], t["last_year"], t["projects"], t["projects_qualifier"], t["projects_range"], strict=True
        )
    )
    return {
        "src": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
        "width": int(fig.get_figwidth() * charts.DPI),
        "dpi": charts.DPI,  # with "pt", the smallest type: what the browser check reads (as figure_markup writes)
        "pt": f"{min([t.get_fontsize() for t in charts.shown_texts(fig)] or [0]):g}",
        "alt": alt,
        "title": loc.word("furn_series_title"),
        "csv": csv_href,
        "csv_text": loc.word("furn_csv"),
    }


def index_page(
    reports: list[dict],
    analyses: list[dict],
    res_latest,
    lang: str,
    stale: list[str] = (),
    headline: dict | None = None,
    series: dict | None = None,
    nav: dict | None = None,
) -> str:
    """The index page: a card per release report, then the analyses.

    Each card gives the report's title, headline, period and source date; ``stale``: one line (plain text)
    per page the last build could not update, and why.

    Parameters
    ----------
    reports : list of dict
        The release reports' cards (:func:`card`), newest first.
    analyses : list of dict
        The analyses: ``href``, ``title``, ``meta``.
    res_latest : analysis.stats.results.Results
        The results of all the data (for the sources).
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    stale : list of str
        Lines about pages the last build could not update.
    headline : dict, optional
        The latest release's headline finding: ``title``, ``href``, ``point`` (its first main point, HTML).
    series : dict, optional
        The chart of the whole series (:func:`series_figure`).
    nav : dict, optional
        The index's place in the tree (:func:`furniture`: ``langs``, ``metrics``, ``feedback``).

    Returns
    -------
    str
        The HTML page.

    Examples
    --------
    >>> from analysis import compute, load
    >>> from analysis.present import page
    >>> res = compute(load(), 2023)
    >>> html = page.index_page([page.card(res, "zh", "2023/report.html")], [], res, "zh")
    >>> '<html lang="zh-CN">' in html
    True
    """
    loc = locale.of(lang)
    from .notebook import source_line

    sources = prose.ctx_sources(res_latest, loc)["sources"]
    return _ENV.get_template("index.html.j2").render(
        html_lang=loc.html_lang,
        title=loc.word("index_title"),
        css=css(),
        kicker=loc.word("conference"),
        intro=loc.word("index_intro"),
        reports_label=loc.word("reports_label"),
        analyses_label=loc.word("analyses_label"),
        reports=reports,
        analyses=analyses,
        stale_label=loc.word("stale_label"),
        stale=list(stale),
        source_line=source_line(sources, loc),
        sources=markdown_html(prose.render("sources", res_latest, loc)),
        headline=headline,
        latest_label=loc.word("furn_latest"),
        read_text=loc.word("furn_read_report"),
        series=series,
        furn=furniture(res_latest, loc, nav),
    )


def card(res, lang: str, href: str, langs=()) -> dict:
    """An index card's texts (plain text: the page template escapes them).

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    href : str
        The report's address, relative to the index.
    langs : iterable of dict, optional
        The same report in the other languages: ``lang``, ``href`` (relative to the index).

    Returns
    -------
    dict
        ``href``, ``title``, ``headline`` (lines), ``meta`` and ``langs`` (links to the other languages).

    Examples
    --------
    >>> from analysis import compute, load
    >>> from analysis.present import page
    >>> sorted(page.card(compute(load(), 2023), "en", "2023/report.html"))
    ['headline', 'href', 'langs', 'meta', 'title']
    """
    loc = locale.of(lang)
    return {
        "href": href,
        "title": report_title(res, loc),
        "headline": [line for line in prose.text("headline", res, loc).strip().splitlines() if line],
        "meta": prose.text("page_meta", res, loc).strip(),
        "langs": lang_links(langs),
    }


def lang_links(langs) -> list[dict]:
    """Links to a page in other languages, each labelled in its own language.

    Parameters
    ----------
    langs : iterable of dict
        ``lang`` and ``href`` of each.

    Returns
    -------
    list of dict
        ``href``, ``lang`` (the HTML language tag) and ``text``.

    Examples
    --------
    >>> from analysis.present import page
    >>> page.lang_links([{"lang": "en", "href": "../en/index.html"}])
    [{'href': '../en/index.html', 'lang': 'en', 'text': 'English'}]
    """
    return [
        {"href": x["href"], "lang": locale.of(x["lang"]).html_lang, "text": locale.of(x["lang"]).word("lang_name")}
        for x in langs
    ]
