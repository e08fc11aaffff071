"""Input checks. Each raises ValidationError(field label in Chinese, problem)."""
from __future__ import annotations

import datetime as dt
import operator
import re
from decimal import Decimal, InvalidOperation

from app.core import phones
from app.core.errors import ValidationError

MAX_AREA_M2 = 100000                 # a home's floor area, m²
FIRST_YEAR, LAST_YEAR = 1900, 2100   # a date outside is a typing mistake

_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９ＸｘＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＹＺ－．／：　（）",
    "0123456789XxABCDEFGHIJKLMNOPQRSTUVWYZ-./: ()")

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"


_WIDE = re.compile("[" + re.escape("".join(map(chr, _FULLWIDTH))) + "]")   # a character _FULLWIDTH changes


def normalize(text) -> str:
    """Full-width digits and letters to half-width, trimmed. (Text without such a character is only
    trimmed: an import normalises every cell, and translate costs ~2 µs a Chinese cell.)"""
    s = str(text if text is not None else "")
    if s.isascii() or _WIDE.search(s) is None:
        return s.strip()
    return s.translate(_FULLWIDTH).strip()


def id_check_char(first17: str) -> str:
    if len(first17) != len(_ID_WEIGHTS):
        raise ValueError("first17 must have 17 digits")
    return _ID_CHECK[sum(map(operator.mul, map(int, first17), _ID_WEIGHTS)) % 11]


_ID_SHAPE = re.compile(r"\d{17}[\dX]")


def check_id_number(text, field: str = "身份证号") -> str:
    """GB 11643 identity number (18 characters, checksum). Returns it normalised (upper X)."""
    s = normalize(text).replace(" ", "").upper()
    if not s:
        raise ValidationError(field, "不能为空")
    if not _ID_SHAPE.fullmatch(s):
        raise ValidationError(field, "应为18位（前17位数字，末位数字或X）")
    try:
        dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        raise ValidationError(field, f"出生日期 {s[6:14]} 无效") from None
    if id_check_char(s[:17]) != s[17]:
        raise ValidationError(field, "校验位不正确，请核对号码")
    return s


def birth_date_from_id(id_number: str) -> dt.date:
    return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def check_mobile(text, field: str = "手机号码", required: bool = True) -> str:
    """A mainland mobile (libphonenumber, app/core/phones.py): its 11 digits; +86/0086, spaces and
    dashes accepted, unassigned prefixes refused."""
    s = phones.parse_mobile(text, field)
    if not s and required:
        raise ValidationError(field, "不能为空")
    return s


def check_phone(text, field: str = "联系电话", required: bool = False) -> str:
    """A mobile, a landline (area code and extension kept), a 400/800 hotline or a foreign number,
    checked and formatted by libphonenumber (app/core/phones.py, the stored forms)."""
    s = phones.parse_phone(text, field)
    if not s and required:
        raise ValidationError(field, "不能为空")
    return s


_ROOM_RE = re.compile(r"^[A-Za-z]?\d{1,4}(-\d{1,2})?-\d{3,4}$")


def normalize_room_code(text) -> str:
    """A room code as typed → as stored: half-width, no spaces, dashes unified, upper case."""
    return normalize(text).replace(" ", "").replace("—", "-").replace("－", "-").upper()


def check_room_code(text, field: str = "房号") -> str:
    """Room codes such as 5-203 (building-room) or 5-1-203 (building-entrance-room)."""
    s = normalize_room_code(text)
    if not s:
        raise ValidationError(field, "不能为空")
    if not _ROOM_RE.match(s):
        raise ValidationError(field, f"“{text}”格式不正确，应如 5-203 或 5-1-203")
    return s.upper()


def check_area(text, field: str = "建筑面积") -> int:
    """Floor area in m² with at most two decimals → integer 1/100 m²."""
    s = normalize(text).replace("㎡", "").replace("m²", "").replace("平方米", "").replace("平米", "").strip()
    if not s:
        raise ValidationError(field, "不能为空")
    try:
        d = Decimal(s)
    except InvalidOperation:
        raise ValidationError(field, f"“{text}”不是有效的面积") from None
    if d <= 0 or d > MAX_AREA_M2:
        raise ValidationError(field, f"应大于0且不超过{MAX_AREA_M2}平方米")
    if d != d.quantize(Decimal("0.01")):
        raise ValidationError(field, "最多两位小数")
    return int(d * 100)


def fmt_area(area_x100: int) -> str:
    return f"{area_x100 // 100}.{area_x100 % 100:02d}"


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def parse_date(value, field: str = "日期", required: bool = True) -> dt.date | None:
    """A date typed or imported: date objects, 2011-6-10, 2011/6/10, 2011.6.10, 2011年6月10日."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = normalize(value)
    if " " in s:
        s = s.split(" ")[0]
    if not s:
        if required:
            raise ValidationError(field, "不能为空")
        return None
    for pat in _DATE_PATTERNS:
        m = pat.match(s)
        if m:
            try:
                d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                break
            if not (FIRST_YEAR <= d.year <= LAST_YEAR):
                break
            return d
    raise ValidationError(field, f"“{value}”不是有效的日期（如 2011-06-10）")


def check_required(value, field: str) -> str:
    s = str(value if value is not None else "").strip()
    if not s:
        raise ValidationError(field, "不能为空")
    return s


def check_choice(value, choices, field: str) -> str:
    s = str(value or "").strip()
    if s not in choices:
        raise ValidationError(field, f"“{s}”无效，应为：{'、'.join(choices)}")
    return s
