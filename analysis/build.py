"""Build the reports: run the notebooks in warm kernels, write bulletin pages, charts and metrics.json.

Layout of the output directory (``reports/`` by default)::

    index.html                       the reports and analyses, one card each
    .build-stamp.json                what the whole tree was built from (for a no-op rebuild)
    <period>/                        one per published period: 2019-2020, 2021, 2022, 2023
        report.html, report.ipynb, figures/*.png, metrics.json, .stamp.json
    <notebook-stem>/                 one per analysis notebook (1.0-trends, …)
        <stem>.html, <stem>.ipynb, figures/*.png, .stamp.json

How it runs:

* **Warm kernels.** ``--jobs`` workers each start one kernel and import the analysis stack in it
  once; each notebook then runs in a clean namespace (``%reset -f``) in its own working folder.
  Execution counts are renumbered, so a notebook's outputs are the bytes a fresh kernel gives (a
  test compares the two ways).
* **Incremental.** A unit is rebuilt only when one of its inputs changed: the notebook, its
  parameters, the data files, the analysis package (code, templates and the stored calibration study), the pinned stack. The
  digest is in the unit's ``.stamp.json``; when nothing changed the build says so at once without
  starting a kernel or loading the data. ``--force`` rebuilds everything.
* **Reproducible.** No timestamps, durations, random ids or temporary paths are written: two builds
  from the same inputs give identical files.
* **Atomic.** Each unit is written to a temporary sibling and moved into place only when everything
  in it succeeded; a failing notebook leaves the earlier unit untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import vocab
from .config import CACHE_ENV, DATA_DIR, NOTEBOOK_DIR, REPORTS_DIR, ROOT
from .vocab import LANGS

REPORT_NOTEBOOK = "5.0-period-report.ipynb"
KERNEL = "python3"
EXECUTION_TIMEOUT = 600
START_TIMEOUT = 120
STAMP = ".stamp.json"
ROOT_STAMP = ".build-stamp.json"

#: keeps ipykernel's console chatter (the TCP warning at start, KeyboardInterrupt at shutdown) out of the progress
KERNEL_ARGS = ["--IPKernelApp.log_level=CRITICAL"]
#: environment of every kernel: reproducible outputs (stable hash seed and cell names, no progress bars)
KERNEL_ENV = {"PYTHONHASHSEED": "0", "IPYKERNEL_CELL_NAME": "<IPY-INPUT>", "TQDM_DISABLE": "1"}
#: and of the warm kernels: the data loaded once per kernel (analysis.data.CACHE_ENV)
WARM_ENV = {CACHE_ENV: "1"}
#: imported once per warm kernel, before its first notebook
WARM_UP = ("import pandas, numpy, scipy.stats, seaborn, matplotlib.pyplot, jinja2\n"
           "import analysis.results, analysis.plotting, analysis.tables, analysis.prose, analysis.notebook, "
           "analysis.projection, analysis.calibration\n"
           # the font registered and Agg's caches filled, so that the first notebook is as fast as the rest
           "analysis.plotting.setup_style('zh'); analysis.plotting.png(analysis.plotting._new('narrow', 1.0))")
#: run in the kernel before each notebook: a clean namespace in the unit's own folder
#: (into the folder first: after a failed notebook the kernel's folder is gone, and %reset reads the cwd)
RESET = "import os as _os\n_os.chdir({cwd!r})\ndel _os\nget_ipython().run_line_magic('reset', '-f')"


class BuildError(Exception):
    pass


@dataclass
class Job:
    notebook: Path
    dest: Path  # the unit directory that is replaced atomically
    stem: str  # file name (without suffix) inside dest
    parameters: dict = field(default_factory=dict)
    through: int | None = None  # a period report (metrics.json and the page's figures for this year)
    lang: str = "zh"

    @property
    def name(self) -> str:
        return self.dest.name


# --------------------------------------------------------------------------------------------- inputs


def _files(folder: Path, patterns) -> list[Path]:
    return sorted(p for pat in patterns for p in folder.glob(pat) if p.is_file() and "__pycache__" not in p.parts)


def inputs_digest(data_dir: Path | None = None, extra: dict | None = None) -> str:
    """Digest of what every unit depends on: data files, the analysis package (code, templates and the stored calibration study),
    the pinned stack and the interpreter, plus ``extra`` (arguments)."""
    h = hashlib.sha256()
    data_dir = Path(data_dir) if data_dir else DATA_DIR
    pkg = ROOT / "analysis"
    for p in _files(data_dir, ["*.csv"]) + _files(pkg, ["**/*.py", "templates/**/*", "validation/*"]) + [ROOT / "constraints.txt"]:
        if p.exists():
            h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    h.update(sys.version.encode())
    h.update(json.dumps(extra or {}, sort_keys=True, default=str).encode())
    return h.hexdigest()


def unit_digest(job: Job, base: str) -> str:
    h = hashlib.sha256(base.encode())
    h.update(job.notebook.read_bytes())
    h.update(json.dumps({"parameters": job.parameters, "through": job.through, "lang": job.lang}, sort_keys=True).encode())
    return h.hexdigest()


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def tree_digest(data_dir=None, nb_dir: Path = NOTEBOOK_DIR, lang: str = "zh", years=None) -> str:
    """Digest of every input of a whole build with these arguments (the no-op check needs no data loaded)."""
    h = hashlib.sha256(inputs_digest(data_dir, {"lang": lang, "years": sorted(years or [])}).encode())
    for p in sorted(Path(nb_dir).glob("*.ipynb")):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def up_to_date(out_dir: Path, digest: str) -> bool:
    """Whether the tree in ``out_dir`` was built from exactly these inputs and is complete."""
    stamp = _read_json(Path(out_dir) / ROOT_STAMP)
    if stamp.get("inputs") != digest or not (Path(out_dir) / "index.html").exists():
        return False
    return all(_read_json(Path(out_dir) / u / STAMP).get("digest") == d for u, d in stamp.get("units", {}).items())


# --------------------------------------------------------------------------------------------- plan


def notebook_parameters(path: Path) -> set[str]:
    """Names defined in the notebook's ``parameters`` cell (papermill ignores unknown names silently)."""
    import papermill as pm

    params = pm.inspect_notebook(str(path))
    if not params:
        raise BuildError(f"{path.name} has no cell tagged 'parameters'")
    return set(params)


