"""租售登记 page: the homes on offer (above) and the seekers still looking (below); a listing or a
seeker is registered through a form, a viewing booked for the selected home and seeker once the
seeker signed the fee agreement, the deal concluded with the meters read and the agency fee
charged in the fee ledger; the list of homes on offer prints for the area managers."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from app.core.permissions import allowed
from app.frontdesk import letting, prints
from models.frontdesk import LET_KINDS
from ui.common.forms import Field, FormDialog
from ui.common.ops import info, run_action
from ui.common.tables import table_view
from ui.common.widgets import button
from ui.frontdesk.page import RegisterPage
from ui.frontdesk.table_models import listings_model, seekers_model

OFFER, ALL = "在租售房源", "近一年全部房源"


class LettingPage(RegisterPage):
    VIEWS = (OFFER, ALL)
    EXPORT_NAME = "租售房源.xlsx"
    NAME = "frontdesk_letting"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, listings_model(), parent)
        self.model.setParent(self)
        can = allowed(self.role, "letting.edit")
        self.seeker_model = seekers_model(self)
        self.seeker_table = table_view(self.seeker_model, self, "frontdesk_seekers")
        self.list_button = button("登记房源…", "add", self.add_listing, enabled=can)
        self.seek_button = button("登记求租…", "user", self.add_seeker, enabled=can)
        self.view_button = button("预约看房…", "visit", self.book_viewing, enabled=can)
        self.view_button.setToolTip("所选房源与所选求租人：求租人须先签订中介服务费协议")
        self.deal_button = button("成交…", "ok", self.conclude, enabled=can)
        self.withdraw_button = button("撤回…", "delete", self.withdraw, enabled=can)
        self.finish([self.list_button, self.seek_button, self.view_button, self.deal_button, self.withdraw_button,
                     button("打印房源表", "print", self.print_list)])
        self._split()
        self.refresh()

    def _split(self):
        """The listings above, the seekers below."""
        self.layout_.removeWidget(self.table)
        lower = QWidget()
        box = QVBoxLayout(lower)
        box.setContentsMargins(0, 0, 0, 0)
        self.seeker_count = QLabel()
        box.addWidget(self.seeker_count)
        box.addWidget(self.seeker_table)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(lower)
        split.setSizes([300, 200])
        self.layout_.addWidget(split)

    def load(self, view: str, text: str) -> list[dict]:
        people = letting.seekers(self.ctx, text)
        self.seeker_model.set_rows(people)
        self.seeker_count.setText(f"求租、求购登记（未成交）共 {len(people)} 人")
        return letting.all_listings(self.ctx, text) if view == ALL else letting.on_offer(self.ctx, text)

    def seeker(self) -> dict | None:
        idx = self.seeker_table.currentIndex()
        row = self.seeker_model.row_at(self.seeker_model.index(idx.row(), 0)) if idx.isValid() else None
        if row is None:
            info(self, "请先在下方求租登记中选择求租人。")
        return row

    def _form(self, title, fields, fn, ok, error):
        dlg = FormDialog(title, fields, on_accept=fn, parent=self, ctx=self.ctx, error_title=error, ok_text=ok)
        self.last_dialog = dlg
        if dlg.exec() and dlg.result_value is not None:
            self.written()

    def add_listing(self):
        self._form("登记租售房源", [
            Field("room_code", "房号", required=True, placeholder="如 5-201"),
            Field("kind", "租售", "choice", "出租", LET_KINDS), Field("price", "租金/售价（元）", required=True),
            Field("available_from", "可入住日期", "date", self.ctx.clock.today()),
            Field("owner_name", "业主姓名", required=True), Field("terms", "业主条件", "multiline", "")],
            lambda v: letting.add_listing(self.ctx, {**v, "price": v["price"]}), "登记", "未登记")

    def add_seeker(self):
        self._form("登记求租、求购", [
            Field("name", "求租人", required=True), Field("phone", "联系电话", required=True),
            Field("kind", "租售", "choice", "出租", [("出租", "求租"), ("出售", "求购")]),
            Field("needs", "需求", "multiline", "", placeholder="户型、楼层、位置、入住时间…"),
            Field("budget", "预算（元）", placeholder="月租金或总价，可不填")],
            lambda v: letting.add_seeker(self.ctx, v), "登记", "未登记")

    def book_viewing(self):
        home = self.one("房源")
        person = self.seeker() if home else None
        if person is None:
            return
        at = (self.ctx.clock.now() + dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:00")
        self._form(f"预约看房：{home['room_code']}　{person['name']}", [
            Field("at", "看房时间", "text", at), Field("guide", "带看人（管家）"),
            Field("agreement_signed", "服务费协议", "check", False)],
            lambda v: letting.book_viewing(self.ctx, home["id"], person["id"], v), "预约", "未预约")

    def conclude(self):
        home = self.one("房源")
        person = self.seeker() if home else None
        if person is None:
            return
        pcts = "，".join(f"{k} {self.ctx.settings.get(key)}%" for k, key in letting.RATES.items())
        self._form(f"成交：{home['room_code']}　{person['name']}", [
            Field("price", "成交租金/价格（元）", "text", home["price"].split()[0]),
            Field("start_date", "起租日期", "date", self.ctx.clock.today()),
            Field("rate", "代理费标准", "choice", "业主价", list(letting.RATES)),
            Field("rates", "", "label", f"代理费按一个月租金：{pcts}；出售不收"),
            Field("water", "水表读数"), Field("power", "电表读数")],
            lambda v: letting.conclude(self.ctx, home["id"], person["id"], v), "成交", "未成交")

    def withdraw(self):
        home = self.one("房源")
        if home is None:
            return
        self._form(f"撤回房源 {home['number']}", [Field("reason", "撤回原因", required=True)],
                   lambda v: letting.withdraw_listing(self.ctx, home["id"], v["reason"]), "撤回", "未撤回")

    def print_list(self):
        self.preview(prints.letting_pdf, title="租售房源登记表", filename="租售房源登记表.pdf")

    def export_rows(self, path):
        return run_action(self, letting.export_listings, self.ctx, self.rows, path, title="未能导出")
