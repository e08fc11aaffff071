"""The fee ledger (收费台账): charge items and standards, subscriptions, meter readings, charges,
receipts and payment lines, dunning records.

Money is BigIntegerField fen. Quantities are integers in 1/1000 of the unit (``quantity_milli``),
meter readings in 1/100 of the unit (``reading_x100``). Nothing about money is ever deleted:
ledger rows refuse ``delete_instance``; a receipt is voided (kept with its number) and its lines
reversed by negative lines.

Charge.paid_fen / refunded_fen are maintained by app/payments.py in the same transaction as the
payment lines that make them up (the sum of the lines always equals them; tests check this).
"""
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

from .base import BaseModel, now
from .property import Home
from .users import User

# Charge categories: periodic (monthly standard), metered (water/power/gas), one_off (services,
# rubbish removal, parcel, late fee …), deposit (refundable), prepay (prepaid property fee).
CATEGORIES = ("periodic", "metered", "one_off", "deposit", "prepay")
METER_KINDS = ("water", "power", "gas")
PAY_METHODS = {"cash": "现金", "card": "银行卡", "transfer": "转账"}


class NoDeleteMixin:
    """Money rows are never deleted: only reversed or voided with a reason."""

    def delete_instance(self, *args, **kwargs):
        from app.core.errors import StateError
        raise StateError("收费记录不能删除，只能作废或冲销")


class ChargeItem(BaseModel):
    """A charge item (收费项目), e.g. property_fee 物业费. Seeded by app/charge_items.sync_items."""
    code = CharField(unique=True)
    name = CharField()
    category = CharField()                    # CATEGORIES
    unit = CharField(default="")              # 元/㎡·月, 元/吨 …
    basis = TextField(default="")             # 收费依据 (legal basis text)
    sort_order = IntegerField(default=0)
    active = BooleanField(default=True)


class ChargeStandard(BaseModel):
    """One standard of an item (收费标准): a rate, for a variant (house type, owner/market price,
    gas tier). Mirrors the site settings (``setting_key``), refreshed by sync_items."""
    item = ForeignKeyField(ChargeItem, backref="standards", on_delete="CASCADE")
    variant = CharField(default="")           # 洋房 / 业主价 / 第一阶梯 …
    rate_fen = BigIntegerField()
    unit = CharField(default="")
    setting_key = CharField(default="")
    basis = TextField(default="")

    class Meta:
        indexes = ((("item", "variant"), True),)


class ChargeRule(BaseModel):
    """How the monthly run bills an item the office added (收费项目 as data, issue 17): its formula,
    the homes it applies to, its cycle, validity and due day. The shipped items (app/ledger/
    charge_items.ITEMS) bill by their settings and have no rule."""
    item = ForeignKeyField(ChargeItem, backref="rules", on_delete="CASCADE", unique=True)
    formula = CharField()                     # area (面积×单价) / fixed (每户定额) / meter (按表计量)
    rate_fen = BigIntegerField()              # per ㎡ or per home for one cycle; per unit (first tier)
    meter_kind = CharField(default="")        # METER_KINDS, for formula meter
    tiers = TextField(default="")             # "20=400;40=500": above 20 units 400 fen, above 40 500 fen
    scope = CharField(default="all")          # all / house_type / building
    scope_values = TextField(default="")      # comma-separated house types or building codes
    cycle = CharField(default="month")        # month / quarter / year
    bill_month = IntegerField(default=1)      # a yearly item's month (1-12)
    valid_from = CharField()                  # "YYYY-MM" first month billed
    valid_to = CharField(null=True)           # last month billed (None: open)
    due_day = IntegerField(default=0)         # day of the billed month; 0: the site's billing.due_day


class Subscription(BaseModel):
    """A monthly service a home takes (bicycle parking, cable TV): billed by the monthly run."""
    home = ForeignKeyField(Home, backref="fee_subscriptions", on_delete="RESTRICT")
    item_code = CharField(index=True)         # bicycle / cable_tv
    count = IntegerField(default=1)
    start_period = CharField()                # "YYYY-MM" first month billed
    end_period = CharField(null=True)         # last month billed (None: open)
    notes = TextField(default="")
    created_at = DateTimeField(default=now)


class MeterReading(NoDeleteMixin, BaseModel):
    """A meter reading of a home (water/power/gas). ``new_meter`` marks the start reading of a
    meter installed to replace the old one (the old meter's end reading is recorded just before)."""
    home = ForeignKeyField(Home, backref="meter_readings", on_delete="RESTRICT")
    kind = CharField()                        # METER_KINDS
    reading_date = DateField()
    reading_x100 = BigIntegerField()          # 1/100 of m³ / 吨 / 度
    new_meter = BooleanField(default=False)
    note = TextField(default="")
    created_at = DateTimeField(default=now)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")

    class Meta:
        indexes = ((("home", "kind", "reading_date"), False),)


