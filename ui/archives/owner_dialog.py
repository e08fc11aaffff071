"""The owner dialog (业主资料): every field of domain.md §2, checked by the service on save.

A new owner is added to the home (co-owner if the home has one already). For an existing owner,
phones and the identity number are shown masked and left empty: empty means "keep"; a user with
the pii.view_full permission may reveal them (audited) to edit them. A refusal is shown in red
in the dialog, the named field gets the focus, and nothing typed is lost.
"""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.archives.detail import owner_detail
from app.archives.listing import find_owners
from app.archives.people import KEY_TAGS, create_owner, link_owner, owner_photo_path, reveal_owner_pii
from app.core.errors import UserError
from app.core.privacy import may_see_full
from app.golive.corrections import update_owner  # closes the 待核对 items of the values it corrects
from ui.common.forms import FormDialog
from ui.common.icons import icon

EDUCATION = ["", "博士", "硕士", "本科", "大专", "高中", "中专", "初中", "小学"]
ID_TYPES = ["身份证", "护照", "港澳通行证", "台胞证", "军官证", "其他"]
OWNER_WIDTH = 960
LINK_SIZE = (520, 420)
FAMILY = ["", "单身", "夫妻二人", "三口之家", "三代同堂", "四口之家", "其他"]
KEEP_HINT = "已登记 {}（不修改请留空）"
TEXT_HEIGHT = 48
PHOTO_SIZE = (96, 120)


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


