"""The docs are tested: every module's docstring examples run (doctest), and every public function, method
and class has a numpy-style docstring (the rule below), with a runnable example on the public face.

The rule, checked on the syntax tree of every module of ``analysis`` (a definition is public when its name
and the class it sits in have no leading underscore):

* a one-line summary (the docstring's first line, then a blank line or nothing);
* ``Parameters`` listing exactly the parameters (but self/cls; ``*args``/``**kwargs`` as such), when there
  are any; a class's parameters are those of its own ``__init__``, listed in the class or ``__init__``
  docstring (a dataclass's fields need no section); properties are documented by their summary;
* ``Returns`` (``Yields`` for a generator) when the function gives a value: its return annotation is not
  None, or, unannotated, it has a ``return`` with a value;
* ``Examples`` with at least one ``>>>`` line on the public face: the names of ``analysis.__all__`` that the
  API defines, the public functions of ``analysis.present.{charts, tables, prose, notebook, output}``, and
  ``Locale`` in ``analysis.core.locale`` when it exists.
"""

from __future__ import annotations

import ast
import doctest
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import analysis
from analysis.core.config import CACHE_ENV

#: every module of the package (the package itself included; ``__main__`` runs the command line)
MODULES = [
    "analysis",
    *sorted(m.name for m in pkgutil.walk_packages(analysis.__path__, "analysis.") if not m.name.endswith("__main__")),
]
#: the present modules whose public functions are the public face (each needs an example)
FACE_MODULES = ("charts", "tables", "prose", "notebook", "output")


def _face() -> set[tuple[str, str]]:
    """(module, qualified name) of every definition that needs an example."""
    face = set()
    for name in analysis.__all__:
        obj = getattr(analysis, name)
        if not inspect.ismodule(obj):
            face.add((obj.__module__, obj.__qualname__))
    for mod in FACE_MODULES:
        tree = ast.parse(Path(importlib.import_module(f"analysis.present.{mod}").__file__).read_text(encoding="utf-8"))
        face |= {
            (f"analysis.present.{mod}", n.name)
            for n in tree.body
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and not n.name.startswith("_")
        }
    if hasattr(importlib.import_module("analysis.core.locale"), "Locale"):
        face.add(("analysis.core.locale", "Locale"))
    return face


# ================================================================================================ the checker

_SECTION = re.compile(r"^(\w[\w ]*)\n-{3,}$", re.MULTILINE)


def sections(doc: str) -> dict[str, str]:
    """The numpy sections of a (cleaned) docstring: title -> body."""
    found = list(_SECTION.finditer(doc))
    return {
        m.group(1): doc[m.end() : found[i + 1].start() if i + 1 < len(found) else len(doc)] for i, m in enumerate(found)
    }


def documented_parameters(body: str) -> list[str]:
    """The names a ``Parameters`` section lists (``a, b : int`` lists two)."""
    names = []
    for line in body.splitlines():
        if line and not line[0].isspace():
            names += [n.strip() for n in line.split(" : ")[0].split(",") if n.strip()]
    return names


def _parameters(fn: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> list[str]:
    a = fn.args
    names = [x.arg for x in [*a.posonlyargs, *a.args]]
    static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in fn.decorator_list)
    if method and not static and names:
        names = names[1:]  # self or cls
    names += [x.arg for x in a.kwonlyargs]
    if a.vararg:
        names.append(f"*{a.vararg.arg}")
    if a.kwarg:
        names.append(f"**{a.kwarg.arg}")
    return names


def _own_nodes(fn):
    """The nodes of a function's body, not of the functions or classes nested in it."""
    todo = list(fn.body)
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(node))


def _gives(fn) -> str | None:
    """ "Yields" for a generator, "Returns" when the function gives a value, else None."""
    nodes = list(_own_nodes(fn))
    if any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in nodes):
        return "Yields"
    if fn.returns is not None:
        none = isinstance(fn.returns, ast.Constant) and fn.returns.value is None
        none = none or (isinstance(fn.returns, ast.Name) and fn.returns.id in {"None", "NoReturn", "Never"})
        return None if none else "Returns"
    if any(
        isinstance(n, ast.Return)
        and n.value is not None
        and not (isinstance(n.value, ast.Constant) and n.value.value is None)
        for n in nodes
    ):
        return "Returns"
    return None


def _is_property(fn) -> bool:
    return any(
        (isinstance(d, ast.Name) and d.id in {"property", "cached_property"})
        or (isinstance(d, ast.Attribute) and d.attr in {"setter", "getter", "cached_property"})
        for d in fn.decorator_list
    )


