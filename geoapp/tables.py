"""Read a spreadsheet (CSV or XLSX) into rows of text cells, whatever its encoding or delimiter.

Trip-wires: Excel on a Vietnamese Windows saves CSV in cp1258 with ``;`` separators; a UTF-8
file may start with a BOM; openpyxl gives numbers and dates as Python objects — codes typed as
numbers arrive as ``3388`` (we keep them as text and pad later), dates as ``datetime``
(turned into ISO text here). Row numbers are the spreadsheet's own (header = row 1).
"""
from __future__ import annotations

import csv
import io
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from .errors import InputError
from .sources import check_zip

MAX_ROWS = 500_000
#: what a broken .xlsx makes openpyxl (and the XML parsers and zlib under it) raise; ParseError
#: and lxml's XMLSyntaxError are SyntaxErrors
_XLSX_ERRORS = (zipfile.BadZipFile, zlib.error, KeyError, IndexError, TypeError, ValueError, AttributeError,
                EOFError, OSError, SyntaxError)


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]        # cells as text, "" for empty
    row_numbers: list[int]       # spreadsheet row number of each row
    encoding: str = ""
    delimiter: str = ""


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


def read_table(path: str | Path) -> Table:
    """Read ``path`` (.csv, .txt, .xlsx); raise :class:`InputError` saying what is wrong."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(p)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(p.read_bytes(), p.name)
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


def _read_csv(data: bytes, name: str) -> Table:
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
    return _table(rows, name, encoding, delimiter)


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


def _read_xlsx(p: Path) -> Table:
    """Read the sheet ``data`` (else the first) of a workbook.

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
    except _XLSX_ERRORS as exc:
        raise _not_a_workbook(p.name, exc) from None
    finally:
        book.close()
    return _table(rows, p.name, "xlsx", "")


def _not_a_workbook(name: str, exc: Exception) -> InputError:
    detail = "" if isinstance(exc, OSError) else f" ({type(exc).__name__}: {str(exc)[:200]})"
    return InputError(f"{name}: not a readable .xlsx workbook{detail}; open it in Excel and save it again as .xlsx",
                      message_vi=f"{name}: không đọc được tệp .xlsx{detail}; hãy mở bằng Excel và lưu lại dạng .xlsx")


def _table(rows: list[list[str]], name: str, encoding: str, delimiter: str) -> Table:
    numbered = [(i + 1, [c.strip() for c in r]) for i, r in enumerate(rows)]
    numbered = [(n, r) for n, r in numbered if any(r)]
    if not numbered:
        raise InputError(f"{name} is empty", message_vi=f"{name} không có dữ liệu")
    if len(numbered) > MAX_ROWS:
        raise InputError(f"{name}: more than {MAX_ROWS:,} rows", message_vi=f"{name}: nhiều hơn {MAX_ROWS:,} dòng")
    header_no, headers = numbered[0]
    width = len(headers)
    body = [(n, (r + [""] * width)[:max(width, len(r))]) for n, r in numbered[1:]]
    return Table([h.strip().lstrip("\ufeff") for h in headers], [r for _, r in body], [n for n, _ in body],
                 encoding, delimiter)
