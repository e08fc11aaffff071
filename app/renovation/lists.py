"""Reading many renovations at once: the list, the deadline list (what needs doing), the daily
spot checks, the tab's opening list and the start-up reminders."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from app.core.money import fmt_fen
from app.core.permissions import require
from app.core.privacy import mask_phone
from app.renovation.application import permit_earliest, tests_passed
from app.renovation.common import ACTIVE_STATES, CLOSED_STATES, may
from app.renovation.fees import bulk_charges, deposit_held, fees_paid
from app.renovation.progress import next_step
from app.renovation.works import first_inspection_due
from models.property import Home
from models.renovation import Renovation, RenovationNotice, RenovationPatrol, RenovationWorker


@dataclass(frozen=True)
class Row:
    id: int
    number: str
    room_code: str
    house_type: str
    applicant: str
    phone_masked: str
    contractor: str
    state: str
    next_step: str
    applied_on: dt.date
    permit_on: dt.date | None


def list_renovations(ctx, which: str = "active", text: str = "") -> list[Row]:
    """which: active (not closed), closed, all. text filters room code / applicant / contractor."""
    require(ctx, "renovation.view")
    q = (Renovation.select(*_light_columns(), Home.house_type.alias("house_type"),
                           Renovation.applicant_phone.alias("applicant_phone"),
                           Renovation.contractor_name.alias("contractor_name"), Renovation.permit_on.alias("permit_on"))
         .join(Home).order_by(Renovation.applied_on.desc(), Renovation.id.desc()))
    if which == "active":
        q = q.where(Renovation.state.in_(ACTIVE_STATES))
    elif which == "closed":
        q = q.where(Renovation.state.in_(CLOSED_STATES))
    t = (text or "").strip()
    if t:
        like = f"%{t}%"
        q = q.where(Home.room_code.contains(t) | Renovation.applicant ** like | Renovation.contractor_name ** like
                    | Renovation.number.contains(t))
    out = []
    with bulk_charges():
        for r in q.namedtuples():
            out.append(Row(r.id, r.number, r.room_code, r.house_type, r.applicant,
                           mask_phone(r.applicant_phone), r.contractor_name, r.state, next_step(ctx, r),
                           r.applied_on, r.permit_on))
    return out


def _light_columns():
    """The columns lists and deadlines need (rows as named tuples: peewee model instances of
    this wide table cost ~0.7 ms each)."""
    R = Renovation
    cols = [R.id, R.number, R.state, R.applicant, R.applied_on, R.decided_on, R.deposit_charge_id, R.rubbish_charge_id,
            R.pressure_ok, R.water_ok, R.tests_on, R.fire_signed_on, R.finished_on, R.first_inspection_on,
            R.second_due, R.second_inspection_on]
    return [c.alias(c.name) for c in cols] + [Home.room_code.alias("room_code")]


@dataclass(frozen=True)
class DueItem:
    category: str
    renovation_id: int
    room_code: str
    what: str
    due: dt.date | None
    overdue: bool


DUE_CATEGORIES = ["待审批", "待缴费", "待领许可证", "初验逾期", "本周复验", "通知逾期", "出入证到期", "待退保证金"]


def due_items(ctx) -> list[DueItem]:
    """What needs doing: applications waiting, fees unpaid, permits waiting, first inspections
    overdue, second inspections due this week, notices past their deadline, passes expiring,
    deposits waiting for refund."""
    require(ctx, "renovation.view")
    with bulk_charges():
        return _due_items(ctx)


def _due_items(ctx) -> list[DueItem]:
    today = ctx.clock.today()
    week = today + dt.timedelta(days=int(ctx.settings.get("renovation.due_window_days")))
    warn = today + dt.timedelta(days=int(ctx.settings.get("renovation.pass_warn_days")))
    out = []
    q = Renovation.select(*_light_columns()).join(Home).where(Renovation.state.in_(ACTIVE_STATES))
    for r in q.namedtuples():
        room = r.room_code
        if r.state == "待审批":
            out.append(DueItem("待审批", r.id, room, f"{r.number} {r.applicant} 申请 {r.applied_on}", r.applied_on,
                               False))
        elif r.state == "已批准":
            if not fees_paid(r):
                out.append(DueItem("待缴费", r.id, room, f"保证金/垃圾清运费未缴（{r.decided_on} 批准）",
                                   r.decided_on, False))
            elif tests_passed(r):
                e = permit_earliest(ctx, r)
                ready = today >= e and r.fire_signed_on is not None
                if ready:
                    what = "可领取装修许可证"
                else:
                    what = f"{e} 起可领取" if r.fire_signed_on else f"{e} 起可领取（须签防火责任书）"
                out.append(DueItem("待领许可证", r.id, room, what, e, False))
        elif r.state == "已完工":
            due = first_inspection_due(ctx, r)
            if today > due:
                out.append(DueItem("初验逾期", r.id, room, f"{r.finished_on} 完工，应于 {due} 前初验", due, True))
        elif r.state == "初验通过" and r.second_due and r.second_due <= week:
            out.append(DueItem("本周复验", r.id, room, f"初验 {r.first_inspection_on}，复验日期 {r.second_due}",
                               r.second_due, r.second_due < today))
        elif r.state == "已复验":
            out.append(DueItem("待退保证金", r.id, room,
                               f"复验合格 {r.second_inspection_on}，保证金 {fmt_fen(deposit_held(r))} 元",
                               r.second_inspection_on, False))
    N, W = RenovationNotice, RenovationWorker
    nq = (N.select(N.renovation.alias("rid"), Home.room_code.alias("room"), N.kind.alias("kind"),
                   N.number.alias("number"),
                   N.content.alias("content"), N.deadline.alias("deadline"))
          .join(Renovation).join(Home)
          .where(N.closed_on.is_null() & (N.deadline < today) & Renovation.state.in_(ACTIVE_STATES)))
    for n in nq.namedtuples():
        out.append(DueItem("通知逾期", n.rid, n.room, f"{n.kind} {n.number}：{n.content[:30]}", n.deadline, True))
    wq = (W.select(W.renovation.alias("rid"), Home.room_code.alias("room"), W.name.alias("name"), W.card.alias("card"),
                   W.pass_number.alias("pass_number"), W.valid_until.alias("valid_until"))
          .join(Renovation).join(Home)
          .where(W.issued_on.is_null(False) & W.returned_on.is_null() & (W.valid_until <= warn)))
    for w in wq.namedtuples():
        out.append(DueItem("出入证到期", w.rid, w.room,
                           f"{w.name}（{w.card}证 {w.pass_number}）有效期至 {w.valid_until}",
                           w.valid_until, w.valid_until < today))
    order = {c: i for i, c in enumerate(DUE_CATEGORIES)}
    out.sort(key=lambda d: (order[d.category], d.due or today, d.room_code))
    return out


@dataclass(frozen=True)
class SpotCheck:
    id: int
    room_code: str
    number: str
    contractor_name: str
    contractor_person: str
    last_patrol: dt.date | None


def spot_checks(ctx, day=None) -> list[SpotCheck]:
    """Today's spot checks: renovation.daily_spot_checks homes under works, deterministic per day;
    homes patrolled within renovation.spot_recent_days come last."""
    require(ctx, "renovation.view")
    day = day or ctx.clock.today()
    n = int(ctx.settings.get("renovation.daily_spot_checks"))
    recent = day - dt.timedelta(days=int(ctx.settings.get("renovation.spot_recent_days")))
    R = Renovation
    under = list(R.select(R.id.alias("id"), Home.room_code.alias("room_code"), R.number.alias("number"),
                          R.contractor_name.alias("contractor_name"), R.contractor_person.alias("contractor_person"))
                 .join(Home).where(R.state == "施工中").namedtuples())
    last = {}
    if under:
        from peewee import fn
        P = RenovationPatrol
        for rid, d in (P.select(P.renovation, fn.MAX(P.patrol_on)).join(R)
                       .where((R.state == "施工中") & (P.patrol_on < day)).group_by(P.renovation).tuples()):
            last[rid] = d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)[:10])

    def key(r):
        was = last.get(r.id)
        checked_recently = was is not None and was >= recent
        h = hashlib.sha256(f"{day.isoformat()}|{r.id}".encode()).hexdigest()
        return (checked_recently, was or dt.date.min, h)

    return [SpotCheck(r.id, r.room_code, r.number, r.contractor_name, r.contractor_person, last.get(r.id))
            for r in sorted(under, key=key)[:n]]


def startup_reminders(ctx) -> list[str]:
    """Start-up reminder lines (app/reminders.py): counts of what needs doing, today's spot checks."""
    if not may(ctx, "renovation.view"):
        return []
    counts: dict[str, int] = {}
    for d in due_items(ctx):
        counts[d.category] = counts.get(d.category, 0) + 1
    lines = []
    if counts:
        lines.append("装修管理：" + "，".join(f"{c} {counts[c]} 项" for c in DUE_CATEGORIES if c in counts))
    spots = spot_checks(ctx)
    if spots:
        lines.append("今日装修抽查：" + "、".join(r.room_code for r in spots))
    return lines


def todo(ctx) -> list[DueItem]:
    """The tab's opening list: today's spot checks first, then everything of due_items."""
    today = ctx.clock.today()
    spots = [DueItem("今日抽查", r.id, r.room_code,
                     f"{r.contractor_name} {r.contractor_person}（{r.number}）上次巡查 {r.last_patrol or '无'}",
                     today, False) for r in spot_checks(ctx)]
    return spots + due_items(ctx)
