"""缴费通知单 (issue 17): the bill's figures tie to the ledger with the seed's rates (洋房 1.78 元/㎡·月,
地下车位 240 元/月, late fee 0.03 % a day), deposits apart, a home with nothing owed, batches per
building (pages, two per sheet), numbers unique per year, the print audited, the command line."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.errors import NotFound, PermissionDenied, ValidationError
from app.core.money import daxie, fmt_fen
from app.ledger import bills, dunning
from app.ledger.arrears import home_arrears
from app.ledger.billing import post_charge, run_month
from app.ledger.payments import pay, waive
from models.ledger import Charge
from models.users import AuditLog
from tests.helpers.ledger import make_site
from tests.helpers.pdf import pdf_fonts, pdf_pages, pdf_reader, pdf_text

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 23)       # the ctx fixture's clock


@pytest.fixture
def site(ctx, users):
    """The ledger helper's site billed for October and November (October overdue since 10-31)."""
    homes = make_site(ctx, users)
    run_month(ctx, "2026-10")
    run_month(ctx, "2026-11")
    return homes


def _owed(home) -> list[int]:
    return [c.id for c in Charge.select().where((Charge.home == home) & (Charge.paid_fen < Charge.amount_fen))]


def test_bill_ties_to_the_ledger(ctx, site):
    home = site["5-101"]     # 100 ㎡ 洋房 and an underground space: 178.00 + 240.00 a month
    batch = bills.issue_bills(ctx, "2026-11", home_id=home.id)
    (b,) = batch.bills
    assert b.number == "JF2026-000001" and b.period == "2026-11" and b.date == "2026-11-23"
    assert b.due_date == "2026-11-30"                              # billing.due_day 31 → the month's end
    assert [(x.name, x.quantity, x.rate, x.amount_fen, x.owed_fen) for x in b.lines] == [
        ("物业服务费", "100 ㎡", "1.78 元/㎡·月", 17800, 17800),
        ("地下停车费（车位 D-001）", "1 个", "240.00 元/月", 24000, 24000)]
    assert b.current_fen == 41800
    # earlier arrears by month: October, overdue 23 days on the 23rd
    (oct_,) = b.arrears
    assert (oct_.period, oct_.items, oct_.owed_fen) == ("2026-10", "物业服务费、地下停车费", 41800)
    # late fee as the dunning rule computes it per charge: 178.00×0.0003×23 = 1.2282 → 1.23, 240×…→ 1.66
    assert oct_.late_fee_fen == 123 + 166 == sum(
        dunning.late_fee_for(ctx.settings, c.amount_fen, c.due_date, TODAY)
        for c in Charge.select().where((Charge.home == home) & (Charge.period == "2026-10")))
    ledger = next(a for a in home_arrears(ctx, TODAY) if a.home_id == home.id)
    assert b.arrears_fen == ledger.owed_fen == 41800
    assert b.late_fee_fen == 289 and b.current_late_fen == 0
    assert b.total_fen == 41800 + 41800 + 289 == 83889
    text = pdf_text(bills.bills_pdf(ctx, "2026-11", home_id=home.id)[1], sep="")
    assert "缴费通知单" in text and "天伦庄园" in text and "5-101" in text and "业主1" in text
    assert "838.89" in text and daxie(83889) == "捌佰叁拾捌元捌角玖分" and daxie(83889) in text
    assert "2026-11-30" in text and "回执" in text and "JF2026-000002" in text
    assert "13812340000" not in text          # the owner's phone is never printed


def test_deposit_shown_apart_never_owed(ctx, site):
    home = site["5-101"]
    before = bills.issue_bills(ctx, "2026-11", home_id=home.id).bills[0].total_fen
    held = post_charge(ctx, home.id, "renovation_deposit", 300000, source="renovation")
    pay(ctx, home.id, [held.id], "现金", "业主1")
    post_charge(ctx, home.id, "pass_deposit", 10000, source="renovation")   # asked, not yet paid
    (b,) = bills.issue_bills(ctx, "2026-11", home_id=home.id).bills
    assert b.total_fen == before == 83889
    assert {(d.name, d.due_fen, d.held_fen) for d in b.deposits} == {("装修质量保证金", 0, 300000),
                                                                      ("出入证押金", 10000, 0)}
    text = pdf_text(bills.bills_pdf(ctx, "2026-11", home_id=home.id)[1], sep="")
    assert "不计入应缴合计" in text and "装修质量保证金 在押 3,000.00 元" in text
    assert "出入证押金 待交 100.00 元" in text


