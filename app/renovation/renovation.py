"""Renovation management (装修管理, domain.md §4): the nine stages from application to deposit
refund, the deadline lists and the daily spot-check list.

Stages: 1 application (plan, contractor, drawings) → 2 approval / rejection → 3 fees (posted to
the fee ledger at approval and per worker; "paid" is read from the ledger) → 4 pressure and
water-closure tests signed by the owner → 5 permit (no earlier than renovation.permit_wait_days
after the tests) and worker passes → 6 works: patrols, notices, fire-safety undertaking →
7 completion and first inspection (within renovation.first_inspection_days) → 8 passes returned,
pass deposits refunded → 9 second inspection (renovation.second_inspection_months after the
first) and the deposit refunded less itemised deductions. A renovation may be abandoned part way.
"""
from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from app.archives.checklist import mark_document
from app.archives.homes import home_by_id
from app.archives.owners import identity_fields
from app.core import audit
from app.core.attachments import attach, attachments_for
from app.core.errors import StateError, ValidationError
from app.core.lookup import get_or_404
from app.core.money import fmt_fen, mul_fen, parse_yuan
from app.core.permissions import allowed, require
from app.core.privacy import mask_phone
from app.core.sequences import format_number, next_number
from app.core.validation import check_choice, check_phone, check_required, fmt_area, parse_date
from models.property import Home
from models.renovation import (
    NOTICE_KINDS,
    PASS_CARDS,
    Renovation,
    RenovationDeduction,
    RenovationNotice,
    RenovationPatrol,
    RenovationWorker,
)
from models.users import User

SOURCE = "renovation"
ACTIVE_STATES = ("待审批", "已批准", "施工中", "已完工", "初验通过", "已复验")
CLOSED_STATES = ("已驳回", "已结案", "已放弃")
STAGES = ["申请", "审批", "缴费", "闭水/打压试验", "许可证与出入证", "施工与巡查", "竣工初验", "退证退押", "复验与退保证金"]


# helpers -------------------------------------------------------------------
def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _uid(ctx):
    return getattr(ctx.user, "id", None)


def _get(reno_id) -> Renovation:
    return get_or_404(Renovation, reno_id, message=f"装修登记 {reno_id} 不存在")


def _worker(worker_id) -> RenovationWorker:
    return get_or_404(RenovationWorker, worker_id, message=f"施工人员 {worker_id} 不存在")


def _snap(r) -> dict:
    return audit.model_dict(r)


def _text(value, field_label, required=True, max_len=500) -> str:
    s = str(value or "").strip()
    if required and not s:
        raise ValidationError(field_label, "不能为空")
    if len(s) > max_len:
        raise ValidationError(field_label, f"不能超过{max_len}个字")
    return s


def _money(value, field_label) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ValidationError(field_label, "不能为负数")
        return value
    return parse_yuan(value, field_label)


def _restore_state(home: Home, before: str) -> str:
    if before and before not in ("装修中", "未交付"):
        return before
    return "已入住" if home.move_in_date else "空置"


# fees ----------------------------------------------------------------------
def deposit_for(ctx, house_type: str) -> int:
    key = f"renovation.deposit.{house_type}"
    try:
        return int(ctx.settings.get(key))
    except KeyError:
        raise ValidationError("户型", f"“{house_type}”没有设置装修保证金标准") from None


def rubbish_fee_for(ctx, area_x100: int) -> int:
    """垃圾清运费 = area × rate, rounded half-up once (4 元/m² × 123.45 m² = 493.80 元)."""
    return mul_fen(Decimal(int(area_x100)) / Decimal(100), ctx.settings.get("renovation.rubbish_rate"))


def _post(ctx, home_id, code, amount, reno_id, memo, quantity=None, unit_price=None):
    from app.ledger import billing
    charge = billing.post_charge(ctx, home_id, code, amount, quantity=quantity, memo=memo,
                                 source=SOURCE, source_id=reno_id, unit_price_fen=unit_price)
    return charge.id


def _charge(charge_id):
    if not charge_id:
        return None
    from models.ledger import Charge
    return Charge.get_or_none(Charge.id == charge_id)


_CHARGES: dict | None = None   # bulk-loaded charge states while building a list


@contextmanager
def _bulk_charges():
    """Load the state of every renovation charge in one query for the length of a list build."""
    global _CHARGES
    from models.ledger import Charge
    outer = _CHARGES
    if outer is None:
        _CHARGES = {cid: (int(a), int(p), int(f)) for cid, a, p, f in
                    Charge.select(Charge.id, Charge.amount_fen, Charge.paid_fen, Charge.refunded_fen)
                    .where(Charge.source == SOURCE).tuples()}
    try:
        yield
    finally:
        _CHARGES = outer


def charge_status(charge_id) -> tuple[int, int, int]:
    """(amount, paid, refunded) fen of a ledger charge; (0, 0, 0) when there is none."""
    if _CHARGES is not None and charge_id in _CHARGES:
        return _CHARGES[charge_id]
    c = _charge(charge_id)
    if c is None:
        return 0, 0, 0
    return int(c.amount_fen), int(c.paid_fen), int(c.refunded_fen)


def _charge_paid(charge_id) -> bool:
    amount, paid, _ = charge_status(charge_id)
    return charge_id is None or paid >= amount


def fees_of(r: Renovation) -> list[dict]:
    """The ledger charges of a renovation and its workers, with what is paid."""
    out = []
    for label, cid in (("装修质量保证金", r.deposit_charge_id), ("垃圾清运费", r.rubbish_charge_id)):
        if cid:
            a, p, f = charge_status(cid)
            out.append({"item": label, "who": "", "charge_id": cid, "amount": a, "paid": p, "refunded": f})
    for w in r.workers.order_by(RenovationWorker.id):
        for label, cid in (("出入证手续费", w.fee_charge_id), ("出入证押金", w.deposit_charge_id)):
            if cid:
                a, p, f = charge_status(cid)
                out.append({"item": label, "who": w.name, "charge_id": cid, "amount": a, "paid": p, "refunded": f})
    return out


def fees_paid(r: Renovation) -> bool:
    """Stage 3 is done when the deposit and the rubbish fee are paid in the ledger."""
    if not r.deposit_charge_id:
        return False
    return _charge_paid(r.deposit_charge_id) and _charge_paid(r.rubbish_charge_id)


def unpaid_charge_ids(r: Renovation) -> list[int]:
    return [f["charge_id"] for f in fees_of(r) if f["paid"] < f["amount"]]


def worker_paid(w: RenovationWorker) -> bool:
    return _charge_paid(w.fee_charge_id) and _charge_paid(w.deposit_charge_id)


