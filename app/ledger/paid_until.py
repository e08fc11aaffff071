"""已缴至 (paid-until): the last month of each periodic item a home has paid for, from three sources —
the billed months fully paid (the monthly runs' charges), the months its paid prepayments cover
(period … period + months − 1) and the payment history brought in at go-live (models.payhistory).
The latest of the three counts. Set-based: one query per source for any number of homes (the
ledger header asks for one home, the export for all)."""
from __future__ import annotations

from peewee import fn

from app.core.dates import add_period_months
from app.ledger.prepayment import ITEM_OF_PREPAY, PREPAY_CODES
from models.ledger import Charge
from models.payhistory import PaymentHistory

PERIODIC = tuple(PREPAY_CODES)


def _merge(out: dict, key, period) -> None:
    if period and (key not in out or period > out[key]):
        out[key] = period


def paid_until(home_ids=None) -> dict[tuple[int, str], str]:
    """{(home_id, item_code): "YYYY-MM"} for every home (or those of *home_ids*) and periodic item
    with anything paid."""
    ids = None if home_ids is None else [int(h) for h in home_ids]
    out: dict[tuple[int, str], str] = {}
    billed = (Charge.select(Charge.home, Charge.item_code, fn.MAX(Charge.bill_period))
              .where(Charge.item_code.in_(PERIODIC) & Charge.bill_period.is_null(False)
                     & (Charge.paid_fen >= Charge.amount_fen))
              .group_by(Charge.home, Charge.item_code))
    prepaid = (Charge.select(Charge.home, Charge.item_code, Charge.period, Charge.quantity_milli)
               .where((Charge.category == "prepay") & Charge.item_code.in_(list(ITEM_OF_PREPAY))
                      & (Charge.amount_fen > 0) & (Charge.paid_fen >= Charge.amount_fen)))
    history = (PaymentHistory.select(PaymentHistory.home, PaymentHistory.item_code, fn.MAX(PaymentHistory.period_to))
               .group_by(PaymentHistory.home, PaymentHistory.item_code))
    if ids is not None:
        billed = billed.where(Charge.home.in_(ids))
        prepaid = prepaid.where(Charge.home.in_(ids))
        history = history.where(PaymentHistory.home.in_(ids))
    for hid, item, period in billed.tuples():
        _merge(out, (hid, item), period)
    for hid, code, start, qty in prepaid.tuples():
        months = int(qty or 0) // 1000
        if start and months > 0:
            _merge(out, (hid, ITEM_OF_PREPAY[code]), add_period_months(start, months - 1))
    for hid, item, period in history.tuples():
        _merge(out, (hid, item), period)
    return out


def home_paid_until(home_id) -> list[tuple[str, str]]:
    """One home's (item_code, "YYYY-MM") in the items' order."""
    got = paid_until([home_id])
    return [(item, got[(int(home_id), item)]) for item in PERIODIC if (int(home_id), item) in got]


def paid_until_text(home_id) -> str:
    """已缴至 for the ledger header: "物业服务费 2027-06；地下停车费 2027-06" (empty when nothing paid)."""
    from app.ledger.charge_items import item_name
    return "；".join(f"{item_name(item)} {p}" for item, p in home_paid_until(home_id))
