"""The one place that masks personal data for lists, prints and exports."""
from __future__ import annotations

import re

from app.core.permissions import allowed, require


def mask_phone(phone: str) -> str:
    """13812341234 → 138****1234; landlines keep the area code and last 2-4 digits."""
    s = re.sub(r"\s", "", phone or "")
    if not s:
        return ""
    digits = re.sub(r"\D", "", s)
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if "-" in s:
        area, local = s.split("-", 1)
        return f"{area}-{'*' * max(len(local) - 4, 2)}{local[-4:]}" if len(local) > 4 else f"{area}-****"
    if len(s) > 4:
        return "*" * (len(s) - 4) + s[-4:]
    return "****"


def mask_id(id_number: str) -> str:
    """110101199003071234 → 110***********1234 (first 3 and last 4 kept)."""
    s = (id_number or "").strip()
    if not s:
        return ""
    if len(s) <= 7:
        return "*" * len(s)
    return s[:3] + "*" * (len(s) - 7) + s[-4:]


def may_see_full(ctx) -> bool:
    role = getattr(getattr(ctx, "user", None), "role", None)
    return allowed(role, "pii.view_full")


def phone_for(ctx, phone: str, reveal: bool = False) -> str:
    """The phone as this user may see it. Full only when asked for, permitted, and audited."""
    if reveal and may_see_full(ctx):
        from app.core.audit import record
        record(ctx, "pii.reveal_phone", "phone", mask_phone(phone))
        return phone
    return mask_phone(phone)


# -- revealing a full value (permission + audit row) -------------------------

OWNER_PHONE_FIELDS = {"phone": "联系电话", "phone2": "备用电话", "spouse_phone": "配偶电话"}


def reveal_owner_id(ctx, owner_id: int, reason: str = "") -> str:
    """The owner's full identity number. Needs pii.view_full; writes an audit row."""
    require(ctx, "pii.view_full")
    from app.core.audit import record
    from app.core.errors import NotFound
    from models.people import Owner
    owner = Owner.get_or_none(Owner.id == owner_id)
    if owner is None:
        raise NotFound("业主不存在")
    with ctx.db.atomic():
        record(ctx, "pii.reveal_id", "owner", owner.id, None, {"field": "身份证号", "reason": reason})
    return ctx.vault.decrypt(owner.id_enc)


def reveal_owner_phone(ctx, owner_id: int, field: str = "phone", reason: str = "") -> str:
    """One of the owner's phones in full. Needs pii.view_full; writes an audit row."""
    require(ctx, "pii.view_full")
    from app.core.audit import record
    from app.core.errors import NotFound
    from models.people import Owner
    if field not in OWNER_PHONE_FIELDS:
        raise KeyError(field)
    owner = Owner.get_or_none(Owner.id == owner_id)
    if owner is None:
        raise NotFound("业主不存在")
    with ctx.db.atomic():
        record(ctx, "pii.reveal_phone", "owner", owner.id, None, {"field": OWNER_PHONE_FIELDS[field], "reason": reason})
    return getattr(owner, field)


# -- anonymising an owner who left -------------------------------------------

def anonymised_name(owner_id: int) -> str:
    return f"已注销业主{owner_id:04d}"


def anonymise_owner(ctx, owner_id: int, reason: str = "") -> dict:
    """An owner who left: name → 已注销业主xxxx; phones, identity number, family details,
    personal notes cleared; the family residents recorded with homes where no other owner
    remains are removed; scanned personal papers (attachments of the owner) are unlinked; car
    cards keep plate, space and dates but lose the driver's name and phone.
    Homes, ownership dates, receipts, charges and other ledger rows stay (they point to homes,
    receipts keep the payer name printed at the time). Returns a summary."""
    require(ctx, "owner.anonymise")
    from app.core.audit import record
    from app.core.errors import NotFound, StateError, ValidationError
    from models.people import HomeOwner, Owner, Resident
    from models.system import Attachment
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise ValidationError("注销原因", "不能超过200个字")
    with ctx.db.atomic():
        owner = Owner.get_or_none(Owner.id == owner_id)
        if owner is None:
            raise NotFound("业主不存在")
        if owner.anonymised:
            raise StateError("该业主资料已匿名化")
        home_ids = [h.home_id for h in HomeOwner.select().where(HomeOwner.owner == owner)]
        current = [h for h in HomeOwner.select().where((HomeOwner.owner == owner) & HomeOwner.until.is_null())]
        for ho in current:
            ho.until = ctx.clock.today()
            ho.save()
        before = {"name": owner.name, "phone": mask_phone(owner.phone), "id": owner.id_masked}
        blank = {f: "" for f in ("gender", "education", "native_place", "employer", "work_address", "phone", "phone2",
                                 "id_enc", "id_hash", "id_masked", "id_tail", "spouse_name", "spouse_phone",
                                 "spouse_employer", "family_structure", "key_customer_tags", "opinion", "suggestions",
                                 "special_requests", "arrears_complaint", "notes")}
        for k, v in blank.items():
            setattr(owner, k, v)
        owner.name = anonymised_name(owner.id)
        owner.birth_date = None
        owner.residents_count = 0
        owner.is_key_customer = False
        owner.anonymised = True
        owner.updated_at = ctx.clock.now()
        owner.save()
        removed_residents = 0
        for hid in set(home_ids):
            others = (HomeOwner.select().where((HomeOwner.home == hid) & (HomeOwner.owner != owner)
                                               & HomeOwner.until.is_null()).exists())
            if not others:
                removed_residents += Resident.delete().where((Resident.home == hid) & (Resident.is_tenant == False)).execute()  # noqa: E712
        attachments = Attachment.delete().where((Attachment.entity == "owner") & (Attachment.entity_id == owner.id)).execute()
        from app.parking.parking import forget_owner
        vehicles = forget_owner(ctx, owner.id)  # car cards keep plate, space and dates, not the name
        from app.archives.search import index_homes
        index_homes(list(set(home_ids)))
        summary = {"name": owner.name, "homes": len(set(home_ids)), "residents_removed": removed_residents,
                   "attachments_removed": attachments, "car_cards_cleared": vehicles, "reason": reason}
        record(ctx, "owner.anonymise", "owner", owner.id, before, summary)
    return summary
