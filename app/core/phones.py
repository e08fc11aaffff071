"""Phones parsed, validated and formatted by Google's libphonenumber (the ``phonenumbers`` package),
China as the default region. ``app.core.validation.check_phone`` / ``check_mobile`` call these.

Stored forms (what ``mask_phone`` and the 4-digit search tokens read):
- a mainland mobile: its 11 digits, ``13812345678``;
- a mainland landline: area code with its 0, a dash, the local number, ``029-88886699``; an
  extension kept after 转: ``029-88886699转8001``;
- a 400/800 company hotline: ``400-810-8888``;
- a number of another country: E.164 with its country code, ``+16502530000`` (extension after 转);
- a local number typed without its area code (7 or 8 digits starting 2–9): kept as typed — nothing
  says which city's length applies.
"""
from __future__ import annotations

import functools
import re
import unicodedata

from app.core.errors import ValidationError

REGION = "CN"
EXT_MARK = "转"
_EXT_WORDS = re.compile(r"\s*(?:转|分机|ext\.?|x|#)\s*(\d{1,6})\s*$", re.IGNORECASE)
_LOCAL_ONLY = re.compile(r"[2-9]\d{6,7}")
_HOTLINE_PREFIXES = ("400", "800")
MOBILE_DIGITS = 11


def _lib():
    import phonenumbers  # imported on first use (start-up budget)
    return phonenumbers


def _split_extension(text: str) -> tuple[str, str]:
    m = _EXT_WORDS.search(text)
    if not m:
        return text, ""
    return text[:m.start()], m.group(1)


def _reason(pn, number, digits: str) -> str:
    """Why a parsed number is refused, in words a clerk can act on."""
    if number.country_code != pn.country_code_for_region(REGION):
        return "不是有效的境外号码（请写 + 和国家代码）"
    mobile = re.match(r"1[3-9]", digits) is not None    # 10… is Beijing's area code 010
    if mobile and len(digits) == MOBILE_DIGITS:
        return f"号段 {digits[:3]} 不是已分配的手机号段"
    if mobile:
        return "手机号码应为11位"
    if digits[:3] in _HOTLINE_PREFIXES:
        return "400/800号码应为10位"
    return "区号不存在，或号码位数与该区号不符（有的城市固定电话为8位，有的为7位）"


def parse_phone(text, field: str = "联系电话") -> str:
    """Any phone (mobile, landline, hotline, foreign) → its stored form; ValidationError naming *field*
    when libphonenumber finds it invalid. Empty text → "". Cached: an import checks each phone twice
    (the row, then the owner's fields; ~25 MB at most), and libphonenumber takes ~0.2 ms a number."""
    try:
        return _parse_phone_cached(text, field)
    except TypeError:            # an unhashable value: parsed without the cache
        return _parse_phone(text, field)


@functools.lru_cache(maxsize=1 << 17, typed=True)   # two phones a row of a 50,000-row import
def _parse_phone_cached(text, field: str) -> str:
    return _parse_phone(text, field)


def _parse_phone(text, field: str) -> str:
    raw = unicodedata.normalize("NFKC", str(text if text is not None else "")).strip()
    if not raw:
        return ""
    body, ext = _split_extension(raw)
    compact = _SEPARATORS.sub("", body)
    if _LOCAL_ONLY.fullmatch(compact) and not ext:
        return compact
    if not ext and _PLAIN.fullmatch(body) and mobile_rule()(compact):
        return compact           # what the full parse below gives a mainland mobile, at a tenth of its cost
    pn = _lib()
    try:
        number = pn.parse(body, REGION)
    except pn.NumberParseException:
        raise ValidationError(field, f"“{text}”不是电话号码") from None
    digits = pn.national_significant_number(number)
    if not pn.is_valid_number(number):
        raise ValidationError(field, f"“{text}”{_reason(pn, number, digits)}")
    tail = f"{EXT_MARK}{ext or number.extension}" if (ext or number.extension) else ""
    if number.country_code != pn.country_code_for_region(REGION):
        return pn.format_number(number, pn.PhoneNumberFormat.E164) + tail
    kind = pn.number_type(number)
    if kind == pn.PhoneNumberType.MOBILE:
        return digits + tail
    if digits[:3] in _HOTLINE_PREFIXES:
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}{tail}"
    ndc = pn.length_of_national_destination_code(number)
    return f"0{digits[:ndc]}-{digits[ndc:]}{tail}"


_SEPARATORS = re.compile(r"[\s\-()]")
_PLAIN = re.compile(r"[\d\s-]+")     # digits, spaces and dashes only: the parse reads just the digits
OTHER_TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail",
               "fixed_line")   # the number types libphonenumber tries before (or beside) a mobile


@functools.cache
def mobile_rule():
    """A test, made from libphonenumber's own metadata for China, that 11 digits are a mainland mobile
    exactly as ``parse`` + ``is_valid_number`` + ``number_type`` would decide it: the national prefix
    for parsing does not apply (the digits stay the national number), the general and the mobile
    patterns match with 11 an allowed length, and no pattern of another type (tried before a mobile,
    or one that makes it 固话或手机) matches. Anything else takes the full parse; a test compares both."""
    from phonenumbers import PhoneMetadata
    md = PhoneMetadata.metadata_for_region(REGION)
    general, mobile = md.general_desc, md.mobile
    usable = (md.national_prefix_for_parsing and not md.same_mobile_and_fixed_line_pattern
              and general and mobile and general.national_number_pattern and mobile.national_number_pattern
              and MOBILE_DIGITS in general.possible_length and MOBILE_DIGITS in mobile.possible_length)
    if not usable:
        return lambda digits: False
    prefix = re.compile(md.national_prefix_for_parsing)
    fits = [re.compile(general.national_number_pattern), re.compile(mobile.national_number_pattern)]
    others = re.compile("|".join(f"(?:{d.national_number_pattern})" for d in (getattr(md, t) for t in OTHER_TYPES)
                                 if d is not None and d.national_number_pattern) or "(?!)")

    def is_mobile(digits: str) -> bool:
        return (len(digits) == MOBILE_DIGITS and digits[0] == "1" and digits.isdigit() and digits.isascii()
                and prefix.match(digits) is None and all(p.fullmatch(digits) for p in fits)
                and others.fullmatch(digits) is None)
    return is_mobile


def parse_mobile(text, field: str = "手机号码") -> str:
    """A mainland mobile → its 11 digits; anything else (landline, unassigned prefix) refused."""
    s = parse_phone(text, field)
    if not s:
        return ""
    if not re.fullmatch(r"1\d{10}", s):
        raise ValidationError(field, f"“{text}”不是有效的11位手机号码")
    return s


def problem(stored: str) -> str:
    """"" when a stored phone passes the rules, else the reason (the migration's re-check)."""
    if not stored:
        return ""
    try:
        parse_phone(stored, "电话")
    except ValidationError as exc:
        return exc.problem
    return ""