def test_reduction_shown_in_its_column_with_the_reason(ctx, site):
    home = site["5-101"]
    parking = Charge.get((Charge.home == home) & (Charge.period == "2026-11") & (Charge.item_code == "parking_under"))
    waive(ctx, parking.id, "车位施工停用")           # settled without money: 减免, never 已缴
    (b,) = bills.issue_bills(ctx, "2026-11", home_id=home.id).bills
    line = next(x for x in b.lines if x.name.startswith("地下停车费"))
    assert (line.amount_fen, line.reduced_fen, line.paid_fen, line.owed_fen) == (24000, 24000, 0, 0)
    assert b.current_fen == 17800 and b.total_fen == 83889 - 24000
    assert b.notes == ("减免说明：地下停车费 2026-11 减免 240.00 元（车位施工停用）。",)
    text = pdf_text(bills.bills_pdf(ctx, "2026-11", home_id=home.id)[1], sep="")
    assert "减免说明：地下停车费 2026-11 减免 240.00 元（车位施工停用）" in text and "598.89" in text


def test_approved_reduction_on_the_bill(ctx, site):
    from app.ledger import reductions
    home = site["5-101"]
    fee = Charge.get((Charge.home == home) & (Charge.period == "2026-11") & (Charge.item_code == "property_fee"))
    reductions.propose(ctx, fee.id, "percent", 30, "困难家庭，经理批准减三成", approve=True)
    (b,) = bills.issue_bills(ctx, "2026-11", home_id=home.id).bills
    line = b.lines[0]
    assert (line.name, line.amount_fen, line.reduced_fen, line.paid_fen, line.owed_fen) == (
        "物业服务费", 17800, 5340, 0, 12460)                      # 178.00 × 30 % = 53.40
    assert b.total_fen == 83889 - 5340
    assert b.notes == ("减免说明：物业服务费 2026-11 减免 53.40 元（困难家庭，经理批准减三成）。",)


def test_office_items_and_vacant_share_on_the_bill(ctx, users):
    from app.ledger import charge_item_edit
    homes = make_site(ctx, users)
    ctx.settings.set("billing.vacant_rate_pct", 70)
    lift = charge_item_edit.save_item(ctx, {"name": "电梯费", "category": "periodic", "formula": "area",
                                            "rate": "0.30", "scope": "all", "cycle": "month", "valid_from": "2026-01"})
    run_month(ctx, "2026-11")
    (b,) = bills.issue_bills(ctx, "2026-11", home_id=homes["5-101"].id).bills
    line = next(x for x in b.lines if x.name == "电梯费")
    assert line.amount_fen == 3000 and line.rate.startswith("0.30") and line.quantity == "100 ㎡"
    assert lift.code.startswith("custom_") and b.current_fen == 17800 + 24000 + 3000
    (v,) = bills.issue_bills(ctx, "2026-11", home_id=homes["5-201"].id).bills     # 叠加 150 ㎡, 空置
    fee = next(x for x in v.lines if x.name.startswith("物业服务费"))
    assert fee.name == "物业服务费（空置 70%）" and fee.amount_fen == 24150      # 150 × 2.30 × 70 %


def test_home_with_nothing_owed_says_so_and_is_skipped_in_batch(ctx, site):
    paid_up = site["5-102"]
    pay(ctx, paid_up.id, _owed(paid_up), "现金", "业主2")
    (b,) = bills.issue_bills(ctx, "2026-11", home_id=paid_up.id).bills
    assert b.total_fen == 0 and b.arrears == () and all(x.owed_fen == 0 for x in b.lines)
    text = pdf_text(bills.bills_pdf(ctx, "2026-11", home_id=paid_up.id)[1], sep="")
    assert "本期无应缴费用" in text and "零元整" in text
    batch, pdf = bills.bills_pdf(ctx, "2026-11", building_id=paid_up.building_id)
    assert [x.room_code for x in batch.bills] == ["5-101", "5-201"] and batch.skipped == 1
    assert len(pdf_reader(pdf).pages) == 2


