"""Command line: ``python -m analysis {check,metrics,calibrate,forecast,build,notebooks}``.

Heavy imports happen inside the commands so that ``--help`` answers at once. Every expected failure
(bad arguments, bad data, a failing notebook) ends in a one-line message and a non-zero exit, never a
traceback: 2 for bad arguments or an out folder the build refuses (not its own, or held by another
build), 1 for bad data or a failed build, 130 on Ctrl-C; 141 (128 + SIGPIPE) and nothing on stderr when
the reader of the output goes away (``metrics | head``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from ..core import locale

PROG = "python -m analysis"
#: the calibration study's worlds (``analysis.stats.calibration.PROCESSES``; a test keeps them equal), named
#: here so that the parser does not import the model
CALIBRATION_WORLDS = ("model", "growth", "jump", "rw", "heavy", "break", "rw_big", "negbin", "reversal")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line instead of usage + error
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


class UsageError(Exception):
    """Bad arguments found after parsing (exit 2)."""


def _data_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data",
        metavar="DIR",
        type=Path,
        default=None,
        help="data directory (default: $ANALYSIS_DATA_DIR when set, else the repository's data/)",
    )


def _load_or_fail(data_dir):
    """Load and validate, or raise SystemExit(1) with a one-line message."""
    from ..api import DataError, load
    from ..core.config import default_data_dir

    try:
        return load(data_dir)
    except DataError as exc:
        where = data_dir or default_data_dir()
        first = exc.problems[0]
        raise SystemExit(
            f"{PROG}: error: {where} fails the data check ({len(exc.problems)} problem(s), first: {first}); "
            f"run `{PROG} check --data {where}` for all of them"
        ) from None


def cmd_check(args) -> int:
    """``check``: validate the data folder and print every problem, or one summary line.

    With ``--sources DIR``, each evidence fragment is also looked for verbatim in ``DIR/<source_id>.txt``.
    Problems go to stderr, one per line (``FILE:LINE: column 'C': message``), then their count.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``check`` arguments (:func:`parser`): ``data``, ``sources``.

    Returns
    -------
    int
        The exit status: 0 when the data pass, 1 when they do not.
    """
    from ..api import DataError, load
    from ..core.config import default_data_dir
    from ..data.dataset import check_source_texts, summary

    data_dir = args.data or default_data_dir()
    try:
        ds = load(data_dir)
        notes: list[str] = []
        if args.sources is not None:
            problems, notes = check_source_texts(ds, args.sources)
            if problems:
                raise DataError(problems)
    except DataError as exc:
        for p in exc.problems:
            where = "" if p.file in (str(data_dir), str(args.sources)) else f"{data_dir}/"
            print(f"{where}{p}", file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) in {data_dir}", file=sys.stderr)
        return 1
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    line = summary(ds)
    if args.sources is not None:
        n = len(ds.rows["sources"]) - len(notes)
        line += f"; evidence found verbatim in {n} local source text(s) under {args.sources}"
    print(line)
    return 0


def _through_option(exc) -> str:
    """A year outside the data in the command line's words (the option ``--through``, not the argument)."""
    if exc.side == "before":
        return f"--through {exc.year} is before the first conference ({exc.bound})"
    return f"--through {exc.year} is after the last conference in the data ({exc.bound})"


def cmd_metrics(args) -> int:
    """``metrics``: compute the results through ``--through`` and print them as a table or as JSON.

    Bad data end the command with a one-line message (exit 1); a year outside the data is a usage error.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``metrics`` arguments (:func:`parser`): ``data``, ``through``, ``format``, ``horizon``,
        ``seed``, ``no_projection``, ``lang``.

    Returns
    -------
    int
        The exit status: 0.
    """
    from ..present.output import jsonable, metrics_text, results_dict
    from ..stats.metrics import YearOutsideData
    from ..stats.results import compute

    ds = _load_or_fail(args.data)
    try:
        res = compute(ds, args.through, horizon=args.horizon, seed=args.seed, projection=not args.no_projection)
    except YearOutsideData as exc:
        raise UsageError(_through_option(exc)) from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.format == "json":
        print(json.dumps(jsonable(results_dict(res)), ensure_ascii=False, indent=2, allow_nan=False))
    else:
        print(metrics_text(res, args.lang))
    return 0


