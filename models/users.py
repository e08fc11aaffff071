"""Accounts and the audit log."""
from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from .base import BaseModel, now
from .sealed import SealedPhoneField

ROLES = {"frontdesk": "前台", "area_manager": "客服管理员", "cashier": "财务", "manager": "经理",
         "backup": "备份账号"}   # backup: only `propertydesk backup` (scheduled jobs), never the window


class User(BaseModel):
    username = CharField(unique=True)
    display_name = CharField()
    role = CharField()                       # key of ROLES
    password_hash = CharField(default="")
    phone = SealedPhoneField(default="")     # the staff member's own phone, sealed at rest like the owners'
    active = BooleanField(default=True)
    created_at = DateTimeField(default=now)
    failed_logins = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    last_login = DateTimeField(null=True)
    must_change_password = BooleanField(default=False)


class AuditLog(BaseModel):
    """Every write: who, when, what, values before and after; rows hash-chained."""
    ts = DateTimeField(default=now, index=True)
    user = ForeignKeyField(User, null=True, on_delete="SET NULL")
    username = CharField(default="")
    action = CharField(index=True)           # e.g. "owner.update" (check reads the ledger's rows by action)
    entity = CharField(default="", index=True)   # e.g. "owner"
    entity_id = CharField(default="")
    before = TextField(default="")           # JSON
    after = TextField(default="")            # JSON
    prev_hash = CharField(default="")
    hash = CharField(default="")
    seq = IntegerField(default=0, unique=True)


MODELS = [User, AuditLog]
