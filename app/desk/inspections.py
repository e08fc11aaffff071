"""The weekly inspection of vacant homes (空置房巡查, domain.md §5): the homes not handed over
(未交付) or vacant (空置), when each was last inspected and when the next inspection is due,
recording an inspection and the history of a home."""
from __future__ import annotations

import datetime as dt

from peewee import fn

from app.archives.homes import home_of
from app.core import validation as v
from app.core.audit import model_dict, record
from app.core.dates import fmt_date
from app.core.errors import StateError, ValidationError
from app.core.permissions import require
from app.desk.keys import DOOR_KIND, VACANT_STATES
from models.keys import Key, VacantInspection
from models.property import Home

INSPECTION_RESULTS = ("正常", "有问题")


def _week_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def vacant_inspection_list(ctx, due_only: bool = False) -> list[dict]:
    """Homes in state 未交付 or 空置 with their last inspection and the next one due
    (last + keys.vacant_inspection_days; today when never inspected). ``due_this_week`` when the
    next inspection falls on or before this Sunday."""
    today = ctx.clock.today()
    _monday, sunday = _week_bounds(today)
    period = int(ctx.settings.get("keys.vacant_inspection_days"))
    homes = list(Home.select(Home.id, Home.room_code, Home.state).where(Home.state.in_(VACANT_STATES))
                 .order_by(Home.room_code).tuples())
    last: dict[int, tuple] = {}
    if homes:
        vacant_ids = Home.select(Home.id).where(Home.state.in_(VACANT_STATES))
        latest = (VacantInspection.select(VacantInspection.home.alias("hid"),
                                          fn.MAX(VacantInspection.inspected_on).alias("day"))
                  .where(VacantInspection.home.in_(vacant_ids)).group_by(VacantInspection.home).alias("latest"))
        q = (VacantInspection.select(VacantInspection.home, VacantInspection.inspected_on, VacantInspection.inspector,
                                     VacantInspection.result, VacantInspection.findings)
             .join(latest, on=((VacantInspection.home == latest.c.hid)
                               & (VacantInspection.inspected_on == latest.c.day)))
             .order_by(VacantInspection.id))
        for home_id, day, inspector, result, findings in q.tuples():
            last[home_id] = (dt.date.fromisoformat(day) if isinstance(day, str) else day, inspector, result, findings)
    door = {hid for (hid,) in Key.select(Key.home).where((Key.kind == DOOR_KIND) & (Key.active == True)).tuples()}  # noqa: E712
    rows = []
    for hid, room_code, state in homes:
        ins = last.get(hid)
        due = ins[0] + dt.timedelta(days=period) if ins else today
        row = {"home_id": hid, "room_code": room_code, "state": state,
               "last_inspected": fmt_date(ins[0]) if ins else "", "inspector": ins[1] if ins else "",
               "result": ins[2] if ins else "", "findings": ins[3] if ins else "",
               "next_due": fmt_date(due), "due_this_week": due <= sunday, "overdue": due < today,
               "key_at_desk": hid in door}
        if not due_only or row["due_this_week"]:
            rows.append(row)
    return rows


def record_inspection(ctx, room_code_or_home, data: dict) -> VacantInspection:
    """Record one inspection of a vacant home. ``data``: inspector, result (正常/有问题),
    findings (required when 有问题), inspected_on (default today, not in the future)."""
    require(ctx, "keys.sign")
    home = home_of(room_code_or_home)
    inspector = v.check_required(data.get("inspector"), "巡查人")
    result = v.check_choice(data.get("result") or "正常", INSPECTION_RESULTS, "巡查结果")
    findings = str(data.get("findings") or "").strip()
    if result == "有问题" and not findings:
        raise ValidationError("发现问题", "巡查结果为“有问题”时须填写问题说明")
    day = v.parse_date(data.get("inspected_on") or ctx.clock.today(), "巡查日期")
    if day > ctx.clock.today():
        raise ValidationError("巡查日期", "不能晚于今天")
    if home.state not in VACANT_STATES:
        raise StateError(f"房屋 {home.room_code} 状态为“{home.state}”，不是空置房，无需巡查")
    with ctx.db.atomic():
        ins = VacantInspection.create(home=home, inspected_on=day, inspector=inspector, result=result,
                                      findings=findings, created_by=getattr(ctx.user, "id", None))
        record(ctx, "keys.inspection", "vacant_inspection", ins.id, None, model_dict(ins))
    return ins


def inspection_history(ctx, home_id: int) -> list[dict]:
    return [{"id": i.id, "inspected_on": fmt_date(i.inspected_on), "inspector": i.inspector, "result": i.result,
             "findings": i.findings}
            for i in VacantInspection.select().where(VacantInspection.home == home_id)
            .order_by(VacantInspection.inspected_on.desc(), VacantInspection.id.desc())]
