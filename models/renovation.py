"""Renovation (装修管理): one Renovation per application, its workers' passes, patrols,
notices, deposit deductions. Each stage keeps its date and the user who recorded it.

Amounts are fen; ledger charges are referenced by id (the ledger lives in models/ledger.py
and links back with source="renovation", source_id=<id>).
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
from .sealed import SealedPhoneField
from .users import User

RENOVATION_STATES = ["待审批", "已驳回", "已批准", "施工中", "已完工", "初验通过", "已复验", "已结案", "已放弃"]
NOTICE_KINDS = ["违规通知单", "整改通知单"]
PASS_CARDS = ["A", "B"]


class Renovation(BaseModel):
    home = ForeignKeyField(Home, backref="renovations", on_delete="RESTRICT")
    number = CharField(unique=True)                 # 装修申请编号 ZX2026-000001
    state = CharField(default="待审批", index=True)  # RENOVATION_STATES
    home_state_before = CharField(default="")       # home state to restore at the end
    # 1. application
    applicant = CharField()                         # owner / applicant name
    applicant_phone = SealedPhoneField(default="")
    plan = TextField()                              # 装修方案 / 项目内容
    contractor_name = CharField()
    contractor_person = CharField()                 # 负责人
    contractor_phone = SealedPhoneField()
    planned_start = DateField(null=True)
    planned_end = DateField(null=True)
    applied_on = DateField()
    applied_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    # 2. approval / rejection
    decided_on = DateField(null=True)
    decided_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    decision_note = TextField(default="")           # approval conditions or rejection reasons
    # 3. fees (charges posted at approval; "paid" is read from the ledger)
    deposit_fen = BigIntegerField(default=0)
    rubbish_fen = BigIntegerField(default=0)
    deposit_charge_id = IntegerField(null=True)
    rubbish_charge_id = IntegerField(null=True)
    fees_charged_on = DateField(null=True)
    fees_charged_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    # 4. pressure and water-closure tests
    pressure_ok = BooleanField(null=True)
    water_ok = BooleanField(null=True)
    tests_on = DateField(null=True)
    tests_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    tests_signed_by = CharField(default="")         # owner who signed the result
    tests_note = TextField(default="")
    # fire-safety undertaking (防火责任书)
    fire_signed_on = DateField(null=True)
    fire_signed_by = CharField(default="")          # owner / contractor who signed
    fire_recorded_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    # 5. permit
    permit_number = CharField(default="")
    permit_on = DateField(null=True)
    permit_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    # 7. completion and first inspection
    finished_on = DateField(null=True)
    finished_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    first_inspection_on = DateField(null=True)
    first_inspection_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    first_inspection_ok = BooleanField(null=True)
    first_inspection_note = TextField(default="")
    # 9. second inspection and deposit refund
    second_due = DateField(null=True, index=True)
    second_inspection_on = DateField(null=True)
    second_inspection_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    second_inspection_ok = BooleanField(null=True)
    second_inspection_note = TextField(default="")
    refund_fen = BigIntegerField(default=0)
    refund_payment_id = IntegerField(null=True)
    refunded_on = DateField(null=True)
    refunded_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    # abandoned part way
    abandoned_on = DateField(null=True)
    abandoned_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    abandon_reason = TextField(default="")
    created_at = DateTimeField(default=now)


class RenovationWorker(BaseModel):
    """施工人员出入证: one pass per worker (card A or B), fee and deposit charged per pass."""
    renovation = ForeignKeyField(Renovation, backref="workers", on_delete="CASCADE")
    name = CharField()
    id_enc = TextField(default="")
    id_hash = CharField(default="", index=True)
    id_masked = CharField(default="")
    id_tail = CharField(default="")
    phone = SealedPhoneField(default="")
    trade = CharField(default="")                   # 工种: 木工, 水电工 …
    card = CharField(default="A")                   # PASS_CARDS
    valid_until = DateField()
    pass_number = CharField(default="")
    fee_charge_id = IntegerField(null=True)
    deposit_charge_id = IntegerField(null=True)
    fee_fen = BigIntegerField(default=0)
    deposit_fen = BigIntegerField(default=0)
    registered_on = DateField()
    registered_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    issued_on = DateField(null=True)
    issued_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    returned_on = DateField(null=True)
    returned_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    lost = BooleanField(default=False)              # pass not returned: deposit kept
    deposit_refund_fen = BigIntegerField(default=0)
    refund_payment_id = IntegerField(null=True)


class RenovationPatrol(BaseModel):
    """One line of the 装修巡查日志."""
    renovation = ForeignKeyField(Renovation, backref="patrols", on_delete="CASCADE")
    patrol_on = DateField(index=True)
    inspector = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    spot_check = BooleanField(default=False)        # chosen by the daily spot-check list
    ok = BooleanField(default=True)
    findings = TextField(default="")
    workers_present = IntegerField(default=0)
    created_at = DateTimeField(default=now)


class RenovationNotice(BaseModel):
    """违规通知单 / 整改通知单 with a deadline and its closure."""
    renovation = ForeignKeyField(Renovation, backref="notices", on_delete="CASCADE")
    number = CharField(unique=True)
    kind = CharField()                              # NOTICE_KINDS
    issued_on = DateField()
    issued_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    content = TextField()
    requirement = TextField(default="")             # 整改要求
    deadline = DateField(index=True)
    closed_on = DateField(null=True)
    closed_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    closure_note = TextField(default="")


class RenovationDeduction(BaseModel):
    """An itemised deduction from the renovation deposit (damage, violations)."""
    renovation = ForeignKeyField(Renovation, backref="deductions", on_delete="CASCADE")
    reason = CharField()
    amount_fen = BigIntegerField()
    recorded_on = DateField()
    recorded_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")


MODELS = [Renovation, RenovationWorker, RenovationPatrol, RenovationNotice, RenovationDeduction]
