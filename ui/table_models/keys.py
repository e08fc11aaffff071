"""Table models of the key register tab: plain lists of row dicts (from app.keys) behind
QAbstractTableModel; overdue rows shaded. Sorting and filtering happen in the service."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

DISPLAY = int(Qt.ItemDataRole.DisplayRole)
BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
OVERDUE = QColor("#FDE2E2")
DUE = QColor("#FFF6DA")
DONE = QColor("#EEEEEE")


class RowsModel(QAbstractTableModel):
    """Rows are dicts; columns are (header, key or callable). ``shade(row)`` gives a QColor or None."""

    def __init__(self, columns, shade=None, parent=None):
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[dict] = []
        self.shade = shade
        self._brushes: dict[int, QBrush] = {}

    def set_rows(self, rows):
        self.beginResetModel()
        self.rows = list(rows)
        self._brushes.clear()
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.columns)

    def _value(self, row, col):
        getter = self.columns[col][1]
        value = getter(row) if callable(getter) else row.get(getter, "")
        if value is True:
            return "是"
        if value is False or value is None:
            return ""
        return str(value)

    def data(self, index, role=DISPLAY):
        if not index.isValid():
            return None
        role = int(role)
        if role == DISPLAY or role == TOOLTIP:
            return self._value(self.rows[index.row()], index.column())
        if role == BACKGROUND and self.shade is not None:
            r = index.row()
            if r not in self._brushes:
                c = self.shade(self.rows[r])
                self._brushes[r] = QBrush(c) if c is not None else None
            return self._brushes[r]
        return None

    def headerData(self, section, orientation, role=DISPLAY):
        if int(role) == DISPLAY and orientation == Qt.Orientation.Horizontal:
            return self.columns[section][0]
        return None

    def row_at(self, index) -> dict | None:
        if index is None or not index.isValid() or index.row() >= len(self.rows):
            return None
        return self.rows[index.row()]


def _overdue(row):
    return OVERDUE if row.get("overdue") else None


def keys_out_model(parent=None) -> RowsModel:
    return RowsModel([
        ("单号", "number"), ("钥匙", "area"), ("序号", lambda r: f"{r['copy_no']}/{r['copies']}"),
        ("借用人", "borrower_name"), ("类别", "borrower_kind"), ("单位", "company"), ("电话", "phone"),
        ("事由", "purpose"), ("借出时间", "out_at"), ("应还时间", "due_at"), ("逾期", "overdue_text"),
    ], shade=_overdue, parent=parent)


def catalogue_model(parent=None) -> RowsModel:
    return RowsModel([
        ("钥匙区域", "area"), ("类别", "kind"), ("房号", "room_code"), ("配备方式", "supply_method"),
        ("数量", "copies"), ("在库", "available"), ("存放地点", "keeper_place"), ("保管人", "keeper_person"),
        ("状态", "status"),
    ], shade=lambda r: OVERDUE if r.get("overdue") else (DONE if not r.get("active", True) else None),
        parent=parent)


def history_model(parent=None) -> RowsModel:
    return RowsModel([
        ("事项", "event"), ("单号", "number"), ("序号", "copy_no"), ("借用人/领取人", "borrower_name"),
        ("单位", "company"), ("电话", "phone"), ("事由", "purpose"), ("借出/交付时间", "out_at"),
        ("应还时间", "due_at"), ("归还时间", "returned_at"), ("接收人", "received_by"), ("备注", "notes"),
    ], shade=_overdue, parent=parent)


def vacant_model(parent=None) -> RowsModel:
    return RowsModel([
        ("房号", "room_code"), ("房屋状态", "state"), ("上次巡查", "last_inspected"), ("巡查人", "inspector"),
        ("结果", "result"), ("发现问题", "findings"), ("下次应巡查", "next_due"),
        ("本周待巡查", "due_this_week"), ("钥匙在前台", "key_at_desk"),
    ], shade=lambda r: OVERDUE if r.get("overdue") else (DUE if r.get("due_this_week") else None), parent=parent)


def inspections_model(parent=None) -> RowsModel:
    return RowsModel([("巡查日期", "inspected_on"), ("巡查人", "inspector"), ("结果", "result"),
                      ("发现问题", "findings")], parent=parent)
