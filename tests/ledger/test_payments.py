"""Payments, receipts (unbroken numbers, 补打, 作废), refunds, arrears, receipt prints."""
import datetime as dt

import pytest

from app.core.errors import PermissionDenied, StateError, ValidationError
from app.ledger import arrears, billing, payments, prepayment
from models.ledger import Charge, Payment, Receipt
from models.people import Owner
from tests.helpers.ledger import make_site
from tests.helpers.pdf import pdf_reader, pdf_text


@pytest.fixture
def site(ctx, users):
    return make_site(ctx, users)


def lines_sum(charge_id) -> int:
    return sum(p.amount_fen for p in Payment.select().where(
        (Payment.charge == charge_id) & Payment.kind.in_(["pay", "void", "prepay"])))


def test_pay_several_charges_one_receipt(ctx, site, as_role):
    billing.run_month(ctx, "2026-10")
    h = site["5-101"]
    ids = [c.id for c in Charge.select().where(Charge.home == h)]
    assert len(ids) == 2  # property fee 178.00 + under-ground parking 240.00
    r = payments.pay(as_role("cashier"), h.id, ids, "cash", "业主1")
    assert r.total_fen == 17800 + 24000 and r.number == "SJ2026-000001" and r.cashier_name == "赵出纳"
    assert all(c.paid_fen == c.amount_fen for c in Charge.select().where(Charge.home == h))
    assert payments.home_totals(h.id)["owed_fen"] == 0
    with pytest.raises(StateError, match="已付清"):
        payments.pay(ctx, h.id, ids[:1], "cash", "业主1")


def test_part_payments(ctx, site):
    billing.run_month(ctx, "2026-10")
    h = site["5-102"]
    fee = Charge.get((Charge.home == h) & (Charge.item_code == "property_fee"))  # 219.74
    r1 = payments.pay(ctx, h.id, [fee.id], "card", "业主2", amounts={fee.id: 10000})
    r2 = payments.pay(ctx, h.id, [fee.id], "transfer", "业主2", reference="微信 4200001234", amounts={fee.id: 11974})
    assert (r1.total_fen, r2.total_fen) == (10000, 11974)
    fee = Charge.get_by_id(fee.id)
    assert fee.paid_fen == 21974 == lines_sum(fee.id)
    with pytest.raises(ValidationError, match="不能超过欠额"):
        other = Charge.get((Charge.home == h) & (Charge.item_code == "parking_above"))
        payments.pay(ctx, h.id, [other.id], "cash", "业主2", amounts={other.id: 10001})


def test_pay_validation(ctx, site):
    billing.run_month(ctx, "2026-10")
    h = site["5-101"]
    fee = Charge.get((Charge.home == h) & (Charge.item_code == "property_fee"))
    with pytest.raises(ValidationError, match="交款人"):
        payments.pay(ctx, h.id, [fee.id], "cash", " ")
    with pytest.raises(ValidationError, match="交易参考号"):
        payments.pay(ctx, h.id, [fee.id], "transfer", "业主1")
    with pytest.raises(ValidationError, match="付款方式"):
        payments.pay(ctx, h.id, [fee.id], "bitcoin", "业主1")
    with pytest.raises(ValidationError, match="收费项目"):
        payments.pay(ctx, site["5-102"].id, [fee.id], "cash", "业主1")
    with pytest.raises(ValidationError, match="收款金额"):
        payments.pay(ctx, h.id, [fee.id], "cash", "业主1", amounts={fee.id: 0})
    with pytest.raises(ValidationError, match="收款金额"):
        payments.pay(ctx, h.id, [fee.id], "cash", "业主1", amounts={fee.id: 1.5})
    assert Receipt.select().count() == 0  # nothing half-saved, no number used


def test_permissions(ctx, site, as_role):
    billing.run_month(ctx, "2026-10")
    h = site["5-101"]
    fee = Charge.get((Charge.home == h) & (Charge.item_code == "property_fee"))
    with pytest.raises(PermissionDenied):
        payments.pay(as_role("frontdesk"), h.id, [fee.id], "cash", "业主1")
    r = payments.pay(as_role("cashier"), h.id, [fee.id], "cash", "业主1")
    with pytest.raises(PermissionDenied):
        payments.void_receipt(as_role("cashier"), r.id, "金额错误")
    payments.void_receipt(as_role("manager"), r.id, "金额错误")


