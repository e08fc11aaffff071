"""An owner's or resident's edit that corrects a value waiting on the 待核对 worklist (issue 16): the
edit (app.archives.people) and the closing of the items of the phones / identity number it saved
(resolution 已在业主档案中更正, audited) in ONE transaction, then the homes' search lines rebuilt so the
closed raw text no longer finds them. The owner dialog and the resident form save through here
(app.archives must not import app.golive: the areas' package graph stays acyclic)."""
from __future__ import annotations

from app.archives import people, search
from app.golive.worklist import close_corrected
from models.people import HomeOwner

CORRECTABLE = ("phone", "phone2", "spouse_phone", "id_number")


def _corrected(data: dict) -> list[str]:
    """The worklist fields this save sets to a (checked, non-empty) value."""
    return [f for f in CORRECTABLE if str(data.get(f) or "").strip()]


def update_owner(ctx, owner_id: int, data: dict, photo_path=None):
    """people.update_owner, and the owner's open items of the fields it corrected closed with it."""
    with ctx.db.atomic():
        owner = people.update_owner(ctx, owner_id, data, photo_path=photo_path)
        if close_corrected(ctx, "owner", owner.id, _corrected(data)):
            search.index_homes([h for (h,) in HomeOwner.select(HomeOwner.home).where(
                (HomeOwner.owner == owner.id) & HomeOwner.until.is_null()).tuples()])
    return owner


def update_resident(ctx, resident_id: int, data: dict):
    """people.update_resident, and the resident's open items of the fields it corrected closed with it."""
    with ctx.db.atomic():
        r = people.update_resident(ctx, resident_id, data)
        if close_corrected(ctx, "resident", r.id, _corrected(data)):
            search.index_homes([r.home_id])
    return r
