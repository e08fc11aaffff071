"""Other registers a site already keeps, brought in on going live, each in ONE transaction:

- ``keys`` (钥匙登记): public keys and the door keys of homes still at the desk (未交付/空置), as the
  key register (app.desk.keys) keeps them: 钥匙名称, 类别, 数量, 配备方式, 存放位置, 保管人;
- ``meters`` (水电气表): each home's meter number and last reading, stored as the meter's reading on
  its date (the go-live day when none is given) — the base the first bill's consumption starts from;
- ``residents`` (住户与租户): residents and tenants of a home; a phone that fails its check does not
  drop the person: the raw text goes to the 待核对 worklist;
- ``vehicles`` (车位与车辆): handed to app.golive.vehicles_import.

``import_register(ctx, kind, path, mapping=None, dry_run=False)`` reads the workbook
(app.golive.register_sheets), checks every row against the file and the database, writes the good
rows with one audit row and refuses the bad ones by row with the reason. The same file comes in once.
"""
from __future__ import annotations

import datetime as dt

from app.archives.excel_rows import cell_text
from app.core import validation as v
from app.core.dates import as_date
from app.core.errors import ValidationError
from app.core.permissions import require
from app.golive import register_sheets as rs

PERMISSIONS = {"keys": "keys.edit", "meters": "ledger.reading", "residents": "archive.edit"}
METER_NO_MAX = 30
TENANT_WORDS = ("租户", "承租", "租客", "是", "租赁")


class _Rollback(Exception):
    pass


def import_register(ctx, kind: str, path, mapping: str | rs.RegisterMapping | None = None,
                    dry_run: bool = False) -> rs.RegisterReport:
    if kind == "vehicles":          # 车位与车辆: spaces, holders and vehicles (app.golive.vehicles_import)
        from app.golive.vehicles_import import import_vehicles
        return import_vehicles(ctx, path, mapping, dry_run)
    if kind not in PERMISSIONS:
        raise ValidationError("登记类别", f"应为 {'、'.join(PERMISSIONS)}、vehicles")
    require(ctx, "archive.import")
    require(ctx, PERMISSIONS[kind])
    digest = rs.fingerprint(path)
    rs.refuse_repeat(kind, digest)
    m, b = rs.read(path, kind, mapping)
    rep = rs.start_report(kind, path, m, b, dry_run)
    try:
        with ctx.db.atomic():
            rs.refuse_repeat(kind, digest)
            rows = _checked(ctx, kind, b, m, rep)
            rep.rejected.sort()
            rep.written = len(rows)
            imp = rs.record_import(ctx, kind, rep, digest)
            WRITERS[kind](ctx, rows, imp.id, rep)
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return rep


def _checked(ctx, kind, b, m, rep) -> list[dict]:
    homes = rs.home_codes()
    check = CHECKS[kind]
    out, seen = [], {}
    for row, cells in b.rows(m.defaults):
        rep.rows += 1
        try:
            reason = rs.uncached_formula(b, row)
            if reason:
                raise ValidationError("单元格", reason)
            rec = check(ctx, cells, homes)
        except ValidationError as exc:
            rep.rejected.append((row, str(exc)))
            continue
        key = rec.pop("_key")
        if key in seen:
            rep.rejected.append((row, f"{rec.pop('_what')}与第{seen[key]}行重复"))
            continue
        seen[key] = row
        rec["_row"] = row
        out.append(rec)
    known = EXISTING[kind](out)
    for r in out:
        if r["_what"] in known:
            rep.rejected.append((r["_row"], f"{r['_what']}已在系统中登记，未重复导入"))
    bad = {r for r, _m in rep.rejected}
    return [r for r in out if r["_row"] not in bad]


def _optional_home(cells, homes) -> tuple[int | None, str]:
    if all(cell_text(cells.get(k)) == "" for k in ("room", "building", "entrance")):
        return None, ""
    return rs.home_of(cells, homes)


