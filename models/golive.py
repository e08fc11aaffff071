"""Going live: the 待核对 worklist (values an import or a check could not accept, kept with their raw
text and reason until someone corrects them) and the import mappings saved by name."""
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from .base import BaseModel, now
from .property import Home
from .users import User


class PendingCheck(BaseModel):
    """One value waiting to be checked (待核对): the record and field it belongs to, the raw text as
    found (``raw_enc`` encrypted for identity numbers, ``raw_text`` then masked), why it was refused,
    where it came from; open while ``resolved_at`` is null."""
    entity = CharField()                 # owner / home / parking_space / vehicle / resident
    entity_id = IntegerField()
    home = ForeignKeyField(Home, null=True, on_delete="SET NULL")   # for the 业主档案 filter and search
    field = CharField()                  # phone / phone2 / spouse_phone / id_number / …
    label = CharField()                  # the field's Chinese name
    raw_text = TextField(default="")
    raw_enc = TextField(default="")
    reason = TextField(default="")
    source = CharField(default="")       # e.g. 导入 台账.xlsx 第12行
    created_at = DateTimeField(default=now)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    resolved_at = DateTimeField(null=True, index=True)
    resolved_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    resolution = TextField(default="")

    class Meta:
        indexes = ((("entity", "entity_id", "field"), False),)


class ImportMapping(BaseModel):
    """A mapping of workbook columns to fields, saved by name (the TOML text as written)."""
    name = CharField(unique=True)
    kind = CharField(default="owners")
    text = TextField()
    saved_at = DateTimeField(default=now)
    saved_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")


MODELS = [PendingCheck, ImportMapping]
