"""Command line: propertydesk bill / export ledger / import readings / print receipt (subprocess)."""
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.ledger import billing, payments
from models.ledger import Charge, Receipt
from tests.helpers.ledger import make_site
from tests.helpers.pdf import pdf_pages

ROOT = Path(__file__).resolve().parents[2]


def run_cli(data_dir, *args):
    return subprocess.run([sys.executable, "-m", "propertydesk", *args, "--data-dir", str(data_dir)], cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8", timeout=120, check=False)


@pytest.fixture
def site(ctx, users):
    return make_site(ctx, users)


def test_cli_bill_twice_and_export(ctx, site, data_dir, tmp_path):
    r = run_cli(data_dir, "bill", "--month", "2026-10")
    assert r.returncode == 0, r.stderr
    assert "新增 7 笔" in r.stdout and "1,894.74" in r.stdout  # 178+219.74+345+580+232 + 100+240
    assert Charge.select().where(Charge.bill_period == "2026-10").count() == 7
    r2 = run_cli(data_dir, "bill", "--month", "2026-10")
    assert r2.returncode == 0 and "新增 0 笔" in r2.stdout
    assert Charge.select().where(Charge.bill_period == "2026-10").count() == 7
    fee = Charge.get((Charge.home == site["5-102"]) & (Charge.item_code == "property_fee"))
    payments.pay(ctx, site["5-102"].id, [fee.id], "cash", "业主2", amounts={fee.id: 10000})
    out = tmp_path / "台账.xlsx"
    r3 = run_cli(data_dir, "export", "ledger", "--month", "2026-10", "--out", str(out))
    assert r3.returncode == 0, r3.stderr
    ws = load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("组团", "楼栋", "房号")
    body = rows[1:-1]
    assert len(body) == 7
    line = [r for r in body if r[2] == "5-102" and r[4] == "物业服务费"][0]
    assert Decimal(str(line[6])) == Decimal("219.74") and Decimal(str(line[7])) == Decimal("100.00")
    assert Decimal(str(line[8])) == Decimal("119.74")
    assert ws.cell(row=2, column=7).number_format == "0.00"
    total = rows[-1]
    assert total[0] == "合计"
    # the total equals the sum of the ledger rows in fen
    db_total = sum(c.amount_fen for c in Charge.select().where(Charge.bill_period == "2026-10"))
    assert Decimal(str(total[6])) * 100 == db_total == sum(Decimal(str(r[6])) * 100 for r in body)
    assert Decimal(str(total[8])) * 100 == db_total - 10000


def test_cli_bad_month_and_print_receipt(ctx, site, data_dir, tmp_path):
    r = run_cli(data_dir, "bill", "--month", "2026-1")
    assert r.returncode == 2 and "计费月份" in r.stderr
    billing.run_month(ctx, "2026-10")
    c = Charge.get((Charge.home == site["5-101"]) & (Charge.item_code == "property_fee"))
    rec = payments.pay(ctx, site["5-101"].id, [c.id], "cash", "业主1")
    out = tmp_path / "r.pdf"
    r = run_cli(data_dir, "print", "receipt", "--number", rec.number, "--out", str(out))
    assert r.returncode == 0, r.stderr
    text = pdf_pages(out)[0]
    assert rec.number in text and "补打" in text and "壹佰柒拾捌元整" in text
    assert Receipt.get_by_id(rec.id).reprint_count == 1
