"""Payments (收款): receipts with unbroken numbers, part-payments, reprints (补打), voids (作废)
and deposit refunds (退款凭证). Nothing about money is ever deleted: a void keeps the receipt
and its number and adds reversing lines; there are no delete functions here.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from peewee import fn

from app.archives.homes import home_by_id
from app.core import audit
from app.core.errors import NotFound, StateError, ValidationError
from app.core.lookup import get_or_404
from app.core.money import daxie, fmt_fen
from app.core.permissions import require
from app.core.sequences import format_number, next_number
from app.ledger.charge_items import category_of, item_name, qty_label
from app.ledger.charge_rules import line_period, shows_memo
from app.ledger.paid_until import paid_until_text
from app.ledger.prepayment import ITEM_OF_PREPAY, prepay_balance
from app.ledger.rates import fmt_quantity
from models.db import for_update
from models.ledger import PAY_METHODS, Charge, Payment, Receipt
from models.people import HomeOwner, Owner
from models.property import Home

if TYPE_CHECKING:
    from app.printing.receipt import ReceiptData

METHOD_ALIASES = {"现金": "cash", "银行卡": "card", "刷卡": "card", "转账": "transfer", "微信": "transfer",
                  "支付宝": "transfer", "wechat": "transfer", "alipay": "transfer"}


def normalize_method(method: str) -> str:
    m = str(method or "").strip()
    m = METHOD_ALIASES.get(m, METHOD_ALIASES.get(m.lower(), m.lower()))
    if m not in PAY_METHODS:
        raise ValidationError("付款方式", f"应为现金、银行卡或转账，收到“{method}”")
    return m


def _receipt(receipt_id) -> Receipt:
    return get_or_404(Receipt, receipt_id, message=f"收据不存在（编号 {receipt_id}）")


def _check_fen(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, "应为整数（分）")
    return value


def _cashier_name(ctx) -> str:
    u = ctx.user
    return getattr(u, "display_name", "") or getattr(u, "username", "") or ""


def _locked_charges(ids, lock: bool) -> dict:
    """The charges by id; with *lock*, locked until the transaction ends (in id order, so two desks
    locking the same charges never wait on each other in a circle)."""
    q = Charge.select().where(Charge.id.in_(list(ids))).order_by(Charge.id)
    return {c.id: c for c in (for_update(q) if lock else q)}


def _pay_plan(home, ids, amounts, lock: bool = False) -> list:
    charges = _locked_charges(ids, lock)
    plan = []
    for cid in ids:
        c = charges.get(cid)
        if c is None:
            raise NotFound(f"费用不存在（编号 {cid}）")
        if c.home_id != home.id:
            raise ValidationError("收费项目", f"费用 {cid} 不属于 {home.room_code}")
        owed = c.amount_fen - c.paid_fen
        label = f"{item_name(c.item_code)}{('（' + c.period + '）') if c.period else ''}"
        if owed <= 0:
            raise StateError(f"{label}已付清，不能重复收款")
        amt = _check_fen(amounts.get(cid, owed), f"{label}收款金额")
        if amt <= 0:
            raise ValidationError(f"{label}收款金额", "应大于零")
        if amt > owed:
            raise ValidationError(f"{label}收款金额", f"不能超过欠额 {fmt_fen(owed)} 元")
        plan.append((c, amt))
    return plan


def pay(ctx, home_id, charge_ids, method, payer, reference="", amounts=None, *, memo="") -> Receipt:
    """Take one payment for one or more charges of a home and issue a receipt.
    ``amounts`` = {charge_id: fen} for part-payments (default: the whole amount owed)."""
    require(ctx, "ledger.pay")
    home = home_by_id(home_id)
    method = normalize_method(method)
    payer = str(payer or "").strip()
    if not payer:
        raise ValidationError("交款人", "不能为空")
    reference = str(reference or "").strip()
    if method == "transfer" and not reference:
        raise ValidationError("交易参考号", "转账（微信/支付宝/银行）须填写交易参考号")
    ids = []
    for cid in charge_ids or []:
        if int(cid) not in ids:
            ids.append(int(cid))
    if not ids:
        raise ValidationError("收费项目", "请至少选择一项费用")
    amounts = {int(k): v for k, v in (amounts or {}).items()}
    _pay_plan(home, ids, amounts)   # refused before the write lock is taken
    now = ctx.clock.now()
    year = now.year
    with ctx.db.atomic():
        plan = _pay_plan(home, ids, amounts, lock=True)   # again, on the locked charges: another desk may have paid
        total = sum(a for _c, a in plan)
        seq = next_number("receipt", year)
        number = format_number(ctx.settings.get("billing.receipt_prefix"), year, seq)
        receipt = Receipt.create(number=number, kind="receipt", year=year, seq=seq, home=home.id, payer=payer,
                                 method=method, reference=reference, total_fen=total,
                                 cashier=getattr(ctx.user, "id", None), cashier_name=_cashier_name(ctx),
                                 issued_at=now, memo=str(memo or ""))
        for c, amt in plan:
            Payment.create(receipt=receipt.id, charge=c.id, home=home.id, item_code=c.item_code, kind="pay",
                           method=method, amount_fen=amt, created_at=now, created_by=getattr(ctx.user, "id", None))
            n = (Charge.update(paid_fen=Charge.paid_fen + amt)
                 .where((Charge.id == c.id) & (Charge.paid_fen + amt <= Charge.amount_fen)).execute())
            if n != 1:
                raise StateError(f"{item_name(c.item_code)}已被其他收款付清，请刷新后重试")
        audit.record(ctx, "ledger.pay", "receipt", receipt.id, None,
                     {"number": number, "home": home.room_code, "total_fen": total, "method": method,
                      "reference": reference, "lines": {c.id: a for c, a in plan}})
        from app.ledger.arrears import refresh_arrears_flags
        refresh_arrears_flags(ctx, home_ids=[home.id])
    return receipt


def waive(ctx, charge_id, reason, *, source="", source_id=None) -> Payment | None:
    """Waive (免收) what is still owed on a charge, with a reason, manager only: a payment line
    of kind 'waive' without a receipt, so the charge is settled and nothing is deleted. Used when
    a renovation is abandoned before its fees were paid. Returns the line, or None if nothing
    was owed. Joins the caller's transaction."""
    require(ctx, "ledger.void")
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationError("免收原因", "不能为空")
    c = get_or_404(Charge, charge_id, message=f"费用不存在（编号 {charge_id}）")
    if c.category == "deposit":  # a waived deposit would count as held and could be "refunded"
        raise ValidationError("免收项目", f"{item_name(c.item_code)}是押金，不能免收（未收取的押金不计欠费）")
    if c.amount_fen - c.paid_fen <= 0:
        return None
    with ctx.db.atomic():
        c = _locked_charges([c.id], True)[c.id]   # another desk may have paid or waived it meanwhile
        owed = c.amount_fen - c.paid_fen
        if owed <= 0:
            raise StateError(f"{item_name(c.item_code)}已被其他操作付清或免收，请刷新后重试")
        line = Payment.create(charge=c.id, home=c.home_id, item_code=c.item_code, kind="waive", method="waive",
                              amount_fen=owed, reason=reason, source=source, source_id=source_id,
                              created_at=ctx.clock.now(), created_by=getattr(ctx.user, "id", None))
        Charge.update(paid_fen=Charge.paid_fen + owed).where(Charge.id == c.id).execute()
        audit.record(ctx, "ledger.waive", "charge", c.id, {"paid_fen": c.paid_fen},
                     {"paid_fen": c.paid_fen + owed, "waived_fen": owed, "reason": reason})
        from app.ledger.arrears import refresh_arrears_flags
        refresh_arrears_flags(ctx, home_ids=[c.home_id])
    return line


