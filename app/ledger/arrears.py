"""Arrears (欠费): per household, per area manager, per building and cluster, ageing (months owed).

A charge is in arrears when it is past its due date and not fully paid. Deposits and the
prepayment request are not arrears (nothing is owed to the site until they are taken).
``refresh_arrears_flags`` sets models.people.Owner.arrears_flag from the ledger.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from peewee import JOIN, fn

from app.core import audit
from app.core.dates import as_date
from app.core.privacy import mask_phone
from models.ledger import Charge
from models.people import HomeOwner, Owner
from models.property import Building, Cluster, Home
from models.users import User

NOT_ARREARS = ("deposit", "prepay")


def overdue_where(as_of: dt.date):
    """The peewee condition of a charge in arrears on ``as_of``: past due, not fully paid, and
    neither a deposit nor the prepayment request."""
    return ((Charge.paid_fen < Charge.amount_fen) & (Charge.category.not_in(NOT_ARREARS))
            & (Charge.due_date < as_of))


@dataclass
class HomeArrears:
    home_id: int
    room_code: str
    building: str
    cluster: str
    area_manager: str
    owners: str
    phone: str                 # masked
    owed_fen: int
    charges: int
    months: int                # months owed (distinct periods, one-offs count as their month)
    oldest_due: dt.date | None
    items: list = field(default_factory=list)


def home_arrears(ctx, as_of: dt.date | None = None, *, building_id=None, cluster_id=None,
                 area_manager_id=None, home_ids=None) -> list[HomeArrears]:
    """Households in arrears on ``as_of`` (default today), largest first."""
    as_of = as_of or ctx.clock.today()
    period_expr = fn.COALESCE(Charge.period, fn.SUBSTR(Charge.due_date.cast("VARCHAR(10)"), 1, 7))
    q = (Charge.select(Charge.home, fn.SUM(Charge.amount_fen - Charge.paid_fen), fn.COUNT(Charge.id),
                       fn.COUNT(period_expr.distinct()), fn.MIN(Charge.due_date))
         .join(Home).where(overdue_where(as_of)).group_by(Charge.home))
    if building_id:
        q = q.where(Home.building == building_id)
    if cluster_id:
        q = q.where(Home.cluster == cluster_id)
    if area_manager_id:
        q = q.where(Home.building.in_(Building.select(Building.id).where(Building.area_manager == area_manager_id)))
    if home_ids is not None:
        q = q.where(Charge.home.in_(list(home_ids)))
    agg = {r[0]: r[1:] for r in q.tuples()}
    if not agg:
        return []
    info = {}
    hq = (Home.select(Home.id, Home.room_code, Building.name, Cluster.code, Cluster.name, User.display_name)
          .join(Building, on=(Home.building == Building.id))
          .join(User, on=(Building.area_manager == User.id), join_type=JOIN.LEFT_OUTER)
          .switch(Home).join(Cluster, on=(Home.cluster == Cluster.id))
          .where(Home.id.in_(list(agg))).tuples())
    for hid, room, bname, ccode, cname, am in hq:
        info[hid] = (room, bname, f"{ccode}组团 {cname}", am or "")
    owners: dict[int, list] = {}
    oq = (HomeOwner.select(HomeOwner.home, Owner.name, Owner.phone).join(Owner)
          .where(HomeOwner.home.in_(list(agg)) & HomeOwner.until.is_null())
          .order_by(HomeOwner.home, HomeOwner.is_primary.desc(), Owner.id).tuples())
    for hid, name, phone in oq:
        owners.setdefault(hid, []).append((name, phone))
    out = []
    for hid, (owed, n, months, oldest) in agg.items():
        room, bname, cname, am = info.get(hid, ("", "", "", ""))
        ow = owners.get(hid, [])
        out.append(HomeArrears(hid, room, bname, cname, am, "、".join(o[0] for o in ow),
                               mask_phone(ow[0][1]) if ow else "", int(owed), int(n), int(months), as_date(oldest)))
    out.sort(key=lambda a: (-a.owed_fen, a.room_code))
    return out


def home_open_items(ctx, home_id, as_of: dt.date | None = None) -> list[Charge]:
    """The overdue unpaid charges of one home (for a notice or the arrears view)."""
    as_of = as_of or ctx.clock.today()
    return list(Charge.select().where(overdue_where(as_of) & (Charge.home == home_id))
                .order_by(Charge.due_date, Charge.id))


def summary_by(ctx, by: str = "area_manager", as_of: dt.date | None = None) -> list[dict]:
    """Arrears grouped by 'area_manager', 'building' or 'cluster': households, owed, charges."""
    rows = home_arrears(ctx, as_of)
    key = {"area_manager": lambda a: a.area_manager or "（未指定）", "building": lambda a: a.building,
           "cluster": lambda a: a.cluster}[by]
    groups: dict[str, dict] = {}
    for a in rows:
        g = groups.setdefault(key(a), {"name": key(a), "homes": 0, "owed_fen": 0, "charges": 0})
        g["homes"] += 1
        g["owed_fen"] += a.owed_fen
        g["charges"] += a.charges
    return sorted(groups.values(), key=lambda g: -g["owed_fen"])


AGEING_BUCKETS = ((1, 1, "1个月"), (2, 2, "2个月"), (3, 3, "3个月"), (4, 6, "4–6个月"), (7, 12, "7–12个月"),
                  (13, 10 ** 6, "12个月以上"))


def ageing(ctx, as_of: dt.date | None = None) -> list[dict]:
    """Households and amounts by months owed."""
    rows = home_arrears(ctx, as_of)
    out = [{"label": label, "homes": 0, "owed_fen": 0} for _lo, _hi, label in AGEING_BUCKETS]
    for a in rows:
        for i, (lo, hi, _label) in enumerate(AGEING_BUCKETS):
            if lo <= max(a.months, 1) <= hi:
                out[i]["homes"] += 1
                out[i]["owed_fen"] += a.owed_fen
                break
    return out


def refresh_arrears_flags(ctx, as_of: dt.date | None = None, home_ids=None) -> dict:
    """Set Owner.arrears_flag for the current owners of homes in arrears, clear it for the others
    (all owners, or only the owners of ``home_ids``). Returns {"set": n, "cleared": n}."""
    as_of = as_of or ctx.clock.today()
    in_arrears = (HomeOwner.select(HomeOwner.owner).join(Charge, on=(Charge.home == HomeOwner.home))
                  .where(HomeOwner.until.is_null() & overdue_where(as_of)))
    set_cond = (Owner.arrears_flag == False) & Owner.id.in_(in_arrears)  # noqa: E712
    clear_cond = (Owner.arrears_flag == True) & Owner.id.not_in(in_arrears)  # noqa: E712
    if home_ids is not None:
        scope = Owner.id.in_(HomeOwner.select(HomeOwner.owner).where(HomeOwner.home.in_(list(home_ids))))
        set_cond, clear_cond = set_cond & scope, clear_cond & scope
    with ctx.db.atomic():
        n_set = Owner.update(arrears_flag=True).where(set_cond).execute()
        n_clear = Owner.update(arrears_flag=False).where(clear_cond).execute()
        if n_set or n_clear:
            audit.record(ctx, "ledger.arrears_flags", "owner", "", None, {"set": n_set, "cleared": n_clear,
                                                                          "as_of": as_of.isoformat()})
    return {"set": n_set, "cleared": n_clear}
