"""The ledger's own consistency checks, run by ``propertydesk check`` (app/checks.py).

Returns problem texts (Chinese); none when the ledger is consistent:
- each charge's paid amount equals the sum of its payment lines, and is within 0 … amount;
- each deposit's refunded amount equals its refund lines;
- each receipt's total equals its own lines (pay lines for receipts, refund lines for vouchers);
- receipt and voucher numbers run without a gap in each year;
- the per-home, per-item balance (charge_balance) equals its open charges.

``audit_tie(ctx)`` ties the ledger to the audit log (both ways): every receipt and refund voucher has
the audit row that issued it with the same number, total and lines, every void and waive its row with
the same amounts, every such audit row its record in the ledger, and the receipt counters match the
receipts. Lowering a payment together with its charge and receipt, or deleting the newest receipt and
rolling its counter back, shows here (the keyed audit chain keeps the rows themselves honest). Each
reduction's payment lines are tied the same way to the audit row that approved them.
"""
from __future__ import annotations

import heapq
import itertools
import json
import re

from peewee import fn

from app.ledger.balances import mismatches as balance_mismatches
from models.ledger import Payment, Receipt
from models.users import AuditLog

LIMIT = 20  # problems listed per kind; the count says how many in all


def _listed(title: str, rows: list[str]) -> list[str]:
    if not rows:
        return []
    head = rows[:LIMIT]
    more = f"（另有 {len(rows) - LIMIT} 条）" if len(rows) > LIMIT else ""
    return [f"{title}：{'；'.join(head)}{more}"]


# a charge's paid and refunded amounts against its payment lines; a receipt's total against its lines
CHARGE_TIE_SQL = (
    'SELECT c.id, c.amount_fen, c.paid_fen, c.refunded_fen, p.paid, p.refunded FROM "charge" c LEFT JOIN ('
    ' SELECT charge_id, SUM(CASE WHEN kind <> \'refund\' THEN amount_fen ELSE 0 END) AS paid,'
    ' SUM(CASE WHEN kind = \'refund\' THEN amount_fen ELSE 0 END) AS refunded'
    ' FROM "payment" WHERE charge_id IS NOT NULL GROUP BY charge_id) p ON p.charge_id = c.id'
    ' WHERE COALESCE(p.paid, 0) <> c.paid_fen OR c.paid_fen < 0 OR c.paid_fen > c.amount_fen'
    ' OR -COALESCE(p.refunded, 0) <> c.refunded_fen ORDER BY c.id')
RECEIPT_TIE_SQL = (
    'SELECT r.number, r.total_fen, l.total FROM "receipt" r LEFT JOIN ('
    ' SELECT receipt_id, SUM(amount_fen) AS total FROM "payment"'
    ' WHERE receipt_id IS NOT NULL AND kind IN (\'pay\', \'refund\') GROUP BY receipt_id) l ON l.receipt_id = r.id'
    ' WHERE COALESCE(l.total, 0) <> r.total_fen ORDER BY r.id')