class Charge(NoDeleteMixin, BaseModel):
    """A line of the ledger (应收): what a home owes for an item (and month)."""
    home = ForeignKeyField(Home, backref="charges", on_delete="RESTRICT", index=False)  # unique index leads
    item_code = CharField()
    category = CharField(default="one_off")
    period = CharField(null=True)                   # "YYYY-MM" the charge belongs to (informational)
    bill_period = CharField(null=True)              # set by the monthly run only: the unique key
    bill_ref = CharField(default="")                # e.g. "P12" (a parking space) for the unique key
    quantity_milli = BigIntegerField(null=True)     # quantity × 1000
    unit_price_fen = BigIntegerField(null=True)
    amount_fen = BigIntegerField()
    paid_fen = BigIntegerField(default=0)           # sum of this charge's payment lines (pay, void, prepay)
    refunded_fen = BigIntegerField(default=0)       # deposits paid back (sum of refund lines, positive)
    due_date = DateField(null=True)
    memo = TextField(default="")
    source = CharField(default="")                  # "renovation", "loan", "service", "billing" …
    source_id = IntegerField(null=True)
    created_at = DateTimeField(default=now)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", index=False)

    class Meta:
        # few indexes on purpose: the monthly run inserts tens of thousands of rows at once
        indexes = ((("home", "item_code", "bill_period", "bill_ref"), True),)


# prepaid homes are found through a small partial index (the monthly run's draw-down)
Charge.add_index(Charge.index(Charge.home, name="charge_prepay_home", where=(Charge.item_code == "property_prepay")))
# what is owed, never the paid history (issue 20): the open charges by due date, covering what the
# arrears pages and flags read (app.ledger.arrears), so their cost follows the arrears, not the years
OPEN_INDEX_SQL = ('CREATE INDEX IF NOT EXISTS "charge_open_due" ON "charge" ("due_date", "home_id", "category",'
                  ' "amount_fen", "paid_fen", "period") WHERE ("paid_fen" < "amount_fen")')
Charge.add_index(Charge.index(Charge.due_date, Charge.home, Charge.category, Charge.amount_fen, Charge.paid_fen,
                              Charge.period, name="charge_open_due", where=(Charge.paid_fen < Charge.amount_fen)))
# the charges an area posted for one of its records (renovation, loan, service …)
SOURCE_INDEX_SQL = 'CREATE INDEX IF NOT EXISTS "charge_source" ON "charge" ("source", "source_id")'
Charge.add_index(Charge.index(Charge.source, Charge.source_id, name="charge_source"))
# one month's billed charges (the collection rate, the month ledger): a range of the month, never the years
PERIOD_INDEX_SQL = 'CREATE INDEX IF NOT EXISTS "charge_period" ON "charge" ("period", "category")'
Charge.add_index(Charge.index(Charge.period, Charge.category, name="charge_period"))


class Receipt(NoDeleteMixin, BaseModel):
    """A receipt (收据, kind "receipt") or a refund voucher (退款凭证, kind "refund"). Numbers come
    from app/sequences (unbroken per kind and year); a voided receipt keeps its number."""
    number = CharField(unique=True)
    kind = CharField(default="receipt")
    year = IntegerField()
    seq = IntegerField()
    home = ForeignKeyField(Home, backref="receipts", on_delete="RESTRICT")
    payer = CharField(default="")
    method = CharField(default="cash")              # PAY_METHODS
    reference = CharField(default="")               # WeChat/Alipay/bank reference
    total_fen = BigIntegerField()                   # negative for a refund voucher
    cashier = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="receipts")
    cashier_name = CharField(default="")
    issued_at = DateTimeField(index=True)
    status = CharField(default="valid", index=True)  # valid / void
    void_reason = TextField(default="")
    voided_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="voided_receipts")
    voided_at = DateTimeField(null=True)
    reprint_count = IntegerField(default=0)
    memo = TextField(default="")

    class Meta:
        indexes = ((("kind", "year", "seq"), True),)


class Payment(NoDeleteMixin, BaseModel):
    """A payment line: money allocated to one charge.

    kind: pay (on a receipt, positive), refund (deposit paid out, negative, on a refund voucher),
    void (reversal of a voided receipt's line, opposite sign), prepay (property fee settled from
    the home's prepayment balance, no receipt)."""
    receipt = ForeignKeyField(Receipt, null=True, backref="lines", on_delete="RESTRICT")
    charge = ForeignKeyField(Charge, null=True, backref="payments", on_delete="RESTRICT")
    home = ForeignKeyField(Home, backref="payments", on_delete="RESTRICT")
    item_code = CharField()
    kind = CharField(default="pay", index=True)
    method = CharField(default="cash")
    amount_fen = BigIntegerField()
    reason = TextField(default="")
    source = CharField(default="")
    source_id = IntegerField(null=True)
    created_at = DateTimeField(default=now, index=True)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")


class DunningRecord(BaseModel):
    """催缴记录: a phone reminder, a notice posted or a visit (written by the dunning service)."""
    home = ForeignKeyField(Home, backref="dunning_records", on_delete="RESTRICT")
    stage = IntegerField()                          # 1 phone, 2 second notice, 3 third notice
    method = CharField(default="电话")               # 电话 / 通知单 / 上门
    record_date = DateField(index=True)
    owed_fen = BigIntegerField(default=0)
    late_fee_fen = BigIntegerField(default=0)
    outcome = TextField(default="")
    number = CharField(default="")                  # notice number
    staff = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=now)


MODELS = [ChargeItem, ChargeStandard, ChargeRule, Subscription, MeterReading, Charge, Receipt, Payment, DunningRecord]
