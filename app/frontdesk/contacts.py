"""The desk's outside contacts (通讯录, domain.md §1; seed 000 items 15–16): utilities, police
station, schools, hospital, locksmith, movers, post office and the contractors (builder,
supervisor, lift maintenance, CCTV) with their responsible person and phone; searchable, printed
as the desk's phone list. The site facts (项目概况) come from the site settings."""
from __future__ import annotations

import re

from app.core import validation as v
from app.core.audit import model_dict, record, save_changes
from app.core.errors import ValidationError
from app.core.lookup import get_or_404
from app.core.permissions import require
from app.frontdesk.common import export_rows, matches, short_text
from models.frontdesk import CONTACT_CATEGORIES, Contact

EXPORT_COLUMNS = ("类别", "单位", "负责人", "电话", "备用电话", "地址", "备注")
SITE_FACT_GROUPS = ("site", "company")
FIELDS = ("category", "name", "person", "phone", "phone2", "address", "notes")


SERVICE_NUMBER = re.compile(r"1\d{2}|1\d{4}|9[56]\d{3,4}")   # 110, 120, 12345, 10000, 95598, 96069


def _phone(value, field: str, required: bool = False) -> str:
    """A phone as check_phone takes it, or a short service number (110, 120, 12345, 95598)."""
    s = re.sub(r"[\s\-]", "", v.normalize(value or ""))
    if SERVICE_NUMBER.fullmatch(s):
        return s
    return v.check_phone(value, field, required=required)


def _fields(data: dict) -> dict:
    out = {"category": v.check_choice(data.get("category"), CONTACT_CATEGORIES, "类别"),
           "name": short_text(data.get("name"), "单位名称", limit=60, required=True),
           "person": short_text(data.get("person"), "负责人"),
           "phone": _phone(data.get("phone"), "电话", required=True),
           "phone2": _phone(data.get("phone2"), "备用电话"),
           "address": short_text(data.get("address"), "地址", limit=80),
           "notes": str(data.get("notes") or "").strip()}
    if out["phone2"] and out["phone2"] == out["phone"]:
        raise ValidationError("备用电话", "与电话相同")
    return out


def _contact(contact_id) -> Contact:
    return get_or_404(Contact, contact_id, "联系人")


def add_contact(ctx, data: dict) -> Contact:
    """A new contact. ``data``: category (CONTACT_CATEGORIES), name, person, phone, phone2, address, notes."""
    require(ctx, "contacts.edit")
    fields = _fields(data)
    dup = Contact.get_or_none((Contact.name == fields["name"]) & (Contact.phone == fields["phone"]))
    if dup:
        raise ValidationError("单位名称", f"“{fields['name']}”（{fields['phone']}）已在通讯录中")
    with ctx.db.atomic():
        c = Contact.create(updated_at=ctx.clock.now(), **fields)
        record(ctx, "contacts.create", "contact", c.id, None, model_dict(c))
    return c


def update_contact(ctx, contact_id, data: dict) -> Contact:
    require(ctx, "contacts.edit")
    c = _contact(contact_id)
    merged = {k: getattr(c, k) for k in FIELDS}
    merged.update(data)
    fields = _fields(merged)
    fields["updated_at"] = ctx.clock.now()
    return save_changes(ctx, c, fields, "contacts.update", "contact")


def set_active(ctx, contact_id, active: bool) -> Contact:
    """Take a contact off the phone list (the company changed) or put it back."""
    require(ctx, "contacts.edit")
    c = _contact(contact_id)
    before = model_dict(c)
    with ctx.db.atomic():
        c.active, c.updated_at = bool(active), ctx.clock.now()
        c.save()
        record(ctx, "contacts.active", "contact", c.id, before, model_dict(c))
    return c


def contact_row(c: Contact) -> dict:
    return {"id": c.id, "category": c.category, "name": c.name, "person": c.person, "phone": c.phone,
            "phone2": c.phone2, "address": c.address, "notes": c.notes, "active": c.active}


def list_contacts(ctx, search: str = "", include_inactive: bool = False) -> list[dict]:
    """The phone list in category order (as CONTACT_CATEGORIES), matching the search words."""
    require(ctx, "frontdesk.view")
    q = Contact.select()
    if not include_inactive:
        q = q.where(Contact.active == True)  # noqa: E712
    order = {c: i for i, c in enumerate(CONTACT_CATEGORIES)}
    rows = sorted((contact_row(c) for c in q), key=lambda r: (order.get(r["category"], 99), r["name"], r["id"]))
    return [r for r in rows if matches(search, r["category"], r["name"], r["person"], r["phone"], r["phone2"],
                                       r["address"], r["notes"])]


def get_contact(contact_id) -> Contact:
    return _contact(contact_id)


def site_facts(ctx) -> list[tuple[str, str]]:
    """项目概况: (label, value) of every site and company setting, then the office hours."""
    from app.core.settings import SETTINGS
    out = []
    for s in SETTINGS:
        if s.group in SITE_FACT_GROUPS:
            value = ctx.settings.get(s.key)
            out.append((s.label, "" if value is None else str(value)))
    out.append(("办公时间", str(ctx.settings.get("office.hours") or "")))
    return out


def export_contacts(ctx, rows: list[dict], path) -> int:
    cells = [[r["category"], r["name"], r["person"], r["phone"], r["phone2"], r["address"], r["notes"]] for r in rows]
    return export_rows(ctx, path, "通讯录", EXPORT_COLUMNS, cells, "contact")
