"""Parking spaces, car cards and monthly services (app/parking): validation, state rules,
permissions, audit, and the whole-month billing rule next to the monthly run."""
import datetime as dt

import pytest

from app.core.errors import PermissionDenied, StateError, ValidationError
from app.ledger import billing
from app.parking import cards, plates, spaces, subscriptions, tenancy
from models.ledger import Charge, Payment, Subscription
from models.parking import Vehicle
from models.people import HomeOwner, Owner, ParkingOwner
from models.property import ParkingSpace
from models.users import AuditLog
from tests.helpers.ledger import make_site


@pytest.fixture
def site(ctx, users):
    return make_site(ctx, users)


def _free(ctx, code="DX-010", level="地下"):
    return spaces.create_space(ctx, code, level)


def _parking_charges(space):
    return list(Charge.select().where(Charge.bill_ref == f"P{space.id}").order_by(Charge.bill_period))


# plates ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,plate", [
    ("豫A12345", "豫A12345"), ("豫AD12345", "豫AD12345"), ("豫 a·12345", "豫A12345"), ("陕AFA1234", "陕AFA1234"),
    ("京A12345D", "京A12345D"), ("豫Ａ１２３４５", "豫A12345"), ("粤B1234学", "粤B1234学"), ("沪AB1C23", "沪AB1C23"),
])
def test_plates_accepted(text, plate):
    assert plates.check_plate(text) == plate


@pytest.mark.parametrize("text", ["", "A12345", "豫A1234", "豫A123456789", "豫AI2345", "豫AO2345", "X豫12345",
                                  "豫1A2345", "豫AD12345F"])
def test_plates_refused_naming_the_field(text):
    with pytest.raises(ValidationError) as e:
        plates.check_plate(text)
    assert e.value.field == "车牌号"


# spaces ---------------------------------------------------------------------------------------
def test_create_space_duplicate_code_and_level(ctx, site):
    s = spaces.create_space(ctx, " dx-010 ", "地下")
    assert (s.code, s.level, s.state) == ("DX-010", "地下", "空闲")
    with pytest.raises(ValidationError, match="车位编号：“DX-010”已存在"):
        spaces.create_space(ctx, "DX-010", "地上")
    with pytest.raises(ValidationError, match="车位位置"):
        spaces.create_space(ctx, "DX-011", "楼顶")
    with pytest.raises(ValidationError, match="车位编号"):
        spaces.create_space(ctx, "", "地下")
    with pytest.raises(ValidationError, match="车位编号：“D-001”已存在"):
        spaces.update_space(ctx, s.id, code="d-001")
    spaces.update_space(ctx, s.id, code="DX-012", level="地上", notes="靠近电梯")
    s = ParkingSpace.get_by_id(s.id)
    assert (s.code, s.level, s.notes) == ("DX-012", "地上", "靠近电梯")
    assert AuditLog.select().where(AuditLog.action == "parking.space_update").count() == 1


def test_list_rows_fee_holders_plates_and_filters(ctx, site):
    ctx.settings.set("fee.parking_under", 25000)
    s = _free(ctx)
    tenancy.rent_space(ctx, s.id, "5-201")
    cards.register_card(ctx, {"space_id": s.id, "plate": "豫AD12345", "identity_checked": True})
    rows = spaces.space_rows(ctx)
    assert [r["code"] for r in rows] == ["U-001", "D-001", "DX-010"]  # 地上 before 地下, then by code
    r = next(r for r in rows if r["code"] == "DX-010")
    assert (r["state"], r["room_code"], r["fee"], r["plates"]) == ("已租", "5-201", "250.00", "豫AD12345")
    assert r["holder_text"] == "业主3（租用）" and r["phone"] == "138****0002"  # masked
    assert [r["code"] for r in spaces.space_rows(ctx, level="地下", state="已租")] == ["DX-010"]
    assert [r["code"] for r in spaces.space_rows(ctx, text="ad123")] == ["DX-010"]
    assert [r["code"] for r in spaces.space_rows(ctx, text="5-201")] == ["DX-010"]
    assert [r["code"] for r in spaces.space_rows(ctx, text="业主3")] == ["DX-010"]
    assert spaces.space_rows(ctx, text="没有") == []
    assert spaces.summary(ctx)["地下"] == {"空闲": 0, "已售": 1, "已租": 1}


