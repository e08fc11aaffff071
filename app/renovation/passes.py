"""Worker passes (施工人员出入证, stages 5 and 8): registered with photo and identity number,
fee and deposit posted to the ledger, handed out once the permit is out and they are paid,
extended, returned (or reported lost) and the deposit paid back."""
from __future__ import annotations

import datetime as dt

from app.archives.owners import identity_fields
from app.core import audit
from app.core.attachments import attach, attachments_for
from app.core.errors import StateError, ValidationError
from app.core.permissions import require
from app.core.sequences import format_number, next_number
from app.core.validation import check_choice, check_phone, check_required, parse_date
from app.renovation.common import clean_text, renovation_or_404, user_id, worker_or_404
from app.renovation.fees import post_fee, refund_through_ledger, worker_deposit_held, worker_paid
from models.renovation import PASS_CARDS, RenovationWorker


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
    r = renovation_or_404(reno_id)
    if r.state not in ("已批准", "施工中"):
        raise StateError(f"装修登记 {r.number} 当前为“{r.state}”，不能办理出入证")
    today = ctx.clock.today()
    name = clean_text(data.get("name"), "施工人员姓名", max_len=40)
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
        w = RenovationWorker.create(renovation=r.id, name=name, phone=phone,
                                    trade=clean_text(data.get("trade"), "工种", False, 20),
                                    card=card, valid_until=valid_until, fee_fen=fee, deposit_fen=deposit,
                                    registered_on=today, registered_by=user_id(ctx), **ident)
        w.pass_number = format_number("CRZ", today.year, next_number("renovation_pass", today.year), 5)
        if fee:
            w.fee_charge_id = post_fee(ctx, r.home_id, "pass_fee", fee, r.id,
                                       f"出入证手续费（{card}证）{name} {w.pass_number}", quantity=1, unit_price=fee)
        if deposit:
            w.deposit_charge_id = post_fee(ctx, r.home_id, "pass_deposit", deposit, r.id,
                                           f"出入证押金 {name} {w.pass_number}", quantity=1, unit_price=deposit)
        w.save()
        if photo:
            attach(ctx, "renovation_worker", w.id, photo, notes="施工人员照片")
        audit.record(ctx, "renovation.worker", "renovation_worker", w.id, None, audit.model_dict(w))
    return w


def attach_worker_photo(ctx, worker_id, path):
    """Attach (or replace) a worker's photo for the pass card."""
    require(ctx, "renovation.edit")
    w = worker_or_404(worker_id)
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
    w = worker_or_404(worker_id)
    r = w.renovation
    if r.state != "施工中":
        raise StateError(f"装修许可证未发放（{r.state}），不能发放出入证")
    if w.issued_on:
        raise StateError(f"{w.name} 的出入证已于 {w.issued_on} 发放")
    if not worker_paid(w):
        raise StateError(f"{w.name} 的出入证手续费或押金尚未缴清")
    with ctx.db.atomic():
        w.issued_on, w.issued_by = ctx.clock.today(), user_id(ctx)
        w.save()
        audit.record(ctx, "renovation.pass_issue", "renovation_worker", w.id, None, {"issued_on": w.issued_on})
    return w


def extend_pass(ctx, worker_id, valid_until) -> RenovationWorker:
    """Extend a pass that is still out (works running longer than planned)."""
    require(ctx, "renovation.edit")
    w = worker_or_404(worker_id)
    if w.returned_on:
        raise StateError(f"{w.name} 的出入证已退还，不能延期")
    if w.renovation.state not in ("施工中", "已批准"):
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


def return_pass(ctx, worker_id, lost: bool = False, refund: bool = True) -> RenovationWorker:
    """Pass returned (or reported lost: the deposit is kept). With ``refund`` the paid pass
    deposit is paid back through the ledger in the same transaction (needs ledger.refund)."""
    require(ctx, "renovation.edit")
    w = worker_or_404(worker_id)
    if w.returned_on:
        raise StateError(f"{w.name} 的出入证已于 {w.returned_on} 退还")
    amount = 0 if lost else worker_deposit_held(w)
    if refund and amount:
        require(ctx, "ledger.refund")
    before = audit.model_dict(w)
    with ctx.db.atomic():
        w.returned_on, w.returned_by, w.lost = ctx.clock.today(), user_id(ctx), bool(lost)
        if refund and amount:
            p = refund_through_ledger(ctx, w.renovation.home_id, "pass_deposit", amount,
                                      f"出入证押金退还 {w.name} {w.pass_number}", w.renovation_id)
            w.deposit_refund_fen, w.refund_payment_id = amount, getattr(p, "id", None)
        w.save()
        audit.record(ctx, "renovation.pass_return", "renovation_worker", w.id, before, audit.model_dict(w))
    return w


def refund_pass_deposit(ctx, worker_id) -> RenovationWorker:
    """Pay back the deposit of a pass already returned (the cashier, later)."""
    require(ctx, "ledger.refund")
    w = worker_or_404(worker_id)
    if not w.returned_on or w.lost:
        raise StateError(f"{w.name} 的出入证未退还或已遗失，押金不予退还")
    if w.deposit_refund_fen:
        raise StateError(f"{w.name} 的出入证押金已退还")
    amount = worker_deposit_held(w)
    if not amount:
        raise StateError(f"{w.name} 的出入证押金未缴纳，无可退金额")
    with ctx.db.atomic():
        p = refund_through_ledger(ctx, w.renovation.home_id, "pass_deposit", amount,
                                      f"出入证押金退还 {w.name} {w.pass_number}", w.renovation_id)
        w.deposit_refund_fen, w.refund_payment_id = amount, getattr(p, "id", None)
        w.save()
        audit.record(ctx, "renovation.pass_refund", "renovation_worker", w.id, None, {"refund": amount})
    return w


def pass_state(w, today) -> str:
    if w.returned_on:
        return "已遗失" if w.lost else "已退还"
    if not w.issued_on:
        return "待发放" if worker_paid(w) else "待缴费"
    if w.valid_until < today:
        return "已过期"
    return "有效"


def workers_of(ctx, reno_id) -> list[RenovationWorker]:
    require(ctx, "renovation.view")
    return list(RenovationWorker.select().where(RenovationWorker.renovation == reno_id).order_by(RenovationWorker.id))


def worker_rows(ctx, reno_id) -> list[tuple]:
    today = ctx.clock.today()
    return [(w, pass_state(w, today)) for w in workers_of(ctx, reno_id)]
