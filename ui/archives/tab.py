"""业主档案: the owner archives tab.

Left: the site tree and the filter box (ui/archives/site_tree.py). Right: the search box, the buttons
and the table of homes (ui/archives/homes_pane.py) over the household pane (ui/archives/household.py).
Structure actions: ui/archives/structure_menu.py. Widgets call the app.archives services; they build
no queries. Writes here tell the other tabs (ui.common.runner.notify_changed), and writes elsewhere
({"archives", "ledger", "parking", "movein"}) reload this tab's rows when it is next shown.
"""
from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QFileDialog, QSplitter, QVBoxLayout, QWidget

from app.archives.checklist import building_completeness, cluster_completeness, site_completeness
from app.archives.common import fmt_pct
from app.archives.listing import HomeFilter, list_home_ids
from app.core.permissions import allowed
from ui.archives.homes_pane import exact_home, homes_pane
from ui.archives.household import HouseholdPane
from ui.archives.site_tree import FilterBox, SiteTree, left_pane
from ui.archives.structure_menu import StructureActions
from ui.common.ops import info, run_action
from ui.common.runner import NewsFollower, Op, notify_changed, wait_all

WATCHED = frozenset({"archives", "ledger", "parking", "movein"})   # kinds of change shown in this tab
WARM_UP_MS = 300


