"""The service area's printed forms: the data each form shows, built from the records (the right
to see them checked, phones as each form may show them, times as text), and the ``…_pdf(ctx, …)``
functions the service tab and the command line print with. The renderers (app.printing.service_forms,
app.printing.complaint_reply) only lay that frozen data out."""
from __future__ import annotations

from app.core.audit import record
from app.core.dates import cn_date, fmt_date, fmt_datetime
from app.core.errors import StateError
from app.core.money import fmt_fen
from app.core.permissions import allowed, require
from app.core.privacy import mask_phone
from app.printing.complaint_reply import ComplaintReplyData, render_complaint_reply
from app.printing.service_forms import ServiceReportData, WorkOrderData, render_service_report, render_work_order
from app.service import complaints
from app.service.deadlines import arrival_due, dispatch_due, holder_name, level_at
from app.service.handling import PAID_SERVICES
from app.service.kpi import month_report
from app.service.records import get, history, status_label
from models.service import OPEN_STATUSES

CHART_SHORT_NAMES = {"valid_complaint_rate": "有效投诉率", "complaint_ontime": "投诉及时",
                     "complaint_visit": "投诉回访", "complaint_satisfaction": "投诉满意",
                     "request_ontime": "报事及时", "request_visit": "报事回访", "request_satisfaction": "报事满意"}


# --------------------------------------------------------------------------- work order
def _complaint_lines(ctx, r) -> tuple[str, tuple]:
    """A complaint's grade line and its (contact due, contacted, reply due, replied, report due)."""
    if r.kind != "投诉":
        return "", ()
    reason = f"（{r.grade_reason}）" if r.grade_reason else ""
    grade = f"{r.complaint_class}类 · 主题：{r.subject} · {r.grade}{reason}"
    times = (fmt_datetime(complaints.contact_due(ctx, r)), fmt_datetime(r.contacted_at),
             fmt_datetime(complaints.reply_due(ctx, r)), fmt_datetime(r.replied_at),
             fmt_datetime(complaints.report_due(ctx, r)))
    return grade, times


def work_order_phone(ctx, r) -> str:
    """The caller's phone as the 派工单 shows it. The technician it is handed to must call the
    caller, so roles that dispatch the work (service.handle) print it in full, and each such print
    is recorded in the audit log (pii.print_full); other roles print it masked."""
    if not r.phone or not allowed(getattr(ctx.user, "role", None), "service.handle"):
        return mask_phone(r.phone)
    with ctx.db.atomic():
        record(ctx, "pii.print_full", "service_request", r.id, None, {"form": "派工单", "number": r.number})
    return r.phone


def build_work_order(ctx, request_id: int) -> WorkOrderData:
    require(ctx, "service.view")
    r = get(request_id)
    due = arrival_due(ctx, r)
    lvl = level_at(ctx, r)
    complaint, complaint_times = _complaint_lines(ctx, r)
    events = tuple((f"{e.ts:%m-%d %H:%M}", e.kind, e.note) for e in history(r.id))
    return WorkOrderData(
        number=r.number, kind=r.kind, channel=r.channel, room_code=r.home.room_code, caller=r.caller,
        phone=work_order_phone(ctx, r), content=r.content, received_at=fmt_datetime(r.received_at),
        receiver=r.receiver.display_name, dispatch_due=fmt_datetime(dispatch_due(ctx, r)), handler=r.handler,
        dispatched_at=fmt_datetime(r.dispatched_at),
        arrival_due=fmt_datetime(due) if due else f"派工后{ctx.settings.get('request.arrival_minutes')}分钟内",
        arrived_at=fmt_datetime(r.arrived_at), completed_at=fmt_datetime(r.completed_at), result=r.result,
        paid_service=PAID_SERVICES.get(r.service_item, "其他" if r.service_item else "无"),
        charge=(fmt_fen(r.charge_fen) + " 元") if r.charge_fen else "",
        level=holder_name(ctx, r, lvl) if r.status in OPEN_STATUSES else status_label(r.kind, r.status),
        complaint=complaint, events=events, complaint_times=complaint_times)


def work_order_pdf(ctx, request_id: int) -> bytes:
    return render_work_order(ctx.settings, build_work_order(ctx, request_id))


# --------------------------------------------------------------------------- monthly report
def build_service_report(ctx, month: str) -> ServiceReportData:
    rep = month_report(ctx, month)
    kpis = tuple((k.name, k.num, k.den, k.pct_text, k.target_text, k.met_text) for k in rep.kpis)
    chart = tuple((CHART_SHORT_NAMES[k.code], int(k.pct * 10) if k.pct is not None else 0, int(k.target * 10), k.met)
                  for k in rep.kpis if k.code != "valid_complaint_rate")
    return ServiceReportData(
        month=month, site=ctx.settings.get("site.name"), kpis=kpis, chart=chart,
        by_kind=tuple(rep.by_kind.items()), by_class=tuple(rep.by_class.items()), by_grade=tuple(rep.by_grade.items()),
        total=rep.total, finished=rep.finished, charges=fmt_fen(rep.charges_fen), homes=rep.homes,
        open_rows=tuple((n, room, kind, fmt_datetime(recv), level, status)
                        for n, room, kind, recv, level, status in rep.open_rows),
        printed_at=fmt_datetime(ctx.clock.now()))


def service_report_pdf(ctx, month: str) -> bytes:
    return render_service_report(ctx.settings, build_service_report(ctx, month))


# --------------------------------------------------------------------------- complaint reply letter
def build_complaint_reply(ctx, request_id: int) -> ComplaintReplyData:
    require(ctx, "service.view")
    r = get(request_id)
    if r.kind != "投诉":
        raise StateError(f"{r.number} 不是投诉，没有复函")
    letter = complaints.reply_letter(r.id)
    if letter is None:
        raise StateError(f"{r.number} 尚未起草复函：请先填写并保存复函")
    site = str(ctx.settings.get("site.name") or "")
    letter_day = letter.sent_on or ctx.clock.today()
    return ComplaintReplyData(
        number=letter.number, request_number=r.number, site=site, office=f"{site}客户服务中心",
        company=str(ctx.settings.get("company.name") or ""), complainant=r.caller,
        room_code=r.home.room_code, phone_masked=mask_phone(r.phone), channel=r.channel,
        received_on=cn_date(r.received_at.date()), complaint_class=r.complaint_class, subject=r.subject,
        content=r.content, investigation=letter.investigation, outcome=letter.outcome, measures=letter.measures,
        contact_name=letter.contact_name, contact_phone=letter.contact_phone, letter_date=cn_date(letter_day),
        sent=f"{fmt_date(letter.sent_on)} {letter.send_method}" if letter.sent_on else "")


def complaint_reply_pdf(ctx, request_id: int) -> bytes:
    return render_complaint_reply(ctx.settings, build_complaint_reply(ctx, request_id))
