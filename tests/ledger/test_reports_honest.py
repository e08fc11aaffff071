"""Reports never claim a rate they cannot compute, and deposits stand apart from arrears (issue 17):
a month with nothing billed shows "—" (no 100 %, no 达标) on the screen, the PDF, the Excel file and
the command line; a refundable 装修保证金 is never 欠费 in the ledger header."""
import subprocess
import sys

from PySide6.QtCore import QDate, Qt

from app.ledger import payments
from app.ledger import reports as lr
from app.ledger.billing import post_charge
from app.ledger.payments import pay
from tests.helpers.pdf import pdf_text
from tests.ledger.test_dunning import owing  # noqa: F401  (fixture)


def test_nothing_billed_has_no_rate(ctx, owing, tmp_path):  # noqa: F811
    rep = lr.collection_rate(ctx, "2026-12")
    t = rep.total
    assert (t.homes, t.billed_fen, t.rate_bp, t.meets_target) == (0, 0, None, None)
    assert (t.rate_text, t.target_text) == ("—", "—")
    text = pdf_text(lr.report_pdf(ctx, "collection", period="2026-12")).replace("\n", "").replace(" ", "")
    assert "100.00%" not in text and "全小区00.000.00——" in text
    # a billed month keeps its rate: 2026-11, 3 homes billed 178.00 each, one paid
    nov = lr.collection_rate(ctx, "2026-11").total
    assert (nov.rate_text, nov.target_text) == ("33.33%", "否")
    from openpyxl import load_workbook
    path = tmp_path / "rate.xlsx"
    assert lr.collection_xlsx(ctx, "2026-12", path) == 2
    rows = [r for r in load_workbook(path).active.iter_rows(values_only=True)]
    assert rows[0] == ("名称", "户数", "应收（元）", "实收（元）", "收费率", "达标")
    assert ("全小区", 0, 0, 0, "—", "—") in rows
    path = tmp_path / "nov.xlsx"
    lr.collection_xlsx(ctx, "2026-11", path)
    rows = [r for r in load_workbook(path).active.iter_rows(values_only=True)]
    assert ("全小区", 3, 534, 178, "33.33%", "否") in rows


def test_cli_collection_without_bills(ctx, owing, data_dir):  # noqa: F811
    ctx.db.close()
    r = subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(data_dir), "report", "collection",
                        "--month", "2026-12"], capture_output=True, text=True, encoding="utf-8", check=False)
    assert r.returncode == 0, r.stderr
    assert "全小区 —，应收 0.00 元" in r.stdout and "100.00%" not in r.stdout and "达标" not in r.stdout
    r = subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(data_dir), "report", "collection",
                        "--month", "2026-11"], capture_output=True, text=True, encoding="utf-8", check=False)
    assert "全小区 33.33%" in r.stdout and "未达标" in r.stdout


def test_rate_page_shows_a_dash_and_exports(qtbot, ctx, owing, tmp_path, monkeypatch, boxes):  # noqa: F811
    from PySide6.QtWidgets import QFileDialog

    from ui.ledger.dunning_tab import Tab
    w = Tab(ctx)
    qtbot.addWidget(w)
    w.show()
    w.month.setDate(QDate(2026, 12, 1))
    qtbot.waitUntil(w.loaded)                           # the pages load in the background
    assert w.rate_label.text() == "全小区 —（目标 96%）"
    assert w.rate_cluster.rows[-1].target_text == "—" and not w.chart.bars
    out = tmp_path / "收费率.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    qtbot.mouseClick(w.rate_export, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(w.last_run.done)                    # in the background (progress, 取消)
    assert out.exists() and boxes.last.text == f"已导出：{out}"


def test_deposit_is_not_arrears_in_the_header(ctx, owing):  # noqa: F811
    home = owing["3-101"].id
    dep = post_charge(ctx, home, "renovation_deposit", 200000)
    head = payments.home_header(ctx, home)
    assert (head["owed_fen"], head["deposit_due_fen"], head["deposit_held_fen"]) == (35600, 200000, 0)
    pay(ctx, home, [dep.id], "转账", "业主3-101", "WX0002")
    head = payments.home_header(ctx, home)
    assert (head["owed_fen"], head["billed_fen"], head["deposit_due_fen"], head["deposit_held_fen"]) == (
        35600, 35600, 0, 200000)


def test_ledger_header_shows_deposits_apart(qtbot, ctx, owing):  # noqa: F811
    from ui.ledger.tab import Tab
    home = owing["3-101"].id
    dep = post_charge(ctx, home, "renovation_deposit", 200000)
    pay(ctx, home, [dep.id], "转账", "业主3-101", "WX0002")
    w = Tab(ctx)
    qtbot.addWidget(w)
    w.resize(1366, 700)
    w.show()
    qtbot.keyClicks(w.search, "3-101")
    qtbot.keyClick(w.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "3-101" in w.header.text())
    text = w.header.text()
    assert "欠费 ¥356.00" in text and "押金/保证金（不计欠费）：在押 ¥2,000.00" in text
    w.grab().save("/tmp/w17/ledger_header.png")