def test_rent_sets_holders_state_and_audit(ctx, site):
    s = _free(ctx)
    out = tenancy.rent_space(ctx, s.id, "5-102")
    s = ParkingSpace.get_by_id(s.id)
    assert (s.state, s.home_id, s.owner_name) == ("已租", site["5-102"].id, "业主2")
    holders = ParkingOwner.select().where(ParkingOwner.space == s.id)
    assert [(p.owner.name, p.kind) for p in holders] == [("业主2", "租用")]
    assert "车位 DX-010 已租给 5-102 业主2" in out["message"] and "240.00 元/月" in out["message"]
    assert AuditLog.select().where((AuditLog.action == "parking.rent") & (AuditLog.entity_id == str(s.id))).count() == 1


def test_rent_refusals_name_the_problem(ctx, site):
    s = _free(ctx)
    with pytest.raises(ValidationError, match="房号：房号“9-999”不存在"):
        tenancy.rent_space(ctx, s.id, "9-999")
    with pytest.raises(ValidationError, match="房号"):
        tenancy.rent_space(ctx, s.id, "abc")
    with pytest.raises(ValidationError, match="业主：业主1 不是 5-102 的业主"):
        tenancy.rent_space(ctx, s.id, "5-102", [Owner.get(Owner.name == "业主1").id])
    tenancy.rent_space(ctx, s.id, "5-102")
    with pytest.raises(StateError, match="车位 DX-010 已租给 5-102（业主2），请先办理退租"):
        tenancy.rent_space(ctx, s.id, "5-101")
    with pytest.raises(StateError, match="请先办理收回"):
        tenancy.sell_space(ctx, ParkingSpace.get(ParkingSpace.code == "D-001").id, "5-101")
    # a home without an owner
    HomeOwner.delete().where(HomeOwner.home == site["5-201"].id).execute()
    other = _free(ctx, "DX-011")
    with pytest.raises(ValidationError, match="业主：房号 5-201 没有登记业主"):
        tenancy.rent_space(ctx, other.id, "5-201")
    assert ParkingSpace.get_by_id(other.id).state == "空闲"


def test_sell_with_co_owners(ctx, site):
    h = site["5-101"]
    co = Owner.create(name="共有人", phone="13900000000")
    HomeOwner.create(home=h, owner=co, is_primary=False)
    s = _free(ctx)
    tenancy.sell_space(ctx, s.id, "5-101", [HomeOwner.get(HomeOwner.home == h, HomeOwner.is_primary == True).owner_id,  # noqa: E712
                                           co.id])
    r = spaces.space_detail(ctx, s.id)
    assert r["state"] == "已售" and r["holder_text"] == "业主1（产权）、共有人（产权）"


def test_permissions(ctx, site, users):
    s = _free(ctx)
    fd = ctx.with_user(users["frontdesk"])
    cashier = ctx.with_user(users["cashier"])
    with pytest.raises(PermissionDenied):
        spaces.create_space(fd, "DX-020", "地下")
    with pytest.raises(PermissionDenied):
        tenancy.sell_space(fd, s.id, "5-101")
    with pytest.raises(PermissionDenied):
        tenancy.rent_space(cashier, s.id, "5-101")
    tenancy.rent_space(fd, s.id, "5-101")                     # the front desk rents out
    cards.register_card(fd, {"space_id": s.id, "plate": "豫A12345", "identity_checked": True})
    with pytest.raises(PermissionDenied):
        cards.register_card(cashier, {"space_id": s.id, "plate": "豫A54321", "identity_checked": True})
    assert spaces.space_rows(cashier)                       # everyone may look
    with pytest.raises(PermissionDenied):                    # a sold space is taken back by a manager
        tenancy.release_space(fd, ParkingSpace.get(ParkingSpace.code == "D-001").id)


