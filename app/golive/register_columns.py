"""The columns of a go-live register (期初欠费与预存, 钥匙登记, 水电气表, 住户与租户, 车位与车辆) as the import
window shows them for correction (issue 16): ``column_proposal(path, role)`` proposes field → column from a
mapping saved before that the workbook fits (newest first), else the shipped one, else the header names;
``window_mapping`` turns the user's choice into an exact RegisterMapping the imports take as their
``mapping`` argument; ``save_register_mapping`` keeps it by name (import_mapping, kind = the role) for the
next file and ``propertydesk import <role> FILE --mapping NAME``."""
from __future__ import annotations

from pathlib import Path

from app.archives.excel_rows import cell_text
from app.core.errors import ValidationError
from app.core.permissions import require
from app.golive import register_sheets as rs
from app.golive.history_mapping import Proposal
from app.golive.readers import Sheet, read_workbook

GUESSED = "按表头名称推测"
MIN_GUESSED = 2          # header names a row needs to be taken for the register's header without a mapping


def header_cells(row) -> dict[int, str]:
    """column → header text of the non-blank cells of the header row."""
    return {j: t for j, c in enumerate(row) if (t := cell_text(c).strip())}


def propose(sheets: list[Sheet], role: str) -> Proposal:
    """The first proposal: a saved mapping the workbook fits, the shipped one, else the header row whose names
    look most like the register (a renamed key column left for the user to choose)."""
    for m in [*rs.saved(role), *rs.shipped(role)]:
        try:
            b = rs.bind(sheets, m)
        except ValidationError:
            continue
        return Proposal(b.sheet.name, b.header_row, header_cells(b.sheet.rows[b.header_row]), dict(b.columns),
                        m.title or m.name)
    best: Proposal | None = None
    for s in sheets:
        for i, row in enumerate(s.rows[:rs.HEADER_SCAN_ROWS]):
            cols = rs.guess_columns(row, role)
            if len(cols) >= MIN_GUESSED and (best is None or len(cols) > len(best.columns)):
                best = Proposal(s.name, i, header_cells(row), cols, GUESSED)
    if best is None:
        rs.bind(sheets, rs.shipped(role)[0])         # raises the message naming the header it looks for
        raise ValidationError("表头", f"工作簿中没有{rs.ROLE_WORDS[role]}表")
    return best


def column_proposal(path, role: str) -> Proposal:
    """What the import window shows on choosing a file for the register *role*."""
    return propose(read_workbook(Path(path)), role)


def check_required(role: str, columns: dict[str, str]) -> None:
    """The fields the register cannot do without have a column (field → header text); ValidationError naming
    the first one missing, or two fields given the same column."""
    for key in rs.ROLE_KEYS[role]:
        if not columns.get(key):
            raise ValidationError(rs.label(role, key), "必须指定对应的列")
    either = rs.ROLE_ANY.get(role, ())
    if either and not any(columns.get(k) for k in either):
        raise ValidationError(rs.label(role, either[0]),
                              f"{'和'.join(rs.label(role, k) for k in either)}至少要指定一列")
    seen: dict[str, str] = {}
    for key, header in columns.items():
        if header and header in seen:
            raise ValidationError(rs.label(role, key), f"与“{rs.label(role, seen[header])}”选了同一列“{header}”")
        seen.setdefault(header, key)


def window_mapping(role: str, title: str, columns: dict[str, str]) -> rs.RegisterMapping:
    """The user's choice (field → header text) as an exact mapping; a required field missing is named."""
    check_required(role, columns)
    return rs.RegisterMapping("window", role, title, dict(columns), exact=True)


def save_register_mapping(ctx, m: rs.RegisterMapping, name: str):
    """Save *m* by *name* (kind = its role) for reuse; audited."""
    from app.golive.mapping import store
    require(ctx, "archive.import")
    check_required(m.role, m.columns)
    name = (name or "").strip()
    if any(name in (s.name, s.title) for s in rs.shipped()):
        raise ValidationError("映射名称", f"“{name}”是系统自带映射的名称，请换一个")
    keep = rs.RegisterMapping(name, m.role, name, dict(m.columns), dict(m.defaults), exact=True)
    return store(ctx, name, rs.dump(keep), m.role)
