"""A refund is never mistaken for a receipt (issue 17): on the 三联 stationery (pre-printed 收据) a
red 退款 stamp, 退款凭证（付出） and the amount paid out; the A4 voucher names 经办人 and 领款人."""
from app.ledger import payments
from app.ledger.billing import post_charge
from tests.helpers.pdf import pdf_pages
from tests.ledger.test_dunning import owing  # noqa: F401  (fixture)


def _refund(ctx, home):
    dep = post_charge(ctx, home, "renovation_deposit", 200000)
    receipt = payments.pay(ctx, home, [dep.id], "转账", "业主3-101", "WX0003")
    line = payments.refund(ctx, home, "renovation_deposit", 200000, "复验合格，退还保证金", payee="李四")
    return receipt, line.receipt


def _flat(pdf):
    pages = pdf_pages(pdf)
    assert len(pages) == 1
    return pages[0].replace("\n", "").replace(" ", "")


def test_refund_on_triple_stationery_is_marked(ctx, owing):  # noqa: F811
    receipt, voucher = _refund(ctx, owing["3-101"].id)
    text = _flat(payments.print_receipt(ctx, voucher.id, "三联"))
    assert "退款凭证（付出）" in text and "退款" in text and "付出人民币贰仟元整" in text
    assert "退款¥2,000.00" in text and "经办：" in text
    # the receipt for the same amount carries none of it
    paid = _flat(payments.print_receipt(ctx, receipt.id, "三联"))
    assert "退款" not in paid and "付出" not in paid and "人民币贰仟元整" in paid


def test_a4_refund_voucher_names_clerk_and_payee(ctx, owing):  # noqa: F811
    _receipt, voucher = _refund(ctx, owing["3-101"].id)
    text = _flat(payments.print_receipt(ctx, voucher.id, "A4"))
    assert "押金退款凭证" in text and "领款人" in text and "经办人" in text and "经办人签字" in text
    assert "收款人" not in text
    assert f"领款人：{voucher.payer}" in text
