"""Key register (钥匙登记): public keys and door keys of homes kept at the desk, sign-outs,
and the weekly inspections of vacant homes (domain.md §5)."""
from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField

from .base import BaseModel, TimestampedModel
from .property import Home
from .sealed import SealedPhoneField
from .users import User

KEY_KINDS = ["公共钥匙", "入户门钥匙"]
BORROWER_KINDS = ["员工", "施工单位", "业主", "其他"]


class Key(TimestampedModel):
    """One key of the catalogue: a public area (楼道竖井 …) or the door key of a home.

    ``copies`` copies are held; each copy (1..copies) is signed out on its own. A door key
    leaves the register at hand-over (``handed_over_at`` set, ``active`` False)."""
    kind = CharField(default="公共钥匙", index=True)    # KEY_KINDS
    area = CharField()                                  # 楼道竖井 / 入户门 5-203 …
    home = ForeignKeyField(Home, null=True, backref="door_keys", on_delete="RESTRICT")
    supply_method = CharField(default="")               # 通锁 / 厂家配备 / 挂锁 …
    copies = IntegerField(default=1)
    keeper_place = CharField(default="")                # 客服前台 / 监控中心 …
    keeper_person = CharField(default="")
    active = BooleanField(default=True, index=True)
    handed_over_at = DateTimeField(null=True)
    handed_over_to = CharField(default="")
    notes = TextField(default="")


class KeyLoan(BaseModel):
    """A sign-out of one copy of a key; open while ``returned_at`` is null."""
    key = ForeignKeyField(Key, backref="loans", on_delete="RESTRICT")
    copy_no = IntegerField(default=1)
    number = CharField(unique=True)                     # slip number YS2026-000001
    borrower_name = CharField()
    borrower_kind = CharField(default="员工")           # BORROWER_KINDS
    company = CharField(default="")                     # contractor's company
    phone = SealedPhoneField(default="")
    purpose = CharField()
    out_at = DateTimeField(index=True)
    due_at = DateTimeField(index=True)
    issued_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    returned_at = DateTimeField(null=True, index=True)
    returned_by = CharField(default="")                 # who brought it back
    received_by = CharField(default="")                 # staff who received it
    received_user = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    return_notes = TextField(default="")


# One open sign-out per copy, enforced by the database too (partial unique index).
KeyLoan.add_index(KeyLoan.index(KeyLoan.key, KeyLoan.copy_no, unique=True,
                                where=KeyLoan.returned_at.is_null(), name="keyloan_one_open_per_copy"))


class VacantInspection(BaseModel):
    """One inspection of a vacant (空置) or not handed-over (未交付) home (000 item 24)."""
    home = ForeignKeyField(Home, backref="vacant_inspections", on_delete="CASCADE")
    inspected_on = DateField(index=True)
    inspector = CharField()
    result = CharField(default="正常")                  # 正常 / 有问题
    findings = TextField(default="")
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")


MODELS = [Key, KeyLoan, VacantInspection]
