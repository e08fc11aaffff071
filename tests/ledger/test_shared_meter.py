"""Shared meters (公摊水电, issue 17): a charge item of formula 公摊（按面积/按户）, the common meter's month
entered as an amount, apportioned by the monthly run over the item's homes (half-up to the fen, the
remainder on the largest share, the lines summing exactly to the meter), idempotent, shown on the bill
and the receipt by name with its share. Homes of tests.helpers.ledger.make_site: 5-101 100.00㎡,
5-102 123.45㎡, 5-201 150.00㎡ (空置, billed: billing.bill_vacant), 6-101 200.00㎡, 6-102 80.00㎡;
6-201 未交付 is never billed."""
import pytest

from app.core.errors import StateError, ValidationError
from app.ledger import billing, bills, charge_item_edit, payments, shared_meter
from models.ledger import Charge
from models.users import AuditLog
from tests.helpers.ledger import make_site
from tests.helpers.pdf import pdf_pages

PERIOD = "2026-11"


@pytest.fixture
def site(ctx, users):
    return make_site(ctx, users)


def shared_item(ctx, name, formula, **extra):
    data = {"name": name, "category": "metered", "formula": formula, "scope": "all", "cycle": "month",
            "valid_from": "2026-01", **extra}
    return charge_item_edit.save_item(ctx, data)


def lines(code, period=PERIOD) -> dict:
    return {c.home.room_code: c for c in Charge.select().where((Charge.item_code == code)
                                                                & (Charge.bill_period == period))}


def test_apportion_sums_exactly_and_puts_the_remainder_on_the_largest():
    assert shared_meter.apportion(10001, {1: 1, 2: 1, 3: 1, 4: 1, 5: 1}) == {1: 2001, 2: 2000, 3: 2000, 4: 2000,
                                                                           5: 2000}
    # 10 fen over 50/50/50/150: half-up shares 2+2+2+5 = 11, the largest gives the fen back
    assert shared_meter.apportion(10, {1: 5000, 2: 5000, 3: 5000, 4: 15000}) == {1: 2, 2: 2, 3: 2, 4: 4}
    assert shared_meter.apportion(10000, {7: 10000, 8: 12345, 9: 15000}) == {7: 2678, 8: 3306, 9: 4016}
    assert shared_meter.apportion(500, {}) == {} and shared_meter.apportion(0, {1: 1}) == {}


def test_by_area_billed_by_the_monthly_run_exactly_and_once(ctx, site):
    power = shared_item(ctx, "公摊电费", "公摊（按面积）", basis="业主大会决议")
    assert power.category == "metered"
    assert billing.run_month(ctx, PERIOD)["by_item"].get(power.code) is None      # no reading: nothing billed
    shared_meter.record_reading(ctx, power.id, PERIOD, "1234.57", usage="1543.21", note="地下车库、电梯")
    res = billing.run_month(ctx, PERIOD)
    assert res["by_item"][power.code] == 5
    got = lines(power.code)
    # 123,457 fen × area / 65,345 (653.45 ㎡), half-up: 18,893.11 / 23,323.54 / 28,339.66 / 37,786.21 / 15,114.48
    assert {room: c.amount_fen for room, c in got.items()} == {
        "5-101": 18893, "5-102": 23324, "5-201": 28340, "6-101": 37786, "6-102": 15114}
    assert sum(c.amount_fen for c in got.values()) == 123457
    # the run's set-based split gives apportion()'s numbers
    assert shared_meter.apportion(123457, {c.home_id: c.home.area_x100 for c in got.values()}) == {
        c.home_id: c.amount_fen for c in got.values()}
    assert got["5-102"].memo == "按面积 123.45㎡/653.45㎡" and got["5-102"].category == "metered"
    again = billing.run_month(ctx, PERIOD)                                       # idempotent
    assert again["by_item"].get(power.code) is None and len(lines(power.code)) == 5
    with pytest.raises(StateError, match="已出账"):
        shared_meter.record_reading(ctx, power.id, PERIOD, "2000.00")
    [row] = shared_meter.readings(ctx, power.id)
    assert (row["amount_fen"], row["usage"], row["billed"]) == (123457, "1543.21", True)


