"""One go-live register from a workbook (期初欠费与预存, 钥匙登记, 水电气表, 住户与租户, 缴费历史): choose
the file, 试导入 (the full row-level report, nothing written), then 导入 in one transaction; the report
ties the opening balances (and the history's 应收/实收) to the workbook's totals. Every register shows the
columns proposed as soon as the file is chosen in a table the user corrects (ui.golive.column_table: used
exactly by 试导入 and 导入, saved by name for the command line); 缴费历史 runs with a progress bar and 取消
(ui.common.progress.ProgressRun)."""
from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from app.core.errors import UserError
from app.golive.register_sheets import ROLE_WORDS
from ui.common.icons import icon
from ui.common.progress import ProgressRun
from ui.common.runner import Op
from ui.golive.column_table import ColumnTable, spec_for

CHANGES = {"balances": ("ledger",), "keys": ("keys",), "meters": ("ledger",), "residents": ("archives",),
           "history": ("ledger",), "vehicles": ("parking", "archives")}
WORDS = {**ROLE_WORDS, "history": "缴费历史"}


def _run(ctx, kind, path, dry_run, progress=None, mapping=None):
    if kind == "history":
        from app.golive.history_import import import_history
        return import_history(ctx, path, mapping, dry_run=dry_run, progress=progress)
    if kind == "balances":
        from app.golive.balances_import import import_balances
        return import_balances(ctx, path, mapping, dry_run=dry_run)
    from app.golive.registers_import import import_register
    return import_register(ctx, kind, path, mapping, dry_run=dry_run)


class RegisterImportDialog(QDialog):
    def __init__(self, ctx, kind: str, parent=None):
        super().__init__(parent)
        self.ctx, self.kind = ctx, kind
        self.result_value = None
        self.setWindowTitle(f"导入{WORDS[kind]}")
        self.resize(900, 560)
        self.path = QLineEdit()
        self.path.setPlaceholderText("工作簿（.xlsx、.xls 或 .csv）的路径")
        self.browse_button = QPushButton(icon("import"), "选择文件…")
        self.browse_button.clicked.connect(self.browse)
        self.dry_button = QPushButton("试导入")
        self.dry_button.clicked.connect(lambda: self.start(True))
        self.import_button = QPushButton(icon("save"), "导入")
        self.import_button.clicked.connect(lambda: self.start(False))
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        self.message = QLabel("先试导入查看逐行结果，确认无误后再导入（同一文件只能导入一次）。")
        self.message.setWordWrap(True)
        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.report.setFont(QFont("monospace"))
        self.columns = ColumnTable(ctx, spec_for(kind))
        self.proposed_path = ""
        top = QHBoxLayout()
        top.addWidget(QLabel("文件："))
        top.addWidget(self.path, 1)
        top.addWidget(self.browse_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.dry_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.message)
        middle = QHBoxLayout()
        self.resize(1100, 620)
        middle.addWidget(self.columns, 2)
        middle.addWidget(self.report, 3)
        lay.addLayout(middle, 1)
        lay.addLayout(buttons)

    def browse(self):
        path, _ = QFileDialog.getOpenFileName(self, "选择工作簿", "", "Excel 或 CSV (*.xlsx *.xls *.csv)")
        if path:
            self.path.setText(path)
            self.propose(path)

    def propose(self, path: str):
        """The sheet and columns proposed, shown for correction before the dry run."""
        self.report.setPlainText("正在识别列…")
        self.columns.clear()
        self.proposed_path = ""
        Op(self, self.ctx, self.columns.spec.propose, path).success(
            lambda p: self._proposed(path, p)).failure(self._failed).run()

    def _proposed(self, path: str, p):
        self.proposed_path = path
        self.columns.show_proposal(p)
        lines = [f"工作表“{p.sheet}”的列对应（{p.source}）：", *(f"  {c}" for c in self.columns.words())]
        self.report.setPlainText("\n".join(lines))
        try:
            self.columns.spec.check(p.header_columns())
            todo = "请在左侧核对列对应，再试导入。"
        except UserError as exc:
            todo = f"<span style='color:#c0392b'>尚缺：{exc}</span>，请在左侧为它选择列。"
        self.message.setText(f"已识别工作表“{p.sheet}”的 {len(p.columns)} 列；{todo}")

    def _mapping(self, path: str):
        """The columns the user chose for this file (checked: a required field missing is named), or
        None when the table is not for this file (the service proposes by itself)."""
        if self.proposed_path != path:
            return None
        return self.columns.mapping()

    def start(self, dry_run: bool):
        path = self.path.text().strip()
        if not path:
            self.message.setText("请先选择要导入的文件。")
            return
        try:
            mapping = self._mapping(path)
        except UserError as exc:
            self._failed(exc)
            return
        self.dry_button.setEnabled(False)
        self.import_button.setEnabled(False)
        if self.kind == "history":
            self.last_run = ProgressRun(self, self.ctx, "正在试导入缴费历史…" if dry_run else "正在导入缴费历史…",
                                        _run, self.ctx, self.kind, path, dry_run, mapping=mapping,
                                        write=not dry_run, title="导入未完成")
            if not dry_run:
                self.last_run.changes(*CHANGES[self.kind])
            self.last_run.success(self._done).failure(self._failed).run()
            return
        op = Op(self, self.ctx, _run, self.ctx, self.kind, path, dry_run, None, mapping)
        op.with_progress("正在试导入，请稍候…" if dry_run else "正在导入，请稍候…")
        if not dry_run:
            op.write("导入未完成").changes(*CHANGES[self.kind])
        op.success(self._done).failure(self._failed).run()

    def _done(self, rep):
        self.report.setPlainText("\n".join(rep.lines()))
        self.message.setText(rep.lines()[0])
        self.dry_button.setEnabled(True)
        self.import_button.setEnabled(True)
        if not rep.dry_run:
            self.result_value = rep

    def _failed(self, exc):
        self.message.setText(f"<span style='color:#c0392b'>{exc}</span>")
        self.dry_button.setEnabled(True)
        self.import_button.setEnabled(True)
