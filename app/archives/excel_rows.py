"""Reading an owner ledger workbook (openpyxl): the sheet's rows, its header row and each data row.

An office's own Excel ledger: the header row may be anywhere in the first rows, column names vary
(房号/房屋编号/房间号, 业主姓名/业主/姓名 …), digits may be full-width, phones carry spaces or dashes,
dates are Excel dates or text. Each data row is checked on its own here; app.archives.excel_import
writes the valid ones, app.archives.excel_export writes the same columns back.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from app.core import validation as v
from app.core.errors import ValidationError
from models.property import HOME_STATES, HOUSE_TYPES

HEADER_SCAN_ROWS = 10

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


def open_rows(path) -> list[tuple]:
    path = Path(path)
    if not path.is_file():
        raise ValidationError("文件", f"“{path}”不存在")
    if path.suffix.lower() == ".xls":
        raise ValidationError("文件", "不支持旧版 .xls 格式，请在Excel中另存为 .xlsx 后再导入")
    from app.core.imports import read_table
    from app.core.xlsx import MAX_COLS, MAX_ROWS
    # refuses large files, non-Excel files, damaged zips, zip bombs, huge ranges and far cells
    return read_table(path, max_rows=MAX_ROWS, max_cols=MAX_COLS, field="文件")


def find_header(rows) -> tuple[int, dict[str, int]]:
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
def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return v.normalize(value)


_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


_BUILDING = re.compile(r"([A-Z]?\d{1,4})(号楼|号|栋|幢|座|楼)?")   # four digits: D1000号楼
_ENTRANCE = re.compile(r"(\d{1,2}|[一二三四五六七八九十])(单元)?")
_ROOM_ONLY = re.compile(r"(\d{3,4})(?:室|号)?")
_PHONE_SPLIT = re.compile(r"[/、，,;；]|\s{2,}")
CODE_CACHE = 4096          # distinct building and unit cells remembered (an import has a few hundred)


@lru_cache(maxsize=CODE_CACHE, typed=True)
def _building_code(value) -> str:
    s = cell_text(value).replace(" ", "").upper()
    if not s:
        return ""
    m = _BUILDING.fullmatch(s)
    if not m:
        raise ValidationError("楼栋", f"“{value}”无法识别，应如 5号楼 或 5")
    return m.group(1).lstrip("0") or "0" if m.group(1).isdigit() else m.group(1)


@lru_cache(maxsize=CODE_CACHE, typed=True)
def _entrance_code(value) -> str:
    s = cell_text(value).replace(" ", "")
    if not s:
        return ""
    m = _ENTRANCE.fullmatch(s)
    if not m:
        raise ValidationError("单元", f"“{value}”无法识别，应如 1单元 或 1")
    g = m.group(1)
    return str(_CN_DIGITS[g]) if g in _CN_DIGITS else str(int(g))


_FULL_ROOM = re.compile(r"^([A-Z]?\d{1,4})(?:号楼|号|栋|幢|座|-)(?:(\d{1,2})(?:单元|-))?(\d{3,4})(?:室|号)?$")


def room_code(room_value, building_value, entrance_value) -> str:
    """The office's room code (5-203 or 5-1-203) from the room, building and unit cells."""
    s = cell_text(room_value).replace(" ", "").upper()
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
    m = _ROOM_ONLY.fullmatch(s)
    if m:
        if not building:
            raise ValidationError("房号", f"“{room_value}”只有房间号，缺少楼栋")
        return v.check_room_code(f"{building}-{entrance}-{m.group(1)}" if entrance else f"{building}-{m.group(1)}")
    return v.check_room_code(s)


# Excel serial day numbers of plausible dates (1954-10-03 … 2119-01-11): a date in a cell without date format
EXCEL_SERIAL_MIN, EXCEL_SERIAL_MAX = 20000, 80000


@lru_cache(maxsize=CODE_CACHE, typed=True)   # a ledger's dates repeat (handed over the same day)
def _date(value, label):
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if EXCEL_SERIAL_MIN <= value <= EXCEL_SERIAL_MAX:   # an Excel serial number
            from openpyxl.utils.datetime import from_excel
            return from_excel(value).date()
        raise ValidationError(label, f"“{value}”不是有效的日期（如 2011-06-10）")
    return v.parse_date(value, label, required=False)


