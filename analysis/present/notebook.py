"""What a notebook cell calls besides the library: parameter checks, sections, and charts for reports.

A notebook reads as a study (README, "Exploring in JupyterLab"): a Markdown cell asks the section's
question; a cell shows the plain frame behind it (``res.periods``); a chart cell assigns its figure and
shows it (``fig = charts.signings(res, lang, "projects")`` then :func:`show`), so the next cell can restyle
it; :func:`section` shows the heading and the sentences the report prints. In JupyterLab (no ``fig_dir``)
:func:`show` displays the figure as it is. In a build (``fig_dir`` set by :mod:`analysis.pipeline.build`) it
also draws the figure again for phones, saves both as 2x PNG and displays one ``<figure>``
(:func:`figure_markup`) with a ``<picture>`` choosing between them, the chart's finding as alt text and the
source line under it.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

from ..core import locale

#: Charts narrower than this (CSS px) get the narrow rendering.
NARROW_BELOW_PX = 640


#: how papermill's Python translator opens the cell it injects after the ``parameters`` cell
INJECTED_HEADER = "# Parameters\n"


def unknown_parameters(unknown, known) -> str:
    """The one line that stops a run given a parameter its notebook does not declare.

    Parameters
    ----------
    unknown : iterable of str
        The names given that the notebook does not declare.
    known : iterable of str
        The names its ``parameters`` cell declares, in its order.

    Returns
    -------
    str
        The message.

    Examples
    --------
    >>> from analysis import notebook
    >>> notebook.unknown_parameters(["thru"], ["lang", "through"])
    'unknown parameter thru; the known parameters are lang, through'
    """
    unknown = sorted(unknown)
    noun = "parameter" if len(unknown) == 1 else "parameters"
    return f"unknown {noun} {', '.join(unknown)}; the known parameters are {', '.join(known)}"


def _assigned(source: str) -> list[str]:
    """The names a cell's top-level statements assign, in order."""
    import ast

    names = []
    for node in ast.parse(source).body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        names += [t.id for t in targets if isinstance(t, ast.Name) and t.id not in names]
    return names


def _injected(history) -> tuple[list[str], list[str]] | None:
    """``(injected, declared)`` names from a kernel's inputs: papermill's injected cell (the last one run)
    and the ``parameters`` cell run just before it; None when no parameters were injected."""
    for i in range(len(history) - 1, 0, -1):
        if history[i].startswith(INJECTED_HEADER):
            return _assigned(history[i]), _assigned(history[i - 1])
    return None


