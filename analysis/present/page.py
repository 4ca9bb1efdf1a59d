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

from importlib import resources

import jinja2
import mistune
from markupsafe import Markup

from ..core import locale
from . import prose

REMOVE_TAG = "remove-in-report"
MAIN_POINTS_TAG = "main-points"
METHODS_TAG = "methods"

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


def _output_html(out) -> str:
    """One output as HTML: HTML as is (tables wrapped to scroll sideways), PNG as an image, Markdown rendered."""
    if out.get("output_type") not in ("display_data", "execute_result"):
        return ""  # streams and warnings are not part of a report
    data = out.get("data", {})
    if "text/html" in data:
        text = "".join(data["text/html"]) if isinstance(data["text/html"], list) else data["text/html"]
        if "<table" in text and "figure" not in text[:40]:
            return f'<div class="table-scroll">{text}</div>'
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

    The notebooks' HTML outputs come from this package's escaping renderers (tables.py, notebook.chart)
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
    parts = {"main_points": [], "body": [], "methods": []}
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell.cell_type != "code" or REMOVE_TAG in tags or "parameters" in tags or "injected-parameters" in tags:
            continue
        key = "main_points" if MAIN_POINTS_TAG in tags else "methods" if METHODS_TAG in tags else "body"
        parts[key] += [h for h in (_output_html(o) for o in cell.get("outputs", [])) if h]
    return {k: Markup("\n".join(v)) for k, v in parts.items()}


def report_page(nb, res, lang: str, title: str) -> str:
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
    parts = split_outputs(nb)
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
    return f"{title} · {loc.word('conference')}" if full else title


def index_page(reports: list[dict], analyses: list[dict], res_latest, lang: str, stale: list[str] = ()) -> str:
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
    )


def card(res, lang: str, href: str) -> dict:
    """An index card's texts (plain text: the page template escapes them).

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    href : str
        The report's address, relative to the index.

    Returns
    -------
    dict
        ``href``, ``title``, ``headline`` (lines) and ``meta``.

    Examples
    --------
    >>> from analysis import compute, load
    >>> from analysis.present import page
    >>> sorted(page.card(compute(load(), 2023), "en", "2023/report.html"))
    ['headline', 'href', 'meta', 'title']
    """
    loc = locale.of(lang)
    return {
        "href": href,
        "title": report_title(res, loc),
        "headline": [line for line in prose.text("headline", res, loc).strip().splitlines() if line],
        "meta": prose.text("page_meta", res, loc).strip(),
    }
