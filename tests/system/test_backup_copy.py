"""The backup's copy (app/system/backup_copy.py): the file's bytes under the write lock when the
write-ahead log can be emptied, SQLite's backup API when it cannot; either way one consistent state,
in rollback-journal mode, and the live database keeps working for this process and for others."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.system import backup, backup_copy
from models.db import is_sqlite

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sctx(ctx):
    if not is_sqlite():
        pytest.skip("SQLite file backups")
    return ctx


def _write(ctx, n=1, action="test.write"):
    from app.core.audit import record
    with ctx.db.atomic():
        for i in range(n):
            record(ctx, action, "thing", i, None, {"v": i})


def _count(path: Path, action: str) -> int:
    con = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    try:
        return con.execute("SELECT count(*) FROM audit_log WHERE action=?", (action,)).fetchone()[0]
    finally:
        con.close()


def _journal_mode(path: Path) -> str:
    con = sqlite3.connect(str(path))
    try:
        return con.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        con.close()


def test_raw_copy_holds_the_writes_still_in_the_log(sctx, monkeypatch):
    used = []
    real = backup_copy._copy_file
    monkeypatch.setattr(backup_copy, "_copy_file", lambda s, t: (used.append("raw"), real(s, t)))
    _write(sctx, 5)
    db = Path(sctx.db.database)
    assert Path(str(db) + "-wal").stat().st_size > 0        # the writes are in the log, not yet in the file
    r = backup.backup_now(sctx)
    assert used == ["raw"]                                  # the bytes were copied, not the backup API
    assert _count(r.path, "test.write") == 5
    assert backup.integrity_of(r.path) == "ok"
    assert _journal_mode(r.path) == "delete"                # a lone file: no -wal/-shm needed to read it
    assert sorted(p.name for p in sctx.backup_dir.iterdir() if p.name.endswith((".tmp", "-wal", "-shm"))) == []
    _write(sctx, 2, "after.backup")                        # this process's connection still writes and reads
    from models.users import AuditLog
    assert AuditLog.select().where(AuditLog.action == "after.backup").count() == 2


def test_a_reader_holding_an_old_state_makes_it_use_the_backup_api(sctx, monkeypatch):
    """The log cannot be emptied while another connection reads an older state: after its tries the
    backup takes SQLite's backup API, and the copy still holds every committed write."""
    monkeypatch.setattr(backup_copy, "CHECKPOINT_WAIT_MS", 50)
    used = []
    monkeypatch.setattr(backup_copy, "_copy_file", lambda s, t: used.append("raw"))
    db = Path(sctx.db.database)
    _write(sctx, 1)
    reader = sqlite3.connect(str(db))
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM audit_log").fetchone()     # holds this state
    _write(sctx, 3, "later")
    try:
        r = backup.backup_now(sctx)
    finally:
        reader.close()
    assert used == []
    assert _count(r.path, "later") == 3 and backup.integrity_of(r.path) == "ok"
    assert _journal_mode(r.path) == "delete"


def test_a_desk_holding_the_write_lock_makes_it_use_the_backup_api(sctx, monkeypatch):
    """Another desk in the middle of a write: the backup does not wait for it beyond a moment, it
    copies the committed state with the backup API (the desk's write is not in it, and still commits)."""
    monkeypatch.setattr(backup_copy, "LOCK_WAIT_MS", 100)
    used = []
    monkeypatch.setattr(backup_copy, "_copy_file", lambda s, t: used.append("raw"))
    _write(sctx, 2)
    desk = sqlite3.connect(str(Path(sctx.db.database)), isolation_level=None)
    desk.execute("BEGIN IMMEDIATE")
    desk.execute("INSERT INTO meta (key, value) VALUES ('desk.b', 'half way')")
    try:
        copy = backup_copy.copy_database(Path(sctx.db.database), sctx.backup_dir / "copy.db")
    finally:
        desk.execute("COMMIT")
        desk.close()
    assert used == []
    assert _count(copy, "test.write") == 2 and backup.integrity_of(copy) == "ok"
    con = sqlite3.connect(f"file:{copy.as_posix()}?mode=ro", uri=True)
    try:
        assert con.execute("SELECT count(*) FROM meta WHERE key='desk.b'").fetchone()[0] == 0
    finally:
        con.close()


def test_a_failed_byte_copy_falls_back_to_the_backup_api(sctx, monkeypatch):
    def broken(src, tmp):
        Path(tmp).write_bytes(b"half")
        raise OSError(5, "Input/output error")
    monkeypatch.setattr(backup_copy, "_copy_file", broken)
    _write(sctx, 2)
    r = backup.backup_now(sctx)
    assert _count(r.path, "test.write") == 2 and backup.integrity_of(r.path) == "ok"


WRITER = textwrap.dedent("""
    import sqlite3, sys, time
    con = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE IF NOT EXISTS desk_b (n INTEGER PRIMARY KEY, pad TEXT)")
    print("ready", flush=True)
    n = 0
    end = time.time() + float(sys.argv[2])
    while time.time() < end:
        n += 1
        con.execute("BEGIN IMMEDIATE")
        con.execute("INSERT INTO desk_b (n, pad) VALUES (?, ?)", (n, "x" * 500))
        con.execute("COMMIT")
    con.close()
    print(n, flush=True)
""")


def test_backups_while_another_desk_writes_are_each_consistent(sctx, tmp_path):
    """A second process writes all the time (its own table, in transactions); every backup taken
    meanwhile is a sound database whose rows are a prefix of what that desk committed, the desk's
    writes all succeed, and afterwards both processes still read and write the live file."""
    db = Path(sctx.db.database)
    _write(sctx, 50)
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db), "4"], stdout=subprocess.PIPE, text=True,
                            cwd=ROOT)
    try:
        assert proc.stdout.readline().strip() == "ready"
        results = [backup.backup_now(sctx) for _ in range(3)]
        out, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    committed = int(out.split()[-1])
    assert committed > 0
    for r in results:
        assert backup.integrity_of(r.path) == "ok"
        con = sqlite3.connect(f"file:{r.path.as_posix()}?mode=ro", uri=True)
        try:
            got = [n for (n,) in con.execute("SELECT n FROM desk_b ORDER BY n")]
        finally:
            con.close()
        assert got == list(range(1, len(got) + 1)) and len(got) <= committed
    _write(sctx, 1, "still.writes")
    con = sqlite3.connect(str(db), timeout=30)
    try:
        assert con.execute("SELECT count(*) FROM desk_b").fetchone()[0] == committed
        assert con.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    finally:
        con.close()
    assert os.path.exists(str(db) + "-wal")    # this process's connection is open: its log is still there
