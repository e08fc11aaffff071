"""Schema version and numbered migration steps.

The schema version lives in the ``meta`` table (key ``schema_version``). Every step runs in
one transaction, after a verified backup copy of an SQLite file. A database written by a
newer version of the program is refused.

Version 1 is the first release: it creates every table of every area. Later steps append to
STEPS and use ``playhouse.migrate`` (add_column, rename_column …) on the live database.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from . import TABLES, all_models
from .db import database, is_sqlite
from .system import Meta

# The search index (app.archives.search) keeps a token in the meta table that every rebuild renews;
# a step that changes what the search lines hold sets it to SEARCH_STALE, and the index is rebuilt
# in full before the next search or index write (models never call into the areas).
SEARCH_TOKEN_KEY = "search_token"
SEARCH_STALE = "stale"


class SchemaTooNew(Exception):
    pass


class MigrationFailed(Exception):
    pass


def _step_1_initial(db):
    db.create_tables(all_models(), safe=True)


def mark_search_stale() -> None:
    """Ask for a full rebuild of the search index (see SEARCH_STALE)."""
    if not Meta.update(value=SEARCH_STALE).where(Meta.key == SEARCH_TOKEN_KEY).execute():
        Meta.create(key=SEARCH_TOKEN_KEY, value=SEARCH_STALE)


def _step_2_owner_name_pinyin(db):
    """owner.name_pinyin (app/core/pinyin.py): added, filled for the existing owners, and the search
    index marked stale so that it is rebuilt and their names are found by pinyin. A database created by step 1 of this
    program has the column already (step 1 creates the current models): then only the fill runs."""
    if "name_pinyin" not in {c.name for c in db.get_columns("owner")}:
        from peewee import SQL, CharField
        from playhouse.migrate import PostgresqlMigrator, SqliteMigrator
        from playhouse.migrate import migrate as apply_ops
        migrator = SqliteMigrator(db) if is_sqlite(db) else PostgresqlMigrator(db)
        column = CharField(default="", constraints=[SQL("DEFAULT ''")])
        apply_ops(migrator.add_column("owner", "name_pinyin", column, allow_not_null=True))
    names = [r[0] for r in db.execute_sql(
        "SELECT DISTINCT name FROM owner WHERE name_pinyin = '' AND name <> ''").fetchall()]
    if not names:
        return
    from app.core.pinyin import name_key
    p = db.param
    cursor = db.cursor()
    sql = f"UPDATE owner SET name_pinyin = {p} WHERE name = {p} AND name_pinyin = ''"
    rows = [(name_key(n), n) for n in names]
    for i in range(0, len(rows), 1000):
        cursor.executemany(sql, rows[i:i + 1000])
    mark_search_stale()


def _step_8_open_charge_index(db):
    """charge_open_due (models/ledger.py): the open charges by due date, covering what the arrears
    pages and flags read. Idempotent (IF NOT EXISTS): a database created with it has it already."""
    from .ledger import OPEN_INDEX_SQL
    db.execute_sql(OPEN_INDEX_SQL)


def _step_9_charge_source_index(db):
    """charge_source (models/ledger.py): the charges an area posted for one of its records."""
    from .ledger import SOURCE_INDEX_SQL
    db.execute_sql(SOURCE_INDEX_SQL)


def _step_17_charge_period_index(db):
    """charge_period (models/ledger.py): one month's charges by category (the collection rate read
    every charge of five years to find one month's: 4 s at 50,000 homes)."""
    from .ledger import PERIOD_INDEX_SQL
    db.execute_sql(PERIOD_INDEX_SQL)


AUDIT_INDEX_SQL = ('CREATE INDEX IF NOT EXISTS "audit_log_action" ON "audit_log" ("action")',
                   'CREATE INDEX IF NOT EXISTS "audit_log_entity" ON "audit_log" ("entity")')


