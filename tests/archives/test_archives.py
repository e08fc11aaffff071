"""Owner archives services (domain.md §1–2)."""
from __future__ import annotations

import datetime as dt

import pytest

from app.archives import customers
from app.archives.checklist import (
    DOC_CODES,
    attach_document_scan,
    building_completeness,
    completeness_by_building,
    documents,
    household_completeness,
    scan_path,
    set_document,
    site_completeness,
    verify_scans,
)
from app.archives.detail import home_detail
from app.archives.listing import NOT_MOVED_IN, HomeFilter, find_owners, list_homes
from app.archives.people import (
    add_resident,
    attach_owner_photo,
    create_owner,
    link_owner,
    owner_photo_path,
    remove_owner,
    remove_resident,
    reveal_owner_pii,
    update_owner,
    update_resident,
)
from app.archives.structure import (
    create_building,
    create_cluster,
    create_entrance,
    create_home,
    delete_building,
    delete_home,
    set_area_manager,
    structure_tree,
    update_home,
    update_home_info,
)
from app.archives.visits import (
    familiarity_rates,
    movein_visit_due,
    pick_familiarity_rooms,
    record_familiarity,
    record_visit,
    visit_rates,
)
from app.core.dates import add_months
from app.core.errors import NotFound, PermissionDenied, StateError, ValidationError
from app.parking import spaces, tenancy
from models.archive import ArchiveDocument, FamiliarityCheck, Visit
from models.people import HomeOwner, Owner, Resident
from models.property import Home
from models.users import AuditLog
from tests.helpers.archives import ID_LI, ID_ZHANG, build_small_site, make_id


@pytest.fixture
def site(ctx, users):
    return build_small_site(ctx, users)


def audit_count():
    return AuditLog.select().count()


def rows_by_room(ctx, f=None):
    return {r["room_code"]: r for r in list_homes(ctx, f)}


# owners, co-owners, owners of several homes -------------------------------------------------------

def test_co_owners_and_owner_of_several_homes(ctx, site):
    h = site["homes"]
    rows = rows_by_room(ctx)
    assert rows["1-101"]["owners"] == "张伟、李娜"          # primary first, then the co-owner
    assert rows["2-101"]["owners"] == "张伟"                # same owner record, second home
    detail = home_detail(ctx, h["1-101"].id)
    assert [o["is_primary"] for o in detail["owners"]] == [True, False]
    assert detail["owners"][0]["home_rooms"] == ["1-101", "2-101"]
    assert Owner.select().where(Owner.name == "张伟").count() == 1
    with pytest.raises(StateError, match="已是"):
        link_owner(ctx, h["2-101"].id, site["zhang"].id)


def test_same_identity_number_cannot_make_a_second_owner(ctx, site):
    n = Owner.select().count()
    with pytest.raises(StateError, match="关联已有业主"):
        create_owner(ctx, site["homes"]["2-102"].id, {"name": "张伟", "id_number": ID_ZHANG})
    assert Owner.select().count() == n


def test_remove_owner_keeps_history_and_moves_primary(ctx, site):
    h = site["homes"]["1-101"]
    remove_owner(ctx, h.id, site["zhang"].id)
    d = home_detail(ctx, h.id)
    assert [o["name"] for o in d["owners"]] == ["李娜"] and d["owners"][0]["is_primary"]
    assert [o["name"] for o in d["former_owners"]] == ["张伟"]
    assert d["former_owners"][0]["until"] == dt.date(2026, 11, 23)
    assert rows_by_room(ctx)["2-101"]["owners"] == "张伟"   # still owns the other home
    with pytest.raises(NotFound):
        remove_owner(ctx, h.id, site["zhang"].id)


def test_owner_fields_of_domain_saved(ctx, site):
    o = update_owner(ctx, site["zhang"].id, {
        "name": "张伟", "gender": "男", "education": "硕士", "native_place": "山西太原", "employer": "市电视台",
        "work_address": "迎泽大街1号", "spouse_name": "李娜", "family_structure": "三口之家", "residents_count": 3,
        "opinion": "保洁很好", "suggestions": "增加儿童游乐设施", "special_requests": "老人行动不便，停水提前告知",
        "key_customer_tags": ["媒体", "政府"]})
    o = Owner.get_by_id(o.id)
    assert (o.education, o.native_place, o.work_address, o.special_requests) == \
        ("硕士", "山西太原", "迎泽大街1号", "老人行动不便，停水提前告知")
    assert o.is_key_customer and o.key_customer_tags == "媒体,政府"
    assert o.birth_date == dt.date(1980, 1, 1)          # kept (derived from the id at creation)
    assert ctx.vault.decrypt(o.id_enc) == ID_ZHANG       # id not in data: kept


