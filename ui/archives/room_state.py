"""房态图: a building's homes as a grid (floors top-down × the entrances' homes across), coloured by
house state or, switched, by arrears, with a legend of the counts. A click on a home opens its
household in the archives tab; 打印… previews the A4 landscape page (app.office.room_state).
The colours are the printed page's (app.printing.room_state)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.core.money import fmt_fen
from app.office.room_state import room_state, room_state_pdf
from app.printing.room_state import UNKNOWN_COLOUR, cell_colour, palette
from ui.common.icons import icon
from ui.common.ops import run_action
from ui.common.widgets import fit_to_screen

HOME_ROLE = Qt.ItemDataRole.UserRole
ROW_HEIGHT = 22              # a tower's 33 floors fit the screen with little scrolling
LOW_ROW_HEIGHT = 32          # buildings of up to LOW_FLOORS floors get taller rows
LOW_FLOORS = 16
MIN_CELL_WIDTH = 46
SWATCH = 14
DIALOG_SIZE = (1100, 720)


def _swatch(colour: str, text: str) -> QLabel:
    label = QLabel(f"<span style='background:{colour};border:1px solid #555'>"
                   f"&nbsp;&nbsp;&nbsp;&nbsp;</span>&nbsp;{text}")
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setMinimumHeight(SWATCH + 4)
    return label


def tooltip(cell) -> str:
    owed = f"，欠费 {fmt_fen(cell.owed_fen)} 元（{cell.months} 个月）" if cell.owed_fen else "，无欠费"
    return f"{cell.room_code}　{cell.state}{owed}\n单击打开该户档案"


class RoomStateDialog(QDialog):
    home_chosen = Signal(int)

    def __init__(self, ctx, building_id: int, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.building_id = building_id
        self.data = None
        self.setWindowTitle("房态图")
        self.resize(*DIALOG_SIZE)
        fit_to_screen(self)
        lay = QVBoxLayout(self)
        lay.addLayout(self._build_bar())
        self.legend = QHBoxLayout()
        lay.addLayout(self.legend)
        self.table = self._build_table()
        lay.addWidget(self.table, 1)
        self.load()

    def _build_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.title = QLabel()
        bar.addWidget(self.title)
        bar.addStretch(1)
        bar.addWidget(QLabel("着色："))
        self.by_state = QRadioButton("按房屋状态")
        self.by_arrears = QRadioButton("按欠费情况")
        self.by_state.setChecked(True)
        self.modes = QButtonGroup(self)
        for b in (self.by_state, self.by_arrears):
            self.modes.addButton(b)
            bar.addWidget(b)
        self.by_state.toggled.connect(lambda _on: self.load())
        self.print_button = QPushButton(icon("print"), "打印…")
        self.print_button.clicked.connect(lambda _checked=False: self.print_map())
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        bar.addWidget(self.print_button)
        bar.addWidget(close)
        return bar

    def _build_table(self) -> QTableWidget:
        t = QTableWidget(0, 0)
        t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        t.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        t.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        t.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        t.horizontalHeader().setMinimumSectionSize(MIN_CELL_WIDTH)
        t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        t.cellClicked.connect(self._clicked)
        return t

    @property
    def mode(self) -> str:
        return "state" if self.by_state.isChecked() else "arrears"

    def load(self):
        data = run_action(self, room_state, self.ctx, self.building_id, self.mode, title="无法显示房态图")
        if data is None:
            return
        self.data = data
        self.setWindowTitle(f"房态图 — {data.building}")
        self.title.setText(f"<b>{data.building}</b>　共 {data.homes} 户")
        self._fill_legend(data)
        self._fill_grid(data)

    def _fill_legend(self, data):
        while self.legend.count():
            w = self.legend.takeAt(0).widget()
            if w is not None:
                w.hide()
                w.setParent(None)
                w.deleteLater()
        colours = palette(data.mode)
        for label, n in data.legend:
            self.legend.addWidget(_swatch(colours.get(label, UNKNOWN_COLOUR), f"{label} {n} 户"))
        self.legend.addStretch(1)

    def _fill_grid(self, data):
        t = self.table
        t.setUpdatesEnabled(False)
        t.clear()
        t.setRowCount(len(data.rows))
        t.verticalHeader().setDefaultSectionSize(LOW_ROW_HEIGHT if len(data.rows) <= LOW_FLOORS else ROW_HEIGHT)
        t.setColumnCount(len(data.positions))
        t.setHorizontalHeaderLabels([f"{e}\n{p}" for e, p in zip(data.entrances, data.positions, strict=True)])
        t.setVerticalHeaderLabels(list(data.floors))
        for r, row in enumerate(data.rows):
            for c, cell in enumerate(row):
                if cell is None:
                    continue
                item = QTableWidgetItem(cell.number)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setBackground(QBrush(QColor(cell_colour(cell, data.mode))))
                item.setForeground(QBrush(QColor("#000000")))
                item.setToolTip(tooltip(cell))
                item.setData(HOME_ROLE, cell.home_id)
                t.setItem(r, c, item)
        t.setUpdatesEnabled(True)

    def cell_at(self, room_code: str) -> tuple[int, int]:
        """(row, column) of a home in the grid (tests, and finding a home to point at)."""
        for r, row in enumerate(self.data.rows):
            for c, cell in enumerate(row):
                if cell is not None and cell.room_code == room_code:
                    return r, c
        raise KeyError(room_code)

    def _clicked(self, row: int, column: int):
        item = self.table.item(row, column)
        if item is not None and item.data(HOME_ROLE) is not None:
            self.home_chosen.emit(int(item.data(HOME_ROLE)))

    def print_map(self):
        from ui.common.print_preview import preview
        pdf = run_action(self, room_state_pdf, self.ctx, self.building_id, self.mode, title="无法打印")
        if pdf:
            name = self.data.building if self.data else "楼栋"
            return preview(self, pdf, f"房态图 — {name}", f"房态图-{name.split()[-1]}.pdf")
        return None
