"""Visits to households (拜访: the 3-day visit after moving in, congratulations, key customers,
ordinary visits) and the monthly familiarity checks of the area managers (熟知率): recording
them, the 3-day visit due list, visit rates against their targets, familiarity rates, and the
rooms picked at random for a check."""
from __future__ import annotations

import datetime as dt
import random

from peewee import JOIN

from app.archives.common import get_row, pct, raw_rows
from app.archives.listing import home_rows, owner_flag_homes
from app.core import validation as v
from app.core.audit import model_dict, record
from app.core.errors import ValidationError
from app.core.permissions import require
from models.archive import FamiliarityCheck, Visit
from models.people import HomeOwner, Owner
from models.property import Building, Home
from models.users import User

VISIT_MOVEIN = "入住三日回访"
VISIT_KINDS = [VISIT_MOVEIN, "入住祝贺", "重点客户拜访", "日常拜访"]
SATISFACTION_MIN, SATISFACTION_MAX = 1, 5
MONTHS_PER_QUARTER = 3


# visits ---------------------------------------------------------------------------

def _check_visit(ctx, data: dict) -> dict:
    kind = v.check_choice(data.get("kind"), VISIT_KINDS, "拜访类型")
    visit_date = v.parse_date(data.get("visit_date"), "拜访日期")
    if visit_date > ctx.clock.today():
        raise ValidationError("拜访日期", "不能晚于今天")
    sat = data.get("satisfaction")
    if sat not in (None, ""):
        try:
            sat = int(sat)
        except (TypeError, ValueError):
            raise ValidationError("满意度", "应为1到5分") from None
        if not SATISFACTION_MIN <= sat <= SATISFACTION_MAX:
            raise ValidationError("满意度", "应为1到5分")
    else:
        sat = None
    out = {"kind": kind, "visit_date": visit_date, "satisfaction": sat,
           "planned_date": v.parse_date(data.get("planned_date"), "计划日期", required=False),
           "safety_advice_given": bool(data.get("safety_advice_given")),
           "intercom_explained": bool(data.get("intercom_explained"))}
    for f in ("residents_info", "opinions", "questions", "notes"):
        out[f] = str(data.get(f) or "").strip()
    if kind == VISIT_MOVEIN and not out["residents_info"]:
        raise ValidationError("常住人员情况", "入住三日回访须记录住户情况")
    return out


def record_visit(ctx, home_id: int, data: dict) -> Visit:
    """Record a visit: kind (VISIT_KINDS), date, the script's answers (residents, opinions,
    questions, safety advice given, intercom explained), satisfaction 1–5."""
    require(ctx, "archive.visit")
    home = get_row(Home, home_id, "房屋")
    fields = _check_visit(ctx, data)
    owner_id = (HomeOwner.select(HomeOwner.owner).where((HomeOwner.home == home.id) & HomeOwner.until.is_null())
                .order_by(HomeOwner.is_primary.desc()).scalar())
    with ctx.db.atomic():
        visit = Visit.create(home=home.id, owner=owner_id, staff=getattr(ctx.user, "id", None),
                             created_at=ctx.clock.now(), **fields)
        record(ctx, "visit.create", "visit", visit.id, None, {**model_dict(visit), "home": home.room_code})
    return visit


def visits_for(ctx, home_id: int) -> list[dict]:
    q = (Visit.select(Visit, User.display_name.alias("staff_name"))
         .join(User, JOIN.LEFT_OUTER, on=(Visit.staff == User.id))
         .where(Visit.home == home_id).order_by(Visit.visit_date.desc(), Visit.id.desc()).objects())
    return [{"id": x.id, "kind": x.kind, "visit_date": x.visit_date, "staff": x.staff_name or "",
             "residents_info": x.residents_info, "opinions": x.opinions, "questions": x.questions,
             "safety_advice_given": x.safety_advice_given, "intercom_explained": x.intercom_explained,
             "satisfaction": x.satisfaction, "notes": x.notes} for x in q]


