"""报事投诉, page 报事投诉: the buttons of the steps, the filter row, the request table and the
history of the selected request (HTML, attachments as links)."""
from __future__ import annotations

from html import escape

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.permissions import allowed
from app.service import handling, intake, queries, records
from ui.common.icons import icon
from ui.common.tables import sortable
from ui.service.table_models import RequestTableModel

OPEN_STATES = ("待派工", "已派工", "处理中")
COLUMN_WIDTHS = (112, 126, 66, 96, 56, 150, 200, 64, 200, 60, 96, 70, 110, 44)
ROW_HEIGHT = 24
HEADER_KEY = "service/columns2"
STEP_KEYS = ("edit", "letter", "dispatch", "arrive", "complete", "contact", "reply", "classify", "report", "visit",
             "print", "attach", "phone")
NO_SELECTION = "<p style='color:grey'>选择一条记录查看处理经过</p>"


def esc(text) -> str:
    return escape("" if text is None else str(text))


def _buttons(tab) -> QHBoxLayout:
    """The step buttons: tab.buttons[key] = (button, permission)."""
    bar = QHBoxLayout()
    tab.buttons = {}
    specs = [
        ("new", "受理", "add", tab.new_request, "service.intake"),
        ("edit", "更正", "edit", tab.edit_request, "service.edit"),
        ("dispatch", "派工", "out", tab.dispatch, "service.handle"),
        ("arrive", "到场", "in", tab.arrive, "service.handle"),
        ("complete", "完成", "ok", tab.complete, "service.handle"),
        ("contact", "联系投诉人", "user", lambda: tab.text_action("contact"), "service.handle"),
        ("reply", "答复", "edit", lambda: tab.text_action("reply"), "service.handle"),
        ("classify", "定性", "warning", tab.classify, "service.classify"),
        ("report", "上报", "export", lambda: tab.text_action("report"), "service.handle"),
        ("visit", "回访", "visit", tab.visit, "service.visit"),
        ("attach", "附件", "attach", tab.attach, "service.handle"),
        ("letter", "复函", "pdf", tab.reply_letter, "service.handle"),
        ("print", "打印派工单", "print", tab.print_work_order, ""),
        ("phone", "查看电话", "user", tab.show_phone, "pii.view_full"),
    ]
    for key, text, ic, slot, perm in specs:
        b = QPushButton(icon(ic), text)
        b.setObjectName(f"service_{key}")
        b.clicked.connect(lambda _c=False, s=slot: s())
        b.setEnabled(tab.can.get(perm, True))
        tab.buttons[key] = (b, perm)
        bar.addWidget(b)
    bar.addStretch(1)
    return bar


def _filter_row(tab) -> QHBoxLayout:
    """显示 [filter] [search] 刷新 导出登记表 count auto-escalation; sets the tab's widgets."""
    tab.filter = QComboBox()
    tab.filter.addItems(queries.FILTERS)
    tab.filter.currentTextChanged.connect(lambda *_: tab.refresh())
    tab.search = QLineEdit()
    tab.search.setPlaceholderText("编号、房号、报事人、内容")
    tab.search.setClearButtonEnabled(True)
    tab.search.returnPressed.connect(tab.search_now)
    refresh = QPushButton(icon("refresh"), "刷新")
    refresh.clicked.connect(lambda _c=False: tab.refresh())
    tab.export_button = QPushButton(icon("export"), "导出登记表")
    tab.export_button.setToolTip("按月导出报事投诉登记表（Excel，电话已隐藏中间四位）")
    tab.export_button.clicked.connect(lambda *_: tab.export_register())
    tab.export_button.setEnabled(allowed(getattr(getattr(tab.ctx, "user", None), "role", None), "service.export"))
    tab.count_label = QLabel()
    tab.auto_label = QLabel()
    tab.auto_label.setObjectName("service_auto_escalation")
    row = QHBoxLayout()
    for w in (QLabel("显示"), tab.filter):
        row.addWidget(w)
    row.addWidget(tab.search, 1)
    for w in (refresh, tab.export_button, tab.count_label, tab.auto_label):
        row.addWidget(w)
    return row


