"""车卡办理登记表: the printed fields (text extracted with pypdf), masking, the not-custody statement."""
import io

import pytest
from pypdf import PdfReader

from app.archives.owners import identity_fields
from app.parking import parking
from app.printing.car_card import car_card_pdf
from models.people import Owner
from tests.helpers.ledger import make_site


@pytest.fixture
def card(ctx, users):
    make_site(ctx, users)
    owner = Owner.get(Owner.name == "业主1")
    for k, val in identity_fields(ctx, "11010519491231002X").items():
        setattr(owner, k, val)
    owner.save()
    s = parking.create_space(ctx, "DX-008", "地下")
    parking.rent_space(ctx, s.id, "5-101")
    return parking.register_card(ctx, {"space_id": s.id, "plate": "豫AD12345", "identity_checked": True,
                                       "brand": "比亚迪 秦", "color": "白色", "notes": "夜间停放"})


def _text(pdf: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def test_car_card_form_fields_masking_and_statement(ctx, card):
    pdf = car_card_pdf(ctx, card.id)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = _text(pdf)
    for expected in ("车卡办理登记表", "CK2026-000001", "5-101", "业主1", "豫AD12345", "DX-008（地下）", "租用",
                     "240.00 元/月", "2026-11-23 至 2027-10-31", "已核验身份证原件", "王经理", "比亚迪 秦 / 白色",
                     "夜间停放", "不作为车辆看管", "财务内勤处缴费", "车主签字", "天伦庄园"):
        assert expected in text, expected
    assert "138****0000" in text and "13812340000" not in text
    assert "110***********002X" in text and "11010519491231002X" not in text


def test_car_card_font_embedded(ctx, card):
    pdf = car_card_pdf(ctx, card.id)
    fonts = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for f in page["/Resources"]["/Font"].values():
            f = f.get_object()
            fonts.add(str(f["/BaseFont"]))
            desc = f["/DescendantFonts"][0].get_object()["/FontDescriptor"] if "/DescendantFonts" in f else f.get("/FontDescriptor")
            assert desc is not None and any(k in desc.get_object() for k in ("/FontFile2", "/FontFile", "/FontFile3"))
    assert fonts and all("Helvetica" not in f for f in fonts)
