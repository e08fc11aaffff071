"""业主信息表: frozen print data, masked identity numbers and phones, checklist, PDF text."""
import dataclasses
import datetime as dt

import pytest

from app.archives.owner_info import find_home, owner_info_data, owner_info_pdf, sample_data
from app.archives.owners import owner_fields
from app.core.errors import NotFound, PermissionDenied
from app.core.validation import id_check_char
from app.printing.owner_info import OwnerInfoForm
from models.archive import ArchiveDocument
from models.people import HomeOwner, Owner, Resident
from models.property import Building, Cluster, Entrance, Home
from models.users import AuditLog
from tests.helpers.pdf import pdf_reader, pdf_text

ID = "11010519800307123" + id_check_char("11010519800307123")
SPOUSE_ID = "61011319820815246" + id_check_char("61011319820815246")
TENANT_ID = "61010319950101345" + id_check_char("61010319950101345")


@pytest.fixture
def household(ctx, users):
    c = Cluster.create(code="A", name="罗马假日")
    b = Building.create(cluster=c, code="5", name="5号楼", area_manager=users["area_manager"])
    e = Entrance.create(building=b, code="1")
    h = Home.create(entrance=e, building=b, cluster=c, room_code="5-1-203", floor=2, area_x100=12345,
                    house_type="洋房", state="已入住", handover_date=dt.date(2021, 5, 1),
                    move_in_date=dt.date(2021, 6, 10), occupancy="自住")
    o = Owner.create(**owner_fields(ctx, {
        "name": "张建国", "id_number": ID, "phone": "13812341234", "phone2": "029-88886666", "gender": "男",
        "education": "本科", "native_place": "北京市", "employer": "西安市第一医院", "work_address": "南大街30号",
        "spouse_name": "李秀英", "spouse_phone": "13900001111", "spouse_employer": "西安市第三中学",
        "family_structure": "三口之家", "residents_count": 3, "is_key_customer": True,
        "key_customer_tags": "媒体,经理指定", "opinion": "对维修响应不满意", "suggestions": "建议增加充电桩",
        "special_requests": "老人行动不便，停水请提前电话告知", "arrears_flag": True,
        "arrears_reason": "房屋渗水未修复", "arrears_complaint": "卫生间渗水"}))
    o2 = Owner.create(**owner_fields(ctx, {"name": "李秀英", "id_number": SPOUSE_ID, "phone": "13900001111"}))
    HomeOwner.create(home=h, owner=o, is_primary=True)
    HomeOwner.create(home=h, owner=o2, is_primary=False)
    Resident.create(home=h, name="张子涵", relation="子女", birth_date=dt.date(2012, 3, 4))
    Resident.create(home=h, name="王租客", relation="租户", is_tenant=True, phone="13700002222",
                    id_enc=ctx.vault.encrypt(TENANT_ID), id_masked=TENANT_ID[:3] + "*" * 11 + TENANT_ID[-4:],
                    lease_from=dt.date(2025, 1, 1), lease_to=dt.date(2026, 12, 31))
    ArchiveDocument.create(home=h, doc_code="movein_notice", on_file=True, received_at=dt.date(2021, 5, 1))
    ArchiveDocument.create(home=h, doc_code="id_copy_photo", on_file=True, received_at=dt.date(2021, 5, 1))
    ArchiveDocument.create(home=h, doc_code="reno_agreement", on_file=False)
    return h


def test_print_data_frozen_and_masked(ctx, household):
    data = owner_info_data(ctx, household.id)
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.room_code = "x"
    main, co = data.owners
    assert (main.name, main.role, co.name, co.role) == ("张建国", "主业主", "李秀英", "共有人")
    assert main.id_number == "110***********" + ID[-4:]
    assert main.phone == "138****1234" and main.phone2 == "029-****6666"
    assert main.age == "46岁" and main.birth_date == "1980-03-07"
    assert data.category == "老客户"          # moved in 2021-06-10, over 30 months before 2026-11-23
    assert data.area == "123.45 ㎡" and data.area_manager == "张管家"
    assert [t.name for t in data.tenants] == ["王租客"] and data.tenants[0].lease == "2025-01-01 至 2026-12-31"
    assert data.documents_on_file == 2 and len(data.documents) == 15
    assert data.doc_number == "YZXX-5-1-203"


def test_pdf_text_shows_fields_and_masked_identity(ctx, household):
    text = pdf_text(owner_info_pdf(ctx, household.id))
    for expected in ("业主信息表", "天伦庄园", "5-1-203", "罗马假日", "123.45", "洋房", "已入住", "老客户",
                     "张建国", "李秀英", "共有人", "110***********" + ID[-4:], "138****1234", "西安市第一医院",
                     "南大街30号", "北京市", "本科", "三口之家", "媒体,经理指定", "房屋渗水未修复", "对维修响应不满意",
                     "建议增加充电桩", "停水请提前电话告知", "张子涵", "王租客", "租户", "入住通知书",
                     "身份证复印件及照片", "在档 2 项", "业主签字", "经办人", "日期"):
        assert expected in text, expected
    assert ID not in text and SPOUSE_ID not in text and TENANT_ID not in text
    assert "13812341234" not in text


def test_full_identity_only_for_permitted_roles_and_audited(ctx, household, as_role):
    before = AuditLog.select().where(AuditLog.action == "pii.print_full").count()
    text = pdf_text(owner_info_pdf(as_role("area_manager"), household.id, full=True))
    assert ID in text and "13812341234" in text
    assert AuditLog.select().where(AuditLog.action == "pii.print_full").count() == before + 1
    with pytest.raises(PermissionDenied, match="完整身份证号"):
        owner_info_pdf(as_role("frontdesk"), household.id, full=True)
    masked = pdf_text(owner_info_pdf(as_role("frontdesk"), household.id))
    assert ID not in masked and "110***********" + ID[-4:] in masked


def test_embedded_font_and_a4(ctx, household):
    pdf = owner_info_pdf(ctx, household.id)
    reader = pdf_reader(pdf)
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    fonts = page["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        desc = font["/DescendantFonts"][0].get_object()["/FontDescriptor"] if "/DescendantFonts" in font \
            else font["/FontDescriptor"]
        assert "/FontFile2" in desc.get_object()


def test_home_without_owner_and_not_found(ctx, household):
    h = Home.create(entrance=household.entrance, building=household.building, cluster=household.cluster,
                    room_code="5-1-204", area_x100=9000, house_type="洋房")
    assert "尚无业主登记" in pdf_text(owner_info_pdf(ctx, h.id))
    assert find_home("５－１－２０４").id == h.id
    with pytest.raises(NotFound, match="9-9-999"):
        find_home("9-9-999")
    with pytest.raises(NotFound):
        owner_info_pdf(ctx, 99999)


def test_demo_household_prints(ctx, tmp_path):
    from app.demo import sites as demo
    demo.build_site(ctx, "tianlun", extensions=False)
    home = Home.get(Home.state == "出租")
    text = pdf_text(owner_info_pdf(ctx, home.id))
    owner = Owner.select().join(HomeOwner).where(HomeOwner.home == home).first()
    assert owner.name in text and owner.id_masked in text
    assert ctx.vault.decrypt(owner.id_enc) not in text
    assert OwnerInfoForm.title in text


def test_sample_form_for_selftest(ctx):
    data = sample_data()
    text = pdf_text(OwnerInfoForm(ctx.settings, data.doc_number).render(data))
    assert "张建国" in text and "110***********1234" in text and "在档 12 项" in text
