"""Owner archives (业主档案, domain.md §1–2): the services behind the archives tab.

Reading: ``structure_tree``, ``list_home_ids`` + ``home_rows`` (the table keeps ids and builds
rows a page at a time), ``home_detail``, ``owner_detail``, completeness rates, the 3-day visit
due list, visit rates and familiarity rates. Lists only ever carry masked phones and identity
numbers; ``reveal_owner_pii`` returns a full one to a permitted user and audits it.

Writing: owners (co-owners, linking an owner who holds several homes), residents and tenants,
home information, the structure (clusters, buildings, entrances, homes, parking spaces), the
archive checklist with scans, visits and familiarity checks. Each write: permission, validation
(ValidationError naming the field), one transaction with an audit row, search index refreshed.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN, fn

from app.archives import customers, search
from app.archives.checklist import ARCHIVE_DOCUMENTS, DOC_GROUPS, DOC_NAMES, mark_document
from app.archives.owners import identity_fields, owner_fields
from app.core import attachments
from app.core import validation as v
from app.core.audit import model_dict, record
from app.core.errors import NotFound, StateError, ValidationError
from app.core.permissions import require
from app.core.privacy import mask_phone
from models.archive import ArchiveDocument, FamiliarityCheck, HomeSearch, Visit
from models.people import HomeOwner, Owner, ParkingOwner, Resident
from models.property import HOME_STATES, HOUSE_TYPES, Building, Cluster, Entrance, Home, ParkingSpace
from models.system import Attachment
from models.users import User

__all__ = ["ARCHIVE_DOCUMENTS", "DOC_GROUPS", "DOC_NAMES"]

KEY_TAGS = ["媒体", "政府", "集团员工", "经理指定"]
VISIT_MOVEIN = "入住三日回访"
VISIT_KINDS = [VISIT_MOVEIN, "入住祝贺", "重点客户拜访", "日常拜访"]
OCCUPANCIES = ["自住", "出租", "空置"]
PARKING_LEVELS = ["地上", "地下"]
PARKING_STATES = ["空闲", "已售", "已租"]
DOC_CODES = [c for c, _n, _g in ARCHIVE_DOCUMENTS]
DOC_TOTAL = len(DOC_CODES)
OWNER_PHOTO = "owner_photo"
DOC_SCAN = "archive_document"


# helpers ---------------------------------------------------------------------

def _get(model, pk, label):
    obj = model.get_or_none(model.id == pk) if pk is not None else None
    if obj is None:
        raise NotFound(f"找不到该{label}（编号 {pk}）")
    return obj


def _pct(num: int, den: int) -> float | None:
    """A rate in percent with one decimal, None when there is nothing to count."""
    if not den:
        return None
    return round(num * 1000 / den) / 10


def fmt_pct(p: float | None) -> str:
    return "—" if p is None else f"{p:.1f}%"


def _tags(value) -> list[str]:
    if isinstance(value, str):
        items = [t.strip() for t in value.replace("，", ",").replace("、", ",").split(",")]
    else:
        items = [str(t).strip() for t in (value or [])]
    items = [t for t in items if t]
    bad = [t for t in items if t not in KEY_TAGS]
    if bad:
        raise ValidationError("重点客户类别", f"“{bad[0]}”无效，应为：{'、'.join(KEY_TAGS)}")
    return [t for t in KEY_TAGS if t in items]


def _category(ctx, move_in):
    return customers.category(ctx.settings, move_in, ctx.clock.today())


# structure tree ----------------------------------------------------------------

def _raw(ctx, query) -> list[tuple]:
    """The rows of a peewee query as plain tuples straight from the cursor (no per-row peewee work)."""
    sql, params = query.sql()
    return ctx.db.execute_sql(sql, params).fetchall()


def structure_tree(ctx) -> list[dict]:
    """Clusters → buildings → entrances with home counts, for the tree on the left."""
    require(ctx, "archive.view")
    counts = dict(_raw(ctx, Home.select(Home.entrance, fn.COUNT(Home.id)).group_by(Home.entrance)))
    entrances: dict[int, list] = {}
    for eid, bid, code in _raw(ctx, Entrance.select(Entrance.id, Entrance.building, Entrance.code).order_by(
            Entrance.building, Entrance.code)):
        entrances.setdefault(bid, []).append({"id": eid, "code": code, "label": f"{code}单元",
                                              "homes": counts.get(eid, 0)})
    buildings: dict[int, list] = {}
    for bid, cid, code, name, am in _raw(ctx, Building.select(Building.id, Building.cluster, Building.code,
                                                              Building.name, Building.area_manager)
                                         .order_by(Building.sort_order, Building.id)):
        ents = entrances.get(bid, [])
        buildings.setdefault(cid, []).append(
            {"id": bid, "code": code, "label": name or f"{code}号楼", "entrances": ents,
             "homes": sum(e["homes"] for e in ents), "area_manager_id": am})
    out = []
    for cid, code, name in Cluster.select(Cluster.id, Cluster.code, Cluster.name).order_by(
            Cluster.sort_order, Cluster.code).tuples():
        bs = buildings.get(cid, [])
        out.append({"id": cid, "code": code, "label": f"{code}组团 {name}".strip(), "buildings": bs,
                    "homes": sum(b["homes"] for b in bs)})
    return out


# the table of homes --------------------------------------------------------------

@dataclass
class HomeFilter:
    cluster_id: int | None = None
    building_id: int | None = None
    entrance_id: int | None = None
    state: str = ""
    category: str = ""            # customers.CATEGORIES, or "未入住"
    key_customer: bool = False
    arrears: bool = False
    incomplete: bool = False      # archive checklist not complete
    text: str = ""
    sort: str = "room"            # room, area, type, state, move_in, owner
    descending: bool = False


NOT_MOVED_IN = "未入住"
SORTS = ("room", "area", "type", "state", "move_in", "owner")


def _owner_flag_homes(flag):
    return (HomeOwner.select(HomeOwner.home).join(Owner)
            .where(HomeOwner.until.is_null() & (flag == True)))  # noqa: E712


def _complete_homes():
    return (ArchiveDocument.select(ArchiveDocument.home)
            .where((ArchiveDocument.on_file == True) & ArchiveDocument.doc_code.in_(DOC_CODES))  # noqa: E712
            .group_by(ArchiveDocument.home).having(fn.COUNT(ArchiveDocument.id) >= DOC_TOTAL))


def home_id_query(ctx, f: HomeFilter, hit_ids=None):
    """The peewee query of the ids of the homes matching *f* (text search aside), sorted; with
    *hit_ids*, only those homes."""
    q = Home.select(Home.id)
    conds = []
    if f.entrance_id:
        conds.append(Home.entrance == f.entrance_id)
    elif f.building_id:
        conds.append(Home.building == f.building_id)
    elif f.cluster_id:
        conds.append(Home.cluster == f.cluster_id)
    if f.state:
        conds.append(Home.state == f.state)
    if f.category:
        today = ctx.clock.today()
        if f.category == NOT_MOVED_IN:
            conds.append(Home.move_in_date.is_null() | (Home.move_in_date > today))
        else:
            after, up_to = customers.category_date_range(ctx.settings, f.category, today)
            if after is not None:
                conds.append(Home.move_in_date > after)
            conds.append(Home.move_in_date <= up_to)
    if f.key_customer:
        conds.append(Home.id.in_(_owner_flag_homes(Owner.is_key_customer)))
    if f.arrears:
        conds.append(Home.id.in_(_owner_flag_homes(Owner.arrears_flag)))
    if f.incomplete:
        conds.append(Home.id.not_in(_complete_homes()))
    if hit_ids is not None:
        conds.append(Home.id.in_(hit_ids))
    for c in conds:
        q = q.where(c)
    keys = {
        "room": [Home.building, Home.entrance, Home.room_code],
        "area": [Home.area_x100, Home.room_code],
        "type": [Home.house_type, Home.room_code],
        "state": [Home.state, Home.room_code],
        "move_in": [Home.move_in_date, Home.room_code],
    }
    if f.sort == "owner":
        # pinyin order of the first owner (安 < 白 < 陈 … 张 < 赵 < 周), ties by room code
        sub = (Owner.select(fn.MIN(Owner.name_pinyin)).join(HomeOwner)
               .where((HomeOwner.home == Home.id) & HomeOwner.until.is_null()))
        order = [fn.COALESCE(sub, "\uffff"), Home.room_code]   # homes without an owner last
    else:
        order = keys.get(f.sort, keys["room"])
    return q.order_by(*[(o.desc() if f.descending else o.asc()) for o in order])


def list_home_ids(ctx, f: HomeFilter | None = None, limit: int | None = None) -> list[int]:
    """Ids of the homes matching the filter, in display order (one fast query, ids only); with
    *limit*, only the first ones (the tab shows the first screen before loading the rest)."""
    require(ctx, "archive.view")
    f = f or HomeFilter()
    hits = None
    if f.text and f.text.strip():
        hits = search.search_home_ids(f.text)
        if not hits:
            return []
    if hits is not None and len(hits) <= IN_LIST_MAX:
        q = home_id_query(ctx, f, hits)
    else:
        q = home_id_query(ctx, f)
    if limit is not None and hits is None:
        q = q.limit(limit)
    sql, params = q.sql()
    cursor = ctx.db.execute_sql(sql, params)
    if hits is None or len(hits) <= IN_LIST_MAX:
        rows = cursor.fetchall()
        return [r[0] for r in (rows[:limit] if limit is not None else rows)]
    wanted = set(hits)
    out = []
    while True:
        chunk = cursor.fetchmany(2000)
        if not chunk:
            break
        out.extend(r[0] for r in chunk if r[0] in wanted)
        if limit is not None and len(out) >= limit:
            return out[:limit]
    return out


IN_LIST_MAX = 2000  # more search hits than this: filter the sorted id list in Python instead of IN (…)


COLUMNS = [
    ("room_code", "房号"), ("cluster", "组团"), ("building", "楼栋/单元"), ("area", "面积(㎡)"),
    ("house_type", "户型"), ("state", "状态"), ("owners", "业主"), ("phone", "联系电话"),
    ("id_masked", "身份证号"), ("move_in", "入住日期"), ("category", "客户类别"), ("key", "重点客户"),
    ("arrears", "欠费"), ("archive", "档案完整率"),
]


def home_rows(ctx, ids) -> list[dict]:
    """The table rows of the given homes, in the order given (phones and ids masked)."""
    ids = list(ids)
    if not ids:
        return []
    homes = {}
    q = (Home.select(Home.id, Home.room_code, Home.area_x100, Home.house_type, Home.state, Home.move_in_date,
                     Home.occupancy, Cluster.code, Cluster.name, Building.code, Entrance.code)
         .join(Cluster, on=(Home.cluster == Cluster.id))
         .switch(Home).join(Building, on=(Home.building == Building.id))
         .switch(Home).join(Entrance, on=(Home.entrance == Entrance.id))
         .where(Home.id.in_(ids)).tuples())
    for hid, room, area, htype, state, move_in, occ, ccode, cname, bcode, ecode in q:
        homes[hid] = {"id": hid, "room_code": room, "cluster": f"{ccode} {cname}".strip(),
                      "building": f"{bcode}号楼{ecode}单元", "area_x100": area, "area": v.fmt_area(area),
                      "house_type": htype, "state": state, "move_in_date": move_in,
                      "move_in": move_in.isoformat() if move_in else "", "occupancy": occ,
                      "category": _category(ctx, move_in), "owner_list": [], "phones": [], "ids": [],
                      "key_customer": False, "key_tags": [], "arrears": False, "docs_on_file": 0}
    oq = (HomeOwner.select(HomeOwner.home, Owner.name, Owner.phone, Owner.id_masked, Owner.is_key_customer,
                           Owner.key_customer_tags, Owner.arrears_flag)
          .join(Owner).where(HomeOwner.home.in_(ids) & HomeOwner.until.is_null())
          .order_by(HomeOwner.is_primary.desc(), HomeOwner.id).tuples())
    for hid, name, phone, idm, key, tags, arrears in oq:
        r = homes.get(hid)
        if r is None:
            continue
        r["owner_list"].append(name)
        if phone:
            r["phones"].append(mask_phone(phone))
        if idm:
            r["ids"].append(idm)
        r["key_customer"] = r["key_customer"] or bool(key)
        for t in (tags or "").split(","):
            if t and t not in r["key_tags"]:
                r["key_tags"].append(t)
        r["arrears"] = r["arrears"] or bool(arrears)
    dq = (ArchiveDocument.select(ArchiveDocument.home, fn.COUNT(ArchiveDocument.id))
          .where(ArchiveDocument.home.in_(ids) & (ArchiveDocument.on_file == True)  # noqa: E712
                 & ArchiveDocument.doc_code.in_(DOC_CODES))
          .group_by(ArchiveDocument.home).tuples())
    for hid, n in dq:
        if hid in homes:
            homes[hid]["docs_on_file"] = n
    out = []
    for hid in ids:
        r = homes.get(hid)
        if r is None:
            continue
        r["owners"] = "、".join(r["owner_list"])
        r["phone"] = r["phones"][0] if r["phones"] else ""
        r["id_masked"] = r["ids"][0] if r["ids"] else ""
        r["key"] = "、".join(r["key_tags"]) if r["key_tags"] else ("是" if r["key_customer"] else "")
        r["archive_pct"] = _pct(r["docs_on_file"], DOC_TOTAL)
        r["archive"] = f"{r['docs_on_file']}/{DOC_TOTAL}"
        r["arrears_text"] = "欠费" if r["arrears"] else ""
        out.append(r)
    return out


def list_homes(ctx, f: HomeFilter | None = None, limit: int | None = None) -> list[dict]:
    """The rows of the matching homes (convenience for reports, tests and exports)."""
    ids = list_home_ids(ctx, f)
    if limit is not None:
        ids = ids[:limit]
    out = []
    for i in range(0, len(ids), 500):
        out.extend(home_rows(ctx, ids[i:i + 500]))
    return out


# detail --------------------------------------------------------------------------

def _owner_public(o: Owner, link: HomeOwner | None = None) -> dict:
    d = {k: getattr(o, k) for k in (
        "id", "name", "gender", "birth_date", "education", "native_place", "employer", "work_address",
        "id_type", "id_masked", "spouse_name", "spouse_employer", "family_structure", "residents_count",
        "is_key_customer", "key_customer_tags", "opinion", "suggestions", "special_requests", "arrears_flag",
        "arrears_reason", "arrears_complaint", "notes")}
    d["phone"] = mask_phone(o.phone)
    d["phone2"] = mask_phone(o.phone2)
    d["spouse_phone"] = mask_phone(o.spouse_phone)
    d["has_id"] = bool(o.id_enc)
    if link is not None:
        d["is_primary"] = link.is_primary
        d["since"] = link.since
        d["until"] = link.until
        d["link_id"] = link.id
    d["home_rooms"] = [h for (h,) in (Home.select(Home.room_code).join(HomeOwner, on=(HomeOwner.home == Home.id))
                                      .where((HomeOwner.owner == o.id) & HomeOwner.until.is_null())
                                      .order_by(Home.room_code).tuples())]
    photo = (Attachment.select().where((Attachment.entity == OWNER_PHOTO) & (Attachment.entity_id == o.id))
             .order_by(Attachment.id.desc()).first())
    d["photo_id"] = photo.id if photo else None
    return d


def _resident_public(r: Resident) -> dict:
    return {"id": r.id, "name": r.name, "relation": r.relation, "is_tenant": r.is_tenant,
            "phone": mask_phone(r.phone), "id_masked": r.id_masked, "birth_date": r.birth_date,
            "employer": r.employer, "lease_from": r.lease_from, "lease_to": r.lease_to, "notes": r.notes}


def owner_detail(ctx, owner_id: int) -> dict:
    """An owner's fields for the dialog (phones and identity number masked)."""
    require(ctx, "archive.view")
    return _owner_public(_get(Owner, owner_id, "业主"))