# billing: the whole-month rule ----------------------------------------------------------------
def test_rent_before_the_run_is_billed_by_the_run(ctx, site):
    s = _free(ctx)
    tenancy.rent_space(ctx, s.id, "5-201")
    assert _parking_charges(s) == []
    billing.run_month(ctx, "2026-11")
    lines = _parking_charges(s)
    assert [(c.home_id, c.bill_period, c.amount_fen, c.item_code) for c in lines] == [
        (site["5-201"].id, "2026-11", 24000, "parking_under")]


def test_rent_after_the_run_bills_the_month_once(ctx, site):
    billing.run_month(ctx, "2026-11")
    s = _free(ctx, "DS-010", "地上")
    out = tenancy.rent_space(ctx, s.id, "5-201")
    assert out["billed"] == ["2026-11"]
    lines = _parking_charges(s)
    assert [(c.bill_period, c.amount_fen, c.item_code, c.memo) for c in lines] == [
        ("2026-11", 10000, "parking_above", "车位 DS-010")]
    r = billing.run_month(ctx, "2026-11")                    # a re-run bills nothing twice
    assert r["lines"] == 0 and len(_parking_charges(s)) == 1
    billing.run_month(ctx, "2026-12")                        # next month: the run itself
    assert [c.bill_period for c in _parking_charges(s)] == ["2026-11", "2026-12"]


def test_release_before_the_run_still_bills_the_month(ctx, site):
    billing.run_month(ctx, "2026-10")
    space = ParkingSpace.get(ParkingSpace.code == "U-001")    # rented by 5-102
    out = tenancy.release_space(ctx, space.id, "业主不再租用")
    assert out["billed"] == ["2026-11"] and "次月起停收" in out["message"]
    s = ParkingSpace.get_by_id(space.id)
    assert (s.state, s.home_id, s.owner_name) == ("空闲", None, "")
    assert not ParkingOwner.select().where(ParkingOwner.space == s.id).exists()
    billing.run_month(ctx, "2026-11")
    billing.run_month(ctx, "2026-12")
    assert [(c.home_id, c.bill_period) for c in _parking_charges(s)] == [
        (site["5-102"].id, "2026-10"), (site["5-102"].id, "2026-11")]


def test_release_after_billing_ahead_waives_the_next_month(ctx, site, users):
    billing.run_month(ctx, "2026-11")
    billing.run_month(ctx, "2026-12")                        # billed a month ahead
    space = ParkingSpace.get(ParkingSpace.code == "U-001")
    fd = ctx.with_user(users["frontdesk"])
    out = tenancy.release_space(fd, space.id)                # the front desk may not waive
    assert out["pending"] == ["2026-12"] and "请经理在收费台账中免收" in out["message"]
    # the manager releases another one: the advance month is waived, nothing deleted
    d = ParkingSpace.get(ParkingSpace.code == "D-001")
    out = tenancy.release_space(ctx, d.id, "车位转让")
    assert out["waived"] == ["2026-12"] and out["billed"] == []
    dec = Charge.get((Charge.bill_ref == f"P{d.id}") & (Charge.bill_period == "2026-12"))
    assert dec.paid_fen == dec.amount_fen
    assert Payment.get(Payment.charge == dec.id).kind == "waive"
    assert Charge.get((Charge.bill_ref == f"P{d.id}") & (Charge.bill_period == "2026-11")).paid_fen == 0


def test_release_free_space_refused(ctx, site):
    s = _free(ctx)
    with pytest.raises(StateError, match="已是空闲"):
        tenancy.release_space(ctx, s.id)


