"""Faults injected into the build: a hung cell, a dying kernel, Ctrl-C, a failure during the switch, a full
disk, two builds at once. After each, what a reader of the out folder sees is one whole build (the earlier
one, or the new one with the failed report's earlier version and a line on the index saying so), nothing is
left beside it, and the next build recovers to the bytes of a clean build.

The notebooks are small fixtures written here (the real ones take seconds each): two analyses and the period
report, with the names of the real ones (the pages take their titles from the names). The landing notebook
does what ``$ANALYSIS_TEST_FAULT`` asks (hang, die, raise, or wait while a file exists), after touching
``$ANALYSIS_TEST_STARTED``; the kernels inherit the environment of the build. The kernels import nothing
when they start (:data:`WARM_UP`). Every subprocess has a timeout: a fault test never hangs the suite.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from analysis import load
from analysis.pipeline import build as B
from analysis.pipeline import kernels, outdir
from analysis.pipeline.build import BuildError, build, plan, tree_digest

from .conftest import DATA, ROOT

FAULT, STARTED = "ANALYSIS_TEST_FAULT", "ANALYSIS_TEST_STARTED"
#: the light warm-up of these kernels: nothing imported, what the kernel holds frozen as the real warm-up ends (each
#: notebook's %reset collects twice: without it, those collections took a fifth of this module's CPU)
WARM_UP = kernels.FREEZE
PARAMS = 'data_dir = None\nlang = "zh"\nfig_dir = None\nmetrics_path = None\nthrough = 2023'
LANDING = f"""import os, time
fault = os.environ.get("{FAULT}", "")
if os.environ.get("{STARTED}"):
    open(os.environ["{STARTED}"], "w").close()
if fault == "hang":
    time.sleep(10**6)
elif fault == "die":
    os._exit(3)
elif fault == "raise":
    raise RuntimeError("deliberate failure")
elif fault.startswith("wait:"):
    while os.path.exists(fault[5:]):
        time.sleep(0.05)
