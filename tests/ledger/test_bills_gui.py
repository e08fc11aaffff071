"""缴费通知单 in the 收费台账 tab, clicked as a cashier does: 缴费通知单… on the 费用明细 bar (a month
typed wrong is refused naming 账单月份, then the home's bill previewed), 批量缴费通知单… on the 月度计费
bar (a building, two per sheet, made on the worker, previewed; a building with nothing owed says
so), and the buttons disabled for the front desk."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QLineEdit, QPushButton

from app.ledger.billing import run_month
from app.ledger.payments import pay
from models.ledger import Charge
from models.users import AuditLog
from tests.helpers.gui import accept_next_dialog, click_page
from tests.helpers.ledger import make_site
from tests.helpers.pdf import pdf_text

pytestmark = pytest.mark.gui


@pytest.fixture
def site(ctx, users):
    homes = make_site(ctx, users)
    run_month(ctx, "2026-10")
    run_month(ctx, "2026-11")
    return homes


def _tab(qtbot, ctx):
    from ui.ledger.tab import Tab
    w = Tab(ctx)
    qtbot.addWidget(w)
    w.resize(1366, 700)
    w.show()
    qtbot.waitExposed(w)
    return w


def _open_home(qtbot, tab, room):
    qtbot.keyClicks(tab.search, room)
    qtbot.keyClick(tab.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.home_id is not None, timeout=5000)


def _type_month(qtbot, dlg, text):
    edit = dlg.findChildren(QLineEdit)[0]
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def _button(dlg, text) -> QPushButton:
    return next(b for b in dlg.findChildren(QPushButton) if b.text() == text)


def test_home_bill_button_previews_the_bill(qtbot, ctx, site, boxes):
    tab = _tab(qtbot, ctx)
    _open_home(qtbot, tab, "5-101")
    seen = {}

    def fill_wrong_then_right():
        dlg = QApplication.activeModalWidget()
        if dlg is None:
            QTimer.singleShot(20, fill_wrong_then_right)
            return
        _type_month(qtbot, dlg, "2026-13")
        qtbot.mouseClick(_button(dlg, "预览"), Qt.MouseButton.LeftButton)
        seen["refusal"] = boxes.last.text       # the dialog stays open with the input kept
        seen["kept"] = dlg.findChildren(QLineEdit)[0].text()
        _type_month(qtbot, dlg, "2026-11")
        qtbot.mouseClick(_button(dlg, "预览"), Qt.MouseButton.LeftButton)

    QTimer.singleShot(20, fill_wrong_then_right)
    qtbot.mouseClick(tab.findChild(QPushButton, "ledger_bill_notice"), Qt.MouseButton.LeftButton)
    assert "账单月份" in seen["refusal"] and seen["kept"] == "2026-13"
    preview = tab.last_preview
    assert preview is not None and preview.document.pageCount() == 1
    assert "JF2026-000001" in preview.windowTitle() and "5-101" in preview.windowTitle()
    text = pdf_text(preview.pdf_bytes, sep="")
    assert "838.89" in text and "捌佰叁拾捌元捌角玖分" in text
    preview.close()
    row = AuditLog.get(AuditLog.action == "ledger.bill_print")
    assert row.entity == "home" and row.entity_id == str(site["5-101"].id)


def test_batch_button_makes_a_buildings_bills(qtbot, ctx, site, boxes):
    tab = _tab(qtbot, ctx)
    click_page(qtbot, tab.inner, tab.BILLING_PAGE)

    def choose(building, two_up):
        def fill(dlg):
            combo = dlg.findChildren(QComboBox)[0]
            combo.setCurrentIndex(combo.findText(building))
            _type_month(qtbot, dlg, "2026-11")
            box = dlg.findChildren(QCheckBox)[0]
            if box.isChecked() != two_up:
                qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
        return fill

    accept_next_dialog(qtbot, "生成", choose("5号楼", True))
    qtbot.mouseClick(tab.findChild(QPushButton, "ledger_bills_batch"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(tab.last_op.done, timeout=20000)
    preview = tab.last_preview
    assert preview is not None and "3 份" in preview.windowTitle()
    assert preview.document.pageCount() == 2             # three bills, two per A4 sheet
    preview.close()
    # 6号楼 paid up: nothing printed, and the clerk is told so
    for room in ("6-101", "6-102"):
        home = site[room]
        pay(ctx, home.id, [c.id for c in Charge.select().where(Charge.home == home)], "现金", "业主")
    tab.last_preview = None
    accept_next_dialog(qtbot, "生成", choose("6号楼", False))
    qtbot.mouseClick(tab.findChild(QPushButton, "ledger_bills_batch"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(tab.last_op.done, timeout=20000)
    assert "6号楼没有应缴费用的住户" in boxes.last.text and tab.last_preview is None
    assert AuditLog.select().where(AuditLog.action == "ledger.bill_print").count() == 2


def test_buttons_disabled_for_the_front_desk(qtbot, ctx, site, users):
    tab = _tab(qtbot, ctx.with_user(users["frontdesk"]))
    assert not tab.findChild(QPushButton, "ledger_bill_notice").isEnabled()
    assert not tab.findChild(QPushButton, "ledger_bills_batch").isEnabled()
