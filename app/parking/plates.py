"""Chinese number plates (车牌号): the ordinary 7-character plates and the 8-character
new-energy plates, checked and normalised as typed at the desk."""
from __future__ import annotations

import re

from app.core import validation as v
from app.core.errors import ValidationError

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
LETTERS = "A-HJ-NP-Z"            # letters used on plates (no I, no O)
PLATE_RES = (
    # ordinary 7 characters: 豫A12345, 陕AB123挂 / 学 / 警 / 港 / 澳
    re.compile(rf"^[{PROVINCES}][{LETTERS}][{LETTERS}0-9]{{4}}[{LETTERS}0-9挂学警港澳]$"),
    # new-energy small cars, 8 characters: 豫AD12345, 豫AF1A234 (D/F, since 2021 also A–K)
    re.compile(rf"^[{PROVINCES}][{LETTERS}][A-HJK][{LETTERS}0-9][0-9]{{4}}$"),
    # new-energy large vehicles, 8 characters: 豫A12345D
    re.compile(rf"^[{PROVINCES}][{LETTERS}][0-9]{{5}}[DF]$"),
)
SEPARATORS = re.compile(r"[\s·•.\-]")   # as printed on the plate: 豫A·12345


def check_plate(text, field: str = "车牌号") -> str:
    """A Chinese plate, normalised (half-width, upper case, no space or middle dot). Accepts the
    ordinary 7-character plates and the 8-character new-energy plates (豫A12345, 豫AD12345)."""
    s = SEPARATORS.sub("", v.normalize(text).upper())
    if not s:
        raise ValidationError(field, "不能为空")
    if s[0] not in PROVINCES:
        raise ValidationError(field, f"“{text}”应以省份简称开头，如 豫A12345")
    if not any(p.match(s) for p in PLATE_RES):
        raise ValidationError(field, f"“{text}”不是有效的车牌号，应如 豫A12345 或新能源 豫AD12345"
                                     "（字母不用 I、O）")
    return s
