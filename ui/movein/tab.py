"""入住办理: the hand-over desk. A progress board that a desk keeps open all day, the five steps
per home, defects followed to closure, prints, and the work after hand-over.

Each write tells the other tabs what it changed (ui.common.runner.notify_changed: "movein", and the
kinds of ui.movein.step_forms.STEP_CHANGES); news of hand-overs and of the archives (owners, visits)
from another tab reloads the board and the lists now, or when the tab is shown."""
from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.movein import api as movein
from ui.common.forms import FormDialog
from ui.common.icons import icon
from ui.common.ops import info, run_action
from ui.common.print_preview import preview
from ui.common.runner import NewsFollower, notify_changed
from ui.common.widgets import list_view as _table
from ui.movein import step_forms
from ui.movein.table_models import board_model, bookings_model, defects_model, visits_model

WATCHED = frozenset({"movein", "archives"})   # kinds of change shown in this tab (owners' names, visits)
BOARD_TICK_MS = 60_000                        # the board stays current while a desk keeps it open all day
VISITS_AHEAD_DAYS = 7
EVENT_BOX_WIDTH = 260
NEXT_BUTTON_WIDTH = 170
STEP_LABEL_HEIGHT = 20
PRINTS = (("入住手续书", "procedure_pdf"), ("验房单", "inspection_pdf"),
          ("房屋交接书", "handover_doc_pdf"), ("钥匙移交清单", "key_list_pdf"))


def _push(text, slot, purpose=None) -> QPushButton:
    b = QPushButton(icon(purpose), text) if purpose else QPushButton(text)
    b.clicked.connect(lambda _checked=False: slot())
    return b


