"""Reading the CSV files of data/ into typed frames: the only code that opens them.

Each table is read as text with the standard ``csv`` module (so every problem can name its line),
converted column by column into pandas' nullable dtypes, and then checked against a pandera schema
built from the declarations in :mod:`analysis.data.schema` (allowed values, ranges, unique keys, required
cells). Parsing is done before pandera, by hand: pandera's coercion reports the pandas index and a
dtype name, while an analyst needs "signings.csv:7: column 'investment_100m_yuan': '115.77亿' has a
unit in it". pandera runs only on a table that may break its schema (:func:`may_break_schema`, the same
checks in plain Python, says when); a clean table is not sent through it. Nothing here writes to the data
directory.
"""

from __future__ import annotations

import csv
import datetime as _dt
import functools
import io
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..core import locale
from .schema import FIRST_PLAUSIBLE_YEAR, Col, Problem, Table

if TYPE_CHECKING:  # pandera is imported when a table may break its schema (its import costs more than a load)
    import pandera.pandas as pa

_NUMBER = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")
#: Infinity and NaN as Python, pandas, Excel or JavaScript may spell them: never a figure of an article.
_NOT_FINITE = re.compile(r"^[+-]?(inf(inity)?|nan|1\.#(inf|qnan|ind)|#num!|#div/0!)$", re.IGNORECASE)
#: Whole numbers are stored as 64-bit integers (pandas Int64) and computed with as floats: beyond 2**53 a
#: float no longer holds every whole number, and sums could overflow.
_INT_MIN, _INT_MAX = -(2**53), 2**53


def _decode(raw: bytes, fname: str, problems: list[Problem]) -> str | None:
    try:
        return raw.decode("utf-8-sig")  # a BOM is harmless and accepted
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        hint = ""
        try:
            raw.decode("gb18030")
            hint = " It decodes as GBK/GB18030: re-save it as UTF-8."
        except UnicodeDecodeError:
            pass
        problems.append(Problem(fname, line, None, f"file is not valid UTF-8 (byte {exc.start}).{hint}"))
        return None


#: The cells of a table as read: the line numbers of its rows, and each column's cells (text, None when empty).
Cells = tuple[list[int], dict[str, list[str | None]]]


def read_table(data_dir: Path, table: Table, problems: list[Problem]) -> pd.DataFrame | None:
    """Read one CSV into a frame of strings (None for empty cells), indexed by line number.

    Parameters
    ----------
    data_dir : pathlib.Path
        The data folder.
    table : Table
        The table's declaration (its file name and columns).
    problems : list of Problem
        Where every problem found is appended.

    Returns
    -------
    pandas.DataFrame or None
        The cells as text, or None when the file is missing or cannot be decoded.

    Examples
    --------
    >>> from analysis.core.config import DATA_DIR
    >>> from analysis.data.schema import TABLES
    >>> problems = []
    >>> raw = read_table(DATA_DIR, TABLES["conferences"], problems)
    >>> list(raw.columns) == list(TABLES["conferences"].columns), problems
    (True, [])
    """
    cells = _read_cells(data_dir, table, problems)
    return None if cells is None else _text_frame(*cells)


def _text_frame(lines: list[int], columns: dict[str, list[str | None]]) -> pd.DataFrame:
    """The cells as a frame of text indexed by line (:func:`read_table`)."""
    if not lines:
        frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    else:
        frame = pd.DataFrame(columns, index=pd.Index(lines, dtype="int64"), dtype=object)
    frame.index.name = "line"
    return frame


