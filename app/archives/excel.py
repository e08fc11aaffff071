"""Owner ledger import and export (openpyxl).

Import reads an office's own Excel ledger: the header row may be anywhere in the first rows,
column names vary (房号/房屋编号/房间号, 业主姓名/业主/姓名 …), digits may be full-width,
phones carry spaces or dashes, dates are Excel dates or text. Co-owners sit on extra rows
(the same room with another name, or a blank room continuing the home above). Each data row
is checked on its own; valid rows are written in ONE transaction, rejected rows are listed by
their Excel row number with the reason. A dry run runs the same import and rolls it back.

Export writes the same columns back; phones and identity numbers are masked unless the user's
role may see them in full (app/privacy).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from app.archives import search
from app.archives.owners import owner_fields
from app.core import validation as v
from app.core.audit import record
from app.core.errors import ValidationError
from app.core.permissions import require
from app.core.pinyin import name_key
from app.core.privacy import mask_phone, may_see_full
from models.people import HomeOwner, Owner
from models.property import HOME_STATES, HOUSE_TYPES, Building, Cluster, Entrance, Home

HEADER_SCAN_ROWS = 10
DEFAULT_CLUSTER = "未分组团"

# canonical key → (export header, accepted header names after normalisation)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "cluster": ("组团", ("组团", "组团名称", "所属组团", "区域", "片区")),
    "building": ("楼栋", ("楼栋", "楼号", "栋号", "楼栋号", "幢号", "楼座")),
    "entrance": ("单元", ("单元", "单元号")),
    "room": ("房号", ("房号", "房屋编号", "房间号", "房号编码", "户号", "房屋编码", "门牌号", "房间编号")),
    "area": ("建筑面积", ("建筑面积", "面积", "房屋面积", "建面")),
    "house_type": ("房屋类型", ("房屋类型", "户型", "类型", "物业类型", "房屋性质")),
    "state": ("状态", ("状态", "房屋状态", "入住状态")),
    "handover_date": ("交房日期", ("交房日期", "交付日期", "收房日期")),
    "move_in_date": ("入住日期", ("入住日期", "入住时间", "迁入日期")),
    "name": ("业主姓名", ("业主姓名", "业主", "姓名", "业主名称", "业主名", "产权人")),
    "gender": ("性别", ("性别",)),
    "birth_date": ("出生日期", ("出生日期", "出生年月")),
    "phone": ("联系电话", ("联系电话", "手机", "电话", "手机号码", "手机号", "联系方式", "业主电话", "移动电话")),
    "phone2": ("备用电话", ("备用电话", "其他电话", "固定电话", "座机", "家庭电话")),
    "id_number": ("身份证号", ("身份证号", "身份证号码", "证件号码", "身份证", "证件号")),
    "employer": ("工作单位", ("工作单位", "单位", "单位名称")),
    "work_address": ("单位地址", ("单位地址", "工作地址")),
    "native_place": ("籍贯", ("籍贯",)),
    "education": ("学历", ("学历", "文化程度")),
    "spouse_name": ("配偶姓名", ("配偶姓名", "配偶")),
    "spouse_phone": ("配偶电话", ("配偶电话", "配偶联系电话")),
    "family_structure": ("家庭结构", ("家庭结构", "家庭情况")),
    "residents_count": ("常住人数", ("常住人数", "居住人数", "常住人口", "人口数")),
    "key_customer_tags": ("重点客户", ("重点客户", "重点客户标签", "客户标签")),
    "notes": ("备注", ("备注", "说明")),
}
EXPORT_ORDER = list(COLUMNS)
# words offices write for the house types and states
HOUSE_TYPE_WORDS = {"多层洋房": "洋房", "花园洋房": "洋房", "叠拼": "叠加", "叠拼别墅": "叠加", "联排别墅": "联排",
                    "高层住宅": "高层", "小高层": "高层", "商业": "商铺", "底商": "商铺", "门面": "商铺"}
STATE_WORDS = {"入住": "已入住", "自住": "已入住", "已住": "已入住", "已出租": "出租", "租出": "出租",
               "空房": "空置", "已交付": "空置", "已交房": "空置", "装修": "装修中", "在装修": "装修中",
               "未交房": "未交付", "待交付": "未交付"}
_ALIASES = {alias: key for key, (_h, aliases) in COLUMNS.items() for alias in aliases}
OWNER_KEYS = ("name", "gender", "birth_date", "phone", "phone2", "id_number", "employer", "work_address",
              "native_place", "education", "spouse_name", "spouse_phone", "family_structure",
              "residents_count", "key_customer_tags", "notes")


@dataclass
class ImportResult:
    imported: int = 0                 # rows written (new or updated owners; homes listed without owner)
    created_homes: int = 0
    created_owners: int = 0
    updated: int = 0                  # rows that updated an owner already on file
    rejected: list[tuple[int, str]] = field(default_factory=list)   # (Excel row number, reason)
    skipped_blank: int = 0
    duplicates: int = 0
    header_row: int = 0
    dry_run: bool = False
    home_ids: list[int] = field(default_factory=list)

    def summary(self) -> str:
        head = "试导入（未写入）" if self.dry_run else "导入完成"
        return (f"{head}：导入 {self.imported} 行（新业主 {self.created_owners}，更新 {self.updated}），"
                f"新建房屋 {self.created_homes} 户，拒绝 {len(self.rejected)} 行，"
                f"空行 {self.skipped_blank}，重复行 {self.duplicates}")


class _Rollback(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Reading the workbook
def _header_key(text) -> str | None:
    s = v.normalize(text)
    s = re.sub(r"\s+", "", s)
    s = s.replace("*", "").replace("：", "").replace(":", "")
    if not s:
        return None
    if s in _ALIASES:
        return _ALIASES[s]
    base = re.sub(r"[(（\[【].*?[)）\]】]", "", s)   # 面积(㎡), 联系电话（手机）
    return _ALIASES.get(base)


def _open_rows(path) -> list[tuple]:
    path = Path(path)
    if not path.is_file():
        raise ValidationError("文件", f"“{path}”不存在")
    if path.suffix.lower() == ".xls":
        raise ValidationError("文件", "不支持旧版 .xls 格式，请在Excel中另存为 .xlsx 后再导入")
    from app.core.xlsx import MAX_COLS, MAX_ROWS, open_workbook
    wb = open_workbook(path, "文件")  # refuses non-Excel files, damaged zips, zip bombs, huge ranges
    try:
        ws = wb.worksheets[0]
        rows = []
        for row in ws.iter_rows(values_only=True, max_col=MAX_COLS):
            if len(rows) >= MAX_ROWS:
                raise ValidationError("文件", f"“{path.name}”超过 {MAX_ROWS} 行，请分批导入")
            rows.append(tuple(row))
        return rows
    except ValidationError:
        raise
    except Exception as exc:
        raise ValidationError("文件", f"“{path.name}”内容已损坏，无法读取（{type(exc).__name__}）") from None
    finally:
        wb.close()


def _find_header(rows) -> tuple[int, dict[str, int]]:
    best = (0, -1, {})
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        cols: dict[str, int] = {}
        for j, cell in enumerate(row):
            key = _header_key(cell) if isinstance(cell, str) else None
            if key == "phone" and "phone" in cols:
                key = "phone2"          # 联系电话 and 手机 side by side: the second is the other phone
            if key and key not in cols:
                cols[key] = j
        if "room" in cols and "name" in cols and len(cols) > best[0]:
            best = (len(cols), i, cols)
    if best[1] < 0:
        raise ValidationError("表头", f"前{HEADER_SCAN_ROWS}行中未找到同时包含“房号”和“业主姓名”的表头行")
    return best[1], best[2]


# ---------------------------------------------------------------------------------------------
# Cell conversions
def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return v.normalize(value)


_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _building_code(value) -> str:
    s = _text(value).replace(" ", "").upper()
    if not s:
        return ""
    m = re.fullmatch(r"([A-Z]?\d{1,3})(号楼|号|栋|幢|座|楼)?", s)
    if not m:
        raise ValidationError("楼栋", f"“{value}”无法识别，应如 5号楼 或 5")
    return m.group(1).lstrip("0") or "0" if m.group(1).isdigit() else m.group(1)


def _entrance_code(value) -> str:
    s = _text(value).replace(" ", "")
    if not s:
        return ""
    m = re.fullmatch(r"(\d{1,2}|[一二三四五六七八九十])(单元)?", s)
    if not m:
        raise ValidationError("单元", f"“{value}”无法识别，应如 1单元 或 1")
    g = m.group(1)
    return str(_CN_DIGITS[g]) if g in _CN_DIGITS else str(int(g))


_FULL_ROOM = re.compile(r"^([A-Z]?\d{1,3})(?:号楼|号|栋|幢|座|-)(?:(\d{1,2})(?:单元|-))?(\d{3,4})(?:室|号)?$")


def _room_code(room_value, building_value, entrance_value) -> str:
    """The office's room code (5-203 or 5-1-203) from the room, building and unit cells."""
    s = _text(room_value).replace(" ", "").upper()
    for dash in ("—", "–", "_", "－"):
        s = s.replace(dash, "-")
    building = _building_code(building_value)
    entrance = _entrance_code(entrance_value)
    if not s:
        raise ValidationError("房号", "不能为空")
    m = _FULL_ROOM.match(s)
    if m:
        b, e, r = m.groups()
        return v.check_room_code(f"{b}-{e}-{r}" if e else f"{b}-{r}")
    m = re.fullmatch(r"(\d{3,4})(?:室|号)?", s)
    if m:
        if not building:
            raise ValidationError("房号", f"“{room_value}”只有房间号，缺少楼栋")
        return v.check_room_code(f"{building}-{entrance}-{m.group(1)}" if entrance else f"{building}-{m.group(1)}")
    return v.check_room_code(s)


