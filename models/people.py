"""Owners, co-ownership, residents and tenants.

Identity numbers are never stored in clear: ``id_enc`` holds the encrypted number,
``id_hash`` a keyed hash for exact look-ups, ``id_masked`` the masked form for lists and
``id_tail`` the last four characters for the search box (see app/crypto.py, app/privacy.py).

``Owner.name_pinyin`` is the pinyin key of the name (app/pinyin.py: ``"wang2 jian4 lin2"``), for
pinyin order and pinyin search. ``Owner.save()`` keeps it in step with the name; a write that
bypasses save (``insert``, ``update``, raw SQL) must set it with ``app.core.pinyin.name_key``.
"""
from peewee import SQL, BooleanField, CharField, DateField, ForeignKeyField, IntegerField, TextField

from .base import BaseModel, TimestampedModel
from .property import Home, ParkingSpace
from .sealed import SealedPhoneField


class Owner(TimestampedModel):
    name = CharField(index=True)
    # schema version 2 (models/migrations.py); DEFAULT '' in the table too, for raw inserts
    name_pinyin = CharField(default="", constraints=[SQL("DEFAULT ''")])
    gender = CharField(default="")
    birth_date = DateField(null=True)
    education = CharField(default="")
    native_place = CharField(default="")
    employer = CharField(default="")
    work_address = CharField(default="")
    phone = SealedPhoneField(default="", index=True)
    phone2 = SealedPhoneField(default="")
    id_type = CharField(default="身份证")
    id_enc = TextField(default="")
    id_hash = CharField(default="", index=True)
    id_masked = CharField(default="")
    id_tail = CharField(default="", index=True)
    spouse_name = CharField(default="")
    spouse_phone = SealedPhoneField(default="")
    spouse_employer = CharField(default="")
    family_structure = CharField(default="")   # e.g. 三口之家
    residents_count = IntegerField(default=0)
    is_key_customer = BooleanField(default=False, index=True)
    key_customer_tags = CharField(default="")  # 媒体,政府,集团员工,经理指定 (comma separated)
    opinion = TextField(default="")            # opinion of the service
    suggestions = TextField(default="")        # past suggestions
    special_requests = TextField(default="")
    arrears_flag = BooleanField(default=False, index=True)
    arrears_reason = TextField(default="")
    arrears_complaint = TextField(default="")
    anonymised = BooleanField(default=False)
    notes = TextField(default="")

    def save(self, *args, **kwargs):
        if "name" not in self._dirty and (self.name_pinyin or not self.name):
            return super().save(*args, **kwargs)
        from app.core.pinyin import name_key  # lazy: pypinyin's dictionaries load on the first name written
        key = name_key(self.name)
        if key != self.name_pinyin:
            self.name_pinyin = key
            only = kwargs.get("only")
            if only is not None and "name_pinyin" not in [getattr(f, "name", f) for f in only]:
                kwargs["only"] = list(only) + ["name_pinyin"]
        return super().save(*args, **kwargs)


class HomeOwner(BaseModel):
    """An owner of a home; several owners may share one home, one owner may hold several."""
    home = ForeignKeyField(Home, backref="ownerships", on_delete="CASCADE")
    owner = ForeignKeyField(Owner, backref="ownerships", on_delete="CASCADE")
    is_primary = BooleanField(default=True)
    since = DateField(null=True)
    until = DateField(null=True)             # set when the owner sells / leaves

    class Meta:
        indexes = ((("home", "owner"), True),)


class ParkingOwner(BaseModel):
    space = ForeignKeyField(ParkingSpace, backref="holders", on_delete="CASCADE")
    owner = ForeignKeyField(Owner, backref="parking", on_delete="CASCADE")
    kind = CharField(default="产权")          # 产权 / 租用


class Resident(BaseModel):
    """常居人口 and tenants (租户) recorded with the home."""
    home = ForeignKeyField(Home, backref="residents", on_delete="CASCADE")
    name = CharField()
    relation = CharField(default="")         # 配偶 / 子女 / 父母 / 租户 / 保姆 …
    is_tenant = BooleanField(default=False, index=True)
    phone = SealedPhoneField(default="")
    id_enc = TextField(default="")
    id_hash = CharField(default="")
    id_masked = CharField(default="")
    birth_date = DateField(null=True)
    employer = CharField(default="")
    lease_from = DateField(null=True)
    lease_to = DateField(null=True)
    notes = TextField(default="")


class PersonalKey(BaseModel):
    """The key of one person's sealed audit values (app.core.audit_personal), itself sealed under the
    site key; deleting the row (anonymising the owner) makes those values unreadable for good."""
    subject = CharField(unique=True)         # "owner:12", "resident:40", "vehicle:3"
    key_enc = TextField()


MODELS = [Owner, HomeOwner, ParkingOwner, Resident, PersonalKey]
