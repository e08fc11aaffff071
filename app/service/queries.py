"""What the service lists show: the rows of the 报事投诉 list (filters, deadlines missed, who holds
each request) and the month's register (报事投诉登记表) exported to Excel. Phones are masked."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.core import audit
from app.core.permissions import require
from app.service import complaints
from app.service.deadlines import LEVELS, arrival_due, dispatch_due, holder_name, level_at, visit_due
from app.service.records import light_query, month_range, status_label
from models.property import Home
from models.service import OPEN_STATUSES, ReturnVisit, ServiceRequest


def warnings(ctx, r, when: dt.datetime | None = None, visited: bool | None = None) -> list[str]:
    """Deadlines missed or due now, in Chinese, for the list's 提醒 column."""
    when = when or ctx.clock.now()
    out = []
    if r.kind == "报修" and r.status == "待派工" and when > dispatch_due(ctx, r):
        out.append("派工超时")
    if r.kind == "报修" and r.status == "已派工" and when > arrival_due(ctx, r):
        out.append("到场超时")
    if r.kind == "投诉":
        out.extend(complaints.warnings(ctx, r, when))
    if r.status == "已完成" and when > visit_due(ctx, r) and not (_has_visit(r) if visited is None else visited):
        out.append("回访超时")
    lvl = level_at(ctx, r, when)
    if lvl:
        out.append(f"已升级至{LEVELS[lvl]}")
    return out


def _has_visit(r) -> bool:
    return ReturnVisit.select().where((ReturnVisit.request == r.id) & ReturnVisit.visited_at.is_null(False)).exists()


# --------------------------------------------------------------------------- lists
@dataclass(frozen=True)
class Row:
    id: int
    number: str
    received_at: dt.datetime
    channel: str
    kind: str
    room_code: str
    caller: str
    phone_masked: str
    content: str
    status: str
    receiver: str
    handler: str
    level: int
    holder: str
    grade: str
    complaint_class: str
    warnings: str
    receiver_id: int | None = None      # the first receiver (who may correct it, with managers)


FILTERS = ["未完成", "我受理的", "待回访", "投诉", "已升级", "须上报", "全部"]


def list_requests(ctx, filter_: str = "未完成", text: str = "", month: str | None = None,
                  limit: int | None = 3000, home_id: int | None = None) -> list[Row]:
    """Rows for the list, newest first (phones masked). *filter_* one of FILTERS; *month* 'YYYY-MM';
    *home_id* one home's requests (its repair and complaint record, e.g. for the owner archive);
    at most *limit* rows for the long lists (open requests are never cut)."""
    require(ctx, "service.view")
    from app.core.privacy import mask_phone
    q = light_query()
    if filter_ in ("未完成", "已升级"):
        q = q.where(ServiceRequest.status.in_(OPEN_STATUSES))
    elif filter_ == "我受理的":       # 首问责任制: what the signed-in receiver still has to follow up
        q = q.where(ServiceRequest.status.in_(OPEN_STATUSES + ["已完成"])
                    & (ServiceRequest.receiver == getattr(ctx.user, "id", None)))
    elif filter_ == "须上报":
        q = q.where(ServiceRequest.status.in_(OPEN_STATUSES) & (ServiceRequest.kind == "投诉")
                    & ServiceRequest.reported_at.is_null())
    elif filter_ == "待回访":
        q = q.where(ServiceRequest.status == "已完成")
    elif filter_ == "投诉":
        q = q.where(ServiceRequest.kind == "投诉")
    if home_id is not None:
        q = q.where(ServiceRequest.home == home_id)
    if month:
        start, end = month_range(month)
        q = q.where((ServiceRequest.received_at >= start) & (ServiceRequest.received_at < end))
    text = (text or "").strip()
    if text:
        like = f"%{text}%"
        q = q.where(ServiceRequest.number.contains(text) | Home.room_code.contains(text)
                    | ServiceRequest.caller.contains(text) | ServiceRequest.content ** like
                    | ServiceRequest.subject.contains(text))
    now = ctx.clock.now()
    q = q.order_by(ServiceRequest.received_at.desc())
    if limit and filter_ not in ("未完成", "已升级", "须上报", "我受理的"):
        q = q.limit(limit)
    found = list(q.namedtuples())
    done_ids = [r.id for r in found if r.status == "已完成"]
    visited = {v.request_id for v in ReturnVisit.select(ReturnVisit.request).where(
        ReturnVisit.request.in_(done_ids) & ReturnVisit.visited_at.is_null(False))} if done_ids else set()
    rows = []
    for r in found:
        lvl = level_at(ctx, r, now)
        if filter_ == "已升级" and lvl == 0:
            continue
        warn = warnings(ctx, r, now, r.id in visited)
        if filter_ == "须上报" and "须上报" not in warn:
            continue
        rows.append(Row(r.id, r.number, r.received_at, r.channel, r.kind, r.room_code, r.caller,
                        mask_phone(r.phone), r.content, r.status, r.receiver_name, r.handler, lvl,
                        holder_name(ctx, r, lvl) if r.status in OPEN_STATUSES else "",
                        r.grade, r.complaint_class, "；".join(warn), r.receiver_id))
    return rows