def _table(tab) -> QTableView:
    tab.model = RequestTableModel(tab)
    view = QTableView()
    view.setModel(tab.model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
    hh = view.horizontalHeader()
    hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for col, width in enumerate(COLUMN_WIDTHS):
        view.setColumnWidth(col, width)
    hh.setStretchLastSection(True)
    state = QSettings("PropertyDesk", "PropertyDesk").value(HEADER_KEY)
    if state is not None:
        hh.restoreState(state)
    sortable(view, fit=False)
    return view


def list_page(tab) -> QWidget:
    """The whole page; sets tab.buttons, tab.filter, tab.search, tab.model, tab.view, tab.detail…"""
    page = QWidget()
    bar = _buttons(tab)
    filt = _filter_row(tab)
    tab.view = _table(tab)
    tab.view.selectionModel().selectionChanged.connect(tab._selection_changed)
    tab.view.doubleClicked.connect(lambda *_: tab._default_action())
    tab.detail = QTextBrowser()
    tab.detail.setMinimumHeight(120)
    tab.detail.setOpenLinks(False)
    tab.detail.anchorClicked.connect(tab._link)
    split = QSplitter(Qt.Orientation.Vertical)
    split.addWidget(tab.view)
    split.addWidget(tab.detail)
    split.setStretchFactor(0, 3)
    split.setStretchFactor(1, 1)
    tab.splitter = split
    lay = QVBoxLayout(page)
    lay.addLayout(bar)
    lay.addLayout(filt)
    lay.addWidget(split, 1)
    return page


def button_states(ctx, can: dict, r) -> dict[str, bool]:
    """Which step buttons apply to request row *r* (None: nothing selected)."""
    if r is None:
        return dict.fromkeys(STEP_KEYS, False)
    open_ = r.status in OPEN_STATES
    complaint = r.kind == "投诉"
    return {
        "edit": bool(open_ and can.get("service.edit") and intake.may_edit(ctx, r)),
        "letter": complaint,
        "dispatch": r.status == "待派工" and r.kind == "报修",
        "arrive": r.status == "已派工",
        "complete": open_ and (r.kind != "报修" or r.status == "处理中"),
        "contact": complaint,
        "reply": complaint,
        "classify": complaint,
        "report": complaint and open_,
        "visit": r.status == "已完成",
        "print": True,
        "attach": True,
        "phone": bool(r.phone_masked),
    }


def _letter_lines(ctx, r, full) -> list[str]:
    from app.service import complaints as cp
    letter = cp.reply_letter(r.id)
    if letter is not None:
        state = f"已于 {letter.sent_on:%Y-%m-%d} {letter.send_method}寄出" if letter.sent_on else "草稿，尚未寄出"
        return [f"<div>书面复函 {esc(letter.number)}：{esc(state)}</div>"]
    if cp.is_written(full) and full.replied_at is None:
        return [f"<div style='color:#E65100'>书面投诉：须在 {cp.reply_due(ctx, full):%Y-%m-%d} 前寄出复函"
                "（点“复函”起草、打印并登记寄出）</div>"]
    return []


def detail_html(ctx, r) -> str:
    """The request's head, warnings, read-back, reply letter, steps and attachments."""
    full = records.get(r.id)
    holder = f"　<span style='color:#C62828'>当前：{esc(r.holder)}</span>" if r.level else ""
    lines = [f"<b>{esc(r.number)}</b>　{esc(r.room_code)}　{esc(r.kind)}　{esc(r.caller)} {esc(r.phone_masked)}"
             f"　首问责任人：{esc(r.receiver)}{holder}",
             f"<div>{esc(r.content)}</div>"]
    if r.warnings:
        lines.append(f"<div style='color:#C62828'>提醒：{esc(r.warnings)}</div>")
    script = intake.request_read_back(full, intake.read_back_phone(ctx, full))
    lines.append(f"<div style='color:#455A64'>复述：{esc(script)}</div>")
    if r.kind == "投诉":
        lines += _letter_lines(ctx, r, full)
    lines.append("<table cellspacing=0 cellpadding=2>")
    for e in records.history(r.id):
        lines.append(f"<tr><td style='color:#616161'>{e.ts:%Y-%m-%d %H:%M}</td><td><b>{esc(e.kind)}</b></td>"
                     f"<td>{esc(e.note)}</td></tr>")
    lines.append("</table>")
    files = handling.attachments(r.id)
    if files:
        links = "，".join(f"<a href='att:{a.id}'>{esc(a.original_name)}</a>" for a in files)
        lines.append(f"<div>附件（点击查看）：{links}</div>")
    return "".join(lines)
