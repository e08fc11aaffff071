"""The fast owner import (issue 20: 50,000 owners in <= 10 s) stores what the archives' own path stores:
identity number encrypted and hashed as ``lookup_hash`` hashes it, birth date and gender from it, phones
sealed and searchable by any four digits, the columns not in the file at their defaults; the cycle
collector it pauses is running again afterwards, also after a refusal."""
from __future__ import annotations

import datetime as dt
import gc

import pytest

from app.archives import search
from app.core.errors import ValidationError
from app.core.pinyin import name_key
from app.golive.owners_import import import_owners
from models.people import HomeOwner, Owner
from models.property import Home
from tests.helpers.golive import ledger_rows, office_ledger

HOMES = 40


def test_rows_stored_as_the_archives_store_them(ctx, tmp_path):
    path = office_ledger(tmp_path / "台账.xlsx", homes=HOMES)
    rep = import_owners(ctx, path)
    assert (rep.created_homes, rep.created_owners, len(rep.pending)) == (HOMES, HOMES, 0)
    for code, row in ledger_rows(HOMES):
        home = Home.get(Home.room_code == code)
        owner = HomeOwner.get(HomeOwner.home == home).owner
        name, phone, idn = row[5], row[6], row[7]
        assert (owner.name, owner.phone, owner.name_pinyin) == (name, phone, name_key(name))
        assert owner.id_hash == ctx.vault.lookup_hash(idn) and ctx.vault.decrypt(owner.id_enc) == idn
        assert owner.birth_date == dt.date(int(idn[6:10]), int(idn[10:12]), int(idn[12:14]))
        assert owner.gender == ("男" if int(idn[16]) % 2 else "女") and owner.id_tail == idn[-4:]
        assert (owner.id_type, owner.residents_count, owner.is_key_customer, owner.phone2) == ("身份证", 0, False, "")
        assert home.area_x100 == round(row[8] * 100) and home.handover_date == dt.date(2011, 6, 10)
        assert home.id in search.search_home_ids(phone[-6:])         # sealed, found by its digits
        assert home.id in search.search_home_ids(idn[-4:])
    raw = Owner._meta.database.execute_sql("SELECT phone FROM owner").fetchall()
    assert all(p.startswith("~") for (p,) in raw)                    # no phone in clear at rest


def test_collector_running_again_after_import_and_after_refusal(ctx, tmp_path):
    assert gc.isenabled()
    import_owners(ctx, office_ledger(tmp_path / "台账.xlsx", homes=3))
    assert gc.isenabled()
    with pytest.raises(ValidationError):
        import_owners(ctx, tmp_path / "没有这个文件.xlsx")
    assert gc.isenabled()
