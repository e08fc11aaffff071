"""待核对 (the worklist): values an import could not accept, with their raw text and reason, until
someone corrects them. Searched by raw text, reason or room; each item marked 已核对 with a note;
the list exported to Excel; 定位 shows the item's home in 业主档案."""
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
from ui.common.runner import notify_changed
from ui.common.tables import fill_table

HEADERS = ["对象", "房号", "字段", "原始内容", "原因", "来源", "登记时间"]


class WorklistDialog(QDialog):
    def __init__(self, ctx, parent=None, locate=None):
        super().__init__(parent)
        self.ctx, self.locate = ctx, locate
        self.rows: list[dict] = []
        self.setWindowTitle("待核对清单")
        self.resize(1100, 560)
        self.search = QLineEdit()
        self.search.setPlaceholderText("按原始内容、原因或房号查找")
        self.search.returnPressed.connect(self.refresh)
        find = QPushButton(icon("search"), "查找")
        find.clicked.connect(self.refresh)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        for col, width in ((3, 170), (5, 300), (6, 130)):
            self.table.setColumnWidth(col, width)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.note = QLineEdit()
        self.note.setPlaceholderText("处理说明，如：已电话核实并更正")
        self.resolve_button = QPushButton("标记为已核对")
        self.resolve_button.clicked.connect(self.resolve)
        self.locate_button = QPushButton("在业主档案中定位")
        self.locate_button.clicked.connect(self.show_home)
        self.locate_button.setEnabled(locate is not None)
        self.export_button = QPushButton(icon("export"), "导出Excel…")
        self.export_button.clicked.connect(self.export)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        self.message = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(find)
        bottom = QHBoxLayout()
        for w in (self.note, self.resolve_button, self.locate_button, self.export_button, close):
            bottom.addWidget(w, 1 if w is self.note else 0)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.message)
        lay.addLayout(bottom)
        self.refresh()

    def refresh(self):
        from app.golive.worklist import list_items
        self.rows = list_items(self.ctx, query=self.search.text())
        fill_table(self.table, [(r["entity_word"], r["room_code"], r["label"], r["raw_text"], r["reason"], r["source"],
                                 r["created_at"].strftime("%Y-%m-%d %H:%M") if r["created_at"] else "")
                                for r in self.rows])
        self.message.setText(f"待核对 {len(self.rows)} 项")

    def _current(self) -> dict | None:
        r = self.table.currentRow()
        if not 0 <= r < len(self.rows):
            self.message.setText("请先选择一项。")
            return None
        room, raw = self.table.item(r, 1).text(), self.table.item(r, 3).text()
        return next((x for x in self.rows if x["room_code"] == room and x["raw_text"] == raw), None)

    def resolve(self):
        from app.golive.worklist import resolve
        item = self._current()
        if item is None:
            return
        try:
            resolve(self.ctx, item["id"], self.note.text())
        except UserError as exc:
            self.message.setText(f"<span style='color:#C62828'>{exc}</span>")
            return
        self.note.clear()
        notify_changed(self, "archives")
        self.refresh()

    def show_home(self):
        item = self._current()
        if item is not None and item["home_id"] and self.locate is not None:
            self.locate(item["home_id"])

    def export(self, path: str | None = None):
        from app.golive.worklist import export_xlsx
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "导出待核对清单", "待核对清单.xlsx", "Excel 文件 (*.xlsx)")
        if not path:
            return None
        try:
            n = export_xlsx(self.ctx, path)
        except UserError as exc:
            self.message.setText(f"<span style='color:#C62828'>{exc}</span>")
            return None
        self.message.setText(f"已导出 {n} 项到 {path}")
        return n
