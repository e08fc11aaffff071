"""借用登记 tab: loans open (overdue in red), the desk's items with what is available, and the
history of loans. Widgets call app.desk.loans; no queries here."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from app.core.permissions import allowed
from app.desk import loans
from ui.common.icons import icon
from ui.common.ops import info, run_action
from ui.common.runner import notify_changed
from ui.common.tables import overdue_summary, save_columns, table_view
from ui.common.widgets import button
from ui.desk.loan_dialogs import ItemDialog, LendDialog, ReturnDialog
from ui.desk.loans_models import history_model, items_model, open_loans_model

OPEN_PAGE, ITEMS_PAGE, HISTORY_PAGE = range(3)
NEWS = frozenset({"loans"})


class Tab(QWidget):
    def __init__(self, ctx, main_window=None):
        super().__init__(main_window)
        self.ctx = ctx
        self.main_window = main_window
        role = getattr(ctx.user, "role", None)
        self.can_lend = allowed(role, "loans.lend")
        self.can_edit = allowed(role, "loans.edit")
        self.can_reveal = allowed(role, "pii.view_full")
        self.summary = QLabel()
        self.summary.setObjectName("loans_summary")
        self.inner = QTabWidget(self)
        self.inner.addTab(self._build_open_page(), icon("out"), "借出中")
        self.inner.addTab(self._build_items_page(), icon("loans"), "物品")
        self.inner.addTab(self._build_history_page(), icon("search"), "借用记录")
        self.inner.currentChanged.connect(lambda _i: self.refresh())
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.inner)
        self.refresh()

    # building -----------------------------------------------------------------------------------
    def _build_open_page(self) -> QWidget:
        """借出中: the loans open, overdue in red."""
        page = QWidget()
        self.open_model = open_loans_model(self)
        self.open_view = table_view(self.open_model, page, "loans_open")
        self.open_view.doubleClicked.connect(lambda _i: self.return_selected())
        bar = QHBoxLayout()
        self.lend_button = button("借出物品…", "out", self.lend_new, enabled=self.can_lend)
        self.return_button = button("归还…", "in", self.return_selected, enabled=self.can_lend)
        bar.addWidget(self.lend_button)
        bar.addWidget(self.return_button)
        bar.addWidget(button("打印借用单", "print", self.print_slip))
        bar.addWidget(button("打印逾期清单", "print", self.print_overdue))
        self.phone_button = button("显示完整电话", "user", self.reveal_phone, enabled=self.can_reveal)
        bar.addWidget(self.phone_button)
        bar.addStretch(1)
        bar.addWidget(button("刷新", "refresh", self.refresh))
        lay = QVBoxLayout(page)
        lay.addLayout(bar)
        lay.addWidget(self.open_view)
        return page

    def _build_items_page(self) -> QWidget:
        """物品: what the desk lends, with what is available."""
        page = QWidget()
        self.items_model = items_model(self)
        self.items_view = table_view(self.items_model, page, "loans_items")
        self.items_view.doubleClicked.connect(lambda _i: self.lend_selected_item())
        bar = QHBoxLayout()
        self.lend_item_button = button("借出所选物品…", "out", self.lend_selected_item, enabled=self.can_lend)
        bar.addWidget(self.lend_item_button)
        bar.addWidget(button("新增物品…", "add", self.add_item, enabled=self.can_edit))
        bar.addWidget(button("编辑…", "edit", self.edit_item, enabled=self.can_edit))
        self.retire_button = button("停用/启用…", "delete", self.toggle_item, enabled=self.can_edit)
        bar.addWidget(self.retire_button)
        bar.addStretch(1)
        lay = QVBoxLayout(page)
        lay.addLayout(bar)
        lay.addWidget(self.items_view)
        return page

    def _build_history_page(self) -> QWidget:
        page = QWidget()
        self.hist_model = history_model(self)
        self.hist_view = table_view(self.hist_model, page, "loans_history")
        lay = QVBoxLayout(page)
        lay.addWidget(QLabel("最近 500 笔借用记录（含已归还）"))
        lay.addWidget(self.hist_view)
        return page

    # data ---------------------------------------------------------------------------------------
    def save_state(self):
        save_columns(self.open_view, self.items_view, self.hist_view)

    def showEvent(self, event):
        """Other tabs change these lists too: refresh on view."""
        super().showEvent(event)
        if getattr(self, "_shown_once", False):
            self.refresh()
        self._shown_once = True

    def on_data_changed(self, kinds, source):
        """Loans written elsewhere: the lists again now when shown; a hidden tab reloads when it is
        shown (showEvent)."""
        if source is self or not (NEWS & set(kinds)):
            return
        if self.isVisible():
            self.refresh()

    def written(self, loan=None):
        """After a write here: the lists again, the other tabs told; a loan with a deposit charged
        or refunded in the fee ledger tells the ledger too."""
        self.refresh()
        if getattr(loan, "deposit_fen", 0):
            notify_changed(self, "loans", "ledger")
        else:
            notify_changed(self, "loans")

    def refresh(self):
        rows = loans.open_loans(self.ctx)
        self.open_model.set_rows(rows)
        self.summary.setText(overdue_summary(rows, "笔"))
        page = self.inner.currentIndex()
        if page == ITEMS_PAGE:
            self.items_model.set_rows(loans.list_items(self.ctx, include_inactive=True))
        elif page == HISTORY_PAGE:
            self.hist_model.set_rows(loans.loan_history(self.ctx))

    # actions ------------------------------------------------------------------------------------
    def lend_new(self):
        """借出物品…: the lend dialog with the first item chosen."""
        self.lend()

    def lend(self, item_id=None):
        dlg = LendDialog(self.ctx, item_id, self)
        if dlg.exec() and dlg.result_value is not None:
            self.written(dlg.result_value)
            if dlg.print_slip.isChecked():
                self._preview_slip(dlg.result_value.id)

    def lend_selected_item(self):
        row = self.items_model.row_at(self.items_view.currentIndex())
        if row is None:
            return info(self, "请先选择物品。")
        if not row["active"]:
            return info(self, f"“{row['name']}”已停用，不能借出。")
        if row["available"] <= 0:
            return info(self, f"“{row['name']}”已全部借出（共{row['quantity']}件），暂无可借。")
        self.lend(row["id"])

    def return_selected(self):
        row = self.open_model.row_at(self.open_view.currentIndex())
        if row is None:
            return info(self, "请先在借出列表中选择一笔借用。")
        dlg = ReturnDialog(self.ctx, row, self)
        if dlg.exec():
            self.written(dlg.result_value)

    def toggle_item(self):
        row = self.items_model.row_at(self.items_view.currentIndex())
        if row is None:
            return info(self, "请先选择物品。")
        if row["active"]:
            from PySide6.QtWidgets import QInputDialog
            reason, ok = QInputDialog.getText(self, "停用物品", f"停用“{row['name']}”的原因（遗失、损坏报废等）：")
            if not ok:
                return
            done = run_action(self, loans.set_item_active, self.ctx, row["id"], False, reason)
        else:
            done = run_action(self, loans.set_item_active, self.ctx, row["id"], True)
        if done is not None:
            self.written()

    def add_item(self):
        if ItemDialog(self.ctx, None, self).exec():
            self.written()

    def edit_item(self):
        row = self.items_model.row_at(self.items_view.currentIndex())
        if row is None:
            return info(self, "请先选择物品。")
        if ItemDialog(self.ctx, row["id"], self).exec():
            self.written()

    def reveal_phone(self):
        row = self.open_model.row_at(self.open_view.currentIndex())
        if row is None:
            return info(self, "请先在借出列表中选择一条记录。")
        phone = run_action(self, loans.reveal_borrower_phone, self.ctx, row["id"])
        if phone is not None:
            info(self, f"{row['borrower_name']}：{phone or '未登记电话'}（已记入审计日志）", "借用人电话")

    # prints -------------------------------------------------------------------------------------
    def _preview(self, pdf, title, name):
        from ui.common.print_preview import preview
        if pdf is not None:
            self.last_preview = preview(self, pdf, title, name)

    def _preview_slip(self, loan_id):
        from app.desk.loan_prints import loan_slip_pdf
        self._preview(run_action(self, loan_slip_pdf, self.ctx, loan_id), "物品借用单", "物品借用单.pdf")

    def print_slip(self):
        row = self.open_model.row_at(self.open_view.currentIndex())
        if row is None:
            return info(self, "请先在借出列表中选择一笔借用。")
        self._preview_slip(row["id"])

    def print_overdue(self):
        from app.desk.loan_prints import overdue_list_pdf
        self._preview(run_action(self, overdue_list_pdf, self.ctx), "借用物品逾期未还清单", "借用逾期清单.pdf")