def _read_cells(data_dir: Path, table: Table, problems: list[Problem]) -> Cells | None:
    """The lines and the cells by column of one CSV (:func:`read_table` without the frame), None when unreadable."""
    fname = table.filename
    path = data_dir / fname
    if not path.is_file():
        problems.append(Problem(fname, None, None, f"file is missing from {data_dir}"))
        return None
    text = _decode(path.read_bytes(), fname, problems)
    if text is None:
        return None
    if not text.strip():
        problems.append(Problem(fname, None, None, "file is empty: expected a header line and rows"))
        return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        problems.append(Problem(fname, 1, None, f"cannot parse header: {exc}"))
        return None
    header = [h.strip() for h in header]
    expected = list(table.columns)
    if len(header) == 1 and any(d in header[0] for d in (";", "\t", "|")):
        problems.append(
            Problem(fname, 1, None, "header has a single column: the file uses another delimiter; use commas (,)")
        )
        return None
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in table.columns]
    for c in missing:
        problems.append(Problem(fname, 1, c, f"column is missing; expected columns: {', '.join(expected)}"))
    for c in extra:
        problems.append(Problem(fname, 1, c, "unknown column (typo?); see data/README.md for the columns"))
    if len(set(header)) != len(header):
        problems.append(Problem(fname, 1, None, "header repeats a column name"))
    if missing or extra or len(set(header)) != len(header):
        return None
    rows: dict[int, list[str | None]] = {}
    try:
        line_start = reader.line_num + 1
        for values in reader:
            line = line_start
            line_start = reader.line_num + 1
            if not values or all(not v.strip() for v in values):
                continue
            if len(values) != len(header):
                problems.append(
                    Problem(
                        fname,
                        line,
                        None,
                        f"row has {len(values)} fields, expected {len(header)}"
                        + (
                            " (truncated line or missing quotes?)"
                            if len(values) < len(header)
                            else " (unquoted comma?)"
                        ),
                    )
                )
                continue
            rows[line] = [v.strip() or None for v in values]
    except csv.Error as exc:
        problems.append(
            Problem(fname, reader.line_num, None, f"cannot parse CSV: {exc} (unclosed quote or truncated file?)")
        )
    if not rows and table.needs_rows:
        problems.append(Problem(fname, None, None, "file has a header but no rows"))
        return None
    if not rows:
        return [], {c: [] for c in expected}
    by_column = dict(zip(header, (list(cells) for cells in zip(*rows.values(), strict=True)), strict=True))
    return list(rows), {c: by_column[c] for c in expected}


def _parse_number(text: str, kind: str) -> tuple[float | int | None, str | None]:
    """Parse one numeric cell; return (value, None) or (None, why-not)."""
    t = text.strip()
    if any(c in t for c in locale.SOURCE_UNIT_CHARS) or "%" in t:
        return None, f"'{t}' has a unit in it; write the bare number (the column name carries the unit)"
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", t) or locale.SOURCE_FULLWIDTH_COMMA in t:
        return (
            None,
            f"'{t}' has a thousands separator; write it without (e.g. {t.replace(',', '').replace(locale.SOURCE_FULLWIDTH_COMMA, '')})",
        )
    if _NOT_FINITE.match(t):
        return (
            None,
            f"'{t}' is not a finite number; write the figure as published, or leave the cell empty when it is unknown",
        )
    if not _NUMBER.match(t):
        if re.search(locale.SOURCE_FULLWIDTH_DIGITS, t):
            return None, f"'{t}' has full-width digits; type ASCII digits (0-9)"
        return None, f"'{t}' is not a number"
    value = float(t)
    if not math.isfinite(value):  # 1e309 overflows to infinity
        return None, f"'{t}' is out of range (not a finite number)"
    if kind in ("int", "year"):
        if not value.is_integer():
            return None, f"'{t}' is not a whole number"
        whole = int(t) if re.fullmatch(r"[+-]?[0-9]+", t) else int(value)  # exact, not via float
        if not _INT_MIN <= whole <= _INT_MAX:
            return None, f"'{t}' is out of range (a whole number here is at most {_INT_MAX}, 2**53)"
        return whole, None
    return value, None


_DTYPES = {"str": "string", "int": "Int64", "year": "Int64", "float": "Float64"}
#: The same dtypes, looked up once: finding a dtype by its name costs more than typing a column of a few cells.
_ARRAY_DTYPES = {kind: pd.api.types.pandas_dtype(name) for kind, name in _DTYPES.items()}


