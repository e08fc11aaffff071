"""Mass hand-over events (集中交付) per cluster and the progress board a desk keeps open all day:
waiting, at each step, done, with defects."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from app.core import validation as v
from app.core.audit import model_dict, record
from app.core.errors import ValidationError
from app.core.lookup import get_or_404
from app.core.permissions import require
from app.movein.steps import STEP_CODES, STEP_NAMES, STEPS
from models.movein import Defect, Handover, HandoverEvent, HandoverStep
from models.people import HomeOwner, Owner
from models.property import Cluster, Home


def create_event(ctx, cluster_id: int, name: str, start_date, end_date, place: str = "",
                 notes: str = "") -> HandoverEvent:
    require(ctx, "movein.event")
    name = v.check_required(name, "活动名称")
    start = v.parse_date(start_date, "开始日期")
    end = v.parse_date(end_date, "结束日期")
    if end < start:
        raise ValidationError("结束日期", "不能早于开始日期")
    if Cluster.get_or_none(Cluster.id == cluster_id) is None:
        raise ValidationError("组团", "请选择组团")
    with ctx.db.atomic():
        ev = HandoverEvent.create(cluster=cluster_id, name=name, start_date=start, end_date=end, place=place,
                                  notes=notes, created_by=getattr(ctx.user, "id", None), created_at=ctx.clock.now())
        record(ctx, "movein.event.create", "handover_event", ev.id, None, model_dict(ev))
    return ev


def events():
    return list(HandoverEvent.select(HandoverEvent, Cluster).join(Cluster).order_by(HandoverEvent.start_date.desc()))


def cluster_choices() -> list[tuple[int, str]]:
    return [(c.id, f"{c.code}组团 {c.name}") for c in Cluster.select().order_by(Cluster.sort_order, Cluster.code)]


@dataclass
class BoardRow:
    home_id: int
    room_code: str
    owner_name: str
    handover_id: int | None
    stage: str            # 待办理 / a step name / 已完成 / 已取消
    open_defects: int
    started_at: dt.datetime | None = None


@dataclass
class Board:
    rows: list[BoardRow]
    counts: dict[str, int] = field(default_factory=dict)


def _latest_handovers(home_ids) -> dict[int, Handover]:
    """The hand-over of each home: the latest one, a cancelled one only when there is no other."""
    handovers = {}
    for h in Handover.select().where(Handover.home.in_(home_ids)).order_by(Handover.id):
        if h.status != "已取消" or h.home_id not in handovers:
            handovers[h.home_id] = h
    return handovers


def _steps_done(handovers) -> dict[int, set]:
    done_steps: dict[int, set] = {}
    if handovers:
        for hid, step in (HandoverStep.select(HandoverStep.handover, HandoverStep.step)
                          .where(HandoverStep.handover.in_([h.id for h in handovers.values()])).tuples()):
            done_steps.setdefault(hid, set()).add(step)
    return done_steps


def _open_defects(home_ids) -> dict[int, int]:
    defects: dict[int, int] = {}
    for home_id, in (Defect.select(Defect.home)
                     .where(Defect.home.in_(home_ids) & (Defect.status != "已关闭")).tuples()):
        defects[home_id] = defects.get(home_id, 0) + 1
    return defects


def _owner_names(home_ids) -> dict[int, str]:
    owners = {}
    for home_id, name in (HomeOwner.select(HomeOwner.home, Owner.name).join(Owner)
                          .where(HomeOwner.home.in_(home_ids) & HomeOwner.until.is_null())
                          .order_by(HomeOwner.is_primary.desc()).tuples()):
        owners.setdefault(home_id, name)
    return owners


def _stage(home, h, done_steps) -> str | None:
    """Where a home stands on the board; None for a home handed over before the system."""
    if h is None:
        return "待办理" if home.state == "未交付" else None
    if h.status == "进行中":
        done = done_steps.get(h.id, set())
        return next((STEP_NAMES[c] for c in STEP_CODES if c not in done), "已完成")
    return h.status


def progress_board(event_id: int | None = None, cluster_id: int | None = None) -> Board:
    """Waiting, at each step, done, with defects: for an event's cluster or the whole site."""
    if event_id is not None:
        ev = get_or_404(HandoverEvent, event_id, message="找不到交房活动")
        cluster_id = ev.cluster_id
    hq = Home.select(Home.id, Home.room_code, Home.state)
    if cluster_id is not None:
        hq = hq.where(Home.cluster == cluster_id)
    homes = {h.id: h for h in hq}
    counts = {"待办理": 0, **{name: 0 for _c, name, _d in STEPS}, "已完成": 0, "有缺陷": 0}
    if not homes:
        return Board([], counts)
    handovers = _latest_handovers(list(homes))
    done_steps = _steps_done(handovers)
    defects = _open_defects(list(homes))
    owners = _owner_names(list(homes))
    rows = []
    for home_id, home in sorted(homes.items(), key=lambda kv: kv[1].room_code):
        h = handovers.get(home_id)
        stage = _stage(home, h, done_steps)
        if stage is None:
            continue  # handed over before the system: not on the board
        if stage in counts:
            counts[stage] += 1
        if defects.get(home_id):
            counts["有缺陷"] += 1
        rows.append(BoardRow(home_id, home.room_code, owners.get(home_id, ""), h.id if h else None, stage,
                             defects.get(home_id, 0), h.started_at if h else None))
    return Board(rows, counts)