# --------------------------------------------------------------------------- the month's register
REGISTER_COLUMNS = ["编号", "受理时间", "受理方式", "类别", "投诉类别", "投诉主题", "投诉等级", "房号", "报事人",
                    "联系电话", "报事内容", "首问责任人", "处理人", "状态", "派工时间", "到场时间", "完成时间",
                    "处理结果", "有偿服务（元）", "联系时间", "答复时间", "回访时间", "回访评分", "升级", "提醒"]


def register_rows(ctx, month: str) -> list[list]:
    """The month's register (报事投诉登记表): every request received in *month*, oldest first,
    phones masked, times as text, charges in 元 from fen."""
    require(ctx, "service.view")
    from decimal import Decimal

    from app.core.privacy import mask_phone
    start, end = month_range(month)
    found = list(light_query().select_extend(ServiceRequest.result)
                 .where((ServiceRequest.received_at >= start) & (ServiceRequest.received_at < end))
                 .order_by(ServiceRequest.received_at, ServiceRequest.id).namedtuples())
    visits = {v.request_id: v for v in ReturnVisit.select().where(
        ReturnVisit.request.in_([r.id for r in found]) & ReturnVisit.visited_at.is_null(False))} if found else {}
    now = ctx.clock.now()

    def t(v):
        return f"{v:%Y-%m-%d %H:%M}" if v else ""
    out = []
    for r in found:
        v = visits.get(r.id)
        lvl = level_at(ctx, r, now)
        out.append([r.number, t(r.received_at), r.channel, r.kind, r.complaint_class, r.subject, r.grade,
                    r.room_code, r.caller, mask_phone(r.phone), r.content, r.receiver_name, r.handler,
                    status_label(r.kind, r.status), t(r.dispatched_at), t(r.arrived_at), t(r.completed_at), r.result,
                    Decimal(int(r.charge_fen)) / 100 if r.charge_fen else "", t(r.contacted_at), t(r.replied_at),
                    t(v.visited_at) if v else "", v.score if v else "", LEVELS[lvl] if lvl else "",
                    "；".join(warnings(ctx, r, now, r.id in visits))])
    return out


def export_register(ctx, month: str, path, progress=None) -> int:
    """Write the month's register to an Excel file (phones masked); returns the number of rows.
    *progress*: app.core.progress, asked between rows (a cancel keeps no file and audits nothing)."""
    require(ctx, "service.export")
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from app.core.xlsx import append_row, save_workbook
    rows = register_rows(ctx, month)
    wb = Workbook()
    ws = wb.active
    ws.title = f"报事投诉{month}"
    ws.append(REGISTER_COLUMNS)
    for c in ws[1]:
        c.font = Font(bold=True)
    from app.core.progress import each
    for row in each(rows, progress, len(rows), "导出报事投诉登记表"):
        append_row(ws, row)               # typed text such as “=…” stays text, never an Excel formula
    money_col = REGISTER_COLUMNS.index("有偿服务（元）") + 1
    for (cell,) in ws.iter_rows(min_row=2, min_col=money_col, max_col=money_col):
        cell.number_format = "0.00"
    widths = {"编号": 15, "受理时间": 17, "报事内容": 40, "处理结果": 30, "提醒": 30, "派工时间": 17, "到场时间": 17,
              "完成时间": 17, "联系时间": 17, "答复时间": 17, "回访时间": 17, "联系电话": 14}
    from openpyxl.utils import get_column_letter
    for i, name in enumerate(REGISTER_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(name, 10)
        if name in ("报事内容", "处理结果", "提醒"):
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "B2"
    path = save_workbook(wb, path)
    with ctx.db.atomic():
        audit.record(ctx, "service.export", "service_request", month, None, {"rows": len(rows), "file": str(path)})
    return len(rows)


