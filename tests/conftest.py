"""Shared fixtures: a fresh site database in a temporary data folder, users of each role."""
from __future__ import annotations

import datetime as dt
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.clock import Clock  # noqa: E402
from app.context import open_context  # noqa: E402
from models.db import close_database  # noqa: E402


@pytest.fixture
def data_dir(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    return d


@pytest.fixture
def ctx(data_dir):
    """An empty site database (SQLite, or PostgreSQL when PROPERTYDESK_TEST_DATABASE is set),
    signed in as the manager, with a controllable clock set to 2026-11-23 09:00."""
    url = os.environ.get("PROPERTYDESK_TEST_DATABASE")
    if url:
        _reset_postgres(url)
    c = open_context(data_dir, url, clock=Clock(dt.datetime(2026, 11, 23, 9, 0, 0)))
    from models.users import User
    c.user = User.create(username="manager", display_name="王经理", role="manager")
    yield c
    close_database()


def _reset_postgres(url):
    from models.db import open_database
    db = open_database(url)
    db.execute_sql("DROP SCHEMA public CASCADE")
    db.execute_sql("CREATE SCHEMA public")
    db.close()


@pytest.fixture
def users(ctx):
    """One account of each role: users['frontdesk'] … users['manager']."""
    from models.users import User
    out = {"manager": ctx.user}
    for role, name in (("frontdesk", "李前台"), ("area_manager", "张管家"), ("cashier", "赵出纳")):
        out[role] = User.create(username=role, display_name=name, role=role)
    return out


@pytest.fixture
def as_role(ctx, users):
    """as_role('cashier') → a context acting as that role's user."""
    return lambda role: ctx.with_user(users[role])


def pytest_collection_modifyitems(items):
    for item in items:
        if "qtbot" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.gui)