@pytest.mark.parametrize("data,field", [
    ({"name": "", "phone": "13800001111"}, "业主姓名"),
    ({"name": "赵六", "id_number": ID_LI[:-1] + ("0" if ID_LI[-1] != "0" else "1")}, "身份证号"),
    ({"name": "赵六", "id_number": "12345"}, "身份证号"),
    ({"name": "赵六", "phone": "12345"}, "联系电话"),
    ({"name": "赵六", "birth_date": "2030-01-01"}, "出生日期"),
    ({"name": "赵六", "residents_count": "三"}, "常住人数"),
    ({"name": "赵六", "arrears_flag": True}, "欠费原因"),
    ({"name": "赵六", "key_customer_tags": "明星"}, "重点客户类别"),
    ({"name": "赵六", "is_key_customer": True, "key_customer_tags": []}, "重点客户类别"),
])
def test_owner_validation_refuses_and_saves_nothing(ctx, site, data, field):
    before = (Owner.select().count(), HomeOwner.select().count(), audit_count())
    with pytest.raises(ValidationError) as e:
        create_owner(ctx, site["homes"]["2-102"].id, data)
    assert e.value.field == field and field in str(e.value)
    assert (Owner.select().count(), HomeOwner.select().count(), audit_count()) == before


def test_failed_write_rolls_back_whole_transaction(ctx, site, tmp_path):
    """A photo that cannot be attached (missing file) leaves no owner, link or audit row behind."""
    before = (Owner.select().count(), HomeOwner.select().count(), audit_count())
    with pytest.raises(ValidationError, match="附件"):
        create_owner(ctx, site["homes"]["2-102"].id, {"name": "赵六"}, photo_path=tmp_path / "missing.jpg")
    assert (Owner.select().count(), HomeOwner.select().count(), audit_count()) == before


def test_owner_photo_attached_and_verified(ctx, site, tmp_path):
    photo = tmp_path / "zhang.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0fake-jpeg")
    attach_owner_photo(ctx, site["zhang"].id, photo)
    p = owner_photo_path(ctx, site["zhang"].id)
    assert p is not None and p.read_bytes() == photo.read_bytes() and p.is_relative_to(ctx.data_dir)
    with pytest.raises(ValidationError, match="照片"):
        attach_owner_photo(ctx, site["zhang"].id, tmp_path / "x.exe")


def test_every_write_is_audited(ctx, site):
    actions = {a for (a,) in AuditLog.select(AuditLog.action).tuples()}
    assert {"owner.create", "owner.link", "resident.create", "home.update", "structure.home.create",
            "structure.cluster.create"} <= actions


# residents and tenants ------------------------------------------------------------------------------

def test_residents_and_tenants(ctx, site):
    d = home_detail(ctx, site["homes"]["2-101"].id)
    assert [t["name"] for t in d["tenants"]] == ["赵租客"] and d["tenants"][0]["phone"] == "137****1111"
    with pytest.raises(ValidationError, match="租期起"):
        add_resident(ctx, site["homes"]["2-101"].id, {"name": "钱租客", "is_tenant": True})
    with pytest.raises(ValidationError, match="租期止"):
        add_resident(ctx, site["homes"]["2-101"].id, {"name": "钱租客", "is_tenant": True,
                                                          "lease_from": "2026-05-01", "lease_to": "2026-01-01"})
    r = Resident.get(Resident.name == "张小明")
    update_resident(ctx, r.id, {"name": "张小明", "relation": "子女", "employer": "实验小学"})
    assert Resident.get_by_id(r.id).employer == "实验小学"
    remove_resident(ctx, r.id)
    assert not Resident.select().where(Resident.id == r.id).exists()


# customer category (000 item 5: <6 new, 6–18 settling, 18–30 stable, >30 long-standing) ---------------

TODAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize("move_in,expected", [
    (dt.date(2026, 11, 23), "新客户"),
    (dt.date(2026, 5, 24), "新客户"),        # 5 months 30 days
    (dt.date(2026, 5, 23), "磨合期"),        # exactly 6 months
    (dt.date(2025, 5, 24), "磨合期"),        # just under 18 months
    (dt.date(2025, 5, 23), "稳定期"),        # exactly 18 months
    (dt.date(2024, 5, 24), "稳定期"),        # just under 30 months
    (dt.date(2024, 5, 23), "老客户"),        # exactly 30 months
    (dt.date(2011, 6, 10), "老客户"),
    (None, ""),
    (dt.date(2026, 12, 1), ""),             # not moved in yet
])
def test_category_boundaries(ctx, move_in, expected):
    assert customers.category(ctx.settings, move_in, TODAY) == expected


