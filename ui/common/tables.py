"""The read-only table views of the tabs and dialogs — sorted by a click on a header, columns fitted
to the first rows and remembered per table (its objectName) — and the row-dict model with the
shared row shades (overdue red, due yellow, done grey)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QTableView, QTableWidget, QTableWidgetItem

from ui.common.lists import ListModel, sort_key

OVERDUE = QColor("#FDE2E2")
DUE = QColor("#FFF6DA")
DONE = QColor("#EEEEEE")

STATE_KEY = "columns/"
MEASURED_ROWS = 100   # column widths are measured on this many rows, not all of a big list
MAX_FITTED = 360      # a fitted column is never wider than this (long texts show as tooltips)


class RowsModel(ListModel):
    """Rows are dicts; columns are (header, key or callable); ``shade(row)`` gives a QColor or None.
    The cell text is its tooltip too; no column is right-aligned unless its column says so."""

    def __init__(self, columns, shade=None, parent=None):
        super().__init__(columns, shade, parent, tooltips=True, money_right=False)


def _settings():
    from PySide6.QtCore import QSettings
    return QSettings("PropertyDesk", "PropertyDesk")


def table_view(model, parent=None, name: str = "") -> QTableView:
    """A read-only, single-row-selection table; named tables keep the user's column widths."""
    v = QTableView(parent)
    v.setModel(model)
    v.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    v.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    v.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    v.verticalHeader().setVisible(False)
    v.setWordWrap(False)
    v.horizontalHeader().setStretchLastSection(True)
    if name:
        v.setObjectName(name)
    sortable(v)
    return v


def sortable(view: QTableView, fit: bool = True) -> QTableView:
    """What every table of the desk does: a click on a header sorts by that column (again: the
    other way, a third time: the service's order). With *fit*, columns are fitted to the first
    rows once and, for a named table (objectName), the user's widths come back next time."""
    header = view.horizontalHeader()
    header.setSortIndicatorClearable(True)
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.setSortingEnabled(True)
    if not fit:
        return view
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setResizeContentsPrecision(MEASURED_ROWS)
    view.model().modelReset.connect(lambda: fit_columns(view))
    view.model().rowsInserted.connect(lambda *_a: fit_columns(view))
    header.sectionResized.connect(lambda *_a: _remember(view))
    fit_columns(view)
    return view


class SortItem(QTableWidgetItem):
    """A QTableWidget cell sorted as the list models sort (numbers by value, Chinese by pinyin,
    blanks last)."""

    def __lt__(self, other):
        a, b = sort_key(self.text()), sort_key(other.text())
        if a is None or b is None:
            return a is not None
        return a < b


def fill_table(t: QTableWidget, rows, decorate=None):
    """Fill a QTableWidget with rows of values (None blank), sorted again by the user's column;
    ``decorate(item, row, col)`` sets an item's data or colour."""
    sorting = t.isSortingEnabled()
    t.setSortingEnabled(False)
    t.setRowCount(len(rows))
    for i, row in enumerate(rows):
        for j, val in enumerate(row):
            it = SortItem("" if val is None else str(val))
            if decorate is not None:
                decorate(it, i, j)
            t.setItem(i, j, it)
    t.setSortingEnabled(sorting)


def fit_columns(view: QTableView):
    """The first time a table has rows: the user's saved column widths, else fit to contents."""
    if view.property("fitted") or view.model().rowCount() == 0:
        return
    name = view.objectName()
    if name:
        state = _settings().value(STATE_KEY + name)
        if state is not None and view.horizontalHeader().restoreState(state):
            view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            view.setProperty("fitted", True)
            return
    view.resizeColumnsToContents()
    for col in range(view.model().columnCount()):
        view.setColumnWidth(col, min(view.columnWidth(col), MAX_FITTED))
    view.setProperty("fitted", True)


def _remember(view: QTableView):
    if view.property("fitted"):
        save_columns(view)


def save_columns(*views: QTableView):
    s = _settings()
    for v in views:
        if v.objectName() and v.property("fitted"):
            s.setValue(STATE_KEY + v.objectName(), v.horizontalHeader().saveState())


def overdue_summary(rows, unit: str, late_unit: str = "") -> str:
    """“借出未还 n <unit>”, with the overdue ones (rows with a true "overdue") in red."""
    late = sum(1 for r in rows if r["overdue"])
    text = f"借出未还 {len(rows)} {unit}"
    if late:
        text += f"，其中 <b style='color:#C00000'>逾期 {late} {late_unit or unit}</b>"
    return text
