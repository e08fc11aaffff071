"""What the front-desk registers share: the clerk's name, ages in words, search words, Excel export."""
from __future__ import annotations

import datetime as dt

from app.core import audit
from app.core.errors import ValidationError
from app.core.permissions import require

NAME_MAX = 30
PLATE_MAX = 10


def clerk_name(ctx, typed="") -> str:
    """The name typed, else the signed-in user's display name."""
    return str(typed or "").strip() or getattr(getattr(ctx, "user", None), "display_name", "") or ""


def short_text(value, field: str, limit: int = NAME_MAX, required: bool = False) -> str:
    s = str(value if value is not None else "").strip()
    if required and not s:
        raise ValidationError(field, "不能为空")
    if len(s) > limit:
        raise ValidationError(field, f"不能超过{limit}个字")
    return s


def plate_text(value) -> str:
    """A car's plate as typed, without spaces or dots, upper case; 车牌 refused when too long."""
    from app.core.validation import normalize
    s = normalize(value or "").replace(" ", "").replace("·", "").upper()
    if len(s) > PLATE_MAX:
        raise ValidationError("车牌", f"不能超过{PLATE_MAX}个字符")
    return s


def age_text(delta: dt.timedelta) -> str:
    """3天5小时 / 5小时 / 20分钟."""
    minutes = max(0, int(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时"
    if hours:
        return f"{hours}小时"
    return f"{mins}分钟"


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time())
    return start, start + dt.timedelta(days=1)


def matches(text: str, *values) -> bool:
    """The search words (separated by spaces) each found in one of the values."""
    words = [w for w in str(text or "").split() if w]
    hay = " ".join(str(v or "") for v in values).lower()
    return all(w.lower() in hay for w in words)


def export_rows(ctx, path, title: str, columns, rows, entity: str) -> int:
    """Write *rows* (lists of cell values, personal data already masked) to an Excel file under
    the sheet *title*; audited as frontdesk.export. Returns the number of rows."""
    require(ctx, "frontdesk.export")
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from app.core.xlsx import append_row, save_workbook
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(list(columns))
    for c in ws[1]:
        c.font = Font(bold=True)
    for row in rows:
        append_row(ws, row)
    for i, name in enumerate(columns, start=1):
        width = max([len(str(name))] + [len(str(r[i - 1] or "")) for r in rows[:200]]) * 2 + 2
        ws.column_dimensions[get_column_letter(i)].width = min(max(width, 8), 40)
    ws.freeze_panes = "A2"
    out = save_workbook(wb, path)
    with ctx.db.atomic():
        audit.record(ctx, "frontdesk.export", entity, title, None, {"rows": len(rows), "file": str(out)})
    return len(rows)
