"""Wrong manager passwords at a restore whose current database cannot be opened (the start-up
restore dialog): counted and slowed down like sign-ins, kept in the data folder because the
database is the thing that is broken, and written into the audit log of the restored database at
the next sign-in.

The data folder's ``restore-attempts.json`` (0600) holds the failures in a row, the time until
which the next try is refused, and each failed try (when, which name); a right password clears the
count but keeps the tries for the audit log. ``record_pending(ctx)`` writes them there (one
``restore.fail`` row each) and removes the file.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
from pathlib import Path

from app.core.audit import record
from app.core.errors import PermissionDenied
from app.system.accounts import SHORT_PAUSE_S, delay_after

FILE_NAME = "restore-attempts.json"
KEEP_TRIES = 200            # the file never grows past this many tries
log = logging.getLogger("propertydesk.restore")


def _path(data_dir) -> Path:
    return Path(data_dir) / FILE_NAME


def _load(data_dir) -> dict:
    try:
        state = json.loads(_path(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"failures": 0, "wait_until": "", "tries": []}
    if not isinstance(state, dict):
        return {"failures": 0, "wait_until": "", "tries": []}
    state.setdefault("failures", 0)
    state.setdefault("wait_until", "")
    state.setdefault("tries", [])
    return state


def _save(data_dir, state: dict) -> None:
    path = _path(data_dir)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(state, f, ensure_ascii=False)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def wait_seconds(data_dir, now: dt.datetime) -> float:
    """Seconds before the next restore password is checked (0: none)."""
    until = _load(data_dir).get("wait_until") or ""
    try:
        return max(0.0, (dt.datetime.fromisoformat(until) - now).total_seconds()) if until else 0.0
    except ValueError:
        return 0.0


def _note_try(state: dict, now: dt.datetime, username: str, reason: str) -> None:
    state["tries"] = (state["tries"] + [{"at": now.isoformat(), "username": username, "reason": reason}])[-KEEP_TRIES:]


def check_manager(data_dir, backup_file, username: str, password: str, now: dt.datetime | None = None) -> None:
    """Raise PermissionDenied (a Chinese message) unless *username* is an active manager with this
    password in *backup_file*; every failure is counted, logged, and delays the next try."""
    from app.system.backup import manager_in_file
    now = (now or dt.datetime.now()).replace(microsecond=0)
    state = _load(data_dir)
    wait = wait_seconds(data_dir, now)
    if wait > 0:
        _note_try(state, now, username, "等待期内再次尝试")
        _save(data_dir, state)
        if wait > SHORT_PAUSE_S:
            until = dt.datetime.fromisoformat(state["wait_until"])
            raise PermissionDenied(f"经理密码连续输错次数过多，请到 {until:%H:%M} 之后再试")
        raise PermissionDenied(f"经理密码已连续输错 {state['failures']} 次，请 {math.ceil(wait)} 秒后再试")
    if manager_in_file(backup_file, username, password):
        state["failures"], state["wait_until"] = 0, ""
        if state["tries"]:
            _save(data_dir, state)
        return
    state["failures"] = int(state["failures"]) + 1
    delay = delay_after(state["failures"])
    state["wait_until"] = (now + dt.timedelta(seconds=delay)).isoformat() if delay else ""
    _note_try(state, now, username, "经理登录名或密码错误")
    _save(data_dir, state)
    log.warning("restore refused: wrong manager name or password for %r (%d in a row)", username, state["failures"])
    pause = f"（请 {delay} 秒后再试）" if 0 < delay <= SHORT_PAUSE_S else ("，请稍后再试" if delay else "")
    raise PermissionDenied("经理登录名或密码不正确（按所选备份中的账号核对）" + pause)


def record_pending(ctx) -> int:
    """Write the failed restore tries kept in the data folder into the audit log (one transaction),
    then remove the file. Returns how many were written."""
    path = _path(ctx.data_dir)
    if not path.exists():
        return 0
    tries = _load(ctx.data_dir)["tries"]
    with ctx.db.atomic():
        for t in tries:
            record(ctx.with_user(None), "restore.fail", "backup", "", None,
                   {"username": str(t.get("username", "")), "at": str(t.get("at", "")),
                    "reason": str(t.get("reason", ""))})
    path.unlink()
    return len(tries)
