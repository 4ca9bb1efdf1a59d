"""The built pages' tables and charts as a reader gets them (issue 21, item 3), in headless Chromium at 1280 and
390 CSS px: every table has a caption and its key columns in view without scrolling sideways, no chart text is
under 10 CSS px where the page shows it, and no image's alt text is the page's title or a caption; and every page
stays under the weight budget (its charts are inline 2x PNGs).

Helpers in ``tests/browser.py`` (``TABLES_CHARTS_JS``, ``table_chart_problems``); the build is the run's shared
one (``built_reports``), measured in Chromium once for every browser test (``browser_survey``).
"""

from __future__ import annotations

import pytest

from .browser import WIDTHS, find_chromium, pages, table_chart_problems

#: the most one page may weigh, charts included (bytes)
PAGE_BUDGET = 1_500_000

CHROMIUM = find_chromium()


def test_every_page_is_under_the_weight_budget(built_reports):
    found = pages(built_reports)
    assert len(found) > 1
    heavy = {name: path.stat().st_size for name, path in found if path.stat().st_size > PAGE_BUDGET}
    assert not heavy, heavy


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium binary (apt-get install chromium)")
@pytest.mark.parametrize("width", WIDTHS)
def test_tables_and_charts_in_a_real_browser(built_reports, browser_survey, width):
    bad, tables, charts = [], 0, 0
    for name, _path in pages(built_reports):
        found = browser_survey[name, width]["tables_charts"]  # the run's one survey of the shared build
        tables += len(found["tables"])
        charts += len(found["charts"])
        bad += table_chart_problems(found, name, width)
        if width == min(WIDTHS):  # a phone shows the narrow rendering
            assert all(c["narrow"] for c in found["charts"] if c["hasNarrow"]), name  # the index's one is small
    assert tables and charts
    assert not bad, "\n".join(bad)
