"""Opening Excel files a user picked, safely: a text file renamed .xlsx, a damaged zip, a zip
bomb or a sheet that claims a huge range get a clear Chinese message instead of a crash, a hang
or all the memory of the PC.

``open_workbook(path)`` returns an openpyxl read-only workbook after the checks;
``read_rows(path)`` returns the rows of the first (or a named) sheet as tuples, trailing empty
cells trimmed, at most ``MAX_ROWS`` rows of ``MAX_COLS`` columns.

Writing: ``StreamingSheet`` (xlsxwriter, constant memory, styles per column) for exports of any
size; ``append_row``/``save_workbook`` for small sheets built in a normal workbook.
"""
from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from app.core.errors import ValidationError

MAX_ROWS = 200_000          # a site of 5,000 homes has far fewer rows than this
MAX_COLS = 256
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200             # uncompressed / compressed size of one part
FIELD = "Excel文件"


def _check_container(path: Path, field: str):
    if not path.is_file():
        raise ValidationError(field, f"找不到文件“{path}”")
    if path.suffix.lower() == ".xls":
        raise ValidationError(field, f"“{path.name}”是旧版 .xls 格式，请在Excel中另存为 .xlsx 后再导入")
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head != b"PK\x03\x04":
        kind = "空文件" if not head else "文本或其他格式的文件（可能只是改了扩展名）"
        raise ValidationError(field, f"“{path.name}”不是Excel(.xlsx)文件，而是{kind}")
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
                raise ValidationError(field, f"“{path.name}”是压缩包，但不是Excel工作簿")
            total = sum(i.file_size for i in infos)
            if total > MAX_UNCOMPRESSED:
                raise ValidationError(field, f"“{path.name}”解压后达 {total // (1024 * 1024)} MB，超过上限"
                                             f" {MAX_UNCOMPRESSED // (1024 * 1024)} MB，可能是恶意文件，已拒绝打开")
            for i in infos:
                if i.file_size > 10 * 1024 * 1024 and i.compress_size and i.file_size / i.compress_size > MAX_RATIO:
                    ratio = i.file_size // i.compress_size
                    raise ValidationError(field, f"“{path.name}”中的 {i.filename} 压缩比异常（{ratio}:1），"
                                                 "可能是恶意文件（压缩炸弹），已拒绝打开")
    except zipfile.BadZipFile:
        raise ValidationError(field, f"“{path.name}”已损坏（压缩结构无效），请用Excel打开检查后重新保存") from None


def check_container(path, field: str = FIELD):
    """The checks before any reader opens *path*: an .xlsx zip that is a workbook, no zip bomb."""
    _check_container(Path(path), field)


def open_workbook(path, field: str = FIELD):
    """A read-only openpyxl workbook of *path*, after the checks above; every sheet's claimed
    range is checked too. Raises ValidationError (naming *field*) with a clear message."""
    path = Path(path)
    _check_container(path, field)
    from openpyxl import load_workbook
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except ValidationError:
        raise
    except Exception as exc:  # openpyxl's InvalidFileException, XML parser errors, KeyError for missing parts
        raise ValidationError(field, f"“{path.name}”无法读取，文件已损坏或不是Excel工作簿"
                                     f"（{type(exc).__name__}）") from None
    try:
        for ws in wb.worksheets:
            rows, cols = ws.max_row or 0, ws.max_column or 0
            if rows > MAX_ROWS or cols > MAX_COLS:
                dim = ws.calculate_dimension() if hasattr(ws, "calculate_dimension") else ""
                raise ValidationError(field, f"工作表“{ws.title}”声明的范围 {dim}（{rows} 行 × {cols} 列）超出上限"
                                             f"（{MAX_ROWS} 行 × {MAX_COLS} 列）。请把数据复制到新的工作簿后再导入")
    except ValidationError:
        wb.close()
        raise
    except Exception as exc:
        wb.close()
        raise ValidationError(field, f"“{path.name}”的工作表信息已损坏（{type(exc).__name__}）") from None
    return wb


def read_rows(path, sheet: int | str = 0, field: str = FIELD) -> list[tuple]:
    """The rows of one sheet as tuples of cell values, trailing empty cells removed."""
    wb = open_workbook(path, field)
    try:
        try:
            ws = wb[sheet] if isinstance(sheet, str) else wb.worksheets[sheet]
        except (KeyError, IndexError):
            raise ValidationError(field, f"找不到工作表“{sheet}”") from None
        out = []
        try:
            for cells in ws.iter_rows(values_only=True, max_col=MAX_COLS):
                if len(out) >= MAX_ROWS:
                    raise ValidationError(field, f"工作表“{ws.title}”超过 {MAX_ROWS} 行，请分批导入")
                row = tuple(cells)
                end = len(row)
                while end and (row[end - 1] is None or row[end - 1] == ""):
                    end -= 1
                out.append(row[:end])
        except ValidationError:
            raise
        except Exception as exc:
            raise ValidationError(field, f"工作表“{ws.title}”内容已损坏，无法读取（{type(exc).__name__}）") from None
        while out and not out[-1]:
            out.pop()
        return out
    finally:
        wb.close()


# -- writing -------------------------------------------------------------------------------------

