"""Loan register (domain.md §6, 000 item 12, 003 篇5): items with quantity and condition, lending
with condition signed, identity document for a wheelchair, deposit in fen, return with the
condition found and the refund, overdue, prints and the command line."""
import datetime as dt
import os
import random
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from app.core.errors import NotFound, PermissionDenied, StateError, ValidationError
from app.core.validation import id_check_char
from app.desk import loan_prints, loans
from models.loans import Loan, LoanItem
from models.users import AuditLog
from tests.helpers.keys import DEFAULT_HOMES, make_homes
from tests.helpers.pdf import pdf_text as helpers_pdf_text

ROOT = Path(__file__).resolve().parents[2]
ID17 = "14010519620415123"
GOOD_ID = ID17 + id_check_char(ID17)


@pytest.fixture
def homes(ctx):
    return make_homes(DEFAULT_HOMES)


@pytest.fixture
def items(ctx):
    return {
        "轮椅": loans.create_item(ctx, {"name": "轮椅", "category": "助行", "quantity": 1, "needs_id": True}),
        "雨伞": loans.create_item(ctx, {"name": "雨伞", "category": "雨具", "quantity": 3}),
        "工具箱": loans.create_item(ctx, {"name": "工具箱", "category": "工具", "quantity": 1, "deposit_fen": 5000}),
    }


def base(item, **kw):
    d = {"item_id": item.id, "room_code": "5-201", "borrower_name": "马建国", "phone": "13703519876",
         "condition_out": "完好", "borrower_signed": True}
    d.update(kw)
    return d


def audit_count():
    return AuditLog.select().count()


def pdf_text(pdf: bytes) -> str:
    """The PDF's text, NFKC-normalised (the forms print ASCII in full-width forms)."""
    return unicodedata.normalize("NFKC", helpers_pdf_text(pdf))


# items -------------------------------------------------------------------------------------------

def test_items_with_quantity_condition_and_availability(ctx, homes, items):
    loans.lend(ctx, base(items["雨伞"], quantity=2))
    rows = {r["name"]: r for r in loans.list_items(ctx)}
    assert (rows["雨伞"]["quantity"], rows["雨伞"]["out"], rows["雨伞"]["available"]) == (3, 2, 1)
    assert rows["雨伞"]["condition"] == "完好" and rows["轮椅"]["needs_id"]
    assert rows["工具箱"]["deposit"] == "50.00"


@pytest.mark.parametrize("data,field", [
    ({"name": ""}, "物品名称"),
    ({"name": "梯子", "quantity": 0}, "数量"),
    ({"name": "梯子", "quantity": "三"}, "数量"),
    ({"name": "梯子", "category": "家电"}, "物品类别"),
    ({"name": "梯子", "deposit_fen": 12.5}, "押金"),
    ({"name": "雨伞"}, "物品名称"),
])
def test_item_bad_input(ctx, items, data, field):
    n = LoanItem.select().count()
    with pytest.raises(ValidationError, match=field):
        loans.create_item(ctx, data)
    assert LoanItem.select().count() == n


def test_item_quantity_not_below_out(ctx, homes, items):
    loans.lend(ctx, base(items["雨伞"], quantity=2))
    with pytest.raises(ValidationError, match="已借出2件"):
        loans.update_item(ctx, items["雨伞"].id, {"quantity": 1})
    assert loans.update_item(ctx, items["雨伞"].id, {"quantity": 5, "condition": "1把伞骨略弯"}).quantity == 5


# lending -----------------------------------------------------------------------------------------

def test_lend_records_everything(ctx, homes, items):
    loan = loans.lend(ctx, base(items["雨伞"], quantity=2, condition_out="完好，无破损"))
    assert loan.number == "JY2026-000001" and loan.quantity == 2
    assert loan.home.room_code == "5-201" and loan.borrower_signed
    assert loan.condition_out == "完好，无破损"
    # default due date: keys.default_loan_days (3) after today
    assert loan.due_date == dt.date(2026, 11, 26)
    ctx.settings.set("keys.default_loan_days", 7)
    assert loans.lend(ctx, base(items["雨伞"])).due_date == dt.date(2026, 11, 30)
    assert AuditLog.select().where(AuditLog.action == "loans.lend").count() == 2


def test_wheelchair_needs_identity_document_stored_encrypted(ctx, homes, items):
    """003 篇5: a wheelchair is lent free after recording room, name, phone and a valid ID."""
    loan = loans.lend(ctx, base(items["轮椅"], id_type="身份证", id_number=GOOD_ID))
    assert loan.deposit_fen == 0
    assert GOOD_ID not in loan.id_enc and ctx.vault.decrypt(loan.id_enc) == GOOD_ID
    assert loan.id_masked == "140***********" + GOOD_ID[-4:]
    row = loans.open_loans(ctx)[0]
    assert row["id_masked"] == loan.id_masked and row["phone"] == "137****9876"


