"""Time rules of service requests: working days, return-visit hours, the dispatch, arrival and
visit deadlines, and the escalation ladder.

首问责任制: the user who receives a request (``receiver``) stays its responsible owner until it is
closed; the escalation ladder adds who *holds* it now (domain.md §9, 003 005-4.2):

    level 0  首问责任人 / 维修人员      from intake
    level 1  部门主管                  not finished on the day received (from 00:00 next day)
    level 2  客服主管                  48 h after intake
    level 3  项目经理                  72 h
    level 4  区域经理                  7 days
    level 5  品质中心                  15 days

Every time limit is a site setting (request.*). Times come from ctx.clock.
"""
from __future__ import annotations

import datetime as dt
from contextlib import suppress
from dataclasses import dataclass

from app.core import audit
from app.core.permissions import require
from app.service.records import open_requests
from models.service import OPEN_STATUSES, ServiceEvent, ServiceRequest

LEVELS = ["首问责任人", "部门主管", "客服主管", "项目经理", "区域经理", "品质中心"]
HOLDER_SETTINGS = [None, "request.holder.dept", "request.holder.cs", "request.holder.project",
                   "request.holder.area", "request.holder.quality"]
END_OF_DAY = dt.time(23, 59, 59)
ISO_WEEKDAYS = range(1, 8)          # Monday = 1 … Sunday = 7
DEFAULT_WORKDAYS = {1, 2, 3, 4, 5}


# --------------------------------------------------------------------------- working days
def _hm(ctx, key) -> dt.time:
    hh, mm = str(ctx.settings.get(key)).split(":")
    return dt.time(int(hh), int(mm))


def workdays(ctx) -> set[int]:
    raw = str(ctx.settings.get("request.workdays") or "")
    days = {int(x) for x in raw.replace("，", ",").split(",") if x.strip().isdigit() and int(x) in ISO_WEEKDAYS}
    return days or set(DEFAULT_WORKDAYS)


def holidays(ctx) -> set[dt.date]:
    out = set()
    for part in str(ctx.settings.get("request.holidays") or "").replace("，", ",").split(","):
        text = part.strip()
        if text:
            with suppress(ValueError):
                out.add(dt.date.fromisoformat(text))
    return out


def is_workday(ctx, day: dt.date) -> bool:
    return day.isoweekday() in workdays(ctx) and day not in holidays(ctx)


def add_workdays(ctx, day: dt.date, n: int) -> dt.date:
    """The n-th working day after *day* (Monday–Friday by default, holidays skipped)."""
    d = day
    count = 0
    while count < n:
        d += dt.timedelta(days=1)
        if is_workday(ctx, d):
            count += 1
    return d


# --------------------------------------------------------------------------- return-visit hours
def _visit_hours(ctx) -> tuple[dt.time, dt.time, dt.time, dt.time]:
    """(not before, lunch from, lunch to, not from) for return visits."""
    return (_hm(ctx, "request.visit_not_before"), _hm(ctx, "request.lunch_from"),
            _hm(ctx, "request.lunch_to"), _hm(ctx, "request.visit_not_after"))


def visit_allowed(ctx, when: dt.datetime) -> bool:
    """Return visits: not before 10:00, not at lunch (12:00–14:00), not from 21:00 on."""
    t = when.time()
    start, lunch_from, lunch_to, end = _visit_hours(ctx)
    return start <= t < end and not (lunch_from <= t < lunch_to)


def visit_rule_text(ctx) -> str:
    """The site's quiet hours for return visits, e.g. 10:00前、午休（12:00–14:00）及21:00后不回访."""
    start, lunch_from, lunch_to, end = _visit_hours(ctx)
    return f"{start:%H:%M}前、午休（{lunch_from:%H:%M}–{lunch_to:%H:%M}）及{end:%H:%M}后不回访"


def next_visit_slot(ctx, proposed: dt.datetime) -> dt.datetime:
    """Move a proposed visit time to the next allowed moment (unchanged when already allowed)."""
    start, lunch_from, lunch_to, end = _visit_hours(ctx)
    t, d = proposed.time(), proposed.date()
    if t < start:
        return dt.datetime.combine(d, start)
    if lunch_from <= t < lunch_to:
        return dt.datetime.combine(d, lunch_to)
    if t >= end:
        return dt.datetime.combine(d + dt.timedelta(days=1), start)
    return proposed


# --------------------------------------------------------------------------- deadlines
def dispatch_due(ctx, r) -> dt.datetime:
    return r.received_at + dt.timedelta(minutes=ctx.settings.get("request.dispatch_minutes"))