def _date(value, label):
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:   # an Excel serial number in a cell without date format
            from openpyxl.utils.datetime import from_excel
            return from_excel(value).date()
        raise ValidationError(label, f"“{value}”不是有效的日期（如 2011-06-10）")
    return v.parse_date(value, label, required=False)


def _area(value):
    if value is None or value == "":
        return None
    if isinstance(value, float):
        d = Decimal(repr(value))
        q = d.quantize(Decimal("0.01"))
        if abs(d - q) < Decimal("0.000001"):
            value = str(q)
    return v.check_area(_text(value), "建筑面积")


def _phones(value, label) -> list[str]:
    """One or two phones in a cell (13812345678 / 029-88886666), each checked."""
    s = _text(value)
    if not s or "*" in s:
        return []
    parts = [p.strip() for p in re.split(r"[/、，,;；]|\s{2,}", s) if p.strip()]
    return [_phone(p, label) for p in parts]


def _phone(text: str, label: str) -> str:
    # A landline written with its area code separated (029-8888 6666, (010)12345678): keep the
    # office's split instead of guessing where a 3- or 4-digit area code ends.
    m = re.fullmatch(r"\(?(0\d{2,3})\)?[-\s)]+([\d\s-]{7,12})", text)
    if m:
        local = re.sub(r"[\s-]", "", m.group(2))
        if re.fullmatch(r"\d{7,8}", local):
            return f"{m.group(1)}-{local}"
    return v.check_phone(text, label)


