"""Printed notices: the heading's colour per grade sampled from the rendered page (pdftoppm), one
page per entrance in one job on A4 and A3, the draft's watermark, the fee standards poster and the
monthly work report from live data."""
from __future__ import annotations

import subprocess

import pytest
from PIL import Image

from app.notices import notices, posters, prints
from app.printing.notice import GRADE_COLOURS
from tests.helpers.notices import draft, make_buildings
from tests.helpers.pdf import pdf_fonts, pdf_pages, pdf_reader, pdf_text

DPI = 60
MM = 25.4


def _page_image(pdf: bytes, tmp_path, name: str) -> Image.Image:
    src = tmp_path / f"{name}.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", "1", "-l", "1", str(src), str(tmp_path / name)],
                   check=True)
    return Image.open(next(tmp_path.glob(f"{name}*.png"))).convert("RGB")


def _heading_pixel(img: Image.Image, paper: str) -> tuple[int, int, int]:
    """A point inside the heading band, left of its word: 8 mm in from the left margin, 4 mm below the top one."""
    scale = 1.41 if paper == "A3" else 1.0
    x_mm, y_mm = 20 * scale + 8, 18 * scale + 4
    return img.getpixel((round(x_mm / MM * DPI), round(y_mm / MM * DPI)))


def _hex(rgb: str) -> tuple[int, int, int]:
    return tuple(int(rgb[i:i + 2], 16) for i in (1, 3, 5))


@pytest.fixture
def site(ctx):
    return make_buildings()


@pytest.mark.slow
@pytest.mark.parametrize(("grade", "paper"),
                         [("通告", "A4"), ("重要通告", "A4"), ("紧急通告", "A3"), ("温馨提示", "A4")])
def test_the_heading_is_printed_in_the_grades_colour(ctx, site, tmp_path, grade, paper):
    n = draft(ctx, grade=grade)
    notices.approve(ctx, n.id)
    img = _page_image(prints.notice_pdf(ctx, n.id, paper), tmp_path, "notice")
    want = _hex(GRADE_COLOURS[grade][0])
    got = _heading_pixel(img, paper)
    assert all(abs(a - b) <= 12 for a, b in zip(got, want, strict=True)), (grade, got, want)
    names = {"通告": "green", "重要通告": "yellow", "紧急通告": "red", "温馨提示": "blue"}
    r, g, b = got
    dominant = {"green": g > r + 40 and g > b + 40, "yellow": r > 200 and g > 140 and b < 80,
                "red": r > g + 80 and r > b + 80, "blue": b > r + 80}
    assert dominant[names[grade]], got
    w_mm = img.width / DPI * MM
    assert abs(w_mm - (297 if paper == "A3" else 210)) < 2


def test_one_page_per_entrance_of_the_chosen_buildings_in_one_job(ctx, site):
    n = draft(ctx, buildings=["5", "6"], body="尊敬的业主：\n消防检查。\n|楼栋|日期|\n|5号楼|11月25日|\n1. 清理楼道")
    notices.approve(ctx, n.id)
    pages = pdf_pages(prints.notice_pdf(ctx, n.id))
    assert len(pages) == 3
    assert ["5号楼1单元" in pages[0], "5号楼2单元" in pages[1], "6号楼1单元" in pages[2]] == [True] * 3
    for page in pages:
        assert "通告" in page and "电梯维护保养通知" in page and "GG2026-0001" in page and "（盖章）" in page
        assert "办公时间：周一至周日" in page and "2026年11月23日" in page
        assert "张贴期：2026-11-23 至 2026-11-30" in page
        assert "清理楼道" in page and "11月25日" in page
    assert notices.get_notice(n.id).print_count == 3


def test_a_draft_previews_with_its_watermark_and_changes_nothing(ctx, site):
    n = draft(ctx, buildings=["5", "6"])
    pdf = prints.notice_preview_pdf(ctx, n.id)
    assert len(pdf_reader(pdf).pages) == 1 and "草稿 未审批" in pdf_text(pdf)
    assert notices.get_notice(n.id).state == "草稿" and notices.get_notice(n.id).print_count == 0
    assert any("CJK" in f or "+" in f for f in pdf_fonts(pdf))


def test_fee_poster_lists_every_standard_with_its_basis_and_the_service_prices(ctx):
    ctx.settings.set("fee.parking_under", 26000)
    text = "".join(pdf_text(posters.fee_poster_pdf(ctx), sep="").split())
    for words in ("收费标准公示", "物业服务费（洋房）", "1.78", "地下停车费", "260.00", "有线电视费", "13.00",
                  "燃气费", "依据物价部门核定的物业服务收费标准", "依据供水、供电、供气单位公布的价格代收",
                  "疏通下水道", "30.00", "50.00", "房屋租赁代理费", "40%", "办公时间", "（盖章）"):
        assert words in text, words


def test_monthly_report_from_live_data(ctx, users):
    from app.ledger import billing, payments
    from models.ledger import Charge
    from tests.helpers.ledger import make_site
    from tests.helpers.service import new_request
    homes = make_site(ctx, users)
    billing.run_month(ctx, "2026-11")
    charge = Charge.select().where((Charge.home == homes["5-101"].id) & (Charge.period == "2026-11")).first()
    payments.pay(ctx, homes["5-101"].id, [charge.id], "现金", "业主1")
    new_request(ctx, homes["5-101"])
    new_request(ctx, homes["5-102"], kind="投诉", channel="来访")
    pdf = posters.monthly_report_pdf(ctx, "2026-11", "- 冬季供暖前检查管道\n- 清理地下车库", work="- 更换路灯12盏")
    text = "".join(pdf_text(pdf, sep="").split())
    assert "2026年11月项目工作报告" in text and "共2件" in text and "更换路灯12盏" in text
    assert "冬季供暖前检查管道" in text and "清理地下车库" in text and "全小区" in text and "收缴率目标96%" in text
    assert "业主1" not in text and "5-101" not in text


def test_monthly_report_needs_plans_and_the_manager(ctx, as_role):
    from app.core.errors import PermissionDenied, ValidationError
    with pytest.raises(ValidationError) as e:
        posters.monthly_report_pdf(ctx, "2026-11", "  ")
    assert e.value.field == "下月工作计划"
    with pytest.raises(PermissionDenied):
        posters.monthly_report_pdf(as_role("area_manager"), "2026-11", "- 计划")
