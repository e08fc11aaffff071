"""业主档案: the household pane under the homes table — owners, residents and tenants, the archive
checklist with scans, visits, familiarity checks, parking. A write here calls the tab's
household_changed (the row, the pane and the rates reload; the other tabs are told)."""
from __future__ import annotations

import os

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.archives.checklist import DOC_NAMES, attach_document_scan, scan_path, set_document
from app.archives.common import fmt_pct
from app.archives.detail import home_detail
from app.archives.people import remove_owner, remove_resident, set_primary_owner
from app.archives.visits import VISIT_MOVEIN
from ui.archives.forms import familiarity_form, home_info_form, resident_form, visit_form
from ui.archives.owner_dialog import LinkOwnerDialog, OwnerDialog
from ui.common.icons import icon
from ui.common.ops import confirm, info, run_action
from ui.common.tables import fill_table, sortable

ID_ROLE = Qt.ItemDataRole.UserRole + 1
VISIT_HEADERS = ["日期", "类型", "拜访人", "住户情况", "意见", "问题", "安全提示", "对讲讲解", "满意度"]
FAMILIARITY_HEADERS = ["月份", "客服管理员", "姓名", "工作单位", "家庭", "缴费", "业主知道管家", "结果", "备注"]


def small_table(headers) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return sortable(t, fit=False)


def fill(t: QTableWidget, rows, ids=None):
    def with_id(it, i, j):
        if ids is not None and j == 0:
            it.setData(ID_ROLE, ids[i])
    fill_table(t, rows, with_id)


def selected_id(t: QTableWidget):
    row = t.currentRow()
    if row < 0 or t.item(row, 0) is None:
        return None
    return t.item(row, 0).data(ID_ROLE)


def yes_mark(v) -> str:
    return "✓" if v else ""


def header_html(d) -> str:
    """The household header: room, place, area, type, state, category; dates, manager, parking."""
    months = f"（入住 {d['months_since_move_in']} 个月）" if d["months_since_move_in"] is not None else ""
    cat = f"<b style='color:#1565C0'>{d['category']}</b>{months}" if d["category"] else "未入住"
    spaces = "、".join(f"{p['code']}（{p['level']}）" for p in d["parking"])
    return (f"<b style='font-size:14px'>{d['room_code']}</b>　{d['cluster']} · {d['building']}{d['entrance']} · "
            f"{d['area']}㎡ · {d['house_type']} · {d['state']} · {d['occupancy']}　客户类别：{cat}"
            f"<br>交房：{d['handover_date'] or '—'}　入住：{d['move_in_date'] or '—'}"
            f"　客服管理员：{d['area_manager'] or '未指定'}"
            + (f"　车位：{spaces}" if spaces else ""))


def owner_cells(o) -> tuple:
    arrears = ("欠费：" + o["arrears_reason"]) if o["arrears_flag"] else ""
    return (o["name"], "主业主" if o["is_primary"] else "共有人", o["phone"], o["id_masked"], o["employer"],
            o["key_customer_tags"].replace(",", "、"), arrears, "、".join(o["home_rooms"]))


def person_cells(p) -> tuple:
    lease = f"{p['lease_from'] or ''} 至 {p['lease_to'] or ''}" if p["is_tenant"] else ""
    return (p["name"], "租户" if p["is_tenant"] else "常住", p["relation"], p["phone"], p["id_masked"],
            p["employer"], lease)


def visit_cells(x) -> tuple:
    return (x["visit_date"], x["kind"], x["staff"], x["residents_info"], x["opinions"], x["questions"],
            yes_mark(x["safety_advice_given"]), yes_mark(x["intercom_explained"]), x["satisfaction"] or "")


KNEW = {None: "未致电", True: "知道", False: "不知道"}


