"""Vehicles and car cards (车辆、车卡, seed 000 车卡办理): the clerk checks the owner's identity
and fills the car-card registration form; the card only proves the space is rented (or owned),
it is not custody of the car; the cashier takes the fee. A card needs a sold or rented space of
the car's home. Registering, renewing, cancelling, the list, and the printed form."""
from __future__ import annotations

import calendar
import datetime as dt

from peewee import JOIN

from app.core import validation as v
from app.core.audit import model_dict, record
from app.core.dates import add_months, fmt_date, fmt_datetime
from app.core.errors import StateError, ValidationError
from app.core.lookup import get_or_404
from app.core.money import fmt_fen
from app.core.permissions import require
from app.core.privacy import mask_phone
from app.parking.plates import check_plate
from app.parking.spaces import FREE, current_owner_ids, get_space, holders_of, monthly_fee
from app.printing.car_card import CarCardForm, render_car_card
from models.parking import Vehicle
from models.people import Owner, ParkingOwner
from models.property import Home, ParkingSpace

CARD_SEQUENCE = "car_card"
VALID = "有效"
CANCELLED = "已注销"
MONTHS_MAX = 60
DRIVER_MAX = 40
CARD_NUMBER_MAX = 30
VALIDITY_MAX_DAYS = 366 * 5


def _vehicle(vehicle_id) -> Vehicle:
    return get_or_404(Vehicle, vehicle_id, message=f"车卡登记不存在（编号 {vehicle_id}）")


def _months(value, field: str = "有效月数") -> int:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(field, f"“{value}”不是整数") from None
    if not 1 <= n <= MONTHS_MAX:
        raise ValidationError(field, f"应在1到{MONTHS_MAX}之间")
    return n


def card_until(valid_from: dt.date, months: int) -> dt.date:
    """Valid for whole months: from the start date to the end of the month ``months - 1`` later."""
    last = add_months(valid_from.replace(day=1), months - 1)
    return last.replace(day=calendar.monthrange(last.year, last.month)[1])


# ---------------------------------------------------------------------------------------------
# registering
def _card_owner(s: ParkingSpace, data: dict) -> Owner | None:
    """The owner the card is for: given, else the space's first holder; must hold the space or own its home."""
    holders = holders_of([s.id]).get(s.id, [])
    owner_id = data.get("owner_id") or (holders[0]["owner_id"] if holders else None)
    if owner_id is None:
        return None
    owner = Owner.get_or_none(Owner.id == owner_id)
    if owner is None:
        raise ValidationError("业主", f"业主不存在（编号 {owner_id}）")
    if owner.id not in [h["owner_id"] for h in holders] and owner.id not in current_owner_ids(s.home_id):
        raise ValidationError("业主", f"{owner.name} 不是车位 {s.code} 的产权人或承租人")
    return owner


def _driver(data: dict, owner: Owner | None) -> tuple[str, str]:
    """The driver's name and phone (default the owner's)."""
    driver = str(data.get("driver_name") or (owner.name if owner else "")).strip()
    if not driver:
        raise ValidationError("车主姓名", "不能为空")
    if len(driver) > DRIVER_MAX:
        raise ValidationError("车主姓名", f"不能超过{DRIVER_MAX}个字")
    phone = data.get("phone") if data.get("phone") not in (None, "") else (owner.phone if owner else "")
    return driver, v.check_phone(phone, "联系电话", required=True)


def _check_room_for(ctx, s: ParkingSpace, plate: str) -> None:
    """One valid card per plate; at most parking.cards_per_space valid cards per space."""
    other = Vehicle.get_or_none((Vehicle.plate == plate) & (Vehicle.status == VALID))
    if other is not None:
        raise ValidationError("车牌号", f"{plate} 已有有效车卡 {other.card_number}（车位 "
                                        f"{other.space.code if other.space_id else '—'}），请先注销")
    limit = int(ctx.settings.get("parking.cards_per_space"))
    used = Vehicle.select().where((Vehicle.space == s.id) & (Vehicle.status == VALID)).count()
    if used >= limit:
        raise StateError(f"车位 {s.code} 已有 {used} 张有效车卡（每个车位最多 {limit} 张）")


