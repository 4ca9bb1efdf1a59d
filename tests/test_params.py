"""Parameters and API errors: a misspelt notebook parameter stops the run in one line naming the known ones
(papermill, the build); the Python API names its argument and checks its type; the CLI keeps its own words."""

from __future__ import annotations

import shutil

import papermill as pm
import pytest

import analysis.pipeline.build as B
from analysis import compute, load, notebook
from analysis.pipeline.cli import main

from .conftest import DATA, ROOT

NB_DIR = ROOT / "notebooks"
TRENDS = NB_DIR / "1.0-trends.ipynb"


@pytest.fixture(scope="module")
def ds():
    return load(DATA)


def test_papermill_stops_on_a_misspelt_parameter(tmp_path):
    """papermill alone only warns "Passed unknown parameter" and writes the default report."""
    known = B.notebook_parameters(TRENDS)
    with pytest.raises(pm.PapermillExecutionError) as exc:
        pm.execute_notebook(
            str(TRENDS), str(tmp_path / "out.ipynb"), parameters={"thru": 2021}, cwd=str(NB_DIR), progress_bar=False
        )
    assert exc.value.ename == "ValueError"
    assert exc.value.evalue == notebook.unknown_parameters(["thru"], known)
    assert "\n" not in exc.value.evalue and "thru" in exc.value.evalue
    assert all(name in exc.value.evalue for name in ("through", "lang"))


@pytest.mark.parametrize(
    "history, found",
    [
        (["", "lang = 'zh'\nthrough = None", "# Parameters\nthru = 2021\n"], (["thru"], ["lang", "through"])),
        (["", "lang = 'zh'\nthrough = None", "# Parameters\nthrough = 2021\n", "x = 1"], (["through"], None)),
        (["", "lang = 'zh'\nthrough = None", "x = 1"], None),  # no injection: JupyterLab, nbval
    ],
)
def test_the_injected_cell_is_read_from_the_kernel_history(history, found):
    got = notebook._injected(history)
    if found is None:
        assert got is None
    else:
        assert got[0] == found[0] and (found[1] is None or got[1] == found[1])


def test_check_params_outside_a_kernel_checks_only_values():
    notebook.check_params(lang="en")  # no IPython shell: nothing injected to check


@pytest.mark.parametrize("side", ["before", "after"])
def test_api_year_outside_the_data_names_the_python_argument(ds, side):
    years = ds.conference_years
    year, bound, which = (years[0] - 1, years[0], "first") if side == "before" else (years[-1] + 6, years[-1], "last")
    with pytest.raises(ValueError) as exc:
        compute(ds, year, projection=False)
    assert str(exc.value) == f"through={year}: {side} the {which} conference, {bound}"
    assert "--through" not in str(exc.value)


@pytest.mark.parametrize("bad", ["2021", 2021.0, True])
def test_api_through_must_be_an_int_year(ds, bad):
    with pytest.raises(TypeError, match=r"through must be an int year") as exc:
        compute(ds, bad, projection=False)
    assert "not supported" not in str(exc.value)


def test_cli_keeps_its_option_words(capsys):
    last = load(DATA).conference_years[-1]
    with pytest.raises(SystemExit) as exc:
        raise SystemExit(main(["metrics", "--through", str(last + 6), "--no-projection"]))
    err = capsys.readouterr().err + (exc.value.code if isinstance(exc.value.code, str) else "")
    assert f"--through {last + 6} is after the last conference in the data ({last})" in err
    assert "through=" not in err


def test_build_refuses_a_notebook_missing_a_parameter_before_any_kernel(tmp_path, monkeypatch, capsys):
    def refuse(*args, **kwargs):
        raise AssertionError("a kernel started")

    monkeypatch.setattr(B, "KernelPool", refuse)
    nb_dir = tmp_path / "notebooks"
    shutil.copytree(NB_DIR, nb_dir)
    report = nb_dir / B.REPORT_NOTEBOOK
    report.write_text(report.read_text(encoding="utf-8").replace("metrics_path = None", "metrics_file = None"))
    known = B.notebook_parameters(report)
    rc = main(["build", "--out", str(tmp_path / "out"), "--notebooks", str(nb_dir), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and len(err.strip().splitlines()) == 1, err
    assert f"{report.name}: {notebook.unknown_parameters(['metrics_path'], known)}" in err
    assert "metrics_file" in err
