"""Reductions (减免, issue 17): proposed by a clerk, approved or rejected by a manager, applied as
payment lines of kind "reduction" (app/ledger/reductions.py). Nothing here is ever deleted."""
from peewee import BigIntegerField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from .base import BaseModel, now
from .ledger import Charge, NoDeleteMixin
from .property import Home
from .users import User

STATE_PENDING, STATE_APPROVED, STATE_REJECTED = "待审批", "已批准", "已驳回"


class Reduction(NoDeleteMixin, BaseModel):
    """One reduction of one home's charge(s): by percentage of the charge, a fixed amount, or whole
    months of a periodic item (the charge's month and the next ones of the same item)."""
    home = ForeignKeyField(Home, backref="reductions", on_delete="RESTRICT")
    charge = ForeignKeyField(Charge, backref="reductions", on_delete="RESTRICT")   # the (first) charge
    item_code = CharField()
    mode = CharField()                        # percent / fixed / months
    percent = IntegerField(default=0)         # 1-100, mode percent
    months = IntegerField(default=0)          # mode months
    amount_fen = BigIntegerField()            # as proposed (the open amount then, for months)
    applied_fen = BigIntegerField(default=0)  # as applied at approval (never more than was owed)
    reason = TextField()
    state = CharField(default=STATE_PENDING, index=True)
    proposed_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    proposed_at = DateTimeField(default=now)
    decided_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    decided_at = DateTimeField(null=True, index=True)
    decision_note = TextField(default="")


MODELS = [Reduction]
