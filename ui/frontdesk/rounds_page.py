"""巡查记录 page: the findings still to follow up and the day's rounds; 记录巡查… writes a finding,
已处理… records how the selected one was handled, 转报修… passes it to the service area as a request
(channel 巡查; the finding then shows the request's number); the day's sheet prints."""
from __future__ import annotations

from app.core.permissions import allowed
from app.frontdesk import prints, rounds
from ui.common.forms import Field, FormDialog
from ui.common.ops import info, run_action
from ui.common.widgets import button
from ui.frontdesk.page import RegisterPage
from ui.frontdesk.table_models import rounds_model

OPEN, TODAY = "待跟进", "今日巡查"


class RoundsPage(RegisterPage):
    VIEWS = (OPEN, TODAY)
    EXPORT_NAME = "巡查记录.xlsx"
    NAME = "frontdesk_rounds"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, rounds_model(), parent)
        self.model.setParent(self)
        can = allowed(self.role, "rounds.write")
        self.record_button = button("记录巡查…", "add", self.record, enabled=can)
        self.handle_button = button("已处理…", "ok", self.handle, enabled=can)
        self.service_button = button("转报修…", "service", self.to_service,
                                     enabled=can and allowed(self.role, "service.intake"))
        self.finish([self.record_button, self.handle_button, self.service_button,
                     button("打印当日巡查表", "print", self.print_day)])
        self.refresh()

    def load(self, view: str, text: str) -> list[dict]:
        return rounds.day_rounds(self.ctx, search=text) if view == TODAY else rounds.open_rounds(self.ctx, text)

    def _form(self, title, fields, fn, ok, error):
        dlg = FormDialog(title, fields, on_accept=fn, parent=self, ctx=self.ctx, error_title=error, ok_text=ok)
        self.last_dialog = dlg
        if dlg.exec() and dlg.result_value is not None:
            self.written()

    def record(self):
        self._form("记录巡查", [
            Field("place", "巡查地点", required=True, placeholder="如 5号楼大堂、地下车库B区"),
            Field("found", "发现情况", "multiline", "", required=True),
            Field("follow_up", "跟进措施", "multiline", "", placeholder="已通知维修、转报事单号…"),
            Field("done", "当场已处理，无需跟进", "check", False)],
            lambda v: rounds.record_round(self.ctx, v), "记录", "未记录")

    def handle(self):
        row = self.one("巡查记录")
        if row is None:
            return
        if not row["open"]:
            return info(self, f"{row['number']}已于{row['handled_at']}处理。")
        fields = [Field("result", "处理结果", "multiline", "", required=True)]
        self._form(f"处理 {row['number']}：{row['place']}", fields,
                   lambda v: rounds.handle(self.ctx, row["id"], v["result"]), "确定", "未记录")

    def to_service(self):
        from app.frontdesk.rounds_service import finding
        from ui.common.runner import notify_changed
        from ui.frontdesk.rounds_intake import RoundIntakeDialog
        row = self.one("巡查记录")
        if row is None:
            return
        if not row["open"]:
            return info(self, f"{row['number']}已于{row['handled_at']}处理：{row['result']}。")
        dlg = RoundIntakeDialog(self.ctx, finding(row["id"]), self)
        self.last_dialog = dlg
        if dlg.exec() and dlg.result_request is not None:
            self.written()
            notify_changed(self, "service")
            info(self, f"已转报修，服务单号 {dlg.result_request.number}。")

    def print_day(self):
        self.preview(prints.rounds_day_pdf, title="巡查记录表", filename="巡查记录表.pdf")

    def export_rows(self, path):
        return run_action(self, rounds.export_rounds, self.ctx, self.rows, path, title="未能导出")