def coerce(frame: pd.DataFrame, table: Table, problems: list[Problem]) -> pd.DataFrame:
    """Typed copy of a string frame; unparseable cells become NA and a problem each.

    Parameters
    ----------
    frame : pandas.DataFrame
        The cells as text (:func:`read_table`).
    table : Table
        The table's declaration (the kind of each column).
    problems : list of Problem
        Where every problem found is appended.

    Returns
    -------
    pandas.DataFrame
        The columns in pandas' nullable dtypes, same index.
    """
    return _typed(frame.index, {name: frame[name].tolist() for name in table.columns}, table, problems)[0]


def _typed(
    index: pd.Index, columns: dict[str, list], table: Table, problems: list[Problem]
) -> tuple[pd.DataFrame, dict[str, list]]:
    """:func:`coerce` of the cells of each column (as :func:`_read_cells` gives them), on ``index``; and each
    column's values as Python objects (None for an empty cell), which :func:`may_break_schema` checks."""
    out = {}
    typed_values = {}
    for name, col in table.columns.items():
        cells = columns[name]
        if col.kind == "str":
            out[name] = pd.array(cells, dtype=_ARRAY_DTYPES["str"])
            typed_values[name] = cells
            continue
        values = []
        for line, cell in zip(index, cells, strict=True):
            if cell is None:
                values.append(None)
                continue
            value, why = _parse_number(cell, col.kind)
            if why:
                problems.append(Problem(table.filename, int(line), name, why))
            values.append(value)
        out[name] = pd.array(values, dtype=_ARRAY_DTYPES[col.kind])
        typed_values[name] = values
    return pd.DataFrame(out, index=index), typed_values


def pandera_schema(table: Table, only: list[str] | None = None, unique: bool = True) -> pa.DataFrameSchema:
    """The declarative part of a table's rules, as a pandera schema.

    Parameters
    ----------
    table : Table
        The table's declaration (allowed values, ranges, required cells, key).
    only : list of str, optional
        Check only these columns (default all): pandera's run costs per column, and :func:`run_schema` leaves
        out the columns whose every cell is known to pass.
    unique : bool
        Check that no key repeats.

    Returns
    -------
    pandera.DataFrameSchema
        The schema :func:`run_schema` validates a typed frame with.
    """
    import pandera.pandas as pa

    this_year = _dt.date.today().year
    columns = {}
    for name, col in table.columns.items():
        if only is not None and name not in only:
            continue
        checks = []
        if col.allowed is not None:
            checks.append(pa.Check.isin(list(col.allowed), error=f"expected one of: {', '.join(col.allowed)}"))
        if col.min is not None:
            checks.append(
                pa.Check.ge(
                    col.min,
                    error=f"must be >= {locale.num(col.min)}"
                    + (" (amounts and counts are never negative)" if col.min == 0 else ""),
                )
            )
        if col.max is not None:
            checks.append(pa.Check.le(col.max, error=f"must be <= {locale.num(col.max)}"))
        if col.pattern is not None:
            checks.append(
                pa.Check.str_matches(rf"(?:{col.pattern})\Z", error=f"expected {col.pattern_says or col.pattern}")
            )
        if col.kind == "year":
            checks.append(pa.Check.ge(FIRST_PLAUSIBLE_YEAR, error=f"year must be {FIRST_PLAUSIBLE_YEAR} or later"))
            checks.append(pa.Check.le(this_year, error=f"year is later than the current year {this_year}"))
        columns[name] = pa.Column(_DTYPES[col.kind], checks=checks, nullable=not col.required)
    return pa.DataFrameSchema(
        columns, unique=list(table.key) if unique else None, report_duplicates="all", strict=False
    )


