"""Shift log of the front desk (交接班记录, domain.md §11: 大厅岗值班记录表; seed 000 应会 10:
准确交接值班事项).

At the end of each shift (site setting ``shift.schedule``: 早班/中班/晚班 and their times) the
clerk writes what happened and what is handed over; the open items are counted live from the
database (parcels waiting, visitors inside, goods-out passes valid, keys and loaned items out,
service requests unfinished) and the cash in the drawer is set against the day's receipts
(integer fen; the drawer's float ``shift.cash_float``). The clerk taking over confirms with their
own password. An entry is never edited afterwards: a correction is a new entry (kind 更正)
pointing at the one it corrects. Every write is one transaction and audited."""
from __future__ import annotations

import datetime as dt
import json
import re

from peewee import IntegrityError, fn

from app.core.audit import model_dict, record
from app.core.dates import fmt_date, fmt_datetime
from app.core.errors import StateError, ValidationError
from app.core.lookup import get_or_404
from app.core.money import fmt_fen, parse_yuan
from app.core.permissions import allowed, require
from app.core.sequences import format_number, next_number
from app.frontdesk.common import clerk_name, day_bounds, matches, short_text
from app.frontdesk.rounds import open_count
from models.frontdesk import (
    PARCEL_WAITING,
    PASS_ISSUED,
    SHIFT_CORRECTION,
    SHIFT_HANDOVER,
    GoodsPass,
    Parcel,
    ShiftLog,
    Visitor,
)

TEXT_MAX = 2000
MIDNIGHT = (24, 0)
SLOT = re.compile(r"^\s*(\S+?)\s*(\d{1,2}):(\d{2})\s*[-–~至]\s*(\d{1,2}):(\d{2})\s*$")


def schedule(settings) -> list[tuple[str, dt.time, dt.time]]:
    """The shifts of the site setting ``shift.schedule`` ("早班 08:00-16:00；中班 16:00-24:00；…"):
    (name, start, end); an end at or before the start runs past midnight (24:00 is midnight)."""
    text = str(settings.get("shift.schedule") or "")
    out = []
    for part in (p for p in re.split(r"[;；,，\n]", text) if p.strip()):
        m = SLOT.match(part)
        if not m:
            raise ValidationError("班次及时间", f"“{part.strip()}”应写成“早班 08:00-16:00”")
        name, h1, m1, h2, m2 = m.group(1), *map(int, m.groups()[1:])
        end = (h2, m2)
        if end == MIDNIGHT:
            end = (0, 0)
        try:
            out.append((name, dt.time(h1, m1), dt.time(*end)))
        except ValueError:
            raise ValidationError("班次及时间", f"“{part.strip()}”的时间不对") from None
    if not out:
        raise ValidationError("班次及时间", "至少要有一个班次")
    if len({n for n, _s, _e in out}) != len(out):
        raise ValidationError("班次及时间", "班次名称重复")
    return out


def hours_text(start: dt.time, end: dt.time) -> str:
    return f"{start:%H:%M}-{'24:00' if end == dt.time(0) else f'{end:%H:%M}'}"


def shift_names(settings) -> list[str]:
    return [n for n, _s, _e in schedule(settings)]


def current_shift(ctx, at: dt.datetime | None = None) -> dict:
    """The shift running at *at* (default now): name, hours and its date (a shift past midnight
    belongs to the day it began)."""
    now = at or ctx.clock.now()
    t = now.time()
    for name, start, end in schedule(ctx.settings):
        if start < end or end == dt.time(0):
            if start <= t and (end == dt.time(0) or t < end):
                return {"shift": name, "hours": hours_text(start, end), "date": now.date()}
        elif t >= start or t < end:          # past midnight
            day = now.date() - dt.timedelta(days=1) if t < end else now.date()
            return {"shift": name, "hours": hours_text(start, end), "date": day}
    name, start, end = schedule(ctx.settings)[0]    # a gap between shifts: the first one
    return {"shift": name, "hours": hours_text(start, end), "date": now.date()}


def _hours_of(ctx, name: str) -> str:
    for n, start, end in schedule(ctx.settings):
        if n == name:
            return hours_text(start, end)
    raise ValidationError("班次", f"“{name}”不是设置中的班次（{'、'.join(shift_names(ctx.settings))}）")


