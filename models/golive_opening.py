"""Going live, beyond owners: the registers imported once (opening balances, keys, meters,
residents) and the go-live checklist's sign-offs."""
from peewee import BigIntegerField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from .base import BaseModel, now
from .users import User


class RegisterImport(BaseModel):
    """One import of a go-live register (kind balances / keys / meters / residents) from a file: the
    file's SHA-256 keeps the same file from coming in twice; its counts and totals as imported."""
    kind = CharField()
    file_name = CharField()
    file_sha256 = CharField()
    rows = IntegerField(default=0)
    total_fen = BigIntegerField(default=0)
    summary = TextField(default="")
    imported_at = DateTimeField(default=now)
    imported_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")

    class Meta:
        indexes = ((("kind", "file_sha256"), True),)


class GoLiveSignoff(BaseModel):
    """A manager's sign-off of one step of the go-live checklist (the latest row of a step counts)."""
    step = CharField(index=True)
    counts = TextField(default="")        # what the database held when it was signed
    note = TextField(default="")
    signed_at = DateTimeField(default=now)
    signed_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    signer_name = CharField(default="")


MODELS = [RegisterImport, GoLiveSignoff]
