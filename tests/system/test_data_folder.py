"""The data folder knows it had a database: a missing, empty or foreign file is refused with the
backups offered; restore is journaled (kill -9 at each step, then the next start finishes or undoes
it) and holds a lock every process respects; a file another program holds locked is told apart
from damage. Real processes throughout."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.system import backup, checks, sitemark
from app.system.context import open_context
from app.system.instance import RestoreInProgress, SiteHold, SiteInUse
from models.db import close_database

ROOT = Path(__file__).resolve().parents[2]
SQLITE_ONLY = pytest.mark.skipif(bool(os.environ.get("PROPERTYDESK_TEST_DATABASE")),
                                 reason="the data folder's SQLite file; PostgreSQL keeps no file there")


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("PROPERTYDESK_DATABASE", "PROPERTYDESK_TEST_DATABASE")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def _url(d: Path) -> str:
    return "sqlite:///" + str(d / "propertydesk.db")


def _site(d: Path, tag: str) -> Path:
    """A site in *d* (a fresh folder) with a row telling which copy this is and its manager (the
    command line signs in as it: tests/helpers/signin.py); closed again."""
    c = open_context(d, _url(d))
    from models.system import Meta
    from tests.helpers.signin import add_manager
    with c.db.atomic():
        Meta.create(key="test.which", value=tag)
        add_manager()
    close_database()
    return d / "propertydesk.db"


def _which(path: Path) -> str:
    con = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    try:
        return con.execute("SELECT value FROM meta WHERE key='test.which'").fetchone()[0]
    finally:
        con.close()


def _backup_of(d: Path, tag: str, name="propertydesk-20261120-080000-manual.db") -> Path:
    """A verified backup in d/backups whose copy says *tag* (same site as d)."""
    db = d / "propertydesk.db"
    dest = d / "backups" / name
    backup.copy_database(db, dest)
    con = sqlite3.connect(str(dest))
    con.execute("UPDATE meta SET value=? WHERE key='test.which'", (tag,))
    con.commit()
    con.close()
    return dest


def _cli(d: Path, *args, **env):
    return subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(d), "--database", _url(d), *args],
                          capture_output=True, text=True, timeout=120, env=_env(**env), cwd=ROOT, check=False)


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "site"
    d.mkdir()
    yield d
    close_database()


# -- a new folder, a folder that had a database --------------------------------------------------

@SQLITE_ONLY
def test_new_folder_creates_a_site_with_a_marker_and_the_same_id_in_the_database(folder):
    db = _site(folder, "current")
    marker = json.loads((folder / "site.json").read_text(encoding="utf-8"))
    assert len(marker["site_id"]) == 32
    assert sitemark.site_id_in(db) == marker["site_id"]
    c = open_context(folder, _url(folder))   # reopening keeps the same site
    assert sitemark.site_id_in(db) == marker["site_id"]
    assert all(ch.ok for ch in checks.database_checks(c) if ch.name == checks.SITE_CHECK)


@SQLITE_ONLY
@pytest.mark.parametrize("damage", ["missing", "empty"])
def test_missing_or_empty_file_is_refused_by_every_command_with_the_backups_listed(folder, damage):
    db = _site(folder, "current")
    _backup_of(folder, "backup")
    if damage == "missing":
        db.unlink()
        for extra in ("-wal", "-shm"):
            Path(str(db) + extra).unlink(missing_ok=True)
    else:
        db.write_bytes(b"")
    with pytest.raises(checks.DatabaseMissing) as err:
        open_context(folder, _url(folder))
    text = str(err.value)
    assert "原来有数据库" in text and "2026-11-20 08:00:00" in text and "propertydesk restore" in text
    for command in (["check"], ["settings"], ["backup"]):
        r = _cli(folder, *command)
        assert r.returncode != 0, r.stdout
        assert "全部通过" not in r.stdout
        assert "原来有数据库" in r.stderr and "2026-11-20 08:00:00" in r.stderr, r.stderr
    assert (not db.exists()) if damage == "missing" else db.stat().st_size == 0   # never a new empty site


@SQLITE_ONLY
def test_a_folder_with_backups_but_no_marker_still_refuses_a_missing_file(folder):
    db = _site(folder, "current")
    _backup_of(folder, "backup")
    (folder / "site.json").unlink()
    db.unlink()
    r = _cli(folder, "check")
    assert r.returncode == 2 and "原来有数据库" in r.stderr
    assert not db.exists()


@SQLITE_ONLY
@pytest.mark.parametrize("kind", ["other_site", "not_sqlite", "other_sqlite"])
def test_foreign_file_is_refused_and_left_untouched(folder, tmp_path, kind):
    db = _site(folder, "current")
    _backup_of(folder, "backup")
    close_database()
    if kind == "other_site":
        other = _site(tmp_path / "other", "other")
        close_database()
        shutil.copyfile(other, db)
    elif kind == "not_sqlite":
        db.write_bytes("业主名单,电话\n".encode() * 100)
    else:
        con = sqlite3.connect(str(db) + ".new")
        con.execute("CREATE TABLE photos(id INTEGER PRIMARY KEY, name TEXT)")
        con.commit()
        con.close()
        os.replace(str(db) + ".new", db)
    for extra in ("-wal", "-shm"):
        Path(str(db) + extra).unlink(missing_ok=True)
    before = db.read_bytes()
    r = _cli(folder, "check")
    assert r.returncode == 2 and "全部通过" not in r.stdout
    words = {"other_site": "不是这个数据目录原来的数据库", "not_sqlite": "不是 SQLite 数据库",
             "other_sqlite": "不是 PropertyDesk 数据库"}[kind]
    assert words in r.stderr and "2026-11-20 08:00:00" in r.stderr, r.stderr
    with pytest.raises(checks.DatabaseMissing):
        checks.preflight(folder, _url(folder))
    assert db.read_bytes() == before


@SQLITE_ONLY
def test_a_site_from_before_the_marker_adopts_one(folder):
    """A site written before the marker and the key store: no site.json, no site id, and its key in the
    data folder's keys/site.key as that version kept it (the first start moves it into the store)."""
    from app.system import keystore
    db = _site(folder, "current")
    (folder / "site.json").unlink()
    key = keystore.load_key(sitemark.site_id_in(db))
    (folder / keystore.LEGACY_KEY_FILE).parent.mkdir(parents=True, exist_ok=True)
    (folder / keystore.LEGACY_KEY_FILE).write_bytes(key)
    con = sqlite3.connect(str(db))
    con.execute("DELETE FROM meta WHERE key='site.id'")
    con.commit()
    con.close()
    r = _cli(folder, "check")
    assert r.returncode == 0 and "全部通过" in r.stdout, r.stdout + r.stderr
    marker = sitemark.read_site_marker(folder)
    assert marker and sitemark.site_id_in(db) == marker["site_id"]
    assert not (folder / keystore.LEGACY_KEY_FILE).exists()          # moved into the store


