"""Reductions (减免, issue 17): by percentage of a charge, a fixed amount, or whole months of a periodic
item, each with a reason and the manager's approval.

A clerk proposes (``propose``: state 待审批, audited ``ledger.reduce_propose``); a manager approves
(``approve``) or rejects (``reject``), audited; a manager may propose and approve in one step
(``propose(..., approve=True)``, one transaction). The approval applies the reduction as payment lines
of kind ``reduction`` (method ``reduction``, no receipt, source ``reduction``/id), like ``payments.waive``
does with kind ``waive``: ``Charge.paid_fen`` grows by the line, so the charge is settled by that much
and nothing is deleted. A reduction never takes a charge below zero: each line is at most what is still
owed at the moment of approval (read under the same row lock waive takes, ``models.db.for_update`` in id
order), so a charge paid meanwhile gets less, and one paid in full refuses the approval.

Two desks approving the same reduction: the approval locks the reduction row and checks its state again
inside the lock; the second one finds it decided and gets a Chinese ``StateError``.

Money collected: a reduction is not money received. The daily report shows the reductions approved that
day as their own total (never in the cash), and the collection rate takes them out of the amount due
(应收 less 减免 against 实收 less 减免: see ``app.ledger.reports.collection_rate``).
"""
from __future__ import annotations

import datetime as dt
import re

from peewee import fn

from app.core import audit
from app.core.errors import NotFound, StateError, ValidationError
from app.core.money import fmt_fen, parse_yuan
from app.core.permissions import allowed, require
from app.ledger.charge_items import item_name
from models.db import for_update
from models.ledger import Charge, Payment
from models.reductions import STATE_APPROVED, STATE_PENDING, STATE_REJECTED, Reduction

MODES = {"percent": "按比例", "fixed": "固定金额", "months": "按整月"}
MODE_OF_WORD = {v: k for k, v in MODES.items()}
MAX_MONTHS = 12
CYCLE_WORDS = {3: "按季", 12: "按年"}
KIND = "reduction"          # Payment.kind and .method of an applied reduction
NO_REDUCE = ("deposit", "prepay")


# ------------------------------------------------------------------------------- checks
def _charge(charge_id) -> Charge:
    c = Charge.get_or_none(Charge.id == int(charge_id))
    if c is None:
        raise NotFound(f"费用不存在（编号 {charge_id}）")
    return c


def _label(c: Charge) -> str:
    return f"{item_name(c.item_code)}{('（' + c.period + '）') if c.period else ''}"


def _mode(mode) -> str:
    m = str(mode or "").strip()
    m = MODE_OF_WORD.get(m, m)
    if m not in MODES:
        raise ValidationError("减免方式", f"应为按比例、固定金额或按整月，收到“{mode}”")
    return m


def _int_in(value, field: str, low: int, high: int) -> int:
    try:
        n = int(str(value).strip().rstrip("%％个月"))
    except (TypeError, ValueError):
        raise ValidationError(field, f"“{value}”不是整数") from None
    if not low <= n <= high:
        raise ValidationError(field, f"应在 {low} 到 {high} 之间")
    return n


_COVERED = re.compile(r"(\d{4})-(\d{2})至(\d{4})-(\d{2})")


def covered_months(c: Charge) -> int:
    """The months one charge pays for: 3 for a quarterly line, 12 for a yearly one (the run's memo
    “2027-01至2027-03”, else the item's rule), 1 for everything else."""
    if c.category != "periodic" or not c.period:
        return 1
    m = _COVERED.search(c.memo or "")
    if m:
        y1, m1, y2, m2 = (int(x) for x in m.groups())
        return max(1, (y2 * 12 + m2) - (y1 * 12 + m1) + 1)
    from app.ledger.charge_rules import CYCLE_MONTHS, custom_item
    item = custom_item(c.item_code)
    rule = item.rules.first() if item is not None else None
    return CYCLE_MONTHS.get(rule.cycle, 1) if rule is not None else 1


def months_reduced(charge_id) -> int:
    """Whole months already reduced (approved) on one quarterly or yearly charge."""
    return int(Reduction.select(fn.COALESCE(fn.SUM(Reduction.months), 0))
               .where((Reduction.charge == charge_id) & (Reduction.mode == "months")
                      & (Reduction.state == STATE_APPROVED)).scalar() or 0)


def cycle_share(amount_fen: int, cover: int, done: int, months: int) -> int:
    """The fen of *months* more months of a charge covering *cover* months, *done* already reduced:
    cumulative half-up shares (amount × months / cover) less what the earlier months took, so the
    months of a whole cycle always add up to the charge exactly (the remainder falls on the last)."""
    def upto(n: int) -> int:
        return (2 * amount_fen * n + cover) // (2 * cover)
    return upto(done + months) - upto(done)