# keyword-only options, as the areas that hold deposits (renovation, passes, loans) call it
def refund(ctx, home_id, item_code, amount_fen, reason, *, source="", source_id=None, payee="",  # noqa: PLR0913
           method="cash") -> Payment:
    """Pay back a deposit (renovation, pass, loan deposit). Recorded as a negative payment line on
    a refund voucher (Receipt kind 'refund') with its own unbroken number. Returns the (first)
    payment line; ``payment.receipt.number`` is the voucher number."""
    require(ctx, "ledger.refund")
    home = home_by_id(home_id)
    try:
        cat = category_of(str(item_code or ""))
    except ValidationError:
        raise ValidationError("退款项目", f"未知的收费项目“{item_code}”") from None
    if cat != "deposit":
        raise ValidationError("退款项目", f"{item_name(item_code)}不是押金，不能退款")
    amount_fen = _check_fen(amount_fen, "退款金额")
    if amount_fen <= 0:
        raise ValidationError("退款金额", "应大于零")
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationError("退款原因", "不能为空")
    method = normalize_method(method)
    _held_charges(home.id, item_code, amount_fen, source, source_id)   # refused before the write lock
    payee = str(payee or "").strip() or _primary_owner_name(home.id)
    now = ctx.clock.now()
    year = now.year
    uid = getattr(ctx.user, "id", None)
    with ctx.db.atomic():
        held_charges = _held_charges(home.id, item_code, amount_fen, source, source_id, lock=True)
        seq = next_number("refund", year)
        number = format_number(ctx.settings.get("billing.refund_prefix"), year, seq)
        voucher = Receipt.create(number=number, kind="refund", year=year, seq=seq, home=home.id, payer=payee,
                                 method=method, total_fen=-amount_fen, cashier=uid, cashier_name=_cashier_name(ctx),
                                 issued_at=now, memo=reason)
        left = amount_fen
        first = None
        for c in held_charges:
            if left <= 0:
                break
            part = min(left, c.paid_fen - c.refunded_fen)
            p = Payment.create(receipt=voucher.id, charge=c.id, home=home.id, item_code=item_code, kind="refund",
                               method=method, amount_fen=-part, reason=reason, source=str(source or ""),
                               source_id=source_id, created_at=now, created_by=uid)
            first = first or p
            n = (Charge.update(refunded_fen=Charge.refunded_fen + part)
                 .where((Charge.id == c.id) & (Charge.refunded_fen + part <= Charge.paid_fen)).execute())
            if n != 1:
                raise StateError("押金已被其他操作退还，请刷新后重试")
            left -= part
        audit.record(ctx, "ledger.refund", "receipt", voucher.id, None,
                     {"number": number, "home": home.room_code, "item": item_code, "amount_fen": amount_fen,
                      "reason": reason, "source": source, "source_id": source_id})
    return first


