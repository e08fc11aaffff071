"""Move-in (入住办理): hand-over events, per-home hand-overs with their steps, defects, bookings."""
from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, TextField

from .base import BaseModel, now
from .people import Owner
from .property import Cluster, Home
from .sealed import SealedPhoneField
from .users import User


class HandoverEvent(BaseModel):
    """集中交付: a cluster's mass hand-over event with its dates."""
    cluster = ForeignKeyField(Cluster, backref="handover_events", on_delete="RESTRICT")
    name = CharField()
    start_date = DateField()
    end_date = DateField()
    place = CharField(default="")
    notes = TextField(default="")
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=now)


class Handover(BaseModel):
    """The hand-over of one home (集中交付 within an event, or 零星交付)."""
    home = ForeignKeyField(Home, backref="handovers", on_delete="RESTRICT")
    event = ForeignKeyField(HandoverEvent, null=True, backref="handovers", on_delete="SET NULL")
    kind = CharField(default="集中交付")      # 集中交付 / 零星交付
    owner = ForeignKeyField(Owner, null=True, on_delete="SET NULL")
    status = CharField(default="进行中", index=True)  # 进行中 / 已完成 / 已取消
    developer_confirmed = BooleanField(default=False)  # 零星交付: developer's formalities done
    developer_confirmed_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    developer_confirmed_at = DateTimeField(null=True)
    receipt_number = CharField(default="")
    handover_doc_number = CharField(default="")
    gifts = TextField(default="")
    started_at = DateTimeField(default=now)
    completed_at = DateTimeField(null=True)
    cancel_reason = TextField(default="")


class HandoverStep(BaseModel):
    """One desk step done: who, when, notes (codes in app.movein.steps.STEPS)."""
    handover = ForeignKeyField(Handover, backref="steps", on_delete="CASCADE")
    step = CharField()
    done_at = DateTimeField(default=now)
    done_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    notes = TextField(default="")

    class Meta:
        indexes = ((("handover", "step"), True),)


class Defect(BaseModel):
    """A defect found at inspection (验房), followed to closure as a 工程质量维修单."""
    handover = ForeignKeyField(Handover, null=True, backref="defects", on_delete="SET NULL")
    home = ForeignKeyField(Home, backref="defects", on_delete="RESTRICT")
    order_number = CharField(unique=True)     # 工程质量维修单 number
    room = CharField()                        # 客厅 / 主卧 / 厨房 / 卫生间 …
    kind = CharField()                        # 墙面 / 地面 / 门窗 / 水电 / 管道 / 其他
    description = TextField()
    status = CharField(default="待维修", index=True)  # 待维修 / 已派单 / 已修复 / 已关闭
    recorded_at = DateTimeField(default=now)
    recorded_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    sent_at = DateTimeField(null=True)        # passed to the builder
    builder = CharField(default="")
    fixed_at = DateTimeField(null=True)
    closed_at = DateTimeField(null=True)
    closed_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    owner_confirmed = BooleanField(default=False)
    notes = TextField(default="")


class MovingBooking(BaseModel):
    """搬家预约, passed to the gate."""
    home = ForeignKeyField(Home, backref="moving_bookings", on_delete="CASCADE")
    move_date = DateField(index=True)
    time_slot = CharField(default="")
    contact = CharField(default="")
    phone = SealedPhoneField(default="")
    mover = CharField(default="")
    vehicle = CharField(default="")
    notes = TextField(default="")
    passed_to_gate = BooleanField(default=False)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=now)


MODELS = [HandoverEvent, Handover, HandoverStep, Defect, MovingBooking]