def run(ctx) -> list[str]:
    problems: list[str] = []
    wrong_paid, out_of_range, wrong_refund = [], [], []
    # compared in SQL, only the differing rows come back (bounded memory at any size)
    for cid, amount, paid_fen, refunded_fen, paid_sum, refunded_sum in ctx.db.execute_sql(CHARGE_TIE_SQL):
        paid, refunded = int(paid_sum or 0), int(refunded_sum or 0)
        if paid != paid_fen:
            wrong_paid.append(f"费用{cid} 已收 {paid_fen} 分，收款明细合计 {paid} 分")
        if paid_fen < 0 or paid_fen > amount:
            out_of_range.append(f"费用{cid} 应收 {amount} 分，已收 {paid_fen} 分")
        if -refunded != refunded_fen:
            wrong_refund.append(f"费用{cid} 已退 {refunded_fen} 分，退款明细合计 {-refunded} 分")
    problems += _listed("费用已收金额与收款明细不符", wrong_paid)
    problems += _listed("费用已收金额超出范围", out_of_range)
    problems += _listed("押金已退金额与退款明细不符", wrong_refund)
    wrong_total = [f"{number} 票面 {total} 分，明细 {int(lines or 0)} 分"
                   for number, total, lines in ctx.db.execute_sql(RECEIPT_TIE_SQL)]
    problems += _listed("票据金额与明细不符", wrong_total)
    gaps = []
    for kind, year, n, top in (Receipt.select(Receipt.kind, Receipt.year, fn.COUNT(Receipt.id), fn.MAX(Receipt.seq))
                               .group_by(Receipt.kind, Receipt.year).tuples()):
        if n != top:
            label = "收据" if kind == "receipt" else "退款凭证"
            gaps.append(f"{year}年{label} 最大号 {top}，实有 {n} 张（缺 {top - n} 张）")
    problems += _listed("票据编号不连续", gaps)
    problems += _listed("欠费余额表与费用不符（app.ledger.balances.repair 可据费用重建）", balance_mismatches())
    return problems


# ---------------------------------------------------------------- the ledger against the audit log
TIED_ACTIONS = ("ledger.pay", "ledger.refund", "ledger.void", "ledger.demo_payments")
NUMBER_RE = re.compile(r"(\d{4})-(\d+)$")


def _after(text) -> dict:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _rows(query):
    """The query's rows as the driver gives them (plain tuples, no model conversion: a few times faster
    over a million rows), streamed from its cursor."""
    sql, params = query.sql()
    return query.model._meta.database.execute_sql(sql, params)


def _audited():
    """What the audit log says was refunded, voided and waived: refund[id] = (number, amount),
    void[id] = (number, total), waived[charge id] = fen, the receipts of the demo's bulk payments as
    number ranges, and the audit seq of each. The payments themselves are streamed (_pay_audits)."""
    refund, void, waived, ranges = {}, {}, {}, []
    columns = (AuditLog.seq, AuditLog.action, AuditLog.entity, AuditLog.entity_id, AuditLog.after)
    by_action = (AuditLog.select(*columns).where(AuditLog.action.in_([a for a in TIED_ACTIONS if a != "ledger.pay"]))
                 .order_by(AuditLog.seq))
    by_entity = (AuditLog.select(*columns).where((AuditLog.entity == "charge") & AuditLog.after.contains("waived_fen"))
                 .order_by(AuditLog.seq))
    seen = 0   # the two index reads merged in seq order, a row in both once
    for seq, action, entity, entity_id, after_text in heapq.merge(_rows(by_action), _rows(by_entity), key=_first):
        if seq == seen:
            continue
        seen = seq
        a = _after(after_text)
        rid = int(entity_id) if str(entity_id).isdigit() else None
        if action == "ledger.refund" and rid is not None:
            refund[rid] = (a.get("number"), a.get("amount_fen"), seq)
        elif action == "ledger.void" and rid is not None:
            void[rid] = (a.get("number"), a.get("total_fen"), seq)
        elif action == "ledger.demo_payments":
            ranges.append((str(a.get("from", "")), str(a.get("to", ""))))
        elif entity == "charge" and rid is not None and "waived_fen" in a:
            waived[rid] = waived.get(rid, 0) + int(a.get("waived_fen") or 0)
    return refund, void, waived, ranges


def _pay_audits():
    """(receipt id, (number, total, lines, seq)) of the ledger.pay audit rows in receipt id order,
    streamed (a receipt's last row counts); an entity id that is no number is skipped. Ids are
    decimal texts without leading zeros, so (length, text) is their numeric order on both engines."""
    q = (AuditLog.select(AuditLog.entity_id, AuditLog.seq, AuditLog.after)
         .where(AuditLog.action == "ledger.pay")
         .order_by(fn.LENGTH(AuditLog.entity_id), AuditLog.entity_id, AuditLog.seq))
    last = None
    for entity_id, seq, after_text in _rows(q):
        if not str(entity_id).isdigit():
            continue
        a = _after(after_text)
        lines = tuple(sorted((int(k), int(v)) for k, v in (a.get("lines") or {}).items()))
        item = (int(entity_id), (a.get("number"), a.get("total_fen"), lines, seq))
        if last is not None and last[0] != item[0]:
            yield last
        last = item
    if last is not None:
        yield last


