"""Owner ledger import: the valid rows of an office's Excel ledger written in one transaction.

Co-owners sit on extra rows (the same room with another name, or a blank room continuing the home
above). Each data row is checked on its own (app.archives.excel_rows); valid rows are written in ONE
transaction, rejected rows are listed by their Excel row number with the reason. A dry run runs the
same import and rolls it back.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from app.archives import search
from app.archives.excel_rows import ParsedRow, cell_text, find_header, open_rows, parse_row
from app.archives.owners import owner_fields
from app.core.audit import record
from app.core.errors import ValidationError
from app.core.permissions import require
from app.core.pinyin import name_key
from models.people import HomeOwner, Owner
from models.property import HOUSE_TYPES, Building, Cluster, Entrance, Home

DEFAULT_CLUSTER = "未分组团"


@dataclass
class ImportResult:
    imported: int = 0                 # rows written (new or updated owners; homes listed without owner)
    created_homes: int = 0
    created_owners: int = 0
    updated: int = 0                  # rows that updated an owner already on file
    rejected: list[tuple[int, str]] = field(default_factory=list)   # (Excel row number, reason)
    skipped_blank: int = 0
    duplicates: int = 0
    header_row: int = 0
    dry_run: bool = False
    home_ids: list[int] = field(default_factory=list)

    def summary(self) -> str:
        head = "试导入（未写入）" if self.dry_run else "导入完成"
        return (f"{head}：导入 {self.imported} 行（新业主 {self.created_owners}，更新 {self.updated}），"
                f"新建房屋 {self.created_homes} 户，拒绝 {len(self.rejected)} 行，"
                f"空行 {self.skipped_blank}，重复行 {self.duplicates}")


class _Rollback(Exception):
    pass


def dry_run_import(ctx, path) -> ImportResult:
    """The outcome of importing *path*, computed by running the import and rolling it back."""
    return _import(ctx, path, dry_run=True)


def import_owners(ctx, path) -> ImportResult:
    """Import the valid rows of the ledger *path* in one transaction."""
    return _import(ctx, path, dry_run=False)


def _import(ctx, path, dry_run: bool) -> ImportResult:
    require(ctx, "archive.import")
    rows = open_rows(path)
    header_idx, cols = find_header(rows)
    result = ImportResult(header_row=header_idx + 1, dry_run=dry_run)
    parsed: list[ParsedRow] = []
    seen: dict[tuple, tuple[int, tuple]] = {}
    previous_room: str | None = None
    for i in range(header_idx + 1, len(rows)):
        excel_row = i + 1
        raw = rows[i]
        cells = {key: (raw[j] if j < len(raw) else None) for key, j in cols.items()}
        if all(cell_text(c) == "" for c in raw):
            result.skipped_blank += 1
            previous_room = None if cell_text(cells.get("room")) == "" else previous_room
            continue
        try:
            row = parse_row(excel_row, cells, previous_room)
        except ValidationError as exc:
            result.rejected.append((excel_row, str(exc)))
            previous_room = None if cell_text(cells.get("room")) else previous_room
            continue
        previous_room = row.room
        key = (row.room, row.owner.get("name", ""))
        if key in seen:
            first_row, signature = seen[key]
            if signature == row.signature or set(row.signature) <= set(signature):
                result.duplicates += 1
            else:
                result.rejected.append(
                    (excel_row, f"与第{first_row}行为同一房屋同一业主，但内容不同，请核对后保留一行"))
            continue
        seen[key] = (excel_row, row.signature)
        parsed.append(row)
    try:
        with ctx.db.atomic():
            cache = _Cache()
            _write(ctx, parsed, result, cache)
            record(ctx, "archive.import", "owner_import", Path(path).name, None,
                   {"imported": result.imported, "created_homes": cache.new_homes,
                    "created_owners": cache.new_owners, "updated_owners": sorted(cache.updated_owners),
                    "rejected": len(result.rejected), "dry_run": dry_run})
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    result.rejected.sort()
    return result


HOME_FIELDS = ("area_x100", "house_type", "state", "handover_date", "move_in_date")
ROOM_CODE_WITH_ENTRANCE = 3        # 5-1-203: building, entrance, room; 5-203 has no entrance
DEFAULT_ENTRANCE = "1"
OCCUPANCY_BY_STATE = {"已入住": "自住", "出租": "出租"}   # any other state: 空置


class _Cache:
    """What the import looks up, loaded once: structure, homes, owners and their links.
    peewee builds SQL slowly (~0.2 ms a query); one query per row would dominate the import."""

    def __init__(self):
        self.clusters = {c.code: c for c in Cluster.select()}
        self.cluster_names = {c.name: c for c in self.clusters.values()}
        self.buildings = {b.code: b for b in Building.select()}
        self.entrances = {(e.building_id, e.code): e for e in Entrance.select()}
        home_columns = [getattr(Home, f) for f in HOME_FIELDS]
        self.homes = {h[0]: dict(zip(("id", *HOME_FIELDS), h[1:], strict=True)) for h in
                      Home.select(Home.room_code, Home.id, *home_columns).tuples()}
        self.owner_by_hash: dict[str, tuple[int, str]] = {}
        hashed = Owner.select(Owner.id, Owner.name, Owner.id_hash).where(Owner.id_hash != "")
        for oid, name, id_hash in hashed.tuples():
            self.owner_by_hash[id_hash] = (oid, name)
        self.links: set[tuple[int, int]] = set()
        self.owner_by_home_name: dict[tuple[int, str], int] = {}
        self.primary_homes: set[int] = set()
        q = (HomeOwner.select(HomeOwner.home, HomeOwner.owner, HomeOwner.is_primary, Owner.name).join(Owner)
             .where(HomeOwner.until.is_null()))
        for hid, oid, primary, name in q.tuples():
            self.links.add((hid, oid))
            self.owner_by_home_name[(hid, name)] = oid
            if primary:
                self.primary_homes.add(hid)
        self.new_homes: list[int] = []
        self.new_owners: list[int] = []
        self.updated_owners: set[int] = set()

    def cluster(self, text: str | None) -> Cluster:
        text = (text or "").strip() or DEFAULT_CLUSTER
        m = (re.fullmatch(r"([A-Za-z][A-Za-z0-9]?)(?:组团|区)\s*(.*)", text)
             or re.fullmatch(r"([A-Za-z][A-Za-z0-9]?)()", text))
        code, name = (m.group(1).upper(), m.group(2).strip()) if m else (text, text)
        found = self.clusters.get(code) or self.cluster_names.get(name or text)
        if found:
            return found
        c = Cluster.create(code=code, name=name or f"{code}组团", sort_order=len(self.clusters))
        self.clusters[code] = c
        self.cluster_names[c.name] = c
        return c

    def place(self, room: str, cluster_text: str | None) -> tuple[Building, Entrance]:
        parts = room.split("-")
        bcode, ecode = parts[0], (parts[1] if len(parts) == ROOM_CODE_WITH_ENTRANCE else DEFAULT_ENTRANCE)
        building = self.buildings.get(bcode)
        if building is None:
            cluster = self.cluster(cluster_text)
            building = Building.create(cluster=cluster, code=bcode, name=f"{bcode}号楼",
                                       sort_order=len(self.buildings))
            self.buildings[bcode] = building
        entrance = self.entrances.get((building.id, ecode))
        if entrance is None:
            entrance = Entrance.create(building=building, code=ecode)
            self.entrances[(building.id, ecode)] = entrance
        return building, entrance


def _write(ctx, parsed: list[ParsedRow], result: ImportResult, cache: _Cache):
    touched: set[int] = set()
    for row in parsed:
        try:
            # Every check that can refuse a row runs before the row's first write; the savepoint
            # still guarantees that a refused row leaves nothing behind.
            with ctx.db.atomic():
                hid = _write_row(ctx, row, cache, result)
        except ValidationError as exc:
            result.rejected.append((row.excel_row, str(exc)))
            continue
        touched.add(hid)
    result.home_ids = sorted(touched)
    search.index_homes(result.home_ids)


def _write_row(ctx, row: ParsedRow, cache: _Cache, result: ImportResult) -> int:
    """Write one parsed row (its home, its owner, their link); the id of the row's home."""
    home = cache.homes.get(row.room)
    fields = owner_fields(ctx, row.owner) if row.owner else None
    owner_id = None
    if fields is not None:
        fields["name_pinyin"] = name_key(fields["name"])   # insert/update bypass Owner.save
        owner_id = _owner_on_file(cache, fields, home)     # checks first, writes after
    if home is None:
        home = _create_home(ctx, row, cache)
        result.created_homes += 1
    else:
        _update_home(ctx, home, row.home)
    hid = home["id"]
    if fields is not None:
        owner_id = _save_owner(ctx, fields, owner_id, cache, result)
        _link_owner(cache, home, owner_id, fields["name"])
    result.imported += 1
    return hid


