"""The one print path: PDF bytes to a printer at actual size (100 %), never scaled to fit.

Each PDF page is rendered at (up to) the printer's resolution and drawn onto the paper at its true
size in mm, at the paper's origin plus the form kind's x/y offset. Per form kind the PC remembers
the printer, the paper and the offset (QSettings). The preview's 打印…, quick print after a
payment and ``propertydesk print … --printer`` all end in :func:`print_pdf`.
"""
from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QMarginsF, QRectF, QSettings, QSizeF
from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from app.core.errors import UserError

KINDS = {"a4": "A4 表单", "receipt_3part": "三联收据（241×93 mm）", "worker_pass": "施工人员出入证",
         "notice": "通知单", "board": "公告栏公告（A4/A3）"}
# paper choices: "" = as the form's page; else a named size in mm (width, height)
PAPERS = {"": "同表单页面", "A4": "A4（210×297 mm）", "A5": "A5（148×210 mm）",
          "241x93": "三联收据纸（241×93 mm）", "A3": "A3（297×420 mm）"}
PAPER_MM = {"A4": (210.0, 297.0), "A5": (148.0, 210.0), "241x93": (241.0, 93.0), "A3": (297.0, 420.0)}
MAX_PIXELS = 25_000_000  # a page is rasterised at the printer's dpi, capped at this many pixels
MM_PER_PT = 25.4 / 72
RECEIPT_MM = (241.0, 93.0)
CARD_MAX_MM = (100.0, 70.0)  # the 85.6×54 mm worker pass and other cards
SIZE_TOLERANCE_MM = 2.0


class PrintError(UserError):
    """Printing failed; the message is for the clerk."""


@dataclass
class PrintSetup:
    printer: str = ""
    paper: str = ""
    offset_x_mm: float = 0.0
    offset_y_mm: float = 0.0


def _settings() -> QSettings:
    return QSettings("PropertyDesk", "PropertyDesk")


def load_setup(kind: str) -> PrintSetup:
    s = _settings()
    key = f"print/{kind}/"

    def num(name):
        try:
            return float(s.value(key + name, 0.0) or 0.0)
        except (TypeError, ValueError):
            return 0.0
    return PrintSetup(str(s.value(key + "printer", "") or ""), str(s.value(key + "paper", "") or ""),
                      num("offset_x_mm"), num("offset_y_mm"))


def save_setup(kind: str, setup: PrintSetup) -> None:
    s = _settings()
    key = f"print/{kind}/"
    s.setValue(key + "printer", setup.printer)
    s.setValue(key + "paper", setup.paper)
    s.setValue(key + "offset_x_mm", float(setup.offset_x_mm))
    s.setValue(key + "offset_y_mm", float(setup.offset_y_mm))
    s.sync()


def kind_of_size(width_mm: float, height_mm: float) -> str:
    """The form kind of a page by its size: the 三联 receipt, the worker pass card, else A4."""
    w, h = sorted((width_mm, height_mm), reverse=True)
    if abs(w - RECEIPT_MM[0]) < SIZE_TOLERANCE_MM and abs(h - RECEIPT_MM[1]) < SIZE_TOLERANCE_MM:
        return "receipt_3part"
    if w < CARD_MAX_MM[0] and h < CARD_MAX_MM[1]:
        return "worker_pass"
    return "a4"


def ensure_gui_app():
    """A QGuiApplication for rendering and printing; the command line has none (offscreen without a display)."""
    app = QCoreApplication.instance()
    if app is None:
        if sys.platform.startswith("linux") and not os.environ.get("DISPLAY") \
                and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(["propertydesk"])
    return app


class PdfPages:
    """PDF bytes opened with QtPdf (the buffer lives as long as the document)."""

    def __init__(self, pdf_bytes: bytes, parent=None):
        ensure_gui_app()
        self._data = QByteArray(pdf_bytes)
        self._buffer = QBuffer(self._data, parent)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(parent)
        self.document.load(self._buffer)
        if self.document.status() != QPdfDocument.Status.Ready or self.document.pageCount() < 1:
            raise PrintError("无法读取要打印的表单（PDF 无效或为空）")

    def sizes_mm(self) -> list[tuple[float, float]]:
        out = []
        for i in range(self.document.pageCount()):
            s = self.document.pagePointSize(i)
            out.append((s.width() * MM_PER_PT, s.height() * MM_PER_PT))
        return out

    def kind(self) -> str:
        return kind_of_size(*self.sizes_mm()[0])


