"""Phones by libphonenumber (app/core/phones.py, issue 17): the issue's examples one by one, the stored
forms the masks and the 4-digit search read, and the one-time re-check that flags (never deletes)."""
from __future__ import annotations

import pytest

from app.core import validation
from app.core.errors import ValidationError
from app.core.privacy import mask_phone


@pytest.mark.parametrize("text,stored", [
    ("029-88886699转8001", "029-88886699转8001"),     # extension kept
    ("029-88886699 分机 8001", "029-88886699转8001"),
    ("010 8888 6699#123", "010-88886699转123"),
    ("+86 29 88886699", "029-88886699"),             # +86 landline accepted
    ("0086 10 12345678", "010-12345678"),            # 0086 landline accepted
    ("+86-138-1234-5678", "13812345678"),
    ("0351-7654321", "0351-7654321"),                # a 7-digit city keeps its 7 digits
    ("(0371)67021120", "0371-67021120"),
    ("０７５５－１２３４５６７８", "0755-12345678"),     # full-width
    ("400-810-8888", "400-810-8888"),
    ("+1 650 253 0000", "+16502530000"),             # foreign: E.164 with its country
    ("+44 20 7946 0958 ext 12", "+442079460958转12"),
    ("7654321", "7654321"),                          # local number without area code: as typed
    ("", ""),
])
def test_accepted_and_stored(text, stored):
    assert validation.check_phone(text) == stored


@pytest.mark.parametrize("text,why", [
    ("010-1234567", "位数"),          # 7 digits in Beijing, an 8-digit city
    ("029-8888669", "位数"),          # 7 digits in Xi'an
    ("0371-7021120", "位数"),         # 7 digits in Zhengzhou
    ("14012345678", "号段 140"),      # unassigned mobile prefixes 140–144, 154, 174
    ("14412345678", "号段 144"),
    ("15412345678", "号段 154"),
    ("17412345678", "号段 174"),
    ("030-12345678", "区号不存在"),    # no area code 030: refused, not regrouped as 0301-…/0308-…
    ("03012345678", "区号不存在"),
    ("400-123-456", "400/800"),
    ("+1 650 253", "境外号码"),
    ("电话", "不是电话号码"),
])
def test_refused_with_field_and_reason(text, why):
    with pytest.raises(ValidationError, match=f"^业主电话：.*{why}") as err:
        validation.check_phone(text, "业主电话")
    assert err.value.field == "业主电话"


def test_mobile_only_where_a_mobile_is_asked():
    assert validation.check_mobile("+86 139 0351 0011") == "13903510011"
    with pytest.raises(ValidationError, match="手机号码：.*11位手机号码"):
        validation.check_mobile("029-88886699")
    with pytest.raises(ValidationError, match="手机号码：.*号段 141"):
        validation.check_mobile("14112345678")
    with pytest.raises(ValidationError, match="手机号码：不能为空"):
        validation.check_mobile("")


def test_masks_read_the_stored_forms():
    assert mask_phone(validation.check_phone("029-88886699转8001")).startswith("029-")
    assert mask_phone(validation.check_phone("+8613812345678")) == "138****5678"
    assert mask_phone(validation.check_phone("+1 650 253 0000")).endswith("0000")


def test_excel_import_cell_checked_by_the_library():
    from app.archives.excel_rows import phones
    assert phones("13812345678 / 029-8888 6699转8001", "联系电话") == ["13812345678", "029-88886699转8001"]
    with pytest.raises(ValidationError, match="联系电话"):
        phones("030-12345678", "联系电话")


def test_search_by_last_four_digits_of_new_forms(ctx, users):
    from app.archives import search
    from app.archives.people import create_owner
    from app.archives.structure import create_building, create_cluster, create_entrance, create_home
    c = create_cluster(ctx, "A", "罗马假日")
    e = create_entrance(ctx, create_building(ctx, c.id, "5").id, "1")
    h1 = create_home(ctx, e.id, {"room_code": "5-203", "area": "90", "house_type": "洋房"})
    h2 = create_home(ctx, e.id, {"room_code": "5-204", "area": "90", "house_type": "洋房"})
    create_owner(ctx, h1.id, {"name": "王芳", "phone": "+86 29 88886699转8001"})
    create_owner(ctx, h2.id, {"name": "Smith", "phone": "+1 650 253 0042"})
    assert search.search_home_ids("6699") == [h1.id]
    assert search.search_home_ids("8001") == [h1.id]
    assert search.search_home_ids("0042") == [h2.id]
    assert search.search_home_ids("029-88886699") == [h1.id]


def test_recheck_flags_old_rows_and_changes_nothing(ctx, users):
    from app.archives.people import create_owner
    from app.archives.structure import create_building, create_cluster, create_entrance, create_home
    from app.golive import phone_recheck, worklist
    from models.migrations import PHONES_RECHECK_KEY
    from models.people import Owner
    from models.system import Meta
    from models.users import AuditLog
    c = create_cluster(ctx, "A", "罗马假日")
    e = create_entrance(ctx, create_building(ctx, c.id, "5").id, "1")
    h = create_home(ctx, e.id, {"room_code": "5-203", "area": "90", "house_type": "洋房"})
    o = create_owner(ctx, h.id, {"name": "王芳", "phone": "13812345678"})
    # rows written under the old hand-written rules (they accepted these)
    Owner.update(phone="14012345678", phone2="010-1234567", spouse_phone="0351-7654321").where(
        Owner.id == o.id).execute()
    Meta.update(value="pending").where(Meta.key == PHONES_RECHECK_KEY).execute()
    audits = AuditLog.select().count()
    assert phone_recheck.recheck_phones(ctx) == 2
    items = {i["field"]: i for i in worklist.list_items(ctx, entity="owner")}
    assert set(items) == {"phone", "phone2"}
    assert items["phone"]["raw_text"] == "140****5678" and "号段 140" in items["phone"]["reason"]
    assert items["phone2"]["home_id"] == h.id and "位数" in items["phone2"]["reason"]
    fresh = Owner.get_by_id(o.id)
    assert (fresh.phone, fresh.phone2, fresh.spouse_phone) == ("14012345678", "010-1234567", "0351-7654321")
    assert AuditLog.select().count() == audits + 1
    assert phone_recheck.recheck_phones(ctx) == 0           # once only
    assert phone_recheck.startup_reminders(ctx) == []
    assert len(worklist.list_items(ctx, entity="owner")) == 2


def test_migration_step_asks_for_the_recheck(ctx):
    from app.golive import phone_recheck
    from models import migrations
    assert migrations.CURRENT_VERSION >= 11
    assert 11 in [v for v, _n, _s in migrations.STEPS]
    migrations._step_11_phones_recheck(ctx.db)   # noqa: SLF001 — the step itself, as migrate runs it
    assert phone_recheck.is_pending()
    assert phone_recheck.startup_reminders(ctx) == []      # nothing bad stored: no line, marked done
    assert not phone_recheck.is_pending()
