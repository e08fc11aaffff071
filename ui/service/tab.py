"""The 报事投诉 tab: the request list with its deadlines and escalation, the steps of a request,
corrections after intake, work orders and written complaint replies (复函), and the monthly KPI
dashboard with a bar chart and the printed report.

While the main window is open a timer (request.auto_escalate_minutes) runs the escalation on a
worker thread with its own database connection, then reloads the list; a failure is shown in the
status bar and on the tab, and the next tick tries again."""
from __future__ import annotations

import threading
from html import escape

from PySide6.QtCore import QObject, QRectF, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.permissions import allowed
from app.service import kpi
from app.service import requests as sr
from ui.common.icons import icon
from ui.common.ops import run_action
from ui.service.table_models import KpiTableModel, RequestTableModel


def ctx_user(ctx):
    return getattr(ctx, "user", None)


def _esc(text) -> str:
    return escape("" if text is None else str(text))


class _EscalationBridge(QObject):
    """Carries the worker thread's result to the GUI thread (a queued signal)."""
    done = Signal(object, object)      # moved holdings or None, error text or None


def _error_text(exc) -> str:
    from app.core.errors import UserError
    return str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"


class KpiChart(QWidget):
    """Bars of each rate (green when met, red when not) with a target tick, drawn with QPainter."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.kpis = []
        self.setMinimumHeight(230)

    def set_kpis(self, kpis):
        self.kpis = [k for k in kpis if k.code != "valid_complaint_rate"]
        self.update()

    def paintEvent(self, event):
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        left, right, top, bottom = 44, 16, 16, 40
        plot_w, plot_h = max(w - left - right, 10), max(h - top - bottom, 10)
        p.fillRect(self.rect(), QColor("white"))
        font = QFont(self.font())
        font.setPointSize(8)
        p.setFont(font)
        p.setPen(QPen(QColor("#BDBDBD"), 1))
        for pct in range(0, 101, 20):
            y = top + plot_h - plot_h * pct / 100
            p.drawLine(left, int(y), left + plot_w, int(y))
            p.setPen(QColor("#616161"))
            p.drawText(QRectF(0, y - 8, left - 6, 16), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       f"{pct}%")
            p.setPen(QPen(QColor("#BDBDBD"), 1))
        n = max(len(self.kpis), 1)
        slot = plot_w / n
        for i, k in enumerate(self.kpis):
            x = left + i * slot
            bar_w = slot * 0.5
            bx = x + (slot - bar_w) / 2
            if k.pct is not None:
                value = float(k.pct)   # drawing geometry only
                bh = plot_h * min(value, 100.0) / 100
                colour = QColor("#2E7D32") if k.met else QColor("#C62828")
                p.fillRect(QRectF(bx, top + plot_h - bh, bar_w, bh), colour)
                p.setPen(QColor("#212121"))
                p.drawText(QRectF(x, top + plot_h - bh - 16, slot, 14), Qt.AlignmentFlag.AlignCenter, k.pct_text)
            ty = top + plot_h - plot_h * float(k.target) / 100
            p.setPen(QPen(QColor("#1565C0"), 2, Qt.PenStyle.DashLine))
            p.drawLine(int(bx - 4), int(ty), int(bx + bar_w + 4), int(ty))
            p.setPen(QColor("#212121"))
            p.drawText(QRectF(x, top + plot_h + 4, slot, 16), Qt.AlignmentFlag.AlignCenter,
                       k.name.replace("率", ""))
        p.setPen(QColor("#1565C0"))
        p.drawText(QRectF(left, h - 18, plot_w, 16), Qt.AlignmentFlag.AlignRight, "虚线：目标值；绿色达标，红色未达标")
        p.end()


class Tab(QWidget):
    def __init__(self, ctx, main_window=None):
        super().__init__(main_window)
        self.ctx = ctx
        self.main_window = main_window
        self._kpi_loaded = False
        role = getattr(ctx.user, "role", None)
        self.can = {a: allowed(role, a) for a in ("service.intake", "service.handle", "service.visit",
                                                  "service.classify", "pii.view_full", "service.edit")}
        self._escalating = False
        self._stale = False
        self.last_escalation_error = None
        self._bridge = _EscalationBridge(self)
        self._bridge.done.connect(self._escalated)
        self.inner = QTabWidget(self)
        self.inner.addTab(self._build_list_page(), icon("service"), "报事投诉")
        self.inner.addTab(self._build_kpi_page(), icon("star"), "服务指标")
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
            minutes = 5
        return max(1, minutes) * 60_000

    # ---------------------------------------------------------------- list page
    def _build_list_page(self):
        page = QWidget()
        bar = QHBoxLayout()
        self.buttons = {}

        def button(key, text, ic, slot, perm):
            b = QPushButton(icon(ic), text)
            b.setObjectName(f"service_{key}")
            b.clicked.connect(slot)
            b.setEnabled(self.can.get(perm, True))
            self.buttons[key] = (b, perm)
            bar.addWidget(b)
            return b

        button("new", "受理", "add", self.new_request, "service.intake")
        button("edit", "更正", "edit", self.edit_request, "service.edit")
        button("dispatch", "派工", "out", self.dispatch, "service.handle")
        button("arrive", "到场", "in", self.arrive, "service.handle")
        button("complete", "完成", "ok", self.complete, "service.handle")
        button("contact", "联系投诉人", "user", lambda: self.text_action("contact"), "service.handle")
        button("reply", "答复", "edit", lambda: self.text_action("reply"), "service.handle")
        button("classify", "定性", "warning", self.classify, "service.classify")
        button("report", "上报", "export", lambda: self.text_action("report"), "service.handle")
        button("visit", "回访", "visit", self.visit, "service.visit")
        button("attach", "附件", "attach", self.attach, "service.handle")
        button("letter", "复函", "pdf", self.reply_letter, "service.handle")
        button("print", "打印派工单", "print", self.print_work_order, "")
        button("phone", "查看电话", "user", self.show_phone, "pii.view_full")
        bar.addStretch(1)
        self.filter = QComboBox()
        self.filter.addItems(sr.FILTERS)
        self.filter.currentTextChanged.connect(lambda *_: self.refresh())
        self.search = QLineEdit()
        self.search.setPlaceholderText("编号、房号、报事人、内容")
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self.refresh)
        refresh = QPushButton(icon("refresh"), "刷新")
        refresh.clicked.connect(self.refresh)
        self.export_button = QPushButton(icon("export"), "导出登记表")
        self.export_button.setToolTip("按月导出报事投诉登记表（Excel，电话已隐藏中间四位）")
        self.export_button.clicked.connect(lambda *_: self.export_register())
        self.export_button.setEnabled(allowed(getattr(ctx_user(self.ctx), "role", None), "service.export"))
        filt = QHBoxLayout()
        filt.addWidget(QLabel("显示"))
        filt.addWidget(self.filter)
        filt.addWidget(self.search, 1)
        filt.addWidget(refresh)
        filt.addWidget(self.export_button)
        self.count_label = QLabel()
        filt.addWidget(self.count_label)
        self.auto_label = QLabel()
        self.auto_label.setObjectName("service_auto_escalation")
        filt.addWidget(self.auto_label)

        self.model = RequestTableModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(24)
        hh = self.view.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((112, 126, 66, 96, 56, 150, 200, 64, 200, 60, 96, 70, 110, 44)):
            self.view.setColumnWidth(col, width)
        hh.setStretchLastSection(True)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.view.doubleClicked.connect(lambda *_: self._default_action())
        self.detail = QTextBrowser()
        self.detail.setMinimumHeight(120)
        self.detail.setOpenLinks(False)
        self.detail.anchorClicked.connect(self._link)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.view)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        self.splitter = split
        lay = QVBoxLayout(page)
        lay.addLayout(bar)
        lay.addLayout(filt)
        lay.addWidget(split, 1)
        state = QSettings("PropertyDesk", "PropertyDesk").value("service/columns2")
        if state is not None:
            hh.restoreState(state)
        return page

    def save_state(self):
        QSettings("PropertyDesk", "PropertyDesk").setValue("service/columns2", self.view.horizontalHeader().saveState())

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
        if self._kpi_loaded:
            self.refresh_kpis()

    def reload(self, keep_id=None, quiet: bool = False) -> bool:
        """Reload the list keeping the selection and the scroll position. *quiet* (the timer): the
        model is only reset when the rows changed, so a tick with nothing new leaves the view alone."""
        if keep_id is None:
            cur = self.current()
            keep_id = cur.id if cur else None
        rows = run_action(self, sr.list_requests, self.ctx, self.filter.currentText(), self.search.text())
        if rows is None:
            return False
        self._stale = False
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
            moved = run_write(self.ctx, sr.run_escalations, self.ctx)
        except Exception as exc:  # noqa: BLE001 - shown, never stops the desk
            self._report_escalation(None, _error_text(exc))
            return None
        self._report_escalation(moved, None)
        return moved

    def _tick(self):
        self.auto_escalate()

    def auto_escalate(self) -> bool:
        """Run the escalation on a worker thread (its own connection); the result comes back to
        _escalated on the GUI thread. Skipped while the previous run is still busy."""
        if self._escalating:
            return False
        self._escalating = True
        ctx, bridge = self.ctx, self._bridge

        def work():
            from app.system.dbguard import run_write
            moved, error = None, None
            try:
                moved = run_write(ctx, sr.run_escalations, ctx)
            except Exception as exc:  # noqa: BLE001
                error = _error_text(exc)
            finally:
                try:
                    if not ctx.db.is_closed():
                        ctx.db.close()        # this thread's connection
                except Exception:  # noqa: BLE001
                    pass
            try:
                bridge.done.emit(moved, error)
            except RuntimeError:              # the tab was closed meanwhile
                pass

        threading.Thread(target=work, name="service-escalation", daemon=True).start()
        return True

    def _escalated(self, moved, error):
        self._escalating = False
        self._report_escalation(moved, error)
        if error is None:
            if self.isVisible():
                self.reload(quiet=True)
            else:
                self._stale = True

    def showEvent(self, event):
        super().showEvent(event)
        if self._stale:
            self.reload(quiet=True)

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
            names = "，".join(f"{h.number}→{h.level_name}" for h in moved[:3])
            more = f" 等 {len(moved)} 件" if len(moved) > 3 else ""
            bar.showMessage(f"报事投诉已自动升级：{names}{more}", 60_000)

    def _selection_changed(self, *_):
        r = self.current()
        open_ = r is not None and r.status in ("待派工", "已派工", "处理中")
        enabled = {
            "edit": open_ and self.can.get("service.edit") and sr.may_edit(self.ctx, r),
            "letter": r is not None and r.kind == "投诉",
            "dispatch": r is not None and r.status == "待派工" and r.kind == "报修",
            "arrive": r is not None and r.status == "已派工",
            "complete": r is not None and r.status in ("待派工", "已派工", "处理中")
                        and (r.kind != "报修" or r.status == "处理中"),
            "contact": r is not None and r.kind == "投诉",
            "reply": r is not None and r.kind == "投诉",
            "classify": r is not None and r.kind == "投诉",
            "report": r is not None and r.kind == "投诉" and r.status in ("待派工", "已派工", "处理中"),
            "visit": r is not None and r.status == "已完成",
            "print": r is not None,
            "attach": r is not None,
            "phone": r is not None and bool(r.phone_masked),
        }
        for key, (b, perm) in self.buttons.items():
            b.setEnabled(enabled.get(key, True) and self.can.get(perm, True))
        self.detail.setHtml(self._detail_html(r) if r else "<p style='color:grey'>选择一条记录查看处理经过</p>")

    def _detail_html(self, r) -> str:
        events = sr.history(r.id)
        full = sr.get(r.id)
        lines = [f"<b>{_esc(r.number)}</b>　{_esc(r.room_code)}　{_esc(r.kind)}　{_esc(r.caller)} {_esc(r.phone_masked)}"
                 f"　首问责任人：{_esc(r.receiver)}" + (f"　<span style='color:#C62828'>当前：{_esc(r.holder)}</span>"
                                                 if r.level else ""),
                 f"<div>{_esc(r.content)}</div>"]
        if r.warnings:
            lines.append(f"<div style='color:#C62828'>提醒：{_esc(r.warnings)}</div>")
        lines.append(f"<div style='color:#455A64'>复述：{_esc(sr.request_read_back(full))}</div>")
        if r.kind == "投诉":
            from app.service import complaints as cp
            letter = cp.reply_letter(r.id)
            if letter is not None:
                state = (f"已于 {letter.sent_on:%Y-%m-%d} {letter.send_method}寄出" if letter.sent_on
                         else "草稿，尚未寄出")
                lines.append(f"<div>书面复函 {_esc(letter.number)}：{_esc(state)}</div>")
            elif cp.is_written(full) and full.replied_at is None:
                lines.append(f"<div style='color:#E65100'>书面投诉：须在 {cp.reply_due(self.ctx, full):%Y-%m-%d} 前寄出复函"
                             "（点“复函”起草、打印并登记寄出）</div>")
        lines.append("<table cellspacing=0 cellpadding=2>")
        for e in events:
            lines.append(f"<tr><td style='color:#616161'>{e.ts:%Y-%m-%d %H:%M}</td><td><b>{_esc(e.kind)}</b></td>"
                         f"<td>{_esc(e.note)}</td></tr>")
        lines.append("</table>")
        files = sr.attachments(r.id)
        if files:
            lines.append("<div>附件（点击查看）：" + "，".join(f"<a href='att:{a.id}'>{_esc(a.original_name)}</a>"
                                                          for a in files) + "</div>")
        return "".join(lines)

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

    def new_request(self):
        from ui.service.intake import IntakeDialog
        dlg = IntakeDialog(self.ctx, self)
        if dlg.exec() and dlg.result_request is not None:
            self.filter.setCurrentText("未完成")
            self.refresh(keep_id=dlg.result_request.id)

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
            self._after(run_action(self, sr.arrive, self.ctx, r.id), r)

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
        phone = run_action(self, sr.reveal_phone, self.ctx, r.id)
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
        att = run_action(self, sr.attach_file, self.ctx, r.id, path)
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
        path = run_action(self, sr.attachment_path, self.ctx, r.id, attachment_id, title="无法打开附件")
        if path is not None and QGuiApplication.platformName() != "offscreen":
            from PySide6.QtCore import QUrl
            from PySide6.QtGui import QDesktopServices
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        return path

    def _months(self) -> list[str]:
        today = self.ctx.clock.today()
        y, m, out = today.year, today.month, []
        for _ in range(24):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        return out

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
        n = run_action(self, sr.export_register, self.ctx, month, path, title="未能导出")
        if n is not None:
            from ui.common.ops import info
            info(self, f"已导出 {month} 报事投诉登记表 {n} 条：\n{path}", "导出完成")
        return n

    def print_work_order(self):
        r = self.current()
        if r is None:
            return
        from app.printing.service_forms import work_order_pdf
        from ui.common.print_preview import preview
        pdf = run_action(self, work_order_pdf, self.ctx, r.id, title="未能打印")
        if pdf is not None:
            return preview(self, pdf, f"派工单 {r.number}", f"派工单_{r.number}.pdf")

    # ---------------------------------------------------------------- KPI page
    def _build_kpi_page(self):
        page = QWidget()
        top = QHBoxLayout()
        self.month = QComboBox()
        today = self.ctx.clock.today()
        y, m = today.year, today.month
        for _ in range(24):
            self.month.addItem(f"{y:04d}-{m:02d}")
            y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        self.month.currentTextChanged.connect(lambda *_: self.refresh_kpis())
        self.print_report_button = QPushButton(icon("print"), "打印月度服务报告")
        self.print_report_button.clicked.connect(self.print_report)
        self.kpi_summary = QLabel()
        top.addWidget(QLabel("月份"))
        top.addWidget(self.month)
        top.addWidget(self.kpi_summary, 1)
        top.addWidget(self.print_report_button)
        self.kpi_model = KpiTableModel(self)
        self.kpi_view = QTableView()
        self.kpi_view.setModel(self.kpi_model)
        self.kpi_view.verticalHeader().setVisible(False)
        self.kpi_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.kpi_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.kpi_view.verticalHeader().setDefaultSectionSize(26)
        self.kpi_view.setFixedHeight(7 * 26 + self.kpi_view.horizontalHeader().sizeHint().height() + 4)
        self.chart = KpiChart()
        lay = QVBoxLayout(page)
        lay.addLayout(top)
        lay.addWidget(self.kpi_view)
        lay.addWidget(self.chart, 1)
        return page

    def _inner_changed(self, index):
        if index == 1:
            self.refresh_kpis()

    def refresh_kpis(self):
        rep = run_action(self, kpi.month_report, self.ctx, self.month.currentText())
        if rep is None:
            return
        self._kpi_loaded = True
        self.kpi_model.set_kpis(rep.kpis)
        self.chart.set_kpis(rep.kpis)
        kinds = "，".join(f"{k} {v}" for k, v in rep.by_kind.items())
        self.kpi_summary.setText(f"本月受理 {rep.total} 件（{kinds}），已完成 {rep.finished} 件，"
                                 f"未完成 {len(rep.open_rows)} 件；住户 {rep.homes} 户")

    def print_report(self):
        from app.printing.service_forms import service_report_pdf
        from ui.common.print_preview import preview
        month = self.month.currentText()
        pdf = run_action(self, service_report_pdf, self.ctx, month, title="未能打印")
        if pdf is not None:
            return preview(self, pdf, f"月度客户服务报告 {month}", f"客户服务报告_{month}.pdf")