def home_detail(ctx, home_id: int) -> dict:
    """Everything the household pane shows."""
    require(ctx, "archive.view")
    h = _get(Home, home_id, "房屋")
    links = list(HomeOwner.select(HomeOwner, Owner).join(Owner).where(HomeOwner.home == h.id)
                 .order_by(HomeOwner.until.is_null(False), HomeOwner.is_primary.desc(), HomeOwner.id))
    owners = [_owner_public(link.owner, link) for link in links if link.until is None]
    former = [_owner_public(link.owner, link) for link in links if link.until is not None]
    residents = [_resident_public(r) for r in Resident.select().where(Resident.home == h.id).order_by(Resident.id)]
    spaces = [{"id": p.id, "code": p.code, "level": p.level, "state": p.state}
              for p in ParkingSpace.select().where(ParkingSpace.home == h.id).order_by(ParkingSpace.code)]
    today = ctx.clock.today()
    return {
        "id": h.id, "room_code": h.room_code, "cluster": f"{h.cluster.code}组团 {h.cluster.name}".strip(),
        "building": h.building.name or f"{h.building.code}号楼", "building_id": h.building_id,
        "entrance": f"{h.entrance.code}单元", "floor": h.floor, "area": v.fmt_area(h.area_x100),
        "area_x100": h.area_x100, "house_type": h.house_type, "state": h.state, "handover_date": h.handover_date,
        "move_in_date": h.move_in_date, "occupancy": h.occupancy, "notes": h.notes,
        "category": _category(ctx, h.move_in_date),
        "months_since_move_in": customers.months_since(h.move_in_date, today) if h.move_in_date and h.move_in_date <= today else None,
        "owners": owners, "former_owners": former,
        "residents": [r for r in residents if not r["is_tenant"]],
        "tenants": [r for r in residents if r["is_tenant"]],
        "parking": spaces,
        "documents": documents(ctx, h.id),
        "completeness": household_completeness(h.id),
        "visits": visits_for(ctx, h.id),
        "familiarity": familiarity_for(ctx, h.id),
        "area_manager": (h.building.area_manager.display_name if h.building.area_manager_id else ""),
    }


