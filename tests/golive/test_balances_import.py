"""Opening balances on the go-live day (issue 16): arrears per home, item and month become charges the
arrears, dunning, flags and collection rate read; prepaid balances a prepayment the monthly run draws
down; the report ties to the workbook; bad rows refused with Chinese reasons; a file comes in once."""
from __future__ import annotations

import pytest

from app.core.errors import PermissionDenied, StateError
from app.golive.balances_import import PREPAID, import_balances, opened_summary
from app.golive.owners_import import import_owners
from app.ledger import checks
from app.ledger.arrears import home_arrears
from app.ledger.billing import run_month
from app.ledger.prepayment import prepay_balance
from app.ledger.rates import due_date_for
from app.ledger.reports import collection_rate
from models.golive_opening import RegisterImport
from models.ledger import Charge, Payment
from models.people import HomeOwner, Owner
from models.property import Home
from models.users import AuditLog
from tests.helpers.golive import office_ledger
from tests.helpers.golive_registers import BAD_BALANCES, balance_totals, balances_workbook


@pytest.fixture
def site(ctx, tmp_path):
    """The office ledger's 292 homes and owners, imported as an office does first."""
    rep = import_owners(ctx, office_ledger(tmp_path / "台账.xlsx"))
    assert rep.created_homes == 292
    return ctx


def home(code):
    return Home.get(Home.room_code == code)


def test_seed_balances_open_and_tie_to_the_workbook(site, tmp_path):
    ctx = site
    path = balances_workbook(tmp_path / "期初余额.xlsx")
    rep = import_balances(ctx, path)
    want = balance_totals()
    assert want == {"property_fee": (84, want["property_fee"][1]), "water": (27, 27 * 3560),
                    PREPAID: (23, 23 * 120000)}
    good = sum(n for n, _f in want.values())
    assert (rep.rows, rep.written) == (good + len(BAD_BALANCES), good)
    assert {k: tuple(v) for k, v in rep.opened.items()} == want
    # the workbook's totals count every amount read; a refused one shows as the difference
    fee_rows, fee_fen = want["property_fee"]
    assert rep.workbook["property_fee"] == [fee_rows + 1, fee_fen + 12000]       # + the home not on the site
    assert rep.workbook["water"] == list(want["water"])          # -5 and 1.234 are no amounts: refused as read
    assert [r for r, _m in rep.rejected] == list(range(2 + good + 1, 2 + good + 1 + len(BAD_BALANCES)))
    for (_row, reason), (_v, words) in zip(rep.rejected, BAD_BALANCES, strict=True):
        assert words in reason
    text = "\n".join(rep.lines())
    assert "水费：27 笔 961.20 元 → 27 笔 961.20 元，相符" in text
    assert "预存余额：23 笔 27,600.00 元 → 23 笔 27,600.00 元，相符" in text
    assert "物业服务费：85 笔" in text and "差 1 笔 120.00 元（见拒绝的行）" in text
    # arrears: charges of their own month, due on the period's due day, read by the arrears page
    c = Charge.get((Charge.home == home("1-1-101").id) & (Charge.period == "2026-09"))
    assert (c.source, c.item_code, c.category, c.bill_period, c.paid_fen) == ("opening", "property_fee", "periodic",
                                                                              "2026-09", 0)
    assert c.due_date == due_date_for(ctx, "2026-09") < ctx.clock.today()
    owing = {a.room_code: a for a in home_arrears(ctx)}
    assert len(owing) == 42 + 27 - 4                                # every 7th, every 11th, both every 77th
    assert (owing["1-1-101"].months, owing["1-1-101"].charges) == (2, 3)          # 09 and 10: fee, fee, water
    assert owing["1-1-101"].owed_fen == 2 * 10000 + 3560
    assert sum(a.owed_fen for a in owing.values()) == rep.arrears_fen == want["property_fee"][1] + want["water"][1]
    owner = HomeOwner.get(HomeOwner.home == home("1-1-101")).owner
    assert Owner.get_by_id(owner.id).arrears_flag                                  # the dunning board's flag
    # prepaid: a balance the prepayment functions read; the ledger's own checks hold
    assert prepay_balance(home("1-1-101").id) == 120000
    assert checks.run(ctx) == []
    assert opened_summary() == {"arrears": (111, rep.arrears_fen), "prepaid": (23, 23 * 120000)}
    assert AuditLog.select().where(AuditLog.action == "golive.balances").count() == 1
    assert RegisterImport.get().rows == good