# 1. application ------------------------------------------------------------
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
        "applicant": _text(data.get("applicant"), "申请人", max_len=40),
        "applicant_phone": check_phone(data.get("applicant_phone"), "申请人电话"),
        "plan": _text(data.get("plan"), "装修方案", max_len=2000),
        "contractor_name": _text(data.get("contractor_name"), "施工单位", max_len=100),
        "contractor_person": _text(data.get("contractor_person"), "施工负责人", max_len=40),
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
                              applied_on=today, applied_by=_uid(ctx), **fields)
        for path in drawings or ():
            attach(ctx, "renovation", r.id, path, notes="装修图纸")
        mark_document(ctx, home.id, "reno_application")
        audit.record(ctx, "renovation.apply", "renovation", r.id, None, _snap(r))
    return r


def attach_drawing(ctx, reno_id, path):
    require(ctx, "renovation.edit")
    r = _get(reno_id)
    if r.state in CLOSED_STATES:
        raise StateError(f"装修登记 {r.number} 已{r.state}，不能再添加图纸")
    with ctx.db.atomic():
        att = attach(ctx, "renovation", r.id, path, notes="装修图纸")
        audit.record(ctx, "renovation.attach", "renovation", r.id, None, {"attachment": att.id, "name": att.original_name})
    return att


def drawings_of(reno_id):
    return attachments_for("renovation", reno_id)


# 2. approval / rejection, 3. fees -------------------------------------------
def approve(ctx, reno_id, note: str = "") -> Renovation:
    """Approve (permission renovation.approve): posts the deposit (by house type) and the rubbish
    removal fee (by area) to the ledger, in the same transaction."""
    require(ctx, "renovation.approve")
    r = _get(reno_id)
    if r.state != "待审批":
        raise StateError(f"装修登记 {r.number} 当前为“{r.state}”，不能审批")
    if not drawings_of(r.id):
        raise ValidationError("装修图纸", "审批前须附装修图纸")
    home = r.home
    deposit = deposit_for(ctx, home.house_type)
    rubbish = rubbish_fee_for(ctx, home.area_x100)
    before = _snap(r)
    today = ctx.clock.today()
    with ctx.db.atomic():
        r.state = "已批准"
        r.decided_on, r.decided_by, r.decision_note = today, _uid(ctx), _text(note, "审批意见", False)
        r.deposit_fen, r.rubbish_fen = deposit, rubbish
        r.deposit_charge_id = _post(ctx, home.id, "renovation_deposit", deposit, r.id,
                                    f"装修质量保证金（{home.house_type}）{r.number}")
        area = Decimal(home.area_x100) / Decimal(100)
        r.rubbish_charge_id = _post(ctx, home.id, "rubbish_removal", rubbish, r.id,
                                    f"装修垃圾清运费 {fmt_area(home.area_x100)}㎡ {r.number}", quantity=area,
                                    unit_price=int(ctx.settings.get("renovation.rubbish_rate")))
        r.fees_charged_on, r.fees_charged_by = today, _uid(ctx)
        r.save()
        audit.record(ctx, "renovation.approve", "renovation", r.id, before, _snap(r))
    return r


def reject(ctx, reno_id, reasons: str) -> Renovation:
    require(ctx, "renovation.approve")
    r = _get(reno_id)
    if r.state != "待审批":
        raise StateError(f"装修登记 {r.number} 当前为“{r.state}”，不能驳回")
    reasons = _text(reasons, "驳回理由", max_len=1000)
    before = _snap(r)
    with ctx.db.atomic():
        r.state = "已驳回"
        r.decided_on, r.decided_by, r.decision_note = ctx.clock.today(), _uid(ctx), reasons
        r.save()
        audit.record(ctx, "renovation.reject", "renovation", r.id, before, _snap(r))
    return r


# 4. tests, fire-safety undertaking ------------------------------------------
def record_tests(ctx, reno_id, pressure_ok: bool, water_ok: bool, signed_by: str, on=None, note: str = ""):
    """打压试验 and 闭水试验 results, signed by the owner. A failed test may be recorded again."""
    require(ctx, "renovation.edit")
    r = _get(reno_id)
    if r.state != "已批准":
        raise StateError(f"装修登记 {r.number} 当前为“{r.state}”，不能登记闭水/打压试验")
    signed_by = _text(signed_by, "业主签字", max_len=40)
    day = parse_date(on, "试验日期", required=False) or ctx.clock.today()
    if day > ctx.clock.today():
        raise ValidationError("试验日期", "不能晚于今天")
    if day < r.decided_on:
        raise ValidationError("试验日期", f"不能早于审批日期 {r.decided_on}")
    before = _snap(r)
    with ctx.db.atomic():
        r.pressure_ok, r.water_ok = bool(pressure_ok), bool(water_ok)
        r.tests_on, r.tests_by, r.tests_signed_by = day, _uid(ctx), signed_by
        r.tests_note = _text(note, "试验说明", False)
        r.save()
        mark_document(ctx, r.home_id, "water_pressure_test")
        audit.record(ctx, "renovation.tests", "renovation", r.id, before, _snap(r))
    return r


def tests_passed(r) -> bool:
    return bool(r.pressure_ok) and bool(r.water_ok) and r.tests_on is not None


def sign_fire_undertaking(ctx, reno_id, signed_by: str, on=None):
    require(ctx, "renovation.edit")
    r = _get(reno_id)
    if r.state not in ("已批准", "施工中"):
        raise StateError(f"装修登记 {r.number} 当前为“{r.state}”，不能签署防火责任书")
    signed_by = _text(signed_by, "签署人", max_len=40)
    day = parse_date(on, "签署日期", required=False) or ctx.clock.today()
    before = _snap(r)
    with ctx.db.atomic():
        r.fire_signed_on, r.fire_signed_by, r.fire_recorded_by = day, signed_by, _uid(ctx)
        r.save()
        mark_document(ctx, r.home_id, "fire_undertaking")
        audit.record(ctx, "renovation.fire", "renovation", r.id, before, _snap(r))
    return r


# 5. permit ----------------------------------------------------------------
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
    r = _get(reno_id)
    problems = permit_blockers(ctx, r)
    if problems:
        raise StateError(f"装修许可证暂不能发放：{'；'.join(problems)}")
    today = ctx.clock.today()
    before = _snap(r)
    with ctx.db.atomic():
        home = Home.get_by_id(r.home_id)
        r.home_state_before = home.state
        r.permit_number = format_number("ZXXK", today.year, next_number("renovation_permit", today.year), 4)
        r.permit_on, r.permit_by = today, _uid(ctx)
        r.state = "施工中"
        r.save()
        Home.update(state="装修中").where(Home.id == home.id).execute()
        audit.record(ctx, "renovation.permit", "renovation", r.id, before, _snap(r))
        audit.record(ctx, "home.state", "home", home.id, {"state": home.state}, {"state": "装修中"})
    return r


