"""A site with years of history for the scale benchmarks (issue 20), cached on disk.

    .venv/bin/python benchmarks/gen_history.py [--homes 5000] [--years 5] [--force]

The homes and owners come from ``app.demo.sites.build_large``; every month of the history is then
built as an office lives it, oldest first, the clock set to that day:

* the 1st: meter readings of the month (one meter a home for three homes in four: water, power or
  gas), bulk-inserted in the shape ``record_reading`` writes, each with its audit row;
* the 2nd: the monthly billing run through the service (``billing.run_month``: property fee,
  parking, metered lines);
* the 2nd–28th: payments — most homes pay everything open, some pay late, a few never — as
  receipts, payment lines and ``Charge.paid_fen`` in the shape ``payments.pay`` writes, one audit
  row a receipt; about 600 service requests (报事) a month with their audit rows.

Audit rows are appended to the keyed chain (``app.core.audit_chain``, as ``audit.record`` seals) and one real
``audit.record`` after each batch, which moves the counter and the chain head past them. The
finished data folder is kept under ``$PROPERTYDESK_BENCH_CACHE`` (default
``~/.cache/propertydesk-bench``) as ``h<homes>-y<years>/`` with ``summary.json`` written last;
``ensure_site`` returns it at once when it is there. Benchmarks copy it before they write.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

END = dt.datetime(2026, 11, 23, 9)          # the conftest clock: the history ends here
REQUESTS_PER_MONTH_PER_1000 = 120           # 35,861 requests in five years at 5,000 homes
NEVER_PAY, LATE_PAY, LATE_PAY_CHANCE = 0.03, 0.12, 0.45
PARKING_SHARE = 0.12
METHODS = ("cash", "cash", "card", "transfer")
CONTENTS = ("厨房水龙头漏水", "楼道灯不亮", "电梯异响", "邻居装修噪音")


def cache_root() -> Path:
    return Path(os.environ.get("PROPERTYDESK_BENCH_CACHE") or Path.home() / ".cache" / "propertydesk-bench")


def site_dir(homes: int, years: int) -> Path:
    return cache_root() / f"h{homes}-y{years}"


def months_back(years: int) -> list[str]:
    """The periods of the history, oldest first, ending with END's month."""
    from app.core.dates import add_period_months, period_of
    last = period_of(END.date())
    return [add_period_months(last, -k) for k in range(years * 12 - 1, -1, -1)]


# -- audit rows in the chain -------------------------------------------------------------------------

def append_audit(ctx, entries) -> int:
    """Append (ts, action, entity, entity_id, after) entries to the audit chain in one executemany,
    then one real audit.record that moves the counter and the head past them."""
    from app.core import audit
    from app.demo.base import batched_insert
    from models.users import AuditLog
    if not entries:
        return 0
    from app.core.audit_chain import chain_key, sealer, ts_text
    mac = sealer(chain_key(ctx)).mac   # the keyed chain, as audit.record seals a row
    user = ctx.user
    last = AuditLog.select(AuditLog.seq, AuditLog.hash).order_by(AuditLog.seq.desc()).first()
    seq, prev = (last.seq, last.hash) if last else (0, "")
    rows = []
    for ts, action, entity, entity_id, after in sorted(entries, key=lambda e: e[0]):
        seq += 1
        a = json.dumps(after, ensure_ascii=False, sort_keys=True, default=str)
        h = mac(seq, ts_text(ts), user.username, action, entity, str(entity_id), "", a, prev)
        rows.append({"ts": ts, "user": user.id, "username": user.username, "action": action, "entity": entity,
                     "entity_id": str(entity_id), "before": "", "after": a, "prev_hash": prev, "hash": h, "seq": seq})
        prev = h
    batched_insert(AuditLog, rows)
    audit.record(ctx, "demo.history", "site", "", None, {"rows": len(rows)})
    return len(rows) + 1


# -- one month ---------------------------------------------------------------------------------------