def test_category_follows_settings(ctx):
    ctx.settings.set("customer.new_months", 3)
    assert customers.category(ctx.settings, dt.date(2026, 7, 1), TODAY) == "磨合期"
    assert customers.months_since(dt.date(2026, 7, 1), TODAY) == 4


def test_category_month_end_clamp():
    assert add_months(dt.date(2026, 8, 31), -6) == dt.date(2026, 2, 28)


def test_category_filter_agrees_with_shown_category(ctx, site):
    shown = {r["room_code"]: r["category"] for r in list_homes(ctx)}
    assert shown["1-101"] == "稳定期" and shown["1-102"] == "新客户" and shown["2-101"] == "老客户"
    for cat in customers.CATEGORIES:
        got = {r["room_code"] for r in list_homes(ctx, HomeFilter(category=cat))}
        assert got == {room for room, c in shown.items() if c == cat}
    assert {r["room_code"] for r in list_homes(ctx, HomeFilter(category=NOT_MOVED_IN))} == \
        {"1-201", "1-2-301", "2-102"}


# filters and masking ---------------------------------------------------------------------------------

def test_filters(ctx, site):
    rooms = lambda **kw: [r["room_code"] for r in list_homes(ctx, HomeFilter(**kw))]  # noqa: E731
    assert rooms(building_id=site["b2"].id) == ["2-101", "2-102"]
    assert rooms(entrance_id=site["e12"].id) == ["1-2-301"]
    assert rooms(state="出租") == ["2-101"]
    assert rooms(key_customer=True) == ["1-101", "2-101"]
    assert rooms(arrears=True) == ["1-102"]
    assert rooms(text="张", building_id=site["b1"].id) == ["1-101"]
    assert rooms(sort="area", descending=True)[0] == "1-2-301"
    # by the first owner's name in pinyin order (1-101 李娜 li < 1-102 王芳 wang < 2-101 张伟 zhang),
    # ties by room; no owner last (tests/test_pinyin.py has the full rules)
    assert rooms(sort="owner")[:3] == ["1-101", "1-102", "2-101"]
    assert rooms(sort="owner")[-1] == "2-102"


def test_lists_mask_phone_and_identity(ctx, site):
    rows = rows_by_room(ctx)
    r = rows["1-101"]
    assert r["phone"] == "138****5678" and r["id_masked"] == ID_ZHANG[:3] + "*" * 11 + ID_ZHANG[-4:]
    assert rows["1-102"]["phone"] == "0351-***4321"
    text = repr(list_homes(ctx)) + repr(home_detail(ctx, site["homes"]["1-101"].id))
    assert "13812345678" not in text and ID_ZHANG not in text and ID_LI not in text


def test_reveal_needs_permission_and_is_audited(ctx, site, as_role):
    with pytest.raises(PermissionDenied, match="权限不足"):
        reveal_owner_pii(as_role("frontdesk"), site["zhang"].id, "id")
    n = audit_count()
    assert reveal_owner_pii(as_role("area_manager"), site["zhang"].id, "id") == ID_ZHANG
    assert reveal_owner_pii(as_role("area_manager"), site["zhang"].id, "phone") == "13812345678"
    rows = list(AuditLog.select().where(AuditLog.seq > n).order_by(AuditLog.seq))
    assert [r.action for r in rows] == ["pii.reveal_id", "pii.reveal_phone"]
    assert rows[0].username == "area_manager" and ID_ZHANG not in rows[0].after


@pytest.mark.parametrize("role,call", [
    ("cashier", lambda c, s: create_owner(c, s["homes"]["2-102"].id, {"name": "赵六"})),
    ("cashier", lambda c, s: add_resident(c, s["homes"]["2-102"].id, {"name": "赵六"})),
    ("frontdesk", lambda c, s: create_home(c, s["e11"].id, {"room_code": "1-301", "area": "90", "house_type": "洋房"})),
    ("area_manager", lambda c, s: create_cluster(c, "B", "巴黎春天")),
    ("frontdesk", lambda c, s: record_familiarity(c, s["homes"]["1-101"].id, {"knew_name": True})),
    ("cashier", lambda c, s: record_visit(c, s["homes"]["1-101"].id, {"kind": "日常拜访", "visit_date": "2026-11-20"})),
    ("cashier", lambda c, s: set_document(c, s["homes"]["1-101"].id, "movein_notice")),
])
def test_wrong_role_refused(ctx, site, as_role, role, call):
    n = audit_count()
    with pytest.raises(PermissionDenied, match="权限不足"):
        call(as_role(role), site)
    assert audit_count() == n


