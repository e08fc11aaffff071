"""The mainland-mobile fast path of app/core/phones.py (issue 20: 50,000 owners in <= 10 s) decides exactly
as libphonenumber's full parse: every 4-digit prefix 1000-1999 with several endings, the stored form the
same, a refused number refused with the same words."""
from __future__ import annotations

import phonenumbers as pn
import pytest

from app.core import phones
from app.core.errors import ValidationError

ENDINGS = ("0000000", "1234567", "5550123", "9999999", "0812345")


def _library_says_mobile(digits: str) -> bool:
    number = pn.parse(digits, phones.REGION)
    return (pn.is_valid_number(number) and pn.number_type(number) == pn.PhoneNumberType.MOBILE
            and pn.national_significant_number(number) == digits)


def test_fast_rule_agrees_with_the_full_parse_on_every_prefix():
    rule = phones.mobile_rule()
    taken = 0
    for prefix in range(1000, 2000):
        for ending in ENDINGS:
            digits = f"{prefix}{ending}"
            if rule(digits):
                taken += 1
                assert _library_says_mobile(digits), digits      # never accepts what the library refuses
    assert taken > 2000              # the usual mobiles do take the fast path


@pytest.mark.parametrize("text", ["13912345678", "139 1234 5678", "139-1234-5678", "18600001111", "17012345678",
                                  "16612345678", "19912345678", "14712345678"])
def test_stored_form_same_with_and_without_fast_path(text, monkeypatch):
    fast = phones.parse_phone(text, "联系电话")
    monkeypatch.setattr(phones, "mobile_rule", lambda: (lambda digits: False))
    slow = phones.parse_phone(f" {text} ", "联系电话")      # another text: not the cached answer
    assert fast == slow == text.replace(" ", "").replace("-", "")


@pytest.mark.parametrize(("text", "why"), [("14012345678", "号段 140"), ("17412345678", "号段 174"),
                                           ("1391234567", "位数")])
def test_refused_numbers_still_refused(text, why):
    with pytest.raises(ValidationError) as err:
        phones.parse_phone(text, "联系电话")
    assert err.value.field == "联系电话" and (why in err.value.problem or "11位" in err.value.problem)