# the open items ------------------------------------------------------------------------------------
def open_items(ctx) -> list[tuple[str, int, str]]:
    """What stays open at this moment, counted from the database: (label, count, unit)."""
    require(ctx, "frontdesk.view")
    from models.keys import KeyLoan
    from models.loans import Loan
    from models.service import OPEN_STATUSES, ServiceRequest
    now = ctx.clock.now()
    free = dt.timedelta(hours=int(ctx.settings.get("parcel.free_hours")))
    waiting = Parcel.select().where(Parcel.status == PARCEL_WAITING)
    return [("待取包裹", waiting.count(), "件"),
            ("其中超过免费保管期", waiting.where(Parcel.received_at < now - free).count(), "件"),
            ("仍在小区内的访客", Visitor.select().where(Visitor.left_at.is_null()).count(), "人次"),
            ("有效待放行的放行条", GoodsPass.select().where((GoodsPass.status == PASS_ISSUED)
                                                    & (GoodsPass.valid_date >= now.date())).count(), "张"),
            ("借出未还的钥匙", KeyLoan.select().where(KeyLoan.returned_at.is_null()).count(), "把"),
            ("借出未还的物品", Loan.select().where(Loan.returned_at.is_null()).count(), "件"),
            ("未完成的报事投诉", ServiceRequest.select().where(ServiceRequest.status.in_(OPEN_STATUSES)).count(),
             "件"),
            ("巡查发现待跟进", open_count(), "项")]


def items_text(items) -> str:
    return "；".join(f"{label} {n} {unit}" for label, n, unit in items)


def drawer(ctx, day: dt.date | None = None) -> dict:
    """The day's receipts (all methods, refunds negative, voided ones left out), of which cash, and
    the cash the drawer should hold (float + cash receipts)."""
    require(ctx, "frontdesk.view")
    from models.ledger import Receipt
    start, end = day_bounds(day or ctx.clock.today())
    q = Receipt.select(fn.COALESCE(fn.SUM(Receipt.total_fen), 0)).where(
        (Receipt.issued_at >= start) & (Receipt.issued_at < end) & (Receipt.status == "valid"))
    total = int(q.scalar() or 0)
    cash = int(q.where(Receipt.method == "cash").scalar() or 0)
    float_fen = int(ctx.settings.get("shift.cash_float") or 0)
    return {"receipts_fen": total, "cash_receipts_fen": cash, "float_fen": float_fen, "expected_fen": float_fen + cash}


# writes ------------------------------------------------------------------------------------------

def _cash(value) -> int | None:
    s = str(value if value is not None else "").strip()
    if not s:
        return None
    fen = parse_yuan(s, "抽屉现金")
    if fen < 0:
        raise ValidationError("抽屉现金", "不能为负数")
    return fen


def takers(ctx) -> list[tuple[str, str]]:
    """(login name, display name) of the active accounts that may take a shift over, not the user."""
    require(ctx, "frontdesk.view")
    from models.users import User
    me = getattr(ctx.user, "id", None)
    q = User.select().where(User.active == True).order_by(User.id)  # noqa: E712
    return [(u.username, u.display_name or u.username) for u in q
            if u.id != me and allowed(u.role, "shiftlog.write")]


def take_over_user(ctx, username: str, password: str):
    """The clerk taking over proves their password (a wrong one slows the account like a sign-in)."""
    from app.system.accounts import authenticate
    if not str(password or ""):
        raise ValidationError("接班人密码", "请接班人输入自己的密码")
    taker = authenticate(ctx, username, password)
    me = getattr(ctx.user, "id", None)
    if me is not None and taker.id == me:
        raise ValidationError("接班人", "接班人不能是交班人本人")
    if not allowed(taker.role, "shiftlog.write"):
        raise ValidationError("接班人", f"{taker.display_name}的账号不能接班")
    return taker


def hand_over(ctx, data: dict, taker_username: str, taker_password: str) -> ShiftLog:
    """Hand the shift over. ``data``: shift (default the one running), shift_date (default its
    date), events, pending (what is handed over in words), cash (yuan counted in the drawer, blank
    when not counted). The taker signs with their own account and password."""
    require(ctx, "shiftlog.write")
    fields = shift_fields(ctx, data)
    taker = take_over_user(ctx, taker_username, taker_password)
    return record_hand_over(ctx, fields, taker)


