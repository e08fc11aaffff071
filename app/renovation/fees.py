"""Stage 3, fees (装修管理 缴费): the deposit by house type and the rubbish fee by area are posted to
the fee ledger at approval, the pass fee and deposit per worker; what is paid and refunded is
read back from the ledger."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from app.core.errors import ValidationError
from app.core.money import mul_fen
from app.core.permissions import require
from app.renovation.common import SOURCE, renovation_or_404
from models.renovation import Renovation, RenovationWorker


def deposit_for(ctx, house_type: str) -> int:
    key = f"renovation.deposit.{house_type}"
    try:
        return int(ctx.settings.get(key))
    except KeyError:
        raise ValidationError("户型", f"“{house_type}”没有设置装修保证金标准") from None


def rubbish_fee_for(ctx, area_x100: int) -> int:
    """垃圾清运费 = area × rate, rounded half-up once (4 元/m² × 123.45 m² = 493.80 元)."""
    return mul_fen(Decimal(int(area_x100)) / Decimal(100), ctx.settings.get("renovation.rubbish_rate"))


def post_fee(ctx, home_id, code, amount, reno_id, memo, quantity=None, unit_price=None):
    from app.ledger import billing
    charge = billing.post_charge(ctx, home_id, code, amount, quantity=quantity, memo=memo,
                                 source=SOURCE, source_id=reno_id, unit_price_fen=unit_price)
    return charge.id


def _charge(charge_id):
    if not charge_id:
        return None
    from models.ledger import Charge
    return Charge.get_or_none(Charge.id == charge_id)


# charge states bulk-loaded while a list is built (a context variable: lists are built off the GUI thread too)
_BULK_CHARGES: ContextVar[dict | None] = ContextVar("renovation_bulk_charges", default=None)


@contextmanager
def bulk_charges():
    """Load the state of every renovation charge in one query for the length of a list build."""
    if _BULK_CHARGES.get() is not None:
        yield
        return
    from models.ledger import Charge
    token = _BULK_CHARGES.set({cid: (int(a), int(p), int(f)) for cid, a, p, f in
                               Charge.select(Charge.id, Charge.amount_fen, Charge.paid_fen, Charge.refunded_fen)
                               .where(Charge.source == SOURCE).tuples()})
    try:
        yield
    finally:
        _BULK_CHARGES.reset(token)


def charge_status(charge_id) -> tuple[int, int, int]:
    """(amount, paid, refunded) fen of a ledger charge; (0, 0, 0) when there is none."""
    bulk = _BULK_CHARGES.get()
    if bulk is not None and charge_id in bulk:
        return bulk[charge_id]
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


def deposit_held(r) -> int:
    """The renovation deposit paid and not yet refunded (fen)."""
    _a, paid, refunded = charge_status(r.deposit_charge_id)
    return max(paid - refunded, 0)


def worker_deposit_held(w) -> int:
    """The pass deposit this worker paid and has not had back (per worker, from our own record:
    the ledger pools pass deposits of one renovation)."""
    _a, paid, _refunded = charge_status(w.deposit_charge_id)
    return max(min(paid, w.deposit_fen) - w.deposit_refund_fen, 0)


def refund_through_ledger(ctx, home_id, code, amount, reason, reno_id):
    from app.ledger import payments
    return payments.refund(ctx, home_id, code, amount, reason, source=SOURCE, source_id=reno_id)


def fee_lines(ctx, reno_id) -> list[dict]:
    require(ctx, "renovation.view")
    return fees_of(renovation_or_404(reno_id))
