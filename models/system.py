"""Schema metadata, document number sequences, attached files."""
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from .base import BaseModel, now
from .users import User


class Meta(BaseModel):
    key = CharField(primary_key=True)
    value = TextField()


class Sequence(BaseModel):
    """Unbroken document number sequences (receipts, notices …), one row per name and year."""
    name = CharField()
    year = IntegerField()
    last = IntegerField(default=0)

    class Meta:
        indexes = ((("name", "year"), True),)


class Attachment(BaseModel):
    """A scanned or attached file copied into the data folder, checked by SHA-256."""
    entity = CharField(index=True)           # "archive_document", "renovation", "worker" …
    entity_id = IntegerField(index=True)
    original_name = CharField()
    stored_path = CharField()                # relative to the data folder
    sha256 = CharField()
    size = IntegerField()
    added_at = DateTimeField(default=now)
    added_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    notes = TextField(default="")


MODELS = [Meta, Sequence, Attachment]