def test_delete_space(ctx, site):
    s = _free(ctx)
    tenancy.rent_space(ctx, s.id, "5-101")
    with pytest.raises(StateError):
        spaces.delete_space(ctx, s.id)
    tenancy.release_space(ctx, s.id)
    with pytest.raises(StateError, match="已有车位费记录"):   # the release billed the month
        spaces.delete_space(ctx, s.id)
    t = _free(ctx, "DX-011")                                  # entered by mistake, never attached
    spaces.delete_space(ctx, t.id)
    assert not ParkingSpace.select().where(ParkingSpace.id == t.id).exists()


# car cards ------------------------------------------------------------------------------------
def test_register_card_defaults_and_rules(ctx, site):
    s = _free(ctx)
    with pytest.raises(StateError, match="须先售出或出租"):
        cards.register_card(ctx, {"space_id": s.id, "plate": "豫A12345", "identity_checked": True})
    tenancy.rent_space(ctx, s.id, "5-101")
    with pytest.raises(ValidationError, match="身份核验"):
        cards.register_card(ctx, {"space_id": s.id, "plate": "豫A12345"})
    with pytest.raises(ValidationError, match="车牌号"):
        cards.register_card(ctx, {"space_id": s.id, "plate": "豫A1234", "identity_checked": True})
    x = cards.register_card(ctx, {"space_id": s.id, "plate": "豫ad12345", "identity_checked": True,
                                    "brand": "比亚迪 秦", "color": "白"})
    assert x.number == "CK2026-000001" and x.card_number == "CK2026-000001"
    assert (x.plate, x.driver_name, x.phone, x.home_id) == ("豫AD12345", "业主1", "13812340000", site["5-101"].id)
    assert (x.valid_from, x.valid_until) == (dt.date(2026, 11, 23), dt.date(2027, 10, 31))  # 12 whole months
    # one card per space by default; the same plate cannot hold two valid cards
    with pytest.raises(StateError, match="每个车位最多 1 张"):
        cards.register_card(ctx, {"space_id": s.id, "plate": "豫A11111", "identity_checked": True})
    ctx.settings.set("parking.cards_per_space", 2)
    with pytest.raises(ValidationError, match="车牌号：豫AD12345 已有有效车卡 CK2026-000001"):
        cards.register_card(ctx, {"space_id": s.id, "plate": "豫AD12345", "identity_checked": True})
    with pytest.raises(ValidationError, match="车卡号"):
        cards.register_card(ctx, {"space_id": s.id, "plate": "豫A11111", "identity_checked": True,
                                    "card_number": "ck2026-000001"})
    y = cards.register_card(ctx, {"space_id": s.id, "plate": "豫A11111", "identity_checked": True,
                                    "card_number": "T-88", "months": 3, "phone": "139 0000 1111",
                                    "driver_name": "业主1之子"})
    assert (y.card_number, y.valid_until, y.phone) == ("T-88", dt.date(2027, 1, 31), "13900001111")
    rows = cards.vehicle_rows(ctx, home_id=site["5-101"].id)
    assert [r["plate"] for r in rows] == ["豫A11111", "豫AD12345"] and rows[0]["phone"] == "139****1111"
    assert AuditLog.select().where(AuditLog.action == "parking.card").count() == 2
    assert "13900001111" not in "".join(a.after for a in AuditLog.select())   # no clear phone in the audit


def test_card_of_another_home_owner_refused(ctx, site):
    s = _free(ctx)
    tenancy.rent_space(ctx, s.id, "5-101")
    with pytest.raises(ValidationError, match="业主：业主2 不是车位 DX-010 的产权人或承租人"):
        cards.register_card(ctx, {"space_id": s.id, "plate": "豫A12345", "identity_checked": True,
                                    "owner_id": Owner.get(Owner.name == "业主2").id})


