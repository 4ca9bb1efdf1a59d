"""The report build: arguments checked before any kernel starts; the shared build's pages, figures and
metrics; and the pages, checked in a real browser. (Warm kernels against fresh ones and the no-op rebuild:
``tests/test_rebuild.py``; failures: ``tests/test_faults.py``.)

Browser checks: one Chromium process opens every built page (index, period reports, analyses) at 1280
and 390 CSS px and checks what a reader gets: nothing is fetched from the network, the page does not
scroll sideways, every image loaded, a report has its main-points box, no text is smaller than 12 px,
and Chinese is drawn in the CJK font (helpers in ``tests/browser.py``; ``make screenshots`` keeps the
screenshots). Skipped only where there is no Chromium binary at all (.ci/run installs Debian's
``chromium``). They share one build with the other tests here (``built_reports``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from analysis import load
from analysis.core.locale import LANGS
from analysis.pipeline import build as B
from analysis.pipeline.build import notebook_parameters, plan
from analysis.present.output import metrics_dict

from .browser import (
    CANDIDATES,
    HEIGHT,
    WIDTHS,
    Browser,
    PageReport,
    find_chromium,
    pages,
    png_size,
    problems,
    screenshot_tree,
)
from .conftest import DATA, ROOT, real_plan
from .test_metrics import INV23, INV24, P23, P24

NB_DIR = ROOT / "notebooks"
#: one report per release: 2019–2020 came out with 2021 (the 2021 article), so it has no report of its own
REPORTS = ["2021", "2022", "2023", "2024"]
ANALYSES = ["1.0-trends", "2.0-landing", "3.0-mix", "4.0-projection", "6.0-forecast-record"]


@pytest.fixture(scope="module")
def ds():
    return load(DATA)


def test_every_notebook_has_the_parameters_the_build_passes():
    for nb in sorted(NB_DIR.glob("*.ipynb")):
        names = notebook_parameters(nb)
        assert {"data_dir", "lang", "fig_dir", "through"} <= set(names), nb.name


def test_plan_has_a_report_per_published_period(ds, tmp_path):
    jobs = plan(ds, out_dir=tmp_path)  # both languages, English in en/
    assert [j.name for j in jobs] == ANALYSES + REPORTS + [f"en/{n}" for n in ANALYSES + REPORTS]
    assert [j.parameters.get("through") for j in jobs if j.through] == [2021, 2022, 2023, 2024] * len(LANGS)
    # a year inside 2019–2020 asks for the release that published it: the 2021 report
    assert [j.name for j in plan(ds, out_dir=tmp_path, years=[2019], lang="zh")] == ANALYSES + ["2021"]
    assert [j.name for j in plan(ds, out_dir=tmp_path, years=[2020, 2021], lang="zh")] == ANALYSES + ["2021"]
    # the kernel pool, sized before the data load, never exceeds what a build can use
    assert len(jobs) <= B.most_units() == len(LANGS) * (len(ANALYSES) + len(ds.conference_years))


@pytest.mark.parametrize(
    "kwargs,fragment",
    [({"years": [2031]}, "year(s) 2031 not in the data"), ({"lang": "fr"}, "unknown language 'fr'")],
)
def test_plan_rejects_bad_arguments(ds, tmp_path, kwargs, fragment):
    with pytest.raises(ValueError, match=re.escape(fragment)):
        plan(ds, out_dir=tmp_path, **kwargs)


def test_schedule_runs_a_units_languages_together_in_one_kernel_longest_first(ds, tmp_path):
    # a worker takes a group and runs it in its kernel, one notebook after the other: the second language reuses
    # what the first computed there; the longest groups first, so that the kernels end together
    todo = plan(ds, out_dir=tmp_path / "reports")
    groups = B.schedule(todo, 2)
    assert sorted(j.name for g in groups for j in g) == sorted(j.name for j in todo)  # each unit once
    assert all([j.lang for j in g] == list(LANGS) and len({j.key for j in g}) == 1 for g in groups)
    keys = [g[0].key for g in groups]
    assert keys[0] == "4.0-projection"  # the model's fit: the longest unit
    reports = [g[0].through for g in groups if g[0].through is not None]
    assert reports == sorted(reports, reverse=True) and keys[1 : 1 + len(reports)] == [str(t) for t in reports]
    # fewer groups than kernels (one release, both languages): each unit on its own, no kernel idles
    one = [j for j in todo if j.key == "2023"]
    assert [[j.name for j in g] for g in B.schedule(one, 2)] == [["2023"], ["en/2023"]]
    assert [[j.name for j in g] for g in B.schedule(one, 1)] == [["2023", "en/2023"]]


def test_plan_rejects_an_output_directory_under_a_file(ds, tmp_path):
    f = tmp_path / "notes.txt"
    f.write_text("x")
    with pytest.raises(ValueError, match="is a file, not a directory"):
        plan(ds, out_dir=f / "reports")
    with pytest.raises(ValueError, match="exists and is not a directory"):
        plan(ds, out_dir=f)


@pytest.mark.parametrize(
    "args,code,fragment",
    [
        (["--years", "2031"], 2, "not in the data; conference years are 2019, 2020, 2021, 2022, 2023, 2024"),
        (["--lang", "fr"], 2, "invalid choice: 'fr'"),
        (["--jobs", "0"], 2, "expected 1 or more"),
        (["--cell-timeout", "0"], 2, "argument --cell-timeout: expected 1 or more, got 0"),
        (["--cell-timeout", "2.5"], 2, "argument --cell-timeout: expected a whole number, got '2.5'"),
        (["--data", "/nonexistent"], 1, "fails the data check"),
    ],
)
def test_cli_build_fails_fast_without_writing(tmp_path, args, code, fragment, capsys):
    from analysis.pipeline.cli import main

    out = tmp_path / "reports"
    try:
        rc = main(["build", "--out", str(out), *args])
    except SystemExit as exc:
        rc = exc.code if isinstance(exc.code, int) else 1
        err = capsys.readouterr().err + ("" if isinstance(exc.code, int) else str(exc.code))
    else:
        err = capsys.readouterr().err
    assert rc == code
    assert fragment in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()  # nothing written


# --------------------------------------------------------------------------------------------- full builds


@pytest.fixture(scope="module")
def warm(built_reports):
    """Every unit built with warm kernels (the build's default): the run's shared build."""
    return built_reports


def test_build_writes_pages_figures_and_metrics(ds, warm):
    assert (warm / "index.html").exists()
    assert not (warm / "2019-2020").exists()
    for name in REPORTS:
        unit = warm / name
        assert {"report.html", "report.ipynb", "metrics.json", ".stamp.json"} <= {p.name for p in unit.iterdir()}
        assert any((unit / "figures").glob("*-narrow.png"))
    # the page and its metrics.json use the same through-year and vintage
    m = json.loads((warm / "2022" / "metrics.json").read_text(encoding="utf-8"))
    assert m == json.loads(json.dumps(metrics_dict(ds, 2022), ensure_ascii=False))
    assert m["through_year"] == 2022 and m["vintage"]["as_of"] == "2022"
    page = (warm / "2022" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page and 'class="main-points"' in page and '<details class="methods">' in page
    from analysis.present.page import report_title
    from analysis.stats.results import compute

    title = report_title(compute(ds, 2022, projection=False), "zh")  # the release's strongest finding
    assert f"<title>{title}</title>" in page and "北京日报客户端" in page
    assert "此后公布的情况" in page and "新京报" in page  # what came later is apart, under "since then"
    assert not re.search(r"<script|<link |@import|src=\"https?:", page)  # nothing loads from the network
    assert "notebook.chart(" not in page  # inputs hidden
    index = (warm / "index.html").read_text(encoding="utf-8")
    for name in REPORTS:
        assert f'href="{name}/report.html"' in index
    assert f"签约项目{P23}个，意向投资额约{INV23}亿元" in index  # the 2023 card's headline
    assert f"签约项目{P24}个，意向投资额{INV24}亿元" in index  # the 2024 card's: 北京青年报's exact 331.02


def test_the_index_reads_only_the_latest_reports_notebook(ds, warm, tmp_path, monkeypatch):
    # the headline is the latest report's first main point: no other executed notebook is read for it
    out = tmp_path / "reports"
    shutil.copytree(warm, out)
    jobs = plan(ds, out_dir=out)
    latest = max((j for j in jobs if j.through is not None and j.lang == LANGS[0]), key=lambda j: j.through)
    read, real = [], nbformat.read
    monkeypatch.setattr(nbformat, "read", lambda f, *a, **k: read.append(Path(f)) or real(f, *a, **k))
    B.write_index(out, ds, jobs, LANGS[0])
    assert read == [out / latest.name / f"{latest.stem}.ipynb"]
    assert (out / "index.html").read_bytes() == (warm / "index.html").read_bytes()


def test_a_notebooks_parameters_are_read_once_per_content_of_its_file(tmp_path, monkeypatch):
    # a plan asks for each notebook's parameters once per language and release: papermill reads its content once
    import papermill as pm

    nb = tmp_path / "1.0-trends.ipynb"
    book = nbformat.read(NB_DIR / nb.name, as_version=4)
    book.cells.append(nbformat.v4.new_markdown_cell(f"A notebook no other test has: {tmp_path}"))
    nbformat.write(book, nb)
    calls, real = [], pm.inspect_notebook
    monkeypatch.setattr(pm, "inspect_notebook", lambda p, *a, **k: calls.append(p) or real(p, *a, **k))
    first = notebook_parameters(nb)
    assert notebook_parameters(nb) == first and len(calls) == 1
    book = nbformat.read(nb, as_version=4)  # edited: a parameter added, so the file is read again
    cell = next(c for c in book.cells if "parameters" in c.metadata.get("tags", []))
    cell.source += "\nextra = 1"
    nbformat.write(book, nb)
    assert notebook_parameters(nb) == [*first, "extra"] and len(calls) == 2


def test_the_record_is_scored_once_for_a_pages_sections_and_languages(tmp_path, monkeypatch):
    # the record analysis words the archive's record in several sections, its title and both languages: the
    # archive is scored once per data and version of its files, and a changed archive is scored again
    from analysis.present import prose
    from analysis.stats import record as R
    from analysis.stats.results import compute

    shutil.copytree(DATA, tmp_path / "data")
    shutil.copytree(ROOT / "forecasts", tmp_path / "forecasts")
    res = compute(load(tmp_path / "data"), projection=False)
    sections = [s for s in prose.SECTIONS if s.startswith("record")]
    calls, real = [], R.forecast_record
    monkeypatch.setattr(R, "forecast_record", lambda *a, **k: calls.append(a) or real(*a, **k))
    texts = {(s, lang): prose.text(s, res, lang) for lang in LANGS for s in sections}
    assert len(calls) == 1 and len(sections) > 1
    oldest = sorted((tmp_path / "forecasts").glob("*.csv"))[0]
    oldest.unlink()  # one archived forecast fewer: the record is scored again, and worded from the new one
    again = {(s, lang): prose.text(s, res, lang) for lang in LANGS for s in sections}
    assert len(calls) == 2 and again != texts
    fresh = R.facts(real(res.dataset, refit=False))
    assert again == {k: prose.text(k[0], res, k[1], record=real(res.dataset, refit=False)) for k in again}
    assert fresh["n_forecasts"] == len(list((tmp_path / "forecasts").glob("*.csv")))


def test_executed_notebooks_carry_no_timings_paths_or_random_ids(warm):
    nb = nbformat.read(warm / "2023" / "report.ipynb", as_version=4)
    text = (warm / "2023" / "report.ipynb").read_text(encoding="utf-8")
    assert "papermill" not in nb.metadata and "/tmp" not in text and str(ROOT) not in text
    assert all("execution" not in c.metadata for c in nb.cells)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert [c.id for c in injected] == ["injected-parameters"] and 'fig_dir = "figures"' in injected[0].source
    assert "data_dir" not in injected[0].source  # the kernels get the data folder through the environment
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code" and c.execution_count]
    assert counts == list(range(1, len(counts) + 1))


# --------------------------------------------------------------------------------------------- in a real browser

CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason=f"no Chromium binary (looked for $CHROMIUM, {', '.join(CANDIDATES)}): "
    "install it with `apt-get install chromium` (.ci/run does) to check the pages in a real browser",
)


def _page_names() -> list[str]:
    """The pages a full build writes, known before building: each language's index, then one per job of the plan."""
    names = [j.name for j in real_plan()]
    return sorted({n.rpartition("/")[0] + "/index" if "/" in n else "index" for n in names}) + names


PAGES = _page_names() if CHROMIUM else ["index"]
#: the pages the screenshot tests capture: the index and a short page with charts (each taller than the viewport at
#: every width, as the test checks; a capture's cost grows with the page's height: a report is over twice as tall)
SHOT_PAGES = ["index", "2.0-landing"]


@pytest.fixture(scope="module")
def built(built_reports, tmp_path_factory) -> dict[str, Path]:
    """Every page of the shared full build (all periods and analyses, zh), by name, in a copy (the
    screenshot test writes into it)."""
    out = tmp_path_factory.mktemp("browser") / "reports"
    shutil.copytree(built_reports, out)
    found = dict(pages(out))
    assert sorted(found) == sorted(PAGES), "the build wrote other pages than the plan promised"
    return found


@pytest.fixture(scope="module")
def browser():
    with Browser(CHROMIUM) as b:
        yield b


@needs_chromium
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_page_in_a_real_browser(built, browser_survey, name, width):
    # the page as Chromium showed it (the run's one survey of the shared build; screenshots: the next test)
    rep = PageReport(**browser_survey[name, width]["report"])
    assert rep.images or name.endswith("index"), f"{name} shows no chart at all"
    found = problems(rep, main_points=not name.endswith("index"))
    assert not found, "\n".join(found)


@needs_chromium
def test_screenshot_tree_keeps_one_png_per_page_and_width(built, browser):
    out = built["index"].parent
    shots = out.parent / "screenshots"
    stale = shots / "gone-1280.png"
    stale.parent.mkdir(exist_ok=True)
    stale.write_bytes(b"")
    paths = screenshot_tree(out, shots, widths=(1280, 390), browser=browser, names=set(SHOT_PAGES))
    assert sorted(p.name for p in paths) == sorted(f"{n}-{w}.png" for n in SHOT_PAGES for w in (1280, 390))
    for p in paths:  # the whole page at its width, not a blank viewport
        w, h = png_size(p.read_bytes())
        assert w == int(p.stem.rsplit("-", 1)[1]) and h >= 600
    assert not stale.exists()


def test_the_browser_finds_the_cjk_font_without_importing_matplotlib(tmp_path):
    # a browser starts in a second (importing the charts module for its font's folder cost seconds)
    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, 'tests'); import browser; "
        f"browser.fonts_conf(Path({str(tmp_path)!r})); print(browser.font_dir()); "
        "print(sorted(m for m in ('matplotlib', 'mplfonts', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    folder, imported = out.splitlines()
    from analysis.present.charts import font_path

    assert Path(folder) == font_path().parent and imported == "[]"
    assert f"<dir>{folder}</dir>" in (tmp_path / "fonts.conf").read_text(encoding="utf-8")


