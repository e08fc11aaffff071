"""The written reply to a complaint (复函): draft it, preview/print/save it as PDF, record its
sending (date, how; the signed-in user as sender). Once sent the letter is read only."""
from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from app.service import complaints as cp
from app.service import records
from models.service_reply import SEND_METHODS
from ui.common.icons import icon
from ui.common.ops import run_action

DRAFT_HEIGHT = 70


class ReplyLetterDialog(QDialog):
    def __init__(self, ctx, row, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.row = row
        self.result_value = None
        self.last_preview = None
        r = records.get(row.id)
        self.request = r
        self.setWindowTitle(f"投诉处理回复函 — {r.number}")
        self.resize(620, 720)
        lay = QVBoxLayout(self)
        lay.addWidget(self._build_head(r))
        lay.addWidget(QLabel("投诉内容："))
        complaint = QLabel(r.content)
        complaint.setWordWrap(True)
        complaint.setStyleSheet("color:#424242")
        lay.addWidget(complaint)
        lay.addLayout(self._build_form())
        lay.addLayout(self._build_draft_buttons())
        self.send_box = self._build_send_box()
        lay.addWidget(self.send_box)
        self.state = QLabel()
        self.state.setWordWrap(True)
        lay.addWidget(self.state)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        close.rejected.connect(self.accept)
        lay.addWidget(close)
        self._load()

    # building ---------------------------------------------------------------------------------
    def _build_head(self, r) -> QLabel:
        """The request, and the deadline of the reply."""
        due = cp.reply_due(self.ctx, r)
        rule = "（书面投诉：两个工作日内）" if cp.is_written(r) else "（口头投诉：当日）"
        head = QLabel(f"{r.number}　{r.home.room_code}　{r.caller}　"
                      f"{r.channel}投诉（{r.complaint_class}·{r.subject}）\n"
                      f"受理 {r.received_at:%Y-%m-%d %H:%M}，答复时限 {due:%Y-%m-%d}{rule}")
        head.setWordWrap(True)
        return head

    def _build_form(self) -> QFormLayout:
        ctx = self.ctx
        self.investigation = QPlainTextEdit()
        self.investigation.setPlaceholderText("经查……（调查经过与原因）")
        self.outcome = QPlainTextEdit()
        self.outcome.setPlaceholderText("已……（处理结果）")
        self.measures = QPlainTextEdit()
        self.measures.setPlaceholderText("可选：致歉及整改措施")
        for w in (self.investigation, self.outcome, self.measures):
            w.setMinimumHeight(DRAFT_HEIGHT)
        self.contact_name = QLineEdit(getattr(ctx.user, "display_name", ""))
        self.contact_phone = QLineEdit(str(ctx.settings.get("site.service_phone") or ""))
        self.contact_phone.setPlaceholderText("客服中心电话")
        form = QFormLayout()
        form.addRow("调查情况", self.investigation)
        form.addRow("处理结果", self.outcome)
        form.addRow("致歉及措施", self.measures)
        form.addRow("联系人", self.contact_name)
        form.addRow("联系电话", self.contact_phone)
        return form

    def _build_draft_buttons(self) -> QHBoxLayout:
        self.save_button = QPushButton(icon("save"), "保存")
        self.save_button.clicked.connect(self.save)
        self.print_button = QPushButton(icon("print"), "预览 / 打印…")
        self.print_button.clicked.connect(self.preview)
        row_b = QHBoxLayout()
        row_b.addWidget(self.save_button)
        row_b.addWidget(self.print_button)
        row_b.addStretch(1)
        return row_b

    def _build_send_box(self) -> QGroupBox:
        box = QGroupBox("登记寄出（计入答复时限）")
        sf = QHBoxLayout(box)
        self.sent_on = QDateEdit()
        self.sent_on.setCalendarPopup(True)
        self.sent_on.setDisplayFormat("yyyy-MM-dd")
        today = self.ctx.clock.today()
        self.sent_on.setDate(QDate(today.year, today.month, today.day))
        self.sent_on.setMaximumDate(QDate(today.year, today.month, today.day))
        self.method = QComboBox()
        self.method.addItems(SEND_METHODS)
        self.send_button = QPushButton(icon("ok"), "登记寄出")
        self.send_button.clicked.connect(self.send)
        sf.addWidget(QLabel("寄出日期"))
        sf.addWidget(self.sent_on)
        sf.addWidget(QLabel("方式"))
        sf.addWidget(self.method)
        sf.addStretch(1)
        sf.addWidget(self.send_button)
        return box

    # the letter -------------------------------------------------------------------------------
    def _load(self):
        letter = cp.reply_letter(self.row.id)
        self.letter = letter
        if letter is not None:
            self.investigation.setPlainText(letter.investigation)
            self.outcome.setPlainText(letter.outcome)
            self.measures.setPlainText(letter.measures)
            self.contact_name.setText(letter.contact_name)
            self.contact_phone.setText(letter.contact_phone)
        sent = letter is not None and letter.sent_on is not None
        for w in (self.investigation, self.outcome, self.measures):
            w.setReadOnly(sent)
        for w in (self.contact_name, self.contact_phone):
            w.setReadOnly(sent)
        self.save_button.setEnabled(not sent)
        self.send_box.setEnabled(not sent)
        if letter is None:
            self.state.setText("尚未起草：填写后保存，即可打印并登记寄出。")
        elif sent:
            who = letter.sent_by.display_name if letter.sent_by else ""
            self.state.setText(f"复函 {letter.number} 已于 {letter.sent_on:%Y-%m-%d} {letter.send_method}寄出"
                               f"（{who}登记），内容不能再修改。")
        else:
            self.state.setText(f"复函 {letter.number} 草稿（{letter.drafted_at:%m-%d %H:%M} 保存），尚未寄出。")

    def _values(self):
        return dict(investigation=self.investigation.toPlainText(), outcome=self.outcome.toPlainText(),
                    measures=self.measures.toPlainText(), contact_name=self.contact_name.text(),
                    contact_phone=self.contact_phone.text())

    def save(self):
        letter = run_action(self, cp.save_reply_letter, self.ctx, self.row.id, title="未能保存复函", **self._values())
        if letter is not None:
            self.result_value = letter
            self._load()
        return letter

    def _unsaved(self) -> bool:
        """The draft on screen differs from the one stored (or nothing is stored yet)."""
        if self.letter is None:
            return True
        if self.letter.sent_on is not None:
            return False
        stored = dict(investigation=self.letter.investigation, outcome=self.letter.outcome,
                      measures=self.letter.measures, contact_name=self.letter.contact_name,
                      contact_phone=self.letter.contact_phone)
        return {k: str(v).strip() for k, v in self._values().items()} != stored

    def preview(self):
        """Save the draft when edited, then show it: print or save as PDF from the preview."""
        if self._unsaved() and self.save() is None:
            return None
        from app.service.forms import complaint_reply_pdf
        from ui.common.print_preview import preview
        pdf = run_action(self, complaint_reply_pdf, self.ctx, self.row.id, title="未能打印")
        if pdf is None:
            return None
        self.last_preview = preview(self, pdf, f"投诉处理回复函 {self.letter.number}", f"复函_{self.letter.number}.pdf")
        return self.last_preview

    def send(self):
        if self._unsaved() and self.save() is None:     # what is sent is what is on screen
            return None
        d = self.sent_on.date()
        import datetime as dt
        letter = run_action(self, cp.send_reply_letter, self.ctx, self.row.id, title="未能登记寄出",
                            sent_on=dt.date(d.year(), d.month(), d.day()), method=self.method.currentText())
        if letter is not None:
            self.result_value = letter
            self._load()
        return letter
