"""The 待核对 worklist: values an import (or a check of existing data) could not accept, kept with the
raw text and the reason until someone corrects them. Nothing is dropped for a secondary field: the
record is stored without the bad value and the value waits here.

This module imports only app.core and models, so any area (or a migration of existing data) can
flag through it without importing the rest of app.golive:

- ``flag(ctx, Flag(entity, entity_id, field, label, raw, reason, home_id, source))`` — one item, in
  its own transaction with its audit row (or inside the caller's transaction, as a savepoint);
  an open item for the same record and field is updated rather than repeated;
- ``flag_many(ctx, items, *, audit=False)`` — many at once inside the caller's transaction
  (an import or a migration audits the whole run; 50,000 rows are one multi-row insert per 500);
- ``list_items(ctx, *, open_only=True, entity=None, home_id=None, query="")``, ``open_count``,
  ``open_home_ids`` (the 业主档案 filter), ``resolve(ctx, item_id, note)``,
  ``resolve_field(ctx, entity, entity_id, field, note)`` (the value was corrected elsewhere),
  ``close_corrected(ctx, entity, entity_id, fields)`` (an owner/resident edit saved corrected values:
  their items closed, 已在业主档案中更正 — app.golive.corrections),
  ``export_xlsx(ctx, path)`` (the open items as a workbook).
Identity numbers are sensitive: their raw text is kept encrypted (``raw_enc``) and shown masked.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.core.audit import record
from app.core.errors import NotFound, StateError, ValidationError
from app.core.permissions import require
from app.core.privacy import mask_id, mask_phone
from models.golive import PendingCheck

STATE_OPEN = "待核对"
STATE_DONE = "已核对"
SENSITIVE_FIELDS = frozenset({"id_number", "spouse_id_number"})
ENTITY_WORDS = {"owner": "业主", "home": "房屋", "parking_space": "车位", "vehicle": "车辆", "resident": "住户"}
BULK_CHUNK = 500
MIN_PHONE_QUERY = 4    # digits typed before the encrypted raw phones are searched
RAW_MAX_LEN = 200      # a cell longer than this is cut (the reason says what was wrong with it)
NOTE_MAX_LEN = 200


@dataclass(frozen=True)
class Flag:
    """One value to flag (for ``flag_many``)."""
    entity: str
    entity_id: int
    field: str
    label: str
    raw: object
    reason: str
    home_id: int | None = None
    source: str = ""


def _stored_raw(ctx, field: str, raw) -> tuple[str, str]:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw if raw is not None else "").strip()[:RAW_MAX_LEN]
    if field in SENSITIVE_FIELDS and text:
        return mask_id(text), ctx.vault.encrypt(text)
    if is_phone_field(field) and text:   # a phone is personal data at rest like the owner's own phone
        return mask_phone(text), ctx.vault.encrypt(text)
    return text, ""


def is_phone_field(field: str) -> bool:
    """A field whose raw value is a phone: kept encrypted, shown masked, found by the search's digit tokens."""
    return "phone" in field


def _values(ctx, f: Flag) -> dict:
    shown, enc = _stored_raw(ctx, f.field, f.raw)
    user = getattr(ctx, "user", None)
    return {"entity": f.entity, "entity_id": f.entity_id, "home": f.home_id, "field": f.field, "label": f.label,
            "raw_text": shown, "raw_enc": enc, "reason": f.reason[:NOTE_MAX_LEN * 2], "source": f.source[:250],
            "created_at": ctx.clock.now(), "created_by": getattr(user, "id", None)}


def flag(ctx, f: Flag) -> PendingCheck:
    """Put one value on the worklist (audited); the open item for the same record and field is updated.
    Rebuilding the home's search line (app.archives.search.index_homes) is the caller's part."""
    values = _values(ctx, f)
    with ctx.db.atomic():
        item = _open_item(f.entity, f.entity_id, f.field)
        if item is None:
            item = PendingCheck.create(**values)
        else:
            for k in ("raw_text", "raw_enc", "reason", "source", "label"):
                setattr(item, k, values[k])
            if f.home_id is not None:
                item.home = f.home_id
            item.save()
        record(ctx, "worklist.flag", f.entity, f.entity_id, None,
               {"字段": f.label, "原始内容": values["raw_text"], "原因": f.reason})
    return item