def _months_of(c: Charge, value) -> int:
    """The 减免月数 of a charge: 1-12 months of a monthly item, at most the months a quarterly or yearly
    charge covers, less those already reduced."""
    cover = covered_months(c)
    if cover == 1:
        return _int_in(value, "减免月数", 1, MAX_MONTHS)
    months = _int_in(value, "减免月数", 1, MAX_MONTHS)
    done = months_reduced(c.id)
    if months > cover - done:
        head = f"{_label(c)}{CYCLE_WORDS.get(cover, '')}收取，只含 {cover} 个月"
        more = f"，已减免 {done} 个月，最多再减免 {cover - done} 个月" if done else f"，最多减免 {cover} 个月"
        raise ValidationError("减免月数", f"{head}{more}，收到 {months} 个月")
    return months


def months_hint(charge_id) -> str:
    """The 月数 hint for one charge (the reduction dialog's placeholder)."""
    c = Charge.get_or_none(Charge.id == int(charge_id))
    cover = covered_months(c) if c is not None else 1
    if cover == 1:
        return "月数，如 3：本月及其后两个月的同项费用全部减免"
    left = cover - months_reduced(c.id)
    return f"月数，{CYCLE_WORDS.get(cover, '')}收取共 {cover} 个月，每月减免 1/{cover}，最多 {left} 个月"


def _month_charges(c: Charge, months: int, lock: bool = False) -> list[Charge]:
    """The charge's month and the next ``months - 1`` months of the same item of the home."""
    from app.core.dates import add_period_months
    periods = [add_period_months(c.period, i) for i in range(months)]
    q = (Charge.select().where((Charge.home == c.home_id) & (Charge.item_code == c.item_code)
                               & Charge.period.in_(periods) & Charge.category.not_in(NO_REDUCE))
         .order_by(Charge.id))
    found = list(for_update(q) if lock else q)
    by_period: dict[str, Charge] = {}
    for x in found:
        by_period.setdefault(x.period, x)
    missing = [p for p in periods if p not in by_period]
    if missing:
        raise ValidationError("减免月数", f"{item_name(c.item_code)} {missing[0]} 尚未出账，不能减免")
    return [by_period[p] for p in periods]


def _planned(c: Charge, mode: str, percent: int, amount_fen: int, months: int, lock: bool = False) -> list:
    """[(charge, fen)] the reduction would apply now: never more than each charge still owes."""
    if mode == "months" and covered_months(c) == 1:
        return [(x, x.amount_fen - x.paid_fen) for x in _month_charges(c, months, lock)]
    if lock:
        c = for_update(Charge.select().where(Charge.id == c.id)).get()
    if mode == "months":    # N months of a quarterly or yearly charge (cycle_months)
        return [(c, min(cycle_share(c.amount_fen, covered_months(c), months_reduced(c.id), months),
                        c.amount_fen - c.paid_fen))]
    owed = c.amount_fen - c.paid_fen
    want = (c.amount_fen * percent + 50) // 100 if mode == "percent" else amount_fen
    return [(c, min(want, owed))]


# ------------------------------------------------------------------------------- writes
def propose(ctx, charge_id, mode, value, reason, *, approve: bool = False, note: str = "") -> Reduction:
    """Propose a reduction of a charge: *mode* percent (value 1-100), fixed (value in 元) or months
    (value 1-12: the charge's month and the next ones of the same item). With *approve* (manager) it
    is approved in the same transaction. Returns the Reduction."""
    require(ctx, "ledger.reduce")
    if approve:
        require(ctx, "ledger.reduce_approve")
    mode = _mode(mode)
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationError("减免原因", "不能为空")
    c = _charge(charge_id)
    if c.category in NO_REDUCE:
        raise ValidationError("减免项目", f"{_label(c)}是押金或预交款，不能减免")
    if mode != "months" and c.amount_fen - c.paid_fen <= 0:
        raise StateError(f"{_label(c)}已付清，无可减免")
    percent = months = fixed = 0
    if mode == "percent":
        percent = _int_in(value, "减免比例", 1, 100)
    elif mode == "months":
        if c.category != "periodic" or not c.period:
            raise ValidationError("减免方式", f"{_label(c)}不是按月收取的费用，不能按整月减免")
        months = _months_of(c, value)
    else:
        fixed = parse_yuan(value, "减免金额")
        if fixed <= 0:
            raise ValidationError("减免金额", "应大于零")
        if fixed > c.amount_fen - c.paid_fen:
            raise ValidationError("减免金额", f"不能超过欠额 {fmt_fen(c.amount_fen - c.paid_fen)} 元")
    plan = _planned(c, mode, percent, fixed, months)
    total = sum(f for _c, f in plan)
    if total <= 0:
        raise StateError(f"{_label(c)}已付清，无可减免")
    now = ctx.clock.now()
    uid = getattr(ctx.user, "id", None)
    with ctx.db.atomic():
        if Reduction.select().where((Reduction.charge == c.id) & (Reduction.state == STATE_PENDING)).exists():
            raise StateError(f"{_label(c)}已有待审批的减免，请先审批或驳回")
        red = Reduction.create(home=c.home_id, charge=c.id, item_code=c.item_code, mode=mode, percent=percent,
                               months=months, amount_fen=total, reason=reason, proposed_by=uid, proposed_at=now)
        audit.record(ctx, "ledger.reduce_propose", "reduction", red.id, None,
                     {"charge_id": c.id, "项目": _label(c), "方式": MODES[mode], "proposed_fen": total,
                      "reason": reason})
        if approve:
            red = _apply(ctx, red.id, note)
    return red


