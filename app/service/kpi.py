"""Monthly service KPIs (domain.md §9, 003 篇3) with their targets.

The month's cohort is the requests *received* in the month (as of ctx.clock now):
- 有效投诉率: valid complaints received from 1 January to the end of the month ÷ homes
  (the homes in the database, else the site setting site.homes); target ≤ 1 % a year.
- 投诉处理及时率: complaints contacted within 30 min and answered by the reply deadline ÷
  complaints whose contact deadline has passed; target 100 %.
- 投诉回访率: complaints finished and visited ÷ finished complaints whose visit is due or done; 100 %.
- 投诉满意率: visits scored ≥ 4 ÷ visits with a score; ≥ 90 %.
- 报事及时率 (repairs): dispatched within 10 min and arrived within 20 min of dispatch ÷ repairs
  whose dispatch deadline has passed; ≥ 98 %.
- 报事回访率 (repairs): visited ÷ finished repairs whose visit is due or done; ≥ 80 %.
- 报事满意率 (repairs): scored ≥ 4 ÷ scored visits; ≥ 90 %.
Percentages are exact fractions, shown to one decimal (half-up); "met" compares exactly.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from app.core.permissions import require
from app.service import complaints
from app.service.deadlines import (
    LEVELS,
    arrival_due,
    arrived_on_time,
    dispatch_due,
    dispatched_on_time,
    level_at,
    visit_due,
)
from app.service.records import light_query, month_range, status_label
from models.property import Home
from models.service import COMPLAINT_CLASSES, GRADES, KINDS, ReturnVisit, ServiceRequest


@dataclass(frozen=True)
class Kpi:
    code: str
    name: str
    num: int
    den: int
    target: Decimal          # percent
    op: str                  # "≥" or "≤"

    @property
    def pct(self) -> Decimal | None:
        if not self.den:
            return None
        return (Decimal(self.num) * 100 / Decimal(self.den)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def met(self) -> bool | None:
        if not self.den:
            return None
        lhs, rhs = Decimal(self.num) * 100, self.target * self.den
        return lhs >= rhs if self.op == "≥" else lhs <= rhs

    @property
    def pct_text(self) -> str:
        return "—" if self.pct is None else f"{self.pct}%"

    @property
    def target_text(self) -> str:
        t = self.target.normalize()
        return f"{self.op}{t:f}%"

    @property
    def met_text(self) -> str:
        return {None: "无数据", True: "达标", False: "未达标"}[self.met]


@dataclass
class MonthReport:
    month: str
    kpis: list[Kpi]
    by_kind: dict = field(default_factory=dict)
    by_class: dict = field(default_factory=dict)
    by_grade: dict = field(default_factory=dict)
    total: int = 0
    finished: int = 0
    open_rows: list = field(default_factory=list)   # (number, room, kind, received, level name, status)
    charges_fen: int = 0
    homes: int = 0


def _visits(ids) -> dict[int, ReturnVisit]:
    if not ids:
        return {}
    return {v.request_id: v for v in ReturnVisit.select().where(ReturnVisit.request.in_(list(ids))
                                                                & ReturnVisit.visited_at.is_null(False))}


def homes_count(ctx) -> int:
    n = Home.select().count()
    return n or int(ctx.settings.get("site.homes"))


def month_kpis(ctx, month: str, when: dt.datetime | None = None) -> list[Kpi]:
    return month_report(ctx, month, when).kpis


def month_report(ctx, month: str, when: dt.datetime | None = None) -> MonthReport:
    require(ctx, "service.view")
    when = when or ctx.clock.now()
    s = ctx.settings
    start, end = month_range(month)
    rows = list(light_query().where((ServiceRequest.received_at >= start) & (ServiceRequest.received_at < end))
                .order_by(ServiceRequest.received_at).namedtuples())
    visits = _visits(r.id for r in rows)
    good = s.get("request.satisfied_min_score")
    finished_states = ("已完成", "已关闭")

    def visit_counts(items):
        due = [r for r in items if r.status in finished_states and (r.id in visits or when > visit_due(ctx, r))]
        done = [r for r in due if r.id in visits]
        scored = [visits[r.id] for r in done if visits[r.id].score is not None]
        return len(done), len(due), sum(1 for v in scored if v.score >= good), len(scored)

    comp = [r for r in rows if r.kind == "投诉"]
    repairs = [r for r in rows if r.kind == "报修"]

    c_on = [complaints.response_on_time(ctx, r, when) for r in comp]
    c_on = [x for x in c_on if x is not None]

    def repair_on_time(r):
        if r.dispatched_at is None:
            return None if when <= dispatch_due(ctx, r) else False
        if not dispatched_on_time(ctx, r):
            return False
        if r.arrived_at is None:
            return None if when <= arrival_due(ctx, r) else False
        return arrived_on_time(ctx, r)
    r_on = [x for x in (repair_on_time(r) for r in repairs) if x is not None]

    year_start = dt.datetime(start.year, 1, 1)
    valid_ytd = ServiceRequest.select().where((ServiceRequest.kind == "投诉") & (ServiceRequest.valid == True)  # noqa: E712 - a peewee expression
                                              & (ServiceRequest.received_at >= year_start)
                                              & (ServiceRequest.received_at < end)).count()
    homes = homes_count(ctx)
    cv_done, cv_due, cs_good, cs_all = visit_counts(comp)
    rv_done, rv_due, rs_good, rs_all = visit_counts(repairs)

    def pct(key):
        return Decimal(str(s.get(f"request.kpi_{key}_pct")))
    kpis = [
        Kpi("valid_complaint_rate", "有效投诉率（年度累计）", valid_ytd, homes, pct("valid_complaint"), "≤"),
        Kpi("complaint_ontime", "投诉处理及时率", sum(c_on), len(c_on), pct("complaint_ontime"), "≥"),
        Kpi("complaint_visit", "投诉回访率", cv_done, cv_due, pct("complaint_visit"), "≥"),
        Kpi("complaint_satisfaction", "投诉满意率", cs_good, cs_all, pct("complaint_satisfaction"), "≥"),
        Kpi("request_ontime", "报事及时率", sum(r_on), len(r_on), pct("request_ontime"), "≥"),
        Kpi("request_visit", "报事回访率", rv_done, rv_due, pct("request_visit"), "≥"),
        Kpi("request_satisfaction", "报事满意率", rs_good, rs_all, pct("satisfaction"), "≥"),
    ]
    rep = MonthReport(month=month, kpis=kpis, total=len(rows), homes=homes)
    rep.by_kind = {k: sum(1 for r in rows if r.kind == k) for k in KINDS}
    rep.by_class = {c: sum(1 for r in comp if r.complaint_class == c) for c in COMPLAINT_CLASSES}
    rep.by_grade = {g: sum(1 for r in comp if r.grade == g) for g in GRADES}
    rep.finished = sum(1 for r in rows if r.status in finished_states)
    rep.charges_fen = sum(r.charge_fen for r in rows)
    rep.open_rows = [(r.number, r.room_code, r.kind, r.received_at, LEVELS[level_at(ctx, r, when)],
                      status_label(r.kind, r.status)) for r in rows if r.status not in finished_states]
    return rep
