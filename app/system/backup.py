"""Backups of an SQLite site database and restoring one.

A backup is copied into a temporary file in the backup folder (app/system/backup_copy.py: the
file's bytes under the database's write lock, or SQLite's backup API), flushed to disk, checked
where a copy goes wrong and only then renamed into place, so a backup file that exists is always a
whole database (every restore checks the whole file again); its audit row (backup.create) is written only
after that, so a backup killed half way claims nothing and leaves a ``.tmp`` that the next backup
removes (app/system/backup_store.py: names, listing, rotation, leftovers, the folder's lock).
Backups are made by hand (``propertydesk backup``, menu 备份), on exit, every
``backup.interval_minutes`` when data changed, and before a migration (models/migrations.py).
Old automatic backups are thinned out by day, week and month (``backup.keep_daily/weekly/monthly``),
migration backups down to ``backup.keep_migration``; a copy goes to
``backup.second_folder`` (a USB drive) when set and reachable.

Beside every backup, ``<name>.head`` holds the audit chain head the copy holds (seq:MAC16), and the
backup's audit row records it: checkpoints outside the database that ``check`` compares the keyed
chain with (app/system/checkpoints.py).

Restoring never deletes the current database: it and its -wal/-shm files are moved aside into
``<data-dir>/replaced/`` first.
"""
from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from app.core.errors import StateError, UserError
from app.system.backup_copy import (  # noqa: F401 - BackupError, connect_readonly: the callers' names
    BackupError,
    connect_readonly,
    copy_database,
)
from app.system.backup_store import (  # noqa: F401 - the backup folder's names, listed here for the callers
    NAME_RE,
    PREFIX,
    REASONS,
    backup_name,
    clean_leftovers,
    folder_lock,
    free_name,
    last_audit_seq,
    list_backups,
    reason_text,
    rotate,
    rotation_keep,
    sync_dir,
)
from app.system.checkpoints import head_file, write_head_file


@dataclass
class BackupResult:
    path: Path
    size: int
    seconds: float
    second_copy: Path | None = None
    warnings: list[str] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    leftovers: list[Path] = field(default_factory=list)   # .tmp copies of killed backups, removed


def db_file(ctx) -> Path:
    from models.db import is_sqlite
    if not is_sqlite(ctx.db):
        raise BackupError("当前使用 PostgreSQL 数据库：请用服务器的 pg_dump 做备份，"
                          "本程序只备份本机 SQLite 数据库文件。")
    return Path(ctx.db.database)


def integrity_of(path: Path, quick: bool = False) -> str:
    """'ok' or the problem found, opening *path* read-only (the file is never changed)."""
    pragma = "quick_check" if quick else "integrity_check"
    try:
        con = connect_readonly(path)
    except sqlite3.Error as exc:
        return f"无法打开：{exc}"
    try:
        rows = con.execute(f"PRAGMA {pragma}").fetchall()
        result = "; ".join(str(r[0]) for r in rows[:5])
        return "ok" if result == "ok" else result
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        con.close()


def _last_seq() -> int:
    from models.users import AuditLog
    row = AuditLog.select(AuditLog.seq).order_by(AuditLog.seq.desc()).first()
    return row.seq if row else 0


def _meta_get(key: str, default: str = "") -> str:
    from models.system import Meta
    row = Meta.get_or_none(Meta.key == key)
    return row.value if row else default


def _meta_set(key: str, value: str):
    from models.system import Meta
    if not Meta.update(value=value).where(Meta.key == key).execute():
        Meta.create(key=key, value=value)


def changed_since_last_backup(ctx) -> bool:
    """Every write leaves an audit row, so data changed when the audit log grew beyond what the last
    backup holds; also when that backup file is gone (or there is none)."""
    if _last_seq() > int(_meta_get("backup.last_seq", "0") or 0) or not list_backups(ctx.backup_dir):
        return True
    last = _meta_get("backup.last_file", "")
    return bool(last) and not (Path(ctx.backup_dir) / last).is_file()