def _validity(ctx, data: dict) -> tuple[dt.date, dt.date]:
    valid_from = v.parse_date(data.get("valid_from") or ctx.clock.today(), "有效期起")
    if data.get("valid_until"):
        valid_until = v.parse_date(data["valid_until"], "有效期至")
    else:
        valid_until = card_until(valid_from, _months(data.get("months") or ctx.settings.get("parking.card_months")))
    if valid_until < valid_from:
        raise ValidationError("有效期至", "不能早于有效期起")
    if (valid_until - valid_from).days > VALIDITY_MAX_DAYS:
        raise ValidationError("有效期至", "有效期不能超过5年")
    return valid_from, valid_until


def _card_number(data: dict) -> str:
    card_number = v.normalize(data.get("card_number") or "").replace(" ", "").upper()
    if len(card_number) > CARD_NUMBER_MAX:
        raise ValidationError("车卡号", f"不能超过{CARD_NUMBER_MAX}个字符")
    if card_number and Vehicle.select().where(Vehicle.card_number == card_number).exists():
        raise ValidationError("车卡号", f"“{card_number}”已使用")
    return card_number


def register_card(ctx, data: dict) -> Vehicle:
    """车卡办理. ``data``: space_id, plate, identity_checked (the clerk saw the owner's identity
    card: required), owner_id (default the space's first holder; must hold the space or own its
    home), driver_name (default the owner), phone (default the owner's), brand, color,
    card_number (default the form number), valid_from (default today), months (default
    parking.card_months) or valid_until, notes."""
    require(ctx, "parking.card")
    s = get_space(data.get("space_id"))
    if s.state == FREE or s.home_id is None:
        raise StateError(f"车位 {s.code} 空闲，须先售出或出租才能办理车卡")
    if not data.get("identity_checked"):
        raise ValidationError("身份核验", "请先核验业主身份证原件")
    plate = check_plate(data.get("plate"))
    owner = _card_owner(s, data)
    driver, phone = _driver(data, owner)
    _check_room_for(ctx, s, plate)
    valid_from, valid_until = _validity(ctx, data)
    card_number = _card_number(data)
    fields = {"brand": str(data.get("brand") or "").strip()[:40], "color": str(data.get("color") or "").strip()[:20],
              "notes": str(data.get("notes") or "").strip()}
    from app.core.sequences import format_number, next_number
    year = ctx.clock.today().year
    with ctx.db.atomic():
        number = format_number(ctx.settings.get("parking.card_prefix") or "CK", year, next_number(CARD_SEQUENCE, year))
        if not card_number and Vehicle.select().where(Vehicle.card_number == number).exists():
            raise ValidationError("车卡号", f"“{number}”已使用，请填写车卡号")
        x = Vehicle.create(number=number, home=s.home_id, owner=owner.id if owner else None, space=s.id, plate=plate,
                           driver_name=driver, phone=phone, card_number=card_number or number,
                           valid_from=valid_from, valid_until=valid_until, status=VALID, identity_checked=True,
                           created_at=ctx.clock.now(), created_by=getattr(ctx.user, "id", None), **fields)
        after = model_dict(x)
        after["phone"] = mask_phone(phone)
        record(ctx, "parking.card", "vehicle", x.id, None, after)
    return x


def renew_card(ctx, vehicle_id, months=None) -> Vehicle:
    """Extend a valid card by whole months from the later of its end and today."""
    require(ctx, "parking.card")
    x = _vehicle(vehicle_id)
    if x.status != VALID:
        raise StateError(f"车卡 {x.card_number} 已注销，不能续期")
    s = x.space
    if s is None or s.state == FREE or s.home_id != x.home_id:
        raise StateError(f"车卡 {x.card_number} 的车位已收回，不能续期")
    months = _months(months or ctx.settings.get("parking.card_months"))
    today = ctx.clock.today()
    start = max(x.valid_until + dt.timedelta(days=1), today)
    before = {"valid_until": x.valid_until}
    with ctx.db.atomic():
        x.valid_until = card_until(start, months)
        x.save()
        record(ctx, "parking.card_renew", "vehicle", x.id, before, {"valid_until": x.valid_until, "months": months})
    return x


