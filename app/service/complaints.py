"""Complaints (投诉): grades detected from repeats, validity, contact, reply and report deadlines.

domain.md §9 (003, 006-4.2, 4.4, 4.5):
- grades: 重大 (lawsuit, media, the same complaint 3+ times from the same home),
  热点 (the same complaint from 3+ homes in one calendar month, or a group of 3+ people), 一般.
  "The same complaint" = the same complaint class (安全 … 其它) and the same subject (主题, a
  short topic such as 电梯故障, compared after removing spaces). Repeats from one home count
  within ``request.major_repeat_days`` (365). Grades are raised automatically, never lowered:
  when a repeat makes a topic 热点 or 重大, the earlier complaints of the set are raised too.
- contact within 30 minutes; reply the same day (phone or visit) or within 2 working days
  (letter); unresolved after 5 working days → report (上报).
- valid or invalid (经理定性); an invalid complaint still needs its explanation.
- a written reply (复函, models/service_reply.ComplaintReply): drafted, printed
  (app/printing/complaint_reply.py), then its sending recorded; the sending is the reply the
  deadline counts when no reply was recorded before.
"""
from __future__ import annotations

import datetime as dt

from app.core import audit
from app.core.errors import StateError, ValidationError
from app.core.permissions import require
from app.core.validation import check_choice, check_phone, check_required
from app.service.deadlines import END_OF_DAY, add_workdays
from app.service.records import get, month_range, record_event, snapshot
from models.service import GRADES, OPEN_STATUSES, ServiceRequest


def norm_subject(subject: str) -> str:
    return "".join(str(subject or "").split())


# --------------------------------------------------------------------------- deadlines
def is_written(r) -> bool:
    return r.channel == "信函"


def contact_due(ctx, r) -> dt.datetime:
    return r.received_at + dt.timedelta(minutes=ctx.settings.get("request.complaint_contact_minutes"))


def reply_due(ctx, r) -> dt.datetime:
    """Spoken (phone, visit): the end of the day received; written: end of the 2nd working day after."""
    day = r.received_at.date()
    if is_written(r):
        day = add_workdays(ctx, day, ctx.settings.get("request.written_reply_workdays"))
    return dt.datetime.combine(day, END_OF_DAY)


def report_due(ctx, r) -> dt.datetime:
    """Unresolved after this moment (the end of the 5th working day after receipt) → report."""
    day = add_workdays(ctx, r.received_at.date(), ctx.settings.get("request.report_after_workdays"))
    return dt.datetime.combine(day, END_OF_DAY)


def needs_report(ctx, r, when: dt.datetime | None = None) -> bool:
    when = when or ctx.clock.now()
    return (r.kind == "投诉" and r.status in OPEN_STATUSES and r.reported_at is None
            and when > report_due(ctx, r))


def contacted_on_time(ctx, r) -> bool | None:
    return None if r.contacted_at is None else r.contacted_at <= contact_due(ctx, r)


def replied_on_time(ctx, r) -> bool | None:
    return None if r.replied_at is None else r.replied_at <= reply_due(ctx, r)


def response_on_time(ctx, r, when: dt.datetime) -> bool | None:
    """Complaint response for the KPI: contact within 30 min and reply by its deadline.
    None while nothing is due yet (not counted)."""
    if r.contacted_at is None and when <= contact_due(ctx, r):
        return None
    if not contacted_on_time(ctx, r):
        return False
    if r.replied_at is None:
        return when <= reply_due(ctx, r)
    return replied_on_time(ctx, r)


def warnings(ctx, r, when: dt.datetime) -> list[str]:
    out = []
    if r.contacted_at is None and when > contact_due(ctx, r):
        out.append("联系超时")
    if r.replied_at is None and when > reply_due(ctx, r):
        out.append("回复超时")
    if needs_report(ctx, r, when):
        out.append("须上报")
    if r.grade in ("重大", "热点"):
        out.append(f"{r.grade}投诉")
    return out


def to_report(ctx, when: dt.datetime | None = None) -> list[ServiceRequest]:
    """Open complaints unresolved after 5 working days and not yet reported."""
    when = when or ctx.clock.now()
    q = ServiceRequest.select().where((ServiceRequest.kind == "投诉") & ServiceRequest.status.in_(OPEN_STATUSES)
                                      & ServiceRequest.reported_at.is_null())
    return [r for r in q.order_by(ServiceRequest.received_at) if needs_report(ctx, r, when)]


