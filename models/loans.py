"""Loan register (借用登记): the desk's items lent to owners (domain.md §6)."""
from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .base import BaseModel, TimestampedModel
from .property import Home
from .sealed import SealedPhoneField
from .users import User

ITEM_CATEGORIES = ["工具", "助行", "雨具", "应急", "急救", "生活", "其他"]


class LoanItem(TimestampedModel):
    """An item the desk lends (tools, ladder, wheelchair …), with how many are held."""
    name = CharField(unique=True)
    category = CharField(default="其他")
    quantity = IntegerField(default=1)                  # units held
    condition = CharField(default="完好")
    needs_id = BooleanField(default=False)              # an identity document is recorded (wheelchair)
    deposit_fen = BigIntegerField(default=0)            # suggested deposit per unit, fen
    keeper_place = CharField(default="客服前台")
    active = BooleanField(default=True)
    notes = TextField(default="")


class Loan(BaseModel):
    """One lending of ``quantity`` units of an item to a household; open while returned_at is null."""
    item = ForeignKeyField(LoanItem, backref="loans", on_delete="RESTRICT")
    number = CharField(unique=True)                     # slip number JY2026-000001
    quantity = IntegerField(default=1)
    home = ForeignKeyField(Home, backref="loans", on_delete="RESTRICT")
    borrower_name = CharField()
    phone = SealedPhoneField(default="")
    id_type = CharField(default="")
    id_enc = TextField(default="")
    id_hash = CharField(default="")
    id_masked = CharField(default="")
    condition_out = CharField()                         # checked with the borrower
    borrower_signed = BooleanField(default=False)
    deposit_fen = BigIntegerField(default=0)
    deposit_receipt = CharField(default="")             # receipt number when the ledger took it
    out_at = DateTimeField(index=True)
    due_date = DateField(index=True)
    issued_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    returned_at = DateTimeField(null=True, index=True)
    condition_in = CharField(default="")
    damage_notes = TextField(default="")
    refund_fen = BigIntegerField(default=0)
    refund_voucher = CharField(default="")
    received_by = CharField(default="")
    received_user = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    notes = TextField(default="")


MODELS = [LoanItem, Loan]
