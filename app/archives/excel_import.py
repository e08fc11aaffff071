"""The archives' bulk path for owners and homes: parsed rows (app.archives.excel_rows.ParsedRow)
written inside the caller's transaction — homes created or updated, owners created or updated
through ``owners.owner_fields`` (so identity numbers and phones are stored the archives' way), owner
and home linked, the search index rebuilt.

Reading a workbook, mapping its columns and the transaction around the write belong to the going-live
import (app.golive.owners_import); ``write_rows`` is what it calls. A row refused while writing (an
identity number on file under another name, a new home without area or type) leaves nothing behind
(a savepoint) and is listed in ``ImportResult.rejected``.
"""
from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

from app.archives import search
from app.archives.excel_rows import ParsedRow
from app.archives.owners import owner_fields
from app.core.audit import record
from app.core.errors import ValidationError
from app.core.pinyin import name_key
from models.db import is_sqlite
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
    written: dict[int, tuple[int, int | None]] = field(default_factory=dict)   # row → (home id, owner id)

    def summary(self) -> str:
        head = "试导入（未写入）" if self.dry_run else "导入完成"
        return (f"{head}：导入 {self.imported} 行（新业主 {self.created_owners}，更新 {self.updated}），"
                f"新建房屋 {self.created_homes} 户，拒绝 {len(self.rejected)} 行，"
                f"空行 {self.skipped_blank}，重复行 {self.duplicates}")


HOME_FIELDS = ("area_x100", "house_type", "state", "handover_date", "move_in_date")
ROOM_CODE_WITH_ENTRANCE = 3        # 5-1-203: building, entrance, room; 5-203 has no entrance
DEFAULT_ENTRANCE = "1"
OCCUPANCY_BY_STATE = {"已入住": "自住", "出租": "出租"}   # any other state: 空置


class Cache:
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
        self.owner_by_key: dict[str, int] = {}      # owner number in the other system → owner id
        self.new_homes: list[int] = []
        self.new_owners: list[int] = []
        self.updated_owners: set[int] = set()
        self.batch = Batch()

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
            values = {"cluster": cluster.id, "code": bcode, "name": f"{bcode}号楼", "sort_order": len(self.buildings)}
            building = Building(id=fast_insert(Building, **values), **values)   # not peewee's create: ~1 ms each
            self.buildings[bcode] = building
        entrance = self.entrances.get((building.id, ecode))
        if entrance is None:
            entrance = Entrance(id=fast_insert(Entrance, building=building.id, code=ecode), building=building.id,
                                code=ecode)
            self.entrances[(building.id, ecode)] = entrance
        return building, entrance


def write_rows(ctx, parsed: list[ParsedRow], result: ImportResult, *, index: bool = True, progress=None,
               what: str = "导入业主档案") -> Cache:
    """Write *parsed* inside the caller's transaction (which holds the permission check and the
    audit row); refused rows go to ``result.rejected``. *index*: rebuild the search lines of the
    homes written (the caller may do it later, after its own writes). *progress*: app.core.progress,
    asked between rows (Cancelled, raised inside the caller's transaction, rolls it all back)."""
    from app.core.progress import each
    cache = Cache()
    touched: set[int] = set()
    for row in each(parsed, progress, len(parsed), what):
        # Every check that can refuse a row runs before the row's first write or buffered insert, so
        # a refused row leaves nothing behind (no savepoint per row: two statements a row saved).
        try:
            hid = _write_row(ctx, row, cache, result)
        except ValidationError as exc:
            result.rejected.append((row.excel_row, str(exc)))
            continue
        touched.add(hid)
    cache.batch.flush()
    result.home_ids = sorted(touched)
    if index:
        search.index_homes(result.home_ids)
    return cache


