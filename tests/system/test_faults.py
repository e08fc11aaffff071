"""Faults (issue 8): kill -9 mid-import, full disk, locked database, newer database,
failing migration, corrupt and hostile Excel files."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from app.core.errors import ValidationError
from models.db import is_sqlite

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sqlite_only():
    if os.environ.get("PROPERTYDESK_TEST_DATABASE"):
        pytest.skip("SQLite file faults")


# -- kill -9 during a 10,000-row import ----------------------------------------------

WRITER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from app.system.context import open_context
    from models.people import Owner
    ctx = open_context({data!r})
    ctx.db.execute_sql("PRAGMA cache_size = 50")   # small cache: uncommitted pages spill into the WAL
    pause = {pause!r}
    rows = [dict(name="业主%05d" % i, phone="139%08d" % i, notes="x" * 200) for i in range(10000)]
    with ctx.db.atomic():
        for start in range(0, 10000, 500):
            Owner.insert_many(rows[start:start + 500]).execute()
            if pause and start == 5000:
                print("HALF", flush=True)
                time.sleep(60)
    print("DONE", flush=True)
""")


def _writer(data_dir, pause):
    code = WRITER.format(root=str(ROOT), data=str(data_dir), pause=pause)
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)


def _owners_in(db: Path) -> int:
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return con.execute("SELECT count(*) FROM owner").fetchone()[0]
    finally:
        con.close()


@pytest.mark.slow
def test_kill_9_during_10000_row_import(tmp_path, sqlite_only):
    data = tmp_path / "site"
    p = _writer(data, pause=True)
    try:
        assert p.stdout.readline().strip() == "HALF"
        wal = data / "propertydesk.db-wal"
        assert wal.exists() and wal.stat().st_size > 1_000_000     # half the rows are in the WAL, uncommitted
        os.kill(p.pid, signal.SIGKILL)
    finally:
        p.wait(timeout=30)
    assert p.returncode == -signal.SIGKILL
    assert _owners_in(data / "propertydesk.db") == 0              # none of the rows
    p = _writer(data, pause=False)                                  # the database is still usable
    assert p.stdout.readline().strip() == "DONE"
    p.wait(timeout=120)
    assert _owners_in(data / "propertydesk.db") == 10000            # all of the rows


@pytest.mark.slow
def test_kill_9_after_commit_keeps_all_rows(tmp_path, sqlite_only):
    data = tmp_path / "site"
    p = _writer(data, pause=False)
    assert p.stdout.readline().strip() == "DONE"
    os.kill(p.pid, signal.SIGKILL)                                  # no clean close, no checkpoint
    p.wait(timeout=30)
    assert _owners_in(data / "propertydesk.db") == 10000


# -- full disk --------------------------------------------------------------------------

def _fill_to_the_brim(ctx):
    from app.system.dbguard import _kind
    from models.users import AuditLog
    pages = ctx.db.execute_sql("PRAGMA page_count").fetchone()[0]
    ctx.db.execute_sql(f"PRAGMA max_page_count = {pages + 2}")
    seq = 500_000
    for size in (3000, 300, 30, 3):
        for _ in range(5000):
            seq += 1
            try:
                with ctx.db.atomic():
                    AuditLog.insert(action="filler", after="x" * size, seq=seq).execute()
            except Exception as exc:
                assert _kind(exc) == "full", exc
                break


def test_full_disk_rolls_back_whole_write(ctx):
    if not is_sqlite():
        pytest.skip("max_page_count: SQLite")
    from app.system import accounts
    from app.system.dbguard import StorageFull, run_write
    from models.users import AuditLog, User
    _fill_to_the_brim(ctx)
    users, audit = User.select().count(), AuditLog.select().count()
    try:
        with pytest.raises(StorageFull, match="磁盘空间不足"):
            run_write(ctx, accounts.create_user, ctx, "zhao", "赵出纳", "cashier", "pass-5678")
    finally:
        ctx.db.execute_sql("PRAGMA max_page_count = 1073741823")
    assert User.select().count() == users and AuditLog.select().count() == audit
    assert ctx.db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
    run_write(ctx, accounts.create_user, ctx, "zhao", "赵出纳", "cashier", "pass-5678")
    assert User.select().count() == users + 1


def test_full_disk_during_backup_leaves_no_partial_file(ctx, monkeypatch):
    if not is_sqlite():
        pytest.skip("SQLite file backups")
    import errno

    from app.system import backup

    def no_space(src, dest):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(Path, "replace", no_space)
    with pytest.raises(backup.BackupError, match="备份失败"):
        backup.backup_now(ctx)
    monkeypatch.undo()
    assert not [p for p in ctx.backup_dir.iterdir() if p.suffix in (".db", ".tmp")]