# structure --------------------------------------------------------------------------------------------

def test_structure_edits(ctx, site):
    tree = structure_tree(ctx)
    assert tree[0]["label"] == "A组团 罗马假日" and tree[0]["homes"] == 6
    assert [b["homes"] for b in tree[0]["buildings"]] == [4, 2]
    with pytest.raises(ValidationError, match="房号"):
        create_home(ctx, site["e11"].id, {"room_code": "1-101", "area": "90", "house_type": "洋房"})
    with pytest.raises(ValidationError, match="建筑面积"):
        create_home(ctx, site["e11"].id, {"room_code": "1-301", "area": "-5", "house_type": "洋房"})
    with pytest.raises(ValidationError, match="户型"):
        create_home(ctx, site["e11"].id, {"room_code": "1-301", "area": "90", "house_type": "别墅"})
    h = create_home(ctx, site["e11"].id, {"room_code": "1-301", "area": "90.5", "house_type": "洋房"})
    assert h.area_x100 == 9050 and h.building_id == site["b1"].id and h.cluster_id == site["cluster"].id
    update_home(ctx, h.id, {"area": "91"})
    with pytest.raises(StateError, match="不能删除"):
        delete_home(ctx, site["homes"]["1-101"].id)
    delete_home(ctx, h.id)
    with pytest.raises(StateError):
        delete_building(ctx, site["b1"].id)
    # a space sold to the home (the parking area's own service) shows in the household pane
    p = spaces.create_space(ctx, "B1-001", "地下")
    tenancy.sell_space(ctx, p.id, "1-101", [site["zhang"].id])
    assert home_detail(ctx, site["homes"]["1-101"].id)["parking"][0]["code"] == "B1-001"
    with pytest.raises(StateError, match="已售"):
        spaces.delete_space(ctx, p.id)


def test_home_info_validation(ctx, site):
    h = site["homes"]["1-201"]
    with pytest.raises(ValidationError, match="入住日期"):
        update_home_info(ctx, h.id, {"move_in_date": "2026-05-01"})  # before hand-over 2026-06-01
    with pytest.raises(ValidationError, match="入住日期"):
        update_home_info(ctx, h.id, {"move_in_date": "2027-01-01"})
    with pytest.raises(ValidationError, match="房屋状态"):
        update_home_info(ctx, h.id, {"state": "别的"})


# archive checklist (000 item 13) and completeness ---------------------------------------------------------

def test_checklist_has_every_item_of_the_domain(ctx, site):
    names = [d["name"] for d in documents(ctx, site["homes"]["1-101"].id)]
    assert len(names) == 15
    for n in ("入住通知书", "购房发票复印件", "入住手续书", "前期物业管理协议", "业主公约/临时管理规约",
              "业主情况登记表", "身份证复印件及照片", "装修管理协议", "装修注意事项", "闭水/打压通知(签证)单",
              "装修申请/审批表", "防火责任书", "整改通知单", "验房表", "工程质量维修单"):
        assert n in names


def test_completeness_household_building_site(ctx, site):
    h = site["homes"]
    for code in DOC_CODES:
        set_document(ctx, h["1-101"].id, code)
    for code in DOC_CODES[:5]:
        set_document(ctx, h["1-102"].id, code)
    assert household_completeness(h["1-101"].id) == {"on_file": 15, "total": 15, "pct": 100.0, "complete": True}
    assert household_completeness(h["1-102"].id)["pct"] == 33.3
    # building 1: handed-over homes 1-101, 1-102, 1-201 (1-2-301 is 未交付): 20 of 45 items
    b = building_completeness(ctx, site["b1"].id)
    assert (b["homes"], b["items_on_file"], b["items_required"], b["pct"], b["complete_homes"]) == (3, 20, 45, 44.4, 1)
    s = site_completeness(ctx)   # + 2-101 handed over, nothing on file
    assert (s["homes"], s["items_on_file"], s["pct"], s["complete_homes"], s["complete_pct"]) == (4, 20, 33.3, 1, 25.0)
    by_b = {x["building_id"]: x for x in completeness_by_building(ctx)}
    assert by_b[site["b1"].id]["pct"] == 44.4 and by_b[site["b2"].id]["pct"] == 0.0
    assert [r["room_code"] for r in list_homes(ctx, HomeFilter(incomplete=True, building_id=site["b1"].id))] == \
        ["1-102", "1-201", "1-2-301"]
    set_document(ctx, h["1-101"].id, "repair_order", on_file=False)
    assert household_completeness(h["1-101"].id)["on_file"] == 14


