"""The desk's phone list (通讯录) and the site facts (项目概况): contacts by category with the
responsible person, short service numbers, search, the printed phone list, export, roles, audit."""
import pytest

from app.core.errors import PermissionDenied, ValidationError
from app.frontdesk import contacts, prints
from models.users import AuditLog
from tests.helpers.pdf import pdf_text


def _add(ctx, **extra):
    data = {"category": "电梯维保", "name": "山西奥的斯电梯维保站", "person": "郭师傅", "phone": "13803510001",
            "address": "太原市小店区"}
    data.update(extra)
    return contacts.add_contact(ctx, data)


def test_contacts_are_listed_by_category_and_found_by_any_word(ctx):
    _add(ctx)
    contacts.add_contact(ctx, {"category": "派出所", "name": "开元路派出所", "phone": "110", "phone2": "0351-7654321"})
    contacts.add_contact(ctx, {"category": "供电", "name": "国网太原供电公司", "phone": "95598"})
    rows = contacts.list_contacts(ctx)
    assert [r["category"] for r in rows] == ["供电", "派出所", "电梯维保"]
    assert rows[1]["phone"] == "110" and rows[1]["phone2"] == "0351-7654321"
    assert [r["name"] for r in contacts.list_contacts(ctx, "郭师傅")] == ["山西奥的斯电梯维保站"]
    assert [r["name"] for r in contacts.list_contacts(ctx, "7654321")] == ["开元路派出所"]
    assert AuditLog.select().where(AuditLog.action == "contacts.create").count() == 3


def test_contact_input_is_checked_and_edits_are_audited(ctx, as_role):
    with pytest.raises(ValidationError, match="类别"):
        _add(ctx, category="外卖")
    with pytest.raises(ValidationError, match="电话"):
        _add(ctx, phone="12")
    with pytest.raises(ValidationError, match="单位名称"):
        _add(ctx, name="")
    c = _add(ctx)
    with pytest.raises(ValidationError, match="已在通讯录中"):
        _add(ctx)
    contacts.update_contact(ctx, c.id, {"person": "王师傅"})
    assert contacts.get_contact(c.id).person == "王师傅"
    contacts.set_active(ctx, c.id, False)
    assert contacts.list_contacts(ctx) == [] and len(contacts.list_contacts(ctx, include_inactive=True)) == 1
    with pytest.raises(PermissionDenied):
        _add(as_role("cashier"), name="别的")
    acts = [a.action for a in AuditLog.select().where(AuditLog.entity == "contact").order_by(AuditLog.id)]
    assert acts == ["contacts.create", "contacts.update", "contacts.active"]


def test_phone_list_and_site_facts_print(ctx, tmp_path):
    from openpyxl import load_workbook
    _add(ctx)
    contacts.add_contact(ctx, {"category": "医院", "name": "山西省人民医院", "phone": "120"})
    ctx.settings.set("site.service_phone", "0351-5551234")
    text = pdf_text(prints.phone_list_pdf(ctx)).replace("\n", "")
    for word in ("客服中心常用电话表", "医院", "山西省人民医院", "电梯维保", "郭师傅", "13803510001", "0351-5551234"):
        assert word in text
    facts = dict(contacts.site_facts(ctx))
    assert facts["小区名称"] == "天伦庄园" and facts["住户总数"] == "292" and "办公时间" in facts
    text = pdf_text(prints.site_facts_pdf(ctx)).replace("\n", "")
    assert "项目概况" in text and "开元路9号" in text and "地下车位数" in text
    assert contacts.export_contacts(ctx, contacts.list_contacts(ctx), tmp_path / "c.xlsx") == 2
    assert load_workbook(tmp_path / "c.xlsx").active["B2"].value == "山西省人民医院"
