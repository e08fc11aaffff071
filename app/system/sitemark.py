"""The data folder remembers its database: ``site.json`` holds the site id that is also kept in the
database's meta table (key ``site.id``). Written when a site is first created (or, for a site made
before the marker existed, when it is first opened); a missing, empty or foreign database file in a
folder with a marker (or with backups) is refused at start (app/system/checks.verify_site_file).

A data folder also belongs to one installed site: ``site.json`` keeps the site code and name of the
installer that made it (``site_code``, ``site_name``; the installed program's resources/build-info.json,
written by installer/build.py). A program of another site refuses the folder at start
(``check_site_code``, GUI and command line) instead of applying its rates and name to the other site's
owners; a folder from before the code was kept adopts the current program's. A program run from the
source tree (no build-info.json) has no site code and checks nothing."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from app.core.errors import UserError

SITE_FILE = "site.json"
META_KEY = "site.id"
BUILD_INFO = Path(__file__).parents[2] / "resources" / "build-info.json"


class OtherSitesFolder(UserError):
    """The data folder was made by another site's installation."""


def program_site() -> tuple[str, str]:
    """(site code, site name) of the installed program ('', '' when run from the source tree)."""
    try:
        info = json.loads(BUILD_INFO.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "", ""
    if not isinstance(info, dict) or not isinstance(info.get("site"), str):
        return "", ""
    return info["site"], str(info.get("site_name") or info["site"])


def check_site_code(data_dir) -> None:
    """Refuse a data folder whose ``site.json`` names another site than this program's."""
    code, name = program_site()
    marker = read_site_marker(data_dir) or {}
    theirs = marker.get("site_code") or ""
    if not code or not theirs or theirs == code:
        return
    their_name = marker.get("site_name") or theirs
    raise OtherSitesFolder(
        f"数据目录 {Path(data_dir)} 属于站点 {their_name}（{theirs}），本程序是 {name}（{code}）的安装，"
        f"不能打开另一个站点的数据（否则会把 {name} 的名称和收费标准用到 {their_name} 的业主和台账上）。"
        f"程序没有修改这个目录。请从 {their_name} 的快捷方式启动，或用 --data-dir 指定 {name} 自己的数据目录；"
        f"如需安装 {their_name} 的程序，请运行它的安装程序。")


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
    code, name = (old.get("site_code"), old.get("site_name")) if old.get("site_code") else program_site()
    if code:   # the folder keeps the site it was made for; an older folder adopts this program's
        data.update(site_code=code, site_name=name or code)
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
    if not marker or marker.get("site_id") != site_id or (program_site()[0] and not marker.get("site_code")):
        write_site_marker(data_dir, site_id)
    return site_id