def backup_now(ctx, reason: str = "manual", check_permission: bool = True) -> BackupResult:
    """Make one verified backup now, copy it to the second folder, thin out old backups.

    Nothing is claimed before the file is in place: the copy goes to ``<name>.tmp``, passes
    integrity_check and is renamed into place; only then, in one transaction, the audit row
    (backup.create) and the marker of what the copy holds are written. A backup killed half way
    leaves only its ``.tmp``, removed here at the next run under the folder's lock."""
    import time

    from app.core.permissions import require
    if check_permission:
        require(ctx, "backup.run")
    src = db_file(ctx)
    if reason not in REASONS:
        raise ValueError(reason)
    started = time.perf_counter()
    folder = Path(ctx.backup_dir)
    with folder_lock(folder):
        leftovers = clean_leftovers(folder)
        dest = free_name(folder, ctx.clock.now(), reason)
        copy_database(src, dest)
        head = write_head_file(dest)   # the audit chain head it holds, beside it: a checkpoint for check
        sync_dir(folder)
        _claim(ctx, dest, reason, head)
        result = BackupResult(dest, dest.stat().st_size, 0.0, leftovers=leftovers)
        result.removed = rotate(folder, ctx.settings)
    second = str(ctx.settings.get("backup.second_folder") or "").strip()
    if second:
        _second_copy(ctx, result, Path(second))
    result.seconds = time.perf_counter() - started
    return result


def _claim(ctx, dest: Path, reason: str, head: str = "") -> None:
    """The audit row of a backup in place (with the audit chain head the copy holds), and the newest
    audit row it holds (backup.last_seq): the backup's own row when nothing else was written since
    the copy, so an unchanged site is not backed up again."""
    from app.core.audit import record
    held = last_audit_seq(dest)
    with ctx.db.atomic():
        newest = _last_seq()
        row = record(ctx, "backup.create", "backup", dest.name, None,
                     {"reason": reason, "size": dest.stat().st_size, "verified": True, "head": head})
        _meta_set("backup.last_seq", str(row.seq if newest <= held else held))
        _meta_set("backup.last_file", dest.name)


def _second_copy(ctx, result: BackupResult, folder: Path) -> None:
    if not folder.is_dir():
        result.warnings.append(f"第二备份目录 {folder} 不可用（U盘未插入？），本次只保存在本机。")
        return
    try:
        with folder_lock(folder):
            clean_leftovers(folder)
            result.second_copy = copy_database(result.path, folder / result.path.name)
            if head_file(result.path).exists():
                shutil.copyfile(head_file(result.path), head_file(result.second_copy))
            sync_dir(folder)
            rotate(folder, ctx.settings)
    except (UserError, OSError) as exc:
        result.warnings.append(f"复制到第二备份目录失败：{exc}")


def auto_backup(ctx, reason: str) -> BackupResult | None:
    """An automatic backup (on exit / on the timer) when data changed since the last one."""
    try:
        db_file(ctx)
    except BackupError:
        return None
    if not changed_since_last_backup(ctx):
        return None
    return backup_now(ctx, reason, check_permission=False)


# -- restore -------------------------------------------------------------------

