"""Money is integer fen (分) everywhere. Parsing, formatting, half-up rounding, 大写 amounts."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from app.core.errors import ValidationError


def round_half_up(value: Decimal) -> int:
    """Round an exact Decimal amount of fen to a whole fen, half away from zero."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def mul_fen(quantity, rate_fen: int) -> int:
    """amount = quantity × rate, rounded half-up to the fen once. ``quantity`` is int, Decimal or str."""
    if isinstance(quantity, float):
        raise TypeError("quantity must not be a float")
    return round_half_up(Decimal(str(quantity)) * Decimal(int(rate_fen)))


def parse_yuan(text, field: str = "金额", allow_negative: bool = False) -> int:
    """Parse what a user typed in 元 (\"1,234.5\", \"¥12\", \"12元\") into integer fen."""
    if isinstance(text, float):
        raise TypeError("money must not be a float")
    if isinstance(text, int):
        return text * 100
    s = str(text).strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    s = s.replace("元", "").strip()
    s = s.translate(str.maketrans("０１２３４５６７８９．－", "0123456789.-"))
    if not s:
        raise ValidationError(field, "不能为空")
    try:
        d = Decimal(s)
    except InvalidOperation:
        raise ValidationError(field, f"“{text}”不是有效的金额") from None
    if d != d.quantize(Decimal("0.01")):
        raise ValidationError(field, "最多两位小数（精确到分）")
    if d < 0 and not allow_negative:
        raise ValidationError(field, "不能为负数")
    if abs(d) >= Decimal("1000000000"):
        raise ValidationError(field, "金额过大")
    return int(d * 100)


def fmt_fen(fen: int, symbol: bool = False) -> str:
    """12345 → '123.45' (with thousands separators: 1,234.50)."""
    fen = int(fen)
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    s = f"{sign}{yuan:,}.{cents:02d}"
    return ("¥" + s) if symbol else s


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ["", "拾", "佰", "仟"]
_SECTIONS = ["", "万", "亿", "万亿"]
SECTION = 10000          # digits are grouped by 万 (four places)
SECTION_LEAD = 1000      # a section below this has a leading zero (一万零五百)


def _section(n: int) -> str:
    out = ""
    zero = False
    for i in range(3, -1, -1):
        d = n // (10 ** i) % 10
        if d == 0:
            if out:
                zero = True
        else:
            if zero:
                out += "零"
                zero = False
            out += _DIGITS[d] + _UNITS[i]
    return out


def daxie(fen: int) -> str:
    """Amount in Chinese capitals as on a receipt: 12345 → 壹佰贰拾叁元肆角伍分."""
    fen = int(fen)
    if fen == 0:
        return "零元整"
    prefix = "负" if fen < 0 else ""
    fen = abs(fen)
    yuan, rest = divmod(fen, 100)
    jiao, fen_ = divmod(rest, 10)
    parts = []
    if yuan:
        sections = []
        i = 0
        n = yuan
        while n:
            sections.append((n % SECTION, i))
            n //= SECTION
            i += 1
        s = ""
        need_zero = False
        for value, idx in reversed(sections):
            if value == 0:
                need_zero = True
                continue
            if s and (need_zero or value < SECTION_LEAD):
                s += "零"
            s += _section(value) + _SECTIONS[idx]
            need_zero = False
        parts.append(s + "元")
    if jiao == 0 and fen_ == 0:
        parts.append("整")
    else:
        if jiao:
            parts.append(_DIGITS[jiao] + "角")
        elif yuan:
            parts.append("零")
        if fen_:
            parts.append(_DIGITS[fen_] + "分")
        else:
            parts.append("整")
    return prefix + "".join(parts)
