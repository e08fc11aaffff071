"""业主档案: the owner archives tab.

Left: the site tree (site → clusters → buildings → entrances) and the filter bar. Right: the
search box (as you type, 150 ms debounce), the table of homes (ids only; rows built a block at a
time), and the household pane (owners, residents and tenants, archive checklist with scans,
visits, familiarity checks). Widgets call app.archives.archives; they build no queries.
"""
from __future__ import annotations

import os

from PySide6.QtCore import QObject, QRunnable, QSettings, Qt, QThreadPool, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.archives import archives as ar
from app.archives.customers import CATEGORIES
from app.core.permissions import allowed
from models.property import HOME_STATES
from ui.archives.forms import familiarity_form, home_info_form, new_home_form, resident_form, structure_form, visit_form
from ui.archives.owner_dialog import LinkOwnerDialog, OwnerDialog
from ui.archives.table_models import HomesModel
from ui.common.icons import icon
from ui.common.ops import confirm, info, run_action

ALL = "全部"
KIND_ROLE = Qt.ItemDataRole.UserRole
ID_ROLE = Qt.ItemDataRole.UserRole + 1


def _small_table(headers) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _fill(t: QTableWidget, rows, ids=None):
    t.setRowCount(len(rows))
    for i, row in enumerate(rows):
        for j, val in enumerate(row):
            it = QTableWidgetItem("" if val is None else str(val))
            if ids is not None and j == 0:
                it.setData(ID_ROLE, ids[i])
            t.setItem(i, j, it)


def _selected_id(t: QTableWidget):
    row = t.currentRow()
    if row < 0 or t.item(row, 0) is None:
        return None
    return t.item(row, 0).data(ID_ROLE)


def _yn(v) -> str:
    return "✓" if v else ""


class _Signals(QObject):
    done = Signal(object)


class _Job(QRunnable):
    """Read-only work off the GUI thread (its own database connection, closed afterwards)."""

    def __init__(self, ctx, fn):
        super().__init__()
        self.ctx, self.fn, self.signals = ctx, fn, _Signals()

    def run(self):
        try:
            result = self.fn()
        except Exception as exc:  # reported to the GUI thread, shown as "—"
            result = exc
        finally:
            try:
                self.ctx.db.close()      # this thread's connection only
            except Exception:
                pass
        try:
            self.signals.done.emit(result)
        except RuntimeError:   # the tab (and the application) closed meanwhile
            pass


