"""`propertydesk dunning --stage …` and `propertydesk report …` write PDFs outside the `print` group; they
take --printer NAME and --copies N too, through the same path (propertydesk.cli.run_print →
ui.common.printer.print_bytes). Printed through CUPS/cups-pdf: the notices as one job with the 通知单
kind's remembered offset, the daily report on A4, each page compared with the --out PDF at 100 %."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers.pdf import pdf_reader, pdf_text
from tests.ledger.test_dunning import owing  # noqa: F401  (fixture)
from tests.printing.conftest import PRINTER
from tests.printing.pages import compare, render, shifted
from tests.printing.test_real_printer import DPI, paper_mm
from ui.common.printer import PrintSetup, save_setup


@pytest.fixture
def cli(ctx, owing, data_dir, print_settings):  # noqa: F811
    ctx.db.close()
    # the command line reads the same print settings (QSettings under XDG_CONFIG_HOME) as this test wrote
    env = dict(os.environ, XDG_CONFIG_HOME=str(print_settings), QT_QPA_PLATFORM="offscreen")

    def run(*args):
        return subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(data_dir), *args],
                              capture_output=True, text=True, encoding="utf-8", env=env, check=False, timeout=120)
    return run


def test_dunning_notices_to_the_printer_as_one_job_with_the_notice_offset(cli, cups_pdf, tmp_path):
    save_setup("notice", PrintSetup("", "", 4.0, 2.0))  # the 通知单 kind's offset, set in 打印设置
    out = tmp_path / "n3.pdf"
    # a third notice follows a second one in the month (issue 17's dunning calendar)
    r = cli("dunning", "--date", "2026-11-17", "--stage", "2", "--out", str(tmp_path / "n2.pdf"))
    assert r.returncode == 0 and "已生成二次通知" in r.stdout, r.stdout + r.stderr
    cups_pdf.mark()
    r = cli("dunning", "--date", "2026-11-23", "--stage", "3", "--out", str(out), "--printer", PRINTER,
            "--copies", "2")
    assert r.returncode == 0, r.stderr
    assert "已生成三次通知（含滞纳金） 2 份" in r.stdout and str(out) in r.stdout
    assert f"已发送到打印机“{PRINTER}”：2 页 × 2 份（实际尺寸 100%）" in r.stdout
    printed = cups_pdf.wait()
    assert [paper_mm(printed, i) for i in range(len(pdf_reader(printed).pages))] == [(210, 297)] * 4
    assert "欠费三次通知单" in pdf_text(out.read_bytes(), sep="")
    for page in (1, 2):
        form = render(out, DPI, page)
        at_offset = compare(render(printed, DPI, page), shifted(form, 4 * 5, 2 * 5))
        print(f"dunning notice {page} via --printer, offset 4/2 mm: {at_offset}")
        assert at_offset.similarity > 0.97 and at_offset.ink_match > 0.97, at_offset
        unshifted = compare(render(printed, DPI, page), form)
        assert unshifted.ink_match < 0.5, unshifted  # the offset was applied: the notice kind's setup
    # the second copy follows the first in the one job
    assert compare(render(printed, DPI, 3), render(printed, DPI, 1)).similarity > 0.999


def test_daily_report_to_the_printer_without_out(cli, cups_pdf, tmp_path):
    cups_pdf.mark()
    r = cli("report", "daily", "--date", "2026-11-23", "--printer", PRINTER)
    assert r.returncode == 0, r.stderr
    assert "收费日报" in r.stdout and f"已发送到打印机“{PRINTER}”：1 页 × 1 份" in r.stdout
    assert "已生成" not in r.stdout  # the temporary PDF is not named: it is gone
    printed = cups_pdf.wait()
    assert paper_mm(printed) == (210, 297)
    # the same report to a file and the printer in one run: the page printed is the form, at actual size
    out = tmp_path / "daily.pdf"
    cups_pdf.mark()
    r = cli("report", "daily", "--date", "2026-11-23", "--out", str(out), "--printer", PRINTER)
    assert r.returncode == 0 and f"已生成：{out}" in r.stdout, r.stderr
    printed_too = cups_pdf.wait()
    m = compare(render(printed_too, DPI), render(out, DPI))
    print(f"daily report via --printer: {m}")
    assert m.similarity > 0.97 and m.ink_match > 0.97, m
    # the first job printed the same form: only its 审计链头 line differs (each command's sign-in is an
    # audit row, so the chain's head moves between two runs)
    first = compare(render(printed, DPI), render(out, DPI))
    assert first.similarity > 0.97 and first.ink_match > 0.9, first


def test_printer_options_refused_in_chinese(cli):
    r = cli("dunning", "--date", "2026-11-23", "--printer", PRINTER)
    assert r.returncode == 2 and "只有打印通知单（--stage 2 或 3）时才能指定打印机" in r.stderr
    r = cli("report", "collection", "--month", "2026-11", "--printer", PRINTER, "--copies", "0")
    assert r.returncode == 2 and "份数须至少为 1" in r.stderr
    r = cli("report", "daily", "--printer", "不存在的打印机")
    assert r.returncode == 2 and "找不到打印机“不存在的打印机”" in r.stderr
    r = cli("dunning", "--date", "2026-11-23", "--stage", "2")
    assert r.returncode == 2 and "--out" in r.stderr and "--printer" in r.stderr
    for command in (["dunning"], ["report"], ["print", "receipt"]):
        h = cli(*command, "--help")
        assert h.returncode == 0, h.stderr
        assert "--printer" in h.stdout and "--copies" in h.stdout and "按实际尺寸 100% 打印" in h.stdout
