"""Customer category by time since moving in (domain.md §2, 000 item 5).

新客户 under ``customer.new_months`` (6) months, 磨合期 from 6 to under ``customer.settling_months``
(18), 稳定期 from 18 to under ``customer.stable_months`` (30), 老客户 from 30 months on.
A home with no move-in date (or one in the future) has no category.

"N months since moving in" is measured on the calendar: a household that moved in on
2026-05-23 reaches 6 months on 2026-11-23. The same cut-off dates drive the SQL filters
(``category_date_range``), so what the table shows and what the filter finds agree.
"""
from __future__ import annotations

import datetime as dt

from app.core.dates import add_months

NEW, SETTLING, STABLE, OLD = "新客户", "磨合期", "稳定期", "老客户"
CATEGORIES = [NEW, SETTLING, STABLE, OLD]


def _bounds(settings) -> tuple[int, int, int]:
    n = int(settings.get("customer.new_months"))
    s = int(settings.get("customer.settling_months"))
    t = int(settings.get("customer.stable_months"))
    return n, s, t


def cutoffs(settings, today: dt.date) -> tuple[dt.date, dt.date, dt.date]:
    """The move-in dates on which a household reaches each boundary today (6, 18, 30 months ago)."""
    n, s, t = _bounds(settings)
    return add_months(today, -n), add_months(today, -s), add_months(today, -t)


def category(settings, move_in: dt.date | None, today: dt.date) -> str:
    """The category of a household that moved in on *move_in*, or '' when not moved in."""
    if move_in is None or move_in > today:
        return ""
    c_new, c_settling, c_stable = cutoffs(settings, today)
    if move_in > c_new:
        return NEW
    if move_in > c_settling:
        return SETTLING
    if move_in > c_stable:
        return STABLE
    return OLD


def category_date_range(settings, name: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """(after, up_to): move-in dates d with after < d <= up_to belong to category *name*
    (None means unbounded on that side)."""
    c_new, c_settling, c_stable = cutoffs(settings, today)
    if name == NEW:
        return c_new, today
    if name == SETTLING:
        return c_settling, c_new
    if name == STABLE:
        return c_stable, c_settling
    if name == OLD:
        return None, c_stable
    raise ValueError(name)


def months_since(move_in: dt.date, today: dt.date) -> int:
    """Whole calendar months from *move_in* to *today*."""
    m = (today.year - move_in.year) * 12 + today.month - move_in.month
    if add_months(move_in, m) > today:
        m -= 1
    return m
