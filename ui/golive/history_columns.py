"""The 缴费历史 import window's column table (issue 16): one row per field with a QComboBox of the sheet's
header columns and 不导入, proposed when the file is chosen (app.golive.history_import.column_proposal:
a saved mapping the workbook fits, the shipped one, else the header names), corrected by the user, used
by 试导入 and 导入 as an exact mapping, and saved by name (保存映射) for `propertydesk import history FILE
--mapping NAME` and the next file of the same shape."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import UserError
from app.golive.history_mapping import ANY_HOME, ANY_MONTHS, FIELDS, KEYS, HistoryMapping, Proposal
from ui.common.icons import icon

NOT_USED = "（不导入）"
WINDOW_TITLE = "导入窗口中核对的列对应"


def field_label(key: str) -> str:
    """The field's name, marked * when required (房号/车牌号 and the months: one of them)."""
    label = FIELDS[key][0]
    if key in KEYS:
        return f"{label} *"
    if key in ANY_HOME or key in ANY_MONTHS:
        return f"{label} ◇"
    return label


class HistoryColumns(QWidget):
    """Field → column for the payment-history sheet; ``mapping()`` is what the user chose."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.proposal: Proposal | None = None
        self.combos: dict[str, QComboBox] = {}
        self.title = QLabel("列对应：选择文件后显示")
        self.title.setWordWrap(True)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["字段", "工作簿中的列"])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        hint = QLabel("* 必填；◇ 房号与车牌号、所属期间与起止月份各至少一项")
        hint.setWordWrap(True)
        self.name = QLineEdit()
        self.name.setPlaceholderText("映射名称，如：旧系统缴费记录")
        self.save_button = QPushButton(icon("save"), "保存映射")
        self.save_button.clicked.connect(self.save)
        self.save_button.setEnabled(False)
        row = QHBoxLayout()
        row.addWidget(self.name, 1)
        row.addWidget(self.save_button)
        self.saved_label = QLabel()
        self.saved_label.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.title)
        lay.addWidget(self.table, 1)
        lay.addWidget(hint)
        lay.addLayout(row)
        lay.addWidget(self.saved_label)

    def show_proposal(self, p: Proposal):
        self.proposal = p
        self.title.setText(f"工作表“{p.sheet}”，表头在第 {p.header_row + 1} 行；列对应（{p.source}），请核对：")
        from app.core.imports import column_name
        options = [(NOT_USED, None)] + [(f"{column_name(j)}列  {text}", j) for j, text in p.headers.items()]
        self.table.setRowCount(len(FIELDS))
        self.combos = {}
        for r, key in enumerate(FIELDS):
            self.table.setItem(r, 0, QTableWidgetItem(field_label(key)))
            combo = QComboBox()
            for text, j in options:
                combo.addItem(text, j)
            j = p.columns.get(key)
            combo.setCurrentIndex(max(0, combo.findData(j)) if j is not None else 0)
            self.table.setCellWidget(r, 1, combo)
            self.combos[key] = combo
        self.table.resizeColumnToContents(0)
        self.save_button.setEnabled(True)

    def clear(self):
        self.proposal = None
        self.combos = {}
        self.table.setRowCount(0)
        self.title.setText("列对应：选择文件后显示")
        self.save_button.setEnabled(False)

    def chosen(self) -> dict[str, int]:
        """field → column as the combos stand."""
        return {k: c.currentData() for k, c in self.combos.items() if c.currentData() is not None}

    def mapping(self) -> HistoryMapping | None:
        """The exact mapping the user chose (None before a file was read)."""
        if self.proposal is None:
            return None
        headers = self.proposal.headers
        return HistoryMapping("window", WINDOW_TITLE, self.proposal.sheet,
                              {k: headers[j] for k, j in self.chosen().items()}, exact=True)

    def save(self):
        from app.golive.history_mapping import save_history_mapping
        m = self.mapping()
        if m is None:
            return
        try:
            row = save_history_mapping(self.ctx, m, self.name.text())
        except UserError as exc:
            self.saved_label.setText(f"<span style='color:#c0392b'>{exc}</span>")
            return
        self.saved_label.setText(f"映射已保存为“{row.name}”；命令行：propertydesk import history 文件 "
                                 f"--mapping {row.name}")
