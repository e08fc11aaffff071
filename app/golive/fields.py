"""The fields a go-live workbook's columns map to, by sheet role, with the header names offices and
other property systems use for them; finding a sheet's header row and proposing its mapping.

Roles: ``ledger`` (the office's one-sheet owner ledger: home and owner on one row), ``owners``
(one row per owner, keyed by an owner number), ``homes`` (one row per home, with the owner number),
``buildings`` (buildings and their units), ``parking`` (parking spaces, with the owner number).
The ledger's fields are app.archives.excel_rows.COLUMNS (the same names the export writes).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from app.archives.excel_rows import COLUMNS
from app.core.validation import normalize

HEADER_SCAN_ROWS = 10

# fields beyond the ledger's, with their Chinese label and header names
EXTRA: dict[str, tuple[str, tuple[str, ...]]] = {
    "owner_no": ("业主编号", ("业主编号", "客户编号", "业主ID", "业主代码", "客户代码", "业主号")),
    "floors": ("总层数", ("总层数", "层数", "楼层数", "地上层数")),
    "floor": ("楼层", ("楼层", "所在楼层", "所在层")),
    "space_code": ("车位编号", ("车位编号", "车位号", "车位", "车位代码")),
    "level": ("车位位置", ("车位类型", "车位位置", "位置", "地上地下", "车位区域")),
    "space_state": ("车位状态", ("车位状态", "使用状态", "销售状态", "产权类型")),
    "plate": ("车牌号", ("车牌号", "车牌", "车牌号码")),
}
# header names of the ledger's fields that another system writes differently
MORE_ALIASES: dict[str, tuple[str, ...]] = {
    "building": ("楼栋编号", "楼栋编码", "楼宇编号", "楼栋名称"),
    "entrance": ("单元编号", "单元编码", "单元名称"),
    "room": ("房屋号",),
    "name": ("客户名称", "客户姓名"),
    "phone": ("手机号码1", "联系手机"),
}
LABELS = {key: label for key, (label, _a) in {**COLUMNS, **EXTRA}.items()}

_LEDGER = tuple(COLUMNS)
_OWNER = ("owner_no", "name", "gender", "birth_date", "phone", "phone2", "id_number", "employer", "work_address",
          "native_place", "education", "spouse_name", "spouse_phone", "family_structure", "residents_count",
          "key_customer_tags", "notes")
ROLE_FIELDS: dict[str, tuple[str, ...]] = {
    "ledger": _LEDGER,
    "owners": _OWNER,
    "homes": ("cluster", "building", "entrance", "room", "floor", "area", "house_type", "state", "handover_date",
              "move_in_date", "owner_no", "name"),
    "buildings": ("cluster", "building", "entrance", "floors"),
    "parking": ("space_code", "level", "space_state", "owner_no", "room", "building", "entrance", "name", "plate",
                "notes"),
}
# the columns without which a sheet cannot take the role (the sheet's key)
ROLE_KEYS: dict[str, tuple[str, ...]] = {
    "ledger": ("room", "name"), "owners": ("owner_no", "name"), "homes": ("room", "building"),
    "buildings": ("building", "entrance"), "parking": ("space_code",),
}
ROLE_WORDS = {"ledger": "业主台账", "owners": "业主", "homes": "房屋", "buildings": "楼栋单元", "parking": "车位"}


def _norm(text) -> str:
    s = re.sub(r"\s+", "", normalize(text))
    return s.replace("*", "").replace("：", "").replace(":", "")


def _alias_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for key, (_label, names) in {**COLUMNS, **EXTRA}.items():
        for n in names:
            table.setdefault(_norm(n), key)
    for key, names in MORE_ALIASES.items():
        for n in names:
            table.setdefault(_norm(n), key)
    return table


ALIASES = _alias_table()


def field_of(header) -> str | None:
    """The field a header name stands for (any role), or None."""
    if not isinstance(header, str):
        return None
    s = _norm(header)
    if not s:
        return None
    if s in ALIASES:
        return ALIASES[s]
    return ALIASES.get(re.sub(r"[(（\[【].*?[)）\]】]", "", s))    # 面积(㎡), 联系电话（手机）


@dataclass
class Header:
    row: int                      # 0-based row of the header
    names: dict[int, str]         # column → header text, the data table's columns only
    proposal: dict[str, int]      # field → column proposed from the names


def table_columns(row) -> dict[int, str]:
    """The header cells of the data table: from the first filled cell up to the first empty one.
    Explanation columns beside the data (after an empty column) are left out."""
    names: dict[int, str] = {}
    started = False
    for j, cell in enumerate(row):
        text = "" if cell is None else str(cell).strip()
        if not text:
            if started:
                break
            continue
        started = True
        names[j] = text
    return names


def propose(names: dict[int, str], role: str, remembered: dict[str, str] | None = None) -> dict[str, int]:
    """Field → column for the header *names*: a header remembered from a mapping saved before wins,
    then the header names and their variants; a second phone column is the other phone."""
    allowed = set(ROLE_FIELDS[role])
    by_text = {_norm(k): v for k, v in (remembered or {}).items()}
    out: dict[str, int] = {}
    for j, text in names.items():
        key = by_text.get(_norm(text)) or field_of(text)
        if key == "phone" and "phone" in out and "phone2" in allowed:
            key = "phone2"
        if key in allowed and key not in out:
            out[key] = j
    return out


def find_header(rows, role: str, remembered: dict[str, str] | None = None) -> Header | None:
    """The header row among the first rows: the one holding the role's key columns and most fields."""
    best: Header | None = None
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        names = table_columns(row)
        if not names:
            continue
        proposal = propose(names, role, remembered)
        if all(k in proposal for k in ROLE_KEYS[role]) and (best is None or len(proposal) > len(best.proposal)):
            best = Header(i, names, proposal)
    return best


def guess_role(rows) -> tuple[str, Header] | None:
    """The role a sheet most likely has (most fields found with its key columns), with its header."""
    found = []
    for role in ("ledger", "homes", "owners", "parking", "buildings"):
        h = find_header(rows, role)
        if h is not None:
            found.append((len(h.proposal), -len(found), role, h))
    if not found:
        return None
    _n, _o, role, header = max(found)
    return role, header
