"""The works and their inspections (stages 6, 7 and 9): the patrol log, violation and
rectification notices, completion, the first inspection (within renovation.first_inspection_days)
and the second one (renovation.second_inspection_months after the first)."""
from __future__ import annotations

import datetime as dt

from app.archives.checklist import mark_document
from app.core import audit
from app.core.dates import add_months
from app.core.errors import StateError, ValidationError
from app.core.lookup import get_or_404
from app.core.permissions import require
from app.core.sequences import format_number, next_number
from app.core.validation import check_choice, parse_date
from app.renovation.common import (
    clean_text,
    home_state_after_works,
    renovation_or_404,
    snapshot,
    user_id,
    user_names,
)
from models.property import Home
from models.renovation import NOTICE_KINDS, Renovation, RenovationNotice, RenovationPatrol


def record_patrol(ctx, reno_id, ok: bool, findings: str = "", on=None, workers_present: int = 0,
                  spot_check: bool = False) -> RenovationPatrol:
    """One line of the 装修巡查日志. A finding that is not OK must be described."""
    require(ctx, "renovation.edit")
    r = renovation_or_404(reno_id)
    if r.state != "施工中":
        raise StateError(f"装修登记 {r.number} 当前为“{r.state}”，不在施工期，无需巡查")
    findings = clean_text(findings, "巡查情况", required=not ok, max_len=1000)
    day = parse_date(on, "巡查日期", required=False) or ctx.clock.today()
    if day > ctx.clock.today():
        raise ValidationError("巡查日期", "不能晚于今天")
    try:
        n_workers = int(workers_present or 0)
    except (TypeError, ValueError):
        raise ValidationError("在场人数", "应为整数") from None
    if n_workers < 0:
        raise ValidationError("在场人数", "不能为负数")
    with ctx.db.atomic():
        p = RenovationPatrol.create(renovation=r.id, patrol_on=day, inspector=user_id(ctx), ok=bool(ok),
                                    findings=findings or "正常", workers_present=n_workers, spot_check=spot_check)
        audit.record(ctx, "renovation.patrol", "renovation_patrol", p.id, None, audit.model_dict(p))
    return p


def issue_notice(ctx, reno_id, kind: str, content: str, requirement: str = "", deadline=None,
                 patrol_id=None) -> RenovationNotice:
    """违规通知单 / 整改通知单 with a deadline (default renovation.rectify_days)."""
    require(ctx, "renovation.edit")
    r = renovation_or_404(reno_id)
    if r.state not in ("已批准", "施工中", "已完工"):
        raise StateError(f"装修登记 {r.number} 当前为“{r.state}”，不能开具通知单")
    kind = check_choice(kind, NOTICE_KINDS, "通知类别")
    content = clean_text(content, "违规/整改内容", max_len=1000)
    today = ctx.clock.today()
    deadline = parse_date(deadline, "整改期限", required=False) or today + dt.timedelta(
        days=int(ctx.settings.get("renovation.rectify_days")))
    if deadline < today:
        raise ValidationError("整改期限", "不能早于今天")
    with ctx.db.atomic():
        prefix = "WG" if kind == "违规通知单" else "ZG"
        n = RenovationNotice.create(renovation=r.id, kind=kind, content=content,
                                    requirement=clean_text(requirement, "整改要求", False, 1000),
                                    number=format_number(prefix, today.year,
                                                         next_number(f"renovation_{prefix}", today.year), 4),
                                    issued_on=today, issued_by=user_id(ctx), deadline=deadline)
        mark_document(ctx, r.home_id, "rectification_notice")
        audit.record(ctx, "renovation.notice", "renovation_notice", n.id, None, audit.model_dict(n))
    return n


def close_notice(ctx, notice_id, note: str) -> RenovationNotice:
    require(ctx, "renovation.edit")
    n = get_or_404(RenovationNotice, notice_id, message="通知单不存在")
    if n.closed_on:
        raise StateError(f"通知单 {n.number} 已于 {n.closed_on} 关闭")
    note = clean_text(note, "整改结果", max_len=1000)
    with ctx.db.atomic():
        n.closed_on, n.closed_by, n.closure_note = ctx.clock.today(), user_id(ctx), note
        n.save()
        audit.record(ctx, "renovation.notice_close", "renovation_notice", n.id, None,
                     {"closed_on": n.closed_on, "note": note})
    return n


def open_notices(r):
    return list(r.notices.where(RenovationNotice.closed_on.is_null()).order_by(RenovationNotice.deadline))


