"""The front desk's start-up reminder (今日提醒, app.office.reminders): the current shift's open
items as the shift log counts them (app.frontdesk.shifts.open_items), one line per kind that is
not zero, shown to the front desk role only (the others have their own areas' reminders)."""
from __future__ import annotations

from app.frontdesk.shifts import current_shift, open_items

ROLES = ("frontdesk",)
OVERDUE_PARCELS = "其中超过免费保管期"      # the shift log's sub-line, named in full on its own line


def startup_reminders(ctx) -> list[str]:
    """``前台待办（早班 08:00–16:00）：待取包裹 3 件`` for each open kind; empty for other roles."""
    if getattr(ctx.user, "role", None) not in ROLES:
        return []
    shift = current_shift(ctx)
    head = f"前台待办（{shift['shift']} {shift['hours']}）"
    lines = []
    for label, n, unit in open_items(ctx):
        if n:
            name = "超过免费保管期的包裹" if label == OVERDUE_PARCELS else label
            lines.append(f"{head}：{name} {n} {unit}")
    return lines