def test_by_household_in_one_building_with_the_remainder(ctx, site):
    lift = shared_item(ctx, "公摊水费", "公摊（按户）", scope="building", scope_values="5")
    shared_meter.record_reading(ctx, lift.id, PERIOD, "100.01")
    billing.run_month(ctx, PERIOD)
    got = lines(lift.code)
    # 10,001 fen over 3 homes of building 5: 3,333.67 each half-up 3,334 × 3 = 10,002; 5-101 gives one back
    assert {room: c.amount_fen for room, c in got.items()} == {"5-101": 3333, "5-102": 3334, "5-201": 3334}
    assert sum(c.amount_fen for c in got.values()) == 10001
    assert {c.memo for c in got.values()} == {"按户 1户/3户"}
    assert shared_meter.bill_columns("公摊水费", "按户 1户/3户") == ("公摊水费（按户）", "1户", "共3户")


def test_reading_corrected_before_billing_audited_and_checked(ctx, as_role, site):
    power = shared_item(ctx, "公摊电费", "公摊（按面积）")
    with pytest.raises(ValidationError, match="公摊金额"):
        shared_meter.record_reading(ctx, power.id, PERIOD, "0")
    with pytest.raises(ValidationError, match="用量"):
        shared_meter.record_reading(ctx, power.id, PERIOD, "10.00", usage="很多")
    with pytest.raises(ValidationError, match="所属月份"):
        shared_meter.record_reading(ctx, power.id, "2026-13", "10.00")
    fee = charge_item_edit.save_item(ctx, {"name": "电梯费", "category": "periodic", "formula": "area",
                                           "rate": "0.50", "valid_from": "2026-01"})
    with pytest.raises(ValidationError, match="不是公摊分摊项目"):
        shared_meter.record_reading(ctx, fee.id, PERIOD, "10.00")
    shared_meter.record_reading(as_role("cashier"), power.id, PERIOD, "500.00")
    shared_meter.record_reading(ctx, power.id, PERIOD, "653.45")                  # corrected: one row
    audits = list(AuditLog.select().where(AuditLog.action == "ledger.shared_reading").order_by(AuditLog.id))
    assert len(audits) == 2 and '"amount_fen": 50000' in audits[1].before and '"amount_fen": 65345' in audits[1].after
    billing.run_month(ctx, PERIOD)
    assert {room: c.amount_fen for room, c in lines(power.code).items()} == {
        "5-101": 10000, "5-102": 12345, "5-201": 15000, "6-101": 20000, "6-102": 8000}   # 1.00 元/㎡ exactly


def test_editor_refuses_a_shared_formula_outside_metered(ctx, site):
    with pytest.raises(ValidationError, match="计算方式"):
        charge_item_edit.save_item(ctx, {"name": "公摊电费", "category": "periodic", "formula": "公摊（按面积）",
                                         "valid_from": "2026-01"})
    with pytest.raises(ValidationError, match="单价"):   # a metered item by meter still needs its rate
        charge_item_edit.save_item(ctx, {"name": "中水费", "category": "metered", "formula": "按表计量",
                                         "meter_kind": "水表", "valid_from": "2026-01"})
    power = shared_item(ctx, "公摊电费", "公摊（按面积）")
    [row] = [r for r in charge_item_edit.item_rows(ctx) if r["id"] == power.id]
    assert row["standard"] == "公摊（按面积），按月公摊表金额"
    assert shared_meter.shared_items() == [(power.id, "公摊电费")]


def test_bill_and_receipt_name_the_share(ctx, site):
    power = shared_item(ctx, "公摊电费", "公摊（按面积）")
    shared_meter.record_reading(ctx, power.id, PERIOD, "1234.57")
    billing.run_month(ctx, PERIOD)
    home = site["5-102"]
    batch = bills.issue_bills(ctx, PERIOD, home_id=home.id)
    # the bill's narrow columns: the share's basis in 数量, the whole in 单价
    [line] = [ln for ln in batch.bills[0].lines if ln.name.startswith("公摊")]
    assert (line.name, line.quantity, line.rate) == ("公摊电费（按面积）", "123.45㎡", "共653.45㎡")
    assert line.amount_fen == 23324
    charge = lines(power.code)["5-102"]
    receipt = payments.pay(ctx, home.id, [charge.id], "现金", "业主2")
    data = payments.receipt_print_data(ctx, receipt.id)
    assert [(ln.item, ln.amount_fen) for ln in data.lines] == [("公摊电费（按面积 123.45㎡/653.45㎡）", 23324)]
    from app.printing.receipt import render_receipt
    receipt_text = "".join(pdf_pages(render_receipt(ctx.settings, data, "A4"))).replace("\n", "")
    assert "公摊电费（按面积 123.45㎡/653.45㎡）" in receipt_text
    _batch, pdf = bills.bills_pdf(ctx, PERIOD, home_id=home.id)
    text = "".join(pdf_pages(pdf))
    assert "公摊电费（按面积）\n2026-11\n123.45㎡\n共653.45㎡\n233.24" in text
