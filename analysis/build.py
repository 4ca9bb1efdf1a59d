"""Build the reports: execute the notebooks with papermill, export HTML, save charts and metrics.json.

Layout of the output directory (``reports/`` by default)::

    index.html                      links to everything below
    <notebook-stem>/                one per analysis notebook (1.0-trends, 2.0-landing, ...)
        <notebook-stem>.html        the executed notebook, inputs hidden, charts embedded
        <notebook-stem>.ipynb       the executed notebook
        figures/*.png
    <year>/                         one per conference year
        report.html, report.ipynb, figures/*.png, metrics.json (= metrics --through <year> --format json)

Each unit is written to a temporary directory next to its destination and moved into place only when
everything in it succeeded; a failing notebook leaves the earlier unit untouched. Kernels are
separate processes; a thread per job drives its kernel (measured faster than one papermill process
per notebook). Only parameters the notebooks define are passed.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from .data import Dataset

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
DEFAULT_OUT = ROOT / "reports"
YEARLY = "5.0-yearly-report.ipynb"
LANGS = ("zh", "en")
KERNEL = "python3"
REMOVE_TAG = "remove-in-report"
EXECUTION_TIMEOUT = 600
START_TIMEOUT = 120

#: keeps ipykernel's console chatter (the TCP warning at start, KeyboardInterrupt at shutdown) out of the progress
KERNEL_ARGS = ["--IPKernelApp.log_level=CRITICAL"]
#: environment of every kernel: reproducible outputs (stable hash seed and cell names, no progress bars)
KERNEL_ENV = {"PYTHONHASHSEED": "0", "IPYKERNEL_CELL_NAME": "<IPY-INPUT>", "TQDM_DISABLE": "1"}


class BuildError(Exception):
    pass


@dataclass
class Job:
    notebook: Path
    dest: Path  # the unit directory that is replaced atomically
    stem: str  # file name (without suffix) inside dest
    parameters: dict = field(default_factory=dict)
    metrics_through: int | None = None  # write metrics.json for this year

    @property
    def name(self) -> str:
        return self.dest.name


def analysis_notebooks(nb_dir: Path = NOTEBOOK_DIR) -> list[Path]:
    return sorted(p for p in nb_dir.glob("*.ipynb") if p.name != YEARLY)


def notebook_parameters(path: Path) -> set[str]:
    """Names assigned in the notebook's `parameters` cell (papermill ignores unknown names silently)."""
    import ast

    import nbformat

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            names = set()
            for node in ast.parse(cell.source).body:
                if isinstance(node, (ast.Assign, ast.AnnAssign)):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    names |= {t.id for t in targets if isinstance(t, ast.Name)}
            return names
    raise BuildError(f"{path.name} has no cell tagged 'parameters'")