class HouseholdPane(QWidget):
    """The household of the selected home."""

    def __init__(self, tab):
        super().__init__(tab)
        self.tab, self.ctx = tab, tab.ctx
        self.detail = None
        self.header = QLabel("请在表格中选择一户")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.tabs = QTabWidget()
        can_edit = tab.can("archive.edit")
        # owners
        self.owners = _small_table(["业主", "主/共有", "电话", "证件号", "工作单位", "重点客户", "欠费", "名下房屋"])
        self.owners.doubleClicked.connect(self.edit_owner)
        bar = self._bar([("add", "新增业主", self.add_owner, can_edit), ("edit", "编辑", self.edit_owner, can_edit),
                         ("user", "关联已有业主", self.link_owner, can_edit),
                         ("star", "设为主业主", self.make_primary, can_edit),
                         ("delete", "移除业主", self.remove_owner, can_edit)])
        self.former = QLabel("")
        self.former.setStyleSheet("color: #666;")
        self.tabs.addTab(self._page(bar, self.owners, self.former), icon("user"), "业主")
        # residents and tenants
        self.people = _small_table(["姓名", "类别", "关系", "电话", "证件号", "工作单位", "租期"])
        self.people.doubleClicked.connect(self.edit_person)
        bar = self._bar([("add", "登记常住人员", self.add_resident, can_edit), ("add", "登记租户", self.add_tenant, can_edit),
                         ("edit", "编辑", self.edit_person, can_edit), ("delete", "删除", self.remove_person, can_edit)])
        self.tabs.addTab(self._page(bar, self.people), "住户/租户")
        # archive checklist
        self.docs = _small_table(["资料", "类别", "在档", "收到日期", "扫描件"])
        self.docs.doubleClicked.connect(self.view_scan)
        self.completeness = QLabel("")
        bar = self._bar([("ok", "标记在档", lambda: self.mark_doc(True), can_edit),
                         ("delete", "取消在档", lambda: self.mark_doc(False), can_edit),
                         ("attach", "附加扫描件…", self.attach_scan, can_edit),
                         ("search", "查看扫描件", self.view_scan, True)])
        self.tabs.addTab(self._page(bar, self.docs, self.completeness), "档案资料")
        # visits
        self.visits = _small_table(["日期", "类型", "拜访人", "住户情况", "意见", "问题", "安全提示", "对讲讲解", "满意度"])
        bar = self._bar([("visit", "登记拜访", self.add_visit, tab.can("archive.visit"))])
        self.tabs.addTab(self._page(bar, self.visits), "拜访记录")
        # familiarity
        self.fam = _small_table(["月份", "客服管理员", "姓名", "工作单位", "家庭", "缴费", "业主知道管家", "结果", "备注"])
        bar = self._bar([("ok", "登记熟知率检查", self.add_familiarity, tab.can("archive.familiarity"))])
        self.tabs.addTab(self._page(bar, self.fam), "熟知率")
        # parking spaces, vehicles and car cards, monthly services (ui/dialogs/parking_household.py)
        from ui.parking.household import HouseholdParkingPage
        self.parking_page = HouseholdParkingPage(self)
        self.tabs.addTab(self.parking_page, icon("car"), "车位/车辆")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.header, 1)
        self.info_button = QPushButton(icon("edit"), "房屋信息…")
        self.info_button.clicked.connect(self.edit_home_info)
        self.info_button.setEnabled(False)
        self.info_button.setVisible(can_edit)
        head.addWidget(self.info_button)
        lay.addLayout(head)
        lay.addWidget(self.tabs, 1)
        self.setEnabled(False)

    def _bar(self, specs):
        row = QHBoxLayout()
        for ic, text, slot, enabled in specs:
            b = QPushButton(icon(ic), text)
            b.setObjectName("btn_" + text)
            b.clicked.connect(lambda _c=False, s=slot: s())
            b.setEnabled(enabled)
            row.addWidget(b)
        row.addStretch(1)
        return row

    def _page(self, bar, table, note=None):
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(bar)
        lay.addWidget(table, 1)
        if note is not None:
            lay.addWidget(note)
        return w

    # loading -------------------------------------------------------------------------------------
    def load(self, home_id):
        if home_id is None:
            self.detail = None
            self.setEnabled(False)
            self.header.setText("请在表格中选择一户")
            for t in (self.owners, self.people, self.docs, self.visits, self.fam):
                t.setRowCount(0)
            self.parking_page.load(None)
            return
        d = self.detail = ar.home_detail(self.ctx, home_id)
        self.setEnabled(True)
        self.info_button.setEnabled(True)
        months = f"（入住 {d['months_since_move_in']} 个月）" if d["months_since_move_in"] is not None else ""
        cat = f"<b style='color:#1565C0'>{d['category']}</b>{months}" if d["category"] else "未入住"
        self.header.setText(
            f"<b style='font-size:14px'>{d['room_code']}</b>　{d['cluster']} · {d['building']}{d['entrance']} · "
            f"{d['area']}㎡ · {d['house_type']} · {d['state']} · {d['occupancy']}　客户类别：{cat}"
            f"<br>交房：{d['handover_date'] or '—'}　入住：{d['move_in_date'] or '—'}"
            f"　客服管理员：{d['area_manager'] or '未指定'}"
            + (f"　车位：{'、'.join(p['code'] + '（' + p['level'] + '）' for p in d['parking'])}" if d["parking"] else ""))
        _fill(self.owners, [(o["name"], "主业主" if o["is_primary"] else "共有人", o["phone"], o["id_masked"],
                             o["employer"], o["key_customer_tags"].replace(",", "、"),
                             ("欠费：" + o["arrears_reason"]) if o["arrears_flag"] else "", "、".join(o["home_rooms"]))
                            for o in d["owners"]], [o["id"] for o in d["owners"]])
        self.former.setText(("原业主：" + "、".join(f"{o['name']}（至 {o['until']}）" for o in d["former_owners"]))
                            if d["former_owners"] else "")
        people = d["residents"] + d["tenants"]
        _fill(self.people, [(p["name"], "租户" if p["is_tenant"] else "常住", p["relation"], p["phone"], p["id_masked"],
                             p["employer"], f"{p['lease_from'] or ''} 至 {p['lease_to'] or ''}" if p["is_tenant"] else "")
                            for p in people], [p["id"] for p in people])
        docs = d["documents"]
        _fill(self.docs, [(x["name"], x["group"], _yn(x["on_file"]), x["received_at"], len(x["scans"]) or "")
                          for x in docs], [x["code"] for x in docs])
        c = d["completeness"]
        self.completeness.setText(f"本户档案完整率：{ar.fmt_pct(c['pct'])}（{c['on_file']}/{c['total']}）"
                                  + ("，资料齐全" if c["complete"] else "，资料不全"))
        _fill(self.visits, [(x["visit_date"], x["kind"], x["staff"], x["residents_info"], x["opinions"], x["questions"],
                             _yn(x["safety_advice_given"]), _yn(x["intercom_explained"]), x["satisfaction"] or "")
                            for x in d["visits"]], [x["id"] for x in d["visits"]])
        knew = {None: "未致电", True: "知道", False: "不知道"}
        _fill(self.fam, [(x["month"], x["area_manager"], _yn(x["knew_name"]), _yn(x["knew_employer"]),
                          _yn(x["knew_family"]), _yn(x["knew_payment"]), knew[x["owner_knows_manager"]],
                          "熟知" if x["passed"] else "不熟知", x["notes"]) for x in d["familiarity"]],
              [x["id"] for x in d["familiarity"]])
        self.parking_page.load(d)

    def _changed(self):
        self.tab.household_changed(self.detail["id"] if self.detail else None)

    # owners -------------------------------------------------------------------------------------
    def add_owner(self):
        if not self.detail:
            return
        dlg = OwnerDialog(self.ctx, self.detail["id"], None, self, self.detail["room_code"])
        if dlg.exec():
            self._changed()

    def edit_owner(self, *_):
        oid = _selected_id(self.owners)
        if oid is None or not self.tab.can("archive.edit"):
            return
        dlg = OwnerDialog(self.ctx, self.detail["id"], oid, self, self.detail["room_code"])
        if dlg.exec():
            self._changed()

    def link_owner(self):
        dlg = LinkOwnerDialog(self.ctx, self.detail["id"], self.detail["room_code"], self)
        if dlg.exec():
            self._changed()

    def make_primary(self):
        oid = _selected_id(self.owners)
        if oid is not None and run_action(self, ar.set_primary_owner, self.ctx, self.detail["id"], oid) is None:
            self._changed()

    def remove_owner(self):
        oid = _selected_id(self.owners)
        if oid is None:
            return
        name = self.owners.item(self.owners.currentRow(), 0).text()
        if confirm(self, f"确认 {name} 不再是 {self.detail['room_code']} 的业主？（记录保留为原业主）"):
            run_action(self, ar.remove_owner, self.ctx, self.detail["id"], oid)
            self._changed()

    # residents ------------------------------------------------------------------------------------
    def _person(self, pid):
        for p in self.detail["residents"] + self.detail["tenants"]:
            if p["id"] == pid:
                return p
        return None

    def add_resident(self):
        if resident_form(self.ctx, self.detail["id"], None, False, self).exec():
            self._changed()

    def add_tenant(self):
        if resident_form(self.ctx, self.detail["id"], None, True, self).exec():
            self._changed()

    def edit_person(self, *_):
        p = self._person(_selected_id(self.people))
        if p is not None and self.tab.can("archive.edit") and resident_form(self.ctx, self.detail["id"], p, parent=self).exec():
            self._changed()

    def remove_person(self):
        p = self._person(_selected_id(self.people))
        if p is not None and confirm(self, f"删除{'租户' if p['is_tenant'] else '常住人员'} {p['name']}？"):
            run_action(self, ar.remove_resident, self.ctx, p["id"])
            self._changed()

    # documents --------------------------------------------------------------------------------------
    def mark_doc(self, on_file: bool):
        code = _selected_id(self.docs)
        if code is not None:
            run_action(self, ar.set_document, self.ctx, self.detail["id"], code, on_file)
            self._changed()

    def attach_scan(self, path: str | None = None):
        code = _selected_id(self.docs)
        if code is None:
            info(self, "请先选择一项资料。")
            return
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, f"附加扫描件：{ar.DOC_NAMES[code]}", "",
                                                  "扫描件 (*.pdf *.jpg *.jpeg *.png *.tif *.tiff);;所有文件 (*)")
        if path and run_action(self, ar.attach_document_scan, self.ctx, self.detail["id"], code, path) is not None:
            self._changed()

    def view_scan(self, *_):
        code = _selected_id(self.docs)
        doc = next((x for x in self.detail["documents"] if x["code"] == code), None) if self.detail else None
        if not doc or not doc["scans"]:
            info(self, "该项资料没有扫描件。")
            return
        path = run_action(self, ar.scan_path, self.ctx, doc["scans"][-1]["id"], title="无法打开扫描件")
        if path is not None and not os.environ.get("QT_QPA_PLATFORM") == "offscreen":
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    # visits, familiarity, home info ----------------------------------------------------------------------
    def add_visit(self):
        kind = ar.VISIT_MOVEIN if not self.detail["visits"] else "日常拜访"
        if self.detail["owners"] and any(o["is_key_customer"] for o in self.detail["owners"]):
            kind = "重点客户拜访" if self.detail["visits"] else kind
        if visit_form(self.ctx, self.detail["id"], self.detail["room_code"], kind, self).exec():
            self._changed()

    def add_familiarity(self):
        if familiarity_form(self.ctx, self.detail["id"], self.detail["room_code"], self).exec():
            self._changed()

    def edit_home_info(self):
        if self.detail and home_info_form(self.ctx, self.detail, self).exec():
            self._changed()


