"""Formula-safe cells for every human-facing CSV and XLSX export (one rule, one place).

Names, addresses and notes come from imported data. A text that begins with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return would run as a formula when the file is
opened in a spreadsheet (``=HYPERLINK(...)``, ``=cmd|...``). Exports therefore write
text cells as plain text:

* CSV: such a text gets a leading apostrophe, which spreadsheets read as "this is text"
  (OWASP's advice for CSV injection);
* XLSX: the cell is stored with the string type, so the text is shown as typed and is
  never a formula.

Numbers stay numbers: only ``str`` values are touched.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """A CSV text cell a spreadsheet will not run: a leading ' before = + - @ tab and CR."""
    return f"'{value}" if value.startswith(FORMULA_START) else value


def csv_value(value: Any) -> Any:
    """A CSV cell: text made safe with :func:`csv_text`, anything else unchanged."""
    return csv_text(value) if isinstance(value, str) else value


def xlsx_text(cell: Any, value: str) -> None:
    """Store ``value`` in an openpyxl cell as a string, also when it looks like a formula."""
    cell.value = value
    cell.data_type = "s"


def xlsx_value(cell: Any, value: Any) -> None:
    """Store any value in an openpyxl cell; text always as text (see :func:`xlsx_text`)."""
    if isinstance(value, str):
        xlsx_text(cell, value)
    else:
        cell.value = value


def xlsx_append(ws: Any, values: Iterable[Any]) -> None:
    """``ws.append`` with every text cell stored as text, never as a formula."""
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # openpyxl made "=..." a formula; store it as text
