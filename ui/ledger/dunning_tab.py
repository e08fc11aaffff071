"""催缴与报表: the dunning calendar board with phone log and notice batches, the cashier's daily
report and the monthly collection rate with its chart. A payment, void, refund or charge in another
tab ({"ledger"} news, ui.common.runner.notify_changed) reloads the three pages now or when shown.
The tab opens at once: each page's report loads in the background runner (ui.common.progress.PageLoad,
正在加载… until its rows arrive; ``loaded()`` says all have)."""
from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import PermissionDenied
from app.core.money import fmt_fen
from app.ledger import dunning
from app.ledger import reports as lr
from ui.common.forms import FormDialog as FieldForm
from ui.common.icons import icon
from ui.common.lists import ListModel
from ui.common.ops import info, run_action
from ui.common.print_preview import preview
from ui.common.progress import PageLoad
from ui.common.runner import NewsFollower, notify_changed, show_error
from ui.common.widgets import BarChart
from ui.common.widgets import list_view as _table
from ui.ledger import dunning_actions

WATCHED = frozenset({"ledger", "archives"})   # payments and charges; owners' names and phones


def _date_edit(d: QDate) -> QDateEdit:
    e = QDateEdit(d)
    e.setCalendarPopup(True)
    e.setDisplayFormat("yyyy-MM-dd")
    return e


