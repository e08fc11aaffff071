"""Billing rules of domain.md §7: standards, the monthly run, metered fees, prepayment."""
import datetime as dt
from decimal import Decimal

import pytest

from app.core.errors import PermissionDenied, StateError, ValidationError
from app.core.settings import Settings
from app.ledger import billing, charge_items, meters, payments, prepayment, rates, subscriptions
from models.ledger import Charge, ChargeItem, ChargeStandard, Payment, Subscription
from tests.helpers.ledger import make_site


@pytest.fixture
def site(ctx, users):
    return make_site(ctx, users)


def test_property_fee_monthly_yangfang_100m2(ctx, site):
    # 洋房 100 m² × 1.78 = 178.00 元
    assert rates.property_fee_monthly(ctx, site["5-101"]) == 17800
    # 123.45 m² × 1.78 = 219.741 → 219.74 (half-up once)
    assert rates.property_fee_monthly(ctx, site["5-102"].id) == 21974
    # 叠加 150 m² × 2.30 = 345.00; 联排 200 m² × 2.90 = 580.00
    assert rates.property_fee_monthly(ctx, site["5-201"]) == 34500
    assert rates.property_fee_monthly(ctx, site["6-101"]) == 58000


def test_rates_come_from_settings(ctx, site):
    ctx.settings.set("fee.property_rate.洋房", 200)
    assert rates.property_fee_monthly(ctx, site["5-101"]) == 20000


@pytest.mark.parametrize("hours,fen", [(0, 0), (24, 0), (25, 200), (30, 200), (36, 200), (37, 300), (48, 300),
                                       (49, 400), (200, 1000)])
def test_parcel_fee(hours, fen):
    # free up to 24 h; then 2 元 plus 1 元 per further 12 h started, at most 10 元
    assert charge_items.parcel_fee(hours) == fen


def test_parcel_fee_timedelta_and_settings():
    s = Settings()
    assert charge_items.parcel_fee(dt.timedelta(hours=37), s) == 300
    s.set("parcel.max_fee", 500)
    assert charge_items.parcel_fee(200, s) == 500
    with pytest.raises(TypeError):
        charge_items.parcel_fee(30.5)


def test_gas_two_tiers(ctx):
    # 60 m³ = 50 × 2.25 + 10 × 2.92 = 141.70 元; 50 m³ all at tier 1 (up to and including 50)
    assert rates.gas_amount(ctx, Decimal(60)) == 14170
    assert rates.gas_amount(ctx, Decimal(50)) == 11250
    assert rates.gas_amount(ctx, Decimal("50.5")) == 11396  # 112.50 + 0.5 × 2.92 = 113.96


def test_standards_seeded_with_legal_basis(ctx):
    n = charge_items.sync_items(ctx)
    assert n == ChargeStandard.select().count() > 20
    yf = (ChargeStandard.select().join(ChargeItem)
          .where((ChargeItem.code == "property_fee") & (ChargeStandard.variant == "洋房")).get())
    assert yf.rate_fen == 178 and "物业服务收费" in yf.basis
    gas = [s.rate_fen for s in ChargeStandard.select().join(ChargeItem).where(ChargeItem.code == "gas")]
    assert sorted(gas) == [225, 292]
    drain = {s.variant: s.rate_fen for s in ChargeStandard.select().join(ChargeItem)
             .where(ChargeItem.code == "service_drain")}
    assert drain == {"业主价": 3000, "市场价": 5000}
    ctx.settings.set("fee.parking_under", 25000)
    charge_items.sync_items(ctx)
    pu = ChargeStandard.select().join(ChargeItem).where(ChargeItem.code == "parking_under").get()
    assert pu.rate_fen == 25000
    assert charge_items.service_price(ctx.settings, "tap", owner=False) == 1000