class Tab(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.current_home_id = None
        self.current_handover_id = None
        self.news = NewsFollower(self, WATCHED, self.refresh)
        self._all_rows = []
        split = QSplitter()
        split.addWidget(self._build_board())
        split.addWidget(self._build_detail())
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        lay = QVBoxLayout(self)
        lay.addLayout(self._build_top())
        lay.addWidget(split, 1)
        self.timer = QTimer(self)  # the board stays current while a desk keeps it open all day
        self.timer.setInterval(BOARD_TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        self.refresh()

    # layout -----------------------------------------------------------------
    def _build_top(self) -> QHBoxLayout:
        self.event_box = QComboBox()
        self.event_box.setMinimumWidth(EVENT_BOX_WIDTH)
        self.event_box.currentIndexChanged.connect(self.refresh_board)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("房号或业主姓名")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._apply_filter)
        top = QHBoxLayout()
        top.addWidget(QLabel("交房活动："))
        top.addWidget(self.event_box)
        for text, slot, purpose in (("新建交房活动", self.new_event, "add"),
                                    ("批量打印入住通知书", self.print_notices, "print"),
                                    ("零星交付…", self.single_handover, "movein"),
                                    ("刷新", self.refresh, "refresh")):
            top.addWidget(_push(text, slot, purpose))
        top.addStretch(1)
        top.addWidget(self.filter_edit)
        return top

    def _build_board(self) -> QWidget:
        self.counts_label = QLabel()
        self.counts_label.setObjectName("counts")
        self.counts_label.setStyleSheet("font-size: 14px; padding: 4px;")
        self.board = board_model(self)
        self.board_view = _table(self.board)
        self.board_view.selectionModel().currentRowChanged.connect(self._board_selected)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.counts_label)
        ll.addWidget(self.board_view)
        return left

    def _build_steps(self) -> QGroupBox:
        self.steps_box = QGroupBox("入住手续")
        self.steps_grid = QGridLayout(self.steps_box)
        self.step_labels = []
        for i, (_code, name, desc) in enumerate(movein.STEPS):
            n = QLabel(f"{i + 1}. {name}")
            n.setToolTip(desc)
            s = QLabel("")
            s.setMinimumHeight(STEP_LABEL_HEIGHT)
            self.steps_grid.addWidget(n, i, 0)
            self.steps_grid.addWidget(s, i, 1)
            self.step_labels.append(s)
        return self.steps_box

    def _build_actions(self) -> QHBoxLayout:
        self.start_button = _push("开始办理", self.start, "add")
        self.next_button = _push("办理下一步", self.do_next_step, "ok")
        self.next_button.setMinimumWidth(NEXT_BUTTON_WIDTH)
        self.confirm_dev_button = _push("确认开发商手续已办结", self.confirm_developer)
        self.defect_button = _push("登记缺陷", self.add_defect, "add")
        actions = QHBoxLayout()
        for b in (self.start_button, self.confirm_dev_button, self.next_button, self.defect_button):
            actions.addWidget(b)
        actions.addStretch(1)
        return actions

    def _build_prints(self) -> QHBoxLayout:
        prints = QHBoxLayout()
        self.print_buttons = []
        for label, fn in PRINTS:
            b = QPushButton(icon("print"), label)
            b.clicked.connect(lambda _=False, f=fn, t=label: self.print_form(f, t))
            prints.addWidget(b)
            self.print_buttons.append(b)
        prints.addStretch(1)
        return prints

    def _build_defect_bar(self) -> QHBoxLayout:
        dbar = QHBoxLayout()
        for label, slot in (("派单给施工单位", self.send_defect), ("登记已修复", self.defect_fixed),
                            ("业主确认关闭", self.close_defect), ("打印维修单", self.print_repair_order)):
            dbar.addWidget(_push(label, slot))
        dbar.addStretch(1)
        return dbar

    def _build_detail(self) -> QWidget:
        self.detail_title = QLabel("请在左侧选择房屋")
        self.detail_title.setStyleSheet("font-size: 16px; font-weight: bold;")
        self.defects = defects_model(self)
        self.defects_view = _table(self.defects)
        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.addWidget(self.detail_title)
        dl.addWidget(self._build_steps())
        dl.addLayout(self._build_actions())
        dl.addLayout(self._build_prints())
        dl.addWidget(QLabel("验房缺陷 / 工程质量维修单"))
        dl.addWidget(self.defects_view, 1)
        dl.addLayout(self._build_defect_bar())
        dl.addWidget(self._build_after(), 1)
        return detail

    def _build_after(self) -> QTabWidget:
        """After hand-over: the visits due and the moving bookings."""
        self.after = QTabWidget()
        self.visits = visits_model(self)
        self.visits_view = _table(self.visits)
        vbox = QWidget()
        vl = QVBoxLayout(vbox)
        vl.addWidget(self.visits_view)
        vl.addWidget(_push("登记回访", self.record_visit, "visit"), 0, Qt.AlignmentFlag.AlignLeft)
        self.after.addTab(vbox, "回访待办")
        self.bookings = bookings_model(self)
        self.bookings_view = _table(self.bookings)
        bbox = QWidget()
        bl = QVBoxLayout(bbox)
        bl.addWidget(self.bookings_view)
        row = QHBoxLayout()
        row.addWidget(_push("搬家预约", self.book_moving, "add"))
        row.addWidget(_push("已通知门岗", self.pass_to_gate))
        row.addStretch(1)
        bl.addLayout(row)
        self.after.addTab(bbox, "搬家预约")
        return self.after

    # data -----------------------------------------------------------------
    def refresh(self):
        current = self.event_box.currentData()
        self.event_box.blockSignals(True)
        self.event_box.clear()
        self.event_box.addItem("全部房屋", None)
        for ev in movein.events():
            self.event_box.addItem(f"{ev.name}（{ev.start_date:%m-%d}至{ev.end_date:%m-%d}）", ev.id)
        idx = self.event_box.findData(current)
        self.event_box.setCurrentIndex(max(idx, 0))
        self.event_box.blockSignals(False)
        self.refresh_board()
        self.visits.set_rows(movein.visits_due(self.ctx, self.ctx.clock.today() + timedelta(days=VISITS_AHEAD_DAYS)))
        self.bookings.set_rows(movein.bookings(self.ctx.clock.today()))

    def _written(self, *kinds, everything=False):
        """After a write here: the board (with *everything*: the events and lists too) again, and the
        news to the other tabs (the hand-over, and *kinds*)."""
        if everything:
            self.refresh()
        else:
            self.refresh_board()
        notify_changed(self, "movein", *kinds)

    def on_data_changed(self, kinds, source):
        """Another tab wrote (an owner renamed, a visit recorded, …): reload now if shown, else when shown."""
        self.news.follow(kinds, source)

    def _tick(self):
        if self.isVisible():
            self.refresh_board()

    def refresh_board(self):
        board = run_action(self, movein.progress_board, event_id=self.event_box.currentData())
        if board is None:
            return
        self._all_rows = board.rows
        c = board.counts
        self.counts_label.setText("　".join(f"{k} <b>{v}</b>" for k, v in c.items()))
        self._apply_filter()
        self.show_detail()

    def _apply_filter(self):
        text = self.filter_edit.text().strip()
        rows = [r for r in self._all_rows if not text or text in r.room_code or text in r.owner_name]
        self.board.set_rows(rows)
        for i, r in enumerate(rows):
            if r.home_id == self.current_home_id:
                self.board_view.selectRow(i)
                break

    def _board_selected(self, current, _previous):
        row = self.board.row_at(current)
        if row is not None:
            self.current_home_id = row.home_id
            self.show_detail()

    def show_detail(self):
        row = next((r for r in self._all_rows if r.home_id == self.current_home_id), None)
        self.current_handover_id = row.handover_id if row else None
        has = self.current_handover_id is not None
        self.start_button.setEnabled(row is not None and not has)
        for b in self.print_buttons:
            b.setEnabled(has)
        if row is None:
            self.detail_title.setText("请在左侧选择房屋")
            for s in self.step_labels:
                s.setText("")
            self.next_button.setEnabled(False)
            self.defect_button.setEnabled(False)
            self.confirm_dev_button.setVisible(False)
            self.defects.set_rows([])
            return
        if not has:
            self.detail_title.setText(f"{row.room_code}　{row.owner_name}　（待办理）")
            for s in self.step_labels:
                s.setText("")
            self.next_button.setEnabled(False)
            self.defect_button.setEnabled(False)
            self.confirm_dev_button.setVisible(False)
            self.defects.set_rows([])
            return
        d = movein.handover_detail(self.current_handover_id)
        h = d["handover"]
        self.detail_title.setText(f"{row.room_code}　{d['owner'].name if d['owner'] else ''}　{h.kind}　{h.status}")
        for s, step in zip(self.step_labels, d["steps"], strict=True):
            if step["done_at"]:
                s.setText(f"✔ {step['done_at']:%Y-%m-%d %H:%M}　{step['done_by']}　{step['notes']}")
                s.setStyleSheet("color: #1B6E1B;")
            elif step["code"] == d["next"]:
                s.setText("▶ 待办理")
                s.setStyleSheet("color: #B06000; font-weight: bold;")
            else:
                s.setText("未办理")
                s.setStyleSheet("color: grey;")
        open_ = h.status == "进行中"
        self.confirm_dev_button.setVisible(open_ and h.kind == "零星交付" and not h.developer_confirmed)
        self.next_button.setEnabled(open_ and d["next"] is not None)
        self.next_button.setText(f"办理：{movein.STEP_NAMES[d['next']]}" if open_ and d["next"] else "办理下一步")
        self.defect_button.setEnabled(open_ and d["next"] == "inspection")
        self.defects.set_rows(d["defects"])

    # actions ----------------------------------------------------------------
    def new_event(self):
        clusters = movein.cluster_choices()
        if not clusters:
            info(self, "尚未建立组团。")
            return
        today = QDate.currentDate()
        form = FormDialog("新建交房活动", [
            ("cluster", "组团", "choice", clusters[0][1], [c[1] for c in clusters]),
            ("name", "活动名称", "text", ""),
            ("start", "开始日期", "date", today),
            ("end", "结束日期", "date", today.addDays(2)),
            ("place", "办理地点", "text", "客户服务中心"),
        ], lambda v: movein.create_event(self.ctx, dict((b, a) for a, b in clusters)[v["cluster"]], v["name"],
                                         v["start"], v["end"], v["place"]), self)
        if form.exec():
            self._written(everything=True)
            self.event_box.setCurrentIndex(self.event_box.findData(form.result_value.id))

    def print_notices(self):
        ev = self.event_box.currentData()
        if ev is None:
            info(self, "请先选择一个交房活动。")
            return
        from app.movein.prints import notice_pdf
        pdf = run_action(self, notice_pdf, self.ctx, ev)
        if pdf:
            preview(self, pdf, "入住通知书", "入住通知书.pdf", kind="notice")

    def start(self):
        if self.current_home_id is None:
            return
        ev = self.event_box.currentData()
        h = run_action(self, movein.start_handover, self.ctx, self.current_home_id,
                       "集中交付" if ev else "零星交付", ev)
        if h:
            self._written()

    def single_handover(self):
        room, ok = QInputDialog.getText(self, "零星交付", "房号：")
        if not ok or not room.strip():
            return
        h = run_action(self, movein.start_handover, self.ctx, room.strip(), "零星交付")
        if h:
            self.current_home_id = h.home_id
            self.event_box.setCurrentIndex(0)
            self._written()

    def confirm_developer(self):
        if self.current_handover_id and run_action(self, movein.confirm_developer, self.ctx, self.current_handover_id):
            self._written("archives")      # the home's developer formalities are done

    def step_form(self, step: str) -> FormDialog | None:
        return step_forms.step_form(self, step)

    def do_next_step(self):
        if not self.current_handover_id:
            return
        step = movein.next_step(self.current_handover_id)
        if step is None:
            return
        form = self.step_form(step)
        if form is not None and form.exec():
            self._written(*step_forms.STEP_CHANGES[step], everything=True)
            if step == "payment":  # the cashier prints the original receipt for the owner
                from app.ledger.payments import print_receipt
                receipt = form.result_value
                pdf = run_action(self, print_receipt, self.ctx, receipt.id)
                if pdf:
                    preview(self, pdf, f"收据 {receipt.number}", f"收据-{receipt.number}.pdf")

    def add_defect(self):
        hid = self.current_handover_id
        form = FormDialog("登记缺陷", [("room", "部位", "choice", "客厅", movein.DEFECT_ROOMS),
                                    ("kind", "问题类别", "choice", "墙面", movein.DEFECT_KINDS),
                                    ("description", "问题描述", "multiline", "")],
                         lambda v: movein.record_defect(self.ctx, hid, v["room"], v["kind"], v["description"]), self)
        if form.exec():
            self._written()

    def _selected_defect(self):
        d = self.defects.row_at(self.defects_view.currentIndex())
        if d is None:
            info(self, "请先在缺陷列表中选择一条缺陷。")
        return d

    def send_defect(self):
        d = self._selected_defect()
        if d is None:
            return
        builder, ok = QInputDialog.getText(self, "派单", "施工单位：")
        if ok and run_action(self, movein.send_defect, self.ctx, d.id, builder):
            self._written()

    def defect_fixed(self):
        d = self._selected_defect()
        if d is not None and run_action(self, movein.defect_fixed, self.ctx, d.id):
            self._written()

    def close_defect(self):
        d = self._selected_defect()
        if d is not None and run_action(self, movein.close_defect, self.ctx, d.id, True):
            self._written()

    def print_repair_order(self):
        d = self._selected_defect()
        if d is None:
            return
        from app.movein.prints import repair_order_pdf
        pdf = run_action(self, repair_order_pdf, self.ctx, d.id)
        if pdf:
            preview(self, pdf, "工程质量维修单", f"维修单-{d.order_number}.pdf")

    def print_form(self, fn_name: str, title: str):
        if not self.current_handover_id:
            return
        from app.movein import prints as movein_forms
        pdf = run_action(self, getattr(movein_forms, fn_name), self.ctx, self.current_handover_id)
        if pdf:
            preview(self, pdf, title, f"{title}.pdf")

    def record_visit(self):
        x = self.visits.row_at(self.visits_view.currentIndex())
        if x is None:
            return
        form = FormDialog(f"登记回访：{x.kind}", [
            ("residents_info", "入住人员情况", "text", ""), ("opinions", "意见建议", "multiline", ""),
            ("questions", "咨询问题", "multiline", ""), ("safety", "已讲解安全注意事项", "check", True),
            ("intercom", "已讲解对讲等弱电设备使用", "check", True)],
            lambda v: movein.record_visit(self.ctx, x.id, v["residents_info"], v["opinions"], v["questions"],
                                          v["safety"], v["intercom"]), self)
        if form.exec():
            self._written("archives", everything=True)     # the visit is an archive record

    def book_moving(self):
        form = FormDialog("搬家预约", [
            ("room", "房号", "text", ""), ("date", "搬家日期", "date", QDate.currentDate().addDays(1)),
            ("slot", "时段", "choice", "上午", ["上午", "下午", "全天"]), ("contact", "联系人", "text", ""),
            ("phone", "联系电话", "text", ""), ("mover", "搬家公司", "text", ""), ("vehicle", "车牌号", "text", "")],
            lambda v: movein.book_moving(self.ctx, v["room"], v["date"], v["slot"], v["contact"], v["phone"],
                                         v["mover"], v["vehicle"]), self)
        if form.exec():
            self._written(everything=True)

    def pass_to_gate(self):
        b = self.bookings.row_at(self.bookings_view.currentIndex())
        if b is None:
            info(self, "请先在列表中选择一条搬家预约。")
            return
        if run_action(self, movein.pass_booking_to_gate, self.ctx, b.id):
            self._written(everything=True)