def test_scan_attached_copied_and_sha256_checked(ctx, site, tmp_path):
    scan = tmp_path / "id.pdf"
    scan.write_bytes(b"%PDF-1.4 scanned id card")
    hid = site["homes"]["1-101"].id
    att = attach_document_scan(ctx, hid, "id_copy_photo", scan)
    doc = next(d for d in documents(ctx, hid) if d["code"] == "id_copy_photo")
    assert doc["on_file"] and doc["scans"][0]["sha256"] == att.sha256
    stored = scan_path(ctx, att.id)
    assert stored.read_bytes() == scan.read_bytes() and str(stored).startswith(str(ctx.data_dir))
    assert verify_scans(ctx, hid) == []
    stored.write_bytes(b"tampered")
    with pytest.raises(StateError, match="校验失败"):
        scan_path(ctx, att.id)
    assert verify_scans(ctx, hid)
    with pytest.raises(ValidationError, match="档案资料"):
        set_document(ctx, hid, "no_such_doc")


# visits (003: 3-day visit; key customers 100%/quarter, ordinary ≥80%/year) ---------------------------------

def test_movein_visit_due_list(ctx, site):
    h = site["homes"]
    update_home_info(ctx, h["1-201"].id, {"state": "已入住", "move_in_date": "2026-11-21"})   # due 11-24
    update_home_info(ctx, h["2-102"].id, {"state": "已入住", "move_in_date": "2026-11-18"})   # due 11-21
    update_home_info(ctx, h["1-2-301"].id, {"state": "已入住", "move_in_date": "2026-11-22"})
    record_visit(ctx, h["1-2-301"].id, {"kind": "入住三日回访", "visit_date": "2026-11-23",
                                           "residents_info": "夫妻二人", "safety_advice_given": True,
                                           "intercom_explained": True, "satisfaction": 5})
    v = home_detail(ctx, h["1-2-301"].id)["visits"][0]
    assert (v["staff"], v["kind"], v["safety_advice_given"], v["intercom_explained"]) == \
        ("王经理", "入住三日回访", True, True)
    due = {d["room_code"]: d for d in movein_visit_due(ctx)}
    assert set(due) == {"1-201", "2-102"}
    assert due["1-201"]["deadline"] == dt.date(2026, 11, 24) and not due["1-201"]["overdue"]
    assert due["1-201"]["days_left"] == 1
    assert due["2-102"]["overdue"]
    ctx.settings.set("customer.movein_visit_days", 7)
    assert not {d["room_code"]: d for d in movein_visit_due(ctx)}["2-102"]["overdue"]


def test_visit_validation(ctx, site):
    hid = site["homes"]["1-101"].id
    with pytest.raises(ValidationError, match="常住人员情况"):
        record_visit(ctx, hid, {"kind": "入住三日回访", "visit_date": "2026-11-20"})
    with pytest.raises(ValidationError, match="满意度"):
        record_visit(ctx, hid, {"kind": "日常拜访", "visit_date": "2026-11-20", "satisfaction": 6})
    with pytest.raises(ValidationError, match="拜访日期"):
        record_visit(ctx, hid, {"kind": "日常拜访", "visit_date": "2026-12-01"})
    assert Visit.select().count() == 0


def test_visit_rates_against_targets(ctx, site):
    h = site["homes"]
    # key-customer homes: 1-101 and 2-101 (张伟, 媒体); ordinary moved-in homes with owners: 1-102
    record_visit(ctx, h["1-101"].id, {"kind": "重点客户拜访", "visit_date": "2026-10-05"})
    record_visit(ctx, h["2-101"].id, {"kind": "重点客户拜访", "visit_date": "2026-09-30"})  # last quarter
    r = visit_rates(ctx)
    assert (r["key_homes"], r["key_visited"], r["key_pct"], r["key_target"], r["key_met"]) == (2, 1, 50.0, 100, False)
    assert r["key_not_visited"] == [h["2-101"].id]
    assert (r["ordinary_homes"], r["ordinary_visited"], r["ordinary_target"], r["ordinary_met"]) == (1, 0, 80, False)
    record_visit(ctx, h["2-101"].id, {"kind": "重点客户拜访", "visit_date": "2026-11-02"})
    record_visit(ctx, h["1-102"].id, {"kind": "日常拜访", "visit_date": "2026-03-02"})
    r = visit_rates(ctx)
    assert r["key_pct"] == 100.0 and r["key_met"] and r["ordinary_pct"] == 100.0 and r["ordinary_met"]