def shift_fields(ctx, data: dict) -> dict:
    """The entry's fields from the form, checked (each refusal names its field)."""
    cur = current_shift(ctx)
    shift = str(data.get("shift") or cur["shift"]).strip()
    hours = _hours_of(ctx, shift)
    day = data.get("shift_date") or cur["date"]
    if isinstance(day, str):
        from app.core.validation import parse_date
        day = parse_date(day, "班次日期")
    if day > ctx.clock.today():
        raise ValidationError("班次日期", "不能晚于今天")
    events = short_text(data.get("events"), "值班记事", TEXT_MAX, required=True)
    return {"shift": shift, "hours": hours, "shift_date": day, "events": events,
            "pending": short_text(data.get("pending"), "移交事项", TEXT_MAX), "cash_fen": _cash(data.get("cash"))}


def record_hand_over(ctx, fields: dict, taker) -> ShiftLog:
    """The hand-over written once the taker is proven (hand_over checks the password; the demo
    passes its clerks). One transaction: the entry numbered, the open items and the drawer counted
    inside it, the audit row."""
    require(ctx, "shiftlog.write")
    slot = f"{fmt_date(fields['shift_date'])} {fields['shift']}"
    now = ctx.clock.now()
    try:
        with ctx.db.atomic():
            if ShiftLog.select().where(ShiftLog.slot == slot).exists():
                raise StateError(f"{slot}已交接，不能再交接；如需更正，请对该记录写更正")
            items = open_items(ctx)
            box = drawer(ctx, now.date())
            year = now.year
            entry = ShiftLog.create(
                number=format_number("JB", year, next_number("shift_log", year)), kind=SHIFT_HANDOVER, slot=slot,
                open_items=json.dumps(items, ensure_ascii=False), float_fen=box["float_fen"],
                receipts_fen=box["receipts_fen"], cash_receipts_fen=box["cash_receipts_fen"],
                handed_by=getattr(ctx.user, "id", None), handed_name=clerk_name(ctx) or "—",
                taken_by=taker.id, taken_name=taker.display_name or taker.username, handed_at=now, **fields)
            record(ctx, "shiftlog.hand_over", "shift_log", entry.id, None, model_dict(entry))
    except IntegrityError:
        raise StateError(f"{slot}已交接（另一台电脑刚刚写入）；如需更正，请对该记录写更正") from None
    return entry


def correct(ctx, entry_id, text: str, cash=None) -> ShiftLog:
    """A correction of a handed-over entry: a new entry (kind 更正) with the words and, when the
    drawer was miscounted, the right amount; the entry itself stays as it was."""
    require(ctx, "shiftlog.write")
    words = short_text(text, "更正内容", TEXT_MAX, required=True)
    cash_fen = _cash(cash)
    now = ctx.clock.now()
    with ctx.db.atomic():
        orig = get_or_404(ShiftLog, entry_id, "交接班记录")
        if orig.kind != SHIFT_HANDOVER:
            raise StateError(f"{orig.number}本身是更正记录，请更正原交接记录")
        year = now.year
        entry = ShiftLog.create(
            number=format_number("JB", year, next_number("shift_log", year)), kind=SHIFT_CORRECTION, slot=None,
            shift_date=orig.shift_date, shift=orig.shift, hours=orig.hours, events=words, cash_fen=cash_fen,
            float_fen=orig.float_fen, receipts_fen=orig.receipts_fen, cash_receipts_fen=orig.cash_receipts_fen,
            handed_by=getattr(ctx.user, "id", None), handed_name=clerk_name(ctx) or "—", handed_at=now,
            corrects=orig.id)
        record(ctx, "shiftlog.correct", "shift_log", entry.id, None, {**model_dict(entry), "corrects": orig.number})
    return entry


# reads -------------------------------------------------------------------------------------------
def _diff_text(diff: int | None) -> str:
    if diff is None:
        return ""
    return "相符" if diff == 0 else f"{'多' if diff > 0 else '少'} {fmt_fen(abs(diff))} 元"


