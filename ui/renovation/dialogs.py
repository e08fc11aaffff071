"""Dialogs of the renovation tab with widgets of their own: the application (home search, plan,
period, drawings) and the itemised deductions from the deposit. Both are ui.common.forms
FormDialogs; the tab gives the service call (``on_accept``), app.renovation validates (Chinese
messages naming the field) — on a refusal the dialog stays open with the input kept. The other
steps are plain field lists (FormDialog directly)."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
)

from app.core.money import fmt_fen
from app.core.validation import fmt_area
from ui.common.dates import date_edit, py_date
from ui.common.forms import Field, FormDialog

APPLICANT_FIELDS = (("applicant", "申请人（业主）"), ("applicant_phone", "申请人电话"), ("contractor_name", "施工单位"),
                    ("contractor_person", "施工负责人"), ("contractor_phone", "负责人电话"))
DRAWING_FILTER = "图纸 (*.pdf *.jpg *.jpeg *.png *.dwg);;所有文件 (*)"
START_AFTER_DAYS, PLANNED_DAYS = 3, 90
LIST_HEIGHT = 70
DIALOG_WIDTH = 520


class ApplicationDialog(FormDialog):
    """装修申请: the home (handed over, no open renovation), applicant, plan, contractor, drawings.
    ``values()`` is (home id, data, drawing paths)."""

    def __init__(self, parent, find_homes, today: dt.date, owner_name=None, on_accept=None):
        super().__init__("装修申请登记", (), on_accept, parent)
        self.find_homes = find_homes
        self.owner_name = owner_name
        self._prefilled = ""
        self.room_search = QLineEdit()
        self.room_search.setPlaceholderText("输入房号筛选，如 5-2")
        self.room_search.textChanged.connect(self._load_homes)
        self.home = self._home_box()
        for key, label in APPLICANT_FIELDS:
            self.add_field(Field(key, label))
        self.plan = QPlainTextEdit()
        self.plan.setObjectName("plan")
        self.plan.setFixedHeight(LIST_HEIGHT)
        self.plan.setPlaceholderText("装修项目：吊顶、水电改造、厨卫、地面、墙面、门窗……")
        self.add_form_row("装修方案", self.plan)
        self.add_form_row("计划工期", self._period(today))
        self.add_form_row("装修图纸", self._drawings())
        self.home.currentIndexChanged.connect(self._home_changed)
        self._load_homes("")
        self._home_changed()
        self.resize(DIALOG_WIDTH, self.sizeHint().height())

    def _home_box(self):
        box = QComboBox()
        box.setObjectName("home")
        self.add_form_row("房号", self.room_search)
        self.add_form_row("", box)
        return box

    def _period(self, today: dt.date) -> QHBoxLayout:
        self.start = date_edit(today + dt.timedelta(days=START_AFTER_DAYS))
        self.end = date_edit(today + dt.timedelta(days=PLANNED_DAYS))
        period = QHBoxLayout()
        period.addWidget(self.start)
        period.addWidget(QLabel("至"))
        period.addWidget(self.end)
        return period

    def _drawings(self) -> QGridLayout:
        self.drawings = QListWidget()
        self.drawings.setFixedHeight(LIST_HEIGHT)
        self.add_drawing_button = QPushButton("添加图纸…")
        self.add_drawing_button.clicked.connect(self._add_drawing)
        self.remove_drawing_button = QPushButton("移除")
        self.remove_drawing_button.clicked.connect(lambda: self.drawings.takeItem(self.drawings.currentRow()))
        g = QGridLayout()
        g.addWidget(self.drawings, 0, 0, 2, 1)
        g.addWidget(self.add_drawing_button, 0, 1)
        g.addWidget(self.remove_drawing_button, 1, 1)
        return g

    def _load_homes(self, text):
        self.home.clear()
        for h in self.find_homes(text):
            self.home.addItem(f"{h.room_code}（{h.house_type} {fmt_area(h.area_x100)}㎡ {h.state}）", h.id)

    def _home_changed(self, *_):
        home_id = self.home.currentData()
        field = self.widget("applicant")
        if self.owner_name and home_id is not None and field.text().strip() in ("", self._prefilled):
            self._prefilled = self.owner_name(home_id)
            field.setText(self._prefilled)

    def _add_drawing(self):
        paths, _ = QFileDialog.getOpenFileNames(self, "选择装修图纸", "", DRAWING_FILTER)
        for p in paths:
            self.drawings.addItem(p)

    def add_drawing_path(self, path):
        self.drawings.addItem(str(path))

    def check(self):
        if self.home.currentData() is None:
            return "请选择房号（须已交付且没有未结案的装修）", self.room_search
        return super().check()

    def values(self):
        data = self.field_values()
        data["plan"] = self.plan.toPlainText().strip()
        data["planned_start"] = py_date(self.start.date())
        data["planned_end"] = py_date(self.end.date())
        drawings = [self.drawings.item(i).text() for i in range(self.drawings.count())]
        return self.home.currentData(), data, drawings


class DeductionsDialog(FormDialog):
    """Itemised deductions from the deposit (reason + amount in 元), optionally with a reason
    for abandoning. Amounts are typed as text and parsed to fen by the service. ``values()`` is
    {"reason", "deductions": [(reason, amount text)]}."""

    def __init__(self, parent, title, held_fen: int, ask_reason: bool = False, note: str = "", on_accept=None):
        intro = f"已缴装修保证金：{fmt_fen(held_fen)} 元。扣款合计不得超过保证金。" + (f"\n{note}" if note else "")
        super().__init__(title, (), on_accept, parent, intro)
        self.reason = self.add_field(Field("reason", "放弃原因")) if ask_reason else None
        self.grid = QGridLayout()
        self.grid.addWidget(QLabel("扣款事由"), 0, 0)
        self.grid.addWidget(QLabel("金额（元）"), 0, 1)
        self.rows: list[tuple[QLineEdit, QLineEdit]] = []
        self.extra.addLayout(self.grid)
        self.more_button = QPushButton("增加一项扣款")
        self.more_button.clicked.connect(lambda _checked=False: self.add_row())   # not add_row(checked)
        self.extra.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.add_row()

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
