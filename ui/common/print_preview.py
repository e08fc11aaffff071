"""Print preview inside the app: QtPdf shows the PDF bytes; print (100 %, per form kind's printer
and offset) or save as PDF; 打印设置 for the form kind."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QDialog, QFileDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout

from ui.common.icons import icon
from ui.common.printer import KINDS, PdfPages, dialog_print, print_pdf


class PrintPreviewDialog(QDialog):
    def __init__(self, pdf_bytes: bytes, title: str = "打印预览", suggested_name: str = "表单.pdf", parent=None,
                 kind: str | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self._fit_screen(820, 980)
        self.pdf_bytes = pdf_bytes
        self.suggested_name = suggested_name
        self.pages = PdfPages(pdf_bytes, self)
        self.document = self.pages.document
        self.kind = kind or self.pages.kind()
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        bar = QHBoxLayout()
        self.pages_label = QLabel(f"共 {self.document.pageCount()} 页 · {KINDS.get(self.kind, self.kind)}")
        bar.addWidget(self.pages_label)
        bar.addStretch(1)
        self.print_button = QPushButton(icon("print"), "打印…")
        # clicked(bool) must not reach a parameter: the slot takes none
        self.print_button.clicked.connect(self._print_clicked)
        self.setup_button = QPushButton("打印设置…")
        self.setup_button.clicked.connect(self._setup_clicked)
        self.save_button = QPushButton(icon("pdf"), "另存为PDF…")
        self.save_button.clicked.connect(self._save_clicked)
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        for b in (self.print_button, self.setup_button, self.save_button, close):
            bar.addWidget(b)
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(self.view, 1)

    def _fit_screen(self, w, h):
        screen = self.screen()
        if screen is not None:
            avail = screen.availableGeometry()
            w, h = min(w, avail.width() - 20), min(h, avail.height() - 60)
        self.resize(w, h)

    def save_pdf(self, path: str | None = None) -> str | None:
        """Write the PDF (to *path*, else where the clerk chooses); returns the full path written."""
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "另存为PDF", self.suggested_name, "PDF 文件 (*.pdf)")
        if not path:
            return None
        target = Path(path)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        target = target.resolve()
        target.write_bytes(self.pdf_bytes)
        return str(target)

    def _save_clicked(self):
        try:
            path = self.save_pdf()
        except OSError as exc:
            reason = ("没有写入该位置的权限" if isinstance(exc, PermissionError) else
                      "文件夹不存在" if isinstance(exc, FileNotFoundError) else "无法写入文件")
            QMessageBox.warning(self, "未能保存", f"PDF 文件未能保存到 {exc.filename or ''}：{reason}")
            return
        if path:
            QMessageBox.information(self, "已保存", f"PDF 文件已保存到：\n{path}")

    def _print_clicked(self):
        self.print_document()

    def _setup_clicked(self):
        from ui.common.print_setup import PrintSetupDialog
        self.last_setup = PrintSetupDialog(self.kind, self)
        self.last_setup.exec()

    def print_document(self, printer=None) -> bool:
        """With no printer: the system print dialog, then print at 100 %. With a QPrinter: print on it."""
        if printer is None:
            return dialog_print(self, self.pages, self.kind)
        from ui.common.printer import load_setup
        print_pdf(self.pages, printer, load_setup(self.kind))
        return True


def preview(parent, pdf_bytes: bytes, title: str, suggested_name: str, kind: str | None = None):
    dlg = PrintPreviewDialog(pdf_bytes, title, suggested_name, parent, kind)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.show()
    return dlg
