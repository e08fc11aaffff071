"""Going live: homes, owners and parking spaces from an office's workbook, in ONE transaction.

``import_owners(ctx, path, mapping=None, dry_run=False)``: the workbook is read and checked whole
(app.golive.readers), mapped (the mapping named, or the saved or shipped one it fits), assembled
(app.golive.assemble) and written through the archives' bulk path (app.archives.excel_import.
write_rows: owners stored the archives' way). A bad secondary value (phone, identity number …)
does not refuse its row: the owner is stored without it and the raw text goes to the 待核对
worklist (app.golive.worklist). A dry run runs the same import and rolls it back, so its report
is the import's, row by row. ``preview`` gives the first rows as they will be stored.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from app.archives.excel_import import ImportResult, bulk_cache, write_rows
from app.core.audit import record
from app.core.errors import ValidationError
from app.core.permissions import require
from app.core.privacy import mask_id
from app.golive import mapping as maps
from app.golive import worklist
from app.golive.assemble import Assembled, assemble
from app.golive.parking_import import write_parking
from app.golive.readers import read_workbook


@dataclass
class Report:
    file: str = ""
    mapping: str = ""
    dry_run: bool = False
    sheets: list[tuple[str, str, int]] = field(default_factory=list)     # (sheet, role, header row 1-based)
    imported: int = 0
    created_homes: int = 0
    created_owners: int = 0
    updated: int = 0
    parking_created: int = 0
    homes_total: int = 0
    rejected_at: list[tuple[str, int, str]] = field(default_factory=list)
    pending: list[tuple[str, int, str, str, str]] = field(default_factory=list)   # sheet, row, label, raw, reason
    notes: list[tuple[str, int, str]] = field(default_factory=list)
    formula_cells: list[str] = field(default_factory=list)
    skipped_blank: int = 0
    duplicates: int = 0
    home_ids: list[int] = field(default_factory=list)

    @property
    def header_row(self) -> int:
        return self.sheets[0][2] if self.sheets else 0

    @property
    def rejected(self) -> list[tuple[int, str]]:
        """(row, reason); with several sheets the reason names its sheet."""
        several = len({s for s, _r, _m in self.rejected_at}) > 1 or len(self.sheets) > 1
        return [(row, f"工作表“{s}”：{msg}" if several else msg) for s, row, msg in self.rejected_at]

    def summary(self) -> str:
        head = "试导入（未写入）" if self.dry_run else "导入完成"
        parking = f"，新建车位 {self.parking_created} 个" if self.parking_created else ""
        return (f"{head}：导入 {self.imported} 行（新业主 {self.created_owners}，更新 {self.updated}），"
                f"新建房屋 {self.created_homes} 户{parking}，拒绝 {len(self.rejected_at)} 行，"
                f"待核对 {len(self.pending)} 项，空行 {self.skipped_blank}，重复行 {self.duplicates}")

    def lines(self) -> list[str]:
        """The full row-level report."""
        out = [self.summary(), f"映射：{self.mapping}"]
        out += [f"工作表“{s}”：{role}，表头在第 {h} 行" for s, role, h in self.sheets]
        out += [f"  拒绝 工作表“{s}”第{r}行：{msg}" for s, r, msg in self.rejected_at]
        out += [f"  待核对 工作表“{s}”第{r}行：{label}“{raw}”（{reason}）" for s, r, label, raw, reason in self.pending]
        out += [f"  提示 工作表“{s}”第{r}行：{msg}" for s, r, msg in self.notes]
        if self.formula_cells:
            shown = "、".join(self.formula_cells[:SHOWN_CELLS]) + ("…" if len(self.formula_cells) > SHOWN_CELLS else "")
            out.append(f"  公式单元格按计算结果导入（{len(self.formula_cells)} 个）：{shown}")
        return out


SHOWN_CELLS = 10


class _Rollback(Exception):
    pass


def resolve_mapping(sheets, name_or_path: str | None) -> maps.Mapping:
    if name_or_path:
        return maps.load(name_or_path)
    found = maps.recognise(sheets)
    if found is None:
        raise ValidationError("表头", "未能识别工作簿：前10行中未找到同时包含“房号”和“业主姓名”的表头行，也不符合"
                                     "任何系统自带或已保存的导入映射；请用导入向导指定各列，或用 --mapping 指定映射")
    return found


def prepare(ctx, path, mapping: str | maps.Mapping | None = None) -> tuple[maps.Mapping, list, Assembled]:
    """Read, map and assemble the workbook (no write): (mapping, bound sheets, assembled rows)."""
    require(ctx, "archive.import")
    sheets = read_workbook(path)
    m = mapping if isinstance(mapping, maps.Mapping) else resolve_mapping(sheets, mapping)
    bound = maps.bind(m, sheets, maps.remembered_headers())
    return m, bound, assemble(bound)


def import_owners(ctx, path, mapping: str | maps.Mapping | None = None, dry_run: bool = False,
                  progress=None) -> Report:
    """Import the workbook *path* in one transaction (*dry_run*: and roll it back). *progress*:
    app.core.progress, asked between rows; 取消 raises Cancelled inside the transaction (nothing
    written, no audit row)."""
    with collector_paused():
        return _import(ctx, path, mapping, dry_run, progress)


@contextmanager
def collector_paused():
    """Python's cycle collector paused while an import holds its rows: its full passes walk every live
    object again and again as the rows grow (none of them a cycle to free) — ~3 s of 50,000 rows."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import(ctx, path, mapping, dry_run: bool, progress) -> Report:
    m, bound, data = prepare(ctx, path, mapping)
    rep = Report(file=Path(path).name, mapping=m.title or m.name, dry_run=dry_run,
                 sheets=[(b.sheet.name, maps.ROLE_WORDS[b.spec.role], b.header_row + 1) for b in bound],
                 notes=list(data.notes), formula_cells=list(data.formula_cells),
                 skipped_blank=data.skipped_blank, duplicates=data.duplicates)
    try:
        with bulk_cache(ctx.db), ctx.db.atomic():
            _write(ctx, data, rep, progress)
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    rep.rejected_at.sort()
    return rep


