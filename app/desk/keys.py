"""Key register (钥匙登记, domain.md §5): the catalogue of public keys and of the door keys of
homes kept at the desk, sign-out and return of each copy, keys out and overdue, history per
key, and the hand-over of door keys to the owner. The weekly inspection of vacant homes is in
app.desk.inspections, the prints in app.desk.key_prints.

A key with several copies is signed out per copy: copy 1..copies, each at most once at a time
(the database holds a partial unique index on the open sign-outs too).
"""
from __future__ import annotations

import datetime as dt
import re

from peewee import JOIN, Case

from app.archives.homes import home_by_id, home_by_room
from app.core import validation as v
from app.core.audit import model_dict, record, save_changes
from app.core.dates import fmt_date, fmt_datetime
from app.core.errors import StateError, ValidationError
from app.core.lookup import get_or_404
from app.core.permissions import require
from app.core.privacy import mask_phone
from app.core.sequences import format_number, next_number
from models.keys import BORROWER_KINDS, KEY_KINDS, Key, KeyLoan
from models.property import Home

DOOR_KIND = "入户门钥匙"
PUBLIC_KIND = "公共钥匙"
VACANT_STATES = ("未交付", "空置")
MAX_COPIES = 99
AREA_MAX = 40
HOURS_A_DAY = 24


def parse_datetime(value, field: str) -> dt.datetime:
    """A date-time typed by a user (2026-11-23 14:30) or given as datetime/date."""
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(18, 0))
    s = v.normalize(value)
    if not s:
        raise ValidationError(field, "不能为空")
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2}))?", s)
    if not m:
        raise ValidationError(field, f"“{value}”不是有效的时间（如 2026-11-23 14:30）")
    try:
        return dt.datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4] or 18), int(m[5] or 0))
    except ValueError:
        raise ValidationError(field, f"“{value}”不是有效的时间") from None


def _key(key_id) -> Key:
    return get_or_404(Key, key_id, "钥匙")


def key_label(key: Key) -> str:
    if key.kind == PUBLIC_KIND or "入户门" in key.area:
        return key.area
    return f"{key.area}（入户门）"


# catalogue -----------------------------------------------------------------------------------

def _check_copies(value) -> int:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError("钥匙数量", f"“{value}”不是整数") from None
    if not 1 <= n <= MAX_COPIES:
        raise ValidationError("钥匙数量", f"应在1到{MAX_COPIES}之间")
    return n


def _key_fields(data: dict) -> dict:
    out = {"area": v.check_required(data.get("area"), "钥匙区域")}
    if len(out["area"]) > AREA_MAX:
        raise ValidationError("钥匙区域", f"不能超过{AREA_MAX}个字")
    out["kind"] = v.check_choice(data.get("kind") or PUBLIC_KIND, KEY_KINDS, "钥匙类别")
    out["copies"] = _check_copies(data.get("copies", 1))
    out["supply_method"] = str(data.get("supply_method") or "").strip()
    out["keeper_place"] = v.check_required(data.get("keeper_place"), "存放地点")
    out["keeper_person"] = str(data.get("keeper_person") or "").strip()
    out["notes"] = str(data.get("notes") or "").strip()
    if out["kind"] == DOOR_KIND:
        home = home_by_id(data["home_id"], field="房号") if data.get("home_id") else home_by_room(data.get("room_code"))
        out["home"] = home.id
    else:
        out["home"] = None
    return out


def create_key(ctx, data: dict) -> Key:
    """Add a key to the catalogue. ``data``: area, kind, copies, supply_method, keeper_place,
    keeper_person, notes; door keys also room_code (or home_id)."""
    require(ctx, "keys.edit")
    fields = _key_fields(data)
    if fields["home"] is not None:
        home = Home.get_by_id(fields["home"])
        if home.state not in VACANT_STATES:
            raise StateError(f"房屋 {home.room_code} 状态为“{home.state}”，钥匙已交业主，前台不登记入户门钥匙")
        if home_door_keys(home.id):
            raise StateError(f"房屋 {home.room_code} 的入户门钥匙已登记")
    with ctx.db.atomic():
        key = Key.create(created_at=ctx.clock.now(), updated_at=ctx.clock.now(), **fields)
        record(ctx, "keys.create", "key", key.id, None, model_dict(key))
    return key