def movein_visit_due(ctx, overdue_days: int = 30) -> list[dict]:
    """Homes that moved in within ``customer.movein_visit_days`` (3) days and have no 3-day visit
    yet (due), plus those past the deadline in the last *overdue_days* days (overdue)."""
    require(ctx, "archive.view")
    today = ctx.clock.today()
    n = int(ctx.settings.get("customer.movein_visit_days"))
    since = today - dt.timedelta(days=n + overdue_days)
    visited = Visit.select(Visit.home).where(Visit.kind == VISIT_MOVEIN)
    q = (Home.select(Home.id, Home.room_code, Home.move_in_date)
         .where((Home.move_in_date >= since) & (Home.move_in_date <= today) & Home.id.not_in(visited))
         .order_by(Home.move_in_date, Home.room_code).tuples())
    ids = [r[0] for r in q]
    names = {r["id"]: r["owners"] for r in home_rows(ctx, ids)} if ids else {}
    out = []
    for hid, room, move_in in q:
        deadline = move_in + dt.timedelta(days=n)
        out.append({"home_id": hid, "room_code": room, "owners": names.get(hid, ""), "move_in_date": move_in,
                    "deadline": deadline, "overdue": today > deadline, "days_left": (deadline - today).days})
    return out


def _quarter_start(d: dt.date) -> dt.date:
    return dt.date(d.year, MONTHS_PER_QUARTER * ((d.month - 1) // MONTHS_PER_QUARTER) + 1, 1)


def visit_rates(ctx) -> dict:
    """Key customers visited this quarter (target ``customer.key_visit_pct_quarter`` 100%) and ordinary
    moved-in households visited this year (target ``customer.ordinary_visit_pct_year`` 80%)."""
    require(ctx, "archive.view")
    today = ctx.clock.today()
    key_homes = set(h for (h,) in owner_flag_homes(Owner.is_key_customer).tuples())
    moved_in = set(h for (h,) in Home.select(Home.id).where(Home.move_in_date <= today)
                   .where(Home.id.in_(HomeOwner.select(HomeOwner.home).where(HomeOwner.until.is_null()))).tuples())
    ordinary = moved_in - key_homes
    q_start, y_start = _quarter_start(today), dt.date(today.year, 1, 1)
    key_visited = set(h for (h,) in Visit.select(Visit.home).where(
        (Visit.visit_date >= q_start) & (Visit.visit_date <= today)).distinct().tuples()) & key_homes
    ord_visited = set(h for (h,) in Visit.select(Visit.home).where(
        (Visit.visit_date >= y_start) & (Visit.visit_date <= today)).distinct().tuples()) & ordinary
    key_target = int(ctx.settings.get("customer.key_visit_pct_quarter"))
    ord_target = int(ctx.settings.get("customer.ordinary_visit_pct_year"))
    key_pct, ord_pct = pct(len(key_visited), len(key_homes)), pct(len(ord_visited), len(ordinary))
    return {
        "quarter_start": q_start, "year_start": y_start,
        "key_homes": len(key_homes), "key_visited": len(key_visited), "key_pct": key_pct, "key_target": key_target,
        "key_met": key_pct is None or key_pct >= key_target,
        "ordinary_homes": len(ordinary), "ordinary_visited": len(ord_visited), "ordinary_pct": ord_pct,
        "ordinary_target": ord_target, "ordinary_met": ord_pct is None or ord_pct >= ord_target,
        "key_not_visited": sorted(key_homes - key_visited),
    }


# familiarity (熟知率) ----------------------------------------------------------------

def record_familiarity(ctx, home_id: int, data: dict) -> FamiliarityCheck:
    """The manager names a room; record whether the area manager knew the owner's name, employer,
    family and payment state, and (after phoning) whether the owner knows the area manager."""
    require(ctx, "archive.familiarity")
    home = get_row(Home, home_id, "房屋")
    month = str(data.get("month") or ctx.clock.today().strftime("%Y-%m")).strip()
    try:
        dt.datetime.strptime(month, "%Y-%m")
    except ValueError:
        raise ValidationError("检查月份", "应为“年-月”，如 2026-11") from None
    am = data.get("area_manager_id") or home.building.area_manager_id
    if am is None:
        raise ValidationError("客服管理员", f"{home.building.name or home.building.code}未指定客服管理员")
    get_row(User, am, "客服管理员")
    okm = data.get("owner_knows_manager")
    with ctx.db.atomic():
        chk = FamiliarityCheck.create(
            month=month, home=home.id, area_manager=am, checked_by=getattr(ctx.user, "id", None),
            knew_name=bool(data.get("knew_name")), knew_employer=bool(data.get("knew_employer")),
            knew_family=bool(data.get("knew_family")), knew_payment=bool(data.get("knew_payment")),
            owner_knows_manager=None if okm is None else bool(okm), notes=str(data.get("notes") or "").strip(),
            created_at=ctx.clock.now())
        record(ctx, "familiarity.create", "familiarity_check", chk.id, None,
               {**model_dict(chk), "home": home.room_code})
    return chk


def check_passed(chk) -> bool:
    """A check passes when the area manager knew all four: name, employer, family, payment state."""
    return bool(chk.knew_name and chk.knew_employer and chk.knew_family and chk.knew_payment)


def familiarity_for(ctx, home_id: int) -> list[dict]:
    q = (FamiliarityCheck.select(FamiliarityCheck, User.display_name.alias("manager_name"))
         .join(User, JOIN.LEFT_OUTER, on=(FamiliarityCheck.area_manager == User.id))
         .where(FamiliarityCheck.home == home_id)
         .order_by(FamiliarityCheck.month.desc(), FamiliarityCheck.id.desc()).objects())
    return [{"id": c.id, "month": c.month, "area_manager": c.manager_name or "",
             "knew_name": c.knew_name, "knew_employer": c.knew_employer, "knew_family": c.knew_family,
             "knew_payment": c.knew_payment, "owner_knows_manager": c.owner_knows_manager,
             "passed": check_passed(c), "notes": c.notes} for c in q]


def familiarity_rates(ctx, month: str | None = None) -> list[dict]:
    """Per area manager for *month*: checks, passed, 熟知率 (passed / checks) against
    ``customer.familiarity_target_pct``, and the share of phoned owners who knew their manager."""
    require(ctx, "archive.view")
    month = month or ctx.clock.today().strftime("%Y-%m")
    target = int(ctx.settings.get("customer.familiarity_target_pct"))
    agg: dict = {}
    names = {}
    for c in FamiliarityCheck.select().where(FamiliarityCheck.month == month):
        a = agg.setdefault(c.area_manager_id, [0, 0, 0, 0])
        a[0] += 1
        a[1] += check_passed(c)
        if c.owner_knows_manager is not None:
            a[2] += 1
            a[3] += bool(c.owner_knows_manager)
    for u in User.select().where(User.id.in_([k for k in agg if k is not None])):
        names[u.id] = u.display_name
    out = []
    for am, (n, passed, calls, knew) in sorted(agg.items(), key=lambda kv: names.get(kv[0], "")):
        rate = pct(passed, n)
        out.append({"area_manager_id": am, "area_manager": names.get(am, "（未指定）"), "month": month,
                    "checks": n, "passed": passed, "pct": rate, "target": target,
                    "met": rate is not None and rate >= target,
                    "calls": calls, "owner_knew": knew, "owner_pct": pct(knew, calls)})
    return out


def area_managers(ctx) -> list[dict]:
    return [{"id": u.id, "name": u.display_name} for u in
            User.select().where((User.role == "area_manager") & (User.active == True)).order_by(User.display_name)]  # noqa: E712



def pick_familiarity_rooms(ctx, area_manager_id: int, count: int = 5, month: str | None = None,
                           seed: int | None = None) -> list[dict]:
    """Rooms for the monthly familiarity check (000 应会 1.5): *count* moved-in homes with an owner,
    in the buildings of the area manager, not yet checked this month, picked at random."""
    require(ctx, "archive.familiarity")
    month = month or ctx.clock.today().strftime("%Y-%m")
    checked = FamiliarityCheck.select(FamiliarityCheck.home).where(FamiliarityCheck.month == month)
    owned = HomeOwner.select(HomeOwner.home).where(HomeOwner.until.is_null())
    ids = [h for (h,) in raw_rows(ctx, Home.select(Home.id).join(Building, on=(Home.building == Building.id))
                              .where((Building.area_manager == area_manager_id) & Home.move_in_date.is_null(False)
                                     & Home.id.in_(owned) & Home.id.not_in(checked)).order_by(Home.id))]
    rng = random.Random(seed)
    chosen = sorted(rng.sample(ids, min(count, len(ids))))
    return home_rows(ctx, chosen)

