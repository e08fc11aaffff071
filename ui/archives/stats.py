"""Archive statistics: the 3-day visit due list, visit rates against their targets, the monthly
familiarity rate per area manager, and archive completeness per building and for the site."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.archives.checklist import completeness_by_building, site_completeness
from app.archives.common import fmt_pct
from app.archives.listing import home_rows
from app.archives.visits import area_managers, familiarity_rates, movein_visit_due, pick_familiarity_rooms, visit_rates
from app.core.errors import UserError
from ui.common.tables import fill_table, sortable

FAMILIARITY_HEADERS = ["客服管理员", "抽查户数", "熟知户数", "熟知率", "目标", "致电业主", "业主知道管家", "业主知晓率"]
MONTH_WIDTH = 100
HOME_ID_ROLE = Qt.ItemDataRole.UserRole + 1
PICK_COUNT = 5   # homes drawn for the manager's familiarity check


def _table(headers) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return sortable(t, fit=False)


def _fill(t: QTableWidget, rows, red_rows=(), ids=None):
    """Rows of values; with *ids*, each row carries its home's id, so a double click opens the
    right home however the user sorted the table."""
    def decorate(item, i, j):
        if i in red_rows:
            item.setForeground(QColor("#C62828"))
        if ids is not None and j == 0:
            item.setData(HOME_ID_ROLE, ids[i])
    fill_table(t, rows, decorate)


class ArchiveStatsDialog(QDialog):
    home_chosen = Signal(int)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("档案统计：回访、拜访率、熟知率、完整率")
        self.resize(820, 560)
        tabs = QTabWidget()
        tabs.addTab(self._build_due_page(), "三日回访待办")
        tabs.addTab(self._build_rates_page(), "拜访率")
        tabs.addTab(self._build_familiarity_page(), "熟知率")
        tabs.addTab(self._build_completeness_page(), "档案完整率")
        self.tabs = tabs
        main = QVBoxLayout(self)
        main.addWidget(tabs)
        self.load()

    # building ---------------------------------------------------------------------------------
    def _build_due_page(self) -> QWidget:
        self.due = _table(["房号", "业主", "入住日期", "回访期限", "状态"])
        self.due.cellDoubleClicked.connect(lambda row, _col: self._choose(self.due, row))
        w = QWidget()
        lay = QVBoxLayout(w)
        n = self.ctx.settings.get("customer.movein_visit_days")
        lay.addWidget(QLabel(f"入住后 {n} 天内须完成入住三日回访（双击跳转到该户）："))
        lay.addWidget(self.due)
        return w

    def _build_rates_page(self) -> QWidget:
        self.rates = QLabel()
        self.rates.setWordWrap(True)
        self.rates.setTextFormat(Qt.TextFormat.RichText)
        self.rates.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.unvisited = _table(["房号", "业主", "重点客户类别", "电话"])
        self.unvisited.cellDoubleClicked.connect(lambda row, _col: self._choose(self.unvisited, row))
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.addWidget(self.rates)
        lay.addWidget(QLabel("本季度尚未拜访的重点客户（双击跳转到该户）："))
        lay.addWidget(self.unvisited, 1)
        return w

    def _build_familiarity_page(self) -> QWidget:
        self.month = QLineEdit(self.ctx.clock.today().strftime("%Y-%m"))
        self.month.setMaximumWidth(MONTH_WIDTH)
        go = QPushButton("统计")
        go.clicked.connect(self.load_familiarity)
        self.fam = _table(FAMILIARITY_HEADERS)
        self.fam_msg = QLabel()
        self.picked = _table(["房号", "业主", "电话", "客户类别"])
        self.picked.cellDoubleClicked.connect(lambda row, _col: self._choose(self.picked, row))
        w = QWidget()
        lay = QVBoxLayout(w)
        row = QHBoxLayout()
        row.addWidget(QLabel("月份："))
        row.addWidget(self.month)
        row.addWidget(go)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addWidget(self.fam, 2)
        lay.addWidget(self.fam_msg)
        lay.addLayout(self._build_pick_row())
        lay.addWidget(self.picked, 1)
        return w

    def _build_pick_row(self) -> QHBoxLayout:
        """The manager's random check: an area manager, five of the homes in their care."""
        from app.core.permissions import allowed
        self.manager_box = QComboBox()
        for m in area_managers(self.ctx):
            self.manager_box.addItem(m["name"], m["id"])
        pick = QPushButton("抽取检查房号")
        pick.clicked.connect(self.pick_rooms)
        can_pick = allowed(getattr(self.ctx.user, "role", None), "archive.familiarity") and self.manager_box.count() > 0
        for x in (self.manager_box, pick):
            x.setEnabled(can_pick)
        row = QHBoxLayout()
        row.addWidget(QLabel("经理点房：客服管理员"))
        row.addWidget(self.manager_box)
        row.addWidget(pick)
        row.addWidget(QLabel(f"（本月未查过的已入住户，随机{PICK_COUNT}户；双击跳转到该户登记检查）"))
        row.addStretch(1)
        return row

    def _build_completeness_page(self) -> QWidget:
        self.site = QLabel()
        self.comp = _table(["组团", "楼栋", "已交付户数", "在档/应有资料", "资料完整率", "档案齐全户数", "齐全户比例"])
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.addWidget(self.site)
        lay.addWidget(self.comp)
        return w

    # loading ----------------------------------------------------------------------------------
    def load(self):
        due = movein_visit_due(self.ctx)
        _fill(self.due, [(d["room_code"], d["owners"], d["move_in_date"], d["deadline"],
                          "已超期" if d["overdue"] else f"剩余 {d['days_left']} 天") for d in due],
              red_rows={i for i, d in enumerate(due) if d["overdue"]}, ids=[d["home_id"] for d in due])
        r = visit_rates(self.ctx)

        def line(title, visited, total, pct, target, met, period):
            colour = "#2E7D32" if met else "#C62828"
            return (f"<p><b>{title}</b>（{period}）：已拜访 {visited} / {total} 户，拜访率 "
                    f"<span style='color:{colour}'><b>{fmt_pct(pct)}</b></span>，目标 {target}%</p>")
        self.rates.setText(
            line("重点客户", r["key_visited"], r["key_homes"], r["key_pct"], r["key_target"], r["key_met"],
                 f"本季度，自 {r['quarter_start']}")
            + line("普通客户", r["ordinary_visited"], r["ordinary_homes"], r["ordinary_pct"], r["ordinary_target"],
                   r["ordinary_met"], f"本年度，自 {r['year_start']}"))
        rows = home_rows(self.ctx, r["key_not_visited"])
        _fill(self.unvisited, [(x["room_code"], x["owners"], x["key"], x["phone"]) for x in rows],
              ids=[x["id"] for x in rows])
        self.load_familiarity()
        s = site_completeness(self.ctx)
        self.site.setText(f"全小区：已交付 {s['homes']} 户，资料完整率 {fmt_pct(s['pct'])}"
                          f"（{s['items_on_file']}/{s['items_required']}），档案齐全 {s['complete_homes']} 户"
                          f"（{fmt_pct(s['complete_pct'])}）")
        rows = completeness_by_building(self.ctx)
        _fill(self.comp, [(b["cluster"], b["building"], b["homes"], f"{b['items_on_file']}/{b['items_required']}",
                           fmt_pct(b["pct"]), b["complete_homes"], fmt_pct(b["complete_pct"])) for b in rows])

    def load_familiarity(self):
        try:
            rows = familiarity_rates(self.ctx, self.month.text().strip())
        except UserError as exc:
            self.fam_msg.setText(str(exc))
            return
        _fill(self.fam, [(r["area_manager"], r["checks"], r["passed"], fmt_pct(r["pct"]), f"{r['target']}%",
                          r["calls"], r["owner_knew"], fmt_pct(r["owner_pct"])) for r in rows],
              red_rows={i for i, r in enumerate(rows) if not r["met"]})
        self.fam_msg.setText("" if rows else "该月尚无熟知率检查记录。")

    def pick_rooms(self):
        try:
            rows = pick_familiarity_rooms(self.ctx, self.manager_box.currentData(), PICK_COUNT,
                                             self.month.text().strip() or None)
        except UserError as exc:
            self.fam_msg.setText(str(exc))
            return
        _fill(self.picked, [(r["room_code"], r["owners"], r["phone"], r["category"]) for r in rows],
              ids=[r["id"] for r in rows])
        self.fam_msg.setText("" if rows else "该客服管理员名下本月已没有未检查的已入住户。")

    def _choose(self, table: QTableWidget, row: int):
        """Double click: the household of the row's home (its id travels with the row)."""
        item = table.item(row, 0)
        home_id = item.data(HOME_ID_ROLE) if item is not None else None
        if home_id is not None:
            self.home_chosen.emit(home_id)