def test_run_month_bills_and_is_idempotent(ctx, site):
    r = billing.run_month(ctx, "2026-10")
    # 5 homes handed over (6-201 未交付 is not billed), 2 parking spaces
    assert r["by_item"] == {"property_fee": 5, "parking_above": 1, "parking_under": 1}
    expected = 17800 + 21974 + 34500 + 58000 + 80 * 290 + 10000 + 24000
    assert r["total_fen"] == expected
    line = Charge.get((Charge.home == site["5-101"]) & (Charge.item_code == "property_fee"))
    assert line.amount_fen == 17800 and line.quantity_milli == 100000 and line.unit_price_fen == 178
    assert line.due_date == dt.date(2026, 10, 31)
    again = billing.run_month(ctx, "2026-10")
    assert again["lines"] == 0 and again["total_fen"] == 0
    assert Charge.select().where(Charge.bill_period == "2026-10").count() == 7
    # a newly handed-over home is billed by a re-run, the others not again
    h = site["6-201"]
    h.state = "空置"
    h.save()
    r3 = billing.run_month(ctx, "2026-10")
    assert r3["by_item"] == {"property_fee": 1} and r3["total_fen"] == 16020  # 90 m² × 1.78


def test_unique_constraint_guards_duplicates(ctx, site):
    billing.run_month(ctx, "2026-10")
    from peewee import IntegrityError
    with pytest.raises(IntegrityError), ctx.db.atomic():
        Charge.create(home=site["5-101"], item_code="property_fee", category="periodic", period="2026-10",
                      bill_period="2026-10", bill_ref="", amount_fen=1)


def test_run_month_bad_period_and_permission(ctx, site, as_role):
    with pytest.raises(ValidationError, match="计费月份"):
        billing.run_month(ctx, "2026-13")
    with pytest.raises(ValidationError, match="下个月"):
        billing.run_month(ctx, "2027-01")   # today is 2026-11-23: at most 2026-12
    with pytest.raises(PermissionDenied):
        billing.run_month(as_role("frontdesk"), "2026-10")
    assert billing.run_month(as_role("cashier"), "2026-10")["lines"] == 7


def test_subscriptions_bicycle_and_cable_tv(ctx, site):
    Subscription.create(home=site["5-101"], item_code="bicycle", count=2, start_period="2026-09")
    Subscription.create(home=site["5-101"], item_code="cable_tv", count=1, start_period="2026-11")
    r = billing.run_month(ctx, "2026-10")
    assert r["by_item"]["bicycle"] == 1 and "cable_tv" not in r["by_item"]
    bike = Charge.get((Charge.item_code == "bicycle") & (Charge.bill_period == "2026-10"))
    assert bike.amount_fen == 8000  # 2 × 40 元
    r = billing.run_month(ctx, "2026-11")
    assert r["by_item"]["cable_tv"] == 1
    assert Charge.get((Charge.item_code == "cable_tv")).amount_fen == 1300


def test_metered_water_power_gas(ctx, site):
    h, shop = site["5-101"], site["6-102"]
    meters.record_reading(ctx, h, "gas", "100", "2026-09-30")
    meters.record_reading(ctx, h, "gas", "160", "2026-10-31")
    meters.record_reading(ctx, h, "water", "10.5", "2026-09-30")
    meters.record_reading(ctx, h, "water", "22.5", "2026-10-31")
    meters.record_reading(ctx, h, "电", "1000", "2026-09-30")
    meters.record_reading(ctx, h, "电", "1250", "2026-10-31")
    meters.record_reading(ctx, shop, "水", "0", "2026-09-30")
    meters.record_reading(ctx, shop, "水", "10", "2026-10-31")
    r = billing.run_month(ctx, "2026-10")
    got = {(c.home_id, c.item_code): c for c in Charge.select().where(Charge.category == "metered")}
    assert got[(h.id, "gas")].amount_fen == 14170            # 60 m³ → 141.70 元
    assert got[(h.id, "water")].amount_fen == 2880           # 12 t × 2.4
    assert got[(h.id, "power")].amount_fen == 14000          # 250 度 × 0.56
    assert got[(shop.id, "water")].amount_fen == 4500        # shop water 10 t × 4.5
    assert r["by_item"]["gas"] == 1 and r["by_item"]["water"] == 2
    assert billing.run_month(ctx, "2026-10")["lines"] == 0
    with pytest.raises(StateError, match="已计费"):
        meters.record_reading(ctx, h, "gas", "170", "2026-10-31")


