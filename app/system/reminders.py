"""What needs doing today, gathered from every area for the start-up reminder.

An area takes part by defining ``startup_reminders(ctx) -> list[str]`` in its service module
(listed in PROVIDERS); a module that is missing or fails is reported, never fatal."""
from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

PROVIDERS = ["app.desk.keys", "app.movein.movein", "app.renovation.renovation", "app.service.requests", "app.ledger.dunning"]


def startup_reminders(ctx) -> list[str]:
    lines = []
    for name in PROVIDERS:
        if find_spec(name) is None:
            continue
        fn = getattr(import_module(name), "startup_reminders", None)
        if fn is None:
            continue
        try:
            lines.extend(fn(ctx))
        except Exception as exc:  # a reminder must never stop the desk from working
            lines.append(f"（{name} 提醒读取失败：{exc}）")
    return lines
