"""The browser survey ``make reports`` takes with its screenshots and the suite reuses (``tests/browser.py``).

``python tests/browser.py reports/ --shots build/screenshots --changed`` surveys each page at each width in the tab
of its screenshot and keeps the entries in ``build/screenshots/survey.json``; ``browser_survey``
(``tests/conftest.py``) reuses an entry for the shared build when the page and every file of the tree it requested
or links to have the same bytes there, and the tool (this module's code, Chromium, the fonts) is the same. Here on
small synthetic trees: a few pages, a shared image and a page's own image, so that each promise is cheap to see.
"""

from __future__ import annotations

import shutil
import struct
import zlib
from pathlib import Path

import pytest

from .browser import (
    SURVEY_FILE,
    SURVEYED,
    TREE,
    Browser,
    PageReport,
    dependencies,
    entry_valid,
    find_chromium,
    furniture_problems,
    localized,
    pages,
    portable,
    problems,
    read_survey,
    screenshot_tree,
    survey_entry,
    survey_tree,
    table_chart_problems,
    tool_key,
    write_survey,
)

CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium binary (apt-get install chromium)")
#: one width keeps the browser tests cheap (the stored entries are per width alike)
WIDTH = 390


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A PNG of one colour, from first principles (signature, IHDR, IDAT, IEND)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + bytes(rgb) * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><h1>{title}</h1>{body}<p>{'Some text of the page. ' * 40}</p></body></html>\n"
    )


def _tree(root: Path) -> Path:
    """index (a CSV link and a link to a missing file), ``a`` (its own chart, the shared image, a link to ``b``),
    ``b`` (the shared image only)."""
    (root / "a").mkdir(parents=True)
    (root / "b").mkdir()
    links = '<a class="csv" href="data.csv">data</a> <a class="metrics" href="gone.json">metrics</a>'
    (root / "index.html").write_text(_page("Index", links), encoding="utf-8")
    (root / "data.csv").write_text("year,projects\n", encoding="utf-8")
    (root / "common.png").write_bytes(_png(40, 20, (200, 30, 30)))
    (root / "a" / "chart.png").write_bytes(_png(60, 30, (30, 30, 200)))
    a = '<img src="chart.png" alt="a chart"><img src="../common.png" alt="shared"><nav class="pager">'
    (root / "a" / "report.html").write_text(_page("A", a + '<a href="../b/report.html">B</a></nav>'), encoding="utf-8")
    (root / "b" / "report.html").write_text(_page("B", '<img src="../common.png" alt="shared">'), encoding="utf-8")
    return root


#: what each page of :func:`_tree` depends on
DEPS = {
    "index": ["data.csv", "gone.json", "index.html"],
    "a": ["a/chart.png", "a/report.html", "b/report.html", "common.png"],
    "b": ["b/report.html", "common.png"],
}


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("no Chromium binary (apt-get install chromium)")
    with Browser(CHROMIUM) as b:
        yield b


@pytest.fixture
def tree(tmp_path) -> Path:
    return _tree(tmp_path / "site" / "reports")


def _entries(browser, tree: Path, tool: dict) -> dict:
    return {
        name: survey_entry(browser.survey(path, WIDTH, name=name), tree, name, path, WIDTH, tool)
        for name, path in pages(tree)
    }


def _valid(entries: dict, tree: Path, tool: dict) -> set[str]:
    files: dict = {}
    return {name for name, path in pages(tree) if entry_valid(entries[name], tree, path, tool, files)}


def test_an_entry_is_portable_and_names_what_it_depends_on(tmp_path):
    # no browser: a survey as Chromium reports it, stored and read back for another tree
    here, there = tmp_path / "here", tmp_path / "elsewhere" / "tree"
    uri = here.resolve().as_uri()
    found = {
        "report": {"requests": [f"{uri}/a/report.html", f"{uri}/a/chart%20one.png", "data:image/png;base64,AAA"]},
        "furniture": {"links": [{"href": f"{uri}/b/report.html#top"}, {"href": "mailto:someone@example.org"}]},
        "tables_charts": {},
    }
    stored = portable(found, here)
    assert stored["report"]["requests"][:2] == [f"{TREE}/a/report.html", f"{TREE}/a/chart%20one.png"]
    assert dependencies(stored, "a/report.html") == ["a/chart one.png", "a/report.html", "b/report.html"]
    back = localized(stored, there)
    assert back["report"]["requests"][0] == there.resolve().as_uri() + "/a/report.html"
    assert [a["href"] for a in back["furniture"]["links"]] == [
        there.resolve().as_uri() + "/b/report.html#top",
        "mailto:someone@example.org",
    ]
    assert localized(stored, here) == found and found["report"]["requests"][0].startswith(uri)