# worker passes ----------------------------------------------------------------
def _check_photo(path):
    """A worker photo must be a readable JPG/PNG image (it is printed on the pass card)."""
    if not path:
        return
    from pathlib import Path
    if not Path(path).is_file():
        return   # attach() reports the missing file (inside the transaction)
    try:
        from PIL import Image
        with Image.open(path) as im:
            im.verify()
            ok = im.format in ("JPEG", "PNG")
    except Exception:
        ok = False
    if not ok:
        raise ValidationError("照片", "不是可识别的 JPG 或 PNG 图片")


def register_worker(ctx, reno_id, data: dict, photo=None) -> RenovationWorker:
    """A worker's pass: name, identity number (encrypted), photo, card A/B, valid until.
    Posts the pass fee and the pass deposit to the ledger."""
    require(ctx, "renovation.edit")
    r = _get(reno_id)
    if r.state not in ("已批准", "施工中"):
        raise StateError(f"装修登记 {r.number} 当前为“{r.state}”，不能办理出入证")
    today = ctx.clock.today()
    name = _text(data.get("name"), "施工人员姓名", max_len=40)
    ident = identity_fields(ctx, check_required(data.get("id_number"), "身份证号"), "身份证号")
    card = check_choice(data.get("card") or "A", PASS_CARDS, "出入证类别")
    valid_until = parse_date(data.get("valid_until"), "有效期至", required=False)
    if valid_until is None:
        valid_until = r.planned_end or today + dt.timedelta(days=int(ctx.settings.get("renovation.pass_valid_days")))
    if valid_until < today:
        raise ValidationError("有效期至", "不能早于今天")
    phone = check_phone(data.get("phone"), "施工人员电话")
    _check_photo(photo)
    dup = (RenovationWorker.select().where((RenovationWorker.renovation == r.id)
                                           & (RenovationWorker.id_hash == ident["id_hash"])
                                           & RenovationWorker.returned_on.is_null()).first())
    if dup is not None:
        raise ValidationError("身份证号", f"{dup.name} 已在本装修登记中办理出入证")
    fee, deposit = int(ctx.settings.get("renovation.pass_fee")), int(ctx.settings.get("renovation.pass_deposit"))
    with ctx.db.atomic():
        w = RenovationWorker.create(renovation=r.id, name=name, phone=phone, trade=_text(data.get("trade"), "工种", False, 20),
                                    card=card, valid_until=valid_until, fee_fen=fee, deposit_fen=deposit,
                                    registered_on=today, registered_by=_uid(ctx), **ident)
        w.pass_number = format_number("CRZ", today.year, next_number("renovation_pass", today.year), 5)
        if fee:
            w.fee_charge_id = _post(ctx, r.home_id, "pass_fee", fee, r.id, f"出入证手续费（{card}证）{name} {w.pass_number}", quantity=1, unit_price=fee)
        if deposit:
            w.deposit_charge_id = _post(ctx, r.home_id, "pass_deposit", deposit, r.id, f"出入证押金 {name} {w.pass_number}", quantity=1, unit_price=deposit)
        w.save()
        if photo:
            attach(ctx, "renovation_worker", w.id, photo, notes="施工人员照片")
        audit.record(ctx, "renovation.worker", "renovation_worker", w.id, None, audit.model_dict(w))
    return w


def attach_worker_photo(ctx, worker_id, path):
    """Attach (or replace) a worker's photo for the pass card."""
    require(ctx, "renovation.edit")
    w = _worker(worker_id)
    if w.returned_on:
        raise StateError(f"{w.name} 的出入证已退还")
    _check_photo(path)
    with ctx.db.atomic():
        att = attach(ctx, "renovation_worker", w.id, path, notes="施工人员照片")
        audit.record(ctx, "renovation.worker_photo", "renovation_worker", w.id, None, {"attachment": att.id})
    return w


def worker_photo(ctx, worker_id):
    from app.core.attachments import path_of
    atts = attachments_for("renovation_worker", worker_id)
    return path_of(ctx, atts[-1]) if atts else None


def issue_pass(ctx, worker_id) -> RenovationWorker:
    """Hand the pass to the worker: the permit must be out and the pass fee and deposit paid."""
    require(ctx, "renovation.edit")
    w = _worker(worker_id)
    r = w.renovation
    if r.state != "施工中":
        raise StateError(f"装修许可证未发放（{r.state}），不能发放出入证")
    if w.issued_on:
        raise StateError(f"{w.name} 的出入证已于 {w.issued_on} 发放")
    if not worker_paid(w):
        raise StateError(f"{w.name} 的出入证手续费或押金尚未缴清")
    with ctx.db.atomic():
        w.issued_on, w.issued_by = ctx.clock.today(), _uid(ctx)
        w.save()
        audit.record(ctx, "renovation.pass_issue", "renovation_worker", w.id, None, {"issued_on": w.issued_on})
    return w


def extend_pass(ctx, worker_id, valid_until) -> RenovationWorker:
    """Extend a pass that is still out (works running longer than planned)."""
    require(ctx, "renovation.edit")
    w = _worker(worker_id)
    if w.returned_on:
        raise StateError(f"{w.name} 的出入证已退还，不能延期")
    if w.renovation.state != "施工中" and w.renovation.state != "已批准":
        raise StateError(f"装修登记当前为“{w.renovation.state}”，出入证不能延期")
    day = parse_date(valid_until, "有效期至")
    if day <= w.valid_until:
        raise ValidationError("有效期至", f"应晚于原有效期 {w.valid_until}")
    before = {"valid_until": w.valid_until}
    with ctx.db.atomic():
        w.valid_until = day
        w.save()
        audit.record(ctx, "renovation.pass_extend", "renovation_worker", w.id, before, {"valid_until": day})
    return w


def drawing_files(ctx, reno_id) -> list[tuple[str, str]]:
    """(original name, stored file path) of the drawings attached to a renovation."""
    require(ctx, "renovation.view")
    from app.core.attachments import path_of
    return [(a.original_name, str(path_of(ctx, a))) for a in drawings_of(reno_id)]


def _refund(ctx, home_id, code, amount, reason, reno_id):
    from app.ledger import payments
    return payments.refund(ctx, home_id, code, amount, reason, source=SOURCE, source_id=reno_id)


