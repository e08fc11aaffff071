"""Parcels kept for owners (domain.md §7, §11; seed 000 item 11): check-in, refusal of fragile or
valuable parcels, pick-up signed by the collector with the storage fee charged in the fee ledger,
waiting and overdue lists, the day's printed list, Excel export, roles and audit."""
import datetime as dt

import pytest

from app.core.errors import PermissionDenied, StateError, ValidationError
from app.frontdesk import parcels, prints
from models.frontdesk import Parcel
from models.ledger import Charge, Receipt
from models.users import AuditLog
from tests.helpers.keys import DEFAULT_HOMES, make_homes
from tests.helpers.pdf import pdf_text

T0 = dt.datetime(2026, 11, 23, 9, 0)


@pytest.fixture
def homes(ctx):
    return make_homes(DEFAULT_HOMES)


def _in(ctx, room="5-201", tracking="SF1234567890", **extra):
    data = {"room_code": room, "carrier": "顺丰", "tracking_no": tracking, "size": "小件", "place": "货架A-3"}
    data.update(extra)
    return parcels.check_in(ctx, data)


def test_check_in_numbers_the_parcel_and_lists_it_waiting_with_its_age(ctx, homes):
    p = _in(ctx, recipient="刘女士")
    assert p.number == "KD2026-000001" and p.status == "待取" and p.received_by == "王经理"
    assert _in(ctx, tracking="ZT778899").number == "KD2026-000002"
    ctx.clock.set(T0 + dt.timedelta(hours=5, minutes=10))
    rows = parcels.waiting_parcels(ctx)
    assert [r["number"] for r in rows] == ["KD2026-000001", "KD2026-000002"]
    assert rows[0]["age"] == "5小时" and rows[0]["fee_fen"] == 0 and not rows[0]["overdue"]
    assert rows[0]["room_code"] == "5-201" and rows[0]["place"] == "货架A-3" and rows[0]["recipient"] == "刘女士"
    log = AuditLog.select().where(AuditLog.action == "parcels.check_in")
    assert log.count() == 2


def test_bad_input_names_the_field(ctx, homes):
    with pytest.raises(ValidationError, match="房号"):
        _in(ctx, room="9-999")
    with pytest.raises(ValidationError, match="快递公司"):
        _in(ctx, carrier="")
    with pytest.raises(ValidationError, match="存放位置"):
        _in(ctx, place="")
    with pytest.raises(ValidationError, match="大小"):
        _in(ctx, size="特大")
    _in(ctx)
    with pytest.raises(ValidationError, match="快递单号.*已登记待取"):
        _in(ctx, tracking="sf 1234567890")          # the same number typed with a space, lower case


def test_fragile_or_valuable_parcel_is_refused_and_registered(ctx, homes):
    p = _in(ctx, refuse_reasons=["易碎物品", "贵重物品"], place="")
    assert p.status == "拒收" and p.refuse_reason == "易碎物品、贵重物品"
    assert parcels.waiting_parcels(ctx) == []
    assert [r["status"] for r in parcels.day_parcels(ctx)] == ["拒收"]
    assert AuditLog.select().where(AuditLog.action == "parcels.refuse").count() == 1
    with pytest.raises(StateError, match="拒收"):
        parcels.pick_up(ctx, p.id, {"collector_name": "刘女士", "collector_signed": True})
    with pytest.raises(ValidationError, match="拒收原因"):
        _in(ctx, tracking="X1", refuse_reasons=["太重"])


@pytest.mark.parametrize(("hours", "fee"), [(24, 0), (25, 200), (36, 200), (36.5, 300), (48, 300), (200, 1000)])
def test_pick_up_charges_the_seed_fee_through_the_ledger(ctx, homes, hours, fee):
    p = _in(ctx)
    ctx.clock.set(T0 + dt.timedelta(hours=hours))
    done = parcels.pick_up(ctx, p.id, {"collector_name": "刘女士", "collector_signed": True})
    assert done.status == "已取" and done.fee_fen == fee and done.collector_name == "刘女士"
    charges = list(Charge.select().where((Charge.source == "parcel") & (Charge.source_id == p.id)))
    if fee:
        assert [(c.item_code, c.amount_fen, c.paid_fen) for c in charges] == [("parcel_fee", fee, fee)]
        receipt = Receipt.get(Receipt.number == done.receipt_number)
        assert receipt.total_fen == fee and receipt.payer == "刘女士"
    else:
        assert charges == [] and done.receipt_number == ""
    with pytest.raises(StateError, match="已由刘女士领取"):
        parcels.pick_up(ctx, p.id, {"collector_name": "刘女士", "collector_signed": True})


def test_fee_rates_are_site_settings(ctx, homes):
    ctx.settings.set("parcel.free_hours", 48)
    ctx.settings.set("parcel.max_fee", 500)
    p = _in(ctx)
    ctx.clock.set(T0 + dt.timedelta(hours=47))
    assert parcels.waiting_parcels(ctx)[0]["fee_fen"] == 0
    ctx.clock.set(T0 + dt.timedelta(days=30))
    assert parcels.pick_up(ctx, p.id, {"collector_name": "刘女士", "collector_signed": True}).fee_fen == 500