def _step_18_audit_action_index(db):
    """audit_log by action and by entity: check's tie of the ledger to the audit log read the whole log
    three times (a receipt's, a refund's, a reduction's rows) to find a tenth of it."""
    for sql in AUDIT_INDEX_SQL:
        db.execute_sql(sql)


def _step_4_audit_chain_keyed(db):
    """The audit chain becomes keyed (HMAC under a key outside the database, app/core/audit_chain.py):
    a log written before is marked legacy, and the program re-seals it with the key once at start
    (app.core.audit.seal_legacy, audited); an empty log starts keyed."""
    has_rows = db.execute_sql("SELECT 1 FROM audit_log LIMIT 1").fetchone() is not None
    value = "sha256" if has_rows else "hmac-sha256"   # audit_chain.LEGACY / KEYED
    if not Meta.update(value=value).where(Meta.key == "audit.chain").execute():
        Meta.create(key="audit.chain", value=value)


def _step_6_seal_phones(db):
    """Phones sealed under the site key (models/sealed.py: owners, spouses, residents, car-card drivers,
    borrowers, bookings, renovation applicants, contractors and workers, service callers): every
    clear value is sealed, and the search lines, which held phone digits, are emptied and marked
    stale (rebuilt with keyed digit-window tokens before the next search). The site key is active
    (app.system.keystore.open_site_vault runs before migrate)."""
    from .sealed import SEALED_PHONE_COLUMNS
    _seal_columns(db, [tc for tc in SEALED_PHONE_COLUMNS if tc != ("user", "phone")])
    existing = set(db.get_tables())
    if "home_search" in existing:
        db.execute_sql("DELETE FROM home_search")
        mark_search_stale()


PHONES_RECHECK_KEY = "phones.recheck"   # meta key: "pending" until app.golive.phone_recheck has run


def _step_11_phones_recheck(db):
    """Phones are checked by libphonenumber from now on (app/core/phones.py): every stored phone is
    re-checked once by the program after start (app.golive.phone_recheck, with the site key to open
    the sealed values); one that fails is FLAGGED on the 待核对 worklist, never changed or deleted.
    The models cannot call an area, so this step only asks for the re-check."""
    if not Meta.update(value="pending").where(Meta.key == PHONES_RECHECK_KEY).execute():
        Meta.create(key=PHONES_RECHECK_KEY, value="pending")


# meta key: a step sealed values that were in clear (app.system.context then rebuilds the file once)
VACUUM_DUE_KEY = "vacuum_due"


def _seal_columns(db, columns) -> int:
    """Seal every clear value of the (table, column) pairs under the site key; the number sealed. When any
    was sealed, the file is due a rebuild (its free pages and WAL still hold the clear values)."""
    from app.core.crypto import active, has_active
    existing = set(db.get_tables())
    p = db.param
    cursor = db.cursor()
    count = 0
    for table, col in columns:
        if table not in existing:
            continue
        rows = db.execute_sql(f'SELECT id, "{col}" FROM "{table}" WHERE "{col}" <> \'\' AND "{col}" NOT LIKE {p}',
                              ("~%",)).fetchall()
        if not rows:
            continue
        if not has_active():
            raise MigrationFailed("站点密钥未载入，无法加密电话号码")
        vault = active()
        sealed = [(vault.seal(value), row_id) for row_id, value in rows]
        for i in range(0, len(sealed), 1000):
            cursor.executemany(f'UPDATE "{table}" SET "{col}" = {p} WHERE id = {p}', sealed[i:i + 1000])
        count += len(sealed)
    if count and not Meta.update(value="1").where(Meta.key == VACUUM_DUE_KEY).execute():
        Meta.create(key=VACUUM_DUE_KEY, value="1")
    return count


def _step_15_seal_staff_phones(db):
    """The staff's own phones (user.phone, 账号管理) sealed like the owners' (models/sealed.py)."""
    _seal_columns(db, [("user", "phone")])


