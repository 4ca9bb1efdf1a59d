"""Builds again after the run's shared one (``built_reports``): warm kernels give the bytes fresh ones give, so
two builds are identical; a rebuild with nothing changed does nothing, and a changed notebook rebuilds its unit
only.

Apart from ``tests/test_build.py`` so that the two pytest-xdist workers can share the work that follows the
shared build (``make test`` hands out whole files).
"""

from __future__ import annotations

import filecmp
import shutil

import nbformat
import pytest

from analysis import load
from analysis.pipeline import build as B
from analysis.pipeline.build import build, plan

from .conftest import DATA, ROOT

NB_DIR = ROOT / "notebooks"


@pytest.fixture(scope="module")
def ds():
    return load(DATA)


@pytest.fixture(scope="module")
def warm(built_reports):
    """Every unit built with one warm kernel (the build's default): the run's shared build."""
    return built_reports


def _tree(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


#: the units run again in fresh kernels: an analysis and a period report of the second language, which the
#: shared build ran late in its one warm kernel (after every unit of the first language, whose results,
#: data and chart style that kernel kept); each fresh kernel imports the stack again, so two are enough
FRESH = ["en/2.0-landing", "en/2023"]


def test_warm_kernels_give_the_bytes_of_fresh_ones_and_builds_are_reproducible(ds, warm, tmp_path):
    """An analysis and a report, each in a fresh kernel: the same files, byte for byte, as the shared build that
    ran them in one warm kernel after a dozen other notebooks; so two builds from the same inputs are identical
    too."""
    out = tmp_path / "reports"
    jobs = [j for j in plan(ds, out_dir=out) if j.name in FRESH]
    assert [j.name for j in jobs] == FRESH
    build(jobs, ds, n_jobs=2, progress=False, tree="tests", fresh=True)
    for j in jobs:
        cmp = filecmp.dircmp(warm / j.name, out / j.name)
        same, diff, errors = filecmp.cmpfiles(warm / j.name, out / j.name, _tree(out / j.name), shallow=False)
        assert diff == [] and errors == [] and not cmp.left_only and not cmp.right_only, (j.name, diff, errors)


def test_a_rebuild_with_nothing_changed_does_nothing(ds, warm, tmp_path, capsys):
    from analysis.pipeline import cli

    out = tmp_path / "reports"
    shutil.copytree(warm, out)  # written by build() with the digest the CLI computes
    tree = B.tree_digest(None)
    assert B.up_to_date(out, tree)

    def refused(*args, **kwargs):
        raise AssertionError("a no-op build started a kernel or loaded the data")

    # the command line's no-op: no kernel, no data loaded (a MonkeyPatch of its own, not the ``monkeypatch``
    # fixture: the patches refuse work and change nothing computed, so this process's results are kept)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(B, "KernelPool", refused)
        mp.setattr(cli, "_load_or_fail", refused)
        mp.setattr(B, "plan", refused)
        assert cli.main(["build", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "nothing changed" in err and str(out / "index.html") in err
    # a changed notebook: only its unit is rebuilt
    jobs = plan(ds, out_dir=out)
    done = build(jobs, ds, n_jobs=1, progress=False, tree=tree)
    assert done["built"] == [] and len(done["skipped"]) == len(jobs)
    nb_dir = tmp_path / "notebooks"
    shutil.copytree(NB_DIR, nb_dir)
    # an analyst cut one notebook down to its parameters and a note: what is rebuilt is what changed, whatever the
    # change (so the cut-down notebook runs in a kernel that imports nothing: a real notebook in a warm kernel
    # is the shared build's, compared with fresh kernels above)
    changed = "2.0-landing"
    nb = nbformat.read(nb_dir / f"{changed}.ipynb", as_version=4)
    nb.cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    nb.cells.append(nbformat.v4.new_markdown_cell("A note an analyst added."))
    nbformat.write(nb, nb_dir / f"{changed}.ipynb")
    pool = B.KernelPool(1, warm_up="")
    try:
        done = build(plan(ds, out_dir=out, nb_dir=nb_dir), ds, n_jobs=1, progress=False, tree="other", pool=pool)
    finally:
        pool.close()
    # (in both languages: the English tree runs the same notebook)
    assert done["built"] == [changed, f"en/{changed}"] and len(done["skipped"]) == len(jobs) - 2
    assert not B.up_to_date(out, tree)
    # the contents page lists every unit of the full plan on disk (a --years build passes the full plan)
    B.write_index(out, ds, plan(ds, out_dir=out), "zh")
    assert (out / "index.html").read_bytes() == (warm / "index.html").read_bytes()