def _id_number(value):
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValidationError("身份证号", "被Excel存成了数字，末几位已丢失；请将该列设为文本格式后重新填写")
    s = _text(value)
    if "*" in s:
        return None   # a masked number from an export: keep what is on file
    return s


# ---------------------------------------------------------------------------------------------
@dataclass
class _Row:
    excel_row: int
    room: str
    home: dict          # checked home fields (may be partial)
    owner: dict         # raw owner input for owner_fields
    signature: tuple


def _parse_row(excel_row: int, cells: dict, previous_room: str | None) -> _Row:
    home: dict = {}
    room_cell = cells.get("room")
    if _text(room_cell) == "":
        if not _text(cells.get("name")):
            raise ValidationError("房号", "与业主姓名均为空，无法确定房屋")
        if previous_room is None:
            raise ValidationError("房号", "为空，且上一行没有有效的房号可以沿用")
        room = previous_room
    else:
        room = _room_code(room_cell, cells.get("building"), cells.get("entrance"))
    if cells.get("cluster") not in (None, ""):
        home["cluster"] = _text(cells["cluster"])
    area = _area(cells.get("area"))
    if area is not None:
        home["area_x100"] = area
    ht = _text(cells.get("house_type")).replace(" ", "")
    if ht:
        home["house_type"] = v.check_choice(HOUSE_TYPE_WORDS.get(ht, ht), HOUSE_TYPES, "房屋类型")
    st = _text(cells.get("state")).replace(" ", "")
    if st:
        home["state"] = v.check_choice(STATE_WORDS.get(st, st), HOME_STATES, "状态")
    for key, label in (("handover_date", "交房日期"), ("move_in_date", "入住日期")):
        d = _date(cells.get(key), label)
        if d is not None:
            home[key] = d
    if home.get("handover_date") and home.get("move_in_date") and home["move_in_date"] < home["handover_date"]:
        raise ValidationError("入住日期", "早于交房日期")
    owner: dict = {"name": _text(cells.get("name"))}
    if not owner["name"]:
        # a home listed without an owner (not handed over yet): only the home's own columns count
        if any(_text(cells.get(k)) for k in OWNER_KEYS if k != "name"):
            raise ValidationError("业主姓名", "不能为空（该行填写了业主信息）")
        return _Row(excel_row, room, home, {}, tuple(sorted((k, str(x)) for k, x in home.items())))
    phones = _phones(cells.get("phone"), "联系电话")
    if phones:
        owner["phone"] = phones[0]
        if len(phones) > 1:
            owner["phone2"] = phones[1]
    extra = _phones(cells.get("phone2"), "备用电话")
    if extra:
        owner["phone2"] = extra[0]
    sp = _phones(cells.get("spouse_phone"), "配偶电话")
    if sp:
        owner["spouse_phone"] = sp[0]
    idn = _id_number(cells.get("id_number"))
    if idn:
        owner["id_number"] = v.check_id_number(idn, "身份证号")
    bd = _date(cells.get("birth_date"), "出生日期")
    if bd is not None:
        owner["birth_date"] = bd
    gender = _text(cells.get("gender"))
    if gender:
        owner["gender"] = v.check_choice(gender, ("男", "女"), "性别")
    elif owner.get("id_number"):
        owner["gender"] = "男" if int(owner["id_number"][16]) % 2 else "女"
    rc = cells.get("residents_count")
    if rc not in (None, ""):
        owner["residents_count"] = _text(rc)
    for key in ("employer", "work_address", "native_place", "education", "spouse_name", "family_structure",
                "key_customer_tags", "notes"):
        t = _text(cells.get(key))
        if t:
            owner[key] = t
    if owner.get("key_customer_tags"):
        owner["key_customer_tags"] = ",".join(p for p in re.split(r"[,，、/\s]+", owner["key_customer_tags"]) if p)
        owner["is_key_customer"] = True
    signature = tuple(sorted((k, str(x)) for k, x in {**home, **owner}.items()))
    return _Row(excel_row, room, home, owner, signature)


