"""Meter readings (抄表) of water, power and gas: entered at the desk or imported from Excel.

Readings are kept in 1/100 of the unit. A meter replaced mid-period: record the old meter's end
reading, then the new meter's start reading with ``new_meter=True`` (same date or later); the
period's consumption is the old meter's part plus the new meter's part.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right, insort
from decimal import Decimal, InvalidOperation
from pathlib import Path

from app.archives.homes import home_by_id
from app.core import audit
from app.core.dates import as_date, fmt_timestamp
from app.core.errors import StateError, ValidationError
from app.core.permissions import require
from app.core.progress import each
from app.core.validation import normalize, parse_date
from models.ledger import METER_KINDS, Charge, MeterReading
from models.property import Home

KIND_LABELS = {"water": "水", "power": "电", "gas": "燃气"}
KIND_ALIASES = {"水": "water", "水表": "water", "水费": "water", "电": "power", "电表": "power", "电费": "power",
                "气": "gas", "燃气": "gas", "气表": "gas", "燃气费": "gas"}


def normalize_kind(kind) -> str:
    k = str(kind or "").strip()
    k = KIND_ALIASES.get(k, k.lower())
    if k not in METER_KINDS:
        raise ValidationError("表类", f"应为水、电或燃气，收到“{kind}”")
    return k


def parse_reading(value, field: str = "读数") -> int:
    if isinstance(value, float):
        # Excel cells arrive as floats: go through their shortest decimal text, never float arithmetic
        value = repr(value)
    try:
        d = Decimal(normalize(value).replace(" ", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(field, f"“{value}”不是有效的数字") from None
    if not d.is_finite() or d < 0:
        raise ValidationError(field, "不能为负数")
    if d != d.quantize(Decimal("0.01")):
        raise ValidationError(field, "最多两位小数")
    if d >= Decimal("100000000"):
        raise ValidationError(field, "读数过大")
    return int(d * 100)


def fmt_reading(x100: int) -> str:
    return f"{Decimal(int(x100)) / 100:.2f}"


# the reading and, keyword-only, what is known of its meter
def _check_reading(room: str, kind: str, day: dt.date, value: int, new_meter: bool, *,  # noqa: PLR0913
                   billed_upto, same: bool, prev, nxt) -> None:
    """The rules of a reading against its meter's neighbours. ``billed_upto``: the meter's last billed
    month or None; ``prev``/``nxt``: (date, reading_x100, new_meter) of the readings just before
    (on or before the day) and after, or None."""
    label = KIND_LABELS[kind]
    period = f"{day.year:04d}-{day.month:02d}"
    if billed_upto is not None and billed_upto >= period:
        raise StateError(f"{room} 的{label}费已计费至 {period} 或之后，不能再录入该日期的读数")
    if same:
        raise StateError(f"{room} 在 {day.isoformat()} 已有{label}表读数")
    if not new_meter and prev is not None and value < prev[1]:
        raise ValidationError(f"{label}表读数", f"不能小于上次读数 {fmt_reading(prev[1])}"
                              f"（{prev[0]}）；如已换表，请勾选“新表起始读数”")
    if nxt is not None and not nxt[2] and value > nxt[1]:
        raise ValidationError(f"{label}表读数", f"不能大于之后的读数 {fmt_reading(nxt[1])}（{nxt[0]}）")


def _reading_day(ctx, date) -> dt.date:
    day = date if isinstance(date, dt.date) and not isinstance(date, dt.datetime) else parse_date(date, "抄表日期")
    if day > ctx.clock.today():
        raise ValidationError("抄表日期", "不能晚于今天")
    return day


def record_reading(ctx, home_id, kind, reading, date, note="", *, new_meter=False) -> MeterReading:
    """Record a meter reading. Refuses a reading below the meter's previous one (unless it is a new
    meter's start), a date in the future, and a date in a month already billed for that meter."""
    require(ctx, "ledger.reading")
    home = home_by_id(home_id)
    kind = normalize_kind(kind)
    value = parse_reading(reading)
    day = _reading_day(ctx, date)
    period = f"{day.year:04d}-{day.month:02d}"
    billed = (Charge.select().where((Charge.home == home.id) & (Charge.item_code == kind)
                                    & (Charge.bill_period >= period)).exists())
    meter = (MeterReading.home == home.id) & (MeterReading.kind == kind)
    same = (MeterReading.select().where(meter & (MeterReading.reading_date == day)
                                        & (MeterReading.new_meter == bool(new_meter))).exists())
    prev = (MeterReading.select(MeterReading.reading_date, MeterReading.reading_x100, MeterReading.new_meter)
            .where(meter & (MeterReading.reading_date <= day))
            .order_by(MeterReading.reading_date.desc(), MeterReading.id.desc()).tuples().first())
    nxt = (MeterReading.select(MeterReading.reading_date, MeterReading.reading_x100, MeterReading.new_meter)
           .where(meter & (MeterReading.reading_date > day))
           .order_by(MeterReading.reading_date, MeterReading.id).tuples().first())
    _check_reading(home.room_code, kind, day, value, bool(new_meter), billed_upto=period if billed else None,
                   same=same, prev=prev, nxt=nxt)
    with ctx.db.atomic():
        row = MeterReading.create(home=home.id, kind=kind, reading_date=day, reading_x100=value,
                                  new_meter=bool(new_meter), note=str(note or ""), created_at=ctx.clock.now(),
                                  created_by=getattr(ctx.user, "id", None))
        audit.record(ctx, "ledger.reading", "meter_reading", row.id, None,
                     {"home": home.room_code, "kind": kind, "reading": fmt_reading(value), "date": day.isoformat(),
                      "new_meter": bool(new_meter)})
    return row


