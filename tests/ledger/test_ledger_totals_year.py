"""A year of simulated billing and payments on the 万兴现代城 demo site: every total on screen,
in a print and in an export equals the sum of the ledger rows (issue 4): the monthly export,
the collection-rate report, the cashier's daily reports, the arrears and the dunning board."""
import datetime as dt
import os
import random
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from peewee import fn

from app.core.clock import Clock
from app.core.money import fmt_fen
from app.ledger import billing, dunning, month_ledger
from app.ledger import reports as ledger_reports
from app.ledger.arrears import home_arrears
from app.ledger.payments import pay, void_receipt
from app.system.context import open_context
from models.db import close_database
from models.ledger import Charge, Payment, Receipt
from tests.helpers.pdf import pdf_text

pytestmark = pytest.mark.slow
MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    data = tmp_path_factory.mktemp("wanxing")
    url = os.environ.get("PROPERTYDESK_TEST_DATABASE")  # the same year on PostgreSQL in CI's second pass
    if url:
        from tests.conftest import _reset_postgres
        _reset_postgres(url)
    ctx = open_context(data, url, clock=Clock(dt.datetime(2025, 12, 28, 9)))
    from app.demo.sites import build_site
    from propertydesk.cli import cli_user
    ctx.user = cli_user()
    build_site(ctx, "wanxing", seed=7, extensions=False)
    ctx.user = cli_user()
    rng = random.Random(11)
    voided = 0
    for period in MONTHS:
        y, m = map(int, period.split("-"))
        ctx.clock.set(dt.datetime(y, m, 1, 8))
        billing.run_month(ctx, period)
        billing.run_month(ctx, period)  # idempotent: bills nothing twice
        ctx.clock.set(dt.datetime(y, m, 18, 10))
        homes = [h for (h,) in Charge.select(Charge.home).where(Charge.paid_fen < Charge.amount_fen)
                 .distinct().order_by(Charge.home).tuples()]
        for home in rng.sample(homes, min(40, len(homes))):
            open_ = list(Charge.select().where((Charge.home == home) & (Charge.paid_fen < Charge.amount_fen)
                                               & (Charge.category != "deposit")).order_by(Charge.id))
            if not open_:
                continue
            if rng.random() < 0.2:  # a part-payment of the oldest charge
                c = open_[0]
                r = pay(ctx, home, [c.id], rng.choice(["现金", "银行卡"]), "业主",
                        amounts={c.id: max(1, (c.amount_fen - c.paid_fen) // 2)})
            else:
                r = pay(ctx, home, [c.id for c in open_], "转账", "业主", reference=f"WX{rng.randint(1, 10**8)}")
            if rng.random() < 0.03:
                void_receipt(ctx, r.id, "收款金额有误")
                voided += 1
    ctx.clock.set(dt.datetime(2026, 12, 24, 9))
    yield ctx, voided
    close_database()


def test_billing_was_idempotent(year):
    dup = (Charge.select(Charge.home, Charge.item_code, Charge.bill_period, Charge.bill_ref, fn.COUNT(Charge.id))
           .where(Charge.bill_period.is_null(False))
           .group_by(Charge.home, Charge.item_code, Charge.bill_period, Charge.bill_ref)
           .having(fn.COUNT(Charge.id) > 1))
    assert dup.count() == 0
    assert {p for p in billing.billed_periods() if p.startswith("2026")} == set(MONTHS)


def test_charge_paid_equals_its_payment_lines(year):
    lines = dict(Payment.select(Payment.charge, fn.SUM(Payment.amount_fen)).where(Payment.kind != "refund")
                 .group_by(Payment.charge).tuples())
    for c in Charge.select(Charge.id, Charge.paid_fen):
        assert c.paid_fen == int(lines.get(c.id, 0)), c.id


def test_export_equals_ledger_rows(year, tmp_path):
    ctx, _ = year
    cents = lambda v: int(Decimal(str(v)) * 100)  # noqa: E731
    month_expr = fn.COALESCE(Charge.period, fn.SUBSTR(Charge.due_date.cast("VARCHAR(10)"), 1, 7))
    for period in ("2026-03", "2026-12"):
        out = tmp_path / f"{period}.xlsx"
        r = month_ledger.export_month_ledger(ctx, period, out)
        rows = month_ledger.month_ledger(ctx, period)
        ws = load_workbook(out).active
        values = [row for row in ws.iter_rows(min_row=2, values_only=True) if row[2]]
        assert sum(cents(v[6]) for v in values) == sum(x["billed_fen"] for x in rows) == r["billed_fen"]
        assert sum(cents(v[7]) for v in values) == sum(x["paid_fen"] for x in rows) == r["paid_fen"]
        assert sum(cents(v[8]) for v in values) == sum(x["owed_fen"] for x in rows) == r["owed_fen"]
        db_billed = (Charge.select(fn.SUM(Charge.amount_fen))
                     .where((month_expr == period) & (Charge.category != "prepay")).scalar())
        assert r["billed_fen"] == int(db_billed)


def test_collection_rate_equals_ledger_rows(year):
    ctx, _ = year
    for period in ("2026-01", "2026-07", "2026-12"):
        rep = ledger_reports.collection_rate(ctx, period)
        billed, paid = Charge.select(fn.SUM(Charge.amount_fen), fn.SUM(Charge.paid_fen)).where(
            (Charge.period == period) & Charge.category.in_(["periodic", "metered"])).tuples().first()
        assert rep.total.billed_fen == int(billed) and rep.total.collected_fen == int(paid)
        assert sum(r.billed_fen for r in rep.by_cluster) == rep.total.billed_fen
        assert sum(r.collected_fen for r in rep.by_cluster) == rep.total.collected_fen
        assert sum(r.billed_fen for r in rep.by_manager) == rep.total.billed_fen
        text = pdf_text(ledger_reports.report_pdf(ctx, "collection", period=period), sep="")
        assert fmt_fen(rep.total.billed_fen) in text and fmt_fen(rep.total.collected_fen) in text


def test_daily_reports_equal_receipts(year):
    ctx, voided = year
    total_voided = 0
    for m in range(1, 13):
        day = dt.date(2026, m, 18)
        rep = ledger_reports.daily_report(ctx, day)
        start = dt.datetime.combine(day, dt.time.min)
        valid = Receipt.select(fn.COALESCE(fn.SUM(Receipt.total_fen), 0)).where(
            (Receipt.issued_at >= start) & (Receipt.issued_at < start + dt.timedelta(days=1))
            & (Receipt.status == "valid")).scalar()
        assert rep.net_fen == int(valid)
        assert sum(v for _k, v in rep.by_method) == rep.net_fen == sum(v for _k, v in rep.by_item)
        total_voided += rep.voided
        text = pdf_text(ledger_reports.report_pdf(ctx, "daily", day=day), sep="")
        assert fmt_fen(rep.net_fen) in text
    assert total_voided == voided


def test_arrears_and_dunning_equal_ledger_rows(year):
    ctx, _ = year
    day = ctx.clock.today()
    overdue = Charge.select(fn.SUM(Charge.amount_fen - Charge.paid_fen)).where(
        (Charge.paid_fen < Charge.amount_fen) & Charge.category.not_in(["deposit", "prepay"])
        & (Charge.due_date < day)).scalar()
    assert sum(r.owed_fen for r in home_arrears(ctx, day)) == int(overdue)
    _stage, board = dunning.board(ctx, day)
    assert sum(r.owed_fen for r in board) == int(overdue)
