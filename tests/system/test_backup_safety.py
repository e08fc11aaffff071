"""Backups claim nothing before the file is in place (issue 15): a backup killed with SIGKILL during
the copy or during its check leaves no audit row and no listed file, only a .tmp that the next run
removes, and the exit backup still runs; migration backups are listed for restore (dialog and
``propertydesk backups``) and rotated down to ``backup.keep_migration``."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.system import backup, backup_store
from models.db import is_sqlite
from models.users import AuditLog

ROOT = Path(__file__).resolve().parents[2]
FILLER_MB = 160   # a large site database: the copy and its integrity_check take long enough to be killed in

CHILD = """
import sys
sys.path.insert(0, {root!r})
from app.system.backup import backup_now
from app.system.context import open_context
from propertydesk.acting import cli_user
ctx = open_context({data_dir!r})
ctx.user = cli_user()
print("STARTING", flush=True)
backup_now(ctx, "manual", check_permission=False)
print("DONE", flush=True)
"""


@pytest.fixture
def sctx(ctx):
    if not is_sqlite():
        pytest.skip("SQLite file backups")
    return ctx


def _write(ctx, n=1):
    from app.core.audit import record
    with ctx.db.atomic():
        for i in range(n):
            record(ctx, "test.write", "thing", i, None, {"v": i})


def _claims() -> list[AuditLog]:
    return list(AuditLog.select().where(AuditLog.action == "backup.create"))


def _make_large(ctx):
    con = sqlite3.connect(ctx.db.database)
    con.execute("CREATE TABLE IF NOT EXISTS filler (b BLOB)")
    con.executemany("INSERT INTO filler VALUES (randomblob(1048576))", [()] * FILLER_MB)
    con.commit()
    con.close()


def _kill_backup_at(sctx, stage: str) -> Path:
    """Run a backup in a child process and SIGKILL it while its .tmp copy is being written
    (stage 'copy') or once the copy is whole and being checked (stage 'check'). Returns the .tmp."""
    db_size = Path(sctx.db.database).stat().st_size
    child = subprocess.Popen([sys.executable, "-c", CHILD.format(root=str(ROOT), data_dir=str(sctx.data_dir))],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    tmp = None
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and child.poll() is None:
            found = list(sctx.backup_dir.glob("propertydesk-*.db.tmp"))
            copying = list(sctx.backup_dir.glob("propertydesk-*.db.tmp-journal"))
            if found and (stage == "copy" or (found[0].stat().st_size >= db_size and not copying)):
                tmp = found[0]
                break
            time.sleep(0.001)
        assert tmp is not None, f"the backup finished before it could be killed: {child.communicate()}"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(30)
    assert child.returncode == -signal.SIGKILL
    return tmp


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["copy", "check"])
def test_backup_killed_claims_nothing_and_is_cleaned_next_run(sctx, stage):
    _write(sctx, 3)
    first = backup.backup_now(sctx).path      # an earlier good backup, then new data
    sctx.clock.advance(minutes=30)
    _write(sctx)
    _make_large(sctx)
    marker_before = backup._meta_get("backup.last_seq", "0")
    tmp = _kill_backup_at(sctx, stage)
    # nothing claimed: no audit row, no marker, no file listed for restore; only the .tmp is left
    assert [c.entity_id for c in _claims()] == [first.name]
    assert backup._meta_get("backup.last_seq", "0") == marker_before
    assert [p for _w, _r, p in backup.list_backups(sctx.backup_dir)] == [first]
    assert tmp.exists()
    # the exit backup is not skipped (the new data is in no backup yet), and cleans the leftover
    r = backup.auto_backup(sctx, "exit")
    assert r is not None and r.path.exists() and backup.integrity_of(r.path) == "ok"
    assert tmp in r.leftovers and not tmp.exists()
    assert not list(sctx.backup_dir.glob("*.tmp*"))   # the copy and any journal of it
    assert [c.entity_id for c in _claims()] == [first.name, r.path.name]
    assert [p for _w, _r, p in backup.list_backups(sctx.backup_dir)] == [r.path, first]
    assert backup.auto_backup(sctx, "exit") is None   # nothing changed since: no second copy


def test_failed_copy_claims_nothing(sctx, monkeypatch):
    _write(sctx)

    def broken(src, dest):
        dest.with_name(dest.name + ".tmp").write_bytes(b"half a copy")
        raise backup.BackupError("备份失败：磁盘空间不足或磁盘故障")

    monkeypatch.setattr(backup, "copy_database", broken)
    with pytest.raises(backup.BackupError, match="磁盘空间不足"):
        backup.backup_now(sctx)
    assert _claims() == [] and backup._meta_get("backup.last_seq", "0") == "0"
    monkeypatch.undo()
    assert backup.changed_since_last_backup(sctx)
    r = backup.backup_now(sctx)
    assert len(r.leftovers) == 1 and not list(sctx.backup_dir.glob("*.tmp"))
    assert [c.entity_id for c in _claims()] == [r.path.name]
    # the claim comes after the copy: the backup holds the site up to its own audit row, not beyond
    assert backup.last_audit_seq(r.path) == _claims()[0].seq - 1


def test_missing_last_backup_is_made_again(sctx):
    _write(sctx)
    first = backup.auto_backup(sctx, "interval")
    assert first is not None and backup.auto_backup(sctx, "interval") is None
    sctx.clock.advance(minutes=30)
    first.path.unlink()                       # the newest backup is gone (deleted by hand)
    _write(sctx)
    second = backup.auto_backup(sctx, "interval")
    assert second is not None and second.path.exists()


def _migration_backups(sctx, n: int) -> list[Path]:
    from models.migrations import backup_sqlite_file
    out = []
    for i in range(n):   # the name migrate() gives the copy it takes before upgrading
        dest = sctx.backup_dir / f"before-migration-v{i + 1}-2026110{i + 1}-080000.db"
        out.append(backup_sqlite_file(Path(sctx.db.database), dest))
    return out


def test_migration_backups_listed_and_rotated(sctx):
    files = _migration_backups(sctx, 5)
    listed = backup.list_backups(sctx.backup_dir)
    assert [(r, p) for _w, r, p in listed] == [("migration", p) for p in reversed(files)]
    assert backup.reason_text("migration", files[2]) == "升级前（数据库版本 3）"
    (sctx.backup_dir / (files[0].name + ".tmp")).write_bytes(b"x")   # an old migration leftover
    os.utime(sctx.backup_dir / (files[0].name + ".tmp"), (0, 0))
    sctx.settings.set("backup.keep_migration", 2)
    r = backup.backup_now(sctx)
    keep = int(sctx.settings.get("backup.keep_migration"))
    assert sorted(r.removed) == sorted(files[:5 - keep])
    assert [p for p in files if p.exists()] == files[5 - keep:]
    assert not list(sctx.backup_dir.glob("*.tmp"))
    # a fresh migration .tmp (a migration may be copying now, without the backup lock) is left alone
    fresh = sctx.backup_dir / "before-migration-v9-20261123-085959.db.tmp"
    fresh.write_bytes(b"x")
    assert backup_store.clean_leftovers(sctx.backup_dir) == [] and fresh.exists()


@pytest.mark.slow
def test_cli_lists_migration_backups(sctx, tmp_path):
    files = _migration_backups(sctx, 2)
    manual = backup.backup_now(sctx).path
    usb = tmp_path / "usb"
    usb.mkdir()
    other = backup.copy_database(manual, usb / manual.name.replace("-manual", "-exit").replace("090000", "090100"))
    r = subprocess.run([sys.executable, "-m", "propertydesk", "backups", "--data-dir", str(sctx.data_dir),
                        "--folder", str(usb)], cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
                       timeout=60, check=False)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert str(other) in lines[0] and "退出时" in lines[0]
    assert str(manual) in lines[1] and "手动" in lines[1]
    assert "升级前（数据库版本 2）" in lines[2] and str(files[1]) in lines[2]
    assert "升级前（数据库版本 1）" in lines[3] and str(files[0]) in lines[3]
    assert "共 4 份" in lines[4]


def test_restore_dialog_lists_migration_backups(qtbot, sctx):
    from ui.system.restore_dialog import RestoreDialog
    files = _migration_backups(sctx, 1)
    manual = backup.backup_now(sctx).path
    dlg = RestoreDialog(sctx)
    qtbot.addWidget(dlg)
    m = dlg.model
    rows = [[m.index(r, c).data() for c in range(m.columnCount())] for r in range(m.rowCount())]
    assert [row[1] for row in rows] == ["手动", "升级前（数据库版本 1）"]
    assert m.keys == [manual, files[0]]
