"""Shared meters (公摊水电, issue 17): the monthly amount of a common meter, apportioned by the monthly
run over the homes of a charge item of formula shared_area / shared_household
(app/ledger/shared_meter.py). One reading per item and month; nothing here is deleted."""
from peewee import BigIntegerField, CharField, DateTimeField, ForeignKeyField, TextField

from .base import BaseModel, now
from .ledger import ChargeItem, NoDeleteMixin
from .users import User


class SharedMeterReading(NoDeleteMixin, BaseModel):
    """The common meter's month: its reading (usage, optional) and the amount to apportion."""
    item = ForeignKeyField(ChargeItem, backref="shared_readings", on_delete="RESTRICT")
    period = CharField()                      # "YYYY-MM"
    usage_x100 = BigIntegerField(null=True)   # 1/100 度 or 吨, for the record
    amount_fen = BigIntegerField()            # what the common meter cost this month
    note = TextField(default="")
    created_at = DateTimeField(default=now)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")

    class Meta:
        table_name = "shared_meter_reading"
        indexes = ((("item", "period"), True),)


MODELS = [SharedMeterReading]
