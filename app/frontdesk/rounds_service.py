"""A finding of the rounds becomes a service request in one step (转报修, issue 18): the request is
taken in through the service area's intake with the channel 巡查 (models.service.CHANNELS), the
finding is closed with the request's number as its result; one transaction, audited
(``rounds.to_service``) besides the intake's own ``service.intake`` row."""
from __future__ import annotations

from app.core.audit import model_dict, record
from app.core.dates import fmt_datetime
from app.core.errors import StateError
from app.core.lookup import get_or_404
from app.core.permissions import require
from app.service import intake
from models.db import for_update
from models.frontdesk import ROUND_DONE, ROUND_OPEN, RoundEntry

CHANNEL = "巡查"
KIND = "报修"
RESULT_PREFIX = "已转报修，服务单号 "


def finding(entry_id) -> RoundEntry:
    """The rounds finding *entry_id* (NotFound in Chinese when it is gone)."""
    return get_or_404(RoundEntry, entry_id, "巡查记录")


def intake_defaults(e: RoundEntry) -> dict:
    """The intake form's prefilled fields for finding *e*: the patroller reports what was found where."""
    return {"channel": CHANNEL, "kind": KIND, "caller": e.patrolled_by,
            "content": f"巡查发现（{e.place}）：{e.found}"}


def to_service(ctx, entry_id, request: dict):
    """Take finding *entry_id* in as a service request. *request*: the intake's fields (kind, caller,
    content, read_back, room_code or home_id, phone …; the channel is always 巡查). Returns
    (finding, request). Refused when the finding was handled already."""
    require(ctx, "rounds.write")
    fields = {k: v for k, v in request.items() if k != "channel"}
    with ctx.db.atomic():
        found = get_or_404(RoundEntry, entry_id, "巡查记录")
        e = for_update(RoundEntry.select().where(RoundEntry.id == found.id)).get()
        if e.status != ROUND_OPEN:
            raise StateError(f"巡查记录{e.number}已于{fmt_datetime(e.handled_at)}处理（{e.result}），不能再转报修")
        r = intake.intake(ctx, channel=CHANNEL, **fields)
        before = model_dict(e)
        e.status, e.handled_at, e.result = ROUND_DONE, ctx.clock.now(), f"{RESULT_PREFIX}{r.number}"
        e.save()
        record(ctx, "rounds.to_service", "round_entry", e.id, before,
               {**model_dict(e), "service_request": r.number})
    return e, r


def request_number(row: dict) -> str:
    """The service request a finding row was passed to (empty when none)."""
    result = row.get("result") or ""
    return result[len(RESULT_PREFIX):] if result.startswith(RESULT_PREFIX) else ""
