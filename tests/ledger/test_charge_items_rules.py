"""The office's own charge items (issue 17): yearly, quarterly, building-restricted and tiered
metered items billed by the monthly run on the seed's homes; the vacant-home share; idempotency."""
import datetime as dt

import pytest

from app.core import audit_words
from app.core.errors import PermissionDenied, ValidationError
from app.ledger import billing, charge_item_edit, charge_items, meters, payments
from models.ledger import Charge, ChargeItem, ChargeStandard
from models.users import AuditLog
from tests.helpers.ledger import make_site

HANDED_OVER = ("5-101", "5-102", "6-101", "6-102")   # 5-201 空置 billed too (billing.bill_vacant), 6-201 未交付 not


@pytest.fixture
def site(ctx, users):
    return make_site(ctx, users)


def item(ctx, **data):
    base = {"category": "periodic", "formula": "area", "scope": "all", "cycle": "month", "valid_from": "2026-01"}
    return charge_item_edit.save_item(ctx, {**base, **data})


def lines(code, period=None):
    q = Charge.select().where(Charge.item_code == code)
    if period:
        q = q.where(Charge.bill_period == period)
    return {c.home.room_code: c for c in q}


def test_yearly_heating_billed_once_a_year_in_november(ctx, site):
    heat = item(ctx, name="暖气费", rate="25.00", cycle="year", bill_month="11",
                basis="《供热价格管理办法》", due_day="15")
    assert heat.code.startswith("custom_") and heat.category == "periodic"
    res = billing.run_month(ctx, "2026-11")
    got = lines(heat.code, "2026-11")
    # 100 m² × 25.00 = 2,500.00 元; 123.45 m² × 25.00 = 3,086.25 元; 5-201 空置 150 m² (billed); not 6-201 未交付
    assert got["5-101"].amount_fen == 250000 and got["5-102"].amount_fen == 308625
    assert set(got) == {*HANDED_OVER, "5-201"}
    assert got["5-101"].memo == "2026-11至2027-10"
    assert got["5-101"].due_date == dt.date(2026, 11, 15)
    assert res["by_item"][heat.code] == 5
    # December bills no heating; the next November does
    billing.run_month(ctx, "2026-12")
    assert lines(heat.code, "2026-12") == {}
    for month in range(1, 12):
        ctx.clock.set(dt.datetime(2027, month, 1, 9))
        billing.run_month(ctx, f"2027-{month:02d}")
    assert Charge.select().where(Charge.item_code == heat.code).count() == 10
    assert lines(heat.code, "2027-11")["6-101"].amount_fen == 500000   # 200 m² × 25.00


def test_quarterly_fixed_item_in_first_month_of_quarter(ctx, site):
    ctx.clock.set(dt.datetime(2026, 12, 20, 9))
    rubbish = item(ctx, name="垃圾清运费", formula="fixed", rate="30", cycle="quarter")
    billing.run_month(ctx, "2026-12")
    assert lines(rubbish.code) == {}
    billing.run_month(ctx, "2027-01")
    got = lines(rubbish.code, "2027-01")
    assert {c.amount_fen for c in got.values()} == {3000} and len(got) == 5
    assert got["6-102"].memo == "2027-01至2027-03" and got["6-102"].quantity_milli is None


def test_building_restricted_elevator_fee(ctx, site):
    lift = item(ctx, name="电梯费", rate="0.35", scope="building", scope_values="5号楼")
    billing.run_month(ctx, "2026-11")
    got = lines(lift.code, "2026-11")
    assert set(got) == {"5-101", "5-102", "5-201"}
    assert got["5-102"].amount_fen == 4321   # 123.45 × 0.35 = 43.2075 → 43.21
    # by house type instead: only 洋房 (5-101, 5-102)
    charge_item_edit.save_item(ctx, {**charge_item_edit.form_values(lift.id), "scope": "house_type",
                                     "scope_values": "洋房"}, lift.id)
    billing.run_month(ctx, "2026-12")
    assert set(lines(lift.code, "2026-12")) == {"5-101", "5-102"}


