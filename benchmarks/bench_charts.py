"""Benchmark of a build's chart cells (a script, not a test): figure draws and CPU per chart, before and after.

What ``notebook.show(fig, name, fig_dir)`` costs in a build, for every chart of one period report (both
languages): the figure draws (``Figure.draw`` calls, counting the layout draws of label placement and the draw
of each PNG) and the CPU seconds of the call, measured in one run two ways:

* before: each PNG made through ``Figure.savefig`` (a layout draw, then the draw that renders; what
  :func:`analysis.present.charts.png` did before it drew a chart of its own canvas once);
* after: :func:`analysis.present.charts.png` as it is.

The two ways' PNG bytes are compared: they must be identical.

    .venv/bin/python benchmarks/bench_charts.py [--through 2023] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--through", type=int, default=2023, help="the period report's last year")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each way (the median CPU is printed)")
    args = ap.parse_args()

    from matplotlib.backend_bases import FigureCanvasBase
    from matplotlib.figure import Figure

    from analysis import charts, compute, load, notebook

    res = compute(load(), args.through)
    cases = [
        ("signings-projects", lambda lang: charts.signings(res, lang, "projects")),
        ("cumulative-investment", lambda lang: charts.cumulative(res, lang, "investment")),
        ("landing", lambda lang: charts.landing(res, lang)),
        ("projection", lambda lang: charts.projection(res, lang)),
    ]
    draws = [0]
    original = Figure.draw

    def counted(self, renderer):
        draws[0] += 1
        return original(self, renderer)

    def before_png(fig):
        """png() through savefig: a figure without an Agg canvas of its own takes that path."""
        canvas = fig.canvas
        FigureCanvasBase(fig)
        try:
            return after_png(fig)
        finally:
            fig.set_canvas(canvas)

    after_png = charts.png
    print(f"{'chart':<32} {'draws before':>12} {'after':>6} {'CPU s before':>13} {'after':>7}")
    totals = {"before": [0, 0.0], "after": [0, 0.0]}
    for lang in ("zh", "en"):
        for name, draw in cases:
            row, pngs = {}, {}
            for way, png in (("before", before_png), ("after", after_png)):
                cpu = []
                for _ in range(args.repeat):
                    fig = draw(lang)
                    with tempfile.TemporaryDirectory() as d, mock.patch.object(Figure, "draw", counted):
                        draws[0] = 0
                        t = time.process_time()
                        with mock.patch.object(charts, "png", png):
                            notebook.figure_html(fig, name, d)
                        cpu.append(time.process_time() - t)
                        pngs[way] = (Path(d, f"{name}.png").read_bytes(), Path(d, f"{name}-narrow.png").read_bytes())
                row[way] = (draws[0], statistics.median(cpu))
                totals[way][0] += draws[0]
                totals[way][1] += row[way][1]
            if pngs["before"] != pngs["after"]:
                sys.exit(f"{lang} {name}: the PNGs differ between the two ways")
            (db, cb), (da, ca) = row["before"], row["after"]
            print(f"{lang + ' ' + name:<32} {db:>12} {da:>6} {cb:>13.3f} {ca:>7.3f}")
    (db, cb), (da, ca) = totals["before"], totals["after"]
    print(f"{'total':<32} {db:>12} {da:>6} {cb:>13.3f} {ca:>7.3f}   (PNG bytes identical)")


if __name__ == "__main__":
    main()
