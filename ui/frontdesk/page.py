"""What every page of the 前台登记 tab has: a view chooser, a search box, the list, the print
preview and the Excel export of the rows shown. A page subclass names its views and builds its
own buttons; widgets call app.frontdesk only."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.core.permissions import allowed
from ui.common.ops import info, run_action
from ui.common.runner import notify_changed
from ui.common.tables import table_view
from ui.common.widgets import button


class RegisterPage(QWidget):
    VIEWS: tuple[str, ...] = ()
    EXPORT_NAME = "前台登记.xlsx"
    NAME = "frontdesk"

    def __init__(self, ctx, model, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.role = getattr(ctx.user, "role", None)
        self.rows: list[dict] = []
        self.view = QComboBox()
        self.view.addItems(self.VIEWS)
        self.view.setObjectName(f"{self.NAME}_view")
        self.view.currentIndexChanged.connect(lambda _i: self.refresh())
        self.search = QLineEdit()
        self.search.setPlaceholderText("查找：房号、姓名、单号…")
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(200)
        self.search.returnPressed.connect(self.refresh)
        self.model = model
        self.table = table_view(model, self, self.NAME)
        self.count = QLabel()
        self.bar = QHBoxLayout()
        self.bar.addWidget(self.view)
        self.bar.addWidget(self.search)
        self.layout_ = QVBoxLayout(self)

    def finish(self, buttons, top=None):
        """Lay the page out: *top* (an entry panel) above the bar of *buttons* and the list."""
        if top is not None:
            self.layout_.addWidget(top)
        for b in buttons:
            self.bar.addWidget(b)
        self.bar.addStretch(1)
        self.bar.addWidget(self.count)
        self.export_button = button("导出", "export", self.export, enabled=allowed(self.role, "frontdesk.export"))
        self.export_button.setToolTip("把列表中显示的记录导出为 Excel（个人信息已遮蔽）")
        self.bar.addWidget(self.export_button)
        self.bar.addWidget(button("刷新", "refresh", self.refresh))
        self.layout_.addLayout(self.bar)
        self.layout_.addWidget(self.table)

    # data -----------------------------------------------------------------------------------------
    def load(self, view: str, text: str) -> list[dict]:
        raise NotImplementedError

    def refresh(self):
        self.rows = self.load(self.view.currentText(), self.search.text().strip())
        self.model.set_rows(self.rows)
        self.count.setText(f"共 {len(self.rows)} 条")

    def selected(self) -> list[dict]:
        rows = {i.row() for i in self.table.selectionModel().selectedRows()}
        if not rows and self.table.currentIndex().isValid():
            rows = {self.table.currentIndex().row()}
        return [r for r in (self.model.row_at(self.model.index(i, 0)) for i in sorted(rows)) if r is not None]

    def one(self, what: str) -> dict | None:
        rows = self.selected()
        if not rows:
            info(self, f"请先在列表中选择{what}。")
            return None
        return rows[0]

    def written(self):
        self.refresh()
        notify_changed(self, "frontdesk")

    # output ---------------------------------------------------------------------------------------
    def preview(self, fn, *args, title: str, filename: str):
        from ui.common.print_preview import preview
        pdf = run_action(self, fn, self.ctx, *args)
        if pdf is not None:
            self.last_preview = preview(self, pdf, title, filename)

    def export_rows(self, path: str) -> int | None:
        raise NotImplementedError

    def export(self, path: str | None = None):
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "导出为 Excel", self.EXPORT_NAME, "Excel 文件 (*.xlsx)")
        if not path:
            return
        n = self.export_rows(path)
        if n is not None:
            info(self, f"已导出 {n} 条记录到 {path}", "导出完成")