def flag_many(ctx, items, *, audit: bool = False, source: str = "") -> int:
    """Flag *items* (Flag) inside the caller's transaction; the number written. Open items for the
    same record and field are replaced. With *audit*, one worklist.flag row counts them (an import
    that audits its own run leaves it off)."""
    items = list(items)
    if not items:
        return 0
    keys = {(f.entity, f.entity_id, f.field) for f in items}
    entity_ids = sorted({f.entity_id for f in items})
    with ctx.db.atomic():
        for i in range(0, len(entity_ids), BULK_CHUNK):
            chunk = entity_ids[i:i + BULK_CHUNK]
            old = (PendingCheck.select(PendingCheck.id, PendingCheck.entity, PendingCheck.entity_id,
                                       PendingCheck.field)
                   .where(PendingCheck.entity_id.in_(chunk), PendingCheck.resolved_at.is_null()).tuples())
            stale = [pid for pid, e, eid, fld in old if (e, eid, fld) in keys]
            if stale:
                PendingCheck.delete().where(PendingCheck.id.in_(stale)).execute()
        rows = [_values(ctx, f) for f in items]
        for i in range(0, len(rows), BULK_CHUNK):
            PendingCheck.insert_many(rows[i:i + BULK_CHUNK]).execute()
        if audit:
            record(ctx, "worklist.flag", "pending_check", "", None, {"待核对": len(rows), "来源": source})
    return len(rows)


def _open_item(entity: str, entity_id: int, field: str) -> PendingCheck | None:
    return (PendingCheck.select()
            .where(PendingCheck.entity == entity, PendingCheck.entity_id == entity_id,
                   PendingCheck.field == field, PendingCheck.resolved_at.is_null())
            .first())


def list_items(ctx, *, open_only: bool = True, entity: str | None = None, home_id: int | None = None,
               query: str = "", limit: int | None = None) -> list[dict]:
    """The worklist as plain rows (newest first), raw identity numbers masked."""
    require(ctx, "archive.view")
    from peewee import JOIN

    from models.property import Home
    q = (PendingCheck.select(PendingCheck, Home.room_code.alias("room_code")).join(Home, JOIN.LEFT_OUTER)
         .order_by(PendingCheck.id.desc()))
    if open_only:
        q = q.where(PendingCheck.resolved_at.is_null())
    if entity:
        q = q.where(PendingCheck.entity == entity)
    if home_id is not None:
        q = q.where(PendingCheck.home == home_id)
    text = (query or "").strip()
    if text:
        cond = (PendingCheck.raw_text.contains(text) | PendingCheck.reason.contains(text)
                | Home.room_code.contains(text))
        phones = _phone_items_with(ctx, text, open_only)
        q = q.where(cond | PendingCheck.id.in_(phones) if phones else cond)
    if limit:
        q = q.limit(limit)
    out = []
    for item in q.objects():
        out.append({"id": item.id, "entity": item.entity, "entity_word": ENTITY_WORDS.get(item.entity, item.entity),
                    "entity_id": item.entity_id, "home_id": item.home_id,
                    "room_code": item.room_code or "", "field": item.field,
                    "label": item.label, "raw_text": item.raw_text, "reason": item.reason, "source": item.source,
                    "created_at": item.created_at, "resolved_at": item.resolved_at,
                    "resolution": item.resolution,
                    "state": STATE_OPEN if item.resolved_at is None else STATE_DONE})
    return out


def _phone_items_with(ctx, text: str, open_only: bool) -> list[int]:
    """Items whose encrypted raw phone holds the digits of *text* (a worklist is hundreds of items:
    decrypting them here keeps the phones sealed at rest and still searchable by what was typed)."""
    import re
    import unicodedata
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", text))
    if len(digits) < MIN_PHONE_QUERY:
        return []
    q = PendingCheck.select(PendingCheck.id, PendingCheck.field, PendingCheck.raw_enc).where(PendingCheck.raw_enc != "")
    if open_only:
        q = q.where(PendingCheck.resolved_at.is_null())
    return [pid for pid, field, enc in q.tuples() if is_phone_field(field)
            and digits in re.sub(r"\D", "", unicodedata.normalize("NFKC", ctx.vault.decrypt(enc)))]


def open_count() -> int:
    return PendingCheck.select().where(PendingCheck.resolved_at.is_null()).count()


def open_home_ids() -> set[int]:
    """Homes with an open item (of the home itself or of one of its owners)."""
    q = (PendingCheck.select(PendingCheck.home).distinct()
         .where(PendingCheck.resolved_at.is_null(), PendingCheck.home.is_null(False)))
    return {hid for (hid,) in q.tuples()}