def return_pass(ctx, worker_id, lost: bool = False, refund: bool = True) -> RenovationWorker:
    """Pass returned (or reported lost: the deposit is kept). With ``refund`` the paid pass
    deposit is paid back through the ledger in the same transaction (needs ledger.refund)."""
    require(ctx, "renovation.edit")
    w = _worker(worker_id)
    if w.returned_on:
        raise StateError(f"{w.name} 的出入证已于 {w.returned_on} 退还")
    amount = 0 if lost else worker_deposit_held(w)
    if refund and amount:
        require(ctx, "ledger.refund")
    before = audit.model_dict(w)
    with ctx.db.atomic():
        w.returned_on, w.returned_by, w.lost = ctx.clock.today(), _uid(ctx), bool(lost)
        if refund and amount:
            p = _refund(ctx, w.renovation.home_id, "pass_deposit", amount, f"出入证押金退还 {w.name} {w.pass_number}",
                        w.renovation_id)
            w.deposit_refund_fen, w.refund_payment_id = amount, getattr(p, "id", None)
        w.save()
        audit.record(ctx, "renovation.pass_return", "renovation_worker", w.id, before, audit.model_dict(w))
    return w


def refund_pass_deposit(ctx, worker_id) -> RenovationWorker:
    """Pay back the deposit of a pass already returned (the cashier, later)."""
    require(ctx, "ledger.refund")
    w = _worker(worker_id)
    if not w.returned_on or w.lost:
        raise StateError(f"{w.name} 的出入证未退还或已遗失，押金不予退还")
    if w.deposit_refund_fen:
        raise StateError(f"{w.name} 的出入证押金已退还")
    amount = worker_deposit_held(w)
    if not amount:
        raise StateError(f"{w.name} 的出入证押金未缴纳，无可退金额")
    with ctx.db.atomic():
        p = _refund(ctx, w.renovation.home_id, "pass_deposit", amount, f"出入证押金退还 {w.name} {w.pass_number}",
                    w.renovation_id)
        w.deposit_refund_fen, w.refund_payment_id = amount, getattr(p, "id", None)
        w.save()
        audit.record(ctx, "renovation.pass_refund", "renovation_worker", w.id, None, {"refund": amount})
    return w


def worker_deposit_held(w) -> int:
    """The pass deposit this worker paid and has not had back (per worker, from our own record:
    the ledger pools pass deposits of one renovation)."""
    _a, paid, _refunded = charge_status(w.deposit_charge_id)
    return max(min(paid, w.deposit_fen) - w.deposit_refund_fen, 0)


def pass_state(w, today) -> str:
    if w.returned_on:
        return "已遗失" if w.lost else "已退还"
    if not w.issued_on:
        return "待发放" if worker_paid(w) else "待缴费"
    if w.valid_until < today:
        return "已过期"
    return "有效"


# 6. works: patrols, notices --------------------------------------------------------
def record_patrol(ctx, reno_id, ok: bool, findings: str = "", on=None, workers_present: int = 0,
                  spot_check: bool = False) -> RenovationPatrol:
    """One line of the 装修巡查日志. A finding that is not OK must be described."""
    require(ctx, "renovation.edit")
    r = _get(reno_id)
    if r.state != "施工中":
        raise StateError(f"装修登记 {r.number} 当前为“{r.state}”，不在施工期，无需巡查")
    findings = _text(findings, "巡查情况", required=not ok, max_len=1000)
    day = parse_date(on, "巡查日期", required=False) or ctx.clock.today()
    if day > ctx.clock.today():
        raise ValidationError("巡查日期", "不能晚于今天")
    try:
        n_workers = int(workers_present or 0)
    except (TypeError, ValueError):
        raise ValidationError("在场人数", "应为整数") from None
    if n_workers < 0:
        raise ValidationError("在场人数", "不能为负数")
    with ctx.db.atomic():
        p = RenovationPatrol.create(renovation=r.id, patrol_on=day, inspector=_uid(ctx), ok=bool(ok),
                                    findings=findings or "正常", workers_present=n_workers, spot_check=spot_check)
        audit.record(ctx, "renovation.patrol", "renovation_patrol", p.id, None, audit.model_dict(p))
    return p


def issue_notice(ctx, reno_id, kind: str, content: str, requirement: str = "", deadline=None,
                 patrol_id=None) -> RenovationNotice:
    """违规通知单 / 整改通知单 with a deadline (default renovation.rectify_days)."""
    require(ctx, "renovation.edit")
    r = _get(reno_id)
    if r.state not in ("已批准", "施工中", "已完工"):
        raise StateError(f"装修登记 {r.number} 当前为“{r.state}”，不能开具通知单")
    kind = check_choice(kind, NOTICE_KINDS, "通知类别")
    content = _text(content, "违规/整改内容", max_len=1000)
    today = ctx.clock.today()
    deadline = parse_date(deadline, "整改期限", required=False) or today + dt.timedelta(
        days=int(ctx.settings.get("renovation.rectify_days")))
    if deadline < today:
        raise ValidationError("整改期限", "不能早于今天")
    with ctx.db.atomic():
        prefix = "WG" if kind == "违规通知单" else "ZG"
        n = RenovationNotice.create(renovation=r.id, kind=kind, content=content,
                                    requirement=_text(requirement, "整改要求", False, 1000),
                                    number=format_number(prefix, today.year, next_number(f"renovation_{prefix}", today.year), 4),
                                    issued_on=today, issued_by=_uid(ctx), deadline=deadline)
        mark_document(ctx, r.home_id, "rectification_notice")
        audit.record(ctx, "renovation.notice", "renovation_notice", n.id, None, audit.model_dict(n))
    return n


def close_notice(ctx, notice_id, note: str) -> RenovationNotice:
    require(ctx, "renovation.edit")
    n = get_or_404(RenovationNotice, notice_id, message="通知单不存在")
    if n.closed_on:
        raise StateError(f"通知单 {n.number} 已于 {n.closed_on} 关闭")
    note = _text(note, "整改结果", max_len=1000)
    with ctx.db.atomic():
        n.closed_on, n.closed_by, n.closure_note = ctx.clock.today(), _uid(ctx), note
        n.save()
        audit.record(ctx, "renovation.notice_close", "renovation_notice", n.id, None, {"closed_on": n.closed_on, "note": note})
    return n


def open_notices(r):
    return list(r.notices.where(RenovationNotice.closed_on.is_null()).order_by(RenovationNotice.deadline))


# 7. completion, first inspection --------------------------------------------------
def record_completion(ctx, reno_id, finished_on=None) -> Renovation:
    require(ctx, "renovation.edit")
    r = _get(reno_id)
    if r.state != "施工中":
        raise StateError(f"装修登记 {r.number} 当前为“{r.state}”，不能登记完工")
    day = parse_date(finished_on, "完工日期", required=False) or ctx.clock.today()
    if day > ctx.clock.today():
        raise ValidationError("完工日期", "不能晚于今天")
    if day < r.permit_on:
        raise ValidationError("完工日期", f"不能早于许可证发放日期 {r.permit_on}")
    before = _snap(r)
    with ctx.db.atomic():
        r.finished_on, r.finished_by, r.state = day, _uid(ctx), "已完工"
        r.save()
        audit.record(ctx, "renovation.finish", "renovation", r.id, before, _snap(r))
    return r