# -------------------------------------------------------------------------------------------- keys
def _key(ctx, cells, homes) -> dict:
    from app.desk.keys import AREA_MAX, DOOR_KIND, MAX_COPIES, PUBLIC_KIND, VACANT_STATES
    from models.keys import KEY_KINDS
    from models.property import Home
    hid, room = _optional_home(cells, homes)
    kind_text = cell_text(cells.get("kind")) or (DOOR_KIND if hid else PUBLIC_KIND)
    kind = next((k for k in KEY_KINDS if kind_text in (k, k[:-2], k[:-1])), None)   # 入户门钥匙 / 入户门 / 公共
    if kind is None:
        raise ValidationError("钥匙类别", f"应为{'或'.join(KEY_KINDS)}，收到“{kind_text}”")
    if kind == DOOR_KIND and not hid:
        raise ValidationError("房号", "入户门钥匙须填写房号")
    area = cell_text(cells.get("area")) or (f"入户门 {room}" if hid else "")
    if not area:
        raise ValidationError("钥匙名称", "不能为空")
    if len(area) > AREA_MAX:
        raise ValidationError("钥匙名称", f"不能超过{AREA_MAX}个字")
    copies_text = cell_text(cells.get("copies")) or "1"
    if not copies_text.isdigit() or not 1 <= int(copies_text) <= MAX_COPIES:
        raise ValidationError("数量", f"“{copies_text}”应为1到{MAX_COPIES}之间的整数")
    if kind == DOOR_KIND:
        state = Home.get_by_id(hid).state
        if state not in VACANT_STATES:
            raise ValidationError("房号", f"{room} 状态为“{state}”，钥匙已交业主，前台不登记入户门钥匙")
    what = f"钥匙“{area}”" if kind != DOOR_KIND else f"{room} 的入户门钥匙"
    return {"kind": kind, "area": area, "home": hid if kind == DOOR_KIND else None, "copies": int(copies_text),
            "supply_method": cell_text(cells.get("supply_method")), "keeper_place":
            cell_text(cells.get("keeper_place")) or "客服前台", "keeper_person": cell_text(cells.get("keeper_person")),
            "notes": cell_text(cells.get("notes")), "_key": (kind, area, hid), "_what": what}


def _existing_keys(rows) -> set[str]:
    from models.keys import Key
    door = {h for (h,) in Key.select(Key.home).where(Key.home.is_null(False) & Key.active).tuples()}
    public = {a for (a,) in Key.select(Key.area).where(Key.home.is_null() & Key.active).tuples()}
    return {r["_what"] for r in rows if (r["home"] in door if r["home"] else r["area"] in public)}


def _write_keys(ctx, rows, import_id, rep):
    now = ctx.clock.now()
    data = [{"kind": r["kind"], "area": r["area"], "home_id": r["home"], "supply_method": r["supply_method"],
             "copies": r["copies"], "keeper_place": r["keeper_place"], "keeper_person": r["keeper_person"],
             "active": True, "handed_over_at": None, "handed_over_to": "", "notes": r["notes"],
             "created_at": now, "updated_at": now} for r in rows]
    rs.bulk_insert(ctx, "key", data)
    rep.home_ids = sorted({r["home"] for r in rows if r["home"]})


# ------------------------------------------------------------------------------------------ meters
def _meter(ctx, cells, homes) -> dict:
    from app.ledger.meters import KIND_LABELS, normalize_kind, parse_reading
    hid, room = rs.home_of(cells, homes)
    kind = normalize_kind(cell_text(cells.get("kind")))
    value = parse_reading(cells.get("reading") if cells.get("reading") is not None else "", "读数")
    day = v.parse_date(cells.get("date"), "抄表日期", required=False) or ctx.clock.today()
    if day > ctx.clock.today():
        raise ValidationError("抄表日期", f"{day.isoformat()} 晚于今天")
    number = cell_text(cells.get("meter_no"))
    if len(number) > METER_NO_MAX:
        raise ValidationError("表号", f"不能超过{METER_NO_MAX}个字符")
    note = "期初读数（上线导入）" + (f" 表号 {number}" if number else "")
    return {"home": hid, "kind": kind, "reading_date": day, "reading_x100": value, "note": note,
            "_key": (hid, kind), "_what": f"{room} 的{KIND_LABELS[kind]}表读数", "_room": room}