def test_monthly_run_draws_the_prepaid_down_and_never_bills_an_opened_month_again(site, tmp_path):
    ctx = site
    import_balances(ctx, balances_workbook(tmp_path / "期初余额.xlsx", bad=False, numbers=True))
    h = home("1-1-101").id
    run_month(ctx, "2026-10")                      # the month opened as arrears is not billed twice
    fee = Charge.select().where((Charge.home == h) & (Charge.item_code == "property_fee")
                                & (Charge.period == "2026-10"))
    assert [c.source for c in fee] == ["opening"]
    # ... and, as for any property fee of that month, the home's prepaid settles it (1-1-101 has both)
    assert [(c.amount_fen, c.paid_fen) for c in fee] == [(10000, 10000)] and prepay_balance(h) == 110000
    run_month(ctx, "2026-11")
    nov = Charge.get((Charge.home == h) & (Charge.item_code == "property_fee") & (Charge.period == "2026-11"))
    assert nov.paid_fen == nov.amount_fen > 0                                     # settled from the prepaid
    assert prepay_balance(h) == 110000 - nov.amount_fen
    assert Payment.get((Payment.charge == nov.id)).kind == "prepay"
    assert checks.run(ctx) == []
    # the collection rate of the opened month counts the opening arrears as billed, none collected
    rate = collection_rate(ctx, "2026-09")
    assert (rate.total.billed_fen, rate.total.collected_fen) == (balance_totals()["property_fee"][1] // 2, 0)


def test_dry_run_reports_the_same_and_writes_nothing(site, tmp_path):
    ctx = site
    path = balances_workbook(tmp_path / "期初余额.xlsx")
    before = (Charge.select().count(), Payment.select().count(), AuditLog.select().count())
    dry = import_balances(ctx, path, dry_run=True)
    assert (Charge.select().count(), Payment.select().count(), AuditLog.select().count()) == before
    assert RegisterImport.select().count() == 0 and "试导入（未写入）" in dry.lines()[0]
    real = import_balances(ctx, path)
    assert (dry.written, dry.rejected, dry.opened) == (real.written, real.rejected, real.opened)


def test_the_same_file_comes_in_once_and_an_opened_month_is_refused_by_row(site, tmp_path):
    ctx = site
    path = balances_workbook(tmp_path / "期初余额.xlsx", homes=30, bad=False)
    first = import_balances(ctx, path)
    n = Charge.select().count()
    for dry in (True, False):
        with pytest.raises(StateError, match="该文件已于 2026-11-23 09:00 导入过"):
            import_balances(ctx, path, dry_run=dry)
    # the same lines in another file: each refused by its row, nothing written twice
    again = balances_workbook(tmp_path / "期初余额（副本）.xlsx", homes=30, bad=False, numbers=True)
    rep = import_balances(ctx, again)
    assert rep.written == 0 and len(rep.rejected) == first.written and Charge.select().count() == n
    assert "1-1-101 物业服务费 2026-09 已建立过期初欠费" in rep.rejected[0][1]
    assert any("已建立过期初预存余额" in m for _r, m in rep.rejected)


def test_only_a_manager_opens_balances(site, tmp_path, as_role):
    path = balances_workbook(tmp_path / "期初余额.xlsx", homes=30, bad=False)
    with pytest.raises(PermissionDenied):
        import_balances(as_role("cashier"), path)
    assert Charge.select().count() == 0


def test_two_desks_importing_one_file_at_once_the_second_is_told_in_chinese(site, tmp_path, monkeypatch):
    """Both desks pass the check before either commits (PostgreSQL, read committed): the unique index on
    the file's fingerprint refuses the second, in Chinese, and it writes nothing."""
    from app.golive import register_sheets
    ctx = site
    path = balances_workbook(tmp_path / "期初余额.xlsx", homes=30, bad=False)
    import_balances(ctx, path)
    n = Charge.select().count()
    monkeypatch.setattr(register_sheets, "refuse_repeat", lambda kind, digest: None)
    with pytest.raises(StateError, match="该文件刚由另一台电脑导入，不会重复导入"):
        import_balances(ctx, path)
    assert Charge.select().count() == n and RegisterImport.select().count() == 1
