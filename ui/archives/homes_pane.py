"""业主档案, right pane top: the search box (as you type, 150 ms pause), the action buttons with the
completeness rates, and the table of homes (ids only; rows built a block at a time)."""
from __future__ import annotations

import re

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.archives.listing import home_rows
from app.archives.owner_info import find_home
from app.core.errors import NotFound, ValidationError
from ui.archives.table_models import BLOCK, HomesModel
from ui.common.icons import icon

SEARCH_PAUSE_MS = 150
ROW_HEIGHT = 24
MAX_WIDTH = 240   # a fitted column is never wider (the tooltip or the pane shows the rest)
COLUMN_WIDTHS = (76, 80, 86, 66, 44, 56, 120, 100, 130, 84, 64, 70, 44)
ROOM_CODE = re.compile(r"^[0-9A-Za-z０-９]+(?:[-－][0-9A-Za-z０-９]+)+$")   # 1-1-302, 12-1-1302, A3-101
SEARCH_HINT = "搜索：姓名（可用拼音或首字母，如 wjl）、电话、房号、身份证后四位（空格分隔多个词）"


def exact_home(text: str) -> int | None:
    """The home whose room code is exactly the text typed (1-1-302, not 11-1-302), or None."""
    code = text.strip()
    if not ROOM_CODE.match(code):
        return None
    try:
        return find_home(code).id
    except (NotFound, ValidationError):
        return None


def search_box(tab) -> QLineEdit:
    """The search box; typing waits for a pause (tab._timer), Enter searches at once."""
    search = QLineEdit()
    search.setObjectName("archive_search")
    search.setPlaceholderText(SEARCH_HINT)
    search.setClearButtonEnabled(True)
    search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
    tab._timer = QTimer(tab)
    tab._timer.setSingleShot(True)
    tab._timer.setInterval(SEARCH_PAUSE_MS)
    tab._timer.timeout.connect(tab.apply)
    search.textChanged.connect(lambda _t: tab._timer.start())
    search.returnPressed.connect(tab.apply)      # Enter: search now, no pause
    return search


def _button(purpose, text, slot, enabled=True) -> QPushButton:
    b = QPushButton(icon(purpose), text)
    b.clicked.connect(lambda _c=False: slot())
    b.setEnabled(enabled)
    return b


def _open_golive(tab):
    """上线检查: the go-live checklist and the registers' imports (ui/golive/checklist_dialog.py)."""
    from ui.golive.checklist_dialog import open_checklist
    open_checklist(tab)


def action_buttons(tab) -> QHBoxLayout:
    """打印 导入 导出 统计 结构 … rates; the buttons become attributes of the tab."""
    tab.print_button = _button("print", "打印业主信息表", tab.print_owner_info)
    tab.import_button = _button("import", "导入…", tab.import_owners, tab.can("archive.import"))
    tab.export_button = _button("export", "导出…", tab.export_owners, tab.can("archive.export"))
    tab.worklist_button = _button("search", "待核对…", tab.open_worklist)
    tab.stats_button = _button("visit", "回访与统计…", tab.open_stats)
    tab.golive_button = _button("import", "上线检查…", lambda: _open_golive(tab))
    b = tab.structure_button = QToolButton()
    b.setText("结构")
    b.setIcon(icon("settings"))
    b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    b.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    menu = QMenu(tab)
    menu.aboutToShow.connect(lambda: tab.structure_menu(tab.tree.currentItem(), menu, with_home=True))
    b.setMenu(menu)
    b.setEnabled(tab.can("structure.edit"))
    tab.rate_label = QLabel()
    tab.rate_label.setObjectName("rate_label")
    row = QHBoxLayout()
    for w in (tab.print_button, tab.import_button, tab.export_button, tab.worklist_button, tab.golive_button,
              tab.stats_button, b):
        row.addWidget(w)
    row.addStretch(1)
    row.addWidget(tab.rate_label)
    return row


def homes_table(tab) -> QTableView:
    """The table of homes over tab.model (a HomesModel reading app.archives.listing.home_rows)."""
    tab.model = HomesModel(lambda ids: home_rows(tab.ctx, ids), tab)
    t = QTableView()
    t.setObjectName("homes_table")
    t.setModel(tab.model)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSortingEnabled(True)
    t.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
    t.verticalHeader().setVisible(False)
    t.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
    t.setAlternatingRowColors(True)
    t.setWordWrap(False)
    for col, width in enumerate(COLUMN_WIDTHS):
        t.setColumnWidth(col, width)
    t.horizontalHeader().setStretchLastSection(True)
    tab.model.modelReset.connect(lambda: fit_once(t))
    return t


def fit_once(t: QTableView):
    """The first time the list has rows and the user has no saved widths (archives/header): the
    columns fitted to the first block of rows (not all 50,000), none wider than MAX_WIDTH."""
    if t.property("fitted") or t.model().rowCount() == 0:
        return
    t.setProperty("fitted", True)
    if QSettings("PropertyDesk", "PropertyDesk").value("archives/header") is not None:
        return
    t.horizontalHeader().setResizeContentsPrecision(BLOCK)
    t.resizeColumnsToContents()
    for col in range(t.model().columnCount()):
        t.setColumnWidth(col, min(t.columnWidth(col), MAX_WIDTH))


def homes_pane(tab) -> QWidget:
    """Search row, button row and table; sets tab.search, tab.count_label, tab.model, tab.table."""
    tab.search = search_box(tab)
    tab.count_label = QLabel()
    top = QHBoxLayout()
    top.addWidget(tab.search, 1)
    top.addWidget(tab.count_label)
    buttons = action_buttons(tab)
    tab.table = homes_table(tab)
    w = QWidget()
    lay = QVBoxLayout(w)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addLayout(top)
    lay.addLayout(buttons)
    lay.addWidget(tab.table, 1)
    return w
