"""Parking spaces and vehicles (车位与车辆) from the office's own register (车位车辆登记表), on going live.

One row is a space and/or a vehicle: 车位号, 区域, 车位性质 (产权/租赁/公共), 房号, 车牌号, 车主姓名, 联系电话,
品牌型号, 颜色, 车卡号, 月卡开始/到期 (app.golive.register_sheets, role ``vehicles``). Nothing is dropped for a
secondary field: a row is refused only when its key is missing (no space and no plate) or contradictory
(a plate twice on different homes, a space held by another home); the other part of such a row still comes in.
A bad phone or card date goes to the 待核对 worklist (the vehicle stored without it); a room the site does not
have keeps the space without a home and the row is reported. Spaces already present (the owners' workbook)
are matched by code, not duplicated. One transaction, one audit row, the same file once, manager only.
The rows are read and checked one by one in app.golive.vehicles_rows; here they are checked against each
other and the database, and written.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.core.permissions import require
from app.golive import register_sheets as rs
from app.golive.vehicles_rows import Row, read_rows

KIND = "vehicles"
CARD_SEQUENCE = "car_card"          # app.parking.cards numbers the registration forms with it
STATE_OF = {"产权": "已售", "租赁": "已租", "公共": "空闲"}
HOLDER_KIND = {"产权": "产权", "租赁": "租用"}
CHUNK = 500


class _Rollback(Exception):
    pass


@dataclass
class VehiclesReport(rs.RegisterReport):
    spaces_new: int = 0
    spaces_matched: int = 0
    linked: int = 0
    vehicles: int = 0
    pending: int = 0
    outcomes: list[tuple[int, str]] = field(default_factory=list)
    linked_new: int = 0          # spaces with a home now that had none (new ones and matched ones linked)
    found: tuple[int, int, int, int] = (0, 0, 0, 0)     # the database's growth: spaces, linked, vehicles, 待核对

    def head(self) -> list[str]:
        verb = "试导入（未写入）" if self.dry_run else "导入完成"
        spaces = self.spaces_new + self.spaces_matched
        return [f"{verb}：车位 {spaces} 个（新建 {self.spaces_new}，与已有车位匹配 {self.spaces_matched}，"
                f"关联房屋 {self.linked} 个），车辆 {self.vehicles} 辆，待核对 {self.pending} 项，"
                f"拒绝 {len(self.rejected)} 处（共 {self.rows} 行）",
                f"映射：{self.mapping}；工作表“{self.sheet}”，表头在第 {self.header_row} 行",
                self.tie()]

    def tie(self) -> str:
        """What the database holds more after the writes (counted, not the plan), against the counts above."""
        want = (self.spaces_new, self.linked_new, self.vehicles, self.pending)
        s, lk, v, p = self.found
        ok = "与上列相符" if self.found == want else f"与上列不符（应为 {want}）"
        return f"核对：写入后数据库新增车位 {s} 个、新关联房屋的车位 {lk} 个、车辆 {v} 辆、待核对 {p} 项，{ok}"

    def lines(self) -> list[str]:
        """The counts, the refused rows and remarks, then (a dry run) what every row would bring in."""
        rows = ["逐行结果：", *(f"  第{r}行：{text}" for r, text in self.outcomes)] if self.dry_run else []
        return self.head() + self.tail() + rows

def import_vehicles(ctx, path, mapping: str | rs.RegisterMapping | None = None,
                    dry_run: bool = False) -> VehiclesReport:
    """Read the register, check every row against the file and the database, write spaces, their
    holders, vehicles and the 待核对 items in one transaction with one audit row."""
    require(ctx, "archive.import")
    require(ctx, "golive.parking")
    digest = rs.fingerprint(path)
    rs.refuse_repeat(KIND, digest)
    m, b = rs.read(path, KIND, mapping)
    base = rs.start_report(KIND, path, m, b, dry_run)
    rep = VehiclesReport(**vars(base))
    try:
        with ctx.db.atomic():
            rs.refuse_repeat(KIND, digest)
            rows = read_rows(ctx, b, m, rep)
            spaces = _plan_spaces(rows, rep)
            _plan_vehicles(rows, spaces, rep)
            _count(rows, spaces, rep)
            rs.record_import(ctx, KIND, rep, digest)
            before = _db_counts()
            _write(ctx, rows, spaces, rep)
            rep.found = tuple(a - b for a, b in zip(_db_counts(), before, strict=True))
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return rep


# ----------------------------------------------------------------------------- checking the plan
@dataclass
class Space:
    code: str
    row: int
    home: int | None
    room: str
    kind: str
    level: str
    owner_name: str
    notes: str
    existing: int | None = None       # id of the space already in the database
    existing_home: int | None = None
    link: bool = False                # an existing space gets its home now


def _existing_spaces() -> dict[str, tuple[int, int | None]]:
    """code → (id, home) of every space (a site has some thousands at most: one query)."""
    from models.property import ParkingSpace
    q = ParkingSpace.select(ParkingSpace.id, ParkingSpace.code, ParkingSpace.home)
    return {code: (sid, hid) for sid, code, hid in q.tuples()}


def _plan_spaces(rows: list[Row], rep) -> dict[str, Space]:
    spaces: dict[str, Space] = {}
    existing = _existing_spaces()
    rooms = _db_rooms([hid for _sid, hid in existing.values() if hid])
    for r in rows:
        if not r.code:
            continue
        home = r.home if r.kind != "公共" else None
        s = spaces.get(r.code)
        if s is None:
            sid, held = existing.get(r.code, (None, None))
            if held and home and held != home:
                rep.rejected.append((r.row, f"车位号：{r.code} 已属于房屋 {rooms.get(held, held)}，与本行房号 "
                                            f"{r.room} 矛盾" + _vehicle_word(r)))
                continue
            s = Space(r.code, r.row, home or held, r.room if home else rooms.get(held, ""), r.kind, r.level,
                      r.driver, r.notes, sid, held, link=bool(sid and home and not held))
            spaces[r.code] = s
        elif home and s.home and home != s.home:
            rep.rejected.append((r.row, f"车位号：{r.code} 在第{s.row}行登记在 {s.room}，本行为 {r.room}，"
                                        "同一车位不能属于两户" + _vehicle_word(r)))
            continue
        elif home and not s.home:
            s.home, s.room, s.kind, s.link = home, r.room, r.kind, bool(s.existing)
        r.space_ok = True
        if r.home is None and s.home:
            r.home, r.room = s.home, s.room          # the car belongs to the space's home
    return spaces


def _vehicle_word(r: Row) -> str:
    return f"（车辆 {r.plate} 也未导入）" if r.plate else ""


def _db_rooms(home_ids) -> dict[int, str]:
    from models.property import Home
    ids = sorted(set(home_ids))
    out = {}
    for i in range(0, len(ids), CHUNK):
        out |= dict(Home.select(Home.id, Home.room_code).where(Home.id.in_(ids[i:i + CHUNK])).tuples())
    return out


def _existing_plates(plates) -> dict[str, tuple[str, str]]:
    """plate → (room, card number) of a valid card already registered."""
    from models.parking import Vehicle
    from models.property import Home
    plates = sorted(plates)
    out = {}
    for i in range(0, len(plates), CHUNK):
        q = (Vehicle.select(Vehicle.plate, Home.room_code, Vehicle.card_number).join(Home)
             .where(Vehicle.plate.in_(plates[i:i + CHUNK]) & (Vehicle.status == "有效")))
        out |= {p: (room, card) for p, room, card in q.tuples()}
    return out


def _used_cards(cards) -> set[str]:
    from models.parking import Vehicle
    cards = sorted(cards)
    out = set()
    for i in range(0, len(cards), CHUNK):
        out |= {c for (c,) in Vehicle.select(Vehicle.card_number).where(
            Vehicle.card_number.in_(cards[i:i + CHUNK])).tuples()}
    return out


def _plan_vehicles(rows: list[Row], spaces: dict[str, Space], rep):
    existing = _existing_plates({r.plate for r in rows if r.plate})
    used = _used_cards({r.card_no for r in rows if r.card_no})
    seen: dict[str, Row] = {}
    for r in rows:
        kept = f"；车位 {r.code} 已导入" if r.space_ok else ""
        if r.plate_error:
            rep.rejected.append((r.row, f"{r.plate_error}，车辆未导入{kept}"))
            continue
        if not r.plate or (r.code and not r.space_ok):
            continue
        first = seen.get(r.plate)
        if first is not None:
            where = (f"，登记在不同房屋（{first.room or '无房号'}、{r.room or '无房号'}）"
                     if first.home != r.home else "")
            rep.rejected.append((r.row, f"车牌号：{r.plate} 与第{first.row}行重复{where}，车辆未导入{kept}"))
            continue
        seen[r.plate] = r
        if r.plate in existing:
            room, card = existing[r.plate]
            rep.rejected.append((r.row, f"车牌号：{r.plate} 已在系统中登记（{room}，车卡 {card}），未重复导入{kept}"))
            continue
        if r.home is None:
            rep.rejected.append((r.row, f"车辆 {r.plate}：房号为空或不在小区房屋中，车辆须登记在房屋下，未导入{kept}"))
            continue
        if r.card_no and r.card_no in used:
            r.remarks.append(f"车卡号 {r.card_no} 已使用，改用登记表编号")
            r.card_no = ""
        if r.card_no:
            used.add(r.card_no)
        r.vehicle_ok = True


def _db_counts() -> tuple[int, int, int, int]:
    from models.golive import PendingCheck
    from models.parking import Vehicle
    from models.property import ParkingSpace
    pending = PendingCheck.select().where((PendingCheck.entity == "vehicle") & PendingCheck.resolved_at.is_null())
    return (ParkingSpace.select().count(), ParkingSpace.select().where(ParkingSpace.home.is_null(False)).count(),
            Vehicle.select().count(), pending.count())


def _count(rows: list[Row], spaces: dict[str, Space], rep):
    rep.spaces_new = sum(1 for s in spaces.values() if s.existing is None)
    rep.spaces_matched = len(spaces) - rep.spaces_new
    rep.linked = sum(1 for s in spaces.values() if s.home)
    rep.linked_new = sum(1 for s in spaces.values() if s.home and (s.existing is None or s.link))
    rep.vehicles = sum(1 for r in rows if r.vehicle_ok)
    rep.pending = sum(len(r.pending) for r in rows if r.vehicle_ok)
    rep.written = sum(1 for r in rows if r.space_ok or r.vehicle_ok)
    for r in rows:
        for text in r.remarks:
            rep.notes.append((r.row, text))
        if r.pending and not r.vehicle_ok:
            rep.notes.append((r.row, "、".join(p[1] for p in r.pending) + " 无车辆可登记，未保存"))
        if r.vehicle_ok:
            for _f, label, raw, reason in r.pending:
                rep.notes.append((r.row, f"{label}“{raw}”待核对（{reason}）"))
        parts = []
        if r.space_ok:
            s = spaces[r.code]
            state = "新建" if s.existing is None else "已有，匹配"
            parts.append(f"车位 {r.code} {state}" + (f"，关联 {s.room}" if s.home else "，未关联房屋"))
        if r.vehicle_ok:
            parts.append(f"车辆 {r.plate}（{r.room}）")
        if parts:
            rep.outcomes.append((r.row, "；".join(parts)))
    rep.rejected.sort()
    rep.notes.sort()


# ------------------------------------------------------------------------------------------ writing
def _primary_owners(home_ids) -> dict[int, tuple[int, str]]:
    from models.people import HomeOwner, Owner
    ids = sorted(set(home_ids))
    out: dict[int, tuple[int, str]] = {}
    for i in range(0, len(ids), CHUNK):
        q = (HomeOwner.select(HomeOwner.home, Owner.id, Owner.name).join(Owner)
             .where(HomeOwner.home.in_(ids[i:i + CHUNK]) & HomeOwner.until.is_null())
             .order_by(HomeOwner.home, HomeOwner.is_primary.desc(), HomeOwner.id))
        for hid, oid, name in q.tuples():
            out.setdefault(hid, (oid, name))
    return out


def _write_spaces(ctx, spaces: dict[str, Space], owners) -> dict[str, int]:
    from models.property import ParkingSpace
    new = [s for s in spaces.values() if s.existing is None]
    rs.bulk_insert(ctx, "parking_space", [
        {"code": s.code, "level": s.level, "home_id": s.home,
         "owner_name": owners.get(s.home, (None, s.owner_name))[1] if s.home else s.owner_name,
         "state": STATE_OF[s.kind] if s.home else "空闲", "notes": s.notes} for s in new])
    ids = {code: sid for code, (sid, _h) in _existing_spaces().items()}
    for s in spaces.values():
        if s.link:
            ParkingSpace.update(home=s.home, state=STATE_OF[s.kind],
                                owner_name=owners.get(s.home, (None, s.owner_name))[1]).where(
                ParkingSpace.id == ids[s.code]).execute()
    linked = [s for s in spaces.values() if s.home and (s.existing is None or s.link) and s.kind in HOLDER_KIND
              and s.home in owners]
    rs.bulk_insert(ctx, "parking_owner", [{"space_id": ids[s.code], "owner_id": owners[s.home][0],
                                           "kind": HOLDER_KIND[s.kind]} for s in linked])
    return ids


def _cards_like(head: str) -> set[str]:
    from models.parking import Vehicle
    return {c for (c,) in Vehicle.select(Vehicle.card_number).where(Vehicle.card_number.startswith(head)).tuples()}


def _form_numbers(prefix: str, year: int, count: int, taken: set[str]) -> list[str]:
    """*count* registration form numbers from the car-card sequence, none equal to a card number in use
    (a card number written in the register, or one typed at the desk): the form number is also the card's."""
    from app.core.sequences import format_number, reserve_numbers
    out: list[str] = []
    while len(out) < count:
        want = count - len(out)
        first = reserve_numbers(CARD_SEQUENCE, year, want)
        out += [n for n in (format_number(prefix, year, first + i) for i in range(want)) if n not in taken]
    return out


