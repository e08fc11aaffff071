"""A table model over a plain Python list, columns given as (header, getter)."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

DISPLAY = Qt.ItemDataRole.DisplayRole
BACKGROUND = Qt.ItemDataRole.BackgroundRole
ALIGN = Qt.ItemDataRole.TextAlignmentRole


class ListModel(QAbstractTableModel):
    """Rows are any objects; columns are (header, getter). ``colour(row)`` may shade a row."""

    def __init__(self, columns, colour=None, parent=None):
        super().__init__(parent)
        self.columns = columns
        self.rows = []
        self.colour = colour

    def set_rows(self, rows):
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index, role=DISPLAY):
        if not index.isValid():
            return None
        if role == DISPLAY:
            value = self.columns[index.column()][1](self.rows[index.row()])
            return "" if value is None else str(value)
        if role == ALIGN and "（元）" in self.columns[index.column()][0]:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)  # money columns
        if role == BACKGROUND and self.colour is not None:
            c = self.colour(self.rows[index.row()])
            return QBrush(QColor(c)) if c else None
        return None

    def headerData(self, section, orientation, role=DISPLAY):
        if role == DISPLAY and orientation == Qt.Orientation.Horizontal:
            return self.columns[section][0]
        return None

    def row_at(self, index):
        return self.rows[index.row()] if index.isValid() and index.row() < len(self.rows) else None
