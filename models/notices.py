"""Notices for the board (公告栏, domain.md §10): the office's editable templates and the notices
drafted from them, numbered per year, with their posting period and their way from draft to the
board and down again."""
from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField

from .base import TimestampedModel
from .users import User

GRADES = ("通告", "重要通告", "紧急通告", "温馨提示")
STATES = ("草稿", "已审批", "已打印", "已张贴", "已撤下")
PAPERS = ("A4", "A3")


class NoticeTemplate(TimestampedModel):
    """A template the office edits: title and body with {字段} placeholders filled from the form."""
    code = CharField(unique=True)
    name = CharField(unique=True)
    grade = CharField()
    title = CharField()
    body = TextField()
    days = IntegerField(default=7)                    # the posting period's usual length
    sort_order = IntegerField(default=0)
    active = BooleanField(default=True)


class Notice(TimestampedModel):
    """One notice: numbered GG2026-0001 when drafted (a counter row per year)."""
    number = CharField(unique=True)
    year = IntegerField(index=True)
    grade = CharField(index=True)
    title = CharField()
    body = TextField()
    template = CharField(default="")                  # NoticeTemplate.code it was drafted from
    buildings = CharField(default="")                 # building codes, comma separated ("" = whole site)
    entrances = CharField(default="")                 # entrance ids, comma separated (within the buildings)
    scope_text = CharField(default="全体业主")
    post_from = DateField(index=True)
    post_to = DateField(index=True)
    office = CharField()
    issue_date = DateField()
    state = CharField(default="草稿", index=True)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    approved_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    approved_at = DateTimeField(null=True)
    printed_at = DateTimeField(null=True)
    print_count = IntegerField(default=0)             # copies printed, all jobs
    paper = CharField(default="")
    posted_at = DateTimeField(null=True)
    posted_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    taken_down_at = DateTimeField(null=True)
    taken_down_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    notes = TextField(default="")


MODELS = [NoticeTemplate, Notice]
