"""Reading printed forms back in tests: the text of a PDF (bytes or a file) and its fonts."""
from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader


def pdf_reader(pdf: bytes | str | Path) -> PdfReader:
    return PdfReader(io.BytesIO(pdf)) if isinstance(pdf, bytes | bytearray) else PdfReader(str(pdf))


def pdf_pages(pdf: bytes | str | Path) -> list[str]:
    """The extracted text of each page."""
    return [page.extract_text() for page in pdf_reader(pdf).pages]


def pdf_text(pdf: bytes | str | Path, sep: str = "\n") -> str:
    """The extracted text of all pages, joined by ``sep``."""
    return sep.join(pdf_pages(pdf))


def pdf_fonts(pdf: bytes | str | Path) -> set[str]:
    """The base font names of every page (an embedded CJK font shows as e.g. /ABCDEF+NotoSansCJK…)."""
    fonts = set()
    for page in pdf_reader(pdf).pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    return fonts