def cmd_calibrate(args) -> int:
    """``calibrate``: run the projection's simulation study and print its tables (``--write`` stores them).

    Only the full study (default size, every process) may be stored; progress goes to stderr. The histories
    are spread over ``--jobs`` worker processes (default: one per core); the result does not depend on it.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``calibrate`` arguments (:func:`parser`): ``size``, ``histories``, ``processes``,
        ``jobs``, ``seed``, ``format``, ``quiet``, ``write``.

    Returns
    -------
    int
        The exit status: 0.
    """
    from ..stats import calibration

    size = calibration.SIZES[args.size]
    if args.histories is not None:
        size = calibration.Size(args.histories, n_sims=size.n_sims, n_draws=size.n_draws, n_grid=size.n_grid)
    processes = args.processes or list(calibration.PROCESSES)
    if args.write and (size != calibration.SIZES["default"] or list(processes) != list(calibration.PROCESSES)):
        raise UsageError("--write stores the full study only: use the default --size, no --histories or --processes")
    jobs = args.jobs or os.cpu_count() or 1
    calibration.keep_freed_arrays()  # inherited by the workers of the study and of the weighting comparison
    print(
        f"calibration: {size.n_histories} simulated histories per process ({', '.join(processes)}), "
        f"shaped like the published data (years per period: {', '.join(map(str, calibration.SHAPE))}), "
        f"{jobs} worker process{'es' if jobs != 1 else ''}",
        file=sys.stderr,
        flush=True,
    )
    study = calibration.run(processes, size, seed=args.seed, jobs=jobs, verbose=not args.quiet)
    if args.write:
        from ..stats import weighting

        path = calibration.save(study, size, args.seed)
        print(f"stored: {path} (the reports show it)", file=sys.stderr)
        # the comparison of ways to combine the time structures rests on the same code: it is rerun with it
        if not args.quiet:
            print(
                f"weighting: averaging vs stacking vs one local-linear-trend model, {weighting.DEFAULT_SIZE.n_histories}"
                " histories per world",
                file=sys.stderr,
                flush=True,
            )
        comparison = weighting.study(weighting.DEFAULT_SIZE, args.seed, workers=jobs)
        print(f"stored: {weighting.save(comparison, weighting.DEFAULT_SIZE, args.seed)}", file=sys.stderr)
    if args.format == "json":
        from ..present.output import jsonable

        out = {
            "coverage": study.table.to_dict("records"),
            "pit": study.pit.to_dict("records"),
            "diagnostics": study.diagnostics.to_dict("records"),
            "summary": calibration.summary(study),
        }
        print(json.dumps(jsonable(out), ensure_ascii=False, indent=2, allow_nan=False))
    else:
        print(calibration.format_table(study))
    return 0


def cmd_forecast(args) -> int:
    """``forecast``: the forecast from the data through a release (1–3 years ahead); ``--write`` archives it.

    Without ``--through`` the latest release's forecast, kind ``forecast`` (made at the time); ``--hindcast`` labels
    it made later from the data of the time, the only kind an earlier release may have. ``--through`` takes several
    years (seeding: ``forecast --write --hindcast --through 2021 2022 2023 2024``). An archived file is never
    rewritten: a forecast already in the archive is refused (exit 1) and nothing is written for any year.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``forecast`` arguments (:func:`parser`): ``data``, ``through``, ``hindcast``, ``write``,
        ``archive``.

    Returns
    -------
    int
        The exit status: 0.
    """
    from ..stats import record
    from ..stats.metrics import YearOutsideData, releases

    ds = _load_or_fail(args.data)
    folder = record.archive_folder(ds, args.archive)
    kind = "hindcast" if args.hindcast else "forecast"
    years = args.through or [releases(ds)[-1].through]
    taken = [folder / f"{y}-{kind}.csv" for y in years if (folder / f"{y}-{kind}.csv").exists()]
    if args.write and taken:  # refused before any fit, and for every year asked: all or nothing
        raise SystemExit(f"{PROG} forecast: error: {taken[0]} exists: an archived forecast is never rewritten")
    try:
        made = [record.make(ds, y, kind) for y in years]
    except YearOutsideData as exc:
        raise UsageError(_through_option(exc)) from None
    except ValueError as exc:
        hint = " (add --hindcast)" if kind == "forecast" and "is a hindcast" in str(exc) else ""
        raise UsageError(f"{exc}{hint}") from None
    if not args.write:
        for f in made:  # the files as they would be written (their names first when there are several)
            sys.stdout.write((f"# {f.filename}\n" if len(made) > 1 else "") + f.to_bytes().decode("utf-8"))
        return 0
    for f in made:
        try:
            path = record.write(f, folder)
        except FileExistsError as exc:
            raise SystemExit(f"{PROG} forecast: error: {exc}") from None
        print(f"wrote {path}", file=sys.stderr)
    return 0