def test_receipt_numbers_unbroken_and_void_keeps_number(ctx, site):
    billing.run_month(ctx, "2026-10")
    charges = list(Charge.select().order_by(Charge.id))
    numbers = []
    for c in charges:
        numbers.append(payments.pay(ctx, c.home_id, [c.id], "cash", "交款人").number)
    assert numbers == [f"SJ2026-{i:06d}" for i in range(1, len(charges) + 1)]
    r = Receipt.get(Receipt.number == numbers[1])
    with pytest.raises(ValidationError, match="作废原因"):
        payments.void_receipt(ctx, r.id, "")
    v = payments.void_receipt(ctx, r.id, "收错房号")
    assert v.status == "void" and v.number == numbers[1] and v.void_reason == "收错房号"
    charge = Charge.get_by_id(charges[1].id)
    assert charge.paid_fen == 0 == lines_sum(charge.id)
    with pytest.raises(StateError, match="已作废"):
        payments.void_receipt(ctx, r.id, "again")
    nxt = payments.pay(ctx, charge.home_id, [charge.id], "cash", "交款人")
    assert nxt.number == f"SJ2026-{len(charges) + 1:06d}"
    assert Receipt.select().count() == len(charges) + 1   # nothing deleted
    with pytest.raises(StateError):
        v.delete_instance()
    with pytest.raises(StateError):
        Payment.select().first().delete_instance()


def test_receipt_print_a4_and_reprint_and_void(ctx, site):
    billing.run_month(ctx, "2026-10")
    h = site["5-101"]
    ids = [c.id for c in Charge.select().where(Charge.home == h)]
    r = payments.pay(ctx, h.id, ids, "cash", "业主1")
    text = pdf_text(payments.print_receipt(ctx, r.id, "A4"))
    assert "SJ2026-000001" in text and "418.00" in text and "肆佰壹拾捌元整" in text
    assert "王经理" in text and "5-101" in text and "物业服务费" in text and "地下停车费" in text
    assert "补打" not in text and "作废" not in text
    text2 = pdf_text(payments.reprint_receipt(ctx, r.id, "A4"))
    assert "补打（第1次）" in text2
    payments.reprint_receipt(ctx, r.id)
    assert Receipt.get_by_id(r.id).reprint_count == 2
    payments.void_receipt(ctx, r.id, "重复收款")
    text3 = pdf_text(payments.print_receipt(ctx, r.id, "A4"))
    assert "作" in text3 and "重复收款" in text3 and "SJ2026-000001" in text3


def test_receipt_print_triple_with_offsets(ctx, site):
    billing.run_month(ctx, "2026-10")
    h = site["5-102"]
    ids = [c.id for c in Charge.select().where(Charge.home == h)]
    r = payments.pay(ctx, h.id, ids, "card", "业主2")
    pdf = payments.print_receipt(ctx, r.id, "三联")
    reader = pdf_reader(pdf)
    assert round(float(reader.pages[0].mediabox.width) / 72 * 25.4) == 241
    text = reader.pages[0].extract_text()
    assert "SJ2026-000001" in text and "319.74" in text and "叁佰壹拾玖元柒角肆分" in text
    ctx.settings.set("print.receipt_offset_x_mm", 5)
    assert payments.print_receipt(ctx, r.id, "三联") != pdf


def test_refund_deposit(ctx, site, as_role):
    h = site["6-101"]
    dep = billing.post_charge(ctx, h.id, "renovation_deposit", 1000000, source="renovation", source_id=3)
    with pytest.raises(ValidationError, match="退款金额"):
        payments.refund(ctx, h.id, "renovation_deposit", 100, "复验合格")  # nothing paid yet
    payments.pay(ctx, h.id, [dep.id], "card", "业主4")
    with pytest.raises(ValidationError, match="不是押金"):
        payments.refund(ctx, h.id, "property_fee", 100, "x")
    with pytest.raises(PermissionDenied):
        payments.refund(as_role("frontdesk"), h.id, "renovation_deposit", 100, "x")
    p = payments.refund(as_role("cashier"), h.id, "renovation_deposit", 950000, "复验合格，扣除损坏赔偿500元",
                        source="renovation", source_id=3)
    assert p.amount_fen == -950000 and p.kind == "refund"
    assert p.receipt.number == "TK2026-000001" and p.receipt.kind == "refund"
    assert payments.deposit_held(h.id, "renovation_deposit") == 50000
    with pytest.raises(ValidationError, match="退款金额"):
        payments.refund(ctx, h.id, "renovation_deposit", 50001, "x")
    text = pdf_text(payments.print_receipt(ctx, p.receipt.id, "A4"))
    assert "押金退款凭证" in text and "TK2026-000001" in text and "玖仟伍佰元整" in text
    # a refund voucher voided: the deposit is held again
    payments.void_receipt(ctx, p.receipt.id, "误退")
    assert payments.deposit_held(h.id, "renovation_deposit") == 1000000


