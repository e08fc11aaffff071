"""Per-count office items (按数量, issue 17): 电动车充电桩管理费 8.00 元/辆·月 billed count × rate by the
monthly run from the counts per home (item_count); changes from a month, ends, quarterly, validation,
receipt and bill texts, audit. Runs on SQLite and, with PROPERTYDESK_TEST_DATABASE, on PostgreSQL."""
import datetime as dt

import pytest

from app.core import audit_words
from app.core.errors import PermissionDenied, StateError, ValidationError
from app.ledger import billing, bills, charge_item_edit, charge_items, item_counts, payments
from models.item_counts import ItemCount
from models.ledger import Charge
from models.users import AuditLog
from tests.helpers.ledger import make_site
from tests.helpers.pdf import pdf_text


@pytest.fixture
def site(ctx, users):
    return make_site(ctx, users)


def count_item(ctx, **data):
    base = {"name": "电动车充电桩管理费", "category": "periodic", "formula": "count", "rate": "8.00",
            "count_unit": "辆", "scope": "all", "cycle": "month", "valid_from": "2026-01"}
    return charge_item_edit.save_item(ctx, {**base, **data})


def lines(code, period=None):
    q = Charge.select().where(Charge.item_code == code)
    if period:
        q = q.where(Charge.bill_period == period)
    return {c.home.room_code: c for c in q}


def test_count_times_rate_billed_once(ctx, site):
    ev = count_item(ctx)
    assert ev.unit == "元/辆·月"
    item_counts.set_counts(ctx, site["5-101"].id, {ev.code: 2})
    item_counts.set_counts(ctx, site["5-102"].id, {"电动车充电桩管理费": "1"})
    res = billing.run_month(ctx, "2026-11")
    got = lines(ev.code, "2026-11")
    assert set(got) == {"5-101", "5-102"}   # the homes with a count only
    assert got["5-101"].amount_fen == 1600 and got["5-102"].amount_fen == 800
    assert got["5-101"].quantity_milli == 2000 and got["5-101"].unit_price_fen == 800
    assert got["5-101"].memo == "8.00 元/辆·月 × 2"
    assert res["by_item"][ev.code] == 2
    again = billing.run_month(ctx, "2026-11")
    assert ev.code not in again["by_item"]
    assert Charge.select().where(Charge.item_code == ev.code).count() == 2
    # the 收费标准 table lists the rate per unit
    std = [s for s in charge_items.standards(ctx.settings) if s["item_code"] == ev.code]
    assert [(s["rate_fen"], s["unit"], s["variant"]) for s in std] == [(800, "元/辆·月", "按数量")]


def test_change_from_next_month_and_end(ctx, site):
    ev = count_item(ctx)
    home = site["5-101"].id
    item_counts.set_counts(ctx, home, {ev.code: 2})
    changed = item_counts.set_counts(ctx, home, {ev.code: 3}, start="2026-12")
    assert changed == [{"code": ev.code, "name": "电动车充电桩管理费", "before": 2, "after": 3, "from": "2026-12"}]
    billing.run_month(ctx, "2026-11")
    assert lines(ev.code, "2026-11")["5-101"].amount_fen == 1600   # still 2 in November
    ctx.clock.set(dt.datetime(2026, 12, 20, 9))
    billing.run_month(ctx, "2026-12")
    assert lines(ev.code, "2026-12")["5-101"].amount_fen == 2400
    # ended from January: nothing billed then; the rows are kept, the old ones ended
    item_counts.set_counts(ctx, home, {ev.code: 0}, start="2027-01")
    ctx.clock.set(dt.datetime(2027, 1, 20, 9))
    billing.run_month(ctx, "2027-01")
    assert lines(ev.code, "2027-01") == {}
    rows = [(r.count, r.valid_from, r.valid_to) for r in ItemCount.select().order_by(ItemCount.id)]
    assert rows == [(2, "2026-11", "2026-11"), (3, "2026-12", "2026-12")]
    assert [c["count"] for c in item_counts.home_counts(ctx, home)] == [0]
    assert item_counts.home_counts(ctx, home, "2026-12")[0]["count"] == 3
    # the same count again changes nothing and writes no audit row
    n_audit = AuditLog.select().where(AuditLog.action == "ledger.item_count").count()
    assert item_counts.set_counts(ctx, home, {ev.code: 0}) == []
    assert AuditLog.select().where(AuditLog.action == "ledger.item_count").count() == n_audit == 3


def test_change_in_the_same_month_replaces_and_earlier_change_refused(ctx, site):
    ev = count_item(ctx)
    home = site["5-102"].id
    item_counts.set_counts(ctx, home, {ev.code: 1}, start="2026-12")
    item_counts.set_counts(ctx, home, {ev.code: 4}, start="2026-12")   # typed wrong, corrected the same month
    ctx.clock.set(dt.datetime(2026, 12, 20, 9))
    billing.run_month(ctx, "2026-12")
    assert lines(ev.code, "2026-12")["5-102"].amount_fen == 3200
    assert ItemCount.select().count() == 2   # the replaced row is kept (ended before it began)
    with pytest.raises(StateError, match="已登记自 2026-12 起的数量"):
        item_counts.set_counts(ctx, home, {ev.code: 2}, start="2026-11")


