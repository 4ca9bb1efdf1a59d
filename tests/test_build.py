"""The report build: arguments checked before any kernel starts, outputs written, failures atomic."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import nbformat
import pytest

from analysis.build import BuildError, build, notebook_parameters, plan
from analysis.data import load
from analysis.output import metrics_dict

from .conftest import DATA, ROOT

NB_DIR = ROOT / "notebooks"


@pytest.fixture(scope="module")
def ds():
    return load(DATA)


def test_every_notebook_has_the_parameters_the_build_passes():
    for nb in sorted(NB_DIR.glob("*.ipynb")):
        names = notebook_parameters(nb)
        assert {"data_dir", "lang", "fig_dir"} <= names, nb.name
    assert "year" in notebook_parameters(NB_DIR / "5.0-yearly-report.ipynb")


def test_plan_covers_every_conference_year(ds, tmp_path):
    jobs = plan(ds, out_dir=tmp_path)
    years = [j.name for j in jobs if j.metrics_through is not None]
    assert years == [str(y) for y in ds.conference_years]
    assert [j.name for j in jobs if j.metrics_through is None] == sorted(p.stem for p in NB_DIR.glob("*.ipynb") if "yearly" not in p.name)


@pytest.mark.parametrize(
    "kwargs,fragment",
    [({"years": [2031]}, "year(s) 2031 not in the data"), ({"lang": "fr"}, "unknown language 'fr'")],
)
def test_plan_rejects_bad_arguments(ds, tmp_path, kwargs, fragment):
    with pytest.raises(ValueError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        plan(ds, out_dir=tmp_path, **kwargs)


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
        (["--years", "2031"], 2, "not in the data; conference years are 2019, 2020, 2021, 2022"),
        (["--lang", "fr"], 2, "invalid choice: 'fr'"),
        (["--jobs", "0"], 2, "expected 1 or more"),
        (["--data", "/nonexistent"], 1, "fails the data check"),
    ],
)
def test_cli_build_fails_fast_without_writing(tmp_path, args, code, fragment):
    out = tmp_path / "reports"
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "analysis", "build", "--out", str(out), *args],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == code
    assert fragment in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not out.exists()  # no kernel started, nothing written
    assert time.perf_counter() - t < 30


def test_build_writes_html_figures_and_metrics(ds, tmp_path):
    jobs = [j for j in plan(ds, out_dir=tmp_path, years=[2022], lang="en") if j.name in ("1.0-trends", "2022")]
    before = os.getcwd()
    build(jobs, n_jobs=2, progress=False)
    assert os.getcwd() == before  # parallel kernels must not move the caller (papermill's cwd= uses os.chdir)
    page = (tmp_path / "1.0-trends" / "1.0-trends.html").read_text(encoding="utf-8")
    assert "data:image/png;base64" in page and "Traceback" not in page
    assert "R.show(" not in page  # inputs hidden
    assert sorted(p.name for p in (tmp_path / "1.0-trends" / "figures").glob("*.png")) == ["cumulative.png", "periods.png"]
    yearly = tmp_path / "2022"
    assert (yearly / "report.html").exists() and any((yearly / "figures").glob("*.png"))
    assert json.loads((yearly / "metrics.json").read_text(encoding="utf-8")) == json.loads(
        json.dumps(metrics_dict(ds, 2022), ensure_ascii=False)
    )
    assert "1.0-trends/1.0-trends.html" in (tmp_path / "index.html").read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".tmp-*")) and not list(tmp_path.glob(".old-*"))


def test_failing_notebook_keeps_the_earlier_report(ds, tmp_path):
    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    shutil.copy(NB_DIR / "5.0-yearly-report.ipynb", nb_dir)
    bad = nbformat.read(NB_DIR / "1.0-trends.ipynb", as_version=4)
    bad.cells.insert(3, nbformat.v4.new_code_cell("raise RuntimeError('deliberate failure')"))
    nbformat.write(bad, nb_dir / "1.0-trends.ipynb")
    out = tmp_path / "reports"
    earlier = out / "1.0-trends"
    earlier.mkdir(parents=True)
    (earlier / "1.0-trends.html").write_text("earlier report", encoding="utf-8")
    jobs = [j for j in plan(ds, out_dir=out, years=[2022], nb_dir=nb_dir) if j.name == "1.0-trends"]
    with pytest.raises(BuildError) as exc:
        build(jobs, n_jobs=1, progress=False)
    msg = str(exc.value)
    assert "1.0-trends.ipynb" in msg and "RuntimeError: deliberate failure" in msg and "cell" in msg
    assert (earlier / "1.0-trends.html").read_text(encoding="utf-8") == "earlier report"
    assert sorted(p.name for p in out.iterdir()) == ["1.0-trends", "index.html"]
