"""Issue 20: the paths that must stay flat as the history grows — the streaming Excel writer, the
payment's arrears flags limited to its home, the open-charge index the arrears pages read, and
the set-based readings import. Timings live in benchmarks/bench_scale.py; these tests hold the
behaviour (same results, same refusals) and that the indexes exist and are used."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from app.core.errors import ValidationError
from app.core.xlsx import Column, StreamingSheet, append_row
from app.ledger import arrears, billing, meters, payments
from models.db import is_sqlite
from models.ledger import Charge, MeterReading
from models.migrations import STEPS
from models.people import HomeOwner, Owner
from models.users import AuditLog
from tests.helpers.ledger import make_site


@pytest.fixture
def site(ctx, users):
    return make_site(ctx, users)


# -- Excel --------------------------------------------------------------------------------------------

def test_streaming_sheet_keeps_styles_text_and_types(tmp_path):
    path = tmp_path / "out.xlsx"
    cols = [Column("房号", 12), Column("备注", 30, wrap=True), Column("金额", 12, "0.00"), Column("日期", 12)]
    with StreamingSheet(path, "台账2026-10", cols, freeze="A3") as sheet:
        sheet.title_row("天伦庄园 台账")
        sheet.header()
        sheet.row(["5-101", "=HYPERLINK(\"http://x\")", Decimal("123.40"), dt.date(2026, 10, 5)])
        sheet.row(["5-102", "", 7, None, True, 2.5])
    assert sheet.rows == 4 and not (tmp_path / "out.xlsx.part").exists()
    ws = load_workbook(path).active
    assert ws.title == "台账2026-10" and ws.freeze_panes == "A3"
    assert ws["A1"].value == "天伦庄园 台账" and ws["A1"].font.b and ws["A1"].font.sz == 14
    assert [c.value for c in ws[2]][:4] == ["房号", "备注", "金额", "日期"] and ws["C2"].font.b
    assert ws["B3"].value.startswith("=HYPERLINK") and ws["B3"].data_type == "s"     # typed text stays text
    assert ws["B3"].alignment.wrap_text
    assert ws["C3"].value == pytest.approx(123.4) and ws["C3"].number_format == "0.00"
    assert ws["D3"].value == dt.datetime(2026, 10, 5) and ws["D3"].number_format == "yyyy-mm-dd"
    assert ws["C4"].value == 7 and ws["B4"].value is None
    assert ws["E4"].value is True and ws["F4"].value == 2.5     # a flag stays a flag, not the number 1
    assert ws.column_dimensions["B"].width >= 30


def test_streaming_sheet_leaves_nothing_when_the_export_fails(tmp_path):
    path = tmp_path / "out.xlsx"
    with pytest.raises(RuntimeError), StreamingSheet(path, "表", [Column("a")]) as sheet:
        sheet.row(["x"])
        raise RuntimeError("stop")
    assert not path.exists() and not (tmp_path / "out.xlsx.part").exists()


def test_append_row_keeps_text_and_touches_only_its_own_row(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["=1+1"])                            # a formula written on purpose, before the rows
    for n in range(300):
        append_row(ws, [f"={n}", n])
    assert ws["A1"].data_type == "f"               # an earlier row is left as it was
    assert ws["A2"].value == "=0" and ws["A2"].data_type == "s" and ws["A301"].data_type == "s"
    assert ws["B301"].value == 299 and ws.max_row == 301


def test_month_ledger_export_streams_the_same_sheet(ctx, site, tmp_path):
    from app.ledger.month_ledger import export_month_ledger
    billing.run_month(ctx, "2026-10")
    result = export_month_ledger(ctx, "2026-10", tmp_path / "台账.xlsx")
    ws = load_workbook(tmp_path / "台账.xlsx").active
    assert ws.title == "台账2026-10"
    assert [c.value for c in ws[1]][:3] == ["组团", "楼栋", "房号"] and ws["A1"].font.b
    assert ws.max_row == result["rows"] + 2                      # header, rows, 合计
    last = [c.value for c in ws[ws.max_row]]
    assert last[0] == "合计" and Decimal(str(last[6])) == Decimal(result["billed_fen"]) / 100
    assert ws.cell(row=2, column=7).number_format == "0.00"


# -- arrears flags: a payment touches its home ------------------------------------------------------

def _overdue_site(ctx, site):
    ctx.clock.set(dt.datetime(2026, 10, 2, 9))
    billing.run_month(ctx, "2026-10")
    ctx.clock.set(dt.datetime(2026, 11, 23, 9))
    arrears.refresh_arrears_flags(ctx)


def _flag(home) -> bool:
    owner = HomeOwner.get(HomeOwner.home == home).owner_id
    return Owner.get_by_id(owner).arrears_flag


def test_payment_refreshes_only_its_homes_owners(ctx, site):
    _overdue_site(ctx, site)
    a, b = site["5-101"], site["5-102"]
    assert _flag(a) and _flag(b)
    # another home's flag is out of date on purpose: a payment for home a must not look at it
    Owner.update(arrears_flag=False).where(Owner.id == HomeOwner.get(HomeOwner.home == b).owner_id).execute()
    open_a = [c.id for c in Charge.select().where((Charge.home == a) & (Charge.paid_fen < Charge.amount_fen))]
    payments.pay(ctx, a.id, open_a, "cash", "业主1")
    assert not _flag(a)                  # home a paid everything: cleared
    assert not _flag(b)                  # untouched, although b is still in arrears
    assert arrears.refresh_arrears_flags(ctx) == {"set": 1, "cleared": 0}    # the site-wide run finds b
    assert _flag(b)


def test_owner_of_two_homes_stays_flagged_while_the_other_owes(ctx, site):
    _overdue_site(ctx, site)
    a, b = site["5-101"], site["5-102"]
    owner_a = HomeOwner.get(HomeOwner.home == a).owner
    HomeOwner.create(home=b, owner=owner_a, is_primary=False)       # owner of a also owns b
    open_a = [c.id for c in Charge.select().where((Charge.home == a) & (Charge.paid_fen < Charge.amount_fen))]
    payments.pay(ctx, a.id, open_a, "cash", "业主1")
    assert Owner.get_by_id(owner_a.id).arrears_flag                  # b still owes
    open_b = [c.id for c in Charge.select().where((Charge.home == b) & (Charge.paid_fen < Charge.amount_fen))]
    payments.pay(ctx, b.id, open_b, "cash", "业主2")
    assert not Owner.get_by_id(owner_a.id).arrears_flag


def test_home_arrears_matches_the_ledger(ctx, site):
    _overdue_site(ctx, site)
    fee = billing.post_charge(ctx, site["6-102"].id, "rubbish_removal", 5000, due_date=dt.date(2026, 9, 1))
    billing.post_charge(ctx, site["6-102"].id, "renovation_deposit", 300000, due_date=dt.date(2026, 9, 1))
    rows = {a.room_code: a for a in arrears.home_arrears(ctx)}
    for room, a in rows.items():
        owed = [c for c in Charge.select().where((Charge.home == site[room]) & (Charge.paid_fen < Charge.amount_fen)
                                                 & Charge.category.not_in(arrears.NOT_ARREARS)
                                                 & (Charge.due_date < ctx.clock.today()))]
        assert a.owed_fen == sum(c.amount_fen - c.paid_fen for c in owed) and a.charges == len(owed)
        assert a.oldest_due == min(c.due_date for c in owed)
    assert rows["6-102"].months == 2 and rows["6-102"].oldest_due == fee.due_date   # 2026-09 one-off, 2026-10
    b6 = site["6-101"].building_id
    assert {a.room_code for a in arrears.home_arrears(ctx, building_id=b6)} == {r for r in rows if r.startswith("6-")}
    assert arrears.home_arrears(ctx, home_ids=[site["5-101"].id])[0].room_code == "5-101"


def test_open_charge_and_source_indexes_exist_and_are_used(ctx):
    db = ctx.db
    assert [v for v, _n, _f in STEPS if v in (8, 9)] == [8, 9]
    for version, _name, step in STEPS:
        if version in (8, 9):
            step(db)                                   # idempotent on a database that has them
    if is_sqlite(db):
        names = {r[0] for r in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()}
        sql, params = (Charge.select(Charge.home).where(arrears.overdue_where(dt.date(2026, 11, 23))).sql())
        plan = " ".join(str(r) for r in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall())
        assert "charge_open_due" in plan
    else:
        names = {r[0] for r in db.execute_sql("SELECT indexname FROM pg_indexes WHERE tablename = 'charge'")}
    assert {"charge_open_due", "charge_source"} <= names


# -- readings import: set-based, the same rules ---------------------------------------------------

def _sheet(tmp_path, rows, name="r.xlsx"):
    wb = Workbook()
    ws = wb.active
    ws.append(["房号", "表类", "读数", "抄表日期", "新表"])
    for r in rows:
        ws.append(list(r))
    wb.save(tmp_path / name)
    return tmp_path / name


def test_import_readings_checks_against_stored_and_earlier_rows(ctx, site, tmp_path):
    meters.record_reading(ctx, site["5-101"].id, "water", "100", dt.date(2026, 10, 1))
    meters.record_reading(ctx, site["5-101"].id, "water", "300", dt.date(2026, 11, 20))
    n0 = AuditLog.select().count()
    path = _sheet(tmp_path, [("5-101", "水", "150", "2026-11-01", ""), ("5-102", "电", "20", "2026-11-01", ""),
                             ("5-102", "电", "25", "2026-11-10", ""), ("5-102", "电", "3", "2026-11-12", "是")])
    assert meters.import_readings(ctx, path) == 4
    water = [r.reading_x100 for r in MeterReading.select().where(MeterReading.home == site["5-101"])
             .order_by(MeterReading.reading_date)]
    assert water == [10000, 15000, 30000]
    assert AuditLog.select().count() == n0 + 1            # one audited import, every reading listed in it
    # below the previous reading (stored), above a later one, a duplicate, an earlier row of the file
    for rows, where, words in [
            ([("5-101", "水", "90", "2026-10-15", "")], "第2行", "不能小于上次读数 100.00"),
            ([("5-101", "水", "350", "2026-11-05", "")], "第2行", "不能大于之后的读数 300.00"),
            ([("5-102", "电", "30", "2026-11-10", "")], "第2行", "已有电表读数"),
            ([("6-101", "燃气", "50", "2026-11-01", ""), ("6-101", "燃气", "40", "2026-11-05", "")], "第3行",
             "不能小于上次读数 50.00"),
            ([("5-101", "水", "abc", "2026-11-05", "")], "第2行", "不是有效的数字"),
            ([("9-999", "水", "1", "2026-11-05", "")], "第2行", "“9-999”不存在")]:
        before = MeterReading.select().count()
        with pytest.raises(ValidationError) as err:
            meters.import_readings(ctx, _sheet(tmp_path, rows, "bad.xlsx"))
        assert err.value.field == where and words in err.value.problem, (rows, err.value)
        assert MeterReading.select().count() == before                     # all rows or none


def test_import_readings_refuses_a_billed_month_and_the_first_bad_row_is_named(ctx, site, tmp_path):
    meters.record_reading(ctx, site["5-101"].id, "water", "100", dt.date(2026, 9, 1))
    meters.record_reading(ctx, site["5-101"].id, "water", "120", dt.date(2026, 10, 1))
    billing.run_month(ctx, "2026-10")
    path = _sheet(tmp_path, [("5-102", "水", "5", "2026-11-01", ""), ("5-101", "水", "130", "2026-10-20", ""),
                             ("5-102", "水", "x", "2026-11-02", "")])
    with pytest.raises(ValidationError) as err:
        meters.import_readings(ctx, path)
    assert err.value.field == "第3行" and "已计费至 2026-10" in err.value.problem


def test_import_readings_finds_a_meters_reading_from_long_ago(ctx, site, tmp_path):
    meters.record_reading(ctx, site["5-101"].id, "gas", "500", dt.date(2024, 1, 5))    # before the window
    with pytest.raises(ValidationError) as err:
        meters.import_readings(ctx, _sheet(tmp_path, [("5-101", "燃气", "400", "2026-11-01", "")]))
    assert "不能小于上次读数 500.00（2024-01-05）" in err.value.problem
    assert meters.import_readings(ctx, _sheet(tmp_path, [("5-101", "燃气", "600", "2026-11-01", "")])) == 1


# -- metered lines: the period's readings and each meter's last one before ------------------------

def test_metered_lines_use_the_last_reading_before_the_period_only(ctx, site):
    a, b = site["5-101"].id, site["5-102"].id
    for month, value in ((6, "100"), (7, "130"), (8, "170"), (9, "200")):
        meters.record_reading(ctx, a, "water", value, dt.date(2026, month, 28))
    meters.record_reading(ctx, a, "water", "220", dt.date(2026, 10, 10))            # old meter's end
    meters.record_reading(ctx, a, "water", "0", dt.date(2026, 10, 10), new_meter=True)
    meters.record_reading(ctx, a, "water", "15", dt.date(2026, 10, 28))
    meters.record_reading(ctx, b, "power", "50", dt.date(2026, 10, 3))               # first reading ever
    meters.record_reading(ctx, b, "power", "80", dt.date(2026, 10, 30))
    meters.record_reading(ctx, b, "gas", "10", dt.date(2026, 9, 1))                  # nothing in October
    lines = {(x["home_id"], x["item_code"]): x["quantity"] for x in billing.metered_lines(ctx, "2026-10")}
    assert lines == {(a, "water"): Decimal("35"), (b, "power"): Decimal("30")}      # 200→220 + 0→15; 50→80
    assert {(x["home_id"], x["item_code"]) for x in billing.metered_lines(ctx, "2026-09")} == {(a, "water")}


def test_audit_action_and_entity_indexes_exist_and_the_tie_uses_them(ctx):
    """Schema step 18: check's tie reads the ledger's audit rows by action and the waives by entity
    through indexes, not the whole log; the step is idempotent on a database that has them."""
    from app.ledger import checks as ledger_checks
    from models.users import AuditLog
    db = ctx.db
    step = next(s for v, _n, s in STEPS if v == 18)
    step(db)
    if is_sqlite(db):
        names = {r[0] for r in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()}
        for query, index in ((AuditLog.select(AuditLog.seq).where(AuditLog.action == "ledger.pay"), "audit_log_action"),
                             (AuditLog.select(AuditLog.seq).where(AuditLog.entity == "charge"), "audit_log_entity")):
            sql, params = query.sql()
            plan = " ".join(str(r) for r in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall())
            assert index in plan
    else:
        names = {r[0] for r in db.execute_sql("SELECT indexname FROM pg_indexes WHERE tablename = 'audit_log'")}
    assert {"audit_log_action", "audit_log_entity"} <= names
    assert ledger_checks.audit_tie(ctx) == []