class Tab(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.filter = ar.HomeFilter()
        # left: tree and filters -----------------------------------------------------------------
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["小区结构", "户数"])
        self.tree.setMinimumWidth(200)   # building names stay readable however narrow the splitter was left
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._tree_menu)
        self.tree.currentItemChanged.connect(self._tree_changed)
        self.tree.itemExpanded.connect(self._add_entrances)
        self.state_box = QComboBox()
        self.state_box.addItems([ALL] + HOME_STATES)
        self.category_box = QComboBox()
        self.category_box.addItems([ALL] + CATEGORIES + [ar.NOT_MOVED_IN])
        self.key_box = QCheckBox("仅重点客户")
        self.arrears_box = QCheckBox("仅欠费户")
        self.incomplete_box = QCheckBox("仅档案不全")
        for w in (self.state_box, self.category_box):
            w.currentIndexChanged.connect(self.apply)
        for w in (self.key_box, self.arrears_box, self.incomplete_box):
            w.toggled.connect(self.apply)
        fbox = QGroupBox("筛选")
        form = QFormLayout(fbox)
        form.addRow("房屋状态", self.state_box)
        form.addRow("客户类别", self.category_box)
        form.addRow(self.key_box)
        form.addRow(self.arrears_box)
        form.addRow(self.incomplete_box)
        reset = QPushButton("清除筛选")
        reset.clicked.connect(self.reset_filters)
        form.addRow(reset)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.tree, 1)
        ll.addWidget(fbox)
        # right: search, buttons, table, household ---------------------------------------------------
        self.search = QLineEdit()
        self.search.setObjectName("archive_search")
        self.search.setPlaceholderText("搜索：姓名（可用拼音或首字母，如 wjl）、电话、房号、身份证后四位（空格分隔多个词）")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.apply)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self.apply)      # Enter: search now, no pause
        self.count_label = QLabel()
        self.rate_label = QLabel()
        self.rate_label.setObjectName("rate_label")
        self.print_button = QPushButton(icon("print"), "打印业主信息表")
        self.print_button.clicked.connect(self.print_owner_info)
        self.import_button = QPushButton(icon("import"), "导入…")
        self.import_button.clicked.connect(self.import_owners)
        self.import_button.setEnabled(self.can("archive.import"))
        self.export_button = QPushButton(icon("export"), "导出…")
        self.export_button.clicked.connect(self.export_owners)
        self.export_button.setEnabled(self.can("archive.export"))
        self.stats_button = QPushButton(icon("visit"), "回访与统计…")
        self.stats_button.clicked.connect(self.open_stats)
        self.structure_button = QToolButton()
        self.structure_button.setText("结构")
        self.structure_button.setIcon(icon("settings"))
        self.structure_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.structure_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._button_menu = QMenu(self)
        self._button_menu.aboutToShow.connect(
            lambda: self._structure_menu(self.tree.currentItem(), self._button_menu, with_home=True))
        self.structure_button.setMenu(self._button_menu)
        self.structure_button.setEnabled(self.can("structure.edit"))
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count_label)
        buttons = QHBoxLayout()
        for b in (self.print_button, self.import_button, self.export_button, self.stats_button, self.structure_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.rate_label)
        self.model = HomesModel(lambda ids: ar.home_rows(self.ctx, ids), self)
        self.table = QTableView()
        self.table.setObjectName("homes_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        for col, width in enumerate((76, 80, 86, 66, 44, 56, 120, 100, 130, 84, 64, 70, 44)):
            self.table.setColumnWidth(col, width)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.doubleClicked.connect(lambda _i: self.pane.tabs.setCurrentIndex(0))
        self.pane = HouseholdPane(self)
        rsplit = QSplitter(Qt.Orientation.Vertical)
        table_w = QWidget()
        tl = QVBoxLayout(table_w)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addLayout(top)
        tl.addLayout(buttons)
        tl.addWidget(self.table, 1)
        rsplit.addWidget(table_w)
        rsplit.addWidget(self.pane)
        rsplit.setStretchFactor(0, 3)
        rsplit.setStretchFactor(1, 2)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(rsplit)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([270, 1000])
        self.rsplit = rsplit
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.splitter)
        self._site_rate = ""
        self._local_rate = ""
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._jobs = []
        self._restore_state()
        self.reload_tree()
        self.apply()
        self.model.on_sort = self._sort   # header clicks re-query in SQL from now on
        QTimer.singleShot(300, self._warm_up)   # after the first paint, not competing with it

    # helpers ---------------------------------------------------------------------------------------
    def can(self, action: str) -> bool:
        return allowed(getattr(self.ctx.user, "role", None), action)

    def _warm_up(self):
        """After the first paint, off the GUI thread: load the in-memory search index and compute
        the site's completeness rate (≈0.3–2 s at 50,000 homes)."""
        from app.archives import search
        self._background(lambda: search.search_home_ids("\x00"), lambda _r: None)
        self.update_rates()

    def _background(self, fn, done):
        job = _Job(self.ctx, fn)
        self._jobs.append(job)

        def finished(result, job=job):
            from shiboken6 import isValid
            if not isValid(self):      # the tab was closed while the job ran
                return
            if job in self._jobs:
                self._jobs.remove(job)
            done(result)
        job.signals.done.connect(finished)
        self.pool.start(job)

    def wait_background(self, msecs: int = 30000):
        self.pool.waitForDone(msecs)
        from PySide6.QtWidgets import QApplication
        QApplication.processEvents()

    def reload_tree(self):
        self.tree.blockSignals(True)
        self.tree.clear()
        self._pending_entrances = {}
        data = ar.structure_tree(self.ctx)
        root = QTreeWidgetItem([self.ctx.settings.get("site.name"), str(sum(c["homes"] for c in data))])
        root.setData(0, KIND_ROLE, "site")
        self.tree.addTopLevelItem(root)
        for c in data:
            ci = QTreeWidgetItem([c["label"], str(c["homes"])])
            ci.setData(0, KIND_ROLE, "cluster")
            ci.setData(0, ID_ROLE, c["id"])
            root.addChild(ci)
            for b in c["buildings"]:
                bi = QTreeWidgetItem([b["label"], str(b["homes"])])
                bi.setData(0, KIND_ROLE, "building")
                bi.setData(0, ID_ROLE, b["id"])
                ci.addChild(bi)
                if b["entrances"]:   # entrance items are made when the building is expanded
                    self._pending_entrances[id(bi)] = b["entrances"]
                    bi.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
        root.setExpanded(True)
        if len(data) <= 12:
            for i in range(root.childCount()):
                root.child(i).setExpanded(True)
        self.tree.setCurrentItem(root)
        self.tree.blockSignals(False)

    def _add_entrances(self, item):
        ents = self._pending_entrances.pop(id(item), None)
        if not ents:
            return
        for e in ents:
            ei = QTreeWidgetItem([e["label"], str(e["homes"])])
            ei.setData(0, KIND_ROLE, "entrance")
            ei.setData(0, ID_ROLE, e["id"])
            item.addChild(ei)

    def _tree_changed(self, item, _prev=None):
        kind = item.data(0, KIND_ROLE) if item else "site"
        hid = item.data(0, ID_ROLE) if item else None
        self.filter.cluster_id = hid if kind == "cluster" else None
        self.filter.building_id = hid if kind == "building" else None
        self.filter.entrance_id = hid if kind == "entrance" else None
        self.apply()
        self.update_rates(site=False)

    def select_tree(self, kind: str, pk: int | None = None):
        """Select the tree node of a cluster/building/entrance (or the site)."""
        it = self.tree.topLevelItem(0)
        stack = [it]
        while stack:
            node = stack.pop()
            if node.data(0, KIND_ROLE) == kind and (pk is None or node.data(0, ID_ROLE) == pk):
                self.tree.setCurrentItem(node)
                return
            if kind == "entrance" and node.data(0, KIND_ROLE) == "building":
                self._add_entrances(node)
            stack.extend(node.child(i) for i in range(node.childCount()))

    def reset_filters(self):
        for w in (self.state_box, self.category_box):
            w.blockSignals(True)
            w.setCurrentIndex(0)
            w.blockSignals(False)
        for w in (self.key_box, self.arrears_box, self.incomplete_box):
            w.blockSignals(True)
            w.setChecked(False)
            w.blockSignals(False)
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
        f.state = "" if self.state_box.currentText() == ALL else self.state_box.currentText()
        f.category = "" if self.category_box.currentText() == ALL else self.category_box.currentText()
        f.key_customer = self.key_box.isChecked()
        f.arrears = self.arrears_box.isChecked()
        f.incomplete = self.incomplete_box.isChecked()
        f.text = self.search.text()
        self._generation = getattr(self, "_generation", 0) + 1
        current = self.pane.detail["id"] if self.pane.detail else None
        ids = run_action(self, ar.list_home_ids, self.ctx, f, self.FIRST_SCREEN) or []
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
        ids = run_action(self, ar.list_home_ids, self.ctx, self.filter) or []
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
        """A write in the household pane: rebuild that row, the pane, and the rates."""
        self.model.refresh_rows([home_id] if home_id else None)
        if home_id:
            self.pane.load(home_id)
        self.update_rates()

    def update_rates(self, site: bool = True):
        """Completeness of the selected building/cluster now; of the whole site in the background."""
        item = self.tree.currentItem()
        kind = item.data(0, KIND_ROLE) if item else "site"
        self._local_rate = ""
        if kind == "building":
            b = ar.building_completeness(self.ctx, item.data(0, ID_ROLE))
            self._local_rate = f"本楼栋档案完整率 {ar.fmt_pct(b['pct'])}"
        elif kind == "cluster":
            c = ar.cluster_completeness(self.ctx, item.data(0, ID_ROLE))
            self._local_rate = f"本组团档案完整率 {ar.fmt_pct(c['pct'])}"
        self._show_rates()
        if site:
            self._background(lambda: ar.site_completeness(self.ctx), self._site_ready)

    def _site_ready(self, s):
        if isinstance(s, Exception):
            self._site_rate = "全小区档案完整率 —"
        else:
            self._site_rate = f"全小区档案完整率 {ar.fmt_pct(s['pct'])}（齐全 {s['complete_homes']}/{s['homes']} 户）"
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
            from app.printing.owner_info import owner_info_pdf
        except ImportError:
            info(self, "业主信息表的打印模块尚未安装。")
            return
        from ui.common.print_preview import preview
        pdf = run_action(self, owner_info_pdf, self.ctx, hid, title="无法打印")
        if pdf:
            room = self.pane.detail["room_code"]
            return preview(self, pdf, f"业主信息表 — {room}", f"业主信息表-{room}.pdf")

    def import_owners(self):
        from ui.archives.import_dialog import ImportDialog
        dlg = ImportDialog(self.ctx, self)
        dlg.exec()
        if dlg.result_value is not None:
            self.reload_tree()
            self.apply()
            self.update_rates()

    def export_owners(self, path: str | None = None):
        from app.archives import excel as excel_owners
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "导出业主档案", "业主信息台账.xlsx", "Excel 文件 (*.xlsx)")
        if not path:
            return
        n = run_action(self, excel_owners.export_owners, self.ctx, path, title="导出失败")
        if n is not None:
            info(self, f"已导出 {n} 行到 {path}")
        return n

    def open_stats(self):
        from ui.archives.stats import ArchiveStatsDialog
        dlg = ArchiveStatsDialog(self.ctx, self)
        dlg.home_chosen.connect(lambda hid: (dlg.accept(), self.show_home(hid)))
        dlg.exec()

    # structure ---------------------------------------------------------------------------------------------
    def _structure_menu(self, item, menu: QMenu | None = None, with_home: bool = False) -> QMenu:
        """Structure actions for a tree node (and, from the 结构 button, the selected home)."""
        menu = menu or QMenu(self)
        menu.clear()
        kind = item.data(0, KIND_ROLE) if item else None
        pk = item.data(0, ID_ROLE) if item else None
        label = item.text(0) if item else ""
        menu.addAction("新增组团…", lambda: self._structure_add("cluster", None, ""))
        if kind == "cluster":
            menu.addAction(f"在 {label} 新增楼栋…", lambda: self._structure_add("building", pk, label))
        if kind == "building":
            menu.addAction(f"在 {label} 新增单元…", lambda: self._structure_add("entrance", pk, label))
        if kind == "entrance":
            menu.addAction(f"在 {label} 新增房屋…", lambda: self._structure_add("home", pk, label))
        if kind in ("cluster", "building", "entrance"):
            menu.addSeparator()
            menu.addAction(f"删除 {label}", lambda: self._structure_delete(kind, pk, label))
        if with_home and self.pane.detail:
            room = self.pane.detail["room_code"]
            menu.addSeparator()
            menu.addAction(f"修改房屋 {room}（房号、面积、户型）…", self.edit_home_structure)
            menu.addAction(f"删除房屋 {room}", self.delete_home)
        menu.addSeparator()
        menu.addAction("车位管理…", self.open_parking)
        if kind not in ("cluster", "building", "entrance"):
            menu.addAction("在左侧结构树中选中组团、楼栋或单元可新增下级").setEnabled(False)
        return menu

    def edit_home_structure(self):
        from ui.archives.forms import edit_home_form
        d = self.pane.detail
        if d and edit_home_form(self.ctx, d, self).exec():
            self.reload_tree()
            self.model.refresh_rows([d["id"]])
            self.pane.load(d["id"])

    def delete_home(self):
        d = self.pane.detail
        if d and confirm(self, f"删除房屋 {d['room_code']}？（仅限误录入、无业主和住户的房屋）"):
            if run_action(self, ar.delete_home, self.ctx, d["id"], title="无法删除") is None:
                self.pane.load(None)
                self.reload_tree()
                self.apply()

    def open_parking(self):
        """车位管理 (non-modal; the household pane reloads when it changes something)."""
        return self.pane.parking_page.open_parking()

    def _tree_menu(self, pos):
        if not self.can("structure.edit"):
            return
        self._structure_menu(self.tree.itemAt(pos)).exec(self.tree.viewport().mapToGlobal(pos))

    def _structure_add(self, kind, parent_id, label):
        dlg = (new_home_form(self.ctx, parent_id, label, self) if kind == "home"
               else structure_form(self.ctx, kind, parent_id, label, self))
        if dlg.exec():
            self.reload_tree()
            self.apply()
        return dlg

    def _structure_delete(self, kind, pk, label):
        fn = {"cluster": ar.delete_cluster, "building": ar.delete_building, "entrance": ar.delete_entrance}[kind]
        if confirm(self, f"删除 {label}？"):
            run_action(self, fn, self.ctx, pk)
            self.reload_tree()
            self.apply()

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
