"""Unbroken document numbers: one counter per name and year, taken inside the write's transaction."""
from __future__ import annotations

from models.system import Sequence


def next_number(name: str, year: int) -> int:
    row, _ = Sequence.get_or_create(name=name, year=year, defaults={"last": 0})
    Sequence.update(last=Sequence.last + 1).where(Sequence.id == row.id).execute()
    return Sequence.get_by_id(row.id).last


def format_number(prefix: str, year: int, n: int, width: int = 6) -> str:
    return f"{prefix}{year}-{n:0{width}d}"


def reserve_numbers(name: str, year: int, count: int) -> int:
    """Take *count* consecutive numbers at once (a batch of notices); returns the first."""
    if count <= 0:
        return 0
    row, _ = Sequence.get_or_create(name=name, year=year, defaults={"last": 0})
    Sequence.update(last=Sequence.last + count).where(Sequence.id == row.id).execute()
    return Sequence.get_by_id(row.id).last - count + 1
