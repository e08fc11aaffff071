"""Personal data at rest (issue 15): the site key outside the data folder (OS key store, or a user-only
file in the config folder), phones sealed with keyed digit-window search, audit rows' personal fields
under per-person keys that anonymising destroys, user-only files."""
from __future__ import annotations

import datetime as dt
import os
import re
import stat
from pathlib import Path

import pytest

from app.archives import anonymise, search
from app.archives.key_sheet import import_site_key, recovery_sheet_pdf
from app.archives.people import add_resident, update_owner
from app.core import audit
from app.core.clock import Clock
from app.core.crypto import check_digits
from app.core.errors import PermissionDenied, ValidationError
from app.system import keystore
from app.system.context import open_context
from models.db import close_database, is_sqlite
from models.people import Owner, PersonalKey, Resident
from models.users import AuditLog, User
from tests.helpers.archives import ID_ZHANG, build_small_site
from tests.helpers.pdf import pdf_text

NOON = Clock(dt.datetime(2026, 11, 23, 12, 0, 0))


def _raw(ctx, sql, *params):
    return ctx.db.execute_sql(sql.replace("?", ctx.db.param), params).fetchall()


def _site_key_file(ctx) -> Path:
    return keystore.key_dir() / f"site-{keystore.site_id_of(ctx.db)}.key"


# -- the site key ------------------------------------------------------------------------------

def test_key_is_outside_the_data_folder_and_user_only(ctx, data_dir):
    assert not (data_dir / "keys").exists()
    assert not [p for p in data_dir.rglob("*") if p.suffix == ".key"]
    key_file = _site_key_file(ctx)
    assert key_file.is_file() and data_dir not in key_file.parents
    assert key_file.read_bytes().strip() == ctx.vault.key_text.encode("ascii")
    if os.name == "posix":
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    # the database keeps only the check digits
    assert _raw(ctx, "SELECT value FROM meta WHERE key = ?", keystore.CHECK_KEY)[0][0] == check_digits(
        ctx.vault.key_text.encode())


def test_a_key_left_in_the_data_folder_moves_to_the_store(ctx, data_dir, users):
    site = build_small_site(ctx, users)
    key_file = _site_key_file(ctx)
    key = key_file.read_bytes()
    close_database()
    (data_dir / "keys").mkdir()
    (data_dir / "keys" / "site.key").write_bytes(key)        # where an older version kept it
    key_file.unlink()
    c = open_context(data_dir, ctx.url, clock=NOON)
    assert key_file.read_bytes() == key
    assert not (data_dir / "keys").exists()                   # removed only after the store kept it
    zhang = Owner.get_by_id(site["zhang"].id)
    assert c.vault.decrypt(zhang.id_enc) == ID_ZHANG and zhang.phone == "13812345678"


def test_a_key_that_the_store_does_not_keep_stays_in_the_data_folder(ctx, data_dir, users, monkeypatch):
    build_small_site(ctx, users)
    key_file = _site_key_file(ctx)
    key = key_file.read_bytes()
    close_database()
    (data_dir / "keys").mkdir()
    (data_dir / "keys" / "site.key").write_bytes(key)
    key_file.unlink()
    monkeypatch.setattr(keystore, "load_key", lambda site_id: None)   # a store that loses what it is given
    with pytest.raises(keystore.UserError, match="未能保存"):
        open_context(data_dir, ctx.url, clock=NOON)
    assert (data_dir / "keys" / "site.key").read_bytes() == key


