"""Paying ahead at the desk (issue 17): 6 months of under-ground parking (240 元/月 × 6) on one receipt
naming 2027-01 至 2027-06, the monthly runs drawing it down, 已缴至 moving; the seed's numbers."""
import datetime as dt

import pytest

from app.core.errors import StateError, ValidationError
from app.ledger import billing, month_ledger, payments, prepay_desk, prepayment
from app.ledger.paid_until import paid_until, paid_until_text
from models.ledger import Charge, Payment, Receipt
from models.property import ParkingSpace
from tests.helpers.ledger import make_site
from tests.helpers.pdf import pdf_text

PARK = 24000          # 地下停车费 240 元/月 (domain.md §7)


@pytest.fixture
def site(ctx, users):
    return make_site(ctx, users)


def _bill_and_pay(ctx, home, *periods):
    for p in periods:
        billing.run_month(ctx, p)
    open_ids = [c["id"] for c in payments.home_charges(ctx, home.id, only_open=True)]
    payments.pay(ctx, home.id, open_ids, "cash", "业主1")


def _run(ctx, year, month):
    ctx.clock.set(dt.datetime(year, month, 1, 9, 0))
    return billing.run_month(ctx, f"{year}-{month:02d}")


def test_prepay_six_months_parking_receipt_and_draw_down(ctx, site):
    h = site["5-101"]
    _bill_and_pay(ctx, h, "2026-11", "2026-12")
    assert paid_until([h.id])[(h.id, "parking_under")] == "2026-12"
    q = prepay_desk.prepay_quote(ctx, h.id, "parking_under", 6)
    assert q == {"item": "parking_under", "from": "2027-01", "to": "2027-06", "months": 6,
                 "monthly_fen": PARK, "amount_fen": 6 * PARK}
    r = prepay_desk.prepay_at_desk(ctx, h.id, "parking_under", "card", "业主1", months=6)
    assert r.total_fen == 144000 and Receipt.select().where(Receipt.home == h.id).count() == 2
    charge = Charge.get((Charge.home == h.id) & (Charge.item_code == "parking_under_prepay"))
    assert (charge.category, charge.period, charge.paid_fen) == ("prepay", "2027-01", 144000)
    assert prepayment.prepay_balance(h.id, "parking_under") == 144000
    assert prepayment.prepay_balance(h.id) == 0            # the property fee's balance is apart
    assert paid_until([h.id])[(h.id, "parking_under")] == "2027-06"
    assert "地下停车费 2027-06" in paid_until_text(h.id)
    for layout in ("A4", "三联"):
        text = pdf_text(payments.print_receipt(ctx, r.id, layout))
        assert "2027-01 至 2027-06" in text and "预交地下停车费" in text and "6 个月" in text
    # each run draws one month; the property fee of the same home stays owed
    for m in range(1, 7):
        res = _run(ctx, 2027, m)
        assert res["prepaid_lines"] == 1 and res["prepaid_fen"] == PARK
        park = Charge.get((Charge.home == h.id) & (Charge.item_code == "parking_under")
                          & (Charge.bill_period == f"2027-{m:02d}"))
        assert park.paid_fen == park.amount_fen == PARK
        fee = Charge.get((Charge.home == h.id) & (Charge.item_code == "property_fee")
                         & (Charge.bill_period == f"2027-{m:02d}"))
        assert fee.paid_fen == 0
        assert prepayment.prepay_balance(h.id, "parking_under") == (6 - m) * PARK
    assert Payment.select().where((Payment.kind == "prepay") & (Payment.item_code == "parking_under")).count() == 6
    res = _run(ctx, 2027, 7)
    assert res["prepaid_lines"] == 0
    july = Charge.get((Charge.home == h.id) & (Charge.item_code == "parking_under") & (Charge.bill_period == "2027-07"))
    assert july.paid_fen == 0
    assert paid_until([h.id])[(h.id, "parking_under")] == "2027-06"
    # the month ledger's export column
    rows = {r["item_code"]: r for r in month_ledger.month_ledger(ctx, "2027-07") if r["home_id"] == h.id}
    assert rows["parking_under"]["paid_until"] == "2027-06"