class OwnerDialog(FormDialog):
    """An owner's record in four groups; 保存 calls the service, a refusal shows in red above the
    buttons with the field it names focused."""

    def __init__(self, ctx, home_id: int, owner_id: int | None = None, parent=None, room_code: str = ""):
        super().__init__(("编辑业主资料" if owner_id else "新增业主") + (f" — {room_code}" if room_code else ""),
                         parent=parent, ctx=ctx, ok_text="保存", inline_errors=True)
        self.home_id, self.owner_id = home_id, owner_id
        self.photo_path = None
        self.data = owner_detail(ctx, owner_id) if owner_id else {}
        self.setMinimumWidth(OWNER_WIDTH)
        grid = QGridLayout()
        grid.addWidget(self._build_basic_box(), 0, 0)
        grid.addWidget(self._build_family_box(), 0, 1)
        grid.addWidget(self._build_key_box(), 1, 0)
        grid.addWidget(self._build_opinion_box(), 1, 1)
        rooms = self.data.get("home_rooms") or []
        if len(rooms) > 1:
            self.add_widget(QLabel("该业主名下房屋：" + "、".join(rooms) + "（修改对所有房屋生效）"))
        self.extra.addLayout(grid)
        self.save_button = self.ok_button

    # building -----------------------------------------------------------------------------------
    def _line(self, key, label, value="", placeholder="") -> QLineEdit:
        w = QLineEdit(_text(value))
        w.setObjectName(key)
        if placeholder:
            w.setPlaceholderText(placeholder)
        self.field_widgets[label] = w
        return w

    def _combo(self, key, label, items, value="", editable=True) -> QComboBox:
        w = QComboBox()
        w.setObjectName(key)
        w.setEditable(editable)
        w.addItems(items)
        w.setCurrentText(_text(value))
        self.field_widgets[label] = w
        return w

    def _text_edit(self, key, label, value="") -> QPlainTextEdit:
        w = QPlainTextEdit(_text(value))
        w.setObjectName(key)
        w.setFixedHeight(TEXT_HEIGHT)
        self.field_widgets[label] = w
        return w

    def _kept(self, key: str, otherwise: str = "") -> str:
        """The placeholder of a masked field: what is on file (empty keeps it), or a hint."""
        return KEEP_HINT.format(self.data[key]) if self.data.get(key) else otherwise

    def _build_basic_box(self) -> QGroupBox:
        d = self.data
        self.name = self._line("name", "业主姓名", d.get("name"))
        self.gender = self._combo("gender", "性别", ["", "男", "女"], d.get("gender"), editable=False)
        self.birth = self._line("birth_date", "出生日期", d.get("birth_date"), "如 1980-01-01（可由身份证号得出）")
        self.education = self._combo("education", "学历", EDUCATION, d.get("education"))
        self.native = self._line("native_place", "籍贯", d.get("native_place"))
        self.id_type = self._combo("id_type", "证件类型", ID_TYPES, d.get("id_type") or "身份证", editable=False)
        self.id_number = self._line("id_number", "身份证号", "",
                                    f"{d['id_masked']}（不修改请留空）" if d.get("id_masked") else "18位，末位可为X")
        self.field_widgets["证件号码"] = self.id_number
        self.phone = self._line("phone", "联系电话", "", self._kept("phone", "手机或固定电话"))
        self.phone2 = self._line("phone2", "备用电话", "", self._kept("phone2"))
        basic = QFormLayout()
        basic.addRow("业主姓名 *", self.name)
        basic.addRow("性别", self.gender)
        basic.addRow("出生日期", self.birth)
        basic.addRow("学历", self.education)
        basic.addRow("籍贯", self.native)
        basic.addRow("证件类型", self.id_type)
        basic.addRow("证件号码", self._build_id_row())
        basic.addRow("联系电话", self.phone)
        basic.addRow("备用电话", self.phone2)
        box = QGroupBox("基本信息")
        bl = QHBoxLayout(box)
        bl.addLayout(basic, 1)
        bl.addLayout(self._build_photo_column())
        return box

    def _build_id_row(self) -> QHBoxLayout:
        """The identity number, and the button that reveals the full numbers (audited)."""
        d = self.data
        self.reveal_btn = QPushButton("显示完整号码")
        self.reveal_btn.setToolTip("查看完整证件号和电话（需要权限，操作记入审计日志）")
        self.reveal_btn.clicked.connect(self.reveal)
        self.reveal_btn.setVisible(bool(self.owner_id) and may_see_full(self.ctx)
                                   and bool(d.get("has_id") or d.get("phone")))
        id_row = QHBoxLayout()
        id_row.addWidget(self.id_number, 1)
        id_row.addWidget(self.reveal_btn)
        return id_row

    def _build_photo_column(self) -> QVBoxLayout:
        self.photo_label = QLabel("无照片")
        self.photo_label.setFixedSize(*PHOTO_SIZE)
        self.photo_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo_label.setStyleSheet("border: 1px solid #BBB; color: #888;")
        if self.owner_id:
            p = owner_photo_path(self.ctx, self.owner_id)
            if p is not None:
                self._show_photo(str(p))
        photo_btn = QPushButton(icon("attach"), "照片…")
        photo_btn.clicked.connect(self.choose_photo)
        photo_col = QVBoxLayout()
        photo_col.addWidget(self.photo_label)
        photo_col.addWidget(photo_btn)
        photo_col.addStretch(1)
        return photo_col

    def _build_family_box(self) -> QGroupBox:
        d = self.data
        self.employer = self._line("employer", "工作单位", d.get("employer"))
        self.work_address = self._line("work_address", "单位地址", d.get("work_address"))
        self.spouse = self._line("spouse_name", "配偶姓名", d.get("spouse_name"))
        self.spouse_phone = self._line("spouse_phone", "配偶电话", "", self._kept("spouse_phone"))
        self.spouse_employer = self._line("spouse_employer", "配偶工作单位", d.get("spouse_employer"))
        self.family = self._combo("family_structure", "家庭结构", FAMILY, d.get("family_structure"))
        self.residents = self._line("residents_count", "常住人数", d.get("residents_count") if d else "")
        fam = QFormLayout()
        for label, w in (("工作单位", self.employer), ("单位地址", self.work_address), ("配偶姓名", self.spouse),
                         ("配偶电话", self.spouse_phone), ("配偶工作单位", self.spouse_employer),
                         ("家庭结构", self.family), ("常住人数", self.residents)):
            fam.addRow(label, w)
        box = QGroupBox("家庭与工作")
        box.setLayout(fam)
        return box

    def _build_key_box(self) -> QGroupBox:
        """Key customer tags, and the arrears flag with its reason."""
        d = self.data
        tags = set((d.get("key_customer_tags") or "").split(","))
        self.tag_boxes = {}
        tag_row = QHBoxLayout()
        for t in KEY_TAGS:
            cb = QCheckBox(t)
            cb.setObjectName(f"tag_{t}")
            cb.setChecked(t in tags)
            self.tag_boxes[t] = cb
            tag_row.addWidget(cb)
        tag_row.addStretch(1)
        tag_w = QWidget()
        tag_w.setLayout(tag_row)
        self.field_widgets["重点客户类别"] = tag_w
        self.arrears = QCheckBox("欠费户")
        self.arrears.setObjectName("arrears_flag")
        self.arrears.setChecked(bool(d.get("arrears_flag")))
        self.arrears_reason = self._line("arrears_reason", "欠费原因", d.get("arrears_reason"))
        self.arrears_complaint = self._line("arrears_complaint", "业主诉求/投诉", d.get("arrears_complaint"))
        key = QFormLayout()
        key.addRow("重点客户", tag_w)
        key.addRow("", self.arrears)
        key.addRow("欠费原因", self.arrears_reason)
        key.addRow("业主诉求/投诉", self.arrears_complaint)
        box = QGroupBox("重点客户与欠费")
        box.setLayout(key)
        return box

    def _build_opinion_box(self) -> QGroupBox:
        d = self.data
        self.opinion = self._text_edit("opinion", "对服务的意见", d.get("opinion"))
        self.suggestions = self._text_edit("suggestions", "历史建议", d.get("suggestions"))
        self.special = self._text_edit("special_requests", "特殊需求", d.get("special_requests"))
        self.notes = self._text_edit("notes", "备注", d.get("notes"))
        op = QFormLayout()
        for label, w in (("对服务的意见", self.opinion), ("历史建议", self.suggestions),
                         ("特殊需求", self.special), ("备注", self.notes)):
            op.addRow(label, w)
        box = QGroupBox("意见与需求")
        box.setLayout(op)
        return box

    # photo ------------------------------------------------------------------------------------
    def _show_photo(self, path: str):
        pm = QPixmap(path)
        if not pm.isNull():
            self.photo_label.setPixmap(pm.scaled(self.photo_label.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                                 Qt.TransformationMode.SmoothTransformation))

    def choose_photo(self, path: str | None = None):
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, "选择业主照片", "", "图片 (*.jpg *.jpeg *.png *.bmp)")
        if path:
            self.photo_path = path
            self._show_photo(path)

    # reveal -------------------------------------------------------------------------------------
    def reveal(self):
        try:
            if self.data.get("has_id"):
                self.id_number.setText(reveal_owner_pii(self.ctx, self.owner_id, "id"))
            for key, w in (("phone", self.phone), ("phone2", self.phone2), ("spouse_phone", self.spouse_phone)):
                if self.data.get(key):
                    w.setText(reveal_owner_pii(self.ctx, self.owner_id, key))
        except UserError as exc:
            self.show_refusal(exc)
            return
        self.reveal_btn.setEnabled(False)

    # save ---------------------------------------------------------------------------------------
    def values(self) -> dict:
        v = {"name": self.name.text().strip(), "gender": self.gender.currentText(),
             "birth_date": self.birth.text().strip(), "education": self.education.currentText().strip(),
             "native_place": self.native.text().strip(), "id_type": self.id_type.currentText(),
             "employer": self.employer.text().strip(), "work_address": self.work_address.text().strip(),
             "spouse_name": self.spouse.text().strip(), "spouse_employer": self.spouse_employer.text().strip(),
             "family_structure": self.family.currentText().strip(), "residents_count": self.residents.text().strip(),
             "key_customer_tags": [t for t, cb in self.tag_boxes.items() if cb.isChecked()],
             "arrears_flag": self.arrears.isChecked(), "arrears_reason": self.arrears_reason.text().strip(),
             "arrears_complaint": self.arrears_complaint.text().strip(),
             "opinion": self.opinion.toPlainText().strip(), "suggestions": self.suggestions.toPlainText().strip(),
             "special_requests": self.special.toPlainText().strip(), "notes": self.notes.toPlainText().strip()}
        v["is_key_customer"] = bool(v["key_customer_tags"])
        for key, w in (("id_number", self.id_number), ("phone", self.phone), ("phone2", self.phone2),
                       ("spouse_phone", self.spouse_phone)):
            t = w.text().strip()
            if t or not self.owner_id or not self.data.get("has_id" if key == "id_number" else key):
                v[key] = t
        if not v["birth_date"] and v.get("id_number"):
            v.pop("birth_date")   # derived from the identity number by the service
        return v

    def call(self):
        if self.owner_id:
            return update_owner(self.ctx, self.owner_id, self.values(), photo_path=self.photo_path)
        return create_owner(self.ctx, self.home_id, self.values(), photo_path=self.photo_path)