def find_owners(ctx, text: str, limit: int = 50) -> list[dict]:
    """Owners whose name, phone or identity-number tail matches (to link an owner of several homes)."""
    require(ctx, "archive.view")
    t = v.normalize(text)
    if not t:
        return []
    q = Owner.select().where(Owner.name.contains(t) | Owner.phone.contains(t) | (Owner.id_tail == t.upper()))
    return [{"id": o.id, "name": o.name, "phone": mask_phone(o.phone), "id_masked": o.id_masked,
             "homes": "、".join(h for (h,) in Home.select(Home.room_code).join(HomeOwner, on=(HomeOwner.home == Home.id))
                               .where((HomeOwner.owner == o.id) & HomeOwner.until.is_null()).tuples())}
            for o in q.order_by(Owner.name_pinyin, Owner.name, Owner.id).limit(limit)]


# owners --------------------------------------------------------------------------

def _check_owner(ctx, data: dict) -> dict:
    data = dict(data)
    if "key_customer_tags" in data:
        tags = _tags(data["key_customer_tags"])
        if data.get("is_key_customer") and not tags:
            raise ValidationError("重点客户类别", "标记为重点客户时请选择类别（媒体、政府、集团员工、经理指定）")
        data["key_customer_tags"] = ",".join(tags)
        data["is_key_customer"] = bool(tags)
    out = owner_fields(ctx, data)
    if out.get("birth_date") and out["birth_date"] > ctx.clock.today():
        raise ValidationError("出生日期", "不能晚于今天")
    if out.get("arrears_flag") and not out.get("arrears_reason"):
        raise ValidationError("欠费原因", "标记欠费时必须填写欠费原因")
    if out.get("gender") and out["gender"] not in ("男", "女"):
        raise ValidationError("性别", "应为“男”或“女”")
    return out


