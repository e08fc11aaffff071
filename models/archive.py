"""The paper archive checklist of a household, visits and the monthly familiarity check."""
from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField

from .base import BaseModel, now
from .people import Owner
from .property import Home
from .users import User


class ArchiveDocument(BaseModel):
    """One item of a household's archive checklist (codes in app/archives.ARCHIVE_DOCUMENTS)."""
    home = ForeignKeyField(Home, backref="archive_documents", on_delete="CASCADE")
    doc_code = CharField()
    on_file = BooleanField(default=False)
    received_at = DateField(null=True)
    received_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    notes = TextField(default="")

    class Meta:
        indexes = ((("home", "doc_code"), True),
                   (("home", "on_file", "doc_code"), False))   # completeness counts without table lookups


class Visit(BaseModel):
    """A visit to a household: the 3-day visit after moving in, key-customer visits, ordinary ones."""
    home = ForeignKeyField(Home, backref="visits", on_delete="CASCADE")
    owner = ForeignKeyField(Owner, null=True, on_delete="SET NULL")
    kind = CharField()                       # 入住三日回访 / 重点客户拜访 / 日常拜访 / 入住祝贺
    planned_date = DateField(null=True)
    visit_date = DateField(null=True, index=True)
    staff = ForeignKeyField(User, null=True, on_delete="SET NULL")
    residents_info = TextField(default="")
    opinions = TextField(default="")
    questions = TextField(default="")
    safety_advice_given = BooleanField(default=False)
    intercom_explained = BooleanField(default=False)
    satisfaction = IntegerField(null=True)   # 1–5
    notes = TextField(default="")
    created_at = DateTimeField(default=now)


class FamiliarityCheck(BaseModel):
    """熟知率 check: the manager names a room, the area manager must know the household."""
    month = CharField(index=True)            # "2026-11"
    home = ForeignKeyField(Home, on_delete="CASCADE")
    area_manager = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="familiarity_checks")
    checked_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="familiarity_checks_made")
    knew_name = BooleanField(default=False)
    knew_employer = BooleanField(default=False)
    knew_family = BooleanField(default=False)
    knew_payment = BooleanField(default=False)
    owner_knows_manager = BooleanField(null=True)  # result of the phone call to the owner
    notes = TextField(default="")
    created_at = DateTimeField(default=now)


MODELS = [ArchiveDocument, Visit, FamiliarityCheck]


class HomeSearch(BaseModel):
    """One search line per home: room code, owners' and residents' names, phones, id tails.
    Maintained by app/search.py (index_homes after every write that changes these)."""
    home = ForeignKeyField(Home, unique=True, on_delete="CASCADE")
    text = TextField(default="")


MODELS.append(HomeSearch)
