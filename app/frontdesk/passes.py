"""Goods-out passes (物品放行条 and its stub 存根, domain.md §11; seed 002 篇7/8).

Goods leave a home only with the owner's consent — the owner at the desk, or a phone call to the
owner that the clerk logs (number and time). The pass lists the items and quantities, who carries
them and the car's plate, and is valid until a date; it is numbered from a counter row, printed
with its stub (the stub stays at the desk), and at the gate the guard checks the goods against it
and keeps it: the pass is then used and cannot pass goods again."""
from __future__ import annotations

import datetime as dt
import re

from app.archives.homes import home_by_room
from app.core import validation as v
from app.core.audit import model_dict, record
from app.core.dates import fmt_date, fmt_datetime
from app.core.errors import StateError, ValidationError
from app.core.lookup import get_or_404
from app.core.permissions import require
from app.core.privacy import mask_phone
from app.core.sequences import format_number, next_number
from app.frontdesk.common import clerk_name, day_bounds, export_rows, matches, plate_text, short_text
from models.db import for_update
from models.frontdesk import CONSENT_WAYS, PASS_CANCELLED, PASS_ISSUED, PASS_USED, GoodsPass
from models.property import Home

MAX_ITEMS = 20
MAX_QUANTITY = 999
MAX_VALID_DAYS = 7
EXPORT_COLUMNS = ("编号", "房号", "业主同意", "同意人", "物品", "搬运人", "车牌", "有效期至", "状态", "开具时间",
                  "开具人", "放行时间", "门岗查验人")
_ITEM_LINE = re.compile(r"^(.+?)\s*[×xX*＊]\s*(\d+)\s*(\S*)$")


def parse_items(value) -> list[tuple[str, int, str]]:
    """Items as (name, quantity, unit): a list of tuples, or text with one 'name×quantity[unit]' per line
    (a line without a quantity is one piece)."""
    if isinstance(value, (list, tuple)):
        lines = list(value)
    else:
        lines = [ln for ln in str(value or "").splitlines() if ln.strip()]
    out = []
    for i, line in enumerate(lines, start=1):
        if isinstance(line, (list, tuple)):
            name, qty, *unit = line
            unit = unit[0] if unit else "件"
        else:
            text = v.normalize(line)
            m = _ITEM_LINE.match(text)
            name, qty, unit = (m.group(1), m.group(2), m.group(3) or "件") if m else (text, 1, "件")
        name = str(name).strip()
        if not name:
            raise ValidationError("物品", f"第{i}项没有物品名称")
        try:
            qty = int(qty)
        except (TypeError, ValueError):
            raise ValidationError("物品", f"第{i}项“{name}”的数量不是整数") from None
        if not 1 <= qty <= MAX_QUANTITY:
            raise ValidationError("物品", f"第{i}项“{name}”的数量应在1到{MAX_QUANTITY}之间")
        out.append((name[:30], qty, str(unit or "件")[:4]))
    if not out:
        raise ValidationError("物品", "请至少填写一项物品及数量")
    if len(out) > MAX_ITEMS:
        raise ValidationError("物品", f"一张放行条最多{MAX_ITEMS}项")
    return out


def items_text(items) -> str:
    return "\n".join(f"{n}×{q}{u}" for n, q, u in items)


def issue_pass(ctx, data: dict) -> GoodsPass:
    """Issue a numbered pass. ``data``: room_code, consent (业主本人到场 / 电话确认), consent_by (the
    owner), consent_phone (required for a phone call: the number called), items (see parse_items),
    carrier, plate, valid_date (default today; at most MAX_VALID_DAYS ahead), notes."""
    require(ctx, "passes.issue")
    home = home_by_room(data.get("room_code"))
    consent = v.check_choice(data.get("consent"), CONSENT_WAYS, "业主同意方式")
    consent_by = short_text(data.get("consent_by"), "同意人（业主）", required=True)
    phone = v.check_phone(data.get("consent_phone"), "业主电话", required=consent == "电话确认")
    items = parse_items(data.get("items"))
    carrier = short_text(data.get("carrier"), "搬运人", required=True)
    plate = plate_text(data.get("plate"))
    today = ctx.clock.today()
    valid = v.parse_date(data.get("valid_date") or today, "有效日期")
    if valid < today:
        raise ValidationError("有效日期", "不能早于今天")
    if valid > today + dt.timedelta(days=MAX_VALID_DAYS):
        raise ValidationError("有效日期", f"最多{MAX_VALID_DAYS}天内有效")
    now = ctx.clock.now()
    with ctx.db.atomic():
        number = format_number("FX", now.year, next_number("goods_pass", now.year))
        gp = GoodsPass.create(number=number, home=home, consent=consent, consent_by=consent_by, consent_phone=phone,
                              consent_at=now, items=items_text(items), carrier=carrier, plate=plate,
                              valid_date=valid, issued_at=now, issued_by=getattr(ctx.user, "id", None),
                              notes=str(data.get("notes") or "").strip())
        record(ctx, "passes.issue", "goods_pass", gp.id, None, model_dict(gp))
    return gp


def _locked(pass_id) -> GoodsPass:
    return for_update(GoodsPass.select().where(GoodsPass.id == get_pass(pass_id).id)).get()


def find_by_number(number: str) -> GoodsPass:
    n = v.normalize(number or "").upper()
    return get_or_404(GoodsPass, GoodsPass.number == n, message=f"放行条 {n} 不存在，请核对编号")


