"""The household pane's 车位/车辆 page (archives tab): the home's parking spaces and its vehicles
with their car cards, and the doors to 车位管理, 车卡办理, the registration form and 包月服务.
A card registered here tells the other views (ui.common.runner.notify_changed, "parking"); news
written elsewhere reaches the page through the archives tab, which reloads its pane on parking news."""
from __future__ import annotations

import contextlib

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.permissions import allowed
from app.parking import household
from ui.common.icons import icon
from ui.common.runner import notify_changed
from ui.common.widgets import list_view
from ui.parking.table_models import home_spaces_model, vehicles_model


class HouseholdParkingPage(QWidget):
    def __init__(self, pane):
        super().__init__(pane)
        self.pane, self.ctx = pane, pane.ctx
        self.detail = None
        role = getattr(self.ctx.user, "role", None)
        self.spaces_model = home_spaces_model(self)
        self.spaces = list_view(self.spaces_model)
        self.vehicles_model = vehicles_model(self)
        self.vehicles = list_view(self.vehicles_model)
        self.vehicles.doubleClicked.connect(lambda _i: self.print_card())
        bar = QHBoxLayout()
        self.buttons = {}
        for key, ic, text, slot, enabled in (
                ("manage", "parking", "车位管理…", self.open_parking, True),
                ("card", "card", "办理车卡…", self.register_card, allowed(role, "parking.card")),
                ("print", "print", "打印车卡登记表", self.print_card, True),
                ("subs", "bicycle", "包月服务…", self.open_subscriptions, allowed(role, "ledger.view"))):
            b = QPushButton(icon(ic), text)
            b.setObjectName("parking_" + key)
            b.clicked.connect(lambda _c=False, s=slot: s())
            b.setEnabled(enabled)
            self.buttons[key] = b
            bar.addWidget(b)
        bar.addStretch(1)
        self.note = QLabel("")
        self.note.setStyleSheet("color:#666;")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(bar)
        lay.addWidget(QLabel("车位："))
        lay.addWidget(self.spaces, 1)
        lay.addWidget(QLabel("车辆与车卡："))
        lay.addWidget(self.vehicles, 2)
        lay.addWidget(self.note)
        self.parking_window = None
        self.last_dialog = None
        self.last_preview = None

    def load(self, detail: dict | None):
        self.detail = detail
        if detail is None:
            self.spaces_model.set_rows([])
            self.vehicles_model.set_rows([])
            self.note.setText("")
            return
        d = household.home_parking(self.ctx, detail["id"])
        self.spaces_model.set_rows(d["spaces"])
        self.vehicles_model.set_rows(d["vehicles"])
        valid = sum(1 for v in d["vehicles"] if v["valid"])
        fee = sum(s["fee_fen"] for s in d["spaces"])
        self.note.setText(f"车位 {len(d['spaces'])} 个（车位费合计 {fee // 100}.{fee % 100:02d} 元/月），"
                          f"有效车卡 {valid} 张")
        self.buttons["card"].setEnabled(bool(d["spaces"]) and allowed(getattr(self.ctx.user, "role", None),
                                                                      "parking.card"))

    def _reload(self):
        if self.detail:
            self.pane.load(self.detail["id"])

    def open_parking(self):
        from ui.parking.pane import ParkingWindow
        if self.parking_window is not None:
            with contextlib.suppress(RuntimeError):   # already deleted
                self.parking_window.close()
        self.parking_window = ParkingWindow(self.ctx, self.detail, self)
        self.parking_window.changed.connect(self._reload)
        self.parking_window.show()
        return self.parking_window

    def register_card(self):
        if not self.detail:
            return None
        from ui.parking.forms import CardDialog
        spaces = [s for s in household.home_parking(self.ctx, self.detail["id"])["spaces"] if s["state"] != "空闲"]
        if not spaces:
            return None
        dlg = CardDialog(self.ctx, spaces, spaces[0]["id"], self)
        self.last_dialog = dlg
        if dlg.exec() and dlg.result_value is not None:
            self._reload()
            notify_changed(self, "parking")
            if dlg.print_form.isChecked():
                self._preview(dlg.result_value.id)
            return dlg.result_value
        return None

    def _selected_vehicle(self):
        idx = self.vehicles.selectionModel().selectedRows()
        return self.vehicles_model.row_at(idx[0]) if idx else None

    def _preview(self, vehicle_id):
        from app.parking.cards import car_card_pdf
        from ui.common.ops import run_action
        from ui.common.print_preview import preview
        pdf = run_action(self, car_card_pdf, self.ctx, vehicle_id)
        if pdf is not None:
            self.last_preview = pdf
            preview(self, pdf, "车卡办理登记表", f"车卡办理登记表-{vehicle_id}.pdf")
        return pdf

    def print_card(self):
        v = self._selected_vehicle()
        if v is None and self.vehicles_model.rows:
            v = self.vehicles_model.rows[0]
        if v is None:
            self.note.setText("本户没有车卡登记")
            return None
        return self._preview(v["id"])

    def open_subscriptions(self):
        if not self.detail:
            return None
        from ui.parking.subscriptions import SubscriptionsDialog
        dlg = SubscriptionsDialog(self.ctx, self.detail["id"], self.detail["room_code"], self)
        self.last_dialog = dlg
        dlg.exec()
        return dlg
