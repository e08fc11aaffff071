"""The payment-history sheet (缴费历史): its fields and header names, its TOML mapping (shipped in
app/golive/mappings/history/, the shape of the owners' mapping with role ``history``; the user's saved
by name in import_mapping, kind ``history``), finding the sheet and header row it fits, and its rows
as field → cell.

A mapping with ``exact = true`` (what the import window's column table saves) uses only the columns it
names: a field it leaves out is not imported, never guessed from the header names. ``propose`` gives the
window its first proposal: a saved, then the shipped mapping the workbook fits, else the header row
whose names look most like a payment history (a renamed column left for the user to choose)."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from app.core.errors import NotFound, ValidationError
from app.core.imports import column_name
from app.core.validation import normalize
from app.golive.readers import Sheet

SHIPPED_DIR = Path(__file__).with_name("mappings") / "history"
HEADER_SCAN_ROWS = 10

# field → (Chinese label, header names)
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "room": ("房号", ("房号", "房间号", "房屋编号", "房屋号", "房产编号", "户号", "房屋")),
    "building": ("楼栋", ("楼号", "楼栋", "楼栋号", "楼栋编号")),
    "entrance": ("单元", ("单元", "单元号", "单元编号")),
    "plate": ("车牌号", ("车牌号", "车牌", "车牌号码")),
    "item": ("收费项目", ("收费项目", "费用项目", "项目", "费项", "收费科目", "费用名称", "收费名称")),
    "period": ("所属期间", ("所属期间", "缴费期间", "费用期间", "计费期间", "所属月份", "期间")),
    "period_from": ("起始月份", ("起始月份", "开始月份", "起始日期", "开始日期", "费用开始", "计费开始", "起始期间",
                                 "起")),
    "period_to": ("截止月份", ("截止月份", "结束月份", "截止日期", "结束日期", "费用结束", "计费结束", "缴至", "缴费至",
                               "已缴至", "止")),
    "paid_on": ("缴费日期", ("缴费日期", "收款日期", "交费日期", "缴费时间", "收款时间", "日期")),
    "billed": ("应收金额", ("应收金额", "应收", "应缴金额", "应收款", "计费金额")),
    "paid": ("实收金额", ("实收金额", "实收", "实缴金额", "缴费金额", "收款金额", "已收金额", "金额")),
    "cashier": ("收款人", ("收款人", "收银员", "经办人", "操作员", "收费员")),
    "memo": ("备注", ("备注", "说明", "摘要")),
}
KEYS = ("item", "paid")
# at least one of these (the home) and one of those (the months)
ANY_HOME = ("room", "plate")
ANY_MONTHS = ("period", "period_from", "period_to")


def _norm(text) -> str:
    s = re.sub(r"\s+", "", normalize(text))
    s = s.replace("*", "").replace("：", "").replace(":", "")
    return re.sub(r"[(（\[【].*?[)）\]】]", "", s) or s      # 实收金额(元) → 实收金额


ALIASES = {}
for _key, (_label, _names) in FIELDS.items():
    for _n in _names:
        ALIASES.setdefault(_norm(_n), _key)


@dataclass
class HistoryMapping:
    name: str
    title: str = ""
    sheet: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    exact: bool = False          # only the columns named: the others are not imported


def parse(text: str, name: str) -> HistoryMapping:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError("映射文件", f"格式有误：{exc}") from None
    sheets = data.get("sheets") or []
    if len(sheets) != 1 or sheets[0].get("role") != "history":
        raise ValidationError("映射文件", "缴费历史的映射应只定义一个 role = \"history\" 的工作表（[[sheets]]）")
    columns = {str(k): str(v) for k, v in (sheets[0].get("columns") or {}).items()}
    unknown = [k for k in columns if k not in FIELDS]
    if unknown:
        raise ValidationError("映射文件", f"缴费历史没有字段 {'、'.join(unknown)}")
    return HistoryMapping(name, str(data.get("title", name)), str(sheets[0].get("sheet", "")), columns,
                          bool(sheets[0].get("exact", False)))


def dump(m: HistoryMapping) -> str:
    import tomli_w
    entry: dict = {"role": "history"}
    if m.sheet:
        entry["sheet"] = m.sheet
    if m.exact:
        entry["exact"] = True
    entry["columns"] = dict(m.columns)
    return tomli_w.dumps({"title": m.title or m.name, "sheets": [entry]})


def shipped() -> list[HistoryMapping]:
    return [parse(p.read_text(encoding="utf-8"), p.stem) for p in sorted(SHIPPED_DIR.glob("*.toml"))]


def saved() -> list[HistoryMapping]:
    """The mappings the user saved by name (import_mapping, kind history)."""
    from models.golive import ImportMapping
    return [parse(r.text, r.name) for r in ImportMapping.select().where(ImportMapping.kind == "history")
            .order_by(ImportMapping.saved_at.desc(), ImportMapping.id.desc())]


def load_history_mapping(name_or_path: str | None) -> HistoryMapping:
    """The saved or shipped mapping named, or one in a .toml file; without a name the shipped one."""
    if not name_or_path:
        return shipped()[0]
    p = Path(name_or_path)
    if p.suffix.lower() == ".toml":
        if not p.is_file():
            raise ValidationError("映射", f"找不到映射文件“{p}”")
        return parse(p.read_text(encoding="utf-8"), p.stem)
    mine = saved()
    found = next((m for m in mine + shipped() if name_or_path in (m.name, m.title)), None)
    if found is None:
        names = "、".join(m.name for m in mine + shipped())
        raise NotFound(f"没有名为“{name_or_path}”的缴费历史映射（可用：{names}）")
    return found


def check_required(columns: dict[str, str]) -> None:
    """The fields a history row cannot do without have a column (field → header text); ValidationError
    naming the first one missing, or two fields given the same column."""
    for key in KEYS:
        if not columns.get(key):
            raise ValidationError(FIELDS[key][0], "必须指定对应的列")
    if not any(columns.get(k) for k in ANY_HOME):
        raise ValidationError("房号", "房号和车牌号至少要指定一列")
    if not any(columns.get(k) for k in ANY_MONTHS):
        raise ValidationError("所属期间", "所属期间和起始/截止月份至少要指定一列")
    seen: dict[str, str] = {}
    for key, header in columns.items():
        if header and header in seen:
            raise ValidationError(FIELDS[key][0], f"与“{FIELDS[seen[header]][0]}”选了同一列“{header}”")
        seen.setdefault(header, key)


def save_history_mapping(ctx, m: HistoryMapping, name: str):
    """Save *m* by *name* (kind history) for reuse: ``propertydesk import history FILE --mapping NAME``
    and the next file chosen in the import window; audited."""
    from app.core.permissions import require
    from app.golive.mapping import store
    require(ctx, "ledger.bill")
    check_required(m.columns)
    if any(s.name == (name or "").strip() or s.title == (name or "").strip() for s in shipped()):
        raise ValidationError("映射名称", f"“{name.strip()}”是系统自带映射的名称，请换一个")
    keep = HistoryMapping((name or "").strip(), (name or "").strip(), m.sheet, dict(m.columns), True)
    return store(ctx, name, dump(keep), "history")


@dataclass
class BoundHistory:
    sheet: Sheet
    header_row: int                   # 0-based
    columns: dict[str, int]           # field → column

    def rows(self):
        """(Excel row number, field → cell) of every non-blank data row."""
        for i in range(self.header_row + 1, len(self.sheet.rows)):
            row = self.sheet.rows[i]
            cells = {k: (row[j] if j < len(row) else None) for k, j in self.columns.items()}
            if any(v not in (None, "") and str(v).strip() for v in cells.values()):
                yield i + 1, cells


def _header_columns(row) -> dict[int, str]:
    """The header cells up to the first empty one after the table starts (notes beside it ignored)."""
    names: dict[int, str] = {}
    for j, cell in enumerate(row):
        text = "" if cell is None else str(cell).strip()
        if not text:
            if names:
                break
            continue
        names[j] = text
    return names


def _bind(m: HistoryMapping, sheet: Sheet) -> BoundHistory | None:
    best = None
    for i, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        names = _header_columns(row)
        by_text = {_norm(t): j for j, t in names.items()}
        cols: dict[str, int] = {}
        for key, header in m.columns.items():
            if _norm(header) in by_text:
                cols[key] = by_text[_norm(header)]
        if len(cols) < len(m.columns):
            continue
        for j, text in ([] if m.exact else names.items()):
            key = ALIASES.get(_norm(text))
            if key and key not in cols and j not in cols.values():
                cols[key] = j
        fits = (all(k in cols for k in KEYS) and any(k in cols for k in ANY_HOME)
                and any(k in cols for k in ANY_MONTHS))
        if fits and (best is None or len(cols) > len(best.columns)):
            best = BoundHistory(sheet, i, cols)
    return best


def bind_history(m: HistoryMapping, sheets: list[Sheet]) -> BoundHistory:
    """The sheet the mapping fits (the named one first); ValidationError naming what is missing."""
    ordered = sorted(sheets, key=lambda s: s.name != m.sheet) if m.sheet else sheets
    for s in ordered:
        b = _bind(m, s)
        if b is not None:
            return b
    need = "、".join(FIELDS[k][0] for k in KEYS)
    raise ValidationError("工作表", f"工作簿中没有缴费历史表：前{HEADER_SCAN_ROWS}行中应有含 {need}、房号（或车牌号）"
                                   "和所属期间（或起始/截止月份）的表头行")


@dataclass
class Proposal:
    """What the import window shows on choosing a file: the sheet, its header (column → text) and the
    columns proposed (field → column), and where the proposal came from."""
    sheet: str
    header_row: int                   # 0-based
    headers: dict[int, str]
    columns: dict[str, int]
    source: str

    def header_columns(self) -> dict[str, str]:
        """field → header text (what a mapping names)."""
        return {k: self.headers[j] for k, j in self.columns.items() if j in self.headers}


def column_words(headers: dict[int, str], columns: dict[str, int]) -> list[str]:
    """The mapping in words: 房号←“房间号”(B列) …, in the sheet's column order."""
    return [f"{FIELDS[key][0]}←“{headers.get(j, '')}”({column_name(j)}列)"
            for key, j in sorted(columns.items(), key=lambda kv: kv[1])]