def test_check_names_the_site_marker(ctx):
    found = [c for c in checks.database_checks(ctx) if c.name == checks.SITE_CHECK]
    assert len(found) == 1 and found[0].ok
    if sitemark.read_site_marker(ctx.data_dir) is not None:   # SQLite: a lost marker is a problem check names
        (Path(ctx.data_dir) / "site.json").unlink()
        found = [c for c in checks.database_checks(ctx) if c.name == checks.SITE_CHECK]
        assert not found[0].ok and "site.json" in found[0].problems[0]


# -- restore: journaled, killed at each step ------------------------------------------------------

RESTORE_CODE = """
import sys
from app.system.backup import restore_file
restore_file(sys.argv[1], sys.argv[2])
print("RESTORED", flush=True)
"""


def _start_restore(db: Path, source: Path, pause: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", RESTORE_CODE, str(db), str(source)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env(PROPERTYDESK_TEST_RESTORE_PAUSE=pause),
                            cwd=ROOT)


def _wait_pause(p: subprocess.Popen, step: str):
    line = p.stderr.readline()
    assert line.strip() == f"RESTORE-PAUSE {step}", line + p.stderr.read()


@SQLITE_ONLY
@pytest.mark.slow
@pytest.mark.parametrize(("step", "expect"), [("staged", "current"), ("journal", "backup"),
                                              ("moved", "backup"), ("placed", "backup")])
def test_restore_killed_at_each_step_is_finished_or_undone_at_the_next_start(folder, step, expect):
    db = _site(folder, "current")
    source = _backup_of(folder, "backup")
    p = _start_restore(db, source, step)
    try:
        _wait_pause(p, step)
        p.kill()   # SIGKILL: no cleanup runs
        p.wait(10)
    finally:
        if p.poll() is None:
            p.kill()
    r = _cli(folder, "check")   # the next start, a real process
    assert r.returncode == 0 and "全部通过" in r.stdout, r.stdout + r.stderr
    assert _which(db) == expect
    assert not backup.journal_path(db).exists() and not Path(str(db) + ".restoring").exists()
    replaced = sorted((folder / "replaced").glob("propertydesk-*.db")) if (folder / "replaced").exists() else []
    if expect == "backup":   # the good copy is aside, never lost
        assert [_which(x) for x in replaced] == ["current"]
    else:
        assert replaced == []


