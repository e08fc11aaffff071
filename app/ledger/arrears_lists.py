"""The arrears lists of the dunning calendar (欠费清单, due by dunning.list_by_day): the households
in arrears on a day grouped per area manager or per building, printed (one section per group) or
exported to Excel. Phones masked as in every list."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from app.core.audit import record
from app.core.errors import ValidationError
from app.core.permissions import require
from app.ledger.arrears import home_arrears
from app.printing.arrears_list import ArrearsLine, ArrearsList, ArrearsSection

BY = {"manager": "客服管理员", "building": "楼栋"}


def arrears_list(ctx, as_of: dt.date | None = None, by: str = "manager", *, area_manager_id=None,
                 building_id=None) -> ArrearsList:
    """The frozen list: sections per area manager (by="manager") or building (by="building"),
    homes by room within each, optionally only one manager's or one building's homes."""
    require(ctx, "ledger.dunning")
    if by not in BY:
        raise ValidationError("分组", "只能按客服管理员或楼栋分组")
    as_of = as_of or ctx.clock.today()
    rows = home_arrears(ctx, as_of, area_manager_id=area_manager_id, building_id=building_id)
    groups: dict[str, list] = {}
    for h in sorted(rows, key=lambda h: h.room_code):
        key = (h.area_manager or "（未指定）") if by == "manager" else h.building
        groups.setdefault(key, []).append(ArrearsLine(h.room_code, h.owners, h.phone, h.months,
                                                      h.oldest_due.isoformat() if h.oldest_due else "", h.owed_fen))
    label = BY[by]
    sections = tuple(ArrearsSection(f"{label}：{k}" if by == "manager" else k, tuple(v))
                     for k, v in sorted(groups.items()))
    return ArrearsList(as_of, label, sections)


def arrears_list_pdf(ctx, as_of: dt.date | None = None, by: str = "manager", **only) -> bytes:
    from app.printing.arrears_list import render_arrears_list
    return render_arrears_list(ctx.settings, arrears_list(ctx, as_of, by, **only))


def arrears_list_xlsx(ctx, path, as_of: dt.date | None = None, by: str = "manager", progress=None, **only) -> int:
    """The list as an Excel sheet (a group column first); returns the households written.
    *progress*: app.core.progress (a cancel keeps no file and audits nothing)."""
    from app.core.progress import each
    from app.core.xlsx import Column, StreamingSheet
    data = arrears_list(ctx, as_of, by, **only)
    lines = each(((sec, x) for sec in data.sections for x in sec.lines), progress,
                 sum(len(sec.lines) for sec in data.sections), "导出欠费清单")
    cols = [Column(data.by, 16), Column("房号", 12), Column("业主", 20), Column("电话", 14), Column("欠费月数", 10),
            Column("最早应缴", 12), Column("欠费（元）", 14, "0.00")]
    n = 0
    with StreamingSheet(path, f"欠费清单{data.as_of:%Y%m%d}", cols) as sheet:
        sheet.header()
        for sec, x in lines:
            sheet.row([sec.title, x.room_code, x.owners, x.phone, x.months, x.oldest_due, Decimal(x.owed_fen) / 100])
            n += 1
            if x is sec.lines[-1]:
                sheet.row([sec.title, "合计", "", "", sum(y.months for y in sec.lines), "",
                           Decimal(sec.total_fen) / 100])
    with ctx.db.atomic():
        record(ctx, "ledger.export", "ledger", data.as_of.isoformat(), None,
               {"report": "arrears_list", "by": by, "homes": n, "file": str(sheet.path)})
    return n
