"""Loan register (借用登记, domain.md §6): the desk's items (tools, ladder, wheelchair, umbrellas,
emergency lamp, first-aid items, reading glasses …) lent to households.

Before lending, the borrower checks the item's condition and signs; items that need it
(wheelchair) record a valid identity document (stored encrypted, shown masked). An optional
deposit is integer fen, charged in the fee ledger as item ``loan_deposit`` with a receipt and
refunded through the ledger on return. An item is never lent beyond the units in place.
"""
from __future__ import annotations

import datetime as dt

from peewee import fn

from app.archives.homes import home_by_room
from app.archives.owners import identity_fields
from app.core import validation as v
from app.core.audit import model_dict, record, save_changes
from app.core.dates import fmt_date, fmt_datetime
from app.core.errors import StateError, ValidationError
from app.core.lookup import get_or_404
from app.core.money import fmt_fen
from app.core.permissions import require
from app.core.privacy import mask_phone
from app.core.sequences import format_number, next_number
from models.loans import ITEM_CATEGORIES, Loan, LoanItem
from models.property import Home

ID_TYPES = ("身份证", "护照", "港澳通行证", "台胞证", "军官证", "驾驶证")
MAX_QUANTITY = 999
NAME_MAX = 30


def _int(value, field: str, low: int, high: int) -> int:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(field, f"“{value}”不是整数") from None
    if not low <= n <= high:
        raise ValidationError(field, f"应在{low}到{high}之间")
    return n


def _fen(value, field: str) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, "金额应为整数分")
    if value < 0:
        raise ValidationError(field, "不能为负数")
    return value


def _item(item_id) -> LoanItem:
    return get_or_404(LoanItem, item_id, "借用物品")


def out_quantity(item_id: int) -> int:
    return (Loan.select(fn.COALESCE(fn.SUM(Loan.quantity), 0))
            .where((Loan.item == item_id) & Loan.returned_at.is_null()).scalar()) or 0


def available_quantity(item_id: int) -> int:
    return _item(item_id).quantity - out_quantity(item_id)


# items -------------------------------------------------------------------------------------------

def _item_fields(data: dict) -> dict:
    out = {"name": v.check_required(data.get("name"), "物品名称")}
    if len(out["name"]) > NAME_MAX:
        raise ValidationError("物品名称", f"不能超过{NAME_MAX}个字")
    out["category"] = v.check_choice(data.get("category") or "其他", ITEM_CATEGORIES, "物品类别")
    out["quantity"] = _int(data.get("quantity", 1), "数量", 1, MAX_QUANTITY)
    out["condition"] = v.check_required(data.get("condition") or "完好", "物品状况")
    out["needs_id"] = bool(data.get("needs_id"))
    out["deposit_fen"] = _fen(data.get("deposit_fen"), "押金")
    out["keeper_place"] = v.check_required(data.get("keeper_place") or "客服前台", "存放地点")
    out["notes"] = str(data.get("notes") or "").strip()
    return out


def create_item(ctx, data: dict) -> LoanItem:
    """Add an item the desk lends. ``data``: name, category, quantity, condition, needs_id,
    deposit_fen (suggested deposit per unit), keeper_place, notes."""
    require(ctx, "loans.edit")
    fields = _item_fields(data)
    if LoanItem.get_or_none(LoanItem.name == fields["name"]):
        raise ValidationError("物品名称", f"“{fields['name']}”已登记")
    with ctx.db.atomic():
        item = LoanItem.create(created_at=ctx.clock.now(), updated_at=ctx.clock.now(), **fields)
        record(ctx, "loans.item_create", "loan_item", item.id, None, model_dict(item))
    return item


