"""装修管理 tab: opens on what needs doing (today's spot checks, permits waiting, inspections due,
notices past their deadline, passes expiring); a renovation's nine stages, its passes, patrol log,
notices and fees; every action goes through app.renovation (api), every form prints to a preview.
Each write tells the other tabs what it changed (ui.common.runner.notify_changed: "renovation", and
"ledger" / "archives" where the service posts charges or refunds or changes the home's state); news of
renovations and of the ledger (fees paid) from another tab reloads the lists now, or when shown."""
from __future__ import annotations

import datetime as dt
from html import escape

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from app.core.money import fmt_fen
from app.core.validation import fmt_area
from app.renovation import api as rv
from models.renovation import NOTICE_KINDS, PASS_CARDS
from ui.common.forms import FormDialog
from ui.common.ops import confirm, info, run_action
from ui.common.runner import NewsFollower, notify_changed
from ui.renovation.dialogs import ApplicationDialog, DeductionsDialog
from ui.renovation.layout import build_detail, build_top, table
from ui.renovation.table_models import due_model, renovation_model

TRADES = ["木工", "水电工", "瓦工", "油漆工", "杂工", "其他"]
WHICH = {"在办装修": "active", "已结案/驳回/放弃": "closed", "全部": "all"}
SPLITTER_SIZES = [620, 880]
WATCHED = frozenset({"renovation", "ledger"})   # kinds of change shown in this tab (fees are read from the ledger)
LEDGER, ARCHIVES = ("ledger",), ("archives",)   # what a write changes besides the renovation
LEDGER_AND_HOME = ("ledger", "archives")
PASS_EXTENSION_DAYS = 30


