"""Anonymising an owner who left (业主资料匿名化): the personal data goes, the ledger stays.

The names kept on car cards and parking spaces are cleared here through the models directly
(the parking area builds on the archives, so the archives do not call into it)."""
from __future__ import annotations

from app.archives.search import index_homes
from app.core.audit import record
from app.core.audit_personal import destroy_subjects, subject_of
from app.core.errors import NotFound, StateError, ValidationError
from app.core.permissions import require
from app.core.privacy import anonymised_name, mask_phone
from models.parking import Vehicle
from models.people import HomeOwner, Owner, ParkingOwner, Resident
from models.property import ParkingSpace
from models.system import Attachment

REASON_MAX = 200
CLEARED_FIELDS = ("gender", "education", "native_place", "employer", "work_address", "phone", "phone2",
                  "id_enc", "id_hash", "id_masked", "id_tail", "spouse_name", "spouse_phone",
                  "spouse_employer", "family_structure", "key_customer_tags", "opinion", "suggestions",
                  "special_requests", "arrears_complaint", "notes")


def anonymise_owner(ctx, owner_id: int, reason: str = "") -> dict:
    """An owner who left: name → 已注销业主xxxx; phones, identity number, family details,
    personal notes cleared; the family residents recorded with homes where no other owner
    remains are removed; scanned personal papers (attachments of the owner) are unlinked; car
    cards keep plate, space and dates but lose the driver's name and phone.
    Homes, ownership dates, receipts, charges and other ledger rows stay (they point to homes,
    receipts keep the payer name printed at the time). Returns a summary."""
    require(ctx, "owner.anonymise")
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ValidationError("注销原因", f"不能超过{REASON_MAX}个字")
    with ctx.db.atomic():
        owner = Owner.get_or_none(Owner.id == owner_id)
        if owner is None:
            raise NotFound("业主不存在")
        if owner.anonymised:
            raise StateError("该业主资料已匿名化")
        home_ids = sorted({h.home_id for h in HomeOwner.select().where(HomeOwner.owner == owner)})
        HomeOwner.update(until=ctx.clock.today()).where(
            (HomeOwner.owner == owner) & HomeOwner.until.is_null()).execute()
        before = {"name": owner.name, "phone": mask_phone(owner.phone), "id": owner.id_masked}
        _clear_owner(ctx, owner)
        removed = _remove_family(owner, home_ids)
        removed_residents = len(removed)
        vehicle_ids = [v for (v,) in Vehicle.select(Vehicle.id).where(Vehicle.owner == owner.id).tuples()]
        removed_attachments = (Attachment.delete()
                               .where((Attachment.entity == "owner") & (Attachment.entity_id == owner.id)).execute())
        vehicles = forget_on_parking(ctx, owner.id)  # car cards keep plate, space and dates, not the name
        index_homes(home_ids)
        summary = {"name": owner.name, "homes": len(home_ids), "residents_removed": removed_residents,
                   "attachments_removed": removed_attachments, "car_cards_cleared": vehicles, "reason": reason}
        record(ctx, "owner.anonymise", "owner", owner.id, before, summary)
        # the keys of the owner's (and the removed residents' and car cards') sealed audit values go:
        # every audit row still verifies, and what it held of the person can no longer be read
        destroy_subjects([subject_of("owner", owner.id)] + [subject_of("resident", r) for r in removed]
                         + [subject_of("vehicle", v) for v in vehicle_ids])
    return summary


def _clear_owner(ctx, owner: Owner) -> None:
    for k in CLEARED_FIELDS:
        setattr(owner, k, "")
    owner.name = anonymised_name(owner.id)
    owner.birth_date = None
    owner.residents_count = 0
    owner.is_key_customer = False
    owner.anonymised = True
    owner.updated_at = ctx.clock.now()
    owner.save()


def _remove_family(owner: Owner, home_ids) -> list[int]:
    """Remove the family residents (not tenants) of the homes where no other owner remains; their ids."""
    removed = []
    for hid in home_ids:
        others = (HomeOwner.select().where((HomeOwner.home == hid) & (HomeOwner.owner != owner)
                                           & HomeOwner.until.is_null()).exists())
        if not others:
            family = (Resident.home == hid) & (Resident.is_tenant == False)  # noqa: E712
            ids = [r for (r,) in Resident.select(Resident.id).where(family).tuples()]
            Resident.delete().where(Resident.id.in_(ids)).execute()
            removed.extend(ids)
    return removed


def forget_on_parking(ctx, owner_id: int) -> int:
    """The owner's car-card registrations keep plate, space and dates but lose the driver's name and
    phone; the spaces the owner holds lose the name in their holder text (owner_name, written when
    the space was attached). Joins the caller's transaction; returns the cards changed."""
    owner_id = int(owner_id)
    gone = anonymised_name(owner_id)
    with ctx.db.atomic():
        n = Vehicle.update(driver_name=gone, phone="").where(Vehicle.owner == owner_id).execute()
        spaces = [s for (s,) in ParkingOwner.select(ParkingOwner.space).where(ParkingOwner.owner == owner_id)
                  .distinct().tuples()]
        holders: dict[int, list[str]] = {}
        q = (ParkingOwner.select(ParkingOwner.space, Owner.id, Owner.name).join(Owner)
             .where(ParkingOwner.space.in_(spaces)).order_by(ParkingOwner.id).tuples()) if spaces else []
        for sid, oid, name in q:
            holders.setdefault(sid, []).append(gone if oid == owner_id else name)
        for sid in spaces:
            ParkingSpace.update(owner_name="、".join(holders.get(sid, []))).where(ParkingSpace.id == sid).execute()
        if n or spaces:
            record(ctx, "parking.forget_owner", "owner", owner_id, None, {"vehicles": n, "spaces": len(spaces)})
    return n