def test_missing_key_with_encrypted_data_is_refused_naming_the_sheet(ctx, data_dir, users):
    build_small_site(ctx, users)
    key_file = _site_key_file(ctx)
    key_text = ctx.vault.key_text
    close_database()
    key_file.unlink()
    with pytest.raises(keystore.KeyMissing) as exc:
        open_context(data_dir, ctx.url, clock=NOON)
    assert "站点密钥恢复单" in str(exc.value) and "propertydesk key import" in str(exc.value)
    assert not key_file.exists()                                # no new key made over the data
    # entered from the sheet: a wrong check digit, another site's key, then the right one
    with pytest.raises(ValidationError, match="校验码"):
        import_site_key(data_dir, ctx.url, key_text, "000000" if check_digits(key_text.encode()) != "000000"
                        else "111111")
    with pytest.raises(ValidationError, match="站点密钥"):
        import_site_key(data_dir, ctx.url, key_text[:-3], check_digits(key_text.encode()))
    other = keystore.new_key()
    with pytest.raises(keystore.KeyMismatch, match="不是本数据库的密钥"):
        import_site_key(data_dir, ctx.url, other.decode(), check_digits(other))
    spaced = " ".join(key_text[i:i + 4] for i in range(0, len(key_text), 4))   # as printed on the sheet
    where = import_site_key(data_dir, ctx.url, spaced, check_digits(key_text.encode()))
    assert "密钥文件" in where and key_file.is_file()
    c = open_context(data_dir, ctx.url, clock=NOON)
    assert Owner.get(Owner.name == "张伟").phone == "13812345678" and c.vault.key_text == key_text


def test_a_wrong_key_on_this_pc_is_refused(ctx, data_dir, users):
    build_small_site(ctx, users)
    key_file = _site_key_file(ctx)
    close_database()
    key_file.write_bytes(keystore.new_key())
    with pytest.raises(keystore.KeyMismatch, match="与数据库不符"):
        open_context(data_dir, ctx.url, clock=NOON)


def test_recovery_sheet(ctx, as_role):
    pdf = recovery_sheet_pdf(ctx)
    text = re.sub(r"第\d行", "", pdf_text(pdf).replace(" ", "").replace("\n", ""))
    key = ctx.vault.key_text
    assert "站点密钥恢复单" in text and key in text and check_digits(key.encode()) in text
    assert "保险柜" in text and "propertydesk key import" in pdf_text(pdf)
    row = AuditLog.select().where(AuditLog.action == "site_key.print_sheet").get()
    assert key not in row.after and check_digits(key.encode()) in row.after
    with pytest.raises(PermissionDenied):
        recovery_sheet_pdf(as_role("frontdesk"))


# -- phones ------------------------------------------------------------------------------------

def test_phones_are_sealed_in_the_database_and_read_in_clear(ctx, users):
    site = build_small_site(ctx, users)
    stored = [p for (p,) in _raw(ctx, "SELECT phone FROM owner WHERE phone <> ''")]
    stored += [p for (p,) in _raw(ctx, "SELECT phone FROM resident WHERE phone <> ''")]
    assert stored and all(p.startswith("~") and "1234" not in p for p in stored)
    assert len(set(stored)) == len(stored)
    assert Owner.get_by_id(site["wang"].id).phone == "0351-7654321"
    assert Resident.get(Resident.name == "赵租客").phone == "13700001111"


def test_search_line_holds_no_phone_and_no_identity_number(ctx, users):
    build_small_site(ctx, users)
    lines = " ".join(t for (t,) in _raw(ctx, "SELECT text FROM home_search"))
    for secret in ("13812345678", "13987654321", "7654321", "13700001111", "5678", ID_ZHANG, ID_ZHANG[:10]):
        assert secret not in lines
    # found by fragments of four digits or more, dashes or not; three digits find no phone
    rooms = lambda q: sorted(search.search_home_ids(q))  # noqa: E731
    zhang_homes = rooms("13812345678")
    assert len(zhang_homes) == 2 and rooms("2345") == zhang_homes and rooms("138-1234-5678") == zhang_homes
    assert rooms("03517654") == rooms("0351-7654321") and len(rooms("03517654")) == 1
    assert rooms("0001111") != [] and rooms("99990000") == []
    assert rooms("567") == []
    # the SQL form of the same search (match_query) agrees
    from models.archive import HomeSearch
    q = search.match_query("1234 5678")
    assert sorted(h for (h,) in HomeSearch.select(HomeSearch.home).where(HomeSearch.home.in_(q)).tuples()) == \
        zhang_homes


def test_search_follows_a_phone_change(ctx, users):
    site = build_small_site(ctx, users)
    update_owner(ctx, site["wang"].id, {"name": "王芳", "phone": "13600002222"})
    home = site["homes"]["1-102"].id
    assert search.search_home_ids("13600002222") == [home] and home not in search.search_home_ids("7654321")


