"""The 业主信息表 (owner information form) of one household: the archives area freezes what is
printed and the printing renderer (app.printing.owner_info) draws it. Identity numbers and phones
are masked unless the user asks for the full ones and the role may see them (pii.view_full); a
full print is recorded in the audit log. The tab and the command line both print through
``owner_info_pdf``."""
from __future__ import annotations

import datetime as dt

from app.archives.checklist import ARCHIVE_DOCUMENTS
from app.archives.customers import category
from app.archives.homes import home_by_id, home_by_room
from app.core.audit import record
from app.core.errors import PermissionDenied
from app.core.permissions import require
from app.core.privacy import mask_id, mask_phone, may_see_full
from app.core.validation import fmt_area
from app.printing import owner_info as form
from app.printing.owner_info import DocLine, OwnerInfoData, OwnerLine, PersonLine
from models.archive import ArchiveDocument
from models.people import HomeOwner, Owner, Resident

SAMPLE_ON_FILE = 12    # checklist items ticked in the self-test sample


def fmt_day(value) -> str:
    return value.strftime("%Y-%m-%d") if isinstance(value, (dt.date, dt.datetime)) else ""


def age_on(birth, today) -> str:
    """Age in whole years on *today*, as printed: “46岁” ('' without a birth date)."""
    if not birth:
        return ""
    years = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    return f"{years}岁"


def find_home(room_code: str):
    """The home with this room code (typed as the office writes it), or NotFound."""
    return home_by_room(room_code, message=f"房号：未找到房屋“{room_code}”")


class _Reveal:
    """How phones and identity numbers are printed: masked, or in full."""

    def __init__(self, ctx, full: bool):
        self.ctx, self.full = ctx, full

    def phone(self, p: str) -> str:
        return p if self.full else mask_phone(p)

    def identity(self, enc: str, masked: str) -> str:
        if self.full:
            return self.ctx.vault.decrypt(enc) or masked
        return masked or mask_id(self.ctx.vault.decrypt(enc))


def _owner_line(o: Owner, primary: bool, today, reveal: _Reveal) -> OwnerLine:
    arrears = ""
    if o.arrears_flag:
        arrears = "欠费：" + (o.arrears_reason or "原因未登记")
        if o.arrears_complaint:
            arrears += f"；诉求：{o.arrears_complaint}"
    return OwnerLine(
        name=o.name, role="主业主" if primary else "共有人", gender=o.gender,
        birth_date=fmt_day(o.birth_date), age=age_on(o.birth_date, today), id_type=o.id_type or "身份证",
        id_number=reveal.identity(o.id_enc, o.id_masked), phone=reveal.phone(o.phone), phone2=reveal.phone(o.phone2),
        education=o.education, native_place=o.native_place, employer=o.employer, work_address=o.work_address,
        spouse_name=o.spouse_name, spouse_phone=reveal.phone(o.spouse_phone), spouse_employer=o.spouse_employer,
        family_structure=o.family_structure, residents_count=str(o.residents_count or ""),
        key_customer_tags=o.key_customer_tags if o.is_key_customer else "", arrears=arrears,
        opinion=o.opinion, suggestions=o.suggestions, special_requests=o.special_requests)


def _people(home_id: int, reveal: _Reveal) -> tuple[list[PersonLine], list[PersonLine]]:
    """(residents, tenants) of a home."""
    residents, tenants = [], []
    for r in Resident.select().where(Resident.home == home_id).order_by(Resident.is_tenant, Resident.id):
        lease = f"{fmt_day(r.lease_from)} 至 {fmt_day(r.lease_to)}" if (r.lease_from or r.lease_to) else ""
        line = PersonLine(name=r.name, relation=r.relation, birth_date=fmt_day(r.birth_date),
                          phone=reveal.phone(r.phone),
                          id_number=reveal.identity(r.id_enc, r.id_masked) if r.id_enc else "",
                          employer=r.employer, lease=lease)
        (tenants if r.is_tenant else residents).append(line)
    return residents, tenants


def _documents(home_id: int) -> tuple[DocLine, ...]:
    on_file = {d.doc_code: d for d in ArchiveDocument.select().where(ArchiveDocument.home == home_id)}
    return tuple(
        DocLine(group=group, name=name, on_file=bool(on_file.get(code) and on_file[code].on_file),
                received_at=fmt_day(on_file[code].received_at) if code in on_file else "")
        for code, name, group in ARCHIVE_DOCUMENTS)


def owner_info_data(ctx, home_id: int, full: bool = False) -> OwnerInfoData:
    """Freeze the form's content. ``full`` prints identity numbers and phones in full: only
    for roles that may see them (pii.view_full), and recorded in the audit log."""
    require(ctx, "archive.view")
    if full and not may_see_full(ctx):
        raise PermissionDenied("权限不足：当前角色不能打印完整身份证号和电话，请打印脱敏版本")
    home = home_by_id(home_id, f"房屋：编号 {home_id} 不存在")
    today = ctx.clock.today()
    reveal = _Reveal(ctx, full)
    links = (HomeOwner.select(HomeOwner, Owner).join(Owner)
             .where((HomeOwner.home == home.id) & HomeOwner.until.is_null())
             .order_by(HomeOwner.is_primary.desc(), HomeOwner.id))
    owners = tuple(_owner_line(link.owner, link.is_primary, today, reveal) for link in links)
    residents, tenants = _people(home.id, reveal)
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
        occupancy=home.occupancy, handover_date=fmt_day(home.handover_date), move_in_date=fmt_day(home.move_in_date),
        category=category(ctx.settings, home.move_in_date, today), area_manager=manager.display_name if manager else "",
        owners=owners, residents=tuple(residents), tenants=tuple(tenants), documents=_documents(home.id),
        full_identity=full)
    if full:
        with ctx.db.atomic():
            record(ctx, "pii.print_full", "home", home.id, None, {"form": "业主信息表"})
    return data


def owner_info_pdf(ctx, home_id: int, full: bool = False) -> bytes:
    """The 业主信息表 of a home as PDF bytes."""
    return form.render(ctx.settings, owner_info_data(ctx, home_id, full))


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
    docs = tuple(DocLine(group=g, name=n, on_file=i < SAMPLE_ON_FILE, received_at="")
                 for i, (_c, n, g) in enumerate(ARCHIVE_DOCUMENTS))
    return OwnerInfoData(
        doc_number="YZXX-5-1-201", site_name="示例小区", printed_at="", printed_by="", room_code="5-1-201",
        cluster="A组团 示例", building="5号楼", entrance="1单元", area="123.45 ㎡", house_type="洋房", state="已入住",
        occupancy="自住", handover_date="2021-05-01", move_in_date="2021-06-10", category="老客户",
        area_manager="张敏", owners=(owner,), residents=(child,), tenants=(), documents=docs, full_identity=False)
