"""收费台账 tab: find a home, its charges (billed/paid/owed), take a payment, print, reprint
(补打) and void (作废) receipts with preview, record meter readings, run the monthly billing,
and the arrears views. Widgets call app.ledger.payments / app.ledger.billing / app.ledger.arrears; no queries here.
Each write tells the other tabs ({"ledger"}: the dunning board, the daily report, the archives' arrears
flags); news from elsewhere reloads the home shown and the arrears view."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.dates import add_period_months, period_of
from app.core.money import fmt_fen
from app.core.permissions import allowed
from app.ledger import billing, charge_items, payments
from ui.common.icons import icon
from ui.common.ops import confirm, info, run_action
from ui.common.runner import notify_changed
from ui.common.tables import sortable
from ui.ledger import home_actions
from ui.ledger import table_models as tm


def _button(text, purpose, slot, enabled=True, name=""):
    b = QPushButton(icon(purpose), text)
    b.clicked.connect(slot)
    b.setEnabled(enabled)
    if name:
        b.setObjectName(name)
    return b


def _view(model, name="") -> QTableView:
    v = QTableView()
    v.setModel(model)
    v.setObjectName(name)
    v.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    v.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    v.verticalHeader().setVisible(False)
    v.verticalHeader().setDefaultSectionSize(24)
    hh = v.horizontalHeader()
    hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    hh.setDefaultSectionSize(110)
    hh.setStretchLastSection(True)
    return sortable(v)


def _deposit_text(h) -> str:
    """Deposits apart from arrears (refundable, never 欠费): what is held and what is still to pay."""
    parts = ([f"在押 ¥{fmt_fen(h['deposit_held_fen'])}"] if h.get("deposit_held_fen") else []) + (
        [f"待交 ¥{fmt_fen(h['deposit_due_fen'])}"] if h.get("deposit_due_fen") else [])
    return f"　押金/保证金（不计欠费）：{'，'.join(parts)}" if parts else ""


class Tab(QWidget):
    BILLING_PAGE, ARREARS_PAGE = 3, 4
    ARREARS_VIEWS = [("homes", "按住户"), ("area_manager", "按客服管理员"), ("building", "按楼栋"),
                     ("cluster", "按组团"), ("ageing", "账龄（欠费月数）")]

    def __init__(self, ctx, main_window=None):
        super().__init__(main_window)
        self.ctx = ctx
        self.main_window = main_window
        self.home_id = None
        self.header_data = None
        self.last_preview = None
        self.last_quick_print = None
        role = getattr(ctx.user, "role", None)
        self.can_pay = allowed(role, "ledger.pay")
        self.can_void = allowed(role, "ledger.void")
        self.can_bill = allowed(role, "ledger.bill")
        self.can_read = allowed(role, "ledger.reading")

        find_bar = self._find_bar()
        self.inner = QTabWidget()
        self.inner.addTab(self._charges_page(role), icon("ledger"), "费用明细")
        self.inner.addTab(self._receipts_page(), icon("print"), "收据")
        self.readings_model = tm.readings_model(self)
        self.readings_view = _view(self.readings_model, "ledger_readings")
        self.inner.addTab(self.readings_view, icon("edit"), "抄表记录")
        self.inner.addTab(self._billing_page(), icon("refresh"), "月度计费与收费标准")
        self.inner.addTab(self._arrears_page(), icon("warning"), "欠费")
        self.inner.currentChanged.connect(self._inner_changed)

        lay = QVBoxLayout(self)
        lay.addLayout(find_bar)
        lay.addWidget(self.header)
        lay.addWidget(self.inner, 1)
        self._loaded = set()

    # pages ---------------------------------------------------------------------------------------
    def _find_bar(self):
        self.search = QLineEdit()
        self.search.setObjectName("ledger_search")
        self.search.setPlaceholderText("房号、业主姓名、电话或证件号后四位")
        self.search.returnPressed.connect(self.find)
        self.matches = QComboBox()
        self.matches.setObjectName("ledger_matches")
        self.matches.setMinimumWidth(260)
        self.matches.activated.connect(lambda _i: self.open_home(self.matches.currentData()))
        top = QHBoxLayout()
        top.addWidget(QLabel("查找房屋："))
        top.addWidget(self.search, 1)
        top.addWidget(_button("查找", "search", self.find))
        top.addWidget(self.matches)
        self.header = QLabel("请先查找房屋")
        self.header.setObjectName("ledger_header")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setStyleSheet("QLabel{padding:6px;background:#F5F7FA;border:1px solid #DDE3EA;}")
        self.header.setWordWrap(True)
        self.header.setMinimumHeight(54)

        return top

    def _charges_page(self, role):
        page = QWidget()
        self.charges_model = tm.charges_model(self)
        self.charges_view = _view(self.charges_model, "ledger_charges")
        self.charges_view.setSelectionMode(QTableView.SelectionMode.ExtendedSelection)
        self.charges_view.setColumnWidth(0, 130)
        self.only_open = QCheckBox("只看未付清")
        self.only_open.toggled.connect(lambda _b: self.refresh_home())
        bar = QHBoxLayout()
        self.pay_button = _button("收款…", "money", self.pay, self.can_pay, "ledger_pay")
        bar.addWidget(self.pay_button)
        bar.addWidget(_button("登记费用…", "add", self.add_charge, allowed(role, "ledger.charge"), "ledger_add_charge"))
        bar.addWidget(_button("退押金…", "out", self.refund, allowed(role, "ledger.refund"), "ledger_refund"))
        bar.addWidget(_button("抄表…", "edit", self.reading, self.can_read))
        bar.addWidget(_button("包月服务…", "bicycle", self.open_subscriptions, True, "ledger_subscriptions"))
        for b in home_actions.home_buttons(self):
            bar.addWidget(b)
        bar.addWidget(self.only_open)
        bar.addStretch(1)
        bar.addWidget(_button("刷新", "refresh", lambda: self.refresh_home() if self.home_id is not None
                              else info(self, "请先查找房屋")))
        lay = QVBoxLayout(page)
        lay.addLayout(bar)
        lay.addWidget(self.charges_view)
        return page

    def _receipts_page(self):
        page = QWidget()
        self.receipts_model = tm.receipts_model(self)
        self.receipts_view = _view(self.receipts_model, "ledger_receipts")
        self.receipts_view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.receipts_view.doubleClicked.connect(lambda _i: self.preview_receipt())
        bar = QHBoxLayout()
        bar.addWidget(_button("查看", "search", self.preview_receipt))
        bar.addWidget(_button("补打", "print", self.reprint_receipt, self.can_pay))
        bar.addWidget(_button("作废…", "warning", self.void_receipt, self.can_void))
        self.layout_combo = QComboBox()
        self.layout_combo.addItem("A4", "A4")
        self.layout_combo.addItem("三联（套打）", "三联")
        if self.ctx.settings.get("print.receipt_layout") == "三联":
            self.layout_combo.setCurrentIndex(1)
        bar.addWidget(QLabel("版式："))
        bar.addWidget(self.layout_combo)
        bar.addStretch(1)
        lay = QVBoxLayout(page)
        lay.addLayout(bar)
        lay.addWidget(self.receipts_view)
        return page

    def _billing_page(self):
        page = QWidget()
        today = self.ctx.clock.today()
        self.month = QLineEdit(add_period_months(period_of(today), -1))
        self.month.setObjectName("ledger_month")
        self.month.setMaximumWidth(120)
        self.bill_button = _button("月度计费", "money", self.bill_month, self.can_bill, "ledger_bill")
        self.bill_result = QLabel()
        self.bill_result.setObjectName("ledger_bill_result")
        bar = QHBoxLayout()
        bar.addWidget(QLabel("计费月份："))
        bar.addWidget(self.month)
        bar.addWidget(self.bill_button)
        bar.addWidget(_button("导入抄表（Excel）…", "import", self.import_readings, self.can_read,
                              "ledger_import_readings"))
        from ui.ledger.shared_reading_dialog import button as shared_reading_button  # 公摊表抄表…
        bar.addWidget(shared_reading_button(self))
        for b in home_actions.billing_buttons(self):
            bar.addWidget(b)
        bar.addWidget(self.bill_result, 1)
        self.standards_model = tm.standards_model(self)
        self.standards_view = _view(self.standards_model, "ledger_standards")
        self.standards_view.setColumnWidth(1, 170)
        lay = QVBoxLayout(page)
        lay.addLayout(bar)
        lay.addWidget(QLabel("收费标准（在“设置—收费标准”中修改）："))
        lay.addWidget(self.standards_view)
        return page

    def _arrears_page(self):
        page = QWidget()
        self.arrears_kind = QComboBox()
        self.arrears_kind.setObjectName("ledger_arrears_kind")
        for code, label in self.ARREARS_VIEWS:
            self.arrears_kind.addItem(label, code)
        self.arrears_kind.currentIndexChanged.connect(lambda _i: self.refresh_arrears())
        self.arrears_total = QLabel()
        self.arrears_total.setObjectName("ledger_arrears_total")
        self.arrears_models = {"homes": tm.arrears_homes_model(self), "ageing": tm.ageing_model(self)}
        for k in ("area_manager", "building", "cluster"):
            self.arrears_models[k] = tm.arrears_groups_model(self)
        self.arrears_view = _view(self.arrears_models["homes"], "ledger_arrears")
        self.arrears_view.horizontalHeader().setStretchLastSection(False)
        self.arrears_view.doubleClicked.connect(self._open_arrears_home)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("查看："))
        bar.addWidget(self.arrears_kind)
        bar.addWidget(_button("刷新", "refresh", self.refresh_arrears))
        bar.addWidget(self.arrears_total, 1)
        lay = QVBoxLayout(page)
        lay.addLayout(bar)
        lay.addWidget(self.arrears_view)
        return page

    # changes ------------------------------------------------------------------------------------
    def written(self):
        """After a write here: the home again, the arrears view stale, the other tabs told."""
        self.refresh_home()
        self._arrears_stale()
        notify_changed(self, "ledger")

    def _arrears_stale(self):
        self._loaded.discard("arrears")
        if self.inner.currentIndex() == self.ARREARS_PAGE and self.isVisible():
            self._loaded.add("arrears")
            self.refresh_arrears()

    def on_data_changed(self, kinds, source):
        """Charges or owners changed in another tab: the home shown and the arrears view again."""
        if source is self or not ({"ledger", "archives", "parking", "movein", "renovation"} & set(kinds)):
            return
        self.refresh_home()
        self._arrears_stale()

    # lazy pages ---------------------------------------------------------------------------------
    def _inner_changed(self, index):
        if index == self.BILLING_PAGE and "standards" not in self._loaded:
            self._loaded.add("standards")
            self.standards_model.set_rows(charge_items.standards(self.ctx.settings))
        if index == self.ARREARS_PAGE and "arrears" not in self._loaded:
            self._loaded.add("arrears")
            self.refresh_arrears()

    # home ---------------------------------------------------------------------------------------
    def find(self):
        rows = run_action(self, payments.find_homes, self.ctx, self.search.text())
        self.matches.clear()
        if not rows:
            self.header.setText("没有找到匹配的房屋")
            return
        for r in rows:
            self.matches.addItem(f"{r['room_code']}　{r['owners']}", r["id"])
        self.open_home(rows[0]["id"])

    def open_home(self, home_id):
        if home_id is None:
            return
        self.home_id = home_id
        self.refresh_home()

    def refresh_home(self):
        if self.home_id is None:
            return
        h = run_action(self, payments.home_header, self.ctx, self.home_id)
        if h is None:
            return
        self.header_data = h
        owed_color = "#C00000" if h["owed_fen"] > 0 else "#2E7D32"
        self.header.setText(
            f"<b style='font-size:14px'>{h['room_code']}</b>　{h['house_type']}　{h['area']} ㎡　{h['state']}　"
            f"业主：{h['owners'] or '—'}　{h['phone']}<br>"
            f"应收 ¥{fmt_fen(h['billed_fen'])}　已收 ¥{fmt_fen(h['paid_fen'])}　"
            + (f"减免 ¥{fmt_fen(h['reduced_fen'])}　" if h.get("reduced_fen") else "")
            + f"<b style='color:{owed_color}'>欠费 ¥{fmt_fen(h['owed_fen'])}</b>　"
            f"预交物业费余额 ¥{fmt_fen(h['prepay_fen'])}"
            + _deposit_text(h) + (f"　已缴至：{h['paid_until']}" if h.get("paid_until") else ""))
        self.charges_model.set_rows(payments.home_charges(self.ctx, self.home_id, self.only_open.isChecked()))
        self.receipts_model.set_rows(payments.home_receipts(self.ctx, self.home_id))
        # one home's lists are short: fit the columns to their contents
        self.charges_view.resizeColumnsToContents()
        self.receipts_view.resizeColumnsToContents()
        from app.ledger import meters
        self.readings_model.set_rows(meters.readings(self.ctx, self.home_id))

    def _selected_charge_ids(self):
        ids = []
        for idx in self.charges_view.selectionModel().selectedRows():
            r = self.charges_model.row_at(idx)
            if r and r["owed_fen"] > 0:
                ids.append(r["id"])
        return ids

    def pay(self):
        if self.home_id is None:
            info(self, "请先查找房屋")
            return None
        open_charges = payments.home_charges(self.ctx, self.home_id, only_open=True)
        if not open_charges:
            info(self, "该户没有未付清的费用")
            return None
        from ui.ledger.pay_dialog import PayDialog
        dlg = PayDialog(self.ctx, self.home_id, open_charges, self._selected_charge_ids(),
                        (self.header_data or {}).get("payer", ""), self)
        self.last_dialog = dlg
        if dlg.exec() and dlg.receipt is not None:
            self.written()
            pdf = run_action(self, payments.print_receipt, self.ctx, dlg.receipt.id, self.layout_combo.currentData())
            from ui.common.printer import quick_print, quick_receipt_enabled
            if pdf is not None and quick_receipt_enabled():  # 打印设置: straight to the receipt printer
                self.last_quick_print = quick_print(self, pdf, self._receipt_kind())
            else:
                self._preview(pdf, dlg.receipt.number)
            return dlg.receipt
        return None

    def add_charge(self):
        if self.home_id is None:
            info(self, "请先查找房屋")
            return None
        from ui.ledger.charge_dialog import ChargeDialog
        dlg = ChargeDialog(self.ctx, self.home_id, (self.header_data or {}).get("room_code", ""), self)
        self.last_dialog = dlg
        if dlg.exec() and dlg.result_value is not None:
            self.written()
            return dlg.result_value
        return None

    def refund(self):
        if self.home_id is None:
            info(self, "请先查找房屋")
            return None
        deposits = run_action(self, payments.deposits_held, self.ctx, self.home_id)
        if not deposits:
            info(self, "该户没有可退的押金")
            return None
        from ui.ledger.refund_dialog import RefundDialog
        dlg = RefundDialog(self.ctx, self.home_id, deposits, (self.header_data or {}).get("payer", ""), self)
        self.last_dialog = dlg
        if dlg.exec() and dlg.result_value is not None:
            self.written()
            voucher = dlg.result_value.receipt
            self._preview(run_action(self, payments.print_receipt, self.ctx, voucher.id,
                                     self.layout_combo.currentData()), voucher.number)
            return dlg.result_value
        return None

    def reading(self):
        if self.home_id is None:
            info(self, "请先查找房屋")
            return
        from ui.ledger.pay_dialog import ReadingDialog
        dlg = ReadingDialog(self.ctx, self.home_id, (self.header_data or {}).get("room_code", ""), self)
        self.last_dialog = dlg
        if dlg.exec() and dlg.result_value is not None:
            self.written()

    # receipts -----------------------------------------------------------------------------------
    def open_subscriptions(self):
        """包月服务 (bicycle parking, cable TV) of the home shown: ui/dialogs/subscriptions.py."""
        from ui.parking.subscriptions import SubscriptionsDialog
        dlg = SubscriptionsDialog(self.ctx, self.home_id, (self.header_data or {}).get("room_code", ""), self)
        self.last_dialog = dlg
        dlg.exec()
        self.written()
        return dlg

    def _selected_receipt(self):
        idx = self.receipts_view.selectionModel().selectedRows()
        r = self.receipts_model.row_at(idx[0]) if idx else None
        if r is None:
            info(self, "请先选择一张收据")
        return r

    def _preview(self, pdf, number):
        if pdf is None:
            return
        from ui.common.print_preview import preview
        self.last_preview = preview(self, pdf, f"收据 {number}", f"收据{number}.pdf", kind=self._receipt_kind())

    def _receipt_kind(self) -> str:
        """The print form kind of the receipt layout chosen: 三联 on the receipt printer, else A4."""
        return "receipt_3part" if self.layout_combo.currentData() == "三联" else "a4"

    def preview_receipt(self):
        r = self._selected_receipt()
        if r:
            self._preview(run_action(self, payments.print_receipt, self.ctx, r["id"], self.layout_combo.currentData(),
                                     view_only=True), r["number"])

    def reprint_receipt(self):
        r = self._selected_receipt()
        if r:
            self._preview(run_action(self, payments.reprint_receipt, self.ctx, r["id"],
                                     self.layout_combo.currentData()), r["number"])
            self.refresh_home()

    def void_receipt(self):
        r = self._selected_receipt()
        if not r:
            return
        from ui.ledger.pay_dialog import VoidDialog
        dlg = VoidDialog(self.ctx, r, self)
        self.last_dialog = dlg
        if dlg.exec() and dlg.result_value is not None:
            self.written()

    # billing ------------------------------------------------------------------------------------
    def bill_month(self):
        if not self._confirm_billing(self.month.text()):
            return
        res = run_action(self, billing.run_month, self.ctx, self.month.text())
        if res is None:
            return
        parts = "，".join(f"{charge_items.item_name(k)} {n} 笔" for k, n in res["by_item"].items())
        text = (f"{res['period']}：新增 {res['lines']} 笔，合计 ¥{fmt_fen(res['total_fen'])}"
                + (f"（{parts}）" if parts else "（本月已计费，没有新增费用）"))
        if res["prepaid_lines"]:
            text += f"；预交物业费抵扣 {res['prepaid_lines']} 笔 ¥{fmt_fen(res['prepaid_fen'])}"
        self.bill_result.setText(text)
        self.written()

    def _confirm_billing(self, period: str) -> bool:
        """The whole site's run is a bulk write: say how many homes, lines and how much, and ask;
        a run that would change nothing is not asked for: the clerk is told so."""
        from app.ledger.bulk_preview import month_message, month_preview
        pre = run_action(self, month_preview, self.ctx, period, title="无法月度计费")
        if pre is None:
            return False
        ask, text = month_message(period, pre)
        if not ask:
            info(self, text, "月度计费")
            self.bill_result.setText(text)
            return False
        if confirm(self, text, "月度计费"):
            return True
        self.bill_result.setText(f"已取消 {period} 的月度计费，没有计收任何费用")
        return False

    def import_readings(self, path: str | None = None):
        """Readings from an Excel sheet (房号, 表类, 读数, 抄表日期 [, 新表, 备注]); all rows or none."""
        if not path:
            from PySide6.QtWidgets import QFileDialog
            path, _ = QFileDialog.getOpenFileName(self, "导入抄表读数", "", "Excel 文件 (*.xlsx)")
        if not path:
            return None
        from app.ledger import meters
        from ui.common.progress import ProgressRun  # in the background: progress, 取消 writes nothing
        self.last_run = ProgressRun(self, self.ctx, "正在导入抄表读数…", meters.import_readings, self.ctx, path,
                                    write=True, title="抄表读数未导入").success(
            lambda n: self.bill_result.setText(f"已导入 {n} 条抄表读数，计费时按读数计算水、电、燃气费")).run()
        return self.last_run

    # arrears ------------------------------------------------------------------------------------
    def refresh_arrears(self):
        from ui.ledger import arrears_load
        arrears_load.refresh(self)    # in the background: 正在加载…, then the rows

    def _open_arrears_home(self, index):
        if self.arrears_kind.currentData() != "homes":
            return
        r = self.arrears_models["homes"].row_at(index)
        if r:
            self.inner.setCurrentIndex(0)
            self.open_home(r["home_id"])