def cmd_build(args) -> int:
    """``build``: run the notebooks and write the reports into ``--out`` (only what changed).

    In this order, each before any kernel starts: the out folder is checked, the no-op case answered from
    the digests alone, the folder claimed; then the kernels warm up while the data are loaded and the jobs
    planned.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``build`` arguments (:func:`parser`): ``data``, ``out``, ``years``, ``lang`` (None: both),
        ``feedback``, ``jobs``, ``force``, ``cell_timeout``, ``notebooks``, ``quiet``.

    Returns
    -------
    int
        The exit status: 0 when every report was written (or nothing changed); a refused folder is a usage error
        (2), a failed build ends with a one-line message (1).
    """
    from ..core.config import DATA_DIR, NOTEBOOK_DIR, REPORTS_DIR, default_data_dir
    from ..present import page
    from . import outdir
    from .build import BuildError, KernelPool, build, check_parameters, most_units, plan, tree_digest, up_to_date

    out = args.out or REPORTS_DIR
    nb_dir = args.notebooks or NOTEBOOK_DIR
    protect = [d for d in (args.data, DATA_DIR, default_data_dir()) if d is not None]
    try:  # a folder the build must never own is refused before anything else
        outdir.check_target(Path(out), protect)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not nb_dir.is_dir():
        raise UsageError(f"--notebooks {nb_dir} is not a directory")
    feedback = args.feedback if args.feedback is not None else default_feedback()
    if feedback is not None and page.feedback_href(feedback) is None:
        raise UsageError(f"--feedback {feedback!r} is neither an http(s) address nor an e-mail address")
    tree = tree_digest(args.data, nb_dir, lang=args.lang, years=args.years, feedback=feedback)
    if not args.force and up_to_date(out, tree):
        if not args.quiet:
            print(
                f"nothing changed: every report is up to date\nindex: {Path(out).resolve() / 'index.html'}",
                file=sys.stderr,
            )
        return 0
    if args.data is not None and not Path(args.data).is_dir():
        _load_or_fail(args.data)  # the one-line message, before any kernel starts
    try:  # a notebook that lacks a parameter the build passes: one line, before any kernel starts
        check_parameters(nb_dir)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    try:  # the lock, and what the out folder holds: before any kernel starts
        claim = outdir.Claim(out, protect).acquire()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    pool, done = None, False
    try:
        # the kernels start (and import the stack) while this process loads and checks the data and plans
        pool = KernelPool(min(args.jobs or os.cpu_count() or 1, most_units(args.data, nb_dir, args.lang)))
        ds = _load_or_fail(args.data)
        jobs = plan(
            ds, data_dir=args.data, out_dir=out, years=args.years, lang=args.lang, jobs=args.jobs, nb_dir=nb_dir
        )
        build(
            jobs,
            ds,
            n_jobs=args.jobs,
            progress=not args.quiet,
            force=args.force,
            tree=tree,
            pool=pool,
            cell_timeout=args.cell_timeout,
            claim=claim,
            feedback=feedback,
        )
        done = True
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    except BuildError as exc:
        raise SystemExit(f"{PROG}: error: {exc}") from None
    finally:
        if pool is not None:
            if not done:  # refused, failed or interrupted: no kernel is left, none still starting is waited for
                pool.kill_all()
            pool.close()
        claim.release()
    return 0