# ---------------------------------------------------------------------------------------------
def dry_run_import(ctx, path) -> ImportResult:
    """The outcome of importing *path*, computed by running the import and rolling it back."""
    return _import(ctx, path, dry_run=True)


def import_owners(ctx, path) -> ImportResult:
    """Import the valid rows of the ledger *path* in one transaction."""
    return _import(ctx, path, dry_run=False)


def _import(ctx, path, dry_run: bool) -> ImportResult:
    require(ctx, "archive.import")
    rows = _open_rows(path)
    header_idx, cols = _find_header(rows)
    result = ImportResult(header_row=header_idx + 1, dry_run=dry_run)
    parsed: list[_Row] = []
    seen: dict[tuple, tuple[int, tuple]] = {}
    previous_room: str | None = None
    for i in range(header_idx + 1, len(rows)):
        excel_row = i + 1
        raw = rows[i]
        cells = {key: (raw[j] if j < len(raw) else None) for key, j in cols.items()}
        if all(_text(c) == "" for c in raw):
            result.skipped_blank += 1
            previous_room = None if _text(cells.get("room")) == "" else previous_room
            continue
        try:
            row = _parse_row(excel_row, cells, previous_room)
        except ValidationError as exc:
            result.rejected.append((excel_row, str(exc)))
            previous_room = None if _text(cells.get("room")) else previous_room
            continue
        previous_room = row.room
        key = (row.room, row.owner.get("name", ""))
        if key in seen:
            first_row, signature = seen[key]
            if signature == row.signature or set(row.signature) <= set(signature):
                result.duplicates += 1
            else:
                result.rejected.append((excel_row, f"与第{first_row}行为同一房屋同一业主，但内容不同，请核对后保留一行"))
            continue
        seen[key] = (excel_row, row.signature)
        parsed.append(row)
    try:
        with ctx.db.atomic():
            cache = _Cache()
            _write(ctx, parsed, result, cache)
            record(ctx, "archive.import", "owner_import", Path(path).name, None,
                   {"imported": result.imported, "created_homes": cache.new_homes,
                    "created_owners": cache.new_owners, "updated_owners": sorted(cache.updated_owners),
                    "rejected": len(result.rejected), "dry_run": dry_run})
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    result.rejected.sort()
    return result