def update_item(ctx, item_id: int, data: dict) -> LoanItem:
    require(ctx, "loans.edit")
    item = _item(item_id)
    merged = {k: getattr(item, k) for k in ("name", "category", "quantity", "condition", "needs_id", "deposit_fen",
                                             "keeper_place", "notes")}
    merged.update(data)
    fields = _item_fields(merged)
    other = LoanItem.get_or_none((LoanItem.name == fields["name"]) & (LoanItem.id != item.id))
    if other:
        raise ValidationError("物品名称", f"“{fields['name']}”已登记")
    out = out_quantity(item.id)
    if fields["quantity"] < out:
        raise ValidationError("数量", f"已借出{out}件，数量不能少于{out}")
    return save_changes(ctx, item, fields, "loans.item_update", "loan_item")


def set_item_active(ctx, item_id: int, active: bool, reason: str = "") -> LoanItem:
    """Retire an item (lost, worn out) or bring it back. Refused while units are lent out."""
    require(ctx, "loans.edit")
    item = _item(item_id)
    if not active:
        reason = v.check_required(reason, "停用原因")
        out = out_quantity(item.id)
        if out:
            raise StateError(f"“{item.name}”尚有{out}件借出未还，归还后才能停用")
    before = model_dict(item)
    with ctx.db.atomic():
        item.active = bool(active)
        if reason:
            item.notes = (item.notes + "\n" if item.notes else "") + f"{ctx.clock.today():%Y-%m-%d} 停用：{reason}"
        item.updated_at = ctx.clock.now()
        item.save()
        record(ctx, "loans.item_active", "loan_item", item.id, before, model_dict(item))
    return item


def list_items(ctx, include_inactive: bool = False) -> list[dict]:
    q = LoanItem.select()
    if not include_inactive:
        q = q.where(LoanItem.active == True)  # noqa: E712
    outs = dict(Loan.select(Loan.item, fn.SUM(Loan.quantity)).where(Loan.returned_at.is_null())
                .group_by(Loan.item).tuples())
    rows = []
    for it in q.order_by(LoanItem.category, LoanItem.id):
        out = outs.get(it.id, 0) or 0
        rows.append({"id": it.id, "name": it.name, "category": it.category, "quantity": it.quantity, "out": out,
                     "available": it.quantity - out, "condition": it.condition, "needs_id": it.needs_id,
                     "deposit_fen": it.deposit_fen, "deposit": fmt_fen(it.deposit_fen) if it.deposit_fen else "",
                     "keeper_place": it.keeper_place, "notes": it.notes, "active": it.active})
    return rows


def get_item(item_id: int) -> LoanItem:
    return _item(item_id)


def area_manager_of(room_code) -> str:
    """The area manager (管家) of the home's building, to be told of the loan; '' when unknown."""
    from models.property import Building
    from models.users import User
    try:
        home = home_by_room(room_code)
    except ValidationError:
        return ""
    row = (User.select(User.display_name).join(Building, on=(Building.area_manager == User.id))
           .where(Building.id == home.building_id).tuples().first())
    return row[0] if row else ""


# lending -----------------------------------------------------------------------------------------

