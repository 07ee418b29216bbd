"""The history as CSV, one line at a time: what ``campaign history --csv`` prints
and the dashboard's export sends.

Columns: the store's fields (UTC, ISO 8601) then the same times in the
campaign's zone (``*_local``). Lines are produced as the rows stream from the
database, so memory stays flat however long the history.

Cells hold outside text (a platform's error message, a URL it handed back), so
each one is neutralised for spreadsheets: a cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return would be run as a formula by Excel,
LibreOffice or Google Sheets (CSV injection, OWASP's "CSV Injection" page), so
it gets a leading apostrophe and stays text; control characters become
visible stand-ins (:func:`scheduler.printable.printable`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo

from scheduler.printable import printable
from scheduler.storage.history_rows import HistoryRow

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Full-width forms that some spreadsheets also read as the start of a formula.
FORMULA_STARTS_WIDE = ("\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_cell(value: object) -> str:
    """``value`` as a CSV cell a spreadsheet shows as text, never runs (None is empty)."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) or text.lstrip(" ").startswith(
        FORMULA_STARTS + FORMULA_STARTS_WIDE
    ):
        text = "'" + text
    return printable(text, keep="\n")


def header() -> list[str]:
    """The column names, in order."""
    return [*HistoryRow.FIELDS, *(f"{name}_local" for name in HistoryRow.TIMES)]


def history_csv_lines(
    rows: Iterable[HistoryRow], zone: ZoneInfo, newline: str = "\r\n"
) -> Iterator[str]:
    """The header line, then one line per row, each ending with ``newline`` (RFC
    4180's ``\\r\\n`` by default, as spreadsheets expect; ``\\n`` for a terminal),
    times local to ``zone`` in the ``*_local`` columns."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    names = header()

    def line(cells: list[str]) -> str:
        writer.writerow(cells)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line(names)
    for row in rows:
        data = row.as_dict(zone)
        yield line([spreadsheet_cell(data.get(name)) for name in names])