def register_door_keys(ctx, home_id: int, copies: int = 2, keeper_place: str = "客服前台",
                       keeper_person: str = "", supply_method: str = "开发商移交") -> Key:
    """Register the door keys of a home not yet handed over (or vacant) kept at the desk."""
    home = home_by_id(home_id, field="房号")
    return create_key(ctx, {"kind": DOOR_KIND, "home_id": home.id, "area": f"入户门 {home.room_code}",
                            "copies": copies, "keeper_place": keeper_place, "keeper_person": keeper_person,
                            "supply_method": supply_method})


def register_missing_door_keys(ctx, copies: int = 2, keeper_place: str = "客服前台", keeper_person: str = "",
                               supply_method: str = "开发商移交", copies_by_home: dict | None = None) -> int:
    """Register door keys for every home not handed over (未交付) or vacant (空置) that has none
    in the register, in one transaction with one audit row. Returns how many were registered."""
    require(ctx, "keys.edit")
    copies = _check_copies(copies)
    keeper_place = v.check_required(keeper_place, "存放地点")
    have = Key.select(Key.home).where((Key.kind == DOOR_KIND) & (Key.active == True) & Key.home.is_null(False))  # noqa: E712
    homes = list(Home.select(Home.id, Home.room_code).where(Home.state.in_(VACANT_STATES) & Home.id.not_in(have))
                 .order_by(Home.id).tuples())
    now = ctx.clock.now()
    rows = [{"kind": DOOR_KIND, "area": f"入户门 {code}", "home": hid, "supply_method": supply_method,
             "copies": _check_copies((copies_by_home or {}).get(hid, copies)), "keeper_place": keeper_place,
             "keeper_person": keeper_person, "created_at": now, "updated_at": now} for hid, code in homes]
    with ctx.db.atomic():
        for i in range(0, len(rows), 200):
            Key.insert_many(rows[i:i + 200]).execute()
        if rows:
            record(ctx, "keys.register_door_keys", "key", "", None,
                   {"homes": len(rows), "room_codes": [c for _h, c in homes][:50], "copies": copies,
                    "keeper_place": keeper_place})
    return len(rows)


def update_key(ctx, key_id: int, data: dict) -> Key:
    """Change a key's catalogue entry (area, supply, copies, keeper). Copies out stay valid."""
    require(ctx, "keys.edit")
    key = _key(key_id)
    if not key.active:
        raise StateError(f"钥匙“{key.area}”已交付业主，不能再修改")
    merged = {"area": key.area, "kind": key.kind, "copies": key.copies, "supply_method": key.supply_method,
              "keeper_place": key.keeper_place, "keeper_person": key.keeper_person, "notes": key.notes,
              "home_id": key.home_id}
    merged.update(data)
    fields = _key_fields(merged)
    if fields["kind"] != key.kind or fields["home"] != key.home_id:
        raise ValidationError("钥匙类别", "已登记的钥匙不能改变类别或房屋")
    top_out = max((ln.copy_no for ln in _open_loans_of(key)), default=0)
    if fields["copies"] < top_out:
        raise ValidationError("钥匙数量", f"第{top_out}把钥匙正在借出，数量不能少于{top_out}")
    return save_changes(ctx, key, fields, "keys.update", "key")


def _open_loans_of(key) -> list[KeyLoan]:
    return list(KeyLoan.select().where((KeyLoan.key == key) & KeyLoan.returned_at.is_null())
                .order_by(KeyLoan.copy_no))


