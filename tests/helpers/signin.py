"""The command line signs in (propertydesk.acting): the tests' accounts carry one password.

tests/conftest.py puts ``PROPERTYDESK_USER=manager`` and ``PROPERTYDESK_PASSWORD`` in the environment
(the command-line subprocesses inherit them); the fixtures' accounts, and a site a test builds by
itself with :func:`add_manager`, carry that password's hash."""
from __future__ import annotations

import os

_HASH: list[str] = []


def test_password() -> str:
    return os.environ["PROPERTYDESK_PASSWORD"]


def password_hash() -> str:
    """The argon2id hash of the tests' password, made once per session."""
    if not _HASH:
        from app.system.accounts import hash_password
        _HASH.append(hash_password(test_password()))
    return _HASH[0]


def add_manager(username: str = "manager", display_name: str = "王经理"):
    """The site's manager account with the tests' password (the database must be open)."""
    from models.users import User
    return User.create(username=username, display_name=display_name, role="manager", password_hash=password_hash())
