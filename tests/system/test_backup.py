"""Backups, rotation, second folder, restore, start-up checks, location and instance lock (issue 8)."""
from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.errors import PermissionDenied
from app.system import backup
from models.db import is_sqlite


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


def test_backup_is_verified_copy(sctx):
    _write(sctx, 3)
    r = backup.backup_now(sctx)
    assert r.path.exists() and r.path.parent == sctx.backup_dir
    assert not list(sctx.backup_dir.glob("*.tmp"))
    assert backup.integrity_of(r.path) == "ok"
    con = sqlite3.connect(r.path)
    n = con.execute("SELECT count(*) FROM audit_log WHERE action='test.write'").fetchone()[0]
    con.close()
    assert n == 3
    assert r.path.name.startswith("propertydesk-20261123-090000-manual")


def test_backup_permission_and_postgres_message(sctx, as_role):
    # every role may back up; the backup audit row names the user
    r = backup.backup_now(as_role("frontdesk"))
    assert r.path.exists()
    from models.users import AuditLog
    assert AuditLog.select().order_by(AuditLog.seq.desc()).first().username == "frontdesk"


def test_failed_backup_leaves_no_file(sctx, monkeypatch):
    from app.system import backup_copy
    monkeypatch.setattr(backup_copy, "_integrity", lambda path: "row 7 missing from index idx_x")
    with pytest.raises(backup.BackupError, match="校验未通过"):
        backup.backup_now(sctx)
    assert [p.name for p in sctx.backup_dir.iterdir()] == [".backup.lock"]   # no copy, no .tmp: only the lock


def test_auto_backup_only_when_changed(sctx):
    assert backup.auto_backup(sctx, "interval") is not None     # no backup yet
    assert backup.auto_backup(sctx, "interval") is None         # nothing changed since
    _write(sctx)
    sctx.clock.advance(minutes=30)
    assert backup.auto_backup(sctx, "exit") is not None
    assert len(backup.list_backups(sctx.backup_dir)) == 2


def test_rotation_daily_weekly_monthly():
    start = dt.datetime(2026, 1, 1, 9, 0)
    times = [start + dt.timedelta(hours=12 * i) for i in range(2 * 365)]   # two backups a day for two years
    keep = backup.rotation_keep(times, keep_daily=7, keep_weekly=4, keep_monthly=12)
    newest = max(times)
    days = {t.date() for t in keep}
    assert {newest.date() - dt.timedelta(days=i) for i in range(7)} <= days
    months = {(t.year, t.month) for t in keep}
    assert len(months) == 12
    assert len(keep) <= 3 + 7 + 4 + 12
    assert newest in keep and min(times) not in keep


def test_rotation_deletes_files_and_second_folder(sctx, tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    sctx.settings.set("backup.second_folder", str(usb))
    sctx.settings.set("backup.keep_daily", 2)
    sctx.settings.set("backup.keep_weekly", 1)
    sctx.settings.set("backup.keep_monthly", 1)
    for _day in range(6):
        _write(sctx)
        r = backup.backup_now(sctx)
        assert r.second_copy and r.second_copy.exists() and not r.warnings
        sctx.clock.advance(days=1)
    names = [p.name for _t, _r, p in backup.list_backups(sctx.backup_dir)]
    assert len(names) == 3           # the newest three (keep_latest) cover 2 days + 1 week + 1 month
    assert sorted(p.name for _t, _r, p in backup.list_backups(usb)) == sorted(names)
    sctx.settings.set("backup.second_folder", str(tmp_path / "unplugged"))
    r = backup.backup_now(sctx)
    assert r.path.exists() and any("不可用" in w for w in r.warnings)


def test_restore_moves_current_aside(sctx):
    from models.users import AuditLog, User
    User.create(username="old", display_name="旧账号", role="cashier")
    r = backup.backup_now(sctx)
    User.create(username="new", display_name="新账号", role="cashier")
    moved = backup.restore(sctx, r.path, own_lock=True)
    assert User.get_or_none(User.username == "new") is None
    assert User.get_or_none(User.username == "old") is not None
    assert any(p.name.endswith(".db") for p in moved)
    replaced = Path(sctx.data_dir) / "replaced"
    old_db = [p for p in replaced.iterdir() if p.suffix == ".db"][0]
    con = sqlite3.connect(old_db)
    assert con.execute("SELECT count(*) FROM user WHERE username='new'").fetchone()[0] == 1   # nothing lost
    con.close()
    assert AuditLog.select().order_by(AuditLog.seq.desc()).first().action == "backup.restore"


def test_restore_refuses_bad_files(sctx, tmp_path, as_role):
    txt = tmp_path / "notes.db"
    txt.write_text("这不是数据库")
    with pytest.raises(backup.BackupError, match="不是 SQLite"):
        backup.restore(sctx, txt)
    with pytest.raises(backup.BackupError, match="不存在"):
        backup.restore(sctx, tmp_path / "missing.db")
    r = backup.backup_now(sctx)
    with pytest.raises(PermissionDenied):
        backup.restore(as_role("area_manager"), r.path)
    newer = tmp_path / "newer.db"
    backup.copy_database(r.path, newer)
    con = sqlite3.connect(newer)
    con.execute("UPDATE meta SET value='999' WHERE key='schema_version'")
    con.commit()
    con.close()
    with pytest.raises(backup.BackupError, match="高于本程序"):
        backup.restore(sctx, newer)


def _corrupt(path: Path):
    data = bytearray(path.read_bytes())
    page = 4096
    for off in range(page * 2, min(len(data), page * 6)):
        data[off] = 0xA5
    path.write_bytes(bytes(data))


def _cli(data_dir, *args, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k != "PROPERTYDESK_DATABASE"}   # SQLite files in data_dir
    env.update(PROPERTYDESK_USER="boss", PROPERTYDESK_PASSWORD="pass-1234")       # the site's manager signs in
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, encoding="utf-8", env=env, timeout=120, check=False)


