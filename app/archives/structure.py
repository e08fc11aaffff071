"""The site's structure (组团、楼栋、单元、房屋) as the archives tab edits it: the tree on the left,
creating, changing and deleting clusters, buildings, entrances and homes (permission
structure.edit), and the archive information of a home (state, dates, occupancy).
Each write: permission, validation (ValidationError naming the field), one transaction with an
audit row, search index refreshed."""
from __future__ import annotations

from peewee import fn

from app.archives.common import get_row, raw_rows, reindex
from app.core import validation as v
from app.core.audit import model_dict, record
from app.core.errors import StateError, ValidationError
from app.core.permissions import require
from models.archive import ArchiveDocument, HomeSearch, Visit
from models.people import HomeOwner, Resident
from models.property import HOME_STATES, HOUSE_TYPES, Building, Cluster, Entrance, Home
from models.users import User

OCCUPANCIES = ["自住", "出租", "空置"]
NOT_HANDED_OVER = "未交付"
MAX_FLOORS = 200
LOWEST_FLOOR = -5


# structure tree ----------------------------------------------------------------

def structure_tree(ctx) -> list[dict]:
    """Clusters → buildings → entrances with home counts, for the tree on the left."""
    require(ctx, "archive.view")
    counts = dict(raw_rows(ctx, Home.select(Home.entrance, fn.COUNT(Home.id)).group_by(Home.entrance)))
    entrances: dict[int, list] = {}
    for eid, bid, code in raw_rows(ctx, Entrance.select(Entrance.id, Entrance.building, Entrance.code).order_by(
            Entrance.building, Entrance.code)):
        entrances.setdefault(bid, []).append({"id": eid, "code": code, "label": f"{code}单元",
                                              "homes": counts.get(eid, 0)})
    buildings: dict[int, list] = {}
    for bid, cid, code, name, am in raw_rows(ctx, Building.select(Building.id, Building.cluster, Building.code,
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


# home information (archive) -------------------------------------------------------------

def update_home_info(ctx, home_id: int, data: dict) -> Home:
    """State, hand-over and move-in dates, occupancy and notes of a home."""
    require(ctx, "archive.edit")
    h = get_row(Home, home_id, "房屋")
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
    if md and fields.get("state", h.state) == NOT_HANDED_OVER:
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
    cluster = get_row(Cluster, cluster_id, "组团")
    code = v.check_required(v.normalize(code), "楼栋编号")
    if Building.select().where(Building.code == code).exists():
        raise ValidationError("楼栋编号", f"“{code}”已存在")
    try:
        floors = int(floors or 0)
    except (TypeError, ValueError):
        raise ValidationError("楼层数", "应为整数") from None
    if not 0 <= floors <= MAX_FLOORS:
        raise ValidationError("楼层数", f"应在0到{MAX_FLOORS}之间")
    if area_manager_id is not None:
        get_row(User, area_manager_id, "客服管理员")
    with ctx.db.atomic():
        b = Building.create(cluster=cluster.id, code=code, name=(name or f"{code}号楼").strip(), floors=floors,
                            area_manager=area_manager_id,
                            sort_order=Building.select().where(Building.cluster == cluster.id).count())
        record(ctx, "structure.building.create", "building", b.id, None, model_dict(b))
    return b


def set_area_manager(ctx, building_id: int, user_id: int | None) -> Building:
    require(ctx, "structure.edit")
    b = get_row(Building, building_id, "楼栋")
    if user_id is not None:
        get_row(User, user_id, "客服管理员")
    with ctx.db.atomic():
        before = b.area_manager_id
        b.area_manager = user_id
        b.save()
        record(ctx, "structure.building.manager", "building", b.id, {"area_manager": before},
               {"area_manager": user_id})
    return b


def create_entrance(ctx, building_id: int, code: str) -> Entrance:
    require(ctx, "structure.edit")
    b = get_row(Building, building_id, "楼栋")
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
        if not LOWEST_FLOOR <= out["floor"] <= MAX_FLOORS:
            raise ValidationError("楼层", f"应在{LOWEST_FLOOR}到{MAX_FLOORS}之间")
    if "state" in data:
        out["state"] = v.check_choice(data["state"], HOME_STATES, "房屋状态")
    return out


def create_home(ctx, entrance_id: int, data: dict) -> Home:
    """A new home in an entrance: room code, area (m²), house type, floor, state."""
    require(ctx, "structure.edit")
    e = get_row(Entrance, entrance_id, "单元")
    fields = _check_home(data)
    with ctx.db.atomic():
        h = Home.create(entrance=e.id, building=e.building_id, cluster=e.building.cluster_id, **fields)
        record(ctx, "structure.home.create", "home", h.id, None, model_dict(h))
        reindex([h.id])
    return h


def update_home(ctx, home_id: int, data: dict) -> Home:
    """Structural fields of a home (room code, area, type, floor, state)."""
    require(ctx, "structure.edit")
    h = get_row(Home, home_id, "房屋")
    fields = _check_home(data, h)
    with ctx.db.atomic():
        before = model_dict(h)
        for k, val in fields.items():
            setattr(h, k, val)
        h.updated_at = ctx.clock.now()
        h.save()
        record(ctx, "structure.home.update", "home", h.id, before, model_dict(h))
        reindex([h.id])
    return h


def delete_home(ctx, home_id: int) -> None:
    """Remove a home entered by mistake: refused while it has owners, residents or visits."""
    require(ctx, "structure.edit")
    h = get_row(Home, home_id, "房屋")
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
        reindex([home_id])


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
    e = get_row(Entrance, entrance_id, "单元")
    if Home.select().where(Home.entrance == e.id).exists():
        raise StateError("该单元下还有房屋，不能删除")
    with ctx.db.atomic():
        before = model_dict(e)
        e.delete_instance()
        record(ctx, "structure.entrance.delete", "entrance", entrance_id, before, None)


def delete_building(ctx, building_id: int) -> None:
    require(ctx, "structure.edit")
    b = get_row(Building, building_id, "楼栋")
    if Entrance.select().where(Entrance.building == b.id).exists():
        raise StateError("该楼栋下还有单元，不能删除")
    with ctx.db.atomic():
        before = model_dict(b)
        b.delete_instance()
        record(ctx, "structure.building.delete", "building", building_id, before, None)


def delete_cluster(ctx, cluster_id: int) -> None:
    require(ctx, "structure.edit")
    c = get_row(Cluster, cluster_id, "组团")
    if Building.select().where(Building.cluster == c.id).exists():
        raise StateError("该组团下还有楼栋，不能删除")
    with ctx.db.atomic():
        before = model_dict(c)
        c.delete_instance()
        record(ctx, "structure.cluster.delete", "cluster", cluster_id, before, None)



