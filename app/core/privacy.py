"""The one place that masks personal data for lists, prints and exports.

Masking only: revealing an owner's full data and anonymising an owner who left are services of
the archives area (app.archives.people, app.archives.anonymise)."""
from __future__ import annotations

import re

from app.core.permissions import allowed

MOBILE_DIGITS = 11      # a mainland mobile number: 1xx xxxx xxxx
KEEP_TAIL = 4           # digits kept at the end of a masked phone or identity number
KEEP_HEAD = 3           # characters kept at the start of a masked identity number
MIN_STARS = 2           # stars at least in a masked landline number


def mask_phone(phone: str) -> str:
    """13812341234 → 138****1234; landlines keep the area code and last 2-4 digits."""
    s = re.sub(r"\s", "", phone or "")
    if not s:
        return ""
    digits = re.sub(r"\D", "", s)
    if len(digits) == MOBILE_DIGITS and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-KEEP_TAIL:]}"
    if "-" in s:
        area, local = s.split("-", 1)
        if len(local) > KEEP_TAIL:
            return f"{area}-{'*' * max(len(local) - KEEP_TAIL, MIN_STARS)}{local[-KEEP_TAIL:]}"
        return f"{area}-****"
    if len(s) > KEEP_TAIL:
        return "*" * (len(s) - KEEP_TAIL) + s[-KEEP_TAIL:]
    return "****"


def mask_id(id_number: str) -> str:
    """110101199003071234 → 110***********1234 (first 3 and last 4 kept)."""
    s = (id_number or "").strip()
    if not s:
        return ""
    if len(s) <= KEEP_HEAD + KEEP_TAIL:
        return "*" * len(s)
    return s[:KEEP_HEAD] + "*" * (len(s) - KEEP_HEAD - KEEP_TAIL) + s[-KEEP_TAIL:]


def may_see_full(ctx) -> bool:
    role = getattr(getattr(ctx, "user", None), "role", None)
    return allowed(role, "pii.view_full")


def phone_for(ctx, phone: str, reveal: bool = False) -> str:
    """The phone as this user may see it. Full only when asked for, permitted, and audited."""
    if reveal and may_see_full(ctx):
        from app.core.audit import record
        record(ctx, "pii.reveal_phone", "phone", mask_phone(phone))
        return phone
    return mask_phone(phone)


def anonymised_name(owner_id: int) -> str:
    """The name an anonymised owner keeps (app.archives.anonymise): 已注销业主0007."""
    return f"已注销业主{owner_id:04d}"