def check_backup_file(path) -> None:
    """Refuse a file that is not a sound PropertyDesk database of a version this program reads (an old
    backup kept encrypted whole is checked in its decrypted copy)."""
    from app.system.backup_seal import is_sealed, plain_copy
    path = Path(path)
    if is_sealed(path) and path.is_file():
        with plain_copy(path) as plain:
            return check_backup_file(plain)
    if not path.is_file():
        raise BackupError(f"备份文件不存在：{path}")
    with open(path, "rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise BackupError(f"{path.name} 不是 SQLite 数据库文件，不能用于恢复。")
    ok = integrity_of(path)
    if ok != "ok":
        raise BackupError(f"备份文件 {path.name} 已损坏（{ok}），不能用于恢复。")
    from models.migrations import CURRENT_VERSION
    con = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    try:
        try:
            row = con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except sqlite3.DatabaseError:
            row = None
    finally:
        con.close()
    if row is None:
        raise BackupError(f"{path.name} 不是 PropertyDesk 数据库（缺少版本信息）。")
    if int(row[0]) > CURRENT_VERSION:
        raise BackupError(f"备份文件的数据库版本为 {row[0]}，高于本程序支持的版本 {CURRENT_VERSION}，请先升级程序。")


def manager_in_file(path, username: str, password: str) -> bool:
    """True when *username* is an active manager with this password in the database file *path*
    (used to allow a restore when the current database cannot be opened)."""
    from app.system.accounts import verify_password
    from app.system.backup_seal import plain_copy
    with plain_copy(path) as plain:
        con = sqlite3.connect(f"file:{Path(plain).as_posix()}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT password_hash FROM user WHERE username=? AND role='manager' AND active",
                              (username,)).fetchone()
        except sqlite3.DatabaseError:
            row = None
        finally:
            con.close()
    return bool(row) and verify_password(row[0], password)


JOURNAL_SUFFIX = ".restore-journal"   # <db>.restore-journal: what a restore under way is doing
PAUSE_ENV = "PROPERTYDESK_TEST_RESTORE_PAUSE"   # tests only: "<step>" or "<step>:<seconds>" pauses there


def _pause(step: str):
    """Tests stop a restore between its steps (and kill it there) through this environment variable."""
    import os
    import sys
    import time
    want = os.environ.get(PAUSE_ENV, "")
    name, _, seconds = want.partition(":")
    if name == step:
        print(f"RESTORE-PAUSE {step}", file=sys.stderr, flush=True)
        time.sleep(float(seconds or 600))


def aside_plan(db_path: Path, when: dt.datetime | None = None) -> list[tuple[Path, Path]]:
    """Where the database file and its -wal/-shm companions go in ``replaced/``: (from, to)."""
    when = when or dt.datetime.now()
    folder = db_path.parent / "replaced"
    stamp = f"{when:%Y%m%d-%H%M%S}"
    n, plan = 0, []
    while True:
        tag = stamp if n == 0 else f"{stamp}-{n}"
        plan = [(Path(str(db_path) + s), folder / f"{db_path.stem}-{tag}{db_path.suffix}{s}")
                for s in ("", "-wal", "-shm")]
        if not any(dst.exists() for _src, dst in plan):
            return plan
        n += 1


def move_aside(db_path: Path, when: dt.datetime | None = None, plan=None) -> list[Path]:
    """Move the database file and its -wal/-shm companions into ``replaced/``. Returns the new paths."""
    moved = []
    for src, dst in plan or aside_plan(db_path, when):
        if src.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            src.replace(dst)
            moved.append(dst)
    return moved


def _write_durably(path: Path, text: str):
    import os
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)
    _sync_dir(path.parent)


def _sync_dir(folder: Path):
    import os
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def journal_path(db_path) -> Path:
    return Path(str(db_path) + JOURNAL_SUFFIX)


def recover_restore(db_path) -> str:
    """Finish or undo a restore that stopped half way (a crash, a kill), from its journal.
    Returns what was done ('' when there was nothing to do)."""
    import json

    from app.system.instance import exclusive_site
    db_path = Path(db_path)
    journal = journal_path(db_path)
    staged = db_path.with_name(db_path.name + ".restoring")
    if not journal.exists() and not staged.exists():
        return ""
    with exclusive_site(db_path, wait=RECOVER_WAIT_SECONDS):   # a restore still running finishes first
        if not journal.exists():
            if staged.exists():   # stopped before the journal: nothing was moved, the copy is dropped
                staged.unlink(missing_ok=True)
                return "undone"
            return ""
        try:
            state = json.loads(journal.read_text(encoding="utf-8"))
            plan = [(Path(a), Path(b)) for a, b in state["plan"]]
        except (OSError, ValueError, KeyError, TypeError):
            plan = []
        if staged.exists():   # the verified copy is whole: finish moving the old files aside, put it in place
            move_aside(db_path, plan=plan)
            staged.replace(db_path)
            done = "finished"
        elif db_path.exists():
            done = "finished"
        else:                  # neither copy in place: put the old files back
            for src, dst in plan:
                if dst.exists() and not src.exists():
                    dst.replace(src)
            done = "undone"
        if done == "finished" and state.get("site_id"):
            from app.system.sitemark import write_site_marker
            write_site_marker(db_path.parent, state["site_id"])
        journal.unlink(missing_ok=True)
        _sync_dir(db_path.parent)
    return done


