"""Demo sites: 天伦庄园 (292 homes) and 万兴现代城 (the five clusters of domain.md §1).

``build_site(ctx, "tianlun")`` fills an empty database with a realistic site, each part from
its own module: the plans (``specs``), structure and home states (``structure``), owners,
families and tenants (``people``), the archive checklist and visits (``records``), and the
staff accounts. Rows go in with one executemany a table (``base``) inside one transaction. At
the end each area's ``app/demo/<area>.py`` adds its own rows with ``populate(ctx, rng)``
(EXTENSIONS), each in its own transaction.

``build_large(ctx, homes)`` builds a big plain site for the benchmarks.
"""
from __future__ import annotations

import random
import time

from app.archives import search
from app.archives.owners import identity_fields
from app.core.audit import record
from app.core.errors import StateError, ValidationError
from app.core.pinyin import name_key
from app.demo import frontdesk as demo_frontdesk
from app.demo import keys as demo_keys
from app.demo import ledger as demo_ledger
from app.demo import loans as demo_loans
from app.demo import movein as demo_movein
from app.demo import notices as demo_notices
from app.demo import parking as demo_parking
from app.demo import renovation as demo_renovation
from app.demo import service as demo_service
from app.demo.base import batched_insert, chance, insert_returning_ids, months_ago
from app.demo.people import MALE_OWNER, People, populate_people
from app.demo.records import populate_archive, populate_visits
from app.demo.specs import AREA_MANAGERS, DEMO_PASSWORD, SITES, STAFF, TIANLUN, WANXING
from app.demo.structure import assign_states, build_structure, layout_tianlun, layout_wanxing, populate_parking
from models.people import HomeOwner, Owner
from models.property import Building, Cluster, Entrance, Home
from models.users import User

# each area's demo rows (app/demo/<area>.py), added in this order after the site is built
EXTENSIONS = {"keys": demo_keys.populate, "loans": demo_loans.populate, "ledger": demo_ledger.populate,
              "movein": demo_movein.populate, "renovation": demo_renovation.populate,
              "service": demo_service.populate, "parking": demo_parking.populate,
              "frontdesk": demo_frontdesk.populate,
              "notices": demo_notices.populate}


def ensure_users() -> dict[str, User]:
    """The demo staff accounts (password DEMO_PASSWORD), created where missing."""
    out = {}
    demo_hash = None
    for username, display, role in STAFF:
        user = User.get_or_none(User.username == username)
        if user is None:
            if demo_hash is None:
                from app.system.accounts import hash_password
                demo_hash = hash_password(DEMO_PASSWORD)
            user = User.create(username=username, display_name=display, role=role, password_hash=demo_hash)
        out[username] = user
    return out


def _refuse_a_used_database(what: str) -> None:
    existing = Home.select().count()
    if existing:
        raise StateError(f"数据库中已有 {existing} 户房屋，{what}")


def build_site(ctx, site: str, seed: int = 1, extensions: bool = True) -> dict:
    """Fill an empty database with the demo site *site* (tianlun or wanxing). Returns a summary."""
    if site not in SITES:
        raise ValidationError("演示小区", f"“{site}”无效，应为：{'、'.join(SITES)}")
    _refuse_a_used_database("演示数据只能建在空数据库中；请用 --data-dir 指定新的数据目录")
    started = time.perf_counter()
    rng = random.Random(seed)
    today = ctx.clock.today()
    people = People(rng, today)
    spec = TIANLUN if site == "tianlun" else WANXING
    with ctx.db.atomic():
        staff = ensure_users()
        if getattr(ctx.user, "id", None) is None:   # the command line on an empty site: act as its manager
            ctx = ctx.with_user(staff["manager"])
        area_managers = [staff[u] for u in AREA_MANAGERS]
        layout = layout_tianlun() if site == "tianlun" else layout_wanxing()
        home_rows, meta = build_structure(layout, area_managers, rng)
        states = assign_states(site, meta, rng, today)
        for row, st in zip(home_rows, states, strict=True):
            row.update(st)
        home_ids = insert_returning_ids(Home, home_rows)
        for m, hid, row in zip(meta, home_ids, home_rows, strict=True):
            m.update(id=hid, state=row["state"], move_in=row["move_in_date"], handover=row["handover_date"])
        counts = populate_people(ctx, meta, people, rng, today)
        counts["parking"] = populate_parking(spec, meta, counts.pop("_owners_by_home"), rng)
        counts["archive_documents"] = populate_archive(meta, rng)
        counts["visits"] = populate_visits(meta, counts.pop("_primary"), rng, today, staff["manager"])
        search.index_homes(None)
        _apply_settings(ctx, spec, len(meta), len(layout))
        summary = _summary(site, spec)
        record(ctx, "demo.build", "site", site, None, {"homes": summary["homes"], "seed": seed})
    ctx.settings.save()
    summary.update({k: v for k, v in counts.items() if not k.startswith("_")})
    summary["extensions"], summary["extension_errors"] = run_extensions(ctx, rng) if extensions else ([], [])
    summary["clusters"] = cluster_counts()      # as the areas' demo rows left them
    summary["seconds"] = round(time.perf_counter() - started, 2)
    return summary


def _apply_settings(ctx, spec, homes, buildings):
    above, under = spec["parking"]
    ctx.settings.update({
        "site.name": spec["name"], "site.address": spec["address"], "site.postcode": spec["postcode"],
        "site.police_station": spec["police"], "site.homes": homes, "site.buildings": buildings,
        "site.parking_above": above, "site.parking_under": under, "site.land_area": spec["land_area"],
        "site.floor_area": spec["floor_area"], "site.schools": spec["schools"],
        "site.service_phone": spec["service_phone"], "company.name": spec["company"],
        "company.legal_rep": spec["legal_rep"], "company.qualification": spec["qualification"],
        "company.service_standard": spec["service_standard"],
    })


