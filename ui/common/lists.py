"""The one read-only table model of the tabs: a plain Python list of rows (dicts, service rows,
tuples) behind QAbstractTableModel, the columns given as data. Sorting and filtering happen in
the services; the tab calls ``set_rows`` with the new list.

A column is ``(header, getter)`` or ``(header, getter, right)``: ``getter`` is a callable of the
row or, for dict rows, a key; ``right`` right-aligns the column (default: money columns, the
headers with “（元）”, unless ``money_right`` is False). Cell texts: None and False blank, True “是”,
dates ISO, times to the minute.
"""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

DISPLAY = int(Qt.ItemDataRole.DisplayRole)
BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
USER = int(Qt.ItemDataRole.UserRole)
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def cell_text(value) -> str:
    if value is None or value is False:
        return ""
    if value is True:
        return "是"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def brush(value) -> QBrush | None:
    """A colour given as "#RRGGBB", QColor or QBrush → QBrush (None stays None)."""
    if value is None or value == "" or isinstance(value, QBrush):
        return value or None
    return QBrush(value if isinstance(value, QColor) else QColor(value))


class ListModel(QAbstractTableModel):
    """Rows are any objects; columns are (header, getter[, right]).

    ``colour(row)`` shades a row (background), ``foreground(row, col)`` colours a cell's text;
    either returns "#RRGGBB", a QColor, a QBrush or None. ``tooltips`` repeats the cell text as
    its tooltip (for columns too narrow to show it). The UserRole of a cell is its row."""

    def __init__(self, columns, colour=None, parent=None, *, foreground=None, tooltips: bool = False,
                 money_right: bool = True):
        super().__init__(parent)
        self.columns = []
        for header, getter, *right in columns:
            self.columns.append((header, getter, bool(right[0]) if right else money_right and "（元）" in header))
        self.rows: list = []
        self.colour = colour
        self.foreground = foreground
        self.tooltips = tooltips
        self._brushes: dict[int, QBrush | None] = {}

    def set_rows(self, rows):
        self.beginResetModel()
        self.rows = list(rows)
        self._brushes.clear()
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | None = None):
        return 0 if (parent is not None and parent.isValid()) else len(self.rows)

    def columnCount(self, parent: QModelIndex | None = None):
        return 0 if (parent is not None and parent.isValid()) else len(self.columns)

    def text(self, row, col: int) -> str:
        """The text of a cell; ``row`` is a row number or the row itself."""
        r = self.rows[row] if isinstance(row, int) else row
        getter = self.columns[col][1]
        if callable(getter):
            return cell_text(getter(r))
        return cell_text(r.get(getter, "") if isinstance(r, dict) else getattr(r, getter, ""))

    def data(self, index, role=DISPLAY):
        if not index.isValid():
            return None
        role = int(role)
        r, c = index.row(), index.column()
        if role == DISPLAY or (role == TOOLTIP and self.tooltips):
            return self.text(r, c)
        if role == ALIGN:
            return RIGHT if self.columns[c][2] else None
        if role == BACKGROUND and self.colour is not None:
            if r not in self._brushes:
                self._brushes[r] = brush(self.colour(self.rows[r]))
            return self._brushes[r]
        if role == FOREGROUND and self.foreground is not None:
            return brush(self.foreground(self.rows[r], c))
        if role == USER:
            return self.rows[r]
        return None

    def headerData(self, section, orientation, role=DISPLAY):
        if int(role) == DISPLAY and orientation == Qt.Orientation.Horizontal:
            return self.columns[section][0]
        return None

    def row(self, i: int):
        return self.rows[i] if 0 <= i < len(self.rows) else None

    def row_at(self, index):
        if index is None or not index.isValid():
            return None
        return self.row(index.row())