def test_batch_pages_numbers_and_audit(ctx, site, users):
    b5 = site["5-101"].building_id
    batch, pdf = bills.bills_pdf(ctx, "2026-11", building_id=b5)
    assert [x.room_code for x in batch.bills] == ["5-101", "5-102", "5-201"] and batch.skipped == 0
    assert [x.number for x in batch.bills] == ["JF2026-000001", "JF2026-000002", "JF2026-000003"]
    pages = pdf_pages(pdf)
    assert len(pages) == 3 and all("缴费通知单回执" in p for p in pages)
    assert "5-102" in pages[1] and "JF2026-000002" in pages[1]
    assert any("CJK" in f or "+" in f for f in pdf_fonts(pdf))      # the CJK font embedded (a subset)
    # 5-201 (叠加, 空置 billed at the full rate): 150 ㎡ × 2.30 = 345.00 a month, October owed
    vacant = batch.bills[2]
    assert vacant.current_fen == 34500 and vacant.arrears_fen == 34500
    assert batch.total_fen == sum(x.total_fen for x in batch.bills)
    # two per A4 sheet: 3 bills on 2 landscape sheets; numbers go on across batches
    batch2, pdf2 = bills.bills_pdf(ctx, "2026-11", building_id=b5, two_up=True)
    assert batch2.bills[0].number == "JF2026-000004"
    reader = pdf_reader(pdf2)
    assert len(reader.pages) == 2 and float(reader.pages[0].mediabox.width) > float(reader.pages[0].mediabox.height)
    rows = list(AuditLog.select().where(AuditLog.action == "ledger.bill_print").order_by(AuditLog.id))
    assert len(rows) == 2 and all(r.user_id == users["manager"].id for r in rows)
    first = json.loads(rows[0].after)
    assert first["rooms"][1] == "5-102:JF2026-000002" and first["numbers"] == "JF2026-000001–JF2026-000003"
    assert first["count"] == 3 and first["total_fen"] == batch.total_fen


def test_refusals(ctx, site, as_role):
    home = site["5-101"]
    with pytest.raises(ValidationError, match="账单月份"):
        bills.issue_bills(ctx, "2026-13", home_id=home.id)
    with pytest.raises(ValidationError, match="账单月份"):
        bills.issue_bills(ctx, "2026-12", home_id=home.id)      # a month not yet come
    with pytest.raises(ValidationError, match="范围"):
        bills.issue_bills(ctx, "2026-11")
    with pytest.raises(NotFound):
        bills.issue_bills(ctx, "2026-11", building_id=987654)
    with pytest.raises(PermissionDenied):
        bills.issue_bills(as_role("frontdesk"), "2026-11", home_id=home.id)
    assert not AuditLog.select().where(AuditLog.action == "ledger.bill_print").exists()


def test_old_month_bill_counts_late_fee_on_its_own_items(ctx, site):
    (b,) = bills.issue_bills(ctx, "2026-10", home_id=site["5-101"].id).bills
    assert b.arrears == () and b.current_fen == 41800 and b.current_late_fen == 289
    assert b.total_fen == 41800 + 289
    assert b.due_date == "2026-11-30"     # past the month's due day: today + dunning.notice_pay_days (7)


def test_command_line_prints_a_home_and_a_building(ctx, site, data_dir, tmp_path):
    ctx.db.close()

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "propertydesk", *args, "--data-dir", str(data_dir)], cwd=ROOT,
                              capture_output=True, text=True, encoding="utf-8", timeout=120, check=False)
    one = tmp_path / "bill.pdf"
    r = cli("print", "bill", "--room", "5-101", "--month", "2026-11", "--out", str(one))
    assert r.returncode == 0, r.stderr
    # the command runs on the PC's clock: the late fee runs to that day
    real = dt.date.today()
    ctx.clock.set(dt.datetime.combine(real, dt.time(9)))
    total = fmt_fen(bills.issue_bills(ctx, "2026-11", home_id=site["5-101"].id).bills[0].total_fen)
    assert f"JF{real.year}-000001" in r.stdout and f"应缴合计 {total} 元" in r.stdout
    assert total in pdf_text(one.read_bytes(), sep="")
    many = tmp_path / "bills.pdf"
    r = cli("print", "bill", "--building", "5", "--month", "2026-11", "--two-up", "--out", str(many))
    assert r.returncode == 0, r.stderr
    assert "3 份" in r.stdout and len(pdf_reader(many).pages) == 2
    r = cli("print", "bill", "--month", "2026-11", "--out", str(many))
    assert r.returncode != 0 and "房号" in r.stderr