def test_gas_meter_replaced_mid_period(ctx, site):
    h = site["5-101"]
    meters.record_reading(ctx, h, "gas", "900", "2026-09-30")
    meters.record_reading(ctx, h, "gas", "940", "2026-10-15", "旧表拆除读数")  # old meter: 40
    meters.record_reading(ctx, h, "gas", "0", "2026-10-15", "新表起始", new_meter=True)
    meters.record_reading(ctx, h, "gas", "20", "2026-10-31")                      # new meter: 20
    billing.run_month(ctx, "2026-10")
    gas = Charge.get(Charge.item_code == "gas")
    assert gas.quantity_milli == 60000 and gas.amount_fen == 14170  # tiers over the whole period


def test_reading_validation(ctx, site):
    h = site["5-101"]
    meters.record_reading(ctx, h, "water", "50", "2026-10-01")
    with pytest.raises(ValidationError, match="不能小于上次读数"):
        meters.record_reading(ctx, h, "water", "40", "2026-10-20")
    with pytest.raises(ValidationError, match="抄表日期"):
        meters.record_reading(ctx, h, "water", "60", "2026-12-20")
    with pytest.raises(ValidationError, match="表类"):
        meters.record_reading(ctx, h, "oil", "60", "2026-10-20")
    with pytest.raises(ValidationError, match="读数"):
        meters.record_reading(ctx, h, "water", "-1", "2026-10-20")
    with pytest.raises(StateError):
        meters.record_reading(ctx, h, "water", "55", "2026-10-01")


def test_import_readings_from_excel(ctx, site, tmp_path):
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.append(["房号", "表类", "读数", "抄表日期", "备注"])
    ws.append(["5-101", "水", 10, "2026-09-30", ""])
    ws.append(["5-101", "水", 22.5, dt.date(2026, 10, 31), "十月"])
    path = tmp_path / "r.xlsx"
    wb.save(path)
    assert meters.import_readings(ctx, path) == 2
    wb2 = Workbook()
    ws2 = wb2.active
    ws2.append(["房号", "表类", "读数", "抄表日期"])
    ws2.append(["5-102", "电", 5, "2026-10-31"])
    ws2.append(["9-999", "水", 1, "2026-10-31"])
    wb2.save(path)
    with pytest.raises(ValidationError, match="第3行"):
        meters.import_readings(ctx, path)
    from models.ledger import MeterReading
    assert MeterReading.select().where(MeterReading.home == site["5-102"]).count() == 0  # all or nothing


def test_post_charge(ctx, site, as_role):
    c = billing.post_charge(ctx, site["6-101"].id, "renovation_deposit", 1000000, memo="联排装修保证金",
                            source="renovation", source_id=7)
    assert c.category == "deposit" and c.amount_fen == 1000000 and c.due_date == dt.date(2026, 11, 23)
    c2 = billing.post_charge(as_role("frontdesk"), site["6-101"].id, "rubbish_removal", 80000, quantity="200")
    assert c2.quantity_milli == 200000
    with pytest.raises(ValidationError, match="收费项目"):
        billing.post_charge(ctx, site["6-101"].id, "nonsense", 100)
    with pytest.raises(ValidationError, match="金额"):
        billing.post_charge(ctx, site["6-101"].id, "pass_fee", 0)
    with pytest.raises(ValidationError, match="金额"):
        billing.post_charge(ctx, site["6-101"].id, "pass_fee", 10.0)
    with pytest.raises(StateError):
        c.delete_instance()