def _reindex(home_ids):
    search.index_homes(list(home_ids))


def _owner_homes(owner_id) -> list[int]:
    return [h for (h,) in HomeOwner.select(HomeOwner.home)
            .where((HomeOwner.owner == owner_id) & HomeOwner.until.is_null()).tuples()]


def _check_photo(path):
    from pathlib import Path
    if path and Path(path).suffix.lower() not in (".jpg", ".jpeg", ".png", ".bmp"):
        raise ValidationError("照片", "应为 JPG、PNG 或 BMP 图片")


def create_owner(ctx, home_id: int, data: dict, primary: bool | None = None, photo_path=None) -> Owner:
    """Add a new owner to a home. The first owner becomes the primary owner, later ones co-owners
    (unless *primary* is True, which makes the new one primary)."""
    require(ctx, "archive.edit")
    home = _get(Home, home_id, "房屋")
    fields = _check_owner(ctx, data)
    _check_photo(photo_path)
    if fields.get("id_hash"):
        dup = Owner.get_or_none(Owner.id_hash == fields["id_hash"])
        if dup is not None:
            raise StateError(f"身份证号：该证件已登记为业主“{dup.name}”，请使用“关联已有业主”")
    with ctx.db.atomic():
        has_primary = HomeOwner.select().where((HomeOwner.home == home.id) & HomeOwner.until.is_null()
                                               & (HomeOwner.is_primary == True)).exists()  # noqa: E712
        make_primary = (not has_primary) if primary is None else bool(primary)
        if make_primary and has_primary:
            HomeOwner.update(is_primary=False).where(HomeOwner.home == home.id).execute()
        owner = Owner.create(**fields)
        link = HomeOwner.create(home=home.id, owner=owner.id, is_primary=make_primary, since=ctx.clock.today())
        record(ctx, "owner.create", "owner", owner.id, None,
               {**model_dict(owner), "home": home.room_code, "is_primary": link.is_primary})
        if photo_path:
            att = attachments.attach(ctx, OWNER_PHOTO, owner.id, photo_path)
            record(ctx, "owner.photo", "owner", owner.id, None, {"attachment": att.id, "sha256": att.sha256})
        _reindex([home.id])
    return owner


def link_owner(ctx, home_id: int, owner_id: int, primary: bool = False) -> HomeOwner:
    """Record an existing owner (who holds another home) as an owner of this home too."""
    require(ctx, "archive.edit")
    home = _get(Home, home_id, "房屋")
    owner = _get(Owner, owner_id, "业主")
    with ctx.db.atomic():
        link = HomeOwner.get_or_none((HomeOwner.home == home.id) & (HomeOwner.owner == owner.id))
        if link is not None and link.until is None:
            raise StateError(f"业主“{owner.name}”已是 {home.room_code} 的业主")
        has_primary = HomeOwner.select().where((HomeOwner.home == home.id) & HomeOwner.until.is_null()
                                               & (HomeOwner.is_primary == True)).exists()  # noqa: E712
        make_primary = primary or not has_primary
        if make_primary and has_primary:
            HomeOwner.update(is_primary=False).where(HomeOwner.home == home.id).execute()
        if link is None:
            link = HomeOwner.create(home=home.id, owner=owner.id, is_primary=make_primary, since=ctx.clock.today())
        else:
            link.until, link.is_primary, link.since = None, make_primary, ctx.clock.today()
            link.save()
        record(ctx, "owner.link", "home", home.id, None,
               {"owner": owner.id, "name": owner.name, "is_primary": make_primary})
        _reindex([home.id])
    return link


def update_owner(ctx, owner_id: int, data: dict, photo_path=None) -> Owner:
    """Change an owner's fields. Leave ``id_number`` (or a phone) out of *data* to keep it."""
    require(ctx, "archive.edit")
    owner = _get(Owner, owner_id, "业主")
    fields = _check_owner(ctx, data)
    _check_photo(photo_path)
    if fields.get("id_hash"):
        dup = Owner.get_or_none((Owner.id_hash == fields["id_hash"]) & (Owner.id != owner.id))
        if dup is not None:
            raise StateError(f"身份证号：该证件已登记为业主“{dup.name}”")
    with ctx.db.atomic():
        before = model_dict(owner)
        for k, val in fields.items():
            setattr(owner, k, val)
        owner.updated_at = ctx.clock.now()
        owner.save()
        after = model_dict(owner)
        changed = {k for k in after if before.get(k) != after.get(k) and k != "updated_at"}
        record(ctx, "owner.update", "owner", owner.id, {k: before[k] for k in changed},
               {k: after[k] for k in changed})
        if photo_path:
            att = attachments.attach(ctx, OWNER_PHOTO, owner.id, photo_path)
            record(ctx, "owner.photo", "owner", owner.id, None, {"attachment": att.id, "sha256": att.sha256})
        _reindex(_owner_homes(owner.id))
    return owner


def remove_owner(ctx, home_id: int, owner_id: int) -> None:
    """The owner no longer owns the home (sold, removed from the title): the link is closed today
    and kept as history. A remaining co-owner becomes primary if needed."""
    require(ctx, "archive.edit")
    link = HomeOwner.get_or_none((HomeOwner.home == home_id) & (HomeOwner.owner == owner_id)
                                 & HomeOwner.until.is_null())
    if link is None:
        raise NotFound("该业主不是此房屋的现业主")
    with ctx.db.atomic():
        link.until = ctx.clock.today()
        was_primary = link.is_primary
        link.is_primary = False
        link.save()
        if was_primary:
            nxt = (HomeOwner.select().where((HomeOwner.home == home_id) & HomeOwner.until.is_null())
                   .order_by(HomeOwner.id).first())
            if nxt is not None:
                nxt.is_primary = True
                nxt.save()
        record(ctx, "owner.remove", "home", home_id, {"owner": owner_id, "name": link.owner.name}, None)
        _reindex([home_id])


