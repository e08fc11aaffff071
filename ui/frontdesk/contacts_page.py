"""通讯录 page (the desk's outside contacts, searchable, printed as the phone list) and 项目概况
page (the site facts from the site settings, printed)."""
from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.core.permissions import allowed
from app.frontdesk import contacts, prints
from models.frontdesk import CONTACT_CATEGORIES
from ui.common.forms import Field, FormDialog
from ui.common.ops import run_action
from ui.common.widgets import button
from ui.frontdesk.page import RegisterPage
from ui.frontdesk.table_models import contacts_model

ACTIVE, ALL = "在用", "全部（含停用）"


def contact_dialog(ctx, parent, row: dict | None = None) -> FormDialog:
    """新增 or 编辑 a contact: one FormDialog, the refusals named by field."""
    r = row or {}
    fields = [Field("category", "类别", "choice", r.get("category", CONTACT_CATEGORIES[0]), CONTACT_CATEGORIES),
              Field("name", "单位名称", default=r.get("name", ""), required=True),
              Field("person", "负责人", default=r.get("person", "")),
              Field("phone", "电话", default=r.get("phone", ""), required=True, placeholder="手机、固话或 110、95598"),
              Field("phone2", "备用电话", default=r.get("phone2", "")),
              Field("address", "地址", default=r.get("address", "")),
              Field("notes", "备注", default=r.get("notes", ""))]
    if row:
        return FormDialog("编辑联系人", fields, lambda v: contacts.update_contact(ctx, row["id"], v), parent,
                          ctx=ctx, error_title="未保存")
    return FormDialog("新增联系人", fields, lambda v: contacts.add_contact(ctx, v), parent, ctx=ctx,
                      error_title="未保存")


class ContactsPage(RegisterPage):
    VIEWS = (ACTIVE, ALL)
    EXPORT_NAME = "通讯录.xlsx"
    NAME = "frontdesk_contacts"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, contacts_model(), parent)
        self.model.setParent(self)
        self.search.setPlaceholderText("查找：单位、负责人、电话…")
        can = allowed(self.role, "contacts.edit")
        self.add_button = button("新增…", "add", self.add, enabled=can)
        self.edit_button = button("编辑…", "edit", self.edit, enabled=can)
        self.active_button = button("停用/启用", "delete", self.toggle, enabled=can)
        self.table.doubleClicked.connect(lambda _i: self.edit())
        self.finish([self.add_button, self.edit_button, self.active_button,
                     button("打印电话表", "print", self.print_list)])
        self.refresh()

    def load(self, view: str, text: str) -> list[dict]:
        return contacts.list_contacts(self.ctx, text, include_inactive=view == ALL)

    def add(self):
        if contact_dialog(self.ctx, self).exec():
            self.written()

    def edit(self):
        row = self.one("联系人")
        if row is not None and contact_dialog(self.ctx, self, row).exec():
            self.written()

    def toggle(self):
        row = self.one("联系人")
        if row is not None and run_action(self, contacts.set_active, self.ctx, row["id"], not row["active"],
                                          title="未保存") is not None:
            self.written()

    def print_list(self):
        self.preview(prints.phone_list_pdf, title="客服中心常用电话表", filename="常用电话表.pdf")

    def export_rows(self, path):
        return run_action(self, contacts.export_contacts, self.ctx, self.rows, path, title="未能导出")


class SiteFactsPage(QWidget):
    """项目概况: every site and company setting as label and value (站点设置 changes them); read
    again whenever the page is shown (the tab refreshes the page it turns to)."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.facts = QFormLayout()
        bar = QHBoxLayout()
        bar.addWidget(QLabel("以下内容来自站点设置（文件 → 站点设置）"))
        bar.addStretch(1)
        bar.addWidget(button("打印项目概况", "print", self.print_facts))
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addLayout(self.facts)
        lay.addStretch(1)
        self.refresh()

    def refresh(self):
        while self.facts.rowCount():
            self.facts.removeRow(0)
        for label, value in contacts.site_facts(self.ctx):
            text = QLabel(value or "（未填写）")
            text.setWordWrap(True)
            self.facts.addRow(f"{label}：", text)

    def print_facts(self):
        from ui.common.print_preview import preview
        pdf = run_action(self, prints.site_facts_pdf, self.ctx)
        if pdf is not None:
            self.last_preview = preview(self, pdf, "项目概况", "项目概况.pdf")