@pytest.mark.parametrize("change,exc,text", [
    ({"room_code": "9-999"}, ValidationError, "房号“9-999”不存在"),
    ({"room_code": "abc"}, ValidationError, "房号"),
    ({"borrower_name": ""}, ValidationError, "借用人"),
    ({"phone": ""}, ValidationError, "联系电话"),
    ({"phone": "123"}, ValidationError, "联系电话"),
    ({"condition_out": ""}, ValidationError, "借出时状况"),
    ({"borrower_signed": False}, ValidationError, "借用人签字"),
    ({"quantity": 0}, ValidationError, "借用数量"),
    ({"due_date": "2026-11-22"}, ValidationError, "应还日期"),
    ({"deposit_fen": -100}, ValidationError, "押金"),
    ({"deposit_fen": 10.5}, ValidationError, "押金"),
    ({"id_number": "110101199003071230"}, ValidationError, "证件号码"),
])
def test_lend_bad_input_changes_nothing(ctx, homes, items, change, exc, text):
    before = audit_count()
    with pytest.raises(exc, match=text):
        loans.lend(ctx, base(items["雨伞"], **change))
    assert Loan.select().count() == 0 and audit_count() == before


def test_wheelchair_without_identity_document_refused(ctx, homes, items):
    with pytest.raises(ValidationError, match="证件号码：借用轮椅须登记有效身份证件"):
        loans.lend(ctx, base(items["轮椅"]))
    assert Loan.select().count() == 0


def test_cannot_lend_beyond_quantity(ctx, homes, items):
    loans.lend(ctx, base(items["雨伞"], quantity=2))
    before = audit_count()
    with pytest.raises(StateError, match="共3件，已借出2件，可借1件，不能借出2件"):
        loans.lend(ctx, base(items["雨伞"], quantity=2))
    loans.lend(ctx, base(items["雨伞"], quantity=1))
    with pytest.raises(StateError, match="可借0件"):
        loans.lend(ctx, base(items["雨伞"]))
    assert Loan.select().count() == 2 and audit_count() == before + 1
    assert loans.available_quantity(items["雨伞"].id) == 0


def test_permissions(ctx, as_role, homes, items):
    with pytest.raises(PermissionDenied, match="权限不足"):
        loans.lend(as_role("cashier"), base(items["雨伞"]))
    with pytest.raises(PermissionDenied):
        loans.create_item(as_role("area_manager"), {"name": "梯子"})
    assert loans.lend(as_role("frontdesk"), base(items["雨伞"])).issued_by.username == "frontdesk"


# deposit and return ------------------------------------------------------------------------------

def test_deposit_recorded_and_refunded_in_fen(ctx, homes, items):
    loan = loans.lend(ctx, base(items["工具箱"], deposit_fen=5000))
    assert loan.deposit_fen == 5000
    ctx.clock.advance(days=1)
    back = loans.return_loan(ctx, loan.id, {"condition_in": "完好"})
    assert back.refund_fen == 5000 and back.returned_at == dt.datetime(2026, 11, 24, 9, 0)
    assert back.received_by == "王经理"
    assert loans.open_loans(ctx) == []


def test_return_with_damage_keeps_part_of_deposit(ctx, homes, items):
    loan = loans.lend(ctx, base(items["工具箱"], deposit_fen=5000))
    with pytest.raises(ValidationError, match="损坏说明"):
        loans.return_loan(ctx, loan.id, {"condition_in": "缺少扳手"})
    with pytest.raises(ValidationError, match="退还押金"):
        loans.return_loan(ctx, loan.id, {"condition_in": "完好", "refund_fen": 6000})
    with pytest.raises(ValidationError, match="扣留部分押金须填写损坏说明"):
        loans.return_loan(ctx, loan.id, {"condition_in": "完好", "refund_fen": 3000})
    assert Loan.get_by_id(loan.id).returned_at is None
    back = loans.return_loan(ctx, loan.id, {"condition_in": "缺少扳手", "damage_notes": "扳手遗失，按价赔偿20元",
                                            "refund_fen": 3000, "received_by": "李娜"})
    assert (back.refund_fen, back.condition_in, back.received_by) == (3000, "缺少扳手", "李娜")
    assert LoanItem.get_by_id(items["工具箱"].id).condition == "完好"      # unchanged unless asked
    with pytest.raises(StateError, match="不能重复归还"):
        loans.return_loan(ctx, loan.id, {"condition_in": "完好"})
    with pytest.raises(NotFound):
        loans.return_loan(ctx, 999, {"condition_in": "完好"})