# --------------------------------------------------------------------------- grades
def _same(r):
    return ServiceRequest.select().where((ServiceRequest.kind == "投诉")
                                         & (ServiceRequest.complaint_class == r.complaint_class)
                                         & (ServiceRequest.subject == norm_subject(r.subject)))


def detect_grade(ctx, r) -> tuple[str, str]:
    """(grade, reason) of complaint *r* from its flags and the repeats stored so far."""
    s = ctx.settings
    if r.lawsuit:
        return "重大", "涉及诉讼"
    if r.media:
        return "重大", "媒体曝光"
    since = r.received_at - dt.timedelta(days=s.get("request.major_repeat_days"))
    same_home = _same(r).where((ServiceRequest.home == r.home_id) & (ServiceRequest.received_at >= since)).count()
    if same_home >= s.get("request.major_repeats"):
        return "重大", f"同一房屋同类投诉{same_home}次"
    start, end = month_range(f"{r.received_at:%Y-%m}")
    homes = (_same(r).where((ServiceRequest.received_at >= start) & (ServiceRequest.received_at < end))
             .select(ServiceRequest.home).distinct().count())
    if homes >= s.get("request.hot_homes"):
        return "热点", f"本月{homes}户同类投诉"
    if r.group_size >= s.get("request.group_size"):
        return "热点", f"群体投诉{r.group_size}人"
    return "一般", ""


def regrade(ctx, r) -> list[ServiceRequest]:
    """Raise the grades of *r* and of the complaints of the same topic (call inside the write's
    transaction). Returns the complaints whose grade changed."""
    changed = []
    for c in _same(r).order_by(ServiceRequest.received_at):
        grade, reason = detect_grade(ctx, c)
        if GRADES.index(grade) > GRADES.index(c.grade or "一般"):
            old = c.grade
            c.grade, c.grade_reason = grade, reason
            c.save()
            record_event(ctx, c, "定级", f"自动定为{grade}投诉：{reason}")
            if c.id != r.id:
                audit.record(ctx, "service.regrade", "service_request", c.id, {"grade": old},
                             {"grade": grade, "reason": reason})
            changed.append(c)
    return changed


def regrade_after_correction(ctx, r) -> list[ServiceRequest]:
    """After a correction of the complaint's class, subject, room or flags (call inside the write's
    transaction): its own grade is worked out again from the corrected facts (a wrong topic must
    not keep a grade it caused), then the complaints of its (new) topic are raised as usual."""
    grade, reason = detect_grade(ctx, r)
    if (grade, reason) != (r.grade, r.grade_reason):
        r.grade, r.grade_reason = grade, reason
        r.save(only=[ServiceRequest.grade, ServiceRequest.grade_reason])
        record_event(ctx, r, "定级", f"更正后重新定为{grade}投诉" + (f"：{reason}" if reason else ""))
    return regrade(ctx, r)


# --------------------------------------------------------------------------- actions
def _complaint(request_id):
    r = get(request_id)
    if r.kind != "投诉":
        raise StateError(f"{r.number} 不是投诉")
    return r


def record_contact(ctx, request_id: int, note: str = "") -> ServiceRequest:
    """The complainant was contacted (due within 30 minutes of intake)."""
    require(ctx, "service.handle")
    with ctx.db.atomic():
        r = _complaint(request_id)
        if r.contacted_at is not None:
            raise StateError(f"{r.number} 已于 {r.contacted_at:%m-%d %H:%M} 联系过投诉人")
        before = snapshot(r)
        r.contacted_at = ctx.clock.now()
        if r.status == "待派工":
            r.status = "处理中"
        r.save()
        late = "" if contacted_on_time(ctx, r) else "（超过联系时限）"
        record_event(ctx, r, "联系", (note or "已联系投诉人").strip() + late)
        audit.record(ctx, "service.contact", "service_request", r.id, before, {"contacted_at": r.contacted_at})
    return r