def readings(ctx, home_id, kind=None, limit: int = 200) -> list[dict]:
    q = MeterReading.select().where(MeterReading.home == home_id)
    if kind:
        q = q.where(MeterReading.kind == normalize_kind(kind))
    out = []
    for r in q.order_by(MeterReading.reading_date.desc(), MeterReading.id.desc()).limit(limit):
        out.append({"id": r.id, "kind": KIND_LABELS[r.kind], "date": r.reading_date,
                    "reading": fmt_reading(r.reading_x100), "new_meter": r.new_meter, "note": r.note})
    return out


IMPORT_COLUMNS = ("房号", "表类", "读数", "抄表日期")
IMPORT_MAX_ROWS = 50_000     # 5,000 homes × water, power and gas is 15,000 readings a month
IMPORT_MAX_COLS = 50


def import_readings(ctx, path, progress=None) -> int:
    """Import readings from an Excel sheet with the columns 房号, 表类 (水/电/燃气), 读数, 抄表日期
    and optionally 新表 (是/否) and 备注. All rows or none: a bad row names its row and column.
    The file is read and checked (app.core.imports limits) before the write transaction starts;
    *progress* (app.core.progress) is asked between rows, and a cancel writes nothing. Linear:
    10,000 rows in well under 2 s (benchmarks/bench_readings_import.py)."""
    require(ctx, "ledger.reading")
    rows = _read_sheet(path)
    header = [str(c or "").strip() for c in (rows[0] if rows else ())]
    missing = [c for c in IMPORT_COLUMNS if c not in header]
    if missing:
        raise ValidationError("导入文件", f"第1行（表头）缺少列：{'、'.join(missing)}")
    col = {name: header.index(name) for name in header if name}
    entries = [_import_entry(i, row, col) for i, row in enumerate(rows[1:], start=2)
               if not all(c is None or str(c).strip() == "" for c in row)]
    return _write_readings(ctx, entries, col, path, progress)


CHUNK = 500
FIELD = "导入文件"


def _read_sheet(path) -> list[tuple]:
    """The first sheet's rows (header included), all of one width, through the one fast reader of the
    imports (app.core.imports.read_first_sheet: calamine, under every import's limits)."""
    from app.core.imports import read_first_sheet
    return read_first_sheet(path, FIELD, IMPORT_MAX_ROWS, IMPORT_MAX_COLS)


def _parse_entries(ctx, entries, col) -> list:
    """Each row checked on its own (room, kind, number, date): (row, values) or (row, the refusal)."""
    homes = dict(Home.select(Home.room_code, Home.id).tuples())
    days: dict = {}     # a month's file has a handful of distinct dates: each parsed once
    out = []
    for i, room, kind, reading, day, note, new_meter in entries:
        try:
            if room not in homes:
                raise ValidationError(f"房号（{_letter(col['房号'])}列）", f"“{room}”不存在")
            key = (type(day), day)
            if key not in days:
                days[key] = _reading_day(ctx, day)
            values = (room, homes[room], normalize_kind(kind), parse_reading(reading), days[key],
                      str(note or ""), bool(new_meter))
            out.append((i, values))
        except (ValidationError, StateError) as exc:
            out.append((i, exc))
    return out


