"""The per-home, per-item balance (charge_balance, issue 20) kept by triggers on charge: after every
kind of write (bills, payments, voids, reductions, waivers, deposit refunds, bulk imports, set-based
updates, moved and deleted charges) it equals the open charges, and the arrears readers give what the
old scan of the open charges gave (the oracle below is that scan). Runs on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from app.core.errors import StateError, ValidationError
from app.demo import ledger as demo_ledger
from app.demo import sites as demo
from app.ledger import arrears, balances, checks, payments, reductions
from app.ledger.billing import post_charge
from models.balances import ChargeBalance, ChargeMonth
from models.ledger import Charge, Receipt
from models.people import HomeOwner, Owner
from models.property import Building, Cluster, Entrance, Home

AS_OF = (dt.date(2026, 9, 1), dt.date(2026, 10, 31), dt.date(2026, 11, 1), dt.date(2026, 11, 6),
         dt.date(2026, 11, 23), dt.date(2026, 12, 31), dt.date(2027, 3, 1))


def oracle(as_of: dt.date, home_ids=None) -> dict[int, tuple[int, int, dt.date]]:
    """The old way: every overdue open charge read and summed per home."""
    acc: dict[int, list] = {}
    q = Charge.select(Charge.home, Charge.amount_fen - Charge.paid_fen, Charge.due_date).where(
        arrears.overdue_where(as_of))
    for hid, owed, due_value in q.tuples():
        if home_ids is not None and hid not in home_ids:
            continue
        due = balances._date(due_value)
        a = acc.setdefault(hid, [0, 0, due])
        a[0] += int(owed)
        a[1] += 1
        a[2] = min(a[2], due)
    return {h: tuple(v) for h, v in acc.items()}


def oracle_homes(as_of: dt.date) -> dict[int, tuple]:
    """The old home_arrears figures: {home: (owed, charges, months, oldest due)} from the open charges."""
    acc: dict[int, list] = {}
    for hid, owed, period, due_value in arrears.open_overdue(as_of):
        due = balances._date(due_value)
        a = acc.setdefault(hid, [0, 0, set(), due])
        a[0] += int(owed)
        a[1] += 1
        a[2].add(period or f"{due.year:04d}-{due.month:02d}")
        a[3] = min(a[3], due)
    return {h: (o, n, len(m), d) for h, (o, n, m, d) in acc.items()}


def oracle_ageing(as_of: dt.date) -> list[dict]:
    out = [{"label": label, "homes": 0, "owed_fen": 0} for _lo, _hi, label in arrears.AGEING_BUCKETS]
    for owed, _n, months, _d in oracle_homes(as_of).values():
        for i, (lo, hi, _label) in enumerate(arrears.AGEING_BUCKETS):
            if lo <= max(months, 1) <= hi:
                out[i]["homes"] += 1
                out[i]["owed_fen"] += owed
                break
    return out


def oracle_flags(as_of: dt.date) -> dict[int, bool]:
    owing = set(oracle(as_of))
    held = {}
    current = HomeOwner.select(HomeOwner.owner, HomeOwner.home).where(HomeOwner.until.is_null())
    for oid, hid in current.tuples():
        held[oid] = held.get(oid, False) or hid in owing
    return {oid: held.get(oid, False) for (oid,) in Owner.select(Owner.id).tuples()}


def oracle_summary(ctx, by: str, as_of: dt.date) -> list[dict]:
    rows = oracle_homes(as_of)
    info = arrears._home_info(list(rows))
    key = {"area_manager": lambda i: i[3] or "（未指定）", "building": lambda i: i[1], "cluster": lambda i: i[2]}[by]
    groups: dict[str, dict] = {}
    for hid, (owed, n, _m, _d) in rows.items():
        name = key(info[hid])
        g = groups.setdefault(name, {"name": name, "homes": 0, "owed_fen": 0, "charges": 0})
        g["homes"] += 1
        g["owed_fen"] += owed
        g["charges"] += n
    return sorted(groups.values(), key=lambda g: (-g["owed_fen"], g["name"]))


def _listed(rows) -> dict[int, tuple]:
    return {a.home_id: (a.owed_fen, a.charges, a.months, a.oldest_due) for a in rows}


def assert_same(ctx, dates=AS_OF, summaries: bool = True) -> int:
    """The balance is exact and every reader agrees with the oracle; returns the homes compared."""
    assert balances.mismatches() == []
    seen = 0
    for as_of in dates:
        want = oracle(as_of)
        assert balances.overdue_by_home(as_of) == want, as_of
        assert balances.owing_homes(as_of) == set(want)
        some = sorted(want)[::2]
        assert balances.overdue_by_home(as_of, some) == {h: want[h] for h in some}
        assert balances.owing_homes(as_of, some + [10 ** 6]) == set(some)
        homes = oracle_homes(as_of)
        assert _listed(arrears.home_arrears(ctx, as_of)) == homes
        assert balances.months_owed(as_of) == {h: v[2] for h, v in homes.items()}
        assert balances.months_owed(as_of, some) == {h: homes[h][2] for h in some}
        if summaries:
            first = Building.select().order_by(Building.id).first()
            inside = {h.id for h in Home.select().where(Home.building == first.id)}
            assert _listed(arrears.home_arrears(ctx, as_of, building_id=first.id)) == {
                h: v for h, v in homes.items() if h in inside}
            assert arrears.ageing(ctx, as_of) == oracle_ageing(as_of)
            for by in ("area_manager", "building", "cluster"):
                got = sorted(arrears.summary_by(ctx, by, as_of), key=lambda g: (-g["owed_fen"], g["name"]))
                assert got == oracle_summary(ctx, by, as_of)
        seen += len(want)
    return seen


def test_demo_site_balance_equals_the_open_charges(ctx):
    demo.build_site(ctx, "tianlun", seed=3, extensions=False)
    demo_ledger.populate(ctx, random.Random(5))
    assert ChargeBalance.select().count() > 0
    assert assert_same(ctx) > 0
    arrears.refresh_arrears_flags(ctx)
    assert {o.id: o.arrears_flag for o in Owner.select()} == oracle_flags(ctx.clock.today())
    assert checks.run(ctx) == []


@pytest.fixture
def site(ctx, users):
    c = Cluster.create(code="A", name="东区")
    homes = []
    for bcode in ("1", "2"):
        b = Building.create(cluster=c, code=bcode, name=f"{bcode}号楼", area_manager=users["area_manager"])
        e = Entrance.create(building=b, code="1")
        for room in ("101", "102", "201"):
            h = Home.create(entrance=e, building=b, cluster=c, room_code=f"{bcode}-{room}", area_x100=9000,
                            house_type="高层", state="已入住")
            o = Owner.create(name=f"业主{bcode}{room}", phone="13600002222")
            HomeOwner.create(home=h, owner=o)
            homes.append(h.id)
    shared = Owner.create(name="两套房业主", phone="13600003333")       # one owner of two homes
    HomeOwner.create(home=homes[0], owner=shared)
    HomeOwner.create(home=homes[4], owner=shared)
    return homes


ITEMS = ("property_fee", "water", "parking_above", "rubbish_removal", "renovation_deposit", "pass_deposit")


def _due(rng) -> dt.date | None:
    return None if rng.random() < 0.08 else dt.date(2026, 8, 1) + dt.timedelta(days=rng.randrange(180))


def _open(rng, homes, *, deposits=False):
    q = Charge.select().where(Charge.paid_fen < Charge.amount_fen)
    if not deposits:
        q = q.where(Charge.category != "deposit")
    rows = list(q.order_by(Charge.id))
    return rng.choice(rows) if rows else None


def _step(ctx, rng, homes, n: int) -> str:  # noqa: PLR0911, PLR0912 - one branch per kind of write
    kind = rng.choice(("bill", "bill", "bill", "bill", "pay", "pay", "part", "void", "reduce", "waive", "refund",
                       "import", "bulk_paid", "move", "redate", "delete", "recategorise"))
    if kind == "bill":
        item = rng.choice(ITEMS)
        month = rng.choice(("2026-08", "2026-09", "2026-10", "2026-11", "2026-12", None))
        post_charge(ctx, rng.choice(homes), item, rng.randrange(100, 50000), period=month, due_date=_due(rng))
    elif kind in ("pay", "part"):
        c = _open(rng, homes, deposits=True)
        if c is None:
            return kind
        left = c.amount_fen - c.paid_fen
        amounts = {c.id: rng.randrange(1, left + 1)} if kind == "part" and left > 1 else None
        payments.pay(ctx, c.home_id, [c.id], "cash", "业主", amounts=amounts)
    elif kind == "void":
        valid = list(Receipt.select().where((Receipt.status == "valid") & (Receipt.kind == "receipt")))
        if valid:
            payments.void_receipt(ctx, rng.choice(valid).id, "收错了")
    elif kind == "reduce":
        c = _open(rng, homes)
        if c is not None and c.paid_fen == 0:
            reductions.propose(ctx, c.id, "percent", str(rng.choice((10, 50, 100))), "困难减免", approve=True)
    elif kind == "waive":
        c = _open(rng, homes)
        if c is not None:
            with ctx.db.atomic():
                payments.waive(ctx, c.id, "放弃收取")
    elif kind == "refund":
        paid = list(Charge.select().where((Charge.category == "deposit") & (Charge.paid_fen == Charge.amount_fen)
                                          & (Charge.refunded_fen < Charge.paid_fen) & (Charge.source == "")
                                          & Charge.item_code.in_(["renovation_deposit", "pass_deposit"])))
        if paid:
            c = rng.choice(paid)
            payments.refund(ctx, c.home_id, c.item_code, c.paid_fen - c.refunded_fen, "退还押金")
    elif kind == "import":                          # a bulk insert in the shape the imports write
        rows = [{"home": rng.choice(homes), "item_code": item, "category": cat, "period": "2026-07",
                 "bill_period": None, "bill_ref": f"IMP{n}-{i}", "amount_fen": rng.randrange(100, 9000),
                 "paid_fen": rng.choice((0, 0, 50)), "due_date": _due(rng), "source": "import"}
                for i, (item, cat) in enumerate((("property_fee", "periodic"), ("water", "metered"),
                                                 ("pass_deposit", "deposit")))]
        Charge.insert_many(rows).execute()
    elif kind == "bulk_paid":                       # a set-based update of many charges at once
        h = rng.choice(homes)
        Charge.update(paid_fen=Charge.amount_fen).where((Charge.home == h) & (Charge.source == "import")).execute()
    elif kind == "move":
        c = _open(rng, homes)
        if c is not None:
            Charge.update(home=rng.choice(homes), item_code=rng.choice(ITEMS[:4]),
                          bill_ref=f"MV{n}").where(Charge.id == c.id).execute()
    elif kind == "redate":
        c = _open(rng, homes)
        if c is not None:
            Charge.update(due_date=_due(rng), amount_fen=c.amount_fen + rng.randrange(-50, 500)).where(
                Charge.id == c.id).execute()
    elif kind == "delete":                          # never done by the app; the trigger still holds
        c = _open(rng, homes)
        if c is not None and c.paid_fen == 0 and not c.payments.count():
            ctx.db.execute_sql("DELETE FROM charge WHERE id = " + ctx.db.param, (c.id,))
    elif kind == "recategorise":
        c = _open(rng, homes, deposits=True)
        if c is not None:
            Charge.update(category="deposit" if c.category != "deposit" else "one_off").where(
                Charge.id == c.id).execute()
    return kind


def test_random_writes_keep_the_balance_exact(ctx, site):
    rng = random.Random(20)
    done, seen = [], 0
    for n in range(160):
        try:
            with ctx.db.atomic():
                done.append(_step(ctx, rng, site, n))
        except (StateError, ValidationError):      # a refusal (a refunded deposit's receipt …) rolls back
            done.append("refused")
        if n % 7 == 6:
            seen += assert_same(ctx, dates=AS_OF[2:5], summaries=n % 21 == 20)
    assert {"bill", "pay", "part", "void", "reduce", "waive", "refund", "import", "move", "delete"} <= set(done)
    assert seen > 50 and assert_same(ctx) > 0
    arrears.refresh_arrears_flags(ctx)
    assert {o.id: o.arrears_flag for o in Owner.select()} == oracle_flags(ctx.clock.today())
    for h in site:                                   # a payment's own refresh, home by home
        arrears.refresh_arrears_flags(ctx, dt.date(2026, 10, 1), home_ids=[h])
    assert {o.id: o.arrears_flag for o in Owner.select()} == oracle_flags(dt.date(2026, 10, 1))


def test_a_rolled_back_write_leaves_the_balance_as_it_was(ctx, site):
    c = post_charge(ctx, site[0], "property_fee", 10000, period="2026-10", due_date=dt.date(2026, 10, 31))
    before = list(ChargeBalance.select().tuples())
    with pytest.raises(RuntimeError), ctx.db.atomic():
        payments.pay(ctx, site[0], [c.id], "cash", "业主")
        raise RuntimeError("断电")
    assert list(ChargeBalance.select().tuples()) == before
    assert balances.mismatches() == []


def test_check_finds_a_tampered_row_and_repair_rebuilds_it(ctx, site):
    post_charge(ctx, site[0], "property_fee", 10000, period="2026-10", due_date=dt.date(2026, 10, 31))
    post_charge(ctx, site[1], "water", 2300, period="2026-10", due_date=dt.date(2026, 11, 10))
    assert checks.run(ctx) == []
    ChargeBalance.update(owed_fen=ChargeBalance.owed_fen - 100).where(ChargeBalance.home_id == site[0]).execute()
    ChargeBalance.delete().where(ChargeBalance.home_id == site[1]).execute()
    ChargeMonth.delete().where(ChargeMonth.home_id == site[1]).execute()
    ChargeBalance.insert(home_id=site[2], item_code="gas", owed_fen=5, open_count=1,
                         oldest_due=dt.date(2026, 1, 1), newest_due=dt.date(2026, 1, 1)).execute()
    problems = [p for p in checks.run(ctx) if p.startswith("欠费余额表与费用不符")]
    assert len(problems) == 1
    assert "property_fee 记为欠 9900 分 1 笔，应为欠 10000 分 1 笔（2026-10-31 至 2026-10-31）" in problems[0]
    assert "water 无记录，应为欠 2300 分 1 笔" in problems[0]
    assert "gas 记为欠 5 分 1 笔，应无记录" in problems[0]
    assert f"房屋{site[1]} 2026-10月 无记录，应为 1 笔（最早 2026-11-10 到期）" in problems[0]
    assert balances.repair(ctx) == 2
    assert checks.run(ctx) == []


def test_step_16_fills_the_balance_of_an_old_database(ctx, site):
    """A database from before step 16: no table, no triggers; the step builds both from the charges."""
    from models import migrations
    from models.balances import install
    post_charge(ctx, site[0], "property_fee", 10000, period="2026-10", due_date=dt.date(2026, 10, 31))
    post_charge(ctx, site[0], "renovation_deposit", 300000, due_date=dt.date(2026, 10, 1))
    post_charge(ctx, site[3], "water", 777, period="2026-11", due_date=dt.date(2026, 12, 5))
    ctx.db.drop_tables([ChargeBalance, ChargeMonth])
    assert migrations.CURRENT_VERSION >= 16 and [s for s in migrations.STEPS if s[0] == 16]
    install(ctx.db)                                  # what step 16 runs
    assert {(h, i, o, n) for h, i, o, n, _a, _b in ChargeBalance.select().tuples()} == {
        (site[0], "property_fee", 10000, 1), (site[3], "water", 777, 1)}
    install(ctx.db)                                  # idempotent: triggers kept, rows rebuilt
    post_charge(ctx, site[3], "water", 1000, period="2026-12", due_date=dt.date(2027, 1, 5))
    assert balances.mismatches() == []
    assert ChargeBalance.get(home_id=site[3]).open_count == 2
    assert {(r.month, r.open_count) for r in ChargeMonth.select().where(ChargeMonth.home_id == site[3])} == {
        ("2026-11", 1), ("2026-12", 1)}