def set_primary_owner(ctx, home_id: int, owner_id: int) -> None:
    require(ctx, "archive.edit")
    link = HomeOwner.get_or_none((HomeOwner.home == home_id) & (HomeOwner.owner == owner_id)
                                 & HomeOwner.until.is_null())
    if link is None:
        raise NotFound("该业主不是此房屋的现业主")
    with ctx.db.atomic():
        HomeOwner.update(is_primary=False).where(HomeOwner.home == home_id).execute()
        HomeOwner.update(is_primary=True).where(HomeOwner.id == link.id).execute()
        record(ctx, "owner.primary", "home", home_id, None, {"owner": owner_id})


def attach_owner_photo(ctx, owner_id: int, path) -> Attachment:
    require(ctx, "archive.edit")
    owner = _get(Owner, owner_id, "业主")
    _check_photo(path)
    with ctx.db.atomic():
        att = attachments.attach(ctx, OWNER_PHOTO, owner.id, path)
        record(ctx, "owner.photo", "owner", owner.id, None, {"attachment": att.id, "sha256": att.sha256})
    return att


def owner_photo_path(ctx, owner_id: int):
    """The stored photo file of an owner (verified by SHA-256), or None."""
    require(ctx, "archive.view")
    att = (Attachment.select().where((Attachment.entity == OWNER_PHOTO) & (Attachment.entity_id == owner_id))
           .order_by(Attachment.id.desc()).first())
    if att is None or not attachments.verify(ctx, att):
        return None
    return attachments.path_of(ctx, att)


def reveal_owner_pii(ctx, owner_id: int, what: str = "id") -> str:
    """The full identity number (what='id') or phone (what='phone') of an owner. Needs
    pii.view_full; every reveal writes an audit row."""
    require(ctx, "pii.view_full")
    owner = _get(Owner, owner_id, "业主")
    if what == "id":
        value = ctx.vault.decrypt(owner.id_enc)
    elif what in ("phone", "phone2", "spouse_phone"):
        value = getattr(owner, what)
    else:
        raise ValueError(what)
    with ctx.db.atomic():
        record(ctx, f"pii.reveal_{what}", "owner", owner.id, None, {"masked": owner.id_masked if what == "id"
                                                                    else mask_phone(value)})
    return value


# residents and tenants ----------------------------------------------------------------

def _check_resident(ctx, data: dict) -> dict:
    is_tenant = bool(data.get("is_tenant"))
    label = "租户" if is_tenant else "住户"
    name = v.check_required(data.get("name"), f"{label}姓名")
    if len(name) > 40:
        raise ValidationError(f"{label}姓名", "不能超过40个字")
    out = {"name": name, "is_tenant": is_tenant,
           "relation": str(data.get("relation") or ("租户" if is_tenant else "")).strip(),
           "employer": str(data.get("employer") or "").strip(), "notes": str(data.get("notes") or "").strip(),
           "birth_date": v.parse_date(data.get("birth_date"), "出生日期", required=False)}
    if "phone" in data:
        out["phone"] = v.check_phone(data.get("phone"), "联系电话")
    if "id_number" in data:
        ident = identity_fields(ctx, data.get("id_number") or "", "身份证号")
        out.update({k: ident[k] for k in ("id_enc", "id_hash", "id_masked")})
    out["lease_from"] = v.parse_date(data.get("lease_from"), "租期起", required=False)
    out["lease_to"] = v.parse_date(data.get("lease_to"), "租期止", required=False)
    if is_tenant and out["lease_from"] is None:
        raise ValidationError("租期起", "租户必须填写租期开始日期")
    if out["lease_from"] and out["lease_to"] and out["lease_to"] < out["lease_from"]:
        raise ValidationError("租期止", "不能早于租期起")
    return out


def add_resident(ctx, home_id: int, data: dict) -> Resident:
    """Record a resident (常居人口) or, with ``is_tenant``, a tenant of the home."""
    require(ctx, "archive.edit")
    home = _get(Home, home_id, "房屋")
    fields = _check_resident(ctx, data)
    with ctx.db.atomic():
        r = Resident.create(home=home.id, **fields)
        record(ctx, "resident.create", "resident", r.id, None, {**model_dict(r), "home": home.room_code})
        _reindex([home.id])
    return r


def update_resident(ctx, resident_id: int, data: dict) -> Resident:
    require(ctx, "archive.edit")
    r = _get(Resident, resident_id, "住户")
    fields = _check_resident(ctx, data)
    with ctx.db.atomic():
        before = model_dict(r)
        for k, val in fields.items():
            setattr(r, k, val)
        r.save()
        record(ctx, "resident.update", "resident", r.id, before, model_dict(r))
        _reindex([r.home_id])
    return r


def remove_resident(ctx, resident_id: int) -> None:
    require(ctx, "archive.edit")
    r = _get(Resident, resident_id, "住户")
    with ctx.db.atomic():
        before = model_dict(r)
        home_id = r.home_id
        r.delete_instance()
        record(ctx, "resident.delete", "resident", resident_id, before, None)
        _reindex([home_id])


# home information (archive) -------------------------------------------------------------

def update_home_info(ctx, home_id: int, data: dict) -> Home:
    """State, hand-over and move-in dates, occupancy and notes of a home."""
    require(ctx, "archive.edit")
    h = _get(Home, home_id, "房屋")
    fields = {}
    if "state" in data:
        fields["state"] = v.check_choice(data["state"], HOME_STATES, "房屋状态")
    if "occupancy" in data:
        fields["occupancy"] = v.check_choice(data["occupancy"], OCCUPANCIES, "居住情况")
    today = ctx.clock.today()
    for key, label in (("handover_date", "交房日期"), ("move_in_date", "入住日期")):
        if key in data:
            d = v.parse_date(data[key], label, required=False)
            if d and d > today:
                raise ValidationError(label, "不能晚于今天")
            fields[key] = d
    hd = fields.get("handover_date", h.handover_date)
    md = fields.get("move_in_date", h.move_in_date)
    if hd and md and md < hd:
        raise ValidationError("入住日期", "不能早于交房日期")
    if md and fields.get("state", h.state) == "未交付":
        raise ValidationError("房屋状态", "已有入住日期的房屋不能为“未交付”")
    if "notes" in data:
        fields["notes"] = str(data["notes"] or "").strip()
    with ctx.db.atomic():
        before = model_dict(h)
        for k, val in fields.items():
            setattr(h, k, val)
        h.updated_at = ctx.clock.now()
        h.save()
        record(ctx, "home.update", "home", h.id, before, model_dict(h))
    return h


# structure (permission structure.edit) -------------------------------------------------

