"""The table of homes in the archives tab: the filter, the ids of the matching homes in display
order (one fast query), the rows of a page of them (phones and identity numbers masked), and
finding owners by name, phone or identity-number tail."""
from __future__ import annotations

from dataclasses import dataclass

from peewee import fn

from app.archives import customers, search
from app.archives.checklist import DOC_CODES, DOC_TOTAL
from app.archives.common import category_of, pct
from app.core import validation as v
from app.core.permissions import require
from app.core.privacy import mask_phone
from models.archive import ArchiveDocument
from models.people import HomeOwner, Owner
from models.property import Building, Cluster, Entrance, Home

FETCH_CHUNK = 2000   # rows read from the cursor at a time when filtering many search hits
ROWS_CHUNK = 500     # homes per home_rows call in list_homes

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


def owner_flag_homes(flag):
    """Homes with a current owner for whom *flag* (an Owner boolean field) is set."""
    return (HomeOwner.select(HomeOwner.home).join(Owner)
            .where(HomeOwner.until.is_null() & (flag == True)))  # noqa: E712


def complete_homes():
    """Homes whose archive checklist is complete."""
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
        conds.append(Home.id.in_(owner_flag_homes(Owner.is_key_customer)))
    if f.arrears:
        conds.append(Home.id.in_(owner_flag_homes(Owner.arrears_flag)))
    if f.incomplete:
        conds.append(Home.id.not_in(complete_homes()))
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
    q = home_id_query(ctx, f, hits if hits is not None and len(hits) <= IN_LIST_MAX else None)
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
        chunk = cursor.fetchmany(FETCH_CHUNK)
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
                      "category": category_of(ctx, move_in), "owner_list": [], "phones": [], "ids": [],
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
        r["archive_pct"] = pct(r["docs_on_file"], DOC_TOTAL)
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
    for i in range(0, len(ids), ROWS_CHUNK):
        out.extend(home_rows(ctx, ids[i:i + ROWS_CHUNK]))
    return out


def find_owners(ctx, text: str, limit: int = 50) -> list[dict]:
    """Owners whose name, phone or identity-number tail matches (to link an owner of several homes)."""
    require(ctx, "archive.view")
    t = v.normalize(text)
    if not t:
        return []
    cond = Owner.name.contains(t) | (Owner.id_tail == t.upper())
    digits = t.replace("-", "")
    if len(digits) >= search.PHONE_FRAGMENT_MIN and digits.isdigit():   # phones are sealed: compared decrypted
        ids = [i for i, *phones in Owner.select(Owner.id, Owner.phone, Owner.phone2, Owner.spouse_phone).tuples()
               if any(digits in (p or "").replace("-", "") for p in phones)]
        cond |= Owner.id.in_(ids)
    q = Owner.select().where(cond)
    return [{"id": o.id, "name": o.name, "phone": mask_phone(o.phone), "id_masked": o.id_masked,
             "homes": "、".join(current_rooms(o.id))}
            for o in q.order_by(Owner.name_pinyin, Owner.name, Owner.id).limit(limit)]


def current_rooms(owner_id: int, ordered: bool = False) -> list[str]:
    """The room codes of the homes the owner holds today (by room code with *ordered*)."""
    q = (Home.select(Home.room_code).join(HomeOwner, on=(HomeOwner.home == Home.id))
         .where((HomeOwner.owner == owner_id) & HomeOwner.until.is_null()))
    if ordered:
        q = q.order_by(Home.room_code)
    return [h for (h,) in q.tuples()]