def test_tiered_secondary_water_supply(ctx, site):
    water2 = item(ctx, name="二次供水费", category="metered", formula="meter", meter_kind="水表", rate="0.50",
                  tiers="10=0.80；20=1.20")
    h = site["5-101"]
    meters.record_reading(ctx, h, "water", "100", "2026-10-31")
    meters.record_reading(ctx, h, "water", "125.5", "2026-11-20")
    meters.record_reading(ctx, site["6-101"], "water", "0", "2026-10-31")
    meters.record_reading(ctx, site["6-101"], "water", "8", "2026-11-20")
    billing.run_month(ctx, "2026-11")
    got = lines(water2.code, "2026-11")
    # 25.5 t: 10 × 0.50 + 10 × 0.80 + 5.5 × 1.20 = 5.00 + 8.00 + 6.60 = 19.60 元; 8 t × 0.50 = 4.00 元
    assert got["5-101"].amount_fen == 1960 and got["5-101"].quantity_milli == 25500
    assert got["6-101"].amount_fen == 400 and got["6-101"].category == "metered"
    # the water line itself is unchanged: 25.5 t × 2.40 (fee.water_home)
    assert lines("water", "2026-11")["5-101"].amount_fen == 6120
    # standards: one row per tier
    variants = [r["variant"] for r in charge_items.standards(ctx.settings) if r["item_code"] == water2.code]
    assert variants == ["第一阶梯（≤10吨）", "第二阶梯（>10吨）", "第三阶梯（>20吨）"]


def test_vacant_home_billed_at_share(ctx, site):
    ctx.settings.set("billing.vacant_rate_pct", 70)
    billing.run_month(ctx, "2026-11")
    fee = lines("property_fee", "2026-11")
    # 5-201 空置 叠加 150 m² × 2.30 = 345.00 元 × 70 % = 241.50 元
    assert fee["5-201"].amount_fen == 24150 and fee["5-201"].memo == "空置 70%"
    assert fee["5-101"].amount_fen == 17800 and fee["5-101"].memo == ""
    ctx.settings.set("billing.bill_vacant", False)
    billing.run_month(ctx, "2026-12")
    assert "5-201" not in lines("property_fee", "2026-12")


def test_vacant_rate_setting_has_a_range(ctx):
    with pytest.raises(ValidationError) as e:
        ctx.settings.set("billing.vacant_rate_pct", 120)
    assert "billing.vacant_rate_pct" in str(e.value) or "空置" in str(e.value)


def test_run_is_idempotent_with_custom_items(ctx, site):
    lift = item(ctx, name="电梯费", rate="0.35")
    first = billing.run_month(ctx, "2026-11")
    again = billing.run_month(ctx, "2026-11")
    assert first["by_item"][lift.code] == 5 and again["lines"] == 0
    assert Charge.select().where(Charge.item_code == lift.code).count() == 5


def test_receipt_and_standards_name_the_item(ctx, site):
    lift = item(ctx, name="电梯费", rate="0.35", basis="物价局备案")
    billing.run_month(ctx, "2026-11")
    c = lines(lift.code, "2026-11")["5-101"]
    receipt = payments.pay(ctx, site["5-101"].id, [c.id], "cash", "业主1")
    assert [ln.item for ln in payments.receipt_print_data(ctx, receipt.id).lines] == ["电梯费"]
    row = ChargeStandard.select().join(ChargeItem).where(ChargeItem.code == lift.code).get()
    assert (row.rate_fen, row.unit, row.basis) == (35, "元/㎡·月", "物价局备案")
    # stopped: no longer billed, its standard gone, its charges kept
    charge_item_edit.set_active(ctx, lift.id, False)
    billing.run_month(ctx, "2026-12")
    assert lines(lift.code, "2026-12") == {} and len(lines(lift.code)) == 5
    assert not ChargeStandard.select().join(ChargeItem).where(ChargeItem.code == lift.code).exists()


