"""缴费通知单 on paper: `propertydesk print bill … --printer PDF` goes through the one print path
(propertydesk.cli.run_print → ui.common.printer.print_bytes) to CUPS's cups-pdf printer, as the other
print tests (tests/printing/); the page printed is the form at 100 %, a batch two per sheet is one job."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.ledger.billing import run_month
from tests.helpers.ledger import make_site
from tests.helpers.pdf import pdf_reader, pdf_text
from tests.printing.conftest import PRINTER, cups_pdf, print_settings  # noqa: F401  (fixtures)
from tests.printing.pages import compare, render
from tests.printing.test_real_printer import DPI, paper_mm

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture
def cli(ctx, users, data_dir, print_settings):  # noqa: F811
    make_site(ctx, users)
    run_month(ctx, "2026-10")
    run_month(ctx, "2026-11")
    ctx.db.close()
    env = dict(os.environ, XDG_CONFIG_HOME=str(print_settings), QT_QPA_PLATFORM="offscreen")

    def run(*args):
        return subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(data_dir), *args], cwd=ROOT,
                              capture_output=True, text=True, encoding="utf-8", env=env, check=False, timeout=120)
    return run


def test_bill_printed_at_actual_size_and_a_batch_as_one_job(cli, cups_pdf, tmp_path):  # noqa: F811
    out = tmp_path / "bill.pdf"
    cups_pdf.mark()
    r = cli("print", "bill", "--room", "5-101", "--month", "2026-11", "--out", str(out), "--printer", PRINTER)
    assert r.returncode == 0, r.stderr
    assert f"已发送到打印机“{PRINTER}”：1 页 × 1 份（实际尺寸 100%）" in r.stdout
    printed = cups_pdf.wait()
    assert paper_mm(printed) == (210, 297)
    m = compare(render(printed, DPI), render(out, DPI))
    print(f"bill via --printer: {m}")
    # ink in the same places (the measure of a page moved or scaled); the grey level of a dense page of
    # small CJK text differs a little after cups-pdf's Ghostscript pass (0.975 seen)
    assert m.similarity > 0.95 and m.ink_match > 0.97, m
    assert "缴费通知单" in pdf_text(out.read_bytes(), sep="")
    # a building, two per sheet, straight to the printer: one job of two sheets
    cups_pdf.mark()
    r = cli("print", "bill", "--building", "5", "--month", "2026-11", "--two-up", "--printer", PRINTER)
    assert r.returncode == 0, r.stderr
    assert "已生成缴费通知单 3 份" in r.stdout and f"已发送到打印机“{PRINTER}”：2 页 × 1 份" in r.stdout
    assert len(pdf_reader(cups_pdf.wait()).pages) == 2