def _held_charges(home_id, item_code, amount_fen, source, source_id, lock: bool = False) -> list:
    """The charges holding a deposit to pay back (locked with *lock*); refuses more than is held."""
    q = Charge.select().where((Charge.home == home_id) & (Charge.item_code == item_code)
                              & (Charge.paid_fen > Charge.refunded_fen))
    if source:
        q = q.where(Charge.source == source)
    if source_id is not None:
        q = q.where(Charge.source_id == source_id)
    q = q.order_by(Charge.id)
    held_charges = list(for_update(q) if lock else q)
    held = sum(c.paid_fen - c.refunded_fen for c in held_charges)
    if amount_fen > held:
        raise ValidationError("退款金额", f"超过可退的{item_name(item_code)} {fmt_fen(held)} 元")
    return held_charges


def deposit_held(home_id, item_code, *, source="", source_id=None) -> int:
    """Deposit of an item held for a home (paid minus refunded), in fen."""
    q = Charge.select(fn.COALESCE(fn.SUM(Charge.paid_fen - Charge.refunded_fen), 0)).where(
        (Charge.home == home_id) & (Charge.item_code == item_code))
    if source:
        q = q.where(Charge.source == source)
    if source_id is not None:
        q = q.where(Charge.source_id == source_id)
    return int(q.scalar() or 0)