def test_renew_cancel_and_release_cancels_cards(ctx, site):
    s = _free(ctx)
    tenancy.rent_space(ctx, s.id, "5-101")
    x = cards.register_card(ctx, {"space_id": s.id, "plate": "豫A12345", "identity_checked": True, "months": 1})
    assert x.valid_until == dt.date(2026, 11, 30)
    x = cards.renew_card(ctx, x.id, 2)
    assert x.valid_until == dt.date(2027, 1, 31)
    out = tenancy.release_space(ctx, s.id, "退租")
    assert out["cards_cancelled"] == [x.card_number] and "已注销" in out["message"]
    x = Vehicle.get_by_id(x.id)
    assert x.status == "已注销" and "退租" in x.cancel_reason
    with pytest.raises(StateError):
        cards.renew_card(ctx, x.id, 1)
    assert cards.vehicle_rows(ctx, home_id=site["5-101"].id) == []
    assert cards.vehicle_rows(ctx, home_id=site["5-101"].id, include_cancelled=True)[0]["status"] == "已注销"
    # the same plate may get a new card afterwards
    tenancy.rent_space(ctx, s.id, "5-101")
    y = cards.register_card(ctx, {"space_id": s.id, "plate": "豫A12345", "identity_checked": True})
    with pytest.raises(ValidationError, match="注销原因"):
        cards.cancel_card(ctx, y.id, "")
    cards.cancel_card(ctx, y.id, "换车")
    with pytest.raises(StateError):
        cards.cancel_card(ctx, y.id, "换车")


def test_expired_card_shown_as_expired(ctx, site):
    s = _free(ctx)
    tenancy.rent_space(ctx, s.id, "5-101")
    cards.register_card(ctx, {"space_id": s.id, "plate": "豫A12345", "identity_checked": True, "months": 1})
    ctx.clock.fixed = dt.datetime(2026, 12, 5, 9, 0)
    r = cards.vehicle_rows(ctx, home_id=site["5-101"].id)[0]
    assert r["status"] == "已过期" and not r["valid"]


# monthly services -----------------------------------------------------------------------------
def test_subscriptions_through_billing(ctx, site):
    h = site["5-101"].id
    s = subscriptions.subscribe(ctx, h, "bicycle", "2", "2026-11")
    with pytest.raises(StateError, match="已登记自行车停放费"):
        subscriptions.subscribe(ctx, h, "bicycle", 1, "2026-12")
    subscriptions.subscribe(ctx, h, "cable_tv", 1, "2026-12")
    rows = subscriptions.subscription_rows(ctx, h)
    assert [(r["item"], r["count"], r["state"], r["monthly"]) for r in rows] == [
        ("有线电视费", 1, "未开始", "13.00"), ("自行车停放费", 2, "计费中", "80.00")]
    billing.run_month(ctx, "2026-11")
    assert Charge.get((Charge.home == h) & (Charge.item_code == "bicycle")).amount_fen == 8000
    with pytest.raises(ValidationError, match="截止月份"):
        subscriptions.end_subscription(ctx, s.id, "2026-10")
    subscriptions.end_subscription(ctx, s.id, "2026-11")
    assert Subscription.get_by_id(s.id).end_period == "2026-11"
    billing.run_month(ctx, "2026-12")
    assert [c.bill_period for c in Charge.select().where((Charge.home == h) & (Charge.item_code == "bicycle"))] == [
        "2026-11"]
    with pytest.raises(ValidationError, match="数量"):
        subscriptions.subscribe(ctx, h, "bicycle", "两", "2026-12")
    with pytest.raises(StateError, match="2026-11 起至 2026-11），与 2026-11 起的新登记重叠"):
        subscriptions.subscribe(ctx, h, "bicycle", 1, "2026-11")
    subscriptions.subscribe(ctx, h, "bicycle", 1, "2026-12")       # a new registration after the old one ended


def test_forget_owner_clears_name_and_phone_of_cards(ctx, site):
    from app.archives.anonymise import forget_on_parking
    s = _free(ctx)
    tenancy.rent_space(ctx, s.id, "5-101")
    x = cards.register_card(ctx, {"space_id": s.id, "plate": "豫A12345", "identity_checked": True})
    assert forget_on_parking(ctx, x.owner_id) == 1
    x = Vehicle.get_by_id(x.id)
    assert (x.plate, x.phone) == ("豫A12345", "") and x.driver_name.startswith("已注销业主")


