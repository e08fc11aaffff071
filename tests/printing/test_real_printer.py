"""Printing through CUPS and the cups-pdf printer: the preview's 打印… button (only the system
dialog's exec is patched, to accept with the printer PDF chosen), quick print, the calibration
page from 打印设置, and `propertydesk print … --printer PDF`. The printed file's paper size is
checked, and its page is compared with the form at 100 % (both rendered by pdftoppm)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import QDialog

from app.ledger import billing, payments
from models.ledger import Charge
from tests.helpers.ledger import make_site
from tests.helpers.pdf import pdf_reader
from tests.printing.conftest import PRINTER
from tests.printing.pages import compare, render, shifted
from ui.common.print_preview import PrintPreviewDialog
from ui.common.printer import PrintSetup, load_setup, save_setup

pytestmark = pytest.mark.gui
DPI = 127  # 5 pixels a millimetre
MM_PT = 72 / 25.4


@pytest.fixture
def receipt(ctx, users):
    homes = make_site(ctx, users)
    billing.run_month(ctx, "2026-10")
    h = homes["5-102"]
    r = payments.pay(ctx, h.id, [c.id for c in Charge.select().where(Charge.home == h)], "cash", "业主2")
    return r


@pytest.fixture
def accept_print_dialog(monkeypatch):
    chosen = []

    def exec_(self):
        self.printer().setPrinterName(PRINTER)
        chosen.append(self.printer())
        return QDialog.DialogCode.Accepted
    monkeypatch.setattr(QPrintDialog, "exec", exec_)
    return chosen


def paper_mm(path, page=0):
    box = pdf_reader(path).pages[page].mediabox
    return round(float(box.width) / MM_PT), round(float(box.height) / MM_PT)  # whole mm: 595 pt is 209.9


def print_from_preview(qtbot, pdf, cups_pdf):
    dlg = PrintPreviewDialog(pdf, "收据")
    qtbot.addWidget(dlg)
    dlg.show()
    cups_pdf.mark()
    qtbot.mouseClick(dlg.print_button, Qt.MouseButton.LeftButton)
    return cups_pdf.wait()


def test_print_button_prints_a4_receipt_at_actual_size(qtbot, ctx, receipt, cups_pdf, print_settings,
                                                       accept_print_dialog, boxes):
    pdf = payments.print_receipt(ctx, receipt.id, "A4")
    out = print_from_preview(qtbot, pdf, cups_pdf)
    assert accept_print_dialog, "the system print dialog was not opened"
    assert not boxes.texts(), boxes.texts()
    assert paper_mm(out) == (210, 297)
    m = compare(render(out, DPI), render(pdf, DPI))
    print(f"A4 receipt through the 打印 button: {m}")
    assert m.similarity > 0.97 and m.ink_match > 0.97, m


def test_print_button_prints_triple_receipt_with_its_offset(qtbot, ctx, receipt, cups_pdf, print_settings,
                                                            accept_print_dialog):
    pdf = payments.print_receipt(ctx, receipt.id, "三联")
    save_setup("receipt_3part", PrintSetup(PRINTER, "", 5.0, 3.0))
    out = print_from_preview(qtbot, pdf, cups_pdf)
    assert paper_mm(out) == (241, 93)  # fed as it is, 241 mm across
    printed, form = render(out, DPI), render(pdf, DPI)
    at_offset = compare(printed, shifted(form, 5 * 5, 3 * 5))
    unshifted = compare(printed, form)
    print(f"三联 receipt, offset 5/3 mm: against the form shifted by the offset {at_offset}; "
          f"against the form unshifted {unshifted}")
    assert at_offset.similarity > 0.97 and at_offset.ink_match > 0.97, at_offset
    assert unshifted.ink_match < 0.5, unshifted


def test_print_error_reaches_the_clerk_in_chinese(qtbot, ctx, receipt, print_settings, boxes):
    from ui.common.printer import quick_print
    save_setup("receipt_3part", PrintSetup("不存在的打印机"))
    assert quick_print(None, payments.print_receipt(ctx, receipt.id, "三联"), "receipt_3part") is False
    assert any("找不到打印机“不存在的打印机”" in t for t in boxes.texts()), boxes.texts()


def test_quick_print_batch_with_copies_is_one_job(ctx, receipt, cups_pdf, print_settings):
    import io

    from pypdf import PdfReader, PdfWriter

    from app.printing.calibration import render_calibration
    from ui.common.printer import quick_print
    w = PdfWriter()
    for _ in range(3):
        w.append(PdfReader(io.BytesIO(render_calibration("A4"))))
    buf = io.BytesIO()
    w.write(buf)
    save_setup("notice", PrintSetup(PRINTER))
    cups_pdf.mark()
    assert quick_print(None, buf.getvalue(), "notice", copies=2) is True
    out = cups_pdf.wait()
    assert len(pdf_reader(out).pages) == 6  # 3 pages × 2 copies in the one file of one job


def test_setup_dialog_saves_and_prints_calibration_page(qtbot, cups_pdf, print_settings):
    from app.printing.calibration import render_calibration
    from ui.common.print_setup import PrintSetupDialog
    dlg = PrintSetupDialog("receipt_3part")
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.printer_combo.setCurrentIndex(dlg.printer_combo.findData(PRINTER))
    dlg.dx.clear()
    qtbot.keyClicks(dlg.dx, "1.5")
    cups_pdf.mark()
    qtbot.mouseClick(dlg.calibrate_button, Qt.MouseButton.LeftButton)
    out = cups_pdf.wait()
    assert paper_mm(out) == (241, 93)
    m = compare(render(out, DPI), render(render_calibration("241x93"), DPI))  # printed at zero offset
    print(f"calibration page 241×93: {m}")
    assert m.similarity > 0.97 and m.ink_match > 0.8, m  # 0.2 pt hairline ticks: grey at 127 dpi
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert load_setup("receipt_3part") == PrintSetup(PRINTER, "", 1.5, 0.0)


def test_command_line_prints_to_the_printer(ctx, receipt, data_dir, cups_pdf, tmp_path):
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "cfg"), QT_QPA_PLATFORM="offscreen")
    cups_pdf.mark()
    r = subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(data_dir), "print", "receipt",
                        "--number", receipt.number, "--layout", "三联", "--printer", PRINTER, "--copies", "2",
                        "--out", str(tmp_path / "r.pdf")],
                       capture_output=True, text=True, env=env, check=False, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "已发送到打印机“PDF”：1 页 × 2 份" in r.stdout
    out = cups_pdf.wait()
    assert [paper_mm(out, i) for i in range(len(pdf_reader(out).pages))] == [(241, 93)] * 2
    form = render(tmp_path / "r.pdf", DPI)  # the 补打 form the command wrote with --out
    for page in (1, 2):
        m = compare(render(out, DPI, page), form)
        print(f"command line 三联 receipt, copy {page}: {m}")
        assert m.similarity > 0.97 and m.ink_match > 0.97, m
    bad = subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(data_dir), "print", "receipt",
                          "--number", receipt.number, "--printer", "NOPE"],
                         capture_output=True, text=True, env=env, check=False, timeout=120)
    assert bad.returncode == 2 and "找不到打印机“NOPE”" in bad.stderr
    cups_pdf.mark()
    plain = subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(data_dir), "print", "receipt",
                            "--number", receipt.number, "--printer", PRINTER],      # no --out: a temporary file
                           capture_output=True, text=True, env=env, check=False, timeout=120)
    assert plain.returncode == 0, plain.stderr
    assert f"已补打收据 {receipt.number} 到 打印机“PDF”" in plain.stdout and "propertydesk-print-" not in plain.stdout
    cups_pdf.wait()