class _Ahead:
    """A stream of (key, value) in key order, read alongside the receipts in id order: ``take(key)``
    passes the smaller keys by (kept in ``passed``) and returns the key's value, or None."""

    def __init__(self, items):
        self.items, self.passed = iter(items), []
        self.head = next(self.items, None)

    def take(self, key, keep_passed: bool = False):
        while self.head is not None and self.head[0] < key:
            if keep_passed:
                self.passed.append(self.head[1])
            self.head = next(self.items, None)
        if self.head is not None and self.head[0] == key:
            value, self.head = self.head[1], next(self.items, None)
            return value
        return None

    def rest(self) -> list:
        rest = [*self.passed, *([self.head[1]] if self.head is not None else []), *(v for _k, v in self.items)]
        self.passed, self.head = [], None
        return rest


def _in_ranges(number: str, ranges) -> bool:
    return any(len(lo) == len(number) == len(hi) and lo <= number <= hi for lo, hi in ranges)


def _receipt_lines():
    """(receipt id, its pay lines ((charge, fen), …) sorted), streamed in receipt order (sorted by the
    query: a million lines are not sorted again in Python)."""
    q = (Payment.select(Payment.receipt, Payment.charge, Payment.amount_fen)
         .where(Payment.receipt.is_null(False) & (Payment.kind == "pay"))
         .order_by(Payment.receipt, Payment.charge, Payment.amount_fen))
    for rid, group in itertools.groupby(_rows(q), key=_first):
        yield rid, tuple([(cid, int(amount)) for _rid, cid, amount in group])


def _first(row):
    return row[0]


def audit_tie(ctx) -> list[str]:  # noqa: PLR0912 - one branch per kind of record
    """Every receipt, refund voucher, void and waive against its audit row (same number and amounts),
    every such audit row against the ledger, and the number counters against the receipts audited."""
    from models.system import Sequence
    refund, void, waived, ranges = _audited()
    pay, lines = _Ahead(_pay_audits()), _Ahead(_receipt_lines())   # streamed: memory bounded at any size
    wrong, missing, unaudited, counts = [], [], [], {}
    for rid, number, kind, total, status, year in _rows(Receipt.select(
            Receipt.id, Receipt.number, Receipt.kind, Receipt.total_fen, Receipt.status, Receipt.year)
            .order_by(Receipt.id)):
        counts[(kind, year)] = counts.get((kind, year), 0) + 1
        if kind == "receipt":
            got = pay.take(rid, keep_passed=True)
            mine = lines.take(rid) or ()
            if got is None:
                if not _in_ranges(number, ranges):
                    unaudited.append(f"收据 {number}（{total} 分）没有收款审计记录")
            elif got[0] != number or got[1] != total or got[2] != mine:
                wrong.append(f"收据 {number} 票面 {total} 分、明细 {_fen(mine)}；审计第 {got[3]} 条记录为 "
                             f"{got[0]} {got[1]} 分、明细 {_fen(got[2])}")
        else:
            got = refund.pop(rid, None)
            if got is None:
                unaudited.append(f"退款凭证 {number}（{-total} 分）没有退款审计记录")
            elif got[0] != number or got[1] != -total:
                wrong.append(f"退款凭证 {number} 退款 {-total} 分；审计第 {got[2]} 条记录为 {got[0]} {got[1]} 分")
        v = void.pop(rid, None)
        if status == "void" and v is None:
            unaudited.append(f"{number} 已作废，但没有作废审计记录")
        elif v is not None and status != "void":
            wrong.append(f"{number} 在审计第 {v[2]} 条记录中已作废，台账中却是有效票据")
        elif v is not None and (v[0] != number or v[1] != total):
            wrong.append(f"作废的 {number}（{total} 分）与审计第 {v[2]} 条记录（{v[0]} {v[1]} 分）不符")
    for got in pay.rest():
        missing.append(f"审计第 {got[3]} 条记录开出的收据 {got[0]}（{got[1]} 分）在台账中不存在")
    for got in refund.values():
        missing.append(f"审计第 {got[2]} 条记录开出的退款凭证 {got[0]}（{got[1]} 分）在台账中不存在")
    for got in void.values():
        missing.append(f"审计第 {got[2]} 条记录作废的 {got[0]} 在台账中不存在")
    lines_waived = dict(Payment.select(Payment.charge, fn.SUM(Payment.amount_fen))
                        .where(Payment.kind == "waive").group_by(Payment.charge).tuples())
    for cid in sorted(set(lines_waived) | set(waived)):
        fen = int(lines_waived.get(cid) or 0)
        if fen != waived.get(cid, 0):
            wrong.append(f"费用{cid} 减免明细合计 {fen} 分，审计记录为 {waived.get(cid, 0)} 分")
    counters = []
    for name, year, last in Sequence.select(Sequence.name, Sequence.year, Sequence.last).where(
            Sequence.name.in_(["receipt", "refund"])).tuples():
        label = "收据" if name == "receipt" else "退款凭证"
        if last != counts.get((name, year), 0):
            counters.append(f"{year}年{label}计数器为 {last}，台账中有 {counts.get((name, year), 0)} 张")
    problems = _listed("票据与审计记录不符", wrong) + _listed("没有审计记录的收费", unaudited)
    problems += _listed("审计记录的收费在台账中不存在（被删除）", missing)
    return problems + _listed("票据计数器与台账不符", counters) + _reduction_tie()