def _existing_meters(rows) -> set[str]:
    """A meter that has a reading on or after the imported one's date already (the base must come first)."""
    from models.ledger import MeterReading
    out = set()
    for i in range(0, len(rows), 500):
        part = rows[i:i + 500]
        later = set(MeterReading.select(MeterReading.home, MeterReading.kind, MeterReading.reading_date)
                    .where(MeterReading.home.in_(sorted({r["home"] for r in part}))).tuples())
        latest: dict[tuple, dt.date] = {}
        for h, k, when in later:
            d = as_date(when)
            latest[(h, k)] = max(latest.get((h, k), d), d)
        out |= {r["_what"] for r in part if latest.get((r["home"], r["kind"]), dt.date.min) >= r["reading_date"]}
    return out


def _write_meters(ctx, rows, import_id, rep):
    now, uid = ctx.clock.now(), getattr(ctx.user, "id", None)
    data = [{"home_id": r["home"], "kind": r["kind"], "reading_date": r["reading_date"],
             "reading_x100": r["reading_x100"], "new_meter": False, "note": r["note"], "created_at": now,
             "created_by_id": uid} for r in rows]
    rs.bulk_insert(ctx, "meter_reading", data)
    rep.home_ids = sorted({r["home"] for r in rows})


# --------------------------------------------------------------------------------------- residents
def _resident(ctx, cells, homes) -> dict:
    hid, room = rs.home_of(cells, homes)
    name = v.check_required(cell_text(cells.get("name")), "姓名")
    tenant_text = cell_text(cells.get("tenant"))
    relation = cell_text(cells.get("relation"))
    tenant = any(w in tenant_text for w in TENANT_WORDS) or "租" in relation
    raw_phone = cell_text(cells.get("phone"))
    phone, pending = raw_phone, None
    if raw_phone:
        try:
            phone = v.check_phone(raw_phone, "电话")
        except ValidationError as exc:
            phone, pending = "", exc.problem
    lease_from = v.parse_date(cells.get("lease_from"), "租期起", required=False)
    lease_to = v.parse_date(cells.get("lease_to"), "租期止", required=False)
    if lease_from and lease_to and lease_to < lease_from:
        raise ValidationError("租期止", "早于租期起")
    return {"home": hid, "name": name, "relation": relation or ("租户" if tenant else ""), "is_tenant": tenant,
            "phone": phone, "lease_from": lease_from, "lease_to": lease_to, "notes": cell_text(cells.get("notes")),
            "_key": (hid, name), "_what": f"{room} 的住户“{name}”", "_pending": (raw_phone, pending)}


def _existing_residents(rows) -> set[str]:
    from models.people import Resident
    out = set()
    for i in range(0, len(rows), 500):
        part = rows[i:i + 500]
        have = set(Resident.select(Resident.home, Resident.name)
                   .where(Resident.home.in_(sorted({r["home"] for r in part}))).tuples())
        out |= {r["_what"] for r in part if (r["home"], r["name"]) in have}
    return out


def _write_residents(ctx, rows, import_id, rep):
    from app.archives import search
    from app.golive import worklist
    from models.people import Resident
    flags = []
    for r in rows:
        res = Resident.create(**{k: val for k, val in r.items() if not k.startswith("_")})
        raw, reason = r["_pending"]
        if reason:
            flags.append(worklist.Flag("resident", res.id, "phone", "电话", raw, reason, r["home"],
                                       f"导入 {rep.file} 第{r['_row']}行"))
            rep.notes.append((r["_row"], f"电话“{raw}”待核对（{reason}）"))
    worklist.flag_many(ctx, flags)
    rep.home_ids = sorted({r["home"] for r in rows})
    search.index_homes(rep.home_ids)


CHECKS = {"keys": _key, "meters": _meter, "residents": _resident}
EXISTING = {"keys": _existing_keys, "meters": _existing_meters, "residents": _existing_residents}
WRITERS = {"keys": _write_keys, "meters": _write_meters, "residents": _write_residents}
