"""Letting agency (租售登记, domain.md §7 and §11; seed 000 应会 8 房屋租赁操作流程).

Every home an owner offers for rent or sale through the office and every seeker goes into the
desk's ledger (租赁信息台账); with no match the seeker's needs are kept. Before the seeker meets
the owner (the viewing the area manager leads) the seeker signs the agency service-fee agreement —
a viewing is refused without it. When a letting is concluded the office reads the water and power
meters and charges the agency fee in the fee ledger: ``service_price.letting_owner_pct`` (业主价)
or ``service_price.letting_market_pct`` (市场价) per cent of one month's rent, item
``service_letting`` through ``app.ledger.billing.post_charge`` (source ``letting``), in the deal's
transaction. A sale is recorded without a fee (the settings give a rate of the monthly rent only)."""
from __future__ import annotations

import datetime as dt

from app.archives.homes import home_by_room
from app.core import validation as v
from app.core.audit import model_dict, record
from app.core.dates import fmt_date, fmt_datetime
from app.core.errors import StateError, ValidationError
from app.core.lookup import get_or_404
from app.core.money import fmt_fen, parse_yuan
from app.core.permissions import require
from app.core.privacy import mask_phone
from app.core.sequences import format_number, next_number
from app.frontdesk.common import matches, short_text
from models.db import for_update
from models.frontdesk import (
    LET_KINDS,
    LISTING_DONE,
    LISTING_OPEN,
    LISTING_WITHDRAWN,
    SEEKER_DONE,
    SEEKER_OPEN,
    LettingDeal,
    LettingListing,
    LettingSeeker,
    LettingViewing,
)
from models.property import Home

RATES = {"业主价": "service_price.letting_owner_pct", "市场价": "service_price.letting_market_pct"}
READING_MAX = 20
PCT = 100


def _money(value, field: str, required: bool = True) -> int:
    s = str(value if value is not None else "").strip()
    if not s:
        if required:
            raise ValidationError(field, "不能为空")
        return 0
    fen = parse_yuan(s, field)
    if required and fen <= 0:
        raise ValidationError(field, "应大于零")
    return fen