def test_paid_until_month_and_next_prepayment_follows(ctx, site):
    h = site["5-101"]
    r = prepay_desk.prepay_at_desk(ctx, h.id, "property_fee", "cash", "业主1", until="2027-03")
    # nothing billed yet: from this month (2026-11) through 2027-03 = 5 months of 178.00
    assert r.total_fen == 5 * 17800
    assert paid_until([h.id])[(h.id, "property_fee")] == "2027-03"
    q = prepay_desk.prepay_quote(ctx, h.id, "property_fee", 3)
    assert (q["from"], q["to"]) == ("2027-04", "2027-06")
    text = pdf_text(payments.print_receipt(ctx, r.id, "A4"))
    assert "2026-11 至 2027-03" in text


def test_two_spaces_share_one_balance_without_overdraw(ctx, site):
    h = site["5-101"]
    r = prepay_desk.prepay_at_desk(ctx, h.id, "parking_under", "cash", "业主1", months=1)
    assert r.total_fen == PARK
    ParkingSpace.create(code="D-002", level="地下", home=h, state="已售")   # a second space after paying
    res = billing.run_month(ctx, "2026-11")
    lines = list(Payment.select().where((Payment.kind == "prepay") & (Payment.home == h.id)))
    assert [p.amount_fen for p in lines] == [PARK]          # one space settled, never the balance twice
    assert res["prepaid_fen"] == PARK
    assert prepayment.prepay_balance(h.id, "parking_under") == 0
    paid = sorted(c.paid_fen for c in Charge.select().where((Charge.home == h.id)
                                                            & (Charge.item_code == "parking_under")))
    assert paid == [0, PARK]
    assert prepay_desk.prepay_quote(ctx, h.id, "parking_under", 3)["monthly_fen"] == 2 * PARK


def test_refusals_name_the_field(ctx, site):
    h = site["5-101"]
    with pytest.raises(ValidationError) as e:
        prepay_desk.prepay_quote(ctx, h.id, "bicycle", 6)
    assert e.value.field == "收费项目" and "自行车" in str(e.value)
    with pytest.raises(ValidationError) as e:
        prepay_desk.prepay_quote(ctx, h.id, "water", 6)
    assert e.value.field == "收费项目"
    with pytest.raises(ValidationError) as e:
        prepay_desk.prepay_quote(ctx, h.id, "property_fee", 0)
    assert e.value.field == "预交月数"
    with pytest.raises(ValidationError) as e:
        prepay_desk.prepay_quote(ctx, h.id, "property_fee", None, "2026-01")
    assert e.value.field == "缴至月份"
    with pytest.raises(ValidationError) as e:
        prepay_desk.prepay_at_desk(ctx, h.id, "property_fee", "cash", "", months=3)
    assert e.value.field == "交款人"
    # a refusal writes nothing: no prepayment charge left behind
    assert not Charge.select().where(Charge.category == "prepay").exists()


def test_void_before_and_after_draw_down(ctx, site):
    h = site["5-101"]
    r = prepay_desk.prepay_at_desk(ctx, h.id, "parking_under", "cash", "业主1", months=2)
    payments.void_receipt(ctx, r.id, "收错")
    assert prepayment.prepay_balance(h.id, "parking_under") == 0
    assert (h.id, "parking_under") not in paid_until([h.id])
    r2 = prepay_desk.prepay_at_desk(ctx, h.id, "parking_under", "cash", "业主1", months=2)
    billing.run_month(ctx, "2026-11")
    with pytest.raises(StateError):
        payments.void_receipt(ctx, r2.id, "收错")


def test_move_in_prepayment_receipt_names_its_year(ctx, site):
    h = site["5-102"]
    pre = prepayment.prepay_property_fee(ctx, h.id)
    r = payments.pay(ctx, h.id, [pre.id], "cash", "业主2")
    assert "2026-11 至 2027-10" in pdf_text(payments.print_receipt(ctx, r.id, "三联"))
    assert paid_until([h.id])[(h.id, "property_fee")] == "2027-10"


def test_the_full_check_passes_after_history_prepayment_and_runs(ctx, site, tmp_path):
    from app.golive.history_import import import_history
    from app.office.checks import run_checks
    from tests.golive.test_history_import import ROWS, book
    import_history(ctx, book(tmp_path / "h.xlsx", ROWS[:3]))
    prepay_desk.prepay_at_desk(ctx, site["5-102"].id, "parking_above", "cash", "业主2", months=6)
    billing.run_month(ctx, "2026-11")
    _run(ctx, 2026, 12)
    checks = run_checks(ctx)
    assert [c.name for c in checks if not c.ok] == []
    assert any(c.name == "收费与审计日志核对" for c in checks)