def _check_injected() -> None:
    """Raise ValueError when papermill injected a name the notebook's ``parameters`` cell does not declare
    (papermill itself only warns "Passed unknown parameter" and runs on with the defaults)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the stack
        return
    shell = get_ipython()
    found = _injected(shell.user_ns.get("In", [])) if shell is not None else None
    if found is None:
        return
    injected, declared = found
    unknown = [n for n in injected if n not in declared]
    if unknown:
        raise ValueError(unknown_parameters(unknown, declared))


def check_params(ds=None, *, lang: str, through: int | None = None, horizon: int | None = None) -> None:
    """Validate notebook parameters (papermill passes any value); raise ValueError naming the bad one.

    Under papermill (or the build) a name injected that the ``parameters`` cell does not declare, a
    misspelling such as ``-p thru 2021``, stops the run with one line naming the known parameters.

    Parameters
    ----------
    ds : analysis.data.dataset.Dataset, optional
        The data (to check ``through`` against its conference years).
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    through : int, optional
        A conference year.
    horizon : int, optional
        Years to project.

    Examples
    --------
    >>> from analysis import load, notebook
    >>> notebook.check_params(load(), lang="en", through=2023)
    >>> notebook.check_params(lang="fr")
    Traceback (most recent call last):
    ...
    ValueError: lang must be one of zh, en, got 'fr'
    """
    _check_injected()
    locale.of(lang)
    if ds is not None and through is not None:
        years = ds.conference_years
        if not isinstance(through, int) or not years[0] <= through <= years[-1]:
            raise ValueError(f"through must be a conference year {years[0]}–{years[-1]}, got {through!r}")
    if horizon is not None:
        from ..stats.projection import MAX_HORIZON

        if not isinstance(horizon, int) or not 1 <= horizon <= MAX_HORIZON:
            raise ValueError(f"horizon must be a whole number of years from 1 to {MAX_HORIZON}, got {horizon!r}")


def heading(key: str, lang: str, level: int = 2):
    """A section heading from the vocabulary (``h_<key>``), as Markdown.

    Parameters
    ----------
    key : str
        The section (``trends`` for ``h_trends``).
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    level : int
        The heading's level.

    Returns
    -------
    IPython.display.Markdown
        The heading.

    Examples
    --------
    >>> from analysis import notebook
    >>> notebook.heading("trends", "en").data
    '## Projects signed and intended investment'
    """
    from IPython.display import Markdown

    return Markdown("#" * level + " " + locale.of(lang).word(f"h_{key}"))


def section(key: str, res, lang: str, *parts: str, level: int = 2, **context) -> None:
    """Show a section as the report prints it: its heading, then the paragraphs of its prose templates.

    One cell per section: ``notebook.section("trends", res, lang)`` shows the heading ``h_trends`` and the
    ``trends`` template; ``notebook.section("methods", res, lang, "basis")`` the heading ``h_methods`` and
    the ``basis`` template. A template that renders nothing (a section without its data) shows nothing.

    Parameters
    ----------
    key : str
        The section (``trends`` for the heading ``h_trends``).
    res : analysis.stats.results.Results
        What ``compute`` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    *parts : str
        The prose templates shown under the heading, in order (default: ``key``).
    level : int
        The heading's level.
    **context
        More arguments of the templates' context (``period=`` for ``mix``).

    Examples
    --------
    >>> from analysis import compute, load, notebook
    >>> notebook.section("caveats", compute(load(), 2023, projection=False), "en", level=3)  # doctest: +ELLIPSIS
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    """
    from IPython.display import display

    from . import prose

    display(heading(key, lang, level))
    for part in parts or (key,):
        text = prose.md(part, res, lang, **context)
        if text.data.strip():
            display(text)


def source_line(sources, lang: str) -> str:
    """资料来源：中国新闻网（2021年5月14日）、…；本报告整理计算。 / Source: China News Service, 14 May 2021; …

    Parameters
    ----------
    sources : list of dict
        The sources (``prose.ctx_sources(res, locale.of(lang))["sources"]``).
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).

    Returns
    -------
    str
        The line.

    Examples
    --------
    >>> from analysis import compute, load, notebook, prose
    >>> first = prose.ctx_sources(compute(load(), 2023), locale.of("zh"))["sources"][:1]
    >>> notebook.source_line(first, "zh")
    '资料来源：中国新闻网（2021年5月14日）；本报告整理计算。'
    >>> notebook.source_line(first, "en")
    'Source: China News Service, 14 May 2021; calculations by this package.'
    """
    loc = locale.of(lang)
    items = [loc.word("source_item", publisher=loc.col(s, "publisher"), date=loc.date(s["date"])) for s in sources]
    return loc.word(
        "source_sentence",
        source=loc.word("source_line"),
        items=loc.word("source_items_sep").join(items),
        own=loc.word("own_calculation"),
    )


def calibration_study(histories: int = 0):
    """The calibration study the projection notebook shows, as ``(study, meta)``.

    The stored full study when ``histories`` is 0 (``meta`` says how it was run), else a live, seeded run
    of ``histories`` per world (``meta`` None).

    Parameters
    ----------
    histories : int
        0 for the stored study, else histories per simulated world of a live run.

    Returns
    -------
    tuple
        ``(study, meta)``: the study (:class:`analysis.stats.calibration.Study`: ``table``, ``pit``,
        ``diagnostics``) and how it was run (None for a live run).

    Examples
    --------
    >>> from analysis import notebook
    >>> study, meta = notebook.calibration_study()
    >>> type(study).__name__, meta["command"]
    ('Study', 'python -m analysis calibrate --write')
    """
    from ..stats import calibration

    if histories:
        return calibration.run(size=calibration.Size(histories, n_sims=1000, n_grid=8)), None
    return calibration.stored()


def save_metrics(res, path: str | None) -> None:
    """Write ``res`` to ``path`` as ``metrics --format json`` prints it; nothing when ``path`` is None.

    The build's metrics.json beside the page, written from the very results the page shows.

    Parameters
    ----------
    res : analysis.stats.results.Results
        What ``compute`` returns.
    path : str or None
        Where to write the JSON.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> from analysis import compute, load, notebook
    >>> with tempfile.TemporaryDirectory() as d:
    ...     notebook.save_metrics(compute(load(), 2023), f"{d}/metrics.json")
    ...     json.loads(pathlib.Path(d, "metrics.json").read_text())["through_year"]
    2023
    """
    if not path:
        return
    import json

    from .output import jsonable, results_dict

    text = json.dumps(jsonable(results_dict(res)), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    Path(path).write_text(text, encoding="utf-8")


def show(fig, name: str, fig_dir: str | None = None) -> None:
    """Show a chart in its cell; in a build, also save it and show it for every screen.

    A chart cell assigns its figure and shows it: ``fig = charts.signings(res, lang, "projects")`` then
    ``notebook.show(fig, "signings-projects", fig_dir)``. In JupyterLab (``fig_dir`` None) the figure is
    displayed as it is, and the next cell can restyle it (``fig.axes[0].set_title("…"); fig``). In a build
    (``fig_dir`` set by :mod:`analysis.pipeline.build`) the figure is saved as ``<name>.png`` and drawn again
    for phones (``fig.redraw("narrow")``) as ``<name>-narrow.png``, and the cell shows one ``<figure>`` with a
    ``<picture>`` choosing between them and the source line under it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A chart of :mod:`analysis.present.charts` (it knows how to draw itself again for phones).
    name : str
        The PNG's file name in a build (without ``.png``).
    fig_dir : str, optional
        Where a build saves the PNGs; None in JupyterLab.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from analysis import charts, compute, load, notebook
    >>> fig = charts.landing(compute(load(), 2023), "en")
    >>> notebook.show(fig, "landing")  # outside a notebook, the figure's text
    Figure(...)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     notebook.show(fig, "landing", d)  # doctest: +ELLIPSIS
    ...     sorted(p.name for p in pathlib.Path(d).iterdir())
    <IPython.core.display.HTML object>
    ['landing-narrow.png', 'landing.csv', 'landing.png']
    """
    from IPython.display import display

    display(figure_html(fig, name, fig_dir) if fig_dir else fig)


#: A chart's file name in a build: no folder (/), no hidden or parent name (a leading .), nothing a page must escape.
_FILE_NAME = re.compile(r"[\w-][\w.-]*", re.ASCII)


def figure_html(fig, name: str, fig_dir: str):
    """Save ``fig`` (wide, and drawn again narrow) under ``fig_dir`` and return the ``<figure>`` a build shows.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A chart of :mod:`analysis.present.charts`.
    name : str
        The PNGs' file name (without ``.png``).
    fig_dir : str
        Where to save them.

    Returns
    -------
    IPython.display.HTML
        One ``<figure>`` with a ``<picture>`` (narrow below :data:`NARROW_BELOW_PX`) and the source line.

    Raises
    ------
    TypeError
        When ``fig`` is not a chart of :mod:`analysis.present.charts` (nothing to draw again for phones).
    ValueError
        When ``name`` is not a plain file name (ASCII letters, digits, ``_``, ``-`` and ``.``, not starting with
        ``.``): nothing is written outside ``fig_dir``.

    Examples
    --------
    >>> import tempfile
    >>> from analysis import charts, compute, load, notebook
    >>> fig = charts.signings(compute(load(), 2023), "en", "projects")
    >>> with tempfile.TemporaryDirectory() as d:
    ...     notebook.figure_html(fig, "signings", d).data.startswith('<figure class="chart" ')
    True
    """
    from IPython.display import HTML

    from . import charts
    from .output import chart_csv
    from .prose import ctx_sources

    if not _FILE_NAME.fullmatch(name):
        raise ValueError(
            f"{name!r} is not a plain file name: a chart's name may hold only ASCII letters, digits, _, - and . "
            "and may not start with ."
        )
    if not hasattr(fig, "redraw"):
        raise TypeError(
            f"{name}: a build shows only charts of analysis.charts (it draws them again for phones); "
            "show other figures without fig_dir"
        )
    res, lang = fig.drawn_from
    out = Path(fig_dir)
    out.mkdir(parents=True, exist_ok=True)
    small = fig.redraw("narrow")
    wide, narrow = charts.png(fig), charts.png(small)
    (out / f"{name}.png").write_bytes(wide)
    (out / f"{name}-narrow.png").write_bytes(narrow)
    data = chart_csv(*fig.drawn_call)  # the chart's numbers beside it, linked under it
    if data is not None:
        (out / f"{name}.csv").write_bytes(data)
    caption = source_line(ctx_sources(res, locale.of(lang))["sources"], lang)
    links = _csv_link(out, name, lang) if data is not None else ""
    return HTML(figure_markup(fig, small, caption, pngs=(wide, narrow), links=links))


def chart(fn, res, lang: str, *args, name: str, fig_dir: str | None = None, **kwargs):
    """Draw ``fn(res, lang, *args, **kwargs)`` and :func:`show` it (the older one-call form of a chart cell).

    Prefer assigning the figure: ``fig = charts.signings(res, lang, "projects")`` then
    ``notebook.show(fig, "signings-projects", fig_dir)``.

    Parameters
    ----------
    fn : callable
        A chart function of :mod:`analysis.present.charts`.
    res : analysis.stats.results.Results
        What ``compute`` returns.
    lang : str or analysis.core.locale.Locale
        ``"zh"`` or ``"en"`` (or its Locale).
    *args
        More arguments of ``fn``.
    name : str
        The PNG's file name (without ``.png``).
    fig_dir : str, optional
        Where a build saves the PNGs; None in JupyterLab.
    **kwargs
        More keyword arguments of ``fn``.

    Returns
    -------
    matplotlib.figure.Figure or None
        The figure in JupyterLab; None in a build (it is displayed instead).

    Examples
    --------
    >>> from analysis import charts, compute, load, notebook
    >>> fig = notebook.chart(charts.signings, compute(load(), 2023), "en", name="signings")
    >>> fig.axes[0].get_title(loc="left")
    'How many projects are signed a year?'
    """
    fig = fn(res, lang, *args, **kwargs)
    if not fig_dir:
        return fig
    show(fig, name, fig_dir)
    return None


def _csv_link(fig_dir: Path, name: str, lang) -> str:
    """The link under a chart to the CSV of its numbers (issue 21: furniture)."""
    from urllib.parse import quote

    href = html.escape(quote(f"{fig_dir.as_posix()}/{name}.csv"))
    return f' <a class="csv" href="{href}">{html.escape(locale.of(lang).word("furn_csv"))}</a>'


def figure_markup(fig, narrow, caption: str, pngs: tuple[bytes, bytes] | None = None, links: str = "") -> str:
    """One chart as a page shows it: a ``<figure>`` whose ``<picture>`` picks the wide or the narrow rendering.

    Both are 2x PNGs (:func:`analysis.present.charts.png`) shown at their CSS size; the alt text is the chart's
    finding (``fig.alt``), the caption its sources. The figure says, for a browser check, the smallest type of
    each rendering (``data-pt-wide``, ``data-pt-narrow``, in points) and the CSS px per inch (``data-dpi``).

    Parameters
    ----------
    fig, narrow : matplotlib.figure.Figure
        The wide and the narrow rendering of one chart.
    caption : str
        The source line under it (plain text; escaped here).
    pngs : tuple of bytes, optional
        Their PNGs when already made.
    links : str
        Our own markup after the caption (the link to the chart's CSV), already escaped.

    Returns
    -------
    str
        The HTML.

    Examples
    --------
    >>> from analysis import charts, compute, load, notebook
    >>> res = compute(load(), 2023)
    >>> html = notebook.figure_markup(charts.landing(res, "en"), charts.landing(res, "en", size="narrow"), "Source: …")
    >>> html.startswith('<figure class="chart"'), 'alt="By 19 September 2023' in html
    (True, True)
    """
    from . import charts

    wide_png, narrow_png = pngs or (charts.png(fig), charts.png(narrow))
    title = fig.axes[0].get_title(loc="left").replace("\n", "") if fig.axes else ""
    alt = getattr(fig, "alt", "") or title

    def uri(data: bytes) -> str:
        return "data:image/png;base64," + base64.b64encode(data).decode("ascii")

    def smallest(f) -> str:
        return f"{min([t.get_fontsize() for t in charts.shown_texts(f)] or [0]):g}"

    (w, h), (nw, nh) = charts.css_size(fig), charts.css_size(narrow)
    return (
        f'<figure class="chart" data-dpi="{charts.DPI}" data-pt-wide="{smallest(fig)}" '
        f'data-pt-narrow="{smallest(narrow)}"><picture>'
        f'<source media="(max-width: {NARROW_BELOW_PX}px)" srcset="{uri(narrow_png)}" width="{nw}" height="{nh}">'
        f'<img src="{uri(wide_png)}" alt="{html.escape(alt)}" width="{w}" height="{h}"></picture>'
        f"<figcaption>{html.escape(caption)}{links}</figcaption></figure>"
    )
