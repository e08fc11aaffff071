"""The site key's recovery sheet (站点密钥恢复单) and entering the key on another desk.

``recovery_sheet_pdf(ctx)``: the manager prints the key with its check digits (audited, the key
itself never in the log). ``import_site_key(data_dir, url, key_text, digits)``: a desk without the
key (a second desk on the shared PostgreSQL database, a replaced PC) enters it from the sheet; it
runs before a context can be opened (the context needs the key), so it opens the database itself.
"""
from __future__ import annotations

from app.core.audit import record
from app.core.crypto import check_digits
from app.core.permissions import require
from app.printing.site_key_sheet import SiteKeySheet, SiteKeySheetData
from app.system import keystore


def sheet_data(ctx) -> SiteKeySheetData:
    site_id = keystore.site_id_of(ctx.db, ctx.data_dir)
    user = ctx.user
    return SiteKeySheetData(
        site=ctx.settings.get("site.name") or "", site_id=site_id, key_text=ctx.vault.key_text,
        check_digits=check_digits(ctx.vault.key_text.encode("ascii")),
        printed_at=f"{ctx.clock.now():%Y-%m-%d %H:%M}",
        printed_by=getattr(user, "display_name", "") or getattr(user, "username", ""),
        kept_in=keystore.where(site_id))


def recovery_sheet_pdf(ctx) -> bytes:
    """The recovery sheet as PDF (manager only; the print is audited, without the key)."""
    require(ctx, "site_key.sheet")
    data = sheet_data(ctx)
    pdf = SiteKeySheet(ctx.settings).render(data)
    with ctx.db.atomic():
        record(ctx, "site_key.print_sheet", "site", data.site_id[:8], None, {"check_digits": data.check_digits})
    return pdf


def import_site_key(data_dir, url, key_text: str, digits: str) -> str:
    """Check the typed key against its check digits and the database's, keep it on this PC; returns
    where it is kept (in words). Opens and closes the database itself."""
    from pathlib import Path

    from app.core.errors import UserError
    from models.db import close_database, default_url, open_database, sqlite_path
    url = url or default_url(Path(data_dir))
    path = sqlite_path(url)
    if path is not None and not (path.is_file() and path.stat().st_size > 0):
        raise UserError(f"数据文件夹中没有数据库（{path}），请先恢复备份或确认数据文件夹后再输入站点密钥")
    db = open_database(url)
    try:
        return keystore.import_key(db, data_dir, key_text, digits)
    finally:
        close_database()