@needs_chromium
@pytest.mark.parametrize("name", SHOT_PAGES)
def test_a_screenshot_is_chromiums_full_page_capture(built, browser, name):
    # the page as tall as the viewport, then captured: the bytes of Chromium's capture beyond the viewport,
    # whether taken alone or in the tab of the survey (make reports, make screenshots), which measures after it
    import base64

    path = built[name]
    for width in WIDTHS:
        target, s = browser._open_tab(path, width)
        try:
            height = browser.send("Page.getLayoutMetrics", session=s)["cssContentSize"]["height"]
            assert height > HEIGHT, f"{name} fits the viewport at {width} px: nothing to capture beyond it"
            clip = {"x": 0, "y": 0, "width": width, "height": max(1, int(height + 0.5)), "scale": 1}
            params = {"format": "png", "clip": clip, "captureBeyondViewport": True}
            beyond = base64.b64decode(browser.send("Page.captureScreenshot", params, session=s, timeout=60)["data"])
        finally:
            browser._close_tab(target, s)
        surveyed = browser.survey(path, width, name=name, screenshot=True)
        assert browser.screenshot(path, width) == beyond == surveyed.pop("screenshot")
        checked = PageReport(**surveyed["report"])
        assert checked.inner_width == width and not problems(checked, main_points=name != "index")