def void_receipt(ctx, receipt_id, reason) -> Receipt:
    """Void a receipt or refund voucher (manager only): it keeps its number, prints 作废, and its
    lines are reversed by opposite lines."""
    require(ctx, "ledger.void")
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationError("作废原因", "不能为空")
    r = _receipt(receipt_id)
    if r.status == "void":
        raise StateError(f"收据 {r.number} 已作废")
    now = ctx.clock.now()
    uid = getattr(ctx.user, "id", None)
    with ctx.db.atomic():
        r = for_update(Receipt.select().where(Receipt.id == r.id)).get()   # locked, then checked again:
        if r.status == "void":                                              # another desk may have voided it
            raise StateError(f"收据 {r.number} 已作废")
        lines = list(Payment.select().where((Payment.receipt == r.id) & (Payment.kind.in_(["pay", "refund"])))
                     .order_by(Payment.id))
        charges = _locked_charges({line.charge_id for line in lines}, True)
        for line in lines:
            charge = charges[line.charge_id]
            if line.kind == "pay":
                if (charge.item_code in ITEM_OF_PREPAY
                        and prepay_balance(charge.home_id, ITEM_OF_PREPAY[charge.item_code]) < line.amount_fen):
                    raise StateError(f"收据 {r.number} 的{item_name(charge.item_code)}已被月度计费抵扣，不能作废")
                if charge.refunded_fen > charge.paid_fen - line.amount_fen:
                    raise StateError(f"收据 {r.number} 的押金已退还，不能作废")
                n = (Charge.update(paid_fen=Charge.paid_fen - line.amount_fen)
                     .where((Charge.id == charge.id) & (Charge.paid_fen >= line.amount_fen)).execute())
                if n != 1:
                    raise StateError(f"收据 {r.number} 的费用已被其他操作更改，请刷新后重试")
            else:  # refund line (negative): the deposit is held again
                Charge.update(refunded_fen=Charge.refunded_fen + line.amount_fen).where(
                    Charge.id == line.charge_id).execute()
            Payment.create(receipt=r.id, charge=line.charge_id, home=line.home_id, item_code=line.item_code,
                           kind="void", method=line.method, amount_fen=-line.amount_fen, reason=reason,
                           created_at=now, created_by=uid)
        before = {"status": r.status}
        Receipt.update(status="void", void_reason=reason, voided_by=uid, voided_at=now).where(
            Receipt.id == r.id).execute()
        audit.record(ctx, "ledger.void", "receipt", r.id, before,
                     {"status": "void", "number": r.number, "reason": reason, "total_fen": r.total_fen})
        from app.ledger.arrears import refresh_arrears_flags
        refresh_arrears_flags(ctx, home_ids=[r.home_id])
    return Receipt.get_by_id(r.id)


# ---------------------------------------------------------------------------------------------
# print data
def receipt_print_data(ctx, receipt_id, reprint_no: int = 0, copy_mark: str = "") -> ReceiptData:
    """The frozen data the receipt renderer prints (app.printing.receipt)."""
    from app.printing.receipt import ReceiptData, ReceiptLine
    r = _receipt(receipt_id)
    home = Home.get_by_id(r.home_id)
    lines = []
    q = (Payment.select(Payment, Charge).join(Charge).where((Payment.receipt == r.id)
                                                              & Payment.kind.in_(["pay", "refund"]))
         .order_by(Payment.id))
    charge_ids = []
    for p in q:
        c = p.charge
        charge_ids.append(c.id)
        quantity = qty_label(c.item_code, fmt_quantity(c.quantity_milli))
        name = item_name(c.item_code) + (f"（{c.memo}）" if shows_memo(c.bill_ref, c.memo) else "")   # 公摊, 按数量
        lines.append(ReceiptLine(name, line_period(c.source, c.period, c.memo), quantity, c.unit_price_fen,
                                 abs(p.amount_fen)))
    from app.ledger.reductions import receipt_reductions
    total = abs(r.total_fen)
    return ReceiptData(
        number=r.number, kind=r.kind, title="收款收据" if r.kind == "receipt" else "押金退款凭证",
        site_name=ctx.settings.get("site.name"), company=ctx.settings.get("company.name") or "",
        issued_at=r.issued_at, room_code=home.room_code, payer=r.payer, method=PAY_METHODS.get(r.method, r.method),
        reference=r.reference, lines=tuple(lines), total_fen=total, total_daxie=daxie(total),
        cashier_name=r.cashier_name, void=r.status == "void", void_reason=r.void_reason, reprint_no=reprint_no,
        memo=r.memo, copy_mark=copy_mark, reductions=receipt_reductions(charge_ids) if r.kind == "receipt" else ())