print("landing")"""
#: the data folder reaches the kernel as ``load()`` finds it (analysis.core.config.default_data_dir), not as a path
REPORT = """import hashlib, json
from analysis.core.config import default_data_dir
data = data_dir or default_data_dir()
digest = hashlib.sha256((data / "conferences.csv").read_bytes()).hexdigest()[:12]
print("conferences.csv", digest)
json.dump({"through": through, "conferences": digest}, open(metrics_path, "w"))"""
#: the CLI in a subprocess, with the fixtures' light warm-up
CLI = f"import sys, analysis.pipeline.kernels as k; k.WARM_UP = {WARM_UP!r}; from analysis.pipeline.cli import main; sys.exit(main(sys.argv[1:]))"
#: and as in a terminal, where Ctrl-C raises KeyboardInterrupt: a suite started as a background job (`make test &`)
#: hands its subprocesses SIGINT ignored, and Python then leaves it ignored
CLI_IN_A_TERMINAL = "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); " + CLI


@pytest.fixture
def ctrl_c_raises():
    """SIGINT raises KeyboardInterrupt in this process during the test, as in a terminal (see CLI_IN_A_TERMINAL)."""
    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, old)


TIMEOUT = 120  # seconds any subprocess of this module may take, far above what it needs


@pytest.fixture
def kernel_tmp():
    """A temporary folder of its own for the kernels' IPython folders (tempfile's), to see that none is left: short,
    as a kernel's Unix sockets lie in it (a socket's path has at most 107 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="k"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _notebook(path: Path, *cells: str) -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(PARAMS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params] + [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def nb_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("notebooks")
    _notebook(folder / "1.0-trends.ipynb", "print('trends')")
    _notebook(folder / "2.0-landing.ipynb", LANDING)
    _notebook(folder / B.REPORT_NOTEBOOK, REPORT)
    return folder


@pytest.fixture(scope="module")
def ds():
    return load(DATA)


@pytest.fixture
def patch():
    """``monkeypatch`` for these tests, without the suite's computing afresh (tests/conftest.py: a test that asks
    for ``monkeypatch`` forgets the per-process results). These tests patch the environment, the kernels, the
    out folder's switch and the file system, never what ``compute`` computes: the module's builds share one
    computation of each release, as the builds of one command line do."""
    with pytest.MonkeyPatch.context() as mp:
        yield mp


@pytest.fixture(autouse=True, scope="module")
def light_kernels():
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(kernels, "WARM_UP", WARM_UP)
        mp.delenv(FAULT, raising=False)
        mp.delenv(STARTED, raising=False)
        yield


def run(ds, nb_dir, out, lang="zh", data_dir=None, **kw) -> dict:
    """A build of the fixture notebooks, as the CLI does it (the root digest included)."""
    kw = {"n_jobs": 1, "progress": False, "tree": tree_digest(data_dir, nb_dir, lang=lang), **kw}
    return build(plan(ds, out_dir=out, lang=lang, nb_dir=nb_dir, data_dir=data_dir), ds, **kw)


def snapshot(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def assert_whole(out: Path) -> dict:
    """Every file in ``out`` is one its build wrote, with the bytes it wrote, and every file it wrote is
    there; nothing is left beside the folder (staging, old trees, the lock)."""
    marker = json.loads((out / outdir.MARKER).read_text(encoding="utf-8"))
    on_disk = snapshot(out)
    on_disk.pop(outdir.MARKER)
    import hashlib

    assert {f: hashlib.sha256(b).hexdigest() for f, b in on_disk.items()} == marker["files"]
    assert outdir.foreign_entries(out, marker) == []
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")) == []
    return marker


@pytest.fixture(scope="module")
def clean(ds, nb_dir, tmp_path_factory) -> dict[str, bytes]:
    """The bytes of a clean build (zh) of the fixture notebooks: what every recovery must give."""
    out = tmp_path_factory.mktemp("clean") / "reports"
    run(ds, nb_dir, out)
    assert_whole(out)
    return snapshot(out)


@pytest.fixture(scope="module")
def earlier_tree(ds, nb_dir, tmp_path_factory) -> Path:
    """The build readers have before the faulty one: the same notebooks in English (every file differs)."""
    out = tmp_path_factory.mktemp("earlier") / "reports"
    run(ds, nb_dir, out, lang="en")
    return out


@pytest.fixture
def earlier(earlier_tree, tmp_path) -> Path:
    out = tmp_path / "site" / "reports"
    shutil.copytree(earlier_tree, out)
    return out


def assert_recovers(ds, nb_dir, out, clean) -> None:
    run(ds, nb_dir, out)
    assert_whole(out)
    assert snapshot(out) == clean


def assert_untouched(out: Path, before: dict[str, bytes]) -> None:
    """Readers see the earlier build, whole, byte for byte, and nothing is left beside it: the out folder is in
    the state a build over the earlier tree starts from, whose recovery to the bytes of a clean build
    :func:`test_two_builds_into_one_folder_never_interleave` checks (a build is a function of that state: a
    recovery here would repeat it)."""
    assert_whole(out)
    assert snapshot(out) == before


def assert_new_build_keeping(out, before, clean, unit: str, why: str) -> None:
    """The new build, whole, except ``unit``: its earlier version, and a line on the index saying why."""
    marker = assert_whole(out)
    after = snapshot(out)
    assert marker["stale"].keys() == {unit} and why in marker["stale"][unit] and marker["inputs"] is None
    for f, content in after.items():
        if f.startswith(unit + "/"):
            assert content == before[f], f
        elif f not in ("index.html", outdir.MARKER):
            assert content == clean[f], f
    assert {f for f in after if f.startswith(unit + "/")} == {f for f in before if f.startswith(unit + "/")}
    index = after["index.html"].decode()
    assert 'class="stale"' in index and f"{unit}：" in index and why in index
    assert 'class="stale"' not in clean["index.html"].decode()


# --------------------------------------------------------------------------------------------- kernel faults


@pytest.mark.parametrize(
    "fault,why",
    [
        ("hang", "timed out in cell 2: it ran longer than 3 s"),
        ("die", "the kernel died in cell 2"),
        ("raise", "failed in cell 2: RuntimeError: deliberate failure"),
    ],
)
def test_a_failing_notebook_fails_its_report_only(ds, nb_dir, earlier, clean, patch, fault, why):
    """A cell that never returns (--cell-timeout 3), a kernel that dies (os._exit) or a cell that raises: the
    report is named with its notebook and cell, the other reports are written, the failed one keeps its
    earlier version and the index says so; the next build rebuilds it."""
    before = snapshot(earlier)
    patch.setenv(FAULT, fault)
    with pytest.raises(BuildError) as exc:
        run(ds, nb_dir, earlier, cell_timeout=3)
    msg = str(exc.value)
    assert msg.startswith("2.0-landing.ipynb (report 2.0-landing)") and why in msg and "earlier report was kept" in msg
    assert_new_build_keeping(earlier, before, clean, "2.0-landing", why)
    patch.delenv(FAULT)
    assert_recovers(ds, nb_dir, earlier, clean)


def test_ctrl_c_ends_the_build_at_once_and_leaves_no_kernel(nb_dir, earlier, tmp_path, kernel_tmp):
    """SIGINT while a cell hangs: exit 130 with one line, well before any timeout; no kernel process is
    left, nor its IPython folder; the out folder holds the earlier build, whole."""
    before = snapshot(earlier)
    started = tmp_path / "started"
    env = {**os.environ, FAULT: "hang", STARTED: str(started), "TMPDIR": str(kernel_tmp)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CLI_IN_A_TERMINAL,
            "build",
            "--out",
            str(earlier),
            "--notebooks",
            str(nb_dir),
            "--jobs",
            "1",
            "--quiet",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + TIMEOUT
        while not started.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert started.exists(), proc.communicate(timeout=TIMEOUT)
        kids = psutil.Process(proc.pid).children(recursive=True)
        assert kids, "the kernel should be a child of the build"
        proc.send_signal(signal.SIGINT)
        # the cell would hang for days and its timeout is longer than TIMEOUT: an exit within TIMEOUT is the
        # interrupt's doing (the exit takes about a second, several under load)
        assert kernels.CELL_TIMEOUT > TIMEOUT
        _, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130 and err.strip().splitlines() == ["python -m analysis: interrupted"], err
    _, alive = psutil.wait_procs(kids, timeout=10)
    assert [p for p in alive if p.status() != psutil.STATUS_ZOMBIE] == []
    assert sorted(p.name for p in kernel_tmp.iterdir()) == []
    assert_untouched(earlier, before)


# --------------------------------------------------------------------------------------------- the tree


def test_a_failed_switch_leaves_the_earlier_build(ds, nb_dir, earlier, patch):
    before = snapshot(earlier)

    def broken(staging, out, previous=None):
        raise OSError(errno.EIO, "Input/output error (injected)", str(out))

    patch.setattr(outdir, "switch", broken)
    with pytest.raises(BuildError, match=r"could not write the reports \(\[Errno 5\] Input/output error \(injected\)"):
        run(ds, nb_dir, earlier)
    assert_untouched(earlier, before)


def test_a_full_disk_leaves_the_earlier_build(ds, nb_dir, earlier, patch):
    """The disk fills while the first page is written (half of it on disk): nothing is switched."""
    before = snapshot(earlier)
    write_text = Path.write_text

    def full(self, text, *args, **kwargs):
        if self.name == "1.0-trends.html":
            write_text(self, text[: len(text) // 2], *args, **kwargs)
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return write_text(self, text, *args, **kwargs)

    patch.setattr(Path, "write_text", full)
    with pytest.raises(BuildError, match=r"No space left on device.*was left as it was"):
        run(ds, nb_dir, earlier)
    patch.undo()
    assert_untouched(earlier, before)


def test_two_builds_into_one_folder_never_interleave(nb_dir, earlier, clean, tmp_path, capsys):
    """The second build (the command line, in this process) refuses at once, naming the first one's pid; the
    first one ends whole."""
    from analysis.pipeline.cli import main

    before = snapshot(earlier)
    gate, started = tmp_path / "gate", tmp_path / "started"
    gate.write_text("")
    cmd = [
        sys.executable,
        "-c",
        CLI,
        "build",
        "--out",
        str(earlier),
        "--notebooks",
        str(nb_dir),
        "--jobs",
        "1",
        "--lang",
        "zh",
        "--quiet",
    ]
    first = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env={**os.environ, FAULT: f"wait:{gate}", STARTED: str(started)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + TIMEOUT
        while not started.exists() and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert started.exists(), first.communicate(timeout=TIMEOUT)
        capsys.readouterr()
        assert main(cmd[3:]) == 2
        assert capsys.readouterr().err.strip().splitlines() == [
            f"python -m analysis build: error: another build (pid {first.pid}) is writing {earlier.resolve()}; "
            f"wait until it ends (lock: {earlier.parent.resolve() / '.reports.lock'})"
        ]
        assert snapshot(earlier) == before  # the first is still running: readers see the earlier build
        gate.unlink()
        _, err = first.communicate(timeout=TIMEOUT)
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()
    assert first.returncode == 0, err
    assert_whole(earlier)
    assert snapshot(earlier) == clean


# --------------------------------------------------------------------------------------------- recoveries


def test_a_deleted_page_is_rebuilt_and_a_partial_build_keeps_the_rest(ds, nb_dir, clean, tmp_path):
    """A report.html deleted with its stamp left: not "nothing changed" but that report rebuilt; a --years
    build carries every other unit over, and the index keeps every card."""
    out = tmp_path / "reports"
    out.mkdir()
    for f, content in clean.items():
        (out / f).parent.mkdir(parents=True, exist_ok=True)
        (out / f).write_bytes(content)
    assert B.up_to_date(out, tree_digest(None, nb_dir, lang="zh"))
    (out / "2023" / "report.html").unlink()
    assert not B.up_to_date(out, tree_digest(None, nb_dir, lang="zh"))
    done = B.build(
        plan(ds, out_dir=out, nb_dir=nb_dir, years=[2023], lang="zh"),
        ds,
        n_jobs=1,
        progress=False,
        tree=tree_digest(None, nb_dir, years=[2023], lang="zh"),
    )
    assert done["built"] == ["2023"] and done["skipped"] == ["1.0-trends", "2.0-landing"]
    assert_whole(out)
    after = snapshot(out)
    assert after.pop(outdir.MARKER) != clean[outdir.MARKER]  # another root digest: the --years argument
    assert after == {f: c for f, c in clean.items() if f != outdir.MARKER}


def test_same_data_from_two_places_same_bytes_readable_and_no_ipython_history(ds, nb_dir, tmp_path, patch):
    """The absolute --data path is in no output (the same data in two folders give identical trees); folders
    0755 and files 0644 (umask 022); the kernels write no IPython profile or history under the home folder."""
    home = tmp_path / "home"
    home.mkdir()
    patch.setenv("HOME", str(home))
    patch.delenv("IPYTHONDIR", raising=False)
    old_umask = os.umask(0o022)
    try:
        trees = []
        for where in ("a", "b/deeper"):
            data = tmp_path / where / "data"
            shutil.copytree(DATA, data)
            out = tmp_path / where / "reports"
            run(load(data), nb_dir, out, data_dir=data)
            trees.append(snapshot(out))
    finally:
        os.umask(old_umask)
    assert trees[0] == trees[1]
    assert not [f for f, content in trees[0].items() if str(tmp_path).encode() in content]
    modes = {p.relative_to(out).as_posix(): p.stat().st_mode & 0o777 for p in [out, *out.rglob("*")]}
    assert {m for f, m in modes.items() if (out / f).is_dir()} == {0o755}
    assert {m for f, m in modes.items() if (out / f).is_file()} == {0o644}
    # (jupyter_client's kernel-spec search in the build process may create an empty ~/.ipython)
    assert list(home.glob(".ipython/**/*")) == []


def test_a_refused_build_kills_its_kernels_instead_of_waiting_for_them(tmp_path, patch, capsys):
    """The kernels start warming up before the data are loaded and planned; a build refused then (a year not
    in the data) kills them, and waits for none to finish starting, before it closes the pool."""
    from analysis.pipeline.cli import main

    calls = []

    class Pool(B.KernelPool):
        def kill_all(self):
            calls.append("kill_all")
            super().kill_all()

        def close(self):
            calls.append("close")
            super().close()

    patch.setattr(B, "KernelPool", Pool)
    assert main(["build", "--out", str(tmp_path / "reports"), "--years", "2031", "--jobs", "1"]) == 2
    assert "not in the data" in capsys.readouterr().err
    assert calls == ["kill_all", "close"]
    assert not (tmp_path / "reports").exists()


def test_ctrl_c_handed_to_another_thread_still_ends_the_build(ds, nb_dir, earlier, patch, ctrl_c_raises, kernel_tmp):
    """The OS may hand a process's SIGINT to any of its threads; Python then raises KeyboardInterrupt in the main
    thread only when it next runs. The build's main thread does not sleep through it while a cell hangs (it
    once did, until the cell's timeout: the Ctrl-C test failed so under load)."""
    import threading

    started = Path(str(earlier) + ".started")
    patch.setenv(FAULT, "hang")
    patch.setenv(STARTED, str(started))
    patch.setattr(tempfile, "tempdir", str(kernel_tmp))
    idle = threading.Event()
    other = threading.Thread(target=idle.wait, daemon=True)  # the thread the signal is handed to
    other.start()

    def interrupt():
        deadline = time.monotonic() + TIMEOUT
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        signal.pthread_kill(other.ident, signal.SIGINT)

    ran = []
    execute = kernels.Kernel.execute

    def recorded(self, nb_path, *args, **kwargs):
        ran.append(nb_path.stem)
        return execute(self, nb_path, *args, **kwargs)

    patch.setattr(kernels.Kernel, "execute", recorded)
    threading.Thread(target=interrupt, daemon=True).start()
    try:
        # were the interrupt missed, the cell's timeout would end the hang and the build would go on
        with pytest.raises(KeyboardInterrupt):
            run(ds, nb_dir, earlier, cell_timeout=TIMEOUT // 4)
    finally:
        idle.set()
    assert started.exists()
    assert ran[-1] == "2.0-landing"  # stopped in the hanging cell: no notebook ran after it (it is the last taken)
    assert sorted(p.name for p in kernel_tmp.iterdir()) == []  # nor is the killed kernel's IPython folder left


def test_an_interrupted_build_waits_for_the_page_being_written_and_leaves_nothing(
    ds, nb_dir, earlier, patch, ctrl_c_raises
):
    """Ctrl-C while the page writer writes a report's pages: the build ends that page before it deletes its
    staging tree (written into while it was deleted, the tree was once left beside the out folder), and raises."""
    import threading

    before = snapshot(earlier)
    started = Path(str(earlier) + ".started")
    patch.setenv(FAULT, "hang")
    patch.setenv(STARTED, str(started))
    write_unit, ended = B._write_unit, []

    def slow(*args, **kwargs):  # the first pages written are still being written when the interrupt comes
        if ended:
            return write_unit(*args, **kwargs)
        while not started.exists():
            time.sleep(0.05)
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
        time.sleep(1.0)
        try:
            return write_unit(*args, **kwargs)
        finally:
            ended.append(time.monotonic())

    patch.setattr(B, "_write_unit", slow)
    with pytest.raises(KeyboardInterrupt):
        run(ds, nb_dir, earlier, cell_timeout=TIMEOUT // 4)
    raised = time.monotonic()
    assert ended and ended[0] <= raised  # the page ended before the build did
    assert raised - ended[0] < B.INTERRUPT_GRACE  # and the pages never begun were not waited for
    assert_untouched(earlier, before)


# --------------------------------------------------------------------------------------------- scheduling


def test_a_units_languages_run_one_after_the_other_in_one_kernel(ds, nb_dir, tmp_path, patch):
    # what one language's notebook computed in a kernel is there for the next language's (results are memoised
    # per process): every kernel runs both languages of a unit back to back
    ran: dict[int, list] = {}
    execute = kernels.Kernel.execute

    def recorded(self, nb_path, parameters, *args, **kwargs):
        ran.setdefault(id(self), []).append((str(parameters.get("through") or nb_path.stem), parameters["lang"]))
        return execute(self, nb_path, parameters, *args, **kwargs)

    patch.setattr(kernels.Kernel, "execute", recorded)
    done = run(ds, nb_dir, tmp_path / "reports", lang=None, n_jobs=2)
    assert len(ran) == 2 and not done["failed"]
    for units in ran.values():
        assert [lang for _, lang in units] == ["zh", "en"] * (len(units) // 2)
        assert all(units[i][0] == units[i + 1][0] for i in range(0, len(units), 2))
    assert sorted(u for units in ran.values() for u in units) == sorted(
        (str(j.through or j.notebook.stem), j.lang) for j in plan(ds, out_dir=tmp_path / "x", lang=None, nb_dir=nb_dir)
    )


def test_a_kernel_goes_on_while_its_last_page_is_written(ds, nb_dir, tmp_path, patch):
    # pages are rendered in the build's process: the kernel does not wait for them, it runs its next notebook
    import threading

    next_started, waited = threading.Event(), []
    execute, write = kernels.Kernel.execute, B._write_unit

    def recorded(self, *args, **kwargs):
        if waited:  # a notebook started after the first page began to be written
            next_started.set()
        return execute(self, *args, **kwargs)

    def slow(*args, **kwargs):
        if not waited:
            waited.append(None)
            waited[0] = next_started.wait(TIMEOUT // 4)
        return write(*args, **kwargs)

    patch.setattr(kernels.Kernel, "execute", recorded)
    patch.setattr(B, "_write_unit", slow)
    out = tmp_path / "reports"
    run(ds, nb_dir, out)
    assert waited == [True]
    assert_whole(out)


def test_a_kernel_listens_on_unix_sockets_in_its_own_folder():
    # no TCP port: jupyter_client picks free ports before the kernel binds them, and a kernel started meanwhile by
    # another build or test worker could take one (the kernel's heartbeat then fails: "Address already in use")
    k = kernels.Kernel(warm_up="")
    try:
        info = k.km.get_connection_info()
        assert info["transport"] == "ipc" and Path(info["ip"]).parent == Path(k.ipython_dir)
        assert {p.name for p in Path(k.ipython_dir).glob("kernel-*")}  # the sockets, beside nothing of anyone else's
        k.run("x = 1", 10)
    finally:
        k.shutdown()
    assert not Path(k.ipython_dir).exists()
