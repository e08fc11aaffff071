"""Every icon the UI uses, by purpose, in one place (qtawesome names)."""
from __future__ import annotations

from functools import lru_cache

NAMES = {
    "archives": "fa5s.address-book",
    "movein": "fa5s.door-open",
    "renovation": "fa5s.tools",
    "keys": "fa5s.key",
    "loans": "fa5s.hand-holding",
    "ledger": "fa5s.file-invoice-dollar",
    "service": "fa5s.headset",
    "add": "fa5s.plus",
    "edit": "fa5s.edit",
    "delete": "fa5s.trash-alt",
    "save": "fa5s.save",
    "print": "fa5s.print",
    "pdf": "fa5s.file-pdf",
    "search": "fa5s.search",
    "import": "fa5s.file-import",
    "export": "fa5s.file-export",
    "refresh": "fa5s.sync-alt",
    "settings": "fa5s.cog",
    "backup": "fa5s.database",
    "user": "fa5s.user",
    "warning": "fa5s.exclamation-triangle",
    "ok": "fa5s.check",
    "attach": "fa5s.paperclip",
    "visit": "fa5s.walking",
    "star": "fa5s.star",
    "money": "fa5s.yen-sign",
    "out": "fa5s.sign-out-alt",
    "in": "fa5s.sign-in-alt",
}


@lru_cache(maxsize=None)
def icon(purpose: str):
    import qtawesome as qta
    return qta.icon(NAMES.get(purpose, purpose))
