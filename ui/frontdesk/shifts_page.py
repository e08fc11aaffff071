"""交接班记录 page: the shift running now with what stays open (counted live) and the cash the
drawer should hold, the day's hand-overs and the last 30 days; 交接班… writes the entry with the
taker's password, 更正… adds a correction to the selected entry (an entry is never edited)."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit

from app.core.money import fmt_fen
from app.core.permissions import allowed
from app.frontdesk import prints, shifts
from ui.common.forms import Field, FormDialog
from ui.common.ops import info, run_action
from ui.common.widgets import button
from ui.frontdesk.page import RegisterPage
from ui.frontdesk.table_models import shifts_model

TODAY, RECENT = "今日交接班", "近30天"


class ShiftDialog(FormDialog):
    """交接班: what happened, what is handed over, the cash counted; the taker picks their name and
    types their own password."""
    error_title = "未交接"
    ok_text = "确认交接"

    def __init__(self, ctx, parent=None):
        cur = shifts.current_shift(ctx)
        box = shifts.drawer(ctx)
        items = shifts.items_text(shifts.open_items(ctx))
        fields = [Field("shift", "班次", "choice", cur["shift"], shifts.shift_names(ctx.settings)),
                  Field("events", "值班记事", "multiline", "", required=True,
                        placeholder="本班发生的事情：接待、报修、突发情况、已办结果…"),
                  Field("pending", "移交事项", "multiline", "", placeholder="交给下一班跟进的事情"),
                  Field("items", "未结事项", "label", items),
                  Field("drawer", "应有现金", "label",
                        f"{fmt_fen(box['expected_fen'])} 元（备用金 {fmt_fen(box['float_fen'])} ＋ 当日现金收款 "
                        f"{fmt_fen(box['cash_receipts_fen'])}；当日收款合计 {fmt_fen(box['receipts_fen'])} 元）"),
                  Field("cash", "抽屉现金", "text", "", placeholder="清点后的金额（元），未清点可不填"),
                  Field("taker", "接班人", "choice", None, shifts.takers(ctx)),
                  Field("password", "接班人密码", "text", "", placeholder="接班人输入自己的登录密码")]
        super().__init__(f"交接班（{cur['date']:%Y-%m-%d}）", fields, parent=parent, ctx=ctx)
        self.date = cur["date"]
        self.widget("password").setEchoMode(QLineEdit.EchoMode.Password)
        self.widget("items").setWordWrap(True)
        self.setMinimumWidth(560)

    def call(self):
        v = self.values()
        return shifts.hand_over(self.ctx, {"shift": v["shift"], "shift_date": self.date, "events": v["events"],
                                           "pending": v["pending"], "cash": v["cash"]},
                                v["taker"] or "", v["password"])


class ShiftsPage(RegisterPage):
    VIEWS = (TODAY, RECENT)
    EXPORT_NAME = "交接班记录.xlsx"
    NAME = "frontdesk_shifts"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, shifts_model(), parent)
        self.model.setParent(self)
        can = allowed(self.role, "shiftlog.write")
        self.now_label = QLabel()
        self.now_label.setWordWrap(True)
        self.hand_button = button("交接班…", "add", self.hand_over, enabled=can)
        self.correct_button = button("更正…", "edit", self.correct, enabled=can)
        self.correct_button.setToolTip("交接后的记录不能修改：对所选记录写一条更正")
        self.finish([self.hand_button, self.correct_button, button("打印当日记录", "print", self.print_day)],
                    top=self.now_label)
        self.refresh()

    def load(self, view: str, text: str) -> list[dict]:
        self.show_now()
        if view == RECENT:
            return shifts.recent_entries(self.ctx, text)
        rows = shifts.day_entries(self.ctx)
        return [r for r in rows if not text or text in " ".join(str(r[k]) for k in ("events", "pending", "number"))]

    def show_now(self):
        cur = shifts.current_shift(self.ctx)
        last = shifts.last_hand_over(self.ctx)
        took = (f"　上次交接：{last['shift_date']} {last['shift']} {last['handed_name']} → {last['taken_name']}"
                f"（{last['handed_at']}）" if last else "　尚无交接记录")
        self.now_label.setText(f"当前班次：{cur['shift']}（{cur['hours']}）{took}\n"
                               f"未结事项：{shifts.items_text(shifts.open_items(self.ctx))}")

    def hand_over(self):
        dlg = ShiftDialog(self.ctx, self)
        self.last_dialog = dlg
        if dlg.exec() and dlg.result_value is not None:
            self.written()

    def correct(self):
        row = self.one("要更正的交接班记录")
        if row is None:
            return
        if row["kind"] != "交接":
            return info(self, f"{row['number']}本身是更正记录，请选择原交接记录。")
        dlg = FormDialog(f"更正 {row['number']}", [
            Field("text", "更正内容", "multiline", "", required=True),
            Field("cash", "更正后现金", "text", "", placeholder="现金点错时填写实际金额（元）")],
            on_accept=lambda v: shifts.correct(self.ctx, row["id"], v["text"], v["cash"]),
            parent=self, ctx=self.ctx, error_title="未更正", ok_text="写入更正")
        self.last_dialog = dlg
        if dlg.exec() and dlg.result_value is not None:
            self.written()

    def print_day(self):
        self.preview(prints.shift_day_pdf, title="交接班记录", filename="交接班记录.pdf")

    def export_rows(self, path):
        return run_action(self, shifts.export_shifts, self.ctx, self.rows, path, title="未能导出")
