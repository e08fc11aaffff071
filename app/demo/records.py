"""The records the area managers keep on each household of a demo site: the archive checklist
(mostly complete, a few gaps), visits (three days after moving in, key customers this quarter,
ordinary ones) and last month's familiarity checks."""
from __future__ import annotations

import datetime as dt

from app.archives.checklist import ARCHIVE_DOCUMENTS
from app.demo.base import batched_insert, chance
from app.demo.people import OPINIONS
from models.archive import ArchiveDocument, FamiliarityCheck, Visit
from models.people import Owner

RENOVATION_DOCS = {"reno_agreement", "reno_notes", "water_pressure_test", "reno_application", "fire_undertaking"}
# How often things happen, as shares of the draws
SLOPPY_ARCHIVE = 0.12        # a household whose archive has gaps
MISSING_IN_SLOPPY = 0.35     # of a sloppy archive's documents, not on file
RECTIFICATION_NOTICE = 0.15  # homes that received a rectification notice
REPAIR_ORDER = 0.4
MOVE_IN_VISIT = 0.92
KEY_CUSTOMER_VISIT = 0.85
ORDINARY_VISIT = 0.55
FAMILIARITY_ROOMS = 10       # the manager names ten rooms a month
KNEW_NAME = 0.85
KNEW_DETAIL = 0.8            # employer, family; and the owner knows the manager
KNEW_PAYMENT = 0.9


def populate_archive(meta, rng) -> int:
    """The archive checklist: mostly complete, a few gaps (a quality-inspection fault)."""
    rows = []
    for m in meta:
        if m["state"] == "未交付":
            continue
        renovated = m["state"] in ("装修中", "已入住", "出租")
        received = m["handover"]
        sloppy = chance(rng, SLOPPY_ARCHIVE)
        for code, _name, _group in ARCHIVE_DOCUMENTS:
            if code in RENOVATION_DOCS and not renovated:
                continue
            if code == "rectification_notice" and not chance(rng, RECTIFICATION_NOTICE):
                continue
            if code == "repair_order" and not chance(rng, REPAIR_ORDER):
                continue
            on_file = not (sloppy and chance(rng, MISSING_IN_SLOPPY))
            rows.append({"home": m["id"], "doc_code": code, "on_file": on_file,
                         "received_at": received if on_file else None,
                         "received_by": m["manager"] if on_file else None, "notes": "" if on_file else "待业主补交"})
    batched_insert(ArchiveDocument, rows)
    return len(rows)


def _visits_of(m, owner, key_ids, rng, today) -> list[dict]:
    base = {"home": m["id"], "owner": owner, "staff": m["manager"], "residents_info": "", "opinions": "",
            "questions": "", "safety_advice_given": False, "intercom_explained": False, "satisfaction": None,
            "notes": "", "planned_date": None, "created_at": dt.datetime.combine(today, dt.time(9, 0))}
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    rows = []
    if m["move_in"] and chance(rng, MOVE_IN_VISIT):
        d = m["move_in"] + dt.timedelta(days=rng.randint(1, 3))
        if d <= today:
            rows.append({**base, "kind": "入住三日回访", "planned_date": m["move_in"] + dt.timedelta(days=3),
                         "visit_date": d, "residents_info": "常住人员已登记", "opinions": rng.choice(OPINIONS),
                         "questions": rng.choice(["无", "询问燃气开通流程", "询问宽带办理", "询问装修垃圾清运"]),
                         "safety_advice_given": True, "intercom_explained": True,
                         "satisfaction": rng.choice([4, 5, 5, 5, 3])})
    if owner in key_ids and chance(rng, KEY_CUSTOMER_VISIT):
        d = quarter_start + dt.timedelta(days=rng.randint(0, max(0, (today - quarter_start).days)))
        rows.append({**base, "kind": "重点客户拜访", "visit_date": d, "opinions": rng.choice(OPINIONS),
                     "satisfaction": rng.choice([4, 5])})
    if m["move_in"] and chance(rng, ORDINARY_VISIT):
        d = today - dt.timedelta(days=rng.randint(1, 360))
        if d > m["move_in"]:
            rows.append({**base, "kind": "日常拜访", "visit_date": d, "opinions": rng.choice(OPINIONS),
                         "satisfaction": rng.choice([3, 4, 4, 5, 5])})
    return rows


def _familiarity_checks(meta, rng, today, manager) -> list[dict]:
    """Last month's familiarity checks: the manager names ten rooms."""
    moved = [m for m in meta if m["move_in"]]
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    checks = []
    for m in rng.sample(moved, min(FAMILIARITY_ROOMS, len(moved))):
        knew = chance(rng, KNEW_NAME)
        checks.append({"month": last_month, "home": m["id"], "area_manager": m["manager"],
                       "checked_by": manager.id, "knew_name": knew, "knew_employer": knew and chance(rng, KNEW_DETAIL),
                       "knew_family": knew and chance(rng, KNEW_DETAIL), "knew_payment": chance(rng, KNEW_PAYMENT),
                       "owner_knows_manager": chance(rng, KNEW_DETAIL), "notes": "",
                       "created_at": dt.datetime.combine(today.replace(day=1) - dt.timedelta(days=3), dt.time(10))})
    return checks


def populate_visits(meta, primary, rng, today, manager) -> int:
    """Visits to each home's primary owner and last month's familiarity checks; returns the visits."""
    key_ids = {i for (i,) in Owner.select(Owner.id).where(Owner.is_key_customer == True).tuples()}  # noqa: E712
    rows = []
    for m in meta:
        owner = primary.get(m["id"])
        if owner is not None:
            rows.extend(_visits_of(m, owner, key_ids, rng, today))
    batched_insert(Visit, rows)
    batched_insert(FamiliarityCheck, _familiarity_checks(meta, rng, today, manager))
    return len(rows)
