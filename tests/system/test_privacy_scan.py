"""The data folder copied to a USB stick alone reveals no full identity number and no phone (issue 15).

The demo site is built, used (payments, a void, an owner's phone changed, an owner anonymised, the audit
log read, a backup), and its data folder copied while the program still has it open (the WAL is copied
too). Every byte of every file of the copy is scanned for every full identity number and every phone of
the site, as UTF-8 / ASCII digits (with and without the dash) and as UTF-16: none is found. The copy
cannot be opened without the key; entering the key from the recovery sheet on a "new PC" (an empty key
store) through ``propertydesk key import`` opens it."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.clock import Clock
from app.core.crypto import check_digits
from app.system import keystore
from app.system.context import open_context
from models.db import close_database

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
# the office's own number, staff accounts, the desk's directory of outside contacts (utilities, police, 120 …)
NOT_PERSONAL = {("service_reply", "contact_phone"), ("user", "phone"), ("contact", "phone"), ("contact", "phone2")}
RUN = re.compile(rb"[0-9Xx-]{7,}")
RUN16 = re.compile(rb"(?:[0-9Xx-]\x00){7,}")


def _secrets(ctx) -> tuple[set[str], set[str]]:
    """Every full identity number and every phone the site holds, read through the key."""
    db, vault = ctx.db, ctx.vault
    ids, phones = set(), set()
    tables = set(db.get_tables())
    for table in sorted(tables):
        cols = [c.name for c in db.get_columns(table)]
        if "id_enc" in cols:
            ids |= {vault.decrypt(v) for (v,) in db.execute_sql(f"SELECT id_enc FROM {table}").fetchall() if v}
        for col in (c for c in cols if "phone" in c and (table, c) not in NOT_PERSONAL):
            for (v,) in db.execute_sql(f"SELECT {col} FROM {table}").fetchall():
                if v:
                    phones.add(vault.unseal(v))
    ids.discard("")
    phones.discard("")
    return ids, phones


def _forms(ids, phones) -> set[bytes]:
    out = {i.encode("ascii") for i in ids} | {i.upper().encode("ascii") for i in ids}
    for p in phones:
        out.add(p.encode("utf-8"))
        out.add(re.sub(r"\D", "", p).encode("ascii"))
    return out


def _found(data: bytes, secrets: set[bytes]) -> set[bytes]:
    """The secrets inside *data* (each run of digits, X and dashes, in UTF-8 and UTF-16-LE, checked
    at every position against every secret length)."""
    lengths = sorted({len(s) for s in secrets})
    runs = [m.group() for m in RUN.finditer(data)] + [m.group().replace(b"\x00", b"") for m in RUN16.finditer(data)]
    hits = set()
    for run in runs:
        for n in lengths:
            for i in range(len(run) - n + 1):
                if run[i:i + n] in secrets:
                    hits.add(run[i:i + n])
    return hits


def _use_the_site(ctx):
    """What a day at the desk writes: payments and a void, an owner's phone changed, an owner
    anonymised, the audit log read, a backup."""
    from app.archives.anonymise import anonymise_owner
    from app.archives.people import update_owner
    from app.core import audit
    from app.ledger.payments import pay, void_receipt
    from app.system.backup import backup_now
    from models.ledger import Charge
    from models.people import HomeOwner, Owner
    owed = (Charge.select().where(Charge.paid_fen < Charge.amount_fen).order_by(Charge.id).limit(40))
    by_home: dict[int, list[int]] = {}
    for c in owed:
        by_home.setdefault(c.home_id, []).append(c.id)
    receipts = [pay(ctx, hid, cids, "现金", "业主") for hid, cids in list(by_home.items())[:6]]
    void_receipt(ctx, receipts[0].id, "收错金额")
    owners = list(Owner.select().join(HomeOwner).where(HomeOwner.until.is_null()).distinct().order_by(Owner.id)
                  .limit(2))
    update_owner(ctx, owners[0].id, {"name": owners[0].name, "phone": "13912340000"})
    anonymise_owner(ctx, owners[1].id, "已售房")
    assert audit.entry_rows(ctx, "", 200)
    backup_now(ctx)
    return owners


def test_copied_data_folder_reveals_no_identity_number_and_no_phone(tmp_path, monkeypatch):
    from app.demo import sites as demo
    monkeypatch.delenv("PROPERTYDESK_TEST_DATABASE", raising=False)
    data = tmp_path / "data"
    ctx = open_context(data, clock=Clock(dt.datetime(2026, 11, 23, 9, 0, 0)))
    try:
        demo.build_site(ctx, "tianlun", seed=1)
        ctx.user = ctx.user or _manager()
        ids, phones = _secrets(ctx)       # before the use: the anonymised owner's old number is looked for too
        _use_the_site(ctx)
        more_ids, more_phones = _secrets(ctx)
        key_text = ctx.vault.key_text
        stick = tmp_path / "usb"
        shutil.copytree(data, stick)       # the program still has the database open: its WAL goes along
    finally:
        close_database()
    ids |= more_ids
    phones |= more_phones
    assert len(ids) > 300 and len(phones) > 300 and "13912340000" in phones
    secrets = _forms(ids, phones)
    files = [p for p in stick.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert any(n.endswith(".db-wal") for n in names) and any("backups" in p.parts for p in files)
    assert not any(p.suffix == ".key" for p in files)
    scanned, found = 0, {}
    for path in files:
        data_bytes = path.read_bytes()
        scanned += len(data_bytes)
        hits = _found(data_bytes, secrets)
        if hits:
            found[str(path.relative_to(stick))] = sorted(hits)[:5]
    print(f"\nscanned {len(files)} files, {scanned:,} bytes, {len(ids)} identity numbers and {len(phones)} phones "
          f"({len(secrets)} forms): {sum(len(v) for v in found.values())} found")
    assert scanned > 1_000_000
    assert found == {}
    # the stick alone does not open; on a new PC the key from the recovery sheet opens it
    new_pc = tmp_path / "new-pc-keys"
    monkeypatch.setenv("PROPERTYDESK_KEY_DIR", str(new_pc))
    with pytest.raises(keystore.KeyMissing, match="站点密钥恢复单"):
        open_context(stick)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8", PROPERTYDESK_KEY_DIR=str(new_pc))
    env.pop("PROPERTYDESK_DATABASE", None)
    p = subprocess.run([sys.executable, "-m", "propertydesk", "key", "import", "--data-dir", str(stick)], cwd=ROOT,
                       env=env, input=f"{key_text[:20]} {key_text[20:]}\n{check_digits(key_text.encode())}\n",
                       capture_output=True, text=True, encoding="utf-8", timeout=300, check=False)
    assert p.returncode == 0, p.stderr
    assert "已核对并保存" in p.stdout
    p = subprocess.run([sys.executable, "-m", "propertydesk", "key", "where", "--data-dir", str(stick)], cwd=ROOT,
                       env=env, capture_output=True, text=True, encoding="utf-8", timeout=300, check=False)
    assert p.returncode == 0 and "密钥保存在" in p.stdout
    c = open_context(stick)
    try:
        from models.people import Owner
        assert "13912340000" in {o.phone for o in Owner.select()}
        assert c.vault.key_text == key_text
    finally:
        close_database()


def test_key_import_refuses_a_wrong_check_digit(tmp_path, monkeypatch):
    monkeypatch.delenv("PROPERTYDESK_TEST_DATABASE", raising=False)
    data = tmp_path / "data"
    ctx = open_context(data)
    key_text = ctx.vault.key_text
    close_database()
    wrong = "000000" if check_digits(key_text.encode()) != "000000" else "111111"
    env = dict(os.environ, PYTHONIOENCODING="utf-8", PROPERTYDESK_KEY_DIR=str(tmp_path / "other-pc"))
    env.pop("PROPERTYDESK_DATABASE", None)
    p = subprocess.run([sys.executable, "-m", "propertydesk", "key", "import", "--data-dir", str(data),
                        "--key", key_text, "--check", wrong], cwd=ROOT, env=env, capture_output=True, text=True,
                       encoding="utf-8", timeout=300, check=False)
    assert p.returncode == 2 and "校验码：与输入的密钥不符" in p.stderr
    assert not (tmp_path / "other-pc").exists() or not list((tmp_path / "other-pc").iterdir())


def _manager():
    from models.users import User
    return User.get(User.role == "manager")