def _write_row(ctx, row: ParsedRow, cache: Cache, result: ImportResult) -> int:
    """Write one parsed row (its home, its owner, their link); the id of the row's home."""
    home = cache.homes.get(row.room)
    fields = owner_fields(ctx, row.owner) if row.owner else None
    owner_id = None
    if fields is not None:
        fields["name_pinyin"] = name_key(fields["name"])   # insert/update bypass Owner.save
        owner_id = _owner_on_file(cache, fields, home, row.owner_key)   # checks first, writes after
    if home is None:
        home = _create_home(ctx, row, cache)
        result.created_homes += 1
    else:
        _update_home(ctx, home, row.home, cache.batch)
    hid = home["id"]
    if fields is not None:
        owner_id = _save_owner(ctx, fields, owner_id, cache, result)
        _link_owner(cache, home, owner_id, fields["name"])
        if row.owner_key:
            cache.owner_by_key[row.owner_key] = owner_id
    result.written[row.excel_row] = (hid, owner_id)
    result.imported += 1
    return hid


def _owner_on_file(cache: Cache, fields: dict, home: dict | None, owner_key: str = "") -> int | None:
    """The owner already on file the row is about: same identity number, else the same owner number
    in this import, else same name in the same home."""
    if fields.get("id_hash") and fields["id_hash"] in cache.owner_by_hash:
        owner_id, name = cache.owner_by_hash[fields["id_hash"]]
        if name != fields["name"]:
            raise ValidationError("身份证号", f"已登记在业主“{name}”名下，与姓名“{fields['name']}”不符")
        return owner_id
    if owner_key and owner_key in cache.owner_by_key:
        return cache.owner_by_key[owner_key]
    if home is not None:
        return cache.owner_by_home_name.get((home["id"], fields["name"]))
    return None


def _create_home(ctx, row: ParsedRow, cache: Cache) -> dict:
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
    hid = cache.batch.add(Home, entrance=entrance.id, building=building.id, cluster=building.cluster_id,
                      room_code=row.room, floor=int(room_no) // 100,
                      occupancy=OCCUPANCY_BY_STATE.get(state, "空置"),
                      created_at=now, updated_at=now, **values)
    home = {"id": hid, **values}
    cache.homes[row.room] = home
    cache.new_homes.append(hid)
    return home


def _update_home(ctx, home: dict, h: dict, batch: Batch):
    changes = {k: h[k] for k in HOME_FIELDS if k in h and home[k] != h[k]}
    if not changes:
        return
    batch.flush()      # the home may be one of this import's, still in the batch
    before = {k: home[k] for k in changes}
    upd = dict(changes)
    if "state" in changes:
        upd["occupancy"] = OCCUPANCY_BY_STATE.get(changes["state"], "空置")
    Home.update(**upd, updated_at=ctx.clock.now()).where(Home.id == home["id"]).execute()
    record(ctx, "home.update", "home", home["id"], before, changes)
    home.update(changes)


def _save_owner(ctx, fields: dict, owner_id: int | None, cache: Cache, result: ImportResult) -> int:
    """Create the owner, or update the one on file with the row's non-blank fields; the owner's id."""
    if owner_id is None:
        now = ctx.clock.now()
        owner_id = cache.batch.add(Owner, **fields, created_at=now, updated_at=now)
        cache.new_owners.append(owner_id)
        result.created_owners += 1
    else:
        cache.batch.flush()      # the owner may be one of this import's, still in the batch
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


def _link_owner(cache: Cache, home: dict, owner_id: int, name: str):
    """Link owner and home unless linked already; the home's first owner is its primary one."""
    hid = home["id"]
    cache.owner_by_home_name[(hid, name)] = owner_id
    if (hid, owner_id) in cache.links:
        return
    primary = hid not in cache.primary_homes
    cache.batch.add(HomeOwner, home=hid, owner=owner_id, is_primary=primary, since=home.get("handover_date"))
    cache.links.add((hid, owner_id))
    if primary:
        cache.primary_homes.add(hid)