def cluster_counts() -> dict[str, dict[str, int]]:
    """Per cluster code: homes, renovated (装修中 or moved in) and moved in (已入住/出租)."""
    out: dict[str, dict[str, int]] = {}
    q = (Home.select(Cluster.code, Home.state).join(Cluster, on=(Home.cluster == Cluster.id)).tuples())
    for code, state in q:
        c = out.setdefault(code, {"homes": 0, "renovated": 0, "moved_in": 0})
        c["homes"] += 1
        if state in ("装修中", "已入住", "出租"):
            c["renovated"] += 1
        if state in ("已入住", "出租"):
            c["moved_in"] += 1
    return out


def _summary(site, spec) -> dict:
    states: dict[str, int] = {}
    for (state,) in Home.select(Home.state).tuples():
        states[state] = states.get(state, 0) + 1
    return {"site": site, "name": spec["name"], "homes": Home.select().count(),
            "buildings": Building.select().count(), "clusters": cluster_counts(), "states": states,
            "users": User.select().count()}


def run_extensions(ctx, rng) -> tuple[list[str], list[tuple[str, str]]]:
    """Each area's demo rows, each in its own transaction: one area's failure leaves the site
    and the other areas' rows in place and is reported as (area, message)."""
    done, failed = [], []
    for name, populate in EXTENSIONS.items():
        try:
            with ctx.db.atomic():
                populate(ctx, rng)
        except Exception as exc:  # another area's defect must not lose the site just built
            failed.append((name, f"{type(exc).__name__}: {exc}"))
            continue
        done.append(name)
    return done, failed


# ---------------------------------------------------------------------------------------------
LARGE_PER_BUILDING = 72        # 高层 of 2 entrances × 18 floors × 2 homes
LARGE_BUILDINGS_PER_CLUSTER = 40
LARGE_FLOORS = 18
LARGE_MOVED_IN = 0.8


def _large_home_rows(clusters, n_buildings, homes, rng, today) -> list[dict]:
    names = ("entrance", "building", "cluster", "room_code", "floor", "area_x100", "house_type", "state",
             "handover_date", "move_in_date", "occupancy", "developer_done", "notes")
    home_rows = []
    left = homes
    for b in range(n_buildings):
        cluster = clusters[b // LARGE_BUILDINGS_PER_CLUSTER]
        building = Building.create(cluster=cluster, code=str(b + 1), name=f"{b + 1}号楼", floors=LARGE_FLOORS,
                                   sort_order=b)
        ents = [Entrance.create(building=building, code=str(e)) for e in (1, 2)]
        for e in (1, 2):
            for floor in range(1, LARGE_FLOORS + 1):
                for k in (1, 2):
                    if left <= 0:
                        break
                    left -= 1
                    moved = chance(rng, LARGE_MOVED_IN)
                    mi = months_ago(today, rng.uniform(0.2, 60)) if moved else None
                    home_rows.append((ents[e - 1].id, building.id, cluster.id, f"{b + 1}-{e}-{floor}{k:02d}", floor,
                                      rng.choice((8960, 11230, 13650)), "高层", "已入住" if moved else "空置",
                                      mi, mi, "自住" if moved else "空置", True, ""))
    return [dict(zip(names, r, strict=True)) for r in home_rows]


def build_large(ctx, homes: int = 50000, seed: int = 7) -> dict:
    """A big plain site for benchmarks: *homes* homes in 高层 buildings of 2×18×2, one owner each
    (valid encrypted identity numbers), the search index built. Needs an empty database."""
    _refuse_a_used_database("基准数据只能建在空数据库中")
    started = time.perf_counter()
    rng = random.Random(seed)
    today = ctx.clock.today()
    people = People(rng, today)
    with ctx.db.atomic():
        ensure_users()
        n_buildings = (homes + LARGE_PER_BUILDING - 1) // LARGE_PER_BUILDING
        n_clusters = max(1, (n_buildings + LARGE_BUILDINGS_PER_CLUSTER - 1) // LARGE_BUILDINGS_PER_CLUSTER)
        clusters = [Cluster.create(code=f"Z{c + 1}", name=f"第{c + 1}组团", sort_order=c) for c in range(n_clusters)]
        home_ids = insert_returning_ids(Home, _large_home_rows(clusters, n_buildings, homes, rng, today))
        owner_rows = []
        for _ in home_ids:
            male = chance(rng, MALE_OWNER)
            birth = people.birth(25, 75)
            number = people.identity(birth, male)
            owner_rows.append({"name": people.name(male), "gender": "男" if male else "女", "birth_date": birth,
                               "phone": people.mobile(), **identity_fields(ctx, number)})
        owner_ids = insert_returning_ids(Owner, [{**o, "name_pinyin": name_key(o["name"])} for o in owner_rows])
        batched_insert(HomeOwner, [{"home": h, "owner": o, "is_primary": True}
                                   for h, o in zip(home_ids, owner_ids, strict=True)])
        search.index_homes(None)
        ctx.settings.update({"site.name": "基准测试小区", "site.homes": len(home_ids), "site.buildings": n_buildings})
        record(ctx, "demo.build_large", "site", "large", None, {"homes": len(home_ids)})
    ctx.settings.save()
    return {"homes": len(home_ids), "owners": len(owner_ids), "buildings": n_buildings,
            "seconds": round(time.perf_counter() - started, 2)}
