"""Table models of the owner archives tab.

``HomesModel`` holds only the ids of the matching homes (50,000 ints) and builds the rows a block
at a time through a fetch function (app.archives.listing.home_rows), as the view asks for them. Sorting
is done by the service in SQL: the model reports the sort key, the tab asks for new ids.
"""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from app.archives.listing import COLUMNS

BLOCK = 100
CACHE_MAX = 3000
# column key → service sort key (columns without one are not sortable)
SORT_KEYS = {"room_code": "room", "building": "room", "cluster": "room", "area": "area", "house_type": "type",
             "state": "state", "move_in": "move_in", "category": "move_in", "owners": "owner"}
RED = QBrush(QColor("#C62828"))
ORANGE = QBrush(QColor("#E65100"))
GREEN = QBrush(QColor("#2E7D32"))
NO_PARENT = QModelIndex()
COMPLETE_PCT = 100     # archive column green from here
POOR_PCT = 50          # and red below this
RIGHT_ALIGNED = ("area", "archive")


class HomesModel(QAbstractTableModel):
    ID_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, fetch, parent=None):
        super().__init__(parent)
        self._fetch = fetch            # fetch(list_of_ids) -> list of row dicts (same order)
        self._ids: list[int] = []
        self._rows: dict[int, dict] = {}
        self._keys = [k for k, _ in COLUMNS]
        self._titles = [t for _, t in COLUMNS]
        self._bold = QFont()
        self._bold.setBold(True)
        self.sort_column = 0
        self.sort_order = Qt.SortOrder.AscendingOrder
        self.on_sort = None            # callback(sort_key, descending) set by the tab

    # data ------------------------------------------------------------------------
    def set_ids(self, ids):
        self.beginResetModel()
        self._ids = list(ids)
        self._rows.clear()
        self.endResetModel()

    def append_ids(self, more):
        """Add rows at the end (the rest of a list whose first screen is shown already)."""
        more = list(more)
        if not more:
            return
        n = len(self._ids)
        self.beginInsertRows(QModelIndex(), n, n + len(more) - 1)
        self._ids.extend(more)
        self.endInsertRows()

    def ids(self) -> list[int]:
        return self._ids

    def refresh_rows(self, home_ids=None):
        """Forget cached rows (all, or those of *home_ids*) so they are built again."""
        if home_ids is None:
            self._rows.clear()
        else:
            for h in home_ids:
                self._rows.pop(h, None)
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(self._keys) - 1))

    def row_of(self, row: int) -> dict | None:
        if not 0 <= row < len(self._ids):
            return None
        hid = self._ids[row]
        r = self._rows.get(hid)
        if r is None:
            start = (row // BLOCK) * BLOCK
            block = [h for h in self._ids[start:start + BLOCK] if h not in self._rows]
            if len(self._rows) > CACHE_MAX:
                self._rows.clear()
            for item in self._fetch(block):
                self._rows[item["id"]] = item
            r = self._rows.get(hid)
            if r is None:  # the home was deleted meanwhile
                r = {k: "" for k in self._keys} | {"id": hid, "room_code": "（已删除）"}
                self._rows[hid] = r
        return r

    def home_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_for_home(self, home_id: int) -> int:
        try:
            return self._ids.index(home_id)
        except ValueError:
            return -1

    # Qt ------------------------------------------------------------------------------
    def rowCount(self, parent=NO_PARENT):
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent=NO_PARENT):
        return 0 if parent.isValid() else len(self._keys)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._titles[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self.row_of(index.row())
        key = self._keys[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return r.get("arrears_text", "") if key == "arrears" else r.get(key, "")
        if role == self.ID_ROLE:
            return r.get("id")
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._colour(key, r)
        return self._decoration(key, r, role)

    @staticmethod
    def _colour(key, r):
        if key == "arrears" and r.get("arrears"):
            return RED
        if key == "key" and r.get("key_customer"):
            return ORANGE
        if key == "archive" and r.get("docs_on_file") is not None:
            pct = r.get("archive_pct") or 0
            return GREEN if pct >= COMPLETE_PCT else (RED if pct < POOR_PCT else None)
        return None

    def _decoration(self, key, r, role):
        if role == Qt.ItemDataRole.FontRole and key == "owners" and r.get("key_customer"):
            return self._bold
        if role == Qt.ItemDataRole.TextAlignmentRole and key in RIGHT_ALIGNED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and key == "arrears" and r.get("arrears"):
            return "业主已标记欠费，详见业主资料"
        return None

    def sort(self, column, order=Qt.SortOrder.AscendingOrder):
        key = SORT_KEYS.get(self._keys[column])
        if key is None or self.on_sort is None:
            return
        self.sort_column, self.sort_order = column, order
        self.on_sort(key, order == Qt.SortOrder.DescendingOrder)
