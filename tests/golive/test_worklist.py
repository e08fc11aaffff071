"""The 待核对 worklist: flag, list, resolve, export; search finds the raw text; identity numbers kept
encrypted and shown masked; every write audited."""
from __future__ import annotations

import pytest
from openpyxl import load_workbook

from app.archives import search
from app.core.errors import PermissionDenied, StateError, ValidationError
from app.golive import worklist
from app.golive.worklist import Flag
from models.golive import PendingCheck
from models.users import AuditLog
from tests.helpers.archives import build_small_site


@pytest.fixture
def site(ctx, users):
    return build_small_site(ctx, users)


def test_flag_lists_and_search_finds_the_raw_text(ctx, site):
    home = site["homes"]["1-102"]
    item = worklist.flag(ctx, Flag("owner", site["wang"].id, "phone", "联系电话", "1391234567８",
                                   "联系电话：位数不对（11位手机号）", home.id, "导入 台账.xlsx 第12行"))
    assert item.id and item.resolved_at is None
    rows = worklist.list_items(ctx)
    assert len(rows) == 1
    row = rows[0]
    # a phone is personal data: kept encrypted, shown masked, revealed on demand
    assert (row["room_code"], row["label"], row["raw_text"], row["state"]) == ("1-102", "联系电话", "139****567８",
                                                                            "待核对")
    stored = PendingCheck.get_by_id(item.id)
    assert "1391234567" not in stored.raw_text + stored.raw_enc and "1391234567" not in _audit_text()
    assert worklist.reveal_raw(ctx, item.id) == "1391234567８"
    assert row["entity_word"] == "业主" and "位数不对" in row["reason"] and row["source"].endswith("第12行")
    assert worklist.open_count() == 1 and worklist.open_home_ids() == {home.id}
    assert AuditLog.select().where(AuditLog.action == "worklist.flag").count() == 1
    # flagging the same field again updates the open item instead of adding a second one
    worklist.flag(ctx, Flag("owner", site["wang"].id, "phone", "联系电话", "139-1234", "联系电话：位数不对", home.id))
    assert worklist.open_count() == 1 and worklist.list_items(ctx)[0]["raw_text"] == "139-****"
    # the search box finds the home by the raw digits once its line is rebuilt (keyed tokens, as any phone)
    with ctx.db.atomic():
        search.index_homes([home.id])
    assert home.id in search.search_home_ids("1391234")
    assert not [t for (t,) in ctx.db.execute_sql("SELECT text FROM home_search") if "1391234" in t]
    assert worklist.list_items(ctx, query="位数不对")[0]["id"] == item.id
    assert worklist.list_items(ctx, query="1-102")[0]["id"] == item.id
    assert worklist.list_items(ctx, query="不存在的内容") == []


def _audit_text() -> str:
    return " ".join(f"{r.before} {r.after}" for r in AuditLog.select())


def test_identity_numbers_are_kept_encrypted_and_shown_masked(ctx, site):
    raw = "11010119800101001Z"
    item = worklist.flag(ctx, Flag("owner", site["li"].id, "id_number", "身份证号", raw, "身份证号：校验位不对",
                                   site["homes"]["1-101"].id))
    stored = PendingCheck.get_by_id(item.id)
    assert stored.raw_text == "110***********001Z"
    assert stored.raw_enc and raw not in stored.raw_enc and ctx.vault.decrypt(stored.raw_enc) == raw
    assert worklist.reveal_raw(ctx, item.id) == raw
    assert AuditLog.select().where(AuditLog.action == "pii.reveal_id").count() == 1
    with ctx.db.atomic():
        search.index_homes([site["homes"]["1-101"].id])
    assert search.search_home_ids("101001Z") == []


def test_resolve_closes_the_item_once_and_is_audited(ctx, site, as_role):
    item = worklist.flag(ctx, Flag("owner", site["wang"].id, "phone", "联系电话", "12345", "联系电话：位数不对",
                                   site["homes"]["1-102"].id))
    with pytest.raises(PermissionDenied):
        worklist.resolve(as_role("cashier"), item.id, "已电话确认")
    with pytest.raises(ValidationError, match="处理说明"):
        worklist.resolve(ctx, item.id, "长" * 300)
    worklist.resolve(ctx, item.id, "已电话确认，号码已更正")
    done = PendingCheck.get_by_id(item.id)
    assert done.resolved_at == ctx.clock.now() and done.resolved_by_id == ctx.user.id
    assert done.resolution == "已电话确认，号码已更正"
    assert worklist.open_count() == 0 and worklist.open_home_ids() == set()
    assert [r["state"] for r in worklist.list_items(ctx, open_only=False)] == ["已核对"]
    with pytest.raises(StateError, match="已于"):
        worklist.resolve(ctx, item.id)
    log = AuditLog.select().where(AuditLog.action == "worklist.resolve").get()
    assert "已核对" in log.after and "号码已更正" in log.after


def test_resolve_field_closes_what_a_correction_fixed(ctx, site):
    worklist.flag(ctx, Flag("owner", site["wang"].id, "phone", "联系电话", "12345", "位数不对"))
    worklist.flag(ctx, Flag("owner", site["wang"].id, "id_number", "身份证号", "123", "位数不对"))
    with ctx.db.atomic():
        assert worklist.resolve_field(ctx, "owner", site["wang"].id, "phone") == 1
    assert [r["field"] for r in worklist.list_items(ctx)] == ["id_number"]
    assert worklist.resolve_field(ctx, "owner", site["wang"].id, "phone") == 0


def test_flag_many_replaces_open_items_in_one_insert(ctx, site):
    flags = [Flag("owner", site["zhang"].id, "phone", "联系电话", "1380000", "位数不对"),
             Flag("owner", site["wang"].id, "phone2", "备用电话", "abc", "不是电话号码",
                           home_id=site["homes"]["1-102"].id)]
    with ctx.db.atomic():
        assert worklist.flag_many(ctx, flags, audit=True, source="测试") == 2
    assert worklist.open_count() == 2
    with ctx.db.atomic():
        worklist.flag_many(ctx, flags[:1])
    assert worklist.open_count() == 2            # replaced, not repeated
    assert worklist.flag_many(ctx, []) == 0
    assert AuditLog.select().where(AuditLog.action == "worklist.flag").count() == 1


def test_export_writes_the_open_items(ctx, site, tmp_path):
    worklist.flag(ctx, Flag("owner", site["wang"].id, "phone", "联系电话", "12345", "联系电话：位数不对",
                            site["homes"]["1-102"].id))
    worklist.flag(ctx, Flag("owner", site["li"].id, "id_number", "身份证号", "11010119800101001Z",
                            "身份证号：校验位不对", site["homes"]["1-101"].id))
    out = tmp_path / "待核对.xlsx"
    assert worklist.export_xlsx(ctx, out) == 2
    ws = load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == worklist.EXPORT_HEADERS
    assert rows[1][1:6] == ("业主", "1-102", "联系电话", "*2345", "联系电话：位数不对")   # masked like any phone
    assert rows[2][2] == "1-101" and "*" in rows[2][4] and "11010119800101001Z" not in str(rows[2])
    assert AuditLog.select().where(AuditLog.action == "worklist.export").count() == 1
