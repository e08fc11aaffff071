"""From mapped sheets to the rows the archives write: one ParsedRow per home and owner.

A ledger sheet gives its rows directly (co-owners on extra rows: the same room with another name,
or a blank room continuing the home above). Several sheets are linked: a home row takes its owner's
columns from the owners sheet by the owner number, its room code from the building, unit and room
columns (1 + 2 + 1001 → 1-2-1001). Only a missing or contradictory key (room code, owner name, owner
number) refuses a row; a bad phone or identity number is left out and listed (待核对).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.archives.excel_rows import OWNER_KEYS, ParsedRow, cell_text, parse_row
from app.core.errors import ValidationError
from app.golive.fields import LABELS
from app.golive.mapping import Bound


@dataclass
class Assembled:
    parsed: list[ParsedRow] = field(default_factory=list)
    refs: list[tuple[str, int]] = field(default_factory=list)     # ParsedRow.excel_row → (sheet, Excel row)
    owner_refs: dict[int, tuple[str, int]] = field(default_factory=dict)   # row index → the owner's own row
    rejected: list[tuple[str, int, str]] = field(default_factory=list)
    notes: list[tuple[str, int, str]] = field(default_factory=list)        # imported, but worth a look
    skipped_blank: int = 0
    duplicates: int = 0
    formula_cells: list[str] = field(default_factory=list)
    owners_by_no: dict[str, dict] = field(default_factory=dict)
    parking: list[tuple[tuple[str, int], dict]] = field(default_factory=list)

    def ref(self, sheet: str, row: int) -> int:
        self.refs.append((sheet, row))
        return len(self.refs) - 1


def _cells(b: Bound, row: tuple, i: int, out: Assembled) -> dict | None:
    """The row's cells by field (defaults filled in); None when a formula the row needs has no value."""
    cells = {key: (row[j] if j < len(row) else None) for key, j in b.columns.items()}
    for key, value in b.spec.defaults.items():
        if cell_text(cells.get(key)) == "":
            cells[key] = value
    if not b.sheet.formulas:          # the usual sheet: no formula cell to name
        return cells
    for key, j in b.columns.items():
        if (i, j) in b.sheet.formulas:
            name = b.sheet.cell_name(i, j)
            if (i, j) in b.sheet.uncached:
                out.rejected.append((b.sheet.name, i + 1, f"{LABELS.get(key, key)}（{name}单元格）是公式"
                                     f"{b.sheet.formulas[(i, j)]}，但没有计算结果；请在Excel中打开并保存后再导入"))
                return None
            out.formula_cells.append(f"{b.sheet.name}!{name}")
    return cells


def _blank(row) -> bool:
    return all(cell_text(c) == "" for c in row)


def _duplicate(out: Assembled, seen: dict, row: ParsedRow, sheet: str, excel_row: int) -> bool:
    key = (row.room, row.owner.get("name", ""))
    if key not in seen:
        seen[key] = (excel_row, row.signature)
        return False
    first_row, signature = seen[key]
    if signature == row.signature or set(row.signature) <= set(signature):
        out.duplicates += 1
    else:
        out.rejected.append((sheet, excel_row, f"与第{first_row}行为同一房屋同一业主，但内容不同，请核对后保留一行"))
    return True


def ledger(b: Bound, out: Assembled):
    """The rows of an office ledger sheet."""
    seen: dict = {}
    previous_room: str | None = None
    name = b.sheet.name
    for i in range(b.header_row + 1, len(b.sheet.rows)):
        raw = b.sheet.rows[i]
        if _blank(raw):
            out.skipped_blank += 1
            previous_room = None
            continue
        cells = _cells(b, raw, i, out)
        if cells is None:
            continue
        try:
            row = parse_row(out.ref(name, i + 1), cells, previous_room, lenient=True)
        except ValidationError as exc:
            out.rejected.append((name, i + 1, str(exc)))
            previous_room = None if cell_text(cells.get("room")) else previous_room
            continue
        previous_room = row.room
        if not _duplicate(out, seen, row, name, i + 1):
            out.parsed.append(row)