def create_cluster(ctx, code: str, name: str, sort_order: int = 0) -> Cluster:
    require(ctx, "structure.edit")
    code = v.check_required(v.normalize(code), "组团编号").upper()
    name = v.check_required(name, "组团名称")
    if Cluster.select().where(Cluster.code == code).exists():
        raise ValidationError("组团编号", f"“{code}”已存在")
    with ctx.db.atomic():
        c = Cluster.create(code=code, name=name, sort_order=sort_order)
        record(ctx, "structure.cluster.create", "cluster", c.id, None, model_dict(c))
    return c


def create_building(ctx, cluster_id: int, code: str, name: str = "", floors: int = 0,
                    area_manager_id: int | None = None) -> Building:
    require(ctx, "structure.edit")
    cluster = _get(Cluster, cluster_id, "组团")
    code = v.check_required(v.normalize(code), "楼栋编号")
    if Building.select().where(Building.code == code).exists():
        raise ValidationError("楼栋编号", f"“{code}”已存在")
    try:
        floors = int(floors or 0)
    except (TypeError, ValueError):
        raise ValidationError("楼层数", "应为整数") from None
    if not 0 <= floors <= 200:
        raise ValidationError("楼层数", "应在0到200之间")
    if area_manager_id is not None:
        _get(User, area_manager_id, "客服管理员")
    with ctx.db.atomic():
        b = Building.create(cluster=cluster.id, code=code, name=(name or f"{code}号楼").strip(), floors=floors,
                            area_manager=area_manager_id,
                            sort_order=Building.select().where(Building.cluster == cluster.id).count())
        record(ctx, "structure.building.create", "building", b.id, None, model_dict(b))
    return b


def set_area_manager(ctx, building_id: int, user_id: int | None) -> Building:
    require(ctx, "structure.edit")
    b = _get(Building, building_id, "楼栋")
    if user_id is not None:
        _get(User, user_id, "客服管理员")
    with ctx.db.atomic():
        before = b.area_manager_id
        b.area_manager = user_id
        b.save()
        record(ctx, "structure.building.manager", "building", b.id, {"area_manager": before},
               {"area_manager": user_id})
    return b


def create_entrance(ctx, building_id: int, code: str) -> Entrance:
    require(ctx, "structure.edit")
    b = _get(Building, building_id, "楼栋")
    code = v.check_required(v.normalize(code), "单元编号")
    if Entrance.select().where((Entrance.building == b.id) & (Entrance.code == code)).exists():
        raise ValidationError("单元编号", f"{b.code}号楼已有{code}单元")
    with ctx.db.atomic():
        e = Entrance.create(building=b.id, code=code)
        record(ctx, "structure.entrance.create", "entrance", e.id, None, model_dict(e))
    return e


def _check_home(data: dict, current: Home | None = None) -> dict:
    out = {}
    if current is None or "room_code" in data:
        out["room_code"] = v.check_room_code(data.get("room_code"), "房号")
        dup = Home.select().where(Home.room_code == out["room_code"])
        if current is not None:
            dup = dup.where(Home.id != current.id)
        if dup.exists():
            raise ValidationError("房号", f"“{out['room_code']}”已存在")
    if current is None or "area" in data:
        out["area_x100"] = v.check_area(data.get("area"), "建筑面积")
    if current is None or "house_type" in data:
        out["house_type"] = v.check_choice(data.get("house_type"), HOUSE_TYPES, "户型")
    if "floor" in data:
        try:
            out["floor"] = int(str(data.get("floor") or 0))
        except ValueError:
            raise ValidationError("楼层", "应为整数") from None
        if not -5 <= out["floor"] <= 200:
            raise ValidationError("楼层", "应在-5到200之间")
    if "state" in data:
        out["state"] = v.check_choice(data["state"], HOME_STATES, "房屋状态")
    return out


def create_home(ctx, entrance_id: int, data: dict) -> Home:
    """A new home in an entrance: room code, area (m²), house type, floor, state."""
    require(ctx, "structure.edit")
    e = _get(Entrance, entrance_id, "单元")
    fields = _check_home(data)
    with ctx.db.atomic():
        h = Home.create(entrance=e.id, building=e.building_id, cluster=e.building.cluster_id, **fields)
        record(ctx, "structure.home.create", "home", h.id, None, model_dict(h))
        _reindex([h.id])
    return h


def update_home(ctx, home_id: int, data: dict) -> Home:
    """Structural fields of a home (room code, area, type, floor, state)."""
    require(ctx, "structure.edit")
    h = _get(Home, home_id, "房屋")
    fields = _check_home(data, h)
    with ctx.db.atomic():
        before = model_dict(h)
        for k, val in fields.items():
            setattr(h, k, val)
        h.updated_at = ctx.clock.now()
        h.save()
        record(ctx, "structure.home.update", "home", h.id, before, model_dict(h))
        _reindex([h.id])
    return h


def delete_home(ctx, home_id: int) -> None:
    """Remove a home entered by mistake: refused while it has owners, residents or visits."""
    require(ctx, "structure.edit")
    h = _get(Home, home_id, "房屋")
    if HomeOwner.select().where(HomeOwner.home == h.id).exists() or \
            Resident.select().where(Resident.home == h.id).exists() or \
            Visit.select().where(Visit.home == h.id).exists():
        raise StateError(f"{h.room_code} 已有业主、住户或拜访记录，不能删除")
    business = _business_records(h.id)
    if business:
        raise StateError(f"{h.room_code} 已有{'、'.join(business)}记录，不能删除")
    with ctx.db.atomic():
        before = model_dict(h)
        HomeSearch.delete().where(HomeSearch.home == h.id).execute()
        ArchiveDocument.delete().where(ArchiveDocument.home == h.id).execute()
        h.delete_instance()
        record(ctx, "structure.home.delete", "home", home_id, before, None)
        _reindex([home_id])


# Tables that keep a home's business history (their foreign key refuses the home's deletion).
_BUSINESS_LABELS = {
    "charge": "收费", "receipt": "收据", "payment": "收付款", "subscription": "包月服务",
    "meter_reading": "抄表", "dunning_record": "催缴", "key": "钥匙", "loan": "借用",
    "handover": "入住办理", "defect": "维修单", "renovation": "装修", "service_request": "报事投诉",
    "vehicle": "车卡",
}


def _business_records(home_id: int) -> list[str]:
    """Chinese names of the business records that point at a home (and keep it)."""
    from models import all_models
    found = []
    for model in all_models():
        for f in model._meta.fields.values():
            if getattr(f, "rel_model", None) is Home and getattr(f, "on_delete", None) == "RESTRICT" \
                    and model.select().where(f == home_id).exists():
                label = _BUSINESS_LABELS.get(model._meta.table_name, model._meta.table_name)
                if label not in found:
                    found.append(label)
    return found


