"""公告栏 tab: the register of notices (on the board, due down today, expired but never taken down,
waiting for approval, printing or posting), a notice's way from draft to the board and down, and
the posters printed from live data (收费标准公示, 项目月度工作报告). Widgets call app.notices."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QMenu, QVBoxLayout, QWidget

from app.core.permissions import allowed
from app.notices import notices, register
from models.notices import GRADES
from ui.common.ops import info, run_action
from ui.common.runner import NewsFollower, notify_changed
from ui.common.tables import save_columns, table_view
from ui.common.widgets import button
from ui.notices.dialogs import NoticeDialog, ReportDialog, TemplateDialog
from ui.notices.models import notices_model

ALL_GRADES = "全部等级"
NEWS = frozenset({"notices"})
# which buttons a notice's state enables
STATE_BUTTONS = {"edit": ("草稿", "已审批"), "approve": ("草稿",), "print": ("已审批", "已打印", "已张贴"),
                 "post": ("已打印",), "down": ("已张贴",)}


class Tab(QWidget):
    def __init__(self, ctx, main_window=None):
        super().__init__(main_window)
        self.ctx = ctx
        self.main_window = main_window
        role = getattr(ctx.user, "role", None)
        self.can = {k: allowed(role, f"notices.{k}") for k in ("draft", "approve", "post", "template", "report",
                                                               "export")}
        self.summary = QLabel()
        self.summary.setObjectName("notices_summary")
        self.model = notices_model(self)
        self.view = table_view(self.model, self, "notices")
        self.view.doubleClicked.connect(lambda _i: self.preview_selected())
        self.view.selectionModel().currentRowChanged.connect(lambda *_a: self.update_buttons())
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addLayout(self._filter_bar())
        lay.addLayout(self._action_bar())
        lay.addWidget(self.view, 1)
        self.news = NewsFollower(self, NEWS, self.refresh)
        self.refresh()

    # building -----------------------------------------------------------------------------------
    def _filter_bar(self) -> QHBoxLayout:
        self.view_combo = QComboBox()
        self.view_combo.setObjectName("notice_view")
        self.view_combo.addItems(register.VIEWS)
        self.view_combo.setCurrentText("全部")
        self.grade_combo = QComboBox()
        self.grade_combo.addItems([ALL_GRADES, *GRADES])
        self.search = QLineEdit()
        self.search.setPlaceholderText("编号、标题或正文中的字词")
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self.refresh)
        self.view_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.grade_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        bar = QHBoxLayout()
        for w in (QLabel("查看"), self.view_combo, self.grade_combo, self.search):
            bar.addWidget(w)
        bar.addWidget(button("查找", "search", self.refresh))
        bar.addStretch(1)
        bar.addWidget(button("导出Excel", "export", self.export, enabled=self.can["export"]))
        bar.addWidget(button("收费标准公示", "money", self.fee_poster))
        bar.addWidget(button("月度工作报告…", "pdf", self.monthly_report, enabled=self.can["report"]))
        bar.addWidget(button("模板…", "settings", self.edit_templates, enabled=self.can["template"]))
        return bar

    def _action_bar(self) -> QHBoxLayout:
        self.buttons = {
            "new": button("新建公告…", "add", self.new_notice, enabled=self.can["draft"]),
            "edit": button("修改…", "edit", self.edit_notice),
            "approve": button("审批", "ok", self.approve),
            "preview": button("预览", "search", self.preview_selected),
            "print": button("打印", "print", lambda: None),
            "post": button("已张贴", "in", self.post),
            "down": button("撤下", "out", self.take_down),
            "attach": button("附件…", "attach", self.attach),
        }
        menu = QMenu(self.buttons["print"])
        menu.addAction("A4 打印（每个单元一份）", lambda: self.print_notice("A4"))
        menu.addAction("A3 打印（每个单元一份）", lambda: self.print_notice("A3"))
        self.buttons["print"].setMenu(menu)
        bar = QHBoxLayout()
        for b in self.buttons.values():
            bar.addWidget(b)
        bar.addStretch(1)
        return bar

    # data ---------------------------------------------------------------------------------------
    def save_state(self):
        save_columns(self.view)

    def on_data_changed(self, kinds, source):
        self.news.follow(kinds, source)

    def refresh(self):
        grade = self.grade_combo.currentText()
        rows = register.list_notices(self.ctx, self.view_combo.currentText(),
                                     None if grade == ALL_GRADES else grade, self.search.text())
        self.model.set_rows(rows)
        c = register.board_counts(self.ctx)
        self.summary.setText(f"在栏公告 {c['在栏公告']} 份，今日到期 {c['今日到期']} 份，过期未撤 {c['过期未撤']} 份；"
                             f"待审批 {c['待审批']} 份，待打印 {c['待打印']} 份，待张贴 {c['待张贴']} 份")
        self.update_buttons()

    def selected(self):
        return self.model.row_at(self.view.currentIndex())

    def update_buttons(self):
        row = self.selected()
        state = row["state"] if row else None
        need = {"edit": "draft", "approve": "approve", "print": "post", "post": "post", "down": "post"}
        for key, states in STATE_BUTTONS.items():
            self.buttons[key].setEnabled(state in states and self.can[need[key]])
        self.buttons["preview"].setEnabled(row is not None)
        self.buttons["attach"].setEnabled(row is not None and self.can["draft"])

    def written(self, select_id=None):
        self.refresh()
        notify_changed(self, "notices")
        if select_id is not None:
            for i in range(self.model.rowCount()):
                if self.model.row(i)["id"] == select_id:
                    self.view.selectRow(i)
                    break

    # actions ------------------------------------------------------------------------------------
    def new_notice(self):
        dlg = NoticeDialog(self.ctx, None, self)
        if dlg.exec() and dlg.result_value is not None:
            self.written(dlg.result_value.id)

    def edit_notice(self):
        row = self.selected()
        if row is None:
            return info(self, "请先选择一份公告。")
        dlg = NoticeDialog(self.ctx, notices.get_notice(row["id"]), self)
        if dlg.exec() and dlg.result_value is not None:
            self.written(row["id"])

    def _step(self, fn, done_text: str):
        row = self.selected()
        if row is None:
            return info(self, "请先选择一份公告。")
        n = run_action(self, fn, self.ctx, row["id"])
        if n is not None:
            self.written(n.id)
            self.main_status(f"公告 {n.number} {done_text}")

    def approve(self):
        self._step(notices.approve, "已审批")

    def post(self):
        self._step(notices.post, "已张贴")

    def take_down(self):
        self._step(notices.take_down, "已撤下")

    def attach(self):
        from PySide6.QtWidgets import QFileDialog
        row = self.selected()
        if row is None:
            return info(self, "请先选择一份公告。")
        path, _f = QFileDialog.getOpenFileName(self, "选择附件", "", "所有文件 (*)")
        if path and run_action(self, notices.add_attachment, self.ctx, row["id"], path) is not None:
            self.written(row["id"])
            info(self, f"已添加附件：{', '.join(notices.attachment_names(row['id']))}")

    def export(self):
        from PySide6.QtWidgets import QFileDialog
        path, _f = QFileDialog.getSaveFileName(self, "导出公告登记", "公告登记.xlsx", "Excel 文件 (*.xlsx)")
        if not path:
            return
        n = run_action(self, register.export_register, self.ctx, path, self.view_combo.currentText())
        if n is not None:
            info(self, f"已导出 {n} 条公告到 {path}")

    # prints -------------------------------------------------------------------------------------
    def _preview(self, pdf, title, name):
        from ui.common.print_preview import preview
        if pdf is not None:
            self.last_preview = preview(self, pdf, title, name, kind="board")

    def preview_selected(self):
        from app.notices.prints import notice_preview_pdf
        row = self.selected()
        if row is None:
            return info(self, "请先选择一份公告。")
        self._preview(run_action(self, notice_preview_pdf, self.ctx, row["id"]), f"公告 {row['number']}",
                      f"公告-{row['number']}.pdf")

    def print_notice(self, paper: str):
        from app.notices.prints import notice_pdf
        row = self.selected()
        if row is None:
            return info(self, "请先选择一份公告。")
        pdf = run_action(self, notice_pdf, self.ctx, row["id"], paper)
        if pdf is not None:
            self.written(row["id"])
            self._preview(pdf, f"公告 {row['number']}（{paper}）", f"公告-{row['number']}-{paper}.pdf")

    def fee_poster(self):
        from app.notices.posters import fee_poster_pdf
        self._preview(run_action(self, fee_poster_pdf, self.ctx), "收费标准公示", "收费标准公示.pdf")

    def monthly_report(self):
        dlg = ReportDialog(self.ctx, self)
        if dlg.exec() and dlg.result_value is not None:
            self._preview(dlg.result_value, "项目月度工作报告", "项目月度工作报告.pdf")

    def edit_templates(self):
        dlg = TemplateDialog(self.ctx, self)
        if dlg.exec() and dlg.result_value is not None:
            notify_changed(self, "notices")

    def main_status(self, text: str):
        mw = self.main_window
        if mw is not None and hasattr(mw, "statusBar"):
            mw.statusBar().showMessage(text, 5000)