def test_quarterly_item_times_count(ctx, site):
    ctx.clock.set(dt.datetime(2026, 12, 20, 9))
    pets = count_item(ctx, name="宠物管理费", rate="30", count_unit="只", cycle="quarter")
    assert pets.unit == "元/只·季"
    item_counts.set_counts(ctx, site["6-102"].id, {pets.code: 2}, start="2026-12")
    billing.run_month(ctx, "2026-12")
    assert lines(pets.code) == {}   # not the first month of a quarter
    billing.run_month(ctx, "2027-01")
    line = lines(pets.code, "2027-01")["6-102"]
    assert line.amount_fen == 6000 and line.quantity_milli == 2000
    assert line.memo == "30.00 元/只·季 × 2，2027-01至2027-03"
    ctx.clock.set(dt.datetime(2027, 1, 3, 9))
    _batch, pdf = bills.bills_pdf(ctx, "2027-01", home_id=site["6-102"].id)
    text = pdf_text(pdf).replace("\n", " ")
    # the months it pays for in 所属期间, on a second line of the cell
    assert "宠物管理费 2027-01 至2027-03 2 只 30.00 元/只·季 60.00" in text and "…" not in text


def test_homes_not_handed_over_and_stopped_items_not_billed(ctx, site):
    ev = count_item(ctx)
    item_counts.set_counts(ctx, site["6-201"].id, {ev.code: 1})   # 未交付
    item_counts.set_counts(ctx, site["6-101"].id, {ev.code: 1})
    billing.run_month(ctx, "2026-11")
    assert set(lines(ev.code, "2026-11")) == {"6-101"}
    charge_item_edit.set_active(ctx, ev.id, False)
    ctx.clock.set(dt.datetime(2026, 12, 20, 9))
    billing.run_month(ctx, "2026-12")
    assert lines(ev.code, "2026-12") == {}
    with pytest.raises(ValidationError, match="收费项目：“电动车充电桩管理费”不是启用中的按数量计费项目"):
        item_counts.set_counts(ctx, site["6-101"].id, {ev.code: 2})


@pytest.mark.parametrize("value", [100, -1, "2.5", "两", True, ""])
def test_count_must_be_0_to_99(ctx, site, value):
    ev = count_item(ctx)
    with pytest.raises(ValidationError) as err:
        item_counts.set_counts(ctx, site["5-101"].id, {ev.code: value})
    assert err.value.field == "数量（电动车充电桩管理费）" and "0 到 99" in err.value.problem
    assert ItemCount.select().count() == 0


def test_item_form_checks(ctx, site):
    with pytest.raises(ValidationError, match="计数单位"):
        count_item(ctx, count_unit="元/辆")
    with pytest.raises(ValidationError, match="计算方式"):
        count_item(ctx, category="one_off")
    ev = count_item(ctx)
    values = charge_item_edit.form_values(ev.id)
    assert values["formula"] == "count" and values["count_unit"] == "辆" and values["meter_kind"] == "water"
    assert "按数量 8.00 元/辆·月" in next(r["standard"] for r in charge_item_edit.item_rows(ctx) if r["id"] == ev.id)


def test_permissions_and_audit(ctx, site, as_role):
    ev = count_item(ctx)
    with pytest.raises(PermissionDenied):
        item_counts.set_counts(as_role("frontdesk"), site["5-101"].id, {ev.code: 1})
    item_counts.set_counts(as_role("cashier"), site["5-101"].id, {ev.code: 2}, memo="两辆电动车")
    row = AuditLog.select().where(AuditLog.action == "ledger.item_count").get()
    assert row.entity_id == str(site["5-101"].id)
    assert audit_words.ACTION_LABELS["ledger.item_count"] == "设定计费数量"
    assert ItemCount.get().memo == "两辆电动车"


def test_receipt_and_bill_show_rate_times_count(ctx, site):
    ev = count_item(ctx)
    home = site["5-101"].id
    item_counts.set_counts(ctx, home, {ev.code: 2})
    billing.run_month(ctx, "2026-11")
    charge = lines(ev.code, "2026-11")["5-101"]
    receipt = payments.pay(ctx, home, [charge.id], "cash", "业主1")
    data = payments.receipt_print_data(ctx, receipt.id)
    line = next(ln for ln in data.lines if ln.item.startswith("电动车充电桩管理费"))
    assert line.item == "电动车充电桩管理费（8.00 元/辆·月 × 2）" and line.amount_fen == 1600
    assert line.quantity == "2" and line.unit_price == 800
    text = "".join(pdf_text(payments.print_receipt(ctx, receipt.id, "a4")).split())   # wrapped in its cell
    assert "电动车充电桩管理费（8.00元/辆·月×2）2026-11" in text
    item_counts.set_counts(ctx, site["5-102"].id, {ev.code: 1}, start="2026-12")
    ctx.clock.set(dt.datetime(2026, 12, 3, 9))
    billing.run_month(ctx, "2026-12")
    _batch, pdf = bills.bills_pdf(ctx, "2026-12", home_id=site["5-102"].id)
    text = pdf_text(pdf).replace("\n", " ")
    # the bill's 数量 and 单价 columns: “1 辆 8.00 元/辆·月”
    assert "电动车充电桩管理费 2026-12 1 辆 8.00 元/辆·月 8.00" in text
