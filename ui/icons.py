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


# qtawesome's own Font Awesome 5 fonts, drawn by a small icon engine: importing the qtawesome
# module costs about 0.4 s of CPU at start-up (qtpy star-imports every Qt enum), which would
# break the 0.6 s budget for a painted main window. Other prefixes fall back to qtawesome itself.
_PREFIXES = {"fa5s": "fontawesome5-solid-webfont", "fa5": "fontawesome5-regular-webfont",
             "fa5b": "fontawesome5-brands-webfont"}
_COLOUR = (50, 50, 50)
_DISABLED = (150, 150, 150)
_families: dict[str, tuple[str, dict]] = {}
_engines: list = []


def _fonts_dir():
    import importlib.util
    from pathlib import Path
    spec = importlib.util.find_spec("qtawesome")  # finds the package without importing it
    return Path(spec.origin).parent / "fonts"


def _family(prefix: str):
    if prefix not in _families:
        import json

        from PySide6.QtGui import QFontDatabase
        folder = _fonts_dir()
        stem = _PREFIXES[prefix]
        ttf = sorted(folder.glob(f"{stem}-[0-9]*.ttf"))[-1]
        charmap = sorted(folder.glob(f"{stem}-charmap-*.json"))[-1]
        font_id = QFontDatabase.addApplicationFont(str(ttf))
        families = QFontDatabase.applicationFontFamilies(font_id)
        if not families:
            raise RuntimeError(f"cannot load {ttf}")
        _families[prefix] = (families[0], json.loads(charmap.read_text(encoding="utf-8")))
    return _families[prefix]


def _glyph_icon(name: str):
    from PySide6.QtCore import QPoint, QRect, Qt
    from PySide6.QtGui import QColor, QFont, QIcon, QIconEngine, QPainter, QPixmap

    prefix, glyph = name.split(".", 1)
    family, charmap = _family(prefix)
    char = chr(int(charmap[glyph], 16))

    class GlyphEngine(QIconEngine):
        def paint(self, painter, rect, mode, state):
            painter.save()
            font = QFont(family)
            font.setPixelSize(max(1, round(rect.height() * 0.875)))
            if prefix == "fa5s":
                font.setWeight(QFont.Weight.Black)
            painter.setFont(font)
            rgb = _DISABLED if mode == QIcon.Mode.Disabled else _COLOUR
            painter.setPen(QColor(*rgb))
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), char)
            painter.restore()

        def pixmap(self, size, mode, state):
            pm = QPixmap(size)
            pm.fill(Qt.GlobalColor.transparent)
            p = QPainter(pm)
            self.paint(p, QRect(QPoint(0, 0), size), mode, state)
            p.end()
            return pm

        def clone(self):
            return GlyphEngine()

    engine = GlyphEngine()
    _engines.append(engine)  # keep the Python object alive as long as the icon
    return QIcon(engine)


@lru_cache(maxsize=None)
def icon(purpose: str):
    name = NAMES.get(purpose, purpose)
    if name.split(".", 1)[0] in _PREFIXES:
        try:
            return _glyph_icon(name)
        except (KeyError, RuntimeError, IndexError, OSError):
            pass
    import qtawesome as qta
    return qta.icon(name)