def use_pass(ctx, pass_id, checked_by: str = "") -> GoodsPass:
    """At the gate: the goods checked against the pass, the pass collected and marked used.
    Refused when already used, cancelled or out of date."""
    require(ctx, "passes.gate")
    guard = short_text(clerk_name(ctx, checked_by), "门岗查验人", required=True)
    with ctx.db.atomic():
        gp = _locked(pass_id)
        if gp.status == PASS_USED:
            raise StateError(f"放行条 {gp.number} 已于{fmt_datetime(gp.used_at)}放行，不能重复使用")
        if gp.status == PASS_CANCELLED:
            raise StateError(f"放行条 {gp.number} 已作废，不能放行")
        if gp.valid_date < ctx.clock.today():
            raise StateError(f"放行条 {gp.number} 已过期（有效期至{fmt_date(gp.valid_date)}），请重新开具")
        before = model_dict(gp)
        gp.status, gp.used_at, gp.checked_by = PASS_USED, ctx.clock.now(), guard
        gp.save()
        record(ctx, "passes.use", "goods_pass", gp.id, before, model_dict(gp))
    return gp


def cancel_pass(ctx, pass_id, reason: str) -> GoodsPass:
    """Cancel a pass not used (the owner changed plans, written wrong)."""
    require(ctx, "passes.issue")
    reason = v.check_required(reason, "作废原因")
    with ctx.db.atomic():
        gp = _locked(pass_id)
        if gp.status != PASS_ISSUED:
            raise StateError(f"放行条 {gp.number} 的状态是“{gp.status}”，不能作废")
        before = model_dict(gp)
        gp.status = PASS_CANCELLED
        gp.notes = (gp.notes + "\n" if gp.notes else "") + f"作废：{reason}"
        gp.save()
        record(ctx, "passes.cancel", "goods_pass", gp.id, before, model_dict(gp))
    return gp


def pass_row(gp: GoodsPass, today: dt.date) -> dict:
    expired = gp.status == PASS_ISSUED and gp.valid_date < today
    consent = gp.consent + (f"（{mask_phone(gp.consent_phone)}）" if gp.consent_phone else "")
    return {"id": gp.id, "number": gp.number, "room_code": gp.home.room_code, "consent": consent,
            "consent_way": gp.consent, "consent_by": gp.consent_by, "consent_at": fmt_datetime(gp.consent_at),
            "items": gp.items, "items_short": "、".join(gp.items.splitlines()), "carrier": gp.carrier,
            "plate": gp.plate, "valid_date": fmt_date(gp.valid_date),
            "status": "已过期" if expired else gp.status, "open": gp.status == PASS_ISSUED and not expired,
            "issued_at": fmt_datetime(gp.issued_at),
            "issued_by": gp.issued_by.display_name if gp.issued_by_id else "",
            "used_at": fmt_datetime(gp.used_at), "checked_by": gp.checked_by, "notes": gp.notes}


def _query():
    return GoodsPass.select(GoodsPass, Home.id, Home.room_code).join(Home)


def _rows(ctx, q, search: str = "") -> list[dict]:
    today = ctx.clock.today()
    rows = [pass_row(gp, today) for gp in q]
    return [r for r in rows if matches(search, r["number"], r["room_code"], r["consent_by"], r["items"],
                                       r["carrier"], r["plate"], r["status"])]


def open_passes(ctx, search: str = "") -> list[dict]:
    """Passes issued and still valid (the gate may expect them)."""
    require(ctx, "frontdesk.view")
    q = _query().where((GoodsPass.status == PASS_ISSUED) & (GoodsPass.valid_date >= ctx.clock.today()))
    return _rows(ctx, q.order_by(GoodsPass.issued_at, GoodsPass.id), search)


def pass_register(ctx, search: str = "", days: int = 90) -> list[dict]:
    """The register of passes of the last *days* days, newest first."""
    require(ctx, "frontdesk.view")
    since = dt.datetime.combine(ctx.clock.today() - dt.timedelta(days=days), dt.time())
    q = _query().where(GoodsPass.issued_at >= since).order_by(GoodsPass.issued_at.desc(), GoodsPass.id.desc())
    return _rows(ctx, q, search)


def day_passes(ctx, day: dt.date | None = None) -> list[dict]:
    """The day's list: passes issued or used that day."""
    require(ctx, "frontdesk.view")
    start, end = day_bounds(day or ctx.clock.today())
    q = _query().where(((GoodsPass.issued_at >= start) & (GoodsPass.issued_at < end))
                       | ((GoodsPass.used_at >= start) & (GoodsPass.used_at < end)))
    return _rows(ctx, q.order_by(GoodsPass.issued_at, GoodsPass.id))


def get_pass(pass_id) -> GoodsPass:
    return get_or_404(GoodsPass, pass_id, "放行条")


def export_passes(ctx, rows: list[dict], path) -> int:
    cells = [[r["number"], r["room_code"], r["consent"], r["consent_by"], r["items_short"], r["carrier"], r["plate"],
              r["valid_date"], r["status"], r["issued_at"], r["issued_by"], r["used_at"], r["checked_by"]]
             for r in rows]
    return export_rows(ctx, path, "物品放行条登记", EXPORT_COLUMNS, cells, "goods_pass")
