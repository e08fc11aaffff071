"""The explicit context every service takes: database, settings, current user, data folder, clock."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from app.core.clock import Clock
from app.core.crypto import Vault
from app.core.settings import Settings
from models.db import default_url, open_database
from models.migrations import migrate


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

    def with_user(self, user) -> "AppContext":
        return AppContext(self.db, self.settings, self.data_dir, self.vault, user, self.clock, self.url)

    @property
    def backup_dir(self) -> Path:
        return Path(self.data_dir) / "backups"


def open_context(data_dir=None, url: str | None = None, user=None, clock: Clock | None = None) -> AppContext:
    """Open (and migrate) the database, load the site settings, and return a context."""
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    url = url or default_url(data_dir)
    db = open_database(url)
    migrate(db, backup_dir=data_dir / "backups")
    settings = Settings.load(data_dir)
    return AppContext(db=db, settings=settings, data_dir=data_dir, vault=Vault.for_data_dir(data_dir),
                      user=user, clock=clock or Clock(), url=url)
