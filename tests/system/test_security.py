"""Accounts, roles and permissions, personal data, audit log (issue 8)."""
from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import app
from app.core.errors import NotFound, PermissionDenied, StateError, ValidationError
from app.core.permissions import ACTIONS, allowed, require
from app.system import accounts
from models.users import ROLES, AuditLog, User

ROLE_LIST = list(ROLES)


# -- role × action ---------------------------------------------------------------

FORBIDDEN = [(role, action) for action, (_l, roles) in ACTIONS.items() for role in ROLE_LIST if role not in roles]
PERMITTED = [(role, action) for action, (_l, roles) in ACTIONS.items() for role in roles]


def test_require_refuses_every_forbidden_pair(as_role):
    """Table-driven over app.core.permissions.ACTIONS: every pair a role may not do is refused."""
    wrong = []
    for role, action in FORBIDDEN:
        try:
            require(as_role(role), action)
            wrong.append((role, action))
        except PermissionDenied as e:
            assert ROLES[role] in str(e) and ACTIONS[action][0] in str(e)
    assert wrong == []


def test_require_allows_permitted_pairs(as_role):
    for role, action in PERMITTED:
        require(as_role(role), action)


def test_role_table_shape():
    assert len(FORBIDDEN) > 40
    # the front desk may never void receipts, manage accounts, restore or see full identity numbers
    for action in ("ledger.void", "users.manage", "backup.restore", "pii.view_full", "audit.view", "settings.edit"):
        assert not allowed("frontdesk", action)
    with pytest.raises(PermissionDenied, match="未登录"):
        require(type("C", (), {"user": None})(), "archive.view")


def _guarded_services():
    """Every service function in app/ whose first statement is ``require(ctx, "<action>")``."""
    found = []
    for info in pkgutil.walk_packages(app.__path__, "app."):
        if info.ispkg or info.name.startswith("app.demo."):
            continue
        try:
            module = importlib.import_module(info.name)
            tree = ast.parse(inspect.getsource(module))
        except Exception:
            continue
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or not node.args.args or node.args.args[0].arg != "ctx":
                continue
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                body = body[1:]
            if not body or not isinstance(body[0], ast.Expr) or not isinstance(body[0].value, ast.Call):
                continue
            call = body[0].value
            if getattr(call.func, "id", None) == "require" and len(call.args) == 2 \
                    and isinstance(call.args[1], ast.Constant) and call.args[1].value in ACTIONS:
                found.append((info.name, node.name, call.args[1].value))
    return found


GUARDED = _guarded_services()
SERVICE_CASES = [(mod, fn, action, role) for mod, fn, action in GUARDED
                 for role in ROLE_LIST if not allowed(role, action)]


def test_services_are_guarded():
    names = {(m, f) for m, f, _a in GUARDED}
    assert ("app.system.site_settings", "save_settings") in names
    assert ("app.system.accounts", "create_user") in names
    assert ("app.archives.anonymise", "anonymise_owner") in names


