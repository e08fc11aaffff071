"""打印设置: per form kind the PC's printer, paper and x/y offset in mm, a calibration page, and
whether a receipt prints straight after a payment."""
from __future__ import annotations

from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from ui.common.printer import (
    KINDS,
    PAPERS,
    PdfPages,
    PrintSetup,
    dialog_print,
    load_setup,
    print_pdf,
    printer_for,
    quick_receipt_enabled,
    save_setup,
    set_quick_receipt,
    show_print_error,
)


class PrintSetupDialog(QDialog):
    def __init__(self, kind: str = "a4", parent=None):
        super().__init__(parent)
        self.setWindowTitle("打印设置")
        self.kind_combo = QComboBox()
        for key, label in KINDS.items():
            self.kind_combo.addItem(label, key)
        self.printer_combo = QComboBox()
        self.printer_combo.addItem("（每次询问）", "")
        for name in QPrinterInfo.availablePrinterNames():
            self.printer_combo.addItem(name, name)
        self.paper_combo = QComboBox()
        for key, label in PAPERS.items():
            self.paper_combo.addItem(label, key)
        self.dx = self._offset_box()
        self.dy = self._offset_box()
        self.quick_receipt = QCheckBox("收款后直接打印收据（不预览，用“三联收据”或“A4 表单”的打印机）")
        self.quick_receipt.setChecked(quick_receipt_enabled())
        self.calibrate_button = QPushButton("打印校准页…")
        self.calibrate_button.clicked.connect(self._calibrate_clicked)
        form = QFormLayout()
        form.addRow("表单类别", self.kind_combo)
        form.addRow("打印机", self.printer_combo)
        form.addRow("纸张", self.paper_combo)
        form.addRow("水平偏移（向右为正）", self.dx)
        form.addRow("垂直偏移（向下为正）", self.dy)
        hint = QLabel("表单按实际尺寸（100%）打印。打印校准页，量出十字中心的实际位置，"
                      "偏移量 = 标注距离 − 实际距离。")
        hint.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(hint)
        lay.addWidget(self.quick_receipt)
        lay.addWidget(self.calibrate_button)
        lay.addWidget(buttons)
        self.kind_combo.currentIndexChanged.connect(self._load)
        i = self.kind_combo.findData(kind)
        self.kind_combo.setCurrentIndex(max(0, i))
        self._load()

    @staticmethod
    def _offset_box() -> QDoubleSpinBox:
        b = QDoubleSpinBox()
        b.setRange(-50.0, 50.0)
        b.setDecimals(1)
        b.setSingleStep(0.5)
        b.setSuffix(" mm")
        return b

    def kind(self) -> str:
        return self.kind_combo.currentData()

    def setup(self) -> PrintSetup:
        return PrintSetup(self.printer_combo.currentData() or "", self.paper_combo.currentData() or "",
                          self.dx.value(), self.dy.value())

    def _load(self):
        s = load_setup(self.kind())
        i = self.printer_combo.findData(s.printer)
        if i < 0 and s.printer:  # remembered but not installed now: keep it visible
            self.printer_combo.addItem(f"{s.printer}（未找到）", s.printer)
            i = self.printer_combo.count() - 1
        self.printer_combo.setCurrentIndex(max(0, i))
        self.paper_combo.setCurrentIndex(max(0, self.paper_combo.findData(s.paper)))
        self.dx.setValue(s.offset_x_mm)
        self.dy.setValue(s.offset_y_mm)

    def _save(self):
        save_setup(self.kind(), self.setup())
        set_quick_receipt(self.quick_receipt.isChecked())
        self.accept()

    def _calibrate_clicked(self):
        """The calibration page of this kind's paper, at zero offset, on the chosen printer."""
        from app.printing.calibration import render_calibration
        try:
            paper = "241x93" if self.kind() == "receipt_3part" else "A4"
            pages = PdfPages(render_calibration(paper), self)
            setup = self.setup()
            zero = PrintSetup(setup.printer, setup.paper, 0.0, 0.0)
            if not setup.printer:
                return dialog_print(self, pages, self.kind())
            print_pdf(pages, printer_for(setup.printer), zero)
            return True
        except Exception as exc:  # noqa: BLE001 — the clerk sees a Chinese message
            show_print_error(self, exc)
            return False
