"""Visitor register (来访人员登记, domain.md §11; seed 000 item 23).

A visitor gives a name and an identity document (stored encrypted, listed masked like every
identity number: ``app.archives.owners.identity_fields``), whom or which home they visit, the
reason, companions and the car's plate; the desk notes the time in and the time out. A visitor
is inside while no time out is recorded."""
from __future__ import annotations

import datetime as dt

from peewee import JOIN

from app.archives.homes import home_by_room
from app.archives.owners import identity_fields
from app.core import validation as v
from app.core.audit import model_dict, record
from app.core.dates import fmt_datetime
from app.core.errors import StateError, ValidationError
from app.core.lookup import get_or_404
from app.core.permissions import require
from app.core.privacy import mask_phone
from app.frontdesk.common import age_text, day_bounds, export_rows, matches, plate_text, short_text
from models.db import for_update
from models.frontdesk import Visitor
from models.property import Home

ID_TYPES = ("身份证", "驾驶证", "护照", "港澳通行证", "台胞证", "军官证", "工作证")
REASONS = ["探亲访友", "送货", "装修", "维修", "中介看房", "家政", "外卖", "公务", "其他"]
MAX_COMPANIONS = 50
EXPORT_COLUMNS = ("姓名", "证件", "电话", "来访房号", "被访人", "事由", "同行人数", "车牌", "来访时间", "离开时间",
                  "停留")


def _visitor(visitor_id) -> Visitor:
    return get_or_404(Visitor, visitor_id, "来访登记")


def register_visit(ctx, data: dict) -> Visitor:
    """A visitor comes in. ``data``: name, id_type, id_number, phone, room_code (optional when a
    host is named), host, reason, companions, plate, notes."""
    require(ctx, "visitors.register")
    name = short_text(data.get("name"), "访客姓名", required=True)
    room = str(data.get("room_code") or "").strip()
    home = home_by_room(room, "来访房号") if room else None
    host = short_text(data.get("host"), "被访人")
    if home is None and not host:
        raise ValidationError("来访房号", "请填写来访房号或被访人")
    reason = short_text(data.get("reason"), "来访事由", limit=60, required=True)
    id_number = str(data.get("id_number") or "").strip()
    id_type = str(data.get("id_type") or "身份证").strip()
    fields = {"id_type": "", "id_enc": "", "id_hash": "", "id_masked": ""}
    if id_number:
        v.check_choice(id_type, ID_TYPES, "证件类型")
        f = identity_fields(ctx, id_number, "证件号码", id_type)
        fields = {"id_type": id_type, "id_enc": f["id_enc"], "id_hash": f["id_hash"], "id_masked": f["id_masked"]}
    try:
        companions = int(str(data.get("companions") or 0).strip())
    except ValueError:
        raise ValidationError("同行人数", f"“{data.get('companions')}”不是整数") from None
    if not 0 <= companions <= MAX_COMPANIONS:
        raise ValidationError("同行人数", f"应在0到{MAX_COMPANIONS}之间")
    phone = v.check_phone(data.get("phone"), "联系电话")
    with ctx.db.atomic():
        visit = Visitor.create(name=name, phone=phone, home=home, host=host, reason=reason, companions=companions,
                               plate=plate_text(data.get("plate")), entered_at=ctx.clock.now(),
                               registered_by=getattr(ctx.user, "id", None),
                               notes=str(data.get("notes") or "").strip(), **fields)
        record(ctx, "visitors.enter", "visitor", visit.id, None, model_dict(visit))
    return visit


def sign_out(ctx, visitor_id) -> Visitor:
    """The visitor leaves: the time out is noted (once)."""
    require(ctx, "visitors.register")
    with ctx.db.atomic():
        visit = for_update(Visitor.select().where(Visitor.id == _visitor(visitor_id).id)).get()
        if visit.left_at is not None:
            raise StateError(f"访客{visit.name}已于{fmt_datetime(visit.left_at)}离开")
        before = model_dict(visit)
        visit.left_at = ctx.clock.now()
        visit.save()
        record(ctx, "visitors.leave", "visitor", visit.id, before, model_dict(visit))
    return visit


def visitor_row(vs: Visitor, now: dt.datetime) -> dict:
    stay = (vs.left_at or now) - vs.entered_at
    return {"id": vs.id, "name": vs.name, "id_text": f"{vs.id_type} {vs.id_masked}".strip(),
            "phone": mask_phone(vs.phone), "room_code": vs.home.room_code if vs.home_id else "", "host": vs.host,
            "reason": vs.reason, "companions": vs.companions, "plate": vs.plate,
            "entered_at": fmt_datetime(vs.entered_at), "left_at": fmt_datetime(vs.left_at),
            "inside": vs.left_at is None, "stay": age_text(stay), "notes": vs.notes}


def _query():
    return (Visitor.select(Visitor, Home.id, Home.room_code)
            .join(Home, on=(Visitor.home == Home.id), join_type=JOIN.LEFT_OUTER))


def _rows(ctx, q, search: str = "") -> list[dict]:
    now = ctx.clock.now()
    rows = [visitor_row(vs, now) for vs in q]
    return [r for r in rows if matches(search, r["name"], r["room_code"], r["host"], r["reason"], r["plate"])]


def inside(ctx, search: str = "") -> list[dict]:
    """Who is still inside, earliest in first."""
    require(ctx, "frontdesk.view")
    q = _query().where(Visitor.left_at.is_null()).order_by(Visitor.entered_at, Visitor.id)
    return _rows(ctx, q, search)


def day_visitors(ctx, day: dt.date | None = None, search: str = "") -> list[dict]:
    """The day's register: visitors who came that day, and those still inside from before."""
    require(ctx, "frontdesk.view")
    start, end = day_bounds(day or ctx.clock.today())
    q = _query().where(((Visitor.entered_at >= start) & (Visitor.entered_at < end))
                       | ((Visitor.entered_at < start) & (Visitor.left_at.is_null() | (Visitor.left_at >= start))))
    return _rows(ctx, q.order_by(Visitor.entered_at, Visitor.id), search)


def search_visitors(ctx, text: str, days: int = 90) -> list[dict]:
    """Visits of the last *days* days matching the words (name, room, host, reason, plate), newest first."""
    require(ctx, "frontdesk.view")
    since = dt.datetime.combine(ctx.clock.today() - dt.timedelta(days=days), dt.time())
    q = _query().where(Visitor.entered_at >= since).order_by(Visitor.entered_at.desc(), Visitor.id.desc())
    return _rows(ctx, q, text)


def get_visitor(visitor_id) -> Visitor:
    return _visitor(visitor_id)


def export_visitors(ctx, rows: list[dict], path) -> int:
    cells = [[r["name"], r["id_text"], r["phone"], r["room_code"], r["host"], r["reason"], r["companions"], r["plate"],
              r["entered_at"], r["left_at"], r["stay"]] for r in rows]
    return export_rows(ctx, path, "来访登记", EXPORT_COLUMNS, cells, "visitor")