def test_schema_step_6_seals_existing_phones(ctx, data_dir, users):
    site = build_small_site(ctx, users)
    p = ctx.db.param
    with ctx.db.atomic():   # as a site from before step 6 holds them
        ctx.db.execute_sql(f"UPDATE owner SET phone = {p} WHERE id = {p}", ("13812345678", site["zhang"].id))
        ctx.db.execute_sql(f"UPDATE resident SET phone = {p} WHERE name = {p}", ("13700001111", "赵租客"))
        ctx.db.execute_sql("UPDATE home_search SET text = text || ' 13812345678'")
        ctx.db.execute_sql(f"UPDATE meta SET value = '2' WHERE key = {p}", ("schema_version",))
    close_database()
    c = open_context(data_dir, ctx.url, clock=NOON)
    assert [v for (v,) in _raw(c, "SELECT value FROM meta WHERE key = ?", "schema_version")] != ["2"]
    raw = [p for (p,) in _raw(c, "SELECT phone FROM owner")] + [p for (p,) in _raw(c, "SELECT phone FROM resident")]
    assert "13812345678" not in raw and "13700001111" not in raw
    assert Owner.get_by_id(site["zhang"].id).phone == "13812345678"
    assert len(search.search_home_ids("13812345678")) == 2
    assert not [t for (t,) in _raw(c, "SELECT text FROM home_search") if "13812345678" in t]
    if is_sqlite():   # nor in the file's free pages or its WAL: the upgrade rebuilt the file once
        db_file = Path(c.db.database)
        for f in (db_file, Path(f"{db_file}-wal")):
            if f.exists():
                assert b"13812345678" not in f.read_bytes() and b"13700001111" not in f.read_bytes(), f.name


def test_find_owners_by_phone_fragment(ctx, users):
    from app.archives.listing import find_owners
    build_small_site(ctx, users)
    assert [o["name"] for o in find_owners(ctx, "0351-765")] == ["王芳"]
    assert sorted(o["name"] for o in find_owners(ctx, "7654321")) == ["李娜", "王芳"]   # 13987654321 too
    assert [o["phone"] for o in find_owners(ctx, "1234-5678")] == ["138****5678"]


# -- audit rows ---------------------------------------------------------------------------------

def _audit_text(ctx) -> str:
    return " ".join(f"{b} {a}" for b, a in _raw(ctx, "SELECT before, after FROM audit_log"))


def test_audit_rows_keep_personal_fields_sealed_per_owner(ctx, users):
    site = build_small_site(ctx, users)
    update_owner(ctx, site["zhang"].id, {"name": "张伟", "phone": "13600002222", "employer": "省电视台"})
    text = _audit_text(ctx)
    for secret in ("张伟", "13812345678", "13600002222", "省电视台", "赵租客", "13700001111", ID_ZHANG):
        assert secret not in text
    rows = audit.entry_rows(ctx, "", 200)
    change = next(r for r in rows if r["action"] == "owner.update")
    assert any("13812345678" in line and "13600002222" in line for line in change["changes"])
    assert any("赵租客" in line for r in rows for line in r["changes"])
    assert PersonalKey.select().where(PersonalKey.subject == f"owner:{site['zhang'].id}").count() == 1


def test_anonymising_destroys_the_owners_audit_key(ctx, users):
    from app.system.checks import database_checks
    site = build_small_site(ctx, users)
    wang = site["wang"].id
    add_resident(ctx, site["homes"]["1-102"].id, {"name": "王小丽", "relation": "子女", "phone": "13511112222"})
    before = {r["seq"]: r["changes"] for r in audit.entry_rows(ctx, "", 500)}
    assert any("王芳" in line for lines in before.values() for line in lines)
    anonymise.anonymise_owner(ctx, wang, "已售房")
    assert not PersonalKey.select().where(PersonalKey.subject == f"owner:{wang}").exists()
    after = audit.entry_rows(ctx, "", 500)
    shown = " ".join(line for r in after for line in r["changes"])
    assert "王芳" not in shown and "0351-7654321" not in shown and "王小丽" not in shown
    assert "13511112222" not in shown and "已随业主注销删除" in shown
    assert "张伟" in shown                                      # other owners untouched
    audit_checks = [c for c in database_checks(ctx) if "审计" in c.name]
    assert audit_checks and all(c.ok for c in audit_checks)