def delete_entrance(ctx, entrance_id: int) -> None:
    require(ctx, "structure.edit")
    e = _get(Entrance, entrance_id, "单元")
    if Home.select().where(Home.entrance == e.id).exists():
        raise StateError("该单元下还有房屋，不能删除")
    with ctx.db.atomic():
        before = model_dict(e)
        e.delete_instance()
        record(ctx, "structure.entrance.delete", "entrance", entrance_id, before, None)


def delete_building(ctx, building_id: int) -> None:
    require(ctx, "structure.edit")
    b = _get(Building, building_id, "楼栋")
    if Entrance.select().where(Entrance.building == b.id).exists():
        raise StateError("该楼栋下还有单元，不能删除")
    with ctx.db.atomic():
        before = model_dict(b)
        b.delete_instance()
        record(ctx, "structure.building.delete", "building", building_id, before, None)


def delete_cluster(ctx, cluster_id: int) -> None:
    require(ctx, "structure.edit")
    c = _get(Cluster, cluster_id, "组团")
    if Building.select().where(Building.cluster == c.id).exists():
        raise StateError("该组团下还有楼栋，不能删除")
    with ctx.db.atomic():
        before = model_dict(c)
        c.delete_instance()
        record(ctx, "structure.cluster.delete", "cluster", cluster_id, before, None)


def create_parking_space(ctx, code: str, level: str, state: str = "空闲") -> ParkingSpace:
    require(ctx, "structure.edit")
    code = v.check_required(v.normalize(code), "车位编号").upper()
    level = v.check_choice(level, PARKING_LEVELS, "车位位置")
    state = v.check_choice(state, PARKING_STATES, "车位状态")
    if ParkingSpace.select().where(ParkingSpace.code == code).exists():
        raise ValidationError("车位编号", f"“{code}”已存在")
    with ctx.db.atomic():
        p = ParkingSpace.create(code=code, level=level, state=state)
        record(ctx, "structure.parking.create", "parking_space", p.id, None, model_dict(p))
    return p


def assign_parking(ctx, space_id: int, owner_id: int | None, home_id: int | None = None,
                   kind: str = "产权") -> ParkingSpace:
    """Give a parking space to an owner (产权 bought or 租用 rented), or free it (owner_id None)."""
    require(ctx, "structure.edit")
    p = _get(ParkingSpace, space_id, "车位")
    kind = v.check_choice(kind, ["产权", "租用"], "车位性质")
    owner = _get(Owner, owner_id, "业主") if owner_id is not None else None
    if home_id is not None:
        _get(Home, home_id, "房屋")
    with ctx.db.atomic():
        before = model_dict(p)
        ParkingOwner.delete().where(ParkingOwner.space == p.id).execute()
        if owner is None:
            p.home, p.owner_name, p.state = None, "", "空闲"
        else:
            ParkingOwner.create(space=p.id, owner=owner.id, kind=kind)
            p.home, p.owner_name, p.state = home_id, owner.name, ("已售" if kind == "产权" else "已租")
        p.save()
        record(ctx, "structure.parking.assign", "parking_space", p.id, before, model_dict(p))
    return p


def delete_parking_space(ctx, space_id: int) -> None:
    require(ctx, "structure.edit")
    p = _get(ParkingSpace, space_id, "车位")
    if p.state != "空闲":
        raise StateError(f"车位 {p.code} 已售或已租，不能删除")
    with ctx.db.atomic():
        before = model_dict(p)
        p.delete_instance()
        record(ctx, "structure.parking.delete", "parking_space", space_id, before, None)


def list_parking(ctx) -> list[dict]:
    require(ctx, "archive.view")
    return [{"id": p.id, "code": p.code, "level": p.level, "state": p.state, "owner": p.owner_name,
             "home": p.home.room_code if p.home_id else ""}
            for p in ParkingSpace.select().order_by(ParkingSpace.level, ParkingSpace.code)]


# archive checklist -------------------------------------------------------------------

def documents(ctx, home_id: int) -> list[dict]:
    """The 15 checklist items of domain.md §2 with their state and scans."""
    docs = {d.doc_code: d for d in ArchiveDocument.select().where(ArchiveDocument.home == home_id)}
    scans: dict[int, list] = {}
    if docs:
        for a in Attachment.select().where((Attachment.entity == DOC_SCAN)
                                           & Attachment.entity_id.in_([d.id for d in docs.values()])):
            scans.setdefault(a.entity_id, []).append(
                {"id": a.id, "name": a.original_name, "sha256": a.sha256, "size": a.size})
    out = []
    for code, name, group in ARCHIVE_DOCUMENTS:
        d = docs.get(code)
        out.append({"code": code, "name": name, "group": group, "on_file": bool(d and d.on_file),
                    "received_at": d.received_at if d else None, "notes": d.notes if d else "",
                    "scans": scans.get(d.id, []) if d else []})
    return out


def set_document(ctx, home_id: int, code: str, on_file: bool = True, notes: str = ""):
    """Tick or untick one checklist item of a household."""
    require(ctx, "archive.edit")
    home = _get(Home, home_id, "房屋")
    if code not in DOC_NAMES:
        raise ValidationError("档案资料", f"未知的资料项目 {code}")
    with ctx.db.atomic():
        return mark_document(ctx, home.id, code, on_file, notes)


def attach_document_scan(ctx, home_id: int, code: str, path) -> Attachment:
    """Copy a scanned file into the data folder (SHA-256 checked) and tick the item as on file."""
    require(ctx, "archive.edit")
    home = _get(Home, home_id, "房屋")
    if code not in DOC_NAMES:
        raise ValidationError("档案资料", f"未知的资料项目 {code}")
    with ctx.db.atomic():
        doc = mark_document(ctx, home.id, code, True)
        att = attachments.attach(ctx, DOC_SCAN, doc.id, path)
        record(ctx, "archive.scan", "home", home.id, None,
               {"doc": code, "attachment": att.id, "file": att.original_name, "sha256": att.sha256})
    return att


def scan_path(ctx, attachment_id: int):
    """The stored file of a scan after checking its SHA-256; StateError if it was altered or lost."""
    require(ctx, "archive.view")
    att = _get(Attachment, attachment_id, "附件")
    if not attachments.verify(ctx, att):
        raise StateError(f"附件“{att.original_name}”校验失败（文件缺失或被修改）")
    return attachments.path_of(ctx, att)


def verify_scans(ctx, home_id: int) -> list[str]:
    """Problems with a household's scans (missing or altered files); empty when all check."""
    problems = []
    for d in documents(ctx, home_id):
        for s in d["scans"]:
            att = Attachment.get_by_id(s["id"])
            if not attachments.verify(ctx, att):
                problems.append(f"{d['name']}：{s['name']} 校验失败")
    return problems