def open_raw_texts(home_ids=None) -> dict[int, list[str]]:
    """The raw texts of open items per home (for the search index); identity numbers left out."""
    q = (PendingCheck.select(PendingCheck.home, PendingCheck.raw_text)
         .where(PendingCheck.resolved_at.is_null(), PendingCheck.home.is_null(False), PendingCheck.raw_enc == ""))
    if home_ids is not None:
        q = q.where(PendingCheck.home.in_(list(home_ids)))
    out: dict[int, list[str]] = {}
    for hid, raw in q.tuples():
        out.setdefault(hid, []).append(raw)
    return out


def reveal_raw(ctx, item_id: int) -> str:
    """The full raw text of an item (an identity number decrypted: audited like any reveal)."""
    require(ctx, "archive.edit")
    item = _get(item_id)
    if not item.raw_enc:
        return item.raw_text
    with ctx.db.atomic():
        record(ctx, "pii.reveal_id", item.entity, item.entity_id, None, {"待核对": item.id})
    return ctx.vault.decrypt(item.raw_enc)


def _get(item_id: int) -> PendingCheck:
    item = PendingCheck.get_or_none(PendingCheck.id == item_id)
    if item is None:
        raise NotFound(f"待核对事项 {item_id} 不存在")
    return item


def resolve(ctx, item_id: int, note: str = "") -> PendingCheck:
    """Mark one item checked (已核对), with what was done; audited."""
    require(ctx, "archive.edit")
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LEN:
        raise ValidationError("处理说明", f"不能超过{NOTE_MAX_LEN}个字")
    with ctx.db.atomic():
        item = _get(item_id)
        if item.resolved_at is not None:
            raise StateError(f"该事项已于 {item.resolved_at:%Y-%m-%d %H:%M} 核对完毕")
        _close(ctx, item, note or "已核对")
        record(ctx, "worklist.resolve", item.entity, item.entity_id,
               {"状态": STATE_OPEN}, {"状态": STATE_DONE, "字段": item.label, "处理说明": item.resolution})
    return item


def resolve_field(ctx, entity: str, entity_id: int, field: str, note: str = "已更正") -> int:
    """Close the open item of a record's field once the value was corrected (inside the caller's
    transaction, which audits the correction; the closing has its own worklist.resolve row); the
    number closed."""
    closed = 0
    with ctx.db.atomic():
        item = _open_item(entity, entity_id, field)
        if item is not None:
            _close(ctx, item, note)
            record(ctx, "worklist.resolve", item.entity, item.entity_id,
                   {"状态": STATE_OPEN}, {"状态": STATE_DONE, "字段": item.label, "处理说明": note})
            closed = 1
    return closed


CORRECTED_NOTE = "已在业主档案中更正"


def close_corrected(ctx, entity: str, entity_id: int, fields, note: str = CORRECTED_NOTE) -> int:
    """Close the open items of *fields* of a record an edit just saved with corrected values
    (app.golive.corrections, inside the edit's transaction); each closing audited; the number closed."""
    return sum(resolve_field(ctx, entity, entity_id, f, note) for f in fields)


def _close(ctx, item: PendingCheck, note: str):
    user = getattr(ctx, "user", None)
    item.resolved_at = ctx.clock.now()
    item.resolved_by = getattr(user, "id", None)
    item.resolution = note
    item.save()


EXPORT_HEADERS = ("序号", "对象", "房号", "字段", "原始内容", "原因", "来源", "登记时间", "状态")


def export_xlsx(ctx, path, *, open_only: bool = True) -> int:
    """The worklist as an Excel workbook at *path* (identity numbers masked); the number of rows."""
    require(ctx, "archive.export")
    rows = list_items(ctx, open_only=open_only)
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "待核对"
    ws.append(EXPORT_HEADERS)
    for n, r in enumerate(reversed(rows), start=1):
        ws.append((n, r["entity_word"], r["room_code"], r["label"], r["raw_text"], r["reason"], r["source"],
                   r["created_at"].strftime("%Y-%m-%d %H:%M") if r["created_at"] else "", r["state"]))
    for col, width in zip("ABCDEFGHI", (6, 8, 12, 10, 24, 36, 28, 18, 8), strict=True):
        ws.column_dimensions[col].width = width
    path = Path(path)
    with ctx.db.atomic():
        record(ctx, "worklist.export", "pending_check", "", None, {"文件": path.name, "行数": len(rows)})
        wb.save(path)
    return len(rows)