class History:
    def __init__(self, ctx, homes: list[tuple], rng: random.Random):
        self.ctx, self.rng = ctx, rng
        self.homes = homes                                   # (id, room_code)
        self.room = dict(homes)
        self.meter = {}                                      # home id -> (kind, reading_x100)
        kinds = ("water", "power", "gas")
        for i, (hid, _room) in enumerate(homes):
            if i % 4:
                self.meter[hid] = (kinds[i % 4 - 1], rng.randint(0, 50000))
        self.habit = {hid: ("never" if rng.random() < NEVER_PAY else "late" if rng.random() < LATE_PAY else "on_time")
                      for hid, _room in homes}
        self.open: dict[int, dict[int, tuple]] = {}          # home -> charge id -> (item, owed)
        self.counts = dict.fromkeys(("readings", "charges", "receipts", "payments", "requests", "audit"), 0)

    def readings(self, day: dt.date):
        from app.demo.base import batched_insert
        from models.ledger import MeterReading
        ctx = self.ctx
        at = dt.datetime.combine(day, dt.time(9))
        rows, audits = [], []
        for hid, (kind, before) in self.meter.items():
            value = before + self.rng.randint(300, 2500 if kind != "power" else 30000)
            self.meter[hid] = (kind, value)
            rows.append({"home": hid, "kind": kind, "reading_date": day, "reading_x100": value, "new_meter": False,
                         "note": "", "created_at": at, "created_by": ctx.user.id})
        batched_insert(MeterReading, rows)
        for r in rows:
            audits.append((at, "ledger.reading", "meter_reading", "", {
                "home": self.room[r["home"]], "kind": r["kind"], "reading": f"{r['reading_x100'] / 100:.2f}",
                "date": day.isoformat(), "new_meter": False}))
        self.counts["readings"] += len(rows)
        self.counts["audit"] += append_audit(ctx, audits)

    def bill(self, period: str):
        from app.ledger import billing
        from models.ledger import Charge
        last_id = Charge.select(Charge.id).order_by(Charge.id.desc()).scalar() or 0
        billing.run_month(self.ctx, period)
        q = (Charge.select(Charge.id, Charge.home, Charge.item_code, Charge.amount_fen - Charge.paid_fen)
             .where((Charge.id > last_id) & (Charge.paid_fen < Charge.amount_fen)).tuples())
        n = 0
        for cid, hid, item, owed in q:
            self.open.setdefault(hid, {})[cid] = (item, int(owed))
            n += 1
        self.counts["charges"] += n
        self.counts["audit"] += 1

    def payments(self, period: str, last_day: int):
        from app.core.sequences import format_number, reserve_numbers
        from app.demo.base import batched_insert, insert_returning_ids
        from models.ledger import Receipt
        ctx, rng = self.ctx, self.rng
        year, month = int(period[:4]), int(period[5:])
        payers = []
        for hid, charges in self.open.items():
            habit = self.habit[hid]
            if charges and (habit == "on_time" or (habit == "late" and rng.random() < LATE_PAY_CHANCE)):
                payers.append(hid)
        if not payers:
            return
        first = reserve_numbers("receipt", year, len(payers))
        prefix = ctx.settings.get("billing.receipt_prefix")
        receipts, plans = [], []
        for k, hid in enumerate(payers):
            at = dt.datetime(year, month, rng.randint(2, last_day), rng.randint(8, 17), rng.randint(0, 59))
            method = rng.choice(METHODS)
            plan = sorted(self.open.pop(hid).items())
            receipts.append({"number": format_number(prefix, year, first + k), "kind": "receipt", "year": year,
                             "seq": first + k, "home": hid, "payer": "业主", "method": method,
                             "reference": f"WX{year}{month:02d}{hid:06d}" if method == "transfer" else "",
                             "total_fen": sum(o for _i, o in (v for _c, v in plan)), "cashier": ctx.user.id,
                             "cashier_name": ctx.user.display_name, "issued_at": at})
            plans.append((hid, at, method, plan))
        receipt_ids = insert_returning_ids(Receipt, receipts)
        lines, audits, paid = [], [], []
        for rid, rec, (hid, at, method, plan) in zip(receipt_ids, receipts, plans, strict=True):
            for cid, (item, owed) in plan:
                lines.append({"receipt": rid, "charge": cid, "home": hid, "item_code": item, "kind": "pay",
                              "method": method, "amount_fen": owed, "created_at": at, "created_by": ctx.user.id})
                paid.append(cid)
            audits.append((at, "ledger.pay", "receipt", rid, {
                "number": rec["number"], "home": self.room[hid], "total_fen": rec["total_fen"], "method": method,
                "reference": rec["reference"], "lines": {cid: o for cid, (_i, o) in plan}}))
        from models.ledger import Payment
        batched_insert(Payment, lines)
        db = ctx.db
        for i in range(0, len(paid), 500):
            chunk = paid[i:i + 500]
            db.execute_sql(f"UPDATE charge SET paid_fen = amount_fen WHERE id IN ({', '.join(['%d'] * len(chunk))})"
                           % tuple(chunk))
        self.counts["receipts"] += len(receipts)
        self.counts["payments"] += len(lines)
        self.counts["audit"] += append_audit(ctx, audits)

    def requests(self, period: str, last_day: int):
        from app.demo.base import batched_insert
        from models.service import CHANNELS, KINDS, ServiceRequest
        ctx, rng = self.ctx, self.rng
        year, month = int(period[:4]), int(period[5:])
        n = max(1, len(self.homes) * REQUESTS_PER_MONTH_PER_1000 // 1000)
        from app.core.sequences import reserve_numbers
        first = reserve_numbers("service_request", year, n)
        rows, audits = [], []
        for k in range(n):
            hid, room = self.homes[rng.randrange(len(self.homes))]
            at = dt.datetime(year, month, rng.randint(1, last_day), rng.randint(8, 17), rng.randint(0, 59))
            done = at + dt.timedelta(hours=rng.randint(2, 72))
            number = f"FW{year}-{first + k:06d}"
            rows.append({"number": number, "channel": rng.choice(CHANNELS), "kind": rng.choice(KINDS), "home": hid,
                         "caller": "业主", "content": rng.choice(CONTENTS),
                         "received_at": at, "receiver": ctx.user.id, "status": "已关闭", "handler": "维修部",
                         "dispatched_at": at, "arrived_at": at, "completed_at": done, "closed_at": done,
                         "result": "已处理"})
            audits.append((at, "service.intake", "service_request", number, {"number": number, "home": room}))
        batched_insert(ServiceRequest, rows)
        self.counts["requests"] += n
        self.counts["audit"] += append_audit(ctx, audits)


def add_parking(ctx, homes: list[tuple], rng: random.Random) -> int:
    from app.demo.base import batched_insert
    from models.property import ParkingSpace
    chosen = rng.sample([h for h, _r in homes], int(len(homes) * PARKING_SHARE))
    batched_insert(ParkingSpace, [{"code": f"P{i + 1:05d}", "level": "地下" if i % 3 else "地上", "home": hid,
                                   "state": "已售"} for i, hid in enumerate(chosen)])
    return len(chosen)


def build_history(data_dir, homes: int = 5000, years: int = 5, url: str | None = None, seed: int = 11,
                  progress=print) -> dict:
    """Build the site in *data_dir* (an empty data folder). Returns the counts and timings."""
    from app.core.clock import Clock
    from app.core.dates import period_bounds
    from app.demo.sites import build_large
    from app.ledger.arrears import refresh_arrears_flags
    from app.system.context import open_context
    from models.property import Home
    from models.users import User

    started = time.perf_counter()
    clock = Clock(END)
    ctx = open_context(data_dir, url, clock=clock)
    rng = random.Random(seed)
    periods = months_back(years)
    clock.set(dt.datetime.combine(period_bounds(periods[0])[0], dt.time(8)))
    ctx.user = None
    build_large(ctx, homes)
    ctx.user = User.get(User.username == "manager")
    home_rows = list(Home.select(Home.id, Home.room_code).order_by(Home.id).tuples())
    hist = History(ctx, home_rows, rng)
    with ctx.db.atomic():
        add_parking(ctx, home_rows, rng)
    for n, period in enumerate(periods, start=1):
        first, last = period_bounds(period)
        final = period == periods[-1]
        last_day = END.day - 1 if final else min(last.day, 28)
        clock.set(dt.datetime.combine(first, dt.time(8)))
        with ctx.db.atomic():
            hist.readings(first)
        clock.set(dt.datetime.combine(first.replace(day=2), dt.time(8)))
        hist.bill(period)
        with ctx.db.atomic():
            hist.payments(period, last_day)
            hist.requests(period, last_day)
        if n % 6 == 0 or final:
            progress(f"  {period}: {hist.counts} ({time.perf_counter() - started:.0f} s)")
    clock.set(END)
    refresh_arrears_flags(ctx)
    ctx.db.execute_sql("ANALYZE")
    ctx.db.close()
    db_file = Path(data_dir) / "propertydesk.db"
    summary = {"homes": homes, "years": years, **hist.counts, "seconds": round(time.perf_counter() - started, 1),
               "mb": round(db_file.stat().st_size / 2 ** 20, 1) if db_file.exists() else None}
    return summary


def ensure_site(homes: int = 5000, years: int = 5, force: bool = False, progress=print) -> tuple[Path, dict]:
    """The cached data folder of the site (built when missing) and its summary."""
    target = site_dir(homes, years)
    done = target / "summary.json"
    if done.exists() and not force:
        summary = json.loads(done.read_text(encoding="utf-8"))
        if not summary.get("keyed"):   # built before the generator sealed with the chain's key
            progress(f"resealing the audit chain of {target} …")
            summary["resealed"] = reseal(target / "data")
            summary["keyed"] = True
            done.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
        return target / "data", summary
    if target.exists():
        shutil.rmtree(target)
    (target / "data").mkdir(parents=True)
    progress(f"building {homes} homes × {years} years in {target} …")
    summary = {**build_history(target / "data", homes, years, progress=progress), "keyed": True}
    done.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    return target / "data", summary


def reseal(data_dir: Path) -> int:
    """Seal every audit row again under the site's chain key, oldest first (a cached site whose bulk rows
    carried the old unkeyed hash); returns the rows changed."""
    from app.core.audit_chain import HEAD_KEY, chain_key, sealer, set_meta
    from app.system.context import open_context
    ctx = open_context(data_dir)
    mac, prev, changed, updates = sealer(chain_key(ctx)).mac, "", 0, []
    cur = ctx.db.execute_sql("SELECT seq, ts, username, action, entity, entity_id, before, after, prev_hash, hash"
                             " FROM audit_log ORDER BY seq")
    rows = cur.fetchall()
    from app.core.audit_chain import ts_text
    seq = 0
    for seq, ts, username, action, entity, entity_id, before, after, old_prev, old_hash in rows:
        h = mac(seq, ts_text(ts), username, action, entity, entity_id, before, after, prev)
        if h != old_hash or prev != old_prev:
            updates.append((prev, h, seq))
        prev = h
    with ctx.db.atomic():
        for i in range(0, len(updates), 5000):
            ctx.db.cursor().executemany("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?",
                                        updates[i:i + 5000])
        changed = len(updates)
        if rows:
            set_meta(HEAD_KEY, f"{seq}:{prev}")
    ctx.db.close()
    return changed


def copy_site(src: Path, dest: Path) -> Path:
    """A working copy of a cached data folder (benchmarks that write use the copy)."""
    shutil.copytree(src, dest, dirs_exist_ok=True)
    return dest


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--homes", type=int, default=5000)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--force", action="store_true")
    args = ap.parse_args(argv)
    path, summary = ensure_site(args.homes, args.years, args.force)
    print(path)
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