def analysis_notebooks(nb_dir: Path = NOTEBOOK_DIR) -> list[Path]:
    return sorted(p for p in nb_dir.glob("*.ipynb") if p.name != REPORT_NOTEBOOK)


def most_units(data_dir=None, nb_dir: Path = NOTEBOOK_DIR) -> int:
    """An upper bound on the units of a build, known before the data are loaded: the analysis notebooks
    plus one report per conference year (conferences.csv). No more kernels than this are useful."""
    conferences = Path(data_dir or DATA_DIR) / "conferences.csv"
    try:
        lines = conferences.read_text(encoding="utf-8").strip().splitlines()[1:]
        n_conf = len({line.split(",", 1)[0] for line in lines})
    except (OSError, UnicodeDecodeError):  # unreadable: the data check, run next, says why in one line
        n_conf = 1
    return len(analysis_notebooks(nb_dir)) + n_conf


def plan(ds, *, data_dir=None, out_dir=None, years=None, lang="zh", jobs=None, nb_dir: Path = NOTEBOOK_DIR) -> list[Job]:
    """Check every argument and return the jobs, before any kernel starts. Raises ValueError."""
    from . import metrics

    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    known = ds.conference_years
    periods = sorted(metrics.period_values(ds))
    if years:
        bad = [y for y in years if y not in known]
        if bad:
            raise ValueError(f"year(s) {', '.join(map(str, bad))} not in the data; conference years are {', '.join(map(str, known))}")
        periods = [p for p in periods if any(p.covers(y) for y in years)]
    if jobs is not None and jobs < 1:
        raise ValueError("--jobs must be 1 or more")
    out = Path(out_dir) if out_dir else REPORTS_DIR
    _check_writable(out)
    data = str(Path(data_dir).resolve()) if data_dir else None
    result = []
    for nb in analysis_notebooks(nb_dir):
        result.append(Job(nb, out / nb.stem, nb.stem, _only_known(nb, {"data_dir": data, "lang": lang}), lang=lang))
    report = nb_dir / REPORT_NOTEBOOK
    if not report.exists():
        raise ValueError(f"report template {report} is missing")
    for p in periods:
        params = _only_known(report, {"data_dir": data, "lang": lang, "through": p.last_year, "metrics_path": "metrics.json"})
        result.append(Job(report, out / p.key, "report", params, through=p.last_year, lang=lang))
    return result


