"""Front-desk registers (前台登记, domain.md §7 and §11): parcels kept for owners, visitors,
goods-out passes, the phone list and the shift log."""
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

from .base import BaseModel
from .property import Home
from .sealed import SealedPhoneField
from .users import User

PARCEL_SIZES = ["小件", "中件", "大件"]
PARCEL_WAITING, PARCEL_PICKED, PARCEL_REFUSED = "待取", "已取", "拒收"
REFUSE_REASONS = ["易碎物品", "贵重物品"]
PASS_ISSUED, PASS_USED, PASS_CANCELLED = "已开具", "已放行", "已作废"
CONSENT_WAYS = ["业主本人到场", "电话确认"]
CONTACT_CATEGORIES = ["供水", "供电", "燃气", "有线电视", "电信网络", "派出所", "学校", "医院", "开锁", "搬家", "邮局",
                      "建设单位", "施工单位", "监理单位", "电梯维保", "监控智能化", "政府部门", "其他"]


class Parcel(BaseModel):
    """A parcel the desk took in for a household (or refused at the counter); waiting while status 待取."""
    number = CharField(unique=True)                     # KD2026-000001
    home = ForeignKeyField(Home, backref="parcels", on_delete="RESTRICT")
    recipient = CharField(default="")                   # the name on the label
    carrier = CharField()
    tracking_no = CharField(default="", index=True)
    size = CharField(default="小件")
    place = CharField(default="")                       # shelf where kept
    status = CharField(default=PARCEL_WAITING, index=True)
    refuse_reason = CharField(default="")               # 易碎物品 / 贵重物品 ticked by the clerk
    received_at = DateTimeField(index=True)
    received_by = CharField()                           # who took it in
    received_user = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    picked_at = DateTimeField(null=True, index=True)
    collector_name = CharField(default="")
    collector_signed = BooleanField(default=False)
    fee_fen = BigIntegerField(default=0)
    charge_id = IntegerField(null=True)                 # the ledger's parcel_fee charge
    receipt_number = CharField(default="")              # when the fee was paid at once
    handed_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    notes = TextField(default="")


class Visitor(BaseModel):
    """One visit (来访登记): inside while left_at is null."""
    name = CharField()
    id_type = CharField(default="")
    id_enc = TextField(default="")
    id_hash = CharField(default="")
    id_masked = CharField(default="")
    phone = SealedPhoneField(default="")
    home = ForeignKeyField(Home, null=True, backref="visitors", on_delete="RESTRICT")
    host = CharField(default="")                        # whom the visitor sees
    reason = CharField()
    companions = IntegerField(default=0)
    plate = CharField(default="")
    entered_at = DateTimeField(index=True)
    left_at = DateTimeField(null=True, index=True)
    registered_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    notes = TextField(default="")


class GoodsPass(BaseModel):
    """A goods-out pass (物品放行条) with its stub; used once at the gate."""
    number = CharField(unique=True)                     # FX2026-000001
    home = ForeignKeyField(Home, backref="goods_passes", on_delete="RESTRICT")
    consent = CharField()                               # CONSENT_WAYS
    consent_by = CharField()                            # the owner who agreed
    consent_phone = SealedPhoneField(default="")        # the number called (phone consent)
    consent_at = DateTimeField()
    items = TextField()                                 # one "name×quantity" per line
    carrier = CharField()                               # who carries the goods out
    plate = CharField(default="")
    valid_date = DateField(index=True)
    status = CharField(default=PASS_ISSUED, index=True)
    issued_at = DateTimeField(index=True)
    issued_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    used_at = DateTimeField(null=True)
    checked_by = CharField(default="")                  # the guard who checked and kept it
    notes = TextField(default="")


class Contact(BaseModel):
    """An outside contact of the desk's phone list (通讯录, domain.md §1): utilities, police station,
    schools, hospital, locksmith, movers, post office, the contractors with their responsible person."""
    category = CharField(index=True)                    # CONTACT_CATEGORIES
    name = CharField()                                  # the organisation
    person = CharField(default="")                      # the responsible person
    phone = CharField()
    phone2 = CharField(default="")
    address = CharField(default="")
    notes = TextField(default="")
    active = BooleanField(default=True)
    updated_at = DateTimeField(null=True)


SHIFT_HANDOVER, SHIFT_CORRECTION = "交接", "更正"