class Tab(QWidget):
    def __init__(self, ctx, main_window=None):
        super().__init__(main_window)
        self.ctx = ctx
        self.main_window = main_window
        self.current_id: int | None = None
        self._connected_sel = None
        self.news = NewsFollower(self, WATCHED, self.refresh)
        self._build()
        self.refresh()
        QTimer.singleShot(0, self._restore_state)

    # layout -----------------------------------------------------------------
    def _build(self):
        top = build_top(self)
        self.due_model = due_model(self)
        self.list_model = renovation_model(self)
        self.left = table(self.due_model, 3)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.left)
        self.splitter.addWidget(build_detail(self))
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes(SPLITTER_SIZES)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.splitter, 1)
        self._update_buttons(None)

    # data -----------------------------------------------------------------
    def refresh(self):
        view = self.view_combo.currentText()
        keep = self.current_id
        if view == "待办事项":
            rows = run_action(self, rv.todo, self.ctx) or []
            self.due_model.set_rows(rows)
            model = self.due_model
            overdue = sum(1 for d in rows if d.overdue)
            self.summary.setText(f"待办 {len(rows)} 项" + (f"，逾期 {overdue} 项" if overdue else ""))
        else:
            rows = run_action(self, rv.list_renovations, self.ctx, WHICH[view], self.search.text()) or []
            self.list_model.set_rows(rows)
            model = self.list_model
            self.summary.setText(f"共 {len(rows)} 条")
        if self.left.model() is not model:
            self.left.setModel(model)
        sel = self.left.selectionModel()
        if sel is not self._connected_sel:
            sel.currentRowChanged.connect(self._row_changed)
            self._connected_sel = sel
        self.left.resizeColumnsToContents()
        if keep is None and rows:
            self.select_row(0)
        else:
            self.load(keep)

    def _row_changed(self, current, _previous):
        row = self.left.model().row(current.row())
        if row is None:
            return
        self.load(getattr(row, "renovation_id", None) or getattr(row, "id", None))

    def search_now(self):
        """Enter in the search box: the list again, and a single hit opened at once."""
        self.refresh()
        if self.left.model().rowCount() == 1:
            self.select_row(0)
            self.left.setFocus()

    def select_row(self, i: int):
        self.left.selectRow(i)
        row = self.left.model().row(i)
        self.load(getattr(row, "renovation_id", None) or getattr(row, "id", None))

    def load(self, reno_id):
        self.current_id = reno_id
        if reno_id is None:
            for m in (self.stage_model, self.worker_model, self.patrol_model, self.notice_model, self.fee_model):
                m.set_rows([])
            self.header.setText("请在左侧选择一条装修登记")
            self.drawings_menu.clear()
            self.drawings_btn.setEnabled(False)
            self._update_buttons(None)
            return
        r = run_action(self, rv.get, self.ctx, reno_id)
        if r is None:
            return self.load(None)
        home = r.home
        self.header.setText(
            f"<b style='font-size:14pt'>{home.room_code}</b>　{home.house_type} {fmt_area(home.area_x100)}㎡　"
            f"申请编号 {r.number}　<b>{r.state}</b>　下一步：{rv.next_step(self.ctx, r)}<br>"
            f"申请人 {escape(r.applicant)}　施工单位 {escape(r.contractor_name)}（{escape(r.contractor_person)}）　"
            f"保证金 {fmt_fen(r.deposit_fen)} 元　垃圾清运费 {fmt_fen(r.rubbish_fen)} 元")
        self.stage_model.set_rows(rv.stages(self.ctx, r))
        self.worker_model.set_rows(rv.worker_rows(self.ctx, reno_id))
        self.patrol_model.set_rows(rv.patrol_rows(self.ctx, reno_id))
        self.notice_model.set_rows(rv.notice_rows(self.ctx, reno_id))
        self.fee_model.set_rows(rv.fee_lines(self.ctx, reno_id))
        for t in (self.stages, self.workers, self.patrols, self.notices, self.fees):
            if t.model().rowCount():
                t.resizeColumnsToContents()
        self.drawings_menu.clear()
        for name, path in rv.drawing_files(self.ctx, reno_id):
            self.drawings_menu.addAction(name, lambda p=path: self.open_file(p))
        self.drawings_btn.setEnabled(not self.drawings_menu.isEmpty())
        self._update_buttons(r)

    def open_file(self, path):
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices
        return QDesktopServices.openUrl(QUrl.fromLocalFile(path))

    def _update_buttons(self, r):
        s = r.state if r is not None else None
        edit, appr = rv.may(self.ctx, "renovation.edit"), rv.may(self.ctx, "renovation.approve")
        rules = {
            "approve": (appr, ("待审批",)), "reject": (appr, ("待审批",)),
            "drawing": (edit, rv.ACTIVE_STATES), "tests": (edit, ("已批准",)), "fire": (edit, ("已批准", "施工中")),
            "permit": (edit, ("已批准",)), "worker": (edit, ("已批准", "施工中")), "patrol": (edit, ("施工中",)),
            "notice": (edit, ("已批准", "施工中", "已完工")), "finish": (edit, ("施工中",)),
            "first": (appr, ("已完工",)), "second": (appr, ("初验通过",)), "refund": (appr, ("已复验",)),
            "abandon": (appr, ("待审批", "已批准", "施工中", "已完工")),
        }
        for key, (perm, states) in rules.items():
            self.buttons[key].setEnabled(bool(perm and s in states))
        self.new_btn.setEnabled(edit)
        self.print_btn.setEnabled(r is not None)
        for b, perm in self.bar_buttons.values():
            b.setEnabled(rv.may(self.ctx, perm))

    # dialogs ----------------------------------------------------------------
    def exec_dialog(self, dlg) -> bool:
        """Show a dialog modally (tests replace this to fill and submit it)."""
        return bool(dlg.exec())

    def _form(self, title, fields, service, *args, note="", changes=(), **kw):
        """A form whose values go to service(ctx, *args, **kw, **values); *changes*: what it changes
        besides the renovation (LEDGER, ARCHIVES)."""
        dlg = FormDialog(title, fields, lambda v: service(self.ctx, *args, **kw, **v), self, note, ctx=self.ctx)
        return self._run(dlg, changes)

    def _run(self, dlg, changes=()):
        """Show a form; after a saved change refresh, tell the other tabs and return the service result."""
        if self.exec_dialog(dlg) and dlg.result_value is not None:
            self.after_change(*changes)
            return dlg.result_value
        return None

    def after_change(self, *kinds):
        """After a write: the lists again, and the news to the other tabs (the renovation, and *kinds*)."""
        self.refresh()
        notify_changed(self, "renovation", *kinds)

    # news from other tabs ---------------------------------------------------------------
    def on_data_changed(self, kinds, source):
        """Another tab wrote (a fee paid in the ledger, …): reload now if shown, else when shown."""
        self.news.follow(kinds, source)

    def _today(self) -> dt.date:
        return self.ctx.clock.today()

    # actions -----------------------------------------------------------------
    def new_application(self):
        dlg = ApplicationDialog(self, lambda text: run_action(self, rv.homes_for_application, self.ctx, text) or [],
                                self._today(), lambda home_id: rv.owner_name(self.ctx, home_id),
                                on_accept=lambda v: rv.apply(self.ctx, *v))
        if self.exec_dialog(dlg) and dlg.result_value is not None:
            self.current_id = dlg.result_value.id
            self.after_change()
            return dlg.result_value
        return None

    def do_approve(self):
        fields = [("note", "审批意见", "multiline", "同意，按图施工，不得改动承重结构")]
        return self._form("审批装修申请", fields, rv.approve, self.current_id, changes=LEDGER,
                          note="审批通过后，装修保证金和垃圾清运费计入收费台账，请业主到收银处缴费。")

    def do_reject(self):
        return self._form("驳回装修申请", [("reasons", "驳回理由", "multiline", "")], rv.reject, self.current_id)

    def do_attach(self):
        from PySide6.QtWidgets import QFileDialog
        paths, _ = QFileDialog.getOpenFileNames(self, "选择装修图纸", "",
                                                "图纸 (*.pdf *.jpg *.jpeg *.png *.dwg);;所有文件 (*)")
        for p in paths:
            if run_action(self, rv.attach_drawing, self.ctx, self.current_id, p) is None:
                break
        if paths:
            self.after_change()

    def do_tests(self):
        r = rv.get(self.ctx, self.current_id)
        fields = [("pressure_ok", "打压试验合格", "check", True), ("water_ok", "闭水试验合格", "check", True),
                  ("signed_by", "业主签字确认人", "text", r.applicant), ("on", "试验日期", "date", self._today()),
                  ("note", "说明", "multiline", "")]
        wait = self.ctx.settings.get("renovation.permit_wait_days")
        return self._form("闭水/打压试验", fields, rv.record_tests, self.current_id,
                          note=f"试验合格满 {wait} 天后方可领取装修许可证。")

    def do_fire(self):
        r = rv.get(self.ctx, self.current_id)
        fields = [("signed_by", "签署人", "text", r.applicant), ("on", "签署日期", "date", self._today())]
        return self._form("防火责任书", fields, rv.sign_fire_undertaking, self.current_id)

    def do_permit(self):
        r = run_action(self, rv.issue_permit, self.ctx, self.current_id)
        if r is not None:
            self.after_change(*ARCHIVES)       # the home is 装修中 now
            if confirm(self, f"装修许可证 {r.permit_number} 已发放，现在打印吗？"):
                self.print_form("permit", "装修许可证")
        return r

    def do_worker(self):
        r = rv.get(self.ctx, self.current_id)
        valid_days = int(self.ctx.settings.get("renovation.pass_valid_days"))
        default_until = r.planned_end or self._today() + dt.timedelta(days=valid_days)
        fee, dep = self.ctx.settings.get("renovation.pass_fee"), self.ctx.settings.get("renovation.pass_deposit")
        fields = [("name", "姓名", "text", ""), ("id_number", "身份证号", "text", ""), ("phone", "电话", "text", ""),
                  ("trade", "工种", "choice", "木工", TRADES),
                  ("card", "出入证类别", "choice", "A", PASS_CARDS), ("valid_until", "有效期至", "date", default_until),
                  ("photo", "照片", "file", "", "图片 (*.jpg *.jpeg *.png)")]

        def register(v):
            photo = v.pop("photo") or None
            return rv.register_worker(self.ctx, self.current_id, v, photo=photo)

        note = f"每证收手续费 {fmt_fen(fee)} 元、押金 {fmt_fen(dep)} 元（计入收费台账），退证时退押金。"
        return self._run(FormDialog("办理施工人员出入证", fields, register, self, note, ctx=self.ctx), LEDGER)

    def do_patrol(self):
        fields = [("ok", "无违规", "check", True), ("findings", "巡查情况", "multiline", ""),
                  ("workers_present", "在场施工人数", "int", 0), ("on", "巡查日期", "date", self._today()),
                  ("spot_check", "今日抽查", "check", self._is_spot_today())]
        return self._form("巡查登记（装修巡查日志）", fields, rv.record_patrol, self.current_id)

    def _is_spot_today(self) -> bool:
        return self.current_id in {r.id for r in (run_action(self, rv.spot_checks, self.ctx) or [])}

    def do_notice(self):
        days = int(self.ctx.settings.get("renovation.rectify_days"))
        fields = [("kind", "类别", "choice", "整改通知单", NOTICE_KINDS),
                  ("content", "违规/问题事实", "multiline", ""), ("requirement", "整改要求", "multiline", ""),
                  ("deadline", "整改期限", "date", self._today() + dt.timedelta(days=days))]
        return self._form("开具违规/整改通知单", fields, rv.issue_notice, self.current_id)

    def do_finish(self):
        days = self.ctx.settings.get("renovation.first_inspection_days")
        fields = [("finished_on", "完工日期", "date", self._today())]
        return self._form("登记完工", fields, rv.record_completion, self.current_id,
                          note=f"完工后 {days} 天内须办理初验（装修竣工验收表）。")

    def do_first(self):
        months = self.ctx.settings.get("renovation.second_inspection_months")
        fields = [("passed", "验收合格", "check", True), ("note", "验收意见", "multiline", "")]
        return self._form("初验（装修竣工验收）", fields, rv.first_inspection, self.current_id, changes=ARCHIVES,
                          note=f"初验合格后 {months} 个月复验，复验合格退还保证金。")

    def do_second(self):
        return self._form("复验", [("passed", "无质量问题", "check", True), ("note", "复验意见", "multiline", "")],
                          rv.second_inspection, self.current_id)

    def _deductions(self, title, service, ask_reason, note="", changes=LEDGER):
        r = rv.get(self.ctx, self.current_id)

        def save(v):
            if ask_reason:
                return service(self.ctx, self.current_id, v["reason"], v["deductions"])
            return service(self.ctx, self.current_id, v["deductions"])

        dlg = DeductionsDialog(self, title, rv.deposit_held(r), ask_reason, note, on_accept=save)
        result = self._run(dlg, changes)
        if result is not None and result.refunded_on:
            self.print_form("refund", "装修保证金退还单")
        return result

    def do_refund(self):
        return self._deductions("退还装修保证金", rv.refund_deposit, False)

    def do_abandon(self):
        return self._deductions("放弃装修", rv.abandon, True,
                                "放弃后退还已缴保证金（减扣款）及已退证的出入证押金；垃圾清运费、出入证手续费不退。",
                                changes=LEDGER_AND_HOME)

    # passes and notices ---------------------------------------------------
    def _selected(self, table):
        idx = table.currentIndex()
        return table.model().row(idx.row()) if idx.isValid() else None

    def _worker_action(self, fn, changes=(), **kw):
        row = self._selected(self.workers)
        if row is None:
            info(self, "请先选择施工人员")
            return None
        res = run_action(self, fn, self.ctx, row[0].id, **kw)
        if res is not None:
            self.after_change(*changes)
        return res

    def do_issue_pass(self):
        return self._worker_action(rv.issue_pass)

    def do_return_pass(self):
        refund = rv.may(self.ctx, "ledger.refund")
        return self._worker_action(rv.return_pass, LEDGER if refund else (), refund=refund)

    def do_extend_pass(self):
        row = self._selected(self.workers)
        if row is None:
            info(self, "请先选择施工人员")
            return None
        w = row[0]
        until = w.valid_until + dt.timedelta(days=PASS_EXTENSION_DAYS)
        return self._form(f"出入证延期：{w.name}", [("valid_until", "有效期至", "date", until)], rv.extend_pass, w.id)

    def do_worker_photo(self, path=None):
        row = self._selected(self.workers)
        if row is None:
            info(self, "请先选择施工人员")
            return None
        if path is None:
            from PySide6.QtWidgets import QFileDialog
            path, _ = QFileDialog.getOpenFileName(self, "选择照片", "", "图片 (*.jpg *.jpeg *.png)")
        if not path:
            return None
        res = run_action(self, rv.attach_worker_photo, self.ctx, row[0].id, path)
        if res is not None:
            self.after_change()
        return res

    def do_lost_pass(self):
        return self._worker_action(rv.return_pass, lost=True, refund=False)

    def do_refund_pass(self):
        return self._worker_action(rv.refund_pass_deposit, LEDGER)

    def do_close_notice(self):
        row = self._selected(self.notices)
        if row is None:
            info(self, "请先选择通知单")
            return None
        return self._form(f"关闭通知单 {row[0].number}", [("note", "整改结果", "multiline", "已整改，复查合格")],
                          rv.close_notice, row[0].id)

    # printing -----------------------------------------------------------------
    def show_pdf(self, pdf: bytes, title: str, filename: str, kind: str | None = None):
        from ui.common.print_preview import preview
        return preview(self, pdf, title, filename, kind=kind)

    def print_form(self, key, label):
        from app.renovation import prints as rf
        pdf = run_action(self, rf.form_pdf, self.ctx, key, self.current_id)
        if pdf:
            room = rv.get(self.ctx, self.current_id).home.room_code
            return self.show_pdf(pdf, label, f"{label}-{room}.pdf", "worker_pass" if key == "passes" else None)
        return None

    def print_spot_sheet(self):
        from app.renovation import prints as rf
        pdf = run_action(self, rf.spot_sheet_pdf, self.ctx)
        return self.show_pdf(pdf, "装修日常抽查单", f"装修日常抽查单-{self._today()}.pdf") if pdf else None

    def do_print_notice(self):
        from app.renovation import prints as rf
        row = self._selected(self.notices)
        if row is None:
            return None
        pdf = run_action(self, rf.notice_pdf, self.ctx, row[0].id)
        return self.show_pdf(pdf, row[0].kind, f"{row[0].kind}-{row[0].number}.pdf", "notice") if pdf else None

    # state -----------------------------------------------------------------
    def _restore_state(self):
        s = QSettings("PropertyDesk", "PropertyDesk")
        st = s.value("renovation/splitter")
        if st is not None:
            self.splitter.restoreState(st)

    def save_state(self):
        QSettings("PropertyDesk", "PropertyDesk").setValue("renovation/splitter", self.splitter.saveState())
