"""Backups from before the sealed columns are encrypted whole at the upgrade (app/system/backup_seal.py):
no phone readable in the backups folder, and still restorable, by the window and the command line."""
from __future__ import annotations

import io
import sqlite3
import stat
from pathlib import Path

import pytest

from app.core.crypto import Vault, new_key
from app.core.errors import UserError
from app.system import backup, backup_seal
from app.system.context import open_context
from models.db import close_database, is_sqlite
from models.people import Owner
from tests.helpers.archives import build_small_site

PHONE = "13912340077"


@pytest.fixture
def sqlite_only():
    if not is_sqlite():
        pytest.skip("SQLite backup files")


def test_a_sealed_stream_round_trips_and_any_change_is_refused():
    vault, data = Vault(new_key()), bytes(range(256)) * 9000          # 2.3 MB: three chunks
    out = io.BytesIO()
    vault.seal_stream(io.BytesIO(data), out, b'{"site_id": "x"}')
    sealed = out.getvalue()
    assert data[:4096] not in sealed
    back = io.BufferedReader(io.BytesIO(sealed))
    plain = io.BytesIO()
    assert vault.unseal_stream(back, plain) == b'{"site_id": "x"}' and plain.getvalue() == data
    for bad in (sealed[:-1], sealed[:len(sealed) // 2], sealed[:40] + bytes([sealed[40] ^ 1]) + sealed[41:]):
        with pytest.raises(ValueError):
            vault.unseal_stream(io.BufferedReader(io.BytesIO(bad)), io.BytesIO())
    with pytest.raises(ValueError):                                  # another site's key
        Vault(new_key()).unseal_stream(io.BufferedReader(io.BytesIO(sealed)), io.BytesIO())


def _old_backup(ctx, users, version: int) -> Path:
    """A backup as an older version left it: schema *version*, an owner's phone in clear."""
    site = build_small_site(ctx, users)
    r = backup.backup_now(ctx)
    con = sqlite3.connect(r.path)
    con.execute("UPDATE owner SET phone = ? WHERE id = ?", (PHONE, site["zhang"].id))
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    con.commit()
    con.close()
    assert PHONE.encode() in r.path.read_bytes()
    return r.path


def test_old_backups_are_sealed_at_start_and_restore_from_the_sealed_file(ctx, data_dir, users, sqlite_only):
    old = _old_backup(ctx, users, 12)
    url, clock, user = ctx.url, ctx.clock, ctx.user
    close_database()
    c = open_context(data_dir, url if not url.startswith("sqlite") else None, clock=clock)
    c.user = user
    sealed = old.with_name(old.name + ".sealed")
    assert not old.exists() and sealed.is_file() and stat.S_IMODE(sealed.stat().st_mode) == 0o600
    for f in (data_dir / "backups").iterdir():                        # nothing readable left in the folder
        assert PHONE.encode() not in f.read_bytes(), f.name
    listed = [p for _w, _r, p in backup.list_backups(data_dir / "backups")]
    assert sealed in listed
    # restore from it: the owner's phone comes back (the old schema is migrated as usual)
    backup.restore(c, sealed)
    assert PHONE in {o.phone for o in Owner.select()}
    assert not list((data_dir / "backups").glob(".unsealed-*"))       # the decrypted copy is gone
    for f in (data_dir / "backups").iterdir():                        # the restore's migration copy too
        assert not f.name.endswith(".db") or (backup_seal.schema_of(f) or 0) >= backup_seal.SEALED_FROM, f.name
    # sealed once: the next start leaves the sealed file as it is
    before = sealed.read_bytes()
    close_database()
    open_context(data_dir, None, clock=clock)
    assert sealed.read_bytes() == before


def test_a_current_backup_is_left_as_it_is(ctx, data_dir, users, sqlite_only):
    build_small_site(ctx, users)
    r = backup.backup_now(ctx)
    close_database()
    open_context(data_dir, None, clock=ctx.clock)
    assert r.path.is_file() and not r.path.with_name(r.path.name + ".sealed").exists()


def test_a_sealed_backup_without_the_key_is_refused_in_chinese(ctx, data_dir, users, sqlite_only, monkeypatch):
    old = _old_backup(ctx, users, 12)
    close_database()
    open_context(data_dir, None, clock=ctx.clock)
    sealed = old.with_name(old.name + ".sealed")
    monkeypatch.setattr("app.system.keystore.load_key", lambda site_id: None)
    with pytest.raises(UserError, match="站点密钥恢复单"):
        backup.check_backup_file(sealed)
    assert backup_seal.is_sealed(sealed) and sealed.is_file()          # refused, never damaged


def test_the_command_line_restores_a_damaged_site_from_a_sealed_backup(tmp_path, sqlite_only):
    """Real processes: the start seals the old backup; the database is then damaged, so the manager is
    checked in the sealed backup itself (its key found by the site named in its header)."""
    from tests.system.test_backup import _cli, _corrupt
    d = tmp_path / "site"
    assert _cli(d, "user-add", "boss", "--name", "王经理", "--role", "manager",
                env_extra={"PROPERTYDESK_PASSWORD": "pass-1234"}).returncode == 0
    assert _cli(d, "backup").returncode == 0
    old = backup.list_backups(d / "backups")[0][2]
    con = sqlite3.connect(old)
    con.execute("UPDATE meta SET value = '12' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    r = _cli(d, "check")                     # the first start of this version after the old backup
    assert r.returncode == 0, r.stdout + r.stderr
    sealed = old.with_name(old.name + ".sealed")
    assert sealed.is_file() and not old.exists()
    db = d / "propertydesk.db"
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    _corrupt(db)
    r = _cli(d, "restore", str(sealed), "--yes", env_extra={"PROPERTYDESK_PASSWORD": "wrong"})
    assert r.returncode != 0 and "密码" in r.stderr
    r = _cli(d, "restore", str(sealed), "--yes")
    assert r.returncode == 0, r.stdout + r.stderr
    assert _cli(d, "check").returncode == 0
    assert not list((d / "backups").glob(".unsealed-*"))