# -- locked database ---------------------------------------------------------------------

HOLDER = textwrap.dedent("""
    import sqlite3, sys, time
    sys.path.insert(0, {root!r})
    from app.system.instance import InstanceLock
    lock = InstanceLock({db!r}).acquire()
    con = sqlite3.connect({db!r}, isolation_level=None)
    con.execute("BEGIN EXCLUSIVE")
    print("LOCKED", flush=True)
    time.sleep(60)
""")


@pytest.mark.slow
def test_locked_database_retries_then_names_holder(ctx, sqlite_only):
    from app.system import accounts
    from app.system.dbguard import DatabaseBusy, run_write
    from models.users import User
    db = ctx.db.database
    p = subprocess.Popen([sys.executable, "-c", HOLDER.format(root=str(ROOT), db=db)], stdout=subprocess.PIPE,
                         text=True)
    calls = []

    def create(*args):
        calls.append(1)
        return accounts.create_user(*args)
    try:
        assert p.stdout.readline().strip() == "LOCKED"
        ctx.db.execute_sql("PRAGMA busy_timeout = 200")
        with pytest.raises(DatabaseBusy) as e:
            run_write(ctx, create, ctx, "zhao", "赵出纳", "cashier", "pass-5678", attempts=3, delay=0.1)
        assert len(calls) == 3
        msg = str(e.value)
        assert f"进程号 {p.pid}" in msg and "占用" in msg and "没有保存" in msg
    finally:
        p.kill()
        p.wait()
    ctx.db.execute_sql("PRAGMA busy_timeout = 5000")
    run_write(ctx, accounts.create_user, ctx, "zhao", "赵出纳", "cashier", "pass-5678")   # free again
    assert User.get(User.username == "zhao").role == "cashier"


@pytest.mark.slow
def test_cli_names_holder_of_locked_database(tmp_path, sqlite_only):
    data = tmp_path / "site"
    env = dict(os.environ, PROPERTYDESK_PASSWORD="pass-1234")
    base = [sys.executable, "-m", "propertydesk", "--data-dir", str(data)]
    assert subprocess.run(base + ["settings"], capture_output=True, check=False).returncode == 0
    db = str(data / "propertydesk.db")
    p = subprocess.Popen([sys.executable, "-c", HOLDER.format(root=str(ROOT), db=db)], stdout=subprocess.PIPE,
                         text=True)
    try:
        assert p.stdout.readline().strip() == "LOCKED"
        r = subprocess.run(base + ["user-add", "li", "--name", "李经理", "--role", "manager"], capture_output=True,
                           text=True, encoding="utf-8", env=env, timeout=120, check=False)
    finally:
        p.kill()
        p.wait()
    assert r.returncode == 2 and f"进程号 {p.pid}" in r.stderr, r.stderr


# -- newer database, failing migration --------------------------------------------------

@pytest.mark.slow
def test_newer_database_refused_and_untouched(tmp_path, sqlite_only):
    data = tmp_path / "site"
    base = [sys.executable, "-m", "propertydesk", "--data-dir", str(data)]
    assert subprocess.run(base + ["settings"], capture_output=True, check=False).returncode == 0
    db = data / "propertydesk.db"
    con = sqlite3.connect(db)
    con.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    before = db.read_bytes()
    r = subprocess.run(base + ["check"], capture_output=True, text=True, encoding="utf-8", check=False)
    assert r.returncode == 2 and "高于本程序支持的版本" in r.stderr
    assert db.read_bytes() == before


def test_exception_mid_migration_leaves_old_database_usable(ctx, monkeypatch):
    from models import migrations
    from models.people import Owner
    Owner.create(name="老业主")

    def step_next(db):
        db.execute_sql("CREATE TABLE new_thing (id INTEGER PRIMARY KEY, x TEXT)")
        db.execute_sql("INSERT INTO new_thing (x) VALUES ('half')")
        Owner.update(name="改了一半").execute()
        raise RuntimeError("磁盘拔出")
    old = migrations.CURRENT_VERSION           # the program's latest version; the test adds one more
    monkeypatch.setattr(migrations, "STEPS", migrations.STEPS + [(old + 1, "test step", step_next)])
    monkeypatch.setattr(migrations, "CURRENT_VERSION", old + 1)
    with pytest.raises(migrations.MigrationFailed, match=f"版本 {old + 1} 失败"):
        migrations.migrate(ctx.db, backup_dir=Path(ctx.data_dir) / "backups")
    assert migrations.get_version(ctx.db) == old
    assert not ctx.db.table_exists("new_thing")
    assert Owner.get().name == "老业主"
    Owner.create(name="仍可写入")                                        # the old database still works
    if is_sqlite():
        copies = list((Path(ctx.data_dir) / "backups").glob(f"before-migration-v{old}-*.db"))
        assert len(copies) == 1
        from app.system.backup import integrity_of
        assert integrity_of(copies[0]) == "ok"


