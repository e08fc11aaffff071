"""``propertydesk check`` and the start-up check of the database file.

``database_checks(ctx)`` runs SQLite's integrity_check and foreign_key_check and verifies the
audit hash chain; ``app.office.checks.run_checks(ctx)`` adds the areas' own checks (the
ledger's) to them. ``preflight(data_dir, url)`` runs before the
database is opened for use: it refuses a network share or sync folder and a file that fails
``quick_check`` — such a file is opened read-only for the check and never changed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.core.errors import UserError


class DatabaseDamaged(UserError):
    def __init__(self, message: str, path: Path):
        super().__init__(message)
        self.path = path


LISTED_PROBLEMS = 50  # a check's report names this many problems, then counts the rest
# the checks named by what they check (SQLite's PRAGMA integrity_check and foreign_key_check)
INTEGRITY = "数据库完整性检查"
FOREIGN_KEYS = "外键一致性检查"


@dataclass
class Check:
    name: str
    ok: bool
    problems: list[str] = field(default_factory=list)
    note: str = ""

    def lines(self) -> list[str]:
        head = f"[{'通过' if self.ok else '发现问题'}] {self.name}" + (f"（{self.note}）" if self.note else "")
        more = len(self.problems) - LISTED_PROBLEMS
        return [head] + [f"    - {p}" for p in self.problems[:LISTED_PROBLEMS]] + (
            [f"    … 另有 {more} 条"] if more > 0 else [])


def _sqlite_checks(ctx) -> list[Check]:
    from models.db import is_sqlite
    if not is_sqlite(ctx.db):
        return [Check(INTEGRITY, True, note="PostgreSQL 由服务器保证，未检查文件"),
                Check(FOREIGN_KEYS, True, note="PostgreSQL 由服务器强制外键")]
    rows = [r[0] for r in ctx.db.execute_sql("PRAGMA integrity_check").fetchall()]
    integ = Check(INTEGRITY, rows == ["ok"], [] if rows == ["ok"] else rows)
    fk = ctx.db.execute_sql("PRAGMA foreign_key_check").fetchall()
    fk_problems = [f"表 {t} 第 {rowid} 行引用的 {parent} 记录不存在" for t, rowid, parent, _i in fk]
    return [integ, Check(FOREIGN_KEYS, not fk_problems, fk_problems)]


def _audit_check() -> Check:
    from app.core.audit import verify_chain
    from models.users import AuditLog
    problems = verify_chain()
    return Check("审计日志哈希链", not problems, problems, note=f"共 {AuditLog.select().count()} 条")


def database_checks(ctx) -> list[Check]:
    """The database file's own checks and the audit hash chain (the areas add theirs in app.office.checks)."""
    return [*_sqlite_checks(ctx), _audit_check()]


CLEAN_CLOSE_FILE = "clean-close.json"
_checked_on: dict[str, str] = {}  # database file → ISO date of its last full check, for the next marker


def _file_state(path: Path) -> dict:
    st = path.stat()
    return {"db": str(path.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _wal_pending(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    return wal.exists() and wal.stat().st_size > 0


def mark_clean_close(data_dir, path: Path | None, checked_today: bool, today) -> bool:
    """After the program closed the database cleanly: remember the file's size and time, and the
    date of its last full check (today when the exit backup was verified). The next start skips
    the integrity check while the file is untouched and that check is recent. Returns whether
    the mark was written (not with a pending write-ahead log: another connection is still open)."""
    import json
    if path is None or not path.exists() or _wal_pending(path):
        return False
    checked = today.isoformat() if checked_today else _checked_on.get(str(path.resolve()))
    if checked is None:
        return False
    state = _file_state(path) | {"checked": checked}
    target = Path(data_dir) / CLEAN_CLOSE_FILE
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(state), encoding="utf-8")
    tmp.replace(target)
    return True


def _clean_close_still_valid(data_dir, path: Path, check_days: int, today) -> bool:
    """Read and remove the mark (a crash from now on leaves none): valid when the file is exactly
    as it was closed, no write-ahead log is pending, and the last full check is recent enough."""
    import datetime as dt
    import json
    mark = Path(data_dir) / CLEAN_CLOSE_FILE
    if not mark.exists():
        return False
    try:
        state = json.loads(mark.read_text(encoding="utf-8"))
        mark.unlink()
        checked = dt.date.fromisoformat(state.pop("checked"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        mark.unlink(missing_ok=True)
        return False
    if check_days <= 0 or (today - checked).days >= check_days or _wal_pending(path):
        return False
    if state != _file_state(path):
        return False
    _checked_on[str(path.resolve())] = checked.isoformat()
    return True


def preflight(data_dir, url: str | None, check_days: int | None = None, today=None) -> Path | None:
    """Before opening: refuse a bad location, refuse a damaged file (without touching it).
    Returns the SQLite file path (None for PostgreSQL).

    The quick_check reads the whole file (about 0.45 s at 50,000 homes), so it is skipped when
    the program last closed this very file cleanly (same size and time, no pending log) and the
    file was fully checked within ``backup.startup_check_days`` days (the verified exit backup
    counts); after a crash, a copy from elsewhere or any change outside the program it runs."""
    import datetime as dt

    from app.system.backup import integrity_of
    from app.system.instance import check_location
    from models.db import default_url, sqlite_path
    url = url or default_url(data_dir)
    path = sqlite_path(url)
    if path is None or str(path) == ":memory:":
        return None
    check_location(path)
    if path.exists() and path.stat().st_size > 0:
        today = today or dt.date.today()
        if check_days is None:
            from app.core.settings import Settings
            check_days = int(Settings.load(data_dir).get("backup.startup_check_days"))
        if _clean_close_still_valid(data_dir, path, check_days, today):
            return path
        result = integrity_of(path, quick=True)
        if result != "ok":
            raise DatabaseDamaged(
                f"数据库文件 {path} 未通过完整性检查（{result}）。程序不会修改或删除这个文件。"
                f"请从备份恢复：在恢复对话框中选择备份，或运行 propertydesk restore 备份文件。", path)
        _checked_on[str(path.resolve())] = today.isoformat()
    return path
