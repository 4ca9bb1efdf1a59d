"""Shared fixtures: a scratch copy of data/ that tests may corrupt, small CSV editing helpers, one shared build,
and the order the files run in (the longest first)."""

from __future__ import annotations

import csv
import functools
import io
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: where ``make reports`` keeps its screenshots and their survey (``python tests/browser.py --shots``)
SCREENSHOTS = ROOT / "build" / "screenshots"
#: every file, longest first, as an earlier measure of each file's CPU (its own, its kernels' and its browser's) put
#: them; the figure beside each name is the wall seconds the file took on its worker in a later run after ``make
#: reports`` (1196 tests, two workers, both ending within 0.1 s of each other). They run in this order: ``make test``
#: hands whole files to the pytest-xdist workers in collection order (``--dist loadfile --no-loadscope-reorder``),
#: and each worker takes the next file as it finishes one, so the run ends with the short files and no worker is
#: left with a long file while the other idles.
#: test_build.py is first: its worker makes the run's shared build (``built_reports``) and the browser's survey of
#: it while the other runs the files that need neither; the files that read them (test_rebuild.py, test_zh_style.py,
#: test_furniture.py, test_page_tables_charts.py) come after more than a build's worth of other files, when it is
#: there. The order changes no result; a file missing here only runs later.
LONGEST_FIRST = (
    "test_build.py",  # 12.4 (its worker makes the shared build first: about 55 CPU s more on a clean clone)
    "test_faults.py",  # 35.7
    "test_chart_layout.py",  # 10.4
    "test_escaping.py",  # 14.1
    "test_docs.py",  # 13.9
    "test_plotting.py",  # 7.1
    "test_rebuild.py",  # 9.9, after more than a build's worth on the other worker
    "test_prose.py",  # 4.0
    "4.0-projection.ipynb",  # 9.5
    "test_landing_model.py",  # 8.9
    "test_bad_input.py",  # 11.6
    "test_findings.py",  # 5.1
    "test_inference.py",  # 8.7
    "test_compute_cache.py",  # 3.9
    "test_new_year.py",  # 5.3
    "test_draws.py",  # 4.9
    "test_record.py",  # 5.1
    "test_survey.py",  # 7.6 (its own Chromium)
    "5.0-period-report.ipynb",  # 6.5
    "6.0-forecast-record.ipynb",  # 4.9
    "3.0-mix.ipynb",  # 4.0
    "test_properties.py",  # 2.2
    "test_calibration.py",  # 3.0
    "1.0-trends.ipynb",  # 3.6
    "test_data.py",  # 1.3
    "test_params.py",  # 3.8
    "2.0-landing.ipynb",  # 4.0
    "test_posterior.py",  # 2.6
    "test_weighting.py",  # 2.7
    "test_notebook_study.py",  # 1.5
    "test_releases.py",  # 1.2
    "test_results.py",  # 1.4
    "test_zh_style.py",  # 1.7
    "test_furniture.py",  # 2.0
    "test_page_tables_charts.py",  # 0.0 (reads the survey)
    "test_locale.py",  # 0.8
    "test_claims.py",  # 1.0
    "test_model.py",  # 2.2
    "test_layers.py",  # 1.1
    "test_tables.py",  # 1.1
    "test_outdir.py",  # 1.4
    "test_projection.py",  # 1.7
    "test_split.py",  # 0.8
    "test_load_cache.py",  # 0.6
    "test_metrics.py",  # 0.5
    "test_make_lab.py",  # 0.6
    "test_qualifiers.py",  # 0.2
    "test_result_types.py",  # 0.1
    "test_make.py",  # 0.3
    "test_vocab.py",  # 0.1
)


def pytest_collection_modifyitems(session, config, items):
    """The files of :data:`LONGEST_FIRST` first, in that order; every file's tests keep their order."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def pytest_collection_finish(session):
    """What collection imported and loaded stays for the whole run: the garbage collector leaves it alone
    (``gc.freeze``) and runs less often (``GC_THRESHOLDS``). A full collection walked every object of a worker's
    heap, about 45 times a run at 0.3 s each (14 CPU-s per run, measured with ``gc.callbacks``). The thresholds
    are a warm kernel's (:data:`analysis.pipeline.kernels.GC_THRESHOLDS`)."""
    import gc

    from analysis.pipeline.kernels import GC_THRESHOLDS

    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


@pytest.hookimpl(tryfirst=True)
def pytest_unconfigure(config):
    """A pytest-xdist worker ends as soon as its session has: its results, and the teardown of every fixture, were
    sent to the controlling process with the session's end (``workerfinished``), and what is left would take the
    run's last 3 seconds while the controller waits: pytest's full garbage collections looking for exceptions no one
    would report any more (a worker's warnings reach the controller during the session only), then the interpreter
    freeing each object of a heap of a gigabyte. The worker's output is flushed first; the run's exit status is the
    controller's, from the reports."""
    if not hasattr(config, "workerinput"):
        return
    import os
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


