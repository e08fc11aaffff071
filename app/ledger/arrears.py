"""Arrears (欠费): per household, per area manager, per building and cluster, ageing (months owed).

A charge is in arrears when it is past its due date and not fully paid. Deposits and the
prepayment request are not arrears (nothing is owed to the site until they are taken).
``refresh_arrears_flags`` sets models.people.Owner.arrears_flag from the ledger.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from peewee import JOIN

from app.core import audit
from app.core.dates import as_date
from app.core.privacy import mask_phone
from app.ledger.balances import months_owed, overdue_by_home, owing_homes
from models.balances import ChargeBalance
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


def open_overdue(as_of: dt.date, home_ids=None) -> list[tuple]:
    """(home id, owed fen, period, due date) of every charge in arrears on ``as_of``, read from the
    partial index ``charge_open_due`` (models/ledger.py): its cost follows what is owed, not the
    years of paid history. Deliberately neither grouped nor distinct in SQL — SQLite without
    statistics would rather walk the whole (home, …) unique index to save the sort."""
    q = Charge.select(Charge.home, Charge.amount_fen - Charge.paid_fen, Charge.period, Charge.due_date)
    cond = overdue_where(as_of)
    if home_ids is not None:
        cond &= Charge.home.in_(list(home_ids))
    return list(q.where(cond).tuples())


def _homes_where(building_id, cluster_id, area_manager_id) -> set | None:
    if not (building_id or cluster_id or area_manager_id):
        return None
    q = Home.select(Home.id)
    if building_id:
        q = q.where(Home.building == building_id)
    if cluster_id:
        q = q.where(Home.cluster == cluster_id)
    if area_manager_id:
        q = q.where(Home.building.in_(Building.select(Building.id).where(Building.area_manager == area_manager_id)))
    return {r[0] for r in q.tuples()}


def home_arrears(ctx, as_of: dt.date | None = None, *, building_id=None, cluster_id=None,
                 area_manager_id=None, home_ids=None) -> list[HomeArrears]:
    """Households in arrears on ``as_of`` (default today), largest first."""
    as_of = as_of or ctx.clock.today()
    only = _homes_where(building_id, cluster_id, area_manager_id)
    if only is not None:
        home_ids = only if home_ids is None else only & {int(h) for h in home_ids}
    owed = overdue_by_home(as_of, home_ids)         # the balance tables: no open charge of the past read
    months = months_owed(as_of, list(owed)) if home_ids is not None else months_owed(as_of)
    agg = {hid: (fen, n, months.get(hid, 0), oldest) for hid, (fen, n, oldest) in owed.items()}
    if not agg:
        return []
    info = _home_info(list(agg))
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


def _home_info(home_ids: list[int]) -> dict[int, tuple]:
    """{home id: (room, building, cluster label, area manager)}."""
    info = {}
    for i in range(0, len(home_ids), 900):
        hq = (Home.select(Home.id, Home.room_code, Building.name, Cluster.code, Cluster.name, User.display_name)
              .join(Building, on=(Home.building == Building.id))
              .join(User, on=(Building.area_manager == User.id), join_type=JOIN.LEFT_OUTER)
              .switch(Home).join(Cluster, on=(Home.cluster == Cluster.id))
              .where(Home.id.in_(home_ids[i:i + 900])).tuples())
        for hid, room, bname, ccode, cname, am in hq:
            info[hid] = (room, bname, f"{ccode}组团 {cname}", am or "")
    return info


def home_open_items(ctx, home_id, as_of: dt.date | None = None) -> list[Charge]:
    """The overdue unpaid charges of one home (for a notice or the arrears view)."""
    as_of = as_of or ctx.clock.today()
    return list(Charge.select().where(overdue_where(as_of) & (Charge.home == home_id))
                .order_by(Charge.due_date, Charge.id))


def summary_by(ctx, by: str = "area_manager", as_of: dt.date | None = None) -> list[dict]:
    """Arrears grouped by 'area_manager', 'building' or 'cluster': households, owed, charges. Read
    from the per-home, per-item balance (app.ledger.balances): no open charge of the past is read."""
    as_of = as_of or ctx.clock.today()
    owed = overdue_by_home(as_of)
    info = _home_info(list(owed))
    key = {"area_manager": lambda i: i[3] or "（未指定）", "building": lambda i: i[1],
           "cluster": lambda i: i[2]}[by]
    groups: dict[str, dict] = {}
    for hid, (fen, n, _oldest) in owed.items():
        name = key(info.get(hid, ("", "", "", "")))
        g = groups.setdefault(name, {"name": name, "homes": 0, "owed_fen": 0, "charges": 0})
        g["homes"] += 1
        g["owed_fen"] += fen
        g["charges"] += n
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
    (all owners, or only the owners of ``home_ids``). Returns {"set": n, "cleared": n}.

    Both read the per-home, per-item balance (models/balances.py, kept by triggers): a home is in
    arrears when one of its items has ``oldest_due < as_of``; no charge is read. With ``home_ids``
    (a payment, a waiver, a void) only those homes' owners are looked at, and each owner's other
    homes, since one owner may hold several."""
    as_of = as_of or ctx.clock.today()
    with ctx.db.atomic():
        if home_ids is None:
            owing = (ChargeBalance.select(ChargeBalance.home_id)             # the balance (no charge read)
                     .where(ChargeBalance.oldest_due < as_of))
            in_arrears = HomeOwner.select(HomeOwner.owner).where(HomeOwner.until.is_null()
                                                                 & HomeOwner.home.in_(owing))
            n_set = (Owner.update(arrears_flag=True)
                     .where((Owner.arrears_flag == False) & Owner.id.in_(in_arrears)).execute())  # noqa: E712
            n_clear = (Owner.update(arrears_flag=False)
                       .where((Owner.arrears_flag == True) & Owner.id.not_in(in_arrears)).execute())  # noqa: E712
        else:
            n_set, n_clear = _refresh_homes(as_of, [int(h) for h in home_ids])
        if n_set or n_clear:
            audit.record(ctx, "ledger.arrears_flags", "owner", "", None, {"set": n_set, "cleared": n_clear,
                                                                          "as_of": as_of.isoformat()})
    return {"set": n_set, "cleared": n_clear}


def _refresh_homes(as_of: dt.date, home_ids: list[int]) -> tuple[int, int]:
    """The flags of the owners of ``home_ids``: a few indexed look-ups, whatever the history."""
    if not home_ids:
        return 0, 0
    owners = {o: flag for o, flag in Owner.select(Owner.id, Owner.arrears_flag)
              .join(HomeOwner, on=(HomeOwner.owner == Owner.id)).where(HomeOwner.home.in_(home_ids)).tuples()}
    if not owners:
        return 0, 0
    held = list(HomeOwner.select(HomeOwner.owner, HomeOwner.home)
                .where(HomeOwner.owner.in_(list(owners)) & HomeOwner.until.is_null()).tuples())
    homes = sorted({h for _o, h in held})
    owing = owing_homes(as_of, homes) if homes else set()
    in_arrears = {o for o, h in held if h in owing}
    to_set = [o for o, flag in owners.items() if o in in_arrears and not flag]
    to_clear = [o for o, flag in owners.items() if o not in in_arrears and flag]
    n_set = Owner.update(arrears_flag=True).where(Owner.id.in_(to_set)).execute() if to_set else 0
    n_clear = Owner.update(arrears_flag=False).where(Owner.id.in_(to_clear)).execute() if to_clear else 0
    return n_set, n_clear