def check_source(source: str, module: str = "m", face: set[tuple[str, str]] = frozenset()) -> list[str]:
    """Every breach of the docstring rule in a module's source, as ``module.qualname: what``."""
    problems = []

    def check(node, qualname: str, params: list[str] | None, gives: str | None, extra_doc: str | None = None):
        where = f"{module}.{qualname}"
        doc = ast.get_docstring(node)
        if not doc:
            problems.append(f"{where}: no docstring")
            return
        lines = doc.splitlines()
        if not lines[0].strip() or (len(lines) > 1 and lines[1].strip()):
            problems.append(f"{where}: the summary is not one line followed by a blank line")
        secs = sections(doc)
        if extra_doc:
            secs = {**sections(extra_doc), **secs}
        if params:
            if "Parameters" not in secs:
                problems.append(f"{where}: no Parameters section (parameters: {', '.join(params)})")
            else:
                listed = documented_parameters(secs["Parameters"])
                bare = [p.lstrip("*") for p in params]
                listed = [p if p.lstrip("*") not in bare else params[bare.index(p.lstrip("*"))] for p in listed]
                if sorted(listed) != sorted(params):
                    problems.append(f"{where}: Parameters lists {listed}, the signature has {params}")
        elif params is not None and "Parameters" in secs and documented_parameters(secs["Parameters"]):
            problems.append(f"{where}: Parameters lists {documented_parameters(secs['Parameters'])}, there are none")
        if gives and gives not in secs:
            problems.append(f"{where}: no {gives} section")
        if (module, qualname) in face and ">>>" not in secs.get("Examples", ""):
            problems.append(f"{where}: no Examples section with a >>> line (public face)")

    def function(fn, qualname: str, method: bool):
        if _is_property(fn):
            check(fn, qualname, None, None)
        else:
            check(fn, qualname, _parameters(fn, method), _gives(fn))

    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            function(node, node.name, method=False)
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            init = next((n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
            params = _parameters(init, method=True) if init else None
            check(node, node.name, params, None, extra_doc=ast.get_docstring(init) if init else None)
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and not item.name.startswith("_"):
                    function(item, f"{node.name}.{item.name}", method=True)
    return problems


# ================================================================================================ the tests

FACE = _face()


def _source(module: str) -> str:
    return Path(importlib.import_module(module).__file__).read_text(encoding="utf-8")


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples_run(module):
    """Every example in every docstring of the module gives what it shows. The examples load the data as
    the build's kernels do: an unchanged data folder is read once, a release's results computed once in the
    process (the environment is set without the ``monkeypatch`` fixture, which would make conftest.py clear
    the memo of results before every module: the examples patch no code). The example of ``clear_cache``
    empties the memo; what it held is put back for the tests that follow."""
    from analysis.stats import results

    kept = results._MEMO.copy()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(CACHE_ENV, "1")
        result = doctest.testmod(
            importlib.import_module(module), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
        )
    for key, value in kept.items():
        results._MEMO.setdefault(key, value)
    assert result.failed == 0


@pytest.mark.parametrize("module", MODULES)
def test_public_definitions_follow_the_docstring_rule(module):
    problems = check_source(_source(module), module, FACE)
    assert not problems, "\n".join(problems)


def test_the_face_is_found():
    """The public face the rule asks examples of: the API's own names and the present modules' functions."""
    assert ("analysis.api", "load") in FACE and ("analysis.data.dataset", "Dataset") in FACE
    assert {m for m, _ in FACE} >= {f"analysis.present.{m}" for m in FACE_MODULES}


BAD = '''
def no_doc(x):
    return x

def two_line_summary(x):
    """A summary that
    goes on.

    Parameters
    ----------
    x : int
        A number.
    """

def wrong_parameters(a, b, *rest, key=None, **options) -> int:
    """Summary.

    Parameters
    ----------
    a, c : int
        Numbers.
    *rest
        More.
    """
    return a

def no_returns(x: int) -> int:
    """Summary.

    Parameters
    ----------
    x : int
        A number.
    """
    return x

def gen(x):
    """Summary.

    Parameters
    ----------
    x : int
        A number.
    """
    yield x

def face(x):
    """Summary.

    Parameters
    ----------
    x : int
        A number.

    Returns
    -------
    int
    """
    return x

class Thing:
    """A thing."""

    def __init__(self, size):
        self.size = size

    def method(self, n):
        """Summary."""
        return n

    @property
    def area(self) -> float:
        """The area."""
        return 1.0

    def _private(self, z):
        return z

def _private(y):
    return y

class _Hidden:
    def method(self, q):
        return q
'''

GOOD = '''
def fine(a, *rest, key=None, **options) -> int:
    """Summary.

    Parameters
    ----------
    a : int
        A number.
    *rest : int
        More.
    key : str, optional
        A key.
    **options
        Options.

    Returns
    -------
    int
        ``a``.

    Examples
    --------
    >>> fine(1)
    1
    """
    return a

class Thing:
    """A thing.

    Parameters
    ----------
    size : int
        Its size.
    """

    def __init__(self, size):
        self.size = size

    @staticmethod
    def make(n) -> None:
        """Summary.

        Parameters
        ----------
        n : int
            A number.
        """
'''


def test_the_checker_finds_each_breach():
    found = check_source(BAD, "m", face={("m", "face")})
    expected = {
        "m.no_doc: no docstring",
        "m.two_line_summary: the summary is not one line followed by a blank line",
        "m.wrong_parameters: Parameters lists ['a', 'c', '*rest'], the signature has ['a', 'b', 'key', '*rest', '**options']",
        "m.wrong_parameters: no Returns section",
        "m.no_returns: no Returns section",
        "m.gen: no Yields section",
        "m.face: no Examples section with a >>> line (public face)",
        "m.Thing: no Parameters section (parameters: size)",
        "m.Thing.method: no Parameters section (parameters: n)",
        "m.Thing.method: no Returns section",
    }
    assert set(found) == expected


def test_the_checker_passes_a_conforming_module():
    assert check_source(GOOD, "m", face={("m", "fine")}) == []