@lru_cache(maxsize=CODE_CACHE, typed=True)   # a site's areas repeat (one per layout)
def _area(value):
    if value is None or value == "":
        return None
    if isinstance(value, float):
        d = Decimal(repr(value))
        q = d.quantize(Decimal("0.01"))
        if abs(d - q) < Decimal("0.000001"):
            value = str(q)
    return v.check_area(cell_text(value), "建筑面积")


def phones(value, label) -> list[str]:
    """One or two phones in a cell (13812345678 / 029-88886666), each checked."""
    s = cell_text(value)
    if not s or "*" in s:
        return []
    parts = [p.strip() for p in _PHONE_SPLIT.split(s) if p.strip()]
    return [_phone(p, label) for p in parts]


def _phone(text: str, label: str) -> str:
    # libphonenumber knows every area code's length (029-8888 6666, (010)12345678, 0351 7654321):
    # no split is guessed or kept unchecked here (app/core/phones.py).
    return v.check_phone(text, label)


def _id_number(value):
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValidationError("身份证号", "被Excel存成了数字，末几位已丢失；请将该列设为文本格式后重新填写")
    s = cell_text(value)
    if "*" in s:
        return None   # a masked number from an export: keep what is on file
    return s


# ---------------------------------------------------------------------------------------------
ID_GENDER_DIGIT = 16   # the 17th digit of an identity number: odd for men, even for women


@dataclass
class ParsedRow:
    excel_row: int
    room: str
    home: dict          # checked home fields (may be partial)
    owner: dict         # raw owner input for owner_fields
    signature: tuple
    # lenient parsing: the secondary fields left out, as (key, label, raw text, reason) — 待核对
    pending: list = field(default_factory=list)
    owner_key: str = ""  # the owner's number in another system (one owner, several homes)


# the secondary owner fields: a bad value is left out (and listed) by a lenient parse, not the row
SOFT_LABELS = {"phone": "联系电话", "phone2": "备用电话", "spouse_phone": "配偶电话", "id_number": "身份证号",
               "birth_date": "出生日期", "gender": "性别", "residents_count": "常住人数"}


def parse_row(excel_row: int, cells: dict, previous_room: str | None, lenient: bool = False) -> ParsedRow:
    """The checked contents of one data row (*cells*: column key → cell value); ValidationError if refused.
    *lenient*: a bad secondary owner field (SOFT_LABELS) is left out and listed in ``pending``
    instead of refusing the row; only the keys (room code, owner name) and the home's fields refuse it."""
    room = _row_room(cells, previous_room)
    home = _home_fields(cells)
    name = cell_text(cells.get("name"))
    if not name:
        # a home listed without an owner (not handed over yet): only the home's own columns count
        if any(cell_text(cells.get(k)) for k in OWNER_KEYS if k != "name"):
            raise ValidationError("业主姓名", "不能为空（该行填写了业主信息）")
        return ParsedRow(excel_row, room, home, {}, tuple(sorted((k, str(x)) for k, x in home.items())))
    pending: list | None = [] if lenient else None
    owner = {"name": name, **_owner_phones(cells, pending), **_owner_person(cells, pending), **_owner_texts(cells)}
    if pending is not None and "residents_count" in owner:
        _soft(pending, "residents_count", cells.get("residents_count"), lambda: _residents(owner["residents_count"]))
        if pending and pending[-1][0] == "residents_count":
            del owner["residents_count"]
    signature = tuple(sorted((k, str(x)) for k, x in {**home, **owner}.items()))
    return ParsedRow(excel_row, room, home, owner, signature, pending or [])


RESIDENTS_MAX = 50


def _residents(text) -> int:
    try:
        n = int(str(text).strip())
    except ValueError:
        raise ValidationError("常住人数", "应为整数") from None
    if not 0 <= n <= RESIDENTS_MAX:
        raise ValidationError("常住人数", f"应在0到{RESIDENTS_MAX}之间")
    return n


def _soft(pending: list | None, key: str, raw, check):
    """check(); with a *pending* list, a ValidationError is listed there (and None returned)."""
    try:
        return check()
    except ValidationError as exc:
        if pending is None:
            raise
        pending.append((key, SOFT_LABELS[key], cell_text(raw), str(exc)))
        return None