def record_reply(ctx, request_id: int, reply: str) -> ServiceRequest:
    """The reply to the complainant (spoken: same day; written: within 2 working days)."""
    require(ctx, "service.handle")
    reply = check_required(reply, "答复内容")
    with ctx.db.atomic():
        r = _complaint(request_id)
        if r.replied_at is not None:
            raise StateError(f"{r.number} 已答复")
        before = {"replied_at": None}
        r.replied_at, r.reply = ctx.clock.now(), reply
        if r.contacted_at is None:
            r.contacted_at = r.replied_at
        if r.status == "待派工":
            r.status = "处理中"
        r.save()
        late = "" if replied_on_time(ctx, r) else "（超过答复时限）"
        record_event(ctx, r, "回复", f"{'书面' if is_written(r) else '口头'}答复：{reply}{late}")
        audit.record(ctx, "service.reply", "service_request", r.id, before, {"replied_at": r.replied_at})
    return r


def classify(ctx, request_id: int, valid: bool, note: str = "") -> ServiceRequest:
    """经理定性: valid or invalid. An invalid complaint needs the explanation given to the owner."""
    require(ctx, "service.classify")
    note = (note or "").strip()
    if not valid and not note:
        raise ValidationError("解释说明", "无效投诉也须向业主解释，请填写解释说明")
    with ctx.db.atomic():
        r = _complaint(request_id)
        before = {"valid": r.valid, "validity_note": r.validity_note}
        r.valid, r.validity_note, r.classified_at = bool(valid), note, ctx.clock.now()
        r.save()
        record_event(ctx, r, "定性", ("有效投诉" if valid else "无效投诉") + (f"：{note}" if note else ""))
        audit.record(ctx, "service.classify", "service_request", r.id, before,
                     {"valid": r.valid, "validity_note": note})
    return r


def report(ctx, request_id: int, note: str) -> ServiceRequest:
    """上报 an unresolved complaint (due after 5 working days) to the company."""
    require(ctx, "service.handle")
    note = check_required(note, "上报说明")
    with ctx.db.atomic():
        r = _complaint(request_id)
        if r.reported_at is not None:
            raise StateError(f"{r.number} 已于 {r.reported_at:%m-%d} 上报")
        if r.status not in OPEN_STATUSES:
            raise StateError(f"{r.number} 已处理完成，无需上报")
        r.reported_at, r.report_note = ctx.clock.now(), note
        r.save()
        record_event(ctx, r, "上报", note)
        audit.record(ctx, "service.report", "service_request", r.id, None, {"reported_at": r.reported_at})
    return r


# --------------------------------------------------------------------------- written reply (复函)
def reply_letter(request_id: int):
    """The complaint's reply letter (models.service_reply.ComplaintReply) or None."""
    from models.service_reply import ComplaintReply
    return ComplaintReply.get_or_none(ComplaintReply.request == request_id)


def _letter_state(letter) -> dict:
    return {k: letter.__data__.get(k) for k in ("number", "investigation", "outcome", "measures", "contact_name",
                                                 "contact_phone", "sent_on", "send_method")}


def save_reply_letter(ctx, request_id: int, *, investigation: str, outcome: str, measures: str = "",
                      contact_name: str = "", contact_phone: str = ""):
    """Draft (or correct the draft of) the written reply: the investigation, the outcome, the
    apology and measures, the office's contact (default: the current user and site.service_phone).
    Gets its number (FH2026-000001) on first save; refused once the letter was sent."""
    from app.core.sequences import format_number, next_number
    from models.service_reply import ComplaintReply
    require(ctx, "service.handle")
    investigation = check_required(investigation, "调查情况")
    outcome = check_required(outcome, "处理结果")
    contact_name = (contact_name or "").strip() or getattr(ctx.user, "display_name", "")
    contact_phone = (contact_phone or "").strip() or str(ctx.settings.get("site.service_phone") or "")
    if contact_phone:
        contact_phone = check_phone(contact_phone, "联系电话")
    with ctx.db.atomic():
        r = _complaint(request_id)
        letter = reply_letter(r.id)
        if letter is not None and letter.sent_on is not None:
            raise StateError(f"复函 {letter.number} 已于 {letter.sent_on:%Y-%m-%d} 寄出，不能再修改")
        if letter is None and r.status not in OPEN_STATUSES:
            raise StateError(f"{r.number} 已办结，不能再起草复函")
        now = ctx.clock.now()
        before = None
        if letter is None:
            letter = ComplaintReply(request=r.id, number=format_number("FH", now.year,
                                                                       next_number("complaint_reply", now.year)))
        else:
            before = _letter_state(letter)
        letter.investigation, letter.outcome, letter.measures = investigation, outcome, (measures or "").strip()
        letter.contact_name, letter.contact_phone = contact_name, contact_phone
        letter.drafted_at, letter.drafted_by = now, getattr(ctx.user, "id", None)
        letter.save()
        if before is None:
            record_event(ctx, r, "复函", f"起草书面复函 {letter.number}")
        audit.record(ctx, "service.reply_letter", "service_request", r.id, before, _letter_state(letter))
    return letter