#: How many results ``compute`` keeps in a test process (:data:`analysis.stats.results.MEMO_SIZE`, 8 in a kernel):
#: a worker runs files that compute every release of the real data with and without a projection (12 keys) between
#: files that compute synthetic histories (one key each, never asked again), which pushed the real ones out to be
#: computed again. The memo's own bound is tested with its own size (tests/test_compute_cache.py).
TEST_MEMO_SIZE = 64
#: How many fitted models the projections keep in a test process (:data:`analysis.stats.projection.FIT_MEMO_SIZE`, 6
#: in a kernel): the real releases' and the datasets of equal figures the files make between them (about 13 MB each)
TEST_FIT_MEMO_SIZE = 16


@pytest.fixture(autouse=True, scope="session")
def _synthetic_datasets_in_the_runs_folder(tmp_path_factory):
    """Synthetic datasets (:func:`tests.synth.new_folder`) are made in this run's temporary folder."""
    from . import synth

    synth.ROOT[:] = [tmp_path_factory.mktemp("synthetic")]
    yield
    synth.ROOT.clear()


@pytest.fixture(autouse=True, scope="session")
def _memo_of_the_session():
    """``compute`` keeps :data:`TEST_MEMO_SIZE` results in this process (what it hands out is a copy either way), and
    the projections :data:`TEST_FIT_MEMO_SIZE` fitted models."""
    from analysis.stats import projection, results

    sizes = results.MEMO_SIZE, projection.FIT_MEMO_SIZE
    results.MEMO_SIZE, projection.FIT_MEMO_SIZE = TEST_MEMO_SIZE, TEST_FIT_MEMO_SIZE
    yield
    results.MEMO_SIZE, projection.FIT_MEMO_SIZE = sizes


@pytest.fixture(autouse=True)
def _computed_afresh_when_patched(request):
    """A test that patches code with ``monkeypatch`` computes afresh: the per-process memos of results
    (``compute``), of fitted models (``projection.fitted``) and of the study's summary would hide its patch, and
    must not keep what it computed. What they held before the test (computed without its patch) is put back after
    it, for the tests that follow."""
    if "monkeypatch" not in request.fixturenames:
        yield
        return
    from analysis.present import prose
    from analysis.stats import projection, results

    kept = results._MEMO.copy(), prose._SUMMARIES.copy(), projection._FITS.copy()
    results.clear_cache()
    prose.clear_cache()
    yield
    results.clear_cache()
    prose.clear_cache()
    results._MEMO.update(kept[0])
    prose._SUMMARIES.update(kept[1])
    projection._FITS.update(kept[2])


@functools.cache
def real_data():
    """The real data, loaded once per process for what the test files need when pytest collects them (their
    parameters, module constants): every xdist worker collects every file, so a load per file would be paid by
    each worker. Read only (a Dataset is never changed after load)."""
    from analysis import load

    return load(DATA)


@functools.cache
def real_plan() -> tuple:
    """The full build plan of the real data (both languages), made once per process: its jobs' names and
    parameters (the out folder is never written)."""
    from analysis.pipeline.build import plan

    return tuple(plan(real_data(), out_dir=Path(tempfile.gettempdir()) / "test-plan"))


@functools.cache
def real_prose(through: int, section: str, lang: str) -> str:
    """``prose.render(section, compute(real_data(), through), lang)``, rendered once per process: the real data's
    sections are read by several tests and files (placeholders, English words in Chinese, the Chinese style
    rules); each renders them the same way, so one rendering serves them all. Not for a test that patches code
    (it would read text rendered without its patch)."""
    from analysis.present import prose
    from analysis.stats.results import compute

    return prose.render(section, compute(real_data(), through), lang)


@pytest.fixture
def data_copy(tmp_path) -> Path:
    dst = tmp_path / "data"
    shutil.copytree(DATA, dst)
    return dst


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def set_cell(path: Path, line: int, column: str, value: str) -> None:
    """Set one cell, addressing it as `check` reports it (file line number, column name)."""
    header, rows = read_rows(path)
    rows[line - 2][header.index(column)] = value
    write_rows(path, header, rows)


def append_row(path: Path, values: dict[str, str]) -> int:
    """Append a row given as {column: value}; return its line number."""
    header, rows = read_rows(path)
    rows.append([values.get(c, "") for c in header])
    write_rows(path, header, rows)
    return len(rows) + 1


def find_line(path: Path, **match) -> int:
    header, rows = read_rows(path)
    for i, r in enumerate(rows, start=2):
        if all(r[header.index(k)] == v for k, v in match.items()):
            return i
    raise KeyError(match)


def problems_of(data_dir: Path) -> list[str]:
    from analysis import DataError, load

    try:
        load(data_dir)
    except DataError as exc:
        return [str(p) for p in exc.problems]
    return []


