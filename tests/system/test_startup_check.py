"""The start-up integrity check is skipped only for a file the program itself closed cleanly,
untouched since, and fully checked recently (app.system.checks.preflight / mark_clean_close)."""
from __future__ import annotations

import datetime as dt
import gc
import os
from pathlib import Path

import pytest

from app.system import checks

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def closed_site(tmp_path):
    """A site database, opened and closed by the program as the GUI does at exit."""
    if os.environ.get("PROPERTYDESK_TEST_DATABASE"):
        pytest.skip("SQLite file handling")
    from app.system.context import open_context
    from models.db import close_database
    d = tmp_path / "site"
    open_context(d)
    close_database()
    gc.collect()   # a connection left for the collector would keep the WAL (and the mark) pending
    return d, d / "propertydesk.db"


@pytest.fixture
def counted(monkeypatch):
    from app.system import backup
    calls = []
    real = backup.integrity_of

    def spy(path, quick=False):
        calls.append(path)
        return real(path, quick=quick)
    monkeypatch.setattr(backup, "integrity_of", spy)
    return calls


def _corrupt(path: Path):
    data = bytearray(path.read_bytes())
    for off in range(4096 * 2, min(len(data), 4096 * 6)):
        data[off] = 0xA5
    path.write_bytes(bytes(data))


def test_first_start_checks_then_clean_close_lets_next_start_skip(closed_site, counted):
    d, db = closed_site
    checks.preflight(d, None, check_days=7, today=TODAY)
    assert len(counted) == 1                                   # no mark yet: checked
    assert checks.mark_clean_close(d, db, False, TODAY)        # carries the date of that check
    checks.preflight(d, None, check_days=7, today=TODAY + dt.timedelta(days=3))
    assert len(counted) == 1                                   # untouched, checked 3 days ago: skipped
    assert not (d / checks.CLEAN_CLOSE_FILE).exists()          # the mark is used up: a crash means a check
    checks.preflight(d, None, check_days=7, today=TODAY + dt.timedelta(days=3))
    assert len(counted) == 2


def test_old_check_or_setting_zero_checks_again(closed_site, counted):
    d, db = closed_site
    checks.mark_clean_close(d, db, True, TODAY)
    checks.preflight(d, None, check_days=7, today=TODAY + dt.timedelta(days=7))
    assert len(counted) == 1                                   # 7 days old: checked again
    checks.mark_clean_close(d, db, True, TODAY)
    checks.preflight(d, None, check_days=0, today=TODAY)
    assert len(counted) == 2                                   # 0: every start


def test_file_changed_after_clean_close_is_checked_and_refused(closed_site, counted):
    d, db = closed_site
    checks.mark_clean_close(d, db, True, TODAY)
    _corrupt(db)                                               # same size, new time: not the closed file
    with pytest.raises(checks.DatabaseDamaged, match="未通过完整性检查"):
        checks.preflight(d, None, check_days=7, today=TODAY)
    assert len(counted) == 1


def test_same_size_and_time_but_other_file_is_checked(closed_site, counted, tmp_path):
    d, db = closed_site
    checks.mark_clean_close(d, db, True, TODAY)
    st = db.stat()
    other = db.read_bytes()
    db.unlink()
    db.write_bytes(other)
    os.utime(db, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    checks.preflight(d, None, check_days=7, today=TODAY)
    assert len(counted) == 1


def test_no_mark_while_a_write_ahead_log_is_pending(closed_site):
    d, db = closed_site
    Path(str(db) + "-wal").write_bytes(b"x" * 100)
    assert not checks.mark_clean_close(d, db, True, TODAY)
    assert not (d / checks.CLEAN_CLOSE_FILE).exists()


def test_gui_exit_closes_database_and_marks(closed_site, counted):
    from app.system.context import open_context
    from ui.app import close_cleanly
    d, db = closed_site
    checks.preflight(d, None, check_days=7, today=TODAY)
    ctx = open_context(d)
    assert close_cleanly(ctx, verified_today=False)
    assert ctx.db.is_closed()
    checks.preflight(d, None, check_days=7, today=TODAY)
    assert len(counted) == 1
