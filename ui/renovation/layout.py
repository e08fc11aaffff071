"""Builders of the renovation tab's widgets: the top bar, the detail pane (header, stages, the
action grid, the passes / patrol / notices / fees tables with their button bars). Each builder
sets the widgets it makes on the tab, under the names the tab's methods use."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.common.icons import icon
from ui.common.tables import sortable
from ui.renovation.table_models import fee_model, notice_model, patrol_model, stage_model, worker_model

VIEWS = ["待办事项", "在办装修", "已结案/驳回/放弃", "全部"]
PRINTS = [("application", "装修申请/审批表"), ("tests", "闭水/打压确认单"), ("fire", "防火责任书"),
          ("permit", "装修许可证（门贴）"), ("passes", "施工人员出入证（卡片）"),
          ("passes_a4", "施工人员出入证（A4裁切）"), ("patrol", "装修巡查日志"), ("completion", "装修竣工验收表"),
          ("refund", "装修保证金退还单")]
# the step buttons: key, text, the tab's method
ACTIONS = [("approve", "审批通过", "do_approve"), ("reject", "驳回", "do_reject"),
           ("drawing", "附加图纸", "do_attach"), ("tests", "闭水/打压试验", "do_tests"),
           ("fire", "防火责任书", "do_fire"), ("permit", "发放许可证", "do_permit"),
           ("worker", "办理出入证", "do_worker"), ("patrol", "巡查登记", "do_patrol"),
           ("notice", "开具通知单", "do_notice"), ("finish", "登记完工", "do_finish"),
           ("first", "初验", "do_first"), ("second", "复验", "do_second"),
           ("refund", "退保证金", "do_refund"), ("abandon", "放弃装修", "do_abandon")]
ACTIONS_PER_ROW = 7
# the buttons above the passes and notices tables: text, the tab's method, the permission each needs
PASS_BAR = [("发放出入证", "do_issue_pass", "renovation.edit"), ("延期", "do_extend_pass", "renovation.edit"),
            ("上传照片", "do_worker_photo", "renovation.edit"),
            ("退证（退押金）", "do_return_pass", "renovation.edit"),
            ("登记遗失", "do_lost_pass", "renovation.edit"), ("退押金", "do_refund_pass", "ledger.refund")]
NOTICE_BAR = [("关闭通知单", "do_close_notice", "renovation.edit"),
              ("打印通知单", "do_print_notice", "renovation.view")]
ROW_HEIGHT, COLUMN_WIDTH, MEASURED_ROWS = 24, 90, 60
STAGES_MIN_HEIGHT = 260
SEARCH_PADDING = 40


def table(model, stretch_col=-1) -> QTableView:
    t = QTableView()
    t.setModel(model)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setAlternatingRowColors(True)
    t.verticalHeader().setVisible(False)
    t.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
    h = t.horizontalHeader()
    h.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    h.setDefaultSectionSize(COLUMN_WIDTH)
    if stretch_col >= 0:
        h.setStretchLastSection(True)
    h.setResizeContentsPrecision(MEASURED_ROWS)   # size columns from the first rows only (fast on long lists)
    return sortable(t)


def menu_button(parent, text: str, purpose: str) -> tuple[QToolButton, QMenu]:
    """A tool button that opens its menu at once."""
    b = QToolButton(parent)
    b.setText(text)
    b.setIcon(icon(purpose))
    b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    b.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    menu = QMenu(b)
    b.setMenu(menu)
    return b, menu


def build_top(tab) -> QHBoxLayout:
    """New application, refresh, prints, drawings, the list shown and the search."""
    top = QHBoxLayout()
    tab.new_btn = QPushButton(icon("add"), "装修申请…")
    tab.new_btn.clicked.connect(tab.new_application)
    tab.refresh_btn = QPushButton(icon("refresh"), "刷新")
    tab.refresh_btn.clicked.connect(tab.refresh)
    tab.view_combo = QComboBox()
    tab.view_combo.addItems(VIEWS)
    tab.view_combo.currentIndexChanged.connect(tab.refresh)
    tab.search = QLineEdit()
    tab.search.setPlaceholderText("房号 / 申请人 / 施工单位 / 编号")
    tab.search.setClearButtonEnabled(True)
    tab.search.setMinimumWidth(tab.search.fontMetrics().horizontalAdvance(tab.search.placeholderText())
                               + SEARCH_PADDING)
    tab.search.returnPressed.connect(tab.search_now)
    tab.summary = QLabel()
    tab.print_btn, menu = menu_button(tab, "打印", "print")
    for key, label in PRINTS:
        menu.addAction(label, lambda k=key, lab=label: tab.print_form(k, lab))
    tab.spot_btn = QPushButton(icon("print"), "今日抽查单")
    tab.spot_btn.clicked.connect(tab.print_spot_sheet)
    tab.drawings_btn, tab.drawings_menu = menu_button(tab, "查看图纸", "attach")
    for w in (tab.new_btn, tab.refresh_btn, tab.print_btn, tab.spot_btn, tab.drawings_btn, QLabel("显示："),
              tab.view_combo, tab.search):
        top.addWidget(w)
    top.addWidget(tab.summary, 1)
    return top


def build_detail(tab) -> QWidget:
    """The right pane: the renovation's header, its stages, the step buttons and the sub-tables."""
    right = QWidget()
    rl = QVBoxLayout(right)
    rl.setContentsMargins(0, 0, 0, 0)
    tab.header = QLabel("请在左侧选择一条装修登记")
    tab.header.setTextFormat(Qt.TextFormat.RichText)
    tab.header.setWordWrap(True)
    rl.addWidget(tab.header)
    tab.stage_model = stage_model(tab)
    tab.stages = table(tab.stage_model, 4)
    tab.stages.setMinimumHeight(STAGES_MIN_HEIGHT)
    rl.addWidget(tab.stages, 2)
    rl.addLayout(build_actions(tab))
    rl.addWidget(build_sub_tabs(tab), 3)
    return right


