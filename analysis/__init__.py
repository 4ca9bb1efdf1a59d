"""Tongzhou · North Three Counties (北三县) conference analysis.

The package is built in layers; a module imports only from its own layer or the ones below it:

* ``core``     settings and priors (``config``), the hedge algebra (``qualifiers``), the words (``locale``);
* ``data``     the schema, reading and the rules of the CSV files (``dataset.read``);
* ``stats``    every figure: ``metrics``, ``claims``, ``model`` (a package, one module per job), ``projection``,
               ``calibration``, ``results``;
* ``present``  prose, tables, charts, pages, JSON and terminal text, notebook helpers, templates;
* ``api``      the public face (this package re-exports it);
* ``pipeline`` the build, its kernels and output folder, and the command line (``python -m analysis``).

An analyst needs only the public face: :func:`load` the data once, :func:`compute` the results of the
release that first published a year (the data as known then), and show them. The presentation modules are
reachable from here too (``from analysis import charts, tables, prose``); they are imported on first use,
so ``python -m analysis check`` does not pay for them.

Examples
--------
>>> from analysis import load, compute
>>> res = compute(load(), 2023)
>>> type(res).__name__
'Results'
>>> from analysis import tables
>>> tables.__name__
'analysis.present.tables'
"""

from importlib import import_module

__version__ = "0.2.0"

#: the public names and the module each comes from, imported on first use (``check`` needs only ``load``,
#: so it does not pay for the model's imports)
_API = {
    "DataError": ".api",
    "Dataset": ".api",
    "load": ".api",
    "Results": ".stats.results",
    "compute": ".stats.results",
    "latest_backtest": ".stats.results",
    "forecast_record": ".stats.record",
    "Scenario": ".stats.projection",
    "posterior": ".stats.posterior",
    "what_if": ".stats.posterior",
}
_PRESENT = ("charts", "notebook", "output", "page", "prose", "tables")

__all__ = [*_API, *_PRESENT]


def __getattr__(name: str):
    if name in _API:
        return getattr(import_module(_API[name], __name__), name)
    if name in _PRESENT:
        return import_module(f".present.{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
