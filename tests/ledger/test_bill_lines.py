"""Every line of the bill and the receipts readable (issue 17): a quarterly or yearly item's months, a
per-count item, a shared meter and a whole-month reduction printed in full on the A4 bill, the two-per-page
batch, the A4 receipt and the 三联 receipt — never cut with “…”. Numbers of the ledger site
(tests.helpers.ledger: 5-102 is 123.45 ㎡): 电梯费 1.05 元/㎡·季 = 129.62 元 (2027-01至2027-03), 2 months
reduced 86.41 元 (电梯停运); 暖气费 25.00 元/㎡·年 = 3,086.25 元 (2026-11至2027-10); 电动车充电桩管理费
8.00 元/辆·月 × 2; 公摊电费 按面积 123.45㎡ of 653.45㎡. Runs on SQLite and, with PROPERTYDESK_TEST_DATABASE,
on PostgreSQL."""
from __future__ import annotations

import datetime as dt
import os

import pytest

from app.ledger import billing, bills, charge_item_edit, item_counts, payments, reductions, shared_meter
from models.ledger import Charge
from tests.helpers.ledger import make_site
from tests.helpers.pdf import pdf_pages

ROOM = "5-102"


def _item(ctx, **data):
    base = {"category": "periodic", "formula": "area", "scope": "all", "cycle": "month", "valid_from": "2026-01"}
    return charge_item_edit.save_item(ctx, {**base, **data})


@pytest.fixture
def site(ctx, users):
    homes = make_site(ctx, users)
    items = {"heat": _item(ctx, name="暖气费", rate="25.00", cycle="year", bill_month="11"),
             "lift": _item(ctx, name="电梯费", rate="1.05", cycle="quarter"),
             "ev": _item(ctx, name="电动车充电桩管理费", formula="count", rate="8.00", count_unit="辆"),
             "power": _item(ctx, name="公摊电费", category="metered", formula="公摊（按面积）")}
    home = homes[ROOM]
    item_counts.set_counts(ctx, home.id, {items["ev"].code: 2}, start="2026-11")
    billing.run_month(ctx, "2026-11")
    ctx.clock.set(dt.datetime(2027, 1, 8, 9))
    shared_meter.record_reading(ctx, items["power"].id, "2027-01", "1234.57", usage="1543.21", note="地下车库、电梯")
    billing.run_month(ctx, "2027-01")
    lift = Charge.get((Charge.home == home.id) & (Charge.item_code == items["lift"].code))
    reductions.propose(ctx, lift.id, "months", "2", "电梯停运", approve=True)
    return {"home": home, **{k: v.code for k, v in items.items()}}


def _flat(pages: list[str]) -> str:
    return "".join("".join(pages).split())


def _keep(pdf: bytes, name: str, tmp_path) -> bytes:
    """The PDF kept beside the test (and in PROPERTYDESK_TEST_PDF_DIR when set, to look at)."""
    (tmp_path / name).write_bytes(pdf)
    out = os.environ.get("PROPERTYDESK_TEST_PDF_DIR")
    if out:
        with open(os.path.join(out, name), "wb") as fh:
            fh.write(pdf)
    return pdf


EXPECT_2027_01 = ["物业服务费", "电梯费", "2027-01至2027-03", "电动车充电桩管理费", "2辆", "8.00元/辆·月",
                  "公摊电费（按面积）", "123.45㎡", "共653.45㎡", "86.41", "电梯停运", "2个月"]


@pytest.mark.parametrize("two_up", [False, True])
def test_bill_prints_every_name_and_period_in_full(ctx, site, two_up, tmp_path):
    _batch, pdf = bills.bills_pdf(ctx, "2027-01", home_id=site["home"].id, two_up=two_up)
    text = _flat(pdf_pages(_keep(pdf, f"bill-2027-01-{'two' if two_up else 'a4'}.pdf", tmp_path)))
    for words in EXPECT_2027_01:
        assert words in text, words
    assert "…" not in text
    _batch, pdf = bills.bills_pdf(ctx, "2026-11", home_id=site["home"].id, two_up=two_up)
    text = _flat(pdf_pages(_keep(pdf, f"bill-2026-11-{'two' if two_up else 'a4'}.pdf", tmp_path)))
    for words in ["暖气费", "2026-11至2027-10", "3,086.25", "电动车充电桩管理费", "物业服务费"]:
        assert words in text, words
    assert "…" not in text


