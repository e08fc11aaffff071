"""Rounds of the estate (巡查记录, domain.md §11: the area manager's rounds two or three times a
day, 002; 003 园区巡视: problems found are recorded and followed up): each finding with its time,
place, what was found and the follow-up, open (待跟进) until someone records how it was handled.
The open findings are counted among the shift log's open items."""
from __future__ import annotations

import datetime as dt

from app.core.audit import model_dict, record
from app.core.dates import fmt_datetime
from app.core.errors import StateError, ValidationError
from app.core.lookup import get_or_404
from app.core.permissions import require
from app.core.sequences import format_number, next_number
from app.frontdesk.common import clerk_name, day_bounds, matches, short_text
from models.db import for_update
from models.frontdesk import ROUND_DONE, ROUND_OPEN, RoundEntry

TEXT_MAX = 1000



def record_round(ctx, data: dict) -> RoundEntry:
    """A finding of a round. ``data``: place, found, follow_up, at (default now), patrolled_by
    (default the user), done (nothing to follow: recorded as handled)."""
    require(ctx, "rounds.write")
    place = short_text(data.get("place"), "巡查地点", limit=40, required=True)
    found = short_text(data.get("found"), "发现情况", TEXT_MAX, required=True)
    at = data.get("at") or ctx.clock.now()
    if not isinstance(at, dt.datetime):
        raise ValidationError("巡查时间", "应为日期和时间")
    if at > ctx.clock.now():
        raise ValidationError("巡查时间", "不能晚于现在")
    done = bool(data.get("done"))
    now = ctx.clock.now()
    with ctx.db.atomic():
        e = RoundEntry.create(number=format_number("XC", now.year, next_number("round_entry", now.year)), at=at,
                              place=place, found=found,
                              follow_up=short_text(data.get("follow_up"), "跟进措施", TEXT_MAX),
                              status=ROUND_DONE if done else ROUND_OPEN,
                              patrolled_by=short_text(clerk_name(ctx, data.get("patrolled_by")), "巡查人",
                                                      required=True),
                              created_by=getattr(ctx.user, "id", None), handled_at=now if done else None,
                              result="巡查时无需跟进" if done else "")
        record(ctx, "rounds.record", "round_entry", e.id, None, model_dict(e))
    return e


def handle(ctx, entry_id, result: str) -> RoundEntry:
    """The finding followed up: how it was handled (once)."""
    require(ctx, "rounds.write")
    words = short_text(result, "处理结果", TEXT_MAX, required=True)
    with ctx.db.atomic():
        found = get_or_404(RoundEntry, entry_id, "巡查记录")
        e = for_update(RoundEntry.select().where(RoundEntry.id == found.id)).get()
        if e.status != ROUND_OPEN:
            raise StateError(f"巡查记录{e.number}已于{fmt_datetime(e.handled_at)}处理")
        before = model_dict(e)
        e.status, e.handled_at, e.result = ROUND_DONE, ctx.clock.now(), words
        e.save()
        record(ctx, "rounds.handle", "round_entry", e.id, before, model_dict(e))
    return e


def round_row(e: RoundEntry) -> dict:
    return {"id": e.id, "number": e.number, "at": fmt_datetime(e.at), "place": e.place, "found": e.found,
            "follow_up": e.follow_up, "status": e.status, "patrolled_by": e.patrolled_by,
            "handled_at": fmt_datetime(e.handled_at), "result": e.result, "open": e.status == ROUND_OPEN}


def open_rounds(ctx, search: str = "") -> list[dict]:
    """Findings still to follow up, oldest first."""
    require(ctx, "frontdesk.view")
    rows = [round_row(e) for e in RoundEntry.select().where(RoundEntry.status == ROUND_OPEN)
            .order_by(RoundEntry.at, RoundEntry.id)]
    return [r for r in rows if matches(search, r["number"], r["place"], r["found"], r["patrolled_by"])]


def day_rounds(ctx, day: dt.date | None = None, search: str = "") -> list[dict]:
    require(ctx, "frontdesk.view")
    start, end = day_bounds(day or ctx.clock.today())
    rows = [round_row(e) for e in RoundEntry.select().where((RoundEntry.at >= start) & (RoundEntry.at < end))
            .order_by(RoundEntry.at, RoundEntry.id)]
    return [r for r in rows if matches(search, r["number"], r["place"], r["found"], r["patrolled_by"])]


def open_count() -> int:
    return RoundEntry.select().where(RoundEntry.status == ROUND_OPEN).count()


EXPORT_COLUMNS = ("编号", "巡查时间", "地点", "发现情况", "跟进措施", "状态", "巡查人", "处理时间", "处理结果")


def export_rounds(ctx, rows: list[dict], path) -> int:
    from app.frontdesk.common import export_rows
    cells = [[r["number"], r["at"], r["place"], r["found"], r["follow_up"], r["status"], r["patrolled_by"],
              r["handled_at"], r["result"]] for r in rows]
    return export_rows(ctx, path, "巡查记录", EXPORT_COLUMNS, cells, "round_entry")
