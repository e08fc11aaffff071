"""Who a command-line run (and the selftest) acts as."""
from __future__ import annotations

from types import SimpleNamespace


def cli_user(role: str = "manager", username: str | None = None):
    """The account a command-line run acts as: ``--user NAME`` when given (it must exist and be
    active), else the first active manager, else (an empty site) a transient manager.
    (app.system.accounts, and with it argon2, is imported only for ``--user``: argon2's import
    asks WMI, which the installer check's Wine lacks.)"""
    from models.users import User
    if username:
        from app.system.accounts import find_cli_user
        return find_cli_user(username)
    try:
        user = (User.select().where((User.role == role) & (User.active == True))  # noqa: E712
                .order_by(User.id).first())
    except Exception:
        user = None
    return user or SimpleNamespace(id=None, username="cli", display_name="命令行", role=role)
