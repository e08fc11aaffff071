"""After the hand-over: defects (工程质量维修单) followed to closure, moving-day bookings passed
to the gate, the visits planned at hand-over (入住祝贺, 入住三日回访) and the start-up reminders."""
from __future__ import annotations

from app.core import validation as v
from app.core.audit import model_dict, record
from app.core.errors import StateError, ValidationError
from app.core.lookup import get_or_404
from app.core.permissions import require
from app.movein.steps import find_home
from models.archive import Visit
from models.movein import Defect, MovingBooking
from models.property import Home


def _defect(defect_id) -> Defect:
    return get_or_404(Defect, defect_id, message=f"找不到维修单 {defect_id}")


def send_defect(ctx, defect_id: int, builder: str) -> Defect:
    """Pass the 工程质量维修单 to the builder."""
    require(ctx, "movein.step")
    d = _defect(defect_id)
    builder = v.check_required(builder, "施工单位")
    if d.status != "待维修":
        raise StateError(f"维修单 {d.order_number} 状态为“{d.status}”，不能再派单")
    with ctx.db.atomic():
        d.status, d.builder, d.sent_at = "已派单", builder, ctx.clock.now()
        d.save()
        record(ctx, "defect.send", "defect", d.id, {"status": "待维修"}, {"status": d.status, "builder": builder})
    return d


def defect_fixed(ctx, defect_id: int, notes: str = "") -> Defect:
    require(ctx, "movein.step")
    d = _defect(defect_id)
    if d.status != "已派单":
        raise StateError(f"维修单 {d.order_number} 尚未派单，不能登记修复")
    with ctx.db.atomic():
        d.status, d.fixed_at = "已修复", ctx.clock.now()
        d.notes = (d.notes + "\n" + notes).strip()
        d.save()
        record(ctx, "defect.fixed", "defect", d.id, {"status": "已派单"}, {"status": d.status})
    return d


def close_defect(ctx, defect_id: int, owner_confirmed: bool) -> Defect:
    require(ctx, "movein.step")
    d = _defect(defect_id)
    if d.status != "已修复":
        raise StateError(f"维修单 {d.order_number} 尚未修复，不能关闭")
    if not owner_confirmed:
        raise ValidationError("业主确认", "须业主确认修复合格后方可关闭")
    with ctx.db.atomic():
        d.status, d.closed_at, d.owner_confirmed = "已关闭", ctx.clock.now(), True
        d.closed_by = getattr(ctx.user, "id", None)
        d.save()
        record(ctx, "defect.close", "defect", d.id, {"status": "已修复"}, {"status": d.status})
    return d


def open_defects():
    return list(Defect.select(Defect, Home).join(Home).where(Defect.status != "已关闭").order_by(Defect.recorded_at))


def book_moving(ctx, room_or_id, move_date, time_slot: str, contact: str, phone: str,
                mover: str = "", vehicle: str = "") -> MovingBooking:
    require(ctx, "movein.step")
    home = find_home(room_or_id)
    d = v.parse_date(move_date, "搬家日期")
    if d < ctx.clock.today():
        raise ValidationError("搬家日期", "不能早于今天")
    contact = v.check_required(contact, "联系人")
    phone = v.check_phone(phone, "联系电话", required=True)
    with ctx.db.atomic():
        b = MovingBooking.create(home=home, move_date=d, time_slot=time_slot, contact=contact, phone=phone,
                                 mover=mover, vehicle=vehicle,
                                 created_by=getattr(ctx.user, "id", None), created_at=ctx.clock.now())
        record(ctx, "movein.booking", "moving_booking", b.id, None, model_dict(b))
    return b


def pass_booking_to_gate(ctx, booking_id: int) -> MovingBooking:
    require(ctx, "movein.step")
    b = get_or_404(MovingBooking, booking_id, message="找不到搬家预约")
    with ctx.db.atomic():
        b.passed_to_gate = True
        b.save()
        record(ctx, "movein.booking.gate", "moving_booking", b.id, None, {"passed_to_gate": True})
    return b


def bookings(from_date=None):
    q = MovingBooking.select(MovingBooking, Home).join(Home)
    if from_date:
        q = q.where(MovingBooking.move_date >= from_date)
    return list(q.order_by(MovingBooking.move_date, MovingBooking.time_slot))


def visits_due(ctx, until=None) -> list[Visit]:
    """Planned visits after hand-over not yet made (入住祝贺, 入住三日回访), due by *until*."""
    until = until or ctx.clock.today()
    return list(Visit.select(Visit, Home).join(Home)
                .where(Visit.kind.in_(["入住祝贺", "入住三日回访"]) & Visit.visit_date.is_null()
                       & (Visit.planned_date <= until))
                .order_by(Visit.planned_date))


def record_visit(ctx, visit_id: int, residents_info: str = "", opinions: str = "", questions: str = "",
                 safety_advice_given: bool = True, intercom_explained: bool = True, notes: str = "") -> Visit:
    """Record a planned visit as made, with the fixed script of the 3-day visit."""
    require(ctx, "archive.visit")
    visit = get_or_404(Visit, visit_id, message="找不到回访计划")
    if visit.visit_date is not None:
        raise StateError("该回访已登记")
    if visit.kind == "入住三日回访" and not (safety_advice_given and intercom_explained):
        raise ValidationError("回访内容", "三日回访须讲解安全注意事项及对讲等弱电设备使用方法")
    with ctx.db.atomic():
        visit.visit_date = ctx.clock.today()
        visit.staff = getattr(ctx.user, "id", None)
        visit.residents_info, visit.opinions, visit.questions = residents_info, opinions, questions
        visit.safety_advice_given, visit.intercom_explained = safety_advice_given, intercom_explained
        visit.notes = notes
        visit.save()
        record(ctx, "visit.record", "visit", visit.id, None, model_dict(visit))
    return visit


def startup_reminders(ctx) -> list[str]:
    """Visits after hand-over due today or earlier, and repair orders still open."""
    lines = []
    for visit in visits_due(ctx):
        late = (ctx.clock.today() - visit.planned_date).days
        lines.append(f"入住回访待办：{visit.home.room_code} {visit.kind}，计划 {visit.planned_date}"
                     + (f"，已逾期{late}天" if late > 0 else ""))
    n = Defect.select().where(Defect.status != "已关闭").count()
    if n:
        lines.append(f"工程质量维修单未关闭：{n} 张")
    return lines
