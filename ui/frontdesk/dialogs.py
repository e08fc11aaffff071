"""Dialogs of the 前台登记 tab: a parcel's pick-up, a visitor coming in, a goods-out pass issued."""
from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QPlainTextEdit, QSpinBox

from app.core.money import fmt_fen
from app.core.permissions import allowed
from app.frontdesk import parcels, passes, visitors
from models.frontdesk import CONSENT_WAYS
from ui.common.dates import date_edit, py_date
from ui.common.forms import FormDialog


class PickupDialog(FormDialog):
    """领取包裹: the collector signs; the storage fee is charged (and paid when the user may take money)."""
    error_title = "未领取"
    ok_text = "领取"

    def __init__(self, ctx, rows: list[dict], parent=None):
        super().__init__("包裹领取", parent=parent, ctx=ctx)
        self.ids = [r["id"] for r in rows]
        role = getattr(ctx.user, "role", None)
        self.can_pay = allowed(role, "ledger.pay")
        fee = sum(r["fee_fen"] for r in rows)
        self.form.addRow("包裹", QLabel("\n".join(f"{r['number']}　{r['carrier']} {r['tracking_no']}　{r['place']}　"
                                                  f"已存放 {r['age']}" for r in rows)))
        self.form.addRow("房号", QLabel(rows[0]["room_code"]))
        self.collector = QLineEdit(next((r["recipient"] for r in rows if r["recipient"]), ""))
        self.signed = QCheckBox("领取人已在登记簿上签字")
        self.form.addRow("领取人", self.collector)
        self.form.addRow("", self.signed)
        fee_text = f"{fmt_fen(fee)} 元" if fee else "免费（未超过免费保管时长）"
        self.form.addRow("保管费", QLabel(fee_text))
        self.method = QComboBox()
        self.method.addItems(["现金", "银行卡", "转账"])
        self.reference = QLineEdit()
        self.reference.setPlaceholderText("转账（微信/支付宝）须填交易参考号")
        if fee and self.can_pay:
            self.form.addRow("付款方式", self.method)
            self.form.addRow("交易参考号", self.reference)
        elif fee:
            self.form.addRow("", QLabel("保管费记入收费台账，由收银处收取"))
        self.waive = QCheckBox("免收保管费（经理）")
        self.waive_reason = QLineEdit()
        if fee and allowed(role, "parcels.waive"):
            self.form.addRow("", self.waive)
            self.form.addRow("免收原因", self.waive_reason)
        self.resize(460, 0)

    def call(self):
        return parcels.pick_up_many(self.ctx, self.ids, {
            "collector_name": self.collector.text(), "collector_signed": self.signed.isChecked(),
            "pay_method": self.method.currentText(), "pay_reference": self.reference.text(),
            "waive": self.waive.isChecked(), "waive_reason": self.waive_reason.text()})


class VisitorDialog(FormDialog):
    """来访登记: the visitor's name and document, whom they visit, why, companions, plate."""
    error_title = "未登记"
    ok_text = "登记进入"

    def __init__(self, ctx, parent=None):
        super().__init__("来访登记", parent=parent, ctx=ctx)
        self.name = QLineEdit()
        self.id_type = QComboBox()
        self.id_type.addItems(visitors.ID_TYPES)
        self.id_number = QLineEdit()
        self.id_number.setPlaceholderText("证件号码（保存时加密，列表中遮蔽显示）")
        self.phone = QLineEdit()
        self.room = QLineEdit()
        self.room.setPlaceholderText("如 5-201；访物业可不填")
        self.host = QLineEdit()
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.addItems(visitors.REASONS)
        self.companions = QSpinBox()
        self.companions.setRange(0, visitors.MAX_COMPANIONS)
        self.plate = QLineEdit()
        self.plate.setPlaceholderText("步行不填")
        for label, w in (("访客姓名", self.name), ("证件类型", self.id_type), ("证件号码", self.id_number),
                         ("联系电话", self.phone), ("来访房号", self.room), ("被访人", self.host),
                         ("来访事由", self.reason), ("同行人数", self.companions), ("车牌", self.plate)):
            self.form.addRow(label, w)
        self.resize(440, 0)

    def call(self):
        return visitors.register_visit(self.ctx, {
            "name": self.name.text(), "id_type": self.id_type.currentText(), "id_number": self.id_number.text(),
            "phone": self.phone.text(), "room_code": self.room.text(), "host": self.host.text(),
            "reason": self.reason.currentText(), "companions": self.companions.value(), "plate": self.plate.text()})


class PassDialog(FormDialog):
    """开具物品放行条: the owner's consent, the items (one per line: 名称×数量), carrier, plate, valid date."""
    error_title = "未开具"
    ok_text = "开具"

    def __init__(self, ctx, parent=None):
        super().__init__("开具物品放行条", parent=parent, ctx=ctx)
        self.room = QLineEdit()
        self.room.setPlaceholderText("如 5-201")
        self.consent = QComboBox()
        self.consent.addItems(CONSENT_WAYS)
        self.consent_by = QLineEdit()
        self.consent_phone = QLineEdit()
        self.consent_phone.setPlaceholderText("电话确认时填写拨打的业主电话")
        self.items = QPlainTextEdit()
        self.items.setPlaceholderText("每行一项：名称×数量，如\n旧沙发×1\n纸箱×5个")
        self.items.setTabChangesFocus(True)
        self.items.setFixedHeight(90)
        self.carrier = QLineEdit()
        self.plate = QLineEdit()
        self.valid = date_edit(ctx.clock.today())
        self.valid.setMaximumDate(self.valid.date().addDays(passes.MAX_VALID_DAYS))
        self.print_pass = QCheckBox("开具后打印放行条（含存根）")
        self.print_pass.setChecked(True)
        for label, w in (("房号", self.room), ("业主同意方式", self.consent), ("同意人（业主）", self.consent_by),
                         ("业主电话", self.consent_phone), ("物品", self.items), ("搬运人", self.carrier),
                         ("车牌", self.plate), ("有效日期", self.valid), ("", self.print_pass)):
            self.form.addRow(label, w)
        self.resize(460, 0)

    def call(self):
        return passes.issue_pass(self.ctx, {
            "room_code": self.room.text(), "consent": self.consent.currentText(), "consent_by": self.consent_by.text(),
            "consent_phone": self.consent_phone.text(), "items": self.items.toPlainText(),
            "carrier": self.carrier.text(), "plate": self.plate.text(), "valid_date": py_date(self.valid.date())})
