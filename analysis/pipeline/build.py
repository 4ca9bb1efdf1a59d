"""Build the reports: run the notebooks in warm kernels, write bulletin pages, charts and metrics.json.

Layout of the output directory (``reports/`` by default); the first language built (zh) at the top, every other
one in a folder of its own with the same layout (``en/index.html``, ``en/2023/report.html``, …), so that the two
languages of a page link to each other by relative addresses (offline, from ``file://``); a build of one
language (``--lang en``) puts it at the top and links no other language::

    index.html                       the latest release's headline and a chart of the series, then the reports
                                     (newest first) and analyses, one card each; the reports out of date, and why
    signings.csv                     the numbers of the index's chart (UTF-8 with BOM, as every CSV here)
    .build.json                      the build's marker: every file it wrote (SHA-256) and folder, the units with
                                     their input digests, the reports out of date (analysis.pipeline.outdir)
    <release>/                       one per release, named by its last year: 2021 (2019–2020 and 2021), 2022, …
        report.html, report.ipynb, figures/*.png, figures/*.csv (each chart's and table's numbers),
        metrics.json, .stamp.json
    <notebook-stem>/                 one per analysis notebook (1.0-trends, …)
        <stem>.html, <stem>.ipynb, figures/*.png, figures/*.csv, .stamp.json
    en/                              the same in English

Every page carries its furniture (:func:`analysis.present.page.furniture`): the release date of its figures and
when the next are expected, the same page in the other language, the previous and next report, its CSV files
and metrics.json (an analysis page links the latest report's: the figures of all the data), and where to report
an error (``--feedback``; by default the repository's issue tracker).

How it runs:

* **Warm kernels** (:mod:`analysis.pipeline.kernels`). ``--jobs`` workers each take one kernel that imported the
  analysis stack once; each notebook then runs in a clean namespace (``%reset -f``) in its own working
  folder. Execution counts are renumbered, so a notebook's outputs are the bytes a fresh kernel gives (a
  test compares the two ways). The languages of one unit run one after the other in one kernel (the second
  reuses what the first computed there), the longest units first (:func:`schedule`); a kernel goes on with
  its next notebook while this process writes the page of its last one. A cell that runs longer than ``--cell-timeout`` or a kernel that dies
  fails that report only; the worker goes on in a new kernel. Ctrl-C kills every kernel and ends the build
  within seconds, the out folder untouched.
* **Incremental.** A unit is rebuilt only when one of its inputs changed: the notebook, its parameters,
  the data files, the analysis package (code, templates and the stored calibration study), the pinned
  stack; or when a file its build wrote is missing, or it failed last time. The digests are in the marker;
  when nothing changed the build says so at once without starting a kernel or loading the data.
  ``--force`` rebuilds everything.
* **Reproducible.** No timestamps, durations, random ids or paths are written (the data folder reaches the
  kernels through the environment, not as a parameter): two builds from the same inputs, wherever the
  data are, give identical files.
* **One build, whole** (:mod:`analysis.pipeline.outdir`). The new tree is assembled beside the out folder (units
  that did not change, and the earlier version of a report whose notebook failed, carried over by hard
  link) and switched in with one atomic exchange; a reader sees all of the previous build or all of the
  new one. The build owns only what it wrote, and one build at a time holds a folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import shutil
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..core import locale
from ..core.config import DATA_ENV, NOTEBOOK_DIR, REPORTS_DIR, ROOT, default_data_dir
from ..core.locale import LANGS
from . import outdir
from .kernels import CELL_TIMEOUT, BuildError, Kernel, KernelPool, clean_notebook

__all__ = [
    "lang_folders",
    "BuildError",
    "Job",
    "KernelPool",
    "build",
    "plan",
    "refresh_notebooks",
    "schedule",
    "tree_digest",
    "up_to_date",
]

REPORT_NOTEBOOK = "5.0-period-report.ipynb"
#: the analysis that fits the projection's model, the longest unit of a build (run first: :func:`schedule`)
PROJECTION_NOTEBOOK = "4.0-projection.ipynb"
#: the parameters the build passes to every analysis notebook and to the period report (``fig_dir`` when it runs)
ANALYSIS_PARAMETERS = ("lang", "fig_dir")
REPORT_PARAMETERS = ("lang", "through", "metrics_path", "fig_dir")
STAMP = ".stamp.json"
#: seconds an interrupted build waits for its workers after killing the kernels (they return within about one)
INTERRUPT_GRACE = 10
#: the index chart's numbers, beside index.html
SERIES_CSV = "signings.csv"


def languages(lang=None) -> tuple[str, ...]:
    """The languages of a build, in the order of ``LANGS``: one code, several, or None for every language.

    Parameters
    ----------
    lang : str or iterable of str, optional
        ``"zh"``, ``"en"``, a list of them, or None.

    Returns
    -------
    tuple of str

    Raises
    ------
    ValueError
        An unknown language.

    Examples
    --------
    >>> from analysis.pipeline.build import languages
    >>> languages(), languages("en"), languages(["en", "zh"])
    (('zh', 'en'), ('en',), ('zh', 'en'))
    """
    asked = list(LANGS) if lang is None else [lang] if isinstance(lang, str) else list(lang)
    bad = [x for x in asked if x not in LANGS]
    if bad or not asked:
        raise ValueError(f"unknown language {bad[0] if bad else ''!r}; use one of {', '.join(LANGS)}")
    return tuple(x for x in LANGS if x in asked)


def lang_folders(langs) -> dict[str, str]:
    """Each language's folder in the out folder: the first language built at the top, each other in its own.

    A folder is named by the language's code; a build of one language has the layout of a build of the first.

    Parameters
    ----------
    langs : iterable of str
        The languages built (:func:`languages`).

    Returns
    -------
    dict
        Language → folder (``""`` for the top).

    Examples
    --------
    >>> from analysis.pipeline.build import lang_folders
    >>> lang_folders(("zh", "en")), lang_folders(("en",))
    ({'zh': '', 'en': 'en'}, {'en': ''})
    """
    langs = languages(langs)
    return {code: "" if i == 0 else code for i, code in enumerate(langs)}


def _slash(folder: str) -> str:
    return folder + "/" if folder else ""


@dataclass
class Job:
    """One unit of the build: a notebook to run with its parameters, written into its own folder.

    A unit is either an analysis notebook (``through`` None) or the period report of one release
    (``through`` its last year), in one language.
    """

    notebook: Path
    dest: Path  # the unit directory in the out folder (assembled in the staging tree, switched in with it)
    stem: str  # file name (without suffix) inside dest
    parameters: dict = field(default_factory=dict)
    through: int | None = None  # a period report (metrics.json and the page's figures for this year)
    lang: str = "zh"
    folder: str = ""  # its language's folder in the out folder (lang_folders)
    langs: tuple = ()  # the languages of the build it belongs to (its plan's): the pages link them

    @property
    def key(self) -> str:
        """The unit's folder in its language's folder (a release's key such as ``2023``, or a notebook stem)."""
        return self.dest.name

    @property
    def name(self) -> str:
        """The unit's name: its folder relative to the out folder (``2023``, ``en/2023``, ``1.0-trends``)."""
        return _slash(self.folder) + self.key

    @property
    def out(self) -> Path:
        """The out folder the unit is written into (above its language's folder)."""
        return self.dest.parents[self.name.count("/")]


# --------------------------------------------------------------------------------------------- inputs


def _files(folder: Path, patterns) -> list[Path]:
    return sorted(p for pat in patterns for p in folder.glob(pat) if p.is_file() and "__pycache__" not in p.parts)


def inputs_digest(data_dir: Path | None = None, extra: dict | None = None) -> str:
    """Digest of what every unit depends on, plus ``extra`` (arguments).

    The data files, the forecast archive beside them, the analysis package (code, templates and the stored
    calibration study), the pinned stack (constraints.txt) and the interpreter's version.

    Parameters
    ----------
    data_dir : pathlib.Path, optional
        The data folder; None for the default one (``default_data_dir``).
    extra : dict, optional
        The build's arguments that every unit depends on (the language, the years), JSON-encoded.

    Returns
    -------
    str
        A SHA-256 hex digest.
    """
    h = hashlib.sha256()
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    pkg = ROOT / "analysis"
    for p in (
        _files(data_dir, ["*.csv"])
        + _files(data_dir.parent / "forecasts", ["*.csv"])  # the forecast archive beside the data (its record page)
        + _files(pkg, ["**/*.py", "**/templates/**/*", "**/validation/*"])
        + [ROOT / "constraints.txt"]
    ):
        if p.exists():
            h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    h.update(sys.version.encode())
    h.update(json.dumps(extra or {}, sort_keys=True, default=str).encode())
    return h.hexdigest()


def unit_digest(job: Job, base: str) -> str:
    """Digest of one unit's inputs: the common ones, the notebook's bytes and the unit's parameters.

    The build stores it in the marker (and the unit's ``.stamp.json``) and reruns the unit when it changes.

    Parameters
    ----------
    job : Job
        The unit.
    base : str
        The digest of the inputs every unit shares (:func:`inputs_digest`).

    Returns
    -------
    str
        A SHA-256 hex digest.
    """
    h = hashlib.sha256(base.encode())
    h.update(job.notebook.read_bytes())
    h.update(
        json.dumps({"parameters": job.parameters, "through": job.through, "lang": job.lang}, sort_keys=True).encode()
    )
    return h.hexdigest()


def tree_digest(data_dir=None, nb_dir: Path = NOTEBOOK_DIR, lang=None, years=None, feedback: str | None = None) -> str:
    """Digest of every input of a whole build with these arguments (the no-op check needs no data loaded).

    Parameters
    ----------
    data_dir : str or pathlib.Path, optional
        The data folder; None for the default one.
    nb_dir : pathlib.Path, optional
        The notebooks folder; every ``*.ipynb`` in it counts.
    lang : str or iterable of str, optional
        The reports' languages (:func:`languages`); None for every language.
    years : iterable of int, optional
        The conference years asked for (``--years``); None for all.
    feedback : str, optional
        Where the pages tell readers to report an error (``--feedback``).

    Returns
    -------
    str
        A SHA-256 hex digest, compared with the marker's ``inputs`` by :func:`up_to_date`.
    """
    extra = {"lang": list(languages(lang)), "years": sorted(years or []), "feedback": feedback}
    h = hashlib.sha256(inputs_digest(data_dir, extra).encode())
    for p in sorted(Path(nb_dir).glob("*.ipynb")):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def up_to_date(out_dir: Path, digest: str) -> bool:
    """Whether the tree in ``out_dir`` is current: nothing to build.

    True when it was built from exactly these inputs, without failures, and every file its build wrote is
    still there; an unreadable marker counts as not current.

    Parameters
    ----------
    out_dir : pathlib.Path
        The out folder.
    digest : str
        The inputs of the build asked for (:func:`tree_digest`).

    Returns
    -------
    bool
    """
    try:
        marker = outdir.read_marker(Path(out_dir))
    except ValueError:
        return False
    return bool(digest) and marker.get("inputs") == digest and outdir.complete(Path(out_dir), marker)


# --------------------------------------------------------------------------------------------- plan


def notebook_parameters(path: Path) -> list[str]:
    """Names defined in the notebook's ``parameters`` cell (papermill ignores unknown names silently).

    Parameters
    ----------
    path : pathlib.Path
        A notebook.

    Returns
    -------
    list of str
        The names, in the order the cell declares them.

    Raises
    ------
    BuildError
        The notebook has no cell tagged ``parameters``.

    Notes
    -----
    Inspected once per content in a process (a plan asks for each notebook once per language and release): the
    names are kept under the digest of the file's bytes, so an edited notebook is inspected again.
    """
    import papermill as pm

    key = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    if key not in _PARAMETERS:
        _PARAMETERS[key] = list(pm.inspect_notebook(str(path)))
    params = _PARAMETERS[key]
    if not params:
        raise BuildError(f"{path.name} has no cell tagged 'parameters'")
    return list(params)


#: the names of each notebook's ``parameters`` cell, by the digest of its bytes (:func:`notebook_parameters`)
_PARAMETERS: dict[str, list[str]] = {}


def analysis_notebooks(nb_dir: Path = NOTEBOOK_DIR) -> list[Path]:
    """The analysis notebooks: every notebook of ``nb_dir`` but the period report's template, by name.

    Parameters
    ----------
    nb_dir : pathlib.Path, optional
        The notebooks folder.

    Returns
    -------
    list of pathlib.Path
    """
    return sorted(p for p in nb_dir.glob("*.ipynb") if p.name != REPORT_NOTEBOOK)


def most_units(data_dir=None, nb_dir: Path = NOTEBOOK_DIR, lang=None) -> int:
    """An upper bound on the units of a build, known before the data are loaded.

    The analysis notebooks plus one report per conference year (conferences.csv; one when it cannot be
    read), in each language built. No more kernels than this are useful.

    Parameters
    ----------
    data_dir : str or pathlib.Path, optional
        The data folder; None for the default one.
    nb_dir : pathlib.Path, optional
        The notebooks folder.
    lang : str or iterable of str, optional
        The languages built (:func:`languages`); None for every one.

    Returns
    -------
    int
    """
    conferences = Path(data_dir or default_data_dir()) / "conferences.csv"
    try:
        lines = conferences.read_text(encoding="utf-8").strip().splitlines()[1:]
        n_conf = len({line.split(",", 1)[0] for line in lines})
    except (OSError, UnicodeDecodeError):  # unreadable: the data check, run next, says why in one line
        n_conf = 1
    return (len(analysis_notebooks(nb_dir)) + n_conf) * len(languages(lang))


def plan(
    ds, *, data_dir=None, out_dir=None, years=None, lang=None, jobs=None, nb_dir: Path = NOTEBOOK_DIR
) -> list[Job]:
    """Check every argument and return the jobs, before any kernel starts. Raises ValueError.

    No job carries the data folder (``data_dir``, else ``ds.data_dir``): the kernels get it through the
    environment, so that it is written neither into the executed notebooks nor into the digests.

    Parameters
    ----------
    ds : analysis.data.dataset.Dataset
        The data, as loaded (its conference years and releases).
    data_dir : str or pathlib.Path, optional
        The data folder, protected from being the out folder; None for ``ds.data_dir``.
    out_dir : str or pathlib.Path, optional
        The out folder; None for ``reports/``.
    years : iterable of int, optional
        Conference years whose release reports to build (``--years``); None for every release.
    lang : str or iterable of str, optional
        The reports' languages (of ``LANGS``); None for every one (the first at the top of the out folder, the
        others in a folder each: :func:`lang_folders`).
    jobs : int, optional
        The number of workers asked for (checked only: 1 or more).
    nb_dir : pathlib.Path, optional
        The notebooks folder.

    Returns
    -------
    list of Job
        Per language: the analysis notebooks, then one period report per release.
    """
    from ..stats import metrics

    langs = languages(lang)
    known = ds.conference_years
    releases = metrics.releases(ds)  # one report per release
    if years:
        bad = [y for y in years if y not in known]
        if bad:
            raise ValueError(
                f"year(s) {', '.join(map(str, bad))} not in the data; conference years are {', '.join(map(str, known))}"
            )
        wanted = {metrics.release_of(ds, y).key for y in years}
        releases = [r for r in releases if r.key in wanted]
    if jobs is not None and jobs < 1:
        raise ValueError("--jobs must be 1 or more")
    out = Path(out_dir) if out_dir else REPORTS_DIR
    outdir.check_target(out, [data_dir or ds.data_dir])
    report = nb_dir / REPORT_NOTEBOOK
    if not report.exists():
        raise ValueError(f"report template {report} is missing")
    result = []
    for lang, folder in lang_folders(langs).items():
        root = out / folder
        for nb in analysis_notebooks(nb_dir):
            params = _only_known(nb, {"lang": lang})
            result.append(Job(nb, root / nb.stem, nb.stem, params, lang=lang, folder=folder, langs=langs))
        for r in releases:
            params = _only_known(report, {"lang": lang, "through": r.through, "metrics_path": "metrics.json"})
            result.append(
                Job(report, root / r.key, "report", params, through=r.through, lang=lang, folder=folder, langs=langs)
            )
    return result


def check_parameters(nb_dir: Path = NOTEBOOK_DIR) -> None:
    """Refuse, before any kernel starts, a notebook that does not declare every parameter the build passes.

    Papermill would only warn and run the notebook on its defaults; this says which name is unknown and
    which the notebook knows, in one line.

    Parameters
    ----------
    nb_dir : pathlib.Path, optional
        The notebooks folder.

    Raises
    ------
    ValueError
        A notebook does not declare a parameter the build passes.
    """
    for nb in analysis_notebooks(nb_dir):
        _only_known(nb, dict.fromkeys(ANALYSIS_PARAMETERS))
    report = nb_dir / REPORT_NOTEBOOK
    if report.exists():
        _only_known(report, dict.fromkeys(REPORT_PARAMETERS))


def _only_known(nb: Path, params: dict) -> dict:
    """Every parameter the build passes must be defined by the notebook (papermill would ignore it)."""
    from ..present.notebook import unknown_parameters

    names = notebook_parameters(nb)
    unknown = [k for k in params if k not in names]
    if unknown:
        raise ValueError(f"{nb.name}: {unknown_parameters(unknown, names)}")
    return dict(params)


# --------------------------------------------------------------------------------------------- units


def _write_unit(job: Job, nb, tmp: Path, res, digest: str, site: Site | None = None) -> None:
    import nbformat

    from ..present import page

    nbformat.write(clean_notebook(nb), tmp / f"{job.stem}.ipynb")
    if job.through is not None:  # metrics.json: written by the report notebook from the results it shows
        title = page.report_title(res, job.lang)
        if not (tmp / "metrics.json").exists():
            raise BuildError(f"{job.notebook.name} (report {job.name}) wrote no metrics.json")
    else:
        title = page.analysis_title(job.stem, job.lang, full=True, res=res)  # its strongest finding
    nav, ds = (site.nav(job), site.ds) if site is not None else (None, None)
    html = page.report_page(nb, res, job.lang, title, nav=nav, ds=ds)
    for rel, data in page.table_files(nb, job.lang).items():  # the tables' numbers, linked under each
        (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp / rel).write_bytes(data)
    (tmp / f"{job.stem}.html").write_text(html, encoding="utf-8")
    (tmp / STAMP).write_text(
        json.dumps(
            {"digest": digest, "notebook": job.notebook.name, "parameters": job.parameters}, sort_keys=True, indent=1
        )
        + "\n",
        encoding="utf-8",
    )


@dataclass
class Site:
    """What a page knows of the whole tree: the data, every unit of the full plan, the feedback address.

    Parameters
    ----------
    ds : analysis.data.dataset.Dataset
        The data.
    units : list of Job
        Every unit of the full plan, in every language built.
    feedback : str, optional
        Where readers report an error (None: the repository's issue tracker).
    """

    ds: object
    units: list
    feedback: str | None = None

    def nav(self, job: Job) -> dict:
        """The links and dates of one page's furniture (:func:`analysis.present.page.furniture`).

        Parameters
        ----------
        job : Job
            The unit whose page is written.

        Returns
        -------
        dict
            ``langs``, ``prev``, ``next``, ``later``, ``metrics`` and ``feedback``.
        """
        from ..present import page
        from ..stats import metrics

        loc = locale.of(job.lang)
        up = "../" * (1 + job.name.count("/"))
        same = [j for j in self.units if j.lang == job.lang and (j.through is None) == (job.through is None)]
        same.sort(key=lambda j: (j.through or 0, j.key))
        at = next(i for i, j in enumerate(same) if j.key == job.key)
        releases = {r.through: r for r in metrics.releases(self.ds)}

        def link(j: Job | None) -> dict | None:
            if j is None:
                return None
            if j.through is None:
                return {"href": f"../{j.key}/{j.stem}.html", "label": page.analysis_title(j.stem, loc), "kind": "page"}
            r = releases[j.through]
            label = loc.word("cli_list_sep").join(loc.period(p.first_year, p.last_year) for p in r.periods)
            return {"href": f"../{j.key}/{j.stem}.html", "label": loc.word("furn_release_label", periods=label)}

        reports = sorted((j for j in self.units if j.through is not None), key=lambda j: j.through)
        later = [r for t, r in sorted(releases.items()) if job.through is not None and t > job.through]
        latest = reports[-1].key if reports else None
        return {
            "langs": [
                {"lang": j.lang, "href": f"{up}{j.name}/{j.stem}.html"}
                for j in self.units
                if j.key == job.key and j.lang != job.lang
            ],
            "prev": link(same[at - 1] if at > 0 else None),
            "next": link(same[at + 1] if at + 1 < len(same) else None),
            "later": later[0].date if later else None,
            "metrics": "metrics.json" if job.through is not None else (f"../{latest}/metrics.json" if latest else None),
            "feedback": self.feedback,
        }


def write_index(
    folder: Path,
    ds,
    units: list[Job],
    lang: str,
    known: dict | None = None,
    stale: dict | None = None,
    feedback: str | None = None,
) -> Path:
    """Write the contents page of one language, ``index.html`` in its folder of ``folder``, and its chart's CSV.

    The latest release's headline finding (its report's title and first main point, as its page shows them)
    and a small chart of the whole series; a card for every unit of ``units`` (the full plan) in ``lang``
    whose page is there, not only the ones just built (a ``--years`` build keeps the other years' cards),
    reports newest first, each linked in every language built; then one line per report that is out of date.

    Parameters
    ----------
    folder : pathlib.Path
        The tree being assembled (the staging folder).
    ds : analysis.data.dataset.Dataset
        The data.
    units : list of Job
        Every unit of the full plan.
    lang : str
        The page's language.
    known : dict, optional
        Results already computed, by unit name (a report's card is computed again when missing).
    stale : dict, optional
        Unit name → why its report is out of date.
    feedback : str, optional
        Where readers report an error (None: the repository's issue tracker).

    Returns
    -------
    pathlib.Path
        The page written.
    """
    import nbformat

    from ..core.locale import word
    from ..present import charts, output, page
    from ..stats.results import compute

    folders = {j.lang: j.folder for j in units}
    root = folder / folders[lang]
    up = "../" if folders[lang] else ""
    reports, analyses, headline, latest_report = [], [], None, None
    mine = [j for j in units if j.lang == lang]
    for j in sorted(mine, key=lambda j: (j.through is not None, j.through or 0, j.key)):
        if not (folder / j.name / f"{j.stem}.html").exists():
            continue
        href = f"{j.key}/{j.stem}.html"
        langs = [
            {"lang": o.lang, "href": f"{up}{o.name}/{o.stem}.html"}
            for o in units
            if o.key == j.key and o.lang != lang and (folder / o.name / f"{o.stem}.html").exists()
        ]
        if j.through is not None:
            res = known[j.name] if known and j.name in known else compute(ds, j.through, projection=False)
            reports.append(page.card(res, lang, href, langs))
            latest_report = (j, res, href)  # the reports go oldest first: the last one is the headline's
        else:
            analyses.append(
                {
                    "href": href,
                    "title": page.analysis_title(j.stem, lang),
                    "meta": word("analysis_meta", lang).format(through=ds.conference_years[-1]),
                    "langs": page.lang_links(langs),
                }
            )
    if latest_report is not None:  # its executed notebook is read for its first main point (the only one read)
        j, res, href = latest_report
        nb = nbformat.read(folder / j.name / f"{j.stem}.ipynb", as_version=4)
        point = page.first_point(page.split_outputs(nb)["main_points"])
        headline = {"title": page.report_title(res, lang), "href": href, "point": point}
    latest = compute(ds, projection=False)
    root.mkdir(parents=True, exist_ok=True)
    series = None
    if len(latest.periods):
        (root / SERIES_CSV).write_bytes(output.chart_csv(charts.series, latest, lang))
        series = page.series_figure(latest, lang, SERIES_CSV)
    lines = [word("stale_line", lang).format(unit=name, why=why) for name, why in sorted((stale or {}).items())]
    nav = {
        "langs": [
            {"lang": o, "href": f"{up}{_slash(folders[o])}index.html"} for o in LANGS if o != lang and o in folders
        ],
        "metrics": f"{reports[-1]['href'].rsplit('/', 1)[0]}/metrics.json" if reports else None,
        "feedback": feedback,
    }
    text = page.index_page(
        list(reversed(reports)), analyses, latest, lang, stale=lines, headline=headline, series=series, nav=nav
    )
    (root / "index.html").write_text(text, encoding="utf-8")
    return root / "index.html"


# --------------------------------------------------------------------------------------------- build


class _WriteFailed(Exception):
    """The staging tree could not be written (a full disk, permissions): the build switches nothing."""


def build(
    jobs: list[Job],
    ds=None,
    *,
    n_jobs: int | None = None,
    progress: bool = True,
    data_dir=None,
    force: bool = False,
    fresh: bool = False,
    tree: str | None = None,
    pool: KernelPool | None = None,
    cell_timeout: int = CELL_TIMEOUT,
    claim: outdir.Claim | None = None,
    feedback: str | None = None,
) -> dict:
    """Run every job whose inputs changed, assemble the new tree beside the out folder and switch it in once.

    Raises BuildError listing the failed reports (the others are written; each failed one keeps its earlier
    version, and the index says so). Nothing is switched when the tree cannot be written or on Ctrl-C.

    Parameters
    ----------
    jobs : list of Job
        The units to build (:func:`plan`); their folders' parent is the out folder.
    ds : analysis.data.dataset.Dataset, optional
        The data; None loads them from ``data_dir``.
    n_jobs : int, optional
        Workers (warm kernels); None for the number of CPUs, never more than the units to run.
    progress : bool, optional
        Log progress to stderr.
    data_dir : str or pathlib.Path, optional
        The data folder, when ``ds`` is None.
    force : bool, optional
        Rebuild every unit, changed or not.
    fresh : bool, optional
        A new kernel per notebook (what the equivalence test compares the warm kernels with).
    tree : str, optional
        The whole build's input digest (:func:`tree_digest`), recorded in the marker when nothing failed.
    pool : KernelPool, optional
        Kernels to use (already warming); None starts a pool here and closes it at the end.
    cell_timeout : int, optional
        Seconds a cell may run before its report fails.
    claim : analysis.pipeline.outdir.Claim, optional
        The out folder, already claimed (the CLI claims it before the kernels start); else claimed here.
    feedback : str, optional
        Where the pages tell readers to report an error (``--feedback``); None: the repository's issue tracker.

    Returns
    -------
    dict
        ``{"built": [...], "skipped": [...], "failed": [...], "index": path}`` (unit names; the index page of
        the first language built, None when there were no jobs).

    Raises
    ------
    BuildError
        Some reports failed, or the tree could not be written.
    """
    from ..api import load

    if not jobs:
        return {"built": [], "skipped": [], "failed": [], "index": None}
    ds = ds if ds is not None else load(data_dir)
    mine = claim is None
    claim = claim or outdir.Claim(jobs[0].out, [ds.data_dir]).acquire()
    try:
        return _build(
            jobs,
            ds,
            claim,
            n_jobs=n_jobs,
            progress=progress,
            force=force,
            fresh=fresh,
            tree=tree,
            pool=pool,
            cell_timeout=cell_timeout,
            feedback=feedback,
        )
    finally:
        if mine:
            claim.release()


def _build(jobs, ds, claim, *, n_jobs, progress, force, fresh, tree, pool, cell_timeout, feedback) -> dict:
    out, prev = claim.out, claim.previous
    langs = languages(jobs[0].langs or {j.lang for j in jobs})
    folders = lang_folders(langs)
    index = out / "index.html"
    # every page links the others (languages, previous/next): its digest depends on the languages built
    base = inputs_digest(ds.data_dir, {"lang": list(langs), "feedback": feedback})
    digests = {j.name: unit_digest(j, base) for j in jobs}
    todo = [j for j in jobs if force or not _current(out, prev, j.name, digests[j.name])]
    skipped = [j.name for j in jobs if j not in todo]
    log = (lambda s: print(s, file=sys.stderr, flush=True)) if progress else (lambda s: None)
    if not todo and not prev.get("stale") and all((out / f / "index.html").exists() for f in folders.values()):
        if prev.get("inputs") != tree:  # same reports, other arguments (--years): the marker says so, in one write
            tmp = out / f"{outdir.MARKER}.tmp"
            tmp.write_text(json.dumps({**prev, "inputs": tree}, sort_keys=True, indent=1) + "\n", encoding="utf-8")
            os.replace(tmp, out / outdir.MARKER)
        log("nothing changed: every report is up to date")
        log(f"index: {index}")
        return {"built": [], "skipped": skipped, "failed": [], "index": index}
    cores = n_jobs or os.cpu_count() or 1
    n = max(1, min(cores, len(schedule(todo, cores)) or 1))  # no more workers than groups of units
    if todo:
        log(
            f"building {len(todo)} of {len(jobs)} report(s) into {out} with {n} warm kernel(s)"
            + (f"; {len(skipped)} unchanged" if skipped else "")
        )
    t0 = time.perf_counter()
    staging = claim.stage()
    old = None
    mine = pool is None
    pool = pool if pool is not None else KernelPool(0 if fresh else n)
    full = {j.name: j for j in plan(ds, out_dir=out, lang=langs, nb_dir=jobs[0].notebook.parent)}
    full.update({j.name: j for j in jobs})
    site = Site(ds, list(full.values()), feedback)
    try:
        results, known = _run(
            todo, ds, staging, pool, n=n, fresh=fresh, cell_timeout=cell_timeout, digests=digests, log=log, site=site
        )
        fatal = [v for status, v, _ in results.values() if status == "fatal"]
        if fatal:
            raise _WriteFailed(fatal[0])
        built, failed, units, stale = [], [], {}, {}
        for name, _j in full.items():  # plan order
            status, value, secs = results.get(name, ("skipped", None, 0.0))
            if status == "ok":
                units[name] = digests[name]
                built.append(name)
                log(f"  {name:<20} {locale.fixed(secs, 1):>5} s")
                continue
            kept = outdir.carry(out, staging, prev, name)
            if kept:
                units[name] = prev.get("units", {}).get(name)
            if status == "failed":
                msg = str(value) if isinstance(value, (BuildError, OSError)) else f"{type(value).__name__}: {value}"
                stale[name] = msg
                failed.append(f"{msg}; " + ("the earlier report was kept" if kept else "there is no earlier report"))
                log(f"  {name:<20} FAILED")
            elif kept and name in prev.get("stale", {}):
                stale[name] = prev["stale"][name]  # not retried by this build (--years): still out of date
        for lang in langs:
            write_index(staging, ds, list(full.values()), lang, known, stale, feedback)
        outdir.write_marker(staging, inputs=None if stale else tree, units=units, stale=stale)
        old = outdir.switch(staging, out, prev)
    except (OSError, _WriteFailed) as exc:
        why = exc.args[0] if isinstance(exc, _WriteFailed) else exc
        raise BuildError(f"could not write the reports ({why}); {out} was left as it was") from None
    finally:
        if mine:
            pool.close()
        outdir.discard(staging)
        outdir.discard(old)
    log(
        f"done in {locale.fixed(time.perf_counter() - t0, 1)} s: {len(built)} written, {len(failed)} failed, "
        f"{len(skipped)} unchanged"
    )
    log(f"index: {index}")
    if failed:
        raise BuildError(" | ".join(failed))
    return {"built": built, "skipped": skipped, "failed": failed, "index": index}


def _current(out: Path, prev: dict, name: str, digest: str) -> bool:
    """Whether the previous build's unit was built from these inputs, did not fail, and is all on disk."""
    return (
        prev.get("units", {}).get(name) == digest
        and name not in prev.get("stale", {})
        and outdir.complete(out, prev, name)
    )


def schedule(todo: list[Job], workers: int) -> list[list[Job]]:
    """The order in which the workers take the units: the languages of one unit together, the longest first.

    A worker runs a group's notebooks one after the other in one warm kernel, so that the later languages reuse
    what the first computed there (the results are memoised per process); groups go longest first (the
    projection's model, then the releases newest first: the more years, the longer; then the other analyses), so
    that the workers finish together. When there are fewer groups than workers, each unit is a group of its own:
    no kernel idles.

    Parameters
    ----------
    todo : list of Job
        The units to run, in plan order.
    workers : int
        The workers (warm kernels) that will take them.

    Returns
    -------
    list of list of Job
        The groups, in the order they are taken; each in plan order (the languages as ``LANGS`` orders them).

    Examples
    --------
    >>> from pathlib import Path
    >>> from analysis.pipeline.build import Job, schedule
    >>> def job(stem, through=None, lang="zh"):
    ...     key = str(through) if through else stem
    ...     return Job(Path(f"{stem}.ipynb"), Path("out", key), stem, through=through, lang=lang)
    >>> todo = [job(s, t, lang) for lang in ("zh", "en")
    ...         for s, t in (("1.0-trends", None), ("4.0-projection", None), ("report", 2021), ("report", 2024))]
    >>> [[(j.key, j.lang) for j in g] for g in schedule(todo, 2)][:2]
    [[('4.0-projection', 'zh'), ('4.0-projection', 'en')], [('2024', 'zh'), ('2024', 'en')]]
    >>> [[j.key for j in g] for g in schedule(todo[:1] + todo[4:5], 2)]
    [['1.0-trends'], ['1.0-trends']]
    """
    groups: dict[str, list[Job]] = {}
    for j in todo:
        groups.setdefault(j.key, []).append(j)
    ordered = sorted(groups.values(), key=lambda g: _longest_first(g[0]))
    if len(ordered) < workers:
        return [[j] for g in ordered for j in g]
    return ordered


def _longest_first(job: Job) -> tuple:
    """Sort key of a unit: the notebook that fits a model first, then the releases newest first, then the rest."""
    return (job.notebook.name != PROJECTION_NOTEBOOK, job.through is None, -(job.through or 0), job.key)


def _run(
    todo: list[Job],
    ds,
    staging: Path,
    pool: KernelPool,
    *,
    n: int,
    fresh: bool,
    cell_timeout: int,
    digests: dict,
    log,
    site: Site | None = None,
) -> tuple[dict, dict]:
    """Run the jobs in ``n`` workers, each unit into ``staging/<name>``. Returns ({name: (status, value,
    seconds)}, {name: results}); status is ok, failed (the notebook) or fatal (the tree cannot be written).
    On Ctrl-C every kernel is killed and the workers are given a few seconds to return.

    The workers take the units as :func:`schedule` groups them; a worker hands each executed notebook to the
    one page writer of this process and goes on with its next notebook at once (its kernel does not wait for
    the page)."""
    from concurrent.futures import ThreadPoolExecutor, wait

    from ..stats.results import compute

    data = ds.data_dir.resolve()
    results: dict[str, tuple] = {}
    work: queue.Queue = queue.Queue()
    groups = schedule(todo, n)
    for group in groups:
        work.put(group)
    stop = threading.Event()
    # every release's results (the languages of a unit share them), computed in this process while the kernels
    # start and run, in the order the units are taken (the pages need the periods, sources and headline; the
    # projection is the kernel's)
    computing = ThreadPoolExecutor(max_workers=1)
    by_year: dict = {}
    for j in (j for group in groups for j in group):
        if j.through not in by_year:
            by_year[j.through] = computing.submit(compute, ds, j.through, projection=False)
    figures = {j.name: by_year[j.through] for j in todo}
    writer = ThreadPoolExecutor(max_workers=1)  # pages are rendered in this process; one at a time
    writing = []  # the pages' futures: an interrupted build waits for the one being written before it discards

    def write(job: Job, nb, where: Path, started: float) -> None:
        try:
            _write_unit(job, nb, where, figures[job.name].result(), digests[job.name], site)
            results[job.name] = ("ok", None, time.perf_counter() - started)
        except OSError as exc:
            results[job.name] = ("fatal", exc, time.perf_counter() - started)
            stop.set()
        except BaseException as exc:
            shutil.rmtree(where, ignore_errors=True)
            results[job.name] = ("failed", exc, time.perf_counter() - started)

    def one(job: Job, kernel: Kernel | None, started: float) -> Kernel | None:
        where = staging / job.name
        try:
            (where / "figures").mkdir(parents=True)
        except OSError as exc:
            raise _WriteFailed() from exc
        params = {**job.parameters, "fig_dir": "figures"}  # relative: no temporary path is written
        if fresh:
            single = pool.start(warm=False, cwd=where, env={DATA_ENV: str(data)})
            try:
                nb = single.execute(job.notebook, params, where, job.name, timeout=cell_timeout)
            finally:
                pool.release(single)
        else:
            kernel = kernel or pool.take()
            nb = kernel.execute(job.notebook, params, where, job.name, timeout=cell_timeout, data_dir=data)
        writing.append(writer.submit(write, job, nb, where, started))
        return kernel

    def worker():
        kernel = None
        try:
            while not stop.is_set():
                try:
                    group = work.get_nowait()
                except queue.Empty:
                    return
                for job in group:
                    if stop.is_set():
                        return
                    t = time.perf_counter()
                    try:
                        kernel = one(job, kernel, t)
                    except _WriteFailed as exc:
                        results[job.name] = ("fatal", exc.__cause__, time.perf_counter() - t)
                        stop.set()
                    except BaseException as exc:
                        shutil.rmtree(staging / job.name, ignore_errors=True)
                        results[job.name] = ("failed", exc, time.perf_counter() - t)
                        if kernel is not None and type(exc) is not BuildError:  # timed out, dead, or broken
                            pool.release(kernel)
                            kernel = None
        finally:
            if kernel is not None:
                pool.release(kernel)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(n if todo else 0)]
    try:
        for th in threads:
            th.start()
        for th in threads:
            while th.is_alive():  # in slices: Ctrl-C is noticed even when the OS handed SIGINT to another thread
                th.join(0.5)
        writer.shutdown(wait=True)  # the last pages
    except KeyboardInterrupt:
        stop.set()
        pool.kill_all()  # the workers blocked in a cell see a dead kernel within a second
        deadline = time.monotonic() + INTERRUPT_GRACE
        for th in threads:
            th.join(max(0.0, deadline - time.monotonic()))
        writer.shutdown(wait=False, cancel_futures=True)
        computing.shutdown(wait=False, cancel_futures=True)
        # the page being written, if any, ends before the staging tree is deleted: written into while it was
        # deleted, the tree was left beside the out folder
        # (a future cancelled by the shutdown counts as not done for ``wait``)
        wait([f for f in writing if not f.cancelled()], timeout=max(0.0, deadline - time.monotonic()))
        raise
    computing.shutdown()
    return results, {name: f.result() for name, f in figures.items()}


def refresh_notebooks(nb_dir: Path = NOTEBOOK_DIR) -> None:
    """Re-execute the committed notebooks in place with their default parameters (what nbval checks).

    Parameters
    ----------
    nb_dir : pathlib.Path, optional
        The notebooks folder; each ``*.ipynb`` in it is run in one kernel and rewritten, cleaned.
    """
    import nbformat

    from .kernels import KERNEL

    kernel = Kernel()
    try:
        for path in sorted(nb_dir.glob("*.ipynb")):
            nb = clean_notebook(kernel.execute(path, None, path.parent, path.stem))
            nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": KERNEL}
            nbformat.write(nb, path)
            print(f"refreshed {path.name}", file=sys.stderr, flush=True)
    finally:
        kernel.shutdown()