def lend(ctx, data: dict) -> Loan:
    """Lend an item. ``data``: item_id, quantity (default 1), room_code (must exist), borrower_name,
    phone, id_type + id_number (required for items that need an identity document),
    condition_out (checked with the borrower), borrower_signed (must be True), deposit_fen
    (optional, integer fen), deposit_method (default 现金), due_date (default today +
    keys.default_loan_days), notes."""
    require(ctx, "loans.lend")
    item = _item(data.get("item_id"))
    if not item.active:
        raise StateError(f"物品“{item.name}”已停用，不能借出")
    qty = _int(1 if data.get("quantity") in (None, "") else data["quantity"], "借用数量", 1, MAX_QUANTITY)
    home = home_by_room(data.get("room_code"))
    name = v.check_required(data.get("borrower_name"), "借用人")
    phone = v.check_phone(data.get("phone"), "联系电话", required=True)
    id_fields = {"id_type": "", "id_enc": "", "id_hash": "", "id_masked": ""}
    id_number = str(data.get("id_number") or "").strip()
    id_type = str(data.get("id_type") or "身份证").strip()
    if item.needs_id and not id_number:
        raise ValidationError("证件号码", f"借用{item.name}须登记有效身份证件")
    if id_number:
        v.check_choice(id_type, ID_TYPES, "证件类型")
        f = identity_fields(ctx, id_number, "证件号码", id_type)
        id_fields = {"id_type": id_type, "id_enc": f["id_enc"], "id_hash": f["id_hash"], "id_masked": f["id_masked"]}
    condition = v.check_required(data.get("condition_out"), "借出时状况")
    if not data.get("borrower_signed"):
        raise ValidationError("借用人签字", "借出前须由借用人检查物品状况并签字确认")
    deposit = _fen(data.get("deposit_fen"), "押金")
    today = ctx.clock.today()
    if data.get("due_date"):
        due = v.parse_date(data["due_date"], "应还日期")
    else:
        due = today + dt.timedelta(days=int(ctx.settings.get("keys.default_loan_days")))
    if due < today:
        raise ValidationError("应还日期", "不能早于今天")
    out = out_quantity(item.id)
    if qty > item.quantity - out:
        raise StateError(f"“{item.name}”共{item.quantity}件，已借出{out}件，可借{item.quantity - out}件，"
                         f"不能借出{qty}件")
    now = ctx.clock.now()
    with ctx.db.atomic():
        number = format_number("JY", now.year, next_number("loan", now.year))
        loan = Loan.create(item=item, number=number, quantity=qty, home=home, borrower_name=name, phone=phone,
                           condition_out=condition, borrower_signed=True, deposit_fen=deposit, out_at=now,
                           due_date=due, issued_by=getattr(ctx.user, "id", None),
                           notes=str(data.get("notes") or "").strip(), **id_fields)
        if deposit:
            from app.ledger import billing, payments
            charge = billing.post_charge(ctx, home.id, "loan_deposit", deposit,
                                         memo=f"借用{item.name}×{qty}押金（{number}）", source="loan",
                                         source_id=loan.id)
            receipt = payments.pay(ctx, home.id, [charge.id], data.get("deposit_method") or "现金", name)
            loan.deposit_receipt = receipt.number
            loan.save()
        record(ctx, "loans.lend", "loan", loan.id, None, model_dict(loan))
    return loan


def return_loan(ctx, loan_id: int, data: dict) -> Loan:
    """Take an item back, checked in front of the borrower. ``data``: condition_in, damage_notes
    (required when the condition is not 完好 or part of the deposit is kept), refund_fen
    (default the whole deposit; at most the deposit), refund_method (default 现金), received_by
    (default the current user), update_item_condition (True: the item's condition becomes the
    condition found, so the next borrower sees it). The refund is a voucher of
    ``app.ledger.payments.refund``."""
    require(ctx, "loans.lend")
    loan = get_or_404(Loan, loan_id, "借用记录")
    if loan.returned_at is not None:
        raise StateError(f"借用单 {loan.number} 已于{fmt_datetime(loan.returned_at)}归还，不能重复归还")
    condition = v.check_required(data.get("condition_in"), "归还时状况")
    damage = str(data.get("damage_notes") or "").strip()
    refund = loan.deposit_fen if data.get("refund_fen") in (None, "") else _fen(data.get("refund_fen"), "退还押金")
    if refund > loan.deposit_fen:
        raise ValidationError("退还押金", f"不能超过所收押金 {fmt_fen(loan.deposit_fen)} 元")
    if condition != "完好" and not damage:
        raise ValidationError("损坏说明", "物品归还时状况不是“完好”，须填写损坏说明")
    if refund < loan.deposit_fen and not damage:
        raise ValidationError("损坏说明", "扣留部分押金须填写损坏说明")
    received = str(data.get("received_by") or "").strip() or getattr(ctx.user, "display_name", "") or ""
    if not received:
        raise ValidationError("接收人", "不能为空")
    before = model_dict(loan)
    with ctx.db.atomic():
        loan.returned_at = ctx.clock.now()
        loan.condition_in = condition
        loan.damage_notes = damage
        loan.refund_fen = refund
        loan.received_by = received
        loan.received_user = getattr(ctx.user, "id", None)
        if refund and loan.deposit_receipt:
            from app.ledger import payments
            p = payments.refund(ctx, loan.home_id, "loan_deposit", refund, f"退还借用押金（{loan.number}）",
                                source="loan", source_id=loan.id, payee=loan.borrower_name,
                                method=data.get("refund_method") or "现金")
            loan.refund_voucher = p.receipt.number
        loan.save()
        record(ctx, "loans.return", "loan", loan.id, before, model_dict(loan))
        if data.get("update_item_condition"):
            item = LoanItem.get_by_id(loan.item_id)
            if item.condition != condition:
                item_before = model_dict(item)
                item.condition = condition
                item.updated_at = ctx.clock.now()
                item.save()
                record(ctx, "loans.item_update", "loan_item", item.id, item_before, model_dict(item))
    return loan