def is_missing(value) -> bool:
    """Whether a cell as pandas hands it out is missing: ``None``, ``pd.NA`` or ``nan``.

    Parameters
    ----------
    value : object
        A cell (from ``Series.tolist()`` or a row of ``iterrows``).

    Returns
    -------
    bool
        True for an empty cell.

    Examples
    --------
    >>> import pandas as pd
    >>> [is_missing(v) for v in (None, pd.NA, float("nan"), 0, "")]
    [True, True, True, False, False]
    """
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def rows_of(frame: pd.DataFrame) -> list[tuple[int, dict]]:
    """The ``(line, row)`` pairs of ``frame`` with each row's cells exactly as ``iterrows`` gives them.

    ``iterrows`` builds a Series per row, and reading a cell of it costs more than a rule's whole check; this
    reads each column once (``tolist``). The cells are what ``iterrows`` hands out, so that a message or a
    claim quoting one is the same: whole numbers as ``int``, other numbers as ``float``, an empty cell
    ``pd.NA``; but a row whose cells are all text or empty becomes a text Series, whose empty cells are
    ``nan``. The index of every frame of a dataset is the CSV line number.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any frame (the columns are read in their order).

    Returns
    -------
    list of (object, dict)
        The index label and the row (column -> cell), in the frame's order.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"a": pd.array([1, None], dtype="Int64"), "b": pd.array(["x", "y"], dtype="string")})
    >>> rows_of(frame)
    [(0, {'a': 1, 'b': 'x'}), (1, {'a': nan, 'b': 'y'})]
    """
    columns = list(frame.columns)

    def row(values: tuple) -> dict:
        if all(isinstance(v, str) or is_missing(v) for v in values) and any(isinstance(v, str) for v in values):
            values = tuple(math.nan if is_missing(v) else v for v in values)
        return dict(zip(columns, values, strict=True))

    cells = zip(*(column.tolist() for _, column in frame.items()), strict=True)
    return list(zip(frame.index.tolist(), (row(values) for values in cells), strict=True))


def may_break_schema(typed: pd.DataFrame, table: Table, values: dict[str, list] | None = None) -> bool:
    """Whether the pandera schema of ``table`` could report anything on ``typed`` (False: it certainly passes).

    The same checks as :func:`pandera_schema` (columns present, required cells, allowed values, ranges,
    patterns, plausible years, unique keys), in plain Python on the few values of a table: pandera's run
    costs a hundred times more. True sends the frame through pandera, whose failure cases word the problems;
    any doubt (a value these checks cannot compare) is True.

    Parameters
    ----------
    typed : pandas.DataFrame
        A typed frame (:func:`coerce`), before :func:`run_schema`.
    table : Table
        Its table's declaration.
    values : dict of str to list, optional
        Each column's values as Python objects (an empty cell None or ``pd.NA``), when the caller has them
        (reading them back from the frame costs more than the checks); default ``typed[name].tolist()``.

    Returns
    -------
    bool
        False when every cell passes every check of the schema and no key repeats.

    Examples
    --------
    >>> from analysis.core.config import DATA_DIR
    >>> from analysis.data.schema import TABLES
    >>> table = TABLES["sources"]
    >>> typed = coerce(read_table(DATA_DIR, table, []), table, [])
    >>> may_break_schema(typed, table)
    False
    >>> may_break_schema(typed.assign(language="fr"), table)
    True
    """
    suspects, repeats = _suspects(typed, table, values)
    return bool(suspects) or repeats


def _suspects(typed: pd.DataFrame, table: Table, values: dict[str, list] | None) -> tuple[list[str], bool]:
    """The columns whose cells the schema's checks could refuse, and whether a key could repeat
    (:func:`may_break_schema`, column by column); a column these checks cannot judge is a suspect."""
    if any(name not in typed.columns for name in table.columns):
        return list(table.columns), True
    if values is None:
        values = {name: typed[name].tolist() for name in table.columns}
    this_year = _dt.date.today().year
    suspects = [name for name, col in table.columns.items() if _may_refuse(values[name], col, this_year)]
    try:
        keys = [
            tuple(None if is_missing(v) else v for v in row)
            for row in zip(*(values[k] for k in table.key), strict=True)
        ]
        repeats = len(set(keys)) < len(keys)
    except Exception:  # a key these checks cannot compare: let pandera word it
        repeats = True
    return suspects, repeats


