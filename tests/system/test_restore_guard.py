"""Wrong manager passwords at a start-up restore (the database cannot be opened): counted in the data
folder, slowed down like sign-ins, and written into the restored database's audit log at the next
sign-in (app/system/restore_guard.py)."""
from __future__ import annotations

import datetime as dt
import json
import stat

import pytest

from app.core.errors import PermissionDenied
from app.system import accounts, backup, restore_guard
from models.db import is_sqlite
from models.users import AuditLog, User

T0 = dt.datetime(2026, 12, 7, 9, 0, 0)


@pytest.fixture
def backup_with_boss(ctx):
    if not is_sqlite():
        pytest.skip("a start-up restore checks the manager in an SQLite backup file")
    User.update(password_hash="").where(User.id == ctx.user.id).execute()
    boss = accounts.create_first_manager(ctx.with_user(None), "boss", "王经理", "abcdef")
    return backup.backup_now(ctx.with_user(boss)).path


def test_wrong_passwords_are_counted_and_slowed_and_a_right_one_passes_after_the_pause(ctx, backup_with_boss):
    d = ctx.data_dir
    with pytest.raises(PermissionDenied, match="不正确"):
        restore_guard.check_manager(d, backup_with_boss, "boss", "wrong-1", now=T0)
    assert restore_guard.wait_seconds(d, T0) == 0                     # the first miss costs nothing (a typo)
    with pytest.raises(PermissionDenied, match="2 秒后再试"):
        restore_guard.check_manager(d, backup_with_boss, "boss", "wrong-2", now=T0)
    assert restore_guard.wait_seconds(d, T0) == 2
    # inside the pause even the right password is refused unchecked
    with pytest.raises(PermissionDenied, match="连续输错 2 次"):
        restore_guard.check_manager(d, backup_with_boss, "boss", "abcdef", now=T0 + dt.timedelta(seconds=1))
    with pytest.raises(PermissionDenied):
        restore_guard.check_manager(d, backup_with_boss, "nobody", "abcdef", now=T0 + dt.timedelta(seconds=3))
    assert restore_guard.wait_seconds(d, T0 + dt.timedelta(seconds=3)) == 4  # third miss: 4 s
    restore_guard.check_manager(d, backup_with_boss, "boss", "abcdef", now=T0 + dt.timedelta(seconds=8))
    assert restore_guard.wait_seconds(d, T0 + dt.timedelta(seconds=8)) == 0
    path = d / restore_guard.FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # after the restore, the next sign-in writes every try into the audit log and clears the file
    before = AuditLog.select().where(AuditLog.action == "restore.fail").count()
    assert restore_guard.record_pending(ctx) == 4
    rows = list(AuditLog.select().where(AuditLog.action == "restore.fail").order_by(AuditLog.id))[before:]
    assert [r.username for r in rows] == ["", "", "", ""]               # no one was signed in
    assert [json.loads(r.after)["username"] for r in rows] == ["boss", "boss", "boss", "nobody"]
    assert [json.loads(r.after)["reason"] for r in rows][2] == "等待期内再次尝试"
    assert not path.exists() and restore_guard.record_pending(ctx) == 0


def test_many_misses_lock_for_minutes(ctx, backup_with_boss):
    d = ctx.data_dir
    now = T0
    for i in range(accounts.MAX_FAILED):
        now += dt.timedelta(seconds=restore_guard.wait_seconds(d, now) + 1)     # each try after the last pause
        with pytest.raises(PermissionDenied):
            restore_guard.check_manager(d, backup_with_boss, "boss", f"wrong-{i}", now=now)
    assert restore_guard.wait_seconds(d, now) == accounts.LOCK_MINUTES * 60
    with pytest.raises(PermissionDenied, match="之后再试"):
        restore_guard.check_manager(d, backup_with_boss, "boss", "abcdef", now=now + dt.timedelta(seconds=5))