def test_rent_after_billing_ahead_bills_both_months(ctx, site):
    billing.run_month(ctx, "2026-11")
    billing.run_month(ctx, "2026-12")
    s = _free(ctx)
    assert tenancy.rent_space(ctx, s.id, "5-201")["billed"] == ["2026-11", "2026-12"]
    assert [(c.bill_period, c.amount_fen) for c in _parking_charges(s)] == [("2026-11", 24000), ("2026-12", 24000)]
    assert billing.run_month(ctx, "2026-12")["lines"] == 0


def test_anonymising_an_owner_clears_the_owner_on_car_cards(ctx, site):
    from app.archives.anonymise import anonymise_owner
    s = _free(ctx)
    tenancy.rent_space(ctx, s.id, "5-101")
    x = cards.register_card(ctx, {"space_id": s.id, "plate": "豫A54321", "identity_checked": True})
    summary = anonymise_owner(ctx, x.owner_id, "搬离")
    assert summary["car_cards_cleared"] == 1
    x = Vehicle.get_by_id(x.id)
    assert (x.plate, x.phone) == ("豫A54321", "") and x.driver_name.startswith("已注销业主")


def test_level_change_after_the_month_was_billed_refused(ctx, site):
    # U-001 (地上) rented by 5-102, November billed as parking_above: as 地下 the release (or a
    # re-run of November) would bill November a second time as parking_under
    billing.run_month(ctx, "2026-11")
    space = ParkingSpace.get(ParkingSpace.code == "U-001")
    with pytest.raises(ValidationError, match="车位位置：车位 U-001 已按地上车位计收 2026-11 的车位费"):
        spaces.update_space(ctx, space.id, level="地下")
    spaces.update_space(ctx, space.id, notes="靠近入口")           # other fields may change
    tenancy.release_space(ctx, space.id)
    billing.run_month(ctx, "2026-11")
    assert [(c.item_code, c.bill_period) for c in _parking_charges(space)] == [("parking_above", "2026-11")]
    # in December, before December's run: from then on billed as 地下
    ctx.clock.fixed = dt.datetime(2026, 12, 2, 9, 0)
    d = ParkingSpace.get(ParkingSpace.code == "D-001")
    spaces.update_space(ctx, d.id, level="地上")
    billing.run_month(ctx, "2026-12")
    assert [(c.item_code, c.bill_period) for c in _parking_charges(d)] == [
        ("parking_under", "2026-11"), ("parking_above", "2026-12")]


def test_renting_again_after_a_release_waived_the_month_ahead_bills_it(ctx, site):
    billing.run_month(ctx, "2026-11")
    billing.run_month(ctx, "2026-12")
    space = ParkingSpace.get(ParkingSpace.code == "U-001")      # 5-102
    assert tenancy.release_space(ctx, space.id)["waived"] == ["2026-12"]
    out = tenancy.rent_space(ctx, space.id, "5-102")             # the same home takes it again
    assert out["billed"] == ["2026-12"]                          # November is owed already
    dec = Charge.get((Charge.bill_ref == f"P{space.id}") & (Charge.bill_period == "2026-12"))
    assert (dec.amount_fen, dec.paid_fen) == (10000, 0)          # owed again, the waiver reversed
    assert sorted(p.amount_fen for p in Payment.select().where(Payment.charge == dec.id)) == [-10000, 10000]
    assert billing.run_month(ctx, "2026-12")["lines"] == 0
    from app.ledger import checks as ledger_checks
    assert ledger_checks.run(ctx) == []                          # paid_fen still the sum of its lines


