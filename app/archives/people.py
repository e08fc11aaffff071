"""The people of a household: owners (co-owners, an owner who holds several homes, the primary
owner, the photo), residents and tenants, and revealing an owner's full identity number or
phone to a permitted user (every reveal audited). Each write: permission, validation
(ValidationError naming the field), one transaction with an audit row, search index refreshed."""
from __future__ import annotations

from pathlib import Path

from app.archives.common import OWNER_PHOTO, get_row, reindex
from app.archives.owners import identity_fields, owner_fields
from app.core import attachments
from app.core import validation as v
from app.core.audit import model_dict, record
from app.core.errors import NotFound, StateError, ValidationError
from app.core.permissions import require
from app.core.privacy import mask_phone
from models.people import HomeOwner, Owner, Resident
from models.property import Home
from models.system import Attachment

KEY_TAGS = ["媒体", "政府", "集团员工", "经理指定"]
GENDERS = ("男", "女")
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp")
NAME_MAX = 40
OWNER_PHONE_FIELDS = {"phone": "联系电话", "phone2": "备用电话", "spouse_phone": "配偶电话"}


def _tags(value) -> list[str]:
    if isinstance(value, str):
        items = [t.strip() for t in value.replace("，", ",").replace("、", ",").split(",")]
    else:
        items = [str(t).strip() for t in (value or [])]
    items = [t for t in items if t]
    bad = [t for t in items if t not in KEY_TAGS]
    if bad:
        raise ValidationError("重点客户类别", f"“{bad[0]}”无效，应为：{'、'.join(KEY_TAGS)}")
    return [t for t in KEY_TAGS if t in items]


# owners --------------------------------------------------------------------------

def _check_owner(ctx, data: dict) -> dict:
    data = dict(data)
    if "key_customer_tags" in data:
        tags = _tags(data["key_customer_tags"])
        if data.get("is_key_customer") and not tags:
            raise ValidationError("重点客户类别", "标记为重点客户时请选择类别（媒体、政府、集团员工、经理指定）")
        data["key_customer_tags"] = ",".join(tags)
        data["is_key_customer"] = bool(tags)
    out = owner_fields(ctx, data)
    if out.get("birth_date") and out["birth_date"] > ctx.clock.today():
        raise ValidationError("出生日期", "不能晚于今天")
    if out.get("arrears_flag") and not out.get("arrears_reason"):
        raise ValidationError("欠费原因", "标记欠费时必须填写欠费原因")
    if out.get("gender") and out["gender"] not in GENDERS:
        raise ValidationError("性别", "应为“男”或“女”")
    return out



def _owner_homes(owner_id) -> list[int]:
    return [h for (h,) in HomeOwner.select(HomeOwner.home)
            .where((HomeOwner.owner == owner_id) & HomeOwner.until.is_null()).tuples()]


def _check_photo(path):
    if path and Path(path).suffix.lower() not in PHOTO_SUFFIXES:
        raise ValidationError("照片", "应为 JPG、PNG 或 BMP 图片")


def create_owner(ctx, home_id: int, data: dict, primary: bool | None = None, photo_path=None) -> Owner:
    """Add a new owner to a home. The first owner becomes the primary owner, later ones co-owners
    (unless *primary* is True, which makes the new one primary)."""
    require(ctx, "archive.edit")
    home = get_row(Home, home_id, "房屋")
    fields = _check_owner(ctx, data)
    _check_photo(photo_path)
    if fields.get("id_hash"):
        dup = Owner.get_or_none(Owner.id_hash == fields["id_hash"])
        if dup is not None:
            raise StateError(f"身份证号：该证件已登记为业主“{dup.name}”，请使用“关联已有业主”")
    with ctx.db.atomic():
        has_primary = HomeOwner.select().where((HomeOwner.home == home.id) & HomeOwner.until.is_null()
                                               & (HomeOwner.is_primary == True)).exists()  # noqa: E712
        make_primary = (not has_primary) if primary is None else bool(primary)
        if make_primary and has_primary:
            HomeOwner.update(is_primary=False).where(HomeOwner.home == home.id).execute()
        owner = Owner.create(**fields)
        link = HomeOwner.create(home=home.id, owner=owner.id, is_primary=make_primary, since=ctx.clock.today())
        record(ctx, "owner.create", "owner", owner.id, None,
               {**model_dict(owner), "home": home.room_code, "is_primary": link.is_primary})
        if photo_path:
            att = attachments.attach(ctx, OWNER_PHOTO, owner.id, photo_path)
            record(ctx, "owner.photo", "owner", owner.id, None, {"attachment": att.id, "sha256": att.sha256})
        reindex([home.id])
    return owner


