"""Demo rows of the fee ledger: a site in use for half a year.

Six months billed up to the demo's clock (``billing.run_month`` on the 1st of each month),
each home paying the month's bills at the desk to the site's cashier (收银员 in ``specs.STAFF``)
between the 5th and the 25th; a share of the homes stopped paying one to six months ago, so
the 催缴 board holds homes owing 1–2 months and homes owing 3 months or more. The dunning
calendar ran every month (``app/demo/ledger_dunning.py``): phone reminders, the second and the
third notices on their days; in the current month some called homes came to pay. Recent
move-ins prepaid a year. Subscriptions (bicycle, cable TV) and meter readings feed the bills.

The months' routine payments are written in bulk (a reserved block of receipt numbers per
month, the same invariants as ``payments.pay``): ``payments.pay`` costs ~30 ms a receipt, which
for 1,600 home-months of 天伦庄园 (and 7,000 of 万兴现代城) would make the demo build take
minutes. Everything else goes through the services.
"""
from __future__ import annotations

import datetime as dt

from app.demo.base import at, batched_insert

BILL_MONTHS = 6          # months billed before the current one
READING_HOMES = 200      # homes with meter readings (keeps the demo quick)
# months left unpaid (the most recent ones) and the share of homes doing so
ARREARS_MIX = ((1, 0.08), (2, 0.04), (3, 0.035), (4, 0.015), (6, 0.02))
PART_PAID_SHARE = 0.01   # share of a month's bills paid only in part
BICYCLE_SHARE = 0.15     # share of homes that park bicycles
CABLE_TV_SHARE = 0.4     # share of homes with cable TV
GAS_METER_SWAP = 0.05    # share of sampled homes whose gas meter was replaced
PREPAY_DAYS = 60         # homes moved in within these days prepaid a year at the desk
CASHIER = "zhaoli"       # the demo site's cashier (specs.STAFF)


def cashier_ctx(ctx):
    """``ctx`` acting as the demo site's cashier (a manager, else a stand-in, when missing)."""
    from app.demo.keys import acting_manager
    from models.users import User
    user = User.get_or_none((User.username == CASHIER) & (User.active == True))  # noqa: E712
    if user is None:
        user = User.select().where((User.role == "cashier") & (User.active == True)).first()  # noqa: E712
    return ctx.with_user(user) if user is not None else acting_manager(ctx)


def months_back(today: dt.date, n: int) -> list[str]:
    from app.core.dates import add_period_months, period_of
    cur = period_of(today)
    return [add_period_months(cur, -k) for k in range(n, 0, -1)]


def populate(ctx, rng):
    from app.core.dates import period_bounds
    from app.demo import ledger_dunning
    from app.ledger import billing, charge_items, payments, prepayment
    from app.ledger.arrears import refresh_arrears_flags
    from models.ledger import Charge
    from models.property import Home
    if Charge.select().where(Charge.bill_period.is_null(False)).exists():
        return   # the monthly billing has run on this site already
    ctx = cashier_ctx(ctx)
    charge_items.sync_items(ctx)
    today = ctx.clock.today()
    months = months_back(today, BILL_MONTHS)
    homes = list(Home.select(Home.id, Home.house_type, Home.state, Home.move_in_date)
                 .where(Home.state.in_(("已入住", "出租", "装修中"))).order_by(Home.id))
    _subscriptions(homes, months[0], rng)
    _readings(ctx, homes, months, rng)
    unpaid = _unpaid_months(rng)
    for k, m in enumerate(months):
        first, _last = period_bounds(m)
        billing.run_month(at(ctx, dt.datetime.combine(first, dt.time(8, 30))), m)
        if k:   # the dunning calendar for what the earlier months left unpaid
            ledger_dunning.run_month(ctx, rng, first, calls=k >= len(months) - 1)
        _pay_month(ctx, rng, m, lambda hid, k=k: unpaid(hid) < len(months) - k)
    ledger_dunning.run_month(ctx, rng, today.replace(day=1), calls=True, pays=True)
    # recent move-ins prepaid a year of property fee at the desk
    recent = [h for h in homes if h.move_in_date and (today - h.move_in_date).days <= PREPAY_DAYS][:20]
    for h in recent:
        pre = prepayment.prepay_property_fee(ctx, h.id)
        payments.pay(ctx, h.id, [pre.id], rng.choice(("cash", "card")), payments.primary_owner_name(h.id) or "业主")
    refresh_arrears_flags(ctx)