def arrival_due(ctx, r) -> dt.datetime | None:
    if r.dispatched_at is None:
        return None
    return r.dispatched_at + dt.timedelta(minutes=ctx.settings.get("request.arrival_minutes"))


def visit_due(ctx, r) -> dt.datetime | None:
    if r.completed_at is None:
        return None
    return r.completed_at + dt.timedelta(hours=ctx.settings.get("request.return_visit_hours"))


def dispatched_on_time(ctx, r) -> bool | None:
    if r.dispatched_at is None:
        return None
    return r.dispatched_at <= dispatch_due(ctx, r)


def arrived_on_time(ctx, r) -> bool | None:
    if r.arrived_at is None:
        return None
    return r.arrived_at <= arrival_due(ctx, r)


# --------------------------------------------------------------------------- escalation ladder
def level_thresholds(ctx, received: dt.datetime) -> list[dt.datetime]:
    """The moments at which levels 1 … 5 are reached for a request received at *received*."""
    s = ctx.settings
    return [
        dt.datetime.combine(received.date() + dt.timedelta(days=1), dt.time(0, 0)),
        received + dt.timedelta(hours=s.get("request.escalate_supervisor_hours")),
        received + dt.timedelta(hours=s.get("request.escalate_project_hours")),
        received + dt.timedelta(days=s.get("request.escalate_area_days")),
        received + dt.timedelta(days=s.get("request.escalate_quality_days")),
    ]


def level_at(ctx, r, when: dt.datetime | None = None) -> int:
    """The escalation level of request *r* at *when* (0 once it is finished or not yet late)."""
    when = when or ctx.clock.now()
    if r.status not in OPEN_STATUSES:
        return r.escalation_level
    level = 0
    for i, moment in enumerate(level_thresholds(ctx, r.received_at), start=1):
        if when >= moment:
            level = max(level, i)
    return level


def holder_name(ctx, r, level: int) -> str:
    """Who holds the request at *level*: 'title（name）'."""
    if level <= 0:
        if r.handler and r.status in ("已派工", "处理中"):
            return f"处理人（{r.handler}）"
        name = getattr(r, "receiver_name", None) or r.receiver.display_name
        return f"首问责任人（{name}）"
    name = ctx.settings.get(HOLDER_SETTINGS[level]) or ""
    return f"{LEVELS[level]}（{name}）" if name else LEVELS[level]


@dataclass(frozen=True)
class Holding:
    request_id: int
    number: str
    level: int
    level_name: str
    holder: str
    since: dt.datetime


def escalation_status(ctx, when: dt.datetime | None = None) -> list[Holding]:
    """For each open request: its level and who holds it at *when* (default: now). Read only."""
    when = when or ctx.clock.now()
    out = []
    for r in open_requests().namedtuples():
        lvl = level_at(ctx, r, when)
        since = r.received_at if lvl == 0 else level_thresholds(ctx, r.received_at)[lvl - 1]
        out.append(Holding(r.id, r.number, lvl, LEVELS[lvl], holder_name(ctx, r, lvl), since))
    return out


def run_escalations(ctx) -> list[Holding]:
    """Move open requests up the ladder as of now; records one 升级 event per level passed.
    Idempotent, also between desks running it at the same moment: each request's level is raised
    by a compare-and-set UPDATE (``WHERE escalation_level = <level read>``), and only the desk
    whose UPDATE changed the row writes the events. Returns the requests moved."""
    require(ctx, "service.view")
    now = ctx.clock.now()
    moved = []
    with ctx.db.atomic():
        for r in list(open_requests().namedtuples()):
            lvl = level_at(ctx, r, now)
            if lvl <= r.escalation_level:
                continue
            won = (ServiceRequest.update(escalation_level=lvl)
                   .where((ServiceRequest.id == r.id) & (ServiceRequest.escalation_level == r.escalation_level)
                          & ServiceRequest.status.in_(OPEN_STATUSES))
                   .execute())
            if won != 1:              # another desk escalated it (or it was finished) meanwhile
                continue
            moments = level_thresholds(ctx, r.received_at)
            for step in range(r.escalation_level + 1, lvl + 1):
                ServiceEvent.create(request=r.id, ts=moments[step - 1], kind="升级",
                                    note=f"未按时完成，升级至{LEVELS[step]}", level=step,
                                    holder=holder_name(ctx, r, step), user=getattr(ctx.user, "id", None))
            audit.record(ctx, "service.escalate", "service_request", r.id,
                         {"escalation_level": r.escalation_level, "status": r.status},
                         {"escalation_level": lvl, "status": r.status})
            moved.append(Holding(r.id, r.number, lvl, LEVELS[lvl], holder_name(ctx, r, lvl), moments[lvl - 1]))
    return moved