def _owner_on_file(cache: _Cache, fields: dict, home: dict | None) -> int | None:
    """The owner already on file the row is about: same identity number, else same name in the same home."""
    if fields.get("id_hash") and fields["id_hash"] in cache.owner_by_hash:
        owner_id, name = cache.owner_by_hash[fields["id_hash"]]
        if name != fields["name"]:
            raise ValidationError("身份证号", f"已登记在业主“{name}”名下，与姓名“{fields['name']}”不符")
        return owner_id
    if home is not None:
        return cache.owner_by_home_name.get((home["id"], fields["name"]))
    return None


def _create_home(ctx, row: ParsedRow, cache: _Cache) -> dict:
    h = row.home
    if "area_x100" not in h:
        raise ValidationError("建筑面积", f"房屋 {row.room} 尚未建档，新建时不能为空")
    if "house_type" not in h:
        raise ValidationError("房屋类型", f"房屋 {row.room} 尚未建档，新建时不能为空（{'、'.join(HOUSE_TYPES)}）")
    building, entrance = cache.place(row.room, h.get("cluster"))
    state = h.get("state") or ("已入住" if h.get("move_in_date") else "空置" if h.get("handover_date") else "未交付")
    room_no = row.room.split("-")[-1]
    now = ctx.clock.now()
    values = {"area_x100": h["area_x100"], "house_type": h["house_type"], "state": state,
              "handover_date": h.get("handover_date"), "move_in_date": h.get("move_in_date")}
    hid = Home.insert(entrance=entrance.id, building=building.id, cluster=building.cluster_id,
                      room_code=row.room, floor=int(room_no) // 100,
                      occupancy=OCCUPANCY_BY_STATE.get(state, "空置"),
                      created_at=now, updated_at=now, **values).execute()
    home = {"id": hid, **values}
    cache.homes[row.room] = home
    cache.new_homes.append(hid)
    return home