def shift_row(e: ShiftLog, numbers: dict | None = None) -> dict:
    items = [tuple(i) for i in json.loads(e.open_items)] if e.open_items else []
    expected = e.float_fen + e.cash_receipts_fen
    diff = None if e.cash_fen is None else e.cash_fen - expected
    return {"id": e.id, "number": e.number, "kind": e.kind, "shift_date": fmt_date(e.shift_date), "shift": e.shift,
            "hours": e.hours, "events": e.events, "pending": e.pending, "items": items,
            "items_text": items_text(items), "cash": "" if e.cash_fen is None else fmt_fen(e.cash_fen),
            "cash_fen": e.cash_fen, "float_fen": e.float_fen, "receipts": fmt_fen(e.receipts_fen),
            "receipts_fen": e.receipts_fen, "cash_receipts": fmt_fen(e.cash_receipts_fen),
            "expected": fmt_fen(expected), "diff_fen": diff,
            "diff": _diff_text(diff),
            "handed_name": e.handed_name, "taken_name": e.taken_name, "handed_at": fmt_datetime(e.handed_at),
            "corrects": (numbers or {}).get(e.corrects_id, "") if e.corrects_id else "",
            "corrects_id": e.corrects_id}


def _rows(q) -> list[dict]:
    entries = list(q)
    ids = {e.corrects_id for e in entries if e.corrects_id}
    numbers = {e.id: e.number for e in entries}
    missing = ids - numbers.keys()
    if missing:
        numbers.update({e.id: e.number for e in ShiftLog.select(ShiftLog.id, ShiftLog.number)
                        .where(ShiftLog.id.in_(list(missing)))})
    return [shift_row(e, numbers) for e in entries]


def day_entries(ctx, day: dt.date | None = None) -> list[dict]:
    """The entries of a day's shifts (and their corrections), in the order written."""
    require(ctx, "frontdesk.view")
    day = day or ctx.clock.today()
    return _rows(ShiftLog.select().where(ShiftLog.shift_date == day).order_by(ShiftLog.handed_at, ShiftLog.id))


def recent_entries(ctx, search: str = "", days: int = 30) -> list[dict]:
    """The entries of the last *days* days matching the words, newest first."""
    require(ctx, "frontdesk.view")
    since = ctx.clock.today() - dt.timedelta(days=days)
    rows = _rows(ShiftLog.select().where(ShiftLog.shift_date >= since)
                 .order_by(ShiftLog.handed_at.desc(), ShiftLog.id.desc()))
    return [r for r in rows if matches(search, r["number"], r["shift"], r["events"], r["pending"], r["handed_name"],
                                       r["taken_name"], r["shift_date"])]


def last_hand_over(ctx) -> dict | None:
    """The latest hand-over (what the clerk now on duty took over)."""
    require(ctx, "frontdesk.view")
    e = (ShiftLog.select().where(ShiftLog.kind == SHIFT_HANDOVER)
         .order_by(ShiftLog.handed_at.desc(), ShiftLog.id.desc()).first())
    return _rows([e])[0] if e else None


def find_by_number(number: str) -> ShiftLog:
    e = ShiftLog.get_or_none(ShiftLog.number == str(number or "").strip().upper())
    if e is None:
        from app.core.errors import NotFound
        raise NotFound(f"交接班记录{number}不存在")
    return e


EXPORT_COLUMNS = ("编号", "类别", "日期", "班次", "时间", "交班人", "接班人", "交接时间", "值班记事", "移交事项",
                  "未结事项", "抽屉现金（元）", "应有现金（元）", "核对", "当日收款（元）", "更正")


def export_shifts(ctx, rows: list[dict], path) -> int:
    from app.frontdesk.common import export_rows
    cells = [[r["number"], r["kind"], r["shift_date"], r["shift"], r["hours"], r["handed_name"], r["taken_name"],
              r["handed_at"], r["events"], r["pending"], r["items_text"], r["cash"], r["expected"], r["diff"],
              r["receipts"], r["corrects"]] for r in rows]
    return export_rows(ctx, path, "交接班记录", EXPORT_COLUMNS, cells, "shift_log")