def _check_writable(out: Path) -> None:
    """The output directory, or the nearest folder that exists above it, must be a writable directory."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} exists and is not a directory")
    existing = next(p for p in [out, *out.absolute().parents] if p.exists())
    if not existing.is_dir():
        raise ValueError(f"--out {out} cannot be created: {existing} is a file, not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"--out {out} cannot be written: no write permission on {existing}")


def _only_known(nb: Path, params: dict) -> dict:
    """Every parameter the build passes must be defined by the notebook (papermill would ignore it)."""
    names = notebook_parameters(nb)
    missing = sorted(k for k in params if k not in names)
    if missing:
        raise ValueError(f"{nb.name} does not define parameter(s) {', '.join(missing)} in its parameters cell")
    return dict(params)


# --------------------------------------------------------------------------------------------- kernels


class Kernel:
    """One kernel and one client for its lifetime. ``warm``: the analysis stack is imported once at
    start, and each notebook runs after ``%reset -f`` in its own folder; otherwise the kernel starts in
    the notebook's folder and runs that notebook only (a fresh kernel, for comparison)."""

    def __init__(self, warm: bool = True, cwd: Path | None = None):
        from jupyter_client import KernelManager

        env = {**os.environ, **KERNEL_ENV, **(WARM_ENV if warm else {})}
        env.pop("MPLBACKEND", None)
        self.warm = warm
        self.km = KernelManager(kernel_name=KERNEL)
        self.km.start_kernel(extra_arguments=KERNEL_ARGS, env=env, **({"cwd": str(cwd)} if cwd else {}))
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=START_TIMEOUT)
        if warm:
            self.run(WARM_UP)

    def run(self, code: str) -> None:
        reply = self.kc.execute_interactive(code, silent=True, store_history=False, timeout=EXECUTION_TIMEOUT,
                                            output_hook=lambda msg: None)
        if reply["content"]["status"] != "ok":
            raise BuildError(f"kernel preparation failed: {reply['content'].get('ename')}: {reply['content'].get('evalue')}")

    def execute(self, nb_path: Path, parameters: dict | None, cwd: Path, name: str = ""):
        """Run the notebook at ``nb_path`` (``parameters`` injected after its ``parameters`` cell) in ``cwd``."""
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError

        if self.warm:
            self.run(RESET.format(cwd=str(cwd)))
        if parameters is not None:
            from papermill.iorw import load_notebook_node
            from papermill.parameterize import parameterize_notebook

            nb = load_notebook_node(str(nb_path))  # with the metadata papermill's injection expects
            nb = parameterize_notebook(nb, parameters, kernel_name=KERNEL, language="python")
        else:
            nb = nbformat.read(nb_path, as_version=4)
        client = NotebookClient(nb, km=self.km, timeout=EXECUTION_TIMEOUT, startup_timeout=START_TIMEOUT,
                                kernel_name=KERNEL, record_timing=False, resources={"metadata": {"path": str(cwd)}})
        client.kc = self.kc
        try:
            client.execute()
        except CellExecutionError as exc:
            failed = next((i for i, c in enumerate(nb.cells)
                           if any(o.get("output_type") == "error" for o in c.get("outputs", []))), "?")
            raise BuildError(f"{nb_path.name} (report {name}) failed in cell {failed}: {exc.ename}: {exc.evalue}") from None
        return nb

    def shutdown(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def clean_notebook(nb):
    """Drop what changes from run to run (papermill timings, paths, random ids) and number the cells 1, 2, …"""
    nb.metadata.pop("papermill", None)
    count = 0
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
        if cell.cell_type == "code":
            if cell.get("execution_count") is not None:
                count += 1
                cell["execution_count"] = count
                for out in cell.get("outputs", []):
                    if "execution_count" in out:
                        out["execution_count"] = count
    return nb


# --------------------------------------------------------------------------------------------- units


def _write_unit(job: Job, nb, tmp: Path, res, digest: str) -> None:
    import nbformat

    from . import page

    nbformat.write(clean_notebook(nb), tmp / f"{job.stem}.ipynb")
    if job.through is not None:  # metrics.json: written by the report notebook from the results it shows
        title = page.report_title(res, job.lang)
        if not (tmp / "metrics.json").exists():
            raise BuildError(f"{job.notebook.name} (report {job.name}) wrote no metrics.json")
    else:
        title = page.analysis_title(job.stem, job.lang, full=True)
    (tmp / f"{job.stem}.html").write_text(page.report_page(nb, res, job.lang, title), encoding="utf-8")
    (tmp / STAMP).write_text(json.dumps({"digest": digest, "notebook": job.notebook.name, "parameters": job.parameters},
                                        sort_keys=True, indent=1) + "\n", encoding="utf-8")


def _swap_in(tmp: Path, dest: Path) -> None:
    """Replace dest by tmp with two renames; the old unit is removed only after the new one is in place."""
    old = None
    if dest.exists():
        old = dest.with_name(f".old-{dest.name}-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        dest.rename(old)
    tmp.rename(dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_index(out: Path, ds, jobs: list[Job], lang: str, known: dict | None = None, data_dir=None) -> Path:
    """The contents page: every unit of the full plan whose page is on disk, not only the ones just built
    (a ``--years`` build keeps the other years' cards)."""
    from . import page
    from .results import compute
    from .vocab import word

    planned = {j.name: j for j in plan(ds, data_dir=data_dir, out_dir=out, lang=lang)}
    planned.update({j.name: j for j in jobs})
    reports, analyses = [], []
    for j in sorted(planned.values(), key=lambda j: (j.through is not None, j.through or 0, j.name)):
        if not (j.dest / f"{j.stem}.html").exists():
            continue
        href = f"{j.name}/{j.stem}.html"
        if j.through is not None:
            res = known[j.name] if known and j.name in known else compute(ds, j.through, projection=False)
            reports.append(page.card(res, lang, href))
        else:
            analyses.append({"href": href, "title": page.analysis_title(j.stem, lang),
                             "meta": word("analysis_meta", lang).format(through=ds.conference_years[-1])})
    latest = compute(ds, projection=False)
    text = page.index_page(list(reversed(reports)), analyses, latest, lang)
    tmp = out / ".index.html.tmp"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, out / "index.html")
    return out / "index.html"


class KernelPool:
    """Warm kernels started in the background (the CLI starts them before it loads the data)."""

    def __init__(self, n: int):
        from concurrent.futures import ThreadPoolExecutor

        self._exec = ThreadPoolExecutor(max_workers=max(1, n))
        self._futures = [self._exec.submit(Kernel) for _ in range(max(1, n))]
        self._lock = threading.Lock()

    def take(self):
        """A started kernel, or None when all were taken."""
        with self._lock:
            if not self._futures:
                return None
            fut = self._futures.pop(0)
        return fut.result()

    def close(self) -> None:
        """Shut down the kernels nobody took."""
        with self._lock:
            left, self._futures = self._futures, []
        for fut in left:
            try:
                fut.result().shutdown()
            except Exception:  # noqa: BLE001 - a kernel that failed to start has nothing to shut down
                pass
        self._exec.shutdown(wait=False)


def build(jobs: list[Job], ds=None, *, n_jobs: int | None = None, progress: bool = True, data_dir=None,
          force: bool = False, fresh: bool = False, tree: str | None = None, pool: KernelPool | None = None) -> dict:
    """Run every job whose inputs changed; replace each unit that succeeded; raise BuildError listing failures.

    ``fresh``: a new kernel per notebook (what the equivalence test compares the warm kernels with).
    Returns {"built": [...], "skipped": [...], "failed": [...], "index": path}.
    """
    from .data import load

    if not jobs:
        return {"built": [], "skipped": [], "failed": [], "index": None}
    ds = ds if ds is not None else load(data_dir)
    out = jobs[0].dest.parent
    out.mkdir(parents=True, exist_ok=True)
    lang = jobs[0].lang
    base = inputs_digest(data_dir, {"lang": lang})
    digests = {j.name: unit_digest(j, base) for j in jobs}
    todo = [j for j in jobs if force or _read_json(j.dest / STAMP).get("digest") != digests[j.name]]
    skipped = [j.name for j in jobs if j not in todo]
    log = (lambda s: print(s, file=sys.stderr, flush=True)) if progress else (lambda s: None)
    n = max(1, min(n_jobs or os.cpu_count() or 1, len(todo) or 1))
    if todo:
        log(f"building {len(todo)} of {len(jobs)} report(s) into {out} with {n} warm kernel(s)"
            + (f"; {len(skipped)} unchanged" if skipped else ""))
    t0 = time.perf_counter()
    results: dict[str, tuple] = {}
    work: queue.Queue = queue.Queue()
    # the longest notebook first, so that the workers finish together
    for j in sorted(todo, key=lambda j: j.notebook.name != "4.0-projection.ipynb"):
        work.put(j)
    lock = threading.Lock()
    # every unit's results, computed in this process while the kernels start and run
    from concurrent.futures import ThreadPoolExecutor

    from .results import compute

    computing = ThreadPoolExecutor(max_workers=1)
    # (the pages need the periods, sources and headline; the projection is the kernel's)
    figures = {j.name: computing.submit(compute, ds, j.through, projection=False) for j in todo}

    def worker():
        kernel = None
        try:
            while True:
                try:
                    job = work.get_nowait()
                except queue.Empty:
                    return
                t = time.perf_counter()
                job.dest.parent.mkdir(parents=True, exist_ok=True)
                tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{job.name}-", dir=job.dest.parent))
                try:
                    (tmp / "figures").mkdir()
                    params = {**job.parameters, "fig_dir": "figures"}  # relative: no temporary path is written
                    if fresh:
                        one = Kernel(warm=False, cwd=tmp)
                        try:
                            nb = one.execute(job.notebook, params, tmp, job.name)
                        finally:
                            one.shutdown()
                    else:
                        if kernel is None:
                            kernel = (pool.take() if pool is not None else None) or Kernel()
                        nb = kernel.execute(job.notebook, params, tmp, job.name)
                    res = figures[job.name].result()
                    with lock:  # pages are rendered in this process; one at a time
                        _write_unit(job, nb, tmp, res, digests[job.name])
                    results[job.name] = ("ok", tmp, time.perf_counter() - t)
                except BaseException as exc:  # noqa: BLE001 - reported below, the earlier unit is kept
                    shutil.rmtree(tmp, ignore_errors=True)
                    results[job.name] = ("failed", exc, time.perf_counter() - t)
                    if kernel is not None and not isinstance(exc, BuildError):
                        kernel.shutdown()
                        kernel = None
        finally:
            if kernel is not None:
                kernel.shutdown()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(n if todo else 0)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    computing.shutdown()
    if pool is not None:
        pool.close()
    built, failed = [], []
    for j in jobs:  # plan order
        if j.name not in results:
            continue
        status, value, secs = results[j.name]
        if status == "ok":
            _swap_in(value, j.dest)
            built.append(j.name)
            log(f"  {j.name:<20} {vocab.fixed(secs, 1):>5} s")
        else:
            msg = str(value) if isinstance(value, (BuildError, OSError)) else f"{type(value).__name__}: {value}"
            failed.append(f"{msg}; the earlier report in {j.dest} was left in place")
            log(f"  {j.name:<20} FAILED")
    if built or failed or not (out / "index.html").exists():
        index = write_index(out, ds, jobs, lang, known={name: f.result() for name, f in figures.items()},
                            data_dir=data_dir)
    else:
        index = out / "index.html"  # every unit unchanged: so is the index
    stamp = {"inputs": tree, "units": {} if failed else digests}
    (out / ROOT_STAMP).write_text(json.dumps(stamp, sort_keys=True, indent=1) + "\n", encoding="utf-8")
    if todo:
        log(f"done in {vocab.fixed(time.perf_counter() - t0, 1)} s: {len(built)} written, {len(failed)} failed, "
            f"{len(skipped)} unchanged")
    else:
        log("nothing changed: every report is up to date")
    log(f"index: {index}")
    if failed:
        raise BuildError(" | ".join(failed))
    return {"built": built, "skipped": skipped, "failed": failed, "index": index}


def refresh_notebooks(nb_dir: Path = NOTEBOOK_DIR) -> None:
    """Re-execute the committed notebooks in place with their default parameters (what nbval checks)."""
    import nbformat

    kernel = Kernel()
    try:
        for path in sorted(nb_dir.glob("*.ipynb")):
            nb = clean_notebook(kernel.execute(path, None, path.parent, path.stem))
            nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": KERNEL}
            nbformat.write(nb, path)
            print(f"refreshed {path.name}", file=sys.stderr, flush=True)
    finally:
        kernel.shutdown()