HOME_FIELDS = ("area_x100", "house_type", "state", "handover_date", "move_in_date")


class _Cache:
    """What the import looks up, loaded once: structure, homes, owners and their links.
    peewee builds SQL slowly (~0.2 ms a query); one query per row would dominate the import."""

    def __init__(self):
        self.clusters = {c.code: c for c in Cluster.select()}
        self.cluster_names = {c.name: c for c in self.clusters.values()}
        self.buildings = {b.code: b for b in Building.select()}
        self.entrances = {(e.building_id, e.code): e for e in Entrance.select()}
        self.homes = {h[0]: dict(zip(("id",) + HOME_FIELDS, h[1:])) for h in
                      Home.select(Home.room_code, Home.id, *[getattr(Home, f) for f in HOME_FIELDS]).tuples()}
        self.owner_by_hash: dict[str, tuple[int, str]] = {}
        for oid, name, id_hash in Owner.select(Owner.id, Owner.name, Owner.id_hash).where(Owner.id_hash != "").tuples():
            self.owner_by_hash[id_hash] = (oid, name)
        self.links: set[tuple[int, int]] = set()
        self.owner_by_home_name: dict[tuple[int, str], int] = {}
        self.primary_homes: set[int] = set()
        q = (HomeOwner.select(HomeOwner.home, HomeOwner.owner, HomeOwner.is_primary, Owner.name).join(Owner)
             .where(HomeOwner.until.is_null()))
        for hid, oid, primary, name in q.tuples():
            self.links.add((hid, oid))
            self.owner_by_home_name[(hid, name)] = oid
            if primary:
                self.primary_homes.add(hid)
        self.new_homes: list[int] = []
        self.new_owners: list[int] = []
        self.updated_owners: set[int] = set()

    def cluster(self, text: str | None) -> Cluster:
        text = (text or "").strip() or DEFAULT_CLUSTER
        m = (re.fullmatch(r"([A-Za-z][A-Za-z0-9]?)(?:组团|区)\s*(.*)", text)
             or re.fullmatch(r"([A-Za-z][A-Za-z0-9]?)()", text))
        code, name = (m.group(1).upper(), m.group(2).strip()) if m else (text, text)
        found = self.clusters.get(code) or self.cluster_names.get(name or text)
        if found:
            return found
        c = Cluster.create(code=code, name=name or f"{code}组团", sort_order=len(self.clusters))
        self.clusters[code] = c
        self.cluster_names[c.name] = c
        return c

    def place(self, room: str, cluster_text: str | None) -> tuple[Building, Entrance]:
        parts = room.split("-")
        bcode, ecode = parts[0], (parts[1] if len(parts) == 3 else "1")
        building = self.buildings.get(bcode)
        if building is None:
            cluster = self.cluster(cluster_text)
            building = Building.create(cluster=cluster, code=bcode, name=f"{bcode}号楼",
                                       sort_order=len(self.buildings))
            self.buildings[bcode] = building
        entrance = self.entrances.get((building.id, ecode))
        if entrance is None:
            entrance = Entrance.create(building=building, code=ecode)
            self.entrances[(building.id, ecode)] = entrance
        return building, entrance


def _write(ctx, parsed: list[_Row], result: ImportResult, cache: _Cache):
    touched: set[int] = set()
    for row in parsed:
        try:
            # Every check that can refuse a row runs before the row's first write; the savepoint
            # still guarantees that a refused row leaves nothing behind.
            with ctx.db.atomic():
                hid = _write_row(ctx, row, cache, result)
        except ValidationError as exc:
            result.rejected.append((row.excel_row, str(exc)))
            continue
        touched.add(hid)
    result.home_ids = sorted(touched)
    search.index_homes(result.home_ids)


