"""The CSV files a page links under its charts and tables: UTF-8 with a byte order mark, numbers written plainly,
a text cell that a spreadsheet would read as a formula guarded with a leading apostrophe."""

from __future__ import annotations

import csv
import io
import math
import numbers
import re

import numpy as np
import pandas as pd

#: decimals kept in the CSV files and in metrics.json
ROUND = 6

#: The first bytes of every CSV the build writes: UTF-8's byte order mark, so that spreadsheet programs
#: read the Chinese as UTF-8.
CSV_BOM = "\ufeff"
#: What a spreadsheet reads as the start of a formula when a cell begins with it (formula injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"^[+\-\u2212]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?$")
#: how the pages write a value that is not published (a cell of its own, not a number)
_MISSING_CELLS = ("—", "")


def csv_cell(value) -> str:
    """One CSV cell: a number as a number, missing as empty, text kept but never read as a formula.

    A number written as a table shows it (``1,080``, ``−5.0``, ``+35%``) is written plainly (``1080``,
    ``-5.0``, ``35%``); a text cell that begins with ``=``, ``+``, ``-``, ``@`` or a control character gets a
    leading apostrophe, so that a spreadsheet shows it as text instead of running it.

    Parameters
    ----------
    value : object
        A cell: a number, a string, None or NaN.

    Returns
    -------
    str
        The cell's text.

    Examples
    --------
    >>> from analysis.present.downloads import csv_cell
    >>> csv_cell("1,080"), csv_cell(426.81), csv_cell(37.0), csv_cell(None), csv_cell("=1+1"), csv_cell("约")
    ('1080', '426.81', '37', '', "'=1+1", '约')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, numbers.Number):
        x = round(float(value), ROUND)
        return str(int(x)) if x.is_integer() else repr(x)
    text = str(value).strip()
    if text in _MISSING_CELLS:
        return ""
    if _NUMBER.match(text):
        return text.replace(",", "").replace("\u2212", "-").lstrip("+")
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_bytes(frame: pd.DataFrame) -> bytes:
    r"""A frame as a CSV file: UTF-8 with a byte order mark, a header row, every cell through :func:`csv_cell`.

    Parameters
    ----------
    frame : pandas.DataFrame
        The numbers a chart or table shows (its columns are the header).

    Returns
    -------
    bytes
        The file's bytes (lines end in CRLF, as RFC 4180 writes them).

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.present.downloads import csv_bytes
    >>> csv_bytes(pd.DataFrame({"时期": ["2023"], "项目": [50]}))
    b'\xef\xbb\xbf\xe6\x97\xb6\xe6\x9c\x9f,\xe9\xa1\xb9\xe7\x9b\xae\r\n2023,50\r\n'
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([csv_cell(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        w.writerow([csv_cell(v) for v in row])
    return (CSV_BOM + buf.getvalue()).encode("utf-8")
