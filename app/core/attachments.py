"""Scanned files and photos: copied into the data folder, named and checked by SHA-256."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from app.core.errors import ValidationError
from models.system import Attachment

MAX_BYTES = 50 * 1024 * 1024


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def attach(ctx, entity: str, entity_id: int, src, notes: str = "") -> Attachment:
    """Copy *src* into <data-dir>/attachments and record it (call inside the write's transaction)."""
    src = Path(src)
    if not src.is_file():
        raise ValidationError("附件", f"找不到文件 {src}")
    size = src.stat().st_size
    if size > MAX_BYTES:
        raise ValidationError("附件", "文件超过50MB")
    digest = sha256_file(src)
    rel = Path("attachments") / digest[:2] / (digest + src.suffix.lower())
    dest = Path(ctx.data_dir) / rel
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_suffix(dest.suffix + ".part")
        shutil.copyfile(src, tmp)
        if sha256_file(tmp) != digest:
            tmp.unlink(missing_ok=True)
            raise ValidationError("附件", "复制后校验失败，请重试")
        tmp.replace(dest)
    return Attachment.create(entity=entity, entity_id=entity_id, original_name=src.name,
                             stored_path=rel.as_posix(), sha256=digest, size=size,
                             added_by=getattr(ctx.user, "id", None), notes=notes)


def path_of(ctx, att: Attachment) -> Path:
    return Path(ctx.data_dir) / att.stored_path


def verify(ctx, att: Attachment) -> bool:
    p = path_of(ctx, att)
    return p.is_file() and sha256_file(p) == att.sha256


def attachments_for(entity: str, entity_id: int):
    return list(Attachment.select().where((Attachment.entity == entity) & (Attachment.entity_id == entity_id))
                .order_by(Attachment.added_at))