def _row_room(cells: dict, previous_room: str | None) -> str:
    """The row's room code; a blank room continues the home of the row above (a co-owner)."""
    room_cell = cells.get("room")
    if cell_text(room_cell) != "":
        return room_code(room_cell, cells.get("building"), cells.get("entrance"))
    if not cell_text(cells.get("name")):
        raise ValidationError("房号", "与业主姓名均为空，无法确定房屋")
    if previous_room is None:
        raise ValidationError("房号", "为空，且上一行没有有效的房号可以沿用")
    return previous_room


def _home_fields(cells: dict) -> dict:
    """The home columns the row fills in, checked (may be partial)."""
    home: dict = {}
    if cells.get("cluster") not in (None, ""):
        home["cluster"] = cell_text(cells["cluster"])
    area = _area(cells.get("area"))
    if area is not None:
        home["area_x100"] = area
    ht = cell_text(cells.get("house_type")).replace(" ", "")
    if ht:
        home["house_type"] = v.check_choice(HOUSE_TYPE_WORDS.get(ht, ht), HOUSE_TYPES, "房屋类型")
    st = cell_text(cells.get("state")).replace(" ", "")
    if st:
        home["state"] = v.check_choice(STATE_WORDS.get(st, st), HOME_STATES, "状态")
    for key, label in (("handover_date", "交房日期"), ("move_in_date", "入住日期")):
        d = _date(cells.get(key), label)
        if d is not None:
            home[key] = d
    if home.get("handover_date") and home.get("move_in_date") and home["move_in_date"] < home["handover_date"]:
        raise ValidationError("入住日期", "早于交房日期")
    return home


def _owner_phones(cells: dict, pending: list | None = None) -> dict:
    """phone, phone2 and spouse_phone; a second phone in the phone cell is the other phone."""
    owner: dict = {}
    found = _soft(pending, "phone", cells.get("phone"), lambda: phones(cells.get("phone"), "联系电话"))
    if found:
        owner["phone"] = found[0]
        if len(found) > 1:
            owner["phone2"] = found[1]
    extra = _soft(pending, "phone2", cells.get("phone2"), lambda: phones(cells.get("phone2"), "备用电话"))
    if extra:
        owner["phone2"] = extra[0]
    sp = _soft(pending, "spouse_phone", cells.get("spouse_phone"),
               lambda: phones(cells.get("spouse_phone"), "配偶电话"))
    if sp:
        owner["spouse_phone"] = sp[0]
    return owner


GENDER_WORDS = {"男性": "男", "女性": "女", "M": "男", "F": "女", "MALE": "男", "FEMALE": "女"}


def _checked_id(value):
    idn = _id_number(value)
    return v.check_id_number(idn, "身份证号") if idn else None


def _owner_person(cells: dict, pending: list | None = None) -> dict:
    """id_number, birth_date and gender (read from the identity number when the cell is blank)."""
    owner: dict = {}
    idn = _soft(pending, "id_number", cells.get("id_number"), lambda: _checked_id(cells.get("id_number")))
    if idn:
        owner["id_number"] = idn
    bd = _soft(pending, "birth_date", cells.get("birth_date"), lambda: _date(cells.get("birth_date"), "出生日期"))
    if bd is not None:
        owner["birth_date"] = bd
    gender = cell_text(cells.get("gender")).replace(" ", "")
    gender = GENDER_WORDS.get(gender.upper(), gender)
    gender = _soft(pending, "gender", gender, lambda: v.check_choice(gender, ("男", "女"), "性别") if gender else "")
    if gender:
        owner["gender"] = gender
    elif owner.get("id_number"):
        owner["gender"] = "男" if int(owner["id_number"][ID_GENDER_DIGIT]) % 2 else "女"
    return owner


def _owner_texts(cells: dict) -> dict:
    """The free-text owner columns; key customer tags also mark the owner a key customer."""
    owner: dict = {}
    rc = cells.get("residents_count")
    if rc not in (None, ""):
        owner["residents_count"] = cell_text(rc)
    for key in ("employer", "work_address", "native_place", "education", "spouse_name", "family_structure",
                "key_customer_tags", "notes"):
        t = cell_text(cells.get(key))
        if t:
            owner[key] = t
    if owner.get("key_customer_tags"):
        owner["key_customer_tags"] = ",".join(p for p in re.split(r"[,，、/\s]+", owner["key_customer_tags"]) if p)
        owner["is_key_customer"] = True
    return owner