@SQLITE_ONLY
@pytest.mark.slow
def test_restore_that_runs_through_records_nothing_left_over(folder):
    db = _site(folder, "current")
    source = _backup_of(folder, "backup")
    p = _start_restore(db, source, "")
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0 and "RESTORED" in out, err
    assert _which(db) == "backup" and not backup.journal_path(db).exists()
    assert sitemark.site_id_in(db) == sitemark.read_site_marker(folder)["site_id"]


@SQLITE_ONLY
@pytest.mark.slow
@pytest.mark.parametrize("step", ["staged", "moved"])
def test_a_command_line_write_during_a_restore_waits_and_lands_in_the_restored_file(folder, step):
    db = _site(folder, "current")
    source = _backup_of(folder, "backup")
    p = _start_restore(db, source, f"{step}:3")
    try:
        _wait_pause(p, step)
        started = time.monotonic()
        r = _cli(folder, "backup")   # a command line write: it waits for the restore
        waited = time.monotonic() - started
        out, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0, err
    assert r.returncode == 0, r.stderr
    assert waited >= 1.5
    con = sqlite3.connect(str(db))
    n = con.execute("SELECT count(*) FROM audit_log WHERE action='backup.create'").fetchone()[0]
    con.close()
    assert _which(db) == "backup" and n == 1   # the write is in the restored file
    aside = next((folder / "replaced").glob("propertydesk-*.db"))
    con = sqlite3.connect(str(aside))
    assert con.execute("SELECT count(*) FROM audit_log WHERE action='backup.create'").fetchone()[0] == 0
    con.close()


@SQLITE_ONLY
@pytest.mark.slow
def test_a_start_during_a_long_restore_is_refused_in_chinese(folder):
    db = _site(folder, "current")
    source = _backup_of(folder, "backup")
    p = _start_restore(db, source, "journal:20")
    try:
        _wait_pause(p, "journal")
        with pytest.raises(RestoreInProgress, match="正在从备份恢复数据库"):
            SiteHold(db, wait=0.3)
    finally:
        p.kill()
        p.wait(10)


HOLDER_CODE = """
import sys, time
from app.system.context import open_context
ctx = open_context(sys.argv[1], "sqlite:///" + sys.argv[1] + "/propertydesk.db")
print("OPEN", flush=True)
time.sleep(30)
"""


@SQLITE_ONLY
@pytest.mark.slow
def test_restore_is_refused_while_a_command_line_process_uses_the_database(folder):
    db = _site(folder, "current")
    source = _backup_of(folder, "backup")
    p = subprocess.Popen([sys.executable, "-c", HOLDER_CODE, str(folder)], stdout=subprocess.PIPE, text=True,
                         env=_env(), cwd=ROOT)
    try:
        assert p.stdout.readline().strip() == "OPEN"
        with pytest.raises(SiteInUse, match="命令行任务"):
            backup.restore_file(db, source)
        r = _cli(folder, "restore", str(source), "--yes")
        assert r.returncode == 2 and "命令行任务" in r.stderr, r.stderr
    finally:
        p.kill()
        p.wait(10)
    assert _which(db) == "current" and not (folder / "replaced").exists()


# -- in use by another program is not damage ------------------------------------------------------

EXCLUSIVE_CODE = """
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1])
c.execute("PRAGMA locking_mode=EXCLUSIVE")
c.execute("BEGIN IMMEDIATE"); c.execute("COMMIT")
print("HELD", flush=True)
time.sleep(60)
"""


@SQLITE_ONLY
@pytest.mark.slow
def test_a_file_held_exclusively_by_another_program_is_in_use_not_damaged(folder):
    db = _site(folder, "current")
    p = subprocess.Popen([sys.executable, "-c", EXCLUSIVE_CODE, str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "HELD"
        (folder / checks.CLEAN_CLOSE_FILE).unlink(missing_ok=True)
        with pytest.raises(checks.DatabaseInUse) as err:
            checks.preflight(folder, _url(folder))
        assert not isinstance(err.value, checks.DatabaseDamaged)
        assert "数据库正被其他程序占用" in str(err.value) and "关闭" in str(err.value)
        r = _cli(folder, "check")
        assert r.returncode == 2 and "数据库正被其他程序占用" in r.stderr, r.stderr
        assert "损坏" not in r.stderr.replace("不是数据损坏", "") and "恢复：" not in r.stderr
    finally:
        p.kill()
        p.wait(10)
    r = _cli(folder, "check")   # the program closed: the same file is fine
    assert r.returncode == 0 and "全部通过" in r.stdout, r.stdout + r.stderr
