"""Database faults a user can act on: a full disk and a database held by another program.

``run_write(ctx, fn, ...)`` calls a service that writes; when SQLite reports the database
locked (after its busy_timeout: transactions begin IMMEDIATE, models/db.py), or PostgreSQL
rolled the transaction back for a deadlock, it waits and retries (the service's transaction was
rolled back, so a retry is safe), then raises DatabaseBusy naming who holds it (from the
instance lock file, app/instance.py).
A full disk becomes StorageFull: the transaction was rolled back, nothing is half-saved, and
the dialog that called keeps the user's input (ui/ops.run_action shows the message).
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from app.core.errors import UserError


class DatabaseBusy(UserError):
    pass


class StorageFull(UserError):
    pass


CAUSE_DEPTH = 5   # causes followed back from the error that reached us
ENOSPC = 28       # errno: no space left on device


def _kind(exc) -> str:
    """'full', 'locked' or ''. SQLite rolls a transaction back by itself on SQLITE_FULL, so the
    error that reaches us may be peewee's failed ROLLBACK: the cause is looked for in the chain."""
    seen = 0
    while exc is not None and seen < CAUSE_DEPTH:
        kind = _kind_one(exc)
        if kind:
            return kind
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return ""


def _kind_one(exc) -> str:
    text = str(exc).lower()
    if isinstance(exc, OSError) and getattr(exc, "errno", None) == ENOSPC:
        return "full"
    if "disk is full" in text or "database or disk is full" in text or "no space left" in text:
        return "full"
    if "database is locked" in text or "database table is locked" in text or "busy" in text:
        return "locked"
    if "deadlock detected" in text or "could not serialize access" in text:
        return "locked"   # PostgreSQL rolled this desk's transaction back in favour of another's: retry it
    return ""


def holder_text(db_path) -> str:
    from app.system.instance import describe_holder, read_holder
    info = read_holder(db_path) if db_path else None
    if info and info.get("pid") == os.getpid():
        return "另一个程序（例如正在运行的命令行任务）"
    return describe_holder(info)


def _db_path_of(ctx=None, data_dir=None, url=None):
    from models.db import default_url, sqlite_path
    if ctx is not None and getattr(ctx, "url", ""):
        url = ctx.url
    if not url and data_dir:
        url = default_url(data_dir)
    return sqlite_path(url) if url else None


def busy_message(db_path, retried: bool = True) -> str:
    """The locked-database message; it says 已重试 only when the write was in fact retried."""
    tried = "已重试仍无法写入" if retried else "无法写入"
    return f"数据库正被 {holder_text(db_path)} 占用，{tried}。请等对方完成或关闭后再试，本次没有保存任何内容。"


FULL_MESSAGE = ("磁盘空间不足，本次保存未完成，已全部撤销（没有保存一半的数据）。"
                "请清理磁盘后再保存，您输入的内容仍保留在窗口中。")


def friendly_db_error(exc, data_dir=None, url=None) -> str | None:
    """A Chinese message for a disk-full or locked error, None for anything else."""
    kind = _kind(exc)
    if kind == "full":
        return FULL_MESSAGE
    if kind == "locked":
        return busy_message(_db_path_of(None, data_dir, url), retried=False)
    return None


def run_write(ctx, fn, *args, attempts: int = 3, delay: float = 1.0, **kwargs):
    """Call ``fn(*args, **kwargs)``; retry when the database is locked; translate faults."""
    from peewee import OperationalError
    for attempt in range(1, attempts + 1):
        try:
            return fn(*args, **kwargs)
        except (OperationalError, OSError) as exc:
            kind = _kind(exc)
            if kind == "full":  # SQLite already rolled the transaction back; nothing was saved
                raise StorageFull(FULL_MESSAGE) from exc
            if kind != "locked":
                raise
            if attempt == attempts:
                raise DatabaseBusy(busy_message(_db_path_of(ctx))) from exc
            time.sleep(delay * attempt)


def db_path(ctx) -> Path | None:
    return _db_path_of(ctx)
