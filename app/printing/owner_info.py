"""业主信息表 (owner information form) of one household, A4.

``OwnerInfoForm`` renders the frozen ``OwnerInfoData``; the archives area builds that data
(app.archives.owner_info: masked identity numbers and phones unless the user asked for the full
ones and the role may see them) and offers ``owner_info_pdf(ctx, home_id)``.
"""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table

from app.printing.base import FormRenderer, esc, grid_style, label_value_table, signature_line

FULL_WIDTH = 174 * mm


@dataclass(frozen=True)
class OwnerLine:
    name: str
    role: str                 # 主业主 / 共有人
    gender: str
    birth_date: str
    age: str
    id_type: str
    id_number: str            # masked unless printed in full
    phone: str
    phone2: str
    education: str
    native_place: str
    employer: str
    work_address: str
    spouse_name: str
    spouse_phone: str
    spouse_employer: str
    family_structure: str
    residents_count: str
    key_customer_tags: str
    arrears: str
    opinion: str
    suggestions: str
    special_requests: str


@dataclass(frozen=True)
class PersonLine:
    name: str
    relation: str
    birth_date: str
    phone: str
    id_number: str
    employer: str
    lease: str


@dataclass(frozen=True)
class DocLine:
    group: str
    name: str
    on_file: bool
    received_at: str


@dataclass(frozen=True)
class OwnerInfoData:
    doc_number: str
    site_name: str
    printed_at: str
    printed_by: str
    room_code: str
    cluster: str
    building: str
    entrance: str
    area: str
    house_type: str
    state: str
    occupancy: str
    handover_date: str
    move_in_date: str
    category: str
    area_manager: str
    owners: tuple[OwnerLine, ...]
    residents: tuple[PersonLine, ...]
    tenants: tuple[PersonLine, ...]
    documents: tuple[DocLine, ...]
    full_identity: bool

    @property
    def documents_on_file(self) -> int:
        return sum(1 for d in self.documents if d.on_file)


class OwnerInfoForm(FormRenderer):
    title = "业主信息表"
    margins = (18 * mm, 18 * mm, 22 * mm, 20 * mm)

    def __init__(self, settings, doc_number: str = ""):
        super().__init__(settings, doc_number)
        from reportlab.lib.styles import ParagraphStyle
        self.st["small_cell"] = ParagraphStyle("small_cell", parent=self.st["cell"], fontSize=8.5, leading=11)

    def _p(self, text, style="cell"):
        return Paragraph(esc(text), self.st[style])

    def story(self, data: OwnerInfoData) -> list:
        st = self.st
        out = self.title_block(f"房号 {data.room_code}    打印：{data.printed_at} {data.printed_by}"
                               + ("    含完整证件号码，注意保密" if data.full_identity else ""))
        w4 = [29 * mm, 58 * mm, 29 * mm, 58 * mm]
        state = data.state if data.occupancy in (data.state, "空置") else f"{data.state}（{data.occupancy}）"
        out.append(Paragraph("一、房屋信息", st["h2"]))
        out.append(label_value_table([
            ["房号", data.room_code, "组团/楼栋/单元", f"{data.cluster}  {data.building}  {data.entrance}"],
            ["建筑面积", data.area, "房屋类型", data.house_type],
            ["房屋状态", state, "客户分类", data.category or "—"],
            ["交房日期", data.handover_date or "—", "入住日期", data.move_in_date or "—"],
            ["客服管理员", data.area_manager or "—", "小区", data.site_name],
        ], w4))
        out.append(Paragraph("二、业主信息", st["h2"]))
        if not data.owners:
            out.append(self._p("（尚无业主登记）", "body"))
        for o in data.owners:
            key = f"重点客户（{o.key_customer_tags}）" if o.key_customer_tags else "否"
            household = o.residents_count and o.residents_count + "人"
            rows = [
                ["业主姓名", f"{o.name}（{o.role}）", "性别/出生日期", f"{o.gender or '—'}  {o.birth_date} {o.age}"],
                [o.id_type + "号码", o.id_number, "联系电话", "  ".join(p for p in (o.phone, o.phone2) if p)],
                ["学历", o.education, "籍贯", o.native_place],
                ["工作单位", o.employer, "单位地址", o.work_address],
                ["配偶姓名", o.spouse_name, "配偶电话", o.spouse_phone],
                ["配偶单位", o.spouse_employer, "家庭结构/人数", f"{o.family_structure}  {household}"],
                ["重点客户", key, "欠费标记", o.arrears or "无"],
            ]
            out.append(KeepTogether([label_value_table(rows, w4), Spacer(1, 2 * mm)]))
        out.append(Paragraph("三、家庭成员、常住人口及租户", st["h2"]))
        people = [(p, "") for p in data.residents] + [(p, "租户") for p in data.tenants]
        head = ["姓名", "关系", "出生日期", "联系电话", "证件号码", "工作单位", "租期"]
        rows = [[self._p(h, "cell_c") for h in head]]
        for p, _kind in people:
            rows.append([self._p(x, "small_cell") for x in (p.name, p.relation, p.birth_date, p.phone, p.id_number,
                                                            p.employer, p.lease)])
        if not people:
            rows.append([self._p("（无登记）")] + [""] * 6)
        t = Table(rows, colWidths=[17 * mm, 19 * mm, 20 * mm, 23 * mm, 34 * mm, 31 * mm, 30 * mm], repeatRows=1)
        t.setStyle(grid_style([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F0F0F0"))]))
        out.append(t)
        out.append(Paragraph("四、意见、建议与特殊需求", st["h2"]))
        w2 = [30 * mm, 144 * mm]
        opinion = "；".join(o.opinion for o in data.owners if o.opinion)
        suggestions = "；".join(o.suggestions for o in data.owners if o.suggestions)
        special = "；".join(o.special_requests for o in data.owners if o.special_requests)
        out.append(label_value_table([["对服务的意见", opinion or "—"], ["历史建议", suggestions or "—"],
                                      ["特殊需求", special or "—"]], w2))
        out.append(Paragraph(f"五、档案资料清单（在档 {data.documents_on_file} 项 / 共 {len(data.documents)} 项）",
                             st["h2"]))
        out.append(self._documents_table(data.documents))
        out.append(Spacer(1, 6 * mm))
        out.append(self._p("本人确认以上信息真实准确。物业服务中心对业主信息严格保密，仅用于物业服务。", "body"))
        out.append(Spacer(1, 4 * mm))
        out.append(signature_line(["业主签字", "经办人", "日期"], FULL_WIDTH))
        return out

    def _documents_table(self, docs) -> Table:
        """One row per group, each item ticked (√ on file, □ missing), as on the paper checklist."""
        groups: dict[str, list] = {}
        for d in docs:
            groups.setdefault(d.group, []).append(d)
        rows = []
        for group, items in groups.items():
            text = "&nbsp;&nbsp;&nbsp; ".join(f"{'√' if d.on_file else '□'} {esc(d.name)}" for d in items)
            rows.append([self._p(group), Paragraph(text, self.st["cell"])])
        t = Table(rows, colWidths=[29 * mm, 145 * mm])
        t.setStyle(grid_style([("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F0F0F0"))]))
        return t


def render(settings, data: OwnerInfoData) -> bytes:
    """The 业主信息表 of *data* as PDF bytes."""
    return OwnerInfoForm(settings, data.doc_number).render(data)