# -- files --------------------------------------------------------------------------------------

@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_files_are_readable_by_the_user_only(ctx, data_dir, users):
    if not is_sqlite():
        pytest.skip("the data folder's database file: SQLite")
    from app.system.backup import backup_now
    build_small_site(ctx, users)
    backup_now(ctx)
    (data_dir / "old-export.xlsx").write_bytes(b"x")
    os.chmod(data_dir / "old-export.xlsx", 0o644)            # left by an older version
    os.chmod(data_dir, 0o755)
    close_database()
    open_context(data_dir, clock=NOON)
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert any(p.name.endswith("-wal") for p in files) and any("backups" in p.parts for p in files)
    wide = [str(p) for p in [data_dir, *data_dir.rglob("*")] if stat.S_IMODE(p.stat().st_mode) & 0o077]
    assert wide == []


def test_new_files_are_created_user_only(ctx, data_dir):
    if os.name != "posix":
        pytest.skip("POSIX modes")
    from app.printing.base import write_pdf
    path = write_pdf(b"%PDF-1.4", data_dir / "exports" / "x.pdf")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_staff_phones_are_sealed_and_step_15_seals_old_ones(ctx, data_dir, users):
    from app.system import accounts
    accounts.update_user(ctx, users["frontdesk"].id, phone="13566667777")
    raw = [p for (p,) in _raw(ctx, 'SELECT phone FROM "user"') if p]
    assert raw and all(p.startswith("~") for p in raw) and "13566667777" not in " ".join(raw)
    assert User.get_by_id(users["frontdesk"].id).phone == "13566667777"
    p = ctx.db.param
    with ctx.db.atomic():   # as a site from before step 15 holds it
        ctx.db.execute_sql(f'UPDATE "user" SET phone = {p} WHERE id = {p}', ("13588889999", users["cashier"].id))
        ctx.db.execute_sql(f"UPDATE meta SET value = '12' WHERE key = {p}", ("schema_version",))
    close_database()
    c = open_context(data_dir, ctx.url, clock=NOON)
    assert "13588889999" not in " ".join(p for (p,) in _raw(c, 'SELECT phone FROM "user"') if p)
    assert User.get_by_id(users["cashier"].id).phone == "13588889999"
    if is_sqlite():   # and the file was rebuilt once: the old value is in no free page and no WAL frame
        db_file = Path(c.db.database)
        for f in (db_file, Path(f"{db_file}-wal")):
            if f.exists():
                assert b"13588889999" not in f.read_bytes(), f.name
        assert not _raw(c, "SELECT value FROM meta WHERE key = ?", "vacuum_due")


def test_a_rebuild_another_process_prevents_is_tried_again_at_the_next_start(ctx, data_dir, users, monkeypatch):
    if not is_sqlite():
        pytest.skip("the SQLite file's rebuild")
    from peewee import OperationalError

    from app.system import context as context_module
    from models.migrations import VACUUM_DUE_KEY
    from models.system import Meta
    Meta.create(key=VACUUM_DUE_KEY, value="1")          # as a sealing step leaves it
    url = ctx.url
    close_database()
    real = context_module._drop_clear_leftovers

    def busy(db):                                            # another process has the file open
        def refuse(sql, *a, **k):
            raise OperationalError("database is locked")
        db.execute_sql = refuse
        try:
            real(db)
        finally:
            del db.execute_sql
    monkeypatch.setattr(context_module, "_drop_clear_leftovers", busy)
    c = open_context(data_dir, url, clock=NOON)              # the start goes on
    assert _raw(c, "SELECT value FROM meta WHERE key = ?", VACUUM_DUE_KEY)   # and the rebuild stays due
    close_database()
    monkeypatch.setattr(context_module, "_drop_clear_leftovers", real)
    c = open_context(data_dir, url, clock=NOON)              # the next start rebuilds
    assert not _raw(c, "SELECT value FROM meta WHERE key = ?", VACUUM_DUE_KEY)
