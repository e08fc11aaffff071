"""Counts per home of the office's per-count charge items (按数量, issue 17): how many 电动车 a home
charges, how many pets it keeps … billed count × rate by the monthly run (app/ledger/charge_rules.py).
A count holds from ``valid_from`` to ``valid_to`` (None: open); a change ends the old row the month
before the new one starts, and nothing here is deleted. A row ended before it began (valid_to <
valid_from) was replaced in its first month."""
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from .base import BaseModel, now
from .ledger import NoDeleteMixin
from .property import Home
from .users import User


class ItemCount(NoDeleteMixin, BaseModel):
    """The count of one per-count item for one home over a range of months."""
    home = ForeignKeyField(Home, backref="item_counts", on_delete="RESTRICT")
    item_code = CharField()                   # a ChargeItem code (custom_N) of formula count
    count = IntegerField()                    # 1–99 (0 is never stored: the old row is ended instead)
    valid_from = CharField()                  # "YYYY-MM" first month billed
    valid_to = CharField(null=True)           # last month billed (None: open)
    memo = TextField(default="")
    created_at = DateTimeField(default=now)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")

    class Meta:
        table_name = "item_count"
        indexes = ((("item_code", "valid_from"), False), (("home", "item_code"), False))


MODELS = [ItemCount]