def _may_refuse(cells: list, col: Col, this_year: int) -> bool:
    """Whether a check of the schema on column ``col`` could refuse one of ``cells`` (:func:`pandera_schema`)."""
    try:
        known = [v for v in cells if not is_missing(v)]
        if col.required and len(known) < len(cells):
            return True
        if col.allowed is not None and any(v not in col.allowed for v in known):
            return True
        if col.min is not None and any(not v >= col.min for v in known):
            return True
        if col.max is not None and any(not v <= col.max for v in known):
            return True
        if col.pattern is not None:
            pattern = _fullmatch(col.pattern)
            if any(not isinstance(v, str) or not pattern.match(v) for v in known):
                return True
        return col.kind == "year" and any(not FIRST_PLAUSIBLE_YEAR <= v <= this_year for v in known)
    except Exception:  # a value the plain checks cannot compare: let pandera word it
        return True


@functools.cache
def _fullmatch(pattern: str) -> re.Pattern:
    """``pattern`` compiled as the schema's ``str_matches`` check applies it (the whole value)."""
    return re.compile(rf"(?:{pattern})\Z")


def run_schema(
    typed: pd.DataFrame,
    table: Table,
    problems: list[Problem],
    already: set[tuple[int, str]],
    values: dict[str, list] | None = None,
) -> None:
    """Check a typed frame against its pandera schema, one problem per failing cell or duplicate key.

    Parameters
    ----------
    typed : pandas.DataFrame
        The frame :func:`coerce` made.
    table : Table
        The table's declaration.
    problems : list of Problem
        Where every problem found is appended.
    already : set of (int, str)
        ``(line, column)`` cells reported already (unparseable), not reported again.
    values : dict of str to list, optional
        Each column's values as Python objects, when the caller has them (:func:`may_break_schema`).
    """
    suspects, repeats = _suspects(typed, table, values)
    if not suspects and not repeats:
        return  # pandera would find nothing: its run (most of a load's time) is spared
    import pandera.errors

    try:  # only the columns that may break: pandera would find nothing in the others, and costs per column
        pandera_schema(table, suspects, unique=repeats).validate(typed, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        seen: set[tuple] = set()
        for rec in fc.to_dict("records"):
            line = rec.get("index")
            line = None if line is None or pd.isna(line) else int(line)
            column = rec.get("column")
            check = str(rec.get("check"))
            if (line, column) in already:
                continue
            if check == "multiple_fields_uniqueness":
                key = ", ".join(table.key)
                msg = f"duplicate key ({key}): the same row appears more than once"
                column = table.key[-1] if len(table.key) == 1 else None
            elif check == "not_nullable":
                msg = "cell is empty but required"
            elif check.startswith(("dtype(", "coerce_dtype(")):
                continue  # reported by coerce() already
            else:
                msg = f"{check}; got {rec.get('failure_case')!r}"
            k = (line, column, msg)
            if k in seen:
                continue
            seen.add(k)
            problems.append(Problem(table.filename, line, column, msg))


def read_frames(data_dir: Path, tables: dict[str, Table], problems: list[Problem]) -> dict[str, pd.DataFrame] | None:
    """Every table parsed, typed and schema-checked (stage 1 of the checks).

    Parameters
    ----------
    data_dir : pathlib.Path
        The data folder.
    tables : dict of str to Table
        The tables to read (:data:`analysis.data.schema.TABLES`).
    problems : list of Problem
        Where every problem found is appended.

    Returns
    -------
    dict of str to pandas.DataFrame or None
        One typed frame per table, or None when a file could not be read at all.
    """
    frames: dict[str, pd.DataFrame] = {}
    failed = False
    for table in tables.values():
        cells = _read_cells(data_dir, table, problems)
        if cells is None:
            failed = True
            continue
        lines, columns = cells
        before = len(problems)
        # the frame of text that read_table would make is never needed: the cells are typed straight away
        index = pd.Index(lines, dtype="int64", name="line") if lines else pd.RangeIndex(0, name="line")
        typed, values = _typed(index, columns, table, problems)
        bad_cells = {(p.line, p.column) for p in problems[before:]}
        run_schema(typed, table, problems, bad_cells, values)
        frames[table.name] = typed
    return None if failed else frames
