"""包月服务: a home's monthly services (bicycle parking 自行车停放, cable TV 有线电视), started from
a month and ended at a month through app.ledger.billing (subscribe / end_subscription); the monthly
billing run charges them. Opened from the archives household pane and the ledger tab."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QVBoxLayout

from app.core.errors import UserError
from app.core.money import fmt_fen
from app.core.permissions import allowed
from app.ledger.charge_items import item_name
from app.parking import household, spaces, subscriptions
from ui.common.icons import icon
from ui.common.ops import run_action
from ui.common.runner import notify_changed
from ui.common.widgets import list_view
from ui.parking.table_models import subscriptions_model

ITEMS = (("bicycle", "fee.bicycle"), ("cable_tv", "fee.cable_tv"))
DIALOG_SIZE = (760, 460)
MONTH_WIDTH = 90
MAX_COUNT = 20


def _month(d) -> str:
    return f"{d.year:04d}-{d.month:02d}"


class SubscriptionsDialog(QDialog):
    """Each start or end tells the other views (ui.common.runner.notify_changed: "parking", and
    "ledger": a month already billed is billed at once, lines billed ahead are waived)."""

    def __init__(self, ctx, home_id: int | None = None, room_code: str = "", parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.home_id = home_id
        self.setWindowTitle("包月服务（自行车停放、有线电视）")
        self.resize(*DIALOG_SIZE)
        can = allowed(getattr(ctx.user, "role", None), "ledger.charge")
        self.model = subscriptions_model(self)
        self.table = list_view(self.model)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        rule = QLabel("月度计费按登记的起止月份整月计收（数量 × 标准）；截止月份之后不再计费。")
        rule.setStyleSheet("color:#666;")
        lay = QVBoxLayout(self)
        lay.addLayout(self._build_find(room_code))
        lay.addWidget(self.table, 1)
        lay.addLayout(self._build_start_row(can))
        lay.addLayout(self._build_end_row(can))
        lay.addWidget(rule)
        lay.addWidget(self.message)
        if home_id is not None:
            self.load()
        elif room_code:
            self.find()
        self._enable()

    # layout -------------------------------------------------------------------------------------
    def _build_find(self, room_code: str) -> QHBoxLayout:
        self.room = QLineEdit(room_code)
        self.room.setPlaceholderText("房号，如 5-203")
        self.room.returnPressed.connect(self.find)
        find = QPushButton(icon("search"), "查找")
        find.clicked.connect(self.find)
        self.header = QLabel("请输入房号")
        top = QHBoxLayout()
        top.addWidget(QLabel("房号："))
        top.addWidget(self.room)
        top.addWidget(find)
        top.addWidget(self.header, 1)
        return top

    def _month_edit(self, placeholder: str) -> QLineEdit:
        edit = QLineEdit(_month(self.ctx.clock.today()))
        edit.setPlaceholderText(placeholder)
        edit.setMaximumWidth(MONTH_WIDTH)
        return edit

    def _build_start_row(self, can: bool) -> QHBoxLayout:
        """新登记: the service, how many, the first month billed, a note."""
        self.item = QComboBox()
        for code, key in ITEMS:
            self.item.addItem(f"{item_name(code)}（{fmt_fen(int(self.ctx.settings.get(key)))} 元/月）", code)
        self.count = QSpinBox()
        self.count.setRange(1, MAX_COUNT)
        self.count.setSuffix(" 个")
        self.start = self._month_edit("起始月份，如 2026-11")
        self.notes = QLineEdit()
        self.notes.setPlaceholderText("备注（如车辆数、电视终端）")
        self.add_button = QPushButton(icon("add"), "登记")
        self.add_button.setObjectName("subs_add")
        self.add_button.clicked.connect(self.add)
        self.add_button.setEnabled(can)
        row = QHBoxLayout()
        for w in (QLabel("新登记："), self.item, self.count, QLabel("起始月份"), self.start, self.notes,
                  self.add_button):
            row.addWidget(w)
        return row

    def _build_end_row(self, can: bool) -> QHBoxLayout:
        """截止: the last month billed for the selected registration."""
        self.end = self._month_edit("截止月份")
        self.end_button = QPushButton(icon("out"), "截止所选登记")
        self.end_button.setObjectName("subs_end")
        self.end_button.clicked.connect(self.end_selected)
        self.end_button.setEnabled(can)
        row = QHBoxLayout()
        row.addWidget(QLabel("截止月份（最后计费的月份）："))
        row.addWidget(self.end)
        row.addWidget(self.end_button)
        row.addStretch(1)
        return row

    def _enable(self):
        for w in (self.add_button, self.end_button):
            w.setEnabled(self.home_id is not None and allowed(getattr(self.ctx.user, "role", None), "ledger.charge"))

    def find(self):
        try:
            home = spaces.find_home(self.room.text())
        except UserError as exc:
            self.header.setText(str(exc))
            self.home_id = None
            self.model.set_rows([])
            self._enable()
            return
        self.home_id = home.id
        self.load()

    def load(self):
        rows = subscriptions.subscription_rows(self.ctx, self.home_id)
        room = household.room_code_of(self.home_id)
        self.room.setText(room)
        self.model.set_rows(rows)
        total = sum(r["monthly_fen"] for r in rows if r["state"] == "计费中")
        self.header.setText(f"<b>{room}</b>　本月计费中的包月服务合计 {fmt_fen(total)} 元/月")
        self._enable()

    def add(self):
        s = run_action(self, subscriptions.subscribe, self.ctx, self.home_id, self.item.currentData(),
                       self.count.value(), self.start.text(), self.notes.text(), title="未登记")
        if s is not None:
            billed = getattr(s, "billed_now", None)
            self.message.setText(f"已登记{item_name(s.item_code)} {s.count} 个，自 {s.start_period} 起按月计费"
                                 + (f"（{'、'.join(billed)} 已计费，本次补记）" if billed else ""))
            self.notes.clear()
            self.load()
            notify_changed(self, "parking", "ledger")
        return s

    def end_selected(self):
        idx = self.table.selectionModel().selectedRows()
        r = self.model.row_at(idx[0]) if idx else None
        if r is None:
            self.message.setText("请先在列表中选择一条登记")
            return None
        s = run_action(self, subscriptions.end_subscription, self.ctx, r["id"], self.end.text(), title="未截止")
        if s is not None:
            self.message.setText(getattr(s, "message", None)
                                 or f"{item_name(s.item_code)}登记已截止，最后计费月份 {s.end_period}")
            self.load()
            notify_changed(self, "parking", "ledger")
        return s