def dry_run_import(ctx, path, mapping: str | maps.Mapping | None = None) -> Report:
    return import_owners(ctx, path, mapping, dry_run=True)


def _write(ctx, data: Assembled, rep: Report, progress):
    from app.archives import search
    from models.property import Home
    result = ImportResult()
    cache = write_rows(ctx, data.parsed, result, index=False, progress=progress)
    rep.rejected_at = list(data.rejected) + [(*data.refs[i], msg) for i, msg in result.rejected]
    rep.imported, rep.created_homes, rep.updated = result.imported, len(cache.new_homes), result.updated
    rep.created_owners = len(cache.new_owners)
    flags = _flags(data, result, rep)
    owner_ids = {row.owner_key: result.written[row.excel_row][1] for row in data.parsed
                 if row.owner_key and row.excel_row in result.written}
    rep.parking_created, parking_rejected = write_parking(ctx, data.parking, owner_ids, cache)
    rep.rejected_at += parking_rejected
    worklist.flag_many(ctx, flags)
    rep.home_ids = result.home_ids
    search.index_homes(result.home_ids)
    rep.homes_total = Home.select().count()
    record(ctx, "golive.import", "owner_import", rep.file, None,
           {"mapping": rep.mapping, "imported": rep.imported, "created_homes": rep.created_homes,
            "created_owners": rep.created_owners, "updated_owners": rep.updated, "parking": rep.parking_created,
            "rejected": len(rep.rejected_at), "pending": len(flags), "dry_run": rep.dry_run})


def _flags(data: Assembled, result: ImportResult, rep: Report) -> list[worklist.Flag]:
    flags = []
    for row in data.parsed:
        if not row.pending or row.excel_row not in result.written:
            continue
        hid, owner_id = result.written[row.excel_row]
        sheet, excel_row = data.owner_refs.get(row.excel_row, data.refs[row.excel_row])
        source = f"导入 {rep.file} 工作表“{sheet}”第{excel_row}行"
        for key, label, raw, reason in row.pending:
            flags.append(worklist.Flag("owner", owner_id, key, label, raw, reason, hid, source))
            rep.pending.append((sheet, excel_row, label, shown_raw(key, raw), reason))
    return flags


PREVIEW_ROWS = 20


def shown_raw(key: str, raw: str) -> str:
    """The raw text as reports show it: an identity number masked (the worklist keeps it encrypted)."""
    return mask_id(raw) if key in worklist.SENSITIVE_FIELDS and raw else raw


def preview(ctx, path, mapping: str | maps.Mapping | None = None, limit: int = PREVIEW_ROWS) -> list[dict]:
    """The first rows exactly as they will be stored: room code, home fields, owner fields, 待核对."""
    _m, _bound, data = prepare(ctx, path, mapping)
    out = []
    for row in data.parsed[:limit]:
        sheet, excel_row = data.refs[row.excel_row]
        out.append({"sheet": sheet, "row": excel_row, "room": row.room, "home": dict(row.home),
                    "owner": {k: v for k, v in row.owner.items() if k != "id_number"},
                    "id_number": "已填写" if row.owner.get("id_number") else "",
                    "pending": [f"{label}“{shown_raw(k, raw)}”：{reason}" for k, label, raw, reason in row.pending]})
    return out