def _neighbours(pairs: set, first_day: dt.date) -> tuple[dict, dict]:
    """{(home, kind): [(date, id, reading_x100, new_meter) …] sorted}: each meter's stored readings from
    ``first_day`` (the file's earliest date) on and its last one before that day — all that the rules of
    the file's rows can ask for — and {(home, kind): last billed month from first_day's month on}. A
    query per kind and chunk of homes on the (home, kind, reading_date) index, never the history."""
    db = MeterReading._meta.database
    p = db.param
    first_period = f"{first_day.year:04d}-{first_day.month:02d}"
    known: dict[tuple, list] = {pair: [] for pair in pairs}
    billed: dict[tuple, str] = {}
    by_kind: dict[str, list] = {}
    for hid, kind in pairs:
        by_kind.setdefault(kind, []).append(hid)
    cols = "m.home_id, m.reading_date, m.reading_x100, m.new_meter, m.id"
    for kind, hids in by_kind.items():
        for n in range(0, len(hids), CHUNK):
            chunk = hids[n:n + CHUNK]
            marks = ", ".join([p] * len(chunk))
            sql = (f"SELECT {cols} FROM meter_reading m WHERE m.kind = {p} AND m.home_id IN ({marks})"
                   f" AND m.reading_date >= {p}"
                   f" UNION ALL SELECT {cols} FROM meter_reading m WHERE m.id IN"
                   f" (SELECT (SELECT q.id FROM meter_reading q WHERE q.home_id = h.id AND q.kind = {p}"
                   f" AND q.reading_date < {p} ORDER BY q.reading_date DESC, q.id DESC LIMIT 1)"
                   f" FROM home h WHERE h.id IN ({marks}))")
            day = first_day.isoformat()
            for hid, rday, value, new_meter, rid in db.execute_sql(sql, [kind, *chunk, day, kind, day, *chunk]):
                known[(hid, kind)].append((as_date(rday), rid, int(value), bool(new_meter)))
            for hid, last in db.execute_sql(f"SELECT home_id, MAX(bill_period) FROM charge WHERE item_code = {p}"
                                            f" AND home_id IN ({marks}) AND bill_period >= {p} GROUP BY home_id",
                                            [kind, *chunk, first_period]):
                billed[(hid, kind)] = last
    for rows in known.values():
        rows.sort()
    return known, billed


def _write_readings(ctx, entries, col, path, progress=None) -> int:
    """Check every row against its meter (the rules of record_reading, earlier rows of the file
    included) with a few set queries, then insert them with one executemany and one audit row."""
    parsed = _parse_entries(ctx, entries, col)
    if not parsed:
        return 0
    db = ctx.db
    with db.atomic():
        good = [v for _i, v in parsed if not isinstance(v, Exception)]
        pairs = {(v[1], v[2]) for v in good}
        known, billed = _neighbours(pairs, min((v[4] for v in good), default=ctx.clock.today()))
        order = 1 << 62              # the file's rows come after every stored one, in file order
        rows, rooms = [], {}
        for i, v in each(parsed, progress, len(parsed), "导入抄表读数"):
            if isinstance(v, Exception):
                raise ValidationError(f"第{i}行", str(v)) from None
            room, hid, kind, value, day, note, new_meter = v
            meter = known[(hid, kind)]
            at = bisect_right(meter, (day, order))
            prev = meter[at - 1] if at else None
            after = bisect_right(meter, (day, 1 << 63))
            nxt = meter[after] if after < len(meter) else None
            same = any(r[0] == day and r[3] == new_meter for r in meter[bisect_left(meter, (day,)):after])
            try:
                _check_reading(room, kind, day, value, new_meter, billed_upto=billed.get((hid, kind)), same=same,
                               prev=prev and (prev[0], prev[2], prev[3]), nxt=nxt and (nxt[0], nxt[2], nxt[3]))
            except (ValidationError, StateError) as exc:
                raise ValidationError(f"第{i}行", str(exc)) from None
            insort(meter, (day, order, value, new_meter))
            order += 1
            rows.append((hid, kind, day.isoformat(), value, new_meter, note))
            rooms[hid] = room
        now = fmt_timestamp(ctx.clock.now())
        uid = getattr(ctx.user, "id", None)
        p = db.param
        cursor = db.cursor()
        sql = ("INSERT INTO meter_reading (home_id, kind, reading_date, reading_x100, new_meter, note, created_at,"
               f" created_by_id) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p})")
        for n in range(0, len(rows), 1000):
            cursor.executemany(sql, [(*r, now, uid) for r in rows[n:n + 1000]])
        audit.record(ctx, "ledger.reading", "meter_reading", f"导入{len(rows)}条", None,
                     {"file": Path(path).name, "count": len(rows),
                      "readings": [[rooms[h], k, fmt_reading(x), d, nm] for h, k, d, x, nm, _note in rows]})
    return len(rows)


def _letter(index: int) -> str:
    from app.core.imports import column_name
    return column_name(index)


def _import_entry(i: int, row: tuple, col: dict) -> tuple:
    """(row number, room, kind, reading, date, note, new meter) of one data row, each required cell
    present: an empty one is named by its row, column name and letter."""
    from app.core.imports import cell, number_text
    from app.core.validation import normalize_room_code
    values = {}
    for name in IMPORT_COLUMNS:
        value = cell(row, col[name])
        if value is None or str(value).strip() == "":
            raise ValidationError(f"第{i}行", f"{name}（{_letter(col[name])}列）不能为空")
        values[name] = value
    room = normalize_room_code(values["房号"])
    kind = normalize(values["表类"]).replace(" ", "")
    reading = number_text(values["读数"])
    new_meter = "新表" in col and normalize(cell(row, col["新表"])) in ("是", "1", "Y", "y", "True", "TRUE")
    note = normalize(cell(row, col["备注"])) if "备注" in col else ""
    return i, room, kind, reading, values["抄表日期"], note, new_meter
