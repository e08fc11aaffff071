"""The go-live registers beyond owners (opening balances, keys, meters, residents, vehicles): their fields and
header names, their TOML mappings (shipped in app/golive/mappings/registers/), finding the sheet
and header row a mapping fits, rows as field → cell, and what every register import shares: the
file's fingerprint (a file comes in once), the room codes of the site, the row-level report.

A register mapping has the owners' mapping's shape (app.golive.mapping) with the register's role:

    title = "期初欠费与预存"
    [[sheets]]
    role = "balances"              # balances / keys / meters / residents / vehicles
    [sheets.columns]               # field = "header text"; fields left out are proposed from the header
    arrears = "欠费金额"
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from app.archives.excel_rows import cell_text, room_code
from app.core.errors import NotFound, StateError, ValidationError
from app.core.validation import normalize
from app.golive.readers import Sheet, read_workbook

SHIPPED_DIR = Path(__file__).with_name("mappings") / "registers"
HEADER_SCAN_ROWS = 10

_ROOM = {"room": ("房号", ("房号", "房间号", "房屋编号", "房屋号", "房产编号", "户号")),
         "building": ("楼栋", ("楼号", "楼栋", "楼栋号", "楼栋编号")),
         "entrance": ("单元", ("单元", "单元号", "单元编号"))}
# role → field → (Chinese label, header names)
FIELDS: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "balances": {**_ROOM,
                 "item": ("收费项目", ("收费项目", "费用项目", "项目", "费项", "收费科目")),
                 "period": ("所属月份", ("所属月份", "所属期间", "欠费月份", "费用月份", "月份", "账期", "计费月份")),
                 "arrears": ("欠费金额", ("欠费金额", "期初欠费", "欠费", "欠款金额", "应收未收")),
                 "prepaid": ("预存金额", ("预存金额", "预存余额", "期初预存", "预存", "预交余额", "预收款")),
                 "memo": ("备注", ("备注", "说明"))},
    "keys": {**_ROOM,
             "area": ("钥匙名称", ("钥匙名称", "钥匙", "部位", "区域", "钥匙部位", "名称")),
             "kind": ("钥匙类别", ("钥匙类别", "类别", "钥匙类型", "类型")),
             "copies": ("数量", ("数量", "把数", "份数", "钥匙数量")),
             "supply_method": ("配备方式", ("配备方式", "配备", "来源")),
             "keeper_place": ("存放位置", ("存放位置", "存放地点", "保管地点")),
             "keeper_person": ("保管人", ("保管人", "负责人")),
             "notes": ("备注", ("备注", "说明"))},
    "meters": {**_ROOM,
               "kind": ("表类", ("表类", "表类型", "仪表类型", "类别")),
               "meter_no": ("表号", ("表号", "仪表编号", "表编号", "表具编号")),
               "reading": ("读数", ("读数", "上次读数", "最后读数", "期初读数", "本次读数", "止码")),
               "date": ("抄表日期", ("抄表日期", "读数日期", "日期"))},
    "residents": {**_ROOM,
                  "name": ("姓名", ("姓名", "住户姓名", "租户姓名", "居住人")),
                  "relation": ("与业主关系", ("与业主关系", "关系", "身份")),
                  "tenant": ("住户类别", ("住户类别", "类别", "是否租户", "居住类型")),
                  "phone": ("电话", ("电话", "手机", "手机号", "联系电话")),
                  "lease_from": ("租期起", ("租期起", "租赁开始", "起租日期")),
                  "lease_to": ("租期止", ("租期止", "租赁结束", "到期日期")),
                  "notes": ("备注", ("备注", "说明"))},
    "vehicles": {"room": ("房号", (*_ROOM["room"][1], "业主房号", "所属房号", "房屋")),
                 "building": _ROOM["building"], "entrance": _ROOM["entrance"],
                 "space": ("车位号", ("车位号", "车位编号", "车位", "车位号码", "车位代码")),
                 "zone": ("区域", ("区域", "车位区域", "分区", "所在区域", "位置", "车位位置", "楼层")),
                 "kind": ("车位性质", ("车位性质", "性质", "车位类型", "车位类别", "类型", "类别", "权属", "使用性质")),
                 "plate": ("车牌号", ("车牌号", "车牌", "车牌号码", "车牌照")),
                 "driver": ("车主姓名", ("车主姓名", "车主", "车辆所有人", "车主名称", "姓名")),
                 "phone": ("联系电话", ("联系电话", "电话", "手机", "手机号", "车主电话", "联系方式")),
                 "brand": ("品牌型号", ("品牌型号", "品牌", "车型", "车辆品牌", "品牌颜色", "品牌/颜色")),
                 "color": ("颜色", ("颜色", "车身颜色", "车辆颜色")),
                 "card_no": ("车卡号", ("车卡号", "月卡号", "卡号", "停车卡号")),
                 "valid_from": ("月卡开始", ("月卡开始", "月卡开始日期", "月卡起", "有效期起", "开始日期", "起始日期")),
                 "valid_until": ("月卡到期", ("月卡到期", "月卡到期日期", "月卡止", "有效期至", "有效期止",
                                           "到期日期", "截止日期")),
                 "notes": ("备注", ("备注", "说明"))},
}
ROLE_KEYS = {"balances": ("room",), "keys": ("area",), "meters": ("room", "kind", "reading"),
             "residents": ("room", "name"), "vehicles": ()}
# at least one of these columns (a balances sheet: arrears, prepaid or both; parking: a space or a plate)
ROLE_ANY = {"balances": ("arrears", "prepaid"), "vehicles": ("space", "plate")}
ROLE_WORDS = {"balances": "期初欠费与预存", "keys": "钥匙登记", "meters": "水电气表", "residents": "住户与租户",
              "vehicles": "车位与车辆"}


def _norm(text) -> str:
    s = re.sub(r"\s+", "", normalize(text))
    s = s.replace("*", "").replace("：", "").replace(":", "")
    return re.sub(r"[(（\[【].*?[)）\]】]", "", s) or s      # 欠费金额(元) → 欠费金额


def guess_columns(row, role: str) -> dict[str, int]:
    """field → column of a header row by the header names and their variants alone."""
    aliases = {_norm(n): k for k, (_l, names) in FIELDS[role].items() for n in names}
    out: dict[str, int] = {}
    for j, cell in enumerate(row):
        key = aliases.get(_norm(cell_text(cell)))
        if key and key not in out:
            out[key] = j
    return out


def label(role: str, key: str) -> str:
    return FIELDS[role][key][0]


@dataclass
class RegisterMapping:
    name: str
    role: str
    title: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    exact: bool = False          # only the columns named (the import window's choice): none guessed


def parse(text: str, name: str) -> RegisterMapping:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError("映射文件", f"格式有误：{exc}") from None
    sheets = data.get("sheets") or []
    if len(sheets) != 1:
        raise ValidationError("映射文件", "登记资料的映射应只定义一个工作表（[[sheets]]）")
    s = sheets[0]
    role = s.get("role", "")
    if role not in FIELDS:
        raise ValidationError("映射文件", f"role “{role}”无效（应为 {'、'.join(FIELDS)}）")
    columns = {str(k): str(v) for k, v in (s.get("columns") or {}).items()}
    unknown = [k for k in columns if k not in FIELDS[role]]
    if unknown:
        raise ValidationError("映射文件", f"“{ROLE_WORDS[role]}”没有字段 {'、'.join(unknown)}")
    return RegisterMapping(name, role, str(data.get("title", name)), columns,
                           {str(k): str(v) for k, v in (s.get("defaults") or {}).items()}, bool(s.get("exact", False)))


def dump(m: RegisterMapping) -> str:
    import tomli_w
    entry: dict = {"role": m.role}
    if m.exact:
        entry["exact"] = True
    entry["columns"] = dict(m.columns)
    if m.defaults:
        entry["defaults"] = dict(m.defaults)
    return tomli_w.dumps({"title": m.title or m.name, "sheets": [entry]})


def shipped(role: str | None = None) -> list[RegisterMapping]:
    out = [parse(p.read_text(encoding="utf-8"), p.stem) for p in sorted(SHIPPED_DIR.glob("*.toml"))]
    return [m for m in out if role is None or m.role == role]


def saved(role: str) -> list[RegisterMapping]:
    """The mappings the user saved by name for this register (import_mapping, kind = the role), newest first."""
    from models.golive import ImportMapping
    return [parse(r.text, r.name) for r in ImportMapping.select().where(ImportMapping.kind == role)
            .order_by(ImportMapping.saved_at.desc(), ImportMapping.id.desc())]


def load(role: str, name_or_path: str | RegisterMapping | None) -> RegisterMapping:
    """The mapping given (the import window's own), a saved or shipped one by name, or one in a .toml
    file; without a name the role's shipped one."""
    if isinstance(name_or_path, RegisterMapping):
        m = name_or_path
        if m.role != role:
            raise ValidationError("映射", f"映射“{m.title}”用于{ROLE_WORDS[m.role]}，不能导入{ROLE_WORDS[role]}")
        return m
    if not name_or_path:
        return shipped(role)[0]
    p = Path(name_or_path)
    if p.suffix.lower() == ".toml":
        if not p.is_file():
            raise ValidationError("映射", f"找不到映射文件“{p}”")
        m = parse(p.read_text(encoding="utf-8"), p.stem)
    else:
        mine = saved(role)
        m = next((x for x in mine if name_or_path in (x.name, x.title)), None) or next(
            (x for x in shipped() if x.name == name_or_path), None)
        if m is None:
            names = "、".join(x.name for x in mine + shipped(role))
            raise NotFound(f"没有名为“{name_or_path}”的导入映射（可用：{names}）")
    if m.role != role:
        raise ValidationError("映射", f"映射“{m.title}”用于{ROLE_WORDS[m.role]}，不能导入{ROLE_WORDS[role]}")
    return m


@dataclass
class BoundSheet:
    sheet: Sheet
    header_row: int                   # 0-based
    columns: dict[str, int]           # field → column

    def rows(self, defaults: dict[str, str]):
        """(Excel row number, field → cell) of every non-blank data row."""
        for i in range(self.header_row + 1, len(self.sheet.rows)):
            raw = self.sheet.rows[i]
            cells = {k: raw[j] if j < len(raw) else None for k, j in self.columns.items()}
            if all(cell_text(c) == "" for c in cells.values()):
                continue
            for k, v in defaults.items():
                if cell_text(cells.get(k)) == "":
                    cells[k] = v
            yield i + 1, cells


def _header(row, m: RegisterMapping) -> dict[str, int] | None:
    fields = FIELDS[m.role]
    by_text = {_norm(h): k for k, h in m.columns.items()}
    aliases = {} if m.exact else {_norm(n): k for k, (_l, names) in fields.items() for n in names}
    out: dict[str, int] = {}
    for j, cell in enumerate(row):
        text = _norm(cell_text(cell))
        key = by_text.get(text) or aliases.get(text)
        if key and key not in out:
            out[key] = j
    if any(k not in out for k in m.columns):
        return None
    if any(k not in out and k not in m.defaults for k in ROLE_KEYS[m.role]):
        return None
    if m.role in ROLE_ANY and not any(k in out for k in ROLE_ANY[m.role]):
        return None
    return out


def bind(sheets: list[Sheet], m: RegisterMapping) -> BoundSheet:
    """The first sheet whose header (within the first rows) fits the mapping."""
    for s in sheets:
        for i, row in enumerate(s.rows[:HEADER_SCAN_ROWS]):
            cols = _header(row, m)
            if cols is not None:
                return BoundSheet(s, i, cols)
    want = "、".join(m.columns.values()) or "、".join(label(m.role, k) for k in ROLE_KEYS[m.role])
    raise ValidationError("表头", f"工作簿中没有{ROLE_WORDS[m.role]}表："
                                 f"前{HEADER_SCAN_ROWS}行中未找到含 {want} 的表头行")


def fingerprint(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def refuse_repeat(kind: str, digest: str):
    """StateError when this file was imported as *kind* before (the same bytes come in once)."""
    from models.golive_opening import RegisterImport
    before = RegisterImport.get_or_none((RegisterImport.kind == kind) & (RegisterImport.file_sha256 == digest))
    if before is not None:
        when = before.imported_at.strftime("%Y-%m-%d %H:%M")
        raise StateError(f"该文件已于 {when} 导入过（“{before.file_name}”，{before.rows} 行），不会重复导入；"
                         "如需更正，请在收费台账或登记中逐项修改")


def home_codes() -> dict[str, int]:
    from models.property import Home
    return {code: hid for hid, code in Home.select(Home.id, Home.room_code).tuples()}


def home_of(cells: dict, homes: dict[str, int]) -> tuple[int, str]:
    """(home id, room code) of the row; ValidationError naming the room when the site has no such home."""
    code = room_code(cells.get("room"), cells.get("building"), cells.get("entrance"))
    hid = homes.get(code)
    if hid is None:
        raise ValidationError("房号", f"“{code}”不在小区房屋中（请先导入房屋与业主）")
    return hid, code


def read(path, role: str, mapping: str | RegisterMapping | None) -> tuple[RegisterMapping, BoundSheet]:
    m = load(role, mapping)
    return m, bind(read_workbook(path), m)


@dataclass
class RegisterReport:
    kind: str
    file: str = ""
    mapping: str = ""
    dry_run: bool = False
    sheet: str = ""
    header_row: int = 0
    rows: int = 0
    written: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    formula_cells: list[str] = field(default_factory=list)
    home_ids: list[int] = field(default_factory=list)

    def head(self) -> list[str]:
        verb = "试导入（未写入）" if self.dry_run else "导入完成"
        return [f"{verb}：{ROLE_WORDS[self.kind]} {self.written} 条，拒绝 {len(self.rejected)} 行（共 {self.rows} 行）",
                f"映射：{self.mapping}；工作表“{self.sheet}”，表头在第 {self.header_row} 行"]

    def tail(self) -> list[str]:
        out = [f"  拒绝 第{r}行：{msg}" for r, msg in self.rejected]
        out += [f"  提示 第{r}行：{msg}" for r, msg in self.notes]
        if self.formula_cells:
            shown = "、".join(self.formula_cells[:10]) + ("…" if len(self.formula_cells) > 10 else "")  # noqa: PLR2004
            out.append(f"  公式单元格按计算结果导入（{len(self.formula_cells)} 个）：{shown}")
        return out

    def lines(self) -> list[str]:
        return self.head() + self.tail()


def start_report(kind: str, path, m: RegisterMapping, b: BoundSheet, dry_run: bool) -> RegisterReport:
    rep = RegisterReport(kind, Path(path).name, m.title or m.name, dry_run, b.sheet.name, b.header_row + 1)
    rep.formula_cells = [f"{b.sheet.name}!{b.sheet.cell_name(i, j)}" for (i, j) in sorted(b.sheet.formulas)
                         if i > b.header_row and j in b.columns.values()]
    return rep


def uncached_formula(b: BoundSheet, excel_row: int) -> str | None:
    """The reason a row is refused when a formula cell it needs has no computed value."""
    for key, j in b.columns.items():
        if (excel_row - 1, j) in b.sheet.uncached:
            return (f"{label_any(key)}（{b.sheet.cell_name(excel_row - 1, j)}单元格）是公式，但没有计算结果；"
                    "请在Excel中打开并保存后再导入")
    return None


def label_any(key: str) -> str:
    return next((f[key][0] for f in FIELDS.values() if key in f), key)


def record_import(ctx, kind: str, rep: RegisterReport, digest: str, total_fen: int = 0):
    """The import's row (the file comes in once) and its one audit row; inside the transaction."""
    from peewee import IntegrityError

    from app.core.audit import record
    from models.golive_opening import RegisterImport
    try:
        row = RegisterImport.create(kind=kind, file_name=rep.file, file_sha256=digest, rows=rep.written,
                                    total_fen=total_fen, summary=rep.head()[0], imported_at=ctx.clock.now(),
                                    imported_by=getattr(ctx.user, "id", None))
    except IntegrityError:      # another desk imported the same file a moment ago (the unique index)
        raise StateError("该文件刚由另一台电脑导入，不会重复导入") from None
    after = {"kind": kind, "file": rep.file, "sha256": digest, "rows": rep.written, "rejected": len(rep.rejected),
             "total_fen": total_fen, "mapping": rep.mapping}
    if kind == "balances":
        record(ctx, "golive.balances", "register_import", row.id, None, after)
    else:
        record(ctx, "golive.register", "register_import", row.id, None, after)
    return row


POSTGRES_PARAMETERS = 30000      # below the protocol's 65,535 bind parameters a statement
SQLITE_CHUNK = 1000


def bulk_insert(ctx, table: str, rows: list[dict]):
    """Insert dict rows (all with the same keys: column names) with the driver's executemany on SQLite,
    multi-row VALUES on PostgreSQL: peewee's SQL generation per value would cost most of an import."""
    if not rows:
        return
    from app.core.dates import fmt_timestamp
    db = ctx.db
    cols = list(rows[0])
    p = db.param

    def conv(v):
        if isinstance(v, dt.datetime):
            return fmt_timestamp(v)
        return v.isoformat() if isinstance(v, dt.date) else v

    values = [tuple(conv(r[c]) for c in cols) for r in rows]
    head = f'INSERT INTO "{table}" (' + ", ".join(f'"{c}"' for c in cols) + ") VALUES "
    one = "(" + ", ".join([p] * len(cols)) + ")"
    cursor = db.cursor()
    if p == "?":
        for i in range(0, len(values), SQLITE_CHUNK):
            cursor.executemany(head + one, values[i:i + SQLITE_CHUNK])
        return
    per = max(1, POSTGRES_PARAMETERS // len(cols))
    for i in range(0, len(values), per):
        chunk = values[i:i + per]
        cursor.execute(head + ", ".join([one] * len(chunk)), [x for row in chunk for x in row])