def _date(value, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return v.parse_date(value, field)


def _number(prefix: str, counter: str, now: dt.datetime) -> str:
    return format_number(prefix, now.year, next_number(counter, now.year))


# writes ------------------------------------------------------------------------------------------
def add_listing(ctx, data: dict) -> LettingListing:
    """A home offered. ``data``: room_code, kind (出租/出售), price (元: monthly rent or asking price),
    available_from, owner_name, terms."""
    require(ctx, "letting.edit")
    home = home_by_room(data.get("room_code"))
    kind = v.check_choice(data.get("kind") or "出租", LET_KINDS, "租售")
    price = _money(data.get("price"), "月租金" if kind == "出租" else "售价")
    since = _date(data.get("available_from") or ctx.clock.today(), "起租日期")
    owner = short_text(data.get("owner_name"), "业主姓名", required=True)
    offered = LettingListing.select().where((LettingListing.home == home.id) & (LettingListing.status == LISTING_OPEN))
    if offered.exists():
        raise ValidationError("房号", f"{home.room_code}已有在租售的房源登记")
    now = ctx.clock.now()
    with ctx.db.atomic():
        item = LettingListing.create(number=_number("ZL", "letting", now), home=home.id, kind=kind, price_fen=price,
                                     available_from=since, owner_name=owner,
                                     terms=str(data.get("terms") or "").strip()[:500], listed_at=now,
                                     listed_by=getattr(ctx.user, "id", None))
        record(ctx, "letting.list", "letting_listing", item.id, None, model_dict(item))
    return item


def withdraw_listing(ctx, listing_id, reason: str) -> LettingListing:
    """The owner takes the home off the list (let privately, changed their mind)."""
    require(ctx, "letting.edit")
    why = short_text(reason, "撤回原因", limit=60, required=True)
    with ctx.db.atomic():
        item = for_update(LettingListing.select().where(LettingListing.id == _listing(listing_id).id)).get()
        if item.status != LISTING_OPEN:
            raise StateError(f"房源{item.number}的状态是“{item.status}”，不能撤回")
        before = model_dict(item)
        item.status, item.closed_at = LISTING_WITHDRAWN, ctx.clock.now()
        item.terms = (item.terms + "\n" if item.terms else "") + f"撤回：{why}"
        item.save()
        record(ctx, "letting.withdraw", "letting_listing", item.id, before, model_dict(item))
    return item


def add_seeker(ctx, data: dict) -> LettingSeeker:
    """A seeker registered. ``data``: name, phone, kind (出租: wants to rent / 出售: wants to buy),
    needs, budget (元, optional)."""
    require(ctx, "letting.edit")
    name = short_text(data.get("name"), "求租人", required=True)
    phone = v.check_phone(data.get("phone"), "联系电话", required=True)
    kind = v.check_choice(data.get("kind") or "出租", LET_KINDS, "租售")
    budget = _money(data.get("budget"), "预算", required=False)
    now = ctx.clock.now()
    with ctx.db.atomic():
        s = LettingSeeker.create(number=_number("QZ", "letting_seeker", now), name=name, phone=phone, kind=kind,
                                 needs=str(data.get("needs") or "").strip()[:500], budget_fen=budget, created_at=now,
                                 created_by=getattr(ctx.user, "id", None))
        record(ctx, "letting.seek", "letting_seeker", s.id, None, model_dict(s))
    return s


def book_viewing(ctx, listing_id, seeker_id, data: dict) -> LettingViewing:
    """A viewing: the seeker has signed the agency fee agreement (``agreement_signed``) before
    meeting the owner. ``data``: at (datetime or "YYYY-MM-DD HH:MM"), guide, agreement_signed."""
    require(ctx, "letting.edit")
    item, seeker = _listing(listing_id), _seeker(seeker_id)
    if not data.get("agreement_signed"):
        raise ValidationError("服务费协议", "与业主见面（看房）前，求租人须先签订中介服务费协议")
    at = data.get("at") or ctx.clock.now()
    if isinstance(at, str):
        from app.desk.keys import parse_datetime
        at = parse_datetime(at, "看房时间")
    if item.status != LISTING_OPEN:
        raise StateError(f"房源{item.number}的状态是“{item.status}”，不能预约看房")
    if seeker.status != SEEKER_OPEN:
        raise StateError(f"{seeker.name}的登记状态是“{seeker.status}”，不能预约看房")
    with ctx.db.atomic():
        vw = LettingViewing.create(listing=item.id, seeker=seeker.id, at=at,
                                   guide=short_text(data.get("guide"), "带看人"),
                                   agreement_signed_at=ctx.clock.now(), created_by=getattr(ctx.user, "id", None))
        record(ctx, "letting.viewing", "letting_viewing", vw.id, None, model_dict(vw))
    return vw


def fee_for(ctx, rent_fen: int, rate: str) -> tuple[int, int]:
    """(per cent, fee in fen) of the agency fee at 业主价 or 市场价, rounded to the fen (half up)."""
    if rate not in RATES:
        raise ValidationError("收费标准", f"应为{'或'.join(RATES)}")
    pct = int(ctx.settings.get(RATES[rate]))
    return pct, (rent_fen * pct + PCT // 2) // PCT


def conclude(ctx, listing_id, seeker_id, data: dict) -> LettingDeal:
    """The letting concluded, in ONE transaction: the deal with the meter readings, the listing and
    the seeker closed, and for a letting the agency fee charged to the home in the ledger.
    ``data``: price (元, default the listed one), start_date, rate (业主价/市场价), water, power."""
    require(ctx, "letting.edit")
    item, seeker = _listing(listing_id), _seeker(seeker_id)
    price = _money(data.get("price"), "成交租金") if str(data.get("price") or "").strip() else item.price_fen
    start = _date(data.get("start_date") or ctx.clock.today(), "起租日期")
    water = short_text(data.get("water"), "水表读数", limit=READING_MAX)
    power = short_text(data.get("power"), "电表读数", limit=READING_MAX)
    if item.kind == "出租" and not (water and power):
        raise ValidationError("水表读数" if not water else "电表读数", "交房时须抄录水电表底数")
    if not LettingViewing.select().where((LettingViewing.listing == item.id)
                                         & (LettingViewing.seeker == seeker.id)).exists():
        raise StateError(f"{seeker.name}尚未预约看房并签订中介服务费协议，不能成交")
    rate = str(data.get("rate") or "业主价")
    pct, fee = fee_for(ctx, price, rate) if item.kind == "出租" else (0, 0)
    now = ctx.clock.now()
    with ctx.db.atomic():
        item = for_update(LettingListing.select().where(LettingListing.id == item.id)).get()
        if item.status != LISTING_OPEN:
            raise StateError(f"房源{item.number}的状态是“{item.status}”，不能再成交")
        before = model_dict(item)
        deal = LettingDeal.create(listing=item.id, seeker=seeker.id, price_fen=price, start_date=start,
                                  fee_rate=rate if fee else "", fee_pct=pct, fee_fen=fee, water_reading=water,
                                  power_reading=power, concluded_at=now, concluded_by=getattr(ctx.user, "id", None))
        if fee:
            from app.ledger import billing
            charge = billing.post_charge(ctx, item.home_id, "service_letting", fee, quantity=1,
                                         memo=f"房屋租赁代理费（{item.number}，月租金{fmt_fen(price)}元×{pct}%）",
                                         source="letting", source_id=deal.id)
            deal.charge_id = charge.id
            deal.save()
        item.status, item.closed_at = LISTING_DONE, now
        item.save()
        LettingSeeker.update(status=SEEKER_DONE).where(LettingSeeker.id == seeker.id).execute()
        record(ctx, "letting.deal", "letting_listing", item.id, before,
               {**model_dict(item), "deal": deal.id, "seeker": seeker.number, "price_fen": price, "fee_fen": fee,
                "water": water, "power": power})
    return deal


# reads -------------------------------------------------------------------------------------------
def _listing(listing_id) -> LettingListing:
    return get_or_404(LettingListing, listing_id, "租售房源")


def _seeker(seeker_id) -> LettingSeeker:
    return get_or_404(LettingSeeker, seeker_id, "求租登记")


def listing_row(x: LettingListing) -> dict:
    unit = "元/月" if x.kind == "出租" else "元"
    return {"id": x.id, "number": x.number, "room_code": x.home.room_code, "home_id": x.home_id, "kind": x.kind,
            "price": f"{fmt_fen(x.price_fen)} {unit}", "price_fen": x.price_fen,
            "available_from": fmt_date(x.available_from), "owner_name": x.owner_name, "terms": x.terms,
            "status": x.status, "listed_at": fmt_datetime(x.listed_at)}


def seeker_row(s: LettingSeeker) -> dict:
    return {"id": s.id, "number": s.number, "name": s.name, "phone": mask_phone(s.phone), "kind": s.kind,
            "wants": "求租" if s.kind == "出租" else "求购", "needs": s.needs,
            "budget": fmt_fen(s.budget_fen) if s.budget_fen else "", "budget_fen": s.budget_fen,
            "status": s.status, "created_at": fmt_datetime(s.created_at)}


def on_offer(ctx, search: str = "") -> list[dict]:
    """What is on offer now (在租售), oldest first."""
    require(ctx, "frontdesk.view")
    q = (LettingListing.select(LettingListing, Home.id, Home.room_code).join(Home)
         .where(LettingListing.status == LISTING_OPEN).order_by(LettingListing.listed_at, LettingListing.id))
    rows = [listing_row(x) for x in q]
    return [r for r in rows if matches(search, r["number"], r["room_code"], r["kind"], r["owner_name"], r["terms"])]


def all_listings(ctx, search: str = "", days: int = 365) -> list[dict]:
    require(ctx, "frontdesk.view")
    since = dt.datetime.combine(ctx.clock.today() - dt.timedelta(days=days), dt.time())
    q = (LettingListing.select(LettingListing, Home.id, Home.room_code).join(Home)
         .where(LettingListing.listed_at >= since).order_by(LettingListing.listed_at.desc(), LettingListing.id.desc()))
    rows = [listing_row(x) for x in q]
    return [r for r in rows if matches(search, r["number"], r["room_code"], r["kind"], r["owner_name"], r["status"])]


def seekers(ctx, search: str = "", open_only: bool = True) -> list[dict]:
    require(ctx, "frontdesk.view")
    q = LettingSeeker.select().order_by(LettingSeeker.created_at.desc(), LettingSeeker.id.desc())
    if open_only:
        q = q.where(LettingSeeker.status == SEEKER_OPEN)
    rows = [seeker_row(s) for s in q]
    return [r for r in rows if matches(search, r["number"], r["name"], r["needs"], r["kind"])]


def matches_for(ctx, seeker_id) -> list[dict]:
    """Listings on offer that fit a seeker: the same kind, within the budget (none said: all)."""
    s = _seeker(seeker_id)
    return [r for r in on_offer(ctx) if r["kind"] == s.kind and (not s.budget_fen or r["price_fen"] <= s.budget_fen)]


def deals(ctx, days: int = 365) -> list[dict]:
    require(ctx, "frontdesk.view")
    since = dt.datetime.combine(ctx.clock.today() - dt.timedelta(days=days), dt.time())
    out = []
    for d in (LettingDeal.select().where(LettingDeal.concluded_at >= since)
              .order_by(LettingDeal.concluded_at.desc(), LettingDeal.id.desc())):
        item = d.listing
        out.append({"id": d.id, "number": item.number, "room_code": item.home.room_code, "kind": item.kind,
                    "seeker": d.seeker.name, "price": fmt_fen(d.price_fen), "start_date": fmt_date(d.start_date),
                    "fee": fmt_fen(d.fee_fen) if d.fee_fen else "", "fee_rate": f"{d.fee_rate} {d.fee_pct}%"
                    if d.fee_fen else "", "water": d.water_reading, "power": d.power_reading,
                    "concluded_at": fmt_datetime(d.concluded_at), "charge_id": d.charge_id})
    return out


EXPORT_COLUMNS = ("编号", "房号", "租售", "租金/售价", "可入住", "业主", "业主条件", "状态", "登记时间")


def export_listings(ctx, rows: list[dict], path) -> int:
    from app.frontdesk.common import export_rows
    cells = [[r["number"], r["room_code"], r["kind"], r["price"], r["available_from"], r["owner_name"], r["terms"],
              r["status"], r["listed_at"]] for r in rows]
    return export_rows(ctx, path, "租售房源", EXPORT_COLUMNS, cells, "letting_listing")
