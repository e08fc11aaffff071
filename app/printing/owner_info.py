"""业主信息表 (owner information form) of one household, A4.

``owner_info_data`` freezes what is printed (masked identity numbers and phones unless the
user asked for the full ones and the role may see them); ``OwnerInfoForm`` renders it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table

from app.archives.checklist import ARCHIVE_DOCUMENTS
from app.core.errors import PermissionDenied
from app.core.permissions import require
from app.core.privacy import mask_id, mask_phone, may_see_full
from app.core.validation import fmt_area
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


def _d(value) -> str:
    return value.strftime("%Y-%m-%d") if isinstance(value, (dt.date, dt.datetime)) else ""


def _age(birth, today) -> str:
    if not birth:
        return ""
    years = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    return f"{years}岁"


def _category(ctx, move_in, today) -> str:
    from app.archives.customers import category
    return category(ctx.settings, move_in, today)


def find_home(room_code: str):
    """The home with this room code (typed as the office writes it), or NotFound."""
    from app.archives.homes import home_by_room
    return home_by_room(room_code, message=f"房号：未找到房屋“{room_code}”")


def owner_info_data(ctx, home_id: int, full: bool = False) -> OwnerInfoData:
    """Freeze the form's content. ``full`` prints identity numbers and phones in full: only
    for roles that may see them (pii.view_full), and recorded in the audit log."""
    from app.archives.homes import home_by_id
    from models.archive import ArchiveDocument
    from models.people import HomeOwner, Owner, Resident
    require(ctx, "archive.view")
    if full and not may_see_full(ctx):
        raise PermissionDenied("权限不足：当前角色不能打印完整身份证号和电话，请打印脱敏版本")
    home = home_by_id(home_id, f"房屋：编号 {home_id} 不存在")
    today = ctx.clock.today()
    phone = (lambda p: p) if full else mask_phone

    def identity(enc, masked):
        return (ctx.vault.decrypt(enc) or masked) if full else (masked or mask_id(ctx.vault.decrypt(enc)))

    links = (HomeOwner.select(HomeOwner, Owner).join(Owner)
             .where((HomeOwner.home == home.id) & HomeOwner.until.is_null())
             .order_by(HomeOwner.is_primary.desc(), HomeOwner.id))
    owners = []
    for link in links:
        o = link.owner
        arrears = ""
        if o.arrears_flag:
            arrears = "欠费：" + (o.arrears_reason or "原因未登记")
            if o.arrears_complaint:
                arrears += f"；诉求：{o.arrears_complaint}"
        owners.append(OwnerLine(
            name=o.name, role="主业主" if link.is_primary else "共有人", gender=o.gender,
            birth_date=_d(o.birth_date), age=_age(o.birth_date, today), id_type=o.id_type or "身份证",
            id_number=identity(o.id_enc, o.id_masked), phone=phone(o.phone), phone2=phone(o.phone2),
            education=o.education, native_place=o.native_place, employer=o.employer, work_address=o.work_address,
            spouse_name=o.spouse_name, spouse_phone=phone(o.spouse_phone), spouse_employer=o.spouse_employer,
            family_structure=o.family_structure, residents_count=str(o.residents_count or ""),
            key_customer_tags=o.key_customer_tags if o.is_key_customer else "", arrears=arrears,
            opinion=o.opinion, suggestions=o.suggestions, special_requests=o.special_requests))
    residents, tenants = [], []
    for r in Resident.select().where(Resident.home == home.id).order_by(Resident.is_tenant, Resident.id):
        lease = f"{_d(r.lease_from)} 至 {_d(r.lease_to)}" if (r.lease_from or r.lease_to) else ""
        line = PersonLine(name=r.name, relation=r.relation, birth_date=_d(r.birth_date), phone=phone(r.phone),
                          id_number=identity(r.id_enc, r.id_masked) if r.id_enc else "", employer=r.employer,
                          lease=lease)
        (tenants if r.is_tenant else residents).append(line)
    on_file = {d.doc_code: d for d in ArchiveDocument.select().where(ArchiveDocument.home == home.id)}
    documents = tuple(
        DocLine(group=group, name=name, on_file=bool(on_file.get(code) and on_file[code].on_file),
                received_at=_d(on_file[code].received_at) if code in on_file else "")
        for code, name, group in ARCHIVE_DOCUMENTS)
    cluster, building, entrance = home.cluster, home.building, home.entrance
    manager = building.area_manager
    data = OwnerInfoData(
        doc_number=f"YZXX-{home.room_code}", site_name=ctx.settings.get("site.name"),
        printed_at=ctx.clock.now().strftime("%Y-%m-%d %H:%M"),
        printed_by=getattr(ctx.user, "display_name", "") or "",
        room_code=home.room_code,
        cluster=f"{cluster.code}组团 {cluster.name}" if cluster.code != cluster.name else cluster.name,
        building=building.name or f"{building.code}号楼", entrance=f"{entrance.code}单元",
        area=f"{fmt_area(home.area_x100)} ㎡", house_type=home.house_type, state=home.state,
        occupancy=home.occupancy, handover_date=_d(home.handover_date), move_in_date=_d(home.move_in_date),
        category=_category(ctx, home.move_in_date, today), area_manager=manager.display_name if manager else "",
        owners=tuple(owners), residents=tuple(residents), tenants=tuple(tenants), documents=documents,
        full_identity=full)
    if full:
        from app.core.audit import record
        with ctx.db.atomic():
            record(ctx, "pii.print_full", "home", home.id, None, {"form": "业主信息表"})
    return data


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
        out.append(Paragraph("一、房屋信息", st["h2"]))
        out.append(label_value_table([
            ["房号", data.room_code, "组团/楼栋/单元", f"{data.cluster}  {data.building}  {data.entrance}"],
            ["建筑面积", data.area, "房屋类型", data.house_type],
            ["房屋状态", data.state if data.occupancy in (data.state, "空置") else f"{data.state}（{data.occupancy}）", "客户分类", data.category or "—"],
            ["交房日期", data.handover_date or "—", "入住日期", data.move_in_date or "—"],
            ["客服管理员", data.area_manager or "—", "小区", data.site_name],
        ], w4))
        out.append(Paragraph("二、业主信息", st["h2"]))
        if not data.owners:
            out.append(self._p("（尚无业主登记）", "body"))
        for o in data.owners:
            key = f"重点客户（{o.key_customer_tags}）" if o.key_customer_tags else "否"
            rows = [
                ["业主姓名", f"{o.name}（{o.role}）", "性别/出生日期", f"{o.gender or '—'}  {o.birth_date} {o.age}"],
                [o.id_type + "号码", o.id_number, "联系电话", "  ".join(p for p in (o.phone, o.phone2) if p)],
                ["学历", o.education, "籍贯", o.native_place],
                ["工作单位", o.employer, "单位地址", o.work_address],
                ["配偶姓名", o.spouse_name, "配偶电话", o.spouse_phone],
                ["配偶单位", o.spouse_employer, "家庭结构/人数", f"{o.family_structure}  {o.residents_count and o.residents_count + '人'}"],
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


def owner_info_pdf(ctx, home_id: int, full: bool = False) -> bytes:
    """The 业主信息表 of a home as PDF bytes."""
    data = owner_info_data(ctx, home_id, full)
    return OwnerInfoForm(ctx.settings, data.doc_number).render(data)


def sample_data() -> OwnerInfoData:
    """A fictional household, for the installer's print self-test and the settings preview."""
    owner = OwnerLine(
        name="张建国", role="主业主", gender="男", birth_date="1980-03-07", age="", id_type="身份证",
        id_number="110***********1234", phone="138****1234", phone2="029-****6666", education="本科",
        native_place="北京市", employer="西安市第一医院", work_address="西安市南大街30号", spouse_name="李秀英",
        spouse_phone="139****1111", spouse_employer="西安市第三中学", family_structure="三口之家", residents_count="3",
        key_customer_tags="", arrears="", opinion="对物业服务总体满意", suggestions="建议增设电动车充电桩",
        special_requests="")
    child = PersonLine(name="张子涵", relation="子女", birth_date="2012-03-04", phone="", id_number="", employer="",
                       lease="")
    docs = tuple(DocLine(group=g, name=n, on_file=i < 12, received_at="") for i, (_c, n, g) in enumerate(ARCHIVE_DOCUMENTS))
    return OwnerInfoData(
        doc_number="YZXX-5-1-201", site_name="示例小区", printed_at="", printed_by="", room_code="5-1-201",
        cluster="A组团 示例", building="5号楼", entrance="1单元", area="123.45 ㎡", house_type="洋房", state="已入住",
        occupancy="自住", handover_date="2021-05-01", move_in_date="2021-06-10", category="老客户",
        area_manager="张敏", owners=(owner,), residents=(child,), tenants=(), documents=docs, full_identity=False)
