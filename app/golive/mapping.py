"""Mappings: which sheet plays which role and which column holds which field, as a TOML file.

    title = "物业系统导出（楼栋、业主、房屋、车位）"
    [[sheets]]
    role = "homes"                 # ledger / owners / homes / buildings / parking (app.golive.fields)
    sheet = "房屋信息"              # optional: else the sheet whose header fits the role
    optional = false               # a sheet that may be missing (parking spaces)
    [sheets.columns]               # field = "header text"; fields left out are proposed from the header
    room = "房屋编号"
    [sheets.defaults]              # a value for a field the sheet has no column for
    house_type = "高层"

Sheets are linked by the owner number (owners ↔ homes ↔ parking spaces); a room code is composed
from the building, unit and room columns (1 + 2 + 1001 → 1-2-1001). Shipped mappings live in
app/golive/mappings/*.toml; the user's are saved by name in the database (table import_mapping),
audited. ``recognise(sheets)`` finds the saved or shipped mapping a workbook fits.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from app.core.audit import record
from app.core.errors import NotFound, ValidationError
from app.core.permissions import require
from app.golive.fields import LABELS, ROLE_FIELDS, ROLE_KEYS, ROLE_WORDS, Header, find_header, propose, table_columns
from app.golive.readers import Sheet
from models.golive import ImportMapping

SHIPPED_DIR = Path(__file__).with_name("mappings")
NAME_MAX_LEN = 40


@dataclass
class SheetMap:
    role: str
    sheet: str = ""
    optional: bool = False
    columns: dict[str, str] = field(default_factory=dict)     # field → header text
    defaults: dict[str, str] = field(default_factory=dict)


@dataclass
class Mapping:
    name: str
    title: str = ""
    sheets: list[SheetMap] = field(default_factory=list)
    origin: str = "saved"          # shipped / saved / file


@dataclass
class Bound:
    """A mapped sheet: its role, the sheet, its header row and field → column (0-based)."""
    spec: SheetMap
    sheet: Sheet
    header_row: int
    columns: dict[str, int]
    names: dict[int, str]

    def header_of(self, key: str) -> str:
        j = self.columns.get(key)
        return self.names.get(j, "") if j is not None else ""


def parse(text: str, name: str, origin: str = "file") -> Mapping:
    """A mapping from its TOML text; ValidationError naming what is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError("映射文件", f"格式有误：{exc}") from None
    sheets = []
    for n, s in enumerate(data.get("sheets") or [], start=1):
        role = s.get("role", "")
        if role not in ROLE_FIELDS:
            raise ValidationError("映射文件", f"第{n}个工作表的 role “{role}”无效（应为 {'、'.join(ROLE_FIELDS)}）")
        columns = {str(k): str(v) for k, v in (s.get("columns") or {}).items()}
        unknown = [k for k in columns if k not in ROLE_FIELDS[role]]
        if unknown:
            raise ValidationError("映射文件", f"工作表“{ROLE_WORDS[role]}”没有字段 {'、'.join(unknown)}")
        sheets.append(SheetMap(role, str(s.get("sheet", "")), bool(s.get("optional", False)), columns,
                               {str(k): str(v) for k, v in (s.get("defaults") or {}).items()}))
    if not sheets:
        raise ValidationError("映射文件", "没有定义任何工作表（[[sheets]]）")
    return Mapping(name, str(data.get("title", name)), sheets, origin)


def dump(m: Mapping) -> str:
    import tomli_w
    data = {"title": m.title or m.name, "sheets": []}
    for s in m.sheets:
        entry: dict = {"role": s.role}
        if s.sheet:
            entry["sheet"] = s.sheet
        if s.optional:
            entry["optional"] = True
        if s.columns:
            entry["columns"] = dict(s.columns)
        if s.defaults:
            entry["defaults"] = dict(s.defaults)
        data["sheets"].append(entry)
    return tomli_w.dumps(data)


def shipped() -> list[Mapping]:
    return [parse(p.read_text(encoding="utf-8"), p.stem, "shipped") for p in sorted(SHIPPED_DIR.glob("*.toml"))]


def saved() -> list[Mapping]:
    return [parse(m.text, m.name, "saved") for m in ImportMapping.select().where(ImportMapping.kind == "owners")
            .order_by(ImportMapping.name)]


def load(name_or_path: str) -> Mapping:
    """A mapping by its saved or shipped name, or from a .toml file."""
    p = Path(name_or_path)
    if p.suffix.lower() == ".toml":
        if not p.is_file():
            raise ValidationError("映射", f"找不到映射文件“{p}”")
        return parse(p.read_text(encoding="utf-8"), p.stem, "file")
    row = ImportMapping.get_or_none((ImportMapping.name == name_or_path) & (ImportMapping.kind == "owners"))
    if row is not None:
        return parse(row.text, row.name, "saved")
    for m in shipped():
        if m.name == name_or_path:
            return m
    names = [m.name for m in saved()] + [m.name for m in shipped()]
    raise NotFound(f"没有名为“{name_or_path}”的导入映射（可用：{'、'.join(names)}）")


