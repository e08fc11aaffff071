"""The one read-only table model of the tabs: a plain Python list of rows (dicts, service rows,
tuples) behind QAbstractTableModel, the columns given as data. Filtering happens in the services;
the tab calls ``set_rows`` with the new list. A click on a header sorts the list by that column's
text (``SortableRows``: numbers and money by value, Chinese in pinyin order) and keeps that order
for the next list.

A column is ``(header, getter)`` or ``(header, getter, right)``: ``getter`` is a callable of the
row or, for dict rows, a key; ``right`` right-aligns the column (default: money columns, the
headers with “（元）”, unless ``money_right`` is False). Cell texts: None and False blank, True “是”,
dates ISO, times to the minute.
"""
from __future__ import annotations

import datetime as dt
import re

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


_NUMBER = re.compile(r"^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*(?:%|元|㎡|m²)?$")
_state: dict = {}


def collator():
    """The Chinese collator of the sort: pinyin order for Han text, digit runs by value (1-2-101 before
    11-1-302)."""
    if "collator" not in _state:
        from PySide6.QtCore import QCollator, QLocale
        c = QCollator(QLocale("zh_CN"))
        c.setNumericMode(True)
        _state["collator"] = c
    return _state["collator"]


def sort_key(value):
    """The sort key of a cell's text: numbers and money (“1,234.50”, “12%”) by value before text,
    text in Chinese (pinyin) order; None for a blank cell (blanks go last either way)."""
    text = cell_text(value).strip()
    if not text:
        return None
    if _NUMBER.match(text):
        return (0, float(text.rstrip("%元㎡m² ").replace(",", "")), None)
    return (1, 0.0, collator().sortKey(text))


class SortableRows:
    """Header-click sorting for a model over a Python list (``rows_attr``), sorted by the text the
    cells show; lists in ``parallel`` (one entry per row) move with their rows. A new list
    (model reset) is sorted again by the column the user chose; column -1 is the service's order."""
    rows_attr = "rows"
    parallel: tuple[str, ...] = ()

    def sort(self, column, order=Qt.SortOrder.AscendingOrder):
        if not getattr(self, "_sort_hooked", False):
            self._sort_hooked = True
            self._sort_source = None
            self.modelReset.connect(self._sort_again)
        if column < 0 and getattr(self, "_sort_column", -1) < 0:
            return
        self._sort_column, self._sort_order = column, order
        self._sort_apply()

    def _sort_again(self):
        self._sort_source = None
        if getattr(self, "_sort_column", -1) >= 0:
            self._sort_apply()

    def _sort_apply(self):
        rows = getattr(self, self.rows_attr)
        n = len(rows)
        if self._sort_source is None:
            self._sort_source = ([*rows], {p: [*getattr(self, p)] for p in self.parallel}, list(range(n)))
        source, par, perm = self._sort_source
        if self._sort_column < 0 or self._sort_column >= self.columnCount():
            new = list(range(n))
        else:
            keys = [None] * n
            col, cache = self._sort_column, {}
            for r in range(n):
                text = self.sort_text(rows[r], r, col)
                key = cache.get(text, cache)
                if key is cache:
                    key = cache[text] = sort_key(text)
                keys[perm[r]] = key
            filled = sorted((i for i in range(n) if keys[i] is not None), key=keys.__getitem__,
                            reverse=self._sort_order == Qt.SortOrder.DescendingOrder)
            new = filled + [i for i in range(n) if keys[i] is None]
        self.layoutAboutToBeChanged.emit()
        setattr(self, self.rows_attr, [source[i] for i in new])
        for p, values in par.items():
            setattr(self, p, [values[i] for i in new])
        where = {s: r for r, s in enumerate(new)}
        old = self.persistentIndexList()
        self.changePersistentIndexList(old, [self.index(where[perm[i.row()]], i.column()) for i in old])
        self._sort_source = (source, par, new)
        self.rows_reordered()
        self.layoutChanged.emit()

    def sort_text(self, _row, r: int, col: int):
        """The text a row shows in a column (what it is sorted by)."""
        return self.data(self.index(r, col), DISPLAY)

    def rows_reordered(self):
        """Drop caches kept by row number (after a sort)."""


class ListModel(SortableRows, QAbstractTableModel):
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

    def rows_reordered(self):
        self._brushes.clear()

    def sort_text(self, row, _r: int, col: int):
        return self.text(row, col)

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