@pytest.fixture
def site(tmp_path):
    """A site database made through the CLI, with a backup."""
    if os.environ.get("PROPERTYDESK_TEST_DATABASE"):
        pytest.skip("SQLite file handling")
    d = tmp_path / "site"
    r = _cli(d, "user-add", "boss", "--name", "王经理", "--role", "manager",
             env_extra={"PROPERTYDESK_PASSWORD": "pass-1234"})
    assert r.returncode == 0, r.stderr
    r = _cli(d, "backup")
    assert r.returncode == 0 and "已备份" in r.stdout, r.stderr
    return d


@pytest.mark.slow
def test_cli_check_backup_restore(site):
    r = _cli(site, "check")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "数据库完整性" in r.stdout and "审计日志哈希链" in r.stdout and "全部通过" in r.stdout
    db = site / "propertydesk.db"
    con = sqlite3.connect(db)
    con.execute("UPDATE audit_log SET action='edited' WHERE seq=1")
    con.commit()
    con.close()
    r = _cli(site, "check")
    assert r.returncode == 1 and "审计记录 1 内容被修改" in r.stdout
    bk = backup.list_backups(site / "backups")[0][2]
    r = _cli(site, "restore", str(bk), "--yes")
    assert r.returncode == 0, r.stderr
    assert "已从" in r.stdout and "replaced" in r.stdout
    assert _cli(site, "check").returncode == 0


@pytest.mark.slow
def test_damaged_database_is_never_changed(site):
    db = site / "propertydesk.db"
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    _corrupt(db)
    before = db.read_bytes()
    r = _cli(site, "check")
    assert r.returncode == 2
    assert "未通过完整性检查" in r.stderr and "不会修改或删除" in r.stderr and "restore" in r.stderr
    r = _cli(site, "settings")
    assert r.returncode == 2
    assert db.read_bytes() == before and not Path(str(db) + "-wal").exists()
    bk = backup.list_backups(site / "backups")[0][2]
    r = _cli(site, "restore", str(bk), "--yes")
    assert r.returncode == 0, r.stderr
    assert _cli(site, "check").returncode == 0
    kept = [p for p in (site / "replaced").iterdir() if p.suffix == ".db"]
    assert kept and kept[0].read_bytes() == before


# -- location and instance ---------------------------------------------------

MOUNTS = """/dev/sda1 / ext4 rw 0 0
server:/export /mnt/office nfs4 rw 0 0
//nas/share /media/nas cifs rw 0 0
/dev/sdb1 /media/usb vfat rw 0 0
"""


@pytest.mark.parametrize("path,expect", [
    ("\\\\server\\share\\propertydesk.db", "网络共享"),
    ("//server/share/propertydesk.db", "网络共享"),
    ("/mnt/office/pd/propertydesk.db", "网络文件系统（nfs4）"),
    ("/media/nas/propertydesk.db", "网络文件系统（cifs）"),
    ("/home/li/OneDrive/物业/propertydesk.db", "同步网盘"),
    ("/home/li/OneDrive - 天伦物业/propertydesk.db", "同步网盘"),
    ("/home/li/Dropbox/propertydesk.db", "同步网盘"),
    ("/home/li/我的坚果云/propertydesk.db", "同步网盘"),
    ("/home/li/BaiduNetdisk/propertydesk.db", "同步网盘"),
    ("/home/li/百度网盘同步/propertydesk.db", "同步网盘"),
])
def test_refused_locations(path, expect):
    from app.system.instance import location_problem
    msg = location_problem(path, MOUNTS)
    assert expect in msg and "PostgreSQL" in msg


@pytest.mark.parametrize("path", ["/home/li/data/propertydesk.db", "/media/usb/propertydesk.db", "/home/li/drop/pd.db"])
def test_local_locations_allowed(path):
    from app.system.instance import location_problem
    assert location_problem(path, MOUNTS) == ""


def test_cli_refuses_sync_folder(tmp_path):
    d = tmp_path / "Dropbox" / "物业"
    r = _cli(d, "settings")
    assert r.returncode == 2 and "同步网盘" in r.stderr and "PostgreSQL" in r.stderr
    assert not (d / "propertydesk.db").exists()


def test_second_instance_refused(tmp_path):
    from app.system.instance import InstanceLock, InstanceRunning, is_held, read_holder
    db = tmp_path / "propertydesk.db"
    code = ("import sys,time; sys.path.insert(0, %r); from app.system.instance import InstanceLock;"
            "lk = InstanceLock(%r).acquire(); print('held', flush=True); time.sleep(60)") % (str(Path.cwd()), str(db))
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "held"
        assert is_held(db)
        assert read_holder(db)["pid"] == p.pid
        with pytest.raises(InstanceRunning, match=f"进程号 {p.pid}"):
            InstanceLock(db).acquire()
    finally:
        p.kill()
        p.wait()
    # a killed holder leaves a stale file, but the OS lock is gone: the next start proceeds
    lock = InstanceLock(db).acquire()
    assert read_holder(db)["pid"] == os.getpid()
    lock.release()
    assert not is_held(db)
