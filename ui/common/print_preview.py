"""Print preview inside the app: QtPdf shows the PDF bytes; print to a printer or save as PDF."""
from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from ui.common.icons import icon


class PrintPreviewDialog(QDialog):
    def __init__(self, pdf_bytes: bytes, title: str = "打印预览", suggested_name: str = "表单.pdf", parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(820, 980)
        self.pdf_bytes = pdf_bytes
        self.suggested_name = suggested_name
        self._data = QByteArray(pdf_bytes)
        self._buffer = QBuffer(self._data, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        bar = QHBoxLayout()
        self.pages_label = QLabel(f"共 {self.document.pageCount()} 页")
        bar.addWidget(self.pages_label)
        bar.addStretch(1)
        self.print_button = QPushButton(icon("print"), "打印…")
        self.print_button.clicked.connect(self.print_document)
        self.save_button = QPushButton(icon("pdf"), "另存为PDF…")
        self.save_button.clicked.connect(self.save_pdf)
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        for b in (self.print_button, self.save_button, close):
            bar.addWidget(b)
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(self.view, 1)

    def save_pdf(self, path: str | None = None):
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "另存为PDF", self.suggested_name, "PDF 文件 (*.pdf)")
        if path:
            with open(path, "wb") as fh:
                fh.write(self.pdf_bytes)
        return path

    def print_document(self, printer: QPrinter | None = None):
        if printer is None:
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            dlg = QPrintDialog(printer, self)
            if dlg.exec() != QDialog.DialogCode.Accepted:
                return False
        print_pdf(self.document, printer)
        return True


def print_pdf(document: QPdfDocument, printer: QPrinter):
    """Render each PDF page at the printer's resolution onto its pages."""
    painter = QPainter()
    if not painter.begin(printer):
        return
    try:
        for i in range(document.pageCount()):
            if i:
                printer.newPage()
            rect = painter.viewport()
            size = document.pagePointSize(i)
            scale = min(rect.width() / size.width(), rect.height() / size.height())
            target = QSize(int(size.width() * scale), int(size.height() * scale))
            image = document.render(i, target)
            painter.drawImage(0, 0, image)
    finally:
        painter.end()


def preview(parent, pdf_bytes: bytes, title: str, suggested_name: str):
    dlg = PrintPreviewDialog(pdf_bytes, title, suggested_name, parent)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.show()
    return dlg
