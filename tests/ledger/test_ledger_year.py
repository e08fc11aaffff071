"""A year of simulated billing and payments on the 万兴现代城 demo site (1,865 homes): every total
on screen, in a print and in an export equals the sum of the ledger rows."""
import datetime as dt
import random
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from peewee import fn

from app.core.dates import add_period_months, period_bounds
from app.core.money import daxie, fmt_fen
from app.demo import ledger as demo_ledger
from app.demo import sites as demo
from app.ledger import arrears, billing, meters, month_ledger, payments
from models.ledger import Charge, Payment, Receipt
from models.property import Home
from tests.helpers.pdf import pdf_pages

pytestmark = pytest.mark.slow


def test_year_on_wanxing(ctx, tmp_path):
    demo.build_site(ctx, "wanxing", seed=2, extensions=False)
    rng = random.Random(11)
    homes = [h.id for h in Home.select(Home.id).where(Home.state != "未交付").order_by(Home.id)]
    assert len(homes) > 1000
    months = [add_period_months("2025-11", k) for k in range(12)]        # 2025-11 … 2026-10
    sample = homes[:40]
    for k, m in enumerate(months):
        first, last = period_bounds(m)
        ctx.clock.set(dt.datetime(first.year, first.month, 3, 9, 0))
        for i, hid in enumerate(sample[:10]):                           # meter readings at month start
            meters.record_reading(ctx, hid, "gas", str(30 * k + i), first)
        r = billing.run_month(ctx, m)
        assert r["lines"] > 1000
        ctx.clock.set(dt.datetime(last.year, last.month, 20, 10, 0))
        for hid in sample[k % 4::4][:5]:                                # desk payments through the service
            open_ids = [c["id"] for c in payments.home_charges(ctx, hid, only_open=True)]
            if open_ids:
                amounts = {open_ids[0]: 1000} if rng.random() < 0.3 else None
                rec = payments.pay(ctx, hid, open_ids, rng.choice(["cash", "card"]), "业主", amounts=amounts)
                if rng.random() < 0.1:
                    payments.void_receipt(ctx, rec.id, "收款有误")
        demo_ledger.pay_months(ctx, rng, [m])                           # the rest of the month's cashier work
    ctx.clock.set(dt.datetime(2026, 11, 23, 9, 0))
    assert billing.run_month(ctx, "2026-10")["lines"] == 0              # idempotent after a year

    # every charge: paid = sum of its lines, 0 ≤ paid ≤ amount
    sums = dict(Payment.select(Payment.charge, fn.SUM(Payment.amount_fen))
                .where(Payment.kind.in_(["pay", "void", "prepay"])).group_by(Payment.charge).tuples())
    bad = [c.id for c in Charge.select(Charge.id, Charge.paid_fen, Charge.amount_fen)
           if c.paid_fen != sums.get(c.id, 0) or not 0 <= c.paid_fen <= c.amount_fen]
    assert bad == []
    # receipts: numbers unbroken over the year, totals = their lines (voided ones net to zero)
    seqs = [s for (s,) in Receipt.select(Receipt.seq).where(Receipt.kind == "receipt").order_by(Receipt.year,
                                                                                                  Receipt.seq).tuples()]
    years = {y for (y,) in Receipt.select(Receipt.year).distinct().tuples()}
    if len(years) == 1:
        assert seqs == list(range(1, len(seqs) + 1))
    lines = dict(Payment.select(Payment.receipt, fn.SUM(Payment.amount_fen)).where(Payment.kind == "pay")
                 .group_by(Payment.receipt).tuples())
    for r in Receipt.select():
        assert r.total_fen == lines[r.id]
        if r.status == "void":
            assert Payment.select(fn.SUM(Payment.amount_fen)).where(Payment.receipt == r.id).scalar() == 0
    # arrears on screen = overdue open ledger rows, whichever way they are grouped
    open_total = int(Charge.select(fn.SUM(Charge.amount_fen - Charge.paid_fen)).where(
        (Charge.paid_fen < Charge.amount_fen) & Charge.category.not_in(["deposit", "prepay"])
        & (Charge.due_date < ctx.clock.today())).scalar() or 0)
    assert open_total > 0
    rows = arrears.home_arrears(ctx)
    assert sum(a.owed_fen for a in rows) == open_total
    for by in ("area_manager", "building", "cluster"):
        assert sum(g["owed_fen"] for g in arrears.summary_by(ctx, by)) == open_total
    assert sum(b["owed_fen"] for b in arrears.ageing(ctx)) == open_total
    # the Excel export of each month = the month's ledger rows
    for m in (months[0], months[-1]):
        out = tmp_path / f"{m}.xlsx"
        res = month_ledger.export_month_ledger(ctx, m, out)
        ws = load_workbook(out).active
        body = list(ws.iter_rows(min_row=2, values_only=True))[:-1]
        total = list(ws.iter_rows(values_only=True))[-1]
        billed = int(Charge.select(fn.SUM(Charge.amount_fen)).where(
            (Charge.period == m) & (Charge.category != "prepay")).scalar())
        paid = int(Charge.select(fn.SUM(Charge.paid_fen)).where(
            (Charge.period == m) & (Charge.category != "prepay")).scalar())
        assert res["billed_fen"] == billed and res["paid_fen"] == paid
        assert Decimal(str(total[6])) * 100 == billed == sum(Decimal(str(r[6])) * 100 for r in body)
        assert Decimal(str(total[7])) * 100 == paid
        assert Decimal(str(total[8])) * 100 == billed - paid
    # a home on screen: header totals = its charge rows; a printed receipt = its lines
    hid = rows[0].home_id
    head = payments.home_header(ctx, hid)
    ch = [c for c in payments.home_charges(ctx, hid) if c["category"] not in ("prepay", "deposit")]  # deposits apart
    assert head["billed_fen"] == sum(c["amount_fen"] for c in ch)
    assert head["owed_fen"] == sum(c["owed_fen"] for c in ch)
    rec = Receipt.select().where(Receipt.status == "valid").order_by(Receipt.total_fen.desc()).first()
    text = pdf_pages(payments.print_receipt(ctx, rec.id, "A4"))[0]
    assert rec.number in text and fmt_fen(rec.total_fen) in text and daxie(rec.total_fen) in text
