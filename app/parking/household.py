"""A home's parking, as the household pane and the rent/sell form show it: the home's spaces and
car cards, and the home's current owners to choose the holders from."""
from __future__ import annotations

from app.core.permissions import require
from app.core.privacy import mask_phone
from app.parking.cards import vehicle_rows
from app.parking.spaces import find_home, holders_of, plates_of, space_row
from models.people import HomeOwner, Owner
from models.property import Home, ParkingSpace


def home_parking(ctx, home_id) -> dict:
    """The household pane: the home's spaces and vehicles (cards), phones masked."""
    require(ctx, "parking.view")
    spaces = list(ParkingSpace.select().where(ParkingSpace.home == home_id).order_by(ParkingSpace.code))
    ids = [s.id for s in spaces]
    holders, plates = holders_of(ids), plates_of(ids)
    room = Home.get_by_id(home_id).room_code if spaces else ""
    return {"spaces": [space_row(ctx, s, room, holders.get(s.id, []), plates.get(s.id, [])) for s in spaces],
            "vehicles": vehicle_rows(ctx, home_id=home_id, include_cancelled=True)}


def home_owner_choices(ctx, room_code) -> dict:
    """The home of a typed room code and its current owners, for the rent/sell form."""
    require(ctx, "parking.view")
    home = find_home(room_code)
    owners = [{"id": oid, "name": name, "is_primary": bool(primary), "phone": mask_phone(phone)}
              for oid, name, primary, phone in (
                  HomeOwner.select(Owner.id, Owner.name, HomeOwner.is_primary, Owner.phone).join(Owner)
                  .where((HomeOwner.home == home.id) & HomeOwner.until.is_null())
                  .order_by(HomeOwner.is_primary.desc(), HomeOwner.id).tuples())]
    return {"home_id": home.id, "room_code": home.room_code, "owners": owners}


def room_code_of(home_id) -> str:
    from app.archives.homes import home_by_id
    return home_by_id(home_id).room_code      # unknown: NotFound “房屋不存在（编号 7）”