def test_release_after_paying_a_month_ahead_says_so(ctx, site):
    from app.ledger import payments
    billing.run_month(ctx, "2026-11")
    billing.run_month(ctx, "2026-12")
    space = ParkingSpace.get(ParkingSpace.code == "U-001")
    payments.pay(ctx, site["5-102"].id, [c.id for c in _parking_charges(space)], "cash", "业主2")
    out = tenancy.release_space(ctx, space.id, "退租")
    assert out["paid_ahead"] == ["2026-12（100.00 元）"] and out["waived"] == []
    assert "已预缴 2026-12（100.00 元） 的车位费" in out["message"]
    assert "2026-12（100.00 元）" in AuditLog.select().where(AuditLog.action == "parking.release").get().after


def test_subscribing_after_the_run_bills_the_month_once(ctx, site, users):
    h = site["5-101"].id
    billing.run_month(ctx, "2026-11")
    billing.run_month(ctx, "2026-12")                        # billed a month ahead
    s = subscriptions.subscribe(ctx, h, "bicycle", 2, "2026-09")  # back-dated: months before this one are not billed
    assert s.billed_now == ["2026-11", "2026-12"]
    bikes = lambda: [(c.bill_period, c.amount_fen, c.bill_ref) for c in  # noqa: E731
                     Charge.select().where((Charge.home == h) & (Charge.item_code == "bicycle")).order_by(Charge.id)]
    assert bikes() == [("2026-11", 8000, f"S{s.id}"), ("2026-12", 8000, f"S{s.id}")]
    assert billing.run_month(ctx, "2026-11")["lines"] == 0 and billing.run_month(ctx, "2026-12")["lines"] == 0
    # ended in November: December, billed ahead, is waived by the manager ...
    s = subscriptions.end_subscription(ctx, s.id, "2026-11")
    assert s.waived == ["2026-12"] and "2026-12 已免收" in s.message
    dec = Charge.get((Charge.home == h) & (Charge.item_code == "bicycle") & (Charge.bill_period == "2026-12"))
    assert dec.paid_fen == dec.amount_fen and Payment.get(Payment.charge == dec.id).kind == "waive"
    # ... and named to the front desk, who may not waive
    fd = ctx.with_user(users["frontdesk"])
    t = subscriptions.subscribe(fd, h, "cable_tv", 1)
    assert t.billed_now == ["2026-11", "2026-12"]
    t = subscriptions.end_subscription(fd, t.id, "2026-11")
    assert t.pending == ["2026-12"] and "请经理在收费台账中免收" in t.message
    from app.ledger import checks as ledger_checks
    assert ledger_checks.run(ctx) == []


def test_a_space_that_was_billed_cannot_be_deleted(ctx, site):
    # its lines carry its id (P<id>); SQLite gives a deleted last id to the next space, whose
    # month would then look billed already
    billing.run_month(ctx, "2026-11")
    s = _free(ctx, "DX-099")
    tenancy.rent_space(ctx, s.id, "5-201")                    # November billed now
    tenancy.release_space(ctx, s.id)
    with pytest.raises(StateError, match="车位 DX-099 已有车位费记录"):
        spaces.delete_space(ctx, s.id)
    t = _free(ctx, "DX-100")
    assert tenancy.rent_space(ctx, t.id, "5-201")["billed"] == ["2026-11"]


def test_anonymising_an_owner_clears_the_name_kept_on_the_space(ctx, site):
    from app.archives.anonymise import anonymise_owner
    h = site["5-101"]
    co = Owner.create(name="共有人", phone="13900000000")
    HomeOwner.create(home=h, owner=co, is_primary=False)
    first = HomeOwner.get((HomeOwner.home == h) & (HomeOwner.is_primary == True)).owner_id  # noqa: E712
    s = _free(ctx)
    tenancy.sell_space(ctx, s.id, "5-101", [first, co.id])
    assert ParkingSpace.get_by_id(s.id).owner_name == "业主1、共有人"
    anonymise_owner(ctx, first, "搬离")
    assert ParkingSpace.get_by_id(s.id).owner_name == f"已注销业主{first:04d}、共有人"
    assert "业主1" not in spaces.space_detail(ctx, s.id)["holder_text"]
