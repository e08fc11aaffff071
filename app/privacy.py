"""The one place that masks personal data for lists, prints and exports."""
from __future__ import annotations

import re

from .permissions import allowed


def mask_phone(phone: str) -> str:
    """13812341234 → 138****1234; landlines keep the area code and last 2-4 digits."""
    s = re.sub(r"\s", "", phone or "")
    if not s:
        return ""
    digits = re.sub(r"\D", "", s)
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if "-" in s:
        area, local = s.split("-", 1)
        return f"{area}-{'*' * max(len(local) - 4, 2)}{local[-4:]}" if len(local) > 4 else f"{area}-****"
    if len(s) > 4:
        return "*" * (len(s) - 4) + s[-4:]
    return "****"


def mask_id(id_number: str) -> str:
    """110101199003071234 → 110***********1234 (first 3 and last 4 kept)."""
    s = (id_number or "").strip()
    if not s:
        return ""
    if len(s) <= 7:
        return "*" * len(s)
    return s[:3] + "*" * (len(s) - 7) + s[-4:]


def may_see_full(ctx) -> bool:
    role = getattr(getattr(ctx, "user", None), "role", None)
    return allowed(role, "pii.view_full")


def phone_for(ctx, phone: str, reveal: bool = False) -> str:
    """The phone as this user may see it. Full only when asked for, permitted, and audited."""
    if reveal and may_see_full(ctx):
        from .audit import record
        record(ctx, "pii.reveal_phone", "phone", mask_phone(phone))
        return phone
    return mask_phone(phone)