def _write_row(ctx, row: _Row, cache: _Cache, result: ImportResult) -> int:
    h = row.home
    home = cache.homes.get(row.room)
    fields = owner_fields(ctx, row.owner) if row.owner else None
    if fields is not None:
        fields["name_pinyin"] = name_key(fields["name"])   # insert/update bypass Owner.save
    owner_id = None
    if fields is not None:
        # checks first, writes after
        if fields.get("id_hash") and fields["id_hash"] in cache.owner_by_hash:
            owner_id, name = cache.owner_by_hash[fields["id_hash"]]
            if name != fields["name"]:
                raise ValidationError("身份证号", f"已登记在业主“{name}”名下，与姓名“{fields['name']}”不符")
        elif home is not None:
            owner_id = cache.owner_by_home_name.get((home["id"], fields["name"]))
    if home is None:
        if "area_x100" not in h:
            raise ValidationError("建筑面积", f"房屋 {row.room} 尚未建档，新建时不能为空")
        if "house_type" not in h:
            raise ValidationError("房屋类型", f"房屋 {row.room} 尚未建档，新建时不能为空（{'、'.join(HOUSE_TYPES)}）")
        building, entrance = cache.place(row.room, h.get("cluster"))
        state = h.get("state") or ("已入住" if h.get("move_in_date") else "空置" if h.get("handover_date") else "未交付")
        room_no = row.room.split("-")[-1]
        now = ctx.clock.now()
        values = {"area_x100": h["area_x100"], "house_type": h["house_type"], "state": state,
                  "handover_date": h.get("handover_date"), "move_in_date": h.get("move_in_date")}
        hid = Home.insert(entrance=entrance.id, building=building.id, cluster=building.cluster_id,
                          room_code=row.room, floor=int(room_no) // 100,
                          occupancy={"已入住": "自住", "出租": "出租"}.get(state, "空置"),
                          created_at=now, updated_at=now, **values).execute()
        home = {"id": hid, **values}
        cache.homes[row.room] = home
        cache.new_homes.append(hid)
        result.created_homes += 1
    else:
        changes = {k: h[k] for k in HOME_FIELDS if k in h and home[k] != h[k]}
        if changes:
            before = {k: home[k] for k in changes}
            upd = dict(changes)
            if "state" in changes:
                upd["occupancy"] = {"已入住": "自住", "出租": "出租"}.get(changes["state"], "空置")
            Home.update(**upd, updated_at=ctx.clock.now()).where(Home.id == home["id"]).execute()
            record(ctx, "home.update", "home", home["id"], before, changes)
            home.update(changes)
    hid = home["id"]
    if fields is None:
        result.imported += 1
        return hid
    if owner_id is None:
        now = ctx.clock.now()
        owner_id = Owner.insert(**fields, created_at=now, updated_at=now).execute()
        cache.new_owners.append(owner_id)
        result.created_owners += 1
    else:
        owner = Owner.get_by_id(owner_id)
        changes = {k: val for k, val in fields.items() if val not in ("", None) and getattr(owner, k) != val}
        if changes:
            before = {k: getattr(owner, k) for k in changes}
            Owner.update(**changes, updated_at=ctx.clock.now()).where(Owner.id == owner_id).execute()
            record(ctx, "owner.update", "owner", owner_id, _audit_fields(before), _audit_fields(changes))
        cache.updated_owners.add(owner_id)
        result.updated += 1
    if fields.get("id_hash"):
        cache.owner_by_hash[fields["id_hash"]] = (owner_id, fields["name"])
    cache.owner_by_home_name[(hid, fields["name"])] = owner_id
    if (hid, owner_id) not in cache.links:
        primary = hid not in cache.primary_homes
        HomeOwner.insert(home=hid, owner=owner_id, is_primary=primary,
                         since=home.get("handover_date")).execute()
        cache.links.add((hid, owner_id))
        if primary:
            cache.primary_homes.add(hid)
    result.imported += 1
    return hid


def _audit_fields(d: dict) -> dict:
    return {k: val for k, val in d.items() if k not in ("id_enc", "id_hash")}