def _locked_pending(reduction_id) -> Reduction:
    red = for_update(Reduction.select().where(Reduction.id == int(reduction_id))).first()
    if red is None:
        raise NotFound(f"减免申请不存在（编号 {reduction_id}）")
    if red.state != STATE_PENDING:
        raise StateError(f"该减免申请{red.state}，不能重复审批，请刷新")
    return red


def _apply(ctx, reduction_id, note: str) -> Reduction:
    """Inside the caller's transaction: lock the reduction and its charges, apply, audit."""
    red = _locked_pending(reduction_id)
    c = _charge(red.charge_id)
    fixed = red.amount_fen if red.mode == "fixed" else 0
    plan = [(x, f) for x, f in _planned(c, red.mode, red.percent, fixed, red.months, lock=True) if f > 0]
    if not plan:
        raise StateError(f"{_label(c)}已被其他操作付清，无可减免；请驳回该申请")
    now = ctx.clock.now()
    uid = getattr(ctx.user, "id", None)
    lines = []
    # N months of a quarterly or yearly charge: the months stand in the line's reason (receipt, bill, 备注)
    why = f"{red.months}个月，{red.reason}" if red.mode == "months" and covered_months(c) > 1 else red.reason
    for x, fen in plan:
        Payment.create(charge=x.id, home=x.home_id, item_code=x.item_code, kind=KIND, method=KIND, amount_fen=fen,
                       reason=why, source="reduction", source_id=red.id, created_at=now, created_by=uid)
        Charge.update(paid_fen=Charge.paid_fen + fen).where(Charge.id == x.id).execute()
        lines.append({"charge_id": x.id, "项目": _label(x), "reduced_fen": fen})
    applied = sum(f for _x, f in plan)
    Reduction.update(state=STATE_APPROVED, applied_fen=applied, decided_by=uid, decided_at=now,
                     decision_note=str(note or "").strip()).where(Reduction.id == red.id).execute()
    audit.record(ctx, "ledger.reduce_approve", "reduction", red.id, {"state": STATE_PENDING},
                 {"state": STATE_APPROVED, "reduced_fen": applied, "lines": lines, "reason": red.reason})
    from app.ledger.arrears import refresh_arrears_flags
    refresh_arrears_flags(ctx, home_ids=[red.home_id])
    return Reduction.get_by_id(red.id)


def approve(ctx, reduction_id, note: str = "") -> Reduction:
    """A manager approves a pending reduction: applied as reduction lines (one transaction, audited)."""
    require(ctx, "ledger.reduce_approve")
    with ctx.db.atomic():
        return _apply(ctx, reduction_id, note)


def reject(ctx, reduction_id, note: str) -> Reduction:
    """A manager rejects a pending reduction with a reason (audited); nothing is applied."""
    require(ctx, "ledger.reduce_approve")
    note = str(note or "").strip()
    if not note:
        raise ValidationError("驳回理由", "不能为空")
    with ctx.db.atomic():
        red = _locked_pending(reduction_id)
        Reduction.update(state=STATE_REJECTED, decided_by=getattr(ctx.user, "id", None),
                         decided_at=ctx.clock.now(), decision_note=note).where(Reduction.id == red.id).execute()
        audit.record(ctx, "ledger.reduce_reject", "reduction", red.id, {"state": STATE_PENDING},
                     {"state": STATE_REJECTED, "note": note})
    return Reduction.get_by_id(red.id)


# ------------------------------------------------------------------------------- reads
def may_approve(ctx) -> bool:
    return allowed(getattr(getattr(ctx, "user", None), "role", None), "ledger.reduce_approve")