def familiarity_cells(x) -> tuple:
    return (x["month"], x["area_manager"], yes_mark(x["knew_name"]), yes_mark(x["knew_employer"]),
            yes_mark(x["knew_family"]), yes_mark(x["knew_payment"]), KNEW[x["owner_knows_manager"]],
            "熟知" if x["passed"] else "不熟知", x["notes"])


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
        self.owners = small_table(["业主", "主/共有", "电话", "证件号", "工作单位", "重点客户", "欠费", "名下房屋"])
        self.owners.doubleClicked.connect(self.edit_owner)
        bar = self._bar([("add", "新增业主", self.add_owner, can_edit), ("edit", "编辑", self.edit_owner, can_edit),
                         ("user", "关联已有业主", self.link_owner, can_edit),
                         ("star", "设为主业主", self.make_primary, can_edit),
                         ("delete", "移除业主", self.remove_owner, can_edit)])
        self.former = QLabel("")
        self.former.setStyleSheet("color: #666;")
        self.tabs.addTab(self._page(bar, self.owners, self.former), icon("user"), "业主")
        # residents and tenants
        self.people = small_table(["姓名", "类别", "关系", "电话", "证件号", "工作单位", "租期"])
        self.people.doubleClicked.connect(self.edit_person)
        bar = self._bar([("add", "登记常住人员", self.add_resident, can_edit),
                         ("add", "登记租户", self.add_tenant, can_edit),
                         ("edit", "编辑", self.edit_person, can_edit),
                         ("delete", "删除", self.remove_person, can_edit)])
        self.tabs.addTab(self._page(bar, self.people), "住户/租户")
        # archive checklist
        self.docs = small_table(["资料", "类别", "在档", "收到日期", "扫描件"])
        self.docs.doubleClicked.connect(self.view_scan)
        self.completeness = QLabel("")
        bar = self._bar([("ok", "标记在档", lambda: self.mark_doc(True), can_edit),
                         ("delete", "取消在档", lambda: self.mark_doc(False), can_edit),
                         ("attach", "附加扫描件…", self.attach_scan, can_edit),
                         ("search", "查看扫描件", self.view_scan, True)])
        self.tabs.addTab(self._page(bar, self.docs, self.completeness), "档案资料")
        # visits
        self.visits = small_table(VISIT_HEADERS)
        bar = self._bar([("visit", "登记拜访", self.add_visit, tab.can("archive.visit"))])
        self.tabs.addTab(self._page(bar, self.visits), "拜访记录")
        # familiarity
        self.fam = small_table(FAMILIARITY_HEADERS)
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
        d = self.detail = home_detail(self.ctx, home_id)
        self.setEnabled(True)
        self.info_button.setEnabled(True)
        from app.ledger.paid_until import paid_until_text  # 已缴至 (one query per source for this home)
        self.header.setText(header_html(d) + "".join(f"<br>已缴至：{t}" for t in [paid_until_text(home_id)] if t))
        fill(self.owners, [owner_cells(o) for o in d["owners"]], [o["id"] for o in d["owners"]])
        former = "、".join(f"{o['name']}（至 {o['until']}）" for o in d["former_owners"])
        self.former.setText(f"原业主：{former}" if former else "")
        people = d["residents"] + d["tenants"]
        fill(self.people, [person_cells(p) for p in people], [p["id"] for p in people])
        docs = d["documents"]
        fill(self.docs, [(x["name"], x["group"], yes_mark(x["on_file"]), x["received_at"], len(x["scans"]) or "")
                         for x in docs], [x["code"] for x in docs])
        c = d["completeness"]
        self.completeness.setText(f"本户档案完整率：{fmt_pct(c['pct'])}（{c['on_file']}/{c['total']}）"
                                  + ("，资料齐全" if c["complete"] else "，资料不全"))
        fill(self.visits, [visit_cells(x) for x in d["visits"]], [x["id"] for x in d["visits"]])
        fill(self.fam, [familiarity_cells(x) for x in d["familiarity"]], [x["id"] for x in d["familiarity"]])
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
        oid = selected_id(self.owners)
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
        oid = selected_id(self.owners)
        if oid is not None and run_action(self, set_primary_owner, self.ctx, self.detail["id"], oid) is None:
            self._changed()

    def remove_owner(self):
        oid = selected_id(self.owners)
        if oid is None:
            return
        name = self.owners.item(self.owners.currentRow(), 0).text()
        if confirm(self, f"确认 {name} 不再是 {self.detail['room_code']} 的业主？（记录保留为原业主）"):
            run_action(self, remove_owner, self.ctx, self.detail["id"], oid)
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
        p = self._person(selected_id(self.people))
        if p is None:
            info(self, "请先在列表中选择一位常住人员或租户。")
            return
        if not self.tab.can("archive.edit"):
            return
        if resident_form(self.ctx, self.detail["id"], p, parent=self).exec():
            self._changed()

    def remove_person(self):
        p = self._person(selected_id(self.people))
        if p is None:
            info(self, "请先在列表中选择一位常住人员或租户。")
            return
        if confirm(self, f"删除{'租户' if p['is_tenant'] else '常住人员'} {p['name']}？"):
            run_action(self, remove_resident, self.ctx, p["id"])
            self._changed()

    # documents --------------------------------------------------------------------------------------
    def mark_doc(self, on_file: bool):
        code = selected_id(self.docs)
        if code is not None:
            run_action(self, set_document, self.ctx, self.detail["id"], code, on_file)
            self._changed()

    def attach_scan(self, path: str | None = None):
        code = selected_id(self.docs)
        if code is None:
            info(self, "请先选择一项资料。")
            return
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, f"附加扫描件：{DOC_NAMES[code]}", "",
                                                  "扫描件 (*.pdf *.jpg *.jpeg *.png *.tif *.tiff);;所有文件 (*)")
        if path and run_action(self, attach_document_scan, self.ctx, self.detail["id"], code, path) is not None:
            self._changed()

    def view_scan(self, *_):
        code = selected_id(self.docs)
        doc = next((x for x in self.detail["documents"] if x["code"] == code), None) if self.detail else None
        if not doc or not doc["scans"]:
            info(self, "该项资料没有扫描件。")
            return
        path = run_action(self, scan_path, self.ctx, doc["scans"][-1]["id"], title="无法打开扫描件")
        if path is not None and os.environ.get("QT_QPA_PLATFORM") != "offscreen":
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    # visits, familiarity, home info ----------------------------------------------------------------------
    def add_visit(self):
        kind = VISIT_MOVEIN if not self.detail["visits"] else "日常拜访"
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
