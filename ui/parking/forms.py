"""Forms of the parking window: add or edit a space, rent or sell it to owner(s) of a home,
release it, register a car card (车卡办理). Each calls one app.parking service through
ui.common.ops.run_action (a refusal shows its Chinese message and keeps the input)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
)

from app.core.errors import UserError
from app.parking import cards, household, spaces, tenancy
from ui.common.dates import date_edit, py_date
from ui.common.forms import FormDialog


class SpaceDialog(FormDialog):
    """新增车位 / 修改车位."""
    error_title = "未保存"

    def __init__(self, ctx, space: dict | None = None, parent=None):
        super().__init__("修改车位" if space else "新增车位", parent=parent, ctx=ctx)
        self.space = space
        self.code = QLineEdit(space["code"] if space else "")
        self.code.setPlaceholderText("如 DX-079 或 DS-025")
        self.level = QComboBox()
        self.level.addItems(spaces.LEVELS)
        if space:
            self.level.setCurrentText(space["level"])
        self.notes = QLineEdit(space["notes"] if space else "")
        self.form.addRow("车位编号", self.code)
        self.form.addRow("位置", self.level)
        self.form.addRow("备注", self.notes)
        if space and space["billed"]:
            note = QLabel("改变位置（地上/地下）后，从下次月度计费起按新位置的标准计收。")
            note.setWordWrap(True)
            self.form.addRow("", note)

    def call(self):
        if self.space:
            return spaces.update_space(self.ctx, self.space["id"], self.code.text(), self.level.currentText(),
                                        self.notes.text())
        return spaces.create_space(self.ctx, self.code.text(), self.level.currentText(), self.notes.text())


class AttachDialog(FormDialog):
    """出租 (租用) or 售出 (产权) a free space to the owner(s) of a home."""
    error_title = "未保存"

    def __init__(self, ctx, space: dict, kind: str, room_code: str = "", parent=None):
        self.kind = kind
        super().__init__(f"车位{'出租' if kind == '租用' else '售出'}：{space['code']}", parent=parent, ctx=ctx)
        self.ok_button.setText("出租" if kind == "租用" else "售出")
        self.space = space
        self.room = QLineEdit(room_code)
        self.room.setPlaceholderText("如 5-203")
        self.room.editingFinished.connect(self.load_owners)
        find = QPushButton("查找业主")
        find.clicked.connect(self.load_owners)
        self.owners = QListWidget()
        self.owners.setMaximumHeight(110)
        self.room_note = QLabel("")
        self.room_note.setWordWrap(True)
        self.notes = QLineEdit()
        fee = space["fee"]
        rule = QLabel(f"车位费 {fee} 元/月（{space['level']}），按整月计收：办理当月起计收，收回当月照收，次月起停收。")
        rule.setWordWrap(True)
        self.form.addRow("车位", QLabel(f"{space['code']}（{space['level']}）　性质：{kind}"))
        self.form.addRow("房号", self.room)
        self.form.addRow("", find)
        self.form.addRow("产权/租用人", self.owners)
        self.form.addRow("", self.room_note)
        self.form.addRow("备注", self.notes)
        self.form.addRow("", rule)
        self.resize(460, 360)
        if room_code:
            self.load_owners()

    def load_owners(self):
        self.owners.clear()
        self.room_note.setText("")
        if not self.room.text().strip():
            return
        try:
            d = household.home_owner_choices(self.ctx, self.room.text())
        except UserError as exc:
            self.room_note.setText(str(exc))
            return
        if not d["owners"]:
            self.room_note.setText(f"{d['room_code']} 没有登记业主，请先在业主档案中登记")
        for o in d["owners"]:
            it = QListWidgetItem(f"{o['name']}（{'主业主' if o['is_primary'] else '共有人'}）{o['phone']}")
            it.setData(Qt.ItemDataRole.UserRole, o["id"])
            it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            it.setCheckState(Qt.CheckState.Checked if o["is_primary"] else Qt.CheckState.Unchecked)
            self.owners.addItem(it)

    def owner_ids(self):
        return [self.owners.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.owners.count())
                if self.owners.item(i).checkState() == Qt.CheckState.Checked]

    def call(self):
        return tenancy.attach_space(self.ctx, self.space["id"], self.room.text(), self.kind, self.owner_ids() or None,
                                    self.notes.text())


class ReleaseDialog(FormDialog):
    """退租 / 收回 a space."""
    error_title = "未保存"

    def __init__(self, ctx, space: dict, parent=None):
        word = "退租" if space["state"] == "已租" else "收回"
        super().__init__(f"车位{word}：{space['code']}", parent=parent, ctx=ctx)
        self.ok_button.setText(word)
        self.space = space
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("如：业主不再租用、车位转让")
        held = f"{space['code']}（{space['level']}）{space['state']}　{space['room_code']} {space['holder_text']}"
        info = QLabel(held + (f"\n有效车卡（将注销）：{space['plates']}" if space["plates"] else "")
                      + "\n本月车位费按整月计收，次月起停收。")
        info.setWordWrap(True)
        self.form.addRow("车位", info)
        self.form.addRow("原因", self.reason)

    def call(self):
        return tenancy.release_space(self.ctx, self.space["id"], self.reason.text())


class CardDialog(FormDialog):
    """车卡办理: the clerk checks the owner's identity card and fills the registration form."""
    error_title = "未保存"

    ok_text = "办理"

    def __init__(self, ctx, spaces: list[dict], space_id: int | None = None, parent=None):
        super().__init__("车卡办理登记", parent=parent, ctx=ctx)
        self.spaces = [s for s in spaces if s["state"] != "空闲"]
        self.space = QComboBox()
        for s in self.spaces:
            self.space.addItem(f"{s['code']}（{s['level']}，{s['state']}）{s['room_code']} {s['holder_text']}", s["id"])
        if space_id is not None:
            self.space.setCurrentIndex(max(0, self.space.findData(space_id)))
        self.space.currentIndexChanged.connect(self._space_changed)
        self.holder = QComboBox()
        self.plate = QLineEdit()
        self.plate.setPlaceholderText("如 豫A12345，新能源 豫AD12345")
        self.brand = QLineEdit()
        self.brand.setPlaceholderText("品牌型号")
        self.color = QLineEdit()
        self.driver = QLineEdit()
        self.driver.setPlaceholderText("默认为业主本人")
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("默认为业主登记的电话")
        self.card_number = QLineEdit()
        self.card_number.setPlaceholderText("留空则用登记表编号")
        self.valid_from = date_edit(ctx.clock.today())
        self.months = QSpinBox()
        self.months.setRange(1, 60)
        self.months.setValue(int(ctx.settings.get("parking.card_months")))
        self.months.setSuffix(" 个月")
        self.identity = QCheckBox("已核验业主身份证原件")
        self.notes = QLineEdit()
        self.print_form = QCheckBox("办理后打印车卡办理登记表")
        self.print_form.setChecked(True)
        statement = QLabel("车卡仅为租用车位的凭证，不作为车辆看管凭证；办理后请业主到财务内勤处缴费。")
        statement.setWordWrap(True)
        statement.setStyleSheet("color:#8A4B00;")
        for label, w in (("车位", self.space), ("业主", self.holder), ("", self.identity), ("车牌号", self.plate),
                         ("品牌型号", self.brand), ("颜色", self.color), ("车主姓名", self.driver),
                         ("联系电话", self.phone), ("车卡号", self.card_number), ("有效期起", self.valid_from),
                         ("有效月数", self.months), ("备注", self.notes), ("", self.print_form), ("", statement)):
            self.form.addRow(label, w)
        self._space_changed()

    def _space_changed(self):
        self.holder.clear()
        sid = self.space.currentData()
        for s in self.spaces:
            if s["id"] == sid:
                for h in s["holders"]:
                    self.holder.addItem(f"{h['name']}（{h['kind']}）", h["owner_id"])

    def call(self):
        return cards.register_card(self.ctx, {
            "space_id": self.space.currentData(), "owner_id": self.holder.currentData(), "plate": self.plate.text(),
            "brand": self.brand.text(), "color": self.color.text(), "driver_name": self.driver.text(),
            "phone": self.phone.text(), "card_number": self.card_number.text(),
            "valid_from": py_date(self.valid_from.date()), "months": self.months.value(),
            "identity_checked": self.identity.isChecked(), "notes": self.notes.text()})


class ReasonDialog(FormDialog):
    """A single reason (注销原因)."""
    error_title = "未保存"

    def __init__(self, ctx, title: str, label: str, fn, *args, parent=None):
        super().__init__(title, parent=parent, ctx=ctx)
        self.fn, self.args = fn, args
        self.text = QPlainTextEdit()
        self.text.setMaximumHeight(70)
        self.form.addRow(label, self.text)

    def call(self):
        return self.fn(self.ctx, *self.args, self.text.toPlainText())
