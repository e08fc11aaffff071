"""钥匙登记 tab: keys out (overdue first in red), the key catalogue with sign-out, return and
history, and the weekly vacant-home inspection list. Widgets call app.desk.keys; no queries here."""
from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QTabWidget, QVBoxLayout, QWidget

from app.core.permissions import allowed
from app.desk import inspections, keys
from ui.common.icons import icon
from ui.common.ops import info, run_action
from ui.common.tables import overdue_summary, save_columns, table_view
from ui.common.widgets import button
from ui.desk.key_dialogs import (
    InspectionDialog,
    KeyEditDialog,
    KeyHistoryDialog,
    KeyReturnDialog,
    KeySignOutDialog,
)
from ui.desk.keys_models import catalogue_model, keys_out_model, vacant_model


class Tab(QWidget):
    def __init__(self, ctx, main_window=None):
        super().__init__(main_window)
        self.ctx = ctx
        self.main_window = main_window
        role = getattr(ctx.user, "role", None)
        can_sign = allowed(role, "keys.sign")
        can_edit = allowed(role, "keys.edit")

        self.summary = QLabel()
        self.summary.setObjectName("keys_summary")
        self.inner = QTabWidget(self)

        # keys out ------------------------------------------------------------------------------
        page = QWidget()
        self.out_model = keys_out_model(self)
        self.out_view = table_view(self.out_model, page, "keys_out")
        self.out_view.doubleClicked.connect(lambda _i: self.return_selected())
        bar = QHBoxLayout()
        self.return_button = button("归还…", "in", self.return_selected, enabled=can_sign)
        bar.addWidget(self.return_button)
        bar.addWidget(button("打印借用单", "print", self.print_slip))
        bar.addWidget(button("打印逾期清单", "print", self.print_overdue))
        self.phone_button = button("显示完整电话", "user", self.reveal_phone,
                                   enabled=allowed(role, "pii.view_full"))
        bar.addWidget(self.phone_button)
        bar.addStretch(1)
        bar.addWidget(button("刷新", "refresh", self.refresh))
        lay = QVBoxLayout(page)
        lay.addLayout(bar)
        lay.addWidget(self.out_view)
        self.inner.addTab(page, icon("out"), "借出中")

        # catalogue -----------------------------------------------------------------------------
        page = QWidget()
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索钥匙区域、房号、存放地点、保管人")
        self.search.textChanged.connect(lambda _t: self.refresh_catalogue())
        self.show_handed = QCheckBox("显示已交付业主的钥匙")
        self.show_handed.toggled.connect(lambda _c: self.refresh_catalogue())
        self.cat_model = catalogue_model(self)
        self.cat_view = table_view(self.cat_model, page, "keys_catalogue")
        self.cat_view.doubleClicked.connect(lambda _i: self.history_selected())
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.show_handed)
        bar2 = QHBoxLayout()
        self.sign_button = button("借出…", "out", self.sign_out_selected, enabled=can_sign)
        self.cat_return_button = button("归还…", "in", self.return_from_catalogue, enabled=can_sign)
        bar2.addWidget(self.sign_button)
        bar2.addWidget(self.cat_return_button)
        bar2.addWidget(button("历史记录…", "search", self.history_selected))
        bar2.addWidget(button("新增钥匙…", "add", self.add_key, enabled=can_edit))
        bar2.addWidget(button("编辑…", "edit", self.edit_key, enabled=can_edit))
        self.register_doors_button = button("登记空置房钥匙", "keys", self.register_door_keys, enabled=can_edit)
        self.register_doors_button.setToolTip("为所有未交付、空置且尚未登记的房屋登记入户门钥匙（每户2把，存放客服前台）")
        bar2.addWidget(self.register_doors_button)
        bar2.addStretch(1)
        bar2.addWidget(button("打印钥匙登记表", "print", self.print_register))
        lay = QVBoxLayout(page)
        lay.addLayout(bar)
        lay.addLayout(bar2)
        lay.addWidget(self.cat_view)
        self.inner.addTab(page, icon("keys"), "钥匙目录")

        # vacant homes ---------------------------------------------------------------------------
        page = QWidget()
        self.due_only = QCheckBox("只看本周待巡查")
        self.due_only.toggled.connect(lambda _c: self.refresh_vacant())
        self.vacant_label = QLabel()
        self.vac_model = vacant_model(self)
        self.vac_view = table_view(self.vac_model, page, "keys_vacant")
        self.vac_view.doubleClicked.connect(lambda _i: self.inspect_selected())
        bar = QHBoxLayout()
        self.inspect_button = button("登记巡查…", "visit", self.inspect_selected, enabled=can_sign)
        bar.addWidget(self.inspect_button)
        bar.addWidget(self.due_only)
        bar.addWidget(self.vacant_label)
        bar.addStretch(1)
        bar.addWidget(button("打印巡查表", "print", self.print_inspection_sheet))
        lay = QVBoxLayout(page)
        lay.addLayout(bar)
        lay.addWidget(self.vac_view)
        self.inner.addTab(page, icon("visit"), "空置房巡查")
        self.inner.currentChanged.connect(lambda _i: self.refresh())

        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.inner)
        self.refresh()

    # data ---------------------------------------------------------------------------------------
    def save_state(self):
        save_columns(self.out_view, self.cat_view, self.vac_view)

    def showEvent(self, event):
        """Other tabs change these lists too (hand-over takes door keys away): refresh on view."""
        super().showEvent(event)
        if getattr(self, "_shown_once", False):
            self.refresh()
        self._shown_once = True

    def refresh(self):
        rows = keys.keys_out(self.ctx)
        self.out_model.set_rows(rows)
        self.summary.setText(overdue_summary(rows, "把钥匙", "把"))
        page = self.inner.currentIndex()
        if page == 1:
            self.refresh_catalogue()
        elif page == 2:
            self.refresh_vacant()

    def refresh_catalogue(self):
        self.cat_model.set_rows(keys.list_keys(self.ctx, self.search.text(), self.show_handed.isChecked()))

    def refresh_vacant(self):
        rows = inspections.vacant_inspection_list(self.ctx, due_only=self.due_only.isChecked())
        self.vac_model.set_rows(rows)
        due = sum(1 for r in rows if r["due_this_week"])
        late = sum(1 for r in rows if r["overdue"])
        self.vacant_label.setText(f"空置/未交付 {len(rows)} 套，本周待巡查 {due} 套，逾期 {late} 套"
                                  f"（巡查周期 {self.ctx.settings.get('keys.vacant_inspection_days')} 天）")

    def _selected(self, view, model):
        return model.row_at(view.currentIndex())

    # actions ------------------------------------------------------------------------------------
    def sign_out_selected(self):
        row = self._selected(self.cat_view, self.cat_model)
        if row is None:
            return info(self, "请先在钥匙目录中选择一把钥匙。")
        if not row["active"]:
            return info(self, f"钥匙“{row['area']}”已交付业主，不在登记内。")
        if row["available"] <= 0:
            return info(self, f"钥匙“{row['area']}”共{row['copies']}把已全部借出，不能重复借出。")
        dlg = KeySignOutDialog(self.ctx, row["id"], self)
        if dlg.exec() and dlg.result_value is not None:
            if dlg.print_slip.isChecked():
                self._preview_slip(dlg.result_value.id)
            self.refresh()

    def return_selected(self):
        row = self._selected(self.out_view, self.out_model)
        if row is None:
            return info(self, "请先在借出列表中选择一条记录。")
        self._return(row)

    def return_from_catalogue(self):
        row = self._selected(self.cat_view, self.cat_model)
        if row is None:
            return info(self, "请先在钥匙目录中选择一把钥匙。")
        out = [r for r in keys.keys_out(self.ctx) if r["key_id"] == row["id"]]
        if not out:
            return info(self, f"钥匙“{row['area']}”未借出，不能归还。")
        if len(out) > 1:
            self.inner.setCurrentIndex(0)
            return info(self, f"钥匙“{row['area']}”有{len(out)}把借出，请在“借出中”列表选择归还哪一把。")
        self._return(out[0])

    def _return(self, row):
        dlg = KeyReturnDialog(self.ctx, row, self)
        if dlg.exec():
            self.refresh()

    def history_selected(self):
        row = self._selected(self.cat_view, self.cat_model)
        if row is None:
            return info(self, "请先在钥匙目录中选择一把钥匙。")
        KeyHistoryDialog(self.ctx, row["id"], self).exec()

    def add_key(self):
        dlg = KeyEditDialog(self.ctx, None, self)
        if dlg.exec():
            self.refresh_catalogue()

    def edit_key(self):
        row = self._selected(self.cat_view, self.cat_model)
        if row is None:
            return info(self, "请先在钥匙目录中选择一把钥匙。")
        dlg = KeyEditDialog(self.ctx, row["id"], self)
        if dlg.exec():
            self.refresh_catalogue()

    def register_door_keys(self):
        n = run_action(self, keys.register_missing_door_keys, self.ctx)
        if n is not None:
            info(self, f"已登记 {n} 户房屋的入户门钥匙。" if n else "未交付、空置房屋的入户门钥匙均已登记。")
            self.refresh_catalogue()

    def inspect_selected(self):
        row = self._selected(self.vac_view, self.vac_model)
        if row is None:
            return info(self, "请先选择一套空置房。")
        dlg = InspectionDialog(self.ctx, row, self)
        if dlg.exec():
            self.refresh_vacant()

    def reveal_phone(self):
        row = self.out_model.row_at(self.out_view.currentIndex())
        if row is None:
            return info(self, "请先在借出列表中选择一条记录。")
        phone = run_action(self, keys.reveal_borrower_phone, self.ctx, row["id"])
        if phone is not None:
            info(self, f"{row['borrower_name']}：{phone or '未登记电话'}（已记入审计日志）", "借用人电话")

    # prints -------------------------------------------------------------------------------------
    def _preview(self, pdf, title, name):
        from ui.common.print_preview import preview
        if pdf is not None:
            self.last_preview = preview(self, pdf, title, name)

    def _preview_slip(self, loan_id):
        from app.desk.key_prints import sign_out_slip_pdf
        self._preview(run_action(self, sign_out_slip_pdf, self.ctx, loan_id), "钥匙借用单", "钥匙借用单.pdf")

    def print_slip(self):
        row = self._selected(self.out_view, self.out_model)
        if row is None:
            return info(self, "请先在借出列表中选择一条记录。")
        self._preview_slip(row["id"])

    def print_overdue(self):
        from app.desk.key_prints import overdue_list_pdf
        self._preview(run_action(self, overdue_list_pdf, self.ctx), "钥匙逾期未还清单", "钥匙逾期清单.pdf")

    def print_inspection_sheet(self):
        from app.desk.key_prints import inspection_sheet_pdf
        self._preview(run_action(self, inspection_sheet_pdf, self.ctx, self.due_only.isChecked()),
                      "空置房巡查表", "空置房巡查表.pdf")

    def print_register(self):
        from app.desk.key_prints import register_sheet_pdf
        self._preview(run_action(self, register_sheet_pdf, self.ctx), "钥匙登记表", "钥匙登记表.pdf")