def _write(ctx, rows: list[Row], spaces: dict[str, Space], rep):
    from app.archives import search
    from app.golive import worklist
    from models.parking import Vehicle
    owners = _primary_owners([s.home for s in spaces.values() if s.home] + [r.home for r in rows if r.vehicle_ok])
    ids = _write_spaces(ctx, spaces, owners)
    cars = [r for r in rows if r.vehicle_ok]
    year, now, uid = ctx.clock.today().year, ctx.clock.now(), getattr(ctx.user, "id", None)
    prefix = ctx.settings.get("parking.card_prefix") or "CK"
    seal = Vehicle.phone.db_value          # sealed at rest as the model writes it
    taken = {r.card_no for r in cars if r.card_no} | _cards_like(f"{prefix}{year}-")
    numbers = {}
    data = []
    for number, r in zip(_form_numbers(prefix, year, len(cars), taken), cars, strict=True):
        numbers[number] = r
        owner = owners.get(r.home)
        data.append({"number": number, "home_id": r.home, "owner_id": owner[0] if owner else None,
                     "space_id": ids.get(r.code) if r.code else None, "plate": r.plate, "brand": r.brand,
                     "color": r.color, "driver_name": r.driver or (owner[1] if owner else ""),
                     "phone": seal(r.phone), "card_number": r.card_no or number, "valid_from": r.valid_from,
                     "valid_until": r.valid_until, "status": "有效", "identity_checked": False,
                     "notes": "；".join(x for x in (r.card_note, r.notes) if x), "created_at": now,
                     "created_by_id": uid, "cancelled_at": None, "cancel_reason": ""})
    rs.bulk_insert(ctx, "vehicle", data)      # the driver's executemany: peewee's SQL per value cost most of it
    flagged = [r for r in cars if r.pending]
    if flagged:
        wanted = sorted(n for n, r in numbers.items() if r.pending)
        vid = {}
        for i in range(0, len(wanted), CHUNK):
            vid |= dict(Vehicle.select(Vehicle.number, Vehicle.id).where(Vehicle.number.in_(wanted[i:i + CHUNK]))
                        .tuples())
        flags = [worklist.Flag("vehicle", vid[n], f, label, raw, reason, r.home, f"导入 {rep.file} 第{r.row}行")
                 for n, r in numbers.items() if r.pending for f, label, raw, reason in r.pending]
        worklist.flag_many(ctx, flags)
        search.index_homes(sorted({r.home for r in flagged}))
    rep.home_ids = sorted({s.home for s in spaces.values() if s.home} | {r.home for r in cars})