# ---------------------------------------------------------------------------------------------
def export_rows(ctx) -> list[list]:
    """The ledger rows (one per home and owner; homes without an owner get one row)."""
    full = may_see_full(ctx)
    owners: dict[int, list[tuple[Owner, bool]]] = {}
    q = (HomeOwner.select(HomeOwner, Owner).join(Owner).where(HomeOwner.until.is_null())
         .order_by(HomeOwner.home, HomeOwner.is_primary.desc(), HomeOwner.id))
    for link in q:
        owners.setdefault(link.home_id, []).append(link.owner)
    clusters = {c.id: c for c in Cluster.select()}
    buildings = {b.id: b for b in Building.select()}
    entrances = {e.id: e for e in Entrance.select()}
    out = []
    for home in Home.select().order_by(Home.cluster, Home.building, Home.entrance, Home.room_code):
        c, b, e = clusters[home.cluster_id], buildings[home.building_id], entrances[home.entrance_id]
        home_cells = {
            "cluster": f"{c.code}组团 {c.name}" if c.code != c.name and len(c.code) <= 2 else c.name,
            "building": b.name or f"{b.code}号楼", "entrance": f"{e.code}单元", "room": home.room_code,
            "area": v.fmt_area(home.area_x100), "house_type": home.house_type, "state": home.state,
            "handover_date": home.handover_date, "move_in_date": home.move_in_date,
        }
        for owner in owners.get(home.id, []) or [None]:
            cells = dict(home_cells)
            if owner is not None:
                idn = ctx.vault.decrypt(owner.id_enc) if full else ""
                cells.update({
                    "name": owner.name, "gender": owner.gender, "birth_date": owner.birth_date,
                    "phone": owner.phone if full else mask_phone(owner.phone),
                    "phone2": owner.phone2 if full else mask_phone(owner.phone2),
                    "id_number": idn if full else owner.id_masked,
                    "employer": owner.employer, "work_address": owner.work_address,
                    "native_place": owner.native_place, "education": owner.education,
                    "spouse_name": owner.spouse_name,
                    "spouse_phone": owner.spouse_phone if full else mask_phone(owner.spouse_phone),
                    "family_structure": owner.family_structure,
                    "residents_count": owner.residents_count or "",
                    "key_customer_tags": owner.key_customer_tags, "notes": owner.notes,
                })
            out.append([cells.get(k, "") for k in EXPORT_ORDER])
    return out


def export_owners(ctx, path) -> int:
    """Write the owner ledger to *path* (.xlsx). Returns the number of data rows."""
    require(ctx, "archive.export")
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from app.core.xlsx import append_row, save_workbook
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ValidationError("导出文件", "文件名应以 .xlsx 结尾")
    rows = export_rows(ctx)
    full = may_see_full(ctx)
    wb = Workbook()
    ws = wb.active
    ws.title = "业主信息台账"
    ws.append([f"{ctx.settings.get('site.name')} 业主信息台账"])
    ws["A1"].font = Font(size=14, bold=True)
    user = getattr(ctx.user, "display_name", "") or ""
    ws.append([f"导出时间：{ctx.clock.now():%Y-%m-%d %H:%M}  导出人：{user}  "
               + ("含完整证件号码和电话，请妥善保管" if full else "证件号码和电话已脱敏")])
    ws.append([COLUMNS[k][0] for k in EXPORT_ORDER])
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    id_col = EXPORT_ORDER.index("id_number") + 1
    date_cols = {EXPORT_ORDER.index(k) + 1 for k in ("handover_date", "move_in_date", "birth_date")}
    for n, r in enumerate(rows, start=4):
        append_row(ws, r)                 # notes typed as “=…” stay text, never a formula
        ws.cell(n, id_col).number_format = "@"
        for c in date_cols:
            ws.cell(n, c).number_format = "yyyy-mm-dd"
    widths = {"room": 12, "name": 10, "phone": 15, "phone2": 15, "id_number": 21, "cluster": 16,
              "employer": 22, "work_address": 22, "handover_date": 12, "move_in_date": 12, "birth_date": 12}
    for i, key in enumerate(EXPORT_ORDER, start=1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(key, 10)
    ws.freeze_panes = "A4"
    with ctx.db.atomic():
        record(ctx, "archive.export", "owner_export", path.name, None, {"rows": len(rows), "full_pii": full})
        save_workbook(wb, path)
    return len(rows)
