"""Rounds of the estate (巡查记录): findings with time, place and follow-up, open until handled
(once), counted among the shift log's open items; the day's sheet printed; the command line;
the demo's two weeks of rounds."""
import datetime as dt
import random

import pytest

from app.core.errors import PermissionDenied, StateError, ValidationError
from app.frontdesk import prints, rounds, shifts
from models.frontdesk import RoundEntry
from models.users import AuditLog
from tests.frontdesk.test_frontdesk_cli import run_cli
from tests.helpers.pdf import pdf_text

T0 = dt.datetime(2026, 11, 23, 9, 0)


def test_a_finding_is_open_until_handled(ctx, as_role):
    e = rounds.record_round(ctx, {"place": "5号楼大堂", "found": "单元门闭门器损坏", "follow_up": "已报维修"})
    assert (e.number, e.status, e.patrolled_by, e.at) == ("XC2026-000001", "待跟进", ctx.user.display_name, T0)
    ok = rounds.record_round(as_role("frontdesk"), {"place": "中心花园", "found": "巡视正常", "done": True})
    assert ok.status == "已处理" and ok.patrolled_by == "李前台"
    assert [r["number"] for r in rounds.open_rounds(ctx)] == [e.number]
    assert dict((label, n) for label, n, _u in shifts.open_items(ctx))["巡查发现待跟进"] == 1
    with pytest.raises(ValidationError) as err:
        rounds.record_round(ctx, {"place": "", "found": "x"})
    assert err.value.field == "巡查地点"
    with pytest.raises(ValidationError) as err:
        rounds.record_round(ctx, {"place": "东门", "found": " "})
    assert err.value.field == "发现情况"
    with pytest.raises(ValidationError) as err:
        rounds.record_round(ctx, {"place": "东门", "found": "x", "at": T0 + dt.timedelta(hours=1)})
    assert err.value.field == "巡查时间"
    with pytest.raises(PermissionDenied):
        rounds.record_round(as_role("cashier"), {"place": "东门", "found": "x"})
    ctx.clock.set(T0 + dt.timedelta(hours=3))
    done = rounds.handle(ctx, e.id, "已更换闭门器")
    assert (done.status, done.result, done.handled_at) == ("已处理", "已更换闭门器", T0 + dt.timedelta(hours=3))
    with pytest.raises(StateError):
        rounds.handle(ctx, e.id, "again")
    assert rounds.open_rounds(ctx) == []
    acts = [a.action for a in AuditLog.select().where(AuditLog.entity == "round_entry").order_by(AuditLog.id)]
    assert acts == ["rounds.record", "rounds.record", "rounds.handle"]
    text = pdf_text(prints.rounds_day_pdf(ctx, T0.date()))
    assert "巡查记录表" in text and "单元门闭门器损坏" in text and "已更换闭门器" in text


def test_cli_lists_open_findings_and_prints_the_day(ctx, data_dir, tmp_path):
    rounds.record_round(ctx, {"place": "地下车库B区", "found": "照明两盏不亮", "follow_up": "已通知电工"})
    r = run_cli(data_dir, "rounds")
    assert r.returncode == 0, r.stderr
    assert "XC2026-000001" in r.stdout and "照明两盏不亮  跟进：已通知电工" in r.stdout and "【待跟进】" in r.stdout
    assert "共 1 项巡查发现待跟进" in r.stdout
    r = run_cli(data_dir, "rounds", "--date", "2026-11-23")
    assert r.returncode == 0 and "2026-11-23 巡查记录 1 项" in r.stdout
    out = tmp_path / "rounds.pdf"
    r = run_cli(data_dir, "print", "rounds-day", "--date", "2026-11-23", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "地下车库B区" in pdf_text(out.read_bytes())


@pytest.mark.slow
def test_demo_rounds(ctx):
    from app.demo import frontdesk as demo_frontdesk
    from app.demo import sites as demo
    demo.build_site(ctx, "tianlun", seed=1, extensions=False)
    demo_frontdesk.populate(ctx, random.Random(1))
    days = {e.at.date() for e in RoundEntry.select()}
    assert len(days) >= 14 and RoundEntry.select().count() >= 28
    assert {e.status for e in RoundEntry.select()} == {"待跟进", "已处理"}
    old = ctx.clock.today() - dt.timedelta(days=3)
    assert all(e.status == "已处理" for e in RoundEntry.select() if e.at.date() < old)
    assert all(e.handled_at is None or e.handled_at >= e.at for e in RoundEntry.select())
