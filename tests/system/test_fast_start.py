"""Start-up and the command line are not behind a whole-file check (issue 20, point 3).

The start checks what a crash damages (app.system.checks.head_check: header against the file's
length, schema, the last row of every table) and leaves the whole file due; the window checks it in
the background (ui/system/startcheck.py) and a failure there makes the next start check the whole
file first. A read-only command checks only the head, and a command never uses up the clean-close
mark: it renews it after its clean close. Real processes for the command line."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.system import checks

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date.today()
SQLITE_ONLY = pytest.mark.skipif(bool(os.environ.get("PROPERTYDESK_TEST_DATABASE")),
                                 reason="the data folder's SQLite file; PostgreSQL keeps no file there")


@pytest.fixture
def site(tmp_path):
    """A site with its manager, opened and closed by the program (no clean-close mark yet)."""
    from app.system.context import open_context
    from models.db import close_database
    from tests.helpers.signin import add_manager
    d = tmp_path / "site"
    d.mkdir()
    c = open_context(d, "sqlite:///" + str(d / "propertydesk.db"))
    with c.db.atomic():
        add_manager()
    close_database()
    checks._due.clear()
    yield d, d / "propertydesk.db"
    close_database()
    checks._due.clear()


@pytest.fixture
def counted(monkeypatch):
    """The whole-file checks run (app.system.backup.integrity_of), by file."""
    from app.system import backup
    calls = []
    real = backup.integrity_of

    def spy(path, quick=False):
        calls.append(path)
        return real(path, quick=quick)
    monkeypatch.setattr(backup, "integrity_of", spy)
    return calls


def _corrupt_middle(path: Path):
    data = bytearray(path.read_bytes())
    for off in range(4096 * 2, min(len(data), 4096 * 6)):
        data[off] = 0xA5
    path.write_bytes(bytes(data))


def _url(d: Path) -> str:
    return "sqlite:///" + str(d / "propertydesk.db")


def _cli(d: Path, *args):
    env = {k: v for k, v in os.environ.items() if k not in ("PROPERTYDESK_DATABASE", "PROPERTYDESK_TEST_DATABASE")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(d), "--database", _url(d), *args],
                          capture_output=True, text=True, timeout=120, env=env, cwd=ROOT, check=False)


def _mark_valid(d: Path, db: Path) -> bool:
    """The clean-close mark is there and matches the file as it is now (read without using it up)."""
    return checks._clean_close_still_valid(d, db, 7, TODAY, keep=True)


# -- the start: the head now, the whole file in the background ------------------------------------

@SQLITE_ONLY
def test_start_checks_the_head_and_leaves_the_whole_file_due(site, counted):
    d, db = site
    assert checks.preflight(d, None, check_days=7, today=TODAY, full=False) == db
    assert counted == []                                        # no whole-file read at start
    assert checks.full_check_due(db)
    assert not checks.mark_clean_close(d, db, False, TODAY)     # not checked yet: no mark at exit
    assert checks.run_due_check(d, db) == "ok"
    assert len(counted) == 1 and not checks.full_check_due(db)
    assert checks.mark_clean_close(d, db, False, TODAY)         # the background check counts for the mark
    checks.preflight(d, None, check_days=7, today=TODAY, full=False)
    assert len(counted) == 1 and not checks.full_check_due(db)  # untouched since: nothing due


@SQLITE_ONLY
def test_a_file_cut_short_is_refused_at_start_without_reading_it_whole(site, counted):
    d, db = site
    size = db.stat().st_size
    with open(db, "r+b") as fh:
        fh.truncate(size - 4096)
    with pytest.raises(checks.DatabaseDamaged, match="文件被截断"):
        checks.preflight(d, None, check_days=7, today=TODAY, full=False)
    assert counted == []


@SQLITE_ONLY
def test_damage_found_in_the_background_makes_the_next_start_check_the_whole_file(site, counted):
    d, db = site
    checks.preflight(d, None, check_days=7, today=TODAY, full=False)
    _corrupt_middle(db)
    assert checks.run_due_check(d, db) != "ok"
    assert (d / checks.CHECK_FAILED_FILE).exists()
    assert not checks.mark_clean_close(d, db, False, TODAY)
    with pytest.raises(checks.DatabaseDamaged, match="未通过完整性检查"):
        checks.preflight(d, None, check_days=7, today=TODAY, full=False)
    assert len(counted) == 2                                    # the next start read the whole file


@SQLITE_ONLY
def test_head_check_reads_every_table_and_passes_a_sound_file(site):
    _d, db = site
    assert checks.head_check(db) == "ok"


# -- the command line ----------------------------------------------------------------------------

@SQLITE_ONLY
def test_read_only_command_checks_the_head_and_a_writing_one_the_whole_file(site, counted, capsys):
    from propertydesk import cli
    d, db = site
    assert cli.main(["--data-dir", str(d), "--database", _url(d), "settings"]) == 0
    assert counted == []                                        # read-only: head only
    assert not (d / checks.CLEAN_CLOSE_FILE).exists()           # nothing checked whole: no mark to renew
    assert cli.main(["--data-dir", str(d), "--database", _url(d), "user-password", "nobody"]) != 0
    assert len(counted) == 1                                    # a command that writes: the whole file first
    assert _mark_valid(d, db)                                   # and that check leaves a clean-close mark
    capsys.readouterr()


@SQLITE_ONLY
def test_commands_keep_the_clean_close_mark(site):
    """Real processes: after a clean close the mark survives a read-only command and one that signs
    in (its audit row changes the file: the mark is renewed), so the next start skips the check."""
    d, db = site
    checks.preflight(d, None, check_days=7, today=TODAY)
    assert checks.mark_clean_close(d, db, False, TODAY)
    r = _cli(d, "settings")
    assert r.returncode == 0, r.stderr
    assert _mark_valid(d, db)
    before = db.stat().st_mtime_ns, db.stat().st_size
    r = _cli(d, "users")
    assert r.returncode == 0, r.stderr
    assert "manager" in r.stdout
    assert _mark_valid(d, db)
    assert (db.stat().st_mtime_ns, db.stat().st_size) != before  # signed in: written, and still marked


@SQLITE_ONLY
def test_a_command_killed_after_its_write_leaves_no_valid_mark(site):
    """A crash after a write: the old mark no longer matches the file or a log is pending."""
    d, db = site
    checks.preflight(d, None, check_days=7, today=TODAY)
    assert checks.mark_clean_close(d, db, False, TODAY)
    code = ("import sqlite3, os, sys; c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA journal_mode=WAL');"
            "c.execute(\"INSERT INTO meta (key, value) VALUES ('test.crash', 'x')\"); c.commit(); os._exit(9)")
    p = subprocess.run([sys.executable, "-c", code, str(db)], check=False, timeout=60)
    assert p.returncode == 9
    assert not _mark_valid(d, db)


# -- the window: the due check in the background ---------------------------------------------------

@pytest.fixture
def window(qtbot):
    from PySide6.QtWidgets import QMainWindow
    w = QMainWindow()
    qtbot.addWidget(w)
    w.show()
    return w


@SQLITE_ONLY
def test_window_checks_the_whole_file_in_the_background(site, window, qtbot):
    from app.system.context import open_context
    from ui.system import startcheck
    d, db = site
    checks.preflight(d, None, check_days=7, today=TODAY, full=False)
    ctx = open_context(d, _url(d))
    op = startcheck.start_background_check(window, ctx)
    assert op is not None
    qtbot.waitUntil(op.done, timeout=30000)
    assert op.result == "ok"
    assert window.statusBar().currentMessage() == startcheck.PASSED_TEXT
    assert not checks.full_check_due(db)


@SQLITE_ONLY
def test_window_names_damage_found_in_the_background(site, window, qtbot, boxes, monkeypatch):
    from app.system import backup
    from app.system.context import open_context
    from ui.system import startcheck
    d, _db = site
    checks.preflight(d, None, check_days=7, today=TODAY, full=False)
    ctx = open_context(d, _url(d))
    monkeypatch.setattr(backup, "integrity_of", lambda path, quick=False: "*** in database main *** Page 7: bad")
    op = startcheck.start_background_check(window, ctx)
    qtbot.waitUntil(op.done, timeout=30000)
    assert boxes.last.kind == "critical"
    assert "已损坏" in boxes.last.text and "Page 7" in boxes.last.text
    assert (d / checks.CHECK_FAILED_FILE).exists()


def test_nothing_due_starts_nothing(ctx, window):
    from ui.system import startcheck
    assert startcheck.start_background_check(window, ctx) is None
    assert window.statusBar().currentMessage() == ""