class Tab(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.filter = HomeFilter()
        self.news = NewsFollower(self, WATCHED, self.refresh_all)
        self._generation = 0
        self._site_rate = self._local_rate = ""
        self.structure = StructureActions(self)
        # left: tree and filters
        self.tree = SiteTree(ctx)
        self.tree.customContextMenuRequested.connect(self._tree_menu)
        self.tree.currentItemChanged.connect(self._tree_changed)
        self.filters = FilterBox(self.apply)
        self.filters.reset_button.clicked.connect(self.reset_filters)
        for name in ("state_box", "category_box", "key_box", "arrears_box", "incomplete_box"):
            setattr(self, name, getattr(self.filters, name))
        # right: search, buttons, table over the household pane
        table_w = homes_pane(self)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.doubleClicked.connect(lambda _i: self.pane.tabs.setCurrentIndex(0))
        self.pane = HouseholdPane(self)
        self.rsplit = QSplitter(Qt.Orientation.Vertical)
        self.rsplit.addWidget(table_w)
        self.rsplit.addWidget(self.pane)
        self.rsplit.setStretchFactor(0, 3)
        self.rsplit.setStretchFactor(1, 2)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left_pane(self.tree, self.filters))
        self.splitter.addWidget(self.rsplit)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([270, 1000])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.splitter)
        self._restore_state()
        self.reload_tree()
        self.apply()
        self.model.on_sort = self._sort   # header clicks re-query in SQL from now on
        QTimer.singleShot(WARM_UP_MS, self._warm_up)   # after the first paint, not competing with it

    # helpers ---------------------------------------------------------------------------------------
    def can(self, action: str) -> bool:
        return allowed(getattr(self.ctx.user, "role", None), action)

    def _warm_up(self):
        """After the first paint, off the GUI thread: load the in-memory search index and compute
        the site's completeness rate (≈0.3–2 s at 50,000 homes)."""
        from app.archives import search
        Op(self, self.ctx, search.search_home_ids, "\x00").failure(lambda _e: None).run()
        self.update_rates()

    def wait_background(self, msecs: int = 30000):
        """Wait for this tab's background work (tests)."""
        wait_all(msecs)

    def reload_tree(self):
        self.tree.reload()

    def select_tree(self, kind: str, pk: int | None = None):
        """Select the tree node of a cluster/building/entrance (or the site)."""
        self.tree.select(kind, pk)

    def _tree_changed(self, item, _prev=None):
        kind, hid = self.tree.node(item)
        self.filter.cluster_id = hid if kind == "cluster" else None
        self.filter.building_id = hid if kind == "building" else None
        self.filter.entrance_id = hid if kind == "entrance" else None
        self.apply()
        self.update_rates(site=False)

    def reset_filters(self):
        self.filters.clear_quietly()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.apply()

    # the table -------------------------------------------------------------------------------------------
    FIRST_SCREEN = 200   # rows loaded at once; the rest right after the table is painted

    def apply(self, *_):
        """Read the filter widgets and the search box, ask the service for the ids, reset the model.
        The first screen of ids comes at once, the rest (up to 50,000) a moment later."""
        self._timer.stop()
        f = self.filter
        self.filters.fill(f)
        f.text = self.search.text()
        self._generation += 1
        current = self.pane.detail["id"] if self.pane.detail else None
        exact = exact_home(f.text)   # a room code typed in full opens that home alone, at once
        ids = [exact] if exact is not None else run_action(self, list_home_ids, self.ctx, f, self.FIRST_SCREEN) or []
        self.model.set_ids(ids)
        if len(ids) < self.FIRST_SCREEN:
            self.count_label.setText(f"共 {len(ids)} 户")
        else:
            self.count_label.setText(f"共 {len(ids)}+ 户")
            QTimer.singleShot(30, lambda g=self._generation, cur=current: self._load_rest(g, cur))
        row = self.model.row_for_home(current) if current is not None else -1
        if row < 0 and len(ids) == 1:
            row = 0
        if row >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        elif current is None or len(ids) < self.FIRST_SCREEN:
            self.pane.load(None)

    def _load_rest(self, generation, current):
        if generation != self._generation:
            return   # the filter changed meanwhile
        ids = run_action(self, list_home_ids, self.ctx, self.filter) or []
        shown = self.model.ids()
        if ids[:len(shown)] == shown:
            self.model.append_ids(ids[len(shown):])
        else:
            self.model.set_ids(ids)
        self.count_label.setText(f"共 {len(ids)} 户")
        if current is not None and not self.table.selectionModel().hasSelection():
            row = self.model.row_for_home(current)
            if row >= 0:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
            else:
                self.pane.load(None)

    def finish_loading(self):
        """Load the rest of the ids now (tests, and before acting on the whole list)."""
        self._load_rest(self._generation, self.current_home_id())

    def _sort(self, key: str, descending: bool):
        self.filter.sort, self.filter.descending = key, descending
        self.apply()

    def _row_changed(self, current, _previous):
        hid = self.model.home_id(current.row()) if current.isValid() else None
        if hid is not None and self.pane.detail and self.pane.detail["id"] == hid:
            return
        self.pane.load(hid)

    def current_home_id(self):
        return self.pane.detail["id"] if self.pane.detail else None

    def show_home(self, home_id: int):
        """Clear the filters and select *home_id* in the table."""
        self.tree.blockSignals(True)
        self.tree.setCurrentItem(self.tree.topLevelItem(0))
        self.tree.blockSignals(False)
        self.filter.cluster_id = self.filter.building_id = self.filter.entrance_id = None
        self.reset_filters()
        row = self.model.row_for_home(home_id)
        if row >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtCenter)

    def household_changed(self, home_id):
        """A write in the household pane: rebuild that row, the pane, and the rates; tell the other tabs."""
        self.model.refresh_rows([home_id] if home_id else None)
        if home_id:
            self.pane.load(home_id)
        self.update_rates()
        notify_changed(self, "archives")

    def structure_changed(self, home_id=None):
        """A structure action: the tree again, then the edited home or the whole list."""
        self.reload_tree()
        if home_id:
            self.model.refresh_rows([home_id])
            self.pane.load(home_id)
        else:
            self.apply()
        notify_changed(self, "archives")

    def on_data_changed(self, kinds, source):
        """Another tab wrote: reload the rows (and the filter's ids) now if shown, else when shown."""
        self.news.follow(kinds, source)

    def refresh_all(self):
        self.model.refresh_rows(None)
        self.apply()
        current = self.current_home_id()
        if current is not None:
            self.pane.load(current)
        self.update_rates()

    def update_rates(self, site: bool = True):
        """Completeness of the selected building/cluster now; of the whole site in the background."""
        kind, pk = self.tree.node()
        self._local_rate = ""
        if kind == "building":
            b = building_completeness(self.ctx, pk)
            self._local_rate = f"本楼栋档案完整率 {fmt_pct(b['pct'])}"
        elif kind == "cluster":
            c = cluster_completeness(self.ctx, pk)
            self._local_rate = f"本组团档案完整率 {fmt_pct(c['pct'])}"
        self._show_rates()
        if site:
            Op(self, self.ctx, site_completeness, self.ctx).success(self._site_ready).failure(self._site_failed).run()

    def _site_ready(self, s):
        self._site_rate = f"全小区档案完整率 {fmt_pct(s['pct'])}（齐全 {s['complete_homes']}/{s['homes']} 户）"
        self._show_rates()

    def _site_failed(self, _exc):
        self._site_rate = "全小区档案完整率 —"
        self._show_rates()

    def _show_rates(self):
        self.rate_label.setText("　".join(p for p in (self._local_rate, self._site_rate) if p))

    # actions -------------------------------------------------------------------------------------------
    def print_owner_info(self):
        hid = self.current_home_id()
        if hid is None:
            info(self, "请先选择一户。")
            return
        try:
            from app.archives.owner_info import owner_info_pdf
        except ImportError:
            info(self, "业主信息表的打印模块尚未安装。")
            return
        from ui.common.print_preview import preview
        pdf = run_action(self, owner_info_pdf, self.ctx, hid, title="无法打印")
        if pdf:
            room = self.pane.detail["room_code"]
            return preview(self, pdf, f"业主信息表 — {room}", f"业主信息表-{room}.pdf")

    def import_owners(self):
        from ui.golive.wizard import ImportWizard
        dlg = ImportWizard(self.ctx, self)
        dlg.exec()
        if dlg.result_value is not None:
            self.reload_tree()
            self.apply()
            self.update_rates()
            notify_changed(self, "archives")

    def open_worklist(self):
        """待核对: the values an import could not accept; 定位 shows the item's home here."""
        from ui.golive.worklist_dialog import WorklistDialog
        dlg = WorklistDialog(self.ctx, self, locate=lambda hid: (dlg.accept(), self.show_home(hid)))
        dlg.exec()

    def export_owners(self, path: str | None = None):
        from app.archives import excel_export as excel_owners
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "导出业主档案", "业主信息台账.xlsx", "Excel 文件 (*.xlsx)")
        if not path:
            return
        from ui.common.progress import ProgressRun  # in the background: progress, 取消 keeps no file
        self.last_run = ProgressRun(self, self.ctx, "正在导出业主档案…", excel_owners.export_owners, self.ctx, path,
                                    title="导出失败").success(lambda n: info(self, f"已导出 {n} 行到 {path}")).run()
        return self.last_run

    def open_stats(self):
        from ui.archives.stats import ArchiveStatsDialog
        dlg = ArchiveStatsDialog(self.ctx, self)
        dlg.home_chosen.connect(lambda hid: (dlg.accept(), self.show_home(hid)))
        dlg.exec()

    # structure ---------------------------------------------------------------------------------------------
    def structure_menu(self, item, menu=None, with_home: bool = False):
        """Structure actions for a tree node (and, from the 结构 button, the selected home)."""
        return self.structure.menu(item, menu, with_home)

    def open_parking(self):
        """车位管理 (non-modal; the household pane reloads when it changes something)."""
        return self.pane.parking_page.open_parking()

    def _tree_menu(self, pos):
        menu = self.structure.context_menu(self.tree.itemAt(pos))
        if menu is not None:
            menu.exec(self.tree.viewport().mapToGlobal(pos))

    # state -----------------------------------------------------------------------------------------------
    def _restore_state(self):
        s = QSettings("PropertyDesk", "PropertyDesk")
        header = s.value("archives/header")
        if header is not None:
            self.table.horizontalHeader().restoreState(header)
        split = s.value("archives/splitter")
        if split is not None:
            self.splitter.restoreState(split)

    def save_state(self):
        s = QSettings("PropertyDesk", "PropertyDesk")
        s.setValue("archives/header", self.table.horizontalHeader().saveState())
        s.setValue("archives/splitter", self.splitter.saveState())
