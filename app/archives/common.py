"""Small helpers the archive services share: fetching a row or refusing, rates in percent, a
home's customer category, raw query rows, and refreshing the search index after a write."""
from __future__ import annotations

from app.archives import customers, search
from app.core.lookup import get_or_404

OWNER_PHOTO = "owner_photo"          # Attachment.entity of an owner's photo
PER_MILLE = 1000                     # a rate is rounded to one decimal of a percent


def get_row(model, pk, label: str):
    """The row of *model* with id *pk*, or NotFound “找不到该<label>（编号 <pk>）”."""
    return get_or_404(model, pk, label, message=f"找不到该{label}（编号 {pk}）")


def pct(num: int, den: int) -> float | None:
    """A rate in percent with one decimal, None when there is nothing to count."""
    if not den:
        return None
    return round(num * PER_MILLE / den) / 10


def fmt_pct(p: float | None) -> str:
    return "—" if p is None else f"{p:.1f}%"


def category_of(ctx, move_in) -> str:
    """The customer category (customers.CATEGORIES) of a home that moved in on *move_in*."""
    return customers.category(ctx.settings, move_in, ctx.clock.today())


def raw_rows(ctx, query) -> list[tuple]:
    """The rows of a peewee query as plain tuples straight from the cursor (no per-row peewee work)."""
    sql, params = query.sql()
    return ctx.db.execute_sql(sql, params).fetchall()


def reindex(home_ids) -> None:
    """Refresh the search lines of these homes (after a write that changes what is searched)."""
    search.index_homes(list(home_ids))