def first_inspection_due(ctx, r) -> dt.date | None:
    if not r.finished_on:
        return None
    return r.finished_on + dt.timedelta(days=int(ctx.settings.get("renovation.first_inspection_days")))


def first_inspection(ctx, reno_id, passed: bool, note: str = "") -> Renovation:
    """初验 (装修竣工验收表). Passed: the second inspection is due renovation.second_inspection_months
    later and the home goes back to its state before the works. Failed: stays 已完工."""
    require(ctx, "renovation.approve")
    r = _get(reno_id)
    if r.state != "已完工":
        raise StateError(f"装修登记 {r.number} 当前为“{r.state}”，不能初验")
    note = _text(note, "验收意见", required=not passed, max_len=1000)
    if passed and open_notices(r):
        raise StateError(f"尚有 {len(open_notices(r))} 张违规/整改通知单未关闭，初验不能通过")
    today = ctx.clock.today()
    before = _snap(r)
    with ctx.db.atomic():
        r.first_inspection_on, r.first_inspection_by = today, _uid(ctx)
        r.first_inspection_ok, r.first_inspection_note = bool(passed), note
        if passed:
            r.state = "初验通过"
            r.second_due = add_months(today, int(ctx.settings.get("renovation.second_inspection_months")))
            home = Home.get_by_id(r.home_id)
            new_state = _restore_state(home, r.home_state_before)
            if home.state == "装修中":
                Home.update(state=new_state).where(Home.id == home.id).execute()
                audit.record(ctx, "home.state", "home", home.id, {"state": home.state}, {"state": new_state})
        r.save()
        audit.record(ctx, "renovation.first_inspection", "renovation", r.id, before, _snap(r))
    return r


# 9. second inspection, deposit refund ------------------------------------------
def second_inspection(ctx, reno_id, passed: bool, note: str = "") -> Renovation:
    require(ctx, "renovation.approve")
    r = _get(reno_id)
    if r.state != "初验通过":
        raise StateError(f"装修登记 {r.number} 当前为“{r.state}”，不能复验")
    today = ctx.clock.today()
    if r.second_due and today < r.second_due:
        raise StateError(f"复验须在初验{ctx.settings.get('renovation.second_inspection_months')}个月后，"
                         f"最早于 {r.second_due.isoformat()}")
    note = _text(note, "复验意见", required=not passed, max_len=1000)
    before = _snap(r)
    with ctx.db.atomic():
        r.second_inspection_on, r.second_inspection_by = today, _uid(ctx)
        r.second_inspection_ok, r.second_inspection_note = bool(passed), note
        if passed:
            r.state = "已复验"
        r.save()
        audit.record(ctx, "renovation.second_inspection", "renovation", r.id, before, _snap(r))
    return r


def deposit_held(r) -> int:
    """The renovation deposit paid and not yet refunded (fen)."""
    _a, paid, refunded = charge_status(r.deposit_charge_id)
    return max(paid - refunded, 0)


def _check_deductions(deductions, held) -> list[tuple[str, int]]:
    out = []
    for i, d in enumerate(deductions or (), 1):
        reason, amount = (d["reason"], d["amount"]) if isinstance(d, dict) else d
        reason = _text(reason, f"扣款事由（第{i}项）", max_len=100)
        fen = _money(amount, f"扣款金额（第{i}项）")
        if fen <= 0:
            raise ValidationError(f"扣款金额（第{i}项）", "应大于0")
        out.append((reason, fen))
    total = sum(f for _r, f in out)
    if total > held:
        raise ValidationError("扣款合计", f"{fmt_fen(total)} 元超过已缴保证金 {fmt_fen(held)} 元")
    return out


def _unreturned(r):
    return [w for w in r.workers if w.issued_on and not w.returned_on]


def refund_deposit(ctx, reno_id, deductions=()) -> Renovation:
    """Refund the renovation deposit less itemised deductions (which cannot exceed it), through
    the ledger. Needs the second inspection passed and every issued pass returned."""
    require(ctx, "renovation.approve")
    require(ctx, "ledger.refund")
    r = _get(reno_id)
    if r.state != "已复验":
        raise StateError(f"装修登记 {r.number} 当前为“{r.state}”，复验通过后方可退还保证金")
    left = _unreturned(r)
    if left:
        raise StateError("尚有出入证未退还：" + "、".join(w.name for w in left))
    held = deposit_held(r)
    items = _check_deductions(deductions, held)
    with ctx.db.atomic():
        before = _snap(r)
        _settle_deposit(ctx, r, items, held, "装修保证金退还")
        r.state = "已结案"
        r.save()
        audit.record(ctx, "renovation.refund", "renovation", r.id, before, _snap(r))
    return r


def _settle_deposit(ctx, r, items, held, reason):
    today = ctx.clock.today()
    for reason_i, fen in items:
        RenovationDeduction.create(renovation=r.id, reason=reason_i, amount_fen=fen, recorded_on=today,
                                   recorded_by=_uid(ctx))
    amount = held - sum(f for _r, f in items)
    if amount > 0:
        memo = f"{reason} {r.number}" + (f"（扣除{fmt_fen(held - amount)}元）" if items else "")
        p = _refund(ctx, r.home_id, "renovation_deposit", amount, memo, r.id)
        r.refund_payment_id = getattr(p, "id", None)
    r.refund_fen = amount
    r.refunded_on, r.refunded_by = today, _uid(ctx)


