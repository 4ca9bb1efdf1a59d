"""The package's layers: a module imports only from its own layer or the ones below, and no two modules
import each other, directly or round a circle (function-level imports count too)."""

import ast
import functools
import graphlib
import shutil
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "analysis"
#: bottom to top, as the README's layout section and analysis/__init__ describe them
LAYERS = ["core", "data", "stats", "present", "api", "pipeline"]


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None  # None: the package's own __init__/__main__


def graph_of(pkg: Path) -> dict[str, set[str]]:
    """Module → the package's modules it imports (relative or absolute, at any depth of the code)."""

    def name(path: Path) -> str:
        parts = path.relative_to(pkg.parent).with_suffix("").parts
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    def is_module(dotted: str) -> bool:
        p = pkg.parent / dotted.replace(".", "/")
        return p.with_suffix(".py").exists() or p.is_dir()

    graph = {}
    for path in sorted(pkg.rglob("*.py")):
        here = name(path).split(".")
        package = here if path.name == "__init__.py" else here[:-1]
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else []
                target = ".".join([*base, *(node.module.split(".") if node.module else [])])
                if target.startswith(pkg.name):  # `from . import x` names a module, `from .m import f` a name
                    found |= {f"{target}.{a.name}" if is_module(f"{target}.{a.name}") else target for a in node.names}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith(pkg.name)}
        graph[name(path)] = found
    return graph


def upward(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted(
        (m, t)
        for m, deps in graph.items()
        if _layer(m) in LAYERS
        for t in deps
        if _layer(t) in LAYERS and LAYERS.index(_layer(t)) > LAYERS.index(_layer(m))
    )


def check_acyclic(graph: dict[str, set[str]]) -> None:
    """Raises graphlib.CycleError naming the circle (a layer's own __init__ is a folder, not a dependency)."""
    modules = {m for m in graph if _layer(m) is not None and m.count(".") >= 1}
    graphlib.TopologicalSorter({m: {t for t in graph[m] if t in modules and t != m} for m in modules}).prepare()


@functools.cache
def package_graph() -> dict[str, set[str]]:
    """The package's import graph, parsed when a test first asks (not in every xdist worker as it collects)."""
    return graph_of(PKG)


def test_every_module_sits_in_a_layer():
    assert {_layer(m) for m in package_graph()} - {None} <= {*LAYERS, "__main__"}
    assert {p.name for p in PKG.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == set(LAYERS) - {"api"}


def test_imports_go_down_only():
    assert upward(package_graph()) == []


def test_no_import_circle():
    check_acyclic(package_graph())


def test_the_checks_see_an_upward_import_and_a_circle(tmp_path):
    """The checks above can fail: the data layer importing the statistics layer is upward, and with the
    statistics layer importing the data layer it is a circle (the one this layout removed)."""
    pkg = tmp_path / "analysis"
    shutil.copytree(PKG, pkg, ignore=shutil.ignore_patterns("__pycache__", "templates", "validation"))
    dataset = pkg / "data" / "dataset.py"
    dataset.write_text(
        dataset.read_text(encoding="utf-8") + "\n\ndef f():\n    from ..stats.claims import ledger\n", encoding="utf-8"
    )
    graph = graph_of(pkg)
    assert ("analysis.data.dataset", "analysis.stats.claims") in upward(graph)
    with pytest.raises(graphlib.CycleError):
        check_acyclic(graph)


def test_a_subpackage_sits_in_its_layer():
    """A folder inside a layer (the model package of the statistics layer) is part of that layer, and the
    imports between its modules are in the graph: its modules import only downward and round no circle."""
    model = [m for m in package_graph() if m.startswith("analysis.stats.model")]
    assert {"analysis.stats.model", "analysis.stats.model.signings", "analysis.stats.model.inputs"} <= set(model)
    assert {_layer(m) for m in model} == {"stats"}
    assert "analysis.stats.model.inputs" in package_graph()["analysis.stats.model.signings"]
    assert "analysis.stats.model.signings" in package_graph()["analysis.stats.model"]
    assert "analysis.stats.model" in package_graph()["analysis.stats.calibration"]


def test_the_door_does_not_import_the_model():
    """``check`` loads the data through ``analysis.load`` only: the model's and the charts' libraries stay out
    of its start-up (they cost about a tenth of a second each)."""
    import subprocess
    import sys

    code = "import sys, analysis; analysis.load; print(sorted({'scipy', 'matplotlib', 'jinja2'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PKG.parent)
    assert out.stdout.strip() == "[]"
