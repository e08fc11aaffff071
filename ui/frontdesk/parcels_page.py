"""代收快递 page: the quick check-in line (room, carrier, tracking number, size, shelf; Enter
registers it and the cursor is back in the room field), the parcels waiting with their age and fee
so far (beyond the free period in red), pick-up, the day's list and the overdue list printed."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
)

from app.core.permissions import allowed
from app.frontdesk import parcels, prints
from models.frontdesk import PARCEL_SIZES
from ui.common.ops import info, run_action
from ui.common.widgets import button
from ui.frontdesk.dialogs import PickupDialog
from ui.frontdesk.page import RegisterPage
from ui.frontdesk.table_models import parcels_model

WAITING, OVERDUE, TODAY, ALL = "待取包裹", "超时未取", "今日登记", "全部记录"


class ParcelsPage(RegisterPage):
    VIEWS = (WAITING, OVERDUE, TODAY, ALL)
    EXPORT_NAME = "代收快递登记.xlsx"
    NAME = "frontdesk_parcels"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parcels_model(), parent)
        self.model.setParent(self)
        self.can_receive = allowed(self.role, "parcels.receive")
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.doubleClicked.connect(lambda _i: self.pick_up())
        self.pickup_button = button("领取…", "out", self.pick_up, enabled=self.can_receive)
        self.pickup_button.setToolTip("领取所选包裹（可多选同一房号的包裹），领取人签字，超时收取保管费")
        self.finish([self.pickup_button,
                     button("打印当日登记表", "print", self.print_day),
                     button("打印超时清单", "print", self.print_overdue)], self._entry_panel())
        self.refresh()

    def _entry_panel(self) -> QGroupBox:
        box = QGroupBox("快速登记（扫码或输入单号后回车即登记）")
        self.room = QLineEdit()
        self.room.setPlaceholderText("房号 如 5-201")
        self.room.setObjectName("parcel_room")
        self.carrier = QComboBox()
        self.carrier.setEditable(True)
        self.carrier.addItems(parcels.CARRIERS)
        self.tracking = QLineEdit()
        self.tracking.setPlaceholderText("快递单号")
        self.size = QComboBox()
        self.size.addItems(PARCEL_SIZES)
        self.place = QLineEdit("货架A-1")
        self.place.setPlaceholderText("存放位置")
        self.place.setMaximumWidth(90)
        self.fragile = QCheckBox("易碎拒收")
        self.valuable = QCheckBox("贵重拒收")
        self.checkin_button = button("登记", "add", self.check_in, enabled=self.can_receive)
        self.last = QLabel("")
        self.last.setObjectName("parcel_last")
        self.room.returnPressed.connect(self._room_entered)
        self.tracking.returnPressed.connect(self.check_in)
        self.place.returnPressed.connect(self.check_in)
        row = QHBoxLayout(box)
        for label, w in (("房号", self.room), ("快递", self.carrier), ("单号", self.tracking), ("", self.size),
                         ("存放", self.place)):
            if label:
                row.addWidget(QLabel(label))
            row.addWidget(w, 2 if w in (self.room, self.tracking) else 0)
        for w in (self.fragile, self.valuable, self.checkin_button, self.last):
            row.addWidget(w)
        for w in (self.room, self.carrier, self.tracking, self.size, self.place):
            w.setEnabled(self.can_receive)
        return box

    def _room_entered(self):
        """Enter in the room field: on to the tracking number, or register when it is typed."""
        if self.tracking.text().strip():
            self.check_in()
        else:
            self.tracking.setFocus()

    def check_in(self):
        reasons = [r for r, box in (("易碎物品", self.fragile), ("贵重物品", self.valuable)) if box.isChecked()]
        p = run_action(self, parcels.check_in, self.ctx, {
            "room_code": self.room.text(), "carrier": self.carrier.currentText(), "tracking_no": self.tracking.text(),
            "size": self.size.currentText(), "place": self.place.text(), "refuse_reasons": reasons},
            title="未登记")
        if p is None:
            return
        what = f"拒收（{p.refuse_reason}）" if p.refuse_reason else p.place
        self.last.setText(f"已登记 {p.number} {p.home.room_code} {p.carrier} {what}")
        self.room.clear()
        self.tracking.clear()
        self.fragile.setChecked(False)
        self.valuable.setChecked(False)
        self.room.setFocus()
        self.written()

    # data -----------------------------------------------------------------------------------------
    def load(self, view: str, text: str) -> list[dict]:
        if view == OVERDUE:
            return [r for r in parcels.overdue_parcels(self.ctx) if _has(text, r)]
        if view == TODAY:
            return [r for r in parcels.day_parcels(self.ctx) if _has(text, r)]
        if view == ALL:
            return parcels.search_parcels(self.ctx, text)
        return parcels.waiting_parcels(self.ctx, text)

    def pick_up(self):
        rows = [r for r in self.selected() if r["status"] == "待取"]
        if not rows:
            return info(self, "请先在列表中选择待取的包裹（可按住 Ctrl 多选同一房号的包裹）。")
        if len({r["room_code"] for r in rows}) > 1:
            return info(self, "一次只能领取同一房号的包裹，请只选择一个房号的包裹。")
        dlg = PickupDialog(self.ctx, rows, self)
        if dlg.exec() and dlg.result_value is not None:
            self.written()
            from ui.common.runner import notify_changed
            if any(p.charge_id for p in dlg.result_value):
                notify_changed(self, "ledger")

    def print_day(self):
        self.preview(prints.parcels_day_pdf, title="代收快递登记表", filename="代收快递登记表.pdf")

    def print_overdue(self):
        self.preview(prints.parcels_waiting_pdf, True, title="超时未取包裹清单", filename="超时未取包裹清单.pdf")

    def export_rows(self, path):
        return run_action(self, parcels.export_parcels, self.ctx, self.rows, path, title="未能导出")


def _has(text: str, r: dict) -> bool:
    from app.frontdesk.common import matches
    return matches(text, r["room_code"], r["recipient"], r["carrier"], r["tracking_no"], r["number"],
                   r["collector_name"])
