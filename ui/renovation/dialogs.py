"""Dialogs of the renovation tab. They collect input only; the tab passes it to app.renovation,
which validates it (Chinese messages naming the field) — on a refusal the dialog stays open
with the input kept."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.money import fmt_fen
from app.core.validation import fmt_area


def _qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


class SubmitDialog(QDialog):
    """OK runs ``submit(values)`` (set by the caller); the dialog closes only when it returns a
    result (not None), so a refused input stays on screen for correction."""

    def __init__(self, parent=None, title=""):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.submit = None
        self.result_value = None
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)

    def values(self):
        raise NotImplementedError

    def _ok(self):
        if self.submit is None:
            self.accept()
            return
        res = self.submit(self.values())
        if res is not None:
            self.result_value = res
            self.accept()


class FieldsDialog(SubmitDialog):
    """A form from a field list: (key, label, kind, default[, options]). Kinds: text, multi,
    date, bool, choice, int, file."""

    def __init__(self, parent, title, fields, note: str = ""):
        super().__init__(parent, title)
        self.widgets = {}
        self.kinds = {}
        lay = QVBoxLayout(self)
        if note:
            lab = QLabel(note)
            lab.setWordWrap(True)
            lay.addWidget(lab)
        form = QFormLayout()
        for spec in fields:
            key, label, kind, default = spec[:4]
            options = spec[4] if len(spec) > 4 else None
            w = self._make(kind, default, options)
            w.setObjectName(f"field_{key}")
            self.widgets[key] = w
            self.kinds[key] = kind
            form.addRow(label + ("" if kind == "bool" else "："), w if kind != "file" else w.box)
        lay.addLayout(form)
        lay.addWidget(self.buttons)
        self.resize(460, self.sizeHint().height())

    def _make(self, kind, default, options):
        if kind == "multi":
            w = QPlainTextEdit()
            w.setPlainText(default or "")
            w.setFixedHeight(80)
            return w
        if kind == "date":
            w = QDateEdit()
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
            w.setDate(_qdate(default))
            return w
        if kind == "bool":
            w = QCheckBox()
            w.setChecked(bool(default))
            return w
        if kind == "choice":
            w = QComboBox()
            w.addItems(list(options))
            if default:
                w.setCurrentText(default)
            return w
        if kind == "int":
            w = QSpinBox()
            w.setRange(0, 999)
            w.setValue(int(default or 0))
            return w
        if kind == "file":
            w = QLineEdit(default or "")
            w.setPlaceholderText("可不选")
            btn = QPushButton("选择…")
            box = QWidget()
            h = QHBoxLayout(box)
            h.setContentsMargins(0, 0, 0, 0)
            h.addWidget(w, 1)
            h.addWidget(btn)
            btn.clicked.connect(lambda: self._pick(w, options))
            w.box = box
            return w
        w = QLineEdit(default or "")
        return w

    def _pick(self, line, flt):
        path, _ = QFileDialog.getOpenFileName(self, "选择文件", "", flt or "所有文件 (*)")
        if path:
            line.setText(path)

    def set_value(self, key, value):
        w, kind = self.widgets[key], self.kinds[key]
        if kind == "multi":
            w.setPlainText(value)
        elif kind == "date":
            w.setDate(_qdate(value))
        elif kind == "bool":
            w.setChecked(bool(value))
        elif kind == "choice":
            w.setCurrentText(value)
        elif kind == "int":
            w.setValue(int(value))
        else:
            w.setText(value)

    def values(self) -> dict:
        out = {}
        for key, w in self.widgets.items():
            kind = self.kinds[key]
            if kind == "multi":
                out[key] = w.toPlainText().strip()
            elif kind == "date":
                out[key] = _pydate(w.date())
            elif kind == "bool":
                out[key] = w.isChecked()
            elif kind == "choice":
                out[key] = w.currentText()
            elif kind == "int":
                out[key] = w.value()
            else:
                out[key] = w.text().strip()
        return out


class ApplicationDialog(SubmitDialog):
    """装修申请: the home (handed over, no open renovation), applicant, plan, contractor, drawings."""

    def __init__(self, parent, find_homes, today: dt.date, owner_name=None):
        super().__init__(parent, "装修申请登记")
        self.find_homes = find_homes
        self.owner_name = owner_name
        self._prefilled = ""
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.room_search = QLineEdit()
        self.room_search.setPlaceholderText("输入房号筛选，如 5-2")
        self.room_search.textChanged.connect(self._load_homes)
        self.home = QComboBox()
        self.home.setObjectName("home")
        form.addRow("房号：", self.room_search)
        form.addRow("", self.home)
        self.fields = {}
        for key, label in (("applicant", "申请人（业主）"), ("applicant_phone", "申请人电话"), ("contractor_name", "施工单位"),
                           ("contractor_person", "施工负责人"), ("contractor_phone", "负责人电话")):
            w = QLineEdit()
            w.setObjectName(key)
            self.fields[key] = w
            form.addRow(label + "：", w)
        self.plan = QPlainTextEdit()
        self.plan.setObjectName("plan")
        self.plan.setFixedHeight(70)
        self.plan.setPlaceholderText("装修项目：吊顶、水电改造、厨卫、地面、墙面、门窗……")
        form.addRow("装修方案：", self.plan)
        self.start = QDateEdit(_qdate(today + dt.timedelta(days=3)))
        self.end = QDateEdit(_qdate(today + dt.timedelta(days=90)))
        for w in (self.start, self.end):
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
        period = QHBoxLayout()
        period.addWidget(self.start)
        period.addWidget(QLabel("至"))
        period.addWidget(self.end)
        form.addRow("计划工期：", period)
        self.drawings = QListWidget()
        self.drawings.setFixedHeight(70)
        add = QPushButton("添加图纸…")
        add.clicked.connect(self._add_drawing)
        remove = QPushButton("移除")
        remove.clicked.connect(lambda: self.drawings.takeItem(self.drawings.currentRow()))
        g = QGridLayout()
        g.addWidget(self.drawings, 0, 0, 2, 1)
        g.addWidget(add, 0, 1)
        g.addWidget(remove, 1, 1)
        form.addRow("装修图纸：", g)
        lay.addLayout(form)
        lay.addWidget(self.buttons)
        self.home.currentIndexChanged.connect(self._home_changed)
        self._load_homes("")
        self._home_changed()
        self.resize(520, self.sizeHint().height())

    def _load_homes(self, text):
        self.home.clear()
        for h in self.find_homes(text):
            self.home.addItem(f"{h.room_code}（{h.house_type} {fmt_area(h.area_x100)}㎡ {h.state}）", h.id)

    def _home_changed(self, *_):
        home_id = self.home.currentData()
        field = self.fields["applicant"]
        if self.owner_name and home_id is not None and field.text().strip() in ("", self._prefilled):
            self._prefilled = self.owner_name(home_id)
            field.setText(self._prefilled)

    def _add_drawing(self):
        paths, _ = QFileDialog.getOpenFileNames(self, "选择装修图纸", "", "图纸 (*.pdf *.jpg *.jpeg *.png *.dwg);;所有文件 (*)")
        for p in paths:
            self.drawings.addItem(p)

    def add_drawing_path(self, path):
        self.drawings.addItem(str(path))

    def values(self):
        data = {k: w.text().strip() for k, w in self.fields.items()}
        data["plan"] = self.plan.toPlainText().strip()
        data["planned_start"] = _pydate(self.start.date())
        data["planned_end"] = _pydate(self.end.date())
        drawings = [self.drawings.item(i).text() for i in range(self.drawings.count())]
        return self.home.currentData(), data, drawings


class DeductionsDialog(SubmitDialog):
    """Itemised deductions from the deposit (reason + amount in 元), optionally with a reason
    for abandoning. Amounts are typed as text and parsed to fen by the service."""

    def __init__(self, parent, title, held_fen: int, ask_reason: bool = False, note: str = ""):
        super().__init__(parent, title)
        lay = QVBoxLayout(self)
        info = QLabel(f"已缴装修保证金：{fmt_fen(held_fen)} 元。扣款合计不得超过保证金。" + (f"\n{note}" if note else ""))
        info.setWordWrap(True)
        lay.addWidget(info)
        self.reason = None
        if ask_reason:
            form = QFormLayout()
            self.reason = QLineEdit()
            self.reason.setObjectName("reason")
            form.addRow("放弃原因：", self.reason)
            lay.addLayout(form)
        self.grid = QGridLayout()
        self.grid.addWidget(QLabel("扣款事由"), 0, 0)
        self.grid.addWidget(QLabel("金额（元）"), 0, 1)
        self.rows: list[tuple[QLineEdit, QLineEdit]] = []
        lay.addLayout(self.grid)
        more = QPushButton("增加一项扣款")
        more.clicked.connect(self.add_row)
        lay.addWidget(more, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self.buttons)
        self.add_row()
        self.resize(460, self.sizeHint().height())

    def add_row(self, reason: str = "", amount: str = ""):
        r, a = QLineEdit(reason), QLineEdit(amount)
        a.setPlaceholderText("0.00")
        n = len(self.rows) + 1
        self.grid.addWidget(r, n, 0)
        self.grid.addWidget(a, n, 1)
        self.rows.append((r, a))
        return r, a

    def values(self):
        items = [(r.text().strip(), a.text().strip()) for r, a in self.rows if r.text().strip() or a.text().strip()]
        return {"reason": self.reason.text().strip() if self.reason else "", "deductions": items}
