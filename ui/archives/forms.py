"""Small forms of the owner archives tab: residents and tenants, visits, familiarity checks, home
information and structure. A form is a list of fields; on OK it calls the service. A refusal
(UserError) is shown in red above the buttons, the named field gets the focus, the input stays."""
from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.archives import archives as ar
from app.core.errors import UserError
from models.property import HOME_STATES, HOUSE_TYPES


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class ErrorMixin:
    """An inline error line; ``show_error(exc)`` focuses the field the message names."""

    def _make_error_label(self) -> QLabel:
        self.error_label = QLabel("")
        self.error_label.setObjectName("error_label")
        self.error_label.setStyleSheet("color: #C62828; font-weight: bold;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        return self.error_label

    def show_error(self, exc: UserError):
        self.error_label.setText(str(exc))
        self.error_label.show()
        field = getattr(exc, "field", "")
        w = self.field_widgets.get(field) if field else None
        if w is not None:
            w.setFocus()
            w.setStyleSheet("border: 1px solid #C62828;")

    def clear_error(self):
        self.error_label.hide()
        for w in self.field_widgets.values():
            w.setStyleSheet("")


class ArchiveForm(QDialog, ErrorMixin):
    """Fields: (key, label, kind, default[, choices]); kinds text, date, multiline, check, choice,
    editchoice, label. ``on_accept(values)`` performs the write and returns its result."""

    def __init__(self, title: str, fields, on_accept, parent=None, intro: str = "", columns: int = 1):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460 if columns == 1 else 760)
        self.on_accept = on_accept
        self.result_value = None
        self.widgets: dict[str, tuple[str, QWidget]] = {}
        self.field_widgets: dict[str, QWidget] = {}
        lay = QVBoxLayout(self)
        if intro:
            lab = QLabel(intro)
            lab.setWordWrap(True)
            lay.addWidget(lab)
        grid = QGridLayout()
        per_col = (len(fields) + columns - 1) // columns
        forms = []
        for c in range(columns):
            f = QFormLayout()
            grid.addLayout(f, 0, c)
            forms.append(f)
        for i, f in enumerate(fields):
            key, label, kind, default = f[:4]
            if kind == "text":
                w = QLineEdit(_fmt(default))
            elif kind == "date":
                w = QLineEdit(_fmt(default))
                w.setPlaceholderText("如 2026-11-23")
            elif kind == "multiline":
                w = QPlainTextEdit(_fmt(default))
                w.setFixedHeight(56)
            elif kind == "check":
                w = QCheckBox(label)
                w.setChecked(bool(default))
            elif kind in ("choice", "editchoice"):
                w = QComboBox()
                w.setEditable(kind == "editchoice")
                w.addItems([str(x) for x in f[4]])
                w.setCurrentText(_fmt(default))
            else:
                w = QLabel(_fmt(default))
                w.setWordWrap(True)
            w.setObjectName(key)
            self.widgets[key] = (kind, w)
            self.field_widgets[label] = w
            forms[min(i // per_col, columns - 1)].addRow("" if kind == "check" else label, w)
        lay.addLayout(grid)
        lay.addWidget(self._make_error_label())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def widget(self, key):
        return self.widgets[key][1]

    def values(self) -> dict:
        out = {}
        for key, (kind, w) in self.widgets.items():
            if kind in ("text", "date"):
                out[key] = w.text().strip()
            elif kind == "multiline":
                out[key] = w.toPlainText().strip()
            elif kind == "check":
                out[key] = w.isChecked()
            elif kind in ("choice", "editchoice"):
                out[key] = w.currentText().strip()
        return out

    def submit(self):
        self.clear_error()
        try:
            self.result_value = self.on_accept(self.values())
        except UserError as exc:
            self.show_error(exc)
            return
        self.accept()


# the forms ---------------------------------------------------------------------------------

RELATIONS = ["配偶", "子女", "父母", "兄弟姐妹", "亲属", "保姆", "其他"]


def resident_form(ctx, home_id: int, resident: dict | None = None, tenant: bool = False, parent=None) -> ArchiveForm:
    r = resident or {}
    tenant = r.get("is_tenant", tenant)
    fields = [("name", "租户姓名" if tenant else "住户姓名", "text", r.get("name")),
              ("relation", "关系", "editchoice", r.get("relation") or ("租户" if tenant else ""),
               (["租户", "租户家属"] if tenant else RELATIONS)),
              ("phone", "联系电话", "text", ""),
              ("id_number", "身份证号", "text", ""),
              ("birth_date", "出生日期", "date", r.get("birth_date")),
              ("employer", "工作单位", "text", r.get("employer"))]
    if tenant:
        fields += [("lease_from", "租期起", "date", r.get("lease_from")), ("lease_to", "租期止", "date", r.get("lease_to"))]
    fields.append(("notes", "备注", "multiline", r.get("notes")))
    intro = ""
    if resident:
        intro = (f"电话 {r.get('phone') or '（无）'}、证件 {r.get('id_masked') or '（无）'} 已登记；"
                 "电话和证件号留空表示不修改。")

    def save(values):
        values["is_tenant"] = tenant
        if resident:
            if not values["phone"]:
                values.pop("phone")
            if not values["id_number"]:
                values.pop("id_number")
            return ar.update_resident(ctx, resident["id"], values)
        return ar.add_resident(ctx, home_id, values)

    title = ("编辑" if resident else "登记") + ("租户" if tenant else "常住人员")
    return ArchiveForm(title, fields, save, parent, intro)


def visit_form(ctx, home_id: int, room_code: str, kind: str = ar.VISIT_MOVEIN, parent=None) -> ArchiveForm:
    fields = [("kind", "拜访类型", "choice", kind, ar.VISIT_KINDS),
              ("visit_date", "拜访日期", "date", ctx.clock.today()),
              ("residents_info", "常住人员情况", "multiline", ""),
              ("opinions", "业主意见", "multiline", ""),
              ("questions", "业主咨询的问题", "multiline", ""),
              ("safety_advice_given", "已做安全提示（防火、防盗、燃气）", "check", False),
              ("intercom_explained", "已讲解对讲及弱电设备使用", "check", False),
              ("satisfaction", "满意度", "choice", "", ["", "5", "4", "3", "2", "1"]),
              ("notes", "备注", "multiline", "")]
    intro = (f"{room_code}：入住三日回访按固定话术，了解常住人员、征询意见、解答问题、做安全提示、讲解对讲等弱电设备的使用。")
    return ArchiveForm(f"登记拜访 — {room_code}", fields, lambda v: ar.record_visit(ctx, home_id, v), parent, intro)


OWNER_KNEW = {"未致电": None, "业主知道管家姓名": True, "业主不知道管家姓名": False}


def familiarity_form(ctx, home_id: int, room_code: str, parent=None) -> ArchiveForm:
    fields = [("month", "检查月份", "text", ctx.clock.today().strftime("%Y-%m")),
              ("knew_name", "管家说出业主姓名", "check", False),
              ("knew_employer", "管家说出工作单位", "check", False),
              ("knew_family", "管家说出家庭情况", "check", False),
              ("knew_payment", "管家说出缴费情况", "check", False),
              ("owner_call", "致电业主", "choice", "未致电", list(OWNER_KNEW)),
              ("notes", "备注", "multiline", "")]

    def save(values):
        values["owner_knows_manager"] = OWNER_KNEW.get(values.pop("owner_call"))
        return ar.record_familiarity(ctx, home_id, values)

    intro = f"经理抽查 {room_code}：客服管理员须说出业主姓名、工作单位、家庭情况和缴费情况（四项全对计为熟知）。"
    return ArchiveForm(f"熟知率检查 — {room_code}", fields, save, parent, intro)


def home_info_form(ctx, detail: dict, parent=None) -> ArchiveForm:
    fields = [("state", "房屋状态", "choice", detail["state"], HOME_STATES),
              ("occupancy", "居住情况", "choice", detail["occupancy"], ar.OCCUPANCIES),
              ("handover_date", "交房日期", "date", detail["handover_date"]),
              ("move_in_date", "入住日期", "date", detail["move_in_date"]),
              ("notes", "备注（装修变更等）", "multiline", detail["notes"])]
    return ArchiveForm(f"房屋信息 — {detail['room_code']}", fields,
                       lambda v: ar.update_home_info(ctx, detail["id"], v), parent)


def new_home_form(ctx, entrance_id: int, label: str, parent=None) -> ArchiveForm:
    fields = [("room_code", "房号", "text", ""), ("floor", "楼层", "text", ""),
              ("area", "建筑面积（㎡）", "text", ""), ("house_type", "户型", "choice", HOUSE_TYPES[0], HOUSE_TYPES),
              ("state", "房屋状态", "choice", "未交付", HOME_STATES)]
    return ArchiveForm(f"新增房屋 — {label}", fields, lambda v: ar.create_home(ctx, entrance_id, v), parent)


def structure_form(ctx, kind: str, parent_id: int | None, parent_label: str = "", parent=None) -> ArchiveForm:
    """kind: cluster, building (parent cluster), entrance (parent building)."""
    if kind == "cluster":
        fields = [("code", "组团编号", "text", ""), ("name", "组团名称", "text", "")]
        return ArchiveForm("新增组团", fields, lambda v: ar.create_cluster(ctx, v["code"], v["name"]), parent)
    if kind == "building":
        managers = ar.area_managers(ctx)
        names = ["（未指定）"] + [m["name"] for m in managers]
        fields = [("code", "楼栋编号", "text", ""), ("name", "楼栋名称", "text", ""), ("floors", "楼层数", "text", ""),
                  ("manager", "客服管理员", "choice", names[0], names)]

        def save(v):
            am = next((m["id"] for m in managers if m["name"] == v["manager"]), None)
            return ar.create_building(ctx, parent_id, v["code"], v["name"], v["floors"] or 0, am)
        return ArchiveForm(f"新增楼栋 — {parent_label}", fields, save, parent)
    fields = [("code", "单元编号", "text", "")]
    return ArchiveForm(f"新增单元 — {parent_label}", fields, lambda v: ar.create_entrance(ctx, parent_id, v["code"]),
                       parent)


def edit_home_form(ctx, detail: dict, parent=None) -> ArchiveForm:
    fields = [("room_code", "房号", "text", detail["room_code"]), ("floor", "楼层", "text", detail["floor"]),
              ("area", "建筑面积（㎡）", "text", detail["area"]),
              ("house_type", "户型", "choice", detail["house_type"], HOUSE_TYPES)]
    return ArchiveForm(f"修改房屋 — {detail['room_code']}", fields,
                       lambda v: ar.update_home(ctx, detail["id"], v), parent)