def pay_months(ctx, rng, months) -> None:
    """The desk's routine payments of *months* (bulk, as on the demo site): most homes pay each
    month's bills, the homes drawn into arrears do not."""
    unpaid = _unpaid_months(rng)
    for m in months:
        _pay_month(ctx, rng, m, lambda hid: unpaid(hid) == 0)


def _unpaid_months(rng):
    """home id → how many of the latest billed months it left unpaid (drawn once per home)."""
    drawn: dict[int, int] = {}

    def unpaid(hid: int) -> int:
        if hid not in drawn:
            x, n = rng.random(), 0
            for months, share in ARREARS_MIX:
                if x < share:
                    n = months
                    break
                x -= share
            drawn[hid] = n
        return drawn[hid]
    return unpaid


def _subscriptions(homes, start_period, rng):
    from models.ledger import Subscription
    subs = []
    for h in homes:
        if rng.random() < BICYCLE_SHARE:
            subs.append({"home": h.id, "item_code": "bicycle", "count": rng.choice((1, 1, 2)),
                         "start_period": start_period})
        if rng.random() < CABLE_TV_SHARE:
            subs.append({"home": h.id, "item_code": "cable_tv", "count": 1, "start_period": start_period})
    batched_insert(Subscription, subs)


def _readings(ctx, homes, months, rng):
    """Meter readings at each month end (the reading before the first billed month included)."""
    from app.core.audit import record
    from app.core.dates import period_bounds
    from models.ledger import MeterReading
    readings = []
    sample = rng.sample(homes, min(READING_HOMES, len(homes)))
    ends = [period_bounds(m)[0] - dt.timedelta(days=1) for m in months] + [period_bounds(months[-1])[1]]
    steps = {"water": (500, 2500), "power": (8000, 40000), "gas": (1500, 9000)}
    uid, now = getattr(ctx.user, "id", None), ctx.clock.now()
    for h in sample:
        values = {"water": rng.randint(100, 900) * 100, "power": rng.randint(1000, 9000) * 100,
                  "gas": rng.randint(100, 2000) * 100}
        replaced_gas = rng.random() < GAS_METER_SWAP
        for k, day in enumerate(ends):
            for kind in ("water", "power", "gas"):
                if k:
                    values[kind] += rng.randint(*steps[kind])
                readings.append({"home": h.id, "kind": kind, "reading_date": day, "reading_x100": values[kind],
                                 "new_meter": False, "note": "", "created_at": now, "created_by": uid})
            if replaced_gas and k == 1:   # a gas meter replaced mid-period: new meter starts at 0
                readings.append({"home": h.id, "kind": "gas", "reading_date": day, "reading_x100": 0,
                                 "new_meter": True, "note": "换表，新表起始读数", "created_at": now,
                                 "created_by": uid})
                values["gas"] = 0
    batched_insert(MeterReading, readings)
    record(ctx, "ledger.demo_readings", "meter_reading", "", None, {"readings": len(readings)})


