"""Shared fixtures: a fresh site database in a temporary data folder, users of each role."""
from __future__ import annotations

import datetime as dt
import os
import tempfile

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The PC's own settings (QSettings: remembered printers, column widths, the window) never come from
# or go to the tester's real ~/.config: the session's in a temporary folder (subprocesses inherit
# it), and each test's in its own (the _own_qt_settings fixture below).
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="pd-test-config-")
# The site keys (app.system.keystore) in a temporary folder too, never the tester's key store.
os.environ["PROPERTYDESK_KEY_DIR"] = tempfile.mkdtemp(prefix="pd-test-keys-")
if os.environ.get("PROPERTYDESK_TEST_DATABASE"):
    # command-line tests run `python -m app` in a subprocess: it opens the same PostgreSQL database
    os.environ["PROPERTYDESK_DATABASE"] = os.environ["PROPERTYDESK_TEST_DATABASE"]
# The command line runs only as an account that proves its password: the command-line tests'
# subprocesses sign in as the `ctx` fixture's manager through the environment (a test that means
# another account, or none, sets or removes these for its own subprocess; tests/helpers/signin.py).
os.environ["PROPERTYDESK_USER"] = "manager"
os.environ["PROPERTYDESK_PASSWORD"] = "test-pass-2026"

from app.core.clock import Clock  # noqa: E402
from app.system.context import open_context  # noqa: E402
from models.db import close_database  # noqa: E402
from tests.helpers.signin import password_hash  # noqa: E402

pytest_plugins = ["tests.helpers.boxes"]  # boxes, box_texts, answer_boxes: message boxes recorded, not shown


@pytest.fixture(autouse=True)
def _own_qt_settings(tmp_path_factory):
    """Each test starts with empty PC settings: a printer or a column width one test remembered
    does not change what the next one sees."""
    from PySide6.QtCore import QSettings
    folder = str(tmp_path_factory.mktemp("qt-settings"))
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)
    yield


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
    c.user = User.create(username="manager", display_name="王经理", role="manager",
                         password_hash=password_hash())
    yield c
    close_database()


_PG_STATE = {"schema_ready": False}  # the schema is rebuilt once per session


def _reset_postgres(url):
    """An empty PostgreSQL database for the next test: the schema is dropped and rebuilt once per
    session, then the tables a test wrote to are emptied (TRUNCATE … RESTART IDENTITY): much faster."""
    from models.db import open_database
    db = open_database(url)
    try:
        db.execute_sql("SET lock_timeout = '20s'")
        tables = [r[0] for r in db.execute_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()]
        if _PG_STATE["schema_ready"] and tables:
            # only the tables a test wrote to: those whose id sequence was used, and those without one
            used = {r[0] for r in db.execute_sql(
                "SELECT c.relname FROM pg_class c JOIN pg_depend d ON d.refobjid = c.oid AND d.deptype = 'a' "
                "JOIN pg_sequences s ON s.sequencename = (SELECT relname FROM pg_class WHERE oid = d.objid) "
                "WHERE c.relkind = 'r' AND s.schemaname = 'public' AND s.last_value IS NOT NULL").fetchall()}
            with_seq = {r[0] for r in db.execute_sql(
                "SELECT c.relname FROM pg_class c JOIN pg_depend d ON d.refobjid = c.oid AND d.deptype = 'a' "
                "JOIN pg_class q ON q.oid = d.objid AND q.relkind = 'S' WHERE c.relkind = 'r'").fetchall()}
            dirty = [t for t in tables if t in used or t not in with_seq]
            if dirty:
                db.execute_sql("TRUNCATE " + ", ".join(f'"{t}"' for t in dirty) + " RESTART IDENTITY CASCADE")
        else:
            db.execute_sql("DROP SCHEMA public CASCADE")
            db.execute_sql("CREATE SCHEMA public")
            _PG_STATE["schema_ready"] = True
    finally:
        db.close()


@pytest.fixture
def users(ctx):
    """One account of each role: users['frontdesk'] … users['manager']."""
    from models.users import User
    out = {"manager": ctx.user}
    staff = (("frontdesk", "李前台"), ("area_manager", "张管家"), ("cashier", "赵出纳"), ("backup", "定时备份"))
    for role, name in staff:
        out[role] = User.create(username=role, display_name=name, role=role, password_hash=password_hash())
    return out


@pytest.fixture
def as_role(ctx, users):
    """as_role('cashier') → a context acting as that role's user."""
    return lambda role: ctx.with_user(users[role])


def pytest_collection_modifyitems(items):
    for item in items:
        if "qtbot" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.gui)