def print_receipt(ctx, receipt_id, layout: str | None = None, *, view_only: bool = False) -> bytes:
    """PDF of a receipt (A4 or 三联 from print.receipt_layout). The original is printed by the
    cashier when the payment is taken; ``view_only`` gives anyone a copy marked 查看副本 (a
    second receipt to hand over is a reprint, marked 补打: ``reprint_receipt``)."""
    require(ctx, "ledger.view" if view_only else "ledger.pay")
    from app.printing.receipt import render_receipt
    data = receipt_print_data(ctx, receipt_id, copy_mark="查看副本（非收款凭证）" if view_only else "")
    return render_receipt(ctx.settings, data, layout)


def reprint_receipt(ctx, receipt_id, layout: str | None = None) -> bytes:
    """A reprint marked 补打 (counted on the receipt, audited)."""
    require(ctx, "ledger.pay")
    r = _receipt(receipt_id)
    with ctx.db.atomic():   # the count is taken from the locked row: two desks reprinting get 1 and 2
        rows = list(Receipt.update(reprint_count=Receipt.reprint_count + 1).where(Receipt.id == r.id)
                    .returning(Receipt.reprint_count).tuples().execute())
        n = int(rows[0][0])
        audit.record(ctx, "ledger.reprint", "receipt", r.id, {"reprint_count": n - 1}, {"reprint_count": n,
                                                                                       "number": r.number})
    from app.printing.receipt import render_receipt
    return render_receipt(ctx.settings, receipt_print_data(ctx, receipt_id, reprint_no=n), layout)


# ---------------------------------------------------------------------------------------------
# queries for the tab and the reports
def _primary_owner_name(home_id) -> str:
    row = (HomeOwner.select(Owner.name).join(Owner)
           .where((HomeOwner.home == home_id) & HomeOwner.until.is_null())
           .order_by(HomeOwner.is_primary.desc(), HomeOwner.id).tuples().first())
    return row[0] if row else ""


def primary_owner_name(home_id) -> str:
    return _primary_owner_name(home_id)


def home_charges(ctx, home_id, only_open: bool = False) -> list[dict]:
    """The charges of a home, newest first: billed, paid, owed (fen)."""
    q = Charge.select().where(Charge.home == home_id)
    if only_open:
        q = q.where(Charge.paid_fen < Charge.amount_fen)
    out = []
    for c in q.order_by(Charge.period.desc(nulls="LAST"), Charge.id.desc()):
        out.append({"id": c.id, "item_code": c.item_code, "item": item_name(c.item_code), "period": c.period or "",
                    "category": c.category, "quantity": qty_label(c.item_code, fmt_quantity(c.quantity_milli)),
                    "unit_price_fen": c.unit_price_fen, "amount_fen": c.amount_fen, "paid_fen": c.paid_fen,
                    "owed_fen": c.amount_fen - c.paid_fen, "refunded_fen": c.refunded_fen,
                    "due_date": c.due_date, "memo": c.memo})
    from app.ledger.reductions import annotate_charges
    return annotate_charges(out)


def home_receipts(ctx, home_id) -> list[dict]:
    out = []
    for r in Receipt.select().where(Receipt.home == home_id).order_by(Receipt.issued_at.desc(), Receipt.id.desc()):
        out.append(_receipt_row(r))
    return out


def _receipt_row(r: Receipt) -> dict:
    return {"id": r.id, "number": r.number, "kind": r.kind, "issued_at": r.issued_at, "payer": r.payer,
            "method": PAY_METHODS.get(r.method, r.method), "reference": r.reference, "total_fen": r.total_fen,
            "cashier": r.cashier_name, "status": "作废" if r.status == "void" else "有效",
            "reprints": r.reprint_count, "void_reason": r.void_reason}


