"""The office hours (site setting office.hours) printed on the desk's owner-facing forms: the
phone list handed to owners at the counter and the goods-out pass carried to the gate."""
from app.frontdesk import contacts, passes, prints
from tests.helpers.keys import DEFAULT_HOMES, make_homes
from tests.helpers.pdf import pdf_text


def test_office_hours_follow_the_setting_on_the_phone_list_and_the_pass(ctx):
    make_homes(DEFAULT_HOMES)
    ctx.settings.set("office.hours", "周一至周五 9:00–18:00")
    ctx.settings.set("site.service_phone", "0371-66881234")
    contacts.add_contact(ctx, {"category": "开锁", "name": "平安开锁", "phone": "13903519999"})
    text = pdf_text(prints.phone_list_pdf(ctx)).replace("\n", "")
    assert "客服中心电话：0371-66881234" in text and "办公时间：周一至周五 9:00–18:00" in text
    gp = passes.issue_pass(ctx, {"room_code": "5-201", "consent": "业主本人到场", "consent_by": "刘女士",
                                 "items": "旧沙发×1", "carrier": "张师傅", "valid_date": "2026-11-23"})
    assert "客服中心办公时间：周一至周五 9:00–18:00" in pdf_text(prints.goods_pass_pdf(ctx, gp.id)).replace("\n", "")
    ctx.settings.set("office.hours", "")
    assert "办公时间" not in pdf_text(prints.phone_list_pdf(ctx))