class LinkOwnerDialog(FormDialog):
    """Pick an owner already on file (who holds another home) to add to this home."""

    def __init__(self, ctx, home_id: int, room_code: str = "", parent=None):
        super().__init__(f"关联已有业主 — {room_code}", parent=parent, ctx=ctx, ok_text="关联", inline_errors=True)
        from PySide6.QtWidgets import QListWidget
        self.home_id = home_id
        self.resize(*LINK_SIZE)
        self.query = QLineEdit()
        self.query.setPlaceholderText("输入业主姓名、电话或身份证后四位")
        self.query.textChanged.connect(self.find)
        self.list = QListWidget()
        self.primary = QCheckBox("设为主业主")
        for w in (self.query, self.list, self.primary):
            self.add_widget(w)

    def find(self, text: str):
        from PySide6.QtWidgets import QListWidgetItem
        self.list.clear()
        for o in find_owners(self.ctx, text):
            it = QListWidgetItem(f"{o['name']}  {o['phone']}  {o['id_masked']}  名下：{o['homes'] or '无'}")
            it.setData(Qt.ItemDataRole.UserRole, o["id"])
            self.list.addItem(it)

    def check(self):
        if self.list.currentItem() is None:
            return "请先在列表中选择业主", self.list
        return None

    def call(self):
        return link_owner(self.ctx, self.home_id, self.list.currentItem().data(Qt.ItemDataRole.UserRole),
                          primary=self.primary.isChecked())