# -- corrupt and hostile Excel files ------------------------------------------------------

def _bomb(path: Path, megabytes: int = 20):
    """A valid-looking workbook whose sheet XML inflates from a few KB to *megabytes* MB."""
    head = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main"><sheetData>')
    filler = "<!--" + "A" * (megabytes * 1024 * 1024) + "-->"
    _workbook(path, head + filler + "</sheetData></worksheet>", dimension=None)


def _workbook(path: Path, sheet_xml: str, dimension: str | None = "A1:XFD1048576"):
    ct = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/worksheets/sheet1.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>')
    wb = ('<?xml version="1.0" encoding="UTF-8"?>'
          '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
          '<sheet name="业主" sheetId="1" r:id="rId1"/></sheets></workbook>')
    wbrels = ('<?xml version="1.0" encoding="UTF-8"?>'
              '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              '<Relationship Id="rId1" '
              'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
              'Target="worksheets/sheet1.xml"/></Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", ct)
        z.writestr("_rels/.rels", rels)
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", wbrels)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)


HUGE_SHEET = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<dimension ref="A1:XFD1048576"/><sheetData>'
              '<row r="1"><c r="A1" t="inlineStr"><is><t>房号</t></is></c></row>'
              '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>')


@pytest.fixture
def bad_files(tmp_path):
    text = tmp_path / "业主台账.xlsx"
    text.write_text("房号,业主姓名\n5-203,张三\n", encoding="utf-8")
    empty = tmp_path / "空.xlsx"
    empty.write_bytes(b"")
    good = tmp_path / "good.xlsx"
    from openpyxl import Workbook
    w = Workbook()
    w.active.append(["房号", "业主姓名"])
    w.save(good)
    truncated = tmp_path / "截断.xlsx"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    not_excel = tmp_path / "压缩包.xlsx"
    with zipfile.ZipFile(not_excel, "w") as z:
        z.writestr("readme.txt", "hello")
    huge = tmp_path / "范围巨大.xlsx"
    _workbook(huge, HUGE_SHEET)
    bomb = tmp_path / "炸弹.xlsx"
    _bomb(bomb)
    xls = tmp_path / "旧版.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    return {"text": text, "empty": empty, "truncated": truncated, "not_excel": not_excel, "huge": huge,
            "bomb": bomb, "xls": xls, "good": good}


@pytest.mark.parametrize("kind,expect", [
    ("text", "改了扩展名"), ("empty", "空文件"), ("truncated", "已损坏"), ("not_excel", "不是Excel工作簿"),
    ("huge", "超出上限"), ("bomb", "压缩炸弹"), ("xls", "旧版 .xls"),
])
def test_hostile_excel_files_get_clear_message(bad_files, kind, expect):
    from app.core.xlsx import read_rows
    with pytest.raises(ValidationError, match=expect) as e:
        read_rows(bad_files[kind])
    assert str(e.value).startswith("Excel文件：")


def test_good_excel_file_reads(bad_files):
    from app.core.xlsx import read_rows
    assert read_rows(bad_files["good"]) == [("房号", "业主姓名")]


def test_no_rows_beyond_the_cap(tmp_path, monkeypatch):
    """A sheet without a dimension that still runs a million rows down is stopped while reading."""
    from app.core import xlsx
    path = tmp_path / "no_dim.xlsx"
    _workbook(path, HUGE_SHEET.replace('<dimension ref="A1:XFD1048576"/>', ""))
    monkeypatch.setattr(xlsx, "MAX_ROWS", 1000)
    with pytest.raises(ValidationError, match="超过 1000 行"):
        xlsx.read_rows(path)


@pytest.mark.parametrize("kind", ["text", "empty", "truncated", "not_excel", "xls"])
def test_owner_import_refuses_corrupt_files(ctx, bad_files, kind):
    excel_owners = pytest.importorskip("app.golive.owners_import")
    from models.people import Owner
    with pytest.raises(ValidationError) as e:
        excel_owners.import_owners(ctx, bad_files[kind])
    assert "文件" in str(e.value) and ("Excel" in str(e.value) or "xls" in str(e.value))
    assert Owner.select().count() == 0


def test_owner_import_refuses_huge_dimension(ctx, bad_files):
    excel_owners = pytest.importorskip("app.golive.owners_import")
    from models.people import Owner
    with pytest.raises(ValidationError):
        excel_owners.import_owners(ctx, bad_files["huge"])
    assert Owner.select().count() == 0
