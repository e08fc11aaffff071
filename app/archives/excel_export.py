"""Owner ledger export: the ledger's columns written back to an .xlsx workbook.

Phones and identity numbers are masked unless the user's role may see them in full (app/privacy).
"""
from __future__ import annotations

from pathlib import Path

from app.archives.excel_rows import COLUMNS, EXPORT_ORDER
from app.core import validation as v
from app.core.audit import record
from app.core.errors import ValidationError
from app.core.permissions import require
from app.core.privacy import mask_phone, may_see_full
from models.people import HomeOwner, Owner
from models.property import Building, Cluster, Entrance, Home

# the import reads “A组团 名称” back for cluster codes of one or two characters (excel_import._Cache.cluster)
CLUSTER_CODE_MAX_LEN = 2


def _cluster_cell(c: Cluster) -> str:
    return f"{c.code}组团 {c.name}" if c.code != c.name and len(c.code) <= CLUSTER_CODE_MAX_LEN else c.name


OWNER_COLUMNS = ("id", "name", "gender", "birth_date", "phone", "phone2", "id_enc", "id_masked", "employer",
                 "work_address", "native_place", "education", "spouse_name", "spouse_phone", "family_structure",
                 "residents_count", "key_customer_tags", "notes")
HOME_COLUMNS = ("id", "cluster", "building", "entrance", "room_code", "area_x100", "house_type", "state",
                "handover_date", "move_in_date")


def export_rows(ctx) -> list[list]:
    """The ledger rows (one per home and owner; homes without an owner get one row)."""
    full = may_see_full(ctx)
    owners: dict[int, list[tuple[Owner, bool]]] = {}
    # only the columns the ledger shows: a row object of every owner column cost half the export at 50,000
    q = (HomeOwner.select(HomeOwner.home, *(getattr(Owner, f) for f in OWNER_COLUMNS)).join(Owner)
         .where(HomeOwner.until.is_null()).order_by(HomeOwner.home, HomeOwner.is_primary.desc(), HomeOwner.id))
    for link in q:
        owners.setdefault(link.home_id, []).append(link.owner)
    clusters = {c.id: c for c in Cluster.select()}
    buildings = {b.id: b for b in Building.select()}
    entrances = {e.id: e for e in Entrance.select()}
    out = []
    for home in (Home.select(*(getattr(Home, f) for f in HOME_COLUMNS))
                 .order_by(Home.cluster, Home.building, Home.entrance, Home.room_code)):
        c, b, e = clusters[home.cluster_id], buildings[home.building_id], entrances[home.entrance_id]
        home_cells = {
            "cluster": _cluster_cell(c),
            "building": b.name or f"{b.code}号楼", "entrance": f"{e.code}单元", "room": home.room_code,
            "area": v.fmt_area(home.area_x100), "house_type": home.house_type, "state": home.state,
            "handover_date": home.handover_date, "move_in_date": home.move_in_date,
        }
        for owner in owners.get(home.id, []) or [None]:
            cells = dict(home_cells)
            if owner is not None:
                idn = ctx.vault.decrypt(owner.id_enc) if full else ""
                cells.update({
                    "name": owner.name, "gender": owner.gender, "birth_date": owner.birth_date,
                    "phone": owner.phone if full else mask_phone(owner.phone),
                    "phone2": owner.phone2 if full else mask_phone(owner.phone2),
                    "id_number": idn if full else owner.id_masked,
                    "employer": owner.employer, "work_address": owner.work_address,
                    "native_place": owner.native_place, "education": owner.education,
                    "spouse_name": owner.spouse_name,
                    "spouse_phone": owner.spouse_phone if full else mask_phone(owner.spouse_phone),
                    "family_structure": owner.family_structure,
                    "residents_count": owner.residents_count or "",
                    "key_customer_tags": owner.key_customer_tags, "notes": owner.notes,
                })
            out.append([cells.get(k, "") for k in EXPORT_ORDER])
    return out


def export_owners(ctx, path, progress=None) -> int:
    """Write the owner ledger to *path* (.xlsx). Returns the number of data rows. *progress*:
    app.core.progress, asked between rows (a cancel keeps no file and audits nothing)."""
    require(ctx, "archive.export")
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from app.core.xlsx import append_row, save_workbook
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ValidationError("导出文件", "文件名应以 .xlsx 结尾")
    rows = export_rows(ctx)
    full = may_see_full(ctx)
    wb = Workbook()
    ws = wb.active
    ws.title = "业主信息台账"
    ws.append([f"{ctx.settings.get('site.name')} 业主信息台账"])
    ws["A1"].font = Font(size=14, bold=True)
    user = getattr(ctx.user, "display_name", "") or ""
    ws.append([f"导出时间：{ctx.clock.now():%Y-%m-%d %H:%M}  导出人：{user}  "
               + ("含完整证件号码和电话，请妥善保管" if full else "证件号码和电话已脱敏")])
    ws.append([COLUMNS[k][0] for k in EXPORT_ORDER])
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    id_col = EXPORT_ORDER.index("id_number") + 1
    date_cols = {EXPORT_ORDER.index(k) + 1 for k in ("handover_date", "move_in_date", "birth_date")}
    from app.core.progress import each
    for n, r in enumerate(each(rows, progress, len(rows), "导出业主档案"), start=4):
        append_row(ws, r)                 # notes typed as “=…” stay text, never a formula
        ws.cell(n, id_col).number_format = "@"
        for c in date_cols:
            ws.cell(n, c).number_format = "yyyy-mm-dd"
    widths = {"room": 12, "name": 10, "phone": 15, "phone2": 15, "id_number": 21, "cluster": 16,
              "employer": 22, "work_address": 22, "handover_date": 12, "move_in_date": 12, "birth_date": 12}
    for i, key in enumerate(EXPORT_ORDER, start=1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(key, 10)
    ws.freeze_panes = "A4"
    with ctx.db.atomic():
        record(ctx, "archive.export", "owner_export", path.name, None, {"rows": len(rows), "full_pii": full})
        save_workbook(wb, path)
    return len(rows)
