"""What a bulk write would do, before it is done: the monthly billing run of the whole site and a
batch of dunning notices, counted (homes, lines, total) without keeping anything.

Each preview runs the real service inside a transaction that is always rolled back, so the figures
are exactly those the run would give (no second copy of the billing rules to drift apart), and
nothing stays written: no charge, no notice number, no audit row."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import fn

from app.core.permissions import require
from models.ledger import Charge


@dataclass(frozen=True)
class BulkPreview:
    homes: int          # households the run touches
    lines: int          # charges (billing) or notices (dunning) it writes
    total_fen: int      # the amount billed, or owed plus late fee on the notices
    prepaid_lines: int = 0
    prepaid_fen: int = 0


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
        last_id = Charge.select(fn.COALESCE(fn.MAX(Charge.id), 0)).scalar() or 0
        res = run_month(ctx, period)
        homes = Charge.select(fn.COUNT(Charge.home.distinct())).where(Charge.id > last_id).scalar() or 0
        return BulkPreview(int(homes), res["lines"], res["total_fen"], res["prepaid_lines"], res["prepaid_fen"])
    return _rolled_back(ctx, run)


def notices_preview(ctx, on_date: dt.date, stage: int, building_id: int | None = None) -> BulkPreview:
    """What dunning.notices(ctx, on_date, stage, building_id) would issue: notices and their total
    (owed plus, on third notices, the late fee)."""
    from app.ledger.dunning import notices
    require(ctx, "ledger.dunning")

    def run():
        batch = notices(ctx, on_date, stage, building_id)
        return BulkPreview(len(batch), len(batch), sum(n.owed_fen + n.late_fee_fen for n in batch))
    return _rolled_back(ctx, run)