# familiarity (000 应会 1.5) -------------------------------------------------------------------------------

def test_familiarity_rate_per_area_manager(ctx, site, users):
    h = site["homes"]
    full = {"knew_name": True, "knew_employer": True, "knew_family": True, "knew_payment": True}
    record_familiarity(ctx, h["1-101"].id, {**full, "owner_knows_manager": True})
    record_familiarity(ctx, h["1-102"].id, {**full, "owner_knows_manager": False})
    record_familiarity(ctx, h["2-101"].id, {**full, "knew_payment": False})
    record_familiarity(ctx, h["2-102"].id, full)
    record_familiarity(ctx, h["1-101"].id, {**full, "month": "2026-10", "knew_name": False})
    rates = familiarity_rates(ctx, "2026-11")
    assert len(rates) == 1
    r = rates[0]
    assert r["area_manager"] == "张管家" and (r["checks"], r["passed"], r["pct"]) == (4, 3, 75.0)
    assert r["target"] == 90 and not r["met"]
    assert (r["calls"], r["owner_knew"], r["owner_pct"]) == (2, 1, 50.0)
    assert familiarity_rates(ctx, "2026-10")[0]["pct"] == 0.0
    checks = home_detail(ctx, h["1-101"].id)["familiarity"]
    assert [(c["month"], c["area_manager"], c["passed"]) for c in checks] == [("2026-11", "张管家", True),
                                                                             ("2026-10", "张管家", False)]
    with pytest.raises(ValidationError, match="检查月份"):
        record_familiarity(ctx, h["1-101"].id, {"month": "11/2026"})
    assert FamiliarityCheck.select().count() == 5


def test_familiarity_needs_area_manager(ctx, users):
    c = create_cluster(ctx, "B", "巴黎春天")
    b = create_building(ctx, c.id, "9")
    e = create_entrance(ctx, b.id, "1")
    home = create_home(ctx, e.id, {"room_code": "9-101", "area": "90", "house_type": "洋房"})
    with pytest.raises(ValidationError, match="客服管理员"):
        record_familiarity(ctx, home.id, {"knew_name": True})
    set_area_manager(ctx, b.id, users["area_manager"].id)
    assert record_familiarity(ctx, home.id, {"knew_name": True}).area_manager_id == users["area_manager"].id


def test_find_owners_for_linking(ctx, site):
    found = find_owners(ctx, "张伟")
    assert found[0]["homes"] == "1-101、2-101" and found[0]["phone"] == "138****5678"
    assert find_owners(ctx, ID_LI[-4:])[0]["name"] == "李娜"
    assert ArchiveDocument.select().count() == 0
    assert make_id("11010119800101001") == ID_ZHANG


def test_pick_familiarity_rooms(ctx, site, users, as_role):
    am = users["area_manager"].id
    picked = pick_familiarity_rooms(ctx, am, 10, seed=1)
    # moved-in homes with an owner in 张管家's buildings: 1-101, 1-102, 2-101
    assert sorted(r["room_code"] for r in picked) == ["1-101", "1-102", "2-101"]
    record_familiarity(ctx, site["homes"]["1-101"].id, {"knew_name": True})
    assert len(pick_familiarity_rooms(ctx, am, 2, seed=1)) == 2
    assert "1-101" not in [r["room_code"] for r in pick_familiarity_rooms(ctx, am, 10)]
    with pytest.raises(PermissionDenied):
        pick_familiarity_rooms(as_role("frontdesk"), am)


def test_home_with_business_records_is_not_deleted(ctx, site):
    from app.ledger import billing
    h = create_home(ctx, site["e11"].id, {"room_code": "1-302", "area": "90", "house_type": "洋房"})
    billing.post_charge(ctx, h.id, "pass_fee", 1000, memo="出入证")
    with pytest.raises(StateError, match="1-302 已有收费记录，不能删除"):
        delete_home(ctx, h.id)
    assert Home.get_by_id(h.id).room_code == "1-302"