# abandonment ----------------------------------------------------------------------
def abandon(ctx, reno_id, reason: str, deductions=()) -> Renovation:
    """Abandon a renovation part way. Refunded through the ledger: the renovation deposit paid
    (less itemised deductions) and the pass deposits of passes returned. Not refunded: the rubbish
    removal fee and pass fees (fees, not deposits); deposits of passes lost. Issued
    passes must be returned (or reported lost) first. The home goes back to its state before."""
    require(ctx, "renovation.approve")
    r = _get(reno_id)
    if r.state not in ("待审批", "已批准", "施工中", "已完工"):
        raise StateError(f"装修登记 {r.number} 当前为“{r.state}”，不能放弃")
    reason = _text(reason, "放弃原因", max_len=1000)
    left = _unreturned(r)
    if left:
        raise StateError("请先收回出入证（或登记遗失）：" + "、".join(w.name for w in left))
    held = deposit_held(r)
    items = _check_deductions(deductions, held)
    refunds_needed = held or any(worker_deposit_held(w) for w in r.workers if not w.lost)
    if refunds_needed:
        require(ctx, "ledger.refund")
    before = _snap(r)
    today = ctx.clock.today()
    with ctx.db.atomic():
        if held:
            _settle_deposit(ctx, r, items, held, "放弃装修 保证金退还")
        for w in r.workers:
            if not w.returned_on:
                w.returned_on, w.returned_by = today, _uid(ctx)
            held_w = 0 if w.lost else worker_deposit_held(w)
            if held_w:
                p = _refund(ctx, r.home_id, "pass_deposit", held_w,
                            f"放弃装修 出入证押金退还 {w.name} {w.pass_number}", r.id)
                w.deposit_refund_fen, w.refund_payment_id = w.deposit_refund_fen + held_w, getattr(p, "id", None)
            w.save()
        home = Home.get_by_id(r.home_id)
        if home.state == "装修中" and r.permit_on:
            new_state = _restore_state(home, r.home_state_before)
            Home.update(state=new_state).where(Home.id == home.id).execute()
            audit.record(ctx, "home.state", "home", home.id, {"state": home.state}, {"state": new_state})
        # fees never paid are waived in the ledger (免收), so nothing stays owed for works not done
        from app.ledger.payments import waive
        from models.ledger import Charge
        for c in Charge.select().where((Charge.source == SOURCE) & (Charge.source_id == r.id)
                                       & (Charge.paid_fen < Charge.amount_fen) & (Charge.category != "deposit")):
            waive(ctx, c.id, f"放弃装修 {r.number}：{reason}", source=SOURCE, source_id=r.id)
        r.state = "已放弃"
        r.abandoned_on, r.abandoned_by, r.abandon_reason = today, _uid(ctx), reason
        r.save()
        audit.record(ctx, "renovation.abandon", "renovation", r.id, before, _snap(r))
    return r


# reading: stages, lists, deadlines -------------------------------------------------------
def _names(ids) -> dict:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u.id: u.display_name for u in User.select(User.id, User.display_name).where(User.id.in_(ids))}


@dataclass(frozen=True)
class Stage:
    no: int
    name: str
    done: bool
    day: dt.date | None
    by: str
    text: str


def stages(ctx, r) -> list[Stage]:
    """The nine stages of domain.md §4 with their date, who recorded them and a short status."""
    uids = [r.applied_by_id, r.decided_by_id, r.fees_charged_by_id, r.tests_by_id, r.permit_by_id,
            r.finished_by_id, r.first_inspection_by_id, r.second_inspection_by_id, r.refunded_by_id,
            r.fire_recorded_by_id]
    workers = list(r.workers)
    uids += [w.returned_by_id for w in workers]
    nm = _names(uids)
    n = lambda uid: nm.get(uid, "")
    today = ctx.clock.today()
    n_drawings = len(drawings_of(r.id))
    out = [Stage(1, STAGES[0], True, r.applied_on, n(r.applied_by_id),
                 f"申请人 {r.applicant}，施工单位 {r.contractor_name}，图纸 {n_drawings} 份")]
    if r.state == "已驳回":
        out.append(Stage(2, STAGES[1], True, r.decided_on, n(r.decided_by_id), f"已驳回：{r.decision_note}"))
        return out
    out.append(Stage(2, STAGES[1], bool(r.decided_on), r.decided_on, n(r.decided_by_id),
                     ("已批准" + (f"：{r.decision_note}" if r.decision_note else "")) if r.decided_on else "待审批"))
    paid = fees_paid(r)
    fee_text = (f"保证金 {fmt_fen(r.deposit_fen)}，垃圾清运费 {fmt_fen(r.rubbish_fen)}，" + ("已缴清" if paid else "未缴清")) \
        if r.deposit_charge_id else "审批后计费"
    fee_day, fee_by = r.fees_charged_on, n(r.fees_charged_by_id)
    if paid:
        from models.ledger import Payment
        last = (Payment.select(Payment.created_at, Payment.created_by)
                .where(Payment.charge.in_([r.deposit_charge_id, r.rubbish_charge_id]) & (Payment.kind == "pay"))
                .order_by(Payment.created_at.desc()).first())
        if last is not None:
            fee_day = last.created_at.date() if isinstance(last.created_at, dt.datetime) else last.created_at
            fee_by = user_name(last.created_by_id)
            fee_text += f"（{fee_by} 收款）" if fee_by else ""
    out.append(Stage(3, STAGES[2], paid, fee_day, fee_by, fee_text))
    if r.tests_on:
        t = f"打压{'合格' if r.pressure_ok else '不合格'}，闭水{'合格' if r.water_ok else '不合格'}，业主 {r.tests_signed_by} 签字"
    else:
        t = "未试验"
    out.append(Stage(4, STAGES[3], tests_passed(r), r.tests_on, n(r.tests_by_id), t))
    if r.permit_on:
        t = f"许可证 {r.permit_number}，出入证 {sum(1 for w in workers if w.issued_on)} 张"
    elif tests_passed(r):
        t = f"最早 {permit_earliest(ctx, r)} 可领取"
    else:
        t = "待试验合格"
    out.append(Stage(5, STAGES[4], bool(r.permit_on), r.permit_on, n(r.permit_by_id), t))
    patrols = r.patrols.count()
    open_n = len(open_notices(r))
    fire = f"防火责任书 {r.fire_signed_on} 已签" if r.fire_signed_on else "防火责任书未签"
    out.append(Stage(6, STAGES[5], bool(r.finished_on), r.finished_on, n(r.finished_by_id),
                     f"巡查 {patrols} 次，未关闭通知 {open_n} 张，{fire}"))
    if r.first_inspection_on:
        t = "初验合格" if r.first_inspection_ok else f"初验不合格：{r.first_inspection_note}"
    elif r.finished_on:
        due = first_inspection_due(ctx, r)
        t = f"应于 {due} 前初验" + ("（已逾期）" if today > due else "")
    else:
        t = "未完工"
    out.append(Stage(7, STAGES[6], bool(r.first_inspection_ok), r.first_inspection_on, n(r.first_inspection_by_id), t))
    issued = [w for w in workers if w.issued_on or w.returned_on]
    back = [w for w in issued if w.returned_on]
    last = max((w.returned_on for w in back), default=None)
    last_by = n(max(back, key=lambda w: w.returned_on).returned_by_id) if back else ""
    refunded = sum(w.deposit_refund_fen for w in workers)
    out.append(Stage(8, STAGES[7], bool(issued) and len(back) == len(issued), last, last_by,
                     f"已退证 {len(back)}/{len(issued)}，退押金 {fmt_fen(refunded)}"))
    if r.refunded_on:
        ded = sum(d.amount_fen for d in r.deductions)
        t = f"退保证金 {fmt_fen(r.refund_fen)}" + (f"，扣除 {fmt_fen(ded)}" if ded else "")
    elif r.second_inspection_on:
        t = "复验合格，待退保证金" if r.second_inspection_ok else f"复验不合格：{r.second_inspection_note}"
    elif r.second_due:
        t = f"复验日期 {r.second_due}"
    else:
        t = ""
    out.append(Stage(9, STAGES[8], bool(r.refunded_on), r.refunded_on or r.second_inspection_on,
                     n(r.refunded_by_id or r.second_inspection_by_id), t))
    if r.state == "已放弃":
        fees = fees_of(r)
        unpaid = sum(f["amount"] - f["paid"] for f in fees if f["paid"] < f["amount"])
        text = r.abandon_reason + (f"；退保证金 {fmt_fen(r.refund_fen)}" if r.refunded_on else "")
        if unpaid:  # only deposits never taken: the unpaid fees were waived (免收) at abandonment
            text += f"；未收取的押金 {fmt_fen(unpaid)} 元不再收取"
        out.append(Stage(10, "放弃装修", True, r.abandoned_on, n(r.abandoned_by_id), text))
    return out


