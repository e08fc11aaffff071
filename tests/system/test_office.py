"""app/office: the start-up reminders and the full check gather every area; one that fails is
reported, never fatal."""
from app.office import checks as office_checks
from app.office import reminders


def test_a_failing_reminder_is_reported_and_the_others_still_run(ctx, monkeypatch):
    def broken(ctx):
        raise RuntimeError("表不存在")
    monkeypatch.setattr(reminders, "PROVIDERS", {"钥匙与借用": broken, "其他": lambda ctx: ["一条提醒"]})
    assert reminders.startup_reminders(ctx) == ["（钥匙与借用 提醒读取失败：表不存在）", "一条提醒"]


def test_every_area_with_reminders_takes_part(ctx):
    assert set(reminders.PROVIDERS) == {"钥匙与借用", "入住", "装修", "催缴", "公告栏", "电话复核", "前台待办"}
    assert reminders.startup_reminders(ctx) == []     # an empty site has nothing to do today


def test_full_check_adds_the_ledger_to_the_database_checks(ctx):
    names = [c.name for c in office_checks.run_checks(ctx)]
    assert names[-1] == "收费台账" and "审计日志哈希链" in names
    assert all(c.ok for c in office_checks.run_checks(ctx))


def test_a_ledger_check_that_fails_to_run_is_a_finding(ctx, monkeypatch):
    def broken(ctx):
        raise ValueError("坏数据")
    monkeypatch.setattr(office_checks.ledger_checks, "run", broken)
    ledger = office_checks.run_checks(ctx)[-1]
    assert not ledger.ok and ledger.problems == ["台账检查出错：ValueError: 坏数据"]
