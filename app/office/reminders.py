"""What needs doing today, gathered from every area for the start-up reminder.

An area takes part with a ``startup_reminders(ctx) -> list[str]`` function, listed in PROVIDERS
under the area's name; a provider that fails is reported in its line, never fatal."""
from __future__ import annotations

from app.desk import reminders as desk_reminders
from app.frontdesk import reminders as frontdesk_reminders
from app.golive import phone_recheck
from app.ledger import dunning
from app.movein import aftercare as movein_aftercare
from app.notices import register as notice_register
from app.renovation import lists as renovation_lists

PROVIDERS = {
    "钥匙与借用": desk_reminders.startup_reminders,
    "入住": movein_aftercare.startup_reminders,
    "装修": renovation_lists.startup_reminders,
    "催缴": dunning.startup_reminders,
    "公告栏": notice_register.startup_reminders,
    "电话复核": phone_recheck.startup_reminders,
    "前台待办": frontdesk_reminders.startup_reminders,
}


def startup_reminders(ctx) -> list[str]:
    lines = []
    for area, provider in PROVIDERS.items():
        try:
            lines.extend(provider(ctx))
        except Exception as exc:  # a reminder must never stop the desk from working
            lines.append(f"（{area} 提醒读取失败：{exc}）")
    return lines
