"""Import owners from an office's Excel ledger: a dry run first shows what would be imported and
every rejected row (Excel row number and reason); only then the import writes, in one transaction."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
)

from app.core.errors import UserError
from ui.common.icons import icon
from ui.common.tables import fill_table, sortable


class ImportDialog(QDialog):
    def __init__(self, ctx, parent=None, path: str = ""):
        super().__init__(parent)
        from app.golive import owners_import as excel_owners
        self.ctx, self.excel = ctx, excel_owners
        self.result_value = None
        self.setWindowTitle("从Excel导入业主档案")
        self.resize(760, 520)
        self.path = QLineEdit(path)
        self.path.setPlaceholderText("选择业主信息台账（.xlsx）")
        browse = QPushButton("浏览…")
        browse.clicked.connect(self.browse)
        self.dry_button = QPushButton(icon("search"), "试导入（不写入）")
        self.dry_button.clicked.connect(self.dry_run)
        self.import_button = QPushButton(icon("import"), "导入")
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.do_import)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        self.summary = QLabel("先试导入，确认结果后再导入。")
        self.summary.setWordWrap(True)
        self.rejected = QTableWidget(0, 2)
        self.rejected.setHorizontalHeaderLabels(["Excel行号", "未导入原因"])
        self.rejected.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.rejected.verticalHeader().setVisible(False)
        sortable(self.rejected, fit=False)                 # by row number or by reason
        top = QHBoxLayout()
        top.addWidget(self.path, 1)
        top.addWidget(browse)
        bottom = QHBoxLayout()
        bottom.addWidget(self.dry_button)
        bottom.addWidget(self.import_button)
        bottom.addStretch(1)
        bottom.addWidget(close)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.summary)
        lay.addWidget(QLabel("被拒绝的行："))
        lay.addWidget(self.rejected, 1)
        lay.addLayout(bottom)
        self.path.textChanged.connect(lambda _t: self.import_button.setEnabled(False))

    def browse(self):
        path, _ = QFileDialog.getOpenFileName(self, "选择业主信息台账", "", "Excel 文件 (*.xlsx)")
        if path:
            self.path.setText(path)

    def _show(self, result):
        self.summary.setText(result.summary())
        fill_table(self.rejected, list(result.rejected))

    def _run(self, fn):
        path = self.path.text().strip()
        if not path:
            self.summary.setText("请先选择Excel文件。")
            return None
        try:
            return fn(self.ctx, path)
        except UserError as exc:
            self.summary.setText(f"<span style='color:#C62828'>{exc}</span>")
            return None

    def dry_run(self):
        result = self._run(self.excel.dry_run_import)
        if result is not None:
            self._show(result)
            self.import_button.setEnabled(result.imported > 0)

    def do_import(self):
        result = self._run(self.excel.import_owners)
        if result is not None:
            self._show(result)
            self.result_value = result
            self.import_button.setEnabled(False)
