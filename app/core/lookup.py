"""Fetch one row by id, or refuse with a Chinese NotFound the user can act on."""
from __future__ import annotations

from peewee import Expression

from app.core.errors import NotFound


def row_id(value) -> int | None:
    """An id as given by a caller (int, numeric text, a row): the int, or None when it cannot be one.
    Comparing an integer column with text fails on PostgreSQL, so the text never reaches the query."""
    if value is None or isinstance(value, bool):
        return None
    if hasattr(value, "_meta") and hasattr(value, "id"):   # a model instance
        return value.id
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def get_or_404(model, key, label: str = "记录", message: str | None = None):
    """The row of ``model`` with id ``key`` (or matching ``key`` when it is a peewee expression).
    Unknown: NotFound(message), by default “<label>（编号 <key>）不存在”."""
    if isinstance(key, Expression):
        row = model.get_or_none(key)
    else:
        rid = row_id(key)
        row = model.get_or_none(model.id == rid) if rid is not None else None
    if row is None:
        raise NotFound(message or f"{label}（编号 {key}）不存在")
    return row
