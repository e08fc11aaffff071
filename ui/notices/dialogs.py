"""Dialogs of the notice board: draft or change a notice (from a template, its fields filled from
the form; buildings and entrances ticked in a tree), edit the office's templates, and the monthly
work report's month and plans. Widgets call app.notices; no queries here."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout

from app.core.dates import fmt_date
from app.notices import notices, templates
from models.notices import GRADES
from ui.common.forms import Field, FormDialog
from ui.common.icons import icon
from ui.common.ops import run_action

NO_TEMPLATE = ""
SCOPE_HEIGHT = 130
TEMPLATE_WIDTH = 640


def scope_tree(parent=None) -> QTreeWidget:
    """Buildings with their entrances, each with a box: a building ticked alone means all its entrances."""
    tree = QTreeWidget(parent)
    tree.setObjectName("scope")
    tree.setHeaderHidden(True)
    tree.setMinimumHeight(SCOPE_HEIGHT)
    for b in notices.scope_choices():
        top = QTreeWidgetItem(tree, [b["label"]])
        top.setData(0, Qt.ItemDataRole.UserRole, ("b", b["code"]))
        top.setCheckState(0, Qt.CheckState.Unchecked)
        for eid, label in b["entrances"]:
            child = QTreeWidgetItem(top, [label])
            child.setData(0, Qt.ItemDataRole.UserRole, ("e", eid))
            child.setCheckState(0, Qt.CheckState.Unchecked)
    return tree


def tree_scope(tree: QTreeWidget) -> tuple[list[str], list[int]]:
    """(building codes, entrance ids) ticked; an entrance ticked brings its building."""
    codes, ids = [], []
    for i in range(tree.topLevelItemCount()):
        top = tree.topLevelItem(i)
        picked = [top.child(j).data(0, Qt.ItemDataRole.UserRole)[1] for j in range(top.childCount())
                  if top.child(j).checkState(0) == Qt.CheckState.Checked]
        if picked or top.checkState(0) == Qt.CheckState.Checked:
            codes.append(top.data(0, Qt.ItemDataRole.UserRole)[1])
            ids.extend(picked)
    return codes, ids


def set_tree_scope(tree: QTreeWidget, codes, ids) -> None:
    for i in range(tree.topLevelItemCount()):
        top = tree.topLevelItem(i)
        if top.data(0, Qt.ItemDataRole.UserRole)[1] in codes:
            top.setCheckState(0, Qt.CheckState.Checked)
        for j in range(top.childCount()):
            if top.child(j).data(0, Qt.ItemDataRole.UserRole)[1] in ids:
                top.child(j).setCheckState(0, Qt.CheckState.Checked)


class NoticeDialog(FormDialog):
    """新建公告 / 修改公告: a template fills the title and body from the dates, times, reason and
    the ticked buildings; the clerk can still change every word."""
    error_title = "公告未保存"
    ok_text = "保存草稿"

    def __init__(self, ctx, notice=None, parent=None):
        today = ctx.clock.today()
        days = int(ctx.settings.get("notice.default_days"))
        self.templates = templates.list_templates(ctx)
        choices = [(NO_TEMPLATE, "（不用模板）")] + [(t.code, t.name) for t in self.templates]
        n = notice
        fields = [
            Field("template", "模板", "choice", n.template if n else NO_TEMPLATE, choices),
            Field("start_date", "开始日期", "datetext", fmt_date(today + dt.timedelta(days=1)),
                  placeholder="停水、停电、检修的日期"),
            Field("end_date", "结束日期", "datetext", fmt_date(today + dt.timedelta(days=1))),
            Field("start_time", "开始时间", "text", "8:00"),
            Field("end_time", "结束时间", "text", "18:00"),
            Field("reason", "原因", "text", "", placeholder="如：市政管网维修"),
            Field("grade", "等级", "choice", n.grade if n else GRADES[0], list(GRADES)),
            Field("title", "标题", "text", n.title if n else "", required=True),
            Field("body", "正文", "multiline", n.body if n else "",
                  placeholder="“- ”开头为列表项，“1. ”为编号，用“|”分隔的行为表格"),
            Field("post_from", "张贴起始日期", "date", n.post_from if n else today),
            Field("post_to", "张贴截止日期", "date", n.post_to if n else today + dt.timedelta(days=days)),
            Field("issue_date", "发布日期", "date", n.issue_date if n else today),
        ]
        super().__init__("修改公告" if n else "新建公告", fields, parent=parent, ctx=ctx, columns=2)
        self.notice = n
        self.widget("body").setMinimumHeight(160)
        self.scope = scope_tree(self)
        if n:
            set_tree_scope(self.scope, [c for c in n.buildings.split(",") if c],
                           [int(i) for i in n.entrances.split(",") if i])
        self.fill_button = QPushButton(icon("edit"), "按模板填写标题和正文")
        self.fill_button.clicked.connect(self.fill_from_template)
        row = QHBoxLayout()
        row.addWidget(self.fill_button)
        row.addStretch(1)
        box = QVBoxLayout()
        box.addWidget(self.scope)
        box.addLayout(row)
        self.add_form_row("楼栋/单元", box)
        self.widget("template").currentIndexChanged.connect(lambda _i: self.fill_from_template())

    def fill_from_template(self):
        code = self.field_values()["template"]
        if not code:
            return
        v = self.field_values()
        codes, ids = tree_scope(self.scope)
        filled = run_action(self, lambda c: templates.draft_from_template(
            c, code, v, notices.scope_words(codes, ids)), self.ctx)
        if filled is None:
            return
        self.set_value("grade", filled["grade"])
        self.set_value("title", filled["title"])
        self.set_value("body", filled["body"])
        post_from = self.field_values()["post_from"]
        self.set_value("post_to", post_from + dt.timedelta(days=filled["days"]))

    def values(self):
        v = self.field_values()
        codes, ids = tree_scope(self.scope)
        return {"grade": v["grade"], "title": v["title"], "body": v["body"], "buildings": codes, "entrances": ids,
                "post_from": v["post_from"], "post_to": v["post_to"], "issue_date": v["issue_date"],
                "template": v["template"]}

    def call(self):
        if self.notice is None:
            return notices.create_notice(self.ctx, self.values())
        return notices.update_notice(self.ctx, self.notice.id, self.values())


class TemplateDialog(FormDialog):
    """公告模板: the office's templates, one chosen and edited (its placeholders listed)."""
    error_title = "模板未保存"
    ok_text = "保存模板"

    def __init__(self, ctx, parent=None):
        self.rows = templates.list_templates(ctx, include_inactive=True)
        t = self.rows[0]
        fields = [Field("name", "模板名称", "text", t.name, required=True),
                  Field("grade", "等级", "choice", t.grade, list(GRADES)),
                  Field("title", "标题", "text", t.title, required=True),
                  Field("days", "张贴天数", "int", t.days),
                  Field("body", "正文", "multiline", t.body, required=True),
                  Field("active", "启用", "check", t.active)]
        intro = "可用的填充字段：" + "、".join("{" + k + "}" for k in templates.FIELDS)
        super().__init__("公告模板", fields, parent=parent, ctx=ctx, intro=intro)
        self.setMinimumWidth(TEMPLATE_WIDTH)
        self.widget("body").setMinimumHeight(180)
        self.list = QListWidget(self)
        self.list.setObjectName("templates")
        self.list.addItems([r.name for r in self.rows])
        self.list.setCurrentRow(0)
        self.list.setMaximumHeight(110)
        self.list.currentRowChanged.connect(self.show_template)
        self.form.insertRow(0, "模板", self.list)

    def current(self):
        return self.rows[max(self.list.currentRow(), 0)]

    def show_template(self, row: int):
        t = self.rows[row]
        for key in ("name", "grade", "title", "days", "body", "active"):
            self.set_value(key, getattr(t, key))

    def call(self):
        t = templates.update_template(self.ctx, self.current().id, self.field_values())
        self.rows[self.list.currentRow()] = t
        return t


class ReportDialog(FormDialog):
    """项目月度工作报告: the month, further work done and next month's plans (the manager's lines)."""
    error_title = "报告未生成"
    ok_text = "预览报告"

    def __init__(self, ctx, parent=None):
        today = ctx.clock.today()
        fields = [Field("month", "月份", "text", f"{today:%Y-%m}", required=True),
                  Field("work", "本月其他工作", "multiline", "", placeholder="每行一项，以“- ”开头"),
                  Field("plans", "下月工作计划", "multiline", "", required=True, placeholder="每行一项，以“- ”开头"),
                  Field("paper", "纸张", "choice", "A4", ["A4", "A3"])]
        super().__init__("项目月度工作报告", fields, parent=parent, ctx=ctx,
                         intro="工作量、报事处理、服务指标和收费率由系统按当月数据统计。")

    def call(self):
        from app.notices.posters import monthly_report_pdf
        v = self.field_values()
        return monthly_report_pdf(self.ctx, v["month"], v["plans"], v["work"], v["paper"])