def test_real_services_refuse(as_role):
    """The services themselves refuse (not only the hidden buttons): every service of app/ that
    starts with require(), called by each role that may not do its action, raises
    PermissionDenied before touching anything, and nothing is written."""
    assert len(SERVICE_CASES) >= 10
    before = AuditLog.select().count()
    not_refused = []
    for module, fn, _action, role in SERVICE_CASES:
        func = getattr(importlib.import_module(module), fn)
        params = list(inspect.signature(func).parameters.values())[1:]
        args = [None for p in params if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        kwargs = {p.name: None for p in params if p.default is p.empty and p.kind == p.KEYWORD_ONLY}
        try:
            func(as_role(role), *args, **kwargs)
            not_refused.append((module, fn, role))
        except PermissionDenied as e:
            assert "权限不足" in str(e)
    assert not_refused == []
    assert AuditLog.select().count() == before


def test_save_settings_refused_for_cashier(as_role, ctx):
    from app.system.site_settings import save_settings
    with pytest.raises(PermissionDenied):
        save_settings(as_role("cashier"), {"site.name": "别的小区"})
    assert ctx.settings.get("site.name") == "天伦庄园"


# -- accounts ---------------------------------------------------------------------

def test_argon2id_hash():
    h = accounts.hash_password("secret-123")
    assert h.startswith("$argon2id$")
    assert accounts.verify_password(h, "secret-123")
    assert not accounts.verify_password(h, "secret-124")
    assert not accounts.verify_password("", "x")


def fresh_site(ctx):
    """No account with a password yet (the fixture's manager signs in the command-line tests)."""
    User.update(password_hash="").where(User.id == ctx.user.id).execute()


def test_first_run_creates_manager(ctx):
    fresh_site(ctx)
    assert accounts.needs_first_run()
    anon = ctx.with_user(None)
    with pytest.raises(ValidationError, match="确认密码"):
        accounts.create_first_manager(anon, "boss", "王经理", "abcdef", "abcdeg")
    with pytest.raises(ValidationError, match="密码"):
        accounts.create_first_manager(anon, "boss", "王经理", "abc")
    u = accounts.create_first_manager(anon, "boss", "王经理", "abcdef", "abcdef")
    assert u.role == "manager" and u.password_hash.startswith("$argon2id$")
    assert not accounts.needs_first_run()
    with pytest.raises(StateError):
        accounts.create_first_manager(anon, "boss2", "另一个", "abcdef")
    row = AuditLog.select().order_by(AuditLog.seq.desc()).first()
    assert row.action == "user.create_first_manager" and "argon2" not in row.after


def test_login_and_lockout(ctx):
    u = accounts.create_user(ctx, "li", "李前台", "frontdesk", "pass-1234")
    assert accounts.authenticate(ctx, "li", "pass-1234").id == u.id
    with pytest.raises(PermissionDenied, match="登录名或密码错误"):
        accounts.authenticate(ctx, "li", "wrong")
    with pytest.raises(PermissionDenied, match="登录名或密码错误"):
        accounts.authenticate(ctx, "nobody", "wrong")
    for _ in range(accounts.MAX_FAILED - 1):      # each after the pause the one before asked for
        ctx.clock.advance(seconds=accounts.sign_in_wait(ctx, "li"))
        with pytest.raises(PermissionDenied):
            accounts.authenticate(ctx, "li", "wrong")
    with pytest.raises(PermissionDenied, match="锁定"):
        accounts.authenticate(ctx, "li", "pass-1234")
    ctx.clock.advance(minutes=accounts.LOCK_MINUTES + 1)
    assert accounts.authenticate(ctx, "li", "pass-1234").id == u.id
    assert AuditLog.select().where(AuditLog.action == "auth.fail").count() >= accounts.MAX_FAILED + 1


def test_account_management(ctx, as_role):
    with pytest.raises(ValidationError, match="角色"):
        accounts.create_user(ctx, "x1", "某人", "boss", "pass-1234")
    with pytest.raises(ValidationError, match="登录名"):
        accounts.create_user(ctx, "", "某人", "cashier", "pass-1234")
    u = accounts.create_user(ctx, "zhao", "赵出纳", "cashier", "pass-1234", phone="13812345678")
    with pytest.raises(ValidationError, match="已被使用"):
        accounts.create_user(ctx, "zhao", "另一个", "cashier", "pass-1234")
    accounts.update_user(ctx, u.id, role="area_manager", display_name="赵管家")
    assert User.get_by_id(u.id).role == "area_manager"
    accounts.reset_password(ctx, u.id, "new-pass-9")
    assert accounts.authenticate(ctx, "zhao", "new-pass-9").must_change_password
    zctx = ctx.with_user(User.get_by_id(u.id))
    with pytest.raises(ValidationError, match="原密码"):
        accounts.change_own_password(zctx, "bad", "other-pass-1")
    accounts.change_own_password(zctx, "new-pass-9", "other-pass-1", "other-pass-1")
    assert not User.get_by_id(u.id).must_change_password
    accounts.update_user(ctx, u.id, active=False)
    with pytest.raises(PermissionDenied):
        accounts.authenticate(ctx, "zhao", "other-pass-1")
    with pytest.raises(PermissionDenied):
        accounts.create_user(as_role("area_manager"), "y", "某人", "cashier", "pass-1234")
    actions = [r.action for r in AuditLog.select().order_by(AuditLog.seq)]
    assert actions.count("user.update") == 2 and "user.reset_password" in actions
    for r in AuditLog.select():
        assert "$argon2" not in r.before + r.after


def test_last_manager_cannot_be_removed(ctx):
    fresh_site(ctx)
    boss = accounts.create_first_manager(ctx.with_user(None), "boss", "王经理", "abcdef")
    mctx = ctx.with_user(boss)
    with pytest.raises(StateError, match="经理"):
        accounts.update_user(mctx, boss.id, role="cashier")
    with pytest.raises(StateError):
        accounts.update_user(mctx, boss.id, active=False)
    with pytest.raises(NotFound):
        accounts.update_user(mctx, 99999, display_name="x")


@pytest.mark.slow
def test_cli_runs_as_chosen_user(tmp_path):
    import os
    import subprocess
    import sys
    env = {k: v for k, v in os.environ.items() if k != "PROPERTYDESK_DATABASE"}   # a fresh SQLite site
    env["PROPERTYDESK_PASSWORD"] = "pass-1234"                  # the first manager's, then boss signs in
    env.pop("PROPERTYDESK_USER", None)
    base = [sys.executable, "-m", "propertydesk", "--data-dir", str(tmp_path)]
    r = subprocess.run(base + ["user-add", "boss", "--name", "王经理", "--role", "manager"],
                       capture_output=True, text=True, encoding="utf-8", env=env, check=False)
    assert r.returncode == 0, r.stderr
    r = subprocess.run(base + ["--user", "boss", "user-add", "li", "--name", "李前台", "--role", "frontdesk"],
                       capture_output=True, text=True, encoding="utf-8",
                       env=dict(env, PROPERTYDESK_NEW_PASSWORD="li-pass-1"), check=False)
    assert r.returncode == 0, r.stderr
    env["PROPERTYDESK_PASSWORD"] = "li-pass-1"
    r = subprocess.run(base + ["--user", "li", "users"], capture_output=True, text=True, encoding="utf-8", env=env,
                       check=False)
    assert r.returncode == 2 and "权限不足：前台不能账号管理" in r.stderr
    r = subprocess.run(base + ["--user", "ghost", "users"], capture_output=True, text=True, encoding="utf-8", env=env,
                       check=False)
    assert r.returncode == 2 and "登录名或密码错误" in r.stderr


# -- personal data ------------------------------------------------------------------

def _owner(ctx, name, id_number, phone):
    from app.archives.owners import owner_fields
    from models.people import Owner
    with ctx.db.atomic():
        return Owner.create(**owner_fields(ctx, {"name": name, "id_number": id_number, "phone": phone}))


def _ids(n):
    from app.core.validation import id_check_char
    out = []
    for i in range(n):
        p = f"1101011985{(i % 12) + 1:02d}{(i % 27) + 1:02d}{i % 1000:03d}"
        out.append(p + id_check_char(p))
    return out


def test_identity_numbers_not_in_raw_database_file(ctx):
    from models.db import is_sqlite
    if not is_sqlite():
        pytest.skip("raw file bytes: SQLite only")
    ids = _ids(40)
    for i, idn in enumerate(ids):
        _owner(ctx, f"业主{i}", idn, f"1391234{i:04d}")
    from models.people import Owner
    assert Owner.select().where(Owner.id_hash == ctx.vault.lookup_hash(ids[7])).get().name == "业主7"
    path = ctx.db.database
    raw = b""
    import os
    for suffix in ("", "-wal"):
        if os.path.exists(path + suffix):
            raw += Path(path + suffix).read_bytes()
    assert len(raw) > 10000
    for idn in ids:
        assert idn.encode() not in raw and idn.encode("utf-16-le") not in raw
        assert idn[:14].encode() not in raw        # not even the birth-date part beside the region
    ctx.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = Path(path).read_bytes()
    assert not any(idn.encode() in raw for idn in ids)
    assert "业主7".encode() in raw                    # the test really reads the data
    assert b"1391234" not in raw                    # phones are sealed too (issue 15)


def test_reveal_needs_permission_and_is_audited(ctx, as_role):
    from app.archives.people import reveal_owner_id, reveal_owner_phone
    from app.core.privacy import phone_for
    idn = _ids(1)[0]
    o = _owner(ctx, "陈业主", idn, "13912345678")
    assert o.id_masked == idn[:3] + "*" * 11 + idn[-4:]
    with pytest.raises(PermissionDenied):
        reveal_owner_id(as_role("frontdesk"), o.id)
    with pytest.raises(PermissionDenied):
        reveal_owner_phone(as_role("cashier"), o.id)
    assert phone_for(as_role("frontdesk"), o.phone, reveal=True) == "139****5678"
    before = AuditLog.select().count()
    assert reveal_owner_id(as_role("area_manager"), o.id, "核对身份") == idn
    assert reveal_owner_phone(ctx, o.id) == "13912345678"
    rows = list(AuditLog.select().where(AuditLog.seq > before).order_by(AuditLog.seq))
    assert [r.action for r in rows] == ["pii.reveal_id", "pii.reveal_phone"]
    assert rows[0].username == "area_manager" and rows[0].entity_id == str(o.id)
    assert idn not in rows[0].after and "13912345678" not in rows[1].after


def test_anonymise_owner_keeps_ledger(ctx, as_role):
    from app.archives.anonymise import anonymise_owner
    from models.people import HomeOwner, Owner, Resident
    from models.property import Home
    home = _make_home()
    o = _owner(ctx, "刘业主", _ids(1)[0], "13912345678")
    o.spouse_name, o.spouse_phone, o.family_structure = "孙女士", "13700001111", "三口之家"
    o.save()
    HomeOwner.create(home=home, owner=o)
    Resident.create(home=home, name="刘小明", relation="子女", phone="13600001111")
    Resident.create(home=home, name="租客", relation="租户", is_tenant=True)
    with pytest.raises(PermissionDenied):
        anonymise_owner(as_role("area_manager"), o.id)
    s = anonymise_owner(ctx, o.id, "已出售房屋")
    o = Owner.get_by_id(o.id)
    assert o.name == f"已注销业主{o.id:04d}" and o.anonymised
    assert o.phone == o.id_enc == o.id_hash == o.id_masked == ""
    assert o.spouse_name == o.spouse_phone == o.family_structure == ""
    assert s["residents_removed"] == 1 and Resident.select().count() == 1
    ho = HomeOwner.get(HomeOwner.owner == o)
    assert ho.until == ctx.clock.today() and Home.get_by_id(home.id)
    with pytest.raises(StateError):
        anonymise_owner(ctx, o.id)
    row = AuditLog.select().where(AuditLog.action == "owner.anonymise").get()
    # the owner's audit values were sealed under the owner's key, which anonymising destroyed (issue 15)
    assert "13912345678" not in row.before and "刘业主" not in row.before
    from app.core.audit import entry_rows
    shown = [line for r in entry_rows(ctx, "", 50) if r["action"] == "owner.anonymise" for line in r["changes"]]
    assert shown and "刘业主" not in " ".join(shown) and "已随业主注销删除" in " ".join(shown)


def _make_home():
    """A home with the smallest set of required parents (models.property)."""
    from peewee import ForeignKeyField

    from models.property import Home

    def make(model, depth=0):
        data = {}
        for name, f in model._meta.fields.items():
            if f.primary_key or f.null or f.default is not None:
                continue
            if isinstance(f, ForeignKeyField):
                data[name] = make(f.rel_model, depth + 1)
            elif f.field_type in ("INT", "BIGINT", "SMALLINT"):
                data[name] = 1
            elif f.field_type == "BOOL":
                data[name] = False
            elif f.field_type == "DATE":
                import datetime as dt
                data[name] = dt.date(2026, 1, 1)
            else:
                data[name] = f"{model.__name__}{depth}"
        return model.create(**data)
    return make(Home)


# -- audit log ------------------------------------------------------------------------

def test_audit_detects_deleted_newest_and_middle_rows(ctx):
    from app.core.audit import record, verify_chain
    with ctx.db.atomic():
        for i in range(5):
            record(ctx, "test.write", "thing", i, {"v": i}, {"v": i + 1})
    assert verify_chain(ctx) == []
    AuditLog.delete().where(AuditLog.seq == 5).execute()
    assert any("最新记录被删除" in p for p in verify_chain(ctx))
    AuditLog.delete().where(AuditLog.seq == 2).execute()
    assert any("缺失" in p for p in verify_chain(ctx))


def test_check_command_reports_edited_row(ctx):
    from app.core.audit import record
    from app.office.checks import run_checks
    with ctx.db.atomic():
        for i in range(3):
            record(ctx, "test.write", "thing", i, None, {"v": i})
    assert all(c.ok for c in run_checks(ctx))
    AuditLog.update(username="someone").where(AuditLog.seq == 2).execute()
    bad = [c for c in run_checks(ctx) if not c.ok]
    assert len(bad) == 1 and "审计" in bad[0].name and any("2" in p for p in bad[0].problems)