def append_row(ws, values) -> None:
    """Append a row of values to a normal (not write-only) sheet; a text a user typed stays text
    even when it starts with “=” (openpyxl would otherwise write it as a formula that Excel
    evaluates). Costs the row's own cells only (``ws[ws.max_row]`` scanned every cell of the sheet
    per row: quadratic)."""
    from openpyxl.cell import Cell
    ws.append([_text_cell(Cell(ws, value=v)) if _formula_like(v) else v for v in values])


def _formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith("=")


def _text_cell(cell):
    cell.data_type = "s"
    return cell


@dataclass(frozen=True)
class Column:
    """A column of a StreamingSheet: header text, width, and the style of its data cells."""
    head: str
    width: float | None = None
    number_format: str | None = None       # "0.00", "@", "yyyy-mm-dd" …
    wrap: bool = False


class StreamingSheet:
    """A workbook of one sheet written row by row with xlsxwriter in constant-memory mode: time
    and memory linear in the rows (openpyxl's cell objects cost about three times as much per
    cell, and its normal mode keeps every cell). Styles are declared per column up front; text is
    always written as text (a value a user typed as “=…” never becomes a formula), numbers and
    Decimals as numbers, dates as dates. Written to ``<name>.part`` and renamed on success, like
    ``save_workbook``; on an error the part file is removed::

        with StreamingSheet(path, "台账", columns, freeze="A2") as sheet:
            sheet.title_row("天伦庄园 台账")      # optional rows above the header
            sheet.header()
            for r in rows:
                sheet.row(r)
    """

    OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
               "strings_to_urls": False}

    def __init__(self, path, title: str, columns: list[Column], *, freeze: str | None = None):
        import xlsxwriter
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = self.path.with_name(self.path.name + ".part")
        self.columns = list(columns)
        self.rows = 0
        self._wb = xlsxwriter.Workbook(str(self._tmp), self.OPTIONS)
        self._ws = self._wb.add_worksheet(title[:31])
        # xlsxwriter's write_string/write_number without their A1-notation wrapper (row and column are
        # numbers here): a tenth of an export's time; the public methods if a version lacks them
        self._write_string = getattr(self._ws, "_write_string", self._ws.write_string)
        self._write_number = getattr(self._ws, "_write_number", self._ws.write_number)
        self._date_format = self._wb.add_format({"num_format": "yyyy-mm-dd"})
        self._time_format = self._wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self._formats = []
        for i, col in enumerate(self.columns):
            spec = {}
            if col.number_format:
                spec["num_format"] = col.number_format
            if col.wrap:
                spec.update(text_wrap=True, valign="top")
            fmt = self._wb.add_format(spec) if spec else None
            self._formats.append(fmt)
            if col.width:
                self._ws.set_column(i, i, col.width)
        if freeze:
            self._ws.freeze_panes(freeze)

    def _write(self, c: int, value, fmt=None) -> None:
        ws, r = self._ws, self.rows
        if type(value) is str and value:
            ws.write_string(r, c, value, fmt)
        elif value is None or value == "":
            if fmt is not None:
                ws.write_blank(r, c, None, fmt)
        elif isinstance(value, bool):
            ws.write_boolean(r, c, value, fmt)
        elif isinstance(value, int | float | Decimal):
            ws.write_number(r, c, float(value), fmt)
        elif isinstance(value, dt.datetime):
            ws.write_datetime(r, c, value, fmt or self._time_format)
        elif isinstance(value, dt.date):
            ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), fmt or self._date_format)
        else:
            ws.write_string(r, c, str(value), fmt)

    def title_row(self, text: str, size: int = 14, bold: bool = True) -> None:
        """A line of text above the table."""
        self._write(0, text, self._wb.add_format({"bold": bold, "font_size": size}))
        self.rows += 1

    def note_row(self, values) -> None:
        """Cells without a column style (an export's time and author line)."""
        for c, v in enumerate(values):
            self._write(c, v)
        self.rows += 1

    def header(self, heads=None, center: bool = False) -> None:
        """The bold header row (the columns' heads unless given)."""
        fmt = self._wb.add_format({"bold": True, **({"align": "center"} if center else {})})
        for c, h in enumerate(heads if heads is not None else [col.head for col in self.columns]):
            self._write(c, h, fmt)
        self.rows += 1

    def row(self, values) -> None:
        """One data row; each column's declared style applies. Text and numbers (nearly every cell of an
        export) go straight to xlsxwriter, the rest through ``_write``: an export of 100,000 rows spends
        its time in the writer, not here."""
        r, formats = self.rows, self._formats
        n = len(formats)
        write_string, write_number = self._write_string, self._write_number
        for c, v in enumerate(values):
            fmt = formats[c] if c < n else None
            kind = type(v)
            if kind is str and v:
                write_string(r, c, v, fmt)
            elif kind is int or kind is Decimal or kind is float:    # never bool: type(True) is bool
                write_number(r, c, float(v), fmt)
            else:
                self._write(c, v, fmt)
        self.rows += 1

    def close(self) -> Path:
        try:
            self._wb.close()
        except BaseException:
            self._tmp.unlink(missing_ok=True)
            raise
        self._tmp.replace(self.path)
        return self.path

    def discard(self) -> None:
        try:
            self._wb.close()
        finally:
            self._tmp.unlink(missing_ok=True)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self.discard()
        return False


def save_workbook(wb, path) -> Path:
    """Save through a temporary file, so that an interrupted export never leaves half a file
    under the name the user chose."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    try:
        wb.save(tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)
    return path
