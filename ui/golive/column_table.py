"""The go-live import window's column table (issue 16), one widget for every register: one row per field
(required ones marked) with a QComboBox of the sheet's header columns and 不导入, proposed when the file is
chosen (a saved mapping the workbook fits, the shipped one, else the header names), corrected by the user,
used by 试导入 and 导入 as an exact mapping, and saved by name (保存映射, kind = the register's kind) for
`propertydesk import <kind> FILE --mapping NAME` and the next file of the same shape. ``spec_for(kind)``
gives the kind's fields, marks and services (缴费历史: app.golive.history_mapping; the others:
app.golive.register_columns)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

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
from app.core.imports import column_name
from ui.common.icons import icon

NOT_USED = "（不导入）"
WINDOW_TITLE = "导入窗口中核对的列对应"


@dataclass
class ColumnSpec:
    kind: str                                   # the command word: history, balances, keys …
    fields: dict[str, str]                      # field → label, marked (* required, ◇ one of a group)
    hint: str
    propose: Callable                           # (path) → Proposal
    check: Callable                             # (field → header text) → None or ValidationError
    make: Callable                              # (sheet, field → header text) → the exact mapping
    save: Callable                              # (ctx, mapping, name) → the saved row


def _history_spec() -> ColumnSpec:
    from app.golive import history_mapping as h
    from app.golive.history_import import column_proposal

    def mark(key):
        return " *" if key in h.KEYS else " ◇" if key in h.ANY_HOME or key in h.ANY_MONTHS else ""
    return ColumnSpec("history", {k: f"{lab}{mark(k)}" for k, (lab, _n) in h.FIELDS.items()},
                      "* 必填；◇ 房号与车牌号、所属期间与起止月份各至少一项", column_proposal, h.check_required,
                      lambda sheet, cols: h.HistoryMapping("window", WINDOW_TITLE, sheet, cols, exact=True),
                      h.save_history_mapping)


def _register_spec(kind: str) -> ColumnSpec:
    from app.golive import register_columns as rc
    from app.golive import register_sheets as rs
    either = rs.ROLE_ANY.get(kind, ())

    def mark(key):
        return " *" if key in rs.ROLE_KEYS[kind] else " ◇" if key in either else ""
    hint = "* 必填" + (f"；◇ {'与'.join(rs.label(kind, k) for k in either)}至少一项" if either else "")
    return ColumnSpec(kind, {k: f"{lab}{mark(k)}" for k, (lab, _n) in rs.FIELDS[kind].items()}, hint,
                      lambda path: rc.column_proposal(path, kind), lambda cols: rc.check_required(kind, cols),
                      lambda _sheet, cols: rc.window_mapping(kind, WINDOW_TITLE, cols), rc.save_register_mapping)


def spec_for(kind: str) -> ColumnSpec:
    return _history_spec() if kind == "history" else _register_spec(kind)


class ColumnTable(QWidget):
    """Field → column of the register's sheet; ``mapping()`` is what the user chose."""

    def __init__(self, ctx, spec: ColumnSpec, parent=None):
        super().__init__(parent)
        self.ctx, self.spec = ctx, spec
        self.proposal = None
        self.combos: dict[str, QComboBox] = {}
        self.title = QLabel("列对应：选择文件后显示")
        self.title.setWordWrap(True)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["字段", "工作簿中的列"])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        hint = QLabel(spec.hint)
        hint.setWordWrap(True)
        self.name = QLineEdit()
        self.name.setPlaceholderText("映射名称，如：旧系统导出")
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

    def show_proposal(self, p):
        self.proposal = p
        self.title.setText(f"工作表“{p.sheet}”，表头在第 {p.header_row + 1} 行；列对应（{p.source}），请核对：")
        options = [(NOT_USED, None)] + [(f"{column_name(j)}列  {text}", j) for j, text in p.headers.items()]
        self.table.setRowCount(len(self.spec.fields))
        self.combos = {}
        for r, (key, label) in enumerate(self.spec.fields.items()):
            self.table.setItem(r, 0, QTableWidgetItem(label))
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

    def chosen_headers(self) -> dict[str, str]:
        """field → header text as the combos stand."""
        headers = self.proposal.headers if self.proposal else {}
        return {k: headers[j] for k, j in self.chosen().items()}

    def words(self, columns: dict[str, int] | None = None) -> list[str]:
        """The mapping in words: 房号←“房间号”(B列) …, in the sheet's column order."""
        p = self.proposal
        columns = p.columns if columns is None else columns
        return [f"{self.spec.fields[k].rstrip(' *◇')}←“{p.headers.get(j, '')}”({column_name(j)}列)"
                for k, j in sorted(columns.items(), key=lambda kv: kv[1])]

    def mapping(self):
        """The exact mapping the user chose (None before a file was read); a required field without a
        column is named (ValidationError)."""
        if self.proposal is None:
            return None
        cols = self.chosen_headers()
        self.spec.check(cols)
        return self.spec.make(self.proposal.sheet, cols)

    def save(self):
        try:
            m = self.mapping()
            if m is None:
                return
            row = self.spec.save(self.ctx, m, self.name.text())
        except UserError as exc:
            self.saved_label.setText(f"<span style='color:#c0392b'>{exc}</span>")
            return
        self.saved_label.setText(f"映射已保存为“{row.name}”；命令行：propertydesk import {self.spec.kind} 文件 "
                                 f"--mapping {row.name}")