def _reduction_tie() -> list[str]:
    """Every reduction's payment lines (kind ``reduction``, source_id the reduction) against the audit
    row that approved it (``ledger.reduce_approve``, its lines), both ways: a line without its audit
    row, lines that differ from it, and an audited approval whose lines are gone are findings."""
    audited: dict[int, tuple] = {}
    for seq, entity_id, after_text in (AuditLog.select(AuditLog.seq, AuditLog.entity_id, AuditLog.after)
                                       .where(AuditLog.action == "ledger.reduce_approve")
                                       .order_by(AuditLog.seq).tuples().iterator()):
        if not str(entity_id).isdigit():
            continue
        a = _after(after_text)
        lines = tuple(sorted((int(x.get("charge_id") or 0), int(x.get("reduced_fen") or 0))
                             for x in (a.get("lines") or []) if isinstance(x, dict)))
        audited[int(entity_id)] = (lines, seq)
    ledger: dict[int, list] = {}
    for rid, cid, fen in (Payment.select(Payment.source_id, Payment.charge, Payment.amount_fen)
                          .where(Payment.kind == "reduction").order_by(Payment.id).tuples().iterator()):
        ledger.setdefault(int(rid or 0), []).append((int(cid or 0), int(fen)))
    wrong, unaudited, missing = [], [], []
    for rid in sorted(ledger):
        mine = tuple(sorted(ledger[rid]))
        got = audited.pop(rid, None)
        if got is None:
            unaudited.append(f"减免{rid} 明细 {_fen(mine)} 没有审批审计记录")
        elif got[0] != mine:
            wrong.append(f"减免{rid} 明细 {_fen(mine)}；审计第 {got[1]} 条记录为 {_fen(got[0])}")
    for rid, (lines, seq) in sorted(audited.items()):
        if lines:
            missing.append(f"审计第 {seq} 条记录批准的减免{rid}（{_fen(lines)}）在台账中不存在")
    return (_listed("减免明细与审计记录不符", wrong) + _listed("没有审计记录的减免", unaudited)
            + _listed("审计记录的减免在台账中不存在（被删除）", missing))


def _fen(lines) -> str:
    return "、".join(f"费用{c}:{a}" for c, a in lines) or "无"