def next_step(ctx, r) -> str:
    s = r.state
    if s == "待审批":
        return "待审批"
    if s == "已批准":
        if not fees_paid(r):
            return "待缴费"
        if not tests_passed(r):
            return "待闭水/打压试验"
        if not r.fire_signed_on:
            return "待签防火责任书"
        e = permit_earliest(ctx, r)
        return "可领许可证" if ctx.clock.today() >= e else f"{e} 可领许可证"
    if s == "施工中":
        return "施工中"
    if s == "已完工":
        return f"待初验（{first_inspection_due(ctx, r)} 前）"
    if s == "初验通过":
        return f"待复验（{r.second_due}）"
    if s == "已复验":
        return "待退保证金"
    return s


@dataclass(frozen=True)
class Row:
    id: int
    number: str
    room_code: str
    house_type: str
    applicant: str
    phone_masked: str
    contractor: str
    state: str
    next_step: str
    applied_on: dt.date
    permit_on: dt.date | None


def list_renovations(ctx, which: str = "active", text: str = "") -> list[Row]:
    """which: active (not closed), closed, all. text filters room code / applicant / contractor."""
    require(ctx, "renovation.view")
    q = (Renovation.select(*_light_columns(), Home.house_type.alias("house_type"), Renovation.applicant_phone.alias("applicant_phone"),
                           Renovation.contractor_name.alias("contractor_name"), Renovation.permit_on.alias("permit_on"))
         .join(Home).order_by(Renovation.applied_on.desc(), Renovation.id.desc()))
    if which == "active":
        q = q.where(Renovation.state.in_(ACTIVE_STATES))
    elif which == "closed":
        q = q.where(Renovation.state.in_(CLOSED_STATES))
    t = (text or "").strip()
    if t:
        like = f"%{t}%"
        q = q.where(Home.room_code.contains(t) | Renovation.applicant ** like | Renovation.contractor_name ** like
                    | Renovation.number.contains(t))
    out = []
    with _bulk_charges():
        for r in q.namedtuples():
            out.append(Row(r.id, r.number, r.room_code, r.house_type, r.applicant,
                           mask_phone(r.applicant_phone), r.contractor_name, r.state, next_step(ctx, r),
                           r.applied_on, r.permit_on))
    return out


def _light_columns():
    """The columns lists and deadlines need (rows as named tuples: peewee model instances of
    this wide table cost ~0.7 ms each)."""
    R = Renovation
    cols = [R.id, R.number, R.state, R.applicant, R.applied_on, R.decided_on, R.deposit_charge_id, R.rubbish_charge_id,
            R.pressure_ok, R.water_ok, R.tests_on, R.fire_signed_on, R.finished_on, R.first_inspection_on,
            R.second_due, R.second_inspection_on]
    return [c.alias(c.name) for c in cols] + [Home.room_code.alias("room_code")]


@dataclass(frozen=True)
class DueItem:
    category: str
    renovation_id: int
    room_code: str
    what: str
    due: dt.date | None
    overdue: bool


DUE_CATEGORIES = ["待审批", "待缴费", "待领许可证", "初验逾期", "本周复验", "通知逾期", "出入证到期", "待退保证金"]


def due_items(ctx) -> list[DueItem]:
    """What needs doing: applications waiting, fees unpaid, permits waiting, first inspections
    overdue, second inspections due this week, notices past their deadline, passes expiring,
    deposits waiting for refund."""
    require(ctx, "renovation.view")
    with _bulk_charges():
        return _due_items(ctx)


def _due_items(ctx) -> list[DueItem]:
    today = ctx.clock.today()
    week = today + dt.timedelta(days=int(ctx.settings.get("renovation.due_window_days")))
    warn = today + dt.timedelta(days=int(ctx.settings.get("renovation.pass_warn_days")))
    out = []
    q = Renovation.select(*_light_columns()).join(Home).where(Renovation.state.in_(ACTIVE_STATES))
    for r in q.namedtuples():
        room = r.room_code
        if r.state == "待审批":
            out.append(DueItem("待审批", r.id, room, f"{r.number} {r.applicant} 申请 {r.applied_on}", r.applied_on, False))
        elif r.state == "已批准":
            if not fees_paid(r):
                out.append(DueItem("待缴费", r.id, room, f"保证金/垃圾清运费未缴（{r.decided_on} 批准）", r.decided_on, False))
            elif tests_passed(r):
                e = permit_earliest(ctx, r)
                ready = today >= e and r.fire_signed_on is not None
                what = "可领取装修许可证" if ready else (f"{e} 起可领取" if r.fire_signed_on else f"{e} 起可领取（须签防火责任书）")
                out.append(DueItem("待领许可证", r.id, room, what, e, False))
        elif r.state == "已完工":
            due = first_inspection_due(ctx, r)
            if today > due:
                out.append(DueItem("初验逾期", r.id, room, f"{r.finished_on} 完工，应于 {due} 前初验", due, True))
        elif r.state == "初验通过" and r.second_due and r.second_due <= week:
            out.append(DueItem("本周复验", r.id, room, f"初验 {r.first_inspection_on}，复验日期 {r.second_due}",
                               r.second_due, r.second_due < today))
        elif r.state == "已复验":
            out.append(DueItem("待退保证金", r.id, room, f"复验合格 {r.second_inspection_on}，保证金 {fmt_fen(deposit_held(r))} 元",
                               r.second_inspection_on, False))
    N, W = RenovationNotice, RenovationWorker
    nq = (N.select(N.renovation.alias("rid"), Home.room_code.alias("room"), N.kind.alias("kind"), N.number.alias("number"),
                   N.content.alias("content"), N.deadline.alias("deadline"))
          .join(Renovation).join(Home)
          .where(N.closed_on.is_null() & (N.deadline < today) & Renovation.state.in_(ACTIVE_STATES)))
    for n in nq.namedtuples():
        out.append(DueItem("通知逾期", n.rid, n.room, f"{n.kind} {n.number}：{n.content[:30]}", n.deadline, True))
    wq = (W.select(W.renovation.alias("rid"), Home.room_code.alias("room"), W.name.alias("name"), W.card.alias("card"),
                   W.pass_number.alias("pass_number"), W.valid_until.alias("valid_until"))
          .join(Renovation).join(Home)
          .where(W.issued_on.is_null(False) & W.returned_on.is_null() & (W.valid_until <= warn)))
    for w in wq.namedtuples():
        out.append(DueItem("出入证到期", w.rid, w.room, f"{w.name}（{w.card}证 {w.pass_number}）有效期至 {w.valid_until}",
                           w.valid_until, w.valid_until < today))
    order = {c: i for i, c in enumerate(DUE_CATEGORIES)}
    out.sort(key=lambda d: (order[d.category], d.due or today, d.room_code))
    return out


