"""公摊表抄表… on the 月度计费 page, driven as the meter reader (张管家, area manager) does: the button opens the
公摊 meter's reading, last month's 止读数 and price are suggested, the amount follows the typing, a bad reading is
refused naming 止读数 with the dialog kept open, then saved; the monthly run splits it. The dialog's exec is
replaced by the test's hands (no modal loop)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from app.ledger import billing, charge_item_edit, shared_meter
from models.ledger import Charge
from models.shared_meter import SharedMeterReading
from tests.helpers.ledger import make_site
from ui.ledger import shared_reading_dialog

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def site(ctx, users):
    make_site(ctx, users)
    return charge_item_edit.save_item(ctx, {"name": "公摊电费", "category": "metered", "formula": "公摊（按面积）",
                                            "scope": "all", "cycle": "month", "valid_from": "2026-01"})


def _tab(qtbot, ctx):
    from ui.ledger.tab import Tab
    w = Tab(ctx)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.inner.setCurrentIndex(w.BILLING_PAGE)
    return w


def test_meter_reader_reads_the_shared_meter(qtbot, ctx, as_role, site, monkeypatch):
    shared_meter.read_meter(ctx, site.id, "2026-09", "1000", "1200", "0.5683")          # last month's reading
    reader = as_role("area_manager")
    tab = _tab(qtbot, reader)
    assert tab.month.text() == "2026-10"
    seen = {}

    def read(dlg):
        seen["title"] = dlg.windowTitle()
        seen["suggested"] = (dlg.widget("reading_from").text(), dlg.widget("price").text())
        seen["before"] = dlg.widget("amount").text()
        qtbot.keyClicks(dlg.widget("reading_to"), "1100")
        qtbot.mouseClick(dlg.ok_button, LEFT)
        seen["refused"] = dlg.error_label.text()
        dlg.widget("reading_to").clear()
        qtbot.keyClicks(dlg.widget("reading_to"), "3404.5")
        seen["amount"] = dlg.widget("amount").text()
        qtbot.mouseClick(dlg.ok_button, LEFT)
        return dlg.result()
    monkeypatch.setattr(shared_reading_dialog.SharedReadingDialog, "exec", read)
    qtbot.mouseClick(tab.findChild(QPushButton, "ledger_shared_meter_reading"), LEFT)
    assert seen == {"title": "公摊表抄表", "suggested": ("1200.00", "0.5683"),
                    "before": "—（填写起止读数和单价后自动计算）",
                    "refused": "止读数：应大于起读数 1200.00",
                    "amount": "1,252.82 元（用量 2204.50 × 单价 0.5683）"}
    row = SharedMeterReading.get(SharedMeterReading.period == "2026-10")
    assert (row.amount_fen, row.usage_x100, row.created_by_id) == (125282, 220450, reader.user.id)
    assert tab.bill_result.text() == ("已录入 公摊电费 2026-10 公摊表读数：用量 2204.50，公摊金额 1,252.82 元，"
                                      "计费时按面积或按户分摊")
    billing.run_month(ctx, "2026-10")
    assert sum(c.amount_fen for c in Charge.select().where((Charge.item_code == site.code)
                                                           & (Charge.bill_period == "2026-10"))) == 125282


def test_no_shared_item_says_what_to_do(qtbot, ctx, users, box_texts):
    make_site(ctx, users)
    tab = _tab(qtbot, ctx)
    qtbot.mouseClick(tab.findChild(QPushButton, "ledger_shared_meter_reading"), LEFT)
    assert box_texts == [shared_reading_dialog.NO_ITEMS]