BULK_CACHE_KIB = 256 * 1024   # SQLite's page cache while a bulk import writes (16 MB otherwise)


@contextmanager
def bulk_cache(db):
    """A larger SQLite page cache for a bulk write and its commit (the new rows' 16 index entries each
    stay in memory instead of spilling to the WAL: ~0.8 s of 50,000 owners); restored afterwards.
    PostgreSQL: nothing to do."""
    if not is_sqlite():
        yield
        return
    old = int(db.execute_sql("PRAGMA cache_size").fetchone()[0])
    db.execute_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        db.execute_sql(f"PRAGMA cache_size = {old}")


_INSERT_SQL: dict[tuple, tuple[str, list]] = {}
BATCH_ROWS = 500            # rows per multi-row INSERT on PostgreSQL
ID_BLOCK = 1000             # ids taken from a PostgreSQL sequence at a time


class Batch:
    """New homes, owners and links, inserted set-based: each row gets its id at once (SQLite: after
    the table's highest id — the IMMEDIATE transaction holds the write lock; PostgreSQL: from the
    table's own sequence, a block at a time), the rows go in with one executemany (SQLite) or
    multi-row INSERTs (PostgreSQL) per model when ``flush``ed — before any update reads or changes
    a row this import may have added, and at the end of ``write_rows``. Homes and owners go in
    before the links that refer to them."""

    ORDER = (Home, Owner, HomeOwner)

    def __init__(self):
        self.rows: dict[tuple, list[list]] = {}
        self.ids: dict[type, list[int]] = {}

    def add(self, model, **values) -> int | None:
        """Buffer one row of *model*; its id (None for a link, which nobody refers to by id)."""
        if model is not HomeOwner:
            values = {"id": self._new_id(model), **values}
        names = tuple(values)
        self.rows.setdefault((model, names), []).append(_plan(model, names)(values))
        return values.get("id")

    def _new_id(self, model) -> int:
        pool = self.ids.get(model)
        if not pool:
            pool = self.ids[model] = _take_ids(model, pool)
        if is_sqlite():
            pool[0] += 1
            return pool[0] - 1
        return pool.pop()

    def flush(self):
        if not self.rows:
            return
        db = Home._meta.database
        for model in self.ORDER:
            for key in [k for k in self.rows if k[0] is model]:
                sql, _fields = _statement(model, key[1], returning=False)
                rows = self.rows.pop(key)
                if is_sqlite():
                    db.cursor().executemany(sql, rows)
                    continue
                head, marks = sql.split(" VALUES ")
                for i in range(0, len(rows), BATCH_ROWS):
                    chunk = rows[i:i + BATCH_ROWS]
                    db.execute_sql(f"{head} VALUES {', '.join([marks] * len(chunk))}",
                                   [v for r in chunk for v in r])


def _take_ids(model, pool: list[int] | None) -> list[int]:
    """SQLite: [the next free id] (counted on by the batch); PostgreSQL: the next ids of *model*'s
    sequence, highest first (popped from the end)."""
    db = model._meta.database
    table, pk = model._meta.table_name, model._meta.primary_key.column_name
    if is_sqlite():
        return [(db.execute_sql(f'SELECT MAX("{pk}") FROM "{table}"').fetchone()[0] or 0) + 1]
    cur = db.execute_sql(f"SELECT nextval(pg_get_serial_sequence('\"{table}\"', '{pk}')) "
                         f"FROM generate_series(1, {ID_BLOCK})")
    return sorted((r[0] for r in cur.fetchall()), reverse=True)


def _statement(model, names: tuple, returning: bool) -> tuple[str, list]:
    db = model._meta.database
    key = (model, is_sqlite(), names, returning)
    entry = _INSERT_SQL.get(key)
    if entry is None:
        fields = [f for f in model._meta.sorted_fields if not (f is model._meta.primary_key and f.name not in names)]
        cols = ", ".join(f'"{f.column_name}"' for f in fields)
        marks = "(" + ", ".join([db.param] * len(fields)) + ")"
        sql = f'INSERT INTO "{model._meta.table_name}" ({cols}) VALUES {marks}'
        if returning and not is_sqlite():
            sql += f' RETURNING "{model._meta.primary_key.column_name}"'
        entry = _INSERT_SQL[key] = (sql, fields)
    return entry


