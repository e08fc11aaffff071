"""Table models of the parking window and the household pane: row dicts from app.parking behind
a QAbstractTableModel; filtering happens in the service."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

DISPLAY = int(Qt.ItemDataRole.DisplayRole)
BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
FREE = QColor("#E8F5E9")
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
        self._brushes: dict[int, QBrush | None] = {}

    def set_rows(self, rows):
        self.beginResetModel()
        self.rows = list(rows)
        self._brushes.clear()
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.columns)

    def _value(self, row, col) -> str:
        getter = self.columns[col][1]
        value = getter(row) if callable(getter) else row.get(getter, "")
        return "" if value is None or value is False else str(value)

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


def _space_shade(r):
    return FREE if r.get("state") == "空闲" else None


def spaces_model(parent=None) -> RowsModel:
    return RowsModel([
        ("车位编号", "code"), ("位置", "level"), ("状态", "state"), ("房号", "room_code"),
        ("产权/租用人", "holder_text"), ("电话", "phone"), ("车牌", "plates"), ("车位费（元/月）", "fee"),
        ("备注", lambda r: r["notes"].replace("\n", "；")),
    ], shade=_space_shade, parent=parent)


def home_spaces_model(parent=None) -> RowsModel:
    return RowsModel([
        ("车位编号", "code"), ("位置", "level"), ("状态", "state"), ("产权/租用人", "holder_text"),
        ("车牌", "plates"), ("车位费（元/月）", "fee"),
    ], parent=parent)


def _card_shade(r):
    if r.get("status") == "已注销":
        return DONE
    if r.get("expired"):
        return OVERDUE
    return None


def vehicles_model(parent=None) -> RowsModel:
    return RowsModel([
        ("车牌号", "plate"), ("车卡号", "card_number"), ("房号", "room_code"), ("车位", "space_code"),
        ("车主", "driver_name"), ("电话", "phone"), ("品牌/颜色", lambda r: " ".join(x for x in (r["brand"], r["color"]) if x)),
        ("有效期起", "valid_from"), ("有效期至", "valid_until"), ("状态", "status"), ("登记表编号", "number"),
    ], shade=_card_shade, parent=parent)


def subscriptions_model(parent=None) -> RowsModel:
    return RowsModel([
        ("项目", "item"), ("数量", "count"), ("起始月份", "start_period"), ("截止月份", lambda r: r["end_period"] or "—"),
        ("状态", "state"), ("每月（元）", "monthly"), ("备注", "notes"),
    ], shade=lambda r: DONE if r.get("state") == "已截止" else (DUE if r.get("state") == "未开始" else None),
        parent=parent)
