"""Demo rows of the loan register: the desk's items (domain.md §6) with quantities, a few loans
open and one overdue."""
from __future__ import annotations

import datetime as dt

# (name, category, quantity, needs an identity document, suggested deposit fen)
ITEMS = [
    ("工具箱", "工具", 2, False, 5000),
    ("电钻", "工具", 1, False, 10000),
    ("人字梯", "工具", 2, False, 0),
    ("管钳", "工具", 1, False, 0),
    ("轮椅", "助行", 2, True, 0),
    ("雨伞", "雨具", 20, False, 0),
    ("应急灯", "应急", 2, False, 0),
    ("急救箱", "急救", 1, False, 0),
    ("创可贴", "急救", 50, False, 0),
    ("老花镜", "生活", 5, False, 0),
    ("打气筒", "工具", 1, False, 0),
    ("手推车", "工具", 2, False, 5000),
]
LOANS_OPEN = 4   # homes that borrow something


def populate(ctx, rng):
    with ctx.db.atomic():
        _populate(ctx, rng)


def _populate(ctx, rng):
    from app.core.validation import id_check_char
    from app.demo.keys import acting_manager
    from app.desk import loans
    from models.loans import LoanItem
    from models.property import Home
    ctx = acting_manager(ctx)
    if LoanItem.select().exists():
        return
    items = {}
    for name, cat, qty, needs_id, dep in ITEMS:
        items[name] = loans.create_item(ctx, {"name": name, "category": cat, "quantity": qty, "needs_id": needs_id,
                                              "deposit_fen": dep, "condition": "完好"})
    homes = list(Home.select(Home.id, Home.room_code).where(Home.state.in_(("已入住", "出租", "装修中")))
                 .order_by(Home.id).limit(50))
    if len(homes) < LOANS_OPEN:
        return
    picks = rng.sample(homes, LOANS_OPEN)
    clock = ctx.clock
    saved = clock.fixed
    now = clock.now()
    id17 = "14010519620415123"
    try:
        clock.fixed = now - dt.timedelta(days=6)
        loans.lend(ctx, {"item_id": items["轮椅"].id, "room_code": picks[0].room_code, "borrower_name": "高秀兰",
                         "phone": "13935101234", "id_type": "身份证", "id_number": id17 + id_check_char(id17),
                         "condition_out": "完好，刹车正常", "borrower_signed": True})      # overdue
        clock.fixed = now - dt.timedelta(hours=3)
        loans.lend(ctx, {"item_id": items["人字梯"].id, "room_code": picks[1].room_code, "borrower_name": "马建国",
                         "phone": "13703519876", "condition_out": "完好", "borrower_signed": True})
        loans.lend(ctx, {"item_id": items["雨伞"].id, "quantity": 2, "room_code": picks[2].room_code,
                         "borrower_name": "林晓", "phone": "15835104321", "condition_out": "完好",
                         "borrower_signed": True})
        ln = loans.lend(ctx, {"item_id": items["工具箱"].id, "room_code": picks[3].room_code,
                              "borrower_name": "吴刚", "phone": "13513517788", "condition_out": "工具齐全",
                              "borrower_signed": True, "deposit_fen": 5000})
        clock.fixed = now - dt.timedelta(hours=1)
        loans.return_loan(ctx, ln.id, {"condition_in": "完好", "received_by": "李娜"})
    finally:
        clock.fixed = saved
