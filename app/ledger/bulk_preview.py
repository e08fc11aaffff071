"""What a bulk write would do, before it is done: the monthly billing run of the whole site and a
batch of dunning notices, counted (homes, lines, total) without keeping anything.

Each preview runs the real service inside a transaction that is always rolled back, so the figures
are exactly those the run would give (no second copy of the billing rules to drift apart), and
nothing stays written: no charge, no notice number, no audit row."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import fn

from app.core.dates import parse_period, period_str
from app.core.money import fmt_fen
from app.core.permissions import require
from models.db import lock_for_bulk_write
from models.ledger import Charge, Payment


@dataclass(frozen=True)
class BulkPreview:
    homes: int          # households the run touches
    lines: int          # charges (billing) or notices (dunning) it writes
    total_fen: int      # the amount billed, or owed plus late fee on the notices
    prepaid_lines: int = 0
    prepaid_fen: int = 0
    billed_before: bool = False     # billing: the month had been billed already (some of its charges exist)


class _Discard(Exception):
    """Raised inside the preview's transaction to roll it back."""


def _rolled_back(ctx, fn_, *args):
    result = {}
    try:
        with ctx.db.atomic():
            result["value"] = fn_(*args)
            raise _Discard
    except _Discard:
        pass
    return result["value"]


def month_preview(ctx, period: str) -> BulkPreview:
    """What billing.run_month(ctx, period) would add now: homes, lines and the total."""
    from app.ledger.billing import run_month
    require(ctx, "ledger.bill")

    def run():
        lock_for_bulk_write(Charge, Payment)      # as run_month does: the rows after last_id are the run's
        last_id = Charge.select(fn.COALESCE(fn.MAX(Charge.id), 0)).scalar() or 0
        res = run_month(ctx, period)
        homes = Charge.select(fn.COUNT(Charge.home.distinct())).where(Charge.id > last_id).scalar() or 0
        billed = Charge.select().where((Charge.bill_period == res["period"]) & (Charge.id <= last_id)).exists()
        return BulkPreview(int(homes), res["lines"], res["total_fen"], res["prepaid_lines"], res["prepaid_fen"],
                           billed)
    return _rolled_back(ctx, run)


def month_message(period: str, pre: BulkPreview) -> tuple[bool, str]:
    """What 月度计费 tells the clerk before the run of *period* previewed as *pre*: (ask, text).
    ask False: the run would change nothing (no charge to add, no prepayment to draw down) and the
    text only says so; ask True: the text states what the run would do and asks to go on."""
    period = period_str(*parse_period(period))
    prepaid = f"预交物业费抵扣 {pre.prepaid_lines} 笔 ¥{fmt_fen(pre.prepaid_fen)}"
    if not pre.lines:
        nothing = f"{period} 已计费，无新的费用需要计收" if pre.billed_before else f"{period} 没有需要计收的费用"
        if not pre.prepaid_lines:
            return False, nothing + "。"
        return True, f"{nothing}；将以{prepaid}。\n\n确定进行预交物业费抵扣吗？"
    text = f"将为全小区 {pre.homes} 户计收 {period} 的费用：共 {pre.lines} 笔，合计 ¥{fmt_fen(pre.total_fen)}"
    if pre.prepaid_lines:
        text += f"；其中{prepaid}"
    return True, text + "。\n\n确定开始月度计费吗？"


def notices_preview(ctx, on_date: dt.date, stage: int, building_id: int | None = None, **options) -> BulkPreview:
    """What dunning.notices(ctx, on_date, stage, building_id, **options) would issue: notices and
    their total (owed plus, on third notices, the late fee); options: again, override_reason."""
    from app.ledger.dunning import notices
    require(ctx, "ledger.dunning")

    def run():
        batch = notices(ctx, on_date, stage, building_id, **options)
        return BulkPreview(len(batch), len(batch), sum(n.owed_fen + n.late_fee_fen for n in batch))
    return _rolled_back(ctx, run)
