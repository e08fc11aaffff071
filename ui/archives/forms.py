"""Small forms of the owner archives tab: residents and tenants, visits, familiarity checks, home
information and structure. A form is a list of fields; on OK it calls the service. A refusal
(UserError) is shown in red above the buttons, the named field gets the focus, the input stays."""
from __future__ import annotations

from app.archives.people import add_resident
from app.archives.structure import (
    OCCUPANCIES,
    create_building,
    create_cluster,
    create_entrance,
    create_home,
    update_home,
    update_home_info,
)
from app.archives.visits import VISIT_KINDS, VISIT_MOVEIN, area_managers, record_familiarity, record_visit
from app.golive.corrections import update_resident  # closes the 待核对 items of the values it corrects
from models.property import HOME_STATES, HOUSE_TYPES
from ui.common.forms import FormDialog


def archive_form(title: str, fields, on_accept, parent=None, intro: str = "", columns: int = 1) -> FormDialog:
    """An archives form: 保存/取消, a refusal shown in red above the buttons with its field focused."""
    return FormDialog(title, fields, on_accept, parent, intro, columns=columns, ok_text="保存", inline_errors=True)


# the forms ---------------------------------------------------------------------------------

RELATIONS = ["配偶", "子女", "父母", "兄弟姐妹", "亲属", "保姆", "其他"]


def resident_form(ctx, home_id: int, resident: dict | None = None, tenant: bool = False, parent=None) -> FormDialog:
    r = resident or {}
    tenant = r.get("is_tenant", tenant)
    fields = [("name", "租户姓名" if tenant else "住户姓名", "text", r.get("name")),
              ("relation", "关系", "editchoice", r.get("relation") or ("租户" if tenant else ""),
               (["租户", "租户家属"] if tenant else RELATIONS)),
              ("phone", "联系电话", "text", ""),
              ("id_number", "身份证号", "text", ""),
              ("birth_date", "出生日期", "datetext", r.get("birth_date")),
              ("employer", "工作单位", "text", r.get("employer"))]
    if tenant:
        fields += [("lease_from", "租期起", "datetext", r.get("lease_from")),
                   ("lease_to", "租期止", "datetext", r.get("lease_to"))]
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
            return update_resident(ctx, resident["id"], values)
        return add_resident(ctx, home_id, values)

    title = ("编辑" if resident else "登记") + ("租户" if tenant else "常住人员")
    return archive_form(title, fields, save, parent, intro)


def visit_form(ctx, home_id: int, room_code: str, kind: str = VISIT_MOVEIN, parent=None) -> FormDialog:
    fields = [("kind", "拜访类型", "choice", kind, VISIT_KINDS),
              ("visit_date", "拜访日期", "datetext", ctx.clock.today()),
              ("residents_info", "常住人员情况", "multiline", ""),
              ("opinions", "业主意见", "multiline", ""),
              ("questions", "业主咨询的问题", "multiline", ""),
              ("safety_advice_given", "已做安全提示（防火、防盗、燃气）", "check", False),
              ("intercom_explained", "已讲解对讲及弱电设备使用", "check", False),
              ("satisfaction", "满意度", "choice", "", ["", "5", "4", "3", "2", "1"]),
              ("notes", "备注", "multiline", "")]
    intro = (f"{room_code}：入住三日回访按固定话术，了解常住人员、征询意见、解答问题、做安全提示、"
             "讲解对讲等弱电设备的使用。")
    return archive_form(f"登记拜访 — {room_code}", fields, lambda v: record_visit(ctx, home_id, v), parent, intro)


OWNER_KNEW = {"未致电": None, "业主知道管家姓名": True, "业主不知道管家姓名": False}


def familiarity_form(ctx, home_id: int, room_code: str, parent=None) -> FormDialog:
    fields = [("month", "检查月份", "text", ctx.clock.today().strftime("%Y-%m")),
              ("knew_name", "管家说出业主姓名", "check", False),
              ("knew_employer", "管家说出工作单位", "check", False),
              ("knew_family", "管家说出家庭情况", "check", False),
              ("knew_payment", "管家说出缴费情况", "check", False),
              ("owner_call", "致电业主", "choice", "未致电", list(OWNER_KNEW)),
              ("notes", "备注", "multiline", "")]

    def save(values):
        values["owner_knows_manager"] = OWNER_KNEW.get(values.pop("owner_call"))
        return record_familiarity(ctx, home_id, values)

    intro = f"经理抽查 {room_code}：客服管理员须说出业主姓名、工作单位、家庭情况和缴费情况（四项全对计为熟知）。"
    return archive_form(f"熟知率检查 — {room_code}", fields, save, parent, intro)


def home_info_form(ctx, detail: dict, parent=None) -> FormDialog:
    fields = [("state", "房屋状态", "choice", detail["state"], HOME_STATES),
              ("occupancy", "居住情况", "choice", detail["occupancy"], OCCUPANCIES),
              ("handover_date", "交房日期", "datetext", detail["handover_date"]),
              ("move_in_date", "入住日期", "datetext", detail["move_in_date"]),
              ("notes", "备注（装修变更等）", "multiline", detail["notes"])]
    return archive_form(f"房屋信息 — {detail['room_code']}", fields,
                       lambda v: update_home_info(ctx, detail["id"], v), parent)


def new_home_form(ctx, entrance_id: int, label: str, parent=None) -> FormDialog:
    fields = [("room_code", "房号", "text", ""), ("floor", "楼层", "text", ""),
              ("area", "建筑面积（㎡）", "text", ""), ("house_type", "户型", "choice", HOUSE_TYPES[0], HOUSE_TYPES),
              ("state", "房屋状态", "choice", "未交付", HOME_STATES)]
    return archive_form(f"新增房屋 — {label}", fields, lambda v: create_home(ctx, entrance_id, v), parent)


def structure_form(ctx, kind: str, parent_id: int | None, parent_label: str = "", parent=None) -> FormDialog:
    """kind: cluster, building (parent cluster), entrance (parent building)."""
    if kind == "cluster":
        fields = [("code", "组团编号", "text", ""), ("name", "组团名称", "text", "")]
        return archive_form("新增组团", fields, lambda v: create_cluster(ctx, v["code"], v["name"]), parent)
    if kind == "building":
        managers = area_managers(ctx)
        names = ["（未指定）"] + [m["name"] for m in managers]
        fields = [("code", "楼栋编号", "text", ""), ("name", "楼栋名称", "text", ""), ("floors", "楼层数", "text", ""),
                  ("manager", "客服管理员", "choice", names[0], names)]

        def save(v):
            am = next((m["id"] for m in managers if m["name"] == v["manager"]), None)
            return create_building(ctx, parent_id, v["code"], v["name"], v["floors"] or 0, am)
        return archive_form(f"新增楼栋 — {parent_label}", fields, save, parent)
    fields = [("code", "单元编号", "text", "")]
    return archive_form(f"新增单元 — {parent_label}", fields, lambda v: create_entrance(ctx, parent_id, v["code"]),
                       parent)


def edit_home_form(ctx, detail: dict, parent=None) -> FormDialog:
    fields = [("room_code", "房号", "text", detail["room_code"]), ("floor", "楼层", "text", detail["floor"]),
              ("area", "建筑面积（㎡）", "text", detail["area"]),
              ("house_type", "户型", "choice", detail["house_type"], HOUSE_TYPES)]
    return archive_form(f"修改房屋 — {detail['room_code']}", fields,
                       lambda v: update_home(ctx, detail["id"], v), parent)