def _first_drafted(r, letter) -> dt.datetime:
    """When the letter was first drafted: its 复函 event (later saves only correct the draft)."""
    from models.service import ServiceEvent
    first = (ServiceEvent.select(ServiceEvent.ts).where((ServiceEvent.request == r.id) & (ServiceEvent.kind == "复函"))
             .order_by(ServiceEvent.ts).first())
    return min(first.ts, letter.drafted_at) if first else letter.drafted_at


def send_reply_letter(ctx, request_id: int, *, sent_on: dt.date | None = None, method: str = "邮寄"):
    """Record that the reply letter went out (date, how; the current user as sender). When no reply
    was recorded before, the sending is the complaint's reply (replied_at: now, or the end of an
    earlier *sent_on* day entered afterwards), so the 2-working-day deadline counts it. The date
    may not be before the letter was first drafted (nor before receipt, nor after today)."""
    from models.service_reply import SEND_METHODS
    require(ctx, "service.handle")
    method = check_choice(method, SEND_METHODS, "寄送方式")
    today = ctx.clock.today()
    sent_on = sent_on or today
    if isinstance(sent_on, dt.datetime):
        sent_on = sent_on.date()
    if sent_on > today:
        raise ValidationError("寄出日期", "不能晚于今天：复函寄出后再登记")
    with ctx.db.atomic():
        r = _complaint(request_id)
        letter = reply_letter(r.id)
        if letter is None:
            raise StateError(f"{r.number} 尚未起草复函：请先填写并保存复函")
        if letter.sent_on is not None:
            raise StateError(f"复函 {letter.number} 已于 {letter.sent_on:%Y-%m-%d} 由"
                             f"{letter.sent_by.display_name if letter.sent_by else ''}登记寄出")
        if sent_on < r.received_at.date():
            raise ValidationError("寄出日期", f"不能早于投诉受理日期 {r.received_at:%Y-%m-%d}")
        drafted_on = _first_drafted(r, letter).date()
        if sent_on < drafted_on:               # a back-dated sending would count as an on-time reply
            raise ValidationError("寄出日期", f"不能早于复函 {letter.number} 的起草日期 {drafted_on:%Y-%m-%d}")
        before = {**snapshot(r), "replied_at": r.replied_at}
        now = ctx.clock.now()
        letter.sent_on, letter.sent_at, letter.sent_by, letter.send_method = sent_on, now, ctx.user.id, method
        letter.save()
        when = now if sent_on == today else dt.datetime.combine(sent_on, END_OF_DAY)
        if r.replied_at is None:
            r.replied_at = when
            r.reply = f"书面复函 {letter.number}：{letter.outcome}"
            if r.contacted_at is None:
                r.contacted_at = when
            if r.status == "待派工":
                r.status = "处理中"
            r.save(only=[ServiceRequest.replied_at, ServiceRequest.reply, ServiceRequest.contacted_at,
                         ServiceRequest.status])
            late = "" if replied_on_time(ctx, r) else "（超过答复时限）"
        else:
            late = ""
        record_event(ctx, r, "回复", f"书面复函 {letter.number} 已{method}（{sent_on:%Y-%m-%d}，"
                              f"{ctx.user.display_name}登记）{late}")
        audit.record(ctx, "service.reply_letter_sent", "service_request", r.id, before,
                     {**snapshot(r), "replied_at": r.replied_at, "letter": letter.number,
                      "sent_on": sent_on, "method": method})
    return letter
