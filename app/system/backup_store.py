"""The backup folder: names, listing, rotation, leftovers and its lock.

A backup file is ``propertydesk-YYYYmmdd-HHMMSS-<reason>.db``; the verified copy taken before a
schema migration (models/migrations.py) is ``before-migration-v<N>-YYYYmmdd-HHMMSS.db``. Both are
listed for restore and rotated: automatic and manual backups thinned out by day, week and month,
migration backups down to the newest ``backup.keep_migration``.

A copy is written to ``<name>.tmp`` and renamed into place only when verified; a copy killed half
way leaves that ``.tmp``, which the next backup removes (``clean_leftovers``). Backups take the
folder's lock (``folder_lock``: an OS lock on ``.backup.lock``, released by the OS when a process
dies), so a leftover is never another process's copy still under way, and two desks never rotate
the same folder at once.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import sqlite3
import sys
import time
from pathlib import Path

from app.core.errors import StateError

PREFIX = "propertydesk-"
# a backup from before the sealed columns is kept encrypted whole: <name>.db.sealed (app/system/backup_seal.py)
NAME_RE = re.compile(r"^propertydesk-(\d{8})-(\d{6})(?:-(\w+))?\.db(?:\.sealed)?$")
MIGRATION_RE = re.compile(r"^before-migration-v(\d+)-(\d{8})-(\d{6})\.db(?:\.sealed)?$")
TMP_RE = re.compile(r"^(?:propertydesk-\d{8}-\d{6}(?:-\w+)?|(before-migration-v\d+-\d{8}-\d{6}))"
                    r"\.db(?:\.sealed)?\.tmp(?:-journal|-wal|-shm)?$")   # the copy and its SQLite journal
REASONS = {"manual": "手动", "exit": "退出时", "interval": "定时", "migration": "升级前", "restore": "恢复前"}
ROTATED = ("exit", "interval", "manual")
HEAD_SUFFIX = ".head"   # <backup>.head: the audit chain head the backup holds (app/system/checkpoints.py)
LOCK_NAME = ".backup.lock"
LOCK_WAIT_SECONDS = 120.0
MIGRATION_TMP_AGE = 600   # seconds: a migration copies without this folder's lock; an older .tmp is a leftover


def backup_name(when: dt.datetime, reason: str) -> str:
    return f"{PREFIX}{when:%Y%m%d-%H%M%S}-{reason}.db"


def free_name(folder: Path, when: dt.datetime, reason: str) -> Path:
    """The backup file name for *when*, a second later while that name is taken."""
    dest = Path(folder) / backup_name(when, reason)
    n = 1
    while dest.exists() or dest.with_name(dest.name + ".tmp").exists():
        dest = Path(folder) / backup_name(when + dt.timedelta(seconds=n), reason)
        n += 1
    return dest


def parse_name(name: str) -> tuple[dt.datetime, str, int | None] | None:
    """(time, reason, schema version of a migration backup) of a backup file name, None for others."""
    m = NAME_RE.match(name)
    if m:
        return dt.datetime.strptime(m.group(1) + m.group(2), "%Y%m%d%H%M%S"), m.group(3) or "", None
    m = MIGRATION_RE.match(name)
    if m:
        return dt.datetime.strptime(m.group(2) + m.group(3), "%Y%m%d%H%M%S"), "migration", int(m.group(1))
    return None


def reason_text(reason: str, path: Path | None = None) -> str:
    """The kind of a backup in words: 手动, 退出时 … 升级前（数据库版本 3）."""
    text = REASONS.get(reason, reason)
    parsed = parse_name(Path(path).name) if path is not None else None
    if parsed and parsed[2] is not None:
        text += f"（数据库版本 {parsed[2]}）"
    return text


def list_backups(folder: Path) -> list[tuple[dt.datetime, str, Path]]:
    """(time, reason, path) of the backups in *folder*, migration backups included, newest first."""
    out = []
    folder = Path(folder)
    if not folder.is_dir():
        return out
    for p in folder.iterdir():
        parsed = parse_name(p.name)
        if parsed and p.is_file():
            out.append((parsed[0], parsed[1], p))
    out.sort(key=lambda t: t[0], reverse=True)
    return out


def rotation_keep(times: list[dt.datetime], keep_daily: int, keep_weekly: int, keep_monthly: int,
                  keep_latest: int = 3) -> set[dt.datetime]:
    """Which backups to keep: the newest few, and the newest of each of the last *keep_daily*
    days, *keep_weekly* ISO weeks and *keep_monthly* months that have a backup."""
    times = sorted(times, reverse=True)
    keep = set(times[:keep_latest])
    for n, keyfn in ((keep_daily, lambda t: t.date()), (keep_weekly, lambda t: t.isocalendar()[:2]),
                     (keep_monthly, lambda t: (t.year, t.month))):
        seen = []
        for t in times:
            k = keyfn(t)
            if k not in seen:
                if len(seen) >= n:
                    break
                seen.append(k)
                keep.add(t)
    return keep


def rotate(folder: Path, settings) -> list[Path]:
    """Delete the backups the rotation no longer keeps: automatic and manual ones by day, week and
    month, migration backups beyond the newest ``backup.keep_migration``. Returns what was removed."""
    backups = list_backups(folder)
    auto = [b for b in backups if b[1] in ROTATED]
    keep = rotation_keep([b[0] for b in auto], int(settings.get("backup.keep_daily")),
                         int(settings.get("backup.keep_weekly")), int(settings.get("backup.keep_monthly")))
    drop = [path for when, _reason, path in auto if when not in keep]
    migrations = [path for _when, reason, path in backups if reason == "migration"]
    drop += migrations[max(1, int(settings.get("backup.keep_migration"))):]
    removed = []
    for path in drop:
        try:
            path.unlink()
            removed.append(path)
            path.with_name(path.name + HEAD_SUFFIX).unlink(missing_ok=True)
        except OSError:
            pass
    return removed


def clean_leftovers(folder: Path, now: float | None = None) -> list[Path]:
    """Remove the ``.tmp`` copies (and their journals) a killed backup left in *folder*; call it
    holding folder_lock. A migration's copy is removed only once it is old (it takes no lock)."""
    folder = Path(folder)
    now = time.time() if now is None else now
    removed = []
    if not folder.is_dir():
        return removed
    for p in folder.iterdir():
        m = TMP_RE.match(p.name)
        if not m:
            continue
        try:
            if m.group(1) and now - p.stat().st_mtime < MIGRATION_TMP_AGE:
                continue
            p.unlink()
            removed.append(p)
        except OSError:
            pass
    return removed