MIN_GUESSED = 3      # header names a sheet needs to be taken for a payment history without a mapping


def propose(sheets: list[Sheet], mapping: str | None = None) -> Proposal:
    """The first proposal for the workbook: the mapping named, else a saved one it fits (newest first),
    else the shipped one, else the best header row by the names alone; ValidationError when no sheet
    looks like a payment history."""
    tried = [load_history_mapping(mapping)] if mapping else [*saved(), *shipped()]
    for m in tried:
        ordered = sorted(sheets, key=lambda s: s.name != m.sheet) if m.sheet else sheets
        b = next((b for s in ordered if (b := _bind(m, s)) is not None), None)
        if b is not None:
            return Proposal(b.sheet.name, b.header_row, _header_columns(b.sheet.rows[b.header_row]), dict(b.columns),
                            m.title or m.name)
    best: Proposal | None = None
    for s in sheets:
        for i, row in enumerate(s.rows[:HEADER_SCAN_ROWS]):
            names = _header_columns(row)
            cols: dict[str, int] = {}
            for j, text in names.items():
                key = ALIASES.get(_norm(text))
                if key and key not in cols:
                    cols[key] = j
            if len(cols) >= MIN_GUESSED and (best is None or len(cols) > len(best.columns)):
                best = Proposal(s.name, i, names, cols, "按表头名称推测")
    if best is None:
        bind_history(tried[-1] if tried else shipped()[0], sheets)     # raises the message naming what is missing
        raise ValidationError("工作表", "工作簿中没有缴费历史表")
    return best
