"""The one deferred database, opened from a URL (SQLite file by default, PostgreSQL too)."""
from __future__ import annotations

import os
import sys
from pathlib import Path


def _import_peewee_without_psycopg2():
    """peewee imports psycopg2 (with libpq and ssl) when it is installed: about 30 ms at every
    start-up, for SQLite sites that never use it. Import peewee with psycopg2 hidden; a PostgreSQL
    URL hands the driver to peewee when it is opened (``_enable_psycopg2``)."""
    if "peewee" in sys.modules or "psycopg2" in sys.modules:
        return
    sys.modules["psycopg2"] = None  # `import psycopg2` raises ImportError while peewee loads
    try:
        import peewee  # noqa: F401
    finally:
        del sys.modules["psycopg2"]


_import_peewee_without_psycopg2()

from peewee import DatabaseProxy, SqliteDatabase  # noqa: E402

database = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": 2,  # FULL
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "cache_size": -16000,
    "secure_delete": 1,   # deleted rows are zeroed in the file (an anonymised owner, a destroyed audit key)
}


def default_url(data_dir: str | os.PathLike) -> str:
    return "sqlite:///" + str(Path(data_dir) / "propertydesk.db")


def sqlite_path(url: str) -> Path | None:
    """The file path of a ``sqlite:///PATH`` URL, or None for another database."""
    if not url.startswith("sqlite:///"):
        return None
    return Path(url[len("sqlite:///"):])


def open_database(url: str):
    """Open the database named by *url* and bind the models to it. Returns the peewee Database."""
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        # BEGIN IMMEDIATE: a transaction takes the write lock when it starts, so a second desk waits
        # (busy_timeout) instead of failing at once when its read turns into a write
        db = SqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS, timeout=5, lock_type="IMMEDIATE")
    else:
        _enable_psycopg2()
        from playhouse.db_url import connect as url_connect  # PostgreSQL only: not at start-up
        db = url_connect(url)
    database.initialize(db)
    db.connect(reuse_if_open=True)
    return db


def _enable_psycopg2():
    """Give peewee the psycopg2 driver it did not see at import (what its own import does)."""
    import peewee
    if peewee.psycopg2 is not None:
        return
    try:
        import psycopg2
        from psycopg2 import extensions
        from psycopg2.extras import Json, register_uuid
    except ImportError:
        return  # peewee reports the missing driver when it connects
    register_uuid()
    peewee.psycopg2, peewee.pg_extensions, peewee.pg_register_uuid, peewee.Json_pg2 = (
        psycopg2, extensions, register_uuid, Json)
    adapter = peewee.Psycopg2Adapter
    adapter.txn_idle = extensions.TRANSACTION_STATUS_IDLE
    adapter.txn_inerror = extensions.TRANSACTION_STATUS_INERROR
    adapter.txn_unknown = extensions.TRANSACTION_STATUS_UNKNOWN


def close_database():
    obj = database.obj
    if obj is not None and not obj.is_closed():
        obj.close()


def for_update(query):
    """*query* locking the rows it reads until the transaction ends: ``SELECT … FOR UPDATE`` on
    PostgreSQL; on SQLite the IMMEDIATE transaction already holds the write lock."""
    return query if is_sqlite() else query.for_update()


def lock_for_bulk_write(*models) -> None:
    """Inside a transaction: hold the tables of *models* against other desks' writes until it ends
    (PostgreSQL ``LOCK TABLE … IN SHARE ROW EXCLUSIVE MODE``: reads go on, writes and another bulk
    run wait), so a bulk run may find its own rows by id range. On SQLite the IMMEDIATE transaction
    holds the write lock already."""
    if is_sqlite() or not models:
        return
    names = ", ".join(f'"{m._meta.table_name}"' for m in models)
    database.obj.execute_sql(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")


def is_sqlite(db=None) -> bool:
    db = db or database.obj
    return isinstance(db, SqliteDatabase)
