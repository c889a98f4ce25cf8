"""Read a spreadsheet (CSV or XLSX) into rows of text cells, whatever its encoding or delimiter.

Trip-wires: Excel on a Vietnamese Windows saves CSV in cp1258 with ``;`` separators; a UTF-8
file may start with a BOM; openpyxl gives numbers and dates as Python objects — codes typed as
numbers arrive as ``3388`` (we keep them as text and pad later), dates as ``datetime``
(turned into ISO text here). Row numbers are the spreadsheet's own, wherever the header is.
A workbook's merged ranges are read too: where the table is in the sheet (letterhead, a header
over two rows, totals, signatures) is :mod:`geoapp.layout`.
"""
from __future__ import annotations

import csv
import io
import zipfile
import zlib
from datetime import date, datetime
from pathlib import Path

from .errors import InputError
from .layout import MAX_ROWS, Recognise, Skipped, Table, build_table, is_footer_label, is_totals_label
from .sources import check_zip

__all__ = ["MAX_ROWS", "Skipped", "Table", "build_table", "decode_text", "is_footer_label", "is_totals_label",
           "read_table"]
#: what a broken .xlsx makes openpyxl (and the XML parsers and zlib under it) raise; ParseError
#: and lxml's XMLSyntaxError are SyntaxErrors
_XLSX_ERRORS = (zipfile.BadZipFile, zlib.error, KeyError, IndexError, TypeError, ValueError, AttributeError,
                EOFError, OSError, SyntaxError)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(path: str | Path, *, header_row: int | None = None, recognise: Recognise | None = None) -> Table:
    """Read ``path`` (.csv, .txt, .xlsx); raise :class:`InputError` saying what is wrong.

    Parameters
    ----------
    path : str or Path
        The file.
    header_row : int, optional
        Spreadsheet row number (1 = first) of the header. Default: found by ``recognise``.
    recognise : callable, optional
        ``recognise(header_text)`` → the column it names or None. With it the header is the row
        among the first :data:`geoapp.layout.HEADER_SCAN` that names the most distinct columns (the first such
        row on a tie; the first non-empty row when no row names any). Without it, and without
        ``header_row``, the first non-empty row is the header.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        grid, merges = _read_xlsx(p)
        return build_table(grid, p.name, "xlsx", "", merges=merges, header_row=header_row, recognise=recognise)
    if suffix in (".csv", ".txt", ".tsv"):
        encoding, delimiter, grid = _read_csv(p.read_bytes(), p.name)
        return build_table(grid, p.name, encoding, delimiter, header_row=header_row, recognise=recognise)
    if suffix == ".xls":
        raise InputError(f"{p.name}: the old Excel format .xls is not supported; save it as .xlsx or CSV",
                         message_vi=f"{p.name}: không hỗ trợ định dạng .xls cũ; hãy lưu thành .xlsx hoặc CSV")
    raise InputError(f"{p.name}: unsupported file type; give a .csv or .xlsx file",
                     message_vi=f"{p.name}: loại tệp không hỗ trợ; hãy dùng .csv hoặc .xlsx")


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 (with or without BOM), else cp1258."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "UTF-8 (BOM)"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        import unicodedata
        return unicodedata.normalize("NFC", data.decode("cp1258")), "cp1258"
    except UnicodeDecodeError:
        raise InputError(f"{name}: the text is neither UTF-8 nor cp1258; save it as CSV UTF-8",
                         message_vi=f"{name}: văn bản không phải UTF-8 hay cp1258; hãy lưu dạng CSV UTF-8") from None


def _read_csv(data: bytes, name: str) -> tuple[str, str, list[list[str]]]:
    text, encoding = decode_text(data, name)
    # the sniffer's regular expressions are slow on huge lines: give it a bounded sample
    sample = "\n".join(text[:1 << 16].splitlines()[:20])
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [r for r in reader]
    except csv.Error as exc:
        raise _csv_error(name, reader.line_num, exc) from None
    return encoding, delimiter, rows


def _csv_error(name: str, line: int, exc: csv.Error) -> InputError:
    """Say why the csv module gave up. A cell over its limit (131,072 characters) is nearly
    always an unclosed quote that swallowed the rest of the file, so say that."""
    if "field larger than field limit" in str(exc):
        return InputError(f"{name}: near line {line}, a cell holds more than {csv.field_size_limit():,} characters; "
                          'no value is that long — look for a quote (") that is opened and never closed',
                          message_vi=f"{name}: gần dòng {line}, một ô dài hơn {csv.field_size_limit():,} ký tự; "
                                     'không giá trị nào dài như vậy — hãy tìm dấu ngoặc kép (") mở mà không đóng')
    return InputError(f"{name}: near line {line}, not readable as CSV ({exc}); save it again as CSV UTF-8",
                      message_vi=f"{name}: gần dòng {line}, không đọc được dạng CSV ({exc}); hãy lưu lại dạng CSV UTF-8")


def _read_xlsx(p: Path) -> tuple[list[list[str]], list[tuple[int, int, int, int]]]:
    """Read the sheet ``data`` (else the first) of a workbook: its cells as text, and its merged
    ranges as ``(min_col, min_row, max_col, max_row)``.

    Trip-wire: an .xlsx is a zip; :func:`geoapp.sources.check_zip` counts what it really
    inflates to before openpyxl opens it. openpyxl raises almost anything on a broken file
    (KeyError for a missing part, ParseError for bad XML …): all of it becomes InputError,
    without the exception text of OSError, which holds the file's path.
    """
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    check_zip(p)
    try:
        book = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except (*_XLSX_ERRORS, InvalidFileException) as exc:
        raise _not_a_workbook(p.name, exc) from None
    try:
        sheet = book["data"] if "data" in book.sheetnames else book.worksheets[0]
        rows = []
        for i, row in enumerate(sheet.iter_rows(values_only=True)):
            if i > MAX_ROWS:
                raise InputError(f"{p.name}: more than {MAX_ROWS:,} rows",
                                 message_vi=f"{p.name}: nhiều hơn {MAX_ROWS:,} dòng")
            rows.append([_cell(v) for v in row])
        merges = _merged_ranges(sheet)
    except _XLSX_ERRORS as exc:
        raise _not_a_workbook(p.name, exc) from None
    finally:
        book.close()
    return rows, merges


def _merged_ranges(sheet) -> list[tuple[int, int, int, int]]:
    """The merged ranges of a read-only sheet.

    Trip-wire: openpyxl's read-only mode (which a 500,000-row file needs) does not expose merged
    cells; they sit in ``<mergeCells>`` after the rows of the sheet's XML, which we read again
    with openpyxl's own parser. ``_get_source`` is openpyxl's (3.1): the merged-header tests
    fail loudly if a new openpyxl renames it.
    """
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.xml.functions import iterparse

    tag = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}mergeCell"
    out = []
    with sheet._get_source() as source:
        for _event, element in iterparse(source):
            if element.tag == tag and element.get("ref"):
                out.append(tuple(range_boundaries(element.get("ref"))))
            element.clear()
    return out


def _not_a_workbook(name: str, exc: Exception) -> InputError:
    detail = "" if isinstance(exc, OSError) else f" ({type(exc).__name__}: {str(exc)[:200]})"
    return InputError(f"{name}: not a readable .xlsx workbook{detail}; open it in Excel and save it again as .xlsx",
                      message_vi=f"{name}: không đọc được tệp .xlsx{detail}; hãy mở bằng Excel và lưu lại dạng .xlsx")
