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


def source_label(ctx, key: str) -> str:
    """Where the key's value comes from, in words: 程序默认 / 站点文件 / 本处修改."""
    from app.core.settings import LAYER_LABELS
    return LAYER_LABELS[ctx.settings.source(key)]


def site_changes(ctx) -> list[dict]:
    """What the site file (the installer's site.toml) changed since the manager last saw it: per key
    its label, old → new, and whether the office's own value overrides it (then the new site value does
    not apply). Empty on a first start: there is nothing to compare with (see acknowledge_site_changes)."""
    from app.core.settings import APPLIED_SITE_FILE, BY_KEY, SETTINGS, coerce, read_toml
    path = ctx.data_dir / APPLIED_SITE_FILE
    if not path.is_file():
        return []
    applied = {k: coerce(BY_KEY[k], v) for k, v in read_toml(path).items()}
    site = ctx.settings.site_values()
    out = []
    for s in SETTINGS:
        old = applied.get(s.key, s.default)
        new = site.get(s.key, s.default)
        if old != new:
            out.append({"key": s.key, "label": s.label, "old": display_value(s.key, old),
                        "new": display_value(s.key, new), "overridden": ctx.settings.source(s.key) == "office",
                        "now": display_value(s.key, ctx.settings.get(s.key))})
    return out


def acknowledge_site_changes(ctx, changes: list[dict] | None = None) -> bool:
    """The manager has seen the site file's changes: the office's file is rewritten with the office's
    own changes only (an older version's full copy of every setting is cleaned), the site values are
    remembered as seen, and the upgrade's changes are audited (one transaction for the audit row)."""
    from app.core.settings import APPLIED_SITE_FILE, SETTINGS_FILE, write_toml
    if changes:
        require(ctx, "settings.edit")
        with ctx.db.atomic():
            record(ctx, "settings.site_upgrade", "settings", "", {c["key"]: c["old"] for c in changes},
                   {c["key"]: c["new"] for c in changes})
    if (ctx.data_dir / SETTINGS_FILE).is_file():
        ctx.settings.save(ctx.data_dir / SETTINGS_FILE)
    write_toml(ctx.data_dir / APPLIED_SITE_FILE, ctx.settings.site_values())
    return True


def first_start_of_site_file(ctx) -> bool:
    """No site values remembered yet (a new install, or the first start of this version): remember them
    now, silently (nothing to list). Returns True when it did."""
    from app.core.settings import APPLIED_SITE_FILE
    if (ctx.data_dir / APPLIED_SITE_FILE).is_file():
        return False
    acknowledge_site_changes(ctx)
    return True
