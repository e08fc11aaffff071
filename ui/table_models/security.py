"""Table models of the security dialogs (accounts, audit log, backups): lists of tuples."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

DISPLAY = int(Qt.ItemDataRole.DisplayRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)


class TupleModel(QAbstractTableModel):
    """Rows are tuples of display texts; ``keys`` holds the id (or path) of each row."""

    def __init__(self, headers, parent=None):
        super().__init__(parent)
        self.headers = list(headers)
        self.rows: list[tuple] = []
        self.keys: list = []

    def set_rows(self, rows, keys):
        self.beginResetModel()
        self.rows, self.keys = [tuple("" if v is None else str(v) for v in r) for r in rows], list(keys)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index, role=DISPLAY):
        if index.isValid() and int(role) in (DISPLAY, TOOLTIP):
            return self.rows[index.row()][index.column()]
        return None

    def headerData(self, section, orientation, role=DISPLAY):
        if int(role) == DISPLAY and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None
