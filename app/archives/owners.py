"""Turning what a user typed (or an Excel row held) into checked owner fields.

Both the archive dialogs and the Excel import go through ``owner_fields``; the identity
number is encrypted, hashed for look-ups and masked here, never stored in clear.
"""
from __future__ import annotations

from app.core import validation as v
from app.core.privacy import mask_id

OTHER_ID_MIN_LEN = 5        # a passport or other document number shorter than this is a typo
NAME_MAX_LEN = 40
RESIDENTS_MAX = 50

def identity_fields(ctx, id_number: str, field: str = "身份证号", id_type: str = "身份证") -> dict:
    """Encrypted, hashed, masked and tail forms of an identity document number ('' clears it)."""
    return _identity(ctx, id_number, field, id_type)[1]


def _identity(ctx, id_number: str, field: str, id_type: str) -> tuple[str, dict]:
    """(the number as checked, identity_fields' forms of it)."""
    if not id_number:
        return "", {"id_enc": "", "id_hash": "", "id_masked": "", "id_tail": ""}
    if id_type == "身份证":
        s = v.check_id_number(id_number, field)
    else:
        s = v.normalize(id_number).upper()
        if len(s) < OTHER_ID_MIN_LEN:
            raise v.ValidationError(field, "证件号码过短")
    return s, {"id_enc": ctx.vault.encrypt(s), "id_hash": ctx.vault.lookup_hash_fast(s),
               "id_masked": mask_id(s), "id_tail": s[-4:]}


TEXT_FIELDS = ("gender", "education", "native_place", "employer", "work_address", "spouse_name",
               "spouse_employer", "family_structure", "key_customer_tags", "opinion", "suggestions",
               "special_requests", "arrears_reason", "arrears_complaint", "notes")


def owner_fields(ctx, data: dict) -> dict:
    """Check an owner's input. ``data`` uses the Owner field names plus ``id_number``.
    Returns the dict of model fields to save. Raises ValidationError naming the field."""
    out = {"name": v.check_required(data.get("name"), "业主姓名")}
    if len(out["name"]) > NAME_MAX_LEN:
        raise v.ValidationError("业主姓名", f"不能超过{NAME_MAX_LEN}个字")
    if "phone" in data:
        out["phone"] = v.check_phone(data.get("phone"), "联系电话")
    if "phone2" in data:
        out["phone2"] = v.check_phone(data.get("phone2"), "备用电话")
    if "spouse_phone" in data:
        out["spouse_phone"] = v.check_phone(data.get("spouse_phone"), "配偶电话")
    if "birth_date" in data:
        out["birth_date"] = v.parse_date(data.get("birth_date"), "出生日期", required=False)
    if "residents_count" in data and data.get("residents_count") not in (None, ""):
        try:
            n = int(str(data["residents_count"]).strip())
        except ValueError:
            raise v.ValidationError("常住人数", "应为整数") from None
        if not 0 <= n <= RESIDENTS_MAX:
            raise v.ValidationError("常住人数", f"应在0到{RESIDENTS_MAX}之间")
        out["residents_count"] = n
    for f in ("is_key_customer", "arrears_flag"):
        if f in data:
            out[f] = bool(data[f])
    for f in TEXT_FIELDS:
        if f in data:
            out[f] = str(data.get(f) or "").strip()
    if "id_type" in data:
        out["id_type"] = data.get("id_type") or "身份证"
    if "id_number" in data:
        checked, forms = _identity(ctx, data.get("id_number") or "", "身份证号", out.get("id_type", "身份证"))
        out.update(forms)
        if out["id_enc"] and out.get("birth_date") is None and out.get("id_type", "身份证") == "身份证":
            # the number as checked and encrypted (not checked nor decrypted again: an import's rows)
            out["birth_date"] = v.birth_date_from_id(checked)
    return out
