"""The rows of a parking register (车位车辆登记表) as app.golive.vehicles_import checks them: one ``Row`` a line,
its space number and plate normalised (half-width, upper case, 粤B·12345 → 粤B12345), the room found among
the site's homes (an unknown one is a remark, not a refusal), the kind of space (产权/租赁/公共), the phone
and the monthly card's dates (Excel day numbers or text) checked — a bad one is put on ``Row.pending``
for the 待核对 worklist instead of refusing the row."""
from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

from app.archives.excel_rows import cell_text
from app.core import validation as v
from app.core.errors import ValidationError
from app.golive import register_sheets as rs
from app.golive.parking_import import LEVEL_WORDS
from app.parking.plates import check_plate
from app.parking.spaces import CODE_MAX, CODE_RE

KIND_WORDS = {"产权": "产权", "已售": "产权", "自有": "产权", "购买": "产权", "业主": "产权",
              "租赁": "租赁", "租用": "租赁", "已租": "租赁", "出租": "租赁", "月租": "租赁",
              "公共": "公共", "公用": "公共", "临停": "公共", "访客": "公共", "空闲": "公共"}
EXCEL_SERIAL = (20000, 80000)       # a date typed as a number: Excel's day count (1954 … 2119)
EXCEL_EPOCH = dt.date(1899, 12, 30)
DRIVER_MAX, BRAND_MAX, COLOR_MAX, CARD_MAX = 40, 40, 20, 30


@dataclass
class Row:
    row: int
    code: str = ""                  # space code ("" : a vehicle without a space)
    level: str = "地下"
    kind: str = ""                  # 产权 / 租赁 / 公共
    zone: str = ""
    home: int | None = None
    room: str = ""
    plate: str = ""
    plate_error: str = ""
    driver: str = ""
    phone: str = ""
    brand: str = ""
    color: str = ""
    card_no: str = ""
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    notes: str = ""
    card_note: str = ""             # said on the vehicle only
    pending: list[tuple[str, str, str, str]] = field(default_factory=list)   # field, label, raw, reason
    remarks: list[str] = field(default_factory=list)
    space_ok: bool = False
    vehicle_ok: bool = False
    space_id: int | None = None


def excel_date(value, label: str) -> dt.date | None:
    """A date cell: a date, a text date (2026-1-5, 2026年1月5日, 2026/1/5) or Excel's day number."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and EXCEL_SERIAL[0] <= value <= EXCEL_SERIAL[1]:
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = cell_text(value)
    if text.isdigit() and EXCEL_SERIAL[0] <= int(text) <= EXCEL_SERIAL[1]:
        return EXCEL_EPOCH + dt.timedelta(days=int(text))
    return v.parse_date(value, label, required=False)


def half_width(text: str) -> str:
    """Full-width letters (ｂ, Ｂ), digits and dashes to their half-width forms (NFKC; Chinese characters stay)."""
    return unicodedata.normalize("NFKC", text)


def space_code(raw) -> str:
    """A space number as stored: half-width, no spaces, upper case; ValidationError when it cannot be one."""
    code = "".join(half_width(cell_text(raw)).split()).upper()
    if len(code) > CODE_MAX:
        raise ValidationError("车位号", f"“{code}”不能超过{CODE_MAX}个字符")
    if code and not CODE_RE.fullmatch(code):
        raise ValidationError("车位号", f"“{code}”只能含字母、数字、汉字和“-”")
    return code


def _level(zone: str) -> str:
    return next((level for word, level in LEVEL_WORDS.items() if word in zone), "地下")


def _kind(r: Row, text: str):
    if not text:
        r.kind = "产权" if r.home else "公共"
        return
    r.kind = next((k for w, k in KIND_WORDS.items() if w in text), "")
    if not r.kind:
        r.kind = "产权" if r.home else "公共"
        r.remarks.append(f"车位性质“{text}”无法识别，按{r.kind}导入")


def _home(r: Row, cells, homes):
    if all(cell_text(cells.get(k)) == "" for k in ("room", "building", "entrance")):
        return
    try:
        r.room, r.home = _room(cells, homes)
    except ValidationError as exc:
        r.remarks.append(f"{exc}，{'车位未关联房屋' if r.code else '车辆无法登记'}")


def _room(cells, homes) -> tuple[str, int]:
    hid, code = rs.home_of(cells, homes)
    return code, hid


def _vehicle_fields(r: Row, cells, today: dt.date):
    raw_plate = cell_text(cells.get("plate"))
    if raw_plate:
        try:
            r.plate = check_plate(half_width(raw_plate))
        except ValidationError as exc:
            r.plate_error = str(exc)
    r.driver = cell_text(cells.get("driver"))[:DRIVER_MAX]
    r.brand = cell_text(cells.get("brand"))[:BRAND_MAX]
    r.color = cell_text(cells.get("color"))[:COLOR_MAX]
    r.card_no = "".join(cell_text(cells.get("card_no")).split()).upper()[:CARD_MAX]
    raw_phone = cell_text(cells.get("phone"))
    if raw_phone:
        try:
            r.phone = v.check_phone(raw_phone, "联系电话")
        except ValidationError as exc:
            r.pending.append(("phone", "联系电话", raw_phone, exc.problem))
    for key, label in (("valid_from", "月卡开始"), ("valid_until", "月卡到期")):
        try:
            setattr(r, key, excel_date(cells.get(key), label))
        except ValidationError as exc:
            r.pending.append((key, label, cell_text(cells.get(key)), exc.problem))
    if r.valid_from and r.valid_until and r.valid_until < r.valid_from:
        r.pending.append(("valid_until", "月卡到期", r.valid_until.isoformat(), f"早于月卡开始 {r.valid_from}"))
        r.valid_until = None
    r.valid_from = r.valid_from or min(today, r.valid_until or today)
    if r.valid_until is None:
        r.valid_until = r.valid_from
        r.card_note = "上线导入：未登记月卡到期日"


def read_rows(ctx, b, m, rep) -> list[Row]:
    """Every data row as a Row; a row without space and plate (or with an unreadable space number or a formula
    without its value) goes to ``rep.rejected`` by its Excel row."""
    homes, today = rs.home_codes(), ctx.clock.today()
    out = []
    for row, cells in b.rows(m.defaults):
        rep.rows += 1
        try:
            reason = rs.uncached_formula(b, row)
            if reason:
                raise ValidationError("单元格", reason)
            r = Row(row, code=space_code(cells.get("space")))
        except ValidationError as exc:
            rep.rejected.append((row, str(exc)))
            continue
        r.zone = cell_text(cells.get("zone"))
        r.level = _level(r.zone)
        r.notes = cell_text(cells.get("notes"))
        if r.zone and r.zone not in LEVEL_WORDS:
            r.notes = f"区域：{r.zone}" + (f"；{r.notes}" if r.notes else "")
        _home(r, cells, homes)
        _kind(r, cell_text(cells.get("kind")))
        _vehicle_fields(r, cells, today)
        if not r.code and not r.plate:
            rep.rejected.append((row, r.plate_error or "车位号、车牌号：都为空，无法导入"))
            continue
        out.append(r)
    return out