def _step_12_prepay_index(db):
    """charge_prepay_item: the prepayments of every periodic item (the monthly run's draw-down finds
    the prepaid homes of each item through it; app.ledger.prepayment)."""
    db.execute_sql('CREATE INDEX IF NOT EXISTS "charge_prepay_item" ON "charge" ("item_code", "home_id")'
                   " WHERE (\"category\" = 'prepay')")


def _step_16_charge_balance(db):
    """charge_balance (models/balances.py): what each home owes per item, kept by triggers on charge;
    created (a fresh database has the table from step 1) and filled from the charges."""
    from .balances import install
    install(db)


STEPS = [
    (1, "initial schema", _step_1_initial),
    (2, "owner name pinyin", _step_2_owner_name_pinyin),
    (4, "keyed audit chain", _step_4_audit_chain_keyed),
    (6, "phones sealed", _step_6_seal_phones),
    (8, "open charge index", _step_8_open_charge_index),
    (9, "charge source index", _step_9_charge_source_index),
    (11, "phones re-checked by libphonenumber", _step_11_phones_recheck),
    (12, "prepayment index of every item", _step_12_prepay_index),
    (15, "staff phones sealed", _step_15_seal_staff_phones),
    (16, "per-home, per-item balance kept by triggers", _step_16_charge_balance),
    (17, "charge period index", _step_17_charge_period_index),
    (18, "audit log action and entity indexes", _step_18_audit_action_index),
]
CURRENT_VERSION = STEPS[-1][0]


def get_version(db=None) -> int:
    db = db or database.obj
    if not db.table_exists("meta"):
        return 0
    row = Meta.get_or_none(Meta.key == "schema_version")
    return int(row.value) if row else 0


def _set_version(version: int):
    updated = Meta.update(value=str(version)).where(Meta.key == "schema_version").execute()
    if not updated:
        Meta.create(key="schema_version", value=str(version))


def backup_sqlite_file(src_path: Path, dest_path: Path) -> Path:
    """Copy a live SQLite database with the backup API and verify the copy."""
    dest_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest_path.with_suffix(dest_path.suffix + ".tmp")
    if tmp.exists():
        tmp.unlink()
    src = sqlite3.connect(str(src_path))
    try:
        dst = sqlite3.connect(str(tmp))
        try:
            src.backup(dst)
            ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dst.close()
    finally:
        src.close()
    if ok != "ok":
        tmp.unlink(missing_ok=True)
        raise MigrationFailed(f"备份校验失败：{ok}")
    tmp.replace(dest_path)
    return dest_path


def migrate(db=None, backup_dir: Path | None = None) -> int:
    """Bring the database to CURRENT_VERSION. Returns the version found before."""
    db = db or database.obj
    found = get_version(db)
    if found > CURRENT_VERSION:
        raise SchemaTooNew(
            f"数据库版本为 {found}，高于本程序支持的版本 {CURRENT_VERSION}，请升级 PropertyDesk 后再打开。")
    if found < CURRENT_VERSION and found > 0 and is_sqlite(db) and backup_dir is not None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        backup_sqlite_file(Path(db.database), Path(backup_dir) / f"before-migration-v{found}-{stamp}.db")
    if not db.table_exists("meta"):
        db.create_tables([Meta], safe=True)
    for version, _name, step in STEPS:
        if version <= found:
            continue
        try:
            with db.atomic():
                step(db)
                _set_version(version)
        except Exception as exc:  # the transaction is rolled back; the old database stays usable
            raise MigrationFailed(f"数据库升级到版本 {version} 失败：{exc}") from exc
    # Tables of areas added during the first release are created here too (only the missing
    # ones: asking for every table and index costs a round trip each on PostgreSQL).
    existing = set(db.get_tables())
    if not existing >= TABLES:
        missing = [m for m in all_models() if m._meta.table_name not in existing]
        db.create_tables(missing, safe=True)
    return found
