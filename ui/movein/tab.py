"""入住办理: the hand-over desk. A progress board that a desk keeps open all day, the five steps
per home, defects followed to closure, prints, and the work after hand-over."""
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

from app.core.money import fmt_fen
from app.movein import api as movein
from ui.common.forms import FormDialog
from ui.common.icons import icon
from ui.common.ops import info, run_action
from ui.common.print_preview import preview
from ui.common.widgets import list_view as _table
from ui.movein.table_models import board_model, bookings_model, defects_model, visits_model

PAY_METHODS = ["现金", "银行卡", "转账"]


class Tab(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.current_home_id = None
        self.current_handover_id = None
        # top bar ------------------------------------------------------------
        self.event_box = QComboBox()
        self.event_box.setMinimumWidth(260)
        self.event_box.currentIndexChanged.connect(self.refresh_board)
        new_event = QPushButton(icon("add"), "新建交房活动")
        new_event.clicked.connect(self.new_event)
        notices = QPushButton(icon("print"), "批量打印入住通知书")
        notices.clicked.connect(self.print_notices)
        single = QPushButton(icon("movein"), "零星交付…")
        single.clicked.connect(self.single_handover)
        refresh = QPushButton(icon("refresh"), "刷新")
        refresh.clicked.connect(self.refresh)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("房号或业主姓名")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._apply_filter)
        top = QHBoxLayout()
        top.addWidget(QLabel("交房活动："))
        top.addWidget(self.event_box)
        for w in (new_event, notices, single, refresh):
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(self.filter_edit)
        # counts ---------------------------------------------------------------
        self.counts_label = QLabel()
        self.counts_label.setObjectName("counts")
        self.counts_label.setStyleSheet("font-size: 14px; padding: 4px;")
        # board ----------------------------------------------------------------
        self.board = board_model(self)
        self.board_view = _table(self.board)
        self.board_view.selectionModel().currentRowChanged.connect(self._board_selected)
        self._all_rows = []
        # detail ---------------------------------------------------------------
        self.detail_title = QLabel("请在左侧选择房屋")
        self.detail_title.setStyleSheet("font-size: 16px; font-weight: bold;")
        self.steps_box = QGroupBox("入住手续")
        self.steps_grid = QGridLayout(self.steps_box)
        self.step_labels = []
        for i, (_code, name, desc) in enumerate(movein.STEPS):
            n = QLabel(f"{i + 1}. {name}")
            n.setToolTip(desc)
            s = QLabel("")
            s.setMinimumHeight(20)
            self.steps_grid.addWidget(n, i, 0)
            self.steps_grid.addWidget(s, i, 1)
            self.step_labels.append(s)
        self.start_button = QPushButton(icon("add"), "开始办理")
        self.start_button.clicked.connect(self.start)
        self.next_button = QPushButton(icon("ok"), "办理下一步")
        self.next_button.clicked.connect(self.do_next_step)
        self.next_button.setMinimumWidth(170)
        self.confirm_dev_button = QPushButton("确认开发商手续已办结")
        self.confirm_dev_button.clicked.connect(self.confirm_developer)
        self.defect_button = QPushButton(icon("add"), "登记缺陷")
        self.defect_button.clicked.connect(self.add_defect)
        actions = QHBoxLayout()
        for b in (self.start_button, self.confirm_dev_button, self.next_button, self.defect_button):
            actions.addWidget(b)
        actions.addStretch(1)
        prints = QHBoxLayout()
        self.print_buttons = []
        for label, fn in (("入住手续书", "procedure_pdf"), ("验房单", "inspection_pdf"),
                          ("房屋交接书", "handover_doc_pdf"), ("钥匙移交清单", "key_list_pdf")):
            b = QPushButton(icon("print"), label)
            b.clicked.connect(lambda _=False, f=fn, t=label: self.print_form(f, t))
            prints.addWidget(b)
            self.print_buttons.append(b)
        prints.addStretch(1)
        self.defects = defects_model(self)
        self.defects_view = _table(self.defects)
        dbar = QHBoxLayout()
        for label, slot in (("派单给施工单位", self.send_defect), ("登记已修复", self.defect_fixed),
                            ("业主确认关闭", self.close_defect), ("打印维修单", self.print_repair_order)):
            b = QPushButton(label)
            b.clicked.connect(slot)
            dbar.addWidget(b)
        dbar.addStretch(1)
        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.addWidget(self.detail_title)
        dl.addWidget(self.steps_box)
        dl.addLayout(actions)
        dl.addLayout(prints)
        dl.addWidget(QLabel("验房缺陷 / 工程质量维修单"))
        dl.addWidget(self.defects_view, 1)
        dl.addLayout(dbar)
        # after hand-over ---------------------------------------------------------
        self.after = QTabWidget()
        self.visits = visits_model(self)
        self.visits_view = _table(self.visits)
        vbox = QWidget()
        vl = QVBoxLayout(vbox)
        vl.addWidget(self.visits_view)
        vb = QPushButton(icon("visit"), "登记回访")
        vb.clicked.connect(self.record_visit)
        vl.addWidget(vb, 0, Qt.AlignmentFlag.AlignLeft)
        self.after.addTab(vbox, "回访待办")
        self.bookings = bookings_model(self)
        self.bookings_view = _table(self.bookings)
        bbox = QWidget()
        bl = QVBoxLayout(bbox)
        bl.addWidget(self.bookings_view)
        row = QHBoxLayout()
        nb = QPushButton(icon("add"), "搬家预约")
        nb.clicked.connect(self.book_moving)
        gb = QPushButton("已通知门岗")
        gb.clicked.connect(self.pass_to_gate)
        row.addWidget(nb)
        row.addWidget(gb)
        row.addStretch(1)
        bl.addLayout(row)
        self.after.addTab(bbox, "搬家预约")
        dl.addWidget(self.after, 1)
        split = QSplitter()
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.counts_label)
        ll.addWidget(self.board_view)
        split.addWidget(left)
        split.addWidget(detail)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(split, 1)
        self.timer = QTimer(self)  # the board stays current while a desk keeps it open all day
        self.timer.setInterval(60_000)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        self.refresh()

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
        self.visits.set_rows(movein.visits_due(self.ctx, self.ctx.clock.today() + timedelta(days=7)))
        self.bookings.set_rows(movein.bookings(self.ctx.clock.today()))

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
        for s, step in zip(self.step_labels, d["steps"]):
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
            self.refresh()
            self.event_box.setCurrentIndex(self.event_box.findData(form.result_value.id))

    def print_notices(self):
        ev = self.event_box.currentData()
        if ev is None:
            info(self, "请先选择一个交房活动。")
            return
        from app.movein.prints import notice_pdf
        pdf = run_action(self, notice_pdf, self.ctx, ev)
        if pdf:
            preview(self, pdf, "入住通知书", "入住通知书.pdf")

    def start(self):
        if self.current_home_id is None:
            return
        ev = self.event_box.currentData()
        h = run_action(self, movein.start_handover, self.ctx, self.current_home_id,
                       "集中交付" if ev else "零星交付", ev)
        if h:
            self.refresh_board()

    def single_handover(self):
        room, ok = QInputDialog.getText(self, "零星交付", "房号：")
        if not ok or not room.strip():
            return
        h = run_action(self, movein.start_handover, self.ctx, room.strip(), "零星交付")
        if h:
            self.current_home_id = h.home_id
            self.event_box.setCurrentIndex(0)
            self.refresh_board()

    def confirm_developer(self):
        if self.current_handover_id and run_action(self, movein.confirm_developer, self.ctx, self.current_handover_id):
            self.refresh_board()

    def step_form(self, step: str) -> FormDialog:
        hid = self.current_handover_id
        if step == "identity":
            p = movein.owner_prefill(hid)
            fields = [("name", "业主姓名", "text", p.get("name", "")),
                      ("id_number", "身份证号", "text", ""),
                      ("phone", "联系电话", "text", p.get("phone", "")),
                      ("gender", "性别", "choice", p.get("gender") or "男", ["男", "女"]),
                      ("employer", "工作单位", "text", p.get("employer", "")),
                      ("id_checked", "已核对身份证原件", "check", True),
                      ("copy_kept", "已留存身份证复印件及照片", "check", True),
                      ("invoice_copy", "已留存购房发票复印件", "check", True)]
            intro = f"已登记身份证：{p['id_masked']}（留空则沿用）" if p.get("id_masked") else "填写业主信息表"

            def submit(v):
                data = {k: v[k] for k in ("name", "phone", "gender", "employer")}
                if v["id_number"] or not p.get("id_masked"):
                    data["id_number"] = v["id_number"]
                return movein.do_identity(self.ctx, hid, owner=data, id_checked=v["id_checked"],
                                          copy_kept=v["copy_kept"], invoice_copy=v["invoice_copy"])
            return FormDialog("身份核验", fields, submit, self, intro)
        if step == "agreements":
            fields = [(code, name, "check", False) for code, name in movein.AGREEMENTS]
            return FormDialog("签署协议", fields, lambda v: movein.do_agreements(
                self.ctx, hid, [c for c, ok in v.items() if ok]), self, "请业主签署以下协议：")
        if step == "payment":
            amount = run_action(self, movein.prepayment_amount, self.ctx, self.current_home_id)
            if amount is None:
                return None
            p = movein.owner_prefill(hid)
            months = self.ctx.settings.get("billing.prepay_months")
            fields = [("amount", "应收金额", "label", f"{fmt_fen(amount)} 元（{months}个月物业费）"),
                      ("method", "付款方式", "choice", "现金", PAY_METHODS),
                      ("payer", "交款人", "text", p.get("name", "")),
                      ("reference", "转账/刷卡参考号", "text", "")]
            return FormDialog("缴纳物业费", fields, lambda v: movein.do_payment(
                self.ctx, hid, v["method"], v["payer"], v["reference"]), self)
        if step == "inspection":
            fields = [("signed", "业主已签署房屋交接书", "check", False),
                      ("water", "水表起始读数", "text", ""), ("power", "电表起始读数", "text", ""),
                      ("gas", "燃气表起始读数", "text", "")]
            return FormDialog("验房交接", fields, lambda v: movein.complete_inspection(
                self.ctx, hid, v["signed"], {k: v[k] for k in ("water", "power", "gas")}), self,
                "缺陷请先用“登记缺陷”逐项记录，再完成验房交接。")
        p = movein.owner_prefill(hid)
        fields = [("receiver", "领取人", "text", p.get("name", "")),
                  ("gifts", "礼品", "text", ""),
                  ("manuals", "已交付使用说明书和质量保证书", "check", True),
                  ("state", "交付后状态", "choice", "已入住", movein.STATES_AFTER)]
        return FormDialog("交付钥匙", fields, lambda v: movein.do_keys(
            self.ctx, hid, v["receiver"], v["gifts"], v["manuals"], v["state"]), self)

    def do_next_step(self):
        if not self.current_handover_id:
            return
        step = movein.next_step(self.current_handover_id)
        if step is None:
            return
        form = self.step_form(step)
        if form is not None and form.exec():
            self.refresh()
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
            self.refresh_board()

    def _selected_defect(self):
        return self.defects.row_at(self.defects_view.currentIndex())

    def send_defect(self):
        d = self._selected_defect()
        if d is None:
            return
        builder, ok = QInputDialog.getText(self, "派单", "施工单位：")
        if ok and run_action(self, movein.send_defect, self.ctx, d.id, builder):
            self.refresh_board()

    def defect_fixed(self):
        d = self._selected_defect()
        if d is not None and run_action(self, movein.defect_fixed, self.ctx, d.id):
            self.refresh_board()

    def close_defect(self):
        d = self._selected_defect()
        if d is not None and run_action(self, movein.close_defect, self.ctx, d.id, True):
            self.refresh_board()

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
            self.refresh()

    def book_moving(self):
        form = FormDialog("搬家预约", [
            ("room", "房号", "text", ""), ("date", "搬家日期", "date", QDate.currentDate().addDays(1)),
            ("slot", "时段", "choice", "上午", ["上午", "下午", "全天"]), ("contact", "联系人", "text", ""),
            ("phone", "联系电话", "text", ""), ("mover", "搬家公司", "text", ""), ("vehicle", "车牌号", "text", "")],
            lambda v: movein.book_moving(self.ctx, v["room"], v["date"], v["slot"], v["contact"], v["phone"],
                                         v["mover"], v["vehicle"]), self)
        if form.exec():
            self.refresh()

    def pass_to_gate(self):
        b = self.bookings.row_at(self.bookings_view.currentIndex())
        if b is not None and run_action(self, movein.pass_booking_to_gate, self.ctx, b.id):
            self.refresh()