class ShiftLog(BaseModel):
    """One hand-over of a desk shift (交接班记录), signed by the clerk handing over and the one
    taking over (who proved their password); never edited: a correction is a new row (kind 更正)
    pointing at the entry it corrects."""
    number = CharField(unique=True)                     # JB2026-000001
    kind = CharField(default=SHIFT_HANDOVER)            # 交接 / 更正
    slot = CharField(null=True, unique=True)            # "2026-11-23 早班" for a hand-over: one per shift
    shift_date = DateField(index=True)
    shift = CharField()                                 # 早班 / 中班 / 晚班 (site setting shift.schedule)
    hours = CharField(default="")                       # 08:00-16:00
    events = TextField(default="")                      # what happened during the shift
    pending = TextField(default="")                     # what the clerk hands over in words
    open_items = TextField(default="")                  # counted at hand-over: JSON [[label, count, unit], ...]
    cash_fen = BigIntegerField(null=True)               # counted in the drawer (null: not counted)
    float_fen = BigIntegerField(default=0)              # the drawer's float (shift.cash_float)
    receipts_fen = BigIntegerField(default=0)           # the day's receipts total at hand-over
    cash_receipts_fen = BigIntegerField(default=0)      # of which paid in cash
    handed_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    handed_name = CharField()
    taken_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    taken_name = CharField(default="")
    handed_at = DateTimeField(index=True)
    corrects = ForeignKeyField("self", null=True, on_delete="RESTRICT", backref="corrections")


LET_KINDS = ("出租", "出售")
LISTING_OPEN, LISTING_DONE, LISTING_WITHDRAWN = "在租售", "已成交", "已撤回"
SEEKER_OPEN, SEEKER_DONE, SEEKER_GONE = "登记中", "已成交", "已放弃"


class LettingListing(BaseModel):
    """A home the owner offers for rent or sale through the office (租赁信息台账, 000 应会 8)."""
    number = CharField(unique=True)                     # ZL2026-000001
    home = ForeignKeyField(Home, backref="listings", on_delete="RESTRICT")
    kind = CharField(default="出租")                     # LET_KINDS
    price_fen = BigIntegerField()                       # monthly rent, or the asking price of a sale
    available_from = DateField()
    owner_name = CharField()
    terms = TextField(default="")                       # the owner's terms (furnished, no pets, a year at least …)
    status = CharField(default=LISTING_OPEN, index=True)
    listed_at = DateTimeField(index=True)
    listed_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    closed_at = DateTimeField(null=True)


class LettingSeeker(BaseModel):
    """Someone looking for a home to rent or buy: the needs are kept when nothing matches."""
    number = CharField(unique=True)                     # QZ2026-000001
    name = CharField()
    phone = SealedPhoneField(default="")
    kind = CharField(default="出租")                     # what they look for: 出租 (to rent) / 出售 (to buy)
    needs = TextField(default="")
    budget_fen = BigIntegerField(default=0)             # 0: not said
    status = CharField(default=SEEKER_OPEN, index=True)
    created_at = DateTimeField(index=True)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")


class LettingViewing(BaseModel):
    """A viewing the area manager leads; the seeker signed the agency fee agreement before it."""
    listing = ForeignKeyField(LettingListing, backref="viewings", on_delete="RESTRICT")
    seeker = ForeignKeyField(LettingSeeker, backref="viewings", on_delete="RESTRICT")
    at = DateTimeField(index=True)
    guide = CharField(default="")                       # the area manager who shows the home
    agreement_signed_at = DateTimeField()               # 中介服务费协议 signed
    result = CharField(default="")
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")


class LettingDeal(BaseModel):
    """A letting (or sale) concluded: the agency fee charged in the ledger, the meters read."""
    listing = ForeignKeyField(LettingListing, backref="deals", on_delete="RESTRICT", unique=True)
    seeker = ForeignKeyField(LettingSeeker, backref="deals", on_delete="RESTRICT")
    price_fen = BigIntegerField()                       # the agreed monthly rent (or price)
    start_date = DateField()
    fee_rate = CharField(default="")                    # 业主价 / 市场价
    fee_pct = IntegerField(default=0)
    fee_fen = BigIntegerField(default=0)
    charge_id = IntegerField(null=True)                 # the ledger's service_letting charge
    water_reading = CharField(default="")
    power_reading = CharField(default="")
    concluded_at = DateTimeField(index=True)
    concluded_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")


ROUND_OPEN, ROUND_DONE = "待跟进", "已处理"


class RoundEntry(BaseModel):
    """One finding of the rounds of the estate (巡查记录, 002: 每日不定时巡视2-3次; 003 园区巡视: 发现问题,
    做好记录并及时跟进): when, where, what was found, the follow-up; open until handled."""
    number = CharField(unique=True)                     # XC2026-000001
    at = DateTimeField(index=True)
    place = CharField()
    found = TextField()
    follow_up = TextField(default="")
    status = CharField(default=ROUND_OPEN, index=True)
    patrolled_by = CharField()
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    handled_at = DateTimeField(null=True)
    result = TextField(default="")


MODELS = [Parcel, Visitor, GoodsPass, Contact, ShiftLog, LettingListing, LettingSeeker, LettingViewing, LettingDeal,
          RoundEntry]