def plan(ds: Dataset, *, data_dir=None, out_dir=None, years=None, lang="zh", jobs=None, nb_dir: Path = NOTEBOOK_DIR) -> list[Job]:
    """Check every argument and return the jobs, before any kernel starts. Raises ValueError."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    known = ds.conference_years
    if years:
        bad = [y for y in years if y not in known]
        if bad:
            raise ValueError(
                f"year(s) {', '.join(map(str, bad))} not in the data; conference years are {', '.join(map(str, known))}"
            )
        years = sorted(set(years))
    else:
        years = known
    if jobs is not None and jobs < 1:
        raise ValueError("--jobs must be 1 or more")
    out = Path(out_dir) if out_dir else DEFAULT_OUT
    _check_writable(out)
    data = str(Path(data_dir).resolve()) if data_dir else None
    result = []
    for nb in analysis_notebooks(nb_dir):
        params = {"data_dir": data, "lang": lang}
        result.append(Job(nb, out / nb.stem, nb.stem, _only_known(nb, params)))
    yearly = nb_dir / YEARLY
    if not yearly.exists():
        raise ValueError(f"yearly report template {yearly} is missing")
    for y in years:
        params = {"data_dir": data, "lang": lang, "year": int(y)}
        result.append(Job(yearly, out / str(y), "report", _only_known(yearly, params), metrics_through=int(y)))
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


def _export_html(nb_path: Path, html_path: Path, title: str) -> None:
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(nb_path, as_version=4)
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    # the notebooks' opening notes are for JupyterLab readers; the report starts with its generated title
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={REMOVE_TAG}), enabled=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    html_path.write_text(body, encoding="utf-8")


def _run(job: Job, ds_dir) -> Path:
    """Execute one job into a temporary sibling of its destination; return that directory."""
    import papermill as pm

    job.dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{job.name}-", dir=job.dest.parent))
    try:
        fig_dir = tmp / "figures"
        params = dict(job.parameters)
        if "fig_dir" in notebook_parameters(job.notebook):
            params["fig_dir"] = str(fig_dir)
        out_nb = tmp / f"{job.stem}.ipynb"
        try:
            pm.execute_notebook(
                str(job.notebook),
                str(out_nb),
                parameters=params,
                kernel_name=KERNEL,
                progress_bar=False,
                start_timeout=START_TIMEOUT,
                execution_timeout=EXECUTION_TIMEOUT,
                # no cwd=: papermill implements it with os.chdir, which is process-wide; with several
                # notebooks running in threads the restores interleave and leave the caller in the wrong
                # directory. The notebooks use absolute paths, so the kernel's start directory is irrelevant.
                extra_arguments=KERNEL_ARGS,
            )
        except pm.PapermillExecutionError as exc:
            raise BuildError(
                f"{job.notebook.name} (report {job.name}) failed in cell {exc.cell_index} "
                f"(execution count {exc.exec_count}): {exc.ename}: {exc.evalue}"
            ) from None
        title = job.name if job.stem != "report" else f"{job.name}"
        _export_html(out_nb, tmp / f"{job.stem}.html", title)
        if job.metrics_through is not None:
            from .data import load
            from .output import metrics_dict

            m = metrics_dict(load(ds_dir), job.metrics_through)
            (tmp / "metrics.json").write_text(json.dumps(m, ensure_ascii=False, indent=2, allow_nan=False) + "\n", encoding="utf-8")
        return tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


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


def _write_index(out: Path, jobs: list[Job]) -> None:
    items = []
    for j in jobs:
        f = j.dest / f"{j.stem}.html"
        if f.exists():
            items.append(f'<li><a href="{html.escape(j.name)}/{html.escape(f.name)}">{html.escape(j.name)}</a></li>')
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Tongzhou · 北三县 reports</title></head><body>"
        "<h1>通州与北三县项目推介洽谈会 · Tongzhou and the North Three Counties</h1><ul>" + "".join(items) + "</ul></body></html>\n"
    )
    tmp = out / ".index.html.tmp"
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out / "index.html")


def build(jobs: list[Job], *, n_jobs: int | None = None, progress: bool = True, data_dir=None) -> None:
    """Run every job; replace each report that succeeded; raise BuildError listing every failure."""
    if not jobs:
        return
    for k, v in KERNEL_ENV.items():
        os.environ[k] = v
    os.environ.pop("MPLBACKEND", None)
    n = n_jobs or os.cpu_count() or 1
    ds_dir = data_dir if data_dir is not None else (jobs[0].parameters.get("data_dir"))
    out = jobs[0].dest.parent
    log = (lambda s: print(s, file=sys.stderr, flush=True)) if progress else (lambda s: None)
    log(f"building {len(jobs)} report(s) into {out} with {min(n, len(jobs))} kernel(s) in parallel")
    t0 = time.perf_counter()
    failures = []
    with ThreadPoolExecutor(max_workers=n) as pool:
        started = {pool.submit(_timed, _run, job, ds_dir): job for job in jobs}
        for done, fut in enumerate(as_completed(started), start=1):
            job = started[fut]
            try:
                tmp, secs = fut.result()
            except (BuildError, OSError) as exc:
                failures.append(f"{exc}; the earlier report in {job.dest} was left in place")
                log(f"[{done}/{len(jobs)}] FAILED {job.name}")
                continue
            _swap_in(tmp, job.dest)
            log(f"[{done}/{len(jobs)}] {job.name} ({secs:.1f} s)")
    _write_index(out, jobs)
    log(f"done in {time.perf_counter() - t0:.1f} s: {len(jobs) - len(failures)} written, {len(failures)} failed")
    if failures:
        raise BuildError(" | ".join(failures))


def _timed(fn, *args):
    t = time.perf_counter()
    r = fn(*args)
    return r, time.perf_counter() - t


def refresh_notebooks(nb_dir: Path = NOTEBOOK_DIR, n_jobs: int | None = None) -> None:
    """Re-execute the committed notebooks in place with their default parameters (for nbval)."""
    import nbformat
    import papermill as pm

    for k, v in KERNEL_ENV.items():
        os.environ[k] = v
    os.environ.pop("MPLBACKEND", None)

    def one(path: Path) -> str:
        tmp = path.with_name(f".{path.stem}.tmp.ipynb")
        pm.execute_notebook(str(path), str(tmp), kernel_name=KERNEL, progress_bar=False,
                            start_timeout=START_TIMEOUT, execution_timeout=EXECUTION_TIMEOUT,  # no cwd=: see _run
                            extra_arguments=KERNEL_ARGS)
        nb = nbformat.read(tmp, as_version=4)
        nb.metadata.pop("papermill", None)
        for cell in nb.cells:
            cell.metadata.pop("papermill", None)
            cell.metadata.pop("execution", None)
        nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": KERNEL}
        nbformat.write(nb, tmp)
        os.replace(tmp, path)
        return path.name

    paths = sorted(nb_dir.glob("*.ipynb"))
    with ThreadPoolExecutor(max_workers=n_jobs or os.cpu_count() or 1) as pool:
        for name in pool.map(one, paths):
            print(f"refreshed {name}", file=sys.stderr)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(prog="python -m analysis.build", description="maintenance of the committed notebooks")
    ap.add_argument("--refresh-notebooks", action="store_true", help="re-execute notebooks/ in place with default parameters")
    ap.add_argument("--jobs", type=int, default=None)
    a = ap.parse_args()
    if not a.refresh_notebooks:
        ap.error("nothing to do; use `python -m analysis build` for reports")
    refresh_notebooks(n_jobs=a.jobs)