def apply_fixture(data_dir: Path, name: str) -> Path:
    """Append a SYNTHETIC release (tests/fixtures/<name>) to a copy of data/, as data/README.md says."""
    src = FIXTURES / name
    for csv_path in sorted(src.glob("*.csv")):
        header, rows = read_rows(csv_path)
        have_header, have_rows = read_rows(data_dir / csv_path.name)
        assert header == have_header, f"{csv_path} header differs from data/{csv_path.name}"
        write_rows(data_dir / csv_path.name, have_header, have_rows + rows)
    return data_dir


def _once_per_run(tmp_path_factory, name: str, make) -> Path:
    """``make(path)`` once per test run, shared by every xdist worker: the path of what it made.

    Under xdist the first worker to ask makes it under a lock in the run's base temporary folder (the parent of
    the workers' own); the others wait and reuse it. Without xdist it is made in this run's own folder (the
    parent would be shared by every run of the user).
    """
    import fcntl
    import os

    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    out = root / name
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / f"{name}.done").exists():
            if out.is_dir():
                shutil.rmtree(out)
            make(out)
            (root / f"{name}.done").write_text("")
    return out


def _seed_from_reports(out: Path, reports: Path = ROOT / "reports") -> int:
    """Start ``out`` from the repository's own build: the files of ``reports`` that still hold the bytes its
    build marker records (SHA-256), and the marker. The number of files put there.

    The build run into ``out`` afterwards is the build's own incremental one, as ``make reports`` runs it: a unit
    whose inputs (data, notebooks, package, pinned stack, feedback address) did not change since ``reports`` was
    built is carried, anything else (or a unit with a file missing or edited since) is run again. So after
    ``make reports`` the suite checks the pages it made instead of making them a second time; on a clean clone
    (CI), or when anything changed, it builds. ``reports`` is only read. Nothing is put there when it holds no
    readable marker.
    """
    import hashlib

    from analysis.pipeline import outdir

    try:
        marker = outdir.read_marker(reports)
    except ValueError:
        return 0
    if not marker:
        return 0
    out.mkdir(parents=True, exist_ok=True)
    for d in marker.get("dirs", []):
        (out / d).mkdir(parents=True, exist_ok=True)
    n = 0
    for rel, sha in marker["files"].items():
        src = reports / rel
        if src.is_file() and not src.is_symlink() and hashlib.sha256(src.read_bytes()).hexdigest() == sha:
            shutil.copyfile(src, out / rel)
            n += 1
    shutil.copyfile(reports / outdir.MARKER, out / outdir.MARKER)
    return n


@pytest.fixture(scope="session")
def built_reports(tmp_path_factory) -> Path:
    """One full build of the real data (warm kernels), shared by every test file and xdist worker of a run.

    Built once per run (:func:`_once_per_run`). Tests must not change it (copy it first). Its root stamp is the
    real inputs digest, as the CLI computes it.
    """

    def make(out: Path) -> None:
        from analysis import load
        from analysis.pipeline.build import build, plan, tree_digest

        ds = load(DATA)
        _seed_from_reports(out)
        # a warm kernel, as `make reports` (one: a second would only import the stack again while the other
        # xdist worker has the other core); tests/test_build.py runs notebooks in fresh kernels and compares
        build(plan(ds, out_dir=out), ds, n_jobs=1, progress=False, tree=tree_digest(None))

    return _once_per_run(tmp_path_factory, "shared-reports", make)


@pytest.fixture(scope="session")
def browser_survey(built_reports, tmp_path_factory) -> dict | None:
    """Every page of the shared build at every width of ``tests/browser.py``, as headless Chromium shows it.

    One tab per page and width measures what the page checks, the furniture checks and the tables-and-charts
    checks read (:meth:`tests.browser.Browser.survey`), once per run for every file and worker
    (:func:`_once_per_run`): ``{(name, width): {"path", "report", "furniture", "tables_charts"}}``; None where
    there is no Chromium (the browser tests skip). ``make reports`` takes the same survey with its screenshots
    (``build/screenshots/survey.json``): an entry is reused when the page and every file of the tree it requested
    or links to have the same bytes in the shared build as when it was taken, and the browser, its fonts and
    ``tests/browser.py`` are the same (:func:`tests.browser.entry_valid`; that file is only read); the rest are
    surveyed (all of them on a clean clone).
    """
    import json

    from .browser import SURVEY_FILE, find_chromium, survey_tree

    if find_chromium() is None:
        return None

    def make(out: Path) -> None:
        found = survey_tree(built_reports, stored=SCREENSHOTS / SURVEY_FILE)
        out.write_text(json.dumps(found, ensure_ascii=False), encoding="utf-8")

    found = json.loads(_once_per_run(tmp_path_factory, "browser-survey.json", make).read_text(encoding="utf-8"))
    return {(r.pop("name"), r.pop("width")): r for r in found}
