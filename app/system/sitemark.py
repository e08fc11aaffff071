"""The data folder remembers its database: ``site.json`` holds the site id that is also kept in the
database's meta table (key ``site.id``). Written when a site is first created (or, for a site made
before the marker existed, when it is first opened); a missing, empty or foreign database file in a
folder with a marker (or with backups) is refused at start (app/system/checks.verify_site_file)."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

SITE_FILE = "site.json"
META_KEY = "site.id"


def read_site_marker(data_dir) -> dict | None:
    try:
        data = json.loads((Path(data_dir) / SITE_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and data.get("site_id") else None
    except (OSError, ValueError):
        return None


def write_site_marker(data_dir, site_id: str, db_name: str = "propertydesk.db"):
    import datetime as dt
    import os
    target = Path(data_dir) / SITE_FILE
    old = read_site_marker(data_dir) or {}
    data = {"site_id": site_id, "database": old.get("database", db_name),
            "created": old.get("created") if old.get("site_id") == site_id else dt.datetime.now().isoformat(
                timespec="seconds")}
    tmp = target.with_name(target.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(data, ensure_ascii=False))
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(target)


def site_id_in(path) -> str:
    """The site id kept in the meta table of the SQLite file *path* ('' when none)."""
    try:
        con = sqlite3.connect(f"file:{Path(path).as_posix()}?mode=ro", uri=True)
    except sqlite3.Error:
        return ""
    try:
        row = con.execute("SELECT value FROM meta WHERE key=?", (META_KEY,)).fetchone()
        return row[0] if row else ""
    except sqlite3.Error:
        return ""
    finally:
        con.close()


def ensure_site_id(db, data_dir) -> str:
    """After the database is open and migrated: the site id in its meta table and in ``site.json``
    agree (a new site gets a random one; a site from before the marker adopts the folder's)."""
    import secrets

    from models.system import Meta
    row = Meta.get_or_none(Meta.key == META_KEY)
    marker = read_site_marker(data_dir)
    if row is None:
        site_id = (marker or {}).get("site_id") or secrets.token_hex(16)
        with db.atomic():
            Meta.create(key=META_KEY, value=site_id)
    else:
        site_id = row.value
    if not marker or marker.get("site_id") != site_id:
        write_site_marker(data_dir, site_id)
    return site_id
