"""The end of a renovation: the deposit refunded less itemised deductions after the second
inspection (stage 9), or the renovation abandoned part way with its deposits paid back."""
from __future__ import annotations

from app.core import audit
from app.core.errors import StateError, ValidationError
from app.core.money import fmt_fen
from app.core.permissions import require
from app.renovation.common import (
    SOURCE,
    amount_fen,
    clean_text,
    home_state_after_works,
    renovation_or_404,
    snapshot,
    user_id,
)
from app.renovation.fees import deposit_held, refund_through_ledger, worker_deposit_held
from models.property import Home
from models.renovation import Renovation, RenovationDeduction


def _check_deductions(deductions, held) -> list[tuple[str, int]]:
    out = []
    for i, d in enumerate(deductions or (), 1):
        reason, amount = (d["reason"], d["amount"]) if isinstance(d, dict) else d
        reason = clean_text(reason, f"扣款事由（第{i}项）", max_len=100)
        fen = amount_fen(amount, f"扣款金额（第{i}项）")
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
    r = renovation_or_404(reno_id)
    if r.state != "已复验":
        raise StateError(f"装修登记 {r.number} 当前为“{r.state}”，复验通过后方可退还保证金")
    left = _unreturned(r)
    if left:
        raise StateError("尚有出入证未退还：" + "、".join(w.name for w in left))
    held = deposit_held(r)
    items = _check_deductions(deductions, held)
    with ctx.db.atomic():
        before = snapshot(r)
        _settle_deposit(ctx, r, items, held, "装修保证金退还")
        r.state = "已结案"
        r.save()
        audit.record(ctx, "renovation.refund", "renovation", r.id, before, snapshot(r))
    return r


def _settle_deposit(ctx, r, items, held, reason):
    today = ctx.clock.today()
    for reason_i, fen in items:
        RenovationDeduction.create(renovation=r.id, reason=reason_i, amount_fen=fen, recorded_on=today,
                                   recorded_by=user_id(ctx))
    amount = held - sum(f for _r, f in items)
    if amount > 0:
        memo = f"{reason} {r.number}" + (f"（扣除{fmt_fen(held - amount)}元）" if items else "")
        p = refund_through_ledger(ctx, r.home_id, "renovation_deposit", amount, memo, r.id)
        r.refund_payment_id = getattr(p, "id", None)
    r.refund_fen = amount
    r.refunded_on, r.refunded_by = today, user_id(ctx)


def abandon(ctx, reno_id, reason: str, deductions=()) -> Renovation:
    """Abandon a renovation part way. Refunded through the ledger: the renovation deposit paid
    (less itemised deductions) and the pass deposits of passes returned. Not refunded: the rubbish
    removal fee and pass fees (fees, not deposits); deposits of passes lost. Issued
    passes must be returned (or reported lost) first. The home goes back to its state before."""
    require(ctx, "renovation.approve")
    r = renovation_or_404(reno_id)
    if r.state not in ("待审批", "已批准", "施工中", "已完工"):
        raise StateError(f"装修登记 {r.number} 当前为“{r.state}”，不能放弃")
    reason = clean_text(reason, "放弃原因", max_len=1000)
    left = _unreturned(r)
    if left:
        raise StateError("请先收回出入证（或登记遗失）：" + "、".join(w.name for w in left))
    held = deposit_held(r)
    items = _check_deductions(deductions, held)
    refunds_needed = held or any(worker_deposit_held(w) for w in r.workers if not w.lost)
    if refunds_needed:
        require(ctx, "ledger.refund")
    before = snapshot(r)
    today = ctx.clock.today()
    with ctx.db.atomic():
        if held:
            _settle_deposit(ctx, r, items, held, "放弃装修 保证金退还")
        for w in r.workers:
            if not w.returned_on:
                w.returned_on, w.returned_by = today, user_id(ctx)
            held_w = 0 if w.lost else worker_deposit_held(w)
            if held_w:
                p = refund_through_ledger(ctx, r.home_id, "pass_deposit", held_w,
                            f"放弃装修 出入证押金退还 {w.name} {w.pass_number}", r.id)
                w.deposit_refund_fen, w.refund_payment_id = w.deposit_refund_fen + held_w, getattr(p, "id", None)
            w.save()
        home = Home.get_by_id(r.home_id)
        if home.state == "装修中" and r.permit_on:
            new_state = home_state_after_works(home, r.home_state_before)
            Home.update(state=new_state).where(Home.id == home.id).execute()
            audit.record(ctx, "home.state", "home", home.id, {"state": home.state}, {"state": new_state})
        # fees never paid are waived in the ledger (免收), so nothing stays owed for works not done
        from app.ledger.payments import waive
        from models.ledger import Charge
        for c in Charge.select().where((Charge.source == SOURCE) & (Charge.source_id == r.id)
                                       & (Charge.paid_fen < Charge.amount_fen) & (Charge.category != "deposit")):
            waive(ctx, c.id, f"放弃装修 {r.number}：{reason}", source=SOURCE, source_id=r.id)
        r.state = "已放弃"
        r.abandoned_on, r.abandoned_by, r.abandon_reason = today, user_id(ctx), reason
        r.save()
        audit.record(ctx, "renovation.abandon", "renovation", r.id, before, snapshot(r))
    return r