def list_keys(ctx, search: str = "", include_handed_over: bool = False) -> list[dict]:
    """The catalogue as plain rows, with how many copies are out and whether any is overdue."""
    q = (Key.select(Key.id, Key.kind, Key.area, Home.room_code, Key.supply_method, Key.copies, Key.keeper_place,
                    Key.keeper_person, Key.active, Key.handed_over_to, Key.notes)
         .join(Home, JOIN.LEFT_OUTER))
    if not include_handed_over:
        q = q.where(Key.active == True)  # noqa: E712
    s = (search or "").strip()
    if s:
        q = q.where(Key.area.contains(s) | Key.keeper_place.contains(s) | Key.keeper_person.contains(s)
                    | Home.room_code.contains(s))
    q = q.order_by(Case(None, [(Key.kind == PUBLIC_KIND, 0)], 1), Key.id)   # public keys first, any collation
    now = ctx.clock.now()
    out_by_key: dict[int, list] = {}
    for key_id, due_at in KeyLoan.select(KeyLoan.key, KeyLoan.due_at).where(KeyLoan.returned_at.is_null()).tuples():
        out_by_key.setdefault(key_id, []).append(due_at)
    rows = []
    for (kid, kind, area, room_code, supply, copies, place, person, active, handed_to, notes) in q.tuples():
        dues = out_by_key.get(kid, [])
        overdue = any(d < now for d in dues)
        if not active:
            status = f"已交业主 {handed_to}"
        elif not dues:
            status = "在库"
        else:
            status = f"借出 {len(dues)}/{copies}" + ("（逾期）" if overdue else "")
        rows.append({"id": kid, "kind": kind, "area": area, "room_code": room_code or "",
                     "supply_method": supply, "copies": copies, "out": len(dues), "available": copies - len(dues),
                     "keeper_place": place, "keeper_person": person, "status": status, "overdue": overdue,
                     "active": bool(active), "notes": notes})
    return rows


def get_key(key_id: int) -> Key:
    return _key(key_id)


def free_copies(key_id: int) -> list[int]:
    key = _key(key_id)
    out = {ln.copy_no for ln in _open_loans_of(key)}
    return [n for n in range(1, key.copies + 1) if n not in out]


# sign-out and return ---------------------------------------------------------------------------

def sign_out(ctx, key_id: int, data: dict) -> KeyLoan:
    """Sign out one copy of a key. ``data``: borrower_name, borrower_kind (员工/施工单位/业主/其他),
    company (required for a contractor), phone (required unless staff), purpose, due_at
    (default now + keys.default_hours), copy_no (default: the first copy in place)."""
    require(ctx, "keys.sign")
    key = _key(key_id)
    name = v.check_required(data.get("borrower_name"), "借用人")
    kind = v.check_choice(data.get("borrower_kind") or "员工", BORROWER_KINDS, "借用人类别")
    company = str(data.get("company") or "").strip()
    if kind == "施工单位" and not company:
        raise ValidationError("单位名称", "施工单位借用须填写单位名称")
    phone = v.check_phone(data.get("phone"), "联系电话", required=(kind != "员工"))
    purpose = v.check_required(data.get("purpose"), "借用事由")
    now = ctx.clock.now()
    if data.get("due_at"):
        due = parse_datetime(data["due_at"], "预计归还时间")
    else:
        due = now + dt.timedelta(hours=int(ctx.settings.get("keys.default_hours")))
    if due <= now:
        raise ValidationError("预计归还时间", "应晚于借出时间")
    if not key.active:
        raise StateError(f"钥匙“{key.area}”已于{fmt_date(key.handed_over_at)}交给{key.handed_over_to}，不在登记内")
    open_loans = {ln.copy_no: ln for ln in _open_loans_of(key)}
    copy_no = data.get("copy_no")
    if copy_no in (None, "", 0):
        free = [n for n in range(1, key.copies + 1) if n not in open_loans]
        if not free:
            raise StateError(f"钥匙“{key_label(key)}”共{key.copies}把已全部借出，不能重复借出")
        copy_no = free[0]
    else:
        try:
            copy_no = int(copy_no)
        except (TypeError, ValueError):
            raise ValidationError("钥匙序号", f"“{copy_no}”不是整数") from None
        if not 1 <= copy_no <= key.copies:
            raise ValidationError("钥匙序号", f"应在1到{key.copies}之间")
        if copy_no in open_loans:
            ln = open_loans[copy_no]
            raise StateError(f"钥匙“{key_label(key)}”第{copy_no}把已于{fmt_datetime(ln.out_at)}借给{ln.borrower_name}，"
                             f"尚未归还，不能重复借出")
    with ctx.db.atomic():
        number = format_number("YS", now.year, next_number("key_loan", now.year))
        loan = KeyLoan.create(key=key, copy_no=copy_no, number=number, borrower_name=name, borrower_kind=kind,
                              company=company, phone=phone, purpose=purpose, out_at=now, due_at=due,
                              issued_by=getattr(ctx.user, "id", None))
        record(ctx, "keys.sign_out", "key_loan", loan.id, None, model_dict(loan))
    return loan