def last_audit_seq(path: Path) -> int:
    """The newest audit sequence number held in the database file *path* (0 when none)."""
    con = sqlite3.connect(f"file:{Path(path).as_posix()}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT max(seq) FROM audit_log").fetchone()
        return int(row[0] or 0)
    except sqlite3.DatabaseError:
        return 0
    finally:
        con.close()


def sync_dir(folder: Path) -> None:
    """Make a rename in *folder* durable (POSIX; Windows commits renames with the file system's journal)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _try_lock(fh) -> bool:
    try:
        if sys.platform == "win32":
            import msvcrt
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def _unlock(fh) -> None:
    with contextlib.suppress(OSError):
        if sys.platform == "win32":
            import msvcrt
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


@contextlib.contextmanager
def folder_lock(folder: Path, wait: float = LOCK_WAIT_SECONDS):
    """Hold the backup folder's lock; waits up to *wait* seconds for another backup to finish."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fh = open(folder / LOCK_NAME, "a+b")  # noqa: SIM115 - held for the whole block
    try:
        deadline = time.monotonic() + wait
        while not _try_lock(fh):
            if time.monotonic() >= deadline:
                raise StateError(f"另一个备份正在写入 {folder}（其他窗口或电脑），请稍后再试。")
            time.sleep(0.1)
        try:
            yield
        finally:
            _unlock(fh)
    finally:
        fh.close()
