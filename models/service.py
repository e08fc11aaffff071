"""Service requests (报事), complaints (投诉) and return visits (回访).

One ``ServiceRequest`` row per request of any kind (报修 / 投诉 / 建议 / 咨询); the complaint
fields are used by complaints only. ``ServiceEvent`` is the request's history (dispatch,
arrival, escalation …); ``ReturnVisit`` the visit after completion.
"""
from peewee import BigIntegerField, BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from .base import BaseModel, now
from .property import Home
from .sealed import SealedPhoneField
from .users import User

CHANNELS = ["电话", "来访", "信函", "巡查"]
KINDS = ["报修", "投诉", "建议", "咨询"]
STATUSES = ["待派工", "已派工", "处理中", "已完成", "已关闭"]
OPEN_STATUSES = ["待派工", "已派工", "处理中"]
COMPLAINT_CLASSES = ["安全", "环境", "工程", "综合服务", "业户纠纷", "开发相关", "其它"]
GRADES = ["一般", "热点", "重大"]


class ServiceRequest(BaseModel):
    number = CharField(unique=True)                     # FW2026-000001
    channel = CharField()                               # CHANNELS
    kind = CharField(index=True)                        # KINDS
    home = ForeignKeyField(Home, backref="service_requests", on_delete="RESTRICT")
    caller = CharField()
    phone = SealedPhoneField(default="")
    content = TextField()
    read_back = BooleanField(default=False)             # content read back to the caller
    received_at = DateTimeField(index=True)
    receiver = ForeignKeyField(User, backref="received_requests", on_delete="RESTRICT")  # 首问责任人
    status = CharField(default="待派工", index=True)     # STATUSES
    # dispatch and work
    handler = CharField(default="")                     # maintenance worker / department
    dispatched_at = DateTimeField(null=True)
    arrived_at = DateTimeField(null=True)
    completed_at = DateTimeField(null=True, index=True)
    result = TextField(default="")
    owner_signed = BooleanField(default=False)
    signer_name = CharField(default="")
    service_item = CharField(default="")                # paid service key (lamp, drain …) or "other"
    charge_fen = BigIntegerField(default=0)             # paid-service charge
    charge_memo = CharField(default="")
    charge_id = IntegerField(null=True)                 # the ledger charge, when posted
    closed_at = DateTimeField(null=True)
    escalation_level = IntegerField(default=0)          # 0 … 5 (see app/service_requests.LEVELS)
    # complaints
    complaint_class = CharField(default="")             # COMPLAINT_CLASSES
    subject = CharField(default="", index=True)         # topic keyword, e.g. 电梯故障
    grade = CharField(default="")                       # GRADES
    grade_reason = CharField(default="")
    lawsuit = BooleanField(default=False)
    media = BooleanField(default=False)
    group_size = IntegerField(default=1)                # people complaining together
    valid = BooleanField(null=True)                     # None: not yet classified
    validity_note = TextField(default="")               # explanation (required when invalid)
    classified_at = DateTimeField(null=True)
    contacted_at = DateTimeField(null=True)
    replied_at = DateTimeField(null=True)
    reply = TextField(default="")
    reported_at = DateTimeField(null=True)
    report_note = TextField(default="")


class ServiceEvent(BaseModel):
    request = ForeignKeyField(ServiceRequest, backref="events", on_delete="CASCADE")
    ts = DateTimeField(default=now, index=True)
    kind = CharField()                                  # 受理 派工 到场 完成 升级 联系 回复 定性 上报 回访 关闭 定级
    level = IntegerField(default=0)
    holder = CharField(default="")
    note = TextField(default="")
    user = ForeignKeyField(User, null=True, on_delete="SET NULL")


class ReturnVisit(BaseModel):
    request = ForeignKeyField(ServiceRequest, backref="visits", on_delete="CASCADE", unique=True)
    scheduled_at = DateTimeField(null=True)
    visited_at = DateTimeField(null=True)
    method = CharField(default="电话")                   # 电话 / 上门
    score = IntegerField(null=True)                     # 1 … 5
    comment = TextField(default="")
    visitor = ForeignKeyField(User, null=True, on_delete="SET NULL")


MODELS = [ServiceRequest, ServiceEvent, ReturnVisit]
