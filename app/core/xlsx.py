"""Opening Excel files a user picked, safely: a text file renamed .xlsx, a damaged zip, a zip
bomb or a sheet that claims a huge range get a clear Chinese message instead of a crash, a hang
or all the memory of the PC.

``open_workbook(path)`` returns an openpyxl read-only workbook after the checks;
``read_rows(path)`` returns the rows of the first (or a named) sheet as tuples, trailing empty
cells trimmed, at most ``MAX_ROWS`` rows of ``MAX_COLS`` columns.
"""
from __future__ import annotations

import zipfile
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
    """Append a row of values; a text a user typed stays text even when it starts with “=”
    (openpyxl would otherwise write it as a formula that Excel evaluates)."""
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


def save_workbook(wb, path) -> Path:
    """Save through a temporary file, so that an interrupted export never leaves half a file
    under the name the user chose."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    wb.save(tmp)
    tmp.replace(path)
    return path