def test_prepayment_drawn_down_month_by_month(ctx, site):
    h = site["5-101"]
    pre = prepayment.prepay_property_fee(ctx, h.id)
    assert pre.amount_fen == 12 * 17800 and pre.category == "prepay"
    with pytest.raises(StateError):
        prepayment.prepay_property_fee(ctx, h.id)   # an unpaid prepayment exists
    payments.pay(ctx, h.id, [pre.id], "cash", "业主1")
    assert prepayment.prepay_balance(h.id) == 213600
    billing.run_month(ctx, "2026-11")
    fee = Charge.get((Charge.home == h) & (Charge.item_code == "property_fee") & (Charge.bill_period == "2026-11"))
    assert fee.paid_fen == fee.amount_fen == 17800
    assert Payment.get((Payment.charge == fee) & (Payment.kind == "prepay")).amount_fen == 17800
    assert prepayment.prepay_balance(h.id) == 11 * 17800
    # parking is not settled from the property-fee prepayment
    park = Charge.get((Charge.home == h) & (Charge.item_code == "parking_under"))
    assert park.paid_fen == 0
    billing.run_month(ctx, "2026-12")
    for m in range(1, 12):
        ctx.clock.set(dt.datetime(2027, m, 1, 9, 0))
        billing.run_month(ctx, f"2027-{m:02d}")
    assert prepayment.prepay_balance(h.id) == 0
    last = Charge.get((Charge.home == h) & (Charge.item_code == "property_fee") & (Charge.bill_period == "2027-10"))
    assert last.paid_fen == 17800
    nxt = billing.run_month(ctx, "2027-11")
    assert nxt["prepaid_lines"] == 0


def test_prepay_partial_balance(ctx, site):
    h = site["5-101"]
    pre = prepayment.prepay_property_fee(ctx, h.id, months=1)
    payments.pay(ctx, h.id, [pre.id], "cash", "业主1", amounts={pre.id: 10000})
    billing.run_month(ctx, "2026-11")
    fee = Charge.get((Charge.home == h) & (Charge.item_code == "property_fee"))
    assert fee.paid_fen == 10000 and prepayment.prepay_balance(h.id) == 0


def test_subscribe_and_end(ctx, site):
    s = subscriptions.subscribe(ctx, site["5-102"].id, "bicycle", 1, "2026-10")
    with pytest.raises(ValidationError, match="收费项目"):
        subscriptions.subscribe(ctx, site["5-102"].id, "water")
    with pytest.raises(ValidationError, match="数量"):
        subscriptions.subscribe(ctx, site["5-102"].id, "cable_tv", 0)
    billing.run_month(ctx, "2026-10")
    with pytest.raises(ValidationError, match="截止月份"):
        subscriptions.end_subscription(ctx, s.id, "2026-09")
    subscriptions.end_subscription(ctx, s.id, "2026-10")
    r = billing.run_month(ctx, "2026-11")
    assert "bicycle" not in r["by_item"]
    assert Charge.select().where(Charge.item_code == "bicycle").count() == 1


def test_billing_run_keeps_standards_table_in_step(ctx, site):
    from models.users import AuditLog
    billing.run_month(ctx, "2026-10")
    assert ChargeStandard.select().count() > 20
    n = AuditLog.select().where(AuditLog.action == "ledger.sync_items").count()
    billing.run_month(ctx, "2026-10")          # unchanged settings: nothing rewritten
    assert AuditLog.select().where(AuditLog.action == "ledger.sync_items").count() == n
    ctx.settings.set("fee.bicycle", 5000)
    billing.run_month(ctx, "2026-11")
    bike = ChargeStandard.select().join(ChargeItem).where(ChargeItem.code == "bicycle").get()
    assert bike.rate_fen == 5000


def test_a_billing_run_holds_other_desks_ledger_writes_until_it_commits(ctx, site):
    """The monthly run finds its own rows by id range (and draws prepayments down by it): while it
    runs, another desk's charge or payment write waits (PostgreSQL: the tables are locked for
    writes; SQLite: the IMMEDIATE transaction holds the write lock)."""
    import threading
    import time

    from models.db import database, is_sqlite, lock_for_bulk_write
    if is_sqlite():
        pytest.skip("SQLite: every write transaction begins IMMEDIATE and waits its turn already")
    charge = billing.post_charge(ctx, site["5-101"].id, "rubbish_removal", 5000)
    done = {}

    def other_desk():
        with database.obj.atomic():
            Charge.update(memo="另一台电脑").where(Charge.id == charge.id).execute()
        done["at"] = time.monotonic()
        database.obj.close()

    with ctx.db.atomic():
        lock_for_bulk_write(Charge, Payment)
        desk = threading.Thread(target=other_desk)
        desk.start()
        time.sleep(0.5)
        assert "at" not in done                       # waiting for the run's transaction
        released = time.monotonic()
    desk.join(10)
    assert done["at"] >= released and Charge.get_by_id(charge.id).memo == "另一台电脑"