def link_owner(ctx, home_id: int, owner_id: int, primary: bool = False) -> HomeOwner:
    """Record an existing owner (who holds another home) as an owner of this home too."""
    require(ctx, "archive.edit")
    home = get_row(Home, home_id, "房屋")
    owner = get_row(Owner, owner_id, "业主")
    with ctx.db.atomic():
        link = HomeOwner.get_or_none((HomeOwner.home == home.id) & (HomeOwner.owner == owner.id))
        if link is not None and link.until is None:
            raise StateError(f"业主“{owner.name}”已是 {home.room_code} 的业主")
        has_primary = HomeOwner.select().where((HomeOwner.home == home.id) & HomeOwner.until.is_null()
                                               & (HomeOwner.is_primary == True)).exists()  # noqa: E712
        make_primary = primary or not has_primary
        if make_primary and has_primary:
            HomeOwner.update(is_primary=False).where(HomeOwner.home == home.id).execute()
        if link is None:
            link = HomeOwner.create(home=home.id, owner=owner.id, is_primary=make_primary, since=ctx.clock.today())
        else:
            link.until, link.is_primary, link.since = None, make_primary, ctx.clock.today()
            link.save()
        record(ctx, "owner.link", "home", home.id, None,
               {"owner": owner.id, "name": owner.name, "is_primary": make_primary})
        reindex([home.id])
    return link


def update_owner(ctx, owner_id: int, data: dict, photo_path=None) -> Owner:
    """Change an owner's fields. Leave ``id_number`` (or a phone) out of *data* to keep it."""
    require(ctx, "archive.edit")
    owner = get_row(Owner, owner_id, "业主")
    fields = _check_owner(ctx, data)
    _check_photo(photo_path)
    if fields.get("id_hash"):
        dup = Owner.get_or_none((Owner.id_hash == fields["id_hash"]) & (Owner.id != owner.id))
        if dup is not None:
            raise StateError(f"身份证号：该证件已登记为业主“{dup.name}”")
    with ctx.db.atomic():
        before = model_dict(owner)
        for k, val in fields.items():
            setattr(owner, k, val)
        owner.updated_at = ctx.clock.now()
        owner.save()
        after = model_dict(owner)
        changed = {k for k in after if before.get(k) != after.get(k) and k != "updated_at"}
        record(ctx, "owner.update", "owner", owner.id, {k: before[k] for k in changed},
               {k: after[k] for k in changed})
        if photo_path:
            att = attachments.attach(ctx, OWNER_PHOTO, owner.id, photo_path)
            record(ctx, "owner.photo", "owner", owner.id, None, {"attachment": att.id, "sha256": att.sha256})
        reindex(_owner_homes(owner.id))
    return owner


def remove_owner(ctx, home_id: int, owner_id: int) -> None:
    """The owner no longer owns the home (sold, removed from the title): the link is closed today
    and kept as history. A remaining co-owner becomes primary if needed."""
    require(ctx, "archive.edit")
    link = HomeOwner.get_or_none((HomeOwner.home == home_id) & (HomeOwner.owner == owner_id)
                                 & HomeOwner.until.is_null())
    if link is None:
        raise NotFound("该业主不是此房屋的现业主")
    with ctx.db.atomic():
        link.until = ctx.clock.today()
        was_primary = link.is_primary
        link.is_primary = False
        link.save()
        if was_primary:
            nxt = (HomeOwner.select().where((HomeOwner.home == home_id) & HomeOwner.until.is_null())
                   .order_by(HomeOwner.id).first())
            if nxt is not None:
                nxt.is_primary = True
                nxt.save()
        record(ctx, "owner.remove", "home", home_id, {"owner": owner_id, "name": link.owner.name}, None)
        reindex([home_id])


def set_primary_owner(ctx, home_id: int, owner_id: int) -> None:
    require(ctx, "archive.edit")
    link = HomeOwner.get_or_none((HomeOwner.home == home_id) & (HomeOwner.owner == owner_id)
                                 & HomeOwner.until.is_null())
    if link is None:
        raise NotFound("该业主不是此房屋的现业主")
    with ctx.db.atomic():
        HomeOwner.update(is_primary=False).where(HomeOwner.home == home_id).execute()
        HomeOwner.update(is_primary=True).where(HomeOwner.id == link.id).execute()
        record(ctx, "owner.primary", "home", home_id, None, {"owner": owner_id})


def attach_owner_photo(ctx, owner_id: int, path) -> Attachment:
    require(ctx, "archive.edit")
    owner = get_row(Owner, owner_id, "业主")
    _check_photo(path)
    with ctx.db.atomic():
        att = attachments.attach(ctx, OWNER_PHOTO, owner.id, path)
        record(ctx, "owner.photo", "owner", owner.id, None, {"attachment": att.id, "sha256": att.sha256})
    return att


def owner_photo_path(ctx, owner_id: int):
    """The stored photo file of an owner (verified by SHA-256), or None."""
    require(ctx, "archive.view")
    att = (Attachment.select().where((Attachment.entity == OWNER_PHOTO) & (Attachment.entity_id == owner_id))
           .order_by(Attachment.id.desc()).first())
    if att is None or not attachments.verify(ctx, att):
        return None
    return attachments.path_of(ctx, att)


