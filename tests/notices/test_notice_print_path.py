"""The board's notices go out through the one print path (ui/common/printer.py) as their own form
kind "board": an A3 notice of three entrances is one job of three A3 pages at 100 %, and the kind
remembers A3 paper for a printer that is fed A3 (here Qt's PDF printer stands in for the office's)."""
from __future__ import annotations

import pytest
from PySide6.QtGui import QPageLayout
from PySide6.QtPrintSupport import QPrinter

from app.notices import notices, prints
from tests.helpers.notices import draft, make_buildings
from tests.helpers.pdf import pdf_reader
from ui.common.printer import KINDS, PAPER_MM, PdfPages, PrintSetup, load_setup, print_pdf, save_setup

pytestmark = pytest.mark.gui
MM_PER_PT = 25.4 / 72


def _sizes_mm(path) -> list[tuple[int, int]]:
    return [(round(float(p.mediabox.width) * MM_PER_PT), round(float(p.mediabox.height) * MM_PER_PT))
            for p in pdf_reader(path).pages]


def test_an_a3_notice_prints_as_one_job_of_a3_pages(qapp, ctx, tmp_path):
    make_buildings()
    n = draft(ctx, buildings=["5", "6"], grade="紧急通告")
    notices.approve(ctx, n.id)
    pdf = prints.notice_pdf(ctx, n.id, "A3")
    assert "board" in KINDS and PAPER_MM["A3"] == (297.0, 420.0)
    save_setup("board", PrintSetup("", "A3", 0.0, 0.0))
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    assert print_pdf(PdfPages(pdf), printer, load_setup("board")) == 3
    assert _sizes_mm(out) == [(297, 420)] * 3
    assert printer.pageLayout().orientation() == QPageLayout.Orientation.Portrait