def _update_home(ctx, home: dict, h: dict):
    changes = {k: h[k] for k in HOME_FIELDS if k in h and home[k] != h[k]}
    if not changes:
        return
    before = {k: home[k] for k in changes}
    upd = dict(changes)
    if "state" in changes:
        upd["occupancy"] = OCCUPANCY_BY_STATE.get(changes["state"], "空置")
    Home.update(**upd, updated_at=ctx.clock.now()).where(Home.id == home["id"]).execute()
    record(ctx, "home.update", "home", home["id"], before, changes)
    home.update(changes)


def _save_owner(ctx, fields: dict, owner_id: int | None, cache: _Cache, result: ImportResult) -> int:
    """Create the owner, or update the one on file with the row's non-blank fields; the owner's id."""
    if owner_id is None:
        now = ctx.clock.now()
        owner_id = Owner.insert(**fields, created_at=now, updated_at=now).execute()
        cache.new_owners.append(owner_id)
        result.created_owners += 1
    else:
        owner = Owner.get_by_id(owner_id)
        changes = {k: val for k, val in fields.items() if val not in ("", None) and getattr(owner, k) != val}
        if changes:
            before = {k: getattr(owner, k) for k in changes}
            Owner.update(**changes, updated_at=ctx.clock.now()).where(Owner.id == owner_id).execute()
            record(ctx, "owner.update", "owner", owner_id, _audit_fields(before), _audit_fields(changes))
        cache.updated_owners.add(owner_id)
        result.updated += 1
    if fields.get("id_hash"):
        cache.owner_by_hash[fields["id_hash"]] = (owner_id, fields["name"])
    return owner_id


def _link_owner(cache: _Cache, home: dict, owner_id: int, name: str):
    """Link owner and home unless linked already; the home's first owner is its primary one."""
    hid = home["id"]
    cache.owner_by_home_name[(hid, name)] = owner_id
    if (hid, owner_id) in cache.links:
        return
    primary = hid not in cache.primary_homes
    HomeOwner.insert(home=hid, owner=owner_id, is_primary=primary, since=home.get("handover_date")).execute()
    cache.links.add((hid, owner_id))
    if primary:
        cache.primary_homes.add(hid)


def _audit_fields(d: dict) -> dict:
    return {k: val for k, val in d.items() if k not in ("id_enc", "id_hash")}
