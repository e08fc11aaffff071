"""The limits every Excel import shares (owners, meter readings …), checked before any row is used.

``read_table(path, max_rows=…, max_cols=…)`` returns the first sheet's rows as tuples of equal
length. It refuses at once, with a Chinese message naming the file, sheet, row and column:

- a file over ``MAX_FILE_BYTES``, a non-Excel, damaged or zip-bomb file (app.core.xlsx);
- a sheet whose declared range is too large (app.core.xlsx) — and, because a file may omit or lie
  about its declared range, any cell *with a value* beyond the limits: the sheet's XML is scanned
  first (the cell references read from the stream, stopped at the first such cell), so a 5 KB
  file with one value in XFD1048576 takes milliseconds instead of minutes;
- more data rows than *max_rows*.

Rows are read only as far as the last cell with a value, padded to the same width, so a short row
never raises IndexError: ``cell(row, j)`` gives None past its end. ``number_text`` turns full-width
digits (１２３．５) into ordinary ones; ``column_name(j)`` is the Excel letter of column *j* (0-based).
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree.ElementTree import ParseError, iterparse

from app.core.errors import ValidationError
from app.core.validation import normalize

MAX_FILE_BYTES = 20 * 1024 * 1024    # an owner ledger of 5,000 homes is under 2 MB
FIELD = "文件"

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def column_name(index: int) -> str:
    """Excel's letters of the 0-based column *index*: 0 → A, 25 → Z, 26 → AA."""
    n, out = index + 1, ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def check_file(path, field: str = FIELD, max_bytes: int = MAX_FILE_BYTES) -> Path:
    """The file exists, is a file and is not larger than *max_bytes*."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(field, f"找不到文件“{path}”")
    size = path.stat().st_size
    if size > max_bytes:
        raise ValidationError(field, f"“{path.name}”有 {size / 1024 / 1024:.1f} MB，超过导入上限 "
                                     f"{max_bytes // (1024 * 1024)} MB；请只保留需要导入的工作表和数据，或分批导入")
    return path


def sheet_part(z: zipfile.ZipFile, sheet: str | None = None) -> tuple[str, str]:
    """(name, part path) of the sheet named *sheet* (the workbook's first sheet when None)."""
    with z.open("xl/workbook.xml") as fh:
        for _ev, el in iterparse(fh):
            if el.tag == f"{_NS_MAIN}sheet" and (sheet is None or el.get("name", "") == sheet):
                name, rid = el.get("name", ""), el.get(f"{_NS_REL}id")
                break
        else:
            raise ValidationError(FIELD, f"工作簿中没有工作表“{sheet}”" if sheet else "工作簿中没有工作表")
    with z.open("xl/_rels/workbook.xml.rels") as fh:
        for _ev, el in iterparse(fh):
            if el.tag == f"{_NS_PKG_REL}Relationship" and el.get("Id") == rid:
                target = el.get("Target", "")
                part = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
                return name, part
    raise ValidationError(FIELD, f"工作表“{name}”在文件中缺失")


# A cell tag holding a value (not self-closing) and its reference, if it has one: one findall a chunk at C
# speed (50,000 rows x 13 columns: ~1 s, where a Python step per cell took 3.3 s).
_VALUE_CELL = re.compile(rb'<(?:\w+:)?c\b(?:[^>]*?\br="\$?([A-Za-z]{1,3})\$?(\d+)")?[^>]*(?<!/)>')
# The usual writers' cell tag (Excel, openpyxl, xlsxwriter): the reference first. A pattern starting with
# a literal is searched for by the regex engine's fast scan, about twice as fast as _VALUE_CELL.
_PLAIN_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"')
_CHUNK = 1024 * 1024


def _value_cells(body: bytes) -> list[tuple[bytes, bytes]]:
    """(column letters, row digits) of each cell holding a value in *body* (b"" for a cell without its
    reference). The plain pattern is used only where it provably finds every such cell: each "<c" of
    the chunk is one of its matches (so no cell with its reference elsewhere, no <cols> or other tag
    beginning so), no element closes itself (no formatting-only cell to leave out) and no prefixed
    (namespaced) tag; any other chunk takes the full pattern."""
    if b"/>" not in body and b":c" not in body:
        found = _PLAIN_CELL.findall(body)
        if len(found) == body.count(b"<c"):
            return found
    return _VALUE_CELL.findall(body)


def scan_extent(path, max_rows: int, max_cols: int, field: str = FIELD, sheet: str | None = None) -> tuple[int, int]:
    """(last row, last column) holding a value in the first sheet (or the one named *sheet*), 1-based,
    read from the sheet's XML itself (not its declared range). Refuses at the first value beyond
    *max_rows* × *max_cols*."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as z:
            title, part = sheet_part(z, sheet)
            try:
                return _scan_refs(z, part, title, max_rows, max_cols, field)
            except _NoReference:   # cells without their reference (rare writers): the full XML parse
                return _extent(_scan_elements(z, part), title, max_rows, max_cols, field)
    except ValidationError:
        raise
    except (zipfile.BadZipFile, KeyError, ParseError, ValueError, OSError) as exc:
        raise ValidationError(field, f"“{path.name}”内容已损坏，无法读取（{type(exc).__name__}）") from None


class _NoReference(Exception):
    pass


def _extent(cells, title: str, max_rows: int, max_cols: int, field: str) -> tuple[int, int]:
    """The last row and column of *cells* (row, column), refused at the first one beyond the limits."""
    last_row = last_col = 0
    for row_no, col_no in cells:
        if row_no > max_rows + 1 or col_no > max_cols:
            raise ValidationError(field, f"工作表“{title}”的 {column_name(col_no - 1)}{row_no} 单元格有内容，"
                                         f"超出导入上限（{max_rows} 行数据 × {max_cols} 列）。"
                                         "请只保留需要导入的数据（或分批导入）后再导入")
        last_row = max(last_row, row_no)
        last_col = max(last_col, col_no)
    return last_row, last_col


def _scan_refs(z: zipfile.ZipFile, part: str, title: str, max_rows: int, max_cols: int, field: str) -> tuple[int, int]:
    """The extent from each valued cell's r="B7" reference in the raw XML, a chunk at a time: one
    findall, then the distinct column letters and row numbers (sets, C speed); a chunk holding a cell
    beyond the limits is walked in order to name its first such cell. _NoReference when a cell has none."""
    carry = b""
    last_row = last_col = 0
    with z.open(part) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            data = carry + chunk
            cut = data.rfind(b"<") if chunk else len(data)
            body, carry = data[:cut], data[cut:]
            found = _value_cells(body)
            if found:
                letters, numbers = zip(*found, strict=True)
                if b"" in set(letters):
                    raise _NoReference
                cols = max(_column_number(c.decode()) for c in set(letters))
                rows = max(map(int, set(numbers)))
                if rows > max_rows + 1 or cols > max_cols:
                    _extent(((int(r), _column_number(c.decode())) for c, r in found), title, max_rows, max_cols,
                            field)
                last_row, last_col = max(last_row, rows), max(last_col, cols)
            if not chunk:
                return last_row, last_col


def _scan_elements(z: zipfile.ZipFile, part: str):
    row_no = col_no = 0
    with z.open(part) as fh:
        for event, el in iterparse(fh, events=("start", "end")):
            tag = el.tag
            if event == "start":
                if tag == f"{_NS_MAIN}row":
                    r = el.get("r")
                    row_no = int(r) if r and r.isdigit() else row_no + 1
                    col_no = 0
                continue
            if tag == f"{_NS_MAIN}c":
                m = _REF.match(el.get("r") or "")
                col_no = _column_number(m.group(1)) if m else col_no + 1
                if m:
                    row_no = int(m.group(2))
                if len(el) and any(child.text not in (None, "") or len(child) for child in el):
                    yield row_no, col_no
                el.clear()
            elif tag == f"{_NS_MAIN}row":
                el.clear()


def read_table(path, *, max_rows: int, max_cols: int, field: str = FIELD,
               max_bytes: int = MAX_FILE_BYTES) -> list[tuple]:
    """The first sheet's rows (header included) as tuples of one width, up to the last cell with a
    value; *max_rows* counts the rows after the first. All limits checked before a row is returned."""
    path = check_file(path, field, max_bytes)
    from app.core.xlsx import open_workbook
    wb = open_workbook(path, field)   # not Excel, damaged, zip bomb, declared range too large
    try:
        last_row, last_col = scan_extent(path, max_rows, max_cols, field)
        if not last_row:
            return []
        ws = wb.worksheets[0]
        try:
            rows = [tuple(r) for r in ws.iter_rows(min_row=1, max_row=last_row, min_col=1, max_col=last_col,
                                                   values_only=True)]
        except Exception as exc:
            raise ValidationError(field, f"工作表“{ws.title}”内容已损坏，无法读取（{type(exc).__name__}）") from None
        return [r + (None,) * (last_col - len(r)) if len(r) < last_col else r[:last_col] for r in rows]
    finally:
        wb.close()


def cell(row, index: int):
    """The value of column *index* (0-based) in *row*, None past its end."""
    return row[index] if 0 <= index < len(row) else None


def number_text(value) -> str:
    """A number typed in a cell as text: full-width digits, point and minus (１２３．５) made ordinary,
    spaces and thousands separators removed. Numbers (int/float) come back as their shortest text."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    s = normalize(value).replace("，", ",").replace("。", ".")
    return re.sub(r"[\s,]", "", s)


def whole_cell(value):
    """A cell as openpyxl gave it: whole numbers as int (calamine reads 2 as 2.0, room 101 as 101.0), an
    empty cell as None."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def read_first_sheet(path, field: str, max_rows: int, max_cols: int, cell=whole_cell) -> list[tuple]:
    """The first sheet's rows (header included), all of one width, read by python-calamine (10,000 rows in
    well under a second, where openpyxl took seconds) under the limits of every import: file size, the
    .xlsx container (not Excel, damaged, zip bomb), the cells' real extent scanned from the sheet's XML
    before a row is read. *cell* turns each value (default :func:`whole_cell`)."""
    from app.core.xlsx import check_container
    path = check_file(path, field, MAX_FILE_BYTES)
    check_container(path, field)
    last_row, last_col = scan_extent(path, max_rows, max_cols, field)
    if not last_row:
        return []
    from python_calamine import CalamineWorkbook
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:   # calamine's own errors: a damaged or password-protected file
        raise ValidationError(field, f"“{path.name}”无法读取，文件已损坏或不是Excel工作簿"
                                     f"（{type(exc).__name__}）") from None
    try:
        raw = wb.get_sheet_by_index(0).to_python(skip_empty_area=False, nrows=last_row)
    except Exception as exc:
        raise ValidationError(field, f"工作表内容已损坏，无法读取（{type(exc).__name__}）") from None
    finally:
        wb.close()
    pad = (None,) * last_col
    return [(tuple(cell(v) for v in r[:last_col]) + pad)[:last_col] for r in raw[:last_row]]
