"""Quick print after a payment: with 打印设置's 收款后直接打印收据 ticked and the PDF printer remembered for
the 三联 receipt, 收款 in the 收费台账 tab sends the receipt straight to the printer (no preview, no
dialog) at 100 % on 241×93 mm paper; with it unticked the preview opens as before and nothing prints.
The tab is driven as a clerk does: the room code typed and Enter, the 收款… button, the pay dialog's
确定 (only the modal dialog's exec is replaced, to click its OK button)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog

from app.ledger import billing, payments
from models.ledger import Receipt
from tests.helpers.ledger import make_site
from tests.printing.conftest import PRINTER
from tests.printing.pages import compare, render
from tests.printing.test_real_printer import DPI, paper_mm
from ui.common.printer import load_setup, quick_receipt_enabled

pytestmark = pytest.mark.gui


@pytest.fixture
def ledger_tab(qtbot, ctx, users, monkeypatch):
    make_site(ctx, users)
    billing.run_month(ctx, "2026-10")
    from ui.ledger import pay_dialog
    from ui.ledger.tab import Tab

    def click_ok(dlg):  # the modal dialog is not shown; its own OK button is clicked
        qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
        return dlg.result()
    monkeypatch.setattr(pay_dialog.PayDialog, "exec", click_ok)
    tab = Tab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1200, 700)
    tab.show()
    qtbot.keyClicks(tab.search, "5-102")
    qtbot.keyClick(tab.search, Qt.Key.Key_Return)
    assert tab.home_id is not None and tab.charges_model.rowCount() == 2
    tab.layout_combo.setCurrentIndex(tab.layout_combo.findData("三联"))
    return tab


def setup_receipt_printer(qtbot, quick: bool):
    """打印设置 as the clerk fills it: the 三联 receipt kind, the printer PDF, the quick-print box."""
    from ui.common.print_setup import PrintSetupDialog
    dlg = PrintSetupDialog("receipt_3part")
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.printer_combo.setCurrentIndex(dlg.printer_combo.findData(PRINTER))
    if dlg.quick_receipt.isChecked() != quick:
        qtbot.mouseClick(dlg.quick_receipt, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert load_setup("receipt_3part").printer == PRINTER
    assert quick_receipt_enabled() is quick


def test_payment_prints_receipt_straight_to_receipt_printer(qtbot, ctx, ledger_tab, cups_pdf, print_settings,
                                                            boxes, monkeypatch):
    setup_receipt_printer(qtbot, quick=True)
    dialogs = []
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: dialogs.append(self) or 0)
    cups_pdf.mark()
    qtbot.mouseClick(ledger_tab.pay_button, Qt.MouseButton.LeftButton)
    out = cups_pdf.wait()
    receipt = Receipt.get(Receipt.home == ledger_tab.home_id)
    assert receipt.total_fen == 31974  # both charges ticked by default: 219.74 + 100.00
    assert ledger_tab.last_quick_print is True
    assert not dialogs, "quick print opened the print dialog"
    assert ledger_tab.last_preview is None, "quick print opened the preview"
    assert not boxes.texts(), boxes.texts()
    assert paper_mm(out) == (241, 93)
    m = compare(render(out, DPI), render(payments.print_receipt(ctx, receipt.id, "三联"), DPI))
    print(f"收款 → quick print of the 三联 receipt: {m}")
    assert m.similarity > 0.97 and m.ink_match > 0.97, m


def test_payment_without_quick_print_opens_the_preview(qtbot, ctx, ledger_tab, cups_pdf, print_settings, boxes):
    setup_receipt_printer(qtbot, quick=False)
    cups_pdf.mark()
    qtbot.mouseClick(ledger_tab.pay_button, Qt.MouseButton.LeftButton)
    assert Receipt.select().where(Receipt.home == ledger_tab.home_id).count() == 1
    dlg = ledger_tab.last_preview
    assert dlg is not None and dlg.isVisible() and dlg.kind == "receipt_3part"
    assert "三联收据" in dlg.pages_label.text()
    dlg.close()
    with pytest.raises(AssertionError, match="cups-pdf wrote no file"):
        cups_pdf.wait(timeout=3)
