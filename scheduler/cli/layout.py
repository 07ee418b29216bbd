"""Tables that stay readable on a narrow terminal (80 columns and up).

Ids, times and links are never split across lines: every cell prints whole on
one line. When a table is wider than the terminal, the least important
columns are left out (each :class:`Column` has a ``drop`` rank), and the long
last field of a row (a link or an error, see :class:`Detail`) moves to a line
of its own under the row. A link is printed whole with no line break inserted
(a terminal narrower than the link wraps it softly, so it stays clickable and
copies as one piece); an error wraps at spaces.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

GAP = 2  # spaces between columns
DETAIL_INDENT = 4


@dataclass(frozen=True)
class Column:
    """A column: ``drop`` 0 is always shown; otherwise, when the table is too wide,
    columns are left out highest ``drop`` first."""

    header: str
    drop: int = 0
    right: bool = False


@dataclass(frozen=True)
class Detail:
    """The long last field of a row: a link (never broken) or a message (wraps at
    spaces)."""

    text: str
    is_link: bool = False


def _widths(columns: Sequence[Column], rows: Sequence[Sequence[str]], keep: list[int]) -> list[int]:
    return [
        max([cell_len(columns[index].header), *(cell_len(row[index]) for row in rows)])
        for index in keep
    ]


def _total(widths: list[int]) -> int:
    return sum(widths) + GAP * max(len(widths) - 1, 0)


def fit_columns(
    columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int, extra: int = 0
) -> list[int]:
    """Indexes of the columns to show so that the table (plus ``extra`` cells) fits
    in ``width``, dropping by rank; the columns of rank 0 are always kept."""
    keep = list(range(len(columns)))
    droppable = sorted((column.drop, index) for index, column in enumerate(columns) if column.drop)
    while droppable and _total(_widths(columns, rows, keep)) + extra > width:
        _, index = droppable.pop()
        keep.remove(index)
    return keep


def _line(cells: list[str], widths: list[int], columns: list[Column]) -> str:
    parts = []
    for cell, size, column in zip(cells, widths, columns, strict=True):
        pad = " " * (size - cell_len(cell))
        parts.append(pad + cell if column.right else cell + pad)
    return (" " * GAP).join(parts).rstrip()


def print_table(
    console: Console,
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    details: Sequence[Detail] | None = None,
    detail_header: str = "",
) -> None:
    """Print ``rows`` (one string per column) under ``title`` to fit ``console.width``.

    ``details`` (one per row) become the last column when the whole table fits on
    one line per row, else a line of their own under each row.
    """
    width = console.width
    chosen = list(columns)
    table_rows = [list(row) for row in rows]
    inline = False
    if details is not None:
        header = Column(detail_header)
        with_details = [*chosen, header]
        every = list(range(len(with_details)))
        cells = [[*row, detail.text] for row, detail in zip(table_rows, details, strict=True)]
        inline = _total(_widths(with_details, cells, every)) <= width
        if inline:
            chosen, table_rows = with_details, cells
    keep = list(range(len(chosen))) if inline else fit_columns(chosen, table_rows, width)
    shown = [chosen[index] for index in keep]
    widths = _widths(chosen, table_rows, keep)
    console.print(Text(title, style="italic"), soft_wrap=True)
    header_line = _line([column.header for column in shown], widths, shown)
    console.print(Text(header_line, style="bold"), soft_wrap=True)
    console.print(Text("─" * min(_total(widths), width), style="dim"), soft_wrap=True)
    for number, row in enumerate(table_rows):
        console.print(Text(_line([row[index] for index in keep], widths, shown)), soft_wrap=True)
        if details is None or inline or not details[number].text:
            continue
        detail = details[number]
        if detail.is_link:
            console.print(Text(" " * DETAIL_INDENT + detail.text), soft_wrap=True)
        else:
            print_wrapped(console, detail.text, DETAIL_INDENT, style="dim")


def print_wrapped(console: Console, text: str, indent: int, style: str = "") -> None:
    """``text`` indented by ``indent`` spaces, wrapped at spaces only, so an id or a
    link inside it stays whole (a word longer than the line is left to the terminal).
    Its own line breaks are kept: a post's paragraphs stay apart."""
    for paragraph in text.splitlines() or [""]:
        lines = textwrap.wrap(
            paragraph,
            width=max(console.width - indent, 20),
            break_long_words=False,
            break_on_hyphens=False,
        )
        if not lines:
            console.print()
        for line in lines:
            console.print(Text(" " * indent + line, style=style), soft_wrap=True)
