"""Payment history from before going live (issue 16): rows stored for reference, 已缴至 set, the
monthly run skipping the months paid; rejects named by row; one transaction; totals tie; CLI."""
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from app.core.errors import ValidationError
from app.golive.history_import import import_history
from app.ledger import billing, month_ledger, prepay_desk
from app.ledger.paid_until import paid_until
from models.ledger import Charge
from models.parking import Vehicle
from models.payhistory import PaymentHistory
from models.users import AuditLog
from tests.helpers.ledger import make_site

ROOT = Path(__file__).resolve().parents[2]
HEADER = ["序号", "房号", "车牌号", "收费项目", "所属期间", "缴费日期", "应收金额", "实收金额", "收款人", "备注"]


def book(path, rows, header=HEADER, note=True):
    wb = Workbook()
    ws = wb.active
    ws.title = "缴费记录"
    ws.append(["天伦庄园 缴费历史（旧系统导出）"])
    ws.append(header + ([None, "说明：金额单位为元"] if note else []))
    for i, r in enumerate(rows, 1):
        ws.append([i, *r])
    wb.save(path)
    return path


@pytest.fixture
def site(ctx, users):
    homes = make_site(ctx, users)
    Vehicle.create(number="CK2026-000001", home=homes["5-101"], plate="豫A12345", card_number="C001",
                   valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2027, 12, 31))
    return homes


ROWS = [
    # 5-101 (洋房 100 ㎡, 178.00/月): paid through 2027-02 before go-live
    ["5-101", None, "物业服务费", "2026-03至2027-02", dt.date(2026, 2, 20), "2136.00", "2136.00", "李会计", "一年"],
    # its under-ground space by plate: 240.00 × 6 through 2026-12
    [None, "豫A12345", "地下停车费", "2026-07至2026-12", "2026-06-30", "1440", "1440", "李会计", ""],
    # 5-102 (219.74/月): one month in 2026-10, the same as in the old system
    ["5-102", None, "物业费", "2026年10月", "2026/10/08", "219.74", "219.74", "张出纳", ""],
    # rejected: unknown room, unknown item, reversed period, no amount
    ["9-999", None, "物业费", "2026-01", None, "100", "100", "", ""],
    ["5-102", None, "装修押金", "2026-01", None, "100", "100", "", ""],
    ["5-201", None, "物业费", "2026-06至2026-01", None, "100", "100", "", ""],
    ["6-101", None, "物业费", "2026-01", None, None, None, "", ""],
]


def test_history_sets_paid_until_and_the_run_skips_those_months(ctx, site, tmp_path):
    h1, h2 = site["5-101"], site["5-102"]
    rep = import_history(ctx, book(tmp_path / "缴费历史.xlsx", ROWS))
    assert (rep.rows, rep.imported, len(rep.rejected_at)) == (7, 3, 4)
    reasons = [r for _s, _n, r in rep.rejected_at]
    assert [n for _s, n, _r in rep.rejected_at] == [6, 7, 8, 9]
    assert "9-999" in reasons[0] and "收费项目" in reasons[1] and "早于" in reasons[2] and "实收金额" in reasons[3]
    assert rep.paid_fen == 213600 + 144000 + 21974 == rep.billed_fen
    assert rep.file_paid_fen == rep.paid_fen + 30000       # the workbook's total: the imported + the rejected rows'
    assert PaymentHistory.select().count() == 3
    pu = paid_until([h1.id, h2.id])
    assert pu[(h1.id, "property_fee")] == "2027-02" and pu[(h1.id, "parking_under")] == "2026-12"
    assert pu[(h2.id, "property_fee")] == "2026-10"
    # nothing was billed before: 5-101's months from 2026-03 on are settled at 0 for the run to skip
    assert rep.settled_months == 12 + 6 + 1
    res = billing.run_month(ctx, "2026-11")
    nov = {(c.home_id, c.item_code): c for c in Charge.select().where(Charge.bill_period == "2026-11")}
    assert nov[(h1.id, "property_fee")].amount_fen == 0 and nov[(h1.id, "property_fee")].source == "history"
    assert nov[(h1.id, "parking_under")].amount_fen == 0
    assert nov[(h2.id, "property_fee")].amount_fen == 21974          # not covered by its history: billed
    assert res["by_item"]["property_fee"] == 4                           # 5-101 skipped (5 homes billed before)
    ctx.clock.set(dt.datetime(2026, 12, 1, 9, 0))
    billing.run_month(ctx, "2026-12")
    ctx.clock.set(dt.datetime(2027, 3, 1, 9, 0))
    for m in ("2027-01", "2027-02", "2027-03"):
        billing.run_month(ctx, m)
    fee = {c.bill_period: c.amount_fen for c in Charge.select().where(
        (Charge.home == h1.id) & (Charge.item_code == "property_fee"))}
    assert fee["2027-02"] == 0 and fee["2027-03"] == 17800
    park = {c.bill_period: c.amount_fen for c in Charge.select().where(
        (Charge.home == h1.id) & (Charge.item_code == "parking_under"))}
    assert park["2026-12"] == 0 and park["2027-01"] == 24000
    # a desk prepayment starts after the history; the export shows 已缴至
    assert prepay_desk.prepay_quote(ctx, h2.id, "property_fee", 3)["from"] == "2027-04"
    rows = {(r["home_id"], r["item_code"]): r for r in month_ledger.month_ledger(ctx, "2027-03")}
    assert rows[(h1.id, "property_fee")]["paid_until"] == "2027-02"
    assert AuditLog.select().where(AuditLog.action == "golive.history").count() == 1