@needs_chromium
def test_an_entry_is_reused_only_while_every_byte_it_depends_on_is_the_same(browser, tree):
    tool = tool_key()
    entries = _entries(browser, tree, tool)
    assert {name: e["deps"] for name, e in entries.items()} == DEPS
    assert _valid(entries, tree, tool) == {"index", "a", "b"}

    chart = tree / "a" / "chart.png"
    kept = chart.read_bytes()
    chart.write_bytes(_png(60, 30, (30, 200, 30)))  # an edited image behind an unchanged page
    assert _valid(entries, tree, tool) == {"index", "b"}
    chart.write_bytes(kept)
    assert _valid(entries, tree, tool) == {"index", "a", "b"}

    linked = tree / "b" / "report.html"
    linked.write_text(linked.read_text(encoding="utf-8").replace("Some text", "Other text"), encoding="utf-8")
    assert _valid(entries, tree, tool) == {"index"}  # b itself, and a, which links to it

    (tree / "gone.json").write_text("{}", encoding="utf-8")  # a file that was missing is there now
    assert _valid(entries, tree, tool) == set()

    fresh = _entries(browser, tree, tool)
    assert _valid(fresh, tree, tool) == {"index", "a", "b"}
    for changed in ({"browser.py": "0" * 64}, {"chromium": ["/elsewhere/chromium", 1, 1]}, {"fonts": "/elsewhere"}):
        assert _valid(fresh, tree, {**tool, **changed}) == set(), changed


@needs_chromium
def test_a_stored_entry_read_for_a_tree_elsewhere_gives_that_trees_urls_and_verdicts(browser, tree, tmp_path):
    tool = tool_key()
    store = tmp_path / "shots" / SURVEY_FILE
    store.parent.mkdir()
    write_survey(store, _entries(browser, tree, tool).values())
    assert TREE in store.read_text(encoding="utf-8") and str(tree) not in store.read_text(encoding="utf-8")

    there = tmp_path / "elsewhere" / "copy"
    shutil.copytree(tree, there)
    reused: list = []
    read = survey_tree(there, widths=(WIDTH,), stored=store, reused=reused)
    fresh = survey_tree(there, widths=(WIDTH,), browser=browser)
    assert sorted(reused) == sorted((name, WIDTH) for name in DEPS)
    assert read == fresh
    uri = there.resolve().as_uri() + "/"
    for got in read:
        assert got["path"].startswith(str(there)) and got["report"]["requests"][0].startswith(uri)
        assert all(TREE not in a["href"] for a in got["furniture"]["links"])

    def verdicts(found: list[dict]) -> list[str]:
        out = []
        for f in found:
            name, path = f["name"], Path(f["path"])
            out += problems(PageReport(**f["report"]), main_points=False)
            out += furniture_problems(f["furniture"], path, WIDTH)
            out += table_chart_problems(f["tables_charts"], name, WIDTH)
        return out

    found = verdicts(read)
    assert found == verdicts(fresh)
    assert any(f"leads nowhere: {there / 'gone.json'}" in line for line in found)  # this tree's path


@needs_chromium
def test_screenshot_tree_retakes_exactly_the_pages_whose_bytes_changed(browser, tree, tmp_path):
    shots = tmp_path / "shots"
    shots.mkdir()
    (shots / ".stamp.json").write_text("{}", encoding="utf-8")  # the record the survey replaced

    def run() -> list[str]:
        taken: list = []
        screenshot_tree(tree, shots, widths=(WIDTH,), browser=browser, only_changed=True, taken=taken)
        return sorted(p.name for p in taken)

    assert run() == ["a-390.png", "b-390.png", "index-390.png"]
    stored = read_survey(shots / SURVEY_FILE)
    assert sorted(stored) == sorted((name, WIDTH) for name in DEPS) and not (shots / ".stamp.json").exists()
    assert not list(shots.glob("*.tmp")) and not list(tree.rglob(SURVEY_FILE))
    assert run() == []  # unchanged: nothing taken

    (tree / "common.png").write_bytes(_png(40, 20, (30, 200, 30)))  # behind two unchanged pages
    assert run() == ["a-390.png", "b-390.png"]
    assert run() == []
    (shots / "index-390.png").unlink()
    assert run() == ["index-390.png"]
    assert read_survey(shots / SURVEY_FILE)["b", WIDTH] != stored["b", WIDTH]  # the entry taken again

    with pytest.raises(ValueError, match="outside the report tree"):
        screenshot_tree(tree, tree / "shots", widths=(WIDTH,), browser=browser)


@needs_chromium
def test_the_survey_taken_with_its_screenshot_is_the_survey_taken_alone(browser, tree):
    for name, path in pages(tree)[1:2]:  # a: its own image, the shared one and a link
        both = browser.survey(path, WIDTH, name=name, screenshot=True)
        shot = both.pop("screenshot")
        assert both == browser.survey(path, WIDTH, name=name), name
        assert shot == browser.screenshot(path, WIDTH) and shot.startswith(b"\x89PNG"), name
        assert set(both) == set(SURVEYED)
