"""来访登记 page: who is still inside (yellow), the day's register and the last 90 days; a visitor
comes in through the dialog and leaves with one click."""
from __future__ import annotations

from app.core.permissions import allowed
from app.frontdesk import prints, visitors
from ui.common.ops import run_action
from ui.common.widgets import button
from ui.frontdesk.dialogs import VisitorDialog
from ui.frontdesk.page import RegisterPage
from ui.frontdesk.table_models import visitors_model

INSIDE, TODAY, RECENT = "仍在小区内", "今日来访", "近90天"


class VisitorsPage(RegisterPage):
    VIEWS = (INSIDE, TODAY, RECENT)
    EXPORT_NAME = "来访登记.xlsx"
    NAME = "frontdesk_visitors"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, visitors_model(), parent)
        self.model.setParent(self)
        can = allowed(self.role, "visitors.register")
        self.enter_button = button("来访登记…", "add", self.register, enabled=can)
        self.leave_button = button("离开", "out", self.leave, enabled=can)
        self.leave_button.setToolTip("所选访客离开：记下离开时间")
        self.finish([self.enter_button, self.leave_button, button("打印当日登记表", "print", self.print_day)])
        self.refresh()

    def load(self, view: str, text: str) -> list[dict]:
        if view == TODAY:
            return visitors.day_visitors(self.ctx, search=text)
        if view == RECENT:
            return visitors.search_visitors(self.ctx, text)
        return visitors.inside(self.ctx, text)

    def register(self):
        dlg = VisitorDialog(self.ctx, self)
        if dlg.exec() and dlg.result_value is not None:
            self.written()

    def leave(self):
        row = self.one("访客")
        if row is None:
            return
        if not row["inside"]:
            from ui.common.ops import info
            return info(self, f"{row['name']}已于{row['left_at']}离开。")
        if run_action(self, visitors.sign_out, self.ctx, row["id"], title="未登记离开") is not None:
            self.written()

    def print_day(self):
        self.preview(prints.visitors_day_pdf, title="来访人员登记表", filename="来访人员登记表.pdf")

    def export_rows(self, path):
        return run_action(self, visitors.export_visitors, self.ctx, self.rows, path, title="未能导出")