def owners(b: Bound, out: Assembled):
    """The owners sheet, by owner number (checked when a home takes its owner)."""
    name = b.sheet.name
    for i in range(b.header_row + 1, len(b.sheet.rows)):
        raw = b.sheet.rows[i]
        if _blank(raw):
            out.skipped_blank += 1
            continue
        cells = _cells(b, raw, i, out)
        if cells is None:
            continue
        number = cell_text(cells.get("owner_no"))
        if not number:
            out.rejected.append((name, i + 1, "业主编号：不能为空（无法与房屋关联）"))
            continue
        if not cell_text(cells.get("name")):
            out.rejected.append((name, i + 1, "业主名称：不能为空"))
            continue
        if number in out.owners_by_no:
            first = out.owners_by_no[number]
            if {k: cell_text(v) for k, v in first["cells"].items()} != {k: cell_text(v) for k, v in cells.items()}:
                out.rejected.append((name, i + 1, f"业主编号 {number} 与第{first['row']}行重复，但内容不同"))
            else:
                out.duplicates += 1
            continue
        out.owners_by_no[number] = {"cells": cells, "row": i + 1, "sheet": name, "used": False}


def structure(b: Bound) -> set[tuple[str, str]]:
    """(building, unit) pairs of a buildings sheet, as written."""
    pairs = set()
    for row in b.sheet.rows[b.header_row + 1:]:
        bld = cell_text(row[b.columns["building"]]) if "building" in b.columns else ""
        ent = cell_text(row[b.columns["entrance"]]) if "entrance" in b.columns else ""
        if bld:
            pairs.add((bld, ent))
    return pairs


def homes(b: Bound, out: Assembled, units: set[tuple[str, str]] | None):
    """The homes sheet: each home with its owner taken from the owners sheet by number."""
    seen: dict = {}
    name = b.sheet.name
    for i in range(b.header_row + 1, len(b.sheet.rows)):
        raw = b.sheet.rows[i]
        if _blank(raw):
            out.skipped_blank += 1
            continue
        cells = _cells(b, raw, i, out)
        if cells is None:
            continue
        bld, ent = cell_text(cells.get("building")), cell_text(cells.get("entrance"))
        if units and bld and (bld, ent) not in units:
            out.rejected.append((name, i + 1, f"楼栋 {bld} 单元 {ent or '（空）'} 不在楼栋单元表中"))
            continue
        number = cell_text(cells.pop("owner_no", None))
        owner = out.owners_by_no.get(number) if number else None
        if number and owner is None:
            out.notes.append((name, i + 1, f"业主编号 {number} 在业主表中不存在：房屋已导入，未关联业主"))
        if owner is not None:
            owner["used"] = True
            cells.update({k: v for k, v in owner["cells"].items() if k in OWNER_KEYS})
        idx = out.ref(name, i + 1)
        try:
            row = parse_row(idx, cells, None, lenient=True)
        except ValidationError as exc:
            out.rejected.append((name, i + 1, str(exc)))
            continue
        if owner is not None:
            row.owner_key = number
            out.owner_refs[idx] = (owner["sheet"], owner["row"])
        if not _duplicate(out, seen, row, name, i + 1):
            out.parsed.append(row)


def parking(b: Bound, out: Assembled):
    """The parking sheet's rows (written after the homes and owners)."""
    name = b.sheet.name
    for i in range(b.header_row + 1, len(b.sheet.rows)):
        raw = b.sheet.rows[i]
        if _blank(raw):
            continue
        cells = _cells(b, raw, i, out)
        if cells is not None:
            out.parking.append(((name, i + 1), cells))


def unused_owners(out: Assembled):
    for number, owner in out.owners_by_no.items():
        if not owner["used"]:
            out.rejected.append((owner["sheet"], owner["row"],
                                 f"业主编号 {number} 没有任何房屋关联（房屋表中无此编号）"))


def assemble(bound: list[Bound]) -> Assembled:
    out = Assembled()
    by_role = {b.spec.role: b for b in bound}
    units = structure(by_role["buildings"]) if "buildings" in by_role else None
    if "owners" in by_role:
        owners(by_role["owners"], out)
    for b in bound:
        if b.spec.role == "ledger":
            ledger(b, out)
        elif b.spec.role == "homes":
            homes(b, out, units)
    if "owners" in by_role and "homes" in by_role:
        unused_owners(out)
    if "parking" in by_role:
        parking(by_role["parking"], out)
    return out
