"""Demo rows of the fee ledger: charge items and standards, bicycle/cable-TV subscriptions,
meter readings, the last three months billed, most of it paid (receipts with unbroken numbers),
some households in arrears, and the move-in prepayment of recently moved-in homes."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

BILL_MONTHS = 3          # months billed before the current one
READING_HOMES = 200      # homes with meter readings (keeps the demo quick)
PAID_SHARE = 0.88        # share of homes that paid everything
PART_PAID_SHARE = 0.03   # share of a month's bills paid only in part
BICYCLE_SHARE = 0.15     # share of homes that park bicycles
CABLE_TV_SHARE = 0.4     # share of homes with cable TV
GAS_METER_SWAP = 0.05    # share of sampled homes whose gas meter was replaced
PREPAY_DAYS = 60         # homes moved in within these days prepaid a year at the desk


def _acting(ctx):
    from app.core.permissions import allowed
    from models.users import User
    if ctx.user is not None and allowed(getattr(ctx.user, "role", None), "ledger.void"):
        return ctx
    user = User.select().where((User.role == "manager") & (User.active == True)).first()  # noqa: E712
    return ctx.with_user(user or SimpleNamespace(id=None, username="demo", display_name="演示数据", role="manager"))


def _months_back(today: dt.date, n: int) -> list[str]:
    from app.core.dates import add_period_months, period_of
    cur = period_of(today)
    return [add_period_months(cur, -k) for k in range(n, 0, -1)]


def populate(ctx, rng):
    from app.ledger import billing, charge_items, payments, prepayment
    from models.ledger import Charge, MeterReading, Subscription
    from models.property import Home
    ctx = _acting(ctx)
    if Charge.select().exists():
        return
    charge_items.sync_items(ctx)
    today = ctx.clock.today()
    months = _months_back(today, BILL_MONTHS)
    homes = list(Home.select(Home.id, Home.house_type, Home.state, Home.move_in_date)
                 .where(Home.state.in_(("已入住", "出租", "装修中"))).order_by(Home.id))
    with ctx.db.atomic():
        # subscriptions: bicycle parking and cable TV
        subs = []
        for h in homes:
            if rng.random() < BICYCLE_SHARE:
                subs.append({"home": h.id, "item_code": "bicycle", "count": rng.choice((1, 1, 2)),
                             "start_period": months[0]})
            if rng.random() < CABLE_TV_SHARE:
                subs.append({"home": h.id, "item_code": "cable_tv", "count": 1, "start_period": months[0]})
        for i in range(0, len(subs), 500):
            Subscription.insert_many(subs[i:i + 500]).execute()
        # meter readings at each month end (the reading before the first billed month included)
        readings = []
        sample = rng.sample(homes, min(READING_HOMES, len(homes)))
        from app.core.dates import period_bounds
        ends = [period_bounds(m)[0] - dt.timedelta(days=1) for m in months] + [period_bounds(months[-1])[1]]
        for h in sample:
            values = {"water": rng.randint(100, 900) * 100, "power": rng.randint(1000, 9000) * 100,
                      "gas": rng.randint(100, 2000) * 100}
            replaced_gas = rng.random() < GAS_METER_SWAP
            for k, day in enumerate(ends):
                for kind in ("water", "power", "gas"):
                    if k:
                        values[kind] += {"water": rng.randint(500, 2500), "power": rng.randint(8000, 40000),
                                         "gas": rng.randint(1500, 9000)}[kind]
                    readings.append({"home": h.id, "kind": kind, "reading_date": day, "reading_x100": values[kind],
                                     "new_meter": False, "note": "", "created_at": ctx.clock.now(),
                                     "created_by": getattr(ctx.user, "id", None)})
                if replaced_gas and k == 1:   # a gas meter replaced mid-period: new meter starts at 0
                    readings.append({"home": h.id, "kind": "gas", "reading_date": day, "reading_x100": 0,
                                     "new_meter": True, "note": "换表，新表起始读数", "created_at": ctx.clock.now(),
                                     "created_by": getattr(ctx.user, "id", None)})
                    values["gas"] = 0
        for i in range(0, len(readings), 500):
            MeterReading.insert_many(readings[i:i + 500]).execute()
        from app.core.audit import record
        record(ctx, "ledger.demo_readings", "meter_reading", "", None, {"readings": len(readings)})
    for m in months:
        billing.run_month(ctx, m)
    _pay_demo(ctx, rng, months)
    # recent move-ins prepaid a year of property fee at the desk
    recent = [h for h in homes if h.move_in_date and (today - h.move_in_date).days <= PREPAY_DAYS][:20]
    for h in recent:
        pre = prepayment.prepay_property_fee(ctx, h.id)
        payments.pay(ctx, h.id, [pre.id], rng.choice(("cash", "card")), payments.primary_owner_name(h.id) or "业主")
    from app.ledger.arrears import refresh_arrears_flags
    refresh_arrears_flags(ctx)


def _pay_demo(ctx, rng, months):
    """Most homes paid each month's bills on one receipt; a few paid part; the rest owe.
    Written in bulk (one reserved block of receipt numbers) but with the same invariants as
    payments.pay: unbroken numbers, one line per charge, Charge.paid_fen = sum of its lines."""
    from peewee import fn

    from app.core import audit
    from app.core.sequences import format_number
    from models.ledger import Charge, Payment, Receipt
    from models.system import Sequence
    open_rows = (Charge.select(Charge.id, Charge.home, Charge.item_code, Charge.period, Charge.amount_fen,
                               Charge.paid_fen)
                 .where(Charge.bill_period.in_(months) & (Charge.paid_fen < Charge.amount_fen))
                 .order_by(Charge.period, Charge.home, Charge.id).tuples())
    by_home_month: dict[tuple, list] = {}
    for cid, hid, code, period, amount, paid in open_rows:
        by_home_month.setdefault((period, hid), []).append((cid, code, amount - paid))
    owing = {hid for hid in sorted({h for (_p, h) in by_home_month}) if rng.random() > PAID_SHARE}
    plans = []
    for (period, hid), owed_lines in by_home_month.items():
        if hid in owing and period in months[-2:]:
            continue   # these homes stopped paying two months ago
        lines = owed_lines
        if rng.random() < PART_PAID_SHARE:
            lines = [(cid, code, amt // 2) for cid, code, amt in owed_lines[:1]]   # a part-payment
        plans.append((period, hid, lines))
    if not plans:
        return
    now = ctx.clock.now()
    year = now.year
    uid = getattr(ctx.user, "id", None)
    cashier = getattr(ctx.user, "display_name", "") or "演示数据"
    from models.people import HomeOwner, Owner
    names = {}
    for hid, name in (HomeOwner.select(HomeOwner.home, Owner.name).join(Owner).where(HomeOwner.until.is_null())
                      .order_by(HomeOwner.home, HomeOwner.is_primary.desc(), HomeOwner.id).tuples()):
        names.setdefault(hid, name)
    with ctx.db.atomic():
        last_id = Payment.select(fn.COALESCE(fn.MAX(Payment.id), 0)).scalar() or 0
        seq_row, _ = Sequence.get_or_create(name="receipt", year=year, defaults={"last": 0})
        first = seq_row.last + 1
        Sequence.update(last=Sequence.last + len(plans)).where(Sequence.id == seq_row.id).execute()
        receipts = []
        per_period: dict[str, int] = {}
        for period, _h, _l in plans:
            per_period[period] = per_period.get(period, 0) + 1
        seen: dict[str, int] = {}
        for k, (period, hid, lines) in enumerate(plans):
            y, m = (int(x) for x in period.split("-"))
            i = seen[period] = seen.get(period, -1) + 1
            # spread over the 5th to the 25th, 09:00–17:00, in number order
            minutes = i * (20 * 8 * 60) // max(per_period[period], 1)
            day, rest = divmod(minutes, 8 * 60)
            issued = dt.datetime(y, m, 5 + day, 9 + rest // 60, rest % 60)
            number = format_number(ctx.settings.get("billing.receipt_prefix"), year, first + k)
            receipts.append({"number": number, "kind": "receipt", "year": year, "seq": first + k, "home": hid,
                             "payer": names.get(hid, "业主"),
                             "method": rng.choice(("cash", "card", "cash")), "reference": "",
                             "total_fen": sum(a for _c, _code, a in lines), "cashier": uid, "cashier_name": cashier,
                             "issued_at": issued, "status": "valid", "void_reason": "", "reprint_count": 0,
                             "memo": "", "voided_by": None, "voided_at": None})
        _executemany(ctx, "receipt", receipts)
        ids = dict(Receipt.select(Receipt.seq, Receipt.id).where((Receipt.kind == "receipt") & (Receipt.year == year)
                                                                   & (Receipt.seq >= first)).tuples())
        pay_rows = []
        for k, (_period, hid, lines) in enumerate(plans):
            r = receipts[k]
            for cid, code, amt in lines:
                pay_rows.append({"receipt": ids[first + k], "charge": cid, "home": hid, "item_code": code,
                                 "kind": "pay", "method": r["method"], "amount_fen": amt, "reason": "", "source": "",
                                 "source_id": None, "created_at": r["issued_at"], "created_by": uid})
        _executemany(ctx, "payment", pay_rows)
        p = ctx.db.param
        ctx.db.execute_sql(
            f"UPDATE charge SET paid_fen = paid_fen + (SELECT SUM(x.amount_fen) FROM payment x"
            f" WHERE x.charge_id = charge.id AND x.id > {p}) WHERE id IN (SELECT y.charge_id FROM payment y"
            f" WHERE y.id > {p})", [last_id, last_id])
        audit.record(ctx, "ledger.demo_payments", "receipt", "", None,
                     {"receipts": len(plans), "from": first, "to": first + len(plans) - 1})


def _executemany(ctx, table: str, rows: list[dict]):
    """Raw bulk insert (the ORM's SQL generation is the slow part for thousands of rows)."""
    if not rows:
        return
    fk = {"home", "charge", "receipt", "cashier", "created_by", "voided_by"}
    cols = list(rows[0])
    names = ", ".join(f"{c}_id" if c in fk else c for c in cols)
    p = ctx.db.param
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join([p] * len(cols))})"

    def conv(v):
        if isinstance(v, dt.datetime):
            return v.strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(v, dt.date):
            return v.isoformat()
        return v
    ctx.db.cursor().executemany(sql, [tuple(conv(r[c]) for c in cols) for r in rows])
