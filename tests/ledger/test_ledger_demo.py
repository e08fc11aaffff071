"""The ledger demo on a demo site: every total equals the sum of the ledger rows."""
import random

import pytest
from peewee import fn

from app.demo import ledger as demo_ledger
from app.demo import sites as demo
from app.ledger import arrears, billing, month_ledger, payments
from models.ledger import Charge, MeterReading, Payment, Receipt


@pytest.fixture
def demo_site(ctx):
    demo.build_site(ctx, "tianlun", seed=3, extensions=False)
    demo_ledger.populate(ctx, random.Random(5))
    return ctx


def test_demo_ledger_consistent(demo_site):
    ctx = demo_site
    assert Charge.select().count() > 500 and MeterReading.select().count() > 1000
    months = billing.billed_periods()
    assert months[:3] == ["2026-10", "2026-09", "2026-08"]
    # each charge's paid amount is the sum of its payment lines
    sums = dict(Payment.select(Payment.charge, fn.SUM(Payment.amount_fen))
                .where(Payment.kind.in_(["pay", "void", "prepay"])).group_by(Payment.charge).tuples())
    for c in Charge.select(Charge.id, Charge.paid_fen, Charge.amount_fen):
        assert c.paid_fen == sums.get(c.id, 0) and 0 <= c.paid_fen <= c.amount_fen
    # receipt numbers unbroken, each receipt total = its lines
    seqs = [r.seq for r in Receipt.select(Receipt.seq).where(Receipt.kind == "receipt").order_by(Receipt.seq)]
    assert seqs == list(range(1, len(seqs) + 1))
    lines = dict(Payment.select(Payment.receipt, fn.SUM(Payment.amount_fen)).where(Payment.kind == "pay")
                 .group_by(Payment.receipt).tuples())
    for r in Receipt.select():
        assert r.total_fen == lines[r.id]
    # arrears: some homes owe; the total equals the open overdue ledger rows
    rows = arrears.home_arrears(ctx)
    assert rows
    open_total = sum(c.amount_fen - c.paid_fen for c in Charge.select().where(
        (Charge.paid_fen < Charge.amount_fen) & Charge.category.not_in(["deposit", "prepay"])
        & (Charge.due_date < ctx.clock.today())))
    assert sum(a.owed_fen for a in rows) == open_total
    assert sum(g["owed_fen"] for g in arrears.summary_by(ctx, "building")) == open_total
    assert sum(b["owed_fen"] for b in arrears.ageing(ctx)) == open_total
    # the month ledger (export) ties to the charges
    led = month_ledger.month_ledger(ctx, "2026-10")
    assert sum(r["billed_fen"] for r in led) == sum(
        c.amount_fen for c in Charge.select().where(Charge.bill_period == "2026-10"))
    # a home's totals on screen = its rows
    hid = rows[0].home_id
    t = payments.home_totals(hid)
    ch = [c for c in payments.home_charges(ctx, hid) if c["category"] not in ("prepay", "deposit")]  # deposits apart
    assert t["owed_fen"] == sum(c["owed_fen"] for c in ch) >= rows[0].owed_fen
    from models.people import HomeOwner, Owner
    flagged = {o for (o,) in HomeOwner.select(HomeOwner.owner).join(Owner).where(Owner.arrears_flag == True).tuples()}  # noqa: E712
    owners_in_arrears = {o for (o,) in HomeOwner.select(HomeOwner.owner).where(
        HomeOwner.home.in_([a.home_id for a in rows]) & HomeOwner.until.is_null()).tuples()}
    assert owners_in_arrears <= flagged
