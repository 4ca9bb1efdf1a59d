"""The notebooks read as studies (issue 20, item 1): few cells that only emit prose, chart cells that keep
their figure, cells an analyst can copy into a new notebook, and a chart that a build shows for every screen.

The counts are read off the committed notebooks' stored outputs (nbval checks that they are what the cells
produce) and the cells' sources (Python's own parser), never off this package.
"""

from __future__ import annotations

import ast
import json

import pytest
from matplotlib.figure import Figure

from analysis import charts, compute, load, notebook

from .conftest import DATA, ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: the chart functions: what the ``charts`` module exports that draws a Figure
CHARTS = sorted(
    n for n in charts.__all__ if getattr(getattr(charts, n), "__annotations__", {}).get("return") == "Figure"
)
PROSE_TYPES = {"text/markdown", "text/plain"}


def _cells(path) -> list[dict]:
    return [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def _tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def only_prose(cell: dict) -> bool:
    """Whether a code cell's stored outputs are all Markdown (a heading, a paragraph), and it has some."""
    outs = [o for o in cell.get("outputs", []) if o["output_type"] in ("display_data", "execute_result")]
    return bool(outs) and len(outs) == len(cell["outputs"]) and all(set(o["data"]) <= PROSE_TYPES for o in outs)


def _chart_calls(tree) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "charts"
        and node.func.attr in CHARTS
    ]


def chart_cells(path) -> list[dict]:
    """The code cells that draw a chart (call ``charts.<chart>(...)`` or the older ``notebook.chart``)."""
    out = []
    for cell in _cells(path):
        tree = ast.parse(_source(cell))
        if _chart_calls(tree) or "notebook.chart(" in _source(cell):
            out.append(cell)
    return out


def test_the_chart_functions_are_found():
    assert {"signings", "cumulative", "landing", "mix", "compare", "projection"} <= set(CHARTS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_at_most_a_third_of_the_code_cells_only_emit_prose(path):
    cells = _cells(path)
    assert all(c.get("outputs") is not None for c in cells)
    prose = [_source(c).splitlines()[0] for c in cells if only_prose(c)]
    assert 3 * len(prose) <= len(cells), f"{len(prose)} of {len(cells)} code cells only emit prose: {prose}"


def test_the_prose_count_counts_prose():
    """The rule of the count itself, on cells whose outputs are known."""
    md = {"output_type": "display_data", "data": {"text/markdown": "## x", "text/plain": "<Markdown>"}}
    png = {"output_type": "display_data", "data": {"image/png": "iVBOR", "text/plain": "<Figure>"}}
    assert only_prose({"outputs": [md, md]})
    assert not only_prose({"outputs": [md, png]})
    assert not only_prose({"outputs": []})  # the setup cell
    assert not only_prose({"outputs": [md, {"output_type": "stream", "name": "stderr", "text": "warning"}]})


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_chart_cell_assigns_its_figure_and_shows_it(path):
    """``fig = charts.signings(res, lang, "projects")`` then ``notebook.show(fig, ...)``: the figure has a name
    the next cell can restyle (not ``notebook.chart(...)``, whose figure only ``_`` keeps)."""
    cells = chart_cells(path)
    assert cells, "the notebook draws charts"
    for cell in cells:
        src = _source(cell)
        tree = ast.parse(src)
        assert "notebook.chart(" not in src, src
        assigned = {
            id(node.value): node.targets[0].id
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
        }
        shown = {
            node.args[0].id
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "show"
            and node.args
            and isinstance(node.args[0], ast.Name)
        }
        for call in _chart_calls(tree):
            name = assigned.get(id(call))
            assert name is not None, f"charts.{call.func.attr}(...) is not assigned to a name:\n{src}"
            assert name in shown, f"{name} is not shown (notebook.show({name}, ...)):\n{src}"


def _setup(path) -> str:
    """The parameters cell and the setup cell (the one that computes ``res``), as an analyst copies them."""
    cells = _cells(path)
    params = next(c for c in cells if "parameters" in _tags(c))
    setup = next(c for c in cells if "res = compute(" in _source(c))
    return _source(params) + "\n" + _source(setup)


def _run(source: str, ns: dict) -> dict:
    exec(compile(source, "<cell>", "exec"), ns)
    return ns


STUDIES = [p for p in NOTEBOOKS if p.stem in ("1.0-trends", "5.0-period-report")]


@pytest.mark.parametrize("path", STUDIES, ids=lambda p: p.stem)
def test_a_chart_cell_copied_into_a_new_notebook_runs_and_restyles(path, capsys):
    """The parameters and setup cells, then one chart cell, in a fresh namespace: the figure is kept by name,
    restyled as the next cell would, and nothing else is needed."""
    from IPython.display import display

    ns = {"display": display}
    _run(_setup(path), ns)
    cell = _source(chart_cells(path)[0])
    before = set(ns)
    _run(cell, ns)
    names = [n for n in set(ns) - before if isinstance(ns[n], Figure)]
    assert len(names) == 1, cell
    fig = ns[names[0]]
    assert fig.axes and fig.axes[0].get_title(loc="left")
    fig.axes[0].set_title("restyled", loc="left")
    assert ns[names[0]].axes[0].get_title(loc="left") == "restyled"


def test_a_copied_section_cell_runs(capsys):
    from IPython.display import display

    path = next(p for p in NOTEBOOKS if p.stem == "1.0-trends")
    ns = _run(_setup(path), {"display": display})
    cell = next(_source(c) for c in _cells(path) if _source(c).startswith("notebook.section("))
    _run(cell, ns)
    assert "Markdown" in capsys.readouterr().out


@pytest.fixture(scope="module")
def res():
    return compute(load(DATA), 2023)


@pytest.mark.parametrize(
    "draw, args, name",
    [(charts.signings, ("projects",), "signings-projects"), (charts.landing, (), "landing")],
)
def test_in_a_build_a_shown_chart_is_saved_wide_and_narrow(res, tmp_path, draw, args, name):
    """What a build shows: the wide PNG, the narrow one drawn again at phone size (the same bytes as drawing it
    narrow from the start), both in one ``<figure>`` with the source line; the files beside the page."""
    import base64

    fig = draw(res, "en", *args)
    html = notebook.figure_html(fig, name, str(tmp_path)).data
    wide = charts.png(draw(res, "en", *args))
    narrow = charts.png(draw(res, "en", *args, size="narrow"))
    assert (tmp_path / f"{name}.png").read_bytes() == wide
    assert (tmp_path / f"{name}-narrow.png").read_bytes() == narrow
    assert html.startswith('<figure class="chart" ') and html.endswith("</figcaption></figure>")
    assert base64.b64encode(narrow).decode() in html and base64.b64encode(wide).decode() in html
    assert "<figcaption>Source: " in html


def test_in_jupyterlab_show_displays_the_figure_itself(res, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    fig = charts.signings(res, "en", "projects")
    notebook.show(fig, "signings-projects")
    assert shown == [fig]


def test_a_build_refuses_a_figure_it_cannot_draw_for_phones(tmp_path):
    """An analyst's own figure shows in JupyterLab; in a build it is refused in one line, nothing written."""
    with pytest.raises(TypeError, match="own-figure: a build shows only charts"):
        notebook.figure_html(Figure(), "own-figure", str(tmp_path))
    assert list(tmp_path.iterdir()) == []
