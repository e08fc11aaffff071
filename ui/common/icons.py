"""Every icon the UI uses, by purpose, in one place (qtawesome names).

The icons are drawn by qtawesome (Font Awesome 5 Free) and kept as PNG files in
``resources/icons`` at several sizes: ``python -m ui.common.icons`` renders them again after a change
to NAMES or the colour. Loading a PNG costs almost nothing; drawing the glyphs at start-up needed
qtawesome (0.4 s of imports) or Python font and painter objects (about 40 ms), too much for the
0.6 s budget to a painted main window. A purpose without its files falls back to qtawesome.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

NAMES = {
    "archives": "fa5s.address-book",
    "movein": "fa5s.door-open",
    "renovation": "fa5s.tools",
    "keys": "fa5s.key",
    "loans": "fa5s.hand-holding",
    "frontdesk": "fa5s.concierge-bell",
    "ledger": "fa5s.file-invoice-dollar",
    "service": "fa5s.headset",
    "notices": "fa5s.bullhorn",
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
    "car": "fa5s.car",
    "parking": "fa5s.parking",
    "card": "fa5s.id-card",
    "bicycle": "fa5s.bicycle",
}

ICON_DIR = Path(__file__).resolve().parents[2] / "resources" / "icons"
SIZES = (16, 20, 24, 32, 48)   # 100 %, 125 %, 150 %, 200 % and 300 % screens
COLOUR = "#323232"


def icon_file(purpose: str, size: int) -> Path:
    return ICON_DIR / f"{purpose}-{size}.png"


@lru_cache(maxsize=None)
def icon(purpose: str):
    """The icon of a purpose of NAMES (another name falls back to qtawesome, loaded then)."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon
    if purpose in NAMES and icon_file(purpose, SIZES[0]).exists():
        ic = QIcon()
        for size in SIZES:
            ic.addFile(str(icon_file(purpose, size)), QSize(size, size))  # read when first painted
        return ic
    import qtawesome as qta
    return qta.icon(NAMES.get(purpose, purpose), color=COLOUR)


def render_icon_files(folder: Path = ICON_DIR) -> list[Path]:
    """Draw every icon of NAMES with qtawesome into *folder* (needs a QGuiApplication)."""
    import qtawesome as qta
    from PySide6.QtCore import QSize
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for purpose, name in NAMES.items():
        ic = qta.icon(name, color=COLOUR)
        for size in SIZES:
            path = folder / f"{purpose}-{size}.png"
            if not ic.pixmap(QSize(size, size)).save(str(path), "PNG"):
                raise OSError(f"cannot write {path}")
            written.append(path)
    return written


if __name__ == "__main__":
    import os
    import sys
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication
    app = QApplication(sys.argv)
    print(f"{len(render_icon_files())} icon files written to {ICON_DIR}")