def return_key(ctx, loan_id: int, data: dict | None = None) -> KeyLoan:
    """Sign a key back in. ``data``: received_by (staff, default the current user), returned_by
    (default the borrower), notes."""
    require(ctx, "keys.sign")
    data = data or {}
    loan = get_or_404(KeyLoan, loan_id, "借出记录")
    if loan.returned_at is not None:
        raise StateError(f"钥匙“{key_label(loan.key)}”第{loan.copy_no}把未借出"
                         f"（已于{fmt_datetime(loan.returned_at)}归还），不能再次归还")
    received = str(data.get("received_by") or "").strip() or getattr(ctx.user, "display_name", "") or ""
    if not received:
        raise ValidationError("接收人", "不能为空")
    before = model_dict(loan)
    with ctx.db.atomic():
        loan.returned_at = ctx.clock.now()
        loan.received_by = received
        loan.received_user = getattr(ctx.user, "id", None)
        loan.returned_by = str(data.get("returned_by") or "").strip() or loan.borrower_name
        loan.return_notes = str(data.get("notes") or "").strip()
        loan.save()
        record(ctx, "keys.return", "key_loan", loan.id, before, model_dict(loan))
    return loan


def return_key_copy(ctx, key_id: int, copy_no: int | None = None, data: dict | None = None) -> KeyLoan:
    """Return a key by the key (and copy): refused in Chinese when that key is not out."""
    require(ctx, "keys.sign")
    key = _key(key_id)
    open_loans = _open_loans_of(key)
    if copy_no:
        open_loans = [ln for ln in open_loans if ln.copy_no == int(copy_no)]
    if not open_loans:
        which = f"第{copy_no}把" if copy_no else ""
        raise StateError(f"钥匙“{key_label(key)}”{which}未借出，不能归还")
    if len(open_loans) > 1:
        raise ValidationError("钥匙序号", f"该钥匙有{len(open_loans)}把借出，请选择归还哪一把")
    return return_key(ctx, open_loans[0].id, data)


def loan_row(ln: KeyLoan, now: dt.datetime) -> dict:
    """A sign-out as a plain row (phone masked); ``overdue`` as of ``now``."""
    overdue = ln.returned_at is None and ln.due_at < now
    late = now - ln.due_at if overdue else dt.timedelta(0)
    return {"id": ln.id, "number": ln.number, "key_id": ln.key_id, "area": key_label(ln.key),
            "copy_no": ln.copy_no, "copies": ln.key.copies, "keeper_place": ln.key.keeper_place,
            "borrower_name": ln.borrower_name, "borrower_kind": ln.borrower_kind, "company": ln.company,
            "phone": mask_phone(ln.phone), "purpose": ln.purpose, "out_at": fmt_datetime(ln.out_at),
            "due_at": fmt_datetime(ln.due_at), "returned_at": fmt_datetime(ln.returned_at),
            "received_by": ln.received_by,
            "returned_by": ln.returned_by, "notes": ln.return_notes, "overdue": overdue,
            "overdue_text": _late_text(late) if overdue else "",
            "issued_by": getattr(ln.issued_by, "display_name", "") if ln.issued_by_id else ""}


