"""`propertydesk check` runs the ledger's consistency checks."""
from app.ledger import checks as ledger_checks
from app.ledger.billing import post_charge
from app.ledger.payments import pay
from app.office.checks import run_checks
from models.ledger import Charge, Receipt
from tests.ledger.test_dunning import owing  # noqa: F401  (fixture)


def test_consistent_ledger_has_no_problems(ctx, owing):  # noqa: F811
    dep = post_charge(ctx, owing["7-101"].id, "pass_deposit", 5000)
    pay(ctx, owing["7-101"].id, [dep.id], "现金", "工人")
    assert ledger_checks.run(ctx) == []
    ledger = next(c for c in run_checks(ctx) if c.name == "收费台账")
    assert ledger.ok


def test_tampered_rows_are_reported(ctx, owing):  # noqa: F811
    c = Charge.select().where(Charge.paid_fen > 0).first()
    Charge.update(paid_fen=c.paid_fen - 1).where(Charge.id == c.id).execute()
    r = Receipt.select().first()
    Receipt.update(total_fen=r.total_fen + 100, seq=r.seq + 5).where(Receipt.id == r.id).execute()
    problems = "\n".join(ledger_checks.run(ctx))
    assert "收款明细" in problems and "票据金额与明细不符" in problems and "票据编号不连续" in problems
