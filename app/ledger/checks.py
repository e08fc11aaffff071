"""The ledger's own consistency checks, run by ``propertydesk check`` (app/checks.py).

Returns problem texts (Chinese); none when the ledger is consistent:
- each charge's paid amount equals the sum of its payment lines, and is within 0 … amount;
- each deposit's refunded amount equals its refund lines;
- each receipt's total equals its own lines (pay lines for receipts, refund lines for vouchers);
- receipt and voucher numbers run without a gap in each year.
"""
from __future__ import annotations

from peewee import fn

from models.ledger import Charge, Payment, Receipt

LIMIT = 20  # problems listed per kind; the count says how many in all


def _listed(title: str, rows: list[str]) -> list[str]:
    if not rows:
        return []
    head = rows[:LIMIT]
    more = f"（另有 {len(rows) - LIMIT} 条）" if len(rows) > LIMIT else ""
    return [f"{title}：{'；'.join(head)}{more}"]


def run(ctx) -> list[str]:
    problems: list[str] = []
    paid = dict(Payment.select(Payment.charge, fn.SUM(Payment.amount_fen))
                .where(Payment.kind != "refund").group_by(Payment.charge).tuples())
    refunded = dict(Payment.select(Payment.charge, fn.SUM(Payment.amount_fen))
                    .where(Payment.kind == "refund").group_by(Payment.charge).tuples())
    wrong_paid, out_of_range, wrong_refund = [], [], []
    for cid, amount, paid_fen, refunded_fen in Charge.select(
            Charge.id, Charge.amount_fen, Charge.paid_fen, Charge.refunded_fen).tuples():
        if int(paid.get(cid) or 0) != paid_fen:
            wrong_paid.append(f"费用{cid} 已收 {paid_fen} 分，收款明细合计 {int(paid.get(cid) or 0)} 分")
        if paid_fen < 0 or paid_fen > amount:
            out_of_range.append(f"费用{cid} 应收 {amount} 分，已收 {paid_fen} 分")
        if -int(refunded.get(cid) or 0) != refunded_fen:
            wrong_refund.append(f"费用{cid} 已退 {refunded_fen} 分，退款明细合计 {-int(refunded.get(cid) or 0)} 分")
    problems += _listed("费用已收金额与收款明细不符", wrong_paid)
    problems += _listed("费用已收金额超出范围", out_of_range)
    problems += _listed("押金已退金额与退款明细不符", wrong_refund)
    lines = dict(Payment.select(Payment.receipt, fn.SUM(Payment.amount_fen))
                 .where(Payment.receipt.is_null(False) & Payment.kind.in_(["pay", "refund"]))
                 .group_by(Payment.receipt).tuples())
    wrong_total = [f"{number} 票面 {total} 分，明细 {int(lines.get(rid) or 0)} 分"
                   for rid, number, total in Receipt.select(Receipt.id, Receipt.number, Receipt.total_fen).tuples()
                   if int(lines.get(rid) or 0) != total]
    problems += _listed("票据金额与明细不符", wrong_total)
    gaps = []
    for kind, year, n, top in (Receipt.select(Receipt.kind, Receipt.year, fn.COUNT(Receipt.id), fn.MAX(Receipt.seq))
                               .group_by(Receipt.kind, Receipt.year).tuples()):
        if n != top:
            label = "收据" if kind == "receipt" else "退款凭证"
            gaps.append(f"{year}年{label} 最大号 {top}，实有 {n} 张（缺 {top - n} 张）")
    problems += _listed("票据编号不连续", gaps)
    return problems
