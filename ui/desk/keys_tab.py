"""钥匙登记 tab: keys out (overdue first in red), the key catalogue with sign-out, return and
history, and the weekly vacant-home inspection list. Widgets call app.desk.keys; no queries here."""
from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QTabWidget, QVBoxLayout, QWidget

from app.core.permissions import allowed
from app.desk import inspections, keys
from ui.common.icons import icon
from ui.common.ops import info, run_action
from ui.common.runner import notify_changed
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

OUT_PAGE, CATALOGUE_PAGE, VACANT_PAGE = range(3)
NEWS = frozenset({"keys", "movein", "archives"})   # key writes, hand-over (door keys leave), home states


class Tab(QWidget):
    def __init__(self, ctx, main_window=None):
        super().__init__(main_window)
        self.ctx = ctx
        self.main_window = main_window
        role = getattr(ctx.user, "role", None)
        self.can_sign = allowed(role, "keys.sign")
        self.can_edit = allowed(role, "keys.edit")
        self.can_reveal = allowed(role, "pii.view_full")
        self.summary = QLabel()
        self.summary.setObjectName("keys_summary")
        self.inner = QTabWidget(self)
        self.inner.addTab(self._build_out_page(), icon("out"), "借出中")
        self.inner.addTab(self._build_catalogue_page(), icon("keys"), "钥匙目录")
        self.inner.addTab(self._build_vacant_page(), icon("visit"), "空置房巡查")
        self.inner.currentChanged.connect(lambda _i: self.refresh())
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.inner)
        self.refresh()

    # building -----------------------------------------------------------------------------------
    def _build_out_page(self) -> QWidget:
        """借出中: the keys out, overdue first."""
        page = QWidget()
        self.out_model = keys_out_model(self)
        self.out_view = table_view(self.out_model, page, "keys_out")
        self.out_view.doubleClicked.connect(lambda _i: self.return_selected())
        bar = QHBoxLayout()
        self.return_button = button("归还…", "in", self.return_selected, enabled=self.can_sign)
        bar.addWidget(self.return_button)
        bar.addWidget(button("打印借用单", "print", self.print_slip))
        bar.addWidget(button("打印逾期清单", "print", self.print_overdue))
        self.phone_button = button("显示完整电话", "user", self.reveal_phone, enabled=self.can_reveal)
        bar.addWidget(self.phone_button)
        bar.addStretch(1)
        bar.addWidget(button("刷新", "refresh", self.refresh))
        lay = QVBoxLayout(page)
        lay.addLayout(bar)
        lay.addWidget(self.out_view)
        return page

    def _build_catalogue_page(self) -> QWidget:
        """钥匙目录: search, the catalogue and its actions."""
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
        lay = QVBoxLayout(page)
        lay.addLayout(bar)
        lay.addLayout(self._build_catalogue_actions())
        lay.addWidget(self.cat_view)
        return page

    def _build_catalogue_actions(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.sign_button = button("借出…", "out", self.sign_out_selected, enabled=self.can_sign)
        self.cat_return_button = button("归还…", "in", self.return_from_catalogue, enabled=self.can_sign)
        bar.addWidget(self.sign_button)
        bar.addWidget(self.cat_return_button)
        bar.addWidget(button("历史记录…", "search", self.history_selected))
        self.add_button = button("新增钥匙…", "add", self.add_key, enabled=self.can_edit)
        bar.addWidget(self.add_button)
        bar.addWidget(button("编辑…", "edit", self.edit_key, enabled=self.can_edit))
        self.register_doors_button = button("登记空置房钥匙", "keys", self.register_door_keys, enabled=self.can_edit)
        self.register_doors_button.setToolTip("为所有未交付、空置且尚未登记的房屋登记入户门钥匙（每户2把，存放客服前台）")
        bar.addWidget(self.register_doors_button)
        bar.addStretch(1)
        bar.addWidget(button("打印钥匙登记表", "print", self.print_register))
        return bar

    def _build_vacant_page(self) -> QWidget:
        """空置房巡查: the vacant and undelivered homes with their inspections due."""
        page = QWidget()
        self.due_only = QCheckBox("只看本周待巡查")
        self.due_only.toggled.connect(lambda _c: self.refresh_vacant())
        self.vacant_label = QLabel()
        self.vac_model = vacant_model(self)
        self.vac_view = table_view(self.vac_model, page, "keys_vacant")
        self.vac_view.doubleClicked.connect(lambda _i: self.inspect_selected())
        bar = QHBoxLayout()
        self.inspect_button = button("登记巡查…", "visit", self.inspect_selected, enabled=self.can_sign)
        bar.addWidget(self.inspect_button)
        bar.addWidget(self.due_only)
        bar.addWidget(self.vacant_label)
        bar.addStretch(1)
        bar.addWidget(button("打印巡查表", "print", self.print_inspection_sheet))
        lay = QVBoxLayout(page)
        lay.addLayout(bar)
        lay.addWidget(self.vac_view)
        return page

    # data ---------------------------------------------------------------------------------------
    def save_state(self):
        save_columns(self.out_view, self.cat_view, self.vac_view)

    def showEvent(self, event):
        """Other tabs change these lists too (hand-over takes door keys away): refresh on view."""
        super().showEvent(event)
        if getattr(self, "_shown_once", False):
            self.refresh()
        self._shown_once = True

    def on_data_changed(self, kinds, source):
        """Keys written elsewhere (another window's key tab, a hand-over, a home's state): the lists
        again now when shown; a hidden tab reloads when it is shown (showEvent)."""
        if source is self or not (NEWS & set(kinds)):
            return
        if self.isVisible():
            self.refresh()

    def written(self):
        """After a key write here: the lists again, the other tabs told."""
        self.refresh()
        notify_changed(self, "keys")

    def refresh(self):
        rows = keys.keys_out(self.ctx)
        self.out_model.set_rows(rows)
        self.summary.setText(overdue_summary(rows, "把钥匙", "把"))
        page = self.inner.currentIndex()
        if page == CATALOGUE_PAGE:
            self.refresh_catalogue()
        elif page == VACANT_PAGE:
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
            self.written()
            if dlg.print_slip.isChecked():
                self._preview_slip(dlg.result_value.id)

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
            self.inner.setCurrentIndex(OUT_PAGE)
            return info(self, f"钥匙“{row['area']}”有{len(out)}把借出，请在“借出中”列表选择归还哪一把。")
        self._return(out[0])

    def _return(self, row):
        dlg = KeyReturnDialog(self.ctx, row, self)
        if dlg.exec():
            self.written()

    def history_selected(self):
        row = self._selected(self.cat_view, self.cat_model)
        if row is None:
            return info(self, "请先在钥匙目录中选择一把钥匙。")
        KeyHistoryDialog(self.ctx, row["id"], self).exec()

    def add_key(self):
        dlg = KeyEditDialog(self.ctx, None, self)
        if dlg.exec():
            self.written()

    def edit_key(self):
        row = self._selected(self.cat_view, self.cat_model)
        if row is None:
            return info(self, "请先在钥匙目录中选择一把钥匙。")
        dlg = KeyEditDialog(self.ctx, row["id"], self)
        if dlg.exec():
            self.written()

    def register_door_keys(self):
        n = run_action(self, keys.register_missing_door_keys, self.ctx)
        if n is not None:
            if n:
                self.written()
            info(self, f"已登记 {n} 户房屋的入户门钥匙。" if n else "未交付、空置房屋的入户门钥匙均已登记。")

    def inspect_selected(self):
        row = self._selected(self.vac_view, self.vac_model)
        if row is None:
            return info(self, "请先选择一套空置房。")
        dlg = InspectionDialog(self.ctx, row, self)
        if dlg.exec():
            self.written()

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
