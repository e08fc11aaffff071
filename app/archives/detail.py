"""What the household pane and the owner dialog show: a home with its owners, former owners,
residents, tenants, parking spaces, archive checklist, visits and familiarity checks; an
owner's fields. Phones and identity numbers are masked."""
from __future__ import annotations

from app.archives import customers
from app.archives.checklist import documents, household_completeness
from app.archives.common import OWNER_PHOTO, category_of, get_row
from app.archives.listing import current_rooms
from app.archives.visits import familiarity_for, visits_for
from app.core import validation as v
from app.core.permissions import require
from app.core.privacy import mask_phone
from models.people import HomeOwner, Owner, Resident
from models.property import Home, ParkingSpace
from models.system import Attachment


def owner_public(o: Owner, link: HomeOwner | None = None) -> dict:
    """An owner's fields as the dialog shows them (phones masked), with the link to a home if given."""
    d = {k: getattr(o, k) for k in (
        "id", "name", "gender", "birth_date", "education", "native_place", "employer", "work_address",
        "id_type", "id_masked", "spouse_name", "spouse_employer", "family_structure", "residents_count",
        "is_key_customer", "key_customer_tags", "opinion", "suggestions", "special_requests", "arrears_flag",
        "arrears_reason", "arrears_complaint", "notes")}
    d["phone"] = mask_phone(o.phone)
    d["phone2"] = mask_phone(o.phone2)
    d["spouse_phone"] = mask_phone(o.spouse_phone)
    d["has_id"] = bool(o.id_enc)
    if link is not None:
        d["is_primary"] = link.is_primary
        d["since"] = link.since
        d["until"] = link.until
        d["link_id"] = link.id
    d["home_rooms"] = current_rooms(o.id, ordered=True)
    photo = (Attachment.select().where((Attachment.entity == OWNER_PHOTO) & (Attachment.entity_id == o.id))
             .order_by(Attachment.id.desc()).first())
    d["photo_id"] = photo.id if photo else None
    return d


def resident_public(r: Resident) -> dict:
    return {"id": r.id, "name": r.name, "relation": r.relation, "is_tenant": r.is_tenant,
            "phone": mask_phone(r.phone), "id_masked": r.id_masked, "birth_date": r.birth_date,
            "employer": r.employer, "lease_from": r.lease_from, "lease_to": r.lease_to, "notes": r.notes}


def owner_detail(ctx, owner_id: int) -> dict:
    """An owner's fields for the dialog (phones and identity number masked)."""
    require(ctx, "archive.view")
    return owner_public(get_row(Owner, owner_id, "业主"))


def home_detail(ctx, home_id: int) -> dict:
    """Everything the household pane shows."""
    require(ctx, "archive.view")
    h = get_row(Home, home_id, "房屋")
    links = list(HomeOwner.select(HomeOwner, Owner).join(Owner).where(HomeOwner.home == h.id)
                 .order_by(HomeOwner.until.is_null(False), HomeOwner.is_primary.desc(), HomeOwner.id))
    owners = [owner_public(link.owner, link) for link in links if link.until is None]
    former = [owner_public(link.owner, link) for link in links if link.until is not None]
    residents = [resident_public(r) for r in Resident.select().where(Resident.home == h.id).order_by(Resident.id)]
    spaces = [{"id": p.id, "code": p.code, "level": p.level, "state": p.state}
              for p in ParkingSpace.select().where(ParkingSpace.home == h.id).order_by(ParkingSpace.code)]
    today = ctx.clock.today()
    return {
        "id": h.id, "room_code": h.room_code, "cluster": f"{h.cluster.code}组团 {h.cluster.name}".strip(),
        "building": h.building.name or f"{h.building.code}号楼", "building_id": h.building_id,
        "entrance": f"{h.entrance.code}单元", "floor": h.floor, "area": v.fmt_area(h.area_x100),
        "area_x100": h.area_x100, "house_type": h.house_type, "state": h.state, "handover_date": h.handover_date,
        "move_in_date": h.move_in_date, "occupancy": h.occupancy, "notes": h.notes,
        "category": category_of(ctx, h.move_in_date),
        "months_since_move_in": (customers.months_since(h.move_in_date, today)
                                 if h.move_in_date and h.move_in_date <= today else None),
        "owners": owners, "former_owners": former,
        "residents": [r for r in residents if not r["is_tenant"]],
        "tenants": [r for r in residents if r["is_tenant"]],
        "parking": spaces,
        "documents": documents(ctx, h.id),
        "completeness": household_completeness(h.id),
        "visits": visits_for(ctx, h.id),
        "familiarity": familiarity_for(ctx, h.id),
        "area_manager": (h.building.area_manager.display_name if h.building.area_manager_id else ""),
    }