RECOVER_WAIT_SECONDS = 30.0


def restore_file(db_path, backup_path, check_lock: bool = True) -> list[Path]:
    """Put *backup_path* in place of the (closed) database *db_path*, journaled: the verified copy is
    staged, a journal names the planned moves, the current file and its -wal/-shm are moved aside, the
    copy is renamed into place, the journal removed. A crash anywhere is finished or undone at the next
    start (recover_restore). Holds the site lock exclusively: no other process reads or writes meanwhile.
    Returns the paths the old files were moved to."""
    import json

    from app.system.backup_seal import is_sealed, plain_copy
    from app.system.instance import describe_holder, exclusive_site, is_held, read_holder
    db_path, backup_path = Path(db_path), Path(backup_path)
    if is_sealed(backup_path):
        with plain_copy(backup_path) as plain:
            return restore_file(db_path, plain, check_lock)
    check_backup_file(backup_path)
    if check_lock and is_held(db_path):
        raise StateError(f"数据库正由 {describe_holder(read_holder(db_path))} 使用，请先关闭该程序再恢复。")
    with exclusive_site(db_path):
        recover_restore(db_path)
        staged = db_path.with_name(db_path.name + ".restoring")
        copy_database(backup_path, staged)
        _pause("staged")
        from app.system.sitemark import read_site_marker, site_id_in
        site_id = site_id_in(staged) or (read_site_marker(db_path.parent) or {}).get("site_id", "")
        plan = aside_plan(db_path)
        _write_durably(journal_path(db_path), json.dumps(
            {"backup": str(backup_path), "staged": str(staged), "site_id": site_id,
             "plan": [[str(a), str(b)] for a, b in plan]}, ensure_ascii=False))
        _pause("journal")
        moved = move_aside(db_path, plan=plan)
        _pause("moved")
        staged.replace(db_path)
        _sync_dir(db_path.parent)
        _pause("placed")
        if site_id:
            from app.system.sitemark import write_site_marker
            write_site_marker(db_path.parent, site_id)
        journal_path(db_path).unlink(missing_ok=True)
    return moved


def restore(ctx, backup_path, check_permission: bool = True, own_lock: bool = False) -> list[Path]:
    """Restore a backup over the open site database of *ctx* and reopen it. The context's
    database is reopened in place; an audit row in the restored database records the restore."""
    from app.core.audit import record
    from app.core.permissions import require
    from models.db import close_database, open_database
    from models.migrations import migrate
    if check_permission:
        require(ctx, "backup.restore")
    db_path = db_file(ctx)
    check_backup_file(backup_path)
    user = ctx.user
    close_database()
    try:
        moved = restore_file(db_path, backup_path, check_lock=not own_lock)
    finally:
        ctx.db = open_database(ctx.url)
    migrate(ctx.db, backup_dir=Path(ctx.data_dir) / "backups")
    from models.users import User
    if getattr(user, "id", None) is not None:
        same = User.get_or_none(User.username == user.username)
        if same is not None:
            ctx.user = same
        else:
            from types import SimpleNamespace
            ctx.user = SimpleNamespace(id=None, username=user.username, display_name=user.display_name, role=user.role)
    with ctx.db.atomic():
        record(ctx, "backup.restore", "backup", Path(backup_path).name, None,
               {"file": str(backup_path), "moved_aside": [str(p) for p in moved]})
    from app.system.backup_seal import seal_old_backups
    seal_old_backups(ctx)   # the migration of an old backup copied it in clear first
    return moved