def _pay_month(ctx, rng, period: str, pays) -> None:
    """The month's bills paid at the desk between the 5th and the 25th by the homes for which
    ``pays(home_id)``; a few pay only part. Written in bulk (one reserved block of receipt
    numbers, in date order) with the invariants of payments.pay: one line per charge,
    Charge.paid_fen = the sum of its lines."""
    from app.core import audit
    from app.core.sequences import format_number, reserve_numbers
    from models.ledger import Charge, Payment, Receipt
    rows = (Charge.select(Charge.id, Charge.home, Charge.item_code, Charge.amount_fen, Charge.paid_fen)
            .where((Charge.bill_period == period) & (Charge.paid_fen < Charge.amount_fen)
                   & Charge.category.not_in(("deposit", "prepay")))
            .order_by(Charge.home, Charge.id).tuples())
    by_home: dict[int, list] = {}
    for cid, hid, code, amount, paid in rows:
        by_home.setdefault(hid, []).append((cid, code, amount - paid))
    plans = []
    for hid, owed in by_home.items():
        if not pays(hid):
            continue
        if rng.random() < PART_PAID_SHARE:   # a part-payment
            plans.append((hid, [(cid, code, amt // 2) for cid, code, amt in owed[:1]]))
        else:
            plans.append((hid, owed))
    if not plans:
        return
    rng.shuffle(plans)   # the order they came to the desk
    y, m = (int(x) for x in period.split("-"))
    now = ctx.clock.now()
    names = owner_names()
    uid, cashier = getattr(ctx.user, "id", None), getattr(ctx.user, "display_name", "")
    first = reserve_numbers("receipt", y, len(plans))
    receipts, lines_out = [], []
    for k, (hid, lines) in enumerate(plans):
        # spread over the 5th to the 25th, 08:30–17:30, in number order (never after now)
        minutes = k * (21 * 9 * 60) // len(plans)
        day, rest = divmod(minutes, 9 * 60)
        issued = min(dt.datetime(y, m, 5 + day, 8, 30) + dt.timedelta(minutes=rest), now)
        method = rng.choice(("cash", "card", "cash", "transfer"))
        receipts.append({"number": format_number(ctx.settings.get("billing.receipt_prefix"), y, first + k),
                         "kind": "receipt", "year": y, "seq": first + k, "home": hid,
                         "payer": names.get(hid) or "业主", "method": method,
                         "reference": f"{issued:%Y%m%d}{rng.randrange(10 ** 8):08d}" if method == "transfer" else "",
                         "total_fen": sum(a for _c, _code, a in lines), "cashier": uid, "cashier_name": cashier,
                         "issued_at": issued, "memo": ""})
        lines_out.append(lines)
    with ctx.db.atomic():
        batched_insert(Receipt, receipts)
        ids = dict(Receipt.select(Receipt.seq, Receipt.id).where((Receipt.kind == "receipt") & (Receipt.year == y)
                                                                   & (Receipt.seq >= first)).tuples())
        last_id = Payment.select(Payment.id).order_by(Payment.id.desc()).scalar() or 0
        pay_rows = []
        for r, lines in zip(receipts, lines_out, strict=True):
            for cid, code, amt in lines:
                pay_rows.append({"receipt": ids[r["seq"]], "charge": cid, "home": r["home"], "item_code": code,
                                 "kind": "pay", "method": r["method"], "amount_fen": amt,
                                 "created_at": r["issued_at"], "created_by": uid})
        batched_insert(Payment, pay_rows)
        p = ctx.db.param   # one set-based UPDATE: each charge's paid amount plus its new lines
        ctx.db.execute_sql(
            f"UPDATE charge SET paid_fen = paid_fen + (SELECT SUM(x.amount_fen) FROM payment x"
            f" WHERE x.charge_id = charge.id AND x.id > {p}) WHERE id IN (SELECT y.charge_id FROM payment y"
            f" WHERE y.id > {p})", [last_id, last_id])
        audit.record(at(ctx, min(dt.datetime(y, m, 25, 18, 0), now)), "ledger.demo_payments", "receipt", "", None,
                     {"period": period, "receipts": len(plans), "from": receipts[0]["number"],
                      "to": receipts[-1]["number"]})


def owner_names() -> dict[int, str]:
    """home id → the name of its primary (else first) current owner."""
    from models.people import HomeOwner, Owner
    names: dict[int, str] = {}
    for hid, name in (HomeOwner.select(HomeOwner.home, Owner.name).join(Owner).where(HomeOwner.until.is_null())
                      .order_by(HomeOwner.home, HomeOwner.is_primary.desc(), HomeOwner.id).tuples()):
        names.setdefault(hid, name)
    return names