def default_feedback(pyproject: Path | None = None) -> str | None:
    r"""The feedback address of ``pyproject.toml`` (``[tool.analysis] feedback``), or None when it sets none.

    Parameters
    ----------
    pyproject : pathlib.Path, optional
        The file; None for the repository's.

    Returns
    -------
    str or None
        The address the pages name for reporting an error (None: the repository's issue tracker, in words).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from analysis.pipeline.cli import default_feedback
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d, "pyproject.toml")
    ...     _ = p.write_text('[tool.analysis]\nfeedback = "data@example.org"\n')
    ...     default_feedback(p)
    'data@example.org'
    """
    import tomllib

    from ..core.config import ROOT

    try:
        conf = tomllib.loads((pyproject or ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = conf.get("tool", {}).get("analysis", {}).get("feedback")
    return str(value) if value else None


def cmd_notebooks(args) -> int:
    """``notebooks``: re-execute the committed notebooks in place with their default parameters.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``notebooks`` arguments (:func:`parser`): none are read.

    Returns
    -------
    int
        The exit status: 0.
    """
    from .build import refresh_notebooks

    refresh_notebooks()
    return 0


def _at_least(low: int):
    """argparse type: a whole number >= low."""

    def convert(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if n < low:
            raise argparse.ArgumentTypeError(f"expected {low} or more, got {n}")
        return n

    return convert


_positive = _at_least(1)
_seed = _at_least(0)


def _horizon(text: str) -> int:
    from ..stats.projection import MAX_HORIZON  # imported only when --horizon is given

    n = _positive(text)
    if n > MAX_HORIZON:
        raise argparse.ArgumentTypeError(f"at most {MAX_HORIZON} years, got {n} (intervals that far out say nothing)")
    return n


def _year(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a year such as 2022, got {text!r}") from None


def parser() -> argparse.ArgumentParser:
    """The command line's parser: one subcommand per command, each bound to its ``cmd_*`` function.

    A parsing error prints one line (not the usage) and exits 2.

    Returns
    -------
    argparse.ArgumentParser

    Examples
    --------
    >>> args = parser().parse_args(["metrics", "--through", "2023", "--format", "json"])
    >>> args.command, args.through, args.format, args.func.__name__
    ('metrics', 2023, 'json', 'cmd_metrics')
    """
    from .kernels import CELL_TIMEOUT

    p = _Parser(
        prog=PROG,
        description=f"Tongzhou · North Three Counties ({locale.REGION_ZH}) project promotion conferences: "
        "validate the data, compute metrics and projections, build the reports.",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    c = sub.add_parser(
        "check",
        help="validate every table in the data directory and report all problems",
        description="Validate data/: types, keys, sources, taxonomy and that the figures add up. "
        "Prints every problem as FILE:LINE: column 'C': message and exits 1, or one summary line and exits 0.",
    )
    _data_arg(c)
    c.add_argument(
        "--sources",
        metavar="DIR",
        type=Path,
        default=None,
        help="also verify every evidence fragment against local copies of the articles, "
        "DIR/<source_id>.txt (the repository keeps facts, not the articles)",
    )
    c.set_defaults(func=cmd_check)

    m = sub.add_parser(
        "metrics",
        help="trends, landing rates, mix, claims ledger and projection",
        description="Compute the metrics from the data (see README.md for the JSON keys).",
    )
    _data_arg(m)
    m.add_argument(
        "--through",
        metavar="YEAR",
        type=_year,
        default=None,
        help="use only conferences held up to YEAR (default: the last in the data)",
    )
    m.add_argument("--format", choices=("table", "json"), default="table", help="output format (default: table)")
    m.add_argument(
        "--horizon",
        metavar="N",
        type=_horizon,
        default=3,
        help="years to project after --through, 1 to 50 (default: 3)",
    )
    m.add_argument(
        "--seed",
        metavar="S",
        type=_seed,
        default=None,
        help="random seed of the projection (default: fixed, reproducible)",
    )
    m.add_argument("--no-projection", action="store_true", help="skip the projection (faster)")
    m.add_argument("--lang", choices=("zh", "en"), default="en", help="language of the table (default: en)")
    m.set_defaults(func=cmd_metrics)

    k = sub.add_parser(
        "calibrate",
        help="simulation study: coverage and scores of the projection under other worlds",
        description="Simulate histories shaped like the published data under several generating "
        "processes (the model's own, 15 %%/yr growth, a x1.6 jump, a log random walk, heavy-tailed "
        "amounts, and four built to break the model: a x1.6 break in the first forecast year, a random walk "
        "with larger steps than the prior allows, clustered (negative binomial) counts, a trend that "
        "reverses), fit the model to each and report 80 %%/95 %% coverage per tail (below and above the "
        "interval, with Holm-corrected tests of under-coverage), PIT histograms, the fits' importance-sampling "
        "diagnostics, and the mean interval score and CRPS against two baselines, 1 to 3 years ahead.",
    )
    k.add_argument(
        "--size",
        choices=("fast", "default"),
        default="default",
        help="fast: 60 histories per process; default: 1000",
    )
    k.add_argument(
        "--histories", metavar="N", type=_positive, default=None, help="histories per process (overrides --size)"
    )
    k.add_argument(
        "--processes",
        metavar="P",
        nargs="+",
        choices=CALIBRATION_WORLDS,
        default=None,
        help="generating processes to run (default: all nine)",
    )
    k.add_argument(
        "--jobs",
        metavar="J",
        type=_positive,
        default=None,
        help="worker processes (default: one per core; the result does not depend on it)",
    )
    k.add_argument(
        "--seed", metavar="S", type=_seed, default=20240601, help="random seed (default: fixed, reproducible)"
    )
    k.add_argument("--format", choices=("table", "json"), default="table", help="output format (default: table)")
    k.add_argument("--quiet", action="store_true", help="no progress lines")
    k.add_argument(
        "--write", action="store_true", help="store the table in analysis/validation/ for the reports (full study only)"
    )
    k.set_defaults(func=cmd_calibrate)

    f = sub.add_parser(
        "forecast",
        help="the forecast from the data through a release; --write keeps it in forecasts/ (never rewritten)",
        description="The model's forecast (quantiles of each year's projects and intended investment, 1 to 3 "
        "years ahead) from the data through a release. --write adds it to the archive, one CSV file per "
        "forecast with the model version and a digest of the data it was fitted on; an existing file is never "
        "rewritten. Seed the archive with hindcasts: forecast --write --hindcast --through 2021 2022 2023 2024.",
    )
    _data_arg(f)
    f.add_argument(
        "--through",
        metavar="YEAR",
        type=_year,
        nargs="+",
        default=None,
        help="the last year of a release, or several (default: the latest release)",
    )
    f.add_argument(
        "--hindcast",
        action="store_true",
        help="label it a hindcast: made now from the data of the time (needed for an earlier release)",
    )
    f.add_argument("--write", action="store_true", help="add it to the archive (refused when the file exists)")
    f.add_argument(
        "--archive",
        metavar="DIR",
        type=Path,
        default=None,
        help="the archive (default: forecasts/ beside the data directory)",
    )
    f.set_defaults(func=cmd_forecast)

    b = sub.add_parser(
        "build",
        help="run the notebooks and write the HTML reports (only what changed)",
        description="Run the analysis notebooks and one report per release in warm kernels, "
        "and write bulletin pages (HTML), PNG charts and metrics.json under --out. A report is rebuilt only "
        "when its notebook, the data, the analysis package or the pinned stack changed. The new tree is "
        "built beside --out and switched in at once: readers see the previous build or the new one, whole; "
        "a report whose notebook fails keeps its earlier version, and the index says so. --out must be a "
        "new or empty folder or one the build wrote (it carries .build.json); one build at a time.",
    )
    _data_arg(b)
    b.add_argument("--out", metavar="DIR", type=Path, default=None, help="output directory (default: reports/)")
    b.add_argument(
        "--years",
        metavar="Y",
        type=_year,
        nargs="+",
        default=None,
        help="build the reports of the periods holding these years (default: every published period)",
    )
    b.add_argument(
        "--lang",
        choices=("zh", "en"),
        nargs="+",
        default=None,
        help="the languages to build (default: both; zh at the top of --out, en in --out/en)",
    )
    b.add_argument(
        "--feedback",
        metavar="ADDRESS",
        default=None,
        help="where the pages tell readers to report an error: an http(s) address or an e-mail address "
        "(default: [tool.analysis] feedback in pyproject.toml, else the repository's issue tracker, named in words)",
    )
    b.add_argument(
        "--jobs", metavar="N", type=_positive, default=None, help="warm kernels in parallel (default: number of cores)"
    )
    b.add_argument("--force", action="store_true", help="rebuild every report even if nothing changed")
    b.add_argument(
        "--cell-timeout",
        metavar="SECONDS",
        type=_positive,
        default=CELL_TIMEOUT,
        help=f"seconds a notebook cell may run before its report fails (default: {CELL_TIMEOUT})",
    )
    b.add_argument(
        "--notebooks",
        metavar="DIR",
        type=Path,
        default=None,
        help="the notebooks to run (default: the repository's notebooks/)",
    )
    b.add_argument("--quiet", action="store_true", help="no progress lines")
    b.set_defaults(func=cmd_build)
    r = sub.add_parser(
        "notebooks",
        help="re-execute the committed notebooks in place (what nbval checks)",
        description="Run every notebook in notebooks/ with its default parameters and store the outputs "
        "in place, without timings or random ids, so that nbval can compare a fresh run with them.",
    )
    r.set_defaults(func=cmd_notebooks)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run one command of ``python -m analysis`` and return its exit status.

    Every expected failure ends in a one-line message (see the module's docstring for the statuses).

    Parameters
    ----------
    argv : list of str, optional
        The arguments (without the program name); None for ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status: the command's, 2 for a usage error, 130 on Ctrl-C, 141 when the reader of the output
        went away.
    """
    p = parser()
    args = p.parse_args(argv)
    try:
        code = args.func(args)
        sys.stdout.flush()  # a reader that went away (`metrics | head`) is found here, not at exit
        return code
    except BrokenPipeError:
        # no traceback and no "Exception ignored" at exit: what is left to print goes nowhere; the exit
        # status is the shell's for a writer ended by SIGPIPE (128 + 13)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except UsageError as exc:
        print(f"{PROG} {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
