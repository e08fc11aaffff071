"""车卡办理登记表: the printed fields (text extracted with pypdf), masking, the not-custody statement."""
import pytest

from app.archives.owners import identity_fields
from app.parking import cards, spaces, tenancy
from app.parking.cards import car_card_pdf
from models.people import Owner
from tests.helpers.ledger import make_site
from tests.helpers.pdf import pdf_fonts, pdf_pages, pdf_reader


@pytest.fixture
def card(ctx, users):
    make_site(ctx, users)
    owner = Owner.get(Owner.name == "业主1")
    for k, val in identity_fields(ctx, "11010519491231002X").items():
        setattr(owner, k, val)
    owner.save()
    s = spaces.create_space(ctx, "DX-008", "地下")
    tenancy.rent_space(ctx, s.id, "5-101")
    return cards.register_card(ctx, {"space_id": s.id, "plate": "豫AD12345", "identity_checked": True,
                                       "brand": "比亚迪 秦", "color": "白色", "notes": "夜间停放"})


def test_car_card_form_fields_masking_and_statement(ctx, card):
    pdf = car_card_pdf(ctx, card.id)
    pages = pdf_pages(pdf)
    assert len(pages) == 1
    text = "".join(pages)
    for expected in ("车卡办理登记表", "CK2026-000001", "5-101", "业主1", "豫AD12345", "DX-008（地下）", "租用",
                     "240.00 元/月", "2026-11-23 至 2027-10-31", "已核验身份证原件", "王经理", "比亚迪 秦 / 白色",
                     "夜间停放", "不作为车辆看管", "财务内勤处缴费", "车主签字", "天伦庄园"):
        assert expected in text, expected
    assert "138****0000" in text and "13812340000" not in text
    assert "110***********002X" in text and "11010519491231002X" not in text


def test_car_card_font_embedded(ctx, card):
    pdf = car_card_pdf(ctx, card.id)
    for page in pdf_reader(pdf).pages:
        for ref in page["/Resources"]["/Font"].values():
            f = ref.get_object()
            desc = (f["/DescendantFonts"][0].get_object()["/FontDescriptor"] if "/DescendantFonts" in f
                    else f.get("/FontDescriptor"))
            assert desc is not None and any(k in desc.get_object() for k in ("/FontFile2", "/FontFile", "/FontFile3"))
    fonts = pdf_fonts(pdf)
    assert fonts and all("Helvetica" not in f for f in fonts)