def household_completeness(home_id: int) -> dict:
    n = (ArchiveDocument.select().where((ArchiveDocument.home == home_id) & (ArchiveDocument.on_file == True)  # noqa: E712
                                        & ArchiveDocument.doc_code.in_(DOC_CODES)).count())
    return {"on_file": n, "total": DOC_TOTAL, "pct": _pct(n, DOC_TOTAL), "complete": n >= DOC_TOTAL}


def _completeness(home_cond) -> dict:
    """Items on file / items required over the handed-over homes matching *home_cond*, and the
    number of households whose archive is complete (three aggregate queries)."""
    cond = home_cond & (Home.state != "未交付")
    n_homes = Home.select(Home.id).where(cond).count()
    on_file = ((ArchiveDocument.on_file == True) & ArchiveDocument.doc_code.in_(DOC_CODES))  # noqa: E712
    items = (ArchiveDocument.select(fn.COUNT(ArchiveDocument.id)).join(Home, on=(ArchiveDocument.home == Home.id))
             .where(cond & on_file).scalar()) or 0
    complete = (ArchiveDocument.select(ArchiveDocument.home).join(Home, on=(ArchiveDocument.home == Home.id))
                .where(cond & on_file).group_by(ArchiveDocument.home)
                .having(fn.COUNT(ArchiveDocument.id) >= DOC_TOTAL).count())
    return {"homes": n_homes, "items_on_file": items, "items_required": n_homes * DOC_TOTAL,
            "pct": _pct(items, n_homes * DOC_TOTAL), "complete_homes": complete,
            "complete_pct": _pct(complete, n_homes)}


def building_completeness(ctx, building_id: int) -> dict:
    require(ctx, "archive.view")
    return _completeness(Home.building == building_id)


def cluster_completeness(ctx, cluster_id: int) -> dict:
    require(ctx, "archive.view")
    return _completeness(Home.cluster == cluster_id)


def site_completeness(ctx) -> dict:
    require(ctx, "archive.view")
    return _completeness(Home.id > 0)


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
        if not 1 <= sat <= 5:
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
    home = _get(Home, home_id, "房屋")
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
    return dt.date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def visit_rates(ctx) -> dict:
    """Key customers visited this quarter (target ``customer.key_visit_pct_quarter`` 100%) and ordinary
    moved-in households visited this year (target ``customer.ordinary_visit_pct_year`` 80%)."""
    require(ctx, "archive.view")
    today = ctx.clock.today()
    key_homes = set(h for (h,) in _owner_flag_homes(Owner.is_key_customer).tuples())
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
    key_pct, ord_pct = _pct(len(key_visited), len(key_homes)), _pct(len(ord_visited), len(ordinary))
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
    home = _get(Home, home_id, "房屋")
    month = str(data.get("month") or ctx.clock.today().strftime("%Y-%m")).strip()
    try:
        dt.datetime.strptime(month, "%Y-%m")
    except ValueError:
        raise ValidationError("检查月份", "应为“年-月”，如 2026-11") from None
    am = data.get("area_manager_id") or home.building.area_manager_id
    if am is None:
        raise ValidationError("客服管理员", f"{home.building.name or home.building.code}未指定客服管理员")
    _get(User, am, "客服管理员")
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
        pct = _pct(passed, n)
        out.append({"area_manager_id": am, "area_manager": names.get(am, "（未指定）"), "month": month,
                    "checks": n, "passed": passed, "pct": pct, "target": target, "met": pct is not None and pct >= target,
                    "calls": calls, "owner_knew": knew, "owner_pct": _pct(knew, calls)})
    return out


def area_managers(ctx) -> list[dict]:
    return [{"id": u.id, "name": u.display_name} for u in
            User.select().where((User.role == "area_manager") & (User.active == True)).order_by(User.display_name)]  # noqa: E712


def completeness_by_building(ctx) -> list[dict]:
    """Archive completeness of every building (handed-over homes), in two grouped queries."""
    require(ctx, "archive.view")
    homes = dict(Home.select(Home.building, fn.COUNT(Home.id)).where(Home.state != "未交付")
                 .group_by(Home.building).tuples())
    per_home = (ArchiveDocument.select(Home.building, ArchiveDocument.home, fn.COUNT(ArchiveDocument.id))
                .join(Home, on=(ArchiveDocument.home == Home.id))
                .where((Home.state != "未交付") & (ArchiveDocument.on_file == True)  # noqa: E712
                       & ArchiveDocument.doc_code.in_(DOC_CODES))
                .group_by(Home.building, ArchiveDocument.home).tuples())
    items: dict[int, list] = {}
    for bid, _hid, n in per_home:
        a = items.setdefault(bid, [0, 0])
        a[0] += n
        a[1] += n >= DOC_TOTAL
    out = []
    for b in Building.select(Building, Cluster).join(Cluster).order_by(Cluster.sort_order, Cluster.code,
                                                                       Building.sort_order, Building.id):
        n = homes.get(b.id, 0)
        on, complete = items.get(b.id, [0, 0])
        out.append({"building_id": b.id, "building": b.name or f"{b.code}号楼", "cluster": f"{b.cluster.code}组团",
                    "homes": n, "items_on_file": on, "items_required": n * DOC_TOTAL,
                    "pct": _pct(on, n * DOC_TOTAL), "complete_homes": complete, "complete_pct": _pct(complete, n)})
    return out


def pick_familiarity_rooms(ctx, area_manager_id: int, count: int = 5, month: str | None = None,
                           seed: int | None = None) -> list[dict]:
    """Rooms for the monthly familiarity check (000 应会 1.5): *count* moved-in homes with an owner,
    in the buildings of the area manager, not yet checked this month, picked at random."""
    import random
    require(ctx, "archive.familiarity")
    month = month or ctx.clock.today().strftime("%Y-%m")
    checked = FamiliarityCheck.select(FamiliarityCheck.home).where(FamiliarityCheck.month == month)
    owned = HomeOwner.select(HomeOwner.home).where(HomeOwner.until.is_null())
    ids = [h for (h,) in _raw(ctx, Home.select(Home.id).join(Building, on=(Home.building == Building.id))
                              .where((Building.area_manager == area_manager_id) & Home.move_in_date.is_null(False)
                                     & Home.id.in_(owned) & Home.id.not_in(checked)).order_by(Home.id))]
    rng = random.Random(seed)
    chosen = sorted(rng.sample(ids, min(count, len(ids))))
    return home_rows(ctx, chosen)