def reveal_borrower_phone(ctx, loan_id: int) -> str:
    """The borrower's full phone (to chase an overdue key). Needs pii.view_full; audited."""
    require(ctx, "pii.view_full")
    loan = get_or_404(KeyLoan, loan_id, "借出记录")
    with ctx.db.atomic():
        record(ctx, "pii.reveal_phone", "key_loan", loan.id, None, {"field": "借用人电话"})
    return loan.phone


def _late_text(delta: dt.timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours >= HOURS_A_DAY:
        return f"逾期{hours // HOURS_A_DAY}天{hours % HOURS_A_DAY}小时"
    return f"逾期{max(hours, 0)}小时{int(delta.total_seconds() // 60) % 60}分"


def keys_out(ctx, overdue_only: bool = False) -> list[dict]:
    """Open sign-outs, earliest due first; each row says whether it is overdue."""
    now = ctx.clock.now()
    q = (KeyLoan.select(KeyLoan, Key).join(Key).where(KeyLoan.returned_at.is_null())
         .order_by(KeyLoan.due_at, KeyLoan.id))
    if overdue_only:
        q = q.where(KeyLoan.due_at < now)
    return [loan_row(ln, now) for ln in q]


def overdue_keys(ctx) -> list[dict]:
    return keys_out(ctx, overdue_only=True)


def key_history(ctx, key_id: int) -> list[dict]:
    """Every sign-out of a key (newest first), plus its registration and hand-over."""
    key = _key(key_id)
    now = ctx.clock.now()
    rows = [dict(loan_row(ln, now), event="借出") for ln in
            KeyLoan.select(KeyLoan, Key).join(Key).where(KeyLoan.key == key).order_by(KeyLoan.out_at.desc(),
                                                                                     KeyLoan.id.desc())]
    if key.handed_over_at:
        rows.insert(0, {"event": "交付业主", "number": "", "copy_no": "", "borrower_name": key.handed_over_to,
                        "borrower_kind": "业主", "company": "", "phone": "", "purpose": "交房交钥匙",
                        "out_at": fmt_datetime(key.handed_over_at), "due_at": "", "returned_at": "", "received_by": "",
                        "overdue": False, "overdue_text": "", "notes": ""})
    return rows


# cross-area contract: door keys at hand-over ---------------------------------------------------

def home_door_keys(home_id: int) -> list[Key]:
    """The door keys of a home still in the register (kept at the desk)."""
    return list(Key.select().where((Key.home == home_id) & (Key.kind == DOOR_KIND) & (Key.active == True))  # noqa: E712
                .order_by(Key.id))


def hand_over_home_keys(ctx, home_id: int, receiver: str) -> list[dict]:
    """At hand-over the home's door keys leave the register to the owner ``receiver``.
    Returns [{area, copies}] for the key hand-over list; [] when none were registered.
    Refused while a copy is signed out. Joins the caller's transaction when there is one."""
    require(ctx, "keys.sign")
    receiver = v.check_required(receiver, "领取人")
    home_by_id(home_id, f"房屋（编号 {home_id}）不存在")
    keys = home_door_keys(home_id)
    for key in keys:
        out = _open_loans_of(key)
        if out:
            ln = out[0]
            raise StateError(f"钥匙“{key.area}”第{ln.copy_no}把借给{ln.borrower_name}尚未归还，请先收回再交付业主")
    now = ctx.clock.now()
    handed = []
    with ctx.db.atomic():
        for key in keys:
            before = model_dict(key)
            key.active = False
            key.handed_over_at = now
            key.handed_over_to = receiver
            key.updated_at = now
            key.save()
            record(ctx, "keys.hand_over", "key", key.id, before, model_dict(key))
            handed.append({"id": key.id, "area": key.area, "copies": key.copies})
    return handed
