"""``propertydesk check`` and the start-up check of the database file.

``run_checks(ctx)`` runs SQLite's integrity_check and foreign_key_check, verifies the audit
hash chain, and calls the ledger's own checks (``app.ledger_checks.run(ctx)``, an iterable of
problem texts, when that module exists). ``preflight(data_dir, url)`` runs before the
database is opened for use: it refuses a network share or sync folder and a file that fails
``quick_check`` — such a file is opened read-only for the check and never changed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

from .errors import UserError


class DatabaseDamaged(UserError):
    def __init__(self, message: str, path: Path):
        super().__init__(message)
        self.path = path


@dataclass
class Check:
    name: str
    ok: bool
    problems: list[str] = field(default_factory=list)
    note: str = ""

    def lines(self) -> list[str]:
        head = f"[{'通过' if self.ok else '发现问题'}] {self.name}" + (f"（{self.note}）" if self.note else "")
        return [head] + [f"    - {p}" for p in self.problems[:50]] + (
            [f"    … 另有 {len(self.problems) - 50} 条"] if len(self.problems) > 50 else [])


def _sqlite_checks(ctx) -> list[Check]:
    from models.db import is_sqlite
    if not is_sqlite(ctx.db):
        return [Check("数据库完整性", True, note="PostgreSQL 由服务器保证，未检查文件"),
                Check("外键关联", True, note="PostgreSQL 由服务器强制外键")]
    rows = [r[0] for r in ctx.db.execute_sql("PRAGMA integrity_check").fetchall()]
    integ = Check("数据库完整性 (integrity_check)", rows == ["ok"], [] if rows == ["ok"] else rows)
    fk = ctx.db.execute_sql("PRAGMA foreign_key_check").fetchall()
    fk_problems = [f"表 {t} 第 {rowid} 行引用的 {parent} 记录不存在" for t, rowid, parent, _i in fk]
    return [integ, Check("外键关联 (foreign_key_check)", not fk_problems, fk_problems)]


def _audit_check() -> Check:
    from models.users import AuditLog

    from .audit import verify_chain
    problems = verify_chain()
    return Check("审计日志哈希链", not problems, problems, note=f"共 {AuditLog.select().count()} 条")


def _ledger_check(ctx) -> Check | None:
    if find_spec("app.ledger_checks") is None:
        return None
    try:
        result = import_module("app.ledger_checks").run(ctx)
        problems = [str(p) for p in (result or [])]
    except Exception as exc:  # a failing check is itself a finding
        problems = [f"台账检查出错：{type(exc).__name__}: {exc}"]
    return Check("收费台账", not problems, problems)


def run_checks(ctx) -> list[Check]:
    checks = _sqlite_checks(ctx)
    checks.append(_audit_check())
    ledger = _ledger_check(ctx)
    if ledger is not None:
        checks.append(ledger)
    return checks


def preflight(data_dir, url: str | None) -> Path | None:
    """Before opening: refuse a bad location, refuse a damaged file (without touching it).
    Returns the SQLite file path (None for PostgreSQL)."""
    from models.db import default_url, sqlite_path

    from .backup import integrity_of
    from .instance import check_location
    url = url or default_url(data_dir)
    path = sqlite_path(url)
    if path is None or str(path) == ":memory:":
        return None
    check_location(path)
    if path.exists() and path.stat().st_size > 0:
        result = integrity_of(path, quick=True)
        if result != "ok":
            raise DatabaseDamaged(
                f"数据库文件 {path} 未通过完整性检查（{result}）。程序不会修改或删除这个文件。"
                f"请从备份恢复：在恢复对话框中选择备份，或运行 propertydesk restore 备份文件。", path)
    return path
