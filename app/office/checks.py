"""``propertydesk check`` and 安全 → 数据库检查: the database's own checks and every area's.

The ledger's checks (``app.ledger.checks.run(ctx)``, an iterable of problem texts) join the
file and audit-chain checks of ``app.system.checks``; a check that fails to run is itself a
finding."""
from __future__ import annotations

from app.ledger import checks as ledger_checks
from app.system.checks import Check, database_checks


def ledger_check(ctx, name: str = "收费台账", run=None) -> Check:
    try:
        problems = [str(p) for p in ((run or ledger_checks.run)(ctx) or [])]
    except Exception as exc:  # a failing check is itself a finding
        problems = [f"{'台账' if run is None else name}检查出错：{type(exc).__name__}: {exc}"]
    return Check(name, not problems, problems)


def run_checks(ctx, heads=()) -> list[Check]:
    """Every check; *heads*: audit chain heads typed from daily reports (SEQ:MAC)."""
    return database_checks(ctx, heads, more=(lambda c: ledger_check(c, "收费与审计日志核对", ledger_checks.audit_tie),
                                             ledger_check))