def save(ctx, m: Mapping, name: str) -> ImportMapping:
    """Save *m* under *name* (replacing a saved one of that name); audited."""
    require(ctx, "archive.import")
    if any(s.name == (name or "").strip() for s in shipped()):
        raise ValidationError("映射名称", f"“{name.strip()}”是系统自带映射的名称，请换一个")
    return store(ctx, name, dump(m), "owners")


def store(ctx, name: str, text: str, kind: str) -> ImportMapping:
    """Save the mapping *text* under *name* for the imports of *kind* (owners, history, a register's
    role), replacing a saved one of that name and kind; audited. The caller checks the permission and
    its shipped names."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("映射名称", "不能为空")
    if len(name) > NAME_MAX_LEN:
        raise ValidationError("映射名称", f"不能超过{NAME_MAX_LEN}个字")
    with ctx.db.atomic():
        row = ImportMapping.get_or_none(ImportMapping.name == name)
        if row is not None and row.kind != kind:
            raise ValidationError("映射名称", f"“{name}”已是另一类导入的映射名称，请换一个")
        before = {"text": row.text} if row else None
        if row is None:
            row = ImportMapping.create(name=name, kind=kind, text=text, saved_at=ctx.clock.now(),
                                       saved_by=ctx.user.id)
        else:
            row.text, row.saved_at, row.saved_by = text, ctx.clock.now(), ctx.user.id
            row.save()
        record(ctx, "golive.mapping", "import_mapping", row.id, before, {"name": name, "kind": kind, "text": text})
    return row


def remembered_headers() -> dict[str, str]:
    """Header text → field from the mappings saved before (the user's corrections are reused)."""
    out: dict[str, str] = {}
    for m in saved():
        for s in m.sheets:
            for key, header in s.columns.items():
                out.setdefault(header, key)
    return out


def bind_sheet(spec: SheetMap, sheet: Sheet, remembered: dict[str, str] | None = None) -> Bound | None:
    """*sheet* mapped as *spec* says, or None when its header does not fit (a named column missing,
    or the role's key columns not found)."""
    rows = sheet.rows
    if spec.columns:
        for i, row in enumerate(rows[:10]):
            names = table_columns(row)
            by_text = {text: j for j, text in names.items()}
            if all(h in by_text for h in spec.columns.values()):
                columns = {k: by_text[h] for k, h in spec.columns.items()}
                for k, j in propose(names, spec.role, remembered).items():
                    if k not in columns and j not in columns.values():
                        columns[k] = j
                if all(k in columns or k in spec.defaults for k in ROLE_KEYS[spec.role]):
                    return Bound(spec, sheet, i, columns, names)
        return None
    header: Header | None = find_header(rows, spec.role, remembered)
    if header is None:
        return None
    return Bound(spec, sheet, header.row, dict(header.proposal), header.names)


def bind(m: Mapping, sheets: list[Sheet], remembered: dict[str, str] | None = None) -> list[Bound]:
    """Every sheet of the mapping bound to a sheet of the workbook; ValidationError naming the first
    role no sheet fits (an optional one may be missing)."""
    out: list[Bound] = []
    used: set[str] = set()
    for spec in m.sheets:
        candidates = [s for s in sheets if s.name == spec.sheet] if spec.sheet else []
        candidates += [s for s in sheets if s.name not in used and s not in candidates]
        found = next((b for s in candidates if (b := bind_sheet(spec, s, remembered)) is not None), None)
        if found is None:
            if spec.optional:
                continue
            want = "、".join(spec.columns.values()) or "、".join(LABELS[k] for k in ROLE_KEYS[spec.role])
            raise ValidationError("工作表", f"映射“{m.title or m.name}”需要{ROLE_WORDS[spec.role]}表"
                                         f"（表头含 {want}），但工作簿中没有相符的工作表")
        used.add(found.sheet.name)
        out.append(found)
    return out


def recognise(sheets: list[Sheet]) -> Mapping | None:
    """The first saved, then shipped, mapping the workbook fits (the one binding the most sheets)."""
    remembered = remembered_headers()
    best: tuple[int, int, Mapping] | None = None
    for rank, m in enumerate(saved() + shipped()):
        try:
            bound = bind(m, sheets, remembered)
        except ValidationError:
            continue
        key = (len(bound), -rank)
        if best is None or key > best[:2]:
            best = (len(bound), -rank, m)
    return best[2] if best else None
