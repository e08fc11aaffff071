"""Unbroken numbers from the database: one counter row per name and year, taken inside the write's
transaction with ``UPDATE … SET last = last + n … RETURNING last``. The update locks the row until
the transaction ends (PostgreSQL row lock, SQLite write lock), so two desks never get the same
number, and a transaction that rolls back gives its number back (no gaps). Never ``max + 1``."""
from __future__ import annotations

from models.system import Sequence


def _bump(name: str, year: int, count: int, start: int) -> int:
    """Add *count* to the counter (created at *start* when missing); returns the new last value."""
    for _attempt in range(2):
        rows = list(Sequence.update(last=Sequence.last + count)
                    .where((Sequence.name == name) & (Sequence.year == year))
                    .returning(Sequence.last).tuples().execute())
        if rows:
            return int(rows[0][0])
        # first number of this name and year: create the row; a desk creating it at the same time
        # makes this insert do nothing (the unique index on name, year), and the update then finds it
        Sequence.insert(name=name, year=year, last=start).on_conflict_ignore().execute()
    raise RuntimeError(f"counter {name}/{year} could not be created")


def next_number(name: str, year: int) -> int:
    return _bump(name, year, 1, 0)


def format_number(prefix: str, year: int, n: int, width: int = 6) -> str:
    return f"{prefix}{year}-{n:0{width}d}"


def reserve_numbers(name: str, year: int, count: int) -> int:
    """Take *count* consecutive numbers at once (a batch of notices); returns the first."""
    if count <= 0:
        return 0
    return _bump(name, year, count, 0) - count + 1


def take_counter(name: str, start: int) -> int:
    """The next value of a yearless counter (year 0) that begins after *start* (the audit log's
    sequence: *start* is the highest seq already written when the counter row is first made)."""
    return _bump(name, 0, 1, start)


def set_counter(name: str, value: int) -> None:
    """Move a yearless counter to *value* (inside the transaction that holds it)."""
    Sequence.update(last=value).where((Sequence.name == name) & (Sequence.year == 0)).execute()