@dataclass(frozen=True)
class SpotCheck:
    id: int
    room_code: str
    number: str
    contractor_name: str
    contractor_person: str
    last_patrol: dt.date | None


def spot_checks(ctx, day=None) -> list[SpotCheck]:
    """Today's spot checks: renovation.daily_spot_checks homes under works, deterministic per day;
    homes patrolled within renovation.spot_recent_days come last."""
    require(ctx, "renovation.view")
    day = day or ctx.clock.today()
    n = int(ctx.settings.get("renovation.daily_spot_checks"))
    recent = day - dt.timedelta(days=int(ctx.settings.get("renovation.spot_recent_days")))
    R = Renovation
    under = list(R.select(R.id.alias("id"), Home.room_code.alias("room_code"), R.number.alias("number"),
                          R.contractor_name.alias("contractor_name"), R.contractor_person.alias("contractor_person"))
                 .join(Home).where(R.state == "施工中").namedtuples())
    last = {}
    if under:
        from peewee import fn
        P = RenovationPatrol
        for rid, d in (P.select(P.renovation, fn.MAX(P.patrol_on)).join(R)
                       .where((R.state == "施工中") & (P.patrol_on < day)).group_by(P.renovation).tuples()):
            last[rid] = d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)[:10])

    def key(r):
        was = last.get(r.id)
        checked_recently = was is not None and was >= recent
        h = hashlib.sha256(f"{day.isoformat()}|{r.id}".encode()).hexdigest()
        return (checked_recently, was or dt.date.min, h)

    return [SpotCheck(r.id, r.room_code, r.number, r.contractor_name, r.contractor_person, last.get(r.id))
            for r in sorted(under, key=key)[:n]]


def get(ctx, reno_id) -> Renovation:
    require(ctx, "renovation.view")
    return _get(reno_id)


def workers_of(ctx, reno_id) -> list[RenovationWorker]:
    require(ctx, "renovation.view")
    return list(RenovationWorker.select().where(RenovationWorker.renovation == reno_id).order_by(RenovationWorker.id))


def patrols_of(ctx, reno_id) -> list[RenovationPatrol]:
    require(ctx, "renovation.view")
    return list(RenovationPatrol.select().where(RenovationPatrol.renovation == reno_id)
                .order_by(RenovationPatrol.patrol_on, RenovationPatrol.id))


def notices_of(ctx, reno_id) -> list[RenovationNotice]:
    require(ctx, "renovation.view")
    return list(RenovationNotice.select().where(RenovationNotice.renovation == reno_id).order_by(RenovationNotice.id))


def user_name(user_id) -> str:
    return _names([user_id]).get(user_id, "")


def may(ctx, action) -> bool:
    return allowed(getattr(ctx.user, "role", None), action)


def homes_for_application(ctx, text: str = "", limit: int = 50) -> list[Home]:
    """Homes handed over without an open renovation, matching the room code typed."""
    require(ctx, "renovation.view")
    busy = Renovation.select(Renovation.home).where(Renovation.state.in_(ACTIVE_STATES))
    q = Home.select().where((Home.state != "未交付") & Home.id.not_in(busy))
    if text:
        q = q.where(Home.room_code.contains(text.strip().upper()))
    return list(q.order_by(Home.room_code).limit(limit))


def startup_reminders(ctx) -> list[str]:
    """Start-up reminder lines (app/reminders.py): counts of what needs doing, today's spot checks."""
    if not may(ctx, "renovation.view"):
        return []
    counts: dict[str, int] = {}
    for d in due_items(ctx):
        counts[d.category] = counts.get(d.category, 0) + 1
    lines = []
    if counts:
        lines.append("装修管理：" + "，".join(f"{c} {counts[c]} 项" for c in DUE_CATEGORIES if c in counts))
    spots = spot_checks(ctx)
    if spots:
        lines.append("今日装修抽查：" + "、".join(r.room_code for r in spots))
    return lines


def todo(ctx) -> list[DueItem]:
    """The tab's opening list: today's spot checks first, then everything of due_items."""
    today = ctx.clock.today()
    spots = [DueItem("今日抽查", r.id, r.room_code,
                     f"{r.contractor_name} {r.contractor_person}（{r.number}）上次巡查 {r.last_patrol or '无'}",
                     today, False) for r in spot_checks(ctx)]
    return spots + due_items(ctx)


def fee_lines(ctx, reno_id) -> list[dict]:
    require(ctx, "renovation.view")
    return fees_of(_get(reno_id))


def worker_rows(ctx, reno_id) -> list[tuple]:
    today = ctx.clock.today()
    return [(w, pass_state(w, today)) for w in workers_of(ctx, reno_id)]


def patrol_rows(ctx, reno_id) -> list[tuple]:
    rows = patrols_of(ctx, reno_id)
    names = _names([p.inspector_id for p in rows])
    return [(p, names.get(p.inspector_id, "")) for p in rows]


def notice_rows(ctx, reno_id) -> list[tuple]:
    today = ctx.clock.today()
    return [(n, today) for n in notices_of(ctx, reno_id)]


def owner_name(ctx, home_id) -> str:
    """The primary owner's name of a home (to prefill the applicant)."""
    require(ctx, "renovation.view")
    from models.people import HomeOwner, Owner
    o = (Owner.select(Owner.name).join(HomeOwner).where((HomeOwner.home == home_id) & HomeOwner.until.is_null())
         .order_by(HomeOwner.is_primary.desc(), HomeOwner.id).first())
    return o.name if o else ""
