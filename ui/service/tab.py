"""The 报事投诉 tab: the request list with its deadlines and escalation, the steps of a request,
corrections after intake, work orders and written complaint replies (复函) — ui/service/list_page.py —
and the monthly KPI dashboard (ui/service/kpi_page.py).

While the main window is open a timer (request.auto_escalate_minutes) runs the escalation in the
background (ui.common.runner.Op: a worker thread with its own database connection), then reloads
the list; a failure is shown in the status bar and on the tab, and the next tick tries again.
Writes here tell the other tabs ({"service"}); news of {"service"} from elsewhere reloads the list."""
from __future__ import annotations

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.core.permissions import allowed
from app.service import deadlines, handling, queries
from ui.common.icons import icon
from ui.common.ops import run_action
from ui.common.runner import NewsFollower, Op, error_text, notify_changed
from ui.service.kpi_page import KpiPage, recent_months
from ui.service.list_page import HEADER_KEY, NO_SELECTION, button_states, detail_html, list_page

DEFAULT_ESCALATION_MINUTES = 5
PERMISSIONS = ("service.intake", "service.handle", "service.visit", "service.classify", "pii.view_full", "service.edit")
KPI_PAGE = 1
NAMED_IN_STATUS = 3      # escalated requests named in the status bar; the rest counted


