"""The ledger of a month (月度台账): one row per home and charge item, on screen and as an Excel file."""
from __future__ import annotations

from decimal import Decimal

from peewee import fn

from app.core import audit
from app.core.dates import parse_period, period_str
from app.core.permissions import require
from app.ledger.charge_items import ITEMS, item_name
from app.ledger.paid_until import paid_until
from models.ledger import Charge
from models.people import HomeOwner, Owner
from models.property import Building, Cluster, Home

# the export's columns: (heading, width)
COLUMNS = (("组团", 16), ("楼栋", 10), ("房号", 10), ("业主", 16), ("收费项目", 16), ("所属月份", 10),
           ("应收（元）", 12), ("已收（元）", 12), ("欠费（元）", 12), ("已缴至", 10))


def month_ledger(ctx, period: str) -> list[dict]:
    """The ledger of a month: one row per home and charge item (charges of that period, or one-off
    charges without a period due in that month; the prepayment request is not a bill).
    Amounts in fen: billed, paid, owed; sorted by cluster, building, room, item."""
    period = period_str(*parse_period(period))
    month_expr = fn.COALESCE(Charge.period, fn.SUBSTR(Charge.due_date.cast("VARCHAR(10)"), 1, 7))
    q = (Charge.select(Charge.home, Charge.item_code, fn.SUM(Charge.amount_fen), fn.SUM(Charge.paid_fen))
         .where((month_expr == period) & (Charge.category != "prepay"))
         .group_by(Charge.home, Charge.item_code).tuples())
    agg = list(q)
    if not agg:
        return []
    home_ids = list({r[0] for r in agg})
    info = {}
    for hid, room, bname, bsort, ccode, cname in (
            Home.select(Home.id, Home.room_code, Building.name, Building.sort_order, Cluster.code, Cluster.name)
            .join(Building, on=(Home.building == Building.id)).switch(Home)
            .join(Cluster, on=(Home.cluster == Cluster.id)).where(Home.id.in_(home_ids)).tuples()):
        info[hid] = (f"{ccode}组团 {cname}", bname, room, (ccode, bsort, bname, room))
    owners: dict[int, list] = {}
    for hid, name in (HomeOwner.select(HomeOwner.home, Owner.name).join(Owner)
                      .where(HomeOwner.home.in_(home_ids) & HomeOwner.until.is_null())
                      .order_by(HomeOwner.is_primary.desc(), Owner.id).tuples()):
        owners.setdefault(hid, []).append(name)
    order = {code: i for i, code in enumerate(ITEMS)}
    # 已缴至 of periodic items: one set query per source (all homes at once beyond a page of homes)
    until = paid_until(home_ids if len(home_ids) <= 500 else None)  # noqa: PLR2004
    rows = []
    for hid, code, billed, paid in agg:
        cl, b, room, key = info[hid]
        rows.append({"home_id": hid, "cluster": cl, "building": b, "room_code": room,
                     "owner": "、".join(owners.get(hid, [])), "item_code": code, "item": item_name(code),
                     "period": period, "billed_fen": int(billed), "paid_fen": int(paid),
                     "owed_fen": int(billed) - int(paid),
                     "paid_until": until.get((hid, code), ""), "_key": (key, order.get(code, 999), code)})
    rows.sort(key=lambda r: r["_key"])
    for r in rows:
        del r["_key"]
    return rows


def export_month_ledger(ctx, period: str, path) -> dict:
    """Write the month's ledger to an Excel file (元 with two decimals, exact from fen)."""
    require(ctx, "ledger.export")
    from app.core.xlsx import Column, StreamingSheet

    rows = month_ledger(ctx, period)

    def yuan(fen):
        return Decimal(int(fen)) / 100

    totals = [0, 0, 0]
    columns = [Column(head, width, "0.00" if head.endswith("（元）") else None) for head, width in COLUMNS]
    with StreamingSheet(path, f"台账{period}", columns) as sheet:      # streamed: linear in the rows
        sheet.header()
        for r in rows:
            sheet.row([r["cluster"], r["building"], r["room_code"], r["owner"], r["item"], r["period"],
                       yuan(r["billed_fen"]), yuan(r["paid_fen"]), yuan(r["owed_fen"]), r["paid_until"]])
            totals[0] += r["billed_fen"]
            totals[1] += r["paid_fen"]
            totals[2] += r["owed_fen"]
        sheet.row(["合计", "", "", "", "", period, yuan(totals[0]), yuan(totals[1]), yuan(totals[2]), ""])
    path = sheet.path
    with ctx.db.atomic():
        audit.record(ctx, "ledger.export", "ledger", period, None, {"rows": len(rows), "file": str(path)})
    return {"rows": len(rows), "billed_fen": totals[0], "paid_fen": totals[1], "owed_fen": totals[2]}
