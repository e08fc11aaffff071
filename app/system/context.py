"""The explicit context every service takes: database, settings, current user, data folder, clock."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from app.core.clock import Clock
from app.core.crypto import Vault
from app.core.settings import Settings
from app.system.filemodes import narrow, private_umask
from app.system.keystore import open_site_vault
from models.db import default_url, open_database, sqlite_path
from models.migrations import migrate
from models.system import Meta


def default_data_dir() -> Path:
    env = os.environ.get("PROPERTYDESK_DATA_DIR")
    if env:
        return Path(env)
    import platformdirs  # only when no data folder is named (the GUI's usual start)
    return Path(platformdirs.user_data_dir("PropertyDesk", "PropertyDesk", roaming=False))


@dataclass
class AppContext:
    db: object
    settings: Settings
    data_dir: Path
    vault: Vault
    user: object = None
    clock: Clock = field(default_factory=Clock)
    url: str = ""
    site_hold: object = None   # app.system.instance.SiteHold: a restore waits for this process

    def with_user(self, user) -> "AppContext":
        return AppContext(self.db, self.settings, self.data_dir, self.vault, user, self.clock, self.url,
                          self.site_hold)

    @property
    def backup_dir(self) -> Path:
        return Path(self.data_dir) / "backups"


def open_context(data_dir=None, url: str | None = None, user=None, clock: Clock | None = None) -> AppContext:
    """Open (and migrate) the database, load the site settings, and return a context.

    An SQLite site first finishes or undoes a restore that stopped half way, refuses a missing,
    empty or foreign file in a folder that had a database (app.system.checks.verify_site_file),
    and holds the site lock shared while the context lives (a restore waits for it). The site key
    comes from the OS key store (app.system.keystore: a missing key with encrypted data is refused);
    files are created readable by the user only (app.system.filemodes)."""
    private_umask()   # the database, WAL, backups, logs and exports: readable by the user only
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    narrow(data_dir)
    url = url or default_url(data_dir)
    path = sqlite_path(url)
    hold = None
    if path is not None and str(path) != ":memory:":
        from app.system.backup import recover_restore
        from app.system.checks import verify_site_file
        from app.system.instance import SiteHold
        hold = SiteHold(path)
        recover_restore(path)
        verify_site_file(data_dir, path)
    db = open_database(url)
    try:
        vault = open_site_vault(db, data_dir)   # the key from the OS key store; before migrate (it seals phones)
    except Exception:
        from models.db import close_database
        close_database()
        if hold is not None:
            hold.release()
        raise
    migrate(db, backup_dir=data_dir / "backups")
    if hold is not None:
        from app.system.sitemark import ensure_site_id
        ensure_site_id(db, data_dir)
    settings = Settings.load(data_dir)
    ctx = AppContext(db=db, settings=settings, data_dir=data_dir, vault=vault,
                     user=user, clock=clock or Clock(), url=url, site_hold=hold)
    from app.core.audit import seal_legacy
    if seal_legacy(ctx):   # a log from before the keyed audit chain is sealed with the key once (audited)
        _mark_vacuum_due()
    _seal_old_backups(ctx)
    if path is not None and str(path) != ":memory:" and _vacuum_due():
        _drop_clear_leftovers(db)
    return ctx


def _seal_old_backups(ctx) -> None:
    """Backups of a schema that held personal data in clear are encrypted whole (app/system/backup_seal.py)."""
    from app.system.backup_seal import seal_old_backups
    seal_old_backups(ctx)


def _vacuum_due() -> bool:
    from models.migrations import VACUUM_DUE_KEY
    return Meta.select().where(Meta.key == VACUUM_DUE_KEY).exists()


def _mark_vacuum_due() -> None:
    from models.migrations import VACUUM_DUE_KEY
    if not Meta.update(value="1").where(Meta.key == VACUUM_DUE_KEY).execute():
        Meta.create(key=VACUUM_DUE_KEY, value="1")


def _drop_clear_leftovers(db) -> None:
    """After an upgrade sealed what a database held in clear (phones, the audit's personal fields), the
    old values still sit in the file's free pages and in the WAL: rebuild the file (VACUUM) and empty
    the WAL, so a copied data folder shows none of them. Once, at the upgrade; when another process
    has the file open (VACUUM needs it alone) the start goes on and the next one tries again."""
    import logging

    from peewee import OperationalError

    from models.migrations import VACUUM_DUE_KEY
    try:
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute_sql("VACUUM")
    except OperationalError as exc:
        logging.getLogger("propertydesk.start").warning("rebuild after sealing postponed: %s", exc)
        return
    Meta.delete().where(Meta.key == VACUUM_DUE_KEY).execute()
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