def test_dry_run_writes_nothing_and_reimport_is_refused(ctx, site, tmp_path):
    path = book(tmp_path / "h.xlsx", ROWS[:3])
    dry = import_history(ctx, path, dry_run=True)
    assert dry.imported == 3 and dry.settled_months == 19
    assert PaymentHistory.select().count() == 0 and not Charge.select().exists()
    import_history(ctx, path)
    again = import_history(ctx, path)
    assert again.imported == 0 and all("已导入过" in r for _s, _n, r in again.rejected_at)
    assert PaymentHistory.select().count() == 3


def test_after_billing_only_unbilled_months_are_settled(ctx, site, tmp_path):
    billing.run_month(ctx, "2026-11")
    rep = import_history(ctx, book(tmp_path / "h.xlsx", [ROWS[0]]))
    assert rep.settled_months == 3           # 2026-12 … 2027-02; 2026-11 was billed before the import
    assert Charge.get((Charge.home == site["5-101"]) & (Charge.bill_period == "2026-11")
                      & (Charge.item_code == "property_fee")).amount_fen == 17800


def test_csv_with_from_to_columns_and_a_bad_header(ctx, site, tmp_path):
    csv = tmp_path / "h.csv"
    csv.write_text("房间号,费用项目,起始月份,截止月份,实收金额\n5-１０２,有线电视费,2026-01,2026-12,156\n"
                   "5-102,物业费,2026-01,2026-09,１９７７.６６\n", encoding="utf-8")
    rep = import_history(ctx, csv)
    assert rep.imported == 2 and rep.paid_fen == 15600 + 197766
    assert paid_until([site["5-102"].id])[(site["5-102"].id, "property_fee")] == "2026-09"
    bad = tmp_path / "bad.csv"
    bad.write_text("姓名,电话\n张三,13800000000\n", encoding="utf-8")
    with pytest.raises(ValidationError) as e:
        import_history(ctx, bad)
    assert e.value.field == "工作表"


def test_permission(ctx, site, tmp_path, as_role):
    from app.core.errors import PermissionDenied
    path = book(tmp_path / "h.xlsx", ROWS[:1])
    with pytest.raises(PermissionDenied):
        import_history(as_role("frontdesk"), path)


def run_cli(data_dir, *args):
    return subprocess.run([sys.executable, "-m", "propertydesk", *args, "--data-dir", str(data_dir)], cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8", timeout=120, check=False)


@pytest.mark.slow
def test_cli_import_history_dry_run_then_import(ctx, site, data_dir, tmp_path):
    path = book(tmp_path / "缴费历史.xlsx", ROWS)
    r = run_cli(data_dir, "import", "history", str(path), "--dry-run")
    assert r.returncode == 3, r.stderr
    assert "试导入" in r.stdout and "导入 3 行，拒绝 4 行" in r.stdout and "第6行" in r.stdout
    assert PaymentHistory.select().count() == 0
    r = run_cli(data_dir, "import", "history", str(path))
    assert r.returncode == 3, r.stderr
    assert "实收 3,795.74 元" in r.stdout
    assert PaymentHistory.select().count() == 3