def build_actions(tab) -> QGridLayout:
    tab.buttons = {}
    grid = QGridLayout()
    for i, (key, text, method) in enumerate(ACTIONS):
        b = QPushButton(text)
        b.setObjectName(f"act_{key}")
        b.clicked.connect(getattr(tab, method))
        tab.buttons[key] = b
        grid.addWidget(b, i // ACTIONS_PER_ROW, i % ACTIONS_PER_ROW)
    return grid


def build_sub_tabs(tab) -> QTabWidget:
    tab.sub = QTabWidget()
    tab.worker_model, tab.patrol_model = worker_model(tab), patrol_model(tab)
    tab.notice_model, tab.fee_model = notice_model(tab), fee_model(tab)
    tab.workers = table(tab.worker_model, 7)
    tab.patrols = table(tab.patrol_model, 5)
    tab.notices = table(tab.notice_model, 5)
    tab.fees = table(tab.fee_model, 4)
    tab.bar_buttons = {}   # text -> (button, permission)
    tab.sub.addTab(with_bar(tab.workers, button_bar(tab, PASS_BAR)), "施工人员出入证")
    tab.sub.addTab(tab.patrols, "巡查日志")
    tab.sub.addTab(with_bar(tab.notices, button_bar(tab, NOTICE_BAR)), "违规/整改通知")
    tab.sub.addTab(tab.fees, "费用（收费台账）")
    return tab.sub


def button_bar(tab, specs) -> QHBoxLayout:
    bar = QHBoxLayout()
    for text, method, permission in specs:
        b = QPushButton(text)
        b.clicked.connect(lambda _checked=False, m=method: getattr(tab, m)())
        bar.addWidget(b)
        tab.bar_buttons[text] = (b, permission)
    bar.addStretch(1)
    return bar


def with_bar(table_view, bar) -> QWidget:
    w = QWidget()
    v = QVBoxLayout(w)
    v.setContentsMargins(0, 0, 0, 0)
    v.addLayout(bar)
    v.addWidget(table_view)
    return w