class Tab(QWidget):
    def __init__(self, ctx, main_window=None):
        super().__init__(main_window)
        self.ctx = ctx
        self.main_window = main_window
        role = getattr(ctx.user, "role", None)
        self.can = {a: allowed(role, a) for a in PERMISSIONS}
        self._escalating = False
        self.news = NewsFollower(self, {"service"}, lambda: self.reload(quiet=True))
        self.last_escalation_error = None
        self.inner = QTabWidget(self)
        self.inner.addTab(list_page(self), icon("service"), "报事投诉")
        self.kpi_page = KpiPage(ctx)
        self.month, self.kpi_model, self.chart = self.kpi_page.month, self.kpi_page.model, self.kpi_page.chart
        self.kpi_summary, self.print_report_button = self.kpi_page.summary, self.kpi_page.print_report_button
        self.inner.addTab(self.kpi_page, icon("star"), "服务指标")
        self.inner.currentChanged.connect(self._inner_changed)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.inner)
        # escalation without anyone pressing refresh: from the tab's creation until the window closes
        self.timer = QTimer(self)
        self.timer.setInterval(self.escalation_interval_ms())
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        self.refresh()

    def escalation_interval_ms(self) -> int:
        try:
            minutes = int(self.ctx.settings.get("request.auto_escalate_minutes"))
        except (TypeError, ValueError):
            minutes = DEFAULT_ESCALATION_MINUTES
        return max(1, minutes) * 60_000

    def save_state(self):
        QSettings("PropertyDesk", "PropertyDesk").setValue(HEADER_KEY, self.view.horizontalHeader().saveState())

    def current(self):
        idx = self.view.selectionModel().currentIndex() if self.view.selectionModel() else None
        rows = self.view.selectionModel().selectedRows()
        if rows:
            return self.model.row(rows[0].row())
        return self.model.row(idx.row()) if idx is not None and idx.isValid() else None

    def refresh(self, keep_id=None):
        """Escalate what is due (synchronously: the user asked), then reload the list."""
        self._escalate_now()
        self.reload(keep_id)
        if self.kpi_page.loaded:
            self.refresh_kpis()

    def search_now(self):
        """Enter in the search box: the list again, and a single hit opened at once."""
        self.refresh()
        if self.model.rowCount() == 1:
            self.view.selectRow(0)
            self.view.setFocus()

    def reload(self, keep_id=None, quiet: bool = False) -> bool:
        """Reload the list keeping the selection and the scroll position. *quiet* (the timer): the
        model is only reset when the rows changed, so a tick with nothing new leaves the view alone."""
        if keep_id is None:
            cur = self.current()
            keep_id = cur.id if cur else None
        rows = run_action(self, queries.list_requests, self.ctx, self.filter.currentText(), self.search.text())
        if rows is None:
            return False
        late = sum(1 for r in rows if r.warnings)
        self.count_label.setText(f"共 {len(rows)} 件，需关注 {late} 件")
        if quiet and rows == self.model.rows:
            return False
        scroll = self.view.verticalScrollBar().value()
        self.model.set_rows(rows)
        if keep_id is not None:
            for i, r in enumerate(rows):
                if r.id == keep_id:
                    self.view.selectRow(i)
                    break
        self.view.verticalScrollBar().setValue(scroll)
        self._selection_changed()
        return True

    # ---------------------------------------------------------------- automatic escalation
    def _escalate_now(self):
        from app.system.dbguard import run_write
        try:
            moved = run_write(self.ctx, deadlines.run_escalations, self.ctx)
        except Exception as exc:  # noqa: BLE001 - shown, never stops the desk
            self._report_escalation(None, error_text(exc))
            return None
        self._report_escalation(moved, None)
        return moved

    def _tick(self):
        self.auto_escalate()

    def auto_escalate(self) -> bool:
        """Run the escalation in the background (its own connection); the result comes back to
        _escalated on the GUI thread. Skipped while the previous run is still busy."""
        if self._escalating:
            return False
        self._escalating = True
        Op(self, self.ctx, deadlines.run_escalations, self.ctx).write() \
            .success(lambda moved: self._escalated(moved, None)) \
            .failure(lambda exc: self._escalated(None, error_text(exc))).run()
        return True

    def _escalated(self, moved, error):
        self._escalating = False
        self._report_escalation(moved, error)
        if error is None:
            self.news.mark_stale()

    def on_data_changed(self, kinds, source):
        """Another tab (or the main window) changed requests: reload now if shown, else when shown."""
        self.news.follow(kinds, source)

    def _status_bar(self):
        mw = self.main_window if self.main_window is not None else self.window()
        return mw.statusBar() if hasattr(mw, "statusBar") else None

    def _report_escalation(self, moved, error):
        now = self.ctx.clock.now()
        bar = self._status_bar()
        if error is not None:
            self.last_escalation_error = error
            self.auto_label.setText(f"自动升级检查失败（{now:%H:%M}）")
            self.auto_label.setStyleSheet("color:#C62828")
            self.auto_label.setToolTip(error)
            if bar is not None:
                bar.showMessage(f"报事投诉自动升级检查失败：{error}（稍后自动重试，其他操作不受影响）")
            return
        if self.last_escalation_error is not None and bar is not None \
                and bar.currentMessage().startswith("报事投诉自动升级检查失败"):
            bar.clearMessage()
        self.last_escalation_error = None
        self.auto_label.setStyleSheet("color:#616161")
        self.auto_label.setToolTip("主窗口打开期间每 "
                                   f"{self.timer.interval() // 60_000} 分钟自动检查一次")
        self.auto_label.setText(f"自动升级 {now:%H:%M} 已检查")
        if moved and bar is not None:
            names = "，".join(f"{h.number}→{h.level_name}" for h in moved[:NAMED_IN_STATUS])
            more = f" 等 {len(moved)} 件" if len(moved) > NAMED_IN_STATUS else ""
            bar.showMessage(f"报事投诉已自动升级：{names}{more}", 60_000)

    def _selection_changed(self, *_):
        r = self.current()
        enabled = button_states(self.ctx, self.can, r)
        for key, (b, perm) in self.buttons.items():
            b.setEnabled(enabled.get(key, True) and self.can.get(perm, True))
        self.detail.setHtml(detail_html(self.ctx, r) if r else NO_SELECTION)

    def _default_action(self):
        r = self.current()
        if r is None:
            return
        if r.status == "待派工" and r.kind == "报修":
            self.dispatch()
        elif r.status == "已完成":
            self.visit()

    # ---------------------------------------------------------------- actions
    def _after(self, result, r=None):
        if result is not None:
            self.refresh(keep_id=getattr(result, "id", None) if r is None else r.id)
            notify_changed(self, "service")

    def new_request(self):
        from ui.service.intake import IntakeDialog
        dlg = IntakeDialog(self.ctx, self)
        if dlg.exec() and dlg.result_request is not None:
            self.filter.setCurrentText("未完成")
            self.refresh(keep_id=dlg.result_request.id)
            notify_changed(self, "service")

    def edit_request(self):
        from ui.service.edit import EditDialog
        return self._dialog(EditDialog)

    def reply_letter(self):
        from ui.service.reply import ReplyLetterDialog
        return self._dialog(ReplyLetterDialog)

    def _dialog(self, cls, *args):
        r = self.current()
        if r is None:
            return None
        dlg = cls(self.ctx, r, *args, parent=self)
        dlg.exec()
        self._after(dlg.result_value, r)
        return dlg

    def dispatch(self):
        from ui.service.actions import DispatchDialog
        return self._dialog(DispatchDialog)

    def arrive(self):
        r = self.current()
        if r is not None:
            self._after(run_action(self, handling.arrive, self.ctx, r.id), r)

    def complete(self):
        from ui.service.actions import CompleteDialog
        return self._dialog(CompleteDialog)

    def visit(self):
        from ui.service.actions import VisitDialog
        return self._dialog(VisitDialog)

    def classify(self):
        from ui.service.actions import ClassifyDialog
        return self._dialog(ClassifyDialog)

    def text_action(self, action):
        from ui.service.actions import TextDialog
        return self._dialog(TextDialog, action)

    def show_phone(self):
        r = self.current()
        if r is None:
            return
        phone = run_action(self, handling.reveal_phone, self.ctx, r.id)
        if phone is not None:
            from ui.common.ops import info
            info(self, f"{r.caller}（{r.room_code}）：{phone}\n（本次查看已记入审计日志）", "联系电话")

    def attach(self, path: str | None = None):
        r = self.current()
        if r is None:
            return None
        if not path:
            from PySide6.QtWidgets import QFileDialog
            path, _ = QFileDialog.getOpenFileName(self, "选择附件（来信扫描件、签字工作单、照片）", "",
                                                  "图片或PDF (*.jpg *.jpeg *.png *.pdf);;所有文件 (*)")
        if not path:
            return None
        att = run_action(self, handling.attach_file, self.ctx, r.id, path)
        self._after(att, r)
        return att

    def _link(self, url):
        text = url.toString()
        if text.startswith("att:"):
            self.open_attachment(int(text[4:]))

    def open_attachment(self, attachment_id: int):
        """Open a scan or photo of the selected request with the system's viewer."""
        r = self.current()
        if r is None:
            return None
        path = run_action(self, handling.attachment_path, self.ctx, r.id, attachment_id, title="无法打开附件")
        if path is not None and QGuiApplication.platformName() != "offscreen":
            from PySide6.QtCore import QUrl
            from PySide6.QtGui import QDesktopServices
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        return path

    def _months(self) -> list[str]:
        return recent_months(self.ctx.clock.today())

    def export_register(self, month: str | None = None, path: str | None = None):
        """The month's register to Excel (报事投诉登记表); asks for the month and the file."""
        if month is None:
            from PySide6.QtWidgets import QInputDialog
            month, ok = QInputDialog.getItem(self, "导出报事投诉登记表", "月份", self._months(), 0, False)
            if not ok:
                return None
        if not path:
            from PySide6.QtWidgets import QFileDialog
            path, _ = QFileDialog.getSaveFileName(self, "导出报事投诉登记表", f"报事投诉登记表_{month}.xlsx",
                                                  "Excel 文件 (*.xlsx)")
        if not path:
            return None
        from ui.common.ops import info
        from ui.common.progress import ProgressRun  # in the background: progress, 取消 keeps no file
        self.last_run = ProgressRun(self, self.ctx, "正在导出报事投诉登记表…", queries.export_register, self.ctx, month,
                                    path, title="未能导出").success(
            lambda n: info(self, f"已导出 {month} 报事投诉登记表 {n} 条：\n{path}", "导出完成")).run()
        return self.last_run

    def print_work_order(self):
        r = self.current()
        if r is None:
            return
        from app.service.forms import work_order_pdf
        from ui.common.print_preview import preview
        pdf = run_action(self, work_order_pdf, self.ctx, r.id, title="未能打印")
        if pdf is not None:
            return preview(self, pdf, f"派工单 {r.number}", f"派工单_{r.number}.pdf")

    # ---------------------------------------------------------------- KPI page
    def _inner_changed(self, index):
        if index == KPI_PAGE:
            self.refresh_kpis()

    def refresh_kpis(self):
        self.kpi_page.refresh()

    def print_report(self):
        return self.kpi_page.print_report()
