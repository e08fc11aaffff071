"""Dunning calendar, phone log, second and third notices with the late fee (domain.md §7)."""
import datetime as dt
import subprocess
import sys

import pytest

from app.core.errors import PermissionDenied, ValidationError
from app.ledger import dunning
from app.ledger.billing import post_charge
from app.ledger.payments import pay
from models.ledger import DunningRecord
from models.people import HomeOwner, Owner
from models.property import Building, Cluster, Entrance, Home
from tests.helpers.pdf import pdf_pages, pdf_text


@pytest.fixture
def owing(ctx, users):
    """Three homes in two buildings; two owe property fees since October, one is paid up."""
    c = Cluster.create(code="B", name="巴黎春天")
    homes = {}
    for bcode in ("3", "7"):
        b = Building.create(cluster=c, code=bcode, name=f"{bcode}号楼", area_manager=users["area_manager"])
        e = Entrance.create(building=b, code="1")
        for room in ("101", "102"):
            code = f"{bcode}-{room}"
            homes[code] = Home.create(entrance=e, building=b, cluster=c, room_code=code, area_x100=10000,
                                      house_type="洋房", state="已入住")
            o = Owner.create(name=f"业主{code}", phone="13600001111")
            HomeOwner.create(home=homes[code], owner=o)
    for code in ("3-101", "7-102", "3-102"):
        for month, due in (("2026-10", dt.date(2026, 10, 31)), ("2026-11", dt.date(2026, 11, 5))):
            post_charge(ctx, homes[code].id, "property_fee", 17800, period=month, due_date=due)
    charges = [c.id for c in homes["3-102"].charges]
    pay(ctx, homes["3-102"].id, charges, "现金", "业主3-102")
    return homes


@pytest.mark.parametrize("day,stage", [(1, 0), (5, 0), (6, 1), (15, 1), (16, 2), (20, 2), (21, 3), (31, 3)])
def test_calendar_stage(ctx, day, stage):
    assert dunning.calendar_stage(ctx.settings, dt.date(2026, 12, day)) == stage


def test_late_fee_rule(ctx):
    s = ctx.settings
    # 0.03% a day: 178.00 元 owed 22 days → 178.00 × 0.0003 × 22 = 1.1748 → 1.17 元
    assert dunning.late_fee_for(s, 17800, dt.date(2026, 11, 1), dt.date(2026, 11, 23)) == 117
    assert dunning.late_fee_for(s, 17800, dt.date(2026, 11, 23), dt.date(2026, 11, 23)) == 0
    # capped at the amount owed
    assert dunning.late_fee_for(s, 1000, dt.date(2010, 1, 1), dt.date(2026, 11, 23)) == 1000
    s.set("dunning.late_fee_daily_rate", "0.001")
    assert dunning.late_fee_for(s, 10000, dt.date(2026, 11, 1), dt.date(2026, 11, 11)) == 100


def test_board_stages_and_payers_drop_out(ctx, owing):
    stage, rows = dunning.board(ctx, dt.date(2026, 11, 8))
    assert stage == 1
    assert {r.room_code for r in rows} == {"3-101", "7-102"}
    assert all(r.next_action == "待电话催缴" for r in rows)
    ctx.clock.set(dt.datetime(2026, 11, 8, 10))
    dunning.log_phone(ctx, owing["3-101"].id, "承诺缴费", "周末来交")
    _s, rows = dunning.board(ctx, dt.date(2026, 11, 8))
    r = next(r for r in rows if r.room_code == "3-101")
    assert r.calls == 1 and r.last_outcome.startswith("承诺缴费") and r.next_action == "已电话1次"
    # the owner pays: removed from the list the same day
    pay(ctx, owing["3-101"].id, [c.id for c in owing["3-101"].charges], "现金", "业主3-101")
    _s, rows = dunning.board(ctx, dt.date(2026, 11, 8))
    assert [r.room_code for r in rows] == ["7-102"]


def test_phone_log_validation(ctx, owing, as_role):
    with pytest.raises(ValidationError, match="催缴结果"):
        dunning.log_phone(ctx, owing["3-101"].id, "随便")
    with pytest.raises(PermissionDenied):
        dunning.log_phone(as_role("frontdesk"), owing["3-101"].id, "无人接听")
    assert DunningRecord.select().count() == 0


def test_third_notice_with_late_fee(ctx, owing):
    day = dt.date(2026, 11, 23)
    dunning.notices(ctx, dt.date(2026, 11, 17), 2)    # a third notice follows a second one
    n, pdf = dunning.notices_pdf(ctx, day, 3)
    assert n == 2
    notes = DunningRecord.select().where(DunningRecord.stage == 3)
    # Oct: 178.00 × 0.0003 × 23 days = 1.2282 → 1.23; Nov: 178.00 × 0.0003 × 18 = 0.9612 → 0.96
    assert {r.late_fee_fen for r in notes} == {123 + 96}
    assert {r.owed_fen for r in notes} == {35600}
    text = pdf_text(pdf, sep="")
    assert "欠费三次通知单" in text and "3-101" in text and "7-102" in text and "滞纳金" in text
    assert "358.19" in text  # 356.00 + 2.19
    assert len(pdf_pages(pdf)) == 2
    # numbers are unbroken, one counter for both stages
    assert sorted(r.number for r in notes) == ["CJ2026-000003", "CJ2026-000004"]


def test_second_notice_per_building(ctx, owing):
    b7 = Building.get(Building.code == "7")
    n, pdf = dunning.notices_pdf(ctx, dt.date(2026, 11, 17), 2, b7.id)
    assert n == 1
    text = pdf_text(pdf, sep="")
    assert "欠费二次通知单" in text and "7-102" in text and "3-101" not in text
    assert "滞纳金" not in text.split("收费依据")[0]
    with pytest.raises(ValidationError, match="通知类别"):
        dunning.notices(ctx, dt.date(2026, 11, 17), 1)


def test_cli_dunning(ctx, owing, data_dir, tmp_path):
    ctx.db.close()

    def run(*a):
        return subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(data_dir), *a],
                              capture_output=True, text=True, encoding="utf-8", check=False)
    r = run("dunning", "--date", "2026-11-10")
    assert r.returncode == 0, r.stderr
    assert "电话催缴" in r.stdout and "3-101" in r.stdout and "3-102" not in r.stdout
    out = tmp_path / "n3.pdf"
    r = run("dunning", "--date", "2026-11-17", "--stage", "2", "--out", str(tmp_path / "n2.pdf"))
    assert r.returncode == 0, r.stderr
    r = run("dunning", "--date", "2026-11-23", "--stage", "3", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "2 份" in r.stdout and "欠费三次通知单" in pdf_text(out.read_bytes(), sep="")
    r = run("dunning", "--date", "2026-13-01")
    assert r.returncode == 2 and "日期" in r.stderr