def page_layout(width_mm: float, height_mm: float) -> QPageLayout:
    """A full-page layout (no margins) of this size. A standard size lying wide (A4 landscape) is
    that size turned; any other size is fed as it is (the 三联 form runs 241 mm across the carriage)."""
    portrait = QSizeF(min(width_mm, height_mm), max(width_mm, height_mm))
    std = QPageSize(portrait, QPageSize.Unit.Millimeter, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
    margins = QMarginsF(0, 0, 0, 0)
    if std.id() != QPageSize.PageSizeId.Custom:
        orient = QPageLayout.Orientation.Landscape if width_mm > height_mm + 0.01 \
            else QPageLayout.Orientation.Portrait
        return QPageLayout(std, orient, margins, QPageLayout.Unit.Millimeter)
    size = QPageSize(QSizeF(width_mm, height_mm), QPageSize.Unit.Millimeter, "",
                     QPageSize.SizeMatchPolicy.ExactMatch)
    return QPageLayout(size, QPageLayout.Orientation.Portrait, margins, QPageLayout.Unit.Millimeter)


def paper_mm(setup: PrintSetup, form_mm: tuple[float, float]) -> tuple[float, float]:
    if setup.paper in PAPER_MM:
        w, h = PAPER_MM[setup.paper]
        if (form_mm[0] > form_mm[1]) != (w > h):  # lay the paper as the form lies
            w, h = h, w
        return w, h
    return form_mm


def printer_for(name: str) -> QPrinter:
    """A high-resolution printer on the named system printer; a Chinese error if it is unknown."""
    ensure_gui_app()
    if name not in QPrinterInfo.availablePrinterNames():
        known = "、".join(QPrinterInfo.availablePrinterNames()) or "无"
        raise PrintError(f"找不到打印机“{name}”（本机打印机：{known}）")
    return QPrinter(QPrinterInfo.printerInfo(name), QPrinter.PrinterMode.HighResolution)


def print_pdf(pages: PdfPages, printer: QPrinter, setup: PrintSetup | None = None, copies: int = 1) -> int:
    """Print every page at 100 % in one job; returns the number of pages. Raises PrintError."""
    setup = setup or PrintSetup()
    if copies < 1:
        raise PrintError("份数须至少为 1")
    sizes = pages.sizes_mm()
    printer.setFullPage(True)
    printer.setCopyCount(int(copies))
    if not printer.setPageLayout(page_layout(*paper_mm(setup, sizes[0]))):
        raise PrintError(f"打印机“{printer.printerName()}”不支持该纸张")
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintError(f"无法开始打印（打印机“{printer.printerName() or '未选择'}”）")
    try:
        for i, (w_mm, h_mm) in enumerate(sizes):
            if i:
                printer.setPageLayout(page_layout(*paper_mm(setup, (w_mm, h_mm))))
                if not printer.newPage():
                    raise PrintError(f"打印第 {i + 1} 页时出错")
            _draw_page(painter, printer, pages.document, i, w_mm, h_mm, setup)
    finally:
        painter.end()
    return len(sizes)


def _draw_page(painter, printer, document, index, w_mm, h_mm, setup):
    dpi = printer.resolution()
    # raster resolution: the printer's, capped so a page stays under MAX_PIXELS
    cap = math.sqrt(MAX_PIXELS / ((w_mm / 25.4) * (h_mm / 25.4)))
    render_dpi = max(72.0, min(float(dpi), cap))
    image = document.render(index, QSizeF(w_mm / 25.4 * render_dpi, h_mm / 25.4 * render_dpi).toSize())
    if image.isNull():
        raise PrintError(f"无法渲染第 {index + 1} 页")
    px = dpi / 25.4  # device pixels per mm; with a full page, (0, 0) is the paper's corner
    target = QRectF(setup.offset_x_mm * px, setup.offset_y_mm * px, w_mm * px, h_mm * px)
    painter.drawImage(target, image)


def print_bytes(pdf_bytes: bytes, printer_name: str = "", kind: str | None = None, copies: int = 1) -> int:
    """Headless: print to the named printer (else the kind's remembered one) with the kind's paper
    and offset. Used by the command line and quick print. Returns the number of pages."""
    pages = PdfPages(pdf_bytes)
    kind = kind or pages.kind()
    setup = load_setup(kind)
    name = printer_name or setup.printer
    if not name:
        raise PrintError(f"未设置“{KINDS.get(kind, kind)}”的打印机，请先在“打印设置”中选择")
    return print_pdf(pages, printer_for(name), setup, copies)


# --- with a window: the print dialog, quick print, errors as Chinese message boxes ---

QUICK_RECEIPT_KEY = "print/quick_receipt"


def quick_receipt_enabled() -> bool:
    """The PC's setting: after a payment the receipt goes straight to the receipt printer."""
    return str(_settings().value(QUICK_RECEIPT_KEY, "false")).lower() in ("true", "1")


def set_quick_receipt(on: bool) -> None:
    _settings().setValue(QUICK_RECEIPT_KEY, bool(on))


def show_print_error(parent, exc: Exception) -> None:
    from PySide6.QtWidgets import QMessageBox
    text = str(exc) if isinstance(exc, UserError) else f"打印失败：{type(exc).__name__}: {exc}"
    QMessageBox.warning(parent, "打印失败", text)


def dialog_print(parent, pages: PdfPages, kind: str | None = None) -> bool:
    """The system print dialog on the kind's remembered printer, then print at 100 %."""
    from PySide6.QtPrintSupport import QPrintDialog
    from PySide6.QtWidgets import QDialog
    try:
        kind = kind or pages.kind()
        setup = load_setup(kind)
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if setup.printer and setup.printer in QPrinterInfo.availablePrinterNames():
            printer.setPrinterName(setup.printer)
        printer.setFullPage(True)
        printer.setPageLayout(page_layout(*paper_mm(setup, pages.sizes_mm()[0])))
        dlg = QPrintDialog(printer, parent)
        dlg.setWindowTitle("打印")
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return False
        print_pdf(pages, printer, setup, max(1, printer.copyCount()))
        return True
    except Exception as exc:  # noqa: BLE001 — every failure reaches the clerk in Chinese
        show_print_error(parent, exc)
        return False


def quick_print(parent, pdf_bytes: bytes, kind: str | None = None, copies: int = 1) -> bool:
    """Print to the kind's remembered printer without a dialog (the dialog when none is
    remembered); all pages in one job. Errors become a Chinese message box."""
    try:
        pages = PdfPages(pdf_bytes, parent)
        kind = kind or pages.kind()
        setup = load_setup(kind)
        if not setup.printer:
            return dialog_print(parent, pages, kind)
        print_pdf(pages, printer_for(setup.printer), setup, copies)
        return True
    except Exception as exc:  # noqa: BLE001
        show_print_error(parent, exc)
        return False