def _row(r: Reduction, rooms: dict, charges: dict) -> dict:
    c = charges.get(r.charge_id)
    how = {"percent": f"{r.percent}%", "months": f"{r.months}个月", "fixed": f"{fmt_fen(r.amount_fen)}元"}[r.mode]
    return {"id": r.id, "home_id": r.home_id, "room_code": rooms.get(r.home_id, ""), "charge_id": r.charge_id,
            "item": _label(c) if c else item_name(r.item_code), "mode": MODES[r.mode], "how": how,
            "amount_fen": r.amount_fen, "applied_fen": r.applied_fen, "reason": r.reason, "state": r.state,
            "proposed_at": r.proposed_at, "decided_at": r.decided_at, "note": r.decision_note}


def _rows(query) -> list[dict]:
    from models.property import Home
    reds = list(query)
    if not reds:
        return []
    rooms = dict(Home.select(Home.id, Home.room_code).where(Home.id.in_({r.home_id for r in reds})).tuples())
    charges = {c.id: c for c in Charge.select().where(Charge.id.in_({r.charge_id for r in reds}))}
    return [_row(r, rooms, charges) for r in reds]


def pending(ctx) -> list[dict]:
    """The reductions waiting for a manager, oldest first."""
    require(ctx, "ledger.view")
    return _rows(Reduction.select().where(Reduction.state == STATE_PENDING).order_by(Reduction.id))


def home_reductions(ctx, home_id) -> list[dict]:
    require(ctx, "ledger.view")
    return _rows(Reduction.select().where(Reduction.home == home_id).order_by(Reduction.id.desc()))


def reduced_by_charge(charge_ids) -> dict[int, tuple[int, str]]:
    """{charge id: (fen reduced, reasons)} of the applied reductions of these charges."""
    ids = list(charge_ids)
    if not ids:
        return {}
    out: dict[int, tuple[int, str]] = {}
    for cid, fen, reason in (Payment.select(Payment.charge, Payment.amount_fen, Payment.reason)
                             .where(Payment.charge.in_(ids) & (Payment.kind == KIND)).order_by(Payment.id).tuples()):
        old_fen, old_reason = out.get(cid, (0, ""))
        out[cid] = (old_fen + int(fen), old_reason if reason in old_reason.split("；") else
                    "；".join(x for x in (old_reason, reason) if x))
    return out


def annotate_charges(rows: list[dict]) -> list[dict]:
    """The household's charge rows (payments.home_charges) get reduced_fen and a 减免 memo."""
    done = reduced_by_charge(r["id"] for r in rows)
    waiting = set()
    if rows:
        waiting = {cid for (cid,) in Reduction.select(Reduction.charge).where(
            Reduction.charge.in_([r["id"] for r in rows]) & (Reduction.state == STATE_PENDING)).tuples()}
    for r in rows:
        fen, reason = done.get(r["id"], (0, ""))
        r["reduced_fen"] = fen
        notes = [f"减免 ¥{fmt_fen(fen)}（{reason}）"] if fen else []
        if r["id"] in waiting:
            notes.append("减免待审批")
        if notes:
            r["memo"] = "；".join([*([r["memo"]] if r.get("memo") else []), *notes])
    return rows


def receipt_reductions(charge_ids) -> tuple[tuple[str, int, str], ...]:
    """(item, fen, reasons) of the reductions of the charges a receipt pays: the receipt's 减免 line."""
    done = reduced_by_charge(charge_ids)
    if not done:
        return ()
    charges = {c.id: c for c in Charge.select().where(Charge.id.in_(list(done)))}
    return tuple((_label(charges[cid]), fen, reason) for cid, (fen, reason) in sorted(done.items()))


def day_total(day: dt.date) -> tuple[int, int]:
    """(fen, count) of the reductions approved on *day*: the daily report's own line."""
    start = dt.datetime.combine(day, dt.time.min)
    end = start + dt.timedelta(days=1)
    row = (Payment.select(fn.COALESCE(fn.SUM(Payment.amount_fen), 0), fn.COUNT(fn.DISTINCT(Payment.source_id)))
           .where((Payment.kind == KIND) & (Payment.created_at >= start) & (Payment.created_at < end))
           .tuples().first())
    return int(row[0]), int(row[1])


def reduced_in_period(period: str, categories, as_of: dt.date | None = None) -> dict[int, int]:
    """{charge id: fen reduced} of the charges of *period* in *categories* (the collection rate takes
    them out of due and collected); with *as_of*, the reductions approved up to that day."""
    cond = ((Payment.kind == KIND) & (Charge.period == period) & Charge.category.in_(list(categories)))
    if as_of is not None:
        cond &= Payment.created_at < dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min)
    q = (Payment.select(Payment.charge, fn.SUM(Payment.amount_fen)).join(Charge, on=(Payment.charge == Charge.id))
         .where(cond).group_by(Payment.charge).tuples())
    return {int(cid): int(fen) for cid, fen in q}
