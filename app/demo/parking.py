"""Demo rows of the parking area: car cards (车卡) for most of the sold and rented spaces the
site demo attached to homes, with plates of the site's city (ordinary and new-energy), a few
expired and one cancelled. Written in bulk (the form numbers taken from the card sequence)."""
from __future__ import annotations

import datetime as dt

CITY = "豫A"            # the demo sites are in Zhengzhou (0371)
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
BRANDS = ("大众 朗逸", "丰田 卡罗拉", "本田 雅阁", "比亚迪 秦", "吉利 帝豪", "长安 CS75", "日产 轩逸", "别克 英朗",
          "特斯拉 Model 3", "理想 L7", "宝马 3系", "奥迪 A4L")
COLOURS = ("白", "黑", "银", "灰", "蓝", "红")
MAX_CARDS = 400
NEW_ENERGY_SHARE = 0.25   # of the plates: 8-character new-energy plates
CARD_SHARE = 0.75         # of the attached spaces: with a car card
EXPIRED_SHARE = 0.06      # of the cards: not renewed, expired last month


def _plate(rng, used) -> str:
    from app.parking.plates import check_plate
    while True:
        if rng.random() < NEW_ENERGY_SHARE:  # new energy, 8 characters: 豫AD12345
            p = CITY + rng.choice("DF") + str(rng.randint(0, 9)) + f"{rng.randint(0, 9999):04d}"
        else:
            tail = [rng.choice("0123456789") for _ in range(5)]
            for i in rng.sample(range(4), rng.choice((0, 1, 1, 2))):
                tail[i] = rng.choice(LETTERS)
            p = CITY + "".join(tail)
        if p not in used:
            used.add(p)
            return check_plate(p)


def populate(ctx, rng):
    from app.core.sequences import format_number, reserve_numbers
    from app.parking.cards import CARD_SEQUENCE, card_until
    from models.parking import Vehicle
    from models.people import Owner, ParkingOwner
    from models.property import ParkingSpace
    if Vehicle.select().exists():
        return
    holders = {}
    for sid, oid, name, phone in (ParkingOwner.select(ParkingOwner.space, Owner.id, Owner.name, Owner.phone)
                                  .join(Owner).order_by(ParkingOwner.id).tuples()):
        holders.setdefault(sid, (oid, name, phone))
    attached = (ParkingSpace.select(ParkingSpace.id, ParkingSpace.home)
                .where(ParkingSpace.home.is_null(False) & (ParkingSpace.state != "空闲")).order_by(ParkingSpace.id))
    spaces = [(sid, hid) for sid, hid in attached.tuples() if sid in holders]
    picked = [s for s in spaces if rng.random() < CARD_SHARE][:MAX_CARDS]
    if not picked:
        return
    today = ctx.clock.today()
    now = ctx.clock.now()
    first = reserve_numbers(CARD_SEQUENCE, today.year, len(picked))
    prefix = ctx.settings.get("parking.card_prefix") or "CK"
    used: set[str] = set()
    rows = []
    for i, (sid, hid) in enumerate(picked):
        oid, name, phone = holders[sid]
        if rng.random() < EXPIRED_SHARE:      # a card not renewed: expired last month
            start = today - dt.timedelta(days=rng.randint(370, 420))
        else:
            start = today - dt.timedelta(days=rng.randint(0, 330))
        number = format_number(prefix, today.year, first + i)
        rows.append({"number": number, "home": hid, "owner": oid, "space": sid, "plate": _plate(rng, used),
                     "brand": rng.choice(BRANDS), "color": rng.choice(COLOURS), "driver_name": name,
                     "phone": phone or "13909180000", "card_number": number, "valid_from": start,
                     "valid_until": card_until(start, 12), "status": "有效", "identity_checked": True, "notes": "",
                     "created_at": now, "created_by": getattr(ctx.user, "id", None), "cancelled_at": None,
                     "cancel_reason": ""})
    # one car changed: the old card cancelled, a new one for the new car on the same space
    old = dict(rows[0])
    rows[0].update(status="已注销", cancelled_at=now - dt.timedelta(days=40), cancel_reason="换车")
    n = reserve_numbers(CARD_SEQUENCE, today.year, 1)
    number = format_number(prefix, today.year, n)
    old.update(number=number, card_number=number, plate=_plate(rng, used), brand=rng.choice(BRANDS),
               valid_from=today - dt.timedelta(days=40), valid_until=card_until(today - dt.timedelta(days=40), 12))
    rows.append(old)
    with ctx.db.atomic():
        for j in range(0, len(rows), 200):
            Vehicle.insert_many(rows[j:j + 200]).execute()
