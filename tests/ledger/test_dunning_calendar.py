"""Dunning that follows its calendar (issue 17, domain.md §7): one counter for the notices of both
stages, no notice dated after today, a third notice only after a second one and from its day unless
the manager overrides with a reason, a stage issued again only when asked, visits and problems
handed to the manager in the dunning record, and notice pages that stand alone."""
import datetime as dt
import subprocess
import sys

import pytest

from app.core.errors import PermissionDenied, StateError, ValidationError
from app.ledger import dunning
from models.ledger import DunningRecord
from models.system import Sequence
from models.users import AuditLog
from tests.helpers.pdf import pdf_pages
from tests.ledger.test_dunning import owing  # noqa: F401  (fixture)

NOV17, NOV23 = dt.date(2026, 11, 17), dt.date(2026, 11, 23)


def _notices(stage=None):
    q = DunningRecord.select().where(DunningRecord.method == "通知单")
    if stage:
        q = q.where(DunningRecord.stage == stage)
    return list(q.order_by(DunningRecord.id))


def test_one_counter_for_both_stages(ctx, owing):  # noqa: F811
    second = dunning.notices(ctx, NOV17, 2)
    third = dunning.notices(ctx, NOV23, 3)
    numbers = [n.number for n in second + third]
    assert numbers == ["CJ2026-000001", "CJ2026-000002", "CJ2026-000003", "CJ2026-000004"]
    assert sorted(r.number for r in _notices()) == numbers


def test_counter_continues_after_the_old_per_stage_counters(ctx, owing):  # noqa: F811
    """A site numbered per stage before (both counters at CJ2026-000024) goes on after the higher."""
    Sequence.create(name="dunning_notice_2", year=2026, last=24)
    Sequence.create(name="dunning_notice_3", year=2026, last=17)
    assert [n.number for n in dunning.notices(ctx, NOV17, 2)] == ["CJ2026-000025", "CJ2026-000026"]


def test_no_notice_dated_after_today(ctx, owing):  # noqa: F811
    with pytest.raises(ValidationError, match="日期.*晚于今天"):
        dunning.notices(ctx, dt.date(2026, 11, 24), 2)
    with pytest.raises(ValidationError, match="日期"):
        dunning.notice_check(ctx, dt.date(2026, 12, 21), 3)
    assert _notices() == []


def test_third_notice_needs_a_second_one_and_its_day(ctx, owing):  # noqa: F811
    # the 23rd, no second notice this month: nobody gets a third notice
    assert dunning.notice_check(ctx, NOV23, 3).without_second == 2
    assert dunning.notices(ctx, NOV23, 3) == []
    # second notices on the 17th → the 23rd's third notices go to those homes
    ctx.clock.set(dt.datetime(2026, 11, 17, 10))
    b7 = owing["7-102"].building_id
    dunning.notices(ctx, NOV17, 2, b7)           # only building 7 got its second notice
    ctx.clock.set(dt.datetime(2026, 11, 23, 9))
    check = dunning.notice_check(ctx, NOV23, 3)
    assert (check.homes, check.without_second, check.too_early) == (2, 1, False)
    assert [n.room_code for n in dunning.notices(ctx, NOV23, 3)] == ["7-102"]
    # the 20th (before dunning.third_from_day, 21): refused, naming the day
    with pytest.raises(ValidationError, match="日期：三次通知须在每月21日及以后"):
        dunning.notices(ctx, dt.date(2026, 11, 20), 3)
    assert dunning.notice_check(ctx, dt.date(2026, 11, 20), 3).too_early


def test_manager_override_with_reason_is_audited(ctx, owing, as_role):  # noqa: F811
    day = dt.date(2026, 11, 19)
    with pytest.raises(PermissionDenied):
        dunning.notices(as_role("cashier"), day, 3, override_reason="业主即将出国")
    out = dunning.notices(ctx, day, 3, override_reason="  业主即将长期出国  ")
    assert sorted(n.room_code for n in out) == ["3-101", "7-102"]
    assert all(n.late_fee_fen > 0 for n in out)
    assert {r.outcome for r in _notices(3)} == {"经理特批：业主即将长期出国"}
    audit = AuditLog.get(AuditLog.action == "dunning.override")
    assert "业主即将长期出国" in audit.after and "2026-11-19" in audit.after


def test_issuing_again_asks_first(ctx, owing):  # noqa: F811
    dunning.notices(ctx, NOV17, 2)
    check = dunning.notice_check(ctx, NOV23, 2)
    assert (check.issued_homes, check.issued_notices) == (2, 2)
    with pytest.raises(StateError, match="本月已有 2 户发出二次通知（共 2 份）"):
        dunning.notices(ctx, NOV23, 2)
    assert len(_notices(2)) == 2
    again = dunning.notices(ctx, NOV23, 2, again=True)
    assert [n.number for n in again] == ["CJ2026-000003", "CJ2026-000004"]
    assert dunning.notice_check(ctx, NOV23, 2).issued_notices == 4
    # next month starts afresh
    ctx.clock.set(dt.datetime(2026, 12, 17, 9))
    assert dunning.notice_check(ctx, dt.date(2026, 12, 17), 2).issued_homes == 0


