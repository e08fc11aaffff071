"""Daily cashier report ties to the receipts; collection rate per cluster and area manager."""
import datetime as dt
import subprocess
import sys

import pytest

from app.core.errors import PermissionDenied
from app.ledger import reports as lr
from app.ledger.billing import post_charge
from app.ledger.payments import pay, refund, void_receipt
from tests.helpers.pdf import pdf_text
from tests.ledger.test_dunning import owing  # noqa: F401  (fixture)


def test_daily_report_ties_to_receipts(ctx, owing):  # noqa: F811
    h = owing["7-101"]
    dep = post_charge(ctx, h.id, "pass_deposit", 5000)
    r1 = pay(ctx, h.id, [dep.id], "银行卡", "装修工人")
    r2 = pay(ctx, owing["3-101"].id, [c.id for c in owing["3-101"].charges], "转账", "业主3-101", "WX0001")
    refund(ctx, h.id, "pass_deposit", 5000, "出入证退还")
    r4 = pay(ctx, owing["7-102"].id, [owing["7-102"].charges[0].id], "现金", "业主7-102")
    void_receipt(ctx, r4.id, "金额录错")
    rep = lr.daily_report(ctx, ctx.clock.today())
    # 3-102 paid in the fixture too (356.00 cash)
    assert rep.receipts_fen == 35600 + 5000 + 35600
    assert rep.refunds_fen == -5000 and rep.voided == 1
    assert rep.net_fen == sum(x["total_fen"] for x in rep.receipts if x["status"] == "有效")
    # the refund voucher was paid out in cash; the voided receipt counts nowhere
    assert dict(rep.by_method) == {"现金": 35600 - 5000, "银行卡": 5000, "转账": 35600}
    assert sum(v for _k, v in rep.by_method) == rep.net_fen
    assert sum(v for _k, v in rep.by_item) == rep.net_fen
    text = pdf_text(lr.report_pdf(ctx, "daily", day=ctx.clock.today(), sep=""))
    assert "收费日报" in text and r1.number in text and r2.number in text and "作废" in text


def test_collection_rate(ctx, owing, as_role):  # noqa: F811
    rep = lr.collection_rate(ctx, "2026-11")
    # November: three homes billed 178.00 each; one paid → 33.33 %
    assert rep.total.billed_fen == 3 * 17800 and rep.total.collected_fen == 17800
    assert rep.total.rate_text == "33.33%" and not rep.total.meets_target
    assert [r.name for r in rep.by_manager] == ["张管家"]
    assert rep.target_pct == 96
    pay(ctx, owing["3-101"].id, [c.id for c in owing["3-101"].charges], "现金", "x")
    pay(ctx, owing["7-102"].id, [c.id for c in owing["7-102"].charges], "现金", "x")
    rep = lr.collection_rate(ctx, "2026-11")
    assert rep.total.rate_bp == 10000 and rep.total.meets_target
    # the weekly view: as of yesterday only the fixture's payment counted
    early = lr.collection_rate(ctx, "2026-11", as_of=ctx.clock.today() - dt.timedelta(days=1))
    assert early.total.collected_fen == 0
    text = pdf_text(lr.report_pdf(ctx, "collection", period="2026-11"), sep="")
    assert "收费率报表" in text and "100.00%" in text and "B组团" in text
    with pytest.raises(PermissionDenied):
        lr.collection_rate(as_role("frontdesk"), "2026-11")


def test_cli_reports(ctx, owing, data_dir, tmp_path):  # noqa: F811
    ctx.db.close()

    def run(*a):
        return subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(data_dir), *a],
                              capture_output=True, text=True, encoding="utf-8", check=False)
    r = run("report", "daily", "--date", "2026-11-23", "--out", str(tmp_path / "d.pdf"))
    assert r.returncode == 0, r.stderr
    assert "356.00" in r.stdout
    r = run("report", "collection", "--month", "2026-11")
    assert r.returncode == 0 and "33.33%" in r.stdout
    r = run("report", "collection")
    assert r.returncode == 2 and "月份" in r.stderr