def reveal_owner_pii(ctx, owner_id: int, what: str = "id") -> str:
    """The full identity number (what='id') or phone (what='phone') of an owner. Needs
    pii.view_full; every reveal writes an audit row."""
    require(ctx, "pii.view_full")
    owner = get_row(Owner, owner_id, "业主")
    if what == "id":
        value = ctx.vault.decrypt(owner.id_enc)
    elif what in ("phone", "phone2", "spouse_phone"):
        value = getattr(owner, what)
    else:
        raise ValueError(what)
    with ctx.db.atomic():
        record(ctx, f"pii.reveal_{what}", "owner", owner.id, None, {"masked": owner.id_masked if what == "id"
                                                                    else mask_phone(value)})
    return value


# residents and tenants ----------------------------------------------------------------

def _check_resident(ctx, data: dict) -> dict:
    is_tenant = bool(data.get("is_tenant"))
    label = "租户" if is_tenant else "住户"
    name = v.check_required(data.get("name"), f"{label}姓名")
    if len(name) > NAME_MAX:
        raise ValidationError(f"{label}姓名", f"不能超过{NAME_MAX}个字")
    out = {"name": name, "is_tenant": is_tenant,
           "relation": str(data.get("relation") or ("租户" if is_tenant else "")).strip(),
           "employer": str(data.get("employer") or "").strip(), "notes": str(data.get("notes") or "").strip(),
           "birth_date": v.parse_date(data.get("birth_date"), "出生日期", required=False)}
    if "phone" in data:
        out["phone"] = v.check_phone(data.get("phone"), "联系电话")
    if "id_number" in data:
        ident = identity_fields(ctx, data.get("id_number") or "", "身份证号")
        out.update({k: ident[k] for k in ("id_enc", "id_hash", "id_masked")})
    out["lease_from"] = v.parse_date(data.get("lease_from"), "租期起", required=False)
    out["lease_to"] = v.parse_date(data.get("lease_to"), "租期止", required=False)
    if is_tenant and out["lease_from"] is None:
        raise ValidationError("租期起", "租户必须填写租期开始日期")
    if out["lease_from"] and out["lease_to"] and out["lease_to"] < out["lease_from"]:
        raise ValidationError("租期止", "不能早于租期起")
    return out


def add_resident(ctx, home_id: int, data: dict) -> Resident:
    """Record a resident (常居人口) or, with ``is_tenant``, a tenant of the home."""
    require(ctx, "archive.edit")
    home = get_row(Home, home_id, "房屋")
    fields = _check_resident(ctx, data)
    with ctx.db.atomic():
        r = Resident.create(home=home.id, **fields)
        record(ctx, "resident.create", "resident", r.id, None, {**model_dict(r), "home": home.room_code})
        reindex([home.id])
    return r


def update_resident(ctx, resident_id: int, data: dict) -> Resident:
    require(ctx, "archive.edit")
    r = get_row(Resident, resident_id, "住户")
    fields = _check_resident(ctx, data)
    with ctx.db.atomic():
        before = model_dict(r)
        for k, val in fields.items():
            setattr(r, k, val)
        r.save()
        record(ctx, "resident.update", "resident", r.id, before, model_dict(r))
        reindex([r.home_id])
    return r


def remove_resident(ctx, resident_id: int) -> None:
    require(ctx, "archive.edit")
    r = get_row(Resident, resident_id, "住户")
    with ctx.db.atomic():
        before = model_dict(r)
        home_id = r.home_id
        r.delete_instance()
        record(ctx, "resident.delete", "resident", resident_id, before, None)
        reindex([home_id])


# revealing a full value (permission + audit row) -------------------------------------------

def reveal_owner_id(ctx, owner_id: int, reason: str = "") -> str:
    """The owner's full identity number. Needs pii.view_full; writes an audit row."""
    require(ctx, "pii.view_full")
    owner = Owner.get_or_none(Owner.id == owner_id)
    if owner is None:
        raise NotFound("业主不存在")
    with ctx.db.atomic():
        record(ctx, "pii.reveal_id", "owner", owner.id, None, {"field": "身份证号", "reason": reason})
    return ctx.vault.decrypt(owner.id_enc)


def reveal_owner_phone(ctx, owner_id: int, field: str = "phone", reason: str = "") -> str:
    """One of the owner's phones in full. Needs pii.view_full; writes an audit row."""
    require(ctx, "pii.view_full")
    if field not in OWNER_PHONE_FIELDS:
        raise KeyError(field)
    owner = Owner.get_or_none(Owner.id == owner_id)
    if owner is None:
        raise NotFound("业主不存在")
    with ctx.db.atomic():
        record(ctx, "pii.reveal_phone", "owner", owner.id, None, {"field": OWNER_PHONE_FIELDS[field], "reason": reason})
    return getattr(owner, field)