def test_visits_and_problems_in_the_dunning_record(ctx, owing, as_role):  # noqa: F811
    home = owing["3-101"].id
    dunning.notices(ctx, NOV17, 2)
    dunning.notices(ctx, NOV23, 3)
    _s, rows = dunning.board(ctx, NOV23)
    assert next(r for r in rows if r.room_code == "3-101").next_action == "待上门催缴"
    am = as_role("area_manager")
    v = dunning.log_visit(am, home, "未遇业主", "门上留言")
    assert (v.method, v.stage, v.outcome, v.owed_fen) == ("上门", 3, "未遇业主：门上留言", 35600)
    _s, rows = dunning.board(ctx, NOV23)
    r = next(r for r in rows if r.room_code == "3-101")
    assert (r.visits, r.next_action) == (1, "已上门1次")
    m = dunning.hand_to_manager(am, home, "业主称楼道漏水未修，拒缴")
    assert (m.method, m.outcome) == ("转经理", "业主称楼道漏水未修，拒缴")
    _s, rows = dunning.board(ctx, NOV23)
    r = next(r for r in rows if r.room_code == "3-101")
    assert r.escalated == "业主称楼道漏水未修，拒缴" and r.next_action == "已转经理处理"
    assert [h.method for h in dunning.history(home)][:2] == ["转经理", "上门"]
    assert {a.action for a in AuditLog.select()} >= {"dunning.visit", "dunning.escalate"}
    with pytest.raises(ValidationError, match="上门结果"):
        dunning.log_visit(am, home, "随便")
    with pytest.raises(ValidationError, match="问题说明"):
        dunning.hand_to_manager(am, home, "  ")
    with pytest.raises(PermissionDenied):
        dunning.log_visit(as_role("frontdesk"), home, "未遇业主")


def test_each_notice_page_stands_alone(ctx, owing):  # noqa: F811
    ctx.settings.set("site.service_phone", "029-88886699")
    n, pdf = dunning.notices_pdf(ctx, NOV17, 2)
    assert n == 2
    pages = pdf_pages(pdf)
    assert len(pages) == 2
    for page, number in zip(pages, ("CJ2026-000001", "CJ2026-000002"), strict=True):
        text = page.replace(" ", "").replace("\n", "")
        assert "第1页" not in text and "第2页" not in text
        assert "029-88886699" in text and "（盖章）" in text and number in text and "经办人" in text


def test_cli_again_override_visit_escalate(ctx, owing, data_dir, tmp_path):  # noqa: F811
    ctx.db.close()

    def run(*a):
        return subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(data_dir), *a],
                              capture_output=True, text=True, encoding="utf-8", check=False)
    out = str(tmp_path / "n.pdf")
    r = run("dunning", "--date", "2026-11-17", "--stage", "2", "--out", out)
    assert r.returncode == 0 and "2 份" in r.stdout, r.stderr
    r = run("dunning", "--date", "2026-11-18", "--stage", "2", "--out", out)
    assert r.returncode != 0 and "本月已有 2 户" in r.stderr and "--again" in r.stderr
    r = run("dunning", "--date", "2026-11-18", "--stage", "2", "--out", out, "--again")
    assert r.returncode == 0 and "2 份" in r.stdout, r.stderr
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()   # the command line's clock is the PC's
    r = run("dunning", "--date", tomorrow, "--stage", "2", "--out", out)
    assert r.returncode != 0 and "晚于今天" in r.stderr
    r = run("dunning", "--date", "2026-11-20", "--stage", "3", "--out", out)
    assert r.returncode != 0 and "21日" in r.stderr
    r = run("dunning", "--date", "2026-11-20", "--stage", "3", "--out", out, "--override-reason", "业主出国")
    assert r.returncode == 0 and "2 份" in r.stdout, r.stderr
    r = run("dunning", "--visit", "3-101", "--outcome", "承诺缴费", "--notes", "月底前交")
    assert r.returncode == 0 and "已登记 3-101 上门催缴：承诺缴费：月底前交" in r.stdout, r.stderr
    r = run("dunning", "--escalate", "7-102", "--problem", "业主投诉电梯噪音")
    assert r.returncode == 0 and "转经理" in r.stdout, r.stderr
    r = run("dunning", "--escalate", "7-102")
    assert r.returncode == 2 and "问题说明" in r.stderr
    r = run("dunning")            # today's board: the problem handed on today shows
    assert r.returncode == 0 and "已转经理处理" in r.stdout, r.stderr


@pytest.mark.slow
def test_demo_keeps_the_calendar(ctx):
    """The 天伦庄园 demo (its dunning through these services): no notice number twice, none after the
    demo's day, every third notice after a second one in its month, on or after the 21st."""
    from app.demo import sites as demo
    s = demo.build_site(ctx, "tianlun", seed=5)
    assert s["extension_errors"] == []
    notes = _notices()
    numbers = [r.number for r in notes]
    assert len(numbers) > 100 and len(set(numbers)) == len(numbers)
    assert all(r.record_date <= ctx.clock.today() for r in notes)
    seconds = {(r.home_id, r.record_date.strftime("%Y-%m")): r.record_date for r in notes if r.stage == 2}
    thirds = [r for r in notes if r.stage == 3]
    assert thirds
    for r in thirds:
        assert r.record_date.day >= 21
        assert seconds[(r.home_id, r.record_date.strftime("%Y-%m"))] < r.record_date