def test_deposit_goes_through_the_ledger(ctx, homes, items):
    """The deposit is charged as loan_deposit and paid on a receipt in the borrower's name, and
    refunded through the ledger on a refund voucher (docs/DEVELOPING.md contract)."""
    from models.ledger import Charge, Payment, Receipt
    loan = loans.lend(ctx, base(items["工具箱"], deposit_fen=5000))
    home_id = homes["5-201"].id
    charge = Charge.get((Charge.source == "loan") & (Charge.source_id == loan.id))
    assert (charge.home_id, charge.item_code, charge.amount_fen, charge.paid_fen) == (
        home_id, "loan_deposit", 5000, 5000)
    receipt = Receipt.get(Receipt.number == loan.deposit_receipt)
    assert (receipt.home_id, receipt.payer, receipt.total_fen) == (home_id, "马建国", 5000)
    assert [(p.charge_id, p.amount_fen) for p in Payment.select().where(Payment.receipt == receipt.id)] == [
        (charge.id, 5000)]
    back = loans.return_loan(ctx, loan.id, {"condition_in": "完好"})
    refund = Payment.get((Payment.kind == "refund") & (Payment.source == "loan") & (Payment.source_id == loan.id))
    assert (refund.home_id, refund.item_code, refund.amount_fen) == (home_id, "loan_deposit", -5000)
    assert refund.receipt.number == back.refund_voucher and refund.receipt.kind == "refund"


def test_deposit_with_the_real_ledger(ctx, homes, items, as_role):
    """Deposit charged as loan_deposit on a receipt, refunded (less damage) on a voucher."""
    from app.ledger import payments
    loan = loans.lend(ctx, base(items["工具箱"], deposit_fen=5000))
    assert loan.deposit_receipt
    assert payments.deposit_held(homes["5-201"].id, "loan_deposit", source="loan", source_id=loan.id) == 5000
    back = loans.return_loan(ctx, loan.id, {"condition_in": "缺扳手", "damage_notes": "扳手遗失", "refund_fen": 3000})
    assert back.refund_voucher and back.refund_voucher != loan.deposit_receipt
    assert payments.deposit_held(homes["5-201"].id, "loan_deposit", source="loan", source_id=loan.id) == 2000
    # the front desk cannot take money: the whole loan is refused, nothing half-saved
    n = Loan.select().count()
    with pytest.raises(PermissionDenied):
        loans.lend(as_role("frontdesk"), base(items["工具箱"], deposit_fen=5000))
    assert Loan.select().count() == n


def test_overdue_loans_and_reminder(ctx, homes, items):
    from app.desk.reminders import startup_reminders
    loans.lend(ctx, base(items["轮椅"], id_number=GOOD_ID, due_date="2026-11-24"))
    loans.lend(ctx, base(items["雨伞"], due_date="2026-11-30", room_code="5-202"))
    assert loans.overdue_loans(ctx) == []
    ctx.clock.set(dt.datetime(2026, 11, 27, 9, 0))
    od = loans.overdue_loans(ctx)
    assert [r["item"] for r in od] == ["轮椅"] and od[0]["overdue_text"] == "逾期3天"
    lines = startup_reminders(ctx)
    assert len(lines) == 1 and "轮椅" in lines[0] and "5-201" in lines[0]
    assert [r["overdue"] for r in loans.open_loans(ctx)] == [True, False]


def test_return_can_update_item_condition(ctx, homes, items):
    loan = loans.lend(ctx, base(items["轮椅"], id_number=GOOD_ID))
    loans.return_loan(ctx, loan.id, {"condition_in": "左刹车失灵", "damage_notes": "刹车需维修",
                                     "update_item_condition": True})
    assert next(r for r in loans.list_items(ctx) if r["name"] == "轮椅")["condition"] == "左刹车失灵"


def test_loan_history(ctx, homes, items):
    a = loans.lend(ctx, base(items["雨伞"]))
    loans.return_loan(ctx, a.id, {"condition_in": "完好"})
    ctx.clock.advance(hours=1)
    loans.lend(ctx, base(items["雨伞"], room_code="5-202"))
    hist = loans.loan_history(ctx, item_id=items["雨伞"].id)
    assert [h["room_code"] for h in hist] == ["5-202", "5-201"] and hist[1]["returned_at"]
    assert len(loans.loan_history(ctx, home_id=homes["5-201"].id)) == 1


