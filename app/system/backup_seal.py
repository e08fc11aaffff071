"""Backups written before phones and staff phones were sealed (schema before SEALED_FROM) hold personal
data in clear: at the first start of this version they are encrypted whole under the site key
(``<backup>.db.sealed``, Vault.seal_stream in 1 MB chunks) and the clear file is removed, the copy
taken just before the upgrade included. They stay listed for restore: ``plain_copy`` gives a
restore (or a check of the file) a decrypted temporary copy, user-only, removed afterwards. The
sealed file's header names the site, so the key is found without the database (a start-up restore
of a damaged database)."""
from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from pathlib import Path

from app.core.crypto import Vault, read_file_header
from app.core.errors import UserError

SEALED_SUFFIX = ".sealed"
SEALED_FROM = 15      # models/migrations.py: the schema from which no personal column is in clear


def is_sealed(path) -> bool:
    return str(path).endswith(SEALED_SUFFIX)


def schema_of(path: Path) -> int | None:
    """The schema version of a SQLite backup file, None when it is not one."""
    try:
        con = sqlite3.connect(f"file:{path.as_posix()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        return None
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else None
    except (sqlite3.DatabaseError, ValueError):
        return None
    finally:
        con.close()


def _sync(fh) -> None:
    fh.flush()
    os.fsync(fh.fileno())


def seal_file(vault: Vault, site_id: str, path: Path) -> Path:
    """Encrypt *path* into ``<path>.sealed`` (written to a .tmp, synced, renamed) and remove *path*."""
    dest = path.with_name(path.name + SEALED_SUFFIX)
    tmp = dest.with_name(dest.name + ".tmp")
    header = json.dumps({"site_id": site_id, "name": path.name}, ensure_ascii=False).encode("utf-8")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(path, "rb") as src, os.fdopen(fd, "wb") as out:
        vault.seal_stream(src, out, header)
        _sync(out)
    os.replace(tmp, dest)
    path.unlink()
    return dest


def backup_folders(ctx) -> list[Path]:
    """The data folder's backups and the second backup folder of the settings, when there is one."""
    folders = [Path(ctx.data_dir) / "backups"]
    second = str(ctx.settings.get("backup.second_folder") or "").strip()
    if second and Path(second).is_dir():
        folders.append(Path(second))
    return folders


def seal_old_backups(ctx, folders=None) -> list[Path]:
    """Seal every backup in *folders* (default: backup_folders) whose schema is older than SEALED_FROM
    (audited, one row): at start, and after a restore whose migration copied the old schema."""
    from app.core.audit import record
    from app.system.backup_store import list_backups
    from app.system.keystore import site_id_of
    folders = backup_folders(ctx) if folders is None else folders
    done = []
    site_id = ""
    for folder in folders:
        for _when, _reason, path in list_backups(Path(folder)):
            if is_sealed(path):
                continue
            version = schema_of(path)
            if version is None or version >= SEALED_FROM:
                continue
            site_id = site_id or site_id_of(ctx.db, ctx.data_dir)
            done.append(seal_file(ctx.vault, site_id, path))
    if done:
        with ctx.db.atomic():
            record(ctx, "backup.seal", "backup", "", None,
                   {"files": [p.name for p in done], "description": "旧版本备份中的个人信息未加密，已整体加密"})
    return done


def _vault_for(path: Path, vault: Vault | None) -> Vault:
    if vault is not None:
        return vault
    from app.system.keystore import load_key
    with open(path, "rb") as fh:
        try:
            site_id = json.loads(read_file_header(fh).decode("utf-8")).get("site_id", "")
        except (ValueError, UnicodeDecodeError):
            raise UserError(f"{path.name} 不是可读的加密备份文件") from None
    key = load_key(site_id) if site_id else None
    if key is None:
        raise UserError(f"{path.name} 是加密备份，本机没有该站点的密钥：请先输入《站点密钥恢复单》上的密钥")
    return Vault(key)


@contextlib.contextmanager
def plain_copy(path, vault: Vault | None = None):
    """*path* itself for a plain backup; for a sealed one, a decrypted copy beside it (0600) for the
    duration of the block, removed afterwards."""
    path = Path(path)
    if not is_sealed(path):
        yield path
        return
    vault = _vault_for(path, vault)
    plain = path.with_name(f".unsealed-{os.getpid()}-{path.name[:-len(SEALED_SUFFIX)]}")
    try:
        fd = os.open(plain, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(path, "rb") as src, os.fdopen(fd, "wb") as out:
            try:
                vault.unseal_stream(src, out)
            except ValueError as exc:
                raise UserError(f"{path.name}：{exc}") from None
        yield plain
    finally:
        plain.unlink(missing_ok=True)