def test_pick_up_needs_the_collectors_signature_and_name(ctx, homes):
    p = _in(ctx)
    with pytest.raises(ValidationError, match="领取人签字"):
        parcels.pick_up(ctx, p.id, {"collector_name": "刘女士"})
    with pytest.raises(ValidationError, match="领取人"):
        parcels.pick_up(ctx, p.id, {"collector_name": " ", "collector_signed": True})
    assert Parcel.get_by_id(p.id).status == "待取"


def test_front_desk_charges_the_fee_and_leaves_the_payment_to_the_cashier(ctx, homes, as_role):
    desk = as_role("frontdesk")
    p = _in(desk)
    desk.clock.set(T0 + dt.timedelta(hours=30))
    done = parcels.pick_up(desk, p.id, {"collector_name": "刘女士", "collector_signed": True})
    charge = Charge.get_by_id(done.charge_id)
    assert charge.amount_fen == 200 and charge.paid_fen == 0 and done.receipt_number == ""
    with pytest.raises(PermissionDenied):
        parcels.pick_up(as_role("cashier"), _in(ctx, tracking="YT1").id,
                        {"collector_name": "刘女士", "collector_signed": True})


def test_only_a_manager_waives_the_fee_with_a_reason(ctx, homes, as_role):
    p = _in(ctx)
    ctx.clock.set(T0 + dt.timedelta(hours=60))
    with pytest.raises(PermissionDenied):
        parcels.pick_up(as_role("frontdesk"), p.id, {"collector_name": "刘女士", "collector_signed": True,
                                                    "waive": True, "waive_reason": "业主出差"})
    with pytest.raises(ValidationError, match="免收原因"):
        parcels.pick_up(ctx, p.id, {"collector_name": "刘女士", "collector_signed": True, "waive": True})
    done = parcels.pick_up(ctx, p.id, {"collector_name": "刘女士", "collector_signed": True, "waive": True,
                                       "waive_reason": "快递员放错楼栋"})
    assert done.fee_fen == 0 and done.charge_id is None and "快递员放错楼栋" in done.notes


def test_overdue_list_holds_the_parcels_beyond_the_free_period(ctx, homes):
    old = _in(ctx, tracking="OLD1")
    ctx.clock.set(T0 + dt.timedelta(hours=20))
    _in(ctx, room="5-202", tracking="NEW1")
    ctx.clock.set(T0 + dt.timedelta(hours=30))
    over = parcels.overdue_parcels(ctx)
    assert [r["id"] for r in over] == [old.id] and over[0]["overdue"] and over[0]["fee"] == "2.00"
    assert [r["tracking_no"] for r in parcels.waiting_for_home(ctx, "5-202")] == ["NEW1"]
    assert [r["tracking_no"] for r in parcels.waiting_parcels(ctx, "5-202")] == ["NEW1"]
    assert [r["tracking_no"] for r in parcels.search_parcels(ctx, "old1")] == ["OLD1"]


def test_day_list_prints_with_the_signature_column(ctx, homes):
    p = _in(ctx, recipient="刘女士")
    _in(ctx, room="5-202", tracking="JD0001", carrier="京东", refuse_reasons=["贵重物品"])
    ctx.clock.set(T0 + dt.timedelta(hours=2))
    parcels.pick_up(ctx, p.id, {"collector_name": "刘女士", "collector_signed": True})
    text = pdf_text(prints.parcels_day_pdf(ctx)).replace("\n", "")
    for word in ("代收快递登记表", "领取人签字", "KD2026-000001", "5-202", "拒收（贵重物品）", "已取", "共 2 件"):
        assert word in text
    assert "超时未取包裹清单" in pdf_text(prints.parcels_waiting_pdf(ctx, overdue_only=True))


def test_export_writes_the_rows_shown_and_is_audited(ctx, homes, tmp_path):
    from openpyxl import load_workbook
    _in(ctx, recipient="=cmd")
    path = tmp_path / "parcels.xlsx"
    assert parcels.export_parcels(ctx, parcels.waiting_parcels(ctx), path) == 1
    ws = load_workbook(path).active
    assert ws["A1"].value == "单号" and ws["B2"].value == "5-201" and ws["C2"].value == "=cmd"
    assert ws["C2"].data_type == "s"
    assert AuditLog.select().where(AuditLog.action == "frontdesk.export").count() == 1
    with pytest.raises(PermissionDenied):
        parcels.export_parcels(_cashier(ctx), [], tmp_path / "x.xlsx")


def _cashier(ctx):
    from models.users import User
    u = User.create(username="cash2", display_name="赵出纳", role="cashier", password_hash="x")
    return ctx.with_user(u)


def test_a_collector_takes_several_parcels_of_one_home_with_one_receipt(ctx, homes):
    a, b = _in(ctx, tracking="A1"), _in(ctx, tracking="B2")
    other = _in(ctx, room="5-202", tracking="C3")
    ctx.clock.set(T0 + dt.timedelta(hours=40))
    with pytest.raises(ValidationError, match="同一房号"):
        parcels.pick_up_many(ctx, [a.id, other.id], {"collector_name": "刘女士", "collector_signed": True})
    assert Parcel.get_by_id(a.id).status == "待取"                    # nothing half done
    done = parcels.pick_up_many(ctx, [a.id, b.id], {"collector_name": "刘女士", "collector_signed": True})
    assert [p.fee_fen for p in done] == [300, 300] and done[0].receipt_number == done[1].receipt_number
    assert Receipt.get(Receipt.number == done[0].receipt_number).total_fen == 600
    assert AuditLog.select().where(AuditLog.action == "parcels.pick_up").count() == 2