def reveal_borrower_phone(ctx, loan_id: int) -> str:
    """The borrower's full phone (to chase an overdue loan). Needs pii.view_full; audited."""
    require(ctx, "pii.view_full")
    loan = get_loan(loan_id)
    with ctx.db.atomic():
        record(ctx, "pii.reveal_phone", "loan", loan.id, None, {"field": "借用人电话"})
    return loan.phone


def loan_row(ln: Loan, today: dt.date) -> dict:
    """A loan as a plain row (phone and identity number masked); ``overdue`` as of ``today``."""
    overdue = ln.returned_at is None and ln.due_date < today
    return {"id": ln.id, "number": ln.number, "item_id": ln.item_id, "item": ln.item.name, "quantity": ln.quantity,
            "room_code": ln.home.room_code, "borrower_name": ln.borrower_name, "phone": mask_phone(ln.phone),
            "id_type": ln.id_type, "id_masked": ln.id_masked, "condition_out": ln.condition_out,
            "deposit_fen": ln.deposit_fen, "deposit": fmt_fen(ln.deposit_fen) if ln.deposit_fen else "",
            "deposit_receipt": ln.deposit_receipt, "out_at": fmt_datetime(ln.out_at),
            "due_date": fmt_date(ln.due_date), "returned_at": fmt_datetime(ln.returned_at),
            "condition_in": ln.condition_in, "damage_notes": ln.damage_notes,
            "refund_fen": ln.refund_fen, "refund": fmt_fen(ln.refund_fen) if ln.returned_at and ln.deposit_fen else "",
            "refund_voucher": ln.refund_voucher, "received_by": ln.received_by, "overdue": overdue,
            "overdue_text": f"逾期{(today - ln.due_date).days}天" if overdue else "",
            "issued_by": getattr(ln.issued_by, "display_name", "") if ln.issued_by_id else ""}


def _loans_query():
    return Loan.select(Loan, LoanItem, Home).join(LoanItem).switch(Loan).join(Home)


def open_loans(ctx, overdue_only: bool = False) -> list[dict]:
    """Loans not yet returned, earliest due first; each row says whether it is overdue."""
    today = ctx.clock.today()
    q = _loans_query().where(Loan.returned_at.is_null())
    if overdue_only:
        q = q.where(Loan.due_date < today)
    return [loan_row(ln, today) for ln in q.order_by(Loan.due_date, Loan.id)]


def overdue_loans(ctx) -> list[dict]:
    return open_loans(ctx, overdue_only=True)


def loan_history(ctx, item_id: int | None = None, home_id: int | None = None, limit: int = 500) -> list[dict]:
    """Past and open loans, newest first (of one item or one home when given)."""
    today = ctx.clock.today()
    q = _loans_query()
    if item_id is not None:
        q = q.where(Loan.item == item_id)
    if home_id is not None:
        q = q.where(Loan.home == home_id)
    return [loan_row(ln, today) for ln in q.order_by(Loan.out_at.desc(), Loan.id.desc()).limit(limit)]


def get_loan(loan_id: int) -> Loan:
    return get_or_404(Loan, loan_id, "借用记录")
