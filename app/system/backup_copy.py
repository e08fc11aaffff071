"""Copying a live SQLite database into a backup file (app/system/backup.py makes backups with it).

``copy_database`` writes ``<dest>.tmp``, flushes it to disk, checks it and only then renames it into
place, so a backup file that exists is whole; a copy killed half way leaves only its ``.tmp``.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from app.core.errors import UserError


class BackupError(UserError):
    pass


def copy_database(src: Path, dest: Path) -> Path:
    """A copy of the SQLite database *src* in ``dest.tmp``, flushed to disk, checked, renamed to *dest*.

    The copy is the file's bytes (``_raw_copy``: the write-ahead log emptied into the file first,
    then copied under the database's write lock, so it is one consistent state), or, when the log
    cannot be emptied (another desk reading throughout) or the copy fails, SQLite's backup API. The
    copy is then switched to rollback-journal mode (a lone file, read without -wal/-shm), flushed,
    and checked where a copy goes wrong: its header against its length, its schema and the pages
    written last (``_integrity``; the whole file's check is ``check``'s, the start's background
    check's and every restore's: a read-back of a file just written reads the cache, not the disk)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp")
    tmp.unlink(missing_ok=True)
    try:
        s = sqlite3.connect(str(src), timeout=30)
        try:
            if not _raw_copy(s, Path(src), tmp):
                tmp.unlink(missing_ok=True)
                s.execute(f"PRAGMA busy_timeout={API_WAIT_MS}")
                d = sqlite3.connect(str(tmp))
                try:
                    s.backup(d)
                finally:
                    d.close()
        finally:
            s.close()
        d = sqlite3.connect(str(tmp))
        try:
            d.execute("PRAGMA journal_mode=DELETE")
        finally:
            d.close()
        _flush(tmp)
        ok = _integrity(tmp)
        if ok != "ok":
            raise BackupError(f"备份文件校验未通过（{ok}），未保存该备份。")
        tmp.replace(dest)
    except sqlite3.Error as exc:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"备份失败：{_sqlite_msg(exc)}") from exc
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"备份失败，无法写入 {dest.parent}：{exc.strerror or exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dest


RAW_COPY_TRIES = 3
CHECKPOINT_WAIT_MS = 500
LOCK_WAIT_MS = 5000
API_WAIT_MS = 30000


def _raw_copy(s: sqlite3.Connection, src: Path, tmp: Path) -> bool:
    """Copy *src*'s bytes into *tmp* while *s* holds the write lock and the write-ahead log is empty
    (every committed write is then in the file, and nobody can change it); False when the log could
    not be emptied or the copy failed (the caller then uses the backup API). The bytes are copied by
    another process on POSIX: opening and closing the live file in this one would drop this
    process's SQLite locks on it (POSIX record locks belong to the process)."""
    wal = src.with_name(src.name + "-wal")
    for _ in range(RAW_COPY_TRIES):
        # the checkpoint holds other desks' writes while it waits for readers, and the lock waits for a
        # desk's write: both briefly, then the backup API (which needs neither)
        try:
            s.execute(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            s.execute(f"PRAGMA busy_timeout={LOCK_WAIT_MS}")
            s.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:    # "database is locked"
            return False
        try:
            if wal.exists() and wal.stat().st_size > 0:
                continue                        # written between the checkpoint and the lock: again
            size = src.stat().st_size
            try:
                _copy_file(src, tmp)
            except (OSError, subprocess.SubprocessError):
                return False
            return tmp.stat().st_size == size
        finally:
            s.execute("ROLLBACK")
    return False


def _copy_file(src: Path, tmp: Path) -> None:
    if os.name == "posix":
        subprocess.run(["cp", "--reflink=never", "--", str(src), str(tmp)], check=True, capture_output=True,
                       timeout=3600)
    else:   # Windows: locks belong to the handle, another handle's close leaves them
        shutil.copyfile(src, tmp)


def _flush(path: Path) -> None:
    """The copy on the disk before it is renamed into place (a backup lost to a power cut is none)."""
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _integrity(path: Path) -> str:
    """The copy's check ('ok' or the problem), in milliseconds at any size (head_check)."""
    return head_check(path)


SQLITE_HEADER = b"SQLite format 3\x00"
HEADER_BYTES, MIN_PAGE = 100, 512         # SQLite's file header; its smallest page


def connect_readonly(path) -> sqlite3.Connection:
    """A read-only connection to the SQLite file *path* that never changes it: without a -wal file beside
    it, ``immutable=1`` reads the file without creating -wal/-shm."""
    mode = "mode=ro" if Path(str(path) + "-wal").exists() else "mode=ro&immutable=1"
    return sqlite3.connect(f"file:{Path(path).as_posix()}?{mode}", uri=True)


def head_check(path: Path) -> str:
    """'ok' or the problem, in milliseconds at any size: what a crash, a full disk or a copy cut short
    damages — the header (page size, page count against the file's length), the schema, and the pages
    written last (the last row of every table: its b-tree's rightmost path). Read-only, like integrity_of."""
    import sqlite3
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(HEADER_BYTES)
    if len(head) < HEADER_BYTES or head[:16] != SQLITE_HEADER:
        return "文件头损坏"
    page = int.from_bytes(head[16:18], "big")
    page = 65536 if page == 1 else page
    if page < MIN_PAGE or page & (page - 1):
        return f"文件头损坏（页大小 {page} 无效）"
    pages = int.from_bytes(head[28:32], "big")
    if head[24:28] == head[92:96] and size < page * pages:
        return f"文件被截断（应有 {page * pages} 字节，实际 {size} 字节）"
    try:
        con = connect_readonly(path)
    except sqlite3.Error as exc:
        return f"无法打开：{exc}"
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for name in tables:
            quoted = '"' + name.replace('"', '""') + '"'
            try:
                con.execute(f"SELECT * FROM {quoted} ORDER BY rowid DESC LIMIT 1").fetchall()
            except sqlite3.OperationalError as exc:
                if "rowid" not in str(exc):
                    raise
                con.execute(f"SELECT * FROM {quoted} LIMIT 1").fetchall()    # a WITHOUT ROWID table
        return "ok"
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        con.close()


def _sqlite_msg(exc) -> str:
    text = str(exc)
    if "disk is full" in text or "disk I/O" in text:
        return "磁盘空间不足或磁盘故障"
    if "locked" in text:
        return "数据库被占用"
    return text
