"""The one-time re-check of every stored phone by libphonenumber (schema step 11 asks for it).

A phone stored under the old hand-written rules that libphonenumber refuses (a 7-digit number in an
8-digit city, an unassigned mobile prefix, an area code that does not exist) is FLAGGED on the 待核对
worklist with the reason: the stored value stays as it was, nothing is changed or deleted. The re-check
runs once (the meta key goes from "pending" to "done"), as one transaction with one audit row counting
what it flagged; it runs from the start-up reminders (app.office.reminders) and ``recheck_phones``.
"""
from __future__ import annotations

from app.core.audit import record
from app.core.phones import problem
from app.golive.worklist import Flag, flag_many
from models.migrations import PHONES_RECHECK_KEY
from models.people import HomeOwner
from models.sealed import SEALED_PHONE_COLUMNS
from models.system import Meta

PENDING, DONE = "pending", "done"
SOURCE = "电话号码复核（号码规则升级）"
LABELS = {"phone": "联系电话", "phone2": "备用电话", "spouse_phone": "配偶电话", "applicant_phone": "申请人电话",
          "contractor_phone": "负责人电话", "consent_phone": "同意人电话"}


def is_pending() -> bool:
    row = Meta.get_or_none(Meta.key == PHONES_RECHECK_KEY)
    return row is not None and row.value == PENDING


def failing_phones(ctx, db=None) -> list[Flag]:
    """Every stored phone libphonenumber refuses, as worklist flags (nothing written)."""
    db = db or ctx.db
    existing = set(db.get_tables())
    out: list[Flag] = []
    for table, col in SEALED_PHONE_COLUMNS:
        if table not in existing:
            continue
        rows = db.execute_sql(f'SELECT id, "{col}" FROM "{table}" WHERE "{col}" <> \'\'').fetchall()  # noqa: S608 (user is reserved on PostgreSQL)
        for row_id, stored in rows:
            clear = ctx.vault.unseal(stored) if stored.startswith("~") else stored
            why = problem(clear)
            if why:
                out.append(Flag(table, row_id, col, LABELS.get(col, "电话"), clear, f"电话号码复核未通过：{why}",
                                source=SOURCE))
    return _with_homes(out)


def _with_homes(flags: list[Flag]) -> list[Flag]:
    owner_ids = [f.entity_id for f in flags if f.entity == "owner"]
    homes = {}
    if owner_ids:
        homes = dict(HomeOwner.select(HomeOwner.owner, HomeOwner.home)
                     .where(HomeOwner.owner.in_(owner_ids)).tuples())
    return [Flag(f.entity, f.entity_id, f.field, f.label, f.raw, f.reason, homes.get(f.entity_id), f.source)
            if f.entity == "owner" else f for f in flags]


def recheck_phones(ctx, *, force: bool = False) -> int:
    """Re-check the stored phones once (or again with *force*); the number flagged. One transaction:
    the flags, one audit row (when any were flagged) and the meta key set to done."""
    if not force and not is_pending():
        return 0
    flags = failing_phones(ctx)
    with ctx.db.atomic():
        flag_many(ctx, flags)
        if flags:
            record(ctx, "worklist.flag", "pending_check", "", None, {"待核对": len(flags), "来源": SOURCE})
        if not Meta.update(value=DONE).where(Meta.key == PHONES_RECHECK_KEY).execute():
            Meta.create(key=PHONES_RECHECK_KEY, value=DONE)
    return len(flags)


def startup_reminders(ctx) -> list[str]:
    """The start-up reminder's line: runs the pending re-check and says what it flagged."""
    n = recheck_phones(ctx)
    return [f"电话号码复核：{n} 个已存电话未通过新规则，已列入 业主档案 › 待核对（原值未改动）"] if n else []