def test_demo_populate(ctx):
    from app.demo import loans as demo_loans
    make_homes({f"5-{n}": "已入住" for n in (101, 102, 201, 202, 301)})
    demo_loans.populate(ctx, random.Random(3))
    names = {r["name"] for r in loans.list_items(ctx)}
    assert {"轮椅", "人字梯", "雨伞", "应急灯", "急救箱", "老花镜"} <= names
    assert len(loans.open_loans(ctx)) == 3 and len(loans.overdue_loans(ctx)) == 1


# prints and command line -------------------------------------------------------------------------

def test_loan_slip_pdf(ctx, homes, items):
    loan = loans.lend(ctx, base(items["轮椅"], id_number=GOOD_ID, condition_out="完好，刹车正常"))
    text = pdf_text(loan_prints.loan_slip_pdf(ctx, loan.id))
    for s in ("物品借用单", "JY2026-000001", "轮椅", "5-201", "马建国", "137****9876", "完好，刹车正常",
              "2026-11-26", "借用人签字", GOOD_ID[-4:]):
        assert unicodedata.normalize("NFKC", s) in text, s
    assert GOOD_ID not in text and "13703519876" not in text


def test_overdue_list_pdf(ctx, homes, items):
    loans.lend(ctx, base(items["雨伞"], due_date="2026-11-24"))
    ctx.clock.set(dt.datetime(2026, 11, 26, 9, 0))
    text = pdf_text(loan_prints.overdue_list_pdf(ctx))
    for s in ("借用物品逾期未还清单", "雨伞", "5-201", "逾期2天", "137****9876"):
        assert s in text, s


def test_cli_loans_out(ctx, data_dir, homes, items):
    ctx.clock.set(dt.datetime(2026, 11, 1, 9, 0))          # the subprocess runs on the real clock
    loans.lend(ctx, base(items["雨伞"], due_date="2026-11-05"))
    loans.lend(ctx, base(items["工具箱"], due_date="2099-01-01", deposit_fen=5000, room_code="5-202"))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-m", "propertydesk", "loans", "out", "--data-dir", str(data_dir)],
                       check=False, capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    umbrella = next(ln for ln in r.stdout.splitlines() if "雨伞" in ln)
    toolbox = next(ln for ln in r.stdout.splitlines() if "工具箱" in ln)
    assert "逾期" in umbrella and "逾期" not in toolbox and "押金 50.00 元" in toolbox
    assert "共 2 笔借用未还" in r.stdout


def test_reveal_borrower_phone_needs_permission_and_is_audited(ctx, as_role, homes, items):
    loan = loans.lend(ctx, base(items["雨伞"]))
    with pytest.raises(PermissionDenied):
        loans.reveal_borrower_phone(as_role("frontdesk"), loan.id)
    assert loans.reveal_borrower_phone(ctx, loan.id) == "13703519876"
    assert AuditLog.select().where(AuditLog.action == "pii.reveal_phone").count() == 1


def test_retire_item(ctx, homes, items):
    loan = loans.lend(ctx, base(items["雨伞"]))
    with pytest.raises(ValidationError, match="停用原因"):
        loans.set_item_active(ctx, items["雨伞"].id, False)
    with pytest.raises(StateError, match="尚有1件借出未还"):
        loans.set_item_active(ctx, items["雨伞"].id, False, "遗失")
    loans.return_loan(ctx, loan.id, {"condition_in": "完好"})
    loans.set_item_active(ctx, items["雨伞"].id, False, "伞骨全部损坏，报废")
    assert "雨伞" not in {r["name"] for r in loans.list_items(ctx)}
    with pytest.raises(StateError, match="已停用"):
        loans.lend(ctx, base(items["雨伞"]))
    loans.set_item_active(ctx, items["雨伞"].id, True)
    assert loans.lend(ctx, base(items["雨伞"])).quantity == 1


def test_cli_print_loans_overdue(ctx, data_dir, homes, items):
    ctx.clock.set(dt.datetime(2026, 1, 2, 9, 0))
    loans.lend(ctx, base(items["轮椅"], id_number=GOOD_ID, due_date="2026-01-03"))
    out = data_dir / "od.pdf"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-m", "propertydesk", "print", "loans-overdue", "--out", str(out),
                        "--data-dir", str(data_dir)],
                       check=False, capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "已生成" in r.stdout
    text = pdf_text(out.read_bytes())
    assert "借用物品逾期未还清单" in text and "轮椅" in text and "5-201" in text


def test_area_manager_of_home(ctx, users, homes):
    from models.property import Building
    Building.update(area_manager=users["area_manager"].id).execute()
    assert loans.area_manager_of("5-201") == "张管家"
    assert loans.area_manager_of("9-999") == ""