def test_edit_is_audited_and_manager_only(ctx, site, as_role):
    lift = item(ctx, name="电梯费", rate="0.35")
    charge_item_edit.save_item(ctx, {**charge_item_edit.form_values(lift.id), "rate": "0.40"}, lift.id)
    rows = list(AuditLog.select().where(AuditLog.action.startswith("ledger.charge_item")).order_by(AuditLog.id))
    assert [r.action for r in rows] == ["ledger.charge_item_add", "ledger.charge_item_edit"]
    assert audit_words.action_label("ledger.charge_item_edit") == "修改收费项目"
    with pytest.raises(PermissionDenied):
        item(as_role("cashier"), name="暖气费", rate="25")
    with pytest.raises(PermissionDenied):
        charge_item_edit.set_active(as_role("cashier"), lift.id, False)


@pytest.mark.parametrize("data,field", [
    ({"name": ""}, "名称"),
    ({"name": "物业服务费"}, "名称"),
    ({"rate": "0"}, "单价"),
    ({"rate": "abc"}, "单价"),
    ({"category": "metered"}, "计算方式"),
    ({"scope": "building", "scope_values": "99"}, "适用户型/楼栋"),
    ({"scope": "house_type", "scope_values": "别墅"}, "适用户型/楼栋"),
    ({"cycle": "year", "bill_month": "13"}, "计收月份"),
    ({"valid_from": "2027-05", "valid_to": "2027-01"}, "截止月份"),
    ({"tiers": "10=1"}, "阶梯"),
    ({"due_day": "40"}, "缴费截止日"),
])
def test_bad_input_names_the_field(ctx, site, data, field):
    with pytest.raises(ValidationError) as e:
        item(ctx, **{"name": "电梯费", "rate": "0.35", **data})
    assert e.value.field == field


def test_editor_lists_shipped_and_own_items(ctx, site):
    item(ctx, name="电梯费", rate="0.35", scope="building", scope_values="5")
    rows = {r["name"]: r for r in charge_item_edit.item_rows(ctx)}
    assert rows["物业服务费"]["state"] == "内置" and "站点设置" in rows["物业服务费"]["standard"]
    assert rows["电梯费"]["standard"] == "面积×单价 0.35 元/㎡·月，每月" and rows["电梯费"]["scope"] == "5号楼"


def test_fee_poster_shows_the_office_items(ctx, site, tmp_path):
    from app.notices import posters
    from tests.helpers.pdf import pdf_text
    item(ctx, name="暖气费", rate="25.00", cycle="year", bill_month="11", basis="《供热价格管理办法》")
    item(ctx, name="二次供水费", category="metered", formula="meter", meter_kind="water", rate="0.50", tiers="10=0.80")
    data = posters.fee_poster_data(ctx)
    rows = {r[0]: r for r in data.standards}
    assert rows["暖气费（每年11月）"][1:] == ("按年收取（11月）", "25.00", "元/㎡·年", "《供热价格管理办法》")
    assert rows["二次供水费（第二阶梯（>10吨））"][2:4] == ("0.80", "元/吨")
    pdf = posters.fee_poster_pdf(ctx)
    (tmp_path / "poster.pdf").write_bytes(pdf)
    text = pdf_text(pdf)
    assert "暖气费" in text and "二次供水费" in text and "物业服务费" in text


def test_one_off_item_registered_at_the_desk(ctx, site):
    keys = item(ctx, name="门禁卡补办", category="one_off", formula="fixed", rate="20")
    deposit = item(ctx, name="装修押金（小区）", category="deposit", formula="fixed", rate="500")
    assert charge_items.desk_items()[-2:] == (keys.code, deposit.code)
    assert charge_items.suggested_amount(ctx.settings, keys.code) == 2000
    billing.run_month(ctx, "2026-11")
    assert lines(keys.code) == {}          # never billed by the monthly run
    c = billing.post_charge(ctx, site["5-101"].id, keys.code, 2000, source="desk")
    assert (c.category, charge_items.item_name(c.item_code)) == ("one_off", "门禁卡补办")
    charge_item_edit.set_active(ctx, keys.id, False)
    assert keys.code not in charge_items.desk_items()
    with pytest.raises(ValidationError):
        billing.post_charge(ctx, site["5-101"].id, keys.code, 2000)
    with pytest.raises(ValidationError) as e:
        item(ctx, name="押金", category="deposit", formula="area", rate="5")
    assert e.value.field == "计算方式"
