"""The paper archive of a household (domain.md §2, 000 item 13): the checklist codes, ticking
items, scans of the papers (SHA-256 checked), and how complete the archives are per household,
building, cluster and site."""
from __future__ import annotations

from peewee import fn

from app.archives.common import get_row, pct
from app.core import attachments
from app.core.audit import record
from app.core.errors import StateError, ValidationError
from app.core.permissions import require
from models.archive import ArchiveDocument
from models.property import Building, Cluster, Home
from models.system import Attachment

# (code, name, group)
ARCHIVE_DOCUMENTS = [
    ("movein_notice", "入住通知书", "入住资料"),
    ("purchase_invoice", "购房发票复印件", "入住资料"),
    ("movein_procedure", "入住手续书", "入住资料"),
    ("service_agreement", "前期物业管理协议", "入住资料"),
    ("owner_covenant", "业主公约/临时管理规约", "入住资料"),
    ("owner_info_form", "业主情况登记表", "个人资料"),
    ("id_copy_photo", "身份证复印件及照片", "个人资料"),
    ("reno_agreement", "装修管理协议", "装修资料"),
    ("reno_notes", "装修注意事项", "装修资料"),
    ("water_pressure_test", "闭水/打压通知(签证)单", "装修资料"),
    ("reno_application", "装修申请/审批表", "装修资料"),
    ("fire_undertaking", "防火责任书", "装修资料"),
    ("rectification_notice", "整改通知单", "装修资料"),
    ("inspection_form", "验房表", "验房维修资料"),
    ("repair_order", "工程质量维修单", "验房维修资料"),
]
DOC_NAMES = {code: name for code, name, _g in ARCHIVE_DOCUMENTS}
DOC_GROUPS = ["入住资料", "个人资料", "装修资料", "验房维修资料"]
DOC_CODES = [c for c, _n, _g in ARCHIVE_DOCUMENTS]
DOC_TOTAL = len(DOC_CODES)
DOC_SCAN = "archive_document"          # Attachment.entity of a scanned paper
NOT_HANDED_OVER = "未交付"


def mark_document(ctx, home_id: int, doc_code: str, on_file: bool = True, notes: str = ""):
    """Tick (or untick) one archive item of a home. Call inside the caller's transaction."""
    if doc_code not in DOC_NAMES:
        raise KeyError(doc_code)
    doc, _ = ArchiveDocument.get_or_create(home=home_id, doc_code=doc_code)
    before = doc.on_file
    doc.on_file = on_file
    doc.received_at = ctx.clock.today() if on_file else None
    doc.received_by = getattr(ctx.user, "id", None) if on_file else None
    if notes:
        doc.notes = notes
    doc.save()
    if before != on_file:
        record(ctx, "archive.document", "home", home_id, {doc_code: before}, {doc_code: on_file})
    return doc


# archive checklist -------------------------------------------------------------------

def documents(ctx, home_id: int) -> list[dict]:
    """The 15 checklist items of domain.md §2 with their state and scans."""
    docs = {d.doc_code: d for d in ArchiveDocument.select().where(ArchiveDocument.home == home_id)}
    scans: dict[int, list] = {}
    if docs:
        for a in Attachment.select().where((Attachment.entity == DOC_SCAN)
                                           & Attachment.entity_id.in_([d.id for d in docs.values()])):
            scans.setdefault(a.entity_id, []).append(
                {"id": a.id, "name": a.original_name, "sha256": a.sha256, "size": a.size})
    out = []
    for code, name, group in ARCHIVE_DOCUMENTS:
        d = docs.get(code)
        out.append({"code": code, "name": name, "group": group, "on_file": bool(d and d.on_file),
                    "received_at": d.received_at if d else None, "notes": d.notes if d else "",
                    "scans": scans.get(d.id, []) if d else []})
    return out


def set_document(ctx, home_id: int, code: str, on_file: bool = True, notes: str = ""):
    """Tick or untick one checklist item of a household."""
    require(ctx, "archive.edit")
    home = get_row(Home, home_id, "房屋")
    if code not in DOC_NAMES:
        raise ValidationError("档案资料", f"未知的资料项目 {code}")
    with ctx.db.atomic():
        return mark_document(ctx, home.id, code, on_file, notes)


def attach_document_scan(ctx, home_id: int, code: str, path) -> Attachment:
    """Copy a scanned file into the data folder (SHA-256 checked) and tick the item as on file."""
    require(ctx, "archive.edit")
    home = get_row(Home, home_id, "房屋")
    if code not in DOC_NAMES:
        raise ValidationError("档案资料", f"未知的资料项目 {code}")
    with ctx.db.atomic():
        doc = mark_document(ctx, home.id, code, True)
        att = attachments.attach(ctx, DOC_SCAN, doc.id, path)
        record(ctx, "archive.scan", "home", home.id, None,
               {"doc": code, "attachment": att.id, "file": att.original_name, "sha256": att.sha256})
    return att