def test_void_refused_when_prepayment_drawn(ctx, site):
    h = site["5-101"]
    pre = prepayment.prepay_property_fee(ctx, h.id)
    r = payments.pay(ctx, h.id, [pre.id], "cash", "业主1")
    billing.run_month(ctx, "2026-11")
    with pytest.raises(StateError, match="抵扣"):
        payments.void_receipt(ctx, r.id, "x")


def test_arrears_and_flag(ctx, site, users):
    billing.run_month(ctx, "2026-09")
    billing.run_month(ctx, "2026-10")
    rows = arrears.home_arrears(ctx, dt.date(2026, 11, 23))
    by_room = {a.room_code: a for a in rows}
    assert by_room["5-101"].owed_fen == 2 * (17800 + 24000) and by_room["5-101"].months == 2
    assert by_room["5-101"].area_manager == "张管家" and by_room["5-101"].phone == "138****0000"
    assert "6-201" not in by_room
    assert Owner.get(Owner.name == "业主1").arrears_flag is True
    am = {g["name"]: g for g in arrears.summary_by(ctx, "area_manager")}
    assert am["张管家"]["homes"] == 3 and am["（未指定）"]["homes"] == 2
    cl = arrears.summary_by(ctx, "cluster")
    assert cl[0]["owed_fen"] == sum(a.owed_fen for a in rows)
    age = {b["label"]: b["homes"] for b in arrears.ageing(ctx)}
    assert age["2个月"] == 5
    ids = [c.id for c in Charge.select().where(Charge.home == site["5-101"])]
    payments.pay(ctx, site["5-101"].id, ids, "cash", "业主1")
    assert Owner.get(Owner.name == "业主1").arrears_flag is False
    assert "5-101" not in {a.room_code for a in arrears.home_arrears(ctx)}
    # not yet due: November bills are due on 30 Nov, no arrears on 23 Nov
    billing.run_month(ctx, "2026-11")
    assert "5-101" not in {a.room_code for a in arrears.home_arrears(ctx)}


def test_view_copy_is_marked_and_original_needs_cashier(ctx, site, as_role):
    billing.run_month(ctx, "2026-10")
    c = Charge.get((Charge.home == site["5-101"]) & (Charge.item_code == "property_fee"))
    r = payments.pay(ctx, site["5-101"].id, [c.id], "cash", "业主1")
    text = pdf_text(payments.print_receipt(as_role("frontdesk"), r.id, "A4", view_only=True))
    assert "查看副本" in text and r.number in text
    with pytest.raises(PermissionDenied):
        payments.print_receipt(as_role("frontdesk"), r.id, "A4")
    assert "查看副本" not in pdf_text(payments.print_receipt(as_role("cashier"), r.id, "A4"))


def test_triple_layout_folds_many_lines(ctx, site):
    h = site["5-101"]
    ids = [billing.post_charge(ctx, h.id, "parcel_fee", 100 * (i + 1)).id for i in range(7)]
    r = payments.pay(ctx, h.id, ids, "cash", "业主1")
    text = pdf_text(payments.print_receipt(ctx, r.id, "三联"))
    assert "其他 3 项" in text and "28.00" in text and "贰拾捌元整" in text   # 1+…+7 元
    assert "18.00" in text   # the folded lines 5+6+7 元


def test_ledger_tab_in_main_window(qtbot, ctx, site):
    from ui.main_window import MainWindow
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    tab = w.show_tab("ledger")
    assert type(tab).__module__ == "ui.ledger.tab"


def test_waive_needs_manager_and_reason_and_refuses_deposits(ctx, as_role):
    import pytest

    from app.core.errors import PermissionDenied, ValidationError
    from app.ledger.billing import post_charge
    from app.ledger.payments import waive
    from models.ledger import Charge
    from models.property import Building, Cluster, Entrance, Home
    c = Cluster.create(code="W", name="测试")
    b = Building.create(cluster=c, code="90", name="90号楼")
    e = Entrance.create(building=b, code="1")
    h = Home.create(entrance=e, building=b, cluster=c, room_code="90-101", area_x100=10000, house_type="洋房")
    fee = post_charge(ctx, h.id, "rubbish_removal", 40000)
    dep = post_charge(ctx, h.id, "renovation_deposit", 300000)
    with pytest.raises(PermissionDenied):
        waive(as_role("cashier"), fee.id, "x")
    with pytest.raises(ValidationError, match="免收原因"):
        waive(ctx, fee.id, " ")
    with pytest.raises(ValidationError, match="押金"):
        waive(ctx, dep.id, "放弃装修")
    assert waive(ctx, fee.id, "放弃装修").amount_fen == 40000
    assert Charge.get_by_id(fee.id).paid_fen == 40000
    assert waive(ctx, fee.id, "again") is None
