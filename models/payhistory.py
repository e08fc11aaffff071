"""Payment history from before going live (缴费历史): kept for reference, never receipts or money lines.
Each row says a home paid an item for the months period_from … period_to; it sets the home's 已缴至
(app.ledger.paid_until) and the import settles the covered months the monthly run would bill."""
from peewee import BigIntegerField, CharField, DateField, DateTimeField, ForeignKeyField, TextField

from .base import BaseModel, now
from .property import Home
from .users import User


class PaymentHistory(BaseModel):
    home = ForeignKeyField(Home, backref="+", on_delete="RESTRICT", index=False)   # the index below leads
    item_code = CharField()                 # property_fee / parking_above / parking_under / bicycle / cable_tv …
    period_from = CharField()               # "YYYY-MM"
    period_to = CharField()                 # "YYYY-MM"
    paid_on = DateField(null=True)
    billed_fen = BigIntegerField(default=0)
    paid_fen = BigIntegerField(default=0)
    cashier = CharField(default="")
    plate = CharField(default="")           # the plate a parking row was given by
    memo = TextField(default="")
    source = CharField(default="")          # 导入 文件名 第N行
    created_at = DateTimeField(default=now)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")

    class Meta:
        table_name = "payment_history"
        indexes = ((("home", "item_code", "period_to"), False),)


MODELS = [PaymentHistory]