def patrols_of(ctx, reno_id) -> list[RenovationPatrol]:
    require(ctx, "renovation.view")
    return list(RenovationPatrol.select().where(RenovationPatrol.renovation == reno_id)
                .order_by(RenovationPatrol.patrol_on, RenovationPatrol.id))


def notices_of(ctx, reno_id) -> list[RenovationNotice]:
    require(ctx, "renovation.view")
    return list(RenovationNotice.select().where(RenovationNotice.renovation == reno_id).order_by(RenovationNotice.id))


def patrol_rows(ctx, reno_id) -> list[tuple]:
    rows = patrols_of(ctx, reno_id)
    names = user_names([p.inspector_id for p in rows])
    return [(p, names.get(p.inspector_id, "")) for p in rows]


def notice_rows(ctx, reno_id) -> list[tuple]:
    today = ctx.clock.today()
    return [(n, today) for n in notices_of(ctx, reno_id)]


def record_completion(ctx, reno_id, finished_on=None) -> Renovation:
    require(ctx, "renovation.edit")
    r = renovation_or_404(reno_id)
    if r.state != "施工中":
        raise StateError(f"装修登记 {r.number} 当前为“{r.state}”，不能登记完工")
    day = parse_date(finished_on, "完工日期", required=False) or ctx.clock.today()
    if day > ctx.clock.today():
        raise ValidationError("完工日期", "不能晚于今天")
    if day < r.permit_on:
        raise ValidationError("完工日期", f"不能早于许可证发放日期 {r.permit_on}")
    before = snapshot(r)
    with ctx.db.atomic():
        r.finished_on, r.finished_by, r.state = day, user_id(ctx), "已完工"
        r.save()
        audit.record(ctx, "renovation.finish", "renovation", r.id, before, snapshot(r))
    return r


def first_inspection_due(ctx, r) -> dt.date | None:
    if not r.finished_on:
        return None
    return r.finished_on + dt.timedelta(days=int(ctx.settings.get("renovation.first_inspection_days")))


def first_inspection(ctx, reno_id, passed: bool, note: str = "") -> Renovation:
    """初验 (装修竣工验收表). Passed: the second inspection is due renovation.second_inspection_months
    later and the home goes back to its state before the works. Failed: stays 已完工."""
    require(ctx, "renovation.approve")
    r = renovation_or_404(reno_id)
    if r.state != "已完工":
        raise StateError(f"装修登记 {r.number} 当前为“{r.state}”，不能初验")
    note = clean_text(note, "验收意见", required=not passed, max_len=1000)
    if passed and open_notices(r):
        raise StateError(f"尚有 {len(open_notices(r))} 张违规/整改通知单未关闭，初验不能通过")
    today = ctx.clock.today()
    before = snapshot(r)
    with ctx.db.atomic():
        r.first_inspection_on, r.first_inspection_by = today, user_id(ctx)
        r.first_inspection_ok, r.first_inspection_note = bool(passed), note
        if passed:
            r.state = "初验通过"
            r.second_due = add_months(today, int(ctx.settings.get("renovation.second_inspection_months")))
            home = Home.get_by_id(r.home_id)
            new_state = home_state_after_works(home, r.home_state_before)
            if home.state == "装修中":
                Home.update(state=new_state).where(Home.id == home.id).execute()
                audit.record(ctx, "home.state", "home", home.id, {"state": home.state}, {"state": new_state})
        r.save()
        audit.record(ctx, "renovation.first_inspection", "renovation", r.id, before, snapshot(r))
    return r


def second_inspection(ctx, reno_id, passed: bool, note: str = "") -> Renovation:
    require(ctx, "renovation.approve")
    r = renovation_or_404(reno_id)
    if r.state != "初验通过":
        raise StateError(f"装修登记 {r.number} 当前为“{r.state}”，不能复验")
    today = ctx.clock.today()
    if r.second_due and today < r.second_due:
        raise StateError(f"复验须在初验{ctx.settings.get('renovation.second_inspection_months')}个月后，"
                         f"最早于 {r.second_due.isoformat()}")
    note = clean_text(note, "复验意见", required=not passed, max_len=1000)
    before = snapshot(r)
    with ctx.db.atomic():
        r.second_inspection_on, r.second_inspection_by = today, user_id(ctx)
        r.second_inspection_ok, r.second_inspection_note = bool(passed), note
        if passed:
            r.state = "已复验"
        r.save()
        audit.record(ctx, "renovation.second_inspection", "renovation", r.id, before, snapshot(r))
    return r