@pytest.mark.parametrize("layout", ["a4", "三联"])
def test_receipt_prints_every_name_and_period_in_full(ctx, site, layout, tmp_path):
    home = site["home"]
    open_ids = [c.id for c in Charge.select().where((Charge.home == home.id) & (Charge.paid_fen < Charge.amount_fen)
                                                    & Charge.category.in_(["periodic", "metered"]))]
    receipt = payments.pay(ctx, home.id, open_ids, "cash", "业主2")
    pdf = _keep(payments.print_receipt(ctx, receipt.id, layout), f"receipt-{layout}.pdf", tmp_path)
    text = _flat(pdf_pages(pdf))
    assert "…" not in text
    # 三联 lists the first lines and sums the rest (其他 N 项) by design, but cuts no name
    more = ["公摊电费（按面积123.45㎡/653.45㎡）", "物业服务费", "地上停车费"] if layout == "a4" else ["其他5项"]
    names = ["暖气费", "电梯费", "电动车充电桩管理费", *more]
    for words in names + ["减免¥86.41（2个月，电梯停运）电梯费（2027-01）", "4,034.18"]:
        assert words in text, words
    if layout == "a4":
        assert "电动车充电桩管理费（8.00元/辆·月×2）" in text
        # a quarterly or yearly line's 所属期间 is its months, not its first month
        for span in ("2027-01至2027-03", "2026-11至2027-10"):
            assert span in text, span


def _frozen(lines, arrears=()):
    from app.printing.bill import Bill
    return Bill("JF2027-000009", "2027-01", "2027-01-08", "2027-01-31", "天伦庄园", "5-102", "5号楼", "业主2",
                "123.45 ㎡（洋房）", tuple(lines), tuple(arrears), 0, (), 0, "0.03%", "到客服中心缴纳", "", "", "")


def test_many_two_line_rows_keep_the_table_height_and_sum_the_rest():
    from reportlab.pdfgen.canvas import Canvas

    from app.printing.bill import CURRENT_ROWS, ROW, BillCanvas, BillLine, render_bills
    lines = [BillLine(f"电梯费{k}号梯", "2027-01至2027-03", "123.45 ㎡", "1.05 元/㎡·季", 12962, 0, 12962)
             for k in range(1, 10)]
    b = _frozen(lines)
    drawer = BillCanvas()
    top = 200 * 2.8346
    bottom = drawer.current_table(Canvas(__import__("io").BytesIO()), top, b)
    assert top - bottom <= (CURRENT_ROWS + 2) * ROW + 3 * 2.8346 + 0.01   # heading, head, rows, 本期小计
    text = _flat(pdf_pages(render_bills([b])))
    shown = [k for k in range(1, 10) if f"电梯费{k}号梯" in text]
    assert shown == list(range(1, len(shown) + 1)) and 3 <= len(shown) < 9
    assert f"其他{9 - len(shown)}项" in text and "…" not in text
    assert text.count("至2027-03") == len(shown)
    assert "1,166.58" in text                                                   # 9 × 129.62 in 本期小计


def test_a_month_with_many_arrears_items_names_whole_items():
    from app.printing.bill import ArrearsMonth, BillLine, render_bills
    names = ["物业服务费", "地上停车费", "暖气费", "电动车充电桩管理费", "电梯费", "二次供水费", "垃圾清运费",
             "公摊电费", "公摊水费", "宠物管理费"]
    b = _frozen([BillLine("物业服务费", "2027-01", "", "", 100, 0, 100)],
                [ArrearsMonth("2026-11", "、".join(names), 50000, 100)])
    text = _flat(pdf_pages(render_bills([b])))
    assert "…" not in text and "等10项" in text
    listed = text.split("2026-11", 1)[1].split("等10项")[0].split("、")
    assert listed == names[:len(listed)] and len(listed) >= 3