def scan_path(ctx, attachment_id: int):
    """The stored file of a scan after checking its SHA-256; StateError if it was altered or lost."""
    require(ctx, "archive.view")
    att = get_row(Attachment, attachment_id, "附件")
    if not attachments.verify(ctx, att):
        raise StateError(f"附件“{att.original_name}”校验失败（文件缺失或被修改）")
    return attachments.path_of(ctx, att)


def verify_scans(ctx, home_id: int) -> list[str]:
    """Problems with a household's scans (missing or altered files); empty when all check."""
    problems = []
    for d in documents(ctx, home_id):
        for s in d["scans"]:
            att = Attachment.get_by_id(s["id"])
            if not attachments.verify(ctx, att):
                problems.append(f"{d['name']}：{s['name']} 校验失败")
    return problems


def household_completeness(home_id: int) -> dict:
    n = (ArchiveDocument.select().where((ArchiveDocument.home == home_id) & (ArchiveDocument.on_file == True)  # noqa: E712
                                        & ArchiveDocument.doc_code.in_(DOC_CODES)).count())
    return {"on_file": n, "total": DOC_TOTAL, "pct": pct(n, DOC_TOTAL), "complete": n >= DOC_TOTAL}


def _completeness(home_cond) -> dict:
    """Items on file / items required over the handed-over homes matching *home_cond*, and the
    number of households whose archive is complete (three aggregate queries)."""
    cond = home_cond & (Home.state != NOT_HANDED_OVER)
    n_homes = Home.select(Home.id).where(cond).count()
    on_file = ((ArchiveDocument.on_file == True) & ArchiveDocument.doc_code.in_(DOC_CODES))  # noqa: E712
    items = (ArchiveDocument.select(fn.COUNT(ArchiveDocument.id)).join(Home, on=(ArchiveDocument.home == Home.id))
             .where(cond & on_file).scalar()) or 0
    complete = (ArchiveDocument.select(ArchiveDocument.home).join(Home, on=(ArchiveDocument.home == Home.id))
                .where(cond & on_file).group_by(ArchiveDocument.home)
                .having(fn.COUNT(ArchiveDocument.id) >= DOC_TOTAL).count())
    return {"homes": n_homes, "items_on_file": items, "items_required": n_homes * DOC_TOTAL,
            "pct": pct(items, n_homes * DOC_TOTAL), "complete_homes": complete,
            "complete_pct": pct(complete, n_homes)}


def building_completeness(ctx, building_id: int) -> dict:
    require(ctx, "archive.view")
    return _completeness(Home.building == building_id)


def cluster_completeness(ctx, cluster_id: int) -> dict:
    require(ctx, "archive.view")
    return _completeness(Home.cluster == cluster_id)


def site_completeness(ctx) -> dict:
    require(ctx, "archive.view")
    return _completeness(Home.id > 0)



def completeness_by_building(ctx) -> list[dict]:
    """Archive completeness of every building (handed-over homes), in two grouped queries."""
    require(ctx, "archive.view")
    homes = dict(Home.select(Home.building, fn.COUNT(Home.id)).where(Home.state != NOT_HANDED_OVER)
                 .group_by(Home.building).tuples())
    per_home = (ArchiveDocument.select(Home.building, ArchiveDocument.home, fn.COUNT(ArchiveDocument.id))
                .join(Home, on=(ArchiveDocument.home == Home.id))
                .where((Home.state != NOT_HANDED_OVER) & (ArchiveDocument.on_file == True)  # noqa: E712
                       & ArchiveDocument.doc_code.in_(DOC_CODES))
                .group_by(Home.building, ArchiveDocument.home).tuples())
    items: dict[int, list] = {}
    for bid, _hid, n in per_home:
        a = items.setdefault(bid, [0, 0])
        a[0] += n
        a[1] += n >= DOC_TOTAL
    out = []
    for b in Building.select(Building, Cluster).join(Cluster).order_by(Cluster.sort_order, Cluster.code,
                                                                       Building.sort_order, Building.id):
        n = homes.get(b.id, 0)
        on, complete = items.get(b.id, [0, 0])
        out.append({"building_id": b.id, "building": b.name or f"{b.code}号楼", "cluster": f"{b.cluster.code}组团",
                    "homes": n, "items_on_file": on, "items_required": n * DOC_TOTAL,
                    "pct": pct(on, n * DOC_TOTAL), "complete_homes": complete, "complete_pct": pct(complete, n)})
    return out
