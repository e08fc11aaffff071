"""Calendar helpers every area shares: whole-month arithmetic on dates and on billing periods
("YYYY-MM"), and the date texts shown on screen and printed on forms."""
from __future__ import annotations

import calendar
import datetime as dt
import re

from app.core.errors import ValidationError

PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` shifted by whole calendar months; the day is clamped to the month's last day."""
    year, month = divmod(day.year * 12 + (day.month - 1) + months, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_period(text, field: str = "计费月份") -> tuple[int, int]:
    """A billing period typed as ``2026-11`` → (2026, 11), or a Chinese ValidationError naming ``field``."""
    m = PERIOD_RE.match(str(text or "").strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or not 2000 <= int(m.group(1)) <= 2100:  # noqa: PLR2004
        raise ValidationError(field, f"应为“年-月”格式，如 2026-11，收到“{text}”")
    return int(m.group(1)), int(m.group(2))


def as_date(value) -> dt.date | None:
    """A date from a date or an ISO text (SQLite gives text for some computed columns)."""
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


def period_str(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def period_of(day: dt.date) -> str:
    """The billing period a date falls in (2026-11-23 → "2026-11")."""
    return period_str(day.year, day.month)


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a period."""
    y, m = parse_period(period)
    return dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1])


def add_period_months(period: str, n: int) -> str:
    """``period`` shifted by ``n`` months ("2026-12", 1 → "2027-01")."""
    y, m = parse_period(period)
    idx = y * 12 + (m - 1) + n
    return period_str(idx // 12, idx % 12 + 1)


def fmt_date(value) -> str:
    """2026-11-23, or "" for no date."""
    return value.strftime("%Y-%m-%d") if value else ""


def fmt_datetime(value) -> str:
    """2026-11-23 14:30 (to the minute), or "" for none."""
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def fmt_timestamp(value: dt.datetime) -> str:
    """2026-11-23 14:30:05 (to the second), as a timestamp is written into SQL by the set-based runs."""
    return value.strftime("%Y-%m-%d %H:%M:%S")


def cn_date(value: dt.date | None) -> str:
    """2026年11月23日, as printed on letters and notices, or "" for none."""
    return f"{value.year}年{value.month}月{value.day}日" if value else ""
