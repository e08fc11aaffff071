"""车位管理: a non-modal window opened from the archives tab.

Page 车位: every parking space with level, state, home, holders (产权/租用, phones masked), plates
with a valid car card and the monthly fee from the settings; filters by level, state and free
text; add/edit/delete a space; rent (出租), sell (售出) or release (退租/收回) it. Page 车辆与车卡:
the registered vehicles with their cards; register (车卡办理), print the registration form,
renew, cancel. Widgets call app.parking; they build no queries.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.permissions import allowed
from app.parking import cards, spaces
from ui.common.icons import icon
from ui.common.ops import confirm, run_action
from ui.common.runner import NewsFollower, notify_changed
from ui.common.widgets import list_view
from ui.parking.table_models import spaces_model, vehicles_model

ALL = "全部"
WATCHED = frozenset({"parking", "archives"})   # kinds of change shown here (spaces, cards; owners' names)
WINDOW_SIZE = (1100, 620)
SEARCH_DELAY_MS = 150
ACTIONS = ("parking.edit", "parking.rent", "parking.sell", "parking.card")
NO_VEHICLE = "请先在车辆列表中选择一条车卡登记"


def _button(text, purpose, slot, enabled=True):
    b = QPushButton(icon(purpose), text)
    b.setObjectName("btn_" + text.rstrip("…"))
    b.clicked.connect(lambda _c=False: slot())
    b.setEnabled(enabled)
    return b


def _delete_space(ctx, space_id) -> bool:
    """spaces.delete_space, True once done (run_action answers None for a refusal)."""
    spaces.delete_space(ctx, space_id)
    return True


def _relay_of(widget):
    """The nearest ancestor that relays news of changes (the main window: ``changed`` and
    ``notify_changed``, see ui.common.runner.notify_changed); None outside a main window."""
    node = widget.parentWidget()
    while node is not None:
        if hasattr(node, "changed") and callable(getattr(node, "notify_changed", None)):
            return node
        node = node.parentWidget()
    return None


class ParkingWindow(QDialog):
    """车位管理. ``household``: the archives pane's home (its room code is proposed when renting).
    Its writes tell the other views (ui.common.runner.notify_changed); in a main window, news of
    parking and archives written elsewhere reloads its lists now, or when it is shown again."""

    changed = Signal()

    def __init__(self, ctx, household: dict | None = None, parent=None):
        super().__init__(parent)
        self.ctx, self.household = ctx, household
        self.setModal(False)
        self.setWindowTitle("车位管理")
        self.resize(*WINDOW_SIZE)
        role = getattr(ctx.user, "role", None)
        self.can = {a: allowed(role, a) for a in ACTIONS}
        self.last_dialog = None
        self.last_preview = None
        self.news = NewsFollower(self, WATCHED, self.reload)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.reload)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_spaces_page(), icon("parking"), "车位")
        self.tabs.addTab(self._build_vehicles_page(), icon("car"), "车辆与车卡")
        self.message = QLabel("")
        self.message.setObjectName("parking_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color:#1B5E20;")
        outer = QVBoxLayout(self)
        outer.addWidget(self._build_head())
        outer.addWidget(self.tabs, 1)
        outer.addWidget(self.message)
        relay = _relay_of(self)
        if relay is not None:
            relay.changed.connect(self.on_data_changed)
        self.reload()

    # layout ---------------------------------------------------------------------------------------
    def _build_filters(self) -> QHBoxLayout:
        self.level = QComboBox()
        self.level.addItems([ALL, *spaces.LEVELS])
        self.state = QComboBox()
        self.state.addItems([ALL, *spaces.STATES])
        self.search = QLineEdit()
        self.search.setPlaceholderText("车位编号、房号、业主姓名或车牌")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.level.currentIndexChanged.connect(lambda _i: self.reload())
        self.state.currentIndexChanged.connect(lambda _i: self.reload())
        filters = QHBoxLayout()
        for label, w in (("位置：", self.level), ("状态：", self.state), ("查找：", self.search)):
            filters.addWidget(QLabel(label))
            filters.addWidget(w, 1 if w is self.search else 0)
        return filters

    def _build_space_bar(self) -> QHBoxLayout:
        can = self.can
        bar = QHBoxLayout()
        for w in (_button("新增车位…", "add", self.add_space, can["parking.edit"]),
                  _button("修改…", "edit", self.edit_space, can["parking.edit"]),
                  _button("删除", "delete", self.delete_space, can["parking.edit"]),
                  _button("出租…", "in", lambda: self.attach("租用"), can["parking.rent"]),
                  _button("售出…", "money", lambda: self.attach("产权"), can["parking.sell"]),
                  _button("退租/收回…", "out", self.release, can["parking.rent"] or can["parking.sell"]),
                  _button("办理车卡…", "card", self.register_card, can["parking.card"])):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(_button("刷新", "refresh", self.reload))
        return bar

    def _build_spaces_page(self) -> QWidget:
        """Page 车位: the filters, the actions, every space and the summary by level."""
        filters = self._build_filters()
        self.model = spaces_model(self)
        self.table = list_view(self.model)
        self.table.doubleClicked.connect(lambda _i: self.edit_space())
        self.summary = QLabel("")
        self.summary.setObjectName("parking_summary")
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.addLayout(filters)
        lay.addLayout(self._build_space_bar())
        lay.addWidget(self.table, 1)
        lay.addWidget(self.summary)
        return page

    def _build_vehicles_page(self) -> QWidget:
        """Page 车辆与车卡: the registered vehicles with their cards."""
        self.vsearch = QLineEdit()
        self.vsearch.setPlaceholderText("车牌、车卡号、房号、车位或车主")
        self.vsearch.setClearButtonEnabled(True)
        self.vsearch.textChanged.connect(lambda _t: self._timer.start())
        self.with_cancelled = QCheckBox("含已注销")
        self.with_cancelled.toggled.connect(lambda _b: self.reload_vehicles())
        self.vmodel = vehicles_model(self)
        self.vtable = list_view(self.vmodel)
        self.vtable.doubleClicked.connect(lambda _i: self.print_card())
        vbar = QHBoxLayout()
        vbar.addWidget(QLabel("查找："))
        vbar.addWidget(self.vsearch, 1)
        vbar.addWidget(self.with_cancelled)
        card = self.can["parking.card"]
        for w in (_button("办理车卡…", "card", self.register_card, card),
                  _button("打印登记表", "print", self.print_card),
                  _button("续期…", "refresh", self.renew_card, card),
                  _button("注销…", "warning", self.cancel_card, card)):
            vbar.addWidget(w)
        note = QLabel("车卡仅为租用车位的凭证，不作为车辆看管凭证；车位费由财务内勤收取，月度计费按整月计收。")
        note.setStyleSheet("color:#666;")
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.addLayout(vbar)
        lay.addWidget(self.vtable, 1)
        lay.addWidget(note)
        return page

    def _build_head(self) -> QLabel:
        household = self.household
        head = QLabel(f"当前房屋：<b>{household['room_code']}</b>（出租、售出时默认此房号）" if household else
                      "提示：在业主档案中先选中一户，再打开车位管理，出租、售出时自动填入房号。")
        head.setTextFormat(Qt.TextFormat.RichText)
        return head

    # news from other views ------------------------------------------------------------------------
    def on_data_changed(self, kinds, source):
        """Another view wrote (a car card in the household pane, an owner renamed, …): reload now
        if shown, else when shown again."""
        self.news.follow(kinds, source)

    # loading --------------------------------------------------------------------------------------
    def reload(self):
        level = self.level.currentText()
        state = self.state.currentText()
        rows = spaces.space_rows(self.ctx, None if level == ALL else level, None if state == ALL else state,
                                  self.search.text())
        self.model.set_rows(rows)
        s = spaces.summary(self.ctx)
        fee = {lv: spaces.monthly_fee(self.ctx, lv) for lv in spaces.LEVELS}
        parts = [f"{lv}：空闲 {s[lv]['空闲']}，已售 {s[lv]['已售']}，已租 {s[lv]['已租']}"
                 f"（{fee[lv] // 100} 元/月）" for lv in spaces.LEVELS]
        self.summary.setText(f"显示 {len(rows)} 个车位　" + "　".join(parts))
        self.reload_vehicles()

    def reload_vehicles(self):
        self.vmodel.set_rows(cards.vehicle_rows(self.ctx, text=self.vsearch.text(),
                                                  include_cancelled=self.with_cancelled.isChecked()))

    def selected_space(self) -> dict | None:
        idx = self.table.selectionModel().selectedRows()
        return self.model.row_at(idx[0]) if idx else None

    def selected_vehicle(self) -> dict | None:
        idx = self.vtable.selectionModel().selectedRows()
        return self.vmodel.row_at(idx[0]) if idx else None

    def _need_space(self):
        s = self.selected_space()
        if s is None:
            self.message.setText("请先在列表中选择车位")
        return s

    def _done(self, text="", ledger=False):
        """After a write here: the message, the lists again, the household pane and the other views
        told (with *ledger*: the space's monthly lines were billed or waived too)."""
        self.message.setText(text)
        self.reload()
        self.changed.emit()
        notify_changed(self, "parking", *(("ledger",) if ledger else ()))

    def _exec(self, dlg) -> bool:
        """Show a form modally (tests replace this to fill and submit it)."""
        self.last_dialog = dlg
        return bool(dlg.exec())

    # spaces ---------------------------------------------------------------------------------------
    def add_space(self):
        from ui.parking.forms import SpaceDialog
        dlg = SpaceDialog(self.ctx, None, self)
        if self._exec(dlg):
            self._done(f"已新增车位 {dlg.result_value.code}")

    def edit_space(self):
        s = self._need_space()
        if s is None or not self.can["parking.edit"]:
            return
        from ui.parking.forms import SpaceDialog
        dlg = SpaceDialog(self.ctx, s, self)
        if self._exec(dlg):
            self._done(f"车位 {dlg.result_value.code} 已修改")

    def delete_space(self):
        s = self._need_space()
        if (s is not None and confirm(self, f"删除车位 {s['code']}？（仅限误录入的空闲车位）")
                and run_action(self, _delete_space, self.ctx, s["id"], title="无法删除")):
            self._done(f"车位 {s['code']} 已删除")

    def attach(self, kind: str):
        s = self._need_space()
        if s is None:
            return
        if s["state"] != "空闲":
            self.message.setText(f"车位 {s['code']} {s['state']}（{s['room_code']} {s['holder_text']}），"
                                 f"请先办理{'退租' if s['state'] == '已租' else '收回'}")
            return
        from ui.parking.forms import AttachDialog
        dlg = AttachDialog(self.ctx, s, kind, self.household["room_code"] if self.household else "", self)
        if self._exec(dlg):
            self._done(dlg.result_value["message"], ledger=True)

    def release(self):
        s = self._need_space()
        if s is None:
            return
        if s["state"] == "空闲":
            self.message.setText(f"车位 {s['code']} 已是空闲")
            return
        from ui.parking.forms import ReleaseDialog
        dlg = ReleaseDialog(self.ctx, s, self)
        if self._exec(dlg):
            self._done(dlg.result_value["message"], ledger=True)

    # cards ----------------------------------------------------------------------------------------
    def register_card(self):
        from ui.parking.forms import CardDialog
        rows = spaces.space_rows(self.ctx)
        s = self.selected_space() if self.tabs.currentIndex() == 0 else None
        if s is not None and s["state"] == "空闲":
            # the form would silently offer another home's space instead
            self.message.setText(f"车位 {s['code']} 空闲，须先售出或出租才能办理车卡")
            return
        if s is None and self.household:
            s = next((r for r in rows if r["home_id"] == self.household["id"] and r["state"] != "空闲"), None)
        if not any(r["state"] != "空闲" for r in rows):
            self.message.setText("没有已售或已租的车位，请先出租或售出车位")
            return
        dlg = CardDialog(self.ctx, rows, s["id"] if s else None, self)
        if self._exec(dlg):
            x = dlg.result_value
            self._done(f"车卡 {x.card_number} 已办理（{x.plate}，有效期至 {x.valid_until:%Y-%m-%d}），"
                       "请业主到财务内勤处缴费")
            if dlg.print_form.isChecked():
                self._preview_card(x.id)

    def _preview_card(self, vehicle_id):
        from app.parking.cards import car_card_pdf
        pdf = run_action(self, car_card_pdf, self.ctx, vehicle_id)
        if pdf is None:
            return None
        self.last_preview = pdf
        from ui.common.print_preview import preview
        return preview(self, pdf, "车卡办理登记表", f"车卡办理登记表-{vehicle_id}.pdf")

    def print_card(self):
        v = self.selected_vehicle()
        if v is None:
            self.message.setText(NO_VEHICLE)
            return None
        return self._preview_card(v["id"])

    def renew_card(self):
        v = self.selected_vehicle()
        if v is None:
            self.message.setText(NO_VEHICLE)
            return
        months, ok = QInputDialog.getInt(self, "车卡续期", f"{v['plate']} 车卡 {v['card_number']} 续期月数：",
                                         int(self.ctx.settings.get("parking.card_months")), 1, 60)
        if ok:
            x = run_action(self, cards.renew_card, self.ctx, v["id"], months)
            if x is not None:
                self._done(f"车卡 {x.card_number} 已续期至 {x.valid_until:%Y-%m-%d}，请业主到财务内勤处缴费")

    def cancel_card(self):
        v = self.selected_vehicle()
        if v is None:
            self.message.setText(NO_VEHICLE)
            return
        from ui.parking.forms import ReasonDialog
        dlg = ReasonDialog(self.ctx, f"注销车卡 {v['card_number']}", "注销原因", cards.cancel_card, v["id"],
                           parent=self)
        if self._exec(dlg):
            self._done(f"车卡 {v['card_number']}（{v['plate']}）已注销")


# the archives tab opened it under this name
ParkingDialog = ParkingWindow