def home_totals(home_id) -> dict:
    """Billed, paid and owed of a home (the prepayment request is not a bill: its paid amount is
    the prepayment balance, reported separately; the months it settled count as paid). paid_fen is
    money only: reductions and waivers settle a charge too but are reduced_fen (减免), apart. Deposits
    (装修保证金 and the like) are refundable, not arrears: apart, as deposit_due_fen (asked, not yet
    paid) and deposit_held_fen (paid and not refunded)."""
    row = (Charge.select(fn.COALESCE(fn.SUM(Charge.amount_fen), 0), fn.COALESCE(fn.SUM(Charge.paid_fen), 0))
           .where((Charge.home == home_id) & Charge.category.not_in(["prepay", "deposit"])).tuples().first())
    billed, paid = int(row[0]), int(row[1])
    reduced = int(Payment.select(fn.COALESCE(fn.SUM(Payment.amount_fen), 0)).join(
        Charge, on=(Payment.charge == Charge.id)).where(
        (Payment.home == home_id) & Payment.kind.in_(["waive", "reduction"])
        & Charge.category.not_in(["prepay", "deposit"])).scalar() or 0)
    dep = (Charge.select(fn.COALESCE(fn.SUM(Charge.amount_fen), 0), fn.COALESCE(fn.SUM(Charge.paid_fen), 0),
                         fn.COALESCE(fn.SUM(Charge.refunded_fen), 0))
           .where((Charge.home == home_id) & (Charge.category == "deposit")).tuples().first())
    return {"billed_fen": billed, "paid_fen": paid - reduced, "reduced_fen": reduced, "owed_fen": billed - paid,
            "prepay_fen": prepay_balance(home_id),
            "deposit_due_fen": int(dep[0]) - int(dep[1]), "deposit_held_fen": int(dep[1]) - int(dep[2])}


def find_homes(ctx, text: str, limit: int = 50) -> list[dict]:
    """Homes matching what was typed (room code, owner or resident name, phone, id tail)."""
    require(ctx, "ledger.view")
    from app.archives.search import search_home_ids
    from models.people import HomeOwner, Owner
    s = str(text or "").strip()
    if not s:
        return []
    ids = []
    exact = Home.get_or_none(Home.room_code == s)
    if exact is not None:
        ids.append(exact.id)
    for hid in search_home_ids(s, limit=limit):
        if hid not in ids:
            ids.append(hid)
    if len(ids) < limit:   # homes not yet in the search index: room code prefix
        for (hid,) in Home.select(Home.id).where(Home.room_code.startswith(s)).limit(limit).tuples():
            if hid not in ids:
                ids.append(hid)
    ids = ids[:limit]
    if not ids:
        return []
    rooms = dict(Home.select(Home.id, Home.room_code).where(Home.id.in_(ids)).tuples())
    owners: dict[int, list] = {}
    for hid, name in (HomeOwner.select(HomeOwner.home, Owner.name).join(Owner)
                      .where(HomeOwner.home.in_(ids) & HomeOwner.until.is_null())
                      .order_by(HomeOwner.is_primary.desc(), Owner.id).tuples()):
        owners.setdefault(hid, []).append(name)
    return [{"id": hid, "room_code": rooms[hid], "owners": "、".join(owners.get(hid, []))} for hid in ids]


def home_header(ctx, home_id) -> dict:
    """What the ledger tab shows above a home's charges."""
    require(ctx, "ledger.view")
    from app.core.validation import fmt_area
    home = home_by_id(home_id)
    from app.core.privacy import mask_phone
    from models.people import HomeOwner, Owner
    owners = [(n, p) for n, p in (HomeOwner.select(Owner.name, Owner.phone).join(Owner)
                                  .where((HomeOwner.home == home.id) & HomeOwner.until.is_null())
                                  .order_by(HomeOwner.is_primary.desc(), Owner.id).tuples())]
    t = home_totals(home.id)
    return {"id": home.id, "room_code": home.room_code, "house_type": home.house_type, "state": home.state,
            "area": fmt_area(home.area_x100), "owners": "、".join(o[0] for o in owners),
            "phone": mask_phone(owners[0][1]) if owners else "", "payer": owners[0][0] if owners else "",
            "paid_until": paid_until_text(home.id), **t}


def deposits_held(ctx, home_id) -> list[dict]:
    """Deposits a home has paid and not yet had back, per item (for the refund dialog)."""
    require(ctx, "ledger.view")
    from app.ledger.charge_items import ITEMS
    deposit_codes = [c for c, v in ITEMS.items() if v[1] == "deposit"]
    rows = (Charge.select(Charge.item_code, fn.SUM(Charge.paid_fen - Charge.refunded_fen))
            .where((Charge.home == home_id) & Charge.item_code.in_(deposit_codes))
            .group_by(Charge.item_code).tuples())
    return [{"item_code": code, "item": item_name(code), "held_fen": int(held)} for code, held in rows if held > 0]