class Tab(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.last_form = self.last_preview = None   # the latest dialog and notice preview (tests look at them)
        self.last_run = None                        # the latest background export or notice batch
        today = QDate(ctx.clock.today())
        tabs = QTabWidget(self)
        tabs.addTab(self._board_page(today), icon("warning"), "催缴")
        tabs.addTab(self._daily_page(today), icon("money"), "收费日报")
        tabs.addTab(self._rate_page(today), icon("ledger"), "收费率")
        lay = QVBoxLayout(self)
        lay.addWidget(tabs)
        self.tabs = tabs
        self.loads = {"board": PageLoad(self, ctx, self._show_board, self.summary),
                      "daily": PageLoad(self, ctx, self._show_daily, self.daily_totals, self._daily_failed),
                      "rate": PageLoad(self, ctx, self._show_rate, self.rate_label)}
        self.news = NewsFollower(self, WATCHED, self.refresh)
        self.refresh()

    def loaded(self) -> bool:
        """Every page's data has arrived and the latest export or batch has finished (tests wait on this)."""
        return not any(load.busy() for load in self.loads.values()) and (
            self.last_run is None or self.last_run.done())

    # pages -----------------------------------------------------------------------------
    def _board_page(self, today):
        self.day = _date_edit(today)
        self.day.dateChanged.connect(self.refresh_board)
        self.stage_label = QLabel()
        self.stage_label.setStyleSheet("font-size: 14px; font-weight: bold;")
        self.building = QComboBox()
        self.building.addItem("全部楼栋", None)
        for bid, name in dunning.building_choices():
            self.building.addItem(name, bid)
        self.building.currentIndexChanged.connect(self.refresh_board)
        phone = QPushButton(icon("service"), "登记电话催缴")
        phone.clicked.connect(self.log_phone)
        n2 = QPushButton(icon("print"), "打印二次通知")
        n2.clicked.connect(lambda: self.print_notices(2))
        n3 = QPushButton(icon("print"), "打印三次通知（含滞纳金）")
        n3.clicked.connect(lambda: self.print_notices(3))
        visit = QPushButton(icon("service"), "登记上门催缴")
        visit.clicked.connect(self.log_visit)
        handed = QPushButton(icon("warning"), "问题转经理")
        handed.clicked.connect(self.hand_to_manager)
        self.phone_button, self.visit_button, self.manager_button = phone, visit, handed
        self.list_button = QPushButton(icon("print"), "打印欠费清单")
        self.list_button.clicked.connect(lambda: dunning_actions.print_arrears_list(self))
        self.list_export = QPushButton(icon("export"), "导出欠费清单")
        self.list_export.clicked.connect(lambda: dunning_actions.export_arrears_list(self))
        self.notice_buttons = {2: n2, 3: n3}
        bar = QHBoxLayout()
        for w in (QLabel("日期："), self.day, self.building, self.stage_label):
            bar.addWidget(w)
        bar.addStretch(1)
        for w in (self.list_button, self.list_export, phone, visit, handed, n2, n3):
            bar.addWidget(w)
        self.board = ListModel([
            ("房号", lambda r: r.room_code), ("业主", lambda r: r.owners), ("电话", lambda r: r.phone),
            ("客服管理员", lambda r: r.area_manager), ("欠费（元）", lambda r: fmt_fen(r.owed_fen)),
            ("欠费月数", lambda r: r.months), ("本月电话", lambda r: r.calls or ""),
            ("最近结果", lambda r: r.last_outcome), ("二次通知", lambda r: r.second_notice),
            ("三次通知", lambda r: r.third_notice), ("上门", lambda r: r.visits or ""),
            ("转经理", lambda r: r.escalated), ("下一步", lambda r: r.next_action),
        ], colour=lambda r: "#FFF6DA" if r.next_action.startswith("待") else None, parent=self)
        self.board_view = _table(self.board)
        self.board_view.selectionModel().currentRowChanged.connect(self.show_history)
        self.history = ListModel([("日期", lambda r: r.record_date), ("方式", lambda r: r.method),
                                  ("阶段", lambda r: dunning.STAGES.get(r.stage, "")),
                                  ("欠费（元）", lambda r: fmt_fen(r.owed_fen)),
                                  ("滞纳金（元）", lambda r: fmt_fen(r.late_fee_fen) if r.late_fee_fen else ""),
                                  ("结果/编号", lambda r: r.outcome or r.number)], parent=self)
        self.summary = QLabel()
        page = QWidget()
        pl = QVBoxLayout(page)
        pl.addLayout(bar)
        split = QSplitter()
        split.addWidget(self.board_view)
        hist = QWidget()
        hl = QVBoxLayout(hist)
        hl.setContentsMargins(0, 0, 0, 0)
        hl.addWidget(QLabel("催缴记录"))
        hl.addWidget(_table(self.history))
        split.addWidget(hist)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        pl.addWidget(split, 1)
        pl.addWidget(self.summary)
        return page

    def _daily_page(self, today):
        self.report_day = _date_edit(today)
        self.report_day.dateChanged.connect(self.refresh_daily)
        pd = QPushButton(icon("print"), "打印日报")
        pd.clicked.connect(self.print_daily)
        self.daily = ListModel([("票据号", lambda x: x["number"]), ("类别", lambda x: x["kind"]),
                                ("时间", lambda x: x["time"]), ("房号", lambda x: x["room"]),
                                ("交款人", lambda x: x["payer"]), ("方式", lambda x: x["method"]),
                                ("金额（元）", lambda x: fmt_fen(x["total_fen"])), ("收款人", lambda x: x["cashier"]),
                                ("状态", lambda x: x["status"])],
                               colour=lambda x: "#EEEEEE" if x["status"] == "作废" else None, parent=self)
        self.daily_totals = QLabel()
        self.daily_totals.setWordWrap(True)
        page2 = QWidget()
        l2 = QVBoxLayout(page2)
        b2 = QHBoxLayout()
        b2.addWidget(QLabel("日期："))
        b2.addWidget(self.report_day)
        b2.addStretch(1)
        b2.addWidget(pd)
        l2.addLayout(b2)
        l2.addWidget(_table(self.daily), 1)
        l2.addWidget(self.daily_totals)
        return page2

    def _rate_page(self, today):
        self.month = QDateEdit(today)
        self.month.setDisplayFormat("yyyy-MM")
        self.month.dateChanged.connect(self.refresh_rate)
        pr = QPushButton(icon("print"), "打印收费率报表")
        pr.clicked.connect(self.print_rate)
        self.rate_export = QPushButton(icon("export"), "导出Excel")
        self.rate_export.clicked.connect(self.export_rate)
        cols = [("名称", lambda r: r.name), ("户数", lambda r: r.homes),
                ("应收（元）", lambda r: fmt_fen(r.billed_fen)), ("实收（元）", lambda r: fmt_fen(r.collected_fen)),
                ("收费率", lambda r: r.rate_text),
                ("达标", lambda r: r.target_text)]
        colour = lambda r: "#FDE2E2" if r.meets_target is False else None  # noqa: E731
        self.rate_cluster = ListModel(cols, colour, self)
        self.rate_manager = ListModel(cols, colour, self)
        self.chart = BarChart()
        page3 = QWidget()
        l3 = QVBoxLayout(page3)
        b3 = QHBoxLayout()
        b3.addWidget(QLabel("月份："))
        b3.addWidget(self.month)
        self.rate_label = QLabel()
        b3.addWidget(self.rate_label)
        b3.addStretch(1)
        b3.addWidget(self.rate_export)
        b3.addWidget(pr)
        l3.addLayout(b3)
        t3 = QHBoxLayout()
        t3.addWidget(_table(self.rate_cluster))
        t3.addWidget(_table(self.rate_manager))
        l3.addLayout(t3, 1)
        l3.addWidget(self.chart, 1)
        return page3

    # news from other tabs ---------------------------------------------------------------
    def on_data_changed(self, kinds, source):
        self.news.follow(kinds, source)

    # dunning ---------------------------------------------------------------------
    def refresh(self):
        self.refresh_board()
        self.refresh_daily()
        self.refresh_rate()

    def refresh_board(self):
        self.loads["board"].load(dunning.board, self.ctx, self.day.date().toPython(),
                                 building_id=self.building.currentData())

    def _show_board(self, result):
        stage, rows = result
        self.stage_label.setText(f"本日阶段：{dunning.STAGES[stage]}")
        self.board.set_rows(rows)
        self.summary.setText(f"欠费 {len(rows)} 户，合计 {fmt_fen(sum(r.owed_fen for r in rows))} 元；"
                             f"待处理 {sum(1 for r in rows if r.next_action.startswith('待'))} 户")
        self.history.set_rows([])

    def _selected(self):
        return self.board.row_at(self.board_view.currentIndex())

    def show_history(self, current, _prev):
        row = self.board.row_at(current)
        self.history.set_rows(dunning.history(row.home_id) if row else [])

    def log_phone(self):
        row = self._selected()
        if row is None:
            info(self, "请先选择欠费住户。")
            return
        form = FieldForm(f"电话催缴：{row.room_code} {row.owners}",
                         [("outcome", "催缴结果", "choice", "承诺缴费", dunning.OUTCOMES),
                          ("notes", "说明", "text", "")],
                         lambda v: dunning.log_phone(self.ctx, row.home_id, v["outcome"], v["notes"]), self,
                         f"欠费 {fmt_fen(row.owed_fen)} 元，{row.months} 个月")
        if form.exec():
            self.refresh_board()

    def log_visit(self):
        row = self._selected()
        if row is None:
            info(self, "请先选择欠费住户。")
            return
        if dunning_actions.record_visit(self, row):
            notify_changed(self, "ledger")
            self.refresh_board()

    def hand_to_manager(self):
        row = self._selected()
        if row is None:
            info(self, "请先选择欠费住户。")
            return
        if dunning_actions.hand_to_manager(self, row):
            notify_changed(self, "ledger")
            self.refresh_board()

    def print_notices(self, stage: int):
        dunning_actions.issue_notices(self, stage)

    # reports ----------------------------------------------------------------------
    def refresh_daily(self):
        self.loads["daily"].load(lr.daily_report, self.ctx, self.report_day.date().toPython())

    def _daily_failed(self, exc):
        self.daily.set_rows([])
        self.daily_totals.setText("无权查看收费报表" if isinstance(exc, PermissionDenied) else "")
        show_error(self, exc)

    def _show_daily(self, rep):
        self.daily.set_rows(rep.receipts)
        methods = "，".join(f"{k} {fmt_fen(v)}" for k, v in rep.by_method) or "无"
        self.daily_totals.setText(f"收据合计 {fmt_fen(rep.receipts_fen)} 元；退款 {fmt_fen(rep.refunds_fen)} 元；"
                                  f"作废 {rep.voided} 张；实收净额 {fmt_fen(rep.net_fen)} 元（{methods}）"
                                  + (f"；减免 {rep.reductions} 笔 {fmt_fen(rep.reductions_fen)} 元（不计实收）"
                                     if rep.reductions else ""))

    def print_daily(self):
        pdf = run_action(self, lr.report_pdf, self.ctx, "daily", day=self.report_day.date().toPython())
        if pdf:
            preview(self, pdf, "收费日报", "收费日报.pdf")

    def _period(self) -> str:
        d = self.month.date()
        return f"{d.year():04d}-{d.month():02d}"

    def refresh_rate(self):
        self.loads["rate"].load(lr.collection_rate, self.ctx, self._period())

    def _show_rate(self, rep):
        self.rate_cluster.set_rows(list(rep.by_cluster) + [rep.total])
        self.rate_manager.set_rows(list(rep.by_manager))
        self.rate_label.setText(f"全小区 {rep.total.rate_text}（目标 {rep.target_pct}%）")
        self.chart.set_data([(r.name, r.rate_bp / 100) for r in rep.by_cluster if r.rate_bp is not None],
                            rep.target_pct)

    def export_rate(self):
        from PySide6.QtWidgets import QFileDialog
        path, _ = QFileDialog.getSaveFileName(self, "导出收费率报表", f"收费率-{self._period()}.xlsx",
                                              "Excel 文件 (*.xlsx)")
        if path:
            from ui.common.progress import ProgressRun  # in the background: progress, 取消 keeps no file
            self.last_run = ProgressRun(self, self.ctx, "正在导出收费率报表…", lr.collection_xlsx, self.ctx,
                                        self._period(), path, title="导出失败").success(
                lambda n: info(self, f"已导出：{path}")).run()

    def print_rate(self):
        pdf = run_action(self, lr.report_pdf, self.ctx, "collection", period=self._period())
        if pdf:
            preview(self, pdf, "收费率报表", f"收费率-{self._period()}.pdf")
