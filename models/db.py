"""The one deferred database, opened from a URL (SQLite file by default, PostgreSQL too)."""
from __future__ import annotations

import os
from pathlib import Path

from peewee import DatabaseProxy, SqliteDatabase

database = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": 2,  # FULL
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "cache_size": -16000,
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
        db = SqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS, timeout=5)
    else:
        from playhouse.db_url import connect as url_connect  # PostgreSQL only: not at start-up
        db = url_connect(url)
    database.initialize(db)
    db.connect(reuse_if_open=True)
    return db


def close_database():
    obj = database.obj
    if obj is not None and not obj.is_closed():
        obj.close()


def is_sqlite(db=None) -> bool:
    db = db or database.obj
    return isinstance(db, SqliteDatabase)