def cancel_card(ctx, vehicle_id, reason) -> Vehicle:
    require(ctx, "parking.card")
    x = _vehicle(vehicle_id)
    reason = v.check_required(reason, "注销原因")
    if x.status != VALID:
        raise StateError(f"车卡 {x.card_number} 已注销")
    with ctx.db.atomic():
        x.status, x.cancelled_at, x.cancel_reason = CANCELLED, ctx.clock.now(), reason
        x.save()
        record(ctx, "parking.card_cancel", "vehicle", x.id, {"status": VALID}, {"status": CANCELLED, "reason": reason})
    return x


# ---------------------------------------------------------------------------------------------
# the list
def _vehicle_row(x, room, space_code, today) -> dict:
    expired = x.status == VALID and x.valid_until < today
    return {"id": x.id, "number": x.number, "home_id": x.home_id, "room_code": room, "space_id": x.space_id,
            "space_code": space_code or "", "plate": x.plate, "brand": x.brand, "color": x.color,
            "driver_name": x.driver_name, "phone": mask_phone(x.phone), "card_number": x.card_number,
            "valid_from": x.valid_from, "valid_until": x.valid_until,
            "status": "已过期" if expired else x.status, "expired": expired,
            "valid": x.status == VALID and not expired, "cancel_reason": x.cancel_reason, "notes": x.notes}


def vehicle_rows(ctx, home_id=None, text: str = "", include_cancelled: bool = False) -> list[dict]:
    """Registered vehicles and their cards (phones masked); newest first."""
    require(ctx, "parking.view")
    q = (Vehicle.select(Vehicle, Home.room_code, ParkingSpace.code.alias("space_code"))
         .join(Home, on=(Vehicle.home == Home.id)).switch(Vehicle)
         .join(ParkingSpace, join_type=JOIN.LEFT_OUTER, on=(Vehicle.space == ParkingSpace.id)))
    if home_id is not None:
        q = q.where(Vehicle.home == home_id)
    if not include_cancelled:
        q = q.where(Vehicle.status == VALID)
    today = ctx.clock.today()
    rows = [_vehicle_row(x, x.room_code, x.space_code, today) for x in q.order_by(Vehicle.id.desc()).objects()]
    t = v.normalize(text).upper().replace(" ", "")
    if t:
        rows = [r for r in rows if t in r["plate"] or t in r["room_code"].upper() or t in r["card_number"]
                or t in r["driver_name"] or t in r["space_code"].upper()]
    return rows


# ---------------------------------------------------------------------------------------------
# the printed form
def car_card_data(ctx, vehicle_id: int) -> CarCardForm:
    """What the car-card registration form prints (identity number and phone masked)."""
    require(ctx, "parking.view")
    x = _vehicle(vehicle_id)
    owner = x.owner if x.owner_id else None
    space = x.space if x.space_id else None
    kind = ""
    if space is not None:
        po = ParkingOwner.get_or_none(ParkingOwner.space == space.id)
        kind = po.kind if po else {"已售": "产权", "已租": "租用"}.get(space.state, "")
    id_text = f"{owner.id_type} {owner.id_masked}" if owner is not None and owner.id_masked else ""
    expired = x.status == VALID and x.valid_until < ctx.clock.today()
    return CarCardForm(
        number=x.number, card_number=x.card_number, room_code=x.home.room_code,
        owner_name=owner.name if owner is not None else "", id_text=id_text, driver_name=x.driver_name,
        phone=mask_phone(x.phone), plate=x.plate, brand=x.brand, color=x.color,
        space_code=space.code if space is not None else "—", level=space.level if space is not None else "",
        kind=kind or "—", monthly_fee=fmt_fen(monthly_fee(ctx, space.level)) if space is not None else "—",
        valid_from=fmt_date(x.valid_from), valid_until=fmt_date(x.valid_until),
        identity_checked=x.identity_checked, issued_by=x.created_by.display_name if x.created_by_id else "",
        issued_at=fmt_datetime(x.created_at), status="已过期" if expired else x.status, notes=x.notes)


def car_card_pdf(ctx, vehicle_id: int) -> bytes:
    """车卡办理登记表 of a card, as PDF bytes."""
    return render_car_card(ctx.settings, car_card_data(ctx, vehicle_id))
