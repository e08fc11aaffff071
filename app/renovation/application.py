"""Stages 1, 2, 4 and 5 (装修申请 → 审批 → 闭水/打压试验、防火责任书 → 装修许可证): the
application with its drawings, the decision (which posts the fees), the tests signed by the
owner, the fire-safety undertaking and the permit, no earlier than renovation.permit_wait_days
after the tests."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from app.archives.checklist import mark_document
from app.archives.homes import home_by_id
from app.core import audit
from app.core.attachments import attach, attachments_for
from app.core.errors import StateError, ValidationError
from app.core.permissions import require
from app.core.sequences import format_number, next_number
from app.core.validation import check_phone, fmt_area, parse_date
from app.renovation.common import (
    ACTIVE_STATES,
    CLOSED_STATES,
    clean_text,
    renovation_or_404,
    snapshot,
    user_id,
)
from app.renovation.fees import deposit_for, fees_paid, post_fee, rubbish_fee_for
from models.property import Home
from models.renovation import Renovation


def apply(ctx, home_id, data: dict, drawings=()) -> Renovation:
    """装修申请: plan, contractor (name, responsible person, phone), drawings attached."""
    require(ctx, "renovation.edit")
    home = home_by_id(home_id, "房屋不存在")
    if home.state == "未交付":
        raise StateError(f"{home.room_code} 尚未交付，不能申请装修")
    active = (Renovation.select().where((Renovation.home == home.id) & Renovation.state.in_(ACTIVE_STATES)).first())
    if active is not None:
        raise StateError(f"{home.room_code} 已有未结案的装修登记 {active.number}（{active.state}）")
    fields = {
        "applicant": clean_text(data.get("applicant"), "申请人", max_len=40),
        "applicant_phone": check_phone(data.get("applicant_phone"), "申请人电话"),
        "plan": clean_text(data.get("plan"), "装修方案", max_len=2000),
        "contractor_name": clean_text(data.get("contractor_name"), "施工单位", max_len=100),
        "contractor_person": clean_text(data.get("contractor_person"), "施工负责人", max_len=40),
        "contractor_phone": check_phone(data.get("contractor_phone"), "负责人电话", required=True),
        "planned_start": parse_date(data.get("planned_start"), "计划开工日期", required=False),
        "planned_end": parse_date(data.get("planned_end"), "计划完工日期", required=False),
    }
    if fields["planned_start"] and fields["planned_end"] and fields["planned_end"] < fields["planned_start"]:
        raise ValidationError("计划完工日期", "不能早于计划开工日期")
    today = ctx.clock.today()
    with ctx.db.atomic():
        n = next_number("renovation", today.year)
        r = Renovation.create(home=home.id, number=format_number("ZX", today.year, n), state="待审批",
                              applied_on=today, applied_by=user_id(ctx), **fields)
        for path in drawings or ():
            attach(ctx, "renovation", r.id, path, notes="装修图纸")
        mark_document(ctx, home.id, "reno_application")
        audit.record(ctx, "renovation.apply", "renovation", r.id, None, snapshot(r))
    return r


def attach_drawing(ctx, reno_id, path):
    require(ctx, "renovation.edit")
    r = renovation_or_404(reno_id)
    if r.state in CLOSED_STATES:
        raise StateError(f"装修登记 {r.number} 已{r.state}，不能再添加图纸")
    with ctx.db.atomic():
        att = attach(ctx, "renovation", r.id, path, notes="装修图纸")
        audit.record(ctx, "renovation.attach", "renovation", r.id, None,
                     {"attachment": att.id, "name": att.original_name})
    return att


def drawings_of(reno_id):
    return attachments_for("renovation", reno_id)


def drawing_files(ctx, reno_id) -> list[tuple[str, str]]:
    """(original name, stored file path) of the drawings attached to a renovation."""
    require(ctx, "renovation.view")
    from app.core.attachments import path_of
    return [(a.original_name, str(path_of(ctx, a))) for a in drawings_of(reno_id)]


def approve(ctx, reno_id, note: str = "") -> Renovation:
    """Approve (permission renovation.approve): posts the deposit (by house type) and the rubbish
    removal fee (by area) to the ledger, in the same transaction."""
    require(ctx, "renovation.approve")
    r = renovation_or_404(reno_id)
    if r.state != "待审批":
        raise StateError(f"装修登记 {r.number} 当前为“{r.state}”，不能审批")
    if not drawings_of(r.id):
        raise ValidationError("装修图纸", "审批前须附装修图纸")
    home = r.home
    deposit = deposit_for(ctx, home.house_type)
    rubbish = rubbish_fee_for(ctx, home.area_x100)
    before = snapshot(r)
    today = ctx.clock.today()
    with ctx.db.atomic():
        r.state = "已批准"
        r.decided_on, r.decided_by, r.decision_note = today, user_id(ctx), clean_text(note, "审批意见", False)
        r.deposit_fen, r.rubbish_fen = deposit, rubbish
        r.deposit_charge_id = post_fee(ctx, home.id, "renovation_deposit", deposit, r.id,
                                    f"装修质量保证金（{home.house_type}）{r.number}")
        area = Decimal(home.area_x100) / Decimal(100)
        r.rubbish_charge_id = post_fee(ctx, home.id, "rubbish_removal", rubbish, r.id,
                                    f"装修垃圾清运费 {fmt_area(home.area_x100)}㎡ {r.number}", quantity=area,
                                    unit_price=int(ctx.settings.get("renovation.rubbish_rate")))
        r.fees_charged_on, r.fees_charged_by = today, user_id(ctx)
        r.save()
        audit.record(ctx, "renovation.approve", "renovation", r.id, before, snapshot(r))
    return r


def reject(ctx, reno_id, reasons: str) -> Renovation:
    require(ctx, "renovation.approve")
    r = renovation_or_404(reno_id)
    if r.state != "待审批":
        raise StateError(f"装修登记 {r.number} 当前为“{r.state}”，不能驳回")
    reasons = clean_text(reasons, "驳回理由", max_len=1000)
    before = snapshot(r)
    with ctx.db.atomic():
        r.state = "已驳回"
        r.decided_on, r.decided_by, r.decision_note = ctx.clock.today(), user_id(ctx), reasons
        r.save()
        audit.record(ctx, "renovation.reject", "renovation", r.id, before, snapshot(r))
    return r


def record_tests(ctx, reno_id, pressure_ok: bool, water_ok: bool, signed_by: str, on=None, note: str = ""):
    """打压试验 and 闭水试验 results, signed by the owner. A failed test may be recorded again."""
    require(ctx, "renovation.edit")
    r = renovation_or_404(reno_id)
    if r.state != "已批准":
        raise StateError(f"装修登记 {r.number} 当前为“{r.state}”，不能登记闭水/打压试验")
    signed_by = clean_text(signed_by, "业主签字", max_len=40)
    day = parse_date(on, "试验日期", required=False) or ctx.clock.today()
    if day > ctx.clock.today():
        raise ValidationError("试验日期", "不能晚于今天")
    if day < r.decided_on:
        raise ValidationError("试验日期", f"不能早于审批日期 {r.decided_on}")
    before = snapshot(r)
    with ctx.db.atomic():
        r.pressure_ok, r.water_ok = bool(pressure_ok), bool(water_ok)
        r.tests_on, r.tests_by, r.tests_signed_by = day, user_id(ctx), signed_by
        r.tests_note = clean_text(note, "试验说明", False)
        r.save()
        mark_document(ctx, r.home_id, "water_pressure_test")
        audit.record(ctx, "renovation.tests", "renovation", r.id, before, snapshot(r))
    return r


def tests_passed(r) -> bool:
    return bool(r.pressure_ok) and bool(r.water_ok) and r.tests_on is not None


def sign_fire_undertaking(ctx, reno_id, signed_by: str, on=None):
    require(ctx, "renovation.edit")
    r = renovation_or_404(reno_id)
    if r.state not in ("已批准", "施工中"):
        raise StateError(f"装修登记 {r.number} 当前为“{r.state}”，不能签署防火责任书")
    signed_by = clean_text(signed_by, "签署人", max_len=40)
    day = parse_date(on, "签署日期", required=False) or ctx.clock.today()
    before = snapshot(r)
    with ctx.db.atomic():
        r.fire_signed_on, r.fire_signed_by, r.fire_recorded_by = day, signed_by, user_id(ctx)
        r.save()
        mark_document(ctx, r.home_id, "fire_undertaking")
        audit.record(ctx, "renovation.fire", "renovation", r.id, before, snapshot(r))
    return r


def permit_earliest(ctx, r) -> dt.date | None:
    if not r.tests_on:
        return None
    return r.tests_on + dt.timedelta(days=int(ctx.settings.get("renovation.permit_wait_days")))


def permit_blockers(ctx, r) -> list[str]:
    """Why the permit cannot be issued today (empty when it can)."""
    out = []
    if r.state != "已批准":
        return [f"当前为“{r.state}”"]
    if not fees_paid(r):
        out.append("装修保证金或垃圾清运费尚未缴清")
    if not tests_passed(r):
        out.append("闭水/打压试验未通过或未登记")
    else:
        earliest = permit_earliest(ctx, r)
        if ctx.clock.today() < earliest:
            out.append(f"试验后须满{ctx.settings.get('renovation.permit_wait_days')}天，"
                       f"最早可于 {earliest.isoformat()} 领取")
    if not r.fire_signed_on:
        out.append("尚未签署防火责任书")
    return out


def issue_permit(ctx, reno_id) -> Renovation:
    """装修许可证: no earlier than permit_wait_days after the tests; the home goes to 装修中."""
    require(ctx, "renovation.edit")
    r = renovation_or_404(reno_id)
    problems = permit_blockers(ctx, r)
    if problems:
        raise StateError(f"装修许可证暂不能发放：{'；'.join(problems)}")
    today = ctx.clock.today()
    before = snapshot(r)
    with ctx.db.atomic():
        home = Home.get_by_id(r.home_id)
        r.home_state_before = home.state
        r.permit_number = format_number("ZXXK", today.year, next_number("renovation_permit", today.year), 4)
        r.permit_on, r.permit_by = today, user_id(ctx)
        r.state = "施工中"
        r.save()
        Home.update(state="装修中").where(Home.id == home.id).execute()
        audit.record(ctx, "renovation.permit", "renovation", r.id, before, snapshot(r))
        audit.record(ctx, "home.state", "home", home.id, {"state": home.state}, {"state": "装修中"})
    return r


def homes_for_application(ctx, text: str = "", limit: int = 50) -> list[Home]:
    """Homes handed over without an open renovation, matching the room code typed."""
    require(ctx, "renovation.view")
    busy = Renovation.select(Renovation.home).where(Renovation.state.in_(ACTIVE_STATES))
    q = Home.select().where((Home.state != "未交付") & Home.id.not_in(busy))
    if text:
        q = q.where(Home.room_code.contains(text.strip().upper()))
    return list(q.order_by(Home.room_code).limit(limit))


def owner_name(ctx, home_id) -> str:
    """The primary owner's name of a home (to prefill the applicant)."""
    require(ctx, "renovation.view")
    from models.people import HomeOwner, Owner
    o = (Owner.select(Owner.name).join(HomeOwner).where((HomeOwner.home == home_id) & HomeOwner.until.is_null())
         .order_by(HomeOwner.is_primary.desc(), HomeOwner.id).first())
    return o.name if o else ""