_PLANS: dict[tuple, object] = {}


def _plan(model, names: tuple):
    """values → the INSERT's parameters (the supplied values, else the fields' defaults, each converted as
    peewee's db_value would), with the work per field decided once per model and set of columns: a
    default not callable converted once, a model instance turned into its id only where a foreign key
    may get one (35 owner columns a row: 1 µs each before, ~0.1 now)."""
    key = (model, is_sqlite(), names)
    make = _PLANS.get(key)
    if make is None:
        from peewee import ForeignKeyField
        _sql, fields = _statement(model, names, returning=False)
        template, supplied, computed = [], [], []
        for pos, f in enumerate(fields):
            template.append(None)
            convert = _as_sqlite_text(f.db_value) if key[1] and _dated(f) else f.db_value
            if f.name in names:
                supplied.append((pos, f.name, convert, isinstance(f, ForeignKeyField), _unchanged(f)))
            elif callable(f.default):
                computed.append((pos, f.default, convert))
            else:
                template[pos] = convert(f.default)

        def make(values: dict) -> list:
            params = template.copy()           # the constant defaults in place; the rest filled in
            for pos, name, convert, related, unchanged in supplied:
                v = values[name]
                if type(v) is not unchanged:
                    if related and hasattr(v, "id") and not isinstance(v, (int, str)):
                        v = v.id
                    v = convert(v)
                params[pos] = v
            for pos, default, convert in computed:
                params[pos] = convert(default())
            return params
        _PLANS[key] = make
    return make


def _dated(f) -> bool:
    from peewee import DateField, DateTimeField
    return isinstance(f, (DateField, DateTimeField))


def _as_sqlite_text(convert):
    """*convert*, then a date or date-time as the text sqlite3's own adapters store (``isoformat()``,
    ``isoformat(" ")``): those adapters are deprecated in Python 3.12 and warn on every value, ~4 µs each,
    eight values a row of an owner import."""
    def text(v):
        v = convert(v)
        kind = type(v)
        if kind is dt.datetime:
            return v.isoformat(" ")
        if kind is dt.date:
            return v.isoformat()
        return v
    return text


def _unchanged(f) -> type | None:
    """The value type *f*'s db_value passes through as it is (peewee's own conversions of str, int and bool
    fields and of an int foreign key), None when every value must be converted (a sealed phone, a date)."""
    from peewee import BooleanField, CharField, Field, ForeignKeyField, IntegerField, TextField
    kind = type(f)
    if isinstance(f, ForeignKeyField):
        return _unchanged(f.rel_field) if kind.db_value is ForeignKeyField.db_value else None
    if kind.db_value is not Field.db_value:
        return None
    for base, passes in ((CharField, str), (TextField, str), (BooleanField, bool), (IntegerField, int)):
        if isinstance(f, base) and kind.adapt is base.adapt:
            return passes
    return None


def fast_insert(model, **values) -> int:
    """``model.insert(**values).execute()`` without peewee building the SQL each time (about 3 ms a
    statement; thousands of rows are the import's cost): the statement is built once per model and
    set of columns, the fields' defaults and conversions applied as peewee would. The new row's id."""
    names = tuple(values)
    sql, _fields = _statement(model, names, returning=True)
    cursor = model._meta.database.execute_sql(sql, _plan(model, names)(values))
    return cursor.lastrowid if is_sqlite() else cursor.fetchone()[0]


def _audit_fields(d: dict) -> dict:
    return {k: val for k, val in d.items() if k not in ("id_enc", "id_hash")}
