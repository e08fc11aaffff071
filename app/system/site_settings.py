"""Editing the site settings as a user action (permission, validation, audit, file write)."""
from __future__ import annotations

from app.core.audit import record
from app.core.money import fmt_fen, parse_yuan
from app.core.permissions import require
from app.core.settings import BY_KEY


def display_value(key: str, value) -> str:
    s = BY_KEY[key]
    if s.kind == "fen":
        return fmt_fen(value).replace(",", "")
    if s.kind == "bool":
        return "是" if value else "否"
    return str(value)


def parse_display(key: str, text: str):
    s = BY_KEY[key]
    if s.kind == "fen":
        return parse_yuan(text, s.label)
    return text


def save_settings(ctx, edited: dict[str, str]) -> dict:
    """edited: key → text as typed. All are checked before anything is written. Returns changes."""
    require(ctx, "settings.edit")
    values = {k: parse_display(k, v) for k, v in edited.items()}
    before = ctx.settings.as_dict()
    ctx.settings.update(values)
    changes = {k: (before[k], ctx.settings.get(k)) for k in values if before[k] != ctx.settings.get(k)}
    if changes:
        with ctx.db.atomic():
            record(ctx, "settings.update", "settings", "", {k: v[0] for k, v in changes.items()},
                   {k: v[1] for k, v in changes.items()})
        ctx.settings.save()
    return changes
